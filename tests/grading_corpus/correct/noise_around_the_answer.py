# Imports and plots a learner leaves in the answer cell: not available when grading, harmless.
import matplotlib.pyplot as plt
from anncourse import losses as reference

import numpy as np


def mse(y_true, y_pred):
    return np.mean((np.asarray(y_pred, dtype=float) - np.asarray(y_true, dtype=float)) ** 2)


plt.plot([1, 2, 3])
print("compare:", mse([3, 5], [2.5, 5.2]), reference.mse([3, 5], [2.5, 5.2]))
