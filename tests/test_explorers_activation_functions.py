"""The activation chapter's explorers: they build, redraw on every control, fail loudly, and show true numbers."""
from __future__ import annotations

import subprocess
import sys

import numpy as np
import pytest

FACTORIES = ["activation_gallery", "gradient_depth_explorer"]


def _module():
    from anncourse.explorers import activation_functions

    return activation_functions


def test_import_does_not_load_matplotlib():
    code = ("import sys, anncourse.explorers.activation_functions\n"
            "assert 'matplotlib' not in sys.modules and 'ipywidgets' not in sys.modules")
    subprocess.run([sys.executable, "-c", code], check=True)


@pytest.mark.parametrize("factory", FACTORIES)
def test_every_control_redraws(factory):
    import ipywidgets as w

    box = getattr(_module(), factory)()
    assert isinstance(box, w.VBox) and box.controls
    assert bytes(box.image.value).startswith(b"\x89PNG") and box.readout.value
    for control in box.controls.values():
        for new in (control.min, control.max):
            if new == control.value:
                continue
            before = (bytes(box.image.value), box.readout.value)
            control.value = new
            assert (bytes(box.image.value), box.readout.value) != before, (factory, new)


def test_errors_in_a_callback_propagate(monkeypatch):
    box = _module().gradient_depth_explorer()

    def broken(*args, **kwargs):
        raise RuntimeError("boom")

    monkeypatch.setattr(box.explorer, "draw", broken)
    with pytest.raises(RuntimeError, match="boom"):
        box.controls["depth"].value = 3


def test_no_pyplot_figures_are_left_behind():
    import matplotlib.pyplot as plt

    before = plt.get_fignums()
    for factory in FACTORIES:
        getattr(_module(), factory)().update()
    assert plt.get_fignums() == before


def test_depth_products_match_the_closed_forms():
    m = _module()
    np.testing.assert_allclose(m.depth_products("sigmoid", 0.0, 12), 0.25 ** np.arange(1, 13), rtol=1e-15)
    np.testing.assert_array_equal(m.depth_products("tanh", 0.0, 5), np.ones(5))
    np.testing.assert_array_equal(m.depth_products("relu", 0.7, 5), np.ones(5))
    # At z <= 0 ReLU passes nothing (PyTorch's convention at 0), leaky ReLU passes alpha**L.
    np.testing.assert_array_equal(m.depth_products("relu", 0.0, 3), np.zeros(3))
    np.testing.assert_allclose(m.depth_products("leaky_relu", -1.0, 3, alpha=0.1), [0.1, 0.01, 0.001],
                               rtol=1e-12)
    # tanh saturates as well: its derivative at -2 is about 0.07.
    assert abs(float(m.derivative("tanh", [-2.0])[0]) - 0.0707) < 1e-4


def test_depth_products_reject_bad_input():
    m = _module()
    with pytest.raises(ValueError, match="depth"):
        m.depth_products("tanh", 0.0, 0)
    with pytest.raises(ValueError, match="unknown activation"):
        m.depth_products("swish", 0.0, 3)


def test_readouts_state_the_numbers_of_the_start_position():
    m = _module()
    depth = m.gradient_depth_explorer(z=0.0, depth=10)
    assert "9.537e−07" in depth.readout.value          # 0.25**10, minus sign as the readout writes it
    gallery = m.activation_gallery(z=-2.0, alpha=0.1)
    assert "0.07065" in gallery.readout.value          # tanh'(-2) = 1 - tanh(2)**2
    assert "−0.2" in gallery.readout.value             # leaky ReLU(-2) with alpha = 0.1


OKABE_ITO = {"#e69f00", "#56b4e9", "#009e73", "#f0e442", "#0072b2", "#d55e00", "#cc79a7", "#000000"}


@pytest.mark.parametrize("factory", FACTORIES)
def test_palette_is_colour_blind_safe_with_distinct_line_styles(factory):
    from matplotlib.colors import to_hex, to_rgb

    box = getattr(_module(), factory)()
    fig = box.explorer.draw(**box.explorer.values())
    for ax in fig.axes:
        styles = []
        for line in ax.lines:
            r, g, b = to_rgb(line.get_color())
            assert max(r, g, b) - min(r, g, b) < 1e-6 or to_hex(line.get_color()) in OKABE_ITO
            if not line.get_label().startswith("_") and len(line.get_xdata()) > 2:
                styles.append(line.get_linestyle())
        assert len(styles) == len(set(styles)) == 4, (factory, styles)
