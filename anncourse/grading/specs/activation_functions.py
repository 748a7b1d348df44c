"""Exercises of ``04-activation-functions``: the activations, their derivatives and a dead-unit count.

Expected values come from :mod:`anncourse.activations` (tanh, leaky ReLU,
softmax) or from the two references below (the softmax Jacobian and the
dead-unit fraction, which :mod:`anncourse.activations` does not have);
:mod:`anncourse.grading.specbuilder` supplies keys, seeds, the standard
hidden checks and the common hints.

Correct styles that must pass: ``np.tanh`` or the identity
``tanh z = 2 sigmoid(2z) - 1`` (written so that it does not overflow), loops
with :mod:`math` or vectorised NumPy, ``np.where`` or ``np.maximum`` for
leaky ReLU, ``np.diag(p) - np.outer(p, p)`` or a double loop for the
Jacobian, a boolean mean or a count divided by the number of units for the
dead fraction, lists or arrays, float32 or float64.

Conventions the exercises state, and the checks therefore hold:

* leaky ReLU's derivative at ``z = 0`` is ``alpha`` (PyTorch's choice,
  shown in the visible example);
* softmax is stable: logits of 1000 and more give the right probabilities,
  and each slice along ``axis`` is shifted by its *own* maximum (a single
  global maximum gives 0/0 for a row far below it);
* ``dead_relu_fraction(Z)`` takes one sample per row and one unit per
  column; a unit whose pre-activation is exactly 0 for every sample counts
  as dead (ReLU gives 0 and a derivative of 0 there).

Tolerances
----------
``EXACT = Tol(1e-6, 1e-9)`` in float64: correct formulas differ by rounding
only (``2 sigmoid(2z) - 1`` against ``np.tanh`` loses about three digits to
cancellation near ``z = 0``, still ~1e-13 relative), while every wrong formula
is off by a factor or a term.  ``F32 = Tol(1e-4, 1e-5)`` for float32 input:
about 7 significant digits; ``1 - tanh(z)**2`` in float32 loses a few more
near saturation, where ``atol`` covers it.  The dead fraction is a ratio of
integers and is compared exactly up to rounding.
"""
from __future__ import annotations

import numpy as np

from ... import activations
from ..specbuilder import Chapter, Tol, fixed, holds, mistake, random, standard

__all__ = ["EXERCISES", "dead_relu_fraction", "leaky_relu", "leaky_relu_grad", "softmax_jacobian"]

chapter = Chapter(__name__)

EXACT = Tol(1e-6, 1e-9)
F32 = Tol(1e-4, 1e-5)


def _a(x):
    return np.asarray(x, dtype=float)


# --- references in the learner's signature -----------------------------------------

def leaky_relu(z, alpha=0.01):
    """Leaky ReLU with slope ``alpha`` for ``z <= 0`` (the exercise's keyword name)."""
    return activations.leaky_relu(z, negative_slope=alpha)


def leaky_relu_grad(z, alpha=0.01):
    """Derivative of leaky ReLU: 1 for ``z > 0``, ``alpha`` for ``z <= 0``."""
    return activations.leaky_relu_grad(z, negative_slope=alpha)


def softmax_jacobian(p):
    """The Jacobian ``d softmax_i / d z_j = p_i (delta_ij - p_j)`` of one probability vector ``p``.

    Examples
    --------
    >>> softmax_jacobian([0.5, 0.5])
    array([[ 0.25, -0.25],
           [-0.25,  0.25]])
    """
    p = np.asarray(p, dtype=np.float64)
    if p.ndim != 1 or p.size == 0:
        raise ValueError(f"p must be one non-empty probability vector (1-D), got shape {p.shape}")
    return np.diag(p) - np.outer(p, p)


def dead_relu_fraction(Z):
    """The share of units (columns) whose pre-activation is ``<= 0`` for every sample (row).

    Examples
    --------
    >>> dead_relu_fraction([[1.0, -1.0, 0.0, -2.0], [-3.0, -0.5, 0.0, 4.0]])
    0.5
    """
    Z = np.asarray(Z, dtype=np.float64)
    if Z.ndim != 2 or Z.size == 0:
        raise ValueError(f"Z must be 2-D (samples x units) and non-empty, got shape {Z.shape}")
    return float(np.mean(np.all(Z <= 0, axis=0)))


# --- random inputs: make(rng, n, dtype), n=None for one sample ------------------------

def _elementwise(rng, n, dtype=np.float64):
    """Pre-activations of both signs, some saturating; 2-D for a batch, 1-D for one sample."""
    shape = (int(rng.integers(3, 7)),) if n is None else (n, 3)
    return (rng.normal(0.0, 2.5, size=shape).astype(dtype),)


def _with_alpha(rng, n, dtype=np.float64):
    (z,) = _elementwise(rng, n, dtype)
    return (z,), {"alpha": float(rng.choice([0.05, 0.2, 0.3]))}


def _logits(rng, n, dtype=np.float64):
    c = int(rng.integers(3, 7))
    shape = (c,) if n is None else (max(2, n // 3), c)
    return (rng.normal(0.0, 3.0, size=shape).astype(dtype),)


def _probabilities(rng, n, dtype=np.float64):
    # One vector per call; ``n`` only sets its length (the Jacobian has no batch form).
    c = int(rng.integers(2, 6)) if n is None else min(max(2, n // 4), 9)
    return (rng.dirichlet(np.ones(c)).astype(dtype),)


def _activations(rng, n, dtype=np.float64):
    """``n`` samples x 6 to 12 units; about a third of the units dead, one of them exactly 0."""
    n = 4 if n is None else n
    units = int(rng.integers(6, 13))
    Z = rng.normal(0.0, 1.0, size=(n, units))
    dead = rng.choice(units, size=units // 3, replace=False)
    Z[:, dead] = -np.abs(Z[:, dead])
    Z[:, dead[0]] = 0.0
    # A unit alive in just one sample: "all" and "any" disagree on it.
    alive_once = [u for u in range(units) if u not in dead][0]
    Z[:, alive_once] = -np.abs(Z[:, alive_once])
    Z[int(rng.integers(n)), alive_once] = 0.5
    return (Z.astype(dtype),)


# --- tanh -----------------------------------------------------------------------

def _sigmoid(z):
    return 1 / (1 + np.exp(-_a(z)))


TANH_VISIBLE = [("the worked example (z = [-2, -0.5, 0, 0.5, 2])", (_a([-2, -0.5, 0, 0.5, 2]),)),
                ("a batch (2 samples x 3 units), given as Python lists",
                 ([[1.0, -1.0, 3.0], [0.25, -4.0, 0.0]],))]
LARGE = fixed("overflows or gives NaN for z = +-1000 (any finite z must work)",
              (_a([[-1000.0, -30.0, 30.0, 1000.0]]),), tol=EXACT)

TANH = chapter.exercise(
    activations.tanh, tol=EXACT, visible=TANH_VISIBLE,
    hidden=[standard(_elementwise, EXACT, F32), LARGE,
            holds("not odd (tanh(-z) must equal -tanh(z))",
                  lambda r: r.shape == (2, 4) and np.allclose(r[0], -r[1], atol=1e-12),
                  (_a([[0.3, 1.7, 2.2, 6.0], [-0.3, -1.7, -2.2, -6.0]]),), "tanh(-z) is not -tanh(z)")],
    mistakes=[mistake("sigmoid instead", _sigmoid,
                      "this is the sigmoid, with values in (0, 1): tanh ranges over (-1, 1)."),
              mistake("2 sigmoid(z) - 1", lambda z: 2 * _sigmoid(z) - 1,
                      "2*sigmoid(z) - 1 is tanh(z/2): the identity is tanh(z) = 2*sigmoid(2z) - 1.")],
)

TANH_GRAD = chapter.exercise(
    activations.tanh_grad, tol=EXACT, visible=TANH_VISIBLE,
    hidden=[standard(_elementwise, EXACT, F32), LARGE,
            holds("not at most 1 with its maximum 1 at z = 0", lambda r: r.shape == (3,) and r[1] == 1.0
                  and r[0] < 1 and r[2] < 1, (_a([-0.1, 0.0, 0.1]),), "the derivative does not peak at 1")],
    mistakes=[mistake("1 - tanh (no square)", lambda z: 1 - np.tanh(_a(z)),
                      "the derivative is 1 - tanh(z)**2: square tanh(z)."),
              mistake("1 - z**2", lambda z: 1 - _a(z) ** 2,
                      "apply the formula to tanh(z), not to z: the derivative is 1 - tanh(z)**2."),
              mistake("the sigmoid's derivative", lambda z: _sigmoid(z) * (1 - _sigmoid(z)),
                      "this is the sigmoid's derivative (at most 0.25): tanh's is 1 - tanh(z)**2 "
                      "(at most 1).")],
)

# --- leaky ReLU -------------------------------------------------------------------

_LEAKY_Z = _a([-3.0, -0.5, 0.0, 0.5, 3.0])
LEAKY_VISIBLE = [("the worked example (z = [-3, -0.5, 0, 0.5, 3], default alpha)", (_LEAKY_Z,)),
                 ("the same z with alpha = 0.2", (_LEAKY_Z,), {"alpha": 0.2}),
                 ("a batch (2 samples x 3 units) as Python lists, alpha = 0.1",
                  ([[-10.0, 2.0, 0.0], [4.0, -1.0, -0.25]],), {"alpha": 0.1})]
LEAKY_HIDDEN = [standard(_with_alpha, EXACT, F32),
                random("wrong with the default alpha", lambda rng: _elementwise(rng, 12), EXACT),
                fixed("wrong for large inputs or exactly at z = 0",
                      ((_a([[-1e6, 0.0, 1e6], [0.0, -0.0, 1e-300]]),), {"alpha": 0.25}), tol=EXACT)]


def _where(z, left, right):
    z = _a(z)
    return np.where(z > 0, right(z), left(z))


LEAKY = chapter.exercise(
    leaky_relu, tol=EXACT, visible=LEAKY_VISIBLE, hidden=LEAKY_HIDDEN,
    mistakes=[mistake("alpha ignored (always 0.01)", lambda z, alpha=0.01: _where(z, lambda v: 0.01 * v,
                                                                                  lambda v: v),
                      "the slope on the left must be the alpha you are given, not a fixed 0.01."),
              mistake("plain ReLU", lambda z, alpha=0.01: np.maximum(0.0, _a(z)),
                      "negative inputs give 0, as in plain ReLU: leaky ReLU gives alpha * z there."),
              mistake("alpha on the wrong side", lambda z, alpha=0.01: _where(z, lambda v: v,
                                                                              lambda v: alpha * v),
                      "alpha scales the negative inputs (z <= 0); positive inputs pass unchanged.")],
)

LEAKY_GRAD = chapter.exercise(
    leaky_relu_grad, tol=EXACT, visible=LEAKY_VISIBLE, hidden=LEAKY_HIDDEN,
    mistakes=[mistake("the function, not its derivative", lambda z, alpha=0.01: _where(
                          z, lambda v: alpha * v, lambda v: v),
                      "this is leaky_relu itself: its derivative is 1 for z > 0 and alpha for z <= 0."),
              mistake("alpha * z on the left", lambda z, alpha=0.01: _where(z, lambda v: alpha * v,
                                                                            lambda v: np.ones_like(v)),
                      "the derivative of alpha * z with respect to z is alpha, a constant."),
              mistake("ReLU's derivative (0 on the left)", lambda z, alpha=0.01: (_a(z) > 0).astype(float),
                      "on the left the slope is alpha, not 0: that is what keeps a leaky unit alive."),
              mistake("1 at z = 0", lambda z, alpha=0.01: np.where(_a(z) >= 0, 1.0, alpha),
                      "at z = 0 use alpha, as the exercise says (PyTorch's choice): the test is z > 0.")],
)

# --- softmax ------------------------------------------------------------------------


def _softmax_naive(z, axis=-1):
    e = np.exp(_a(z))
    return e / e.sum(axis=axis, keepdims=True)


def _overflow_hint(args, expected, actual):
    """NaN or inf where the right answer is finite: exp overflowed."""
    if not np.isfinite(actual).all() and np.isfinite(expected).all():
        return ("exp overflowed (exp(1000) is inf in float64, and inf/inf is NaN): subtract each "
                "slice's maximum along the axis before taking exp; softmax does not change.")
    return None


SOFTMAX = chapter.exercise(
    activations.softmax, tol=EXACT, hints=[_overflow_hint],
    visible=[("the worked example (z = [1, 2, 3])", (_a([1.0, 2.0, 3.0]),)),
             ("large logits (z = [1000, 1001, 1002])", (_a([1000.0, 1001.0, 1002.0]),)),
             ("a batch of two samples (rows), given as Python lists",
              ([[1.0, 2.0, 3.0], [0.0, 0.0, 0.0]],)),
             ("the same batch with axis=0 (the classes down the columns)",
              ([[1.0, 2.0, 3.0], [0.0, 4.0, -1.0]],), {"axis": 0})],
    hidden=[standard(_logits, EXACT, F32, sizes=(6, 40)),
            fixed("rows of very different sizes (shift each row by its own maximum)",
                  (_a([[1000.0, 1001.0, 1002.0], [-5.0, 0.0, 5.0]]),), tol=EXACT),
            random("does not honour axis=0", lambda rng: ((rng.normal(0, 3, size=(4, 3)),), {"axis": 0}),
                   EXACT),
            random("wrong for a 3-D input along the middle axis",
                   lambda rng: ((rng.normal(0, 3, size=(2, 4, 3)),), {"axis": 1}), EXACT),
            holds("slices along the axis do not sum to 1",
                  lambda r: r.shape == (5, 4) and np.allclose(r.sum(axis=1), 1.0, atol=1e-12)
                  and bool((r >= 0).all()),
                  lambda rng: (rng.normal(0, 50, size=(5, 4)),), "some row does not sum to 1")],
    mistakes=[mistake("no shift by the maximum", _softmax_naive, "subtract each slice's maximum",
                      specific=False),
              mistake("axis ignored (always the last)", lambda z, axis=-1: activations.softmax(z, axis=-1),
                      "normalise along the axis you are given: with axis=0 each column sums to 1."),
              mistake("normalised over the whole array", lambda z, axis=-1: np.exp(_a(z) - _a(z).max())
                      / np.exp(_a(z) - _a(z).max()).sum(),
                      "you divided by the sum over the whole array: each slice along the axis "
                      "(each sample) must sum to 1 on its own (sum with keepdims=True).")],
)

# --- the softmax Jacobian --------------------------------------------------------------

JACOBIAN = chapter.exercise(
    softmax_jacobian, tol=EXACT,
    visible=[("the worked example (p = [0.2, 0.3, 0.5])", (_a([0.2, 0.3, 0.5]),)),
             ("two classes, given as a Python list", ([0.9, 0.1],))],
    hidden=[standard(_probabilities, EXACT, F32, sizes=(8, 36),
                     batch_label="wrong for probability vectors of other lengths"),
            holds("rows do not sum to 0 (softmax's outputs always sum to 1)",
                  lambda r: r.shape == (4, 4) and np.allclose(r.sum(axis=1), 0.0, atol=1e-12),
                  lambda rng: (rng.dirichlet(np.ones(4)),), "a row of the Jacobian does not sum to 0"),
            fixed("not zero for a one-hot p (a saturated softmax)", (_a([0.0, 1.0, 0.0]),), tol=EXACT),
            holds("not symmetric", lambda r: r.shape == (5, 5) and np.allclose(r, r.T, atol=1e-12),
                  lambda rng: (rng.dirichlet(np.ones(5)),), "the Jacobian is not symmetric")],
    mistakes=[mistake("diagonal only", lambda p: np.diag(_a(p) * (1 - _a(p))),
                      "only the diagonal is there: off the diagonal, d p_i / d z_j = -p_i p_j."),
              mistake("no diag(p)", lambda p: -np.outer(_a(p), _a(p)),
                      "the diagonal is p_i (1 - p_i): add diag(p) to -p p^T."),
              mistake("softmax of p first", lambda p: softmax_jacobian(_softmax_naive(p)),
                      "p is already the softmax's output: do not apply softmax to it again."),
              mistake("sign flipped", lambda p: np.outer(_a(p), _a(p)) - np.diag(_a(p)), "opposite sign",
                      specific=False)],
)

# --- dead units -----------------------------------------------------------------------

_DEAD_EXAMPLE = _a([[1.0, -1.0, 0.0, -2.0], [-3.0, -0.5, 0.0, 4.0], [0.5, -2.0, 0.0, -1.0]])

DEAD = chapter.exercise(
    dead_relu_fraction, tol=EXACT,
    visible=[("the worked example (3 samples x 4 units)", (_DEAD_EXAMPLE,)),
             ("no dead unit, given as Python lists", ([[1.0, -2.0], [-1.0, 0.5]],)),
             ("every unit dead (one sample, three units)", ([[-1.0, 0.0, -0.25]],))],
    hidden=[standard(_activations, EXACT, F32, sizes=(5, 60), list_size=6,
                     single_label="wrong for a single sample (one row)"),
            random("wrong for many units", lambda rng: (rng.normal(-1.2, 1.0, size=(30, 200)),), EXACT),
            holds("not a single number between 0 and 1",
                  lambda r: r.size == 1 and 0.0 <= float(r.reshape(())) <= 1.0,
                  lambda rng: _activations(rng, 9), "the result is not one number in [0, 1]")],
    mistakes=[mistake("any sample instead of every sample",
                      lambda Z: float(np.mean(np.any(_a(Z) <= 0, axis=0))),
                      "a unit is dead only if it is <= 0 for *every* sample: use all, not any."),
              mistake("share of entries", lambda Z: float(np.mean(_a(Z) <= 0)),
                      "you counted entries (sample, unit) that are <= 0: count units (columns) "
                      "that are <= 0 in every row."),
              mistake("strict < 0", lambda Z: float(np.mean(np.all(_a(Z) < 0, axis=0))),
                      "a unit stuck at exactly 0 is dead too (ReLU gives 0 and slope 0 there): use <= 0."),
              mistake("units as rows", lambda Z: float(np.mean(np.all(_a(Z) <= 0, axis=1))),
                      "each row is a sample and each column a unit: check all rows of each column "
                      "(axis=0).")],
)

EXERCISES = [TANH, TANH_GRAD, LEAKY, LEAKY_GRAD, SOFTMAX, JACOBIAN, DEAD]
