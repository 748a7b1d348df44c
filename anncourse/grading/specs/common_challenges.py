"""Exercises of ``15-common-challenges``: what the learner writes, and how it is checked.

Every expected value comes from :mod:`anncourse.challenges`.

What the checks must accept
---------------------------
* ``diagnose``: any code that applies the stated rule (gaps compared with
  0.02, strictly).  Its answer is a word, so a driver turns each word into a
  number (ok 0, high bias 1, high variance 2, both 3, anything else -1) and
  a visible case checks a whole table of situations at once; no check puts a
  gap within 0.001 of the threshold, where float rounding (0.12 - 0.10 is
  0.01999...) would decide.
* ``poly_fit_errors``: ``np.linalg.lstsq`` on the powers, ``np.polyfit``,
  the normal equations ``solve(A.T A, A.T y)`` or ``pinv``; lists or arrays.
  Every check draws x in [-1, 1], degree at most 8 and at least twice as
  many training points as coefficients, so the powers' matrix has a
  condition number below about 1e4 and even the normal equations (which
  square it) lose no more than about 1e-8 relative.  ``rtol=1e-6`` keeps a
  margin of 100 over that; the usual mistakes (a degree too low, RMSE, a
  sum) are off by more than 1 %.
* ``init_std``: a float from ``math.sqrt`` or ``np.sqrt``.  ``rtol=1e-9``.
* ``activation_stats``: the random draw is fully specified in the text
  (input first, then one ``(width, width)`` matrix per layer, from
  ``np.random.default_rng(seed)``), so the numbers can be compared.
  ``rng.normal(0, weight_std, size)`` draws exactly the same numbers as
  ``rng.standard_normal(size) * weight_std``.  ``rtol=1e-3`` accepts
  ``np.std(ddof=1)`` (a relative change of about 1/(2N), at most 1e-4 with
  N >= 500 * 10 numbers per layer: every check has width >= 10) and any
  order of summation, while the statistics of the pre-activations differ
  by more than 1 % in every visible case; an answer whose
  statistics are right but whose draws are in another order is told so by
  a hint.
* ``gradient_norms_by_layer``: loops or matrix products, lists or arrays,
  float32 input (compared at ``rtol=1e-3``: a product of up to eight
  float32 layers loses about 1e-6 per layer, and the norms of vanishing
  layers are relative, not absolute, comparisons).
"""
from __future__ import annotations

import math

import numpy as np

from ...challenges import (GAP, activation_stats, diagnose, gradient_norms_by_layer, init_std,
                           poly_fit_errors)
from ..core import Case, Exercise, Mistake, Property
from ..properties import matches_reference, scenario_matches
from ..specbuilder import Chapter, Hidden, Tol, fixed, mistake, random, seed_for, standard_hints

__all__ = ["EXERCISES"]

chapter = Chapter(__name__)

EXACT = Tol(1e-6, 1e-10)
WORDS = Tol(0.0, 0.0)


# --- diagnose -----------------------------------------------------------------

def diagnosis_codes(diagnose, situations):
    """diagnose(*s) for each situation, as numbers: ok 0, high bias 1, high variance 2, both 3, else -1."""
    codes = {"ok": 0.0, "high bias": 1.0, "high variance": 2.0, "both": 3.0}
    out = []
    for s in situations:
        word = diagnose(*s)
        if word is None:
            raise ValueError("returned None: did you forget the `return` statement?")
        out.append(codes.get(str(word), -1.0) if isinstance(word, str) else -1.0)
    return out


def _rule(bias_of, variance_of, names=("ok", "high bias", "high variance", "both")):
    """A diagnose function with another rule (for the usual mistakes)."""

    def rule(baseline, train, val):
        b, v = bias_of(baseline, train, val) > GAP, variance_of(baseline, train, val) > GAP
        return names[int(b) + 2 * int(v)]

    return rule


DIAGNOSE_MISTAKES = {
    "ignores the baseline (train error alone)": (
        _rule(lambda b, t, v: t, lambda b, t, v: v - t),
        "the bias is the training error minus the baseline error, not the training error alone"),
    "measures the variance from the baseline (val - baseline)": (
        _rule(lambda b, t, v: t - b, lambda b, t, v: v - b),
        "the variance gap is validation minus *training* error"),
    "swaps the two words": (
        _rule(lambda b, t, v: t - b, lambda b, t, v: v - t,
              names=("ok", "high variance", "high bias", "both")),
        "a training error far above the baseline is high *bias* (underfitting); a validation error "
        "far above the training error is high *variance*"),
}


def _diagnose_hint(wrong, advice):
    def hint(args, expected, actual):
        got = np.asarray(diagnosis_codes(wrong, args[0]), dtype=float)
        if got.shape == actual.shape and not np.array_equal(got, expected) \
                and np.array_equal(got, actual):
            return advice
        return None

    return hint


_TABLE = [  # (baseline, train, val): every verdict, with gaps well away from 0.02
    (0.01, 0.10, 0.11), (0.01, 0.02, 0.10), (0.01, 0.08, 0.15), (0.05, 0.06, 0.07),
    (0.0, 0.01, 0.015), (0.10, 0.30, 0.31), (0.10, 0.11, 0.20), (0.02, 0.15, 0.30),
    (0.05, 0.09, 0.12), (0.0, 0.03, 0.035), (0.08, 0.09, 0.125),
]


def _situations(rng, n=40):
    base = rng.uniform(0.0, 0.2, n)
    bias = rng.choice([-1, 1], n) * rng.uniform(0.001, 0.1, n) + GAP
    var = rng.choice([-1, 1], n) * rng.uniform(0.001, 0.1, n) + GAP
    return ([(float(b), float(b + x), float(b + x + y)) for b, x, y in zip(base, bias, var)],)


def _diag_case(label, situations):
    return Case(label, (situations,), diagnose, rtol=0.0, atol=0.0, driver=diagnosis_codes)


def _diag_hidden(label, make):
    return Hidden(label, lambda ref, seed: scenario_matches(ref, diagnosis_codes, make, trials=3,
                                                            rtol=0.0, atol=0.0, seed=seed))


DIAGNOSE = chapter.exercise(
    diagnose, tol=WORDS,
    visible=[
        _diag_case("the worked examples of the text (codes: ok 0, high bias 1, high variance 2, "
                   "both 3, another word -1)", _TABLE[:4]),
        _diag_case("four more situations", _TABLE[4:]),
    ],
    hidden=[
        _diag_hidden("wrong on random situations", _situations),
        _diag_hidden("wrong when the errors are given as NumPy numbers",
                     lambda rng: ([tuple(np.float64(v) for v in s) for s in _situations(rng, 10)[0]],)),
    ],
    mistakes=[mistake(label, func, advice, specific=False)
              for label, (func, advice) in DIAGNOSE_MISTAKES.items()],
    hints=[_diagnose_hint(func, advice) for func, advice in DIAGNOSE_MISTAKES.values()],
)


# --- poly_fit_errors ----------------------------------------------------------

def _poly_data(rng, degree=None, n_train=None, dtype=np.float64):
    degree = int(rng.integers(0, 9)) if degree is None else degree
    n_train = n_train or int(rng.integers(2 * (degree + 1), 60))
    x_tr, x_va = rng.uniform(-1, 1, n_train), rng.uniform(-1, 1, 30)
    f = lambda x: np.sin(3 * x) + 0.5 * x
    y_tr = f(x_tr) + 0.2 * rng.standard_normal(n_train)
    y_va = f(x_va) + 0.2 * rng.standard_normal(30)
    return tuple(a.astype(dtype) for a in (x_tr, y_tr, x_va, y_va)) + (degree,)


def _fit_wrong_degree(x_tr, y_tr, x_va, y_va, degree):
    return poly_fit_errors(x_tr, y_tr, x_va, y_va, max(degree - 1, 0)) if degree > 0 else (-1.0, -1.0)


def _rmse(*args):
    return tuple(math.sqrt(v) for v in poly_fit_errors(*args))


def _val_refit(x_tr, y_tr, x_va, y_va, degree):
    return poly_fit_errors(x_tr, y_tr, x_va, y_va, degree)[0], poly_fit_errors(
        x_va, y_va, x_va, y_va, degree)[0]


_XS = np.array([-1.0, -0.5, 0.0, 0.5, 1.0, 1.5])
_YS = np.array([1.0, 0.2, 0.1, 0.3, 1.2, 2.1])

POLY = chapter.exercise(
    poly_fit_errors, tol=EXACT,
    visible=[
        ("the worked example: a straight line (degree 1) through six points",
         (_XS, _YS, np.array([-0.75, 0.25, 1.25]), np.array([0.6, 0.2, 1.6]), 1)),
        ("the same points, degree 2", (_XS, _YS, np.array([-0.75, 0.25, 1.25]),
                                       np.array([0.6, 0.2, 1.6]), 2)),
        ("degree 0 (the mean of y_train), inputs as Python lists",
         ([0.0, 1.0, 2.0, 3.0], [1.0, 3.0, 2.0, 6.0], [4.0], [5.0], 0)),
    ],
    hidden=[
        random("wrong on random data and degrees", _poly_data, EXACT, trials=6),
        random("wrong for degree 8", lambda rng: _poly_data(rng, 8), EXACT, trials=2),
        random("does not accept Python lists",
               lambda rng: tuple(a.tolist() if isinstance(a, np.ndarray) else a
                                 for a in _poly_data(rng)), EXACT),
        random("wrong for float32 input", lambda rng: _poly_data(rng, dtype=np.float32),
               Tol(1e-4, 1e-7)),
    ],
    mistakes=[
        mistake("powers up to degree - 1 only", _fit_wrong_degree,
                "a polynomial of degree d has d + 1 coefficients: powers x^0 .. x^d "
                "(np.arange(degree + 1))"),
        mistake("root mean squared error", _rmse,
                "return the mean squared error, without the square root"),
        mistake("fits the validation set too", _val_refit,
                "fit the coefficients on the training set only, then evaluate that same "
                "polynomial on the validation set"),
    ],
)


# --- init_std -----------------------------------------------------------------

def unknown_scheme(init_std, n_in, n_out, scheme):
    """[raised ValueError, its message names 'xavier' and 'he'], as 0/1."""
    try:
        init_std(n_in, n_out, scheme)
    except ValueError as err:
        return [1.0, 1.0 if ("xavier" in str(err) and "'he'" in str(err)) else 0.0]
    except Exception:  # another error type: not what the exercise asks for
        return [0.0, 0.0]
    return [0.0, 0.0]


def _sizes(rng, scheme):
    return int(rng.integers(1, 2000)), int(rng.integers(1, 2000)), scheme


INIT = chapter.exercise(
    init_std, tol=Tol(1e-9, 0.0),
    visible=[
        ("Xavier, 784 inputs and 256 units", (784, 256, "xavier")),
        ("He, 784 inputs and 256 units", (784, 256, "he")),
        ("He, 3 inputs and 1000 units", (3, 1000, "he")),
        Case("an unknown scheme raises ValueError naming 'xavier' and 'he' "
             "(the driver returns [raised ValueError, message names them] as 1/0)",
             (10, 10, "lecun"), init_std, driver=unknown_scheme),
    ],
    hidden=[
        random("wrong for Xavier on random layer sizes", lambda rng: _sizes(rng, "xavier"),
               Tol(1e-9, 0.0), trials=5),
        random("wrong for He on random layer sizes", lambda rng: _sizes(rng, "he"),
               Tol(1e-9, 0.0), trials=5),
        fixed("wrong for a single input and a single unit", (1, 1, "xavier"), (1, 1, "he"),
              tol=Tol(1e-9, 0.0)),
    ],
    mistakes=[
        mistake("returns the variance", lambda a, b, s: init_std(a, b, s) ** 2,
                "you returned the variance; the standard deviation is its square root"),
        mistake("He with fan_in + fan_out", lambda a, b, s: math.sqrt(2 / (a + b)),
                "He initialisation uses n_in only: sqrt(2 / n_in)"),
        mistake("Xavier without the 2", lambda a, b, s: math.sqrt((1 if s == "xavier" else 2) / (
            a + b if s == "xavier" else a)),
                "Xavier averages fan_in and fan_out: variance 2 / (n_in + n_out)"),
    ],
)


# --- activation_stats ---------------------------------------------------------

def stats_table(activation_stats, depth, width, weight_std, activation, seed):
    """activation_stats(...) as one array: the means, then the stds."""
    import numpy as np

    result = activation_stats(depth, width, weight_std, activation, seed)
    if result is None:
        raise ValueError("returned None: did you forget the `return` statement?")
    means, stds = result
    return np.concatenate([np.ravel(np.asarray(means, dtype=float)),
                           np.ravel(np.asarray(stds, dtype=float))])


def _other_draw_order(depth, width, weight_std, activation, seed):
    """The right statistics, from the weights drawn before the input (a usual slip)."""
    from ...challenges import ACTIVATIONS, BATCH

    f = ACTIVATIONS[activation][0]
    rng = np.random.default_rng(seed)
    weights = [rng.standard_normal((width, width)) * weight_std for _ in range(depth)]
    h = rng.standard_normal((BATCH, width))
    means, stds = [], []
    for W in weights:
        h = f(h @ W)
        means.append(h.mean())
        stds.append(h.std())
    return np.array(means), np.array(stds)


def _draw_order_hint(args, expected, actual):
    """Right in distribution, other numbers: the draws are not in the stated order."""
    n = expected.size // 2
    if actual.shape != expected.shape or n == 0:
        return None
    with np.errstate(all="ignore"):
        ratio = actual[n:] / expected[n:]
    if np.all(np.isfinite(ratio)) and np.all(np.abs(np.log(ratio)) < 0.7) \
            and not np.allclose(actual, expected, rtol=1e-3):
        return ("your statistics are of the right size but not from the stated draws: create "
                "rng = np.random.default_rng(seed) once, draw the input first (500 rows), then one "
                "(width, width) matrix per layer as you go, multiplying h @ W")
    return None


_PRE_HINT = "statistics of the activations h = f(z), after the activation function"


def _driver_hint(driver, wrong, advice):
    """A hint for a driven case: the learner's driven value is what ``driver(wrong, *args)`` gives."""

    def hint(args, expected, actual):
        try:
            with np.errstate(all="ignore"):
                got = np.asarray(driver(wrong, *args), dtype=float)
        except Exception:  # the wrong variant does not apply to these arguments
            return None
        if got.shape == actual.shape and not np.allclose(got, expected, rtol=1e-6) \
                and np.allclose(got, actual, rtol=1e-6, atol=1e-12):
            return advice
        return None

    return hint


def _stats_case(label, args):
    return Case(label, args, activation_stats, rtol=1e-3, atol=1e-12, driver=stats_table)


def _stats_args(rng):
    activation = str(rng.choice(["linear", "relu", "tanh", "sigmoid"]))
    width = int(rng.integers(10, 60))
    return (int(rng.integers(1, 12)), width, float(rng.uniform(0.3, 2.0) / math.sqrt(width)),
            activation, int(rng.integers(0, 10_000)))


STATS = chapter.exercise(
    activation_stats, tol=Tol(1e-3, 1e-12),
    visible=[
        _stats_case("the worked example: 5 tanh layers of 100 units, weight_std 0.01, seed 0 "
                    "(the driver returns the means, then the stds)",
                    (5, 100, 0.01, "tanh", 0)),
        _stats_case("10 ReLU layers of 100 units, He's std sqrt(2/100), seed 1",
                    (10, 100, math.sqrt(2 / 100), "relu", 1)),
        _stats_case("3 sigmoid layers of 20 units, weight_std 1, seed 7",
                    (3, 20, 1.0, "sigmoid", 7)),
    ],
    hidden=[
        Hidden("wrong on random networks",
               lambda ref, seed: scenario_matches(ref, stats_table, _stats_args, trials=4,
                                                  rtol=1e-3, atol=1e-12, seed=seed)),
        Hidden("wrong for a single layer",
               lambda ref, seed: scenario_matches(ref, stats_table,
                                                  lambda rng: (1, 10, 0.5, "linear", 3), trials=1,
                                                  rtol=1e-3, atol=1e-12, seed=seed)),
    ],
    mistakes=[
        mistake("draws the weights before the input", _other_draw_order,
                "not from the stated draws", specific=False),
        mistake("statistics of the pre-activations z", lambda *a: _pre_activation_stats(*a),
                _PRE_HINT, specific=False),
    ],
    hints=[_driver_hint(stats_table, lambda *a: _pre_activation_stats(*a), _PRE_HINT),
           _draw_order_hint],
)


def _pre_activation_stats(depth, width, weight_std, activation, seed):
    from ...challenges import ACTIVATIONS, BATCH

    f = ACTIVATIONS[activation][0]
    rng = np.random.default_rng(seed)
    h = rng.standard_normal((BATCH, width))
    means, stds = [], []
    for _ in range(depth):
        z = h @ (rng.standard_normal((width, width)) * weight_std)
        means.append(z.mean())
        stds.append(z.std())
        h = f(z)
    return np.array(means), np.array(stds)




# --- gradient_norms_by_layer --------------------------------------------------

def _chain(rng, depth=None, activation=None, n=None, dtype=np.float64, gain=None):
    depth = depth or int(rng.integers(1, 9))
    activation = activation or str(rng.choice(["linear", "relu", "tanh", "sigmoid"]))
    sizes = [int(s) for s in rng.integers(2, 9, depth + 1)]
    gain = gain if gain is not None else float(rng.uniform(0.5, 2.0))
    weights = [(rng.standard_normal((a, b)) * gain / math.sqrt(a)).astype(dtype)
               for a, b in zip(sizes[:-1], sizes[1:])]
    x = rng.standard_normal((n or int(rng.integers(1, 20)), sizes[0])).astype(dtype)
    return x, weights, activation


def _no_derivative(x, weights, activation):
    from ...challenges import ACTIVATIONS

    f = ACTIVATIONS[activation][0]
    h = np.atleast_2d(np.asarray(x, float))
    ws = [np.asarray(W, float) for W in weights]
    ins = []
    for W in ws:
        ins.append(h)
        h = f(h @ W)
    g = np.full(h.shape, 1.0 / h.shape[0])
    out = np.empty(len(ws))
    for l in range(len(ws) - 1, -1, -1):
        out[l] = np.linalg.norm(ins[l].T @ g)
        g = g @ ws[l].T
    return out


def _no_mean(x, weights, activation):
    return gradient_norms_by_layer(x, weights, activation) * np.atleast_2d(np.asarray(x)).shape[0]


_W2 = [np.array([[1.0, -0.5], [0.5, 1.0]]), np.array([[2.0], [-1.0]])]
_X2 = np.array([[1.0, 2.0], [-1.0, 0.5], [0.3, -0.2]])

def _recognise(wrong, advice):
    """A hint: the learner's norms are what ``wrong(*args)`` gives (and that is not the answer)."""

    def hint(args, expected, actual):
        try:
            with np.errstate(all="ignore"):
                value = np.asarray(wrong(*args), dtype=np.float64)
        except Exception:  # the wrong formula does not apply to these arguments
            return None
        if value.shape != actual.shape or np.allclose(value, expected, rtol=1e-6, atol=1e-12):
            return None
        return advice if np.allclose(actual, value, rtol=1e-6, atol=1e-12) else None

    return hint


def _as_lists(made):
    x, weights, activation = made
    return np.asarray(x).tolist(), [np.asarray(W).tolist() for W in weights], activation


_GRAD_KEY = f"{chapter.slug}/gradient_norms_by_layer"
_GRAD_MISTAKES = [
    ("forgets the activation's derivative", _no_derivative,
     "multiply the gradient by f'(z) at every layer, on the way down"),
    ("sums instead of averaging over the batch", _no_mean, "the loss divides by the batch size n"),
    ("returns squared norms", lambda *a: gradient_norms_by_layer(*a) ** 2,
     "return the norm (the square root of the sum of squares), not its square"),
]


def _grad_hidden(label, make, tol, trials):
    # The weights of a chain have different shapes, so the arguments are passed as they are
    # (specbuilder's float64 copy would try to stack them into one array).
    return Property(label, matches_reference(gradient_norms_by_layer, make, trials=trials,
                                             rtol=tol.rtol, atol=tol.atol,
                                             seed=seed_for(_GRAD_KEY, label)))


GRADS = Exercise(
    key=_GRAD_KEY,
    function_name="gradient_norms_by_layer",
    reference=gradient_norms_by_layer,
    visible=[
        Case(label, args, gradient_norms_by_layer, rtol=EXACT.rtol, atol=EXACT.atol)
        for label, args in [
            ("the worked example: two tanh layers (2 -> 2 -> 1), three samples", (_X2, _W2, "tanh")),
            ("the same chain, ReLU", (_X2, _W2, "relu")),
            ("the same chain, sigmoid, one sample", (np.array([[1.0, 2.0]]), _W2, "sigmoid")),
            ("the same chain, linear, weights and inputs as Python lists",
             (_X2.tolist(), [w.tolist() for w in _W2], "linear")),
        ]
    ],
    hidden=[
        _grad_hidden("wrong on random chains", _chain, EXACT, 6),
        _grad_hidden("wrong for a deep sigmoid chain (vanishing)",
                     lambda rng: _chain(rng, depth=8, activation="sigmoid", n=10), EXACT, 2),
        _grad_hidden("wrong for a deep ReLU chain with large weights (exploding)",
                     lambda rng: _chain(rng, depth=8, activation="relu", n=10, gain=3.0), EXACT, 2),
        _grad_hidden("does not accept Python lists", lambda rng: _as_lists(_chain(rng)), EXACT, 2),
        _grad_hidden("wrong for float32 input", lambda rng: _chain(rng, dtype=np.float32),
                     Tol(1e-3, 1e-7), 2),
    ],
    hints=[*(_recognise(func, advice) for _, func, advice in _GRAD_MISTAKES),
           *standard_hints()],
    mistakes=[Mistake(label, func, advice) for label, func, advice in _GRAD_MISTAKES],
)

EXERCISES = [DIAGNOSE, POLY, INIT, STATS, GRADS]
