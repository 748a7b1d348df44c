"""What ``08-cost-functions``'s checks promise beyond the generated spec tests.

tests/test_specs_generated.py already checks every exercise of the chapter:
its reference passes, and each usual mistake listed in the spec fails with
its hint.  Here: correct answers written in other reasonable styles pass
every check (grading is fair to them), any minimiser of the MAE is accepted
when the number of targets is even, and wrong answers that the visible
examples cannot see (a table of the visible answers, a sorted 'none', a
clipped sigma) fail a hidden check.
"""
from __future__ import annotations

import math
import statistics

import numpy as np
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from anncourse import cost as reference
from anncourse.grading.core import evaluate
from anncourse.grading.properties import salted
from anncourse.grading.specs import exercises

EXERCISES = exercises("08-cost-functions")


def passes(func, name, salt=0):
    with salted(salt):
        return evaluate(func, EXERCISES[name], visible=True, hidden=True) == []


def fails_hidden_only(func, name):
    ex = EXERCISES[name]
    with salted(0):
        return evaluate(func, ex, visible=True) == [] and evaluate(func, ex, visible=False, hidden=True)


# --- cost -----------------------------------------------------------------------------------------

def cost_with_loops(per_sample_losses, reduction="mean"):
    """No NumPy: math.fsum over a list, a dict of reductions, a list for 'none'."""
    values = [float(v) for v in per_sample_losses]
    reductions = {"mean": lambda v: math.fsum(v) / len(v), "sum": math.fsum, "none": list}
    if reduction not in reductions:
        raise ValueError(reduction)
    return reductions[reduction](values)


def cost_match(per_sample_losses, reduction="mean"):
    """A match statement, float32 kept as float32."""
    values = np.asarray(per_sample_losses)
    match reduction:
        case "mean":
            return np.mean(values)
        case "sum":
            return np.sum(values)
        case "none":
            return values.copy()
    raise ValueError(reduction)


def cost_none_sorted(per_sample_losses, reduction="mean"):
    """Wrong: 'none' sorts the losses (the visible [0.5, 1.5, 4.0] is already sorted)."""
    values = np.sort(np.asarray(per_sample_losses, dtype=float))
    return {"mean": values.mean(), "sum": values.sum(), "none": values}[reduction]


@pytest.mark.parametrize("func", [cost_with_loops, cost_match])
def test_cost_styles_pass(func):
    assert passes(func, "cost")


def test_cost_that_sorts_the_unreduced_losses_fails_a_hidden_check():
    assert fails_hidden_only(cost_none_sorted, "cost")


def test_cost_rejects_an_unknown_reduction():
    with pytest.raises(ValueError, match="'mean', 'sum', 'none'"):
        reference.cost([1.0], "avg")


# --- best_constant ------------------------------------------------------------------------------

def _lower_middle(y):
    s = sorted(float(v) for v in y)
    return s[(len(s) - 1) // 2]


def best_constant_lower_middle(y, kind):
    """Loops; the lower of the two middle values for an even n (a minimiser of the MAE)."""
    y = [float(v) for v in y]
    if kind == "mae":
        return _lower_middle(y)
    return sum(y) / len(y)


def best_constant_upper_middle(y, kind):
    """The upper of the two middle values for an even n; the rate of positives by counting."""
    if kind == "mae":
        s = sorted(np.asarray(y, dtype=float).tolist())
        return s[len(s) // 2]
    if kind == "bce":
        labels = np.asarray(y)
        return np.count_nonzero(labels == 1) / labels.size
    return np.mean(np.asarray(y, dtype=float))


def best_constant_statistics(y, kind):
    """The standard library's statistics module."""
    values = [float(v) for v in y]
    return statistics.median(values) if kind == "mae" else statistics.fmean(values)


def best_constant_beyond_the_middle(y, kind):
    """Wrong: for an even n with distinct middle values, a value past the upper middle one.

    The visible examples (an odd n, or two equal middle values) cannot see it; the hidden
    check with an even number of distinct targets must.
    """
    y = np.sort(np.asarray(y, dtype=float))
    n = len(y)
    if kind == "mae":
        low, high = y[(n - 1) // 2], y[n // 2]
        return high + (high - low) / 2
    return y.mean()


@pytest.mark.parametrize("func", [best_constant_lower_middle, best_constant_upper_middle,
                                  best_constant_statistics])
@pytest.mark.parametrize("salt", [0, 1, 2])
def test_best_constant_styles_pass_with_any_minimiser_of_the_mae(func, salt):
    assert passes(func, "best_constant", salt)


def test_any_value_between_the_middle_values_passes():
    def anywhere_in_between(y, kind):
        s = np.sort(np.asarray(y, dtype=float))
        if kind != "mae":
            return s.mean()
        low, high = s[(len(s) - 1) // 2], s[len(s) // 2]
        return low + 0.37 * (high - low)

    assert passes(anywhere_in_between, "best_constant")


def test_a_value_outside_the_middle_values_fails_a_hidden_check():
    assert fails_hidden_only(best_constant_beyond_the_middle, "best_constant")


@settings(max_examples=50, deadline=None)
@given(st.lists(st.floats(-100, 100), min_size=2, max_size=12).filter(lambda v: len(v) % 2 == 0))
def test_the_median_band_is_exactly_the_set_of_mae_minimisers(values):
    """The grader's interval [lower middle, upper middle] is where the MAE is lowest."""
    from anncourse.grading.specs.cost_functions import _in_the_median_band

    y = np.array(values)
    s = np.sort(y)
    low, high = s[len(s) // 2 - 1], s[len(s) // 2]

    def mae(c):
        return float(np.mean(np.abs(y - c)))

    for c in (low, high, (low + high) / 2):
        assert _in_the_median_band(c, (y,)) is None
        assert mae(c) == pytest.approx(mae(np.median(y)), rel=1e-12, abs=1e-12)
    # A step of 1 outside the interval raises the MAE by at least 2/n - and is refused.
    for c in (low - 1.0, high + 1.0):
        assert _in_the_median_band(c, (y,)) is not None
        assert mae(c) >= mae(np.median(y)) + 2 / len(y) - 1e-9


def test_best_constant_rejects_unknown_kinds_and_bad_labels():
    with pytest.raises(ValueError, match="'mse', 'mae', 'bce'"):
        reference.best_constant([1.0], "hinge")
    with pytest.raises(ValueError, match="labels in"):
        reference.best_constant([0.0, 2.0], "bce")


# --- chance_loss ------------------------------------------------------------------------------------

@pytest.mark.parametrize("func", [
    lambda n_classes: -math.log(1 / n_classes),
    lambda n_classes: np.log(n_classes),
    lambda n_classes: -np.sum(np.full(int(n_classes), 1 / n_classes) * np.log(1 / n_classes)),
])
def test_chance_loss_styles_pass(func):
    assert passes(func, "chance_loss")


def test_a_table_of_the_visible_answers_earns_nothing_hidden():
    table = {10: math.log(10), 2: math.log(2), 3: math.log(3)}
    assert fails_hidden_only(lambda n_classes: table.get(int(n_classes), 1.0), "chance_loss")


def test_chance_loss_rejects_bad_counts():
    with pytest.raises(ValueError, match="at least 1"):
        reference.chance_loss(0)
    with pytest.raises(TypeError, match="integer"):
        reference.chance_loss(2.5)
    with pytest.raises(TypeError, match="bool"):
        reference.chance_loss(True)


# --- one_hot ---------------------------------------------------------------------------------------

def one_hot_lists(labels, n_classes):
    """Lists of integers."""
    return [[1 if int(label) == j else 0 for j in range(int(n_classes))] for label in labels]


def one_hot_booleans(labels, n_classes):
    """A broadcast comparison: booleans."""
    return np.asarray(labels)[:, None] == np.arange(n_classes)


def one_hot_eye(labels, n_classes):
    return np.eye(n_classes)[np.asarray(labels)]


@pytest.mark.parametrize("func", [one_hot_lists, one_hot_booleans, one_hot_eye])
def test_one_hot_styles_pass(func):
    assert passes(func, "one_hot")


def test_one_hot_with_at_most_ten_columns_fails_a_hidden_check():
    def capped(labels, n_classes):
        return np.eye(min(int(n_classes), 10))[np.asarray(labels)]

    assert fails_hidden_only(capped, "one_hot")


# --- gaussian_nll ---------------------------------------------------------------------------------

def gaussian_nll_loop(y, mu, sigma):
    """math, one example at a time; sigma a number or one per example."""
    sigmas = list(sigma) if hasattr(sigma, "__len__") else [sigma] * len(y)
    total = 0.0
    for yi, mi, si in zip(y, mu, sigmas):
        yi, mi, si = float(yi), float(mi), float(si)
        total += math.log(si) + 0.5 * math.log(2 * math.pi) + (yi - mi) ** 2 / (2 * si * si)
    return total / len(y)


def gaussian_nll_variance(y, mu, sigma):
    """Through the variance: 0.5 * ln(2 pi var) + (y - mu)^2 / (2 var), broadcast."""
    y, mu = np.asarray(y, dtype=float), np.asarray(mu, dtype=float)
    var = np.broadcast_to(np.asarray(sigma, dtype=float) ** 2, y.shape)
    return np.mean(0.5 * np.log(2 * np.pi * var) + (y - mu) ** 2 / (2 * var))


def gaussian_nll_log_density(y, mu, sigma):
    """-log of the density itself: the density underflows to 0 for a small sigma (the text warns)."""
    y, mu, sigma = (np.asarray(a, dtype=float) for a in (y, mu, sigma))
    density = np.exp(-(y - mu) ** 2 / (2 * sigma ** 2)) / (sigma * np.sqrt(2 * np.pi))
    return -np.mean(np.log(density) * np.ones_like(y))


@pytest.mark.parametrize("func", [gaussian_nll_loop, gaussian_nll_variance])
def test_gaussian_nll_styles_pass(func):
    assert passes(func, "gaussian_nll")


def test_the_log_of_the_underflowing_density_fails_only_the_small_sigma_check():
    ex = EXERCISES["gaussian_nll"]
    with salted(0):
        assert evaluate(gaussian_nll_log_density, ex, visible=True) == []
        failures = evaluate(gaussian_nll_log_density, ex, visible=False, hidden=True)
    assert len(failures) == 1 and "1 of 6" in failures[0] and "small sigma" in failures[0]


def test_a_clipped_sigma_fails_a_hidden_check():
    def clipped(y, mu, sigma):
        return gaussian_nll_variance(y, mu, np.maximum(np.asarray(sigma, dtype=float), 0.1))

    assert fails_hidden_only(clipped, "gaussian_nll")


@settings(max_examples=40, deadline=None)
@given(st.floats(0.1, 10.0), st.integers(1, 30), st.integers(0, 2**31))
def test_gaussian_nll_is_an_affine_map_of_the_mse(sigma, n, seed):
    """What the learner shows: NLL = MSE / (2 sigma^2) + ln sigma + ln(2 pi) / 2, exactly."""
    rng = np.random.default_rng(seed)
    y, mu = rng.normal(0, 5, n), rng.normal(0, 5, n)
    mse = np.mean((y - mu) ** 2)
    expected = mse / (2 * sigma ** 2) + math.log(sigma) + 0.5 * math.log(2 * math.pi)
    # Two float64 evaluations of the same sum: rounding only.
    assert reference.gaussian_nll(y, mu, sigma) == pytest.approx(expected, rel=1e-12, abs=1e-12)


def test_gaussian_nll_rejects_bad_sigma_and_shapes():
    with pytest.raises(ValueError, match="positive"):
        reference.gaussian_nll([0.0], [0.0], 0.0)
    with pytest.raises(ValueError, match="same shape"):
        reference.gaussian_nll([0.0, 1.0], [0.0], 1.0)
