"""Evaluation metrics, with scikit-learn's names and ``(y_true, y_pred)`` order.

A loss is what training minimises; a metric is what we report. This module
has the classification metrics built on counting (accuracy, precision,
recall, F1 and the confusion matrix) and the regression metrics built on
the residuals ``y_true - y_pred`` (MAE, MSE and R^2). Each one returns the
same number as the scikit-learn function of the same name, so results can
be compared with the library learners will use later.

Counting for one class
----------------------
Pick one class as *positive*. Every sample is then a true positive (TP),
false positive (FP), false negative (FN) or true negative, and::

    precision = TP / (TP + FP)      # of the predicted positives, how many are right
    recall    = TP / (TP + FN)      # of the actual positives, how many were found
    F1        = 2 * TP / (2 * TP + FP + FN)   # harmonic mean of the two

More than one class
-------------------
``average`` says how the per-class scores become one number:

* ``'binary'`` (default): only the class ``pos_label``; the labels must be
  binary;
* ``'macro'``: the plain mean over classes, each class counts the same;
* ``'weighted'``: the mean weighted by each class's support (its number of
  true samples);
* ``'micro'``: add up TP, FP and FN over all classes first, then divide;
* ``None``: no averaging, one score per class.

Division by zero
----------------
Precision has no value when nothing was predicted positive (0 / 0), recall
none when nothing is actually positive. Like scikit-learn, such a score is
set to ``zero_division`` (0, 1 or ``np.nan``; NaN scores are left out of
averages). The default, ``"warn"``, uses 0 and emits an
:class:`UndefinedMetricWarning`.

Examples
--------
>>> from anncourse.metrics import accuracy_score, f1_score
>>> accuracy_score([0, 1, 1, 0], [0, 1, 0, 0])
0.75
>>> f1_score([0, 1, 1, 0], [0, 1, 0, 0])
0.6666666666666666
"""

import warnings

import numpy as np

from anncourse._validation import as_float_array, working_dtype

__all__ = [
    "UndefinedMetricWarning",
    "accuracy_score",
    "precision_score",
    "recall_score",
    "f1_score",
    "confusion_matrix",
    "mean_absolute_error",
    "mean_squared_error",
    "r2_score",
]

_AVERAGES = ("binary", "micro", "macro", "weighted", None)
_MULTIOUTPUTS = ("raw_values", "uniform_average")


class UndefinedMetricWarning(UserWarning):
    """A metric was 0 / 0 and has been replaced by a chosen value.

    Emitted, as in scikit-learn, by precision, recall and F1 when a class
    was never predicted or never occurs, and by :func:`r2_score` for fewer
    than two samples.
    """


# --------------------------------------------------------------------------
# Class labels
# --------------------------------------------------------------------------


def _as_labels(y, name):
    """Return ``y`` as a non-empty 1-D array of class labels.

    Labels may be integers, booleans, strings, or floats with whole values
    (``1.0``). A column vector of shape ``(n, 1)`` counts as ``n`` labels.
    """
    y = np.asarray(y)
    if y.ndim == 2 and y.shape[1] == 1:
        y = y[:, 0]
    if y.ndim != 1:
        raise ValueError(
            f"{name} must be a 1-D array with one class label per sample, "
            f"but it has shape {y.shape}"
        )
    if y.size == 0:
        raise ValueError(f"{name} is empty; it needs at least one label")
    if y.dtype.kind == "O":
        y = _object_labels(y, name)
    if y.dtype.kind == "f":
        whole = np.isfinite(y) & (y == np.round(y))
        if not whole.all():
            raise ValueError(
                f"{name} contains {y[~whole][0]}, which is not a class label; "
                "classification metrics need labels such as 0, 1, 2 (to turn "
                "probabilities into labels, threshold them first, e.g. "
                "y_prob > 0.5)"
            )
    elif y.dtype.kind not in "biuUS":
        raise TypeError(f"{name} must hold class labels, but it has dtype {y.dtype}")
    return y


def _object_labels(y, name):
    """Convert an object array (e.g. from a list) to strings or numbers."""
    if all(isinstance(value, str) for value in y):
        return y.astype(str)
    try:
        return y.astype(np.float64)
    except (TypeError, ValueError):
        raise TypeError(
            f"{name} mixes strings and numbers; use one type of class label"
        ) from None


def _check_targets(y_true, y_pred):
    """Validate a pair of label arrays and return them with their classes.

    Returns ``(y_true, y_pred, classes)``: the two 1-D label arrays and the
    sorted labels that occur in either of them.
    """
    y_true = _as_labels(y_true, "y_true")
    y_pred = _as_labels(y_pred, "y_pred")
    if y_true.shape != y_pred.shape:
        raise ValueError(
            f"y_true has shape {y_true.shape} but y_pred has shape "
            f"{y_pred.shape}; they need one label per sample, for the same samples"
        )
    is_string = [y.dtype.kind in "US" for y in (y_true, y_pred)]
    if is_string[0] != is_string[1]:
        raise ValueError(
            "Mix of label input types (string and number): y_true has dtype "
            f"{y_true.dtype} but y_pred has dtype {y_pred.dtype}"
        )
    return y_true, y_pred, np.union1d(y_true, y_pred)


def _label_counts(y_true, y_pred, labels):
    """Count, for each label, true positives, predicted and actual positives.

    With ``T[i, k] = (y_true[i] == labels[k])`` and ``P`` the same for the
    predictions, the true positives of label ``k`` are the samples where
    both are set.
    """
    is_true = y_true[:, np.newaxis] == labels
    is_pred = y_pred[:, np.newaxis] == labels
    true_positives = np.sum(is_true & is_pred, axis=0)
    return true_positives, np.sum(is_pred, axis=0), np.sum(is_true, axis=0)


def _binary_labels(classes, pos_label):
    """The labels scored by ``average='binary'``: just ``[pos_label]``."""
    if classes.size > 2:
        raise ValueError(
            f"Target is multiclass ({classes.size} labels: {classes.tolist()}) "
            "but average='binary'. Please choose another average setting, one "
            "of [None, 'micro', 'macro', 'weighted']."
        )
    # With a single class in the data, pos_label may be the one that is
    # missing (e.g. no positives at all); then its scores are 0 / 0.
    if classes.size == 2 and pos_label not in classes:
        raise ValueError(
            f"pos_label={pos_label!r} is not a valid label. It should be one "
            f"of {classes.tolist()}"
        )
    return np.asarray([pos_label])


def _positive_counts(y_true, y_pred, labels, pos_label, average):
    """True positives, predicted and actual positives, ready for dividing.

    One entry per scored label, or a single entry for ``'binary'`` and
    ``'micro'`` (whose counts are summed over the labels).
    """
    if average not in _AVERAGES:
        raise ValueError(
            f"average must be one of {list(_AVERAGES)}, but got {average!r}"
        )
    y_true, y_pred, classes = _check_targets(y_true, y_pred)
    if average == "binary":
        labels = _binary_labels(classes, pos_label)
    else:
        if pos_label not in (None, 1):
            warnings.warn(
                f"Note that pos_label (set to {pos_label!r}) is ignored when "
                f"average != 'binary' (got {average!r}). You may use "
                "labels=[pos_label] to specify a single positive class.",
                UserWarning,
                stacklevel=3,
            )
        labels = classes if labels is None else _as_labels(labels, "labels")
    counts = _label_counts(y_true, y_pred, labels)
    if average == "micro":
        counts = tuple(np.sum(count, keepdims=True) for count in counts)
    return counts


def _zero_division_value(zero_division):
    """The score given to 0 / 0: 0 for ``"warn"``, else the value asked for."""
    if isinstance(zero_division, str) and zero_division == "warn":
        return 0.0
    if isinstance(zero_division, (int, float)) and not isinstance(zero_division, bool):
        if zero_division in (0, 1) or np.isnan(zero_division):
            return float(zero_division)
    raise ValueError(
        f'zero_division must be "warn", 0, 1 or np.nan, but got {zero_division!r}'
    )


def _divide(numerator, denominator, zero_division, metric, missing):
    """``numerator / denominator``, with ``zero_division`` where it is 0 / 0.

    ``metric`` and ``missing`` complete scikit-learn's warning, e.g.
    "Precision is ill-defined ... due to no predicted samples".
    """
    fill = _zero_division_value(zero_division)
    undefined = denominator == 0
    # Dividing by 1 where the denominator is 0 avoids a RuntimeWarning; those
    # entries are replaced on the next line anyway.
    scores = numerator / np.where(undefined, 1, denominator)
    scores[undefined] = fill
    if undefined.any() and isinstance(zero_division, str):
        where = "due to" if scores.size == 1 else "in labels with"
        warnings.warn(
            f"{metric} is ill-defined and being set to 0.0 {where} no {missing} "
            "samples. Use `zero_division` parameter to control this behavior.",
            UndefinedMetricWarning,
            stacklevel=3,
        )
    return scores


def _average(scores, average, support):
    """Combine per-label ``scores`` as ``average`` says; NaN scores are skipped.

    Returns the array itself for ``average=None``, a float otherwise (NaN
    if every score is NaN).
    """
    if average is None:
        return scores
    defined = ~np.isnan(scores)
    if not defined.any():
        return float("nan")
    weights = support[defined] if average == "weighted" else None
    # Weighting by support is impossible when no scored label occurs in
    # y_true; scikit-learn then takes the plain mean, and so do we.
    if weights is not None and weights.sum() == 0:
        weights = None
    return float(np.average(scores[defined], weights=weights))


# --------------------------------------------------------------------------
# Classification metrics
# --------------------------------------------------------------------------


def accuracy_score(y_true, y_pred, *, normalize=True):
    """Fraction of samples whose predicted label is the true label.

    Formula, with ``n`` samples::

        accuracy = (1/n) * sum_i [y_pred_i == y_true_i]

    Parameters
    ----------
    y_true : array_like of shape (n_samples,)
        True class labels (integers, booleans, strings, or whole floats).
    y_pred : array_like of shape (n_samples,)
        Predicted class labels.
    normalize : bool, default True
        If False, return the number of correct predictions instead of the
        fraction (as a float, like scikit-learn).

    Returns
    -------
    float
        The accuracy, in ``[0, 1]``.

    Raises
    ------
    ValueError
        If the inputs are empty, not 1-D, of different lengths, or are not
        class labels (e.g. probabilities such as 0.7).
    TypeError
        If the inputs do not hold labels at all.

    Examples
    --------
    >>> accuracy_score([0, 1, 2, 2], [0, 2, 2, 2])
    0.75
    >>> accuracy_score(["cat", "dog"], ["cat", "cat"], normalize=False)
    1.0
    """
    y_true, y_pred, _ = _check_targets(y_true, y_pred)
    correct = y_true == y_pred
    return float(np.mean(correct) if normalize else np.sum(correct))


def precision_score(
    y_true, y_pred, *, labels=None, pos_label=1, average="binary", zero_division="warn"
):
    """Precision: of the samples predicted positive, the fraction that are.

    Formula, per label::

        precision = TP / (TP + FP)

    With ``average='micro'`` the counts are summed over labels first, which
    for single-label data makes micro precision equal to the accuracy.

    Parameters
    ----------
    y_true : array_like of shape (n_samples,)
        True class labels.
    y_pred : array_like of shape (n_samples,)
        Predicted class labels.
    labels : array_like, optional
        The labels to score when ``average != 'binary'``, and their order
        for ``average=None``. By default every label in ``y_true`` or
        ``y_pred``, sorted. Labels absent from the data score 0 / 0.
    pos_label : int, float, bool or str, default 1
        The positive class for ``average='binary'``.
    average : {'binary', 'micro', 'macro', 'weighted'} or None, default 'binary'
        How the per-label scores are combined (see the module docstring).
    zero_division : {"warn", 0, 1, np.nan}, default "warn"
        The score where ``TP + FP = 0``. ``"warn"`` gives 0 and an
        :class:`UndefinedMetricWarning`; NaN scores are left out of averages.

    Returns
    -------
    float or numpy.ndarray
        The precision, or one per label for ``average=None``.

    Raises
    ------
    ValueError
        For invalid labels (see :func:`accuracy_score`), an unknown
        ``average`` or ``zero_division``, ``average='binary'`` with more
        than two labels, or a ``pos_label`` that is not one of two labels.

    Examples
    --------
    >>> precision_score([0, 1, 1, 0], [1, 1, 1, 0])
    0.6666666666666666
    >>> precision_score([0, 1, 2, 2], [0, 1, 2, 1], average=None)
    array([1. , 0.5, 1. ])
    """
    tp, predicted, actual = _positive_counts(y_true, y_pred, labels, pos_label, average)
    precision = _divide(tp, predicted, zero_division, "Precision", "predicted")
    return _average(precision, average, actual)


def recall_score(
    y_true, y_pred, *, labels=None, pos_label=1, average="binary", zero_division="warn"
):
    """Recall (sensitivity): of the positive samples, the fraction found.

    Formula, per label::

        recall = TP / (TP + FN)

    With the default ``labels``, the ``'weighted'`` and ``'micro'``
    averages of recall equal the accuracy, and if every predicted label
    also occurs in ``y_true``, the ``'macro'`` average is the *balanced
    accuracy*.

    Parameters
    ----------
    y_true : array_like of shape (n_samples,)
        True class labels.
    y_pred : array_like of shape (n_samples,)
        Predicted class labels.
    labels : array_like, optional
        The labels to score when ``average != 'binary'``; see
        :func:`precision_score`.
    pos_label : int, float, bool or str, default 1
        The positive class for ``average='binary'``.
    average : {'binary', 'micro', 'macro', 'weighted'} or None, default 'binary'
        How the per-label scores are combined.
    zero_division : {"warn", 0, 1, np.nan}, default "warn"
        The score where ``TP + FN = 0`` (the label never occurs in
        ``y_true``).

    Returns
    -------
    float or numpy.ndarray
        The recall, or one per label for ``average=None``.

    Raises
    ------
    ValueError
        As for :func:`precision_score`.

    Examples
    --------
    >>> recall_score([0, 1, 1, 0], [1, 1, 0, 0])
    0.5
    >>> recall_score([0, 1, 2, 2], [0, 2, 2, 2], average="macro")
    0.6666666666666666
    """
    tp, predicted, actual = _positive_counts(y_true, y_pred, labels, pos_label, average)
    recall = _divide(tp, actual, zero_division, "Recall", "true")
    return _average(recall, average, actual)


def f1_score(
    y_true, y_pred, *, labels=None, pos_label=1, average="binary", zero_division="warn"
):
    """F1 score: the harmonic mean of precision and recall.

    Formula, per label::

        F1 = 2 * precision * recall / (precision + recall)
           = 2 * TP / (2 * TP + FP + FN)

    We compute the second form, which is defined as long as the label was
    predicted or occurs (``2 * TP + FP + FN > 0``), even where precision
    alone is 0 / 0.

    Parameters
    ----------
    y_true : array_like of shape (n_samples,)
        True class labels.
    y_pred : array_like of shape (n_samples,)
        Predicted class labels.
    labels : array_like, optional
        The labels to score when ``average != 'binary'``; see
        :func:`precision_score`.
    pos_label : int, float, bool or str, default 1
        The positive class for ``average='binary'``.
    average : {'binary', 'micro', 'macro', 'weighted'} or None, default 'binary'
        How the per-label scores are combined. ``'macro'`` averages the
        per-label F1 scores; it is not the F1 of the averaged precision
        and recall.
    zero_division : {"warn", 0, 1, np.nan}, default "warn"
        The score where ``TP + FP + FN = 0``: the label is neither in
        ``y_true`` nor in ``y_pred``.

    Returns
    -------
    float or numpy.ndarray
        The F1 score, or one per label for ``average=None``.

    Raises
    ------
    ValueError
        As for :func:`precision_score`.

    Examples
    --------
    >>> f1_score([0, 1, 1, 0], [1, 1, 0, 0])
    0.5
    >>> f1_score(["a", "b", "c", "c"], ["a", "c", "c", "c"], average="weighted")
    0.65
    """
    tp, predicted, actual = _positive_counts(y_true, y_pred, labels, pos_label, average)
    f1 = _divide(2 * tp, predicted + actual, zero_division, "F-score", "true nor predicted")
    return _average(f1, average, actual)


def confusion_matrix(y_true, y_pred, labels=None):
    """Count how often each true label was predicted as each label.

    Formula: with one-hot matrices ``T[i, a] = [y_true_i == labels[a]]`` and
    ``P[i, b] = [y_pred_i == labels[b]]``::

        C = T^T P,   i.e.   C[a, b] = number of samples of class a predicted as b

    The diagonal holds the correct predictions. For binary 0/1 labels,
    ``C.ravel()`` is ``(TN, FP, FN, TP)``.

    Parameters
    ----------
    y_true : array_like of shape (n_samples,)
        True class labels (rows of the matrix).
    y_pred : array_like of shape (n_samples,)
        Predicted class labels (columns).
    labels : array_like, optional
        The labels that index the rows and columns, in this order. Samples
        whose true or predicted label is not among them are not counted.
        By default every label in ``y_true`` or ``y_pred``, sorted.

    Returns
    -------
    numpy.ndarray of int64, shape (n_labels, n_labels)
        The confusion matrix.

    Raises
    ------
    ValueError
        For invalid labels (see :func:`accuracy_score`), or a ``labels``
        argument that is empty or has no label occurring in ``y_true``.

    Examples
    --------
    >>> confusion_matrix([2, 0, 2, 2, 0, 1], [0, 0, 2, 2, 0, 2])
    array([[2, 0, 0],
           [0, 0, 1],
           [1, 0, 2]])
    >>> confusion_matrix([0, 1, 0, 1], [1, 1, 1, 0]).ravel().tolist()
    [0, 2, 1, 1]
    """
    y_true, y_pred, classes = _check_targets(y_true, y_pred)
    if labels is None:
        labels = classes
    else:
        labels = np.asarray(labels)
        if labels.size == 0:
            raise ValueError("'labels' should contain at least one label.")
        labels = _as_labels(labels, "labels")
        if not np.isin(labels, y_true).any():
            raise ValueError("At least one label specified must be in y_true")
    is_true = (y_true[:, np.newaxis] == labels).astype(np.float64)
    is_pred = (y_pred[:, np.newaxis] == labels).astype(np.float64)
    # A float64 product runs on BLAS, many times faster than one of
    # integers, and counts up to 2**53 are exact in float64.
    return (is_true.T @ is_pred).astype(np.int64)


# --------------------------------------------------------------------------
# Regression metrics
# --------------------------------------------------------------------------


def _regression_targets(y_true, y_pred, multioutput):
    """Validate targets and predictions; return them as 2-D float arrays.

    Both become shape ``(n_samples, n_outputs)``; a 1-D array is one output.
    They are ``float32`` only if both are ``float32``.
    """
    if multioutput not in _MULTIOUTPUTS:
        raise ValueError(
            f"multioutput must be one of {list(_MULTIOUTPUTS)}, but got {multioutput!r}"
        )
    y_true, y_pred = np.asarray(y_true), np.asarray(y_pred)
    dtype = np.result_type(working_dtype(y_true), working_dtype(y_pred))
    y_true = as_float_array(y_true, "y_true", dtype=dtype)
    y_pred = as_float_array(y_pred, "y_pred", dtype=dtype)
    for y, name in ((y_true, "y_true"), (y_pred, "y_pred")):
        if y.ndim not in (1, 2):
            raise ValueError(
                f"{name} must be 1-D (n_samples,) or 2-D (n_samples, n_outputs), "
                f"but it has shape {y.shape}"
            )
        if not np.isfinite(y).all():
            raise ValueError(f"{name} contains NaN or infinity")
    # A single output may come as (n,) or as (n, 1): scikit-learn accepts both.
    columns_true = y_true.reshape(len(y_true), -1)
    columns_pred = y_pred.reshape(len(y_pred), -1)
    if columns_true.shape != columns_pred.shape:
        raise ValueError(
            f"y_true has shape {y_true.shape} but y_pred has shape {y_pred.shape}; "
            "they must have the same number of samples and outputs"
        )
    return columns_true, columns_pred


def _average_outputs(scores, multioutput):
    """One score per output for ``'raw_values'``, their mean as a float otherwise."""
    if multioutput == "raw_values":
        return scores
    return float(np.mean(scores))


def mean_absolute_error(y_true, y_pred, *, multioutput="uniform_average"):
    """Mean absolute error (MAE).

    Formula, for each output, with ``n`` samples::

        MAE = (1/n) * sum_i |y_i - yhat_i|

    Parameters
    ----------
    y_true : array_like of shape (n_samples,) or (n_samples, n_outputs)
        Targets.
    y_pred : array_like, same shape
        Predictions. ``(n,)`` and ``(n, 1)`` may be mixed.
    multioutput : {'uniform_average', 'raw_values'}, default 'uniform_average'
        Return the mean over outputs, or one error per output.

    Returns
    -------
    float or numpy.ndarray
        The error; an array of shape ``(n_outputs,)`` for ``'raw_values'``.
        Computed in ``float32`` if both inputs are ``float32``.

    Raises
    ------
    TypeError
        If an input is not numeric.
    ValueError
        If the inputs are empty, contain NaN or infinity, or their shapes
        differ.

    Examples
    --------
    >>> mean_absolute_error([3.0, -0.5, 2.0, 7.0], [2.5, 0.0, 2.0, 8.0])
    0.5
    """
    y_true, y_pred = _regression_targets(y_true, y_pred, multioutput)
    errors = np.mean(np.abs(y_true - y_pred), axis=0)
    return _average_outputs(errors, multioutput)


def mean_squared_error(y_true, y_pred, *, multioutput="uniform_average"):
    """Mean squared error (MSE).

    Formula, for each output, with ``n`` samples::

        MSE = (1/n) * sum_i (y_i - yhat_i)^2

    Parameters
    ----------
    y_true : array_like of shape (n_samples,) or (n_samples, n_outputs)
        Targets.
    y_pred : array_like, same shape
        Predictions. ``(n,)`` and ``(n, 1)`` may be mixed.
    multioutput : {'uniform_average', 'raw_values'}, default 'uniform_average'
        Return the mean over outputs, or one error per output.

    Returns
    -------
    float or numpy.ndarray
        The error; an array of shape ``(n_outputs,)`` for ``'raw_values'``.
        Computed in ``float32`` if both inputs are ``float32``.

    Raises
    ------
    TypeError
        If an input is not numeric.
    ValueError
        If the inputs are empty, contain NaN or infinity, or their shapes
        differ.

    Examples
    --------
    >>> mean_squared_error([3.0, -0.5, 2.0, 7.0], [2.5, 0.0, 2.0, 8.0])
    0.375
    """
    y_true, y_pred = _regression_targets(y_true, y_pred, multioutput)
    errors = np.mean((y_true - y_pred) ** 2, axis=0)
    return _average_outputs(errors, multioutput)


def r2_score(y_true, y_pred, *, multioutput="uniform_average", force_finite=True):
    """Coefficient of determination R^2: the fraction of variance explained.

    Formula, for each output, with ``ybar`` the mean of the targets::

        R^2 = 1 - SS_res / SS_tot,
        SS_res = sum_i (y_i - yhat_i)^2,   SS_tot = sum_i (y_i - ybar)^2

    1 is a perfect fit, 0 is no better than always predicting ``ybar``, and
    it is negative for anything worse. When the targets are constant
    (``SS_tot = 0``) the formula is 0 / 0 or x / 0; with
    ``force_finite=True``, as in scikit-learn, the score is then 1.0 for a
    perfect prediction and 0.0 otherwise. With ``force_finite=False`` it is
    NaN or ``-inf``, silently.

    Parameters
    ----------
    y_true : array_like of shape (n_samples,) or (n_samples, n_outputs)
        Targets.
    y_pred : array_like, same shape
        Predictions. ``(n,)`` and ``(n, 1)`` may be mixed.
    multioutput : {'uniform_average', 'raw_values'}, default 'uniform_average'
        Return the mean over outputs, or one score per output.
    force_finite : bool, default True
        Replace the undefined scores of constant targets by 1.0 or 0.0.

    Returns
    -------
    float or numpy.ndarray
        The score; an array of shape ``(n_outputs,)`` for ``'raw_values'``.
        NaN, with an :class:`UndefinedMetricWarning`, for fewer than two
        samples.

    Raises
    ------
    TypeError
        If an input is not numeric.
    ValueError
        If the inputs are empty, contain NaN or infinity, or their shapes
        differ.

    Examples
    --------
    >>> r2_score([3.0, -0.5, 2.0, 7.0], [2.5, 0.0, 2.0, 8.0])
    0.9486081370449679
    >>> r2_score([2.0, 2.0, 2.0], [2.0, 2.0, 2.1])
    0.0
    """
    y_true, y_pred = _regression_targets(y_true, y_pred, multioutput)
    if len(y_true) < 2:
        warnings.warn(
            "R^2 score is not well-defined with less than two samples.",
            UndefinedMetricWarning,
            stacklevel=2,
        )
        return float("nan")
    ss_res = np.sum((y_true - y_pred) ** 2, axis=0)
    ss_tot = np.sum((y_true - np.mean(y_true, axis=0)) ** 2, axis=0)
    # A tiny SS_tot can make the ratio overflow: the score is then -inf,
    # correctly rounded, and needs no RuntimeWarning.
    if force_finite:
        # 1 where the fit is perfect (even 0 / 0), 0 where only SS_tot is 0.
        scores = np.where(ss_res == 0, 1.0, 0.0).astype(ss_res.dtype)
        defined = (ss_tot != 0) & (ss_res != 0)
        with np.errstate(over="ignore"):
            scores[defined] = 1 - ss_res[defined] / ss_tot[defined]
    else:
        with np.errstate(divide="ignore", invalid="ignore", over="ignore"):
            scores = 1 - ss_res / ss_tot
    return _average_outputs(scores, multioutput)
