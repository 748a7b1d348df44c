"""Activation functions and their derivatives, in plain NumPy.

An activation is applied to the pre-activation ``z = W x + b`` of a layer.
The elementwise ones (sigmoid, tanh, ReLU, leaky ReLU) act on each number
on its own; softmax and log-softmax turn a whole vector of scores
(*logits*) into a probability distribution, so they take an ``axis``.

For backpropagation we also need the derivative of each elementwise
activation, ``f'(z)``, evaluated at the same ``z``. The backward pass
multiplies it, elementwise, with the gradient arriving from the layer
above.

Conventions shared by every function here:

* Input can be a number, a list or an array of any shape.
* ``float32`` input gives ``float32`` output; all other real input
  (``float64``, integers, booleans) gives ``float64``.
* Non-numeric input (strings, objects, complex numbers) raises
  ``TypeError``; empty input raises ``ValueError``.
* Every function is numerically stable: no overflow and no
  ``RuntimeWarning`` for any finite input, however large.
* Where the derivative does not exist (ReLU and leaky ReLU at ``z = 0``)
  we use the same value as PyTorch, so results can be compared.

Examples
--------
>>> from anncourse.activations import relu, relu_grad
>>> relu([-2.0, 0.0, 3.0])
array([0., 0., 3.])
>>> relu_grad([-2.0, 0.0, 3.0])
array([0., 0., 1.])
"""

import numpy as np

from anncourse._validation import as_float_array, as_real_number

__all__ = [
    "sigmoid",
    "sigmoid_grad",
    "tanh",
    "tanh_grad",
    "relu",
    "relu_grad",
    "leaky_relu",
    "leaky_relu_grad",
    "softmax",
    "log_softmax",
]


def sigmoid(z):
    """Logistic sigmoid, elementwise.

    Formula::

        sigma(z) = 1 / (1 + exp(-z))

    Written like that, ``exp(-z)`` overflows for ``z < -709`` in float64.
    We use the equivalent two-branch form, with ``e = exp(-|z|)``::

        sigma(z) = 1 / (1 + e)    if z >= 0
        sigma(z) = e / (1 + e)    if z <  0

    ``e`` always lies in ``[0, 1]``, so nothing can overflow.

    Parameters
    ----------
    z : array_like
        Pre-activations, any shape.

    Returns
    -------
    numpy.ndarray
        ``sigma(z)``, same shape as ``z``, values in ``[0, 1]``.

    Raises
    ------
    TypeError
        If ``z`` is not numeric.
    ValueError
        If ``z`` is empty.

    Examples
    --------
    >>> sigmoid([0.0, 2.0, -2.0])
    array([0.5       , 0.88079708, 0.11920292])
    >>> sigmoid([1e308, -1e308])
    array([1., 0.])
    """
    z = as_float_array(z, "z")
    e = np.exp(-np.abs(z))
    return np.where(z >= 0, 1 / (1 + e), e / (1 + e))


def sigmoid_grad(z):
    """Derivative of the sigmoid with respect to ``z``, elementwise.

    Formula::

        sigma'(z) = sigma(z) * (1 - sigma(z))

    Parameters
    ----------
    z : array_like
        Pre-activations, any shape.

    Returns
    -------
    numpy.ndarray
        ``sigma'(z)``, same shape as ``z``, values in ``[0, 0.25]``.

    Raises
    ------
    TypeError
        If ``z`` is not numeric.
    ValueError
        If ``z`` is empty.

    Examples
    --------
    >>> sigmoid_grad([0.0, 2.0])
    array([0.25      , 0.10499359])
    """
    s = sigmoid(z)
    return s * (1 - s)


def tanh(z):
    """Hyperbolic tangent, elementwise.

    Formula::

        tanh(z) = (exp(z) - exp(-z)) / (exp(z) + exp(-z))

    The formula overflows for ``|z| > 709``; ``np.tanh`` computes the same
    function without that problem, so we use it.

    Parameters
    ----------
    z : array_like
        Pre-activations, any shape.

    Returns
    -------
    numpy.ndarray
        ``tanh(z)``, same shape as ``z``, values in ``[-1, 1]``.

    Raises
    ------
    TypeError
        If ``z`` is not numeric.
    ValueError
        If ``z`` is empty.

    Examples
    --------
    >>> tanh([0.0, 1.0, -1e3])
    array([ 0.        ,  0.76159416, -1.        ])
    """
    z = as_float_array(z, "z")
    return np.tanh(z)


def tanh_grad(z):
    """Derivative of tanh with respect to ``z``, elementwise.

    Formula::

        tanh'(z) = 1 - tanh(z)^2

    Parameters
    ----------
    z : array_like
        Pre-activations, any shape.

    Returns
    -------
    numpy.ndarray
        ``tanh'(z)``, same shape as ``z``, values in ``[0, 1]``.

    Raises
    ------
    TypeError
        If ``z`` is not numeric.
    ValueError
        If ``z`` is empty.

    Examples
    --------
    >>> tanh_grad([0.0, 1.0])
    array([1.        , 0.41997434])
    """
    t = tanh(z)
    return 1 - t**2


def relu(z):
    """Rectified linear unit, elementwise.

    Formula::

        relu(z) = max(0, z)

    Parameters
    ----------
    z : array_like
        Pre-activations, any shape.

    Returns
    -------
    numpy.ndarray
        ``relu(z)``, same shape as ``z``.

    Raises
    ------
    TypeError
        If ``z`` is not numeric.
    ValueError
        If ``z`` is empty.

    Examples
    --------
    >>> relu([-1.5, 0.0, 2.0])
    array([0., 0., 2.])
    """
    z = as_float_array(z, "z")
    return np.maximum(0, z)


def relu_grad(z):
    """Derivative of ReLU with respect to ``z``, elementwise.

    Formula::

        relu'(z) = 1 if z > 0 else 0

    At ``z = 0`` ReLU has a kink and no derivative; like PyTorch we use 0
    there (any value in ``[0, 1]`` is a valid subgradient).

    Parameters
    ----------
    z : array_like
        Pre-activations, any shape.

    Returns
    -------
    numpy.ndarray
        0 or 1 for each element, same shape as ``z``.

    Raises
    ------
    TypeError
        If ``z`` is not numeric.
    ValueError
        If ``z`` is empty.

    Examples
    --------
    >>> relu_grad([-1.5, 0.0, 2.0])
    array([0., 0., 1.])
    """
    z = as_float_array(z, "z")
    return (z > 0).astype(z.dtype)


def leaky_relu(z, negative_slope=0.01):
    """Leaky ReLU, elementwise.

    Formula, with ``a = negative_slope``::

        leaky_relu(z) = z      if z > 0
        leaky_relu(z) = a * z  otherwise

    The small slope for negative ``z`` keeps some gradient flowing through
    units that plain ReLU would switch off ("dead ReLUs").

    Parameters
    ----------
    z : array_like
        Pre-activations, any shape.
    negative_slope : float, default 0.01
        The slope ``a`` used for ``z <= 0``.

    Returns
    -------
    numpy.ndarray
        ``leaky_relu(z)``, same shape as ``z``.

    Raises
    ------
    TypeError
        If ``z`` is not numeric or ``negative_slope`` is not a real number.
    ValueError
        If ``z`` is empty.

    Examples
    --------
    >>> leaky_relu([-100.0, 0.0, 2.0])
    array([-1.,  0.,  2.])
    """
    z = as_float_array(z, "z")
    # Cast the slope so that a float64 slope cannot turn float32 output into float64.
    a = z.dtype.type(as_real_number(negative_slope, "negative_slope"))
    return np.where(z > 0, z, a * z)


def leaky_relu_grad(z, negative_slope=0.01):
    """Derivative of leaky ReLU with respect to ``z``, elementwise.

    Formula, with ``a = negative_slope``::

        leaky_relu'(z) = 1  if z > 0
        leaky_relu'(z) = a  otherwise

    At the kink ``z = 0`` we use ``a``, PyTorch's choice. It is the same
    rule as :func:`relu_grad` (which is leaky ReLU with ``a = 0``): the
    slope on the left of the kink.

    Parameters
    ----------
    z : array_like
        Pre-activations, any shape.
    negative_slope : float, default 0.01
        The slope ``a`` used for ``z <= 0``.

    Returns
    -------
    numpy.ndarray
        1 or ``a`` for each element, same shape as ``z``.

    Raises
    ------
    TypeError
        If ``z`` is not numeric or ``negative_slope`` is not a real number.
    ValueError
        If ``z`` is empty.

    Examples
    --------
    >>> leaky_relu_grad([-100.0, 0.0, 2.0])
    array([0.01, 0.01, 1.  ])
    """
    z = as_float_array(z, "z")
    a = z.dtype.type(as_real_number(negative_slope, "negative_slope"))
    return np.where(z > 0, 1, a).astype(z.dtype)


def _shift_by_max(z, axis):
    """Return ``z - max(z)`` along ``axis``, the softmax stability trick.

    Softmax does not change when the same constant is subtracted from every
    logit, and after subtracting the maximum the largest exponent is
    ``exp(0) = 1``: no overflow, and the sum of exponentials is at least 1.
    """
    z_max = np.max(z, axis=axis, keepdims=True)
    # A logit of -1e308 next to a maximum of 1e308 differs by -2e308, which
    # overflows to -inf: the correct rounding, as exp(-2e308) is 0 anyway.
    with np.errstate(over="ignore"):
        return z - z_max


def softmax(z, axis=-1):
    """Softmax: turn logits into probabilities along ``axis``.

    Formula, for the logits ``z_1 .. z_C`` of one sample::

        softmax(z)_j = exp(z_j) / sum_k exp(z_k)

    We compute it as ``exp(z_j - m) / sum_k exp(z_k - m)`` with
    ``m = max_k z_k``, which is the same number but never overflows, even
    for logits of ``1e308``. An entry of ``-inf`` gets probability 0. A row
    with no finite maximum (all ``-inf``, or a ``+inf`` entry) has no
    defined softmax and gives NaN, as in PyTorch.

    Parameters
    ----------
    z : array_like
        Logits, at least 1-D.
    axis : int, default -1
        The axis holding the classes. Every slice along it sums to 1.

    Returns
    -------
    numpy.ndarray
        Probabilities, same shape as ``z``.

    Raises
    ------
    TypeError
        If ``z`` is not numeric.
    ValueError
        If ``z`` is empty, or ``axis`` does not exist for ``z``.

    Examples
    --------
    >>> softmax([1.0, 2.0, 3.0])
    array([0.09003057, 0.24472847, 0.66524096])
    >>> softmax([1000.0, 1000.0, -np.inf])
    array([0.5, 0.5, 0. ])
    """
    z = as_float_array(z, "z")
    shifted = _shift_by_max(z, axis)
    exp = np.exp(shifted)
    return exp / np.sum(exp, axis=axis, keepdims=True)


def log_softmax(z, axis=-1):
    """Logarithm of the softmax, computed without taking ``log`` of a tiny number.

    Formula::

        log_softmax(z)_j = z_j - log(sum_k exp(z_k))

    ``np.log(softmax(z))`` would give ``-inf`` as soon as a probability
    underflows to 0 (a logit gap of about 745 in float64). With
    ``m = max_k z_k`` we compute instead::

        log_softmax(z)_j = (z_j - m) - log(sum_k exp(z_k - m))

    where the sum is at least 1, so its log is finite and small.

    Parameters
    ----------
    z : array_like
        Logits, at least 1-D.
    axis : int, default -1
        The axis holding the classes.

    Returns
    -------
    numpy.ndarray
        Log-probabilities (all ``<= 0``), same shape as ``z``.

    Raises
    ------
    TypeError
        If ``z`` is not numeric.
    ValueError
        If ``z`` is empty, or ``axis`` does not exist for ``z``.

    Examples
    --------
    >>> log_softmax([1.0, 2.0, 3.0])
    array([-2.40760596, -1.40760596, -0.40760596])
    >>> log_softmax([0.0, 1000.0])
    array([-1000.,     0.])
    """
    z = as_float_array(z, "z")
    shifted = _shift_by_max(z, axis)
    return shifted - np.log(np.sum(np.exp(shifted), axis=axis, keepdims=True))
