"""NAdam: Adam with Nesterov momentum and a warming-up momentum schedule."""

import numpy as np

from anncourse.optim._checks import check_betas, check_non_negative
from anncourse.optim.optimizer import Optimizer

__all__ = ["NAdam"]


class NAdam(Optimizer):
    """NAdam (Dozat, 2016), as ``torch.optim.NAdam``.

    Algorithm, for each parameter ``theta`` with gradient ``g`` (squares,
    ``sqrt`` and the division are elementwise)::

        input: lr, betas (beta1, beta2), eps, weight_decay lambda,
               momentum_decay psi
        state: step t, m (starts at 0), v (starts at 0),
               mu_product P (starts at 1)

        for t = 1, 2, ...:
            g = dJ/dtheta (theta)
            if lambda != 0:  g = g + lambda * theta
            mu_t      = beta1 * (1 - 0.5 * 0.96^(t * psi))
            mu_{t+1}  = beta1 * (1 - 0.5 * 0.96^((t + 1) * psi))
            P_t       = P_{t-1} * mu_t              (= mu_1 * ... * mu_t)
            m = beta1 * m + (1 - beta1) * g
            v = beta2 * v + (1 - beta2) * g^2
            m_hat = mu_{t+1} * m / (1 - P_t * mu_{t+1})
                    + (1 - mu_t) * g / (1 - P_t)
            v_hat = v / (1 - beta2^t)
            theta = theta - lr * m_hat / (sqrt(v_hat) + eps)

    Nesterov's idea is to take the momentum step *before* the gradient
    step. Adam moves along its momentum ``m_t``; NAdam moves along an
    estimate of the *next* momentum, ``mu_{t+1} m_t + (1 - mu_t) g_t``, in
    which the momentum part has already decayed one step further and the
    current gradient keeps its own weight. The momentum ``mu_t`` warms up
    from ``beta1 / 2`` towards ``beta1``, slowly (``psi = 0.004`` means one
    factor 0.96 every 250 steps); ``P_t * mu_{t+1}`` and ``P_t``
    are the bias corrections for that schedule. The syllabus only says
    "combines NAG and Adam"; the lines above are the full update.

    This is PyTorch's (and Keras's) NAdam, in which ``m`` decays with the
    constant ``beta1``. Dozat's paper decays ``m`` with the scheduled
    ``mu_t``; see :class:`~anncourse.optim.syllabus.NadamDozat`.

    Parameters
    ----------
    params : iterable of Parameter or of dict
        Parameters to optimize, or parameter groups (dicts).
    lr : float, default 2e-3
        Learning rate, ``>= 0``.
    betas : (float, float), default (0.9, 0.999)
        ``beta1`` (momentum) and ``beta2`` (decay of ``v``), each in ``[0, 1)``.
    eps : float, default 1e-8
        ``>= 0``, added to the denominator.
    weight_decay : float, default 0
        L2 penalty ``lambda >= 0``, added to the gradient as ``lambda * theta``.
    momentum_decay : float, default 4e-3
        ``psi >= 0``, the speed of the momentum warm-up.

    Raises
    ------
    ValueError
        If a hyper-parameter is negative or a beta is outside ``[0, 1)``.

    Examples
    --------
    >>> import numpy as np
    >>> from anncourse.nn.parameter import Parameter
    >>> w = Parameter([1.0, 1.0])
    >>> optimizer = NAdam([w], lr=0.1)
    >>> w.grad = np.array([3.0, -0.5])
    >>> optimizer.step()
    >>> w.data.round(6)
    array([0.894355, 1.105645])
    """

    def __init__(self, params, lr=2e-3, betas=(0.9, 0.999), eps=1e-8, weight_decay=0,
                 momentum_decay=4e-3):
        defaults = dict(lr=lr, betas=betas, eps=eps, weight_decay=weight_decay,
                        momentum_decay=momentum_decay)
        super().__init__(params, defaults)

    def _check_hyperparameters(self, group):
        check_non_negative(group, "lr", "eps", "weight_decay", "momentum_decay")
        check_betas(group)

    def _update(self, param, grad, state, group):
        beta1, beta2 = group["betas"]
        psi = group["momentum_decay"]
        if not state:
            state["step"] = 0
            state["mu_product"] = 1.0
            state["exp_avg"] = np.zeros_like(param.data)
            state["exp_avg_sq"] = np.zeros_like(param.data)
        state["step"] += 1
        t, m, v = state["step"], state["exp_avg"], state["exp_avg_sq"]

        if group["weight_decay"] != 0:
            grad = grad + group["weight_decay"] * param.data
        mu = beta1 * (1 - 0.5 * 0.96 ** (t * psi))
        mu_next = beta1 * (1 - 0.5 * 0.96 ** ((t + 1) * psi))
        state["mu_product"] *= mu
        product = state["mu_product"]
        m[...] = beta1 * m + (1 - beta1) * grad
        v[...] = beta2 * v + (1 - beta2) * grad**2
        m_hat = mu_next * m / (1 - product * mu_next) + (1 - mu) * grad / (1 - product)
        v_hat = v / (1 - beta2**t)
        param.data -= group["lr"] * m_hat / (np.sqrt(v_hat) + group["eps"])
