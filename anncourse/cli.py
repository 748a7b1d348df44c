"""The ``anncourse`` command.

``anncourse check NOTEBOOK``
    Self-check: run the visible checks of every exercise in a notebook, each
    in a fresh process (as the grader does), and show a score per exercise.
    Needs only ``pip install anncourse``, no clone of the repository.
``anncourse list [--markdown]``
    Show the course's chapters and which ones are written (``--markdown``:
    README's chapter table).
``anncourse generate [ASSIGNMENT ...]``
    Regenerate the learner's notebooks in course/ from solutions/ with nbgrader
    (in a clone of the course repository).
``anncourse new-chapter NN-slug``
    Write the skeleton of a planned chapter (in a clone; see CONTRIBUTING.md).
``anncourse autograde ASSIGNMENT --jobs N`` (or ``--shard K/N``)
    Autograde the submissions with N ``nbgrader autograde`` processes at once
    (run it in the course directory, as nbgrader); ``--shard K/N`` grades one
    of the N shards, for N machines or pods grading together.
``anncourse report ASSIGNMENT [--course DIR] [--out DIR]``
    Write the class insight report of an autograded assignment (HTML and CSV)
    into reports/ASSIGNMENT of the course.
"""
from __future__ import annotations

import argparse
import sys
from pathlib import Path

# What `anncourse check` imports, and the distribution that provides each.
_CHECK_NEEDS = {"nbformat": "nbformat", "nbgrader": "nbgrader", "traitlets": "traitlets",
                "numpy": "numpy"}


def _generate(args) -> int:
    from .course import repo_root
    from .release import generate

    try:
        repo_root()
    except FileNotFoundError as exc:
        print(f"anncourse generate: {exc}", file=sys.stderr)
        return 2
    for path in generate(args.assignments or None):
        print(f"generated {path}")
    return 0


def _list(args) -> int:
    from .course import ASSIGNMENTS, chapter_table

    if args.markdown:
        print(chapter_table(), end="")
        return 0
    for a in ASSIGNMENTS:
        print(f"{a.slug:32} {a.status:8} {a.title}")
    return 0


def _missing_dependency(exc: ModuleNotFoundError) -> str | None:
    """The installable package behind a failed import, if it is one `check` needs."""
    top = (exc.name or "").partition(".")[0]
    return _CHECK_NEEDS.get(top)


def _check(args) -> int:
    try:
        import nbformat

        from .grading.selfcheck import self_check
    except ModuleNotFoundError as exc:
        package = _missing_dependency(exc)
        if package is None:
            raise
        print(f"anncourse check: the package {package!r}, which it needs, is not installed in "
              f"this Python ({sys.executable}).\nInstall it with\n"
              f"    {sys.executable} -m pip install {package}\n"
              "or install the whole course environment: pip install 'anncourse[course]'",
              file=sys.stderr)
        return 2
    path = Path(args.notebook)
    if not path.is_file():
        print(f"anncourse check: no such notebook: {path}", file=sys.stderr)
        return 2
    try:
        nb = nbformat.read(path, as_version=4)
    except Exception as exc:  # nbformat raises several kinds for a damaged file
        print(f"anncourse check: {path} is not a readable Jupyter notebook "
              f"({type(exc).__name__}: {exc})", file=sys.stderr)
        return 2
    if any(marker in cell.get("source", "") for cell in nb.cells
           for marker in ("### BEGIN SOLUTION", "### BEGIN HIDDEN TESTS")):
        print("note: this notebook holds nbgrader's solution or hidden-test markers, so it is an "
              "instructor's notebook. The grader gives no points for cells that hold them (a "
              "submitted copy of the instructor's file); the scores below are for checking the "
              "course itself.")
    results = self_check(nb, isolation=args.isolation)
    if not results:
        print("this notebook has no graded exercises")
        return 1
    earned = sum(r.earned for r in results)
    total = sum(r.points for r in results)
    for r in results:
        print(f"[{r.earned:g}/{r.points:g}] {r.grade_id}")
        for line in r.message.splitlines():
            print(f"    {line}")
    print(f"self-check: {earned:g} of {total:g} points. The grader runs the same checks, with "
          "hidden inputs of its own.")
    return 0 if earned == total else 1


def _new_chapter(args) -> int:
    from .templates import ChapterExists, new_chapter

    try:
        changed = new_chapter(args.slug)
    except KeyError as exc:
        print(f"anncourse new-chapter: {exc.args[0]}.\nA new chapter starts with its entry in "
              "ASSIGNMENTS (anncourse/course.py), status 'planned'.", file=sys.stderr)
        return 2
    except (ChapterExists, FileNotFoundError) as exc:
        print(f"anncourse new-chapter: {exc}", file=sys.stderr)
        return 2
    for path in changed:
        print(f"wrote {path}")
    print("Next: write the notebook (CONTRIBUTING.md, 'How to write a chapter'), then run "
          f"`anncourse generate {args.slug}` and the tests.")
    return 0


# ---- anncourse autograde: parallel autograding (anncourse.grading.parallel) ----
def _autograde(args) -> int:
    from .grading.parallel import autograde_parallel, format_summary

    nbgrader_args = [flag for flag, on in (("--force", args.force), ("--create", args.create))
                     if on]
    if args.no_create:
        nbgrader_args.append("--Autograde.create_student=False")
    if args.notebook:
        nbgrader_args.append(f"--notebook={args.notebook}")
    try:
        summary = autograde_parallel(args.assignment, args.jobs, root=args.course_dir,
                                     nbgrader_args=nbgrader_args, log_dir=args.log_dir,
                                     progress=not args.no_progress, shard=args.shard)
    except (ValueError, FileNotFoundError) as exc:
        print(f"anncourse autograde: {exc}", file=sys.stderr)
        return 2
    print(format_summary(summary, args.assignment))
    return 0 if summary.ok else 1


def _add_autograde(sub) -> None:
    import os

    def positive(text):
        try:
            value = int(text)
        except ValueError:
            value = 0
        if value < 1:
            raise argparse.ArgumentTypeError(f"must be a whole number of at least 1, not {text!r}")
        return value

    ag = sub.add_parser("autograde", help="autograde with several nbgrader processes at once",
                        description="Split the students who submitted ASSIGNMENT into N shards "
                                    "and run one `nbgrader autograde` process per shard.")
    ag.add_argument("assignment", help="the assignment, as in submitted/<student>/<assignment>/")
    ag.add_argument("-j", "--jobs", type=positive, default=os.cpu_count() or 1,
                    help="nbgrader processes at once (default: the number of CPUs)")
    ag.add_argument("--force", action="store_true",
                    help="grade again students already autograded (nbgrader's --force)")
    create = ag.add_mutually_exclusive_group()
    create.add_argument("--create", action="store_true",
                        help="nbgrader's --create (the default: students missing from the "
                             "gradebook are added)")
    create.add_argument("--no-create", action="store_true",
                        help="fail for students missing from the gradebook instead of adding "
                             "them")
    def shard(text):
        k, slash, n = text.partition("/")
        try:
            k, n = int(k), int(n)
        except ValueError:
            slash = ""
        if not slash or not 0 <= k < n:
            raise argparse.ArgumentTypeError(
                f"must be K/N with 0 <= K < N (shard K of N, counted from 0), not {text!r}")
        return k, n

    ag.add_argument("--shard", type=shard, metavar="K/N",
                    help="grade only shard K (from 0) of the N that --jobs N makes, in one "
                         "process: one of N machines or Kubernetes pods grading together")
    ag.add_argument("--notebook", help="grade only the notebooks matching this glob")
    ag.add_argument("--course-dir", default=".", help="the course directory (default: here)")
    ag.add_argument("--log-dir", help="where to write each shard's log "
                                      "(default: .anncourse/autograde-logs/ASSIGNMENT)")
    ag.add_argument("--no-progress", action="store_true", help="no progress bar")
    ag.set_defaults(func=_autograde)
# ---- end of anncourse autograde ----


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(prog="anncourse", description=__doc__.split("\n\n")[0])
    sub = parser.add_subparsers(dest="command", required=True)
    chk = sub.add_parser("check", help="run the visible checks of a notebook's exercises")
    chk.add_argument("notebook", help="path to a course notebook (.ipynb)")
    chk.add_argument("--isolation", default="prefer", choices=["require", "prefer", "off"],
                     help="sandbox the code with bubblewrap: prefer it (default), require it, or not")
    chk.set_defaults(func=_check)
    lst = sub.add_parser("list", help="list the chapters and their status")
    lst.add_argument("--markdown", action="store_true", help="print README's chapter table")
    lst.set_defaults(func=_list)
    gen = sub.add_parser("generate", help="regenerate course/ from solutions/ with nbgrader")
    gen.add_argument("assignments", nargs="*", help="assignment slugs (default: all written)")
    gen.set_defaults(func=_generate)
    new = sub.add_parser("new-chapter", help="write the skeleton of a planned chapter")
    new.add_argument("slug", help="the chapter's assignment, e.g. 08-cost-functions")
    new.set_defaults(func=_new_chapter)
    _add_autograde(sub)
    from .grading.report import add_report_command

    add_report_command(sub)
    args = parser.parse_args(argv)
    return args.func(args)


if __name__ == "__main__":
    sys.exit(main())
