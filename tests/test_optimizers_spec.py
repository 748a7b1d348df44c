"""What ``17-optimizers``'s checks promise beyond the generated spec tests.

tests/test_specs_generated.py already checks every exercise of the chapter:
its reference passes, and each usual mistake listed in the spec fails with
its hint.  Here: correct answers in other reasonable styles pass (loops with
math, dict answers, float32 arithmetic, a class that assigns ``p.data``),
subtle wrong answers are caught by the hidden checks, the references agree
with PyTorch where the chapter says they do, and the two scenario exercises
(a grader-given gradient function, a class driven over 50 steps) are graded
in the real sandbox.
"""
from __future__ import annotations

import math
import textwrap

import nbformat
import numpy as np
import pytest

from anncourse.grading.core import assess, evaluate
from anncourse.grading.specs import exercises
from anncourse.grading.specs import optimizers as spec

EXERCISES = exercises("17-optimizers")


def passes_everything(func, name):
    return evaluate(func, EXERCISES[name], visible=True, hidden=True) == []


# --- correct answers in other styles -----------------------------------------------------

def sgd_loop(theta, grad, lr):
    """Element by element over nested lists, returning lists."""
    if isinstance(theta[0], (list, np.ndarray)):
        return [sgd_loop(row, g, lr) for row, g in zip(theta, grad)]
    return [float(t) - lr * float(g) for t, g in zip(theta, grad)]


def momentum_dict(theta, grad, v, lr, beta=0.9):
    theta, grad, v = (np.array(a, dtype=float) for a in (theta, grad, v))
    v = v * beta + grad * (1.0 - beta)
    return {"theta": theta - lr * v, "v": v}


def nesterov_loop(theta, grad_fn, v, lr, beta=0.9):
    theta = [float(x) for x in np.ravel(theta)]
    v = [float(x) for x in np.ravel(v)]
    ahead = np.array([t - lr * beta * vi for t, vi in zip(theta, v)])
    g = np.ravel(grad_fn(ahead))
    v = [beta * vi + float(gi) for vi, gi in zip(v, g)]
    return np.array([t - lr * vi for t, vi in zip(theta, v)]), np.array(v)


def adagrad_in_place_on_copies(theta, grad, G, lr=0.01, eps=1e-8):
    theta, grad, G = (np.array(a, dtype=np.float64, copy=True) for a in (theta, grad, G))
    G += grad * grad                 # in place, but on copies: the caller's arrays are untouched
    theta -= lr * grad / np.sqrt(G + eps)
    return theta, G


def rmsprop_float32(theta, grad, s, lr=0.01, beta=0.9, eps=1e-8):
    """Keeps float32 input in float32 (the float32 check's tolerance allows it)."""
    theta, grad, s = (np.asarray(a) for a in (theta, grad, s))
    if theta.dtype != np.float32:
        theta, grad, s = (a.astype(float) for a in (theta, grad, s))
    s = beta * s + (1 - beta) * grad**2
    return theta - lr * grad / np.sqrt(s + eps), s


def adadelta_math(theta, grad, Eg2, Edx2, rho=0.95, eps=1e-6):
    out = [[], [], []]
    for t, g, e, d in zip(*(np.ravel(np.asarray(a, dtype=float)) for a in (theta, grad, Eg2, Edx2))):
        e = rho * e + (1 - rho) * g * g
        dx = math.sqrt(d + eps) / math.sqrt(e + eps) * g
        d = rho * d + (1 - rho) * dx * dx
        for bucket, value in zip(out, (t - dx, e, d)):
            bucket.append(value)
    shape = np.shape(theta)
    return tuple(np.reshape(b, shape) for b in out)


def adam_pytorch_order(theta, grad, m, v, t, lr=1e-3, beta1=0.9, beta2=0.999, eps=1e-8):
    """PyTorch's order: the corrections folded into a step size and a denominator."""
    theta, grad = np.asarray(theta, float), np.asarray(grad, float)
    m = beta1 * np.asarray(m, float) + (1 - beta1) * grad
    v = beta2 * np.asarray(v, float) + (1 - beta2) * grad**2
    step_size = lr / (1 - beta1**t)
    denom = np.sqrt(v) / math.sqrt(1 - beta2**t) + eps
    return theta - step_size * m / denom, m, v


def adamax_where(theta, grad, m, u, t, lr=2e-3, beta1=0.9, beta2=0.999, eps=1e-8):
    theta, grad = np.asarray(theta, float), np.asarray(grad, float)
    m = beta1 * np.asarray(m, float) + (1 - beta1) * grad
    candidate = np.abs(grad) + eps
    decayed = beta2 * np.asarray(u, float)
    u = np.where(decayed > candidate, decayed, candidate)
    return theta - (lr / (1 - beta1**t)) * (m / u), m, u


def nadam_prod(theta, grad, m, v, t, lr=2e-3, beta1=0.9, beta2=0.999, eps=1e-8):
    mus = [beta1 * (1 - 0.5 * 0.96 ** (k * 0.004)) for k in range(1, t + 2)]
    P = math.prod(mus[:t])
    theta, grad = np.asarray(theta, float), np.asarray(grad, float)
    m = mus[t - 1] * np.asarray(m, float) + (1 - mus[t - 1]) * grad
    v = beta2 * np.asarray(v, float) + (1 - beta2) * grad**2
    m_bar = (1 - mus[t - 1]) / (1 - P) * grad + mus[t] / (1 - P * mus[t]) * m
    return theta - lr * m_bar / (np.sqrt(v / (1 - beta2**t)) + eps), m, v


class AdamAssigning:
    """Assigns new arrays to p.data, zeroes gradients instead of None, keeps state in dicts."""

    def __init__(self, params, lr=1e-3, betas=(0.9, 0.999), eps=1e-8):
        self.params = list(params)
        self.lr, self.betas, self.eps = lr, betas, eps
        self.state = {}

    def zero_grad(self):
        for p in self.params:
            if p.grad is not None:
                p.grad = np.zeros_like(p.grad)

    def step(self):
        b1, b2 = self.betas
        for p in self.params:
            if p.grad is None:
                continue
            s = self.state.setdefault(id(p), {"t": 0, "m": 0.0, "v": 0.0})
            s["t"] += 1
            s["m"] = b1 * s["m"] + (1 - b1) * p.grad
            s["v"] = b2 * s["v"] + (1 - b2) * p.grad**2
            m_hat, v_hat = s["m"] / (1 - b1 ** s["t"]), s["v"] / (1 - b2 ** s["t"])
            p.data = p.data - self.lr * m_hat / (np.sqrt(v_hat) + self.eps)


@pytest.mark.parametrize("func, name", [
    (sgd_loop, "sgd_step"), (momentum_dict, "momentum_step"), (nesterov_loop, "nesterov_step"),
    (adagrad_in_place_on_copies, "adagrad_step"), (rmsprop_float32, "rmsprop_step"),
    (adadelta_math, "adadelta_step"), (adam_pytorch_order, "adam_step"),
    (adamax_where, "adamax_step"), (nadam_prod, "nadam_step"), (AdamAssigning, "Adam")])
def test_correct_styles_pass(func, name):
    assert passes_everything(func, name)


# --- subtle mistakes: caught, and by the checks that should catch them ---------------------

def momentum_in_place(theta, grad, v, lr, beta=0.9):
    v *= beta                                  # changes the caller's array
    v += (1 - beta) * np.asarray(grad, float)
    return np.asarray(theta, float) - lr * v, v


def adam_t_zero_based(theta, grad, m, v, t, lr=1e-3, beta1=0.9, beta2=0.999, eps=1e-8):
    return spec.adam_step(theta, grad, m, v, t + 1, lr, beta1, beta2, eps)


def adam_default_lr_wrong(theta, grad, m, v, t, lr=1e-2, beta1=0.9, beta2=0.999, eps=1e-8):
    return spec.adam_step(theta, grad, m, v, t, lr, beta1, beta2, eps)


def nadam_psi_wrong(theta, grad, m, v, t, lr=2e-3, beta1=0.9, beta2=0.999, eps=1e-8):
    """A schedule with psi = 0.04: right at t = 1 to 4 digits, wrong later."""
    mus = [beta1 * (1 - 0.5 * 0.96 ** (k * 0.04)) for k in range(1, t + 2)]
    P = math.prod(mus[:t])
    theta, grad = np.asarray(theta, float), np.asarray(grad, float)
    m = mus[t - 1] * np.asarray(m, float) + (1 - mus[t - 1]) * grad
    v = beta2 * np.asarray(v, float) + (1 - beta2) * grad**2
    m_bar = (1 - mus[t - 1]) / (1 - P) * grad + mus[t] / (1 - P * mus[t]) * m
    return theta - lr * m_bar / (np.sqrt(v / (1 - beta2**t)) + eps), m, v


def test_changing_the_state_in_place_fails_with_an_explanation():
    failures = evaluate(momentum_in_place, EXERCISES["momentum_step"])
    assert failures and "changed its input in place" in failures[0]


def test_a_zero_based_step_count_fails_the_worked_example():
    failures = evaluate(adam_t_zero_based, EXERCISES["adam_step"])
    assert failures and "theta is not close enough" in failures[0]


def test_a_wrong_default_is_caught_by_its_hidden_check():
    # The second visible case uses the default lr too; among the hidden checks, only this one fails.
    verdicts = assess(adam_default_lr_wrong, EXERCISES["adam_step"], hidden=True).verdicts
    assert not all(v.passed for v in verdicts if not v.hidden)
    failed = {v.label for v in verdicts if v.hidden and not v.passed}
    assert failed == {"wrong with the default hyper-parameters"}


def test_a_wrong_schedule_is_caught():
    assert evaluate(nadam_psi_wrong, EXERCISES["nadam_step"], visible=True, hidden=True)


def test_an_adam_class_that_moves_frozen_parameters_loses_only_that_check():
    verdicts = assess(spec._AdamGlobalStepFrozenToo, EXERCISES["Adam"], hidden=True).verdicts
    failed = {v.label for v in verdicts if not v.passed}
    assert failed == {"changes a parameter whose grad is None (it must be skipped)"}


def test_the_eps_cases_separate_inside_from_outside():
    # The tiny-gradient cases are there to tell the two apart: check that they do, by a wide margin.
    args = (np.ones(3), spec._TINY, np.zeros(3))
    right = spec.adagrad_step(*args, lr=0.1)[0]
    wrong = spec._adagrad_eps_outside(*args, lr=0.1)[0]
    assert np.max(np.abs(right - wrong)) > 1e3 * (1e-7 * np.max(np.abs(right)) + 1e-10)


# --- the references agree with the forms the notebook states -----------------------------

def test_worked_examples():
    th, g, z = np.array([1.0, -2.0]), np.array([0.5, -1.0]), np.zeros(2)
    np.testing.assert_allclose(spec.sgd_step(th, g, 0.1), [0.95, -1.9])
    np.testing.assert_allclose(spec.momentum_step(th, g, z, 0.1)[0], [0.995, -1.99])
    np.testing.assert_allclose(spec.adagrad_step(th, g, z, lr=0.1)[0], [0.9, -1.9], rtol=1e-7)
    np.testing.assert_allclose(spec.rmsprop_step(th, g, z, lr=0.1)[0],
                               1 - np.array([0, 3]) - 0.1 / math.sqrt(0.1) * np.array([1, -1]),
                               rtol=1e-7)
    np.testing.assert_allclose(spec.adam_step(th, g, z, z, 1, lr=0.1)[0], [0.9, -1.9], rtol=1e-7)
    np.testing.assert_allclose(spec.adamax_step(th, g, z, z, 1, lr=0.1)[0], [0.9, -1.9], rtol=1e-7)
    theta, m, _ = spec.nadam_step(th, g, z, z, 1, lr=0.1)
    np.testing.assert_allclose(theta, [0.868955, -1.868955], atol=1e-6)
    np.testing.assert_allclose(m, [0.274963, -0.549927], atol=1e-6)
    theta, v = spec.nesterov_step(th, lambda p: p / 2, z, 0.1)
    np.testing.assert_allclose(theta, [0.95, -1.9])
    np.testing.assert_allclose(spec.adadelta_step(th, g, z, z)[0], [0.995528, -1.995528], atol=1e-6)


def test_steps_match_torch_where_the_notebook_says_so():
    torch = pytest.importorskip("torch")
    rng = np.random.default_rng(0)
    grads, start = rng.normal(size=(100, 4)), rng.normal(size=4)

    def ours(step, n_state, with_t, **kw):
        theta, state = start.copy(), [np.zeros(4)] * n_state
        for t, g in enumerate(grads, 1):
            out = step(theta, g, *state, *((t,) if with_t else ()), **kw)
            theta, state = (out, state) if not n_state else (out[0], list(out[1:]))
        return theta

    def theirs(make):
        p = torch.tensor(start, dtype=torch.float64, requires_grad=True)
        opt = make([p])
        for g in grads:
            p.grad = torch.tensor(g)
            opt.step()
        return p.detach().numpy()

    o = torch.optim
    exact = [(spec.sgd_step, 0, False, {"lr": 0.05}, lambda ps: o.SGD(ps, lr=0.05)),
             (spec.momentum_step, 1, False, {"lr": 0.05, "beta": 0.8},
              lambda ps: o.SGD(ps, lr=0.05 * 0.2, momentum=0.8)),
             (spec.adagrad_step, 1, False, {"lr": 0.05, "eps": 1e-8},
              lambda ps: o.Adagrad(ps, lr=0.05, initial_accumulator_value=1e-8, eps=0.0)),
             (spec.adadelta_step, 2, False, {"rho": 0.9, "eps": 1e-6},
              lambda ps: o.Adadelta(ps, lr=1.0, rho=0.9, eps=1e-6)),
             (spec.adam_step, 2, True, {"lr": 0.05}, lambda ps: o.Adam(ps, lr=0.05)),
             (spec.adamax_step, 2, True, {"lr": 0.05}, lambda ps: o.Adamax(ps, lr=0.05))]
    for step, n, with_t, kw, make in exact:
        # 100 steps of a few operations each: rounding stays near 1e-15.
        np.testing.assert_allclose(ours(step, n, with_t, **kw), theirs(make), rtol=1e-12,
                                   atol=1e-12, err_msg=step.__name__)
    # No exact counterpart: RMSprop with eps outside is close for gradients of size 1 ...
    # (each step differs by a relative eps / (2 s), and s dips when a gradient is small: the
    # parameters end within 1e-5 of each other, not within rounding).
    close = ours(spec.rmsprop_step, 1, False, lr=0.05)
    torch_rmsprop = theirs(lambda ps: o.RMSprop(ps, lr=0.05, alpha=0.9, eps=0.0))
    np.testing.assert_allclose(close, torch_rmsprop, rtol=0, atol=1e-5)
    assert not np.allclose(close, torch_rmsprop, rtol=1e-12, atol=1e-12)
    # ... and torch's NAdam is not Dozat's: it decays m with beta1.
    nadam = ours(spec.nadam_step, 2, True, lr=0.05)
    assert not np.allclose(nadam, theirs(lambda ps: o.NAdam(ps, lr=0.05, momentum_decay=0.004)),
                           rtol=1e-4)


# --- the scenario exercises, graded in the real sandbox --------------------------------------

def _graded(answer_source, name):
    from anncourse.grading.notebook import grade_notebook
    from anncourse.grading.sandbox import isolation_available

    if not isolation_available():
        pytest.skip("bubblewrap is not available")
    answer = nbformat.v4.new_code_cell(textwrap.dedent(answer_source))
    answer.metadata["nbgrader"] = {"grade": False, "solution": True, "locked": False,
                                   "grade_id": name, "schema_version": 3, "task": False}
    test = nbformat.v4.new_code_cell(
        f'check({name}, "17-optimizers/{name}")\n### BEGIN HIDDEN TESTS\n'
        f'check({name}, "17-optimizers/{name}", hidden=True)\n### END HIDDEN TESTS\n')
    test.metadata["nbgrader"] = {"grade": True, "solution": False, "locked": True,
                                 "grade_id": f"test_{name}", "points": 2, "schema_version": 3,
                                 "task": False}
    nb = nbformat.v4.new_notebook(cells=[nbformat.v4.new_code_cell("import numpy as np"), answer,
                                         test])
    (grade,) = grade_notebook(nb)
    return grade


NESTEROV_SOURCE = """
def nesterov_step(theta, grad_fn, v, lr, beta=0.9):
    theta, v = np.asarray(theta, float), np.asarray(v, float)
    v = beta * v + np.asarray(grad_fn(theta - lr * beta * v), float)
    return theta - lr * v, v
"""

ADAM_SOURCE = """
class Adam:
    def __init__(self, params, lr=1e-3, betas=(0.9, 0.999), eps=1e-8):
        self.params, self.lr, self.betas, self.eps = list(params), lr, betas, eps
        self.state = [None] * len(self.params)

    def zero_grad(self):
        for p in self.params:
            p.grad = None

    def step(self):
        b1, b2 = self.betas
        for i, p in enumerate(self.params):
            if p.grad is None:
                continue
            t, m, v = self.state[i] or (0, 0.0, 0.0)
            t, m, v = t + 1, b1 * m + (1 - b1) * p.grad, b2 * v + (1 - b2) * p.grad ** 2
            self.state[i] = (t, m, v)
            p.data -= self.lr * (m / (1 - b1 ** t)) / (np.sqrt(v / (1 - b2 ** t)) + self.eps)
"""


def test_nesterov_is_graded_in_the_sandbox_with_the_graders_gradient():
    grade = _graded(NESTEROV_SOURCE, "nesterov_step")
    assert grade.fraction == 1, grade.text
    # The syllabus's look-ahead (no lr) earns nothing, in the sandbox too.
    wrong = _graded(NESTEROV_SOURCE.replace("theta - lr * beta * v", "theta - beta * v"),
                    "nesterov_step")
    assert wrong.fraction == 0 and "not close enough" in wrong.text


def test_the_adam_class_is_graded_in_the_sandbox():
    grade = _graded(ADAM_SOURCE, "Adam")
    assert grade.fraction == 1, grade.text
    forgetful = _graded(ADAM_SOURCE.replace("            p.grad = None", "            pass"), "Adam")
    assert forgetful.fraction == 0, forgetful.text
