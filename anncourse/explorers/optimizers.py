"""Interactive explorers for the optimizers chapter (``17-optimizers``).

* :func:`optimizer_race` -- the nine optimizers of the chapter on one of
  four surfaces (an ill-conditioned quadratic, Rosenbrock's valley, a saddle
  and Beale's function), from the same start: the paths on the contour
  lines, with a legend naming each path, and the loss against the step
  beside them.  Controls: the surface, which optimizers take part, each
  one's learning rate (one slider, and a menu choosing whose) and the
  number of steps;
* :func:`adam_internals_explorer` -- Adam's moments for a constant gradient
  ``g``: ``m``, ``v``, the bias-corrected ``m_hat`` and ``v_hat`` step by
  step, and the first steps with and without the correction.

Both are built like :mod:`anncourse.explorers.losses` (the shared machinery
lives there): the widget is a ``VBox`` with ``controls``, ``readout``,
``image``, ``update()`` and ``explorer``; the figure is a bare matplotlib
``Figure`` rendered to PNG; matplotlib and ipywidgets are imported only
when an explorer is built.  Every path comes from :mod:`anncourse.optim`,
in the forms the chapter teaches (:class:`~anncourse.optim.MomentumEMA`,
:class:`~anncourse.optim.NesterovLookahead`, the syllabus's
``sqrt(G + eps)`` for Adagrad and RMSprop, Adadelta with a learning-rate
factor that is 1 in Zeiler's original, Dozat's Nadam).

Examples
--------
>>> from anncourse.explorers.optimizers import race
>>> paths = race("quadratic", ["SGD", "Adam"], {"SGD": 0.1, "Adam": 0.1}, steps=3)
>>> paths["SGD"].shape
(4, 2)
>>> [round(float(c), 4) for c in paths["Adam"][1] - paths["Adam"][0]]   # Adam's first step: lr * sign(g)
[0.1, -0.1]
"""
from __future__ import annotations

import math
from dataclasses import dataclass
from typing import Callable

import numpy as np

from .. import optim
from .losses import _OKABE_ITO, _LABEL_SIZE, _TITLE_SIZE, _Explorer, _figure, _fmt, _slider, _table

__all__ = ["NAMES", "SURFACES", "adam_internals_explorer", "adam_moments", "optimizer_race", "race"]


# --- the surfaces -------------------------------------------------------------------

@dataclass(frozen=True)
class Surface:
    """A 2-D loss surface: value, gradient, start, view and the best learning rate of each optimizer."""

    title: str
    formula: str
    f: Callable[[float, float], float]
    grad: Callable[[float, float], np.ndarray]
    start: tuple
    minimum: tuple
    f_min: float
    xlim: tuple
    ylim: tuple
    lrs: dict
    steps: int


def _quadratic(x, y):
    return 0.5 * (x**2 + 10.0 * y**2)


def _quadratic_grad(x, y):
    return np.array([x, 10.0 * y])


def _rosenbrock(x, y):
    return (1 - x) ** 2 + 100.0 * (y - x**2) ** 2


def _rosenbrock_grad(x, y):
    return np.array([-2 * (1 - x) - 400.0 * x * (y - x**2), 200.0 * (y - x**2)])


def _saddle(x, y):
    # A saddle at the origin between two minima at (0, +-1), where f = -1/4.
    return 0.5 * x**2 - 0.5 * y**2 + 0.25 * y**4


def _saddle_grad(x, y):
    return np.array([x, -y + y**3])


_BEALE = ((1.5, 1), (2.25, 2), (2.625, 3))


def _beale(x, y):
    return sum((c - x + x * y**k) ** 2 for c, k in _BEALE)


def _beale_grad(x, y):
    gx = gy = 0.0
    for c, k in _BEALE:
        r = c - x + x * y**k
        gx += 2 * r * (y**k - 1)
        gy += 2 * r * x * k * y ** (k - 1)
    return np.array([gx, gy])


# Learning rates: each optimizer's best on that surface on the grid (1, 2, 5) x 1e-4 ... 1 and 10,
# judged by the largest f - f_min over the last quarter of the surface's steps (the final value
# alone rewards a path that bounces around and happens to land low);
# tests/test_explorers_optimizers.py checks this.
SURFACES = {
    "quadratic": Surface(
        "ill-conditioned quadratic", "f = (x² + 10 y²) / 2", _quadratic, _quadratic_grad,
        (-4.0, 1.5), (0.0, 0.0), 0.0, (-4.5, 4.5), (-2.0, 2.0),
        {"SGD": 0.1, "Momentum": 0.05, "NAG": 0.1, "Adagrad": 2.0, "RMSprop": 0.2,
         "Adadelta": 10.0, "Adam": 1.0, "Adamax": 0.5, "Nadam": 0.5}, 60),
    "rosenbrock": Surface(
        "Rosenbrock's valley", "f = (1 − x)² + 100 (y − x²)²", _rosenbrock, _rosenbrock_grad,
        (-1.5, 2.0), (1.0, 1.0), 0.0, (-2.0, 2.0), (-0.6, 3.0),
        {"SGD": 2e-3, "Momentum": 0.02, "NAG": 1e-3, "Adagrad": 5.0, "RMSprop": 0.02,
         "Adadelta": 5.0, "Adam": 1.0, "Adamax": 2.0, "Nadam": 5.0}, 300),
    "saddle": Surface(
        "a saddle", "f = x²/2 − y²/2 + y⁴/4", _saddle, _saddle_grad,
        (-2.0, 1e-3), (0.0, 1.0), -0.25, (-2.5, 2.5), (-1.6, 1.6),
        {"SGD": 0.5, "Momentum": 1.0, "NAG": 0.5, "Adagrad": 1.0, "RMSprop": 0.05,
         "Adadelta": 10.0, "Adam": 0.05, "Adamax": 0.5, "Nadam": 0.1}, 80),
    "beale": Surface(
        "Beale's function", "f = Σ (cₖ − x + x yᵏ)², c = 1.5, 2.25, 2.625", _beale, _beale_grad,
        (1.0, 1.4), (3.0, 0.5), 0.0, (-1.0, 4.5), (-1.5, 2.0),
        {"SGD": 0.02, "Momentum": 0.1, "NAG": 5e-3, "Adagrad": 2.0, "RMSprop": 0.02,
         "Adadelta": 10.0, "Adam": 0.5, "Adamax": 1.0, "Nadam": 0.2}, 300),
}

NAMES = ("SGD", "Momentum", "NAG", "Adagrad", "RMSprop", "Adadelta", "Adam", "Adamax", "Nadam")

_FACTORIES = {
    "SGD": lambda p, lr: optim.SGD(p, lr=lr),
    "Momentum": lambda p, lr: optim.MomentumEMA(p, lr=lr, beta=0.9),
    "NAG": lambda p, lr: optim.NesterovLookahead(p, lr=lr, momentum=0.9),
    "Adagrad": lambda p, lr: optim.AdagradEpsInsideSqrt(p, lr=lr, eps=1e-8),
    "RMSprop": lambda p, lr: optim.RMSpropEpsInsideSqrt(p, lr=lr, alpha=0.9, eps=1e-8),
    # Zeiler's Adadelta has no learning rate; the slider scales its step (1 = the original).
    "Adadelta": lambda p, lr: optim.Adadelta(p, lr=lr, rho=0.95, eps=1e-6),
    "Adam": lambda p, lr: optim.Adam(p, lr=lr),
    "Adamax": lambda p, lr: optim.Adamax(p, lr=lr),
    "Nadam": lambda p, lr: optim.NadamDozat(p, lr=lr),
}

# Eight Okabe-Ito colours and a grey for nine optimizers; each also has its own line style and
# marker, so the paths can be told apart in greyscale.
_COLORS = {"SGD": "#000000", "Momentum": _OKABE_ITO["orange"], "NAG": _OKABE_ITO["sky"],
           "Adagrad": _OKABE_ITO["green"], "RMSprop": "#F0E442", "Adadelta": _OKABE_ITO["grey"],
           "Adam": _OKABE_ITO["blue"], "Adamax": _OKABE_ITO["vermillion"],
           "Nadam": _OKABE_ITO["purple"]}
_STYLES = {"SGD": ("-", "o"), "Momentum": ("--", "s"), "NAG": (":", "^"), "Adagrad": ("-.", "v"),
           "RMSprop": ("-", "D"), "Adadelta": ("--", "P"), "Adam": ("-", "X"),
           "Adamax": (":", "*"), "Nadam": ("-.", "h")}
# Paths that run away are cut where they leave this box (times the view), so a diverging
# optimizer shows as a line leaving the plot, not as an overflow.
_ESCAPE = 1e3


class _Point:
    """A 2-vector parameter for the optimizers: ``data`` and ``grad``."""

    def __init__(self, xy):
        self.data = np.array(xy, dtype=float)
        self.grad = None


def _surface(name: str) -> Surface:
    if name not in SURFACES:
        raise ValueError(f"unknown surface {name!r}; choose one of {', '.join(SURFACES)}")
    return SURFACES[name]


def race(surface: str, names, lrs: dict, steps: int) -> dict:
    """Run each optimizer in ``names`` for ``steps`` steps on ``surface`` from its start.

    Parameters
    ----------
    surface : str
        One of :data:`SURFACES`.
    names : iterable of str
        Optimizers from :data:`NAMES`.
    lrs : dict
        The learning rate of each (Adadelta: the factor on Zeiler's step).
    steps : int
        ``>= 1``.

    Returns
    -------
    dict
        For each name, the path: an array of shape ``(steps + 1, 2)`` starting at the start.
        A path that leaves the view by a factor of 1000 (or overflows) stops there.

    Examples
    --------
    >>> race("saddle", ["SGD"], {"SGD": 0.5}, 2)["SGD"].round(4).tolist()
    [[-2.0, 0.001], [-1.0, 0.0015], [-0.5, 0.0022]]
    """
    s = _surface(surface)
    steps = int(steps)
    if steps < 1:
        raise ValueError(f"steps must be at least 1, got {steps}")
    span = max(s.xlim[1] - s.xlim[0], s.ylim[1] - s.ylim[0]) * _ESCAPE
    out = {}
    for name in names:
        if name not in _FACTORIES:
            raise ValueError(f"unknown optimizer {name!r}; choose from {', '.join(NAMES)}")
        lr = float(lrs[name])
        if not lr > 0:
            raise ValueError(f"the learning rate of {name} must be positive, got {lr}")
        point = _Point(s.start)
        optimizer = _FACTORIES[name]([point], lr)

        def closure(point=point):
            point.grad = s.grad(*point.data)
            return s.f(*point.data)

        path = [point.data.copy()]
        with np.errstate(all="ignore"):
            for _ in range(steps):
                if name == "NAG":
                    optimizer.step(closure)
                else:
                    point.grad = s.grad(*point.data)
                    optimizer.step()
                if not np.all(np.isfinite(point.data)) or np.abs(point.data).max() > span:
                    break
                path.append(point.data.copy())
        out[name] = np.array(path)
    return out


def losses_along(surface: str, path: np.ndarray) -> np.ndarray:
    """``f - f_min`` at every point of ``path`` (0 at the minimum)."""
    s = _surface(surface)
    return np.array([s.f(x, y) - s.f_min for x, y in path])


class RaceExplorer(_Explorer):
    """Every chosen optimizer on one surface: paths on the contours, loss against step.

    One learning-rate slider serves all nine optimizers: the dropdown next to
    it picks whose learning rate it sets (each optimizer keeps its own).
    """

    def __init__(self, surface="beale", names=NAMES, steps=None, lrs=None):
        import ipywidgets as widgets

        s = _surface(surface)
        unknown = [n for n in names if n not in NAMES]
        if unknown:
            raise ValueError(f"unknown optimizer {unknown[0]!r}; choose from {', '.join(NAMES)}")
        self.lrs = {**s.lrs, **(lrs or {})}
        self._paths_cache = {}
        self._grid_cache = {}
        self._resetting = False
        first = names[0] if names else NAMES[0]
        controls = {
            "surface": widgets.Dropdown(options=list(SURFACES), value=surface, description="surface"),
            "racers": widgets.SelectMultiple(options=list(NAMES), value=tuple(names), rows=9,
                                             description="racers"),
            "tuned": widgets.Dropdown(options=list(NAMES), value=first,
                                      description="learning rate of"),
            "lr": widgets.FloatLogSlider(value=self.lrs[first], base=10, min=-4, max=1.5, step=0.05,
                                         description="lr", readout_format=".2g",
                                         continuous_update=False),
            "steps": widgets.IntSlider(value=int(steps or s.steps), min=5, max=500, step=5,
                                       description="steps", continuous_update=False),
        }
        super().__init__(controls, note="Pick a surface and the racers (Ctrl/Shift-click); choose "
                                        "an optimizer to set its learning rate with the slider. A "
                                        "new surface resets the learning rates to tuned values.")

    def _on_change(self, change):
        if self._resetting:
            return
        owner = change["owner"]
        if owner is self.controls["surface"]:
            s = _surface(change["new"])
            self.lrs = dict(s.lrs)
            self._set_quietly(self.controls["lr"], self.lrs[self.controls["tuned"].value])
            self._set_quietly(self.controls["steps"], s.steps)
        elif owner is self.controls["tuned"]:
            self._set_quietly(self.controls["lr"], self.lrs[change["new"]])
        elif owner is self.controls["lr"]:
            self.lrs[self.controls["tuned"].value] = float(change["new"])
        self.update()

    def _set_quietly(self, control, value):
        self._resetting = True
        try:
            control.value = value
        finally:
            self._resetting = False

    def _paths(self, values):
        # Each optimizer's path is computed once per (surface, lr, steps): moving one control
        # reruns at most one optimizer.
        out = {}
        for name in values["racers"]:
            key = (values["surface"], name, self.lrs[name], values["steps"])
            if key not in self._paths_cache:
                self._paths_cache[key] = race(values["surface"], [name], {name: self.lrs[name]},
                                              values["steps"])[name]
            out[name] = self._paths_cache[key]
        return out

    def _grid(self, surface):
        if surface not in self._grid_cache:
            s = _surface(surface)
            X, Y = np.meshgrid(np.linspace(*s.xlim, 151), np.linspace(*s.ylim, 151))
            Z = s.f(X, Y) - s.f_min
            levels = np.unique(np.quantile(Z, np.linspace(0.002, 0.9, 14) ** 2))
            self._grid_cache[surface] = (X, Y, Z, levels)
        return self._grid_cache[surface]

    def draw(self, **values):
        s = _surface(values["surface"])
        names = [n for n in NAMES if n in values["racers"]]
        paths = self._paths(values)
        fig, (ax, ax_loss) = _figure()
        X, Y, Z, levels = self._grid(values["surface"])
        ax.contour(X, Y, Z, levels=levels, colors="#999999", linewidths=0.7)
        ax.plot(*s.start, marker="o", color="#000000", markersize=7, linestyle="none",
                label="_start")
        ax.plot(*s.minimum, marker="*", color="#000000", markersize=12, linestyle="none",
                label="_minimum")
        for name in names:
            path = paths[name]
            style, marker = _STYLES[name]
            every = max(1, len(path) // 8)
            ax.plot(path[:, 0], path[:, 1], linestyle=style, marker=marker, markevery=every,
                    color=_COLORS[name], linewidth=1.6, markersize=5, label=name)
            loss = np.maximum(losses_along(values["surface"], path), 1e-12)
            ax_loss.plot(np.arange(len(path)), loss, linestyle=style, marker=marker,
                         markevery=every, color=_COLORS[name], linewidth=1.6, markersize=5,
                         label=name)
        ax.set_xlim(*s.xlim)
        ax.set_ylim(*s.ylim)
        ax.set_xlabel("x", fontsize=_LABEL_SIZE)
        ax.set_ylabel("y", fontsize=_LABEL_SIZE)
        ax.set_title(f"{s.title}: {s.formula}", fontsize=_TITLE_SIZE - 1)
        ax_loss.set_yscale("log")
        ax_loss.set_xlabel("step", fontsize=_LABEL_SIZE)
        ax_loss.set_ylabel("f − f_min (log scale)", fontsize=_LABEL_SIZE)
        ax_loss.set_title("loss against step (● start, ★ minimum on the left)",
                          fontsize=_TITLE_SIZE - 1)
        if names:
            ax.legend(fontsize=8, loc="best", ncol=2, framealpha=0.85)
        else:
            ax.text(0.5, 0.5, "no optimizer chosen", transform=ax.transAxes, ha="center")
        return fig

    def describe(self, **values) -> str:
        names = [n for n in NAMES if n in values["racers"]]
        if not names:
            return "<i>Choose at least one racer.</i>"
        paths = self._paths(values)
        s = _surface(values["surface"])
        rows = [["<b>optimizer</b>", "<b>lr</b>", "<b>f − f_min at the end</b>",
                 "<b>distance to the minimum</b>"]]
        for name in names:
            path = paths[name]
            stopped = len(path) - 1 < values["steps"]
            end = "diverged" if stopped else _fmt(float(losses_along(values["surface"], path)[-1]))
            dist = "" if stopped else _fmt(float(np.hypot(*(path[-1] - np.array(s.minimum)))))
            label = f"<b>{name}</b> (slider)" if name == values["tuned"] else name
            rows.append([label, _fmt(self.lrs[name]), end, dist])
        return _table(rows)


def optimizer_race(surface="beale", names=NAMES, steps=None, lrs=None):
    """The optimizer race: paths on a surface's contours and the loss against the step.

    Parameters
    ----------
    surface : str, default "beale"
        ``"quadratic"``, ``"rosenbrock"``, ``"saddle"`` or ``"beale"``.
    names : sequence of str, default all nine
        The optimizers that take part (from :data:`NAMES`).
    steps : int, optional
        The number of steps (the surface's own default if omitted).
    lrs : dict, optional
        Learning rates that replace the surface's tuned ones.

    Returns
    -------
    ipywidgets.VBox
        The explorer (see :mod:`anncourse.explorers.losses` for its attributes).
    """
    return RaceExplorer(surface, tuple(names), steps, lrs).widget


# --- Adam's moments for a constant gradient ---------------------------------------------

def adam_moments(g: float, beta1: float, beta2: float, steps: int, lr: float = 0.1,
                 eps: float = 1e-8) -> dict:
    """``m``, ``v``, ``m_hat``, ``v_hat`` and the step with and without correction, for ``t = 1..steps``.

    The gradient is the same ``g`` at every step, and the numbers are read
    from :class:`anncourse.optim.Adam`'s state.

    Examples
    --------
    >>> r = adam_moments(1.0, 0.9, 0.999, 2)
    >>> [round(float(x), 6) for x in r["m"]], [round(float(x), 6) for x in r["m_hat"]]
    ([0.1, 0.19], [1.0, 1.0])
    """
    steps = int(steps)
    if steps < 1:
        raise ValueError(f"steps must be at least 1, got {steps}")
    if not (0 <= beta1 < 1 and 0 <= beta2 < 1):
        raise ValueError(f"beta1 and beta2 must be in [0, 1), got {beta1} and {beta2}")
    point = _Point([0.0])
    optimizer = optim.Adam([point], lr=lr, betas=(beta1, beta2), eps=eps)
    rows = {k: [] for k in ("m", "v", "m_hat", "v_hat", "step", "step_uncorrected")}
    for t in range(1, steps + 1):
        before = float(point.data[0])
        point.grad = np.array([float(g)])
        optimizer.step()
        m = float(optimizer.state[point]["exp_avg"][0])
        v = float(optimizer.state[point]["exp_avg_sq"][0])
        rows["m"].append(m)
        rows["v"].append(v)
        rows["m_hat"].append(m / (1 - beta1**t))
        rows["v_hat"].append(v / (1 - beta2**t))
        rows["step"].append(before - float(point.data[0]))
        rows["step_uncorrected"].append(lr * m / (math.sqrt(v) + eps))
    return {k: np.array(v) for k, v in rows.items()}


class AdamInternalsExplorer(_Explorer):
    """m, v, m_hat and v_hat over the steps for a constant gradient; one step read out."""

    HORIZON = 200

    def __init__(self, g=1.0, beta1=0.9, beta2=0.999, t=1):
        import ipywidgets as widgets

        controls = {
            "g": _slider(g, -2.0, 2.0, 0.1, "gradient g"),
            "beta1": _slider(beta1, 0.0, 0.99, 0.01, "β₁"),
            "beta2": widgets.SelectionSlider(
                options=[0.9, 0.99, 0.995, 0.999, 0.9999], value=beta2, description="β₂",
                continuous_update=False, style={"description_width": "initial"}),
            "t": widgets.IntSlider(value=int(t), min=1, max=self.HORIZON, description="step t",
                                   continuous_update=False),
        }
        super().__init__(controls, note="The same gradient g at every step, lr = 0.1. "
                                        "Dashed: the raw averages; solid: bias-corrected.")

    def draw(self, g, beta1, beta2, t):
        r = adam_moments(g, beta1, beta2, self.HORIZON)
        steps = np.arange(1, self.HORIZON + 1)
        fig, (ax_m, ax_v) = _figure()
        ax_m.axhline(g, color="#000000", linestyle=":", linewidth=1.0, label="g")
        ax_m.plot(steps, r["m"], color=_OKABE_ITO["orange"], linestyle="--", label="m (raw)")
        ax_m.plot(steps, r["m_hat"], color=_OKABE_ITO["blue"], linestyle="-", label="m̂ = m / (1 − β₁ᵗ)")
        ax_v.axhline(g * g, color="#000000", linestyle=":", linewidth=1.0, label="g²")
        ax_v.plot(steps, r["v"], color=_OKABE_ITO["vermillion"], linestyle="--", label="v (raw)")
        ax_v.plot(steps, r["v_hat"], color=_OKABE_ITO["green"], linestyle="-",
                  label="v̂ = v / (1 − β₂ᵗ)")
        for ax, key, name in ((ax_m, "m", "first moment"), (ax_v, "v", "second moment")):
            ax.axvline(t, color=_OKABE_ITO["grey"], linewidth=0.8, linestyle="-.", label="_t")
            ax.set_xscale("log")
            ax.set_xlabel("step t (log scale)", fontsize=_LABEL_SIZE)
            ax.set_title(f"{name}: raw and corrected", fontsize=_TITLE_SIZE)
            ax.legend(fontsize=9, loc="best")
        ax_m.set_ylabel("m", fontsize=_LABEL_SIZE)
        ax_v.set_ylabel("v", fontsize=_LABEL_SIZE)
        return fig

    def describe(self, g, beta1, beta2, t):
        r = adam_moments(g, beta1, beta2, t)
        i = t - 1
        rows = [["<b>at step t</b>", f"<b>{t}</b>"],
                ["m, m̂", f"{_fmt(r['m'][i])}, {_fmt(r['m_hat'][i])}"],
                ["v, v̂", f"{_fmt(r['v'][i])}, {_fmt(r['v_hat'][i])}"],
                ["step with correction (lr m̂ / (√v̂ + ε))", _fmt(r["step"][i])],
                ["step without correction (lr m / (√v + ε))", _fmt(r["step_uncorrected"][i])]]
        return _table(rows)


def adam_internals_explorer(g=1.0, beta1=0.9, beta2=0.999, t=1):
    """Adam's m, v, m_hat and v_hat for a constant gradient, to show why bias correction exists.

    Parameters
    ----------
    g : float, default 1.0
        The gradient, the same at every step.
    beta1, beta2 : float, default 0.9 and 0.999
        Adam's decay rates (``beta2`` from a list of usual values).
    t : int, default 1
        The step whose numbers the table shows (1 to 200).

    Returns
    -------
    ipywidgets.VBox
        The explorer (see :mod:`anncourse.explorers.losses` for its attributes).
    """
    return AdamInternalsExplorer(g, beta1, beta2, t).widget
