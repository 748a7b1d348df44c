"""Exercises of ``12-evaluation-metrics``: counting, averaging and thresholding predictions.

Every expected value comes from :mod:`anncourse.metrics` (checked against
scikit-learn in ``tests/test_metrics.py``), called with the options each
exercise states: ``zero_division=0`` where a ratio can be 0 / 0, the labels
``0 .. n_classes - 1`` for the confusion matrix, and a score equal to the
threshold counting as positive (scikit-learn's ``roc_curve`` and
``precision_recall_curve`` do the same).  :mod:`anncourse.grading.specbuilder`
supplies the keys, seeds and the common hints.

Answers that are tuples (``(tp, fp, fn, tn)``, ``(precision, recall, f1)``,
...) are compared as one array in the order the exercise gives, not part by
part: that way the hints can recognise the usual mistakes, which are mostly
two entries swapped (false positives for false negatives, precision for
recall) or the wrong average, and say so.  The visible labels state the
order.

What the checks must accept
---------------------------
Loops over ``zip(y_true, y_pred)`` with Python counters, vectorised NumPy
(``np.sum((y_true == 1) & (y_pred == 1))``, ``np.add.at``, ``np.bincount``),
Python lists or arrays, labels as ``int``, ``bool`` or whole floats
(``1.0``) for the binary exercises, counts returned as ``int`` or NumPy
integers, float32 targets and scores.  Where a denominator is 0 the answer
is 0.0, as the exercise says (scikit-learn's ``zero_division=0``).

Tolerances
----------
Counts and confusion matrices are integers: ``COUNT`` (atol 1e-9) demands
them exactly.  Ratios of counts in float64 (``EXACT``, rtol 1e-6): a correct
formula written another way (``2PR / (P + R)`` against ``2TP / (2TP + FP +
FN)``) agrees to about 1e-15, a wrong one (a swap, another average) is off
by far more on the visible data.  Regression metrics from float32 input
(``F32``, rtol 1e-4, atol 1e-5): about 7 digits per operation, a few lost
over sums of 20 terms; R^2 divides two such sums, of similar size on the
drawn data, so its error stays near 1e-6.
"""
from __future__ import annotations

import numpy as np

from ... import metrics
from ..specbuilder import Chapter, Tol, fixed, mistake, random

__all__ = ["EXERCISES"]

chapter = Chapter(__name__)

COUNT = Tol(0.0, 1e-9)
EXACT = Tol(1e-6, 1e-9)
F32 = Tol(1e-4, 1e-5)

ZERO_DIVISION = ("a 0 / 0 gives NaN: where a denominator is 0 (nothing predicted positive, or "
                 "no actual positive) return 0.0, as scikit-learn's zero_division=0 does.")


def _a(x):
    return np.asarray(x, dtype=np.float64)


def _i(x):
    return np.asarray(x).astype(np.int64)


# --- references: anncourse.metrics with the options the exercises state ---------------

def confusion_counts(y_true, y_pred):
    """``(tp, fp, fn, tn)`` for binary labels 0 / 1, class 1 being the positive one."""
    tn, fp, fn, tp = metrics.confusion_matrix(_i(y_true), _i(y_pred), labels=[0, 1]).ravel()
    return int(tp), int(fp), int(fn), int(tn)


def precision_recall_f1(y_true, y_pred):
    """``(precision, recall, f1)`` of class 1, with 0.0 for a ratio 0 / 0."""
    y_true, y_pred = _i(y_true), _i(y_pred)
    return (metrics.precision_score(y_true, y_pred, zero_division=0),
            metrics.recall_score(y_true, y_pred, zero_division=0),
            metrics.f1_score(y_true, y_pred, zero_division=0))


def confusion_matrix(y_true, y_pred, n_classes):
    """The ``n_classes`` x ``n_classes`` confusion matrix; row = true class, column = predicted."""
    return metrics.confusion_matrix(_i(y_true), _i(y_pred), labels=np.arange(int(n_classes)))


def f1_scores(y_true, y_pred):
    """``(macro, micro, weighted)`` F1 over the classes found in ``y_true`` or ``y_pred``."""
    y_true, y_pred = _i(y_true), _i(y_pred)
    return tuple(metrics.f1_score(y_true, y_pred, average=average, zero_division=0)
                 for average in ("macro", "micro", "weighted"))


def r2_score(y_true, y_pred):
    """The coefficient of determination ``1 - SS_res / SS_tot``."""
    return metrics.r2_score(_a(y_true), _a(y_pred))


def regression_metrics(y_true, y_pred):
    """``(mae, mse, r2)``."""
    y_true, y_pred = _a(y_true), _a(y_pred)
    return (metrics.mean_absolute_error(y_true, y_pred), metrics.mean_squared_error(y_true, y_pred),
            metrics.r2_score(y_true, y_pred))


def metrics_at_threshold(y_true, scores, threshold):
    """``(accuracy, precision, recall)`` when a score ``>= threshold`` means class 1."""
    y_true = _i(y_true)
    y_pred = (_a(scores) >= float(threshold)).astype(np.int64)
    return (metrics.accuracy_score(y_true, y_pred),
            metrics.precision_score(y_true, y_pred, zero_division=0),
            metrics.recall_score(y_true, y_pred, zero_division=0))


# --- random inputs ---------------------------------------------------------------

def _binary_pair(rng, n, kind="int"):
    """Labels and predictions of a classifier that is right about 70 % of the time."""
    y = rng.integers(0, 2, size=n)
    flip = rng.random(n) < 0.3
    p = np.where(flip, 1 - y, y)
    y[0], p[0] = 1, 1  # at least one of each count, so no formula escapes on a zero
    if n > 3:
        y[1], p[1], y[2], p[2], y[3], p[3] = 0, 1, 1, 0, 0, 0
    if kind == "bool":
        return y.astype(bool), p.astype(bool)
    if kind == "float":
        return y.astype(float), p.astype(float)
    if kind == "list":
        return y.tolist(), p.tolist()
    return y, p


def _multiclass(rng, n=None, classes=None):
    """Labels of 3 to 5 classes of uneven sizes, predictions right about 60 % of the time."""
    c = classes or int(rng.integers(3, 6))
    n = n or int(rng.integers(20, 60))
    y = rng.choice(c, size=n, p=rng.dirichlet(np.full(c, 2.0)))
    p = np.where(rng.random(n) < 0.6, y, rng.integers(0, c, size=n))
    return y, p, c


def _scores(rng, n, dtype=np.float64):
    """Labels and scores in [0, 1] that rank positives higher, on average; threshold in between."""
    y = rng.integers(0, 2, size=n)
    y[0], y[1] = 0, 1
    s = np.clip(0.5 + 0.25 * (2 * y - 1) + rng.normal(0, 0.25, size=n), 0, 1).astype(dtype)
    # A threshold equal to one of the scores, so that >= and > give different answers;
    # float() of a float32 is exact, so the comparison is the same in either precision.
    return y, s, float(s[int(rng.integers(0, n))])


def _logits(rng, n=15):
    """Labels and logits in [-4, 4] with a threshold outside [0, 1] that a clip to [0, 1]
    would move past a score: below -1 with a score under it, or above 2 with a score
    between 1 and it.  Both kinds of witness are planted; drawn at random, the threshold
    sat inside [0, 1] often enough to let such a clip pass (1 salt in 20)."""
    y, s, _ = _scores(rng, n)
    z = 8 * s - 4
    z[0], z[1] = rng.uniform(-4.0, -3.2), rng.uniform(1.2, 1.8)
    t = float(rng.uniform(-3.0, -1.0) if rng.integers(0, 2) else rng.uniform(2.0, 3.0))
    z[int(rng.integers(2, n))] = t          # the threshold is one of the scores, as elsewhere
    order = rng.permutation(n)
    return y[order], z[order], t


def _regression(rng, n, dtype=np.float64):
    y = rng.normal(5.0, 2.0, size=n)
    return y.astype(dtype), (y + rng.normal(0.0, 1.2, size=n)).astype(dtype)


def _worse_than_mean(rng, n=12):
    """Predictions anti-correlated with the targets: R^2 well below 0."""
    y = rng.normal(0.0, 1.0, size=n)
    return y, -y + rng.normal(0.0, 0.3, size=n)


# --- hints that look at the shape or the values rather than one wrong formula ----------

def _nan_from_zero_division(args, expected, actual):
    return ZERO_DIVISION if np.isnan(actual).any() and not np.isnan(expected).any() else None


def _matrix_size(args, expected, actual):
    if actual.size != expected.size:
        return ("the matrix must be n_classes x n_classes, even when a class never occurs in "
                "y_true or y_pred: size it from n_classes, not from the labels you see.")
    return None


# --- 1. confusion_counts -----------------------------------------------------------

_WORKED_COUNTS = (np.array([1, 1, 1, 1, 0, 0, 0, 0, 0, 0]), np.array([1, 1, 1, 0, 1, 0, 0, 0, 0, 0]))
# tp = 3, fp = 1, fn = 1 in the worked example: a swap of fp and fn needs the second case.
_LIST_COUNTS = ([1, 0, 1, 1, 0, 0, 1], [1, 1, 1, 0, 1, 0, 1])

CONFUSION_COUNTS = chapter.exercise(
    confusion_counts, tol=COUNT,
    visible=[("the worked example, as (tp, fp, fn, tn)", _WORKED_COUNTS),
             ("seven samples as Python lists, as (tp, fp, fn, tn)", _LIST_COUNTS)],
    hidden=[random("wrong on random labels", lambda rng: _binary_pair(rng, int(rng.integers(8, 60))),
                   COUNT, trials=5),
            random("wrong for Python lists", lambda rng: _binary_pair(rng, 15, "list"), COUNT),
            random("wrong for boolean labels (True is the positive class)",
                   lambda rng: _binary_pair(rng, 15, "bool"), COUNT),
            random("wrong for labels written as floats",
                   lambda rng: _binary_pair(rng, 15, "float"), COUNT),
            fixed("wrong when every sample is negative", (np.zeros(6, int), np.zeros(6, int)),
                  tol=COUNT),
            fixed("wrong for a single sample", (np.array([1]), np.array([0])),
                  (np.array([0]), np.array([1])), tol=COUNT)],
    mistakes=[
        mistake("false positives and false negatives swapped",
                lambda y, p: (lambda c: (c[0], c[2], c[1], c[3]))(confusion_counts(y, p)),
                "fp and fn look swapped: a false positive is predicted 1 but truly 0 "
                "(y_pred == 1 and y_true == 0); a false negative is the other way round."),
        mistake("scikit-learn's ravel order", lambda y, p: confusion_counts(y, p)[::-1],
                "this is (tn, fp, fn, tp), the order of scikit-learn's confusion_matrix(...).ravel(); "
                "return (tp, fp, fn, tn)."),
        mistake("tn as n - tp", lambda y, p: (lambda c: (c[0], c[1], c[2], len(y) - c[0]))(
            confusion_counts(y, p)),
                "tn is too large: the true negatives are the samples with y_true == 0 and "
                "y_pred == 0, not every sample that is not a true positive."),
    ],
)


# --- 2. precision_recall_f1 ------------------------------------------------------------

def _swapped_pr(y, p):
    precision, recall, f1 = precision_recall_f1(y, p)
    return recall, precision, f1


def _arithmetic_f1(y, p):
    precision, recall, _ = precision_recall_f1(y, p)
    return precision, recall, (precision + recall) / 2


def _nan_on_zero(y, p):
    y, p = _i(y), _i(p)
    tp, fp, fn = np.sum((y == 1) & (p == 1)), np.sum((y == 0) & (p == 1)), np.sum((y == 1) & (p == 0))
    with np.errstate(all="ignore"):
        precision, recall = tp / (tp + fp), tp / (tp + fn)
        return precision, recall, 2 * precision * recall / (precision + recall)


_WORKED_PRF = (np.array([1, 1, 1, 1, 0, 0, 0, 0, 0, 0]), np.array([1, 1, 0, 0, 1, 0, 0, 0, 0, 0]))

PRECISION_RECALL_F1 = chapter.exercise(
    precision_recall_f1, tol=EXACT,
    visible=[("the worked example, as (precision, recall, f1)", _WORKED_PRF),
             ("a model that never predicts 1, as Python lists (precision is 0 / 0)",
              ([1, 0, 1, 0, 0], [0, 0, 0, 0, 0]))],
    hidden=[random("wrong on random labels", lambda rng: _binary_pair(rng, int(rng.integers(8, 60))),
                   EXACT, trials=5),
            random("wrong for Python lists", lambda rng: _binary_pair(rng, 15, "list"), EXACT),
            random("wrong for boolean labels (True is the positive class)",
                   lambda rng: _binary_pair(rng, 15, "bool"), EXACT),
            random("wrong for labels written as floats",
                   lambda rng: _binary_pair(rng, 15, "float"), EXACT),
            fixed("not zero everywhere when there are no positives at all",
                  (np.zeros(5, int), np.zeros(5, int)), tol=EXACT),
            fixed("wrong when no actual positive exists but some are predicted",
                  ([0, 0, 0, 0], [0, 1, 1, 0]), tol=EXACT),
            fixed("not one everywhere for perfect predictions", ([1, 0, 1, 1], [1, 0, 1, 1]),
                  tol=EXACT)],
    hints=[_nan_from_zero_division],
    mistakes=[
        mistake("precision and recall swapped", _swapped_pr,
                "precision and recall look swapped: precision divides by the predicted positives "
                "(tp + fp), recall by the actual positives (tp + fn)."),
        mistake("arithmetic mean for F1", _arithmetic_f1,
                "f1 is the arithmetic mean (P + R) / 2: F1 is the harmonic mean, 2 P R / (P + R)."),
        mistake("NaN where a denominator is 0", _nan_on_zero, "zero_division=0", specific=False),
    ],
)


# --- 3. confusion_matrix ---------------------------------------------------------------

def _transposed(y, p, n):
    return confusion_matrix(y, p, n).T


def _sized_by_labels(y, p, n):
    return confusion_matrix(y, p, int(max(np.max(y), np.max(p))) + 1)


_WORKED_MATRIX = (np.array([0, 0, 0, 1, 1, 1, 1, 2, 2, 2]), np.array([0, 0, 1, 1, 1, 1, 2, 0, 2, 2]), 3)

CONFUSION_MATRIX = chapter.exercise(
    confusion_matrix, tol=COUNT,
    visible=[("the worked example (3 classes)", _WORKED_MATRIX),
             ("4 classes, the last one never seen, as Python lists",
              ([0, 1, 2, 2, 1, 0], [0, 2, 2, 1, 1, 1], 4))],
    hidden=[random("wrong on random labels", lambda rng: _multiclass(rng), COUNT, trials=5),
            random("wrong for Python lists",
                   lambda rng: tuple(a.tolist() if hasattr(a, "tolist") else a for a in _multiclass(rng)),
                   COUNT),
            random("wrong when some classes never occur",
                   lambda rng: _multiclass(rng, classes=3)[:2] + (6,), COUNT),
            fixed("wrong for a single sample", (np.array([2]), np.array([0]), 3), tol=COUNT),
            fixed("wrong for two classes", ([1, 0, 1, 1, 0], [1, 1, 0, 1, 0], 2), tol=COUNT)],
    hints=[_matrix_size],
    mistakes=[
        mistake("rows are the predicted class", _transposed,
                "your matrix is transposed: row i is the true class i and column j the predicted "
                "class j, so C[i, j] counts samples of class i predicted as j."),
        mistake("size from the labels seen", _sized_by_labels, "size it from n_classes",
                specific=False),
    ],
)


# --- 4. f1_scores ----------------------------------------------------------------------

def _per_class(y, p):
    """Per-class precision, recall, F1 and support over the union of labels (0 / 0 -> 0)."""
    y, p = _i(y), _i(p)
    classes = np.union1d(y, p)
    tp = np.array([np.sum((y == c) & (p == c)) for c in classes], float)
    predicted = np.array([np.sum(p == c) for c in classes], float)
    support = np.array([np.sum(y == c) for c in classes], float)
    precision = np.divide(tp, predicted, out=np.zeros_like(tp), where=predicted > 0)
    recall = np.divide(tp, support, out=np.zeros_like(tp), where=support > 0)
    f1 = np.divide(2 * tp, predicted + support, out=np.zeros_like(tp), where=predicted + support > 0)
    return precision, recall, f1, support, predicted


def _f1_of_macro_pr(y, p):
    precision, recall, f1, support, _ = _per_class(y, p)
    P, R = precision.mean(), recall.mean()
    return 2 * P * R / (P + R), f1_scores(y, p)[1], f1_scores(y, p)[2]


def _weighted_by_predictions(y, p):
    _, _, f1, _, predicted = _per_class(y, p)
    macro, micro, _ = f1_scores(y, p)
    return macro, micro, float(np.average(f1, weights=predicted))


def _micro_as_macro(y, p):
    macro, _, weighted = f1_scores(y, p)
    return macro, macro, weighted


def _classes_of_y_true_only(y, p):
    _, _, f1, support, _ = _per_class(y, p)
    macro, micro, weighted = f1_scores(y, p)
    return float(f1[support > 0].mean()), micro, weighted


_WORKED_F1 = (np.array([0, 0, 0, 0, 0, 0, 1, 1, 1, 2]), np.array([0, 0, 0, 0, 1, 1, 1, 1, 2, 2]))

F1_SCORES = chapter.exercise(
    f1_scores, tol=EXACT,
    visible=[("the worked example, as (macro, micro, weighted)", _WORKED_F1),
             ("class 3 is predicted but never true, as Python lists (macro, micro, weighted)",
              ([0, 1, 2, 2, 1, 0, 0, 2], [0, 1, 2, 3, 1, 0, 1, 2]))],
    hidden=[random("wrong on random labels", lambda rng: _multiclass(rng)[:2], EXACT, trials=5),
            random("wrong for Python lists", lambda rng: tuple(a.tolist() for a in _multiclass(rng)[:2]),
                   EXACT),
            random("wrong when labels are not 0 .. C - 1 (here 2, 5 and 7)",
                   lambda rng: tuple(np.array([2, 5, 7])[a] for a in _multiclass(rng, classes=3)[:2]),
                   EXACT),
            fixed("wrong for two classes", ([1, 0, 1, 1, 0, 0], [1, 1, 0, 1, 0, 0]), tol=EXACT),
            # Random labels may miss it: always one class predicted but never true.
            fixed("wrong when a class is predicted but never true",
                  ([0, 0, 1, 1, 2, 2, 0], [0, 3, 1, 1, 2, 3, 0]), tol=EXACT),
            fixed("not one everywhere for perfect predictions", ([2, 0, 1, 1, 0], [2, 0, 1, 1, 0]),
                  tol=EXACT)],
    mistakes=[
        mistake("macro F1 as the F1 of macro precision and macro recall", _f1_of_macro_pr,
                "your macro value is the F1 of the averaged precision and recall: macro F1 is the "
                "mean of the per-class F1 scores."),
        mistake("weighted by predicted counts", _weighted_by_predictions,
                "the weighted F1 weighs each class by its support, the number of samples whose "
                "*true* class it is, not by how often it is predicted."),
        mistake("micro as the plain mean of per-class F1", _micro_as_macro,
                "your micro value equals your macro value: micro first adds up tp, fp and fn over "
                "all classes, then applies the F1 formula once."),
        mistake("only the classes of y_true", _classes_of_y_true_only,
                "a class that is predicted but never true counts too (its F1 is 0): the classes "
                "are those that occur in y_true or in y_pred."),
    ],
)


# --- 5. r2_score -----------------------------------------------------------------------

def _squared_correlation(y, p):
    return float(np.corrcoef(_a(y), _a(p))[0, 1] ** 2)


def _ratio_only(y, p):
    y, p = _a(y), _a(p)
    return float(np.sum((y - p) ** 2) / np.sum((y - y.mean()) ** 2))


def _mean_of_predictions(y, p):
    y, p = _a(y), _a(p)
    return float(1 - np.sum((y - p) ** 2) / np.sum((p - p.mean()) ** 2))


def _clipped(y, p):
    return max(0.0, r2_score(y, p))


_WORKED_R2 = (np.array([3.0, -0.5, 2.0, 7.0]), np.array([2.5, 0.0, 2.0, 8.0]))
_NEGATIVE_R2 = ([1.0, 2.0, 3.0, 4.0, 5.0], [4.0, 2.5, 3.5, 1.0, 3.0])

R2_SCORE = chapter.exercise(
    r2_score, tol=EXACT,
    visible=[("the worked example", _WORKED_R2),
             ("a model worse than predicting the mean, as Python lists", _NEGATIVE_R2)],
    hidden=[random("wrong on random data", lambda rng: _regression(rng, int(rng.integers(5, 60))),
                   EXACT, trials=5),
            random("wrong for Python lists", lambda rng: tuple(a.tolist() for a in _regression(rng, 9)),
                   EXACT),
            random("wrong for float32 input", lambda rng: _regression(rng, 20, np.float32), F32),
            random("wrong for integer input",
                   lambda rng: (rng.integers(-9, 10, size=8), rng.integers(-9, 10, size=8)), EXACT),
            random("wrong (or not negative) for a model worse than the mean", _worse_than_mean, EXACT),
            fixed("not 1 for perfect predictions", ([1.0, 4.0, 2.0], [1.0, 4.0, 2.0]), tol=EXACT),
            fixed("not 0 for predicting the mean", ([1.0, 4.0, 2.0, 5.0], [3.0, 3.0, 3.0, 3.0]),
                  tol=EXACT)],
    mistakes=[
        mistake("squared correlation", _squared_correlation,
                "this is the squared correlation r**2, which is never negative and ignores any "
                "offset or scale of the predictions: R^2 = 1 - SS_res / SS_tot."),
        mistake("SS_res / SS_tot without 1 -", _ratio_only,
                "this is SS_res / SS_tot, the share of variance *not* explained: R^2 is 1 minus it."),
        mistake("SS_tot around the predictions' mean", _mean_of_predictions,
                "SS_tot is the spread of the *targets* around their own mean: "
                "sum((y_true - y_true.mean())**2)."),
        mistake("clipped at 0", _clipped,
                "R^2 can be negative (a model worse than predicting the mean): do not clip it at 0."),
    ],
)


# --- 6. regression_metrics -------------------------------------------------------------

def _with_rmse(y, p):
    mae, mse, r2 = regression_metrics(y, p)
    return mae, float(np.sqrt(mse)), r2


def _sums(y, p):
    y, p = _a(y), _a(p)
    return float(np.sum(np.abs(y - p))), float(np.sum((y - p) ** 2)), r2_score(y, p)


def _no_absolute(y, p):
    _, mse, r2 = regression_metrics(y, p)
    return float(np.mean(_a(y) - _a(p))), mse, r2


REGRESSION_METRICS = chapter.exercise(
    regression_metrics, tol=EXACT,
    visible=[("the worked example, as (mae, mse, r2)", _WORKED_R2),
             ("a model worse than predicting the mean, as Python lists (mae, mse, r2)", _NEGATIVE_R2)],
    hidden=[random("wrong on random data", lambda rng: _regression(rng, int(rng.integers(5, 60))),
                   EXACT, trials=5),
            random("wrong for Python lists", lambda rng: tuple(a.tolist() for a in _regression(rng, 9)),
                   EXACT),
            random("wrong for float32 input", lambda rng: _regression(rng, 20, np.float32), F32),
            random("wrong for integer input",
                   lambda rng: (rng.integers(-9, 10, size=8), rng.integers(-9, 10, size=8)), EXACT),
            random("wrong for a model worse than the mean", _worse_than_mean, EXACT)],
    mistakes=[
        mistake("RMSE instead of MSE", _with_rmse,
                "the second value is the square root of the MSE (the RMSE): return the MSE itself."),
        mistake("sums instead of means", _sums,
                "MAE and MSE look like sums: they are means, so divide by n."),
        mistake("no absolute value", _no_absolute,
                "the MAE looks like the mean of the signed errors, where positive and negative "
                "errors cancel: take the absolute value of each error first."),
    ],
)


# --- 7. metrics_at_threshold ------------------------------------------------------------

def _strict(y, s, t):
    return metrics_at_threshold(y, _a(s), np.nextafter(float(t), np.inf))


def _reversed(y, s, t):
    y, s = _i(y), _a(s)
    p = (s < float(t)).astype(np.int64)
    return (metrics.accuracy_score(y, p), metrics.precision_score(y, p, zero_division=0),
            metrics.recall_score(y, p, zero_division=0))


def _nan_threshold(y, s, t):
    y, p = _i(y), (_a(s) >= float(t)).astype(np.int64)
    tp, fp, fn = np.sum((y == 1) & (p == 1)), np.sum((y == 0) & (p == 1)), np.sum((y == 1) & (p == 0))
    with np.errstate(all="ignore"):
        return float(np.mean(y == p)), tp / (tp + fp), tp / (tp + fn)


_WORKED_SCORES = (np.array([0, 0, 1, 0, 1, 1, 0, 1]),
                  np.array([0.1, 0.35, 0.4, 0.5, 0.65, 0.8, 0.85, 0.95]), 0.5)

METRICS_AT_THRESHOLD = chapter.exercise(
    metrics_at_threshold, tol=EXACT,
    visible=[("the worked example at threshold 0.5 (a score of exactly 0.5 is there), "
              "as (accuracy, precision, recall)", _WORKED_SCORES),
             ("a threshold above every score, as Python lists (precision is 0 / 0)",
              ([1, 0, 1, 0], [0.2, 0.6, 0.7, 0.1], 0.9))],
    hidden=[random("wrong on random scores (the threshold is one of the scores)",
                   lambda rng: _scores(rng, int(rng.integers(10, 60))), EXACT, trials=5),
            random("wrong for Python lists",
                   lambda rng: (lambda y, s, t: (y.tolist(), s.tolist(), t))(*_scores(rng, 12)), EXACT),
            random("wrong for float32 scores", lambda rng: _scores(rng, 20, np.float32), EXACT),
            random("wrong for scores that are logits (any real number)", _logits, EXACT),
            fixed("wrong for a threshold below every score (everything positive)",
                  ([1, 0, 0, 1, 0], [0.3, 0.2, 0.9, 0.5, 0.6], 0.0), tol=EXACT),
            fixed("wrong for a threshold above every score (nothing positive)",
                  ([0, 0, 1, 0, 0], [0.3, 0.2, 0.9, 0.5, 0.6], 1.5), tol=EXACT)],
    hints=[_nan_from_zero_division],
    mistakes=[
        mistake("> instead of >=", _strict,
                "a score equal to the threshold counts as positive: compare with >=, as "
                "scikit-learn's roc_curve and precision_recall_curve do."),
        mistake("scores below the threshold counted positive", _reversed,
                "the positives are the samples whose score is *at or above* the threshold."),
        mistake("NaN precision when nothing is predicted positive", _nan_threshold,
                "zero_division=0", specific=False),
    ],
)

EXERCISES = [CONFUSION_COUNTS, PRECISION_RECALL_F1, CONFUSION_MATRIX, F1_SCORES, R2_SCORE,
             REGRESSION_METRICS, METRICS_AT_THRESHOLD]
