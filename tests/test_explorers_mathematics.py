"""The mathematics chapter's explorer: right numbers on every edge, callbacks that redraw, safe palette."""
from __future__ import annotations

import subprocess
import sys

import numpy as np
import pytest

from anncourse import activations
from anncourse.explorers.mathematics import neuron_graph, neuron_graph_explorer
from anncourse.gradcheck import numerical_gradient

OKABE_ITO = {"#e69f00", "#56b4e9", "#009e73", "#f0e442", "#0072b2", "#d55e00", "#cc79a7", "#000000"}


def test_import_is_light():
    code = ("import sys, anncourse.explorers.mathematics\n"
            "assert 'matplotlib' not in sys.modules and 'ipywidgets' not in sys.modules")
    subprocess.run([sys.executable, "-c", code], check=True)


@pytest.mark.parametrize("loss", ["MSE", "BCE"])
@pytest.mark.parametrize("y", [0, 1])
@pytest.mark.parametrize("point", [(1.0, 2.0, 0.5, -0.25, 0.1), (-1.5, 0.5, 2.0, 1.0, -0.7),
                                   (1.0, 2.0, 4.0, 3.0, 2.0)])
def test_every_edge_gradient_matches_finite_differences(point, y, loss):
    """The backward values are the derivatives of L: checked against central differences."""
    names = ["x1", "x2", "w1", "w2", "b"]
    g = neuron_graph(*point, y=y, loss=loss)
    numerical = numerical_gradient(lambda v: neuron_graph(*v, y=y, loss=loss)["forward"]["L"],
                                   np.array(point))
    analytic = np.array([g["backward"][n] for n in names])
    # Central differences with h = 1e-6 on a smooth function of size ~1: error ~1e-9.
    assert np.allclose(analytic, numerical, rtol=1e-6, atol=1e-8)


def test_the_sigma_prime_factor_appears_for_mse_only():
    z_point = (1.0, 2.0, 4.0, 3.0, 2.0)  # z = 12: a saturated, badly wrong neuron for y = 0
    mse, bce = neuron_graph(*z_point, y=0, loss="MSE"), neuron_graph(*z_point, y=0, loss="BCE")
    slope = float(activations.sigmoid_grad(12.0))
    assert mse["backward"]["z"] == pytest.approx(mse["backward"]["a"] * slope)
    assert bce["backward"]["z"] == pytest.approx(bce["forward"]["a"] - 0)
    assert mse["backward"]["z"] < 1e-4 < 0.99 < bce["backward"]["z"]


def test_bce_stays_finite_when_sigma_rounds_to_one():
    g = neuron_graph(1.0, 2.0, 40.0, 0.0, 0.0, y=0, loss="BCE")  # z = 40, a == 1.0 exactly
    assert g["forward"]["a"] == 1.0 and g["forward"]["L"] == pytest.approx(40.0)
    assert g["backward"]["z"] == 1.0


def test_bad_arguments_are_named():
    with pytest.raises(ValueError, match="loss"):
        neuron_graph(1, 2, 3, 4, 5, y=1, loss="MAE")
    with pytest.raises(ValueError, match="y must be"):
        neuron_graph(1, 2, 3, 4, 5, y=2)


def _other_values(control):
    import ipywidgets as w

    if isinstance(control, (w.FloatSlider, w.IntSlider)):
        return [control.min, control.max]
    return [option[1] if isinstance(option, tuple) else option for option in control.options]


def test_every_control_redraws():
    box = neuron_graph_explorer()
    assert bytes(box.image.value).startswith(b"\x89PNG") and box.readout.value
    for control in box.controls.values():
        old = control.value
        for value in _other_values(control):
            before = (bytes(box.image.value), box.readout.value)
            control.value = value
            if value != old:
                assert (bytes(box.image.value), box.readout.value) != before, value
            old = value


def test_the_readout_shows_the_chain_rule():
    box = neuron_graph_explorer(loss="MSE")
    assert "σ′(z)" in box.readout.value and "·" in box.readout.value
    box.controls["loss"].value = "BCE"
    assert "a − y" in box.readout.value and "cancelled" in box.readout.value


def test_no_pyplot_figures_leak():
    import matplotlib.pyplot as plt

    before = plt.get_fignums()
    neuron_graph_explorer().update()
    assert plt.get_fignums() == before


def test_errors_in_callbacks_propagate(monkeypatch):
    box = neuron_graph_explorer()

    def broken(*args, **kwargs):
        raise RuntimeError("boom")

    monkeypatch.setattr(box.explorer, "draw", broken)
    with pytest.raises(RuntimeError, match="boom"):
        box.controls["w1"].value = 1.5


@pytest.mark.parametrize("loss", ["MSE", "BCE"])
def test_palette_is_colour_blind_safe_with_distinct_line_styles(loss):
    from matplotlib.colors import to_hex, to_rgb

    box = neuron_graph_explorer(loss=loss)
    fig = box.explorer.draw(**box.explorer.values())
    for ax in fig.axes:
        colours = [line.get_color() for line in ax.lines] + [p.get_facecolor() for p in ax.patches]
        colours += [t.get_color() for t in ax.texts]
        for colour in colours:
            r, g, b = to_rgb(colour)
            assert max(r, g, b) - min(r, g, b) < 1e-6 or to_hex(colour) in OKABE_ITO, to_hex(colour)
        styles = [line.get_linestyle() for line in ax.lines
                  if not line.get_label().startswith("_") and len(line.get_xdata()) > 2]
        assert len(styles) == len(set(styles)), styles
