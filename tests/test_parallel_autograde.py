"""``anncourse autograde ASSIGNMENT --jobs N``: parallel autograding with real nbgrader.

A small class of chapter 01 (the instructor's answers, the untouched
release, a partly wrong notebook and copies) is graded once by one plain
``nbgrader autograde`` and once by ``anncourse autograde --jobs 2``; every
grade in the two gradebooks must be the same, and the same as the known
scores.  A class with an unreadable notebook checks that the failing shard
names its student and the command exits non-zero, while the other students
are still graded.
"""
from __future__ import annotations

import re
import shutil
import subprocess
import sys
from pathlib import Path

import nbformat
import pytest
from hypothesis import given
from hypothesis import strategies as st
from nbgrader.api import Gradebook

from anncourse.grading.parallel import CourseLayout, ShardLog, shard_command, shards
from anncourse.grading.sandbox import isolation_available

from conftest import ROOT, VENV_ENV
from conftest import run_nbgrader as nbgrader
from test_roundtrip import partly_wrong, points_of, solved

SLUG = "01-introduction"

needs_grader = pytest.mark.skipif(
    not isolation_available(),
    reason="bubblewrap is not installed or cannot create namespaces: the course's autograder "
           "refuses to run without it (apt-get install bubblewrap)")


# --- sharding and the log reader, without nbgrader --------------------------------------

@given(st.sets(st.text("abcxyz0123-_.", min_size=1, max_size=6), max_size=40),
       st.integers(1, 12))
def test_shards_partition_the_students_evenly(students, jobs):
    groups = shards(list(students), jobs)
    assert sorted(s for g in groups for s in g) == sorted(students)
    assert len(groups) == min(jobs, len(students))
    assert all(groups), "no shard is empty"
    if groups:
        sizes = [len(g) for g in groups]
        assert max(sizes) - min(sizes) <= 1


@pytest.mark.parametrize("jobs", [0, -1, 1.5, True, "2"])
def test_shards_refuse_a_bad_job_count(jobs):
    with pytest.raises(ValueError, match="jobs must be a positive whole number"):
        shards(["ann"], jobs)


def layout(root="/c", excluded=()):
    return CourseLayout(
        Path(root), "hw", f"sqlite:///{root}/gradebook.db", None, "*", tuple(excluded),
        f"{root}/submitted/*/hw",
        re.compile(rf"{root}/submitted/(?P<student_id>.*)/hw$"),
        re.compile(rf"{root}/autograded/(?P<student_id>.*)/hw$"))


@given(st.lists(st.text("abc-_", min_size=1, max_size=4), min_size=1, max_size=12, unique=True),
       st.integers(1, 5))
def test_each_command_excludes_exactly_the_other_shards(students, jobs):
    for group in shards(students, jobs):
        command = shard_command(layout(), group, students, ["--force"])
        assert command[1:5] == ["-m", "nbgrader", "autograde", "hw"] and "--force" in command
        assert "--student=*" in command
        assert "--db=sqlite:////c/gradebook.db?timeout=60" in command
        excluded = [a.split("=", 1)[1] for a in command
                    if a.startswith("--CourseDirectory.student_id_exclude=")]
        others = set(students) - set(group)
        if others:
            assert set(excluded[0].split(",")) == others
        else:
            assert excluded == []


def test_the_configured_exclusions_are_kept_and_commas_refused():
    command = shard_command(layout(excluded=["zed"]), ["ann"], ["ann", "bob"])
    assert "--CourseDirectory.student_id_exclude=bob,zed" in command
    with pytest.raises(ValueError, match="comma"):
        shard_command(layout(), ["a,b"], ["a,b", "c"])
    assert shard_command(layout(), ["a,b", "c"], ["a,b", "c"])  # one shard: nothing to exclude


def info(message):
    return f"[AutogradeApp | INFO] {message}\n"


def test_a_shard_that_stops_fails_its_current_and_remaining_students():
    log = ShardLog(["ann", "bob", "cy", "dee"], layout())
    assert log.feed(info("Skipping existing assignment: /c/autograded/ann/hw")) == ["ann"]
    assert log.feed(info("Creating/updating student with ID 'bob': {}")) == []
    assert log.feed(info("Sanitizing /c/submitted/bob/hw/hw.ipynb")) == []
    assert log.feed(info("Creating/updating student with ID 'cy': {}")) == ["bob"]
    assert sorted(log.close(-9)) == ["cy", "dee"]
    assert log.skipped == ["ann"] and log.graded == ["bob"]
    assert "while grading it" in log.failed["cy"] and "before reaching it" in log.failed["dee"]


def test_a_failed_student_is_named_with_its_error_and_the_others_count():
    log = ShardLog(["ann", "bob"], layout())
    log.feed(info("Creating/updating student with ID 'ann': {}"))
    assert log.feed("[AutogradeApp | ERROR] There was an error processing assignment: "
                    "/c/submitted/ann/hw\n") == ["ann"]
    log.feed("[AutogradeApp | ERROR] Traceback (most recent call last):\n")
    log.feed('  File "x.py", line 1, in <module>\n')
    log.feed("nbformat.reader.NotJSONError: Notebook does not appear to be JSON\n")
    assert log.feed(info("Creating/updating student with ID 'bob': {}")) == []
    log.feed(info("Setting destination file permissions to 444"))
    log.feed("[AutogradeApp | ERROR] There was an error processing assignment 'hw' "
             "for student 'ann'\n")
    assert log.close(1) == ["bob"]
    assert log.graded == ["bob"]
    assert log.failed == {"ann": "nbformat.reader.NotJSONError: Notebook does not appear to "
                                 "be JSON"}


def test_a_student_outside_the_shard_is_reported():
    log = ShardLog(["ann"], layout())
    log.feed(info("Creating/updating student with ID 'ann': {}"))
    log.feed(info("Creating/updating student with ID 'newcomer': {}"))
    log.close(0)
    assert log.graded == ["ann"] and log.strangers == ["newcomer"]


# --- a real class through real nbgrader -------------------------------------------------

@pytest.fixture(scope="module")
def released(tmp_path_factory):
    """A course with chapter 01 generated into its gradebook, and its notebooks."""
    course = tmp_path_factory.mktemp("parallel-base")
    shutil.copy(ROOT / "nbgrader_config.py", course)
    shutil.copytree(ROOT / "solutions" / SLUG, course / "solutions" / SLUG)
    nbgrader(course, "generate_assignment", SLUG, "--force")
    source = nbformat.read(course / "solutions" / SLUG / f"{SLUG}.ipynb", as_version=4)
    release = nbformat.read(course / "course" / SLUG / f"{SLUG}.ipynb", as_version=4)
    return course, source, release


def a_class(released, tmp_path, name, broken=()):
    """A copy of the course with five submissions (and ``broken`` unreadable ones).

    Returns the course and each student's expected score.
    """
    base, source, release = released
    course = tmp_path / name
    shutil.copytree(base, course)
    wrong, right = partly_wrong(source, release)
    points = points_of(source)
    full, partial = sum(points.values()), sum(points[f"test_{gid}"] for gid in right)
    assert 0 < partial < full
    submissions = {"ann": (solved(source, release), full), "bob": (release, 0),
                   "cy": (wrong, partial), "dee": (solved(source, release), full),
                   "eve-2": (wrong, partial)}
    for student, (nb, _) in submissions.items():
        folder = course / "submitted" / student / SLUG
        folder.mkdir(parents=True)
        nbformat.write(nb, folder / f"{SLUG}.ipynb")
    for student in broken:
        folder = course / "submitted" / student / SLUG
        folder.mkdir(parents=True)
        (folder / f"{SLUG}.ipynb").write_text("{not json")
    return course, {s: score for s, (_, score) in submissions.items()}


def grades(course):
    """Every grade in the gradebook: (student, grade id) -> (auto score, max score)."""
    with Gradebook(f"sqlite:///{course / 'gradebook.db'}") as gb:
        return {(g.student.id, g.name): (g.auto_score, g.max_score)
                for sub in gb.assignment_submissions(SLUG)
                for nb in sub.notebooks for g in nb.grades}


def scores(course):
    with Gradebook(f"sqlite:///{course / 'gradebook.db'}") as gb:
        return {sub.student.id: sub.score for sub in gb.assignment_submissions(SLUG)}


def anncourse_autograde(course, *args):
    return subprocess.run([sys.executable, "-m", "anncourse.cli", "autograde", SLUG, *args],
                          cwd=course, capture_output=True, text=True, env=VENV_ENV,
                          timeout=1800)


def started_students(log_dir):
    """Per shard log, the students nbgrader started grading."""
    return [re.findall(r"Creating/updating student with ID '(.*)': ", p.read_text())
            for p in sorted(Path(log_dir).glob("shard-*.log"))]


@needs_grader
def test_two_jobs_grade_exactly_as_one_nbgrader(released, tmp_path):
    parallel, expected = a_class(released, tmp_path, "parallel")
    serial, _ = a_class(released, tmp_path, "serial")
    result = anncourse_autograde(parallel, "--jobs", "2")
    assert result.returncode == 0, result.stdout + result.stderr
    assert f"autograde {SLUG}: 5 graded, 0 skipped" in result.stdout
    assert "0 failed, of 5 students, with 2 jobs" in result.stdout
    assert "5/5" in result.stderr  # the progress bar reached every student
    # Each student was graded by exactly one of the two processes.
    started = started_students(parallel / ".anncourse" / "autograde-logs" / SLUG)
    assert len(started) == 2 and all(started)
    assert sorted(s for shard in started for s in shard) == sorted(expected)

    # The same grading secret, so that the hidden inputs are the same too.
    (serial / ".anncourse").mkdir()
    shutil.copy(parallel / ".anncourse" / "grading_secret", serial / ".anncourse")
    nbgrader(serial, "autograde", SLUG)
    assert scores(parallel) == scores(serial) == expected
    parallel_grades = grades(parallel)
    assert len(parallel_grades) == 5 * len(points_of(released[1]))  # no row lost
    assert parallel_grades == grades(serial)
    assert all(score is not None for score, _ in parallel_grades.values())

    # Already graded: skipped without --force, graded again with it.
    again = anncourse_autograde(parallel, "--jobs", "2", "--no-progress")
    assert again.returncode == 0 and "0 graded, 5 skipped" in again.stdout
    forced = anncourse_autograde(parallel, "--jobs", "3", "--force", "--no-progress")
    assert forced.returncode == 0 and "5 graded, 0 skipped" in forced.stdout
    assert grades(parallel) == parallel_grades


@needs_grader
def test_a_failing_shard_names_its_students_and_exits_non_zero(released, tmp_path):
    course, expected = a_class(released, tmp_path, "failing", broken=["broken"])
    result = anncourse_autograde(course, "--jobs", "2", "--no-progress")
    assert result.returncode == 1, result.stdout + result.stderr
    assert "5 graded, 0 skipped (already autograded; --force grades them again), 1 failed, " \
           "of 6 students" in result.stdout
    assert re.search(r"^FAILED broken: .*NotJSONError", result.stdout, re.M), result.stdout
    assert not re.search(r"^FAILED (ann|bob|cy|dee|eve-2)\b", result.stdout, re.M)
    assert re.search(r"^shard of [^\n]*broken[^\n]*: exit code 1, log ", result.stdout, re.M)
    # The other students, in both shards, are graded all the same (nbgrader had
    # recorded the broken submission, with nothing earned, before it failed).
    graded = scores(course)
    assert graded.pop("broken") == 0
    assert graded == expected


def test_bad_input_is_refused_clearly(tmp_path):
    result = subprocess.run([sys.executable, "-m", "anncourse.cli", "autograde", SLUG,
                             "--jobs", "0"], cwd=tmp_path, capture_output=True, text=True)
    assert result.returncode == 2 and "at least 1" in result.stderr
    shutil.copy(ROOT / "nbgrader_config.py", tmp_path)
    result = subprocess.run([sys.executable, "-m", "anncourse.cli", "autograde", SLUG,
                             "--jobs", "2"], cwd=tmp_path, capture_output=True, text=True,
                            env=VENV_ENV)
    assert result.returncode == 2 and f"nobody submitted '{SLUG}'" in result.stderr


@needs_grader
def test_shards_run_apart_grade_the_class_as_one_run(released, tmp_path):
    # What the pods of a Kubernetes Indexed Job do: each runs --shard K/N on its
    # own, at the same time, on the same course folder and gradebook.
    course, expected = a_class(released, tmp_path, "pods")
    pods = [subprocess.Popen([sys.executable, "-m", "anncourse.cli", "autograde", SLUG,
                              "--shard", f"{k}/2", "--no-progress"], cwd=course,
                             stdout=subprocess.PIPE, stderr=subprocess.STDOUT, text=True,
                             env=VENV_ENV) for k in range(2)]
    outs = [pod.communicate(timeout=1800)[0] for pod in pods]
    assert [pod.returncode for pod in pods] == [0, 0], outs
    assert "3 graded" in outs[0] and "2 graded" in outs[1]  # ann, cy, eve-2 | bob, dee
    assert scores(course) == expected
    logs = course / ".anncourse" / "autograde-logs" / SLUG
    assert sorted(p.name for p in logs.glob("*.log")) == ["shard-1-of-2.log", "shard-2-of-2.log"]
    started = started_students(logs)
    assert sorted(s for shard in started for s in shard) == sorted(expected)
    # More pods than students: the extra ones have nobody to grade, and say so.
    idle = anncourse_autograde(course, "--shard", "7/8", "--no-progress")
    assert idle.returncode == 0 and "0 graded" in idle.stdout, idle.stdout + idle.stderr


@pytest.mark.parametrize("shard", ["2/2", "-1/2", "1", "a/b", "1/0"])
def test_a_bad_shard_is_refused_clearly(tmp_path, shard):
    result = subprocess.run([sys.executable, "-m", "anncourse.cli", "autograde", SLUG,
                             f"--shard={shard}"], cwd=tmp_path, capture_output=True, text=True)
    assert result.returncode == 2 and "K/N with 0 <= K < N" in result.stderr
