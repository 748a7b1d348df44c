"""Real data sets, MNIST and California housing, with a fallback for offline use.

Both are downloaded once by scikit-learn's own loaders and cached on disk;
later calls read the cache. Without a network (and without a cache), or
when offline mode is on, a small data set that ships with scikit-learn is
used instead, so a notebook still runs:

* :func:`load_mnist`: 70000 handwritten digits of 28x28 pixels from
  OpenML; fallback: scikit-learn's 1797 digits of 8x8 pixels
  (``load_digits``);
* :func:`load_housing`: 20640 California districts with 8 features;
  fallback: scikit-learn's 442 diabetes patients with 10 features
  (``load_diabetes``).

The loaders return a :class:`Dataset`, whose ``source`` says which data you
got.

Where the cache is
    ``data_home`` if given, else the environment variable
    ``ANNCOURSE_DATA``, else ``~/.cache/anncourse``.
Offline mode
    ``offline=True``, or the environment variable ``ANNCOURSE_OFFLINE=1``,
    uses the fallback without trying the network or the cache: the same
    data on every machine, as continuous integration needs.
"""

import importlib.util
import os
import warnings
from dataclasses import dataclass
from pathlib import Path

import numpy as np

__all__ = ["Dataset", "OfflineDatasetWarning", "get_data_home", "load_mnist", "load_housing"]

_TRUE_WORDS = {"1", "true", "yes", "on"}


class OfflineDatasetWarning(UserWarning):
    """A data set could not be downloaded, and a bundled one is used instead."""


@dataclass(frozen=True, eq=False)
class Dataset:
    """A data set, and where it came from.

    Attributes
    ----------
    X : numpy.ndarray of shape (n_samples, n_features)
        The inputs, one row per sample (images are flattened).
    y : numpy.ndarray of shape (n_samples,)
        The targets.
    name : str
        Short name, e.g. ``"MNIST"`` or ``"digits"``.
    source : str
        ``"openml"`` or the loader the data came from; it starts with
        ``"fallback: "`` when a bundled data set replaced the real one.
    description : str
        A sentence or two on what the data is.
    image_shape : tuple of int or None
        ``(height, width)`` of each image, for ``X.reshape(-1, *image_shape)``;
        None for tabular data.
    feature_names : tuple of str or None
        Names of the columns of ``X``, for tabular data.
    """

    X: np.ndarray
    y: np.ndarray
    name: str
    source: str
    description: str
    image_shape: tuple = None
    feature_names: tuple = None

    @property
    def is_fallback(self):
        """True if this is the bundled stand-in, not the data asked for."""
        return self.source.startswith("fallback")

    def __repr__(self):
        return (
            f"Dataset(name={self.name!r}, source={self.source!r}, "
            f"X: {self.X.shape} {self.X.dtype}, y: {self.y.shape} {self.y.dtype})"
        )


def get_data_home(data_home=None):
    """The folder where downloaded data sets are cached.

    Parameters
    ----------
    data_home : str or os.PathLike, optional
        Use this folder. By default the environment variable
        ``ANNCOURSE_DATA``, or else ``~/.cache/anncourse``.

    Returns
    -------
    pathlib.Path
        The folder (it is created by the download, not here).

    Examples
    --------
    >>> get_data_home("/tmp/my-data")
    PosixPath('/tmp/my-data')
    """
    if data_home is None:
        data_home = os.environ.get("ANNCOURSE_DATA") or Path.home() / ".cache" / "anncourse"
    return Path(data_home).expanduser()


def _offline(offline):
    """The ``offline`` argument, or the ``ANNCOURSE_OFFLINE`` variable if it is None."""
    if offline is None:
        return os.environ.get("ANNCOURSE_OFFLINE", "").strip().lower() in _TRUE_WORDS
    return bool(offline)


def _sklearn_datasets():
    """``sklearn.datasets``, or an ImportError that says how to get it."""
    try:
        from sklearn import datasets
    except ImportError as error:
        raise ImportError(
            "The data set loaders use scikit-learn; install it with "
            "`pip install scikit-learn`"
        ) from error
    return datasets


def _download_errors():
    """The exceptions that mean "the download did not work"."""
    # Imported here, not at the top: http.client is slow to import, and
    # only needed once a download is tried.
    import http.client

    # URLError and HTTPError are OSErrors, as are timeouts and refused
    # connections; a connection cut mid-download raises an HTTPException.
    return (OSError, http.client.HTTPException)


def _warn_download_failed(what, call, error, data_home, instead):
    warnings.warn(
        f"Could not download {what}: {call} failed with {type(error).__name__}: "
        f"{error}. It would have been cached in {data_home}. Using {instead} "
        "instead; the Dataset's .source says which data you got. Set "
        "ANNCOURSE_OFFLINE=1 (or pass offline=True) to skip the download.",
        OfflineDatasetWarning,
        stacklevel=3,
    )


def _fallback_reason(error):
    if error is None:
        return "offline mode is on (offline=True or ANNCOURSE_OFFLINE=1)"
    return f"the download failed ({type(error).__name__}: {error})"


def _openml_parser():
    """The fast pandas ARFF parser if pandas is installed, else the pure-Python one."""
    return "auto" if importlib.util.find_spec("pandas") else "liac-arff"


def load_mnist(data_home=None, *, offline=None, dtype=np.float32):
    """The MNIST handwritten digits, as flattened images with pixels in [0, 1].

    Downloads ``mnist_784`` (version 1) from OpenML through
    ``sklearn.datasets.fetch_openml`` and caches it in ``data_home``. The
    pixels, 0 to 255 in the file, are scaled::

        X = pixels / 255

    By convention the first 60000 images are the training set and the last
    10000 the test set.

    If the download fails, an :class:`OfflineDatasetWarning` says why, and
    scikit-learn's bundled 8x8 digits are returned instead (pixels 0 to 16,
    scaled by ``1/16``); in offline mode they are returned without trying.

    Parameters
    ----------
    data_home : str or os.PathLike, optional
        Cache folder; see :func:`get_data_home`.
    offline : bool, optional
        Use the fallback without trying to download. By default, True if
        the environment variable ``ANNCOURSE_OFFLINE`` is ``1``.
    dtype : numpy dtype, default float32
        The dtype of ``X`` (float32 halves the memory of MNIST's 220 MB).

    Returns
    -------
    Dataset
        ``X`` of shape (70000, 784) and ``y`` of int64 labels 0-9, with
        ``image_shape=(28, 28)``; for the fallback (1797, 64) and ``(8, 8)``.

    Raises
    ------
    ImportError
        If scikit-learn is not installed.

    Examples
    --------
    >>> data = load_mnist(offline=True)
    >>> data.source, data.X.shape, data.image_shape
    ('fallback: sklearn.datasets.load_digits', (1797, 64), (8, 8))
    """
    datasets = _sklearn_datasets()
    data_home = get_data_home(data_home)
    error = None
    if not _offline(offline):
        try:
            mnist = datasets.fetch_openml(
                "mnist_784", version=1, data_home=str(data_home), as_frame=False,
                parser=_openml_parser(),
            )
        except _download_errors() as download_error:
            error = download_error
            _warn_download_failed(
                "MNIST", "fetch_openml('mnist_784')", error, data_home,
                "scikit-learn's bundled 8x8 digits (1797 images)",
            )
        else:
            return Dataset(
                X=(np.asarray(mnist.data, dtype=np.float64) / 255).astype(dtype),
                y=np.asarray(mnist.target).astype(np.int64),
                name="MNIST",
                source="openml",
                description=(
                    "MNIST handwritten digits 0-9 (OpenML mnist_784, version 1): "
                    "28x28 grey-scale images, pixels scaled to [0, 1]. The first "
                    "60000 are the usual training set, the last 10000 the test set."
                ),
                image_shape=(28, 28),
            )
    digits = datasets.load_digits()
    return Dataset(
        X=(digits.data / 16).astype(dtype),
        y=digits.target.astype(np.int64),
        name="digits",
        source="fallback: sklearn.datasets.load_digits",
        description=(
            "scikit-learn's bundled handwritten digits 0-9: 1797 images of 8x8 "
            "pixels, scaled to [0, 1]. Used instead of MNIST because "
            f"{_fallback_reason(error)}."
        ),
        image_shape=(8, 8),
    )


def load_housing(data_home=None, *, offline=None):
    """The California housing regression data set.

    Downloads it through ``sklearn.datasets.fetch_california_housing`` and
    caches it in ``data_home``. Each of the 20640 rows is a census block
    group with 8 features (median income, house age, average rooms, ...);
    the target is the median house value in units of $100,000.

    If the download fails, an :class:`OfflineDatasetWarning` says why, and
    scikit-learn's bundled diabetes data (442 patients, 10 standardized
    features, a disease progression score as target) is returned instead;
    in offline mode it is returned without trying.

    Parameters
    ----------
    data_home : str or os.PathLike, optional
        Cache folder; see :func:`get_data_home`.
    offline : bool, optional
        Use the fallback without trying to download. By default, True if
        the environment variable ``ANNCOURSE_OFFLINE`` is ``1``.

    Returns
    -------
    Dataset
        ``X`` of float64, shape (20640, 8), and ``y`` of float64, shape
        (20640,), with ``feature_names``; for the fallback (442, 10).

    Raises
    ------
    ImportError
        If scikit-learn is not installed.

    Examples
    --------
    >>> data = load_housing(offline=True)
    >>> data.name, data.X.shape, data.is_fallback
    ('diabetes', (442, 10), True)
    """
    datasets = _sklearn_datasets()
    data_home = get_data_home(data_home)
    error = None
    if not _offline(offline):
        try:
            housing = datasets.fetch_california_housing(data_home=str(data_home))
        except _download_errors() as download_error:
            error = download_error
            _warn_download_failed(
                "the California housing data", "fetch_california_housing()", error,
                data_home, "scikit-learn's bundled diabetes regression data (442 samples)",
            )
        else:
            return Dataset(
                X=np.asarray(housing.data, dtype=np.float64),
                y=np.asarray(housing.target, dtype=np.float64),
                name="california_housing",
                source="sklearn.datasets.fetch_california_housing",
                description=(
                    "California housing (1990 census): 20640 block groups, 8 "
                    "features; target: median house value in $100,000."
                ),
                feature_names=tuple(housing.feature_names),
            )
    diabetes = datasets.load_diabetes()
    return Dataset(
        X=np.asarray(diabetes.data, dtype=np.float64),
        y=np.asarray(diabetes.target, dtype=np.float64),
        name="diabetes",
        source="fallback: sklearn.datasets.load_diabetes",
        description=(
            "scikit-learn's bundled diabetes data: 442 patients, 10 standardized "
            "features; target: a measure of disease progression one year later. "
            f"Used instead of California housing because {_fallback_reason(error)}."
        ),
        feature_names=tuple(diabetes.feature_names),
    )
