"""Exercises of ``09-backpropagation``: the chain rule through a circuit and a two-layer network.

Every expected value comes from a reference below, built on
:mod:`anncourse.activations`, :mod:`anncourse.losses` and
:mod:`anncourse.gradcheck` (the spec tests check the references against
PyTorch's autograd and against finite differences).

The exercises
-------------
``circuit_grads``, ``affine_backward`` and ``two_layer_loss_grads`` return
tuples, compared part by part (``parts=``): the feedback names the wrong
part ("dW is right; db 3 times too small").  ``numerical_gradient`` and
``sgd_update`` are scenarios: trusted driver code runs in the sandbox next to
the learner's function.  For ``numerical_gradient`` the driver defines the
function to differentiate there (a callable cannot cross the channel); for
``sgd_update`` it flattens the list (or dict) of updated arrays into one
vector, checks each array kept its shape and that no argument was changed in
place.

What the checks must accept
---------------------------
Loops with :mod:`math` or vectorised NumPy; Python lists or arrays;
float32; a scalar or a length-1 array for a number; a tuple, list or dict
for a structured answer; for ``numerical_gradient`` a copy per element or
one array changed and restored in place, ``np.ndindex``, ``np.nditer`` or
flat indices; for ``sgd_update`` a list or a tuple for a list.

Tolerances
----------
``EXACT`` (rtol 1e-6, atol 1e-9) in float64: two correct formulas (a loop
or ``@``, ``sum`` or ``np.sum``) agree to about 1e-15; a wrong one is off by
a factor, a sign or a transpose.  ``F32`` (rtol 1e-4, atol 1e-5) for
float32 input: about 7 digits per operation, a few lost over sums of up
to ~100 terms and through the log-sum-exp.  ``NUMERIC`` (rtol 1e-7, atol
1e-10) for ``numerical_gradient``: the learner evaluates the same trusted
function at the same points ``x +- h e_i`` (adding ``h`` to one element is
exact whichever way it is written), so the only difference is the
rounding of the final division, ~1e-16 relative; the one-sided difference
is off by about ``h f''/2`` (~1e-5 relative on the cases below) and a step
other than the given ``h`` by ``h^2 f'''/6`` (1e-3 for ``h = 0.1``).
``TRAIN`` for the loss curve of 30 SGD steps with the learner's gradients:
the same arithmetic each step, so the curves agree to ~1e-13 (a ReLU input
would have to fall within that of 0 to flip a mask; the drawn data make
that a chance of order 1e-9: 90 samples x 16 units x 30 steps, each within 1e-13 of 0
with probability ~4e-14).
"""
from __future__ import annotations

import copy
import dataclasses

import numpy as np

from ... import activations, losses
from ..core import Case, Exercise, Mistake, Part, Property, call_learner
from ..properties import _rng, matches_reference, scenario_matches
from ..specbuilder import Chapter, Tol, fixed, mistake, random, seed_for, standard

__all__ = ["EXERCISES"]

chapter = Chapter(__name__)

EXACT = Tol(1e-6, 1e-9)
F32 = Tol(1e-4, 1e-5)
NUMERIC = Tol(1e-7, 1e-10)
TRAIN = Tol(1e-6, 1e-9)


def _a(x):
    return np.asarray(x, dtype=np.float64)


# --- references ------------------------------------------------------------------------

def circuit_grads(x, y, z):
    """``f = (x + y) z`` and its gradients ``(f, df/dx, df/dy, df/dz)``.

    With ``q = x + y``: the multiply gate gives ``df/dq = z`` and
    ``df/dz = q``; the add gate passes ``df/dq`` on to both ``x`` and ``y``.
    """
    q = x + y
    return q * z, z, z, q


def affine_forward(x, W, b):
    """``x W + b`` for ``x`` of shape ``(n, in)`` (or ``(in,)``), ``W`` ``(in, out)``, ``b`` ``(out,)``."""
    return _a(x) @ _a(W) + _a(b)


def affine_backward(dout, x, W):
    """``(dx, dW, db)`` of an affine layer, given the upstream gradient ``dout`` ``(n, out)``."""
    dout, x, W = _a(dout), _a(x), _a(W)
    return dout @ W.T, x.T @ dout, dout.sum(axis=0)


def relu_backward(dout, z):
    """The upstream gradient where ``z > 0``, 0 elsewhere (0 at ``z = 0``, as in PyTorch)."""
    return _a(dout) * activations.relu_grad(_a(z))


def numerical_gradient(f, x, h=1e-5):
    """Centred differences ``(f(x + h e_i) - f(x - h e_i)) / (2h)`` for every element of ``x``."""
    from ...gradcheck import numerical_gradient as central

    return central(f, x, eps=h)


def two_layer_loss_grads(X, y, W1, b1, W2, b2):
    """``(loss, dW1, db1, dW2, db2)`` of ``relu(X W1 + b1) W2 + b2`` under mean softmax cross-entropy."""
    X, W1, b1, W2, b2 = _a(X), _a(W1), _a(b1), _a(W2), _a(b2)
    labels = np.asarray(y).astype(np.int64)
    z1 = X @ W1 + b1
    h = activations.relu(z1)
    scores = h @ W2 + b2
    loss = float(losses.cross_entropy_with_logits(labels, scores))
    d_scores = losses.cross_entropy_with_logits_grad(labels, scores)  # (softmax - onehot) / n
    d_h, dW2, db2 = affine_backward(d_scores, h, W2)
    d_z1 = relu_backward(d_h, z1)
    _, dW1, db1 = affine_backward(d_z1, X, W1)
    return loss, dW1, db1, dW2, db2


def sgd_update(params, grads, lr):
    """New parameters ``p - lr g`` for each pair, as a list (or a dict with the same keys)."""
    if isinstance(params, dict):
        return {k: _a(params[k]) - lr * _a(grads[k]) for k in params}
    return [_a(p) - lr * _a(g) for p, g in zip(params, grads)]


# --- structured answers ------------------------------------------------------------------

def _structured(reference, parts, visible, hidden, mistakes, tol=EXACT):
    """An exercise whose answer is a tuple (or dict) of ``parts``, each compared on its own."""
    name = reference.__name__
    key = f"{chapter.slug}/{name}"
    cases = [Case(label, tuple(args), reference, rtol=tol.rtol, atol=tol.atol)
             for label, args in visible]
    props = [Property(label, matches_reference(reference, make, trials=trials, rtol=ptol.rtol,
                                               atol=ptol.atol, seed=seed_for(key, label)))
             for label, make, ptol, trials in hidden]
    return Exercise(key=key, function_name=name, visible=cases, hidden=props,
                    reference=reference, parts=tuple(Part(p) for p in parts),
                    mistakes=[Mistake(label, func, hint) for label, func, hint in mistakes])


# --- circuit_grads -----------------------------------------------------------------------

def _circuit_args(rng, dtype=float):
    return tuple(dtype(v) for v in rng.normal(0.0, 3.0, size=3))


def _circuit_no_upstream(x, y, z):
    # The add gate's local gradient (1) without the upstream df/dq = z.
    q = x + y
    return q * z, 1.0, 1.0, q


def _circuit_swapped(x, y, z):
    q = x + y
    return q * z, q, q, z


CIRCUIT = _structured(
    circuit_grads, ("f", "df_dx", "df_dy", "df_dz"),
    visible=[("the worked example (x, y, z) = (-2, 5, -4)", (-2.0, 5.0, -4.0)),
             ("(x, y, z) = (3, -1, 2.5)", (3.0, -1.0, 2.5))],
    hidden=[("wrong on random inputs", _circuit_args, EXACT, 5),
            ("wrong for integer inputs",
             lambda rng: tuple(int(v) for v in rng.integers(-9, 10, size=3)), EXACT, 2),
            ("wrong when x + y is 0 (then df/dz is 0)", lambda rng: (1.5, -1.5, float(rng.normal())),
             EXACT, 1)],
    mistakes=[("the add gate's 1 without the upstream gradient", _circuit_no_upstream,
               "df_dx 4 times too small and has the wrong sign"),
              ("the multiply gate's local gradients swapped", _circuit_swapped,
               "df_dz 1.33 times too large and has the wrong sign")],
)


# --- affine_forward ----------------------------------------------------------------------

def _affine_inputs(rng, n, dtype=np.float64):
    d_in, d_out = int(rng.integers(2, 6)), int(rng.integers(2, 6))
    x = rng.normal(size=(n, d_in) if n else d_in)
    return (x.astype(dtype), rng.normal(size=(d_in, d_out)).astype(dtype),
            rng.normal(size=d_out).astype(dtype))


_X2 = _a([[1.0, 2.0], [-1.0, 0.5]])
_W22 = _a([[0.5, -1.0], [2.0, 0.25]])
_B2 = _a([0.1, -0.2])

AFFINE_FORWARD = chapter.exercise(
    affine_forward, tol=EXACT,
    visible=[("the worked example: two samples, 2 inputs, 2 outputs", (_X2, _W22, _B2)),
             ("one sample of 3 inputs to 2 outputs, as Python lists",
              ([1.0, -1.0, 2.0], [[1.0, 0.0], [0.5, -1.0], [0.0, 2.0]], [0.5, 0.5]))],
    hidden=[standard(_affine_inputs, EXACT, F32),
            random("wrong when the layer changes the width (in != out)",
                   lambda rng: (rng.normal(size=(4, 3)), rng.normal(size=(3, 5)), rng.normal(size=5)),
                   EXACT)],
    mistakes=[mistake("no bias", lambda x, W, b: _a(x) @ _a(W),
                      "the bias b is missing: add it to every row of x W."),
              mistake("W transposed", lambda x, W, b: _a(x) @ _a(W).T + _a(b),
                      "this is x W^T + b: here W has shape (in, out), so the product is x @ W.")],
)


# --- affine_backward ---------------------------------------------------------------------

def _backward_args(rng, n=None, dtype=np.float64, lists=False):
    n = n or int(rng.integers(2, 12))
    d_in, d_out = int(rng.integers(2, 6)), int(rng.integers(2, 6))
    args = (rng.normal(size=(n, d_out)).astype(dtype), rng.normal(size=(n, d_in)).astype(dtype),
            rng.normal(size=(d_in, d_out)).astype(dtype))
    return tuple(a.tolist() for a in args) if lists else args


def _db_mean(dout, x, W):
    dx, dW, db = affine_backward(dout, x, W)
    return dx, dW, db / len(_a(dout))


def _dW_transposed(dout, x, W):
    dx, dW, db = affine_backward(dout, x, W)
    return dx, dW.T, db


def _dx_no_transpose_W(dout, x, W):
    # dout @ W only works for a square W: the worked example has one.
    dx, dW, db = affine_backward(dout, x, W)
    return _a(dout) @ _a(W), dW, db


_DOUT3 = _a([[1.0, -1.0, 0.5], [0.0, 2.0, -1.0], [1.5, 0.5, 0.0]])
_X3 = _a([[1.0, 2.0, 0.0], [-1.0, 0.5, 3.0], [2.0, -2.0, 1.0]])
_W3 = _a([[0.5, -1.0, 0.0], [2.0, 0.25, 1.0], [-0.5, 1.0, 1.5]])

AFFINE_BACKWARD = _structured(
    affine_backward, ("dx", "dW", "db"),
    visible=[("the worked example: three samples, 3 inputs, 3 outputs", (_DOUT3, _X3, _W3)),
             ("two samples, 2 inputs, 3 outputs, as Python lists",
              ([[1.0, 0.0, -1.0], [0.5, 2.0, 1.0]], [[1.0, 2.0], [3.0, -1.0]],
               [[1.0, 0.0, 2.0], [-1.0, 0.5, 0.0]]))],
    hidden=[("wrong on random layers", lambda rng: _backward_args(rng), EXACT, 5),
            ("does not accept Python lists", lambda rng: _backward_args(rng, lists=True), EXACT, 2),
            ("wrong for a batch of one sample", lambda rng: _backward_args(rng, n=1), EXACT, 2),
            ("wrong for float32 input", lambda rng: _backward_args(rng, n=20, dtype=np.float32),
             F32, 2)],
    mistakes=[("db averaged instead of summed", _db_mean, "db 3 times too small"),
              ("dW transposed", _dW_transposed, "dW is not close enough"),
              ("dx = dout W instead of dout W^T", _dx_no_transpose_W, "dx is not close enough")],
)


# --- relu_backward -----------------------------------------------------------------------

def _relu_args(rng, n, dtype=np.float64):
    shape = (n, int(rng.integers(2, 6))) if n else (int(rng.integers(2, 8)),)
    return rng.normal(size=shape).astype(dtype), rng.normal(size=shape).astype(dtype)


RELU_BACKWARD = chapter.exercise(
    relu_backward, tol=EXACT,
    visible=[("the worked example: dout = [1, 2, 3, 4], z = [-1, 0, 0.5, 2]",
              (_a([1.0, 2.0, 3.0, 4.0]), _a([-1.0, 0.0, 0.5, 2.0]))),
             ("a 2-D batch, as Python lists",
              ([[0.5, -2.0], [1.0, 3.0]], [[2.0, 1.0], [-0.5, 0.25]]))],
    hidden=[standard(_relu_args, EXACT, F32),
            fixed("passes a gradient where z is exactly 0 (the course uses slope 0 there)",
                  (_a([1.0, -2.0, 3.0]), _a([0.0, -0.0, 0.0])), tol=EXACT),
            random("wrong when dout is negative where z > 0",
                   lambda rng: (-np.abs(rng.normal(size=6)), np.abs(rng.normal(size=6)) + 0.1), EXACT)],
    mistakes=[mistake("slope 1 at z = 0", lambda dout, z: _a(dout) * (_a(z) >= 0),
                      "at z = 0 the course (like PyTorch) uses the slope 0: mask with z > 0, not z >= 0."),
              mistake("the mask without dout", lambda dout, z: (_a(z) > 0).astype(float),
                      "this is ReLU's local gradient alone: multiply it by the upstream gradient dout."),
              mistake("dout times relu(z)", lambda dout, z: _a(dout) * np.maximum(_a(z), 0.0),
                      "you multiplied by relu(z), the forward value: the local gradient is 1 where "
                      "z > 0 and 0 elsewhere.")],
)


# --- numerical_gradient: a scenario (the function to differentiate is the grader's) --------

def drive_numerical_gradient(func, x, kind, h=None):
    """Call ``func(f, x[, h])`` on a trusted ``f`` named by ``kind``; check ``x`` is unchanged.

    Runs where the learner's function runs (the sandbox at grading), so it
    defines the functions to differentiate itself.
    """
    import copy

    import numpy as np

    def cubic(v):
        return float(np.sum(np.asarray(v, dtype=float) ** 3))

    def sin_square(v):
        v = np.asarray(v, dtype=float)
        return float(np.sum(np.sin(v) * v ** 2))

    def log_sum_exp(v):
        v = np.asarray(v, dtype=float)
        m = float(np.max(v))
        return m + float(np.log(np.sum(np.exp(v - m))))

    f = {"cubic": cubic, "sin_square": sin_square, "log_sum_exp": log_sum_exp}[kind]
    before = copy.deepcopy(x)
    grad = func(f, x) if h is None else func(f, x, h)
    if grad is None:
        raise ValueError("returned None: did you forget the `return` statement?")
    if not np.array_equal(np.asarray(x, dtype=float), np.asarray(before, dtype=float)):
        raise ValueError("changed x in place: after the call x differs from the x it was given "
                         "(restore each element exactly, or work on a copy)")
    return np.asarray(grad, dtype=float)


def _one_sided(f, x, h=1e-5):
    x = np.array(x, dtype=float)
    grad, f0 = np.zeros_like(x), f(x)
    for i in np.ndindex(x.shape):
        xp = x.copy()
        xp[i] += h
        grad[i] = (f(xp) - f0) / h
    return grad


def _over_h(f, x, h=1e-5):
    return 2 * numerical_gradient(f, x, h)


def _fixed_step(f, x, h=1e-5):
    return numerical_gradient(f, x, 1e-5)


def _driven_hint(driver, wrong, advice):
    """A hint for a scenario: the learner's value is what ``wrong`` gives under the same driver."""

    def hint(args, expected, actual):
        try:
            with np.errstate(all="ignore"):
                value = np.asarray(driver(wrong, *copy.deepcopy(args)), dtype=float)
        except Exception:  # the wrong variant does not apply to these inputs
            return None
        if value.shape != actual.shape or np.allclose(value, expected, rtol=1e-9, atol=1e-12):
            return None
        return advice if np.allclose(actual, value, rtol=1e-9, atol=1e-12) else None

    return hint


_NG_HINTS = [
    (_one_sided, "this is the one-sided difference (f(x + h) - f(x)) / h, whose error is of order h: "
                 "use the centred difference (f(x + h e_i) - f(x - h e_i)) / (2h)."),
    (_over_h, "your gradient is twice the right one: the centred difference divides by 2h, "
              "the distance between x - h and x + h."),
    (_fixed_step, "the result does not depend on h: use the step h the function is given."),
]


def _x_args(rng, shape, kind):
    return rng.uniform(-1.5, 1.5, size=shape), kind


def _ng_case(label, x, kind, h=None):
    args = (x, kind) if h is None else (x, kind, h)
    return Case(label, args, numerical_gradient, driver=drive_numerical_gradient,
                rtol=NUMERIC.rtol, atol=NUMERIC.atol)


def _ng_hidden(label, make, trials=2):
    key = f"{chapter.slug}/numerical_gradient"
    return Property(label, scenario_matches(numerical_gradient, drive_numerical_gradient, make,
                                            trials=trials, rtol=NUMERIC.rtol, atol=NUMERIC.atol,
                                            seed=seed_for(key, label)))


NUMERICAL_GRADIENT = Exercise(
    key=f"{chapter.slug}/numerical_gradient", function_name="numerical_gradient",
    reference=numerical_gradient,
    visible=[_ng_case("f(x) = sum of x**3 at x = [1, -2, 0.5] (the worked example)",
                      _a([1.0, -2.0, 0.5]), "cubic"),
             _ng_case("f(x) = sum of sin(x) * x**2 at a 2 x 2 x, which the gradient keeps",
                      _a([[0.3, -1.2], [2.0, 0.7]]), "sin_square"),
             _ng_case("f(x) = log(sum of exp(x)) at x = [0.5, -1, 2] with the large step h = 0.1",
                      _a([0.5, -1.0, 2.0]), "log_sum_exp", 0.1)],
    hidden=[_ng_hidden("wrong on random points", lambda rng: _x_args(rng, int(rng.integers(2, 9)),
                                                                   str(rng.choice(["cubic", "sin_square", "log_sum_exp"]))), 4),
            _ng_hidden("wrong for a 2-D x (a weight matrix)",
                       lambda rng: _x_args(rng, (3, 4), "sin_square")),
            _ng_hidden("does not accept x as a Python list",
                       lambda rng: (rng.uniform(-1, 1, size=5).tolist(), "cubic")),
            _ng_hidden("wrong when x holds integers (the steps x +- h must not be rounded)",
                       lambda rng: (rng.integers(-3, 4, size=5), "log_sum_exp")),
            _ng_hidden("does not use the given h",
                       lambda rng: (rng.uniform(-1, 1, size=4), "sin_square",
                                    float(rng.choice([0.05, 0.2, 1e-3]))))],
    hints=[_driven_hint(drive_numerical_gradient, w, advice) for w, advice in _NG_HINTS],
    mistakes=[Mistake("one-sided difference", _one_sided, "one-sided difference"),
              Mistake("divides by h instead of 2h", _over_h, "divides by 2h"),
              Mistake("ignores h", _fixed_step, "use the step h")],
)


# --- two_layer_loss_grads ----------------------------------------------------------------

def _net(rng, n=None, dtype=np.float64, lists=False, scale=1.0):
    n = n or int(rng.integers(4, 30))
    d, hidden, c = int(rng.integers(2, 6)), int(rng.integers(3, 9)), int(rng.integers(2, 6))
    y = rng.integers(0, c, size=n)
    arrays = [rng.normal(size=(n, d)), rng.normal(0.0, 0.8, size=(d, hidden)),
              rng.normal(0.0, 0.3, size=hidden), scale * rng.normal(0.0, 0.8, size=(hidden, c)),
              rng.normal(0.0, 0.3, size=c)]
    arrays = [a.astype(dtype) for a in arrays]
    if lists:
        return (arrays[0].tolist(), y.tolist(), *(a.tolist() for a in arrays[1:]))
    return (arrays[0], y, *arrays[1:])


def _tl_sum(X, y, W1, b1, W2, b2):
    loss, dW1, db1, dW2, db2 = two_layer_loss_grads(X, y, W1, b1, W2, b2)
    n = len(np.asarray(y))
    return loss * n, dW1 * n, db1 * n, dW2 * n, db2 * n


def _tl_no_mask(X, y, W1, b1, W2, b2):
    X, W1, b1, W2, b2 = _a(X), _a(W1), _a(b1), _a(W2), _a(b2)
    loss, _, _, dW2, db2 = two_layer_loss_grads(X, y, W1, b1, W2, b2)
    z1 = X @ W1 + b1
    d_scores = losses.cross_entropy_with_logits_grad(np.asarray(y), activations.relu(z1) @ W2 + b2)
    d_z1 = d_scores @ W2.T  # the ReLU's mask forgotten
    return loss, X.T @ d_z1, d_z1.sum(axis=0), dW2, db2


def _tl_pre_activation(X, y, W1, b1, W2, b2):
    # dW2 from z1 = X W1 + b1 instead of h = relu(z1).
    X, W1, b1 = _a(X), _a(W1), _a(b1)
    loss, dW1, db1, _, db2 = two_layer_loss_grads(X, y, W1, b1, W2, b2)
    scores = activations.relu(X @ W1 + b1) @ _a(W2) + _a(b2)
    d_scores = losses.cross_entropy_with_logits_grad(np.asarray(y), scores)
    return loss, dW1, db1, (X @ W1 + b1).T @ d_scores, db2


_TL_X = _a([[1.0, 2.0], [-1.0, 0.5], [0.5, -1.5]])
_TL_Y = np.array([0, 2, 1])
_TL_W1 = _a([[0.5, -1.0, 0.3], [0.2, 0.4, -0.6]])
_TL_B1 = _a([0.1, 0.0, -0.1])
_TL_W2 = _a([[1.0, -0.5, 0.2], [0.3, 0.8, -1.0], [-0.7, 0.1, 0.5]])
_TL_B2 = _a([0.0, 0.1, -0.1])


def drive_training(func, X, y, W1, b1, W2, b2, lr, steps):
    """``steps`` of plain gradient descent with ``func``'s gradients; the loss before each step."""
    import numpy as np

    params = [np.array(p, dtype=float) for p in (W1, b1, W2, b2)]
    curve = []
    for _ in range(steps):
        loss, *grads = func(X, y, *params)
        curve.append(float(np.asarray(loss, dtype=float).reshape(())))
        params = [p - lr * np.asarray(g, dtype=float) for p, g in zip(params, grads)]
    return np.array(curve)


def _training_case(rng):
    """Three spiral arms (the data of the notebook), a 2-16-3 network, 30 steps of lr = 1."""
    from ...data import make_spirals

    X, y = make_spirals(90, n_classes=3, noise=0.05, random_state=int(rng.integers(2**31)))
    return (X, y, rng.normal(0.0, 1.0, size=(2, 16)), np.zeros(16),
            rng.normal(0.0, 0.25, size=(16, 3)), np.zeros(3), 1.0, 30)


def _training_follows(label):
    key = f"{chapter.slug}/two_layer_loss_grads"

    def test(func):
        # The loss curve as one array, compared here: compare_answer would split it into the
        # exercise's parts. The inputs come from the salted generator every hidden check uses.
        args = _training_case(_rng(seed_for(key, label)))
        expected = drive_training(two_layer_loss_grads, *copy.deepcopy(args))
        actual = np.asarray(call_learner(func, args, driver=drive_training), dtype=float)
        if actual.shape != expected.shape or not np.all(np.isfinite(actual)):
            return "the loss curve is not finite"
        if not np.allclose(actual, expected, rtol=TRAIN.rtol, atol=TRAIN.atol):
            return "the loss does not fall as it should"
        return None

    return Property(label, test)


TWO_LAYER = _structured(
    two_layer_loss_grads, ("loss", "dW1", "db1", "dW2", "db2"),
    visible=[("the worked example: three samples, 2 inputs, 3 hidden units, 3 classes",
              (_TL_X, _TL_Y, _TL_W1, _TL_B1, _TL_W2, _TL_B2)),
             ("the same network, labels and inputs as Python lists",
              (_TL_X.tolist(), [2, 2, 0], _TL_W1.tolist(), _TL_B1.tolist(), _TL_W2.tolist(),
               _TL_B2.tolist()))],
    hidden=[("wrong on random networks", lambda rng: _net(rng), EXACT, 5),
            ("does not accept Python lists", lambda rng: _net(rng, lists=True), EXACT, 2),
            ("wrong for a batch of one sample", lambda rng: _net(rng, n=1), EXACT, 2),
            ("wrong for float32 input", lambda rng: _net(rng, n=25, dtype=np.float32), F32, 2),
            ("not finite or wrong for scores in the thousands (use log-sum-exp)",
             lambda rng: _net(rng, n=8, scale=2000.0), EXACT, 2)],
    mistakes=[("sum over samples instead of the mean", _tl_sum, "loss 3 times too large"),
              ("no ReLU mask in the backward pass", _tl_no_mask, "dW1 is not close enough"),
              ("dW2 from the pre-activation", _tl_pre_activation, "dW2 is not close enough")],
)
TWO_LAYER = dataclasses.replace(TWO_LAYER, hidden=[
    *TWO_LAYER.hidden,
    _training_follows("thirty gradient-descent steps on spirals with your gradients do not follow "
                      "the reference's loss curve")])


# --- sgd_update: a scenario that flattens the updated arrays --------------------------------

def drive_sgd(func, params, grads, lr):
    """``func(params, grads, lr)`` flattened into one vector, after checking shapes and inputs."""
    import copy

    import numpy as np

    before, grads_before = copy.deepcopy(params), copy.deepcopy(grads)
    out = func(params, grads, lr)
    if out is None:
        raise ValueError("returned None: did you forget the `return` statement?")

    def same(a, b):
        if isinstance(a, dict):
            return isinstance(b, dict) and a.keys() == b.keys() and all(same(a[k], b[k]) for k in a)
        if isinstance(a, (list, tuple)):
            return len(a) == len(b) and all(same(u, v) for u, v in zip(a, b))
        return np.array_equal(np.asarray(a), np.asarray(b))

    if not (same(params, before) and same(grads, grads_before)):
        raise ValueError("changed params or grads in place: return new arrays (p - lr * g) and "
                         "leave the caller's arrays as they were")
    if isinstance(params, dict):
        if not isinstance(out, dict) or set(out) != set(params):
            raise ValueError(f"returned {type(out).__name__}; for a dict of parameters return a "
                             f"dict with the same keys {sorted(params)}")
        names, new = list(params), [out[k] for k in params]
    else:
        if out is None or isinstance(out, dict) or len(out) != len(params):
            raise ValueError(f"returned {type(out).__name__}; expected a list of {len(params)} "
                             "arrays, one per parameter")
        names, new = list(range(len(params))), list(out)
    flat = []
    for name, p, q in zip(names, new, (before[k] for k in names)):
        q_arr = np.asarray(q)
        p_arr = np.asarray(p, dtype=float)
        if p_arr.shape != q_arr.shape:
            raise ValueError(f"returned params[{name!r}] with shape {p_arr.shape}, but that "
                             f"parameter has shape {q_arr.shape}")
        flat.append(p_arr.ravel())
    return np.concatenate(flat) if flat else np.zeros(0)


def _sgd_plus(params, grads, lr):
    return sgd_update(params, grads, -lr)


def _sgd_no_lr(params, grads, lr):
    return sgd_update(params, grads, 1.0)


def _sgd_case(label, params, grads, lr):
    return Case(label, (params, grads, lr), sgd_update, driver=drive_sgd, rtol=EXACT.rtol,
                atol=EXACT.atol)


def _sgd_args(rng, dtype=np.float64, as_dict=False):
    shapes = [(int(rng.integers(1, 5)), int(rng.integers(1, 5))), (int(rng.integers(1, 5)),),
              (int(rng.integers(1, 4)), int(rng.integers(1, 4)))]
    params = [rng.normal(size=s).astype(dtype) for s in shapes]
    grads = [rng.normal(size=s).astype(dtype) for s in shapes]
    lr = float(rng.uniform(0.001, 0.5))
    if as_dict:
        names = ["W1", "b1", "W2"]
        return dict(zip(names, params)), dict(zip(names, grads)), lr
    return params, grads, lr


def _sgd_hidden(label, make, tol=EXACT, trials=2):
    key = f"{chapter.slug}/sgd_update"
    return Property(label, scenario_matches(sgd_update, drive_sgd, make, trials=trials,
                                            rtol=tol.rtol, atol=tol.atol, seed=seed_for(key, label)))


_SGD_HINTS = [(_sgd_plus, "you moved uphill: gradient descent subtracts, p - lr * g."),
              (_sgd_no_lr, "the step ignores lr: multiply each gradient by the learning rate.")]

SGD_UPDATE = Exercise(
    key=f"{chapter.slug}/sgd_update", function_name="sgd_update", reference=sgd_update,
    visible=[_sgd_case("the worked example: a dict with W of shape (2, 2) and b of shape (2,), "
                       "lr = 0.1", {"W": _a([[1.0, 2.0], [3.0, 4.0]]), "b": _a([0.5, -0.5])},
                       {"W": _a([[0.5, -1.0], [0.0, 2.0]]), "b": _a([1.0, 1.0])}, 0.1),
             _sgd_case("a list of two parameters, lr = 0.5",
                       [_a([1.0, -1.0, 0.0]), _a([2.0])],
                       [_a([0.2, 0.2, -0.4]), _a([-1.0])], 0.5)],
    hidden=[_sgd_hidden("wrong on random parameter lists", lambda rng: _sgd_args(rng), trials=4),
            _sgd_hidden("wrong for a dict of parameters", lambda rng: _sgd_args(rng, as_dict=True)),
            _sgd_hidden("wrong for float32 parameters", lambda rng: _sgd_args(rng, np.float32), F32),
            _sgd_hidden("changes the parameters when lr is 0",
                        lambda rng: (*_sgd_args(rng)[:2], 0.0), trials=1)],
    hints=[_driven_hint(drive_sgd, w, advice) for w, advice in _SGD_HINTS],
    mistakes=[Mistake("plus instead of minus", _sgd_plus, "you moved uphill"),
              Mistake("ignores lr", _sgd_no_lr, "ignores lr")],
)

EXERCISES = [CIRCUIT, AFFINE_FORWARD, AFFINE_BACKWARD, RELU_BACKWARD, NUMERICAL_GRADIENT, TWO_LAYER,
             SGD_UPDATE]
