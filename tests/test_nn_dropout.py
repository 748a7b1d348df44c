"""nn.Dropout: inverted dropout's statistics, mask reuse, eval identity, torch."""
from __future__ import annotations

import math

import numpy as np
import pytest
import torch
from hypothesis import given, settings
from hypothesis import strategies as st

from anncourse.nn import Dropout

N = 200_000  # elements for the statistical tests


@pytest.mark.parametrize("p", [0.1, 0.5, 0.8])
def test_keeps_each_element_with_probability_one_minus_p(p):
    y = Dropout(p, random_state=0)(np.ones(N))
    kept = np.count_nonzero(y) / N
    # The kept fraction is a binomial proportion with standard error
    # sqrt(p (1 - p) / N) (at most 0.0011 here); allow five of them.
    assert abs(kept - (1 - p)) < 5 * math.sqrt(p * (1 - p) / N)
    # Kept elements are scaled by exactly 1 / (1 - p) (one rounding).
    np.testing.assert_allclose(np.unique(y), [0.0, 1 / (1 - p)], rtol=1e-15)


@pytest.mark.parametrize("p", [0.2, 0.5])
def test_expected_value_is_unchanged(p):
    x = np.random.default_rng(1).normal(loc=2.0, size=N)
    y = Dropout(p, random_state=1)(x)
    # E[y] = E[x]; y's standard deviation is at most sqrt(E[x^2] / (1 - p)).
    se = math.sqrt(np.mean(x**2) / (1 - p) / N)
    assert abs(y.mean() - x.mean()) < 5 * se


def test_backward_uses_the_forward_mask():
    drop = Dropout(0.5, random_state=3)
    x = np.random.default_rng(3).normal(size=(50, 40))
    y = drop(x)
    mask = y / x  # x has no zeros, so this recovers m / (1 - p)
    g = np.random.default_rng(4).normal(size=x.shape)
    np.testing.assert_allclose(drop.backward(g), g * mask, rtol=1e-15)
    # Calling backward again does not draw a new mask.
    np.testing.assert_array_equal(drop.backward(g), drop.backward(g))


@settings(max_examples=25, deadline=None)
@given(
    p=st.floats(0.0, 0.95),
    shape=st.tuples(st.integers(1, 8), st.integers(1, 8)),
    dtype=st.sampled_from([np.float64, np.float32]),
    seed=st.integers(0, 2**32 - 1),
)
def test_matches_torch_with_the_same_mask(p, shape, dtype, seed):
    rng = np.random.default_rng(seed)
    drop = Dropout(p, random_state=seed)
    x = rng.normal(size=shape).astype(dtype)
    g = rng.normal(size=shape).astype(dtype)
    y = drop(x)
    dx = drop.backward(g)
    assert y.dtype == dx.dtype == dtype
    # Recover the 0/1 mask and let torch apply it: torch's dropout is
    # x * mask / (1 - p), which we write out so that torch's autograd
    # computes the backward pass through the same mask.
    keep = torch.from_numpy(y != 0)
    xt = torch.tensor(x, requires_grad=True)
    yt = xt * keep / (1 - p)
    yt.backward(torch.from_numpy(g))
    # Scaling by 1 / (1 - p) vs dividing by (1 - p) differs by an ulp or two.
    rtol = 1e-14 if dtype == np.float64 else 1e-6
    np.testing.assert_allclose(y, yt.detach().numpy(), rtol=rtol)
    np.testing.assert_allclose(dx, xt.grad.numpy(), rtol=rtol)


def test_torch_keeps_the_same_fraction():
    # Not the same random numbers, but the same law: both keep ~1 - p.
    p = 0.3
    theirs = torch.nn.functional.dropout(torch.ones(N, dtype=torch.float64), p, training=True)
    ours = Dropout(p, random_state=5)(np.ones(N))
    assert abs(np.count_nonzero(ours) - torch.count_nonzero(theirs).item()) / N < 10 * math.sqrt(
        p * (1 - p) / N)
    assert np.unique(ours)[1] == pytest.approx(theirs.max().item(), rel=1e-15)


def test_identity_in_eval_mode():
    drop = Dropout(0.9, random_state=0).eval()
    x = np.random.default_rng(0).normal(size=(4, 4))
    assert drop(x) is x
    g = np.ones((4, 4))
    np.testing.assert_array_equal(drop.backward(g), g)
    drop.train()
    assert np.count_nonzero(drop(x)) < x.size


def test_p_zero_keeps_everything():
    x = np.random.default_rng(0).normal(size=(10, 10))
    np.testing.assert_array_equal(Dropout(0.0, random_state=0)(x), x)


def test_same_seed_same_masks():
    x = np.ones((20, 20))
    a, b = Dropout(0.5, random_state=9), Dropout(0.5, random_state=9)
    for _ in range(3):
        np.testing.assert_array_equal(a(x), b(x))
    c = Dropout(0.5, random_state=9)
    assert not np.array_equal(c(x), c(x))  # a new mask on every call


@pytest.mark.parametrize("p", [-0.1, 1.0, 1.5, float("nan")])
def test_p_is_validated(p):
    with pytest.raises(ValueError, match=r"must be in \[0, 1\)"):
        Dropout(p)


def test_p_must_be_a_number():
    with pytest.raises(TypeError, match="p must be a single real number"):
        Dropout("half")


def test_backward_before_forward_and_repr():
    with pytest.raises(RuntimeError, match="before forward"):
        Dropout().backward(np.ones(3))
    assert repr(Dropout(0.25)) == "Dropout(p=0.25)"
    assert list(Dropout().parameters()) == []
