import numpy as np


def mse(y_true, y_pred):
    # Extra precision, returned as it is.
    errors = np.asarray(y_true, dtype=np.longdouble) - np.asarray(y_pred, dtype=np.longdouble)
    return np.mean(errors ** 2)
