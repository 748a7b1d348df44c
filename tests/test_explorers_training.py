"""The training chapter's explorers: they build, redraw on every control, fail loudly and show true numbers."""
from __future__ import annotations

import subprocess
import sys

import numpy as np
import pytest

from anncourse import descent

FACTORIES = ["learning_rate_explorer", "batch_size_explorer"]
OKABE_ITO = {"#e69f00", "#56b4e9", "#009e73", "#f0e442", "#0072b2", "#d55e00", "#cc79a7", "#000000"}


def _module():
    from anncourse.explorers import training

    return training


def test_import_does_not_load_matplotlib():
    code = ("import sys, anncourse.explorers.training\n"
            "assert 'matplotlib' not in sys.modules and 'ipywidgets' not in sys.modules")
    subprocess.run([sys.executable, "-c", code], check=True)


@pytest.mark.parametrize("factory", FACTORIES)
def test_every_control_redraws(factory):
    import ipywidgets as w

    box = getattr(_module(), factory)()
    assert isinstance(box, w.VBox) and box.controls
    assert bytes(box.image.value).startswith(b"\x89PNG") and box.readout.value
    for control in box.controls.values():
        ends = list(control.options[::len(control.options) - 1]) if hasattr(control, "options") \
            else [control.min, control.max]
        if isinstance(control, w.FloatLogSlider):
            ends = [control.base ** control.min, control.base ** control.max]
        for new in ends:
            if new == control.value:
                continue
            before = (bytes(box.image.value), box.readout.value)
            control.value = new
            assert (bytes(box.image.value), box.readout.value) != before, (factory, new)


def test_errors_in_a_callback_propagate(monkeypatch):
    box = _module().learning_rate_explorer()

    def broken(*args, **kwargs):
        raise RuntimeError("boom")

    monkeypatch.setattr(box.explorer, "draw", broken)
    with pytest.raises(RuntimeError, match="boom"):
        box.controls["curvature"].value = 2.0


def test_no_pyplot_figures_are_left_behind():
    import matplotlib.pyplot as plt

    before = plt.get_fignums()
    for factory in FACTORIES:
        getattr(_module(), factory)().update()
    plot = _module().LiveLossPlot(epochs=2)
    plot.on_epoch_end(0, {"loss": 1.0}, None)
    assert plt.get_fignums() == before


@pytest.mark.parametrize("lr, words", [(0.5, "converges monotonically"), (1.0, "one step"),
                                       (1.5, "oscillates and converges"), (2.0, "oscillates for ever"),
                                       (2.5, "diverges")])
def test_the_bowl_names_every_regime_and_agrees_with_converges(lr, words):
    box = _module().learning_rate_explorer(lr=lr, curvature=1.0)
    assert words in box.readout.value
    assert ("yes" if descent.converges(1.0, lr) else "no") in box.readout.value.rsplit("</b>", 1)[1]


def test_the_bowl_draws_the_reference_iterates():
    box = _module().learning_rate_explorer(lr=0.4, curvature=4.0, w0=2.0, steps=5)
    fig = box.explorer.draw(**box.explorer.values())
    path = fig.axes[1].lines[0]
    np.testing.assert_allclose(path.get_ydata(), np.abs(descent.gd_on_quadratic(4.0, 2.0, 0.4, 5)))
    assert "−0.6" in box.readout.value        # the step factor 1 - 0.4 * 4, minus sign as printed


def test_the_bowl_rejects_settings_off_its_sliders():
    with pytest.raises(ValueError, match="curvature"):
        _module().learning_rate_explorer(curvature=9.0)
    with pytest.raises(ValueError, match="steps"):
        _module().learning_rate_explorer(steps=0)


def test_losses_per_update_counts_iterations_and_matches_the_reference():
    m = _module()
    X, y = m.regression_problem(50, random_state=1)
    losses = m.losses_per_update(X, y, batch_size=8, lr=0.1, epochs=3, random_state=2)
    assert len(losses) == 1 + 3 * descent.iterations_per_epoch(50, 8)
    # The same shuffles by hand, through the reference's one-epoch function.
    rng = np.random.default_rng(2)
    w, b = np.zeros(2), 0.0
    for _ in range(3):
        w, b = descent.minibatch_gd_linear(X, y, w, b, 0.1, descent.make_batches(rng.permutation(50), 8))
    assert losses[-1] == pytest.approx(descent.mse_linear(X, y, w, b), rel=1e-12)


def test_losses_per_update_stays_infinite_after_diverging():
    m = _module()
    X, y = m.regression_problem(32, random_state=0)
    with np.errstate(all="raise"):
        losses = m.losses_per_update(X, y, batch_size=1, lr=5.0, epochs=40)
    assert np.isinf(losses[-1]) and np.all(np.isinf(losses[np.argmax(np.isinf(losses)):]))


def test_small_batches_are_noisier_and_the_full_batch_is_smooth():
    m = _module()
    box = m.batch_size_explorer(batch_size=4, lr=0.05)
    runs = box.explorer.runs(4, 0.05)
    full = runs[256]
    assert len(full) == 11 and np.all(np.diff(full) < 0)          # 1 update per epoch, each one down
    last = runs[4][-64:]
    assert np.std(last) > 0 and np.any(np.diff(last) > 0)          # noisy: the loss also goes up
    spread_small = m._gradient_spread(box.explorer.X, box.explorer.y, 4)[0]
    spread_large = m._gradient_spread(box.explorer.X, box.explorer.y, 64)[0]
    # The spread of a mean of b gradients falls about like 1 / sqrt(b): 4 times less for 16 times b.
    assert 2.5 < spread_small / spread_large < 6


def test_batch_size_must_be_on_the_slider():
    with pytest.raises(ValueError, match="batch_size must be one of"):
        _module().batch_size_explorer(batch_size=3)


def test_live_loss_plot_records_every_epoch_and_draws_the_last(monkeypatch):
    from anncourse.nn import Linear, MSELoss
    from anncourse.optim import SGD
    from anncourse.training import fit

    m = _module()
    X = np.linspace(-1, 1, 40).reshape(-1, 1)
    model = Linear(1, 1, random_state=0)
    plot = m.LiveLossPlot(epochs=6, min_interval=3600.0)   # only the first and the last are drawn
    history = fit(model, MSELoss(), SGD(model.parameters(), lr=0.3), (X, 3 * X), epochs=6,
                  batch_size=8, validation=(X[::3], 3 * X[::3]), callbacks=[plot], random_state=0,
                  progress=False)
    assert plot.logs["loss"] == history["loss"] and plot.logs["val_loss"] == history["val_loss"]
    assert plot.draws == 2 and bytes(plot.widget.value).startswith(b"\x89PNG")
    with pytest.raises(ValueError, match="epochs"):
        m.LiveLossPlot(epochs=0)


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
        assert len(styles) == len(set(styles)) >= 1, (factory, styles)
