"""Loss functions and their gradients, in plain NumPy.

A loss turns a batch of predictions and the matching targets into one
number that training tries to make small. Each loss here comes with a
``*_grad`` function: the gradient of that number with respect to the
prediction, which is where backpropagation starts.

Regression losses compare real-valued predictions ``y_pred`` with targets
``y_true``:

* :func:`mse` -- mean squared error, punishes large errors hard;
* :func:`mae` -- mean absolute error, robust to outliers;
* :func:`huber` -- squared for small errors, absolute for large ones.

Classification losses compare predicted probabilities (or scores) with
labels:

* :func:`binary_cross_entropy` -- one probability per example;
* :func:`categorical_cross_entropy` -- one distribution over C classes
  per example;
* :func:`hinge` -- raw scores with labels -1/+1 (support vector machines);
* :func:`kl_divergence` -- how far a distribution ``q`` is from ``p``.

Logits losses take the raw scores before the sigmoid or softmax and stay
finite for any logit (log-sum-exp), like PyTorch's functions of the same
purpose:

* :func:`binary_cross_entropy_with_logits` --
  ``F.binary_cross_entropy_with_logits(logits, y)``;
* :func:`cross_entropy_with_logits` -- integer class labels,
  ``F.cross_entropy(logits, labels)``.

Conventions shared by every function here
-----------------------------------------
Reduction
    Each loss returns the *mean* over the examples (over all elements for
    the elementwise losses, over rows for the distribution and logits
    losses), as a NumPy floating point scalar, like ``reduction='mean'`` in
    PyTorch. ``reduction='sum'`` adds the per-example losses and
    ``reduction='none'`` returns them. The loss modules of
    :mod:`anncourse.nn` call these functions, the way ``torch.nn`` calls
    ``torch.nn.functional``: there is one implementation of each loss.
Gradients
    ``*_grad`` returns the gradient of that reduced number, so with the
    default ``'mean'`` it includes the ``1/n``. It has the shape and dtype
    of the prediction. With ``'sum'`` or ``'none'`` each entry is the
    derivative of its own example's loss (no ``1/n``).
Dtype
    The prediction decides: a ``float32`` prediction gives a ``float32``
    loss and gradient, anything else gives ``float64``. Targets are cast
    to the prediction's dtype.
Inputs
    Lists, arrays or numbers. Targets and predictions must have exactly
    the same shape (no broadcasting). Empty input raises ``ValueError``;
    non-numeric input (strings, objects, complex) raises ``TypeError``.
Logarithms
    The cross-entropies clamp every ``log`` at -100, as PyTorch's
    ``BCELoss`` does: a probability of exactly 0 costs 100, not infinity,
    and no ``RuntimeWarning`` is emitted.

Examples
--------
>>> from anncourse.losses import mse, mse_grad
>>> print(f"{mse([3, 5], [2.5, 5.2]):.4f}")
0.1450
>>> mse_grad([3, 5], [2.5, 5.2])
array([-0.5,  0.2])
"""

import math

import numpy as np

from anncourse import activations
from anncourse._validation import (
    as_float_array,
    as_real_number,
    check_in_range,
    check_probability_rows,
    check_same_shape,
)

__all__ = [
    "mse",
    "mse_grad",
    "mae",
    "mae_grad",
    "huber",
    "huber_grad",
    "binary_cross_entropy",
    "binary_cross_entropy_grad",
    "categorical_cross_entropy",
    "categorical_cross_entropy_grad",
    "hinge",
    "hinge_grad",
    "kl_divergence",
    "kl_divergence_grad",
    "binary_cross_entropy_with_logits",
    "binary_cross_entropy_with_logits_grad",
    "cross_entropy_with_logits",
    "cross_entropy_with_logits_grad",
]

_REDUCTIONS = ("mean", "sum", "none")

# PyTorch's BCELoss floors log(p) at -100, so that log(0) costs 100.
_LOG_FLOOR = -100.0

# The probability at which that floor starts: log(_PROB_FLOOR) = -100.
_PROB_FLOOR = math.exp(_LOG_FLOOR)

# PyTorch's BCELoss backward never divides by less than 1e-12. It stores
# that constant as a float32, whose exact value is 9.999999960041972e-13;
# using the same number keeps our gradients identical to PyTorch's.
_BCE_GRAD_EPSILON = float(np.float32(1e-12))


# --------------------------------------------------------------------------
# Private helpers
# --------------------------------------------------------------------------


def _target_and_prediction(target, prediction, target_name, prediction_name):
    """Convert a (target, prediction) pair to arrays of the prediction's dtype."""
    prediction = as_float_array(prediction, prediction_name)
    target = as_float_array(target, target_name, dtype=prediction.dtype)
    check_same_shape(target, prediction, target_name, prediction_name)
    return target, prediction


def _check_one_or_two_dims(x, name):
    """Distribution losses take one distribution (C,) or a batch (n, C)."""
    if x.ndim not in (1, 2):
        raise ValueError(
            f"{name} must be 1-D (one sample, C classes) or 2-D (n samples, "
            f"C classes), but it has shape {x.shape}"
        )


def _check_reduction(reduction):
    if not (isinstance(reduction, str) and reduction in _REDUCTIONS):
        raise ValueError(f"reduction must be one of {_REDUCTIONS}, but got {reduction!r}")


def _reduce(per_example, reduction):
    """Reduce the per-example losses as ``reduction`` says."""
    _check_reduction(reduction)
    if reduction == "mean":
        return np.mean(per_example)
    if reduction == "sum":
        return np.sum(per_example)
    return np.asarray(per_example)


def _scale(local_grad, n, reduction):
    """The gradient of the reduced loss from each example's own derivative."""
    _check_reduction(reduction)
    return local_grad / n if reduction == "mean" else local_grad


def _number_of_rows(x):
    """The number of samples: 1 for a single 1-D distribution."""
    return 1 if x.ndim == 1 else x.shape[0]


def _clamped_log(x):
    """``max(log(x), -100)``: like ``log`` but finite at ``x = 0``."""
    # log(0) is -inf with a divide-by-zero warning; the clamp replaces that
    # -inf on the next line, so the warning would only be noise.
    with np.errstate(divide="ignore"):
        log_x = np.log(x)
    return np.maximum(log_x, _LOG_FLOOR)


def _clamped_log_one_minus(x):
    """``max(log(1 - x), -100)``, accurate even when ``x`` is tiny."""
    # log1p(-x) is log(1 - x) without first rounding 1 - x: for x = 1e-20,
    # 1 - x rounds to 1 and log(1 - x) would give 0 instead of -1e-20.
    # PyTorch computes it the same way.
    with np.errstate(divide="ignore"):
        log_one_minus_x = np.log1p(-x)
    return np.maximum(log_one_minus_x, _LOG_FLOOR)


# --------------------------------------------------------------------------
# Regression losses
# --------------------------------------------------------------------------


def mse(y_true, y_pred, reduction="mean"):
    """Mean squared error.

    Formula, with ``n`` the number of elements::

        L = (1/n) * sum_i (y_i - yhat_i)^2

    Parameters
    ----------
    y_true : array_like
        Targets ``y``, any shape.
    y_pred : array_like
        Predictions ``yhat``, same shape as ``y_true``.
    reduction : {"mean", "sum", "none"}, default "mean"
        ``"mean"`` averages the per-sample losses (PyTorch's default),
        ``"sum"`` adds them, ``"none"`` returns them as an array.

    Returns
    -------
    numpy.floating
        The loss, a scalar of the prediction's dtype.

    Raises
    ------
    TypeError
        If an input is not numeric.
    ValueError
        If the inputs are empty or their shapes differ.

    Examples
    --------
    >>> print(f"{mse([3, 5], [2.5, 5.2]):.4f}")
    0.1450
    >>> print(mse([[1, 2], [3, 4]], [[1, 2], [3, 6]]))
    1.0
    """
    y, y_hat = _target_and_prediction(y_true, y_pred, "y_true", "y_pred")
    errors = y - y_hat
    return _reduce(errors**2, reduction)


def mse_grad(y_true, y_pred, reduction="mean"):
    """Gradient of :func:`mse` with respect to the predictions.

    Formula::

        dL/dyhat_i = (2/n) * (yhat_i - y_i)

    Parameters
    ----------
    y_true : array_like
        Targets ``y``, any shape.
    y_pred : array_like
        Predictions ``yhat``, same shape as ``y_true``.
    reduction : {"mean", "sum", "none"}, default "mean"
        The reduction of the loss being differentiated. With ``"sum"`` or
        ``"none"`` there is no ``1/n``: each entry is the derivative of its
        own sample's loss.

    Returns
    -------
    numpy.ndarray
        The gradient, same shape and dtype as ``y_pred``.

    Raises
    ------
    TypeError
        If an input is not numeric.
    ValueError
        If the inputs are empty or their shapes differ.

    Examples
    --------
    >>> mse_grad([3, 5], [2.5, 5.2])
    array([-0.5,  0.2])
    """
    y, y_hat = _target_and_prediction(y_true, y_pred, "y_true", "y_pred")
    n = y_hat.size
    return _scale(2 * (y_hat - y), n, reduction)


def mae(y_true, y_pred, reduction="mean"):
    """Mean absolute error.

    Formula, with ``n`` the number of elements::

        L = (1/n) * sum_i |y_i - yhat_i|

    Parameters
    ----------
    y_true : array_like
        Targets ``y``, any shape.
    y_pred : array_like
        Predictions ``yhat``, same shape as ``y_true``.
    reduction : {"mean", "sum", "none"}, default "mean"
        ``"mean"`` averages the per-sample losses (PyTorch's default),
        ``"sum"`` adds them, ``"none"`` returns them as an array.

    Returns
    -------
    numpy.floating
        The loss, a scalar of the prediction's dtype.

    Raises
    ------
    TypeError
        If an input is not numeric.
    ValueError
        If the inputs are empty or their shapes differ.

    Examples
    --------
    >>> print(f"{mae([3, 5], [2.5, 5.2]):.4f}")
    0.3500
    """
    y, y_hat = _target_and_prediction(y_true, y_pred, "y_true", "y_pred")
    errors = y - y_hat
    return _reduce(np.abs(errors), reduction)


def mae_grad(y_true, y_pred, reduction="mean"):
    """Subgradient of :func:`mae` with respect to the predictions.

    Formula::

        dL/dyhat_i = (1/n) * sign(yhat_i - y_i)

    ``|e|`` has a kink at ``e = 0``; there we use ``sign(0) = 0`` (as
    PyTorch's ``l1_loss`` does): a prediction that is exactly right is not
    pushed either way.

    Parameters
    ----------
    y_true : array_like
        Targets ``y``, any shape.
    y_pred : array_like
        Predictions ``yhat``, same shape as ``y_true``.
    reduction : {"mean", "sum", "none"}, default "mean"
        The reduction of the loss being differentiated. With ``"sum"`` or
        ``"none"`` there is no ``1/n``: each entry is the derivative of its
        own sample's loss.

    Returns
    -------
    numpy.ndarray
        The subgradient, same shape and dtype as ``y_pred``.

    Raises
    ------
    TypeError
        If an input is not numeric.
    ValueError
        If the inputs are empty or their shapes differ.

    Examples
    --------
    >>> mae_grad([3, 5, 7], [2.5, 5.2, 7])
    array([-0.33333333,  0.33333333,  0.        ])
    """
    y, y_hat = _target_and_prediction(y_true, y_pred, "y_true", "y_pred")
    n = y_hat.size
    return _scale(np.sign(y_hat - y), n, reduction)


def huber(y_true, y_pred, delta=1.0, reduction="mean"):
    """Huber loss: squared error for small errors, absolute error for large.

    Formula, with ``e_i = y_i - yhat_i``::

        l_i = 0.5 * e_i^2                    if |e_i| <= delta
        l_i = delta * (|e_i| - 0.5 * delta)  otherwise
        L   = (1/n) * sum_i l_i

    The two pieces meet with the same value and slope at ``|e| = delta``,
    so the loss is smooth. Same as
    ``torch.nn.functional.huber_loss(yhat, y, delta=delta)``.

    Parameters
    ----------
    y_true : array_like
        Targets ``y``, any shape.
    y_pred : array_like
        Predictions ``yhat``, same shape as ``y_true``.
    delta : float, default 1.0
        Where the loss switches from squared to linear; must be positive.
    reduction : {"mean", "sum", "none"}, default "mean"
        ``"mean"`` averages the per-sample losses (PyTorch's default),
        ``"sum"`` adds them, ``"none"`` returns them as an array.

    Returns
    -------
    numpy.floating
        The loss, a scalar of the prediction's dtype.

    Raises
    ------
    TypeError
        If an input is not numeric, or ``delta`` is not a real number.
    ValueError
        If the inputs are empty, their shapes differ, or ``delta`` is not a
        positive finite number.

    Examples
    --------
    >>> print(huber(3, 5, delta=1.0))
    1.5
    >>> print(huber([3, 3], [3.5, 5]))
    0.8125
    """
    y, y_hat = _target_and_prediction(y_true, y_pred, "y_true", "y_pred")
    delta = _check_delta(delta, y_hat.dtype)
    errors = y - y_hat
    abs_errors = np.abs(errors)
    quadratic = 0.5 * errors**2
    linear = delta * (abs_errors - 0.5 * delta)
    return _reduce(np.where(abs_errors <= delta, quadratic, linear), reduction)


def huber_grad(y_true, y_pred, delta=1.0, reduction="mean"):
    """Gradient of :func:`huber` with respect to the predictions.

    Formula, with ``e_i = y_i - yhat_i``::

        dl_i/de_i  = e_i                  if |e_i| <= delta
                   = delta * sign(e_i)    otherwise
                   = clip(e_i, -delta, delta)
        dL/dyhat_i = -(1/n) * clip(e_i, -delta, delta)

    The Huber loss is differentiable everywhere, so there is no kink to
    choose a convention for.

    Parameters
    ----------
    y_true : array_like
        Targets ``y``, any shape.
    y_pred : array_like
        Predictions ``yhat``, same shape as ``y_true``.
    delta : float, default 1.0
        Where the loss switches from squared to linear; must be positive.
    reduction : {"mean", "sum", "none"}, default "mean"
        The reduction of the loss being differentiated. With ``"sum"`` or
        ``"none"`` there is no ``1/n``: each entry is the derivative of its
        own sample's loss.

    Returns
    -------
    numpy.ndarray
        The gradient, same shape and dtype as ``y_pred``.

    Raises
    ------
    TypeError
        If an input is not numeric, or ``delta`` is not a real number.
    ValueError
        If the inputs are empty, their shapes differ, or ``delta`` is not a
        positive finite number.

    Examples
    --------
    >>> huber_grad([3, 3], [3.5, 5])
    array([0.25, 0.5 ])
    """
    y, y_hat = _target_and_prediction(y_true, y_pred, "y_true", "y_pred")
    delta = _check_delta(delta, y_hat.dtype)
    n = y_hat.size
    errors = y - y_hat
    return _scale(-np.clip(errors, -delta, delta), n, reduction)


def _check_delta(delta, dtype):
    """Validate Huber's ``delta`` and return it as a scalar of ``dtype``."""
    delta = as_real_number(delta, "delta")
    if not (delta > 0 and math.isfinite(delta)):
        raise ValueError(f"delta must be a positive finite number, but got {delta}")
    # A float64 delta would otherwise promote float32 inputs to float64.
    return dtype.type(delta)


# --------------------------------------------------------------------------
# Classification losses
# --------------------------------------------------------------------------


def binary_cross_entropy(y_true, p_pred, reduction="mean"):
    """Binary cross-entropy (log loss) of predicted probabilities.

    Formula, with ``n`` the number of elements::

        L = -(1/n) * sum_i [ y_i * log(p_i) + (1 - y_i) * log(1 - p_i) ]

    Each ``log`` is clamped to be at least -100 (PyTorch's ``BCELoss``
    convention). So ``p`` may be exactly 0 or 1: a confident correct
    prediction costs 0, a confident wrong one costs 100, and ``0 * log(0)``
    counts as 0. No warning is emitted.

    Parameters
    ----------
    y_true : array_like
        Targets in ``[0, 1]``, any shape: labels 0/1, or soft labels.
    p_pred : array_like
        Predicted probabilities of class 1, in ``[0, 1]``, same shape as
        ``y_true``.
    reduction : {"mean", "sum", "none"}, default "mean"
        ``"mean"`` averages the per-sample losses (PyTorch's default),
        ``"sum"`` adds them, ``"none"`` returns them as an array.

    Returns
    -------
    numpy.floating
        The loss, a scalar of the prediction's dtype.

    Raises
    ------
    TypeError
        If an input is not numeric.
    ValueError
        If the inputs are empty, their shapes differ, or a value lies
        outside ``[0, 1]``.

    Examples
    --------
    The course's worked example, ``-(ln 0.9 + ln 0.8) / 2``:

    >>> print(f"{binary_cross_entropy([1, 0], [0.9, 0.2]):.5f}")
    0.16425
    >>> print(binary_cross_entropy([1, 0], [1.0, 0.0]))
    0.0
    >>> print(binary_cross_entropy([1, 0], [0.0, 0.0]))
    50.0
    """
    y, p = _target_and_prediction(y_true, p_pred, "y_true", "p_pred")
    check_in_range(y, "y_true", 0, 1)
    check_in_range(p, "p_pred", 0, 1)
    log_p = _clamped_log(p)
    log_one_minus_p = _clamped_log_one_minus(p)
    return _reduce(-y * log_p - (1 - y) * log_one_minus_p, reduction)


def binary_cross_entropy_grad(y_true, p_pred, reduction="mean"):
    """Gradient of :func:`binary_cross_entropy` with respect to ``p``.

    Formula::

        dL/dp_i = (1/n) * (p_i - y_i) / (p_i * (1 - p_i))

    At ``p = 0`` or ``p = 1`` the denominator is 0. Like PyTorch's
    ``BCELoss`` we divide by ``max(p * (1 - p), 1e-12)`` instead, so the
    gradient stays finite (at most ``1e12 / n`` in size) and still points
    the right way. For ``p * (1 - p) >= 1e-12`` this is the exact
    derivative.

    Parameters
    ----------
    y_true : array_like
        Targets in ``[0, 1]``, any shape.
    p_pred : array_like
        Predicted probabilities in ``[0, 1]``, same shape as ``y_true``.
    reduction : {"mean", "sum", "none"}, default "mean"
        The reduction of the loss being differentiated. With ``"sum"`` or
        ``"none"`` there is no ``1/n``: each entry is the derivative of its
        own sample's loss.

    Returns
    -------
    numpy.ndarray
        The gradient, same shape and dtype as ``p_pred``.

    Raises
    ------
    TypeError
        If an input is not numeric.
    ValueError
        If the inputs are empty, their shapes differ, or a value lies
        outside ``[0, 1]``.

    Examples
    --------
    >>> binary_cross_entropy_grad([1, 0], [0.5, 0.2])
    array([-1.   ,  0.625])
    """
    y, p = _target_and_prediction(y_true, p_pred, "y_true", "p_pred")
    check_in_range(y, "y_true", 0, 1)
    check_in_range(p, "p_pred", 0, 1)
    n = p.size
    return _scale((p - y) / np.maximum(p * (1 - p), _BCE_GRAD_EPSILON), n, reduction)


def categorical_cross_entropy(y_true_onehot, p_pred, reduction="mean"):
    """Categorical cross-entropy of predicted class distributions.

    Formula, for ``n`` samples and ``C`` classes::

        L = (1/n) * sum_i [ -sum_j y_ij * log(p_ij) ]

    With one-hot targets the inner sum is just ``-log`` of the probability
    given to the correct class. A 1-D input is a single sample
    (``n = 1``): ``L = -sum_j y_j * log(p_j)``. As in
    :func:`binary_cross_entropy`, each ``log`` is clamped at -100.

    Parameters
    ----------
    y_true_onehot : array_like
        Targets, shape ``(n, C)`` or ``(C,)``. Each row is a distribution:
        one-hot, or soft targets (non-negative, summing to 1).
    p_pred : array_like
        Predicted probabilities (for example a softmax output), same shape;
        each row in ``[0, 1]`` and summing to 1 (within ``1e-6`` for
        float64, ``1e-4`` for float32).
    reduction : {"mean", "sum", "none"}, default "mean"
        ``"mean"`` averages the per-sample losses (PyTorch's default),
        ``"sum"`` adds them, ``"none"`` returns them as an array.

    Returns
    -------
    numpy.floating
        The loss, a scalar of the prediction's dtype.

    Raises
    ------
    TypeError
        If an input is not numeric.
    ValueError
        If the inputs are empty, not 1-D or 2-D, their shapes differ, or a
        row is not a probability distribution.

    Examples
    --------
    >>> print(f"{categorical_cross_entropy([0, 1, 0], [0.1, 0.7, 0.2]):.4f}")
    0.3567
    >>> y = [[0, 1, 0], [1, 0, 0]]
    >>> p = [[0.1, 0.7, 0.2], [0.5, 0.25, 0.25]]
    >>> print(f"{categorical_cross_entropy(y, p):.4f}")
    0.5249
    """
    y, p = _distribution_pair(y_true_onehot, p_pred, "y_true_onehot", "p_pred")
    per_sample = np.sum(-y * _clamped_log(p), axis=-1)
    return _reduce(per_sample, reduction)


def categorical_cross_entropy_grad(y_true_onehot, p_pred, reduction="mean"):
    """Gradient of :func:`categorical_cross_entropy` with respect to ``p``.

    Formula, with ``n`` the number of rows (1 for a 1-D input)::

        dL/dp_ij = -(1/n) * y_ij / p_ij

    treating every ``p_ij`` as a free variable (the constraint that rows
    sum to 1 is the softmax layer's business).

    Clamp: where ``p_ij`` is 0 the formula divides by zero. The loss
    clamps ``log(p)`` at -100, which is the same as replacing ``p`` by
    ``max(p, e^-100)``; the gradient does the same, using
    ``-y_ij / max(p_ij, e^-100) / n``. So it is exact wherever the clamp is
    not active, and at ``p = 0`` it is the slope at the clamp's edge,
    ``-y * e^100 / n`` (about ``-2.7e43 * y / n``): huge, finite, and
    pointing the right way, instead of ``-inf``. In float32 ``e^100``
    would overflow, so there the floor is raised to the smallest normal
    float32, about ``1.2e-38`` (gradient at most ``8.5e37 * y / n``).
    Where ``y_ij = 0`` the gradient is 0.

    Parameters
    ----------
    y_true_onehot : array_like
        Targets, shape ``(n, C)`` or ``(C,)``, rows summing to 1.
    p_pred : array_like
        Predicted probabilities, same shape, rows summing to 1.
    reduction : {"mean", "sum", "none"}, default "mean"
        The reduction of the loss being differentiated. With ``"sum"`` or
        ``"none"`` there is no ``1/n``: each entry is the derivative of its
        own sample's loss.

    Returns
    -------
    numpy.ndarray
        The gradient, same shape and dtype as ``p_pred``.

    Raises
    ------
    TypeError
        If an input is not numeric.
    ValueError
        If the inputs are empty, not 1-D or 2-D, their shapes differ, or a
        row is not a probability distribution.

    Examples
    --------
    >>> categorical_cross_entropy_grad([[0, 1], [1, 0]], [[0.5, 0.5], [0.8, 0.2]])
    array([[ 0.   , -1.   ],
           [-0.625,  0.   ]])
    """
    y, p = _distribution_pair(y_true_onehot, p_pred, "y_true_onehot", "p_pred")
    n = _number_of_rows(p)
    p_floor = max(_PROB_FLOOR, float(np.finfo(p.dtype).tiny))
    return _scale(np.where(y > 0, -y / np.maximum(p, p_floor), 0), n, reduction)


def _distribution_pair(target, prediction, target_name, prediction_name):
    """Convert and check a pair of (batches of) probability distributions."""
    target, prediction = _target_and_prediction(
        target, prediction, target_name, prediction_name
    )
    _check_one_or_two_dims(prediction, prediction_name)
    check_probability_rows(target, target_name)
    check_probability_rows(prediction, prediction_name)
    return target, prediction


def hinge(y_true, score, reduction="mean"):
    """Hinge loss for labels -1/+1 and real-valued scores.

    Formula, with ``n`` the number of elements::

        L = (1/n) * sum_i max(0, 1 - y_i * s_i)

    ``y_i * s_i`` is the margin: positive when the score has the right
    sign. Examples with a margin of at least 1 cost nothing.

    Parameters
    ----------
    y_true : array_like
        Labels, each -1 or +1, any shape.
    score : array_like
        Raw scores ``s`` (not probabilities), same shape as ``y_true``.
    reduction : {"mean", "sum", "none"}, default "mean"
        ``"mean"`` averages the per-sample losses (PyTorch's default),
        ``"sum"`` adds them, ``"none"`` returns them as an array.

    Returns
    -------
    numpy.floating
        The loss, a scalar of the score's dtype.

    Raises
    ------
    TypeError
        If an input is not numeric.
    ValueError
        If the inputs are empty, their shapes differ, or a label is not -1
        or +1. For 0/1 labels the message shows the fix,
        ``y_true = 2 * y_true - 1``.

    Examples
    --------
    >>> print(hinge([1, -1, 1], [2.0, -0.5, -1.0]))
    0.8333333333333334
    """
    y, s = _target_and_prediction(y_true, score, "y_true", "score")
    _check_plus_minus_one(y)
    margins = y * s
    return _reduce(np.maximum(0, 1 - margins), reduction)


def hinge_grad(y_true, score, reduction="mean"):
    """Subgradient of :func:`hinge` with respect to the scores.

    Formula::

        dL/ds_i = -(1/n) * y_i   if 1 - y_i * s_i > 0
                = 0              otherwise

    At the kink ``y_i * s_i = 1`` we use 0: an example exactly on the
    margin is treated as satisfied. (PyTorch's ``clamp(min=0)`` would give
    ``-y_i / n`` there; both are valid subgradients.)

    Parameters
    ----------
    y_true : array_like
        Labels, each -1 or +1, any shape.
    score : array_like
        Raw scores, same shape as ``y_true``.
    reduction : {"mean", "sum", "none"}, default "mean"
        The reduction of the loss being differentiated. With ``"sum"`` or
        ``"none"`` there is no ``1/n``: each entry is the derivative of its
        own sample's loss.

    Returns
    -------
    numpy.ndarray
        The subgradient, same shape and dtype as ``score``.

    Raises
    ------
    TypeError
        If an input is not numeric.
    ValueError
        If the inputs are empty, their shapes differ, or a label is not -1
        or +1.

    Examples
    --------
    >>> hinge_grad([1, -1, 1], [2.0, -0.5, 1.0])
    array([0.        , 0.33333333, 0.        ])
    """
    y, s = _target_and_prediction(y_true, score, "y_true", "score")
    _check_plus_minus_one(y)
    n = s.size
    margins = y * s
    return _scale(np.where(1 - margins > 0, -y, 0), n, reduction)


def _check_plus_minus_one(y):
    """Hinge labels must be -1/+1; 0/1 labels get a hint on how to convert."""
    if np.all((y == -1) | (y == 1)):
        return
    if np.all((y == 0) | (y == 1)):
        raise ValueError(
            "hinge needs labels -1/+1, but y_true holds 0/1 labels; "
            "convert them with y_true = 2 * y_true - 1"
        )
    bad = y[(y != -1) & (y != 1)][0]
    raise ValueError(f"hinge needs labels -1/+1, but y_true contains {bad}")


def kl_divergence(p, q, reduction="mean"):
    """Kullback-Leibler divergence ``KL(p || q)``, in nats (natural log).

    Formula::

        KL(p || q) = sum_i p_i * log(p_i / q_i)

    It is 0 when ``q = p`` and positive otherwise. A 1-D input is one pair
    of distributions and gives that sum; a 2-D input holds one pair per row
    and gives the mean of the per-row sums (PyTorch's
    ``reduction='batchmean'``).

    Zeros are handled by their limits, without warnings: a term with
    ``p_i = 0`` is 0, even where ``q_i = 0``; a term with ``p_i > 0`` and
    ``q_i = 0`` is ``+inf``, and so is the result.

    Parameters
    ----------
    p : array_like
        The reference distribution(s), shape ``(C,)`` or ``(n, C)``; each
        row non-negative and summing to 1.
    q : array_like
        The approximating distribution(s), for example a model's
        prediction; same shape and rules as ``p``.
    reduction : {"mean", "sum", "none"}, default "mean"
        ``"mean"`` averages the per-sample losses (PyTorch's default),
        ``"sum"`` adds them, ``"none"`` returns them as an array.

    Returns
    -------
    numpy.floating
        The divergence, a scalar of ``q``'s dtype; may be ``inf``.

    Raises
    ------
    TypeError
        If an input is not numeric.
    ValueError
        If the inputs are empty, not 1-D or 2-D, their shapes differ, or a
        row is not a probability distribution.

    Examples
    --------
    >>> print(f"{kl_divergence([0.5, 0.3, 0.2], [0.4, 0.4, 0.2]):.4f}")
    0.0253
    >>> print(kl_divergence([1, 0], [1, 0]))
    0.0
    >>> print(kl_divergence([0.5, 0.5], [1, 0]))
    inf
    """
    p, q = _distribution_pair(p, q, "p", "q")
    terms = np.zeros_like(q)
    support = p > 0
    # log p - log q rather than log(p / q): p / q can overflow when q is
    # tiny, while both logs stay finite. Where q = 0, log q = -inf and the
    # term is +inf, which is the true value, so the warning is silenced.
    with np.errstate(divide="ignore"):
        log_ratio = np.log(p[support]) - np.log(q[support])
    terms[support] = p[support] * log_ratio
    per_row = np.sum(terms, axis=-1)
    return _reduce(per_row, reduction)


def kl_divergence_grad(p, q, reduction="mean"):
    """Gradient of :func:`kl_divergence` with respect to ``q``.

    Formula, with ``n`` the number of rows (1 for a 1-D input)::

        dKL/dq_i = -(1/n) * p_i / q_i

    treating every ``q_i`` as a free variable. Where ``p_i = 0`` the term
    does not depend on ``q_i`` and the gradient is 0. Where ``p_i > 0`` and
    ``q_i = 0`` the divergence is infinite and the gradient is ``-inf``
    (no warning).

    Parameters
    ----------
    p : array_like
        The reference distribution(s), shape ``(C,)`` or ``(n, C)``.
    q : array_like
        The approximating distribution(s), same shape.
    reduction : {"mean", "sum", "none"}, default "mean"
        The reduction of the loss being differentiated. With ``"sum"`` or
        ``"none"`` there is no ``1/n``: each entry is the derivative of its
        own sample's loss.

    Returns
    -------
    numpy.ndarray
        The gradient, same shape and dtype as ``q``.

    Raises
    ------
    TypeError
        If an input is not numeric.
    ValueError
        If the inputs are empty, not 1-D or 2-D, their shapes differ, or a
        row is not a probability distribution.

    Examples
    --------
    >>> kl_divergence_grad([0.5, 0.5, 0.0], [0.25, 0.5, 0.25])
    array([-2., -1.,  0.])
    """
    p, q = _distribution_pair(p, q, "p", "q")
    n = _number_of_rows(q)
    grad = np.zeros_like(q)
    support = p > 0
    # q = 0 (or q so small that p / q overflows) under p > 0 gives -inf,
    # the true value, so those warnings are silenced.
    with np.errstate(divide="ignore", over="ignore"):
        grad[support] = -p[support] / q[support]
    return _scale(grad, n, reduction)


# --------------------------------------------------------------------------
# Losses of logits
# --------------------------------------------------------------------------


def _targets_and_logits(y_true, logits):
    y, z = _target_and_prediction(y_true, logits, "y_true", "logits")
    check_in_range(y, "y_true", 0, 1)
    return y, z


def binary_cross_entropy_with_logits(y_true, logits, reduction="mean"):
    """Binary cross-entropy of ``sigmoid(logits)``, computed from the logits.

    Formula, with ``p_i = sigmoid(z_i)``, written so that nothing overflows::

        l_i = -[ y_i * log(p_i) + (1 - y_i) * log(1 - p_i) ]
            = max(z_i, 0) - z_i * y_i + log(1 + exp(-|z_i|))

    ``log(1 + exp(-|z|))`` is the log-sum-exp of ``(0, z)`` minus its
    maximum: ``exp`` only ever sees a number <= 0. So a logit of 1000 gives
    an exact 0 or 1000, where ``sigmoid`` followed by
    :func:`binary_cross_entropy` would clamp at 100. Same as
    ``torch.nn.functional.binary_cross_entropy_with_logits(z, y)``.

    Parameters
    ----------
    y_true : array_like
        Targets in ``[0, 1]``, any shape.
    logits : array_like
        Raw scores ``z`` (any real number), same shape as ``y_true``.
    reduction : {"mean", "sum", "none"}, default "mean"
        ``"mean"`` averages the per-element losses, ``"sum"`` adds them,
        ``"none"`` returns them as an array.

    Returns
    -------
    numpy.floating or numpy.ndarray
        The loss, of the logits' dtype.

    Raises
    ------
    TypeError
        If an input is not numeric.
    ValueError
        If the inputs are empty, their shapes differ, a target lies outside
        ``[0, 1]`` or ``reduction`` is unknown.

    Examples
    --------
    >>> print(f"{binary_cross_entropy_with_logits([1, 0], [0.0, 0.0]):.5f}")   # ln 2
    0.69315
    >>> print(binary_cross_entropy_with_logits([1, 0], [-1000.0, 1000.0]))
    1000.0
    """
    y, z = _targets_and_logits(y_true, logits)
    per_element = np.maximum(z, 0) - z * y + np.log1p(np.exp(-np.abs(z)))
    return _reduce(per_element, reduction)


def binary_cross_entropy_with_logits_grad(y_true, logits, reduction="mean"):
    """Gradient of :func:`binary_cross_entropy_with_logits` with respect to the logits.

    Formula::

        dL/dz_i = (1/n) * (sigmoid(z_i) - y_i)

    Parameters
    ----------
    y_true : array_like
        Targets in ``[0, 1]``, any shape.
    logits : array_like
        Raw scores, same shape as ``y_true``.
    reduction : {"mean", "sum", "none"}, default "mean"
        The reduction of the loss being differentiated; no ``1/n`` for
        ``"sum"`` and ``"none"``.

    Returns
    -------
    numpy.ndarray
        The gradient, same shape and dtype as ``logits``.

    Raises
    ------
    TypeError
        If an input is not numeric.
    ValueError
        If the inputs are empty, their shapes differ, a target lies outside
        ``[0, 1]`` or ``reduction`` is unknown.

    Examples
    --------
    >>> binary_cross_entropy_with_logits_grad([1, 0], [0.0, 1000.0])
    array([-0.25,  0.5 ])
    """
    y, z = _targets_and_logits(y_true, logits)
    return _scale(activations.sigmoid(z) - y, z.size, reduction)


def _labels_and_logits(labels, logits):
    """Integer labels ``(n,)`` and float logits ``(n, C)``; ``(C,)`` is one sample."""
    z = as_float_array(logits, "logits")
    if z.ndim not in (1, 2):
        raise ValueError(f"logits must have shape (n, C) or (C,), but have shape {z.shape}")
    t = np.asarray(labels)
    if t.dtype.kind not in "iu":
        raise TypeError(
            f"labels must be integer class indices, but have dtype {t.dtype}; "
            "convert them with labels.astype(int)"
        )
    if t.shape != z.shape[:-1]:
        raise ValueError(
            f"labels must hold one class per sample, shape {z.shape[:-1]}, for logits of "
            f"shape {z.shape}, but have shape {t.shape}"
        )
    c = z.shape[-1]
    bad = t[(t < 0) | (t >= c)]
    if bad.size:
        raise ValueError(f"labels contain class {bad.flat[0]}, but logits have classes 0 .. {c - 1}")
    return t, z


def cross_entropy_with_logits(labels, logits, reduction="mean"):
    """Cross-entropy of ``softmax(logits)`` against integer class labels.

    Formula, for sample ``i`` with class ``t_i``, through log-sum-exp::

        l_i = -log softmax(z_i)[t_i] = logsumexp(z_i) - z_i,t_i
        logsumexp(z) = m + log(sum_k exp(z_k - m)),  m = max_k z_k

    Subtracting the row's maximum ``m`` keeps every ``exp`` at most 1, so
    logits of 1000 or -1000 are fine. Same as
    ``torch.nn.functional.cross_entropy(z, t)``.

    Parameters
    ----------
    labels : array_like of int
        The class of each sample, shape ``(n,)``, in ``0 .. C-1``; or a
        single integer for 1-D logits.
    logits : array_like
        Raw scores, shape ``(n, C)``, or ``(C,)`` for one sample.
    reduction : {"mean", "sum", "none"}, default "mean"
        ``"mean"`` averages over the samples, ``"sum"`` adds, ``"none"``
        returns one loss per sample.

    Returns
    -------
    numpy.floating or numpy.ndarray
        The loss, of the logits' dtype.

    Raises
    ------
    TypeError
        If the logits are not numeric or the labels not integers.
    ValueError
        If the shapes do not fit, a label is not a class, or ``reduction``
        is unknown.

    Examples
    --------
    >>> print(f"{cross_entropy_with_logits([1], [[0.0, 0.0, 0.0]]):.5f}")   # ln 3
    1.09861
    >>> print(cross_entropy_with_logits([0, 1], [[1000.0, -1000.0], [1000.0, -1000.0]]))
    1000.0
    """
    t, z = _labels_and_logits(labels, logits)
    log_p = activations.log_softmax(z, axis=-1)
    per_sample = -np.take_along_axis(log_p, t[..., None], axis=-1)[..., 0]
    return _reduce(per_sample, reduction)


def cross_entropy_with_logits_grad(labels, logits, reduction="mean"):
    """Gradient of :func:`cross_entropy_with_logits` with respect to the logits.

    Formula, with ``n`` the number of samples (1 for 1-D logits)::

        dL/dz_ij = (1/n) * (softmax(z_i)_j - [j == t_i])

    Parameters
    ----------
    labels : array_like of int
        The class of each sample, shape ``(n,)`` (or one integer).
    logits : array_like
        Raw scores, shape ``(n, C)`` (or ``(C,)``).
    reduction : {"mean", "sum", "none"}, default "mean"
        The reduction of the loss being differentiated; no ``1/n`` for
        ``"sum"`` and ``"none"``.

    Returns
    -------
    numpy.ndarray
        The gradient, same shape and dtype as ``logits``.

    Raises
    ------
    TypeError
        If the logits are not numeric or the labels not integers.
    ValueError
        If the shapes do not fit, a label is not a class, or ``reduction``
        is unknown.

    Examples
    --------
    >>> cross_entropy_with_logits_grad([0, 1], [[0.0, 0.0], [0.0, 0.0]])
    array([[-0.25,  0.25],
           [ 0.25, -0.25]])
    """
    t, z = _labels_and_logits(labels, logits)
    grad = activations.softmax(z, axis=-1)
    np.put_along_axis(grad, t[..., None], np.take_along_axis(grad, t[..., None], axis=-1) - 1, axis=-1)
    return _scale(grad, _number_of_rows(z), reduction)
