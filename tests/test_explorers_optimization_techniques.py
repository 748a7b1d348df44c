"""Chapter 06's explorers and its reference, anncourse.optimization: true numbers (PyTorch as the
oracle), callbacks that redraw and fail loudly, a colour-blind-safe palette. The chapter's
explorer cells (a question and a still figure) are checked in tests/test_course_registry.py."""
from __future__ import annotations

import math
import subprocess
import sys

import numpy as np
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from anncourse import optimization as opt

FACTORIES = ["momentum_explorer", "layer_gradient_explorer"]
OKABE_ITO = {"#e69f00", "#56b4e9", "#009e73", "#f0e442", "#0072b2", "#d55e00", "#cc79a7", "#000000"}


def _module():
    from anncourse.explorers import optimization_techniques

    return optimization_techniques


def test_import_does_not_load_matplotlib_or_torch():
    code = ("import sys, anncourse.explorers.optimization_techniques, anncourse.optimization\n"
            "heavy = [m for m in ('matplotlib', 'ipywidgets', 'torch') if m in sys.modules]\n"
            "assert not heavy, heavy")
    subprocess.run([sys.executable, "-c", code], check=True)


# --- the reference against PyTorch and against the 2x2 matrix ----------------------------

def _torch_path(lr, beta, lam, start, steps, nesterov):
    import torch

    x = torch.tensor(start, dtype=torch.float64, requires_grad=True)
    h = torch.tensor(lam, dtype=torch.float64)
    sgd = torch.optim.SGD([x], lr=lr, momentum=beta, nesterov=nesterov)
    path = [x.detach().clone().numpy()]
    for _ in range(steps):
        sgd.zero_grad()
        (0.5 * (h * x * x).sum()).backward()
        sgd.step()
        path.append(x.detach().clone().numpy())
    return np.array(path)


@pytest.mark.parametrize("nesterov", [False, True])
def test_descent_path_is_torch_sgd(nesterov):
    lam, start = [0.05, 1.0], [-4.0, 0.8]
    ours = opt.descent_path(0.9, 0.8, lam, start, 60, nesterov=nesterov)
    # Same arithmetic in another order: agreement to rounding (~1e-15 relative, 60 steps).
    np.testing.assert_allclose(ours, _torch_path(0.9, 0.8, lam, start, 60, nesterov), rtol=1e-12,
                               atol=1e-14)


@pytest.mark.parametrize("nesterov", [False, True])
@pytest.mark.parametrize("lr, beta", [(0.5, 0.5), (1.8, 0.3), (2.67, 0.4), (0.1, 0.95)])
def test_heavy_ball_rate_is_what_the_path_shows(lr, beta, nesterov):
    lam = [1 / 20, 1.0]
    rate = opt.heavy_ball_rate(lr, beta, lam, nesterov=nesterov)
    path = opt.descent_path(lr, beta, lam, [-4.0, 0.8], 400, nesterov=nesterov)
    observed = _module().observed_rate(np.linalg.norm(path, axis=1))
    # A finite run sees the asymptotic rate up to the polynomial factor of a double root
    # (k * r^k at Polyak's optimum) and the oscillation of complex roots: 2 % covers both.
    assert observed == pytest.approx(rate, rel=0.02)


def _spectral_radius(a, beta):
    return max(abs(np.linalg.eigvals(np.array([[1 + beta - a, -beta], [1.0, 0.0]]))))


@settings(max_examples=300, deadline=None)
@given(st.floats(-3, 8), st.floats(-1.8, 1.8))
def test_momentum_stable_is_the_spectral_radius_below_one(a, beta):
    # Off the boundary only: there the radius is 1 and eigvals rounds either way.
    if min(abs(a), abs(a - 2 * (1 + beta)), abs(abs(beta) - 1)) < 1e-6:
        return
    assert opt.momentum_stable(a, beta) == (_spectral_radius(a, beta) < 1)


def test_momentum_stable_on_arrays_and_at_the_edges():
    assert opt.momentum_stable([0.0, 1e-9, 3.8, 3.79], 0.9).tolist() == [False, True, False, True]
    assert opt.momentum_stable(1.0, 1.0) is False and opt.momentum_stable(1.0, -0.99) is False
    assert opt.momentum_stable(0.01, -0.99) is True        # 0 < 0.01 < 2 (1 - 0.99) = 0.02


def test_the_numbers_the_chapter_prints():
    assert opt.optimal_gd_lr([0.2, 4.0]) == pytest.approx(2 / 4.2, rel=1e-15)
    assert opt.gd_rate(2 / 4.2, [0.2, 4.0]) == pytest.approx(19 / 21, rel=1e-14)
    assert opt.chain_gradient_factor("sigmoid", 10, 1.0) == pytest.approx(0.25 ** 10, rel=1e-15)
    lr, beta, rate = opt.optimal_momentum([0.2, 4.0])
    assert rate == pytest.approx(math.sqrt(beta), rel=1e-12)
    assert opt.heavy_ball_rate(lr, beta, [0.2, 4.0]) == pytest.approx(rate, rel=1e-6)


def test_bad_input_is_refused_with_a_clear_error():
    with pytest.raises(ValueError, match="positive"):
        opt.optimal_gd_lr([0.0, 1.0])
    with pytest.raises(ValueError, match="at least one"):
        opt.gd_rate(0.1, [])
    with pytest.raises(ValueError, match="'sigmoid', 'tanh', 'identity'"):
        opt.chain_gradient_factor("relu", 3, 1.0)
    with pytest.raises(ValueError, match="depth"):
        opt.chain_gradient_factor("tanh", 0, 1.0)
    with pytest.raises(ValueError, match="max_norm"):
        opt.clip_grad_norm([np.ones(2)], -1.0)
    with pytest.raises(ValueError, match="lr"):
        opt.gd_rate(float("nan"), [1.0])


_ARRAYS = st.lists(st.tuples(st.integers(1, 4), st.integers(1, 3), st.floats(-3, 3)), min_size=1,
                   max_size=4)


@settings(max_examples=60, deadline=None)
@given(_ARRAYS, st.floats(1e-3, 50), st.integers(0, 2**31 - 1))
def test_clip_grad_norm_is_torch_clip_grad_norm_(shapes, max_norm, seed):
    import torch

    rng = np.random.default_rng(seed)
    grads = [rng.normal(size=(r, c)) * 10.0 ** e for r, c, e in shapes]
    params = [torch.zeros(g.shape, dtype=torch.float64, requires_grad=True) for g in grads]
    for p, g in zip(params, grads):
        p.grad = torch.tensor(g)
    total = torch.nn.utils.clip_grad_norm_(params, max_norm)
    before = [g.copy() for g in grads]
    ours = opt.clip_grad_norm(grads, max_norm)
    for o, p, b, g in zip(ours, params, before, grads):
        # The same formula, float64 throughout: ~1e-15 relative.
        np.testing.assert_allclose(o, p.grad.numpy(), rtol=1e-12, atol=0)
        np.testing.assert_array_equal(g, b)                 # the input is left alone
    assert opt.global_norm(grads) == pytest.approx(float(total), rel=1e-12)


# --- layer gradients against autograd ----------------------------------------------------

@pytest.mark.parametrize("activation", ["sigmoid", "tanh", "relu"])
@pytest.mark.parametrize("residual", [False, True])
def test_layer_gradient_norms_are_autograd(activation, residual):
    import torch

    depth, scale, width, batch = 6, 1.3, 8, 5
    ours = _module().layer_gradient_norms(depth, scale, activation, residual=residual, width=width,
                                          batch=batch, random_state=3)
    # The same draws, in the same order, as the function documents.
    rng = np.random.default_rng(3)
    x = torch.tensor(rng.normal(size=(batch, width)))
    r = rng.normal(size=width)
    r = torch.tensor(r / np.linalg.norm(r))
    Ws = [torch.tensor(rng.normal(size=(width, width)) * scale / math.sqrt(width), requires_grad=True)
          for _ in range(depth)]
    f = {"sigmoid": torch.sigmoid, "tanh": torch.tanh, "relu": torch.relu}[activation]
    a = x
    for W in Ws:
        a = a + f(a @ W) if residual else f(a @ W)
    (a @ r).mean().backward()
    expected = [float(W.grad.norm()) for W in Ws]
    np.testing.assert_allclose(ours, expected, rtol=1e-10)


def test_layer_gradient_norms_show_the_textbook_effects():
    norms = _module().layer_gradient_norms
    sigmoid = norms(20, 1.0, "sigmoid")
    assert sigmoid[0] / sigmoid[-1] < 1e-10                  # vanishing
    he = norms(20, math.sqrt(2), "relu")
    assert 0.05 < he[0] / he[-1] < 20                        # roughly flat
    big = norms(20, 3.0, "relu")
    assert big[0] > 1e6                                      # exploding
    # Clipping rescales every layer by one factor: the first/last ratio cannot change.
    box = _module().layer_gradient_explorer(depth=20, weight_scale=1.0, activation="sigmoid",
                                            max_norm=1e-3)
    n = box.explorer.numbers(**box.explorer.values())
    assert n["scale"] < 1
    assert n["clipped"][0] / n["clipped"][-1] == pytest.approx(n["raw"][0] / n["raw"][-1], rel=1e-12)
    assert math.sqrt(np.sum(n["clipped"] ** 2)) == pytest.approx(1e-3, rel=1e-5)


# --- the widgets ------------------------------------------------------------------------

def _other_values(control):
    if hasattr(control, "options"):
        return [o for o in control.options if o != control.value]
    return [v for v in (control.min, control.max) if v != control.value] if not hasattr(
        control, "base") else [control.base ** control.min, control.base ** control.max]


@pytest.mark.parametrize("factory", FACTORIES)
def test_every_control_redraws(factory):
    import ipywidgets as w

    box = getattr(_module(), factory)()
    assert isinstance(box, w.VBox) and box.controls
    assert bytes(box.image.value).startswith(b"\x89PNG") and box.readout.value
    for control in box.controls.values():
        for new in _other_values(control):
            before = (bytes(box.image.value), box.readout.value)
            control.value = new
            assert (bytes(box.image.value), box.readout.value) != before, (factory, new)


@pytest.mark.parametrize("factory, control, value", [("momentum_explorer", "beta", 0.3),
                                                     ("layer_gradient_explorer", "depth", 5)])
def test_errors_in_a_callback_propagate(monkeypatch, factory, control, value):
    box = getattr(_module(), factory)()

    def broken(*args, **kwargs):
        raise RuntimeError("boom")

    monkeypatch.setattr(box.explorer, "draw", broken)
    with pytest.raises(RuntimeError, match="boom"):
        box.controls[control].value = value


def test_no_pyplot_figures_are_left_behind():
    import matplotlib.pyplot as plt

    before = plt.get_fignums()
    for factory in FACTORIES:
        getattr(_module(), factory)().update()
    assert plt.get_fignums() == before


def test_readouts_state_the_numbers_of_the_start_position():
    m = _module()
    box = m.momentum_explorer(lr=2 / 4.2 * 4, beta=0.0, kappa=20)   # GD at its best step
    assert "0.9048" in box.readout.value                            # (20 - 1) / (20 + 1)
    assert "0.6345" in box.readout.value                            # Polyak's best rate
    box.controls["lr"].value = 3.5
    box.controls["beta"].value = 0.9
    assert "diverges" not in box.readout.value                      # 3.5 < 2 (1 + 0.9)
    box.controls["beta"].value = 0.5
    assert "diverges" in box.readout.value                          # 3.5 > 2 (1 + 0.5)
    layers = m.layer_gradient_explorer(depth=20, weight_scale=1.0, activation="sigmoid", max_norm=1.0)
    assert "1.123e−13" in layers.readout.value                      # first / last, sigmoid, g = 1


@pytest.mark.parametrize("factory", FACTORIES)
def test_palette_is_colour_blind_safe_with_distinct_line_styles(factory):
    from matplotlib.colors import to_hex, to_rgb

    box = getattr(_module(), factory)()
    fig = box.explorer.draw(**box.explorer.values())
    for ax in fig.axes:
        styles = []
        for line in ax.lines:
            r, g, b = to_rgb(line.get_color())
            assert max(r, g, b) - min(r, g, b) < 1e-6 or to_hex(line.get_color()) in OKABE_ITO, \
                to_hex(line.get_color())
            if not line.get_label().startswith("_") and len(line.get_xdata()) > 2:
                styles.append(line.get_linestyle())
        assert len(styles) == len(set(styles)) >= 2, (factory, styles)
