"""BatchNorm1d: normalise each feature over the batch (Ioffe and Szegedy, 2015)."""
from __future__ import annotations

import numpy as np

from anncourse._validation import as_real_number
from anncourse.nn.linear import _check_dtype, _check_size
from anncourse.nn.module import Module, _as_layer_input
from anncourse.nn.parameter import Parameter

__all__ = ["BatchNorm1d"]


class BatchNorm1d(Module):
    """Batch normalisation of an input of shape ``(N, C)``.

    Training mode, for each feature (column) over the ``N`` samples::

        mu      = (1/N) * sum_n x_n
        var     = (1/N) * sum_n (x_n - mu)^2          # biased
        x_hat_n = (x_n - mu) / sqrt(var + eps)
        y_n     = gamma * x_hat_n + beta

    and the running statistics, which evaluation mode uses instead of
    ``mu`` and ``var``, are updated exactly as in PyTorch::

        running_mean = (1 - momentum) * running_mean + momentum * mu
        running_var  = (1 - momentum) * running_var  + momentum * var * N / (N - 1)

    Note the unbiased variance ``var * N / (N - 1)`` in the running
    estimate, but the biased ``var`` for normalising the batch. With
    ``momentum=None`` the running statistics are the plain average over
    all batches so far (``momentum = 1 / num_batches_tracked``).

    Backward in training mode, with ``g = dL/dy``, where every ``x_n``
    also moves ``mu`` and ``var``::

        dL/dgamma = sum_n g_n * x_hat_n
        dL/dbeta  = sum_n g_n
        dL/dx_n   = gamma / (N * sqrt(var + eps))
                    * (N * g_n - sum_m g_m - x_hat_n * sum_m g_m * x_hat_m)

    In evaluation mode ``mu`` and ``var`` are constants, so
    ``dL/dx_n = g_n * gamma / sqrt(running_var + eps)``.

    Parameters
    ----------
    num_features : int
        ``C``, the number of features.
    eps : float, default 1e-5
        Added to the variance so that a constant feature does not divide by 0.
    momentum : float or None, default 0.1
        Weight of the newest batch in the running statistics.
    affine : bool, default True
        Learn ``gamma`` (``weight``, starting at 1) and ``beta`` (``bias``,
        starting at 0). If ``False``, ``y = x_hat``.
    track_running_stats : bool, default True
        Keep running statistics for evaluation mode. If ``False``, batch
        statistics are used in both modes.
    dtype : numpy dtype, default numpy.float64
        ``float32`` or ``float64``; inputs must have the same float dtype.

    Attributes
    ----------
    weight, bias : Parameter or None
        ``gamma`` and ``beta``, each of shape ``(C,)``.
    running_mean, running_var : numpy.ndarray or None
        Buffers of shape ``(C,)``, starting at 0 and 1.
    num_batches_tracked : numpy.ndarray or None
        A 0-d int64 buffer counting the training batches seen.

    Examples
    --------
    >>> bn = BatchNorm1d(1)
    >>> bn(np.array([[1.0], [3.0]]))      # (x - 2) / sqrt(1 + 1e-5)
    array([[-0.999995],
           [ 0.999995]])
    >>> bn.running_mean, bn.running_var   # 0.1 * mean 2, 0.9 + 0.1 * unbiased var 2
    (array([0.2]), array([1.1]))
    """

    def __init__(self, num_features, eps=1e-5, momentum=0.1, affine=True,
                 track_running_stats=True, dtype=np.float64):
        super().__init__()
        self.num_features = _check_size(num_features, "num_features")
        self.eps = as_real_number(eps, "eps")
        if not self.eps > 0:
            raise ValueError(f"eps must be positive, got {self.eps}")
        if momentum is not None:
            momentum = as_real_number(momentum, "momentum")
            if not 0 <= momentum <= 1:
                raise ValueError(f"momentum must be in [0, 1] or None, got {momentum}")
        self.momentum = momentum
        self.affine = bool(affine)
        self.track_running_stats = bool(track_running_stats)
        self.dtype = _check_dtype(dtype)

        if self.affine:
            self.weight = Parameter(np.ones(self.num_features, dtype=self.dtype))
            self.bias = Parameter(np.zeros(self.num_features, dtype=self.dtype))
        else:
            self.weight = None
            self.bias = None
        if self.track_running_stats:
            self.register_buffer("running_mean", np.zeros(self.num_features, dtype=self.dtype))
            self.register_buffer("running_var", np.ones(self.num_features, dtype=self.dtype))
            self.register_buffer("num_batches_tracked", np.array(0, dtype=np.int64))
        else:
            self.register_buffer("running_mean", None)
            self.register_buffer("running_var", None)
            self.register_buffer("num_batches_tracked", None)

    def forward(self, x):
        x = _as_layer_input(x, self.dtype, self)
        if x.ndim != 2 or x.shape[1] != self.num_features:
            raise ValueError(
                f"BatchNorm1d({self.num_features}) expects input of shape "
                f"(N, {self.num_features}), got shape {x.shape}"
            )
        use_batch_stats = self.training or not self.track_running_stats
        if use_batch_stats:
            n = x.shape[0]
            if n < 2:
                # The variance of one sample is 0: x_hat would be 0 whatever x is.
                hint = "call eval()" if self.track_running_stats else "use track_running_stats=True"
                raise ValueError(
                    f"BatchNorm1d needs more than one sample per feature to compute batch "
                    f"statistics, got input of shape {x.shape}; use a larger batch or {hint}"
                )
            mu = np.sum(x, axis=0) / n
            centered = x - mu
            sum_of_squares = np.sum(centered**2, axis=0)
            var = sum_of_squares / n
            if self.training and self.track_running_stats:
                self._update_running_stats(mu, sum_of_squares / (n - 1))
        else:
            centered = x - self.running_mean
            var = self.running_var
        inv_std = 1 / np.sqrt(var + self.dtype.type(self.eps))
        x_hat = centered * inv_std
        self._saved = (x_hat, inv_std, use_batch_stats)
        if not self.affine:
            return x_hat
        return x_hat * self.weight.data + self.bias.data

    def _update_running_stats(self, mu, unbiased_var):
        self.num_batches_tracked += 1
        if self.momentum is None:
            momentum = 1 / float(self.num_batches_tracked)
        else:
            momentum = self.momentum
        # In place, so that arrays handed out earlier see the update (as in PyTorch).
        self.running_mean *= 1 - momentum
        self.running_mean += momentum * mu
        self.running_var *= 1 - momentum
        self.running_var += momentum * unbiased_var

    def backward(self, grad_output):
        x_hat, inv_std, used_batch_stats = self._saved_for_backward()
        g = self._check_grad_output(grad_output, x_hat.shape, x_hat.dtype)
        if self.affine:
            self.weight.accumulate_grad(np.sum(g * x_hat, axis=0))
            self.bias.accumulate_grad(np.sum(g, axis=0))
            g_hat = g * self.weight.data
        else:
            g_hat = g
        if not used_batch_stats:
            return g_hat * inv_std
        n = x_hat.shape[0]
        return (inv_std / n) * (
            n * g_hat
            - np.sum(g_hat, axis=0)
            - x_hat * np.sum(g_hat * x_hat, axis=0)
        )

    def extra_repr(self):
        return (f"{self.num_features}, eps={self.eps}, momentum={self.momentum}, "
                f"affine={self.affine}, track_running_stats={self.track_running_stats}")
