"""Linear: the fully connected layer ``y = x W^T + b``."""
from __future__ import annotations

import math

import numpy as np

from anncourse._random import check_random_state, renamed
from anncourse.nn import init as _init
from anncourse.nn.module import Module, _as_layer_input
from anncourse.nn.parameter import Parameter

__all__ = ["Linear"]


def _pytorch_default(weight, rng):
    # PyTorch's nn.Linear.reset_parameters: kaiming_uniform_ with a = sqrt(5),
    # which gives the bound 1 / sqrt(fan_in).
    _init.kaiming_uniform_(weight, a=math.sqrt(5), random_state=rng)


# name -> function(weight, rng) that fills the weight in place.
_WEIGHT_INITS = {
    "kaiming_uniform": _pytorch_default,
    "he_uniform": lambda w, rng: _init.kaiming_uniform_(w, nonlinearity="relu",
                                                        random_state=rng),
    "kaiming_normal": lambda w, rng: _init.kaiming_normal_(w, nonlinearity="relu",
                                                           random_state=rng),
    "he_normal": lambda w, rng: _init.kaiming_normal_(w, nonlinearity="relu", random_state=rng),
    "xavier_uniform": lambda w, rng: _init.xavier_uniform_(w, random_state=rng),
    "xavier_normal": lambda w, rng: _init.xavier_normal_(w, random_state=rng),
}


def _check_dtype(dtype):
    dtype = np.dtype(dtype)
    if dtype not in (np.float32, np.float64):
        raise ValueError(f"dtype must be float32 or float64, got {dtype}")
    return dtype


def _check_size(value, name):
    if isinstance(value, bool) or not isinstance(value, (int, np.integer)) or value < 1:
        raise ValueError(f"{name} must be a positive integer, got {value!r}")
    return int(value)


class Linear(Module):
    """Fully connected layer: every output is a weighted sum of every input.

    Formula, for a batch ``x`` of shape ``(N, in_features)``::

        y = x W^T + b                 # (N, out_features)

    and its backward pass, given ``g = dL/dy``::

        dL/dW = g^T x                 # (out_features, in_features)
        dL/db = sum over the batch of g
        dL/dx = g W                   # (N, in_features)

    As in PyTorch, any number of leading axes is allowed: ``x`` may have
    shape ``(*, in_features)``.

    Parameters
    ----------
    in_features : int
        Size of each input sample.
    out_features : int
        Size of each output sample.
    bias : bool, default True
        If ``False``, there is no ``b`` (and ``self.bias`` is ``None``).
    init : str or callable, default "kaiming_uniform"
        How to draw the initial weight:

        ``"kaiming_uniform"``
            PyTorch's default for ``nn.Linear``: ``kaiming_uniform_`` with
            ``a = sqrt(5)``, that is ``W ~ U(-1/sqrt(in), 1/sqrt(in))``,
            and the bias from the same distribution.
        ``"he_uniform"``, ``"kaiming_normal"`` (alias ``"he_normal"``)
            He initialisation for a following ReLU: ``Var(W) = 2 / in``.
        ``"xavier_uniform"``, ``"xavier_normal"``
            Glorot initialisation: ``Var(W) = 2 / (in + out)``.
        a callable ``f(weight, rng)``
            Fills the weight in place, e.g.
            ``lambda w, rng: init.xavier_uniform_(w, gain=5/3, random_state=rng)``.

        With anything but the default the bias starts at 0, as in the
        Glorot and He papers.
    random_state : None, int or numpy.random.Generator
        The source of randomness for the initial values.
    dtype : numpy dtype, default numpy.float64
        ``float32`` or ``float64``; inputs must have the same float dtype.

    Attributes
    ----------
    weight : Parameter
        ``W``, of shape ``(out_features, in_features)``.
    bias : Parameter or None
        ``b``, of shape ``(out_features,)``.

    Examples
    --------
    >>> layer = Linear(3, 2, random_state=0)
    >>> layer.weight.data = np.array([[1.0, 0.0, -1.0], [0.5, 0.5, 0.5]])
    >>> layer.bias.data = np.array([0.0, 1.0])
    >>> x = np.array([[1.0, 2.0, 3.0]])
    >>> layer(x)
    array([[-2.,  4.]])
    >>> layer.backward(np.array([[1.0, 1.0]]))
    array([[ 1.5,  0.5, -0.5]])
    >>> layer.weight.grad
    array([[1., 2., 3.],
           [1., 2., 3.]])
    """

    @renamed("seed")
    def __init__(self, in_features, out_features, bias=True, init="kaiming_uniform",
                 random_state=None, dtype=np.float64):
        super().__init__()
        self.in_features = _check_size(in_features, "in_features")
        self.out_features = _check_size(out_features, "out_features")
        dtype = _check_dtype(dtype)
        if callable(init):
            fill_weight = init
        elif init in _WEIGHT_INITS:
            fill_weight = _WEIGHT_INITS[init]
        else:
            known = ", ".join(_WEIGHT_INITS)
            raise ValueError(f"unknown init {init!r}; use one of {known}, or a function")
        rng = check_random_state(random_state)

        self.weight = Parameter(np.empty((self.out_features, self.in_features), dtype=dtype))
        fill_weight(self.weight, rng)
        if not bias:
            self.bias = None
        elif init == "kaiming_uniform":
            bound = 1 / math.sqrt(self.in_features)
            self.bias = Parameter(np.empty(self.out_features, dtype=dtype))
            _init.uniform_(self.bias, -bound, bound, random_state=rng)
        else:
            self.bias = Parameter(np.zeros(self.out_features, dtype=dtype))

    def forward(self, x):
        x = _as_layer_input(x, self.weight.dtype, self)
        if x.ndim == 0 or x.shape[-1] != self.in_features:
            raise ValueError(
                f"Linear({self.in_features}, {self.out_features}) expects input with "
                f"{self.in_features} features, got shape {x.shape}"
            )
        self._saved = (x,)
        y = x @ self.weight.data.T
        if self.bias is not None:
            y += self.bias.data
        return y

    def backward(self, grad_output, input_grad=True):
        (x,) = self._saved_for_backward()
        g = self._check_grad_output(grad_output, x.shape[:-1] + (self.out_features,), x.dtype)
        # Flatten any leading axes into one batch axis; for (N, in) inputs
        # these reshapes are free views.
        g_2d = g.reshape(-1, self.out_features)
        x_2d = x.reshape(-1, self.in_features)
        self.weight.accumulate_grad(g_2d.T @ x_2d, copy=False)
        if self.bias is not None:
            self.bias.accumulate_grad(g_2d.sum(axis=0), copy=False)
        if not input_grad:
            # The first layer's dL/dx is a third of its backward matmul work,
            # and nobody uses the gradient of the data (PyTorch skips it too).
            return None
        return g @ self.weight.data

    def extra_repr(self):
        return (f"in_features={self.in_features}, out_features={self.out_features}, "
                f"bias={self.bias is not None}")
