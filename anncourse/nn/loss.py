"""Loss modules: the last step of the forward pass and the first of the backward.

A loss module is called as ``loss(input, target)`` with the model's output
and the targets, and returns a number. Its :meth:`~_Loss.backward`, called
with no argument, returns ``dL/dinput``: the gradient that starts
backpropagation through the model::

    loss = criterion(model(x), y)
    model.backward(criterion.backward())

Each loss first computes one value ``l_i`` per element (per sample for
:class:`CrossEntropyLoss`), then reduces them as ``reduction`` says:

* ``"mean"`` (default): ``L = (1/n) * sum_i l_i``, so ``dL/dinput`` has a ``1/n``;
* ``"sum"``: ``L = sum_i l_i``;
* ``"none"``: the array of ``l_i``; ``backward`` then needs the upstream
  gradient ``dL/dl`` of that shape.

Each module calls its function in :mod:`anncourse.losses` (and that
function's gradient) with the same ``reduction``, the way ``torch.nn``
calls ``torch.nn.functional``: one implementation of each loss. Like
everything here they match PyTorch's losses of the same name (note the order:
``input`` first, then ``target``, as in PyTorch). The input's dtype is the
dtype of the loss and of the gradient.
"""
from __future__ import annotations

import math

import numpy as np

from anncourse import losses as F
from anncourse._validation import (
    as_float_array,
    as_real_number,
    check_in_range,
    check_same_shape,
)
from anncourse.nn.module import Module

__all__ = ["MSELoss", "HuberLoss", "BCELoss", "BCEWithLogitsLoss", "CrossEntropyLoss"]

_REDUCTIONS = ("mean", "sum", "none")


class _Loss(Module):
    """Shared reduction and backward logic; the formulas live in :mod:`anncourse.losses`.

    A subclass names the functional loss and its gradient (``_loss`` and
    ``_grad``, called as ``f(target, input, reduction=...)``) and may check
    its arguments in ``_prepare(input, target)`` with messages that use
    PyTorch's names, ``input`` and ``target``.
    """

    _loss = _grad = None  # set by each subclass

    def __init__(self, reduction="mean"):
        super().__init__()
        if reduction not in _REDUCTIONS:
            raise ValueError(f"reduction must be one of {_REDUCTIONS}, got {reduction!r}")
        self.reduction = reduction

    def _prepare(self, input, target):
        return _input_and_target(input, target)

    def _options(self):
        """Keyword arguments of the functional loss besides ``reduction``."""
        return {}

    def forward(self, input, target):
        """Return the loss of ``input`` against ``target``, reduced."""
        x, t = self._prepare(input, target)
        value = self._loss(t, x, reduction=self.reduction, **self._options())
        self._saved = (x, t, np.shape(value))
        return value

    def backward(self, grad_output=None):
        """Return the gradient of the loss with respect to ``input``.

        Parameters
        ----------
        grad_output : float or array_like, optional
            ``dL/dloss`` from further up, 1 by default. With
            ``reduction="none"`` it is required and must have the shape of
            the unreduced losses.

        Returns
        -------
        numpy.ndarray
            ``dL/dinput``, with the input's shape and dtype.
        """
        x, t, loss_shape = self._saved_for_backward()
        grad = self._grad(t, x, reduction=self.reduction, **self._options())
        if self.reduction == "none":
            if grad_output is None:
                raise ValueError(
                    "with reduction='none' the loss is an array, so backward() needs "
                    f"grad_output: the gradient with respect to it, of shape {loss_shape}"
                )
            g = self._check_grad_output(grad_output, loss_shape, x.dtype)
            # CrossEntropyLoss has one loss per row of logits: broadcast g over the row.
            return grad * g.reshape(loss_shape + (1,) * (grad.ndim - g.ndim))
        if grad_output is None:
            return grad
        return grad * x.dtype.type(as_real_number(grad_output, "grad_output"))

    def extra_repr(self):
        return "" if self.reduction == "mean" else f"reduction={self.reduction!r}"


def _input_and_target(input, target):
    """Arrays of the input's dtype, of exactly the same shape (no broadcasting)."""
    input = as_float_array(input, "input")
    target = as_float_array(target, "target", dtype=input.dtype)
    check_same_shape(input, target, "input", "target")
    return input, target


class MSELoss(_Loss):
    """Mean squared error.

    Formula, elementwise, and its derivative::

        l_i     = (x_i - y_i)^2
        dl_i/dx = 2 * (x_i - y_i)

    Parameters
    ----------
    reduction : {"mean", "sum", "none"}, default "mean"

    Examples
    --------
    >>> mse = MSELoss()
    >>> print(f"{mse(np.array([2.5, 5.2]), np.array([3.0, 5.0])):.4f}")
    0.1450
    >>> mse.backward()
    array([-0.5,  0.2])
    """

    _loss = staticmethod(F.mse)
    _grad = staticmethod(F.mse_grad)


class HuberLoss(_Loss):
    """Huber loss: squared for small errors, absolute for large ones.

    Formula, elementwise, with ``d_i = x_i - y_i``, and its derivative::

        l_i     = 0.5 * d_i^2                     if |d_i| <= delta
                = delta * (|d_i| - 0.5 * delta)   otherwise
        dl_i/dx = clip(d_i, -delta, delta)

    Parameters
    ----------
    reduction : {"mean", "sum", "none"}, default "mean"
    delta : float, default 1.0
        Where the loss turns from squared to linear; positive.

    Examples
    --------
    >>> huber = HuberLoss(delta=1.0)
    >>> print(huber(np.array([3.5, 5.0]), np.array([3.0, 3.0])))
    0.8125
    >>> huber.backward()
    array([0.25, 0.5 ])
    """

    _loss = staticmethod(F.huber)
    _grad = staticmethod(F.huber_grad)

    def __init__(self, reduction="mean", delta=1.0):
        super().__init__(reduction)
        delta = as_real_number(delta, "delta")
        if not (delta > 0 and math.isfinite(delta)):
            raise ValueError(f"delta must be a positive finite number, got {delta}")
        self.delta = delta

    def _options(self):
        return {"delta": self.delta}

    def extra_repr(self):
        reduction = super().extra_repr()
        return f"{reduction}, delta={self.delta}" if reduction else f"delta={self.delta}"


class BCELoss(_Loss):
    """Binary cross-entropy of probabilities.

    Formula, elementwise, for a probability ``p_i`` and target ``y_i``::

        l_i     = -[ y_i * log(p_i) + (1 - y_i) * log(1 - p_i) ]
        dl_i/dp = (p_i - y_i) / (p_i * (1 - p_i))

    As in PyTorch (and :func:`anncourse.losses.binary_cross_entropy`) each
    ``log`` is clamped at -100 and the gradient divides by at least
    ``1e-12``, so ``p = 0`` or ``1`` gives finite numbers. For a model that
    ends in a sigmoid, :class:`BCEWithLogitsLoss` on the logits is more
    stable.

    Parameters
    ----------
    reduction : {"mean", "sum", "none"}, default "mean"

    Raises
    ------
    ValueError
        (when called) if the input or the target is outside ``[0, 1]``.

    Examples
    --------
    >>> bce = BCELoss()
    >>> print(f"{bce(np.array([0.9, 0.2]), np.array([1.0, 0.0])):.5f}")
    0.16425
    >>> bce.backward()
    array([-0.55555556,  0.625     ])
    """

    _loss = staticmethod(F.binary_cross_entropy)
    _grad = staticmethod(F.binary_cross_entropy_grad)

    def _prepare(self, input, target):
        p, y = _input_and_target(input, target)
        check_in_range(p, "input", 0, 1)
        check_in_range(y, "target", 0, 1)
        return p, y


class BCEWithLogitsLoss(_Loss):
    """Binary cross-entropy of logits: a sigmoid and :class:`BCELoss` in one.

    With ``p_i = sigmoid(z_i)`` the loss simplifies to a form that cannot
    overflow, and the gradient to a famously simple one::

        l_i     = max(z_i, 0) - z_i * y_i + log(1 + exp(-|z_i|))
        dl_i/dz = sigmoid(z_i) - y_i

    Parameters
    ----------
    reduction : {"mean", "sum", "none"}, default "mean"

    Raises
    ------
    ValueError
        (when called) if the target is outside ``[0, 1]``.

    Examples
    --------
    >>> bce = BCEWithLogitsLoss()
    >>> print(f"{bce(np.array([0.0, 1000.0]), np.array([1.0, 1.0])):.5f}")
    0.34657
    >>> bce.backward()
    array([-0.25,  0.  ])
    """

    _loss = staticmethod(F.binary_cross_entropy_with_logits)
    _grad = staticmethod(F.binary_cross_entropy_with_logits_grad)

    def _prepare(self, input, target):
        z, y = _input_and_target(input, target)
        check_in_range(y, "target", 0, 1)
        return z, y


class CrossEntropyLoss(_Loss):
    """Cross-entropy of logits against integer class labels.

    For logits ``z`` of shape ``(N, C)`` and a class ``t_i`` per sample,
    the loss of sample ``i`` is minus the log of the softmax probability
    of its class, computed stably with log-softmax::

        l_i      = -log_softmax(z_i)[t_i] = log(sum_k exp(z_ik)) - z_i,t_i
        dl_i/dz_i = softmax(z_i) - onehot(t_i)

    Parameters
    ----------
    reduction : {"mean", "sum", "none"}, default "mean"
        ``"mean"`` averages over the ``N`` samples.

    Raises
    ------
    ValueError
        (when called) if the logits are not 2-D, the targets are not one
        integer per sample, or a class is outside ``0 .. C-1``.
    TypeError
        (when called) if the targets are not integers.

    Examples
    --------
    >>> ce = CrossEntropyLoss()
    >>> logits = np.array([[0.0, 0.0], [0.0, np.log(3.0)]])
    >>> print(f"{ce(logits, np.array([0, 1])):.5f}")   # (ln 2 + ln(4/3)) / 2
    0.49041
    >>> ce.backward()
    array([[-0.25 ,  0.25 ],
           [ 0.125, -0.125]])
    """

    _loss = staticmethod(F.cross_entropy_with_logits)
    _grad = staticmethod(F.cross_entropy_with_logits_grad)

    def _prepare(self, input, target):
        z = as_float_array(input, "input")
        if z.ndim != 2:
            raise ValueError(f"input must be logits of shape (N, C), got shape {z.shape}")
        t = np.asarray(target)
        if t.dtype.kind not in "iu":
            raise TypeError(
                f"target must hold integer class indices, got dtype {t.dtype}; "
                "convert labels with target.astype(int)"
            )
        n, c = z.shape
        if t.shape != (n,):
            raise ValueError(
                f"target must have one class per sample, shape ({n},), for input of "
                f"shape {z.shape}, got shape {t.shape}"
            )
        if t.min() < 0 or t.max() >= c:
            bad = t[(t < 0) | (t >= c)][0]
            raise ValueError(f"target contains class {bad}, but input has classes 0 .. {c - 1}")
        return z, t
