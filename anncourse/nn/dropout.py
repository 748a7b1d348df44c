"""Dropout: randomly silence units during training, a regulariser."""
from __future__ import annotations

import numpy as np

from anncourse._random import check_random_state, renamed
from anncourse._validation import as_float_array, as_real_number
from anncourse.nn.module import Module

__all__ = ["Dropout"]


class Dropout(Module):
    """Inverted dropout (Srivastava et al., 2014).

    In training mode each element is kept with probability ``1 - p`` and
    set to 0 otherwise; the kept ones are scaled by ``1 / (1 - p)``::

        m_i ~ Bernoulli(1 - p)
        y_i = x_i * m_i / (1 - p)

    The scaling keeps the expected value of every element unchanged,
    ``E[y_i] = x_i``, so at evaluation time the layer is simply the
    identity (``y = x``): nothing needs rescaling after training.

    The backward pass uses the same mask as the forward pass::

        dL/dx_i = dL/dy_i * m_i / (1 - p)

    Parameters
    ----------
    p : float, default 0.5
        Probability of dropping each element, in ``[0, 1)``.
    random_state : None, int or numpy.random.Generator
        The source of the random masks.

    Raises
    ------
    ValueError
        If ``p`` is not in ``[0, 1)``.

    Examples
    --------
    >>> drop = Dropout(p=0.5, random_state=0)
    >>> x = np.ones((2, 4))
    >>> y = drop(x)
    >>> sorted(set(y.ravel().tolist()))      # dropped, or kept and doubled
    [0.0, 2.0]
    >>> bool(np.array_equal(drop.backward(np.ones((2, 4))), y))  # same mask
    True
    >>> drop.eval()(x) is x
    True
    """

    @renamed("seed")
    def __init__(self, p=0.5, random_state=None):
        super().__init__()
        p = as_real_number(p, "p")
        if not 0 <= p < 1:
            raise ValueError(
                f"dropout probability p must be in [0, 1), got {p}; p = 1 would drop "
                "everything and leave nothing to scale"
            )
        self.p = p
        self._rng = check_random_state(random_state)

    def forward(self, x):
        x = as_float_array(x, "input")
        if not self.training:
            self._saved = (None, x.shape, x.dtype)
            return x
        keep = self._rng.random(x.shape) >= self.p
        # The scaled mask m / (1 - p), in x's dtype so float32 stays float32.
        mask = keep * x.dtype.type(1 / (1 - self.p))
        self._saved = (mask, x.shape, x.dtype)
        return x * mask

    def backward(self, grad_output):
        mask, shape, dtype = self._saved_for_backward()
        g = self._check_grad_output(grad_output, shape, dtype)
        if mask is None:
            return g
        return g * mask

    def extra_repr(self):
        return f"p={self.p}"

