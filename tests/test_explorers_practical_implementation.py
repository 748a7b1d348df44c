"""The practical-implementation dashboard: it builds, redraws on every control, shows true numbers."""
from __future__ import annotations

import subprocess
import sys

import numpy as np
import pytest

OKABE_ITO = {"#e69f00", "#56b4e9", "#009e73", "#f0e442", "#0072b2", "#d55e00", "#cc79a7", "#000000"}


def _module():
    from anncourse.explorers import practical_implementation

    return practical_implementation


@pytest.fixture(scope="module")
def box():
    # Few epochs: the tests are about the widget, not about how well it trains.
    return _module().training_dashboard(lr=0.05, batch_size=128, width=16, optimizer="Adam",
                                        epochs=3)


def test_import_does_not_load_matplotlib_or_sklearn():
    code = ("import sys, anncourse.explorers.practical_implementation\n"
            "assert not {'matplotlib', 'ipywidgets', 'sklearn'} & set(sys.modules)")
    subprocess.run([sys.executable, "-c", code], check=True)


def test_every_control_redraws(box):
    import ipywidgets as w

    assert isinstance(box, w.VBox) and set(box.controls) == {"lr", "batch_size", "width",
                                                               "optimizer"}
    assert bytes(box.image.value).startswith(b"\x89PNG") and box.readout.value
    new_values = {"lr": 0.5, "batch_size": 512, "width": 4, "optimizer": "momentum"}
    for name, value in new_values.items():
        before = (bytes(box.image.value), box.readout.value)
        box.controls[name].value = value
        assert (bytes(box.image.value), box.readout.value) != before, name


def test_the_readout_shows_the_run_it_drew():
    dash = _module().training_dashboard(lr=0.01, batch_size=64, width=32, optimizer="Adam",
                                        epochs=2)
    run = _module().train_run(0.01, 64, 32, "Adam", epochs=2)
    text = dash.readout.value
    assert f"{run['val_accuracy'][-1]:.3f}" in text and f"{run['accuracy'][-1]:.3f}" in text
    assert "21" in text                       # ceil(1297 / 64) updates per epoch
    assert str(64 * 32 + 32 + 32 * 10 + 10) in text


def test_adam_learns_the_digits_and_a_huge_learning_rate_does_not():
    good = _module().train_run(0.01, 64, 64, "Adam", epochs=8)
    # A 64-64-10 network reaches about 97 % on these 500 validation digits; 0.9 leaves room
    # for another BLAS's rounding.
    assert good["val_accuracy"][-1] > 0.9
    assert good["loss"][-1] < good["loss"][0]
    bad = _module().train_run(10.0, 8, 64, "momentum", epochs=3)
    assert bad["val_accuracy"][-1] < 0.5 or not np.all(np.isfinite(bad["loss"]))


def test_same_settings_give_the_same_curves():
    first = _module().train_run(0.05, 128, 8, "SGD", epochs=2)
    assert first == _module().train_run(0.05, 128, 8, "SGD", epochs=2)


@pytest.mark.parametrize("kwargs, words", [({"batch_size": 7}, "batch_size"),
                                           ({"width": 3}, "width"),
                                           ({"optimizer": "adam"}, "optimizer"),
                                           ({"epochs": 0}, "epochs")])
def test_bad_settings_are_named(kwargs, words):
    with pytest.raises(ValueError, match=words):
        _module().training_dashboard(**kwargs)


def test_bad_learning_rate_is_named():
    with pytest.raises(ValueError, match="lr"):
        _module().train_run(-1.0, 32, 8, "SGD", epochs=1)


def test_errors_in_a_callback_propagate(box, monkeypatch):
    def broken(*args, **kwargs):
        raise RuntimeError("boom")

    monkeypatch.setattr(box.explorer, "draw", broken)
    with pytest.raises(RuntimeError, match="boom"):
        box.controls["width"].value = 8


def test_palette_is_colour_blind_safe_with_distinct_line_styles(box):
    from matplotlib.colors import to_hex, to_rgb

    fig = box.explorer.draw(**box.explorer.values())
    styles = []
    for ax in fig.axes:
        for line in ax.lines:
            r, g, b = to_rgb(line.get_color())
            assert max(r, g, b) - min(r, g, b) < 1e-6 or to_hex(line.get_color()) in OKABE_ITO
            if not line.get_label().startswith("_") and len(line.get_xdata()) > 2:
                styles.append(str(line.get_linestyle()))
    assert len(styles) == len(set(styles)) == 4, styles


def test_no_pyplot_figures_are_left_behind(box):
    import matplotlib.pyplot as plt

    before = plt.get_fignums()
    box.update()
    assert plt.get_fignums() == before
