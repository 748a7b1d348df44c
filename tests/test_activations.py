"""Tests for anncourse.activations.

Values are compared with torch's functions and derivatives with torch
autograd, on inputs drawn by hypothesis; then the stability promises
(huge and infinite logits, no warnings) and the input rules are checked
by hand.

Tolerances
----------
Both sides evaluate the same formula in float64 and differ in rounding
only, by a few units in the last place: rtol=1e-12 leaves room for that.
Where a result is a difference of numbers close to 1 (``1 - tanh^2``,
``s * (1 - s)``, a log-softmax near 0), one ulp of difference in the inputs
is an *absolute* error of about 2.2e-16 in the output, hence the small
atol there. float32 is compared with rtol=1e-5 (float32 has ~7 digits)
and, by the same argument, atol=5e-7, a couple of float32 ulps of 1.
"""

import warnings

import numpy as np
import pytest
import torch
import torch.nn.functional as F
from hypothesis import given, settings
from hypothesis import strategies as st
from hypothesis.extra.numpy import array_shapes, arrays

import anncourse.activations
from anncourse.activations import (
    leaky_relu,
    leaky_relu_grad,
    log_softmax,
    relu,
    relu_grad,
    sigmoid,
    sigmoid_grad,
    softmax,
    tanh,
    tanh_grad,
)

CLOSE = dict(rtol=1e-12, atol=0)
CLOSE_NEAR_ONE = dict(rtol=1e-12, atol=1e-15)
CLOSE_FLOAT32 = dict(rtol=1e-5, atol=5e-7)

EXAMPLES = settings(max_examples=60, deadline=None)

finite_floats = st.floats(allow_nan=False, allow_infinity=False)


def z_arrays(low=-50.0, high=50.0, dtype=np.float64, min_dims=0):
    """Arrays of any shape (0-D to 3-D) with values in [low, high]."""
    return arrays(
        dtype,
        array_shapes(min_dims=min_dims, max_dims=3, min_side=1, max_side=5),
        elements=st.floats(low, high, width=np.dtype(dtype).itemsize * 8),
    )


def torch_value_and_derivative(torch_fn, z):
    """``torch_fn(z)`` and its elementwise derivative, via autograd."""
    z_torch = torch.tensor(z, requires_grad=True)
    out = torch_fn(z_torch)
    # Elementwise function: the vector-Jacobian product with ones is the
    # derivative of each output with respect to its own input.
    out.backward(torch.ones_like(out))
    return out.detach().numpy(), z_torch.grad.numpy()


def no_warnings(fn, *args, **kwargs):
    """Call ``fn`` with every warning turned into an error."""
    with warnings.catch_warnings():
        warnings.simplefilter("error")
        return fn(*args, **kwargs)


# --------------------------------------------------------------------------
# Oracle: PyTorch
# --------------------------------------------------------------------------

# (our function, our derivative, torch function, tolerance for the derivative)
ELEMENTWISE = [
    (sigmoid, sigmoid_grad, torch.sigmoid, CLOSE_NEAR_ONE),
    (tanh, tanh_grad, torch.tanh, CLOSE_NEAR_ONE),
    (relu, relu_grad, torch.relu, CLOSE),
]


@pytest.mark.parametrize(
    "fn, grad_fn, torch_fn, grad_tolerance", ELEMENTWISE, ids=["sigmoid", "tanh", "relu"]
)
@EXAMPLES
@given(z=z_arrays())
def test_elementwise_activations_match_torch(fn, grad_fn, torch_fn, grad_tolerance, z):
    # No kink to avoid: hypothesis often draws z = 0 exactly, and relu_grad
    # uses torch's value there (0).
    value, derivative = torch_value_and_derivative(torch_fn, z)
    np.testing.assert_allclose(fn(z), value, **CLOSE)
    np.testing.assert_allclose(grad_fn(z), derivative, **grad_tolerance)


@EXAMPLES
@given(z=z_arrays(), slope=st.floats(0, 1))
def test_leaky_relu_matches_torch(z, slope):
    # At z = 0 both use the slope on the left, negative_slope.
    value, derivative = torch_value_and_derivative(
        lambda t: F.leaky_relu(t, negative_slope=slope), z
    )
    np.testing.assert_allclose(leaky_relu(z, slope), value, **CLOSE)
    np.testing.assert_allclose(leaky_relu_grad(z, slope), derivative, **CLOSE)


@EXAMPLES
@given(z=z_arrays(low=-100, high=100, min_dims=1), data=st.data())
def test_softmax_and_log_softmax_match_torch(z, data):
    axis = data.draw(st.integers(-z.ndim, z.ndim - 1))
    z_torch = torch.tensor(z)
    np.testing.assert_allclose(softmax(z, axis), torch.softmax(z_torch, axis).numpy(), **CLOSE)
    # log-softmax entries are sums of terms up to ~200 in size, so rounding
    # is up to ~200 * eps in absolute terms; atol=1e-13 allows for it.
    np.testing.assert_allclose(
        log_softmax(z, axis),
        torch.log_softmax(z_torch, axis).numpy(),
        rtol=1e-12,
        atol=1e-13,
    )


@pytest.mark.parametrize(
    "fn, grad_fn, torch_fn, grad_tolerance", ELEMENTWISE, ids=["sigmoid", "tanh", "relu"]
)
@EXAMPLES
@given(z=z_arrays(dtype=np.float32))
def test_float32_is_preserved_and_matches_torch(fn, grad_fn, torch_fn, grad_tolerance, z):
    value, derivative = torch_value_and_derivative(torch_fn, z)
    assert fn(z).dtype == np.float32
    assert grad_fn(z).dtype == np.float32
    np.testing.assert_allclose(fn(z), value, **CLOSE_FLOAT32)
    np.testing.assert_allclose(grad_fn(z), derivative, **CLOSE_FLOAT32)


# --------------------------------------------------------------------------
# Stability: huge and infinite inputs, no warnings
# --------------------------------------------------------------------------


def test_sigmoid_at_huge_and_infinite_inputs():
    z = np.array([1e3, -1e3, 1e308, -1e308, np.inf, -np.inf])
    np.testing.assert_array_equal(no_warnings(sigmoid, z), [1, 0, 1, 0, 1, 0])
    np.testing.assert_array_equal(no_warnings(sigmoid_grad, z), [0, 0, 0, 0, 0, 0])
    np.testing.assert_array_equal(no_warnings(tanh, z), [1, -1, 1, -1, 1, -1])
    np.testing.assert_array_equal(no_warnings(tanh_grad, z), [0, 0, 0, 0, 0, 0])


def test_sigmoid_keeps_relative_accuracy_for_very_negative_inputs():
    # The two-branch form computes e / (1 + e) here instead of 1 - something.
    assert sigmoid(-700.0) == pytest.approx(np.exp(-700.0), rel=1e-12)


@EXAMPLES
@given(z=arrays(np.float64, array_shapes(max_dims=2, max_side=6), elements=finite_floats))
def test_no_warning_and_sensible_values_for_any_finite_input(z):
    s = no_warnings(sigmoid, z)
    assert np.all((s >= 0) & (s <= 1))
    # Symmetry sigma(-z) = 1 - sigma(z), up to rounding.
    np.testing.assert_allclose(no_warnings(sigmoid, -z), 1 - s, atol=1e-15)
    for fn in (sigmoid_grad, tanh, tanh_grad, relu, relu_grad, leaky_relu, leaky_relu_grad):
        assert not np.isnan(no_warnings(fn, z)).any()


@EXAMPLES
@given(z=arrays(np.float64, array_shapes(min_dims=1, max_dims=2, max_side=6), elements=finite_floats))
def test_softmax_rows_sum_to_one_for_any_finite_logits(z):
    p = no_warnings(softmax, z)
    assert np.all((p >= 0) & (p <= 1))
    # Each row is a sum of at most 6 rounded terms.
    np.testing.assert_allclose(p.sum(axis=-1), 1.0, rtol=0, atol=1e-15 * z.shape[-1])
    log_p = no_warnings(log_softmax, z)
    assert np.all(log_p <= 0) and not np.isnan(log_p).any()
    np.testing.assert_allclose(np.exp(log_p).sum(axis=-1), 1.0, atol=1e-15 * z.shape[-1])


def test_softmax_with_huge_logits():
    np.testing.assert_allclose(no_warnings(softmax, [1e3, 1e3 + np.log(3)]), [0.25, 0.75])
    np.testing.assert_array_equal(no_warnings(softmax, [1e308, 1e308]), [0.5, 0.5])
    np.testing.assert_array_equal(no_warnings(softmax, [1e308, -1e308]), [1.0, 0.0])
    np.testing.assert_array_equal(no_warnings(softmax, [-1e308, 0.0]), [0.0, 1.0])
    np.testing.assert_allclose(no_warnings(log_softmax, [0.0, 1e3]), [-1e3, 0.0])
    # The true value -2e308 is not representable: -inf is its rounding.
    np.testing.assert_array_equal(no_warnings(log_softmax, [1e308, -1e308]), [0.0, -np.inf])


def test_softmax_with_minus_infinity_entries():
    z = np.array([[-np.inf, 0.0, np.log(3)], [1.0, -np.inf, 1.0]])
    expected = np.array([[0.0, 0.25, 0.75], [0.5, 0.0, 0.5]])
    np.testing.assert_allclose(no_warnings(softmax, z), expected)
    with np.errstate(divide="ignore"):
        expected_log = np.log(expected)
    np.testing.assert_allclose(no_warnings(log_softmax, z), expected_log)
    np.testing.assert_allclose(softmax(z), torch.softmax(torch.tensor(z), -1).numpy())


def test_softmax_of_an_all_minus_infinity_row_is_nan_like_torch():
    # No defined value; NumPy's "invalid value" warning is allowed here.
    with np.errstate(invalid="ignore"):
        p = softmax([[-np.inf, -np.inf], [0.0, 0.0]])
    assert np.isnan(p[0]).all()
    np.testing.assert_array_equal(p[1], [0.5, 0.5])


def test_softmax_along_other_axes():
    z = np.arange(6.0).reshape(2, 3)
    np.testing.assert_allclose(softmax(z, axis=0).sum(axis=0), 1.0)
    np.testing.assert_allclose(softmax(z, axis=0), torch.softmax(torch.tensor(z), 0).numpy())
    with pytest.raises(ValueError):
        softmax(z, axis=2)


# --------------------------------------------------------------------------
# Kinks
# --------------------------------------------------------------------------


def test_relu_derivatives_at_zero_match_torch():
    z = np.array([-1.0, 0.0, 1.0])
    np.testing.assert_array_equal(relu_grad(z), [0.0, 0.0, 1.0])
    np.testing.assert_array_equal(leaky_relu_grad(z, 0.2), [0.2, 0.2, 1.0])
    _, torch_relu = torch_value_and_derivative(torch.relu, z)
    _, torch_leaky = torch_value_and_derivative(lambda t: F.leaky_relu(t, 0.2), z)
    np.testing.assert_array_equal(relu_grad(z), torch_relu)
    np.testing.assert_array_equal(leaky_relu_grad(z, 0.2), torch_leaky)


def test_derivatives_match_finite_differences_away_from_kinks():
    # Central differences with h = 1e-6: truncation h^2/6 * |f'''| < 1e-12,
    # rounding eps / h ~ 2e-10; 1e-8 covers both.
    z = np.array([-3.0, -0.5, 0.25, 2.0])
    h = 1e-6
    for fn, grad_fn in [
        (sigmoid, sigmoid_grad),
        (tanh, tanh_grad),
        (relu, relu_grad),
        (leaky_relu, leaky_relu_grad),
    ]:
        numerical = (fn(z + h) - fn(z - h)) / (2 * h)
        np.testing.assert_allclose(grad_fn(z), numerical, rtol=0, atol=1e-8)


# --------------------------------------------------------------------------
# Input rules: lists, dtypes, errors
# --------------------------------------------------------------------------

ALL_FUNCTIONS = [
    sigmoid,
    sigmoid_grad,
    tanh,
    tanh_grad,
    relu,
    relu_grad,
    leaky_relu,
    leaky_relu_grad,
    softmax,
    log_softmax,
]
ALL_IDS = [fn.__name__ for fn in ALL_FUNCTIONS]


@pytest.mark.parametrize("fn", ALL_FUNCTIONS, ids=ALL_IDS)
def test_lists_integers_and_dtypes(fn):
    z = [[-2, 0, 3], [1, 1, -1]]
    result = fn(z)
    assert isinstance(result, np.ndarray) and result.dtype == np.float64
    np.testing.assert_array_equal(result, fn(np.array(z, dtype=np.float64)))
    assert fn(np.array(z, dtype=np.float32)).dtype == np.float32
    assert fn(np.array(z, dtype=np.float32)).shape == (2, 3)


@pytest.mark.parametrize("fn", ALL_FUNCTIONS, ids=ALL_IDS)
@pytest.mark.parametrize(
    "bad, dtype_name",
    [
        (np.array(["a", "b"]), "<U1"),
        (np.array([1, None], dtype=object), "object"),
        (np.array([1 + 1j, 0]), "complex128"),
    ],
)
def test_non_numeric_input_is_a_type_error_naming_the_dtype(fn, bad, dtype_name):
    with pytest.raises(TypeError, match=f"z must hold real numbers.*{dtype_name}"):
        fn(bad)


@pytest.mark.parametrize("fn", ALL_FUNCTIONS, ids=ALL_IDS)
def test_empty_input_is_a_value_error(fn):
    with pytest.raises(ValueError, match="z is empty"):
        fn([])


@pytest.mark.parametrize("fn", [leaky_relu, leaky_relu_grad])
def test_leaky_relu_slope_must_be_a_number_and_keeps_float32(fn):
    with pytest.raises(TypeError, match="negative_slope"):
        fn([1.0], negative_slope="0.1")
    with pytest.raises(TypeError, match="negative_slope"):
        fn([1.0], negative_slope=[0.1, 0.2])
    z32 = np.array([-1.0, 1.0], np.float32)
    assert fn(z32, negative_slope=np.float64(0.1)).dtype == np.float32


def test_elementwise_functions_accept_scalars():
    assert sigmoid(0) == 0.5
    assert relu(-3) == 0.0
    assert np.shape(tanh_grad(0.0)) == ()


# --------------------------------------------------------------------------
# Documentation
# --------------------------------------------------------------------------


def test_every_public_function_has_a_complete_docstring():
    for name in anncourse.activations.__all__:
        doc = getattr(anncourse.activations, name).__doc__
        for section in ("Parameters", "Returns", "Raises", "Examples"):
            assert section in doc, f"{name} lacks a {section} section"
