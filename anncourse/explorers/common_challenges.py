"""Explorers for chapter ``15-common-challenges``: signals through depth, and the bias--variance U-curve.

* :func:`signal_histogram_explorer` -- depth x initialisation x activation:
  the distribution of every layer's activations and of the gradient that
  reaches it, drawn as a ridge of histograms of ``log10 |value|``.  A layer
  whose hump drifts left is vanishing, right is exploding.  Chapter 04's
  explorer shows the bare product ``f'(z)^L`` and chapter 06's the norm of
  each layer's gradient as one number; this one shows the *whole
  distribution* of each layer, forwards and backwards, for the named
  initialisations (small, Xavier, He, large) of
  :func:`anncourse.challenges.init_std`.
* :func:`bias_variance_explorer` -- polynomial fits of a noisy curve: a
  capacity slider (the degree) and a data-size slider (the training points).
  Left, one training set and the fits of several others; right, the training
  and validation error, the squared bias and the variance against the degree,
  averaged over many training sets.

Both return the top-level ``VBox`` with ``controls``, ``readout``, ``image``,
``update()`` and ``explorer``, like :mod:`anncourse.explorers.losses`, and open
with a question to answer before moving a slider.  Every number comes from
:func:`layer_signals` and :func:`bias_variance_curve`, which need NumPy only.

Examples
--------
>>> acts, grads = layer_signals(10, "small", "tanh", seed=0)
>>> bool(np.std(acts[-1]) < 1e-6 < np.std(acts[0]))     # std 0.01 weights: the signal dies
True
"""
from __future__ import annotations

import numpy as np

from ..challenges import ACTIVATIONS, _powers, init_std
from .losses import _LABEL_SIZE, _OKABE_ITO, _TITLE_SIZE, _Explorer, _figure, _fmt, _slider, _table

__all__ = ["INITS", "bias_variance_curve", "bias_variance_explorer", "layer_signals",
           "signal_histogram_explorer", "true_curve"]

#: The initialisations the histogram explorer offers, and how each sets the weights' std.
INITS = ("small", "xavier", "he", "large")
_RIDGE_COLORS = [_OKABE_ITO[k] for k in ("blue", "orange", "green", "vermillion")]
_RIDGE_STYLES = ["-", "--", ":", "-."]
_LOG_RANGE = (-24.0, 18.0)


def _weight_std(init: str, width: int) -> float:
    if init == "small":
        return 0.01
    if init == "large":
        return 1.0
    if init in ("xavier", "he"):
        return init_std(width, width, init)
    raise ValueError(f"unknown initialisation {init!r}; choose one of {', '.join(INITS)}")


def layer_signals(depth, init, activation, width=100, batch=200, seed=0):
    """Every layer's activations and the gradient of the loss with respect to them.

    A chain of ``depth`` square layers of ``width`` units, no biases,
    ``h_l = f(h_{l-1} @ W_l)``, weights ``N(0, s^2)`` with ``s`` given by
    ``init`` ("small" 0.01, "xavier", "he", "large" 1), a batch of standard
    normal inputs and the loss ``L = mean over the batch of h_L . r`` for a
    random unit vector ``r``.  The draws depend only on ``seed``.

    Returns
    -------
    acts, grads : lists of ``depth`` arrays of shape (batch, width)
        ``acts[l]`` is ``h_{l+1}``, ``grads[l]`` is ``dL/dh_{l+1}``.

    Raises
    ------
    ValueError
        For an unknown initialisation or activation, or a depth below 1.
    """
    if activation not in ACTIVATIONS:
        raise ValueError(f"unknown activation {activation!r}; choose one of {', '.join(ACTIVATIONS)}")
    if int(depth) < 1:
        raise ValueError(f"depth must be at least 1, got {depth}")
    std = _weight_std(init, width)
    f, df = ACTIVATIONS[activation]
    rng = np.random.default_rng(seed)
    h = rng.standard_normal((batch, width))
    r = rng.standard_normal(width)
    r /= np.linalg.norm(r)
    weights = [rng.standard_normal((width, width)) * std for _ in range(int(depth))]
    acts, pre = [], []
    with np.errstate(over="ignore", invalid="ignore", under="ignore"):
        for W in weights:
            z = h @ W
            h = f(z)
            pre.append(z)
            acts.append(h)
        grad = np.tile(r / batch, (batch, 1))
        grads = [grad]
        for layer in range(int(depth) - 1, 0, -1):
            grad = (grad * df(pre[layer])) @ weights[layer].T
            grads.append(grad)
    return acts, grads[::-1]


def _shown_layers(depth: int, most: int = 4) -> list[int]:
    """Up to ``most`` layers (1-based), evenly spread from the first to the last."""
    return sorted({int(round(v)) for v in np.linspace(1, depth, min(most, depth))})


def _log_abs(values) -> tuple[np.ndarray, float]:
    """log10 |v| of the non-zero finite values, and the share of exact zeros."""
    v = np.abs(np.asarray(values, dtype=float).ravel())
    finite = v[np.isfinite(v)]
    zeros = float(np.mean(v == 0)) if v.size else 0.0
    nonzero = finite[finite > 0]
    return np.clip(np.log10(nonzero), *_LOG_RANGE), zeros


def _rms(values) -> float:
    with np.errstate(over="ignore", invalid="ignore"):
        return float(np.sqrt(np.mean(np.square(values))))


class SignalHistogramExplorer(_Explorer):
    """Ridge plots of log10 |activation| and log10 |gradient|, one ridge per shown layer."""

    def __init__(self, depth=20, init="small", activation="tanh", seed=0):
        import ipywidgets as widgets

        self.seed = seed
        controls = {
            "depth": widgets.IntSlider(value=int(depth), min=2, max=50, description="layers",
                                       continuous_update=False,
                                       style={"description_width": "initial"},
                                       layout=widgets.Layout(width="300px")),
            "init": widgets.ToggleButtons(options=list(INITS), value=init, description="init",
                                          style={"description_width": "initial",
                                                 "button_width": "62px"}),
            "activation": widgets.ToggleButtons(options=["tanh", "relu", "sigmoid", "linear"],
                                                value=activation, description="activation",
                                                style={"description_width": "initial",
                                                       "button_width": "62px"}),
        }
        super().__init__(controls, note="100 units per layer, no biases, 200 random inputs; the same "
                                        "random draws for every setting. small: std 0.01, xavier: "
                                        "√(2/200), he: √(2/100), large: std 1.")

    def numbers(self, depth, init, activation) -> dict:
        acts, grads = layer_signals(depth, init, activation, seed=self.seed)
        shown = _shown_layers(depth)
        return {"shown": shown,
                "acts": {l: _log_abs(acts[l - 1]) for l in shown},
                "grads": {l: _log_abs(grads[l - 1]) for l in shown},
                "act_rms": [_rms(a) for a in acts], "grad_rms": [_rms(g) for g in grads]}

    def draw(self, depth, init, activation):
        n = self.numbers(depth, init, activation)
        fig, (ax_a, ax_g) = _figure()
        bins = np.linspace(*_LOG_RANGE, 85)
        centres = 0.5 * (bins[1:] + bins[:-1])
        for ax, key, what in ((ax_a, "acts", "activations h"), (ax_g, "grads", "gradients dL/dh")):
            for row, layer in enumerate(n["shown"]):
                logs, zeros = n[key][layer]
                counts, _ = np.histogram(logs, bins=bins)
                height = counts / counts.max() * 0.85 if counts.max() else counts * 0.0
                color, style = _RIDGE_COLORS[row], _RIDGE_STYLES[row]
                ax.plot(centres, row + height, color=color, ls=style, lw=1.8,
                        label=f"layer {layer}" + (f" ({zeros:.0%} zeros)" if zeros else ""))
                ax.axhline(row, color="#999999", lw=0.6, label="_baseline")
            ax.set_yticks(range(len(n["shown"])))
            ax.set_yticklabels([f"layer {l}" for l in n["shown"]], fontsize=_LABEL_SIZE - 2)
            ax.set_xlim(*_LOG_RANGE)
            ax.set_xlabel(f"log10 |{what.split()[-1]}|  (left: vanishing, right: exploding)",
                          fontsize=_LABEL_SIZE - 1)
            ax.set_title(f"{what} per layer: {activation}, {init} init", fontsize=_TITLE_SIZE)
        return fig

    def describe(self, depth, init, activation):
        n = self.numbers(depth, init, activation)
        rows = [["<b>layer</b>", "<b>rms of h</b>", "<b>rms of dL/dh</b>", "<b>h exactly 0</b>"]]
        for layer in n["shown"]:
            rows.append([str(layer), _fmt(n["act_rms"][layer - 1]), _fmt(n["grad_rms"][layer - 1]),
                         f"{n['acts'][layer][1]:.0%}"])
        return _table(rows)


def signal_histogram_explorer(depth=20, init="small", activation="tanh"):
    """Depth x initialisation x activation: where each layer's activations and gradients live.

    Parameters
    ----------
    depth : int, default 20
        The number of layers to start from (2 to 50).
    init : {"small", "xavier", "he", "large"}, default "small"
    activation : {"tanh", "relu", "sigmoid", "linear"}, default "tanh"

    Returns
    -------
    ipywidgets.VBox
        With ``controls``, ``readout``, ``image``, ``update`` and ``explorer``.

    Examples
    --------
    >>> box = signal_histogram_explorer(depth=10, init="xavier")  # doctest: +SKIP
    """
    return SignalHistogramExplorer(depth, init, activation).widget


# --- bias and variance -------------------------------------------------------------

def true_curve(x):
    """The curve the bias--variance explorer samples: ``sin(3x) + x/2`` on [-1, 1]."""
    x = np.asarray(x, dtype=float)
    return np.sin(3 * x) + 0.5 * x


def bias_variance_curve(n_train, degrees=range(13), noise=0.3, repeats=40, seed=0):
    """Train and validation MSE, squared bias and variance of least squares polynomials, by degree.

    ``repeats`` training sets of ``n_train`` points, x uniform on [-1, 1] and
    ``y = true_curve(x) + noise * N(0, 1)``; one validation set of 500 points
    drawn the same way.  The squared bias and the variance are averaged over
    a grid of 200 x values: ``bias^2 = mean (mean fit - true)^2`` and
    ``variance = mean of the fits' variance``; the expected validation error
    is about ``bias^2 + variance + noise^2``.

    Returns
    -------
    dict of arrays, one value per degree: ``train``, ``val``, ``bias2``,
    ``variance``; and ``degrees``, ``fits`` (the first training sets' fitted
    curves on ``grid``, per degree), ``grid``, ``x0``, ``y0`` (the first set).

    Examples
    --------
    A straight line is biased; a degree-5 fit to 30 points varies more from
    one training set to the next:

    >>> c = bias_variance_curve(30, degrees=[1, 5], repeats=20)
    >>> bool(c["bias2"][0] > c["bias2"][1]) and bool(c["variance"][0] < c["variance"][1])
    True
    """
    degrees = [int(d) for d in degrees]
    if int(n_train) < 2 or min(degrees) < 0:
        raise ValueError(f"need n_train >= 2 and degrees >= 0, got {n_train} and {degrees}")
    rng = np.random.default_rng(seed)
    grid = np.linspace(-1, 1, 200)
    x_val = rng.uniform(-1, 1, 500)
    y_val = true_curve(x_val) + noise * rng.standard_normal(500)
    sets = []
    for _ in range(int(repeats)):
        x = rng.uniform(-1, 1, int(n_train))
        sets.append((x, true_curve(x) + noise * rng.standard_normal(int(n_train))))
    out = {k: np.empty(len(degrees)) for k in ("train", "val", "bias2", "variance")}
    fits = {}
    for i, d in enumerate(degrees):
        preds, train, val = [], [], []
        for x, y in sets:
            coef, *_ = np.linalg.lstsq(_powers(x, d), y, rcond=None)
            train.append(np.mean((_powers(x, d) @ coef - y) ** 2))
            val.append(np.mean((_powers(x_val, d) @ coef - y_val) ** 2))
            preds.append(_powers(grid, d) @ coef)
        preds = np.array(preds)
        out["train"][i], out["val"][i] = np.mean(train), np.mean(val)
        out["bias2"][i] = np.mean((preds.mean(axis=0) - true_curve(grid)) ** 2)
        out["variance"][i] = np.mean(preds.var(axis=0))
        fits[d] = preds[:8]
    out.update(degrees=np.array(degrees), fits=fits, grid=grid, x0=sets[0][0], y0=sets[0][1],
               noise=noise)
    return out


class BiasVarianceExplorer(_Explorer):
    """Capacity and data size against training error, validation error, bias and variance."""

    def __init__(self, degree=3, n_train=20, seed=0):
        import ipywidgets as widgets

        self.seed = seed
        self._cache = {}
        controls = {
            "degree": widgets.IntSlider(value=int(degree), min=0, max=12,
                                        description="capacity (degree)", continuous_update=False,
                                        style={"description_width": "initial"},
                                        layout=widgets.Layout(width="330px")),
            "n_train": widgets.IntSlider(value=int(n_train), min=10, max=200, step=5,
                                         description="training points", continuous_update=False,
                                         style={"description_width": "initial"},
                                         layout=widgets.Layout(width="330px")),
        }
        super().__init__(controls, note="y = sin(3x) + x/2 + noise (std 0.3); least squares "
                                        "polynomials; averages over 40 training sets.")

    def numbers(self, degree, n_train) -> dict:
        if n_train not in self._cache:  # the degree slider only moves the marker
            self._cache[n_train] = bias_variance_curve(n_train, seed=self.seed)
        return self._cache[n_train]

    def draw(self, degree, n_train):
        c = self.numbers(degree, n_train)
        fig, (ax_f, ax_u) = _figure()
        for k, fit in enumerate(c["fits"][degree][1:]):
            ax_f.plot(c["grid"], fit, color=_OKABE_ITO["sky"], ls=":", lw=1.0,
                      label="fits to other training sets" if k == 0 else "_other")
        ax_f.plot(c["grid"], true_curve(c["grid"]), color="#000000", ls="--", lw=1.6,
                  label="true curve")
        ax_f.plot(c["grid"], c["fits"][degree][0], color=_OKABE_ITO["blue"], ls="-", lw=2.2,
                  label=f"degree {degree} fit")
        ax_f.plot(c["x0"], c["y0"], "o", color=_OKABE_ITO["orange"], ms=4, label="training points")
        ax_f.set_ylim(-2.5, 2.5)
        ax_f.set_xlabel("x", fontsize=_LABEL_SIZE)
        ax_f.set_title(f"{n_train} training points, degree {degree}", fontsize=_TITLE_SIZE)
        ax_f.legend(fontsize=_LABEL_SIZE - 3, loc="lower right")
        d = c["degrees"]
        for key, label, color, ls in (("train", "training MSE", _OKABE_ITO["blue"], "-"),
                                      ("val", "validation MSE", _OKABE_ITO["vermillion"], "--"),
                                      ("bias2", "squared bias", _OKABE_ITO["green"], ":"),
                                      ("variance", "variance", _OKABE_ITO["purple"], "-.")):
            ax_u.plot(d, np.clip(c[key], 1e-4, 1e3), color=color, ls=ls, lw=2, marker="o", ms=3,
                      label=label)
        ax_u.axhline(c["noise"] ** 2, color="#666666", lw=1, label="_noise floor")
        ax_u.axvline(degree, color="#666666", lw=1, label="_marker")
        ax_u.set_yscale("log")
        ax_u.set_ylim(1e-4, 1e3)
        ax_u.set_xlabel("capacity: polynomial degree", fontsize=_LABEL_SIZE)
        ax_u.set_title("The U-curve (grey: noise variance 0.09)", fontsize=_TITLE_SIZE)
        ax_u.legend(fontsize=_LABEL_SIZE - 3, loc="upper left")
        return fig

    def describe(self, degree, n_train):
        c = self.numbers(degree, n_train)
        i = int(np.flatnonzero(c["degrees"] == degree)[0])
        best = int(c["degrees"][np.argmin(c["val"])])
        rows = [["<b>degree</b>", "<b>training MSE</b>", "<b>validation MSE</b>",
                 "<b>squared bias</b>", "<b>variance</b>"],
                [str(degree), _fmt(c["train"][i]), _fmt(c["val"][i]), _fmt(c["bias2"][i]),
                 _fmt(c["variance"][i])],
                [f"lowest validation MSE at degree {best}", "", "", "", ""]]
        return _table(rows)


def bias_variance_explorer(degree=3, n_train=20):
    """The bias--variance U-curve of polynomial fits, with a capacity and a data-size slider.

    Parameters
    ----------
    degree : int, default 3
        The polynomial degree to start from (0 to 12).
    n_train : int, default 20
        The number of training points (10 to 200).

    Returns
    -------
    ipywidgets.VBox
        With ``controls``, ``readout``, ``image``, ``update`` and ``explorer``.
    """
    return BiasVarianceExplorer(degree, n_train).widget


def still_figure(factory: str, **settings) -> bytes:
    """The PNG an explorer shows at ``settings``: the still figure of the notebook."""
    box = globals()[factory](**settings)
    return bytes(box.image.value)
