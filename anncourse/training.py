"""Training: the mini-batch loop, its history, callbacks and a plot.

Every model in the course is trained by the same loop. An *epoch* is one
pass over the training set in shuffled mini-batches, and each batch makes
one step of the optimizer::

    for epoch in range(epochs):
        model.train()
        for xb, yb in iterate_minibatches(X, y, batch_size, random_state=rng):
            optimizer.zero_grad()                 # forget the last batch's gradient
            out = model(xb)                       # forward
            value = loss(out, yb)
            model.backward(loss.backward(), input_grad=False)  # fills p.grad
            optimizer.step()                      # update every parameter
        model.eval()
        ...                                       # validation loss, callbacks

:func:`fit` is that loop, with a progress bar, a record of the losses in a
:class:`History`, and callbacks that may stop training early (such as
:class:`EarlyStoppingCallback`). :func:`plot_history` draws the record.
"""
from __future__ import annotations

from collections.abc import Mapping

import numpy as np

from anncourse._random import check_random_state, renamed
from anncourse.data._checks import check_count, check_same_length
from anncourse.data.batching import iterate_minibatches
from anncourse.nn.module import _takes_input_grad
from anncourse.regularization.early_stopping import EarlyStopping

__all__ = ["History", "EarlyStoppingCallback", "fit", "plot_history"]


class History(dict):
    """What :func:`fit` recorded: one list of numbers per quantity, one entry per epoch.

    A dict from names to lists of floats. The keys are ``"loss"``, then the
    name of each metric, then, with validation data, ``"val_loss"`` and
    ``"val_<metric>"`` for each metric.

    Examples
    --------
    >>> history = History(loss=[0.9, 0.5], val_loss=[1.0, 0.7])
    >>> history["val_loss"][-1], history.epochs
    (0.7, 2)
    """

    @property
    def epochs(self):
        """The number of epochs recorded."""
        return len(self.get("loss", ()))

    def __repr__(self):
        return f"History(epochs={self.epochs}, keys={list(self)})"


class EarlyStoppingCallback:
    """Let :func:`fit` stop through an :class:`~anncourse.regularization.EarlyStopping`.

    At the end of every epoch it calls::

        stop = early_stopping.step(logs[monitor], model)

    so training ends after ``patience`` epochs without improvement of the
    monitored quantity and, with ``restore_best_weights``, the model gets
    back the weights of its best epoch. If training runs out of epochs
    before that, the weights are those of the last epoch.

    Parameters
    ----------
    early_stopping : EarlyStopping
        Decides when to stop; its ``mode`` must suit the quantity (``"min"``
        for a loss, ``"max"`` for an accuracy).
    monitor : str, default "val_loss"
        A key of the history, such as ``"val_loss"`` or ``"val_accuracy"``.

    Raises
    ------
    TypeError
        If ``early_stopping`` has no ``step`` method.
    KeyError
        (at the end of an epoch) If nothing called ``monitor`` was recorded.

    Examples
    --------
    >>> from anncourse.regularization import EarlyStopping
    >>> callback = EarlyStoppingCallback(EarlyStopping(patience=1), monitor="loss")
    >>> [callback.on_epoch_end(epoch, {"loss": value}, model=None)
    ...  for epoch, value in enumerate([1.0, 0.5, 0.6])]
    [False, False, True]
    """

    def __init__(self, early_stopping, monitor="val_loss"):
        if not callable(getattr(early_stopping, "step", None)):
            raise TypeError(
                "EarlyStoppingCallback needs an EarlyStopping (an object with "
                f"step(value, model)), got {type(early_stopping).__name__}"
            )
        self.early_stopping = early_stopping
        self.monitor = monitor

    def on_epoch_end(self, epoch, logs, model):
        """Pass this epoch's ``logs[monitor]`` on; return True to stop."""
        if self.monitor not in logs:
            hint = (" (pass validation=(X_val, y_val) to fit, or monitor='loss')"
                    if self.monitor.startswith("val_") else "")
            raise KeyError(
                f"early stopping monitors {self.monitor!r}, but fit recorded only "
                f"{sorted(logs)}{hint}"
            )
        return bool(self.early_stopping.step(logs[self.monitor], model))

    def __repr__(self):
        return f"EarlyStoppingCallback({self.early_stopping!r}, monitor={self.monitor!r})"


def _check_pair(pair, name):
    """``(X, y)`` as two arrays with one row per sample each."""
    if not isinstance(pair, (tuple, list)) or len(pair) != 2:
        raise TypeError(f"{name} must be a pair (X, y) of inputs and targets, "
                        f"got {type(pair).__name__}")
    X, y = np.asarray(pair[0]), np.asarray(pair[1])
    check_same_length(X, y)
    if len(y) == 0:
        raise ValueError(f"{name} is empty; it needs at least one sample")
    return X, y


def _check_metrics(metrics):
    """``metrics`` as a dict from name to ``f(y_true, output)``."""
    if metrics is None:
        return {}
    if isinstance(metrics, Mapping):
        named = dict(metrics)
    elif callable(metrics):
        raise TypeError("metrics must be a dict {name: function} or a list of functions, "
                        "not a single function; wrap it in a list")
    else:
        named = {getattr(f, "__name__", repr(f)): f for f in metrics}
    for name, function in named.items():
        if not isinstance(name, str) or name == "loss" or name.startswith("val_"):
            raise ValueError(f"a metric cannot be called {name!r}: 'loss' and names "
                             "starting with 'val_' are taken by fit")
        if not callable(function):
            raise TypeError(f"metric {name!r} must be a function f(y_true, output), "
                            f"got {type(function).__name__}")
    return named


def _epoch_end_hook(callback):
    """The function to call at the end of each epoch for ``callback``."""
    if isinstance(callback, EarlyStopping):
        callback = EarlyStoppingCallback(callback, monitor="val_loss")
    hook = getattr(callback, "on_epoch_end", None)
    if callable(hook):
        return hook
    if callable(callback):
        return callback
    raise TypeError(
        "a callback must have a method on_epoch_end(epoch, logs, model) or be such a "
        f"function, got {type(callback).__name__}"
    )


def _predict(model, X, batch_size):
    """The model's outputs for all of ``X``, computed ``batch_size`` rows at a time."""
    outputs = [model(X[start:start + batch_size]) for start in range(0, len(X), batch_size)]
    return np.concatenate(outputs)


@renamed("seed")
def fit(model, loss, optimizer, data, epochs, batch_size, validation=None, callbacks=(),
        random_state=None, metrics=None, progress=True):
    """Train ``model`` with mini-batch gradient descent; return the :class:`History`.

    Each epoch puts the model in training mode and visits the training set
    once, in a new random order, in mini-batches; for each batch::

        optimizer.zero_grad()
        out = model(xb)
        value = loss(out, yb)
        model.backward(loss.backward(), input_grad=False)
        optimizer.step()

    The epoch's ``loss`` is the mean of the batch losses weighted by batch
    size: for a mean-reduced loss, the mean loss over the epoch's samples,
    measured while the weights were changing (as Keras reports it). Then
    the model is put in evaluation mode and, with ``validation``, its loss
    and metrics on the validation set are computed in one pass.

    After recording the epoch, every callback's ``on_epoch_end(epoch, logs,
    model)`` is called with this epoch's numbers ``logs`` (a dict, keys as
    in the history); training stops after an epoch at which any callback
    returns True. The model is left in evaluation mode.

    Parameters
    ----------
    model : Module
        Anything with ``__call__``, ``backward``, ``train`` and ``eval``.
    loss : loss module
        Called as ``loss(output, target)``; ``loss.backward()`` gives
        ``dL/doutput``.
    optimizer : Optimizer
        Holds the model's parameters.
    data : tuple (X, y)
        The training inputs and targets, one row per sample.
    epochs : int
        The most epochs to train, at least 1.
    batch_size : int
        Samples per mini-batch; the last batch of an epoch may be smaller.
    validation : tuple (X_val, y_val), optional
        Data to evaluate on after every epoch; adds ``val_`` entries.
    callbacks : sequence, default ()
        Objects with ``on_epoch_end(epoch, logs, model) -> bool``, such
        functions, or :class:`~anncourse.regularization.EarlyStopping`
        objects (which monitor ``"val_loss"``; wrap one in
        :class:`EarlyStoppingCallback` to monitor something else).
    random_state : None, int or numpy.random.Generator
        Source of the shuffling: the same int (and the same initial
        model) gives the same history.
    metrics : dict or list of functions, optional
        ``{name: f(y_true, output)}``; a list names each function by its
        ``__name__``. The training value is computed on the outputs of the
        whole epoch's batches, the validation value on the validation set.
    progress : bool, default True
        Show a progress bar (``tqdm.auto``: a widget in notebooks, text in
        a terminal) with the epoch and the latest losses.

    Returns
    -------
    History
        The recorded numbers, one per epoch actually run.

    Raises
    ------
    TypeError, ValueError
        For data that is not an ``(X, y)`` pair of equal lengths, a bad
        ``epochs``, ``batch_size``, metric or callback.

    Examples
    --------
    Fitting ``y = 2x`` with a single linear unit:

    >>> from anncourse.nn import Linear, MSELoss
    >>> from anncourse.optim import SGD
    >>> X = np.linspace(-1, 1, 32).reshape(-1, 1)
    >>> model = Linear(1, 1, random_state=0)
    >>> history = fit(model, MSELoss(), SGD(model.parameters(), lr=0.5), (X, 2 * X),
    ...               epochs=20, batch_size=8, random_state=0, progress=False)
    >>> history.epochs, history["loss"][-1] < 1e-6
    (20, True)
    >>> print(f"{model.weight.data.item():.4f}")
    2.0000
    """
    X, y = _check_pair(data, "data")
    if validation is not None:
        X_val, y_val = _check_pair(validation, "validation")
    epochs = check_count(epochs, "epochs")
    batch_size = check_count(batch_size, "batch_size")
    metrics = _check_metrics(metrics)
    hooks = [_epoch_end_hook(callback) for callback in callbacks]
    rng = check_random_state(random_state)

    names = ["loss", *metrics]
    if validation is not None:
        names += ["val_" + name for name in names]
    history = History((name, []) for name in names)

    # Nobody uses the gradient of the data; a model that can skip it does.
    backward_options = {"input_grad": False} if _takes_input_grad(model) else {}
    bar = None
    if progress:
        # Imported here: tqdm.auto looks for Jupyter widgets, which takes time.
        from tqdm.auto import tqdm
        bar = tqdm(total=epochs, desc="fit", unit="epoch")
    try:
        for epoch in range(epochs):
            model.train()
            total, outputs, targets = 0.0, [], []
            for xb, yb in iterate_minibatches(X, y, batch_size, random_state=rng):
                optimizer.zero_grad()
                out = model(xb)
                value = loss(out, yb)
                model.backward(loss.backward(), **backward_options)
                optimizer.step()
                total += float(value) * len(yb)
                if metrics:
                    outputs.append(out)
                    targets.append(yb)
            logs = {"loss": total / len(y)}
            if metrics:
                out, target = np.concatenate(outputs), np.concatenate(targets)
                logs.update((name, float(f(target, out))) for name, f in metrics.items())

            model.eval()
            if validation is not None:
                out = _predict(model, X_val, batch_size)
                logs["val_loss"] = float(loss(out, y_val))
                logs.update(("val_" + name, float(f(y_val, out))) for name, f in metrics.items())

            for name in names:
                history[name].append(logs[name])
            if bar is not None:
                bar.set_postfix({name: f"{logs[name]:.4g}" for name in ("loss", "val_loss")
                                 if name in logs}, refresh=False)
                bar.update(1)
            # Every callback sees every epoch, even when an earlier one says stop.
            stops = [bool(hook(epoch, dict(logs), model)) for hook in hooks]
            if any(stops):
                break
    finally:
        if bar is not None:
            bar.close()
        model.eval()
    return history


def plot_history(history, ax=None):
    """Draw the training and validation curves of a :class:`History`.

    One plot per quantity: the loss, then each metric. The x-axis counts
    epochs from 1; the training curve is solid, the validation curve
    dashed.

    Parameters
    ----------
    history : History or dict of lists
        What :func:`fit` returned.
    ax : matplotlib Axes or sequence of Axes, optional
        Where to draw, one Axes per quantity. By default a new figure with
        the plots side by side.

    Returns
    -------
    list of matplotlib.axes.Axes
        The axes drawn on, in the order loss, metrics.

    Raises
    ------
    ValueError
        If the history is empty or ``ax`` has a different number of Axes
        than there are quantities.
    """
    quantities = [name for name in history if not name.startswith("val_")]
    quantities += [name[4:] for name in history
                   if name.startswith("val_") and name[4:] not in quantities]
    if not quantities:
        raise ValueError("the history is empty: there is nothing to plot")
    if ax is None:
        # Imported here, so that importing anncourse never loads matplotlib.
        import matplotlib.pyplot as plt
        _, axes = plt.subplots(1, len(quantities), figsize=(4.5 * len(quantities), 3.5),
                               squeeze=False, layout="constrained")
        axes = list(axes[0])
    else:
        axes = list(ax) if isinstance(ax, (list, tuple, np.ndarray)) else [ax]
        if len(axes) != len(quantities):
            raise ValueError(
                f"the history has {len(quantities)} quantities ({', '.join(quantities)}) "
                f"but {len(axes)} Axes were given; pass one Axes per quantity, e.g. "
                f"plt.subplots(1, {len(quantities)})[1]"
            )
    for axis, name in zip(axes, quantities):
        for key, label, style in ((name, "training", "-"), ("val_" + name, "validation", "--")):
            values = history.get(key)
            if values:
                axis.plot(np.arange(1, len(values) + 1), values, style, label=label)
        axis.set_xlabel("epoch")
        axis.set_ylabel(name)
        axis.set_title(name)
        axis.legend()
    return axes
