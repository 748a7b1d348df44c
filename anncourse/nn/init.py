"""Weight initialisation: fill a weight with random values of the right size.

If the weights of a deep network start too large, activations and
gradients grow from layer to layer; too small, and they shrink to
nothing. The schemes here choose the variance of the initial weights so
that the variance of the signal stays about the same through each layer.

For a weight of shape ``(fan_out, fan_in)`` (a :class:`~anncourse.nn.Linear`
layer's ``weight``), ``fan_in`` is the number of inputs each unit sums
over and ``fan_out`` the number of units:

=====================  =====================================  ======================
scheme                 variance of each weight                meant for
=====================  =====================================  ======================
Xavier / Glorot        ``gain^2 * 2 / (fan_in + fan_out)``    tanh, sigmoid, linear
He / Kaiming           ``gain^2 / fan``, fan = fan_in (or     ReLU, leaky ReLU
                       fan_out), ``gain^2 = 2 / (1 + a^2)``
=====================  =====================================  ======================

A uniform distribution ``U(-b, b)`` has variance ``b^2 / 3``, so the
uniform variants use the bound ``b = sqrt(3) * std``.

The names and formulas are PyTorch's (:mod:`torch.nn.init`); the trailing
underscore says that the function fills its argument in place. Each takes
a :class:`~anncourse.nn.Parameter` or a float NumPy array, and
``random_state``: an int seed or a :class:`numpy.random.Generator` (``None``
draws fresh, unrepeatable randomness).

Examples
--------
>>> import numpy as np
>>> from anncourse.nn import init
>>> w = np.empty((256, 784))
>>> init.kaiming_normal_(w, nonlinearity="relu", random_state=0) is w
True
>>> print(f"{w.std():.3f} vs sqrt(2 / 784) = {np.sqrt(2 / 784):.3f}")
0.051 vs sqrt(2 / 784) = 0.051
"""
from __future__ import annotations

import math

import numpy as np

from anncourse._random import check_random_state, renamed

from anncourse.nn.parameter import Parameter

__all__ = [
    "calculate_gain",
    "uniform_",
    "normal_",
    "zeros_",
    "ones_",
    "xavier_uniform_",
    "xavier_normal_",
    "kaiming_uniform_",
    "kaiming_normal_",
]

_GAINS = {
    "linear": 1.0,
    "sigmoid": 1.0,
    "tanh": 5.0 / 3.0,
    "relu": math.sqrt(2.0),
    "selu": 3.0 / 4.0,
}


def calculate_gain(nonlinearity, param=None):
    """The factor by which to scale the weights' standard deviation for ``nonlinearity``.

    ReLU zeroes half of its inputs and so halves the variance of the
    signal; a gain of ``sqrt(2)`` on the weights makes up for it. The
    values are PyTorch's:

    ============  ===============================
    nonlinearity  gain
    ============  ===============================
    linear        1
    sigmoid       1
    tanh          5/3
    relu          sqrt(2)
    leaky_relu    sqrt(2 / (1 + a^2)), a = param (default 0.01)
    selu          3/4
    ============  ===============================

    Parameters
    ----------
    nonlinearity : str
        One of the names above.
    param : float, optional
        The negative slope ``a`` of ``"leaky_relu"``.

    Returns
    -------
    float

    Raises
    ------
    ValueError
        For an unknown nonlinearity, or a ``param`` given for another one.

    Examples
    --------
    >>> calculate_gain("tanh")
    1.6666666666666667
    >>> calculate_gain("leaky_relu", 0)
    1.4142135623730951
    """
    if nonlinearity == "leaky_relu":
        slope = 0.01 if param is None else float(param)
        return math.sqrt(2.0 / (1 + slope**2))
    if nonlinearity not in _GAINS:
        known = ", ".join(sorted([*_GAINS, "leaky_relu"]))
        raise ValueError(f"unknown nonlinearity {nonlinearity!r}; use one of {known}")
    if param is not None:
        raise ValueError(f"param is only used by 'leaky_relu', not by {nonlinearity!r}")
    return _GAINS[nonlinearity]


def _fans(array):
    """``(fan_in, fan_out)`` of a weight of shape ``(out, in, *kernel)``."""
    if array.ndim < 2:
        raise ValueError(
            f"fan in and fan out need a weight with at least 2 dimensions, "
            f"got shape {array.shape}"
        )
    # A convolution kernel (out, in, kh, kw) connects each output to
    # in * kh * kw inputs.
    receptive_field = math.prod(array.shape[2:])
    return array.shape[1] * receptive_field, array.shape[0] * receptive_field


def _target(tensor):
    """The float array to fill: ``tensor`` itself, or a Parameter's ``data``."""
    array = tensor.data if isinstance(tensor, Parameter) else tensor
    if not (isinstance(array, np.ndarray) and array.dtype.kind == "f"):
        if isinstance(array, np.ndarray):
            what = f"an array of dtype {array.dtype}"
        else:
            what = type(tensor).__name__
        raise TypeError(
            f"init functions fill a Parameter or a float numpy array in place, got {what}"
        )
    return array


@renamed("rng")
def uniform_(tensor, a=0.0, b=1.0, random_state=None):
    """Fill ``tensor`` with draws from ``U(a, b)``; return ``tensor``."""
    array = _target(tensor)
    array[...] = check_random_state(random_state).uniform(a, b, size=array.shape)
    return tensor


@renamed("rng")
def normal_(tensor, mean=0.0, std=1.0, random_state=None):
    """Fill ``tensor`` with draws from ``N(mean, std^2)``; return ``tensor``."""
    array = _target(tensor)
    array[...] = check_random_state(random_state).normal(mean, std, size=array.shape)
    return tensor


def zeros_(tensor):
    """Fill ``tensor`` with 0; return ``tensor``."""
    _target(tensor).fill(0)
    return tensor


def ones_(tensor):
    """Fill ``tensor`` with 1; return ``tensor``."""
    _target(tensor).fill(1)
    return tensor


@renamed("rng")
def xavier_uniform_(tensor, gain=1.0, random_state=None):
    """Xavier/Glorot uniform initialisation (Glorot and Bengio, 2010).

    Formula::

        b = gain * sqrt(6 / (fan_in + fan_out))
        W ~ U(-b, b),   so Var(W) = gain^2 * 2 / (fan_in + fan_out)

    The variance is the compromise between ``1 / fan_in``, which keeps
    the forward signal's variance, and ``1 / fan_out``, which keeps the
    backward gradient's.

    Parameters
    ----------
    tensor : Parameter or numpy.ndarray
        A float weight of shape ``(fan_out, fan_in)``, filled in place.
    gain : float, default 1.0
        See :func:`calculate_gain`.
    random_state : None, int or numpy.random.Generator
        The source of randomness.

    Returns
    -------
    Parameter or numpy.ndarray
        ``tensor``.

    Raises
    ------
    ValueError
        If ``tensor`` has fewer than 2 dimensions.
    TypeError
        If ``tensor`` is not a Parameter or float array.

    Examples
    --------
    >>> w = xavier_uniform_(np.empty((300, 500)), random_state=0)
    >>> bool(np.abs(w).max() <= np.sqrt(6 / 800))
    True
    """
    fan_in, fan_out = _fans(_target(tensor))
    bound = gain * math.sqrt(6.0 / (fan_in + fan_out))
    return uniform_(tensor, -bound, bound, random_state=random_state)


@renamed("rng")
def xavier_normal_(tensor, gain=1.0, random_state=None):
    """Xavier/Glorot normal initialisation.

    Formula::

        std = gain * sqrt(2 / (fan_in + fan_out))
        W ~ N(0, std^2)

    Parameters
    ----------
    tensor : Parameter or numpy.ndarray
        A float weight of shape ``(fan_out, fan_in)``, filled in place.
    gain : float, default 1.0
        See :func:`calculate_gain`.
    random_state : None, int or numpy.random.Generator
        The source of randomness.

    Returns
    -------
    Parameter or numpy.ndarray
        ``tensor``.

    Raises
    ------
    ValueError
        If ``tensor`` has fewer than 2 dimensions.
    TypeError
        If ``tensor`` is not a Parameter or float array.

    Examples
    --------
    >>> w = xavier_normal_(np.empty((300, 500)), random_state=0)
    >>> print(f"{w.std():.3f} vs {np.sqrt(2 / 800):.3f}")
    0.050 vs 0.050
    """
    fan_in, fan_out = _fans(_target(tensor))
    std = gain * math.sqrt(2.0 / (fan_in + fan_out))
    return normal_(tensor, 0.0, std, random_state=random_state)


def _kaiming_std(array, a, mode, nonlinearity):
    """``gain / sqrt(fan)``, the standard deviation of He initialisation."""
    if mode not in ("fan_in", "fan_out"):
        raise ValueError(f"mode must be 'fan_in' or 'fan_out', got {mode!r}")
    fan_in, fan_out = _fans(array)
    fan = fan_in if mode == "fan_in" else fan_out
    gain = calculate_gain(nonlinearity, a if nonlinearity == "leaky_relu" else None)
    return gain / math.sqrt(fan)


@renamed("rng")
def kaiming_uniform_(tensor, a=0.0, mode="fan_in", nonlinearity="leaky_relu", random_state=None):
    """He/Kaiming uniform initialisation (He et al., 2015).

    Formula::

        std = gain / sqrt(fan),   gain = sqrt(2 / (1 + a^2)) for leaky ReLU
        b   = sqrt(3) * std
        W ~ U(-b, b)

    With the defaults (``a = 0``: plain ReLU) ``b = sqrt(6 / fan_in)``.

    PyTorch's default for ``nn.Linear`` is this function with
    ``a = sqrt(5)``: then ``gain^2 = 1/3`` and ``b = 1 / sqrt(fan_in)``.

    Parameters
    ----------
    tensor : Parameter or numpy.ndarray
        A float weight of shape ``(fan_out, fan_in)``, filled in place.
    a : float, default 0.0
        The negative slope of the leaky ReLU that follows the layer.
    mode : {"fan_in", "fan_out"}, default "fan_in"
        ``"fan_in"`` keeps the variance of the forward signal,
        ``"fan_out"`` that of the backward gradient.
    nonlinearity : str, default "leaky_relu"
        See :func:`calculate_gain`; ``a`` is used only for ``"leaky_relu"``.
    random_state : None, int or numpy.random.Generator
        The source of randomness.

    Returns
    -------
    Parameter or numpy.ndarray
        ``tensor``.

    Raises
    ------
    ValueError
        If ``tensor`` has fewer than 2 dimensions, or for an unknown
        ``mode`` or ``nonlinearity``.
    TypeError
        If ``tensor`` is not a Parameter or float array.

    Examples
    --------
    >>> w = kaiming_uniform_(np.empty((256, 100)), a=np.sqrt(5), random_state=0)
    >>> bool(np.abs(w).max() <= 1 / np.sqrt(100))
    True
    """
    bound = math.sqrt(3.0) * _kaiming_std(_target(tensor), a, mode, nonlinearity)
    return uniform_(tensor, -bound, bound, random_state=random_state)


@renamed("rng")
def kaiming_normal_(tensor, a=0.0, mode="fan_in", nonlinearity="leaky_relu", random_state=None):
    """He/Kaiming normal initialisation (He et al., 2015).

    Formula::

        std = gain / sqrt(fan),   gain = sqrt(2 / (1 + a^2)) for leaky ReLU
        W ~ N(0, std^2)

    With the defaults (``a = 0``: plain ReLU) ``Var(W) = 2 / fan_in``.

    Parameters
    ----------
    tensor : Parameter or numpy.ndarray
        A float weight of shape ``(fan_out, fan_in)``, filled in place.
    a : float, default 0.0
        The negative slope of the leaky ReLU that follows the layer.
    mode : {"fan_in", "fan_out"}, default "fan_in"
        ``"fan_in"`` keeps the variance of the forward signal,
        ``"fan_out"`` that of the backward gradient.
    nonlinearity : str, default "leaky_relu"
        See :func:`calculate_gain`; ``a`` is used only for ``"leaky_relu"``.
    random_state : None, int or numpy.random.Generator
        The source of randomness.

    Returns
    -------
    Parameter or numpy.ndarray
        ``tensor``.

    Raises
    ------
    ValueError
        If ``tensor`` has fewer than 2 dimensions, or for an unknown
        ``mode`` or ``nonlinearity``.
    TypeError
        If ``tensor`` is not a Parameter or float array.

    Examples
    --------
    >>> w = kaiming_normal_(np.empty((300, 500)), random_state=0)
    >>> print(f"{w.var() * 500:.1f}")
    2.0
    """
    std = _kaiming_std(_target(tensor), a, mode, nonlinearity)
    return normal_(tensor, 0.0, std, random_state=random_state)
