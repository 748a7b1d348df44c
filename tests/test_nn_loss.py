"""Loss modules against torch.nn's losses and anncourse.losses."""
from __future__ import annotations

import warnings

import numpy as np
import pytest
import torch
from hypothesis import given, settings
from hypothesis import strategies as st

from anncourse import losses, nn

# float64: elementwise formulas and one sum of at most 60 terms; the two
# libraries round differently by a few 1e-16, so rtol 1e-10 is generous.
# atol covers losses and gradients that are ~0 (a confident correct
# prediction). float32: the same at 6e-8 per operation: rtol 1e-5.
TOL = {np.float64: dict(rtol=1e-10, atol=1e-14), np.float32: dict(rtol=1e-5, atol=1e-6)}


def regression_data(rng, shape):
    return rng.normal(size=shape) * 2, rng.normal(size=shape) * 2


def probability_data(rng, shape):
    p = rng.uniform(0, 1, size=shape)
    p.flat[0] = 0.0  # the clamped logs
    p.flat[-1] = 1.0
    return p, rng.integers(0, 2, size=shape).astype(float)


def logit_data(rng, shape):
    return rng.normal(size=shape) * 5, rng.uniform(0, 1, size=shape)


LOSSES = {
    "mse": (nn.MSELoss, torch.nn.MSELoss, {}, regression_data),
    "huber": (nn.HuberLoss, torch.nn.HuberLoss, {"delta": 1.0}, regression_data),
    "huber_0.5": (nn.HuberLoss, torch.nn.HuberLoss, {"delta": 0.5}, regression_data),
    "bce": (nn.BCELoss, torch.nn.BCELoss, {}, probability_data),
    "bce_logits": (nn.BCEWithLogitsLoss, torch.nn.BCEWithLogitsLoss, {}, logit_data),
}


def torch_loss_and_grad(loss_t, x, target, upstream=None):
    xt = torch.tensor(x, requires_grad=True)
    value = loss_t(xt, torch.from_numpy(target))
    value.backward(None if upstream is None else torch.from_numpy(upstream))
    return value.detach().numpy(), xt.grad.numpy()


def check(ours, theirs, x, target, rng):
    dtype = x.dtype.type
    value = ours(x, target)
    upstream = None
    if ours.reduction == "none":
        upstream = rng.normal(size=np.shape(value)).astype(dtype)
    grad = ours.backward(upstream)
    value_t, grad_t = torch_loss_and_grad(theirs, x, target, upstream)
    assert np.asarray(value).dtype == grad.dtype == dtype
    assert grad.shape == x.shape
    np.testing.assert_allclose(value, value_t, **TOL[dtype])
    np.testing.assert_allclose(grad, grad_t, **TOL[dtype])


@pytest.mark.parametrize("name", LOSSES)
@settings(max_examples=20, deadline=None)
@given(
    shape=st.sampled_from([(1,), (7,), (4, 3), (2, 3, 2)]),
    reduction=st.sampled_from(["mean", "sum", "none"]),
    dtype=st.sampled_from([np.float64, np.float32]),
    seed=st.integers(0, 2**32 - 1),
)
def test_elementwise_losses_match_torch(name, shape, reduction, dtype, seed):
    ours, theirs, kwargs, make_data = LOSSES[name]
    rng = np.random.default_rng(seed)
    x, target = (a.astype(dtype) for a in make_data(rng, shape))
    check(ours(reduction=reduction, **kwargs), theirs(reduction=reduction, **kwargs), x, target, rng)


@settings(max_examples=40, deadline=None)
@given(
    n=st.integers(1, 12),
    c=st.integers(1, 6),
    scale=st.sampled_from([0.1, 3.0, 100.0]),
    reduction=st.sampled_from(["mean", "sum", "none"]),
    dtype=st.sampled_from([np.float64, np.float32]),
    seed=st.integers(0, 2**32 - 1),
)
def test_cross_entropy_matches_torch(n, c, scale, reduction, dtype, seed):
    rng = np.random.default_rng(seed)
    logits = (rng.normal(size=(n, c)) * scale).astype(dtype)
    target = rng.integers(0, c, size=n)
    check(nn.CrossEntropyLoss(reduction), torch.nn.CrossEntropyLoss(reduction=reduction), logits, target,
          rng)


@pytest.mark.parametrize("ours, functional, functional_grad, make_data, kwargs", [
    (nn.MSELoss, losses.mse, losses.mse_grad, regression_data, {}),
    (nn.HuberLoss, losses.huber, losses.huber_grad, regression_data, {"delta": 0.7}),
    (nn.BCELoss, losses.binary_cross_entropy, losses.binary_cross_entropy_grad, probability_data, {}),
])
def test_mean_equals_the_functional_losses(ours, functional, functional_grad, make_data, kwargs):
    x, target = make_data(np.random.default_rng(0), (6, 5))
    loss = ours(**kwargs)
    # The same formulas, so equal to the last bits (atol: gradients of 0).
    np.testing.assert_allclose(loss(x, target), functional(target, x, **kwargs), rtol=1e-15)
    np.testing.assert_allclose(loss.backward(), functional_grad(target, x, **kwargs), rtol=1e-14,
                               atol=1e-300)


def test_cross_entropy_equals_softmax_then_categorical_cross_entropy():
    rng = np.random.default_rng(1)
    logits, target = rng.normal(size=(5, 4)), rng.integers(0, 4, size=5)
    onehot = np.eye(4)[target]
    value = nn.CrossEntropyLoss()(logits, target)
    from anncourse.activations import softmax
    expected = losses.categorical_cross_entropy(onehot, softmax(logits))
    np.testing.assert_allclose(value, expected, rtol=1e-13)


def test_bce_with_logits_equals_sigmoid_then_bce():
    rng = np.random.default_rng(2)
    z, y = rng.normal(size=8), rng.uniform(size=8)
    from anncourse.activations import sigmoid
    with_logits, plain = nn.BCEWithLogitsLoss(), nn.BCELoss()
    np.testing.assert_allclose(with_logits(z, y), plain(sigmoid(z), y), rtol=1e-13)
    # Chain rule through the sigmoid: dL/dz = dL/dp * p (1 - p).
    p = sigmoid(z)
    np.testing.assert_allclose(with_logits.backward(), plain.backward() * p * (1 - p), rtol=1e-12)


@pytest.mark.parametrize("ours, theirs, x, target", [
    # exp(1e4) overflows: a naive softmax or log(1 + exp(z)) would give inf or nan.
    (nn.CrossEntropyLoss(), torch.nn.CrossEntropyLoss(),
     np.array([[1e4, -1e4, 0.0], [-800.0, 800.0, 0.0], [1e4, 1e4, 1e4]]), np.array([1, 1, 2])),
    (nn.BCEWithLogitsLoss(), torch.nn.BCEWithLogitsLoss(),
     np.array([1e4, -1e4, 800.0, -800.0, 0.0]), np.array([0.0, 1.0, 1.0, 0.0, 0.5])),
    (nn.BCELoss(), torch.nn.BCELoss(), np.array([0.0, 1.0, 0.0, 1.0, 1e-300]),
     np.array([0.0, 1.0, 1.0, 0.0, 1.0])),
], ids=["cross_entropy", "bce_logits", "bce"])
def test_extreme_inputs_stay_finite_without_warnings(ours, theirs, x, target):
    with warnings.catch_warnings():
        warnings.simplefilter("error")
        value = ours(x, target)
        grad = ours.backward()
    assert np.isfinite(value) and np.all(np.isfinite(grad))
    value_t, grad_t = torch_loss_and_grad(theirs, x, target)
    np.testing.assert_allclose(value, value_t, rtol=1e-12)
    np.testing.assert_allclose(grad, grad_t, rtol=1e-12)


def test_backward_scales_with_a_scalar_upstream_gradient():
    x, y = np.array([1.0, 2.0]), np.array([0.0, 0.0])
    loss = nn.MSELoss()
    loss(x, y)
    np.testing.assert_allclose(loss.backward(3.0), 3 * loss.backward())


def test_reduction_none_needs_an_upstream_gradient():
    loss = nn.MSELoss(reduction="none")
    np.testing.assert_array_equal(loss(np.array([1.0, 3.0]), np.array([0.0, 1.0])), [1.0, 4.0])
    with pytest.raises(ValueError, match=r"needs grad_output.* shape \(2,\)"):
        loss.backward()
    with pytest.raises(ValueError, match=r"shape \(2,\), got shape \(3,\)"):
        loss.backward(np.ones(3))


def test_errors():
    with pytest.raises(ValueError, match="reduction must be one of"):
        nn.MSELoss(reduction="average")
    with pytest.raises(ValueError, match=r"input has shape \(3,\) but target has shape \(3, 1\)"):
        nn.MSELoss()(np.zeros(3), np.zeros((3, 1)))
    with pytest.raises(ValueError, match=r"input must lie in \[0, 1\]"):
        nn.BCELoss()(np.array([1.5]), np.array([1.0]))
    with pytest.raises(ValueError, match=r"target must lie in \[0, 1\]"):
        nn.BCEWithLogitsLoss()(np.array([1.5]), np.array([-1.0]))
    with pytest.raises(ValueError, match="delta must be a positive"):
        nn.HuberLoss(delta=0)
    with pytest.raises(RuntimeError, match="before forward"):
        nn.MSELoss().backward()


def test_cross_entropy_errors():
    ce = nn.CrossEntropyLoss()
    with pytest.raises(ValueError, match=r"logits of shape \(N, C\), got shape \(3,\)"):
        ce(np.zeros(3), np.array([0]))
    with pytest.raises(TypeError, match="integer class indices, got dtype float64"):
        ce(np.zeros((2, 3)), np.array([0.0, 1.0]))
    with pytest.raises(ValueError, match=r"shape \(2,\), for input of shape \(2, 3\), got shape \(3,\)"):
        ce(np.zeros((2, 3)), np.array([0, 1, 2]))
    with pytest.raises(ValueError, match=r"class 3, but input has classes 0 .. 2"):
        ce(np.zeros((2, 3)), np.array([0, 3]))
    with pytest.raises(ValueError, match="class -1"):
        ce(np.zeros((2, 3)), np.array([-1, 0]))


def test_reprs_and_no_parameters():
    assert repr(nn.MSELoss()) == "MSELoss()"
    assert repr(nn.CrossEntropyLoss("sum")) == "CrossEntropyLoss(reduction='sum')"
    assert repr(nn.HuberLoss(delta=2.0)) == "HuberLoss(delta=2.0)"
    assert list(nn.CrossEntropyLoss().parameters()) == []


@pytest.mark.parametrize("module, functional, functional_grad", [
    (nn.MSELoss, losses.mse, losses.mse_grad),
    (nn.HuberLoss, losses.huber, losses.huber_grad),
    (nn.BCELoss, losses.binary_cross_entropy, losses.binary_cross_entropy_grad),
    (nn.BCEWithLogitsLoss, losses.binary_cross_entropy_with_logits,
     losses.binary_cross_entropy_with_logits_grad),
    (nn.CrossEntropyLoss, losses.cross_entropy_with_logits, losses.cross_entropy_with_logits_grad),
])
def test_one_implementation_per_loss(module, functional, functional_grad, monkeypatch):
    """The modules hold no formula: they call the functions of anncourse.losses."""
    assert module._loss is functional and module._grad is functional_grad
    calls = []

    def spy(fn):
        def wrapped(*args, **kwargs):
            calls.append((fn.__name__, kwargs["reduction"]))
            return fn(*args, **kwargs)
        return staticmethod(wrapped)

    monkeypatch.setattr(module, "_loss", spy(functional))
    monkeypatch.setattr(module, "_grad", spy(functional_grad))
    x = np.array([[0.2, 0.7], [0.6, 0.1]])
    target = np.array([1, 0]) if module is nn.CrossEntropyLoss else np.array([[1.0, 0.0], [0.0, 1.0]])
    loss = module(reduction="sum")
    loss(x, target)
    loss.backward()
    assert calls == [(functional.__name__, "sum"), (functional_grad.__name__, "sum")]
