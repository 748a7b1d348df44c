"""The package's promises that are not about numbers."""
from __future__ import annotations

import subprocess
import sys

from anncourse.course import ASSIGNMENTS

from conftest import ROOT

EXPECTED = [
    "01-introduction", "02-building-blocks", "03-mathematics", "04-activation-functions",
    "05-training", "06-optimization-techniques", "07-regularization", "08-cost-functions",
    "09-backpropagation", "10-multilayer-perceptron", "11-advanced-topics",
    "12-evaluation-metrics", "13-hyperparameter-tuning", "14-applications",
    "15-common-challenges", "16-practical-implementation", "17-optimizers",
    "18-loss-functions", "19-transfer-learning",
]


def test_assignment_list():
    assert [a.slug for a in ASSIGNMENTS] == EXPECTED


def test_import_is_light():
    code = ("import sys, anncourse, anncourse.losses, anncourse.activations, anncourse.grading, "
            "anncourse.explorers, anncourse.nn, anncourse.optim, anncourse.metrics, anncourse.data, "
            "anncourse.regularization, anncourse.gradcheck\n"
            "heavy = [m for m in ('torch', 'matplotlib') if m in sys.modules]\n"
            "assert not heavy, heavy")
    subprocess.run([sys.executable, "-c", code], check=True)


def test_readme_lists_every_assignment_with_its_status():
    readme = (ROOT / "README.md").read_text()
    for a in ASSIGNMENTS:
        status = "written" if a.is_written(ROOT) else "planned"
        row = [line for line in readme.splitlines() if line.startswith("|") and f"`{a.slug}`" in line]
        assert len(row) == 1, f"README's table needs one row for {a.slug}"
        assert status in row[0].lower(), f"README says the wrong status for {a.slug}"


def test_readme_test_command_is_what_ci_runs():
    readme = (ROOT / "README.md").read_text()
    ci = (ROOT / ".ci" / "run").read_text()
    assert "./course.sh test" in readme and "./course.sh test" in ci
    assert "./course.sh lab" in readme


def test_cli_lists_assignments():
    out = subprocess.run([sys.executable, "-m", "anncourse.cli", "list"], check=True,
                         capture_output=True, text=True).stdout
    assert "18-loss-functions" in out and "written" in out
