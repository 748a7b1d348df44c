"""Small synthetic data sets for trying out networks, all in two dimensions or one.

Each generator returns ``(X, y)``: ``X`` a ``float64`` array with one row
per sample, ``y`` the targets, ``int64`` class labels for the
classification problems and ``float64`` values for the regression ones.

Classification
    :func:`make_xor` (not linearly separable: the classic reason for hidden
    layers), :func:`make_moons`, :func:`make_circles` (the same geometry as
    scikit-learn's generators of the same name) and :func:`make_spirals`.
Regression
    :func:`make_noisy_sine` and :func:`make_linear_regression`.

Randomness
----------
Every generator takes ``random_state``: an int for a reproducible data set,
a ``numpy.random.Generator`` to draw from (and advance) your own, or None
for fresh randomness. The
classification generators first lay out the noise-free points, then
shuffle them (if ``shuffle``), then add Gaussian noise of standard
deviation ``noise`` to every coordinate.

Examples
--------
>>> from anncourse.data import make_moons
>>> X, y = make_moons(200, noise=0.1, random_state=0)
>>> X.shape, y.shape, X.dtype, y.dtype
((200, 2), (200,), dtype('float64'), dtype('int64'))
"""

import numpy as np

from anncourse._random import check_random_state, renamed
from anncourse._validation import as_real_number
from anncourse.data._checks import check_count, check_non_negative

__all__ = [
    "make_xor",
    "make_moons",
    "make_circles",
    "make_spirals",
    "make_noisy_sine",
    "make_linear_regression",
]


def _shuffle_and_add_noise(X, y, shuffle, noise, rng):
    """Shuffle the samples (if asked), then add Gaussian noise to ``X``."""
    if shuffle:
        order = rng.permutation(len(y))
        X, y = X[order], y[order]
    return X + noise * rng.standard_normal(X.shape), y


@renamed("seed")
def make_xor(n_samples=100, *, noise=0.0, shuffle=True, random_state=None):
    """Points around the four corners of the unit square, labelled by XOR.

    Sample ``i`` (before shuffling) sits on corner ``(a, b)``, the
    ``i % 4``-th of ``(0, 0), (0, 1), (1, 0), (1, 1)``, and has label::

        y = a XOR b        # 1 when exactly one coordinate is 1

    No straight line separates the two classes, so a network without a
    hidden layer cannot learn it.

    Parameters
    ----------
    n_samples : int, default 100
        Number of points; the corners get them in turn.
    noise : float, default 0.0
        Standard deviation of the Gaussian noise added to each coordinate.
    shuffle : bool, default True
        Shuffle the points; otherwise they cycle through the corners.
    random_state : None, int or numpy.random.Generator
        Source of randomness (see the module docstring).

    Returns
    -------
    X : numpy.ndarray of float64, shape (n_samples, 2)
        The points.
    y : numpy.ndarray of int64, shape (n_samples,)
        The labels, 0 or 1.

    Raises
    ------
    TypeError, ValueError
        If ``n_samples`` is not a positive integer or ``noise`` is negative.

    Examples
    --------
    >>> X, y = make_xor(4, shuffle=False)
    >>> X
    array([[0., 0.],
           [0., 1.],
           [1., 0.],
           [1., 1.]])
    >>> y
    array([0, 1, 1, 0])
    """
    n_samples = check_count(n_samples, "n_samples")
    noise = check_non_negative(noise, "noise")
    rng = check_random_state(random_state)
    corners = np.array([[0.0, 0.0], [0.0, 1.0], [1.0, 0.0], [1.0, 1.0]])
    corner = np.arange(n_samples) % 4
    X = corners[corner]
    y = (X[:, 0] != X[:, 1]).astype(np.int64)
    return _shuffle_and_add_noise(X, y, shuffle, noise, rng)


@renamed("seed")
def make_moons(n_samples=100, *, noise=0.0, shuffle=True, random_state=None):
    """Two interleaving half circles, as ``sklearn.datasets.make_moons``.

    The first ``n_out = n_samples // 2`` points (class 0) lie on the upper
    half of the unit circle, the other ``n_in = n_samples - n_out`` (class
    1) on a lower half circle shifted right and up. With ``t`` evenly
    spaced in ``[0, pi]``::

        class 0:  (cos t,  sin t)
        class 1:  (1 - cos t,  1/2 - sin t)

    Parameters
    ----------
    n_samples : int, default 100
        Number of points.
    noise : float, default 0.0
        Standard deviation of the Gaussian noise added to each coordinate.
    shuffle : bool, default True
        Shuffle the points; otherwise class 0 comes first.
    random_state : None, int or numpy.random.Generator
        Source of randomness (see the module docstring).

    Returns
    -------
    X : numpy.ndarray of float64, shape (n_samples, 2)
        The points.
    y : numpy.ndarray of int64, shape (n_samples,)
        The labels, 0 (upper moon) or 1 (lower moon).

    Raises
    ------
    TypeError, ValueError
        If ``n_samples`` is not a positive integer or ``noise`` is negative.

    Examples
    --------
    >>> X, y = make_moons(6, shuffle=False)
    >>> X.round(2)
    array([[ 1. ,  0. ],
           [ 0. ,  1. ],
           [-1. ,  0. ],
           [ 0. ,  0.5],
           [ 1. , -0.5],
           [ 2. ,  0.5]])
    >>> y
    array([0, 0, 0, 1, 1, 1])
    """
    n_samples = check_count(n_samples, "n_samples")
    noise = check_non_negative(noise, "noise")
    rng = check_random_state(random_state)
    n_out = n_samples // 2
    n_in = n_samples - n_out
    t_out = np.linspace(0, np.pi, n_out)
    t_in = np.linspace(0, np.pi, n_in)
    outer = np.column_stack([np.cos(t_out), np.sin(t_out)])
    inner = np.column_stack([1 - np.cos(t_in), 1 - np.sin(t_in) - 0.5])
    X = np.vstack([outer, inner])
    y = np.repeat(np.array([0, 1], dtype=np.int64), [n_out, n_in])
    return _shuffle_and_add_noise(X, y, shuffle, noise, rng)


@renamed("seed")
def make_circles(n_samples=100, *, noise=0.0, factor=0.8, shuffle=True, random_state=None):
    """A small circle inside a large one, as ``sklearn.datasets.make_circles``.

    The first ``n_out = n_samples // 2`` points (class 0) lie on the unit
    circle, the other ``n_in = n_samples - n_out`` (class 1) on a circle of
    radius ``factor``. With ``t`` evenly spaced in ``[0, 2 pi)``::

        class 0:  (cos t, sin t)
        class 1:  factor * (cos t, sin t)

    Parameters
    ----------
    n_samples : int, default 100
        Number of points.
    noise : float, default 0.0
        Standard deviation of the Gaussian noise added to each coordinate.
    factor : float, default 0.8
        Radius of the inner circle, in ``[0, 1)``.
    shuffle : bool, default True
        Shuffle the points; otherwise class 0 comes first.
    random_state : None, int or numpy.random.Generator
        Source of randomness (see the module docstring).

    Returns
    -------
    X : numpy.ndarray of float64, shape (n_samples, 2)
        The points.
    y : numpy.ndarray of int64, shape (n_samples,)
        The labels, 0 (outer circle) or 1 (inner circle).

    Raises
    ------
    TypeError, ValueError
        If ``n_samples`` is not a positive integer, ``noise`` is negative or
        ``factor`` is outside ``[0, 1)``.

    Examples
    --------
    >>> X, y = make_circles(4, factor=0.5, shuffle=False)
    >>> X.round(2) + 0.0
    array([[ 1. ,  0. ],
           [-1. ,  0. ],
           [ 0.5,  0. ],
           [-0.5,  0. ]])
    >>> y
    array([0, 0, 1, 1])
    """
    n_samples = check_count(n_samples, "n_samples")
    noise = check_non_negative(noise, "noise")
    factor = check_non_negative(factor, "factor")
    if factor >= 1:
        raise ValueError(f"factor must lie in [0, 1), but got {factor}")
    rng = check_random_state(random_state)
    n_out = n_samples // 2
    n_in = n_samples - n_out
    # endpoint=False, so that the first and last points do not coincide.
    t_out = np.linspace(0, 2 * np.pi, n_out, endpoint=False)
    t_in = np.linspace(0, 2 * np.pi, n_in, endpoint=False)
    outer = np.column_stack([np.cos(t_out), np.sin(t_out)])
    inner = factor * np.column_stack([np.cos(t_in), np.sin(t_in)])
    X = np.vstack([outer, inner])
    y = np.repeat(np.array([0, 1], dtype=np.int64), [n_out, n_in])
    return _shuffle_and_add_noise(X, y, shuffle, noise, rng)


@renamed("seed")
def make_spirals(n_samples=100, *, n_classes=2, noise=0.0, turns=1.0, shuffle=True,
                 random_state=None):
    """Interleaved spiral arms, one per class, winding out from the origin.

    The samples are split as evenly as possible among the ``K = n_classes``
    arms (the first ``n_samples % K`` arms get one more). Point ``j`` of the
    ``m`` points of arm ``k`` is, with ``t = (j + 1) / m`` in ``(0, 1]``::

        r     = t
        theta = 2 pi * (turns * t + k / K)
        x     = (r cos theta, r sin theta)

    so every arm ends on the unit circle, and the arms are rotated by a
    ``1/K`` turn with respect to each other.

    Parameters
    ----------
    n_samples : int, default 100
        Number of points, at least ``n_classes``.
    n_classes : int, default 2
        Number of arms (classes), at least 2.
    noise : float, default 0.0
        Standard deviation of the Gaussian noise added to each coordinate.
    turns : float, default 1.0
        How many full turns each arm makes; more turns is harder.
    shuffle : bool, default True
        Shuffle the points; otherwise arm 0 comes first.
    random_state : None, int or numpy.random.Generator
        Source of randomness (see the module docstring).

    Returns
    -------
    X : numpy.ndarray of float64, shape (n_samples, 2)
        The points.
    y : numpy.ndarray of int64, shape (n_samples,)
        The labels, ``0 .. n_classes - 1``.

    Raises
    ------
    TypeError, ValueError
        If the counts are not integers of the sizes above, or ``noise`` or
        ``turns`` is negative.

    Examples
    --------
    >>> X, y = make_spirals(300, n_classes=3, noise=0.05, random_state=0)
    >>> X.shape, np.bincount(y)
    ((300, 2), array([100, 100, 100]))
    """
    n_classes = check_count(n_classes, "n_classes", minimum=2)
    n_samples = check_count(n_samples, "n_samples", minimum=n_classes)
    noise = check_non_negative(noise, "noise")
    turns = check_non_negative(turns, "turns")
    rng = check_random_state(random_state)
    arms, labels = [], []
    for k, m in enumerate(_split_evenly(n_samples, n_classes)):
        t = np.arange(1, m + 1) / m
        radius = t
        theta = 2 * np.pi * (turns * t + k / n_classes)
        arms.append(np.column_stack([radius * np.cos(theta), radius * np.sin(theta)]))
        labels.append(np.full(m, k, dtype=np.int64))
    return _shuffle_and_add_noise(np.vstack(arms), np.concatenate(labels), shuffle, noise, rng)


def _split_evenly(total, parts):
    """``parts`` counts that add up to ``total`` and differ by at most one."""
    return [total // parts + (k < total % parts) for k in range(parts)]


@renamed("seed")
def make_noisy_sine(n_samples=100, *, noise=0.1, random_state=None):
    """Samples of a sine wave with Gaussian noise: a 1-D regression problem.

    Formula, with ``x`` drawn uniformly from ``[-pi, pi]`` and
    ``eps ~ N(0, 1)``::

        y = sin(x) + noise * eps

    Parameters
    ----------
    n_samples : int, default 100
        Number of samples.
    noise : float, default 0.1
        Standard deviation of the noise on ``y``.
    random_state : None, int or numpy.random.Generator
        Source of randomness (see the module docstring).

    Returns
    -------
    X : numpy.ndarray of float64, shape (n_samples, 1)
        The inputs ``x``, as one feature column, in random order.
    y : numpy.ndarray of float64, shape (n_samples,)
        The noisy targets.

    Raises
    ------
    TypeError, ValueError
        If ``n_samples`` is not a positive integer or ``noise`` is negative.

    Examples
    --------
    >>> X, y = make_noisy_sine(50, noise=0.0, random_state=0)
    >>> X.shape, y.shape, bool(np.allclose(y, np.sin(X[:, 0])))
    ((50, 1), (50,), True)
    """
    n_samples = check_count(n_samples, "n_samples")
    noise = check_non_negative(noise, "noise")
    rng = check_random_state(random_state)
    x = rng.uniform(-np.pi, np.pi, size=n_samples)
    y = np.sin(x) + noise * rng.standard_normal(n_samples)
    return x[:, np.newaxis], y


@renamed("seed")
def make_linear_regression(
    n_samples=100, n_features=1, *, noise=0.0, coef=None, bias=0.0, random_state=None,
    return_coef=False,
):
    """A linear model with Gaussian noise: the problem linear regression solves.

    Formula, with every entry of ``X`` and of ``eps`` drawn from ``N(0, 1)``::

        y = X @ coef + bias + noise * eps

    Parameters
    ----------
    n_samples : int, default 100
        Number of samples.
    n_features : int, default 1
        Number of input features.
    noise : float, default 0.0
        Standard deviation of the noise on ``y``.
    coef : array_like of shape (n_features,), optional
        The true weights. By default they are drawn from ``N(0, 1)``
        (use ``return_coef=True`` to see them).
    bias : float, default 0.0
        The true intercept.
    random_state : None, int or numpy.random.Generator
        Source of randomness (see the module docstring).
    return_coef : bool, default False
        Also return the weights.

    Returns
    -------
    X : numpy.ndarray of float64, shape (n_samples, n_features)
        The inputs.
    y : numpy.ndarray of float64, shape (n_samples,)
        The targets.
    coef : numpy.ndarray of float64, shape (n_features,)
        The true weights; only if ``return_coef`` is True.

    Raises
    ------
    TypeError, ValueError
        If the counts are not positive integers, ``noise`` is negative, or
        ``coef`` does not have shape ``(n_features,)``.

    Examples
    --------
    >>> X, y = make_linear_regression(5, 2, coef=[1.0, -2.0], bias=3.0, random_state=0)
    >>> bool(np.allclose(y, X @ [1.0, -2.0] + 3.0))
    True
    """
    n_samples = check_count(n_samples, "n_samples")
    n_features = check_count(n_features, "n_features")
    noise = check_non_negative(noise, "noise")
    bias = as_real_number(bias, "bias")
    rng = check_random_state(random_state)
    if coef is None:
        coef = rng.standard_normal(n_features)
    coef = np.asarray(coef, dtype=np.float64)
    if coef.shape != (n_features,):
        raise ValueError(
            f"coef has shape {coef.shape} but n_features={n_features} needs "
            f"shape ({n_features},)"
        )
    X = rng.standard_normal((n_samples, n_features))
    y = X @ coef + bias + noise * rng.standard_normal(n_samples)
    return (X, y, coef) if return_coef else (X, y)
