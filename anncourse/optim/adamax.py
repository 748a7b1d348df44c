"""Adamax: Adam with an infinity norm in place of the root mean square."""

import numpy as np

from anncourse.optim._checks import check_betas, check_non_negative
from anncourse.optim.optimizer import Optimizer

__all__ = ["Adamax"]


class Adamax(Optimizer):
    """Adamax (Kingma and Ba, 2015, section 7.1), as ``torch.optim.Adamax``.

    Algorithm, for each parameter ``theta`` with gradient ``g`` (``|g|``,
    ``max`` and the division are elementwise)::

        input: lr, betas (beta1, beta2), eps, weight_decay lambda
        state: step t, m (starts at 0), u (starts at 0)

        for t = 1, 2, ...:
            g = dJ/dtheta (theta)
            if lambda != 0:  g = g + lambda * theta
            m = beta1 * m + (1 - beta1) * g
            u = max(beta2 * u, |g| + eps)
            theta = theta - lr / (1 - beta1^t) * m / u

    Adam divides by ``sqrt(v)``, the L2 norm of the (decayed) past
    gradients; letting that norm's exponent go to infinity gives ``u``, a
    decayed maximum of ``|g|``. ``u`` needs no bias correction: it is never
    pulled towards its starting 0. The syllabus only says "uses the infinity
    norm"; the lines above are the full update.

    In the paper ``u = max(beta2 * u, |g|)`` and nothing is added; PyTorch
    adds ``eps`` inside the maximum so that ``u`` is never 0 (a coordinate
    whose gradients have all been 0 would divide 0 by 0).

    Parameters
    ----------
    params : iterable of Parameter or of dict
        Parameters to optimize, or parameter groups (dicts).
    lr : float, default 2e-3
        Learning rate, ``>= 0``.
    betas : (float, float), default (0.9, 0.999)
        Decays ``beta1`` of ``m`` and ``beta2`` of ``u``, each in ``[0, 1)``.
    eps : float, default 1e-8
        ``>= 0``, the smallest value of ``u``.
    weight_decay : float, default 0
        L2 penalty ``lambda >= 0``, added to the gradient as ``lambda * theta``.

    Raises
    ------
    ValueError
        If a hyper-parameter is negative or a beta is outside ``[0, 1)``.

    Examples
    --------
    >>> import numpy as np
    >>> from anncourse.nn.parameter import Parameter
    >>> w = Parameter([1.0, 1.0])
    >>> optimizer = Adamax([w], lr=0.1)
    >>> w.grad = np.array([3.0, -0.5])
    >>> optimizer.step()
    >>> w.data.round(6)
    array([0.9, 1.1])
    """

    def __init__(self, params, lr=2e-3, betas=(0.9, 0.999), eps=1e-8, weight_decay=0):
        defaults = dict(lr=lr, betas=betas, eps=eps, weight_decay=weight_decay)
        super().__init__(params, defaults)

    def _check_hyperparameters(self, group):
        check_non_negative(group, "lr", "eps", "weight_decay")
        check_betas(group)

    def _update(self, param, grad, state, group):
        beta1, beta2 = group["betas"]
        if not state:
            state["step"] = 0
            state["exp_avg"] = np.zeros_like(param.data)
            state["exp_inf"] = np.zeros_like(param.data)
        state["step"] += 1
        t, m, u = state["step"], state["exp_avg"], state["exp_inf"]

        if group["weight_decay"] != 0:
            grad = grad + group["weight_decay"] * param.data
        m[...] = beta1 * m + (1 - beta1) * grad
        u[...] = np.maximum(beta2 * u, np.abs(grad) + group["eps"])
        param.data -= group["lr"] / (1 - beta1**t) * m / u
