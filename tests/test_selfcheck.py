"""`anncourse check`: the learner's self-check on a saved notebook."""
from __future__ import annotations

import subprocess
import sys

import nbformat

from anncourse.grading.selfcheck import self_check

from conftest import ROOT

SLUG = "18-loss-functions"
RELEASED = ROOT / "course" / SLUG / f"{SLUG}.ipynb"
SOURCE = ROOT / "solutions" / SLUG / f"{SLUG}.ipynb"


def test_untouched_release_scores_nothing_and_says_why():
    results = self_check(nbformat.read(RELEASED, as_version=4))
    assert results and all(r.earned == 0 for r in results)
    assert all("NotImplementedError" in r.message for r in results)


def test_instructor_answers_pass_every_visible_check():
    results = self_check(nbformat.read(SOURCE, as_version=4))
    assert all(r.earned == r.points for r in results), [r.message for r in results if r.earned < r.points]
    # Honest: passing the visible checks is not the grade.
    assert all("more checks at grading" in r.message for r in results)
    assert "hidden=True" not in "".join(r.message for r in results)


def test_command_line(tmp_path):
    # A learner's copy, outside the repository, with one exercise solved.
    nb = nbformat.read(RELEASED, as_version=4)
    for cell in nb.cells:
        if cell.metadata.get("nbgrader", {}).get("grade_id") == "mse":
            cell.source = ("import numpy as np\n\ndef mse(y_true, y_pred):\n"
                           "    return np.mean((np.asarray(y_true) - np.asarray(y_pred)) ** 2)\n")
    path = tmp_path / "mine.ipynb"
    nbformat.write(nb, path)
    out = subprocess.run([sys.executable, "-m", "anncourse.cli", "check", str(path)],
                         capture_output=True, text=True, cwd=tmp_path)
    assert out.returncode == 1, out.stderr
    assert "[1/1] test_mse\n" in out.stdout and "1 of 15 points" in out.stdout
    assert "[0/" in out.stdout and "visible checks:" in out.stdout
