"""The cost as a whole: reductions, best constants, the loss of a guess, one-hot targets, likelihoods.

The reference for chapter 08 (cost functions).  Chapter 18's catalogue of
losses lives in :mod:`anncourse.losses`; this module is about what turns
those per-example losses into the one number training minimises, and about
the numbers that tell whether that number is sensible:

* :func:`cost` -- reduce per-example losses with ``"mean"``, ``"sum"`` or
  ``"none"``, as ``torch.nn`` losses do;
* :func:`best_constant` -- the constant prediction with the lowest MSE (the
  mean), MAE (a median) or BCE (the rate of positives);
* :func:`chance_loss` -- the cross-entropy of a uniform guess over C
  classes, ``ln C``: the loss to expect from an untrained classifier;
* :func:`one_hot` -- integer labels as one-hot rows;
* :func:`gaussian_nll` -- the mean negative log-likelihood of targets
  under a Gaussian, which for a fixed sigma is MSE up to an affine map.

Examples
--------
>>> float(cost([0.5, 1.5, 4.0], reduction="sum"))
6.0
>>> float(best_constant([1, 2, 9], "mae"))
2.0
>>> round(chance_loss(10), 6)
2.302585
>>> one_hot([2, 0], 3)
array([[0., 0., 1.],
       [1., 0., 0.]])
>>> round(float(gaussian_nll([0.0], [0.0], 1.0)), 4)   # (1/2) ln(2 pi)
0.9189
"""
from __future__ import annotations

import math
import operator

import numpy as np

from .data import preprocessing

__all__ = ["KINDS", "REDUCTIONS", "best_constant", "chance_loss", "cost", "gaussian_nll", "one_hot"]

REDUCTIONS = ("mean", "sum", "none")
KINDS = ("mse", "mae", "bce")


def _values(x, name) -> np.ndarray:
    """``x`` as a non-empty float array (float32 stays float32), or a clear error."""
    arr = np.asarray(x)
    if arr.dtype.kind not in "biuf":
        raise TypeError(f"{name} must hold numbers, but it has dtype {arr.dtype}")
    if arr.size == 0:
        raise ValueError(f"{name} is empty; it needs at least one value")
    return arr.astype(np.float32 if arr.dtype == np.float32 else np.float64)


def _count(n_classes) -> int:
    """A number of classes as an int: Python or NumPy integers (0-d arrays too), never bools."""
    if isinstance(n_classes, (bool, np.bool_)):
        raise TypeError("n_classes must be an integer, not a bool")
    try:
        return operator.index(n_classes)
    except TypeError:
        raise TypeError(f"n_classes must be an integer, not {n_classes!r}") from None


def cost(per_sample_losses, reduction="mean"):
    """Reduce per-example losses to the cost: their mean, their sum, or the losses themselves.

    Parameters
    ----------
    per_sample_losses : array_like
        One loss per example (any shape; the reduction runs over every entry).
    reduction : {"mean", "sum", "none"}, default "mean"
        ``"mean"`` divides the sum by the number of losses, so the cost
        does not grow with the batch; ``"none"`` returns a float copy of the
        losses, for per-example weighting or inspection.

    Returns
    -------
    numpy.floating or numpy.ndarray
        A scalar for ``"mean"`` and ``"sum"``, an array for ``"none"``.

    Raises
    ------
    ValueError
        For another reduction, or no losses at all.

    Examples
    --------
    >>> float(cost([0.5, 1.5, 4.0]))
    2.0
    >>> cost([0.5, 1.5, 4.0], reduction="none")
    array([0.5, 1.5, 4. ])
    """
    if reduction not in REDUCTIONS:
        raise ValueError(f"reduction must be one of {', '.join(map(repr, REDUCTIONS))}, "
                         f"not {reduction!r}")
    losses = _values(per_sample_losses, "per_sample_losses")
    if reduction == "mean":
        return losses.mean()
    if reduction == "sum":
        return losses.sum()
    return losses.copy()


def best_constant(y, kind):
    """The constant prediction ``c`` that minimises the cost of predicting ``c`` for every target.

    Parameters
    ----------
    y : array_like
        The targets (1-D).  For ``"bce"``, labels in [0, 1].
    kind : {"mse", "mae", "bce"}
        The cost: ``mean((y - c)**2)`` is lowest at the mean;
        ``mean(|y - c|)`` at a median (with an even number of targets every
        value between the two middle ones is as good; this returns their
        midpoint, NumPy's median); binary cross-entropy at the share of
        positives, ``mean(y)``.

    Raises
    ------
    ValueError
        For another kind, empty targets, or ``"bce"`` labels outside [0, 1].

    Examples
    --------
    >>> [float(best_constant([0, 0, 1, 5], k)) for k in ("mse", "mae")]
    [1.5, 0.5]
    >>> float(best_constant([1, 0, 1, 1], "bce"))
    0.75
    """
    if kind not in KINDS:
        raise ValueError(f"kind must be one of {', '.join(map(repr, KINDS))}, not {kind!r}")
    y = _values(y, "y").astype(np.float64)
    if kind == "mae":
        return np.median(y)
    if kind == "bce" and (np.any(y < 0) or np.any(y > 1)):
        raise ValueError("for kind='bce' the targets must be labels in [0, 1]")
    return y.mean()


def chance_loss(n_classes):
    """The cross-entropy of a uniform guess over ``n_classes`` classes: ``ln C`` nats.

    A classifier that gives every class probability ``1/C`` pays
    ``-ln(1/C) = ln C`` on every example, whatever its label: the loss an
    untrained network with small output weights starts from.

    Raises
    ------
    TypeError
        If ``n_classes`` is not an integer.
    ValueError
        If it is less than 1.

    Examples
    --------
    >>> round(chance_loss(2), 6), round(chance_loss(10), 6)
    (0.693147, 2.302585)
    """
    count = _count(n_classes)
    if count < 1:
        raise ValueError(f"n_classes must be at least 1, not {count}")
    return math.log(count)


def one_hot(labels, n_classes):
    """Integer labels ``0 .. n_classes - 1`` as one-hot rows of shape ``(n, n_classes)``.

    The number of columns comes from ``n_classes``, never from the labels: a
    batch in which the highest class happens to be missing still has one
    column per class.  See :func:`anncourse.data.one_hot` for the errors.

    Examples
    --------
    >>> one_hot([1, 1], 4)
    array([[0., 1., 0., 0.],
           [0., 1., 0., 0.]])
    """
    return preprocessing.one_hot(labels, num_classes=_count(n_classes))


def gaussian_nll(y, mu, sigma):
    """The mean negative log-likelihood of targets ``y`` under ``Normal(mu, sigma**2)``, in nats.

    Per example, ``-ln p(y | mu, sigma) = ln sigma + ln(2 pi)/2 + (y - mu)**2 / (2 sigma**2)``.
    For one fixed ``sigma`` this is ``MSE / (2 sigma**2) + ln sigma + ln(2 pi)/2``:
    an increasing affine function of the MSE, with the same minimiser.

    Parameters
    ----------
    y, mu : array_like
        Targets and predicted means, the same shape.
    sigma : float or array_like
        The standard deviation, positive: one number, or one per example.

    Raises
    ------
    ValueError
        If the shapes differ or some sigma is not positive.

    Examples
    --------
    >>> round(float(gaussian_nll([1.0, 3.0], [2.0, 3.0], 2.0)), 4)
    1.6746
    """
    y, mu = _values(y, "y").astype(np.float64), _values(mu, "mu").astype(np.float64)
    sigma = _values(sigma, "sigma").astype(np.float64)
    if y.shape != mu.shape:
        raise ValueError(f"y and mu must have the same shape, not {y.shape} and {mu.shape}")
    if not np.all(sigma > 0):
        raise ValueError("sigma must be positive")
    per_example = np.log(sigma) + 0.5 * math.log(2 * math.pi) + (y - mu) ** 2 / (2 * sigma ** 2)
    return np.broadcast_to(per_example, y.shape).mean()
