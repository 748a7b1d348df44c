"""Interactive explorers for the advanced-topics chapter (``11-advanced-topics``).

* :func:`batchnorm_depth_explorer` -- a deep MLP (default: 8 hidden ReLU
  layers of 64, PyTorch's default initialisation) trained on scikit-learn's
  digits with and without batch normalisation.  One panel per hidden layer
  shows the histogram of the values that enter its ReLU, on a probe batch,
  for both networks; a slider moves through the epochs.  Without batch
  normalisation the values shrink layer after layer and the network barely
  learns; with it every layer keeps a spread near 1 and it learns fast.
* :func:`train_eval_explorer` -- one sample through a batch-normalisation
  layer.  In training mode its output depends on which other samples share
  its batch (a histogram over many random batches); in evaluation mode it is
  one number, set by the running statistics, which approach the data's mean
  and variance as more batches are seen.

The numbers come from :func:`train_mlp`, :func:`batchnorm_runs` and
:func:`train_eval_outputs`, which the tests check; the networks are the
course's own :mod:`anncourse.nn` layers (``BatchNorm1d`` is checked against
PyTorch).  The widget mechanics are those of :mod:`anncourse.explorers.losses`.

Examples
--------
>>> from anncourse.explorers.advanced_topics import train_eval_outputs
>>> out = train_eval_outputs(batch_size=2, batches_seen=0, draws=5)
>>> [round(abs(float(v)), 3) for v in out["train_outputs"]]  # a batch of two: always -1 or +1
[1.0, 1.0, 1.0, 1.0, 1.0]
>>> out["running_mean"], out["running_var"]  # no training batch seen: the initial 0 and 1
(array([0.]), array([1.]))
"""
from __future__ import annotations

import functools

import numpy as np

from .. import nn, optim
from .losses import _LABEL_SIZE, _OKABE_ITO, _TITLE_SIZE, _Explorer, _figure, _fmt, _slider, _table

__all__ = ["batchnorm_depth_explorer", "batchnorm_runs", "digits_split", "train_eval_explorer",
           "train_eval_outputs", "train_mlp"]

_WITH, _WITHOUT = _OKABE_ITO["blue"], _OKABE_ITO["vermillion"]


@functools.lru_cache(maxsize=2)
def digits_split(random_state=0, n_test=360):
    """scikit-learn's 8x8 digits, standardised with the training set's statistics.

    Returns
    -------
    X_train, y_train, X_test, y_test : ndarray
        1437 and 360 samples of 64 features (each pixel with mean 0 and
        standard deviation 1 on the training set; pixels that are always 0
        stay 0) and integer labels 0-9.

    Examples
    --------
    >>> X_train, y_train, X_test, y_test = digits_split()
    >>> X_train.shape, X_test.shape
    ((1437, 64), (360, 64))
    """
    from sklearn.datasets import load_digits

    X, y = load_digits(return_X_y=True)
    order = np.random.default_rng(random_state).permutation(len(y))
    train, test = order[n_test:], order[:n_test]
    mean, std = X[train].mean(axis=0), X[train].std(axis=0)
    std[std == 0] = 1.0  # a pixel that is blank in every training image
    X = (X - mean) / std
    arrays = X[train], y[train], X[test], y[test]
    for array in arrays:
        array.setflags(write=False)  # cached: nobody may change it
    return arrays


def build_mlp(depth, width, batch_norm, init="kaiming_uniform", n_in=64, n_out=10, random_state=0):
    """``depth`` hidden layers ``Linear -> [BatchNorm1d] -> ReLU`` of ``width``, then a linear output.

    ``batch_norm`` is True, False, or a function ``width -> Module`` that
    makes the normalisation layer (a batch norm of your own, say).

    Examples
    --------
    >>> model = build_mlp(2, 16, batch_norm=True)
    >>> [type(m).__name__ for m in model.children()]
    ['Linear', 'BatchNorm1d', 'ReLU', 'Linear', 'BatchNorm1d', 'ReLU', 'Linear']
    """
    if int(depth) < 1 or int(width) < 1:
        raise ValueError(f"depth and width must be positive integers, got {depth} and {width}")
    rng = np.random.default_rng(random_state)
    layers, n = [], n_in
    for _ in range(int(depth)):
        layers.append(nn.Linear(n, int(width), init=init, random_state=rng))
        if batch_norm:
            layers.append(batch_norm(int(width)) if callable(batch_norm)
                          else nn.BatchNorm1d(int(width)))
        layers.append(nn.ReLU())
        n = int(width)
    layers.append(nn.Linear(n, n_out, init=init, random_state=rng))
    return nn.Sequential(*layers)


def _pre_activations(model, x):
    """The input of every ReLU of ``model`` for the batch ``x``, in training mode.

    Training mode, because that is what the layers see while they learn (in
    evaluation mode an untrained batch norm, with running statistics still at
    0 and 1, would change nothing).  The running statistics are put back
    afterwards, so that recording does not change the model.
    """
    saved = [(m, m.running_mean.copy(), m.running_var.copy(), m.num_batches_tracked.copy())
             for m in model.children() if isinstance(m, nn.BatchNorm1d)]
    model.train()
    values, h = [], x
    for layer in model.children():
        if isinstance(layer, nn.ReLU):
            values.append(np.array(h))
        h = layer(h)
    for m, mean, var, count in saved:
        m.running_mean[...], m.running_var[...], m.num_batches_tracked[...] = mean, var, count
    return values


def _one_thread():
    """Limit BLAS to one thread: these matrices are small, and threads only fight on a busy machine."""
    try:
        from threadpoolctl import threadpool_limits
    except ImportError:  # pragma: no cover - scikit-learn brings it
        import contextlib
        return contextlib.nullcontext()
    return threadpool_limits(1)


def train_mlp(depth=8, width=64, batch_norm=True, init="kaiming_uniform", epochs=6, lr=0.1,
              batch_size=32, random_state=0, record=False):
    """Train an MLP on :func:`digits_split` with plain SGD and cross-entropy.

    Parameters
    ----------
    depth, width : int
        Hidden layers and their width.
    batch_norm : bool or callable
        Insert ``BatchNorm1d`` between each hidden ``Linear`` and its ReLU;
        a callable ``width -> Module`` makes another normalisation layer.
    init : str
        ``Linear``'s ``init`` (the default is PyTorch's).
    epochs, lr, batch_size : int, float, int
        Plain mini-batch SGD; each epoch visits the training set in a new order.
    random_state : int
        Seeds the initial weights and the order of the batches.
    record : bool
        Also keep the values entering every ReLU, in training mode, for a
        fixed probe batch of 256 training samples, before training and after
        each epoch.

    Returns
    -------
    dict
        ``loss`` (training cross-entropy, evaluation mode, ``epochs + 1``
        values, the first before training), ``accuracy`` (on the 360 test
        digits, same length) and, with ``record``, ``activations``: for each
        of those times, a list of ``depth`` arrays of shape ``(256, width)``.

    Examples
    --------
    >>> run = train_mlp(depth=1, width=16, batch_norm=False, epochs=1)
    >>> len(run["loss"]), run["accuracy"][-1] > 0.5
    (2, True)
    """
    with _one_thread():
        return _train_mlp(depth, width, batch_norm, init, epochs, lr, batch_size, random_state, record)


def _train_mlp(depth, width, batch_norm, init, epochs, lr, batch_size, random_state, record):
    X, y, X_test, y_test = digits_split()
    model = build_mlp(depth, width, batch_norm, init=init, random_state=random_state)
    criterion = nn.CrossEntropyLoss()
    optimizer = optim.SGD(model.parameters(), lr=lr)
    rng = np.random.default_rng(random_state + 1)
    probe = X[:256]
    history = {"loss": [], "accuracy": []}
    if record:
        history["activations"] = []

    def measure():
        model.eval()
        history["loss"].append(float(criterion(model(X), y)))
        history["accuracy"].append(float(np.mean(np.argmax(model(X_test), axis=1) == y_test)))
        if record:
            history["activations"].append(_pre_activations(model, probe))

    measure()
    for _ in range(int(epochs)):
        model.train()
        order = rng.permutation(len(y))
        for start in range(0, len(order), batch_size):
            batch = order[start:start + batch_size]
            if len(batch) < 2:  # batch statistics need two samples
                continue
            criterion(model(X[batch]), y[batch])
            optimizer.zero_grad()
            model.backward(criterion.backward(), input_grad=False)
            optimizer.step()
        measure()
    return history


def batchnorm_runs(depth=8, width=64, epochs=6, lr=0.1, random_state=0):
    """:func:`train_mlp` with ``record=True``, without and with batch normalisation (cached).

    Returns
    -------
    dict
        ``{False: run, True: run}``, keyed by ``batch_norm``.  The same
        arguments, however they are passed, return the same (cached) runs:
        the notebook's measurements and the explorer share them.
    """
    return _runs(int(depth), int(width), int(epochs), float(lr), int(random_state))


@functools.lru_cache(maxsize=4)
def _runs(depth, width, epochs, lr, random_state):
    return {bn: train_mlp(depth, width, bn, epochs=epochs, lr=lr, random_state=random_state,
                          record=True) for bn in (False, True)}


def _spread(values) -> float:
    return float(np.std(values))


class BatchNormDepthExplorer(_Explorer):
    """Per-layer histograms of the values entering each ReLU, with and without batch norm."""

    def __init__(self, depth=8, width=64, epochs=6, lr=0.1, epoch=0, random_state=0):
        import ipywidgets as widgets

        self.runs = batchnorm_runs(depth, width, epochs, lr, random_state)
        self.depth, self.epochs, self.lr = int(depth), int(epochs), lr
        controls = {"epoch": widgets.IntSlider(value=int(epoch), min=0, max=self.epochs,
                                               description="after epoch", continuous_update=False,
                                               style={"description_width": "initial"},
                                               layout=widgets.Layout(width="340px"))}
        super().__init__(controls, note=f"{depth} hidden ReLU layers of {width}, trained on the digits "
                                        f"with SGD (lr = {lr:g}, batches of 32); histograms over 256 "
                                        "training digits of the values that enter each ReLU.")

    def draw(self, epoch):
        fig, axes = _figure()
        bins = np.linspace(-4, 4, 81)
        centres = (bins[:-1] + bins[1:]) / 2
        for ax, bn, colour, style, name in ((axes[0], False, _WITHOUT, "--", "without batch norm"),
                                            (axes[1], True, _WITH, "-", "with batch norm")):
            # A ridgeline: layer k's histogram drawn on the baseline y = k, the tallest bar of
            # each layer 0.9 high, so that the layers' shapes can be compared at a glance.
            for k, values in enumerate(self.runs[bn]["activations"][epoch]):
                counts, _ = np.histogram(np.clip(values.ravel(), bins[0], bins[-1]), bins=bins)
                height = 0.9 * counts / counts.max()
                ax.fill_between(centres, k + 1, k + 1 + height, color=colour, alpha=0.25, lw=0)
                ax.plot(centres, k + 1 + height, color=colour, ls=style, lw=1.4,
                        label=name if k == 0 else "_layer")
            run = self.runs[bn]
            ax.set_title(f"{name}: test accuracy {run['accuracy'][epoch]:.1%}", fontsize=_TITLE_SIZE)
            ax.set_xlim(bins[0], bins[-1])
            ax.set_ylim(0.8, self.depth + 1.05)
            ax.set_yticks(range(1, self.depth + 1))
            ax.set_xlabel("value entering the ReLU (clipped to ±4)", fontsize=_LABEL_SIZE)
            ax.axvline(0.0, color="#000000", lw=0.8, ls=":")
        axes[0].set_ylabel("hidden layer (histogram above its line)", fontsize=_LABEL_SIZE - 1)
        return fig

    def describe(self, epoch):
        header = ["", *(f"<b>layer {k + 1}</b>" for k in range(self.depth))]
        rows = [header]
        for bn, name in ((False, "spread (std), without"), (True, "spread (std), with")):
            rows.append([name, *(_fmt(_spread(a)) for a in self.runs[bn]["activations"][epoch])])
        for bn, name in ((False, "without batch norm"), (True, "with batch norm")):
            run = self.runs[bn]
            rows.append([f"<b>{name}</b>", f"training loss {_fmt(run['loss'][epoch])}",
                         f"test accuracy {run['accuracy'][epoch]:.1%}", *[""] * (self.depth - 2)])
        return _table(rows)


def batchnorm_depth_explorer(depth=8, width=64, epochs=6, lr=0.1, epoch=0, random_state=0):
    """Watch the values entering each ReLU of a deep MLP, with and without batch norm, as it trains.

    The two networks are trained once (a few seconds) and cached; the slider
    moves between the snapshots taken before training and after each epoch.

    Parameters
    ----------
    depth, width : int, default 8 and 64
        Hidden layers and their width.
    epochs : int, default 6
        Epochs to train (the slider's range).
    lr : float, default 0.1
        SGD's learning rate, the same for both networks.
    epoch : int, default 0
        The snapshot shown first (0: before training).
    random_state : int, default 0
        The same initial weights and batch order for both networks.

    Returns
    -------
    ipywidgets.VBox
        With ``.controls``, ``.readout``, ``.image``, ``.update()`` and ``.explorer``.

    Examples
    --------
    >>> box = batchnorm_depth_explorer(epoch=3)  # doctest: +SKIP
    """
    return BatchNormDepthExplorer(depth, width, epochs, lr, epoch, random_state).widget


# --- one sample in training mode and in evaluation mode ------------------------------

def _ink():
    """The feature: each digit's total ink (the sum of its 64 pixel intensities, 0-16 each)."""
    from sklearn.datasets import load_digits

    return load_digits().data.sum(axis=1)


_INK = None


def _feature():
    global _INK
    if _INK is None:
        _INK = _ink()
        _INK.setflags(write=False)
    return _INK


def train_eval_outputs(batch_size=16, batches_seen=50, momentum=0.1, sample=0, draws=300,
                       random_state=0):
    """One sample's batch-norm output in training mode (many batches) and in evaluation mode.

    The feature is each digit's total ink (:func:`_ink`), normalised by an
    :class:`anncourse.nn.BatchNorm1d` with ``gamma = 1``, ``beta = 0``.

    Parameters
    ----------
    batch_size : int
        Samples per training batch, at least 2.
    batches_seen : int
        Random training batches the layer has seen before evaluation:
        each updates the running statistics once.
    momentum : float
        The layer's momentum.
    sample : int
        Which digit to follow.
    draws : int
        Random batches, each holding the sample and ``batch_size - 1`` others,
        for the training-mode histogram.
    random_state : int
        Seeds the batches.

    Returns
    -------
    dict
        ``train_outputs`` (``draws`` values), ``eval_output``,
        ``population_output`` (normalised with the mean and the biased
        variance of the whole data set), ``running_mean`` and ``running_var``
        (``batches_seen + 1`` values each, from the initial 0 and 1),
        ``data_mean``, ``data_var`` (unbiased) and ``value`` (the sample's ink).

    Raises
    ------
    ValueError
        If ``batch_size`` is below 2 or ``sample`` is out of range.

    Notes
    -----
    Results are cached (the explorer's figure and its table ask for the
    same numbers); the arrays returned are read-only.
    """
    return _train_eval_outputs(int(batch_size), int(batches_seen), float(momentum), int(sample),
                               int(draws), int(random_state))


@functools.lru_cache(maxsize=16)
def _train_eval_outputs(batch_size, batches_seen, momentum, sample, draws, random_state):
    ink = _feature()
    if batch_size < 2:
        raise ValueError(f"batch_size must be at least 2 (batch statistics), got {batch_size}")
    if not 0 <= sample < len(ink):
        raise ValueError(f"sample must be in [0, {len(ink)}), got {sample}")
    rng = np.random.default_rng(random_state)
    others = np.delete(np.arange(len(ink)), sample)
    layer = nn.BatchNorm1d(1, momentum=momentum)
    train_outputs = np.empty(int(draws))
    for k in range(int(draws)):
        batch = np.concatenate([[sample], rng.choice(others, size=batch_size - 1, replace=False)])
        train_outputs[k] = layer(ink[batch][:, None])[0, 0]
    # The histogram's batches must not count as "seen": start the statistics afresh.
    layer = nn.BatchNorm1d(1, momentum=momentum)
    means, variances = [float(layer.running_mean[0])], [float(layer.running_var[0])]
    for _ in range(int(batches_seen)):
        layer(ink[rng.choice(len(ink), size=batch_size, replace=False)][:, None])
        means.append(float(layer.running_mean[0]))
        variances.append(float(layer.running_var[0]))
    layer.eval()
    value = float(ink[sample])
    result = {"train_outputs": train_outputs,
              "eval_output": float(layer(np.array([[value]]))[0, 0]),
              "population_output": float((value - ink.mean()) / np.sqrt(ink.var() + layer.eps)),
              "running_mean": np.array(means), "running_var": np.array(variances),
              "data_mean": float(ink.mean()), "data_var": float(ink.var(ddof=1)), "value": value}
    for array in (result["train_outputs"], result["running_mean"], result["running_var"]):
        array.setflags(write=False)  # cached: nobody may change it
    return result


class TrainEvalExplorer(_Explorer):
    """One sample's output in training mode (depends on its batch) against evaluation mode."""

    def __init__(self, batch_size=16, batches_seen=20, momentum=0.1, sample=0):
        import ipywidgets as widgets

        def int_slider(value, low, high, description):
            return widgets.IntSlider(value=value, min=low, max=high, description=description,
                                     continuous_update=False, style={"description_width": "initial"},
                                     layout=widgets.Layout(width="300px"))

        controls = {
            "batch_size": int_slider(batch_size, 2, 128, "batch size"),
            "batches_seen": int_slider(batches_seen, 0, 300, "batches seen"),
            "momentum": _slider(momentum, 0.01, 0.5, 0.01, "momentum"),
        }
        self.sample = int(sample)
        super().__init__(controls, note="The feature is each digit's total ink; the layer has γ = 1 "
                                        "and β = 0. Left: the same digit in 300 random batches.")

    def draw(self, batch_size, batches_seen, momentum):
        out = train_eval_outputs(batch_size, batches_seen, momentum, self.sample)
        fig, (ax_out, ax_stats) = _figure()
        # The evaluation output can be far off while few batches have been seen (the running
        # statistics start at 0 and 1): the axis stays on the training outputs, and a far
        # evaluation output is drawn at the edge with its value.
        lo = min(out["train_outputs"].min(), out["population_output"]) - 0.5
        hi = max(out["train_outputs"].max(), out["population_output"]) + 0.5
        bins = np.linspace(lo, hi, 41)
        shown = float(np.clip(out["eval_output"], lo, hi))
        counts, _ = np.histogram(out["train_outputs"], bins=bins)
        ax_out.bar(bins[:-1], counts, width=np.diff(bins), align="edge", color=_OKABE_ITO["sky"],
                   edgecolor="#000000", linewidth=0.4, label="training mode, 300 batches")
        ax_out.axvline(shown, color=_OKABE_ITO["vermillion"], lw=2.4, ls="-",
                       label="evaluation mode (running statistics)")
        if shown != out["eval_output"]:
            ax_out.text(shown, counts.max() * 1.15, f" evaluation: {_fmt(out['eval_output'])} "
                        "(off the scale) ", color="#000000", fontsize=_LABEL_SIZE - 2,
                        ha="right" if shown == hi else "left", va="center")
        ax_out.axvline(out["population_output"], color="#000000", lw=1.6, ls=":",
                       label="normalised with the whole data set")
        ax_out.set_xlabel(f"output for digit {self.sample} (ink {out['value']:g})", fontsize=_LABEL_SIZE)
        ax_out.set_ylabel("batches", fontsize=_LABEL_SIZE)
        ax_out.set_ylim(0, counts.max() * 1.6)  # room for the legend above the bars
        ax_out.set_title(f"Batches of {batch_size}: output spread {_fmt(out['train_outputs'].std())}",
                         fontsize=_TITLE_SIZE)
        ax_out.legend(fontsize=_LABEL_SIZE - 3, loc="upper left")
        steps = np.arange(len(out["running_mean"]))
        mean_ratio = out["running_mean"] / out["data_mean"]
        var_ratio = out["running_var"] / out["data_var"]
        marker = "o" if len(steps) <= 30 else None  # a few batches: show each one
        ax_stats.plot(steps, mean_ratio, color=_OKABE_ITO["blue"], ls="-", marker=marker, ms=4,
                      lw=2, label="running mean / data mean")
        ax_stats.plot(steps, var_ratio, color=_OKABE_ITO["orange"], ls="--", marker=marker, ms=4,
                      lw=2, label="running variance / data variance")
        ax_stats.axhline(1.0, color="#000000", lw=0.8, ls=":")
        ax_stats.set_xlim(0, max(1, len(steps) - 1))
        ax_stats.set_ylim(0, max(1.6, 1.1 * float(max(mean_ratio.max(), var_ratio.max()))))
        ax_stats.set_xlabel("training batches seen", fontsize=_LABEL_SIZE)
        ax_stats.set_ylabel("ratio (1 = the data's value)", fontsize=_LABEL_SIZE)
        ax_stats.set_title(f"Running statistics, momentum {momentum:.2f}", fontsize=_TITLE_SIZE)
        ax_stats.legend(fontsize=_LABEL_SIZE - 3, loc="lower right")
        return fig

    def describe(self, batch_size, batches_seen, momentum):
        out = train_eval_outputs(batch_size, batches_seen, momentum, self.sample)
        t = out["train_outputs"]
        return _table([
            ["<b>training mode</b> (300 batches)", f"from {_fmt(t.min())} to {_fmt(t.max())}",
             f"mean {_fmt(t.mean())}, std {_fmt(t.std())}"],
            ["<b>evaluation mode</b>", _fmt(out["eval_output"]),
             f"running mean {_fmt(out['running_mean'][-1])}, variance {_fmt(out['running_var'][-1])}"],
            ["whole data set", _fmt(out["population_output"]),
             f"mean {_fmt(out['data_mean'])}, variance {_fmt(out['data_var'])}"],
        ])


def train_eval_explorer(batch_size=16, batches_seen=20, momentum=0.1, sample=0):
    """Follow one digit through batch normalisation in training and in evaluation mode.

    Parameters
    ----------
    batch_size : int, default 16
        Samples per batch (slider, 2 to 128).
    batches_seen : int, default 20
        Training batches that have updated the running statistics (slider, 0 to 300).
    momentum : float, default 0.1
        The running statistics' momentum (slider, 0.01 to 0.5).
    sample : int, default 0
        The digit followed.

    Returns
    -------
    ipywidgets.VBox
        With ``.controls``, ``.readout``, ``.image``, ``.update()`` and ``.explorer``.

    Examples
    --------
    >>> box = train_eval_explorer(batch_size=4)  # doctest: +SKIP
    """
    return TrainEvalExplorer(batch_size, batches_seen, momentum, sample).widget
