"""anncourse.metrics against scikit-learn, the library whose names it uses."""
from __future__ import annotations

import subprocess
import sys
import math
import warnings

import numpy as np
import pytest
import sklearn.metrics as skm
from hypothesis import given, settings
from hypothesis import strategies as st
from hypothesis.extra import numpy as hnp

from anncourse import metrics
from anncourse.metrics import UndefinedMetricWarning

SET_METRICS = ["precision_score", "recall_score", "f1_score"]
AVERAGES = ["binary", "micro", "macro", "weighted", None]
ZERO_DIVISIONS = ["warn", 0, 1, np.nan]
NAMES = np.array(["ant", "bee", "cat", "dog", "eel"])

# Precision, recall and F1 are ratios of the same integer counts in both
# libraries; only averaging may add in a different order, a few ulps apart.
RTOL = 1e-12


def call(function, *args, **kwargs):
    """Run ``function``; return (result or exception type, warnings as (class name, text))."""
    with warnings.catch_warnings(record=True) as caught:
        warnings.simplefilter("always")
        try:
            result = function(*args, **kwargs)
        except ValueError:
            result = ValueError
    return result, [(type(w.message).__name__, str(w.message)) for w in caught]


def assert_same_score(ours, theirs):
    if theirs is ValueError:
        assert ours is ValueError
        return
    assert ours is not ValueError
    assert np.shape(ours) == np.shape(theirs)
    np.testing.assert_allclose(ours, theirs, rtol=RTOL, atol=0, equal_nan=True)


@st.composite
def label_pairs(draw, max_classes=5):
    """Random y_true, y_pred with 1 to max_classes labels, ints or strings."""
    n_classes = draw(st.integers(1, max_classes))
    n = draw(st.integers(1, 30))
    labels = st.integers(0, n_classes - 1)
    y_true = np.array(draw(st.lists(labels, min_size=n, max_size=n)))
    y_pred = np.array(draw(st.lists(labels, min_size=n, max_size=n)))
    if draw(st.booleans()):
        y_true, y_pred = NAMES[y_true], NAMES[y_pred]
    return y_true, y_pred


@settings(max_examples=150, deadline=None)
@given(pair=label_pairs(), data=st.data())
def test_precision_recall_f1_match_sklearn(pair, data):
    y_true, y_pred = pair
    name = data.draw(st.sampled_from(SET_METRICS))
    average = data.draw(st.sampled_from(AVERAGES))
    zero_division = data.draw(st.sampled_from(ZERO_DIVISIONS))
    kwargs = {"average": average, "zero_division": zero_division}
    present = np.union1d(y_true, y_pred)
    if average == "binary":
        kwargs["pos_label"] = data.draw(st.sampled_from(present.tolist()))
    elif data.draw(st.booleans()):
        # A subset of the labels, possibly with one absent from the data.
        pool = np.union1d(present, NAMES[:1] if present.dtype.kind == "U" else [7])
        kwargs["labels"] = data.draw(
            st.lists(st.sampled_from(pool.tolist()), min_size=1, max_size=4, unique=True)
        )
    ours, our_warnings = call(getattr(metrics, name), y_true, y_pred, **kwargs)
    theirs, their_warnings = call(getattr(skm, name), y_true, y_pred, **kwargs)
    assert_same_score(ours, theirs)
    assert our_warnings == their_warnings


@settings(max_examples=60, deadline=None)
@given(pair=label_pairs(max_classes=2))
def test_binary_default_matches_sklearn(pair):
    # The default call, pos_label=1, including data with no 1 at all.
    y_true, y_pred = pair
    for name in SET_METRICS:
        ours, our_warnings = call(getattr(metrics, name), y_true, y_pred)
        theirs, their_warnings = call(getattr(skm, name), y_true, y_pred)
        assert_same_score(ours, theirs)
        assert our_warnings == their_warnings


@settings(max_examples=60, deadline=None)
@given(pair=label_pairs(), normalize=st.booleans())
def test_accuracy_matches_sklearn(pair, normalize):
    y_true, y_pred = pair
    ours = metrics.accuracy_score(y_true, y_pred, normalize=normalize)
    # A mean of n booleans: the same division in both libraries.
    assert ours == skm.accuracy_score(y_true, y_pred, normalize=normalize)
    assert type(ours) is float


@settings(max_examples=80, deadline=None)
@given(pair=label_pairs(), data=st.data())
def test_confusion_matrix_matches_sklearn_exactly(pair, data):
    y_true, y_pred = pair
    labels = None
    if data.draw(st.booleans()):
        pool = NAMES.tolist() if y_true.dtype.kind == "U" else list(range(6))
        labels = data.draw(st.lists(st.sampled_from(pool), min_size=1, max_size=6, unique=True))
    ours, _ = call(metrics.confusion_matrix, y_true, y_pred, labels=labels)
    theirs, _ = call(skm.confusion_matrix, y_true, y_pred, labels=labels)
    if theirs is ValueError:
        assert ours is ValueError
    else:
        assert ours.dtype == np.int64
        np.testing.assert_array_equal(ours, theirs)


def test_degenerate_cases_match_sklearn():
    cases = [
        ([0, 0, 0], [0, 0, 0]),  # one class, never positive
        ([1, 1, 1], [1, 1, 1]),  # one class, always positive
        ([0, 1, 1], [0, 0, 0]),  # no predicted positives
        ([0, 0, 0], [0, 1, 1]),  # no true positives
        ([True, False], [True, True]),
        ([1.0, 0.0, 2.0], [1.0, 1.0, 2.0]),
    ]
    for y_true, y_pred in cases:
        check_all_averages(y_true, y_pred)
    # Weighted averages where no scored label occurs in y_true (all weights 0).
    check_all_averages([0, 0, 0], [0, 1, 1], labels=[1])
    check_all_averages([1, 2, 3], [1, 1, 1], labels=[4, 5])


def check_all_averages(y_true, y_pred, **extra):
    """Every set-wise metric, average and zero_division gives sklearn's value and warnings."""
    for name in SET_METRICS:
        for average in AVERAGES:
            for zero_division in ZERO_DIVISIONS:
                kwargs = {"average": average, "zero_division": zero_division, **extra}
                ours, our_warnings = call(getattr(metrics, name), y_true, y_pred, **kwargs)
                theirs, their_warnings = call(getattr(skm, name), y_true, y_pred, **kwargs)
                assert_same_score(ours, theirs)
                assert our_warnings == their_warnings


def test_zero_division_warning_text():
    with pytest.warns(UndefinedMetricWarning, match="Precision is ill-defined and being set "
                      "to 0.0 due to no predicted samples. Use `zero_division`"):
        assert metrics.precision_score([0, 1], [0, 0]) == 0.0
    with pytest.warns(UndefinedMetricWarning, match="Recall is ill-defined .* in labels with "
                      "no true samples"):
        metrics.recall_score([0, 1], [0, 2], average="macro")
    assert issubclass(UndefinedMetricWarning, UserWarning)
    with warnings.catch_warnings():
        warnings.simplefilter("error")
        assert metrics.precision_score([0, 1], [0, 0], zero_division=1) == 1.0
        assert math.isnan(metrics.f1_score([0, 0], [0, 0], zero_division=np.nan))


def test_pos_label_warning_for_other_averages():
    with pytest.warns(UserWarning, match="pos_label .* is ignored"):
        metrics.precision_score([0, 1, 2], [0, 1, 2], pos_label=2, average="macro")


def test_mismatched_lengths_name_both_shapes():
    for function in (metrics.accuracy_score, metrics.f1_score, metrics.confusion_matrix):
        with pytest.raises(ValueError, match=r"\(3,\).*\(4,\)"):
            function([0, 1, 0], [0, 1, 0, 1])
    for function in (metrics.mean_squared_error, metrics.r2_score):
        with pytest.raises(ValueError, match=r"\(3,\).*\(4,\)"):
            function([0.0, 1.0, 0.0], [0.0, 1.0, 0.0, 1.0])


def test_binary_average_on_multiclass_says_to_choose_an_average():
    with pytest.raises(ValueError, match="average='binary'.*choose another average"):
        metrics.f1_score([0, 1, 2], [0, 1, 1])


def test_invalid_label_input():
    with pytest.raises(ValueError, match="not a class label.*threshold"):
        metrics.accuracy_score([0, 1], [0.2, 0.9])
    with pytest.raises(ValueError, match="NaN|nan"):
        metrics.accuracy_score([0.0, np.nan], [0, 1])
    with pytest.raises(ValueError, match="string and number"):
        metrics.accuracy_score(["a", "b"], [0, 1])
    with pytest.raises(ValueError, match="empty"):
        metrics.accuracy_score([], [])
    with pytest.raises(ValueError, match=r"1-D.*\(2, 2\)"):
        metrics.accuracy_score([[0, 1], [1, 0]], [[0, 1], [1, 0]])
    with pytest.raises(ValueError, match="pos_label=2 is not a valid label"):
        metrics.recall_score([0, 1], [1, 1], pos_label=2)
    with pytest.raises(ValueError, match="average must be one of"):
        metrics.recall_score([0, 1], [1, 1], average="samples")
    with pytest.raises(ValueError, match="zero_division"):
        metrics.recall_score([0, 1], [1, 1], zero_division=2)
    with pytest.raises(ValueError, match="at least one label"):
        metrics.confusion_matrix([0, 1], [1, 1], labels=[])
    with pytest.raises(ValueError, match="must be in y_true"):
        metrics.confusion_matrix([0, 1], [1, 1], labels=[5])


def test_column_vectors_are_labels():
    y = np.array([[0], [1], [1]])
    assert metrics.accuracy_score(y, y.ravel()) == 1.0


# --------------------------------------------------------------------------
# Regression
# --------------------------------------------------------------------------

REGRESSION = ["mean_absolute_error", "mean_squared_error", "r2_score"]
finite = st.floats(-1e3, 1e3, allow_nan=False, allow_subnormal=False)


@st.composite
def regression_pairs(draw):
    n = draw(st.integers(2, 30))
    shape = draw(st.sampled_from([(n,), (n, 1), (n, 3)]))
    y_true = draw(hnp.arrays(np.float64, shape, elements=finite))
    kind = draw(st.sampled_from(["random", "perfect", "constant_true"]))
    if kind == "constant_true":
        y_true = np.full(shape, y_true.flat[0])
    if kind == "perfect":
        y_pred = y_true.copy()
    else:
        y_pred = draw(hnp.arrays(np.float64, shape, elements=finite))
    if kind == "constant_true" and draw(st.booleans()):
        y_pred = y_true.copy()
    return y_true, y_pred


@settings(max_examples=120, deadline=None)
@given(pair=regression_pairs(), data=st.data())
def test_regression_metrics_match_sklearn(pair, data):
    y_true, y_pred = pair
    name = data.draw(st.sampled_from(REGRESSION))
    kwargs = {"multioutput": data.draw(st.sampled_from(["uniform_average", "raw_values"]))}
    if name == "r2_score":
        kwargs["force_finite"] = data.draw(st.booleans())
    with warnings.catch_warnings():
        # sklearn divides 0 / 0 for force_finite=False; we must not.
        warnings.simplefilter("ignore", RuntimeWarning)
        theirs = getattr(skm, name)(y_true, y_pred, **kwargs)
    with warnings.catch_warnings():
        warnings.simplefilter("error")
        ours = getattr(metrics, name)(y_true, y_pred, **kwargs)
    assert type(ours) is type(theirs)
    # Same formulas in float64; sums of up to 90 terms of size <= 4e6 may
    # round differently, and R^2 divides two such sums: 1e-10 relative, plus
    # an absolute 1e-9 for R^2 near 0 where relative error is meaningless.
    np.testing.assert_allclose(ours, theirs, rtol=1e-10, atol=1e-9, equal_nan=True)


@settings(max_examples=40, deadline=None)
@given(pair=regression_pairs())
def test_regression_float32_matches_sklearn(pair):
    y_true, y_pred = (a.astype(np.float32) for a in pair)
    for name in REGRESSION:
        with warnings.catch_warnings():
            warnings.simplefilter("error")
            ours = getattr(metrics, name)(y_true, y_pred, multioutput="raw_values")
        with warnings.catch_warnings():
            # float32 ratios overflow for constant targets; sklearn warns.
            warnings.simplefilter("ignore", RuntimeWarning)
            theirs = getattr(skm, name)(y_true, y_pred, multioutput="raw_values")
        assert ours.dtype == np.float32 == theirs.dtype
        # Both compute in float32 (eps 1.2e-7); summation order may differ.
        np.testing.assert_allclose(ours, theirs, rtol=1e-4, atol=1e-4)


def test_r2_constant_targets_as_sklearn():
    assert metrics.r2_score([2.0, 2.0], [2.0, 2.0]) == 1.0
    assert metrics.r2_score([2.0, 2.0], [2.0, 3.0]) == 0.0
    with warnings.catch_warnings():
        warnings.simplefilter("error")
        assert math.isnan(metrics.r2_score([2.0, 2.0], [2.0, 2.0], force_finite=False))
        assert metrics.r2_score([2.0, 2.0], [2.0, 3.0], force_finite=False) == -math.inf


def test_r2_single_sample_warns_and_is_nan():
    with pytest.warns(UndefinedMetricWarning, match="less than two samples"):
        assert math.isnan(metrics.r2_score([1.0], [2.0]))


def test_regression_input_errors():
    with pytest.raises(ValueError, match="NaN or infinity"):
        metrics.mean_squared_error([1.0, np.nan], [1.0, 2.0])
    with pytest.raises(ValueError, match="multioutput"):
        metrics.mean_absolute_error([1.0, 2.0], [1.0, 2.0], multioutput="variance_weighted")
    with pytest.raises(TypeError, match="real numbers"):
        metrics.mean_absolute_error(["a", "b"], [1.0, 2.0])
    with pytest.raises(ValueError, match=r"\(2, 3\).*\(2, 2\)"):
        metrics.r2_score(np.zeros((2, 3)), np.zeros((2, 2)))


# --------------------------------------------------------------------------
# Documentation and import
# --------------------------------------------------------------------------


def test_import_is_light():
    code = ("import sys, anncourse.metrics\n"
            "heavy = [m for m in ('torch', 'matplotlib', 'sklearn', 'scipy') if m in sys.modules]\n"
            "assert not heavy, heavy")
    subprocess.run([sys.executable, "-c", code], check=True)
