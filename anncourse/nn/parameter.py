"""Parameters: arrays a model learns, each with the gradient of the loss."""
from __future__ import annotations

import numpy as np

__all__ = ["Parameter"]


class Parameter:
    """A learnable array and the gradient of the loss with respect to it.

    As in PyTorch, ``grad`` is ``None`` until the first backward pass, and
    backward passes *add* to it, so gradients of several losses (or of several
    mini-batches) accumulate until :meth:`zero_grad` (or an optimizer's
    ``zero_grad``) clears them.

    Parameters
    ----------
    data : array_like
        The initial value; floats are kept (float32 stays float32), anything
        else becomes float64.

    Attributes
    ----------
    data : numpy.ndarray
        The current value.  Optimizers update it in place.
    grad : numpy.ndarray or None
        The accumulated gradient, of the same shape and dtype as ``data``.

    Examples
    --------
    >>> p = Parameter([1.0, 2.0])
    >>> p.grad is None
    True
    >>> p.accumulate_grad(np.array([0.5, 0.5])); p.accumulate_grad(np.array([0.5, 0.5]))
    >>> p.grad
    array([1., 1.])
    """

    def __init__(self, data):
        arr = np.asarray(data)
        if arr.dtype.kind != "f":
            arr = arr.astype(np.float64)
        self.data = np.array(arr, copy=True)
        self.grad = None

    @property
    def shape(self) -> tuple:
        return self.data.shape

    @property
    def dtype(self):
        return self.data.dtype

    def accumulate_grad(self, grad, copy=True) -> None:
        """Add ``grad`` to :attr:`grad` (creating it on the first call).

        With ``copy=False`` the caller hands ``grad`` over: it was just
        computed and nobody else holds it, so the first call can keep it as
        :attr:`grad` instead of copying it (layers do this; the saving is a
        full pass over the gradient's memory per parameter and step).
        """
        grad = np.asarray(grad, dtype=self.data.dtype)
        if grad.shape != self.data.shape:
            raise ValueError(
                f"gradient has shape {grad.shape} but the parameter has shape {self.data.shape}"
            )
        if self.grad is None:
            self.grad = grad.copy() if copy else grad
        else:
            self.grad += grad

    def zero_grad(self, set_to_none: bool = True) -> None:
        """Clear the gradient: ``None`` by default, as PyTorch does, or zeros."""
        if set_to_none:
            self.grad = None
        elif self.grad is not None:
            self.grad.fill(0)

    def __repr__(self) -> str:
        return f"Parameter(shape={self.data.shape}, dtype={self.data.dtype})"
