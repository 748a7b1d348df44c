"""What ``16-practical-implementation``'s checks promise beyond the generated spec tests.

tests/test_specs_generated.py already checks every exercise of the chapter:
its reference passes, and each usual mistake listed in the spec fails with
its hint.  Here: correct answers written in other reasonable styles pass
(loops, the standard library's random, lists, a Module subclass, another
network for the digits), and subtle wrong answers are caught.
"""
from __future__ import annotations

import math
import random

import numpy as np
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from anncourse.grading.core import evaluate
from anncourse.grading.properties import salted
from anncourse.grading.specs import exercises
from anncourse.grading.specs import practical_implementation as spec

EXERCISES = exercises("16-practical-implementation")


def passes(func, name):
    return evaluate(func, EXERCISES[name], visible=True, hidden=True) == []


def fails(func, name, hidden=True):
    return evaluate(func, EXERCISES[name], visible=True, hidden=hidden) != []


# --- standardize ------------------------------------------------------------------------------

def standardize_with_loops(X_train, X_test):
    """Column by column with math, lists in and lists out; a constant column found by std == 0."""
    rows = [[float(v) for v in r] for r in X_train]
    n, d = len(rows), len(rows[0])
    means = [math.fsum(r[j] for r in rows) / n for j in range(d)]
    stds = [math.sqrt(math.fsum((r[j] - means[j]) ** 2 for r in rows) / n) for j in range(d)]
    stds = [s if s > 0 else 1.0 for s in stds]

    def scale(data):
        return [[(float(r[j]) - means[j]) / stds[j] for j in range(d)] for r in data]

    return scale(X_train), scale(X_test)


def standardize_in_place(X_train, X_test):
    """A wrong answer: scales the caller's arrays in place (and returns them)."""
    mean, std = X_train.mean(axis=0), X_train.std(axis=0)
    std[std == 0] = 1.0
    X_test -= mean
    X_test /= std
    X_train -= mean
    X_train /= std
    return X_train, X_test


def test_standardize_with_loops_and_lists_passes():
    assert passes(standardize_with_loops, "standardize")


def test_standardize_with_a_tolerance_for_constant_columns_passes():
    def tolerant(X_train, X_test):
        X_train, X_test = np.asarray(X_train, float), np.asarray(X_test, float)
        mean, std = X_train.mean(axis=0), X_train.std(axis=0)
        std = np.where(std < 1e-12, 1.0, std)
        return (X_train - mean) / std, (X_test - mean) / std

    assert passes(tolerant, "standardize")


def test_standardize_in_place_fails_with_an_explanation():
    failures = evaluate(standardize_in_place, EXERCISES["standardize"], visible=True)
    assert failures and "in place" in " ".join(failures)


@settings(max_examples=25, deadline=None)
@given(seed=st.integers(0, 2**32 - 1))
def test_standardized_training_columns_have_mean_zero_and_unit_std(seed):
    rng = np.random.default_rng(seed)
    X_train, X_test = spec._split_pair(rng, 12, 4, constant=bool(seed % 2))
    train_s, test_s = spec.standardize(X_train, X_test)
    varying = X_train.max(axis=0) > X_train.min(axis=0)
    # 1e-9: a mean of a dozen standardised values is exact to about 1e-15.
    assert np.allclose(train_s.mean(axis=0), 0.0, atol=1e-9)
    assert np.allclose(train_s.std(axis=0)[varying], 1.0, atol=1e-9)
    assert np.all(np.isfinite(test_s))


# --- train_val_test_indices -------------------------------------------------------------------

def split_with_stdlib(n, val_share, test_share, seed):
    """The standard library's random, half-up rounding by hand, Python lists out (val, test first)."""
    indices = list(range(n))
    random.Random(seed).shuffle(indices)
    n_val = math.floor(val_share * n + 0.5)
    n_test = math.floor(test_share * n + 0.5)
    val, test = indices[:n_val], indices[n_val:n_val + n_test]
    return indices[n_val + n_test:], val, test


def split_with_randomstate(n, val_share, test_share, seed):
    """The legacy RandomState, train taken from the front of the permutation, np.round."""
    order = np.random.RandomState(seed).permutation(n)
    n_val, n_test = int(np.round(val_share * n)), int(np.round(test_share * n))
    n_train = n - n_val - n_test
    return order[:n_train], order[n_train:n_train + n_val], order[n_train + n_val:]


def split_sorted_within(n, val_share, test_share, seed):
    """Each split sorted: the order inside a split is not graded."""
    return tuple(np.sort(p) for p in spec.train_val_test_indices(n, val_share, test_share, seed))


@pytest.mark.parametrize("func", [split_with_stdlib, split_with_randomstate, split_sorted_within])
def test_other_correct_splits_pass(func):
    assert passes(func, "train_val_test_indices")


@pytest.mark.parametrize("salt", [1, 2, 3, 12345])
def test_the_hidden_split_checks_accept_any_permutation_under_any_salt(salt):
    with salted(salt):
        assert passes(split_with_stdlib, "train_val_test_indices")


def test_a_split_that_drops_an_index_fails():
    def drops_one(n, val_share, test_share, seed):
        train, val, test = spec.train_val_test_indices(n, val_share, test_share, seed)
        return train[1:], val, test

    assert fails(drops_one, "train_val_test_indices")


# --- train_digits_mlp -------------------------------------------------------------------------

def digits_as_lists(X, y, seed):
    """The reference's network returned as nested Python lists."""
    weights, biases = spec.train_digits_mlp(X, y, seed)
    return [W.tolist() for W in weights], [b.tolist() for b in biases]


def digits_two_hidden_adam(X, y, seed):
    """Another design: two hidden layers of 64, Adam, float32, batches of 64, 25 epochs."""
    X = np.asarray(X, dtype=np.float32)
    y = np.asarray(y)
    rng = np.random.default_rng(seed)
    sizes = [X.shape[1], 64, 64, 10]
    params = []
    for a, b in zip(sizes[:-1], sizes[1:]):
        params += [rng.normal(0, np.sqrt(2 / a), (a, b)).astype(np.float32),
                   np.zeros(b, np.float32)]
    m = [np.zeros_like(p) for p in params]
    v = [np.zeros_like(p) for p in params]
    onehot = np.eye(10, dtype=np.float32)[y]
    t = 0
    for _ in range(25):
        order = rng.permutation(len(y))
        for start in range(0, len(y), 64):
            idx = order[start:start + 64]
            acts = [X[idx]]
            for i in range(0, len(params) - 2, 2):
                acts.append(np.maximum(acts[-1] @ params[i] + params[i + 1], 0))
            z = acts[-1] @ params[-2] + params[-1]
            p = np.exp(z - z.max(axis=1, keepdims=True))
            p /= p.sum(axis=1, keepdims=True)
            delta = (p - onehot[idx]) / len(idx)
            grads = [None] * len(params)
            for layer in range(len(sizes) - 2, -1, -1):
                grads[2 * layer] = acts[layer].T @ delta
                grads[2 * layer + 1] = delta.sum(axis=0)
                if layer:
                    delta = (delta @ params[2 * layer].T) * (acts[layer] > 0)
            t += 1
            for i, g in enumerate(grads):
                m[i] = 0.9 * m[i] + 0.1 * g
                v[i] = 0.999 * v[i] + 0.001 * g * g
                params[i] -= 0.003 * (m[i] / (1 - 0.9 ** t)) / (np.sqrt(v[i] / (1 - 0.999 ** t))
                                                                  + 1e-8)
    return params[0::2], params[1::2]


def digits_barely_trained(X, y, seed):
    """A wrong answer: one epoch at a small learning rate is far from good enough."""
    X, y = np.asarray(X, float), np.asarray(y)
    rng = np.random.default_rng(seed)
    W = rng.normal(0, 0.01, (64, 10))
    b = np.zeros(10)
    onehot = np.eye(10)[y]
    for start in range(0, len(y), 256):
        xb, yb = X[start:start + 256], onehot[start:start + 256]
        z = xb @ W + b
        p = np.exp(z - z.max(axis=1, keepdims=True))
        p /= p.sum(axis=1, keepdims=True)
        W -= 0.01 * xb.T @ (p - yb) / len(xb)
        b -= 0.01 * (p - yb).mean(axis=0)
    return [W], [b]


@pytest.mark.parametrize("func", [digits_as_lists, digits_two_hidden_adam])
def test_other_digit_networks_pass(func):
    assert passes(func, "train_digits_mlp")


def test_a_barely_trained_network_fails():
    assert fails(digits_barely_trained, "train_digits_mlp")


# --- regression_report ------------------------------------------------------------------------

def report_with_loops(y_true, y_pred):
    y = [float(v) for v in y_true]
    p = [float(v) for v in y_pred]
    n = len(y)
    mean = math.fsum(y) / n
    ss_res = math.fsum((a - b) ** 2 for a, b in zip(y, p))
    ss_tot = math.fsum((a - mean) ** 2 for a in y)
    return (math.fsum(abs(a - b) for a, b in zip(y, p)) / n, math.sqrt(ss_res / n),
            1 - ss_res / ss_tot)


def test_regression_report_with_loops_passes():
    assert passes(report_with_loops, "regression_report")


def test_regression_report_as_a_list_or_array_passes():
    assert passes(lambda y, p: list(spec.regression_report(y, p)), "regression_report")
    assert passes(lambda y, p: np.array(spec.regression_report(y, p)), "regression_report")


def test_r2_with_the_mean_of_the_predictions_fails():
    def wrong_mean(y_true, y_pred):
        y, p = np.asarray(y_true, float), np.asarray(y_pred, float)
        mae, rmse, _ = spec.regression_report(y, p)
        return mae, rmse, 1 - np.sum((y - p) ** 2) / np.sum((y - p.mean()) ** 2)

    assert fails(wrong_mean, "regression_report")


# --- build_classifier -------------------------------------------------------------------------

torch = pytest.importorskip("torch")


class Classifier(torch.nn.Module):
    """A Module subclass; its output layer is created first, so parameters come out of order."""

    def __init__(self, n_in, n_hidden, n_out):
        super().__init__()
        self.out = torch.nn.Linear(n_hidden, n_out)
        self.hidden = torch.nn.Linear(n_in, n_hidden)

    def forward(self, x):
        return self.out(torch.relu(self.hidden(x)))


class RawParameters(torch.nn.Module):
    """Raw parameters in the (in, out) layout of the NumPy chapters, float64."""

    def __init__(self, n_in, n_hidden, n_out):
        super().__init__()
        self.W1 = torch.nn.Parameter(torch.randn(n_in, n_hidden, dtype=torch.float64) * 0.1)
        self.b1 = torch.nn.Parameter(torch.zeros(n_hidden, dtype=torch.float64))
        self.W2 = torch.nn.Parameter(torch.randn(n_hidden, n_out, dtype=torch.float64) * 0.1)
        self.b2 = torch.nn.Parameter(torch.full((n_out,), 0.3, dtype=torch.float64))

    def forward(self, x):
        return torch.clamp(x @ self.W1 + self.b1, min=0) @ self.W2 + self.b2


@pytest.mark.parametrize("build", [Classifier, RawParameters,
                                   lambda a, h, c: torch.nn.Sequential(
                                       torch.nn.Linear(a, h), torch.nn.ReLU(),
                                       torch.nn.Linear(h, c)).double()])
def test_other_classifier_styles_pass(build):
    assert passes(build, "build_classifier")


def test_a_relu_after_the_output_layer_fails():
    def relu_logits(n_in, n_hidden, n_out):
        return torch.nn.Sequential(torch.nn.Linear(n_in, n_hidden), torch.nn.ReLU(),
                                   torch.nn.Linear(n_hidden, n_out), torch.nn.ReLU())

    assert fails(relu_logits, "build_classifier")


def test_a_second_hidden_layer_fails():
    def deeper(n_in, n_hidden, n_out):
        nn = torch.nn
        return nn.Sequential(nn.Linear(n_in, n_hidden), nn.ReLU(), nn.Linear(n_hidden, n_hidden),
                             nn.ReLU(), nn.Linear(n_hidden, n_out))

    assert fails(deeper, "build_classifier")
