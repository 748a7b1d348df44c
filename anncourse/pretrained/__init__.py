"""A small pre-trained network that ships with the course, for the transfer-learning chapter.

The course runs without a network, so no model can be downloaded from a hub.
Instead ``digits_mlp.npz`` holds a 64-128-64-10 ReLU perceptron trained on a
seeded half of scikit-learn's digit images (8x8 pixels scaled to [0, 1]).
Its *body* is the two hidden layers; its *head* is the last layer, the
10-class read-out.  Rebuild the file with
``python -m anncourse.pretrained.regenerate``.

Weights follow the course's convention ``h = relu(x @ W + b)``: ``W`` has
shape ``(in, out)``.  (PyTorch and :mod:`anncourse.nn` store it transposed,
``(out, in)``.)

Examples
--------
>>> from anncourse.pretrained import load_digits_body
>>> net = load_digits_body()
>>> [w.shape for w in net.weights]
[(64, 128), (128, 64), (64, 10)]
>>> net.accuracy > 0.9
True
"""
from __future__ import annotations

import importlib.util
from dataclasses import dataclass
from functools import lru_cache
from pathlib import Path

import numpy as np

__all__ = ["PretrainedNet", "WEIGHTS_FILE", "accuracy", "digits", "forward", "load_digits_body"]

WEIGHTS_FILE = Path(__file__).with_name("digits_mlp.npz")


@lru_cache(maxsize=1)
def _digits_table():
    found = importlib.util.find_spec("sklearn")
    if found is None or found.origin is None:
        raise RuntimeError("the digit images come with scikit-learn: pip install scikit-learn")
    path = Path(found.origin).parent / "datasets" / "data" / "digits.csv.gz"
    return np.loadtxt(path, delimiter=",")


def digits():
    """scikit-learn's 1797 digit images as ``(X, y)``: 64 pixels scaled to [0, 1], labels 0-9.

    The same arrays as ``load_digits().data / 16`` and ``.target``, read from
    the file scikit-learn ships (importing scikit-learn takes a second or more).
    Fresh copies each call.
    """
    table = _digits_table()
    return table[:, :-1] / 16.0, table[:, -1].astype(np.int64)


@dataclass(frozen=True)
class PretrainedNet:
    """The shipped network and where it came from.

    Attributes
    ----------
    weights, biases : list of numpy.ndarray
        ``W`` of shape ``(in, out)`` and ``b`` of shape ``(out,)``, layer by
        layer, the last pair being the 10-class head (float32, as stored).
    source : numpy.ndarray
        Indices into ``sklearn.datasets.load_digits()`` of the images it was
        trained on; every other image is held out.
    target : numpy.ndarray
        The held-out indices, sorted.
    split_seed : int
        Seed of the permutation that split the images in two halves.
    accuracy : float
        10-class accuracy on the held-out images, measured when it was built.
    """

    weights: list
    biases: list
    source: np.ndarray
    target: np.ndarray
    split_seed: int
    accuracy: float

    @property
    def sizes(self):
        """Layer widths, input first: ``[64, 128, 64, 10]``."""
        return [self.weights[0].shape[0]] + [w.shape[1] for w in self.weights]


def load_digits_body(path=None, n_images=1797):
    """Load the shipped network (or the ``.npz`` at ``path``).

    Parameters
    ----------
    path : str or pathlib.Path, optional
        A file written by :mod:`anncourse.pretrained.regenerate`.
    n_images : int
        Size of the digits data set, to list the held-out indices.

    Returns
    -------
    PretrainedNet

    Raises
    ------
    FileNotFoundError
        If the file is missing (rebuild it with the regeneration script).
    """
    path = Path(path) if path is not None else WEIGHTS_FILE
    if not path.exists():
        raise FileNotFoundError(f"{path} is missing: rebuild it with "
                                "`python -m anncourse.pretrained.regenerate`")
    with np.load(path) as data:
        n_layers = sum(1 for k in data.files if k.startswith("W"))
        weights = [data[f"W{i}"] for i in range(n_layers)]
        biases = [data[f"b{i}"] for i in range(n_layers)]
        source = data["source"].astype(np.int64)
        split_seed, acc = int(data["split_seed"]), float(data["accuracy"])
    target = np.setdiff1d(np.arange(n_images), source)
    return PretrainedNet(weights, biases, source, target, split_seed, acc)


def forward(X, weights, biases):
    """Scores of the whole network: ReLU after every layer but the last.

    Examples
    --------
    >>> import numpy as np
    >>> forward(np.ones((1, 2)), [np.eye(2), np.ones((2, 1))], [np.zeros(2), np.zeros(1)])
    array([[2.]])
    """
    h = np.asarray(X, dtype=np.float64)
    for i, (W, b) in enumerate(zip(weights, biases)):
        h = h @ np.asarray(W, dtype=np.float64) + np.asarray(b, dtype=np.float64)
        if i < len(weights) - 1:
            h = np.maximum(h, 0.0)
    return h


def accuracy(weights, biases, X, y):
    """Share of the images ``X`` whose highest score is the label ``y``."""
    return float(np.mean(np.argmax(forward(X, weights, biases), axis=1) == np.asarray(y)))
