"""Interactive explorers for the activation-functions chapter (``04-activation-functions``).

* :func:`activation_gallery` -- sigmoid, tanh, ReLU and leaky ReLU side by
  side: each function on the left, its derivative on the right, a marker at
  the chosen ``z`` and a slider for leaky ReLU's slope ``alpha``;
* :func:`gradient_depth_explorer` -- what is left of a gradient after it has
  gone back through ``L`` layers that each multiply it by ``f'(z)``, on a
  log axis: ``0.25**L`` for the sigmoid at ``z = 0``, 1 for tanh at 0 and for
  ReLU at any ``z > 0``, exactly 0 for ReLU at ``z <= 0``.

Both are built like :mod:`anncourse.explorers.losses` (the shared machinery
lives there): the widget is a ``VBox`` with ``controls``, ``readout``,
``image``, ``update()`` and ``explorer``; the figure is a bare matplotlib
``Figure`` rendered to PNG; matplotlib and ipywidgets are imported only
when an explorer is built.  Every value comes from
:mod:`anncourse.activations`.

Examples
--------
>>> from anncourse.explorers.activation_functions import depth_products
>>> f"{depth_products('sigmoid', 0.0, 10)[-1]:.4g}"
'9.537e-07'
"""
from __future__ import annotations

import numpy as np

from .. import activations
from .losses import _OKABE_ITO, _LABEL_SIZE, _TITLE_SIZE, _Explorer, _figure, _fmt, _slider, _table

__all__ = ["activation_gallery", "depth_products", "gradient_depth_explorer"]

NAMES = ("sigmoid", "tanh", "relu", "leaky_relu")
TITLES = {"sigmoid": "sigmoid", "tanh": "tanh", "relu": "ReLU", "leaky_relu": "leaky ReLU"}
_COLORS = {"sigmoid": _OKABE_ITO["blue"], "tanh": _OKABE_ITO["orange"], "relu": _OKABE_ITO["green"],
           "leaky_relu": _OKABE_ITO["purple"]}
_LINES = {"sigmoid": "-", "tanh": "--", "relu": ":", "leaky_relu": "-."}
# A product of exactly 0 cannot be drawn on a log axis: it is drawn on this floor, and so is
# any product below it (0.01**L for leaky ReLU passes it at L = 15).
FLOOR = 1e-30


def value(name: str, z, alpha: float = 0.01) -> np.ndarray:
    """``f(z)`` for one of :data:`NAMES` (``alpha`` is leaky ReLU's slope)."""
    if name == "leaky_relu":
        return activations.leaky_relu(z, negative_slope=alpha)
    return getattr(activations, _known(name))(z)


def derivative(name: str, z, alpha: float = 0.01) -> np.ndarray:
    """``f'(z)`` for one of :data:`NAMES`, with PyTorch's values at the kinks."""
    if name == "leaky_relu":
        return activations.leaky_relu_grad(z, negative_slope=alpha)
    return getattr(activations, f"{_known(name)}_grad")(z)


def _known(name: str) -> str:
    if name not in NAMES:
        raise ValueError(f"unknown activation {name!r}; choose one of {', '.join(NAMES)}")
    return name


def depth_products(name: str, z: float, depth: int, alpha: float = 0.01) -> np.ndarray:
    """``f'(z)**L`` for ``L = 1 .. depth``: the factor a gradient keeps after ``L`` such layers.

    The model is the simplest deep chain, ``a_L = f(w a_{L-1})`` with ``w = 1``
    and every layer at the same pre-activation ``z``: the chain rule then
    multiplies ``L`` copies of ``f'(z)``.

    Examples
    --------
    >>> depth_products("tanh", 0.0, 3)
    array([1., 1., 1.])
    """
    if int(depth) < 1:
        raise ValueError(f"depth must be at least 1, got {depth}")
    d = float(derivative(name, [float(z)], alpha)[0])
    return d ** np.arange(1, int(depth) + 1, dtype=float)


# --- the gallery ---------------------------------------------------------------------

class ActivationGallery(_Explorer):
    """Four activations and their derivatives, with a marker at ``z``."""

    def __init__(self, z=1.0, alpha=0.1, span=5.0):
        self.grid = np.linspace(-span, span, 401)
        controls = {"z": _slider(z, -span, span, 0.1, "pre-activation z"),
                    "alpha": _slider(alpha, 0.0, 0.5, 0.01, "leaky slope α")}
        super().__init__(controls, note="Each curve keeps its colour and line style in both panels; "
                                        "the dots mark the chosen z.")

    def draw(self, z, alpha):
        fig, (ax_f, ax_d) = _figure()
        for name in NAMES:
            style = dict(color=_COLORS[name], ls=_LINES[name], lw=2)
            label = TITLES[name] + (f" (α = {alpha:.2f})" if name == "leaky_relu" else "")
            ax_f.plot(self.grid, value(name, self.grid, alpha), label=label, **style)
            ax_d.plot(self.grid, derivative(name, self.grid, alpha), label=label, **style)
            ax_f.plot([z], [float(value(name, [z], alpha)[0])], "o", color=_COLORS[name], ms=8, mec="k")
            ax_d.plot([z], [float(derivative(name, [z], alpha)[0])], "o", color=_COLORS[name], ms=8,
                      mec="k")
        for ax in (ax_f, ax_d):
            ax.axvline(z, color="k", lw=0.8, ls=(0, (1, 3)))
            ax.axhline(0, color="k", lw=0.6)
            ax.set_xlabel("pre-activation z", fontsize=_LABEL_SIZE)
        ax_f.set_ylim(-1.5, 3.0)
        ax_f.set_ylabel("f(z)", fontsize=_LABEL_SIZE)
        ax_f.set_title("The activations", fontsize=_TITLE_SIZE)
        ax_f.legend(fontsize=_LABEL_SIZE - 2, loc="upper left")
        ax_d.set_ylim(-0.1, 1.15)
        ax_d.set_ylabel("f′(z)", fontsize=_LABEL_SIZE)
        ax_d.set_title("Their derivatives: how much gradient passes", fontsize=_TITLE_SIZE)
        ax_d.legend(fontsize=_LABEL_SIZE - 2, loc="center left")
        return fig

    def describe(self, z, alpha):
        rows = [["", "<b>f(z)</b>", "<b>f′(z)</b>", "<b>range</b>"]]
        ranges = {"sigmoid": "(0, 1)", "tanh": "(−1, 1)", "relu": "[0, ∞)", "leaky_relu": "(−∞, ∞)"}
        for name in NAMES:
            rows.append([f"<b>{TITLES[name]}</b>", _fmt(float(value(name, [z], alpha)[0])),
                         _fmt(float(derivative(name, [z], alpha)[0])), ranges[name]])
        rows.append([f"at z = {_fmt(z)}, α = {alpha:.2f}", "", "", ""])
        return _table(rows)


def activation_gallery(z=1.0, alpha=0.1, span=5.0):
    """Sigmoid, tanh, ReLU and leaky ReLU, and their derivatives, side by side.

    Parameters
    ----------
    z : float, default 1.0
        The pre-activation marked on every curve, to start from.
    alpha : float, default 0.1
        Leaky ReLU's slope for ``z <= 0`` (the slider runs from 0 to 0.5).
    span : float, default 5.0
        ``z`` ranges over ``[-span, span]``.

    Returns
    -------
    ipywidgets.VBox
        The explorer (see :mod:`anncourse.explorers.losses` for its attributes).
    """
    return ActivationGallery(z, alpha, span).widget


# --- gradient through depth ---------------------------------------------------------

class GradientDepthExplorer(_Explorer):
    """``f'(z)**L`` against the depth ``L`` on a log axis, for the four activations."""

    def __init__(self, z=0.0, depth=20, alpha=0.01, span=4.0):
        import ipywidgets as widgets

        self.alpha, self.grid = float(alpha), np.linspace(-span, span, 321)
        depth_slider = widgets.IntSlider(value=int(depth), min=1, max=60, description="layers L",
                                         continuous_update=False,
                                         style={"description_width": "initial"},
                                         layout=widgets.Layout(width="340px"))
        controls = {"z": _slider(z, -span, span, 0.1, "pre-activation z (every layer)"),
                    "depth": depth_slider}
        super().__init__(controls, note=f"A chain of L layers, each with weight 1 and the same "
                                        f"pre-activation z; leaky ReLU's α = {self.alpha:g}.")

    def draw(self, z, depth):
        fig, (ax_d, ax_p) = _figure()
        layers = np.arange(1, depth + 1)
        for name in NAMES:
            style = dict(color=_COLORS[name], ls=_LINES[name], lw=2)
            ax_d.plot(self.grid, derivative(name, self.grid, self.alpha), label=TITLES[name], **style)
            d = float(derivative(name, [z], self.alpha)[0])
            ax_d.plot([z], [d], "o", color=_COLORS[name], ms=8, mec="k")
            products = depth_products(name, z, depth, self.alpha)
            label = f"{TITLES[name]}: ({_fmt(d)})^L" + ("  = 0, drawn on the floor" if d == 0 else "")
            ax_p.plot(layers, np.maximum(products, FLOOR), label=label, marker="o", ms=3, **style)
        ax_d.axvline(z, color="k", lw=0.8, ls=(0, (1, 3)))
        ax_d.set_ylim(-0.05, 1.1)
        ax_d.set_xlabel("pre-activation z", fontsize=_LABEL_SIZE)
        ax_d.set_ylabel("f′(z)", fontsize=_LABEL_SIZE)
        ax_d.set_title("The factor each layer contributes", fontsize=_TITLE_SIZE)
        ax_d.legend(fontsize=_LABEL_SIZE - 2, loc="center left")
        # The floor: exact zeros, and anything smaller than it, are drawn on this line.
        ax_p.axhline(FLOOR, color=_OKABE_ITO["grey"], lw=0.8, ls=(0, (4, 4)))
        ax_p.text(depth + 0.4, FLOOR * 3, "floor: 0, or below 1e−30", ha="right", va="bottom",
                  fontsize=_LABEL_SIZE - 3, color=_OKABE_ITO["grey"])
        ax_p.xaxis.get_major_locator().set_params(integer=True)
        ax_p.set_yscale("log")
        ax_p.set_ylim(FLOOR / 3, 10.0)
        ax_p.set_xlim(0.5, depth + 0.5)
        ax_p.set_xlabel("number of layers L", fontsize=_LABEL_SIZE)
        ax_p.set_ylabel("gradient factor f′(z)^L (log scale)", fontsize=_LABEL_SIZE)
        ax_p.set_title("What reaches the first layer", fontsize=_TITLE_SIZE)
        ax_p.legend(fontsize=_LABEL_SIZE - 3, loc="lower left")
        return fig

    def describe(self, z, depth):
        rows = [["", "<b>f′(z)</b>", f"<b>f′(z)^L, L = {depth}</b>"]]
        for name in NAMES:
            d = float(derivative(name, [z], self.alpha)[0])
            rows.append([f"<b>{TITLES[name]}</b>", _fmt(d),
                         _fmt(float(depth_products(name, z, depth, self.alpha)[-1]))])
        return _table(rows)


def gradient_depth_explorer(z=0.0, depth=20, alpha=0.01, span=4.0):
    """How much of a gradient survives ``L`` layers of each activation, on a log axis.

    Parameters
    ----------
    z : float, default 0.0
        The pre-activation of every layer, to start from.
    depth : int, default 20
        The number of layers to start from (the slider runs from 1 to 60).
    alpha : float, default 0.01
        Leaky ReLU's slope.
    span : float, default 4.0
        ``z`` ranges over ``[-span, span]``.

    Returns
    -------
    ipywidgets.VBox
        The explorer (see :mod:`anncourse.explorers.losses` for its attributes).
    """
    return GradientDepthExplorer(z, depth, alpha, span).widget
