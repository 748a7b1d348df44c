"""Shared fixtures: where the course lives and which assignments are written."""
from __future__ import annotations

import os
import secrets
import subprocess
import sys
from pathlib import Path

import pytest

from anncourse.course import ASSIGNMENTS
from anncourse.grading import properties

ROOT = Path(__file__).resolve().parent.parent
WRITTEN = [a for a in ASSIGNMENTS if a.is_written(ROOT)]

# Hidden checks and examples must never depend on the network.
os.environ.setdefault("HF_HUB_OFFLINE", "1")


# Hidden checks draw their inputs from a salt, as each submission's grading does.
# One random salt per run, shared by every xdist worker (they inherit the
# environment), and printed, so a failure that depends on it can be rerun.
SALT_VARIABLE = "ANNCOURSE_TEST_SALT"


def pytest_configure(config):
    if not os.environ.get(SALT_VARIABLE):
        os.environ[SALT_VARIABLE] = str(secrets.randbits(63))
    properties._SALT.set(int(os.environ[SALT_VARIABLE]))


def pytest_report_header(config):
    return f"hidden-check salt: {os.environ[SALT_VARIABLE]} (rerun with {SALT_VARIABLE}=that number)"


@pytest.hookimpl(trylast=True)
def pytest_terminal_summary(terminalreporter, exitstatus, config):
    if exitstatus != 0:
        terminalreporter.write_line(f"hidden-check salt of this run: {SALT_VARIABLE}="
                                    f"{os.environ[SALT_VARIABLE]}")


@pytest.fixture(scope="session")
def root() -> Path:
    return ROOT


def written_ids():
    return [a.slug for a in WRITTEN]


# nbgrader runs `alembic` from PATH: it must find the environment's own.
VENV_ENV = {**os.environ, "PATH": f"{Path(sys.executable).parent}{os.pathsep}{os.environ.get('PATH', '')}"}
# A gradebook server the developer may have exported must not receive the
# tests' classes: they use sqlite unless a test sets the URL for its own runs.
VENV_ENV.pop("ANNCOURSE_DB_URL", None)


def run_nbgrader(course, *args):
    """Run the real nbgrader CLI in ``course``; fail with its log if it fails."""
    result = subprocess.run([sys.executable, "-m", "nbgrader", *args], cwd=course,
                            capture_output=True, text=True, env=VENV_ENV, timeout=1800)
    assert result.returncode == 0, f"nbgrader {' '.join(args)} failed:\n{result.stdout}\n{result.stderr}"
    return result
