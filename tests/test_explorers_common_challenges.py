"""Chapter 15's explorers: true numbers, callbacks that redraw and fail loudly, a safe palette.

That the chapter introduces each explorer with a question and a still figure
is checked for every chapter in ``tests/test_course_registry.py``."""
from __future__ import annotations

import subprocess
import sys

import numpy as np
import pytest

from anncourse.challenges import init_std

OKABE_ITO = {"#e69f00", "#56b4e9", "#009e73", "#f0e442", "#0072b2", "#d55e00", "#cc79a7", "#000000"}


def _module():
    from anncourse.explorers import common_challenges

    return common_challenges


def test_import_does_not_load_matplotlib_or_ipywidgets():
    code = ("import sys, anncourse.explorers.common_challenges\n"
            "heavy = [m for m in ('matplotlib', 'ipywidgets', 'torch') if m in sys.modules]\n"
            "assert not heavy, heavy")
    subprocess.run([sys.executable, "-c", code], check=True)


# --- layer_signals ------------------------------------------------------------------------

def test_layer_signals_by_finite_differences():
    """dL/dh of the first layer, against a finite difference of the loss in h_1."""
    m = _module()
    depth, width, batch = 3, 6, 4
    acts, grads = m.layer_signals(depth, "he", "tanh", width=width, batch=batch, seed=1)
    rng = np.random.default_rng(1)
    rng.standard_normal((batch, width))
    r = rng.standard_normal(width)
    r /= np.linalg.norm(r)
    std = init_std(width, width, "he")
    weights = [rng.standard_normal((width, width)) * std for _ in range(depth)]

    def loss(h1):
        h = h1
        for W in weights[1:]:
            h = np.tanh(h @ W)
        return float(np.mean(h @ r))

    h1 = acts[0]
    eps = 1e-6
    numeric = np.zeros_like(h1)
    for idx in np.ndindex(h1.shape):
        step = np.zeros_like(h1)
        step[idx] = eps
        numeric[idx] = (loss(h1 + step) - loss(h1 - step)) / (2 * eps)
    # Central differences in float64: error about eps^2 * |third derivative| + 1e-16 / eps.
    np.testing.assert_allclose(grads[0], numeric, rtol=1e-6, atol=1e-9)


@pytest.mark.parametrize("init, activation, trend", [
    ("small", "tanh", "vanish"), ("he", "relu", "steady"), ("large", "relu", "explode")])
def test_layer_signals_show_the_three_regimes(init, activation, trend):
    acts, _ = _module().layer_signals(20, init, activation)
    ratio = np.sqrt(np.mean(acts[-1] ** 2)) / np.sqrt(np.mean(acts[0] ** 2))
    assert {"vanish": ratio < 1e-6, "steady": 0.1 < ratio < 10, "explode": ratio > 1e6}[trend], ratio


def test_layer_signals_rejects_bad_settings():
    m = _module()
    with pytest.raises(ValueError, match="initialisation"):
        m.layer_signals(3, "zeros", "tanh")
    with pytest.raises(ValueError, match="activation"):
        m.layer_signals(3, "he", "swish")
    with pytest.raises(ValueError, match="depth"):
        m.layer_signals(0, "he", "relu")


# --- bias_variance_curve ---------------------------------------------------------------

def test_bias_variance_curve_matches_poly_fit_errors_and_the_decomposition():
    from anncourse.challenges import poly_fit_errors

    m = _module()
    c = m.bias_variance_curve(25, degrees=[0, 3, 9], repeats=1, seed=2)
    rng = np.random.default_rng(2)
    x_val = rng.uniform(-1, 1, 500)
    y_val = m.true_curve(x_val) + 0.3 * rng.standard_normal(500)
    x = rng.uniform(-1, 1, 25)
    y = m.true_curve(x) + 0.3 * rng.standard_normal(25)
    for i, d in enumerate([0, 3, 9]):
        np.testing.assert_allclose([c["train"][i], c["val"][i]],
                                   poly_fit_errors(x, y, x_val, y_val, d), rtol=1e-9)
    assert np.all(c["variance"] == 0)            # one training set: nothing varies


def test_more_data_lowers_the_variance_of_a_flexible_fit():
    m = _module()
    small = m.bias_variance_curve(15, degrees=[8], repeats=30)
    large = m.bias_variance_curve(150, degrees=[8], repeats=30)
    assert large["variance"][0] < small["variance"][0] / 5


def test_the_u_curve_has_its_minimum_inside():
    c = _module().bias_variance_curve(20)
    best = int(np.argmin(c["val"]))
    assert 0 < best < len(c["val"]) - 1, c["val"]


# --- the widgets -------------------------------------------------------------------------

FACTORIES = [("signal_histogram_explorer", {"depth": "depth", "init": "he", "activation": "relu"}),
             ("bias_variance_explorer", {"degree": 8, "n_train": 60})]


@pytest.mark.parametrize("factory, change", FACTORIES)
def test_every_control_redraws(factory, change):
    box = getattr(_module(), factory)()
    for name, value in change.items():
        before = (box.image.value, box.readout.value)
        if name == "depth":
            value = 7
        box.controls[name].value = value
        assert (box.image.value, box.readout.value) != before, name
        assert bytes(box.image.value).startswith(b"\x89PNG")


def test_readouts_state_the_numbers():
    m = _module()
    box = m.signal_histogram_explorer(depth=20, init="small", activation="tanh")
    acts, grads = m.layer_signals(20, "small", "tanh")
    assert m._fmt(float(np.sqrt(np.mean(acts[-1] ** 2)))) in box.readout.value
    bv = m.bias_variance_explorer(degree=3, n_train=20)
    c = m.bias_variance_curve(20)
    assert m._fmt(float(c["val"][3])) in bv.readout.value


def test_a_broken_callback_raises():
    box = _module().bias_variance_explorer()
    box.explorer.numbers = lambda **kw: (_ for _ in ()).throw(RuntimeError("boom"))
    with pytest.raises(Exception):
        box.controls["degree"].value = 5


@pytest.mark.parametrize("factory, settings", [
    ("signal_histogram_explorer", {"depth": 20, "init": "small", "activation": "tanh"}),
    ("bias_variance_explorer", {"degree": 3, "n_train": 20})])
def test_palette_is_colour_blind_safe_with_distinct_line_styles(factory, settings):
    from matplotlib.colors import to_hex, to_rgb

    box = getattr(_module(), factory)(**settings)
    fig = box.explorer.draw(**box.explorer.values())
    for ax in fig.axes:
        styles = []
        for line in ax.lines:
            r, g, b = to_rgb(line.get_color())
            assert max(r, g, b) - min(r, g, b) < 1e-6 or to_hex(line.get_color()) in OKABE_ITO
            if not line.get_label().startswith("_") and len(line.get_xdata()) > 2 \
                    and line.get_linestyle() != "None":
                styles.append(line.get_linestyle())
        assert len(styles) == len(set(styles)) >= 3, (factory, styles)
