"""Interactive explorers for the applications chapter (``14-applications``).

* :func:`forecaster_explorer` -- a one-hidden-layer network forecasts next
  year's sunspot number from the last ``p`` years; sliders set the window
  length ``p``, the hidden units and the weight decay (L2 regularization).
  The baseline table compares its test error with the persistence forecast
  (next year = this year) and a linear autoregression on the same windows.
* :func:`kernel_explorer` -- a 3x3 kernel slid over a handwritten digit of
  scikit-learn's digits data; pick the kernel and the digit, and switch
  between the cross-correlation deep-learning libraries compute and the
  flipped-kernel convolution of signal processing.

The numbers come from :func:`forecast_baselines` and :func:`conv2d_valid`,
checked against scikit-learn, SciPy and PyTorch in
``tests/test_explorers_applications.py``.  The widget mechanics (controls,
readout, PNG image, ``box.update``) are those of
:mod:`anncourse.explorers.losses`.  matplotlib, ipywidgets and scikit-learn
are imported when an explorer is built or the digits are loaded, never at
import.
"""
from __future__ import annotations

import functools

import numpy as np

from ..data.sunspots import load_sunspots
from .losses import _OKABE_ITO, _Explorer, _figure, _fmt, _png, _table, _toggle

__all__ = ["KERNELS", "ForecasterExplorer", "KernelExplorer", "conv2d_valid", "digit_image",
           "fit_forecaster", "forecast_baselines", "forecaster_explorer", "kernel_explorer",
           "windows"]

SPLIT_YEAR = 1920   # targets up to this year train the models; later years test them
_ACTUAL = "#000000"
_COLORS = {"persistence": _OKABE_ITO["orange"], "linear AR": _OKABE_ITO["sky"],
           "MLP": _OKABE_ITO["vermillion"]}
_LINES = {"persistence": ":", "linear AR": "--", "MLP": "-."}
_HATCHES = {"persistence": "..", "linear AR": "//", "MLP": "xx"}


# --- the forecasting numbers ----------------------------------------------------------------

def windows(series, p):
    """Rows ``series[i:i+p]`` (oldest first) and the targets ``series[i+p]``.

    Examples
    --------
    >>> X, y = windows(np.arange(5.0), 2)
    >>> X.tolist(), y.tolist()
    ([[0.0, 1.0], [1.0, 2.0], [2.0, 3.0]], [2.0, 3.0, 4.0])
    """
    s = np.asarray(series, dtype=np.float64).ravel()
    p = int(p)
    if not 1 <= p < len(s):
        raise ValueError(f"p must be between 1 and len(series) - 1 = {len(s) - 1}, got {p}")
    return np.lib.stride_tricks.sliding_window_view(s, p)[:-1].copy(), s[p:].copy()


def fit_forecaster(X, y, hidden=8, weight_decay=1e-3, steps=1500, lr=0.02, seed=0):
    """Train a one-hidden-layer tanh network on standardised ``X``, ``y`` by full-batch Adam.

    The loss is the mean squared error plus ``weight_decay`` times the sum of
    the squared weights (biases are not penalised).  Inputs and targets are
    standardised with their own mean and standard deviation, so pass the
    training rows only.

    Returns
    -------
    predict : callable
        ``predict(X_new)`` gives forecasts in the original units.

    Examples
    --------
    >>> X = np.linspace(-1, 1, 50)[:, None]
    >>> predict = fit_forecaster(X, 3 * X[:, 0] + 1, hidden=4, steps=500)
    >>> abs(float(predict(np.array([[0.5]]))[0]) - 2.5) < 0.2
    True
    """
    X, y = np.asarray(X, dtype=np.float64), np.asarray(y, dtype=np.float64)
    if X.ndim != 2 or len(X) != len(y) or len(X) < 2:
        raise ValueError(f"X must be 2-D with one row per target, got X {X.shape} and y {y.shape}")
    if int(hidden) < 1 or weight_decay < 0:
        raise ValueError(f"hidden must be >= 1 and weight_decay >= 0, got {hidden}, {weight_decay}")
    x_mu, x_sd = X.mean(), X.std() or 1.0   # one scale for every lag: they are the same quantity
    y_mu, y_sd = y.mean(), y.std() or 1.0
    Xs, ys = (X - x_mu) / x_sd, (y - y_mu) / y_sd
    rng = np.random.default_rng(seed)
    n, d = Xs.shape
    h = int(hidden)
    params = [rng.normal(0, 1 / np.sqrt(d), (d, h)), np.zeros(h),
              rng.normal(0, 1 / np.sqrt(h), h), np.zeros(1)]
    m = [np.zeros_like(q) for q in params]
    v = [np.zeros_like(q) for q in params]
    b1, b2 = 0.9, 0.999
    for t in range(1, steps + 1):
        W1, c1, w2, c2 = params
        a = np.tanh(Xs @ W1 + c1)
        err = a @ w2 + c2 - ys
        g_out = 2 * err / n
        g_a = np.outer(g_out, w2) * (1 - a ** 2)
        grads = [Xs.T @ g_a + 2 * weight_decay * W1, g_a.sum(0),
                 a.T @ g_out + 2 * weight_decay * w2, np.array([g_out.sum()])]
        for k, g in enumerate(grads):
            m[k] = b1 * m[k] + (1 - b1) * g
            v[k] = b2 * v[k] + (1 - b2) * g * g
            params[k] = params[k] - lr * (m[k] / (1 - b1 ** t)) / (np.sqrt(v[k] / (1 - b2 ** t)) + 1e-8)
    W1, c1, w2, c2 = params

    def predict(X_new):
        a = np.tanh((np.asarray(X_new, dtype=np.float64) - x_mu) / x_sd @ W1 + c1)
        return (a @ w2 + c2) * y_sd + y_mu

    return predict


def _rmse(y, f):
    return float(np.sqrt(np.mean((np.asarray(y) - np.asarray(f)) ** 2)))


def _mae(y, f):
    return float(np.mean(np.abs(np.asarray(y) - np.asarray(f))))


@functools.lru_cache(maxsize=64)
def forecast_baselines(p=9, hidden=8, weight_decay=1e-2, split_year=SPLIT_YEAR, seed=0,
                       steps=1500):
    """One-step-ahead forecasts of the yearly sunspot numbers, and their test errors.

    The models see the windows of the last ``p`` years; those whose target
    year is ``<= split_year`` train them, the later ones test them.

    Returns
    -------
    dict
        ``years`` and ``actual`` (the test targets), ``forecasts`` (a dict of
        test forecasts by model name: ``"persistence"``, ``"linear AR"``,
        ``"MLP"``), and ``rmse`` and ``mae`` (dicts of test errors by model).

    Examples
    --------
    >>> out = forecast_baselines(p=9, hidden=8, weight_decay=1e-3)
    >>> out["rmse"]["linear AR"] < out["rmse"]["persistence"]
    True
    """
    years, values = load_sunspots()
    X, y = windows(values, p)
    target_years = years[p:]
    train = target_years <= split_year
    test = ~train
    if train.sum() < 2 * p + 2 or test.sum() < 2:
        raise ValueError(f"split_year {split_year} leaves too few windows for p = {p}")
    A = np.column_stack([X, np.ones(len(X))])
    coef = np.linalg.lstsq(A[train], y[train], rcond=None)[0]
    mlp = fit_forecaster(X[train], y[train], hidden, weight_decay, steps=steps, seed=seed)
    forecasts = {"persistence": X[test, -1], "linear AR": A[test] @ coef, "MLP": mlp(X[test])}
    return {"years": target_years[test], "actual": y[test], "forecasts": forecasts,
            "rmse": {k: _rmse(y[test], f) for k, f in forecasts.items()},
            "mae": {k: _mae(y[test], f) for k, f in forecasts.items()}}


# --- the convolution numbers ------------------------------------------------------------------

KERNELS = {
    "identity": np.array([[0, 0, 0], [0, 1, 0], [0, 0, 0]], dtype=float),
    "vertical edge (Sobel)": np.array([[1, 0, -1], [2, 0, -2], [1, 0, -1]], dtype=float),
    "horizontal edge (Sobel)": np.array([[1, 2, 1], [0, 0, 0], [-1, -2, -1]], dtype=float),
    "blur (box)": np.full((3, 3), 1 / 9),
    "sharpen": np.array([[0, -1, 0], [-1, 5, -1], [0, -1, 0]], dtype=float),
    "shift (one-hot corner)": np.array([[1, 0, 0], [0, 0, 0], [0, 0, 0]], dtype=float),
}


def conv2d_valid(image, kernel):
    """Cross-correlation over the positions where the kernel fits (what deep learning calls convolution).

    Examples
    --------
    >>> conv2d_valid(np.arange(9.0).reshape(3, 3), np.ones((2, 2))).tolist()
    [[8.0, 12.0], [20.0, 24.0]]
    """
    image, kernel = np.asarray(image, dtype=np.float64), np.asarray(kernel, dtype=np.float64)
    if image.ndim != 2 or kernel.ndim != 2 or any(k > i for k, i in zip(kernel.shape, image.shape)):
        raise ValueError(f"need a 2-D image at least as large as the 2-D kernel, got {image.shape} "
                         f"and {kernel.shape}")
    view = np.lib.stride_tricks.sliding_window_view(image, kernel.shape)
    return np.einsum("ijkl,kl->ij", view, kernel)


@functools.lru_cache(maxsize=1)
def _digits():
    from sklearn.datasets import load_digits

    data = load_digits()
    return data.images, data.target


def digit_image(index):
    """The ``index``-th 8x8 image of scikit-learn's digits (values 0-16) and its label."""
    images, labels = _digits()
    return images[int(index)].copy(), int(labels[int(index)])


# --- the widgets ------------------------------------------------------------------------------

def _int_slider(value, low, high, description, step=1):
    import ipywidgets as widgets

    return widgets.IntSlider(value=value, min=low, max=high, step=step, description=description,
                             continuous_update=False, style={"description_width": "initial"},
                             layout=widgets.Layout(width="300px"))


def _log_slider(value, low, high, description):
    import ipywidgets as widgets

    return widgets.FloatLogSlider(value=value, base=10, min=np.log10(low), max=np.log10(high),
                                  step=0.5, description=description, readout_format=".0e",
                                  continuous_update=False, style={"description_width": "initial"},
                                  layout=widgets.Layout(width="300px"))


class ForecasterExplorer(_Explorer):
    """Window length, hidden units and weight decay of a sunspot forecaster, with its baselines."""

    def __init__(self, p=9, hidden=8, weight_decay=1e-2):
        controls = {"p": _int_slider(p, 1, 20, "window length p (years)"),
                    "hidden": _int_slider(hidden, 1, 32, "hidden units"),
                    "weight_decay": _log_slider(weight_decay, 1e-4, 10.0, "weight decay")}
        super().__init__(controls, note=f"Yearly sunspot numbers; years up to {SPLIT_YEAR} train, "
                                        "later years test. Each setting trains a network (a second "
                                        "or so).")

    def draw(self, p, hidden, weight_decay):
        out = forecast_baselines(int(p), int(hidden), float(weight_decay))
        fig, (ax, ax_bar) = _figure()
        ax.plot(out["years"], out["actual"], color=_ACTUAL, lw=2.2, label="actual")
        for name, f in out["forecasts"].items():
            ax.plot(out["years"], f, color=_COLORS[name], ls=_LINES[name], lw=1.6, label=name)
        ax.set_xlabel("year", fontsize=11)
        ax.set_ylabel("sunspot number", fontsize=11)
        ax.set_title("One year ahead, on the test years", fontsize=12)
        ax.legend(fontsize=9, loc="upper left", ncol=2)
        names = list(out["rmse"])
        for k, name in enumerate(names):
            ax_bar.bar(k, out["rmse"][name], color=_COLORS[name], hatch=_HATCHES[name],
                       edgecolor="#000000")
            ax_bar.text(k, out["rmse"][name], f"{out['rmse'][name]:.1f}", ha="center", va="bottom")
        ax_bar.set_xticks(range(len(names)), names)
        ax_bar.set_ylabel("test RMSE (lower is better)", fontsize=11)
        ax_bar.set_title(f"p = {p}, {hidden} hidden units, weight decay {weight_decay:.0e}",
                         fontsize=12)
        return fig

    def describe(self, p, hidden, weight_decay):
        out = forecast_baselines(int(p), int(hidden), float(weight_decay))
        rows = [("<b>model</b>", "<b>test RMSE</b>", "<b>test MAE</b>")]
        rows += [(name, _fmt(out["rmse"][name]), _fmt(out["mae"][name])) for name in out["rmse"]]
        return _table(rows)


class KernelExplorer(_Explorer):
    """A 3x3 kernel slid over a digit: the output map, with or without flipping the kernel."""

    def __init__(self, kernel="vertical edge (Sobel)", index=0, operation="cross-correlation"):
        import ipywidgets as widgets

        controls = {"kernel": widgets.Dropdown(options=list(KERNELS), value=kernel,
                                               description="kernel"),
                    "index": _int_slider(index, 0, 99, "digit number"),
                    "operation": _toggle(["cross-correlation", "convolution"], operation,
                                         "operation")}
        controls["operation"].style.button_width = "130px"
        super().__init__(controls, note="An 8x8 digit (left) and the 6x6 map a 3x3 kernel makes "
                                        "of it (right), at the positions where the kernel fits.")

    @staticmethod
    def output(kernel, index, operation):
        image, _ = digit_image(index)
        k = KERNELS[kernel]
        return conv2d_valid(image, k if operation == "cross-correlation" else k[::-1, ::-1])

    def draw(self, kernel, index, operation):
        image, label = digit_image(index)
        out = self.output(kernel, index, operation)
        fig, (ax_in, ax_out) = _figure()
        fig.subplots_adjust(top=0.84, right=0.94, wspace=0.15)
        ax_in.imshow(image, cmap="gray_r", vmin=0, vmax=16)
        ax_in.add_patch(_square(0, 0))
        ax_in.set_title(f"digit {label} (dashed: the kernel's first position)", fontsize=12)
        limit = float(np.abs(out).max()) or 1.0
        shown = ax_out.imshow(out, cmap="PuOr", vmin=-limit, vmax=limit)
        fig.colorbar(shown, ax=ax_out, fraction=0.046, label="orange < 0 < purple")
        k = KERNELS[kernel] if operation == "cross-correlation" else KERNELS[kernel][::-1, ::-1]
        ax_out.set_title(f"{operation} with {kernel}\nweights as applied: "
                         + " / ".join(" ".join(f"{w:g}" for w in row) for row in np.round(k, 2)),
                         fontsize=10)
        for ax in (ax_in, ax_out):
            ax.grid(False)
        return fig

    def describe(self, kernel, index, operation):
        out = self.output(kernel, index, operation)
        flipped_same = np.allclose(KERNELS[kernel], KERNELS[kernel][::-1, ::-1])
        return _table([("output shape", f"{out.shape[0]} x {out.shape[1]}"),
                       ("smallest / largest", f"{_fmt(out.min())} / {_fmt(out.max())}"),
                       ("kernel symmetric under a flip?",
                        "yes: both operations agree" if flipped_same else "no: they differ")])


def _square(row, col):
    from matplotlib.patches import Rectangle

    return Rectangle((col - 0.5, row - 0.5), 3, 3, fill=False, edgecolor=_OKABE_ITO["orange"],
                     lw=2.5, ls="--")


def forecaster_explorer(p=9, hidden=8, weight_decay=1e-2):
    """The sunspot forecaster with its baseline table (see :class:`ForecasterExplorer`)."""
    return ForecasterExplorer(p, hidden, weight_decay).widget


def kernel_explorer(kernel="vertical edge (Sobel)", index=0, operation="cross-correlation"):
    """The 3x3 kernel explorer on a digit (see :class:`KernelExplorer`)."""
    return KernelExplorer(kernel, index, operation).widget
