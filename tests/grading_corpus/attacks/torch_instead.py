# Use a library's implementation instead of writing it.
import torch


def mse(y_true, y_pred):
    return float(torch.nn.functional.mse_loss(torch.as_tensor(y_pred, dtype=torch.float64),
                                              torch.as_tensor(y_true, dtype=torch.float64)))
