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
import html
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

from anncourse.grading.exchange import (UnsafeSubmission, copy_regular_tree, foreign_entries,
                                         unsafe_entries)
from anncourse.grading.sandbox import isolation_available

from conftest import ROOT, VENV_ENV


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
# Students who hand in the instructor's notebook, and how.
LINKERS = {"eve": "symlink", "fay": "hardlink", "hal": "folder link"}
COPIER = "gus"


def inbound_folder(exchange: Path, name: str) -> Path:
    [folder] = (exchange / COURSE_ID / "inbound").glob(f"{name}+{SLUG}+*")
    return folder


def tamper(exchange: Path, name: str, how: str, instructor_nb: Path, home: Path) -> None:
    """What a learner can do to their own submission folder after ``nbgrader submit``."""
    folder = inbound_folder(exchange, name)
    if how == "folder link":
        # The learner's own folder, holding a copy of the instructor's notebook.
        mine = home / "stash"
        shutil.copytree(folder, mine)
        shutil.copy(instructor_nb, mine / NOTEBOOK)
        shutil.rmtree(folder)
        folder.symlink_to(mine, target_is_directory=True)
        return
    (folder / NOTEBOOK).unlink()
    if how == "symlink":
        (folder / NOTEBOOK).symlink_to(instructor_nb)
    else:
        os.link(instructor_nb, folder / NOTEBOOK)


def solution_lines(nb) -> set[str]:
    """The lines of code between the instructor's solution markers, long enough to be telling."""
    lines = set()
    for cell in solution_cells(nb):
        for block in SOLUTION_BLOCK.findall(cell.source):
            lines |= {line.strip() for line in block.splitlines()
                      if len(line.strip()) > 12 and not line.strip().startswith("#")}
    return lines


def html_text(path: Path) -> str:
    """The text of an HTML page, tags removed (code is split into highlighted spans)."""
    return html.unescape(re.sub(r"<[^>]+>", "", path.read_text()))


@pytest.fixture(scope="module")
def classroom(tmp_path_factory):
    if not isolation_available():
        pytest.skip("bubblewrap is not installed or cannot create namespaces: the course's "
                    "autograder refuses to run without it (apt-get install bubblewrap)")
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

    instructor_nb = course / "solutions" / SLUG / NOTEBOOK
    for name in [*LINKERS, COPIER]:
        student = Actor(name, base / name, exchange)
        student.configure(f"c.CourseDirectory.course_id = {COURSE_ID!r}")
        student.home.mkdir(parents=True, exist_ok=True)
        student.nbgrader("fetch_assignment", SLUG)
        if name == COPIER:
            shutil.copy(instructor_nb, student.home / SLUG / NOTEBOOK)
        student.nbgrader("submit", SLUG, f"--student={name}")
        if name in LINKERS:
            tamper(exchange, name, LINKERS[name], instructor_nb, student.home)
        students[name] = student

    (course / "students.csv").write_text("id\n" + "".join(f"{n}\n" for n in students))
    teacher.nbgrader("db", "student", "import", "students.csv", cwd=course)
    collected = teacher.nbgrader("collect", SLUG, cwd=course)
    graded = teacher.nbgrader("autograde", SLUG, cwd=course)
    teacher.nbgrader("generate_feedback", SLUG, cwd=course)
    teacher.nbgrader("release_feedback", SLUG, cwd=course)
    for name, student in students.items():
        student.nbgrader("fetch_feedback", SLUG, f"--student={name}")
    teacher.nbgrader("export", cwd=course)

    points = points_of(source)
    expected = {name: sum(points[f"test_{gid}"] for gid in right[level]) for name, level in STUDENTS.items()}
    return {"course": course, "students": students, "expected": expected, "total": sum(points.values()),
            "collect_log": collected.stdout + collected.stderr,
            "autograde_log": graded.stdout + graded.stderr,
            "solution_lines": solution_lines(source)}


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
    assert set(rows) == set(STUDENTS) | set(LINKERS) | {COPIER}
    expected = classroom["expected"]
    assert 0 == expected["bo"] < expected["cy"] < expected["ada"] == classroom["total"]
    for name in STUDENTS:
        student = classroom["students"][name]
        row = rows[name]
        assert float(row["score"]) == expected[name], name
        assert float(row["max_score"]) == classroom["total"]
        # The time the student's own nbgrader recorded at submission, as the gradebook has it.
        [submitted] = student.cache.glob(f"{COURSE_ID}/{name}+{SLUG}+*/timestamp.txt")
        assert row["timestamp"], f"{name} has no submission time in grades.csv"
        assert parse_utc(row["timestamp"]) == parse_utc(submitted.read_text())


def test_each_student_fetches_own_feedback_only(classroom):
    names = list(STUDENTS)
    for name in names:
        student = classroom["students"][name]
        fetched = list((student.home / SLUG / "feedback").rglob("*.html"))
        assert [p.name for p in fetched] == [f"{SLUG}.html"], f"{name} fetched {fetched}"
        html = fetched[0].read_text()
        assert f"handed in by {name}" in html
        for other in names:
            if other != name:
                assert f"handed in by {other}" not in html
        assert "BEGIN HIDDEN TESTS" not in html and "hidden=True" not in html


@pytest.mark.parametrize("name", LINKERS)
def test_linked_submission_is_refused_at_collection(classroom, name):
    course = classroom["course"]
    refusals = [line for line in classroom["collect_log"].splitlines()
                if f"Refused the submission of {name} " in line]
    assert len(refusals) == 1, classroom["collect_log"]
    what = {"symlink": "is a symbolic link to ", "hardlink": "is a hard link",
            "folder link": "is a symbolic link to "}[LINKERS[name]]
    assert what in refusals[0]
    assert not (course / "submitted" / name).exists()
    assert not (course / "feedback" / name).exists()
    assert float(grades(course)[name]["score"]) == 0
    assert not list((classroom["students"][name].home / SLUG).rglob("*.html"))


def test_copy_of_instructor_notebook_earns_nothing_and_gets_no_solutions(classroom):
    course, secret = classroom["course"], classroom["solution_lines"]
    assert float(grades(course)[COPIER]["score"]) == 0
    assert f"{COPIER}: cell" in classroom["autograde_log"] and "withheld" in classroom["autograde_log"]
    [feedback] = (classroom["students"][COPIER].home / SLUG / "feedback").rglob("*.html")
    text = html_text(feedback)
    assert "Withheld by the grader" in text
    assert not [name for name in STUDENTS if f"handed in by {name}" in text]
    assert "BEGIN SOLUTION" not in text and "BEGIN HIDDEN TESTS" not in text
    assert [line for line in secret if line in text] == []
    # The same search finds the code in the feedback of a learner who wrote it.
    [honest] = (classroom["students"]["ada"].home / SLUG / "feedback").rglob("*.html")
    assert secret and all(line in html_text(honest) for line in secret)


# --- the collect step's copy, without the CLI ---------------------------------

@pytest.fixture
def submission(tmp_path):
    """An inbound folder as ``nbgrader submit`` leaves it, and an instructor's file elsewhere."""
    folder = tmp_path / "inbound" / "kim+a+2026-12-02 09:00:00.000000 UTC+xyz"
    (folder / "data").mkdir(parents=True)
    (folder / NOTEBOOK).write_text('{"cells": []}')
    (folder / "timestamp.txt").write_text("2026-12-02 09:00:00.000000 UTC")
    (folder / "data" / "notes.ipynb").write_text("{}")
    secret = tmp_path / "solutions.ipynb"
    secret.write_text("instructor")
    return folder, secret


def test_plain_submission_is_copied(submission, tmp_path):
    folder, _ = submission
    assert unsafe_entries(str(folder)) == []
    copy_regular_tree(str(folder), str(tmp_path / "out"))
    copied = sorted(str(p.relative_to(tmp_path / "out")) for p in (tmp_path / "out").rglob("*"))
    assert copied == sorted(["data", "data/notes.ipynb", NOTEBOOK, "timestamp.txt"])
    assert (tmp_path / "out" / NOTEBOOK).read_text() == '{"cells": []}'


@pytest.mark.parametrize("how, message", [
    ("symlink", "is a symbolic link to "),
    ("hardlink", "is a hard link (2 names"),
    ("fifo", "is a FIFO"),
    ("dirlink", "is a symbolic link to "),
    ("folder", "is a symbolic link to "),
])
def test_links_and_special_files_are_refused(submission, tmp_path, how, message):
    folder, secret = submission
    top = folder
    if how == "symlink":
        (folder / NOTEBOOK).unlink()
        (folder / NOTEBOOK).symlink_to(secret)
    elif how == "hardlink":
        (folder / NOTEBOOK).unlink()
        os.link(secret, folder / NOTEBOOK)
    elif how == "fifo":
        # shutil.copytree, as nbgrader's collect uses it, blocks forever reading this.
        os.mkfifo(folder / "data" / "notes.ipynb.fifo")
    elif how == "dirlink":
        (folder / "more").symlink_to(secret.parent, target_is_directory=True)
    else:
        top = tmp_path / "inbound" / "kim+a+2026-12-02 10:00:00.000000 UTC+abc"
        top.symlink_to(folder, target_is_directory=True)
    problems = unsafe_entries(str(top))
    assert len(problems) == 1 and message in problems[0]
    with pytest.raises(UnsafeSubmission, match=re.escape(message)):
        copy_regular_tree(str(top), str(tmp_path / "out"))
    assert not (tmp_path / "out").exists()
    assert secret.read_text() == "instructor"


def test_file_swapped_for_a_link_after_the_check_is_refused(submission, tmp_path, monkeypatch):
    """The copy opens each file without following links and checks it again."""
    folder, secret = submission
    (folder / NOTEBOOK).unlink()
    (folder / NOTEBOOK).symlink_to(secret)
    # As if the learner swapped the file between the inspection and the copy.
    monkeypatch.setattr("anncourse.grading.exchange.unsafe_entries", lambda top: [])
    with pytest.raises(UnsafeSubmission, match="cannot be opened as a plain file"):
        copy_regular_tree(str(folder), str(tmp_path / "out"))
    assert not (tmp_path / "out").exists()


# --- who handed it in ----------------------------------------------------------

def test_submission_owned_by_its_student_is_accepted(submission):
    import pwd
    folder, _ = submission
    me = pwd.getpwuid(os.getuid()).pw_name
    assert foreign_entries(str(folder), me) == []
    # A student who is not a Unix user cannot be checked: accepted unless required.
    assert foreign_entries(str(folder), "no-such-student-anywhere") == []
    [why] = foreign_entries(str(folder), "no-such-student-anywhere", required=True)
    assert "no-such-student-anywhere is not a user of this machine" in why


@pytest.mark.skipif(os.geteuid() != 0, reason="giving a file to another user needs root")
def test_file_of_another_user_in_a_submission_is_named(submission):
    import pwd
    folder, _ = submission
    nobody = pwd.getpwnam("nobody")
    os.chown(folder / "data" / "notes.ipynb", nobody.pw_uid, nobody.pw_gid)
    problems = foreign_entries(str(folder), pwd.getpwuid(os.getuid()).pw_name)
    assert len(problems) == 2
    assert problems[0].endswith("data/notes.ipynb belongs to nobody, not to root")
    assert "under root's name" in problems[1]
