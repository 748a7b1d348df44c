"""Exercises of ``02-building-blocks``: a neuron, a layer, a network, and counting them.

Every expected value comes from the reference, :mod:`anncourse.dense`; no
result is typed in.

Conventions the checks hold the learner to, all stated in the notebook:

* the **step** activation is 1 where ``z >= 0`` and 0 where ``z < 0``: a
  sum exactly at the threshold fires, as chapter 01's McCulloch-Pitts unit
  does.  An unknown activation name raises ``ValueError`` whose message
  names the allowed ones (checked by a scenario driver, since an exception
  is not a value);
* ``dense_forward`` takes ``W`` of shape ``(in, out)`` (one column per
  neuron), ``mlp_forward`` applies ``hidden`` after every layer but the last;
* ``describe_network`` returns ``(n_hidden, kind)`` with ``kind`` a string.
  A string cannot be compared as an array, so a scenario driver turns the
  answer into numbers inside the sandbox (``kind`` -> 0 "none", 1 "shallow",
  2 "deep", -1 anything else; case and surrounding spaces ignored);
* the counts are integers, compared exactly (an int, a NumPy integer or a
  float holding the same whole number all pass).

Correct styles that must pass: loops with :mod:`math`, vectorised NumPy,
lists instead of arrays, float32 arrays, tuples or NumPy arrays of sizes.

Tolerances
----------
``EXACT = (1e-6, 1e-9)`` in float64: a loop and ``np.dot`` agree to ~1e-15;
``math.tanh`` vs ``np.tanh``, ``1/(1+exp(-z))`` vs a stable sigmoid agree to
~1e-16.  float32 input: ~7 significant digits per operation, a few lost over
sums of up to ~40 terms and three layers, so ``(1e-4, 1e-5)``.  A wrong
formula (no bias, a transposed W, a missing activation) is off by far more.
Random step inputs are float64 only: in float32 a ``z`` within ~1e-7 of 0
could round to the other side of the threshold.
"""
from __future__ import annotations

import functools
import hashlib

import numpy as np

from ... import dense
from ..core import Case, Exercise, Mistake, Property
from ..properties import matches_reference, scenario_matches, verdict
from ..specbuilder import Tol, seed_for

__all__ = ["EXERCISES", "ACTIVATIONS", "HIDDEN_ACTIVATIONS", "DIGITS_ACCURACY"]

KEY = "02-building-blocks"
EXACT = Tol(1e-6, 1e-9)
F32 = Tol(1e-4, 1e-5)
COUNT = Tol(0.0, 0.0)  # counts are whole numbers: exact

ACTIVATIONS, HIDDEN_ACTIVATIONS = dense.ACTIVATIONS, dense.HIDDEN_ACTIVATIONS


def _a(x, dtype=np.float64):
    return np.asarray(x, dtype=dtype)


# --- references: anncourse.dense -------------------------------------------------------

activate, neuron_output, dense_forward = dense.activate, dense.neuron_output, dense.dense_forward
mlp_forward, count_parameters = dense.mlp_forward, dense.count_parameters
count_multiply_adds, describe_network = dense.count_multiply_adds, dense.describe_network


# --- scenario drivers (sent to the sandbox as source: stdlib only, imports inside) ---

def unknown_activation(neuron_output, x, w, b, name):
    """[raised ValueError, its message names every allowed activation], as 0/1."""
    try:
        neuron_output(x, w, b, name)
    except ValueError as err:
        text = str(err)
        named = all(a in text for a in ("sigmoid", "tanh", "relu", "step"))
        return [1.0, 1.0 if named else 0.0]
    except Exception:  # another error type: not what the exercise asks for
        return [0.0, 0.0]
    return [0.0, 0.0]


def unknown_activations(neuron_output, x, w, b, names):
    """unknown_activation for each name in ``names``: one [raised, named] pair per name."""
    out = []
    for name in names:
        try:
            neuron_output(x, w, b, name)
        except ValueError as err:
            text = str(err)
            out.append([1.0, 1.0 if all(a in text for a in ("sigmoid", "tanh", "relu", "step"))
                        else 0.0])
            continue
        except Exception:  # another error type: not what the exercise asks for
            pass
        out.append([0.0, 0.0])
    return out


def network_kind(describe_network, sizes):
    """describe_network(sizes) as numbers: [n_hidden, kind code] (none 0, shallow 1, deep 2, else -1)."""
    result = describe_network(sizes)
    if result is None:
        raise TypeError("returned None: did you forget the `return` statement?")
    if isinstance(result, dict):
        result = (result.get("n_hidden"), result.get("kind"))
    if not isinstance(result, (tuple, list)) or len(result) != 2:
        raise TypeError("expected a tuple (n_hidden, kind)")
    n_hidden, kind = result
    codes = {"none": 0.0, "shallow": 1.0, "deep": 2.0}
    code = codes.get(kind.strip().lower(), -1.0) if isinstance(kind, str) else -1.0
    return [float(n_hidden), code]


# --- hints ----------------------------------------------------------------------------

def _same(actual, value) -> bool:
    value = np.asarray(value, dtype=np.float64)
    return value.shape == actual.shape and bool(np.allclose(actual, value, rtol=1e-6, atol=1e-12))


def _recognise(wrong, advice):
    """A hint: the learner's value is what ``wrong(*args)`` gives (and that differs from expected)."""

    def hint(args, expected, actual):
        try:
            with np.errstate(all="ignore"):
                value = np.asarray(wrong(*args), dtype=np.float64)
        except Exception:  # the wrong formula does not apply to these arguments
            return None
        if _same(expected, value):
            return None
        return advice if _same(actual, value) else None

    return hint


# neuron_output
STEP_AT_ZERO = ("at z = 0 exactly the step gives 1, not 0: use z >= 0, the convention of "
                "chapter 01's McCulloch-Pitts unit (a sum equal to the threshold fires).")
NO_BIAS = "the bias b is missing: add it to the weighted sum before the activation."
SIGMOID_SIGN = "the sigmoid is 1 / (1 + exp(-z)): mind the minus sign in the exponent."
MUST_RAISE = ("an unknown activation name must raise ValueError, with a message that names the "
              "allowed ones (sigmoid, tanh, relu, step); returning None or a number hides the typo.")
NAME_THEM = "the ValueError is right; its message should name the allowed activations."


def _step_strict(x, w, b, activation):
    if activation == "step":
        return (_a(x) @ _a(w) + float(b) > 0).astype(float)
    return neuron_output(x, w, b, activation)


def _neuron_no_bias(x, w, b, activation):
    return activate(_a(x) @ _a(w), activation)


def _sigmoid_plus(x, w, b, activation):
    if activation == "sigmoid":
        return 1.0 / (1.0 + np.exp(_a(x) @ _a(w) + float(b)))
    return neuron_output(x, w, b, activation)


def _returns_none_for_unknown(x, w, b, activation):
    if activation not in ACTIVATIONS:
        return None
    return neuron_output(x, w, b, activation)


def _raise_without_names(x, w, b, activation):
    if activation not in ACTIVATIONS:
        raise ValueError("unknown activation")
    return neuron_output(x, w, b, activation)


def _unknown_name_hint(args, expected, actual):
    if len(args) != 4 or args[3] in ACTIVATIONS or actual.shape != (2,):
        return None
    if actual[0] == 0:
        return MUST_RAISE
    return NAME_THEM if actual[1] == 0 else None


# dense_forward
TRANSPOSED = ("W has shape (in, out), one column per neuron: compute X @ W (not X @ W.T); "
              "PyTorch's nn.Linear stores the transpose, (out, in).")


# mlp_forward
OUTPUT_ACTIVATED = ("the output layer is linear: apply the hidden activation after every layer "
                    "except the last one.")
NO_HIDDEN_ACTIVATION = ("apply the hidden activation after each hidden layer: without it the "
                        "network is one linear map.")
ALWAYS_RELU = "use the activation named by `hidden` (relu, sigmoid or tanh), not always ReLU."


def _mlp_activated_output(X, weights, biases, hidden="relu"):
    a = _a(X)
    for W, b in zip(weights, biases):
        a = activate(dense_forward(a, W, b), hidden)
    return a


def _mlp_linear(X, weights, biases, hidden="relu"):
    a = _a(X)
    for W, b in zip(weights, biases):
        a = dense_forward(a, W, b)
    return a


def _mlp_always_relu(X, weights, biases, hidden="relu"):
    return mlp_forward(X, weights, biases, "relu")


# counts
FORGOT_BIASES = ("you counted the weights only: every neuron of the hidden and output layers also "
                 "has one bias (add sizes[1] + ... + sizes[-1]).")
INPUT_BIASES = ("the input layer has no biases (its 'neurons' are the data, they compute "
                "nothing): count one bias per neuron of the hidden and output layers only.")
BIAS_IS_NO_MULTIPLY = ("a bias is one addition, not a multiply-add: count in * out per layer "
                       "and sample, without the biases.")
PER_SAMPLE = "each sample needs its own forward pass: multiply by n_samples."


def _no_biases(sizes):
    sizes = [int(s) for s in sizes]
    return sum(a * b for a, b in zip(sizes[:-1], sizes[1:]))


def _input_biases_too(sizes):
    return count_parameters(sizes) + int(sizes[0])


def _macs_with_biases(sizes, n_samples=1):
    return int(n_samples) * count_parameters(sizes)


def _macs_one_sample(sizes, n_samples=1):
    return count_multiply_adds(sizes, 1)


# describe_network
KIND_CODES = "(kind as a number: 0 'none', 1 'shallow', 2 'deep', -1 anything else)"
OUTPUT_IS_HIDDEN = ("n_hidden counts the hidden layers only: neither the input nor the output "
                    "layer is hidden, so it is len(sizes) - 2.")
TWO_IS_SHALLOW = ("in the syllabus's rule a network with one or two hidden layers is 'shallow'; "
                  "'deep' starts at three.")


def _counts_output(sizes):
    n = len(sizes) - 1
    return n, "none" if n == 0 else "shallow" if n <= 2 else "deep"


def _deep_from_two(sizes):
    n = len(sizes) - 2
    return n, "none" if n == 0 else "shallow" if n == 1 else "deep"


def _kind_hint(args, expected, actual):
    if actual.shape != (2,) or expected.shape != (2,):
        return None
    if actual[0] == expected[0] + 1:
        return OUTPUT_IS_HIDDEN
    if actual[0] == expected[0] and expected[0] == 2 and actual[1] == 2:
        return TWO_IS_SHALLOW
    if actual[1] == -1:
        return "kind must be one of the strings 'none', 'shallow' or 'deep'."
    return f"the first number is n_hidden, the second the kind {KIND_CODES}."


# --- random inputs ------------------------------------------------------------------

def _neuron_batch(rng, activation, n=None, dtype=np.float64):
    d = int(rng.integers(2, 7))
    x = rng.normal(size=(d,) if n is None else (n, d)).astype(dtype)
    w = rng.normal(size=d).astype(dtype)
    return x, w, float(rng.normal()), activation


def _layer(rng, n=None, dtype=np.float64):
    n_in, n_out = int(rng.integers(2, 8)), int(rng.integers(2, 8))
    while n_out == n_in:  # a square W would let X @ W.T keep the right shape
        n_out = int(rng.integers(2, 8))
    X = rng.normal(size=(n or int(rng.integers(3, 20)), n_in)).astype(dtype)
    return X, rng.normal(size=(n_in, n_out)).astype(dtype), rng.normal(size=n_out).astype(dtype)


def _network(rng, depth=None, hidden=None, dtype=np.float64, n=None):
    depth = depth or int(rng.integers(2, 5))
    sizes = [int(s) for s in rng.integers(2, 9, size=depth + 1)]
    weights = [rng.normal(0.0, 1.0 / np.sqrt(a), size=(a, b)).astype(dtype)
               for a, b in zip(sizes[:-1], sizes[1:])]
    biases = [rng.normal(0.0, 0.5, size=b).astype(dtype) for b in sizes[1:]]
    X = rng.normal(size=(n or int(rng.integers(3, 15)), sizes[0])).astype(dtype)
    return (X, weights, biases), {"hidden": hidden or str(rng.choice(HIDDEN_ACTIVATIONS))}


def _step_at_zero(rng):
    """Integer inputs whose first and third sums are exactly 0 (x1 = 2 x2, w = [1, -2], b = 0)."""
    k = rng.integers(-5, 6, size=4).astype(float)
    return _a([[2 * k[0], k[0]], [k[1], k[2]], [2 * k[3], k[3]]]), _a([1.0, -2.0]), 0.0, "step"


def _sizes(rng, low=1, high=7):
    return [int(s) for s in rng.integers(1, 900, size=int(rng.integers(low + 1, high + 2)))]


# --- a network trained on real digits, for the accuracy verdict ----------------------

DIGITS_ACCURACY = 0.9
# Held-out images of each draw, by a digest of the inputs given to the learner.
_DIGITS_LABELS: dict[bytes, np.ndarray] = {}


@functools.lru_cache(maxsize=1)
def trained_digits_network():
    """A 64-32-10 ReLU network trained on scikit-learn's digits; ``(weights, biases, X_test, y_test)``.

    Pixels are scaled to [0, 1]; 1347 images train it (anncourse.nn, Adam,
    20 epochs, fixed seeds), the other 450 are held out.  Weights are
    returned as ``(in, out)`` matrices, the layout of ``dense_forward``.
    """
    try:
        from sklearn.datasets import load_digits
    except ImportError as err:  # the course environment has it; say what is missing
        raise RuntimeError("this check needs scikit-learn (pip install scikit-learn)") from err
    from ... import nn, optim
    from ...training import fit

    X, y = load_digits(return_X_y=True)
    X = X / 16.0
    order = np.random.default_rng(0).permutation(len(y))
    train, test = order[:1347], order[1347:]
    layers = [nn.Linear(64, 32, random_state=0), nn.Linear(32, 10, random_state=1)]
    model = nn.Sequential(layers[0], nn.ReLU(), layers[1])
    fit(model, nn.CrossEntropyLoss(), optim.Adam(model.parameters(), lr=0.01), (X[train], y[train]),
        epochs=20, batch_size=64, random_state=0, progress=False)
    weights = [np.array(layer.weight.data.T) for layer in layers]
    biases = [np.array(layer.bias.data) for layer in layers]
    return weights, biases, X[test], y[test]


def _digits_draw(rng):
    """300 of the 450 held-out digits, with the trained weights."""
    weights, biases, X_test, y_test = trained_digits_network()
    rows = np.sort(rng.choice(len(y_test), size=300, replace=False))
    X = X_test[rows]
    _DIGITS_LABELS[hashlib.sha256(X.tobytes()).digest()] = y_test[rows]
    return (X, [w.copy() for w in weights], [b.copy() for b in biases]), {"hidden": "relu"}


def _digits_accuracy(result, args):
    # The reference's forward pass scores about 0.98 (0.980 on all 450 held-out digits); a
    # constant or shuffled output about 0.1. Without the hidden ReLU these weights still score
    # about 0.976, so the verdict is a sanity check of a working pass on real data; the exact
    # checks are what catch a missing activation.
    labels = _DIGITS_LABELS[hashlib.sha256(np.asarray(args[0]).tobytes()).digest()]
    try:
        scores = np.asarray(result, dtype=np.float64)
    except (TypeError, ValueError):
        return "the output is not an array of numbers"
    if scores.shape != (len(labels), 10):
        return "expected one row of 10 class scores per image"
    if not np.all(np.isfinite(scores)):
        return "the scores are not finite"
    accuracy = float(np.mean(np.argmax(scores, axis=1) == labels))
    return None if accuracy >= DIGITS_ACCURACY else "accuracy below the required level"


# --- the exercises ----------------------------------------------------------------------

def _matches(key, label, reference, make, tol, trials=3):
    return Property(label, matches_reference(reference, make, trials=trials, rtol=tol.rtol,
                                             atol=tol.atol, seed=seed_for(key, label)))


def _lists(made):
    args, kwargs = made if isinstance(made, tuple) and len(made) == 2 and isinstance(made[1], dict) \
        else (made, {})

    def as_list(a):
        if isinstance(a, np.ndarray):
            return a.tolist()
        if isinstance(a, list):
            return [as_list(v) for v in a]
        return a

    return tuple(as_list(a) for a in args), kwargs


_NEURON_KEY = f"{KEY}/neuron_output"
_X3, _W3 = _a([0.5, -1.0, 2.0]), _a([0.4, 0.3, -0.2])

NEURON = Exercise(
    key=_NEURON_KEY, function_name="neuron_output", reference=neuron_output,
    visible=[
        Case("the worked example, sigmoid (x = [0.5, -1, 2], w = [0.4, 0.3, -0.2], b = 0.1)",
             (_X3, _W3, 0.1, "sigmoid"), neuron_output, rtol=EXACT.rtol, atol=EXACT.atol),
        Case("a batch of three samples as Python lists, tanh",
             ([[0.5, -1.0, 2.0], [1.0, 1.0, 1.0], [-2.0, 0.0, 0.5]], [0.4, 0.3, -0.2], 0.1, "tanh"),
             neuron_output, rtol=EXACT.rtol, atol=EXACT.atol),
        Case("ReLU on a batch (some sums negative)",
             (_a([[0.5, -1.0, 2.0], [3.0, 1.0, 0.0], [-2.0, 0.0, 0.5]]), _W3, 0.1, "relu"),
             neuron_output, rtol=EXACT.rtol, atol=EXACT.atol),
        Case("step on a batch whose first sum is exactly 0 (x @ w + b = [0, 1.5, -1])",
             (_a([[1.0, 2.0], [2.0, 1.0], [-1.0, 0.0]]), _a([1.0, -0.5]), 0.0, "step"),
             neuron_output, rtol=EXACT.rtol, atol=EXACT.atol),
        Case("an unknown activation name raises ValueError naming the allowed ones "
             "(the driver returns [raised ValueError, message names them] as 1/0)",
             (_X3, _W3, 0.1, "softplus"), neuron_output, driver=unknown_activation),
    ],
    hidden=[
        *[_matches(_NEURON_KEY, f"wrong for {name} on random batches", neuron_output,
                   lambda rng, name=name: _neuron_batch(rng, name, int(rng.integers(3, 30))), EXACT)
          for name in ACTIVATIONS],
        _matches(_NEURON_KEY, "wrong for a single sample (a 1-D x)", neuron_output,
                 lambda rng: _neuron_batch(rng, str(rng.choice(ACTIVATIONS))), EXACT, trials=4),
        _matches(_NEURON_KEY, "does not accept Python lists", neuron_output,
                 lambda rng: _lists(_neuron_batch(rng, str(rng.choice(ACTIVATIONS)), 6)), EXACT),
        _matches(_NEURON_KEY, "wrong for float32 input", neuron_output,
                 lambda rng: _neuron_batch(rng, str(rng.choice(HIDDEN_ACTIVATIONS)), 12, np.float32),
                 F32),
        _matches(_NEURON_KEY, "step does not fire when the sum is exactly 0", neuron_output,
                 _step_at_zero, EXACT, trials=2),
        Property("does not raise ValueError naming the allowed activations for another name",
                 scenario_matches(neuron_output, unknown_activations,
                                  lambda rng: (_X3, _W3, 0.1, [str(n) for n in rng.permutation(
                                      ["Sigmoid", "softmax", "leaky_relu", "linear", "ReLU", ""])]),
                                  trials=1, seed=seed_for(_NEURON_KEY, "unknown"))),
    ],
    hints=[_recognise(_step_strict, STEP_AT_ZERO), _recognise(_neuron_no_bias, NO_BIAS),
           _recognise(_sigmoid_plus, SIGMOID_SIGN), _unknown_name_hint],
    mistakes=[Mistake("step fires only for z > 0", _step_strict, STEP_AT_ZERO),
              Mistake("forgets the bias", _neuron_no_bias, NO_BIAS),
              Mistake("sigmoid with exp(+z)", _sigmoid_plus, SIGMOID_SIGN),
              Mistake("returns None for an unknown name", _returns_none_for_unknown, MUST_RAISE),
              Mistake("ValueError without the allowed names", _raise_without_names, NAME_THEM)],
)

_DENSE_KEY = f"{KEY}/dense_forward"

DENSE = Exercise(
    key=_DENSE_KEY, function_name="dense_forward", reference=dense_forward,
    visible=[
        Case("two inputs, a layer of two neurons, two samples",
             (_a([[1.0, 2.0], [0.0, -1.0]]), _a([[1.0, -1.0], [0.5, 2.0]]), _a([0.1, -0.2])),
             dense_forward, rtol=EXACT.rtol, atol=EXACT.atol),
        Case("the worked example as Python lists: 3 inputs, 2 neurons, 2 samples",
             ([[1.0, 2.0, 3.0], [0.5, -1.0, 0.0]], [[0.2, -0.5], [0.1, 0.3], [-0.4, 0.6]],
              [0.5, -1.0]), dense_forward, rtol=EXACT.rtol, atol=EXACT.atol),
    ],
    hidden=[
        _matches(_DENSE_KEY, "wrong on random layers and batches", dense_forward, _layer, EXACT,
                 trials=5),
        _matches(_DENSE_KEY, "wrong for a batch of one sample (shape (1, in))", dense_forward,
                 lambda rng: _layer(rng, 1), EXACT),
        _matches(_DENSE_KEY, "does not accept Python lists", dense_forward,
                 lambda rng: _lists(_layer(rng, 5)), EXACT),
        _matches(_DENSE_KEY, "wrong for float32 input", dense_forward,
                 lambda rng: _layer(rng, 10, np.float32), F32),
    ],
    hints=[_recognise(lambda X, W, b: _a(X) @ _a(W).T + _a(b), TRANSPOSED),
           _recognise(lambda X, W, b: _a(X) @ _a(W), NO_BIAS.replace("sum before the activation",
                                                                     "sums of every neuron"))],
    mistakes=[Mistake("transposed W", lambda X, W, b: _a(X) @ _a(W).T + _a(b), TRANSPOSED),
              Mistake("forgets the bias", lambda X, W, b: _a(X) @ _a(W), "the bias b is missing")],
)

_MLP_KEY = f"{KEY}/mlp_forward"
_MLP_EXAMPLE = (_a([[1.0, 2.0], [0.0, -1.0]]),
                [_a([[1.0, -1.0, 0.5], [0.5, 1.0, -1.0]]), _a([[1.0, 0.0], [-1.0, 1.0], [0.5, 0.5]])],
                [_a([0.0, 0.5, -0.5]), _a([0.1, -2.0])])

MLP = Exercise(
    key=_MLP_KEY, function_name="mlp_forward", reference=mlp_forward,
    visible=[
        Case("the worked example: 2 inputs, 3 ReLU units, 2 linear outputs", _MLP_EXAMPLE,
             mlp_forward, rtol=EXACT.rtol, atol=EXACT.atol),
        Case("the same network with tanh hidden units, as Python lists", _lists(_MLP_EXAMPLE)[0],
             mlp_forward, kwargs={"hidden": "tanh"}, rtol=EXACT.rtol, atol=EXACT.atol),
        Case("no hidden layer at all: one linear layer",
             (_MLP_EXAMPLE[0], [_MLP_EXAMPLE[1][0]], [_MLP_EXAMPLE[2][0]]), mlp_forward,
             kwargs={"hidden": "sigmoid"}, rtol=EXACT.rtol, atol=EXACT.atol),
    ],
    hidden=[
        *[_matches(_MLP_KEY, f"wrong for random {name} networks of two to four layers", mlp_forward,
                   lambda rng, name=name: _network(rng, hidden=name), EXACT)
          for name in HIDDEN_ACTIVATIONS],
        _matches(_MLP_KEY, "wrong for a deeper network (six layers)", mlp_forward,
                 lambda rng: _network(rng, depth=6), EXACT, trials=2),
        _matches(_MLP_KEY, "does not accept Python lists", mlp_forward,
                 lambda rng: _lists(_network(rng, n=4)), EXACT, trials=2),
        _matches(_MLP_KEY, "wrong for float32 input", mlp_forward,
                 lambda rng: _network(rng, dtype=np.float32, n=8), F32, trials=2),
        Property(f"trained digit weights: accuracy on held-out digits below the exercise's threshold",
                 verdict(_digits_accuracy, _digits_draw, seed=seed_for(_MLP_KEY, "digits"))),
    ],
    hints=[_recognise(_mlp_activated_output, OUTPUT_ACTIVATED),
           _recognise(_mlp_linear, NO_HIDDEN_ACTIVATION),
           _recognise(_mlp_always_relu, ALWAYS_RELU)],
    mistakes=[Mistake("activation on the output layer too", _mlp_activated_output, OUTPUT_ACTIVATED),
              Mistake("no hidden activation", _mlp_linear, NO_HIDDEN_ACTIVATION),
              Mistake("always ReLU", _mlp_always_relu, ALWAYS_RELU)],
)

_COUNT_KEY = f"{KEY}/count_parameters"

COUNT_PARAMETERS = Exercise(
    key=_COUNT_KEY, function_name="count_parameters", reference=count_parameters,
    visible=[
        Case("an MNIST-sized network [784, 128, 64, 10]", ([784, 128, 64, 10],),
             count_parameters, rtol=COUNT.rtol, atol=COUNT.atol),
        Case("a small network [2, 3, 1]", ([2, 3, 1],), count_parameters,
             rtol=COUNT.rtol, atol=COUNT.atol),
    ],
    hidden=[
        _matches(_COUNT_KEY, "wrong for random layer lists", count_parameters,
                 lambda rng: (_sizes(rng),), COUNT, trials=5),
        _matches(_COUNT_KEY, "wrong for a single layer (two sizes)", count_parameters,
                 lambda rng: (_sizes(rng, 1, 1),), COUNT),
        _matches(_COUNT_KEY, "wrong when the sizes come as a tuple", count_parameters,
                 lambda rng: (tuple(_sizes(rng)),), COUNT),
        _matches(_COUNT_KEY, "wrong when the sizes come as a NumPy integer array", count_parameters,
                 lambda rng: (np.array(_sizes(rng), dtype=np.int64),), COUNT),
    ],
    hints=[_recognise(_no_biases, FORGOT_BIASES), _recognise(_input_biases_too, INPUT_BIASES)],
    mistakes=[Mistake("forgets the biases", _no_biases, FORGOT_BIASES),
              Mistake("a bias for every input too", _input_biases_too, INPUT_BIASES)],
)

_MACS_KEY = f"{KEY}/count_multiply_adds"

COUNT_MACS = Exercise(
    key=_MACS_KEY, function_name="count_multiply_adds", reference=count_multiply_adds,
    visible=[
        Case("one sample through [784, 128, 64, 10]", ([784, 128, 64, 10],), count_multiply_adds,
             rtol=COUNT.rtol, atol=COUNT.atol),
        Case("a batch of 32 samples through [2, 3, 1]", ([2, 3, 1],), count_multiply_adds,
             kwargs={"n_samples": 32}, rtol=COUNT.rtol, atol=COUNT.atol),
    ],
    hidden=[
        _matches(_MACS_KEY, "wrong for random layer lists and batch sizes", count_multiply_adds,
                 lambda rng: ((_sizes(rng),), {"n_samples": int(rng.integers(1, 500))}), COUNT,
                 trials=5),
        _matches(_MACS_KEY, "wrong for one sample (n_samples left at its default)",
                 count_multiply_adds, lambda rng: (_sizes(rng),), COUNT),
        _matches(_MACS_KEY, "wrong when n_samples is passed by position", count_multiply_adds,
                 lambda rng: (tuple(_sizes(rng)), int(rng.integers(2, 100))), COUNT),
    ],
    hints=[_recognise(_macs_with_biases, BIAS_IS_NO_MULTIPLY),
           _recognise(_macs_one_sample, PER_SAMPLE)],
    mistakes=[Mistake("counts the biases", _macs_with_biases, BIAS_IS_NO_MULTIPLY),
              Mistake("ignores n_samples", _macs_one_sample, PER_SAMPLE)],
)

_DESCRIBE_KEY = f"{KEY}/describe_network"


def _describe_case(label, sizes):
    return Case(f"{label} {KIND_CODES}", (sizes,), describe_network, driver=network_kind,
                rtol=COUNT.rtol, atol=COUNT.atol)


DESCRIBE = Exercise(
    key=_DESCRIBE_KEY, function_name="describe_network", reference=describe_network,
    visible=[
        _describe_case("[784, 128, 64, 10]: two hidden layers", [784, 128, 64, 10]),
        _describe_case("[4, 1]: no hidden layer", [4, 1]),
        _describe_case("[10, 32, 32, 32, 32, 2]: four hidden layers", [10, 32, 32, 32, 32, 2]),
    ],
    hidden=[
        Property("wrong for random layer lists",
                 scenario_matches(describe_network, network_kind, lambda rng: (_sizes(rng, 1, 9),),
                                  trials=5, rtol=0.0, atol=0.0,
                                  seed=seed_for(_DESCRIBE_KEY, "random"))),
        Property("wrong at the borders between kinds (zero, one, two and three hidden layers)",
                 scenario_matches(describe_network, network_kind,
                                  lambda rng: ([int(s) for s in rng.integers(
                                      1, 50, size=int(rng.integers(2, 6)))],),
                                  trials=6, rtol=0.0, atol=0.0,
                                  seed=seed_for(_DESCRIBE_KEY, "borders"))),
        # The random borders above may draw no network with exactly two hidden
        # layers (about one salt in six): this check always does.
        Property("wrong for two hidden layers (still shallow)",
                 scenario_matches(describe_network, network_kind,
                                  lambda rng: ([int(s) for s in rng.integers(1, 50, size=4)],),
                                  trials=2, rtol=0.0, atol=0.0,
                                  seed=seed_for(_DESCRIBE_KEY, "two hidden"))),
        Property("wrong when the sizes come as a tuple",
                 scenario_matches(describe_network, network_kind,
                                  lambda rng: (tuple(_sizes(rng, 2, 4)),), trials=2, rtol=0.0,
                                  atol=0.0, seed=seed_for(_DESCRIBE_KEY, "tuple"))),
    ],
    hints=[_kind_hint],
    mistakes=[Mistake("counts the output layer as hidden", _counts_output, OUTPUT_IS_HIDDEN),
              Mistake("deep from two hidden layers", _deep_from_two, TWO_IS_SHALLOW)],
)

EXERCISES: list[Exercise] = [NEURON, DENSE, MLP, COUNT_PARAMETERS, COUNT_MACS, DESCRIBE]
