"""One notebook must not stop a class's grading; copies of graded cells are repaired.

Issue 8, item 5: a learner who pastes a copy of a graded cell, or whose
notebook carries odd nbgrader metadata, used to abort ``nbgrader autograde``
for the whole class.  Here several such students and normal ones are graded
in ONE run of the real CLI with the course's configuration; the run must
succeed and give every student the points their answers earn.

The unit tests drive :class:`~anncourse.grading.sanitize.RepairMetadata`
directly (against the gradebook the CLI built) with arbitrary metadata, and
:func:`~anncourse.grading.sanitize.choose_cells` with arbitrary pastes.
"""
from __future__ import annotations

import copy
import json
import re
import shutil

import nbformat
import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from nbgrader.api import Gradebook
from nbgrader.nbgraderformat import MetadataValidator
from traitlets.config import Config

from anncourse.grading.sandbox import isolation_available
from anncourse.grading.sanitize import RepairMetadata, WithholdInstructorCode, choose_cells

from conftest import ROOT
from conftest import run_nbgrader as nbgrader

SLUG = "18-loss-functions"
NOTEBOOK = f"{SLUG}.ipynb"
SOLUTION_BLOCK = re.compile(r"^[ \t]*### BEGIN SOLUTION\n(.*?)^[ \t]*### END SOLUTION\n?", re.S | re.M)


def meta(cell) -> dict:
    m = cell.get("metadata", {}).get("nbgrader", {})
    return m if isinstance(m, dict) else {}


def index_of(nb, grade_id) -> int:
    [i] = [i for i, c in enumerate(nb.cells) if meta(c).get("grade_id") == grade_id]
    return i


def answered(released, source):
    """The release with every exercise written as the instructor wrote it (markers removed)."""
    nb = copy.deepcopy(released)
    code = {meta(c)["grade_id"]: SOLUTION_BLOCK.sub(r"\1", c.source)
            for c in source.cells if meta(c).get("solution")}
    for cell in nb.cells:
        if meta(cell).get("solution"):
            cell.source = code[meta(cell)["grade_id"]]
    return nb


def pasted_answer(released, source, first):
    """The learner pasted a copy of answer cell ``first`` below it and wrote the answer there.

    The original keeps the stub: only the later copy holds working code.
    """
    nb = answered(released, source)
    i = index_of(nb, first)
    paste = copy.deepcopy(nb.cells[i])
    nb.cells[i].source = released.cells[index_of(released, first)].source
    nb.cells.insert(i + 1, paste)
    return nb


def pasted_test(released, source, first):
    """Copies of test cell ``test_<first>``: one pasted above its answer cell, one below the test."""
    nb = answered(released, source)
    test = copy.deepcopy(nb.cells[index_of(nb, f"test_{first}")])
    i = index_of(nb, first)
    nb.cells.insert(i, copy.deepcopy(test))
    # Now: copy (i), answer (i + 1), original test (i + 2); the second copy goes below.
    nb.cells.insert(i + 3, test)
    return nb


def schema_99(released, source, first):
    nb = answered(released, source)
    nb.cells[index_of(nb, first)].metadata.nbgrader["schema_version"] = 99
    nb.cells[index_of(nb, f"test_{first}")].metadata.nbgrader["schema_version"] = 99
    return nb


def garbage(released, source, first):
    """Malformed nbgrader metadata, and cells claiming grades the assignment does not have."""
    nb = answered(released, source)
    cells = nb.cells
    cells[index_of(nb, first)].metadata.nbgrader.update(grade=True, points=100, locked="no")
    cells[0].metadata["nbgrader"] = "garbage"
    extra = nbformat.v4.new_code_cell("bonus = 1", metadata={
        "nbgrader": {"grade": True, "grade_id": "bonus", "points": 50, "solution": False,
                     "locked": False, "schema_version": 3}})
    odd = nbformat.v4.new_code_cell("x = 2", metadata={"nbgrader": {"grade_id": 7, "grade": "yes"}})
    cells[1:1] = [extra, odd]
    return nb


@pytest.fixture(scope="module")
def course(tmp_path_factory):
    course = tmp_path_factory.mktemp("sanitize")
    shutil.copy(ROOT / "nbgrader_config.py", course)
    shutil.copytree(ROOT / "solutions" / SLUG, course / "solutions" / SLUG)
    nbgrader(course, "generate_assignment", SLUG, "--force")
    return course


@pytest.fixture(scope="module")
def notebooks(course):
    source = nbformat.read(course / "solutions" / SLUG / NOTEBOOK, as_version=4)
    released = nbformat.read(course / "course" / SLUG / NOTEBOOK, as_version=4)
    return source, released


@pytest.fixture(scope="module")
def one_run(course, notebooks):
    """Every kind of student graded by a single ``nbgrader autograde``."""
    if not isolation_available():
        pytest.skip("bubblewrap is not installed or cannot create namespaces: the course's "
                    "autograder refuses to run without it (apt-get install bubblewrap)")
    source, released = notebooks
    first = next(meta(c)["grade_id"] for c in source.cells if meta(c).get("solution"))
    submissions = {
        "a_right": answered(released, source),
        "b_pasted_answer": pasted_answer(released, source, first),
        "c_pasted_test": pasted_test(released, source, first),
        "d_schema_99": schema_99(released, source, first),
        "e_garbage": garbage(released, source, first),
        "f_untouched": released,
    }
    for student, nb in submissions.items():
        folder = course / "submitted" / student / SLUG
        folder.mkdir(parents=True)
        # Plain JSON, not nbformat.write, which would refuse some of these notebooks:
        # a learner's file is not necessarily valid.
        (folder / NOTEBOOK).write_text(json.dumps(nb))
    (course / "students.csv").write_text("id\n" + "".join(f"{s}\n" for s in submissions))
    nbgrader(course, "db", "student", "import", "students.csv")
    result = nbgrader(course, "autograde", SLUG)  # fails the test unless it exits 0
    return course, first, set(submissions), result.stdout + result.stderr


def test_whole_class_graded_in_one_run(one_run, notebooks):
    course, first, students, _ = one_run
    source, _ = notebooks
    total = sum(float(meta(c)["points"]) for c in source.cells if meta(c).get("grade"))
    with Gradebook(f"sqlite:///{course / 'gradebook.db'}") as gb:
        scores = {s: gb.find_submission(SLUG, s).score for s in students}
        first_points = gb.find_grade(f"test_{first}", SLUG, SLUG, "b_pasted_answer")
        assert first_points.score == first_points.max_score > 0
    assert scores == {**{s: total for s in students}, "f_untouched": 0}


def test_repairs_are_logged_with_the_student(one_run):
    log = one_run[3]
    assert "b_pasted_answer: cell" in log and "another copy of cell" in log
    assert "e_garbage: cell" in log and "malformed nbgrader metadata" in log
    assert "e_garbage: cell 1 claims grade id 'bonus'" in log


def test_pasted_answer_stays_in_graded_notebook(one_run, notebooks):
    """The copy is still the learner's code: an ordinary cell in the graded notebook and feedback."""
    course, first, _, _ = one_run
    nb = nbformat.read(course / "autograded" / "b_pasted_answer" / SLUG / NOTEBOOK, as_version=4)
    i = index_of(nb, first)
    assert "raise NotImplementedError" in nb.cells[i].source
    assert "nbgrader" not in nb.cells[i + 1].metadata
    assert "NotImplementedError" not in nb.cells[i + 1].source


# --- unit tests of the repair ------------------------------------------------

@given(data=st.data())
@settings(max_examples=200, deadline=None)
def test_choose_cells_keeps_the_instructor_order(data):
    """Whatever copies are pasted wherever, the original cells are found in order."""
    n = data.draw(st.integers(1, 8))
    order = [f"g{k}" for k in range(n)]
    claims: list[str | None] = list(order)
    for _ in range(data.draw(st.integers(0, 6))):
        what = data.draw(st.sampled_from([*order, None]))
        claims.insert(data.draw(st.integers(0, len(claims))), what)
    chosen = choose_cells(claims, order)
    assert set(chosen) == set(order)
    assert all(claims[chosen[g]] == g for g in order)
    places = [chosen[g] for g in order]
    assert places == sorted(places)


def test_choose_cells_without_copies_keeps_every_cell():
    claims = ["a", None, "test_a", "b", None, "test_b"]
    assert choose_cells(claims, ["a", "test_a", "b", "test_b"]) == {"a": 0, "test_a": 2, "b": 3,
                                                                     "test_b": 5}


JSON = st.recursive(st.none() | st.booleans() | st.integers() | st.floats(allow_nan=False) | st.text(max_size=8),
                    lambda inner: st.lists(inner, max_size=3) | st.dictionaries(st.text(max_size=8), inner,
                                                                                max_size=3),
                    max_leaves=8)


@pytest.fixture(scope="module")
def repair(course):
    config = Config()
    config.CourseDirectory.root = str(course)
    resources = {"nbgrader": {"student": "s", "notebook": SLUG, "assignment": SLUG,
                              "db_url": f"sqlite:///{course / 'gradebook.db'}"}}
    return RepairMetadata(config=config), resources


@given(data=st.data())
@settings(max_examples=25, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture])
def test_repaired_metadata_is_always_valid(data, repair, notebooks):
    """Random nbgrader metadata on random cells, random pasted copies: nbgrader accepts the result."""
    preprocessor, resources = repair
    source, released = notebooks
    nb = copy.deepcopy(released)
    for _ in range(data.draw(st.integers(0, 4))):
        cell = nb.cells[data.draw(st.integers(0, len(nb.cells) - 1))]
        keys = st.sampled_from(["grade", "solution", "locked", "points", "grade_id", "schema_version",
                                "task", "checksum"])
        value = data.draw(JSON | st.dictionaries(keys, JSON | st.sampled_from([meta(c).get("grade_id")
                                                                                for c in source.cells])))
        cell.metadata["nbgrader"] = value
    for _ in range(data.draw(st.integers(0, 3))):
        k = data.draw(st.integers(0, len(nb.cells) - 1))
        nb.cells.insert(data.draw(st.integers(0, len(nb.cells))), copy.deepcopy(nb.cells[k]))
    nb, _ = preprocessor.preprocess(nb, copy.deepcopy(resources))
    MetadataValidator().validate_nb(nb)  # raises on duplicates, bad schema, missing fields
    instructor = {meta(c)["grade_id"]: meta(c) for c in source.cells if meta(c)}
    for cell in nb.cells:
        if "nbgrader" in cell.metadata:
            m, want = meta(cell), instructor[meta(cell)["grade_id"]]
            assert {k: m[k] for k in ("grade", "solution", "locked")} == \
                   {k: bool(want.get(k)) for k in ("grade", "solution", "locked")}
            assert float(m.get("points", 0)) == float(want.get("points", 0))


def test_withhold_leaves_honest_answers_alone(notebooks):
    """An answer that repeats the solution's code, even whole, is not taken for a copy; markers are."""
    source, released = notebooks
    honest = answered(released, source)
    nb, _ = WithholdInstructorCode().preprocess(copy.deepcopy(honest), {"nbgrader": {"student": "s"}})
    assert [c.source for c in nb.cells] == [c.source for c in honest.cells]
    nb, _ = WithholdInstructorCode().preprocess(copy.deepcopy(source), {"nbgrader": {"student": "s"}})
    solutions = [c for c in nb.cells if meta(c).get("solution")]
    assert solutions and all(c.source.startswith("# Withheld by the grader") for c in solutions)
    assert all("BEGIN SOLUTION" not in c.source for c in nb.cells if not meta(c).get("locked"))
