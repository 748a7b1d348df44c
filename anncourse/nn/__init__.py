"""Neural-network layers with hand-written backward passes, named as in PyTorch.

Every layer is a :class:`Module` with a ``forward`` that computes and a
``backward`` that applies the chain rule (there is no autograd: each
backward pass is written out, formula by formula, in its class). A model
is trained like this::

    model = Sequential(Linear(784, 256), ReLU(), Linear(256, 10))
    criterion = CrossEntropyLoss()
    loss = criterion(model(x), y)          # forward
    model.zero_grad()
    model.backward(criterion.backward())   # backward: fills p.grad
    for p in model.parameters():           # a step of gradient descent
        p.data -= 0.1 * p.grad

Contents
--------
Base classes
    :class:`Module`, :class:`Parameter`, :class:`Sequential`
Layers
    :class:`Linear`, :class:`BatchNorm1d`, :class:`Dropout`
Activations
    :class:`ReLU`, :class:`LeakyReLU`, :class:`Sigmoid`, :class:`Tanh`,
    :class:`Softmax`
Losses
    :class:`MSELoss`, :class:`HuberLoss`, :class:`BCELoss`,
    :class:`BCEWithLogitsLoss`, :class:`CrossEntropyLoss`
Initialisation
    :mod:`anncourse.nn.init`
"""
from anncourse.nn import init
from anncourse.nn.activation import LeakyReLU, ReLU, Sigmoid, Softmax, Tanh
from anncourse.nn.batchnorm import BatchNorm1d
from anncourse.nn.container import Sequential
from anncourse.nn.dropout import Dropout
from anncourse.nn.linear import Linear
from anncourse.nn.loss import BCELoss, BCEWithLogitsLoss, CrossEntropyLoss, HuberLoss, MSELoss
from anncourse.nn.module import Module
from anncourse.nn.parameter import Parameter

__all__ = [
    "Module",
    "Parameter",
    "Sequential",
    "Linear",
    "BatchNorm1d",
    "Dropout",
    "ReLU",
    "LeakyReLU",
    "Sigmoid",
    "Tanh",
    "Softmax",
    "MSELoss",
    "HuberLoss",
    "BCELoss",
    "BCEWithLogitsLoss",
    "CrossEntropyLoss",
    "init",
]
