"""How fast and how safely gradient descent moves: the reference for ``06-optimization-techniques``.

Everything here is about the *dynamics* of first-order methods, not about a
particular optimizer class (those are in :mod:`anncourse.optim`):

* gradient descent on a quadratic with Hessian eigenvalues ``lambda_i``
  multiplies the error along each eigenvector by ``1 - lr * lambda_i`` per
  step: :func:`gd_rate`, :func:`optimal_gd_lr`;
* heavy-ball momentum, in PyTorch's form (``v <- beta v + g``,
  ``theta <- theta - lr v``, the same sequence as Polyak's
  ``theta_{k+1} = theta_k - lr grad + beta (theta_k - theta_{k-1})``), is a
  linear two-step recurrence per eigenvector; it converges iff
  ``0 < lr * h < 2 (1 + beta)`` and ``|beta| < 1`` (:func:`momentum_stable`),
  and its rate is the spectral radius of a 2x2 matrix
  (:func:`heavy_ball_rate`, :func:`optimal_momentum`, :func:`descent_path`);
* a gradient going back through a chain of layers is multiplied by
  ``w * f'(z)`` per layer (:func:`chain_gradient_factor`);
* :func:`clip_grad_norm` rescales a list of gradients by their global norm
  exactly as ``torch.nn.utils.clip_grad_norm_`` does, without changing its
  input.

Examples
--------
>>> round(optimal_gd_lr([0.2, 4.0]), 6), round(gd_rate(optimal_gd_lr([0.2, 4.0]), [0.2, 4.0]), 6)
(0.47619, 0.904762)
>>> momentum_stable(3.0, 0.9), momentum_stable(3.0, 0.0)
(True, False)
>>> f"{chain_gradient_factor('sigmoid', 10, 1.0):.3g}"
'9.54e-07'
"""
from __future__ import annotations

import math
import numpy as np

__all__ = ["ACTIVATION_SLOPES", "chain_gradient_factor", "clip_grad_norm", "descent_path",
           "gd_rate", "global_norm", "heavy_ball_rate", "momentum_stable", "optimal_gd_lr",
           "optimal_momentum"]

# f'(0) of each activation chain_gradient_factor accepts.  ReLU is left out on
# purpose: exactly at z = 0 its derivative is a convention (PyTorch uses 0), and on
# its active side (z > 0) it passes the gradient like the identity.
ACTIVATION_SLOPES = {"sigmoid": 0.25, "tanh": 1.0, "identity": 1.0}

# The constant PyTorch adds to the total norm before dividing (clip_grad_norm_).
CLIP_EPS = 1e-6


def _eigenvalues(eigenvalues) -> np.ndarray:
    lam = np.asarray(eigenvalues, dtype=np.float64).reshape(-1)
    if lam.size == 0:
        raise ValueError("eigenvalues must hold at least one number")
    if not np.all(np.isfinite(lam)):
        raise ValueError(f"eigenvalues must be finite, got {lam}")
    return lam


def _number(value, name: str) -> float:
    """A finite float from a number or a 0-d array (never a bool)."""
    ok = not isinstance(value, (bool, np.bool_)) and np.ndim(value) == 0
    try:
        out = float(value) if ok else math.nan
    except (TypeError, ValueError):
        out = math.nan
    if not math.isfinite(out):
        raise ValueError(f"{name} must be a finite number, got {value!r}")
    return out


def gd_rate(lr, eigenvalues) -> float:
    """The worst per-step contraction of gradient descent on a quadratic: ``max |1 - lr * lambda_i|``.

    On ``f(x) = x^T H x / 2`` a step ``x <- x - lr H x`` multiplies the
    component of ``x`` along the eigenvector of ``lambda_i`` by
    ``1 - lr lambda_i``; the slowest component sets the rate.  Below 1 the
    error shrinks geometrically; above 1 it grows.

    Examples
    --------
    >>> gd_rate(0.25, [0.2, 4.0])
    0.95
    >>> gd_rate(0.6, [0.2, 4.0])   # 1 - 0.6 * 4 = -1.4: the stiff direction overshoots and grows
    1.4
    """
    lam = _eigenvalues(eigenvalues)
    return float(np.max(np.abs(1.0 - _number(lr, "lr") * lam)))


def optimal_gd_lr(eigenvalues) -> float:
    """The learning rate ``2 / (lambda_min + lambda_max)`` that minimises :func:`gd_rate`.

    There the two extreme factors balance, ``1 - lr lambda_min = -(1 - lr
    lambda_max)``, and the rate is ``(kappa - 1) / (kappa + 1)`` with
    ``kappa = lambda_max / lambda_min``.

    Raises
    ------
    ValueError
        If an eigenvalue is not positive (the quadratic has no minimum to
        converge to).

    Examples
    --------
    >>> round(optimal_gd_lr([1.0, 3.0, 2.0]), 6)
    0.5
    """
    lam = _eigenvalues(eigenvalues)
    if np.any(lam <= 0):
        raise ValueError(f"every eigenvalue must be positive (a bowl with a minimum), got {lam}")
    return float(2.0 / (lam.min() + lam.max()))


def momentum_stable(lr_times_curvature, beta):
    """Whether heavy-ball momentum converges on ``f(x) = h x^2 / 2`` with ``a = lr * h``.

    The form is PyTorch's ``SGD(momentum=beta)``: ``v <- beta v + grad``,
    ``x <- x - lr v``; eliminating ``v`` gives
    ``x_{k+1} = (1 + beta - a) x_k - beta x_{k-1}``, whose iteration matrix
    ``[[1 + beta - a, -beta], [1, 0]]`` has the characteristic polynomial
    ``r^2 - (1 + beta - a) r + beta``.  Both roots lie inside the unit
    circle iff (Jury's test) ``|beta| < 1`` and ``0 < a < 2 (1 + beta)``.

    Scalars give a ``bool``; arrays broadcast and give a boolean array.

    Examples
    --------
    >>> momentum_stable(1.9, 0.0), momentum_stable(2.1, 0.0)   # plain gradient descent: a < 2
    (True, False)
    >>> momentum_stable([0.5, 3.7, 3.9], 0.9).tolist()          # 2 (1 + 0.9) = 3.8
    [True, True, False]
    """
    a = np.asarray(lr_times_curvature, dtype=np.float64)
    b = np.asarray(beta, dtype=np.float64)
    stable = (np.abs(b) < 1) & (a > 0) & (a < 2.0 * (1.0 + b))
    return bool(stable) if stable.ndim == 0 else stable


def heavy_ball_rate(lr, beta, eigenvalues, nesterov: bool = False) -> float:
    """The asymptotic per-step rate (spectral radius) of momentum on a quadratic.

    For each eigenvalue ``h`` with ``a = lr * h`` the roots of
    ``r^2 - (1 + beta - a) r + beta`` (heavy ball) or of
    ``r^2 - (1 - a)(1 + beta) r + (1 - a) beta`` (Nesterov: the gradient at
    the look-ahead point) are computed; the rate is the largest modulus.

    Examples
    --------
    >>> round(heavy_ball_rate(0.1, 0.0, [1.0, 4.0]), 6)   # no momentum: gradient descent's rate
    0.9
    >>> round(heavy_ball_rate(0.5, 0.25, [1.0]), 6)       # a double root at r = 0.5 = sqrt(beta)
    0.5
    """
    lam = _eigenvalues(eigenvalues)
    a = _number(lr, "lr") * lam
    beta = _number(beta, "beta")
    if nesterov:
        b1, b0 = (1 - a) * (1 + beta), (1 - a) * beta
    else:
        b1, b0 = 1 + beta - a, np.full_like(a, beta)
    disc = np.sqrt((b1 * b1 - 4 * b0).astype(np.complex128))
    roots = np.abs(np.stack([(b1 + disc) / 2, (b1 - disc) / 2]))
    return float(roots.max())


def optimal_momentum(eigenvalues) -> tuple[float, float, float]:
    """Polyak's best heavy-ball settings for eigenvalues in ``[mu, L]``: ``(lr, beta, rate)``.

    ``lr = 4 / (sqrt(L) + sqrt(mu))^2``, ``beta = ((sqrt(kappa) - 1) / (sqrt(kappa) + 1))^2``
    and the rate is ``sqrt(beta) = (sqrt(kappa) - 1) / (sqrt(kappa) + 1)``, against
    gradient descent's ``(kappa - 1) / (kappa + 1)``.

    Examples
    --------
    >>> [round(v, 6) for v in optimal_momentum([0.2, 4.0])]
    [0.667907, 0.402605, 0.634512]
    """
    lam = _eigenvalues(eigenvalues)
    if np.any(lam <= 0):
        raise ValueError(f"every eigenvalue must be positive, got {lam}")
    mu, big = float(lam.min()), float(lam.max())
    root = math.sqrt(big / mu)
    rate = (root - 1) / (root + 1)
    return 4.0 / (math.sqrt(big) + math.sqrt(mu)) ** 2, rate * rate, rate


def descent_path(lr, beta, eigenvalues, start, steps: int, nesterov: bool = False) -> np.ndarray:
    """The iterates of momentum on ``f(x) = sum_i lambda_i x_i^2 / 2``, as PyTorch's SGD computes them.

    ``v <- beta v + grad``; ``x <- x - lr v`` (heavy ball) or
    ``x <- x - lr (grad + beta v)`` (``nesterov=True``); ``v`` starts at 0,
    which is PyTorch's first step ``v = grad``.  ``beta = 0`` is gradient
    descent.  Returns an array of shape ``(steps + 1, d)`` whose first row is
    ``start``.

    Examples
    --------
    >>> descent_path(0.5, 0.0, [1.0], [1.0], 3)[:, 0].tolist()
    [1.0, 0.5, 0.25, 0.125]
    """
    lam = _eigenvalues(eigenvalues)
    x = np.asarray(start, dtype=np.float64).reshape(-1).copy()
    if x.shape != lam.shape:
        raise ValueError(f"start has {x.size} coordinates for {lam.size} eigenvalues")
    lr, beta = _number(lr, "lr"), _number(beta, "beta")
    if int(steps) < 0:
        raise ValueError(f"steps must be >= 0, got {steps}")
    v = np.zeros_like(x)
    path = [x.copy()]
    with np.errstate(over="ignore", invalid="ignore"):
        for _ in range(int(steps)):
            grad = lam * x
            v = beta * v + grad
            x = x - lr * (grad + beta * v if nesterov else v)
            path.append(x.copy())
    return np.array(path)


def chain_gradient_factor(activation: str, depth: int, weight: float) -> float:
    """``d a_L / d a_0`` for a scalar chain ``a_l = f(w a_{l-1} + b_l)`` with every ``z_l = 0``.

    Each layer multiplies the gradient by ``w * f'(0)``, so after ``depth``
    layers it is ``(w f'(0))**depth``: ``f'(0)`` is 1/4 for the sigmoid and 1
    for tanh and the identity (see :data:`ACTIVATION_SLOPES`).  The sign is
    kept: a negative weight flips it at every layer.

    Raises
    ------
    ValueError
        For another activation name (the message names the accepted ones)
        or a depth below 1.

    Examples
    --------
    >>> chain_gradient_factor("tanh", 3, 2.0), chain_gradient_factor("identity", 3, -0.5)
    (8.0, -0.125)
    """
    if isinstance(activation, np.ndarray) and activation.ndim == 0:
        activation = activation.item()   # a name that went through np.asarray
    if not isinstance(activation, str) or activation not in ACTIVATION_SLOPES:
        raise ValueError(f"unknown activation {activation!r}: use one of "
                         f"{', '.join(repr(k) for k in ACTIVATION_SLOPES)}")
    depth_value = _number(depth, "depth")
    if depth_value != int(depth_value) or depth_value < 1:
        raise ValueError(f"depth must be a whole number >= 1, got {depth!r}")
    return float((_number(weight, "weight") * ACTIVATION_SLOPES[activation]) ** int(depth_value))


def global_norm(grads) -> float:
    """The Euclidean norm of all the entries of a list of arrays taken together.

    Examples
    --------
    >>> global_norm([[3.0], [[4.0, 0.0]]])
    5.0
    """
    return float(math.sqrt(sum(float(np.sum(np.square(np.asarray(g, dtype=np.float64))))
                               for g in grads)))


def clip_grad_norm(grads, max_norm) -> list:
    """New arrays: ``grads`` scaled by ``min(1, max_norm / (total_norm + 1e-6))``, as PyTorch does.

    ``total_norm`` is :func:`global_norm` of all the gradients together, so
    every array is scaled by the *same* factor and the direction of the
    whole step is kept.  Gradients already within the limit are multiplied
    by 1 (never scaled up); the ``1e-6`` keeps a zero gradient finite and
    leaves a clipped norm a hair under ``max_norm``.  Unlike
    ``torch.nn.utils.clip_grad_norm_``, which works in place and returns the
    total norm, this returns new float64 arrays and leaves ``grads`` alone.

    Examples
    --------
    >>> [g.round(6).tolist() for g in clip_grad_norm([[3.0], [[4.0, 0.0]]], 1.0)]   # norm 5 -> 1
    [[0.6], [[0.8, 0.0]]]
    >>> [g.tolist() for g in clip_grad_norm([[0.3], [0.4]], 1.0)]   # norm 0.5: unchanged
    [[0.3], [0.4]]
    """
    max_norm = _number(max_norm, "max_norm")
    if max_norm < 0:
        raise ValueError(f"max_norm must be >= 0, got {max_norm}")
    arrays = [np.array(g, dtype=np.float64) for g in grads]
    scale = min(1.0, max_norm / (global_norm(arrays) + CLIP_EPS))
    return [g * scale for g in arrays]
