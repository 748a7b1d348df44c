"""Exercises of ``13-hyperparameter-tuning``: the pieces of a hyper-parameter search.

The learner writes the parts of a search that are easy to get subtly wrong:
the order of a grid (:func:`grid_points`, scikit-learn's ``ParameterGrid``
order), its size (:func:`n_configurations`), log-uniform draws
(:func:`loguniform`), the folds of k-fold cross-validation
(:func:`kfold_indices`, scikit-learn's ``KFold`` without shuffling) and
the choice of the winner (:func:`best_config`).

The conventions the notebook states, and the checks hold the learner to:

* ``space`` is a dict from hyper-parameter names (strings) to lists of
  values; :func:`n_configurations` also takes a list of such dicts (several
  grids, one after the other, as ``ParameterGrid`` does);
* :func:`grid_points` returns ``(keys, rows)``: the names in sorted order,
  and one row per combination, each row the values in the keys' order;
* :func:`kfold_indices` returns ``k`` pairs ``(train, val)`` of index arrays;
* ``results`` is a list of ``(config, score)`` pairs, higher scores are
  better, the first of equal scores wins, and a NaN score (a training run
  that diverged) never wins.

Three answers are not numbers, so each is checked through a *driver*
(trusted code run where the learner's function lives) that turns it into
numbers, the same way for the learner and for the reference:

* :func:`grid_positions` codes a grid as positions: the first row gives each
  returned key's position in ``sorted(space)``, each further row each
  value's position in its list (-1 for a name or value not in ``space``);
* :func:`fold_codes` codes each fold as one number per sample: how often the
  sample is in the validation indices, plus twice how often it is in the
  training ones (so 1 = validation, 2 = training, anything else is wrong);
* :func:`best_position` gives the position of the returned configuration in
  ``results`` (-2 for a ``(config, score)`` pair, -3 for a position given
  instead of a configuration, -1 for anything else).

What the checks must accept
---------------------------
Keys as a list or a tuple; rows as tuples, lists or arrays (or an iterator
of them); values converted to NumPy scalars; folds as arrays or lists, in
any order within a fold; the configuration returned as the very object or
an equal copy; ``results`` given as tuples or lists, with int or float
scores; ``u`` as a float, a list or an array (float32 too).

Tolerances
----------
Positions, counts and codes are integers and compared exactly (``atol`` far
below 1).  :func:`loguniform` in float64 uses ``rtol=1e-9``: the two usual
formulas, ``low * (high / low) ** u`` and ``exp(log(low) + u * log(high /
low))``, agree to about 1e-14 relative over ranges of up to ten decades,
and a wrong one (a uniform draw, exponents for ends) is off by far more.
float32 ``u`` is compared with the float64 value at ``rtol=1e-4``: an error
of 6e-8 in ``u`` moves ``x`` by ``6e-8 * ln(high / low)`` relative, below
2e-6 for ten decades.
"""
from __future__ import annotations

import copy
import itertools
import math

import numpy as np

from ..core import Case, Exercise, Mistake, Property
from ..properties import matches_reference, scenario_matches
from ..specbuilder import Chapter, Tol, fixed, mistake, seed_for, standard

__all__ = ["EXERCISES"]

chapter = Chapter(__name__)

EXACT = Tol(0.0, 1e-9)
LOG = Tol(1e-9, 0.0)
F32 = Tol(1e-4, 0.0)


# --- references ------------------------------------------------------------------

def grid_points(space):
    """The grid of ``space`` in ``ParameterGrid`` order: ``(sorted names, rows)``."""
    if not isinstance(space, dict):
        raise TypeError(f"space must be a dict from names to lists of values, got "
                        f"{type(space).__name__}")
    keys = sorted(space)
    rows = list(itertools.product(*(space[key] for key in keys)))
    return keys, rows


def n_configurations(space):
    """How many settings a grid (a dict) or a list of grids (dicts) holds."""
    grids = [space] if isinstance(space, dict) else list(space)
    return sum(math.prod(len(values) for values in grid.values()) for grid in grids)


def loguniform(u, low, high):
    """Map uniform numbers ``u`` in [0, 1) to the log-uniform range from ``low`` to ``high``."""
    if not 0 < low < high:
        raise ValueError(f"need 0 < low < high, got low={low}, high={high}")
    u = np.asarray(u, dtype=float)
    return low * (high / low) ** u


def kfold_indices(n, k):
    """``k`` pairs ``(train, val)``: contiguous validation folds, the first ``n % k`` one longer."""
    if not 2 <= k <= n:
        raise ValueError(f"need 2 <= k <= n, got n={n}, k={k}")
    base, extra = divmod(n, k)
    folds, start = [], 0
    for fold in range(k):
        stop = start + base + (1 if fold < extra else 0)
        val = np.arange(start, stop)
        train = np.concatenate([np.arange(0, start), np.arange(stop, n)])
        folds.append((train, val))
        start = stop
    return folds


def best_config(results):
    """The configuration with the highest score; the first of equal ones; NaN never wins."""
    best, best_score = None, None
    for config, score in results:
        score = float(score)
        if math.isnan(score):
            continue
        if best_score is None or score > best_score:
            best, best_score = config, score
    if best_score is None:
        raise ValueError("no configuration has a score (empty results, or every score NaN)")
    return best


# --- drivers: trusted code that turns an answer into numbers (NumPy and stdlib only) ---

def grid_positions(grid_points, space):
    """Run grid_points(space); code the keys and rows as positions in space (see module doc)."""
    import numpy as np

    answer = grid_points(space)
    if answer is None:
        return None
    keys, rows = answer
    keys = [str(key) for key in keys]
    names = sorted(space)

    def position(values, value):
        for i, candidate in enumerate(values):
            try:
                if type(candidate) is not str and isinstance(value, str):
                    continue
                if bool(candidate == value):
                    return i
            except (TypeError, ValueError):
                continue
        return -1

    coded = [[names.index(key) if key in names else -1 for key in keys]]
    for number, row in enumerate(rows):
        row = list(row)
        if len(row) != len(keys):
            raise ValueError(f"row {number} has {len(row)} values for {len(keys)} keys")
        coded.append([position(space[key], value) if key in space else -1
                      for key, value in zip(keys, row)])
    return np.array(coded, dtype=float).reshape(len(coded), len(keys))


def fold_codes(kfold_indices, n, k):
    """Run kfold_indices(n, k); code each fold per sample: 1 validation, 2 training."""
    import numpy as np

    folds = kfold_indices(n, k)
    if folds is None:
        return None
    coded = []
    for train, val in folds:
        code = np.zeros(n)
        np.add.at(code, np.asarray(val, dtype=int).reshape(-1), 1.0)
        np.add.at(code, np.asarray(train, dtype=int).reshape(-1), 2.0)
        coded.append(code)
    return np.array(coded).reshape(len(coded), n)


def best_position(best_config, results):
    """Run best_config(results); where its answer sits in results (see module doc)."""
    import numbers

    answer = best_config(results)
    if answer is None:
        return None
    configs = [config for config, _ in results]

    def same(a, b):
        try:
            return a is b or bool(a == b)
        except (TypeError, ValueError):
            return False

    for i, config in enumerate(configs):
        if same(config, answer):
            return float(i)
    if isinstance(answer, (tuple, list)) and len(answer) == 2 \
            and any(same(config, answer[0]) for config in configs):
        return -2.0
    if isinstance(answer, numbers.Integral) and not isinstance(answer, bool) \
            and 0 <= answer < len(configs):
        return -3.0
    return -1.0


def _driven_hint(driver, wrong, advice):
    """A hint: the learner's coded answer is what ``wrong`` gives under the same driver."""

    def hint(args, expected, actual):
        try:
            with np.errstate(all="ignore"):
                args = copy.deepcopy(args)
                value = driver(wrong, *args) if driver is not None else wrong(*args)
                value = np.asarray(value, dtype=float)
        except Exception:  # the wrong variant does not apply to these inputs
            return None
        if value.shape != actual.shape or np.array_equal(value, expected):
            return None
        return advice if np.array_equal(value, actual) else None

    return hint


def _code_hint(code, advice):
    """A hint for an answer coded as one number (``best_position``'s -2, -3)."""

    def hint(args, expected, actual):
        return advice if actual.size == 1 and float(actual.reshape(-1)[0]) == code else None

    return hint


def _scenario(reference, driver, *, visible, hidden, mistakes, extra_hints=()):
    """An exercise checked through ``driver`` (or directly, for ``driver=None``).

    ``visible`` holds ``(label, args)``; ``hidden`` holds ``(label, make, trials)``
    with ``make(rng) -> args`` or fixed ``args``; ``mistakes`` holds
    ``(label, wrong function, hint)``. The arguments reach the functions as
    they are (the specbuilder's float conversion would break dicts).
    """
    name = reference.__name__
    key = f"{chapter.slug}/{name}"
    cases = [Case(label, tuple(args), reference, driver=driver, rtol=EXACT.rtol, atol=EXACT.atol)
             for label, args in visible]
    props = []
    for label, make, trials in hidden:
        maker = make if callable(make) else (lambda rng, made=make: made)
        seed = seed_for(key, label)
        test = (scenario_matches(reference, driver, maker, trials=trials, rtol=EXACT.rtol,
                                 atol=EXACT.atol, seed=seed) if driver is not None else
                matches_reference(reference, maker, trials=trials, rtol=EXACT.rtol,
                                  atol=EXACT.atol, seed=seed))
        props.append(Property(label, test))
    hints = [_driven_hint(driver, func, advice) for _, func, advice in mistakes]
    return Exercise(key=key, function_name=name, visible=cases, hidden=props,
                    hints=[*hints, *extra_hints], reference=reference,
                    mistakes=[Mistake(label, func, advice) for label, func, advice in mistakes])


# --- grid_points -------------------------------------------------------------------

def _grid_unsorted(space):
    keys = list(space)
    return keys, list(itertools.product(*(space[key] for key in keys)))


def _grid_first_fastest(space):
    keys = sorted(space)
    rows = [tuple(reversed(row)) for row in itertools.product(*(space[k] for k in reversed(keys)))]
    return keys, rows


def _grid_sorted_values(space):
    keys = sorted(space)
    return keys, list(itertools.product(*(sorted(space[key]) for key in keys)))


_NAMES = ["lr", "batch_size", "width", "momentum", "activation", "epochs", "dropout", "depth"]


def _random_space(rng, as_tuples=False):
    """2 to 4 names in a shuffled order, 1 to 4 values each (numbers, or words for one name)."""
    names = list(rng.permutation(_NAMES)[: int(rng.integers(2, 5))])
    space = {}
    for name in names:
        size = int(rng.integers(1, 5))
        if name == "activation":
            values = list(rng.permutation(["relu", "tanh", "sigmoid", "gelu"])[:size])
            values = [str(v) for v in values]
        elif name in ("batch_size", "width", "epochs", "depth"):
            values = [int(v) for v in rng.permutation([8, 16, 32, 64, 128, 256])[:size]]
        else:
            values = [float(v) for v in np.round(10.0 ** rng.uniform(-4, 0, size), 6)]
        space[str(name)] = tuple(values) if as_tuples else values
    return space


_GRID_FIXED = {"width": [64, 16, 32], "lr": [0.1, 0.001], "activation": ["tanh", "relu"]}

GRID_POINTS = _scenario(
    grid_points, grid_positions,
    visible=[
        ("the worked example {'lr': [0.1, 0.01], 'batch_size': [32, 64]} (compared as "
         "positions: first the keys' places in sorted(space), then each value's place in its list)",
         ({"lr": [0.1, 0.01], "batch_size": [32, 64]},)),
        ("three names given out of alphabetical order, values not sorted",
         ({"width": [64, 16], "activation": ["relu", "tanh"], "lr": [0.1, 0.01, 0.001]},)),
    ],
    hidden=[
        ("wrong for random spaces of two to four names", lambda rng: (_random_space(rng),), 5),
        ("wrong when the lists of values are tuples",
         lambda rng: (_random_space(rng, as_tuples=True),), 2),
        ("wrong for names out of alphabetical order and values out of order", (_GRID_FIXED,), 1),
        ("wrong for a single name", ({"lr": [0.3, 0.03, 0.003]},), 1),
        ("wrong when a name has a single value", ({"momentum": [0.9], "lr": [0.1, 0.01]},), 1),
    ],
    mistakes=[
        ("names in the order given", _grid_unsorted,
         "ParameterGrid sorts the names: use keys = sorted(space)"),
        ("the first name changes fastest", _grid_first_fastest,
         "the LAST name (in sorted order) changes fastest, like the last digit of an odometer"),
        ("values sorted", _grid_sorted_values,
         "keep each list of values in the order given; only the names are sorted"),
    ],
)


# --- n_configurations ------------------------------------------------------------

def _count_sum(space):
    grids = [space] if isinstance(space, dict) else list(space)
    return sum(len(values) for grid in grids for values in grid.values())


def _count_grids_multiplied(space):
    grids = [space] if isinstance(space, dict) else list(space)
    return math.prod(math.prod(len(v) for v in grid.values()) for grid in grids)


def _count_names(space):
    grids = [space] if isinstance(space, dict) else list(space)
    return sum(len(grid) for grid in grids)


def _one_space(rng):
    return (_random_space(rng),)


def _several_spaces(rng):
    return ([_random_space(rng) for _ in range(int(rng.integers(2, 4)))],)


N_CONFIGURATIONS = _scenario(
    n_configurations, None,
    visible=[
        ("a grid of 3 learning rates, 2 widths and 2 batch sizes",
         ({"lr": [0.1, 0.01, 0.001], "width": [32, 64], "batch_size": [16, 128]},)),
        ("a list of two grids, counted one after the other",
         ([{"optimizer": ["sgd"], "lr": [0.1, 0.01], "momentum": [0.0, 0.9]},
           {"optimizer": ["adam"], "lr": [0.01, 0.001, 0.0001]}],)),
    ],
    hidden=[
        ("wrong for random grids", _one_space, 5),
        ("wrong for random lists of grids", _several_spaces, 3),
        ("wrong for a grid of three names with four, three and two values",
         ({"lr": [1, 2, 3, 4], "width": [1, 2, 3], "depth": [1, 2]},), 1),
        ("wrong for a list of two grids", ([{"a": [1, 2], "b": [1, 2, 3]}, {"c": [1, 2, 3, 4, 5]}],),
         1),
        ("wrong for a grid with one value per name", ({"lr": [0.1], "width": [8]},), 1),
    ],
    mistakes=[
        ("adds the lengths", _count_sum,
         "a grid tries every combination: multiply the numbers of values, do not add them"),
        ("multiplies the grids of a list", _count_grids_multiplied,
         "the grids of a list are tried one after the other: add their sizes"),
        ("counts the names", _count_names,
         "count the combinations of values, not the hyper-parameters"),
    ],
)


# --- loguniform ----------------------------------------------------------------------

def _log_uniform_wrong_uniform(u, low, high):
    return low + (high - low) * np.asarray(u, dtype=float)


def _log_uniform_exponents(u, low, high):
    return 10.0 ** (low + (high - low) * np.asarray(u, dtype=float))


def _log_uniform_mixed_bases(u, low, high):
    return 10.0 ** (math.log(low) + (math.log(high) - math.log(low)) * np.asarray(u, dtype=float))


def _log_inputs(rng, n, dtype):
    low = float(10.0 ** rng.uniform(-6, -1))
    high = float(low * 10.0 ** rng.uniform(0.5, 4))
    if n is None:
        return float(rng.uniform()), low, high
    return rng.uniform(size=n).astype(dtype), low, high


LOGUNIFORM = chapter.exercise(
    loguniform,
    tol=LOG,
    visible=[
        ("u = [0, 1/3, 2/3, 0.5] from 1e-4 to 1e-1: one decade per third",
         (np.array([0.0, 1 / 3, 2 / 3, 0.5]), 1e-4, 1e-1)),
        ("a single u = 0.25 from 0.001 to 10, as a float", (0.25, 1e-3, 10.0)),
    ],
    hidden=[
        *standard(_log_inputs, LOG, F32),
        fixed("wrong for a range that does not start at a power of ten",
              (np.array([0.1, 0.5, 0.9]), 0.02, 0.5), tol=LOG),
    ],
    mistakes=[
        mistake("uniform, not log-uniform", _log_uniform_wrong_uniform,
                "this is a uniform draw: make log(x), not x, uniform between log(low) and "
                "log(high)"),
        mistake("low and high taken as exponents", _log_uniform_exponents,
                "low and high are the ends of the range itself, not powers of ten"),
        mistake("mixes the bases of log and power", _log_uniform_mixed_bases,
                "use the same base for the logarithm and the power (np.log with np.exp, or "
                "np.log10 with 10 **)"),
    ],
)


# --- kfold_indices ---------------------------------------------------------------------

def _folds_from_sizes(n, sizes):
    folds, start = [], 0
    for size in sizes:
        val = np.arange(start, start + size)
        folds.append((np.setdiff1d(np.arange(n), val), val))
        start += size
    return folds


def _kfold_remainder_last(n, k):
    base = n // k
    return _folds_from_sizes(n, [base] * (k - 1) + [n - base * (k - 1)])


def _kfold_ceil(n, k):
    size = -(-n // k)
    return [(np.setdiff1d(np.arange(n), np.arange(n)[f * size:(f + 1) * size]),
             np.arange(n)[f * size:(f + 1) * size]) for f in range(k)]


def _kfold_interleaved(n, k):
    return [(np.flatnonzero(np.arange(n) % k != f), np.flatnonzero(np.arange(n) % k == f))
            for f in range(k)]


def _kfold_train_everything(n, k):
    return [(np.arange(n), val) for _, val in kfold_indices(n, k)]


def _n_k(rng):
    n = int(rng.integers(4, 60))
    return n, int(rng.integers(2, min(n, 10) + 1))


KFOLD_INDICES = _scenario(
    kfold_indices, fold_codes,
    visible=[
        ("n = 10, k = 3: folds of 4, 3 and 3 (compared as one code per sample and fold: "
         "1 validation, 2 training)", (10, 3)),
        ("n = 10, k = 4: folds of 3, 3, 2 and 2", (10, 4)),
    ],
    hidden=[
        ("wrong for random n and k", _n_k, 5),
        ("wrong for n = 7, k = 3", (7, 3), 1),
        ("wrong for n = 23, k = 5", (23, 5), 1),
        ("wrong when k divides n", (12, 4), 1),
        ("wrong for leave-one-out (k = n)", (5, 5), 1),
    ],
    mistakes=[
        ("the remainder goes to the last fold", _kfold_remainder_last,
         "the n % k samples left over go one each to the FIRST n % k folds"),
        ("folds of ceil(n / k)", _kfold_ceil,
         "folds of ceil(n / k) leave the last ones too short: the first n % k folds get "
         "n // k + 1 samples, the others n // k"),
        ("interleaved folds", _kfold_interleaved,
         "the folds are contiguous blocks (0, 1, 2, ... then the next block), not every k-th "
         "sample"),
        ("training on everything", _kfold_train_everything,
         "the training indices are all the samples EXCEPT the validation fold"),
    ],
)


# --- best_config ----------------------------------------------------------------------

def _best_last_tie(results):
    best, best_score = None, -math.inf
    for config, score in results:
        if score >= best_score:
            best, best_score = config, score
    return best


def _best_lowest(results):
    return min(results, key=lambda pair: pair[1])[0]


def _best_argmax(results):
    return results[int(np.argmax([score for _, score in results]))][0]


def _best_pair(results):
    return results[int(best_position(best_config, results))]


def _best_index(results):
    return int(best_position(best_config, results))


_NAN = float("nan")


def _random_results(rng):
    """A random search's results: 3 to 12 settings, scores rounded so that ties happen."""
    n = int(rng.integers(3, 13))
    configs = [{"lr": float(np.round(10.0 ** rng.uniform(-4, 0), 6)), "width": int(w)}
               for w in rng.choice([16, 32, 64, 128], size=n)]
    scores = np.round(rng.uniform(0.5, 1.0, size=n), 1)
    results = [(config, float(s)) for config, s in zip(configs, scores)]
    if rng.uniform() < 0.5:
        results[int(rng.integers(n))] = (results[0][0] | {"lr": 9.0}, _NAN)
    return (results,)


BEST_CONFIG = _scenario(
    best_config, best_position,
    visible=[
        ("four settings, two tied for the best score (compared as the position of the "
         "configuration you return)",
         ([({"lr": 0.1, "width": 32}, 0.91), ({"lr": 0.01, "width": 32}, 0.95),
           ({"lr": 0.1, "width": 64}, 0.95), ({"lr": 0.01, "width": 64}, 0.89)],)),
        ("a first run that diverged (score NaN)",
         ([({"lr": 1.0}, _NAN), ({"lr": 0.1}, 0.8), ({"lr": 0.01}, 0.7)],)),
    ],
    hidden=[
        ("wrong for random results", _random_results, 5),
        ("wrong when the first and the last settings tie",
         ([((0.1, 8), 0.5), ((0.1, 16), 0.25), ((0.01, 8), 0.5)],), 1),
        ("wrong when a diverged run sits in the middle",
         ([({"lr": 0.01}, 0.5), ({"lr": 3.0}, _NAN), ({"lr": 0.1}, 0.75)],), 1),
        ("wrong for integer scores given as lists", ([[{"k": 1}, 3], [{"k": 2}, 7], [{"k": 3}, 5]],),
         1),
        ("wrong when the best is last", ([({"lr": 0.3}, 0.2), ({"lr": 0.03}, 0.9)],), 1),
        ("wrong when the first two runs diverged",
         ([({"lr": 5.0}, _NAN), ({"lr": 2.0}, _NAN), ({"lr": 0.2}, 0.6), ({"lr": 0.02}, 0.6)],), 1),
    ],
    mistakes=[
        ("the last of equal scores wins", _best_last_tie,
         "with equal scores the FIRST configuration wins: replace the best only on a strictly "
         "higher score"),
        ("np.argmax picks NaN", _best_argmax,
         "a NaN score (a run that diverged) must never win; np.argmax and max treat NaN as the "
         "largest or stop at it: skip NaN scores (math.isnan)"),
        ("lowest score", _best_lowest, "higher scores are better here (an accuracy)"),
        ("returns the pair", _best_pair,
         "return only the configuration, the first element of its (config, score) pair"),
        ("returns the position", _best_index,
         "return the configuration itself, not its position in results"),
    ],
    extra_hints=[
        _code_hint(-2.0, "return only the configuration, the first element of its "
                         "(config, score) pair"),
        _code_hint(-3.0, "return the configuration itself, not its position in results"),
    ],
)

EXERCISES = [GRID_POINTS, N_CONFIGURATIONS, LOGUNIFORM, KFOLD_INDICES, BEST_CONFIG]
