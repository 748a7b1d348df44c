"""Hyper-parameter search: try settings, score each, keep the best.

A hyper-parameter (learning rate, layer width, batch size...) is chosen
before training, so it is chosen by trying: train once per setting,
score each trained model on validation data, and keep the best. What
changes between searches is which settings are tried:

* :func:`grid_search` tries every combination of a few values per
  hyper-parameter, in the order of scikit-learn's ``ParameterGrid``
  (:func:`parameter_grid`);
* :func:`random_search` draws ``n_iter`` settings at random from a
  distribution per hyper-parameter (:func:`sample_parameters`), which for
  the same budget tries more distinct values of each one (Bergstra and
  Bengio, 2012). :func:`loguniform` suits scales such as learning rates.

The training is yours: a function ``train_fn(**params)`` that trains a
model with those hyper-parameters and returns its validation score (or a
dict of scores). Both searches return a :class:`SearchResult`.

Examples
--------
>>> def train_fn(lr, width):          # stands in for training and validating
...     return -(lr - 0.01) ** 2 - (width - 64) ** 2 / 1e4
>>> result = grid_search(train_fn, {"lr": [0.1, 0.01], "width": [32, 64]}, progress=False)
>>> result.best_params, len(result.results)
({'lr': 0.01, 'width': 64}, 4)
"""
from __future__ import annotations

import itertools
import math
import numbers
import time
from collections.abc import Mapping, Sequence

import numpy as np

from anncourse._random import check_random_state, renamed

__all__ = [
    "parameter_grid",
    "sample_parameters",
    "grid_search",
    "random_search",
    "uniform",
    "loguniform",
    "Uniform",
    "LogUniform",
    "SearchResult",
]

_MODES = ("max", "min")


# ----------------------------------------------------------------------
# Distributions
# ----------------------------------------------------------------------


def _check_bounds(low, high, positive=False):
    """``low`` and ``high`` as floats with ``low < high`` (both ``> 0`` if ``positive``)."""
    for name, value in (("low", low), ("high", high)):
        if isinstance(value, bool) or not isinstance(value, numbers.Real):
            raise TypeError(f"{name} must be a real number, got {value!r}")
        if not math.isfinite(value):
            raise ValueError(f"{name} must be finite, got {value}")
        if positive and not value > 0:
            raise ValueError(f"{name} must be > 0 for a log-uniform distribution, got {value}; "
                             "the logarithm of 0 or less is not defined")
    if not low < high:
        raise ValueError(f"low must be less than high, got low={low}, high={high}")
    return float(low), float(high)


class Uniform:
    """The uniform distribution on ``[low, high)``: ``x = low + (high - low) * u``.

    ``u`` is uniform on ``[0, 1)``. Unlike ``scipy.stats.uniform(loc,
    scale)``, the arguments are the two ends of the interval.

    Parameters
    ----------
    low, high : float
        The interval's ends, ``low < high``.

    Examples
    --------
    >>> dropout = Uniform(0.0, 0.5)
    >>> print(f"{dropout.rvs(random_state=0):.6f}")
    0.318481
    """

    def __init__(self, low, high):
        self.low, self.high = _check_bounds(low, high)

    def rvs(self, size=None, random_state=None):
        """Draw one value (a float) or an array of ``size`` values.

        ``random_state`` is an int, a ``numpy.random.Generator`` or None.
        """
        return check_random_state(random_state).uniform(self.low, self.high, size)

    def __call__(self, rng):
        return self.rvs(random_state=rng)

    def __repr__(self):
        return f"Uniform({self.low!r}, {self.high!r})"


class LogUniform:
    """The log-uniform distribution: ``log(x)`` uniform on ``[log(low), log(high)]``.

    Formula, with ``u`` uniform on ``[0, 1)``::

        x = exp(log(low) + (log(high) - log(low)) * u)

    Each factor of 10 between ``low`` and ``high`` is equally likely, so
    ``LogUniform(1e-4, 1e-1)`` draws as many learning rates below
    ``1e-3`` as above ``1e-2``; a uniform distribution would put 90% of
    them above ``1e-2``. It is ``scipy.stats.loguniform(low, high)``.

    Parameters
    ----------
    low, high : float
        The ends of the range, ``0 < low < high``.

    Examples
    --------
    >>> lr = LogUniform(1e-4, 1e-1)
    >>> print(f"{lr.rvs(random_state=0):.6f}")
    0.008145
    """

    def __init__(self, low, high):
        self.low, self.high = _check_bounds(low, high, positive=True)

    def rvs(self, size=None, random_state=None):
        """Draw one value (a float) or an array of ``size`` values.

        ``random_state`` is an int, a ``numpy.random.Generator`` or None.
        """
        u = check_random_state(random_state).uniform(0.0, 1.0, size)
        x = np.exp(math.log(self.low) + (math.log(self.high) - math.log(self.low)) * u)
        # exp(log(high)) may round to just above high.
        return np.clip(x, self.low, self.high)

    def __call__(self, rng):
        return self.rvs(random_state=rng)

    def __repr__(self):
        return f"LogUniform({self.low!r}, {self.high!r})"


def uniform(low, high):
    """The uniform distribution on ``[low, high)``, for :func:`random_search`.

    See :class:`Uniform`.
    """
    return Uniform(low, high)


def loguniform(low, high):
    """The log-uniform distribution between ``low`` and ``high``, for :func:`random_search`.

    See :class:`LogUniform`.
    """
    return LogUniform(low, high)


# ----------------------------------------------------------------------
# Settings to try
# ----------------------------------------------------------------------


def _is_list_of_values(values):
    """Whether ``values`` is a sequence of candidate values (a string is not)."""
    return isinstance(values, (Sequence, np.ndarray)) and not isinstance(values, (str, bytes))


def _check_names(params, what):
    if not isinstance(params, Mapping):
        raise TypeError(f"{what} must be a dict from parameter names to values, "
                        f"got {type(params).__name__}")
    if not params:
        raise ValueError(f"{what} is empty; give at least one parameter, "
                         "e.g. {'lr': [0.1, 0.01]}")
    for name in params:
        if not isinstance(name, str):
            raise TypeError(f"parameter names must be strings, got {name!r} in {what}")


def parameter_grid(param_grid):
    """Every combination of the values in ``param_grid``, as scikit-learn's ``ParameterGrid``.

    The order is that of ``sklearn.model_selection.ParameterGrid``: within
    one grid the names are sorted, and the combinations are enumerated as
    an odometer whose last (alphabetically) name turns fastest::

        for v_1 in grid[name_1]:          # name_1 < name_2 < ... < name_k
            ...
                for v_k in grid[name_k]:
                    yield {name_1: v_1, ..., name_k: v_k}

    A list of grids gives the combinations of each grid in turn, so
    settings that only make sense together can be kept apart.

    Parameters
    ----------
    param_grid : dict or list of dict
        Names to lists of values.

    Returns
    -------
    list of dict
        ``prod(len(values))`` settings per grid, in the order above.

    Raises
    ------
    ValueError
        If a grid is empty, the list of grids is empty, or a name has no
        values.
    TypeError
        If a value is not given as a list (a single value, a string).

    Examples
    --------
    >>> parameter_grid({"lr": [0.1, 0.01], "batch_size": [32, 64]})
    [{'batch_size': 32, 'lr': 0.1}, {'batch_size': 32, 'lr': 0.01}, {'batch_size': 64, 'lr': 0.1}, {'batch_size': 64, 'lr': 0.01}]
    """
    grids = [param_grid] if isinstance(param_grid, Mapping) else param_grid
    if not isinstance(grids, Sequence) or isinstance(grids, str):
        raise TypeError(f"param_grid must be a dict or a list of dicts, "
                        f"got {type(param_grid).__name__}")
    if not grids:
        raise ValueError("param_grid is an empty list; give at least one grid (a dict)")
    settings = []
    for grid in grids:
        _check_names(grid, "param_grid")
        names = sorted(grid)
        for name in names:
            values = grid[name]
            if not _is_list_of_values(values):
                raise TypeError(f"param_grid[{name!r}] must be a list of values, got "
                                f"{values!r}; wrap a single value in a list: [{values!r}]")
            if len(values) == 0:
                raise ValueError(f"param_grid[{name!r}] is an empty list; a grid needs at "
                                 "least one value per parameter")
        for combination in itertools.product(*(grid[name] for name in names)):
            settings.append(dict(zip(names, combination)))
    return settings


def _draw(name, distribution, rng):
    """One value of parameter ``name`` from ``distribution``."""
    if callable(getattr(distribution, "rvs", None)):
        value = distribution.rvs(random_state=rng)
    elif _is_list_of_values(distribution):
        if len(distribution) == 0:
            raise ValueError(f"param_distributions[{name!r}] is an empty list; "
                             "give at least one value to choose from")
        value = distribution[rng.integers(len(distribution))]
    elif callable(distribution):
        value = distribution(rng)
    else:
        raise TypeError(
            f"param_distributions[{name!r}] must be a list of values, a function "
            "rng -> value, or a distribution with .rvs (such as scipy.stats's), got "
            f"{distribution!r}; wrap a fixed value in a list: [{distribution!r}]"
        )
    # A NumPy scalar or 0-d array prints and compares more plainly as a Python number.
    if isinstance(value, np.generic) or (isinstance(value, np.ndarray) and value.ndim == 0):
        value = value.item()
    return value


@renamed("seed")
def sample_parameters(param_distributions, n_iter, random_state=None):
    """Draw ``n_iter`` settings at random, one value per parameter each.

    For each setting in turn, the names are taken in sorted order and each
    value is drawn from one ``numpy.random.Generator`` made from
    ``random_state``:

    * a list (or tuple, array): one of its values, each equally likely;
    * an object with ``rvs`` (:func:`loguniform`, :func:`uniform`,
      ``scipy.stats`` distributions): ``distribution.rvs(random_state=rng)``;
    * another callable: ``distribution(rng)``.

    The draws are independent, so a setting may repeat, especially when
    every distribution is a short list.

    Parameters
    ----------
    param_distributions : dict
        Names to distributions.
    n_iter : int
        Number of settings, at least 1.
    random_state : None, int or numpy.random.Generator
        Source of randomness: the same int gives the same settings.

    Returns
    -------
    list of dict
        ``n_iter`` settings, each with the names in sorted order.

    Raises
    ------
    TypeError
        If a distribution is none of the above, or ``n_iter`` is not an integer.
    ValueError
        If ``param_distributions`` or one of its lists is empty, or ``n_iter < 1``.

    Examples
    --------
    >>> sample_parameters({"lr": loguniform(1e-4, 1e-1), "width": [32, 64, 128]}, 2,
    ...                   random_state=0)
    [{'lr': 0.008144886973076106, 'width': 64}, {'lr': 0.0001327151712530881, 'width': 32}]
    """
    _check_names(param_distributions, "param_distributions")
    if isinstance(n_iter, bool) or not isinstance(n_iter, numbers.Integral):
        raise TypeError(f"n_iter must be an integer, got {n_iter!r}")
    if n_iter < 1:
        raise ValueError(f"n_iter must be at least 1, got {n_iter}")
    rng = check_random_state(random_state)
    names = sorted(param_distributions)
    return [{name: _draw(name, param_distributions[name], rng) for name in names}
            for _ in range(n_iter)]


# ----------------------------------------------------------------------
# Running a search
# ----------------------------------------------------------------------


def _as_score(value, what):
    """``value`` as a float, or a TypeError saying what ``train_fn`` must return."""
    if isinstance(value, bool) or not isinstance(value, (numbers.Real, np.ndarray)):
        raise TypeError(f"train_fn must return a number or a dict of numbers, but {what} "
                        f"is {value!r}")
    array = np.asarray(value)
    if array.ndim != 0 or array.dtype.kind not in "iuf":
        raise TypeError(f"train_fn must return a number or a dict of numbers, but {what} "
                        f"is {value!r}")
    return float(array)


def _scores(returned, params, score_key):
    """The dict of scores and the ranked score of one call of ``train_fn``."""
    if isinstance(returned, Mapping):
        if not returned:
            raise ValueError(f"train_fn returned an empty dict for {params}")
        scores = {name: _as_score(value, f"its score {name!r}")
                  for name, value in returned.items()}
        if score_key is None:
            if len(scores) > 1:
                raise ValueError(f"train_fn returned the scores {list(scores)}; pass "
                                 "score_key to say which one to rank by")
            score_key = next(iter(scores))
        if score_key not in scores:
            raise KeyError(f"score_key is {score_key!r} but train_fn returned only "
                           f"{list(scores)}")
    else:
        if score_key is not None:
            raise ValueError(f"score_key={score_key!r} needs train_fn to return a dict of "
                             "scores, but it returned one number")
        scores = {"score": _as_score(returned, "what it returned")}
        score_key = "score"
    clash = set(scores).intersection(params)
    if clash:
        raise ValueError(f"train_fn returned a score named {sorted(clash)[0]!r}, which is a "
                         "parameter's name; give the score another name")
    return scores, scores[score_key]


def _run(train_fn, settings, mode, score_key, progress, desc):
    """Call ``train_fn`` on each setting; return the :class:`SearchResult`."""
    if not callable(train_fn):
        raise TypeError(f"train_fn must be a function train_fn(**params) -> score, "
                        f"got {type(train_fn).__name__}")
    if mode not in _MODES:
        raise ValueError(f"mode must be 'max' (for accuracies) or 'min' (for losses), "
                         f"got {mode!r}")
    result = SearchResult([], mode=mode)
    bar = None
    if progress:
        # Imported here: tqdm.auto looks for Jupyter widgets, which takes time.
        from tqdm.auto import tqdm
        bar = tqdm(total=len(settings), desc=desc, unit="fit")
    try:
        for params in settings:
            start = time.perf_counter()
            returned = train_fn(**params)
            seconds = time.perf_counter() - start
            scores, score = _scores(returned, params, score_key)
            result.results.append({"params": dict(params), "score": score, "scores": scores,
                                   "seconds": seconds})
            if bar is not None:
                if result.best_index is not None:
                    bar.set_postfix(best=f"{result.best_score:.4g}", refresh=False)
                bar.update(1)
    finally:
        if bar is not None:
            bar.close()
    return result


def grid_search(train_fn, param_grid, *, mode="max", score_key=None, progress=True):
    """Call ``train_fn`` with every combination of ``param_grid``; return the results.

    The combinations are tried in the order of :func:`parameter_grid`
    (scikit-learn's ``ParameterGrid``): names sorted, the last one
    changing fastest.

    Parameters
    ----------
    train_fn : callable
        ``train_fn(**params)`` trains a model with those hyper-parameters
        and returns its validation score: a number, or a dict of numbers
        (then ``score_key`` picks the one to rank by). An exception stops
        the search; to skip a setting that fails, return ``float("nan")``,
        which is never the best.
    param_grid : dict or list of dict
        Names to lists of values, e.g. ``{"lr": [0.1, 0.01], "width": [32, 64]}``.
    mode : {"max", "min"}, default "max"
        Whether higher scores (accuracy) or lower ones (loss) are better.
    score_key : str, optional
        The score to rank by when ``train_fn`` returns a dict of several.
    progress : bool, default True
        Show a progress bar (``tqdm.auto``) with the best score so far.

    Returns
    -------
    SearchResult
        One result per combination, in the order tried.

    Raises
    ------
    ValueError
        For an empty grid, a name without values, an unknown ``mode``, or
        a dict of scores without ``score_key``.
    TypeError
        If a grid value is not a list or ``train_fn`` returns something
        other than numbers.

    Examples
    --------
    >>> result = grid_search(lambda lr: abs(lr - 0.01), {"lr": [1.0, 0.1, 0.01, 0.001]},
    ...                      mode="min", progress=False)
    >>> result.best_params, result.best_score
    ({'lr': 0.01}, 0.0)
    """
    settings = parameter_grid(param_grid)
    return _run(train_fn, settings, mode, score_key, progress, "grid search")


@renamed("seed")
def random_search(train_fn, param_distributions, n_iter, random_state=None, *, mode="max",
                  score_key=None, progress=True):
    """Call ``train_fn`` with ``n_iter`` settings drawn at random; return the results.

    The settings are drawn first, all of them, by
    :func:`sample_parameters`, so they depend only on ``random_state`` (not on
    any randomness used inside ``train_fn``).

    Parameters
    ----------
    train_fn : callable
        As for :func:`grid_search`.
    param_distributions : dict
        Names to distributions: a list (uniform choice), an object with
        ``rvs`` (:func:`loguniform`, :func:`uniform`, ``scipy.stats``), or a
        function ``rng -> value``.
    n_iter : int
        Number of settings to try.
    random_state : None, int or numpy.random.Generator
        Source of randomness for the settings.
    mode, score_key, progress
        As for :func:`grid_search`.

    Returns
    -------
    SearchResult
        One result per setting, in the order tried.

    Raises
    ------
    TypeError, ValueError
        As for :func:`sample_parameters` and :func:`grid_search`.

    Examples
    --------
    >>> result = random_search(lambda lr: -abs(np.log10(lr) + 2),
    ...                        {"lr": loguniform(1e-4, 1e-1)}, n_iter=20, random_state=0,
    ...                        progress=False)
    >>> print(f"{result.best_params['lr']:.4f}")
    0.0081
    """
    settings = sample_parameters(param_distributions, n_iter, random_state)
    return _run(train_fn, settings, mode, score_key, progress, "random search")


# ----------------------------------------------------------------------
# Results
# ----------------------------------------------------------------------


def _format(value):
    """A table cell: numbers to 6 significant digits, anything else as ``str``."""
    if isinstance(value, numbers.Real) and not isinstance(value, (bool, numbers.Integral)):
        return f"{value:.6g}"
    return str(value)


class SearchResult:
    """The settings a search tried and their scores.

    Parameters
    ----------
    results : list of dict
        One dict per call of ``train_fn``, **in the order tried**, with
        ``"params"`` (the setting), ``"score"`` (the score ranked by),
        ``"scores"`` (every score ``train_fn`` returned; ``{"score": s}``
        for a plain number) and ``"seconds"`` (how long the call took).
    mode : {"max", "min"}
        Whether higher or lower scores are better.

    Attributes
    ----------
    best_index : int or None
        Position in :attr:`results` of the best score; the first of equal
        ones. NaN scores are never best; ``None`` if every score is NaN.
    best_params : dict
        The best setting.
    best_score : float
        Its score.

    Examples
    --------
    >>> result = SearchResult([{"params": {"lr": 0.1}, "score": 0.8},
    ...                        {"params": {"lr": 0.01}, "score": 0.9}], mode="max")
    >>> result.best_params, result.best_score
    ({'lr': 0.01}, 0.9)
    >>> print(result.table())
    rank    lr  score
       1  0.01    0.9
       2   0.1    0.8
    """

    def __init__(self, results, mode="max"):
        if mode not in _MODES:
            raise ValueError(f"mode must be 'max' or 'min', got {mode!r}")
        self.results = list(results)
        self.mode = mode

    def _key(self, index):
        """Sort key: best score first, NaN last, ties in the order tried."""
        score = self.results[index]["score"]
        if math.isnan(score):
            return (1, 0.0, index)
        return (0, -score if self.mode == "max" else score, index)

    def ranking(self):
        """Positions in :attr:`results`, from the best score to the worst."""
        return sorted(range(len(self.results)), key=self._key)

    @property
    def best_index(self):
        if not self.results:
            return None
        best = min(range(len(self.results)), key=self._key)
        return None if math.isnan(self.results[best]["score"]) else best

    def _best(self):
        best = self.best_index
        if best is None:
            raise ValueError("there is no best setting: no score was recorded, or every "
                             "score is NaN (did training diverge?)")
        return self.results[best]

    @property
    def best_params(self):
        return dict(self._best()["params"])

    @property
    def best_score(self):
        return self._best()["score"]

    def _rows(self):
        """Flat rows, best first: rank, parameters, then scores."""
        rows = []
        for rank, index in enumerate(self.ranking(), start=1):
            result = self.results[index]
            scores = result.get("scores", {"score": result["score"]})
            rows.append({"rank": rank, **result["params"], **scores})
        return rows

    def table(self):
        """The results as plain text, best first: a rank, then parameters, then scores."""
        rows = self._rows()
        if not rows:
            return "(no results)"
        columns = list(dict.fromkeys(name for row in rows for name in row))
        cells = [[_format(row[name]) if name in row else "" for name in columns] for row in rows]
        widths = [max(len(name), *(len(line[i]) for line in cells))
                  for i, name in enumerate(columns)]
        lines = ["  ".join(name.rjust(width) for name, width in zip(columns, widths))]
        lines += ["  ".join(cell.rjust(width) for cell, width in zip(line, widths))
                  for line in cells]
        return "\n".join(lines)

    def to_dataframe(self):
        """The rows of :meth:`table` as a ``pandas.DataFrame``, with the time taken.

        Raises
        ------
        ImportError
            If pandas is not installed.
        """
        try:
            import pandas as pd
        except ImportError:
            raise ImportError("to_dataframe needs pandas, which is not installed; "
                              "use table() for a plain-text table") from None
        rows = self._rows()
        for row, index in zip(rows, self.ranking()):
            row["seconds"] = self.results[index].get("seconds", float("nan"))
        return pd.DataFrame(rows)

    def __len__(self):
        return len(self.results)

    def __repr__(self):
        if self.best_index is None:
            return f"SearchResult(mode={self.mode!r}, {len(self)} results, no best)"
        return (f"SearchResult(mode={self.mode!r}, {len(self)} results, "
                f"best_score={self.best_score!r}, best_params={self.best_params!r})")
