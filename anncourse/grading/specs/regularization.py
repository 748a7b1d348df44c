"""Exercises of ``07-regularization``: what the learner writes, and how it is checked.

Every expected value comes from :mod:`anncourse.regularization` (the
penalties, :class:`~anncourse.regularization.EarlyStopping`, ``shift``)
through the small references below, which only fix the chapter's
conventions (argument order, the keep-mask of dropout, 0-based epochs, the
order of an augmented batch).

The exercises
-------------
``l2_penalty(w, lam)``, ``l2_grad(w, lam)``
    ``(lam/2) * sum w^2`` and its gradient ``lam * w``; ``w`` of any shape.
``l1_penalty(w, lam)``, ``l1_grad(w, lam)``
    ``lam * sum |w|`` and ``lam * sign(w)``, with the subgradient 0 at
    ``w = 0`` (NumPy's and PyTorch's ``sign(0) = 0``).
``dropout_forward(x, mask, p, train=True)``
    inverted dropout with a given keep-mask (1 keeps a unit):
    ``x * mask / (1 - p)`` in training, ``x`` unchanged at evaluation.
``early_stopping(val_losses, patience, min_delta=0.0)``
    ``(best_epoch, stop_epoch)``, epochs numbered from 0 as positions in
    ``val_losses``, ``stop_epoch`` None when training never stops; the rule of
    ``EarlyStopping``.  The answer holds None, which is not a number, so it is
    checked through a driver (:func:`_driven`) that writes None as -1 before
    comparing; the hints for its mistakes run the same driver.
``shift_image(img, dy, dx)``, ``augment_batch(images, shifts)``
    a shift with zero fill (positive ``dy`` down, ``dx`` right), and every
    image under every shift, shift-major: ``out[k * N + i]`` is image ``i``
    under ``shifts[k]``.

What the checks must accept
---------------------------
Loops with :mod:`math` or vectorised NumPy; lists or arrays; float32 input;
a Python float, a NumPy scalar or a length-1 array for a penalty; a boolean,
integer or float keep-mask; a tuple or a list for ``early_stopping``; an
integer image (the shifted copy may come back as float).  An answer that
changes its input in place fails (the framework checks every exercise).

Tolerances
----------
``rtol=1e-9`` in float64: the penalties are sums of at most a few hundred
terms, whose rounding (about 1e-16 each) stays far below, while every usual
mistake is off by a factor (2, 1/n, 1/(1-p)...). float32 input is compared
at ``rtol=1e-5, atol=1e-6``: float32 keeps about 7 digits and a sum of up to
40 terms loses at most one or two.  Shifts and the early-stopping epochs are
exact: the tolerance only absorbs an integer returned as a float.
"""
from __future__ import annotations

import numpy as np

from ...regularization import EarlyStopping, l1_grad as _l1_grad, l1_penalty as _l1_penalty
from ...regularization import l2_grad as _l2_grad, l2_penalty as _l2_penalty
from ...regularization import shift as _shift
from ..core import Case
from ..properties import scenario_matches
from ..specbuilder import Chapter, Hidden, Tol, fixed, holds, mistake, random, standard

__all__ = ["EXERCISES"]

chapter = Chapter(__name__)

TOL = Tol(1e-9, 1e-12)
F32 = Tol(1e-5, 1e-6)
EXACT = Tol(0.0, 1e-12)


def _weights(w):
    return np.asarray(w, dtype=np.float64)


def _size(args):
    return int(np.asarray(args[0]).size)


# --- references ---------------------------------------------------------------------------

def l2_penalty(w, lam):
    """``(lam/2) * sum w^2`` over every weight."""
    return _l2_penalty(_weights(w), lam)


def l2_grad(w, lam):
    """``lam * w``, the gradient of :func:`l2_penalty`."""
    return _l2_grad(_weights(w), lam)


def l1_penalty(w, lam):
    """``lam * sum |w|`` over every weight."""
    return _l1_penalty(_weights(w), lam)


def l1_grad(w, lam):
    """``lam * sign(w)``, with 0 at ``w = 0``."""
    return _l1_grad(_weights(w), lam)


def dropout_forward(x, mask, p, train=True):
    """Inverted dropout: ``x * mask / (1 - p)`` in training, ``x`` at evaluation."""
    x = np.asarray(x, dtype=np.float64)
    if not train:
        return x.copy()
    return x * np.asarray(mask, dtype=np.float64) / (1.0 - p)


def early_stopping(val_losses, patience, min_delta=0.0):
    """``(best_epoch, stop_epoch)`` of :class:`EarlyStopping`, epochs counted from 0."""
    stopper = EarlyStopping(patience=patience, min_delta=min_delta, restore_best_weights=False)
    for epoch, loss in enumerate(val_losses):
        if stopper.step(loss):
            return stopper.best_epoch, epoch
    return stopper.best_epoch, None


def shift_image(img, dy, dx):
    """The image moved ``dy`` rows down and ``dx`` columns right, zeros moving in."""
    return _shift(np.asarray(img, dtype=np.float64), int(dy), int(dx))


def augment_batch(images, shifts):
    """Every image under every shift, shift-major: ``(len(shifts) * N, H, W)``."""
    images = np.asarray(images, dtype=np.float64)
    return np.concatenate([_shift(images, int(dy), int(dx)) for dy, dx in shifts])


# --- penalties ----------------------------------------------------------------------------

def _penalty_inputs(rng, n, dtype):
    """``n`` weights with a few exact zeros, and a strength; one weight for n=None."""
    w = rng.normal(size=n or 1)
    w[rng.random(w.shape) < 0.2] = 0.0
    return w.astype(dtype), float(rng.uniform(0.05, 2.0))


def _penalty_hidden():
    matrix = np.arange(-6.0, 6.0).reshape(3, 4) / 4
    return [
        *standard(_penalty_inputs, TOL, F32, single_label="wrong for a single weight"),
        fixed("wrong for a weight matrix (2-D array)", (matrix, 0.3), tol=TOL),
        fixed("not zero for a strength of zero", (np.array([1.5, -2.0, 0.5]), 0.0), tol=TOL),
    ]


L2_PENALTY = chapter.exercise(
    l2_penalty,
    tol=TOL,
    visible=[
        ("the worked example (w = [3, -4], lam = 0.1)", (np.array([3.0, -4.0]), 0.1)),
        ("five weights as a Python list", ([1.0, -2.0, 0.5, 0.0, 2.0], 0.5)),
    ],
    hidden=_penalty_hidden(),
    n_of=_size,
    mistakes=[
        mistake("forgets the 1/2", lambda w, lam: lam * np.sum(_weights(w) ** 2),
                "your value is twice the penalty: it is (lam/2) times the sum of squares."),
        mistake("the norm, not its square", lambda w, lam: 0.5 * lam * np.linalg.norm(_weights(w)),
                "square every weight and add the squares; do not take the square root."),
        mistake("a mean, not a sum", lambda w, lam: 0.5 * lam * np.mean(_weights(w) ** 2),
                "the penalty adds the squares of all the weights (a sum, not a mean)."),
        mistake("the absolute values (L1)", lambda w, lam: 0.5 * lam * np.sum(np.abs(_weights(w))),
                "L2 squares the weights; the absolute value belongs to L1."),
    ],
)

L2_GRAD = chapter.exercise(
    l2_grad,
    tol=TOL,
    visible=[
        ("the worked example (w = [3, -4], lam = 0.1)", (np.array([3.0, -4.0]), 0.1)),
        ("five weights as a Python list", ([1.0, -2.0, 0.5, 0.0, 2.0], 0.5)),
    ],
    hidden=_penalty_hidden(),
    n_of=_size,
    mistakes=[
        mistake("differentiates lam * w^2", lambda w, lam: 2 * lam * _weights(w),
                "the 1/2 in (lam/2) w^2 cancels the 2 of the derivative: the gradient is lam * w."),
        mistake("returns the penalty's terms", lambda w, lam: 0.5 * lam * _weights(w) ** 2,
                "that is each weight's share of the penalty; differentiate it with respect to w."),
        mistake("forgets lam", lambda w, lam: _weights(w),
                "the gradient grows with the strength: multiply by lam."),
    ],
)

L1_PENALTY = chapter.exercise(
    l1_penalty,
    tol=TOL,
    visible=[
        ("the worked example (w = [3, -4], lam = 0.1)", (np.array([3.0, -4.0]), 0.1)),
        ("five weights as a Python list", ([1.0, -2.0, 0.5, 0.0, 2.0], 0.5)),
    ],
    hidden=_penalty_hidden(),
    n_of=_size,
    mistakes=[
        mistake("forgets the absolute value", lambda w, lam: lam * np.sum(_weights(w)),
                "negative weights must add to the penalty too: take |w|."),
        mistake("adds a 1/2", lambda w, lam: 0.5 * lam * np.sum(np.abs(_weights(w))),
                "L1 has no 1/2: it is lam times the sum of |w|."),
        mistake("squares the weights (L2)", lambda w, lam: lam * np.sum(_weights(w) ** 2),
                "L1 adds absolute values, not squares."),
    ],
)


def _sign_nonzero(w, lam):
    w = _weights(w)
    return np.where(w >= 0, lam, -lam)


def _w_over_abs(w, lam):
    w = _weights(w)
    with np.errstate(invalid="ignore", divide="ignore"):
        return lam * w / np.abs(w)


_ZERO_OVER_ZERO = "w / |w| divides 0 by 0 at w = 0; use np.sign, which gives 0 there."


def _nan_at_zero(args, expected, actual):
    """A hint: NaN exactly where a weight is 0, as w / |w| gives."""
    w = np.asarray(args[0], dtype=np.float64)
    if w.shape != actual.shape:
        return None
    nan = np.isnan(actual)
    return _ZERO_OVER_ZERO if nan.any() and np.array_equal(nan, w == 0) else None


L1_GRAD = chapter.exercise(
    l1_grad,
    tol=TOL,
    visible=[
        ("the worked example (w = [2, 0, -0.5], lam = 0.1)", (np.array([2.0, 0.0, -0.5]), 0.1)),
        ("five weights as a Python list", ([1.0, -2.0, 0.5, 0.0, 2.0], 0.5)),
    ],
    hidden=[
        *_penalty_hidden(),
        holds("not zero where a weight is zero",
              lambda g: np.all(np.asarray(g).reshape(-1)[::2] == 0.0),
              (np.array([0.0, 1.0, 0.0, -3.0, 0.0]), 0.7), "the subgradient at w = 0 must be 0"),
    ],
    n_of=_size,
    hints=[_nan_at_zero],
    mistakes=[
        mistake("+lam at zero", _sign_nonzero,
                "at w = 0 use the subgradient 0 (np.sign(0) is 0); a zero weight should stay zero."),
        mistake("w / |w|", _w_over_abs, _ZERO_OVER_ZERO, specific=False),
        mistake("forgets lam", lambda w, lam: np.sign(_weights(w)),
                "the gradient grows with the strength: multiply by lam."),
        mistake("the L2 gradient", lambda w, lam: lam * _weights(w),
                "that is L2's gradient; |w| has slope +1 or -1, whatever the size of w."),
    ],
)


# --- dropout ------------------------------------------------------------------------------

def _dropout_inputs(rng, n, dtype):
    p = float(rng.uniform(0.1, 0.8))
    shape = (n, 6) if n else (6,)
    x = rng.normal(size=shape).astype(dtype)
    mask = (rng.random(shape) >= p).astype(dtype)
    return x, mask, p


DROPOUT_FORWARD = chapter.exercise(
    dropout_forward,
    tol=TOL,
    visible=[
        ("the worked example in training (p = 0.5)",
         (np.array([1.0, 2.0, 3.0, 4.0]), np.array([1.0, 0.0, 1.0, 0.0]), 0.5)),
        ("a batch of two samples, p = 0.2, lists",
         ([[1.0, -1.0, 2.0], [0.5, 3.0, -2.0]], [[1, 1, 0], [0, 1, 1]], 0.2)),
        ("at evaluation (train=False) with the same inputs",
         (np.array([1.0, 2.0, 3.0, 4.0]), np.array([1.0, 0.0, 1.0, 0.0]), 0.5, False)),
    ],
    hidden=[
        *standard(_dropout_inputs, TOL, F32),
        fixed("wrong for a boolean mask",
              (np.array([[0.5, -1.0, 2.0, 3.0]]), np.array([[True, False, True, True]]), 0.25),
              tol=TOL),
        fixed("not the identity at evaluation",
              ((np.array([[0.5, -1.0], [2.0, 3.0]]), np.zeros((2, 2)), 0.75), {"train": False}),
              tol=TOL),
        fixed("not x times the mask when nothing is dropped (p = 0)",
              (np.array([0.5, -1.0, 2.0]), np.array([1.0, 1.0, 0.0]), 0.0), tol=TOL),
    ],
    n_of=lambda args: 1,
    mistakes=[
        mistake("no scaling", lambda x, mask, p, train=True: _weights(x) * _weights(mask)
                if train else _weights(x),
                "inverted dropout divides the kept activations by the keep probability 1 - p."),
        mistake("divides by p", lambda x, mask, p, train=True: _weights(x) * _weights(mask) / p
                if train else _weights(x),
                "divide by the keep probability 1 - p, not by the drop probability p."),
        mistake("multiplies by 1 - p", lambda x, mask, p, train=True:
                _weights(x) * _weights(mask) * (1 - p) if train else _weights(x),
                "multiplying by 1 - p makes the outputs smaller; divide by 1 - p instead."),
        mistake("drops the kept units", lambda x, mask, p, train=True:
                _weights(x) * (1 - _weights(mask)) / (1 - p) if train else _weights(x),
                "the mask is a keep-mask: 1 keeps the unit, 0 drops it."),
        mistake("drops at evaluation too",
                lambda x, mask, p, train=True: _weights(x) * _weights(mask) / (1 - p),
                "at evaluation (train=False) dropout does nothing: return x unchanged."),
    ],
)


# --- early stopping -----------------------------------------------------------------------

def _driven(subject, val_losses, patience, min_delta=None):
    """Run ``subject`` and return ``[best_epoch, stop_epoch]`` as floats, None written as -1.

    ``min_delta=None`` calls without it, which checks the default of 0.
    Runs in the grading sandbox: NumPy and the standard library only.
    """
    if min_delta is None:
        result = subject(list(val_losses), patience)
    else:
        result = subject(list(val_losses), patience, min_delta)
    if result is None:
        raise TypeError("returned None: did you forget the `return`?")
    best, stop = result
    return [float(-1 if best is None else best), float(-1 if stop is None else stop)]


def _like_driven(wrong, advice):
    """A hint: the learner's driven answer is what the wrong rule ``wrong`` gives."""

    def hint(args, expected, actual):
        try:
            value = np.asarray(_driven(wrong, *args), dtype=np.float64)
        except Exception:  # the wrong rule does not apply to these inputs
            return None
        if np.array_equal(value, expected) or value.shape != actual.shape:
            return None
        return advice if np.array_equal(value, actual) else None

    return hint


def _one_based(val_losses, patience, min_delta=0.0):
    best, stop = early_stopping(val_losses, patience, min_delta)
    return best + 1, None if stop is None else stop + 1


def _stops_late(val_losses, patience, min_delta=0.0):
    return early_stopping(val_losses, patience + 1, min_delta)


def _ties_improve(val_losses, patience, min_delta=0.0):
    best, best_epoch, bad = float("inf"), None, 0
    for epoch, loss in enumerate(val_losses):
        if loss <= best - min_delta:
            best, best_epoch, bad = loss, epoch, 0
        else:
            bad += 1
            if bad >= patience:
                return best_epoch, epoch
    return best_epoch, None


def _against_previous(val_losses, patience, min_delta=0.0):
    previous, best, best_epoch, bad = float("inf"), float("inf"), None, 0
    for epoch, loss in enumerate(val_losses):
        if loss < best:
            best, best_epoch = loss, epoch
        if loss < previous - min_delta:
            bad = 0
        else:
            bad += 1
            if bad >= patience:
                return best_epoch, epoch
        previous = loss
    return best_epoch, None


def _never_none(val_losses, patience, min_delta=0.0):
    best, stop = early_stopping(val_losses, patience, min_delta)
    return best, len(val_losses) - 1 if stop is None else stop


def _ignores_min_delta(val_losses, patience, min_delta=0.0):
    return early_stopping(val_losses, patience, 0.0)


# The hints are tried in this order and the first that matches is shown: a
# tie counted as an improvement looks like a late stop on the tie case, so
# its hint comes first (a late stop already fails on the worked example).
_EARLY_MISTAKES = [
    mistake("counts epochs from 1", _one_based,
            "number the epochs from 0, as positions in val_losses", specific=False),
    mistake("counts a tie as an improvement", _ties_improve,
            "an improvement must be strictly below best - min_delta; a tie is not one",
            specific=False),
    mistake("stops one epoch late", _stops_late,
            "stop at the epoch where the count of epochs without improvement reaches patience",
            specific=False),
    mistake("compares with the previous epoch", _against_previous,
            "compare each loss with the best loss so far, not with the previous epoch's",
            specific=False),
    mistake("never returns None", _never_none,
            "if the patience never runs out, stop_epoch is None", specific=False),
    mistake("ignores min_delta", _ignores_min_delta,
            "only a loss below best - min_delta counts as an improvement", specific=False),
]


def _early_case(label, losses, patience, min_delta=None):
    args = (list(losses), patience) if min_delta is None else (list(losses), patience, min_delta)
    return Case(label, args, early_stopping, rtol=EXACT.rtol, atol=EXACT.atol, driver=_driven)


def _noisy_curve(rng):
    """A validation curve that falls, then rises, with noise: as in real training."""
    n = int(rng.integers(15, 60))
    t = np.arange(n)
    turn = rng.uniform(0.3, 0.7) * n
    curve = 1.0 + 0.002 * (t - turn) ** 2 / n + rng.normal(scale=0.01, size=n)
    losses = [float(v) for v in np.round(curve, 3)]   # rounded: ties happen, as in logs
    patience = int(rng.integers(0, 8))
    min_delta = float(rng.choice([0.0, 0.0, 0.005, 0.02]))
    return losses, patience, min_delta


def _scenario(label, make, trials=6):
    return Hidden(label, lambda ref, seed: scenario_matches(
        early_stopping, _driven, make, trials=trials, rtol=EXACT.rtol, atol=EXACT.atol, seed=seed))


EARLY_STOPPING = chapter.exercise(
    early_stopping,
    tol=EXACT,
    visible=[
        _early_case("the worked example (patience 2)", [3.0, 2.0, 2.5, 2.4, 2.3, 2.2], 2),
        _early_case("a curve on which the patience never runs out (patience 2)",
                    [1.0, 0.8, 0.7, 0.75, 0.6], 2),
        _early_case("min_delta 0.1: small gains do not count (patience 3)",
                    [1.0, 0.95, 0.94, 0.93, 0.96], 3, 0.1),
        _early_case("a tie is not an improvement (patience 1)", [1.0, 1.0, 0.9], 1),
        _early_case("patience 0 stops at the first epoch without improvement",
                    [0.9, 0.8, 0.85, 0.7], 0),
    ],
    hidden=[
        _scenario("wrong on noisy validation curves", _noisy_curve),
        _scenario("wrong on curves that never stop improving",
                  lambda rng: (sorted(rng.uniform(0, 1, size=12).tolist(), reverse=True),
                               int(rng.integers(1, 4)))),
        _scenario("wrong for a single epoch", lambda rng: ([float(rng.uniform(0, 1))], 0), trials=2),
        # Always one curve whose small gains min_delta must discount: the
        # noisy curves above draw min_delta at random and may miss it.
        _scenario("wrong when min_delta discounts small gains",
                  lambda rng: ([1.0, 0.97, 0.95, 0.93, 0.92, 0.91, 0.9],
                               int(rng.integers(1, 3)), 0.05), trials=2),
        _scenario("wrong with plateaus of equal losses",
                  lambda rng: ([1.0, 0.5, 0.5, 0.5, 0.4, 0.4, 0.4, 0.4, 0.3],
                               int(rng.integers(1, 4)), 0.0), trials=3),
    ],
    hints=[_like_driven(m.func, m.hint) for m in _EARLY_MISTAKES],
    mistakes=_EARLY_MISTAKES,
)


# --- augmentation -------------------------------------------------------------------------

def _image_inputs(rng, n, dtype):
    height = n or 3
    img = rng.random((height, int(rng.integers(3, 9)))).astype(dtype)
    return img, int(rng.integers(-3, 4)), int(rng.integers(-3, 4))


_SMALL = np.arange(1.0, 13.0).reshape(3, 4)


def _rolled(img, dy, dx):
    return np.roll(np.asarray(img, dtype=np.float64), (dy, dx), axis=(0, 1))


SHIFT_IMAGE = chapter.exercise(
    shift_image,
    tol=EXACT,
    visible=[
        ("the worked example: a 3x4 image one row down", (_SMALL, 1, 0)),
        ("two columns left and one row up", (_SMALL, -1, -2)),
        ("a 3x3 identity as a list, one row down and one column right",
         ([[1.0, 0.0, 0.0], [0.0, 1.0, 0.0], [0.0, 0.0, 1.0]], 1, 1)),
    ],
    hidden=[
        random("wrong on random images and shifts", lambda rng: _image_inputs(rng, 8, np.float64),
               EXACT, trials=6),
        random("wrong for float32 images", lambda rng: _image_inputs(rng, 6, np.float32), F32),
        fixed("not all zero when the shift is larger than the image", (_SMALL, 0, 5), (_SMALL, -4, 0),
              tol=EXACT),
        fixed("wrong when the shift is zero", (_SMALL, 0, 0), tol=EXACT),
        fixed("wrong for an integer image", (np.arange(16).reshape(4, 4), 2, -1), tol=EXACT),
    ],
    n_of=lambda args: 1,
    mistakes=[
        mistake("np.roll wraps around", _rolled,
                "pixels that leave the frame must not come back on the other side: fill with zeros."),
        mistake("moves the wrong way", lambda img, dy, dx: shift_image(img, -dy, -dx),
                "positive dy moves the content down and positive dx to the right."),
        mistake("swaps dy and dx", lambda img, dy, dx: shift_image(img, dx, dy),
                "dy counts rows (the first axis), dx columns (the second)."),
    ],
)


def _batch_inputs(rng):
    n, h, w = int(rng.integers(1, 5)), int(rng.integers(3, 7)), int(rng.integers(3, 7))
    shifts = [(int(a), int(b)) for a, b in rng.integers(-2, 3, size=(int(rng.integers(1, 5)), 2))]
    return rng.random((n, h, w)), shifts


_BATCH = np.arange(1.0, 19.0).reshape(2, 3, 3)


def _image_major(images, shifts):
    images = np.asarray(images, dtype=np.float64)
    return np.stack([shift_image(img, dy, dx) for img in images for dy, dx in shifts])


def _no_fill(images, shifts):
    images = np.asarray(images, dtype=np.float64)
    return np.concatenate([np.roll(images, (dy, dx), axis=(1, 2)) for dy, dx in shifts])


AUGMENT_BATCH = chapter.exercise(
    augment_batch,
    tol=EXACT,
    visible=[
        ("the worked example: two 3x3 images, unshifted and one column right",
         (_BATCH, [(0, 0), (0, 1)])),
        ("three shifts given as lists", (_BATCH, [[1, 0], [-1, 0], [0, -1]])),
    ],
    hidden=[
        random("wrong on random batches and shifts", _batch_inputs, EXACT, trials=5),
        fixed("wrong for a single shift of a single image", (_BATCH[:1], [(2, 2)]), tol=EXACT),
        random("wrong for float32 images",
               lambda rng: (rng.random((3, 4, 4)).astype(np.float32), [(1, -1), (0, 0)]), F32),
    ],
    n_of=lambda args: 1,
    mistakes=[
        mistake("image-major order", _image_major,
                "keep the shifts as the outer loop: first every image under shifts[0], then "
                "every image under shifts[1], ..."),
        mistake("np.roll wraps around", _no_fill,
                "pixels that leave the frame must not come back on the other side: fill with zeros."),
    ],
)

EXERCISES = [L2_PENALTY, L2_GRAD, L1_PENALTY, L1_GRAD, DROPOUT_FORWARD, EARLY_STOPPING,
             SHIFT_IMAGE, AUGMENT_BATCH]
