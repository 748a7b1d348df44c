"""Spec tests for ``02-building-blocks``: the checks accept the reference and catch the usual mistakes.

tests/test_specs_generated.py checks that each exercise's reference passes and
each usual mistake fails with its hint; this file holds what is specific to the chapter.
"""
from __future__ import annotations

import math

import numpy as np
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from anncourse import dense
from anncourse.grading.core import assess, evaluate
from anncourse.grading.specs import building_blocks as spec
from anncourse.grading.specs import exercises

EXERCISES = exercises("02-building-blocks")


# --- beyond the generated tests: other correct styles pass, subtle mistakes fail ------------


def _passes(func, name):
    ex = EXERCISES[name]
    assessment = assess(func, ex, visible=True, hidden=True)
    assert assessment.passed, assessment.failures()
    return assessment


def _fails_hidden_only(func, name, label_words):
    ex = EXERCISES[name]
    assert evaluate(func, ex, visible=True) == []
    hidden = assess(func, ex, visible=False, hidden=True)
    failed = [v.label for v in hidden.verdicts if not v.passed]
    assert any(label_words in label for label in failed), failed


# neuron_output ----------------------------------------------------------------------------

def neuron_loops(x, w, b, activation):
    """Pure Python with math: rows of a list of lists, or one row."""
    if activation not in ("sigmoid", "tanh", "relu", "step"):
        raise ValueError("activation must be sigmoid, tanh, relu or step")
    rows = np.asarray(x, dtype=float).tolist()
    single = not isinstance(rows[0], list)
    out = []
    for row in ([rows] if single else rows):
        z = sum(float(xi) * float(wi) for xi, wi in zip(row, np.asarray(w).tolist())) + b
        if activation == "sigmoid":
            out.append(1 / (1 + math.exp(-z)) if z > -700 else 0.0)
        elif activation == "tanh":
            out.append(math.tanh(z))
        elif activation == "relu":
            out.append(max(0.0, z))
        else:
            out.append(1.0 if z >= 0 else 0.0)
    return out[0] if single else out


def neuron_dict_dispatch(x, w, b, activation):
    """A dict of lambdas; a KeyError turned into the ValueError, float32 kept as float32."""
    table = {"sigmoid": lambda z: 1 / (1 + np.exp(-z)), "tanh": np.tanh,
             "relu": lambda z: z * (z > 0), "step": lambda z: np.heaviside(z, 1.0)}
    try:
        f = table[activation]
    except KeyError:
        raise ValueError(f"unknown activation; allowed: {sorted(table)}") from None
    return f(np.asarray(x) @ np.asarray(w) + b)


def test_neuron_output_in_other_styles_passes():
    _passes(neuron_loops, "neuron_output")
    _passes(neuron_dict_dispatch, "neuron_output")


def test_neuron_output_with_the_half_step_fails_with_the_convention_hint():
    def half_step(x, w, b, activation):
        if activation == "step":
            return np.heaviside(np.asarray(x, float) @ np.asarray(w, float) + b, 0.5)
        return dense.neuron_output(x, w, b, activation)

    failures = evaluate(half_step, EXERCISES["neuron_output"])
    assert failures and "step on a batch whose first sum is exactly 0" in failures[0], failures


def test_neuron_output_raising_another_error_for_a_typo_fails():
    def key_error(x, w, b, activation):
        return {"sigmoid": dense.activate, "tanh": dense.activate, "relu": dense.activate,
                "step": dense.activate}[activation](np.asarray(x) @ np.asarray(w) + b, activation)

    failures = evaluate(key_error, EXERCISES["neuron_output"])
    assert failures and spec.MUST_RAISE in failures[0], failures


def test_neuron_output_that_only_knows_lowercase_typos_fails_hidden():
    """Raising only for names that are not a case variant lets "ReLU" through: caught hidden."""
    def lenient(x, w, b, activation):
        return dense.neuron_output(x, w, b, activation.lower() if activation.lower() in
                                   dense.ACTIVATIONS else activation)

    _fails_hidden_only(lenient, "neuron_output", "does not raise ValueError")


# dense_forward and mlp_forward ---------------------------------------------------------------

def test_dense_forward_einsum_and_float32_pass():
    _passes(lambda X, W, b: np.einsum("ni,io->no", np.asarray(X), np.asarray(W)) + np.asarray(b),
            "dense_forward")


def test_dense_forward_forgetting_the_bias_on_one_column_fails():
    def first_bias_only(X, W, b):
        out = np.asarray(X, float) @ np.asarray(W, float)
        out[:, 0] += np.asarray(b, float)[0]
        return out

    assert evaluate(first_bias_only, EXERCISES["dense_forward"])


def mlp_recursive(X, weights, biases, hidden="relu"):
    """Recursion on lists, the sigmoid through math, every layer a loop-free product."""
    acts = {"relu": lambda a: np.maximum(a, 0), "tanh": np.tanh,
            "sigmoid": np.vectorize(lambda v: 1 / (1 + math.exp(-v)))}
    out = np.asarray(X) @ np.asarray(weights[0]) + np.asarray(biases[0])
    if len(weights) == 1:
        return out
    return mlp_recursive(acts[hidden](out), weights[1:], biases[1:], hidden)


def test_mlp_forward_recursive_passes():
    _passes(mlp_recursive, "mlp_forward")


def test_mlp_forward_with_the_weights_transposed_cannot_pass():
    def transposed(X, weights, biases, hidden="relu"):
        return dense.mlp_forward(X, [np.asarray(W).T for W in weights], biases, hidden)

    assert evaluate(transposed, EXERCISES["mlp_forward"])


def test_digits_verdict_passes_the_reference_and_fails_a_constant():
    weights, biases, X_test, y_test = spec.trained_digits_network()
    scores = dense.mlp_forward(X_test, weights, biases)
    # The chapter states about 0.98; the verdict's threshold is 0.9.
    assert np.mean(np.argmax(scores, axis=1) == y_test) >= 0.97
    verdict = next(p for p in EXERCISES["mlp_forward"].hidden if "digit" in p.label)
    assert verdict.test(dense.mlp_forward) is None
    assert verdict.test(lambda X, W, b, hidden="relu": np.ones((len(X), 10))) is not None
    assert verdict.test(lambda X, W, b, hidden="relu": np.ones((len(X), 9))) is not None


# counts ------------------------------------------------------------------------------------

def test_counts_in_other_styles_pass():
    _passes(lambda sizes: int(sum(np.multiply(sizes[:-1], sizes[1:])) + sum(sizes[1:])),
            "count_parameters")
    _passes(lambda sizes: float(sum((a + 1) * b for a, b in zip(list(sizes), list(sizes)[1:]))),
            "count_parameters")
    _passes(lambda sizes, n_samples=1: n_samples * sum(int(a) * int(b) for a, b in
                                                       zip(sizes, list(sizes)[1:])),
            "count_multiply_adds")


def test_the_chapter_numbers():
    assert dense.count_parameters([784, 128, 64, 10]) == 109_386
    assert spec._no_biases([784, 128, 64, 10]) == 109_184
    assert spec._input_biases_too([784, 128, 64, 10]) == 110_170
    assert dense.count_multiply_adds([784, 128, 64, 10]) == 109_184
    assert dense.count_multiply_adds([2, 3, 1], 32) == 32 * 9


@settings(max_examples=60, deadline=None)
@given(st.lists(st.integers(1, 64), min_size=2, max_size=6))
def test_count_parameters_matches_the_arrays_of_a_built_network(sizes):
    rng = np.random.default_rng(0)
    arrays = [a for n_in, n_out in zip(sizes[:-1], sizes[1:])
              for a in (rng.normal(size=(n_in, n_out)), rng.normal(size=n_out))]
    assert dense.count_parameters(sizes) == sum(a.size for a in arrays)
    assert dense.count_multiply_adds(sizes, 3) == 3 * sum(a.size for a in arrays[::2])


def test_count_multiply_adds_matches_a_counted_loop():
    """A forward pass written as loops, counting each product w * x, agrees with the formula."""
    sizes, n = [3, 4, 2], 5
    rng = np.random.default_rng(3)
    a, count = rng.normal(size=(n, sizes[0])), 0
    for n_in, n_out in zip(sizes[:-1], sizes[1:]):
        W, out = rng.normal(size=(n_in, n_out)), np.zeros((n, n_out))
        for i in range(n):
            for k in range(n_out):
                for j in range(n_in):
                    out[i, k] += W[j, k] * a[i, j]
                    count += 1
        a = np.maximum(out, 0.0)
    assert dense.count_multiply_adds(sizes, n) == count == 5 * (3 * 4 + 4 * 2)


# describe_network ----------------------------------------------------------------------------

def test_describe_network_accepts_case_spaces_dicts_and_lists():
    def shouting(sizes):
        n = len(sizes) - 2
        return [n, " NONE " if n == 0 else "Shallow" if n < 3 else "DEEP"]

    def as_dict(sizes):
        n_hidden, kind = dense.describe_network(sizes)
        return {"n_hidden": np.int64(n_hidden), "kind": kind}

    _passes(shouting, "describe_network")
    _passes(as_dict, "describe_network")


def test_describe_network_with_a_misspelt_kind_is_explained():
    def misspelt(sizes):
        n = len(sizes) - 2
        return n, "none" if n == 0 else "shalow" if n < 3 else "deep"

    failures = evaluate(misspelt, EXERCISES["describe_network"])
    assert failures and "one of the strings" in failures[0], failures


def test_describe_network_returning_only_the_kind_is_explained():
    failures = evaluate(lambda sizes: dense.describe_network(sizes)[1], EXERCISES["describe_network"])
    assert failures and "(n_hidden, kind)" in failures[0], failures


def test_references_refuse_bad_input_clearly():
    with pytest.raises(ValueError, match="sigmoid, tanh, relu, step"):
        dense.neuron_output([1.0], [1.0], 0.0, "softplus")
    with pytest.raises(ValueError, match="relu, sigmoid, tanh"):
        dense.mlp_forward([[1.0]], [[[1.0]]], [[0.0]], hidden="step")
    with pytest.raises(ValueError, match="same, non-zero length"):
        dense.mlp_forward([[1.0]], [[[1.0]]], [], hidden="relu")
    with pytest.raises(ValueError, match="at least an input and an output"):
        dense.describe_network([3])
