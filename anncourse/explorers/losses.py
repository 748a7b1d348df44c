"""Interactive explorers for the loss-functions chapter (``18-loss-functions``).

Each factory builds a small widget: a row of controls, a table of numbers
for the current setting and a matplotlib figure, redrawn whenever a control
moves.  Every curve and number comes from the reference implementation,
:mod:`anncourse.losses`.

* :func:`regression_explorer` -- squared, absolute and Huber error, and
  their gradients, as the prediction slides past the target;
* :func:`classification_explorer` -- binary cross-entropy against the
  predicted probability, its gradient with respect to ``p`` and with
  respect to the logit;
* :func:`margin_explorer` -- hinge loss against logistic loss as the score
  crosses the margin;
* :func:`kl_explorer` -- two distributions, the per-class terms of
  ``KL(P || Q)`` and its asymmetry.

Every factory returns the top-level widget (a ``VBox``), so a notebook cell
can end with the call.  The box also carries

``box.controls``
    the control widgets, by name;
``box.readout``
    the ``HTML`` widget with the numbers of the current setting;
``box.image``
    the ``Image`` widget showing the figure (PNG bytes);
``box.update()``
    redraw now (what every control's callback calls);
``box.explorer``
    the object behind it all.

The figure is rendered to PNG and shown in an ``ipywidgets.Image``, not
displayed into an ``ipywidgets.Output``, for two reasons.  ``Output``
swallows exceptions, so a broken callback would leave a stale plot and no
error; here an error in a callback reaches whoever moved the control (a
test, or the notebook's log).  And nbclient (used by ``nbgrader autograde``
and the test suite) emulates ``Output`` widgets by sending messages on the
kernel's shell channel while it waits for replies on that channel, which
intermittently stalls a cell until its timeout; an ``Image`` is a plain
state update and avoids that path.  The figure is a bare
``matplotlib.figure.Figure`` (no pyplot), so it never leaks or shows twice.
matplotlib and ipywidgets are imported when an explorer is built, never at
import time.
"""
from __future__ import annotations

import html
import io
import math

import numpy as np

from .. import activations, losses

__all__ = ["classification_explorer", "kl_explorer", "margin_explorer", "regression_explorer"]

_FIGSIZE = (10.5, 3.9)
_DPI = 96
_LABEL_SIZE = 11
_TITLE_SIZE = 12
# The Okabe-Ito palette, distinguishable with every common colour-vision
# deficiency; no red/green pair. Every curve also has its own line style (and
# every bar its own hatch), so the figures read in greyscale too.
_OKABE_ITO = {"orange": "#E69F00", "sky": "#56B4E9", "green": "#009E73", "blue": "#0072B2",
              "vermillion": "#D55E00", "purple": "#CC79A7", "grey": "#666666"}
_COLORS = {"mse": _OKABE_ITO["blue"], "mae": _OKABE_ITO["orange"], "huber": _OKABE_ITO["green"],
           "y1": _OKABE_ITO["blue"], "y0": _OKABE_ITO["vermillion"], "hinge": _OKABE_ITO["purple"],
           "logistic": _OKABE_ITO["blue"], "zero_one": _OKABE_ITO["grey"], "p": _OKABE_ITO["sky"],
           "q": _OKABE_ITO["orange"], "above": _OKABE_ITO["vermillion"], "below": _OKABE_ITO["blue"]}
_LINES = {"mse": "-", "mae": "--", "huber": "-.", "hinge": "-", "logistic": "--", "zero_one": ":",
          "y1": "-", "y0": "--"}


class _Explorer:
    """Controls + readout + figure; subclasses implement :meth:`draw` and :meth:`describe`."""

    def __init__(self, controls: dict, note: str = ""):
        import ipywidgets as widgets

        self.controls = controls
        self.readout = widgets.HTML()
        self.image = widgets.Image(format="png", layout=widgets.Layout(max_width="100%", height="auto"))
        rows = [widgets.HBox(list(controls.values()))]
        if note:
            rows.insert(0, widgets.HTML(f"<i>{html.escape(note)}</i>"))
        self.widget = widgets.VBox([*rows, self.readout, self.image])
        box = self.widget
        box.controls, box.readout, box.image = controls, self.readout, self.image
        box.update, box.explorer = self.update, self
        for control in controls.values():
            control.observe(self._on_change, names="value")
        self.update()

    def _on_change(self, change):
        # No try/except: an error here must reach the caller (and the test).
        self.update()

    def values(self) -> dict:
        return {name: control.value for name, control in self.controls.items()}

    def update(self) -> None:
        """Recompute the numbers and the figure for the controls' current values."""
        values = self.values()
        fig = self.draw(**values)
        self.image.value = _png(fig)
        self.readout.value = self.describe(**values)

    def draw(self, **values):  # pragma: no cover - abstract
        raise NotImplementedError

    def describe(self, **values) -> str:  # pragma: no cover - abstract
        raise NotImplementedError


def _slider(value, low, high, step, description, fmt=".2f"):
    import ipywidgets as widgets

    return widgets.FloatSlider(value=value, min=low, max=high, step=step, description=description,
                               readout_format=fmt, continuous_update=False,
                               style={"description_width": "initial"},
                               layout=widgets.Layout(width="340px"))


def _toggle(options, value, description):
    import ipywidgets as widgets

    return widgets.ToggleButtons(options=options, value=value, description=description,
                                 style={"description_width": "initial", "button_width": "70px"})


def _figure():
    """A figure with two panels side by side.

    A bare ``Figure``, not ``pyplot``: it is never registered with pyplot, so
    it cannot leak, and the inline backend never shows it a second time.
    """
    from matplotlib.figure import Figure

    # Fixed margins rather than layout="constrained": the layout engine draws
    # the figure an extra time, which doubles the cost of every redraw.
    fig = Figure(figsize=_FIGSIZE, dpi=_DPI)
    fig.subplots_adjust(left=0.065, right=0.985, bottom=0.13, top=0.92, wspace=0.22)
    axes = fig.subplots(1, 2)
    for ax in axes:
        ax.tick_params(labelsize=_LABEL_SIZE - 1)
        ax.grid(alpha=0.3)
    return fig, axes


def _png(fig) -> bytes:
    buffer = io.BytesIO()
    fig.savefig(buffer, format="png", dpi=_DPI)
    return buffer.getvalue()


def _table(rows) -> str:
    """An HTML table: rows of (name, value, ...) cells."""
    body = "".join("<tr>" + "".join(f"<td style='padding:2px 12px'>{c}</td>" for c in row) + "</tr>"
                   for row in rows)
    return f"<table style='font-size:13px'>{body}</table>"


def _fmt(x: float) -> str:
    if math.isinf(x):
        return "∞" if x > 0 else "−∞"
    return f"{x:.4g}".replace("-", "−")


def _per_point(func, *arrays, **kwargs) -> np.ndarray:
    """``func`` on one sample at a time: the per-sample loss (or gradient) curve."""
    columns = [np.asarray(a, dtype=float) for a in arrays]
    return np.array([float(np.asarray(func(*[[c[i]] for c in columns], **kwargs)).reshape(-1)[0])
                     for i in range(len(columns[0]))])


# --- regression: squared, absolute and Huber error -------------------------------

class RegressionExplorer(_Explorer):
    """Squared, absolute and Huber loss of one sample, and their gradients, against ŷ."""

    def __init__(self, y_true=0.0, y_pred=1.5, delta=1.0, span=4.0):
        self.y_true, self.span = float(y_true), float(span)
        self.grid = np.linspace(self.y_true - span, self.y_true + span, 161)
        controls = {
            "y_pred": _slider(y_pred, self.y_true - span, self.y_true + span, 0.1, "prediction ŷ"),
            "delta": _slider(delta, 0.2, 3.0, 0.1, "Huber δ"),
        }
        super().__init__(controls, note=f"One sample with target y = {self.y_true:g}; "
                                        "slide the prediction and Huber's δ.")

    def _curves(self, delta):
        y = np.full_like(self.grid, self.y_true)
        loss = {"mse": _per_point(losses.mse, y, self.grid),
                "mae": _per_point(losses.mae, y, self.grid),
                "huber": _per_point(losses.huber, y, self.grid, delta=delta)}
        grad = {"mse": _per_point(losses.mse_grad, y, self.grid),
                "mae": _per_point(losses.mae_grad, y, self.grid),
                "huber": _per_point(losses.huber_grad, y, self.grid, delta=delta)}
        return loss, grad

    def _at(self, y_pred, delta):
        y, p = [self.y_true], [y_pred]
        loss = {"mse": float(losses.mse(y, p)), "mae": float(losses.mae(y, p)),
                "huber": float(losses.huber(y, p, delta=delta))}
        grad = {"mse": float(losses.mse_grad(y, p)[0]), "mae": float(losses.mae_grad(y, p)[0]),
                "huber": float(losses.huber_grad(y, p, delta=delta)[0])}
        return loss, grad

    def draw(self, y_pred, delta):
        fig, (ax_loss, ax_grad) = _figure()
        loss, grad = self._curves(delta)
        here_loss, here_grad = self._at(y_pred, delta)
        names = {"mse": "squared error (MSE)", "mae": "absolute error (MAE)",
                 "huber": f"Huber, δ = {delta:.1f}"}
        for ax, curves, here in ((ax_loss, loss, here_loss), (ax_grad, grad, here_grad)):
            ax.axvspan(self.y_true - delta, self.y_true + delta, color=_COLORS["huber"], alpha=0.08,
                       label="|y − ŷ| ≤ δ")
            ax.axvline(self.y_true, color="k", lw=0.8, ls=":")
            for key, label in names.items():
                ax.plot(self.grid, curves[key], color=_COLORS[key], ls=_LINES[key], lw=2, label=label)
                ax.plot([y_pred], [here[key]], "o", color=_COLORS[key], ms=8, mec="k")
            ax.set_xlabel("prediction ŷ", fontsize=_LABEL_SIZE)
        ax_loss.set_ylim(-0.2, min(self.span ** 2, 9.0))
        ax_loss.set_ylabel("loss of this sample", fontsize=_LABEL_SIZE)
        ax_loss.set_title(f"Loss (target y = {self.y_true:g})", fontsize=_TITLE_SIZE)
        ax_loss.legend(fontsize=_LABEL_SIZE - 2, loc="upper center")
        ax_grad.set_ylim(-4.5, 4.5)
        ax_grad.axhline(0, color="k", lw=0.8)
        ax_grad.set_ylabel("∂ loss / ∂ŷ", fontsize=_LABEL_SIZE)
        ax_grad.set_title("Gradient: how hard the sample pushes ŷ", fontsize=_TITLE_SIZE)
        return fig

    def describe(self, y_pred, delta):
        loss, grad = self._at(y_pred, delta)
        return _table([
            ["", "<b>squared</b>", "<b>absolute</b>", f"<b>Huber (δ = {delta:.1f})</b>"],
            ["loss", *(_fmt(loss[k]) for k in ("mse", "mae", "huber"))],
            ["gradient ∂/∂ŷ", *(_fmt(grad[k]) for k in ("mse", "mae", "huber"))],
            [f"error y − ŷ = {_fmt(self.y_true - y_pred)}", "", "", ""],
        ])


def regression_explorer(y_true=0.0, y_pred=1.5, delta=1.0, span=4.0):
    """Slide a prediction past its target and compare MSE, MAE and Huber.

    Parameters
    ----------
    y_true : float, default 0.0
        The target of the single sample.
    y_pred : float, default 1.5
        The prediction to start from.
    delta : float, default 1.0
        Huber's threshold to start from.
    span : float, default 4.0
        The prediction ranges over ``y_true ± span``.

    Returns
    -------
    ipywidgets.VBox
        The explorer (see the module docstring for its attributes).
    """
    return RegressionExplorer(y_true, y_pred, delta, span).widget


# --- classification: binary cross-entropy ---------------------------------------

class ClassificationExplorer(_Explorer):
    """BCE of one sample against the predicted probability, for y = 0 and y = 1."""

    def __init__(self, p=0.7, y=1):
        self.grid = np.linspace(0.005, 0.995, 199)
        controls = {
            "p": _slider(p, 0.01, 0.99, 0.01, "predicted probability p"),
            "y": _toggle([("y = 0", 0), ("y = 1", 1)], int(y), "true label"),
        }
        super().__init__(controls, note="One sample: choose its label and the probability the "
                                        "model gives to class 1.")

    def draw(self, p, y):
        fig, (ax_loss, ax_grad) = _figure()
        for label in (0, 1):
            ys = np.full_like(self.grid, label)
            current = label == y
            style = dict(color=_COLORS[f"y{label}"], lw=2.4 if current else 1.2,
                         alpha=1.0 if current else 0.45)
            name = "−ln p  (y = 1)" if label == 1 else "−ln(1 − p)  (y = 0)"
            ax_loss.plot(self.grid, _per_point(losses.binary_cross_entropy, ys, self.grid),
                         label=name, ls=_LINES[f"y{label}"], **style)
            ax_grad.plot(self.grid, _per_point(losses.binary_cross_entropy_grad, ys, self.grid),
                         label=f"∂/∂p, y = {label}", ls=_LINES[f"y{label}"], **style)
            ax_grad.plot(self.grid, self.grid - label, ls=":" if label else "-.",
                         label=f"∂/∂z = p − y, y = {label}", **style)
        loss = float(losses.binary_cross_entropy([y], [p]))
        grad_p = float(losses.binary_cross_entropy_grad([y], [p])[0])
        ax_loss.plot([p], [loss], "o", color=_COLORS[f"y{y}"], ms=9, mec="k")
        ax_grad.plot([p], [grad_p], "o", color=_COLORS[f"y{y}"], ms=9, mec="k")
        ax_grad.plot([p], [p - y], "s", color=_COLORS[f"y{y}"], ms=8, mec="k")
        ax_loss.set_ylim(0, 5)
        ax_loss.set_xlabel("predicted probability p of class 1", fontsize=_LABEL_SIZE)
        ax_loss.set_ylabel("binary cross-entropy", fontsize=_LABEL_SIZE)
        ax_loss.set_title("Loss: confident and wrong costs the most", fontsize=_TITLE_SIZE)
        ax_loss.legend(fontsize=_LABEL_SIZE - 2, loc="upper center")
        ax_grad.set_ylim(-8, 8)
        ax_grad.axhline(0, color="k", lw=0.8)
        ax_grad.set_xlabel("predicted probability p of class 1", fontsize=_LABEL_SIZE)
        ax_grad.set_ylabel("gradient", fontsize=_LABEL_SIZE)
        ax_grad.set_title("Gradient w.r.t. p and w.r.t. the logit z (dots)",
                          fontsize=_TITLE_SIZE - 1)
        ax_grad.legend(fontsize=_LABEL_SIZE - 3, loc="lower right", ncol=2)
        return fig

    def describe(self, p, y):
        loss = float(losses.binary_cross_entropy([y], [p]))
        grad_p = float(losses.binary_cross_entropy_grad([y], [p])[0])
        return _table([
            ["<b>loss</b> −[y ln p + (1 − y) ln(1 − p)]", _fmt(loss)],
            ["<b>∂ loss / ∂p</b>", _fmt(grad_p)],
            ["<b>∂ loss / ∂z</b> with p = sigmoid(z): p − y", _fmt(p - y)],
        ])


def classification_explorer(p=0.7, y=1):
    """Binary cross-entropy of one sample as its predicted probability moves.

    Parameters
    ----------
    p : float, default 0.7
        The predicted probability of class 1 to start from.
    y : {0, 1}, default 1
        The true label to start from.

    Returns
    -------
    ipywidgets.VBox
        The explorer (see the module docstring for its attributes).
    """
    return ClassificationExplorer(p, y).widget


# --- margins: hinge against logistic loss ----------------------------------------

class MarginExplorer(_Explorer):
    """Hinge and logistic loss of one sample against its score."""

    def __init__(self, score=0.5, y=1, span=3.0):
        self.grid = np.linspace(-span, span, 121)
        controls = {
            "score": _slider(score, -span, span, 0.05, "score s"),
            "y": _toggle([("y = −1", -1), ("y = +1", 1)], int(y), "true label"),
        }
        super().__init__(controls, note="One sample with label ±1 and a raw score s "
                                        "(positive means 'class +1').")

    @staticmethod
    def _logistic(y, s):
        """Logistic loss ln(1 + e^(−y s)): BCE of sigmoid(s) with the label as 0/1."""
        y01 = (np.asarray(y, dtype=float) + 1) / 2
        return losses.binary_cross_entropy(y01, activations.sigmoid(np.asarray(s, dtype=float)))

    def draw(self, score, y):
        fig, (ax_loss, ax_grad) = _figure()
        ys = np.full_like(self.grid, y)
        hinge = _per_point(losses.hinge, ys, self.grid)
        logistic = _per_point(self._logistic, ys, self.grid)
        zero_one = (ys * self.grid <= 0).astype(float)
        for ax in (ax_loss, ax_grad):
            # The scores that are right but inside the margin: 0 < y s < 1.
            lo, hi = sorted((0.0, float(y)))
            ax.axvspan(lo, hi, color=_COLORS["hinge"], alpha=0.1, label="inside the margin")
            ax.axvline(0, color="k", lw=0.8, ls=":")
            ax.set_xlabel("score s", fontsize=_LABEL_SIZE)
        ax_loss.plot(self.grid, hinge, color=_COLORS["hinge"], ls=_LINES["hinge"], lw=2.4,
                     label="hinge max(0, 1 − y s)")
        ax_loss.plot(self.grid, logistic, color=_COLORS["logistic"], ls=_LINES["logistic"], lw=1.8,
                     label="logistic ln(1 + e^(−y s))")
        ax_loss.step(self.grid, zero_one, where="mid", color=_COLORS["zero_one"], lw=1.2,
                     ls=_LINES["zero_one"],
                     label="0-1 loss (mistake or not)")
        here_hinge = float(losses.hinge([y], [score]))
        here_logistic = float(self._logistic([y], [score]))
        ax_loss.plot([score], [here_hinge], "o", color=_COLORS["hinge"], ms=9, mec="k")
        ax_loss.plot([score], [here_logistic], "o", color=_COLORS["logistic"], ms=8, mec="k")
        ax_loss.set_ylim(-0.1, 4.2)
        ax_loss.set_ylabel("loss of this sample", fontsize=_LABEL_SIZE)
        ax_loss.set_title(f"Loss for true label y = {y:+d}", fontsize=_TITLE_SIZE)
        ax_loss.legend(fontsize=_LABEL_SIZE - 2, loc="upper center")

        hinge_grad = _per_point(losses.hinge_grad, ys, self.grid)
        logistic_grad = -ys * activations.sigmoid(-ys * self.grid)
        ax_grad.plot(self.grid, hinge_grad, color=_COLORS["hinge"], ls=_LINES["hinge"], lw=2.4,
                     label="hinge")
        ax_grad.plot(self.grid, logistic_grad, color=_COLORS["logistic"], ls=_LINES["logistic"],
                     lw=1.8, label="logistic")
        ax_grad.plot([score], [float(losses.hinge_grad([y], [score])[0])], "o",
                     color=_COLORS["hinge"], ms=9, mec="k")
        ax_grad.plot([score], [float(-y * activations.sigmoid(-y * score))], "o",
                     color=_COLORS["logistic"], ms=8, mec="k")
        ax_grad.axhline(0, color="k", lw=0.8)
        ax_grad.set_ylim(-1.3, 1.3)
        ax_grad.set_ylabel("∂ loss / ∂s", fontsize=_LABEL_SIZE)
        ax_grad.set_title("Gradient: hinge stops pushing at margin 1", fontsize=_TITLE_SIZE)
        ax_grad.legend(fontsize=_LABEL_SIZE - 2, loc="lower right")
        return fig

    def describe(self, score, y):
        margin = y * score
        verdict = ("wrong side" if margin <= 0 else
                   "right side, inside the margin" if margin < 1 else "right side, beyond the margin")
        return _table([
            ["<b>margin</b> y·s", _fmt(margin), verdict],
            ["<b>hinge</b>", _fmt(float(losses.hinge([y], [score]))),
             f"gradient {_fmt(float(losses.hinge_grad([y], [score])[0]))}"],
            ["<b>logistic</b>", _fmt(float(self._logistic([y], [score]))),
             f"gradient {_fmt(float(-y * activations.sigmoid(-y * score)))}"],
        ])


def margin_explorer(score=0.5, y=1, span=3.0):
    """Compare hinge and logistic loss of one sample as its score moves.

    Parameters
    ----------
    score : float, default 0.5
        The raw score to start from.
    y : {-1, 1}, default 1
        The true label to start from.
    span : float, default 3.0
        The score ranges over ``[-span, span]``.

    Returns
    -------
    ipywidgets.VBox
        The explorer (see the module docstring for its attributes).
    """
    return MarginExplorer(score, y, span).widget


# --- KL divergence between two distributions ------------------------------------

class KLExplorer(_Explorer):
    """A fixed distribution P against an adjustable Q over a few classes."""

    def __init__(self, p=(0.5, 0.3, 0.2), q_weights=(0.4, 0.4, 0.2)):
        self.p = np.asarray(p, dtype=float)
        self.p = self.p / self.p.sum()
        if len(q_weights) != len(self.p):
            raise ValueError("p and q_weights need one entry per class")
        controls = {f"w{k + 1}": _slider(float(w), 0.05, 1.0, 0.01, f"weight of class {k + 1} in Q")
                    for k, w in enumerate(q_weights)}
        super().__init__(controls, note="P is fixed; the sliders set Q (the weights are "
                                        "divided by their sum, so Q always sums to 1).")

    def q(self, **weights) -> np.ndarray:
        w = np.array([weights[f"w{k + 1}"] for k in range(len(self.p))], dtype=float)
        return w / w.sum()

    def draw(self, **weights):
        fig, (ax_dist, ax_terms) = _figure()
        q = self.q(**weights)
        classes = np.arange(1, len(self.p) + 1)
        ax_dist.bar(classes - 0.2, self.p, width=0.4, color=_COLORS["p"], edgecolor="k",
                    label="P (true)")
        ax_dist.bar(classes + 0.2, q, width=0.4, color=_COLORS["q"], edgecolor="k", hatch="//",
                    label="Q (predicted)")
        ax_dist.set_xticks(classes)
        ax_dist.set_xlabel("class", fontsize=_LABEL_SIZE)
        ax_dist.set_ylabel("probability", fontsize=_LABEL_SIZE)
        ax_dist.set_ylim(0, 1)
        ax_dist.set_title("The two distributions", fontsize=_TITLE_SIZE)
        ax_dist.legend(fontsize=_LABEL_SIZE - 1)

        with np.errstate(divide="ignore"):
            terms = np.where(self.p > 0, self.p * (np.log(self.p) - np.log(q)), 0.0)
        above = terms > 0  # Q gives the class less than P does: a positive term
        ax_terms.bar(classes[above], terms[above], width=0.5, color=_COLORS["above"], edgecolor="k",
                     hatch="//", label="Q < P: positive term")
        ax_terms.bar(classes[~above], terms[~above], width=0.5, color=_COLORS["below"],
                     edgecolor="k", hatch="..", label="Q ≥ P: negative or zero term")
        ax_terms.legend(fontsize=_LABEL_SIZE - 2, loc="upper right")
        ax_terms.axhline(0, color="k", lw=0.8)
        ax_terms.set_xticks(classes)
        ax_terms.set_xlabel("class", fontsize=_LABEL_SIZE)
        ax_terms.set_ylabel("P ln(P / Q) for the class", fontsize=_LABEL_SIZE)
        kl = float(losses.kl_divergence(self.p, q))
        ax_terms.set_title(f"Terms of KL(P‖Q); their sum is {kl:.4f} nats", fontsize=_TITLE_SIZE)
        ax_terms.set_ylim(min(-0.5, 1.15 * terms.min()), max(0.8, 1.15 * terms.max()))
        return fig

    def describe(self, **weights):
        q = self.q(**weights)
        kl_pq = float(losses.kl_divergence(self.p, q))
        kl_qp = float(losses.kl_divergence(q, self.p))
        entropy = float(-np.sum(np.where(self.p > 0, self.p * np.log(np.where(self.p > 0, self.p, 1)), 0)))
        cross = float(losses.categorical_cross_entropy(self.p, q))
        return _table([
            ["Q", ", ".join(f"{v:.3f}" for v in q)],
            ["<b>KL(P‖Q)</b>", _fmt(kl_pq)],
            ["<b>KL(Q‖P)</b> (not the same!)", _fmt(kl_qp)],
            ["cross-entropy H(P, Q) = H(P) + KL(P‖Q)",
             f"{_fmt(cross)} = {_fmt(entropy)} + {_fmt(kl_pq)}"],
        ])


def kl_explorer(p=(0.5, 0.3, 0.2), q_weights=(0.4, 0.4, 0.2)):
    """Move Q around a fixed P and watch KL(P || Q), term by term.

    Parameters
    ----------
    p : sequence of float, default (0.5, 0.3, 0.2)
        The true distribution (normalised to sum to 1).
    q_weights : sequence of float, default (0.4, 0.4, 0.2)
        Starting weights of Q, one per class, each in [0.05, 1].

    Returns
    -------
    ipywidgets.VBox
        The explorer (see the module docstring for its attributes).
    """
    return KLExplorer(p, q_weights).widget
