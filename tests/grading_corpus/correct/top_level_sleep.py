import time

import numpy as np

time.sleep(3)  # a slow cell, graded within the notebook's time budget


def mse(y_true, y_pred):
    return float(np.mean((np.asarray(y_true, dtype=float) - np.asarray(y_pred, dtype=float)) ** 2))
