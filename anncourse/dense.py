"""Dense networks, the NumPy way: one neuron, one layer, a multilayer perceptron, and their counts.

The reference for chapter 02 (building blocks).  Layers follow the course's
convention ``X @ W + b``: ``X`` has one sample per row, ``W`` has shape
``(in, out)`` with one column per neuron (PyTorch's ``nn.Linear`` stores
the transpose, ``(out, in)``).

Examples
--------
>>> import numpy as np
>>> float(neuron_output([1.0, 2.0], [1.0, -0.5], 0.0, "step"))  # z = 0 exactly: the step fires
1.0
>>> count_parameters([784, 128, 64, 10])
109386
>>> describe_network([784, 128, 64, 10])
(2, 'shallow')
"""
from __future__ import annotations

import numpy as np

from . import activations

__all__ = ["ACTIVATIONS", "HIDDEN_ACTIVATIONS", "activate", "count_multiply_adds",
           "count_parameters", "dense_forward", "describe_network", "mlp_forward", "neuron_output"]

ACTIVATIONS = ("sigmoid", "tanh", "relu", "step")
HIDDEN_ACTIVATIONS = ("relu", "sigmoid", "tanh")


def _a(x, dtype=np.float64):
    return np.asarray(x, dtype=dtype)


def activate(z, activation):
    """``activation`` ("sigmoid", "tanh", "relu" or "step") applied to ``z`` elementwise.

    The step is 1 for ``z >= 0``: a sum exactly at the threshold fires.

    Raises
    ------
    ValueError
        For any other name; the message lists the allowed ones.
    """
    name = str(activation)
    z = _a(z)
    if name == "sigmoid":
        return activations.sigmoid(z)
    if name == "tanh":
        return np.tanh(z)
    if name == "relu":
        return np.maximum(z, 0.0)
    if name == "step":
        return (z >= 0).astype(np.float64)
    raise ValueError(f"unknown activation {name!r}: use one of {', '.join(ACTIVATIONS)}")


def neuron_output(x, w, b, activation):
    """One neuron: ``activation(x . w + b)`` for one sample ``(d,)`` or a batch ``(n, d)``."""
    return activate(_a(x) @ _a(w) + float(b), activation)


def dense_forward(X, W, b):
    """A dense layer: ``X @ W + b`` with ``X`` (n, in), ``W`` (in, out), ``b`` (out,)."""
    return _a(X) @ _a(W) + _a(b)


def mlp_forward(X, weights, biases, hidden="relu"):
    """A multilayer perceptron: ``hidden`` after every dense layer but the last, which is linear."""
    if str(hidden) not in HIDDEN_ACTIVATIONS:
        raise ValueError(f"unknown hidden activation {hidden!r}: use one of "
                         f"{', '.join(HIDDEN_ACTIVATIONS)}")
    if len(weights) != len(biases) or not weights:
        raise ValueError("weights and biases must be two lists of the same, non-zero length")
    a = _a(X)
    for k, (W, b) in enumerate(zip(weights, biases)):
        a = dense_forward(a, W, b)
        if k < len(weights) - 1:
            a = activate(a, hidden)
    return a


def count_parameters(sizes):
    """Weights and biases of a dense network with layer sizes ``[n_in, h_1, ..., n_out]``."""
    sizes = [int(s) for s in sizes]
    return sum(n_in * n_out + n_out for n_in, n_out in zip(sizes[:-1], sizes[1:]))


def count_multiply_adds(sizes, n_samples=1):
    """Multiply-adds of one forward pass of ``n_samples`` samples: ``n_samples * sum(in * out)``."""
    sizes = [int(s) for s in sizes]
    return int(n_samples) * sum(n_in * n_out for n_in, n_out in zip(sizes[:-1], sizes[1:]))


def describe_network(sizes):
    """``(n_hidden, kind)``: hidden layers, and "none" (0), "shallow" (1 or 2) or "deep" (3+).

    The syllabus's rule; other authors draw the line elsewhere.
    """
    if len(sizes) < 2:
        raise ValueError("a network has at least an input and an output layer")
    n_hidden = len(sizes) - 2
    return n_hidden, "none" if n_hidden == 0 else "shallow" if n_hidden <= 2 else "deep"
