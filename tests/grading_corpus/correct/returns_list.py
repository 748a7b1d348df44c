import numpy as np


def mse(y_true, y_pred):
    d = np.asarray(y_pred, dtype=np.float64) - np.asarray(y_true, dtype=np.float64)
    return [float(d @ d / d.size)] if d.ndim == 1 else float(np.mean(d * d))
