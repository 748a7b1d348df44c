"""Splitting a data set into training, validation and test sets.

The training set fits the weights, the validation set chooses
hyper-parameters and decides when to stop, and the test set is looked at
once, at the end, to estimate how the final model does on new data.

Examples
--------
>>> import numpy as np
>>> from anncourse.data import train_val_test_split
>>> X, y = np.arange(20).reshape(10, 2), np.arange(10)
>>> X_train, X_val, X_test, y_train, y_val, y_test = train_val_test_split(
...     X, y, val_size=0.2, test_size=0.2, random_state=0)
>>> len(y_train), len(y_val), len(y_test)
(6, 2, 2)
"""

import math
import numbers

import numpy as np

from anncourse._random import check_random_state, renamed
from anncourse.data._checks import check_same_length

__all__ = ["train_val_test_split"]


@renamed("seed")
def train_val_test_split(X, y, val_size=0.2, test_size=0.2, random_state=None, stratify=False):
    """Shuffle the samples and split them into training, validation and test sets.

    A size is a fraction of the ``n`` samples (a float in ``[0, 1)``,
    rounded up as in scikit-learn's ``train_test_split``) or a number of
    samples (an int)::

        n_test  = ceil(test_size * n)     or test_size
        n_val   = ceil(val_size * n)      or val_size
        n_train = n - n_val - n_test      (must be at least 1)

    With ``stratify=True`` every class keeps (as nearly as whole numbers
    allow) its share of the samples in each set: the test set gets from
    class ``c``, with ``n_c`` samples, its share ``n_test * n_c / n``
    rounded by the largest remainder method, so that the counts add up to
    ``n_test`` exactly; the validation set is then drawn the same way from
    what is left.

    Parameters
    ----------
    X : array_like, first axis of length n
        The inputs, one row per sample.
    y : array_like, first axis of length n
        The targets; class labels if ``stratify`` is True.
    val_size, test_size : float or int, default 0.2
        Size of the validation and test sets (see above). 0 gives an empty
        set.
    random_state : None, int or numpy.random.Generator
        Source of randomness: the same int gives the same split.
    stratify : bool, default False
        Keep the class proportions of ``y`` in every set.

    Returns
    -------
    X_train, X_val, X_test, y_train, y_val, y_test : numpy.ndarray
        The three sets, each in random order.

    Raises
    ------
    ValueError
        If ``X`` and ``y`` have different lengths, a size is out of range,
        or the sizes leave no training samples.
    TypeError
        If a size is neither an int nor a float.

    Examples
    --------
    >>> y = np.array([0] * 8 + [1] * 4)
    >>> *_, y_train, y_val, y_test = train_val_test_split(
    ...     np.zeros((12, 1)), y, val_size=0.25, test_size=0.25, random_state=0, stratify=True)
    >>> np.bincount(y_train), np.bincount(y_val), np.bincount(y_test)
    (array([4, 2]), array([2, 1]), array([2, 1]))
    """
    X, y = np.asarray(X), np.asarray(y)
    check_same_length(X, y)
    n = len(y)
    n_test = _split_size(test_size, n, "test_size")
    n_val = _split_size(val_size, n, "val_size")
    if n - n_val - n_test < 1:
        raise ValueError(
            f"val_size={val_size!r} and test_size={test_size!r} take {n_val} + "
            f"{n_test} of the {n} samples, which leaves none for training"
        )
    rng = check_random_state(random_state)
    if stratify:
        train, val, test = _stratified_indices(y, n_val, n_test, rng)
    else:
        order = rng.permutation(n)
        test, val, train = np.split(order, [n_test, n_test + n_val])
    return X[train], X[val], X[test], y[train], y[val], y[test]


def _split_size(size, n, name):
    """The number of samples that ``size`` (a fraction or a count) asks for."""
    if isinstance(size, bool) or not isinstance(size, numbers.Real):
        raise TypeError(f"{name} must be a fraction (float) or a count (int), not {size!r}")
    if isinstance(size, numbers.Integral):
        if not 0 <= size <= n:
            raise ValueError(f"{name}={size} must be a count between 0 and n_samples={n}")
        return int(size)
    if not 0 <= size < 1:
        raise ValueError(
            f"{name}={size} must be a fraction in [0, 1); use an int for a count"
        )
    return math.ceil(size * n)


def _stratified_indices(y, n_val, n_test, rng):
    """Sample indices of the three sets, each class split in proportion."""
    if y.ndim != 1:
        raise ValueError(
            f"stratify=True needs y to be 1-D class labels, but it has shape {y.shape}"
        )
    _, class_of = np.unique(y, return_inverse=True)
    class_sizes = np.bincount(class_of)
    test_counts = _apportion(class_sizes, n_test)
    val_counts = _apportion(class_sizes - test_counts, n_val)
    parts = {"train": [], "val": [], "test": []}
    for c, (n_c_test, n_c_val) in enumerate(zip(test_counts, val_counts)):
        members = rng.permutation(np.flatnonzero(class_of == c))
        test, val, train = np.split(members, [n_c_test, n_c_test + n_c_val])
        parts["train"].append(train)
        parts["val"].append(val)
        parts["test"].append(test)
    # Shuffle again, or every set would list its classes one after another.
    return tuple(rng.permutation(np.concatenate(parts[name])) for name in ("train", "val", "test"))


def _apportion(sizes, total):
    """Split ``total`` in proportion to ``sizes``, in whole numbers (largest remainder).

    Everyone first gets the whole part of their exact share; the few units
    left over go to the largest fractional parts. No count exceeds its
    size, and the counts add up to ``total`` (which must be <= sum(sizes)).
    """
    exact = total * sizes / sizes.sum()
    counts = np.floor(exact).astype(np.int64)
    left_over = total - counts.sum()
    largest_remainders = np.argsort(-(exact - counts), kind="stable")[:left_over]
    counts[largest_remainders] += 1
    return counts
