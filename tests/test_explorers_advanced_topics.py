"""The advanced-topics explorers: right numbers, callbacks that redraw, a safe palette."""
from __future__ import annotations

import subprocess
import sys

import numpy as np
import pytest

from anncourse import nn
from anncourse.explorers import advanced_topics as at
from anncourse.grading.specs import advanced_topics as spec

OKABE_ITO = {"#e69f00", "#56b4e9", "#009e73", "#f0e442", "#0072b2", "#d55e00", "#cc79a7", "#000000"}
FACTORIES = [at.batchnorm_depth_explorer, at.train_eval_explorer]


@pytest.fixture(scope="module")
def runs():
    # Small and quick, but deep enough to show the effect; cached for the whole module.
    return at.batchnorm_runs(depth=6, width=32, epochs=3)


def test_import_is_light():
    code = ("import sys, anncourse.explorers.advanced_topics\n"
            "assert not {'matplotlib', 'ipywidgets', 'sklearn'} & set(sys.modules)")
    subprocess.run([sys.executable, "-c", code], check=True)


def test_digits_are_standardised_on_the_training_set_and_read_only():
    X_train, y_train, X_test, y_test = at.digits_split()
    assert X_train.shape == (1437, 64) and X_test.shape == (360, 64)
    assert set(np.unique(y_train)) == set(range(10))
    used = X_train.std(axis=0) > 0
    assert np.allclose(X_train.mean(axis=0), 0, atol=1e-12)
    assert np.allclose(X_train.std(axis=0)[used], 1)
    with pytest.raises(ValueError):
        X_train[0, 0] = 1.0


def test_the_mlp_has_the_layers_asked_for():
    names = [type(m).__name__ for m in at.build_mlp(3, 8, batch_norm=True).children()]
    assert names == ["Linear", "BatchNorm1d", "ReLU"] * 3 + ["Linear"]
    assert "BatchNorm1d" not in [type(m).__name__ for m in at.build_mlp(3, 8, False).children()]
    with pytest.raises(ValueError, match="positive"):
        at.build_mlp(0, 8, True)


def test_recording_leaves_the_running_statistics_alone():
    model = at.build_mlp(2, 8, batch_norm=True)
    x = np.random.default_rng(0).normal(size=(20, 64))
    bn = next(m for m in model.children() if isinstance(m, nn.BatchNorm1d))
    bn.running_mean[:] = 0.5
    before = (bn.running_mean.copy(), bn.running_var.copy(), int(bn.num_batches_tracked))
    values = at._pre_activations(model, x)
    assert len(values) == 2 and values[0].shape == (20, 8)
    assert np.array_equal(bn.running_mean, before[0]) and np.array_equal(bn.running_var, before[1])
    assert int(bn.num_batches_tracked) == before[2]


def test_the_recorded_values_are_what_batch_norm_gives_in_training_mode(runs):
    X = at.digits_split()[0][:256]
    model = at.build_mlp(6, 32, batch_norm=True)  # the same seed: the runs' starting point
    first_linear = next(model.children())
    expected = spec.batchnorm_train(first_linear(X), np.ones(32), np.zeros(32))
    # The same float64 formula computed twice: equal up to rounding.
    assert np.allclose(runs[True]["activations"][0][0], expected, rtol=1e-10, atol=1e-12)
    for layer in runs[True]["activations"][0]:
        assert np.allclose(layer.mean(axis=0), 0, atol=1e-10)
        assert np.allclose(layer.std(axis=0), 1, atol=1e-3)  # var / (var + eps), var of order 0.1


def test_batch_norm_makes_the_deep_network_learn(runs):
    # One seed and three epochs: with batch norm the test accuracy passes 80 %; without it the
    # deep network with PyTorch's default initialisation stays near chance (10 %).
    assert runs[True]["accuracy"][-1] > 0.8
    assert runs[False]["accuracy"][-1] < 0.3
    assert len(runs[True]["loss"]) == 4 and len(runs[True]["activations"]) == 4
    assert runs[True]["loss"][-1] < runs[True]["loss"][0]


def test_without_batch_norm_the_values_shrink_with_depth(runs):
    spread = [float(a.std()) for a in runs[False]["activations"][0]]
    assert spread[-1] < spread[0] / 3


def test_runs_are_cached_however_the_arguments_are_passed(runs):
    assert at.batchnorm_runs(6, 32, 3) is runs
    assert at.batchnorm_runs(depth=6, width=32, epochs=3, lr=0.1, random_state=0) is runs


def test_eval_mode_before_any_batch_is_the_identity():
    out = at.train_eval_outputs(batch_size=8, batches_seen=0, draws=5)
    assert out["eval_output"] == pytest.approx(out["value"] / np.sqrt(1 + 1e-5), rel=1e-12)
    assert np.array_equal(out["running_mean"], [0.0]) and np.array_equal(out["running_var"], [1.0])


def test_a_batch_of_two_gives_plus_or_minus_one():
    out = at.train_eval_outputs(batch_size=2, batches_seen=0, draws=50)
    # Two samples: x_hat = +-1 * sqrt(var / (var + eps)), or 0 if both have the same ink.
    t = np.abs(out["train_outputs"])
    assert np.all((np.abs(t - 1) < 1e-4) | (t == 0))


def test_running_statistics_follow_pytorchs_rule_and_approach_the_data():
    out = at.train_eval_outputs(batch_size=64, batches_seen=300, momentum=0.3, draws=5)
    assert len(out["running_mean"]) == 301
    assert abs(out["running_mean"][-1] / out["data_mean"] - 1) < 0.05
    assert abs(out["running_var"][-1] / out["data_var"] - 1) < 0.35
    ink = at._feature()
    assert out["population_output"] == pytest.approx(
        (out["value"] - ink.mean()) / np.sqrt(ink.var() + 1e-5), rel=1e-12)
    # With the data's statistics in the running ones, evaluation is close to the population.
    assert abs(out["eval_output"] - out["population_output"]) < 0.3


def test_large_batches_bring_training_mode_close_to_the_population():
    small = at.train_eval_outputs(batch_size=4, draws=200)["train_outputs"]
    large = at.train_eval_outputs(batch_size=128, draws=200)["train_outputs"]
    assert large.std() < small.std() / 2


def test_bad_arguments_are_named():
    with pytest.raises(ValueError, match="batch_size"):
        at.train_eval_outputs(batch_size=1)
    with pytest.raises(ValueError, match="sample"):
        at.train_eval_outputs(sample=10**6)


def _other_values(control):
    return [control.min, control.max]


@pytest.mark.parametrize("factory, kwargs", [
    (at.batchnorm_depth_explorer, {"depth": 6, "width": 32, "epochs": 3}), (at.train_eval_explorer, {})])
def test_every_control_redraws(runs, factory, kwargs):
    box = factory(**kwargs)
    assert bytes(box.image.value).startswith(b"\x89PNG") and box.readout.value
    for control in box.controls.values():
        old = control.value
        for value in _other_values(control):
            before = (bytes(box.image.value), box.readout.value)
            control.value = value
            if value != old:
                assert (bytes(box.image.value), box.readout.value) != before, value
            old = value


def test_the_depth_readout_shows_each_layers_spread(runs):
    box = at.batchnorm_depth_explorer(depth=6, width=32, epochs=3, epoch=2)
    for k in range(6):
        assert f"layer {k + 1}" in box.readout.value
    assert f"{runs[True]['accuracy'][2]:.1%}" in box.readout.value


def test_no_pyplot_figures_leak(runs):
    import matplotlib.pyplot as plt

    before = plt.get_fignums()
    at.batchnorm_depth_explorer(depth=6, width=32, epochs=3).update()
    at.train_eval_explorer().update()
    assert plt.get_fignums() == before


def test_errors_in_callbacks_propagate(monkeypatch):
    box = at.train_eval_explorer()

    def broken(*args, **kwargs):
        raise RuntimeError("boom")

    monkeypatch.setattr(box.explorer, "draw", broken)
    with pytest.raises(RuntimeError, match="boom"):
        box.controls["momentum"].value = 0.3


@pytest.mark.parametrize("factory, kwargs", [
    (at.batchnorm_depth_explorer, {"depth": 6, "width": 32, "epochs": 3, "epoch": 2}),
    (at.train_eval_explorer, {"batches_seen": 0}), (at.train_eval_explorer, {"batches_seen": 200})])
def test_palette_is_colour_blind_safe_with_distinct_line_styles(runs, factory, kwargs):
    from matplotlib.colors import to_hex, to_rgb

    box = factory(**kwargs)
    fig = box.explorer.draw(**box.explorer.values())
    for ax in fig.axes:
        colours = [line.get_color() for line in ax.lines] + [p.get_facecolor() for p in ax.patches]
        colours += [t.get_color() for t in ax.texts]
        for collection in ax.collections:
            colours += [tuple(c) for c in collection.get_facecolors()]
        for colour in colours:
            r, g, b = to_rgb(colour)
            assert max(r, g, b) - min(r, g, b) < 1e-6 or to_hex(colour) in OKABE_ITO, to_hex(colour)
        styles = [line.get_linestyle() for line in ax.lines
                  if not line.get_label().startswith("_") and len(line.get_xdata()) > 2]
        assert len(styles) == len(set(styles)), styles
