"""Tests for anncourse.optim: the optimizers in their PyTorch form.

Evidence that the optimizers are right:

1. Oracle. For every class and every option (each flag on its own and
   combined), ``torch.optim`` and ours take 300 steps on four parameters
   of different shapes (including a 0-d one), fed the same gradients, and
   must agree at every step, in float64 and in float32. Their states
   (momentum buffers, running averages, step counts) must agree too.
   Hypothesis repeats this with random hyper-parameters and random
   gradients.
2. The API around the algorithms: parameter groups, skipped ``None``
   gradients, ``zero_grad``, ``state_dict``, signatures and defaults
   identical to PyTorch's, errors for bad hyper-parameters and gradients,
   dtypes, in-place updates, light import. (The docstring examples of
   anncourse.optim run under pytest's ``--doctest-modules``.)

Why both optimizers get the same gradients
------------------------------------------
The gradients are those of a fixed convex function (a quadratic with
different curvatures plus a small quartic term), evaluated along *our*
trajectory and given, identically, to PyTorch. If instead each side
evaluated the gradient at its own parameters, tiny rounding differences
would feed back: near the minimum the adaptive methods hop around with
steps of size about ``lr`` whatever the gradient, and there the dynamics
is chaotic. ``test_near_the_minimum_the_dynamics_itself_is_chaotic`` shows
that two runs of *our own* Adamax starting one ulp apart end up more than
1e-6 apart (0.02 in fact); so no implementation that differs from PyTorch in the last bit
of any operation could pass a closed-loop comparison there. The closed loop
is still checked for the first 30 steps, before that regime.

Tolerances
----------
RTOL64 = 1e-9 (float64, with ATOL64 = 1e-12 for entries that pass near 0):
both sides evaluate the same formulas and differ only in the rounding of
single operations (PyTorch's ``lerp``, ``addcdiv`` and fused multiply-adds
order them slightly differently), about 1e-16 per operation; measured over
300 steps, the difference stays below 1e-12 relative. The brief asks for
1e-6; 1e-9 leaves a margin of 1000 while still catching any wrong factor,
sign, exponent or off-by-one step count.

FLOAT32 (rtol 1e-4, atol 1e-4): each float32 operation rounds to a relative
2**-24 = 6e-8. Over 300 steps those errors add up, on each side
independently, to at most about 300 * 6e-8 = 2e-5 times the size of the
parameters (which are at most about 3 here); measured differences are
below 2.5e-5. The float32 test also checks what matters more: our float32
result is no further from the float64 answer than twice PyTorch's own
float32 result is.
"""

import contextlib
import copy
import inspect
import subprocess
import sys
import warnings

import numpy as np
import pytest
import torch
from hypothesis import given, settings
from hypothesis import strategies as st

import anncourse.optim
from anncourse.nn.parameter import Parameter
from anncourse.optim import (
    SGD,
    Adadelta,
    Adagrad,
    Adam,
    Adamax,
    NAdam,
    Optimizer,
    RMSprop,
)

RTOL64, ATOL64 = 1e-9, 1e-12
RTOL32, ATOL32 = 1e-4, 1e-4
STEPS = 300

SHAPES = [(3,), (2, 4), (2, 1, 3), ()]
QUARTIC = 0.1

# One learning rate per class that moves the parameters across the whole
# problem (distance about 3) within the 300 steps.
LR = {"SGD": 0.05, "Adagrad": 0.3, "RMSprop": 0.01, "Adadelta": 1.0,
      "Adam": 0.05, "Adamax": 0.05, "NAdam": 0.05}

# Every option of every class, alone and combined. Where a large eps meets
# weight decay, lr * weight_decay / eps stays below 1: with shared gradients
# PyTorch's own weight-decay term is the only feedback from its parameters,
# and near the minimum (sqrt(v) << eps) its gain is about that ratio; above
# 2 it would amplify rounding differences instead of damping them.
CASES = {
    "SGD": [
        {},
        {"momentum": 0.9},
        {"momentum": 0.9, "dampening": 0.5},
        {"momentum": 0.9, "nesterov": True},
        {"weight_decay": 0.1},
        {"momentum": 0.9, "dampening": 0.3, "weight_decay": 0.05},
        {"momentum": 0.9, "nesterov": True, "weight_decay": 0.05},
    ],
    "Adagrad": [
        {},
        {"lr_decay": 0.01},
        {"weight_decay": 0.1},
        {"initial_accumulator_value": 0.5},
        {"eps": 1e-3},
        {"lr_decay": 0.01, "weight_decay": 0.1, "initial_accumulator_value": 0.5,
         "eps": 1e-3},
    ],
    "RMSprop": [
        {},
        {"alpha": 0.9},
        {"eps": 1e-4},
        {"momentum": 0.5},
        {"centered": True},
        {"centered": True, "momentum": 0.5},
        {"weight_decay": 0.1},
        {"alpha": 0.9, "eps": 1e-4, "weight_decay": 0.1, "momentum": 0.5,
         "centered": True},
    ],
    "Adadelta": [
        {},
        {"lr": 0.5},
        {"rho": 0.5},
        {"eps": 1e-3},
        {"weight_decay": 0.1},
        {"lr": 0.5, "rho": 0.5, "eps": 1e-3, "weight_decay": 0.1},
    ],
    "Adam": [
        {},
        {"amsgrad": True},
        {"weight_decay": 0.1},
        {"betas": (0.5, 0.9)},
        {"eps": 1e-3},
        {"betas": (0.5, 0.9), "eps": 1e-3, "weight_decay": 0.01, "amsgrad": True},
    ],
    "Adamax": [
        {},
        {"betas": (0.5, 0.9)},
        {"weight_decay": 0.1},
        {"eps": 1e-3},
        {"betas": (0.5, 0.9), "eps": 1e-3, "weight_decay": 0.01},
    ],
    "NAdam": [
        {},
        {"momentum_decay": 0.05},
        {"momentum_decay": 0},
        {"betas": (0.5, 0.9)},
        {"weight_decay": 0.1},
        {"eps": 1e-3},
        {"betas": (0.5, 0.9), "eps": 1e-3, "weight_decay": 0.01, "momentum_decay": 0.05},
    ],
}
CASE_LIST = [
    pytest.param(name, {"lr": LR[name], **options}, id=f"{name}-{options}")
    for name, option_list in CASES.items()
    for options in option_list
]


# --------------------------------------------------------------------------
# The problem and the two-optimizer runner
# --------------------------------------------------------------------------


class Problem:
    """J(theta) = sum_i h_i/2 (theta_i - c_i)^2 + QUARTIC/4 theta_i^4, per parameter.

    Convex, with different curvatures ``h`` in [0.5, 5] and a minimum away
    from 0 (|c| >= 0.5), so relative errors stay meaningful.
    """

    def __init__(self, seed=0):
        rng = np.random.default_rng(seed)
        self.starts = [rng.uniform(-2, 2, shape) for shape in SHAPES]
        self.curvatures = [rng.uniform(0.5, 5, shape) for shape in SHAPES]
        self.centers = [rng.choice([-1.0, 1.0], shape) * rng.uniform(0.5, 2, shape)
                        for shape in SHAPES]

    def grad(self, i, theta):
        h = np.asarray(self.curvatures[i], dtype=theta.dtype)
        c = np.asarray(self.centers[i], dtype=theta.dtype)
        return np.asarray(h * (theta - c) + QUARTIC * theta**3, dtype=theta.dtype)


PROBLEM = Problem()


@contextlib.contextmanager
def torch_default_dtype(dtype):
    """PyTorch keeps step counts and NAdam's mu_product in the default dtype."""
    previous = torch.get_default_dtype()
    torch.set_default_dtype(dtype)
    try:
        yield
    finally:
        torch.set_default_dtype(previous)


def flat(arrays):
    return np.concatenate([np.ravel(a) for a in arrays])


def run_pair(name, options, dtype, steps=STEPS, closed_loop=False, problem=PROBLEM,
             groups=None):
    """Run our optimizer ``name`` and PyTorch's side by side.

    Returns the two trajectories (one row of all parameters per step), the
    two (parameters, optimizer) pairs and the gradients we were given.
    Gradients come from ``problem`` at our parameters and are copied to
    PyTorch's, unless ``closed_loop``. ``groups`` is an optional list of
    (parameter indices, options) pairs.
    """
    ours = [Parameter(np.array(s, dtype=dtype)) for s in problem.starts]
    theirs = [torch.tensor(np.array(s, dtype=dtype), requires_grad=True)
              for s in problem.starts]
    if groups is None:
        our_params, their_params = ours, theirs
    else:
        our_params = [{"params": [ours[i] for i in idx], **o} for idx, o in groups]
        their_params = [{"params": [theirs[i] for i in idx], **o} for idx, o in groups]
    our_opt = getattr(anncourse.optim, name)(our_params, **options)
    their_opt = getattr(torch.optim, name)(their_params, **options, foreach=False)

    our_path, their_path, grads = [], [], []
    for _ in range(steps):
        for i, (p, q) in enumerate(zip(ours, theirs)):
            p.grad = problem.grad(i, p.data)
            if closed_loop:
                q.grad = torch.from_numpy(problem.grad(i, q.detach().numpy()))
            else:
                q.grad = torch.from_numpy(p.grad.copy())
        our_opt.step()
        their_opt.step()
        our_path.append(flat(p.data for p in ours))
        their_path.append(flat(q.detach().numpy() for q in theirs))
        grads.append([p.grad for p in ours])
    return (np.array(our_path), np.array(their_path), (ours, our_opt), (theirs, their_opt),
            grads)


def torch_float64_path(name, options, grads):
    """PyTorch's float64 trajectory from our float32 start, fed ``grads``."""
    with torch_default_dtype(torch.float64):
        params = [torch.tensor(np.array(s, dtype=np.float32), dtype=torch.float64,
                               requires_grad=True) for s in PROBLEM.starts]
        optimizer = getattr(torch.optim, name)(params, **options, foreach=False)
        path = []
        for step_grads in grads:
            for q, g in zip(params, step_grads):
                q.grad = torch.from_numpy(g.astype(np.float64))
            optimizer.step()
            path.append(flat(q.detach().numpy() for q in params))
    return np.array(path)


def assert_same_state(ours, our_opt, theirs, their_opt, rtol, atol):
    """Every entry of PyTorch's state exists in ours, with the same value."""
    for p, q in zip(ours, theirs):
        their_state = their_opt.state[q]
        assert set(our_opt.state[p]) == set(their_state)
        for key, value in their_state.items():
            expected = value.detach().numpy() if torch.is_tensor(value) else value
            np.testing.assert_allclose(our_opt.state[p][key], expected,
                                       rtol=rtol, atol=atol, err_msg=key)


# --------------------------------------------------------------------------
# 1. Agreement with torch.optim
# --------------------------------------------------------------------------


@pytest.mark.parametrize("name, options", CASE_LIST)
def test_float64_matches_torch_at_every_step(name, options):
    with torch_default_dtype(torch.float64):
        mine, torchs, (ours, our_opt), (theirs, their_opt), _ = run_pair(
            name, options, np.float64)
    # The run must really go somewhere, or agreement would prove little.
    assert np.abs(mine[-1] - mine[0]).max() > 0.5
    np.testing.assert_allclose(mine, torchs, rtol=RTOL64, atol=ATOL64)
    assert_same_state(ours, our_opt, theirs, their_opt, rtol=RTOL64, atol=ATOL64)


@pytest.mark.parametrize("name, options", CASE_LIST)
def test_float32_matches_torch_and_is_as_accurate(name, options):
    mine, torchs, _, _, grads = run_pair(name, options, np.float32)
    assert mine.dtype == np.float32
    np.testing.assert_allclose(mine, torchs, rtol=RTOL32, atol=ATOL32)

    # The float64 answer for the same gradients.
    reference = torch_float64_path(name, options, grads)
    our_error = np.abs(mine - reference).max()
    their_error = np.abs(torchs - reference).max()
    assert our_error <= 2 * their_error + 1e-6


@pytest.mark.parametrize("name, options", CASE_LIST)
def test_closed_loop_matches_torch_before_the_chaotic_regime(name, options):
    with torch_default_dtype(torch.float64):
        mine, torchs, *_ = run_pair(name, options, np.float64, steps=30,
                                    closed_loop=True)
    np.testing.assert_allclose(mine, torchs, rtol=RTOL64, atol=ATOL64)


def test_near_the_minimum_the_dynamics_itself_is_chaotic():
    # Two runs of our own Adamax, starting one ulp apart.
    paths = []
    for nudge in (False, True):
        problem = Problem()
        if nudge:
            problem.starts = [np.nextafter(s, np.inf) for s in problem.starts]
        params = [Parameter(s) for s in problem.starts]
        optimizer = Adamax(params, lr=0.05, betas=(0.5, 0.9))
        path = []
        for _ in range(STEPS):
            for i, p in enumerate(params):
                p.grad = problem.grad(i, p.data)
            optimizer.step()
            path.append(flat(p.data for p in params))
        paths.append(np.array(path))
    gap = np.abs(paths[0] - paths[1]).max(axis=1)
    assert gap[0] < 1e-15
    assert gap.max() > 1e-6


BETAS = st.tuples(st.floats(0, 0.999), st.floats(0, 0.999))
EPS = st.floats(1e-10, 1e-1)
# Weight decay is drawn for SGD only. In the adaptive methods it feeds each
# side's own parameters back into its step with a gain of about
# lr * weight_decay / sqrt(v); with random small gradients that gain can
# exceed 2, and then the *algorithm* amplifies last-bit differences (its
# fixed point is unstable), which says nothing about the implementation.
# Weight decay in the adaptive methods is tested on the convex problem above.
HYPERPARAMETERS = {
    "SGD": st.fixed_dictionaries({
        "lr": st.floats(0, 0.5), "momentum": st.floats(0, 0.99),
        "dampening": st.floats(0, 1), "weight_decay": st.floats(0, 0.5)}),
    "SGD-nesterov": st.fixed_dictionaries({
        "lr": st.floats(0, 0.5), "momentum": st.floats(0.01, 0.99),
        "nesterov": st.just(True), "weight_decay": st.floats(0, 0.5)}),
    "Adagrad": st.fixed_dictionaries({
        "lr": st.floats(0, 1), "lr_decay": st.floats(0, 0.5),
        "initial_accumulator_value": st.floats(0, 2), "eps": EPS}),
    "RMSprop": st.fixed_dictionaries({
        # alpha = 0 with centered=True: see test_centered_rmsprop_stays_finite.
        "lr": st.floats(0, 0.1), "alpha": st.floats(0.05, 0.999), "eps": EPS,
        "momentum": st.floats(0, 0.99), "centered": st.booleans()}),
    "Adadelta": st.fixed_dictionaries({
        "lr": st.floats(0, 2), "rho": st.floats(0, 1), "eps": EPS}),
    "Adam": st.fixed_dictionaries({
        "lr": st.floats(0, 0.1), "betas": BETAS, "eps": EPS, "amsgrad": st.booleans()}),
    "Adamax": st.fixed_dictionaries({
        "lr": st.floats(0, 0.1), "betas": BETAS, "eps": EPS}),
    "NAdam": st.fixed_dictionaries({
        "lr": st.floats(0, 0.1), "betas": BETAS, "eps": EPS,
        "momentum_decay": st.floats(0, 0.1)}),
}


class RandomGradients:
    """Seeded gradients that do not depend on the parameters.

    Their scale spans 1e-4 to 1e2, so that ``eps`` matters in some runs and
    not in others.
    """

    def __init__(self, seed):
        rng = np.random.default_rng(seed)
        self.starts = [rng.normal(size=shape) for shape in SHAPES]
        self.scale = 10.0 ** rng.uniform(-4, 2)
        self.rng = rng

    def grad(self, i, theta):
        return np.asarray(self.scale * self.rng.normal(size=theta.shape), dtype=theta.dtype)


@pytest.mark.parametrize("key", list(HYPERPARAMETERS))
@settings(max_examples=15, deadline=None)
@given(data=st.data(), seed=st.integers(0, 2**32 - 1))
def test_random_hyperparameters_match_torch(key, data, seed):
    options = data.draw(HYPERPARAMETERS[key], label="options")
    name = key.split("-")[0]
    with torch_default_dtype(torch.float64):
        mine, torchs, (ours, our_opt), (theirs, their_opt), _ = run_pair(
            name, options, np.float64, steps=60, problem=RandomGradients(seed))
    scale = np.abs(torchs).max()
    np.testing.assert_allclose(mine, torchs, rtol=RTOL64, atol=ATOL64 * (1 + scale))


# --------------------------------------------------------------------------
# 2. Parameter groups, skipped gradients, zero_grad, state_dict
# --------------------------------------------------------------------------


@pytest.mark.parametrize("name, group_options", [
    ("SGD", [{"lr": 0.01, "momentum": 0.9}, {"nesterov": True, "momentum": 0.5}]),
    ("Adam", [{"lr": 0.01}, {"betas": (0.5, 0.9), "amsgrad": True}]),
    ("RMSprop", [{"centered": True}, {"momentum": 0.3, "weight_decay": 0.1}]),
    ("NAdam", [{"momentum_decay": 0.01}, {"lr": 0.2, "eps": 1e-4}]),
])
def test_parameter_groups_with_their_own_options_match_torch(name, group_options):
    groups = [([0, 2], group_options[0]), ([1, 3], group_options[1])]
    with torch_default_dtype(torch.float64):
        mine, torchs, (ours, our_opt), (theirs, their_opt), _ = run_pair(
            name, {"lr": LR[name]}, np.float64, steps=100, groups=groups)
    np.testing.assert_allclose(mine, torchs, rtol=RTOL64, atol=ATOL64)
    assert len(our_opt.param_groups) == 2
    for our_group, their_group in zip(our_opt.param_groups, their_opt.param_groups):
        for key in our_opt.defaults:
            assert our_group[key] == their_group[key]


@pytest.mark.parametrize("name", list(CASES))
def test_a_parameter_without_gradient_is_skipped_as_in_torch(name):
    # Parameter 1 gets no gradient on even steps; parameter 3 never gets one.
    options = {"lr": LR[name], **CASES[name][-1]}
    ours = [Parameter(np.array(s)) for s in PROBLEM.starts]
    theirs = [torch.tensor(np.array(s), requires_grad=True) for s in PROBLEM.starts]
    with torch_default_dtype(torch.float64):
        our_opt = getattr(anncourse.optim, name)(ours, **options)
        their_opt = getattr(torch.optim, name)(theirs, **options, foreach=False)
        for t in range(40):
            our_opt.zero_grad()
            their_opt.zero_grad()
            for i, (p, q) in enumerate(zip(ours, theirs)):
                if i == 3 or (i == 1 and t % 2 == 0):
                    continue
                p.grad = PROBLEM.grad(i, p.data)
                q.grad = torch.from_numpy(p.grad.copy())
            our_opt.step()
            their_opt.step()
            for p, q in zip(ours, theirs):
                np.testing.assert_allclose(p.data, q.detach().numpy(),
                                           rtol=RTOL64, atol=ATOL64)
    assert np.array_equal(ours[3].data, PROBLEM.starts[3])
    assert ours[3] not in our_opt.state
    if "step" in our_opt.state[ours[0]]:
        assert our_opt.state[ours[0]]["step"] == 40
        assert our_opt.state[ours[1]]["step"] == 20


def test_zero_grad_sets_none_or_zeros_in_place():
    w = Parameter([1.0, 2.0])
    optimizer = SGD([w], lr=0.1)
    w.accumulate_grad(np.array([3.0, 4.0]))
    grad = w.grad
    optimizer.zero_grad(set_to_none=False)
    assert w.grad is grad and np.array_equal(grad, [0.0, 0.0])
    optimizer.zero_grad()
    assert w.grad is None
    optimizer.zero_grad(set_to_none=False)  # None stays None
    assert w.grad is None


def test_zero_grad_then_step_does_not_move_a_parameter_with_momentum():
    # With grads set to None the parameter is skipped; with zeros the
    # momentum still carries it: the reason PyTorch defaults to None.
    moved = {}
    for set_to_none in (True, False):
        w = Parameter([1.0])
        optimizer = SGD([w], lr=0.1, momentum=0.9)
        w.grad = np.array([1.0])
        optimizer.step()
        before = w.data.copy()
        optimizer.zero_grad(set_to_none=set_to_none)
        optimizer.step()
        moved[set_to_none] = not np.array_equal(w.data, before)
    assert moved == {True: False, False: True}


@pytest.mark.parametrize("name", list(CASES))
def test_state_dict_round_trip_continues_identically(name):
    options = {"lr": LR[name], **CASES[name][-1]}
    a = [Parameter(np.array(s)) for s in PROBLEM.starts]
    opt_a = getattr(anncourse.optim, name)(a, **options)

    def train(params, optimizer, steps):
        for _ in range(steps):
            for i, p in enumerate(params):
                p.grad = PROBLEM.grad(i, p.data)
            optimizer.step()

    train(a, opt_a, 10)
    saved = opt_a.state_dict()
    snapshot = copy.deepcopy(saved)
    b = [Parameter(p.data) for p in a]
    opt_b = getattr(anncourse.optim, name)(b, lr=123.0)
    opt_b.load_state_dict(saved)
    assert opt_b.param_groups[0]["lr"] == options["lr"]

    train(a, opt_a, 10)
    train(b, opt_b, 10)
    for p, q in zip(a, b):
        assert np.array_equal(p.data, q.data)
    # The saved dict holds copies: training on did not change it.
    for index, entries in snapshot["state"].items():
        for key, value in entries.items():
            assert np.array_equal(saved["state"][index][key], value)


def test_state_dict_layout_is_torchs():
    w, b = Parameter(np.ones(3)), Parameter(np.ones(1))
    optimizer = Adam([{"params": [w]}, {"params": [b], "lr": 0.5}])
    w.grad = np.ones(3)
    optimizer.step()
    saved = optimizer.state_dict()
    assert [g["params"] for g in saved["param_groups"]] == [[0], [1]]
    assert list(saved["state"]) == [0]
    assert set(saved["state"][0]) == {"step", "exp_avg", "exp_avg_sq"}
    assert saved["param_groups"][1]["lr"] == 0.5


def test_load_state_dict_checks_it_fits():
    w = Parameter(np.ones(3))
    optimizer = Adam([w])
    w.grad = np.ones(3)
    optimizer.step()
    saved = optimizer.state_dict()
    with pytest.raises(ValueError, match="2 parameters"):
        Adam([Parameter(np.ones(3)), Parameter(np.ones(3))]).load_state_dict(saved)
    with pytest.raises(ValueError, match="parameter groups"):
        Adam([{"params": [Parameter(np.ones(3))]},
              {"params": [Parameter(np.ones(3))]}]).load_state_dict(saved)
    other = Adam([Parameter(np.ones(4))])
    with pytest.raises(ValueError, match=r"shape \(3,\).*shape \(4,\)"):
        other.load_state_dict(saved)
    assert not other.state  # nothing was half-loaded


def test_load_state_dict_casts_to_the_parameter_dtype():
    w = Parameter(np.ones(3))
    optimizer = Adam([w])
    w.grad = np.ones(3)
    optimizer.step()
    v = Parameter(np.ones(3, dtype=np.float32))
    other = Adam([v])
    other.load_state_dict(optimizer.state_dict())
    assert other.state[v]["exp_avg"].dtype == np.float32


def test_closure_is_called_and_its_loss_returned():
    w = Parameter([3.0])
    optimizer = SGD([w], lr=0.25)

    def closure():
        optimizer.zero_grad()
        w.accumulate_grad(2 * w.data)
        return float(w.data[0] ** 2)

    assert optimizer.step(closure) == 9.0
    assert w.data[0] == 1.5
    assert optimizer.step() is None


def test_params_can_be_any_iterable_such_as_a_generator():
    w, b = Parameter([1.0]), Parameter([2.0])
    optimizer = SGD((p for p in [w, b]), lr=0.5)
    w.grad, b.grad = np.array([1.0]), np.array([1.0])
    optimizer.step()
    assert (w.data[0], b.data[0]) == (0.5, 1.5)


def test_add_param_group_later():
    w, b = Parameter([1.0]), Parameter([1.0])
    optimizer = SGD([w], lr=0.1, momentum=0.9)
    optimizer.add_param_group({"params": b, "lr": 0.5})
    assert optimizer.param_groups[1]["momentum"] == 0.9
    w.grad, b.grad = np.array([1.0]), np.array([1.0])
    optimizer.step()
    assert (w.data[0], b.data[0]) == (0.9, 0.5)


def test_repr_lists_groups_like_torch():
    text = repr(SGD([Parameter([1.0])], lr=0.1))
    assert text.startswith("SGD (\nParameter Group 0\n")
    assert "    lr: 0.1\n" in text and "    momentum: 0\n" in text


# --------------------------------------------------------------------------
# 3. Signatures and validation
# --------------------------------------------------------------------------


@pytest.mark.parametrize("name", list(CASES))
def test_signature_and_defaults_are_torchs(name):
    ours = list(inspect.signature(getattr(anncourse.optim, name)).parameters.values())
    theirs = list(inspect.signature(getattr(torch.optim, name)).parameters.values())
    assert [(p.name, p.default) for p in ours] == \
        [(p.name, p.default) for p in theirs[:len(ours)]]


@pytest.mark.parametrize("cls, options, message", [
    (SGD, {"lr": -0.1}, "lr must be >= 0, but got -0.1"),
    (SGD, {"lr": float("nan")}, "lr must be >= 0"),
    (SGD, {"momentum": -0.5}, "momentum must be >= 0"),
    (SGD, {"weight_decay": -1}, "weight_decay must be >= 0"),
    (SGD, {"nesterov": True}, "nesterov=True needs momentum > 0 and dampening = 0"),
    (SGD, {"nesterov": True, "momentum": 0.9, "dampening": 0.1}, "dampening=0.1"),
    (Adagrad, {"lr_decay": -1}, "lr_decay must be >= 0"),
    (Adagrad, {"initial_accumulator_value": -1}, "initial_accumulator_value must be >= 0"),
    (Adagrad, {"eps": -1e-10}, "eps must be >= 0"),
    (RMSprop, {"alpha": 1.5}, r"alpha must lie in \[0, 1\], but got 1.5"),
    (RMSprop, {"alpha": -0.1}, "alpha must lie in"),
    (RMSprop, {"momentum": -0.1}, "momentum must be >= 0"),
    (Adadelta, {"rho": 1.1}, r"rho must lie in \[0, 1\]"),
    (Adadelta, {"lr": -1.0}, "lr must be >= 0"),
    (Adam, {"betas": (1.0, 0.999)}, r"betas\[0\] must lie in \[0, 1\), but got 1.0"),
    (Adam, {"betas": (0.9, -0.1)}, r"betas\[1\] must lie in \[0, 1\)"),
    (Adam, {"betas": 0.9}, r"betas must be a pair \(beta1, beta2\)"),
    (Adam, {"betas": (0.9, 0.99, 0.999)}, "betas must be a pair"),
    (Adamax, {"betas": (0.9, 1.0)}, r"betas\[1\]"),
    (Adamax, {"eps": -1.0}, "eps must be >= 0"),
    (NAdam, {"momentum_decay": -0.1}, "momentum_decay must be >= 0"),
    (NAdam, {"weight_decay": -0.1}, "weight_decay must be >= 0"),
])
def test_invalid_hyperparameters_raise_and_name_themselves(cls, options, message):
    with pytest.raises(ValueError, match=message):
        cls([Parameter([1.0])], **options)
    # The same value in a parameter group is caught too.
    with pytest.raises(ValueError, match=message):
        cls([{"params": [Parameter([1.0])], **options}])


def test_non_numeric_hyperparameter_is_a_type_error():
    with pytest.raises(TypeError, match="lr must be a single real number"):
        SGD([Parameter([1.0])], lr="0.1")


@pytest.mark.parametrize("params, error, message", [
    (Parameter([1.0]), TypeError, "wrap it in a list"),
    (np.ones(3), TypeError, "wrap it in a list"),
    ({"params": []}, TypeError, "wrap it in a list"),
    (3.0, TypeError, "list of Parameters"),
    ([], ValueError, "empty parameter list"),
    ([np.ones(3)], TypeError, "ndarray; wrap the array in a Parameter"),
    ([[1.0, 2.0]], TypeError, "one of the params is a list"),
    ([{"params": {Parameter([1.0])}}], TypeError, "not a set"),
    ([{"lr": 0.1}], ValueError, "needs a 'params' key"),
])
def test_invalid_params_raise(params, error, message):
    with pytest.raises(error, match=message):
        SGD(params, lr=0.1)


def test_a_parameter_twice_is_an_error():
    w = Parameter([1.0])
    with pytest.raises(ValueError, match="same parameter twice"):
        SGD([w, w], lr=0.1)
    with pytest.raises(ValueError, match="more than one parameter group"):
        SGD([{"params": [w]}, {"params": [w]}], lr=0.1)
    optimizer = SGD([w], lr=0.1)
    with pytest.raises(ValueError, match="more than one parameter group"):
        optimizer.add_param_group({"params": [w]})


def test_a_group_must_be_a_dict():
    optimizer = SGD([Parameter([1.0])], lr=0.1)
    with pytest.raises(TypeError, match="must be a dict"):
        optimizer.add_param_group([Parameter([1.0])])


@pytest.mark.parametrize("grad, message", [
    (np.ones(2), r"shape \(3,\) has a gradient of shape \(2,\)"),
    (np.ones((3, 1)), r"shape \(3, 1\)"),
    (np.ones(3, dtype=np.float32), "dtype float64 has a gradient of dtype float32"),
])
def test_a_gradient_that_does_not_fit_its_parameter_raises(grad, message):
    w = Parameter(np.ones(3))
    optimizer = Adam([w])
    w.grad = grad
    with pytest.raises(ValueError, match=message):
        optimizer.step()


def test_the_base_class_has_no_algorithm():
    optimizer = Optimizer([Parameter([1.0])], {})
    optimizer.param_groups[0]["params"][0].grad = np.array([1.0])
    with pytest.raises(NotImplementedError):
        optimizer.step()


# --------------------------------------------------------------------------
# 4. Dtypes, in-place updates, no warnings, docs, import
# --------------------------------------------------------------------------


@pytest.mark.parametrize("name", list(CASES))
def test_float32_stays_float32_and_updates_in_place(name):
    options = {"lr": np.float64(LR[name]), **CASES[name][-1]}
    w = Parameter(np.ones((2, 3), dtype=np.float32))
    data = w.data
    optimizer = getattr(anncourse.optim, name)([w], **options)
    for _ in range(3):
        w.grad = np.full((2, 3), 0.5, dtype=np.float32)
        optimizer.step()
    assert w.data is data and w.data.dtype == np.float32
    assert not np.array_equal(w.data, np.ones((2, 3)))
    for value in optimizer.state[w].values():
        if isinstance(value, np.ndarray):
            assert value.dtype == np.float32


@pytest.mark.parametrize("name", list(CASES))
def test_zero_gradients_with_default_settings_give_no_warning(name):
    w = Parameter(np.zeros(3))
    optimizer = getattr(anncourse.optim, name)([w])
    with warnings.catch_warnings():
        warnings.simplefilter("error")
        for _ in range(3):
            w.grad = np.zeros(3)
            optimizer.step()
    assert np.array_equal(w.data, np.zeros(3))


def test_centered_rmsprop_stays_finite():
    # v - a^2 is a variance, mathematically >= 0. After many steps of a
    # constant gradient it is 0 up to rounding, about -1e-15 in some
    # coordinates, where PyTorch's sqrt returns NaN. Ours clamps it at 0.
    g = np.random.default_rng(1).normal(size=50)
    w = Parameter(np.zeros(50))
    optimizer = RMSprop([w], lr=1e-3, alpha=0.9, centered=True)
    with warnings.catch_warnings():
        warnings.simplefilter("error")
        for _ in range(500):
            w.grad = g.copy()
            optimizer.step()
    assert np.isfinite(w.data).all()

    # With alpha = 0 the variance is exactly 0: the step is lr * g / eps.
    w = Parameter(np.zeros(50))
    optimizer = RMSprop([w], lr=1e-3, alpha=0.0, eps=0.5, centered=True)
    w.grad = g.copy()
    optimizer.step()
    np.testing.assert_allclose(w.data, -1e-3 * g / 0.5, rtol=1e-15)


def test_import_does_not_load_torch():
    code = ("import sys, anncourse.optim\n"
            "heavy = [m for m in ('torch', 'matplotlib') if m in sys.modules]\n"
            "assert not heavy, heavy")
    subprocess.run([sys.executable, "-c", code], check=True)


def test_public_names():
    assert set(anncourse.optim.__all__) == {
        "Optimizer", "SGD", "Adagrad", "RMSprop", "Adadelta", "Adam", "Adamax", "NAdam",
        "MomentumEMA", "NesterovLookahead", "AdagradEpsInsideSqrt", "RMSpropEpsInsideSqrt",
        "AdadeltaOriginal", "NadamDozat"}
