"""Regularization: ways to make a network generalize instead of memorize.

Weight penalties (:mod:`anncourse.regularization.penalties`)
    :func:`l1_penalty`, :func:`l1_grad`, :func:`l2_penalty`,
    :func:`l2_grad`; L2 with gradient ``lam * w`` is SGD's weight decay.
Early stopping (:mod:`anncourse.regularization.early_stopping`)
    :class:`EarlyStopping` ends training when the validation loss stops
    improving, and restores the best weights.
Data augmentation (:mod:`anncourse.regularization.augmentation`)
    :func:`shift`, :func:`rotate`, :func:`random_shift`,
    :func:`random_rotation`, :func:`random_flip`,
    :func:`add_gaussian_noise` and the pipeline :func:`augment`.

Dropout and batch normalization are layers: see :mod:`anncourse.nn`.
"""

from anncourse.regularization.augmentation import (
    add_gaussian_noise,
    augment,
    random_flip,
    random_rotation,
    random_shift,
    rotate,
    shift,
)
from anncourse.regularization.early_stopping import EarlyStopping
from anncourse.regularization.penalties import l1_grad, l1_penalty, l2_grad, l2_penalty

__all__ = [
    "l1_penalty",
    "l1_grad",
    "l2_penalty",
    "l2_grad",
    "EarlyStopping",
    "shift",
    "rotate",
    "random_shift",
    "random_rotation",
    "random_flip",
    "add_gaussian_noise",
    "augment",
]
