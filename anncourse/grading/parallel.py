"""Autograde one assignment with several nbgrader processes at once.

``nbgrader autograde`` grades one submission after another (nbgrader issue
174).  :func:`autograde_parallel` lists the students who submitted, splits
them into shards and starts one real ``nbgrader autograde`` process per
shard.  Each process is told to grade every student (``--student='*'``, or
the glob the course's configuration sets) *except* those of the other shards
(``CourseDirectory.student_id_exclude``, which nbgrader checks by exact id
before it touches a submission).  A glob alone cannot name an arbitrary set
of students, and a glob that matched students of another shard would have
two processes grade the same submission at once.

Progress is read from each process's log as it runs: nbgrader logs a line
when it starts a student, skips one or fails one.  The shards write to the
same gradebook.  On SQLite a writer waits for the others (SQLite's busy
timeout); the wait is raised from Python's 5 s to 60 s so that a loaded
machine cannot turn a wait into a lost grade.

Example
-------
>>> shards(["ann", "bob", "cy", "dee", "eve"], 2)
[['ann', 'cy', 'eve'], ['bob', 'dee']]
"""
from __future__ import annotations

import contextlib
import glob
import os
import queue
import re
import subprocess
import sys
import threading
import time
from dataclasses import dataclass, field
from pathlib import Path

__all__ = ["CourseLayout", "ShardLog", "ShardResult", "Summary", "autograde_parallel",
           "course_layout", "ensure_secret", "format_summary", "shard_command", "shards",
           "submitted_students"]

# How long an SQLite writer waits for another before giving up, in seconds.
# nbgrader's transactions last milliseconds; the default 5 s is only at risk
# when a loaded machine deschedules the process that holds the lock.
SQLITE_TIMEOUT = 60

# nbgrader's log format without colours: "[AutogradeApp | INFO] message".
_LOG_LINE = re.compile(r"^\[\w+ \| (?P<level>\w+)\] (?P<message>.*)$")
_CREATING = re.compile(r"^Creating/updating student with ID '(?P<student>.*)': ")
_SUMMARY = re.compile(r"^There was an error processing assignment '(?P<assignment>.*)' "
                      r"for student '(?P<student>.*)'$")
_FAILED_PATH = "There was an error processing assignment: "
_SANITIZING = "Sanitizing "
_SKIPPING = "Skipping existing assignment: "
_DATABASE = "There was an error accessing the nbgrader database"


@dataclass(frozen=True)
class CourseLayout:
    """What the parallel run needs from the course's nbgrader configuration.

    Attributes
    ----------
    root : Path
        The course directory (nbgrader's ``CourseDirectory.root``).
    assignment : str
        The assignment to grade.
    db_url : str
        The gradebook's URL as configured.
    student_glob : str
        ``CourseDirectory.student_id`` (``'*'`` unless the configuration narrows it).
    excluded : tuple of str
        ``CourseDirectory.student_id_exclude`` of the configuration, split.
    submitted : str
        The glob of submission folders, ``<root>/submitted/*/<assignment>`` by default.
    secret_file : Path or None
        The grading secret of :class:`~anncourse.grading.autograde.TrustedGrades`,
        None when the course does not grade with it.
    submitted_pattern, autograded_pattern : re.Pattern
        nbgrader's own regular expressions that take the student id out of a
        submitted or autograded folder's path.
    """

    root: Path
    assignment: str
    db_url: str
    secret_file: Path | None
    student_glob: str
    excluded: tuple[str, ...]
    submitted: str
    submitted_pattern: re.Pattern
    autograded_pattern: re.Pattern


def course_layout(assignment: str, root: Path | str, nbgrader_args: list[str] = ()) -> CourseLayout:
    """Read the course's configuration the way ``nbgrader autograde`` does.

    A real ``AutogradeApp`` is initialised (not started) in ``root``: it reads
    the global and the course's ``nbgrader_config.py`` and ``nbgrader_args``.

    Parameters
    ----------
    assignment : str
        The assignment id.
    root : path
        The course directory.
    nbgrader_args : list of str
        Options that will also be given to every shard (``--db=...``, say).

    Returns
    -------
    CourseLayout

    Example
    -------
    >>> course_layout("01-introduction", ".").submitted  # doctest: +SKIP
    '/course/submitted/*/01-introduction'
    """
    from nbgrader.apps.autogradeapp import AutogradeApp

    root = Path(root).resolve()
    if not root.is_dir():
        raise FileNotFoundError(f"no course directory {root}")
    with contextlib.chdir(root):
        app = AutogradeApp()
        app.initialize([assignment, f"--course-dir={root}", *nbgrader_args])
    cd = app.coursedir

    def pattern(step):
        return re.compile(cd.format_path(step, "(?P<student_id>.*)", assignment, escape=True) + "$")

    return CourseLayout(
        root=root, assignment=assignment, db_url=cd.db_url, secret_file=_secret_file(app), student_glob=cd.student_id or "*",
        excluded=tuple(s for s in cd.student_id_exclude.split(",") if s),
        submitted=os.path.normpath(cd.format_path(cd.submitted_directory, cd.student_id or "*",
                                                  assignment)),
        submitted_pattern=pattern(cd.submitted_directory),
        autograded_pattern=pattern(cd.autograded_directory))


def _secret_file(app) -> Path | None:
    """Where TrustedGrades, if the course grades with it, keeps the grading secret."""
    names = [p if isinstance(p, str) else f"{p.__module__}.{p.__name__}"
             for p in app.config.Autograde.get("autograde_preprocessors", [])]
    if "anncourse.grading.autograde.TrustedGrades" not in names:
        return None
    from .autograde import TrustedGrades

    path = Path(TrustedGrades(config=app.config).secret_file)
    return path if path.is_absolute() else Path(app.coursedir.root) / path


def ensure_secret(layout: CourseLayout) -> None:
    """Create the course's grading secret, if it is missing, before the shards start.

    Every shard would otherwise create it on its first student; the creation
    (``anncourse.grading.notebook.course_secret``) is safe against another
    process doing the same, but making it once first keeps the shards' logs
    free of that race.
    """
    if layout.secret_file is not None:
        from .notebook import course_secret

        course_secret(layout.secret_file)


def student_of(path: str, pattern: re.Pattern) -> str | None:
    """The student id in a submission folder's path, or None if it is not one.

    Example
    -------
    >>> student_of("/c/submitted/ann/hw", re.compile(r"/c/submitted/(?P<student_id>.*)/hw$"))
    'ann'
    """
    match = pattern.match(os.path.normpath(path))
    return match.group("student_id") if match else None


def submitted_students(layout: CourseLayout) -> tuple[list[str], list[str]]:
    """The students nbgrader would grade, and those whose folder holds no notebook.

    Returns
    -------
    students : list of str
        Sorted ids with a ``*.ipynb`` in their submission folder, less the
        configuration's excluded ids.
    empty : list of str
        Ids whose folder holds no notebook (nbgrader skips them with a warning).
    """
    students, empty = [], []
    for folder in glob.glob(layout.submitted):
        student = student_of(folder, layout.submitted_pattern)
        if student is None or student in layout.excluded or not os.path.isdir(folder):
            continue
        (students if glob.glob(os.path.join(folder, "*.ipynb")) else empty).append(student)
    return sorted(students), sorted(empty)


def shards(students: list[str], jobs: int) -> list[list[str]]:
    """Split the students into at most ``jobs`` shards whose sizes differ by at most one.

    Students are dealt round-robin in sorted order, so no shard is empty.

    Example
    -------
    >>> shards(["d", "a", "c", "b"], 3)
    [['a', 'd'], ['b'], ['c']]
    """
    if not isinstance(jobs, int) or isinstance(jobs, bool) or jobs < 1:
        raise ValueError(f"jobs must be a positive whole number, not {jobs!r}")
    ordered = sorted(students)
    n = min(jobs, len(ordered))
    return [ordered[k::n] for k in range(n)]


def _with_sqlite_timeout(db_url: str) -> str | None:
    """The SQLite URL with a busy timeout, or None when no change is needed.

    Example
    -------
    >>> _with_sqlite_timeout("sqlite:////c/gradebook.db")
    'sqlite:////c/gradebook.db?timeout=60'
    >>> _with_sqlite_timeout("postgresql+psycopg2://db/grades") is None
    True
    """
    if not db_url.startswith("sqlite") or "timeout=" in db_url:
        return None
    return f"{db_url}{'&' if '?' in db_url else '?'}timeout={SQLITE_TIMEOUT}"


def shard_command(layout: CourseLayout, shard: list[str], everyone: list[str],
                  nbgrader_args: list[str] = ()) -> list[str]:
    """The ``nbgrader autograde`` command that grades exactly ``shard``.

    Parameters
    ----------
    layout : CourseLayout
    shard : list of str
        The students this process grades.
    everyone : list of str
        Every student of the run; those not in ``shard`` are excluded.
    nbgrader_args : list of str
        Options passed on to nbgrader unchanged (``--force``, say).

    Raises
    ------
    ValueError
        When a student id holds a comma: nbgrader's exclusion list is
        comma-separated, so such an id cannot be excluded from other shards.

    Example
    -------
    >>> layout = CourseLayout(Path("/c"), "hw", "postgresql://db", None, "*", (), "", None, None)
    >>> shard_command(layout, ["ann"], ["ann", "bob"])[-3:]
    ['--student=*', '--CourseDirectory.student_id_exclude=bob', '--course-dir=/c']
    """
    others = [s for s in everyone if s not in set(shard)] + list(layout.excluded)
    commas = [s for s in everyone if "," in s]
    if commas and len(shard) < len(everyone):
        raise ValueError(f"student ids with a comma cannot be split into shards (nbgrader's "
                         f"exclusion list is comma-separated): {commas}; grade with --jobs 1")
    command = [sys.executable, "-m", "nbgrader", "autograde", layout.assignment,
               *nbgrader_args]
    db = _with_sqlite_timeout(layout.db_url)
    if db is not None:
        command.append(f"--db={db}")
    command.append(f"--student={layout.student_glob}")
    if others:
        command.append(f"--CourseDirectory.student_id_exclude={','.join(others)}")
    command.append(f"--course-dir={layout.root}")
    return command


@dataclass
class ShardLog:
    """Follows one shard's nbgrader log and says which students are done.

    Feed it the log's lines with :meth:`feed`; each call returns the students
    finished by that line.  :meth:`close` settles the rest from the exit code.

    Attributes
    ----------
    students : list of str
        The shard's students.
    layout : CourseLayout
    graded, skipped : list of str
        Students graded, or skipped because they were already autograded.
    failed : dict of str to str
        Student id to the reason.
    strangers : list of str
        Students the process started that are not in the shard (a submission
        that appeared after the listing: every shard may grade it).

    Example
    -------
    >>> layout = CourseLayout(Path("/c"), "hw", "sqlite://", None, "*", (), "",
    ...                       re.compile(r"/c/submitted/(?P<student_id>.*)/hw$"),
    ...                       re.compile(r"/c/autograded/(?P<student_id>.*)/hw$"))
    >>> log = ShardLog(["ann", "bob"], layout)
    >>> log.feed("[AutogradeApp | INFO] Creating/updating student with ID 'ann': {}")
    []
    >>> log.feed("[AutogradeApp | INFO] Creating/updating student with ID 'bob': {}")
    ['ann']
    >>> log.close(0)
    ['bob']
    """

    students: list[str]
    layout: CourseLayout
    graded: list[str] = field(default_factory=list)
    skipped: list[str] = field(default_factory=list)
    failed: dict[str, str] = field(default_factory=dict)
    strangers: list[str] = field(default_factory=list)
    _current: str | None = None
    _failing: str | None = None
    _loop_finished: bool = False
    _aborted: str | None = None

    def _done(self) -> set[str]:
        return set(self.graded) | set(self.skipped) | set(self.failed)

    def _finish(self, student: str, outcome: str, reason: str = "") -> list[str]:
        if student not in self.students:
            if student not in self.strangers:
                self.strangers.append(student)
            return []
        if student in self._done():
            if outcome == "failed":  # nbgrader's closing summary names it again
                self.failed.setdefault(student, reason)
                self.graded = [s for s in self.graded if s != student]
            return []
        if outcome == "failed":
            self.failed[student] = reason
        else:
            getattr(self, outcome).append(student)
        return [student]

    def _start(self, student: str) -> list[str]:
        finished = []
        if self._current is not None and self._current != student:
            finished = self._finish(self._current, "graded")
        self._current = student
        if student not in self.students and student not in self.strangers:
            self.strangers.append(student)
        return finished

    def feed(self, line: str) -> list[str]:
        """Read one log line; return the students it shows to be finished."""
        line = line.rstrip("\n")
        match = _LOG_LINE.match(line)
        if self._failing is not None:
            # nbgrader logs the traceback after a failure: its last line names the error.
            if match is None or match.group("message").startswith("Traceback"):
                if match is None and line.strip():
                    self.failed[self._failing] = line.strip()
                return []
            self._failing = None
        if not match:
            return []
        message = match.group("message")
        if (m := _CREATING.match(message)) is not None:
            return self._start(m.group("student"))
        if message.startswith(_SANITIZING):
            student = student_of(os.path.dirname(message[len(_SANITIZING):]),
                                 self.layout.submitted_pattern)
            return self._start(student) if student is not None else []
        if message.startswith(_SKIPPING):
            student = student_of(message[len(_SKIPPING):], self.layout.autograded_pattern)
            return self._finish(student, "skipped") if student is not None else []
        if message.startswith(_FAILED_PATH):
            student = student_of(message[len(_FAILED_PATH):], self.layout.submitted_pattern)
            if student is None:
                return []
            self._current = None
            self._failing = student if student in self.students else None
            return self._finish(student, "failed", "nbgrader could not grade it")
        if (m := _SUMMARY.match(message)) is not None:
            self._loop_finished = True
            return self._finish(m.group("student"), "failed", "nbgrader could not grade it")
        if message.startswith(_DATABASE):
            self._aborted = message
        return []

    def close(self, returncode: int) -> list[str]:
        """The process ended with ``returncode``: settle every student not yet settled."""
        finished = []
        stopped = returncode != 0 and not self._loop_finished
        if self._current is not None:
            if stopped:
                reason = self._aborted or f"nbgrader stopped (exit code {returncode}) while grading it"
                finished += self._finish(self._current, "failed", reason)
            else:
                finished += self._finish(self._current, "graded")
            self._current = None
        for student in self.students:
            if student in self._done():
                continue
            if stopped:
                reason = f"not graded: nbgrader stopped (exit code {returncode}) before reaching it"
            else:
                reason = "not graded: nbgrader never reached it (was its submission removed?)"
            finished += self._finish(student, "failed", reason)
        return finished


@dataclass
class ShardResult:
    """One shard's outcome: its students, its log file, exit code and :class:`ShardLog`."""

    students: list[str]
    log_path: Path
    returncode: int
    log: ShardLog


@dataclass
class Summary:
    """The outcome of a parallel run.

    Attributes
    ----------
    students : list of str
        Every student the run set out to grade.
    shards : list of ShardResult
    seconds : float
        Wall time of the whole run.
    empty : list of str
        Students whose submission folder held no notebook.
    """

    students: list[str]
    shards: list[ShardResult]
    seconds: float
    empty: list[str] = field(default_factory=list)

    @property
    def graded(self) -> list[str]:
        """Students graded in this run."""
        return sorted(s for r in self.shards for s in r.log.graded)

    @property
    def skipped(self) -> list[str]:
        """Students skipped because they were already autograded (no ``--force``)."""
        return sorted(s for r in self.shards for s in r.log.skipped)

    @property
    def failed(self) -> dict[str, str]:
        """Student id to why they were not graded, over every shard."""
        out = {s: reason for r in self.shards for s, reason in r.log.failed.items()}
        for r in self.shards:
            for s in r.log.strangers:
                out.setdefault(s, "not in the listing at the start (submitted during the run?): "
                                  "several shards may have graded it at once; grade it again "
                                  "with nbgrader autograde --force --student=" + s)
        return dict(sorted(out.items()))

    @property
    def ok(self) -> bool:
        """True when every shard exited 0 and no student failed."""
        return not self.failed and all(r.returncode == 0 for r in self.shards)


def _pump(process: subprocess.Popen, index: int, log_file, events: queue.Queue) -> None:
    """Copy a shard's output to its log file and to ``events``, line by line."""
    for line in process.stdout:
        log_file.write(line)
        log_file.flush()
        events.put((index, line))
    events.put((index, None))


def _environment() -> dict[str, str]:
    # nbgrader runs alembic from PATH: it must find this environment's own.
    bindir = str(Path(sys.executable).parent)
    return {**os.environ, "PATH": f"{bindir}{os.pathsep}{os.environ.get('PATH', '')}"}


def _start_shards(layout, groups, students, nbgrader_args, log_dir, events, names):
    """Start one nbgrader process per shard; return (processes, log files)."""
    log_dir.mkdir(parents=True, exist_ok=True)
    started = []
    for k, (group, name) in enumerate(zip(groups, names)):
        command = shard_command(layout, group, students, nbgrader_args)
        log_file = open(log_dir / f"{name}.log", "w")
        log_file.write("$ " + " ".join(command) + "\n")
        process = subprocess.Popen(command, cwd=layout.root, env=_environment(), text=True,
                                   stdout=subprocess.PIPE, stderr=subprocess.STDOUT, bufsize=1)
        threading.Thread(target=_pump, args=(process, k, log_file, events), daemon=True).start()
        started.append((process, log_file))
    return started


def _follow(started, logs, events: queue.Queue, bar) -> None:
    """Feed each shard's lines to its :class:`ShardLog` and advance the bar until all end."""
    running, shown_failed = len(started), 0
    while running:
        index, line = events.get()
        if line is None:
            running -= 1
            process, log_file = started[index]
            finished = logs[index].close(process.wait())
            log_file.close()
        else:
            finished = logs[index].feed(line)
        bar.update(len(finished))
        failed = sum(len(log.failed) for log in logs)
        if failed != shown_failed:
            bar.set_postfix(failed=failed)
            shown_failed = failed


def autograde_parallel(assignment: str, jobs: int, root: Path | str = ".",
                       nbgrader_args: list[str] = (), log_dir: Path | str | None = None,
                       progress: bool = True, shard: tuple[int, int] | None = None) -> Summary:
    """Autograde ``assignment`` with ``jobs`` nbgrader processes at once.

    Parameters
    ----------
    assignment : str
        The assignment id (``submitted/<student>/<assignment>/``).
    jobs : int
        How many nbgrader processes to run at once (at most one per student).
    root : path
        The course directory.
    nbgrader_args : list of str
        Options given to every ``nbgrader autograde`` (``--force``, ``--create``).
    log_dir : path, optional
        Where each shard's full log is written; default
        ``<root>/.anncourse/autograde-logs/<assignment>``.
    progress : bool
        Show a tqdm progress bar on stderr that advances per student.
    shard : (k, n), optional
        Grade only shard ``k`` (counted from 0) of the ``n`` shards that
        ``jobs=n`` would make, in one process: one machine, or one pod of a
        Kubernetes Indexed Job, of ``n`` grading the class together. ``jobs``
        is then ignored. A shard beyond the number of students is empty.

    Returns
    -------
    Summary

    Raises
    ------
    ValueError
        When ``jobs`` is not a positive whole number, or nobody submitted.

    Example
    -------
    >>> summary = autograde_parallel("01-introduction", jobs=2, root="course-dir")  # doctest: +SKIP
    >>> summary.ok, len(summary.graded)  # doctest: +SKIP
    (True, 40)
    """
    from tqdm import tqdm

    shards([], jobs)  # checks jobs before anything slow
    nbgrader_args = list(nbgrader_args)
    layout = course_layout(assignment, root, nbgrader_args)
    students, empty = submitted_students(layout)
    if not students:
        raise ValueError(f"nobody submitted {assignment!r}: no notebook matches "
                         f"{os.path.join(layout.submitted, '*.ipynb')}")
    if shard is None:
        groups = shards(students, jobs)
    else:
        k, n = shard
        if not (isinstance(k, int) and isinstance(n, int) and 0 <= k < n):
            raise ValueError(f"shard must be K/N with 0 <= K < N, not {k}/{n}")
        groups = shards(students, n)[k:k + 1]
        if not groups:  # fewer students than shards: this one has nobody
            return Summary([], [], 0.0, empty)
    # Each log is named after its place among all the shards, so that pods of
    # one Job writing to a shared folder do not overwrite each other's logs.
    names = ([f"shard-{i + 1}-of-{len(groups)}" for i in range(len(groups))] if shard is None
             else [f"shard-{shard[0] + 1}-of-{shard[1]}"])
    targets = sorted(s for group in groups for s in group)
    ensure_secret(layout)
    log_dir = Path(log_dir) if log_dir is not None else (
        layout.root / ".anncourse" / "autograde-logs" / assignment)
    logs = [ShardLog(group, layout) for group in groups]
    events: queue.Queue = queue.Queue()
    start = time.perf_counter()
    started = _start_shards(layout, groups, students, nbgrader_args, log_dir, events, names)
    bar = tqdm(total=len(targets), unit="student", desc=f"autograde {assignment}",
               disable=not progress, file=sys.stderr)
    try:
        _follow(started, logs, events, bar)
    finally:
        bar.close()
        for process, _ in started:  # only if following stopped early (Ctrl-C, say)
            if process.poll() is None:
                process.terminate()
    results = [ShardResult(group, Path(log_file.name), process.returncode, log)
               for group, (process, log_file), log in zip(groups, started, logs)]
    return Summary(targets, results, time.perf_counter() - start, empty)


def format_summary(summary: Summary, assignment: str) -> str:
    """The lines printed at the end of a run: counts, failures by name and log files.

    Example
    -------
    >>> print(format_summary(Summary(["ann"], [], 1.0), "hw"))  # doctest: +NORMALIZE_WHITESPACE
    autograde hw: 0 graded, 0 skipped (already autograded; --force grades them again),
    0 failed, of 1 students, with 0 jobs in 1 s
    """
    failed = summary.failed
    lines = [f"autograde {assignment}: {len(summary.graded)} graded, {len(summary.skipped)} "
             f"skipped (already autograded; --force grades them again), {len(failed)} failed, "
             f"of {len(summary.students)} students, with {len(summary.shards)} jobs in "
             f"{summary.seconds:.0f} s"]
    if summary.empty:
        lines.append(f"no notebook in the submission of: {', '.join(summary.empty)} (not graded)")
    for student, reason in failed.items():
        lines.append(f"FAILED {student}: {reason}")
    for r in summary.shards:
        if r.returncode != 0 or r.log.failed:
            lines.append(f"shard of {', '.join(r.students)}: exit code {r.returncode}, "
                         f"log {r.log_path}")
    return "\n".join(lines)
