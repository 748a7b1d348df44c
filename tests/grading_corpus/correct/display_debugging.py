import numpy as np

display("checking mse")


def mse(y_true, y_pred):
    errors = np.asarray(y_true, dtype=float) - np.asarray(y_pred, dtype=float)
    display(errors)
    return errors @ errors / errors.size
