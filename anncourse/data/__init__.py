"""Data for the course: toy problems, real data sets, splitting and batching.

Toy problems (:mod:`anncourse.data.toy`)
    :func:`make_xor`, :func:`make_moons`, :func:`make_circles`,
    :func:`make_spirals`, :func:`make_noisy_sine`,
    :func:`make_linear_regression`.
Real data sets (:mod:`anncourse.data.datasets`)
    :func:`load_mnist`, :func:`load_housing`, returning a :class:`Dataset`;
    offline they fall back on data bundled with scikit-learn and warn with
    :class:`OfflineDatasetWarning`; :func:`load_sunspots` (:mod:`anncourse.data.sunspots`),
    the yearly sunspot numbers 1700-2008, ships with the course.
Preparing data (:mod:`anncourse.data.preprocessing`, ``splitting``, ``batching``)
    :class:`StandardScaler`, :func:`standardize`, :func:`one_hot`,
    :func:`train_val_test_split`, :func:`iterate_minibatches`.

Everything random takes ``random_state``: None (fresh randomness), an int
(reproducible) or a ``numpy.random.Generator`` (drawn from and advanced), as
in scikit-learn.

Examples
--------
>>> from anncourse.data import make_moons, train_val_test_split, standardize
>>> X, y = make_moons(100, noise=0.2, random_state=0)
>>> X_train, X_val, X_test, y_train, y_val, y_test = train_val_test_split(X, y, random_state=0)
>>> X_train, X_val, X_test = standardize(X_train, X_val, X_test)
>>> X_train.shape, X_val.shape, X_test.shape
((60, 2), (20, 2), (20, 2))
"""

from anncourse.data.batching import iterate_minibatches
from anncourse.data.datasets import (
    Dataset,
    OfflineDatasetWarning,
    get_data_home,
    load_housing,
    load_mnist,
)
from anncourse.data.preprocessing import StandardScaler, one_hot, standardize
from anncourse.data.splitting import train_val_test_split
from anncourse.data.sunspots import load_sunspots
from anncourse.data.toy import (
    make_circles,
    make_linear_regression,
    make_moons,
    make_noisy_sine,
    make_spirals,
    make_xor,
)

__all__ = [
    "make_xor",
    "make_moons",
    "make_circles",
    "make_spirals",
    "make_noisy_sine",
    "make_linear_regression",
    "train_val_test_split",
    "StandardScaler",
    "standardize",
    "one_hot",
    "iterate_minibatches",
    "load_sunspots",
    "Dataset",
    "OfflineDatasetWarning",
    "get_data_home",
    "load_mnist",
    "load_housing",
]
