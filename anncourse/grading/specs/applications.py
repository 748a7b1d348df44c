"""Exercises of ``14-applications``: the small pieces that turn a domain's data into a network's.

Six exercises, one or two per application of the chapter:

* time series: :func:`sliding_windows` (a series into windows and the value
  after each) and :func:`persistence_forecast` (the baseline every forecaster
  must beat);
* language: :func:`bag_of_words` (documents into word counts);
* vision: :func:`conv2d_valid` (the "convolution" of deep learning, a
  cross-correlation over the positions where the kernel fits);
* reinforcement learning: :func:`q_learning_update` (one step of tabular
  Q-learning, returning a new table);
* health: :func:`sensitivity_specificity` (the two rates a diagnostic test is
  judged by).

Every reference is written here in NumPy and the standard library; the
notebook and ``tests/test_applications_spec.py`` check them against
scikit-learn, SciPy and PyTorch.

The conventions the exercises state
-----------------------------------
* ``sliding_windows``: row ``i`` of ``X`` is ``series[i : i + p]``, oldest
  value first, and ``y[i] = series[i + p]``; ``n - p`` rows.  Compared part by
  part (``X``, ``y``).
* ``persistence_forecast``: ``series[: n - horizon]``, the forecasts of the
  targets ``series[horizon:]`` (forecast ``i`` is for time ``i + horizon``).
* ``bag_of_words``: a document is lower-cased and cut into tokens, the
  maximal runs of letters ``a-z``, digits and apostrophes (the regular
  expression ``[a-z0-9']+``); entry ``[i, j]`` counts the tokens of document
  ``i`` equal to ``vocabulary[j]``.  Other tokens are ignored.
* ``conv2d_valid``: ``out[i, j] = sum(image[i:i+kh, j:j+kw] * kernel)``, no
  flip, shape ``(H - kh + 1, W - kw + 1)``.
* ``q_learning_update``: a copy of ``Q`` whose entry ``[s, a]`` moved by
  ``alpha * (r + gamma * max(Q[s_next]) - Q[s, a])``; the argument itself is
  unchanged (the grader fails any answer that changes its input in place).
* ``sensitivity_specificity``: ``(TP / (TP + FN), TN / (TN + FP))`` with class
  1 the positive class, 0.0 for a ratio 0 / 0.  Compared as one array of two
  numbers, so that the hints recognise a swap.

What the checks must accept
---------------------------
Loops or vectorised NumPy (``np.lib.stride_tricks.sliding_window_view``,
``np.einsum``), Python lists or arrays, float32 series and images, counts
returned as ``int`` or ``float``, labels as ``int``, ``bool`` or whole
floats.

Tolerances
----------
Windows, forecasts and counts are copies of input values or integers:
``EXACT`` (rtol 1e-12, atol 1e-12) still lets float32 input pass, since the
comparison is with the reference applied to the same float32 values promoted
to float64 exactly.  A 3x3 convolution and a Q-learning step are a few
products and sums: ``SUMS`` (rtol 1e-9, atol 1e-9) in float64 (two correct
orders of summation agree to about 1e-15); float32 images at ``F32`` (rtol
1e-4, atol 1e-4 on values of order 1-10: about 7 digits per operation, 9 to
25 terms).  Ratios of counts: rtol 1e-9.
"""
from __future__ import annotations

import dataclasses
import re

import numpy as np

from ..core import Part
from ..properties import scenario_matches
from ..specbuilder import Chapter, Hidden, Tol, fixed, mistake, random

__all__ = ["EXERCISES"]

chapter = Chapter(__name__)

EXACT = Tol(1e-12, 1e-12)
SUMS = Tol(1e-9, 1e-9)
F32 = Tol(1e-4, 1e-4)
RATIO = Tol(1e-9, 1e-12)

TOKEN = re.compile(r"[a-z0-9']+")


def _a(x):
    return np.asarray(x, dtype=np.float64)


# --- references --------------------------------------------------------------------

def sliding_windows(series, p):
    """Windows of ``p`` consecutive values (rows, oldest first) and the value after each."""
    s = _a(series).ravel()
    n = len(s)
    if not 1 <= int(p) < n:
        raise ValueError(f"p must be between 1 and len(series) - 1 = {n - 1}, got {p}")
    p = int(p)
    X = np.array([s[i:i + p] for i in range(n - p)]).reshape(n - p, p)
    return X, s[p:].copy()


def persistence_forecast(series, horizon=1):
    """Forecast each value by the one ``horizon`` steps earlier: ``series[:n - horizon]``."""
    s = _a(series).ravel()
    h = int(horizon)
    if not 1 <= h < len(s):
        raise ValueError(f"horizon must be between 1 and len(series) - 1, got {horizon}")
    return s[:len(s) - h].copy()


def bag_of_words(documents, vocabulary):
    """Counts ``[i, j]`` of ``vocabulary[j]`` among the tokens of ``documents[i]``."""
    column = {word: j for j, word in enumerate(vocabulary)}
    counts = np.zeros((len(documents), len(vocabulary)), dtype=np.int64)
    for i, doc in enumerate(documents):
        for token in TOKEN.findall(doc.lower()):
            if token in column:
                counts[i, column[token]] += 1
    return counts


def conv2d_valid(image, kernel):
    """Cross-correlation of ``image`` with ``kernel`` (no flip) where the kernel fits."""
    image, kernel = _a(image), _a(kernel)
    kh, kw = kernel.shape
    H, W = image.shape
    out = np.zeros((H - kh + 1, W - kw + 1))
    for di in range(kh):
        for dj in range(kw):
            out += kernel[di, dj] * image[di:di + H - kh + 1, dj:dj + W - kw + 1]
    return out


def q_learning_update(Q, s, a, r, s_next, alpha, gamma):
    """A new table: ``Q[s, a] += alpha * (r + gamma * max(Q[s_next]) - Q[s, a])``."""
    new = np.array(Q, dtype=np.float64)  # a copy, whatever Q is
    target = r + gamma * new[s_next].max()
    new[s, a] += alpha * (target - new[s, a])
    return new


def sensitivity_specificity(y_true, y_pred):
    """``(TP / (TP + FN), TN / (TN + FP))`` for labels 0 / 1; 0.0 for 0 / 0."""
    y, p = np.asarray(y_true).astype(np.int64), np.asarray(y_pred).astype(np.int64)
    tp, fn = np.sum((y == 1) & (p == 1)), np.sum((y == 1) & (p == 0))
    tn, fp = np.sum((y == 0) & (p == 0)), np.sum((y == 0) & (p == 1))
    return (float(tp / (tp + fn)) if tp + fn else 0.0,
            float(tn / (tn + fp)) if tn + fp else 0.0)


# --- 1. sliding_windows ----------------------------------------------------------------

def _series(rng, n=None, dtype=np.float64):
    n = n or int(rng.integers(8, 40))
    return np.round(50 + 40 * np.sin(np.arange(n) / 1.7) + rng.normal(0, 5, n), 1).astype(dtype)


def _windows_args(rng, dtype=np.float64):
    s = _series(rng, dtype=dtype)
    return s, int(rng.integers(1, min(8, len(s) - 1)))


def _target_inside(series, p):
    X, _ = sliding_windows(series, p)
    return X, X[:, -1].copy()


def _newest_first(series, p):
    X, y = sliding_windows(series, p)
    return X[:, ::-1].copy(), y


def _one_row_too_many(series, p):
    s = _a(series)
    return np.array([s[i:i + p] for i in range(len(s) - p + 1)]), s[p - 1:]


SLIDING_WINDOWS = dataclasses.replace(chapter.exercise(
    sliding_windows, tol=EXACT,
    visible=[("the worked example: [1, 2, 3, 4, 5, 6] with p = 3, as (X, y)",
              (np.array([1.0, 2.0, 3.0, 4.0, 5.0, 6.0]), 3)),
             ("seven values as a Python list, p = 2", ([10, 12, 9, 14, 13, 11, 15], 2))],
    hidden=[random("wrong on random series and window lengths", _windows_args, EXACT, trials=5),
            random("does not accept Python lists",
                   lambda rng: (_series(rng).tolist(), int(rng.integers(1, 5))), EXACT),
            random("wrong for float32 input", lambda rng: _windows_args(rng, np.float32), EXACT),
            fixed("wrong for windows of length one", (np.array([3.0, 1.0, 4.0, 1.0, 5.0]), 1),
                  tol=EXACT),
            fixed("wrong when only one window fits", (np.array([2.0, 7.0, 1.0, 8.0]), 3), tol=EXACT)],
    mistakes=[
        mistake("the target is the window's own last value", _target_inside, "X is right; y"),
        mistake("newest value first in each row", _newest_first, "X is not close enough"),
        mistake("one row too many", _one_row_too_many, "X has shape"),
    ],
), parts=(Part("X"), Part("y")))


# --- 2. persistence_forecast ------------------------------------------------------------

def _forecast_args(rng, dtype=np.float64):
    s = _series(rng, dtype=dtype)
    return (s,), {"horizon": int(rng.integers(1, 5))}


def _targets_themselves(series, horizon=1):
    return _a(series)[int(horizon):]


def _ignores_horizon(series, horizon=1):
    return _a(series)[:-1]


def _pads_front(series, horizon=1):
    s = _a(series)
    return np.concatenate([np.full(int(horizon), s[0]), s[:len(s) - int(horizon)]])


def _length_hint(args, expected, actual):
    if actual.size != expected.size and actual.ndim == 1:
        return (f"return one forecast per target series[horizon:], that is len(series) - horizon "
                f"= {expected.size} values here; you returned {actual.size}.")
    return None


PERSISTENCE_FORECAST = chapter.exercise(
    persistence_forecast, tol=EXACT,
    visible=[("the worked example: [3, 5, 4, 6, 7], horizon 1", (np.array([3.0, 5.0, 4.0, 6.0, 7.0]),)),
             ("the same series, horizon = 2", (np.array([3.0, 5.0, 4.0, 6.0, 7.0]),),
              {"horizon": 2}),
             ("a Python list, horizon = 3", ([1.5, 2.5, 0.5, 4.0, 3.0, 2.0],), {"horizon": 3})],
    hidden=[random("wrong on random series and horizons", _forecast_args, EXACT, trials=5),
            random("does not accept Python lists",
                   lambda rng: ((_series(rng).tolist(),), {"horizon": 2}), EXACT),
            random("wrong for float32 input", lambda rng: _forecast_args(rng, np.float32), EXACT),
            random("wrong when horizon is left at its default", lambda rng: (_series(rng),), EXACT),
            fixed("wrong when the horizon is one less than the length",
                  ((np.array([4.0, 8.0, 15.0, 16.0]),), {"horizon": 3}), tol=EXACT)],
    hints=[_length_hint],
    mistakes=[
        mistake("returns the targets themselves", _targets_themselves,
                "these are the targets series[horizon:] themselves, a forecast that peeks at the "
                "answer: the persistence forecast of series[t] is series[t - horizon]."),
        mistake("ignores the horizon", _ignores_horizon, "one forecast per target", specific=False),
        mistake("pads the start to keep the length", _pads_front, "one forecast per target",
                specific=False),
    ],
)


# --- 3. bag_of_words -------------------------------------------------------------------

_VOCAB = ["good", "bad", "not", "great", "film", "don't"]
_WORKED_DOCS = ["Good film, good cast.", "Not good. Bad, BAD film!", "A great film; I don't regret it"]
_TRAPS = ["Nothing great about the greatest goods.", "Don't miss it! Good-natured, not bad.",
          "FILM film Film... film?", ""]


def _count_substrings(documents, vocabulary):
    return np.array([[doc.lower().count(w) for w in vocabulary] for doc in documents])


def _case_sensitive(documents, vocabulary):
    column = {w: j for j, w in enumerate(vocabulary)}
    out = np.zeros((len(documents), len(vocabulary)), dtype=np.int64)
    for i, doc in enumerate(documents):
        for token in re.findall(r"[A-Za-z0-9']+", doc):
            if token in column:
                out[i, column[token]] += 1
    return out


def _presence(documents, vocabulary):
    return (bag_of_words(documents, vocabulary) > 0).astype(np.int64)


def _split_on_spaces(documents, vocabulary):
    column = {w: j for j, w in enumerate(vocabulary)}
    out = np.zeros((len(documents), len(vocabulary)), dtype=np.int64)
    for i, doc in enumerate(documents):
        for token in doc.lower().split():
            if token in column:
                out[i, column[token]] += 1
    return out


_WORDS = ["good", "bad", "awful", "great", "boring", "fun", "plot", "actor", "not", "it's",
          "the", "movie", "ending", "slow", "loved", "hated", "2", "10"]


def _random_docs(rng, n_docs=None, as_list=True):
    n_docs = n_docs or int(rng.integers(2, 7))
    docs = []
    for _ in range(n_docs):
        words = rng.choice(_WORDS + ["Good", "BAD", "Fun", "Not"], size=int(rng.integers(0, 14)))
        seps = rng.choice([" ", ", ", ". ", "! ", " - ", "; ", "\n"], size=len(words))
        docs.append("".join(str(w) + str(s) for w, s in zip(words, seps)).strip())
    vocab = [str(w) for w in rng.choice(_WORDS, size=int(rng.integers(3, 9)), replace=False)]
    return (docs if as_list else tuple(docs)), vocab


BAG_OF_WORDS = chapter.exercise(
    bag_of_words, tol=EXACT,
    visible=[("the worked example: three reviews, vocabulary " + repr(_VOCAB), (_WORKED_DOCS, _VOCAB)),
             ("substrings, hyphens, capitals and an empty review (same vocabulary)", (_TRAPS, _VOCAB))],
    hidden=[random("wrong on random reviews and vocabularies", _random_docs, EXACT, trials=5),
            random("wrong when documents come as a tuple", lambda rng: _random_docs(rng, as_list=False),
                   EXACT),
            fixed("counts a word inside a longer word",
                  (["the greatest goods are not nothing", "goodness, notably"], ["great", "good", "not"]),
                  tol=EXACT),
            fixed("misses words next to punctuation or in capitals",
                  (["GOOD!good,Good.(good)", "bad-bad'", "'not' NOT"], ["good", "bad", "not"]),
                  tol=EXACT),
            fixed("wrong for a single document and a one-word vocabulary", (["fun fun fun"], ["fun"]),
                  tol=EXACT)],
    mistakes=[
        mistake("counts substrings", _count_substrings,
                "you count substrings ('great' inside 'greatest', 'not' inside 'nothing'): cut each "
                "document into tokens first, then count the tokens equal to each word."),
        mistake("does not lower-case the document", _case_sensitive,
                "words in capitals are missed: lower-case each document before cutting it into tokens."),
        mistake("marks presence instead of counting", _presence,
                "your entries are 0 or 1: count every occurrence of the word, not whether it occurs."),
        mistake("splits on spaces only", _split_on_spaces,
                "words next to punctuation ('good,' or 'film!') are missed: tokens are the runs of "
                "letters, digits and apostrophes, so cut at every other character (re.findall)."),
    ],
)


# --- 4. conv2d_valid -------------------------------------------------------------------

def _flipped(image, kernel):
    return conv2d_valid(image, _a(kernel)[::-1, ::-1])


def _same_padding(image, kernel):
    image, kernel = _a(image), _a(kernel)
    kh, kw = kernel.shape
    padded = np.pad(image, ((kh // 2, (kh - 1) // 2), (kw // 2, (kw - 1) // 2)))
    return conv2d_valid(padded, kernel)


def _kernel_transposed(image, kernel):
    return conv2d_valid(image, _a(kernel).T)


def _conv_shape_hint(args, expected, actual):
    if actual.shape != expected.shape:
        return (f"the output has one entry per position where the whole kernel fits inside the "
                f"image, shape {expected.shape} here; did you pad the image or loop too far?")
    return None


_IMG = np.array([[1.0, 2.0, 0.0, 3.0],
                 [0.0, 1.0, 4.0, 1.0],
                 [2.0, 0.0, 1.0, 2.0],
                 [1.0, 3.0, 0.0, 1.0]])
_EDGE = np.array([[1.0, 0.0, -1.0], [2.0, 0.0, -2.0], [1.0, 0.0, -1.0]])


def _conv_args(rng, dtype=np.float64):
    kh, kw = int(rng.integers(1, 4)), int(rng.integers(1, 4))
    H, W = int(rng.integers(kh, 9)), int(rng.integers(kw, 9))
    return (rng.integers(0, 10, size=(H, W)).astype(dtype), rng.normal(size=(kh, kw)).astype(dtype))


CONV2D_VALID = chapter.exercise(
    conv2d_valid, tol=SUMS,
    visible=[("the worked example: a 4x4 image and a 2x2 kernel [[1, 2], [3, 4]]",
              (_IMG, np.array([[1.0, 2.0], [3.0, 4.0]]))),
             ("a vertical-edge (Sobel) kernel on the same image", (_IMG, _EDGE)),
             ("a 3x5 image and a 1x3 kernel, as Python lists",
              ([[0, 1, 2, 3, 4], [5, 6, 7, 8, 9], [1, 0, 1, 0, 1]], [[1, -1, 2]]))],
    hidden=[random("wrong on random images and kernels of other shapes", _conv_args, SUMS, trials=5),
            random("does not accept Python lists",
                   lambda rng: tuple(np.asarray(a).tolist() for a in _conv_args(rng)), SUMS),
            random("wrong for float32 input", lambda rng: _conv_args(rng, np.float32), F32),
            fixed("flips the kernel or transposes it",
                  (np.arange(20.0).reshape(4, 5) ** 1.5, np.array([[0.0, 1.0, 3.0], [-2.0, 0.5, 0.0]])),
                  tol=SUMS),
            fixed("wrong when the kernel is as large as the image",
                  (np.array([[1.0, 2.0], [3.0, 4.0]]), np.array([[0.5, -1.0], [2.0, 1.0]])), tol=SUMS)],
    hints=[_conv_shape_hint],
    mistakes=[
        mistake("flips the kernel (signal-processing convolution)", _flipped,
                "you flipped the kernel: that is the convolution of signal processing. Deep-learning "
                "libraries compute a cross-correlation, sum(image[i:i+kh, j:j+kw] * kernel), with "
                "no flip."),
        mistake("'same' zero padding", _same_padding, "where the whole kernel fits", specific=False),
        mistake("transposed kernel", _kernel_transposed,
                "your result uses the kernel transposed: kernel[di, dj] multiplies "
                "image[i + di, j + dj] (row offset first)."),
    ],
)


# --- 5. q_learning_update ----------------------------------------------------------------

def _q_args(rng, dtype=np.float64):
    n_s, n_a = int(rng.integers(3, 9)), int(rng.integers(2, 5))
    Q = rng.normal(0.0, 1.0, size=(n_s, n_a)).astype(dtype)
    s, s_next = (int(v) for v in rng.choice(n_s, size=2, replace=False))
    return (Q, s, int(rng.integers(0, n_a)), float(np.round(rng.normal(0, 1), 2)), s_next,
            float(np.round(rng.uniform(0.05, 0.9), 2)), float(np.round(rng.uniform(0.5, 0.99), 2)))


def _in_place(Q, s, a, r, s_next, alpha, gamma):
    Q[s][a] = Q[s][a] + alpha * (r + gamma * max(Q[s_next]) - Q[s][a])
    return Q


def _max_of_current(Q, s, a, r, s_next, alpha, gamma):
    new = np.array(Q, dtype=float)
    new[s, a] += alpha * (r + gamma * new[s].max() - new[s, a])
    return new


def _no_alpha(Q, s, a, r, s_next, alpha, gamma):
    new = np.array(Q, dtype=float)
    new[s, a] = r + gamma * new[s_next].max()
    return new


def _mean_not_max(Q, s, a, r, s_next, alpha, gamma):
    new = np.array(Q, dtype=float)
    new[s, a] += alpha * (r + gamma * new[s_next].mean() - new[s, a])
    return new


def table_after_update(update, Q, s, a, r, s_next, alpha, gamma):
    """The new table, then the caller's table after the call: both flattened, one after the other.

    A scenario driver (sent to the sandbox as source, so it imports what it
    uses).  The grader's own check for changed inputs looks at arrays; a table
    of Python lists copied with ``list(Q)`` or ``Q.copy()`` shares its rows
    with the caller, and only a look at ``Q`` after the call shows it.
    """
    import numpy as np

    new = np.asarray(update(Q, s, a, r, s_next, alpha, gamma), dtype=float).ravel()
    return np.concatenate([new, np.asarray(Q, dtype=float).ravel()])


def _q_list_args(rng):
    args = _q_args(rng)
    return (args[0].tolist(),) + args[1:]


_LIST_TABLE_LABEL = "changes the caller's table when it is a list of rows (a shallow copy?)"
_LIST_TABLE = Hidden(_LIST_TABLE_LABEL, lambda ref, seed: scenario_matches(
    ref, table_after_update, _q_list_args, trials=2, rtol=SUMS.rtol, atol=SUMS.atol, seed=seed))

_Q_WORKED = np.array([[0.0, 0.0], [0.5, 1.0], [2.0, -1.0]])

Q_LEARNING_UPDATE = chapter.exercise(
    q_learning_update, tol=SUMS,
    visible=[("the worked example: s = 0, a = 1, r = -1, s_next = 2, alpha = 0.5, gamma = 0.9",
              (_Q_WORKED, 0, 1, -1.0, 2, 0.5, 0.9)),
             ("the table as Python lists: s = 1, a = 0, r = 2, s_next = 0, alpha = 0.1, gamma = 0.5",
              ([[1.0, 3.0, -1.0], [0.5, 0.0, 0.25], [4.0, 4.0, 4.0]], 1, 0, 2.0, 0, 0.1, 0.5))],
    hidden=[random("wrong on random tables and transitions", _q_args, SUMS, trials=5),
            random("does not accept a table of Python lists",
                   _q_list_args, SUMS),
            _LIST_TABLE,
            fixed("wrong when the next state is the same state",
                  (np.array([[1.0, -2.0], [0.5, 3.0]]), 1, 0, 0.5, 1, 0.3, 0.9), tol=SUMS),
            fixed("wrong for a terminal next state (a row of zeros) with alpha = 1 and gamma = 0",
                  (np.array([[2.0, -1.0, 0.5], [0.0, 0.0, 0.0]]), 0, 2, 1.0, 1, 1.0, 0.0), tol=SUMS),
            fixed("changes other entries than Q[s, a]",
                  (np.arange(12.0).reshape(4, 3) / 4, 2, 1, -0.5, 3, 0.25, 0.8), tol=SUMS)],
    mistakes=[
        mistake("updates the table in place", _in_place, "changed its input in place", specific=False),
        mistake("max over the current state's row", _max_of_current,
                "the target uses the best value of the *next* state, max(Q[s_next]), not of "
                "the current state s."),
        mistake("forgets the learning rate", _no_alpha,
                "Q[s, a] was replaced by the target: move it only part of the way, "
                "Q[s, a] + alpha * (target - Q[s, a])."),
        mistake("mean instead of max", _mean_not_max,
                "you averaged Q[s_next]: Q-learning's target takes the best action's value, "
                "max(Q[s_next])."),
    ],
)


# --- 6. sensitivity_specificity ----------------------------------------------------------

def _labels(rng, n=None, kind="int"):
    n = n or int(rng.integers(8, 60))
    y = rng.integers(0, 2, size=n)
    p = np.where(rng.random(n) < 0.25, 1 - y, y)
    y[:4], p[:4] = [1, 1, 0, 0], [1, 0, 1, 0]  # every count at least once
    if kind == "bool":
        return y.astype(bool), p.astype(bool)
    if kind == "float":
        return y.astype(float), p.astype(float)
    if kind == "list":
        return y.tolist(), p.tolist()
    return y, p


def _swapped(y, p):
    return sensitivity_specificity(y, p)[::-1]


def _precision_as_sensitivity(y, p):
    y, p = np.asarray(y).astype(int), np.asarray(p).astype(int)
    tp, fp = np.sum((y == 1) & (p == 1)), np.sum((y == 0) & (p == 1))
    return float(tp / (tp + fp)), sensitivity_specificity(y, p)[1]


def _npv_as_specificity(y, p):
    y, p = np.asarray(y).astype(int), np.asarray(p).astype(int)
    tn, fn = np.sum((y == 0) & (p == 0)), np.sum((y == 1) & (p == 0))
    return sensitivity_specificity(y, p)[0], float(tn / (tn + fn))


def _nan_hint(args, expected, actual):
    if np.isnan(actual).any() and not np.isnan(expected).any():
        return ("a 0 / 0 gives NaN: when there is no actual positive (or no actual negative), "
                "return 0.0 for that rate.")
    return None


_WORKED_SS = (np.array([1, 1, 1, 1, 0, 0, 0, 0, 0, 0]), np.array([1, 1, 1, 0, 1, 1, 0, 0, 0, 0]))

SENSITIVITY_SPECIFICITY = chapter.exercise(
    sensitivity_specificity, tol=RATIO,
    visible=[("the worked example, as (sensitivity, specificity)", _WORKED_SS),
             ("nine patients as Python lists, as (sensitivity, specificity)",
              ([1, 0, 0, 1, 0, 0, 1, 0, 0], [1, 0, 1, 0, 0, 0, 1, 1, 0]))],
    hidden=[random("wrong on random labels", _labels, RATIO, trials=5),
            random("wrong for Python lists", lambda rng: _labels(rng, 15, "list"), RATIO),
            random("wrong for boolean labels (True is the positive class)",
                   lambda rng: _labels(rng, 15, "bool"), RATIO),
            random("wrong for labels written as floats", lambda rng: _labels(rng, 15, "float"), RATIO),
            fixed("not zero for a rate with no patient to measure it on",
                  (np.zeros(5, int), np.array([0, 1, 0, 0, 1])),
                  (np.ones(4, int), np.array([1, 0, 1, 1])), tol=RATIO)],
    hints=[_nan_hint],
    mistakes=[
        mistake("sensitivity and specificity swapped", _swapped,
                "the two rates look swapped: sensitivity is the share of the sick (y_true == 1) "
                "found positive, specificity the share of the healthy (y_true == 0) found negative."),
        mistake("precision instead of sensitivity", _precision_as_sensitivity,
                "your sensitivity divides by the predicted positives (that is precision): divide "
                "the true positives by all actual positives, TP + FN."),
        mistake("negative predictive value instead of specificity", _npv_as_specificity,
                "your specificity divides by the predicted negatives: divide the true negatives "
                "by all actual negatives, TN + FP."),
    ],
)

EXERCISES = [SLIDING_WINDOWS, PERSISTENCE_FORECAST, BAG_OF_WORDS, CONV2D_VALID, Q_LEARNING_UPDATE,
             SENSITIVITY_SPECIFICITY]
