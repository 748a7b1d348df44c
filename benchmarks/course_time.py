"""How long the whole course takes to run and to grade, notebook by notebook.

Run from the repository root::

    .venv/bin/python benchmarks/course_time.py [--no-grade]

For every written chapter it

* executes the instructor's notebook top to bottom with nbclient, in a fresh
  kernel started by a fresh process, and reports the wall time and the
  kernel's peak memory (the largest resident set of that process's children);
* grades the same notebook with the grader (every exercise right, so every
  check runs, sandbox start-up included), as ``benchmarks/autograde_time.py``
  does.

It ends with the totals against the course's goals: every notebook under
60 s and 1.5 GB, the whole course under 10 minutes, and autograding the
whole course under 2 minutes. These are figures, not tests: nothing fails.
"""
from __future__ import annotations

import argparse
import json
import resource
import subprocess
import sys
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
NOTEBOOK_SECONDS, COURSE_SECONDS, GRADING_SECONDS, NOTEBOOK_MB = 60, 600, 120, 1536


def execute_one(path: Path) -> dict:
    """Run one notebook; meant to run in its own process (see ``--one``)."""
    import nbformat
    from nbclient import NotebookClient

    nb = nbformat.read(path, as_version=4)
    client = NotebookClient(nb, timeout=600, kernel_name="python3",
                            resources={"metadata": {"path": str(path.parent)}})
    start = time.perf_counter()
    client.execute()
    seconds = time.perf_counter() - start
    # The kernel has exited, so it is among this process's children; this
    # process starts only that one kernel, so the figure is the kernel's peak.
    peak_mb = resource.getrusage(resource.RUSAGE_CHILDREN).ru_maxrss / 1024
    return {"seconds": seconds, "peak_mb": peak_mb}


def execute(path: Path) -> dict:
    done = subprocess.run([sys.executable, __file__, "--one", str(path)], capture_output=True,
                          text=True, cwd=ROOT)
    if done.returncode != 0:
        return {"error": done.stderr.strip().splitlines()[-1] if done.stderr else "failed"}
    return json.loads(done.stdout.strip().splitlines()[-1])


def grade(path: Path) -> tuple[float, float, float]:
    import nbformat

    # The same grading call as benchmarks/autograde_time.py (this folder is on sys.path).
    from autograde_time import _grade

    return _grade(nbformat.read(path, as_version=4))


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--no-grade", action="store_true", help="only execute the notebooks")
    parser.add_argument("--one", type=Path, help=argparse.SUPPRESS)
    args = parser.parse_args()
    if args.one:
        print(json.dumps(execute_one(args.one)))
        return

    sys.path.insert(0, str(ROOT))
    from anncourse.course import written

    total_run = total_grade = 0.0
    worst_mb = 0.0
    print(f"{'chapter':32} {'run s':>7} {'peak MB':>8} {'grade s':>8}  score")
    for chapter in written():
        path = chapter.source(ROOT)
        ran = execute(path)
        if "error" in ran:
            print(f"{chapter.slug:32} failed: {ran['error']}")
            continue
        total_run += ran["seconds"]
        worst_mb = max(worst_mb, ran["peak_mb"])
        graded = ""
        if not args.no_grade:
            seconds, earned, points = grade(path)
            total_grade += seconds
            graded = f"{seconds:8.2f}  {earned:g}/{points:g}"
        flag = "  over budget" if (ran["seconds"] > NOTEBOOK_SECONDS
                                   or ran["peak_mb"] > NOTEBOOK_MB) else ""
        print(f"{chapter.slug:32} {ran['seconds']:7.1f} {ran['peak_mb']:8.0f} {graded}{flag}",
              flush=True)
    print(f"whole course: executed in {total_run / 60:.1f} min (goal < {COURSE_SECONDS // 60} min), "
          f"largest kernel {worst_mb:.0f} MB (goal < {NOTEBOOK_MB} MB)")
    if not args.no_grade:
        print(f"whole course: graded in {total_grade:.1f} s (goal < {GRADING_SECONDS} s)")


if __name__ == "__main__":
    main()
