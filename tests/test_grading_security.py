"""Autograding cannot be fooled: an adversarial corpus through real nbgrader.

Every attack replaces the learner's answer to the first exercise of the
loss-functions chapter (the rest of the notebook is the untouched release),
so any point it earns is undeserved.  A corpus of correct answers written in
different styles must, on the contrary, earn full marks for that exercise.
All submissions go through ``nbgrader autograde`` with the course's own
configuration; a victim graded first must keep its grade, and neither the
instructor's solutions/ nor the gradebook may change under the attacks.
"""
from __future__ import annotations

import hashlib
import shutil
import sqlite3
from pathlib import Path

import nbformat
import pytest
from nbgrader.api import Gradebook

from anncourse import losses
from anncourse.grading.sandbox import isolation_available

from conftest import ROOT
from grading_helpers import fill_corpus
from conftest import run_nbgrader as nbgrader

SLUG = "18-loss-functions"
CORPUS = Path(__file__).parent / "grading_corpus"

pytestmark = pytest.mark.skipif(
    not isolation_available(),
    reason="bubblewrap is not installed or cannot create namespaces: the grader refuses to run "
           "without it (apt-get install bubblewrap)",
)




def digest(folder: Path) -> str:
    h = hashlib.sha256()
    for path in sorted(folder.rglob("*")):
        if path.is_file():
            h.update(str(path.relative_to(folder)).encode())
            h.update(path.read_bytes())
    return h.hexdigest()


def without_markers(nb):
    nb = nbformat.from_dict(nb)
    for cell in nb.cells:
        if cell.metadata.get("nbgrader", {}).get("solution"):
            cell.source = "\n".join(line for line in cell.source.splitlines()
                                    if "### BEGIN SOLUTION" not in line
                                    and "### END SOLUTION" not in line) + "\n"
    return nb


def first_exercise(nb):
    for i, cell in enumerate(nb.cells):
        meta = cell.metadata.get("nbgrader", {})
        if meta.get("solution") and cell.cell_type == "code":
            return i, meta["grade_id"]
    raise AssertionError("no solution cell")


def corpus(kind: str) -> dict[str, str]:
    return {p.stem: p.read_text() for p in sorted((CORPUS / kind).glob("*.py"))}


@pytest.fixture(scope="module")
def graded(tmp_path_factory):
    course = tmp_path_factory.mktemp("course")
    shutil.copy(ROOT / "nbgrader_config.py", course)
    shutil.copytree(ROOT / "solutions" / SLUG, course / "solutions" / SLUG)
    nbgrader(course, "generate_assignment", SLUG, "--force")
    source = nbformat.read(course / "solutions" / SLUG / f"{SLUG}.ipynb", as_version=4)
    released = nbformat.read(course / "course" / SLUG / f"{SLUG}.ipynb", as_version=4)

    def submit(student, nb):
        folder = course / "submitted" / student / SLUG
        folder.mkdir(parents=True)
        nbformat.write(nb, folder / f"{SLUG}.ipynb")
        nbgrader(course, "db", "student", "add", student)

    # The victim: a perfect learner (the instructor's answers without nbgrader's
    # solution markers, which mark a submitted copy of the instructor's file),
    # graded before any attack.
    submit("victim", without_markers(source))
    nbgrader(course, "autograde", SLUG, "--student", "victim")
    with sqlite3.connect(course / "gradebook.db") as db:
        victim_rows = db.execute(
            "select * from grade join submitted_notebook on grade.notebook_id = submitted_notebook.id "
            "join submitted_assignment on submitted_notebook.assignment_id = submitted_assignment.id "
            "where submitted_assignment.student_id = 'victim'").fetchall()
    solutions_before = digest(course / "solutions")

    index, gid = first_exercise(released)
    subs = {}
    for kind in ("attacks", "correct"):
        for name, code in corpus(kind).items():
            nb = nbformat.from_dict(released)
            nb.cells[index].source = fill_corpus(code, course, losses.mse)
            student = f"{kind[:3]}-{name}".replace("_", "-")
            submit(student, nb)
            subs[student] = (kind, name)
    nbgrader(course, "autograde", SLUG)
    return course, source, gid, subs, victim_rows, solutions_before


def exercise_score(course, student, gid):
    with Gradebook(f"sqlite:///{course / 'gradebook.db'}") as gb:
        grade = gb.find_grade(f"test_{gid}", SLUG, SLUG, student)
        return grade.score, grade.max_score, gb.find_submission(SLUG, student).score


def test_every_attack_earns_nothing(graded):
    course, _, gid, subs, _, _ = graded
    attacks = [s for s, (kind, _) in subs.items() if kind == "attacks"]
    assert len(attacks) >= 15
    earned = {s: exercise_score(course, s, gid)[2] for s in attacks}
    assert earned == {s: 0 for s in attacks}


def test_every_correct_style_earns_full_marks(graded):
    course, _, gid, subs, _, _ = graded
    for student, (kind, name) in subs.items():
        if kind == "correct":
            score, max_score, total = exercise_score(course, student, gid)
            assert score == max_score, f"{name}: {score}/{max_score}"
            assert total == max_score, f"{name}: other exercises are stubs, total {total}"


def test_victim_and_instructor_files_untouched(graded):
    course, source, _, _, victim_rows, solutions_before = graded
    with sqlite3.connect(course / "gradebook.db") as db:
        rows = db.execute(
            "select * from grade join submitted_notebook on grade.notebook_id = submitted_notebook.id "
            "join submitted_assignment on submitted_notebook.assignment_id = submitted_assignment.id "
            "where submitted_assignment.student_id = 'victim'").fetchall()
    assert rows == victim_rows
    with Gradebook(f"sqlite:///{course / 'gradebook.db'}") as gb:
        sub = gb.find_submission(SLUG, "victim")
        assert sub.score == sub.max_score > 0
    assert digest(course / "solutions") == solutions_before


def test_limits_are_reported_in_the_feedback(graded):
    course, _, gid, subs, _, _ = graded
    expectations = {"infinite_loop": "did not finish", "os_exit": "ended the process",
                    "memory_bomb": "Memory", "import_reference": "numpy and math only",
                    "copy_reference": "HELD FOR REVIEW", "huge_answer": "larger than 16 MB",
                    "huge_integer": "too large"}
    for name, phrase in expectations.items():
        student = f"att-{name}".replace("_", "-")
        nb = nbformat.read(course / "autograded" / student / SLUG / f"{SLUG}.ipynb", as_version=4)
        text = "".join(str(o.get("evalue", "")) + str(o.get("text", ""))
                       for c in nb.cells for o in c.get("outputs", []))
        assert phrase in text, f"{name}: {phrase!r} not in the feedback"


def test_feedback_hides_hidden_checks(graded):
    course, _, _, _, _, _ = graded
    nbgrader(course, "generate_feedback", SLUG, "--student", "victim")
    html = (course / "feedback" / "victim" / SLUG / f"{SLUG}.html").read_text()
    assert "hidden=True" not in html and "BEGIN HIDDEN TESTS" not in html
    assert "hidden checks ran at grading" in html


COPIES = ("copy_reference", "copy_under_alias", "copy_inside_if", "copy_plus_ellipsis",
          "copy_then_decoy")


def test_copies_are_held_for_review_not_silently_zeroed(graded):
    course, _, gid, subs, _, _ = graded
    with Gradebook(f"sqlite:///{course / 'gradebook.db'}") as gb:
        for name in COPIES:
            student = f"att-{name}".replace("_", "-")
            grade = gb.find_grade(f"test_{gid}", SLUG, SLUG, student)
            assert grade.auto_score == 0, name
            assert grade.needs_manual_grade, f"{name}: not flagged for the instructor"
        # An honest answer with its own validating helper is not flagged.
        honest = gb.find_grade(f"test_{gid}", SLUG, SLUG, "cor-own-validation-helper")
        assert honest.score == honest.max_score and not honest.needs_manual_grade
    nb = nbformat.read(course / "autograded" / "att-copy-under-alias" / SLUG / f"{SLUG}.ipynb",
                       as_version=4)
    assert "HELD FOR REVIEW" in "".join(str(o.get("evalue", "")) for c in nb.cells
                                        for o in c.get("outputs", []))


def test_self_check_agrees_with_the_grader(graded):
    """The learner's `anncourse check` gives every corpus submission the grader's score."""
    from anncourse.grading.selfcheck import self_check

    course, _, gid, subs, _, _ = graded
    for student, (kind, name) in subs.items():
        nb = nbformat.read(course / "submitted" / student / SLUG / f"{SLUG}.ipynb", as_version=4)
        mine = {r.grade_id: r.earned for r in self_check(nb, isolation="require")}
        score = exercise_score(course, student, gid)[0]
        assert mine[f"test_{gid}"] == score, f"{name}: self-check {mine[f'test_{gid}']}, grader {score}"


# Attacks whose trick does not depend on what the function computes: each is
# tried on the first exercise of every written chapter, renamed to it, through
# the grader's own function (the nbgrader run above covers 18-loss-functions;
# the slow ones, which only burn their time budget, stay there).
GENERIC_ATTACKS = ("custom_exception_handler", "forge_answers", "forged_reply_types",
                   "huge_integer", "input_transformer", "nested_json", "os_exit",
                   "patch_builtins", "patch_grader", "patch_numpy", "pre_run_cell",
                   "system_exit", "write_gradebook", "write_solutions")


def _written():
    from conftest import WRITTEN

    return [a.slug for a in WRITTEN]


@pytest.mark.parametrize("slug", _written())
def test_generic_attacks_earn_nothing_in_every_chapter(slug, tmp_path):
    import re

    from anncourse.grading.notebook import grade_notebook

    source = nbformat.read(ROOT / "solutions" / slug / f"{slug}.ipynb", as_version=4)
    released = nbformat.read(ROOT / "course" / slug / f"{slug}.ipynb", as_version=4)
    index, gid = first_exercise(released)
    test_index = next(i for i, c in enumerate(released.cells)
                      if c.metadata.get("nbgrader", {}).get("grade_id") == f"test_{gid}")
    earned = {}
    for name in GENERIC_ATTACKS:
        code = (CORPUS / "attacks" / f"{name}.py").read_text()
        code = re.sub(r"def mse\(y_true, y_pred\)", f"def {gid}(*args, **kwargs)", code)
        nb = nbformat.from_dict(released)
        nb.cells[index].source = code.replace("{COURSE}", str(tmp_path))
        # Graded with the instructor's test cells, as nbgrader restores them.
        nb.cells[test_index].source = source.cells[test_index].source
        grades = {g.grade_id: g for g in grade_notebook(nb)}
        earned[name] = grades[f"test_{gid}"].earned
    assert earned == {name: 0 for name in GENERIC_ATTACKS}
    # The same path gives the instructor's answer (without its markers) full marks.
    nb = nbformat.from_dict(released)
    nb.cells[index].source = without_markers(source).cells[index].source
    nb.cells[test_index].source = source.cells[test_index].source
    right = {g.grade_id: g for g in grade_notebook(nb)}[f"test_{gid}"]
    assert right.earned == right.points > 0, right.text
