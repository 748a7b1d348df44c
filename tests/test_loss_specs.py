"""What is specific to the checks of ``18-loss-functions``.

The generated spec tests (``test_specs_generated.py``) already run, for every
exercise, the reference and each usual mistake of the spec.  Here: correct
answers in the styles a learner might write (loops with :mod:`math`,
vectorised NumPy, different ways of keeping ``log`` finite, different return
types) pass; subtle mistakes that only the hidden checks can catch fail
them; the notebook's own solutions pass; and the checker stays quiet.
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
from anncourse.grading.specs import exercises, get_exercise

from conftest import ROOT

SLUG = "18-loss-functions"
NAMES = ["mse", "mse_grad", "binary_cross_entropy", "binary_cross_entropy_grad",
         "categorical_cross_entropy", "softmax_cross_entropy_grad",
         "binary_cross_entropy_with_logits", "cross_entropy_with_logits", "huber", "huber_grad",
         "hinge", "kl_divergence", "fit_line"]


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

    @staticmethod
    def binary_cross_entropy_with_logits(y_true, logits):
        y, z = np.asarray(y_true, dtype=float), np.asarray(logits, dtype=float)
        return np.mean(np.maximum(z, 0) - z * y + np.log1p(np.exp(-np.abs(z))))

    @staticmethod
    def cross_entropy_with_logits(labels, logits):
        z = np.asarray(logits, dtype=float)
        top = z.max(axis=1, keepdims=True)
        log_sum_exp = top[:, 0] + np.log(np.exp(z - top).sum(axis=1))
        return np.mean(log_sum_exp - z[np.arange(len(z)), np.asarray(labels)])

    @staticmethod
    def huber_grad(y_true, y_pred, delta=1.0):
        e = np.asarray(y_true, dtype=float) - np.asarray(y_pred, dtype=float)
        return -np.clip(e, -delta, delta) / e.size

    @classmethod
    def fit_line(cls, x, y, delta=1.0, lr=0.5, steps=300):
        x, y = np.asarray(x, dtype=float), np.asarray(y, dtype=float)
        w = b = 0.0
        for _ in range(steps):
            g = cls.huber_grad(y, w * x + b, delta)
            w, b = w - lr * np.dot(g, x), b - lr * g.sum()
        return np.array([w, b])


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

    @staticmethod
    def binary_cross_entropy_with_logits(y_true, logits):
        total = 0.0
        for y, z in zip(y_true, logits):
            z = float(z)
            # log(1 + e^z) - y*z, with the larger of 0 and z taken out of the log
            total += max(z, 0.0) + math.log(1.0 + math.exp(-abs(z))) - float(y) * z
        return total / len(logits)

    @staticmethod
    def cross_entropy_with_logits(labels, logits):
        total = 0.0
        for t, row in zip(labels, logits):
            row = [float(v) for v in row]
            top = max(row)
            total += top + math.log(sum(math.exp(v - top) for v in row)) - row[int(t)]
        return total / len(logits)

    @staticmethod
    def huber_grad(y_true, y_pred, delta=1.0):
        n = len(y_pred)
        out = []
        for y, p in zip(y_true, y_pred):
            e = float(y) - float(p)
            out.append(-e / n if abs(e) <= delta else -delta * math.copysign(1.0, e) / n)
        return out

    @classmethod
    def fit_line(cls, x, y, delta=1.0, lr=0.5, steps=300):
        w, b = 0.0, 0.0
        for _ in range(steps):
            g = cls.huber_grad(y, [w * float(xi) + b for xi in x], delta)
            w, b = (w - lr * sum(gi * float(xi) for gi, xi in zip(g, x)), b - lr * sum(g))
        return w, b

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
    def binary_cross_entropy_with_logits(y_true, logits):
        # -[y log s(z) + (1 - y) log(1 - s(z))] = y*logaddexp(0, -z) + (1 - y)*logaddexp(0, z)
        y, z = np.asarray(y_true), np.asarray(logits)
        return np.asarray(np.mean(y * np.logaddexp(0, -z) + (1 - y) * np.logaddexp(0, z)))

    @staticmethod
    def cross_entropy_with_logits(labels, logits):
        z = np.asarray(logits)
        log_p = z - np.logaddexp.reduce(z, axis=-1, keepdims=True)
        return -np.take_along_axis(log_p, np.asarray(labels)[:, None], axis=1).mean()

    @staticmethod
    def huber_grad(y_true, y_pred, delta=1.0):
        e = np.subtract(y_pred, y_true)  # the other sign convention: e = prediction - target
        return np.where(np.abs(e) <= delta, e, delta * np.sign(e)) / len(e)

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


STYLED = [(style, name) for style in STYLES for name in NAMES if hasattr(style, name)]


def test_the_chapters_exercises():
    assert sorted(exercises(SLUG)) == sorted(NAMES)
    # Every exercise has at least two correct answers in different styles.
    for name in NAMES:
        assert sum(hasattr(style, name) for style in STYLES) >= 2, name


@pytest.mark.parametrize("style, name", STYLED, ids=[f"{s.__name__}-{n}" for s, n in STYLED])
def test_correct_answers_pass(style, name, capsys):
    passes(getattr(style, name), name)
    out = capsys.readouterr()
    assert "visible checks passed" in out.out and "hidden checks passed" in out.out
    assert out.err == ""


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


def test_the_worked_examples_are_the_true_values():
    """The syllabus prints 0.216 (BCE) and 0.061 (KL); the checks use the true values."""
    cases = {name: get_exercise(key(name)).visible[0] for name in NAMES}
    value = {name: float(np.asarray(c.expected_value()).reshape(())) for name, c in cases.items()
             if not name.endswith("_grad") and name != "fit_line"}
    assert value["mse"] == pytest.approx(0.145)
    assert value["binary_cross_entropy"] == pytest.approx(-(math.log(0.9) + math.log(0.8)) / 2)
    assert value["binary_cross_entropy"] == pytest.approx(0.1643, abs=1e-4)
    assert value["categorical_cross_entropy"] == pytest.approx(-math.log(0.7))
    assert value["huber"] == pytest.approx(1.5)
    assert value["hinge"] == pytest.approx(0.75)
    assert value["kl_divergence"] == pytest.approx(0.0253, abs=1e-4)
    # log(1 + e^-2) and log(1 + e^-0.5): -ln sigmoid(2) and -ln(1 - sigmoid(-0.5))
    assert value["binary_cross_entropy_with_logits"] == pytest.approx(
        (math.log1p(math.exp(-2.0)) + math.log1p(math.exp(-0.5))) / 2)
    z = [2.0, 1.0, 0.1]
    assert value["cross_entropy_with_logits"] == pytest.approx(
        math.log(sum(math.exp(v) for v in z)) - 2.0)


def test_the_docstring_example_of_check_still_holds(capsys):
    check(lambda y, p: np.mean((np.asarray(y) - p) ** 2), key("mse"))
    assert capsys.readouterr().out.strip() == "mse: 2 visible checks passed; 6 more checks at grading."


def test_the_capstone_tells_huber_from_least_squares():
    """fit_line's hidden verdict: a least-squares line (right algorithm, wrong loss) fails it."""
    def least_squares(x, y, delta=1.0, lr=0.5, steps=300):
        return Vectorised.fit_line(x, y, delta=1e12, lr=lr, steps=steps)

    msg = hidden_failure(least_squares, "fit_line")
    assert "the outliers pull the line away" in msg, msg


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


def _bce_logits_through_sigmoid(y, z):
    """Right for moderate logits; clipping p caps the loss of z = -1000 at ~27.6, not 1000."""
    p = np.clip(1 / (1 + np.exp(-np.asarray(z, dtype=float))), 1e-12, 1 - 1e-12)
    return Vectorised.binary_cross_entropy(y, p)


def _ce_logits_without_shift(t, z):
    z = np.asarray(z, dtype=float)
    return np.mean(np.log(np.exp(z).sum(axis=1)) - z[np.arange(len(z)), np.asarray(t)])


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
    ("binary_cross_entropy_with_logits", _bce_logits_through_sigmoid, "logits of"),
    ("cross_entropy_with_logits", _ce_logits_without_shift, "logits of"),
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
