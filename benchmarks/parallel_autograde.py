"""How much ``anncourse autograde --jobs N`` speeds up grading a class.

Run from the repository root::

    .venv/bin/python benchmarks/parallel_autograde.py [--students 40] [--jobs 1 2 4]

It generates chapter 01 into a scratch course, writes ``--students``
submissions (in turn: every answer right, half of them right, the untouched
release), then grades a fresh copy of that class once per job count with
:func:`anncourse.grading.parallel.autograde_parallel` (real ``nbgrader
autograde`` processes).  For each job count it prints the wall time, the time
per submission and the speed-up over one job, and checks that the gradebook
holds every grade and the same grades as the one-job run.  From the best rate
it projects the wall time of 500 and 5,000 submissions on this machine
(grading is CPU-bound: the projection is linear in the number of submissions
and assumes the same number of cores).

It also hammers a copy of the gradebook with four processes writing
submissions at once through nbgrader's ``Gradebook`` and counts the rows, to
show whether concurrent SQLite writers lose any.

The machine's load average is printed with the figures: on a shared machine
they are only as good as the load allows.
"""
from __future__ import annotations

import argparse
import os
import resource
import shutil
import subprocess
import sys
import tempfile
import textwrap
import time
from pathlib import Path

import nbformat

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT / "tests"))

SLUG = "01-introduction"
VENV_ENV = {**os.environ,
            "PATH": f"{Path(sys.executable).parent}{os.pathsep}{os.environ.get('PATH', '')}"}


def nbgrader(course: Path, *args: str) -> None:
    subprocess.run([sys.executable, "-m", "nbgrader", *args], cwd=course, check=True,
                   capture_output=True, env=VENV_ENV)


def build_class(base: Path, students: int) -> Path:
    """A course with chapter 01 in its gradebook and ``students`` submissions."""
    from test_roundtrip import partly_wrong, solved

    course = base / "class"
    course.mkdir()
    shutil.copy(ROOT / "nbgrader_config.py", course)
    shutil.copytree(ROOT / "solutions" / SLUG, course / "solutions" / SLUG)
    nbgrader(course, "generate_assignment", SLUG, "--force")
    source = nbformat.read(course / "solutions" / SLUG / f"{SLUG}.ipynb", as_version=4)
    release = nbformat.read(course / "course" / SLUG / f"{SLUG}.ipynb", as_version=4)
    kinds = [solved(source, release), partly_wrong(source, release)[0], release]
    for k in range(students):
        folder = course / "submitted" / f"s{k:04d}" / SLUG
        folder.mkdir(parents=True)
        nbformat.write(kinds[k % len(kinds)], folder / f"{SLUG}.ipynb")
    # One secret for every copy, so that all runs draw the same hidden inputs.
    from anncourse.grading.notebook import course_secret

    course_secret(course / ".anncourse" / "grading_secret")
    return course


def all_grades(course: Path) -> dict:
    from nbgrader.api import Gradebook

    with Gradebook(f"sqlite:///{course / 'gradebook.db'}") as gb:
        return {(g.student.id, g.name): g.auto_score
                for sub in gb.assignment_submissions(SLUG)
                for nb in sub.notebooks for g in nb.grades}


def grade_copy(base: Path, course: Path, jobs: int):
    """Grade a fresh copy of the class with ``jobs`` processes.

    Returns the wall seconds, the CPU seconds of the nbgrader processes (and
    their sandboxes), the summary and every grade.
    """
    from anncourse.grading.parallel import autograde_parallel

    copy = base / f"jobs-{jobs}"
    shutil.copytree(course, copy)
    before = _child_cpu()
    start = time.perf_counter()
    summary = autograde_parallel(SLUG, jobs, root=copy, progress=False)
    seconds = time.perf_counter() - start
    return seconds, _child_cpu() - before, summary, all_grades(copy)


def _child_cpu() -> float:
    """CPU seconds (user and system) of the finished child processes and theirs."""
    usage = resource.getrusage(resource.RUSAGE_CHILDREN)
    return usage.ru_utime + usage.ru_stime


_WRITER = textwrap.dedent("""
    import sys
    from nbgrader.api import Gradebook
    url, who, n = sys.argv[1], sys.argv[2], int(sys.argv[3])
    errors = 0
    for i in range(n):
        try:
            with Gradebook(url, "anncourse") as gb:
                gb.update_or_create_student(f"{who}-{i:04d}")
                sub = gb.update_or_create_submission("%s", f"{who}-{i:04d}")
                for nb in sub.notebooks:
                    for grade in nb.grades:
                        grade.auto_score = 1.0
                gb.db.commit()
        except Exception as exc:
            errors += 1
            print(type(exc).__name__, exc, file=sys.stderr)
    print(errors)
""" % SLUG)


def hammer(course: Path, base: Path, writers: int = 4, each: int = 50) -> tuple[int, int, int]:
    """Four processes write submissions at once; (rows expected, rows found, errors)."""
    import sqlite3

    db = base / "hammer.db"
    shutil.copy(course / "gradebook.db", db)
    url = f"sqlite:///{db}"  # Python's default 5 s busy timeout, as plain nbgrader has
    procs = [subprocess.Popen([sys.executable, "-c", _WRITER, url, f"w{w}", str(each)],
                              stdout=subprocess.PIPE, stderr=subprocess.DEVNULL, text=True,
                              env=VENV_ENV) for w in range(writers)]
    errors = sum(int(p.communicate()[0].strip() or 0) for p in procs)
    with sqlite3.connect(db) as conn:
        found = conn.execute("SELECT count(*) FROM submitted_assignment "
                             "WHERE student_id LIKE 'w%'").fetchone()[0]
    return writers * each, found, errors


def main(argv=None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--students", type=int, default=40)
    parser.add_argument("--jobs", type=int, nargs="+", default=[1, 2, 4])
    args = parser.parse_args(argv)
    if args.students < 1 or min(args.jobs) < 1:
        parser.error("--students and --jobs must be at least 1")
    import nbgrader.apps.autogradeapp  # noqa: F401 (imported once, outside the timings)

    print(f"{os.cpu_count()} CPUs; load average before: {os.getloadavg()}")
    with tempfile.TemporaryDirectory() as tmp:
        base = Path(tmp)
        course = build_class(base, args.students)
        source = nbformat.read(course / "solutions" / SLUG / f"{SLUG}.ipynb", as_version=4)
        graded_cells = sum(1 for c in source.cells if c.metadata.get("nbgrader", {}).get("grade"))
        rows = []
        reference = None
        for jobs in args.jobs:
            seconds, cpu, summary, grades = grade_copy(base, course, jobs)
            complete = (len(summary.graded) == args.students and not summary.failed
                        and len(grades) == args.students * graded_cells
                        and all(v is not None for v in grades.values()))
            reference = grades if reference is None else reference
            rows.append((jobs, seconds, cpu, complete, grades == reference, os.getloadavg()[0]))
        t1 = dict((r[0], r[1]) for r in rows).get(1)
        print(f"\n{args.students} submissions of {SLUG}\n")
        print("| jobs | wall s | wall s per submission | speed-up vs 1 job | CPU s per submission "
              "| every grade there | same grades as first run | load (1 min) after |")
        print("| ---: | ---: | ---: | ---: | ---: | --- | --- | ---: |")
        for jobs, seconds, cpu, complete, same, load in rows:
            speed = f"{t1 / seconds:.2f}" if t1 else "-"
            print(f"| {jobs} | {seconds:.1f} | {seconds / args.students:.2f} | {speed} | "
                  f"{cpu / args.students:.2f} | {'yes' if complete else 'NO'} | "
                  f"{'yes' if same else 'NO'} | {load:.1f} |")
        best = min(rows, key=lambda r: r[1])
        per = best[1] / args.students
        cpu_per = min(r[2] for r in rows) / args.students
        cores = os.cpu_count()
        print(f"\nprojection at the best measured rate ({best[0]} jobs, {per:.2f} s per "
              f"submission, this machine as loaded), and for {cores} idle cores at the "
              f"measured CPU time ({cpu_per:.2f} s per submission, {cores} jobs):")
        for n in (500, 5000):
            idle = n * cpu_per / cores
            print(f"  {n:5d} submissions: {n * per / 60:6.1f} min measured rate, "
                  f"{idle / 60:6.1f} min on {cores} idle cores")
        expected, found, errors = hammer(course, base)
        print(f"\nSQLite, 4 processes writing submissions at once: {found} of {expected} "
              f"rows written, {errors} errors")
        print(f"load average after: {os.getloadavg()}")
        ok = all(r[3] and r[4] for r in rows) and found == expected and errors == 0
    return 0 if ok else 1


if __name__ == "__main__":
    sys.exit(main())
