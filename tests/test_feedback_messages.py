"""What a learner reads when a check fails: calls as typed, values indented, hints that fit."""
from __future__ import annotations

import numpy as np
import pytest

from anncourse.grading import CheckFailed, check
from anncourse.grading.core import Case, Exercise, _fmt_args, assess
from anncourse.grading.hints import sign_flip, sign_flipped


def failure(func, key="18-loss-functions/mse") -> str:
    with pytest.raises(CheckFailed) as info:
        check(func, key)
    return str(info.value)


def test_the_call_shows_lists_as_lists_and_arrays_as_np_array():
    assert _fmt_args(([1.0, -2.0], np.array([0.5, 1.0])), {"delta": 1.0}) == \
        "[1.0, -2.0], np.array([0.5, 1. ]), delta=1.0"
    assert _fmt_args((np.array([1, 2], dtype=np.float32),), {}) == \
        "np.array([1., 2.], dtype=np.float32)"


def test_multi_line_values_are_indented_under_their_label():
    ex = Exercise("t/ident", "ident", [Case("a matrix", (np.arange(6.0).reshape(2, 3),),
                                            lambda x: x)])
    text = assess(lambda x: x + 1, ex).first_failure
    got = text.split("got:")[1]
    # The second row of the matrix lines up under the first, not at column 0.
    assert "\n            [" in got or "\n             [" in got, text


def test_per_sample_losses_where_one_number_is_expected_get_a_hint():
    text = failure(lambda y, p: (np.asarray(y) - np.asarray(p)) ** 2)
    assert "one per sample" in text and "single value" in text


def test_a_type_error_on_list_input_gets_a_hint():
    # Subtracting two lists raises TypeError: the hint says to convert them.
    def mse(y_true, y_pred):
        return sum((a - b) ** 2 for a, b in zip(y_true - y_pred, y_true)) / len(y_true)

    ex = Exercise("t/lists", "mse", [Case("lists", ([1.0, 2.0], [1.0, 2.0]), 0.0)])
    text = assess(mse, ex).first_failure
    assert "raised TypeError" in text and "np.asarray(x, dtype=float)" in text


def test_sign_hints_fit_any_exercise_or_say_what_fits_one():
    advice = sign_flipped((), np.array([1.0]), np.array([-1.0]))
    assert "opposite sign" in advice and "order of a subtraction" in advice
    hint = sign_flip("a loss is never negative")
    assert hint((), np.array([2.0]), np.array([-2.0])).endswith("a loss is never negative")
    assert hint((), np.array([2.0]), np.array([2.5])) is None


def test_a_constant_factor_is_named_when_no_hint_knows_it():
    ex = Exercise("t/scale", "f", [Case("x", (np.array([1.0, 2.0]),), lambda x: x)])
    assert "3 times too large" in assess(lambda x: 3 * x, ex).first_failure


def test_changing_the_input_in_place_is_explained_in_the_notebook_too():
    def mse(y_true, y_pred):
        y_pred -= y_true
        return np.mean(y_pred ** 2)

    text = failure(mse)
    assert "changed its input in place (argument 2)" in text


def test_a_function_that_leans_on_anncourse_is_warned_about(capsys):
    from anncourse import losses as reference

    namespace = {"reference": reference}
    exec("def mse(y_true, y_pred):\n    return reference.mse(y_true, y_pred)\n", namespace)
    check(namespace["mse"], "18-loss-functions/mse")
    out = capsys.readouterr().out
    assert "uses reference from anncourse" in out and "not at grading" in out
