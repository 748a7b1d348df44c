import numpy as np

np.mean?
files = !ls
%time squares = [i * i for i in range(3)]


def mse(y_true, y_pred):
    y_true = np.asarray(y_true, dtype=float)
    y_pred = np.asarray(y_pred, dtype=float)
    return np.mean(np.square(y_true - y_pred))
