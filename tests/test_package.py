"""The package's promises that are not about numbers.

The chapter list itself is checked against README, the files and the specs
in test_course_registry.py.
"""
from __future__ import annotations

import json
import os
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
