"""The applications explorers: their numbers agree with NumPy, SciPy and PyTorch, callbacks redraw, safe palette."""
from __future__ import annotations

import subprocess
import sys

import numpy as np
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st
from hypothesis.extra import numpy as hnp

from anncourse.data.sunspots import load_sunspots
from anncourse.explorers.applications import (KERNELS, KernelExplorer, conv2d_valid, digit_image,
                                              fit_forecaster, forecast_baselines,
                                              forecaster_explorer, kernel_explorer, windows)
from anncourse.grading.specs import applications as spec

OKABE_ITO = {"#e69f00", "#56b4e9", "#009e73", "#f0e442", "#0072b2", "#d55e00", "#cc79a7", "#000000"}
FACTORIES = [forecaster_explorer, kernel_explorer]


def test_import_is_light():
    code = ("import sys, anncourse.explorers.applications\n"
            "assert not {'matplotlib', 'ipywidgets', 'sklearn', 'torch'} & set(sys.modules)")
    subprocess.run([sys.executable, "-c", code], check=True)


# --- the numbers ------------------------------------------------------------------------------

@settings(max_examples=40, deadline=None)
@given(st.lists(st.floats(-100, 100), min_size=2, max_size=30), st.data())
def test_windows_are_the_exercise_reference(values, data):
    p = data.draw(st.integers(1, len(values) - 1))
    X, y = windows(values, p)
    X_ref, y_ref = spec.sliding_windows(values, p)
    assert np.array_equal(X, X_ref) and np.array_equal(y, y_ref)


@settings(max_examples=40, deadline=None)
@given(hnp.arrays(np.float64, st.tuples(st.integers(3, 9), st.integers(3, 9)),
                  elements=st.floats(-10, 10)),
       hnp.arrays(np.float64, st.tuples(st.integers(1, 3), st.integers(1, 3)),
                  elements=st.floats(-3, 3)))
def test_conv2d_valid_matches_scipy_and_the_reference(image, kernel):
    from scipy.signal import correlate2d

    ours = conv2d_valid(image, kernel)
    # Sums of at most 9 products of size <= 30, in another order: agree to about 1e-13.
    assert np.allclose(ours, correlate2d(image, kernel, mode="valid"), rtol=1e-10, atol=1e-10)
    assert np.allclose(ours, spec.conv2d_valid(image, kernel), rtol=1e-10, atol=1e-10)


def test_conv2d_valid_refuses_a_kernel_larger_than_the_image():
    with pytest.raises(ValueError, match="at least as large"):
        conv2d_valid(np.zeros((2, 2)), np.zeros((3, 3)))


def test_kernel_output_flips_for_convolution():
    from scipy.signal import convolve2d

    image, label = digit_image(0)
    assert image.shape == (8, 8) and label == 0 and image.max() <= 16
    for name, k in KERNELS.items():
        cross = KernelExplorer.output(name, 0, "cross-correlation")
        conv = KernelExplorer.output(name, 0, "convolution")
        assert np.allclose(conv, convolve2d(image, k, mode="valid"))
        assert np.allclose(cross, conv) == np.allclose(k, k[::-1, ::-1]), name
    # The vertical Sobel kernel is antisymmetric: flipping it flips the sign of the map.
    sobel = "vertical edge (Sobel)"
    assert np.allclose(KernelExplorer.output(sobel, 3, "convolution"),
                       -KernelExplorer.output(sobel, 3, "cross-correlation"))


def test_fit_forecaster_learns_a_line_and_rejects_bad_input():
    X = np.linspace(-1, 1, 60)[:, None]
    predict = fit_forecaster(X, 3 * X[:, 0] + 1, hidden=4, weight_decay=0.0, steps=800)
    # Four tanh units after 800 Adam steps fit the line to within 0.08 (measured) over a range of 6;
    # 0.15 (2.5 % of the range) leaves room for other BLAS libraries, a wrong fit is off by far more.
    assert np.max(np.abs(predict(X) - (3 * X[:, 0] + 1))) < 0.15
    with pytest.raises(ValueError, match="one row per target"):
        fit_forecaster(np.zeros(5), np.zeros(5))
    with pytest.raises(ValueError, match="hidden must be"):
        fit_forecaster(X, X[:, 0], hidden=0)


def test_baseline_table_matches_independent_computation():
    from sklearn.linear_model import LinearRegression

    out = forecast_baselines(9, 8, 1e-2)
    years, values = load_sunspots()
    assert out["years"][0] == 1921 and out["years"][-1] == 2008 and len(out["actual"]) == 88
    # Persistence: each test year forecast by the year before.
    assert np.array_equal(out["forecasts"]["persistence"], values[(years >= 1920) & (years < 2008)])
    X, y = spec.sliding_windows(values, 9)
    train = years[9:] <= 1920
    ols = LinearRegression().fit(X[train], y[train])
    assert np.allclose(out["forecasts"]["linear AR"], ols.predict(X[~train]), rtol=1e-8, atol=1e-8)
    rmse = {k: float(np.sqrt(np.mean((out["actual"] - f) ** 2))) for k, f in out["forecasts"].items()}
    assert rmse == pytest.approx(out["rmse"], rel=1e-12)
    # The figures the notebook quotes (persistence 30.4, AR(9) 17.4): persistence is far worse.
    assert out["rmse"]["persistence"] == pytest.approx(30.4, abs=0.05)
    assert out["rmse"]["linear AR"] == pytest.approx(17.4, abs=0.05)
    assert out["rmse"]["MLP"] < out["rmse"]["persistence"]
    with pytest.raises(ValueError, match="too few windows"):
        forecast_baselines(9, 8, 1e-2, split_year=1705)


# --- the widgets --------------------------------------------------------------------------------

def _other_values(control):
    import ipywidgets as w

    if isinstance(control, (w.FloatSlider, w.IntSlider, w.FloatLogSlider)):
        return [control.max, control.min]
    return [option[1] if isinstance(option, tuple) else option for option in control.options]


@pytest.mark.parametrize("factory", FACTORIES)
def test_every_control_redraws(factory):
    box = factory()
    assert bytes(box.image.value).startswith(b"\x89PNG") and box.readout.value
    for control in box.controls.values():
        old = control.value
        for value in _other_values(control)[:3]:
            before = (bytes(box.image.value), box.readout.value)
            control.value = value
            if value != old:
                assert (bytes(box.image.value), box.readout.value) != before, value
            old = value


def test_the_forecaster_readout_is_the_baseline_table():
    box = forecaster_explorer(p=9, hidden=8, weight_decay=1e-2)
    out = forecast_baselines(9, 8, 1e-2)
    for name in ("persistence", "linear AR", "MLP"):
        assert name in box.readout.value
    assert "30.44" in box.readout.value and f"{out['rmse']['MLP']:.4g}" in box.readout.value


def test_no_pyplot_figures_leak():
    import matplotlib.pyplot as plt

    before = plt.get_fignums()
    for factory in FACTORIES:
        factory().update()
    assert plt.get_fignums() == before


@pytest.mark.parametrize("factory", FACTORIES)
def test_errors_in_callbacks_propagate(monkeypatch, factory):
    box = factory()

    def broken(*args, **kwargs):
        raise RuntimeError("boom")

    monkeypatch.setattr(box.explorer, "draw", broken)
    control = next(iter(box.controls.values()))
    with pytest.raises(RuntimeError, match="boom"):
        control.value = _other_values(control)[0] if control.value != _other_values(control)[0] \
            else _other_values(control)[1]


@pytest.mark.parametrize("factory", FACTORIES)
def test_palette_is_colour_blind_safe_with_distinct_line_styles(factory):
    """Okabe-Ito colours (or greys), and no two labelled curves of a panel share a line style."""
    from matplotlib.colors import to_hex, to_rgb

    box = factory()
    fig = box.explorer.draw(**box.explorer.values())
    for ax in fig.axes:
        styles = []
        for artist in [*ax.lines, *ax.patches]:
            colour = artist.get_color() if artist in ax.lines else artist.get_facecolor()
            r, g, b = to_rgb(colour)
            grey = max(r, g, b) - min(r, g, b) < 1e-6
            if artist not in ax.lines and artist.get_facecolor()[3] == 0:
                colour = artist.get_edgecolor()   # an outline only (the kernel's square)
                r, g, b = to_rgb(colour)
                grey = max(r, g, b) - min(r, g, b) < 1e-6
            assert grey or to_hex(colour) in OKABE_ITO, (factory, to_hex(colour))
        for line in ax.lines:
            if not line.get_label().startswith("_") and len(line.get_xdata()) > 2:
                styles.append(line.get_linestyle())
        assert len(styles) == len(set(styles)), (factory, styles)
    # Bars differ by hatch too, so the table's figure reads in greyscale.
    hatches = [p.get_hatch() for ax in fig.axes for p in ax.patches if p.get_hatch()]
    assert len(hatches) == len(set(hatches))
