"""Interactive explorers for the evaluation-metrics chapter (``12-evaluation-metrics``).

* :func:`threshold_explorer` -- a classifier of scikit-learn's breast-cancer
  data outputs a score per patient; a slider sets the threshold at and above
  which a tumour is called malignant.  The figure shows the scores of both
  classes with the threshold, the confusion matrix, and the ROC and
  precision-recall curves with a point that moves with the threshold; the
  readout has the counts and the metrics.  A toggle makes malignant tumours
  rare (5 % of the patients instead of 37 %), to show what class imbalance
  does to accuracy and precision and what it leaves alone.
* :func:`residual_explorer` -- a line fitted to patients of scikit-learn's
  diabetes data (disease progression against body-mass index); a slider
  moves one patient's target away from the others, and a toggle picks the
  model.  MAE, MSE, RMSE and R^2 are recomputed live; the model without a
  bias shows an R^2 far below 0.

The numbers come from :mod:`anncourse.metrics` and from
:func:`threshold_curves`, which is checked against scikit-learn's
``roc_curve`` and ``precision_recall_curve`` in the tests.  The widget
mechanics (controls, readout, PNG image, ``box.update``) are those of
:mod:`anncourse.explorers.losses`.  matplotlib, ipywidgets and scikit-learn
are imported when an explorer is built or data are loaded, never at import.
"""
from __future__ import annotations

import functools

import numpy as np

from .. import metrics
from .losses import _OKABE_ITO, _Explorer, _fmt, _png, _slider, _table, _toggle

__all__ = ["ThresholdExplorer", "ResidualExplorer", "breast_cancer_scores", "diabetes_sample",
           "fit_line", "rare_positives", "residual_explorer", "threshold_counts", "threshold_curves",
           "threshold_explorer"]

FEATURES = ("mean texture", "mean smoothness")
_POS = _OKABE_ITO["vermillion"]   # malignant (the positive class)
_NEG = _OKABE_ITO["blue"]         # benign
_CURVE = _OKABE_ITO["blue"]
_POINT = _OKABE_ITO["orange"]
_GREY = _OKABE_ITO["grey"]


# --- the classifier's scores -----------------------------------------------------------

@functools.lru_cache(maxsize=4)
def breast_cancer_scores(features=FEATURES, folds=5, seed=0):
    """Out-of-fold scores of a logistic regression on the breast-cancer data.

    Each patient's score is the probability of *malignant* given by a model
    trained on the other folds (5-fold stratified cross-validation), so
    every one of the 569 scores is a held-out prediction.  Two features
    make a deliberately imperfect model (ROC AUC about 0.83), whose curves
    show the trade-off; all 30 features reach about 0.995.

    Parameters
    ----------
    features : tuple of str
        Names from ``load_breast_cancer().feature_names``.
    folds : int
        Number of cross-validation folds.
    seed : int
        Shuffling of the folds.

    Returns
    -------
    y : numpy.ndarray of int, shape (569,)
        1 for malignant (scikit-learn's target 0), 0 for benign.
    scores : numpy.ndarray of float, shape (569,)
        Probability of malignant, in (0, 1).

    Raises
    ------
    ValueError
        If a feature name is unknown.

    Examples
    --------
    >>> y, s = breast_cancer_scores()
    >>> y.shape, int(y.sum()), bool(0 < s.min() < s.max() < 1)
    ((569,), 212, True)
    """
    from sklearn.datasets import load_breast_cancer
    from sklearn.linear_model import LogisticRegression
    from sklearn.model_selection import StratifiedKFold, cross_val_predict
    from sklearn.pipeline import make_pipeline
    from sklearn.preprocessing import StandardScaler

    data = load_breast_cancer()
    names = list(data.feature_names)
    unknown = [f for f in features if f not in names]
    if unknown:
        raise ValueError(f"unknown breast-cancer feature(s) {unknown}; choose from {names}")
    X = data.data[:, [names.index(f) for f in features]]
    y = (data.target == 0).astype(int)  # scikit-learn codes malignant as 0
    model = make_pipeline(StandardScaler(), LogisticRegression())
    splits = StratifiedKFold(folds, shuffle=True, random_state=seed)
    scores = cross_val_predict(model, X, y, cv=splits, method="predict_proba")[:, 1]
    y.flags.writeable = scores.flags.writeable = False  # cached: shared by every caller
    return y, scores


def rare_positives(y, scores, share=0.05):
    """Keep every negative and just enough positives for them to be ``share`` of the samples.

    The positives kept are spread evenly over the positives sorted by score
    (the middle one of each of ``k`` equal groups), so they have the same
    score distribution as all of them: what changes is the class balance,
    not how well the scores separate the classes.  A random subsample of
    a few positives would move the ROC curve by chance.

    Examples
    --------
    >>> y, s = rare_positives(np.array([1, 1, 1, 0, 0, 0, 0]), np.array([0.9, 0.5, 0.7, 0, 0, 0, 0]),
    ...                       share=0.2)
    >>> y.tolist(), s.tolist()
    ([1, 0, 0, 0, 0], [0.7, 0.0, 0.0, 0.0, 0.0])
    """
    y, scores = np.asarray(y), np.asarray(scores)
    if not 0 < share < 1:
        raise ValueError(f"share must be between 0 and 1, not {share}")
    negatives = np.flatnonzero(y == 0)
    positives = np.flatnonzero(y == 1)
    keep = max(1, round(share * len(negatives) / (1 - share)))
    if keep > len(positives):
        raise ValueError(f"{len(positives)} positives cannot make {share:.0%} of the samples")
    by_score = positives[np.argsort(scores[positives], kind="stable")]
    middles = ((np.arange(keep) + 0.5) * len(positives) / keep).astype(int)
    order = np.sort(np.r_[by_score[middles], negatives])
    return y[order], scores[order]


def threshold_counts(y_true, scores, threshold):
    """Counts and metrics when a score ``>= threshold`` is called positive.

    Ratios that are 0 / 0 (nothing called positive, say) are 0.0, as with
    scikit-learn's ``zero_division=0``.

    Returns
    -------
    dict
        ``tp, fp, fn, tn`` (int) and ``accuracy, precision, recall, f1,
        fpr, specificity`` (float).

    Examples
    --------
    >>> c = threshold_counts([0, 1, 1, 0], [0.2, 0.9, 0.4, 0.6], 0.5)
    >>> c["tp"], c["fp"], c["precision"], c["recall"]
    (1, 1, 0.5, 0.5)
    """
    y_true = np.asarray(y_true).astype(int)
    y_pred = (np.asarray(scores, dtype=float) >= threshold).astype(int)
    tn, fp, fn, tp = (int(v) for v in metrics.confusion_matrix(y_true, y_pred, labels=[0, 1]).ravel())
    negatives = fp + tn
    return {"tp": tp, "fp": fp, "fn": fn, "tn": tn,
            "accuracy": metrics.accuracy_score(y_true, y_pred),
            "precision": metrics.precision_score(y_true, y_pred, zero_division=0),
            "recall": metrics.recall_score(y_true, y_pred, zero_division=0),
            "f1": metrics.f1_score(y_true, y_pred, zero_division=0),
            "fpr": fp / negatives if negatives else 0.0,
            "specificity": tn / negatives if negatives else 0.0}


def threshold_curves(y_true, scores):
    """The ROC and precision-recall curves: one point per distinct score used as threshold.

    Thresholds run from ``+inf`` (nothing positive) down through every
    distinct score (the lowest calls everything positive), as in
    scikit-learn's ``roc_curve(..., drop_intermediate=False)``.  Precision
    where nothing is called positive is 0.0 (``zero_division=0``);
    scikit-learn's ``precision_recall_curve`` instead ends its curve at
    precision 1.0, recall 0.

    Returns
    -------
    dict
        ``thresholds, fpr, tpr`` (= recall) and ``precision``, arrays of the
        same length, and ``auc``, the area under the ROC curve (trapezoids).

    Raises
    ------
    ValueError
        If ``y_true`` has only one class (a rate would be 0 / 0 everywhere).

    Examples
    --------
    >>> c = threshold_curves([0, 0, 1, 1], [0.1, 0.4, 0.35, 0.8])
    >>> c["tpr"].tolist(), c["fpr"].tolist(), c["auc"]
    ([0.0, 0.5, 0.5, 1.0, 1.0], [0.0, 0.0, 0.5, 0.5, 1.0], 0.75)
    """
    y = np.asarray(y_true).astype(int)
    s = np.asarray(scores, dtype=float)
    positives, negatives = int(y.sum()), int(len(y) - y.sum())
    if positives == 0 or negatives == 0:
        raise ValueError("y_true needs both classes for ROC and precision-recall curves")
    order = np.argsort(-s, kind="stable")
    s, y = s[order], y[order]
    # The last index of each run of equal scores: a threshold there takes the whole run.
    last = np.r_[np.flatnonzero(np.diff(s)), len(s) - 1]
    tp = np.r_[0, np.cumsum(y)[last]]
    fp = np.r_[0, np.cumsum(1 - y)[last]]
    called = tp + fp
    precision = np.divide(tp, called, out=np.zeros(len(tp)), where=called > 0)
    fpr, tpr = fp / negatives, tp / positives
    return {"thresholds": np.r_[np.inf, s[last]], "fpr": fpr, "tpr": tpr, "precision": precision,
            "auc": float(np.sum(np.diff(fpr) * (tpr[1:] + tpr[:-1]) / 2))}


class ThresholdExplorer(_Explorer):
    """The threshold of the breast-cancer classifier: confusion matrix, metrics, ROC and PR points."""

    def __init__(self, threshold=0.5, rare=False):
        self.data = {False: breast_cancer_scores()}
        self.data[True] = rare_positives(*self.data[False])
        self.curves = {key: threshold_curves(*value) for key, value in self.data.items()}
        controls = {
            "threshold": _slider(threshold, 0.0, 1.0, 0.01, "threshold"),
            "rare": _toggle([("as collected", False), ("malignant rare (5 %)", True)], bool(rare),
                            "patients"),
        }
        controls["rare"].style.button_width = "150px"  # room for the longer label
        super().__init__(controls, note="A tumour is called malignant when its score is at or above "
                                        "the threshold. Malignant is the positive class.")

    def counts(self, threshold, rare):
        return threshold_counts(*self.data[rare], threshold)

    def draw(self, threshold, rare):
        from matplotlib.figure import Figure

        y, scores = self.data[rare]
        curves, c = self.curves[rare], self.counts(threshold, rare)
        fig = Figure(figsize=(10.5, 7.2), dpi=96)
        fig.subplots_adjust(left=0.07, right=0.98, bottom=0.08, top=0.94, wspace=0.25, hspace=0.38)
        (hist, matrix), (roc, pr) = fig.subplots(2, 2)

        bins = np.linspace(0, 1, 26)
        hist.hist(scores[y == 0], bins=bins, histtype="step", color=_NEG, linewidth=2, hatch="//",
                  label=f"benign ({int(np.sum(y == 0))})")
        hist.hist(scores[y == 1], bins=bins, histtype="step", color=_POS, linewidth=2, linestyle="--",
                  label=f"malignant ({int(np.sum(y == 1))})")
        hist.axvline(threshold, color="#000000", linestyle=":", linewidth=2,
                     label=f"threshold {threshold:.2f}")
        hist.set_xlabel("score (probability of malignant)")
        hist.set_ylabel("patients")
        hist.set_title("scores of the two classes")
        hist.legend(fontsize=9)

        table = np.array([[c["tn"], c["fp"]], [c["fn"], c["tp"]]])
        matrix.imshow(table, cmap="Greys", vmin=0, vmax=max(1, len(y)) * 0.8)
        names = [["TN", "FP"], ["FN", "TP"]]
        for i in range(2):
            for j in range(2):
                dark = table[i, j] > 0.45 * len(y)
                matrix.text(j, i, f"{names[i][j]}\n{table[i, j]}", ha="center", va="center",
                            fontsize=13, color="#FFFFFF" if dark else "#000000")
        matrix.set_xticks([0, 1], ["benign", "malignant"])
        matrix.set_yticks([0, 1], ["benign", "malignant"])
        matrix.set_xlabel("predicted")
        matrix.set_ylabel("true")
        matrix.set_title("confusion matrix (rows: true class)")

        roc.plot(curves["fpr"], curves["tpr"], "-", color=_CURVE, linewidth=2,
                 label=f"ROC (AUC {curves['auc']:.3f})")
        roc.plot([0, 1], [0, 1], "--", color=_GREY, label="random scores")
        roc.plot([c["fpr"]], [c["recall"]], "o", color=_POINT, markersize=10, markeredgecolor="#000000")
        roc.set_xlabel("false-positive rate FP / (FP + TN)")
        roc.set_ylabel("recall (true-positive rate)")
        roc.set_title("ROC curve")
        roc.legend(fontsize=9, loc="lower right")

        prevalence = float(np.mean(y))
        pr.plot(curves["tpr"][1:], curves["precision"][1:], "-", color=_CURVE, linewidth=2,
                label="precision-recall")
        pr.axhline(prevalence, color=_GREY, linestyle="--", label=f"random scores ({prevalence:.2f})")
        pr.plot([c["recall"]], [c["precision"]], "o", color=_POINT, markersize=10,
                markeredgecolor="#000000")
        pr.set_xlabel("recall")
        pr.set_ylabel("precision")
        pr.set_ylim(0, 1.05)
        pr.set_title("precision-recall curve")
        pr.legend(fontsize=9, loc="lower left")
        for ax in (hist, roc, pr):
            ax.grid(alpha=0.3)
        return fig

    def describe(self, threshold, rare):
        c = self.counts(threshold, rare)
        y = self.data[rare][0]
        baseline = float(np.mean(y == 0))
        return _table([
            ("TP", c["tp"], "FP", c["fp"], "FN", c["fn"], "TN", c["tn"]),
            ("accuracy", _fmt(c["accuracy"]), "precision", _fmt(c["precision"]),
             "recall", _fmt(c["recall"]), "F1", _fmt(c["f1"])),
            ("specificity", _fmt(c["specificity"]), "false-positive rate", _fmt(c["fpr"]),
             "accuracy of 'always benign'", _fmt(baseline), "", ""),
        ])


def threshold_explorer(threshold=0.5, rare=False):
    """Move the decision threshold of a breast-cancer classifier.

    Parameters
    ----------
    threshold : float
        Starting threshold, in [0, 1] (slider).
    rare : bool
        Start with malignant tumours made rare (5 % of the patients).

    Returns
    -------
    ipywidgets.VBox
        With ``.controls``, ``.readout``, ``.image``, ``.update()`` and ``.explorer``.

    Examples
    --------
    >>> box = threshold_explorer(threshold=0.3)  # doctest: +SKIP
    """
    return ThresholdExplorer(threshold, rare).widget


# --- regression: residuals and an outlier ---------------------------------------------------

@functools.lru_cache(maxsize=4)
def diabetes_sample(n=40, seed=0):
    """``n`` patients of the diabetes data: body-mass index and disease progression after a year.

    Returns
    -------
    bmi : numpy.ndarray, shape (n,)
        Body-mass index in kg/m^2 (``load_diabetes(scaled=False)``).
    progression : numpy.ndarray, shape (n,)
        The data set's target, a measure of disease progression.

    Examples
    --------
    >>> bmi, y = diabetes_sample()
    >>> bmi.shape, bool(15 < bmi.min() < bmi.max() < 45)
    ((40,), True)
    """
    from sklearn.datasets import load_diabetes

    data = load_diabetes(scaled=False)
    pick = np.sort(np.random.default_rng(seed).choice(len(data.target), size=n, replace=False))
    bmi, y = data.data[pick, 2].copy(), data.target[pick].astype(float)
    bmi.flags.writeable = y.flags.writeable = False
    return bmi, y


MODELS = ("least squares", "fit without the outlier", "no bias", "the mean")


def fit_line(x, y, model="least squares", skip=None):
    """Slope and intercept of one of the explorer's models.

    Parameters
    ----------
    x, y : array_like
        The data.
    model : str
        ``"least squares"`` (fit to all points), ``"fit without the
        outlier"`` (least squares without the point ``skip``), ``"no bias
        (through 0)"`` (least squares of ``y ~ w (x - mean(x))`` with no
        intercept: a model that forgot its bias), ``"the mean"`` (the
        constant ``mean(y)``, whose R^2 is 0).
    skip : int, optional
        The index of the point left out by ``"fit without the outlier"``.

    Returns
    -------
    (float, float)
        ``(slope, intercept)`` of the prediction ``slope * x + intercept``.

    Examples
    --------
    >>> [round(v, 9) for v in fit_line([0.0, 1.0, 2.0], [1.0, 3.0, 5.0])]
    [2.0, 1.0]
    """
    x, y = np.asarray(x, dtype=float), np.asarray(y, dtype=float)
    if model not in MODELS:
        raise ValueError(f"model must be one of {list(MODELS)}, not {model!r}")
    if model == "the mean":
        return 0.0, float(np.mean(y))
    if model == "no bias":
        centred = x - x.mean()
        slope = float(centred @ y / (centred @ centred))
        return slope, -slope * float(x.mean())
    if model == "fit without the outlier":
        if skip is None:
            raise ValueError("'fit without the outlier' needs the index of the outlier (skip=)")
        keep = np.arange(len(x)) != skip
        x, y = x[keep], y[keep]
    slope, intercept = np.polyfit(x, y, 1)
    return float(slope), float(intercept)


class ResidualExplorer(_Explorer):
    """A line through diabetes patients; one patient's target moves; MAE, RMSE and R^2 live."""

    def __init__(self, shift=0.0, model="least squares"):
        self.bmi, self.y0 = diabetes_sample()
        # The outlier is the patient with the median BMI: moving it tilts the fit least and
        # lifts it most, so the effect on the metrics, not on the slope, is what shows.
        self.outlier = int(np.argsort(self.bmi)[len(self.bmi) // 2])
        controls = {
            "shift": _slider(shift, -300.0, 300.0, 10.0, "outlier's target moved by", fmt=".0f"),
            "model": _toggle(list(MODELS), model, "model"),
        }
        controls["model"].style.button_width = "170px"
        super().__init__(controls, note=f"{len(self.bmi)} patients of scikit-learn's diabetes data. "
                                        "The slider moves one patient's target; the metrics are "
                                        "computed on all of them.")

    def targets(self, shift):
        y = np.array(self.y0)
        y[self.outlier] += shift
        return y

    def summary(self, shift, model):
        y = self.targets(shift)
        slope, intercept = fit_line(self.bmi, y, model, skip=self.outlier)
        prediction = slope * self.bmi + intercept
        mse = metrics.mean_squared_error(y, prediction)
        residual = y - prediction
        return {"y": y, "prediction": prediction, "slope": slope, "intercept": intercept,
                "mae": metrics.mean_absolute_error(y, prediction), "mse": mse, "rmse": float(np.sqrt(mse)),
                "r2": metrics.r2_score(y, prediction),
                "outlier_share": float(residual[self.outlier] ** 2 / max(np.sum(residual ** 2), 1e-300))}

    def draw(self, shift, model):
        from matplotlib.figure import Figure

        s = self.summary(shift, model)
        fig = Figure(figsize=(10.5, 3.9), dpi=96)
        fig.subplots_adjust(left=0.07, right=0.985, bottom=0.14, top=0.91, wspace=0.25)
        data, resid = fig.subplots(1, 2)
        x, y, pred = self.bmi, s["y"], s["prediction"]
        others = np.arange(len(x)) != self.outlier
        data.vlines(x, np.minimum(y, pred), np.maximum(y, pred), color=_GREY, linewidth=1,
                    linestyle=":")
        data.plot(x[others], y[others], "o", color=_NEG, markersize=5, label="patients")
        if shift:
            data.plot(x[~others], self.y0[~others], "s", color=_POS, markerfacecolor="none",
                      markersize=9, label="where it was")
        data.plot(x[~others], y[~others], "D", color=_POS, markersize=9, markeredgecolor="#000000",
                  label="the moved patient")
        grid = np.linspace(x.min(), x.max(), 2)
        data.plot(grid, s["slope"] * grid + s["intercept"], "-", color=_POINT, linewidth=2.5,
                  label=model)
        data.plot(grid, np.full(2, y.mean()), "--", color=_GREY, linewidth=1.2, label="mean of y")
        data.set_xlabel("body-mass index (kg/m²)")
        data.set_ylabel("disease progression")
        data.set_title(f"the data and the model; residuals dotted (R² = {s['r2']:.3f})")
        data.legend(fontsize=8, loc="best")

        residual = y - pred
        resid.axhline(0, color="#000000", linewidth=0.8)
        for sign in (1, -1):
            resid.axhline(sign * s["mae"], color=_NEG, linestyle="--", linewidth=1.5,
                          label=f"± MAE = {s['mae']:.1f}" if sign > 0 else None)
            resid.axhline(sign * s["rmse"], color=_POS, linestyle="-.", linewidth=1.5,
                          label=f"± RMSE = {s['rmse']:.1f}" if sign > 0 else None)
        resid.plot(pred[others], residual[others], "o", color=_NEG, markersize=5)
        resid.plot(pred[~others], residual[~others], "D", color=_POS, markersize=9,
                   markeredgecolor="#000000")
        resid.set_xlabel("prediction")
        resid.set_ylabel("residual y − ŷ")
        resid.set_title("residuals against predictions")
        resid.legend(fontsize=9, loc="lower right")
        for ax in (data, resid):
            ax.grid(alpha=0.3)
        return fig

    def describe(self, shift, model):
        s = self.summary(shift, model)
        return _table([
            ("MAE", _fmt(s["mae"]), "MSE", _fmt(s["mse"]), "RMSE", _fmt(s["rmse"]), "R²", _fmt(s["r2"])),
            ("model", f"ŷ = {_fmt(s['slope'])} · BMI {'+' if s['intercept'] >= 0 else '−'} "
                      f"{_fmt(abs(s['intercept']))}",
             "the moved patient's share of SS_res", f"{100 * s['outlier_share']:.1f} %", "", "",
             "", ""),
        ])


def residual_explorer(shift=0.0, model="least squares"):
    """Residuals, MAE, RMSE and R^2 of a line through diabetes patients, with a movable outlier.

    Parameters
    ----------
    shift : float
        How far the outlier's target starts from its true value (slider, -300 to 300).
    model : str
        One of :data:`MODELS` (toggle).

    Returns
    -------
    ipywidgets.VBox
        With ``.controls``, ``.readout``, ``.image``, ``.update()`` and ``.explorer``.

    Examples
    --------
    >>> box = residual_explorer(shift=200.0, model="no bias")  # doctest: +SKIP
    """
    return ResidualExplorer(shift, model).widget
