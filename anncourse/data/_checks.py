"""Argument checks shared by the modules of :mod:`anncourse.data`.

Private: names and signatures may change.
"""

import numbers

import numpy as np

from anncourse._validation import as_real_number


def check_count(value, name, minimum=1):
    """Return ``value`` as an ``int``, or raise if it is not an integer ``>= minimum``.

    Booleans are rejected: ``True`` is an integer to Python, but never a
    number of samples anyone meant to type.
    """
    if isinstance(value, bool) or not isinstance(value, numbers.Integral):
        raise TypeError(f"{name} must be an integer, but got {value!r}")
    if value < minimum:
        raise ValueError(f"{name} must be at least {minimum}, but got {value}")
    return int(value)


def check_non_negative(value, name):
    """Return ``value`` as a float, or raise if it is not a real number ``>= 0``."""
    value = as_real_number(value, name)
    if not value >= 0:
        raise ValueError(f"{name} must be a number >= 0, but got {value}")
    return value


def check_same_length(X, y):
    """Raise ``ValueError`` unless ``X`` and ``y`` have one row per sample each."""
    if np.ndim(X) == 0 or np.ndim(y) == 0:
        raise ValueError("X and y must be arrays with one row per sample, not scalars")
    if len(X) != len(y):
        raise ValueError(
            f"X has shape {np.shape(X)} but y has shape {np.shape(y)}; "
            "they need the same number of samples (rows)"
        )
