"""Exercises of ``03-mathematics``: one neuron's formulas and their derivatives.

Every expected value comes from a reference: :mod:`anncourse.activations`
for the activations, and the functions below for what the package does not
have in the learner's form (one neuron's gradients, the logistic-regression
gradients, the max-norm relative error, the training loop).
:mod:`anncourse.grading.specbuilder` gives the keys, seeds and standard
hidden checks of the array exercises; the structured ones (a tuple of
parts) are built as :class:`~anncourse.grading.core.Exercise` with
``parts=``, so that the feedback names the wrong part.

Styles that must pass: loops with :mod:`math` or vectorised NumPy, Python
lists or arrays, float32, a scalar or a length-1 array for a number, a
tuple or a dict for a structured answer.

Tolerances
----------
``EXACT`` (rtol 1e-6, atol 1e-9) in float64: correct formulas written in
different ways (``1/(1+e)`` vs ``e/(1+e)``, a loop vs ``@``) agree to about
1e-15; a wrong one is off by a factor or a sign.  float32 input is compared
at ``F32`` (rtol 1e-4, atol 1e-5): about 7 digits per operation.  The
logistic cost of a confident model (every ``|z|`` at least 40) is about
1e-18; a learner who clips ``p`` to ``[eps, 1 - eps]`` with ``eps`` up to
1e-7 gets a cost of at most ~1e-7 and, if the clipped ``p`` also goes into
``p - y``, entries of ``dw`` off by at most ``eps * max|x| <= 1e-6`` (the
data keep ``|x|`` below ~10), hence ``CONFIDENT`` (atol 1e-5) there.  The
training loop is 300 identical steps in every style: rounding apart (~1e-12)
the weights agree, hence ``_TRAIN`` (rtol 1e-6, atol 1e-8).

The relative error
------------------
``relative_error(a, b) = max|a - b| / max(max|a|, max|b|)``, and 0 when
``a`` and ``b`` are both all zero.  One number for a whole gradient, scaled
by the gradient's largest entry: an entry that should be 0 and comes out as
1e-12 does not make the error 1, as an entry-by-entry ratio would.
"""
from __future__ import annotations

import functools
import hashlib
import importlib.util
from pathlib import Path

import numpy as np

from ... import activations
from ..core import Case, Exercise, Mistake, Part, Property
from ..properties import matches_reference, scenario_matches, verdict
from ..specbuilder import Chapter, Hidden, Tol, fixed, holds, mistake, random, seed_for, standard

__all__ = ["EXERCISES"]

chapter = Chapter(__name__)

EXACT = Tol(1e-6, 1e-9)
F32 = Tol(1e-4, 1e-5)
CONFIDENT = Tol(1e-6, 1e-5)
_TRAIN = Tol(1e-6, 1e-8)
GRAD_SIGN = ("a derivative of an increasing function is positive: check the order of a "
             "subtraction.")


def _a(x):
    return np.asarray(x, dtype=np.float64)


# --- references the package does not have in the learner's form --------------------

def weighted_sum(x, w, b):
    """A neuron's pre-activation ``x @ w + b``, for one sample or a batch (rows)."""
    return _a(x) @ _a(w) + float(b)


def sigmoid_neuron_gradients(x, w, b):
    """``f = sigmoid(w . x + b)`` and its gradients with respect to ``x``, ``w`` and ``b``.

    By the chain rule, with ``s = f (1 - f)`` the sigmoid's slope at ``z``:
    ``df/dx = s w``, ``df/dw = s x``, ``df/db = s``.
    """
    x, w = _a(x), _a(w)
    f = float(activations.sigmoid(x @ w + float(b)))
    slope = f * (1.0 - f)
    return f, slope * w, slope * x, slope


def _bce_from_logits(z, y):
    """Mean binary cross-entropy of ``sigmoid(z)`` against ``y``, exact for any ``z``.

    ``-ln sigmoid(z) = log(1 + e^{-z})`` and ``-ln(1 - sigmoid(z)) = log(1 + e^{z})``,
    both through ``logaddexp(0, .)``, which never overflows.
    """
    return float(np.mean(y * np.logaddexp(0.0, -z) + (1 - y) * np.logaddexp(0.0, z)))


def logistic_regression_gradients(w, b, X, y):
    """``(dw, db, cost)`` of the mean binary cross-entropy of ``sigmoid(X w + b)``.

    The derivative of the cost with respect to ``z_i`` is ``(p_i - y_i) / n``.
    """
    w, X, y = _a(w), _a(X), _a(y)
    z = X @ w + float(b)
    error = activations.sigmoid(z) - y
    n = len(y)
    return X.T @ error / n, float(np.sum(error) / n), _bce_from_logits(z, y)


def relative_error(a, b):
    """``max|a - b| / max(max|a|, max|b|)``, and 0 when both are all zero.

    Raises
    ------
    ValueError
        If ``a`` and ``b`` do not have the same shape.
    """
    a, b = _a(a), _a(b)
    if a.shape != b.shape:
        raise ValueError(f"a has shape {a.shape} and b has shape {b.shape}; they must agree")
    scale = max(float(np.max(np.abs(a), initial=0.0)), float(np.max(np.abs(b), initial=0.0)))
    if scale == 0.0:
        return 0.0
    return float(np.max(np.abs(a - b))) / scale


def train_logistic_regression(X, y, lr=0.5, steps=300):
    """``(w, b)`` after ``steps`` of full-batch gradient descent from ``w = 0, b = 0``."""
    X, y = _a(X), _a(y)
    w, b = np.zeros(X.shape[1]), 0.0
    for _ in range(steps):
        dw, db, _ = logistic_regression_gradients(w, b, X, y)
        w, b = w - lr * dw, b - lr * db
    return w, b


# --- sigmoid and its derivative ---------------------------------------------------------

def _z(rng, n, dtype=np.float64):
    return (rng.normal(0.0, 4.0, size=n or None).astype(dtype) if n else float(rng.normal(0.0, 4.0)),)


_SIG_VISIBLE = [("the worked example (z = [-2, 0, 2])", (_a([-2.0, 0.0, 2.0]),)),
                ("large inputs, given as a Python list: z = [-1000, -40, 40, 1000]",
                 ([-1000.0, -40.0, 40.0, 1000.0],))]


def _naive_ratio(z):
    e = np.exp(_a(z))
    return e / (1 + e)


def drive_overflow(func, z):
    """Call ``func(z)`` with overflow turned into an error; return its values and 0, or -1."""
    import numpy as np

    try:
        with np.errstate(over="raise"):
            value = np.asarray(func(z), dtype=float).reshape(-1)
    except (FloatingPointError, OverflowError):
        return np.array([-1.0])
    return np.concatenate([value, [0.0]])


def _symmetric(result) -> bool:
    # Called on sigmoid(concat(z, -z)): the two halves add up to 1 everywhere.
    r = np.asarray(result, dtype=np.float64).reshape(-1)
    half = r.size // 2
    return r.size % 2 == 0 and bool(np.all(np.abs(r[:half] + r[half:] - 1.0) <= 1e-12))


def _z_and_minus_z(rng):
    z = rng.normal(0.0, 6.0, size=9)
    return (np.concatenate([z, -z]),)


def _no_overflow(label: str, z) -> Hidden:
    """The learner's function, run with overflow raised as an error, agrees with the reference.

    The driver runs where the function runs (the sandbox at grading), so it
    sees the overflow that a plain call would turn into a swallowed warning.
    """
    return Hidden(label, lambda ref, seed: scenario_matches(
        ref, drive_overflow, lambda rng: (z,), trials=1, rtol=EXACT.rtol, atol=EXACT.atol, seed=seed))


def _overflow_hint(args, expected, actual):
    """NaN where the sigmoid (or its slope) is finite: an exponential overflowed."""
    if np.isnan(actual).any() and np.all(np.isfinite(expected)):
        return ("NaN at a large |z|: e^z overflowed to inf, and inf/inf is NaN. Compute e^-|z|, "
                "which is at most 1: sigma = 1/(1 + e^-z) for z >= 0 and e^z/(1 + e^z) for z < 0.")
    return None


_PM1000 = _a([1000.0, -1000.0, 750.0, -750.0, 0.5])

SIGMOID = chapter.exercise(
    activations.sigmoid, tol=EXACT, visible=_SIG_VISIBLE,
    hidden=[standard(_z, EXACT, F32),
            holds("sigma(-z) is not 1 - sigma(z)", _symmetric, _z_and_minus_z,
                  "the two halves do not add up to 1"),
            fixed("wrong or not finite at z = +-1000", (_PM1000,), tol=EXACT),
            _no_overflow("overflows at z = +-1000 (a RuntimeWarning: exp of a large number, "
                         "perhaps in the branch np.where does not pick)", _PM1000)],
    hints=[_overflow_hint],
    mistakes=[mistake("e^z / (1 + e^z) for every z", _naive_ratio, "inf/inf is NaN", specific=False),
              mistake("e^-z / (1 + e^-z)", lambda z: np.exp(-_a(z)) / (1 + np.exp(-_a(z))),
                      "this is 1 - sigma(z), that is sigma(-z): the sigmoid is 1/(1 + e^-z).")],
)


def _sig(z):
    return activations.sigmoid(_a(z))


SIGMOID_GRAD = chapter.exercise(
    activations.sigmoid_grad, sign=GRAD_SIGN, tol=EXACT,
    visible=[("the worked example (z = [-2, 0, 2])", (_a([-2.0, 0.0, 2.0]),)),
             ("large inputs, given as a Python list: z = [-1000, -40, 40, 1000]",
              ([-1000.0, -40.0, 40.0, 1000.0],))],
    hints=[_overflow_hint],
    hidden=[standard(_z, EXACT, F32),
            fixed("wrong or not finite at z = +-1000", (_PM1000,), tol=EXACT),
            holds("the largest value is not 1/4, at z = 0", lambda r: r.size == 3 and abs(r[1] - 0.25)
                  < 1e-12 and r[0] < 0.25 and r[2] < 0.25, (_a([-0.5, 0.0, 0.5]),),
                  "sigma'(0) should be 1/4 and smaller elsewhere")],
    mistakes=[mistake("exp(-z) / (1 + exp(-z))**2 overflows", lambda z: np.exp(-_a(z)) / (1 + np.exp(-_a(z))) ** 2,
                      "inf/inf is NaN", specific=False),
              mistake("z (1 - z): the formula in terms of the output, given z",
                      lambda z: _a(z) * (1 - _a(z)),
                      "you computed z*(1 - z): the formula sigma' = s*(1 - s) takes s = sigma(z), "
                      "so apply the sigmoid first."),
              mistake("sigma(z) itself", _sig,
                      "this is sigma(z) itself: its derivative is sigma(z) * (1 - sigma(z)).")],
)


def _relu_grad_at_zero_is_one(z):
    return (_a(z) >= 0).astype(float)


RELU = chapter.exercise(
    activations.relu, tol=EXACT,
    visible=[("the worked example (z = [-1.5, 0, 2])", (_a([-1.5, 0.0, 2.0]),)),
             ("a 2-D batch given as Python lists", ([[-3.0, 0.25], [4.0, -0.0]],))],
    hidden=[standard(_z, EXACT, F32),
            random("wrong for a 2-D batch", lambda rng: (rng.normal(size=(4, 5)),), EXACT)],
    mistakes=[mistake("np.max instead of np.maximum", lambda z: np.max(np.r_[0.0, _a(z).ravel()]),
                      "one number came back: np.max reduces the whole array; np.maximum(0, z) "
                      "compares elementwise."),
              mistake("minimum instead of maximum", lambda z: np.minimum(0.0, _a(z)),
                      "this keeps the negative part: ReLU is max(0, z), which keeps the positive "
                      "part."),
              mistake("absolute value", lambda z: np.abs(_a(z)),
                      "negative inputs must give 0, not |z|.")],
)

RELU_GRAD = chapter.exercise(
    activations.relu_grad, tol=EXACT,
    visible=[("the worked example (z = [-1.5, 0, 2]); 0 at z = 0", (_a([-1.5, 0.0, 2.0]),)),
             ("a 2-D batch given as Python lists", ([[-3.0, 0.25], [4.0, 0.0]],))],
    hidden=[standard(_z, EXACT, F32),
            fixed("not 0 at z = 0 (the convention of this course and PyTorch)",
                  (_a([0.0, -0.0, 0.0]),), tol=EXACT),
            random("wrong for a 2-D batch", lambda rng: (rng.normal(size=(4, 5)),), EXACT)],
    mistakes=[mistake("1 at z = 0", _relu_grad_at_zero_is_one,
                      "at z = 0 the course (like PyTorch) uses the slope 0: use z > 0, not z >= 0."),
              mistake("ReLU itself", lambda z: np.maximum(0.0, _a(z)),
                      "this is relu(z) itself: its slope is 1 where z > 0 and 0 elsewhere.")],
)


def _batch(rng, n, dtype=np.float64):
    x = rng.normal(size=(n, 5)).astype(dtype) if n else rng.normal(size=5).astype(dtype)
    return x, rng.normal(size=5).astype(dtype), float(rng.normal())


WEIGHTED_SUM = chapter.exercise(
    weighted_sum, tol=EXACT,
    visible=[("the worked example (x = [1, 2, 3], w = [0.5, -1, 2], b = 0.5)",
              (_a([1.0, 2.0, 3.0]), _a([0.5, -1.0, 2.0]), 0.5)),
             ("a batch of two samples (one per row), given as Python lists",
              ([[1.0, 0.0], [2.0, -1.0]], [3.0, 4.0], -1.0))],
    hidden=[standard(_batch, EXACT, F32)],
    mistakes=[mistake("forgets the bias", lambda x, w, b: _a(x) @ _a(w),
                      "the bias b is missing: add it to every weighted sum.")],
)


# --- structured answers: one neuron, and logistic regression ---------------------------

def _structured(reference, parts, visible, hidden, mistakes, tol=EXACT):
    """An exercise whose answer is a tuple (or dict) of ``parts``, each compared on its own."""
    name = reference.__name__
    key = f"{chapter.slug}/{name}"
    cases = [Case(label, tuple(args), reference, rtol=tol.rtol, atol=tol.atol)
             for label, args in visible]
    props = []
    for label, make, ptol, trials in hidden:
        props.append(Property(label, matches_reference(
            reference, make, trials=trials, rtol=ptol.rtol, atol=ptol.atol,
            seed=seed_for(key, label))))
    return Exercise(key=key, function_name=name, visible=cases, hidden=props,
                    reference=reference, parts=tuple(Part(p) for p in parts),
                    mistakes=[Mistake(label, func, hint) for label, func, hint in mistakes])


def _neuron(rng, dtype=np.float64, lists=False):
    d = int(rng.integers(2, 9))
    x, w = rng.normal(size=d).astype(dtype), rng.normal(size=d).astype(dtype)
    b = float(rng.normal())
    return (x.tolist(), w.tolist(), b) if lists else (x, w, b)


def _neuron_saturated(rng):
    x = rng.normal(size=4)
    w = 400.0 * np.sign(x) * rng.choice([-1.0, 1.0])  # |w . x| in the hundreds: sigma is 0 or 1
    return x, w, 0.0


def _swapped_dx_dw(x, w, b):
    f, dx, dw, db = sigmoid_neuron_gradients(x, w, b)
    return f, dw, dx, db


def _no_slope(x, w, b):
    f, _, _, _ = sigmoid_neuron_gradients(x, w, b)
    return f, _a(w), _a(x), 1.0


NEURON = _structured(
    sigmoid_neuron_gradients, ("f", "dx", "dw", "db"),
    visible=[("the worked example (x = [1, 2], w = [0.5, -0.25], b = 0.1)",
              (_a([1.0, 2.0]), _a([0.5, -0.25]), 0.1)),
             ("three inputs, given as Python lists", ([0.5, -1.0, 2.0], [1.0, 0.3, -0.2], -0.4))],
    hidden=[("wrong on random neurons", lambda rng: _neuron(rng), EXACT, 5),
            ("does not accept Python lists", lambda rng: _neuron(rng, lists=True), EXACT, 2),
            ("wrong for float32 input", lambda rng: _neuron(rng, np.float32), F32, 2),
            ("NaN or wrong when the neuron saturates (|z| in the hundreds)", _neuron_saturated,
             EXACT, 2)],
    mistakes=[("dx and dw swapped", _swapped_dx_dw, "dx is not close enough"),
              ("no sigmoid slope", _no_slope, "db 4.01 times too large")],
)


def _logistic_data(rng, n=None, d=None, dtype=np.float64, lists=False):
    n = n or int(rng.integers(5, 40))
    d = d or int(rng.integers(1, 6))
    X = rng.normal(size=(n, d)).astype(dtype)
    y = (rng.uniform(size=n) < 0.5).astype(dtype)
    y[0], y[-1] = 1, 0
    w = rng.normal(0.0, 0.8, size=d).astype(dtype)
    b = float(rng.normal(0.0, 0.5))
    return (w.tolist(), b, X.tolist(), y.tolist()) if lists else (w, b, X, y)


def _logistic_confident(rng):
    """Every sample right by a logit between 40 and 60: sigma rounds to exactly 0 or 1.

    Each row is random noise orthogonal to ``w`` plus ``t_i w / |w|^2``, so that
    ``z_i = t_i`` exactly, with ``|w| = 10`` keeping every entry of ``X`` below ~10.
    """
    n, d = 12, 3
    w = rng.normal(size=d)
    w *= 10.0 / np.linalg.norm(w)
    noise = rng.normal(size=(n, d))
    noise -= np.outer(noise @ w, w) / (w @ w)
    t = rng.choice([-1.0, 1.0], size=n) * rng.uniform(40.0, 60.0, size=n)
    t[0], t[-1] = abs(t[0]), -abs(t[-1])  # both classes
    X = noise + np.outer(t, w) / (w @ w)
    return w, 0.0, X, (t > 0).astype(float)


def _lr_no_mean(w, b, X, y):
    dw, db, cost = logistic_regression_gradients(w, b, X, y)
    n = len(_a(y))
    return dw * n, db * n, cost


def _lr_sign(w, b, X, y):
    dw, db, cost = logistic_regression_gradients(w, b, X, y)
    return -dw, -db, cost


def _lr_mse_chain(w, b, X, y):
    X, y = _a(X), _a(y)
    p = activations.sigmoid(X @ _a(w) + b)
    e = (p - y) * p * (1 - p)
    return X.T @ e / len(y), float(np.mean(e)), logistic_regression_gradients(w, b, X, y)[2]


LOGISTIC = _structured(
    logistic_regression_gradients, ("dw", "db", "cost"),
    visible=[("the worked example (three samples, two features)",
              (_a([0.5, -0.5]), 0.1, _a([[1.0, 2.0], [-1.0, 0.5], [0.0, -1.0]]), _a([1.0, 0.0, 1.0]))),
             ("one feature, four samples, given as Python lists",
              ([2.0], -1.0, [[0.0], [1.0], [-2.0], [3.0]], [0.0, 1.0, 0.0, 1.0]))],
    hidden=[("wrong on random data", lambda rng: _logistic_data(rng), EXACT, 5),
            ("does not accept Python lists", lambda rng: _logistic_data(rng, lists=True), EXACT, 2),
            ("wrong for a single sample (X with one row)", lambda rng: _logistic_data(rng, n=1), EXACT, 2),
            ("wrong for float32 input", lambda rng: _logistic_data(rng, n=20, dtype=np.float32), F32, 2),
            ("NaN or wrong when the model is confident (every |z| at least 40)", _logistic_confident,
             CONFIDENT, 2)],
    mistakes=[("no 1/n", _lr_no_mean, "dw 3 times too large"),
              ("sign flipped", _lr_sign, "dw has the wrong sign"),
              ("the MSE chain (an extra sigma')", _lr_mse_chain, "db 4.13 times too small")],
)


# --- the relative error of a gradient check ----------------------------------------------

def _elementwise(a, b):
    a, b = _a(a), _a(b)
    with np.errstate(all="ignore"):
        r = np.abs(a - b) / np.maximum(np.abs(a), np.abs(b))
    return float(np.max(np.where(np.isnan(r), 0.0, r)))


def _no_zero_case(a, b):
    a, b = _a(a), _a(b)
    with np.errstate(all="ignore"):
        return float(np.max(np.abs(a - b)) / max(np.max(np.abs(a)), np.max(np.abs(b))))


def _sum_of_norms(a, b):
    a, b = _a(a), _a(b)
    scale = np.max(np.abs(a)) + np.max(np.abs(b))
    return 0.0 if scale == 0 else float(np.max(np.abs(a - b)) / scale)


def _both_zero_hint(args, expected, actual):
    if np.isnan(actual).any() and np.all(expected == 0):
        return ("a and b are both zero, so 0/0 gave NaN: return 0 when the largest |a| and |b| "
                "are both 0 (two zero gradients agree perfectly).")
    return None


def _gradient_pair(rng, shape=None, dtype=np.float64, lists=False):
    shape = shape or (int(rng.integers(2, 12)),)
    a = rng.normal(0.0, 10.0 ** rng.uniform(-3, 2), size=shape)
    b = a + rng.normal(0.0, 10.0 ** rng.uniform(-9, -1), size=shape) * np.abs(a).max()
    a, b = a.astype(dtype), b.astype(dtype)
    return (a.tolist(), b.tolist()) if lists else (a, b)


def drive_swap_and_scale(func, a, b, k):
    """relative_error(a, b), relative_error(b, a) and relative_error(k a, k b): all three agree."""
    import numpy as np

    a, b = np.asarray(a, dtype=float), np.asarray(b, dtype=float)
    return np.array([float(np.asarray(func(x, y), dtype=float).reshape(()))
                     for x, y in ((a, b), (b, a), (k * a, k * b))])


def _swap_and_scale(label: str) -> Hidden:
    def make(rng):
        a, b = _gradient_pair(rng, (6,))
        return a, b, float(10.0 ** rng.uniform(-6, 6))

    return Hidden(label, lambda ref, seed: scenario_matches(
        ref, drive_swap_and_scale, make, trials=2, rtol=EXACT.rtol, atol=EXACT.atol, seed=seed))


RELATIVE_ERROR = chapter.exercise(
    relative_error, tol=EXACT,
    visible=[("the worked example (a = [1, 2, 3], b = [1, 2.1, 3])",
              (_a([1.0, 2.0, 3.0]), _a([1.0, 2.1, 3.0]))),
             ("two zero gradients agree: the error is 0", (_a([0.0, 0.0]), _a([0.0, 0.0]))),
             ("an entry that should be 0 comes out as 1e-12, as Python lists",
              ([1e-12, 0.5, -2.0], [0.0, 0.5, -2.0]))],
    hidden=[random("wrong on random gradients", lambda rng: _gradient_pair(rng), EXACT, trials=5),
            random("wrong for 2-D gradients (a weight matrix)",
                   lambda rng: _gradient_pair(rng, (3, 4)), EXACT, trials=2),
            random("does not accept Python lists", lambda rng: _gradient_pair(rng, lists=True), EXACT),
            random("wrong for float32 input",
                   lambda rng: _gradient_pair(rng, dtype=np.float32), Tol(1e-4, 1e-7)),
            fixed("wrong for plain numbers", (3.0, 3.5), (-2.0, 2.0), (0.0, 0.0), tol=EXACT),
            fixed("not 1 when one gradient is zero and the other is not",
                  (_a([0.0, 0.0, 0.0]), _a([0.0, -1e-8, 0.0])), tol=EXACT),
            _swap_and_scale("changes when a and b swap, or when both are scaled by the same factor")],
    hints=[_both_zero_hint],
    mistakes=[mistake("entry by entry, then the largest", _elementwise,
                      "you divided entry by entry: a near-zero entry then counts as much as a large "
                      "one. Divide the largest |a - b| by the largest of all |a| and |b|."),
              mistake("NaN when both are zero", _no_zero_case, "are both zero"),
              mistake("divided by max|a| + max|b|", _sum_of_norms,
                      "divide by the larger of max|a| and max|b|, not by their sum.")],
)


# --- training something real: logistic regression by gradient descent -------------------

def _blobs(rng, n=60, d=3):
    y = (rng.uniform(size=n) < 0.5).astype(float)
    X = rng.normal(size=(n, d)) + np.outer(2 * y - 1, rng.normal(1.0, 0.3, size=d))
    return X, y


@functools.cache
def _breast_cancer():
    """scikit-learn's breast-cancer data (569 x 30, labels 0/1), read from the CSV it ships.

    Reading the file directly spares the grader importing scikit-learn (a second or
    more); ``load_breast_cancer`` parses the same file.
    """
    found = importlib.util.find_spec("sklearn")
    if found is None or found.origin is None:
        raise RuntimeError("this check needs scikit-learn's breast-cancer data: "
                           "pip install scikit-learn")
    path = Path(found.origin).parent / "datasets" / "data" / "breast_cancer.csv"
    table = np.loadtxt(path, delimiter=",", skiprows=1)
    return table[:, :-1], table[:, -1].astype(int)


# The held-out part of each split the grader draws, by a digest of the training set it gave.
_HELD_OUT: dict[bytes, tuple] = {}
HELD_OUT_ACCURACY = 0.90


def _cancer_split(rng):
    """455 standardised training samples for the learner; the other 114 are kept by the grader."""
    X, y = _breast_cancer()
    order = rng.permutation(len(y))
    train, test = order[:455], order[455:]
    mean, std = X[train].mean(axis=0), X[train].std(axis=0)
    X_train, X_test = (X[train] - mean) / std, (X[test] - mean) / std
    _HELD_OUT[hashlib.sha256(X_train.tobytes()).digest()] = (X_test, y[test].astype(float))
    return X_train, y[train].astype(float)


def _held_out_accuracy(result, args):
    # Over 2000 random splits the reference scores 0.930 to 1.0 (mean 0.978) on the 114
    # held-out samples, 20 steps already 0.930 or more over 200; always predicting the
    # larger class scores 0.63. The threshold, 0.90, leaves three samples of margin.
    X_test, y_test = _HELD_OUT.pop(hashlib.sha256(np.asarray(args[0]).tobytes()).digest())
    w, b = result if not isinstance(result, dict) else (result.get("w"), result.get("b"))
    w, b = np.asarray(w, dtype=np.float64).reshape(-1), np.asarray(b, dtype=np.float64).reshape(-1)
    if w.shape != (X_test.shape[1],) or b.size != 1:
        return f"expected w of shape ({X_test.shape[1]},) and one number b"
    if not (np.all(np.isfinite(w)) and np.isfinite(b[0])):
        return "the weights are not finite"
    accuracy = float(np.mean(((X_test @ w + b[0]) > 0) == (y_test == 1)))
    return None if accuracy >= HELD_OUT_ACCURACY else "held-out accuracy below the required level"


def _plus(X, y, lr=0.5, steps=300):
    return train_logistic_regression(X, y, lr=-lr, steps=steps)


def _one_step_short(X, y, lr=0.5, steps=300):
    return train_logistic_regression(X, y, lr=lr, steps=steps - 1)


_TRAIN_KEY = f"{chapter.slug}/train_logistic_regression"
_SMALL = (_a([[2.0, 1.0], [1.0, 2.5], [-1.5, -1.0], [-2.0, -0.5], [0.5, -0.2]]),
          _a([1.0, 1.0, 0.0, 0.0, 1.0]))

TRAIN = Exercise(
    key=_TRAIN_KEY, function_name="train_logistic_regression", reference=train_logistic_regression,
    parts=(Part("w"), Part("b")),
    visible=[Case("five points, two features, 300 steps of lr = 0.5", _SMALL,
                  train_logistic_regression, rtol=_TRAIN.rtol, atol=_TRAIN.atol),
             Case("the same points as Python lists, lr = 0.1 and 20 steps",
                  tuple(a.tolist() for a in _SMALL), train_logistic_regression,
                  kwargs={"lr": 0.1, "steps": 20}, rtol=_TRAIN.rtol, atol=_TRAIN.atol)],
    hidden=[Property("wrong on random data (the same steps as the reference)",
                     matches_reference(train_logistic_regression, _blobs, trials=2,
                                       rtol=_TRAIN.rtol, atol=_TRAIN.atol,
                                       seed=seed_for(_TRAIN_KEY, "random"))),
            Property("held-out accuracy on the breast-cancer data below the exercise's threshold",
                     verdict(_held_out_accuracy, _cancer_split,
                             seed=seed_for(_TRAIN_KEY, "breast cancer")))],
    mistakes=[Mistake("plus instead of minus", _plus, "w is not close enough"),
              Mistake("one step short", _one_step_short, "w is not close enough")],
)

EXERCISES = [WEIGHTED_SUM, SIGMOID, SIGMOID_GRAD, RELU, RELU_GRAD, NEURON, LOGISTIC,
             RELATIVE_ERROR, TRAIN]
