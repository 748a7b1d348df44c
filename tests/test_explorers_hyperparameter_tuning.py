"""Chapter 13's explorers: grid against random search, and the learning-rate sweep."""
from __future__ import annotations

import re
import subprocess
import sys

import numpy as np
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from anncourse.explorers import hyperparameter_tuning as ht

OKABE_ITO = {"#e69f00", "#56b4e9", "#009e73", "#f0e442", "#0072b2", "#d55e00", "#cc79a7", "#000000"}


def test_import_is_light():
    code = ("import sys, anncourse.explorers.hyperparameter_tuning\n"
            "assert not {'matplotlib', 'ipywidgets', 'sklearn'} & set(sys.modules)")
    subprocess.run([sys.executable, "-c", code], check=True)


@settings(max_examples=30, deadline=None)
@given(st.integers(ht.SIDES[0], ht.SIDES[1]), st.integers(0, 50))
def test_same_budget_random_tries_side_squared_values_of_x(side, seed):
    run = ht.grid_vs_random(side, seed)
    assert len(run["grid"]["points"]) == len(run["random"]["points"]) == side * side
    # The grid repeats each x value side times; continuous random draws never repeat.
    assert run["grid"]["distinct_x"] == side
    assert run["random"]["distinct_x"] == side * side
    for name in ("grid", "random"):
        pts = run[name]["points"]
        assert np.all((pts >= 0) & (pts <= 1))
        assert run[name]["best_score"] == pytest.approx(run[name]["scores"].max())


def test_the_peak_falls_between_grid_lines_for_every_side():
    for side in range(ht.SIDES[0], ht.SIDES[1] + 1):
        lines = (np.arange(side) + 0.5) / side
        # At least 0.025 (about 0.8 widths) from every grid line.
        assert np.min(np.abs(lines - ht.PEAK)) >= 0.025 - 1e-12


def test_random_beats_the_grid_on_average():
    """Over 50 seeds at budget 25, random search gets closer to the peak than a 5x5 grid."""
    grid = ht.grid_vs_random(5, 0)["grid"]["best_score"]
    randoms = [ht.grid_vs_random(5, seed)["random"]["best_score"] for seed in range(50)]
    assert np.mean(randoms) > grid


def test_the_unimportant_parameter_barely_matters():
    x = np.linspace(0, 1, 101)
    spread = ht.score_surface(x[:, None], np.linspace(0, 1, 101)[None, :])
    assert np.ptp(spread, axis=1).max() <= 0.04 + 1e-12


@pytest.mark.parametrize("side", [1, 9, 2.5, True])
def test_bad_sides_are_refused(side):
    with pytest.raises(ValueError, match="side"):
        ht.grid_vs_random(side)


def test_sweep_flags_edges_and_the_inside():
    high = ht.lr_sweep(-3, -1, 7)
    assert high["edge"] == "high" and high["best"] == 6
    assert np.all(np.diff(high["val_loss"]) < 0)  # still improving at the top of the range
    inside = ht.lr_sweep(-1, 1.5, 6)
    assert inside["edge"] is None
    assert 0 < inside["best"] < 5
    np.testing.assert_allclose(inside["lr"], np.logspace(-1, 1.5, 6))
    low = ht.lr_sweep(1.25, 1.5, 2)
    assert low["edge"] == "low"


def test_sweep_starts_at_chance_level():
    # A tiny learning rate leaves the zero model nearly untouched: loss ln(10).
    sweep = ht.lr_sweep(-6, -5.5, 2)
    np.testing.assert_allclose(sweep["val_loss"], np.log(10), rtol=1e-3)


def test_too_large_a_rate_is_worse_than_not_training():
    # The log-softmax is computed stably, so a wild run gives a huge loss, not inf.
    sweep = ht.lr_sweep(0, 4, 5)
    assert sweep["val_loss"][-1] > np.log(10)
    assert sweep["edge"] is None and np.isfinite(sweep["val_loss"][sweep["best"]])


@pytest.mark.parametrize("args", [(-1, -1, 5), (-1, 0, 1), (-1, 0, True)])
def test_bad_sweeps_are_refused(args):
    with pytest.raises(ValueError):
        ht.lr_sweep(*args)


def _colours(fig):
    found = set()
    for ax in fig.axes:
        for line in ax.get_lines():
            colour = line.get_color()
            if isinstance(colour, str) and colour.startswith("#"):
                found.add(colour.lower())
    return found


def test_figures_use_the_palette_and_distinct_styles():
    fig, _ = ht._draw_grid_random(3, 0)
    assert _colours(fig) <= OKABE_ITO
    fig, _ = ht._draw_sweep(-3, -1, 7)
    assert _colours(fig) <= OKABE_ITO
    styles = {line.get_linestyle() for line in fig.axes[0].get_lines() if len(line.get_xdata()) > 2}
    assert len(styles) >= 2
    for png in (ht.grid_random_figure(), ht.lr_sweep_figure()):
        assert png.startswith(b"\x89PNG")


def test_grid_random_widget_redraws():
    box = ht.grid_random_explorer(3, 0, question="Predict first?")
    first = box.image.value
    assert "3 distinct values of x" in box.readout.value
    box.controls["side"].value = 5
    assert box.image.value != first
    assert "25 trainings" in box.readout.value and "25 distinct values" in box.readout.value
    box.controls["seed"].value = 7
    assert box.run["random"]["distinct_x"] == 25
    with pytest.raises(ValueError):
        ht.grid_random_explorer(3, 99)


def test_sweep_widget_flags_the_edge_and_clears_it():
    box = ht.lr_sweep_explorer(-3, -1, 7)
    assert "LARGEST" in box.readout.value
    box.controls["range"].value = (-1.0, 1.5)
    assert box.sweep["edge"] is None and "inside the range" in box.readout.value
    box.controls["range"].value = (1.0, 1.0)  # handles together: widened, no error
    assert len(box.sweep["lr"]) == box.controls["points"].value
    numbers = re.findall(r"\d+\.\d+", box.readout.value)
    assert numbers
    with pytest.raises(ValueError):
        ht.lr_sweep_explorer(-5, 0)
