"""anncourse.data: generators, splitting, scaling, batching and loaders (no network)."""
from __future__ import annotations

import subprocess
import sys
import http.client
import urllib.error
import warnings

import numpy as np
import pytest
import sklearn.datasets
from hypothesis import given, settings
from hypothesis import strategies as st
from hypothesis.extra import numpy as hnp
from sklearn.preprocessing import StandardScaler as SkStandardScaler
from sklearn.utils import Bunch

from anncourse import data
from anncourse.data import (
    OfflineDatasetWarning,
    StandardScaler,
    iterate_minibatches,
    one_hot,
    standardize,
    train_val_test_split,
)

# --------------------------------------------------------------------------
# Toy problems
# --------------------------------------------------------------------------

CLASSIFIERS = [data.make_xor, data.make_moons, data.make_circles, data.make_spirals]
REGRESSORS = [data.make_noisy_sine, data.make_linear_regression]


def sorted_rows(X):
    return X[np.lexsort(X.T[::-1])]


@pytest.mark.parametrize("make", CLASSIFIERS + REGRESSORS)
def test_shapes_dtypes_and_seeding(make):
    X, y = make(37, random_state=3)
    assert X.dtype == np.float64 and X.ndim == 2 and X.shape[0] == 37
    assert y.shape == (37,)
    assert y.dtype == (np.int64 if make in CLASSIFIERS else np.float64)
    X_again, y_again = make(37, random_state=3)
    np.testing.assert_array_equal(X, X_again)
    np.testing.assert_array_equal(y, y_again)
    rng = np.random.default_rng(3)
    first, second = make(37, random_state=rng)[0], make(37, random_state=rng)[0]
    assert not np.array_equal(first, second), "a Generator must be advanced, not reset"


@pytest.mark.parametrize("make", CLASSIFIERS + REGRESSORS)
def test_bad_arguments(make):
    with pytest.raises(ValueError, match="n_samples"):
        make(0)
    with pytest.raises(TypeError, match="n_samples"):
        make(True)
    with pytest.raises(ValueError, match="noise"):
        make(10, noise=-0.1)


@pytest.mark.parametrize("n", [1, 2, 7, 100, 101])
@pytest.mark.parametrize("name", ["make_moons", "make_circles"])
def test_geometry_is_sklearns(name, n):
    ours = getattr(data, name)(n, shuffle=False)
    theirs = getattr(sklearn.datasets, name)(n, shuffle=False)
    # The same formulas, evaluated the same way: identical to the last bit.
    np.testing.assert_array_equal(ours[0], theirs[0])
    np.testing.assert_array_equal(ours[1], theirs[1])
    shuffled_X, shuffled_y = getattr(data, name)(n, random_state=0)
    np.testing.assert_array_equal(sorted_rows(shuffled_X), sorted_rows(theirs[0]))
    np.testing.assert_array_equal(np.bincount(shuffled_y, minlength=2),
                                  np.bincount(theirs[1], minlength=2))


def test_circles_factor():
    X, y = data.make_circles(50, factor=0.3, shuffle=False)
    radii = np.hypot(X[:, 0], X[:, 1])
    np.testing.assert_allclose(radii[y == 0], 1.0)
    np.testing.assert_allclose(radii[y == 1], 0.3)
    with pytest.raises(ValueError, match="factor"):
        data.make_circles(10, factor=1.0)


@pytest.mark.parametrize("make", CLASSIFIERS)
def test_noise_is_gaussian_with_the_given_std(make):
    clean, labels = make(20000, shuffle=False)
    noisy, noisy_labels = make(20000, shuffle=False, noise=0.3, random_state=1)
    np.testing.assert_array_equal(labels, noisy_labels)
    residual = noisy - clean
    # 40000 draws: the sample std is within 1.5% of 0.3 with overwhelming
    # probability (its relative standard error is 1/sqrt(2 * 40000) = 0.35%).
    assert abs(residual.std() / 0.3 - 1) < 0.015
    assert abs(residual.mean()) < 0.01


def test_xor_labels_are_the_xor_of_the_corners():
    X, y = data.make_xor(400, noise=0.1, random_state=0)
    corner = np.round(X).astype(int)
    np.testing.assert_array_equal(y, corner[:, 0] ^ corner[:, 1])
    X, y = data.make_xor(8, shuffle=False)
    np.testing.assert_array_equal(X[:4], [[0, 0], [0, 1], [1, 0], [1, 1]])
    np.testing.assert_array_equal(y, [0, 1, 1, 0, 0, 1, 1, 0])


@pytest.mark.parametrize("n_classes", [2, 3, 5])
def test_spirals(n_classes):
    X, y = data.make_spirals(301, n_classes=n_classes, shuffle=False)
    counts = np.bincount(y)
    assert counts.max() - counts.min() <= 1 and counts.sum() == 301
    radius = np.hypot(X[:, 0], X[:, 1])
    for k, m in enumerate(counts):
        np.testing.assert_allclose(radius[y == k], np.arange(1, m + 1) / m)
    # The arms start a 1/K turn apart: the first point of each arm.
    first = X[np.searchsorted(y, np.arange(n_classes))]
    angles = np.arctan2(first[:, 1], first[:, 0])
    expected = 2 * np.pi * (1 / counts + np.arange(n_classes) / n_classes)
    np.testing.assert_allclose(np.exp(1j * angles), np.exp(1j * expected), atol=1e-12)
    with pytest.raises(ValueError, match="n_classes"):
        data.make_spirals(10, n_classes=1)


def test_noisy_sine():
    X, y = data.make_noisy_sine(200, noise=0.0, random_state=0)
    assert X.shape == (200, 1)
    assert np.all(np.abs(X) <= np.pi)
    np.testing.assert_array_equal(y, np.sin(X[:, 0]))
    X, y = data.make_noisy_sine(20000, noise=0.2, random_state=0)
    # Relative standard error of the std of 20000 draws is 0.5%.
    assert abs((y - np.sin(X[:, 0])).std() / 0.2 - 1) < 0.02


def test_linear_regression():
    X, y, coef = data.make_linear_regression(50, 3, bias=2.0, random_state=0, return_coef=True)
    assert X.shape == (50, 3) and coef.shape == (3,)
    np.testing.assert_allclose(y, X @ coef + 2.0, rtol=0, atol=1e-12)
    X, y = data.make_linear_regression(50, 2, coef=[1.0, -1.0], random_state=0)
    np.testing.assert_allclose(y, X[:, 0] - X[:, 1], rtol=0, atol=1e-12)
    with pytest.raises(ValueError, match=r"\(3,\).*n_features=2"):
        data.make_linear_regression(10, 2, coef=[1.0, 2.0, 3.0])


# --------------------------------------------------------------------------
# Splitting
# --------------------------------------------------------------------------


@settings(max_examples=80, deadline=None)
@given(
    n=st.integers(3, 60),
    val=st.one_of(st.floats(0, 0.4), st.integers(0, 1)),
    test=st.one_of(st.floats(0, 0.4), st.integers(0, 1)),
    n_classes=st.integers(1, 4),
    stratify=st.booleans(),
    seed=st.integers(0, 2**32 - 1),
)
def test_split_is_a_partition_of_the_right_sizes(n, val, test, n_classes, stratify, seed):
    X = np.arange(n) * 10
    y = np.arange(n) % n_classes
    n_val = val if isinstance(val, int) else int(np.ceil(val * n))
    n_test = test if isinstance(test, int) else int(np.ceil(test * n))
    if n_val + n_test >= n:
        with pytest.raises(ValueError, match="none for training"):
            train_val_test_split(X, y, val_size=val, test_size=test, random_state=seed)
        return
    X_train, X_val, X_test, y_train, y_val, y_test = train_val_test_split(
        X, y, val_size=val, test_size=test, random_state=seed, stratify=stratify
    )
    assert (len(X_val), len(X_test), len(X_train)) == (n_val, n_test, n - n_val - n_test)
    np.testing.assert_array_equal(np.sort(np.concatenate([X_train, X_val, X_test])), X)
    for X_part, y_part in [(X_train, y_train), (X_val, y_val), (X_test, y_test)]:
        np.testing.assert_array_equal(y_part, (X_part // 10) % n_classes)
    if stratify:
        # Each class gets its share of the test set, rounded up or down.
        share = n_test * np.bincount(y, minlength=n_classes) / n
        counts = np.bincount(y_test, minlength=n_classes)
        assert np.all(np.abs(counts - share) < 1)
    again = train_val_test_split(X, y, val_size=val, test_size=test, random_state=seed,
                                 stratify=stratify)
    np.testing.assert_array_equal(again[0], X_train)


def test_stratified_split_keeps_proportions():
    y = np.repeat([0, 1, 2], [500, 300, 200])
    X = np.zeros((1000, 2))
    *_, y_train, y_val, y_test = train_val_test_split(
        X, y, val_size=0.1, test_size=0.2, random_state=0, stratify=True
    )
    np.testing.assert_array_equal(np.bincount(y_test), [100, 60, 40])
    np.testing.assert_array_equal(np.bincount(y_val), [50, 30, 20])
    np.testing.assert_array_equal(np.bincount(y_train), [350, 210, 140])
    assert not np.all(np.diff(y_test) >= 0), "the classes must be mixed, not sorted"


def test_split_errors():
    X, y = np.zeros((10, 2)), np.zeros(9)
    with pytest.raises(ValueError, match=r"\(10, 2\).*\(9,\)"):
        train_val_test_split(X, y)
    y = np.zeros(10)
    with pytest.raises(ValueError, match="none for training"):
        train_val_test_split(X, y, val_size=0.5, test_size=0.5)
    with pytest.raises(ValueError, match="fraction"):
        train_val_test_split(X, y, test_size=1.0)
    with pytest.raises(ValueError, match="count"):
        train_val_test_split(X, y, test_size=11)
    with pytest.raises(TypeError, match="test_size"):
        train_val_test_split(X, y, test_size=True)


# --------------------------------------------------------------------------
# StandardScaler, standardize, one_hot
# --------------------------------------------------------------------------


@st.composite
def feature_matrices(draw):
    n, d = draw(st.integers(1, 20)), draw(st.integers(1, 4))
    X = draw(hnp.arrays(np.float64, (n, d), elements=st.floats(-1e4, 1e4, allow_subnormal=False)))
    # Constant and nearly constant columns, where the scale must become 1.
    if draw(st.booleans()):
        X[:, 0] = draw(st.floats(-1e4, 1e4))
    if d > 1 and draw(st.booleans()):
        X[:, 1] = 0.1 + np.arange(n) * 1e-17
    return X


@settings(max_examples=100, deadline=None)
@given(X=feature_matrices(), with_mean=st.booleans(), with_std=st.booleans())
def test_scaler_matches_sklearn(X, with_mean, with_std):
    ours = StandardScaler(with_mean=with_mean, with_std=with_std).fit(X)
    theirs = SkStandardScaler(with_mean=with_mean, with_std=with_std).fit(X)
    # Two-pass float64 statistics in both: sklearn adds a correction term
    # that is zero up to rounding, hence a relative 1e-9 rather than exact.
    if with_std:
        np.testing.assert_allclose(ours.scale_, theirs.scale_, rtol=1e-9)
    if with_mean or with_std:
        np.testing.assert_allclose(ours.mean_, theirs.mean_, rtol=1e-12, atol=1e-12)
    Z_ours, Z_theirs = ours.transform(X), theirs.transform(X)
    # |z| <= sqrt(n) < 5 here; the statistics agree to ~1e-9 relative.
    np.testing.assert_allclose(Z_ours, Z_theirs, rtol=1e-7, atol=1e-7)
    np.testing.assert_allclose(ours.inverse_transform(Z_ours), X, rtol=1e-9, atol=1e-7)


def test_scaler_float32_and_constant_columns():
    rng = np.random.default_rng(0)
    X = rng.normal(5, 3, size=(200, 3)).astype(np.float32)
    X[:, 2] = 7.0
    ours = StandardScaler().fit(X)
    theirs = SkStandardScaler().fit(X)
    Z = ours.transform(X)
    assert Z.dtype == np.float32 and ours.mean_.dtype == np.float64
    # float32 output: agreement to a few float32 ulps (eps = 1.2e-7).
    np.testing.assert_allclose(Z, theirs.transform(X), rtol=1e-5, atol=1e-5)
    np.testing.assert_array_equal(Z[:, 2], 0.0)
    assert ours.scale_[2] == 1.0
    np.testing.assert_allclose(Z[:, :2].mean(axis=0), 0, atol=1e-5)
    np.testing.assert_allclose(Z[:, :2].std(axis=0), 1, atol=1e-5)


def test_scaler_errors_and_standardize():
    with pytest.raises(RuntimeError, match="not fitted"):
        StandardScaler().transform([[1.0]])
    with pytest.raises(ValueError, match="2-D.*reshape"):
        StandardScaler().fit([1.0, 2.0])
    scaler = StandardScaler().fit(np.ones((3, 2)))
    with pytest.raises(ValueError, match=r"\(1, 3\).*2 features"):
        scaler.transform(np.ones((1, 3)))
    with pytest.raises(ValueError, match="NaN"):
        StandardScaler().fit([[np.nan]])
    X_train, X_test = np.array([[1.0, 2.0], [3.0, 6.0]]), np.array([[5.0, 10.0]])
    Z_train, Z_test = standardize(X_train, X_test)
    np.testing.assert_array_equal(Z_train, [[-1, -1], [1, 1]])
    np.testing.assert_array_equal(Z_test, [[3, 3]])
    np.testing.assert_array_equal(standardize(X_train), Z_train)


def test_one_hot():
    np.testing.assert_array_equal(one_hot([2, 0, 1]), np.eye(3)[[2, 0, 1]])
    np.testing.assert_array_equal(one_hot(np.array([1.0, 0.0]), num_classes=3), np.eye(3)[[1, 0]])
    assert one_hot([[0, 1], [1, 1]]).shape == (2, 2, 2)
    assert one_hot([0, 1], dtype=np.float32).dtype == np.float32
    with pytest.raises(ValueError, match="label 3.*num_classes=3"):
        one_hot([0, 3], num_classes=3)
    with pytest.raises(ValueError, match="-1"):
        one_hot([0, -1])
    with pytest.raises(ValueError, match="0.5.*not an integer"):
        one_hot([0, 0.5])
    with pytest.raises(TypeError):
        one_hot(["a"])


# --------------------------------------------------------------------------
# Mini-batches
# --------------------------------------------------------------------------


@settings(max_examples=80, deadline=None)
@given(
    n=st.integers(1, 50),
    batch_size=st.integers(1, 60),
    shuffle=st.booleans(),
    drop_last=st.booleans(),
    seed=st.integers(0, 1000),
)
def test_every_sample_once_per_epoch(n, batch_size, shuffle, drop_last, seed):
    X = np.arange(2 * n).reshape(n, 2)
    y = np.arange(n)
    options = {"shuffle": shuffle, "random_state": seed, "drop_last": drop_last}
    batches = list(iterate_minibatches(X, y, batch_size, **options))
    sizes = [len(y_batch) for _, y_batch in batches]
    if drop_last:
        assert sizes == [batch_size] * (n // batch_size)
    else:
        last = [n % batch_size] if n % batch_size else []
        assert sizes == [batch_size] * (n // batch_size) + last
    seen = np.concatenate([y_batch for _, y_batch in batches]) if batches else np.array([], int)
    assert len(np.unique(seen)) == len(seen) == sum(sizes)
    if not drop_last:
        np.testing.assert_array_equal(np.sort(seen), y)
    if not shuffle:
        np.testing.assert_array_equal(seen, np.arange(len(seen)))
    for X_batch, y_batch in batches:
        np.testing.assert_array_equal(X_batch[:, 0], 2 * y_batch)
    again = [y_batch for _, y_batch in iterate_minibatches(X, y, batch_size, **options)]
    assert all(np.array_equal(a, b) for a, b in zip(again, [b for _, b in batches]))


def test_a_generator_gives_a_new_order_each_epoch():
    y = np.arange(100)
    rng = np.random.default_rng(0)
    first = np.concatenate([b for _, b in iterate_minibatches(y, y, 10, random_state=rng)])
    second = np.concatenate([b for _, b in iterate_minibatches(y, y, 10, random_state=rng)])
    assert not np.array_equal(first, second)
    np.testing.assert_array_equal(np.sort(second), y)


def test_minibatch_errors_are_raised_at_the_call():
    with pytest.raises(ValueError, match=r"\(3,\).*\(2,\)"):
        iterate_minibatches(np.zeros(3), np.zeros(2), 1)
    with pytest.raises(ValueError, match="batch_size"):
        iterate_minibatches(np.zeros(3), np.zeros(3), 0)


# --------------------------------------------------------------------------
# Real data sets, without the network
# --------------------------------------------------------------------------


def must_not_be_called(*args, **kwargs):
    raise AssertionError("offline mode must not try to download")


def raising(error):
    def fetch(*args, **kwargs):
        raise error
    return fetch


@pytest.fixture
def online(monkeypatch, tmp_path):
    """No ANNCOURSE_OFFLINE, and a throw-away cache folder."""
    monkeypatch.delenv("ANNCOURSE_OFFLINE", raising=False)
    monkeypatch.setenv("ANNCOURSE_DATA", str(tmp_path))
    return tmp_path


@pytest.mark.parametrize("how", ["argument", "environment"])
def test_offline_mode_uses_the_fallback_without_trying(monkeypatch, online, how):
    monkeypatch.setattr(sklearn.datasets, "fetch_openml", must_not_be_called)
    monkeypatch.setattr(sklearn.datasets, "fetch_california_housing", must_not_be_called)
    kwargs = {"offline": True} if how == "argument" else {}
    if how == "environment":
        monkeypatch.setenv("ANNCOURSE_OFFLINE", "1")
    with warnings.catch_warnings():
        warnings.simplefilter("error")
        mnist = data.load_mnist(**kwargs)
        housing = data.load_housing(**kwargs)
    assert mnist.is_fallback and mnist.source == "fallback: sklearn.datasets.load_digits"
    assert mnist.X.shape == (1797, 64) and mnist.X.dtype == np.float32
    assert mnist.X.min() == 0 and mnist.X.max() == 1
    assert mnist.y.dtype == np.int64 and set(mnist.y) == set(range(10))
    assert mnist.image_shape == (8, 8) and "offline mode" in mnist.description
    assert housing.is_fallback and housing.source == "fallback: sklearn.datasets.load_diabetes"
    assert housing.X.shape == (442, 10) and housing.y.shape == (442,)
    assert housing.X.dtype == housing.y.dtype == np.float64
    assert len(housing.feature_names) == 10


@pytest.mark.parametrize("error", [
    urllib.error.URLError("[Errno -3] Temporary failure in name resolution"),
    urllib.error.HTTPError("https://openml.org", 503, "Service Unavailable", None, None),
    ConnectionRefusedError("refused"),
    http.client.IncompleteRead(b""),
])
def test_failed_download_warns_and_falls_back(monkeypatch, online, error):
    monkeypatch.setattr(sklearn.datasets, "fetch_openml", raising(error))
    monkeypatch.setattr(sklearn.datasets, "fetch_california_housing", raising(error))
    with pytest.warns(OfflineDatasetWarning) as caught:
        mnist = data.load_mnist()
    message = str(caught[0].message)
    assert "Could not download MNIST" in message and type(error).__name__ in message
    assert str(online) in message, "the message must say where the cache is"
    assert "8x8 digits" in message and "ANNCOURSE_OFFLINE=1" in message
    assert mnist.is_fallback and "download failed" in mnist.description
    with pytest.warns(OfflineDatasetWarning, match="California housing.*diabetes"):
        housing = data.load_housing()
    assert housing.name == "diabetes"


def test_mnist_processing_on_openml_shaped_data(monkeypatch, online):
    digits = sklearn.datasets.load_digits()
    # 8x8 digits (0..16) blown up to 24x24 and padded to 28x28 pixels of
    # 0..255, as float64 rows with string labels: what fetch_openml returns.
    images = np.kron(digits.images[:50], np.ones((3, 3))) * 255 / 16
    images = np.pad(images, ((0, 0), (2, 2), (2, 2)))
    calls = []

    def fake_fetch_openml(name, **kwargs):
        calls.append((name, kwargs))
        labels = digits.target[:50].astype(str).astype(object)
        return Bunch(data=images.reshape(50, 784), target=labels)

    monkeypatch.setattr(sklearn.datasets, "fetch_openml", fake_fetch_openml)
    with warnings.catch_warnings():
        warnings.simplefilter("error")
        mnist = data.load_mnist()
    name, kwargs = calls[0]
    assert name == "mnist_784" and kwargs["version"] == 1 and kwargs["as_frame"] is False
    assert kwargs["data_home"] == str(online) and kwargs["parser"] in ("auto", "liac-arff")
    assert mnist.source == "openml" and not mnist.is_fallback and mnist.name == "MNIST"
    assert mnist.X.shape == (50, 784) and mnist.X.dtype == np.float32
    assert mnist.X.min() == 0 and mnist.X.max() == 1
    np.testing.assert_allclose(mnist.X, images.reshape(50, 784) / 255, rtol=1e-7)
    assert mnist.y.dtype == np.int64
    np.testing.assert_array_equal(mnist.y, digits.target[:50])
    assert mnist.image_shape == (28, 28)
    assert data.load_mnist(dtype=np.float64).X.dtype == np.float64


def test_housing_processing(monkeypatch, tmp_path):
    monkeypatch.delenv("ANNCOURSE_OFFLINE", raising=False)
    diabetes = sklearn.datasets.load_diabetes()
    calls = []

    def fake_fetch(**kwargs):
        calls.append(kwargs)
        return Bunch(data=diabetes.data[:, :8], target=diabetes.target,
                     feature_names=["MedInc", "HouseAge", "AveRooms", "AveBedrms",
                                    "Population", "AveOccup", "Latitude", "Longitude"])

    monkeypatch.setattr(sklearn.datasets, "fetch_california_housing", fake_fetch)
    housing = data.load_housing(tmp_path / "here")
    assert calls == [{"data_home": str(tmp_path / "here")}]
    assert housing.source == "sklearn.datasets.fetch_california_housing"
    assert housing.X.shape == (442, 8) and housing.feature_names[0] == "MedInc"
    assert "california_housing" in repr(housing) and "(442, 8)" in repr(housing)


def test_data_home(monkeypatch, tmp_path):
    monkeypatch.setenv("ANNCOURSE_DATA", str(tmp_path))
    assert data.get_data_home() == tmp_path
    assert data.get_data_home(tmp_path / "x") == tmp_path / "x"
    monkeypatch.delenv("ANNCOURSE_DATA")
    assert data.get_data_home().parts[-2:] == (".cache", "anncourse")


# --------------------------------------------------------------------------
# Import
# --------------------------------------------------------------------------


def test_import_is_light():
    # scikit-learn is imported by the loaders when they are called, not before.
    code = ("import sys, anncourse.data\n"
            "heavy = [m for m in ('torch', 'matplotlib', 'sklearn', 'scipy') if m in sys.modules]\n"
            "assert not heavy, heavy")
    subprocess.run([sys.executable, "-c", code], check=True)
