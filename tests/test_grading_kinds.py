"""Every kind of exercise the chapter kit grades, through the sandboxed grader.

The exercises come from the test-only spec ``kit_spec`` (registered here as
assignment ``00-kit``); each test builds a small notebook the way nbgrader
releases them (answer cells, locked test cells) and grades it with
:func:`~anncourse.grading.notebook.grade_notebook`, the function behind both
``nbgrader autograde`` and ``anncourse check``.
"""
from __future__ import annotations

import json
import os
import subprocess
import sys
import textwrap
import time

import nbformat
import numpy as np
import pytest

import kit_spec
from anncourse.grading import notebook as grading
from anncourse.grading.notebook import course_secret, grade_notebook, submission_salt
from anncourse.grading.properties import _rng, salted
from anncourse.grading.sandbox import isolation_available

pytestmark = pytest.mark.skipif(not isolation_available(), reason="bubblewrap is not available")

KIT = {ex.key: ex for ex in kit_spec.EXERCISES}


@pytest.fixture(autouse=True)
def kit_registered(monkeypatch):
    real = grading.get_exercise
    monkeypatch.setattr(grading, "get_exercise", lambda key: KIT[key] if key in KIT else real(key))


def answer(source, gid):
    cell = nbformat.v4.new_code_cell(textwrap.dedent(source))
    cell.metadata["nbgrader"] = {"grade": False, "solution": True, "locked": False,
                                 "grade_id": gid, "schema_version": 3, "task": False}
    return cell


def checked(name, points=3, hidden=True):
    source = f'check({name}, "00-kit/{name}")\n'
    if hidden:
        source += f'### BEGIN HIDDEN TESTS\ncheck({name}, "00-kit/{name}", hidden=True)\n' \
                  "### END HIDDEN TESTS\n"
    cell = nbformat.v4.new_code_cell(source)
    cell.metadata["nbgrader"] = {"grade": True, "solution": False, "locked": True,
                                 "grade_id": f"test_{name}", "points": points,
                                 "schema_version": 3, "task": False}
    return cell


def grade(*cells, **options):
    nb = nbformat.v4.new_notebook(cells=[nbformat.v4.new_code_cell(c) if isinstance(c, str) else c
                                         for c in cells])
    return grade_notebook(nb, **options)


ADAM_RIGHT = """
import numpy as np

def adam_step(theta, grad, m, v, t, lr=0.1, beta1=0.9, beta2=0.999, eps=1e-8):
    m = beta1 * m + (1 - beta1) * grad
    v = beta2 * v + (1 - beta2) * grad * grad
    step = lr * (m / (1 - beta1 ** t)) / (np.sqrt(v / (1 - beta2 ** t)) + eps)
    return theta - step, m, v
"""


# --- structured answers -------------------------------------------------------

def test_structured_answer_right_in_any_container():
    (g,) = grade("import numpy as np", answer(ADAM_RIGHT, "adam_step"), checked("adam_step"))
    assert g.fraction == 1, g.text
    as_dict = ADAM_RIGHT.replace("return theta - step, m, v",
                                 'return {"v": v, "theta": theta - step, "m": m}')
    (g,) = grade(answer(as_dict, "adam_step"), checked("adam_step"))
    assert g.fraction == 1, g.text


def test_structured_answer_names_the_wrong_part_and_earns_the_right_ones():
    # v is returned before its update: theta and m are right, v is not.
    stale_v = ADAM_RIGHT.replace("    v = beta2", "    v_new = beta2").replace(
        "np.sqrt(v / ", "np.sqrt(v_new / ")
    (g,) = grade(answer(stale_v, "adam_step"), checked("adam_step"))
    assert "theta is right" in g.text and "m is right" in g.text
    assert "v is not close enough" in g.text or "v is" in g.text.split("m is right")[1]
    # Two of three parts of the one visible case; hidden checks earn only
    # once the visible ones all pass.
    assert g.fraction == pytest.approx((2 / 3) / 2)


def test_structured_answer_of_the_wrong_length_is_explained():
    short = ADAM_RIGHT.replace("return theta - step, m, v", "return theta - step")
    (g,) = grade(answer(short, "adam_step"), checked("adam_step"))
    assert g.fraction == 0
    assert "expected a tuple of 3: (theta, m, v)" in g.text


def test_a_part_off_by_a_factor_says_how_much():
    double_m = ADAM_RIGHT.replace("return theta - step, m, v", "return theta - step, 2 * m, v")
    (g,) = grade(answer(double_m, "adam_step"), checked("adam_step"))
    assert "m 2 times too large" in g.text


def test_a_word_in_a_structured_answer_is_compared_as_a_word():
    right = "def depth_kind(sizes):\n    h = len(sizes) - 2\n" \
            "    return h, 'none' if h == 0 else ('shallow' if h <= 2 else 'deep')\n"
    (g,) = grade(answer(right, "depth_kind"), checked("depth_kind"))
    assert g.fraction == 1, g.text
    capital = right.replace("'deep'", "'Deep'")
    (g,) = grade(answer(capital, "depth_kind"), checked("depth_kind"))
    assert "n_hidden is right" in g.text and "only in capitals" in g.text
    assert 0 < g.fraction < 1


# --- scenarios ------------------------------------------------------------------

MOMENTUM_RIGHT = """
import numpy as np

class MomentumSGD:
    def __init__(self, lr, beta):
        self.lr, self.beta = lr, beta
        self.v = 0.0

    def step(self, theta, grad):
        self.v = self.beta * self.v + grad
        return theta - self.lr * self.v
"""


def test_a_learner_class_is_driven_over_many_steps():
    (g,) = grade(answer(MOMENTUM_RIGHT, "MomentumSGD"), checked("MomentumSGD"))
    assert g.fraction == 1, g.text


def test_a_class_that_forgets_its_state_fails_the_scenario():
    stateless = MOMENTUM_RIGHT.replace("self.v = self.beta * self.v + grad",
                                       "v = self.beta * self.v + grad").replace(
        "self.lr * self.v", "self.lr * v")
    (g,) = grade(answer(stateless, "MomentumSGD"), checked("MomentumSGD"))
    assert g.fraction == 0
    assert "drive_momentum(MomentumSGD, 0.05, 0.9, 20)" in g.text


def test_a_function_receives_a_trusted_callable():
    central = ("def numerical_derivative(f, x, h=1e-5):\n"
               "    return (f(x + h) - f(x - h)) / (2 * h)\n")
    forward = ("def numerical_derivative(f, x, h=1e-5):\n"
               "    return (f(x + h) - f(x)) / h\n")
    (g,) = grade(answer(central, "numerical_derivative"),
                 checked("numerical_derivative", hidden=False))
    assert g.fraction == 1, g.text
    (g,) = grade(answer(forward, "numerical_derivative"),
                 checked("numerical_derivative", hidden=False))
    assert g.fraction == 0


# --- property verdicts ------------------------------------------------------------

def test_trained_weights_are_judged_on_held_out_data():
    good = """
    import numpy as np

    def train_logistic(X, y, seed):
        rng = np.random.default_rng(seed)
        Xb = np.hstack([X, np.ones((len(X), 1))])
        w = rng.normal(scale=0.01, size=Xb.shape[1])
        for _ in range(300):
            p = 1 / (1 + np.exp(-Xb @ w))
            w = w - 0.3 * Xb.T @ (p - y) / len(y)
        return w
    """
    (g,) = grade(answer(good, "train_logistic"), checked("train_logistic"))
    assert g.fraction == 1, g.text
    assert "held-out accuracy of at least 0.9 on data the grader draws: passed" in g.text
    # Weights that separate the tiny visible set but nothing else.
    overfit = """
    import numpy as np

    def train_logistic(X, y, seed):
        return np.array([1.0, 0.0, -3.0]) if len(X) > 4 else np.array([1.0, 1.0, 0.0])
    """
    (g,) = grade(answer(overfit, "train_logistic"), checked("train_logistic"))
    assert 0 < g.fraction < 1
    assert "held-out accuracy below the required 0.9" in g.text


# --- mutation -----------------------------------------------------------------------

def test_changing_the_input_in_place_fails_even_with_the_right_value():
    in_place = """
    def standardize(x):
        x -= x.mean()
        x /= x.std()
        return x
    """
    (g,) = grade(answer(in_place, "standardize"), checked("standardize", hidden=False))
    assert g.fraction == 0
    assert "changed its input in place (argument 1)" in g.text
    copy_first = in_place.replace("    x -= x.mean()", "    x = x - x.mean()")
    (g,) = grade(answer(copy_first, "standardize"), checked("standardize", hidden=False))
    assert g.fraction == 1, g.text


@pytest.mark.parametrize("where", ["grader", "sandbox"])
def test_a_list_of_lists_changed_in_place_is_seen(where):
    # The grader compares what the caller gave with a copy taken before the call,
    # in the grader (core) and in the sandbox's worker: a number inside a nested
    # list counts too, not only arrays.
    from anncourse.grading._worker import _same
    from anncourse.grading.core import _unchanged

    same = {"grader": _unchanged, "sandbox": _same}[where]
    table = [[0.0, 1.0], [2.0, 3.0]]
    assert same(table, [[0.0, 1.0], [2.0, 3.0]])
    assert not same(table, [[0.0, 1.0], [2.0, 3.5]])
    assert not same({"Q": table}, {"Q": [[0.0, 1.0], [2.0, 3.5]]})
    assert not same([1, 2], [1, 2.0]), "an int replaced by a float is a change"
    assert same([float("nan"), np.float32(2)], [float("nan"), np.float32(2)])


# --- PyTorch exercises ------------------------------------------------------------------

def test_an_exercise_that_declares_torch_can_use_it():
    pytest.importorskip("torch")
    with_torch = """
    import torch

    def torch_mse(y_true, y_pred):
        return torch.nn.functional.mse_loss(torch.as_tensor(y_pred, dtype=torch.float64),
                                            torch.as_tensor(y_true, dtype=torch.float64)).item()
    """
    (g,) = grade(answer(with_torch, "torch_mse"), checked("torch_mse", hidden=False))
    assert g.fraction == 1, g.text
    # ...while an exercise that does not declare it cannot.
    uses_torch = with_torch.replace("torch_mse", "standardize")
    (g,) = grade(answer(uses_torch, "standardize"), checked("standardize", hidden=False))
    assert g.fraction == 0


# --- what is loaded: the learner's code, once ---------------------------------------------

def test_helpers_in_learner_cells_and_the_notebooks_numpy_are_available():
    cells = ["import numpy as np\nimport matplotlib.pyplot as plt\nfrom anncourse import losses",
             "def _center(x):\n    return x - x.mean()\n\nSCALE = 1.0",
             answer("def standardize(x):\n    c = _center(np.asarray(x, dtype=float))\n"
                    "    return SCALE * c / c.std()\n", "standardize"),
             checked("standardize", hidden=False)]
    (g,) = grade(*cells)
    assert g.fraction == 1, g.text


def test_teaching_cells_that_train_or_plot_are_not_run():
    # A loop that would take minutes, a plot, a print: none runs at grading.
    slow = "import time\nfor epoch in range(1000):\n    time.sleep(1)\nprint('done')"
    start = time.monotonic()
    (g,) = grade("import numpy as np", slow,
                 answer("def standardize(x):\n    x = np.asarray(x, float)\n"
                        "    return (x - x.mean()) / x.std()\n", "standardize"),
                 checked("standardize", hidden=False))
    assert g.fraction == 1, g.text
    assert time.monotonic() - start < 30


def test_each_test_cell_sees_the_function_as_the_notebook_had_it():
    right = "import numpy as np\n\ndef standardize(x):\n    x = np.asarray(x, float)\n" \
            "    return (x - x.mean()) / x.std()\n"
    later = answer("def standardize(x):\n    return x\n", "later")
    later.metadata["nbgrader"]["solution"] = True
    first, = grade(answer(right, "standardize"), checked("standardize", hidden=False), later)
    assert first.fraction == 1, first.text


def test_an_answer_cell_pasted_twice_is_graded_from_the_later_copy():
    wrong = answer("def standardize(x):\n    return x\n", "standardize")
    right = answer("import numpy as np\n\ndef standardize(x):\n    x = np.asarray(x, float)\n"
                   "    return (x - x.mean()) / x.std()\n", "standardize")
    (g,) = grade(wrong, right, checked("standardize", hidden=False))
    assert g.fraction == 1, g.text


# --- limits and robustness --------------------------------------------------------------------

def test_the_time_budget_bounds_a_whole_submission():
    sleepy = answer("import time\nimport numpy as np\n\ndef standardize(x):\n    time.sleep(3)\n"
                    "    x = np.asarray(x, float)\n    return (x - x.mean()) / x.std()\n",
                    "standardize")
    cells = [sleepy] + [checked("standardize", hidden=False) for _ in range(4)]
    start = time.monotonic()
    grades = grade(*cells, time_budget=7)
    elapsed = time.monotonic() - start
    # The budget is enforced: a few seconds of start-up and kill on top at most.
    assert elapsed < 7 + 10, elapsed
    assert grades[0].fraction == 1 and grades[1].fraction == 1
    assert any("time budget" in g.text for g in grades[2:]), [g.text for g in grades]


def test_a_test_cell_without_check_scores_nothing():
    cell = checked("standardize", hidden=False)
    cell.source = "assert standardize([1.0, 2.0]) is not None\n"
    (g,) = grade(answer("def standardize(x):\n    return 42\n", "standardize"), cell)
    assert g.fraction == 0 and "calls no check" in g.text


@pytest.mark.parametrize("body, phrase", [
    ("return 10 ** 400", "too large"),
    ("return [[[[[[[[[[[[[[[[[[[[[[[[1.0]]]]]]]]]]]]]]]]]]]]]]]]", "nested too deeply"),
    ("return 1.0" + " + 0" * 5000, "FAILED"),
    ("return {'__ndarray__': [1], 'dtype': 'float64', 'shape': []}", "FAILED"),
    ("import os, json\n    os.write(3, b'[' * 100000 + b']' * 100000 + b'\\n')\n    return 1.0", "FAILED"),
])
def test_nothing_a_submission_returns_makes_the_grader_raise(body, phrase):
    source = f"def standardize(x):\n    {body}\n"
    (g,) = grade(answer(source, "standardize"), checked("standardize", hidden=False))
    assert g.fraction == 0 and phrase in g.text, g.text


def test_grader_memory_stays_bounded(tmp_path):
    """A 3 MB cell, a 24 MB forged answer and deep JSON: the grader's own peak memory."""
    big_cell = "DATA = [" + "0.5, " * 600_000 + "]\n"
    flood = ("import os\n\ndef standardize(x):\n"
             "    os.write(3, b'{\"ok\": true, \"result\": [' + b'0.5, ' * 5_000_000 + b'0.5]}\\n')\n"
             "    return x\n")
    nb = nbformat.v4.new_notebook(cells=[answer(big_cell, "data"), answer(flood, "standardize"),
                                         checked("standardize", hidden=False)])
    path = tmp_path / "nb.ipynb"
    nbformat.write(nb, path)
    script = textwrap.dedent(f"""
        import resource, sys, json
        sys.path.insert(0, {str(os.path.dirname(__file__))!r})
        import nbformat, kit_spec
        from anncourse.grading import notebook as grading
        kit = {{ex.key: ex for ex in kit_spec.EXERCISES}}
        grading.get_exercise = lambda key: kit[key]
        before = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss
        grades = grading.grade_notebook(nbformat.read({str(path)!r}, 4))
        after = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss
        print(json.dumps([before, after, grades[0].text]))
    """)
    out = subprocess.run([sys.executable, "-c", script], capture_output=True, text=True, timeout=300)
    assert out.returncode == 0, out.stderr
    before, after, text = json.loads(out.stdout.splitlines()[-1])
    assert "larger than 16 MB" in text and "not loaded" not in text or "FAILED" in text
    # README states 300 MB as the grader's budget beyond its imports: the
    # answer is cut at 16 MB and read into one growing buffer, cells over
    # 256 KB are not parsed.  ru_maxrss is in KiB.
    assert (after - before) / 1024 < 300, f"grading took {(after - before) / 1024:.0f} MB more"


# --- stable regrades ------------------------------------------------------------------------------

def test_graders_starting_at_once_share_one_grading_secret(tmp_path):
    # Parallel shards and Kubernetes pods each create the secret on their first
    # submission: all of them must end up with the same one, none with an empty one.
    import subprocess
    import sys

    path = tmp_path / ".anncourse" / "grading_secret"
    code = ("import sys; from anncourse.grading.notebook import course_secret; "
            "sys.stdout.write(course_secret(sys.argv[1]).decode())")
    env = {k: v for k, v in os.environ.items() if k != "ANNCOURSE_GRADING_SECRET"}
    procs = [subprocess.Popen([sys.executable, "-c", code, str(path)], stdout=subprocess.PIPE,
                              stderr=subprocess.PIPE, text=True, env=env) for _ in range(8)]
    outs = [p.communicate(timeout=120) for p in procs]
    assert all(p.returncode == 0 for p in procs), [err for _, err in outs]
    secrets_seen = {out for out, _ in outs}
    assert len(secrets_seen) == 1 and len(secrets_seen.pop()) == 64
    assert sorted(p.name for p in path.parent.iterdir()) == ["grading_secret"]
    assert oct(path.stat().st_mode & 0o777) == "0o600"
    path.write_bytes(b"\n")
    with pytest.raises(ValueError, match="is empty"):
        course_secret(path)


def test_hidden_inputs_are_stable_for_a_submission_and_differ_between_students(tmp_path):
    secret = course_secret(tmp_path / ".anncourse" / "grading_secret")
    assert oct((tmp_path / ".anncourse" / "grading_secret").stat().st_mode & 0o777) == "0o600"
    assert course_secret(tmp_path / ".anncourse" / "grading_secret") == secret
    ada = submission_salt(secret, "18-loss-functions", "ada")
    assert ada == submission_salt(secret, "18-loss-functions", "ada")
    assert ada != submission_salt(secret, "18-loss-functions", "bob")
    assert ada != submission_salt(b"another course", "18-loss-functions", "ada")
    with salted(ada):
        first = _rng(7).normal(size=4)
    with salted(ada):
        again = _rng(7).normal(size=4)
    with salted(submission_salt(secret, "18-loss-functions", "bob")):
        other = _rng(7).normal(size=4)
    np.testing.assert_array_equal(first, again)
    assert not np.allclose(first, other)


def test_a_failure_with_big_arguments_stays_readable():
    # A data set and a network's weights as arguments: described by shape, so that
    # the reason (here: not written yet) stays on the learner's screen.
    from anncourse.grading import CheckFailed, check

    def transfer_accuracy(*args, **kwargs):
        raise NotImplementedError()

    with pytest.raises(CheckFailed) as info:
        check(transfer_accuracy, "19-transfer-learning/transfer_accuracy")
    message = str(info.value)
    assert len(message) < 3000, len(message)
    assert "<an array of shape (400, 64), dtype float64>" in message
    assert message.rstrip().endswith("it still raises NotImplementedError")
