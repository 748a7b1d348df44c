"""A test-only spec with one exercise of each kind the chapter kit grades.

Structured answers (an optimizer step returning ``(theta, m, v)``), a
scenario (a learner-written class driven over many steps, and a function
that receives a trusted callable), a property verdict (held-out accuracy of
trained weights), an exercise that must not change its input, and a PyTorch
exercise.  Expected values come from the references below.
"""
from __future__ import annotations

import numpy as np

from anncourse.grading import Case, Exercise, Part, Property
from anncourse.grading.properties import matches_reference, scenario_matches, verdict

KEY = "00-kit"


# --- structured: one Adam step ------------------------------------------------

def adam_step(theta, grad, m, v, t, lr=0.1, beta1=0.9, beta2=0.999, eps=1e-8):
    m = beta1 * np.asarray(m, float) + (1 - beta1) * np.asarray(grad, float)
    v = beta2 * np.asarray(v, float) + (1 - beta2) * np.asarray(grad, float) ** 2
    m_hat = m / (1 - beta1 ** t)
    v_hat = v / (1 - beta2 ** t)
    return np.asarray(theta, float) - lr * m_hat / (np.sqrt(v_hat) + eps), m, v


def _adam_args(rng):
    n = int(rng.integers(2, 6))
    return (rng.normal(size=n), rng.normal(size=n), rng.normal(size=n) * 0.1,
            rng.uniform(0.01, 1, size=n), int(rng.integers(1, 50)))


ADAM = Exercise(
    key=f"{KEY}/adam_step", function_name="adam_step", reference=adam_step,
    parts=(Part("theta"), Part("m"), Part("v", rtol=1e-8)),
    visible=[Case("one step from zero state", (np.array([1.0, -2.0]), np.array([0.5, 0.5]),
                                               np.zeros(2), np.zeros(2), 1), adam_step)],
    hidden=[Property("wrong after many steps", matches_reference(adam_step, _adam_args))],
)


# --- a scenario: a class driven over many steps, a trusted callable -----------

class MomentumSGD:
    def __init__(self, lr, beta):
        self.lr, self.beta, self.velocity = lr, beta, None

    def step(self, theta, grad):
        if self.velocity is None:
            self.velocity = np.zeros_like(grad)
        self.velocity = self.beta * self.velocity + grad
        return theta - self.lr * self.velocity


def drive_momentum(cls, lr, beta, steps):
    # The grader's own loop: a quadratic bowl with curvatures 1 and 10.
    import numpy as np

    optimizer = cls(lr, beta)
    theta = np.array([1.0, 1.0])
    path = []
    for _ in range(steps):
        grad = np.array([1.0, 10.0]) * theta
        theta = np.asarray(optimizer.step(theta, grad), dtype=float)
        path.append(theta.copy())
    return np.array(path)


MOMENTUM = Exercise(
    key=f"{KEY}/MomentumSGD", function_name="MomentumSGD", reference=None,
    visible=[Case("20 steps on a bowl", (0.05, 0.9, 20), MomentumSGD, driver=drive_momentum)],
    hidden=[Property("wrong for other learning rates and momenta",
                     scenario_matches(MomentumSGD, drive_momentum,
                                      lambda rng: (float(rng.uniform(0.001, 0.05)),
                                                   float(rng.uniform(0, 0.95)), 30)))],
)


def numerical_derivative(f, x, h=1e-5):
    return (f(x + h) - f(x - h)) / (2 * h)


def drive_derivative(func, x):
    import math

    return func(lambda t: math.sin(t) * t ** 2, x)


DERIVATIVE = Exercise(
    key=f"{KEY}/numerical_derivative", function_name="numerical_derivative",
    reference=numerical_derivative,
    visible=[Case("d/dx of x^2 sin x at 1.3", (1.3,), numerical_derivative,
                  driver=drive_derivative, rtol=1e-6)],
)


# --- a property verdict: held-out accuracy of trained weights -----------------

def _blobs(rng, n):
    y = rng.integers(0, 2, size=n)
    X = rng.normal(size=(n, 2)) + np.where(y[:, None] == 1, 1.5, -1.5)
    return X, y.astype(float)


def train_logistic(X, y, seed):
    X, y = np.asarray(X, float), np.asarray(y, float)
    w = np.zeros(X.shape[1] + 1)
    Xb = np.hstack([X, np.ones((len(X), 1))])
    for _ in range(200):
        p = 1 / (1 + np.exp(-Xb @ w))
        w -= 0.5 * Xb.T @ (p - y) / len(y)
    return w


def drive_train(func, X, y, seed):
    import numpy as np

    w = np.asarray(func(X, y, seed), dtype=float)
    return ((np.hstack([X, np.ones((len(X), 1))]) @ w) > 0).astype(float)


def _held_out_accuracy(w, args):
    X_test, y_test = _blobs(np.random.default_rng(int(abs(args[0][0, 0]) * 1e6)), 400)
    w = np.asarray(w, dtype=float)
    if w.shape != (3,):
        return f"the weights have shape {w.shape}, expected (3,)"
    accuracy = np.mean(((np.hstack([X_test, np.ones((400, 1))]) @ w) > 0) == y_test)
    return None if accuracy >= 0.9 else "held-out accuracy below the required 0.9"


TRAIN = Exercise(
    key=f"{KEY}/train_logistic", function_name="train_logistic", reference=None,
    visible=[Case("the trained weights classify a small separable training set",
                  (np.array([[2.0, 1.0], [1.0, 2.5], [-1.5, -1.0], [-2.0, -0.5]]),
                   np.array([1.0, 1.0, 0.0, 0.0]), 0), train_logistic, driver=drive_train)],
    hidden=[Property("held-out accuracy of at least 0.9 on data the grader draws",
                     verdict(_held_out_accuracy, lambda rng: (*_blobs(rng, 200), 0)))],
)


# --- must not change its input -------------------------------------------------

def standardize(x):
    x = np.asarray(x, dtype=float)
    return (x - x.mean()) / x.std()


STANDARDIZE = Exercise(
    key=f"{KEY}/standardize", function_name="standardize", reference=standardize,
    visible=[Case("five numbers", (np.array([1.0, 2.0, 3.0, 4.0, 10.0]),), standardize)],
)


# --- a PyTorch exercise ----------------------------------------------------------

def torch_mse(y_true, y_pred):
    return float(np.mean((np.asarray(y_true, float) - np.asarray(y_pred, float)) ** 2))


TORCH_MSE = Exercise(
    key=f"{KEY}/torch_mse", function_name="torch_mse", reference=None, needs=("torch",),
    visible=[Case("the worked example", ([3.0, 5.0], [2.5, 5.2]), torch_mse)],
)

# --- a structured answer with a word in it -------------------------------------

def depth_kind(sizes):
    hidden = len(sizes) - 2
    return hidden, "none" if hidden == 0 else "shallow" if hidden <= 2 else "deep"


DEPTH = Exercise(
    key=f"{KEY}/depth_kind", function_name="depth_kind", reference=depth_kind,
    parts=(Part("n_hidden"), Part("kind")),
    visible=[Case("four hidden layers", ([784, 256, 128, 64, 32, 10],), depth_kind)],
    hidden=[Property("wrong for a network without hidden layers",
                     matches_reference(depth_kind, lambda rng: ([int(rng.integers(2, 9)), 3],)))],
)

EXERCISES = [ADAM, MOMENTUM, DERIVATIVE, TRAIN, STANDARDIZE, TORCH_MSE, DEPTH]
