"""Tests for anncourse.losses.

Three kinds of evidence that the losses are right:

1. Oracles: PyTorch (and scikit-learn where it has the same loss) compute
   the same numbers, on random inputs drawn by hypothesis. Gradients are
   compared with torch autograd in float64.
2. Finite differences: every gradient agrees with central differences of
   the loss it claims to differentiate.
3. Hand-checked cases: the syllabus's worked examples, the clamps at
   p = 0 and p = 1, zeros in KL, error messages, dtypes.

Tolerances
----------
ORACLE (rtol 1e-10): both sides evaluate the same formula in float64 and
differ only in rounding and in the order of summation. For sums of
non-negative terms that gives a relative difference of a few times
n * 2.2e-16 (n <= 125 elements here), far below 1e-10; 1e-10 still catches
any real mistake (a wrong factor, sign or clamp).

FINITE_DIFF (rtol 1e-6, atol 1e-6): a central difference with step h has
truncation error h^2/6 * |f'''| and rounding error about eps * |L| / h.
With h = 1e-6, inputs bounded by 5 and losses below about 100, both are
below 1e-7.
"""

import math
import subprocess
import sys
import warnings

import numpy as np
import pytest
import torch
import torch.nn.functional as F
from hypothesis import given, settings
from hypothesis import strategies as st
from hypothesis.extra.numpy import array_shapes, arrays
from sklearn import metrics

import anncourse.losses
from anncourse.losses import (
    binary_cross_entropy,
    binary_cross_entropy_grad,
    binary_cross_entropy_with_logits,
    binary_cross_entropy_with_logits_grad,
    cross_entropy_with_logits,
    cross_entropy_with_logits_grad,
    categorical_cross_entropy,
    categorical_cross_entropy_grad,
    hinge,
    hinge_grad,
    huber,
    huber_grad,
    kl_divergence,
    kl_divergence_grad,
    mae,
    mae_grad,
    mse,
    mse_grad,
)

ORACLE = dict(rtol=1e-10, atol=0)
FINITE_DIFF = dict(rtol=1e-6, atol=1e-6)
FD_STEP = 1e-6
# For CCE and KL a perturbed row sums to 1 +- h, and the loss accepts rows
# within 1e-6 of 1 only: the step must stay inside that tolerance.
FD_STEP_DISTRIBUTION = 1e-7

FAST = settings(max_examples=60, deadline=None)
SLOW = settings(max_examples=20, deadline=None)


# --------------------------------------------------------------------------
# Strategies and helpers
# --------------------------------------------------------------------------


def bounded_floats(low, high):
    return st.floats(low, high, allow_nan=False, allow_infinity=False)


@st.composite
def same_shape_pair(draw, first, second, min_dims=0):
    """Two float64 arrays of one random shape (0-D to 3-D, up to 5 per axis)."""
    shape = draw(array_shapes(min_dims=min_dims, max_dims=3, min_side=1, max_side=5))
    a = draw(arrays(np.float64, shape, elements=first))
    b = draw(arrays(np.float64, shape, elements=second))
    return a, b


@st.composite
def distributions(draw, ndim, logit_bound=20.0, zeros_in_first=False):
    """Two arrays of probability rows, (C,) or (n, C), via a NumPy softmax.

    Logits bounded by ``logit_bound`` keep every probability above
    exp(-2 * bound) / C, so torch's unclamped log is finite. With
    ``zeros_in_first`` some entries of the first array are set to 0 (and
    the row renormalised), to exercise 0 * log 0 terms.
    """
    n = draw(st.integers(1, 5))
    c = draw(st.integers(2, 5))
    shape = (c,) if ndim == 1 else (n, c)
    logits = st.floats(-logit_bound, logit_bound)
    first = _np_softmax(draw(arrays(np.float64, shape, elements=logits)))
    second = _np_softmax(draw(arrays(np.float64, shape, elements=logits)))
    if zeros_in_first:
        keep = draw(arrays(np.bool_, shape))
        keep[..., 0] = True  # at least one non-zero entry per row
        first = first * keep
        first = first / first.sum(axis=-1, keepdims=True)
    return first, second


def _np_softmax(z):
    e = np.exp(z - z.max(axis=-1, keepdims=True))
    return e / e.sum(axis=-1, keepdims=True)


@st.composite
def labels_and_scores(draw, min_dims=0):
    """Labels in {-1, +1} and scores, kept away from the hinge's kink.

    At 1 - y*s = 0 torch's clamp passes the gradient through (-y/n) while
    hinge_grad uses 0; both are valid subgradients, so that point is
    excluded from the oracle comparison and tested on its own.
    """
    shape = draw(array_shapes(min_dims=min_dims, max_dims=3, min_side=1, max_side=5))
    y = draw(arrays(np.float64, shape, elements=st.sampled_from([-1.0, 1.0])))
    s = draw(arrays(np.float64, shape, elements=bounded_floats(-5, 5)))
    s = np.where(np.abs(1 - y * s) < 1e-3, s + 0.25, s)
    return y, s


def torch_loss_and_grad(torch_loss, target, prediction):
    """Value of ``torch_loss(prediction, target)`` and its gradient, float64."""
    pred = torch.tensor(prediction, dtype=torch.float64, requires_grad=True)
    loss = torch_loss(pred, torch.tensor(target, dtype=torch.float64))
    loss.backward()
    return loss.item(), pred.grad.numpy()


def central_difference(loss, prediction, h=FD_STEP):
    """Numerical gradient of the scalar ``loss(prediction)``."""
    grad = np.zeros_like(prediction)
    for index in np.ndindex(prediction.shape):
        plus = prediction.copy()
        minus = prediction.copy()
        plus[index] += h
        minus[index] -= h
        grad[index] = (loss(plus) - loss(minus)) / (2 * h)
    return grad


def assert_no_warnings(fn, *args, **kwargs):
    """Call ``fn`` with every warning turned into an error."""
    with warnings.catch_warnings():
        warnings.simplefilter("error")
        return fn(*args, **kwargs)


# --------------------------------------------------------------------------
# Oracles: PyTorch and scikit-learn
# --------------------------------------------------------------------------


@FAST
@given(same_shape_pair(bounded_floats(-100, 100), bounded_floats(-100, 100)))
def test_mse_matches_torch(pair):
    y, y_hat = pair
    value, grad = torch_loss_and_grad(F.mse_loss, y, y_hat)
    np.testing.assert_allclose(mse(y, y_hat), value, **ORACLE)
    np.testing.assert_allclose(mse_grad(y, y_hat), grad, **ORACLE)


@FAST
@given(same_shape_pair(bounded_floats(-100, 100), bounded_floats(-100, 100)))
def test_mae_matches_torch(pair):
    # No kink to avoid: torch's l1_loss also uses sign(0) = 0.
    y, y_hat = pair
    value, grad = torch_loss_and_grad(F.l1_loss, y, y_hat)
    np.testing.assert_allclose(mae(y, y_hat), value, **ORACLE)
    np.testing.assert_allclose(mae_grad(y, y_hat), grad, **ORACLE)


@FAST
@given(
    same_shape_pair(bounded_floats(-10, 10), bounded_floats(-10, 10)),
    bounded_floats(0.01, 20),
)
def test_huber_matches_torch(pair, delta):
    # Huber is differentiable everywhere, so |e| = delta needs no exclusion.
    y, y_hat = pair

    def torch_huber(pred, target):
        return F.huber_loss(pred, target, delta=delta)

    value, grad = torch_loss_and_grad(torch_huber, y, y_hat)
    np.testing.assert_allclose(huber(y, y_hat, delta), value, **ORACLE)
    np.testing.assert_allclose(huber_grad(y, y_hat, delta), grad, **ORACLE)


@FAST
@given(same_shape_pair(bounded_floats(0, 1), bounded_floats(0, 1)))
def test_binary_cross_entropy_matches_torch(pair):
    # p covers the closed interval [0, 1]: hypothesis draws 0 and 1 often,
    # and torch uses the same -100 log clamp and 1e-12 gradient floor.
    y, p = pair
    value, grad = torch_loss_and_grad(F.binary_cross_entropy, y, p)
    np.testing.assert_allclose(binary_cross_entropy(y, p), value, **ORACLE)
    np.testing.assert_allclose(binary_cross_entropy_grad(y, p), grad, **ORACLE)


def torch_cce(p, y):
    return -(y * torch.log(p)).sum(dim=-1).mean()


@FAST
@given(st.sampled_from([1, 2]).flatmap(lambda ndim: distributions(ndim)))
def test_categorical_cross_entropy_soft_targets_match_torch(pair):
    y, p = pair
    value, grad = torch_loss_and_grad(torch_cce, y, p)
    np.testing.assert_allclose(categorical_cross_entropy(y, p), value, **ORACLE)
    np.testing.assert_allclose(categorical_cross_entropy_grad(y, p), grad, **ORACLE)


@FAST
@given(distributions(ndim=2), st.data())
def test_categorical_cross_entropy_one_hot_matches_nll_loss(pair, data):
    _, p = pair
    n, c = p.shape
    labels = data.draw(arrays(np.int64, n, elements=st.integers(0, c - 1)))
    y = np.eye(c)[labels]
    p_torch = torch.tensor(p, requires_grad=True)
    expected = F.nll_loss(torch.log(p_torch), torch.tensor(labels))
    expected.backward()
    np.testing.assert_allclose(categorical_cross_entropy(y, p), expected.item(), **ORACLE)
    np.testing.assert_allclose(
        categorical_cross_entropy_grad(y, p), p_torch.grad.numpy(), **ORACLE
    )


@FAST
@given(labels_and_scores())
def test_hinge_matches_torch(pair):
    y, s = pair

    def torch_hinge(score, target):
        return torch.clamp(1 - target * score, min=0).mean()

    value, grad = torch_loss_and_grad(torch_hinge, y, s)
    np.testing.assert_allclose(hinge(y, s), value, **ORACLE)
    np.testing.assert_allclose(hinge_grad(y, s), grad, **ORACLE)


@FAST
@given(
    st.sampled_from([1, 2]).flatmap(
        lambda ndim: distributions(ndim, logit_bound=5.0, zeros_in_first=True)
    )
)
def test_kl_divergence_matches_torch(pair):
    # The KL terms have mixed signs and cancel when p is close to q, so a
    # relative tolerance alone could fail on a tiny divergence. Each term is
    # at most ~|log(p/q)| <= 20 in size here, so rounding is below
    # 5 terms * 20 * eps ~ 2e-14 in absolute terms: atol=1e-12 is safe.
    p, q = pair
    reduction = "sum" if p.ndim == 1 else "batchmean"
    q_torch = torch.tensor(q, requires_grad=True)
    expected = F.kl_div(torch.log(q_torch), torch.tensor(p), reduction=reduction)
    expected.backward()
    np.testing.assert_allclose(kl_divergence(p, q), expected.item(), rtol=1e-10, atol=1e-12)
    np.testing.assert_allclose(kl_divergence_grad(p, q), q_torch.grad.numpy(), **ORACLE)


@FAST
@given(same_shape_pair(bounded_floats(-100, 100), bounded_floats(-100, 100), min_dims=1))
def test_regression_losses_match_sklearn(pair):
    # For 2-D input sklearn averages each column, then the columns: with
    # equal column lengths that is the mean over all elements. It takes at
    # most 2-D input.
    y, y_hat = pair
    if y.ndim == 3:
        y, y_hat = y.reshape(y.shape[0], -1), y_hat.reshape(y.shape[0], -1)
    np.testing.assert_allclose(mse(y, y_hat), metrics.mean_squared_error(y, y_hat), **ORACLE)
    np.testing.assert_allclose(mae(y, y_hat), metrics.mean_absolute_error(y, y_hat), **ORACLE)


@FAST
@given(st.integers(1, 30).flatmap(lambda n: st.tuples(
    arrays(np.float64, n, elements=st.sampled_from([0.0, 1.0])),
    arrays(np.float64, n, elements=bounded_floats(1e-3, 1 - 1e-3)),
)))
def test_binary_cross_entropy_matches_sklearn_log_loss(pair):
    # sklearn clips p to [eps, 1 - eps] and takes log(1 - p) after rounding
    # 1 - p, which costs a relative accuracy of about eps / p (we use the
    # exact log1p). Keeping p in [1e-3, 1 - 1e-3] makes the clip a no-op and
    # that error below 1e-12, so the two must agree to rounding.
    y, p = pair
    expected = metrics.log_loss(y, p, labels=[0, 1])
    np.testing.assert_allclose(binary_cross_entropy(y, p), expected, **ORACLE)


@FAST
@given(distributions(ndim=2, logit_bound=10.0), st.data())
def test_categorical_cross_entropy_matches_sklearn_log_loss(pair, data):
    # sklearn clips p at eps = 2.2e-16; logits within +-10 keep every p
    # above exp(-20) / 5 = 4e-10, where that clip does nothing.
    _, p = pair
    n, c = p.shape
    labels = data.draw(arrays(np.int64, n, elements=st.integers(0, c - 1)))
    expected = metrics.log_loss(labels, p, labels=list(range(c)))
    np.testing.assert_allclose(categorical_cross_entropy(np.eye(c)[labels], p), expected, **ORACLE)


@FAST
@given(labels_and_scores(min_dims=1))
def test_hinge_matches_sklearn(pair):
    y, s = pair
    y, s = y.ravel(), s.ravel()
    # sklearn infers the classes from y_true and needs to see both of them.
    y[:1], s[:1] = -1.0, 0.5
    y = np.append(y, 1.0)
    s = np.append(s, 0.5)
    np.testing.assert_allclose(hinge(y, s), metrics.hinge_loss(y, s), **ORACLE)


# --------------------------------------------------------------------------
# Gradients against central finite differences
# --------------------------------------------------------------------------


@SLOW
@given(same_shape_pair(bounded_floats(-5, 5), bounded_floats(-5, 5)))
def test_mse_grad_matches_finite_differences(pair):
    y, y_hat = pair
    numerical = central_difference(lambda v: mse(y, v), y_hat)
    np.testing.assert_allclose(mse_grad(y, y_hat), numerical, **FINITE_DIFF)


@SLOW
@given(same_shape_pair(bounded_floats(-5, 5), bounded_floats(-5, 5)))
def test_mae_grad_matches_finite_differences(pair):
    y, y_hat = pair
    # Stay away from the kink e = 0, where the difference quotient would
    # straddle it.
    y_hat = np.where(np.abs(y - y_hat) < 1e-3, y_hat + 0.5, y_hat)
    numerical = central_difference(lambda v: mae(y, v), y_hat)
    np.testing.assert_allclose(mae_grad(y, y_hat), numerical, **FINITE_DIFF)


@SLOW
@given(
    same_shape_pair(bounded_floats(-5, 5), bounded_floats(-5, 5)),
    bounded_floats(0.1, 3),
)
def test_huber_grad_matches_finite_differences(pair, delta):
    y, y_hat = pair
    numerical = central_difference(lambda v: huber(y, v, delta), y_hat)
    np.testing.assert_allclose(huber_grad(y, y_hat, delta), numerical, **FINITE_DIFF)


@SLOW
@given(same_shape_pair(bounded_floats(0, 1), bounded_floats(0.05, 0.95)))
def test_binary_cross_entropy_grad_matches_finite_differences(pair):
    # p away from 0 and 1, where the 1e-12 floor is not active and the
    # gradient is the exact derivative.
    y, p = pair
    numerical = central_difference(lambda v: binary_cross_entropy(y, v), p)
    np.testing.assert_allclose(binary_cross_entropy_grad(y, p), numerical, **FINITE_DIFF)


@SLOW
@given(st.sampled_from([1, 2]).flatmap(lambda ndim: distributions(ndim, logit_bound=2.0)))
def test_categorical_cross_entropy_grad_matches_finite_differences(pair):
    y, p = pair
    numerical = central_difference(
        lambda v: categorical_cross_entropy(y, v), p, h=FD_STEP_DISTRIBUTION
    )
    np.testing.assert_allclose(categorical_cross_entropy_grad(y, p), numerical, **FINITE_DIFF)


@SLOW
@given(labels_and_scores())
def test_hinge_grad_matches_finite_differences(pair):
    # labels_and_scores keeps every margin at least 1e-3 from the kink.
    y, s = pair
    numerical = central_difference(lambda v: hinge(y, v), s)
    np.testing.assert_allclose(hinge_grad(y, s), numerical, **FINITE_DIFF)


@SLOW
@given(
    st.sampled_from([1, 2]).flatmap(
        lambda ndim: distributions(ndim, logit_bound=2.0, zeros_in_first=True)
    )
)
def test_kl_divergence_grad_matches_finite_differences(pair):
    p, q = pair
    numerical = central_difference(lambda v: kl_divergence(p, v), q, h=FD_STEP_DISTRIBUTION)
    np.testing.assert_allclose(kl_divergence_grad(p, q), numerical, **FINITE_DIFF)


# --------------------------------------------------------------------------
# The syllabus's worked examples
# --------------------------------------------------------------------------


def test_worked_example_mse():
    assert mse([3, 5], [2.5, 5.2]) == pytest.approx(0.145, rel=1e-12)


def test_worked_example_binary_cross_entropy_and_the_syllabus_typo():
    value = binary_cross_entropy([1, 0], [0.9, 0.2])
    assert value == pytest.approx(-(math.log(0.9) + math.log(0.8)) / 2, rel=1e-12)
    assert value == pytest.approx(0.16425, abs=1e-5)
    # The syllabus prints 0.216, which is wrong.
    assert abs(value - 0.216) > 0.05


def test_worked_example_categorical_cross_entropy():
    value = categorical_cross_entropy([0, 1, 0], [0.1, 0.7, 0.2])
    assert value == pytest.approx(-math.log(0.7), rel=1e-12)
    assert value == pytest.approx(0.3567, abs=1e-4)


def test_worked_example_huber():
    assert huber(3, 5, delta=1) == 1.5


def test_worked_example_kl_divergence_and_the_syllabus_typo():
    value = kl_divergence([0.5, 0.3, 0.2], [0.4, 0.4, 0.2])
    expected = 0.5 * math.log(0.5 / 0.4) + 0.3 * math.log(0.3 / 0.4)
    assert value == pytest.approx(expected, rel=1e-12)
    assert value == pytest.approx(0.0253, abs=1e-4)
    # The syllabus prints 0.061. That is not the value in nats, bits or
    # decimal digits (0.0253, 0.0365, 0.0110).
    for base in (math.e, 2, 10):
        assert abs(value / math.log(base) - 0.061) > 0.02


# --------------------------------------------------------------------------
# Clamps and zeros: finite values, no warnings
# --------------------------------------------------------------------------


def test_binary_cross_entropy_at_exact_zero_and_one():
    assert assert_no_warnings(binary_cross_entropy, [1, 0], [1.0, 0.0]) == 0.0
    assert assert_no_warnings(binary_cross_entropy, [1, 0], [0.0, 1.0]) == 100.0
    assert assert_no_warnings(binary_cross_entropy, [1, 0], [0.0, 0.0]) == 50.0
    # Soft label against a certain prediction: 0.3 * 100 from the clamp.
    assert assert_no_warnings(binary_cross_entropy, [0.3], [0.0]) == pytest.approx(30.0)


def test_binary_cross_entropy_grad_at_exact_zero_and_one():
    grad = assert_no_warnings(binary_cross_entropy_grad, [1, 0, 1, 0], [0.0, 1.0, 1.0, 0.0])
    # (p - y) / max(p (1 - p), 1e-12) / n, with n = 4 and PyTorch's 1e-12,
    # which is float32(1e-12) = 9.999999960041972e-13.
    epsilon = float(np.float32(1e-12))
    np.testing.assert_array_equal(grad, [-1 / epsilon / 4, 1 / epsilon / 4, 0.0, 0.0])
    assert grad[0] == pytest.approx(-0.25e12, rel=1e-8)


def test_categorical_cross_entropy_with_zero_probabilities():
    assert assert_no_warnings(categorical_cross_entropy, [0, 1, 0], [0.0, 1.0, 0.0]) == 0.0
    assert assert_no_warnings(categorical_cross_entropy, [1, 0, 0], [0.0, 1.0, 0.0]) == 100.0


def test_categorical_cross_entropy_grad_clamp_is_the_slope_at_the_clamp_edge():
    # Chosen convention: p is floored at e^-100, where the log clamp starts,
    # so the gradient at p = 0 equals the exact gradient at p = e^-100.
    y = np.array([[1.0, 0.0], [0.0, 1.0]])
    at_zero = assert_no_warnings(categorical_cross_entropy_grad, y, [[0.0, 1.0], [0.0, 1.0]])
    edge = math.exp(-100)
    at_edge = categorical_cross_entropy_grad(y, [[edge, 1 - edge], [edge, 1 - edge]])
    np.testing.assert_array_equal(at_zero, at_edge)
    assert at_zero[0, 0] == pytest.approx(-math.exp(100) / 2, rel=1e-12)
    assert np.all(np.isfinite(at_zero))
    # y = 0 gives exactly 0, even where p = 0.
    assert at_zero[1, 0] == 0.0
    # Above the floor the gradient is the exact -y / p / n.
    assert categorical_cross_entropy_grad([1.0, 0.0], [1e-40, 1.0])[0] == -1e40


def test_categorical_cross_entropy_grad_clamp_is_finite_in_float32():
    grad = assert_no_warnings(
        categorical_cross_entropy_grad,
        np.array([1.0, 0.0], np.float32),
        np.array([0.0, 1.0], np.float32),
    )
    assert grad.dtype == np.float32
    assert np.all(np.isfinite(grad))
    assert grad[0] == pytest.approx(-1 / np.finfo(np.float32).tiny, rel=1e-6)


def test_kl_divergence_zero_entries_of_p_contribute_nothing():
    # 0 * log(0 / q) = 0, even for q = 0.
    value = assert_no_warnings(kl_divergence, [0.5, 0.5, 0.0], [0.5, 0.25, 0.25])
    assert value == pytest.approx(0.5 * math.log(2))
    assert assert_no_warnings(kl_divergence, [1.0, 0.0], [1.0, 0.0]) == 0.0
    grad = assert_no_warnings(kl_divergence_grad, [1.0, 0.0], [1.0, 0.0])
    np.testing.assert_array_equal(grad, [-1.0, 0.0])


def test_kl_divergence_is_inf_where_q_is_zero_under_p():
    assert assert_no_warnings(kl_divergence, [0.5, 0.5], [1.0, 0.0]) == np.inf
    assert assert_no_warnings(kl_divergence, [[0.5, 0.5], [1, 0]], [[1.0, 0.0], [1, 0]]) == np.inf
    grad = assert_no_warnings(kl_divergence_grad, [0.5, 0.5], [1.0, 0.0])
    np.testing.assert_array_equal(grad, [-0.5, -np.inf])


def test_kl_divergence_with_a_subnormal_q_does_not_overflow():
    # p / q would overflow here; log p - log q does not.
    q = [1 - 1e-320, 1e-320]
    value = assert_no_warnings(kl_divergence, [0.5, 0.5], q)
    assert np.isfinite(value)
    assert value == pytest.approx(0.5 * math.log(0.5) + 0.5 * (math.log(0.5) - math.log(1e-320)))


def test_hinge_grad_at_the_kink_is_zero():
    # Margin exactly 1: the documented subgradient is 0.
    np.testing.assert_array_equal(hinge_grad([1, -1], [1.0, -1.0]), [0.0, 0.0])


def test_mae_grad_at_zero_error_is_zero():
    np.testing.assert_array_equal(mae_grad([1.0, 2.0], [1.0, 3.0]), [0.0, 0.5])


# --------------------------------------------------------------------------
# Logits losses and reductions, against PyTorch
# --------------------------------------------------------------------------

REDUCTIONS = ["mean", "sum", "none"]


def _torch_value_and_grad(loss_fn, x, *rest, reduction, **kwargs):
    """``loss_fn(x, *rest, reduction=...)`` in torch, and d(sum of it)/dx.

    For ``"none"`` the gradient of the sum is each element's own
    derivative, which is what our ``*_grad(..., reduction="none")`` returns.
    """
    xt = torch.tensor(x, dtype=torch.float64, requires_grad=True)
    value = loss_fn(xt, *rest, reduction=reduction, **kwargs)
    value.sum().backward()
    return value.detach().numpy(), xt.grad.numpy()


@FAST
@given(same_shape_pair(bounded_floats(0, 1), bounded_floats(-1000, 1000), min_dims=1),
       st.sampled_from(REDUCTIONS))
def test_binary_cross_entropy_with_logits_matches_torch(pair, reduction):
    y, z = pair
    value_t, grad_t = _torch_value_and_grad(F.binary_cross_entropy_with_logits, z,
                                            torch.tensor(y), reduction=reduction)
    value = assert_no_warnings(binary_cross_entropy_with_logits, y, z, reduction=reduction)
    grad = assert_no_warnings(binary_cross_entropy_with_logits_grad, y, z, reduction=reduction)
    # Each term is max(z, 0) - z*y + log1p(exp(-|z|)) in both libraries: the
    # difference is rounding, relative to terms of size up to 1000 (atol).
    np.testing.assert_allclose(value, value_t, rtol=1e-10, atol=1e-10)
    np.testing.assert_allclose(grad, grad_t, rtol=1e-10, atol=1e-15)


@st.composite
def labels_and_logits(draw):
    n, c = draw(st.integers(1, 6)), draw(st.integers(1, 5))
    scale = draw(st.sampled_from([1.0, 30.0, 1000.0]))
    z = draw(arrays(np.float64, (n, c), elements=bounded_floats(-1, 1))) * scale
    t = draw(arrays(np.int64, (n,), elements=st.integers(0, c - 1)))
    return t, z


@FAST
@given(labels_and_logits(), st.sampled_from(REDUCTIONS))
def test_cross_entropy_with_logits_matches_torch(pair, reduction):
    t, z = pair
    value_t, grad_t = _torch_value_and_grad(F.cross_entropy, z, torch.from_numpy(t),
                                            reduction=reduction)
    value = assert_no_warnings(cross_entropy_with_logits, t, z, reduction=reduction)
    grad = assert_no_warnings(cross_entropy_with_logits_grad, t, z, reduction=reduction)
    # log-sum-exp of logits up to 1000: rounding relative to 1000 (atol).
    np.testing.assert_allclose(value, value_t, rtol=1e-10, atol=1e-10)
    np.testing.assert_allclose(grad, grad_t, rtol=1e-10, atol=1e-15)


def test_cross_entropy_with_logits_of_one_sample_is_a_batch_of_one():
    z = np.array([2.0, -1.0, 0.5])
    assert cross_entropy_with_logits(2, z) == cross_entropy_with_logits([2], z[None])
    np.testing.assert_array_equal(cross_entropy_with_logits_grad(2, z),
                                  cross_entropy_with_logits_grad([2], z[None])[0])


def test_logits_losses_at_plus_minus_1000_are_exact():
    """The naive forms give inf or nan here; log-sum-exp gives the true values."""
    z = np.array([1000.0, -1000.0, 1000.0, -1000.0])
    y = np.array([1.0, 0.0, 0.0, 1.0])
    per = assert_no_warnings(binary_cross_entropy_with_logits, y, z, reduction="none")
    np.testing.assert_array_equal(per, [0.0, 0.0, 1000.0, 1000.0])
    logits = np.array([[1000.0, -1000.0, 0.0], [1000.0, 1000.0, -1000.0]])
    per = assert_no_warnings(cross_entropy_with_logits, [1, 0], logits, reduction="none")
    np.testing.assert_allclose(per, [2000.0, math.log(2)], rtol=1e-15)


def test_cross_entropy_with_logits_errors():
    with pytest.raises(TypeError, match="integer class indices, but have dtype float64"):
        cross_entropy_with_logits([0.0, 1.0], np.zeros((2, 3)))
    with pytest.raises(ValueError, match=r"shape \(2,\), for logits of shape \(2, 3\)"):
        cross_entropy_with_logits([0, 1, 2], np.zeros((2, 3)))
    with pytest.raises(ValueError, match="class 3, but logits have classes 0 .. 2"):
        cross_entropy_with_logits_grad([0, 3], np.zeros((2, 3)))
    with pytest.raises(ValueError, match=r"shape \(n, C\) or \(C,\)"):
        cross_entropy_with_logits([[0]], np.zeros((1, 1, 2)))


# Each elementwise loss against torch.nn.functional, for every reduction.
TORCH_FUNCTIONAL = [
    (mse, mse_grad, F.mse_loss, bounded_floats(-10, 10), bounded_floats(-10, 10), {}),
    (mae, mae_grad, F.l1_loss, bounded_floats(-10, 10), bounded_floats(-10, 10), {}),
    (huber, huber_grad, F.huber_loss, bounded_floats(-10, 10), bounded_floats(-10, 10),
     {"delta": 0.7}),
    (binary_cross_entropy, binary_cross_entropy_grad, F.binary_cross_entropy,
     st.sampled_from([0.0, 1.0]), bounded_floats(0.01, 0.99), {}),
]


@pytest.mark.parametrize("fn, grad_fn, torch_fn, targets, predictions, kwargs", TORCH_FUNCTIONAL,
                         ids=[c[0].__name__ for c in TORCH_FUNCTIONAL])
@pytest.mark.parametrize("reduction", REDUCTIONS)
@SLOW
@given(data=st.data())
def test_every_reduction_matches_torch(fn, grad_fn, torch_fn, targets, predictions, kwargs,
                                       reduction, data):
    y, x = data.draw(same_shape_pair(targets, predictions, min_dims=1))
    # At an error of exactly 0 both libraries take sign(0) = 0 for L1.
    value_t, grad_t = _torch_value_and_grad(torch_fn, x, torch.tensor(y), reduction=reduction,
                                            **kwargs)
    np.testing.assert_allclose(fn(y, x, reduction=reduction, **kwargs), value_t, **ORACLE)
    np.testing.assert_allclose(grad_fn(y, x, reduction=reduction, **kwargs), grad_t, rtol=1e-10,
                               atol=1e-300)


# --------------------------------------------------------------------------
# Batches, single samples, lists and dtypes
# --------------------------------------------------------------------------


def test_batch_is_the_mean_of_single_samples():
    y = np.array([[0.0, 1.0, 0.0], [0.2, 0.3, 0.5]])
    p = np.array([[0.1, 0.7, 0.2], [0.3, 0.3, 0.4]])
    rows_cce = [categorical_cross_entropy(y[i], p[i]) for i in range(2)]
    rows_kl = [kl_divergence(y[i], p[i]) for i in range(2)]
    assert categorical_cross_entropy(y, p) == pytest.approx(np.mean(rows_cce))
    assert kl_divergence(y, p) == pytest.approx(np.mean(rows_kl))
    # A single sample has n = 1: its gradient is not divided by anything.
    np.testing.assert_allclose(categorical_cross_entropy_grad(y[0], p[0]), [0, -1 / 0.7, 0])
    np.testing.assert_allclose(kl_divergence_grad(y[1], p[1]), -y[1] / p[1])
    np.testing.assert_allclose(kl_divergence_grad(y, p), -y / p / 2)


ALL_PAIRS = [
    (mse, [3.0, 5.0], [2.5, 5.2]),
    (mse_grad, [3.0, 5.0], [2.5, 5.2]),
    (mae, [3.0, 5.0], [2.5, 5.2]),
    (mae_grad, [3.0, 5.0], [2.5, 5.2]),
    (huber, [3.0, 5.0], [2.5, 7.2]),
    (huber_grad, [3.0, 5.0], [2.5, 7.2]),
    (binary_cross_entropy, [1.0, 0.0], [0.9, 0.2]),
    (binary_cross_entropy_grad, [1.0, 0.0], [0.9, 0.2]),
    (categorical_cross_entropy, [[0.0, 1.0], [1.0, 0.0]], [[0.25, 0.75], [0.5, 0.5]]),
    (categorical_cross_entropy_grad, [[0.0, 1.0], [1.0, 0.0]], [[0.25, 0.75], [0.5, 0.5]]),
    (hinge, [1.0, -1.0], [0.5, 0.25]),
    (hinge_grad, [1.0, -1.0], [0.5, 0.25]),
    (kl_divergence, [0.5, 0.5], [0.25, 0.75]),
    (kl_divergence_grad, [0.5, 0.5], [0.25, 0.75]),
    (binary_cross_entropy_with_logits, [1.0, 0.0], [2.0, -0.5]),
    (binary_cross_entropy_with_logits_grad, [1.0, 0.0], [2.0, -0.5]),
]
ALL_IDS = [case[0].__name__ for case in ALL_PAIRS]
LOSSES = [case for case in ALL_PAIRS if not case[0].__name__.endswith("_grad")]
GRADS = [case for case in ALL_PAIRS if case[0].__name__.endswith("_grad")]


@pytest.mark.parametrize("fn, target, prediction", ALL_PAIRS, ids=ALL_IDS)
def test_lists_and_arrays_give_the_same_result(fn, target, prediction):
    np.testing.assert_array_equal(fn(target, prediction), fn(np.array(target), np.array(prediction)))


@pytest.mark.parametrize("fn, target, prediction", LOSSES, ids=[c[0].__name__ for c in LOSSES])
def test_losses_return_a_numpy_scalar_of_the_prediction_dtype(fn, target, prediction):
    value64 = fn(target, prediction)
    assert isinstance(value64, np.floating) and value64.dtype == np.float64
    value32 = fn(np.array(target, np.float32), np.array(prediction, np.float32))
    assert isinstance(value32, np.floating) and value32.dtype == np.float32
    # float32 keeps about 7 significant digits.
    assert float(value32) == pytest.approx(float(value64), rel=1e-5)
    # Integer or float64 targets do not promote a float32 prediction.
    value_mixed = fn(np.array(target, np.float64), np.array(prediction, np.float32))
    assert value_mixed.dtype == np.float32


@pytest.mark.parametrize("fn, target, prediction", GRADS, ids=[c[0].__name__ for c in GRADS])
def test_grads_have_the_shape_and_dtype_of_the_prediction(fn, target, prediction):
    grad64 = fn(target, prediction)
    assert grad64.shape == np.shape(prediction) and grad64.dtype == np.float64
    grad32 = fn(np.array(target, np.float32), np.array(prediction, np.float32))
    assert grad32.shape == np.shape(prediction) and grad32.dtype == np.float32
    np.testing.assert_allclose(grad32, grad64, rtol=1e-5)


def test_integer_inputs_compute_in_float64():
    assert mse([1, 2], [2, 2]).dtype == np.float64
    assert mse_grad(np.array([1, 2]), np.array([2, 2], np.int32)).dtype == np.float64


def test_float32_huber_delta_does_not_promote():
    y = np.array([0.0, 3.0], np.float32)
    assert huber(y, y + 1, delta=np.float64(0.5)).dtype == np.float32
    assert huber_grad(y, y + 1, delta=np.float64(0.5)).dtype == np.float32


def test_zero_dimensional_inputs_are_one_element():
    assert mse(3.0, 5.0) == 4.0
    assert mse_grad(3.0, 5.0) == 4.0
    assert hinge(1, -1.0) == 2.0


@pytest.mark.parametrize("fn, target, prediction", ALL_PAIRS, ids=ALL_IDS)
def test_sum_and_none_agree_with_mean(fn, target, prediction):
    mean = fn(target, prediction)
    total = fn(target, prediction, reduction="sum")
    per = fn(target, prediction, reduction="none")
    if fn.__name__.endswith("_grad"):
        np.testing.assert_allclose(total, per)
        # The distribution losses average over rows (a 1-D input is one row),
        # the others over elements.
        if fn.__name__.startswith(("categorical", "kl")):
            n = len(prediction) if np.ndim(prediction) == 2 else 1
        else:
            n = np.size(prediction)
        np.testing.assert_allclose(mean, per / n, rtol=1e-15)
    else:
        np.testing.assert_allclose(total, np.sum(per), rtol=1e-15)
        np.testing.assert_allclose(mean, np.mean(per), rtol=1e-15)


@pytest.mark.parametrize("fn, target, prediction",
                         ALL_PAIRS + [(cross_entropy_with_logits, [0], [[0.0, 1.0]])],
                         ids=ALL_IDS + ["cross_entropy_with_logits"])
def test_unknown_reduction_is_named(fn, target, prediction):
    with pytest.raises(ValueError, match=r"reduction must be one of \('mean', 'sum', 'none'\), "
                                         r"but got 'average'"):
        fn(target, prediction, reduction="average")


# --------------------------------------------------------------------------
# Error messages
# --------------------------------------------------------------------------


def test_shape_mismatch_message_names_both_shapes():
    with pytest.raises(ValueError, match=r"y_true has shape \(3,\) but y_pred has shape \(2,\)"):
        mse([1, 2, 3], [1, 2])


@pytest.mark.parametrize("fn", [case[0] for case in ALL_PAIRS], ids=ALL_IDS)
def test_every_function_rejects_mismatched_shapes(fn):
    with pytest.raises(ValueError, match=r"\(3,\).*\(2,\)"):
        fn([1.0, 0.0, 0.0], [0.5, 0.5])
    with pytest.raises(ValueError, match=r"\(2, 1\).*\(2,\)"):
        fn([[1.0], [0.0]], [0.5, 0.5])


@pytest.mark.parametrize("fn", [case[0] for case in ALL_PAIRS], ids=ALL_IDS)
def test_every_function_rejects_empty_input(fn):
    with pytest.raises(ValueError, match="empty"):
        fn([], [])


@pytest.mark.parametrize("fn", [case[0] for case in ALL_PAIRS], ids=ALL_IDS)
@pytest.mark.parametrize(
    "bad, dtype_name",
    [
        (np.array(["a", "b"]), "<U1"),
        (np.array([1, None], dtype=object), "object"),
        (np.array([1 + 1j, 0]), "complex128"),
    ],
)
def test_every_function_rejects_non_numeric_input(fn, bad, dtype_name):
    with pytest.raises(TypeError, match=dtype_name):
        fn([1.0, 0.0], bad)
    with pytest.raises(TypeError, match=dtype_name):
        fn(bad, [0.5, 0.5])


@pytest.mark.parametrize("fn", [binary_cross_entropy, binary_cross_entropy_grad])
def test_binary_cross_entropy_range_errors_name_the_argument(fn):
    with pytest.raises(ValueError, match=r"y_true must lie in \[0, 1\].*1\.5"):
        fn([1.5, 0.0], [0.5, 0.5])
    with pytest.raises(ValueError, match=r"p_pred must lie in \[0, 1\].*-0\.1"):
        fn([1.0, 0.0], [-0.1, 0.5])
    with pytest.raises(ValueError, match="p_pred contains NaN"):
        fn([1.0, 0.0], [np.nan, 0.5])


@pytest.mark.parametrize("fn", [categorical_cross_entropy, categorical_cross_entropy_grad])
def test_categorical_cross_entropy_checks_distributions(fn):
    with pytest.raises(ValueError, match=r"each row of p_pred must sum to 1.*0\.9"):
        fn([[0, 1], [1, 0]], [[0.5, 0.5], [0.5, 0.4]])
    with pytest.raises(ValueError, match=r"y_true_onehot must sum to 1"):
        fn([1, 1], [0.5, 0.5])
    with pytest.raises(ValueError, match=r"p_pred must lie in \[0, 1\]"):
        fn([0, 1], [-0.5, 1.5])
    with pytest.raises(ValueError, match=r"y_true_onehot must lie in \[0, 1\]"):
        fn([-1, 2], [0.5, 0.5])
    with pytest.raises(ValueError, match="1-D .* or 2-D"):
        fn(np.full((1, 1, 2), 0.5), np.full((1, 1, 2), 0.5))


def test_row_sum_tolerance_depends_on_dtype():
    p = np.array([0.5, 0.5 + 1e-5])
    with pytest.raises(ValueError, match="sum to 1"):
        categorical_cross_entropy([1.0, 0.0], p)
    # 1e-5 is within float32's tolerance (1e-4), which allows for float32
    # rounding in a softmax computed by the learner.
    categorical_cross_entropy([1.0, 0.0], p.astype(np.float32))


@pytest.mark.parametrize("fn", [kl_divergence, kl_divergence_grad])
def test_kl_divergence_checks_distributions(fn):
    with pytest.raises(ValueError, match=r"p must lie in \[0, 1\]"):
        fn([-0.5, 1.5], [0.5, 0.5])
    with pytest.raises(ValueError, match="q must sum to 1"):
        fn([0.5, 0.5], [0.5, 0.6])


@pytest.mark.parametrize("fn", [huber, huber_grad])
def test_huber_rejects_bad_delta(fn):
    for delta in (0, -1.0, np.nan, np.inf):
        with pytest.raises(ValueError, match="delta must be a positive"):
            fn([1.0], [2.0], delta=delta)
    for delta in ("1", [1.0, 2.0]):
        with pytest.raises(TypeError, match="delta"):
            fn([1.0], [2.0], delta=delta)


@pytest.mark.parametrize("fn", [hinge, hinge_grad])
def test_hinge_rejects_zero_one_labels_with_a_hint(fn):
    with pytest.raises(ValueError, match=r"-1/\+1.*0/1 labels.*2 \* y_true - 1"):
        fn([0, 1, 1], [0.5, -0.5, 2.0])
    with pytest.raises(ValueError, match=r"-1/\+1.*contains 2"):
        fn([-1, 2], [0.5, -0.5])


# --------------------------------------------------------------------------
# Packaging and documentation
# --------------------------------------------------------------------------


def test_importing_losses_does_not_import_torch_or_matplotlib():
    code = (
        "import sys, anncourse.losses; "
        "assert 'torch' not in sys.modules and 'matplotlib' not in sys.modules"
    )
    subprocess.run([sys.executable, "-c", code], check=True)


def test_every_public_function_has_a_complete_docstring():
    for name in anncourse.losses.__all__:
        doc = getattr(anncourse.losses, name).__doc__
        for section in ("Parameters", "Returns", "Raises", "Examples"):
            assert section in doc, f"{name} lacks a {section} section"
