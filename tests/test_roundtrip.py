"""The instructor's workflow through the real nbgrader CLI, end to end.

For every chapter the registry marks as written, in a scratch copy of the
course: generate the assignment, submit three notebooks (the release with
every answer filled in from the instructor's solutions, the untouched release
and a partly wrong one), autograde, export and generate feedback, then check
every score.
"""
from __future__ import annotations

import ast
import csv
import os
import re
import shutil
import subprocess
import sys

from pathlib import Path

import nbformat
import pytest
from nbgrader.api import Gradebook

from anncourse.course import written
from anncourse.grading.sandbox import isolation_available

from conftest import ROOT
from conftest import run_nbgrader as nbgrader

pytestmark = pytest.mark.skipif(
    not isolation_available(),
    reason="bubblewrap is not installed or cannot create namespaces: the course's autograder "
           "refuses to run without it (apt-get install bubblewrap)",
)

SOLUTION_BLOCK = re.compile(r"^[ \t]*### BEGIN SOLUTION\n(.*?)^[ \t]*### END SOLUTION\n?", re.S | re.M)




def grade_ids(nb, kind):
    return [c.metadata.nbgrader["grade_id"] for c in nb.cells
            if c.metadata.get("nbgrader", {}).get(kind) and c.cell_type == "code"]


def points_of(nb):
    return {c.metadata.nbgrader["grade_id"]: float(c.metadata.nbgrader["points"]) for c in nb.cells
            if c.metadata.get("nbgrader", {}).get("grade")}


def answers_of(source):
    """Each solution cell's answer, as a learner would type it (no solution markers)."""
    return {c.metadata.nbgrader["grade_id"]: SOLUTION_BLOCK.sub(r"\1", c.source)
            for c in source.cells
            if c.metadata.get("nbgrader", {}).get("solution") and c.cell_type == "code"}


def solved(source, released):
    """The release with every exercise answered as the instructor's solution does."""
    nb = nbformat.from_dict(released)
    answers = answers_of(source)
    for cell in nb.cells:
        if cell.metadata.get("nbgrader", {}).get("solution") and cell.cell_type == "code":
            cell.source = answers[cell.metadata.nbgrader["grade_id"]]
    return nb


def uses(answer: str) -> set[str]:
    """The names an answer's code refers to."""
    return {node.id for node in ast.walk(ast.parse(answer)) if isinstance(node, ast.Name)}


def partly_wrong(source, released):
    """A submission with every other exercise right, the rest wrong in two ways.

    Returns the notebook and the grade ids of the exercises it gets right: an
    exercise whose answer calls the learner's own wrong function (a capstone
    that trains with the learner's gradient, say) is not right either.
    """
    nb = nbformat.from_dict(released)
    right, wrong_kind = [], 0
    answers = answers_of(source)
    for k, cell in enumerate(c for c in nb.cells
                             if c.metadata.get("nbgrader", {}).get("solution") and c.cell_type == "code"):
        gid = cell.metadata.nbgrader["grade_id"]
        if k % 2 == 0:
            cell.source = answers[gid]
            right.append(gid)
        elif wrong_kind == 0:
            wrong_kind = 1  # left as the stub: raises NotImplementedError
        else:
            wrong_kind = 0
            # Runs, but every answer is twice the right one.
            cell.source = answers[gid] + (
                f"\n_right_{gid} = {gid}\n"
                f"def {gid}(*args, **kwargs):\n"
                f"    return 2 * __import__('numpy').asarray(_right_{gid}(*args, **kwargs))\n"
            )
    wrong = set(answers) - set(right)
    while True:
        broken = [gid for gid in right if uses(answers[gid]) & wrong]
        if not broken:
            return nb, right
        right = [gid for gid in right if gid not in broken]
        wrong |= set(broken)


@pytest.fixture(scope="module", params=[a.slug for a in written()])
def graded(request, tmp_path_factory):
    slug = request.param
    course = tmp_path_factory.mktemp(f"course-{slug}")
    shutil.copy(ROOT / "nbgrader_config.py", course)
    shutil.copytree(ROOT / "solutions" / slug, course / "solutions" / slug)
    nbgrader(course, "generate_assignment", slug, "--force")

    source = nbformat.read(course / "solutions" / slug / f"{slug}.ipynb", as_version=4)
    released = nbformat.read(course / "course" / slug / f"{slug}.ipynb", as_version=4)
    wrong, right = partly_wrong(source, released)
    submissions = {"solved": solved(source, released), "untouched": released, "partial": wrong}
    for student, nb in submissions.items():
        folder = course / "submitted" / student / slug
        folder.mkdir(parents=True)
        nbformat.write(nb, folder / f"{slug}.ipynb")
        nbgrader(course, "db", "student", "add", student)
    nbgrader(course, "autograde", slug)
    nbgrader(course, "generate_feedback", slug)
    nbgrader(course, "export")
    return course, slug, source, right


def test_scores(graded):
    course, slug, source, right = graded
    points = points_of(source)
    total = sum(points.values())
    with Gradebook(f"sqlite:///{course / 'gradebook.db'}") as gb:
        scores = {s: gb.find_submission(slug, s).score for s in ("solved", "untouched", "partial")}
        assert gb.find_submission(slug, "solved").max_score == total
    assert scores["solved"] == total
    assert scores["untouched"] == 0
    assert scores["partial"] == sum(points[f"test_{gid}"] for gid in right)
    if len(points) > 1:  # with one exercise, "partly right" is all or nothing
        assert 0 < scores["partial"] < total


def test_untouched_release_fails_cleanly(graded):
    course, slug, source, _ = graded
    nb = nbformat.read(course / "autograded" / "untouched" / slug / f"{slug}.ipynb", as_version=4)
    tests = [c for c in nb.cells if c.metadata.get("nbgrader", {}).get("grade") and c.cell_type == "code"]
    assert len(tests) == len(grade_ids(source, "solution"))
    for cell in tests:
        errs = [o for o in cell.outputs if o.output_type == "error"]
        assert len(errs) == 1, cell.source
        assert errs[0].ename == "CheckFailed"
        assert "NotImplementedError" in errs[0].evalue


def test_export_and_feedback(graded):
    course, slug, source, _ = graded
    total = sum(points_of(source).values())
    with open(course / "grades.csv", newline="") as fh:
        rows = {r["student_id"]: r for r in csv.DictReader(fh)}
    assert float(rows["solved"]["score"]) == total
    assert float(rows["untouched"]["score"]) == 0
    for student in ("solved", "untouched", "partial"):
        html = course / "feedback" / student / slug / f"{slug}.html"
        assert html.is_file() and html.stat().st_size > 10_000
    # Feedback must not show the instructor's hidden checks.
    text = (course / "feedback" / "untouched" / slug / f"{slug}.html").read_text()
    assert "BEGIN HIDDEN TESTS" not in text
