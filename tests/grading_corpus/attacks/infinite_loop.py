def mse(y_true, y_pred):
    while True:
        pass
