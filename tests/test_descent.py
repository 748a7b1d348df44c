"""anncourse.descent, the reference of chapter 05, against independent oracles.

The oracles: the course's own batching (``iterate_minibatches``), PyTorch's
``DataLoader`` and ``torch.optim.SGD`` with autograd, the closed form
``(1 - lr*a)**t * w0`` and a plain simulation of the iterates.
"""
from __future__ import annotations

import math

import numpy as np
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from anncourse import descent
from anncourse.data import iterate_minibatches


@given(n=st.integers(0, 5000), batch_size=st.integers(1, 600), drop_last=st.booleans())
def test_iterations_per_epoch_counts_the_batches_of_an_epoch(n, batch_size, drop_last):
    X = np.zeros((n, 1))
    batches = list(iterate_minibatches(X, np.zeros(n), batch_size, shuffle=False, drop_last=drop_last))
    assert descent.iterations_per_epoch(n, batch_size, drop_last=drop_last) == len(batches)
    if not drop_last:
        assert len(descent.make_batches(np.arange(n), batch_size)) == len(batches)


@settings(max_examples=40, deadline=None)
@given(n=st.integers(1, 300), batch_size=st.integers(1, 64), drop_last=st.booleans())
def test_iterations_per_epoch_is_the_length_of_a_torch_dataloader(n, batch_size, drop_last):
    import torch
    from torch.utils.data import DataLoader, TensorDataset

    loader = DataLoader(TensorDataset(torch.zeros(n, 1)), batch_size=batch_size, shuffle=True,
                        drop_last=drop_last)
    assert descent.iterations_per_epoch(n, batch_size, drop_last) == len(loader)


def test_iterations_per_epoch_is_exact_for_huge_n():
    # math.ceil(n / b) rounds here; the reference does not.
    n = 10**17 + 1
    assert descent.iterations_per_epoch(n, 10) == 10**16 + 1
    assert math.ceil(n / 10) != 10**16 + 1


@pytest.mark.parametrize("bad, error", [((10.0, 2), TypeError), ((10, 0), ValueError),
                                        ((-1, 2), ValueError), ((True, 2), TypeError)])
def test_iterations_per_epoch_rejects_bad_counts(bad, error):
    with pytest.raises(error, match="n|batch_size"):
        descent.iterations_per_epoch(*bad)


@given(order=st.permutations(list(range(23))), batch_size=st.integers(1, 30))
def test_make_batches_keeps_the_order_and_only_the_last_batch_is_smaller(order, batch_size):
    batches = descent.make_batches(order, batch_size)
    assert np.concatenate(batches).tolist() == list(order)
    assert all(len(b) == batch_size for b in batches[:-1])
    assert 1 <= len(batches[-1]) <= batch_size


def test_make_batches_rejects_what_is_not_an_order():
    with pytest.raises(TypeError, match="integer indices"):
        descent.make_batches([0.5, 1.5], 1)
    with pytest.raises(ValueError, match="batch_size"):
        descent.make_batches([0, 1], 0)


def test_mse_linear_grad_matches_central_differences():
    rng = np.random.default_rng(0)
    X, y, w, b = rng.normal(size=(9, 3)), rng.normal(size=9), rng.normal(size=3), 0.3
    grad_w, grad_b = descent.mse_linear_grad(X, y, w, b)
    h = 1e-6
    numeric_w = [(descent.mse_linear(X, y, w + h * e, b) - descent.mse_linear(X, y, w - h * e, b))
                 / (2 * h) for e in np.eye(3)]
    numeric_b = (descent.mse_linear(X, y, w, b + h) - descent.mse_linear(X, y, w, b - h)) / (2 * h)
    # Central differences of a quadratic are exact up to rounding: about 1e-16 / 1e-6.
    np.testing.assert_allclose(grad_w, numeric_w, rtol=1e-7, atol=1e-9)
    assert abs(grad_b - numeric_b) < 1e-8


@settings(max_examples=25, deadline=None)
@given(seed=st.integers(0, 2**32 - 1), n=st.integers(1, 30), d=st.integers(1, 4),
       batch_size=st.integers(1, 12))
def test_minibatch_gd_linear_matches_torch_sgd_on_the_same_batches(seed, n, d, batch_size):
    import torch

    rng = np.random.default_rng(seed)
    X, y = rng.normal(size=(n, d)), rng.normal(size=n)
    w0, b0, lr = rng.normal(size=d), float(rng.normal()), 0.05
    batches = descent.make_batches(rng.permutation(n), batch_size)
    w, b = descent.minibatch_gd_linear(X, y, w0, b0, lr, batches)

    model = torch.nn.Linear(d, 1, dtype=torch.float64)
    with torch.no_grad():
        model.weight.copy_(torch.tensor(w0).reshape(1, d))
        model.bias.fill_(b0)
    optimizer = torch.optim.SGD(model.parameters(), lr=lr)
    Xt, yt = torch.tensor(X), torch.tensor(y)
    for batch in batches:
        optimizer.zero_grad()
        torch.nn.functional.mse_loss(model(Xt[batch]).squeeze(1), yt[batch]).backward()
        optimizer.step()
    # float64 on both sides, the same operations in a different order: 1e-12 is many roundings.
    np.testing.assert_allclose(w, model.weight.detach().numpy().ravel(), rtol=1e-10, atol=1e-12)
    assert abs(b - float(model.bias.detach())) < 1e-10


def test_minibatch_gd_linear_leaves_its_arguments_alone_and_checks_them():
    w0 = np.array([1.0, 2.0])
    descent.minibatch_gd_linear(np.ones((2, 2)), np.zeros(2), w0, 0.0, 0.1, [[0, 1]])
    assert w0.tolist() == [1.0, 2.0]
    with pytest.raises(ValueError, match="one weight per feature"):
        descent.minibatch_gd_linear(np.ones((2, 2)), np.zeros(2), [1.0], 0.0, 0.1, [[0]])
    with pytest.raises(ValueError, match="empty"):
        descent.minibatch_gd_linear(np.ones((2, 2)), np.zeros(2), w0, 0.0, 0.1, [[0], []])


@given(a=st.floats(-3, 3), w0=st.floats(-5, 5), lr=st.floats(0, 1.5), steps=st.integers(0, 25))
def test_gd_on_quadratic_is_the_closed_form(a, w0, lr, steps):
    iterates = descent.gd_on_quadratic(a, w0, lr, steps)
    closed = w0 * (1 - lr * a) ** np.arange(steps + 1)
    # steps roundings of a product: rtol 1e-12 is far above 25 * 2**-53.
    np.testing.assert_allclose(iterates, closed, rtol=1e-12, atol=1e-300)


@given(a=st.floats(-5, 50), lr=st.floats(1e-3, 3.0))
def test_converges_agrees_with_a_simulation(a, lr):
    factor = abs(1 - lr * a)
    # Away from the limit, where 2000 steps decide: factor**2000 is < 1e-8 or > 1e8.
    if abs(factor - 1) < 1e-2:
        return
    w = descent.gd_on_quadratic(a, 1.0, lr, 2000)
    assert descent.converges(a, lr) == bool(abs(w[-1]) < 1e-8)


def test_converges_at_the_limit_and_without_a_minimum():
    assert descent.converges(4.0, 0.5) is False           # w flips between w0 and -w0
    assert descent.gd_on_quadratic(4.0, 1.0, 0.5, 4).tolist() == [1.0, -1.0, 1.0, -1.0, 1.0]
    assert descent.converges(0.0, 0.1) is False
    assert descent.converges(-1.0, 0.1) is False
    assert descent.converges(4.0, 0.4999) is True
