"""Grid against random search, and learning-rate sweeps, for chapter ``13-hyperparameter-tuning``.

Two explorers:

* :func:`grid_random_explorer` shows Bergstra and Bengio's (2012) argument on
  a score that depends on one hyper-parameter (``x``, with a narrow peak)
  and hardly at all on the other (``y``). A ``side x side`` grid tries only
  ``side`` distinct values of ``x``; the same budget of random points tries
  ``side**2`` of them, so it gets closer to the peak;
* :func:`lr_sweep_explorer` sweeps the learning rate on a log scale
  (softmax regression on scikit-learn's digits, full-batch gradient
  descent) and flags a best value on the border of the range: the best
  learning rate may lie outside it, so the range must be extended.

Both follow :mod:`anncourse.explorers.losses`: a bare matplotlib ``Figure``
drawn into an ``ipywidgets.Image``; matplotlib, ipywidgets and scikit-learn
are imported only when they are needed.

Examples
--------
>>> run = grid_vs_random(side=3, seed=0)
>>> run["grid"]["distinct_x"], run["random"]["distinct_x"]
(3, 9)
"""
from __future__ import annotations

import functools
import html
import io

import numpy as np

__all__ = ["grid_random_explorer", "grid_random_figure", "grid_vs_random", "lr_sweep",
           "lr_sweep_explorer", "lr_sweep_figure", "score_surface"]

_OKABE_ITO = {"orange": "#E69F00", "sky": "#56B4E9", "green": "#009E73", "blue": "#0072B2",
              "vermillion": "#D55E00", "purple": "#CC79A7", "black": "#000000"}
_GRID = _OKABE_ITO["blue"]
_RANDOM = _OKABE_ITO["vermillion"]
_FIGSIZE = (10.5, 4.2)
_DPI = 80

# The important hyper-parameter's peak: narrow enough that a coarse grid misses it.
# 0.725 lies between the grid lines (i + 0.5) / side of every side from 2 to 8.
PEAK, WIDTH = 0.725, 0.03
SIDES = (2, 8)


def score_surface(x, y):
    """The score of the setting ``(x, y)`` in ``[0, 1]^2``: ``x`` matters, ``y`` hardly.

    ``exp(-((x - 0.725) / 0.03)^2 / 2) + 0.02 * sin(2 pi y)``: a narrow peak
    in ``x``; ``y`` moves the score by at most 0.02.

    Examples
    --------
    >>> round(float(score_surface(0.725, 0.0)), 6)
    1.0
    """
    x, y = np.asarray(x, dtype=float), np.asarray(y, dtype=float)
    return np.exp(-0.5 * ((x - PEAK) / WIDTH) ** 2) + 0.02 * np.sin(2 * np.pi * y)


def _check_side(side):
    if isinstance(side, bool) or not isinstance(side, (int, np.integer)) \
            or not SIDES[0] <= side <= SIDES[1]:
        raise ValueError(f"side must be an integer from {SIDES[0]} to {SIDES[1]}, got {side!r}")
    return int(side)


def grid_vs_random(side=3, seed=0):
    """A grid search and a random search with the same budget ``side**2`` on :func:`score_surface`.

    The grid puts ``side`` values per hyper-parameter at the centres of
    ``side`` equal cells of ``[0, 1]`` (``(i + 0.5) / side``); the random
    search draws ``side**2`` points uniformly (``numpy.random.default_rng(seed)``).

    Parameters
    ----------
    side : int
        Values per hyper-parameter in the grid, from 2 to 8.
    seed : int
        Seed of the random search.

    Returns
    -------
    dict
        ``{"grid": ..., "random": ...}``, each a dict with ``"points"`` (an
        ``(n, 2)`` array), ``"scores"``, ``"distinct_x"`` (how many distinct
        values of the important hyper-parameter were tried), ``"best"``
        (the best point) and ``"best_score"``.

    Raises
    ------
    ValueError
        If ``side`` is out of range.

    Examples
    --------
    >>> run = grid_vs_random(side=4, seed=1)
    >>> len(run["grid"]["points"]) == len(run["random"]["points"]) == 16
    True
    """
    side = _check_side(side)
    values = (np.arange(side) + 0.5) / side
    gx, gy = np.meshgrid(values, values, indexing="ij")
    grid = np.column_stack([gx.ravel(), gy.ravel()])
    random = np.random.default_rng(seed).uniform(size=(side * side, 2))
    out = {}
    for name, points in (("grid", grid), ("random", random)):
        scores = score_surface(points[:, 0], points[:, 1])
        best = int(np.argmax(scores))
        out[name] = {"points": points, "scores": scores,
                     "distinct_x": int(len(np.unique(points[:, 0]))),
                     "best": points[best], "best_score": float(scores[best])}
    return out


def _draw_grid_random(side, seed):
    from matplotlib.figure import Figure

    run = grid_vs_random(side, seed)
    fig = Figure(figsize=_FIGSIZE, dpi=_DPI)
    fig.subplots_adjust(left=0.07, right=0.985, bottom=0.13, top=0.9, wspace=0.25)
    left, right = fig.subplots(1, 2)
    g = np.linspace(0, 1, 121)
    gx, gy = np.meshgrid(g, g)
    left.contour(gx, gy, score_surface(gx, gy), levels=[0.1, 0.3, 0.5, 0.7, 0.9],
                 colors=_OKABE_ITO["black"], linewidths=0.7, linestyles=":")
    styles = {"grid": (_GRID, "s", "--"), "random": (_RANDOM, "o", "-")}
    for name, (color, marker, _) in styles.items():
        pts = run[name]["points"]
        left.plot(pts[:, 0], pts[:, 1], marker=marker, color=color, linestyle="none",
                  markersize=7, fillstyle="none" if name == "grid" else "full",
                  label=f"{name}: {run[name]['distinct_x']} distinct x")
    left.axvline(PEAK, color=_OKABE_ITO["green"], linestyle="-.", linewidth=1.2,
                 label="the peak of x")
    left.set(xlim=(0, 1), ylim=(0, 1), xlabel="x (important)", ylabel="y (unimportant)",
             title=f"Budget {side * side}: {side}x{side} grid against {side * side} random points")
    left.legend(loc="upper left", fontsize=8, framealpha=0.9)

    right.plot(g, score_surface(g, 0.0), color=_OKABE_ITO["black"], linewidth=1.5,
               label="score against x (y = 0)")
    for name, (color, marker, line) in styles.items():
        pts, scores = run[name]["points"], run[name]["scores"]
        right.plot(pts[:, 0], scores, marker=marker, color=color, linestyle="none",
                   fillstyle="none" if name == "grid" else "full", markersize=7,
                   label=f"{name}: best {run[name]['best_score']:.3f}")
        right.axhline(run[name]["best_score"], color=color, linestyle=line, linewidth=1.2)
    right.set(xlim=(0, 1), ylim=(-0.05, 1.08), xlabel="x (important)", ylabel="score",
              title="What each search learns about x")
    right.legend(loc="upper left", fontsize=8, framealpha=0.9)
    for ax in (left, right):
        ax.grid(alpha=0.3)
    return fig, run


def _png(fig):
    buffer = io.BytesIO()
    fig.savefig(buffer, format="png", dpi=_DPI)
    return buffer.getvalue()


def grid_random_figure(side=3, seed=0):
    """The grid-against-random explorer's figure, as PNG bytes (the still)."""
    return _png(_draw_grid_random(side, seed)[0])


def _describe_grid_random(run, side):
    rows = "".join(
        f"<tr><td style='padding:2px 12px'>{name}</td>"
        f"<td style='padding:2px 12px'>{run[name]['distinct_x']} distinct values of x</td>"
        f"<td style='padding:2px 12px'>best x = {run[name]['best'][0]:.3f}</td>"
        f"<td style='padding:2px 12px'>best score = {run[name]['best_score']:.3f}</td></tr>"
        for name in ("grid", "random"))
    return (f"<b>budget {side * side} trainings</b>, peak at x = {PEAK}"
            f"<table style='font-size:13px'>{rows}</table>")


def grid_random_explorer(side=3, seed=0, question=""):
    """Change the budget and the random seed; compare what grid and random search find.

    Parameters
    ----------
    side : int, default 3
        Grid values per hyper-parameter (budget ``side**2``), 2 to 8.
    seed : int, default 0
        Seed of the random search, 0 to 50.
    question : str
        A question to predict, shown above the controls.

    Returns
    -------
    ipywidgets.VBox
        With ``box.controls`` (``{"side": ..., "seed": ...}``), ``box.readout``,
        ``box.image``, ``box.run`` (the latest :func:`grid_vs_random`) and
        ``box.update()``.
    """
    import ipywidgets as widgets

    side = _check_side(side)
    if not 0 <= seed <= 50:
        raise ValueError(f"seed must be from 0 to 50, got {seed}")
    controls = {
        "side": widgets.IntSlider(value=side, min=SIDES[0], max=SIDES[1], description="grid side",
                                  continuous_update=False),
        "seed": widgets.IntSlider(value=seed, min=0, max=50, description="random seed",
                                  continuous_update=False),
    }
    readout = widgets.HTML()
    image = widgets.Image(format="png", layout=widgets.Layout(max_width="100%", height="auto"))
    box = widgets.VBox()

    def update():
        fig, run = _draw_grid_random(controls["side"].value, controls["seed"].value)
        image.value = _png(fig)
        readout.value = _describe_grid_random(run, controls["side"].value)
        box.run = run

    # No try/except: an error in a redraw must reach whoever moved the slider.
    for control in controls.values():
        control.observe(lambda change: update(), names="value")
    rows = [widgets.HTML(f"<i>{html.escape(question)}</i>")] if question else []
    box.children = [*rows, widgets.HBox(list(controls.values())), readout, image]
    box.controls, box.readout, box.image, box.update = controls, readout, image, update
    update()
    return box


# --- learning-rate sweep ---------------------------------------------------------------

LOG_LR = (-3.0, 1.5)
STEPS = 30
WIDE_POINTS = 19


@functools.lru_cache(maxsize=1)
def _digits_split():
    """Digits scaled to [0, 1]: 400 training and 400 validation images, a fixed shuffle."""
    from sklearn.datasets import load_digits

    X, y = load_digits(return_X_y=True)
    order = np.random.default_rng(0).permutation(len(y))
    X, y = X[order] / 16.0, y[order]
    return X[:400], y[:400], X[400:800], y[400:800]


def _softmax_loss(X, y, W, b):
    z = X @ W + b
    z = z - z.max(axis=1, keepdims=True)
    log_p = z - np.log(np.exp(z).sum(axis=1, keepdims=True))
    return -float(log_p[np.arange(len(y)), y].mean()), np.exp(log_p)


@functools.lru_cache(maxsize=512)
def _final_val_loss(lr, steps):
    X, y, X_val, y_val = _digits_split()
    W, b = np.zeros((64, 10)), np.zeros(10)
    onehot = np.eye(10)[y]
    with np.errstate(all="ignore"):
        for _ in range(steps):
            _, p = _softmax_loss(X, y, W, b)
            grad = (p - onehot) / len(y)
            W, b = W - lr * (X.T @ grad), b - lr * grad.sum(axis=0)
        loss, _ = _softmax_loss(X_val, y_val, W, b)
    return loss if np.isfinite(loss) else float("inf")


def lr_sweep(log_low=-3.0, log_high=-1.0, points=7, steps=STEPS):
    """Validation loss after ``steps`` of gradient descent, for learning rates on a log grid.

    The model is softmax regression (64 pixels to 10 classes, zero
    start) trained by full-batch gradient descent on 400 digits and scored
    on 400 others (cross-entropy). The learning rates are
    ``np.logspace(log_low, log_high, points)``.

    Parameters
    ----------
    log_low, log_high : float
        The range's ends as powers of ten, ``log_low < log_high``.
    points : int
        Learning rates tried, at least 2.
    steps : int
        Gradient-descent steps per learning rate.

    Returns
    -------
    dict
        ``"lr"`` and ``"val_loss"`` (arrays; ``inf`` for a run that
        diverged), ``"best"`` (the index of the lowest loss) and
        ``"edge"``: ``"low"`` or ``"high"`` if the best learning rate is the
        first or the last of the range, else ``None``.

    Examples
    --------
    >>> sweep = lr_sweep(-3, -2, points=3)
    >>> sweep["edge"]
    'high'
    """
    if not log_low < log_high:
        raise ValueError(f"need log_low < log_high, got {log_low} and {log_high}")
    if isinstance(points, bool) or not isinstance(points, (int, np.integer)) or points < 2:
        raise ValueError(f"points must be an integer of at least 2, got {points!r}")
    lrs = np.logspace(log_low, log_high, int(points))
    losses = np.array([_final_val_loss(float(lr), int(steps)) for lr in lrs])
    best = int(np.argmin(losses))
    edge = "low" if best == 0 else "high" if best == len(lrs) - 1 else None
    return {"lr": lrs, "val_loss": losses, "best": best, "edge": edge}


def _edge_message(sweep):
    lr = sweep["lr"][sweep["best"]]
    if sweep["edge"] == "high":
        return (f"The best learning rate, {lr:.3g}, is the LARGEST tried: a larger one may be "
                "better. Extend the range upwards before you trust it.")
    if sweep["edge"] == "low":
        return (f"The best learning rate, {lr:.3g}, is the SMALLEST tried: a smaller one may be "
                "better. Extend the range downwards before you trust it.")
    return f"The best learning rate, {lr:.3g}, is inside the range, with worse values on both sides."


def _draw_sweep(log_low, log_high, points):
    from matplotlib.figure import Figure

    sweep = lr_sweep(log_low, log_high, points)
    wide = lr_sweep(*LOG_LR, points=WIDE_POINTS)
    fig = Figure(figsize=_FIGSIZE, dpi=_DPI)
    fig.subplots_adjust(left=0.08, right=0.985, bottom=0.13, top=0.9)
    ax = fig.subplots()
    finite = np.isfinite(wide["val_loss"])
    ax.plot(wide["lr"][finite], wide["val_loss"][finite], color=_OKABE_ITO["black"],
            linestyle=":", linewidth=1.2, label=f"the whole picture ({WIDE_POINTS} learning rates)")
    ax.axvspan(10.0 ** log_low, 10.0 ** log_high, color=_OKABE_ITO["sky"], alpha=0.2,
               label="the range swept")
    ok = np.isfinite(sweep["val_loss"])
    ax.plot(sweep["lr"][ok], sweep["val_loss"][ok], color=_OKABE_ITO["blue"], marker="o",
            linestyle="-", linewidth=2, label=f"the sweep ({points} learning rates)")
    top = float(np.nanmax(wide["val_loss"][finite])) * 1.05
    if (~ok).any():
        ax.plot(sweep["lr"][~ok], np.full((~ok).sum(), top), color=_OKABE_ITO["vermillion"],
                marker="x", linestyle="none", markersize=9, label="diverged")
    best = sweep["best"]
    color = _OKABE_ITO["vermillion"] if sweep["edge"] else _OKABE_ITO["green"]
    ax.plot(sweep["lr"][best], sweep["val_loss"][best], marker="*", markersize=18, color=color,
            linestyle="none", label="best: ON THE EDGE" if sweep["edge"] else "best: inside")
    ax.set(xscale="log", xlabel="learning rate (log scale)",
           ylabel=f"validation loss after {STEPS} steps", ylim=(0, top * 1.05),
           title="A learning-rate sweep: softmax regression on digits")
    ax.grid(alpha=0.3, which="both")
    ax.legend(loc="lower left", fontsize=9)
    return fig, sweep


def lr_sweep_figure(log_low=-3.0, log_high=-1.0, points=7):
    """The sweep explorer's figure, as PNG bytes (the still)."""
    return _png(_draw_sweep(log_low, log_high, points)[0])


def lr_sweep_explorer(log_low=-3.0, log_high=-1.0, points=7, question=""):
    """Choose the range and the number of learning rates; see where the best one falls.

    Parameters
    ----------
    log_low, log_high : float
        The range's ends as powers of ten, within ``[-3, 1.5]``.
    points : int
        Learning rates in the sweep, 2 to 15.
    question : str
        A question to predict, shown above the controls.

    Returns
    -------
    ipywidgets.VBox
        With ``box.controls`` (``{"range": ..., "points": ...}``),
        ``box.readout``, ``box.image``, ``box.sweep`` (the latest
        :func:`lr_sweep`) and ``box.update()``.
    """
    import ipywidgets as widgets

    if not LOG_LR[0] <= log_low < log_high <= LOG_LR[1]:
        raise ValueError(f"need {LOG_LR[0]} <= log_low < log_high <= {LOG_LR[1]}, got "
                         f"{log_low} and {log_high}")
    if not 2 <= points <= 15:
        raise ValueError(f"points must be from 2 to 15, got {points}")
    controls = {
        "range": widgets.FloatRangeSlider(value=(log_low, log_high), min=LOG_LR[0], max=LOG_LR[1],
                                          step=0.25, description="log10 lr",
                                          continuous_update=False, readout_format=".2f",
                                          layout=widgets.Layout(width="420px")),
        "points": widgets.IntSlider(value=points, min=2, max=15, description="points",
                                    continuous_update=False),
    }
    readout = widgets.HTML()
    image = widgets.Image(format="png", layout=widgets.Layout(max_width="100%", height="auto"))
    box = widgets.VBox()

    def update():
        low, high = controls["range"].value
        if not low < high:  # the two handles on one value: widen by one step
            high = min(low + 0.25, LOG_LR[1])
            low = high - 0.25
        fig, sweep = _draw_sweep(low, high, controls["points"].value)
        image.value = _png(fig)
        message = _edge_message(sweep)
        colour = _OKABE_ITO["vermillion"] if sweep["edge"] else _OKABE_ITO["green"]
        readout.value = (f"<b style='color:{colour}'>{html.escape(message)}</b>"
                         f"<br>validation loss: " + ", ".join(
                             f"{lr:.3g}: {loss:.3f}" if np.isfinite(loss) else f"{lr:.3g}: diverged"
                             for lr, loss in zip(sweep["lr"], sweep["val_loss"])))
        box.sweep = sweep

    for control in controls.values():
        control.observe(lambda change: update(), names="value")
    rows = [widgets.HTML(f"<i>{html.escape(question)}</i>")] if question else []
    box.children = [*rows, widgets.HBox(list(controls.values())), readout, image]
    box.controls, box.readout, box.image, box.update = controls, readout, image, update
    update()
    return box
