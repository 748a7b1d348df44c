"""Mini-batches: the slices of the training set that one optimizer step sees.

One pass over all the training samples is an *epoch*. Stochastic gradient
descent shuffles the samples at the start of every epoch and cuts them
into batches of ``batch_size``; each batch gives one gradient estimate
and one step.

Examples
--------
>>> import numpy as np
>>> from anncourse.data import iterate_minibatches
>>> X, y = np.arange(10).reshape(5, 2), np.arange(5)
>>> [y_batch.tolist() for _, y_batch in iterate_minibatches(X, y, 2, shuffle=False)]
[[0, 1], [2, 3], [4]]
"""

import numpy as np

from anncourse._random import check_random_state, renamed
from anncourse.data._checks import check_count, check_same_length

__all__ = ["iterate_minibatches"]


@renamed("seed")
def iterate_minibatches(X, y, batch_size, *, shuffle=True, random_state=None, drop_last=False):
    """Yield ``(X_batch, y_batch)`` pairs that cover the data set once.

    With ``shuffle`` the samples are visited in the order of a random
    permutation, otherwise in their order. Consecutive runs of
    ``batch_size`` samples form the batches, so every sample is in exactly
    one batch per epoch; the last batch is smaller when ``batch_size`` does
    not divide ``n`` (or left out, with ``drop_last``), as in PyTorch's
    ``DataLoader``.

    Parameters
    ----------
    X : array_like, first axis of length n
        The inputs, one row per sample.
    y : array_like, first axis of length n
        The targets.
    batch_size : int
        Samples per batch, at least 1.
    shuffle : bool, default True
        Visit the samples in a random order.
    random_state : None, int or numpy.random.Generator
        Source of the permutation. For a new order every epoch, create one
        Generator before training and pass it to every epoch's call: the
        same int gives the same order each time.
    drop_last : bool, default False
        Leave out a last batch smaller than ``batch_size``.

    Yields
    ------
    X_batch, y_batch : numpy.ndarray
        Rows of ``X`` and ``y`` for the same samples.

    Raises
    ------
    ValueError
        If ``X`` and ``y`` have different lengths or ``batch_size < 1``.
    TypeError
        If ``batch_size`` is not an integer.

    Examples
    --------
    >>> X, y = np.arange(10).reshape(5, 2), np.arange(5)
    >>> rng = np.random.default_rng(0)
    >>> for epoch in range(2):
    ...     batches = iterate_minibatches(X, y, 2, random_state=rng)
    ...     print([y_batch.tolist() for _, y_batch in batches])
    [[2, 4], [3, 0], [1]]
    [[4, 1], [2, 0], [3]]
    """
    X, y = np.asarray(X), np.asarray(y)
    check_same_length(X, y)
    batch_size = check_count(batch_size, "batch_size")
    n = len(y)
    order = check_random_state(random_state).permutation(n) if shuffle else np.arange(n)
    # Checked here, before the first batch is asked for, a bad argument
    # fails at the call and not at the first iteration.
    return _batches(X, y, order, batch_size, drop_last)


def _batches(X, y, order, batch_size, drop_last):
    """The generator behind :func:`iterate_minibatches`."""
    n = len(order)
    stop = n - n % batch_size if drop_last else n
    for start in range(0, stop, batch_size):
        batch = order[start:start + batch_size]
        yield X[batch], y[batch]
