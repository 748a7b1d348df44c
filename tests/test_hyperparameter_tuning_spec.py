"""What ``13-hyperparameter-tuning``'s checks promise beyond the generated spec tests.

tests/test_specs_generated.py already checks every exercise of the chapter:
its reference passes, and each usual mistake listed in the spec fails with
its hint.  Here: the references agree with scikit-learn (ParameterGrid,
KFold) and with ``anncourse.tuning``; correct answers in other reasonable
styles pass; subtle wrong answers fail.
"""
from __future__ import annotations

import itertools
import math

import numpy as np
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st
from sklearn.model_selection import KFold, ParameterGrid

from anncourse import tuning
from anncourse.grading import CheckFailed, check
from anncourse.grading.core import evaluate
from anncourse.grading.specs import exercises
from anncourse.grading.specs import hyperparameter_tuning as spec

EXERCISES = exercises("13-hyperparameter-tuning")
SLUG = "13-hyperparameter-tuning"


def passes(func, name):
    return evaluate(func, EXERCISES[name], visible=True, hidden=True) == []


# --- the references agree with scikit-learn and anncourse.tuning ---------------------

names = st.lists(st.sampled_from(["lr", "width", "batch_size", "alpha", "Depth", "momentum"]),
                 min_size=1, max_size=4, unique=True)


@settings(max_examples=60, deadline=None)
@given(names, st.data())
def test_grid_points_is_parameter_grid(keys, data):
    space = {k: data.draw(st.lists(st.integers(-5, 5), min_size=1, max_size=3)) for k in keys}
    got_keys, rows = spec.grid_points(space)
    expected = [tuple(p[k] for k in got_keys) for p in ParameterGrid(space)]
    assert got_keys == sorted(space) and rows == expected
    assert [dict(zip(got_keys, r)) for r in rows] == tuning.parameter_grid(space)
    assert spec.n_configurations(space) == len(ParameterGrid(space)) == len(rows)


@settings(max_examples=30, deadline=None)
@given(st.lists(st.dictionaries(st.sampled_from("abcd"), st.lists(st.integers(), min_size=1,
                                                                    max_size=3), min_size=1),
                min_size=1, max_size=3))
def test_n_configurations_of_a_list_is_parameter_grid_len(grids):
    assert spec.n_configurations(grids) == len(ParameterGrid(grids))


@settings(max_examples=80, deadline=None)
@given(st.integers(2, 80), st.data())
def test_kfold_indices_is_sklearn_kfold(n, data):
    k = data.draw(st.integers(2, n))
    ours = spec.kfold_indices(n, k)
    theirs = list(KFold(n_splits=k).split(np.zeros(n)))
    assert len(ours) == k
    for (a, b), (c, d) in zip(ours, theirs):
        np.testing.assert_array_equal(a, c)
        np.testing.assert_array_equal(b, d)


@pytest.mark.parametrize("n, k", [(5, 1), (3, 4), (0, 2)])
def test_kfold_indices_refuses_impossible_folds(n, k):
    with pytest.raises(ValueError):
        spec.kfold_indices(n, k)


def test_loguniform_is_anncourse_loguniform_on_the_same_u():
    rng = np.random.default_rng(0)
    u = np.random.default_rng(0).uniform(size=50)
    drawn = tuning.loguniform(1e-5, 3.0).rvs(size=50, random_state=0)
    # Same u, two formulas: exp/log against a power; rounding only.
    np.testing.assert_allclose(spec.loguniform(u, 1e-5, 3.0), drawn, rtol=1e-12)
    assert rng is not None
    with pytest.raises(ValueError):
        spec.loguniform(0.5, 0.0, 1.0)


def test_best_config_agrees_with_search_result():
    results = [({"lr": 1.0}, math.nan), ({"lr": 0.1}, 0.8), ({"lr": 0.01}, 0.8), ({"lr": 1e-3}, 0.5)]
    ranked = tuning.SearchResult([{"params": c, "score": s} for c, s in results])
    assert spec.best_config(results) == ranked.best_params == {"lr": 0.1}
    with pytest.raises(ValueError):
        spec.best_config([({"lr": 1.0}, math.nan)])


# --- other correct styles pass --------------------------------------------------------

def grid_points_itertools_tuple(space):
    keys = tuple(sorted(space))
    return keys, itertools.product(*[space[k] for k in keys])  # an iterator of tuples


def grid_points_lists_numpy(space):
    keys = sorted(space)
    rows = [[]]
    for key in keys:
        rows = [row + [np.asarray(v).item() if isinstance(v, (int, float)) else v
                       for v in [value]] for row in rows for value in space[key]]
    return list(keys), rows


def grid_points_odometer(space):
    keys = sorted(space)
    sizes = [len(space[k]) for k in keys]
    rows = []
    for flat in range(math.prod(sizes)):
        index, row = flat, []
        for size, key in reversed(list(zip(sizes, keys))):
            index, r = divmod(index, size)
            row.append(space[key][r])
        rows.append(tuple(reversed(row)))
    return keys, rows


@pytest.mark.parametrize("func", [grid_points_itertools_tuple, grid_points_lists_numpy,
                                  grid_points_odometer])
def test_other_grid_styles_pass(func):
    assert passes(func, "grid_points")


def n_configurations_numpy(space):
    grids = [space] if isinstance(space, dict) else space
    return int(sum(np.prod([len(v) for v in g.values()]) for g in grids))


def test_numpy_count_passes():
    assert passes(n_configurations_numpy, "n_configurations")


def loguniform_base10(u, low, high):
    return 10 ** (math.log10(low) + np.asarray(u, dtype=float) * math.log10(high / low))


def loguniform_loop(u, low, high):
    if isinstance(u, float):
        return low * (high / low) ** u
    return [low * (high / low) ** float(v) for v in u]


@pytest.mark.parametrize("func", [loguniform_base10, loguniform_loop])
def test_other_loguniform_styles_pass(func):
    assert passes(func, "loguniform")


def kfold_indices_array_split_lists(n, k):
    folds = np.array_split(np.arange(n), k)
    return [([i for j, f in enumerate(folds) if j != m for i in f.tolist()], fold.tolist())
            for m, fold in enumerate(folds)]


def kfold_indices_unsorted_train(n, k):
    out = []
    for train, val in spec.kfold_indices(n, k):
        out.append((train[::-1], val[::-1]))
    return out


@pytest.mark.parametrize("func", [kfold_indices_array_split_lists, kfold_indices_unsorted_train])
def test_other_fold_styles_pass(func):
    assert passes(func, "kfold_indices")


def best_config_copy(results):
    best, score = None, -math.inf
    for config, s in results:
        if not math.isnan(s) and (best is None or s > score):
            best, score = config, s
    return dict(best) if isinstance(best, dict) else tuple(best)


def best_config_nanargmax(results):
    scores = np.array([s for _, s in results], dtype=float)
    return results[int(np.nanargmax(scores))][0]


@pytest.mark.parametrize("func", [best_config_copy, best_config_nanargmax])
def test_other_best_config_styles_pass(func):
    assert passes(func, "best_config")


# --- subtle wrong answers fail ---------------------------------------------------------

def grid_points_case_insensitive_reverse(space):
    keys = sorted(space, reverse=True)
    return keys, list(itertools.product(*[space[k] for k in keys]))


def test_reverse_sorted_keys_fail():
    assert not passes(grid_points_case_insensitive_reverse, "grid_points")


def test_a_grid_with_a_missing_row_fails():
    def short(space):
        keys, rows = spec.grid_points(space)
        return keys, rows[:-1]

    assert not passes(short, "grid_points")


def test_folds_without_the_last_sample_fail():
    def drops_last(n, k):
        return [(t[t != n - 1], v[v != n - 1]) for t, v in spec.kfold_indices(n, k)]

    assert not passes(drops_last, "kfold_indices")


def test_best_config_ignoring_nan_only_when_first_fails():
    def skips_first_nan(results):
        start = 1 if math.isnan(results[0][1]) else 0
        return max(results[start:], key=lambda p: p[1])[0]

    assert not passes(skips_first_nan, "best_config")


def test_the_hint_for_unsorted_keys_is_shown():
    def unsorted(space):
        keys = list(space)
        return keys, list(itertools.product(*[space[k] for k in keys]))

    with pytest.raises(CheckFailed, match="sorts the names"):
        check(unsorted, f"{SLUG}/grid_points")


def test_returning_the_pair_is_explained():
    def pair(results):
        i = int(spec.best_position(spec.best_config, results))
        return tuple(results[i])

    with pytest.raises(CheckFailed, match="return only the configuration"):
        check(pair, f"{SLUG}/best_config")


# --- every usual mistake is caught by the hidden checks whatever the grading salt ------

@pytest.mark.parametrize("name, label", [(name, m.label) for name, ex in EXERCISES.items()
                                         for m in ex.mistakes])
def test_each_mistake_fails_a_hidden_check_under_every_salt(name, label):
    """Some hidden check fails the mistake under each of several salts (its fixed inputs)."""
    from anncourse.grading.core import assess
    from anncourse.grading.properties import salted

    ex = EXERCISES[name]
    wrong = next(m.func for m in ex.mistakes if m.label == label)
    always = None
    for salt in (1, 2, 3, 12345, 2**40 + 7):
        with salted(salt):
            verdicts = assess(wrong, ex, visible=False, hidden=True).verdicts
        failed = {v.label for v in verdicts if not v.passed}
        always = failed if always is None else always & failed
    assert always, f"{name}: {label} escapes the hidden checks for some salt"
