"""Gradient descent by hand: epochs, mini-batches and the learning rate.

The reference for chapter 05 (training). Everything here is small on
purpose, so that every step of a training loop can be seen:

* :func:`iterations_per_epoch` -- how many updates one pass over ``n``
  samples makes, ``ceil(n / batch_size)`` (``n // batch_size`` when the
  last, smaller batch is dropped);
* :func:`make_batches` -- cut an order of the samples into consecutive
  batches of indices;
* :func:`mse_linear` and :func:`mse_linear_grad` -- the mean squared error
  ``mean((X @ w + b - y) ** 2)`` of a linear model and its gradient;
* :func:`minibatch_gd_linear` -- one epoch of mini-batch gradient descent
  on that loss, over given batches;
* :func:`gd_on_quadratic` and :func:`converges` -- gradient descent on the
  one-dimensional bowl ``f(w) = a * w**2 / 2``, where every step multiplies
  ``w`` by ``1 - lr * a``, so it converges exactly when
  ``|1 - lr * a| < 1``, that is ``0 < lr * a < 2``.

Examples
--------
>>> iterations_per_epoch(60000, 128), iterations_per_epoch(60000, 128, drop_last=True)
(469, 468)
>>> [batch.tolist() for batch in make_batches([4, 2, 0, 1, 3], 2)]
[[4, 2], [0, 1], [3]]
>>> gd_on_quadratic(1.0, 1.0, 1.5, 3).tolist()
[1.0, -0.5, 0.25, -0.125]
>>> converges(1.0, 1.5), converges(1.0, 2.0)
(True, False)
"""
from __future__ import annotations

import numbers

import numpy as np

from anncourse._validation import as_real_number

__all__ = ["converges", "gd_on_quadratic", "iterations_per_epoch", "make_batches",
           "minibatch_gd_linear", "mse_linear", "mse_linear_grad"]


def _count(value, name, minimum):
    """``value`` as an int ``>= minimum``; booleans and floats are refused.

    A 0-d integer array (what ``np.asarray(5)`` gives) counts as an integer.
    """
    if isinstance(value, np.ndarray) and value.ndim == 0 and value.dtype.kind in "iu":
        value = value.item()
    if isinstance(value, bool) or not isinstance(value, numbers.Integral):
        raise TypeError(f"{name} must be an integer, got {value!r}")
    if value < minimum:
        raise ValueError(f"{name} must be at least {minimum}, got {value}")
    return int(value)


def iterations_per_epoch(n, batch_size, drop_last=False):
    """The number of updates (iterations) in one epoch over ``n`` samples.

    Every batch gives one update. The batches are ``batch_size`` samples
    each, except the last one, which holds the ``n % batch_size`` samples
    left over: ``ceil(n / batch_size)`` batches in all. With ``drop_last``
    that smaller batch is left out (as PyTorch's ``DataLoader`` does),
    which leaves ``n // batch_size``.

    Parameters
    ----------
    n : int
        The number of training samples, ``>= 0``.
    batch_size : int
        Samples per batch, ``>= 1``.
    drop_last : bool, default False
        Leave out a last batch smaller than ``batch_size``.

    Returns
    -------
    int

    Raises
    ------
    TypeError, ValueError
        If ``n`` or ``batch_size`` is not an integer in range.

    Examples
    --------
    >>> iterations_per_epoch(1000, 100), iterations_per_epoch(1001, 100)
    (10, 11)
    >>> iterations_per_epoch(50, 64), iterations_per_epoch(50, 64, drop_last=True)
    (1, 0)
    """
    n = _count(n, "n", 0)
    batch_size = _count(batch_size, "batch_size", 1)
    # Integer arithmetic: exact for any n, where math.ceil(n / b) rounds for n > 2**53.
    full, rest = divmod(n, batch_size)
    return full + (1 if rest and not bool(drop_last) else 0)


def make_batches(order, batch_size):
    """Cut ``order`` into consecutive batches of ``batch_size`` indices.

    The batches keep the given order; the last one holds what is left and
    may be smaller. Shuffling is the caller's business: pass
    ``rng.permutation(n)`` for a shuffled epoch, ``range(n)`` for none.

    Parameters
    ----------
    order : sequence of int
        The sample indices in the order the epoch visits them.
    batch_size : int
        Indices per batch, ``>= 1``.

    Returns
    -------
    list of numpy.ndarray
        ``ceil(len(order) / batch_size)`` integer arrays whose
        concatenation is ``order``.

    Raises
    ------
    TypeError, ValueError
        If ``batch_size`` is not a positive integer or ``order`` is not a
        flat sequence of integers.

    Examples
    --------
    >>> [b.tolist() for b in make_batches(np.arange(7), 3)]
    [[0, 1, 2], [3, 4, 5], [6]]
    >>> make_batches([], 4)
    []
    """
    batch_size = _count(batch_size, "batch_size", 1)
    order = np.asarray(order)
    if order.size == 0:
        return []
    if order.ndim != 1 or order.dtype.kind not in "iu":
        raise TypeError(f"order must be a flat sequence of integer indices, got an array of "
                        f"dtype {order.dtype} and shape {order.shape}")
    return [order[start:start + batch_size] for start in range(0, len(order), batch_size)]


def _linear_problem(X, y, w):
    X = np.asarray(X, dtype=np.float64)
    y = np.asarray(y, dtype=np.float64)
    w = np.array(w, dtype=np.float64)  # a copy: the caller's weights are never changed
    if X.ndim != 2 or y.ndim != 1 or len(X) != len(y):
        raise ValueError(f"X must have shape (n, d) and y shape (n,), got {X.shape} and {y.shape}")
    if w.shape != (X.shape[1],):
        raise ValueError(f"w must have one weight per feature, shape ({X.shape[1]},), "
                         f"got shape {w.shape}")
    return X, y, w


def mse_linear(X, y, w, b):
    """The mean squared error ``mean((X @ w + b - y) ** 2)`` of a linear model.

    No factor 1/2, as in PyTorch's ``MSELoss``.

    Examples
    --------
    >>> float(mse_linear([[1.0], [2.0]], [1.0, 1.0], [1.0], 0.0))
    0.5
    """
    X, y, w = _linear_problem(X, y, w)
    return float(np.mean((X @ w + float(b) - y) ** 2))


def mse_linear_grad(X, y, w, b):
    """The gradient ``(dL/dw, dL/db)`` of :func:`mse_linear`.

    With the error ``e = X @ w + b - y`` over ``m`` samples,
    ``dL/dw = 2 / m * X.T @ e`` and ``dL/db = 2 / m * sum(e)``.

    Examples
    --------
    >>> grad_w, grad_b = mse_linear_grad([[1.0], [2.0]], [1.0, 1.0], [1.0], 0.0)
    >>> grad_w.tolist(), grad_b
    ([2.0], 1.0)
    """
    X, y, w = _linear_problem(X, y, w)
    error = X @ w + float(b) - y
    return 2.0 / len(y) * (X.T @ error), 2.0 / len(y) * float(error.sum())


def minibatch_gd_linear(X, y, w, b, lr, batches):
    """One epoch of mini-batch gradient descent on :func:`mse_linear`.

    For each batch of indices, in the given order, one update with the
    gradient of the batch's mean squared error at the current weights::

        w <- w - lr * dL_batch/dw,   b <- b - lr * dL_batch/db

    Parameters
    ----------
    X : array_like, shape (n, d)
    y : array_like, shape (n,)
    w : array_like, shape (d,)
        The weights to start from (not changed).
    b : float
        The bias to start from.
    lr : float
        The learning rate.
    batches : sequence of sequences of int
        The indices of each batch (as :func:`make_batches` gives them);
        each must be non-empty.

    Returns
    -------
    w : numpy.ndarray, shape (d,)
    b : float
        The weights and bias after the last batch.

    Raises
    ------
    ValueError
        For shapes that do not fit together or an empty batch.

    Examples
    --------
    One batch of everything is one step of (full-)batch gradient descent:

    >>> w, b = minibatch_gd_linear([[1.0], [2.0]], [1.0, 1.0], [1.0], 0.0, 0.1, [[0, 1]])
    >>> w.tolist(), b
    ([0.8], -0.1)
    """
    X, y, w = _linear_problem(X, y, w)
    b, lr = as_real_number(b, "b"), as_real_number(lr, "lr")
    for number, batch in enumerate(batches):
        batch = np.asarray(batch, dtype=np.intp).reshape(-1)
        if batch.size == 0:
            raise ValueError(f"batch {number} is empty; every batch needs at least one sample")
        grad_w, grad_b = mse_linear_grad(X[batch], y[batch], w, b)
        w, b = w - lr * grad_w, b - lr * grad_b
    return w, b


def gd_on_quadratic(a, w0, lr, steps):
    """The iterates of gradient descent on ``f(w) = a * w**2 / 2``, ``w0`` first.

    The gradient is ``f'(w) = a * w``, so each step is
    ``w <- w - lr * a * w = (1 - lr * a) * w``.

    Parameters
    ----------
    a : float
        The curvature ``f''(w)``.
    w0 : float
        The starting point.
    lr : float
        The learning rate.
    steps : int
        The number of steps, ``>= 0``.

    Returns
    -------
    numpy.ndarray, shape (steps + 1,)
        ``w_0, w_1, ..., w_steps``.

    Examples
    --------
    >>> gd_on_quadratic(2.0, 1.0, 0.25, 3).tolist()
    [1.0, 0.5, 0.25, 0.125]
    """
    a, w, lr = as_real_number(a, "a"), as_real_number(w0, "w0"), as_real_number(lr, "lr")
    steps = _count(steps, "steps", 0)
    iterates = [w]
    for _ in range(steps):
        w = w - lr * (a * w)
        iterates.append(w)
    return np.array(iterates)


def converges(a, lr):
    """Whether gradient descent on ``a * w**2 / 2`` reaches the minimum 0 from every start.

    The iterates are ``w_t = (1 - lr * a)**t * w0``: they tend to 0 for
    every ``w0`` exactly when ``|1 - lr * a| < 1``. For ``lr > 0`` that is
    ``0 < a`` and ``lr < 2 / a``. At ``lr = 2 / a`` they jump between
    ``w0`` and ``-w0`` forever; a flat (``a = 0``) or concave (``a < 0``)
    function has no minimum at 0 to converge to.

    Examples
    --------
    >>> [converges(1.0, lr) for lr in (0.5, 1.5, 2.0, 2.5)]
    [True, True, False, False]
    >>> converges(-1.0, 0.1), converges(0.0, 0.1)
    (False, False)
    """
    a, lr = as_real_number(a, "a"), as_real_number(lr, "lr")
    return bool(abs(1.0 - lr * a) < 1.0)

