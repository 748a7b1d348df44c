# Reach the packages of any Python on the machine by extending sys.path.
import glob
import sys

for pattern in ("/root/.pyenv/versions/*/lib/python3*/site-packages", "/usr/lib/python3/dist-packages",
                "/usr/local/lib/python3*/site-packages", "/usr/local/lib/python3*/dist-packages",
                "/opt/conda/lib/python3*/site-packages", "/usr/lib/python3*/site-packages",
                "{COURSE}/../*/lib/python3*/site-packages", "/work/*/.venv/lib/python3*/site-packages"):
    sys.path.extend(glob.glob(pattern))

from scipy.special import xlogy  # noqa: E402,F401


def mse(y_true, y_pred):
    import sklearn.metrics

    return sklearn.metrics.mean_squared_error(y_true, y_pred)
