"""Rebuild ``digits_mlp.npz``, the pre-trained network that ships with the course.

Run ``python -m anncourse.pretrained.regenerate`` (a few seconds on one core).
The network is a 64-128-64-10 ReLU perceptron trained with
:mod:`anncourse.nn` and :class:`anncourse.optim.Adam` on one half of
scikit-learn's 1797 digit images (8x8 pixels scaled to [0, 1]); the other
half is never seen in training, so the transfer chapter can use it as the
new task's data.  Everything is seeded, so a rerun gives the same accuracy
(the bytes may differ with the BLAS library, which is why the tests check
the accuracy, not the file).

Examples
--------
>>> from anncourse.pretrained.regenerate import train_body
>>> net = train_body(X, y, epochs=2)    # doctest: +SKIP
"""
from __future__ import annotations

import argparse
import time
from pathlib import Path

import numpy as np

__all__ = ["SIZES", "SPLIT_SEED", "TRAIN_SEED", "EPOCHS", "split", "train_body", "main"]

SIZES = (64, 128, 64, 10)
SPLIT_SEED = 0
TRAIN_SEED = 1
EPOCHS = 60
BATCH = 32
LR = 1e-3


def split(n, seed=SPLIT_SEED):
    """Indices ``(source, target)``: a seeded half of ``range(n)`` each, sorted.

    The network is pre-trained on ``source``; ``target`` is left for the new task.
    """
    order = np.random.default_rng(seed).permutation(n)
    half = n // 2
    return np.sort(order[:half]), np.sort(order[half:])


def train_body(X, y, *, epochs=EPOCHS, seed=TRAIN_SEED):
    """Train the 10-class network on ``(X, y)`` with mini-batch Adam; return its ``Sequential``."""
    from anncourse import nn, optim

    rng = np.random.default_rng(seed)
    layers = []
    for i, (n_in, n_out) in enumerate(zip(SIZES[:-1], SIZES[1:])):
        layers.append(nn.Linear(n_in, n_out, init="he_uniform", random_state=rng))
        if i < len(SIZES) - 2:
            layers.append(nn.ReLU())
    model = nn.Sequential(*layers)
    loss_fn = nn.CrossEntropyLoss()
    opt = optim.Adam(model.parameters(), lr=LR)
    for _ in range(epochs):
        order = rng.permutation(len(y))
        for start in range(0, len(y), BATCH):
            rows = order[start:start + BATCH]
            loss_fn(model(X[rows]), y[rows])
            opt.zero_grad()
            model.backward(loss_fn.backward())
            opt.step()
    return model


def _as_lists(model):
    """Weights as (in, out) float32 arrays and biases, from a Sequential of Linear and ReLU."""
    linear = [layer for layer in model if hasattr(layer, "weight")]
    # anncourse.nn (like PyTorch) stores W as (out, in); the course's lists use (in, out).
    weights = [np.ascontiguousarray(layer.weight.data.T, dtype=np.float32) for layer in linear]
    biases = [np.asarray(layer.bias.data, dtype=np.float32) for layer in linear]
    return weights, biases


def build(path, *, epochs=EPOCHS):
    """Train on the source half and write the weights and their metadata to ``path``."""
    from . import accuracy, digits

    X, y = digits()
    source, target = split(len(y))
    weights, biases = _as_lists(train_body(X[source], y[source], epochs=epochs))
    acc = accuracy(weights, biases, X[target], y[target])
    arrays = {f"W{i}": w for i, w in enumerate(weights)}
    arrays.update({f"b{i}": b for i, b in enumerate(biases)})
    np.savez_compressed(path, **arrays, source=source.astype(np.int16),
                        split_seed=np.int64(SPLIT_SEED), train_seed=np.int64(TRAIN_SEED),
                        epochs=np.int64(epochs), accuracy=np.float64(acc))
    return acc


def main(argv=None):
    """Command line: ``python -m anncourse.pretrained.regenerate [--out PATH]``."""
    from . import WEIGHTS_FILE

    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--out", type=Path, default=WEIGHTS_FILE,
                        help="where to write the .npz (default: the shipped file)")
    args = parser.parse_args(argv)
    start = time.perf_counter()
    acc = build(args.out)
    print(f"wrote {args.out} ({args.out.stat().st_size / 1024:.0f} KiB): accuracy {acc:.3f} on "
          f"the held-out half, {time.perf_counter() - start:.1f} s")


if __name__ == "__main__":
    main()
