"""What ``11-advanced-topics``'s checks promise beyond the generated spec tests.

tests/test_specs_generated.py already checks every exercise of the chapter:
its reference passes, and each usual mistake listed in the spec fails with
its hint.  Here: the references agree with the course's
:class:`anncourse.nn.BatchNorm1d` and with PyTorch (so the checks grade
against the true values), correct answers written in other reasonable
styles pass, and subtle wrong answers are caught.
"""
from __future__ import annotations

import math

import numpy as np
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from anncourse import nn
from anncourse.grading.core import evaluate
from anncourse.grading.specs import advanced_topics as spec
from anncourse.grading.specs import exercises

EXERCISES = exercises("11-advanced-topics")


def _batch(seed, n, c):
    rng = np.random.default_rng(seed)
    return (rng.normal(rng.uniform(-3, 3, c), rng.uniform(0.3, 3, c), size=(n, c)),
            rng.uniform(0.5, 2, c), rng.normal(size=c))


def _layer(gamma, beta, momentum=0.1):
    bn = nn.BatchNorm1d(len(gamma), momentum=momentum)
    bn.weight.data[:] = gamma
    bn.bias.data[:] = beta
    return bn


# --- the references are right: anncourse.nn and PyTorch as oracles ------------------

@settings(max_examples=40, deadline=None)
@given(st.integers(0, 2**32 - 1), st.integers(2, 30), st.integers(1, 6))
def test_references_agree_with_the_course_layer(seed, n, c):
    x, gamma, beta = _batch(seed, n, c)
    bn = _layer(gamma, beta)
    y = bn(x)
    # Both compute the same float64 formula in a different order: ~1e-15 relative.
    assert np.allclose(spec.batchnorm_train(x, gamma, beta), y, rtol=1e-12, atol=1e-12)
    mean, var = spec.update_running_stats(np.zeros(c), np.ones(c), x)
    assert np.allclose(mean, bn.running_mean, rtol=1e-12, atol=1e-14)
    assert np.allclose(var, bn.running_var, rtol=1e-12, atol=1e-14)
    g = np.random.default_rng(seed + 1).normal(size=x.shape)
    dx, dgamma, dbeta = spec.batchnorm_backward(g, x, gamma)
    assert np.allclose(bn.backward(g), dx, rtol=1e-9, atol=1e-11)
    assert np.allclose(bn.weight.grad, dgamma, rtol=1e-12, atol=1e-12)
    assert np.allclose(bn.bias.grad, dbeta, rtol=1e-12, atol=1e-12)
    bn.eval()
    assert np.allclose(spec.batchnorm_eval(x, bn.running_mean, bn.running_var, gamma, beta), bn(x),
                       rtol=1e-12, atol=1e-12)


def test_references_agree_with_pytorch_over_several_batches():
    torch = pytest.importorskip("torch")
    rng = np.random.default_rng(5)
    c = 4
    gamma, beta = rng.uniform(0.5, 2, c), rng.normal(size=c)
    layer = torch.nn.BatchNorm1d(c, momentum=0.2, dtype=torch.float64)
    with torch.no_grad():
        layer.weight.copy_(torch.tensor(gamma))
        layer.bias.copy_(torch.tensor(beta))
    mean, var = np.zeros(c), np.ones(c)
    for n in (8, 3, 17, 2, 30):
        x = rng.normal(2.0, 3.0, size=(n, c))
        xt = torch.tensor(x, requires_grad=True)
        out = layer.train()(xt)
        g = rng.normal(size=x.shape)
        out.backward(torch.tensor(g))
        assert np.allclose(spec.batchnorm_train(x, gamma, beta), out.detach().numpy(), rtol=1e-12,
                           atol=1e-12)
        dx, dgamma, dbeta = spec.batchnorm_backward(g, x, gamma)
        assert np.allclose(dx, xt.grad.numpy(), rtol=1e-9, atol=1e-11)
        assert np.allclose(dgamma, layer.weight.grad.numpy(), rtol=1e-12, atol=1e-12)
        assert np.allclose(dbeta, layer.bias.grad.numpy(), rtol=1e-12, atol=1e-12)
        layer.weight.grad = layer.bias.grad = None
        mean, var = spec.update_running_stats(mean, var, x, momentum=0.2)
        assert np.allclose(mean, layer.running_mean.numpy(), rtol=1e-12, atol=1e-14)
        assert np.allclose(var, layer.running_var.numpy(), rtol=1e-12, atol=1e-14)
    x = rng.normal(size=(5, c))
    assert np.allclose(spec.batchnorm_eval(x, mean, var, gamma, beta),
                       layer.eval()(torch.tensor(x)).detach().numpy(), rtol=1e-12, atol=1e-12)


def test_the_backward_reference_matches_finite_differences():
    x, gamma, beta = _batch(3, 6, 3)
    g = np.random.default_rng(4).normal(size=x.shape)
    dx, dgamma, dbeta = spec.batchnorm_backward(g, x, gamma)
    h = 1e-6

    def loss(x_, gamma_, beta_):
        return float(np.sum(spec.batchnorm_train(x_, gamma_, beta_) * g))

    num = np.zeros_like(x)
    for idx in np.ndindex(x.shape):
        e = np.zeros_like(x)
        e[idx] = h
        num[idx] = (loss(x + e, gamma, beta) - loss(x - e, gamma, beta)) / (2 * h)
    # Central differences in float64 with h = 1e-6: error ~1e-9 relative.
    assert np.allclose(dx, num, rtol=1e-6, atol=1e-7)
    num_gamma = [(loss(x, gamma + h * e, beta) - loss(x, gamma - h * e, beta)) / (2 * h)
                 for e in np.eye(3)]
    assert np.allclose(dgamma, num_gamma, rtol=1e-6, atol=1e-7)
    assert np.allclose(dbeta, g.sum(axis=0))


def test_trainable_parameters_agrees_with_a_frozen_model():
    sizes = [64, 40, 30, 10]
    layers = [nn.Linear(a, b, random_state=0) for a, b in zip(sizes[:-1], sizes[1:])]
    for n_frozen in range(len(layers) + 1):
        trainable = sum(p.data.size for layer in layers[n_frozen:] for p in layer.parameters())
        assert spec.trainable_parameters(sizes, n_frozen) == trainable


def test_the_worked_examples_hold():
    mean, var = spec.update_running_stats([0.0, 0.0], [1.0, 1.0], spec._STATS_X)
    assert np.allclose(mean, [0.4, 0.3]) and np.allclose(var, [2.2, 1.2])
    assert spec.trainable_parameters([784, 256, 128, 10], 2) == 128 * 10 + 10


# --- correct styles pass ---------------------------------------------------------------

def batchnorm_train_loops(x, gamma, beta, eps=1e-5):
    """A learner's answer without NumPy: one feature (column) at a time."""
    rows = [[float(v) for v in row] for row in x]
    n, c = len(rows), len(rows[0])
    out = [[0.0] * c for _ in range(n)]
    for j in range(c):
        column = [row[j] for row in rows]
        mean = math.fsum(column) / n
        var = math.fsum((v - mean) ** 2 for v in column) / n
        for i in range(n):
            out[i][j] = float(gamma[j]) * (column[i] - mean) / math.sqrt(var + eps) + float(beta[j])
    return out


def batchnorm_train_one_pass(x, gamma, beta, eps=1e-5):
    """The variance as E[x^2] - E[x]^2, computed in the input's dtype."""
    x = np.asarray(x)
    mean = x.mean(axis=0)
    var = (x * x).mean(axis=0) - mean * mean
    return np.asarray(gamma) * (x - mean) / np.sqrt(var + eps) + np.asarray(beta)


def batchnorm_eval_loops(x, running_mean, running_var, gamma, beta, eps=1e-5):
    def one(sample):
        return [float(g) * (float(v) - float(m)) / math.sqrt(float(s) + eps) + float(b)
                for v, m, s, g, b in zip(sample, running_mean, running_var, gamma, beta)]
    first = x[0]
    return [one(row) for row in x] if hasattr(first, "__len__") else one(x)


def update_running_stats_dict(running_mean, running_var, x, momentum=0.1):
    """A dict answer, with np.var(ddof=1), in float32 if the input is."""
    x = np.asarray(x)
    return {"running_mean": (1 - momentum) * np.asarray(running_mean) + momentum * x.mean(axis=0),
            "running_var": (1 - momentum) * np.asarray(running_var) + momentum * x.var(axis=0, ddof=1)}


def batchnorm_backward_graph(dout, x, gamma, eps=1e-5):
    """The step-by-step backward pass through the computational graph (the 'staged' style)."""
    x, dout, gamma = np.asarray(x, float), np.asarray(dout, float), np.asarray(gamma, float)
    n = x.shape[0]
    mu = x.mean(axis=0)
    xc = x - mu
    var = (xc ** 2).mean(axis=0)
    std = np.sqrt(var + eps)
    x_hat = xc / std
    dbeta = dout.sum(axis=0)
    dgamma = (dout * x_hat).sum(axis=0)
    dx_hat = dout * gamma
    dstd = -(dx_hat * xc).sum(axis=0) / std ** 2
    dvar = dstd / (2 * std)
    dxc = dx_hat / std + 2 * xc * dvar / n
    dmu = -dxc.sum(axis=0)
    dx = dxc + dmu / n
    return dx, dgamma, dbeta


def trainable_parameters_loop(sizes, n_frozen):
    total = 0
    for i in range(1, len(sizes)):
        if i > n_frozen:
            total += sizes[i - 1] * sizes[i] + sizes[i]
    return total


@pytest.mark.parametrize("name, func", [
    ("batchnorm_train", batchnorm_train_loops),
    ("batchnorm_train", batchnorm_train_one_pass),
    ("batchnorm_eval", batchnorm_eval_loops),
    ("update_running_stats", update_running_stats_dict),
    ("batchnorm_backward", batchnorm_backward_graph),
    ("trainable_parameters", trainable_parameters_loop),
])
def test_correct_styles_pass_every_check(name, func):
    assert evaluate(func, EXERCISES[name], visible=True, hidden=True) == []


# --- wrong answers are caught ---------------------------------------------------------------

def update_running_stats_in_place(running_mean, running_var, x, momentum=0.1):
    """Right values, but written into the caller's arrays (as PyTorch's buffers are)."""
    x = np.asarray(x, float)
    running_mean *= 1 - momentum
    running_mean += momentum * x.mean(axis=0)
    running_var *= 1 - momentum
    running_var += momentum * x.var(axis=0, ddof=1)
    return running_mean, running_var


def test_an_update_in_place_fails_with_an_explanation():
    problems = evaluate(update_running_stats_in_place, EXERCISES["update_running_stats"])
    assert problems and "place" in problems[0]


def batchnorm_train_no_eps(x, gamma, beta, eps=1e-5):
    x = np.asarray(x, float)
    return np.asarray(gamma) * (x - x.mean(0)) / x.std(0) + np.asarray(beta)


def batchnorm_train_fixed_eps(x, gamma, beta, eps=1e-5):
    x = np.asarray(x, float)
    return np.asarray(gamma) * (x - x.mean(0)) / np.sqrt(x.var(0) + 1e-5) + np.asarray(beta)


def test_forgetting_eps_fails():
    assert evaluate(batchnorm_train_no_eps, EXERCISES["batchnorm_train"], visible=True)


def test_ignoring_the_eps_argument_fails_a_hidden_check():
    problems = evaluate(batchnorm_train_fixed_eps, EXERCISES["batchnorm_train"], visible=True,
                        hidden=True)
    assert problems and all("eps" in p for p in problems)


def batchnorm_backward_dx_not_centred(dout, x, gamma, eps=1e-5):
    dx, dgamma, dbeta = batchnorm_backward_graph(dout, x, gamma, eps)
    return dx + 1e-3, dgamma, dbeta


def test_a_dx_that_does_not_sum_to_zero_is_caught():
    problems = evaluate(batchnorm_backward_dx_not_centred, EXERCISES["batchnorm_backward"],
                        visible=False, hidden=True)
    assert any("sum to 0" in p for p in problems)


def batchnorm_backward_in_input_dtype(dout, x, gamma, eps=1e-5):
    """The compact formula computed in the input's own dtype (float32 stays float32)."""
    x, g, gamma = np.asarray(x), np.asarray(dout), np.asarray(gamma)
    n = x.shape[0]
    x_hat = (x - x.mean(axis=0)) / np.sqrt(x.var(axis=0) + eps)
    g_hat = g * gamma
    dx = (n * g_hat - g_hat.sum(axis=0) - x_hat * (g_hat * x_hat).sum(axis=0)) / (
        n * np.sqrt(x.var(axis=0) + eps))
    return {"dx": dx, "dgamma": (g * x_hat).sum(axis=0), "dbeta": g.sum(axis=0)}


def test_float32_arithmetic_and_a_dict_pass_the_backward_checks():
    assert evaluate(batchnorm_backward_in_input_dtype, EXERCISES["batchnorm_backward"], visible=True,
                    hidden=True) == []
