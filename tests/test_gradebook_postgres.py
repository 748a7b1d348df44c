"""The instructor's workflow with the gradebook on a real PostgreSQL server.

A throwaway cluster (anncourse.grading.pgcluster: Debian's ``postgresql``
package, ``./course.sh test`` installs it) holds the gradebook while the real
nbgrader CLI generates chapter 01-introduction, autogrades the round-trip
test's three submissions and exports the grades; ANNCOURSE_DB_URL points
nbgrader_config.py at it.  The scores must be those the sqlite round trip
(tests/test_roundtrip.py) expects, and be in PostgreSQL, not in a sqlite file.
"""
from __future__ import annotations

import csv
import shutil
import stat
import tempfile

from pathlib import Path

import nbformat
import pytest
from nbgrader.api import Gradebook
from sqlalchemy.engine import make_url

from anncourse.grading.database import ENV_VAR
from anncourse.grading.pgcluster import PostgresUnavailable, ThrowawayPostgres, server_bindir
from anncourse.grading.sandbox import isolation_available

import conftest
from conftest import ROOT, run_nbgrader as nbgrader
from test_roundtrip import partly_wrong, points_of, solved

SLUG = "01-introduction"
STUDENTS = ("solved", "untouched", "partial")


def _skip_unless_postgres():
    pytest.importorskip("psycopg", reason="the psycopg driver is not installed: "
                                          "pip install 'anncourse[postgres]'")
    if server_bindir() is None:
        pytest.skip("PostgreSQL's server is not installed (apt-get install postgresql; "
                    "./course.sh test installs it)")


@pytest.fixture(scope="module")
def postgres():
    _skip_unless_postgres()
    cluster = ThrowawayPostgres()
    try:
        cluster.start()
    except PostgresUnavailable as err:
        pytest.skip(f"PostgreSQL cannot start here: {err}")
    try:
        yield cluster
    finally:
        cluster.stop()


@pytest.fixture(scope="module")
def graded(postgres, tmp_path_factory):
    if not isolation_available():
        pytest.skip("bubblewrap is not installed or cannot create namespaces: the course's "
                    "autograder refuses to run without it (apt-get install bubblewrap)")
    course = tmp_path_factory.mktemp("course-postgres")
    shutil.copy(ROOT / "nbgrader_config.py", course)
    shutil.copytree(ROOT / "solutions" / SLUG, course / "solutions" / SLUG)
    # run_nbgrader passes conftest.VENV_ENV to every nbgrader it starts.
    with pytest.MonkeyPatch.context() as env:
        env.setitem(conftest.VENV_ENV, ENV_VAR, postgres.url)
        nbgrader(course, "generate_assignment", SLUG, "--force")
        source = nbformat.read(course / "solutions" / SLUG / f"{SLUG}.ipynb", as_version=4)
        released = nbformat.read(course / "course" / SLUG / f"{SLUG}.ipynb", as_version=4)
        wrong, right = partly_wrong(source, released)
        submissions = {"solved": solved(source, released), "untouched": released, "partial": wrong}
        for student, nb in submissions.items():
            folder = course / "submitted" / student / SLUG
            folder.mkdir(parents=True)
            nbformat.write(nb, folder / f"{SLUG}.ipynb")
            nbgrader(course, "db", "student", "add", student)
        nbgrader(course, "autograde", SLUG)
        nbgrader(course, "export")
    return course, source, right


def test_scores_are_in_postgres(postgres, graded):
    course, source, right = graded
    points = points_of(source)
    total = sum(points.values())
    assert not (course / "gradebook.db").exists(), "nbgrader wrote a sqlite gradebook"
    with Gradebook(postgres.url, course_id="anncourse") as gb:
        assert {s.id for s in gb.students} == set(STUDENTS)
        scores = {s: gb.find_submission(SLUG, s).score for s in STUDENTS}
        assert gb.find_submission(SLUG, "solved").max_score == total
    # The same expectations as the sqlite round trip.
    assert scores["solved"] == total
    assert scores["untouched"] == 0
    assert scores["partial"] == sum(points[f"test_{gid}"] for gid in right)
    assert 0 < scores["partial"] < total


def test_rows_seen_by_postgres_itself(postgres, graded):
    """Read the grades with plain SQL, not through nbgrader's own gradebook code."""
    import psycopg

    course, source, _ = graded
    conninfo = postgres.url.replace("postgresql+psycopg://", "postgresql://")
    with psycopg.connect(conninfo) as conn:
        rows = conn.execute(
            "SELECT student.id, SUM(COALESCE(grade.manual_score, grade.auto_score)) "
            "FROM grade JOIN submitted_notebook ON grade.notebook_id = submitted_notebook.id "
            "JOIN submitted_assignment ON submitted_notebook.assignment_id = submitted_assignment.id "
            "JOIN student ON submitted_assignment.student_id = student.id GROUP BY student.id"
        ).fetchall()
    with Gradebook(postgres.url, course_id="anncourse") as gb:
        expected = {s: gb.find_submission(SLUG, s).score for s in STUDENTS}
    assert {student: float(score) for student, score in rows} == expected


def test_export_matches_the_gradebook(postgres, graded):
    course, source, _ = graded
    with open(course / "grades.csv", newline="") as fh:
        rows = {r["student_id"]: r for r in csv.DictReader(fh)}
    with Gradebook(postgres.url, course_id="anncourse") as gb:
        for student in STUDENTS:
            assert float(rows[student]["score"]) == gb.find_submission(SLUG, student).score
    assert float(rows["solved"]["max_score"]) == sum(points_of(source).values())


# ---- the throwaway cluster itself ----

def test_cluster_is_stopped_and_removed():
    _skip_unless_postgres()
    import psycopg

    cluster = ThrowawayPostgres()
    try:
        url = cluster.start()
    except PostgresUnavailable as err:
        pytest.skip(f"PostgreSQL cannot start here: {err}")
    try:
        folder, server = cluster.folder, cluster._server
        assert (folder / "data" / "PG_VERSION").is_file()
        with pytest.raises(RuntimeError, match="already running"):
            cluster.start()
        conninfo = url.replace("postgresql+psycopg://", "postgresql://")
        with psycopg.connect(conninfo) as conn:
            assert conn.execute("SELECT current_database()").fetchone() == ("gradebook",)
        # Every connection needs the password, though the port is open to local users.
        wrong = make_url(conninfo).set(password="wrong").render_as_string(hide_password=False)
        with pytest.raises(psycopg.OperationalError, match="password authentication failed"):
            psycopg.connect(wrong, connect_timeout=10)
    finally:
        cluster.stop()  # also when a check above fails
    assert server.poll() is not None
    assert not folder.exists()
    cluster.stop()  # twice is harmless


def test_failed_start_leaves_nothing(monkeypatch):
    """initdb failing: a clear error, and the temporary folder is gone."""
    made = []
    real_mkdtemp = tempfile.mkdtemp
    monkeypatch.setattr(tempfile, "mkdtemp", lambda **kw: made.append(real_mkdtemp(**kw)) or made[-1])
    # The fake binaries must be reachable by the account the server runs as.
    bindir = Path(real_mkdtemp(prefix="anncourse-fake-pg-"))
    try:
        bindir.chmod(0o755)
        for name, body in (("initdb", "echo 'initdb: disk on fire' >&2; exit 1"), ("postgres", "exit 1")):
            (bindir / name).write_text(f"#!/bin/sh\n{body}\n")
            (bindir / name).chmod(stat.S_IRWXU | stat.S_IRGRP | stat.S_IXGRP | stat.S_IROTH | stat.S_IXOTH)
        pytest.importorskip("psycopg")
        with pytest.raises(PostgresUnavailable, match=r"(?s)initdb failed:.*disk on fire"):
            ThrowawayPostgres(bindir).start()
    finally:
        shutil.rmtree(bindir)
    assert made and not any(Path(m).exists() for m in made)


def test_no_server_installed():
    with pytest.raises(PostgresUnavailable, match="apt-get install postgresql"):
        ThrowawayPostgres("/nonexistent/bin").start()
