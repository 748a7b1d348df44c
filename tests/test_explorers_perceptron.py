"""The perceptron stepper and the history figure of 01-introduction: callbacks, state, palette."""
from __future__ import annotations

import subprocess
import sys

import numpy as np
import pytest

from anncourse import threshold

OKABE_ITO = {"#e69f00", "#56b4e9", "#009e73", "#f0e442", "#0072b2", "#d55e00", "#cc79a7", "#000000"}


def _box(dataset="AND"):
    from anncourse.explorers.perceptron import perceptron_explorer

    return perceptron_explorer(dataset)


def _state(box):
    return bytes(box.image.value), box.readout.value


def test_import_is_light():
    code = ("import sys, anncourse.explorers.perceptron\n"
            "assert 'matplotlib' not in sys.modules and 'ipywidgets' not in sys.modules")
    subprocess.run([sys.executable, "-c", code], check=True)


def test_one_update_button_applies_rosenblatts_rule_to_the_next_sample():
    box = _box("AND")
    stepper = box.explorer
    assert bytes(box.image.value).startswith(b"\x89PNG")
    w, b = np.zeros(2), 0.0
    for i in range(6):  # past the end of the first epoch: the order wraps around
        before = _state(box)
        box.buttons["update"].click()
        w, b, _ = threshold.perceptron_update(w, b, threshold.truth_table(2)[i % 4],
                                              threshold.TARGETS["AND"][i % 4])
        got_w, got_b = stepper.weights
        assert np.array_equal(got_w, w) and got_b == b
        assert _state(box) != before  # at least the counters and the "next" mark change
    assert stepper.updates == 6 and stepper.epochs == 1 and stepper.position == 2


def test_epoch_button_matches_perceptron_fit_and_stops_changing_once_converged():
    for dataset in ("AND", "OR", "NAND"):
        box = _box(dataset)
        w, b, epochs = threshold.perceptron_fit(threshold.truth_table(2),
                                                threshold.TARGETS[dataset])
        for _ in range(epochs):
            box.buttons["epoch"].click()
        got_w, got_b = box.explorer.weights
        assert np.array_equal(got_w, w) and got_b == b, dataset
        assert box.explorer.mistakes().size == 0 and "none" in box.readout.value


def test_epoch_from_the_middle_finishes_the_current_epoch():
    box = _box("OR")
    box.buttons["update"].click()
    box.buttons["epoch"].click()
    assert box.explorer.position == 0 and box.explorer.epochs == 1 and box.explorer.updates == 4
    w, b, _ = threshold.perceptron_epoch(threshold.truth_table(2), threshold.TARGETS["OR"],
                                         np.zeros(2), 0.0)
    assert np.array_equal(box.explorer.weights[0], w) and box.explorer.weights[1] == b


def test_xor_never_settles():
    box = _box("XOR")
    for epoch in range(1, 31):
        box.buttons["epoch"].click()
        assert box.explorer.mistakes().size > 0
        if epoch >= 2:  # the cycle the notebook describes: every epoch ends where it began
            w, b = box.explorer.weights
            assert w.tolist() == [-1.0, 0.0] and b == 1.0 and box.explorer.mistakes().size == 2
    # The weights cycle instead of growing without bound, and the sliders follow them.
    w, b = box.explorer.weights
    assert box.controls["w1"].value == w[0] and box.controls["b"].value == b


def test_reset_and_data_set_choice_go_back_to_zero():
    box = _box("AND")
    for _ in range(3):
        box.buttons["epoch"].click()
    box.buttons["reset"].click()
    assert np.array_equal(box.explorer.weights[0], [0, 0]) and box.explorer.weights[1] == 0
    assert box.explorer.updates == 0 and box.explorer.position == 0
    box.buttons["epoch"].click()
    before = _state(box)
    box.controls["dataset"].value = "NAND"
    assert _state(box) != before
    assert box.explorer.updates == 0 and np.array_equal(box.explorer.weights[0], [0, 0])


def test_sliders_redraw_and_set_the_line_by_hand():
    box = _box("AND")
    for name, value in (("w1", 1.0), ("w2", 1.0), ("b", -1.5)):
        before = _state(box)
        box.controls[name].value = value
        assert _state(box) != before, name
    assert box.explorer.mistakes().size == 0  # x1 + x2 - 1.5 > 0 is AND


def test_unknown_data_set_is_refused():
    from anncourse.explorers.perceptron import perceptron_explorer

    with pytest.raises(ValueError, match="unknown data set"):
        perceptron_explorer("XNOR")


def test_errors_in_callbacks_propagate(monkeypatch):
    box = _box()

    def broken():
        raise RuntimeError("boom")

    monkeypatch.setattr(box.explorer, "draw", broken)
    with pytest.raises(RuntimeError, match="boom"):
        box.controls["w1"].value = 2.0


def test_no_pyplot_figures_leak():
    import matplotlib.pyplot as plt

    from anncourse.explorers.perceptron import history_figure

    before = plt.get_fignums()
    _box().buttons["epoch"].click()
    history_figure()
    assert plt.get_fignums() == before


@pytest.mark.parametrize("which", ["stepper", "history"])
def test_palette_is_colour_blind_safe_with_distinct_line_styles(which):
    from matplotlib.colors import to_hex, to_rgb

    from anncourse.explorers.perceptron import history_figure

    if which == "stepper":
        box = _box("XOR")
        box.buttons["update"].click()
        fig = box.explorer.draw()
    else:
        fig = history_figure()
    for ax in fig.axes:
        colours = [line.get_color() for line in ax.lines]
        colours += [c for coll in ax.collections for c in coll.get_facecolor()
                    if len(c) and c[3] > 0]
        colours += [p.get_facecolor() for p in ax.patches]
        for colour in colours:
            r, g, b = to_rgb(colour)
            grey = max(r, g, b) - min(r, g, b) < 1e-6
            assert grey or to_hex(colour) in OKABE_ITO, (which, to_hex(colour))
        styles = [line.get_linestyle() for line in ax.lines
                  if not line.get_label().startswith("_") and len(line.get_xdata()) > 2]
        assert len(styles) == len(set(styles)), styles


def test_history_figure_has_every_milestone_in_order():
    from anncourse.explorers.perceptron import MILESTONES, history_figure

    years = [year for year, *_ in MILESTONES]
    assert years == sorted(years) and {1943, 1949, 1958, 1969, 1986, 2012} <= set(years)
    texts = " ".join(t.get_text() for t in history_figure().axes[0].texts)
    for year in years:
        assert str(year) in texts
