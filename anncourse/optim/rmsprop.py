"""RMSprop: divide each step by a running root-mean-square of the gradients."""

import numpy as np

from anncourse.optim._checks import check_fraction, check_non_negative
from anncourse.optim.optimizer import Optimizer

__all__ = ["RMSprop"]


class RMSprop(Optimizer):
    """RMSprop (Hinton, lecture 6e, 2012), as ``torch.optim.RMSprop``.

    Algorithm, for each parameter ``theta`` with gradient ``g`` (squares,
    ``sqrt`` and the division are elementwise)::

        input: lr, alpha, eps, weight_decay lambda, momentum mu, centered
        state: step t, square average v (starts at 0),
               gradient average a (starts at 0, only if centered),
               momentum buffer b (starts at 0, only if mu > 0)

        for t = 1, 2, ...:
            g = dJ/dtheta (theta)
            if lambda != 0:  g = g + lambda * theta
            v = alpha * v + (1 - alpha) * g^2
            if centered:
                a = alpha * a + (1 - alpha) * g
                denom = sqrt(max(v - a^2, 0)) + eps
            else:
                denom = sqrt(v) + eps
            if mu > 0:
                b = mu * b + g / denom
                theta = theta - lr * b
            else:
                theta = theta - lr * g / denom

    ``v`` is the syllabus's ``E[g^2]``, a decaying average (``alpha`` is the
    syllabus's ``beta``): unlike Adagrad's sum it forgets old gradients, so
    the step size does not shrink for ever. ``centered`` divides by an
    estimate of the gradient's standard deviation instead of its root mean
    square. The variance ``v - a^2`` cannot be negative, but rounding can
    make it a hair below 0 when the gradient hardly varies; PyTorch then
    takes the square root of a negative number and returns NaN, this class
    clamps it at 0.

    The syllabus writes ``theta - lr / sqrt(E[g^2] + eps) * g``, with ``eps``
    *inside* the square root; PyTorch (and this class) adds it outside. See
    :class:`~anncourse.optim.syllabus.RMSpropEpsInsideSqrt` for how close
    they are.

    Parameters
    ----------
    params : iterable of Parameter or of dict
        Parameters to optimize, or parameter groups (dicts).
    lr : float, default 0.01
        Learning rate, ``>= 0``.
    alpha : float, default 0.99
        Decay of the running averages, in ``[0, 1]``.
    eps : float, default 1e-8
        ``>= 0``, added to the denominator.
    weight_decay : float, default 0
        L2 penalty ``lambda >= 0``, added to the gradient as ``lambda * theta``.
    momentum : float, default 0
        Momentum factor ``mu >= 0`` applied to the normalized step.
    centered : bool, default False
        Subtract the squared running mean of the gradient from ``v``.

    Raises
    ------
    ValueError
        If a hyper-parameter is negative or ``alpha`` is above 1.

    Examples
    --------
    >>> import numpy as np
    >>> from anncourse.nn.parameter import Parameter
    >>> w = Parameter([1.0])
    >>> optimizer = RMSprop([w], lr=0.01, alpha=0.9)
    >>> w.grad = np.array([4.0])
    >>> optimizer.step()      # v = 0.1 * 16, step = 0.01 * 4 / sqrt(1.6)
    >>> w.data.round(6)
    array([0.968377])
    """

    def __init__(self, params, lr=1e-2, alpha=0.99, eps=1e-8, weight_decay=0,
                 momentum=0, centered=False):
        defaults = dict(lr=lr, alpha=alpha, eps=eps, weight_decay=weight_decay,
                        momentum=momentum, centered=centered)
        super().__init__(params, defaults)

    def _check_hyperparameters(self, group):
        check_non_negative(group, "lr", "eps", "weight_decay", "momentum")
        check_fraction(group, "alpha", include_one=True)

    def _update(self, param, grad, state, group):
        alpha, eps, mu = group["alpha"], group["eps"], group["momentum"]
        if not state:
            state["step"] = 0
            state["square_avg"] = np.zeros_like(param.data)
            if group["centered"]:
                state["grad_avg"] = np.zeros_like(param.data)
            if mu > 0:
                state["momentum_buffer"] = np.zeros_like(param.data)
        state["step"] += 1
        v = state["square_avg"]

        if group["weight_decay"] != 0:
            grad = grad + group["weight_decay"] * param.data
        v[...] = alpha * v + (1 - alpha) * grad**2
        if group["centered"]:
            a = state["grad_avg"]
            a[...] = alpha * a + (1 - alpha) * grad
            # v - a^2 is a variance, >= 0, but rounding can take it a hair
            # below 0 once the gradient is constant; sqrt would give NaN.
            denom = np.sqrt(np.maximum(v - a**2, 0)) + eps
        else:
            denom = np.sqrt(v) + eps
        if mu > 0:
            b = state["momentum_buffer"]
            b[...] = mu * b + grad / denom
            param.data -= group["lr"] * b
        else:
            param.data -= group["lr"] * grad / denom
