"""Activation layers: ReLU, LeakyReLU, Sigmoid, Tanh and Softmax.

Each wraps the function of the same name in :mod:`anncourse.activations`.
Their backward passes are the chain rule for a function applied
elementwise, ``y = f(z)``::

    dL/dz = dL/dy * f'(z)

(elementwise product), except softmax, whose outputs each depend on all
its inputs. None of them has parameters. The output has the input's dtype.
"""
from __future__ import annotations

import numpy as np

from anncourse import activations
from anncourse._validation import as_real_number
from anncourse.nn.module import Module

__all__ = ["ReLU", "LeakyReLU", "Sigmoid", "Tanh", "Softmax"]


class ReLU(Module):
    """Rectified linear unit, ``y = max(0, z)``, elementwise.

    Backward: ``dL/dz = g * (z > 0)``, using 0 at ``z = 0`` as PyTorch does.

    Examples
    --------
    >>> relu = ReLU()
    >>> relu(np.array([-1.0, 0.0, 2.0]))
    array([0., 0., 2.])
    >>> relu.backward(np.array([5.0, 5.0, 5.0]))
    array([0., 0., 5.])
    """

    def forward(self, z):
        y = activations.relu(z)
        self._saved = (np.asarray(z, dtype=y.dtype),)
        return y

    def backward(self, grad_output):
        (z,) = self._saved_for_backward()
        g = self._check_grad_output(grad_output, z.shape, z.dtype)
        return g * activations.relu_grad(z)


class LeakyReLU(Module):
    """Leaky ReLU, ``y = z`` for ``z > 0`` and ``a * z`` otherwise.

    Backward: ``dL/dz = g * (1 if z > 0 else a)``.

    Parameters
    ----------
    negative_slope : float, default 0.01
        The slope ``a`` for ``z <= 0``.

    Examples
    --------
    >>> leaky = LeakyReLU(0.1)
    >>> leaky(np.array([-10.0, 3.0]))
    array([-1.,  3.])
    >>> leaky.backward(np.array([1.0, 1.0]))
    array([0.1, 1. ])
    """

    def __init__(self, negative_slope=0.01):
        super().__init__()
        self.negative_slope = as_real_number(negative_slope, "negative_slope")

    def forward(self, z):
        y = activations.leaky_relu(z, self.negative_slope)
        self._saved = (np.asarray(z, dtype=y.dtype),)
        return y

    def backward(self, grad_output):
        (z,) = self._saved_for_backward()
        g = self._check_grad_output(grad_output, z.shape, z.dtype)
        return g * activations.leaky_relu_grad(z, self.negative_slope)

    def extra_repr(self):
        return f"negative_slope={self.negative_slope}"


class Sigmoid(Module):
    """Logistic sigmoid, ``y = 1 / (1 + exp(-z))``, elementwise.

    Backward, written with the output ``y`` that forward kept::

        dL/dz = g * y * (1 - y)

    Examples
    --------
    >>> sigmoid = Sigmoid()
    >>> sigmoid(np.array([0.0]))
    array([0.5])
    >>> sigmoid.backward(np.array([1.0]))
    array([0.25])
    """

    def forward(self, z):
        y = activations.sigmoid(z)
        self._saved = (y,)
        return y

    def backward(self, grad_output):
        (y,) = self._saved_for_backward()
        g = self._check_grad_output(grad_output, y.shape, y.dtype)
        return g * y * (1 - y)


class Tanh(Module):
    """Hyperbolic tangent, elementwise.

    Backward, written with the output ``y = tanh(z)`` that forward kept::

        dL/dz = g * (1 - y^2)

    Examples
    --------
    >>> tanh = Tanh()
    >>> tanh(np.array([0.0]))
    array([0.])
    >>> tanh.backward(np.array([2.0]))
    array([2.])
    """

    def forward(self, z):
        y = activations.tanh(z)
        self._saved = (y,)
        return y

    def backward(self, grad_output):
        (y,) = self._saved_for_backward()
        g = self._check_grad_output(grad_output, y.shape, y.dtype)
        return g * (1 - y**2)


class Softmax(Module):
    """Softmax along ``dim``: ``y_j = exp(z_j) / sum_k exp(z_k)``.

    Every output depends on every input of its slice (``dy_j/dz_i =
    y_j * (delta_ij - y_i)``), so the backward pass is not elementwise.
    Multiplying that Jacobian by ``g`` gives, along ``dim``::

        dL/dz_i = y_i * (g_i - sum_j g_j * y_j)

    To train a classifier, prefer :class:`~anncourse.nn.CrossEntropyLoss`
    on the logits: it includes the softmax and is more stable.

    Parameters
    ----------
    dim : int, default -1
        The axis holding the classes.

    Examples
    --------
    >>> softmax = Softmax()
    >>> softmax(np.array([[0.0, 0.0]]))
    array([[0.5, 0.5]])
    >>> softmax.backward(np.array([[1.0, 0.0]]))
    array([[ 0.25, -0.25]])
    """

    def __init__(self, dim=-1):
        super().__init__()
        self.dim = dim

    def forward(self, z):
        y = activations.softmax(z, axis=self.dim)
        self._saved = (y,)
        return y

    def backward(self, grad_output):
        (y,) = self._saved_for_backward()
        g = self._check_grad_output(grad_output, y.shape, y.dtype)
        return y * (g - np.sum(g * y, axis=self.dim, keepdims=True))

    def extra_repr(self):
        return f"dim={self.dim}"
