"""Interactive explorers for the cost-functions chapter (``08-cost-functions``).

* :func:`outlier_explorer` -- ten points and one outlier moved with two
  sliders (its position and its height): the best constant, or the best
  line, under the MSE, the MAE and the Huber loss, side by side, and how far
  the outlier drags each of them as it rises;
* :func:`loss_metric_explorer` -- a one-input logistic model on a small
  data set: along its weight ``w`` the accuracy moves in steps (flat
  almost everywhere, so its gradient is useless) while the binary
  cross-entropy changes smoothly.

The fits are exact minimisers, not a few steps of gradient descent:
:func:`best_fit` uses the mean and least squares for the MSE; the median
and, for a line, the best line through two of the points for the MAE (an
L1 regression line always passes through two data points, so trying every
pair finds the optimum); and for the Huber loss the exact minimiser of a
convex cost that is piecewise quadratic: the zero of its piecewise-linear
derivative for a constant, and for a line the best of the minimisers along
each line ``r_i = +-delta`` and of Newton's method, which ends exactly on
the minimiser once the points within ``delta`` are known.

The widget mechanics (controls, readout, PNG image, ``box.update``) are
those of :mod:`anncourse.explorers.losses`; matplotlib and ipywidgets are
imported only when an explorer is built.

Examples
--------
>>> import numpy as np
>>> x, y = np.array([0.0, 1.0, 2.0, 3.0]), np.array([1.0, 2.0, 3.0, 30.0])
>>> [round(best_fit(x, y, loss, "constant")[1], 3) for loss in ("mse", "mae")]
[9.0, 2.5]
>>> w, b = best_fit(x, y, "mae", "line")
>>> round(w, 3), round(b, 3)
(1.0, 1.0)
"""
from __future__ import annotations

import itertools

import numpy as np

from .. import activations, losses
from .losses import _LABEL_SIZE, _OKABE_ITO, _TITLE_SIZE, _Explorer, _figure, _fmt, _slider, _table, _toggle

__all__ = ["LOSSES", "MODELS", "best_fit", "fit_cost", "loss_metric_curves", "loss_metric_explorer",
           "one_input_data", "outlier_explorer"]

LOSSES = ("mse", "mae", "huber")
MODELS = ("constant", "line")
_NAMES = {"mse": "MSE (mean)", "mae": "MAE (median)", "huber": "Huber"}
_COLORS = {"mse": _OKABE_ITO["blue"], "mae": _OKABE_ITO["orange"], "huber": _OKABE_ITO["green"],
           "outlier": _OKABE_ITO["vermillion"], "clean": _OKABE_ITO["grey"],
           "bce": _OKABE_ITO["blue"], "accuracy": _OKABE_ITO["orange"], "model": _OKABE_ITO["sky"],
           "class1": _OKABE_ITO["blue"], "class0": _OKABE_ITO["orange"]}
_LINES = {"mse": "-", "mae": "--", "huber": "-.", "clean": ":", "bce": "-", "accuracy": "--"}


def _check(loss, model):
    if loss not in LOSSES:
        raise ValueError(f"loss must be one of {', '.join(LOSSES)}, not {loss!r}")
    if model not in MODELS:
        raise ValueError(f"model must be one of {', '.join(MODELS)}, not {model!r}")


def fit_cost(x, y, w, b, loss, delta=1.0) -> float:
    """The cost (mean over the points) of the prediction ``w * x + b`` under ``loss``."""
    _check(loss, "line")
    x, y = np.asarray(x, dtype=float), np.asarray(y, dtype=float)
    prediction = w * x + b
    if loss == "huber":
        return float(losses.huber(y, prediction, delta=delta))
    return float(getattr(losses, loss)(y, prediction))


def _huber_cost(design, y, theta, delta):
    r = np.abs(y - design @ theta)
    return float(np.sum(np.where(r <= delta, 0.5 * r**2, delta * (r - 0.5 * delta))))


def _huber_along(design, y, delta, theta0, u):
    """The exact minimiser of the Huber cost on the line ``theta0 + t * u``; returns that point.

    Along the line the residuals are ``r0 - t * a`` with ``a = design @ u``, and
    the cost's derivative ``-sum a * clip(r0 - t * a, -delta, delta)`` is
    continuous, non-decreasing and linear between the breakpoints where a
    residual crosses ``+-delta``: its zero is found by evaluating it at the
    breakpoints and interpolating on the one segment where it changes sign.
    """
    r0, a = y - design @ theta0, design @ u
    # a residual whose rate is rounding noise (or a subnormal x) stays put: dividing by it overflows
    moving = np.abs(a) > 1e-12 * np.abs(a).max(initial=0.0)
    if not moving.any():
        return theta0  # the cost does not change along this line
    breaks = np.unique(np.concatenate([(r0[moving] - delta) / a[moving],
                                       (r0[moving] + delta) / a[moving]]))
    slope = -(np.clip(r0[None, :] - breaks[:, None] * a[None, :], -delta, delta) @ a)
    k = int(np.argmax(slope >= 0))  # far right every residual is beyond delta, so slope > 0 there
    if k == 0 or slope[k] == slope[k - 1]:
        return theta0 + breaks[k] * u
    t = breaks[k - 1] - slope[k - 1] * (breaks[k] - breaks[k - 1]) / (slope[k] - slope[k - 1])
    return theta0 + t * u


def _huber_line(design, y, delta):
    """The line with the lowest Huber cost, exactly.

    The cost is convex and, on each cell of the plane cut by the lines
    ``r_i = +-delta``, quadratic.  Its minimiser lies either on one of those
    lines (found exactly by :func:`_huber_along`), or inside a cell where
    the points within ``delta`` give a full-rank quadratic; Newton's method
    from each candidate finds the second kind, since a full step lands on
    the minimiser of the current cell.  The best candidate is returned.
    """
    candidates = []
    for i, row in enumerate(design):
        for side in (-delta, delta):
            # on r_i = side: theta0 on that line, moving along the direction that keeps r_i fixed
            theta0 = row * (y[i] - side) / (row @ row)
            candidates.append(_huber_along(design, y, delta, theta0, np.array([-row[1], row[0]])))
    start, *_ = np.linalg.lstsq(design, y, rcond=None)
    candidates.append(_huber_newton(design, y, delta, start))
    best = min(candidates, key=lambda theta: _huber_cost(design, y, theta, delta))
    return _huber_newton(design, y, delta, best)


def _huber_newton(design, y, delta, theta, steps=100):
    """Newton steps on the Huber cost, which is quadratic once the points within ``delta`` are known.

    With ``I`` those points, the gradient is ``-D^T clip(r, -delta, delta)``
    and the Hessian ``D_I^T D_I``; when no point changes side, the full step
    lands on the minimiser.  Where fewer points lie within ``delta`` than
    the Hessian needs, it takes a reweighted least-squares step instead.
    Steps are halved while they would raise the cost, so it never ends
    worse than it starts.
    """
    theta = np.asarray(theta, dtype=float)
    cost = _huber_cost(design, y, theta, delta)
    for _ in range(steps):
        residual = y - design @ theta
        # a point on the border |r| = delta (up to rounding) belongs to both pieces: count it in
        inside = np.abs(residual) <= delta * (1 + 1e-9)
        hessian = design[inside].T @ design[inside]
        if np.linalg.matrix_rank(hessian) == design.shape[1]:
            step = np.linalg.solve(hessian, design.T @ np.clip(residual, -delta, delta))
        else:
            # too few points within delta for a Newton step: a reweighted least-squares step
            # (weight delta / |r| beyond delta), which minimises a quadratic lying above the cost
            root = np.sqrt(np.where(inside, 1.0, delta / np.maximum(np.abs(residual), 1e-300)))
            step, *_ = np.linalg.lstsq(design * root[:, None], residual * root, rcond=None)
        t = 1.0
        while t > 1e-12:
            new_cost = _huber_cost(design, y, theta + t * step, delta)
            if new_cost <= cost:
                break
            t /= 2
        else:
            break  # rounding: no step lowers the cost any more
        if t == 1.0 and np.array_equal(np.abs(y - design @ (theta + step)) <= delta * (1 + 1e-9),
                                       inside):
            return theta + step
        if np.allclose(t * step, 0.0, rtol=0.0, atol=1e-15 * (1.0 + np.abs(theta).max())):
            break
        theta, cost = theta + t * step, new_cost
    return theta


def best_fit(x, y, loss, model, delta=1.0) -> tuple[float, float]:
    """The constant or line ``w * x + b`` with the lowest cost under ``loss``; returns ``(w, b)``.

    Parameters
    ----------
    x, y : array_like
        The points (1-D, the same length, at least two distinct ``x`` for a line).
    loss : {"mse", "mae", "huber"}
        The cost to minimise (the mean over the points).
    model : {"constant", "line"}
        A constant ``b`` (then ``w = 0``) or a line.
    delta : float, default 1.0
        Huber's threshold.

    Returns
    -------
    tuple of float
        ``(w, b)``.  For the MAE with an even number of points the best
        constant is not unique; this returns the median (the midpoint of
        the two middle values), one of the minimisers.

    Raises
    ------
    ValueError
        For an unknown loss or model, or points that do not define a line.
    """
    _check(loss, model)
    x, y = np.asarray(x, dtype=float), np.asarray(y, dtype=float)
    if x.shape != y.shape or x.ndim != 1 or x.size == 0:
        raise ValueError("x and y must be 1-D, non-empty and the same length")
    if model == "constant":
        if loss == "mse":
            return 0.0, float(np.mean(y))
        if loss == "mae":
            return 0.0, float(np.median(y))
        # a constant is a line in one dimension: the exact minimiser along b
        (b,) = _huber_along(np.ones((len(y), 1)), y, delta, np.zeros(1), np.ones(1))
        return 0.0, float(b)
    if np.ptp(x) == 0:
        raise ValueError("a line needs at least two distinct x")
    design = np.column_stack([x, np.ones_like(x)])
    if loss == "mse":
        (w, b), *_ = np.linalg.lstsq(design, y, rcond=None)
        return float(w), float(b)
    if loss == "huber":
        w, b = _huber_line(design, y, delta)
        return float(w), float(b)
    best = None
    for i, j in itertools.combinations(range(len(x)), 2):
        if abs(x[j] - x[i]) <= 1e-12 * np.ptp(x):
            continue  # (nearly) the same x: no line, or a slope that overflows
        w = (y[j] - y[i]) / (x[j] - x[i])
        b = y[i] - w * x[i]
        total = float(np.mean(np.abs(y - (w * x + b))))
        if best is None or total < best[0] - 1e-12:
            best = (total, float(w), float(b))
    return best[1], best[2]


# --- the draggable outlier ---------------------------------------------------------------

class OutlierExplorer(_Explorer):
    """Ten points near a line and one outlier; the best fits under MSE, MAE and Huber."""

    def __init__(self, outlier_x=1.5, outlier_y=3.0, model="constant", delta=1.0, seed=0):
        rng = np.random.default_rng(seed)
        self.x = np.linspace(-2.0, 2.0, 10)
        self.y = 0.8 * self.x + 1.0 + rng.normal(0.0, 0.3, size=10)
        self.heights = np.linspace(-6.0, 20.0, 27)  # steps of 1: enough for the shape, cheap to redraw
        controls = {
            "outlier_y": _slider(outlier_y, -6.0, 20.0, 0.5, "outlier's height y"),
            "outlier_x": _slider(outlier_x, -2.0, 2.0, 0.1, "outlier's position x"),
            "model": _toggle([("constant", "constant"), ("line", "line")], model, "fit"),
            "delta": _slider(delta, 0.2, 3.0, 0.1, "Huber δ"),
        }
        super().__init__(controls, note="Ten points and one outlier (the diamond): move it with the "
                                        "two sliders and compare the three best fits.")

    def points(self, outlier_x, outlier_y):
        """All eleven points, the outlier last."""
        return np.append(self.x, outlier_x), np.append(self.y, outlier_y)

    def fits(self, outlier_x, outlier_y, model, delta):
        x, y = self.points(outlier_x, outlier_y)
        return {loss: best_fit(x, y, loss, model, delta) for loss in LOSSES}

    def clean_fits(self, model, delta):
        """The fits of the ten points without the outlier."""
        return {loss: best_fit(self.x, self.y, loss, model, delta) for loss in LOSSES}

    def drag(self, outlier_x, model, delta):
        """For each loss, the fit's prediction at the outlier's x as the outlier's height varies."""
        curves = {}
        for loss in LOSSES:
            values = []
            for height in self.heights:
                w, b = best_fit(*self.points(outlier_x, height), loss, model, delta)
                values.append(w * outlier_x + b)
            curves[loss] = np.array(values)
        return curves

    def draw(self, outlier_y, outlier_x, model, delta):
        fig, (ax_fit, ax_drag) = _figure()
        fits = self.fits(outlier_x, outlier_y, model, delta)
        grid = np.linspace(-2.3, 2.3, 50)
        ax_fit.scatter(self.x, self.y, color="k", s=30, zorder=3, label="the ten points")
        ax_fit.scatter([outlier_x], [outlier_y], color=_COLORS["outlier"], marker="D", s=90,
                       edgecolor="k", zorder=4, label="the outlier")
        for loss, (w, b) in fits.items():
            name = _NAMES[loss] if loss != "huber" else f"Huber, δ = {delta:.1f}"
            ax_fit.plot(grid, w * grid + b, color=_COLORS[loss], ls=_LINES[loss], lw=2.2, label=name)
        ax_fit.set_ylim(-6.5, 20.5)
        ax_fit.set_xlabel("x", fontsize=_LABEL_SIZE)
        ax_fit.set_ylabel("y", fontsize=_LABEL_SIZE)
        ax_fit.set_title(f"The best {model} under each loss", fontsize=_TITLE_SIZE)
        ax_fit.legend(fontsize=_LABEL_SIZE - 2, loc="upper left")

        drag = self.drag(outlier_x, model, delta)
        for loss in LOSSES:
            ax_drag.plot(self.heights, drag[loss], color=_COLORS[loss], ls=_LINES[loss], lw=2.2,
                         label=_NAMES[loss] if loss != "huber" else "Huber")
            w, b = fits[loss]
            ax_drag.plot([outlier_y], [w * outlier_x + b], "o", color=_COLORS[loss], ms=8, mec="k")
        ax_drag.axvline(outlier_y, color="k", lw=0.8, ls=":")
        ax_drag.set_xlabel("outlier's height y", fontsize=_LABEL_SIZE)
        where = "the constant" if model == "constant" else f"the line at x = {outlier_x:.1f}"
        ax_drag.set_ylabel(f"{where}", fontsize=_LABEL_SIZE)
        ax_drag.set_title("How far the outlier drags each fit", fontsize=_TITLE_SIZE)
        ax_drag.legend(fontsize=_LABEL_SIZE - 2, loc="upper left")
        return fig

    def describe(self, outlier_y, outlier_x, model, delta):
        fits = self.fits(outlier_x, outlier_y, model, delta)
        clean = self.clean_fits(model, delta)
        x, y = self.points(outlier_x, outlier_y)
        head = ["", "<b>MSE</b>", "<b>MAE</b>", f"<b>Huber (δ = {delta:.1f})</b>"]
        if model == "constant":
            rows = [["best constant", *(_fmt(fits[k][1]) for k in LOSSES)],
                    ["without the outlier", *(_fmt(clean[k][1]) for k in LOSSES)]]
        else:
            rows = [["best line", *(f"{_fmt(fits[k][0])}·x + {_fmt(fits[k][1])}" for k in LOSSES)],
                    ["without the outlier",
                     *(f"{_fmt(clean[k][0])}·x + {_fmt(clean[k][1])}" for k in LOSSES)]]
        rows.append(["its cost", *(_fmt(fit_cost(x, y, *fits[k], k, delta)) for k in LOSSES)])
        return _table([head, *rows])


def outlier_explorer(outlier_x=1.5, outlier_y=3.0, model="constant", delta=1.0):
    """Move an outlier and compare the best constant (or line) under MSE, MAE and Huber.

    Parameters
    ----------
    outlier_x : float, default 1.5
        The outlier's position, in [-2, 2].
    outlier_y : float, default 3.0
        The outlier's height, in [-6, 20].
    model : {"constant", "line"}, default "constant"
        Fit a constant or a line.
    delta : float, default 1.0
        Huber's threshold, in [0.2, 3].

    Returns
    -------
    ipywidgets.VBox
        The explorer (``box.controls``, ``box.readout``, ``box.image``,
        ``box.update()``, ``box.explorer``; see :mod:`anncourse.explorers.losses`).
    """
    _check("mse", model)
    return OutlierExplorer(outlier_x, outlier_y, model, delta).widget


# --- a loss is not a metric ---------------------------------------------------------------

def one_input_data(seed=3):
    """The loss-metric explorer's data: twenty points of two overlapping classes on a line.

    Ten of class 0 around x = -1 and ten of class 1 around x = +1 (standard
    deviation 1), drawn with ``seed``; returns ``(x, y)``.
    """
    rng = np.random.default_rng(seed)
    x = np.concatenate([rng.normal(-1.0, 1.0, 10), rng.normal(1.0, 1.0, 10)])
    y = np.concatenate([np.zeros(10), np.ones(10)])
    return x, y


def loss_metric_curves(x, y, ws, b):
    """The mean BCE and the accuracy of ``p = sigmoid(w x + b)`` for each weight in ``ws``.

    The model predicts class 1 when ``p >= 0.5``, that is when ``w x + b >= 0``.
    The BCE is computed from the logits (:func:`anncourse.losses.binary_cross_entropy_with_logits`),
    so it is finite for every weight.

    Returns
    -------
    tuple of numpy.ndarray
        ``(bce, accuracy)``, one entry per weight.

    Examples
    --------
    >>> bce, acc = loss_metric_curves([-1.0, 1.0], [0, 1], [0.0, 2.0], 0.0)
    >>> [round(float(v), 4) for v in bce], acc.tolist()
    ([0.6931, 0.1269], [0.5, 1.0])
    """
    x, y = np.asarray(x, dtype=float), np.asarray(y, dtype=float)
    ws = np.atleast_1d(np.asarray(ws, dtype=float))
    bce = np.array([float(losses.binary_cross_entropy_with_logits(y, w * x + b)) for w in ws])
    accuracy = np.array([float(np.mean(((w * x + b) >= 0) == (y == 1))) for w in ws])
    return bce, accuracy


class LossMetricExplorer(_Explorer):
    """A one-input logistic model: BCE and accuracy along its weight."""

    def __init__(self, w=0.5, b=1.0, seed=3):
        self.x, self.y = one_input_data(seed)
        self.ws = np.linspace(-2.0, 6.0, 401)
        controls = {"w": _slider(w, -2.0, 6.0, 0.05, "weight w"),
                    "b": _slider(b, -3.0, 3.0, 0.1, "bias b")}
        super().__init__(controls, note="p = sigmoid(w·x + b) predicts class 1 when p ≥ 0.5. "
                                        "Move w and watch the two curves on the right.")

    def _gradient(self, w, b):
        """d BCE / d w = mean((p - y) x)."""
        p = activations.sigmoid(w * self.x + b)
        return float(np.mean((p - self.y) * self.x))

    def draw(self, w, b):
        fig, (ax_data, ax_curves) = _figure()
        fig.subplots_adjust(right=0.94, wspace=0.3)  # room for the accuracy axis on the right
        grid = np.linspace(-4.0, 4.0, 200)
        ax_data.scatter(self.x[self.y == 1], np.ones(10), color=_COLORS["class1"], marker="o",
                        s=40, edgecolor="k", zorder=3, label="class 1")
        ax_data.scatter(self.x[self.y == 0], np.zeros(10), color=_COLORS["class0"], marker="s",
                        s=40, edgecolor="k", zorder=3, label="class 0")
        ax_data.plot(grid, activations.sigmoid(w * grid + b), color=_COLORS["model"], ls="-", lw=2.2,
                     label="p = sigmoid(w x + b)")
        ax_data.axhline(0.5, color="k", lw=0.8, ls=":")
        if w != 0 and abs(b / w) <= 4:
            ax_data.axvline(-b / w, color=_OKABE_ITO["grey"], lw=1.5, ls="--",
                            label="boundary p = 0.5")
        ax_data.set_xlim(-4, 4)
        ax_data.set_ylim(-0.1, 1.1)
        ax_data.set_xlabel("input x", fontsize=_LABEL_SIZE)
        ax_data.set_ylabel("label, and p of class 1", fontsize=_LABEL_SIZE)
        ax_data.set_title("The data and the model", fontsize=_TITLE_SIZE)
        ax_data.legend(fontsize=_LABEL_SIZE - 2, loc="center left")

        bce, accuracy = loss_metric_curves(self.x, self.y, self.ws, b)
        here_bce, here_acc = loss_metric_curves(self.x, self.y, [w], b)
        ax_curves.plot(self.ws, bce, color=_COLORS["bce"], ls=_LINES["bce"], lw=2.2,
                       label="BCE (left axis)")
        ax_curves.plot([w], here_bce, "o", color=_COLORS["bce"], ms=8, mec="k")
        ax_curves.set_ylim(0, max(2.0, float(bce.max()) * 1.05))
        ax_curves.set_xlabel("weight w", fontsize=_LABEL_SIZE)
        ax_curves.set_ylabel("binary cross-entropy", fontsize=_LABEL_SIZE)
        ax_acc = ax_curves.twinx()
        ax_acc.plot(self.ws, accuracy, color=_COLORS["accuracy"], ls=_LINES["accuracy"], lw=2.0,
                    drawstyle="steps-mid", label="accuracy (right axis)")
        ax_acc.plot([w], here_acc, "s", color=_COLORS["accuracy"], ms=8, mec="k")
        ax_acc.set_ylim(0, 1.05)
        ax_acc.set_ylabel("accuracy", fontsize=_LABEL_SIZE)
        ax_acc.tick_params(labelsize=_LABEL_SIZE - 1)
        ax_curves.axvline(w, color="k", lw=0.8, ls=":")
        ax_curves.set_title(f"Along w (b = {b:.1f}): smooth loss, stepped accuracy",
                            fontsize=_TITLE_SIZE)
        handles = ax_curves.get_lines()[:1] + ax_acc.get_lines()[:1]
        ax_curves.legend(handles, [h.get_label() for h in handles], fontsize=_LABEL_SIZE - 2,
                         loc="upper right")
        return fig

    def describe(self, w, b):
        (bce,), (accuracy,) = loss_metric_curves(self.x, self.y, [w], b)
        step = 1e-3
        (left,), (right,) = (loss_metric_curves(self.x, self.y, [w - step], b)[1],
                             loss_metric_curves(self.x, self.y, [w + step], b)[1])
        slope = (right - left) / (2 * step)
        return _table([
            ["<b>BCE</b>", _fmt(bce), f"gradient ∂BCE/∂w = {_fmt(self._gradient(w, b))}"],
            ["<b>accuracy</b>", f"{accuracy:.2f} ({round(accuracy * 20)} of 20)",
             f"finite-difference slope ∂acc/∂w = {_fmt(slope)}"],
        ])


def loss_metric_explorer(w=0.5, b=1.0):
    """Slide the weight of a one-input logistic model: BCE is smooth, accuracy jumps.

    Parameters
    ----------
    w : float, default 0.5
        The weight to start from, in [-2, 6].
    b : float, default 1.0
        The bias, in [-3, 3]; with ``b = 0`` the boundary ``x = -b / w`` stays at 0
        for every positive ``w`` and the accuracy never changes.

    Returns
    -------
    ipywidgets.VBox
        The explorer (see :mod:`anncourse.explorers.losses` for its attributes).
    """
    return LossMetricExplorer(w, b).widget
