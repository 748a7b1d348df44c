"""Spec tests for ``04-activation-functions``: the checks accept the reference and catch the usual mistakes.

tests/test_specs_generated.py checks that each exercise's reference passes and
each usual mistake fails with its hint; this file holds what is specific to the chapter.
"""
from __future__ import annotations

import pytest

from anncourse.grading.specs import exercises

EXERCISES = exercises("04-activation-functions")
MISTAKES = [(name, mistake) for name, ex in sorted(EXERCISES.items()) for mistake in ex.mistakes]


# --- what is specific to this chapter --------------------------------------------------
#
# Correct answers in the styles a learner might write pass every check (visible
# and hidden); each usual mistake also fails the hidden checks, without values;
# the conventions the exercises state (alpha at z = 0, <= 0 counts as dead, each
# row shifted by its own maximum) are what decides.

import math
import re

import numpy as np

from anncourse.grading import CheckFailed, check

SLUG = "04-activation-functions"
_VALUE = re.compile(r"\d\.\d")


def passes(func, name):
    check(func, f"{SLUG}/{name}")
    check(func, f"{SLUG}/{name}", hidden=True)


def failure(func, name, hidden=False) -> str:
    with pytest.raises(CheckFailed) as info:
        check(func, f"{SLUG}/{name}", hidden=hidden)
    return str(info.value)


class Vectorised:
    """NumPy throughout; tanh through the sigmoid identity, written without overflow."""

    @staticmethod
    def tanh(z):
        z = np.asarray(z, dtype=float)
        e = np.exp(-2 * np.abs(z))            # in (0, 1]: never overflows
        return np.sign(z) * (1 - e) / (1 + e)

    @staticmethod
    def tanh_grad(z):
        return 1 - np.tanh(np.asarray(z, dtype=float)) ** 2

    @staticmethod
    def leaky_relu(z, alpha=0.01):
        z = np.asarray(z, dtype=float)
        return np.maximum(z, alpha * z)       # right for 0 <= alpha <= 1

    @staticmethod
    def leaky_relu_grad(z, alpha=0.01):
        z = np.asarray(z, dtype=float)
        return np.where(z > 0, 1.0, alpha)

    @staticmethod
    def softmax(z, axis=-1):
        z = np.asarray(z, dtype=float)
        e = np.exp(z - z.max(axis=axis, keepdims=True))
        return e / e.sum(axis=axis, keepdims=True)

    @staticmethod
    def softmax_jacobian(p):
        p = np.asarray(p, dtype=float)
        return np.diag(p) - np.outer(p, p)

    @staticmethod
    def dead_relu_fraction(Z):
        Z = np.asarray(Z)
        return np.count_nonzero((Z <= 0).all(axis=0)) / Z.shape[1]


class Loops:
    """Plain Python: math, loops over nested lists, lists returned."""

    @staticmethod
    def _map(f, z):
        if isinstance(z, (list, tuple, np.ndarray)):
            return [Loops._map(f, v) for v in z]
        return f(float(z))

    @staticmethod
    def tanh(z):
        return Loops._map(math.tanh, z)

    @staticmethod
    def tanh_grad(z):
        return Loops._map(lambda v: 1 - math.tanh(v) ** 2, z)

    @staticmethod
    def leaky_relu(z, alpha=0.01):
        return Loops._map(lambda v: v if v > 0 else alpha * v, z)

    @staticmethod
    def leaky_relu_grad(z, alpha=0.01):
        return Loops._map(lambda v: 1.0 if v > 0 else alpha, z)

    @staticmethod
    def softmax(z, axis=-1):
        # Move the axis last, loop over every slice, move it back.
        arr = np.moveaxis(np.asarray(z, dtype=float), axis, -1)
        out = np.empty_like(arr)
        for index in np.ndindex(arr.shape[:-1]):
            row = arr[index]
            top = max(row)
            exps = [math.exp(v - top) for v in row]
            total = sum(exps)
            out[index] = [e / total for e in exps]
        return np.moveaxis(out, -1, axis)

    @staticmethod
    def softmax_jacobian(p):
        p = [float(v) for v in p]
        return [[p[i] * ((1.0 if i == j else 0.0) - p[j]) for j in range(len(p))]
                for i in range(len(p))]

    @staticmethod
    def dead_relu_fraction(Z):
        rows = [list(r) for r in Z]
        dead = 0
        for unit in range(len(rows[0])):
            if all(row[unit] <= 0 for row in rows):
                dead += 1
        return dead / len(rows[0])


class Float32Keeping:
    """Keeps the input's dtype (float32 stays float32) and uses the sigmoid identity for tanh."""

    @staticmethod
    def tanh(z):
        z = np.asarray(z)
        z = z if z.dtype == np.float32 else z.astype(float)
        s = np.where(z >= 0, 1 / (1 + np.exp(-2 * np.abs(z))), np.exp(-2 * np.abs(z))
                     / (1 + np.exp(-2 * np.abs(z))))
        return (2 * s - 1).astype(z.dtype)

    @staticmethod
    def tanh_grad(z):
        t = Float32Keeping.tanh(z)
        return 1 - t * t

    @staticmethod
    def leaky_relu(z, alpha=0.01):
        z = np.asarray(z)
        z = z if z.dtype == np.float32 else z.astype(float)
        return np.where(z > 0, z, z * z.dtype.type(alpha))

    @staticmethod
    def leaky_relu_grad(z, alpha=0.01):
        z = np.asarray(z)
        z = z if z.dtype == np.float32 else z.astype(float)
        return np.where(z > 0, z.dtype.type(1), z.dtype.type(alpha))

    @staticmethod
    def softmax(z, axis=-1):
        z = np.asarray(z)
        z = z if z.dtype == np.float32 else z.astype(float)
        shifted = z - np.max(z, axis=axis, keepdims=True)
        return np.exp(shifted) / np.sum(np.exp(shifted), axis=axis, keepdims=True)

    @staticmethod
    def softmax_jacobian(p):
        p = np.asarray(p)
        p = p if p.dtype == np.float32 else p.astype(float)
        return -p[:, None] * p[None, :] + np.diag(p)

    @staticmethod
    def dead_relu_fraction(Z):
        return np.mean(np.max(np.asarray(Z), axis=0) <= 0)


NAMES = ["tanh", "tanh_grad", "leaky_relu", "leaky_relu_grad", "softmax", "softmax_jacobian",
         "dead_relu_fraction"]


@pytest.mark.parametrize("style", [Vectorised, Loops, Float32Keeping], ids=lambda s: s.__name__)
@pytest.mark.parametrize("name", NAMES)
def test_correct_styles_pass(style, name):
    passes(getattr(style, name), name)


def test_the_spec_lists_exactly_the_exercises_of_issue_10():
    assert sorted(EXERCISES) == sorted(NAMES)


@pytest.mark.parametrize("name, mistake", MISTAKES, ids=[f"{name}-{m.label}" for name, m in MISTAKES])
def test_mistake_fails_the_hidden_checks_too_without_values(name, mistake):
    text = failure(mistake.func, name, hidden=True)
    assert "hidden checks failed" in text and not _VALUE.search(text), text


@pytest.mark.parametrize("name", NAMES)
def test_twice_the_answer_fails(name):
    ref = EXERCISES[name].reference

    def twice(*args, **kwargs):
        return 2 * np.asarray(ref(*args, **kwargs), dtype=float)

    failure(twice, name)
    failure(twice, name, hidden=True)


def test_tanh_by_its_exponential_formula_fails_only_at_large_inputs():
    def naive(z):
        z = np.asarray(z, dtype=float)
        return (np.exp(z) - np.exp(-z)) / (np.exp(z) + np.exp(-z))

    check(naive, f"{SLUG}/tanh")                       # the visible examples are small
    assert "z = +-1000" in failure(naive, "tanh", hidden=True)


def test_softmax_shifted_by_one_global_maximum_fails_on_rows_far_apart():
    def global_shift(z, axis=-1):
        z = np.asarray(z, dtype=float)
        e = np.exp(z - z.max())
        return e / e.sum(axis=axis, keepdims=True)

    check(global_shift, f"{SLUG}/softmax")
    assert "own maximum" in failure(global_shift, "softmax", hidden=True)


def test_dead_fraction_that_counts_zero_as_alive_fails_hidden_checks():
    def strict(Z):
        Z = np.asarray(Z, dtype=float)
        return float(np.mean(np.all(Z < 0, axis=0)))

    failure(strict, "dead_relu_fraction")
    failure(strict, "dead_relu_fraction", hidden=True)


def test_dead_fraction_of_relu_outputs_equals_that_of_pre_activations():
    """The notebook says either may be passed: ReLU(z) <= 0 exactly when z <= 0."""
    from anncourse.grading.specs.activation_functions import dead_relu_fraction

    rng = np.random.default_rng(0)
    Z = rng.normal(-0.8, 1.0, size=(7, 50))
    assert dead_relu_fraction(Z) == dead_relu_fraction(np.maximum(Z, 0.0)) > 0


def test_references_reject_bad_shapes_with_a_clear_error():
    from anncourse.grading.specs.activation_functions import dead_relu_fraction, softmax_jacobian

    with pytest.raises(ValueError, match="2-D"):
        dead_relu_fraction([1.0, -1.0])
    with pytest.raises(ValueError, match="1-D"):
        softmax_jacobian([[0.5, 0.5]])


def test_stub_and_missing_return_are_explained():
    def stub(*args, **kwargs):
        raise NotImplementedError()

    def no_return(*args, **kwargs):
        np.asarray(args[0])

    for name in NAMES:
        assert "NotImplementedError" in failure(stub, name)
        assert "NotImplementedError" in failure(stub, name, hidden=True)
        assert "forget the `return`" in failure(no_return, name)


@pytest.mark.parametrize("name", NAMES)
def test_hidden_labels_are_unique_and_show_no_values(name):
    labels = [prop.label for prop in EXERCISES[name].hidden]
    assert len(set(labels)) == len(labels)
    assert not [label for label in labels if _VALUE.search(label)]
    assert all(callable(case.expected) for case in EXERCISES[name].visible)


def test_the_notebook_solutions_pass():
    """Every solution cell of the instructor's notebook passes its checks."""
    import nbformat

    from conftest import ROOT

    nb = nbformat.read(ROOT / "solutions" / SLUG / f"{SLUG}.ipynb", as_version=4)
    namespace = {"np": np, "math": math}
    for cell in nb.cells:
        grade_id = cell.metadata.get("nbgrader", {}).get("grade_id")
        if cell.metadata.get("nbgrader", {}).get("solution"):
            exec(cell.source, namespace)
            assert grade_id in NAMES
    for name in NAMES:
        passes(namespace[name], name)
