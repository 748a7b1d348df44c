"""What ``12-evaluation-metrics``'s checks promise beyond the generated spec tests.

tests/test_specs_generated.py already checks every exercise of the chapter:
its reference passes, and each usual mistake listed in the spec fails with
its hint.  Here: correct answers in other reasonable styles pass every
check (plain Python loops, vectorised NumPy, ``np.bincount``, other but
equivalent formulas), subtle wrong answers that pass the visible examples
are caught by a hidden check, and the references agree with scikit-learn.
"""
from __future__ import annotations

import math

import numpy as np
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from anncourse.grading.core import evaluate
from anncourse.grading.properties import salted
from anncourse.grading.specs import evaluation_metrics as spec
from anncourse.grading.specs import exercises

EXERCISES = exercises("12-evaluation-metrics")


def passes(func, name):
    return evaluate(func, EXERCISES[name], visible=True, hidden=True) == []


def fails_hidden_only(func, name):
    ex = EXERCISES[name]
    return evaluate(func, ex, visible=True) == [] and evaluate(func, ex, visible=False, hidden=True)


# --- correct answers in other styles ----------------------------------------------------

def counts_loop(y_true, y_pred):
    tp = fp = fn = tn = 0
    for t, p in zip(y_true, y_pred):
        if t and p:
            tp += 1
        elif p:
            fp += 1
        elif t:
            fn += 1
        else:
            tn += 1
    return tp, fp, fn, tn


def counts_bincount(y_true, y_pred):
    y, p = np.asarray(y_true).astype(int), np.asarray(y_pred).astype(int)
    tn, fp, fn, tp = np.bincount(2 * y + p, minlength=4)
    return tp, fp, fn, tn


def prf_loop(y_true, y_pred):
    tp, fp, fn, _ = counts_loop(y_true, y_pred)
    precision = tp / (tp + fp) if tp + fp else 0.0
    recall = tp / (tp + fn) if tp + fn else 0.0
    f1 = 2 * precision * recall / (precision + recall) if precision + recall else 0.0
    return precision, recall, f1


def prf_counts_form(y_true, y_pred):
    y, p = np.asarray(y_true) == 1, np.asarray(y_pred) == 1
    tp, fp, fn = np.sum(y & p), np.sum(~y & p), np.sum(y & ~p)
    safe = lambda a, b: a / b if b > 0 else 0.0  # noqa: E731
    return safe(tp, tp + fp), safe(tp, tp + fn), safe(2 * tp, 2 * tp + fp + fn)


def matrix_add_at(y_true, y_pred, n_classes):
    m = np.zeros((n_classes, n_classes), dtype=int)
    np.add.at(m, (np.asarray(y_true, int), np.asarray(y_pred, int)), 1)
    return m


def matrix_lists(y_true, y_pred, n_classes):
    m = [[0] * n_classes for _ in range(n_classes)]
    for t, p in zip(y_true, y_pred):
        m[t][p] += 1
    return m


def f1_scores_loop(y_true, y_pred):
    classes = sorted(set(list(y_true)) | set(list(y_pred)))
    f1, support = [], []
    for c in classes:
        tp = sum(1 for t, p in zip(y_true, y_pred) if t == c and p == c)
        fp = sum(1 for t, p in zip(y_true, y_pred) if t != c and p == c)
        fn = sum(1 for t, p in zip(y_true, y_pred) if t == c and p != c)
        f1.append(2 * tp / (2 * tp + fp + fn))
        support.append(sum(1 for t in y_true if t == c))
    micro = sum(1 for t, p in zip(y_true, y_pred) if t == p) / len(y_true)  # micro F1 = accuracy
    weighted = sum(f * s for f, s in zip(f1, support)) / sum(support)
    return sum(f1) / len(f1), micro, weighted


def r2_via_variance(y_true, y_pred):
    y, p = np.asarray(y_true, float), np.asarray(y_pred, float)
    return 1 - np.mean((y - p) ** 2) / np.var(y)


def r2_loop(y_true, y_pred):
    mean = math.fsum(y_true) / len(y_true)
    ss_res = math.fsum((t - p) ** 2 for t, p in zip(y_true, y_pred))
    ss_tot = math.fsum((t - mean) ** 2 for t in y_true)
    return 1 - ss_res / ss_tot


def regression_loop(y_true, y_pred):
    n = len(y_true)
    mae = math.fsum(abs(float(t) - float(p)) for t, p in zip(y_true, y_pred)) / n
    mse = math.fsum((float(t) - float(p)) ** 2 for t, p in zip(y_true, y_pred)) / n
    return mae, mse, r2_loop([float(t) for t in y_true], [float(p) for p in y_pred])


def threshold_loop(y_true, scores, threshold):
    predicted = [1 if s >= threshold else 0 for s in scores]
    tp, fp, fn, tn = counts_loop(y_true, predicted)
    return ((tp + tn) / len(y_true), tp / (tp + fp) if tp + fp else 0.0,
            tp / (tp + fn) if tp + fn else 0.0)


@pytest.mark.parametrize("func, name", [
    (counts_loop, "confusion_counts"), (counts_bincount, "confusion_counts"),
    (prf_loop, "precision_recall_f1"), (prf_counts_form, "precision_recall_f1"),
    (matrix_add_at, "confusion_matrix"), (matrix_lists, "confusion_matrix"),
    (f1_scores_loop, "f1_scores"),
    (r2_via_variance, "r2_score"), (r2_loop, "r2_score"),
    (regression_loop, "regression_metrics"),
    (threshold_loop, "metrics_at_threshold"),
], ids=lambda v: getattr(v, "__name__", v))
def test_other_correct_styles_pass_every_check(func, name):
    assert passes(func, name)


# --- subtle mistakes: the visible examples pass, a hidden check does not -------------------

def counts_positive_is_largest_label(y_true, y_pred):
    positive = np.unique(np.r_[y_true, y_pred])[-1]
    y, p = np.asarray(y_true) == positive, np.asarray(y_pred) == positive
    return int(np.sum(y & p)), int(np.sum(~y & p)), int(np.sum(y & ~p)), int(np.sum(~y & ~p))


def threshold_clipped_scores(y_true, scores, threshold):
    # Assumes the scores are probabilities: wrong for logits.
    return threshold_loop(y_true, list(np.clip(np.asarray(scores, float), 0, 1)), min(max(threshold, 0), 1))


def f1_scores_classes_from_range(y_true, y_pred):
    # Classes 0 .. max label: counts absent labels as classes with F1 = 0.
    labels = np.arange(int(max(np.max(y_true), np.max(y_pred))) + 1)
    y, p = np.asarray(y_true), np.asarray(y_pred)
    f1 = np.array([2 * np.sum((y == c) & (p == c)) / max(1, np.sum(y == c) + np.sum(p == c))
                   for c in labels])
    support = np.array([np.sum(y == c) for c in labels])
    return f1.mean(), np.mean(y == p), np.average(f1, weights=support)


@pytest.mark.parametrize("func, name", [
    (counts_positive_is_largest_label, "confusion_counts"),
    (threshold_clipped_scores, "metrics_at_threshold"),
    (f1_scores_classes_from_range, "f1_scores"),
], ids=lambda v: getattr(v, "__name__", v))
@pytest.mark.parametrize("salt", range(20))
def test_subtle_mistakes_are_caught_by_hidden_checks(func, name, salt):
    # Under every salt: clipped scores once passed when the drawn logit threshold
    # fell inside [0, 1] (1 salt in 20 before the threshold was planted outside).
    with salted(salt):
        assert fails_hidden_only(func, name)


def test_nan_for_zero_division_gets_the_zero_division_hint():
    from anncourse.grading import CheckFailed, check

    def nan_precision(y_true, scores, threshold):
        y, p = np.asarray(y_true), np.asarray(scores) >= threshold
        tp, fp = np.sum((y == 1) & p), np.sum((y == 0) & p)
        with np.errstate(all="ignore"):
            return np.mean((y == 1) == p), tp / (tp + fp), tp / np.sum(y == 1)

    with pytest.raises(CheckFailed, match="zero_division=0"):
        check(nan_precision, "12-evaluation-metrics/metrics_at_threshold")


# --- the references agree with scikit-learn -------------------------------------------------

labels = st.lists(st.tuples(st.integers(0, 1), st.integers(0, 1)), min_size=1, max_size=40)


@settings(max_examples=60, deadline=None)
@given(labels)
def test_binary_references_match_sklearn(pairs):
    import sklearn.metrics as sk

    y, p = (np.array(v) for v in zip(*pairs))
    tn, fp, fn, tp = sk.confusion_matrix(y, p, labels=[0, 1]).ravel()
    assert spec.confusion_counts(y, p) == (tp, fp, fn, tn)
    expected = (sk.precision_score(y, p, zero_division=0), sk.recall_score(y, p, zero_division=0),
                sk.f1_score(y, p, zero_division=0))
    # Same counts, same divisions: identical up to the last bit or two.
    assert np.allclose(spec.precision_recall_f1(y, p), expected, rtol=1e-12, atol=0)


@settings(max_examples=60, deadline=None)
@given(st.lists(st.tuples(st.integers(0, 4), st.integers(0, 4)), min_size=1, max_size=40))
def test_multiclass_references_match_sklearn(pairs):
    import sklearn.metrics as sk

    y, p = (np.array(v) for v in zip(*pairs))
    assert np.array_equal(spec.confusion_matrix(y, p, 5), sk.confusion_matrix(y, p, labels=range(5)))
    expected = [sk.f1_score(y, p, average=a, zero_division=0) for a in ("macro", "micro", "weighted")]
    assert np.allclose(spec.f1_scores(y, p), expected, rtol=1e-12, atol=1e-15)


@settings(max_examples=60, deadline=None)
@given(st.lists(st.tuples(st.floats(-1e3, 1e3), st.floats(-1e3, 1e3)), min_size=2, max_size=30),
       st.floats(-1e3, 1e3))
def test_regression_and_threshold_references_match_sklearn(pairs, threshold):
    import sklearn.metrics as sk

    y, p = (np.array(v) for v in zip(*pairs))
    mae, mse, r2 = spec.regression_metrics(y, p)
    # Sums of at most 30 terms of size <= 4e6 in float64: rounding near 1e-9 relative.
    assert np.isclose(mae, sk.mean_absolute_error(y, p), rtol=1e-9, atol=1e-9)
    assert np.isclose(mse, sk.mean_squared_error(y, p), rtol=1e-9, atol=1e-9)
    assert np.isclose(r2, sk.r2_score(y, p), rtol=1e-9, atol=1e-9)
    y01 = (y > 0).astype(int)
    pred = (p >= threshold).astype(int)
    expected = (sk.accuracy_score(y01, pred), sk.precision_score(y01, pred, zero_division=0),
                sk.recall_score(y01, pred, zero_division=0))
    assert np.allclose(spec.metrics_at_threshold(y01, p, threshold), expected, rtol=1e-12, atol=0)
