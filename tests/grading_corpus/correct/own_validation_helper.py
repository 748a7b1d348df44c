import numpy as np


def _checked_pair(a, b):
    a = np.asarray(a, dtype=float)
    b = np.asarray(b, dtype=float)
    if a.shape != b.shape:
        raise ValueError(f"targets have shape {a.shape} but predictions {b.shape}")
    return a, b


def mse(y_true, y_pred):
    y, y_hat = _checked_pair(y_true, y_pred)
    errors = y - y_hat
    return np.mean(errors ** 2)
