from __future__ import annotations

import numpy as np


def mse(y_true: list[float] | np.ndarray, y_pred: list[float] | np.ndarray) -> float:
    return float(np.mean((np.asarray(y_true, dtype=float) - np.asarray(y_pred, dtype=float)) ** 2))
