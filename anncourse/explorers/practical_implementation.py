"""The training dashboard of the practical-implementation chapter (``16-practical-implementation``).

:func:`training_dashboard` trains a one-hidden-layer ReLU network
(:mod:`anncourse.nn`, :mod:`anncourse.optim`, :func:`anncourse.training.fit`)
on scikit-learn's 8x8 digits and draws the loss and the accuracy, on the
training and on the validation split, after every epoch.  The controls are
the learning rate (log scale), the batch size, the hidden layer's width and
the optimizer; every change retrains from the same initial weights and the
same shuffling, so two settings differ only in what was changed.

The widget is built like :mod:`anncourse.explorers.losses` (whose
machinery it shares): a ``VBox`` with ``controls``, ``readout``, ``image``,
``update()`` and ``explorer``; matplotlib and ipywidgets are imported only
when it is built.

Examples
--------
>>> from anncourse.explorers.practical_implementation import digits_splits, train_run
>>> X_train, y_train, X_val, y_val = digits_splits()
>>> X_train.shape, X_val.shape
((1297, 64), (500, 64))
>>> run = train_run(lr=0.05, batch_size=64, width=32, optimizer="Adam", epochs=3)
>>> sorted(run), len(run["loss"])
(['accuracy', 'loss', 'val_accuracy', 'val_loss'], 3)
"""
from __future__ import annotations

import functools
import math
import time

import numpy as np

from .losses import _LABEL_SIZE, _OKABE_ITO, _TITLE_SIZE, _Explorer, _figure, _fmt, _table

__all__ = ["OPTIMIZERS", "digits_splits", "train_run", "training_dashboard"]

#: The optimizer choices: name -> (anncourse.optim class name, extra arguments).
OPTIMIZERS = {"SGD": ("SGD", {}), "momentum": ("SGD", {"momentum": 0.9}), "Adam": ("Adam", {})}
BATCH_SIZES = (8, 16, 32, 64, 128, 256, 512, 1297)
WIDTHS = (2, 4, 8, 16, 32, 64, 128, 256)
N_TRAIN = 1297


@functools.lru_cache(maxsize=1)
def digits_splits(random_state=0):
    """scikit-learn's digits, pixels / 16, split into 1297 training and 500 validation images.

    Returns
    -------
    tuple of numpy.ndarray
        ``X_train, y_train, X_val, y_val``.
    """
    from sklearn.datasets import load_digits

    X, y = load_digits(return_X_y=True)
    order = np.random.default_rng(random_state).permutation(len(y))
    train, val = order[:N_TRAIN], order[N_TRAIN:]
    return X[train] / 16.0, y[train], X[val] / 16.0, y[val]


def _accuracy(y_true, output):
    return float(np.mean(np.argmax(output, axis=1) == np.asarray(y_true)))


def train_run(lr, batch_size, width, optimizer, epochs=15, random_state=0):
    """Train a 64-``width``-10 ReLU network on the digits; the per-epoch history.

    Parameters
    ----------
    lr : float
        The learning rate, positive.
    batch_size : int
        Images per mini-batch.
    width : int
        Units of the hidden layer.
    optimizer : {"SGD", "momentum", "Adam"}
        Plain SGD, SGD with momentum 0.9, or Adam (betas 0.9, 0.999).
    epochs : int, default 15
        Passes over the 1297 training images.
    random_state : int, default 0
        Seed of the initial weights and of the shuffling.

    Returns
    -------
    dict
        ``loss``, ``val_loss``, ``accuracy``, ``val_accuracy``: lists with one
        number per epoch (``fit`` may stop early when the loss is no longer
        finite; the lists are then shorter).
    """
    from .. import nn, optim
    from ..training import fit

    if optimizer not in OPTIMIZERS:
        raise ValueError(f"optimizer must be one of {sorted(OPTIMIZERS)}, got {optimizer!r}")
    if not (lr > 0 and math.isfinite(lr)):
        raise ValueError(f"lr must be a positive number, got {lr!r}")
    X_train, y_train, X_val, y_val = digits_splits()
    model = nn.Sequential(nn.Linear(64, int(width), random_state=random_state), nn.ReLU(),
                          nn.Linear(int(width), 10, random_state=random_state + 1))
    name, extra = OPTIMIZERS[optimizer]
    opt = getattr(optim, name)(model.parameters(), lr=float(lr), **extra)

    def stop_when_diverged(epoch, logs, model):
        return not math.isfinite(logs["loss"])

    with np.errstate(all="ignore"):
        history = fit(model, nn.CrossEntropyLoss(), opt, (X_train, y_train), epochs=int(epochs),
                      batch_size=int(batch_size), validation=(X_val, y_val),
                      metrics={"accuracy": _accuracy}, random_state=random_state,
                      progress=False, callbacks=[stop_when_diverged])
    return {key: [float(v) for v in history[key]]
            for key in ("loss", "val_loss", "accuracy", "val_accuracy")}


class TrainingDashboard(_Explorer):
    """Loss and accuracy curves of a digits classifier for the chosen training settings."""

    def __init__(self, lr=0.05, batch_size=32, width=32, optimizer="SGD", epochs=15):
        import ipywidgets as widgets

        if batch_size not in BATCH_SIZES:
            raise ValueError(f"batch_size must be one of {BATCH_SIZES}, got {batch_size}")
        if width not in WIDTHS:
            raise ValueError(f"width must be one of {WIDTHS}, got {width}")
        if optimizer not in OPTIMIZERS:
            raise ValueError(f"optimizer must be one of {sorted(OPTIMIZERS)}, got {optimizer!r}")
        self.epochs = int(epochs)
        if self.epochs < 1:
            raise ValueError(f"epochs must be at least 1, got {epochs}")
        self._cache = (None, None, 0.0)
        style = {"description_width": "initial"}
        controls = {
            "lr": widgets.FloatLogSlider(value=lr, base=10, min=-4, max=1, step=0.1,
                                         description="learning rate (log scale)",
                                         readout_format=".3g", continuous_update=False,
                                         style=style, layout=widgets.Layout(width="330px")),
            "batch_size": widgets.SelectionSlider(options=BATCH_SIZES, value=batch_size,
                                                  description="batch size",
                                                  continuous_update=False, style=style,
                                                  layout=widgets.Layout(width="300px")),
            "width": widgets.SelectionSlider(options=WIDTHS, value=width,
                                             description="hidden units",
                                             continuous_update=False, style=style,
                                             layout=widgets.Layout(width="280px")),
            "optimizer": widgets.ToggleButtons(options=list(OPTIMIZERS), value=optimizer,
                                               description="optimizer",
                                               style={**style, "button_width": "80px"}),
        }
        super().__init__(controls, note=f"A 64-width-10 ReLU network trained for {self.epochs} "
                                        f"epochs on {N_TRAIN} digits (8x8 pixels), validated on "
                                        "500 others; every change retrains from the same start.")

    def run(self, lr, batch_size, width, optimizer):
        """The history for these settings (computed once, shared by draw and describe)."""
        key = (lr, batch_size, width, optimizer)
        if self._cache[0] != key:
            start = time.perf_counter()
            history = train_run(lr, batch_size, width, optimizer, self.epochs)
            self._cache = (key, history, time.perf_counter() - start)
        return self._cache[1]

    def draw(self, lr, batch_size, width, optimizer):
        fig, (ax_loss, ax_acc) = _figure()
        history = self.run(lr, batch_size, width, optimizer)
        styles = {"loss": ("training", _OKABE_ITO["blue"], "-"),
                  "val_loss": ("validation", _OKABE_ITO["orange"], "--"),
                  "accuracy": ("training", _OKABE_ITO["blue"], "-."),
                  "val_accuracy": ("validation", _OKABE_ITO["orange"], ":")}
        for key, (label, color, ls) in styles.items():
            values = np.asarray(history[key], dtype=float)
            ax = ax_loss if "loss" in key else ax_acc
            shown = np.where(np.isfinite(values), values, np.nan)
            ax.plot(np.arange(1, len(values) + 1), shown, color=color, ls=ls, lw=2, marker="o",
                    ms=3, label=label)
        ax_loss.set_yscale("log")
        from matplotlib.ticker import FuncFormatter, NullFormatter

        # Plain numbers (0.3, not 3 x 10^-1) keep the tick labels short.
        ax_loss.yaxis.set_major_formatter(FuncFormatter(lambda value, _: f"{value:g}"))
        ax_loss.yaxis.set_minor_formatter(FuncFormatter(lambda value, _: f"{value:g}"))
        ax_loss.set_ylabel("cross-entropy loss (log scale)", fontsize=_LABEL_SIZE)
        ax_loss.set_title("Loss", fontsize=_TITLE_SIZE)
        ax_acc.axhline(0.1, color=_OKABE_ITO["grey"], lw=1, ls=(0, (1, 3)), label="_chance")
        ax_acc.set_ylim(0.0, 1.02)
        ax_acc.set_ylabel("accuracy", fontsize=_LABEL_SIZE)
        ax_acc.set_title("Accuracy (chance: 0.1)", fontsize=_TITLE_SIZE)
        for ax in (ax_loss, ax_acc):
            ax.set_xlim(0.5, self.epochs + 0.5)
            ax.set_xlabel("epoch", fontsize=_LABEL_SIZE)
            ax.legend(fontsize=_LABEL_SIZE - 2, loc="best")
        return fig

    def describe(self, lr, batch_size, width, optimizer):
        history = self.run(lr, batch_size, width, optimizer)
        seconds = self._cache[2]
        steps = math.ceil(N_TRAIN / batch_size)
        done = len(history["loss"])
        diverged = done < self.epochs or not all(math.isfinite(v) for v in history["loss"])
        rows = [["", "<b>training</b>", "<b>validation</b>"],
                [f"loss after epoch {done}", _fmt(history["loss"][-1]),
                 _fmt(history["val_loss"][-1])],
                [f"accuracy after epoch {done}", f"{history['accuracy'][-1]:.3f}",
                 f"{history['val_accuracy'][-1]:.3f}"],
                ["best validation accuracy", "", f"{max(history['val_accuracy']):.3f}"],
                ["updates per epoch", str(steps), ""],
                ["parameters", str(64 * width + width + width * 10 + 10), ""],
                ["training time", f"{seconds:.2f} s", ""]]
        if diverged:
            rows.append(["<b>the loss stopped being finite: training diverged</b>", "", ""])
        return _table(rows)


def training_dashboard(lr=0.05, batch_size=32, width=32, optimizer="SGD", epochs=15):
    """A training dashboard: learning rate, batch size, width and optimizer against the curves.

    Parameters
    ----------
    lr : float, default 0.05
        The starting learning rate (the slider runs from 1e-4 to 10, log scale).
    batch_size : int, default 32
        One of :data:`BATCH_SIZES` (1297 is the full training set).
    width : int, default 32
        Hidden units, one of :data:`WIDTHS`.
    optimizer : {"SGD", "momentum", "Adam"}, default "SGD"
    epochs : int, default 15
        Epochs trained for every setting.

    Returns
    -------
    ipywidgets.VBox
        The explorer (see :mod:`anncourse.explorers.losses` for its attributes).
    """
    return TrainingDashboard(lr, batch_size, width, optimizer, epochs).widget
