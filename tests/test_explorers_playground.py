"""The playground: its model trains and regularizes as stated, its callbacks train and redraw."""
from __future__ import annotations

import importlib
import subprocess
import sys

import numpy as np
import pytest

from anncourse.explorers.playground import (CHALLENGE_CONTROLS, PLAYGROUND_CONTROLS,
                                            REGULARIZATION_CONTROLS, PlaygroundModel, playground,
                                            playground_figure, regularization_playground)

# The package exports the function playground(), which hides the module of the
# same name as an attribute of anncourse.explorers: import the module itself.
pg = importlib.import_module("anncourse.explorers.playground")

OKABE_ITO = {"#e69f00", "#56b4e9", "#009e73", "#f0e442", "#0072b2", "#d55e00", "#cc79a7", "#000000"}
JPEG, PNG = b"\xff\xd8\xff", b"\x89PNG"


def test_the_module_imports_without_matplotlib_or_ipywidgets():
    code = ("import sys, anncourse.explorers.playground\n"
            "assert 'matplotlib' not in sys.modules and 'ipywidgets' not in sys.modules")
    subprocess.run([sys.executable, "-c", code], check=True)


# --- the model ------------------------------------------------------------------------------

@pytest.mark.parametrize("dataset", pg.DATASETS)
def test_every_data_set_is_split_by_the_training_share(dataset):
    model = PlaygroundModel(dataset=dataset, train_share=0.3, n_samples=200)
    assert len(model.y_train) == 60 and len(model.y_test) == 140
    # Stratified: each class keeps its share (100 points a class, 30 % of them for training).
    assert np.bincount(model.y_train.astype(int)).tolist() == [30, 30]
    everything = np.vstack([model.X_train, model.X_test])
    assert np.abs(everything).max() < 2.0  # scaled to about [-1, 1]^2, plus the noise


@pytest.mark.parametrize("bad, words", [
    ({"dataset": "iris"}, "dataset must be one of"),
    ({"train_share": 1.0}, "train_share must be in (0, 1)"),
    ({"dropout": 1.0}, "dropout must be in [0, 1)"),
    ({"lr": -0.1}, "lr must be a finite number"),
    ({"width": 0}, "width must be an integer >= 1"),
    ({"activation": "gelu"}, "activation must be one of"),
])
def test_bad_settings_are_named(bad, words):
    with pytest.raises(ValueError) as info:
        PlaygroundModel(**bad)
    assert words in str(info.value)


def test_unknown_setting_is_refused():
    with pytest.raises(TypeError, match="unknown playground settings: depth"):
        PlaygroundModel().update(depth=3)


def test_training_separates_xor():
    # 400 epochs of SGD at lr 0.3 on 100 training points: the boundary of XOR is learnt
    # by a network of 8 tanh units; 90 % leaves room for the noise (0.1) near the axes.
    model = PlaygroundModel(dataset="xor", hidden_layers=1, width=8, lr=0.3, noise=0.1, seed=1)
    model.step(400)
    h = model.history
    assert model.epoch == 400 and all(len(v) == 400 for v in h.values())
    assert h["train_loss"][-1] < 0.5 * h["train_loss"][0]
    assert h["test_accuracy"][-1] >= 0.9


def test_the_same_settings_give_the_same_run():
    a, b = PlaygroundModel(seed=3), PlaygroundModel(seed=3)
    a.step(5)
    b.step(5)
    assert a.history == b.history


def test_new_data_and_new_networks_start_over_while_the_learning_rate_does_not():
    model = PlaygroundModel(dataset="moons")
    model.step(3)
    assert model.update(lr=0.1) == "nothing" and model.epoch == 3
    assert model.update(width=4) == "network" and model.epoch == 0
    model.step(2)
    old = model.X_train.copy()
    assert model.update(dataset="circles") == "data" and model.epoch == 0
    assert not np.array_equal(old, model.X_train)
    assert model.update(dataset="circles") == "nothing"


def _weight_norm(model):
    return sum(float(np.sum(w.data ** 2)) for w in model._weights)


@pytest.mark.parametrize("penalty", ["L2", "L1"])
def test_a_penalty_keeps_the_weights_smaller(penalty):
    # The same run with and without the penalty: the only difference is the
    # penalty's gradient, so the penalized weights end up smaller.
    free = PlaygroundModel(dataset="moons", width=8, lr=0.1, seed=2)
    held = PlaygroundModel(dataset="moons", width=8, lr=0.1, seed=2, penalty=penalty, lam=0.03)
    free.step(60)
    held.step(60)
    assert _weight_norm(held) < 0.8 * _weight_norm(free)


def test_l1_leaves_the_biases_alone():
    # With a zero learning rate for the data (no batches move it) only the penalty acts:
    # lr * lam * sign(w) per step on the weights, nothing on the biases.
    model = PlaygroundModel(dataset="xor", hidden_layers=1, width=4, lr=0.1, penalty="L1", lam=0.5)
    biases = [p.data.copy() for p in model.network.parameters() if p.data.ndim == 1]
    model.network.zero_grad()
    before = [w.data.copy() for w in model._weights]
    for weight in model._weights:
        weight.data -= model.settings.lr * model._penalty_grad(weight.data)
    after = [w.data for w in model._weights]
    for b, a in zip(before, after):
        np.testing.assert_allclose(np.abs(b) - np.abs(a), 0.05, atol=1e-12)
    assert all(np.array_equal(b, p.data) for b, p in
               zip(biases, [p for p in model.network.parameters() if p.data.ndim == 1]))


def test_dropout_is_on_while_training_and_off_for_the_curves():
    from anncourse import nn

    model = PlaygroundModel(dropout=0.5)
    assert sum(isinstance(layer, nn.Dropout) for layer in model.network) == 2
    first = model.logits(model.X_test)
    np.testing.assert_array_equal(first, model.logits(model.X_test))  # evaluation: no mask
    model.step(1)
    assert model.network.training is False  # left in evaluation mode after recording


def test_early_stopping_point_follows_the_held_out_loss():
    model = PlaygroundModel()
    assert model.early_stopping(2) == (None, None)
    model.history["test_loss"] = [3.0, 2.0, 2.5, 2.1, 1.0]
    assert model.early_stopping(2) == (2, 4)  # the stop comes before the late improvement
    assert model.early_stopping(5) == (5, None)


def test_divergence_stops_training_until_reset():
    # A deep linear network from N(0, 1) weights at lr 10: the weights overflow within an epoch.
    model = PlaygroundModel(dataset="circles", activation="linear", init="large", lr=10.0,
                            hidden_layers=3)
    model.step(20)
    assert model.diverged and model.epoch < 20
    epoch = model.epoch
    model.step(3)
    assert model.epoch == epoch
    model.reset()
    assert not model.diverged and model.epoch == 0


@pytest.mark.parametrize("init, low, high", [("small", 0.005, 0.02), ("large", 0.7, 1.3)])
def test_initialisations_have_their_scale(init, low, high):
    model = PlaygroundModel(init=init, width=16, hidden_layers=3)
    std = np.std(np.concatenate([w.data.ravel() for w in model._weights]))
    assert low < std < high  # 16*16*2 + 48 weights: the sample std is within 10 % of 0.01 or 1


# --- the widget -------------------------------------------------------------------------------

def _frame(box):
    return bytes(box.image.value)


def test_the_widget_starts_drawn_at_epoch_zero():
    box = playground()
    assert _frame(box).startswith(JPEG)
    assert "epoch <b>0</b>" in box.counter.value
    assert tuple(box.controls) == PLAYGROUND_CONTROLS


def _other_value(control):
    import ipywidgets as w

    if isinstance(control, (w.FloatSlider, w.IntSlider)):
        return control.max if control.value != control.max else control.min
    options = [o[1] if isinstance(o, tuple) else o for o in control.options]
    return next(o for o in options if o != control.value)


@pytest.mark.parametrize("controls", [PLAYGROUND_CONTROLS, REGULARIZATION_CONTROLS,
                                      CHALLENGE_CONTROLS])
def test_every_control_changes_the_model_and_redraws(controls):
    box = playground(controls=controls, hidden_layers=1, width=4)
    box.step_button.click()
    for name, control in box.controls.items():
        before = _frame(box)
        value = _other_value(control)
        control.value = value
        assert getattr(box.model.settings, name) == value, name
        assert box.explorer.redraws and _frame(box)  # redrawn
        if name in pg._DATA_KEYS | pg._NETWORK_KEYS:
            assert box.model.epoch == 0, name
            if name not in ("init",) and before:
                assert _frame(box) != before, name
        box.step_button.click()


def test_play_ticks_train_and_stop_rewinds_without_training():
    box = playground(max_fps=1000)
    for tick in range(1, 4):
        box.play.value = tick
    assert box.model.epoch == 3 and "epoch <b>3</b>" in box.counter.value
    box.play.value = 0  # the stop button
    assert box.model.epoch == 3


def test_redraws_are_throttled_and_a_pause_shows_the_last_epoch():
    box = playground(max_fps=1e-6)  # at most one redraw in a million seconds
    drawn = box.explorer.redraws
    frame = _frame(box)
    for tick in range(1, 6):
        box.play.value = tick
    assert box.model.epoch == 5 and "epoch <b>5</b>" in box.counter.value
    assert box.explorer.redraws == drawn and _frame(box) == frame  # only the counter moved
    box.play.playing = True
    box.play.playing = False  # pause
    assert box.explorer.redraws == drawn + 1 and _frame(box) != frame


def test_a_slow_tick_makes_the_interval_grow():
    box = playground(interval_ms=1, batch_size=1)
    box.play.value = 1
    assert box.play.interval > 1


def test_step_and_reset_buttons():
    box = playground(epochs_per_tick=3)
    frame = _frame(box)
    box.step_button.click()
    assert box.model.epoch == 3 and _frame(box) != frame
    box.reset_button.click()
    assert box.model.epoch == 0 and "epoch <b>0</b>" in box.counter.value


def test_the_regularization_preset_marks_the_early_stopping_point():
    box = regularization_playground(dataset="moons", noise=0.3, train_share=0.2, width=16,
                                    lr=0.3, patience=5)
    assert {"penalty", "lam", "dropout", "noise", "train_share"} <= set(box.controls)
    for _ in range(12):
        box.step_button.click()
    figure = box.explorer.figure
    assert figure.stop_line.get_visible()
    best, _ = box.model.early_stopping(5)
    assert figure.stop_line.get_xdata()[0] == best
    assert f"lowest validation loss at epoch {best}" in box.counter.value
    assert "validation loss" in [t.get_text() for t in figure.ax_loss.get_legend().get_texts()]


def test_bad_widget_options_are_named():
    with pytest.raises(ValueError, match="unknown playground controls: depth"):
        playground(controls=("dataset", "depth"))
    with pytest.raises(ValueError, match="heldout must be"):
        playground(heldout="dev")


def test_errors_in_callbacks_reach_the_caller(monkeypatch):
    box = playground()

    def broken(*args, **kwargs):
        raise RuntimeError("boom")

    monkeypatch.setattr(box.model, "update", broken)
    with pytest.raises(RuntimeError, match="boom"):
        box.controls["noise"].value = 0.3


def test_the_still_figure_is_a_png():
    assert playground_figure(5, dataset="xor", hidden_layers=1).startswith(PNG)


def test_palette_is_colour_blind_safe_with_distinct_line_styles():
    from matplotlib.colors import to_hex, to_rgb

    box = regularization_playground()
    box.step_button.click()
    figure = box.explorer.figure
    for ax in figure.fig.axes:
        styles = [line.get_linestyle() for line in ax.lines
                  if not line.get_label().startswith("_")]
        assert len(styles) == len(set(styles)), styles
        colours = [line.get_color() for line in ax.lines]
        for collection in ax.collections:
            colours += [c for c in collection.get_facecolors() if c[3] > 0]
            colours += list(collection.get_edgecolors())
        for colour in colours:
            r, g, b = to_rgb(colour)
            assert max(r, g, b) - min(r, g, b) < 1e-6 or to_hex(colour) in OKABE_ITO, to_hex(colour)
    cmap = figure.image.get_cmap()
    ends = {to_hex(cmap(0.0)), to_hex(cmap(1.0))}
    assert ends == {"#0072b2", "#e69f00"}


def test_the_chapter_shows_the_playground_with_a_question_and_a_still_figure():
    import base64
    import re

    import nbformat

    from conftest import ROOT

    slug = "10-multilayer-perceptron"
    for folder in ("solutions", "course"):
        nb = nbformat.read(ROOT / folder / slug / f"{slug}.ipynb", as_version=4)
        calls = [i for i, c in enumerate(nb.cells)
                 if c.cell_type == "code" and re.search(r"^playground\(", c.source, re.M)]
        assert calls, folder
        for i in calls:
            heading, figure = nb.cells[i - 2], nb.cells[i - 1]
            assert heading.source.startswith("### Explorer: ") and "**Predict first.**" in heading.source
            found = re.fullmatch(r"!\[([^\]]{80,})\]\(attachment:([\w.-]+\.png)\)\n\n\*.+\*",
                                 figure.source)
            assert found, figure.source[:200]
            png = base64.b64decode(figure.attachments[found.group(2)]["image/png"])
            assert png.startswith(PNG)
