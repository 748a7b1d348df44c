"""nn.init: gains and fans as in PyTorch, and the distributions' statistics.

The statistical tests draw one large weight (500 x 800 = 400 000 values)
from a fixed seed, so they are deterministic. Their tolerances are five
standard errors of the statistic, so that a correct implementation would
fail only with a probability below 1e-6 for a fresh seed, while a wrong
formula (a missing factor 2, 3 or fan_in + fan_out vs fan_in) is off by 30 %
or more, hundreds of standard errors:

* the sample variance of n draws has relative standard error
  sqrt(2 / n) for a normal distribution and sqrt(4/5) / sqrt(n) for a
  uniform one (from E[X^4] = b^4 / 5 and Var = b^2 / 3);
* the sample mean has standard error std / sqrt(n).
"""
from __future__ import annotations

import math

import numpy as np
import pytest
import torch
from scipy import stats

from anncourse.nn import Linear, Parameter, init

SHAPE = (500, 800)  # (fan_out, fan_in)
FAN_OUT, FAN_IN = SHAPE
N = FAN_OUT * FAN_IN

# (function, keyword arguments, kind, expected std)
CASES = [
    (init.xavier_uniform_, {}, "uniform", math.sqrt(2 / (FAN_IN + FAN_OUT))),
    (init.xavier_uniform_, {"gain": 5 / 3}, "uniform", 5 / 3 * math.sqrt(2 / (FAN_IN + FAN_OUT))),
    (init.xavier_normal_, {}, "normal", math.sqrt(2 / (FAN_IN + FAN_OUT))),
    (init.kaiming_uniform_, {}, "uniform", math.sqrt(2 / FAN_IN)),
    (init.kaiming_uniform_, {"a": math.sqrt(5)}, "uniform", math.sqrt(1 / 3 / FAN_IN)),
    (init.kaiming_uniform_, {"mode": "fan_out", "nonlinearity": "relu"}, "uniform",
     math.sqrt(2 / FAN_OUT)),
    (init.kaiming_normal_, {}, "normal", math.sqrt(2 / FAN_IN)),
    (init.kaiming_normal_, {"a": 0.2}, "normal", math.sqrt(2 / (1 + 0.04) / FAN_IN)),
    (init.kaiming_normal_, {"nonlinearity": "tanh"}, "normal", 5 / 3 / math.sqrt(FAN_IN)),
]
IDS = [f"{f.__name__}{kwargs}" for f, kwargs, _, _ in CASES]


def variance_tolerance(kind, n=N):
    relative_se = math.sqrt(2 / n) if kind == "normal" else math.sqrt(4 / 5) / math.sqrt(n)
    return 5 * relative_se


@pytest.mark.parametrize("fill, kwargs, kind, std", CASES, ids=IDS)
def test_variance_mean_and_shape_of_distribution(fill, kwargs, kind, std):
    w = fill(np.empty(SHAPE), random_state=0, **kwargs)
    assert abs(w.var() / std**2 - 1) < variance_tolerance(kind)
    assert abs(w.mean()) < 5 * std / math.sqrt(N)
    if kind == "uniform":
        bound = math.sqrt(3) * std
        assert np.abs(w).max() <= bound
        # The Kolmogorov-Smirnov test compares the whole distribution; with a
        # fixed seed the p-value is a fixed number, and a wrong bound would
        # push it to ~0 at this sample size.
        assert stats.kstest(w.ravel(), stats.uniform(-bound, 2 * bound).cdf).pvalue > 1e-3
    else:
        assert stats.kstest(w.ravel(), stats.norm(0, std).cdf).pvalue > 1e-3


@pytest.mark.parametrize("fill, kwargs, kind, std", CASES, ids=IDS)
def test_same_distribution_as_torch(fill, kwargs, kind, std):
    ours = fill(np.empty(SHAPE), random_state=1, **kwargs)
    theirs = getattr(torch.nn.init, fill.__name__)(
        torch.empty(SHAPE, dtype=torch.float64), generator=torch.Generator().manual_seed(1), **kwargs
    ).numpy()
    # Two independent sample variances: their ratio is within
    # 5 * sqrt(2) standard errors of 1.
    assert abs(ours.var() / theirs.var() - 1) < math.sqrt(2) * variance_tolerance(kind)
    if kind == "uniform":
        assert np.abs(ours).max() == pytest.approx(np.abs(theirs).max(), rel=1e-3)


@pytest.mark.parametrize("name, param", [
    ("linear", None), ("sigmoid", None), ("tanh", None), ("relu", None),
    ("selu", None), ("leaky_relu", None), ("leaky_relu", 0.2), ("leaky_relu", 0),
    ("leaky_relu", math.sqrt(5)),
])
def test_gain_like_torch(name, param):
    assert init.calculate_gain(name, param) == pytest.approx(
        torch.nn.init.calculate_gain(name, param), rel=1e-15)


def test_gain_errors():
    with pytest.raises(ValueError, match="unknown nonlinearity 'softplus'"):
        init.calculate_gain("softplus")
    with pytest.raises(ValueError, match="only used by 'leaky_relu'"):
        init.calculate_gain("relu", 0.1)


@pytest.mark.parametrize("shape", [(4, 3), (7, 2), (8, 3, 5, 5), (2, 6, 9)])
def test_fans_like_torch(shape):
    from anncourse.nn.init import _fans
    assert _fans(np.empty(shape)) == torch.nn.init._calculate_fan_in_and_fan_out(torch.empty(shape))


def test_fills_in_place_and_returns_its_argument():
    w = np.zeros((3, 4), dtype=np.float32)
    assert init.xavier_uniform_(w, random_state=0) is w
    assert w.dtype == np.float32 and np.all(w != 0)
    p = Parameter(np.zeros((3, 4)))
    data = p.data
    assert init.kaiming_normal_(p, random_state=0) is p
    assert p.data is data and np.all(data != 0)
    assert init.zeros_(p) is p and np.all(p.data == 0)
    assert np.all(init.ones_(np.zeros(3)) == 1)


def test_uniform_and_normal_helpers():
    u = init.uniform_(np.empty(10_000), 2.0, 3.0, random_state=0)
    assert 2.0 <= u.min() and u.max() < 3.0
    n = init.normal_(np.empty(100_000), mean=1.0, std=0.5, random_state=0)
    assert abs(n.mean() - 1.0) < 5 * 0.5 / math.sqrt(n.size)


def test_same_seed_same_values():
    a = init.kaiming_uniform_(np.empty((5, 6)), random_state=3)
    b = init.kaiming_uniform_(np.empty((5, 6)), random_state=np.random.default_rng(3))
    np.testing.assert_array_equal(a, b)


def test_errors():
    with pytest.raises(ValueError, match=r"at least 2 dimensions, got shape \(5,\)"):
        init.xavier_uniform_(np.empty(5))
    with pytest.raises(TypeError, match="float numpy array"):
        init.xavier_uniform_(np.zeros((3, 3), dtype=int))
    with pytest.raises(TypeError, match="got list"):
        init.normal_([[0.0, 0.0]])
    with pytest.raises(ValueError, match="mode must be 'fan_in' or 'fan_out'"):
        init.kaiming_normal_(np.empty((3, 3)), mode="fan_avg")


# --------------------------------------------------------------------------
# Linear's init options
# --------------------------------------------------------------------------


def test_linear_default_is_pytorchs():
    layer = Linear(FAN_IN, FAN_OUT, random_state=0)
    bound = 1 / math.sqrt(FAN_IN)
    assert np.abs(layer.weight.data).max() <= bound
    assert abs(layer.weight.data.var() / (bound**2 / 3) - 1) < variance_tolerance("uniform")
    assert np.abs(layer.bias.data).max() <= bound
    # 500 bias values: their variance is within 5 standard errors too.
    assert abs(layer.bias.data.var() / (bound**2 / 3) - 1) < variance_tolerance("uniform", FAN_OUT)
    theirs = torch.nn.Linear(FAN_IN, FAN_OUT).weight.detach().numpy()
    assert np.abs(theirs).max() == pytest.approx(np.abs(layer.weight.data).max(), rel=1e-3)


@pytest.mark.parametrize("name, kind, variance", [
    ("he_uniform", "uniform", 2 / FAN_IN),
    ("he_normal", "normal", 2 / FAN_IN),
    ("kaiming_normal", "normal", 2 / FAN_IN),
    ("xavier_uniform", "uniform", 2 / (FAN_IN + FAN_OUT)),
    ("xavier_normal", "normal", 2 / (FAN_IN + FAN_OUT)),
])
def test_linear_init_options(name, kind, variance):
    layer = Linear(FAN_IN, FAN_OUT, init=name, random_state=0)
    assert abs(layer.weight.data.var() / variance - 1) < variance_tolerance(kind)
    # Glorot and He start the biases at 0.
    np.testing.assert_array_equal(layer.bias.data, 0)


def test_linear_init_callable_and_dtype():
    layer = Linear(4, 3, init=lambda w, rng: init.ones_(w), dtype=np.float32)
    assert layer.weight.data.dtype == np.float32
    np.testing.assert_array_equal(layer.weight.data, 1)
