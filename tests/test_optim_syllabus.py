"""Tests for anncourse.optim.syllabus: the syllabus's forms of the optimizers.

For each variant, the tests check the claim its docstring makes about the
PyTorch form: where the two agree (to RTOL64, as in test_optim.py: the
same arithmetic up to the rounding of single operations), and that where
they are said to differ, they do (by far more than rounding: at least
1e-3 here).

Runs on the convex problem of test_optim.py are "closed loop" (each
optimizer takes the gradient at its own parameters) where the dynamics is
not chaotic (momentum SGD, Adadelta), and "open loop" (one gradient
sequence fed to both) otherwise; test_optim.py explains why.
"""

import warnings

import numpy as np
import pytest
import torch
from hypothesis import given, settings
from hypothesis import strategies as st

from anncourse.nn.parameter import Parameter
from anncourse.optim import (
    SGD,
    Adadelta,
    AdadeltaOriginal,
    Adagrad,
    AdagradEpsInsideSqrt,
    MomentumEMA,
    NadamDozat,
    NesterovLookahead,
    RMSprop,
    RMSpropEpsInsideSqrt,
)
from test_optim import ATOL64, PROBLEM, RTOL64, flat, torch_default_dtype

STEPS = 300
DIFFERENT = 1e-3


def new_params(problem=PROBLEM, dtype=np.float64):
    return [Parameter(np.array(s, dtype=dtype)) for s in problem.starts]


def run(optimizer_cls, options, steps=STEPS, gradients=None, problem=PROBLEM):
    """Our optimizer's trajectory on ``problem`` (one row per step).

    ``gradients`` (a list of per-step lists of arrays) replaces the
    problem's gradients: the open loop.
    """
    params = new_params(problem)
    optimizer = optimizer_cls(params, **options)
    path = []
    for t in range(steps):
        for i, p in enumerate(params):
            p.grad = problem.grad(i, p.data) if gradients is None else gradients[t][i].copy()
        optimizer.step()
        path.append(flat(p.data for p in params))
    return np.array(path), params, optimizer


def run_torch(name, options, steps=STEPS, gradients=None, problem=PROBLEM):
    """PyTorch's trajectory, in float64, closed or open loop as :func:`run`."""
    with torch_default_dtype(torch.float64):
        params = [torch.tensor(s, requires_grad=True) for s in problem.starts]
        optimizer = getattr(torch.optim, name)(params, **options, foreach=False)
        path = []
        for t in range(steps):
            for i, q in enumerate(params):
                g = (problem.grad(i, q.detach().numpy()) if gradients is None
                     else gradients[t][i])
                q.grad = torch.from_numpy(np.array(g))
            optimizer.step()
            path.append(flat(q.detach().numpy() for q in params))
    return np.array(path)


def random_gradients(seed, steps=STEPS, scale=1.0):
    """A seeded gradient sequence that does not depend on the parameters."""
    rng = np.random.default_rng(seed)
    return [[np.asarray(scale * rng.normal(size=np.shape(s))) for s in PROBLEM.starts]
            for _ in range(steps)]


def gradients_along(optimizer_cls, options, steps=STEPS):
    """The gradients our optimizer meets on the convex problem."""
    params = new_params()
    optimizer = optimizer_cls(params, **options)
    gradients = []
    for _ in range(steps):
        for i, p in enumerate(params):
            p.grad = PROBLEM.grad(i, p.data)
        gradients.append([p.grad.copy() for p in params])
        optimizer.step()
    return gradients


# --------------------------------------------------------------------------
# MomentumEMA: v = beta v + (1 - beta) g
# --------------------------------------------------------------------------


@pytest.mark.parametrize("beta", [0.5, 0.9, 0.99])
def test_ema_momentum_is_sgd_momentum_with_lr_scaled_by_one_minus_beta(beta):
    lr = 0.5
    ema, *_ = run(MomentumEMA, {"lr": lr, "beta": beta})
    sgd, *_ = run(SGD, {"lr": lr * (1 - beta), "momentum": beta})
    theirs = run_torch("SGD", {"lr": lr * (1 - beta), "momentum": beta})
    assert np.abs(ema[-1] - ema[0]).max() > 0.5
    np.testing.assert_allclose(ema, sgd, rtol=RTOL64, atol=ATOL64)
    np.testing.assert_allclose(ema, theirs, rtol=RTOL64, atol=ATOL64)


@settings(max_examples=30, deadline=None)
@given(lr=st.floats(0, 2), beta=st.floats(0, 0.99), seed=st.integers(0, 2**32 - 1))
def test_ema_momentum_equivalence_for_any_gradients(lr, beta, seed):
    gradients = random_gradients(seed, steps=50)
    ema, *_ = run(MomentumEMA, {"lr": lr, "beta": beta}, steps=50, gradients=gradients)
    sgd = run_torch("SGD", {"lr": lr * (1 - beta), "momentum": beta}, steps=50,
                    gradients=gradients)
    np.testing.assert_allclose(ema, sgd, rtol=RTOL64, atol=ATOL64 * (1 + np.abs(sgd).max()))


def test_dampening_beta_differs_from_ema_by_the_first_step():
    # Same formula b = beta b + (1 - beta) g, but PyTorch starts with b_1 = g_1:
    # its buffer is v_t + beta^t g_1, for any gradient sequence.
    beta = 0.9
    gradients = random_gradients(seed=3, steps=50)
    w_ema, w_sgd = Parameter(np.zeros(3)), Parameter(np.zeros(3))
    ema = MomentumEMA([w_ema], lr=0.1, beta=beta)
    sgd = SGD([w_sgd], lr=0.1, momentum=beta, dampening=beta)
    for t, step_gradients in enumerate(gradients, start=1):
        w_ema.grad, w_sgd.grad = step_gradients[0].copy(), step_gradients[0].copy()
        ema.step()
        sgd.step()
        np.testing.assert_allclose(
            sgd.state[w_sgd]["momentum_buffer"],
            ema.state[w_ema]["velocity"] + beta**t * gradients[0][0],
            rtol=1e-12, atol=1e-14)

    # On the convex problem the trajectories part.
    ema_path, *_ = run(MomentumEMA, {"lr": 0.05, "beta": beta})
    sgd_path, *_ = run(SGD, {"lr": 0.05, "momentum": beta, "dampening": beta})
    assert np.abs(ema_path - sgd_path).max() > DIFFERENT


# --------------------------------------------------------------------------
# NesterovLookahead: the gradient at theta - lr * beta * v
# --------------------------------------------------------------------------


def lookahead_run(lr, beta, steps=STEPS):
    """NesterovLookahead on the problem: parameters, velocities, gradient points."""
    params = new_params()
    optimizer = NesterovLookahead(params, lr=lr, momentum=beta)
    points = []

    def closure():
        optimizer.zero_grad()
        points.append(flat(p.data for p in params))
        for i, p in enumerate(params):
            p.accumulate_grad(PROBLEM.grad(i, p.data))
        return 0.0

    thetas, velocities = [], []
    for _ in range(steps):
        optimizer.step(closure)
        thetas.append(flat(p.data for p in params))
        velocities.append(flat(optimizer.state[p]["velocity"] for p in params))
    return np.array(thetas), np.array(velocities), np.array(points)


@pytest.mark.parametrize("lr, beta", [(0.05, 0.9), (0.1, 0.5), (0.02, 0.99)])
def test_lookahead_nag_is_torch_nesterov_after_a_change_of_variables(lr, beta):
    thetas, velocities, points = lookahead_run(lr, beta)
    theirs = run_torch("SGD", {"lr": lr, "momentum": beta, "nesterov": True})
    assert np.abs(thetas[-1] - thetas[0]).max() > 0.5
    # After every step PyTorch's parameters are our look-ahead point phi.
    phi = thetas - lr * beta * velocities
    np.testing.assert_allclose(phi, theirs, rtol=RTOL64, atol=ATOL64)
    # And the gradients are taken at the same points: ours at phi, theirs at
    # their parameters before the step.
    np.testing.assert_allclose(points[1:], theirs[:-1], rtol=RTOL64, atol=ATOL64)
    np.testing.assert_array_equal(points[0], flat(PROBLEM.starts))


def test_lookahead_nag_differs_from_plain_momentum():
    thetas, *_ = lookahead_run(0.05, 0.9)
    heavy_ball, *_ = run(SGD, {"lr": 0.05, "momentum": 0.9})
    assert np.abs(thetas - heavy_ball).max() > DIFFERENT


def test_lookahead_nag_needs_a_closure():
    w = Parameter([1.0])
    with pytest.raises(TypeError, match="needs a closure"):
        NesterovLookahead([w], lr=0.1).step()


def test_lookahead_nag_puts_back_a_parameter_without_gradient():
    w, b = Parameter([1.0]), Parameter([2.0])
    optimizer = NesterovLookahead([w, b], lr=0.1, momentum=0.9)

    def closure():
        optimizer.zero_grad()
        w.accumulate_grad(2 * w.data)   # b gets no gradient
        return 0.0

    for _ in range(3):
        optimizer.step(closure)
    assert b.data[0] == 2.0
    assert w.data[0] != 1.0


# --------------------------------------------------------------------------
# AdadeltaOriginal: Zeiler's algorithm, no learning rate
# --------------------------------------------------------------------------


@pytest.mark.parametrize("rho, eps", [(0.95, 1e-6), (0.9, 1e-6), (0.5, 1e-3)])
def test_original_adadelta_is_torch_adadelta_with_lr_one(rho, eps):
    original, *_ = run(AdadeltaOriginal, {"rho": rho, "eps": eps})
    ours, *_ = run(Adadelta, {"lr": 1.0, "rho": rho, "eps": eps})
    theirs = run_torch("Adadelta", {"lr": 1.0, "rho": rho, "eps": eps})
    assert np.abs(original[-1] - original[0]).max() > 0.5
    np.testing.assert_allclose(original, ours, rtol=RTOL64, atol=ATOL64)
    np.testing.assert_allclose(original, theirs, rtol=RTOL64, atol=ATOL64)


def test_torch_adadelta_lr_scales_the_steps_but_not_the_accumulators():
    # Fed the same gradients, PyTorch's Adadelta with lr = 0.5 moves exactly
    # half as far as the original: the accumulators see the unscaled steps.
    gradients = random_gradients(seed=5)
    original, *_ = run(AdadeltaOriginal, {"rho": 0.9}, gradients=gradients)
    half = run_torch("Adadelta", {"lr": 0.5, "rho": 0.9}, gradients=gradients)
    start = flat(PROBLEM.starts)
    np.testing.assert_allclose(half - start, 0.5 * (original - start),
                               rtol=RTOL64, atol=ATOL64)

    # On the problem the gradients depend on where the steps led: the
    # trajectory is not the original's with halved steps.
    original, *_ = run(AdadeltaOriginal, {"rho": 0.9})
    half = run_torch("Adadelta", {"lr": 0.5, "rho": 0.9})
    assert np.abs((half - start) - 0.5 * (original - start)).max() > DIFFERENT


# --------------------------------------------------------------------------
# eps inside the square root: Adagrad and RMSprop
# --------------------------------------------------------------------------

EPS_VARIANTS = [
    (AdagradEpsInsideSqrt, Adagrad, {}, 1.0),
    (RMSpropEpsInsideSqrt, RMSprop, {"alpha": 0.9}, 0.1),   # first step: E = 0.1 g^2
]


@pytest.mark.parametrize("variant, torch_form, options, weight", EPS_VARIANTS)
@settings(max_examples=50, deadline=None)
@given(log_g=st.floats(-8, 4), log_eps=st.floats(-12, -2), negative=st.booleans())
def test_eps_inside_sqrt_first_step_is_within_the_bound(variant, torch_form, options,
                                                         weight, log_g, log_eps,
                                                         negative):
    g, eps = (-1) ** negative * 10.0**log_g, 10.0**log_eps
    steps = []
    for cls in (torch_form, variant):
        w = Parameter([0.0])
        optimizer = cls([w], lr=1.0, eps=eps, **options)
        w.grad = np.array([g])
        optimizer.step()
        steps.append(-w.data[0])
    G = weight * g * g
    bound = eps * (1 / np.sqrt(G) + 1 / G)
    # 1e-15: the two steps are themselves rounded.
    assert abs(steps[0] / steps[1] - 1) <= bound * (1 + 1e-12) + 1e-15


def steps_taken(cls, options, gradients):
    """The step vector of each update, fed ``gradients``, starting from 0.

    Without weight decay the parameters do not enter the update, so they
    are put back to 0 after each step and read off as the step exactly.
    """
    params = [Parameter(np.zeros(np.shape(s))) for s in PROBLEM.starts]
    optimizer = cls(params, **options)
    steps, accumulators = [], []
    for step_gradients in gradients:
        for p, g in zip(params, step_gradients):
            p.grad = g.copy()
        optimizer.step()
        steps.append(flat(-p.data for p in params))
        accumulators.append(flat(next(iter(
            v for k, v in optimizer.state[p].items() if k in ("sum", "square_avg")))
            for p in params))
        for p in params:
            p.data[...] = 0
    return np.array(steps), np.array(accumulators)


@pytest.mark.parametrize("variant, torch_form, options, weight", EPS_VARIANTS)
def test_eps_inside_sqrt_steps_obey_the_bound_along_a_run(variant, torch_form, options,
                                                          weight):
    # Along a real run, including its end where gradients pass through 0,
    # every step of the two forms is within the bound of the docstring, which
    # is computed from the accumulator G (the same for both).
    lr = 0.3 if torch_form is Adagrad else 0.01
    gradients = gradients_along(torch_form, {"lr": lr, **options})
    outside, G = steps_taken(torch_form, {"lr": lr, **options}, gradients)
    inside, G_inside = steps_taken(variant, {"lr": lr, **options}, gradients)
    np.testing.assert_array_equal(G, G_inside)
    eps = torch_form([Parameter([0.0])]).defaults["eps"]
    moved = inside != 0
    bound = eps * (1 / np.sqrt(G[moved]) + 1 / G[moved])
    assert np.all(np.abs(outside[moved] / inside[moved] - 1) <= bound + 1e-14)


def test_adagrad_eps_inside_sqrt_stays_close_once_a_gradient_was_large():
    # G only grows: after a first gradient far above sqrt(eps) = 1e-5 the
    # bound stays below eps / |g_1| ~ 1e-10 per step, for ever, even as the
    # gradients go to 0 near the minimum.
    gradients = gradients_along(Adagrad, {"lr": 0.3})
    inside, *_ = run(AdagradEpsInsideSqrt, {"lr": 0.3}, gradients=gradients)
    outside, *_ = run(Adagrad, {"lr": 0.3}, gradients=gradients)
    np.testing.assert_allclose(inside, outside, rtol=1e-7)


@pytest.mark.parametrize("variant, torch_form, options, weight", EPS_VARIANTS)
def test_eps_inside_sqrt_differs_for_gradients_below_sqrt_eps(variant, torch_form,
                                                              options, weight):
    # g = 1e-6 is below sqrt(eps) for both defaults: PyTorch's first step is
    # about lr, the syllabus form's about lr * |g| / sqrt(eps).
    steps = []
    for cls in (torch_form, variant):
        w = Parameter([0.0])
        optimizer = cls([w], lr=1.0, **options)
        w.grad = np.array([1e-6])
        optimizer.step()
        steps.append(-w.data[0])
    assert steps[0] > 0.9 * np.sqrt(1 / weight) and steps[1] < 0.2


@pytest.mark.parametrize("variant, torch_form, options, weight", EPS_VARIANTS)
def test_eps_inside_sqrt_equals_torch_form_when_eps_is_zero(variant, torch_form,
                                                            options, weight):
    gradients = random_gradients(seed=7, steps=50)
    inside, *_ = run(variant, {"lr": 0.01, "eps": 0.0, **options}, steps=50,
                     gradients=gradients)
    outside, *_ = run(torch_form, {"lr": 0.01, "eps": 0.0, **options}, steps=50,
                      gradients=gradients)
    np.testing.assert_allclose(inside, outside, rtol=RTOL64, atol=ATOL64)


# --------------------------------------------------------------------------
# NadamDozat: m decays with the scheduled momentum
# --------------------------------------------------------------------------


@pytest.mark.parametrize("momentum_decay", [4e-3, 0.05])
def test_dozat_nadam_equals_torch_nadam_when_beta1_is_zero(momentum_decay):
    options = {"lr": 0.05, "betas": (0.0, 0.999), "momentum_decay": momentum_decay}
    gradients = gradients_along(NadamDozat, options)
    dozat, *_ = run(NadamDozat, options, gradients=gradients)
    theirs = run_torch("NAdam", options, gradients=gradients)
    np.testing.assert_allclose(dozat, theirs, rtol=RTOL64, atol=ATOL64)


@pytest.mark.parametrize("betas", [(0.9, 0.999), (0.5, 0.9)])
def test_dozat_nadam_differs_from_torch_nadam_otherwise(betas):
    options = {"lr": 0.05, "betas": betas}
    gradients = gradients_along(NadamDozat, options)
    dozat, *_ = run(NadamDozat, options, gradients=gradients)
    theirs = run_torch("NAdam", options, gradients=gradients)
    assert np.abs(dozat - theirs).max() > DIFFERENT
    assert not np.allclose(dozat[0], theirs[0], rtol=1e-6)   # from the first step


def test_dozat_bias_correction_is_exact_for_a_constant_gradient():
    # Dozat: m_t = (1 - mu_1 ... mu_t) g exactly; PyTorch: m_t = (1 - beta1^t) g,
    # although it corrects with the same products.
    g = np.array([3.0, -0.5])
    w, v = Parameter(np.zeros(2)), Parameter(np.zeros(2))
    dozat = NadamDozat([w], lr=0.01)
    with torch_default_dtype(torch.float64):
        q = torch.zeros(2, dtype=torch.float64, requires_grad=True)
        theirs = torch.optim.NAdam([q], lr=0.01, foreach=False)
        for t in range(1, 51):
            w.grad = g.copy()
            q.grad = torch.from_numpy(g.copy())
            dozat.step()
            theirs.step()
            product = dozat.state[w]["mu_product"]
            np.testing.assert_allclose(dozat.state[w]["exp_avg"], (1 - product) * g,
                                       rtol=1e-12)
            np.testing.assert_allclose(theirs.state[q]["exp_avg"].numpy(),
                                       (1 - 0.9**t) * g, rtol=1e-12)
            assert theirs.state[q]["mu_product"].item() == pytest.approx(product, rel=1e-12)


# --------------------------------------------------------------------------
# All variants: validation, dtype, no warnings
# --------------------------------------------------------------------------

VARIANTS = [MomentumEMA, NesterovLookahead, AdagradEpsInsideSqrt, RMSpropEpsInsideSqrt,
            AdadeltaOriginal, NadamDozat]


@pytest.mark.parametrize("cls, options, message", [
    (MomentumEMA, {"beta": 1.0}, r"beta must lie in \[0, 1\)"),
    (MomentumEMA, {"lr": -1.0}, "lr must be >= 0"),
    (NesterovLookahead, {"momentum": -0.1}, "momentum must be >= 0"),
    (AdagradEpsInsideSqrt, {"eps": -1.0}, "eps must be >= 0"),
    (RMSpropEpsInsideSqrt, {"alpha": 2.0}, r"alpha must lie in \[0, 1\]"),
    (AdadeltaOriginal, {"rho": -0.5}, r"rho must lie in \[0, 1\]"),
    (NadamDozat, {"betas": (0.9, 1.0)}, r"betas\[1\] must lie in \[0, 1\)"),
    (NadamDozat, {"momentum_decay": -1.0}, "momentum_decay must be >= 0"),
])
def test_variants_validate_their_hyperparameters(cls, options, message):
    with pytest.raises(ValueError, match=message):
        cls([Parameter([1.0])], **options)


@pytest.mark.parametrize("cls", VARIANTS)
def test_variants_keep_float32_update_in_place_and_warn_nothing(cls):
    w = Parameter(np.ones(4, dtype=np.float32))
    data = w.data
    optimizer = cls([w])

    def closure():
        optimizer.zero_grad()
        w.accumulate_grad(np.array([0.5, -0.5, 0.0, 2.0], dtype=np.float32))
        return 0.0

    with warnings.catch_warnings():
        warnings.simplefilter("error")
        for _ in range(3):
            optimizer.step(closure)
    assert w.data is data and w.data.dtype == np.float32
    assert w.data[2] == 1.0 and w.data[0] != 1.0
    for value in optimizer.state[w].values():
        if isinstance(value, np.ndarray):
            assert value.dtype == np.float32
