"""Hints for the mistakes learners make most often.

Each hint compares the expected value with the learner's value for one failed
visible case and returns advice when the difference has a familiar shape.
"""
from __future__ import annotations

import math

import numpy as np

__all__ = ["log_base", "missing_mean", "nan_from_log_zero", "sign_flip", "sign_flipped",
           "wrong_axis"]


def _ratio_is(actual: np.ndarray, expected: np.ndarray, factor: float) -> bool:
    with np.errstate(all="ignore"):
        return bool(np.all(np.isfinite(actual))) and bool(
            np.allclose(actual, expected * factor, rtol=1e-6, atol=1e-12)
        ) and not np.allclose(expected, 0)


def missing_mean(n_of) :
    """The learner summed instead of averaging (or averaged twice).

    ``n_of(args)`` gives the number of items the mean runs over.
    """

    def hint(args, expected, actual):
        n = n_of(args)
        if n > 1 and _ratio_is(actual, expected, n):
            return f"your value is {n} times too large: did you forget to divide by n = {n}?"
        if n > 1 and _ratio_is(actual, expected, 1 / n):
            return f"your value is {n} times too small: is the 1/n applied twice?"
        return None

    return hint


def log_base(args, expected, actual):
    """The learner used log10 or log2 instead of the natural logarithm."""
    if _ratio_is(actual, expected, 1 / math.log(10)):
        return "it looks like log base 10: the course uses the natural logarithm (np.log)."
    if _ratio_is(actual, expected, 1 / math.log(2)):
        return "it looks like log base 2: the course uses the natural logarithm (np.log)."
    return None


def sign_flipped(args, expected, actual):
    """The learner's value is the expected one with the opposite sign.

    The advice fits any exercise; use :func:`sign_flip` for words that fit
    one (a gradient points uphill, a loss is never negative...).
    """
    if _ratio_is(actual, expected, -1.0):
        return ("your value has the opposite sign of the expected one: check the order of a "
                "subtraction (a - b vs b - a) or a minus sign in front of the formula.")
    return None


def sign_flip(advice: str):
    """A sign hint with advice that fits the exercise.

    Examples
    --------
    >>> import numpy as np
    >>> hint = sign_flip("the gradient of a loss points uphill: is it prediction minus target?")
    >>> hint((), np.array([0.5]), np.array([-0.5]))
    'your value has the wrong sign: the gradient of a loss points uphill: is it prediction minus target?'
    """

    def hint(args, expected, actual):
        if _ratio_is(actual, expected, -1.0):
            return f"your value has the wrong sign: {advice}"
        return None

    return hint


def nan_from_log_zero(args, expected, actual):
    if np.isnan(actual).any():
        return ("NaN usually comes from 0 * log(0) or log of a negative number: "
                "clip probabilities or skip terms whose weight is zero.")
    if np.isinf(actual).any() and np.isfinite(expected).all():
        return "an infinity usually comes from log(0): clip the probabilities away from 0 and 1."
    return None


def wrong_axis(args, expected, actual):
    if actual.size != expected.size:
        return "the result has the wrong number of elements: check the axis you reduce over."
    return None
