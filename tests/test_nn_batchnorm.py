"""nn.BatchNorm1d against torch.nn.BatchNorm1d, including the running statistics."""
from __future__ import annotations

import re

import numpy as np
import pytest
import torch
from hypothesis import given, settings
from hypothesis import strategies as st

from anncourse.nn import BatchNorm1d

# float64: the two libraries sum the batch in different orders; the
# normalisation divides by a standard deviation that can be small (the
# inputs below have per-feature scales down to 0.1), which magnifies those
# 1e-16 differences a little, so rtol 1e-10 / atol 1e-11 is still generous.
# float32: the same effect at float32's 6e-8, with up to 16 samples summed:
# rtol / atol 1e-4.
TOL = {np.float64: dict(rtol=1e-10, atol=1e-11), np.float32: dict(rtol=1e-4, atol=1e-4)}
TORCH_DTYPE = {np.float64: torch.float64, np.float32: torch.float32}


def torch_twin(bn, dtype):
    twin = torch.nn.BatchNorm1d(bn.num_features, eps=bn.eps, momentum=bn.momentum, affine=bn.affine,
                                track_running_stats=bn.track_running_stats, dtype=TORCH_DTYPE[dtype])
    twin.load_state_dict({k: torch.from_numpy(np.asarray(v)) for k, v in bn.state_dict().items()})
    twin.train(bn.training)
    return twin


def random_batch(rng, n, c, dtype):
    # Features of different means and scales, as real data has.
    return (rng.normal(size=(n, c)) * rng.uniform(0.1, 5, size=c) + rng.normal(size=c) * 3).astype(dtype)


def step_and_compare(bn, twin, x, g, dtype):
    y = bn(x)
    dx = bn.backward(g)
    xt = torch.tensor(x, requires_grad=True)
    yt = twin(xt)
    yt.backward(torch.from_numpy(g))
    tol = TOL[dtype]
    assert y.dtype == dx.dtype == dtype
    np.testing.assert_allclose(y, yt.detach().numpy(), **tol)
    np.testing.assert_allclose(dx, xt.grad.numpy(), **tol)
    if bn.affine:
        np.testing.assert_allclose(bn.weight.grad, twin.weight.grad.numpy(), **tol)
        np.testing.assert_allclose(bn.bias.grad, twin.bias.grad.numpy(), **tol)
    if bn.track_running_stats:
        np.testing.assert_allclose(bn.running_mean, twin.running_mean.numpy(), **tol)
        np.testing.assert_allclose(bn.running_var, twin.running_var.numpy(), **tol)
        assert int(bn.num_batches_tracked) == twin.num_batches_tracked.item()


@settings(max_examples=30, deadline=None)
@given(
    n=st.integers(2, 16),
    c=st.integers(1, 6),
    momentum=st.sampled_from([0.1, 0.5, None]),
    affine=st.booleans(),
    track=st.booleans(),
    dtype=st.sampled_from([np.float64, np.float32]),
    seed=st.integers(0, 2**32 - 1),
)
def test_several_training_steps_then_eval_match_torch(n, c, momentum, affine, track, dtype, seed):
    rng = np.random.default_rng(seed)
    bn = BatchNorm1d(c, momentum=momentum, affine=affine, track_running_stats=track, dtype=dtype)
    if affine:
        # Move gamma and beta away from 1 and 0 so that they matter.
        bn.weight.data[...] = rng.uniform(0.5, 2, size=c)
        bn.bias.data[...] = rng.normal(size=c)
    twin = torch_twin(bn, dtype)
    for _ in range(4):
        bn.zero_grad()
        twin.zero_grad()
        step_and_compare(bn, twin, random_batch(rng, n, c, dtype), rng.normal(size=(n, c)).astype(dtype),
                         dtype)
    bn.eval()
    twin.eval()
    for batch_size in ((1, n) if track else (n,)):
        bn.zero_grad()
        twin.zero_grad()
        step_and_compare(bn, twin, random_batch(rng, batch_size, c, dtype),
                         rng.normal(size=(batch_size, c)).astype(dtype), dtype)


def test_running_statistics_by_hand():
    bn = BatchNorm1d(2, momentum=0.1)
    x = np.array([[1.0, 10.0], [3.0, 10.0], [5.0, 40.0]])
    y = bn(x)
    # Normalised with the biased variance ...
    mean, biased_var = x.mean(axis=0), x.var(axis=0)
    np.testing.assert_allclose(y, (x - mean) / np.sqrt(biased_var + 1e-5), rtol=1e-14)
    # ... but the running variance uses the unbiased one.
    np.testing.assert_allclose(bn.running_mean, 0.1 * mean, rtol=1e-15)
    np.testing.assert_allclose(bn.running_var, 0.9 + 0.1 * x.var(axis=0, ddof=1), rtol=1e-15)
    assert bn.num_batches_tracked == 1
    # Evaluation uses the running statistics and changes nothing.
    bn.eval()
    before = bn.state_dict()
    np.testing.assert_allclose(bn(x), (x - bn.running_mean) / np.sqrt(bn.running_var + 1e-5), rtol=1e-14)
    for key, value in bn.state_dict().items():
        np.testing.assert_array_equal(value, before[key])


def test_momentum_none_is_the_cumulative_average():
    rng = np.random.default_rng(0)
    bn = BatchNorm1d(3, momentum=None)
    batches = [rng.normal(size=(5, 3)) for _ in range(4)]
    for x in batches:
        bn(x)
    np.testing.assert_allclose(bn.running_mean, np.mean([x.mean(axis=0) for x in batches], axis=0),
                               rtol=1e-13)
    np.testing.assert_allclose(bn.running_var, np.mean([x.var(axis=0, ddof=1) for x in batches], axis=0),
                               rtol=1e-13)


def test_state_dict_keys_like_torch():
    assert list(BatchNorm1d(4).state_dict()) == list(torch.nn.BatchNorm1d(4).state_dict())
    assert list(BatchNorm1d(4, affine=False, track_running_stats=False).state_dict()) == []
    assert [name for name, _ in BatchNorm1d(4).named_parameters()] == ["weight", "bias"]


def test_buffers_are_updated_in_place():
    bn = BatchNorm1d(2)
    running_mean = bn.running_mean
    bn(np.random.default_rng(0).normal(size=(4, 2)))
    assert bn.running_mean is running_mean and np.all(running_mean != 0)


def test_one_sample_is_an_error_when_batch_statistics_are_used():
    with pytest.raises(ValueError, match=r"more than one sample .* shape \(1, 3\).* call eval\(\)"):
        BatchNorm1d(3)(np.ones((1, 3)))
    with pytest.raises(ValueError, match="more than one sample"):
        BatchNorm1d(3, track_running_stats=False).eval()(np.ones((1, 3)))
    # With running statistics, evaluation works sample by sample.
    assert BatchNorm1d(3).eval()(np.ones((1, 3))).shape == (1, 3)


@pytest.mark.parametrize("shape", [(4, 2), (4,), (4, 3, 2)])
def test_shape_errors(shape):
    message = f"BatchNorm1d(3) expects input of shape (N, 3), got shape {shape}"
    with pytest.raises(ValueError, match=re.escape(message)):
        BatchNorm1d(3)(np.ones(shape))


def test_dtype_rules_and_repr():
    with pytest.raises(TypeError, match="float32 parameters but the input is float64"):
        BatchNorm1d(2, dtype=np.float32)(np.ones((3, 2)))
    bn = BatchNorm1d(2, dtype=np.float32)
    assert bn(np.arange(6).reshape(3, 2)).dtype == np.float32
    assert bn.running_mean.dtype == bn.running_var.dtype == np.float32
    assert repr(BatchNorm1d(4)) == (
        "BatchNorm1d(4, eps=1e-05, momentum=0.1, affine=True, track_running_stats=True)")


def test_constructor_checks():
    with pytest.raises(ValueError, match="momentum must be in"):
        BatchNorm1d(3, momentum=1.5)
    with pytest.raises(ValueError, match="eps must be positive"):
        BatchNorm1d(3, eps=0)
    with pytest.raises(ValueError, match="num_features"):
        BatchNorm1d(0)


def test_backward_before_forward():
    with pytest.raises(RuntimeError, match="before forward"):
        BatchNorm1d(3).backward(np.ones((2, 3)))


def test_constant_feature_gives_finite_output():
    x = np.zeros((4, 2))
    x[:, 1] = [1.0, 2.0, 3.0, 4.0]
    bn = BatchNorm1d(2)
    y = bn(x)
    assert np.all(np.isfinite(y)) and np.all(y[:, 0] == 0)
    assert np.all(np.isfinite(bn.backward(np.ones((4, 2)))))
