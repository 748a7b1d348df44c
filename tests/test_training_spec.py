"""What ``05-training``'s checks promise beyond the generated spec tests.

tests/test_specs_generated.py already checks every exercise of the chapter:
its reference passes, and each usual mistake listed in the spec fails with
its hint.  Here: correct answers in other reasonable styles pass every
check (grading is fair to them), and subtle wrong answers that only the
hidden checks can catch are caught.
"""
from __future__ import annotations

import math

import numpy as np
import pytest

from anncourse.grading.core import evaluate
from anncourse.grading.specs import exercises

EXERCISES = exercises("05-training")


def passes(func, name):
    return evaluate(func, EXERCISES[name], visible=True, hidden=True) == []


def fails_hidden(func, name):
    """Every visible check passes, and some hidden one fails."""
    ex = EXERCISES[name]
    return evaluate(func, ex, visible=True) == [] and evaluate(func, ex, visible=False, hidden=True)


# --- iterations_per_epoch -------------------------------------------------------------

def ipe_math_ceil(n, batch_size, drop_last=False):
    return n // batch_size if drop_last else math.ceil(n / batch_size)


def ipe_numpy_float(n, batch_size, drop_last=False):
    return np.floor(n / batch_size) if drop_last else np.ceil(n / batch_size)


def ipe_loop(n, batch_size, drop_last=False):
    count, start = 0, 0
    while start < n:
        if not (drop_last and n - start < batch_size):
            count += 1
        start += batch_size
    return count


def ipe_remainder(n, batch_size, drop_last=False):
    return n // batch_size + int(n % batch_size > 0 and not drop_last)


@pytest.mark.parametrize("func", [ipe_math_ceil, ipe_numpy_float, ipe_loop, ipe_remainder])
def test_iterations_per_epoch_in_any_correct_style_passes(func):
    assert passes(func, "iterations_per_epoch")


def ipe_no_batch_for_small_data(n, batch_size, drop_last=False):
    # Right on the visible examples, but thinks a data set smaller than a batch
    # makes no update even without drop_last, except for the visible 50/64.
    if n < batch_size and n != 50:
        return 0
    return ipe_math_ceil(n, batch_size, drop_last)


def test_a_data_set_smaller_than_a_batch_is_checked_hidden():
    assert fails_hidden(ipe_no_batch_for_small_data, "iterations_per_epoch")


# --- make_batches -------------------------------------------------------------------

def batches_by_slicing(order, batch_size):
    return [order[i:i + batch_size] for i in range(0, len(order), batch_size)]


def batches_as_lists(order, batch_size):
    out, current = [], []
    for index in order:
        current.append(int(index))
        if len(current) == batch_size:
            out.append(current)
            current = []
    if current:
        out.append(current)
    return out


def batches_by_np_split(order, batch_size):
    order = np.asarray(order)
    return np.split(order, np.arange(batch_size, len(order), batch_size))


def batches_generator(order, batch_size):
    order = np.asarray(order)
    for start in range(0, len(order), batch_size):
        yield order[start:start + batch_size]


@pytest.mark.parametrize("func", [batches_by_slicing, batches_as_lists, batches_by_np_split,
                                  batches_generator])
def test_make_batches_in_any_correct_style_passes(func):
    assert passes(func, "make_batches")


def batches_by_array_split(order, batch_size):
    # np.array_split into ceil(n / b) pieces evens the sizes out: 7 in batches of 3 gives
    # [3, 2, 2], not [3, 3, 1]. The visible examples happen to agree.
    order = np.asarray(order)
    return np.array_split(order, math.ceil(len(order) / batch_size))


def test_evened_out_batches_fail_the_hidden_checks():
    assert fails_hidden(batches_by_array_split, "make_batches")


def test_make_batches_feedback_names_the_wrong_part():
    def sorted_batches(order, batch_size):
        return batches_by_slicing(sorted(order), batch_size)

    message = "\n".join(evaluate(sorted_batches, EXERCISES["make_batches"]))
    assert "batch_sizes is right; joined" in message and "[4, 2, 0, 1, 3]" in message


# --- minibatch_gd_linear ------------------------------------------------------------

def gd_loops(X, y, w, b, lr, batches):
    """Without NumPy: loops over Python lists, a dict as the answer."""
    X = [[float(v) for v in row] for row in np.asarray(X).tolist()]
    y = [float(v) for v in np.asarray(y).tolist()]
    w, b = [float(v) for v in np.asarray(w).tolist()], float(b)
    for batch in batches:
        rows = [int(i) for i in batch]
        errors = [sum(X[i][j] * w[j] for j in range(len(w))) + b - y[i] for i in rows]
        grad_w = [2 / len(rows) * sum(e * X[i][j] for e, i in zip(errors, rows)) for j in range(len(w))]
        grad_b = 2 / len(rows) * sum(errors)
        w = [wj - lr * gj for wj, gj in zip(w, grad_w)]
        b = b - lr * grad_b
    return {"w": w, "b": b}


def gd_vectorised_float32_friendly(X, y, w, b, lr, batches):
    X, y = np.asarray(X), np.asarray(y)
    w = np.array(w)  # a copy, in the input's own dtype
    b = np.asarray(b, dtype=w.dtype).reshape(1)
    for batch in batches:
        xb, yb = X[np.asarray(batch)], y[np.asarray(batch)]
        error = xb @ w + b - yb
        w = w - lr * 2 * xb.T @ error / len(yb)
        b = b - lr * 2 * error.mean(keepdims=True)
    return w, b


def gd_copy_then_in_place(X, y, w, b, lr, batches):
    X, y = np.asarray(X, dtype=float), np.asarray(y, dtype=float)
    w = np.array(w, dtype=float)  # a copy, so updating it in place is fine
    for batch in batches:
        error = X[batch] @ w + b - y[batch]
        w -= lr * 2 * np.mean(error[:, None] * X[batch], axis=0)
        b -= lr * 2 * np.mean(error)
    return w, b


@pytest.mark.parametrize("func", [gd_loops, gd_vectorised_float32_friendly, gd_copy_then_in_place])
def test_minibatch_gd_linear_in_any_correct_style_passes(func):
    assert passes(func, "minibatch_gd_linear")


def gd_updates_callers_w(X, y, w, b, lr, batches):
    X, y = np.asarray(X, dtype=float), np.asarray(y, dtype=float)
    w = np.asarray(w, dtype=float)  # no copy for a float64 array: the caller's w changes
    for batch in batches:
        error = X[batch] @ w + b - y[batch]
        w -= lr * 2 * X[batch].T @ error / len(batch)
        b -= lr * 2 * error.mean()
    return w, b


def test_changing_the_callers_weights_fails_with_an_explanation():
    message = "\n".join(evaluate(gd_updates_callers_w, EXERCISES["minibatch_gd_linear"]))
    assert "changed its input in place (argument 3)" in message


def gd_whole_data_each_update(X, y, w, b, lr, batches):
    # As many updates as batches, but each on the whole data set: right only when
    # there is a single batch of everything.
    return gd_copy_then_in_place(X, y, w, b, lr, [np.arange(len(y))] * len(batches))


def test_ignoring_the_batches_fails():
    assert evaluate(gd_whole_data_each_update, EXERCISES["minibatch_gd_linear"])


# --- gd_on_quadratic and converges --------------------------------------------------------

def quadratic_closed_form(a, w0, lr, steps):
    return [w0 * (1 - lr * a) ** t for t in range(steps + 1)]


def quadratic_preallocated(a, w0, lr, steps):
    w = np.empty(steps + 1)
    w[0] = w0
    for t in range(steps):
        w[t + 1] = w[t] - lr * a * w[t]
    return w


@pytest.mark.parametrize("func", [quadratic_closed_form, quadratic_preallocated])
def test_gd_on_quadratic_in_any_correct_style_passes(func):
    assert passes(func, "gd_on_quadratic")


@pytest.mark.parametrize("func", [
    lambda a, lr: abs(1 - lr * a) < 1,
    lambda a, lr: 0 < lr * a < 2,
    lambda a, lr: np.bool_(a > 0 and lr < 2 / a),
    lambda a, lr: bool(np.abs(1.0 - np.float64(lr) * a) < 1.0),
])
def test_converges_in_any_correct_form_passes(func):
    assert passes(func, "converges")


def test_dividing_by_a_flat_curvature_fails_hidden():
    # lr < 2 / a for a > 0 is right, but a = 0 raises ZeroDivisionError.
    def converges(a, lr):
        return 0 < lr < 2 / a

    assert fails_hidden(converges, "converges")
