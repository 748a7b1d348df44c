"""Small input checks shared by the anncourse reference implementation.

The public functions of :mod:`anncourse.losses` and
:mod:`anncourse.activations` all start the same way: turn whatever the
learner passed (a list, a NumPy array, a Python number) into a floating
point array, then check that it is something the formula can be applied
to. Doing this in one place keeps the interesting functions short, and
gives every function the same error messages.

The dtype rule
--------------
``float32`` input stays ``float32``; every other real input (``float64``,
integers, booleans, ``float16``, Python lists and numbers) becomes
``float64``. Strings, objects and complex numbers are rejected with a
``TypeError``: a loss of complex numbers has no meaning.

These helpers are private: their names and signatures may change.
"""

import numpy as np

# dtype kinds that hold real numbers: boolean, signed int, unsigned int, float.
_REAL_KINDS = "biuf"


def working_dtype(x):
    """Return the floating dtype that ``x`` is computed in.

    ``float32`` if ``x`` already is ``float32``, ``float64`` otherwise.
    """
    if np.asarray(x).dtype == np.float32:
        return np.dtype(np.float32)
    return np.dtype(np.float64)


def as_float_array(x, name, dtype=None):
    """Convert ``x`` to a non-empty floating point NumPy array.

    Parameters
    ----------
    x : array_like
        A list, array or number of real values.
    name : str
        The argument's name, used in error messages.
    dtype : numpy dtype, optional
        The dtype to convert to. By default ``float32`` input is kept and
        any other real input becomes ``float64``.

    Returns
    -------
    numpy.ndarray
        ``x`` as an array of ``dtype``. It is ``x`` itself, not a copy, when
        ``x`` already was such an array, so callers must never write to it.

    Raises
    ------
    TypeError
        If ``x`` does not hold real numbers (strings, objects, complex).
    ValueError
        If ``x`` is empty.
    """
    array = np.asarray(x)
    if array.dtype.kind not in _REAL_KINDS:
        raise TypeError(
            f"{name} must hold real numbers, but it has dtype {array.dtype}"
        )
    if array.size == 0:
        raise ValueError(f"{name} is empty; it needs at least one element")
    if dtype is None:
        dtype = working_dtype(array)
    return array.astype(dtype, copy=False)


def check_same_shape(a, b, name_a, name_b):
    """Raise ``ValueError`` unless arrays ``a`` and ``b`` have the same shape.

    No broadcasting is allowed: a target of shape ``(n,)`` against a
    prediction of shape ``(n, 1)`` would silently broadcast to ``(n, n)``,
    which is a classic source of wrong losses.
    """
    if a.shape != b.shape:
        raise ValueError(
            f"{name_a} has shape {a.shape} but {name_b} has shape {b.shape}; "
            "they must be the same"
        )


def check_in_range(x, name, low, high):
    """Raise ``ValueError`` unless every value of ``x`` lies in ``[low, high]``.

    NaN is never in range. The message names the argument and the range its
    values actually span, so the learner sees how far off they are.
    """
    if np.isnan(x).any():
        raise ValueError(f"{name} contains NaN; it must lie in [{low}, {high}]")
    if x.min() < low or x.max() > high:
        raise ValueError(
            f"{name} must lie in [{low}, {high}], but its values span "
            f"[{x.min()}, {x.max()}]"
        )


def sum_tolerance(dtype):
    """How far from 1 a probability row may sum, for arrays of ``dtype``.

    Summing ``C`` rounded numbers is off by about ``log2(C) * eps``; the
    tolerances leave room for that and for probabilities that were
    computed, not typed in, while still catching rows that are plainly not
    distributions.
    """
    return 1e-4 if np.dtype(dtype) == np.float32 else 1e-6


def check_probability_rows(x, name):
    """Raise ``ValueError`` unless ``x`` is a probability distribution.

    ``x`` is one distribution (1-D) or one distribution per row (2-D):
    every entry must lie in ``[0, 1]`` and each row must sum to 1 within
    :func:`sum_tolerance`.
    """
    check_in_range(x, name, 0, 1)
    row_sums = np.sum(x, axis=-1)
    tolerance = sum_tolerance(x.dtype)
    distance = np.ravel(np.abs(row_sums - 1))
    if distance.max() > tolerance:
        bad_sum = np.ravel(row_sums)[np.argmax(distance)]
        what = name if x.ndim == 1 else f"each row of {name}"
        raise ValueError(
            f"{what} must sum to 1 (within {tolerance:g}), "
            f"but found a sum of {bad_sum}"
        )


def as_real_number(value, name):
    """Return ``value`` as a Python float, or raise ``TypeError``.

    Used for hyper-parameters such as Huber's ``delta``, which must be one
    real number, not an array.
    """
    array = np.asarray(value)
    if array.ndim != 0 or array.dtype.kind not in _REAL_KINDS:
        raise TypeError(f"{name} must be a single real number, but got {value!r}")
    return float(array)
