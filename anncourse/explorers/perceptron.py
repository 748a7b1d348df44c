"""Explorers and figures for the introduction chapter (``01-introduction``).

* :func:`perceptron_explorer` -- Rosenblatt's rule one step at a time on a
  logic gate's four points: the decision line, the two shaded half-planes
  and the misclassified points circled.  Buttons apply one update, one
  epoch, or reset; sliders set w₁, w₂ and b by hand.
* :func:`history_figure` -- a timeline of neural networks from 1943 to 2012.

The explorer follows :mod:`anncourse.explorers.losses`: the figure is a bare
matplotlib ``Figure`` rendered to PNG in an ``ipywidgets.Image``, callbacks
raise instead of failing silently, and the box carries ``controls``,
``buttons``, ``readout``, ``image``, ``update()`` and ``explorer``.  Every
number comes from :mod:`anncourse.threshold`.
"""
from __future__ import annotations

import html

import numpy as np

from .. import threshold
from .losses import _DPI, _LABEL_SIZE, _OKABE_ITO, _png, _slider, _table, _toggle

__all__ = ["history_figure", "perceptron_explorer"]

DATASETS = ("AND", "OR", "NAND", "XOR")
_LIMIT = 3.0  # the sliders' range for w1, w2 and b


class PerceptronStepper:
    """The state behind :func:`perceptron_explorer`: data, weights and the next sample."""

    def __init__(self, dataset="AND", lr=1.0):
        import ipywidgets as widgets

        if dataset not in DATASETS:
            raise ValueError(f"unknown data set {dataset!r}; expected one of {', '.join(DATASETS)}")
        self.X = threshold.truth_table(2)
        self.lr = float(lr)
        self.controls = {
            "dataset": _toggle(list(DATASETS), dataset, "data set"),
            "w1": _slider(0.0, -_LIMIT, _LIMIT, 0.5, "w₁", ".1f"),
            "w2": _slider(0.0, -_LIMIT, _LIMIT, 0.5, "w₂", ".1f"),
            "b": _slider(0.0, -_LIMIT, _LIMIT, 0.5, "b", ".1f"),
        }
        self.buttons = {
            "update": widgets.Button(description="one update", tooltip="visit the next sample"),
            "epoch": widgets.Button(description="one epoch", tooltip="visit all four samples"),
            "reset": widgets.Button(description="reset", tooltip="w = 0, b = 0, first sample"),
        }
        self.readout = widgets.HTML()
        self.image = widgets.Image(format="png",
                                   layout=widgets.Layout(max_width="100%", height="auto"))
        note = widgets.HTML("<i>Rosenblatt's rule from w = 0, b = 0, visiting 00, 01, 10, 11 in "
                            "turn (learning rate 1). Or set w₁, w₂ and b yourself.</i>")
        self.widget = widgets.VBox([note, widgets.HBox([self.controls["dataset"]]),
                                    widgets.HBox([self.controls[k] for k in ("w1", "w2", "b")]),
                                    widgets.HBox(list(self.buttons.values())),
                                    self.readout, self.image])
        box = self.widget
        box.controls, box.buttons, box.readout, box.image = (self.controls, self.buttons,
                                                             self.readout, self.image)
        box.update, box.explorer = self.update, self
        self.position, self.updates, self.epochs, self.last = 0, 0, 0, None
        self._quiet = False
        self.controls["dataset"].observe(self._on_dataset, names="value")
        for name in ("w1", "w2", "b"):
            self.controls[name].observe(self._on_weight, names="value")
        self.buttons["update"].on_click(lambda _: self.step())
        self.buttons["epoch"].on_click(lambda _: self.epoch())
        self.buttons["reset"].on_click(lambda _: self.reset())
        self.update()

    # --- state ---------------------------------------------------------------

    @property
    def y(self) -> np.ndarray:
        return np.array(threshold.TARGETS[self.controls["dataset"].value], dtype=float)

    @property
    def weights(self) -> tuple[np.ndarray, float]:
        c = self.controls
        return np.array([c["w1"].value, c["w2"].value]), float(c["b"].value)

    def _set_weights(self, w, b) -> None:
        """Move the sliders without redrawing once per slider."""
        self._quiet = True
        try:
            for name, value in zip(("w1", "w2", "b"), (*w, b)):
                slider = self.controls[name]
                # The rule can leave the sliders' range on XOR; widen it rather than clip.
                slider.min, slider.max = min(slider.min, value), max(slider.max, value)
                slider.value = float(value)
        finally:
            self._quiet = False

    def mistakes(self) -> np.ndarray:
        """Indices of the points the current (w, b) misclassifies."""
        w, b = self.weights
        return np.flatnonzero(threshold.perceptron_predict(self.X, w, b) != self.y)

    # --- actions (the buttons' callbacks) ------------------------------------

    def step(self) -> None:
        """Apply Rosenblatt's rule to the next sample."""
        w, b = self.weights
        i = self.position
        w, b, wrong = threshold.perceptron_update(w, b, self.X[i], self.y[i], self.lr)
        self.last = (i, bool(wrong))
        self._set_weights(w, b)
        self.position = (i + 1) % len(self.X)
        self.updates += 1
        if self.position == 0:
            self.epochs += 1
        self.update()

    def epoch(self) -> None:
        """Visit the remaining samples of the current epoch (all four from its start)."""
        w, b = self.weights
        start = self.position
        for i in range(start, len(self.X)):
            w, b, wrong = threshold.perceptron_update(w, b, self.X[i], self.y[i], self.lr)
            self.last = (i, bool(wrong))
        self.updates += len(self.X) - start
        self.position, self.epochs = 0, self.epochs + 1
        self._set_weights(w, b)
        self.update()

    def reset(self) -> None:
        """Back to w = 0, b = 0 and the first sample."""
        self.position, self.updates, self.epochs, self.last = 0, 0, 0, None
        self._set_weights((0.0, 0.0), 0.0)
        self.update()

    def _on_dataset(self, change) -> None:
        self.reset()

    def _on_weight(self, change) -> None:
        if not self._quiet:
            self.update()

    # --- drawing ---------------------------------------------------------------

    def values(self) -> dict:
        return {name: control.value for name, control in self.controls.items()}

    def update(self) -> None:
        """Redraw the figure and the readout for the current state."""
        self.image.value = _png(self.draw())
        self.readout.value = self.describe()

    def describe(self) -> str:
        w, b = self.weights
        wrong = self.mistakes()
        names = ["00", "01", "10", "11"]
        last = "none yet"
        if self.last is not None:
            i, changed = self.last
            last = f"sample {names[i]}: {'a mistake, weights changed' if changed else 'right, no change'}"
        rows = [("w", f"[{w[0]:.2f}, {w[1]:.2f}]", "b", f"{b:.2f}"),
                ("updates", str(self.updates), "epochs", str(self.epochs)),
                ("next sample", names[self.position], "last step", html.escape(last)),
                ("misclassified", ", ".join(names[i] for i in wrong) or "none", "", "")]
        return _table(rows)

    def draw(self):
        from matplotlib.figure import Figure

        w, b = self.weights
        fig = Figure(figsize=(5.6, 4.6), dpi=_DPI, layout="constrained")
        ax = fig.subplots()
        grid = np.linspace(-0.6, 1.6, 221)
        gx, gy = np.meshgrid(grid, grid)
        score = w[0] * gx + w[1] * gy + b
        # Two shades of the same two colours as the points: where the perceptron says 1 or 0.
        ax.contourf(gx, gy, (score > 0).astype(float), levels=[-0.5, 0.5, 1.5],
                    colors=[_OKABE_ITO["vermillion"], _OKABE_ITO["blue"]], alpha=0.15)
        if np.any(w != 0):
            if abs(w[1]) > 1e-12:
                ax.plot(grid, -(w[0] * grid + b) / w[1], color="black", linestyle="-",
                        linewidth=2, label="decision line w·x + b = 0")
            else:
                ax.plot([-b / w[0]] * 2, [grid[0], grid[-1]], color="black", linestyle="-",
                        linewidth=2, label="decision line w·x + b = 0")
        y = self.y
        ax.scatter(*self.X[y == 1].T, s=110, marker="o", color=_OKABE_ITO["blue"], zorder=3,
                   label="target 1")
        ax.scatter(*self.X[y == 0].T, s=110, marker="s", color=_OKABE_ITO["vermillion"], zorder=3,
                   label="target 0")
        wrong = self.mistakes()
        if wrong.size:
            ax.scatter(*self.X[wrong].T, s=420, facecolors="none", edgecolors="black",
                       linewidths=2, zorder=4, label="misclassified")
        nxt = self.X[self.position]
        ax.annotate("next", nxt, xytext=(nxt[0] + 0.12, nxt[1] + 0.15), fontsize=_LABEL_SIZE - 1)
        ax.set_xlim(grid[0], grid[-1])
        ax.set_ylim(grid[0], grid[-1])
        ax.set_xlabel("x₁", fontsize=_LABEL_SIZE)
        ax.set_ylabel("x₂", fontsize=_LABEL_SIZE)
        ax.set_aspect("equal")
        ax.set_title(f"{self.controls['dataset'].value}: {len(wrong)} of 4 misclassified "
                     "(blue shade: predicts 1)", fontsize=_LABEL_SIZE)
        ax.legend(loc="upper left", fontsize=_LABEL_SIZE - 2, framealpha=0.9)
        return fig


def perceptron_explorer(dataset="AND", lr=1.0):
    """A perceptron stepper: watch Rosenblatt's rule move the line, one update at a time.

    Parameters
    ----------
    dataset : {"AND", "OR", "NAND", "XOR"}
        The gate whose four points are learned.
    lr : float
        The learning rate of the rule.

    Returns
    -------
    ipywidgets.VBox
        With ``controls`` (data set, w1, w2, b), ``buttons`` (update, epoch,
        reset), ``readout``, ``image``, ``update()`` and ``explorer``.

    Examples
    --------
    >>> box = perceptron_explorer("OR")          # doctest: +SKIP
    >>> box.buttons["epoch"].click()             # doctest: +SKIP
    """
    return PerceptronStepper(dataset, lr).widget


# The milestones of the timeline: (year, short label, what it showed).
MILESTONES = (
    (1943, "McCulloch & Pitts", "threshold neuron"),
    (1949, "Hebb", "learning by\nstrengthening synapses"),
    (1958, "Rosenblatt", "the perceptron\nlearns its weights"),
    (1969, "Minsky & Papert", "one layer cannot\ncompute XOR"),
    (1986, "Rumelhart, Hinton\n& Williams", "backpropagation\ntrains hidden layers"),
    (1989, "LeCun et al.", "convolutional network\nreads digits (LeNet)"),
    (2012, "Krizhevsky, Sutskever\n& Hinton", "AlexNet wins\nImageNet"),
)


def history_figure():
    """A timeline of neural networks from 1943 to 2012, as a matplotlib ``Figure``.

    The long quiet stretch after 1969 is shaded: the years when single-layer
    networks were known to be limited and multi-layer ones could not yet be
    trained.

    Examples
    --------
    >>> fig = history_figure()                   # doctest: +SKIP
    """
    from matplotlib.figure import Figure

    fig = Figure(figsize=(11, 3.6), dpi=_DPI, layout="constrained")
    ax = fig.subplots()
    ax.axvspan(1969, 1986, color=_OKABE_ITO["grey"], alpha=0.12)
    ax.text(1976.5, 1.95, "few advances for\nmulti-layer networks", ha="center", va="top",
            fontsize=_LABEL_SIZE - 2, style="italic")
    ax.axhline(0, color="black", linewidth=1.5)
    for k, (year, who, what) in enumerate(MILESTONES):
        up = 1 if k % 2 == 0 else -1
        ax.plot([year, year], [0, 0.55 * up], color=_OKABE_ITO["blue"], linestyle=":",
                linewidth=1.2)
        ax.plot([year], [0], marker="o", markersize=8, color=_OKABE_ITO["blue"])
        ax.text(year, 0.6 * up, f"{year}\n{who}\n{what}" if up > 0 else f"{who}\n{what}\n{year}",
                ha="center", va="bottom" if up > 0 else "top", fontsize=_LABEL_SIZE - 2)
    ax.set_xlim(1936, 2019)
    ax.set_ylim(-2.0, 2.0)
    ax.set_yticks([])
    for side in ("left", "right", "top"):
        ax.spines[side].set_visible(False)
    ax.set_title("From one threshold neuron to deep networks", fontsize=_LABEL_SIZE + 1)
    return fig
