"""Exercises of ``19-transfer-learning``: what the learner writes, and how it is checked.

The references live in :mod:`anncourse.pretrained.transfer`; the pre-trained
network the checks hand to ``transfer_accuracy`` is the one that ships with
the course (:func:`anncourse.pretrained.load_digits_body`).

What the checks must accept
---------------------------
Loops or matrix products; lists or arrays; float32 weights (as shipped);
``W`` updated as ``W - lr * g`` or ``W + (-lr) * g``; a structured answer
as a tuple, a list or a dict with the named parts; for ``transfer_accuracy``
any way of reaching the threshold (a head on any layer's features, any
learning rate, fine-tuning, even a randomly initialised head without a seed:
the consistency check allows 0.1 of slack).

Tolerances
----------
``extract_features`` and ``layerwise_sgd_step``: ``rtol=1e-6`` in float64
(two correct orders of summation agree to about 1e-13 over 128 terms);
float32 inputs at ``rtol=1e-4`` (float32 products keep about 7 digits, a
few lost over a sum of 64 to 128 terms).  A frozen parameter (learning rate
0) must come back *exactly* equal: ``p - 0 * g`` is ``p`` bit for bit.

``train_head``: ``rtol=1e-6, atol=1e-9`` after up to 300 steps; the same
steps in another order of summation drift by about 1e-12, and the usual
mistakes (a sum instead of a mean, no bias) are off by 1e-2 or more.

``count_trainable`` and ``choose_strategy``: exact (integers, strings).

``transfer_accuracy``: a verdict, not a comparison.  The grader draws 3
labelled images per digit from the held-out half of the digits (odd or
even), calls the function, then calls it again with every test label
flipped.  It passes when the accuracy is a fraction in [0, 1], the two
accuracies add up to 1 within 0.1 (predictions that do not read the test
labels give exactly 1), and the accuracy reaches 0.92.  Over 200 label
draws (seeds 0-199) the reference scores 0.930 to 0.988 (mean 0.972); a
softmax head on the raw pixels 0.735 to 0.900 (mean 0.845), so the
threshold requires transfer.
"""
from __future__ import annotations

import numpy as np

from ...pretrained import digits, load_digits_body
from ...pretrained.transfer import (STRATEGIES, choose_strategy, count_trainable, draw_labels,
                                    extract_features, layerwise_sgd_step, target_split,
                                    train_head, transfer_accuracy)
from ..core import Case, Exercise, Mistake, Part, Property
from ..properties import _rng, matches_reference, scenario_matches
from ..specbuilder import Chapter, Tol, fixed, mistake, random, seed_for

__all__ = ["EXERCISES", "TRANSFER_THRESHOLD", "transfer_checks"]

chapter = Chapter(__name__)
SLUG = chapter.slug

TOL = Tol(1e-6, 1e-9)
F32 = Tol(1e-4, 1e-5)
EXACT = Tol(0.0, 0.0)
TRANSFER_THRESHOLD = 0.92
LABELS_PER_DIGIT = 3


def _a(x):
    return np.asarray(x, dtype=np.float64)


# --- extract_features -------------------------------------------------------------------

def _network(rng, n=None, dtype=np.float64, depth=None, n_layers=None):
    """A random ReLU body of 2 to 4 layers, a batch (or one 1-D sample) and how many layers to use."""
    depth = depth or int(rng.integers(2, 5))
    sizes = [int(s) for s in rng.integers(2, 7, size=depth + 1)]
    weights = [rng.normal(size=(a, b)).astype(dtype) for a, b in zip(sizes[:-1], sizes[1:])]
    biases = [rng.normal(size=b).astype(dtype) for b in sizes[1:]]
    X = rng.normal(size=(n, sizes[0]) if n else sizes[0]).astype(dtype)
    k = int(rng.integers(1, depth + 1)) if n_layers is None else n_layers
    return X, weights, biases, k


def _no_relu_on_last(X, weights, biases, n_layers):
    h = _a(X)
    for i in range(n_layers):
        h = h @ _a(weights[i]) + _a(biases[i])
        if i < n_layers - 1:
            h = np.maximum(h, 0)
    return h


def _all_layers(X, weights, biases, n_layers):
    return extract_features(X, weights, biases, len(weights))


def _no_bias(X, weights, biases, n_layers):
    return extract_features(X, weights, [np.zeros_like(_a(b)) for b in biases], n_layers)


_EX_X = [[1.0, 2.0], [-1.0, 0.5]]
_EX_W = [[[1.0, -1.0, 0.5], [0.5, 1.0, -1.0]], [[1.0, 0.0], [-1.0, 1.0], [0.5, 0.5]]]
_EX_B = [[0.0, 0.5, -0.5], [0.1, -2.0]]

def _recognise(wrong, advice):
    """A hint: the learner's value is what ``wrong`` gives on the same arguments."""

    def hint(args, expected, actual):
        try:
            with np.errstate(all="ignore"):
                value = _a(wrong(*args))
        except Exception:  # a variant that does not apply to these inputs
            return None
        if value.shape != actual.shape:
            return None
        if value.shape == expected.shape and np.allclose(value, expected, rtol=1e-6, atol=1e-12):
            return None
        return advice if np.allclose(actual, value, rtol=1e-6, atol=1e-12) else None

    return hint


def _matches(key, label, make, tol, trials=3, reference=None):
    return Property(label, matches_reference(reference or extract_features, make, trials=trials,
                                             rtol=tol.rtol, atol=tol.atol,
                                             seed=seed_for(key, label)))


_EXTRACT_KEY = f"{SLUG}/extract_features"
_NO_RELU_LAST = "apply ReLU after every kept layer, the last one included"
_ALL_LAYERS = "use only the first n_layers layers"
_NO_BIAS = "add each layer's bias b"
_EXTRACT_MISTAKES = [("no ReLU after the last kept layer", _no_relu_on_last, _NO_RELU_LAST),
                     ("uses every layer, whatever n_layers", _all_layers, _ALL_LAYERS),
                     ("forgets the biases", _no_bias, _NO_BIAS)]
_FIXED_NET = _network(np.random.default_rng(19), 5, depth=3, n_layers=2)

EXTRACT = Exercise(
    key=_EXTRACT_KEY, function_name="extract_features", reference=extract_features,
    visible=[
        Case("the worked example: two layers, keep the first (n_layers = 1)",
             (_a(_EX_X), [_a(w) for w in _EX_W], [_a(b) for b in _EX_B], 1), extract_features,
             rtol=TOL.rtol, atol=TOL.atol),
        Case("the same network, both layers (n_layers = 2), as Python lists",
             (_EX_X, _EX_W, _EX_B, 2), extract_features, rtol=TOL.rtol, atol=TOL.atol),
    ],
    hidden=[
        _matches(_EXTRACT_KEY, "wrong for random bodies and layer counts",
                 lambda rng: _network(rng, 6), TOL, trials=5),
        _matches(_EXTRACT_KEY, "wrong when n_layers is below the number of layers",
                 lambda rng: _FIXED_NET, TOL, trials=1),
        _matches(_EXTRACT_KEY, "wrong for n_layers = 0 (the features are the input)",
                 lambda rng: _network(rng, 4, n_layers=0), TOL),
        _matches(_EXTRACT_KEY, "wrong for a single image (a 1-D row)",
                 lambda rng: _network(rng, None), TOL),
        _matches(_EXTRACT_KEY, "wrong for float32 weights",
                 lambda rng: _network(rng, 8, np.float32), F32),
    ],
    hints=[_recognise(func, advice) for _, func, advice in _EXTRACT_MISTAKES],
    mistakes=[Mistake(label, func, advice) for label, func, advice in _EXTRACT_MISTAKES],
)

# --- count_trainable ----------------------------------------------------------------------


def _count_parts(sizes, n_frozen):
    return count_trainable(sizes, n_frozen)


def _no_biases(sizes, n_frozen):
    per = [a * b for a, b in zip(sizes[:-1], sizes[1:])]
    return sum(per[n_frozen:]), sum(per)


def _frozen_from_top(sizes, n_frozen):
    per = [a * b + b for a, b in zip(sizes[:-1], sizes[1:])]
    return sum(per[:len(per) - n_frozen]), sum(per)


def _count_draw(rng):
    sizes = [int(s) for s in rng.integers(2, 300, size=int(rng.integers(3, 7)))]
    return sizes, int(rng.integers(1, len(sizes) - 1))


_COUNT_KEY = f"{SLUG}/count_trainable"
_COUNT_CASES = [("the shipped network [64, 128, 64, 10] with its two hidden layers frozen",
                 ([64, 128, 64, 10], 2)),
                ("a small network [3, 4, 2], nothing frozen", ([3, 4, 2], 0))]

COUNT = Exercise(
    key=_COUNT_KEY, function_name="count_trainable", reference=count_trainable,
    parts=(Part("trainable"), Part("total")),
    visible=[Case(label, args, count_trainable, rtol=0, atol=0) for label, args in _COUNT_CASES],
    hidden=[
        Property("wrong for random networks and frozen layers",
                 matches_reference(count_trainable, _count_draw, trials=5, rtol=0, atol=0,
                                   seed=seed_for(_COUNT_KEY, "random"))),
        Property("wrong when every layer is frozen",
                 matches_reference(count_trainable, lambda rng: ([784, 256, 10], 2), trials=1,
                                   rtol=0, atol=0, seed=0)),
        Property("wrong when the sizes come as a tuple",
                 matches_reference(count_trainable, lambda rng: ((10, 20, 30, 5), 1), trials=1,
                                   rtol=0, atol=0, seed=0)),
    ],
    mistakes=[
        # Structured answers are explained part by part: the feedback names the wrong part.
        mistake("forgets the biases", _no_biases, "trainable is not close enough"),
        mistake("freezes the top layers instead of the first", _frozen_from_top, "trainable 12.8 times too large"),
    ],
)

# --- layerwise_sgd_step ----------------------------------------------------------------------

_STEP_KEY = f"{SLUG}/layerwise_sgd_step"
_STEP_PARTS = (Part("W1"), Part("b1"), Part("W2"), Part("b2"))


def _step_draw(rng, dtype=np.float64, frozen=None, as_lists=False):
    """Parameters and gradients of a random two-layer network, with learning rates."""
    a, b, c = (int(s) for s in rng.integers(2, 6, size=3))
    shapes = [(a, b), (b,), (b, c), (c,)]
    params = [rng.normal(size=s).astype(dtype) for s in shapes]
    grads = [rng.normal(size=s).astype(dtype) for s in shapes]
    lrs = [float(v) for v in rng.uniform(0.001, 0.5, size=4)]
    for i in frozen or ():
        lrs[i] = 0.0
    if as_lists:
        params, grads = [p.tolist() for p in params], [g.tolist() for g in grads]
    return params, grads, lrs


def _same_lr(params, grads, lrs):
    return layerwise_sgd_step(params, grads, [lrs[-1]] * len(lrs))


def _plus(params, grads, lrs):
    return layerwise_sgd_step(params, grads, [-lr for lr in lrs])


def _in_place(params, grads, lrs):
    # Writes the new arrays back into the caller's list.
    for i, (g, lr) in enumerate(zip(grads, lrs)):
        params[i] = np.asarray(params[i]) - lr * np.asarray(g)
    return params


_STEP_EXAMPLE = ([_a([[1.0, 2.0], [3.0, 4.0]]), _a([0.5, -0.5]), _a([[1.0], [-1.0]]), _a([0.0])],
                 [_a([[0.1, 0.2], [0.3, 0.4]]), _a([1.0, 1.0]), _a([[2.0], [-2.0]]), _a([1.0])],
                 [0.0, 0.0, 0.1, 0.5])

STEP = Exercise(
    key=_STEP_KEY, function_name="layerwise_sgd_step", reference=layerwise_sgd_step,
    parts=_STEP_PARTS,
    visible=[
        Case("four parameters of the same shape (3,), as Python lists, none frozen",
             ([[1.0, 2.0, 3.0], [0.5, -0.5, 0.0], [1.0, -1.0, 2.0], [0.0, 0.0, 1.0]],
              [[0.1, 0.2, 0.3], [1.0, 1.0, 1.0], [2.0, -2.0, 0.5], [1.0, -1.0, 0.0]],
              [0.01, 0.02, 0.1, 0.2]), layerwise_sgd_step, rtol=TOL.rtol, atol=TOL.atol),
        Case("the worked example: first layer frozen (lr 0), head at lr 0.1 and 0.5",
             _STEP_EXAMPLE, layerwise_sgd_step, rtol=TOL.rtol, atol=TOL.atol),
    ],
    hidden=[
        Property("wrong for random parameters and learning rates",
                 matches_reference(layerwise_sgd_step, _step_draw, trials=5, rtol=TOL.rtol,
                                   atol=TOL.atol, seed=seed_for(_STEP_KEY, "random"))),
        Property("a frozen parameter (learning rate zero) does not come back exactly unchanged",
                 matches_reference(layerwise_sgd_step,
                                   lambda rng: _step_draw(rng, frozen=(0, 1)), trials=3,
                                   rtol=0, atol=0, seed=seed_for(_STEP_KEY, "frozen"))),
        Property("changes the parameters in place (return new arrays instead)",
                 matches_reference(layerwise_sgd_step,
                                   lambda rng: _step_draw(np.random.default_rng(7)), trials=1,
                                   rtol=TOL.rtol, atol=TOL.atol, seed=0)),
        Property("does not accept Python lists",
                 matches_reference(layerwise_sgd_step, lambda rng: _step_draw(rng, as_lists=True),
                                   trials=2, rtol=TOL.rtol, atol=TOL.atol,
                                   seed=seed_for(_STEP_KEY, "lists"))),
        Property("wrong for float32 parameters",
                 matches_reference(layerwise_sgd_step, lambda rng: _step_draw(rng, np.float32),
                                   trials=2, rtol=F32.rtol, atol=F32.atol,
                                   seed=seed_for(_STEP_KEY, "float32"))),
    ],
    mistakes=[
        mistake("one learning rate for every layer", _same_lr, "b1 is not close enough"),
        mistake("plus instead of minus", _plus, "W2 is not close enough"),
        mistake("updates the parameters in place", _in_place, "changed its input in place"),
    ],
)

# --- train_head ----------------------------------------------------------------------------

_HEAD_KEY = f"{SLUG}/train_head"


def _head_draw(rng, dtype=np.float64, as_lists=False):
    n, d, c = int(rng.integers(6, 30)), int(rng.integers(2, 6)), int(rng.integers(2, 5))
    F = np.abs(rng.normal(size=(n, d))).astype(dtype)
    y = rng.integers(0, c, size=n)
    y[:c] = np.arange(c)
    lr, epochs = float(rng.uniform(0.05, 0.5)), int(rng.integers(1, 60))
    if as_lists:
        return F.tolist(), y.tolist(), c, lr, epochs
    return F, y, c, lr, epochs


def _head_sum(features, y, n_classes, lr, epochs):
    # The gradient summed over the samples: n times the mean's.
    return train_head(features, y, n_classes, lr * len(y), epochs)


def _head_no_bias(features, y, n_classes, lr, epochs):
    W, b = train_head(features, y, n_classes, lr, epochs)
    F = _a(features)
    W0, b0 = np.zeros_like(W), np.zeros_like(b)
    # Gradient descent on W alone, b kept at zero.
    Y = np.eye(n_classes)[np.asarray(y).astype(int)]
    for _ in range(int(epochs)):
        Z = F @ W0
        P = np.exp(Z - Z.max(axis=1, keepdims=True))
        P /= P.sum(axis=1, keepdims=True)
        W0 = W0 - lr * F.T @ (P - Y) / len(Y)
    return W0, b0


def _head_ascent(features, y, n_classes, lr, epochs):
    return train_head(features, y, n_classes, -lr, epochs)


_HEAD_EXAMPLE = (_a([[1.0, 0.0], [0.0, 1.0], [1.0, 1.0], [0.0, 0.0]]), np.array([0, 1, 1, 0]),
                 2, 0.5, 1)

HEAD = Exercise(
    key=_HEAD_KEY, function_name="train_head", reference=train_head,
    parts=(Part("W"), Part("b")),
    visible=[
        Case("the worked example: four samples, two features, two classes, one step of lr 0.5",
             _HEAD_EXAMPLE, train_head, rtol=TOL.rtol, atol=TOL.atol),
        Case("the same data as Python lists, three classes, 50 steps of lr 0.2",
             (_HEAD_EXAMPLE[0].tolist(), [0, 1, 2, 0], 3, 0.2, 50), train_head,
             rtol=TOL.rtol, atol=TOL.atol),
    ],
    hidden=[
        Property("wrong on random features and labels",
                 matches_reference(train_head, _head_draw, trials=4, rtol=TOL.rtol, atol=TOL.atol,
                                   seed=seed_for(_HEAD_KEY, "random"))),
        Property("wrong after many steps on large features (overflow in exp?)",
                 matches_reference(train_head,
                                   # Scores reach thousands: exp overflows without the shift.
                                   # A small enough step keeps descent stable, so two correct
                                   # styles agree to rounding (over 200 draws: within 1e-6).
                                   lambda rng: (200 * np.abs(rng.normal(size=(20, 3))),
                                                rng.integers(0, 3, size=20), 3, 0.05, 30),
                                   trials=1, rtol=TOL.rtol, atol=TOL.atol,
                                   seed=seed_for(_HEAD_KEY, "large"))),
        Property("does not accept Python lists",
                 matches_reference(train_head, lambda rng: _head_draw(rng, as_lists=True),
                                   trials=2, rtol=TOL.rtol, atol=TOL.atol,
                                   seed=seed_for(_HEAD_KEY, "lists"))),
        Property("wrong for float32 features",
                 matches_reference(train_head, lambda rng: _head_draw(rng, np.float32), trials=2,
                                   rtol=F32.rtol, atol=F32.atol,
                                   seed=seed_for(_HEAD_KEY, "float32"))),
    ],
    mistakes=[
        mistake("sums the gradient over the samples instead of averaging", _head_sum, "W 4 times too large"),
        mistake("never updates the bias", _head_no_bias, "b is zero"),
        mistake("climbs the loss (plus instead of minus)", _head_ascent, "W has the wrong sign"),
    ],
)

# --- transfer_accuracy ---------------------------------------------------------------------


def transfer_checks(f, X_train, y_train, X_test, y_test, weights, biases, threshold=0.92):
    """Run ``f`` twice (test labels as given, then flipped) and report three checks as 0/1.

    Returns ``[in_range, consistent, good_enough]``: the accuracy is a
    fraction in [0, 1]; it and the accuracy on flipped labels add up to 1
    within 0.1 (as they do when the predictions never read ``y_test``); it
    reaches ``threshold``.  Sent to the sandbox as source: NumPy only.
    """
    import copy

    import numpy as np

    first = f(copy.deepcopy(X_train), copy.deepcopy(y_train), copy.deepcopy(X_test),
              copy.deepcopy(y_test), copy.deepcopy(weights), copy.deepcopy(biases))
    if first is None:
        return None
    flipped = f(copy.deepcopy(X_train), copy.deepcopy(y_train), copy.deepcopy(X_test),
                1 - np.asarray(y_test), copy.deepcopy(weights), copy.deepcopy(biases))
    acc = float(np.asarray(first, dtype=float).reshape(-1)[0])
    other = float(np.asarray(flipped, dtype=float).reshape(-1)[0])
    return [float(0.0 <= acc <= 1.0), float(abs(acc + other - 1.0) <= 0.1),
            float(acc >= threshold)]


def _parity_task(seed, k=LABELS_PER_DIGIT):
    """k labelled images per digit (odd = 1, even = 0), the test images, and the shipped network."""
    net = load_digits_body()
    X, y = digits()
    test, pool = target_split(net.target)
    rows = pool[draw_labels(y[pool], k, seed)]
    return (X[rows], y[rows] % 2, X[test], y[test] % 2, [w.copy() for w in net.weights],
            [b.copy() for b in net.biases])


def _accuracy_hint(args, expected, actual):
    flags = np.asarray(actual, dtype=float).reshape(-1)
    if flags.size != 3:
        return None
    if flags[0] == 0:
        return ("return the accuracy as a fraction between 0 and 1 (the share of test images "
                "predicted right), not a percentage or a count")
    if flags[1] == 0:
        return ("the accuracy must not depend on the test labels except through the scoring: "
                "train only on (X_train, y_train), then compare the predictions with y_test")
    if flags[2] == 0:
        return (f"held-out accuracy below {TRANSFER_THRESHOLD}: with so few labels, reuse the "
                "pre-trained network (the task is similar to its old one)")
    return None


def _verdict_property(label, make):
    def test(func):
        from ..core import call_learner

        args = make(_rng(seed_for(f"{SLUG}/transfer_accuracy", label)))
        result = call_learner(func, args, {}, driver=transfer_checks)
        flags = np.asarray(result, dtype=float).reshape(-1) if result is not None else None
        if flags is None or flags.size != 3 or not np.all(flags == 1):
            return "the accuracy is not an honest held-out accuracy above the stated threshold"
        return None

    return Property(label, test)


def _percent(*args):
    return 100 * transfer_accuracy(*args)


def _fits_on_test(X_train, y_train, X_test, y_test, weights, biases):
    return transfer_accuracy(X_test, y_test, X_test, y_test, weights, biases)


def _raw_pixels(X_train, y_train, X_test, y_test, weights, biases):
    W, b = train_head(X_train, y_train, 2, 0.5, 300)
    return float(np.mean(np.argmax(_a(X_test) @ W + b, axis=1) == np.asarray(y_test)))


TRANSFER = Exercise(
    key=f"{SLUG}/transfer_accuracy", function_name="transfer_accuracy",
    reference=transfer_accuracy,
    visible=[Case("odd or even with 3 labelled images per digit (draw 0): "
                  "[accuracy in 0..1, honest, at least the threshold]",
                  _parity_task(0), transfer_accuracy, driver=transfer_checks, rtol=0, atol=0)],
    hidden=[
        _verdict_property("odd or even, a fixed draw of 3 labelled images per digit",
                          lambda rng: _parity_task(1)),
        _verdict_property("odd or even, a random draw of 3 labelled images per digit",
                          lambda rng: _parity_task(int(rng.integers(2, 2**31)))),
    ],
    hints=[_accuracy_hint],
    mistakes=[
        mistake("returns a percentage", _percent, "fraction between 0 and 1"),
        mistake("trains the head on the test images", _fits_on_test,
                "must not depend on the test labels"),
        mistake("a head on the raw pixels (no transfer)", _raw_pixels, "reuse the pre-trained"),
    ],
)

# --- choose_strategy ------------------------------------------------------------------------

_CHOOSE_KEY = f"{SLUG}/choose_strategy"


def _swapped(small_data, similar_task):
    return choose_strategy(similar_task, small_data)


def _capitals(small_data, similar_task):
    return choose_strategy(small_data, similar_task).capitalize()


def strategy_answer(f, small_data, similar_task):
    """``f(small_data, similar_task)``, with a clear error when it returns nothing (sandbox: stdlib only)."""
    result = f(small_data, similar_task)
    if result is None:
        raise TypeError("returned None: did you forget the `return` statement?")
    return result


def _choose(label, make, trials=1):
    return Property(label, scenario_matches(choose_strategy, strategy_answer, make, trials=trials,
                                            seed=seed_for(_CHOOSE_KEY, label)))


CHOOSE = Exercise(
    key=_CHOOSE_KEY, function_name="choose_strategy", reference=choose_strategy,
    visible=[Case("little data, a similar task", (True, True), choose_strategy,
                  driver=strategy_answer),
             Case("little data, a different task", (True, False), choose_strategy,
                  driver=strategy_answer)],
    hidden=[
        _choose("wrong for plenty of data and a similar task", lambda rng: (False, True)),
        _choose("wrong for plenty of data and a different task", lambda rng: (False, False)),
        _choose("wrong for 0/1 and NumPy booleans instead of True/False",
                lambda rng: (np.bool_(rng.integers(0, 2)), int(rng.integers(0, 2))), trials=4),
    ],
    mistakes=[
        mistake("swaps the two arguments", _swapped, "is a different string"),
        mistake("other capitals", _capitals, "only in capitals or spaces"),
    ],
)

assert set(STRATEGIES.values()) == {"feature extraction", "fine-tune the top", "fine-tune all",
                                    "train from scratch or fine-tune all with care"}

EXERCISES = [EXTRACT, COUNT, STEP, HEAD, TRANSFER, CHOOSE]
