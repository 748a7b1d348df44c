"""What ``15-common-challenges``'s checks promise beyond the generated spec tests.

tests/test_specs_generated.py already checks every exercise of the chapter:
its reference passes, and each usual mistake listed in the spec fails with
its hint.  Here: correct answers written in other reasonable styles pass
(loops, np.polyfit, the normal equations, np.std with ddof=1), and subtle
wrong answers are caught.
"""
from __future__ import annotations

import math

import numpy as np
import pytest

from anncourse.grading import CheckFailed, check
from anncourse.grading.core import evaluate
from anncourse.grading.specs import exercises

EXERCISES = exercises("15-common-challenges")


def _passes(func, name):
    assert evaluate(func, EXERCISES[name], visible=True, hidden=True) == []


# --- diagnose ---------------------------------------------------------------------

def diagnose_with_flags(baseline_error, train_error, val_error):
    """A learner's answer with two booleans and a lookup."""
    high_bias = (train_error - baseline_error) > 0.02
    high_var = (val_error - train_error) > 0.02
    return {(False, False): "ok", (True, False): "high bias", (False, True): "high variance",
            (True, True): "both"}[(bool(high_bias), bool(high_var))]


def diagnose_with_ge(baseline_error, train_error, val_error):
    """>= instead of >: differs only exactly at the threshold, which no check uses."""
    b, v = train_error - baseline_error >= 0.02, val_error - train_error >= 0.02
    return "both" if b and v else "high bias" if b else "high variance" if v else "ok"


def diagnose_threshold_five(baseline_error, train_error, val_error):
    """A wrong threshold (0.05): caught."""
    b, v = train_error - baseline_error > 0.05, val_error - train_error > 0.05
    return "both" if b and v else "high bias" if b else "high variance" if v else "ok"


def test_diagnose_styles_pass():
    _passes(diagnose_with_flags, "diagnose")
    _passes(diagnose_with_ge, "diagnose")


def test_diagnose_with_another_threshold_fails():
    assert evaluate(diagnose_threshold_five, EXERCISES["diagnose"], visible=True)


def test_diagnose_capitalised_words_fail_with_a_clear_reason():
    with pytest.raises(CheckFailed):
        check(lambda *a: diagnose_with_flags(*a).title(), "15-common-challenges/diagnose")


# --- poly_fit_errors ----------------------------------------------------------------

def poly_polyfit(x_train, y_train, x_val, y_val, degree):
    coef = np.polyfit(x_train, y_train, degree)
    return (float(np.mean((np.polyval(coef, x_train) - np.asarray(y_train)) ** 2)),
            float(np.mean((np.polyval(coef, x_val) - np.asarray(y_val)) ** 2)))


def poly_normal_equations(x_train, y_train, x_val, y_val, degree):
    x_train, x_val = np.asarray(x_train, float), np.asarray(x_val, float)
    A = np.vander(x_train, degree + 1)
    c = np.linalg.solve(A.T @ A, A.T @ np.asarray(y_train, float))
    B = np.vander(x_val, degree + 1)
    return (np.mean((A @ c - y_train) ** 2), np.mean((B @ c - y_val) ** 2))


def poly_pinv_loops(x_train, y_train, x_val, y_val, degree):
    A = np.array([[x ** k for k in range(degree + 1)] for x in x_train], dtype=float)
    c = np.linalg.pinv(A) @ np.asarray(y_train, float)
    def mse(xs, ys):
        return sum((sum(ck * x ** k for k, ck in enumerate(c)) - y) ** 2 for x, y in zip(xs, ys)) / len(xs)
    return [mse(x_train, y_train), mse(x_val, y_val)]


@pytest.mark.parametrize("func", [poly_polyfit, poly_normal_equations, poly_pinv_loops])
def test_poly_styles_pass(func):
    _passes(func, "poly_fit_errors")


# --- init_std -----------------------------------------------------------------------

def init_std_numpy(n_in, n_out, scheme):
    variance = {"xavier": 2 / (n_in + n_out), "he": 2 / n_in}
    if scheme not in variance:
        raise ValueError("scheme must be 'xavier' or 'he'")
    return np.sqrt(variance[scheme])


def test_init_std_numpy_passes():
    _passes(init_std_numpy, "init_std")


def test_init_std_without_the_error_loses_the_error_check():
    def no_error(n_in, n_out, scheme):
        return math.sqrt(2 / (n_in + n_out)) if scheme == "xavier" else math.sqrt(2 / n_in)

    assert evaluate(no_error, EXERCISES["init_std"], visible=True)


# --- activation_stats ---------------------------------------------------------------

def stats_ddof1_normal(depth, width, weight_std, activation, seed):
    """rng.normal with a scale, np.std(ddof=1), lists of floats, activations by if/elif."""
    rng = np.random.default_rng(seed)
    h = rng.normal(size=(500, width))
    means, stds = [], []
    for _ in range(depth):
        z = h @ rng.normal(0.0, weight_std, size=(width, width))
        if activation == "relu":
            h = np.where(z > 0, z, 0.0)
        elif activation == "tanh":
            h = np.tanh(z)
        elif activation == "sigmoid":
            h = 1 / (1 + np.exp(-z))
        else:
            h = z
        means.append(float(np.mean(h)))
        stds.append(float(np.std(h, ddof=1)))
    return means, stds


def stats_transposed_weights(depth, width, weight_std, activation, seed):
    """Right distribution, other numbers (h @ W.T): caught, and told to follow the stated draws."""
    rng = np.random.default_rng(seed)
    h = rng.standard_normal((500, width))
    f = {"relu": lambda z: np.maximum(z, 0), "tanh": np.tanh, "linear": lambda z: z,
         "sigmoid": lambda z: 1 / (1 + np.exp(-z))}[activation]
    means, stds = [], []
    for _ in range(depth):
        h = f(h @ (rng.standard_normal((width, width)) * weight_std).T)
        means.append(h.mean())
        stds.append(h.std())
    return np.array(means), np.array(stds)


def test_stats_other_style_passes():
    _passes(stats_ddof1_normal, "activation_stats")


def test_stats_transposed_weights_fail_with_the_draw_hint():
    with pytest.raises(CheckFailed) as info:
        check(stats_transposed_weights, "15-common-challenges/activation_stats")
    assert "not from the stated draws" in str(info.value)


# --- gradient_norms_by_layer --------------------------------------------------------

def grads_with_loops(x, weights, activation):
    """Backpropagation with an explicit cache and a dict of derivatives."""
    acts = {"linear": (lambda z: z, lambda z: np.ones_like(z)),
            "relu": (lambda z: np.maximum(z, 0), lambda z: (z > 0) * 1.0),
            "tanh": (np.tanh, lambda z: 1 / np.cosh(z) ** 2),
            "sigmoid": (lambda z: 1 / (1 + np.exp(-z)),
                        lambda z: np.exp(-z) / (1 + np.exp(-z)) ** 2)}
    f, df = acts[activation]
    h = np.array(x, dtype=float, ndmin=2)
    cache = []
    for W in weights:
        W = np.array(W, dtype=float)
        z = h @ W
        cache.append((h, W, z))
        h = f(z)
    g = np.ones_like(h) / len(h)
    norms = []
    for h_in, W, z in reversed(cache):
        d = g * df(z)
        norms.append(math.sqrt(float(np.sum((h_in.T @ d) ** 2))))
        g = d @ W.T
    return norms[::-1]


def test_grads_with_loops_passes():
    _passes(grads_with_loops, "gradient_norms_by_layer")


def test_grads_in_reverse_order_fail():
    assert evaluate(lambda *a: grads_with_loops(*a)[::-1], EXERCISES["gradient_norms_by_layer"],
                    visible=True)
