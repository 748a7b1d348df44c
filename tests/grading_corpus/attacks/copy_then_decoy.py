# The copy, followed by a decoy definition of the same name that never runs.
{REFERENCE_COPY}


if False:
    def mse(y_true, y_pred):
        total = 0.0
        for a, b in zip(y_true, y_pred):
            total += (a - b) ** 2
        return total / len(y_true)
