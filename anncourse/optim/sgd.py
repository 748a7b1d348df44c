"""Stochastic gradient descent, with optional momentum and Nesterov momentum."""

import numpy as np

from anncourse.optim._checks import check_non_negative
from anncourse.optim.optimizer import Optimizer

__all__ = ["SGD"]


class SGD(Optimizer):
    """Stochastic gradient descent (optionally with momentum), as ``torch.optim.SGD``.

    Algorithm, for each parameter ``theta`` with gradient ``g``::

        input: lr, momentum mu, dampening tau, weight_decay lambda, nesterov
        state: momentum buffer b (only when mu != 0)

        for t = 1, 2, ...:
            g = dJ/dtheta (theta)
            if lambda != 0:  g = g + lambda * theta
            if mu != 0:
                if t == 1:   b = g
                else:        b = mu * b + (1 - tau) * g
                if nesterov: g = g + mu * b
                else:        g = b
            theta = theta - lr * g

    With ``momentum=0`` this is the syllabus's SGD,
    ``theta <- theta - lr * dJ/dtheta``: "stochastic" because ``J`` is the loss
    of one example or mini-batch.

    **Momentum** here is a decaying *sum* of past gradients,
    ``b_t = sum_k mu^(t-k) g_k``, which is ``1/(1 - mu)`` times larger than a
    decaying *average*. The syllabus writes momentum as the average,
    ``v = beta v + (1 - beta) g``; the two give the same trajectory when this
    class's ``lr`` is the syllabus's ``lr`` times ``(1 - beta)``. See
    :class:`~anncourse.optim.syllabus.MomentumEMA`.

    **Nesterov** momentum steps along ``g + mu * b`` instead of ``b``. That
    is the syllabus's Nesterov accelerated gradient (gradient taken at the
    look-ahead point) rewritten so that the gradient is taken at the stored
    parameters: the stored ``theta`` *is* the look-ahead point. See
    :class:`~anncourse.optim.syllabus.NesterovLookahead`.

    Parameters
    ----------
    params : iterable of Parameter or of dict
        Parameters to optimize, or parameter groups (dicts).
    lr : float, default 1e-3
        Learning rate, ``>= 0``.
    momentum : float, default 0
        Momentum factor ``mu``, ``>= 0``.
    dampening : float, default 0
        Dampening ``tau``: the current gradient enters the buffer with weight
        ``1 - tau`` (except at the first step, where ``b = g``).
    weight_decay : float, default 0
        L2 penalty ``lambda``, ``>= 0``: adds ``lambda * theta`` to the
        gradient, the gradient of ``lambda/2 * ||theta||^2``.
    nesterov : bool, default False
        Use Nesterov momentum; needs ``momentum > 0`` and ``dampening = 0``.

    Raises
    ------
    ValueError
        If ``lr``, ``momentum`` or ``weight_decay`` is negative, or
        ``nesterov`` is asked for without momentum or with dampening.

    Examples
    --------
    Minimize ``J(w) = w1^2 + w2^2``, whose gradient is ``2 w``:

    >>> from anncourse.nn.parameter import Parameter
    >>> w = Parameter([1.0, -2.0])
    >>> optimizer = SGD([w], lr=0.1, momentum=0.9)
    >>> for _ in range(3):
    ...     optimizer.zero_grad()
    ...     w.accumulate_grad(2 * w.data)
    ...     optimizer.step()
    >>> w.data
    array([ 0.062, -0.124])
    """

    def __init__(self, params, lr=1e-3, momentum=0, dampening=0, weight_decay=0,
                 nesterov=False):
        defaults = dict(lr=lr, momentum=momentum, dampening=dampening,
                        weight_decay=weight_decay, nesterov=nesterov)
        super().__init__(params, defaults)

    def _check_hyperparameters(self, group):
        check_non_negative(group, "lr", "momentum", "weight_decay")
        if group["nesterov"] and (group["momentum"] <= 0 or group["dampening"] != 0):
            raise ValueError(
                "nesterov=True needs momentum > 0 and dampening = 0, but got "
                f"momentum={group['momentum']!r}, dampening={group['dampening']!r}"
            )

    def _update(self, param, grad, state, group):
        lr, mu, tau = group["lr"], group["momentum"], group["dampening"]
        if group["weight_decay"] != 0:
            grad = grad + group["weight_decay"] * param.data
        if mu != 0:
            if "momentum_buffer" not in state:
                state["momentum_buffer"] = np.array(grad, copy=True)
            else:
                b = state["momentum_buffer"]
                b[...] = mu * b + (1 - tau) * grad
            b = state["momentum_buffer"]
            grad = grad + mu * b if group["nesterov"] else b
        param.data -= lr * grad
