"""Adadelta: RMSprop whose step carries its own units, from past steps."""

import numpy as np

from anncourse.optim._checks import check_fraction, check_non_negative
from anncourse.optim.optimizer import Optimizer

__all__ = ["Adadelta"]


class Adadelta(Optimizer):
    """Adadelta (Zeiler, 2012), as ``torch.optim.Adadelta``.

    Algorithm, for each parameter ``theta`` with gradient ``g`` (squares,
    ``sqrt``, products and divisions are elementwise)::

        input: lr, rho, eps, weight_decay lambda
        state: step t, E[g^2] (starts at 0), E[dx^2] (starts at 0)

        for t = 1, 2, ...:
            g = dJ/dtheta (theta)
            if lambda != 0:  g = g + lambda * theta
            E[g^2] = rho * E[g^2] + (1 - rho) * g^2
            dx = sqrt(E[dx^2] + eps) / sqrt(E[g^2] + eps) * g
            E[dx^2] = rho * E[dx^2] + (1 - rho) * dx^2
            theta = theta - lr * dx

    Like RMSprop it divides by a running RMS of the gradients; unlike
    RMSprop it multiplies by a running RMS of its own past steps instead of
    a learning rate, so the step has the units of ``theta``. In the
    syllabus (``beta`` there is ``rho`` here) the line updating ``E[dx^2]``
    is missing: it is what makes the numerator move.

    Zeiler's Adadelta has no learning rate; PyTorch multiplies the step by
    ``lr`` but accumulates the *unscaled* ``dx``. With the default
    ``lr=1.0`` this is exactly Zeiler's algorithm,
    :class:`~anncourse.optim.syllabus.AdadeltaOriginal`.

    Parameters
    ----------
    params : iterable of Parameter or of dict
        Parameters to optimize, or parameter groups (dicts).
    lr : float, default 1.0
        Scales the step, ``>= 0``.
    rho : float, default 0.9
        Decay of the running averages, in ``[0, 1]``.
    eps : float, default 1e-6
        ``>= 0``, added under both square roots. It also sets the size of the
        first steps, ``sqrt(eps)`` times the normalized gradient.
    weight_decay : float, default 0
        L2 penalty ``lambda >= 0``, added to the gradient as ``lambda * theta``.

    Raises
    ------
    ValueError
        If a hyper-parameter is negative or ``rho`` is above 1.

    Examples
    --------
    The first step is about ``sqrt(eps / (1 - rho))``, whatever the gradient:

    >>> import numpy as np
    >>> from anncourse.nn.parameter import Parameter
    >>> w = Parameter([1.0, 1.0])
    >>> optimizer = Adadelta([w], rho=0.9, eps=1e-6)
    >>> w.grad = np.array([10.0, -0.1])
    >>> optimizer.step()
    >>> (1 - w.data).round(6)
    array([ 0.003162, -0.003161])
    """

    def __init__(self, params, lr=1.0, rho=0.9, eps=1e-6, weight_decay=0):
        defaults = dict(lr=lr, rho=rho, eps=eps, weight_decay=weight_decay)
        super().__init__(params, defaults)

    def _check_hyperparameters(self, group):
        check_non_negative(group, "lr", "eps", "weight_decay")
        check_fraction(group, "rho", include_one=True)

    def _update(self, param, grad, state, group):
        rho, eps = group["rho"], group["eps"]
        if not state:
            state["step"] = 0
            state["square_avg"] = np.zeros_like(param.data)
            state["acc_delta"] = np.zeros_like(param.data)
        state["step"] += 1
        square_avg, acc_delta = state["square_avg"], state["acc_delta"]

        if group["weight_decay"] != 0:
            grad = grad + group["weight_decay"] * param.data
        square_avg[...] = rho * square_avg + (1 - rho) * grad**2
        delta = np.sqrt(acc_delta + eps) / np.sqrt(square_avg + eps) * grad
        acc_delta[...] = rho * acc_delta + (1 - rho) * delta**2
        param.data -= group["lr"] * delta
