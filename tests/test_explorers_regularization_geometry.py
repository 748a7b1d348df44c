"""The L1/L2 geometry explorer: exact solution paths, a redrawing slider, a safe palette."""
from __future__ import annotations

import subprocess
import sys

import numpy as np
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from anncourse.explorers.regularization_geometry import (
    H, W_STAR, geometry_figure, l1_l2_geometry_explorer, l1_zero_points, solution_path)

OKABE_ITO = {"#e69f00", "#56b4e9", "#009e73", "#f0e442", "#0072b2", "#d55e00", "#cc79a7", "#000000"}


def _objective(w, lam, w_star, h, penalty):
    d = w - w_star
    return 0.5 * d @ h @ d + (lam * np.abs(w).sum() if penalty == "L1" else 0.5 * lam * w @ w)


def test_import_is_light():
    code = ("import sys, anncourse.explorers.regularization_geometry\n"
            "assert 'matplotlib' not in sys.modules and 'ipywidgets' not in sys.modules")
    subprocess.run([sys.executable, "-c", code], check=True)


def test_l1_path_by_hand():
    # H w* = (2.4, 1.4). With both weights positive, H w = H w* - lam (1, 1) gives
    # w2 = 1 - lam * 0.6 / 0.44, zero at lam = 0.44 / 0.6; then w1 = 2.4 - lam, zero at 2.4.
    path = solution_path("L1", [0.5, 1.0, 2.4, 3.0])
    np.testing.assert_allclose(path[0], [2 - 0.5 * 0.2 / 0.44, 1 - 0.5 * 0.6 / 0.44], rtol=1e-12)
    np.testing.assert_allclose(path[1], [1.4, 0.0], rtol=1e-12)
    assert np.all(path[2:] == 0.0)
    # Near a zero point the objectives differ by about w^2, so rounding (1e-16) decides
    # between candidates once w is below about 1e-8: the points are good to about 1e-7.
    assert l1_zero_points() == pytest.approx((2.4, 0.44 / 0.6), abs=1e-6)


def test_l2_never_reaches_an_axis():
    path = solution_path("L2", np.linspace(0, 1000, 50))
    assert np.all(path > 0)
    np.testing.assert_allclose(path[0], W_STAR)


@settings(max_examples=40, deadline=None)
@given(st.floats(0, 5), st.floats(-3, 3), st.floats(-3, 3), st.floats(-0.9, 0.9),
       st.floats(0.2, 3))
def test_paths_are_the_minimisers(lam, a, b, corr, scale):
    """No point near either solution has a lower objective (both problems are convex)."""
    h = np.array([[1.0, corr * np.sqrt(scale)], [corr * np.sqrt(scale), scale]])
    w_star = np.array([a, b])
    rng = np.random.default_rng(0)
    for penalty in ("L1", "L2"):
        w = solution_path(penalty, [lam], w_star, h)[0]
        best = _objective(w, lam, w_star, h, penalty)
        for step in (1e-2, 1e-4):
            for d in rng.normal(size=(30, 2)) * step:
                # 1e-12 absorbs rounding in objectives of size up to about 100.
                assert _objective(w + d, lam, w_star, h, penalty) >= best - 1e-12


def test_bad_input_is_named():
    with pytest.raises(ValueError, match="penalty"):
        solution_path("L3", [1.0])
    with pytest.raises(ValueError, match="lam"):
        solution_path("L1", [-1.0])
    with pytest.raises(ValueError, match="positive definite"):
        solution_path("L2", [1.0], h=[[1.0, 0.0], [0.0, -1.0]])
    with pytest.raises(ValueError, match="w_star"):
        solution_path("L2", [1.0], w_star=[1.0, 2.0, 3.0])


def test_slider_redraws_and_reports():
    box = l1_l2_geometry_explorer(0.2, question="Which weight reaches 0 first?")
    assert bytes(box.image.value).startswith(b"\x89PNG")
    assert "0 weight(s) exactly 0" in box.readout.value
    before = (bytes(box.image.value), box.readout.value)
    box.controls["lam"].value = 1.0
    assert (bytes(box.image.value), box.readout.value) != before
    assert "1 weight(s) exactly 0" in box.readout.value   # L1 has dropped w2
    with pytest.raises(ValueError, match="lam"):
        l1_l2_geometry_explorer(9.0)


def test_figure_is_png_and_leaves_no_pyplot_figure():
    import matplotlib.pyplot as plt

    before = plt.get_fignums()
    assert geometry_figure(0.8).startswith(b"\x89PNG")
    assert plt.get_fignums() == before


def test_palette_is_colour_blind_safe_with_distinct_line_styles():
    from matplotlib.colors import to_hex, to_rgb

    from anncourse.explorers.regularization_geometry import _draw

    fig, _ = _draw(0.8)
    for ax in fig.axes:
        styles = {}
        for line in ax.get_lines():
            colour = to_hex(line.get_color())
            r, g, b = to_rgb(colour)
            assert max(r, g, b) - min(r, g, b) < 1e-6 or colour in OKABE_ITO, colour
            if line.get_linestyle() not in ("None", "") and colour != "#000000":
                styles.setdefault(colour, set()).add(line.get_linestyle())
        # L1 and L2 differ by colour and by line style.
        assert len({frozenset(s) for s in styles.values()}) == len(styles) or len(styles) < 2


def test_defaults_are_the_documented_problem():
    assert np.allclose(H, np.array(H).T) and len(W_STAR) == 2
