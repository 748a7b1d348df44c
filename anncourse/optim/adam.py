"""Adam: momentum and RMSprop together, with bias correction."""

import math

import numpy as np

from anncourse.optim._checks import check_betas, check_non_negative
from anncourse.optim.optimizer import Optimizer

__all__ = ["Adam"]


class Adam(Optimizer):
    """Adam (Kingma and Ba, 2015), as ``torch.optim.Adam``.

    Algorithm, for each parameter ``theta`` with gradient ``g`` (squares,
    ``sqrt``, ``max`` and the division are elementwise)::

        input: lr, betas (beta1, beta2), eps, weight_decay lambda, amsgrad
        state: step t, m (starts at 0), v (starts at 0),
               v_max (starts at 0, only if amsgrad)

        for t = 1, 2, ...:
            g = dJ/dtheta (theta)
            if lambda != 0:  g = g + lambda * theta
            m = beta1 * m + (1 - beta1) * g
            v = beta2 * v + (1 - beta2) * g^2
            m_hat = m / (1 - beta1^t)
            if amsgrad:
                v_max = max(v_max, v)
                v_hat = v_max / (1 - beta2^t)
            else:
                v_hat = v / (1 - beta2^t)
            theta = theta - lr * m_hat / (sqrt(v_hat) + eps)

    ``m`` is the momentum part (a decaying average of gradients), ``v`` the
    RMSprop part (a decaying average of squared gradients). Both start at 0,
    so early on they are too small by the factors ``1 - beta^t``; dividing by
    those factors (bias correction) removes that. This is the syllabus's
    Adam; ``amsgrad`` (Reddi, Kale and Kumar, 2018) divides by the largest
    ``v`` seen so far, so that the step size can never grow.

    The code computes ``sqrt(v_hat)`` as ``sqrt(v) / sqrt(1 - beta2^t)`` and
    divides ``m`` by ``1 - beta1^t`` last, in PyTorch's order of operations.

    Parameters
    ----------
    params : iterable of Parameter or of dict
        Parameters to optimize, or parameter groups (dicts).
    lr : float, default 1e-3
        Learning rate, ``>= 0``: about the largest step a coordinate takes.
    betas : (float, float), default (0.9, 0.999)
        Decays ``beta1`` of ``m`` and ``beta2`` of ``v``, each in ``[0, 1)``.
    eps : float, default 1e-8
        ``>= 0``, added to the denominator.
    weight_decay : float, default 0
        L2 penalty ``lambda >= 0``, added to the gradient as ``lambda * theta``
        (not AdamW's decoupled decay).
    amsgrad : bool, default False
        Use the AMSGrad variant.

    Raises
    ------
    ValueError
        If a hyper-parameter is negative or a beta is outside ``[0, 1)``.

    Examples
    --------
    Thanks to bias correction the first step is ``lr`` for every coordinate:

    >>> import numpy as np
    >>> from anncourse.nn.parameter import Parameter
    >>> w = Parameter([1.0, 1.0])
    >>> optimizer = Adam([w], lr=0.1)
    >>> w.grad = np.array([1000.0, -0.5])
    >>> optimizer.step()
    >>> w.data.round(6)
    array([0.9, 1.1])
    """

    def __init__(self, params, lr=1e-3, betas=(0.9, 0.999), eps=1e-8, weight_decay=0,
                 amsgrad=False):
        defaults = dict(lr=lr, betas=betas, eps=eps, weight_decay=weight_decay,
                        amsgrad=amsgrad)
        super().__init__(params, defaults)

    def _check_hyperparameters(self, group):
        check_non_negative(group, "lr", "eps", "weight_decay")
        check_betas(group)

    def _update(self, param, grad, state, group):
        beta1, beta2 = group["betas"]
        if not state:
            state["step"] = 0
            state["exp_avg"] = np.zeros_like(param.data)
            state["exp_avg_sq"] = np.zeros_like(param.data)
            if group["amsgrad"]:
                state["max_exp_avg_sq"] = np.zeros_like(param.data)
        state["step"] += 1
        t, m, v = state["step"], state["exp_avg"], state["exp_avg_sq"]

        if group["weight_decay"] != 0:
            grad = grad + group["weight_decay"] * param.data
        # The same lines as the docstring, in place: one scratch array and
        # no new arrays per step (this loop is most of a training step's
        # elementwise work). The moving average of g is computed as
        # m + (1 - beta1) * (g - m), as torch's lerp_ does.
        work = self._workspace(param)
        np.subtract(grad, m, out=work)
        work *= 1 - beta1
        m += work                                   # m = beta1 m + (1 - beta1) g
        np.multiply(grad, grad, out=work)
        work *= 1 - beta2
        v *= beta2
        v += work                                   # v = beta2 v + (1 - beta2) g^2
        if group["amsgrad"]:
            v_max = state["max_exp_avg_sq"]
            np.maximum(v_max, v, out=v_max)
            np.sqrt(v_max, out=work)
        else:
            np.sqrt(v, out=work)
        work /= math.sqrt(1 - beta2**t)             # sqrt(v_hat)
        work += group["eps"]
        np.divide(m, work, out=work)
        work *= group["lr"] / (1 - beta1**t)        # lr * m_hat / (sqrt(v_hat) + eps)
        param.data -= work
