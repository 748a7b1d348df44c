# No import here: np comes from the notebook's first cell.
def mse(y_true, y_pred):
    return np.mean((np.asarray(y_true, dtype=float) - np.asarray(y_pred, dtype=float)) ** 2)
