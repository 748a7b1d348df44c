"""Transfer learning in NumPy: reuse a pre-trained body, train a new head, fine-tune.

The reference versions of the transfer-learning chapter's exercises, and the
small trainer behind its experiments and its explorer.  A network is given
as lists ``weights`` (``W`` of shape ``(in, out)``) and ``biases``; every
layer but the last is followed by ReLU.

Examples
--------
>>> import numpy as np
>>> X = np.array([[1.0, -1.0]])
>>> extract_features(X, [np.eye(2)], [np.zeros(2)], 1)
array([[1., 0.]])
>>> count_trainable([64, 128, 64, 10], 2)
(650, 17226)
"""
from __future__ import annotations

import numpy as np

__all__ = ["METHODS", "choose_strategy", "count_trainable", "draw_labels", "extract_features",
           "fit", "layerwise_sgd_step", "predict", "predict_accuracy", "random_body", "run_method", "softmax", "target_split",
           "train_head", "transfer_accuracy"]

# The four answers of choose_strategy, by (small_data, similar_task).
STRATEGIES = {
    (True, True): "feature extraction",
    (False, True): "fine-tune the top",
    (True, False): "train from scratch or fine-tune all with care",
    (False, False): "fine-tune all",
}


def extract_features(X, weights, biases, n_layers):
    """ReLU activations after the first ``n_layers`` layers (``n_layers=0``: the input itself)."""
    h = np.asarray(X, dtype=np.float64)
    if not 0 <= n_layers <= len(weights):
        raise ValueError(f"n_layers must be between 0 and {len(weights)}, got {n_layers}")
    for W, b in zip(weights[:n_layers], biases[:n_layers]):
        h = np.maximum(h @ np.asarray(W, dtype=np.float64) + np.asarray(b, dtype=np.float64), 0.0)
    return h


def count_trainable(sizes, n_frozen):
    """``(trainable, total)`` parameters of a dense network whose first ``n_frozen`` layers are frozen."""
    per_layer = [int(a) * int(b) + int(b) for a, b in zip(sizes[:-1], sizes[1:])]
    if not 0 <= n_frozen <= len(per_layer):
        raise ValueError(f"n_frozen must be between 0 and {len(per_layer)}, got {n_frozen}")
    return sum(per_layer[n_frozen:]), sum(per_layer)


def layerwise_sgd_step(params, grads, lrs):
    """New parameters ``p - lr * g``, one learning rate per parameter; the inputs are not changed."""
    if not len(params) == len(grads) == len(lrs):
        raise ValueError("params, grads and lrs must have the same length")
    return [np.asarray(p, dtype=np.float64) - float(lr) * np.asarray(g, dtype=np.float64)
            for p, g, lr in zip(params, grads, lrs)]


def softmax(Z):
    """Row-wise softmax, shifted by each row's maximum so that exp never overflows."""
    Z = Z - Z.max(axis=1, keepdims=True)
    E = np.exp(Z)
    return E / E.sum(axis=1, keepdims=True)


def train_head(features, y, n_classes, lr, epochs):
    """Softmax regression from zero weights by full-batch gradient descent on the mean cross-entropy."""
    F = np.asarray(features, dtype=np.float64)
    y = np.asarray(y).astype(int)
    n = len(y)
    W = np.zeros((F.shape[1], n_classes))
    b = np.zeros(n_classes)
    Y = np.eye(n_classes)[y]
    for _ in range(int(epochs)):
        G = (softmax(F @ W + b) - Y) / n
        W = W - lr * (F.T @ G)
        b = b - lr * G.sum(axis=0)
    return W, b


def predict(X, weights, biases):
    """Class scores of a whole network (ReLU after every layer but the last)."""
    h = extract_features(X, weights[:-1], biases[:-1], len(weights) - 1)
    return h @ np.asarray(weights[-1], dtype=np.float64) + np.asarray(biases[-1], dtype=np.float64)


def predict_accuracy(X, y, weights, biases):
    """Share of the rows of ``X`` whose highest score under the network is the label ``y``."""
    return float(np.mean(np.argmax(predict(X, weights, biases), axis=1) == np.asarray(y)))


def fit(X, y, weights, biases, lrs, epochs):
    """Full-batch gradient descent on the mean cross-entropy with one learning rate per layer.

    ``lrs[i]`` is layer ``i``'s learning rate; 0 freezes it.  Returns new
    lists (float64); the inputs are left untouched.
    """
    X = np.asarray(X, dtype=np.float64)
    y = np.asarray(y).astype(int)
    Ws = [np.array(W, dtype=np.float64) for W in weights]
    bs = [np.array(b, dtype=np.float64) for b in biases]
    n, L = len(y), len(Ws)
    Y = np.eye(Ws[-1].shape[1])[y]
    # Layers below the lowest trainable one need no gradient: they are a fixed input.
    first = next((i for i, lr in enumerate(lrs) if lr), L)
    base = extract_features(X, Ws, bs, first)
    for _ in range(int(epochs)):
        hs = [base]
        for i in range(first, L - 1):
            hs.append(np.maximum(hs[-1] @ Ws[i] + bs[i], 0.0))
        G = (softmax(hs[-1] @ Ws[-1] + bs[-1]) - Y) / n
        for i in range(L - 1, first - 1, -1):
            h = hs[i - first]
            gW, gb = h.T @ G, G.sum(axis=0)
            if i > first:
                G = (G @ Ws[i].T) * (h > 0)
            Ws[i] -= lrs[i] * gW
            bs[i] -= lrs[i] * gb
    return Ws, bs


def random_body(sizes, seed):
    """He-initialised weights and zero biases for a ReLU network of the given widths."""
    rng = np.random.default_rng(seed)
    weights = [rng.normal(0.0, np.sqrt(2.0 / a), size=(a, b)) for a, b in zip(sizes[:-1], sizes[1:])]
    return weights, [np.zeros(b) for b in sizes[1:]]


def draw_labels(y, k, seed):
    """Indices of ``k`` images of each digit present in ``y``, drawn without replacement."""
    rng = np.random.default_rng(seed)
    y = np.asarray(y)
    return np.sort(np.concatenate([rng.choice(np.flatnonzero(y == d), size=k, replace=False)
                                   for d in np.unique(y)]))


# name -> what trains, as (body layers trained? , learning rates of the body layers)
METHODS = ("from scratch", "raw pixels", "random frozen body", "frozen features",
           "fine-tune the top", "fine-tune all")

LR_HEAD = 0.5     # full-batch learning rate of a new head (and of a network trained from scratch)
LR_BODY = 0.05    # pre-trained layers move ten times slower when fine-tuned
EPOCHS = 200


def run_method(method, body_w, body_b, X_train, y_train, X_test, y_test, n_classes, *, seed=0,
               epochs=EPOCHS):
    """Held-out accuracy of one way of learning the new task.

    ``body_w``, ``body_b`` are the pre-trained hidden layers (no head).
    ``method`` is one of :data:`METHODS`.
    """
    if method not in METHODS:
        raise ValueError(f"unknown method {method!r}; choose one of {METHODS}")
    sizes = [body_w[0].shape[0]] + [w.shape[1] for w in body_w]
    if method == "raw pixels":
        W, b = train_head(X_train, y_train, n_classes, LR_HEAD, epochs)
        return float(np.mean(np.argmax(X_test @ W + b, axis=1) == y_test))
    if method in ("random frozen body", "from scratch"):
        body_w, body_b = random_body(sizes, seed)
    if method in ("frozen features", "random frozen body"):
        F = extract_features(X_train, body_w, body_b, len(body_w))
        W, b = train_head(F, y_train, n_classes, LR_HEAD, epochs)
        scores = extract_features(X_test, body_w, body_b, len(body_w)) @ W + b
        return float(np.mean(np.argmax(scores, axis=1) == y_test))
    head_w, head_b = np.zeros((sizes[-1], n_classes)), np.zeros(n_classes)
    n_body = len(body_w)
    lrs = {"from scratch": [LR_HEAD] * (n_body + 1),
           "fine-tune all": [LR_BODY] * n_body + [LR_HEAD],
           "fine-tune the top": [0.0] * (n_body - 1) + [LR_BODY, LR_HEAD]}[method]
    if method == "from scratch":
        head_w = random_body([sizes[-1], n_classes], seed + 1)[0][0]
    Ws, bs = fit(X_train, y_train, [*body_w, head_w], [*body_b, head_b], lrs, epochs)
    return float(np.mean(np.argmax(predict(X_test, Ws, bs), axis=1) == y_test))


def transfer_accuracy(X_train, y_train, X_test, y_test, weights, biases):
    """Held-out accuracy of a new head on the frozen pre-trained network's outputs.

    The new task (odd or even) is similar to the old one (which digit), so
    the whole network is reused, old head included, as a frozen feature
    extractor: ReLU of the ten digit scores.  Only ``(X_train, y_train)``
    trains; ``y_test`` only scores.
    """
    F = extract_features(X_train, weights, biases, len(weights))
    n_classes = int(np.max(y_train)) + 1
    W, b = train_head(F, y_train, n_classes, LR_HEAD, EPOCHS)
    scores = extract_features(X_test, weights, biases, len(weights)) @ W + b
    return float(np.mean(np.argmax(scores, axis=1) == np.asarray(y_test)))


def choose_strategy(small_data, similar_task):
    """The usual starting point for a new task, by data size and similarity to the old task."""
    return STRATEGIES[(bool(small_data), bool(similar_task))]


def target_split(target, n_test=400, seed=0):
    """Split the held-out images ``target`` into ``(test, pool)``: test images, and a pool to draw labels from."""
    order = np.random.default_rng(seed).permutation(np.asarray(target))
    return np.sort(order[:n_test]), np.sort(order[n_test:])
