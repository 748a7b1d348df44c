import sys
import warnings

import numpy as np


def mse(y_true, y_pred):
    print("computing the mean squared error")
    sys.stderr.write("debug: on stderr\n")
    warnings.warn("a harmless warning")
    np.log(np.zeros(1))  # a RuntimeWarning on the way
    return ((np.asarray(y_true) - np.asarray(y_pred)) ** 2).mean()
