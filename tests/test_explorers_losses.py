"""The loss chapter's explorers: they build without a kernel's help, redraw on every control, and fail loudly."""
from __future__ import annotations

import sys

import pytest

def test_explorers_import_without_matplotlib():
    import subprocess

    code = ("import sys, anncourse.explorers, anncourse.explorers.losses\n"
            "assert 'matplotlib' not in sys.modules")
    subprocess.run([sys.executable, "-c", code], check=True)


FACTORIES = ["regression_explorer", "classification_explorer", "margin_explorer", "kl_explorer"]


def _other_values(control):
    import ipywidgets as w

    if isinstance(control, (w.FloatSlider, w.IntSlider)):
        return [control.min, control.max]
    return [option[1] if isinstance(option, tuple) else option for option in control.options]


@pytest.mark.parametrize("factory", FACTORIES)
def test_explorer_callbacks_redraw(factory):
    import ipywidgets as w

    from anncourse import explorers

    box = getattr(explorers, factory)()
    assert isinstance(box, w.VBox) and box.controls
    assert bytes(box.image.value).startswith(b"\x89PNG") and box.readout.value
    for control in box.controls.values():
        old = control.value
        for value in _other_values(control):
            before = (bytes(box.image.value), box.readout.value)
            control.value = value
            if value != old:
                assert (bytes(box.image.value), box.readout.value) != before, (factory, value)
            old = value
    box.update()


def test_explorers_leave_no_pyplot_figures():
    import matplotlib.pyplot as plt

    from anncourse import explorers

    before = plt.get_fignums()
    for factory in FACTORIES:
        getattr(explorers, factory)().update()
    assert plt.get_fignums() == before


def test_explorer_errors_propagate(monkeypatch):
    """A broken callback must fail loudly, not vanish inside a widget."""
    from anncourse import explorers

    box = explorers.regression_explorer()

    def broken(*args, **kwargs):
        raise RuntimeError("boom")

    monkeypatch.setattr(box.explorer, "draw", broken)
    slider = box.controls["y_pred"]
    with pytest.raises(RuntimeError, match="boom"):
        slider.value = slider.max


def test_kl_explorer_shows_the_asymmetry():
    from anncourse import explorers

    box = explorers.kl_explorer(p=(0.5, 0.3, 0.2), q_weights=(0.4, 0.4, 0.2))
    assert "0.02527" in box.readout.value  # KL(P||Q) of the worked example, 4 significant digits


OKABE_ITO = {"#e69f00", "#56b4e9", "#009e73", "#f0e442", "#0072b2", "#d55e00", "#cc79a7", "#000000"}


@pytest.mark.parametrize("factory", FACTORIES)
def test_palette_is_colour_blind_safe_with_distinct_line_styles(factory):
    """Okabe-Ito colours (or greys), and no two labelled curves of a panel share a line style."""
    from matplotlib.colors import to_hex, to_rgb

    from anncourse import explorers

    box = getattr(explorers, factory)()
    values = box.explorer.values()
    fig = box.explorer.draw(**values)
    for ax in fig.axes:
        styles = []
        for artist in [*ax.lines, *ax.patches]:
            colour = artist.get_color() if hasattr(artist, "get_linestyle") and artist in ax.lines \
                else artist.get_facecolor()
            r, g, b = to_rgb(colour)
            grey = max(r, g, b) - min(r, g, b) < 1e-6
            assert grey or to_hex(colour) in OKABE_ITO, (factory, to_hex(colour))
        for line in ax.lines:
            if not line.get_label().startswith("_") and len(line.get_xdata()) > 2:
                styles.append(line.get_linestyle())
        assert len(styles) == len(set(styles)), (factory, styles)
