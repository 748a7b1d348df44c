"""grid_search, random_search, their distributions and SearchResult."""
from __future__ import annotations

import importlib.util
import math
import subprocess
import sys

import numpy as np
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from anncourse.tuning import (LogUniform, SearchResult, Uniform, grid_search, loguniform,
                              parameter_grid, random_search, sample_parameters, uniform)

sklearn_model_selection = pytest.importorskip("sklearn.model_selection")
scipy_stats = pytest.importorskip("scipy.stats")


class Recorder:
    """A train_fn that remembers its calls and scores each with ``score(**params)``."""

    def __init__(self, score=lambda **params: 0.0):
        self.calls = []
        self.score = score

    def __call__(self, **params):
        self.calls.append(params)
        return self.score(**params)


# --------------------------------------------------------------------------
# Grid search
# --------------------------------------------------------------------------

names = st.sampled_from(["lr", "batch_size", "width", "momentum", "a", "z"])
value_lists = st.lists(st.integers(-5, 5), min_size=1, max_size=4)
grids = st.dictionaries(names, value_lists, min_size=1, max_size=4)


@settings(max_examples=60, deadline=None)
@given(st.one_of(grids, st.lists(grids, min_size=1, max_size=3)))
def test_grid_is_sklearns_parameter_grid(param_grid):
    expected = list(sklearn_model_selection.ParameterGrid(param_grid))
    assert parameter_grid(param_grid) == expected
    train_fn = Recorder()
    result = grid_search(train_fn, param_grid, progress=False)
    # Every combination once, in sklearn's order, and recorded in that order.
    assert train_fn.calls == expected
    assert [r["params"] for r in result.results] == expected


def test_grid_covers_every_combination_exactly_once():
    grid = {"lr": [0.1, 0.01, 0.001], "width": [16, 32], "activation": ["relu", "tanh"]}
    calls = grid_search(Recorder(), grid, progress=False).results
    combinations = {tuple(sorted(r["params"].items())) for r in calls}
    assert len(calls) == len(combinations) == 3 * 2 * 2
    assert combinations == {(("activation", a), ("lr", lr), ("width", w))
                            for a in grid["activation"] for lr in grid["lr"]
                            for w in grid["width"]}


@pytest.mark.parametrize("param_grid, error, match", [
    ({}, ValueError, "empty"),
    ([], ValueError, "empty list"),
    ([{"lr": [0.1]}, {}], ValueError, "empty"),
    ({"lr": []}, ValueError, r"param_grid\['lr'\] is an empty list"),
    ({"lr": 0.1}, TypeError, r"wrap a single value in a list: \[0.1\]"),
    ({"activation": "relu"}, TypeError, "list of values"),
    ({1: [0.1]}, TypeError, "strings"),
    ("lr", TypeError, "dict"),
])
def test_bad_grids_are_explained(param_grid, error, match):
    train_fn = Recorder()
    with pytest.raises(error, match=match):
        grid_search(train_fn, param_grid, progress=False)
    assert train_fn.calls == []


# --------------------------------------------------------------------------
# Random search
# --------------------------------------------------------------------------


DISTRIBUTIONS = {
    "lr": loguniform(1e-4, 1e-1),
    "dropout": uniform(0.0, 0.5),
    "width": [16, 32, 64],
    "momentum": scipy_stats.uniform(0.8, 0.19),
    "layers": lambda rng: int(rng.integers(1, 4)),
}


def test_random_search_is_deterministic_given_a_seed():
    first = random_search(Recorder(lambda **p: p["lr"]), DISTRIBUTIONS, 15, random_state=3,
                          progress=False)
    again = random_search(Recorder(lambda **p: p["lr"]), DISTRIBUTIONS, 15, random_state=3,
                          progress=False)
    other = random_search(Recorder(lambda **p: p["lr"]), DISTRIBUTIONS, 15, random_state=4,
                          progress=False)
    settings_of = lambda result: [r["params"] for r in result.results]  # noqa: E731
    assert settings_of(first) == settings_of(again)
    assert settings_of(first) != settings_of(other)
    assert settings_of(first) == sample_parameters(DISTRIBUTIONS, 15, random_state=3)
    # A Generator seed continues its stream: two draws of 5 are one of 10.
    rng = np.random.default_rng(3)
    split = sample_parameters(DISTRIBUTIONS, 5, rng) + sample_parameters(DISTRIBUTIONS, 5, rng)
    assert split == sample_parameters(DISTRIBUTIONS, 10, random_state=3)


def test_settings_have_every_name_in_sorted_order_and_plain_values():
    for params in sample_parameters(DISTRIBUTIONS, 20, random_state=0):
        assert list(params) == sorted(DISTRIBUTIONS)
        assert params["width"] in (16, 32, 64)
        assert params["layers"] in (1, 2, 3)
        assert 1e-4 <= params["lr"] <= 1e-1 and 0 <= params["dropout"] < 0.5
        assert 0.8 <= params["momentum"] <= 0.99
        assert all(type(v) in (int, float) for v in params.values())


def test_each_kind_of_distribution_is_drawn_from_the_shared_generator():
    # Names are visited in sorted order, each drawing from the same stream.
    drawn = sample_parameters({"b": scipy_stats.norm(1, 2), "a": [10, 20, 30],
                               "c": lambda rng: rng.random()}, 3, random_state=11)
    rng = np.random.default_rng(11)
    expected = []
    for _ in range(3):
        a = [10, 20, 30][rng.integers(3)]
        b = scipy_stats.norm(1, 2).rvs(random_state=rng)
        expected.append({"a": a, "b": float(b), "c": rng.random()})
    assert drawn == expected


# The settings are a fixed function of the seed, so these tests of the
# distribution are deterministic; 1e-3 is the level a correct sampler
# fails at for one seed in a thousand.
@pytest.mark.parametrize("ours, scipys", [
    (loguniform(1e-4, 1e-1), scipy_stats.loguniform(1e-4, 1e-1)),
    (uniform(-2.0, 3.0), scipy_stats.uniform(-2.0, 5.0)),
])
def test_distributions_are_scipys(ours, scipys):
    values = [p["x"] for p in sample_parameters({"x": ours}, 2000, random_state=0)]
    assert scipy_stats.kstest(values, scipys.cdf).pvalue > 1e-3
    array = ours.rvs(size=1000, random_state=1)
    assert array.shape == (1000,)
    assert scipy_stats.kstest(array, scipys.cdf).pvalue > 1e-3


def test_loguniform_gives_each_decade_the_same_share():
    values = np.array(loguniform(1e-4, 1e-1).rvs(size=30000, random_state=0))
    shares = np.histogram(np.log10(values), bins=[-4, -3, -2, -1])[0] / values.size
    # Binomial standard error sqrt(1/3 * 2/3 / 30000) = 0.0027: 4 of them.
    np.testing.assert_allclose(shares, 1 / 3, atol=0.011)


def test_loguniform_stays_within_its_ends():
    # u close to 1 gives exp(log(high)), which may round above high.
    values = LogUniform(0.1, 0.7).rvs(size=100000, random_state=2)
    assert values.min() >= 0.1 and values.max() <= 0.7
    choices = [p["w"] for p in sample_parameters({"w": [16, 32, 64]}, 300, random_state=0)]
    assert set(choices) == {16, 32, 64}


@pytest.mark.parametrize("make, args, error, match", [
    (loguniform, (0.0, 1.0), ValueError, "> 0"),
    (loguniform, (1.0, 0.1), ValueError, "less than"),
    (uniform, (1.0, 1.0), ValueError, "less than"),
    (uniform, (0.0, math.inf), ValueError, "finite"),
    (uniform, ("0", 1.0), TypeError, "real number"),
    (Uniform, (0.0, math.nan), ValueError, "finite"),
])
def test_bad_bounds_are_explained(make, args, error, match):
    with pytest.raises(error, match=match):
        make(*args)


@pytest.mark.parametrize("distributions, n_iter, error, match", [
    ({}, 3, ValueError, "empty"),
    ({"lr": []}, 3, ValueError, "empty list"),
    ({"lr": 0.1}, 3, TypeError, r"wrap a fixed value in a list: \[0.1\]"),
    ({"lr": [0.1]}, 0, ValueError, "n_iter"),
    ({"lr": [0.1]}, 2.0, TypeError, "n_iter"),
    ([0.1, 0.2], 2, TypeError, "dict"),
])
def test_bad_distributions_are_explained(distributions, n_iter, error, match):
    with pytest.raises(error, match=match):
        random_search(Recorder(), distributions, n_iter, random_state=0, progress=False)


# --------------------------------------------------------------------------
# Scores and the best setting
# --------------------------------------------------------------------------


@pytest.mark.parametrize("mode, best", [("max", {"x": 3}), ("min", {"x": -2})])
def test_best_is_the_highest_or_lowest_score(mode, best):
    result = grid_search(lambda x: float(x), {"x": [0, 3, -2, 1]}, mode=mode, progress=False)
    assert result.best_params == best
    assert result.best_score == best["x"]
    assert result.results[result.best_index]["params"] == best
    # The results stay in the order tried; ranking() sorts them.
    assert [r["score"] for r in result.results] == [0, 3, -2, 1]
    order = [0, 3, -2, 1]
    expected = sorted(order, reverse=mode == "max")
    assert [result.results[i]["score"] for i in result.ranking()] == expected


def test_ties_go_to_the_first_tried_and_nan_is_never_best():
    scores = {0: math.nan, 1: 0.5, 2: 0.9, 3: 0.9, 4: math.nan}
    result = grid_search(lambda i: scores[i], {"i": [0, 1, 2, 3, 4]}, progress=False)
    assert result.best_index == 2 and result.best_params == {"i": 2}
    assert result.ranking() == [2, 3, 1, 0, 4]
    low = grid_search(lambda i: scores[i], {"i": [0, 1, 2, 3, 4]}, mode="min", progress=False)
    assert low.best_params == {"i": 1}


def test_all_nan_has_no_best():
    result = grid_search(lambda i: math.nan, {"i": [0, 1]}, progress=False)
    assert result.best_index is None
    with pytest.raises(ValueError, match="NaN"):
        result.best_params
    assert "no best" in repr(result)


def test_a_dict_of_scores_is_ranked_by_score_key():
    def train_fn(lr):
        return {"val_loss": abs(lr - 0.01), "val_accuracy": 1 - lr}

    result = grid_search(train_fn, {"lr": [0.1, 0.01, 0.001]}, mode="min",
                         score_key="val_loss", progress=False)
    assert result.best_params == {"lr": 0.01}
    assert result.results[0]["scores"] == {"val_loss": abs(0.1 - 0.01), "val_accuracy": 0.9}
    assert result.results[0]["score"] == abs(0.1 - 0.01)
    single = grid_search(lambda lr: {"acc": -lr}, {"lr": [0.1, 0.01]}, progress=False)
    assert single.best_params == {"lr": 0.01}


@pytest.mark.parametrize("train_fn, score_key, error, match", [
    (lambda lr: {"a": 1.0, "b": 2.0}, None, ValueError, "score_key"),
    (lambda lr: {"a": 1.0}, "b", KeyError, "'b'"),
    (lambda lr: 1.0, "a", ValueError, "dict"),
    (lambda lr: "good", None, TypeError, "number"),
    (lambda lr: None, None, TypeError, "number"),
    (lambda lr: np.ones(2), None, TypeError, "number"),
    (lambda lr: {"a": [1.0]}, None, TypeError, "'a'"),
    (lambda lr: {}, None, ValueError, "empty"),
    (lambda lr: {"lr": 1.0}, None, ValueError, "parameter's name"),
])
def test_bad_scores_are_explained(train_fn, score_key, error, match):
    with pytest.raises(error, match=match):
        grid_search(train_fn, {"lr": [0.1]}, score_key=score_key, progress=False)


def test_numpy_scores_are_accepted():
    result = grid_search(lambda lr: np.float32(lr), {"lr": [0.5, 0.25]}, progress=False)
    assert result.best_score == 0.5 and type(result.best_score) is float


@pytest.mark.parametrize("call", [
    lambda: grid_search(Recorder(), {"lr": [0.1]}, mode="maximize", progress=False),
    lambda: SearchResult([], mode="best"),
])
def test_unknown_mode_is_explained(call):
    with pytest.raises(ValueError, match="'max'"):
        call()


def test_train_fn_must_be_callable():
    with pytest.raises(TypeError, match="train_fn"):
        grid_search(0.5, {"lr": [0.1]}, progress=False)


def test_exceptions_of_train_fn_stop_the_search():
    def train_fn(lr):
        raise RuntimeError("diverged")

    with pytest.raises(RuntimeError, match="diverged"):
        grid_search(train_fn, {"lr": [0.1]}, progress=False)


# --------------------------------------------------------------------------
# Reporting
# --------------------------------------------------------------------------


def test_table_lists_results_best_first():
    result = grid_search(lambda lr, width: {"acc": width / 100 - lr},
                         {"lr": [0.1, 0.01], "width": [8, 64]}, progress=False)
    lines = result.table().splitlines()
    assert lines[0].split() == ["rank", "lr", "width", "acc"]
    assert [line.split() for line in lines[1:]] == [
        ["1", "0.01", "64", "0.63"], ["2", "0.1", "64", "0.54"],
        ["3", "0.01", "8", "0.07"], ["4", "0.1", "8", "-0.02"]]
    # Right-aligned columns: every line has the same width.
    assert len({len(line) for line in lines}) == 1
    assert SearchResult([]).table() == "(no results)"


def test_table_of_several_grids_leaves_missing_parameters_blank():
    result = grid_search(lambda **p: float(len(p)),
                         [{"optimizer": ["sgd"], "momentum": [0.9]}, {"optimizer": ["adam"]}],
                         progress=False)
    lines = result.table().splitlines()
    assert lines[0].split() == ["rank", "momentum", "optimizer", "score"]
    assert lines[2].split() == ["2", "adam", "1"]


def test_to_dataframe_or_a_clear_import_error():
    result = grid_search(lambda lr: -lr, {"lr": [0.1, 0.01]}, progress=False)
    if importlib.util.find_spec("pandas") is None:
        with pytest.raises(ImportError, match="table()"):
            result.to_dataframe()
        return
    frame = result.to_dataframe()
    assert list(frame.columns) == ["rank", "lr", "score", "seconds"]
    assert frame["lr"].tolist() == [0.01, 0.1]


def test_progress_bar_counts_fits(capsys):
    grid_search(lambda lr: lr, {"lr": [0.1, 0.2, 0.3]}, progress=True)
    err = capsys.readouterr().err
    assert "grid search" in err and "3/3" in err and "best=0.3" in err
    random_search(lambda lr: lr, {"lr": [0.1]}, 2, random_state=0, progress=False)
    assert capsys.readouterr() == ("", "")


def test_tuning_a_real_network():
    # The intended use: train_fn fits a model and returns a validation score.
    from anncourse.data import make_moons
    from anncourse.metrics import accuracy_score
    from anncourse.nn import CrossEntropyLoss, Linear, ReLU, Sequential
    from anncourse.optim import SGD
    from anncourse.training import fit

    X, y = make_moons(200, noise=0.1, random_state=0)
    y = y.astype(int)

    def train_fn(lr, width):
        model = Sequential(Linear(2, width, random_state=0), ReLU(),
                           Linear(width, 2, random_state=1))
        fit(model, CrossEntropyLoss(), SGD(model.parameters(), lr=lr, momentum=0.9),
            (X[:150], y[:150]), epochs=15, batch_size=25, random_state=0, progress=False)
        return accuracy_score(y[150:], model(X[150:]).argmax(axis=1))

    result = grid_search(train_fn, {"lr": [1e-4, 0.1], "width": [2, 32]}, progress=False)
    # A learning rate of 1e-4 barely moves the weights in 90 steps.
    assert result.best_params == {"lr": 0.1, "width": 32}
    assert result.best_score > 0.9


# --------------------------------------------------------------------------
# Import
# --------------------------------------------------------------------------


def test_import_is_light():
    code = ("import sys, anncourse.tuning\n"
            "heavy = [m for m in ('torch', 'matplotlib', 'tqdm', 'sklearn', 'scipy', 'pandas')"
            " if m in sys.modules]\n"
            "assert not heavy, heavy")
    subprocess.run([sys.executable, "-c", code], check=True)
