"""Exercises of ``01-introduction``: threshold units, logic gates and the perceptron.

Every expected value comes from :mod:`anncourse.threshold`;
:mod:`anncourse.grading.specbuilder` supplies the keys, seeds, standard hidden
checks and the hints for the usual mistakes.

What the checks must accept
---------------------------
* ``mp_neuron``, ``perceptron_predict`` and ``xor_network`` return 0 or 1
  per row: ints, floats or booleans, a loop or ``np.where``/comparisons, a
  scalar or a length-1 array for one sample, lists or arrays as input.
* ``gate_parameters`` has infinitely many right answers (``θ = 1.5`` is as
  good an AND threshold as ``θ = 2``), so it is never compared with fixed
  numbers: a scenario driver evaluates the learner's ``(w, θ)`` on the
  gate's truth table, in the sandbox, and compares the outputs.  Hidden
  checks build XOR and NAND out of the learner's own gates.
* ``perceptron_fit`` is deterministic (zero start, fixed order), so its
  ``(w, b, epochs)`` is compared part by part with the reference, as a
  tuple, a list or a dict; ``w`` may be a list.

Tolerances
----------
Outputs of threshold units are exactly 0 or 1: ``atol=1e-9`` only absorbs
the float conversion of ints and booleans.  A real mistake is off by 1.
The perceptron's weights are sums of ``lr * x`` terms; two correct loops
(``w += ...`` vs ``w = w + ...``) agree to ~1e-15 per step, so ``1e-9``
over at most a few thousand updates is far below any wrong update.  Its
random data are continuous, so no sample lands on the decision line by
rounding (which would make two correct loops diverge); only the exact zero
of the first step does, and there ``w . x + b = 0`` predicts 0 by definition.
The visible perceptron cases use ``lr = 1`` on 0/1 inputs, where every
number is an exact integer.
"""
from __future__ import annotations

import numpy as np

from ... import threshold
from ..core import Case, Exercise, Mistake, Part, Property
from ..properties import matches_reference, scenario_matches, verdict
from ..specbuilder import Chapter, Tol, fixed, mistake, random, seed_for, standard

__all__ = ["EXERCISES"]

chapter = Chapter(__name__)

BINARY = Tol(0.0, 1e-9)
WEIGHTS = Tol(1e-9, 1e-9)
_INPUT_NAMES = {1: "0, 1", 2: "00, 01, 10, 11"}


# --- mp_neuron -------------------------------------------------------------------

def _binary_unit(rng, n, dtype=np.float64):
    """0/1 inputs with small integer weights and threshold: sums often land exactly on θ."""
    d = int(rng.integers(2, 6))
    x = rng.integers(0, 2, size=(n, d) if n else d).astype(dtype)
    w = rng.integers(-2, 4, size=d).astype(dtype)
    return x, w, float(rng.integers(-1, 5))


def _real_unit(rng):
    """Real-valued inputs, weights and threshold."""
    n, d = int(rng.integers(5, 30)), int(rng.integers(1, 6))
    return rng.normal(size=(n, d)), rng.normal(size=d), float(rng.normal())


def _mp_strict(x, w, threshold_):
    return (np.asarray(x, float) @ np.asarray(w, float) > threshold_).astype(int)


def _mp_sum(x, w, threshold_):
    return np.asarray(x, float) @ np.asarray(w, float)


def _mp_unweighted(x, w, threshold_):
    return (np.asarray(x, float).sum(axis=-1) >= threshold_).astype(int)


MP_NEURON = chapter.exercise(
    threshold.mp_neuron, name="mp_neuron", tol=BINARY,
    visible=[
        ("the worked example: AND with w = [1, 1], θ = 2 on 00, 01, 10, 11",
         (threshold.truth_table(2), np.array([1.0, 1.0]), 2.0)),
        ("an inhibitory input (w = [1, 1, -2], θ = 1), given as Python lists",
         ([[1, 1, 0], [1, 1, 1], [1, 0, 0], [0, 0, 1]], [1, 1, -2], 1)),
        ("one sample as a 1-D array, with a sum exactly at θ",
         (np.array([1.0, 0.0, 1.0]), np.array([0.5, 0.5, 0.5]), 1.0)),
    ],
    hidden=[
        standard(_binary_unit, BINARY, BINARY),
        fixed("a sum exactly at the threshold does not fire",
              (threshold.truth_table(3), np.array([2.0, -1.0, 1.0]), 1.0),
              (threshold.truth_table(2), np.array([0.0, 0.0]), 0.0), tol=BINARY),
        random("wrong for real-valued weights and thresholds", _real_unit, BINARY, trials=4),
    ],
    mistakes=[
        mistake("fires only above θ (> instead of >=)", _mp_strict,
                "a sum exactly equal to θ fires: compare with >=, not >"),
        mistake("returns the weighted sum", _mp_sum,
                "return 1 or 0 (whether the weighted sum reaches θ), not the sum itself"),
        mistake("adds the inputs without their weights", _mp_unweighted,
                "each input counts with its weight: sum w_i * x_i, not x_i alone"),
    ],
)


# --- gate_parameters -------------------------------------------------------------

def gate_truth_table(func, name):
    """The outputs of a McCulloch-Pitts unit with ``func(name)``'s (w, θ) on every input."""
    import itertools

    import numpy as np

    params = func(name)
    if name == "XOR":
        # None is the answer: no single threshold unit computes XOR.
        return 1.0 if params is None else 0.0
    if params is None:
        return None
    if not isinstance(params, (tuple, list)) or len(params) != 2:
        raise ValueError(f"gate_parameters({name!r}) must return a pair (w, threshold)")
    n = 1 if name == "NOT" else 2
    w = np.asarray(params[0], dtype=float).reshape(-1)
    if w.size != n:
        raise ValueError(f"{name} has {n} input(s), so w needs {n} weight(s); got {w.size}")
    X = np.array(list(itertools.product([0.0, 1.0], repeat=n)))
    return (X @ w >= float(params[1])).astype(float)


def gates_on_rows(func, rows, order):
    """Every gate, asked for in ``order``, with the learner's parameters on many 0/1 rows.

    The AND, OR and NAND outputs on ``rows``, NOT's on their first column, and
    1 if XOR's answer is None, all in one flat array.
    """
    import numpy as np

    X = np.asarray(rows, dtype=float)
    answers = {name: func(name) for name in order}
    out = []
    for name in ("AND", "OR", "NAND", "NOT"):
        w, theta = answers[name]
        inputs = X[:, :1] if name == "NOT" else X
        out.append(inputs @ np.asarray(w, dtype=float).reshape(-1) >= float(theta))
    return np.concatenate([np.ravel(out).astype(float), [float(answers["XOR"] is None)]])


def gates_composed(func, rows):
    """XOR = AND(OR, NAND) and NAND = NOT(AND), wired from the learner's own gates."""
    import numpy as np

    def unit(name, X):
        w, theta = func(name)
        return (X @ np.asarray(w, dtype=float).reshape(-1) >= float(theta)).astype(float)

    X = np.asarray(rows, dtype=float)
    hidden = np.stack([unit("OR", X), unit("NAND", X)], axis=1)
    return np.array([unit("AND", hidden), unit("NOT", unit("AND", X)[:, None])])


_GATE_NAMES = {(0, 0, 0, 1): "AND", (0, 1, 1, 1): "OR", (1, 1, 1, 0): "NAND", (1, 0, 0, 0): "NOR",
               (0, 1, 1, 0): "XOR", (1, 0, 0, 1): "XNOR", (1, 0): "NOT", (0, 1): "the identity"}


def _gate_hint(args, expected, actual):
    """Name the gate the learner's parameters compute instead."""
    name = args[0]
    if name == "XOR":
        return ("no single threshold unit computes XOR (no line separates its 1s from its 0s): "
                "return None.")
    table = tuple(int(round(v)) for v in np.ravel(actual))
    inputs = _INPUT_NAMES.get(len(table), "the inputs")
    if len(set(table)) == 1:
        return (f"your unit {'always' if table[0] else 'never'} fires: move θ so that it fires "
                f"exactly on the rows where {name} is 1.")
    which = _GATE_NAMES.get(table)
    if which:
        return (f"with your (w, θ) the unit gives {list(table)} on inputs {inputs}, which is the "
                f"truth table of {which}, not {name}.")
    return None


def _rows(rng):
    n = int(rng.integers(6, 30))
    return (rng.integers(0, 2, size=(n, 2)).astype(float),)


def _rows_and_order(rng):
    return (*_rows(rng), [str(name) for name in rng.permutation(["AND", "OR", "NAND", "NOT", "XOR"])])


def _gate_case(name):
    return Case(f"the {name} gate on its truth table" if name != "XOR" else
                "XOR: no (w, θ) exists", (name,), threshold.gate_parameters,
                driver=gate_truth_table, rtol=0.0, atol=1e-9)


def _params(table):
    def gate(name):
        return table.get(name, threshold.gate_parameters(name))
    return gate


GATE_PARAMETERS = Exercise(
    key=f"{chapter.slug}/gate_parameters",
    function_name="gate_parameters",
    reference=threshold.gate_parameters,
    visible=[_gate_case(name) for name in ("AND", "OR", "NAND", "NOT", "XOR")],
    hidden=[
        Property("a gate is wrong when the gates are asked for in another order, on many inputs",
                 scenario_matches(threshold.gate_parameters, gates_on_rows, _rows_and_order, trials=3,
                                  rtol=0.0, atol=1e-9,
                                  seed=seed_for("gate_parameters", "rows"))),
        Property("XOR wired as AND(OR, NAND) from your gates, or NOT(AND) as NAND, is wrong",
                 scenario_matches(threshold.gate_parameters, gates_composed, _rows, trials=2,
                                  rtol=0.0, atol=1e-9,
                                  seed=seed_for("gate_parameters", "composed"))),
    ],
    hints=[_gate_hint],
    mistakes=[
        Mistake("OR with the AND threshold", _params({"OR": ([1, 1], 2)}),
                "which is the truth table of AND, not OR"),
        Mistake("NAND as AND with negated weights only", _params({"NAND": ([-1, -1], 2)}),
                "your unit never fires"),
        Mistake("NOT that always fires", _params({"NOT": ([1], 0)}), "your unit always fires"),
        Mistake("parameters for XOR", _params({"XOR": ([1, 1], 1)}),
                "no single threshold unit computes XOR"),
    ],
)


# --- perceptron_predict ------------------------------------------------------------

def _scores(rng, n, dtype=np.float64):
    d = int(rng.integers(1, 5))
    X = rng.normal(size=(n, d) if n else d)
    return X.astype(dtype), rng.normal(size=d).astype(dtype), float(rng.normal())


def _predict_ge(X, w, b):
    return (np.asarray(X, float) @ np.asarray(w, float) + b >= 0).astype(int)


def _predict_no_bias(X, w, b):
    return (np.asarray(X, float) @ np.asarray(w, float) > 0).astype(int)


def _predict_sign(X, w, b):
    return np.sign(np.asarray(X, float) @ np.asarray(w, float) + b)


PERCEPTRON_PREDICT = chapter.exercise(
    threshold.perceptron_predict, name="perceptron_predict", tol=BINARY,
    visible=[
        ("the worked example (w = [1, -1], b = -0.5)",
         (np.array([[2.0, 1.0], [-1.0, 3.0], [0.5, 0.25]]), np.array([1.0, -1.0]), -0.5)),
        ("the untrained perceptron (w = 0, b = 0) on 00, 01, 10, 11: every point is on the line",
         (threshold.truth_table(2), np.zeros(2), 0.0)),
        ("one sample as a Python list", ([1.0, 2.0], [0.5, -0.25], 0.25)),
    ],
    hidden=[
        standard(_scores, BINARY, BINARY),
        fixed("a point on the decision line is not predicted as 0",
              (np.array([[1.0, 1.0], [2.0, 0.0], [0.0, 1.0]]), np.array([1.0, 1.0]), -2.0),
              tol=BINARY),
    ],
    mistakes=[
        mistake("predicts 1 on the line (>= 0)", _predict_ge,
                "on the line itself (w . x + b = 0) the perceptron predicts 0: use > 0, not >= 0"),
        mistake("forgets the bias", _predict_no_bias, "the bias b is missing"),
        mistake("returns -1/+1 labels", _predict_sign,
                "the labels here are 0 and 1, not -1 and +1"),
    ],
)


# --- perceptron_fit ------------------------------------------------------------------

def _separable(rng, lists=False):
    """Continuous points with a margin around a random line, labels 0/1 (both present),
    and a learning rate."""
    # Drawn again until both classes occur: with one class only, weights that
    # predict it everywhere (w = 0, b = 0 for all-0 labels) fit the data and pass
    # the training-data verdict (1 salt in 40 did so).
    y = np.zeros(0)
    while not 0 < y.sum() < len(y):
        d = int(rng.integers(2, 5))
        w_true, b_true = rng.normal(size=d), float(rng.normal(0, 0.5))
        X = rng.normal(size=(int(rng.integers(40, 80)), d))
        score = (X @ w_true + b_true) / np.linalg.norm(w_true)
        X = X[np.abs(score) > 0.2][:int(rng.integers(8, 30))]
        y = (X @ w_true + b_true > 0).astype(float)
    args = (X.tolist(), y.tolist()) if lists else (X, y)
    return args, {"lr": float(rng.uniform(0.1, 2.0))}


def _not_separable(rng):
    """XOR-like data (no line separates them) and a small epoch budget."""
    n = int(rng.integers(8, 20))
    X = rng.uniform(-1, 1, size=(n, 2))
    X[:4] = [[-0.8, -0.8], [0.8, 0.8], [-0.8, 0.8], [0.8, -0.8]]
    y = ((X[:, 0] > 0) != (X[:, 1] > 0)).astype(float)
    return (X, y), {"lr": float(rng.uniform(0.1, 1.5)), "max_epochs": int(rng.integers(3, 25))}


def _fits_training_data(result, args):
    """Verdict: if training stopped early, the returned w, b classify every training sample."""
    X, y = np.asarray(args[0], dtype=float), np.asarray(args[1], dtype=float)
    try:
        if isinstance(result, dict):
            result = (result["w"], result["b"], result["epochs"])
        w, b, epochs = result
        w = np.asarray(w, dtype=float).reshape(-1)
        predicted = (X @ w + float(b) > 0).astype(float)
    except Exception:
        return "the result is not (w, b, epochs) with one weight per feature"
    if not (np.asarray(epochs, dtype=float) < 100):
        return "it ran all max_epochs epochs on data a line separates"
    return None if np.array_equal(predicted, y) else \
        "after stopping, the returned w and b misclassify a training sample"


def _fit_variant(*, strict=True, bias=True, count_clean=True):
    """A perceptron_fit with one of the usual slips."""
    def fit(X, y, lr=1.0, max_epochs=100):
        X, y = np.asarray(X, float), np.asarray(y, float)
        w, b = np.zeros(X.shape[1]), 0.0
        for epoch in range(1, max_epochs + 1):
            mistakes = 0
            for x_i, y_i in zip(X, y):
                score = x_i @ w + b
                error = y_i - float(score > 0 if strict else score >= 0)
                w = w + lr * error * x_i
                b = b + (lr * error if bias else 0.0)
                mistakes += error != 0
            if mistakes == 0:
                return w, b, epoch if count_clean else epoch - 1
        return w, b, max_epochs
    return fit


def _fit_case(label, args, kwargs=None):
    return Case(label, args, threshold.perceptron_fit, kwargs or {}, rtol=WEIGHTS.rtol,
                atol=WEIGHTS.atol)


PERCEPTRON_FIT = Exercise(
    key=f"{chapter.slug}/perceptron_fit",
    function_name="perceptron_fit",
    reference=threshold.perceptron_fit,
    parts=(Part("w"), Part("b"), Part("epochs")),
    visible=[
        _fit_case("AND on 00, 01, 10, 11 (lr = 1)", (threshold.truth_table(2), np.array([0, 0, 0, 1.0]))),
        _fit_case("OR given as Python lists (lr = 1)",
                  ([[0, 0], [0, 1], [1, 0], [1, 1]], [0, 1, 1, 1])),
        _fit_case("XOR never converges: it stops at max_epochs = 10",
                  (threshold.truth_table(2), np.array([0, 1, 1, 0.0])), {"max_epochs": 10}),
        _fit_case("NAND with lr = 0.5", (threshold.truth_table(2), np.array([1, 1, 1, 0.0])),
                  {"lr": 0.5}),
    ],
    hidden=[
        Property("wrong on random separable data with other learning rates",
                 matches_reference(threshold.perceptron_fit, _separable, trials=4,
                                   rtol=WEIGHTS.rtol, atol=WEIGHTS.atol,
                                   seed=seed_for("perceptron_fit", "separable"))),
        Property("does not accept Python lists",
                 matches_reference(threshold.perceptron_fit, lambda rng: _separable(rng, True),
                                   trials=2, rtol=WEIGHTS.rtol, atol=WEIGHTS.atol,
                                   seed=seed_for("perceptron_fit", "lists"))),
        Property("wrong on data no line separates (it must stop at max_epochs)",
                 matches_reference(threshold.perceptron_fit, _not_separable, trials=3,
                                   rtol=WEIGHTS.rtol, atol=WEIGHTS.atol,
                                   seed=seed_for("perceptron_fit", "xor"))),
        Property("after stopping early, the returned weights misclassify training data",
                 verdict(_fits_training_data, lambda rng: _separable(rng)[0],
                         seed=seed_for("perceptron_fit", "verdict"))),
    ],
    mistakes=[
        # Structured feedback names the part that is wrong (and the ones that are right).
        Mistake("does not count the mistake-free epoch", _fit_variant(count_clean=False),
                "w is right; b is right; epochs"),
        Mistake("predicts 1 on the line (>= 0)", _fit_variant(strict=False),
                "w is right; b 1.5 times too large"),
        Mistake("never updates the bias", _fit_variant(bias=False), "b is zero"),
    ],
)


# --- xor_network -----------------------------------------------------------------------

def _binary_rows(rng, n, dtype=np.float64):
    return (rng.integers(0, 2, size=(n, 2) if n else 2).astype(dtype),)


def _xor_as_or(X):
    X = np.asarray(X, float)
    return (X.sum(axis=-1) >= 1).astype(int)


def _xnor(X):
    return 1 - threshold.xor_network(X)


def _xor_as_nand(X):
    X = np.asarray(X, float)
    return (X.sum(axis=-1) <= 1).astype(int)


XOR_NETWORK = chapter.exercise(
    threshold.xor_network, name="xor_network", tol=BINARY,
    visible=[
        ("XOR on 00, 01, 10, 11", (threshold.truth_table(2),)),
        ("rows in another order, repeated, as Python lists",
         ([[1, 1], [1, 0], [0, 0], [0, 1], [1, 1], [1, 0]],)),
    ],
    hidden=[standard(_binary_rows, BINARY, BINARY, single=[(np.array([1.0, 1.0]),),
                                                            (np.array([0.0, 1.0]),)])],
    mistakes=[
        mistake("only the OR unit", _xor_as_or,
                "11 gives 1, as in OR: add a second hidden unit (NAND) that is 0 only on 11, "
                "and AND the two"),
        mistake("only the NAND unit", _xor_as_nand,
                "00 gives 1, as in NAND: add a second hidden unit (OR) that is 0 only on 00, "
                "and AND the two"),
        mistake("the output inverted (XNOR)", _xnor,
                "your network computes XNOR, the opposite of XOR: check the output unit's "
                "threshold or the sign of its weights"),
    ],
)


EXERCISES: list[Exercise] = [MP_NEURON, GATE_PARAMETERS, PERCEPTRON_PREDICT, PERCEPTRON_FIT,
                             XOR_NETWORK]
