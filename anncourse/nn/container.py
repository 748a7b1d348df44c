"""Sequential: a chain of modules, each feeding the next."""
from __future__ import annotations

from anncourse.nn.module import Module, _takes_input_grad

__all__ = ["Sequential"]


class Sequential(Module):
    """Apply modules one after the other.

    Forward passes the input through the layers in order; backward passes
    the gradient through them in reverse order, which is backpropagation::

        forward:   h_0 = x,  h_k = layer_k(h_{k-1}),  y = h_K
        backward:  g_K = dL/dy,  g_{k-1} = layer_k.backward(g_k),  dL/dx = g_0

    ``backward(g, input_grad=False)`` skips ``g_0`` where the first layer
    allows it and returns ``None``: training needs no gradient of the data.

    The layers are registered under the names ``"0"``, ``"1"``, ..., so
    the parameters are called ``"0.weight"``, ``"0.bias"`` and so on, as in
    PyTorch.

    Parameters
    ----------
    *layers : Module
        The modules, in order.

    Raises
    ------
    TypeError
        If a layer is not a :class:`Module`.

    Examples
    --------
    >>> import numpy as np
    >>> from anncourse.nn import Linear, ReLU
    >>> model = Sequential(Linear(4, 8, random_state=0), ReLU(), Linear(8, 2, random_state=1))
    >>> model
    Sequential(
      (0): Linear(in_features=4, out_features=8, bias=True)
      (1): ReLU()
      (2): Linear(in_features=8, out_features=2, bias=True)
    )
    >>> len(model), model[1]
    (3, ReLU())
    >>> model(np.ones((5, 4))).shape
    (5, 2)
    >>> model.backward(np.ones((5, 2))).shape
    (5, 4)
    """

    def __init__(self, *layers):
        super().__init__()
        for layer in layers:
            self.append(layer)

    def append(self, layer):
        """Add ``layer`` at the end; return ``self``."""
        if not isinstance(layer, Module):
            raise TypeError(
                f"Sequential takes Modules, got {type(layer).__name__}; "
                "wrap functions in a Module (e.g. use ReLU() rather than relu)"
            )
        setattr(self, str(len(self._modules)), layer)
        return self

    @property
    def layers(self):
        """The layers, in order, as a tuple."""
        return tuple(self._modules.values())

    def __len__(self):
        return len(self._modules)

    def __iter__(self):
        return iter(self._modules.values())

    def __getitem__(self, index):
        if isinstance(index, slice):
            return Sequential(*self.layers[index])
        return self.layers[index]

    def forward(self, x):
        for layer in self._modules.values():
            x = layer(x)
        return x

    def backward(self, grad_output, input_grad=True):
        layers = self.layers
        grad = grad_output
        for index in range(len(layers) - 1, -1, -1):
            layer = layers[index]
            if index == 0 and not input_grad and _takes_input_grad(layer):
                return layer.backward(grad, input_grad=False)
            grad = layer.backward(grad)
        return grad
