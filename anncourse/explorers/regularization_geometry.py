"""L1 against L2: the geometry of a weight penalty, for chapter ``07-regularization``.

Two weights, a quadratic data loss with its minimum at ``w_star`` and a
curvature matrix ``H`` (elliptic contours)::

    data loss(w) = 1/2 (w - w_star)^T H (w - w_star)

and a penalty of strength ``lam``. The explorer follows the minimiser of
``data loss + penalty`` as ``lam`` grows from 0:

* with L2, ``lam/2 * |w|^2``, the minimiser is ``(H + lam I)^-1 H w_star``:
  both weights shrink smoothly and reach 0 only as ``lam`` goes to infinity;
* with L1, ``lam * |w|_1``, the minimiser hits an axis at a finite ``lam``
  (one weight is exactly 0) and the origin at a larger one: L1 makes
  weights sparse.

The left panel shows the loss contours, the L1 diamond and the L2 circle
that pass through the current solutions (each minimiser is where a contour
touches its penalty's level set), and both solution paths. The right panel
shows each weight against ``lam``. Both minimisers are computed exactly
(:func:`solution_path`), not by iterating an optimiser.

The widget follows :mod:`anncourse.explorers.losses`: a bare matplotlib
``Figure`` drawn into an ``ipywidgets.Image``; matplotlib and ipywidgets
are imported only when a figure or widget is built.

Examples
--------
>>> import numpy as np
>>> path = solution_path("L1", [0.0, 10.0])
>>> bool(np.all(path[-1] == 0.0))
True
"""
from __future__ import annotations

import html
import io
import itertools

import numpy as np

__all__ = ["geometry_figure", "l1_l2_geometry_explorer", "l1_zero_points", "solution_path"]

W_STAR = (2.0, 1.0)
H = ((1.0, 0.4), (0.4, 0.6))
LAM_MAX = 3.0

_OKABE_ITO = {"orange": "#E69F00", "sky": "#56B4E9", "green": "#009E73", "blue": "#0072B2",
              "vermillion": "#D55E00", "purple": "#CC79A7", "black": "#000000"}
_COLORS = {"L1": _OKABE_ITO["vermillion"], "L2": _OKABE_ITO["blue"]}
_LINES = {"L1": "-", "L2": "--"}
_FIGSIZE = (10.5, 4.2)
_DPI = 80


def _problem(w_star, h):
    w_star = np.asarray(w_star, dtype=float)
    h = np.asarray(h, dtype=float)
    if w_star.shape != (2,):
        raise ValueError(f"w_star must hold two weights, but has shape {w_star.shape}")
    if h.shape != (2, 2) or not np.allclose(h, h.T):
        raise ValueError("H must be a symmetric 2x2 matrix")
    if np.linalg.eigvalsh(h).min() <= 0:
        raise ValueError("H must be positive definite (a bowl-shaped loss)")
    return w_star, h


def _objective(w, lam, w_star, h, penalty):
    d = w - w_star
    data = 0.5 * d @ h @ d
    return data + (lam * np.abs(w).sum() if penalty == "L1" else 0.5 * lam * w @ w)


def _l1_minimiser(lam, w_star, h):
    """The exact minimiser of the L1-penalised quadratic.

    The minimiser has some support S (its non-zero weights) with signs s,
    and on S it solves ``H_SS w_S = (H w_star)_S - lam s``. Every (S, s)
    whose solution has the assumed signs is a candidate; the true minimiser
    is one of them, so the candidate with the lowest objective is it.
    """
    hw = h @ w_star
    best, best_value = np.zeros(2), _objective(np.zeros(2), lam, w_star, h, "L1")
    for support in ([0], [1], [0, 1]):
        for signs in itertools.product((-1.0, 1.0), repeat=len(support)):
            s = np.array(signs)
            w_s = np.linalg.solve(h[np.ix_(support, support)], hw[support] - lam * s)
            if np.any(np.sign(w_s) != s):
                continue
            w = np.zeros(2)
            w[support] = w_s
            value = _objective(w, lam, w_star, h, "L1")
            if value < best_value:
                best, best_value = w, value
    return best


def solution_path(penalty, lams, w_star=W_STAR, h=H):
    """The minimiser of ``1/2 (w - w_star)^T H (w - w_star) + penalty`` for each ``lam``.

    Parameters
    ----------
    penalty : {"L1", "L2"}
        ``lam * sum |w|`` or ``lam/2 * sum w^2``.
    lams : array_like of float
        Penalty strengths, each ``>= 0``.
    w_star : array_like of shape (2,)
        The unpenalised minimum.
    h : array_like of shape (2, 2)
        The loss's curvature, symmetric positive definite.

    Returns
    -------
    numpy.ndarray of shape (len(lams), 2)
        The minimiser for each strength.

    Raises
    ------
    ValueError
        For an unknown penalty, a negative strength or a bad ``w_star``/``h``.

    Examples
    --------
    >>> solution_path("L2", [0.0], w_star=(1.0, 2.0), h=np.eye(2))
    array([[1., 2.]])
    """
    if penalty not in ("L1", "L2"):
        raise ValueError(f"penalty must be 'L1' or 'L2', but got {penalty!r}")
    w_star, h = _problem(w_star, h)
    lams = np.atleast_1d(np.asarray(lams, dtype=float))
    if np.any(~np.isfinite(lams)) or np.any(lams < 0):
        raise ValueError("every lam must be a finite number >= 0")
    if penalty == "L2":
        return np.array([np.linalg.solve(h + lam * np.eye(2), h @ w_star) for lam in lams])
    return np.array([_l1_minimiser(lam, w_star, h) for lam in lams])


def l1_zero_points(w_star=W_STAR, h=H):
    """The smallest ``lam`` from which on each L1 weight stays exactly 0.

    A grid of 241 strengths up to ``max |H w_star|`` (beyond it the whole
    solution is 0) finds the last grid point where the weight is not 0; 50
    bisection steps between it and the next grid point then pin the zero
    point down as far as float64 allows: near a zero point the candidates'
    objectives differ by about the square of the vanishing weight, so the
    result is good to about 1e-7.

    Returns
    -------
    tuple of float
        One strength per weight.

    Examples
    --------
    >>> [round(v, 4) for v in l1_zero_points()]
    [2.4, 0.7333]
    """
    w_star, h = _problem(w_star, h)
    top = float(np.abs(h @ w_star).max())
    lams = np.linspace(0.0, top, 241)
    path = solution_path("L1", lams, w_star, h)
    points = []
    for j in range(2):
        nonzero = np.nonzero(path[:, j] != 0.0)[0]
        if not len(nonzero):
            points.append(0.0)
            continue
        low, high = lams[nonzero[-1]], lams[min(nonzero[-1] + 1, len(lams) - 1)]
        for _ in range(50):
            middle = (low + high) / 2
            if _l1_minimiser(middle, w_star, h)[j] != 0.0:
                low = middle
            else:
                high = middle
        points.append(float(high))
    return tuple(points)


def _draw(lam, w_star=W_STAR, h=H):
    from matplotlib.figure import Figure

    w_star, h = _problem(w_star, h)
    lams = np.linspace(0.0, LAM_MAX, 151)
    paths = {p: solution_path(p, lams, w_star, h) for p in ("L1", "L2")}
    now = {p: solution_path(p, [lam], w_star, h)[0] for p in ("L1", "L2")}

    fig = Figure(figsize=_FIGSIZE, dpi=_DPI)
    fig.subplots_adjust(left=0.06, right=0.985, bottom=0.13, top=0.9, wspace=0.25)
    left, right = fig.subplots(1, 2)

    g = np.linspace(-1.0, 2.8, 120)
    gx, gy = np.meshgrid(g, g)
    d = np.stack([gx - w_star[0], gy - w_star[1]], axis=-1)
    loss = 0.5 * np.einsum("...i,ij,...j->...", d, h, d)
    left.contour(gx, gy, loss, levels=[0.05, 0.2, 0.5, 1.0, 1.8, 2.8], colors=_OKABE_ITO["black"],
                 linewidths=0.6, linestyles=":")
    theta = np.linspace(0, 2 * np.pi, 200)
    r1 = np.abs(now["L1"]).sum()
    left.plot(r1 * np.array([1, 0, -1, 0, 1]), r1 * np.array([0, 1, 0, -1, 0]),
              color=_COLORS["L1"], linestyle="-", linewidth=1, alpha=0.6)
    r2 = np.hypot(*now["L2"])
    left.plot(r2 * np.cos(theta), r2 * np.sin(theta), color=_COLORS["L2"], linestyle="--",
              linewidth=1, alpha=0.6)
    for p, marker in (("L1", "o"), ("L2", "s")):
        left.plot(paths[p][:, 0], paths[p][:, 1], color=_COLORS[p], linestyle=_LINES[p],
                  linewidth=2, label=f"{p} path, λ from 0 to {LAM_MAX:g}")
        left.plot(*now[p], marker=marker, color=_COLORS[p], markersize=9, linestyle="none")
    left.plot(*w_star, marker="*", color=_OKABE_ITO["black"], markersize=12, linestyle="none",
              label="w* (no penalty)")
    left.axhline(0, color=_OKABE_ITO["black"], linewidth=0.8)
    left.axvline(0, color=_OKABE_ITO["black"], linewidth=0.8)
    left.set(xlim=(-1.0, 2.8), ylim=(-1.0, 2.8), xlabel="w1", ylabel="w2", aspect="equal",
             title=f"Loss contours and the solutions at λ = {lam:.2f}")
    left.legend(loc="lower right", fontsize=9)

    for p in ("L1", "L2"):
        for j, width in ((0, 2.2), (1, 1.2)):
            right.plot(lams, paths[p][:, j], color=_COLORS[p], linestyle=_LINES[p],
                       linewidth=width, label=f"{p}: w{j + 1}")
    right.axvline(lam, color=_OKABE_ITO["black"], linestyle="-.", linewidth=1)
    right.axhline(0, color=_OKABE_ITO["black"], linewidth=0.8)
    right.set(xlabel="λ", ylabel="weight", title="Each weight as λ grows", xlim=(0, LAM_MAX))
    right.legend(fontsize=9)
    for ax in (left, right):
        ax.grid(alpha=0.3)
    return fig, now


def geometry_figure(lam=0.8, w_star=W_STAR, h=H):
    """The explorer's figure at ``lam``, as PNG bytes (the still for readers without a kernel).

    Examples
    --------
    >>> geometry_figure(0.8)[:4]  # doctest: +SKIP
    b'\\x89PNG'
    """
    fig, _ = _draw(lam, w_star, h)
    buffer = io.BytesIO()
    fig.savefig(buffer, format="png", dpi=_DPI)
    return buffer.getvalue()


def _describe(now, lam, zeros):
    rows = [f"<tr><td style='padding:2px 12px'>{p}</td>"
            f"<td style='padding:2px 12px'>w = ({w[0]:.3f}, {w[1]:.3f})</td>"
            f"<td style='padding:2px 12px'>{int(np.sum(w == 0.0))} weight(s) exactly 0</td></tr>"
            for p, w in now.items()]
    note = (f"L1 sets w2 to 0 from λ ≈ {zeros[1]:.2f} and w1 from λ ≈ {zeros[0]:.2f}; "
            "L2 never reaches 0.")
    return (f"<b>λ = {lam:.2f}</b><table style='font-size:13px'>{''.join(rows)}</table>"
            f"<i>{html.escape(note)}</i>")


def l1_l2_geometry_explorer(lam=0.8, question=""):
    """Slide λ and watch the L1 and L2 solutions move towards the origin.

    Parameters
    ----------
    lam : float, default 0.8
        The starting penalty strength, in ``[0, 3]``.
    question : str
        A question to predict, shown above the slider.

    Returns
    -------
    ipywidgets.VBox
        With ``box.controls`` (``{"lam": slider}``), ``box.readout`` (the
        numbers), ``box.image`` (the PNG) and ``box.update()``.

    Examples
    --------
    >>> box = l1_l2_geometry_explorer(0.5)          # doctest: +SKIP
    >>> box.controls["lam"].value = 2.0; box.update()  # doctest: +SKIP
    """
    import ipywidgets as widgets

    if not 0 <= lam <= LAM_MAX:
        raise ValueError(f"lam must be in [0, {LAM_MAX:g}], but got {lam}")
    slider = widgets.FloatSlider(value=lam, min=0.0, max=LAM_MAX, step=0.05, description="λ",
                                 continuous_update=False, readout_format=".2f",
                                 layout=widgets.Layout(width="360px"))
    readout = widgets.HTML()
    image = widgets.Image(format="png", layout=widgets.Layout(max_width="100%", height="auto"))
    zeros = l1_zero_points()

    def update():
        fig, now = _draw(slider.value)
        buffer = io.BytesIO()
        fig.savefig(buffer, format="png", dpi=_DPI)
        image.value = buffer.getvalue()
        readout.value = _describe(now, slider.value, zeros)

    # No try/except: an error in a redraw must reach whoever moved the slider.
    slider.observe(lambda change: update(), names="value")
    rows = [widgets.HTML(f"<i>{html.escape(question)}</i>")] if question else []
    box = widgets.VBox([*rows, slider, readout, image])
    box.controls, box.readout, box.image, box.update = {"lam": slider}, readout, image, update
    update()
    return box
