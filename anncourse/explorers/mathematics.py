"""Interactive explorer for the mathematics chapter (``03-mathematics``).

:func:`neuron_graph_explorer` draws one sigmoid neuron with two inputs as a
computational graph::

    x1 --(x w1)--> m1 --+
    x2 --(x w2)--> m2 --+--> z = m1 + m2 + b --> a = sigma(z) --> L(a, y)
                   b ---+

Every edge carries its forward value (above it) and, after the backward
pass, the gradient of the loss with respect to that value (below it).  A
switch chooses the loss:

* squared error ``L = (a - y)^2``: ``dL/dz = 2 (a - y) sigma'(z)``, and the
  factor ``sigma'(z)`` (at most 1/4) makes the gradient vanish when the
  neuron saturates, even when it is badly wrong;
* binary cross-entropy ``L = -y ln a - (1 - y) ln(1 - a)``:
  ``dL/da = (a - y) / (a (1 - a))`` cancels ``sigma'(z) = a (1 - a)`` and
  ``dL/dz = a - y``.

The right panel shows ``dL/dz`` against ``z`` for both losses, so the
learner sees the factor ``sigma'`` appear (squared error) and disappear
(cross-entropy).  Numbers come from :mod:`anncourse.activations` and the
chain rule; the widget mechanics (controls, readout, PNG image, ``box.update``)
are those of :mod:`anncourse.explorers.losses`.
"""
from __future__ import annotations

import math

import numpy as np

from .. import activations
from .losses import _OKABE_ITO, _Explorer, _fmt, _png, _slider, _table, _toggle

__all__ = ["neuron_graph_explorer", "neuron_graph", "NeuronGraphExplorer"]

_FORWARD = _OKABE_ITO["blue"]
_BACKWARD = _OKABE_ITO["vermillion"]
_NODE = _OKABE_ITO["sky"]
_LOSS_COLORS = {"MSE": _OKABE_ITO["blue"], "BCE": _OKABE_ITO["orange"], "slope": _OKABE_ITO["green"]}
_LOSS_LINES = {"MSE": "-", "BCE": "--", "slope": ":"}


def neuron_graph(x1, x2, w1, w2, b, y, loss="BCE"):
    """Forward values and backward gradients of one sigmoid neuron with two inputs.

    Parameters
    ----------
    x1, x2, w1, w2, b : float
        Inputs, weights and bias.
    y : {0, 1}
        The target.
    loss : {"MSE", "BCE"}
        Squared error ``(a - y)^2`` or binary cross-entropy.

    Returns
    -------
    dict
        ``forward``: ``m1, m2, z, a, L``; ``backward``: the gradient of ``L``
        with respect to ``a, z, m1, m2, b, w1, w2, x1, x2``; ``slope``:
        ``sigma'(z)``.  The BCE of an ``a`` that rounds to 0 or 1 is computed
        from ``z`` (``log(1 + e^-z)``), so it stays finite.

    Raises
    ------
    ValueError
        If ``loss`` is not "MSE" or "BCE", or ``y`` is not 0 or 1.

    Examples
    --------
    >>> g = neuron_graph(1.0, 2.0, 0.5, -0.25, 0.1, y=1, loss="BCE")
    >>> round(g["forward"]["a"], 4), round(g["backward"]["z"], 4)
    (0.525, -0.475)
    """
    if loss not in ("MSE", "BCE"):
        raise ValueError(f"loss must be 'MSE' or 'BCE', not {loss!r}")
    if y not in (0, 1):
        raise ValueError(f"y must be 0 or 1, not {y!r}")
    m1, m2 = x1 * w1, x2 * w2
    z = m1 + m2 + b
    a = float(activations.sigmoid(z))
    slope = float(activations.sigmoid_grad(z))
    if loss == "MSE":
        value = (a - y) ** 2
        d_a = 2 * (a - y)
        d_z = d_a * slope
    else:
        # -ln a = log(1 + e^-z), -ln(1 - a) = log(1 + e^z): finite for any z.
        value = float(np.logaddexp(0.0, -z)) if y == 1 else float(np.logaddexp(0.0, z))
        # dL/da = (a - y) / (a (1 - a)); infinite once a has rounded to y's opposite end.
        d_a = (a - y) / (a * (1 - a)) if 0 < a < 1 else math.copysign(math.inf, a - y)
        d_z = a - y  # the slope a (1 - a) cancels
    backward = {"a": d_a, "z": d_z, "m1": d_z, "m2": d_z, "b": d_z,
                "w1": d_z * x1, "w2": d_z * x2, "x1": d_z * w1, "x2": d_z * w2}
    return {"forward": {"m1": m1, "m2": m2, "z": z, "a": a, "L": value},
            "backward": backward, "slope": slope}


# Where each node sits in the graph panel (x, y), in data units.
_POS = {"x1": (0.0, 5.0), "w1": (0.0, 3.6), "x2": (0.0, 2.2), "w2": (0.0, 0.8), "b": (3.0, -0.4),
        "m1": (3.0, 4.3), "m2": (3.0, 1.5), "z": (5.6, 2.15), "a": (7.7, 2.15), "L": (9.8, 2.15)}
_EDGES = [("x1", "m1"), ("w1", "m1"), ("x2", "m2"), ("w2", "m2"), ("m1", "z"), ("m2", "z"),
          ("b", "z"), ("z", "a"), ("a", "L")]


class NeuronGraphExplorer(_Explorer):
    """One neuron's graph with forward values and gradients, and dL/dz for both losses."""

    def __init__(self, x1=1.0, x2=2.0, w1=0.5, w2=-0.25, b=0.1, y=1, loss="BCE"):
        self.x1, self.x2 = float(x1), float(x2)
        controls = {
            "w1": _slider(w1, -4.0, 4.0, 0.05, "w₁"),
            "w2": _slider(w2, -4.0, 4.0, 0.05, "w₂"),
            "b": _slider(b, -6.0, 6.0, 0.1, "b"),
            "y": _toggle([("y = 0", 0), ("y = 1", 1)], int(y), "target"),
            "loss": _toggle(["MSE", "BCE"], loss, "loss"),
        }
        super().__init__(controls, note=f"Inputs x₁ = {self.x1:g}, x₂ = {self.x2:g}. Forward values "
                                        "above the edges (blue), gradients dL/d(value) below them "
                                        "(vermillion).")

    def graph(self, w1, w2, b, y, loss):
        return neuron_graph(self.x1, self.x2, w1, w2, b, y, loss)

    def draw(self, w1, w2, b, y, loss):
        from matplotlib.figure import Figure
        from matplotlib.patches import Circle

        g = self.graph(w1, w2, b, y, loss)
        values = {"x1": self.x1, "x2": self.x2, "w1": w1, "w2": w2, "b": b, **g["forward"]}
        fig = Figure(figsize=(11.5, 4.4), dpi=96, layout="constrained")
        ax, right = fig.subplots(1, 2, width_ratios=[1.9, 1])
        ax.set_xlim(-0.6, 10.4)
        ax.set_ylim(-1.3, 5.6)
        ax.set_axis_off()
        ax.set_title(f"one neuron, loss = {loss}: forward (above) and backward (below)", fontsize=12)
        for node, (px, py) in _POS.items():
            ax.add_patch(Circle((px, py), 0.36, facecolor="white" if node in ("x1", "x2", "w1", "w2", "b")
                                else _NODE, edgecolor="#000000", linewidth=1.2))
            ax.text(px, py, node, ha="center", va="center", fontsize=11)
        for start, end in _EDGES:
            (x0, y0), (x1, y1) = _POS[start], _POS[end]
            ax.annotate("", xy=(x1, y1), xytext=(x0, y0),
                        arrowprops=dict(arrowstyle="-|>", color="#666666", shrinkA=14, shrinkB=14))
            # Labels at 35% of the way from converging edges' starts, halfway on the others.
            share = 0.35 if end in ("m1", "m2") else 0.5
            mx, my = x0 + share * (x1 - x0), y0 + share * (y1 - y0)
            ax.text(mx, my + 0.22, _fmt(values[start]), color=_FORWARD, ha="center", fontsize=9.5,
                    bbox=dict(facecolor="white", edgecolor="none", pad=0.5))
            ax.text(mx, my - 0.42, _fmt(g["backward"][start]), color=_BACKWARD, ha="center",
                    fontsize=9.5, style="italic", bbox=dict(facecolor="white", edgecolor="none", pad=0.5))
        ax.text(_POS["L"][0], _POS["L"][1] + 0.55, f"L = {_fmt(values['L'])}", ha="center", color=_FORWARD)
        ax.text(_POS["a"][0], -0.6, f"σ′(z) = {_fmt(g['slope'])}", ha="center", color=_BACKWARD)

        right.grid(alpha=0.3)
        span = max(8.0, abs(g["forward"]["z"]) + 1.0)  # keep the current z in view
        self.z_grid = np.linspace(-span, span, 321)
        mse = 2 * (activations.sigmoid(self.z_grid) - y) * activations.sigmoid_grad(self.z_grid)
        bce = activations.sigmoid(self.z_grid) - y
        right.plot(self.z_grid, mse, _LOSS_LINES["MSE"], color=_LOSS_COLORS["MSE"],
                   linewidth=2.6 if loss == "MSE" else 1.4, label="MSE: 2(a − y)·σ′(z)")
        right.plot(self.z_grid, bce, _LOSS_LINES["BCE"], color=_LOSS_COLORS["BCE"],
                   linewidth=2.6 if loss == "BCE" else 1.4, label="BCE: a − y")
        right.plot(self.z_grid, activations.sigmoid_grad(self.z_grid), _LOSS_LINES["slope"],
                   color=_LOSS_COLORS["slope"], label="σ′(z)")
        right.plot([g["forward"]["z"]], [g["backward"]["z"]], "o", color=_LOSS_COLORS[loss], markersize=8)
        right.axhline(0, color="#666666", linewidth=0.8)
        right.set_xlabel("z = w₁x₁ + w₂x₂ + b", fontsize=11)
        right.set_ylabel("dL/dz", fontsize=11)
        right.set_title(f"dL/dz for target y = {y}", fontsize=12)
        right.legend(fontsize=9, loc="best")
        return fig

    def describe(self, w1, w2, b, y, loss):
        g = self.graph(w1, w2, b, y, loss)
        f, d = g["forward"], g["backward"]
        chain = (f"dL/dz = dL/da · σ′(z) = {_fmt(d['a'])} · {_fmt(g['slope'])} = {_fmt(d['z'])}"
                 if loss == "MSE" else
                 f"dL/dz = a − y = {_fmt(f['a'])} − {y} = {_fmt(d['z'])} (σ′ cancelled)")
        return _table([("z", _fmt(f["z"]), "a = σ(z)", _fmt(f["a"]), "L", _fmt(f["L"])),
                       ("dL/dw₁", _fmt(d["w1"]), "dL/dw₂", _fmt(d["w2"]), "dL/db", _fmt(d["b"])),
                       (chain, "", "", "", "", "")])


def neuron_graph_explorer(x1=1.0, x2=2.0, w1=0.5, w2=-0.25, b=0.1, y=1, loss="BCE"):
    """One neuron as a computational graph; switch between squared error and cross-entropy.

    Parameters
    ----------
    x1, x2 : float
        The inputs (fixed).
    w1, w2, b : float
        Starting weights and bias (sliders).
    y : {0, 1}
        Starting target (toggle).
    loss : {"MSE", "BCE"}
        Starting loss (toggle).

    Returns
    -------
    ipywidgets.VBox
        With ``.controls``, ``.readout``, ``.image``, ``.update()`` and ``.explorer``.

    Examples
    --------
    >>> box = neuron_graph_explorer(w1=4.0, w2=2.0, b=3.0, y=0, loss="MSE")  # doctest: +SKIP
    """
    return NeuronGraphExplorer(x1, x2, w1, w2, b, y, loss).widget
