"""nn.Linear against torch.nn.Linear: outputs, input gradients, parameter gradients."""
from __future__ import annotations

import re
import warnings

import numpy as np
import pytest
import torch
from hypothesis import given, settings
from hypothesis import strategies as st

from anncourse.nn import Linear, Parameter

# Tolerances. float64: both libraries compute the same sums of at most a few
# dozen products, only in a different order; that changes the result by a few
# units of 1e-16 relative to the size of the terms, so rtol 1e-10 (with atol
# 1e-12 for entries that cancel to nearly 0) leaves a wide margin while still
# catching any real formula error. float32: the same reordering costs up to
# K * 6e-8 relative for K summed terms (K <= 40 here), hence rtol 1e-4 / atol 1e-5.
TOL = {np.float64: dict(rtol=1e-10, atol=1e-12), np.float32: dict(rtol=1e-4, atol=1e-5)}
TORCH_DTYPE = {np.float64: torch.float64, np.float32: torch.float32}


def torch_twin(layer, dtype):
    """A torch.nn.Linear holding copies of ``layer``'s parameters."""
    twin = torch.nn.Linear(layer.in_features, layer.out_features, bias=layer.bias is not None,
                           dtype=TORCH_DTYPE[dtype])
    with torch.no_grad():
        twin.weight.copy_(torch.from_numpy(layer.weight.data))
        if layer.bias is not None:
            twin.bias.copy_(torch.from_numpy(layer.bias.data))
    return twin


def compare_with_torch(layer, x, g, dtype):
    y = layer(x)
    dx = layer.backward(g)
    twin = torch_twin(layer, dtype)
    xt = torch.tensor(x, requires_grad=True)
    yt = twin(xt)
    yt.backward(torch.from_numpy(g))
    tol = TOL[dtype]
    assert y.dtype == dx.dtype == layer.weight.grad.dtype == dtype
    np.testing.assert_allclose(y, yt.detach().numpy(), **tol)
    np.testing.assert_allclose(dx, xt.grad.numpy(), **tol)
    np.testing.assert_allclose(layer.weight.grad, twin.weight.grad.numpy(), **tol)
    if layer.bias is not None:
        np.testing.assert_allclose(layer.bias.grad, twin.bias.grad.numpy(), **tol)


@settings(max_examples=40, deadline=None)
@given(
    batch=st.integers(1, 9),
    n_in=st.integers(1, 12),
    n_out=st.integers(1, 12),
    bias=st.booleans(),
    dtype=st.sampled_from([np.float64, np.float32]),
    seed=st.integers(0, 2**32 - 1),
)
def test_matches_torch(batch, n_in, n_out, bias, dtype, seed):
    rng = np.random.default_rng(seed)
    layer = Linear(n_in, n_out, bias=bias, random_state=rng, dtype=dtype)
    x = rng.normal(size=(batch, n_in)).astype(dtype)
    g = rng.normal(size=(batch, n_out)).astype(dtype)
    compare_with_torch(layer, x, g, dtype)


@pytest.mark.parametrize("shape", [(4,), (2, 3, 4), (2, 1, 3, 4)])
def test_leading_axes_like_torch(shape):
    rng = np.random.default_rng(0)
    layer = Linear(4, 3, random_state=0)
    x = rng.normal(size=shape)
    g = rng.normal(size=shape[:-1] + (3,))
    compare_with_torch(layer, x, g, np.float64)


def test_same_in_eval_mode():
    rng = np.random.default_rng(1)
    layer = Linear(5, 2, random_state=1)
    x = rng.normal(size=(3, 5))
    y_train = layer(x)
    layer.eval()
    np.testing.assert_array_equal(layer(x), y_train)
    compare_with_torch(layer, x, rng.normal(size=(3, 2)), np.float64)


def test_gradients_formulas_by_hand():
    layer = Linear(2, 2, random_state=0)
    layer.weight.data[...] = [[1.0, 2.0], [3.0, 4.0]]
    layer.bias.data[...] = [0.5, -0.5]
    x = np.array([[1.0, 0.0], [0.0, 1.0], [1.0, 1.0]])
    np.testing.assert_array_equal(layer(x), [[1.5, 2.5], [2.5, 3.5], [3.5, 6.5]])
    g = np.array([[1.0, 0.0], [0.0, 1.0], [1.0, 1.0]])
    np.testing.assert_array_equal(layer.backward(g), g @ layer.weight.data)
    np.testing.assert_array_equal(layer.weight.grad, g.T @ x)
    np.testing.assert_array_equal(layer.bias.grad, g.sum(axis=0))


def test_gradients_accumulate_until_zero_grad():
    rng = np.random.default_rng(2)
    layer = Linear(3, 2, random_state=2)
    x, g = rng.normal(size=(4, 3)), rng.normal(size=(4, 2))
    layer(x)
    layer.backward(g)
    first = layer.weight.grad.copy()
    layer.backward(g)
    np.testing.assert_allclose(layer.weight.grad, 2 * first)
    layer.zero_grad()
    assert layer.weight.grad is None and layer.bias.grad is None


def test_shape_error_names_both_shapes():
    layer = Linear(3, 4)
    message = "Linear(3, 4) expects input with 3 features, got shape (5, 2)"
    with pytest.raises(ValueError, match=re.escape(message)):
        layer(np.zeros((5, 2)))
    with pytest.raises(ValueError, match=r"got shape \(\)"):
        layer(np.float64(1.0))


def test_backward_before_forward_is_a_runtime_error():
    with pytest.raises(RuntimeError, match="before forward"):
        Linear(3, 4).backward(np.zeros((2, 4)))


def test_grad_output_of_wrong_shape():
    layer = Linear(3, 4)
    layer(np.zeros((2, 3)))
    with pytest.raises(ValueError, match=r"shape \(2, 4\), got shape \(4, 2\)"):
        layer.backward(np.zeros((4, 2)))


def test_float_dtype_mismatch_is_an_error_integers_are_converted():
    layer32 = Linear(3, 2, random_state=0, dtype=np.float32)
    with pytest.raises(TypeError, match="float32 parameters but the input is float64"):
        layer32(np.zeros((1, 3)))
    with pytest.raises(TypeError, match="float64 parameters but the input is float32"):
        Linear(3, 2)(np.zeros((1, 3), dtype=np.float32))
    pixels = np.array([[0, 128, 255]], dtype=np.uint8)
    y = layer32(pixels)
    assert y.dtype == np.float32
    np.testing.assert_allclose(y, layer32(pixels.astype(np.float32)))
    with pytest.raises(TypeError, match="real numbers"):
        layer32(np.array([["a", "b", "c"]]))


def test_keeps_float32_and_does_not_copy_parameters():
    layer = Linear(3, 2, random_state=0, dtype=np.float32)
    weight = layer.weight.data
    x = np.ones((4, 3), dtype=np.float32)
    assert layer(x).dtype == np.float32
    assert layer.backward(np.ones((4, 2), dtype=np.float32)).dtype == np.float32
    assert layer.weight.data is weight


def test_constructor_checks():
    with pytest.raises(ValueError, match="in_features must be a positive integer"):
        Linear(0, 3)
    with pytest.raises(ValueError, match="out_features"):
        Linear(3, 2.5)
    with pytest.raises(ValueError, match="unknown init 'glorot'"):
        Linear(3, 2, init="glorot")
    with pytest.raises(ValueError, match="float32 or float64"):
        Linear(3, 2, dtype=np.float16)


def test_parameters_shapes_names_and_repr():
    layer = Linear(3, 4)
    assert layer.weight.shape == (4, 3) and layer.bias.shape == (4,)
    assert isinstance(layer.weight, Parameter)
    assert [name for name, _ in layer.named_parameters()] == ["weight", "bias"]
    assert repr(layer) == "Linear(in_features=3, out_features=4, bias=True)"
    no_bias = Linear(3, 4, bias=False)
    assert no_bias.bias is None
    assert [name for name, _ in no_bias.named_parameters()] == ["weight"]
    assert list(no_bias.state_dict()) == ["weight"]


def test_same_seed_same_layer_and_generator_is_shared():
    a, b = Linear(5, 3, random_state=7), Linear(5, 3, random_state=7)
    np.testing.assert_array_equal(a.weight.data, b.weight.data)
    np.testing.assert_array_equal(a.bias.data, b.bias.data)
    rng = np.random.default_rng(7)
    c, d = Linear(5, 3, random_state=rng), Linear(5, 3, random_state=rng)
    assert not np.array_equal(c.weight.data, d.weight.data)


def test_no_warnings_for_huge_inputs():
    layer = Linear(2, 2, random_state=0)
    with warnings.catch_warnings():
        warnings.simplefilter("error")
        layer(np.array([[1e150, -1e150]]))
        layer.backward(np.ones((1, 2)))


def test_backward_can_skip_the_input_gradient():
    rng = np.random.default_rng(5)
    x, g = rng.normal(size=(4, 3)), rng.normal(size=(4, 2))
    a, b = Linear(3, 2, random_state=5), Linear(3, 2, random_state=5)
    a(x)
    a.backward(g)
    b(x)
    assert b.backward(g, input_grad=False) is None
    np.testing.assert_array_equal(a.weight.grad, b.weight.grad)
    np.testing.assert_array_equal(a.bias.grad, b.bias.grad)


def test_gradient_handed_over_is_not_shared_with_a_later_backward():
    # The first backward's gradient becomes .grad without a copy; the second
    # adds into it. A caller's own array passed with the default copy=True
    # must never be aliased.
    layer = Linear(3, 2, random_state=1)
    x, g = np.ones((2, 3)), np.ones((2, 2))
    layer(x)
    layer.backward(g)
    first = layer.weight.grad
    layer.backward(g)
    assert layer.weight.grad is first
    np.testing.assert_array_equal(first, np.full((2, 3), 4.0))
    mine = np.ones((2, 3))
    layer.zero_grad()
    layer.weight.accumulate_grad(mine)
    layer.weight.accumulate_grad(mine)
    np.testing.assert_array_equal(mine, np.ones((2, 3)))
