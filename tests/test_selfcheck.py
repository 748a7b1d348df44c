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


def test_instructor_answers_pass_every_check_and_hidden_verdicts_are_listed():
    results = self_check(nbformat.read(SOURCE, as_version=4))
    assert all(r.earned == r.points for r in results), [r.message for r in results if r.earned < r.points]
    # Each hidden property is named with its verdict; its code never shows.
    assert all("hidden check:" in r.message and ": passed" in r.message for r in results)
    assert "hidden=True" not in "".join(r.message for r in results)


def test_a_hidden_failure_is_named_before_submitting():
    # A BCE that is right on the visible examples but NaN at p = 0 or 1.
    nb = nbformat.read(RELEASED, as_version=4)
    for cell in nb.cells:
        if cell.metadata.get("nbgrader", {}).get("grade_id") == "binary_cross_entropy":
            cell.source = ("import numpy as np\n\ndef binary_cross_entropy(y_true, p_pred):\n"
                           "    y, p = np.asarray(y_true, float), np.asarray(p_pred, float)\n"
                           "    return -np.mean(y * np.log(p) + (1 - y) * np.log(1 - p))\n")
    results = {r.grade_id: r for r in self_check(nb)}
    bce = results["test_binary_cross_entropy"]
    assert 0 < bce.earned < bce.points, bce.message
    assert "hidden check:" in bce.message and "FAILED" in bce.message
    # The verdict names the property, not the inputs the grader used.
    assert "expected" not in bce.message


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
    total = sum(float(c.metadata["nbgrader"]["points"]) for c in nb.cells
                if c.metadata.get("nbgrader", {}).get("grade"))
    assert "[1/1] test_mse\n" in out.stdout and f"1 of {total:g} points" in out.stdout
    assert "[0/" in out.stdout and "self-check:" in out.stdout
