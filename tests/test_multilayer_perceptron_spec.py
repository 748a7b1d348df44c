"""What ``10-multilayer-perceptron``'s checks promise beyond the generated spec tests.

tests/test_specs_generated.py already checks every exercise of the chapter:
its reference passes, and each usual mistake listed in the spec fails with
its hint.  Here go the promises specific to the chapter: correct answers
written in other reasonable styles pass (a uniform initialisation, another
cache layout, another exact XOR network, ``np.interp``, a single output
unit), and subtle wrong answers are caught.
"""
from __future__ import annotations

import textwrap

import numpy as np
import pytest

from anncourse.grading.core import evaluate
from anncourse.grading.properties import salted
from anncourse.grading.specs import exercises
from anncourse.grading.specs import multilayer_perceptron as spec

EXERCISES = exercises("10-multilayer-perceptron")


def _passes(func, name):
    return evaluate(func, EXERCISES[name], visible=True) == [] and \
        evaluate(func, EXERCISES[name], visible=False, hidden=True) == []


def _notebook(source: str) -> dict:
    """Run ``source`` as a notebook cell would: its functions share one namespace."""
    namespace = {"np": np}
    exec(textwrap.dedent(source), namespace)
    return namespace


# --- init_layer --------------------------------------------------------------------------

def glorot_uniform_he_uniform(n_in, n_out, scheme, seed):
    """Uniform draws with the scheme's variance: U(-a, a), a = sqrt(3 var)."""
    var = 2 / (n_in + n_out) if scheme == "xavier" else 2 / n_in
    limit = np.sqrt(3 * var)
    rng = np.random.default_rng(seed)
    return rng.uniform(-limit, limit, size=(n_in, n_out)), np.zeros(n_out)


def legacy_global_seed(n_in, n_out, scheme, seed):
    """The older NumPy style: seed the global generator, scale randn by the std."""
    np.random.seed(seed)
    std = np.sqrt(2.0 / (n_in + n_out)) if scheme == "xavier" else np.sqrt(2.0 / n_in)
    return np.random.randn(n_in, n_out) * std, [0.0] * n_out


def shifted_uniform(n_in, n_out, scheme, seed):
    """Wrong: the right spread but every weight positive."""
    var = 2 / (n_in + n_out) if scheme == "xavier" else 2 / n_in
    rng = np.random.default_rng(seed)
    return rng.uniform(0, np.sqrt(12 * var), size=(n_in, n_out)), np.zeros(n_out)


@pytest.mark.parametrize("answer", [glorot_uniform_he_uniform, legacy_global_seed])
def test_other_correct_initialisations_pass(answer):
    assert _passes(answer, "init_layer")


def test_a_non_centred_initialisation_fails():
    assert evaluate(shifted_uniform, EXERCISES["init_layer"], visible=True)


@pytest.mark.parametrize("salt", range(60))
def test_xavier_with_the_fan_in_only_fails_the_xavier_check_under_every_salt(salt):
    # With n_out drawn close to n_in, 1 / n_in passed for 2 / (n_in + n_out) under
    # 1 salt in 40, until the Xavier scenario kept the fans 30 % apart.
    with salted(salt):
        failed = evaluate(spec._xavier_fan_in, EXERCISES["init_layer"], visible=False, hidden=True)
    assert any("Xavier" in str(reason) for reason in failed), failed


# --- mlp_forward_cache and mlp_backward --------------------------------------------------------

DICT_CACHE = """
def mlp_forward_cache(X, weights, biases):
    # A loop that keeps the activations and pre-activations in a dict.
    a = np.asarray(X, dtype=float)
    cache = {"inputs": [], "pre": [], "weights": []}
    for k in range(len(weights)):
        w = np.asarray(weights[k], dtype=float)
        z = a.dot(w) + np.asarray(biases[k], dtype=float)
        cache["inputs"].append(a)
        cache["pre"].append(z)
        cache["weights"].append(w)
        a = np.where(z > 0, z, 0.0) if k < len(weights) - 1 else z
    return a, cache

def mlp_backward(dout, cache):
    g = np.asarray(dout, dtype=float)
    L = len(cache["weights"])
    dws, dbs = [None] * L, [None] * L
    for k in reversed(range(L)):
        dws[k] = cache["inputs"][k].T.dot(g)
        dbs[k] = g.sum(axis=0)
        if k:
            g = g.dot(cache["weights"][k].T) * (cache["pre"][k - 1] > 0)
    return dws, dbs
"""

BACKWARD_ONLY = """
def mlp_forward_cache(X, weights, biases):
    # YOUR CODE HERE
    raise NotImplementedError()

def mlp_backward(dout, cache):
    # The text's layout, (A_in, W, Z) per layer, with loops over samples for db.
    grads_w, grads_b = [], []
    delta = np.asarray(dout, dtype=float)
    for i in range(len(cache) - 1, -1, -1):
        A, W, Z = cache[i]
        grads_w.insert(0, A.T @ delta)
        grads_b.insert(0, sum(delta[j] for j in range(len(delta))))
        if i > 0:
            delta = delta @ W.T * (cache[i - 1][2] > 0)
    return grads_w, grads_b
"""


def test_another_cache_layout_passes_forward_and_backward():
    ns = _notebook(DICT_CACHE)
    assert _passes(ns["mlp_forward_cache"], "mlp_forward_cache")
    assert _passes(ns["mlp_backward"], "mlp_backward")


def test_backward_is_checked_on_the_texts_cache_while_forward_is_unwritten():
    ns = _notebook(BACKWARD_ONLY)
    assert _passes(ns["mlp_backward"], "mlp_backward")


def test_backward_uses_the_learners_own_forward():
    """A backward pass that reads the text's layout fails with a forward that stores another one."""
    ns = _notebook(DICT_CACHE)
    ns["mlp_backward"] = _notebook(BACKWARD_ONLY)["mlp_backward"]
    ns["mlp_backward"].__globals__["mlp_forward_cache"] = ns["mlp_forward_cache"]
    assert evaluate(ns["mlp_backward"], EXERCISES["mlp_backward"], visible=True)


def test_backward_with_the_mask_of_the_wrong_layer_fails():
    def wrong_mask(dout, cache):
        dZ = np.asarray(dout, dtype=float)
        dws, dbs = [], []
        for i in range(len(cache) - 1, -1, -1):
            A, W, Z = cache[i]
            dws.insert(0, A.T @ dZ)
            dbs.insert(0, dZ.sum(axis=0))
            dZ = (dZ * (Z > 0)) @ W.T  # masks with this layer's Z, before going down
        return dws, dbs

    assert evaluate(wrong_mask, EXERCISES["mlp_backward"], visible=True)


# --- xor_relu_network ---------------------------------------------------------------------

def xor_as_absolute_difference():
    """|x1 - x2| = relu(x1 - x2) + relu(x2 - x1): another exact XOR network, as lists."""
    return [[1, -1], [-1, 1]], [0, 0], [1, 1], 0


def xor_scaled_units():
    W1 = np.array([[2.0, 3.0], [2.0, 3.0]])
    b1 = np.array([0.0, -3.0])
    W2 = np.array([[0.5], [-2 / 3]])
    return W1, b1, W2, np.zeros(1)


@pytest.mark.parametrize("answer", [xor_as_absolute_difference, xor_scaled_units])
def test_other_exact_xor_networks_pass(answer):
    assert _passes(answer, "xor_relu_network")


def test_a_network_of_the_wrong_shape_is_refused_with_its_shapes():
    def three_units():
        return np.ones((2, 3)), np.zeros(3), np.ones((3, 1)), np.zeros(1)

    failures = evaluate(three_units, EXERCISES["xor_relu_network"], visible=True)
    assert failures and "(2, 3)" in failures[0]


# --- relu_interpolant -----------------------------------------------------------------------

def interp_with_numpy(knots, values, x):
    return np.interp(x, knots, values)


def interp_with_a_loop(knots, values, x):
    """One ReLU unit per knot, output weights from the changes of slope, computed in a loop."""
    x = np.asarray(x, dtype=float)
    out = np.full(x.shape, float(values[0]))
    previous = 0.0
    for k in range(len(knots) - 1):
        slope = (values[k + 1] - values[k]) / (knots[k + 1] - knots[k])
        out = out + (slope - previous) * np.maximum(x - knots[k], 0)
        previous = slope
    return out


@pytest.mark.parametrize("answer", [interp_with_numpy, interp_with_a_loop])
def test_other_interpolants_pass(answer):
    assert _passes(answer, "relu_interpolant")


# --- train_mlp ------------------------------------------------------------------------------

def train_with_one_output(X, y, hidden, epochs, lr, seed):
    """A single logit with the binary cross-entropy, Xavier-initialised, in float32."""
    X = np.asarray(X, dtype=np.float32)
    y = np.asarray(y, dtype=np.float32).reshape(-1, 1)
    rng = np.random.default_rng(seed)
    sizes = [2, *hidden, 1]
    ws = [(rng.standard_normal((a, b)) * np.sqrt(2 / a)).astype(np.float32)
          for a, b in zip(sizes[:-1], sizes[1:])]
    bs = [np.zeros(b, dtype=np.float32) for b in sizes[1:]]
    for _ in range(epochs):
        acts, pres = [X], []
        for i, (W, b) in enumerate(zip(ws, bs)):
            pres.append(acts[-1] @ W + b)
            acts.append(np.maximum(pres[-1], 0) if i < len(ws) - 1 else pres[-1])
        p = 1 / (1 + np.exp(-acts[-1]))
        g = (p - y) / len(y)
        for i in range(len(ws) - 1, -1, -1):
            dW, db = acts[i].T @ g, g.sum(0)
            if i:
                g = (g @ ws[i].T) * (pres[i - 1] > 0)
            ws[i] -= lr * dW
            bs[i] -= lr * db
    return ws, bs


def linear_model(X, y, hidden, epochs, lr, seed):
    """Wrong: ignores ``hidden`` and trains a softmax regression, which cannot separate spirals."""
    return spec.train_mlp(X, y, [], epochs, lr, seed)


def test_a_single_output_unit_in_float32_passes():
    assert _passes(train_with_one_output, "train_mlp")


def test_a_linear_model_fails_the_accuracy():
    ex = EXERCISES["train_mlp"]
    failures = evaluate(linear_model, ex, visible=True)
    assert failures and "hint: the accuracy is near chance" in failures[0]
    hidden = evaluate(linear_model, ex, visible=False, hidden=True)
    assert hidden and "below 90%" in hidden[0]
