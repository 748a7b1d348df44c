"""The nbgrader cycle with real Unix users: one instructor, three students, one impostor.

``tests/test_exchange.py`` runs the class with one Unix account playing every
part, as a laptop does. On a JupyterHub with local users each person is a
Unix user, and the file system is what keeps them apart. This test creates
those users (it needs root), gives each a 0700 home, makes the exchange root
1777, and runs every nbgrader command as the person who would type it:

* the instructor generates and releases the chapter (nbgrader creates the
  course's exchange folders, owned by the instructor);
* each student fetches it, answers and submits from their own account;
* one student also submits *in another student's name*
  (``nbgrader submit --student=<other>``), which nbgrader itself accepts;
* the instructor collects, autogrades (in the sandbox, as a normal user),
  generates and releases feedback and exports the grades;
* each student fetches their own feedback.

The users need a Python they can run: the course's venv is often built from
a Python under ``/root`` (pyenv), which they cannot read. So the test copies
that interpreter (without its packages) where everyone can read it and makes
a venv of it that loads the course venv's packages. The users and their folders are
removed afterwards.
"""
from __future__ import annotations

import csv
import grp
import os
import pwd
import shutil
import stat
import subprocess
import sys
import sysconfig
import tempfile
from pathlib import Path

import nbformat
import pytest

from anncourse.grading.sandbox import isolation_available

from conftest import ROOT
from test_exchange import SLUG, NOTEBOOK, COURSE_ID, answer, points_of, solution_cells

TEACHER = "anc-teacher"
STUDENTS = {"anc-ada": "all", "anc-bo": "none", "anc-cy": "half"}
# anc-cy also hands in a notebook with every answer wrong in anc-ada's name, after her.
IMPOSTOR, VICTIM = "anc-cy", "anc-ada"


def _why_not() -> str | None:
    if os.geteuid() != 0:
        return "creating Unix users needs root"
    if not (shutil.which("useradd") and shutil.which("userdel")):
        return "useradd/userdel are not installed"
    if not isolation_available():
        return "bubblewrap is not installed or cannot create namespaces"
    return None


pytestmark = pytest.mark.skipif(_why_not() is not None, reason=_why_not() or "")


def _remove_user(name: str) -> None:
    subprocess.run(["userdel", "--force", name], capture_output=True)
    try:
        grp.getgrnam(name)
    except KeyError:
        return
    subprocess.run(["groupdel", name], capture_output=True)


class UnixActor:
    """A person of the class as a Unix user, with their own home and Jupyter folders."""

    def __init__(self, name: str, base: Path, exchange: Path, python: Path):
        self.name, self.home, self.exchange, self.python = name, base / name, exchange, python
        _remove_user(name)  # a run that was killed may have left it
        subprocess.run(["useradd", "--no-create-home", "--home-dir", str(self.home),
                        "--shell", "/usr/sbin/nologin", "--user-group", name], check=True)
        entry = pwd.getpwnam(name)
        self.uid, self.gid = entry.pw_uid, entry.pw_gid
        self.home.mkdir()
        os.chown(self.home, self.uid, self.gid)
        os.chmod(self.home, 0o700)

    def write(self, path: Path, text: str) -> None:
        """Create a file as root and hand it, and the folders made for it, to this user."""
        path.parent.mkdir(parents=True, exist_ok=True)
        path.write_text(text)
        os.chown(path, self.uid, self.gid)
        for folder in path.relative_to(self.home).parents:
            os.chown(self.home / folder, self.uid, self.gid)

    def configure(self, *lines: str) -> None:
        self.write(self.home / ".jupyter" / "nbgrader_config.py", "\n".join([
            "c = get_config()",
            f"c.Exchange.root = {str(self.exchange)!r}",
            f"c.Exchange.cache = {str(self.home / '.local/share/jupyter/nbgrader_cache')!r}",
            *lines, ""]))

    def run(self, *args: str, cwd: Path | None = None, check=True) -> subprocess.CompletedProcess:
        env = {"PATH": f"{self.python.parent}:/usr/bin:/bin", "HOME": str(self.home),
               "LD_LIBRARY_PATH": str(self.python.parents[2] / "python" / "lib"),
               "USER": self.name, "LANG": "C.UTF-8",
               "JUPYTER_CONFIG_DIR": str(self.home / ".jupyter"),
               "JUPYTER_DATA_DIR": str(self.home / ".local/share/jupyter"),
               "JUPYTER_RUNTIME_DIR": str(self.home / ".local/share/jupyter/runtime"),
               "MPLCONFIGDIR": str(self.home / ".config/matplotlib"),
               # nbconvert's templates, installed with the course venv's packages.
               "JUPYTER_PATH": str(Path(sys.prefix) / "share" / "jupyter")}
        result = subprocess.run(list(args), cwd=cwd or self.home, env=env, user=self.uid,
                                group=self.gid, extra_groups=[], umask=0o022,
                                capture_output=True, text=True, timeout=1800)
        if check:
            assert result.returncode == 0, (
                f"{self.name}: {' '.join(args)} failed:\n{result.stdout}\n{result.stderr}")
        return result

    def nbgrader(self, *args: str, cwd: Path | None = None) -> subprocess.CompletedProcess:
        return self.run(str(self.python), "-m", "nbgrader", *args, cwd=cwd)


def shared_python(base: Path) -> Path:
    """A venv that everyone can run, holding the course venv's packages.

    Its interpreter is a copy of the one running the tests (its binary,
    ``libpython`` and standard library, which pyenv keeps under ``/root``):
    the same CPython, so the course venv's compiled packages load in it.
    """
    version = f"python{sys.version_info.major}.{sys.version_info.minor}"
    home = Path(sys.base_prefix)
    interpreter = base / "python"
    (interpreter / "bin").mkdir(parents=True)
    (interpreter / "lib").mkdir()
    shutil.copy2(Path(sys._base_executable).resolve(), interpreter / "bin" / version)
    for library in (home / "lib").glob(f"lib{version}*.so*"):
        shutil.copy2(library, interpreter / "lib" / library.name)
    shutil.copytree(home / "lib" / version, interpreter / "lib" / version, symlinks=True,
                    ignore=shutil.ignore_patterns("site-packages", "test", "__pycache__"))
    venv = base / "venv"
    subprocess.run([str(interpreter / "bin" / version), "-m", "venv", "--without-pip", str(venv)],
                   check=True, env={**os.environ, "LD_LIBRARY_PATH": str(interpreter / "lib")})
    site_packages = Path(sysconfig.get_paths()["purelib"])
    # addsitedir also reads the course venv's own .pth files (the editable install).
    (venv / "lib" / version / "site-packages" / "course_env.pth").write_text(
        f"import site; site.addsitedir({str(site_packages)!r})\n")
    # nbgrader runs the `alembic` command to version its gradebook.
    alembic = venv / "bin" / "alembic"
    alembic.write_text(f"#!{venv / 'bin' / 'python'}\nimport sys\nfrom alembic.config import main\n"
                       "sys.exit(main())\n")
    for path in [base, *base.rglob("*")]:
        if not path.is_symlink():
            os.chmod(path, os.lstat(path).st_mode | (0o555 if path.is_dir() or os.access(path, os.X_OK)
                                                     else 0o444))
    alembic.chmod(0o755)
    return venv / "bin" / "python"


@pytest.fixture(scope="module")
def unix_class():
    # Not under /tmp: the grading sandbox mounts an empty /tmp over it, and
    # the interpreter that grades must stay visible there.
    base = Path(tempfile.mkdtemp(prefix="anncourse-unix-class-", dir="/var/tmp"))
    os.chmod(base, 0o755)
    actors = []
    try:
        python = shared_python(base)
        exchange = base / "exchange"
        exchange.mkdir()
        os.chmod(exchange, 0o1777)
        teacher = UnixActor(TEACHER, base, exchange, python)
        actors.append(teacher)
        course = teacher.home / "course"
        teacher.configure()
        teacher.write(course / "nbgrader_config.py", (ROOT / "nbgrader_config.py").read_text())
        source_nb = (ROOT / "solutions" / SLUG / NOTEBOOK).read_text()
        teacher.write(course / "solutions" / SLUG / NOTEBOOK, source_nb)
        teacher.nbgrader("generate_assignment", SLUG, "--force", cwd=course)
        teacher.nbgrader("release_assignment", SLUG, cwd=course)

        source = nbformat.reads(source_nb, as_version=4)
        exercises = [c.metadata.nbgrader["grade_id"] for c in solution_cells(source)]
        right = {"all": exercises, "none": [], "half": exercises[: len(exercises) // 2]}
        students = {}
        for name, level in STUDENTS.items():
            student = UnixActor(name, base, exchange, python)
            actors.append(student)
            student.configure(f"c.CourseDirectory.course_id = {COURSE_ID!r}")
            student.nbgrader("fetch_assignment", SLUG)
            path = student.home / SLUG / NOTEBOOK
            fetched = nbformat.read(path, as_version=4)
            nbformat.write(answer(fetched, source, right[level], f"handed in by {name}"), path)
            student.nbgrader("submit", SLUG, f"--student={name}")
            students[name] = student

        # The impostor hands in a notebook with nothing answered, in the victim's name.
        impostor = students[IMPOSTOR]
        forged = impostor.home / "forgery" / SLUG / NOTEBOOK
        impostor.write(forged, (exchange / COURSE_ID / "outbound" / SLUG / NOTEBOOK).read_text())
        blank = nbformat.read(forged, as_version=4)
        nbformat.write(answer(blank, source, [], f"forged by {IMPOSTOR}"), forged)
        impostor.nbgrader("submit", SLUG, f"--student={VICTIM}", cwd=impostor.home / "forgery")

        teacher.write(course / "students.csv", "id\n" + "".join(f"{n}\n" for n in students))
        teacher.nbgrader("db", "student", "import", "students.csv", cwd=course)
        collected = teacher.nbgrader("collect", SLUG, cwd=course)
        graded = teacher.nbgrader("autograde", SLUG, cwd=course)
        teacher.nbgrader("generate_feedback", SLUG, cwd=course)
        teacher.nbgrader("release_feedback", SLUG, cwd=course)
        for name, student in students.items():
            student.nbgrader("fetch_feedback", SLUG, f"--student={name}")
        teacher.nbgrader("export", cwd=course)

        points = points_of(source)
        expected = {name: sum(points[f"test_{gid}"] for gid in right[level])
                    for name, level in STUDENTS.items()}
        with open(course / "grades.csv", newline="") as fh:
            rows = {row["student_id"]: row for row in csv.DictReader(fh)}
        yield {"base": base, "exchange": exchange, "course": course, "teacher": teacher,
               "students": students, "expected": expected, "rows": rows,
               "collect_log": collected.stdout + collected.stderr,
               "autograde_log": graded.stdout + graded.stderr}
    finally:
        for actor in actors:
            _remove_user(actor.name)
        shutil.rmtree(base, ignore_errors=True)


def test_every_student_gets_their_own_score(unix_class):
    rows, expected = unix_class["rows"], unix_class["expected"]
    assert set(rows) == set(STUDENTS)
    assert expected["anc-bo"] == 0 < expected["anc-cy"] < expected["anc-ada"]
    for name, score in expected.items():
        assert float(rows[name]["score"]) == score, f"{name}:\n{unix_class['autograde_log']}"
        assert rows[name]["timestamp"], name


def test_a_submission_in_someone_elses_name_is_refused(unix_class):
    refusals = [line for line in unix_class["collect_log"].splitlines()
                if f"Refused the submission of {VICTIM} " in line]
    assert len(refusals) == 1, unix_class["collect_log"]
    assert f"belongs to {IMPOSTOR}, not to {VICTIM}" in refusals[0]
    # The victim's own submission, handed in earlier, is the one graded.
    collected = (unix_class["course"] / "submitted" / VICTIM / SLUG / NOTEBOOK).read_text()
    assert f"handed in by {VICTIM}" in collected and f"forged by {IMPOSTOR}" not in collected


def test_each_student_fetches_only_their_own_feedback(unix_class):
    for name, student in unix_class["students"].items():
        fetched = list((student.home / SLUG / "feedback").rglob("*.html"))
        assert len(fetched) == 1, (name, fetched)
        text = fetched[0].read_text()
        assert f"handed in by {name}" in text
        assert not [other for other in STUDENTS if other != name and f"handed in by {other}" in text]
        assert "BEGIN HIDDEN TESTS" not in text and "forged by" not in text


def test_permissions_keep_people_apart(unix_class):
    exchange, students = unix_class["exchange"], unix_class["students"]
    assert stat.S_IMODE(exchange.stat().st_mode) == 0o1777
    course_folder = exchange / COURSE_ID
    assert course_folder.stat().st_uid == unix_class["teacher"].uid
    ada, bo = students["anc-ada"], students["anc-bo"]
    for actor in [unix_class["teacher"], *students.values()]:
        assert stat.S_IMODE(actor.home.stat().st_mode) == 0o700
    # A student can read neither another student's home nor the instructor's course...
    for target in (ada.home / SLUG / NOTEBOOK, unix_class["course"] / "gradebook.db"):
        done = bo.run("/bin/cat", str(target), check=False)
        assert done.returncode != 0 and "Permission denied" in done.stderr, target
    # ...nor list who handed in what, nor the released feedback.
    for folder in ("inbound", "feedback"):
        done = bo.run("/bin/ls", str(course_folder / folder), check=False)
        assert done.returncode != 0 and "Permission denied" in done.stderr, folder
    # Every inbound submission belongs to the student who made it.
    for entry in (course_folder / "inbound").iterdir():
        owner = pwd.getpwuid(entry.stat().st_uid).pw_name
        assert owner == entry.name.split("+")[0] or owner == IMPOSTOR, entry.name
