"""The checks of ``18-loss-functions`` pass every correct answer and fail the usual wrong ones.

Correct answers come in several styles a learner might write (loops with
:mod:`math`, vectorised NumPy, different ways of keeping ``log`` finite,
different return types); wrong answers are the mistakes the hints are for.
"""
from __future__ import annotations

import math
import re
import sys
import warnings

import nbformat
import numpy as np
import pytest

from anncourse import activations, losses
from anncourse.grading import CheckFailed, check
from anncourse.grading.core import Case
from anncourse.grading.specs import exercises, get_exercise
from anncourse.grading.specs import loss_functions as spec

from conftest import ROOT

SLUG = "18-loss-functions"
NAMES = ["mse", "mse_grad", "binary_cross_entropy", "binary_cross_entropy_grad",
         "categorical_cross_entropy", "softmax_cross_entropy_grad", "huber", "hinge",
         "kl_divergence"]


def key(name):
    return f"{SLUG}/{name}"


def passes(func, name):
    check(func, key(name))
    check(func, key(name), hidden=True)


def visible_failure(func, name) -> str:
    with pytest.raises(CheckFailed) as info:
        check(func, key(name))
    return str(info.value)


def hidden_failure(func, name) -> str:
    with pytest.raises(CheckFailed) as info:
        check(func, key(name), hidden=True)
    return str(info.value)


# --- correct answers, style 1: vectorised NumPy, clip with eps = 1e-12 ---------

class Vectorised:
    EPS = 1e-12

    @staticmethod
    def mse(y_true, y_pred):
        y_true, y_pred = np.asarray(y_true, dtype=float), np.asarray(y_pred, dtype=float)
        return np.mean((y_true - y_pred) ** 2)

    @staticmethod
    def mse_grad(y_true, y_pred):
        y_true, y_pred = np.asarray(y_true, dtype=float), np.asarray(y_pred, dtype=float)
        return 2 * (y_pred - y_true) / y_true.size

    @classmethod
    def binary_cross_entropy(cls, y_true, p_pred):
        y = np.asarray(y_true, dtype=float)
        p = np.clip(np.asarray(p_pred, dtype=float), cls.EPS, 1 - cls.EPS)
        return -np.mean(y * np.log(p) + (1 - y) * np.log(1 - p))

    @staticmethod
    def binary_cross_entropy_grad(y_true, p_pred):
        y, p = np.asarray(y_true, dtype=float), np.asarray(p_pred, dtype=float)
        return (-y / p + (1 - y) / (1 - p)) / y.size

    @classmethod
    def categorical_cross_entropy(cls, y_true_onehot, p_pred):
        y = np.atleast_2d(np.asarray(y_true_onehot, dtype=float))
        p = np.clip(np.atleast_2d(np.asarray(p_pred, dtype=float)), cls.EPS, 1.0)
        return np.mean(-np.sum(y * np.log(p), axis=1))

    @staticmethod
    def softmax_cross_entropy_grad(y_true_onehot, logits):
        y, z = np.asarray(y_true_onehot, dtype=float), np.asarray(logits, dtype=float)
        e = np.exp(z - z.max(axis=-1, keepdims=True))
        p = e / e.sum(axis=-1, keepdims=True)
        n = z.shape[0] if z.ndim == 2 else 1
        return (p - y) / n

    @staticmethod
    def huber(y_true, y_pred, delta=1.0):
        e = np.abs(np.asarray(y_true, dtype=float) - np.asarray(y_pred, dtype=float))
        return np.mean(np.where(e <= delta, 0.5 * e ** 2, delta * (e - 0.5 * delta)))

    @staticmethod
    def hinge(y_true, score):
        y, s = np.asarray(y_true, dtype=float), np.asarray(score, dtype=float)
        return np.mean(np.maximum(0.0, 1.0 - y * s))

    @staticmethod
    def kl_divergence(p, q):
        p, q = np.asarray(p, dtype=float), np.asarray(q, dtype=float)
        terms = np.where(p > 0, p * np.log(np.where(p > 0, p, 1.0) / q), 0.0)
        per_row = terms.sum(axis=-1)
        return per_row.mean()


# --- style 2: loops with math, clip with eps = 1e-7, Python floats and lists ---

class Loops:
    EPS = 1e-7

    @staticmethod
    def mse(y_true, y_pred):
        total = 0.0
        for y, p in zip(y_true, y_pred):
            total += (y - p) * (y - p)
        return total / len(y_true)

    @staticmethod
    def mse_grad(y_true, y_pred):
        n = len(y_true)
        return [2 * (float(p) - float(y)) / n for y, p in zip(y_true, y_pred)]

    @classmethod
    def binary_cross_entropy(cls, y_true, p_pred):
        total = 0.0
        for y, p in zip(y_true, p_pred):
            p = min(max(float(p), cls.EPS), 1 - cls.EPS)
            total += y * math.log(p) + (1 - y) * math.log(1 - p)
        return -total / len(y_true)

    @staticmethod
    def binary_cross_entropy_grad(y_true, p_pred):
        n = len(y_true)
        return [(float(p) - y) / (p * (1 - p)) / n for y, p in zip(y_true, p_pred)]

    @classmethod
    def categorical_cross_entropy(cls, y_true_onehot, p_pred):
        rows_y, rows_p = list(y_true_onehot), list(p_pred)
        if np.ndim(y_true_onehot) == 1:
            rows_y, rows_p = [rows_y], [rows_p]
        total = 0.0
        for ys, ps in zip(rows_y, rows_p):
            for y, p in zip(ys, ps):
                if y != 0:
                    total -= y * math.log(max(float(p), cls.EPS))
        return total / len(rows_y)

    @staticmethod
    def softmax_cross_entropy_grad(y_true_onehot, logits):
        single = np.ndim(logits) == 1
        rows_y = [list(y_true_onehot)] if single else [list(r) for r in y_true_onehot]
        rows_z = [list(logits)] if single else [list(r) for r in logits]
        n = len(rows_z)
        out = []
        for ys, zs in zip(rows_y, rows_z):
            top = max(zs)
            exps = [math.exp(float(z) - float(top)) for z in zs]
            total = sum(exps)
            out.append([(e / total - float(y)) / n for e, y in zip(exps, ys)])
        return out[0] if single else out

    @staticmethod
    def huber(y_true, y_pred, delta=1.0):
        total = 0.0
        for y, p in zip(y_true, y_pred):
            e = abs(float(y) - float(p))
            total += 0.5 * e * e if e <= delta else delta * e - 0.5 * delta * delta
        return total / len(y_true)

    @staticmethod
    def hinge(y_true, score):
        return sum(max(0.0, 1.0 - float(y) * float(s)) for y, s in zip(y_true, score)) / len(score)

    @classmethod
    def kl_divergence(cls, p, q):
        rows_p, rows_q = ([list(p)], [list(q)]) if np.ndim(p) == 1 else (list(p), list(q))
        total = 0.0
        for ps, qs in zip(rows_p, rows_q):
            for a, b in zip(ps, qs):
                a = max(float(a), cls.EPS)  # 0 * log(0 / q) becomes eps * log(eps / q) ~ 0
                total += a * math.log(a / float(b))
        return total / len(rows_p)


# --- style 3: PyTorch's clamp of log at -100, xlogy-like handling, 0-d arrays --

class Clamped:
    @staticmethod
    def _log(x):
        with np.errstate(divide="ignore"):
            return np.maximum(np.log(x), -100.0)

    @staticmethod
    def mse(y_true, y_pred):
        e = np.subtract(y_true, y_pred, dtype=np.float64)
        return np.asarray(e @ e / e.size)

    @staticmethod
    def mse_grad(y_true, y_pred):
        return np.asarray([2.0]) * np.subtract(y_pred, y_true) / len(y_pred)

    @classmethod
    def binary_cross_entropy(cls, y_true, p_pred):
        y, p = np.asarray(y_true), np.asarray(p_pred)
        return np.asarray(-np.mean(y * cls._log(p) + (1 - y) * cls._log(1 - p)))

    @staticmethod
    def binary_cross_entropy_grad(y_true, p_pred):
        y, p = np.asarray(y_true), np.asarray(p_pred)
        return np.where(y == 1, -1 / p, 1 / (1 - p)) / p.size

    @classmethod
    def categorical_cross_entropy(cls, y_true_onehot, p_pred):
        y, p = np.asarray(y_true_onehot), np.asarray(p_pred)
        n = 1 if y.ndim == 1 else y.shape[0]
        return np.asarray(-np.sum(y * cls._log(p)) / n)

    @staticmethod
    def softmax_cross_entropy_grad(y_true_onehot, logits):
        z = np.asarray(logits, dtype=np.float64)
        n = 1 if z.ndim == 1 else len(z)
        return (activations.softmax(z) - np.asarray(y_true_onehot)) / n

    @staticmethod
    def huber(y_true, y_pred, delta=1.0):
        e = np.subtract(y_true, y_pred)
        small = np.abs(e) <= delta
        per = np.empty_like(e, dtype=float)
        per[small] = e[small] ** 2 / 2
        per[~small] = delta * np.abs(e[~small]) - delta ** 2 / 2
        return np.asarray(per.mean())

    @staticmethod
    def hinge(y_true, score):
        margins = np.multiply(y_true, score)
        return np.asarray(np.clip(1 - margins, 0, None).mean())

    @staticmethod
    def kl_divergence(p, q):
        p, q = np.asarray(p, dtype=float), np.asarray(q, dtype=float)
        with np.errstate(divide="ignore", invalid="ignore"):
            terms = p * (np.log(p) - np.log(q))
        terms[p == 0] = 0.0
        return np.asarray(terms.sum() / (1 if p.ndim == 1 else len(p)))


# --- style 4: eps = 1e-15 added inside the log, float32 kept, length-1 arrays ---

class EpsInsideLog:
    EPS = 1e-15

    @staticmethod
    def mse(y_true, y_pred):
        return np.array([np.square(np.subtract(y_true, y_pred)).mean()])

    @staticmethod
    def mse_grad(y_true, y_pred):
        d = np.asarray(y_pred) - np.asarray(y_true)
        return d * (2 / len(d))

    @classmethod
    def binary_cross_entropy(cls, y_true, p_pred):
        y, p = np.asarray(y_true), np.asarray(p_pred)
        return np.array([-np.mean(y * np.log(p + cls.EPS) + (1 - y) * np.log(1 - p + cls.EPS))])

    @classmethod
    def binary_cross_entropy_grad(cls, y_true, p_pred):
        y, p = np.asarray(y_true), np.asarray(p_pred)
        return (-(y / (p + cls.EPS)) + (1 - y) / (1 - p + cls.EPS)) / len(p)

    @classmethod
    def categorical_cross_entropy(cls, y_true_onehot, p_pred):
        y, p = np.asarray(y_true_onehot), np.asarray(p_pred)
        per_sample = -(y * np.log(p + cls.EPS)).sum(axis=-1)
        return np.array([np.mean(per_sample)])

    @staticmethod
    def softmax_cross_entropy_grad(y_true_onehot, logits):
        z = np.atleast_2d(logits)
        z = z - z.max(axis=1, keepdims=True)
        p = np.exp(z) / np.exp(z).sum(axis=1, keepdims=True)
        g = (p - np.atleast_2d(y_true_onehot)) / len(z)
        return g[0] if np.ndim(logits) == 1 else g

    @staticmethod
    def huber(y_true, y_pred, delta=1.0):
        e = np.abs(np.asarray(y_true) - np.asarray(y_pred))
        quad = np.minimum(e, delta)  # the usual "quadratic + linear" split
        return np.array([np.mean(0.5 * quad ** 2 + delta * (e - quad))])

    @staticmethod
    def hinge(y_true, score):
        return np.array([np.mean(np.maximum(0, 1 - np.asarray(y_true) * np.asarray(score)))])

    @classmethod
    def kl_divergence(cls, p, q):
        p, q = np.asarray(p), np.asarray(q)
        per_row = np.sum(p * np.log((p + cls.EPS) / (q + cls.EPS)), axis=-1)
        return np.array([np.mean(per_row)])


STYLES = [Vectorised, Loops, Clamped, EpsInsideLog]


@pytest.mark.parametrize("style", STYLES, ids=lambda s: s.__name__)
@pytest.mark.parametrize("name", NAMES)
def test_correct_answers_pass(style, name, capsys):
    passes(getattr(style, name), name)
    out = capsys.readouterr()
    assert "visible checks passed" in out.out and "hidden checks passed" in out.out
    assert out.err == ""


@pytest.mark.parametrize("name", NAMES)
def test_the_reference_passes(name):
    if name == "softmax_cross_entropy_grad":
        passes(spec.softmax_cross_entropy_grad_reference, name)
    else:
        passes(getattr(losses, name), name)


def _solution_functions():
    """The instructor notebook's solution cells, run in one namespace."""
    nb = nbformat.read(ROOT / "solutions" / SLUG / f"{SLUG}.ipynb", as_version=4)
    namespace: dict = {}
    exec("import numpy as np\nimport math\n", namespace)
    for cell in nb.cells:
        if cell.cell_type == "code" and cell.metadata.get("nbgrader", {}).get("solution"):
            exec(cell.source, namespace)
    return namespace


@pytest.mark.parametrize("name", NAMES)
def test_the_notebooks_solutions_pass(name):
    passes(_solution_functions()[name], name)


# --- the spec module itself --------------------------------------------------

def test_exercise_list():
    found = exercises(SLUG)
    assert sorted(found) == sorted(NAMES)
    for name, ex in found.items():
        assert ex.key == key(name)
        assert len(ex.visible) >= 2 and len(ex.hidden) >= 5 and ex.hints


@pytest.mark.parametrize("name", NAMES)
def test_expected_values_come_from_the_reference(name):
    for case in get_exercise(key(name)).visible:
        assert isinstance(case, Case) and callable(case.expected), case.label


def test_the_worked_examples_are_the_true_values():
    """The syllabus prints 0.216 (BCE) and 0.061 (KL); the checks use the true values."""
    cases = {name: get_exercise(key(name)).visible[0] for name in NAMES}
    value = {name: float(np.asarray(c.expected_value()).reshape(())) for name, c in cases.items()
             if not name.endswith("_grad")}
    assert value["mse"] == pytest.approx(0.145)
    assert value["binary_cross_entropy"] == pytest.approx(-(math.log(0.9) + math.log(0.8)) / 2)
    assert value["binary_cross_entropy"] == pytest.approx(0.1643, abs=1e-4)
    assert value["categorical_cross_entropy"] == pytest.approx(-math.log(0.7))
    assert value["huber"] == pytest.approx(1.5)
    assert value["hinge"] == pytest.approx(0.75)
    assert value["kl_divergence"] == pytest.approx(0.0253, abs=1e-4)


def test_hidden_labels_reveal_no_values():
    for name in NAMES:
        for prop in get_exercise(key(name)).hidden:
            assert not re.search(r"\d\.\d", prop.label), prop.label


def test_the_docstring_example_of_check_still_holds(capsys):
    check(lambda y, p: np.mean((np.asarray(y) - p) ** 2), key("mse"))
    assert capsys.readouterr().out.strip() == "mse: 2 visible checks passed; 6 more checks at grading."


# --- wrong answers fail, with helpful visible messages and discreet hidden ones --

def _mean(x):
    return np.mean(np.asarray(x, dtype=float))


WRONG = {
    # name: {description: (function, words the visible hint must contain or None)}
    "mse": {
        "sum instead of mean": (lambda y, p: np.sum((np.asarray(y) - np.asarray(p)) ** 2), "divide by n"),
        "absolute error": (lambda y, p: _mean(np.abs(np.subtract(y, p))), "absolute"),
        "root of the mean": (lambda y, p: np.sqrt(_mean(np.subtract(y, p) ** 2)), "root"),
    },
    "mse_grad": {
        "no factor 2": (lambda y, p: (np.asarray(p) - np.asarray(y)) / len(p), "factor 2"),
        "sign flipped": (lambda y, p: 2 * (np.asarray(y) - np.asarray(p)) / len(p), "wrong sign"),
        "no 1/n": (lambda y, p: 2 * (np.asarray(p, dtype=float) - np.asarray(y)), "divide by n"),
    },
    "binary_cross_entropy": {
        "log10": (lambda y, p: -_mean(np.asarray(y) * np.log10(p)
                                      + (1 - np.asarray(y)) * np.log10(1 - np.asarray(p))), "base 10"),
        "missing minus": (lambda y, p: _mean(np.asarray(y) * np.log(p)
                                             + (1 - np.asarray(y)) * np.log(1 - np.asarray(p))),
                          "wrong sign"),
        "sum instead of mean": (lambda y, p: -np.sum(np.asarray(y) * np.log(p)
                                                     + (1 - np.asarray(y)) * np.log(1 - np.asarray(p))),
                                "divide by n"),
        "one term only": (lambda y, p: -_mean(np.asarray(y) * np.log(p)), "(1 - y)*log(1 - p)"),
    },
    "binary_cross_entropy_grad": {
        "no 1/n": (lambda y, p: -np.asarray(y) / p + (1 - np.asarray(y)) / (1 - np.asarray(p)),
                   "divide by n"),
        "one term only": (lambda y, p: -np.asarray(y) / p / len(p), "(1 - y)/(1 - p)"),
    },
    "categorical_cross_entropy": {
        "mean over all elements": (lambda y, p: -_mean(np.asarray(y) * np.log(p)), "rows"),
        "log10": (lambda y, p: -np.sum(np.asarray(y) * np.log10(p)) / np.atleast_2d(y).shape[0],
                  "base 10"),
        "missing minus": (lambda y, p: np.sum(np.asarray(y) * np.log(p)) / np.atleast_2d(y).shape[0],
                          "wrong sign"),
    },
    "softmax_cross_entropy_grad": {
        "no softmax": (lambda y, z: (np.asarray(z) - np.asarray(y)) / np.atleast_2d(z).shape[0],
                       "softmax"),
        "no 1/n": (lambda y, z: activations.softmax(z) - np.asarray(y), None),
    },
    "huber": {
        "no half": (lambda y, p, delta=1.0: _mean(np.where(np.abs(np.subtract(y, p)) <= delta,
                                                           np.subtract(y, p) ** 2,
                                                           delta * (np.abs(np.subtract(y, p)) - delta / 2))),
                    "0.5 * e**2"),
        "sum instead of mean": (lambda y, p, delta=1.0: np.sum(np.where(
            np.abs(np.subtract(y, p)) <= delta, 0.5 * np.subtract(y, p) ** 2,
            delta * (np.abs(np.subtract(y, p)) - delta / 2))), "divide by n"),
    },
    "hinge": {
        "no margin": (lambda y, s: _mean(np.maximum(0, -np.asarray(y) * np.asarray(s))), "the 1"),
        "sum instead of mean": (lambda y, s: np.sum(np.maximum(0, 1 - np.asarray(y) * np.asarray(s))),
                                "divide by n"),
    },
    "kl_divergence": {
        "log2": (lambda p, q: np.mean(np.sum(np.asarray(p) * np.log2(np.divide(p, q)), axis=-1)),
                 "base 2"),
        "swapped": (lambda p, q: np.mean(np.sum(np.asarray(q) * np.log(np.divide(q, p)), axis=-1)),
                    "swapped"),
        "sum over rows": (lambda p, q: np.sum(np.asarray(p) * np.log(np.divide(p, q))), "divide by n"),
    },
}

WRONG_CASES = [(name, what) for name, cases in WRONG.items() for what in cases]


@pytest.mark.parametrize("name,what", WRONG_CASES, ids=[f"{n}-{w}" for n, w in WRONG_CASES])
def test_wrong_answers_fail_with_a_hint(name, what):
    func, hint = WRONG[name][what]
    msg = visible_failure(func, name)
    failing = next(c for c in get_exercise(key(name)).visible
                   if f"{c.label}:" in msg)
    expected = np.asarray(failing.expected_value(), dtype=float)
    first = f"{float(expected.flat[0]):.6g}"[:6]
    assert "expected:" in msg and first in msg, msg
    if hint:
        assert "hint:" in msg and hint in msg, msg
    # The hidden checks catch it too, and say so without values.
    hidden = hidden_failure(func, name)
    assert not re.search(r"\d\.\d", hidden), hidden


def _nan_bce(y, p):
    y, p = np.asarray(y, dtype=float), np.asarray(p, dtype=float)
    return -np.mean(y * np.log(p) + (1 - y) * np.log(1 - p))


def _nan_cce(y, p):
    y, p = np.atleast_2d(y), np.atleast_2d(p)
    return -np.mean(np.sum(y * np.log(p), axis=1))


def _kl_no_zero_handling(p, q):
    p, q = np.asarray(p, dtype=float), np.asarray(q, dtype=float)
    return np.mean(np.sum(p * np.log(p / q), axis=-1))


def _softmax_overflows(y, z):
    z = np.asarray(z, dtype=float)
    e = np.exp(z)
    n = z.shape[0] if z.ndim == 2 else 1
    return (e / e.sum(axis=-1, keepdims=True) - y) / n


def _huber_ignores_delta(y, p, delta=1.0):
    return Vectorised.huber(y, p)  # always delta = 1


def _bce_clipped_too_hard(y, p):
    y, p = np.asarray(y, dtype=float), np.clip(np.asarray(p, dtype=float), 1e-3, 1 - 1e-3)
    return -np.mean(y * np.log(p) + (1 - y) * np.log(1 - p))


SUBTLE = [
    # (name, function, words of the hidden label that must appear)
    ("binary_cross_entropy", _nan_bce, "confidently right"),
    ("binary_cross_entropy", _bce_clipped_too_hard, "confidently wrong"),
    ("categorical_cross_entropy", _nan_cce, "zero entries"),
    ("kl_divergence", _kl_no_zero_handling, "zero entries"),
    ("softmax_cross_entropy_grad", _softmax_overflows, "large logits"),
]


@pytest.mark.parametrize("name,func,label", SUBTLE, ids=[f"{s[0]}-{s[2]}" for s in SUBTLE])
def test_subtle_mistakes_pass_visible_but_fail_hidden(name, func, label):
    check(func, key(name))
    msg = hidden_failure(func, name)
    assert label in msg, msg
    assert not re.search(r"\d\.\d", msg), msg


def test_ignoring_delta_is_caught_in_view():
    assert "delta = 2" in visible_failure(_huber_ignores_delta, "huber")


def test_only_numpy_arrays_fail_the_list_check():
    def no_asarray(y, p):
        return np.mean((y - p) ** 2)

    msg = hidden_failure(no_asarray, "mse")
    assert "does not accept Python lists" in msg


@pytest.mark.parametrize("name", NAMES)
def test_twice_the_answer_fails_both(name):
    """The round-trip test grades a submission returning twice the answer: it must get 0."""
    right = getattr(Vectorised, name)

    def twice(*args, **kwargs):
        return 2 * np.asarray(right(*args, **kwargs))

    visible_failure(twice, name)
    hidden_failure(twice, name)


@pytest.mark.parametrize("name", NAMES)
def test_unwritten_and_forgetful_answers(name):
    def stub(*args, **kwargs):
        # YOUR CODE HERE
        raise NotImplementedError()

    def no_return(*args, **kwargs):
        _ = np.asarray(args[0])

    msg = visible_failure(stub, name)
    assert "NotImplementedError" in msg
    assert "NotImplementedError" in hidden_failure(stub, name)
    assert "forget the `return`" in visible_failure(no_return, name)


def test_not_a_function():
    with pytest.raises(CheckFailed, match="not a function"):
        check(0.145, key("mse"))


def test_noisy_wrong_answer_keeps_stderr_clean(capfd):
    def noisy(y_true, p_pred):
        print("debugging...", file=sys.stderr)
        warnings.warn("careful", UserWarning)
        y, p = np.asarray(y_true, dtype=float), np.asarray(p_pred, dtype=float)
        return -np.sum(y * np.log(p) + (1 - y) * np.log(1 - p))  # sum: wrong; log(0): warns

    visible_failure(noisy, "binary_cross_entropy")
    hidden_failure(noisy, "binary_cross_entropy")
    out, err = capfd.readouterr()
    assert err == ""
    assert "debugging" not in out


def test_noisy_right_answer_passes_quietly(capfd):
    def noisy(y_true, p_pred):
        print("debugging...", file=sys.stderr)
        warnings.warn("careful", RuntimeWarning)
        return Vectorised.binary_cross_entropy(y_true, p_pred)

    passes(noisy, "binary_cross_entropy")
    out, err = capfd.readouterr()
    assert err == ""
    assert "hidden checks passed" in out


def test_inputs_are_not_shared_between_cases():
    """A function that writes into its arguments cannot spoil later checks."""
    def vandal(y_true, y_pred):
        result = Vectorised.mse(y_true, y_pred)
        if isinstance(y_true, np.ndarray):
            y_true[...] = 0
        return result

    passes(vandal, "mse")


# --- the explorers -------------------------------------------------------------

def test_explorers_import_without_matplotlib():
    import subprocess

    code = ("import sys, anncourse.explorers, anncourse.explorers.losses\n"
            "assert 'matplotlib' not in sys.modules")
    subprocess.run([sys.executable, "-c", code], check=True)


FACTORIES = ["regression_explorer", "classification_explorer", "margin_explorer", "kl_explorer"]


def _other_values(control):
    import ipywidgets as w

    if isinstance(control, (w.FloatSlider, w.IntSlider)):
        return [control.min, control.max]
    return [option[1] if isinstance(option, tuple) else option for option in control.options]


@pytest.mark.parametrize("factory", FACTORIES)
def test_explorer_callbacks_redraw(factory):
    import ipywidgets as w

    from anncourse import explorers

    box = getattr(explorers, factory)()
    assert isinstance(box, w.VBox) and box.controls
    assert bytes(box.image.value).startswith(b"\x89PNG") and box.readout.value
    for control in box.controls.values():
        old = control.value
        for value in _other_values(control):
            before = (bytes(box.image.value), box.readout.value)
            control.value = value
            if value != old:
                assert (bytes(box.image.value), box.readout.value) != before, (factory, value)
            old = value
    box.update()


def test_explorers_leave_no_pyplot_figures():
    import matplotlib.pyplot as plt

    from anncourse import explorers

    before = plt.get_fignums()
    for factory in FACTORIES:
        getattr(explorers, factory)().update()
    assert plt.get_fignums() == before


def test_explorer_errors_propagate(monkeypatch):
    """A broken callback must fail loudly, not vanish inside a widget."""
    from anncourse import explorers

    box = explorers.regression_explorer()

    def broken(*args, **kwargs):
        raise RuntimeError("boom")

    monkeypatch.setattr(box.explorer, "draw", broken)
    slider = box.controls["y_pred"]
    with pytest.raises(RuntimeError, match="boom"):
        slider.value = slider.max


def test_kl_explorer_shows_the_asymmetry():
    from anncourse import explorers

    box = explorers.kl_explorer(p=(0.5, 0.3, 0.2), q_weights=(0.4, 0.4, 0.2))
    assert "0.02527" in box.readout.value  # KL(P||Q) of the worked example, 4 significant digits
