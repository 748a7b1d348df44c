"""The package's promises that are not about numbers.

The chapter list itself is checked against README, the files and the specs
in test_course_registry.py.
"""
from __future__ import annotations

import subprocess
import sys

from anncourse.course import ASSIGNMENTS

from conftest import ROOT


def test_import_is_light():
    code = ("import sys, anncourse, anncourse.losses, anncourse.activations, anncourse.grading, "
            "anncourse.explorers, anncourse.nn, anncourse.optim, anncourse.metrics, anncourse.data, "
            "anncourse.regularization, anncourse.gradcheck\n"
            "heavy = [m for m in ('torch', 'matplotlib') if m in sys.modules]\n"
            "assert not heavy, heavy")
    subprocess.run([sys.executable, "-c", code], check=True)


def test_readme_test_command_is_what_ci_runs():
    readme = (ROOT / "README.md").read_text()
    ci = (ROOT / ".ci" / "run").read_text()
    assert "./course.sh test" in readme and "./course.sh test" in ci
    assert "./course.sh lab" in readme


def test_cli_lists_assignments():
    """`anncourse list` shows the registry, one line per chapter with its status."""
    out = subprocess.run([sys.executable, "-m", "anncourse.cli", "list"], check=True,
                         capture_output=True, text=True).stdout.splitlines()
    assert len(out) == len(ASSIGNMENTS)
    for line, a in zip(out, ASSIGNMENTS):
        assert line.split()[:2] == [a.slug, a.status]
