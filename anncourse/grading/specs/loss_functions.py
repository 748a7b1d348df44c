"""Exercises of ``18-loss-functions``: the losses and gradients the learner writes.

Every expected value comes from the course's reference implementation
(:mod:`anncourse.losses`, :mod:`anncourse.activations`); no result is typed
in here.

What the checks accept
----------------------
Any correct formulation must pass: loops with :mod:`math` or vectorised
NumPy; a Python float, a NumPy scalar, a 0-d or a length-1 array for a loss;
a list or an array for a gradient.  The probability losses must survive
``p = 0`` and ``p = 1``, and learners stabilise them in different, equally
reasonable ways (clipping ``p`` to ``[eps, 1 - eps]`` with ``eps`` anywhere
from ``1e-15`` to ``1e-7``, adding ``eps`` inside the log, ``np.where`` on
the zero terms, PyTorch's clamp of ``log`` at -100).  So

* random cases keep every probability in ``[0.02, 0.98]``, where all those
  choices agree to better than the tolerance (see ``_PROB_RTOL``);
* the edge cases at exactly 0 and 1 check what every sensible answer has in
  common: a confident right answer costs about 0, a confident wrong answer
  costs a lot (>= 10, or +inf) and nothing is ever NaN.

Tolerances
----------
``rtol=1e-6`` in float64 for the regression losses: two correct formulas
(loop vs ``np.mean``, ``e * e`` vs ``e ** 2``) agree to ~1e-15, and a wrong
formula is off by a factor (2, n, 1/ln 10) or more.  The probability losses
use ``_PROB_RTOL``; float32 input uses ``_F32_RTOL``.
"""
from __future__ import annotations

import math

import numpy as np

from ... import activations, losses
from ..core import Case, Exercise, Property
from ..hints import log_base, missing_mean, nan_from_log_zero, sign_flipped, wrong_axis
from ..properties import matches_reference, satisfies

__all__ = ["EXERCISES"]

KEY = "18-loss-functions"

# float64, formulas that are the same up to rounding.
_RTOL = 1e-6
_ATOL = 1e-9
# Probability losses: a learner who writes log(p + eps) with eps <= 1e-7
# shifts each log term by at most eps / p.  With p >= 0.02 that is <= 5e-6,
# and relative to the term -log(p) it is at most eps / (p * -log p) ~ 5e-6
# (worst near p = 0.98); 1e-5 leaves room for that and nothing else.
_PROB_RTOL = 1e-5
_PROB_ATOL = 1e-6
# float32 input: about 7 significant digits per operation; sums and logs over
# up to ~100 numbers lose a few more.  1e-4 is comfortably above that and far
# below any real mistake.
_F32_RTOL = 1e-4
_F32_ATOL = 1e-5
# The lowest and highest probability used in random cases (see module doc).
_P_LOW, _P_HIGH = 0.02, 0.98


# --- references that accept whatever the checks pass --------------------------

def _f64(reference):
    """``reference`` on float64 copies: float32 cases are compared to the exact value."""

    def wrapped(*args, **kwargs):
        return reference(*(np.asarray(a, dtype=np.float64) for a in args), **kwargs)

    wrapped.__name__ = getattr(reference, "__name__", "reference")
    return wrapped


def softmax_cross_entropy_grad_reference(y_true_onehot, logits):
    """Gradient of the mean CCE of ``softmax(logits)`` with respect to the logits.

    ``(softmax(z) - y) / n`` for a batch ``(n, C)``; ``softmax(z) - y`` for one
    sample ``(C,)``.
    """
    y = np.asarray(y_true_onehot, dtype=np.float64)
    z = np.asarray(logits, dtype=np.float64)
    n = z.shape[0] if z.ndim == 2 else 1
    return (activations.softmax(z, axis=-1) - y) / n


REF = {
    "mse": _f64(losses.mse),
    "mse_grad": _f64(losses.mse_grad),
    "binary_cross_entropy": _f64(losses.binary_cross_entropy),
    "binary_cross_entropy_grad": _f64(losses.binary_cross_entropy_grad),
    "categorical_cross_entropy": _f64(losses.categorical_cross_entropy),
    "softmax_cross_entropy_grad": softmax_cross_entropy_grad_reference,
    "huber": _f64(losses.huber),
    "hinge": _f64(losses.hinge),
    "kl_divergence": _f64(losses.kl_divergence),
}


# --- random inputs (shapes the visible examples never use) --------------------

def _regression(rng, n, dtype=np.float64):
    y = rng.normal(0.0, 2.0, size=n)
    y_hat = y + rng.normal(0.0, 1.5, size=n)
    return y.astype(dtype), y_hat.astype(dtype)


def _binary(rng, n, dtype=np.float64):
    y = rng.integers(0, 2, size=n).astype(dtype)
    # Both classes present, so a formula that drops one of the two terms fails.
    y[0], y[-1] = 1, 0
    p = rng.uniform(_P_LOW, _P_HIGH, size=n).astype(dtype)
    return y, p


def _distributions(rng, shape, dtype=np.float64):
    """Random distributions along the last axis, every entry >= 0.02."""
    c = shape[-1]
    raw = rng.dirichlet(np.ones(c), size=shape[:-1] or None)
    floor = _P_LOW * c  # share of the mass spread evenly
    probs = (1 - floor) * raw + floor / c
    probs /= probs.sum(axis=-1, keepdims=True)
    return probs.astype(dtype)


def _onehot(rng, shape, dtype=np.float64):
    c = shape[-1]
    labels = rng.integers(0, c, size=shape[:-1] or None)
    return np.eye(c)[labels].astype(dtype)


def _labels_pm1(rng, n, dtype=np.float64):
    y = rng.choice([-1.0, 1.0], size=n)
    y[0], y[-1] = 1.0, -1.0
    return y.astype(dtype)


def _scores(rng, n, dtype=np.float64):
    # Spread so that some margins are above 1, some in (0, 1), some negative.
    return rng.normal(0.0, 1.5, size=n).astype(dtype)


def _as_lists(*arrays):
    return tuple(np.asarray(a).tolist() for a in arrays)


# --- small property builders --------------------------------------------------

def _fixed(reference, *inputs, rtol=_PROB_RTOL, atol=_PROB_ATOL):
    """The function agrees with ``reference`` on each of the given inputs.

    Each input is ``args`` or ``(args, kwargs)``.
    """
    tests = [matches_reference(reference, (lambda rng, made=made: made), trials=1,
                               rtol=rtol, atol=atol) for made in inputs]

    def test(func):
        for t in tests:
            reason = t(func)
            if reason is not None:
                return reason
        return None

    return test


def _large_or_inf(result) -> bool:
    """A confident wrong prediction: +inf, or finite and at least 10, never NaN."""
    r = np.asarray(result, dtype=np.float64)
    if r.size != 1 or np.isnan(r).any():
        return False
    v = float(r.reshape(()))
    return v == math.inf or (math.isfinite(v) and v >= 10.0)


def _near_zero(result) -> bool:
    r = np.asarray(result, dtype=np.float64)
    return r.size == 1 and bool(np.isfinite(r).all()) and abs(float(r.reshape(()))) <= 1e-6


# --- hints specific to these exercises ----------------------------------------

def _looks_like(wrong, advice):
    """A hint for one known wrong formula: ``wrong(*args)`` is what it gives."""

    def hint(args, expected, actual):
        try:
            with np.errstate(all="ignore"):
                value = np.asarray(wrong(*(np.asarray(a, dtype=np.float64) for a in args)),
                                   dtype=np.float64)
        except Exception:  # a variant that does not apply to these inputs
            return None
        if value.shape != actual.shape or np.allclose(value, expected, rtol=1e-6, atol=1e-12):
            return None
        with np.errstate(all="ignore"):
            same = np.allclose(actual, value, rtol=1e-6, atol=1e-12)
        return advice if same else None

    return hint


def _n_elements(args):
    return int(np.asarray(args[-1]).size)


def _n_rows(args):
    a = np.asarray(args[-1])
    return 1 if a.ndim < 2 else int(a.shape[0])


def _rowwise(per_row):
    """Mean over rows of ``per_row(y_row, p_row)``; one row for 1-D input."""

    def f(y, p):
        y, p = np.atleast_2d(y), np.atleast_2d(p)
        return np.mean([per_row(a, b) for a, b in zip(y, p)])

    return f


_e = lambda y, p: np.asarray(y, float) - np.asarray(p, float)  # noqa: E731

HINT_MAE = _looks_like(lambda y, p: np.mean(np.abs(_e(y, p))),
                       "this is the mean *absolute* error: square each error before averaging.")
HINT_RMSE = _looks_like(lambda y, p: np.sqrt(np.mean(_e(y, p) ** 2)),
                        "this is the *root* mean squared error: do not take the square root.")
HINT_MSE_GRAD_NO_2 = _looks_like(lambda y, p: -_e(y, p) / np.size(p),
                                 "your gradient is half the right one: the derivative of "
                                 "e**2 is 2*e, so keep the factor 2.")
HINT_BCE_ONE_TERM = _looks_like(lambda y, p: -np.mean(y * np.log(p)),
                                "only the y*log(p) term is there: the samples with y = 0 "
                                "need the (1 - y)*log(1 - p) term.")
HINT_BCE_GRAD_ONE_TERM = _looks_like(lambda y, p: -y / p / np.size(p),
                                     "only the -y/p part is there: differentiate the "
                                     "(1 - y)*log(1 - p) term too (it gives +(1 - y)/(1 - p)).")
HINT_CCE_ALL_ELEMENTS = _looks_like(lambda y, p: -np.mean(y * np.log(p)),
                                    "you averaged over every entry (n*C of them): sum over the "
                                    "classes of each sample first, then average over the samples "
                                    "(rows).")
HINT_SOFTMAX_FORGOTTEN = _looks_like(
    lambda y, z: (z - y) / (z.shape[0] if z.ndim == 2 else 1),
    "the logits went in without a softmax: compute p = softmax(z) first, then p - y.")
HINT_SOFTMAX_WRONG_AXIS = _looks_like(
    lambda y, z: (activations.softmax(z, axis=0) - y) / (z.shape[0] if z.ndim == 2 else 1),
    "the softmax ran down the columns: normalise each row (axis=-1), one sample per row.")
HINT_HUBER_NO_HALF = _looks_like(
    lambda y, p, delta=1.0: np.mean(np.where(np.abs(_e(y, p)) <= delta, _e(y, p) ** 2,
                                             delta * (np.abs(_e(y, p)) - 0.5 * delta))),
    "the quadratic part is 0.5 * e**2, not e**2 (the half makes both pieces meet smoothly).")
HINT_HUBER_NO_HALF_DELTA = _looks_like(
    lambda y, p, delta=1.0: np.mean(np.where(np.abs(_e(y, p)) <= delta, 0.5 * _e(y, p) ** 2,
                                             delta * np.abs(_e(y, p)))),
    "the linear part is delta * (|e| - delta/2): without the - delta/2 the two pieces do not meet.")
HINT_HINGE_NO_MARGIN = _looks_like(lambda y, s: np.mean(np.maximum(0, -y * s)),
                                   "the 1 in max(0, 1 - y*s) is missing: hinge loss also "
                                   "charges correct answers whose margin y*s is below 1.")
HINT_KL_SWAPPED = _looks_like(
    _rowwise(lambda p, q: np.sum(q * np.log(q / p))),
    "this is KL(q || p): the arguments are swapped, and KL is not symmetric.")


def _hints(*specific, n_of=_n_elements, logs=False):
    common = [nan_from_log_zero, wrong_axis, missing_mean(n_of), sign_flipped]
    if logs:
        common.append(log_base)
    return [*specific, *common]


# --- the exercises ----------------------------------------------------------

def _reg_property_set(name, *, extra=()):
    """Hidden checks shared by the elementwise losses/gradients of regression."""
    ref = REF[name]
    return [
        Property("wrong on random batched input",
                 matches_reference(ref, lambda rng: _regression(rng, int(rng.integers(5, 40))),
                                   trials=5, rtol=_RTOL, atol=_ATOL, seed=1)),
        Property("wrong for a single sample",
                 matches_reference(ref, lambda rng: _regression(rng, 1), trials=3,
                                   rtol=_RTOL, atol=_ATOL, seed=2)),
        Property("does not accept Python lists",
                 matches_reference(ref, lambda rng: _as_lists(*_regression(rng, 7)), trials=2,
                                   rtol=_RTOL, atol=_ATOL, seed=3)),
        Property("wrong for float32 input",
                 matches_reference(ref, lambda rng: _regression(rng, 25, np.float32), trials=2,
                                   rtol=_F32_RTOL, atol=_F32_ATOL, seed=4)),
        *extra,
    ]


MSE = Exercise(
    reference=losses.mse,
    key=f"{KEY}/mse",
    function_name="mse",
    visible=[
        Case("the worked example (y = [3, 5], prediction [2.5, 5.2])",
             (np.array([3.0, 5.0]), np.array([2.5, 5.2])), REF["mse"]),
        Case("a batch of four, given as Python lists",
             ([1.0, -2.0, 0.5, 4.0], [1.5, -1.0, 0.5, 2.0]), REF["mse"]),
    ],
    hidden=_reg_property_set("mse", extra=[
        Property("wrong for integer input",
                 matches_reference(REF["mse"], lambda rng: (rng.integers(-9, 10, size=6),
                                                            rng.integers(-9, 10, size=6)),
                                   trials=2, rtol=_RTOL, atol=_ATOL, seed=5)),
        Property("wrong for a long batch",
                 matches_reference(REF["mse"], lambda rng: _regression(rng, 1000), trials=1,
                                   rtol=_RTOL, atol=_ATOL, seed=6)),
    ]),
    hints=_hints(HINT_MAE, HINT_RMSE),
)

MSE_GRAD = Exercise(
    reference=losses.mse_grad,
    key=f"{KEY}/mse_grad",
    function_name="mse_grad",
    visible=[
        Case("the worked example (y = [3, 5], prediction [2.5, 5.2])",
             (np.array([3.0, 5.0]), np.array([2.5, 5.2])), REF["mse_grad"]),
        Case("a batch of four, given as Python lists",
             ([1.0, -2.0, 0.5, 4.0], [1.5, -1.0, 0.5, 2.0]), REF["mse_grad"]),
    ],
    hidden=_reg_property_set("mse_grad", extra=[
        Property("not zero where the prediction is exact",
                 matches_reference(REF["mse_grad"],
                                   lambda rng: (np.array([1.0, 2.0, 3.0]), np.array([1.0, 2.5, 3.0])),
                                   trials=1, rtol=_RTOL, atol=_ATOL)),
    ]),
    hints=_hints(HINT_MSE_GRAD_NO_2),
)


def _bce_props(name):
    ref = REF[name]
    return [
        Property("wrong on random batched input",
                 matches_reference(ref, lambda rng: _binary(rng, int(rng.integers(5, 40))),
                                   trials=5, rtol=_PROB_RTOL, atol=_PROB_ATOL, seed=11)),
        Property("wrong for a single sample",
                 _fixed(ref, (np.array([1.0]), np.array([0.35])),
                        (np.array([0.0]), np.array([0.35])))),
        Property("does not accept Python lists",
                 matches_reference(ref, lambda rng: _as_lists(*_binary(rng, 6)), trials=2,
                                   rtol=_PROB_RTOL, atol=_PROB_ATOL, seed=12)),
        Property("wrong for float32 input",
                 matches_reference(ref, lambda rng: _binary(rng, 20, np.float32), trials=2,
                                   rtol=_F32_RTOL, atol=_F32_ATOL, seed=13)),
    ]


BCE = Exercise(
    reference=losses.binary_cross_entropy,
    key=f"{KEY}/binary_cross_entropy",
    function_name="binary_cross_entropy",
    visible=[
        Case("the worked example (y = [1, 0], p = [0.9, 0.2])",
             (np.array([1.0, 0.0]), np.array([0.9, 0.2])), REF["binary_cross_entropy"],
             rtol=_PROB_RTOL, atol=_PROB_ATOL),
        Case("a batch of four, given as Python lists",
             ([0.0, 1.0, 1.0, 0.0], [0.1, 0.6, 0.95, 0.4]), REF["binary_cross_entropy"],
             rtol=_PROB_RTOL, atol=_PROB_ATOL),
    ],
    hidden=[
        *_bce_props("binary_cross_entropy"),
        Property("not about 0 when confidently right (p exactly 0 or 1)",
                 satisfies(_near_zero, lambda rng: (np.array([1.0, 0.0, 1.0]),
                                                    np.array([1.0, 0.0, 1.0])),
                           "the result is not close to 0")),
        Property("NaN or too small when confidently wrong (p exactly 0 or 1)",
                 satisfies(_large_or_inf, lambda rng: (np.array([1.0, 0.0]), np.array([0.0, 1.0])),
                           "expected a large loss or +inf, never NaN")),
        Property("wrong when some p are exactly 0 or 1",
                 _fixed(REF["binary_cross_entropy"],
                        (np.array([1.0, 0.0, 1.0, 0.0, 1.0]), np.array([1.0, 0.0, 0.7, 0.2, 0.55])))),
    ],
    hints=_hints(HINT_BCE_ONE_TERM, logs=True),
)

BCE_GRAD = Exercise(
    reference=losses.binary_cross_entropy_grad,
    key=f"{KEY}/binary_cross_entropy_grad",
    function_name="binary_cross_entropy_grad",
    visible=[
        Case("the worked example (y = [1, 0], p = [0.9, 0.2])",
             (np.array([1.0, 0.0]), np.array([0.9, 0.2])), REF["binary_cross_entropy_grad"],
             rtol=_PROB_RTOL, atol=_PROB_ATOL),
        Case("a batch of four, given as Python lists",
             ([0.0, 1.0, 1.0, 0.0], [0.1, 0.6, 0.95, 0.4]), REF["binary_cross_entropy_grad"],
             rtol=_PROB_RTOL, atol=_PROB_ATOL),
    ],
    hidden=[
        *_bce_props("binary_cross_entropy_grad"),
        Property("does not push p up for y = 1 and down for y = 0",
                 satisfies(lambda g: g.shape == (2,) and g[0] < 0 < g[1],
                           lambda rng: (np.array([1.0, 0.0]), np.array([0.5, 0.5])),
                           "the gradient has the wrong sign for some samples")),
    ],
    hints=_hints(HINT_BCE_GRAD_ONE_TERM),
)


def _cce_batch(rng, dtype=np.float64):
    n, c = int(rng.integers(4, 12)), int(rng.integers(3, 7))
    return _onehot(rng, (n, c), dtype), _distributions(rng, (n, c), dtype)


def _cce_single(rng):
    c = int(rng.integers(4, 8))
    return _onehot(rng, (c,)), _distributions(rng, (c,))


CCE = Exercise(
    reference=losses.categorical_cross_entropy,
    key=f"{KEY}/categorical_cross_entropy",
    function_name="categorical_cross_entropy",
    visible=[
        Case("the worked example, one sample (y = [0, 1, 0], p = [0.1, 0.7, 0.2])",
             (np.array([0.0, 1.0, 0.0]), np.array([0.1, 0.7, 0.2])),
             REF["categorical_cross_entropy"], rtol=_PROB_RTOL, atol=_PROB_ATOL),
        Case("a batch of two samples (rows), given as Python lists",
             ([[0.0, 1.0, 0.0], [1.0, 0.0, 0.0]], [[0.1, 0.7, 0.2], [0.5, 0.3, 0.2]]),
             REF["categorical_cross_entropy"], rtol=_PROB_RTOL, atol=_PROB_ATOL),
    ],
    hidden=[
        Property("wrong for 2-D batches (mean over rows)",
                 matches_reference(REF["categorical_cross_entropy"], _cce_batch, trials=5,
                                   rtol=_PROB_RTOL, atol=_PROB_ATOL, seed=21)),
        Property("wrong for a single sample (1-D input)",
                 matches_reference(REF["categorical_cross_entropy"], _cce_single, trials=3,
                                   rtol=_PROB_RTOL, atol=_PROB_ATOL, seed=22)),
        Property("does not accept Python lists",
                 matches_reference(REF["categorical_cross_entropy"],
                                   lambda rng: _as_lists(*_cce_batch(rng)), trials=2,
                                   rtol=_PROB_RTOL, atol=_PROB_ATOL, seed=23)),
        Property("wrong for float32 input",
                 matches_reference(REF["categorical_cross_entropy"],
                                   lambda rng: _cce_batch(rng, np.float32), trials=2,
                                   rtol=_F32_RTOL, atol=_F32_ATOL, seed=24)),
        Property("wrong when p has zero entries (0 * log 0 counts as 0)",
                 _fixed(REF["categorical_cross_entropy"],
                        (np.array([[0.0, 1.0, 0.0], [1.0, 0.0, 0.0], [0.0, 0.0, 1.0]]),
                         np.array([[0.0, 1.0, 0.0], [0.6, 0.4, 0.0], [0.1, 0.2, 0.7]])),
                        (np.array([0.0, 0.0, 1.0, 0.0]), np.array([0.5, 0.0, 0.5, 0.0])))),
        Property("NaN or too small when the true class gets p = 0",
                 satisfies(_large_or_inf, lambda rng: (np.array([0.0, 1.0, 0.0]),
                                                       np.array([1.0, 0.0, 0.0])),
                           "expected a large loss or +inf, never NaN")),
    ],
    hints=_hints(HINT_CCE_ALL_ELEMENTS, n_of=_n_rows, logs=True),
)


def _logits_batch(rng, dtype=np.float64):
    n, c = int(rng.integers(3, 9)), int(rng.integers(3, 7))
    return _onehot(rng, (n, c), dtype), rng.normal(0.0, 2.0, size=(n, c)).astype(dtype)


SOFTMAX_CE_GRAD = Exercise(
    key=f"{KEY}/softmax_cross_entropy_grad",
    function_name="softmax_cross_entropy_grad",
    visible=[
        Case("one sample (y = [1, 0, 0], logits [2.0, 1.0, 0.1])",
             (np.array([1.0, 0.0, 0.0]), np.array([2.0, 1.0, 0.1])),
             REF["softmax_cross_entropy_grad"]),
        Case("a batch of two samples (rows), given as Python lists",
             ([[0.0, 1.0, 0.0], [0.0, 0.0, 1.0]], [[0.5, 1.5, -1.0], [0.0, 0.0, 0.0]]),
             REF["softmax_cross_entropy_grad"]),
    ],
    hidden=[
        Property("wrong for 2-D batches (divide by the number of rows)",
                 matches_reference(REF["softmax_cross_entropy_grad"], _logits_batch, trials=5,
                                   rtol=_RTOL, atol=_ATOL, seed=31)),
        Property("wrong for a single sample (1-D input)",
                 matches_reference(REF["softmax_cross_entropy_grad"],
                                   lambda rng: (_onehot(rng, (5,)), rng.normal(0, 2, size=5)),
                                   trials=3, rtol=_RTOL, atol=_ATOL, seed=32)),
        Property("does not accept Python lists",
                 matches_reference(REF["softmax_cross_entropy_grad"],
                                   lambda rng: _as_lists(*_logits_batch(rng)), trials=2,
                                   rtol=_RTOL, atol=_ATOL, seed=33)),
        Property("wrong for float32 input",
                 # Entries of p - y near 0 lose relative precision: atol matters here.
                 matches_reference(REF["softmax_cross_entropy_grad"],
                                   lambda rng: _logits_batch(rng, np.float32), trials=2,
                                   rtol=_F32_RTOL, atol=_F32_ATOL, seed=34)),
        Property("overflows for large logits (subtract the row's maximum first)",
                 _fixed(REF["softmax_cross_entropy_grad"],
                        (np.array([[1.0, 0.0, 0.0], [0.0, 1.0, 0.0]]),
                         np.array([[1000.0, 0.0, -1000.0], [-500.0, 800.0, 799.0]])),
                        rtol=_RTOL, atol=_ATOL)),
        Property("not zero when the logits already give the label (almost) all the mass",
                 satisfies(lambda g: g.shape == (2,) and np.all(np.abs(g) < 1e-9),
                           lambda rng: (np.array([0.0, 1.0]), np.array([-40.0, 40.0])),
                           "the gradient is not about 0")),
    ],
    hints=_hints(HINT_SOFTMAX_FORGOTTEN, HINT_SOFTMAX_WRONG_AXIS, n_of=_n_rows),
)


def _huber_args(rng, n, delta=None, dtype=np.float64):
    y, y_hat = _regression(rng, n, dtype)
    return ((y, y_hat), {}) if delta is None else ((y, y_hat), {"delta": delta})


HUBER = Exercise(
    reference=losses.huber,
    key=f"{KEY}/huber",
    function_name="huber",
    visible=[
        Case("the worked example (y = 3, prediction 5, one sample, delta = 1)",
             (np.array([3.0]), np.array([5.0])), REF["huber"]),
        Case("small and large errors mixed, Python lists, default delta",
             ([1.0, 2.0, 3.0, 4.0], [1.5, 2.0, 6.0, 3.2]), REF["huber"]),
        Case("the same batch with delta = 2",
             ([1.0, 2.0, 3.0, 4.0], [1.5, 2.0, 6.0, 3.2]), REF["huber"], kwargs={"delta": 2.0}),
    ],
    hidden=[
        Property("wrong on random batched input (default delta)",
                 matches_reference(REF["huber"], lambda rng: _huber_args(rng, int(rng.integers(5, 40))),
                                   trials=5, rtol=_RTOL, atol=_ATOL, seed=41)),
        Property("wrong for another delta",
                 matches_reference(REF["huber"],
                                   lambda rng: _huber_args(rng, 15, float(rng.choice([0.3, 0.75, 2.5]))),
                                   trials=4, rtol=_RTOL, atol=_ATOL, seed=42)),
        Property("wrong when every error is small (the quadratic part)",
                 matches_reference(REF["huber"],
                                   lambda rng: ((np.zeros(6), rng.uniform(-0.9, 0.9, size=6)), {}),
                                   trials=2, rtol=_RTOL, atol=_ATOL, seed=43)),
        Property("wrong when every error is large (the linear part)",
                 matches_reference(REF["huber"],
                                   lambda rng: ((np.zeros(6), rng.choice([-1, 1], size=6)
                                                 * rng.uniform(1.5, 20, size=6)), {"delta": 1.2}),
                                   trials=2, rtol=_RTOL, atol=_ATOL, seed=44)),
        Property("wrong for a single sample",
                 matches_reference(REF["huber"], lambda rng: _huber_args(rng, 1, 0.5), trials=3,
                                   rtol=_RTOL, atol=_ATOL, seed=45)),
        Property("does not accept Python lists",
                 matches_reference(REF["huber"],
                                   lambda rng: (_as_lists(*_regression(rng, 8)), {"delta": 1.5}),
                                   trials=2, rtol=_RTOL, atol=_ATOL, seed=46)),
        Property("wrong for float32 input",
                 matches_reference(REF["huber"], lambda rng: _huber_args(rng, 20, None, np.float32),
                                   trials=2, rtol=_F32_RTOL, atol=_F32_ATOL, seed=47)),
    ],
    hints=_hints(HINT_HUBER_NO_HALF, HINT_HUBER_NO_HALF_DELTA),
)


def _hinge_args(rng, n, dtype=np.float64):
    return _labels_pm1(rng, n, dtype), _scores(rng, n, dtype)


HINGE = Exercise(
    reference=losses.hinge,
    key=f"{KEY}/hinge",
    function_name="hinge",
    visible=[
        Case("the worked example (y = [1, -1, 1, -1], scores [2.0, -0.5, 0.3, 0.8])",
             (np.array([1.0, -1.0, 1.0, -1.0]), np.array([2.0, -0.5, 0.3, 0.8])), REF["hinge"]),
        Case("two samples, given as Python lists",
             ([1, -1], [-1.0, 0.5]), REF["hinge"]),
    ],
    hidden=[
        Property("wrong on random batched input",
                 matches_reference(REF["hinge"], lambda rng: _hinge_args(rng, int(rng.integers(5, 40))),
                                   trials=5, rtol=_RTOL, atol=_ATOL, seed=51)),
        Property("wrong for a single sample",
                 _fixed(REF["hinge"], (np.array([1.0]), np.array([0.25])),
                        (np.array([-1.0]), np.array([0.25])), rtol=_RTOL, atol=_ATOL)),
        Property("not 0 when every margin y*score is at least 1",
                 satisfies(_near_zero, lambda rng: (np.array([1.0, -1.0, 1.0, -1.0]),
                                                    np.array([1.0, -1.0, 3.5, -2.0])),
                           "the result is not 0")),
        Property("does not accept Python lists",
                 matches_reference(REF["hinge"], lambda rng: _as_lists(*_hinge_args(rng, 9)),
                                   trials=2, rtol=_RTOL, atol=_ATOL, seed=52)),
        Property("wrong for float32 input",
                 matches_reference(REF["hinge"], lambda rng: _hinge_args(rng, 20, np.float32),
                                   trials=2, rtol=_F32_RTOL, atol=_F32_ATOL, seed=53)),
    ],
    hints=_hints(HINT_HINGE_NO_MARGIN),
)


def _kl_batch(rng, dtype=np.float64):
    n, c = int(rng.integers(3, 9)), int(rng.integers(3, 7))
    return _distributions(rng, (n, c), dtype), _distributions(rng, (n, c), dtype)


def _kl_single(rng):
    c = int(rng.integers(3, 8))
    return _distributions(rng, (c,)), _distributions(rng, (c,))


KL = Exercise(
    reference=losses.kl_divergence,
    key=f"{KEY}/kl_divergence",
    function_name="kl_divergence",
    visible=[
        Case("the worked example (P = [0.5, 0.3, 0.2], Q = [0.4, 0.4, 0.2])",
             (np.array([0.5, 0.3, 0.2]), np.array([0.4, 0.4, 0.2])), REF["kl_divergence"],
             rtol=_PROB_RTOL, atol=_PROB_ATOL),
        Case("a batch of two pairs (rows), given as Python lists",
             ([[0.5, 0.3, 0.2], [0.1, 0.1, 0.8]], [[0.4, 0.4, 0.2], [0.3, 0.3, 0.4]]),
             REF["kl_divergence"], rtol=_PROB_RTOL, atol=_PROB_ATOL),
    ],
    hidden=[
        Property("wrong for a single pair of distributions (1-D input)",
                 matches_reference(REF["kl_divergence"], _kl_single, trials=4,
                                   rtol=_PROB_RTOL, atol=1e-5, seed=61)),
        Property("wrong for 2-D batches (mean over rows)",
                 # atol 1e-5: log((p + eps) / (q + eps)) with eps <= 1e-7 and
                 # q >= 0.02 moves each term by at most ~eps * (1 + p / q) ~ 5e-6.
                 matches_reference(REF["kl_divergence"], _kl_batch, trials=4,
                                   rtol=_PROB_RTOL, atol=1e-5, seed=62)),
        Property("not 0 for KL(p || p)",
                 satisfies(_near_zero, lambda rng: (np.array([0.25, 0.25, 0.5]), np.array([0.25, 0.25, 0.5])),
                           "the result is not 0")),
        Property("wrong when p has zero entries",
                 _fixed(REF["kl_divergence"],
                        (np.array([0.5, 0.0, 0.5]), np.array([0.2, 0.3, 0.5])),
                        (np.array([[0.0, 1.0, 0.0], [0.3, 0.3, 0.4]]),
                         np.array([[0.2, 0.6, 0.2], [0.2, 0.5, 0.3]])),
                        atol=1e-5)),
        Property("does not accept Python lists",
                 matches_reference(REF["kl_divergence"], lambda rng: _as_lists(*_kl_batch(rng)),
                                   trials=2, rtol=_PROB_RTOL, atol=1e-5, seed=63)),
        Property("wrong for float32 input",
                 matches_reference(REF["kl_divergence"], lambda rng: _kl_batch(rng, np.float32),
                                   trials=2, rtol=_F32_RTOL, atol=_F32_ATOL, seed=64)),
    ],
    hints=_hints(HINT_KL_SWAPPED, n_of=_n_rows, logs=True),
)

EXERCISES: list[Exercise] = [MSE, MSE_GRAD, BCE, BCE_GRAD, CCE, SOFTMAX_CE_GRAD, HUBER, HINGE, KL]
