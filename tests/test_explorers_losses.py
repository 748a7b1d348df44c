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
