"""What ``07-regularization``'s checks promise beyond the generated spec tests.

tests/test_specs_generated.py already checks every exercise of the chapter:
its reference passes, and each usual mistake listed in the spec fails with
its hint.  Here: correct answers in other reasonable styles pass (loops with
:mod:`math`, lists, masks of booleans, a tuple or a list for early
stopping), and subtle wrong answers that only the hidden checks can see fail.
"""
from __future__ import annotations

import math

import numpy as np
import pytest

from anncourse.grading.core import evaluate
from anncourse.grading.specs import exercises

EXERCISES = exercises("07-regularization")


def _flat(w):
    """Every weight of a number, a list, a nested list or an array, as floats."""
    return [float(v) for v in np.asarray(w, dtype=float).reshape(-1)]


def l2_penalty_loop(w, lam):
    return lam / 2 * math.fsum(v * v for v in _flat(w))


def l1_penalty_loop(w, lam):
    return lam * math.fsum(abs(v) for v in _flat(w))


def l2_grad_float32_kept(w, lam):
    w = np.asarray(w)
    return (lam * w).astype(w.dtype if w.dtype.kind == "f" else float)


def l1_grad_loop(w, lam):
    w = np.asarray(w, dtype=float)
    out = np.zeros_like(w)
    for index, v in np.ndenumerate(w):
        out[index] = lam if v > 0 else (-lam if v < 0 else 0.0)
    return out


def dropout_where(x, mask, p, train=True):
    x = np.asarray(x, dtype=float)
    if not train:
        return x
    return np.where(np.asarray(mask, dtype=bool), x / (1 - p), 0.0)


def early_stopping_list(val_losses, patience, min_delta=0.0):
    """A plain loop, returning a list instead of a tuple."""
    best, best_epoch, bad = math.inf, None, 0
    for epoch, loss in enumerate(val_losses):
        if loss < best - min_delta:
            best, best_epoch, bad = loss, epoch, 0
            continue
        bad += 1
        if bad >= patience:
            return [best_epoch, epoch]
    return [best_epoch, None]


def shift_image_slices(img, dy, dx):
    img = np.asarray(img)
    out = np.zeros(img.shape, dtype=float)
    h, w = img.shape
    if abs(dy) >= h or abs(dx) >= w:
        return out
    src = img[max(0, -dy):h - max(0, dy), max(0, -dx):w - max(0, dx)]
    out[max(0, dy):max(0, dy) + src.shape[0], max(0, dx):max(0, dx) + src.shape[1]] = src
    return out


def augment_batch_loops(images, shifts):
    return [shift_image_slices(img, int(dy), int(dx)) for dy, dx in shifts for img in images]


STYLES = [
    ("l2_penalty", l2_penalty_loop),
    ("l1_penalty", l1_penalty_loop),
    ("l2_grad", l2_grad_float32_kept),
    ("l1_grad", l1_grad_loop),
    ("dropout_forward", dropout_where),
    ("early_stopping", early_stopping_list),
    ("shift_image", shift_image_slices),
    ("augment_batch", augment_batch_loops),
]


@pytest.mark.parametrize("name, answer", STYLES, ids=[n for n, _ in STYLES])
def test_other_correct_styles_pass_every_check(name, answer):
    assert evaluate(answer, EXERCISES[name], visible=True, hidden=True) == []


def test_every_exercise_has_a_style_test():
    assert {name for name, _ in STYLES} == set(EXERCISES)


def _failed(answer, name, **which):
    return evaluate(answer, EXERCISES[name], **which)


def test_a_penalty_that_ignores_matrices_is_caught():
    """Summing only the first row of a 2-D weight matrix passes 1-D cases, not the hidden one."""
    def first_row(w, lam):
        w = np.asarray(w, dtype=float)
        return lam / 2 * np.sum((w[0] if w.ndim == 2 else w) ** 2)

    assert not _failed(first_row, "l2_penalty", visible=True)
    assert _failed(first_row, "l2_penalty", hidden=True)


def test_dropout_that_ignores_train_by_keyword_is_caught():
    def positional_only(x, mask, p, *rest, **kwargs):
        train = rest[0] if rest else True  # forgets the keyword form train=False
        x = np.asarray(x, dtype=float)
        return x * np.asarray(mask, float) / (1 - p) if train else x

    assert not _failed(positional_only, "dropout_forward", visible=True)
    assert _failed(positional_only, "dropout_forward", hidden=True)


def test_early_stopping_without_the_default_min_delta_is_caught():
    def no_default(val_losses, patience, min_delta):
        return early_stopping_list(val_losses, patience, min_delta)

    assert _failed(no_default, "early_stopping", visible=True)


def test_early_stopping_that_forgets_the_end_of_a_plateau_is_caught():
    """Resetting the count on a tie passes no plateau check."""
    def resets_on_ties(val_losses, patience, min_delta=0.0):
        best, best_epoch, bad = math.inf, None, 0
        for epoch, loss in enumerate(val_losses):
            if loss < best - min_delta:
                best, best_epoch, bad = loss, epoch, 0
            elif loss == best:
                bad = 0
            else:
                bad += 1
                if bad >= patience:
                    return best_epoch, epoch
        return best_epoch, None

    assert _failed(resets_on_ties, "early_stopping", visible=True, hidden=True)


def test_a_shift_that_wraps_only_large_shifts_is_caught():
    def modulo(img, dy, dx):
        img = np.asarray(img, dtype=float)
        h, w = img.shape
        return shift_image_slices(img, dy % h if abs(dy) >= h else dy, dx % w if abs(dx) >= w else dx)

    assert not _failed(modulo, "shift_image", visible=True)
    assert _failed(modulo, "shift_image", hidden=True)


def test_an_answer_that_changes_its_input_fails():
    def in_place(img, dy, dx):
        img = np.asarray(img)
        result = shift_image_slices(img, dy, dx)
        img[...] = 0
        return result

    assert _failed(in_place, "shift_image", visible=True)
