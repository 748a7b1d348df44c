"""Interactive explorers for the optimization-techniques chapter (``06-optimization-techniques``).

* :func:`momentum_explorer` -- heavy-ball momentum on the 2-D quadratic
  ``f(x, y) = (x^2 / kappa + y^2) / 2`` (eigenvalues ``1/kappa`` and 1),
  with the step size, ``beta`` and the condition number ``kappa`` as
  controls: the path on the contour lines next to plain gradient descent's,
  and the distance to the minimum per step on a log axis, where the rate
  predicted by the 2x2 iteration matrix is drawn against the one observed;
* :func:`layer_gradient_explorer` -- the norm of the gradient of each
  layer's weights in a deep network, on a log axis, as the depth, the weight
  scale, the activation and a clipping threshold change, next to the same
  network with each remedy (an initialisation matched to the activation,
  ReLU with He initialisation, residual connections).

Chapter 04's :func:`~anncourse.explorers.activation_functions.gradient_depth_explorer`
shows the scalar product ``f'(z)**L`` with unit weights; this one measures
real networks, with weights, clipping and the remedies.

Both are built like :mod:`anncourse.explorers.losses` (the shared machinery
lives there).  The rates come from :mod:`anncourse.optimization`; the
gradients from :func:`layer_gradient_norms`, a NumPy forward and backward
pass checked against PyTorch's autograd in the tests.

Examples
--------
>>> norms = layer_gradient_norms(5, 1.0, "tanh", random_state=0)
>>> norms.shape
(5,)
"""
from __future__ import annotations

import math

import numpy as np

from .. import activations, optimization
from .losses import _OKABE_ITO, _LABEL_SIZE, _TITLE_SIZE, _Explorer, _figure, _fmt, _slider, _table

__all__ = ["layer_gradient_explorer", "layer_gradient_norms", "momentum_explorer", "observed_rate"]

ACTIVATIONS = ("sigmoid", "tanh", "relu")
# The weight scale g (std = g / sqrt(fan_in)) that keeps the signal's size through a layer:
# He's sqrt(2) for ReLU, LeCun/Xavier's 1 for tanh; the sigmoid has no such scale (its
# derivative is at most 1/4), and 1 is what Xavier's rule gives it.
MATCHED_SCALE = {"sigmoid": 1.0, "tanh": 1.0, "relu": math.sqrt(2.0)}
_FUNCS = {"sigmoid": (activations.sigmoid, activations.sigmoid_grad),
          "tanh": (activations.tanh, activations.tanh_grad),
          "relu": (activations.relu, activations.relu_grad)}
# Distances below this are drawn on it (a path can reach exactly 0), and above the ceiling
# a diverging path is cut.
_FLOOR, _CEIL = 1e-16, 1e8


def observed_rate(distances) -> float:
    """The per-step rate measured on the second half of a sequence of distances to the minimum.

    ``(d_K / d_{K/2}) ** (1 / (K - K/2))``, over the steps whose distance is
    positive and finite (a path that lands exactly on the minimum, or
    overflows, stops counting there).

    Examples
    --------
    >>> round(observed_rate(0.5 ** np.arange(41)), 6)
    0.5
    """
    d = np.asarray(distances, dtype=np.float64)
    good = np.flatnonzero(~((d > 0) & np.isfinite(d)))
    end = len(d) if good.size == 0 else int(good[0])
    if end < 3:
        return float("nan")
    start = end // 2
    steps = end - 1 - start
    return float((d[end - 1] / d[start]) ** (1.0 / steps))


# --- momentum on an ill-conditioned bowl -----------------------------------------------

class MomentumExplorer(_Explorer):
    """Heavy ball against gradient descent on ``(x^2 / kappa + y^2) / 2``."""

    def __init__(self, lr=1.8, beta=0.5, kappa=20.0, steps=100, start=(-1.0, 0.8)):
        self.steps, self.start = int(steps), np.asarray(start, dtype=float)
        controls = {"lr": _slider(lr, 0.05, 4.0, 0.05, "step size lr (λ_max = 1)"),
                    "beta": _slider(beta, 0.0, 0.99, 0.01, "momentum β"),
                    "kappa": _slider(kappa, 1.0, 100.0, 1.0, "condition number κ", fmt=".0f")}
        super().__init__(controls, note="Momentum in PyTorch's form, v ← βv + ∇f, θ ← θ − lr·v; "
                                        "the dashed path is gradient descent (β = 0) with the same lr.")

    def _run(self, lr, beta, kappa):
        lam = np.array([1.0 / kappa, 1.0])
        # The bowl's long axis is x: draw it in coordinates where the contours are ellipses
        # of axis ratio sqrt(kappa), and start at the same point for every kappa.
        start = self.start * np.array([math.sqrt(kappa), 1.0])
        heavy = optimization.descent_path(lr, beta, lam, start, self.steps)
        plain = optimization.descent_path(lr, 0.0, lam, start, self.steps)
        return lam, start, heavy, plain

    def numbers(self, lr, beta, kappa) -> dict:
        lam, start, heavy, plain = self._run(lr, beta, kappa)
        with np.errstate(over="ignore", invalid="ignore"):
            dist = np.linalg.norm(heavy, axis=1)
            dist_gd = np.linalg.norm(plain, axis=1)
        best_lr, best_beta, best_rate = optimization.optimal_momentum(lam)
        return {"predicted": optimization.heavy_ball_rate(lr, beta, lam),
                "observed": observed_rate(dist), "gd": optimization.gd_rate(lr, lam),
                "gd_observed": observed_rate(dist_gd),
                "stable": all(optimization.momentum_stable(lr * lam, beta)),
                "best_gd": optimization.gd_rate(optimization.optimal_gd_lr(lam), lam),
                "best_lr": best_lr, "best_beta": best_beta, "best_rate": best_rate,
                "dist": dist, "dist_gd": dist_gd, "heavy": heavy, "plain": plain, "start": start}

    def draw(self, lr, beta, kappa):
        n = self.numbers(lr, beta, kappa)
        fig, (ax_path, ax_rate) = _figure()
        half_width = 1.25 * abs(n["start"][0])
        xs, ys = np.linspace(-half_width, half_width, 241), np.linspace(-1.25, 1.25, 161)
        X, Y = np.meshgrid(xs, ys)
        F = 0.5 * (X ** 2 / kappa + Y ** 2)
        levels = 0.5 * np.array([0.01, 0.05, 0.15, 0.3, 0.5, 0.8, 1.2]) * (1 + 0.64)
        ax_path.contour(X, Y, F, levels=levels, colors=_OKABE_ITO["grey"], linewidths=0.7)
        for path, name, color, ls, label in [
                (n["plain"], "gd", _OKABE_ITO["orange"], "--", f"gradient descent (β = 0)"),
                (n["heavy"], "hb", _OKABE_ITO["blue"], "-", f"momentum, β = {beta:.2f}")]:
            shown = path[np.all(np.abs(path) < 10 * half_width, axis=1)]
            ax_path.plot(shown[:, 0], shown[:, 1], color=color, ls=ls, lw=1.6, marker="o", ms=2.5,
                         label=label)
        ax_path.plot([0], [0], "*", color="k", ms=11)
        ax_path.set_xlim(-half_width, half_width)
        ax_path.set_ylim(-1.25, 1.25)
        ax_path.set_xlabel("x (flat direction, curvature 1/κ)", fontsize=_LABEL_SIZE)
        ax_path.set_ylabel("y (steep direction, curvature 1)", fontsize=_LABEL_SIZE)
        ax_path.set_title(f"The path on f = (x²/κ + y²)/2, κ = {kappa:.0f}", fontsize=_TITLE_SIZE)
        ax_path.legend(fontsize=_LABEL_SIZE - 2, loc="lower right")

        k = np.arange(self.steps + 1)
        d0 = n["dist"][0]
        for dist, color, ls, label in [
                (n["dist_gd"], _OKABE_ITO["orange"], "--", "gradient descent, observed"),
                (n["dist"], _OKABE_ITO["blue"], "-", "momentum, observed")]:
            ax_rate.plot(k, np.clip(np.nan_to_num(dist, nan=_CEIL, posinf=_CEIL), _FLOOR, _CEIL),
                         color=color, ls=ls, lw=1.8, label=label)
        with np.errstate(over="ignore", under="ignore"):
            for rate, color, ls, label in [
                    (n["gd"], _OKABE_ITO["vermillion"], ":", f"GD predicted, rate {_fmt(n['gd'])}"),
                    (n["predicted"], _OKABE_ITO["sky"], "-.",
                     f"momentum predicted, rate {_fmt(n['predicted'])}")]:
                ax_rate.plot(k, np.clip(d0 * rate ** k, _FLOOR, _CEIL), color=color, ls=ls, lw=1.6,
                             label=label)
        ax_rate.set_yscale("log")
        drawn = np.concatenate([line.get_ydata() for line in ax_rate.lines])
        ax_rate.set_ylim(max(_FLOOR, drawn.min()) / 5, min(_CEIL, drawn.max()) * 5)
        ax_rate.set_xlabel("step k", fontsize=_LABEL_SIZE)
        ax_rate.set_ylabel("distance to the minimum (log scale)", fontsize=_LABEL_SIZE)
        ax_rate.set_title("Predicted against observed", fontsize=_TITLE_SIZE)
        ax_rate.legend(fontsize=_LABEL_SIZE - 3, loc="lower left")
        return fig

    def describe(self, lr, beta, kappa):
        n = self.numbers(lr, beta, kappa)
        verdict = "converges" if n["stable"] else "<b>diverges</b> (or never settles)"
        rows = [["", "<b>predicted rate</b>", "<b>observed rate</b>"],
                ["<b>momentum</b>", _fmt(n["predicted"]), _fmt(n["observed"])],
                ["<b>gradient descent</b>", _fmt(n["gd"]), _fmt(n["gd_observed"])],
                [f"momentum {verdict} (both lr·λ inside the region of Exercise 3)", "", ""],
                [f"best GD rate (κ−1)/(κ+1) = {_fmt(n['best_gd'])}; best momentum: lr = "
                 f"{_fmt(n['best_lr'])}, β = {_fmt(n['best_beta'])}, rate {_fmt(n['best_rate'])}",
                 "", ""]]
        return _table(rows)


def momentum_explorer(lr=1.8, beta=0.5, kappa=20.0, steps=100):
    """Heavy-ball momentum against gradient descent on an ill-conditioned 2-D bowl.

    Parameters
    ----------
    lr : float, default 1.8
        The step size to start from (the largest curvature is 1, so plain
        gradient descent is stable for ``lr < 2``).
    beta : float, default 0.5
        The momentum to start from (the slider runs from 0 to 0.99).
    kappa : float, default 20
        The condition number ``lambda_max / lambda_min`` (1 to 100).
    steps : int, default 100
        How many steps each path takes.

    Returns
    -------
    ipywidgets.VBox
        The explorer (see :mod:`anncourse.explorers.losses` for its attributes).
    """
    return MomentumExplorer(lr, beta, kappa, steps).widget


# --- gradient norms per layer -------------------------------------------------------------

def layer_gradient_norms(depth, weight_scale, activation, residual=False, width=32, batch=64,
                         random_state=0):
    """The Frobenius norm of ``dL/dW_l`` for each layer ``l = 1 .. depth`` of a random network.

    The network has ``depth`` square layers of ``width`` units without
    biases, ``z_l = a_{l-1} W_l`` and ``a_l = f(z_l)`` (``a_l = a_{l-1} +
    f(z_l)`` with ``residual=True``), weights drawn from
    ``N(0, weight_scale^2 / width)``, a batch of standard normal inputs, and
    the loss ``L = mean over the batch of a_L . r`` for a fixed random unit
    vector ``r``.  The draws depend only on ``random_state``, so two settings
    compare the same network.

    Raises
    ------
    ValueError
        For an unknown activation, a depth below 1 or a negative scale.

    Examples
    --------
    >>> n = layer_gradient_norms(10, 1.0, "sigmoid")
    >>> bool(n[0] < 1e-3 * n[-1])      # the first layer gets far less than the last
    True
    """
    if activation not in _FUNCS:
        raise ValueError(f"unknown activation {activation!r}; choose one of {', '.join(_FUNCS)}")
    if int(depth) < 1 or weight_scale < 0:
        raise ValueError(f"need depth >= 1 and weight_scale >= 0, got {depth} and {weight_scale}")
    f, df = _FUNCS[activation]
    rng = np.random.default_rng(random_state)
    x = rng.normal(size=(batch, width))
    r = rng.normal(size=width)
    r /= np.linalg.norm(r)
    weights = [rng.normal(size=(width, width)) * (weight_scale / math.sqrt(width))
               for _ in range(int(depth))]
    inputs, pre = [], []
    a = x
    with np.errstate(over="ignore", invalid="ignore"):
        for W in weights:
            z = a @ W
            inputs.append(a)
            pre.append(z)
            a = a + f(z) if residual else f(z)
        delta = np.tile(r / batch, (batch, 1))           # dL/da_L
        norms = np.empty(len(weights))
        for l in range(len(weights) - 1, -1, -1):
            dz = delta * df(pre[l])
            norms[l] = np.linalg.norm(inputs[l].T @ dz)
            delta = dz @ weights[l].T + (delta if residual else 0.0)
    return norms


class LayerGradientExplorer(_Explorer):
    """Per-layer gradient norms, clipped and not, and the remedies at the same depth."""

    def __init__(self, depth=20, weight_scale=1.0, activation="sigmoid", max_norm=1.0,
                 random_state=0):
        import ipywidgets as widgets

        self.random_state = random_state
        depth_slider = widgets.IntSlider(value=int(depth), min=2, max=50, description="layers",
                                         continuous_update=False,
                                         style={"description_width": "initial"},
                                         layout=widgets.Layout(width="300px"))
        clip = widgets.FloatLogSlider(value=max_norm, base=10, min=-4, max=2, step=0.25,
                                      description="max_norm (clip)", continuous_update=False,
                                      readout_format=".2g", style={"description_width": "initial"},
                                      layout=widgets.Layout(width="300px"))
        act = widgets.ToggleButtons(options=list(ACTIVATIONS), value=activation,
                                    description="activation",
                                    style={"description_width": "initial", "button_width": "70px"})
        controls = {"depth": depth_slider,
                    "weight_scale": _slider(weight_scale, 0.25, 4.0, 0.05,
                                            "weight scale g (std g/√n)"),
                    "activation": act, "max_norm": clip}
        super().__init__(controls, note="32 units per layer, weights N(0, g²/32), a batch of 64 "
                                        "random inputs; the same network for every setting.")

    def numbers(self, depth, weight_scale, activation, max_norm) -> dict:
        raw = layer_gradient_norms(depth, weight_scale, activation, random_state=self.random_state)
        total = float(np.sqrt(np.sum(raw ** 2)))
        scale = min(1.0, max_norm / (total + optimization.CLIP_EPS)) if np.isfinite(total) else 0.0
        remedies = {
            "as set": raw,
            f"matched init (g = {MATCHED_SCALE[activation]:.3g})":
                layer_gradient_norms(depth, MATCHED_SCALE[activation], activation,
                                     random_state=self.random_state),
            "ReLU with He init (g = √2)":
                layer_gradient_norms(depth, math.sqrt(2.0), "relu", random_state=self.random_state),
            "residual connections": layer_gradient_norms(depth, weight_scale, activation, residual=True,
                                                         random_state=self.random_state),
        }
        return {"raw": raw, "total": total, "scale": scale, "clipped": raw * scale,
                "remedies": remedies}

    def draw(self, depth, weight_scale, activation, max_norm):
        n = self.numbers(depth, weight_scale, activation, max_norm)
        fig, (ax_l, ax_r) = _figure()
        layers = np.arange(1, depth + 1)
        ax_l.plot(layers, _visible(n["raw"]), color=_OKABE_ITO["blue"], ls="-", marker="o", ms=3,
                  lw=1.8, label=f"gradient norm, total {_fmt(n['total'])}")
        ax_l.plot(layers, _visible(n["clipped"]), color=_OKABE_ITO["orange"], ls="--", marker="s",
                  ms=3, lw=1.8, label=f"after clipping (× {_fmt(n['scale'])})")
        ax_l.axhline(max_norm, color=_OKABE_ITO["vermillion"], ls=":", lw=1.4,
                     label="max_norm (a limit on the total)")
        for ax in (ax_l, ax_r):
            ax.xaxis.get_major_locator().set_params(integer=True)
        ax_l.set_yscale("log")
        ax_l.set_xlabel("layer (1 = next to the input)", fontsize=_LABEL_SIZE)
        ax_l.set_ylabel("‖dL/dW‖ of the layer (log scale)", fontsize=_LABEL_SIZE)
        ax_l.set_title(f"{activation}, g = {weight_scale:.2f}, {depth} layers", fontsize=_TITLE_SIZE)
        ax_l.legend(fontsize=_LABEL_SIZE - 3, loc="best")
        styles = ["-", "--", ":", "-."]
        colors = [_OKABE_ITO["blue"], _OKABE_ITO["green"], _OKABE_ITO["purple"], _OKABE_ITO["orange"]]
        for (label, norms), ls, color in zip(n["remedies"].items(), styles, colors):
            ax_r.plot(layers, _visible(norms), color=color, ls=ls, lw=1.8, label=label)
        ax_r.set_yscale("log")
        ax_r.set_xlabel("layer (1 = next to the input)", fontsize=_LABEL_SIZE)
        ax_r.set_ylabel("‖dL/dW‖ of the layer (log scale)", fontsize=_LABEL_SIZE)
        ax_r.set_title("The remedies, same depth", fontsize=_TITLE_SIZE)
        ax_r.legend(fontsize=_LABEL_SIZE - 3, loc="best")
        return fig

    def describe(self, depth, weight_scale, activation, max_norm):
        n = self.numbers(depth, weight_scale, activation, max_norm)
        rows = [["", "<b>first layer</b>", "<b>last layer</b>", "<b>first / last</b>"]]
        for label, norms in [("as set", n["raw"]), ("after clipping", n["clipped"])] + \
                [(k, v) for k, v in n["remedies"].items() if k != "as set"]:
            ratio = norms[0] / norms[-1] if norms[-1] > 0 else float("nan")
            rows.append([f"<b>{label}</b>", _fmt(norms[0]), _fmt(norms[-1]), _fmt(ratio)])
        rows.append([f"total norm {_fmt(n['total'])}, max_norm {_fmt(max_norm)}: clipping multiplies "
                     f"every layer by {_fmt(n['scale'])}", "", "", ""])
        return _table(rows)


def _visible(values):
    """Zeros, infinities and NaN cannot be drawn on a log axis: keep them inside the frame."""
    v = np.nan_to_num(np.asarray(values, dtype=float), nan=1e30, posinf=1e30)
    return np.clip(v, 1e-30, 1e30)


def layer_gradient_explorer(depth=20, weight_scale=1.0, activation="sigmoid", max_norm=1.0):
    """Gradient norms per layer of a deep network, with clipping and the remedies.

    Parameters
    ----------
    depth : int, default 20
        The number of layers to start from (2 to 50).
    weight_scale : float, default 1.0
        ``g`` in the weights' standard deviation ``g / sqrt(fan_in)``.
    activation : {"sigmoid", "tanh", "relu"}, default "sigmoid"
        The hidden activation.
    max_norm : float, default 1.0
        The clipping threshold on the total norm (a log slider from 1e-4 to 100).

    Returns
    -------
    ipywidgets.VBox
        The explorer (see :mod:`anncourse.explorers.losses` for its attributes).
    """
    return LayerGradientExplorer(depth, weight_scale, activation, max_norm).widget
