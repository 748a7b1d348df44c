"""Optimizers: algorithms that update parameters from their gradients.

The classes follow ``torch.optim``: same names, hyper-parameters, defaults
and arithmetic, so that a loop written for one runs on the other::

    optimizer = Adam(model_parameters, lr=1e-3)
    for x, y in batches:
        optimizer.zero_grad()        # grads to None
        loss = ...                   # forward, then backward fills p.grad
        optimizer.step()             # update every p that has a grad

Each class's docstring gives its algorithm, and its ``_update`` method is
that algorithm's loop body, line by line.

* :class:`SGD` -- plain, momentum and Nesterov gradient descent;
* :class:`Adagrad` -- per-coordinate steps from the sum of squared gradients;
* :class:`RMSprop` -- the same with a decaying average;
* :class:`Adadelta` -- RMSprop whose step size comes from its past steps;
* :class:`Adam` -- momentum plus RMSprop, bias-corrected (and AMSGrad);
* :class:`Adamax` -- Adam with an infinity norm;
* :class:`NAdam` -- Adam with Nesterov momentum.

Where the syllabus writes an algorithm differently, its form is in
:mod:`anncourse.optim.syllabus`, with how and when the two agree:
:class:`MomentumEMA`, :class:`NesterovLookahead`, :class:`AdagradEpsInsideSqrt`,
:class:`RMSpropEpsInsideSqrt`, :class:`AdadeltaOriginal`, :class:`NadamDozat`.
"""

from anncourse.optim.adadelta import Adadelta
from anncourse.optim.adagrad import Adagrad
from anncourse.optim.adam import Adam
from anncourse.optim.adamax import Adamax
from anncourse.optim.nadam import NAdam
from anncourse.optim.optimizer import Optimizer
from anncourse.optim.rmsprop import RMSprop
from anncourse.optim.sgd import SGD
from anncourse.optim.syllabus import (
    AdadeltaOriginal,
    AdagradEpsInsideSqrt,
    MomentumEMA,
    NadamDozat,
    NesterovLookahead,
    RMSpropEpsInsideSqrt,
)

__all__ = [
    "Optimizer",
    "SGD",
    "Adagrad",
    "RMSprop",
    "Adadelta",
    "Adam",
    "Adamax",
    "NAdam",
    "MomentumEMA",
    "NesterovLookahead",
    "AdagradEpsInsideSqrt",
    "RMSpropEpsInsideSqrt",
    "AdadeltaOriginal",
    "NadamDozat",
]
