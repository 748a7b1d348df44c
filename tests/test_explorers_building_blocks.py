"""The building-blocks explorers: right numbers, callbacks that redraw, a safe palette."""
from __future__ import annotations

import subprocess
import sys

import numpy as np
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from anncourse.explorers.building_blocks import (network_builder_explorer, network_summary,
                                                 neuron_plane, neuron_plane_explorer)
from anncourse.grading.specs import building_blocks as spec

OKABE_ITO = {"#e69f00", "#56b4e9", "#009e73", "#f0e442", "#0072b2", "#d55e00", "#cc79a7", "#000000"}


def test_import_is_light():
    code = ("import sys, anncourse.explorers.building_blocks\n"
            "assert 'matplotlib' not in sys.modules and 'ipywidgets' not in sys.modules")
    subprocess.run([sys.executable, "-c", code], check=True)


@pytest.mark.parametrize("activation", ["sigmoid", "tanh", "relu", "step"])
def test_the_plane_is_the_neuron_output_at_every_grid_point(activation):
    x1, x2, out = neuron_plane(0.7, -1.3, 0.4, activation, points=15)
    samples = np.column_stack([x1.ravel(), x2.ravel()])
    expected = spec.neuron_output(samples, [0.7, -1.3], 0.4, activation)
    # Same formula evaluated twice in float64: equal up to rounding of one product and sum.
    assert np.allclose(out.ravel(), expected, rtol=1e-12, atol=1e-12)


def test_the_step_fires_on_the_line_z_equals_zero():
    _, _, out = neuron_plane(1.0, -1.0, 0.0, "step", points=3)  # the diagonal has z = 0 exactly
    assert np.all(np.diag(out) == 1.0)


def test_unknown_activation_is_named():
    with pytest.raises(ValueError, match="sigmoid, tanh, relu, step"):
        neuron_plane(1, 1, 0, "softplus")


def test_summary_of_the_syllabus_network():
    info = network_summary([784, 128, 64, 10])
    assert (info["parameters"], info["weights"], info["multiply_adds"]) == (109386, 109184, 109184)
    assert (info["n_hidden"], info["kind"]) == (2, "shallow")


@settings(max_examples=60, deadline=None)
@given(st.lists(st.integers(1, 2000), min_size=2, max_size=10))
def test_summary_agrees_with_the_graded_references(sizes):
    info = network_summary(sizes)
    assert info["parameters"] == spec.count_parameters(sizes)
    assert info["multiply_adds"] == spec.count_multiply_adds(sizes)
    assert (info["n_hidden"], info["kind"]) == spec.describe_network(sizes)


def test_summary_rejects_bad_sizes():
    with pytest.raises(ValueError, match="at least two"):
        network_summary([5])
    with pytest.raises(ValueError, match="positive"):
        network_summary([3, 0, 2])


def _other_values(control):
    import ipywidgets as w

    if isinstance(control, (w.FloatSlider, w.IntSlider)):
        return [control.min, control.max]
    return [option[1] if isinstance(option, tuple) else option for option in control.options]


@pytest.mark.parametrize("factory", [neuron_plane_explorer, network_builder_explorer])
def test_every_control_redraws(factory):
    box = factory()
    assert bytes(box.image.value).startswith(b"\x89PNG") and box.readout.value
    for control in box.controls.values():
        old = control.value
        for value in _other_values(control):
            before = (bytes(box.image.value), box.readout.value)
            control.value = value
            if value != old:
                assert (bytes(box.image.value), box.readout.value) != before, value
            old = value


def test_the_builder_counts_live():
    box = network_builder_explorer(n_inputs=4, n_hidden=2, width=5, n_outputs=3)
    assert "73" in box.readout.value  # 4·5 + 5 + 5·5 + 5 + 5·3 + 3
    box.controls["n_hidden"].value = 3
    assert f"{spec.count_parameters([4, 5, 5, 5, 3]):,}" in box.readout.value
    assert "deep" in box.readout.value
    box.controls["width"].value = 32  # wider than drawn: still counted in full
    assert f"{spec.count_parameters([4, 32, 32, 32, 3]):,}" in box.readout.value


def test_no_pyplot_figures_leak():
    import matplotlib.pyplot as plt

    before = plt.get_fignums()
    neuron_plane_explorer().update()
    network_builder_explorer().update()
    assert plt.get_fignums() == before


def test_errors_in_callbacks_propagate(monkeypatch):
    box = neuron_plane_explorer()

    def broken(*args, **kwargs):
        raise RuntimeError("boom")

    monkeypatch.setattr(box.explorer, "draw", broken)
    with pytest.raises(RuntimeError, match="boom"):
        box.controls["w1"].value = 1.5


@pytest.mark.parametrize("factory, values", [
    (neuron_plane_explorer, {"activation": "step"}), (neuron_plane_explorer, {"activation": "relu"}),
    (network_builder_explorer, {"n_hidden": 4})])
def test_palette_is_colour_blind_safe_with_distinct_line_styles(factory, values):
    from matplotlib.colors import to_hex, to_rgb

    box = factory(**values)
    fig = box.explorer.draw(**box.explorer.values())
    for ax in fig.axes:
        colours = [line.get_color() for line in ax.lines] + [p.get_facecolor() for p in ax.patches]
        colours += [t.get_color() for t in ax.texts]
        for collection in ax.collections:
            if collection.get_array() is not None:
                continue  # coloured by the colour map (the colour bar), checked below
            colours += [tuple(c) for c in collection.get_facecolors()]
            colours += [tuple(c) for c in collection.get_edgecolors()]
        for colour in colours:
            r, g, b = to_rgb(colour)
            assert max(r, g, b) - min(r, g, b) < 1e-6 or to_hex(colour) in OKABE_ITO, to_hex(colour)
        styles = [line.get_linestyle() for line in ax.lines
                  if not line.get_label().startswith("_") and len(line.get_xdata()) > 2]
        assert len(styles) == len(set(styles)), styles
    images = [im for ax in fig.axes for im in ax.images]
    assert all(im.get_cmap().name == "cividis" for im in images)
