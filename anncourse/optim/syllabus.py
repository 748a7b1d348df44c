"""The optimizers as the syllabus writes them, where that differs from PyTorch.

The classes in :mod:`anncourse.optim` follow ``torch.optim``, which is what
learners will use after the course. In a few places the syllabus writes
the same idea a different way; each class here implements the syllabus's
form (made complete where the syllabus leaves a line out), and its
docstring says exactly when it agrees with the PyTorch form:

* :class:`MomentumEMA` (``v = beta v + (1 - beta) g``) is
  ``SGD(momentum=beta)`` with the learning rate scaled by ``1 - beta``;
* :class:`NesterovLookahead` (gradient at the look-ahead point) is
  ``SGD(momentum=beta, nesterov=True)`` after a change of variables;
* :class:`AdagradEpsInsideSqrt` and :class:`RMSpropEpsInsideSqrt`
  (``sqrt(G + eps)``) take steps within a factor ``1 + eps/sqrt(G) + eps/G``
  of ``Adagrad``'s and ``RMSprop``'s (``sqrt(G) + eps``): close while the
  gradients are well above ``sqrt(eps)``, far apart below it;
* :class:`AdadeltaOriginal` (no learning rate) is ``Adadelta(lr=1)``;
* :class:`NadamDozat` (``m`` decays with the scheduled momentum) agrees
  with ``NAdam`` (``m`` decays with ``beta1``) only when ``beta1 = 0``.

The tests in ``tests/test_optim_syllabus.py`` check every claim in this
list.
"""

import numpy as np

from anncourse.optim._checks import check_betas, check_fraction, check_non_negative
from anncourse.optim.optimizer import Optimizer, _checked_grad

__all__ = [
    "MomentumEMA",
    "NesterovLookahead",
    "AdagradEpsInsideSqrt",
    "RMSpropEpsInsideSqrt",
    "AdadeltaOriginal",
    "NadamDozat",
]


class MomentumEMA(Optimizer):
    """Momentum as the syllabus writes it: a decaying *average* of gradients.

    Algorithm, for each parameter ``theta`` with gradient ``g``::

        input: lr, beta
        state: velocity v (starts at 0)

        for t = 1, 2, ...:
            g = dJ/dtheta (theta)
            v = beta * v + (1 - beta) * g
            theta = theta - lr * v

    **Relation to** ``SGD(momentum=beta)``. PyTorch's buffer is a decaying
    *sum*, ``b_t = beta * b_{t-1} + g_t`` with ``b_1 = g_1``; unrolled,
    ``b_t = sum_k beta^(t-k) g_k`` while ``v_t = (1 - beta) sum_k beta^(t-k) g_k``.
    So ``v_t = (1 - beta) b_t`` at every step, and

        ``MomentumEMA(lr, beta)`` = ``SGD(lr=lr * (1 - beta), momentum=beta)``

    step for step. SGD with ``dampening=beta`` and the same ``lr`` looks like
    the same formula, ``b = beta b + (1 - beta) g``, but its first step sets
    ``b_1 = g_1`` instead of ``(1 - beta) g_1``: its buffer is
    ``v_t + beta^t g_1``, and the trajectories differ.

    Parameters
    ----------
    params : iterable of Parameter or of dict
        Parameters to optimize, or parameter groups (dicts).
    lr : float, default 1e-3
        Learning rate, ``>= 0``.
    beta : float, default 0.9
        Decay of the average, in ``[0, 1)``.

    Raises
    ------
    ValueError
        If ``lr`` is negative or ``beta`` is outside ``[0, 1)``.

    Examples
    --------
    >>> import numpy as np
    >>> from anncourse.nn.parameter import Parameter
    >>> w = Parameter([1.0])
    >>> optimizer = MomentumEMA([w], lr=0.5, beta=0.9)
    >>> for _ in range(2):
    ...     w.grad = np.array([1.0])      # a constant gradient
    ...     optimizer.step()
    >>> optimizer.state[w]["velocity"].round(6)   # 0.1, then 0.9 * 0.1 + 0.1
    array([0.19])
    """

    def __init__(self, params, lr=1e-3, beta=0.9):
        super().__init__(params, dict(lr=lr, beta=beta))

    def _check_hyperparameters(self, group):
        check_non_negative(group, "lr")
        check_fraction(group, "beta", include_one=False)

    def _update(self, param, grad, state, group):
        beta = group["beta"]
        if not state:
            state["velocity"] = np.zeros_like(param.data)
        v = state["velocity"]

        v[...] = beta * v + (1 - beta) * grad
        param.data -= group["lr"] * v


class NesterovLookahead(Optimizer):
    """Nesterov accelerated gradient as the syllabus writes it: a look-ahead.

    Algorithm, for each parameter ``theta``::

        input: lr, momentum beta, and a closure that computes the gradient
        state: velocity v (starts at 0)

        for t = 1, 2, ...:
            theta_ahead = theta - lr * beta * v
            g = dJ/dtheta (theta_ahead)
            v = beta * v + g
            theta = theta - lr * v

    Plain momentum takes the gradient at ``theta``. Nesterov first looks
    where the momentum alone is taking the parameters, ``theta_ahead``, and
    takes the gradient there, so it can brake before overshooting.

    The syllabus writes the look-ahead point as ``theta - beta * v``. That
    is right when the velocity is measured in units of ``theta`` (as in
    Sutskever et al., 2013, where ``v`` includes the learning rate). With
    ``v`` in units of the gradient, as in the syllabus's own update
    ``theta - lr * v``, the momentum moves ``theta`` by ``lr * beta * v``,
    so that is the look-ahead used here. The two agree when ``lr = 1``.

    **The closure.** The gradient must be evaluated at ``theta_ahead``, not
    at the current parameters, so :meth:`step` needs a function that
    recomputes it. ``step(closure)`` moves every parameter to its look-ahead
    point, calls ``closure()`` (which must clear the gradients, run the
    forward and backward pass and return the loss), then puts the parameters
    at their new values.

    **Relation to** ``SGD(momentum=beta, nesterov=True)``. Write
    ``phi_t = theta_t - lr * beta * v_{t-1}`` for the look-ahead point. The
    loop above becomes ``g = dJ/dtheta (phi)``, ``v = beta v + g``,
    ``phi = phi - lr * (g + beta * v)``: exactly PyTorch's Nesterov SGD run
    on ``phi``. The two produce the same gradients and, after every step,
    PyTorch's parameters are this class's ``theta - lr * beta * v``.

    Parameters
    ----------
    params : iterable of Parameter or of dict
        Parameters to optimize, or parameter groups (dicts).
    lr : float, default 1e-3
        Learning rate, ``>= 0``.
    momentum : float, default 0.9
        ``beta``, ``>= 0``.

    Raises
    ------
    ValueError
        If ``lr`` or ``momentum`` is negative.
    TypeError
        If :meth:`step` is called without a closure.

    Examples
    --------
    Minimize ``J(w) = w^2``:

    >>> import numpy as np
    >>> from anncourse.nn.parameter import Parameter
    >>> w = Parameter([1.0])
    >>> optimizer = NesterovLookahead([w], lr=0.1, momentum=0.9)
    >>> def closure():
    ...     optimizer.zero_grad()
    ...     w.accumulate_grad(2 * w.data)
    ...     return float(w.data[0] ** 2)
    >>> for _ in range(2):
    ...     loss = optimizer.step(closure)
    >>> w.data.round(6)
    array([0.496])
    """

    def __init__(self, params, lr=1e-3, momentum=0.9):
        super().__init__(params, dict(lr=lr, momentum=momentum))

    def _check_hyperparameters(self, group):
        check_non_negative(group, "lr", "momentum")

    def step(self, closure=None):
        """Look ahead, evaluate the gradient there with ``closure``, update.

        Parameters
        ----------
        closure : callable
            Clears the gradients, computes the loss and its gradients at the
            parameters' current values (the look-ahead point), returns the
            loss.

        Returns
        -------
        float
            What ``closure`` returned: the loss at the look-ahead point.

        Raises
        ------
        TypeError
            If ``closure`` is missing.
        ValueError
            If a gradient's shape or dtype differs from its parameter's.
        """
        if closure is None:
            raise TypeError(
                "NesterovLookahead.step needs a closure: a function that "
                "clears the gradients, computes the loss and its gradients at "
                "the parameters' current values, and returns the loss"
            )
        origins = {}
        for group in self.param_groups:
            for param in group["params"]:
                state = self.state[param]
                if not state:
                    state["velocity"] = np.zeros_like(param.data)
                origins[param] = param.data.copy()
                param.data -= group["lr"] * group["momentum"] * state["velocity"]

        loss = closure()

        for group in self.param_groups:
            lr, beta = group["lr"], group["momentum"]
            for param in group["params"]:
                theta = origins[param]
                # A parameter the loss did not reach goes back, unchanged.
                if param.grad is None:
                    param.data[...] = theta
                    continue
                grad = _checked_grad(param)
                v = self.state[param]["velocity"]
                v[...] = beta * v + grad
                param.data[...] = theta - lr * v
        return loss


class AdagradEpsInsideSqrt(Optimizer):
    """Adagrad as the syllabus writes it, with ``eps`` inside the square root.

    Algorithm, for each parameter ``theta`` with gradient ``g`` (elementwise)::

        input: lr, eps
        state: sum of squared gradients G (starts at 0)

        for t = 1, 2, ...:
            g = dJ/dtheta (theta)
            G = G + g^2
            theta = theta - lr / sqrt(G + eps) * g

    **Relation to** :class:`~anncourse.optim.Adagrad`, which divides by
    ``sqrt(G) + eps``. Both see the same ``G``, and the ratio of their steps
    is ``sqrt(G + eps) / (sqrt(G) + eps)``, within ``eps * (1/sqrt(G) + 1/G)``
    of 1. As ``G`` only grows, once one gradient has been well above
    ``sqrt(eps)`` (1e-5 for the default ``eps``) the two stay close for
    ever. While all gradients so far are around or below ``sqrt(eps)`` they
    do not: PyTorch's first step is still about ``lr``, this one's is about
    ``lr * |g| / sqrt(eps)``, much smaller.

    Parameters
    ----------
    params : iterable of Parameter or of dict
        Parameters to optimize, or parameter groups (dicts).
    lr : float, default 0.01
        Learning rate, ``>= 0``.
    eps : float, default 1e-10
        ``>= 0``, added to ``G`` under the square root.

    Raises
    ------
    ValueError
        If ``lr`` or ``eps`` is negative.

    Examples
    --------
    >>> import numpy as np
    >>> from anncourse.nn.parameter import Parameter
    >>> w = Parameter([1.0, 1.0])
    >>> optimizer = AdagradEpsInsideSqrt([w], lr=0.5)
    >>> w.grad = np.array([100.0, 1e-6])
    >>> optimizer.step()
    >>> w.data.round(4)
    array([0.5   , 0.9502])
    """

    def __init__(self, params, lr=1e-2, eps=1e-10):
        super().__init__(params, dict(lr=lr, eps=eps))

    def _check_hyperparameters(self, group):
        check_non_negative(group, "lr", "eps")

    def _update(self, param, grad, state, group):
        if not state:
            state["sum"] = np.zeros_like(param.data)
        G = state["sum"]

        G[...] = G + grad**2
        param.data -= group["lr"] / np.sqrt(G + group["eps"]) * grad


class RMSpropEpsInsideSqrt(Optimizer):
    """RMSprop as the syllabus writes it, with ``eps`` inside the square root.

    Algorithm, for each parameter ``theta`` with gradient ``g`` (elementwise)::

        input: lr, alpha (the syllabus's beta), eps
        state: E[g^2] (starts at 0)

        for t = 1, 2, ...:
            g = dJ/dtheta (theta)
            E[g^2] = alpha * E[g^2] + (1 - alpha) * g^2
            theta = theta - lr / sqrt(E[g^2] + eps) * g

    **Relation to** :class:`~anncourse.optim.RMSprop` (without momentum,
    centering or weight decay), which divides by ``sqrt(E[g^2]) + eps``:
    as for Adagrad, the steps differ by a factor within
    ``eps * (1/sqrt(E) + 1/E)`` of 1, where ``E = E[g^2]``. They agree
    closely while the recent gradients are well above ``sqrt(eps)`` (1e-4
    for the default ``eps``); unlike Adagrad's sum, ``E`` forgets, so when
    the gradients become that small (near a minimum) the two part.

    Parameters
    ----------
    params : iterable of Parameter or of dict
        Parameters to optimize, or parameter groups (dicts).
    lr : float, default 0.01
        Learning rate, ``>= 0``.
    alpha : float, default 0.99
        Decay of the average, in ``[0, 1]``.
    eps : float, default 1e-8
        ``>= 0``, added to ``E[g^2]`` under the square root.

    Raises
    ------
    ValueError
        If ``lr`` or ``eps`` is negative or ``alpha`` is outside ``[0, 1]``.

    Examples
    --------
    >>> import numpy as np
    >>> from anncourse.nn.parameter import Parameter
    >>> w = Parameter([1.0])
    >>> optimizer = RMSpropEpsInsideSqrt([w], lr=0.01, alpha=0.9)
    >>> w.grad = np.array([4.0])
    >>> optimizer.step()      # E = 0.1 * 16, step = 0.01 * 4 / sqrt(1.6)
    >>> w.data.round(6)
    array([0.968377])
    """

    def __init__(self, params, lr=1e-2, alpha=0.99, eps=1e-8):
        super().__init__(params, dict(lr=lr, alpha=alpha, eps=eps))

    def _check_hyperparameters(self, group):
        check_non_negative(group, "lr", "eps")
        check_fraction(group, "alpha", include_one=True)

    def _update(self, param, grad, state, group):
        alpha = group["alpha"]
        if not state:
            state["square_avg"] = np.zeros_like(param.data)
        E = state["square_avg"]

        E[...] = alpha * E + (1 - alpha) * grad**2
        param.data -= group["lr"] / np.sqrt(E + group["eps"]) * grad


class AdadeltaOriginal(Optimizer):
    """Adadelta as Zeiler (2012) published it: no learning rate.

    Algorithm, for each parameter ``theta`` with gradient ``g`` (elementwise)::

        input: rho, eps
        state: E[g^2] (starts at 0), E[dx^2] (starts at 0)

        for t = 1, 2, ...:
            g = dJ/dtheta (theta)
            E[g^2] = rho * E[g^2] + (1 - rho) * g^2
            dx = sqrt(E[dx^2] + eps) / sqrt(E[g^2] + eps) * g
            E[dx^2] = rho * E[dx^2] + (1 - rho) * dx^2
            theta = theta - dx

    This is the syllabus's Adadelta (its ``beta`` is ``rho``) with the line
    it leaves out, the update of ``E[dx^2]``. The ratio of the two RMS
    values gives ``dx`` the units of ``theta``, which is why no learning
    rate is needed. The defaults are the paper's.

    **Relation to** :class:`~anncourse.optim.Adadelta`. PyTorch adds a
    learning rate: ``theta = theta - lr * dx``, while ``E[dx^2]`` still
    accumulates the unscaled ``dx``. With ``lr = 1`` (PyTorch's default) the
    two are the same algorithm. With another ``lr`` they differ: fed the
    same gradients, PyTorch's steps are ``lr`` times these; once the
    gradients depend on where the parameters are, the trajectories part.

    Parameters
    ----------
    params : iterable of Parameter or of dict
        Parameters to optimize, or parameter groups (dicts).
    rho : float, default 0.95
        Decay of the running averages, in ``[0, 1]``.
    eps : float, default 1e-6
        ``>= 0``, added under both square roots.

    Raises
    ------
    ValueError
        If ``eps`` is negative or ``rho`` is outside ``[0, 1]``.

    Examples
    --------
    >>> import numpy as np
    >>> from anncourse.nn.parameter import Parameter
    >>> w = Parameter([1.0])
    >>> optimizer = AdadeltaOriginal([w], rho=0.95, eps=1e-6)
    >>> w.grad = np.array([2.0])
    >>> optimizer.step()     # dx = sqrt(1e-6) / sqrt(0.05 * 4 + 1e-6) * 2
    >>> (1 - w.data).round(6)
    array([0.004472])
    """

    def __init__(self, params, rho=0.95, eps=1e-6):
        super().__init__(params, dict(rho=rho, eps=eps))

    def _check_hyperparameters(self, group):
        check_non_negative(group, "eps")
        check_fraction(group, "rho", include_one=True)

    def _update(self, param, grad, state, group):
        rho, eps = group["rho"], group["eps"]
        if not state:
            state["square_avg"] = np.zeros_like(param.data)
            state["acc_delta"] = np.zeros_like(param.data)
        square_avg, acc_delta = state["square_avg"], state["acc_delta"]

        square_avg[...] = rho * square_avg + (1 - rho) * grad**2
        delta = np.sqrt(acc_delta + eps) / np.sqrt(square_avg + eps) * grad
        acc_delta[...] = rho * acc_delta + (1 - rho) * delta**2
        param.data -= delta


class NadamDozat(Optimizer):
    """Nadam as Dozat (2016) published it: the momentum follows its schedule.

    Algorithm, for each parameter ``theta`` with gradient ``g`` (squares,
    ``sqrt`` and the division are elementwise)::

        input: lr, betas (beta1, beta2), eps, momentum_decay psi
        state: step t, m (starts at 0), v (starts at 0),
               mu_product P (starts at 1)

        for t = 1, 2, ...:
            g = dJ/dtheta (theta)
            mu_t     = beta1 * (1 - 0.5 * 0.96^(t * psi))
            mu_{t+1} = beta1 * (1 - 0.5 * 0.96^((t + 1) * psi))
            P_t      = P_{t-1} * mu_t               (= mu_1 * ... * mu_t)
            m = mu_t * m + (1 - mu_t) * g
            v = beta2 * v + (1 - beta2) * g^2
            m_bar = (1 - mu_t) * g / (1 - P_t) + mu_{t+1} * m / (1 - P_t * mu_{t+1})
            v_hat = v / (1 - beta2^t)
            theta = theta - lr * m_bar / (sqrt(v_hat) + eps)

    The schedule (``psi = 0.004``: 0.96 to the power ``t / 250``) makes the
    momentum warm up from ``beta1 / 2`` towards ``beta1``.

    **Relation to** :class:`~anncourse.optim.NAdam`. The only difference is
    the line ``m = mu_t * m + (1 - mu_t) * g``: PyTorch (like Keras) decays
    ``m`` with the constant ``beta1``. With the scheduled ``mu_t``, the
    bias correction ``1 - P_t`` is exact (for a constant gradient ``g``,
    ``m_t = (1 - P_t) g``); with ``beta1`` it is not (there
    ``m_t = (1 - beta1^t) g``). The two agree only when ``beta1 = 0``, where
    both become RMSprop with Adam's bias correction.

    Parameters
    ----------
    params : iterable of Parameter or of dict
        Parameters to optimize, or parameter groups (dicts).
    lr : float, default 2e-3
        Learning rate, ``>= 0``.
    betas : (float, float), default (0.9, 0.999)
        ``beta1`` (the momentum the schedule tends to) and ``beta2``, each in
        ``[0, 1)``.
    eps : float, default 1e-8
        ``>= 0``, added to the denominator.
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
    >>> w = Parameter([1.0])
    >>> optimizer = NadamDozat([w], lr=0.1)
    >>> for _ in range(3):
    ...     w.grad = np.array([3.0])      # a constant gradient
    ...     optimizer.step()
    >>> P = optimizer.state[w]["mu_product"]
    >>> bool(np.allclose(optimizer.state[w]["exp_avg"], (1 - P) * 3.0))
    True
    """

    def __init__(self, params, lr=2e-3, betas=(0.9, 0.999), eps=1e-8, momentum_decay=4e-3):
        defaults = dict(lr=lr, betas=betas, eps=eps, momentum_decay=momentum_decay)
        super().__init__(params, defaults)

    def _check_hyperparameters(self, group):
        check_non_negative(group, "lr", "eps", "momentum_decay")
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

        mu = beta1 * (1 - 0.5 * 0.96 ** (t * psi))
        mu_next = beta1 * (1 - 0.5 * 0.96 ** ((t + 1) * psi))
        state["mu_product"] *= mu
        product = state["mu_product"]
        m[...] = mu * m + (1 - mu) * grad
        v[...] = beta2 * v + (1 - beta2) * grad**2
        m_bar = (1 - mu) * grad / (1 - product) + mu_next * m / (1 - product * mu_next)
        v_hat = v / (1 - beta2**t)
        param.data -= group["lr"] * m_bar / (np.sqrt(v_hat) + group["eps"])
