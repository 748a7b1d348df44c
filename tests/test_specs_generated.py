"""Spec tests generated from the specs themselves: every registered exercise of every chapter.

For each exercise the reference passes its visible and hidden checks, and
each usual mistake the spec lists fails the visible checks with its hint
(and the hidden checks too, without giving values away).  A chapter whose
spec module is registered in ``anncourse.grading.specs`` is covered with no
test written by hand; what is specific to a chapter (correct answers in
other styles, subtle mistakes that only hidden checks catch) goes in its
own test file.
"""
from __future__ import annotations

import re

import numpy as np
import pytest

from anncourse.course import ASSIGNMENTS
from anncourse.grading import CheckFailed, check
from anncourse.grading.core import Case
from anncourse.grading.properties import salted
from anncourse.grading.specs import exercises


def _registered():
    found = []
    for assignment in ASSIGNMENTS:
        try:
            chapter = exercises(assignment.slug)
        except KeyError:  # no graded exercises for this chapter (yet)
            continue
        found += list(chapter.values())
    return found


EXERCISES = _registered()
MISTAKES = [(ex, m) for ex in EXERCISES for m in ex.mistakes]
_VALUE = re.compile(r"\d\.\d")  # a decimal number: hidden feedback must not show one
# Hidden checks draw their random inputs from the submission's grading salt, so
# a check that catches a mistake under one salt may miss it under another (a
# border case the draw happens to skip). Every mistake must fail, and the
# reference pass, under each of these salts, and under this run's random one.
SALTS = (0, 1, 2, 3, 4, 5)


def _failure(func, key, hidden=False) -> str:
    with pytest.raises(CheckFailed) as info:
        check(func, key, hidden=hidden)
    return str(info.value)


def test_some_chapter_is_registered():
    assert any(ex.key.startswith("18-loss-functions/") for ex in EXERCISES)


@pytest.mark.parametrize("ex", EXERCISES, ids=lambda ex: ex.key)
def test_the_spec_is_well_formed(ex):
    slug = ex.key.partition("/")[0]
    assert ex.key == f"{slug}/{ex.function_name}"
    assert callable(ex.reference), "every exercise names its reference"
    assert ex.visible and ex.hidden, "visible examples and hidden checks"
    assert ex.mistakes, "list the usual mistakes, so that the hints are tested"
    for case in ex.visible:
        # No expected value is typed in: the reference computes it.
        assert isinstance(case, Case) and callable(case.expected), case.label
    labels = [prop.label for prop in ex.hidden]
    assert len(set(labels)) == len(labels), "hidden labels are the learner's only feedback"
    for label in labels:
        assert not _VALUE.search(label), label


@pytest.mark.parametrize("ex", EXERCISES, ids=lambda ex: ex.key)
def test_the_reference_passes(ex, capsys):
    check(ex.reference, ex.key)
    check(ex.reference, ex.key, hidden=True)
    out = capsys.readouterr().out
    assert f"{len(ex.visible)} visible checks passed" in out
    assert f"{len(ex.hidden)} hidden checks passed" in out
    for salt in SALTS:
        with salted(salt):
            check(ex.reference, ex.key, hidden=True)


@pytest.mark.parametrize("ex, mistake", MISTAKES, ids=[f"{ex.key}-{m.label}" for ex, m in MISTAKES])
def test_each_mistake_fails_with_its_hint(ex, mistake):
    # The words, not the layout: a single array and a structured answer (named
    # parts) are explained differently, and each mistake's hint says what it expects.
    visible = _failure(mistake.func, ex.key)
    assert mistake.hint in visible, visible
    hidden = _failure(mistake.func, ex.key, hidden=True)
    assert not _VALUE.search(hidden), hidden
    for salt in SALTS:
        with salted(salt):
            hidden = _failure(mistake.func, ex.key, hidden=True)
        assert not _VALUE.search(hidden), (salt, hidden)


@pytest.mark.parametrize("ex", EXERCISES, ids=lambda ex: ex.key)
def test_twice_the_answer_fails_both(ex):
    """The round trip grades a submission returning twice each answer: it must score 0."""
    def twice(*args, **kwargs):
        return 2 * np.asarray(ex.reference(*args, **kwargs), dtype=float)

    _failure(twice, ex.key)
    _failure(twice, ex.key, hidden=True)


@pytest.mark.parametrize("ex", EXERCISES, ids=lambda ex: ex.key)
def test_unwritten_and_forgetful_answers_are_explained(ex):
    def stub(*args, **kwargs):
        # YOUR CODE HERE
        raise NotImplementedError()

    def no_return(*args, **kwargs):
        # Works on its input (if it has one), then forgets to return.
        if args:
            np.asarray(args[0])

    assert "NotImplementedError" in _failure(stub, ex.key)
    assert "NotImplementedError" in _failure(stub, ex.key, hidden=True)
    assert "forget the `return`" in _failure(no_return, ex.key)
