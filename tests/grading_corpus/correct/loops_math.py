import math


def mse(y_true, y_pred):
    total, count = 0.0, 0
    import numpy as np
    for t, p in zip(np.ravel(y_true), np.ravel(y_pred)):
        total += (float(t) - float(p)) ** 2
        count += 1
    return total / count
