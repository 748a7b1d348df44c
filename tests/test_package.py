"""The package's promises that are not about numbers.

The chapter list itself is checked against README, the files and the specs
in test_course_registry.py.
"""
from __future__ import annotations

import json
import os
import shutil
import subprocess
import sys

import pytest

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


def _fake_venv(tmp_path):
    """An environment for course.sh whose `jupyter` only records its arguments.

    Its install stamp matches pyproject.toml, so course.sh installs nothing;
    its `python` is this interpreter, which runs binder/install-lab-settings.
    """
    venv = tmp_path / "venv"
    (venv / "bin").mkdir(parents=True)
    (venv / "bin" / "python").write_text(f'#!/bin/sh\nexec "{sys.executable}" "$@"\n')
    (venv / "bin" / "jupyter").write_text(
        f'#!/bin/sh\nprintf "%s\\n" "$@" > "{tmp_path}/jupyter-args"\n')
    for tool in ("python", "jupyter"):
        (venv / "bin" / tool).chmod(0o755)
    stamp = subprocess.run("cksum < pyproject.toml", shell=True, cwd=ROOT, check=True,
                           capture_output=True, text=True).stdout
    (venv / ".anncourse-course,torch").write_text(stamp)
    return venv


def test_course_sh_lab_runs_as_root_with_a_warning(tmp_path):
    venv = _fake_venv(tmp_path)
    result = subprocess.run(["bash", str(ROOT / "course.sh"), "lab", "--no-browser"],
                            env={**os.environ, "ANNCOURSE_VENV": str(venv)},
                            capture_output=True, text=True, timeout=120)
    assert result.returncode == 0, result.stderr
    args = (tmp_path / "jupyter-args").read_text().split()
    assert args[0] == "lab" and "--no-browser" in args
    as_root = os.geteuid() == 0
    assert ("--allow-root" in args) == as_root
    warnings = [line for line in result.stderr.splitlines() if "root" in line]
    assert len(warnings) == (1 if as_root else 0), result.stderr
    # course.sh setup also gave the environment the course's JupyterLab defaults.
    overrides = json.loads((venv / "share/jupyter/lab/settings/overrides.json").read_text())
    assert overrides["@jupyterlab/apputils-extension:notification"]["fetchNews"] == "false"


def test_lab_settings_are_merged_into_existing_ones(tmp_path):
    target = tmp_path / "share/jupyter/lab/settings/overrides.json"
    target.parent.mkdir(parents=True)
    target.write_text(json.dumps({
        "@jupyterlab/apputils-extension:themes": {"theme": "JupyterLab Dark"},
        "@jupyterlab/apputils-extension:notification": {"doNotDisturbMode": True}}))
    subprocess.run([sys.executable, str(ROOT / "binder/install-lab-settings"),
                    "--prefix", str(tmp_path)], check=True, capture_output=True)
    merged = json.loads(target.read_text())
    assert merged["@jupyterlab/apputils-extension:themes"] == {"theme": "JupyterLab Dark"}
    assert merged["@jupyterlab/apputils-extension:notification"] == {
        "doNotDisturbMode": True, "fetchNews": "false", "checkForUpdates": False}


@pytest.fixture(scope="module")
def installed_wheel(tmp_path_factory):
    """anncourse built as a wheel and installed, with its own dependencies only,
    into a fresh virtual environment outside the repository."""
    work = tmp_path_factory.mktemp("wheel")
    env = {k: v for k, v in os.environ.items() if k not in ("PYTHONPATH", "VIRTUAL_ENV")}
    env["PIP_DISABLE_PIP_VERSION_CHECK"] = "1"
    # No build isolation: the build uses this environment's setuptools, not a download.
    subprocess.run([sys.executable, "-m", "pip", "wheel", "--no-deps", "--no-build-isolation",
                    "-q", "-w", str(work / "dist"), str(ROOT)], check=True, env=env,
                   capture_output=True)
    wheel = next((work / "dist").glob("anncourse-*.whl"))
    subprocess.run([sys.executable, "-m", "venv", str(work / "venv")], check=True)
    python = work / "venv" / "bin" / "python"
    subprocess.run([str(python), "-m", "pip", "install", "-q", str(wheel)], check=True, env=env,
                   capture_output=True)
    learner = work / "learner"
    learner.mkdir()
    slug = "18-loss-functions"
    shutil.copy(ROOT / "course" / slug / f"{slug}.ipynb", learner / "untouched.ipynb")
    shutil.copy(ROOT / "solutions" / slug / f"{slug}.ipynb", learner / "solved.ipynb")
    return python, learner, env


def _check(installed, notebook):
    python, learner, env = installed
    anncourse = python.parent / "anncourse"
    return subprocess.run([str(anncourse), "check", notebook], cwd=learner, env=env,
                          capture_output=True, text=True, timeout=600)


@pytest.mark.slow
def test_check_works_from_a_wheel_without_a_checkout(installed_wheel):
    python, learner, env = installed_wheel
    located = subprocess.run([str(python), "-c", "import anncourse; print(anncourse.__file__)"],
                             cwd=learner, env=env, check=True, capture_output=True, text=True)
    assert str(ROOT) not in located.stdout  # the installed copy, not this checkout

    # A learner's install: anncourse and its own dependencies; no nbgrader, no JupyterLab.
    absent = subprocess.run([str(python), "-c", "import nbgrader"], env=env, capture_output=True)
    assert absent.returncode != 0

    untouched = _check(installed_wheel, "untouched.ipynb")
    assert untouched.returncode == 1, untouched.stdout + untouched.stderr
    assert "NotImplementedError" in untouched.stdout
    assert "self-check: 0 of" in untouched.stdout
    solved = _check(installed_wheel, "solved.ipynb")
    assert solved.returncode == 0, solved.stdout + solved.stderr
    total = solved.stdout.rsplit("self-check: ", 1)[1].split()
    assert total[0] == total[2] and float(total[0]) > 0  # "N of N points"

    # The new-chapter and generate commands need a clone, and say so.
    gen = subprocess.run([str(python.parent / "anncourse"), "generate"], cwd=learner, env=env,
                         capture_output=True, text=True)
    assert gen.returncode == 2 and "run this command from a clone" in gen.stderr

    # Without nbformat, check names it.
    subprocess.run([str(python), "-m", "pip", "uninstall", "-q", "-y", "nbformat"],
                   check=True, env=env, capture_output=True)
    missing = _check(installed_wheel, "solved.ipynb")
    assert missing.returncode == 2
    assert "the package 'nbformat', which it needs, is not installed" in missing.stderr
    assert "-m pip install nbformat" in missing.stderr and "Traceback" not in missing.stderr


def test_check_explains_a_missing_notebook(tmp_path):
    result = subprocess.run([sys.executable, "-m", "anncourse.cli", "check",
                             str(tmp_path / "nope.ipynb")], capture_output=True, text=True)
    assert result.returncode == 2 and "no such notebook" in result.stderr
    (tmp_path / "broken.ipynb").write_text("{not json")
    result = subprocess.run([sys.executable, "-m", "anncourse.cli", "check",
                             str(tmp_path / "broken.ipynb")], capture_output=True, text=True)
    assert result.returncode == 2 and "not a readable Jupyter notebook" in result.stderr


# The reference modules promise a short example in their docstrings (numpydoc);
# pytest runs those examples (--doctest-modules in pyproject.toml), and this
# checks that they are there to run.
DOCUMENTED = [
    "anncourse.activations", "anncourse.losses", "anncourse.metrics", "anncourse.gradcheck",
    "anncourse.training", "anncourse.tuning", "anncourse.course", "anncourse.cost",
    "anncourse.descent", "anncourse.optimization", "anncourse.challenges",
    "anncourse.data", "anncourse.data.toy", "anncourse.data.preprocessing",
    "anncourse.data.splitting", "anncourse.data.batching", "anncourse.data.datasets",
    "anncourse.nn.module", "anncourse.nn.init", "anncourse.nn.linear", "anncourse.nn.activation",
    "anncourse.nn.dropout", "anncourse.nn.batchnorm", "anncourse.nn.container",
    "anncourse.nn.loss", "anncourse.optim.optimizer", "anncourse.optim.sgd",
    "anncourse.optim.adagrad", "anncourse.optim.rmsprop", "anncourse.optim.adadelta",
    "anncourse.optim.adam", "anncourse.optim.adamax", "anncourse.optim.nadam",
    "anncourse.optim.syllabus", "anncourse.regularization.penalties",
    "anncourse.regularization.early_stopping", "anncourse.regularization.augmentation",
    "anncourse.data.sunspots", "anncourse.pretrained", "anncourse.pretrained.transfer",
]


@pytest.mark.parametrize("name", DOCUMENTED)
def test_reference_module_has_docstring_examples(name):
    import doctest
    import importlib

    module = importlib.import_module(name)
    examples = sum(len(t.examples) for t in doctest.DocTestFinder().find(module))
    assert examples > 0, f"{name} has no example in its docstrings"


def test_doctests_are_collected_by_pytest():
    config = (ROOT / "pyproject.toml").read_text()
    assert "--doctest-modules" in config and '"anncourse"' in config
