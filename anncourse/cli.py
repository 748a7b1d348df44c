"""The ``anncourse`` command.

``anncourse generate [ASSIGNMENT ...]``
    Regenerate the learner's notebooks in course/ from solutions/ with nbgrader.
``anncourse list``
    Show the course's assignments and which ones are written.
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


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(prog="anncourse", description=__doc__.split("\n\n")[0])
    sub = parser.add_subparsers(dest="command", required=True)
    gen = sub.add_parser("generate", help="regenerate course/ from solutions/ with nbgrader")
    gen.add_argument("assignments", nargs="*", help="assignment slugs (default: all written)")
    gen.set_defaults(func=_generate)
    lst = sub.add_parser("list", help="list the assignments")
    lst.set_defaults(func=_list)
    args = parser.parse_args(argv)
    return args.func(args)


if __name__ == "__main__":
    sys.exit(main())
