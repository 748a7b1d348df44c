"""Early stopping: end training when the validation loss stops improving.

While a network trains, its training loss keeps falling, but at some point
its validation loss turns back up: it has started to overfit. Early
stopping watches the validation loss after every epoch, remembers the
weights of the best epoch so far, and when there has been no improvement
for ``patience`` epochs, stops and goes back to those weights.
"""

import copy
import numbers

from anncourse._validation import as_real_number

__all__ = ["EarlyStopping"]

_MODES = ("min", "max")


class EarlyStopping:
    """Stop training after ``patience`` epochs without improvement.

    Call :meth:`step` once per epoch with the monitored value (usually the
    validation loss) and the model. A value *improves* on the best one so
    far if::

        value < best - min_delta      (mode="min", e.g. a loss)
        value > best + min_delta      (mode="max", e.g. an accuracy)

    The first value always improves (``best`` starts at infinity); NaN
    never does. An improvement makes it the new ``best``, resets the count
    of bad epochs to 0, and saves a copy of ``model.state_dict()``. Any
    other value adds 1 to ``num_bad_epochs``; when that reaches
    ``patience``, :meth:`step` returns True, and with
    ``restore_best_weights`` it first loads the saved state back with
    ``model.load_state_dict``. So with ``patience=2`` the losses
    ``3, 2, 2.5, 2.1`` stop at the fourth epoch, restoring the second.

    The model can be anything with ``state_dict()`` and
    ``load_state_dict(state)``: an :mod:`anncourse.nn` module or a PyTorch
    one.

    Parameters
    ----------
    patience : int, default 5
        How many epochs in a row without improvement end training. 0 stops
        at the first epoch that does not improve.
    min_delta : float, default 0.0
        How much better than ``best`` a value must be to count, ``>= 0``.
    mode : {"min", "max"}, default "min"
        Whether smaller or larger values are better.
    restore_best_weights : bool, default True
        Save the best weights and load them back when stopping.

    Attributes
    ----------
    best : float
        The best value so far (``inf`` or ``-inf`` before the first step).
    best_epoch : int or None
        The epoch of ``best``, counting calls of :meth:`step` from 0.
    num_bad_epochs : int
        Epochs since the last improvement.
    epoch : int
        Number of calls of :meth:`step` so far.
    best_state : dict or None
        A copy of the best model's state dict (if ``restore_best_weights``).
    stopped : bool
        True once :meth:`step` has returned True.

    Examples
    --------
    >>> stopper = EarlyStopping(patience=2, restore_best_weights=False)
    >>> [stopper.step(loss) for loss in [3.0, 2.0, 2.5, 2.1]]
    [False, False, False, True]
    >>> stopper.best, stopper.best_epoch
    (2.0, 1)

    In a training loop::

        stopper = EarlyStopping(patience=5)
        for epoch in range(max_epochs):
            train_one_epoch(model)
            if stopper.step(validation_loss(model), model):
                break   # model now has the weights of stopper.best_epoch
    """

    def __init__(self, patience=5, min_delta=0.0, mode="min", restore_best_weights=True):
        integer = isinstance(patience, numbers.Integral) and not isinstance(patience, bool)
        if not integer or patience < 0:
            raise ValueError(f"patience must be an integer >= 0, but got {patience!r}")
        min_delta = as_real_number(min_delta, "min_delta")
        if not min_delta >= 0:
            raise ValueError(f"min_delta must be >= 0, but got {min_delta}")
        if mode not in _MODES:
            raise ValueError(f"mode must be 'min' or 'max', but got {mode!r}")
        self.patience = int(patience)
        self.min_delta = min_delta
        self.mode = mode
        self.restore_best_weights = restore_best_weights
        self.best = float("inf") if mode == "min" else float("-inf")
        self.best_epoch = None
        self.num_bad_epochs = 0
        self.epoch = 0
        self.best_state = None
        self.stopped = False

    def is_improvement(self, value):
        """Whether ``value`` is better than ``best`` by more than ``min_delta``."""
        if self.mode == "min":
            return value < self.best - self.min_delta
        return value > self.best + self.min_delta

    def step(self, value, model=None):
        """Record one epoch's monitored value; return True if training should stop.

        Parameters
        ----------
        value : float
            The monitored value of this epoch (a number, NumPy scalar, or
            one-element array or tensor).
        model : object with ``state_dict`` and ``load_state_dict``, optional
            The model being trained; needed to save and restore weights.

        Returns
        -------
        bool
            True if the last ``patience`` epochs brought no improvement.
        """
        value = float(value)
        epoch = self.epoch
        self.epoch += 1
        if self.is_improvement(value):
            self.best = value
            self.best_epoch = epoch
            self.num_bad_epochs = 0
            if self.restore_best_weights and model is not None:
                # A deep copy: a PyTorch state_dict holds the live tensors,
                # which the next optimizer step would overwrite.
                self.best_state = copy.deepcopy(model.state_dict())
            return False
        self.num_bad_epochs += 1
        if self.num_bad_epochs < self.patience:
            return False
        self.stopped = True
        if self.restore_best_weights and model is not None and self.best_state is not None:
            # Load a copy, so that training on afterwards cannot change ours.
            model.load_state_dict(copy.deepcopy(self.best_state))
        return True

    def __repr__(self):
        return (
            f"EarlyStopping(patience={self.patience}, min_delta={self.min_delta}, "
            f"mode={self.mode!r}, restore_best_weights={self.restore_best_weights})"
        )
