"""A class through nbgrader's filesystem exchange, with the real CLI, end to end.

The instructor and each student are separate actors: their own home, Jupyter
data and config folders and nbgrader cache, sharing only an exchange folder,
as on a JupyterHub with local users.  The instructor releases the chapter;
each student fetches it, answers in their own way and submits; the
instructor collects, autogrades, generates and releases feedback and exports
the grades; each student fetches their feedback.

The cycle is run once per module (every nbgrader call costs a few seconds);
the tests then read what each actor ended up with.
"""
from __future__ import annotations

import csv
import os
import re
import shutil
import subprocess
import sys
from dataclasses import dataclass
from pathlib import Path

import nbformat
import pytest
from nbgrader.utils import parse_utc

from anncourse.grading.sandbox import isolation_available

from conftest import ROOT, VENV_ENV

pytestmark = pytest.mark.skipif(
    not isolation_available(),
    reason="bubblewrap is not installed or cannot create namespaces: the course's autograder "
           "refuses to run without it (apt-get install bubblewrap)",
)

SLUG = "18-loss-functions"
NOTEBOOK = f"{SLUG}.ipynb"
COURSE_ID = "anncourse"
SOLUTION_BLOCK = re.compile(r"^[ \t]*### BEGIN SOLUTION\n(.*?)^[ \t]*### END SOLUTION\n?", re.S | re.M)


@dataclass
class Actor:
    """One person of the class: a home with its own Jupyter folders."""

    name: str
    home: Path
    exchange: Path

    def env(self) -> dict:
        return {**VENV_ENV, "HOME": str(self.home),
                "JUPYTER_CONFIG_DIR": str(self.home / ".jupyter"),
                "JUPYTER_DATA_DIR": str(self.home / ".local" / "share" / "jupyter"),
                "JUPYTER_RUNTIME_DIR": str(self.home / ".local" / "share" / "jupyter" / "runtime")}

    @property
    def cache(self) -> Path:
        return self.home / ".local" / "share" / "jupyter" / "nbgrader_cache"

    def configure(self, *lines: str) -> None:
        """Write the actor's user-level nbgrader config (what a hub puts in ~/.jupyter)."""
        (self.home / ".jupyter").mkdir(parents=True, exist_ok=True)
        (self.home / ".jupyter" / "nbgrader_config.py").write_text("\n".join([
            "c = get_config()",
            f"c.Exchange.root = {str(self.exchange)!r}",
            f"c.Exchange.cache = {str(self.cache)!r}",
            *lines, ""]))

    def nbgrader(self, *args: str, cwd: Path | None = None) -> subprocess.CompletedProcess:
        """Run the real nbgrader CLI as this actor; fail with its log if it fails."""
        result = subprocess.run([sys.executable, "-m", "nbgrader", *args], cwd=cwd or self.home,
                                capture_output=True, text=True, env=self.env(), timeout=1800)
        assert result.returncode == 0, (
            f"{self.name}: nbgrader {' '.join(args)} failed:\n{result.stdout}\n{result.stderr}")
        return result


def solution_cells(nb):
    return [c for c in nb.cells if c.cell_type == "code" and c.metadata.get("nbgrader", {}).get("solution")]


def points_of(nb) -> dict[str, float]:
    return {c.metadata.nbgrader["grade_id"]: float(c.metadata.nbgrader["points"]) for c in nb.cells
            if c.metadata.get("nbgrader", {}).get("grade")}


def answer(nb, source_nb, exercises, signature: str):
    """Fill ``exercises`` of a fetched notebook with the instructor's code, markers removed.

    That is what a learner who writes the right function hands in.  The
    ``signature`` comment goes into the first answer cell so that each
    student's feedback can be told apart.
    """
    code = {c.metadata.nbgrader["grade_id"]: SOLUTION_BLOCK.sub(r"\1", c.source)
            for c in solution_cells(source_nb)}
    cells = solution_cells(nb)
    for cell in cells:
        if cell.metadata.nbgrader["grade_id"] in exercises:
            cell.source = code[cell.metadata.nbgrader["grade_id"]]
    cells[0].source = f"# {signature}\n{cells[0].source}"
    return nb


# Each student's answers: the exercises they get right.
STUDENTS = {"ada": "all", "bo": "none", "cy": "half"}


@pytest.fixture(scope="module")
def classroom(tmp_path_factory):
    base = tmp_path_factory.mktemp("classroom")
    exchange = base / "exchange"
    teacher = Actor("teacher", base / "teacher", exchange)
    course = teacher.home / "course"
    teacher.configure()
    course.mkdir(parents=True)
    shutil.copy(ROOT / "nbgrader_config.py", course)
    shutil.copytree(ROOT / "solutions" / SLUG, course / "solutions" / SLUG)
    teacher.nbgrader("generate_assignment", SLUG, "--force", cwd=course)
    teacher.nbgrader("release_assignment", SLUG, cwd=course)
    source = nbformat.read(course / "solutions" / SLUG / NOTEBOOK, as_version=4)
    exercises = [c.metadata.nbgrader["grade_id"] for c in solution_cells(source)]
    right = {"all": exercises, "none": [], "half": exercises[: len(exercises) // 2]}

    students = {}
    for name, level in STUDENTS.items():
        student = Actor(name, base / name, exchange)
        student.configure(f"c.CourseDirectory.course_id = {COURSE_ID!r}")
        student.home.mkdir(parents=True, exist_ok=True)
        student.nbgrader("fetch_assignment", SLUG)
        path = student.home / SLUG / NOTEBOOK
        fetched = nbformat.read(path, as_version=4)
        nbformat.write(answer(fetched, source, right[level], f"handed in by {name}"), path)
        student.nbgrader("submit", SLUG, f"--student={name}")
        students[name] = student

    (course / "students.csv").write_text("id\n" + "".join(f"{n}\n" for n in STUDENTS))
    teacher.nbgrader("db", "student", "import", "students.csv", cwd=course)
    teacher.nbgrader("collect", SLUG, cwd=course)
    teacher.nbgrader("autograde", SLUG, cwd=course)
    teacher.nbgrader("generate_feedback", SLUG, cwd=course)
    teacher.nbgrader("release_feedback", SLUG, cwd=course)
    for name, student in students.items():
        student.nbgrader("fetch_feedback", SLUG, f"--student={name}")
    teacher.nbgrader("export", cwd=course)

    points = points_of(source)
    expected = {name: sum(points[f"test_{gid}"] for gid in right[level]) for name, level in STUDENTS.items()}
    return {"course": course, "students": students, "expected": expected, "total": sum(points.values())}


def grades(course: Path) -> dict[str, dict]:
    with open(course / "grades.csv", newline="") as fh:
        return {row["student_id"]: row for row in csv.DictReader(fh) if row["assignment"] == SLUG}


def test_release_holds_only_notebooks(classroom):
    released = classroom["course"].parent.parent / "exchange" / COURSE_ID / "outbound" / SLUG
    assert sorted(p.name for p in released.iterdir()) == [NOTEBOOK]


def test_collect_keeps_timestamp_and_secret(classroom):
    for name in STUDENTS:
        folder = classroom["course"] / "submitted" / name / SLUG
        assert sorted(p.name for p in folder.iterdir()) == sorted(
            [NOTEBOOK, "timestamp.txt", "submission_secret.txt"])


def test_scores_and_timestamps_in_export(classroom):
    rows = grades(classroom["course"])
    assert set(rows) == set(STUDENTS)
    expected = classroom["expected"]
    assert 0 == expected["bo"] < expected["cy"] < expected["ada"] == classroom["total"]
    for name, student in classroom["students"].items():
        row = rows[name]
        assert float(row["score"]) == expected[name], name
        assert float(row["max_score"]) == classroom["total"]
        # The time the student's own nbgrader recorded at submission, as the gradebook has it.
        [submitted] = student.cache.glob(f"{COURSE_ID}/{name}+{SLUG}+*/timestamp.txt")
        assert row["timestamp"], f"{name} has no submission time in grades.csv"
        assert parse_utc(row["timestamp"]) == parse_utc(submitted.read_text())


def test_each_student_fetches_own_feedback_only(classroom):
    names = list(STUDENTS)
    for name, student in classroom["students"].items():
        fetched = list((student.home / SLUG / "feedback").rglob("*.html"))
        assert [p.name for p in fetched] == [f"{SLUG}.html"], f"{name} fetched {fetched}"
        html = fetched[0].read_text()
        assert f"handed in by {name}" in html
        for other in names:
            if other != name:
                assert f"handed in by {other}" not in html
        assert "BEGIN HIDDEN TESTS" not in html and "hidden=True" not in html
