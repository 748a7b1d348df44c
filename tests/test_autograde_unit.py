"""TrustedGrades on small notebooks: verdicts, partial credit, hidden code removed."""
from __future__ import annotations

import nbformat
import pytest
from nbgrader.utils import determine_grade

from anncourse.grading.autograde import TrustedGrades, checks_in, copies_reference
from anncourse.grading.sandbox import isolation_available
from anncourse import losses

from grading_helpers import reference_copy

pytestmark = pytest.mark.skipif(not isolation_available(), reason="bubblewrap is not available")

MSE_RIGHT = ("import numpy as np\n\ndef mse(y_true, y_pred):\n"
             "    return np.mean((np.asarray(y_true) - np.asarray(y_pred)) ** 2)\n")
HINGE_WRONG = "def hinge(y_true, score):\n    return 0.0\n"
TWO_PARTS = ('check(mse, "18-loss-functions/mse")\ncheck(hinge, "18-loss-functions/hinge")\n'
             '### BEGIN HIDDEN TESTS\ncheck(mse, "18-loss-functions/mse", hidden=True)\n'
             'check(hinge, "18-loss-functions/hinge", hidden=True)\n### END HIDDEN TESTS\n')


def notebook(*sources, points=4):
    cells = [nbformat.v4.new_code_cell(src) for src in sources]
    test = nbformat.v4.new_code_cell(TWO_PARTS)
    test.metadata["nbgrader"] = {"grade": True, "solution": False, "locked": True,
                                 "grade_id": "test_parts", "points": points, "schema_version": 3,
                                 "task": False}
    nb = nbformat.v4.new_notebook(cells=cells + [test])
    return nb, test


def grade(nb):
    TrustedGrades().preprocess(nb, {})
    return determine_grade(nb.cells[-1])


def test_checks_are_read_from_the_cell_source():
    assert checks_in(TWO_PARTS) == [("18-loss-functions/mse", False), ("18-loss-functions/hinge", False),
                                    ("18-loss-functions/mse", True), ("18-loss-functions/hinge", True)]


def test_partial_credit_for_independent_parts():
    nb, test = notebook(MSE_RIGHT, HINGE_WRONG)
    assert grade(nb) == (2.0, 4.0)
    text = "".join(o.get("text", "") for o in test.outputs)
    assert "mse: passed" in text and "hinge: FAILED" in text
    # The hidden checks' code is gone; a note says they ran.
    assert "hidden=True" not in test.source and "hidden checks ran at grading" in test.source


def test_all_parts_right_is_full_marks_and_none_right_is_zero():
    right_hinge = ("import numpy as np\n\ndef hinge(y_true, score):\n"
                   "    return np.mean(np.maximum(0, 1 - np.asarray(y_true) * np.asarray(score)))\n")
    nb, _ = notebook(MSE_RIGHT, right_hinge)
    assert grade(nb) == (4.0, 4.0)
    nb, test = notebook("def mse(a, b):\n    return 1.0\n", HINGE_WRONG)
    assert grade(nb) == (0, 4.0)
    assert test.outputs[0].output_type == "error"


def test_a_copy_of_the_reference_is_recognised_even_renamed():
    source = reference_copy(losses.mse)
    renamed = source.replace("y_true", "target").replace("y_pred", "guess")
    assert copies_reference([renamed], "mse", losses.mse)
    assert not copies_reference([MSE_RIGHT], "mse", losses.mse)


def test_an_independent_answer_with_its_own_validation_is_not_a_copy():
    # Same shape as the reference's top function (validate, subtract,
    # reduce), but its own helper: an honest answer, never flagged.
    own = (
        "import numpy as np\n\n"
        "def _as_floats(a, b):\n"
        "    a = np.asarray(a, dtype=float)\n"
        "    b = np.asarray(b, dtype=float)\n"
        "    if a.shape != b.shape:\n"
        "        raise ValueError('shapes differ')\n"
        "    return a, b\n\n"
        "def mse(y_true, y_pred):\n"
        "    y, y_hat = _as_floats(y_true, y_pred)\n"
        "    errors = y - y_hat\n"
        "    return np.mean(errors ** 2)\n")
    assert not copies_reference([own], "mse", losses.mse)


def test_disguised_working_copies_are_recognised():
    """Each corpus disguise of a copy runs on NumPy alone and is still recognised."""
    from pathlib import Path

    from grading_helpers import fill_corpus

    for path in sorted((Path(__file__).parent / "grading_corpus" / "attacks").glob("copy*.py")):
        code = fill_corpus(path.read_text(), "/nowhere", losses.mse)
        namespace = {}
        exec(compile(code, "<cell 0>", "exec"), namespace)
        assert abs(namespace["mse"]([3.0, 5.0], [2.5, 5.2]) - 0.145) < 1e-12, path.name
        # Where the name is bound at the end, as the sandbox reports it.
        origin = (0, namespace["mse"].__code__.co_firstlineno)
        assert copies_reference([code], "mse", losses.mse, origin), path.name
