"""The chapter kit's exercise kinds through the real nbgrader CLI.

A scratch course holds one assignment, ``00-kit``, whose exercises come from
the test-only spec ``kit_spec`` (found through ``ANNCOURSE_EXTRA_SPECS``):
a structured answer, a scenario on a learner's class, a function given a
trusted callable, a property verdict on trained weights, an exercise that
must not change its input and a PyTorch exercise.  Three students submit:
the instructor's answers (full marks), the release (nothing) and a mix with
partial credit; ``nbgrader autograde`` grades them in one run.
"""
from __future__ import annotations

import os
import shutil
import subprocess
import sys
import textwrap
from pathlib import Path

import nbformat
import pytest
from nbgrader.api import Gradebook

from anncourse.grading.sandbox import isolation_available

from conftest import ROOT, VENV_ENV

pytestmark = pytest.mark.skipif(not isolation_available(), reason="bubblewrap is not available")

SLUG = "00-kit"
TESTS = Path(__file__).resolve().parent

SOLUTIONS = {
    "adam_step": """
        import numpy as np

        def adam_step(theta, grad, m, v, t, lr=0.1, beta1=0.9, beta2=0.999, eps=1e-8):
            ### BEGIN SOLUTION
            m = beta1 * m + (1 - beta1) * grad
            v = beta2 * v + (1 - beta2) * grad ** 2
            m_hat, v_hat = m / (1 - beta1 ** t), v / (1 - beta2 ** t)
            return theta - lr * m_hat / (np.sqrt(v_hat) + eps), m, v
            ### END SOLUTION
        """,
    "MomentumSGD": """
        class MomentumSGD:
            def __init__(self, lr, beta):
                ### BEGIN SOLUTION
                self.lr, self.beta, self.v = lr, beta, 0.0
                ### END SOLUTION

            def step(self, theta, grad):
                ### BEGIN SOLUTION
                self.v = self.beta * self.v + grad
                return theta - self.lr * self.v
                ### END SOLUTION
        """,
    "numerical_derivative": """
        def numerical_derivative(f, x, h=1e-5):
            ### BEGIN SOLUTION
            return (f(x + h) - f(x - h)) / (2 * h)
            ### END SOLUTION
        """,
    "train_logistic": """
        import numpy as np

        def train_logistic(X, y, seed):
            ### BEGIN SOLUTION
            Xb = np.hstack([X, np.ones((len(X), 1))])
            w = np.zeros(Xb.shape[1])
            for _ in range(300):
                p = 1 / (1 + np.exp(-Xb @ w))
                w = w - 0.3 * Xb.T @ (p - y) / len(y)
            return w
            ### END SOLUTION
        """,
    "standardize": """
        import numpy as np

        def standardize(x):
            ### BEGIN SOLUTION
            x = np.asarray(x, dtype=float)
            return (x - x.mean()) / x.std()
            ### END SOLUTION
        """,
    "torch_mse": """
        import torch

        def torch_mse(y_true, y_pred):
            ### BEGIN SOLUTION
            return torch.nn.functional.mse_loss(torch.as_tensor(y_pred, dtype=torch.float64),
                                                torch.as_tensor(y_true, dtype=torch.float64)).item()
            ### END SOLUTION
        """,
}

# The mixed student: Adam with a stale v (theta and m right: partial credit),
# a momentum class without state (nothing), the rest right, standardize in place.
MIXED = {
    "adam_step": SOLUTIONS["adam_step"].replace("    v = beta2", "    v_new = beta2").replace(
        "v / (1 - beta2 ** t)", "v_new / (1 - beta2 ** t)"),
    "MomentumSGD": SOLUTIONS["MomentumSGD"].replace("self.v = self.beta * self.v + grad",
                                                    "v = self.beta * self.v + grad").replace(
        "self.lr * self.v", "self.lr * v"),
    "standardize": """
        def standardize(x):
            x -= x.mean()
            x /= x.std()
            return x
        """,
}


def instructor_notebook():
    cells = [nbformat.v4.new_markdown_cell("# Kit samples"),
             nbformat.v4.new_code_cell("import numpy as np\nfrom anncourse.grading import check")]
    for name, source in SOLUTIONS.items():
        answer = nbformat.v4.new_code_cell(textwrap.dedent(source).strip() + "\n")
        answer.metadata["nbgrader"] = {"grade": False, "solution": True, "locked": False,
                                       "grade_id": name, "schema_version": 3, "task": False}
        test = nbformat.v4.new_code_cell(
            f'check({name}, "{SLUG}/{name}")\n### BEGIN HIDDEN TESTS\n'
            f'check({name}, "{SLUG}/{name}", hidden=True)\n### END HIDDEN TESTS\n')
        test.metadata["nbgrader"] = {"grade": True, "solution": False, "locked": True,
                                     "grade_id": f"test_{name}", "points": 3, "schema_version": 3,
                                     "task": False}
        test.metadata["tags"] = ["raises-exception"]
        cells += [answer, test]
    return nbformat.v4.new_notebook(cells=cells)


@pytest.fixture(scope="module")
def course(tmp_path_factory):
    pytest.importorskip("torch")
    root = tmp_path_factory.mktemp("kit-course")
    shutil.copy(ROOT / "nbgrader_config.py", root)
    (root / "solutions" / SLUG).mkdir(parents=True)
    nbformat.write(instructor_notebook(), root / "solutions" / SLUG / f"{SLUG}.ipynb")
    env = {**VENV_ENV, "ANNCOURSE_EXTRA_SPECS": f"{SLUG}=kit_spec",
           "PYTHONPATH": os.pathsep.join([str(TESTS), os.environ.get("PYTHONPATH", "")])}

    def nbgrader(*args):
        out = subprocess.run([sys.executable, "-m", "nbgrader", *args], cwd=root, env=env,
                             capture_output=True, text=True, timeout=900)
        assert out.returncode == 0, f"nbgrader {args} failed:\n{out.stdout}\n{out.stderr}"
        return out

    nbgrader("generate_assignment", SLUG, "--force")
    source = nbformat.read(root / "solutions" / SLUG / f"{SLUG}.ipynb", as_version=4)
    release = nbformat.read(root / "course" / SLUG / f"{SLUG}.ipynb", as_version=4)
    mixed = nbformat.from_dict(source)
    for cell in mixed.cells:
        gid = cell.metadata.get("nbgrader", {}).get("grade_id")
        if cell.metadata.get("nbgrader", {}).get("solution") and gid in MIXED:
            cell.source = textwrap.dedent(MIXED[gid]).strip() + "\n"
    # Learners do not submit the markers: strip them from the right answers.
    for nb in (source, mixed):
        for cell in nb.cells:
            if cell.metadata.get("nbgrader", {}).get("solution"):
                cell.source = "\n".join(line for line in cell.source.splitlines()
                                        if "### BEGIN SOLUTION" not in line
                                        and "### END SOLUTION" not in line) + "\n"
    for student, nb in (("right", source), ("release", release), ("mixed", mixed)):
        folder = root / "submitted" / student / SLUG
        folder.mkdir(parents=True)
        nbformat.write(nb, folder / f"{SLUG}.ipynb")
        nbgrader("db", "student", "add", student)
    nbgrader("autograde", SLUG)
    return root


def scores(root, student):
    with Gradebook(f"sqlite:///{root / 'gradebook.db'}") as gb:
        return {name: gb.find_grade(f"test_{name}", SLUG, SLUG, student).score
                for name in SOLUTIONS}


def test_every_kind_earns_full_marks_when_right(course):
    assert scores(course, "right") == {name: 3 for name in SOLUTIONS}


def test_the_release_earns_nothing(course):
    assert scores(course, "release") == {name: 0 for name in SOLUTIONS}


def test_partial_credit_and_mutation_through_nbgrader(course):
    got = scores(course, "mixed")
    # theta and m right in the visible example and in every hidden step: 2 of 3
    # parts of the visible case, which is half of the exercise's weight.
    assert got["adam_step"] == pytest.approx(3 * (2 / 3) / 2, abs=1e-6)
    assert got["MomentumSGD"] == 0
    assert got["standardize"] == 0
    for name in ("numerical_derivative", "train_logistic", "torch_mse"):
        assert got[name] == 3, name
    graded = nbformat.read(course / "autograded" / "mixed" / SLUG / f"{SLUG}.ipynb", as_version=4)
    text = "".join(str(o.get("evalue", "")) + str(o.get("text", ""))
                   for c in graded.cells for o in c.get("outputs", []))
    assert "theta is right" in text and "m is right" in text
    assert "changed its input in place" in text
