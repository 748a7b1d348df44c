"""Exercises of ``18-loss-functions``: the losses and gradients the learner writes.

Every expected value comes from a reference (:mod:`anncourse.losses`, or a
function below); :mod:`anncourse.grading.specbuilder` supplies the keys,
seeds, standard hidden checks and the hints for the usual mistakes.

Any correct style must pass: loops with :mod:`math` or vectorised NumPy, any
scalar or length-1 result, lists or arrays.  The probability losses must
survive ``p = 0`` and ``p = 1``, which learners handle in different, equally
good ways (clipping with ``eps`` from ``1e-15`` to ``1e-7``, ``eps`` inside
the log, ``np.where``, PyTorch's clamp at -100).  So random cases keep ``p``
in ``[0.02, 0.98]``, where those agree within the tolerance, and the edge
cases check only what they share: a confident right answer costs about 0, a
confident wrong one at least 10 or +inf, never NaN.  The logits losses must
be exact at logits of +-1000: that is what computing from logits is for.
"""
from __future__ import annotations

import math

import numpy as np

from ... import activations, losses
from ..specbuilder import Chapter, Tol, fixed, holds, mistake, n_rows, random, standard

__all__ = ["EXERCISES"]

chapter = Chapter(__name__)

# float64, formulas that are the same up to rounding (loop vs np.mean, e*e vs
# e**2 agree to ~1e-15); a wrong formula is off by a factor (2, n, 1/ln 10).
EXACT = Tol(1e-6, 1e-9)
# Probability losses: log(p + eps) with eps <= 1e-7 shifts each log term by at
# most eps / p <= 5e-6 for p >= 0.02; relative to -log(p) at most ~5e-6.
PROB = Tol(1e-5, 1e-6)
# KL: log((p + eps) / (q + eps)) moves each term by ~eps * (1 + p / q) ~ 5e-6.
KL_TOL = Tol(1e-5, 1e-5)
# float32 input: ~7 digits per operation, a few lost over sums and logs of
# up to ~100 numbers; far below any real mistake.
F32 = Tol(1e-4, 1e-5)
P_LOW, P_HIGH = 0.02, 0.98
# Sign advice that fits a loss, and a gradient.
LOSS = "a loss is never negative: check the minus in front of the formula."
GRAD = ("a gradient points uphill: it is positive where raising the prediction raises the loss; "
        "check the order of the subtraction.")


# --- random inputs: make(rng, n, dtype), n=None for one sample ------------------

def _regression(rng, n, dtype=np.float64):
    y = rng.normal(0.0, 2.0, size=n or 1)
    return y.astype(dtype), (y + rng.normal(0.0, 1.5, size=n or 1)).astype(dtype)


def _binary(rng, n, dtype=np.float64):
    y = rng.integers(0, 2, size=n).astype(dtype)
    y[0], y[-1] = 1, 0  # both classes, so a formula that drops one term fails
    return y, rng.uniform(P_LOW, P_HIGH, size=n).astype(dtype)


def _distributions(rng, shape, dtype=np.float64):
    """Random distributions along the last axis, every entry >= 0.02."""
    c = shape[-1]
    raw = rng.dirichlet(np.ones(c), size=shape[:-1] or None)
    probs = (1 - P_LOW * c) * raw + P_LOW
    return (probs / probs.sum(axis=-1, keepdims=True)).astype(dtype)


def _shape(rng, n):
    """``(n, C)`` with 3 to 6 classes, or ``(C,)`` for one sample."""
    c = int(rng.integers(3, 7))
    return (c,) if n is None else (max(2, n // 4), c)


def _onehot_probs(rng, n, dtype=np.float64):
    shape = _shape(rng, n)
    labels = rng.integers(0, shape[-1], size=shape[:-1] or None)
    return np.eye(shape[-1])[labels].astype(dtype), _distributions(rng, shape, dtype)


def _onehot_logits(rng, n, dtype=np.float64):
    y, _ = _onehot_probs(rng, n, dtype)
    return y, rng.normal(0.0, 2.0, size=y.shape).astype(dtype)


def _pm1_scores(rng, n, dtype=np.float64):
    y = rng.choice([-1.0, 1.0], size=n)
    y[0], y[-1] = 1.0, -1.0
    # Spread so that margins fall above 1, in (0, 1) and below 0.
    return y.astype(dtype), rng.normal(0.0, 1.5, size=n).astype(dtype)


def _two_distributions(rng, n, dtype=np.float64):
    shape = _shape(rng, n)
    return _distributions(rng, shape, dtype), _distributions(rng, shape, dtype)


def _binary_logits(rng, n, dtype=np.float64):
    y, _ = _binary(rng, n or 1)
    return y.astype(dtype), rng.normal(0.0, 4.0, size=y.shape).astype(dtype)


def _labels_logits(rng, n, dtype=np.float64):
    rows, c = (1 if n is None else max(2, n // 4)), int(rng.integers(3, 7))
    return rng.integers(0, c, size=rows), rng.normal(0.0, 3.0, size=(rows, c)).astype(dtype)


def _large_or_inf(result) -> bool:
    """A confident wrong prediction: +inf, or finite and at least 10, never NaN."""
    r = np.asarray(result, dtype=np.float64)
    return r.size == 1 and not np.isnan(r).any() and float(r.reshape(())) >= 10.0


def _near_zero(result) -> bool:
    r = np.asarray(result, dtype=np.float64)
    return r.size == 1 and bool(np.isfinite(r).all()) and abs(float(r.reshape(()))) <= 1e-6


def _a(x):
    return np.asarray(x, dtype=float)


BATCH_OF_TWO = ([[0.0, 1.0, 0.0], [1.0, 0.0, 0.0]], [[0.1, 0.7, 0.2], [0.5, 0.3, 0.2]])
FOUR_REGRESSION = ([1.0, 2.0, 3.0, 4.0], [1.5, 2.0, 6.0, 3.2])
PM1000 = np.array([1000.0, -1000.0, 1000.0, -1000.0])


# --- references that anncourse.losses does not have in the learner's form ------

def softmax_cross_entropy_grad(y_true_onehot, logits):
    """Gradient of the mean CCE of ``softmax(logits)``: ``(softmax(z) - y) / n`` (n = 1 for 1-D)."""
    z = np.asarray(logits, dtype=np.float64)
    n = z.shape[0] if z.ndim == 2 else 1
    return (activations.softmax(z, axis=-1) - np.asarray(y_true_onehot, dtype=np.float64)) / n


def fit_line(x, y, delta=1.0, lr=0.5, steps=300):
    """Fit ``y ~ w x + b`` by ``steps`` of gradient descent on the mean Huber loss from ``w = b = 0``."""
    x, y = np.asarray(x, dtype=np.float64), np.asarray(y, dtype=np.float64)
    w = b = 0.0
    for _ in range(steps):
        g = losses.huber_grad(y, w * x + b, delta=delta)  # dL/d(prediction), with the 1/n
        w, b = w - lr * float(np.sum(g * x)), b - lr * float(np.sum(g))
    return w, b


def _line_with_outliers(rng, n=40, share=0.2):
    """Points near y = 2x - 1, a fifth of them pushed 8 to 15 upwards."""
    x = rng.uniform(-2.0, 2.0, size=n)
    y = 2.0 * x - 1.0 + rng.normal(0.0, 0.3, size=n)
    hit = rng.choice(n, size=int(share * n), replace=False)
    y[hit] += rng.uniform(8.0, 15.0, size=hit.size)
    return x, y


def _close_to_true_line(result) -> bool:
    # Over 1000 draws the Huber fit stays within 0.49 (slope) and 0.56
    # (intercept) of the true line; least squares misses the intercept by 1.4
    # or more. The thresholds, stated in the exercise, sit between the two.
    r = np.asarray(result, dtype=np.float64).reshape(-1)
    return r.size == 2 and abs(r[0] - 2.0) < 0.75 and abs(r[1] + 1.0) < 1.0


# --- the exercises ----------------------------------------------------------------

_MSE_VISIBLE = [("the worked example (y = [3, 5], prediction [2.5, 5.2])", (_a([3, 5]), _a([2.5, 5.2]))),
                ("a batch of four, given as Python lists", ([1.0, -2.0, 0.5, 4.0], [1.5, -1.0, 0.5, 2.0]))]

MSE = chapter.exercise(
    losses.mse, sign=LOSS, tol=EXACT, visible=_MSE_VISIBLE,
    hidden=[standard(_regression, EXACT, F32, f32_size=25),
            random("wrong for integer input",
                   lambda rng: (rng.integers(-9, 10, size=6), rng.integers(-9, 10, size=6)), EXACT),
            random("wrong for a long batch", lambda rng: _regression(rng, 1000), EXACT, trials=1)],
    mistakes=[mistake("absolute error", lambda y, p: np.mean(np.abs(_a(y) - _a(p))),
                      "this is the mean *absolute* error: square each error before averaging."),
              mistake("root of the mean", lambda y, p: np.sqrt(np.mean((_a(y) - _a(p)) ** 2)),
                      "this is the *root* mean squared error: do not take the square root."),
              mistake("sum instead of mean", lambda y, p: np.sum((_a(y) - _a(p)) ** 2),
                      "divide by n", specific=False)],
)

MSE_GRAD = chapter.exercise(
    losses.mse_grad, sign=GRAD, tol=EXACT, visible=_MSE_VISIBLE,
    hidden=[standard(_regression, EXACT, F32, f32_size=25),
            fixed("not zero where the prediction is exact", (_a([1, 2, 3]), _a([1, 2.5, 3])), tol=EXACT)],
    mistakes=[mistake("no factor 2", lambda y, p: (_a(p) - _a(y)) / np.size(p),
                      "your gradient is half the right one: the derivative of e**2 is 2*e, "
                      "so keep the factor 2."),
              mistake("sign flipped", lambda y, p: 2 * (_a(y) - _a(p)) / np.size(p), "wrong sign",
                      specific=False),
              mistake("no 1/n", lambda y, p: 2 * (_a(p) - _a(y)), "divide by n", specific=False)],
)

_BCE_VISIBLE = [("the worked example (y = [1, 0], p = [0.9, 0.2])", (_a([1, 0]), _a([0.9, 0.2]))),
                ("a batch of four, given as Python lists", ([0.0, 1.0, 1.0, 0.0], [0.1, 0.6, 0.95, 0.4]))]
_BCE_SINGLE = [(_a([1]), _a([0.35])), (_a([0]), _a([0.35]))]


def _bce_terms(y, p, log=np.log):
    return _a(y) * log(_a(p)) + (1 - _a(y)) * log(1 - _a(p))


BCE = chapter.exercise(
    losses.binary_cross_entropy, sign=LOSS, tol=PROB, logs=True, visible=_BCE_VISIBLE,
    hidden=[standard(_binary, PROB, F32, single=_BCE_SINGLE, list_size=6),
            holds("not about 0 when confidently right (p exactly 0 or 1)", _near_zero,
                  (_a([1, 0, 1]), _a([1, 0, 1])), "the result is not close to 0"),
            holds("NaN or too small when confidently wrong (p exactly 0 or 1)", _large_or_inf,
                  (_a([1, 0]), _a([0, 1])), "expected a large loss or +inf, never NaN"),
            fixed("wrong when some p are exactly 0 or 1",
                  (_a([1, 0, 1, 0, 1]), _a([1, 0, 0.7, 0.2, 0.55])), tol=PROB)],
    mistakes=[mistake("one term only", lambda y, p: -np.mean(_a(y) * np.log(_a(p))),
                      "only the y*log(p) term is there: the samples with y = 0 need the "
                      "(1 - y)*log(1 - p) term."),
              mistake("log10", lambda y, p: -np.mean(_bce_terms(y, p, np.log10)), "base 10",
                      specific=False),
              mistake("missing minus", lambda y, p: np.mean(_bce_terms(y, p)), "wrong sign",
                      specific=False),
              mistake("sum instead of mean", lambda y, p: -np.sum(_bce_terms(y, p)), "divide by n",
                      specific=False)],
)

BCE_GRAD = chapter.exercise(
    losses.binary_cross_entropy_grad, sign=GRAD, tol=PROB, visible=_BCE_VISIBLE,
    hidden=[standard(_binary, PROB, F32, single=_BCE_SINGLE, list_size=6),
            holds("does not push p up for y = 1 and down for y = 0",
                  lambda g: g.shape == (2,) and g[0] < 0 < g[1], (_a([1, 0]), _a([0.5, 0.5])),
                  "the gradient has the wrong sign for some samples")],
    mistakes=[mistake("one term only", lambda y, p: -_a(y) / _a(p) / np.size(p),
                      "only the -y/p part is there: differentiate the (1 - y)*log(1 - p) term too "
                      "(it gives +(1 - y)/(1 - p))."),
              mistake("no 1/n", lambda y, p: -_a(y) / _a(p) + (1 - _a(y)) / (1 - _a(p)), "divide by n",
                      specific=False)],
)


def _rows(y):
    return np.atleast_2d(y).shape[0]


CCE = chapter.exercise(
    losses.categorical_cross_entropy, sign=LOSS, tol=PROB, n_of=n_rows, logs=True,
    visible=[("the worked example, one sample (y = [0, 1, 0], p = [0.1, 0.7, 0.2])",
              (_a([0, 1, 0]), _a([0.1, 0.7, 0.2]))),
             ("a batch of two samples (rows), given as Python lists", BATCH_OF_TWO)],
    hidden=[standard(_onehot_probs, PROB, F32, sizes=(16, 48), batch_label="wrong for 2-D batches "
                     "(mean over rows)", single_label="wrong for a single sample (1-D input)"),
            fixed("wrong when p has zero entries (0 * log 0 counts as 0)",
                  (_a([[0, 1, 0], [1, 0, 0], [0, 0, 1]]), _a([[0, 1, 0], [0.6, 0.4, 0], [0.1, 0.2, 0.7]])),
                  (_a([0, 0, 1, 0]), _a([0.5, 0, 0.5, 0])), tol=PROB),
            holds("NaN or too small when the true class gets p = 0", _large_or_inf,
                  (_a([0, 1, 0]), _a([1, 0, 0])), "expected a large loss or +inf, never NaN")],
    mistakes=[mistake("mean over all elements", lambda y, p: -np.mean(_a(y) * np.log(_a(p))),
                      "you averaged over every entry (n*C of them): sum over the classes of each "
                      "sample first, then average over the samples (rows)."),
              mistake("log10", lambda y, p: -np.sum(_a(y) * np.log10(_a(p))) / _rows(y), "base 10",
                      specific=False),
              mistake("missing minus", lambda y, p: np.sum(_a(y) * np.log(_a(p))) / _rows(y),
                      "wrong sign", specific=False)],
)


def _softmax_rows(z, axis=-1):
    e = np.exp(_a(z) - np.max(_a(z), axis=axis, keepdims=True))
    return e / e.sum(axis=axis, keepdims=True)


SOFTMAX_CE_GRAD = chapter.exercise(
    softmax_cross_entropy_grad, sign=GRAD, tol=EXACT, n_of=n_rows,
    visible=[("one sample (y = [1, 0, 0], logits [2.0, 1.0, 0.1])", (_a([1, 0, 0]), _a([2.0, 1.0, 0.1]))),
             ("a batch of two samples (rows), given as Python lists",
              ([[0.0, 1.0, 0.0], [0.0, 0.0, 1.0]], [[0.5, 1.5, -1.0], [0.0, 0.0, 0.0]]))],
    # Entries of p - y near 0 lose relative precision in float32: F32's atol matters.
    hidden=[standard(_onehot_logits, EXACT, F32, sizes=(12, 36), batch_label="wrong for 2-D batches "
                     "(divide by the number of rows)", single_label="wrong for a single sample (1-D input)"),
            fixed("overflows for large logits (subtract the row's maximum first)",
                  (_a([[1, 0, 0], [0, 1, 0]]), _a([[1000, 0, -1000], [-500, 800, 799]])), tol=EXACT),
            holds("not zero when the logits already give the label (almost) all the mass",
                  lambda g: g.shape == (2,) and np.all(np.abs(g) < 1e-9), (_a([0, 1]), _a([-40, 40])),
                  "the gradient is not about 0")],
    mistakes=[mistake("no softmax", lambda y, z: (_a(z) - _a(y)) / _rows(z),
                      "the logits went in without a softmax: compute p = softmax(z) first, then p - y."),
              mistake("softmax down the columns",
                      lambda y, z: (_softmax_rows(z, axis=0) - _a(y)) / _rows(z),
                      "the softmax ran down the columns: normalise each row (axis=-1), one sample per row."),
              mistake("no 1/n", lambda y, z: _softmax_rows(z) - _a(y), "divide by n", specific=False)],
)

BCE_LOGITS = chapter.exercise(
    losses.binary_cross_entropy_with_logits, sign=LOSS, tol=EXACT,
    visible=[("two samples (y = [1, 0], logits [2.0, -0.5])", (_a([1, 0]), _a([2.0, -0.5]))),
             ("a batch of four, given as Python lists", ([0.0, 1.0, 1.0, 0.0], [-3.0, 0.0, 4.5, 1.2]))],
    hidden=[standard(_binary_logits, EXACT, F32),
            fixed("wrong or not finite for logits of +-1000 (use the stable form)",
                  (_a([1, 0, 0, 1]), PM1000), (_a([1, 1, 0, 0]), PM1000), tol=EXACT)],
    mistakes=[mistake("missing minus", lambda y, z: np.mean(_bce_terms(y, 1 / (1 + np.exp(-_a(z))))),
                      "wrong sign", specific=False),
              mistake("sum instead of mean", lambda y, z: -np.sum(_bce_terms(y, 1 / (1 + np.exp(-_a(z))))),
                      "divide by n", specific=False),
              mistake("one term only", lambda y, z: np.mean(_a(y) * np.log1p(np.exp(-_a(z)))),
                      "only the samples with y = 1 count: those with y = 0 cost -log(1 - sigmoid(z)) "
                      "= log(1 + exp(z)).")],
)


def _picked(t, z):
    z = np.atleast_2d(_a(z))
    return z[np.arange(len(z)), np.asarray(t)]


CE_LOGITS = chapter.exercise(
    losses.cross_entropy_with_logits, sign=LOSS, tol=EXACT, n_of=n_rows,
    visible=[("one sample (label 0, logits [[2.0, 1.0, 0.1]])", (np.array([0]), _a([[2.0, 1.0, 0.1]]))),
             ("a batch of three, given as Python lists",
              ([2, 0, 1], [[0.5, 1.5, -1.0], [0.0, 0.0, 0.0], [3.0, -2.0, 1.0]]))],
    hidden=[standard(_labels_logits, EXACT, F32, sizes=(12, 60)),
            fixed("wrong or not finite for logits of +-1000 (log-sum-exp)",
                  (np.array([0, 1, 1]), _a([[1000, -1000, 0], [1000, 1000, -1000], [1000, -1000, 0]])),
                  tol=EXACT)],
    mistakes=[mistake("no softmax: minus the label's logit", lambda t, z: -np.mean(_picked(t, z)),
                      "this is minus the true class's logit: the loss is -log softmax(z)[label], "
                      "that is logsumexp(z) - z[label]."),
              mistake("sum instead of mean", lambda t, z: np.sum(
                  np.log(np.exp(np.atleast_2d(_a(z))).sum(axis=1)) - _picked(t, z)), "divide by n",
                      specific=False)],
)

_HUBER_HIDDEN = [
    standard(_regression, EXACT, F32, single=[((_a([0.3]), _a([0.1])), {"delta": 0.5}),
                                              ((_a([2.0]), _a([-1.0])), {"delta": 0.5})]),
    random("wrong for another delta",
           lambda rng: (_regression(rng, 15), {"delta": float(rng.choice([0.3, 0.75, 2.5]))}), EXACT, 4),
    random("wrong when every error is small (the quadratic part)",
           lambda rng: (np.zeros(6), rng.uniform(-0.9, 0.9, size=6)), EXACT),
    random("wrong when every error is large (the linear part)",
           lambda rng: ((np.zeros(6), rng.choice([-1, 1], size=6) * rng.uniform(1.5, 20, size=6)),
                        {"delta": 1.2}), EXACT),
]


def _huber_per(y, p, delta=1.0, half=0.5, shift=0.5):
    e = _a(y) - _a(p)
    return np.where(np.abs(e) <= delta, half * e ** 2, delta * (np.abs(e) - shift * delta))


_HUBER_VISIBLE = [("the worked example (y = 3, prediction 5, one sample, delta = 1)", (_a([3]), _a([5]))),
                  ("small and large errors mixed, Python lists, default delta", FOUR_REGRESSION),
                  ("the same batch with delta = 2", FOUR_REGRESSION, {"delta": 2.0})]

HUBER = chapter.exercise(
    losses.huber, sign=LOSS, tol=EXACT, visible=_HUBER_VISIBLE, hidden=_HUBER_HIDDEN,
    mistakes=[mistake("no half", lambda y, p, delta=1.0: np.mean(_huber_per(y, p, delta, half=1.0)),
                      "the quadratic part is 0.5 * e**2, not e**2 (the half makes both pieces meet "
                      "smoothly)."),
              mistake("no - delta/2", lambda y, p, delta=1.0: np.mean(_huber_per(y, p, delta, shift=0)),
                      "the linear part is delta * (|e| - delta/2): without the - delta/2 the two "
                      "pieces do not meet."),
              mistake("sum instead of mean", lambda y, p, delta=1.0: np.sum(_huber_per(y, p, delta)),
                      "divide by n", specific=False)],
)

HUBER_GRAD = chapter.exercise(
    losses.huber_grad, sign=GRAD, tol=EXACT, visible=_HUBER_VISIBLE, hidden=_HUBER_HIDDEN,
    mistakes=[mistake("not clipped", lambda y, p, delta=1.0: (_a(p) - _a(y)) / np.size(p),
                      "outside |e| <= delta the loss is linear, so its slope stops growing: "
                      "there the derivative is delta * sign, not the error itself."),
              mistake("the slope of the loss in e, not in the prediction",
                      lambda y, p, delta=1.0: np.clip(_a(y) - _a(p), -delta, delta) / np.size(p),
                      "wrong sign", specific=False),
              mistake("no 1/n", lambda y, p, delta=1.0: -np.clip(_a(y) - _a(p), -delta, delta),
                      "divide by n", specific=False)],
)

HINGE = chapter.exercise(
    losses.hinge, sign=LOSS, tol=EXACT,
    visible=[("the worked example (y = [1, -1, 1, -1], scores [2.0, -0.5, 0.3, 0.8])",
              (_a([1, -1, 1, -1]), _a([2.0, -0.5, 0.3, 0.8]))),
             ("two samples, given as Python lists", ([1, -1], [-1.0, 0.5]))],
    hidden=[standard(_pm1_scores, EXACT, F32, single=[(_a([1]), _a([0.25])), (_a([-1]), _a([0.25]))],
                     list_size=9),
            holds("not 0 when every margin y*score is at least 1", _near_zero,
                  (_a([1, -1, 1, -1]), _a([1, -1, 3.5, -2])), "the result is not 0")],
    mistakes=[mistake("no margin", lambda y, s: np.mean(np.maximum(0, -_a(y) * _a(s))),
                      "the 1 in max(0, 1 - y*s) is missing: hinge loss also charges correct answers "
                      "whose margin y*s is below 1."),
              mistake("sum instead of mean", lambda y, s: np.sum(np.maximum(0, 1 - _a(y) * _a(s))),
                      "divide by n", specific=False)],
)


def _kl_rows(p, q, log=np.log):
    return np.sum(_a(p) * log(_a(p) / _a(q)), axis=-1)


KL = chapter.exercise(
    losses.kl_divergence, sign=LOSS, tol=PROB, n_of=n_rows, logs=True,
    visible=[("the worked example (P = [0.5, 0.3, 0.2], Q = [0.4, 0.4, 0.2])",
              (_a([0.5, 0.3, 0.2]), _a([0.4, 0.4, 0.2]))),
             ("a batch of two pairs (rows), given as Python lists",
              ([[0.5, 0.3, 0.2], [0.1, 0.1, 0.8]], [[0.4, 0.4, 0.2], [0.3, 0.3, 0.4]]))],
    hidden=[standard(_two_distributions, KL_TOL, F32, sizes=(12, 36),
                     batch_label="wrong for 2-D batches (mean over rows)",
                     single_label="wrong for a single pair of distributions (1-D input)"),
            holds("not 0 for KL(p || p)", _near_zero, (_a([0.25, 0.25, 0.5]), _a([0.25, 0.25, 0.5])),
                  "the result is not 0"),
            fixed("wrong when p has zero entries", (_a([0.5, 0, 0.5]), _a([0.2, 0.3, 0.5])),
                  (_a([[0, 1, 0], [0.3, 0.3, 0.4]]), _a([[0.2, 0.6, 0.2], [0.2, 0.5, 0.3]])), tol=KL_TOL)],
    mistakes=[mistake("arguments swapped", lambda p, q: np.mean(_kl_rows(q, p)),
                      "this is KL(q || p): the arguments are swapped, and KL is not symmetric."),
              mistake("log2", lambda p, q: np.mean(_kl_rows(p, q, np.log2)), "base 2", specific=False),
              mistake("sum over rows", lambda p, q: np.sum(_kl_rows(p, q)), "divide by n",
                      specific=False)],
)

_LINE_TOL = Tol(1e-6, 1e-8)  # the same 300 steps, rounding apart: ~1e-12 between styles

FIT_LINE = chapter.exercise(
    fit_line, tol=_LINE_TOL,
    visible=[("five points on y = 2x - 1, one of them an outlier",
              (_a([-2, -1, 0, 1, 2]), _a([-5, -3, -1, 1, 13]))),
             ("the same points, delta = 0.5, lr = 0.2 and 50 steps, as lists",
              ([-2.0, -1.0, 0.0, 1.0, 2.0], [-5.0, -3.0, -1.0, 1.0, 13.0]),
              {"delta": 0.5, "lr": 0.2, "steps": 50})],
    hidden=[random("wrong on random data", lambda rng: _line_with_outliers(rng), _LINE_TOL),
            holds("the outliers pull the line away from the inliers' line (limits in the exercise)",
                  _close_to_true_line, _line_with_outliers, "too far from the inliers' line")],
    mistakes=[mistake("least squares (the MSE gradient)", lambda x, y, delta=1.0, lr=0.5, steps=300:
                      fit_line(x, y, delta=1e12, lr=lr, steps=steps),
                      "this is the least-squares line (no clipping of the gradient): use your "
                      "huber_grad, so each point pulls with at most delta."),
              mistake("plus instead of minus", lambda x, y, delta=1.0, lr=0.5, steps=300:
                      fit_line(x, y, delta=delta, lr=-lr, steps=steps),
                      "the step goes uphill: subtract lr times the gradient.")],
)

EXERCISES = [MSE, MSE_GRAD, BCE, BCE_GRAD, CCE, SOFTMAX_CE_GRAD, BCE_LOGITS, CE_LOGITS, HUBER,
             HUBER_GRAD, HINGE, KL, FIT_LINE]
