"""Exercises of ``05-training``: epochs, batches, one epoch of mini-batch descent, the learning rate.

Every expected value comes from :mod:`anncourse.descent`;
:mod:`anncourse.grading.specbuilder` supplies the keys, seeds and the hints
for the usual mistakes.

What the checks must accept
---------------------------
* ``iterations_per_epoch``: ``math.ceil(n / batch_size)``, ``-(-n // b)``,
  ``n // b + (n % b > 0)``, ``np.ceil`` (a float ``469.0`` is 469), a loop;
  plain ints or NumPy integers.  ``n`` stays below 10**9 in every check, so
  the float division inside ``math.ceil(n / b)`` is exact enough (it only
  goes wrong past about 10**15).
* ``make_batches``: a list (or a generator, or a tuple) of arrays or of
  lists, from slicing, ``range`` loops or ``np.split`` at the right points.
  A ragged list of batches is not an array, so a scenario driver turns the
  answer into two parts in the sandbox: ``batch_sizes`` (the length of each
  batch) and ``joined`` (the batches concatenated, which must be ``order``
  itself).  The feedback then says which of the two is wrong.
* ``minibatch_gd_linear``: ``(w, b)`` as a tuple, a list or a dict; ``w`` a
  list or an array, ``b`` a float or a length-1 array; batches given as
  arrays or lists; matrix products or loops over the samples.  The answer
  must not change the caller's ``w`` (``w -= ...`` on the argument does):
  the grader detects it and explains it, as for every exercise.
* ``gd_on_quadratic``: a loop or the closed form ``w0 * (1 - lr*a)**t``,
  a list or an array; ints as input.
* ``converges``: ``abs(1 - lr*a) < 1``, ``0 < lr*a < 2`` or
  ``a > 0 and lr < 2/a``; a Python or NumPy bool.  The cases at the limit
  use powers of two (``a = 4, lr = 0.5``), where ``lr*a``, ``2/a`` and
  ``1 - lr*a`` are all exact, so every correct form gives the same answer;
  random cases keep ``lr*a`` at least 1e-3 away from 2, far beyond any rounding.

Tolerances
----------
* Counts and booleans are exact: ``atol=1e-9`` only absorbs ``469.0``.
* ``minibatch_gd_linear``: ``rtol=1e-7``.  Two correct orders of summation
  differ by about 1e-15 per update; the random cases use learning rates
  well inside the stability limit (``lr <= 0.05`` with at most four
  features), so those differences shrink from one update to the next
  instead of growing, even over 20 epochs.  A wrong answer (no factor 2,
  a sum, one update per sample) is off by far more.  float32 input is
  compared at ``rtol=1e-4``: seven digits per operation, a few lost per
  update, and the contraction keeps them from adding up.
* ``gd_on_quadratic``: ``rtol=1e-9``.  A loop and the closed form differ
  by at most ``steps`` roundings (about 1e-14 for 200 steps), and a
  wrong step factor is off by at least a few per cent after one step.
"""
from __future__ import annotations

import numpy as np

from ... import descent
from ..core import Case, Exercise, Mistake, Part, Property
from ..properties import matches_reference, scenario_matches
from ..specbuilder import Chapter, Tol, fixed, mistake, random, seed_for

__all__ = ["EXERCISES"]

chapter = Chapter(__name__)

EXACT = Tol(0.0, 1e-9)
WEIGHTS = Tol(1e-7, 1e-10)
WEIGHTS_F32 = Tol(1e-4, 1e-5)
ITERATES = Tol(1e-9, 1e-12)


# --- iterations_per_epoch ---------------------------------------------------------

def _sizes(rng):
    n, batch_size = int(rng.integers(1, 10**6)), int(rng.integers(1, 2000))
    return (n, batch_size), {"drop_last": bool(rng.integers(0, 2))}


def _numpy_sizes(rng):
    (n, batch_size), kwargs = _sizes(rng)
    return (np.int64(n), np.int64(batch_size)), kwargs


ITERATIONS_PER_EPOCH = chapter.exercise(
    descent.iterations_per_epoch, tol=EXACT,
    visible=[
        ("60000 samples (MNIST's training set) in batches of 128", (60000, 128)),
        ("the same with drop_last=True (passed third): the smaller last batch is left out",
         (60000, 128, True)),
        ("a batch size that divides n: 1000 samples in batches of 100", (1000, 100)),
        ("a batch larger than the data set: 50 samples in batches of 64", (50, 64)),
        ("the same with drop_last=True: the only batch is too small and is left out",
         (50, 64, True)),
    ],
    hidden=[
        random("wrong on random sizes, with and without drop_last", _sizes, EXACT, trials=6),
        fixed("wrong when the batch size divides n", (4096, 64), ((4096, 64), {"drop_last": True}),
              (7, 7), tol=EXACT),
        fixed("wrong when the batch is larger than the data set", (10, 32),
              ((10, 32), {"drop_last": True}), ((1, 5), {"drop_last": False}), tol=EXACT),
        fixed("wrong for one sample per batch (stochastic gradient descent)", (1234, 1),
              ((1234, 1), {"drop_last": True}), tol=EXACT),
        random("does not accept NumPy integers", _numpy_sizes, EXACT, trials=2),
    ],
    mistakes=[
        mistake("always rounds down", lambda n, b, drop_last=False: n // b,
                "the last, smaller batch still makes an update: round n / batch_size up "
                "(unless drop_last)"),
        mistake("ignores drop_last", lambda n, b, drop_last=False: -(-n // b),
                "with drop_last=True the smaller last batch is left out: round down"),
        mistake("always adds one batch", lambda n, b, drop_last=False: n // b + (not drop_last),
                "when batch_size divides n nothing is left over"),
    ],
)


# --- make_batches ------------------------------------------------------------------

def batch_sizes_and_joined(make_batches, order, batch_size):
    """Run make_batches; return (the length of each batch, the batches joined into one list)."""
    import numpy as np

    batches = make_batches(order, batch_size)
    if batches is None:
        return None
    batches = list(batches)
    sizes = [len(batch) for batch in batches]
    joined = [int(i) for batch in batches for i in np.asarray(batch).reshape(-1)]
    return sizes, joined


def _order(rng, low=1, high=200):
    n = int(rng.integers(low, high))
    return rng.permutation(n), int(rng.integers(1, max(2, n // 2)))


def _divisible(rng):
    batch_size, count = int(rng.integers(1, 20)), int(rng.integers(1, 10))
    return rng.permutation(batch_size * count), batch_size


def _too_large(rng):
    n = int(rng.integers(1, 30))
    return rng.permutation(n), n + int(rng.integers(1, 50))


def _order_list(rng):
    order, batch_size = _order(rng, 5, 40)
    return order.tolist(), batch_size


def _scenario(label, make, trials):
    return Property(label, scenario_matches(descent.make_batches, batch_sizes_and_joined, make,
                                            trials=trials, rtol=EXACT.rtol, atol=EXACT.atol,
                                            seed=seed_for("make_batches", label)))


def _batches_case(label, order, batch_size):
    return Case(label, (order, batch_size), descent.make_batches, driver=batch_sizes_and_joined,
                rtol=EXACT.rtol, atol=EXACT.atol)


def _positions(order, batch_size):
    n = len(order)
    return [np.arange(start, min(start + batch_size, n)) for start in range(0, n, batch_size)]


def _full_batches_only(order, batch_size):
    order = np.asarray(order)
    return [order[start:start + batch_size]
            for start in range(0, len(order) - batch_size + 1, batch_size)]


def _one_batch_too_many(order, batch_size):
    order = np.asarray(order)
    return [order[i * batch_size:(i + 1) * batch_size] for i in range(len(order) // batch_size + 1)]


MAKE_BATCHES = Exercise(
    key=f"{chapter.slug}/make_batches",
    function_name="make_batches",
    reference=descent.make_batches,
    parts=(Part("batch_sizes"), Part("joined")),
    visible=[
        _batches_case("the worked example: order [4, 2, 0, 1, 3] in batches of 2 "
                      "(the driver returns each batch's length and the batches joined)",
                      np.array([4, 2, 0, 1, 3]), 2),
        _batches_case("a batch size that divides n: 6 indices in batches of 3, as a Python list",
                      [5, 3, 1, 0, 2, 4], 3),
        _batches_case("a batch larger than the data: one batch holds everything",
                      np.array([2, 0, 1]), 8),
        _batches_case("one index per batch (stochastic gradient descent)",
                      np.array([1, 3, 0, 2]), 1),
    ],
    hidden=[
        _scenario("wrong on random shuffled orders and batch sizes", _order, 5),
        _scenario("wrong when the batch size divides the number of samples", _divisible, 3),
        _scenario("wrong when the batch is larger than the data set", _too_large, 2),
        _scenario("does not accept the order as a Python list", _order_list, 2),
    ],
    mistakes=[
        Mistake("batches of positions, not of the given order", _positions,
                "batch_sizes is right; joined is not close enough"),
        Mistake("drops the smaller last batch", _full_batches_only, "batch_sizes has shape (2,)"),
        Mistake("adds an empty batch when batch_size divides n", _one_batch_too_many,
                "batch_sizes has shape (3,), expected shape (2,)"),
    ],
)


# --- minibatch_gd_linear -----------------------------------------------------------

_X4 = np.array([[1.0, 2.0], [2.0, 0.0], [0.0, 1.0], [1.0, 1.0]])
_Y4 = np.array([3.0, 2.0, 1.0, 2.0])


def _problem(rng, n=None, d=None, dtype=np.float64):
    """A random regression problem, weights, a learning rate and the batches of one epoch."""
    n = n or int(rng.integers(5, 40))
    d = d or int(rng.integers(1, 5))
    X = rng.normal(size=(n, d))
    y = X @ rng.normal(size=d) + rng.normal() + 0.3 * rng.normal(size=n)
    w, b = rng.normal(size=d), float(rng.normal())
    lr = float(rng.uniform(0.005, 0.05))
    return X.astype(dtype), y.astype(dtype), w.astype(dtype), b, lr


def _epoch(rng):
    X, y, w, b, lr = _problem(rng)
    batches = descent.make_batches(rng.permutation(len(y)), int(rng.integers(2, 9)))
    return X, y, w, b, lr, batches


def _one_per_batch(rng):
    X, y, w, b, lr = _problem(rng)
    return X, y, w, b, lr, [np.array([i]) for i in rng.permutation(len(y))]


def _whole(rng):
    X, y, w, b, lr = _problem(rng)
    return X, y, w, b, lr, [rng.permutation(len(y))]


def _as_lists(rng):
    X, y, w, b, lr, batches = _epoch(rng)
    return X.tolist(), y.tolist(), w.tolist(), b, lr, [batch.tolist() for batch in batches]


def _float32(rng):
    X, y, w, b, lr = _problem(rng, n=int(rng.integers(10, 30)), dtype=np.float32)
    return X, y, w, b, lr, descent.make_batches(rng.permutation(len(y)), 4)


def train_epochs(minibatch_gd_linear, X, y, w, b, lr, epochs_of_batches):
    """Chain minibatch_gd_linear over several epochs, each with its own batches; return (w, b)."""
    for batches in epochs_of_batches:
        result = minibatch_gd_linear(X, y, w, b, lr, batches)
        if result is None:
            return None
        w, b = (result["w"], result["b"]) if isinstance(result, dict) else result
    return w, b


def _epochs(rng):
    X, y, w, b, lr = _problem(rng, n=int(rng.integers(20, 40)))
    size = int(rng.integers(2, 9))
    plan = [[batch.tolist() for batch in descent.make_batches(rng.permutation(len(y)), size)]
            for _ in range(20)]
    return X, y, w, b, lr, plan


def _gd_case(label, *args, tol=WEIGHTS):
    return Case(label, args, descent.minibatch_gd_linear, rtol=tol.rtol, atol=tol.atol)


def _gd_variant(*, factor=2.0, mean=True, per_sample=False, bias_after=False):
    """minibatch_gd_linear with one of the usual slips."""
    def step(X, y, w, b, lr, batches):
        X, y = np.asarray(X, float), np.asarray(y, float)
        w, b = np.array(w, float), float(b)
        for batch in batches:
            groups = [[i] for i in batch] if per_sample else [list(batch)]
            for idx in groups:
                Xb, yb = X[idx], y[idx]
                scale = factor / (len(yb) if mean else 1.0)
                error = Xb @ w + b - yb
                w = w - lr * scale * (Xb.T @ error)
                if bias_after:
                    error = Xb @ w + b - yb
                b = b - lr * scale * float(error.sum())
        return w, b
    return step


MINIBATCH_GD_LINEAR = Exercise(
    key=f"{chapter.slug}/minibatch_gd_linear",
    function_name="minibatch_gd_linear",
    reference=descent.minibatch_gd_linear,
    parts=(Part("w"), Part("b")),
    visible=[
        _gd_case("one batch of all four samples: one step of batch gradient descent from w = 0, b = 0",
                 _X4, _Y4, np.zeros(2), 0.0, 0.1, [[0, 1, 2, 3]]),
        _gd_case("two batches of two, [3, 1] then [0, 2], from w = 0, b = 0",
                 _X4, _Y4, np.zeros(2), 0.0, 0.1, [[3, 1], [0, 2]]),
        _gd_case("a batch of three, then a smaller last batch of one",
                 _X4, _Y4, np.array([0.5, -0.5]), 1.0, 0.05, [[2, 0, 3], [1]]),
        _gd_case("stochastic gradient descent (one sample per batch), everything as Python lists",
                 _X4.tolist(), _Y4.tolist(), [0.5, -0.5], 1.0, 0.05, [[1], [3], [0], [2]]),
    ],
    hidden=[
        Property("wrong on random problems and shuffled batches",
                 matches_reference(descent.minibatch_gd_linear, _epoch, trials=4, rtol=WEIGHTS.rtol,
                                   atol=WEIGHTS.atol, seed=seed_for("minibatch_gd_linear", "random"))),
        Property("wrong for one sample per batch (stochastic gradient descent)",
                 matches_reference(descent.minibatch_gd_linear, _one_per_batch, trials=2,
                                   rtol=WEIGHTS.rtol, atol=WEIGHTS.atol,
                                   seed=seed_for("minibatch_gd_linear", "sgd"))),
        Property("wrong for one batch of all the samples (batch gradient descent)",
                 matches_reference(descent.minibatch_gd_linear, _whole, trials=2, rtol=WEIGHTS.rtol,
                                   atol=WEIGHTS.atol, seed=seed_for("minibatch_gd_linear", "whole"))),
        Property("does not accept Python lists",
                 matches_reference(descent.minibatch_gd_linear, _as_lists, trials=2,
                                   rtol=WEIGHTS.rtol, atol=WEIGHTS.atol,
                                   seed=seed_for("minibatch_gd_linear", "lists"))),
        Property("wrong for float32 input",
                 matches_reference(descent.minibatch_gd_linear, _float32, trials=2,
                                   rtol=WEIGHTS_F32.rtol, atol=WEIGHTS_F32.atol,
                                   seed=seed_for("minibatch_gd_linear", "float32"))),
        Property("chained over twenty epochs, each with new batches, the weights are wrong",
                 scenario_matches(descent.minibatch_gd_linear, train_epochs, _epochs, trials=2,
                                  rtol=WEIGHTS.rtol, atol=WEIGHTS.atol,
                                  seed=seed_for("minibatch_gd_linear", "epochs"))),
    ],
    mistakes=[
        Mistake("gradient without the factor 2", _gd_variant(factor=1.0),
                "b 2 times too small"),
        Mistake("sums over the batch instead of averaging", _gd_variant(mean=False),
                "b 4 times too large"),
        Mistake("the bias's error recomputed with the new w", _gd_variant(bias_after=True),
                "w is right; b"),
        Mistake("one update per sample inside each batch", _gd_variant(per_sample=True),
                "w is not close enough"),
    ],
)


# --- gd_on_quadratic ----------------------------------------------------------------

def _bowl(rng):
    a = float(rng.uniform(0.1, 5.0))
    return a, float(rng.normal(0.0, 2.0)), float(rng.uniform(0.01, 2.4) / a), int(rng.integers(1, 30))


def _iterates(factor_of):
    """gd_on_quadratic with the step factor ``factor_of(a, lr)`` instead of ``1 - lr*a``."""
    def run(a, w0, lr, steps):
        return float(w0) * factor_of(float(a), float(lr)) ** np.arange(int(steps) + 1)
    return run


def _number_of_iterates(args, expected, actual):
    """Hint: the right iterates, but w0 missing or only the last one returned."""
    if expected.size > 1 and actual.size == expected.size - 1:
        return "start the list with w0: return steps + 1 numbers"
    if expected.size > 1 and actual.size == 1:
        return "return every iterate, w0 first, not only the last one"
    return None


GD_ON_QUADRATIC = chapter.exercise(
    descent.gd_on_quadratic, tol=ITERATES,
    visible=[
        ("the worked example: a = 1, w0 = 1, lr = 0.5, 4 steps (each step halves w)",
         (1.0, 1.0, 0.5, 4)),
        ("overshooting: a = 1, lr = 1.5, from w0 = 2, 5 steps (the sign flips at each step)",
         (1.0, 2.0, 1.5, 5)),
        ("divergence: a = 2, lr = 1.5, from w0 = -1, 4 steps", (2.0, -1.0, 1.5, 4)),
        ("no steps at all: just w0", (3.0, 0.7, 0.1, 0)),
    ],
    hidden=[
        random("wrong on random bowls and learning rates", _bowl, ITERATES, trials=5),
        fixed("wrong for a concave or flat function (a < 0 or a = 0)", (-1.0, 1.0, 0.3, 10),
              (0.0, 2.0, 0.5, 5), tol=ITERATES),
        fixed("wrong exactly at the stability limit (lr = 2/a)", (4.0, 1.0, 0.5, 6),
              (0.5, -3.0, 4.0, 7), tol=ITERATES),
        fixed("wrong for a long run of two hundred steps", (1.0, 1.0, 0.1, 200), tol=ITERATES),
        fixed("does not accept integers", (2, 3, 0.25, 5), (1, -2, 1, 3), tol=ITERATES),
    ],
    hints=[_number_of_iterates],
    mistakes=[
        mistake("leaves out w0", lambda a, w0, lr, steps: descent.gd_on_quadratic(a, w0, lr, steps)[1:],
                "start the list with w0: return steps + 1 numbers"),
        mistake("returns only the last iterate",
                lambda a, w0, lr, steps: descent.gd_on_quadratic(a, w0, lr, steps)[-1],
                "return every iterate, w0 first, not only the last one"),
        mistake("gradient 2*a*w", _iterates(lambda a, lr: 1.0 - 2.0 * lr * a),
                "the derivative of a*w**2/2 is a*w: the 1/2 cancels the 2 of the square"),
        mistake("steps uphill", _iterates(lambda a, lr: 1.0 + lr * a),
                "gradient descent steps against the gradient: w - lr * a * w"),
    ],
)


# --- converges -------------------------------------------------------------------------

def _away_from_limit(rng):
    a = float(10.0 ** rng.uniform(-2, 3))
    while True:
        product = float(rng.uniform(0.01, 4.0))
        if abs(product - 2.0) > 1e-3:
            return a, product / a


CONVERGES = chapter.exercise(
    descent.converges, tol=EXACT,
    visible=[
        ("a = 1, lr = 0.5: each step halves w", (1.0, 0.5)),
        ("a = 4, lr = 0.4: w flips sign at each step, but shrinks", (4.0, 0.4)),
        ("a = 1, lr = 2: exactly at the limit", (1.0, 2.0)),
        ("a = -1, lr = 0.1: a concave function", (-1.0, 0.1)),
        ("a = 2, lr = 1.5: each step multiplies w by -2", (2.0, 1.5)),
    ],
    hidden=[
        random("wrong for random curvatures and learning rates on both sides of the limit",
               _away_from_limit, EXACT, trials=12),
        fixed("wrong exactly at the limit lr = 2/a", (4.0, 0.5), (0.5, 4.0), (8.0, 0.25),
              tol=EXACT),
        fixed("wrong for a flat or concave function", (0.0, 0.1), (-2.0, 0.5), (-0.5, 3.0),
              tol=EXACT),
        fixed("wrong for a very sharp bowl", (1e4, 1.9e-4), (1e4, 2.1e-4), tol=EXACT),
        fixed("does not accept integers", (1, 1), (1, 2), (1, 3), tol=EXACT),
    ],
    mistakes=[
        mistake("diverges as soon as it overshoots (lr < 1/a)", lambda a, lr: 0 < lr * a < 1,
                "a step that overshoots the minimum still converges while |1 - lr*a| < 1"),
        mistake("counts the limit as converging (<=)", lambda a, lr: abs(1 - lr * a) <= 1,
                "at lr*a = 2 every step multiplies w by -1: it jumps between w0 and -w0 forever"),
        mistake("forgets that the bowl must curve upwards", lambda a, lr: lr * a < 2,
                "with a <= 0 there is no minimum to converge to"),
    ],
)

EXERCISES = [ITERATIONS_PER_EPOCH, MAKE_BATCHES, MINIBATCH_GD_LINEAR, GD_ON_QUADRATIC, CONVERGES]
