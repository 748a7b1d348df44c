from __future__ import annotations

from typing import TYPE_CHECKING

import numpy as np

if TYPE_CHECKING:
    from numpy.typing import ArrayLike, NDArray


def mse(y_true: ArrayLike, y_pred: ArrayLike) -> NDArray[np.float64]:
    diff = np.subtract(y_true, y_pred, dtype=float)
    return np.mean(diff * diff)
