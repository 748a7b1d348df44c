"""Exercises of ``11-advanced-topics``: batch normalisation and frozen layers.

Every expected value comes from a reference below, written with NumPy in the
form the learner writes; ``tests/test_advanced_topics_spec.py`` checks each
reference against :class:`anncourse.nn.BatchNorm1d` (forward in both modes,
running statistics, backward) and against PyTorch's ``nn.BatchNorm1d``.
:mod:`anncourse.grading.specbuilder` supplies the keys, seeds and hidden
checks of the array exercises; the structured ones (a tuple of parts) are
built as :class:`~anncourse.grading.core.Exercise` with ``parts=``, so that
the feedback names the wrong part.

Conventions fixed by the exercises (stated in the notebook)
-----------------------------------------------------------
* ``x`` is a batch of shape ``(N, C)``: ``N`` samples (rows), ``C`` features.
  Statistics run over the samples, one per feature (``axis=0``).
* Training mode normalises with the **biased** batch variance (divide by
  ``N``); the running variance is updated with the **unbiased** one (divide
  by ``N - 1``), as PyTorch does.  ``momentum`` is the weight of the new
  batch (PyTorch's convention, not Keras's).
* ``eps`` goes inside the square root: ``sqrt(var + eps)``.
* ``trainable_parameters(sizes, n_frozen)``: a dense MLP with biases whose
  layer widths are ``sizes = [n0, n1, ..., nL]`` has ``L`` layers; layer
  ``i`` (1-based) has ``n_{i-1} * n_i`` weights and ``n_i`` biases; the
  first ``n_frozen`` layers (``0 <= n_frozen <= L``) are frozen.

Styles that must pass: loops over features or samples with :mod:`math`, or
vectorised NumPy; Python lists or arrays; float32 input; a tuple or a dict
(keys ``running_mean``, ``running_var``; ``dx``, ``dgamma``, ``dbeta``) for a
structured answer; any correct backward formula (the step-by-step graph of
the forward pass, or the compact three-term form).

Tolerances
----------
``EXACT`` (rtol 1e-7, atol 1e-9) in float64: correct formulas that differ in
the order of their sums agree to about 1e-14 on the inputs used (feature
means within +-3, standard deviations from 0.3 to 3, and one feature with a
standard deviation of 0.01 in the visible cases).  The tolerance is tight
on purpose: putting ``eps`` outside the square root changes ``x_hat`` by a
relative ``eps / (2 var)``, 2e-6 for a variance of 2.5, and by 5 % for the
visible cases' low-variance feature, so that mistake cannot pass.
``GRAD`` (rtol 1e-6, atol 1e-8): the three-term backward formula and the
step-by-step one cancel differently; ``dx`` entries near 0 come out as about
1e-15 times the size of ``dout * gamma / std``, which stays below 100 here.
float32 input is compared at ``F32`` (rtol 1e-4, atol 1e-4): about 7 digits
per operation, a few lost in the sums over up to 20 samples and in ``dx``'s
cancellation.  ``trainable_parameters`` is a count: exact (atol 0.5 would
also accept a float that is off by rounding, which a product of ints never is).
"""
from __future__ import annotations

import numpy as np

from ..core import Case, Exercise, Mistake, Part, Property, call_learner
from ..properties import _rng, matches_reference, scenario_matches
from ..specbuilder import Chapter, Tol, fixed, holds, mistake, random, seed_for, standard

__all__ = ["EXERCISES", "batchnorm_backward", "batchnorm_eval", "batchnorm_train",
           "trainable_parameters", "update_running_stats"]

chapter = Chapter(__name__)

EXACT = Tol(1e-7, 1e-9)
GRAD = Tol(1e-6, 1e-8)
F32 = Tol(1e-4, 1e-4)
COUNT = Tol(0.0, 0.0)


def _a(x):
    return np.asarray(x, dtype=np.float64)


# --- references --------------------------------------------------------------------

def batchnorm_train(x, gamma, beta, eps=1e-5):
    """Batch normalisation in training mode: each column with its batch mean and biased variance."""
    x = _a(x)
    mean = x.mean(axis=0)
    var = ((x - mean) ** 2).mean(axis=0)
    return _a(gamma) * (x - mean) / np.sqrt(var + eps) + _a(beta)


def batchnorm_eval(x, running_mean, running_var, gamma, beta, eps=1e-5):
    """Batch normalisation in evaluation mode: the running statistics replace the batch's."""
    x_hat = (_a(x) - _a(running_mean)) / np.sqrt(_a(running_var) + eps)
    return _a(gamma) * x_hat + _a(beta)


def update_running_stats(running_mean, running_var, x, momentum=0.1):
    """One update of the running statistics, as PyTorch does it (unbiased batch variance)."""
    x = _a(x)
    n = x.shape[0]
    mean = x.mean(axis=0)
    unbiased = ((x - mean) ** 2).sum(axis=0) / (n - 1)
    new_mean = (1 - momentum) * _a(running_mean) + momentum * mean
    new_var = (1 - momentum) * _a(running_var) + momentum * unbiased
    return new_mean, new_var


def batchnorm_backward(dout, x, gamma, eps=1e-5):
    """Gradients of training-mode batch normalisation: ``(dx, dgamma, dbeta)``."""
    x, g = _a(x), _a(dout)
    n = x.shape[0]
    mean = x.mean(axis=0)
    inv_std = 1.0 / np.sqrt(((x - mean) ** 2).mean(axis=0) + eps)
    x_hat = (x - mean) * inv_std
    dbeta = g.sum(axis=0)
    dgamma = (g * x_hat).sum(axis=0)
    g_hat = g * _a(gamma)
    dx = inv_std / n * (n * g_hat - g_hat.sum(axis=0) - x_hat * (g_hat * x_hat).sum(axis=0))
    return dx, dgamma, dbeta


def trainable_parameters(sizes, n_frozen):
    """Weights and biases of the layers after the first ``n_frozen`` of a dense MLP."""
    sizes = [int(s) for s in sizes]
    return sum(a * b + b for a, b in list(zip(sizes[:-1], sizes[1:]))[int(n_frozen):])


# --- inputs --------------------------------------------------------------------

# Three samples of three features; the third feature barely varies (std 0.01),
# so eps matters there: sqrt(var + eps) is not sqrt(var) + eps.
X3 = _a([[1.0, 2.0, 5.00], [2.0, -1.0, 5.01], [6.0, 2.0, 4.99]])
GAMMA3, BETA3 = _a([1.0, 2.0, 0.5]), _a([0.0, -1.0, 3.0])


def _features(rng, n, dtype):
    """A batch (n, C) with features of different means and spreads, and gamma, beta."""
    c = int(rng.integers(2, 6))
    loc, scale = rng.uniform(-3, 3, c), rng.uniform(0.3, 3.0, c)
    x = rng.normal(loc, scale, size=(n, c))
    gamma = rng.uniform(0.5, 2.0, c) * rng.choice([-1.0, 1.0], c)
    return x.astype(dtype), gamma.astype(dtype), rng.normal(size=c).astype(dtype)


def _train_args(rng, n, dtype):
    return _features(rng, 2 if n is None else n, dtype)


def _eval_args(rng, n, dtype):
    c = int(rng.integers(2, 6))
    x = rng.normal(rng.uniform(-3, 3, c), 2.0, size=(n, c) if n else c)
    mean, var = rng.uniform(-3, 3, c), rng.uniform(0.05, 4.0, c)
    _, gamma, beta = _features(rng, 2, np.float64)
    gamma, beta = gamma[:1].repeat(c), beta[:1].repeat(c)
    return tuple(a.astype(dtype) for a in (x, mean, var, gamma, beta))


def _stats_args(rng, n, dtype):
    x, _, _ = _features(rng, 2 if n is None else n, dtype)
    c = x.shape[1]
    return (rng.uniform(-1, 1, c).astype(dtype), rng.uniform(0.5, 2.0, c).astype(dtype), x)


def _backward_args(rng, n, dtype):
    x, gamma, _ = _features(rng, 2 if n is None else n, dtype)
    return rng.normal(size=x.shape).astype(dtype), x, gamma


def _constant_feature(rng):
    x, gamma, beta = _features(rng, 6, np.float64)
    x[:, 0] = 2.5  # a feature that never changes in this batch: var = 0
    return x, gamma, beta


def _sizes(rng):
    layers = int(rng.integers(2, 7))
    sizes = [int(s) for s in rng.integers(1, 1000, size=layers + 1)]
    return sizes, int(rng.integers(0, layers + 1))


# --- the exercises ---------------------------------------------------------------

def _unbiased_train(x, gamma, beta, eps=1e-5):
    x = _a(x)
    return _a(gamma) * (x - x.mean(0)) / np.sqrt(x.var(0, ddof=1) + eps) + _a(beta)


def _rows_train(x, gamma, beta, eps=1e-5):
    x = _a(x)
    mean, var = x.mean(1, keepdims=True), x.var(1, keepdims=True)
    return _a(gamma) * (x - mean) / np.sqrt(var + eps) + _a(beta)


def _eps_outside(x, gamma, beta, eps=1e-5):
    x = _a(x)
    return _a(gamma) * (x - x.mean(0)) / (x.std(0) + eps) + _a(beta)


def _swapped_affine(x, gamma, beta, eps=1e-5):
    return batchnorm_train(x, beta, gamma, eps)


def _no_affine(x, gamma, beta, eps=1e-5):
    return batchnorm_train(x, np.ones_like(_a(gamma)), np.zeros_like(_a(beta)), eps)


def _normalised(out) -> bool:
    # gamma = 1, beta = 0: each column has mean 0 and (biased) variance var / (var + eps) ~ 1.
    return out.ndim == 2 and bool(np.allclose(out.mean(0), 0, atol=1e-9)) and bool(
        np.allclose((out ** 2).mean(0), 1, atol=1e-4))


BATCHNORM_TRAIN = chapter.exercise(
    batchnorm_train, tol=EXACT,
    visible=[("the worked example: three samples, three features (gamma = [1, 2, 0.5], "
              "beta = [0, -1, 3])", (X3, GAMMA3, BETA3)),
             ("four samples of two features, gamma = 1, beta = 0, as Python lists",
              ([[0.0, 10.0], [1.0, 20.0], [2.0, 30.0], [5.0, 40.0]], [1.0, 1.0], [0.0, 0.0]))],
    hidden=[random("wrong on random batches", lambda rng: _train_args(rng, int(rng.integers(5, 40)),
                                                                        np.float64), EXACT, trials=5),
            random("wrong for a batch of two samples", lambda rng: _train_args(rng, 2, np.float64),
                   EXACT, trials=3),
            random("does not accept Python lists",
                   lambda rng: tuple(a.tolist() for a in _train_args(rng, 7, np.float64)), EXACT),
            random("wrong for float32 input", lambda rng: _train_args(rng, 20, np.float32), F32),
            random("wrong with another eps (use the argument)",
                   lambda rng: (_train_args(rng, 8, np.float64), {"eps": 0.5}), EXACT),
            fixed("wrong or not finite for a feature that is constant in the batch (var = 0)",
                  _constant_feature(np.random.default_rng(11)), tol=EXACT),
            holds("with gamma = 1 and beta = 0, a column's mean is not 0 or its mean square not 1",
                  _normalised, lambda rng: (rng.normal(2.0, 3.0, size=(16, 4)), np.ones(4),
                                            np.zeros(4)),
                  "the columns are not normalised")],
    mistakes=[mistake("unbiased variance", _unbiased_train,
                      "you divided the variance by N - 1: in training mode batch normalisation "
                      "uses the biased variance, the mean of the squared deviations (divide by N)."),
              mistake("statistics over each sample (axis=1)", _rows_train,
                      "you normalised each sample (row) over its features: batch normalisation "
                      "takes the mean and variance of each feature over the batch (axis=0)."),
              mistake("eps outside the square root", _eps_outside,
                      "eps goes inside the square root: divide by sqrt(var + eps), not by "
                      "sqrt(var) + eps (look at the feature with the tiny variance)."),
              mistake("gamma and beta swapped", _swapped_affine,
                      "gamma scales and beta shifts: y = gamma * x_hat + beta."),
              mistake("no gamma and beta", _no_affine,
                      "you returned x_hat: scale it by gamma and shift it by beta.")],
)


def _batch_stats_eval(x, running_mean, running_var, gamma, beta, eps=1e-5):
    x = _a(x)
    return batchnorm_train(x, gamma, beta, eps) if x.ndim == 2 else batchnorm_train(
        x[None, :], gamma, beta, eps)[0]


def _var_as_std(x, running_mean, running_var, gamma, beta, eps=1e-5):
    return _a(gamma) * (_a(x) - _a(running_mean)) / (_a(running_var) + eps) + _a(beta)


BATCHNORM_EVAL = chapter.exercise(
    batchnorm_eval, tol=EXACT,
    visible=[("the worked example: the three samples with running mean [2, 1, 5] and running "
              "variance [4, 1, 0.0001]", (X3, _a([2.0, 1.0, 5.0]), _a([4.0, 1.0, 1e-4]), GAMMA3,
                                          BETA3)),
             ("one sample on its own (1-D), as Python lists",
              ([3.0, 0.0], [1.0, 2.0], [4.0, 0.25], [1.5, 1.0], [0.5, 0.0]))],
    hidden=[standard(_eval_args, EXACT, F32, sizes=(2, 40)),
            random("wrong with another eps (use the argument)",
                   lambda rng: (_eval_args(rng, 5, np.float64), {"eps": 0.5}), EXACT),
            holds("two copies of a sample in one batch do not get the same output",
                  lambda out: out.shape == (3, 2) and bool(np.allclose(out[0], out[2], rtol=0,
                                                                       atol=1e-12)),
                  (_a([[1.0, 2.0], [4.0, -1.0], [1.0, 2.0]]), _a([0.5, 0.5]), _a([2.0, 3.0]),
                   _a([1.0, 1.0]), _a([0.0, 0.0])),
                  "the output depends on the rest of the batch")],
    mistakes=[mistake("batch statistics at evaluation", _batch_stats_eval,
                      "you used the batch's own mean and variance: in evaluation mode use the "
                      "running_mean and running_var you are given, so that each sample's output "
                      "does not depend on the others."),
              mistake("variance used as a standard deviation", _var_as_std,
                      "divide by the square root of (running_var + eps): running_var is a "
                      "variance, not a standard deviation.")],
)


def _structured(reference, parts, visible, hidden, mistakes, tol):
    """An exercise whose answer is a tuple (or dict) of ``parts``, each compared on its own."""
    name = reference.__name__
    key = f"{chapter.slug}/{name}"
    cases = [Case(label, tuple(args), reference, dict(kwargs), rtol=tol.rtol, atol=tol.atol)
             for label, args, kwargs in visible]
    props = [Property(label, build(key, label)) for label, build in hidden]
    return Exercise(key=key, function_name=name, visible=cases, hidden=props, reference=reference,
                    parts=tuple(Part(p) for p in parts),
                    mistakes=[Mistake(label, func, hint) for label, func, hint in mistakes])


def _agrees(make, tol, trials=3, reference=None):
    """A hidden check builder: agree with ``reference`` on ``trials`` inputs ``make(rng)``."""
    def build(key, label):
        return matches_reference(reference, make, trials=trials, rtol=tol.rtol, atol=tol.atol,
                                 seed=seed_for(key, label))
    return build


def several_batches(update, running_mean, running_var, batches, momentum):
    """Feed ``batches`` one after the other through ``update``; return the final statistics.

    A scenario driver: it runs where the learner's function lives and uses NumPy only.
    """
    import numpy as np

    mean, var = np.asarray(running_mean, dtype=float), np.asarray(running_var, dtype=float)
    for batch in batches:
        new = update(mean, var, np.asarray(batch, dtype=float), momentum=momentum)
        if isinstance(new, dict):
            new = (new["running_mean"], new["running_var"])
        mean = np.asarray(new[0], dtype=float)
        var = np.asarray(new[1], dtype=float)
    return mean, var


def _batches(rng):
    c = int(rng.integers(2, 5))
    loc, scale = rng.uniform(-3, 3, c), rng.uniform(0.3, 3.0, c)
    batches = [rng.normal(loc, scale, size=(int(rng.integers(2, 20)), c)) for _ in range(6)]
    return (np.zeros(c), np.ones(c), batches, float(rng.choice([0.1, 0.3, 0.05])))


def _scenario(make, tol, trials=2):
    def build(key, label):
        return scenario_matches(update_running_stats, several_batches, make, trials=trials,
                                rtol=tol.rtol, atol=tol.atol, seed=seed_for(key, label))
    return build


def _biased_running(running_mean, running_var, x, momentum=0.1):
    x = _a(x)
    return ((1 - momentum) * _a(running_mean) + momentum * x.mean(0),
            (1 - momentum) * _a(running_var) + momentum * x.var(0))


def _keras_momentum(running_mean, running_var, x, momentum=0.1):
    return update_running_stats(running_mean, running_var, x, momentum=1 - momentum)


def _std_running(running_mean, running_var, x, momentum=0.1):
    x = _a(x)
    return ((1 - momentum) * _a(running_mean) + momentum * x.mean(0),
            (1 - momentum) * _a(running_var) + momentum * x.std(0, ddof=1))


_STATS_X = _a([[1.0, 2.0], [3.0, 2.0], [8.0, 5.0]])

UPDATE_RUNNING_STATS = _structured(
    update_running_stats, ("running_mean", "running_var"), tol=EXACT,
    visible=[("the worked example: from the initial statistics (mean 0, variance 1), one batch "
              "of three samples", (_a([0.0, 0.0]), _a([1.0, 1.0]), _STATS_X), {}),
             ("momentum 0.5, as Python lists",
              ([1.0, -1.0], [2.0, 0.5], [[0.0, 1.0], [2.0, 3.0], [4.0, 2.0], [2.0, 2.0]]),
              {"momentum": 0.5})],
    hidden=[("wrong on random batches", _agrees(lambda rng: _stats_args(rng, int(rng.integers(3, 40)),
                                                                        np.float64), EXACT, 5,
                                                update_running_stats)),
            ("wrong for a batch of two samples",
             _agrees(lambda rng: _stats_args(rng, 2, np.float64), EXACT, 2, update_running_stats)),
            ("does not accept Python lists",
             _agrees(lambda rng: tuple(a.tolist() for a in _stats_args(rng, 6, np.float64)), EXACT,
                     2, update_running_stats)),
            ("wrong for float32 input",
             _agrees(lambda rng: _stats_args(rng, 20, np.float32), F32, 2, update_running_stats)),
            ("wrong with momentum 1 (the new batch only) or 0 (no change)",
             _agrees(lambda rng: (_stats_args(rng, 5, np.float64),
                                  {"momentum": float(rng.choice([0.0, 1.0]))}),
                     EXACT, 4, update_running_stats)),
            ("running statistics differ from PyTorch's after six batches in a row",
             _scenario(_batches, EXACT))],
    mistakes=[("biased variance in the running estimate", _biased_running, "running_var"),
              ("Keras's momentum (weight of the old value)", _keras_momentum, "running_mean"),
              ("standard deviation instead of variance", _std_running, "running_var")],
)


def _constant_stats(dout, x, gamma, eps=1e-5):
    """Treats the batch mean and variance as constants (the evaluation-mode gradient)."""
    x, g = _a(x), _a(dout)
    x_hat = (x - x.mean(0)) / np.sqrt(x.var(0) + eps)
    return g * _a(gamma) / np.sqrt(x.var(0) + eps), (g * x_hat).sum(0), g.sum(0)


def _mean_path_only(dout, x, gamma, eps=1e-5):
    """Keeps the path through the mean, forgets the one through the variance."""
    x, g = _a(x), _a(dout)
    inv_std = 1 / np.sqrt(x.var(0) + eps)
    x_hat = (x - x.mean(0)) * inv_std
    g_hat = g * _a(gamma)
    return inv_std * (g_hat - g_hat.mean(0)), (g * x_hat).sum(0), g.sum(0)


def _dgamma_without_norm(dout, x, gamma, eps=1e-5):
    dx, _, dbeta = batchnorm_backward(dout, x, gamma, eps)
    return dx, (_a(dout) * _a(x)).sum(0), dbeta


def _dx_sums_to_zero(result) -> bool:
    # Shifting every sample of a feature by the same amount changes nothing in
    # training mode (the mean absorbs it), so dx sums to 0 over the batch.
    try:
        dx = np.asarray(result[0] if not isinstance(result, dict) else result["dx"], dtype=float)
    except (KeyError, TypeError, ValueError, IndexError):
        return False
    return dx.ndim == 2 and bool(np.allclose(dx.sum(0), 0.0, atol=1e-9))


_DOUT3 = _a([[0.5, -1.0, 1.0], [1.0, 0.0, -2.0], [-0.5, 2.0, 0.5]])


def _dx_zero_sum_check(key, label):
    def test(func):
        rng = _rng(seed_for(key, label))  # salted like every hidden input
        args = _backward_args(rng, 9, np.float64)
        result = call_learner(func, args, {})
        return None if _dx_sums_to_zero(result) else "dx does not sum to 0 over the batch"
    return test


BATCHNORM_BACKWARD = _structured(
    batchnorm_backward, ("dx", "dgamma", "dbeta"), tol=GRAD,
    visible=[("the worked example: the three samples with an upstream gradient dout",
              (_DOUT3, X3, GAMMA3), {}),
             ("four samples of two features, as Python lists",
              ([[1.0, 0.0], [0.0, 1.0], [2.0, -1.0], [0.5, 0.5]],
               [[0.0, 10.0], [1.0, 20.0], [2.0, 30.0], [5.0, 40.0]], [1.0, -2.0]), {})],
    hidden=[("wrong on random batches", _agrees(lambda rng: _backward_args(rng, int(rng.integers(5, 40)),
                                                                           np.float64), GRAD, 5,
                                                batchnorm_backward)),
            ("wrong for a batch of two samples",
             _agrees(lambda rng: _backward_args(rng, 2, np.float64), GRAD, 2, batchnorm_backward)),
            ("does not accept Python lists",
             _agrees(lambda rng: tuple(a.tolist() for a in _backward_args(rng, 6, np.float64)), GRAD,
                     2, batchnorm_backward)),
            ("wrong for float32 input",
             _agrees(lambda rng: _backward_args(rng, 20, np.float32), F32, 2, batchnorm_backward)),
            ("wrong with another eps (use the argument)",
             _agrees(lambda rng: (_backward_args(rng, 8, np.float64), {"eps": 0.5}), GRAD, 2,
                     batchnorm_backward)),
            ("dx does not sum to 0 over the batch for every feature", _dx_zero_sum_check)],
    mistakes=[("mean and variance treated as constants", _constant_stats, "dx"),
              ("the path through the variance forgotten", _mean_path_only, "dx"),
              ("dgamma from x instead of x_hat", _dgamma_without_norm, "dgamma")],
)


def _no_biases(sizes, n_frozen):
    sizes = [int(s) for s in sizes]
    return sum(a * b for a, b in list(zip(sizes[:-1], sizes[1:]))[int(n_frozen):])


def _frozen_count(sizes, n_frozen):
    return trainable_parameters(sizes, 0) - trainable_parameters(sizes, n_frozen)


def _sizes_as_layers(sizes, n_frozen):
    """Freezes the layers *before* widths ``sizes[n_frozen:]``... one layer too many."""
    return trainable_parameters(sizes, int(n_frozen) + 1)


TRAINABLE_PARAMETERS = chapter.exercise(
    trainable_parameters, tol=COUNT,
    visible=[("the worked example: [784, 256, 128, 10] with the first 2 layers frozen",
              ([784, 256, 128, 10], 2)),
             ("nothing frozen: every parameter trains", ([64, 32, 10], 0)),
             ("everything frozen", ([64, 32, 10], 2))],
    hidden=[random("wrong on random networks", _sizes, COUNT, trials=6),
            fixed("wrong when one layer (the output) trains", ([2048, 1000, 512, 5], 2), tol=COUNT),
            fixed("wrong for a network with one layer", ([10, 3], 0), ([10, 3], 1), tol=COUNT),
            fixed("wrong when sizes is a tuple or a NumPy array",
                  ((300, 100, 10), 1), (np.array([300, 100, 10]), 1), tol=COUNT),
            fixed("wrong for a large network (no overflow)", ([50000, 50000, 50000, 1000], 1),
                  tol=COUNT)],
    mistakes=[mistake("forgets the biases", _no_biases,
                      "the biases are missing: each layer also has one bias per output neuron."),
              mistake("counts the frozen parameters", _frozen_count,
                      "that is the number of frozen parameters: count the layers after the "
                      "first n_frozen."),
              mistake("one layer too many frozen", _sizes_as_layers,
                      "you froze one layer too many: sizes lists widths, so layer 1 goes from "
                      "sizes[0] to sizes[1], and n_frozen = 2 freezes layers 1 and 2 only.")],
)

EXERCISES = [BATCHNORM_TRAIN, BATCHNORM_EVAL, UPDATE_RUNNING_STATS, BATCHNORM_BACKWARD,
             TRAINABLE_PARAMETERS]
