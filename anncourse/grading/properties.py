"""Building blocks for hidden checks (see :class:`~anncourse.grading.core.Property`).

Each builder returns a ``test(func)`` callable that answers ``None`` when the
learner's function has the property and a short reason otherwise.  Reasons
never contain expected values: hidden checks say *what* is wrong, not what the
answer is.  Random inputs come from a seeded generator, so a submission gets
the same grade every time it is graded.
"""
from __future__ import annotations

import contextlib
import contextvars
import copy
import secrets
from typing import Callable

import numpy as np

from .core import _to_array, call_learner, compare_answer

__all__ = ["matches_reference", "salted", "satisfies", "scenario_matches",
           "verdict"]

# Mixed into every seed so that a submission cannot know the hidden inputs in
# advance and hard-code answers.  The grader sets it per submission from the
# course's secret (see grading.salt), so a regrade gives the same inputs; the
# default, for checks run in a notebook, is fresh in every process.
_SALT = contextvars.ContextVar("anncourse_hidden_salt", default=secrets.randbits(63))


@contextlib.contextmanager
def salted(salt: int):
    """Draw the hidden inputs with ``salt`` inside the ``with`` block."""
    token = _SALT.set(int(salt) & (2**63 - 1))
    try:
        yield
    finally:
        _SALT.reset(token)


def _rng(seed: int) -> np.random.Generator:
    return np.random.default_rng([seed, _SALT.get()])


ArgMaker = Callable[[np.random.Generator], "tuple | tuple[tuple, dict]"]


def _split(made) -> tuple[tuple, dict]:
    """``make_args`` may return ``args`` or ``(args, kwargs)``."""
    if isinstance(made, tuple) and len(made) == 2 and isinstance(made[1], dict) \
            and isinstance(made[0], tuple):
        return made
    return tuple(made), {}


def matches_reference(reference: Callable, make_args: ArgMaker, *, trials: int = 5,
                      rtol: float = 1e-6, atol: float = 1e-9, seed: int = 0):
    """The function agrees with ``reference`` on ``trials`` random inputs."""

    def test(func):
        __tracebackhide__ = True
        rng = _rng(seed)
        for _ in range(trials):
            args, kwargs = _split(make_args(rng))
            expected = reference(*copy.deepcopy(args), **copy.deepcopy(kwargs))
            mismatch = compare_answer(call_learner(func, args, kwargs), expected, rtol, atol)
            if mismatch is not None:
                return f"the result {mismatch.reason}"
        return None

    return test


def satisfies(predicate: Callable[[np.ndarray], bool], make_args: ArgMaker, reason: str,
              *, seed: int = 0):
    """``predicate(result)`` holds for the result on the given input."""

    def test(func):
        __tracebackhide__ = True
        args, kwargs = _split(make_args(_rng(seed)))
        actual = _to_array(call_learner(func, args, kwargs))
        with np.errstate(all="ignore"):
            ok = bool(predicate(actual))
        return None if ok else reason

    return test


def verdict(judge: Callable, make_args: ArgMaker, *, seed: int = 0, draws: int = 1):
    """A pass/fail verdict that ``judge(result, args)`` computes from the learner's output.

    ``judge`` returns None when the result is good enough and otherwise a
    short reason that states the threshold, never the inputs: for example the
    held-out accuracy of the weights that ``train(X, y, seed)`` returned,
    computed by the grader on data the learner never saw. With ``draws`` > 1,
    a failure is judged again on fresh inputs (seeds ``seed + 1``, ...) and the
    check passes if any draw does: for training, whose honest result can land
    just below a threshold on one unlucky draw.
    """

    def test(func):
        __tracebackhide__ = True
        for draw in range(draws):
            args, kwargs = _split(make_args(_rng(seed + draw)))
            result = call_learner(func, args, kwargs)
            with np.errstate(all="ignore"):
                reason = judge(result, args)
            if reason is None:
                return None
        return reason

    return test


def scenario_matches(reference, driver: Callable, make_args: ArgMaker, *, trials: int = 3,
                     rtol: float = 1e-6, atol: float = 1e-9, seed: int = 0):
    """``driver(learner, *args)`` agrees with ``driver(reference, *args)`` on random args.

    The driver is trusted code that runs where the learner's object lives (in
    the sandbox when grading): it constructs the learner's class or calls the
    learner's function as often as it needs and returns plain data.
    """

    def test(func):
        __tracebackhide__ = True
        rng = _rng(seed)
        for _ in range(trials):
            args, kwargs = _split(make_args(rng))
            expected = driver(reference, *copy.deepcopy(args), **copy.deepcopy(kwargs))
            mismatch = compare_answer(call_learner(func, args, kwargs, driver=driver), expected,
                                      rtol, atol)
            if mismatch is not None:
                return f"the result {mismatch.reason}"
        return None

    return test
