"""Adagrad: a learning rate per coordinate, shrinking with the gradients seen."""

import numpy as np

from anncourse.optim._checks import check_non_negative
from anncourse.optim.optimizer import Optimizer

__all__ = ["Adagrad"]


class Adagrad(Optimizer):
    """Adagrad (Duchi, Hazan and Singer, 2011), as ``torch.optim.Adagrad``.

    Algorithm, for each parameter ``theta`` with gradient ``g`` (``g^2``,
    ``sqrt`` and the division are elementwise)::

        input: lr, lr_decay eta, weight_decay lambda,
               initial_accumulator_value G0, eps
        state: step t, sum of squared gradients G (starts at G0)

        for t = 1, 2, ...:
            g = dJ/dtheta (theta)
            if lambda != 0:  g = g + lambda * theta
            clr = lr / (1 + (t - 1) * eta)
            G = G + g^2
            theta = theta - clr * g / (sqrt(G) + eps)

    Each coordinate gets its own step size ``clr / sqrt(G)``: coordinates
    with large or frequent gradients take small steps, rare ones large steps.
    Because ``G`` only grows, the steps shrink for ever; RMSprop and Adadelta
    replace the sum with a decaying average.

    The syllabus writes the update with ``eps`` *inside* the square root,
    ``theta - lr / sqrt(G + eps) * g``. PyTorch (and this class) adds it
    outside. Their steps agree to a relative ``eps * (1/sqrt(G) + 1/G)``:
    closely once a gradient has been well above ``sqrt(eps)``; see
    :class:`~anncourse.optim.syllabus.AdagradEpsInsideSqrt`.

    Parameters
    ----------
    params : iterable of Parameter or of dict
        Parameters to optimize, or parameter groups (dicts).
    lr : float, default 0.01
        Learning rate, ``>= 0``.
    lr_decay : float, default 0
        ``eta >= 0``: the learning rate at step ``t`` is
        ``lr / (1 + (t - 1) * eta)``.
    weight_decay : float, default 0
        L2 penalty ``lambda >= 0``, added to the gradient as ``lambda * theta``.
    initial_accumulator_value : float, default 0
        ``G0 >= 0``, the starting value of every entry of ``G``.
    eps : float, default 1e-10
        ``>= 0``, added to ``sqrt(G)`` so that a zero ``G`` does not divide
        by zero.

    Raises
    ------
    ValueError
        If a hyper-parameter is negative.

    Examples
    --------
    The first step moves every coordinate by about ``lr``, whatever the
    size of its gradient:

    >>> import numpy as np
    >>> from anncourse.nn.parameter import Parameter
    >>> w = Parameter([1.0, 1.0])
    >>> optimizer = Adagrad([w], lr=0.5)
    >>> w.grad = np.array([100.0, 0.01])
    >>> optimizer.step()
    >>> w.data.round(6)
    array([0.5, 0.5])
    """

    def __init__(self, params, lr=1e-2, lr_decay=0, weight_decay=0,
                 initial_accumulator_value=0, eps=1e-10):
        defaults = dict(lr=lr, lr_decay=lr_decay, weight_decay=weight_decay,
                        initial_accumulator_value=initial_accumulator_value, eps=eps)
        super().__init__(params, defaults)

    def _check_hyperparameters(self, group):
        check_non_negative(group, "lr", "lr_decay", "weight_decay",
                           "initial_accumulator_value", "eps")

    def _update(self, param, grad, state, group):
        if not state:
            # The group's own value; PyTorch uses the constructor's value for
            # every group, so the two differ only when a group overrides it.
            state["step"] = 0
            state["sum"] = np.full_like(param.data, group["initial_accumulator_value"])
        state["step"] += 1
        t, G = state["step"], state["sum"]

        if group["weight_decay"] != 0:
            grad = grad + group["weight_decay"] * param.data
        clr = group["lr"] / (1 + (t - 1) * group["lr_decay"])
        G[...] = G + grad**2
        param.data -= clr * grad / (np.sqrt(G) + group["eps"])
