"""What ``09-backpropagation``'s checks promise beyond the generated spec tests.

tests/test_specs_generated.py already checks every exercise of the chapter:
its reference passes, and each usual mistake listed in the spec fails with
its hint.  Here: the references agree with PyTorch's autograd and with
finite differences; correct answers written in other reasonable styles pass
(grading is fair to them); subtle wrong answers (an unstable softmax, an
in-place update, a step that is not restored exactly) are caught.
"""
from __future__ import annotations

import math

import numpy as np
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from anncourse.gradcheck import numerical_gradient as central
from anncourse.grading.core import evaluate
from anncourse.grading.specs import backpropagation as spec
from anncourse.grading.specs import exercises

EXERCISES = exercises("09-backpropagation")


def _passes(func, name):
    return evaluate(func, EXERCISES[name], visible=True, hidden=True) == []


# --- the references are right -------------------------------------------------------------

def test_the_worked_circuit():
    assert spec.circuit_grads(-2, 5, -4) == (-12, -4, -4, 3)


@settings(max_examples=40, deadline=None)
@given(st.lists(st.floats(-5, 5), min_size=3, max_size=3))
def test_circuit_gradients_are_the_slopes(point):
    f, *grads = spec.circuit_grads(*point)
    numeric = central(lambda v: spec.circuit_grads(*v)[0], np.array(point))
    # f is a quadratic: the centred difference is exact up to rounding, ~1e-10 for |f| <= 50.
    assert np.allclose(grads, numeric, rtol=1e-6, atol=1e-6)


def test_two_layer_gradients_match_torch_autograd():
    torch = pytest.importorskip("torch")
    rng = np.random.default_rng(3)
    X, y, W1, b1, W2, b2 = spec._net(rng, n=17)
    loss, *grads = spec.two_layer_loss_grads(X, y, W1, b1, W2, b2)
    params = [torch.tensor(p, requires_grad=True) for p in (W1, b1, W2, b2)]
    scores = torch.relu(torch.tensor(X) @ params[0] + params[1]) @ params[2] + params[3]
    torch_loss = torch.nn.functional.cross_entropy(scores, torch.tensor(y))
    torch_loss.backward()
    # Both float64 with the same operations in a different order: agreement to ~1e-15.
    assert loss == pytest.approx(torch_loss.item(), rel=1e-12)
    for mine, p in zip(grads, params):
        assert np.allclose(mine, p.grad.numpy(), rtol=1e-10, atol=1e-13)


def test_two_layer_is_exact_for_huge_scores():
    X, y, W1, b1, W2, b2 = spec._net(np.random.default_rng(0), n=8, scale=2000.0)
    loss, *grads = spec.two_layer_loss_grads(X, y, W1, b1, W2, b2)
    assert np.isfinite(loss) and loss > 100 and all(np.all(np.isfinite(g)) for g in grads)


def test_affine_backward_is_the_gradient_of_a_weighted_sum():
    rng = np.random.default_rng(1)
    dout, x, W = spec._backward_args(rng, n=4)
    dx, dW, db = spec.affine_backward(dout, x, W)
    b = rng.normal(size=W.shape[1])
    # L = sum(dout * (x W + b)) has exactly these gradients.
    loss = lambda x_, W_, b_: float(np.sum(dout * spec.affine_forward(x_, W_, b_)))  # noqa: E731
    assert np.allclose(dx, central(lambda v: loss(v, W, b), x), atol=1e-8)
    assert np.allclose(dW, central(lambda v: loss(x, v, b), W), atol=1e-8)
    assert np.allclose(db, central(lambda v: loss(x, W, v), b), atol=1e-8)


# --- correct answers in other styles pass --------------------------------------------------

def circuit_with_dict(x, y, z):
    q = x + y
    return {"f": q * z, "df_dx": z * 1.0, "df_dy": z * 1.0, "df_dz": q}


def affine_forward_loops(x, W, b):
    rows = x if isinstance(x[0], (list, np.ndarray)) else [x]
    out = [[math.fsum(float(r[i]) * float(W[i][j]) for i in range(len(r))) + float(b[j])
            for j in range(len(b))] for r in rows]
    return out if isinstance(x[0], (list, np.ndarray)) else out[0]


def affine_backward_einsum(dout, x, W):
    dout, x, W = (np.asarray(a, dtype=np.float32 if np.asarray(a).dtype == np.float32 else float)
                  for a in (dout, x, W))
    return (np.einsum("no,io->ni", dout, W), np.einsum("ni,no->io", x, dout),
            np.einsum("no->o", dout))


def relu_backward_where(dout, z):
    return np.where(np.asarray(z) > 0, dout, 0.0)


def numerical_gradient_in_place(f, x, h=1e-5):
    """Changes one element at a time and restores it exactly, with flat indices."""
    x = np.array(x, dtype=float)
    grad = np.zeros(x.size)
    flat = x.reshape(-1)  # a view: changing flat changes x
    for i in range(x.size):
        old = flat[i]
        flat[i] = old + h
        plus = f(x)
        flat[i] = old - h
        minus = f(x)
        flat[i] = old
        grad[i] = (plus - minus) / (2 * h)
    return grad.reshape(x.shape)


def numerical_gradient_nditer(f, x, h=1e-5):
    x = np.asarray(x, dtype=float)
    grad = np.zeros_like(x)
    it = np.nditer(x, flags=["multi_index"])
    while not it.finished:
        i = it.multi_index
        e = np.zeros_like(x)
        e[i] = h
        grad[i] = (f(x + e) - f(x - e)) / (2 * h)
        it.iternext()
    return grad


def two_layer_float32_friendly(X, y, W1, b1, W2, b2):
    """Keeps the input dtype, one-hot by np.eye, log-sum-exp written out."""
    X, W1, b1, W2, b2 = (np.asarray(a) for a in (X, W1, b1, W2, b2))
    y = np.asarray(y, dtype=int)
    n = X.shape[0]
    z1 = X @ W1 + b1
    h = np.maximum(z1, 0)
    s = h @ W2 + b2
    m = s.max(axis=1, keepdims=True)
    log_p = s - m - np.log(np.exp(s - m).sum(axis=1, keepdims=True))
    onehot = np.eye(s.shape[1])[y]
    loss = -np.sum(onehot * log_p) / n
    ds = (np.exp(log_p) - onehot) / n
    dh = ds @ W2.T
    dz1 = dh * (z1 > 0)
    return loss, X.T @ dz1, dz1.sum(0), h.T @ ds, ds.sum(0)


def sgd_update_tuple(params, grads, lr):
    if isinstance(params, dict):
        return {name: params[name] - lr * np.asarray(grads[name]) for name in params}
    return tuple(np.subtract(p, np.multiply(lr, g)) for p, g in zip(params, grads))


@pytest.mark.parametrize("func, name", [
    (circuit_with_dict, "circuit_grads"),
    (affine_forward_loops, "affine_forward"),
    (affine_backward_einsum, "affine_backward"),
    (relu_backward_where, "relu_backward"),
    (numerical_gradient_in_place, "numerical_gradient"),
    (numerical_gradient_nditer, "numerical_gradient"),
    (two_layer_float32_friendly, "two_layer_loss_grads"),
    (sgd_update_tuple, "sgd_update"),
])
def test_other_correct_styles_pass(func, name):
    assert _passes(func, name)


# --- subtle mistakes are caught ----------------------------------------------------------------

def two_layer_naive_softmax(X, y, W1, b1, W2, b2):
    X, W1, b1, W2, b2 = (np.asarray(a, dtype=float) for a in (X, W1, b1, W2, b2))
    y = np.asarray(y, dtype=int)
    z1 = X @ W1 + b1
    h = np.maximum(z1, 0)
    s = h @ W2 + b2
    p = np.exp(s) / np.exp(s).sum(axis=1, keepdims=True)  # overflows for scores in the hundreds
    n = len(y)
    loss = -np.mean(np.log(p[np.arange(n), y]))
    ds = p.copy()
    ds[np.arange(n), y] -= 1
    ds /= n
    dz1 = (ds @ W2.T) * (z1 > 0)
    return loss, X.T @ dz1, dz1.sum(0), h.T @ ds, ds.sum(0)


def test_an_unstable_softmax_fails_only_the_stability_check():
    failures = evaluate(two_layer_naive_softmax, EXERCISES["two_layer_loss_grads"], visible=True,
                        hidden=True)
    assert len(failures) == 1 and "thousands" in failures[0] and "1 of 6" in failures[0]


def sgd_update_in_place(params, grads, lr):
    items = params.values() if isinstance(params, dict) else params
    grads_ = grads.values() if isinstance(grads, dict) else grads
    for p, g in zip(items, grads_):
        p -= lr * g
    return params


def test_an_in_place_update_fails_with_an_explanation():
    failures = evaluate(sgd_update_in_place, EXERCISES["sgd_update"], visible=True)
    assert failures and "changed params or grads in place" in failures[0]


def sgd_update_flattened(params, grads, lr):
    values = params.values() if isinstance(params, dict) else params
    out = [np.ravel(p) - lr * np.ravel(g)
           for p, g in zip(values, grads.values() if isinstance(grads, dict) else grads)]
    return dict(zip(params, out)) if isinstance(params, dict) else out


def test_an_update_that_loses_the_shapes_fails():
    failures = evaluate(sgd_update_flattened, EXERCISES["sgd_update"], visible=True)
    assert failures and "shape (4,), but that parameter has shape (2, 2)" in failures[0]


def numerical_gradient_drifting(f, x, h=1e-5):
    """Steps by +h, -2h, +h in place: x is not restored exactly."""
    grad = np.zeros_like(x, dtype=float)
    for i in np.ndindex(x.shape):
        x[i] += h
        plus = f(x)
        x[i] -= 2 * h
        minus = f(x)
        x[i] += h
        grad[i] = (plus - minus) / (2 * h)
    return grad


def test_a_step_that_is_not_undone_exactly_is_caught():
    failures = evaluate(numerical_gradient_drifting, EXERCISES["numerical_gradient"], visible=True)
    assert failures and "changed x in place" in failures[0]


def numerical_gradient_integer_steps(f, x, h=1e-5):
    x = np.array(x)  # keeps an integer dtype: x[i] + h is rounded back to an integer
    grad = np.zeros(x.shape)
    for i in np.ndindex(x.shape):
        xp, xm = x.copy(), x.copy()
        xp[i] += h
        xm[i] -= h
        grad[i] = (f(xp) - f(xm)) / (2 * h)
    return grad


def test_integer_x_must_become_float():
    failures = evaluate(numerical_gradient_integer_steps, EXERCISES["numerical_gradient"],
                        visible=True, hidden=True)
    assert len(failures) == 1 and "integers" in failures[0]


def relu_backward_sign_mask(dout, z):
    # Where dout < 0 too: the mask must come from z, not from dout's sign.
    return np.maximum(np.asarray(dout, dtype=float), 0) * (np.asarray(z) > 0)


def test_a_mask_taken_from_dout_fails():
    assert not _passes(relu_backward_sign_mask, "relu_backward")


def test_the_training_check_catches_gradients_that_are_slightly_off():
    def scaled(X, y, W1, b1, W2, b2):
        loss, dW1, db1, dW2, db2 = spec.two_layer_loss_grads(X, y, W1, b1, W2, b2)
        return loss, dW1, db1, dW2 * (1 + 1e-4), db2

    failures = evaluate(scaled, EXERCISES["two_layer_loss_grads"], visible=False, hidden=True)
    assert any("loss curve" in f for f in failures)
