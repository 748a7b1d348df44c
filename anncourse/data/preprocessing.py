"""Preparing inputs and targets: standardization and one-hot encoding.

Networks train best when every input feature has a similar scale, and
classifiers with a softmax output want their labels as one-hot rows.

* :class:`StandardScaler` -- learn each feature's mean and standard
  deviation on the training data, then map any data to zero mean and unit
  variance with them (scikit-learn's class of the same name);
* :func:`standardize` -- the same in one call, for a training set and the
  sets that must be scaled like it;
* :func:`one_hot` -- integer labels to one-hot rows.

Examples
--------
>>> from anncourse.data import standardize, one_hot
>>> standardize([[1.0], [3.0]])
array([[-1.],
       [ 1.]])
>>> one_hot([0, 2])
array([[1., 0., 0.],
       [0., 0., 1.]])
"""

import numpy as np

from anncourse._validation import as_float_array

__all__ = ["StandardScaler", "standardize", "one_hot"]


def _as_feature_matrix(X, name):
    """``X`` as a finite 2-D float array (``float32`` kept, else ``float64``)."""
    X = as_float_array(X, name)
    if X.ndim != 2:
        raise ValueError(
            f"{name} must be 2-D (n_samples, n_features), but it has shape {X.shape}; "
            "reshape a single feature with X.reshape(-1, 1) or a single sample "
            "with X.reshape(1, -1)"
        )
    if not np.isfinite(X).all():
        raise ValueError(f"{name} contains NaN or infinity")
    return X


class StandardScaler:
    """Standardize features to zero mean and unit variance.

    :meth:`fit` learns, for each feature (column) ``j`` of the training data
    ``X`` with ``n`` rows::

        mean_j  = (1/n) * sum_i x_ij
        var_j   = (1/n) * sum_i (x_ij - mean_j)^2
        scale_j = sqrt(var_j),  or 1 if feature j is constant

    and :meth:`transform` maps any data with those numbers::

        z_ij = (x_ij - mean_j) / scale_j

    A constant feature would be divided by zero; as in scikit-learn, its
    scale is 1 instead, so it becomes all zeros. "Constant" includes
    variances that are within rounding error of zero.

    Fit on the training set only, and transform the validation and test
    sets with the same statistics: they must not leak into training.

    Parameters
    ----------
    with_mean : bool, default True
        Subtract the mean.
    with_std : bool, default True
        Divide by the standard deviation.

    Attributes
    ----------
    mean_ : numpy.ndarray of float64, shape (n_features,)
        Mean of each feature.
    var_ : numpy.ndarray of float64, shape (n_features,)
        Variance of each feature (divided by ``n``, not ``n - 1``).
    scale_ : numpy.ndarray of float64, shape (n_features,)
        The divisor of each feature.
    n_features_in_ : int
        Number of features seen by :meth:`fit`.
    n_samples_seen_ : int
        Number of samples seen by :meth:`fit`.

    Examples
    --------
    >>> scaler = StandardScaler().fit([[0.0, 5.0], [2.0, 5.0]])
    >>> scaler.mean_, scaler.scale_
    (array([1., 5.]), array([1., 1.]))
    >>> scaler.transform([[4.0, 5.0]])
    array([[3., 0.]])
    >>> scaler.inverse_transform([[3.0, 0.0]])
    array([[4., 5.]])
    """

    def __init__(self, *, with_mean=True, with_std=True):
        self.with_mean = with_mean
        self.with_std = with_std

    def fit(self, X, y=None):
        """Learn each feature's mean and scale from ``X``.

        Parameters
        ----------
        X : array_like of shape (n_samples, n_features)
            Training data, finite.
        y : ignored
            Accepted so that ``fit(X, y)`` works as in scikit-learn.

        Returns
        -------
        StandardScaler
            ``self``, fitted.

        Raises
        ------
        TypeError
            If ``X`` is not numeric.
        ValueError
            If ``X`` is empty, not 2-D, or not finite.
        """
        X = _as_feature_matrix(X, "X")
        n = X.shape[0]
        # float64 statistics even for float32 data: the mean of many float32
        # numbers loses digits, and a float32 variance can even come out < 0.
        self.mean_ = np.mean(X, axis=0, dtype=np.float64)
        self.var_ = np.mean((X - self.mean_) ** 2, axis=0)
        # The rounding error of the two-pass variance (Chan, Golub and
        # LeVeque): a variance below it is indistinguishable from 0.
        eps = np.finfo(np.float64).eps
        constant = self.var_ <= n * eps * self.var_ + (n * self.mean_ * eps) ** 2
        self.scale_ = np.where(constant, 1.0, np.sqrt(self.var_))
        self.n_features_in_ = X.shape[1]
        self.n_samples_seen_ = n
        return self

    def transform(self, X):
        """Standardize ``X`` with the fitted statistics.

        Parameters
        ----------
        X : array_like of shape (n_samples, n_features)
            Data with the features seen by :meth:`fit`.

        Returns
        -------
        numpy.ndarray
            ``(X - mean_) / scale_``, same shape; ``float32`` if ``X`` is.

        Raises
        ------
        RuntimeError
            If the scaler has not been fitted.
        ValueError
            If ``X`` is not 2-D or finite, or has a different number of
            features than the training data.
        """
        X = self._check_fitted_input(X)
        Z = X - self.mean_ if self.with_mean else X
        Z = Z / self.scale_ if self.with_std else Z
        return Z.astype(X.dtype, copy=False)

    def fit_transform(self, X, y=None):
        """:meth:`fit` to ``X``, then :meth:`transform` it."""
        return self.fit(X).transform(X)

    def inverse_transform(self, Z):
        """Map standardized data back to the original units.

        Formula::

            x_ij = z_ij * scale_j + mean_j

        Parameters
        ----------
        Z : array_like of shape (n_samples, n_features)
            Standardized data.

        Returns
        -------
        numpy.ndarray
            The data in original units, same shape; ``float32`` if ``Z`` is.

        Raises
        ------
        RuntimeError, ValueError
            As for :meth:`transform`.
        """
        Z = self._check_fitted_input(Z)
        X = Z * self.scale_ if self.with_std else Z
        X = X + self.mean_ if self.with_mean else X
        return X.astype(Z.dtype, copy=False)

    def _check_fitted_input(self, X):
        if not hasattr(self, "mean_"):
            raise RuntimeError(
                "This StandardScaler is not fitted yet; call fit(X_train) first"
            )
        X = _as_feature_matrix(X, "X")
        if X.shape[1] != self.n_features_in_:
            raise ValueError(
                f"X has shape {X.shape} but the scaler was fitted on "
                f"{self.n_features_in_} features; they must match"
            )
        # An array that did not need converting is used as is; the arithmetic
        # in transform makes new arrays, so it is never written to.
        return X

    def __repr__(self):
        return f"StandardScaler(with_mean={self.with_mean}, with_std={self.with_std})"


def standardize(X_train, *X_others):
    """Standardize a training set, and other sets with the training statistics.

    Short for ``scaler = StandardScaler().fit(X_train)`` followed by
    ``scaler.transform`` of each argument::

        z_ij = (x_ij - mean_j) / std_j,   mean_j, std_j from X_train

    Parameters
    ----------
    X_train : array_like of shape (n_samples, n_features)
        The data the mean and standard deviation are learned from.
    *X_others : array_like of shape (m, n_features)
        Validation or test sets, scaled like ``X_train``.

    Returns
    -------
    numpy.ndarray or tuple of numpy.ndarray
        The standardized ``X_train`` alone, or a tuple with the
        standardized ``X_train`` followed by each of ``X_others``.

    Raises
    ------
    TypeError, ValueError
        As for :meth:`StandardScaler.fit` and :meth:`StandardScaler.transform`.

    Examples
    --------
    >>> Z_train, Z_test = standardize([[0.0], [2.0]], [[4.0]])
    >>> Z_train.ravel(), Z_test.ravel()
    (array([-1.,  1.]), array([3.]))
    """
    scaler = StandardScaler().fit(X_train)
    if not X_others:
        return scaler.transform(X_train)
    return tuple(scaler.transform(X) for X in (X_train, *X_others))


def one_hot(y, num_classes=None, dtype=np.float64):
    """Encode integer class labels as one-hot rows.

    Formula, for label ``y_i`` and class ``c``::

        Y[i, c] = 1 if y_i == c else 0

    Like ``torch.nn.functional.one_hot``, the classes are ``0 ..
    num_classes - 1`` and the output has one more axis than ``y``.

    Parameters
    ----------
    y : array_like of int
        Class labels in ``0 .. num_classes - 1``, any shape. Floats are
        accepted if they are whole numbers.
    num_classes : int, optional
        Number of classes; by default ``max(y) + 1``.
    dtype : numpy dtype, default float64
        The dtype of the result.

    Returns
    -------
    numpy.ndarray of shape (*y.shape, num_classes)
        The one-hot encoding.

    Raises
    ------
    ValueError
        If ``y`` is empty, has labels that are not whole numbers, or has
        labels outside ``0 .. num_classes - 1``.
    TypeError
        If ``y`` is not numeric or ``num_classes`` is not an integer.

    Examples
    --------
    >>> one_hot([1, 0, 2], num_classes=4)
    array([[0., 1., 0., 0.],
           [1., 0., 0., 0.],
           [0., 0., 1., 0.]])
    """
    y = np.asarray(y)
    if y.dtype.kind not in "biuf":
        raise TypeError(f"y must hold integer class labels, but it has dtype {y.dtype}")
    if y.size == 0:
        raise ValueError("y is empty; it needs at least one label")
    if y.dtype.kind == "f":
        whole = np.isfinite(y) & (y == np.round(y))
        if not whole.all():
            raise ValueError(
                f"y contains {y[~whole][0]}, which is not an integer class label"
            )
    y = y.astype(np.int64)
    if y.min() < 0:
        raise ValueError(f"y contains the label {y.min()}; labels must be >= 0")
    if num_classes is None:
        num_classes = int(y.max()) + 1
    elif isinstance(num_classes, bool) or not isinstance(num_classes, (int, np.integer)):
        raise TypeError(f"num_classes must be an integer, but got {num_classes!r}")
    if y.max() >= num_classes:
        raise ValueError(
            f"y contains the label {y.max()}, but num_classes={num_classes} allows "
            f"only 0 .. {num_classes - 1}"
        )
    return (y[..., np.newaxis] == np.arange(num_classes)).astype(dtype)
