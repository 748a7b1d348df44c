"""Exercises of ``10-multilayer-perceptron``: what the learner writes, and how it is checked.

Conventions the checks rely on (the notebook states each of them)
-----------------------------------------------------------------
* A layer's weight matrix ``W`` has shape ``(n_in, n_out)`` and a layer
  computes ``Z = A @ W + b``; every hidden layer is followed by ReLU and the
  last layer by nothing (its outputs are the logits).
* ``init_layer(n_in, n_out, scheme, seed)`` returns ``(W, b)``, ``b`` zeros.
  Xavier (Glorot) means ``Var(W) = 2 / (n_in + n_out)``, He means
  ``Var(W) = 2 / n_in``, mean 0; a normal and a uniform distribution with
  that variance are both right, so the answer is graded by *statistics* of
  its draws, computed in the sandbox by a scenario driver
  (:func:`init_stats`), never by exact random numbers.  The same seed must
  give the same numbers and another seed other numbers.
* ``mlp_forward_cache(X, weights, biases)`` returns ``(out, cache)``.  Only
  ``out`` is compared (:func:`forward_output`): the cache is the learner's
  own business.  The text suggests one ``(A_in, W, Z)`` per layer.
* ``mlp_backward(dout, cache)`` returns ``(dweights, dbiases)``, two lists
  in layer order, each gradient with its parameter's shape; ``dout`` is
  ``dL/d(out)``, already divided by the batch size if the loss is a mean.
  The driver (:func:`backward_grads`) builds the cache with the learner's
  *own* ``mlp_forward_cache`` (found in the function's globals: the
  notebook's namespace, or the sandbox's), so any cache layout is fair; when
  that function is missing or not written yet, it builds the layout the text
  suggests.  The gradients are compared concatenated in layer order.
* ``xor_relu_network()`` returns ``(W1, b1, W2, b2)`` of a 2-2-1 network;
  the driver evaluates it on the corners of the unit square, where its output
  must be XOR exactly (any of the infinitely many exact solutions passes).
* ``relu_interpolant(knots, values, x)`` is compared with the piecewise
  linear interpolant on ``[knots[0], knots[-1]]`` only (outside, a ReLU
  network and ``np.interp`` legitimately differ).
* ``train_mlp(X, y, hidden, epochs, lr, seed)`` returns ``(weights,
  biases)``; the grader measures the accuracy on spirals it draws itself.
  The output layer may have one unit per class (argmax) or a single unit
  (class 1 when the logit is positive).  The threshold is 90 %: the
  reference (full-batch gradient descent, He initialisation, softmax
  cross-entropy, 200 points, 600 epochs at lr 0.5) reaches 95 to 97 % over
  eight seeds (95 to 97 % with 250 points and [40, 40] too), a single hidden
  layer of 64 units 59 to 72 %, and a linear model about chance.  A
  training run takes about 0.4 s on one idle core (2 s on the busy 2-core
  development machine), well within the 10 s per call.

What the checks must accept
---------------------------
Loops or matrix products; lists or arrays; float32 inputs; a normal or a
uniform initialisation; any cache layout; any exact XOR network; ``np.interp``
or a sum of ReLU units for the interpolant; any training algorithm that
reaches the accuracy with the given hyperparameters in the time limit.

Tolerances
----------
``rtol=1e-6`` in float64 for the forward and backward pass and the
interpolant: a loop and a matrix product agree to about 1e-13 here, and a
wrong formula (a missing mask, a reversed list) is off by O(1).  float32 at
``1e-4``.  The initialisation statistics are compared at ``atol=0.05``: each
check draws at least 40 000 weights, so the sample variance divided by its
target has a standard deviation of at most ``sqrt(2 / 40000) = 0.007`` (for a
normal; less for a uniform) and 0.05 is seven of them; the usual mistakes
(``1 / n_in`` for He, a standard deviation used as a variance, the limit of
the uniform taken as its standard deviation) are off by 0.13 or more.  XOR
is compared at ``atol=1e-6``: the corners are exact small integers.
"""
from __future__ import annotations

import zlib

import numpy as np

from ..core import Case
from ..properties import scenario_matches, verdict
from ..specbuilder import Chapter, Hidden, Tol, mistake, standard

__all__ = ["EXERCISES", "SPIRALS", "THRESHOLD", "init_layer", "mlp_backward", "mlp_forward_cache",
           "relu_interpolant", "train_mlp", "xor_relu_network"]

chapter = Chapter(__name__)

TOL = Tol(1e-6, 1e-9)
F32 = Tol(1e-4, 1e-5)
STATS = Tol(0.0, 0.05)
EXACT = Tol(0.0, 1e-6)

# The spirals of the training exercise (and of the notebook's worked example).
SPIRALS = {"noise": 0.05, "turns": 1.5}
THRESHOLD = 0.90
TRAIN_ARGS = {"hidden": [32, 32], "epochs": 600, "lr": 0.5}


# --- references -------------------------------------------------------------------

def init_layer(n_in, n_out, scheme, seed):
    """``(W, b)`` of a layer: ``W`` of shape ``(n_in, n_out)`` from N(0, var), ``b`` zeros.

    ``var`` is ``2 / (n_in + n_out)`` for ``"xavier"`` and ``2 / n_in`` for ``"he"``.
    """
    n_in, n_out, seed = int(n_in), int(n_out), int(seed)
    if scheme == "xavier":
        var = 2.0 / (n_in + n_out)
    elif scheme == "he":
        var = 2.0 / n_in
    else:
        raise ValueError(f"scheme must be 'xavier' or 'he', not {scheme!r}")
    rng = np.random.default_rng(seed)
    return rng.normal(0.0, np.sqrt(var), size=(n_in, n_out)), np.zeros(n_out)


def mlp_forward_cache(X, weights, biases):
    """The MLP's output (ReLU after every layer but the last) and, per layer, ``(A_in, W, Z)``."""
    A = np.asarray(X, dtype=np.float64)
    cache = []
    last = len(weights) - 1
    for i, (W, b) in enumerate(zip(weights, biases)):
        W = np.asarray(W, dtype=np.float64)
        Z = A @ W + np.asarray(b, dtype=np.float64)
        cache.append((A, W, Z))
        A = Z if i == last else np.maximum(Z, 0.0)
    return A, cache


def mlp_backward(dout, cache):
    """``(dweights, dbiases)`` in layer order, from ``dout = dL/d(out)`` and the forward cache."""
    dZ = np.asarray(dout, dtype=np.float64)
    dweights, dbiases = [], []
    for i in range(len(cache) - 1, -1, -1):
        A, W, _ = cache[i]
        dweights.append(A.T @ dZ)
        dbiases.append(dZ.sum(axis=0))
        if i > 0:
            dZ = (dZ @ W.T) * (cache[i - 1][2] > 0)
    return dweights[::-1], dbiases[::-1]


def xor_relu_network():
    """``(W1, b1, W2, b2)``: h = relu(x @ W1 + b1), y = h @ W2 + b2 is XOR on {0, 1}^2."""
    W1 = np.array([[1.0, 1.0], [1.0, 1.0]])
    b1 = np.array([0.0, -1.0])
    W2 = np.array([[1.0], [-2.0]])
    b2 = np.array([0.0])
    return W1, b1, W2, b2


def relu_interpolant(knots, values, x):
    """The one-hidden-layer ReLU network through ``(knots[k], values[k])``, at ``x``.

    One unit per knot but the last: ``f(x) = values[0] + sum_k c_k relu(x - knots[k])``
    with ``c_k`` the change of slope at knot ``k``.
    """
    knots = np.asarray(knots, dtype=np.float64)
    values = np.asarray(values, dtype=np.float64)
    x = np.asarray(x, dtype=np.float64)
    slopes = np.diff(values) / np.diff(knots)
    c = np.diff(slopes, prepend=0.0)
    return values[0] + np.maximum(x[..., None] - knots[:-1], 0.0) @ c


def _softmax_grad(logits, y):
    """d(mean cross-entropy)/d(logits) for integer labels."""
    shifted = logits - logits.max(axis=1, keepdims=True)
    p = np.exp(shifted)
    p /= p.sum(axis=1, keepdims=True)
    p[np.arange(len(y)), y] -= 1.0
    return p / len(y)


def train_mlp(X, y, hidden, epochs, lr, seed):
    """Full-batch gradient descent on the mean softmax cross-entropy; He initialisation."""
    X = np.asarray(X, dtype=np.float64)
    y = np.asarray(y).astype(np.int64)
    sizes = [X.shape[1], *hidden, int(y.max()) + 1]
    weights, biases = [], []
    for k, (n_in, n_out) in enumerate(zip(sizes[:-1], sizes[1:])):
        W, b = init_layer(n_in, n_out, "he", seed + k)
        weights.append(W)
        biases.append(b)
    for _ in range(epochs):
        out, cache = mlp_forward_cache(X, weights, biases)
        dweights, dbiases = mlp_backward(_softmax_grad(out, y), cache)
        for W, dW, b, db in zip(weights, dweights, biases, dbiases):
            W -= lr * dW
            b -= lr * db
    return weights, biases


# --- scenario drivers (sent to the sandbox as source: NumPy only, imports inside) ---

def init_stats(init_layer, n_in, n_out, scheme, seed):
    """Statistics of the draws, relative to the scheme's target variance.

    [rows, columns, size of b, mean / target std, variance / target variance,
    largest |b|, same seed gives the same W (1/0), another seed another W (1/0)].
    """
    import numpy as np

    made = init_layer(n_in, n_out, scheme, seed)
    if made is None:
        return None
    W, b = made
    W, b = np.asarray(W, dtype=float), np.asarray(b, dtype=float)
    again = np.asarray(init_layer(n_in, n_out, scheme, seed)[0], dtype=float)
    other = np.asarray(init_layer(n_in, n_out, scheme, seed + 1)[0], dtype=float)
    target = 2.0 / (n_in + n_out) if scheme == "xavier" else 2.0 / n_in
    rows, cols = (W.shape + (0, 0))[:2] if W.ndim == 2 else (W.size, 0)
    return [float(rows), float(cols), float(b.size), float(W.mean() / np.sqrt(target)),
            float(W.var() / target), float(np.abs(b).max(initial=0.0)),
            float(again.shape == W.shape and np.array_equal(again, W)),
            float(other.shape != W.shape or not np.array_equal(other, W))]


def forward_output(mlp_forward_cache, X, weights, biases):
    """The network's output, the first of ``(out, cache)``."""
    import numpy as np

    made = mlp_forward_cache(X, weights, biases)
    if made is None:
        return None
    if not isinstance(made, (tuple, list)) or len(made) != 2:
        raise TypeError("mlp_forward_cache must return a pair (out, cache)")
    return np.asarray(made[0], dtype=float)


def backward_grads(mlp_backward, X, weights, biases, dout):
    """Every gradient, concatenated in layer order: dW1, ..., dWL, db1, ..., dbL.

    The cache comes from the learner's own ``mlp_forward_cache`` when it is
    written; otherwise it is the layout the text suggests, ``(A_in, W, Z)``
    per layer.
    """
    import numpy as np

    cache = None
    forward = getattr(mlp_backward, "__globals__", {}).get("mlp_forward_cache")
    if callable(forward):
        try:
            made = forward(X, weights, biases)
        except NotImplementedError:
            made = None
        if isinstance(made, (tuple, list)) and len(made) == 2:
            cache = made[1]
    if cache is None:
        A, cache = np.asarray(X, dtype=float), []
        for i, (W, b) in enumerate(zip(weights, biases)):
            W = np.asarray(W, dtype=float)
            Z = A @ W + np.asarray(b, dtype=float)
            cache.append((A, W, Z))
            A = Z if i == len(weights) - 1 else np.maximum(Z, 0.0)
    grads = mlp_backward(dout, cache)
    if grads is None:
        return None
    if not isinstance(grads, (tuple, list)) or len(grads) != 2:
        raise TypeError("mlp_backward must return a pair (dweights, dbiases)")
    dweights, dbiases = grads
    if len(dweights) != len(weights) or len(dbiases) != len(biases):
        raise ValueError(f"expected {len(weights)} weight and {len(biases)} bias gradients, "
                         f"got {len(dweights)} and {len(dbiases)}")
    return np.concatenate([np.asarray(g, dtype=float).ravel() for g in [*dweights, *dbiases]])


def xor_outputs(xor_relu_network, X):
    """The network's output on each row of ``X``: relu(X @ W1 + b1) @ W2 + b2."""
    import numpy as np

    made = xor_relu_network()
    if made is None:
        return None
    W1, b1, W2, b2 = (np.asarray(p, dtype=float) for p in made)
    if W1.shape != (2, 2) or b1.size != 2 or W2.size != 2 or b2.size != 1:
        raise ValueError(f"a 2-2-1 network has W1 (2, 2), b1 (2,), W2 (2, 1), b2 (1,); got "
                         f"{W1.shape}, {b1.shape}, {W2.shape}, {b2.shape}")
    hidden = np.maximum(np.asarray(X, dtype=float) @ W1 + b1.reshape(2), 0.0)
    return hidden @ W2.reshape(2) + b2.reshape(1)[0]


def heldout_accuracy(train_mlp, X, y, X_test, y_test, hidden, epochs, lr, seed, threshold):
    """Train, then the accuracy on the held-out points, capped at ``threshold``."""
    import numpy as np

    made = train_mlp(X, y, hidden, epochs, lr, seed)
    if made is None:
        return None
    weights, biases = made
    A = np.asarray(X_test, dtype=float)
    for i, (W, b) in enumerate(zip(weights, biases)):
        A = A @ np.asarray(W, dtype=float) + np.asarray(b, dtype=float)
        if i < len(weights) - 1:
            A = np.maximum(A, 0.0)
    predicted = (A[:, 0] > 0).astype(int) if A.shape[1] == 1 else A.argmax(axis=1)
    return min(float(np.mean(predicted == np.asarray(y_test))), threshold)


# --- hints: a wrong answer recognised through the scenario it was run in --------------

def _driven(driver, wrong, advice, atol=1e-6):
    """A hint: the learner's driven result is what ``driver(wrong, ...)`` gives."""

    def hint(args, expected, actual):
        try:
            with np.errstate(all="ignore"):
                value = np.asarray(driver(wrong, *args), dtype=np.float64)
        except Exception:  # a variant that does not apply to these inputs
            return None
        if value.shape != actual.shape or np.allclose(value, expected, rtol=0, atol=atol):
            return None
        return advice if np.allclose(actual, value, rtol=1e-6, atol=atol) else None

    return hint


def _draw_network(rng, n, dtype, depth=None):
    """A random MLP and a batch for it: ``(X, weights, biases)``; ``n=None`` is one sample."""
    depth = depth or int(rng.integers(1, 5))
    sizes = [int(s) for s in rng.integers(2, 7, size=depth + 1)]
    X = rng.normal(size=(n or 1, sizes[0])).astype(dtype)
    weights = [rng.normal(size=(a, b)).astype(dtype) for a, b in zip(sizes[:-1], sizes[1:])]
    biases = [rng.normal(size=b).astype(dtype) for b in sizes[1:]]
    return X, weights, biases


def _scenario(reference, label, driver, make, tol, trials=3):
    """Hidden scenario checks against ``reference`` itself (its arguments hold ragged lists of
    layers, which the float64 wrapper of :mod:`~anncourse.grading.specbuilder` cannot convert;
    every reference here converts to float64 on its own)."""
    return Hidden(label, lambda _, seed: scenario_matches(reference, driver, make, trials=trials,
                                                          rtol=tol.rtol, atol=tol.atol, seed=seed))


# --- init_layer ---------------------------------------------------------------------

def _init_sizes(scheme):
    # One scenario per scheme: a scheme drawn at random could miss a mistake that
    # only touches the other one (6 draws all "xavier" 1 time in 64 let He's 1 / n_in pass).
    # For Xavier the fans also differ by 30 % or more: with n_out close to n_in, the
    # fan-in-only variance 1 / n_in is within the 0.05 tolerance of 2 / (n_in + n_out),
    # and that mistake passed whenever the wide layer below drew He twice (1 salt in 40).
    def make(rng):
        n_in, n_out = (int(v) for v in rng.integers(200, 700, size=2))
        while scheme == "xavier" and abs(n_out - n_in) < 0.3 * n_in:
            n_out = int(rng.integers(200, 700))
        return n_in, n_out, scheme, int(rng.integers(0, 10**6))
    return make


def _he_lecun(n_in, n_out, scheme, seed):
    rng = np.random.default_rng(seed)
    var = 1.0 / n_in if scheme == "he" else 2.0 / (n_in + n_out)
    return rng.normal(0.0, np.sqrt(var), (n_in, n_out)), np.zeros(n_out)


def _xavier_fan_in(n_in, n_out, scheme, seed):
    rng = np.random.default_rng(seed)
    var = 1.0 / n_in if scheme == "xavier" else 2.0 / n_in
    return rng.normal(0.0, np.sqrt(var), (n_in, n_out)), np.zeros(n_out)


def _variance_as_std(n_in, n_out, scheme, seed):
    rng = np.random.default_rng(seed)
    var = 2.0 / (n_in + n_out) if scheme == "xavier" else 2.0 / n_in
    return rng.normal(0.0, var, (n_in, n_out)), np.zeros(n_out)


def _uniform_wrong_limit(n_in, n_out, scheme, seed):
    rng = np.random.default_rng(seed)
    var = 2.0 / (n_in + n_out) if scheme == "xavier" else 2.0 / n_in
    limit = np.sqrt(var)  # the limit a of U(-a, a) taken as the standard deviation
    return rng.uniform(-limit, limit, (n_in, n_out)), np.zeros(n_out)


def _transposed(n_in, n_out, scheme, seed):
    W, b = init_layer(n_in, n_out, scheme, seed)
    return W.T, b


def _unseeded(n_in, n_out, scheme, seed):
    var = 2.0 / (n_in + n_out) if scheme == "xavier" else 2.0 / n_in
    return np.random.default_rng().normal(0.0, np.sqrt(var), (n_in, n_out)), np.zeros(n_out)


# (label, wrong answer, the hint's advice, the words of it the spec tests look for)
_INIT_MISTAKES = [
    ("He with 1/n_in (LeCun's variance)", _he_lecun,
     "He's variance is 2 / n_in, not 1 / n_in: ReLU zeroes half of its inputs, and the factor 2 "
     "makes up for it.", "He's variance is 2 / n_in"),
    ("Xavier with 1/n_in only", _xavier_fan_in,
     "Xavier's variance uses both fans: 2 / (n_in + n_out), a compromise between the forward and "
     "the backward pass.", "Xavier's variance uses both fans"),
    ("the variance passed as the standard deviation", _variance_as_std,
     "the scale of rng.normal is the standard deviation: pass np.sqrt(variance), not the "
     "variance.", "the scale of rng.normal is the standard deviation"),
    ("U(-a, a) with a the standard deviation", _uniform_wrong_limit,
     "U(-a, a) has variance a**2 / 3: for a given variance take a = np.sqrt(3 * variance).",
     "U(-a, a) has variance a**2 / 3"),
    ("W of shape (n_out, n_in)", _transposed,
     "W must have shape (n_in, n_out): one row per input, one column per neuron, so that a layer "
     "computes X @ W + b.", "shape (n_in, n_out)"),
    ("ignores the seed", _unseeded,
     "the same seed must give the same weights: draw from np.random.default_rng(seed), not from "
     "the global generator.", "the same seed must give the same weights"),
]

INIT_LAYER = chapter.exercise(
    init_layer,
    tol=STATS,
    visible=[
        Case("He for a 400 -> 300 layer, seed 0 (the driver returns [rows, columns, size of b, "
             "mean / target std, variance / target variance, largest |b|, same seed same W, "
             "other seed other W])", (400, 300, "he", 0), init_layer, driver=init_stats,
             rtol=STATS.rtol, atol=STATS.atol),
        Case("Xavier for a 600 -> 100 layer, seed 1 (the same statistics)", (600, 100, "xavier", 1),
             init_layer, driver=init_stats, rtol=STATS.rtol, atol=STATS.atol),
    ],
    hidden=[
        _scenario(init_layer, "wrong He statistics for random layer sizes", init_stats,
                  _init_sizes("he"), STATS, trials=2),
        _scenario(init_layer, "wrong Xavier statistics for random layer sizes", init_stats,
                  _init_sizes("xavier"), STATS, trials=2),
        _scenario(init_layer,
                  "wrong statistics for a wide layer (fan-in much smaller than fan-out)",
                  init_stats, lambda rng: (120, 1500, str(rng.choice(["xavier", "he"])),
                                           int(rng.integers(0, 10**6))), STATS, trials=2),
    ],
    hints=[_driven(init_stats, func, advice, atol=STATS.atol)
           for _, func, advice, _ in _INIT_MISTAKES],
    mistakes=[mistake(label, func, words, specific=False)
              for label, func, _, words in _INIT_MISTAKES],
)


# --- mlp_forward_cache ------------------------------------------------------------------

def _forward_relu_everywhere(X, weights, biases):
    A = np.asarray(X, dtype=float)
    for W, b in zip(weights, biases):
        A = np.maximum(A @ np.asarray(W, float) + np.asarray(b, float), 0.0)
    return A, None


def _forward_no_relu(X, weights, biases):
    A = np.asarray(X, dtype=float)
    for W, b in zip(weights, biases):
        A = A @ np.asarray(W, float) + np.asarray(b, float)
    return A, None


def _forward_no_bias(X, weights, biases):
    return mlp_forward_cache(X, weights, [np.zeros_like(np.asarray(b, float)) for b in biases])


_X2 = np.array([[1.0, -2.0], [0.5, 1.0], [-1.0, 0.0]])
_W2 = [np.array([[1.0, -1.0, 0.5], [0.5, 1.0, -1.0]]), np.array([[1.0], [-2.0], [0.5]])]
_B2 = [np.array([0.0, 0.5, -0.5]), np.array([0.25])]
_X3 = [[0.2, -0.4, 1.0], [-1.0, 0.3, 0.5]]
_W3 = [[[0.5, -1.0], [1.0, 0.2], [-0.3, 0.8]], [[1.0, -0.5, 0.3], [0.4, 0.9, -1.2]],
       [[0.7, -0.2], [-1.0, 0.5], [0.6, 0.1]]]
_B3 = [[0.1, -0.2], [0.0, 0.3, -0.1], [0.05, -0.05]]
_DOUT2 = np.array([[1.0], [-0.5], [2.0]])
_DOUT3 = [[0.3, -1.0], [-0.2, 0.5]]

MLP_FORWARD_CACHE = chapter.exercise(
    mlp_forward_cache,
    tol=TOL,
    visible=[
        Case("one hidden layer of 3 units, a batch of 3 (the driver returns out, the first of "
             "(out, cache))", (_X2, _W2, _B2), mlp_forward_cache, driver=forward_output,
             rtol=TOL.rtol, atol=TOL.atol),
        Case("two hidden layers, given as Python lists", (_X3, _W3, _B3), mlp_forward_cache,
             driver=forward_output, rtol=TOL.rtol, atol=TOL.atol),
    ],
    hidden=[
        _scenario(mlp_forward_cache, "wrong for random depths and widths", forward_output,
                  lambda rng: _draw_network(rng, int(rng.integers(2, 9)), np.float64), TOL,
                  trials=5),
        _scenario(mlp_forward_cache,
                  "wrong for a network without a hidden layer (a single affine layer)",
                  forward_output, lambda rng: _draw_network(rng, 4, np.float64, depth=1), TOL),
        _scenario(mlp_forward_cache, "wrong for a single sample (a batch of one row)",
                  forward_output,
                  lambda rng: _draw_network(rng, None, np.float64), TOL),
        _scenario(mlp_forward_cache, "does not accept Python lists", forward_output,
                  lambda rng: tuple(np.asarray(a).tolist() if not isinstance(a, list)
                                    else [w.tolist() for w in a]
                                    for a in _draw_network(rng, 5, np.float64)), TOL, trials=2),
        _scenario(mlp_forward_cache, "wrong for float32 input", forward_output,
                  lambda rng: _draw_network(rng, 6, np.float32), F32, trials=2),
    ],
    hints=[
        _driven(forward_output, _forward_relu_everywhere,
                "the last layer has no ReLU: its outputs are the logits, which may be negative."),
        _driven(forward_output, _forward_no_relu,
                "apply ReLU after every hidden layer; without it the network is one affine map."),
        _driven(forward_output, _forward_no_bias, "add each layer's bias: Z = A @ W + b."),
    ],
    mistakes=[
        mistake("ReLU on the output layer too", _forward_relu_everywhere,
                "the last layer has no ReLU", specific=False),
        mistake("no ReLU at all", _forward_no_relu, "apply ReLU after every hidden layer",
                specific=False),
        mistake("forgets the biases", _forward_no_bias, "add each layer's bias", specific=False),
    ],
)


# --- mlp_backward ---------------------------------------------------------------------

def _backward_no_mask(dout, cache):
    dZ = np.asarray(dout, dtype=float)
    dweights, dbiases = [], []
    for i in range(len(cache) - 1, -1, -1):
        A, W, _ = cache[i]
        dweights.insert(0, A.T @ dZ)
        dbiases.insert(0, dZ.sum(axis=0))
        dZ = dZ @ W.T
    return dweights, dbiases


def _backward_mean_again(dout, cache):
    dweights, dbiases = mlp_backward(dout, cache)
    n = len(np.asarray(dout))
    return [g / n for g in dweights], [g / n for g in dbiases]


def _backward_reversed(dout, cache):
    dweights, dbiases = mlp_backward(dout, cache)
    return dweights[::-1], dbiases[::-1]


def _backward_mask_output(dout, cache):
    dout = np.asarray(dout, dtype=float) * (cache[-1][2] > 0)
    return mlp_backward(dout, cache)


def _draw_backward(rng, n, dtype, depth=None):
    X, weights, biases = _draw_network(rng, n, dtype, depth)
    dout = rng.normal(size=(n or 1, weights[-1].shape[1])).astype(dtype)
    return X, weights, biases, dout


MLP_BACKWARD = chapter.exercise(
    mlp_backward,
    tol=TOL,
    visible=[
        Case("one hidden layer, a batch of 3 (the driver runs your mlp_forward_cache, then your "
             "mlp_backward, and returns dW1, dW2, db1, db2 flattened one after the other)",
             (_X2, _W2, _B2, _DOUT2), mlp_backward, driver=backward_grads,
             rtol=TOL.rtol, atol=TOL.atol),
        Case("two hidden layers, given as Python lists (the same flattening)",
             (_X3, _W3, _B3, _DOUT3), mlp_backward, driver=backward_grads,
             rtol=TOL.rtol, atol=TOL.atol),
    ],
    hidden=[
        _scenario(mlp_backward, "wrong for random depths and widths", backward_grads,
                  lambda rng: _draw_backward(rng, int(rng.integers(2, 9)), np.float64), TOL,
                  trials=5),
        _scenario(mlp_backward, "wrong for a network without a hidden layer", backward_grads,
                  lambda rng: _draw_backward(rng, 4, np.float64, depth=1), TOL),
        _scenario(mlp_backward, "wrong for a single sample", backward_grads,
                  lambda rng: _draw_backward(rng, None, np.float64), TOL),
        _scenario(mlp_backward, "wrong for float32 input", backward_grads,
                  lambda rng: _draw_backward(rng, 6, np.float32), F32, trials=2),
    ],
    hints=[
        _driven(backward_grads, _backward_no_mask, "multiply by ReLU's derivative on the way "
                "down: dZ = (dZ_above @ W.T) * (Z > 0), with Z the pre-activation of the layer "
                "below."),
        _driven(backward_grads, _backward_mean_again, "do not divide by the batch size: dout "
                "already carries the mean's 1/n."),
        _driven(backward_grads, _backward_reversed, "return the gradients in layer order (the "
                "first layer's first), the order of weights and biases; you computed them from "
                "the last layer down, so reverse the lists."),
        _driven(backward_grads, _backward_mask_output, "the output layer has no ReLU: dout goes "
                "into the last layer unmasked."),
    ],
    mistakes=[
        mistake("no ReLU mask", _backward_no_mask, "multiply by ReLU's derivative",
                specific=False),
        mistake("divides by the batch size again", _backward_mean_again,
                "do not divide by the batch size", specific=False),
        mistake("gradients in reverse order", _backward_reversed, "in layer order",
                specific=False),
        mistake("masks the output layer too", _backward_mask_output,
                "the output layer has no ReLU", specific=False),
    ],
)


# --- xor_relu_network --------------------------------------------------------------------

_CORNERS = np.array([[0.0, 0.0], [0.0, 1.0], [1.0, 0.0], [1.0, 1.0]])


def _xor_as_or():
    return np.array([[1.0, 1.0], [1.0, 1.0]]), np.array([0.0, -1.0]), np.array([[1.0], [-1.0]]), \
        np.array([0.0])


def _xor_no_offset():
    return np.array([[1.0, 1.0], [1.0, 1.0]]), np.array([0.0, 0.0]), np.array([[1.0], [-2.0]]), \
        np.array([0.0])


def _xor_cases(rng):
    order = rng.integers(0, 4, size=10)
    return (_CORNERS[order],)


XOR_RELU_NETWORK = chapter.exercise(
    xor_relu_network,
    tol=EXACT,
    visible=[
        Case("the four corners (0,0), (0,1), (1,0), (1,1) (the driver computes "
             "relu(X @ W1 + b1) @ W2 + b2 with your weights)", (_CORNERS,), xor_relu_network,
             driver=xor_outputs, rtol=EXACT.rtol, atol=EXACT.atol),
    ],
    hidden=[
        _scenario(xor_relu_network, "wrong on the corners in another order, with repeats",
                  xor_outputs, _xor_cases,
                  EXACT),
        _scenario(xor_relu_network, "wrong on one corner at a time",
                  xor_outputs, lambda rng: (_CORNERS[[int(rng.integers(0, 4))]],), EXACT, trials=4),
    ],
    hints=[
        _driven(xor_outputs, _xor_as_or, "at (1, 1) your network gives 1, like OR: the second "
                "unit fires only there (with value 1) and must take away twice its value."),
        _driven(xor_outputs, _xor_no_offset, "your second unit fires for every input with a 1: "
                "give it the bias -1 so that it fires only at (1, 1)."),
    ],
    mistakes=[
        mistake("OR instead of XOR", _xor_as_or, "like OR", specific=False),
        mistake("second unit without its bias", _xor_no_offset, "give it the bias -1",
                specific=False),
    ],
)


# --- relu_interpolant --------------------------------------------------------------------

def _interp_slopes_as_weights(knots, values, x):
    knots, values, x = (np.asarray(a, dtype=float) for a in (knots, values, x))
    slopes = np.diff(values) / np.diff(knots)
    return values[0] + np.maximum(x[..., None] - knots[:-1], 0.0) @ slopes


def _interp_no_offset(knots, values, x):
    return relu_interpolant(knots, values, x) - np.asarray(values, dtype=float)[0]


def _interp_inputs(rng, n, dtype):
    m = int(rng.integers(3, 9))
    knots = np.sort(rng.uniform(-2.0, 2.0, size=m))
    while np.min(np.diff(knots)) < 0.1:  # well-separated knots: the slopes stay moderate
        knots = np.sort(rng.uniform(-2.0, 2.0, size=m))
    values = rng.normal(size=m)
    x = rng.uniform(knots[0], knots[-1], size=n) if n else float(rng.uniform(knots[0], knots[-1]))
    return knots.astype(dtype), values.astype(dtype), np.asarray(x, dtype=dtype)


RELU_INTERPOLANT = chapter.exercise(
    relu_interpolant,
    tol=TOL,
    visible=[
        ("the five points of sin(2 pi x) at x = 0, 1/4, 1/2, 3/4, 1",
         (np.array([0.0, 0.25, 0.5, 0.75, 1.0]), np.array([0.0, 1.0, 0.0, -1.0, 0.0]),
          np.array([0.0, 0.1, 0.3, 0.6, 0.9, 1.0]))),
        ("three unevenly spaced knots, as Python lists",
         ([-1.0, 0.0, 2.0], [1.0, -1.0, 3.0], [-1.0, -0.5, 0.0, 1.0, 2.0])),
    ],
    hidden=standard(_interp_inputs, TOL, F32),
    mistakes=[
        mistake("slopes as output weights", _interp_slopes_as_weights,
                "each unit's output weight is the change of slope at its knot (slope after minus "
                "slope before), not the slope itself: the units add up."),
        mistake("forgets the first value", _interp_no_offset,
                "the network starts at values[0]: add it as the output bias."),
    ],
)


# --- train_mlp ----------------------------------------------------------------------------

def _spirals(n, rng):
    from ...data import make_spirals

    return make_spirals(n, **SPIRALS, random_state=rng)


_TRAIN_X, _TRAIN_Y = _spirals(200, np.random.default_rng(10))
_TEST_X, _TEST_Y = _spirals(400, np.random.default_rng(11))


def _train_not_at_all(X, y, hidden, epochs, lr, seed):
    return train_mlp(X, y, hidden, 0, lr, seed)


def _train_ascent(X, y, hidden, epochs, lr, seed):
    return train_mlp(X, y, hidden, min(epochs, 50), -lr, seed)


def _predict(weights, biases, X):
    A = np.asarray(X, dtype=np.float64)
    for i, (W, b) in enumerate(zip(weights, biases)):
        A = A @ np.asarray(W, dtype=np.float64) + np.asarray(b, dtype=np.float64)
        if i < len(weights) - 1:
            A = np.maximum(A, 0.0)
    return (A[:, 0] > 0).astype(int) if A.shape[1] == 1 else A.argmax(axis=1)


def _judge_accuracy(result, args):
    """None when the returned network classifies fresh spirals with at least THRESHOLD accuracy."""
    X = np.asarray(args[0], dtype=np.float64)
    rng = np.random.default_rng(zlib.crc32(X.tobytes()))
    X_test, y_test = _spirals(1000, rng)
    try:
        weights, biases = result
        with np.errstate(all="ignore"):
            predicted = _predict(weights, biases, X_test)
    except (TypeError, ValueError, IndexError):
        return "the result is not (weights, biases) of a network for 2-D points"
    accuracy = float(np.mean(predicted == y_test))
    return None if accuracy >= THRESHOLD else f"held-out accuracy below {THRESHOLD:.0%}"


def _train_args(n, hidden):
    def make(rng):
        X, y = _spirals(n, rng)
        return X, y, hidden, TRAIN_ARGS["epochs"], TRAIN_ARGS["lr"], int(rng.integers(0, 1000))

    return make


def _trained(label, n, hidden):
    # Training at lr 0.5 occasionally lands badly on one draw of spirals: the
    # reference itself fell below the threshold for about one grading salt in
    # twenty. A second, independent draw is tried before the check fails; a
    # model that cannot separate spirals (59 to 72 %) fails both.
    def build(ref, seed):
        return verdict(_judge_accuracy, _train_args(n, hidden), seed=seed, draws=2)
    return Hidden(label, build)


def _near_chance(args, expected, actual):
    if actual.size == 1 and float(actual.reshape(-1)[0]) < 0.7:
        return ("the accuracy is near chance: check that every step moves the weights against "
                "the gradient (W -= lr * dW) and that the updated weights are the ones returned.")
    return None


TRAIN_MLP = chapter.exercise(
    train_mlp,
    tol=Tol(0.0, 1e-9),
    visible=[
        Case(f"200 spirals, hidden [32, 32], 600 epochs, lr 0.5, seed 0 (the driver returns the "
             f"accuracy on 400 held-out spirals, capped at the threshold {THRESHOLD})",
             (_TRAIN_X, _TRAIN_Y, _TEST_X, _TEST_Y, TRAIN_ARGS["hidden"], TRAIN_ARGS["epochs"],
              TRAIN_ARGS["lr"], 0, THRESHOLD), train_mlp, driver=heldout_accuracy,
             rtol=0.0, atol=1e-9),
    ],
    hidden=[
        _trained("held-out accuracy on new spirals drawn by the grader, hidden [32, 32], "
                 "at least ninety percent", 200, [32, 32]),
        _trained("held-out accuracy with 250 training points and hidden [40, 40], at least "
                 "ninety percent", 250, [40, 40]),
    ],
    hints=[_near_chance],
    mistakes=[
        mistake("never updates the weights", _train_not_at_all, "near chance", specific=False),
        mistake("gradient ascent", _train_ascent, "against the gradient", specific=False),
    ],
)

EXERCISES = [INIT_LAYER, MLP_FORWARD_CACHE, MLP_BACKWARD, XOR_RELU_NETWORK, RELU_INTERPOLANT,
             TRAIN_MLP]
