"""Activation layers against torch.nn's, forward and backward, float64 and float32."""
from __future__ import annotations

import warnings

import numpy as np
import pytest
import torch
from hypothesis import given, settings
from hypothesis import strategies as st
from hypothesis.extra.numpy import array_shapes, arrays

from anncourse import nn

# float64: elementwise functions computed by two libraries differ by a few
# ulps (exp, tanh are rounded differently), so rtol 1e-10 is generous; atol
# covers values that are ~0. float32: a few float32 ulps (6e-8 each), so
# rtol 1e-5; softmax's backward subtracts a row sum, which can cancel, hence
# the atol.
TOL = {np.float64: dict(rtol=1e-10, atol=1e-13), np.float32: dict(rtol=1e-5, atol=1e-6)}

LAYERS = [
    (lambda: nn.ReLU(), lambda: torch.nn.ReLU()),
    (lambda: nn.LeakyReLU(), lambda: torch.nn.LeakyReLU()),
    (lambda: nn.LeakyReLU(0.2), lambda: torch.nn.LeakyReLU(0.2)),
    (lambda: nn.Sigmoid(), lambda: torch.nn.Sigmoid()),
    (lambda: nn.Tanh(), lambda: torch.nn.Tanh()),
    (lambda: nn.Softmax(), lambda: torch.nn.Softmax(dim=-1)),
    (lambda: nn.Softmax(dim=0), lambda: torch.nn.Softmax(dim=0)),
]
IDS = ["relu", "leaky_relu", "leaky_relu_0.2", "sigmoid", "tanh", "softmax", "softmax_dim0"]


def compare_with_torch(ours, theirs, x, g):
    y = ours(x)
    dx = ours.backward(g)
    xt = torch.tensor(x, requires_grad=True)
    yt = theirs(xt)
    yt.backward(torch.from_numpy(g))
    tol = TOL[x.dtype.type]
    assert y.dtype == dx.dtype == x.dtype
    np.testing.assert_allclose(y, yt.detach().numpy(), **tol)
    np.testing.assert_allclose(dx, xt.grad.numpy(), **tol)


@pytest.mark.parametrize("make_ours, make_theirs", LAYERS, ids=IDS)
@settings(max_examples=25, deadline=None)
@given(
    shape=array_shapes(min_dims=1, max_dims=3, max_side=6),
    dtype=st.sampled_from([np.float64, np.float32]),
    scale=st.sampled_from([0.1, 1.0, 30.0]),
    seed=st.integers(0, 2**32 - 1),
)
def test_matches_torch(make_ours, make_theirs, shape, dtype, scale, seed):
    rng = np.random.default_rng(seed)
    x = (scale * rng.normal(size=shape)).astype(dtype)
    g = rng.normal(size=shape).astype(dtype)
    compare_with_torch(make_ours(), make_theirs(), x, g)


@pytest.mark.parametrize("make_ours, make_theirs", LAYERS, ids=IDS)
def test_same_in_eval_mode(make_ours, make_theirs):
    rng = np.random.default_rng(0)
    x, g = rng.normal(size=(4, 5)), rng.normal(size=(4, 5))
    compare_with_torch(make_ours().eval(), make_theirs().eval(), x, g)


@pytest.mark.parametrize("make_ours, make_theirs", LAYERS, ids=IDS)
def test_kinks_and_extremes_like_torch_without_warnings(make_ours, make_theirs):
    x = np.array([[0.0, -0.0, 1e-300, -1e-300, 800.0, -800.0, 1e308, -1e308]])
    g = np.linspace(-1, 1, x.size).reshape(x.shape)
    with warnings.catch_warnings():
        warnings.simplefilter("error")
        compare_with_torch(make_ours(), make_theirs(), x, g)


@pytest.mark.parametrize("make_ours", [m for m, _ in LAYERS], ids=IDS)
def test_backward_before_forward(make_ours):
    with pytest.raises(RuntimeError, match="backward\\(\\) was called before forward"):
        make_ours().backward(np.ones(3))


@pytest.mark.parametrize("make_ours", [m for m, _ in LAYERS], ids=IDS)
def test_grad_output_shape_is_checked(make_ours):
    layer = make_ours()
    layer(np.ones((2, 3)))
    with pytest.raises(ValueError, match=r"shape \(2, 3\), got shape \(3, 2\)"):
        layer.backward(np.ones((3, 2)))


def test_lists_and_integers_become_float64():
    relu = nn.ReLU()
    y = relu([-1, 2])
    assert y.dtype == np.float64
    np.testing.assert_array_equal(relu.backward([1, 1]), [0.0, 1.0])


def test_no_parameters_and_reprs():
    for make, _ in LAYERS:
        assert list(make().parameters()) == []
    assert repr(nn.LeakyReLU(0.2)) == "LeakyReLU(negative_slope=0.2)"
    assert repr(nn.Softmax()) == "Softmax(dim=-1)"
    assert repr(nn.ReLU()) == "ReLU()"


def test_bad_slope():
    with pytest.raises(TypeError, match="negative_slope"):
        nn.LeakyReLU("steep")


def test_softmax_rows_sum_to_one_for_float32():
    x = np.random.default_rng(0).normal(size=(3, 10)).astype(np.float32) * 50
    y = nn.Softmax()(x)
    assert y.dtype == np.float32
    np.testing.assert_allclose(y.sum(axis=1), 1, rtol=1e-6)


@settings(max_examples=30, deadline=None)
@given(arrays(np.float64, (3, 4), elements=st.floats(-50, 50)))
def test_elementwise_backward_is_chain_rule(z):
    # dL/dz = g * f'(z), with f' from anncourse.activations.
    from anncourse import activations
    g = np.linspace(-2, 2, z.size).reshape(z.shape)
    pairs = [(nn.ReLU(), activations.relu_grad), (nn.Sigmoid(), activations.sigmoid_grad),
             (nn.Tanh(), activations.tanh_grad)]
    for layer, derivative in pairs:
        layer(z)
        np.testing.assert_allclose(layer.backward(g), g * derivative(z), rtol=1e-12, atol=1e-300)
