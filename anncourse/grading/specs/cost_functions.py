"""Exercises of ``08-cost-functions``: the cost as a whole, not the catalogue of losses.

Every expected value comes from :mod:`anncourse.cost` (chapter 18's losses
are graded there, never here); :mod:`anncourse.grading.specbuilder` supplies
the keys, seeds, standard hidden checks and common hints.

What the checks must accept
---------------------------
Loops with :mod:`math` or vectorised NumPy; lists or arrays of any float or
integer dtype (labels as ``uint8``, as MNIST stores them); a float, a NumPy
scalar or a length-1 array for one number; a list or an array for
``reduction="none"`` and for one-hot rows (integers or booleans count as
0/1); the reduction given by position or by keyword.

A median is graded fairly
-------------------------
With an even number of targets every value between the two middle ones
(inclusive) minimises the MAE: the lower middle value, the upper one,
their midpoint (``np.median``) and anything between are all right.  The
visible MAE examples therefore have an odd number of targets, or two equal
middle values, so the answer is unique; the hidden check with an even
number of distinct targets accepts any value of that interval (up to
rounding) and nothing outside it.

Tolerances
----------
``EXACT = (1e-6, 1e-9)`` in float64: correct formulas (a loop, ``np.mean``,
``np.median``, ``math.log``) agree to ~1e-15; every listed mistake is off by
a factor, a term of ~0.1 or more, or a whole sample.  float32 input:
``(1e-4, 1e-5)``, ~7 digits per operation and a few lost over sums of at
most 40 numbers (the atol covers means near 0).  one-hot rows are exact
(0 and 1), ``atol = 0``.
"""
from __future__ import annotations

import math

import numpy as np

from ... import cost as reference
from ..properties import verdict
from ..specbuilder import Chapter, Hidden, Tol, fixed, mistake, random, standard

__all__ = ["EXERCISES"]

chapter = Chapter(__name__)

EXACT = Tol(1e-6, 1e-9)
F32 = Tol(1e-4, 1e-5)
ONE_HOT = Tol(0.0, 0.0)
LOSS = "a loss is never negative: check the minus sign (a log of a probability is negative)."


def _a(x):
    return np.asarray(x, dtype=float)


def _first_size(args) -> int:
    """The number of values in the first argument: what a mean divides by."""
    return int(np.asarray(args[0]).size)


# --- cost: the reductions ----------------------------------------------------------

def _losses(rng, n, dtype, reduction):
    values = rng.exponential(1.5, size=n or 1).astype(dtype)
    return (values,), {"reduction": reduction}


def _unreduced(args, expected, actual):
    """'none' means no reduction: the learner returned one number for several losses."""
    if expected.size > 1 and actual.size == 1:
        return ("reduction='none' means no reduction at all: return the n losses themselves, "
                "one per example.")
    return None


COST = chapter.exercise(
    reference.cost, tol=EXACT, n_of=_first_size, hints=[_unreduced],
    visible=[("the worked example: cost([0.5, 1.5, 4.0]) with the default reduction (the mean)",
              ([0.5, 1.5, 4.0],)),
             ("the same losses with reduction='sum' (given by position)",
              (np.array([0.5, 1.5, 4.0]), "sum")),
             ("reduction='none': the losses themselves", (np.array([0.5, 1.5, 4.0]), "none")),
             ("reduction='mean' of five losses, as a list", ([2.0, 0.0, 1.0, 3.0, 0.5], "mean"))],
    hidden=[standard(lambda rng, n, dtype: _losses(rng, n, dtype, "mean"), EXACT, F32,
                     batch_label="wrong mean of random losses",
                     single_label="wrong mean of a single loss"),
            random("wrong sum of random losses", lambda rng: _losses(rng, int(rng.integers(5, 40)),
                                                                      np.float64, "sum"), EXACT, 3),
            random("wrong for reduction 'none' on random losses",
                   lambda rng: _losses(rng, int(rng.integers(5, 40)), np.float64, "none"), EXACT, 3),
            fixed("wrong for one loss with each reduction", ((_a([2.5]),), {"reduction": "mean"}),
                  ((_a([2.5]),), {"reduction": "sum"}), ((_a([2.5]),), {"reduction": "none"}),
                  tol=EXACT),
            random("wrong sum or 'none' for float32 losses",
                   lambda rng: _losses(rng, 20, np.float32, str(rng.choice(["sum", "none"]))), F32, 4)],
    mistakes=[mistake("'none' reduced to the mean",
                      lambda x, reduction="mean": np.sum(_a(x)) if reduction == "sum" else np.mean(_a(x)),
                      "return the n losses themselves", specific=False),
              mistake("the sum for every reduction but 'none'",
                      lambda x, reduction="mean": _a(x) if reduction == "none" else np.sum(_a(x)),
                      "divide by n", specific=False),
              mistake("the mean for 'sum'",
                      lambda x, reduction="mean": _a(x) if reduction == "none" else np.mean(_a(x)),
                      "reduction='sum' adds the losses without dividing by n.")],
)


# --- best_constant: the mean, a median, the positive rate ---------------------------

def _targets(rng, n, dtype, kind, even=False):
    size = n or 1
    if kind == "bce":
        y = rng.integers(0, 2, size=size).astype(float)
        if size > 1:
            y[0], y[-1] = 1.0, 0.0
    else:
        if kind == "mae" and (size % 2 == 0) != even:
            size += 1
        # Heavy-tailed targets: the mean and the median differ.
        y = rng.standard_t(2.0, size=size) * 3.0 + rng.normal(0.0, 2.0)
    return y.astype(dtype), kind


def _any_kind(rng, n, dtype):
    return _targets(rng, n, dtype, str(rng.choice(["mse", "mae", "bce"])))


def _middle(y):
    """The two middle values of y (equal for an odd number of targets)."""
    s = np.sort(_a(y))
    return s[(len(s) - 1) // 2], s[len(s) // 2]


def _in_the_median_band(result, args):
    r = np.asarray(result, dtype=np.float64)
    if r.size != 1 or not np.isfinite(r).all():
        return "the result is not one finite number"
    low, high = _middle(args[0])
    slack = 1e-9 + 1e-6 * max(abs(low), abs(high))
    if low - slack <= float(r.reshape(())) <= high + slack:
        return None
    return "the result does not minimise the MAE (it is outside the two middle values)"


def _median_band(label: str, trials: int = 3) -> Hidden:
    """Any value between the two middle targets is accepted: all of them minimise the MAE."""

    def build(_reference, seed):
        def make(rng):
            return _targets(rng, int(rng.integers(3, 20)) * 2, np.float64, "mae", even=True)

        tests = [verdict(_in_the_median_band, make, seed=seed + k) for k in range(trials)]

        def test(func):
            for one in tests:
                reason = one(func)
                if reason is not None:
                    return reason
            return None

        return test

    return Hidden(label, build)


def _mean_everywhere(y, kind):
    return np.mean(_a(y))


def _median_everywhere(y, kind):
    return np.median(_a(y))


def _unsorted_middle(y, kind):
    y = _a(y)
    return y[len(y) // 2] if str(kind) == "mae" else np.mean(y)


def _majority_class(y, kind):
    y = _a(y)
    if str(kind) == "mae":
        return np.median(y)
    return float(np.mean(y) > 0.5) if str(kind) == "bce" else np.mean(y)


def _sum_for_mse(y, kind):
    y = _a(y)
    return np.median(y) if str(kind) == "mae" else (np.sum(y) if str(kind) == "mse" else np.mean(y))


BEST_CONSTANT = chapter.exercise(
    reference.best_constant, tol=EXACT, n_of=_first_size,
    visible=[("kind='mse': the targets' mean (y = [1, 2, 3, 10])", (_a([1, 2, 3, 10]), "mse")),
             ("kind='mae' with an odd number of targets (y = [10, 1, 2, 7, 3])",
              (_a([10, 1, 2, 7, 3]), "mae")),
             ("kind='bce': the rate of positives (labels [1, 0, 1, 1, 0])", (_a([1, 0, 1, 1, 0]), "bce")),
             ("kind='mae', six targets whose two middle values are equal, as a list",
              ([5.0, 1.0, 2.0, 2.0, 9.0, 0.0], "mae"))],
    hidden=[random("wrong for kind 'mse' on random targets",
                   lambda rng: _targets(rng, int(rng.integers(5, 40)), np.float64, "mse"), EXACT, 3),
            random("wrong for kind 'mae' with an odd number of targets",
                   lambda rng: _targets(rng, int(rng.integers(5, 40)), np.float64, "mae"), EXACT, 3),
            random("wrong for kind 'bce' on random labels",
                   lambda rng: _targets(rng, int(rng.integers(5, 40)), np.float64, "bce"), EXACT, 3),
            _median_band("does not minimise the MAE for an even number of distinct targets "
                         "(any value between the two middle ones counts)"),
            fixed("wrong when every label is 0 or every label is 1", (_a([0, 0, 0]), "bce"),
                  (_a([1, 1, 1, 1]), "bce"), tol=EXACT),
            fixed("wrong for a single target (each kind)", (_a([-2.5]), "mse"), (_a([-2.5]), "mae"),
                  (_a([1]), "bce"), tol=EXACT),
            random("does not accept Python lists",
                   lambda rng: (lambda y, kind: (y.tolist(), kind))(*_any_kind(rng, 7, np.float64)),
                   EXACT, 3),
            random("wrong for float32 targets", lambda rng: _any_kind(rng, 21, np.float32), F32, 3)],
    mistakes=[mistake("the mean for every kind", _mean_everywhere,
                      "the mean minimises the MSE, not the MAE: the MAE is lowest at a median, the "
                      "middle value once the targets are sorted."),
              mistake("the majority class for 'bce'", _majority_class,
                      "the BCE of a constant p is lowest at the share of positives, not at the "
                      "majority class: a constant 0 or 1 costs infinity on every example of the "
                      "other class."),
              mistake("the median for every kind", _median_everywhere,
                      "the median minimises the MAE, not the MSE: the squared error is lowest at "
                      "the mean of the targets."),
              mistake("the middle element without sorting", _unsorted_middle,
                      "that is the middle element in the order given: sort the targets first (or "
                      "use np.median)."),
              mistake("the sum for 'mse'", _sum_for_mse, "divide by n", specific=False)],
)


# --- chance_loss: ln C ------------------------------------------------------------------

CHANCE_LOSS = chapter.exercise(
    reference.chance_loss, tol=EXACT, sign=LOSS, logs=True,
    visible=[("ten classes (MNIST's digits)", (10,)),
             ("two classes (a coin toss)", (2,)),
             ("three classes", (3,))],
    hidden=[random("wrong for a random number of classes",
                   lambda rng: (int(rng.integers(4, 5000)),), EXACT, 5),
            fixed("wrong for one class (a sure guess costs nothing)", (1,), tol=EXACT),
            fixed("wrong for a million classes", (1_000_000,), tol=EXACT),
            random("does not accept a NumPy integer", lambda rng: (np.int64(rng.integers(4, 100)),),
                   EXACT, 2)],
    mistakes=[mistake("the probability 1/C", lambda c: 1.0 / float(c),
                      "that is the probability 1/C the guess gives each class; the loss is minus its "
                      "logarithm, -ln(1/C)."),
              mistake("log10", lambda c: math.log10(float(c)), "base 10", specific=False),
              mistake("log2", lambda c: math.log2(float(c)), "base 2", specific=False),
              mistake("ln(1/C)", lambda c: math.log(1.0 / float(c)), "wrong sign", specific=False)],
)


# --- one_hot --------------------------------------------------------------------------------

def _labels(rng, n, dtype=np.int64):
    """Labels of ``c`` classes, the highest of which never appears (as in a small batch)."""
    c = int(rng.integers(3, 12))
    return rng.integers(0, c - 1, size=n or 1).astype(dtype), c


def _columns(args, expected, actual):
    if actual.ndim == 2 and expected.ndim == 2 and actual.shape[0] == expected.shape[0] \
            and actual.shape[1] != expected.shape[1]:
        return ("one column per class: n_classes columns, even when the highest classes do not "
                "appear among these labels.")
    return None


def _highest_label_plus_one(labels, n_classes):
    labels = np.asarray(labels, dtype=int)
    return np.eye(labels.max() + 1)[labels]


def _transposed(labels, n_classes):
    return np.eye(int(n_classes))[np.asarray(labels, dtype=int)].T


def _shifted(labels, n_classes):
    return np.eye(int(n_classes))[np.asarray(labels, dtype=int) - 1]


ONE_HOT_EX = chapter.exercise(
    reference.one_hot, tol=ONE_HOT, hints=[_columns],
    visible=[("three labels, three classes (labels [1, 0, 2])", (np.array([1, 0, 2]), 3)),
             ("four classes, but the labels are only 0 and 1 (a list)", ([0, 1, 1], 4)),
             ("a single label", (np.array([3]), 5))],
    hidden=[random("wrong for random labels (the highest class may be absent)", lambda rng: _labels(rng, int(rng.integers(5, 40))),
                   ONE_HOT, 4),
            random("does not accept Python lists",
                   lambda rng: (lambda y, c: (y.tolist(), c))(*_labels(rng, 9)), ONE_HOT, 2),
            random("wrong for uint8 labels (as MNIST stores them)",
                   lambda rng: _labels(rng, 30, np.uint8), ONE_HOT, 2),
            random("wrong for int32 labels and a NumPy integer n_classes",
                   lambda rng: (lambda y, c: (y, np.int64(c)))(*_labels(rng, 12, np.int32)), ONE_HOT, 2),
            fixed("wrong for a thousand classes", (np.array([999, 0, 500]), 1000), tol=ONE_HOT)],
    mistakes=[mistake("as many columns as the highest label + 1", _highest_label_plus_one,
                      "one column per class", specific=False),
              mistake("transposed", _transposed, "is it transposed?", specific=False),
              mistake("labels counted from 1", _shifted,
                      "label k goes in column k, counting from 0 (label 0 in the first column).")],
)


# --- gaussian_nll -------------------------------------------------------------------------

_HALF_LN_2PI = 0.5 * math.log(2 * math.pi)


def _nll_terms(y, mu, sigma, log_sigma=1.0, const=1.0, power=2, two=2.0):
    y, mu, sigma = _a(y), _a(mu), _a(sigma)
    return (log_sigma * np.log(sigma) + const * _HALF_LN_2PI
            + (y - mu) ** 2 / (two * sigma ** power))


def _gaussian(rng, n, dtype, per_sample=False):
    size = n or 1
    mu = rng.normal(0.0, 3.0, size=size)
    sigma = rng.uniform(0.3, 3.0, size=size) if per_sample else float(rng.uniform(0.3, 3.0))
    y = mu + rng.normal(0.0, 1.0, size=size) * (sigma if per_sample else sigma)
    if per_sample:
        return y.astype(dtype), mu.astype(dtype), sigma.astype(dtype)
    return y.astype(dtype), mu.astype(dtype), sigma


GAUSSIAN_NLL = chapter.exercise(
    reference.gaussian_nll, tol=EXACT, n_of=_first_size, sign=LOSS,
    visible=[("the worked example (y = [1, 4], mu = [2, 3], sigma = 3)", (_a([1, 4]), _a([2, 3]), 3.0)),
             ("a standard normal at its mean (y = mu = 0, sigma = 1)", (_a([0.0]), _a([0.0]), 1.0)),
             ("one sigma per example, as lists",
              ([0.5, -1.0, 2.0], [0.0, 0.0, 1.0], [0.5, 1.0, 3.0]))],
    hidden=[standard(_gaussian, EXACT, F32, batch_label="wrong on random targets with one sigma"),
            random("wrong with one sigma per example",
                   lambda rng: _gaussian(rng, int(rng.integers(5, 40)), np.float64, True), EXACT, 3),
            random("wrong for a small sigma",
                   lambda rng: (_a(rng.normal(size=6)), _a(rng.normal(size=6)), 0.01), EXACT, 2)],
    mistakes=[mistake("no ln sigma", lambda y, m, s: np.mean(_nll_terms(y, m, s, log_sigma=0.0)),
                      "the density's factor 1/(sigma*sqrt(2*pi)) gives + ln(sigma) in the negative "
                      "log-likelihood: it is missing."),
              mistake("no ln(2 pi)/2", lambda y, m, s: np.mean(_nll_terms(y, m, s, const=0.0)),
                      "the constant ln(2*pi)/2 is missing: it does not move the minimum, but it is "
                      "part of the negative log-likelihood."),
              mistake("sigma not squared", lambda y, m, s: np.mean(_nll_terms(y, m, s, power=1)),
                      "divide the squared error by 2*sigma**2 (twice the variance), not by 2*sigma."),
              mistake("no 2 under the square", lambda y, m, s: np.mean(_nll_terms(y, m, s, two=1.0)),
                      "the exponent of the density is -(y - mu)**2 / (2*sigma**2): the 2 is missing."),
              mistake("ln(sigma**2)", lambda y, m, s: np.mean(_nll_terms(y, m, s, log_sigma=2.0)),
                      "-ln(1/(sigma*sqrt(2*pi))) is ln(sigma) + ln(2*pi)/2: ln(sigma), not "
                      "ln(sigma**2)."),
              mistake("the log-likelihood (no minus)", lambda y, m, s: -np.mean(_nll_terms(y, m, s)),
                      "wrong sign", specific=False),
              mistake("the sum over examples", lambda y, m, s: np.sum(_nll_terms(y, m, s)),
                      "divide by n", specific=False)],
)

EXERCISES = [COST, BEST_CONSTANT, CHANCE_LOSS, ONE_HOT_EX, GAUSSIAN_NLL]
