"""The evaluation-metrics explorers: their numbers agree with scikit-learn, callbacks redraw, safe palette."""
from __future__ import annotations

import subprocess
import sys

import numpy as np
import pytest
import sklearn.metrics as sk
from hypothesis import given, settings
from hypothesis import strategies as st

from anncourse.explorers.evaluation_metrics import (MODELS, breast_cancer_scores, diabetes_sample,
                                                    fit_line, rare_positives, residual_explorer,
                                                    threshold_counts, threshold_curves,
                                                    threshold_explorer)

OKABE_ITO = {"#e69f00", "#56b4e9", "#009e73", "#f0e442", "#0072b2", "#d55e00", "#cc79a7", "#000000"}


def test_import_is_light():
    code = ("import sys, anncourse.explorers.evaluation_metrics\n"
            "assert not {'matplotlib', 'ipywidgets', 'sklearn'} & set(sys.modules)")
    subprocess.run([sys.executable, "-c", code], check=True)


# --- the numbers --------------------------------------------------------------------------

# Scores on a coarse grid, so that ties (several samples at one threshold) are common.
labelled_scores = st.lists(st.tuples(st.integers(0, 1), st.integers(0, 8).map(lambda k: k / 8)),
                           min_size=2, max_size=40).filter(
    lambda pairs: len({y for y, _ in pairs}) == 2)


@settings(max_examples=80, deadline=None)
@given(labelled_scores)
def test_curves_match_sklearn(pairs):
    y, s = (np.array(v) for v in zip(*pairs))
    c = threshold_curves(y, s)
    fpr, tpr, thresholds = sk.roc_curve(y, s, drop_intermediate=False)
    assert np.array_equal(c["thresholds"], thresholds)
    # Both are counts divided by the same totals: equal up to rounding of one division.
    assert np.allclose(c["fpr"], fpr, rtol=1e-12, atol=0) and np.allclose(c["tpr"], tpr, rtol=1e-12, atol=0)
    assert c["auc"] == pytest.approx(sk.roc_auc_score(y, s), rel=1e-12)
    # scikit-learn's PR curve runs from the lowest threshold up and appends (recall 0, precision 1);
    # it also stops once recall reaches 1 at the lowest useful threshold.
    precision, recall, pr_thresholds = sk.precision_recall_curve(y, s)
    for p, r, t in zip(precision[:-1], recall[:-1], pr_thresholds):
        k = int(np.flatnonzero(c["thresholds"] == t)[0])
        assert c["precision"][k] == pytest.approx(p, rel=1e-12) and c["tpr"][k] == pytest.approx(r, rel=1e-12)
    assert c["precision"][0] == 0.0 and c["tpr"][0] == 0.0  # nothing called positive: 0 / 0 -> 0


@settings(max_examples=80, deadline=None)
@given(labelled_scores, st.sampled_from([0.0, 0.25, 0.5, 0.625, 1.0, 1.5]))
def test_counts_at_a_threshold_match_sklearn(pairs, threshold):
    y, s = (np.array(v) for v in zip(*pairs))
    c = threshold_counts(y, s, threshold)
    pred = (s >= threshold).astype(int)  # a score equal to the threshold is positive
    tn, fp, fn, tp = sk.confusion_matrix(y, pred, labels=[0, 1]).ravel()
    assert (c["tp"], c["fp"], c["fn"], c["tn"]) == (tp, fp, fn, tn)
    assert c["accuracy"] == pytest.approx(sk.accuracy_score(y, pred))
    assert c["precision"] == pytest.approx(sk.precision_score(y, pred, zero_division=0))
    assert c["recall"] == pytest.approx(sk.recall_score(y, pred, zero_division=0))
    assert c["f1"] == pytest.approx(sk.f1_score(y, pred, zero_division=0))
    assert c["specificity"] == pytest.approx(1 - c["fpr"])


def test_a_point_of_the_explorer_lies_on_its_curves():
    y, s = breast_cancer_scores()
    curves = threshold_curves(y, s)
    for threshold in (0.2, 0.5, 0.8):
        c = threshold_counts(y, s, threshold)
        # The threshold's point is the curve's point at the smallest score >= threshold.
        k = int(np.flatnonzero(curves["thresholds"] >= threshold)[-1])
        assert (c["fpr"], c["recall"]) == pytest.approx((curves["fpr"][k], curves["tpr"][k]))
        assert c["precision"] == pytest.approx(curves["precision"][k])


def test_breast_cancer_scores_are_held_out_and_imperfect():
    y, s = breast_cancer_scores()
    assert y.shape == s.shape == (569,) and int(y.sum()) == 212  # malignant is the positive class
    auc = sk.roc_auc_score(y, s)
    # Two features: a useful but imperfect model (measured 0.831); all 30 reach about 0.995.
    assert 0.78 < auc < 0.88
    assert sk.roc_auc_score(*breast_cancer_scores(features=("mean radius", "mean concave points"))) > 0.95
    with pytest.raises(ValueError, match="unknown breast-cancer feature"):
        breast_cancer_scores(features=("mean colour",))


def test_rare_positives_keeps_every_negative():
    y, s = breast_cancer_scores()
    y_rare, s_rare = rare_positives(y, s, share=0.05)
    assert int(np.sum(y_rare == 0)) == 357
    assert np.mean(y_rare) == pytest.approx(0.05, abs=0.003)
    assert set(s_rare[y_rare == 0]) == set(s[y == 0])
    # The kept positives are spread over the scores: the ranking, hence the ROC curve, stays
    # (measured 0.833 against 0.831; a random 19 moved it to 0.91).
    assert threshold_curves(y_rare, s_rare)["auc"] == pytest.approx(threshold_curves(y, s)["auc"], abs=0.01)
    with pytest.raises(ValueError, match="share"):
        rare_positives(y, s, share=1.5)
    with pytest.raises(ValueError, match="positives cannot make"):
        rare_positives(np.array([1, 0, 0]), np.arange(3.0), share=0.9)


def test_curves_need_both_classes():
    with pytest.raises(ValueError, match="both classes"):
        threshold_curves([1, 1, 1], [0.1, 0.5, 0.9])


def test_models_of_the_residual_explorer():
    from sklearn.linear_model import LinearRegression

    bmi, y = diabetes_sample()
    assert bmi.shape == y.shape == (40,)
    slope, intercept = fit_line(bmi, y)
    ols = LinearRegression().fit(bmi[:, None], y)
    assert (slope, intercept) == pytest.approx((ols.coef_[0], ols.intercept_), rel=1e-9)
    # The mean is the constant with R^2 = 0; a line that forgot its bias is far below 0.
    assert sk.r2_score(y, np.polyval(fit_line(bmi, y, "the mean"), bmi)) == pytest.approx(0, abs=1e-12)
    assert sk.r2_score(y, np.polyval(fit_line(bmi, y, "no bias"), bmi)) < -3
    without = fit_line(bmi, y, "fit without the outlier", skip=3)
    keep = np.arange(40) != 3
    assert without == pytest.approx(tuple(np.polyfit(bmi[keep], y[keep], 1)), rel=1e-9)
    with pytest.raises(ValueError, match="skip="):
        fit_line(bmi, y, "fit without the outlier")
    with pytest.raises(ValueError, match="model must be one of"):
        fit_line(bmi, y, "a neural network")


@pytest.mark.parametrize("model", MODELS)
@pytest.mark.parametrize("shift", [-300.0, 0.0, 150.0])
def test_residual_summary_matches_sklearn(model, shift):
    explorer = residual_explorer(shift=shift, model=model).explorer
    s = explorer.summary(shift, model)
    assert s["y"][explorer.outlier] == pytest.approx(explorer.y0[explorer.outlier] + shift)
    assert s["mae"] == pytest.approx(sk.mean_absolute_error(s["y"], s["prediction"]), rel=1e-12)
    assert s["rmse"] == pytest.approx(sk.root_mean_squared_error(s["y"], s["prediction"]), rel=1e-12)
    assert s["r2"] == pytest.approx(sk.r2_score(s["y"], s["prediction"]), rel=1e-12, abs=1e-12)


def test_an_outlier_raises_rmse_more_than_mae():
    explorer = residual_explorer().explorer
    calm, wild = explorer.summary(0.0, "least squares"), explorer.summary(300.0, "least squares")
    assert wild["rmse"] / calm["rmse"] > wild["mae"] / calm["mae"] > 1
    assert wild["r2"] < calm["r2"]


# --- the widgets ---------------------------------------------------------------------------

def _other_values(control):
    import ipywidgets as w

    if isinstance(control, (w.FloatSlider, w.IntSlider)):
        return [control.min, control.max]
    return [option[1] if isinstance(option, tuple) else option for option in control.options]


@pytest.mark.parametrize("factory", [threshold_explorer, residual_explorer])
def test_every_control_redraws(factory):
    box = factory()
    assert bytes(box.image.value).startswith(b"\x89PNG") and box.readout.value
    for control in box.controls.values():
        old = control.value
        for value in _other_values(control):
            before = (bytes(box.image.value), box.readout.value)
            control.value = value
            if value != old:
                assert (bytes(box.image.value), box.readout.value) != before, value
            old = value


def test_the_threshold_readout_follows_the_slider():
    box = threshold_explorer(threshold=0.5)
    y, s = breast_cancer_scores()
    box.controls["threshold"].value = 0.3
    c = threshold_counts(y, s, 0.3)
    assert f"<td style='padding:2px 12px'>{c['tp']}</td>" in box.readout.value
    box.controls["rare"].value = True
    assert "0.9495" in box.readout.value  # accuracy of always 'benign' with 5 % malignant


def test_no_pyplot_figures_leak():
    import matplotlib.pyplot as plt

    before = plt.get_fignums()
    threshold_explorer().update()
    residual_explorer().update()
    assert plt.get_fignums() == before


@pytest.mark.parametrize("factory, control", [(threshold_explorer, "threshold"),
                                              (residual_explorer, "shift")])
def test_errors_in_callbacks_propagate(monkeypatch, factory, control):
    box = factory()

    def broken(*args, **kwargs):
        raise RuntimeError("boom")

    monkeypatch.setattr(box.explorer, "draw", broken)
    with pytest.raises(RuntimeError, match="boom"):
        box.controls[control].value = 0.7 if control == "threshold" else 100.0


@pytest.mark.parametrize("factory, values", [
    (threshold_explorer, [{"threshold": 0.5, "rare": False}, {"threshold": 0.2, "rare": True}]),
    (residual_explorer, [{"shift": 200.0, "model": m} for m in MODELS]),
])
def test_palette_is_colour_blind_safe_with_distinct_line_styles(factory, values):
    from matplotlib.colors import to_hex, to_rgb

    explorer = factory().explorer
    for setting in values:
        fig = explorer.draw(**setting)
        for ax in fig.axes:
            colours = [line.get_color() for line in ax.lines]
            colours += [line.get_markeredgecolor() for line in ax.lines]
            colours += [p.get_edgecolor() for p in ax.patches] + [t.get_color() for t in ax.texts]
            colours += [c for coll in ax.collections for c in coll.get_edgecolor()]
            for colour in colours:
                if isinstance(colour, str) and colour == "none":
                    continue
                r, g, b = to_rgb(colour)
                assert max(r, g, b) - min(r, g, b) < 1e-6 or to_hex(colour) in OKABE_ITO, to_hex(colour)
            legend = ax.get_legend()
            if legend is not None:
                # Each curve in a legend differs from the others by its style, not only its colour.
                styles = [(h.get_linestyle(), getattr(h, "get_marker", lambda: None)(),
                           getattr(h, "get_hatch", lambda: None)())
                          for h in legend.legend_handles]
                assert len(styles) == len(set(styles)), styles
