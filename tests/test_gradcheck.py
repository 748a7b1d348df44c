"""anncourse.gradcheck: passes correct gradients, catches wrong ones, leaves modules alone."""
from __future__ import annotations

import copy
import subprocess
import sys

import numpy as np
import pytest
from hypothesis import assume, given, settings
from hypothesis import strategies as st

from anncourse import nn
from anncourse.gradcheck import GradcheckResult, gradcheck, numerical_gradient, relative_error

# --------------------------------------------------------------------------
# Plain functions
# --------------------------------------------------------------------------


def test_function_with_right_and_wrong_gradient():
    def f(x):
        return np.sum(np.sin(x) * x**2)

    def grad(x):
        return np.cos(x) * x**2 + 2 * x * np.sin(x)

    x = np.random.default_rng(0).normal(size=(3, 4))
    good = gradcheck(f, x, grad_fn=grad)
    assert good.passed and bool(good)
    assert list(good.errors) == ["x"] and good.errors["x"] < 1e-8
    bad = gradcheck(f, x, grad_fn=lambda x: np.cos(x) * x**2)
    assert not bad.passed
    worst = bad["x"]
    assert worst.max_error > 1e-2
    at = worst.index
    assert worst.analytic == pytest.approx(grad(x)[at] - 2 * x[at] * np.sin(x[at]))
    assert worst.numerical == pytest.approx(grad(x)[worst.index], rel=1e-6)


def test_relative_error_formula():
    a = np.array([1.0, 0.0, 1e-9, -2.0, 3.0])
    n = np.array([1.1, 0.0, 0.0, 2.0, 3.0])
    expected = [0.1 / 2.1, 0.0, 1e-9 / 1e-3, 1.0, 0.0]
    np.testing.assert_allclose(relative_error(a, n), expected, rtol=1e-12)
    np.testing.assert_allclose(relative_error(a, n, tiny=1e-12)[2], 1.0)


def test_numerical_gradient_of_a_quadratic():
    # Central differences are exact for quadratics, up to rounding: the
    # error is about u * |f| / h ~ 1e-10 here.
    A = np.array([[2.0, 1.0], [1.0, 3.0]])
    x = np.array([0.5, -1.5])
    g = numerical_gradient(lambda v: v @ A @ v / 2, x)
    np.testing.assert_allclose(g, A @ x, rtol=1e-8)
    np.testing.assert_array_equal(x, [0.5, -1.5])  # not modified


def test_function_errors():
    with pytest.raises(TypeError, match="needs grad_fn"):
        gradcheck(lambda x: x.sum(), np.ones(2))
    with pytest.raises(ValueError, match=r"single number, got an array of shape \(2,\)"):
        gradcheck(lambda x: x, np.ones(2), grad_fn=lambda x: np.ones(2))
    with pytest.raises(ValueError, match=r"has shape \(3,\) but x has shape \(2,\)"):
        gradcheck(lambda x: x.sum(), np.ones(2), grad_fn=lambda x: np.ones(3))


# --------------------------------------------------------------------------
# Random networks
# --------------------------------------------------------------------------

ACTIVATIONS = [nn.Tanh, nn.Sigmoid, nn.ReLU, lambda: nn.LeakyReLU(0.1), nn.Softmax]


@st.composite
def networks(draw):
    """A Sequential of Linear layers, activations, BatchNorm1d and Dropout."""
    seed = draw(st.integers(0, 2**16))
    widths = draw(st.lists(st.integers(1, 5), min_size=2, max_size=4))
    layers = []
    for i, (n_in, n_out) in enumerate(zip(widths, widths[1:])):
        layers.append(nn.Linear(n_in, n_out, random_state=seed + i))
        if draw(st.booleans()):
            layers.append(nn.BatchNorm1d(n_out))
        layers.append(draw(st.sampled_from(ACTIVATIONS))())
        if draw(st.booleans()):
            layers.append(nn.Dropout(0.3, random_state=seed))
    model = nn.Sequential(*layers)
    if draw(st.booleans()):
        model.eval()
    return model, widths[0], seed


def well_conditioned(model, x):
    """Whether finite differences can be trusted for ``model`` at ``x``.

    Not at a kink: a ReLU input within ``1e-3`` of 0 is closer than
    ``2 h`` to a point where the central difference averages two slopes
    (a dead ReLU layer feeding constants into batch normalisation puts
    every input exactly there). And not through batch normalisation of a
    feature that barely varies (std below 0.1): its ``1 / std`` magnifies
    the rounding noise of ``f`` and its curvature (~ ``1 / std^3``) the
    truncation error, so the numerical gradient itself is wrong. The check
    runs on a copy, leaving the running statistics and random generators
    of ``model`` untouched.
    """
    h = x
    for layer in copy.deepcopy(model):
        if isinstance(layer, (nn.ReLU, nn.LeakyReLU)) and np.min(np.abs(h)) < 1e-3:
            return False
        if isinstance(layer, nn.BatchNorm1d) and layer.training and np.min(h.std(axis=0)) < 0.1:
            return False
        h = layer(h)
    return True


@settings(max_examples=40, deadline=None)
@given(networks(), st.integers(3, 6))
def test_random_networks_pass(network, batch):
    model, n_in, seed = network
    x = np.random.default_rng(seed).normal(size=(batch, n_in))
    assume(well_conditioned(model, x))
    result = gradcheck(model, x, random_state=seed)
    assert result.passed, result


@pytest.mark.parametrize("loss, x, target", [
    (nn.MSELoss(), np.linspace(-1, 1, 6).reshape(2, 3), np.zeros((2, 3))),
    (nn.HuberLoss(delta=0.5), np.array([0.1, -0.2, 2.0, -3.0]), np.zeros(4)),
    (nn.BCELoss(), np.array([0.2, 0.7, 0.9]), np.array([0.0, 1.0, 0.5])),
    (nn.BCEWithLogitsLoss(reduction="sum"), np.array([-3.0, 0.5, 4.0]), np.array([0.0, 1.0, 0.3])),
    (nn.CrossEntropyLoss(), np.array([[1.0, -2.0, 0.5], [0.0, 3.0, -1.0]]), np.array([2, 1])),
    (nn.CrossEntropyLoss(reduction="none"), np.array([[1.0, -2.0, 0.5], [0.0, 3.0, -1.0]]),
     np.array([0, 1])),
], ids=["mse", "huber", "bce", "bce_logits_sum", "cross_entropy", "cross_entropy_none"])
def test_loss_modules_pass(loss, x, target):
    result = gradcheck(loss, x, args=(target,))
    assert result.passed, result


def test_a_whole_model_with_its_loss():
    model = nn.Sequential(nn.Linear(4, 5, random_state=0), nn.BatchNorm1d(5), nn.Tanh(),
                          nn.Linear(5, 3, random_state=1))
    criterion = nn.CrossEntropyLoss()
    x, y = np.random.default_rng(0).normal(size=(6, 4)), np.array([0, 1, 2, 0, 1, 2])

    def loss_of(x):
        return criterion(model(x), y)

    def grad_of(x):
        loss_of(x)
        return model.backward(criterion.backward())

    assert gradcheck(loss_of, x, grad_fn=grad_of).passed


# --------------------------------------------------------------------------
# Deliberately broken backward passes are caught
# --------------------------------------------------------------------------


class LinearWithMeanGradient(nn.Linear):
    """Bug: averages dW over the batch instead of summing."""

    def backward(self, grad_output):
        (x,) = self._saved_for_backward()
        self.weight.accumulate_grad(grad_output.T @ x / len(x))
        self.bias.accumulate_grad(grad_output.sum(axis=0))
        return grad_output @ self.weight.data


class LinearForgettingBias(nn.Linear):
    """Bug: never accumulates the bias gradient."""

    def backward(self, grad_output):
        (x,) = self._saved_for_backward()
        self.weight.accumulate_grad(grad_output.T @ x)
        return grad_output @ self.weight.data


class TanhWrongDerivative(nn.Tanh):
    """Bug: 1 - y instead of 1 - y^2."""

    def backward(self, grad_output):
        (y,) = self._saved_for_backward()
        return grad_output * (1 - y)


class BatchNormIgnoringBatchStatistics(nn.BatchNorm1d):
    """Bug: treats the batch mean and variance as constants."""

    def backward(self, grad_output):
        x_hat, inv_std, _ = self._saved_for_backward()
        self.weight.accumulate_grad(np.sum(grad_output * x_hat, axis=0))
        self.bias.accumulate_grad(np.sum(grad_output, axis=0))
        return grad_output * self.weight.data * inv_std


class DropoutWithoutMask(nn.Dropout):
    """Bug: backward forgets the mask."""

    def backward(self, grad_output):
        return grad_output


@pytest.mark.parametrize("make_model, failing", [
    (lambda: nn.Sequential(LinearWithMeanGradient(3, 4, random_state=0), nn.Tanh()), {"0.weight"}),
    (lambda: nn.Sequential(nn.Linear(3, 4, random_state=0),
                           LinearForgettingBias(4, 2, random_state=1)),
     {"1.bias"}),
    (lambda: nn.Sequential(nn.Linear(3, 4, random_state=0), TanhWrongDerivative(),
                           nn.Linear(4, 2, random_state=1)),
     {"input", "0.weight", "0.bias"}),
    (lambda: nn.Sequential(nn.Linear(3, 4, random_state=0), BatchNormIgnoringBatchStatistics(4),
                           nn.Sigmoid()),
     {"input", "0.weight"}),
    (lambda: nn.Sequential(nn.Linear(3, 4, random_state=0), DropoutWithoutMask(0.5, random_state=0),
                           nn.Linear(4, 2, random_state=1)),
     {"input", "0.weight", "0.bias"}),
], ids=["mean_dW", "no_bias_grad", "tanh", "batchnorm", "dropout"])
def test_broken_backward_is_caught(make_model, failing):
    x = np.random.default_rng(0).normal(size=(5, 3))
    result = gradcheck(make_model(), x)
    assert not result.passed
    assert {check.name for check in result.checks if not check.passed} >= failing
    assert "FAILED" in repr(result)
    # A wrong formula is off by far more than the tolerance.
    assert max(result.errors[name] for name in failing) > 1e-2


# --------------------------------------------------------------------------
# The module is left as it was
# --------------------------------------------------------------------------


def test_module_state_is_restored():
    def make():
        return nn.Sequential(nn.Linear(3, 4, random_state=0), nn.BatchNorm1d(4),
                             nn.Dropout(0.5, random_state=1), nn.Linear(4, 2, random_state=2))

    model, twin = make(), make()
    x = np.random.default_rng(0).normal(size=(5, 3))
    model(x)
    model.backward(np.ones((5, 2)))
    twin(x)
    twin.backward(np.ones((5, 2)))
    grads = {name: p.grad.copy() for name, p in model.named_parameters()}
    assert gradcheck(model, x).passed
    for key, value in twin.state_dict().items():
        np.testing.assert_array_equal(model.state_dict()[key], value, err_msg=key)
    for name, p in model.named_parameters():
        np.testing.assert_array_equal(p.grad, grads[name], err_msg=name)
    # The dropout generator is where it was: the next masks are the same.
    np.testing.assert_array_equal(model(x), twin(x))



# --------------------------------------------------------------------------
# random_state: where the upstream gradient g comes from
# --------------------------------------------------------------------------


class RecordingTanh(nn.Tanh):
    """A correct Tanh that keeps the upstream gradient its backward pass receives."""

    def backward(self, grad_output):
        self.received = grad_output.copy()
        return super().backward(grad_output)


X_SMALL = np.linspace(-1, 1, 6).reshape(2, 3)


def upstream_gradient(**kwargs):
    module = RecordingTanh()
    assert gradcheck(module, X_SMALL, **kwargs).passed
    return module.received


@settings(max_examples=25, deadline=None)
@given(st.integers(0, 2**63))
def test_an_int_random_state_seeds_the_upstream_gradient(seed):
    expected = np.random.default_rng(seed).standard_normal(X_SMALL.shape)
    np.testing.assert_array_equal(upstream_gradient(random_state=seed), expected)


def test_the_default_is_the_fixed_seed_0():
    expected = np.random.default_rng(0).standard_normal(X_SMALL.shape)
    np.testing.assert_array_equal(upstream_gradient(), expected)


def test_a_generator_is_used_and_advanced():
    generator, twin = np.random.default_rng(7), np.random.default_rng(7)
    np.testing.assert_array_equal(upstream_gradient(random_state=generator),
                                  twin.standard_normal(X_SMALL.shape))
    assert generator.integers(2**62) == twin.integers(2**62)


def test_none_draws_a_new_upstream_gradient_each_time():
    # Two independent standard normal draws of 6 values are never equal.
    assert not np.array_equal(upstream_gradient(random_state=None),
                              upstream_gradient(random_state=None))


def test_the_old_name_seed_still_works_with_a_deprecation_warning():
    with pytest.warns(DeprecationWarning, match=r"gradcheck\(seed=\.\.\.\) is deprecated"):
        old = upstream_gradient(seed=5)
    np.testing.assert_array_equal(old, upstream_gradient(random_state=5))
    with pytest.raises(TypeError, match="both seed= and random_state="):
        gradcheck(RecordingTanh(), X_SMALL, seed=1, random_state=1)


@pytest.mark.parametrize("bad, error, message", [
    (0.5, TypeError, "not float"),
    (True, TypeError, "not bool"),
    ("0", TypeError, "not str"),
    (np.random.RandomState(0), TypeError, "not RandomState"),
    (-1, ValueError, ">= 0"),
], ids=["float", "bool", "str", "legacy_RandomState", "negative"])
def test_bad_random_states_are_refused_for_modules_and_functions(bad, error, message):
    with pytest.raises(error, match=message):
        gradcheck(RecordingTanh(), X_SMALL, random_state=bad)
    with pytest.raises(error, match=message):
        gradcheck(lambda x: np.sum(x**2), X_SMALL, grad_fn=lambda x: 2 * x, random_state=bad)


def test_float32_modules_are_refused():
    with pytest.raises(TypeError, match="float64 parameters, but weight is float32"):
        gradcheck(nn.Linear(2, 2, dtype=np.float32), np.ones((1, 2)))


def test_result_repr_and_lookup():
    result = gradcheck(nn.Linear(2, 3, random_state=0), np.ones((4, 2)))
    assert isinstance(result, GradcheckResult)
    text = repr(result)
    assert text.startswith("GradcheckResult(passed=True, tol=1e-05)")
    assert "weight" in text and "ok" in text
    with pytest.raises(KeyError, match="no gradient called 'kernel'"):
        result["kernel"]


def test_tolerance_is_used():
    x = np.array([1.0, 2.0])
    slightly_off = gradcheck(lambda x: np.sum(x**2), x, grad_fn=lambda x: 2 * x * (1 + 1e-4))
    assert not slightly_off.passed
    assert gradcheck(lambda x: np.sum(x**2), x, grad_fn=lambda x: 2 * x * (1 + 1e-4), tol=1e-3).passed


def test_nan_gradients_fail():
    result = gradcheck(lambda x: np.sum(x), np.ones(3), grad_fn=lambda x: np.full(3, np.nan))
    assert not result.passed and result.errors["x"] == np.inf


def test_importing_is_light():
    code = ("import sys, anncourse.gradcheck\n"
            "heavy = [m for m in ('torch', 'matplotlib') if m in sys.modules]\n"
            "assert not heavy, heavy")
    subprocess.run([sys.executable, "-c", code], check=True)
