"""Interactive explorers for the training chapter (``05-training``).

* :func:`learning_rate_explorer` -- gradient descent on the bowl
  ``f(w) = a * w**2 / 2``: a log-scale learning-rate slider and the
  curvature ``a``, the iterates drawn on the curve and ``|w_t|`` on a log
  axis.  Every step multiplies ``w`` by ``1 - lr * a``, so the iterates
  slide down (``lr * a < 1``), zigzag inwards (``1 < lr * a < 2``), bounce
  for ever (``lr * a = 2``) or fly off (``lr * a > 2``);
* :func:`batch_size_explorer` -- mini-batch gradient descent on a linear
  regression with a chosen batch size, against full-batch descent: the
  loss on the whole data set after every update, against updates and
  against epochs;
* :class:`LiveLossPlot` -- a callback for :func:`anncourse.training.fit`
  that redraws the loss curves while the model trains.

The widgets are built like :mod:`anncourse.explorers.losses` (whose
machinery they share): a ``VBox`` with ``controls``, ``readout``,
``image``, ``update()`` and ``explorer``; the figure is a bare matplotlib
``Figure`` rendered to PNG; matplotlib and ipywidgets are imported only
when a widget is built.  Every number comes from :mod:`anncourse.descent`.

Examples
--------
>>> from anncourse.explorers.training import regime
>>> regime(1.0, 0.5), regime(1.0, 1.5), regime(1.0, 2.0), regime(1.0, 2.5)
('converges monotonically', 'oscillates and converges', 'oscillates for ever', 'diverges')
>>> losses = losses_per_update(*regression_problem(64, random_state=0), batch_size=16, lr=0.1,
...                            epochs=2, random_state=0)
>>> len(losses)  # the starting loss, then one per update: 2 epochs of 4 batches
9
"""
from __future__ import annotations

import math
import time

import numpy as np

from .. import descent
from .._random import check_random_state
from ..data.toy import make_linear_regression
from .losses import _LABEL_SIZE, _OKABE_ITO, _TITLE_SIZE, _Explorer, _figure, _fmt, _png, _table

__all__ = ["LiveLossPlot", "batch_size_explorer", "learning_rate_explorer", "losses_per_update",
           "regime", "regression_problem"]


# --- the learning-rate bowl -------------------------------------------------------------

def regime(a: float, lr: float) -> str:
    """What gradient descent does on ``a * w**2 / 2`` with learning rate ``lr``, in words.

    The step factor is ``1 - lr * a``; the words follow its value.
    """
    if a <= 0:
        return "no minimum: diverges" if a < 0 else "flat: never moves"
    product = lr * a
    if product <= 0:
        return "never moves" if product == 0 else "goes uphill: diverges"
    if product < 1:
        return "converges monotonically"
    if product == 1:
        return "jumps to the minimum in one step"
    if product < 2:
        return "oscillates and converges"
    if product == 2:
        return "oscillates for ever"
    return "diverges"


class LearningRateBowl(_Explorer):
    """Gradient descent on ``a * w**2 / 2``: the iterates on the curve and ``|w_t|`` on a log axis."""

    def __init__(self, lr=0.3, curvature=1.0, w0=2.5, steps=12):
        import ipywidgets as widgets

        self.w0, self.steps = float(w0), int(steps)
        if self.steps < 1:
            raise ValueError(f"steps must be at least 1, got {steps}")
        if not 0.2 <= curvature <= 5.0:
            raise ValueError(f"curvature must be between 0.2 and 5 (the slider's range), got {curvature}")
        lr_slider = widgets.FloatLogSlider(value=lr, base=10, min=-3, max=1, step=0.01,
                                           description="learning rate η (log scale)",
                                           readout_format=".3g", continuous_update=False,
                                           style={"description_width": "initial"},
                                           layout=widgets.Layout(width="380px"))
        curvature_slider = widgets.FloatSlider(value=curvature, min=0.2, max=5.0, step=0.1,
                                               description="curvature a", readout_format=".1f",
                                               continuous_update=False,
                                               style={"description_width": "initial"},
                                               layout=widgets.Layout(width="340px"))
        super().__init__({"lr": lr_slider, "curvature": curvature_slider},
                         note=f"Gradient descent on f(w) = a·w²/2 from w0 = {self.w0:g}, "
                              f"{self.steps} steps: each step multiplies w by 1 − η·a.")

    def iterates(self, lr, curvature):
        return descent.gd_on_quadratic(curvature, self.w0, lr, self.steps)

    def draw(self, lr, curvature):
        from matplotlib.ticker import FuncFormatter, NullFormatter

        fig, (ax_bowl, ax_size) = _figure()
        w = self.iterates(lr, curvature)
        span = 1.6 * abs(self.w0)
        grid = np.linspace(-span, span, 301)
        top = curvature * span ** 2 / 2
        ax_bowl.plot(grid, curvature * grid ** 2 / 2, color=_OKABE_ITO["grey"], ls="-", lw=2,
                     label=f"f(w) = {curvature:.1f}·w²/2")
        # Iterates beyond the frame are drawn at its edge, so the path stays on the plot.
        shown = np.clip(w, -span, span)
        ax_bowl.plot(shown, curvature * shown ** 2 / 2, color=_OKABE_ITO["vermillion"], ls="--",
                     marker="o", ms=5, lw=1.5, label=f"iterates, η = {lr:.3g}")
        ax_bowl.plot([shown[0]], [curvature * shown[0] ** 2 / 2], "s", color=_OKABE_ITO["blue"], ms=9,
                     label="start w0")
        ax_bowl.set_xlim(-span, span)
        ax_bowl.set_ylim(-0.05 * top, 1.1 * top)
        ax_bowl.set_xlabel("weight w", fontsize=_LABEL_SIZE)
        ax_bowl.set_ylabel("loss f(w)", fontsize=_LABEL_SIZE)
        ax_bowl.set_title("The iterates on the bowl", fontsize=_TITLE_SIZE)
        ax_bowl.legend(fontsize=_LABEL_SIZE - 2, loc="upper center")

        steps = np.arange(len(w))
        with np.errstate(divide="ignore"):
            size = np.maximum(np.abs(w), 1e-300)
        ax_size.plot(steps, size, color=_OKABE_ITO["vermillion"], ls="-.", marker="o", ms=4, lw=1.5,
                     label="|w_t|")
        ax_size.axhline(abs(self.w0), color=_OKABE_ITO["blue"], ls=":", lw=1.2, label="|w0|")
        ax_size.set_yscale("log")
        # Plain numbers (2.5, not 2.5 x 10^0) and no labels on the minor ticks.
        ax_size.yaxis.set_major_formatter(FuncFormatter(lambda value, _: f"{value:g}"))
        ax_size.yaxis.set_minor_formatter(NullFormatter())
        low, high = size.min(), size.max()
        ax_size.set_ylim(min(low, abs(self.w0)) / 3, max(high, abs(self.w0)) * 3)
        ax_size.set_xlabel("step t", fontsize=_LABEL_SIZE)
        ax_size.set_ylabel("distance to the minimum |w_t| (log scale)", fontsize=_LABEL_SIZE)
        ax_size.set_title(f"Each step multiplies |w| by |1 − η·a| = {abs(1 - lr * curvature):.3g}",
                          fontsize=_TITLE_SIZE)
        ax_size.legend(fontsize=_LABEL_SIZE - 2, loc="best")
        return fig

    def describe(self, lr, curvature):
        w = self.iterates(lr, curvature)
        rows = [["<b>η·a</b>", _fmt(lr * curvature), "<b>step factor 1 − η·a</b>",
                 _fmt(1 - lr * curvature)],
                ["<b>stability limit 2/a</b>", _fmt(2 / curvature), "<b>what happens</b>",
                 regime(curvature, lr)],
                [f"<b>w after {self.steps} steps</b>", _fmt(float(w[-1])),
                 "<b>converges (|1 − η·a| < 1)</b>", "yes" if descent.converges(curvature, lr) else "no"]]
        return _table(rows)


def learning_rate_explorer(lr=0.3, curvature=1.0, w0=2.5, steps=12):
    """Gradient descent on the bowl ``a * w**2 / 2`` with a log-scale learning-rate slider.

    Parameters
    ----------
    lr : float, default 0.3
        The learning rate to start from (the slider runs from 0.001 to 10).
    curvature : float, default 1.0
        The curvature ``a`` to start from, between 0.2 and 5.
    w0 : float, default 2.5
        The starting point.
    steps : int, default 12
        The number of steps drawn.

    Returns
    -------
    ipywidgets.VBox
        The explorer (see :mod:`anncourse.explorers.losses` for its attributes).
    """
    return LearningRateBowl(lr, curvature, w0, steps).widget


# --- batch size against noise ----------------------------------------------------------

def regression_problem(n=256, noise=0.5, random_state=0):
    """A linear regression with two features: ``y = 2*x1 - x2 + 0.5 + noise``.

    Returns ``(X, y)``, ``X`` of shape ``(n, 2)``.
    """
    return make_linear_regression(n, 2, noise=noise, coef=[2.0, -1.0], bias=0.5,
                                  random_state=random_state)


def losses_per_update(X, y, batch_size, lr, epochs, random_state=0):
    """Mini-batch gradient descent from ``w = 0, b = 0``; the whole data set's loss after every update.

    Each epoch visits the samples in a new random order, in batches of
    ``batch_size`` (the last one smaller), one :func:`~anncourse.descent.minibatch_gd_linear`
    update per batch.

    Returns
    -------
    numpy.ndarray
        The mean squared error on all of ``(X, y)`` before the first update
        and after each one: ``1 + epochs * iterations_per_epoch(n, batch_size)``
        numbers.  Once the loss is no longer finite (a learning rate beyond
        the stability limit), it stays ``inf``.
    """
    X, y = np.asarray(X, dtype=float), np.asarray(y, dtype=float)
    rng = check_random_state(random_state)
    w, b = np.zeros(X.shape[1]), 0.0
    losses = [descent.mse_linear(X, y, w, b)]
    with np.errstate(over="ignore", invalid="ignore"):
        for _ in range(int(epochs)):
            for batch in descent.make_batches(rng.permutation(len(y)), batch_size):
                if not math.isfinite(losses[-1]):
                    losses.append(math.inf)
                    continue
                w, b = descent.minibatch_gd_linear(X, y, w, b, lr, [batch])
                loss = descent.mse_linear(X, y, w, b)
                losses.append(loss if math.isfinite(loss) else math.inf)
    return np.array(losses)


def _gradient_spread(X, y, batch_size, random_state=0):
    """How far a batch's gradient (at w = 0, b = 0) lies from the full one: the RMS distance over one epoch."""
    zero = np.zeros(X.shape[1])
    full_w, full_b = descent.mse_linear_grad(X, y, zero, 0.0)
    full = np.append(full_w, full_b)
    rng = check_random_state(random_state)
    distances = []
    for batch in descent.make_batches(rng.permutation(len(y)), batch_size):
        grad_w, grad_b = descent.mse_linear_grad(X[batch], y[batch], zero, 0.0)
        distances.append(np.sum((np.append(grad_w, grad_b) - full) ** 2))
    return float(np.sqrt(np.mean(distances))), float(np.linalg.norm(full))


def _loss(value) -> str:
    value = float(value)
    return _fmt(value) if math.isfinite(value) else "diverged (∞)"


class BatchSizeExplorer(_Explorer):
    """Mini-batch against full-batch gradient descent: loss against updates and against epochs."""

    def __init__(self, batch_size=8, lr=0.05, epochs=10, n=256, noise=0.5, random_state=0):
        import ipywidgets as widgets

        self.X, self.y = regression_problem(n, noise, random_state)
        self.n, self.epochs, self.random_state = len(self.y), int(epochs), random_state
        if self.epochs < 1:
            raise ValueError(f"epochs must be at least 1, got {epochs}")
        sizes = [2 ** k for k in range(int(math.log2(self.n)) + 1)]
        if sizes[-1] != self.n:
            sizes.append(self.n)
        if batch_size not in sizes:
            raise ValueError(f"batch_size must be one of {sizes}, got {batch_size}")
        # The least-squares solution: the lowest loss any line reaches on these data.
        A = np.column_stack([self.X, np.ones(self.n)])
        solution = np.linalg.lstsq(A, self.y, rcond=None)[0]
        self.best = descent.mse_linear(self.X, self.y, solution[:-1], solution[-1])
        self._cache = (None, {})
        batch_slider = widgets.SelectionSlider(options=sizes, value=batch_size,
                                               description="batch size", continuous_update=False,
                                               style={"description_width": "initial"},
                                               layout=widgets.Layout(width="380px"))
        lr_slider = widgets.FloatLogSlider(value=lr, base=10, min=-3, max=0, step=0.05,
                                           description="learning rate η (log scale)",
                                           readout_format=".3g", continuous_update=False,
                                           style={"description_width": "initial"},
                                           layout=widgets.Layout(width="380px"))
        super().__init__({"batch_size": batch_slider, "lr": lr_slider},
                         note=f"Linear regression on {self.n} noisy samples, {self.epochs} epochs "
                              "from w = 0, b = 0, reshuffled every epoch; the loss is measured on "
                              "all the data after every update.")

    def runs(self, batch_size, lr):
        """``{batch size: losses after each update}`` for the chosen size and the full batch."""
        # draw and describe both need the runs: compute each setting once.
        if self._cache[0] != (batch_size, lr):
            self._cache = ((batch_size, lr), {
                size: losses_per_update(self.X, self.y, size, lr, self.epochs, self.random_state)
                for size in dict.fromkeys([batch_size, self.n])})
        return self._cache[1]

    def draw(self, batch_size, lr):
        from matplotlib.ticker import FuncFormatter, NullFormatter

        fig, (ax_updates, ax_epochs) = _figure()
        styles = {batch_size: dict(color=_OKABE_ITO["vermillion"], ls="-", lw=1.2),
                  self.n: dict(color=_OKABE_ITO["blue"], ls="--", lw=2.2)}
        runs = self.runs(batch_size, lr)
        finite = [v for losses in runs.values() for v in losses if math.isfinite(v)]
        # A diverging run would squash everything else: the axis stops at 100 times the start.
        top = min(max(finite), 100 * finite[0]) * 1.5
        for size, losses in runs.items():
            per_epoch = descent.iterations_per_epoch(self.n, size)
            label = (f"batch size {size}" + (" (full batch)" if size == self.n else "")
                     + f": {per_epoch} update{'s' if per_epoch > 1 else ''} per epoch")
            updates = np.arange(len(losses))
            # Values far above the axis are cut (they would overflow the log scale's autoscaling);
            # a run that diverged to infinity stops on the plot.
            shown = np.where(np.isfinite(losses), np.minimum(losses, 10 * top), np.nan)
            # Loss after update k at x = k + 1 on the log axis: the start sits at x = 1.
            ax_updates.plot(updates + 1, shown, label=label, **styles[size])
            ax_epochs.plot(updates / per_epoch, shown, label=label, **styles[size])
        for ax in (ax_updates, ax_epochs):
            ax.axhline(self.best, color=_OKABE_ITO["green"], ls=":", lw=1.5,
                       label="best line (least squares)")
            ax.set_yscale("log")
            ax.set_ylim(self.best * 0.8, top)
            # Plain numbers (0.3, not 3 x 10^-1) keep the tick labels short.
            ax.yaxis.set_major_formatter(FuncFormatter(lambda value, _: f"{value:g}"))
            ax.yaxis.set_minor_formatter(NullFormatter())
            ax.set_ylabel("loss on all the data (log scale)", fontsize=_LABEL_SIZE)
            ax.legend(fontsize=_LABEL_SIZE - 3, loc="upper right")
        ax_updates.set_xscale("log")
        ax_updates.set_xlabel("number of updates + 1 (log scale)", fontsize=_LABEL_SIZE)
        ax_updates.set_title("Per update: each small-batch step is noisy", fontsize=_TITLE_SIZE)
        ax_epochs.set_xlabel("epochs (passes over the data)", fontsize=_LABEL_SIZE)
        ax_epochs.set_title("Per epoch: small batches make more steps", fontsize=_TITLE_SIZE)
        return fig

    def describe(self, batch_size, lr):
        runs = self.runs(batch_size, lr)
        spread, full = _gradient_spread(self.X, self.y, batch_size, self.random_state)
        rows = [["", f"<b>batch size {batch_size}</b>", f"<b>full batch ({self.n})</b>"]]
        rows.append(["updates per epoch", str(descent.iterations_per_epoch(self.n, batch_size)), "1"])
        rows.append(["loss after the first epoch",
                     *[_loss(runs[s][descent.iterations_per_epoch(self.n, s)])
                       for s in (batch_size, self.n)]])
        rows.append([f"loss after {self.epochs} epochs", *[_loss(runs[s][-1])
                                                           for s in (batch_size, self.n)]])
        last = runs[batch_size][-descent.iterations_per_epoch(self.n, batch_size):]
        spread_of_loss = _fmt(float(np.std(last))) if np.all(np.isfinite(last)) else "diverged"
        rows.append(["spread of the loss over the last epoch (std)", spread_of_loss, "0"])
        rows.append(["gradient noise at the start: RMS distance of a batch's gradient from the "
                     "full one", _fmt(spread), f"0 (full gradient's length {_fmt(full)})"])
        rows.append([f"best possible loss (least squares): {_fmt(self.best)}", "", ""])
        return _table(rows)


def batch_size_explorer(batch_size=8, lr=0.05, epochs=10, n=256, noise=0.5, random_state=0):
    """Batch size against noise: mini-batch and full-batch descent on a linear regression.

    Parameters
    ----------
    batch_size : int, default 8
        The batch size to start from: a power of two up to ``n``, or ``n``.
    lr : float, default 0.05
        The learning rate to start from (the slider runs from 0.001 to 1).
    epochs : int, default 10
        Epochs of training drawn.
    n : int, default 256
        The number of samples.
    noise : float, default 0.5
        The standard deviation of the noise on the targets.
    random_state : int, default 0
        Seed of the data and of the shuffling.

    Returns
    -------
    ipywidgets.VBox
        The explorer (see :mod:`anncourse.explorers.losses` for its attributes).
    """
    return BatchSizeExplorer(batch_size, lr, epochs, n, noise, random_state).widget


# --- a live loss plot for fit -------------------------------------------------------------

class LiveLossPlot:
    """A callback for :func:`anncourse.training.fit` that redraws the loss curves as training runs.

    Display :attr:`widget` before calling ``fit(..., callbacks=[plot])``.
    After every epoch it records the numbers ``fit`` passes and redraws
    the curves (training solid, validation dashed), at most once per
    ``min_interval`` seconds so that a fast loop is not slowed down by
    drawing; the last epoch (``epochs``) is always drawn.  It never asks
    ``fit`` to stop.

    Parameters
    ----------
    epochs : int
        The number of epochs ``fit`` will run, for the x-axis and the final redraw.
    min_interval : float, default 0.25
        The shortest time between two redraws, in seconds.
    log_scale : bool, default True
        Draw the loss on a log axis.

    Attributes
    ----------
    widget : ipywidgets.Image
        The plot.
    logs : dict
        Every recorded quantity, a list per key (``"loss"``, ``"val_loss"``...).
    draws : int
        How many times the plot was drawn.
    """

    def __init__(self, epochs, min_interval=0.25, log_scale=True):
        import ipywidgets as widgets

        if isinstance(epochs, bool) or not isinstance(epochs, int) or epochs < 1:
            raise ValueError(f"epochs must be a positive integer, got {epochs!r}")
        self.epochs, self.min_interval, self.log_scale = epochs, float(min_interval), bool(log_scale)
        self.logs: dict[str, list] = {}
        self.draws, self._last = 0, -math.inf
        self.widget = widgets.Image(format="png", layout=widgets.Layout(max_width="100%", height="auto"))
        self.redraw()

    def on_epoch_end(self, epoch, logs, model):
        for key, value in logs.items():
            self.logs.setdefault(key, []).append(float(value))
        now = time.monotonic()
        if epoch + 1 >= self.epochs or now - self._last >= self.min_interval:
            self.redraw()
        return False

    def redraw(self):
        """Draw the curves recorded so far into :attr:`widget`."""
        from matplotlib.figure import Figure

        fig = Figure(figsize=(7.0, 3.4), dpi=96)
        fig.subplots_adjust(left=0.11, right=0.98, bottom=0.15, top=0.9)
        ax = fig.subplots()
        styles = {"loss": dict(color=_OKABE_ITO["blue"], ls="-", label="training loss"),
                  "val_loss": dict(color=_OKABE_ITO["orange"], ls="--", label="validation loss")}
        for key, style in styles.items():
            values = self.logs.get(key)
            if values:
                ax.plot(np.arange(1, len(values) + 1), values, marker="o", ms=3, lw=2, **style)
        ax.set_xlim(0.5, self.epochs + 0.5)
        if self.log_scale and any(self.logs.get(k) for k in styles):
            ax.set_yscale("log")
        done = len(self.logs.get("loss", []))
        ax.set_title(f"epoch {done} of {self.epochs}", fontsize=_TITLE_SIZE)
        ax.set_xlabel("epoch", fontsize=_LABEL_SIZE)
        ax.set_ylabel("loss" + (" (log scale)" if self.log_scale else ""), fontsize=_LABEL_SIZE)
        ax.grid(alpha=0.3)
        if done:
            ax.legend(fontsize=_LABEL_SIZE - 2)
        self.widget.value = _png(fig)
        self.draws += 1
        self._last = time.monotonic()
