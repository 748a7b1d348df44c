"""The playground: train a small network on 2-D data, live, in the notebook.

A TensorFlow-Playground-class explorer built on the course's own network,
:mod:`anncourse.nn`.  Pick a data set (moons, circles, spirals or XOR), its
noise and the share of points used for training; pick the network (hidden
layers, their width, the activation) and the training (learning rate, batch
size, weight penalty); then press play, pause or step.  The decision
boundary is drawn as a heatmap over the points, next to the training and
held-out loss curves, with an epoch counter.

Two layers, kept apart so that each can be tested on its own:

:class:`PlaygroundModel`
    the computation, NumPy and :mod:`anncourse.nn` only: the data, the
    network, one epoch of mini-batch SGD (:meth:`~PlaygroundModel.step`),
    the loss history and the probabilities on a grid.  No widget, no figure.
:class:`Playground` (built by :func:`playground`)
    the widget: controls, a play/pause/step bar, the epoch counter and the
    figure, drawn into an ``ipywidgets.Image`` as the other explorers do (see
    :mod:`anncourse.explorers.losses` for why an Image and not an Output).

Live training without threads
-----------------------------
The play button is an ``ipywidgets.Play``: the browser increments its value
every ``interval`` milliseconds and each increment reaches the kernel as an
ordinary widget message, on which the kernel trains ``epochs_per_tick``
epochs.  No background thread or asyncio task is involved, so it works in
JupyterLab, Notebook 7 and on Binder alike, stops when the browser tab
closes, and never races with the learner's own cells.  Two guards keep a
1-core Binder responsive: the figure is redrawn at most ``max_fps`` times a
second (the epoch counter, a few bytes, is updated on every tick), and when a
tick takes longer than the interval the interval grows, so that messages
never pile up in the kernel.  Pausing redraws once, so the figure always shows
the last epoch.

Reuse: one function, options for each chapter
--------------------------------------------
Chapter 10 (the multilayer perceptron) uses the default controls,
:data:`PLAYGROUND_CONTROLS`.  Chapter 07 (regularization) asks for
:data:`REGULARIZATION_CONTROLS` (L1 or L2 and its strength, dropout, noise,
training share) with validation curves that mark the early-stopping point::

    playground(controls=REGULARIZATION_CONTROLS, heldout="validation",
               early_stopping=True, patience=20)

or simply :func:`regularization_playground`.  Chapter 15 (common
challenges) can add the initialisation (``"init"``) to any tuple, e.g.
:data:`CHALLENGE_CONTROLS`.  Every setting (``dataset="moons"``,
``hidden_layers=3``, ``lr=0.1`` ...) is also a keyword argument, so a chapter
can open the playground on the situation its text discusses.

Examples
--------
>>> model = PlaygroundModel(dataset="xor", hidden_layers=1, width=4, seed=0)
>>> model.epoch, len(model.X_train) + len(model.X_test)
(0, 200)
>>> model.step(5)
>>> model.epoch, len(model.history["train_loss"])
(5, 5)
"""
from __future__ import annotations

import html
import io
import math
import time
from dataclasses import dataclass, fields, replace

import numpy as np

__all__ = ["CHALLENGE_CONTROLS", "PLAYGROUND_CONTROLS", "REGULARIZATION_CONTROLS", "Playground",
           "PlaygroundModel", "PlaygroundSettings", "playground", "playground_figure",
           "regularization_playground"]

DATASETS = ("moons", "circles", "spirals", "xor")
ACTIVATIONS = ("relu", "tanh", "sigmoid", "linear")
PENALTIES = ("L2", "L1")
INITS = ("xavier", "he", "small", "large")
LEARNING_RATES = (0.0001, 0.001, 0.003, 0.01, 0.03, 0.1, 0.3, 1.0, 3.0, 10.0)
BATCH_SIZES = (1, 2, 5, 10, 20, 50, 100, 200)
STRENGTHS = (0.0, 0.0001, 0.0003, 0.001, 0.003, 0.01, 0.03, 0.1, 0.3, 1.0)

PLAYGROUND_CONTROLS = ("dataset", "noise", "train_share", "hidden_layers", "width", "activation",
                       "lr", "batch_size", "lam")
REGULARIZATION_CONTROLS = ("dataset", "noise", "train_share", "hidden_layers", "width", "lr",
                           "penalty", "lam", "dropout")
CHALLENGE_CONTROLS = ("dataset", "hidden_layers", "width", "activation", "init", "lr",
                      "batch_size")

# Settings whose change draws a new data set, and those that rebuild the
# network; the others (learning rate, batch size, penalty) apply from the next
# step on, as in TensorFlow Playground.
_DATA_KEYS = {"dataset", "noise", "train_share", "n_samples", "seed"}
_NETWORK_KEYS = {"hidden_layers", "width", "activation", "init", "dropout"}

_OKABE_ITO = {"orange": "#E69F00", "sky": "#56B4E9", "green": "#009E73", "blue": "#0072B2",
              "vermillion": "#D55E00", "purple": "#CC79A7", "grey": "#666666"}
_CLASS_COLORS = (_OKABE_ITO["blue"], _OKABE_ITO["orange"])
_CLASS_MARKERS = ("o", "^")
_FIGSIZE = (9.6, 4.0)
_DPI = 80


@dataclass(frozen=True)
class PlaygroundSettings:
    """Everything that defines a playground run.

    Attributes
    ----------
    dataset : {"moons", "circles", "spirals", "xor"}
    noise : float
        Standard deviation of the Gaussian noise on every coordinate.
    train_share : float
        Share of the points used for training, in (0, 1); the rest are held out.
    n_samples : int
        Number of points, training and held out together.
    hidden_layers : int
        Number of hidden layers (0: logistic regression).
    width : int
        Units per hidden layer.
    activation : {"relu", "tanh", "sigmoid", "linear"}
    init : {"xavier", "he", "small", "large"}
        Weights from N(0, 2/(in+out)), N(0, 2/in), N(0, 0.01^2) or N(0, 1); biases 0.
    lr : float
        Learning rate of plain SGD.
    batch_size : int
        Mini-batch size (capped at the number of training points).
    penalty : {"L2", "L1"}
        Weight penalty: ``lam/2 * sum w^2`` or ``lam * sum |w|`` (weights, not biases).
    lam : float
        Penalty strength (0: none).
    dropout : float
        Dropout probability after every hidden layer, in [0, 1).
    seed : int
        Seed of the data, the split, the initial weights and the batches.
    """

    dataset: str = "spirals"
    noise: float = 0.1
    train_share: float = 0.5
    n_samples: int = 200
    hidden_layers: int = 2
    width: int = 8
    activation: str = "tanh"
    init: str = "xavier"
    lr: float = 0.03
    batch_size: int = 10
    penalty: str = "L2"
    lam: float = 0.0
    dropout: float = 0.0
    seed: int = 0

    def __post_init__(self):
        for name, options in (("dataset", DATASETS), ("activation", ACTIVATIONS),
                              ("penalty", PENALTIES), ("init", INITS)):
            if getattr(self, name) not in options:
                raise ValueError(f"{name} must be one of {', '.join(options)}; "
                                 f"got {getattr(self, name)!r}")
        if not 0 < self.train_share < 1:
            raise ValueError(f"train_share must be in (0, 1); got {self.train_share}")
        if not 0 <= self.dropout < 1:
            raise ValueError(f"dropout must be in [0, 1); got {self.dropout}")
        for name in ("noise", "lam", "lr"):
            if not (math.isfinite(getattr(self, name)) and getattr(self, name) >= 0):
                raise ValueError(f"{name} must be a finite number >= 0; got {getattr(self, name)}")
        for name, low in (("n_samples", 10), ("hidden_layers", 0), ("width", 1), ("batch_size", 1)):
            value = getattr(self, name)
            if isinstance(value, bool) or int(value) != value or value < low:
                raise ValueError(f"{name} must be an integer >= {low}; got {value!r}")


def _make_data(settings: PlaygroundSettings):
    """The points and labels, scaled so that every data set fills about [-1, 1]^2."""
    from ..data import make_circles, make_moons, make_spirals, make_xor

    maker = {"moons": make_moons, "circles": make_circles, "spirals": make_spirals,
             "xor": make_xor}[settings.dataset]
    X, y = maker(settings.n_samples, noise=0.0, random_state=settings.seed)
    # Scale the noise-free layout, then add the noise, so that "noise 0.1" means
    # the same on every data set.
    centre = (X.max(axis=0) + X.min(axis=0)) / 2
    X = (X - centre) / np.max(X.max(axis=0) - X.min(axis=0)) * 2
    rng = np.random.default_rng([settings.seed, 1])
    return X + settings.noise * rng.standard_normal(X.shape), y.astype(np.float64)


def _split(y, share, seed):
    """Indices of a stratified split: ``share`` of each class for training."""
    rng = np.random.default_rng([seed, 2])
    train = []
    for label in np.unique(y):
        members = rng.permutation(np.flatnonzero(y == label))
        train.extend(members[:max(1, min(len(members) - 1, round(share * len(members))))])
    train = np.sort(np.array(train))
    return train, np.setdiff1d(np.arange(len(y)), train)


class PlaygroundModel:
    """A binary classifier on 2-D points, trained by mini-batch SGD one epoch at a time.

    Parameters
    ----------
    settings : PlaygroundSettings, optional
    **changes
        Any field of :class:`PlaygroundSettings`, e.g. ``dataset="moons"``.

    Attributes
    ----------
    settings : PlaygroundSettings
    X_train, y_train, X_test, y_test : numpy.ndarray
        The split points (the held-out ones are called test or validation by the widget).
    network : anncourse.nn.Sequential
        ``Linear -> activation [-> Dropout]`` per hidden layer, then ``Linear(width, 1)``.
    epoch : int
        Epochs trained since the network was built.
    history : dict of lists
        Per epoch: ``train_loss``, ``test_loss`` (binary cross-entropy, without
        the penalty, dropout off), ``train_accuracy``, ``test_accuracy``.
    diverged : bool
        True once a loss was not finite; :meth:`step` then does nothing until
        the network is rebuilt (:meth:`reset`).
    """

    def __init__(self, settings: PlaygroundSettings | None = None, **changes):
        self.settings = replace(settings or PlaygroundSettings(), **changes)
        self._new_data()
        self.reset()

    # -- set-up ------------------------------------------------------------------

    def _new_data(self):
        s = self.settings
        X, y = _make_data(s)
        train, test = _split(y, s.train_share, s.seed)
        self.X_train, self.y_train = X[train], y[train]
        self.X_test, self.y_test = X[test], y[test]
        low, high = X.min(axis=0) - 0.15, X.max(axis=0) + 0.15
        self.extent = (float(low[0]), float(high[0]), float(low[1]), float(high[1]))

    def _initialiser(self):
        from ..nn import init

        scheme = self.settings.init
        if scheme == "xavier":
            return "xavier_normal"
        if scheme == "he":
            return "kaiming_normal"
        std = 0.01 if scheme == "small" else 1.0
        return lambda weight, rng: init.normal_(weight, 0.0, std, random_state=rng)

    def reset(self):
        """Build a fresh network (same settings, same seed) and forget the history."""
        from .. import nn

        s = self.settings
        rng = np.random.default_rng([s.seed, 3])
        activation = {"relu": nn.ReLU, "tanh": nn.Tanh, "sigmoid": nn.Sigmoid}.get(s.activation)
        layers, n_in = [], 2
        for _ in range(s.hidden_layers):
            layers.append(nn.Linear(n_in, s.width, init=self._initialiser(), random_state=rng))
            if activation is not None:
                layers.append(activation())
            if s.dropout > 0:
                layers.append(nn.Dropout(s.dropout, random_state=rng))
            n_in = s.width
        layers.append(nn.Linear(n_in, 1, init=self._initialiser(), random_state=rng))
        self.network = nn.Sequential(*layers)
        self.criterion = nn.BCEWithLogitsLoss()
        self._weights = [layer.weight for layer in layers if isinstance(layer, nn.Linear)]
        self._batch_rng = np.random.default_rng([s.seed, 4])
        self.epoch = 0
        self.diverged = False
        self.history = {"train_loss": [], "test_loss": [], "train_accuracy": [],
                        "test_accuracy": []}

    def update(self, **changes) -> str:
        """Change settings; return what had to be redone: "data", "network" or "nothing".

        A new data set or a new network starts training over (epoch 0);
        a new learning rate, batch size or penalty applies from the next step.
        """
        unknown = set(changes) - {f.name for f in fields(PlaygroundSettings)}
        if unknown:
            raise TypeError(f"unknown playground settings: {', '.join(sorted(unknown))}")
        changed = {k for k, v in changes.items() if getattr(self.settings, k) != v}
        self.settings = replace(self.settings, **changes)
        if changed & _DATA_KEYS:
            self._new_data()
            self.reset()
            return "data"
        if changed & _NETWORK_KEYS:
            self.reset()
            return "network"
        return "nothing"

    # -- training ------------------------------------------------------------------

    def _penalty_grad(self, weight):
        s = self.settings
        if s.lam == 0:
            return 0.0
        return s.lam * (weight if s.penalty == "L2" else np.sign(weight))

    def step(self, epochs: int = 1) -> None:
        """Train ``epochs`` epochs of mini-batch SGD, recording the losses after each."""
        s = self.settings
        n = len(self.y_train)
        size = min(s.batch_size, n)
        for _ in range(int(epochs)):
            if self.diverged:
                return
            self.network.train()
            order = self._batch_rng.permutation(n)
            with np.errstate(all="ignore"):
                for start in range(0, n, size):
                    batch = order[start:start + size]
                    logits = self.network(self.X_train[batch])
                    self.criterion(logits, self.y_train[batch, None])
                    self.network.zero_grad()
                    self.network.backward(self.criterion.backward())
                    for param in self.network.parameters():
                        penalty = self._penalty_grad(param.data) if any(
                            param is w for w in self._weights) else 0.0
                        param.data -= s.lr * (param.grad + penalty)
            self.epoch += 1
            self._record()

    def _record(self):
        for part, X, y in (("train", self.X_train, self.y_train),
                           ("test", self.X_test, self.y_test)):
            logits = self.logits(X)
            with np.errstate(all="ignore"):
                loss = float(self.criterion(logits, y[:, None])) if np.all(np.isfinite(logits)) \
                    else math.inf
            self.history[f"{part}_loss"].append(loss)
            self.history[f"{part}_accuracy"].append(float(np.mean((logits[:, 0] > 0) == (y > 0.5))))
        if not math.isfinite(self.history["train_loss"][-1]):
            self.diverged = True

    # -- evaluation ------------------------------------------------------------------

    def logits(self, X) -> np.ndarray:
        """The network's logits for the points ``X`` (dropout off), shape ``(n, 1)``."""
        self.network.eval()
        with np.errstate(all="ignore"):
            return self.network(np.asarray(X, dtype=np.float64))

    def grid(self, resolution: int = 50):
        """``(xs, ys, p)``: P(class 1) on a ``resolution`` x ``resolution`` grid over the points."""
        x0, x1, y0, y1 = self.extent
        xs, ys = np.linspace(x0, x1, resolution), np.linspace(y0, y1, resolution)
        points = np.stack(np.meshgrid(xs, ys), axis=-1).reshape(-1, 2)
        with np.errstate(all="ignore"):
            p = 1.0 / (1.0 + np.exp(-self.logits(points)[:, 0]))
        return xs, ys, np.nan_to_num(p, nan=0.5).reshape(resolution, resolution)

    def early_stopping(self, patience: int = 10):
        """``(best_epoch, stop_epoch)`` by early stopping on the held-out loss, 1-based.

        ``stop_epoch`` is None while training would still go on: fewer than
        ``patience`` epochs since the best.  ``(None, None)`` before any epoch.
        """
        from ..regularization import EarlyStopping

        stopper = EarlyStopping(patience=patience, restore_best_weights=False)
        stop = None
        for i, value in enumerate(self.history["test_loss"]):
            if stopper.step(value):
                stop = i + 1
                break
        best = None if stopper.best_epoch is None else stopper.best_epoch + 1
        return best, stop


# --- the widget ---------------------------------------------------------------------------

def _colormap():
    """Blue (class 0) through white to orange (class 1): Okabe-Ito ends, readable in greyscale."""
    from matplotlib.colors import LinearSegmentedColormap

    return LinearSegmentedColormap.from_list("okabe_ito_diverging",
                                             [_CLASS_COLORS[0], "#FFFFFF", _CLASS_COLORS[1]])


def _nice_above(value: float, steps=(1, 2, 5)) -> float:
    """The smallest of 1, 2, 5, 10, 20, 50, ... that is at least ``value``."""
    scale = 10 ** math.floor(math.log10(max(value, 1e-12)))
    for factor in (*steps, 10):
        if factor * scale >= value:
            return factor * scale
    return 10 * scale  # pragma: no cover - the loop always returns


class _Figure:
    """The two panels, rendered by blitting: the axes once, the moving parts every frame.

    Drawing tick labels and titles is most of what a matplotlib redraw costs,
    so the axes, their ticks and the legend are rendered once into a
    background, and each frame only the heatmap, the points and the curves are
    drawn over a copy of it.  The background is rendered again only when an
    axis has to grow (the epoch axis doubles or so: 10, 20, 50, 100 ...) or a
    new data set arrives.  Numbers that change every epoch (the losses, the
    accuracy) are shown by the widget as text, not in the figure.
    """

    def __init__(self, model: PlaygroundModel, heldout: str, early_stopping: bool, patience: int,
                 resolution: int):
        from matplotlib.backends.backend_agg import FigureCanvasAgg
        from matplotlib.figure import Figure

        self.heldout, self.early_stopping, self.patience = heldout, early_stopping, patience
        self.resolution = resolution
        self.fig = Figure(figsize=_FIGSIZE, dpi=_DPI)
        self.canvas = FigureCanvasAgg(self.fig)
        self.fig.subplots_adjust(left=0.06, right=0.985, bottom=0.13, top=0.91, wspace=0.25)
        self.ax_map, self.ax_loss = self.fig.subplots(1, 2)
        self.ax_loss.grid(alpha=0.3)
        self.image = self.ax_map.imshow(np.full((2, 2), 0.5), origin="lower", cmap=_colormap(),
                                        vmin=0, vmax=1, aspect="auto", interpolation="nearest",
                                        animated=True)
        self.points = []
        (self.train_line,) = self.ax_loss.plot([], [], color=_OKABE_ITO["blue"], ls="-", lw=2,
                                               label="training loss", animated=True)
        (self.test_line,) = self.ax_loss.plot([], [], color=_OKABE_ITO["vermillion"], ls="--",
                                              lw=2, label=f"{heldout} loss", animated=True)
        self.stop_line = self.ax_loss.axvline(
            0, color=_OKABE_ITO["grey"], ls=":", lw=2, animated=True, visible=False,
            label=f"lowest {heldout} loss" if early_stopping else "_lowest loss")
        self.ax_loss.set_xlabel("epoch")
        self.ax_loss.set_ylabel("binary cross-entropy")
        self.ax_loss.set_title(f"Training and {heldout} loss", fontsize=11)
        self.ax_map.set_title(f"P(class 1): blue 0, orange 1; white inside: {heldout}",
                              fontsize=11)
        self.ax_loss.legend(loc="upper right", fontsize=9)
        self.limits = None
        self.background = None
        self.new_points(model)

    def new_points(self, model: PlaygroundModel):
        """Draw the points again (after a new data set)."""
        for artist in self.points:
            artist.remove()
        self.points = []
        for X, y, filled in ((model.X_train, model.y_train, True),
                             (model.X_test, model.y_test, False)):
            for label in (0, 1):
                chosen = X[y == label]
                colour = _CLASS_COLORS[label]
                # Training points: the class colour with a black rim; held-out points: white
                # with a rim in the class colour. Both stand out on either colour of the map.
                self.points.append(self.ax_map.scatter(
                    chosen[:, 0], chosen[:, 1], s=24 if filled else 28,
                    marker=_CLASS_MARKERS[label], linewidths=0.7 if filled else 1.4,
                    facecolors=colour if filled else "white",
                    edgecolors="black" if filled else colour, animated=True))
        x0, x1, y0, y1 = model.extent
        self.image.set_extent((x0, x1, y0, y1))
        self.ax_map.set_xlim(x0, x1)
        self.ax_map.set_ylim(y0, y1)
        self.background = None

    def _limits(self, model: PlaygroundModel):
        h = model.history
        finite = [v for v in h["train_loss"] + h["test_loss"] if math.isfinite(v)]
        top = min(max(finite, default=0.8), 5.0)
        return _nice_above(max(10, len(h["train_loss"]))), _nice_above(top * 1.05)

    def draw(self, model: PlaygroundModel, format: str = "png") -> bytes:
        """Render the model's state as ``"png"`` or ``"jpeg"`` bytes.

        The live widget sends JPEG: it encodes several times faster than PNG
        and is a third of the size, which matters on Binder; the still
        figure is PNG.
        """
        from PIL import Image

        limits = self._limits(model)
        if self.background is None or limits != self.limits:
            self.limits = limits
            self.ax_loss.set_xlim(0, limits[0])
            self.ax_loss.set_ylim(0, limits[1])
            self.canvas.draw()  # the animated artists are left out of it
            self.background = self.canvas.copy_from_bbox(self.fig.bbox)
        else:
            self.canvas.restore_region(self.background)
        _, _, p = model.grid(self.resolution)
        self.image.set_data(p)
        self.ax_map.draw_artist(self.image)
        for artist in self.points:
            self.ax_map.draw_artist(artist)
        h = model.history
        epochs = np.arange(1, len(h["train_loss"]) + 1)
        self.train_line.set_data(epochs, h["train_loss"])
        self.test_line.set_data(epochs, h["test_loss"])
        best = model.early_stopping(self.patience)[0] if self.early_stopping else None
        self.stop_line.set_visible(best is not None)
        if best is not None:
            self.stop_line.set_xdata([best, best])
        for line in (self.train_line, self.test_line, self.stop_line):
            self.ax_loss.draw_artist(line)
        buffer = io.BytesIO()
        frame = Image.frombuffer("RGBA", self.canvas.get_width_height(), self.canvas.buffer_rgba(),
                                 "raw", "RGBA", 0, 1)
        if format == "jpeg":
            frame.convert("RGB").save(buffer, format="jpeg", quality=88)
        else:
            frame.save(buffer, format="png", compress_level=1)
        return buffer.getvalue()


_DESCRIPTIONS = {"dataset": "data", "noise": "noise", "train_share": "training share",
                 "hidden_layers": "hidden layers", "width": "units per layer",
                 "activation": "activation", "init": "initialisation", "lr": "learning rate",
                 "batch_size": "batch size", "penalty": "penalty", "lam": "penalty strength λ",
                 "dropout": "dropout p"}


def _control(name: str, value):
    import ipywidgets as widgets

    style = {"description_width": "initial"}
    layout = widgets.Layout(width="300px")
    description = _DESCRIPTIONS[name]
    if name in ("dataset", "penalty"):
        options = DATASETS if name == "dataset" else PENALTIES
        return widgets.ToggleButtons(options=options, value=value, description=description,
                                     style={**style, "button_width": "64px"})
    if name in ("activation", "init"):
        options = ACTIVATIONS if name == "activation" else INITS
        return widgets.Dropdown(options=options, value=value, description=description, style=style,
                                layout=widgets.Layout(width="220px"))
    if name in ("lr", "batch_size", "lam"):
        options = {"lr": LEARNING_RATES, "batch_size": BATCH_SIZES, "lam": STRENGTHS}[name]
        options = sorted(set(options) | {value})
        return widgets.SelectionSlider(options=options, value=value, description=description,
                                       continuous_update=False, style=style, layout=layout)
    if name in ("hidden_layers", "width"):
        low, high = (0, 6) if name == "hidden_layers" else (1, 16)
        return widgets.IntSlider(value=value, min=low, max=high, description=description,
                                 continuous_update=False, style=style, layout=layout)
    low, high, step = {"noise": (0.0, 0.5, 0.05), "train_share": (0.1, 0.9, 0.1),
                       "dropout": (0.0, 0.8, 0.1)}[name]
    return widgets.FloatSlider(value=value, min=low, max=high, step=step, description=description,
                               readout_format=".2f", continuous_update=False, style=style,
                               layout=layout)


def _status(model: PlaygroundModel, heldout: str, patience: int | None) -> str:
    """The epoch counter and the latest numbers, as HTML."""
    h = model.history
    parts = [f"epoch <b>{model.epoch}</b>"]
    if model.diverged:
        parts.append("<b>the loss diverged</b>: lower the learning rate and press reset")
    elif h["train_loss"]:
        parts.append(f"training loss {h['train_loss'][-1]:.3f}, accuracy "
                     f"{h['train_accuracy'][-1]:.0%}")
        parts.append(f"{heldout} loss {h['test_loss'][-1]:.3f}, accuracy "
                     f"{h['test_accuracy'][-1]:.0%}")
    if patience is not None and h["test_loss"]:
        best, stop = model.early_stopping(patience)
        parts.append(f"lowest {heldout} loss at epoch {best}" + (
            f"; early stopping (patience {patience}) would stop at epoch {stop}" if stop else ""))
    return "<span style='font-size:13px'>" + " · ".join(parts) + "</span>"


class Playground:
    """The widget around a :class:`PlaygroundModel` (build it with :func:`playground`)."""

    def __init__(self, controls=PLAYGROUND_CONTROLS, *, heldout: str = "test",
                 early_stopping: bool = False, patience: int = 10, epochs_per_tick: int = 1,
                 max_fps: float = 4.0, interval_ms: int = 100, resolution: int = 50,
                 question: str = "", **settings):
        import ipywidgets as widgets

        unknown = [c for c in controls if c not in _DESCRIPTIONS]
        if unknown:
            raise ValueError(f"unknown playground controls: {', '.join(unknown)}; "
                             f"choose from {', '.join(_DESCRIPTIONS)}")
        if heldout not in ("test", "validation"):
            raise ValueError(f"heldout must be 'test' or 'validation'; got {heldout!r}")
        if max_fps <= 0 or epochs_per_tick < 1:
            raise ValueError("max_fps must be > 0 and epochs_per_tick >= 1")
        self.model = PlaygroundModel(**settings)
        self.epochs_per_tick, self.max_fps = int(epochs_per_tick), float(max_fps)
        self.patience = int(patience)
        self.figure = _Figure(self.model, heldout, early_stopping, patience, resolution)
        self.controls = {name: _control(name, getattr(self.model.settings, name))
                         for name in controls}
        self.play = widgets.Play(value=0, min=0, max=10**9, step=1, interval=interval_ms,
                                 description="play", show_repeat=False)
        self.step_button = widgets.Button(description="step", tooltip="train one epoch",
                                          layout=widgets.Layout(width="70px"))
        self.reset_button = widgets.Button(description="reset",
                                           tooltip="start again from the same initial weights",
                                           layout=widgets.Layout(width="70px"))
        self.counter = widgets.HTML()
        self.counter.add_class("anncourse-epoch")
        self.image = widgets.Image(format="jpeg",
                                   layout=widgets.Layout(max_width="100%", height="auto"))
        self.redraws = 0
        self._last_draw = -math.inf

        for name, control in self.controls.items():
            control.observe(lambda change, name=name: self._on_setting(name, change["new"]),
                            names="value")
        self.play.observe(self._on_tick, names="value")
        self.play.observe(self._on_playing, names="playing")
        self.step_button.on_click(lambda _: self.step())
        self.reset_button.on_click(lambda _: self.reset())

        items = list(self.controls.values())
        rows = [widgets.HBox(items[i:i + 3]) for i in range(0, len(items), 3)]
        bar = widgets.HBox([self.play, self.step_button, self.reset_button, self.counter])
        head = [widgets.HTML(f"<b>{html.escape(question)}</b>")] if question else []
        self.widget = widgets.VBox([*head, *rows, bar, self.image])
        box = self.widget
        box.controls, box.image, box.counter, box.play = self.controls, self.image, self.counter, \
            self.play
        box.step_button, box.reset_button = self.step_button, self.reset_button
        box.model, box.explorer, box.update = self.model, self, self.redraw
        self.redraw()

    # -- callbacks (no try/except: an error must reach whoever moved the control) --

    def _on_setting(self, name, value):
        redone = self.model.update(**{name: value})
        if redone == "data":
            self.figure.new_points(self.model)
        self.redraw()

    def _on_tick(self, change):
        if change["new"] <= change["old"]:
            return  # the stop button rewinds the counter: nothing to train
        started = time.perf_counter()
        self.model.step(self.epochs_per_tick)
        self._show_epoch()
        if time.perf_counter() - self._last_draw >= 1.0 / self.max_fps:
            self.redraw()
        spent = (time.perf_counter() - started) * 1000
        if spent > 0.8 * self.play.interval:
            # Let the browser wait longer between ticks than a tick takes.
            self.play.interval = int(min(2000, 1.5 * spent))

    def _on_playing(self, change):
        if not change["new"]:
            self.redraw()  # paused: show the last epoch, whatever the throttle skipped

    def step(self):
        """Train one tick's epochs and redraw (the step button)."""
        self.model.step(self.epochs_per_tick)
        self.redraw()

    def reset(self):
        """New network from the same seed: epoch 0 (the reset button)."""
        self.model.reset()
        self.redraw()

    def _show_epoch(self):
        self.counter.value = _status(self.model, self.figure.heldout,
                                     self.patience if self.figure.early_stopping else None)

    def redraw(self):
        """Draw the figure for the model's current state."""
        self.image.value = self.figure.draw(self.model, "jpeg")
        self._show_epoch()
        self._last_draw = time.perf_counter()
        self.redraws += 1


def playground(controls=PLAYGROUND_CONTROLS, *, heldout: str = "test",
               early_stopping: bool = False, patience: int = 10, epochs_per_tick: int = 1,
               max_fps: float = 4.0, interval_ms: int = 100, question: str = "", **settings):
    """Train a small network on 2-D data, live: play, pause, step and watch the boundary move.

    Parameters
    ----------
    controls : tuple of str, default :data:`PLAYGROUND_CONTROLS`
        Which settings get a control, in order, from ``dataset``, ``noise``,
        ``train_share``, ``hidden_layers``, ``width``, ``activation``,
        ``init``, ``lr``, ``batch_size``, ``penalty`` (L1 or L2), ``lam``
        and ``dropout``.  Presets: :data:`PLAYGROUND_CONTROLS`,
        :data:`REGULARIZATION_CONTROLS`, :data:`CHALLENGE_CONTROLS`.
    heldout : {"test", "validation"}
        What the held-out points are called in the legend and titles.
    early_stopping : bool
        Mark the epoch of the lowest held-out loss on the curves (and, once
        ``patience`` epochs have passed without improvement, where early
        stopping would end training).
    patience : int
        Early stopping's patience, in epochs.
    epochs_per_tick : int
        Epochs trained per tick of the play button and per press of step.
    max_fps : float
        Most figure redraws per second while playing (the epoch counter
        follows every tick).
    interval_ms : int
        Milliseconds between ticks at first (it grows if a tick takes longer).
    question : str
        A question to predict, shown above the controls.
    **settings
        Starting values, any field of :class:`PlaygroundSettings`.

    Returns
    -------
    ipywidgets.VBox
        With ``box.controls``, ``box.play``, ``box.step_button``,
        ``box.reset_button``, ``box.counter``, ``box.image``, ``box.model``
        (the :class:`PlaygroundModel`), ``box.update()`` and
        ``box.explorer`` (the :class:`Playground`).

    Examples
    --------
    >>> box = playground(dataset="xor", hidden_layers=1, width=4)  # doctest: +SKIP
    >>> box.step_button.click(); box.model.epoch                    # doctest: +SKIP
    1
    """
    return Playground(controls, heldout=heldout, early_stopping=early_stopping, patience=patience,
                      epochs_per_tick=epochs_per_tick, max_fps=max_fps, interval_ms=interval_ms,
                      question=question, **settings).widget


def regularization_playground(controls=REGULARIZATION_CONTROLS, *, patience: int = 20, **options):
    """The playground as chapter 07 uses it: penalty, dropout, validation curves, early stopping.

    The same as ``playground(controls, heldout="validation", early_stopping=True, ...)``.
    """
    return playground(controls, heldout="validation", early_stopping=True, patience=patience,
                      **options)


def playground_figure(epochs: int = 0, *, heldout: str = "test", early_stopping: bool = False,
                      patience: int = 10, resolution: int = 50, **settings) -> bytes:
    """The playground's figure as PNG bytes after ``epochs`` epochs: the still for readers.

    Examples
    --------
    >>> playground_figure(20, dataset="xor")[:4]  # doctest: +SKIP
    b'\\x89PNG'
    """
    model = PlaygroundModel(**settings)
    model.step(epochs)
    return _Figure(model, heldout, early_stopping, patience, resolution).draw(model)
