"""The ``anncourse`` command.

``anncourse generate [ASSIGNMENT ...]``
    Regenerate the learner's notebooks in course/ from solutions/ with nbgrader.
``anncourse list``
    Show the course's assignments and which ones are written.
``anncourse check NOTEBOOK``
    Self-check: run the visible checks of every exercise in a notebook, each
    in a fresh process (as the grader does), and show a score per exercise.
"""
from __future__ import annotations

import argparse
import sys


def _generate(args) -> int:
    from .release import generate

    for path in generate(args.assignments or None):
        print(f"generated {path}")
    return 0


def _list(args) -> int:
    from .course import ASSIGNMENTS, repo_root

    root = repo_root()
    for a in ASSIGNMENTS:
        status = "written" if a.is_written(root) else "planned"
        print(f"{a.slug:32} {status:8} {a.title}")
    return 0


def _check(args) -> int:
    import nbformat

    from .grading.selfcheck import self_check

    nb = nbformat.read(args.notebook, as_version=4)
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
    print(f"visible checks: {earned:g} of {total:g} points. The grader runs more (hidden) checks "
          "on the same exercises.")
    return 0 if earned == total else 1


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(prog="anncourse", description=__doc__.split("\n\n")[0])
    sub = parser.add_subparsers(dest="command", required=True)
    gen = sub.add_parser("generate", help="regenerate course/ from solutions/ with nbgrader")
    gen.add_argument("assignments", nargs="*", help="assignment slugs (default: all written)")
    gen.set_defaults(func=_generate)
    lst = sub.add_parser("list", help="list the assignments")
    lst.set_defaults(func=_list)
    chk = sub.add_parser("check", help="run the visible checks of a notebook's exercises")
    chk.add_argument("notebook", help="path to a course notebook (.ipynb)")
    chk.add_argument("--isolation", default="prefer", choices=["require", "prefer", "off"],
                     help="sandbox the code with bubblewrap: prefer it (default), require it, or not")
    chk.set_defaults(func=_check)
    args = parser.parse_args(argv)
    return args.func(args)


if __name__ == "__main__":
    sys.exit(main())
