"""Chapter 19's transfer lab: true numbers, controls that train, a safe palette.

That the chapter introduces the lab with a question and a still figure is
checked for every chapter in ``tests/test_course_registry.py``.
"""
from __future__ import annotations

import subprocess
import sys

import numpy as np
import pytest

from anncourse.pretrained.transfer import draw_labels, run_method

OKABE_ITO = {"#e69f00", "#56b4e9", "#009e73", "#f0e442", "#0072b2", "#d55e00", "#cc79a7", "#000000"}


def _module():
    from anncourse.explorers import transfer_learning

    return transfer_learning


def test_import_does_not_load_matplotlib_or_ipywidgets():
    code = ("import sys, anncourse.explorers.transfer_learning\n"
            "heavy = [m for m in ('matplotlib', 'ipywidgets', 'torch') if m in sys.modules]\n"
            "assert not heavy, heavy")
    subprocess.run([sys.executable, "-c", code], check=True)


@pytest.fixture(scope="module")
def task():
    return _module().lab_task()


def test_the_task_is_parity_on_images_the_network_never_saw(task):
    from anncourse.pretrained import load_digits_body

    X, parity, digit, test, pool, body_w, body_b = task
    net = load_digits_body()
    np.testing.assert_array_equal(parity, digit % 2)
    assert len(np.intersect1d(test, pool)) == 0
    assert set(test) | set(pool) == set(net.target)
    assert [w.shape for w in body_w] == [(64, 128), (128, 64)]


def test_lab_scores_are_run_method_over_the_draws(task):
    X, parity, digit, test, pool, body_w, body_b = task
    scores = _module().lab_scores("frozen features", 2, draws=2, seed=5, task=task)
    expected = []
    for draw in (5, 6):
        rows = pool[draw_labels(digit[pool], 2, draw)]
        expected.append(run_method("frozen features", body_w, body_b, X[rows], parity[rows],
                                   X[test], parity[test], 2, seed=draw))
    assert scores == expected
    assert all(0.5 < s <= 1.0 for s in scores)


def test_pretrained_features_beat_a_random_body_with_few_labels(task):
    # The lab's point; over 3 draws with 1 label per digit the means are about 0.87 and 0.75.
    lab = _module()
    frozen = np.mean(lab.lab_scores("frozen features", 1, draws=3, task=task))
    random_body = np.mean(lab.lab_scores("random frozen body", 1, draws=3, task=task))
    assert frozen > random_body + 0.05


@pytest.mark.parametrize("bad", [{"method": "fine-tune everything"}, {"k": 0}, {"k": 41}])
def test_bad_settings_are_explained(task, bad):
    args = {"method": "frozen features", "k": 3, **bad}
    with pytest.raises(ValueError, match="method|labels per digit"):
        _module().lab_scores(args["method"], args["k"], task=task)


def test_pca_2d_matches_the_principal_axes():
    rng = np.random.default_rng(0)
    # Variance 9 along x, 1 along y, 0.01 along z: the projection keeps x and y (up to sign).
    X = rng.normal(size=(500, 3)) * [3.0, 1.0, 0.1]
    P = _module().pca_2d(X)
    centred = X - X.mean(axis=0)
    assert P.shape == (500, 2)
    np.testing.assert_allclose(np.abs(np.corrcoef(P[:, 0], centred[:, 0])[0, 1]), 1, atol=0.01)
    np.testing.assert_allclose(np.abs(np.corrcoef(P[:, 1], centred[:, 1])[0, 1]), 1, atol=0.05)
    # The projection keeps the variance of the two axes (PCA maximises it).
    assert P.var(axis=0)[0] == pytest.approx(9, rel=0.15)


def test_the_lab_trains_on_every_change_and_keeps_the_last_bars():
    lab = _module()
    box = lab.transfer_lab(method="frozen features", k=2, draws=1)
    first = bytes(box.image.value)
    assert first.startswith(b"\x89PNG")
    assert len(box.explorer.results) == 1
    box.controls["k"].value = 1
    box.controls["method"].value = "random frozen body"
    assert [(m, k) for m, k, _ in box.explorer.results] == [
        ("frozen features", 2), ("frozen features", 1), ("random frozen body", 1)]
    assert "random frozen body" in box.readout.value
    assert bytes(box.image.value) != first
    for k in range(2, 2 + lab.MAX_BARS):
        box.controls["k"].value = k
    assert len(box.explorer.results) == lab.MAX_BARS
    box.clear()
    assert box.explorer.results == []
    assert bytes(box.image.value).startswith(b"\x89PNG")


def test_an_unknown_method_is_refused():
    with pytest.raises(ValueError, match="unknown method"):
        _module().transfer_lab(method="magic")


def test_palette_is_okabe_ito_with_distinct_hatches():
    lab = _module()
    colours = {c.lower() for c, _ in lab._STYLE.values()} | {c.lower() for _, _, c, _ in lab._CLASSES}
    assert colours <= OKABE_ITO
    hatches = [h for _, h in lab._STYLE.values()]
    assert len(set(hatches)) == len(hatches)
    assert len({m for _, _, _, m in lab._CLASSES}) == len(lab._CLASSES)
    assert set(lab._STYLE) == set(lab.LAB_METHODS)
