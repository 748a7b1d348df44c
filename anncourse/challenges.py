"""Diagnosing a network that does not learn well: bias, variance, and signals through depth.

The reference answers of chapter ``15-common-challenges``, in NumPy:

* :func:`diagnose` -- high bias, high variance, both or neither, from the
  baseline, training and validation errors (the rule and its threshold,
  :data:`GAP`, are stated in the function's docstring);
* :func:`poly_fit_errors` -- the training and validation MSE of a least
  squares polynomial fit, the classic bias--variance experiment;
* :func:`init_std` -- the standard deviation of Xavier and He initialisation;
* :func:`activation_stats` -- mean and standard deviation of each layer's
  activations in a random deep network;
* :func:`gradient_norms_by_layer` -- the norm of each layer's weight gradient
  of a deep chain without biases.

Examples
--------
>>> diagnose(0.01, 0.10, 0.11)
'high bias'
>>> round(init_std(784, 256, "he"), 4)
0.0505
"""
from __future__ import annotations

import math

import numpy as np

__all__ = ["ACTIVATIONS", "BATCH", "GAP", "activation_stats", "diagnose", "gradient_norms_by_layer",
           "init_std", "poly_fit_errors"]

#: A gap (in error, as a fraction: 0.02 is two percentage points) larger than
#: this is "high": training above baseline means bias, validation above
#: training means variance.
GAP = 0.02

#: The number of random inputs that :func:`activation_stats` pushes through.
BATCH = 500


def _sigmoid(z):
    # Two branches so that exp never overflows.
    out = np.empty_like(z)
    pos = z >= 0
    out[pos] = 1.0 / (1.0 + np.exp(-z[pos]))
    e = np.exp(z[~pos])
    out[~pos] = e / (1.0 + e)
    return out


#: Each activation with its derivative, written in terms of the pre-activation z.
ACTIVATIONS = {
    "linear": (lambda z: z, lambda z: np.ones_like(z)),
    "relu": (lambda z: np.maximum(z, 0.0), lambda z: (z > 0).astype(z.dtype)),
    "tanh": (np.tanh, lambda z: 1.0 - np.tanh(z) ** 2),
    "sigmoid": (_sigmoid, lambda z: _sigmoid(z) * (1.0 - _sigmoid(z))),
}


def _activation(name):
    name = str(name)  # also a 0-d NumPy string
    if name not in ACTIVATIONS:
        raise ValueError(f"unknown activation {name!r}; choose one of {', '.join(ACTIVATIONS)}")
    return ACTIVATIONS[name]


def diagnose(baseline_error, train_error, val_error):
    """"high bias", "high variance", "both" or "ok", from three errors.

    The avoidable bias is ``train_error - baseline_error`` and the variance
    gap is ``val_error - train_error``.  Each is high when it exceeds
    :data:`GAP` (0.02), strictly.

    Examples
    --------
    >>> diagnose(0.01, 0.02, 0.10), diagnose(0.01, 0.08, 0.15), diagnose(0.05, 0.06, 0.07)
    ('high variance', 'both', 'ok')
    """
    bias = float(train_error) - float(baseline_error)
    variance = float(val_error) - float(train_error)
    if bias > GAP and variance > GAP:
        return "both"
    if bias > GAP:
        return "high bias"
    if variance > GAP:
        return "high variance"
    return "ok"


def _powers(x, degree):
    """The design matrix [1, x, x^2, ..., x^degree], one row per sample."""
    return np.asarray(x, dtype=np.float64).reshape(-1, 1) ** np.arange(int(degree) + 1)


def poly_fit_errors(x_train, y_train, x_val, y_val, degree):
    """``(train_mse, val_mse)`` of the least squares polynomial of ``degree`` fitted on the training set.

    The coefficients minimise the training squared error over
    ``c_0 + c_1 x + ... + c_degree x^degree`` (``np.linalg.lstsq`` on the
    powers of x); both errors are means over their own samples.

    Examples
    --------
    >>> x = np.array([0.0, 1.0, 2.0, 3.0])
    >>> tr, va = poly_fit_errors(x, 2 * x + 1, [4.0], [9.0], 1)
    >>> round(tr, 12), round(va, 12)
    (0.0, 0.0)
    """
    if int(degree) != degree or degree < 0:
        raise ValueError(f"degree must be a whole number >= 0, got {degree!r}")
    A = _powers(x_train, degree)
    y_train = np.asarray(y_train, dtype=np.float64)
    coef, *_ = np.linalg.lstsq(A, y_train, rcond=None)
    train_mse = float(np.mean((A @ coef - y_train) ** 2))
    val_mse = float(np.mean((_powers(x_val, degree) @ coef - np.asarray(y_val, dtype=np.float64)) ** 2))
    return train_mse, val_mse


def init_std(n_in, n_out, scheme):
    """The standard deviation of a layer's initial weights: Xavier sqrt(2/(n_in+n_out)), He sqrt(2/n_in).

    Examples
    --------
    >>> round(init_std(100, 100, "xavier"), 3), round(init_std(100, 100, "he"), 3)
    (0.1, 0.141)
    """
    scheme = str(scheme)
    if scheme == "xavier":
        return math.sqrt(2.0 / (n_in + n_out))
    if scheme == "he":
        return math.sqrt(2.0 / n_in)
    raise ValueError(f"unknown scheme {scheme!r}; use 'xavier' or 'he'")


def activation_stats(depth, width, weight_std, activation, seed):
    """Mean and standard deviation of every layer's activations in a random deep network.

    ``rng = np.random.default_rng(seed)`` first draws the input, :data:`BATCH`
    rows of ``width`` standard normal numbers, then for each layer in turn a
    ``(width, width)`` weight matrix of ``N(0, weight_std^2)`` numbers;
    ``h = f(h @ W)`` (no bias).  The statistics of layer ``l`` are over all
    ``BATCH * width`` numbers of its output.

    Returns
    -------
    means, stds : numpy.ndarray of shape (depth,)

    Examples
    --------
    >>> means, stds = activation_stats(3, 50, math.sqrt(1 / 50), "linear", 0)
    >>> bool(np.all(np.abs(stds - 1) < 0.2))
    True
    """
    f, _ = _activation(activation)
    rng = np.random.default_rng(int(seed))
    h = rng.standard_normal((BATCH, int(width)))
    means, stds = np.empty(int(depth)), np.empty(int(depth))
    with np.errstate(over="ignore", invalid="ignore"):
        for layer in range(int(depth)):
            W = rng.standard_normal((int(width), int(width))) * weight_std
            h = f(h @ W)
            means[layer], stds[layer] = h.mean(), h.std()
    return means, stds


def gradient_norms_by_layer(x, weights, activation):
    """The Frobenius norm of dL/dW_l for each layer of a chain without biases.

    Forward: ``h_0 = x``, ``z_l = h_{l-1} @ W_l``, ``h_l = f(z_l)``.  The
    loss is ``L = sum(h_L) / n`` for a batch of ``n`` rows.

    Examples
    --------
    With ``x = [1, 1]``, ``W_1 = I`` and ``W_2 = 2I`` (linear): ``dL/dh_2`` is
    all ones, so ``dL/dW_2 = h_1^T 1`` is a 2x2 block of ones (norm 2), and
    ``dL/dh_1 = 1 W_2^T`` is all twos, so ``dL/dW_1`` has norm 4:

    >>> W = [np.eye(2), 2 * np.eye(2)]
    >>> gradient_norms_by_layer(np.ones((1, 2)), W, "linear")
    array([4., 2.])
    """
    f, df = _activation(activation)
    h = np.atleast_2d(np.asarray(x, dtype=np.float64))
    weights = [np.asarray(W, dtype=np.float64) for W in weights]
    inputs, pre = [], []
    for W in weights:
        z = h @ W
        inputs.append(h)
        pre.append(z)
        h = f(z)
    grad_h = np.full(h.shape, 1.0 / h.shape[0])
    norms = np.empty(len(weights))
    for layer in range(len(weights) - 1, -1, -1):
        delta = grad_h * df(pre[layer])
        norms[layer] = np.linalg.norm(inputs[layer].T @ delta)
        grad_h = delta @ weights[layer].T
    return norms
