"""Threshold units: the McCulloch-Pitts neuron and Rosenblatt's perceptron.

The reference for chapter ``01-introduction``.  Everything here works on
binary outputs (0 or 1) and uses NumPy only.

* :func:`mp_neuron` -- a McCulloch-Pitts unit: 1 when ``x . w >= threshold``;
* :data:`GATES` and :func:`gate_parameters` -- weights and thresholds for
  AND, OR, NAND and NOT (XOR has none);
* :func:`truth_table` -- the rows ``00, 01, 10, 11`` (or ``0, 1``) in order;
* :func:`perceptron_predict`, :func:`perceptron_update` and
  :func:`perceptron_fit` -- Rosenblatt's online learning rule;
* :func:`xor_network` -- two layers of threshold units computing XOR.

Examples
--------
>>> import numpy as np
>>> from anncourse.threshold import mp_neuron, perceptron_fit, perceptron_predict, truth_table
>>> X = truth_table(2)
>>> mp_neuron(X, [1, 1], 2)
array([0, 0, 0, 1])
>>> w, b, epochs = perceptron_fit(X, [0, 0, 0, 1])
>>> perceptron_predict(X, w, b), epochs
(array([0, 0, 0, 1]), 6)
"""
from __future__ import annotations

import itertools

import numpy as np

__all__ = ["GATES", "gate_parameters", "mp_neuron", "perceptron_epoch", "perceptron_fit",
           "perceptron_predict", "perceptron_update", "truth_table", "xor_network"]

# One valid choice per gate, (weights, threshold); many others work as well.
GATES = {
    "AND": ((1.0, 1.0), 2.0),
    "OR": ((1.0, 1.0), 1.0),
    "NAND": ((-1.0, -1.0), -1.0),
    "NOT": ((-1.0,), 0.0),
}
# What each gate computes on the rows of truth_table(n).
TARGETS = {"AND": (0, 0, 0, 1), "OR": (0, 1, 1, 1), "NAND": (1, 1, 1, 0), "NOT": (1, 0),
           "XOR": (0, 1, 1, 0)}


def truth_table(n_inputs: int) -> np.ndarray:
    """All binary inputs of ``n_inputs`` bits, one per row, in counting order.

    Examples
    --------
    >>> truth_table(2).tolist()
    [[0.0, 0.0], [0.0, 1.0], [1.0, 0.0], [1.0, 1.0]]
    """
    if int(n_inputs) != n_inputs or n_inputs < 1:
        raise ValueError(f"n_inputs must be a positive integer, got {n_inputs!r}")
    return np.array(list(itertools.product([0.0, 1.0], repeat=int(n_inputs))))


def _features(X, name="X") -> np.ndarray:
    X = np.asarray(X, dtype=np.float64)
    if X.ndim not in (1, 2):
        raise ValueError(f"{name} must be one sample (1-D) or one sample per row (2-D), "
                         f"got shape {X.shape}")
    return X


def mp_neuron(x, w, threshold):
    """A McCulloch-Pitts unit: 1 where ``x . w >= threshold``, else 0.

    Parameters
    ----------
    x : array_like, shape (d,) or (n, d)
        One input, or one input per row.
    w : array_like, shape (d,)
        The weights (positive: excitatory, negative: inhibitory).
    threshold : float
        θ; a weighted sum exactly equal to θ fires.

    Returns
    -------
    int or ndarray of int, shape (n,)

    Examples
    --------
    >>> mp_neuron([[0, 0], [1, 1]], [1, 1], 2)
    array([0, 1])
    """
    x = _features(x, "x")
    w = np.asarray(w, dtype=np.float64)
    if w.ndim != 1 or w.shape[0] != x.shape[-1]:
        raise ValueError(f"w must have one weight per input ({x.shape[-1]}), got shape {w.shape}")
    return (x @ w >= float(threshold)).astype(int)


def gate_parameters(name: str):
    """``(w, threshold)`` of a McCulloch-Pitts unit computing gate ``name``, or None for XOR.

    Examples
    --------
    >>> gate_parameters("AND")
    ([1.0, 1.0], 2.0)
    >>> gate_parameters("XOR") is None
    True
    """
    if name == "XOR":
        return None
    if name not in GATES:
        raise ValueError(f"unknown gate {name!r}; expected one of AND, OR, NAND, NOT, XOR")
    w, theta = GATES[name]
    return list(w), theta


def perceptron_predict(X, w, b):
    """The perceptron's prediction: 1 where ``X . w + b > 0``, else 0 (0 on the line itself).

    Examples
    --------
    >>> perceptron_predict([[1.0, 2.0], [0.0, 0.0]], [0.0, 0.0], 0.0)
    array([0, 0])
    """
    X = _features(X)
    return (X @ np.asarray(w, dtype=np.float64) + float(b) > 0).astype(int)


def perceptron_update(w, b, x, y, lr=1.0):
    """One step of Rosenblatt's rule on sample ``(x, y)``: ``(w, b, made_a_mistake)``.

    ``w += lr (y - ŷ) x`` and ``b += lr (y - ŷ)``, which change nothing when
    the prediction ŷ is right.
    """
    w = np.asarray(w, dtype=np.float64)
    x = np.asarray(x, dtype=np.float64)
    error = float(y) - float(perceptron_predict(x, w, b))
    return w + lr * error * x, float(b) + lr * error, error != 0


def perceptron_epoch(X, y, w, b, lr=1.0):
    """One pass over the samples in order: ``(w, b, number of mistakes)``."""
    mistakes = 0
    for x_i, y_i in zip(X, y):
        w, b, wrong = perceptron_update(w, b, x_i, y_i, lr)
        mistakes += int(wrong)
    return w, b, mistakes


def _labels(X, y) -> tuple[np.ndarray, np.ndarray]:
    X = _features(X)
    if X.ndim != 2:
        raise ValueError(f"X must have one sample per row (2-D), got shape {X.shape}")
    y = np.asarray(y, dtype=np.float64).reshape(-1)
    if y.shape[0] != X.shape[0]:
        raise ValueError(f"X has {X.shape[0]} rows but y has {y.shape[0]} labels")
    if not np.isin(y, (0.0, 1.0)).all():
        raise ValueError("the labels y must be 0 or 1")
    return X, y


def perceptron_fit(X, y, lr=1.0, max_epochs=100):
    """Rosenblatt's perceptron, trained online from zero weights.

    Visits the samples in the given order, updates after each mistake, and
    stops after the first epoch without a mistake, or after ``max_epochs``.

    Returns
    -------
    w : ndarray, shape (d,)
    b : float
    epochs : int
        The number of epochs run, the mistake-free one included.

    Examples
    --------
    >>> w, b, epochs = perceptron_fit([[0, 0], [0, 1], [1, 0], [1, 1]], [0, 1, 1, 1])
    >>> w.tolist(), b, epochs
    ([1.0, 1.0], 0.0, 4)
    """
    X, y = _labels(X, y)
    if int(max_epochs) != max_epochs or max_epochs < 1:
        raise ValueError(f"max_epochs must be a positive integer, got {max_epochs!r}")
    w, b = np.zeros(X.shape[1]), 0.0
    for epoch in range(1, int(max_epochs) + 1):
        w, b, mistakes = perceptron_epoch(X, y, w, b, lr)
        if mistakes == 0:
            return w, b, epoch
    return w, b, int(max_epochs)


def xor_network(X):
    """XOR by two layers of threshold units: AND(OR(x1, x2), NAND(x1, x2)).

    Examples
    --------
    >>> xor_network(truth_table(2))
    array([0, 1, 1, 0])
    """
    X = _features(X)
    if X.shape[-1] != 2:
        raise ValueError(f"XOR takes two inputs per sample, got {X.shape[-1]}")
    hidden = np.stack([mp_neuron(X, *GATES["OR"]), mp_neuron(X, *GATES["NAND"])], axis=-1)
    return mp_neuron(hidden, *GATES["AND"])
