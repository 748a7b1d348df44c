"""Spec tests for ``03-mathematics``: the checks accept the reference and catch the usual mistakes.

tests/test_specs_generated.py checks that each exercise's reference passes and
each usual mistake fails with its hint; this file holds what is specific to the chapter.
"""
from __future__ import annotations

import pytest

from anncourse.grading.specs import exercises

EXERCISES = exercises("03-mathematics")


# --- what is specific to 03-mathematics ------------------------------------------------
#
# Correct answers in the styles a learner might write pass every check (visible and
# hidden); subtle mistakes that look right on the worked examples fail a hidden check;
# structured answers are compared part by part and the feedback names the wrong part.

import math  # noqa: E402

import numpy as np  # noqa: E402

from anncourse import activations  # noqa: E402
from anncourse.grading import CheckFailed, check  # noqa: E402
from anncourse.grading.specs import mathematics as spec  # noqa: E402

SLUG = "03-mathematics"


def passes(func, name):
    check(func, f"{SLUG}/{name}")
    check(func, f"{SLUG}/{name}", hidden=True)


def failure(func, name, hidden=False) -> str:
    with pytest.raises(CheckFailed) as info:
        check(func, f"{SLUG}/{name}", hidden=hidden)
    return str(info.value)


# --- correct styles --------------------------------------------------------------------

def sigmoid_loop(z):
    """One number at a time with math, keeping the input's shape and float32."""
    arr = np.asarray(z)
    flat = [1 / (1 + math.exp(-v)) if v >= 0 else math.exp(v) / (1 + math.exp(v))
            for v in arr.astype(float).ravel()]
    return np.array(flat).reshape(arr.shape)


def sigmoid_where_quiet(z):
    """np.where over two branches, each fed only numbers that cannot overflow."""
    z = np.asarray(z, dtype=float)
    e = np.exp(-np.abs(z))
    return np.where(z >= 0, 1 / (1 + e), e / (1 + e))


def sigmoid_tanh(z):
    """sigma(z) = (1 + tanh(z/2)) / 2: stable, and a different formula."""
    return 0.5 * (1 + np.tanh(0.5 * np.asarray(z, dtype=float)))


def sigmoid_grad_loop(z):
    out = []
    for v in np.asarray(z, dtype=float).ravel():
        s = 1 / (1 + math.exp(-v)) if v >= 0 else math.exp(v) / (1 + math.exp(v))
        out.append(s * (1 - s))
    return np.array(out).reshape(np.shape(z))


def relu_mask(z):
    z = np.asarray(z, dtype=float)
    return z * (z > 0)


def relu_grad_bool(z):
    return np.asarray(z) > 0  # booleans are read as 0 and 1


def neuron_dict(x, w, b):
    x, w = np.asarray(x, dtype=float), np.asarray(w, dtype=float)
    f = float(activations.sigmoid(x @ w + b))
    return {"f": f, "dx": f * (1 - f) * w, "dw": f * (1 - f) * x, "db": f * (1 - f)}


def neuron_lists(x, w, b):
    z = sum(xi * wi for xi, wi in zip(np.asarray(x, float).tolist(), np.asarray(w, float).tolist())) + b
    f = 1 / (1 + math.exp(-z)) if z >= 0 else math.exp(z) / (1 + math.exp(z))
    s = f * (1 - f)
    return f, [s * wi for wi in np.asarray(w, float).tolist()], \
        [s * xi for xi in np.asarray(x, float).tolist()], s


EPS = 1e-12


def logistic_clipped(w, b, X, y):
    """Cost from clipped probabilities: the usual way to keep the log finite."""
    X, y = np.asarray(X, dtype=float), np.asarray(y, dtype=float)
    z = X @ np.asarray(w, dtype=float) + b
    p = np.clip(np.where(z >= 0, 1 / (1 + np.exp(-np.abs(z))),
                         np.exp(-np.abs(z)) / (1 + np.exp(-np.abs(z)))), EPS, 1 - EPS)
    n = len(y)
    cost = -np.mean(y * np.log(p) + (1 - y) * np.log(1 - p))
    return X.T @ (p - y) / n, np.sum(p - y) / n, cost


def logistic_loops(w, b, X, y):
    """Sample by sample, with math."""
    X, y, w = np.asarray(X, float).tolist(), np.asarray(y, float).tolist(), np.asarray(w, float).tolist()
    n, d = len(y), len(w)
    dw, db, cost = [0.0] * d, 0.0, 0.0
    for row, target in zip(X, y):
        z = sum(a * c for a, c in zip(row, w)) + b
        p = 1 / (1 + math.exp(-z)) if z >= 0 else math.exp(z) / (1 + math.exp(z))
        # -ln p = log(1 + e^-z) and -ln(1 - p) = log(1 + e^z), each computed without overflow
        cost += target * (max(-z, 0) + math.log1p(math.exp(-abs(z)))) \
            + (1 - target) * (max(z, 0) + math.log1p(math.exp(-abs(z))))
        for j in range(d):
            dw[j] += (p - target) * row[j] / n
        db += (p - target) / n
    return dw, db, cost / n


def relative_error_loop(a, b):
    a, b = np.asarray(a, float).ravel().tolist(), np.asarray(b, float).ravel().tolist()
    top = max(abs(u - v) for u, v in zip(a, b))
    scale = max(max(abs(u) for u in a), max(abs(v) for v in b))
    return 0.0 if scale == 0 else top / scale


def relative_error_norms(a, b):
    a, b = np.asarray(a, dtype=float), np.asarray(b, dtype=float)
    scale = max(np.linalg.norm(a.ravel(), np.inf), np.linalg.norm(b.ravel(), np.inf))
    return np.linalg.norm((a - b).ravel(), np.inf) / scale if scale else 0.0


def train_with_own_gradients(X, y, lr=0.5, steps=300):
    X, y = np.asarray(X, dtype=float), np.asarray(y, dtype=float)
    w, b = np.zeros(X.shape[1]), 0.0
    for _ in range(steps):
        dw, db, _ = logistic_clipped(w, b, X, y)
        w = w - lr * np.asarray(dw)
        b = b - lr * db
    return list(w), b


STYLES = [(sigmoid_loop, "sigmoid"), (sigmoid_where_quiet, "sigmoid"), (sigmoid_tanh, "sigmoid"),
          (sigmoid_grad_loop, "sigmoid_grad"), (relu_mask, "relu"), (relu_grad_bool, "relu_grad"),
          (neuron_dict, "sigmoid_neuron_gradients"), (neuron_lists, "sigmoid_neuron_gradients"),
          (logistic_clipped, "logistic_regression_gradients"),
          (logistic_loops, "logistic_regression_gradients"),
          (relative_error_loop, "relative_error"), (relative_error_norms, "relative_error"),
          (train_with_own_gradients, "train_logistic_regression")]


@pytest.mark.parametrize("func, name", STYLES, ids=[f.__name__ for f, _ in STYLES])
def test_correct_styles_pass(func, name, capsys):
    passes(func, name)


# --- subtle mistakes: right on the worked examples, caught by a hidden check ------------

def sigmoid_naive(z):
    return 1 / (1 + np.exp(-np.asarray(z, dtype=float)))


def sigmoid_where_both_branches(z):
    z = np.asarray(z, dtype=float)
    return np.where(z >= 0, 1 / (1 + np.exp(-z)), np.exp(z) / (1 + np.exp(z)))


def logistic_naive_cost(w, b, X, y):
    X, y = np.asarray(X, dtype=float), np.asarray(y, dtype=float)
    p = activations.sigmoid(X @ np.asarray(w, dtype=float) + b)
    cost = -np.mean(y * np.log(p) + (1 - y) * np.log(1 - p))
    return X.T @ (p - y) / len(y), np.mean(p - y), cost


@pytest.mark.parametrize("func", [sigmoid_naive, sigmoid_where_both_branches])
def test_an_overflowing_sigmoid_is_right_in_view_but_fails_the_overflow_check(func, capsys):
    with np.errstate(over="ignore"):
        check(func, f"{SLUG}/sigmoid")
    message = failure(func, "sigmoid", hidden=True)
    assert "1 of" in message and "overflows at z = +-1000" in message, message


def test_a_naive_cost_is_nan_when_the_model_is_confident(capsys):
    check(logistic_naive_cost, f"{SLUG}/logistic_regression_gradients")
    message = failure(logistic_naive_cost, "logistic_regression_gradients", hidden=True)
    assert "1 of" in message and "confident" in message, message


def test_relative_error_entry_by_entry_gets_its_hint():
    message = failure(spec._elementwise, "relative_error")
    assert "entry by entry" in message, message


def test_relative_error_both_zero_nan_gets_its_hint():
    message = failure(spec._no_zero_case, "relative_error")
    assert "are both zero" in message and "NaN" in message, message


def test_relu_grad_at_zero_is_zero():
    assert "z > 0, not z >= 0" in failure(spec._relu_grad_at_zero_is_one, "relu_grad")


# --- structured answers: the feedback names the wrong part --------------------------------

def test_neuron_feedback_names_the_wrong_parts():
    message = failure(spec._swapped_dx_dw, "sigmoid_neuron_gradients")
    assert "f is right" in message and "dx is not close enough" in message \
        and "dw is not close enough" in message and "db is right" in message, message


def test_logistic_feedback_names_the_wrong_parts():
    message = failure(spec._lr_sign, "logistic_regression_gradients")
    assert "dw has the wrong sign" in message and "db has the wrong sign" in message \
        and "cost is right" in message, message


def test_a_wrong_part_earns_the_other_parts_their_share():
    from anncourse.grading.core import assess

    ex = EXERCISES["logistic_regression_gradients"]
    fraction = assess(spec._lr_sign, ex, visible=True, hidden=True).fraction
    assert 0 < fraction < 1, fraction


# --- the training exercise's verdict ---------------------------------------------------------

def test_training_too_little_fails_the_exact_check_not_the_verdict(capsys):
    from anncourse.grading.properties import salted

    def twenty_steps(X, y, lr=0.5, steps=300):
        return spec.train_logistic_regression(X, y, lr=lr, steps=20)

    message = failure(twenty_steps, "train_logistic_regression")  # visible: not the same steps
    assert "w is not close enough" in message
    verdict = EXERCISES["train_logistic_regression"].hidden[1]
    # 20 steps already classify well: the verdict is about accuracy, not the number of steps.
    for salt in range(10):
        with salted(salt):
            assert verdict.test(twenty_steps) is None, salt


def test_the_accuracy_verdict_fails_a_useless_model():
    verdict = EXERCISES["train_logistic_regression"].hidden[1]

    def majority(X, y, lr=0.5, steps=300):
        return np.zeros(np.shape(X)[1]), 10.0  # always predicts class 1

    def diverged(X, y, lr=0.5, steps=300):
        return spec.train_logistic_regression(X, y, lr=-lr, steps=steps)

    assert "below the required level" in verdict.test(majority)
    assert verdict.test(diverged) is not None


def test_the_reference_clears_the_accuracy_threshold_on_many_splits():
    # The threshold stated in the exercise must not fail a correct answer: over 40
    # salts the reference's held-out accuracy stays above it.
    from anncourse.grading.properties import salted

    verdict = EXERCISES["train_logistic_regression"].hidden[1]
    for salt in range(40):
        with salted(salt):
            assert verdict.test(spec.train_logistic_regression) is None, salt


# --- the worked numbers the notebook quotes -------------------------------------------------

def test_the_worked_numbers():
    assert np.allclose(activations.sigmoid([-2.0, 0.0, 2.0]), [0.119203, 0.5, 0.880797], atol=1e-6)
    f, dx, dw, db = spec.sigmoid_neuron_gradients([1.0, 2.0], [0.5, -0.25], 0.1)
    assert round(f, 4) == 0.5250 and round(db, 4) == 0.2494
    assert spec.relative_error([1.0, 2.0, 3.0], [1.0, 2.1, 3.0]) == pytest.approx(0.1 / 3)
    assert spec.relative_error([0.0], [0.0]) == 0.0
    assert spec.relative_error([0.0, 0.0], [0.0, 1e-8]) == 1.0
    # float64's sigmoid rounds to exactly 1.0 from z = 37 on (1 - 2**-53 is its last step below 1)
    assert activations.sigmoid(36.0) < 1.0 and activations.sigmoid(37.0) == 1.0


def test_relative_error_rejects_different_shapes():
    with pytest.raises(ValueError, match="shape"):
        spec.relative_error([1.0, 2.0], [1.0, 2.0, 3.0])


def test_the_overflow_driver_catches_overflow_in_the_sandbox():
    """The driver runs where the learner's function runs: the real sandbox."""
    from anncourse.grading.core import assess
    from anncourse.grading.sandbox import Sandbox

    source = ("import numpy as np\n"
              "def sigmoid(z):\n"
              "    z = np.asarray(z, dtype=float)\n"
              "    return np.where(z >= 0, 1 / (1 + np.exp(-z)), np.exp(z) / (1 + np.exp(z)))\n")
    ex = EXERCISES["sigmoid"]
    with Sandbox([source], "sigmoid", isolation="prefer") as sandbox:
        remote = sandbox.function("main", "sigmoid")
        verdicts = assess(remote, ex, visible=True, hidden=True).verdicts
    failed = [v.label for v in verdicts if not v.passed]
    assert failed == [next(p.label for p in ex.hidden if p.label.startswith("overflows"))], failed


@pytest.mark.parametrize("eps", [1e-15, 1e-12, 1e-7])
def test_clipping_p_everywhere_passes_the_confident_check(eps):
    """Clipping p, and using the clipped p in p - y too, is a fair style for any eps up to 1e-7."""
    def clipped_everywhere(w, b, X, y):
        X, y = np.asarray(X, dtype=float), np.asarray(y, dtype=float)
        p = np.clip(activations.sigmoid(X @ np.asarray(w, dtype=float) + b), eps, 1 - eps)
        cost = -np.mean(y * np.log(p) + (1 - y) * np.log(1 - p))
        return X.T @ (p - y) / len(y), np.mean(p - y), cost

    prop = next(p for p in EXERCISES["logistic_regression_gradients"].hidden if "confident" in p.label)
    from anncourse.grading.core import Part, _PARTS

    token = _PARTS.set(tuple(Part(n) for n in ("dw", "db", "cost")))
    try:
        assert prop.test(clipped_everywhere) is None
    finally:
        _PARTS.reset(token)


def test_the_confident_data_are_confident():
    rng = np.random.default_rng(0)
    w, b, X, y = spec._logistic_confident(rng)
    z = X @ w + b
    assert np.all(np.abs(z) >= 40 - 1e-9) and np.all((z > 0) == (y == 1)) and np.abs(X).max() < 15
    assert set(np.unique(y)) == {0.0, 1.0}


def test_the_breast_cancer_data_read_from_the_csv_are_scikit_learns():
    from sklearn.datasets import load_breast_cancer

    X, y = load_breast_cancer(return_X_y=True)
    X_csv, y_csv = spec._breast_cancer()
    assert np.array_equal(X, X_csv) and np.array_equal(y, y_csv)
