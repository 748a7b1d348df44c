"""L1 and L2 weight penalties, and their gradients.

Regularization adds a penalty on the size of the weights to the loss, so
that among the weights that fit the data, training prefers small ones::

    total loss = data loss + penalty(w)

* L1, ``lam * sum |w|``, pushes weights to exactly zero (sparse models);
* L2, ``(lam / 2) * sum w^2``, shrinks all weights towards zero.

Each penalty has a ``*_grad`` function that gives what the penalty adds to
each weight's gradient.

L2 and weight decay
-------------------
We define L2 with a factor 1/2 so that its gradient is simply ``lam * w``.
A gradient descent step with it is::

    w <- w - lr * (grad + lam * w) = (1 - lr * lam) * w - lr * grad

Every step first shrinks ("decays") the weights by the factor
``1 - lr * lam``. So for plain SGD, L2 with ``lam`` is exactly
``torch.optim.SGD(..., weight_decay=lam)``, which adds ``weight_decay * w``
to the gradient.

For Adam this is *not* the same as decoupled weight decay.
``torch.optim.Adam(..., weight_decay=lam)`` also adds ``lam * w`` to the
gradient (it is L2), but Adam then divides each gradient entry by its
running root mean square, so weights with large gradients are hardly
decayed at all. ``torch.optim.AdamW`` instead shrinks the weights
directly, ``w <- w - lr * lam * w``, outside the adaptive step; Loshchilov
and Hutter (2019), "Decoupled Weight Decay Regularization", found that this
regularizes better.

What to penalize
----------------
Pass only the arrays you want penalized: usually the weight matrices, not
the biases (a bias shifts a unit; making it small does not make the model
simpler). Every function accepts a NumPy array, an object with a ``.data``
array (such as :class:`anncourse.nn.Parameter`), or an iterable of them
(a list, or ``model.parameters()``).

Examples
--------
>>> import numpy as np
>>> from anncourse.regularization import l2_penalty, l2_grad
>>> w = np.array([3.0, -4.0])
>>> l2_penalty(w, lam=0.1)
np.float64(1.25)
>>> l2_grad(w, lam=0.1)
array([ 0.3, -0.4])
"""

import numbers

import numpy as np

from anncourse._validation import as_real_number, working_dtype

__all__ = ["l1_penalty", "l1_grad", "l2_penalty", "l2_grad"]


def _is_single(params):
    """True for one array (or number, or Parameter), False for a collection."""
    return isinstance(params, (np.ndarray, numbers.Number)) or hasattr(params, "data")


def _as_weights(param):
    """The floating-point array of one array, number or Parameter."""
    # A NumPy array has a .data attribute too, its raw memory buffer: only
    # other objects are asked for theirs.
    array = param if isinstance(param, np.ndarray) else getattr(param, "data", param)
    array = np.asarray(array)
    if array.dtype.kind not in "biuf":
        raise TypeError(f"weights must hold real numbers, but got dtype {array.dtype}")
    return array.astype(working_dtype(array), copy=False)


def _weights_and_structure(params):
    """The list of weight arrays in ``params``, and whether it was a single one."""
    if _is_single(params):
        return [_as_weights(params)], True
    return [_as_weights(param) for param in params], False


def _check_lam(lam):
    lam = as_real_number(lam, "lam")
    if not lam >= 0:
        raise ValueError(f"lam must be >= 0, but got {lam}")
    return lam


def _penalty(params, scale, per_array):
    """``scale`` times the sum of ``per_array(w)`` over the arrays of ``params``."""
    weights, _ = _weights_and_structure(params)
    if not weights:
        return np.float64(0.0)
    # Weights beyond sqrt(float max) have a penalty beyond the float range:
    # infinity is the right answer, and no RuntimeWarning is needed.
    with np.errstate(over="ignore"):
        return scale * sum(per_array(w) for w in weights)


def _gradient(params, per_array):
    """``per_array(w)`` for each array, in the structure of ``params``."""
    weights, single = _weights_and_structure(params)
    grads = [per_array(w) for w in weights]
    return grads[0] if single else grads


def l1_penalty(params, lam):
    """L1 (lasso) penalty.

    Formula, summed over every weight of every array::

        P(w) = lam * sum_i |w_i|

    Parameters
    ----------
    params : array_like, object with ``.data``, or iterable of them
        The weights to penalize.
    lam : float
        Strength of the penalty, ``>= 0``.

    Returns
    -------
    numpy.floating
        The penalty; ``float32`` if every array is ``float32``.

    Raises
    ------
    TypeError
        If the weights are not numeric or ``lam`` is not a number.
    ValueError
        If ``lam`` is negative.

    Examples
    --------
    >>> l1_penalty([np.array([1.0, -2.0]), np.array([[3.0]])], lam=0.5)
    np.float64(3.0)
    """
    lam = _check_lam(lam)
    return _penalty(params, lam, lambda w: np.sum(np.abs(w)))


def l1_grad(params, lam):
    """Gradient of :func:`l1_penalty` with respect to the weights.

    Formula::

        dP/dw_i = lam * sign(w_i)

    ``|w|`` has no derivative at 0; like PyTorch we use ``sign(0) = 0``
    there, a valid subgradient that leaves zero weights at zero.

    Parameters
    ----------
    params : array_like, object with ``.data``, or iterable of them
        The weights.
    lam : float
        Strength of the penalty, ``>= 0``.

    Returns
    -------
    numpy.ndarray or list of numpy.ndarray
        One gradient per array, each of that array's shape and dtype: an
        array for a single array or Parameter, a list for an iterable.

    Raises
    ------
    TypeError, ValueError
        As for :func:`l1_penalty`.

    Examples
    --------
    >>> l1_grad(np.array([2.0, 0.0, -0.5]), lam=0.1)
    array([ 0.1,  0. , -0.1])
    """
    lam = _check_lam(lam)
    return _gradient(params, lambda w: lam * np.sign(w))


def l2_penalty(params, lam):
    """L2 (ridge) penalty, with the factor 1/2 that makes its gradient ``lam * w``.

    Formula, summed over every weight of every array::

        P(w) = (lam / 2) * sum_i w_i^2

    With this definition, gradient descent on ``loss + P`` is SGD with
    ``weight_decay=lam`` (see the module docstring, also for why Adam with
    L2 is not AdamW).

    Parameters
    ----------
    params : array_like, object with ``.data``, or iterable of them
        The weights to penalize.
    lam : float
        Strength of the penalty, ``>= 0``.

    Returns
    -------
    numpy.floating
        The penalty; ``float32`` if every array is ``float32``.

    Raises
    ------
    TypeError
        If the weights are not numeric or ``lam`` is not a number.
    ValueError
        If ``lam`` is negative.

    Examples
    --------
    >>> l2_penalty(np.array([1.0, -2.0]), lam=0.5)
    np.float64(1.25)
    """
    lam = _check_lam(lam)
    return _penalty(params, lam / 2, lambda w: np.sum(w * w))


def l2_grad(params, lam):
    """Gradient of :func:`l2_penalty` with respect to the weights.

    Formula::

        dP/dw_i = lam * w_i

    Parameters
    ----------
    params : array_like, object with ``.data``, or iterable of them
        The weights.
    lam : float
        Strength of the penalty, ``>= 0``.

    Returns
    -------
    numpy.ndarray or list of numpy.ndarray
        One gradient per array, each of that array's shape and dtype: an
        array for a single array or Parameter, a list for an iterable.

    Raises
    ------
    TypeError, ValueError
        As for :func:`l2_penalty`.

    Examples
    --------
    >>> l2_grad(np.array([1.0, -2.0]), lam=0.5)
    array([ 0.5, -1. ])
    """
    lam = _check_lam(lam)
    return _gradient(params, lambda w: lam * w)
