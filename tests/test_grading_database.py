"""Where the gradebook lives: ANNCOURSE_DB_URL read by nbgrader_config.py.

The end-to-end run on a real PostgreSQL is tests/test_gradebook_postgres.py.
"""
from __future__ import annotations

import pytest
from hypothesis import given, strategies as st
from sqlalchemy.engine import make_url
from traitlets.config.loader import PyFileConfigLoader

from anncourse.grading.database import ENV_VAR, GradebookURLError, gradebook_url

from conftest import ROOT


@pytest.mark.parametrize("environ", [{}, {ENV_VAR: ""}, {ENV_VAR: "  \n"}])
def test_unset_or_blank_keeps_sqlite(environ):
    assert gradebook_url(environ) is None


def test_reads_os_environ_by_default(monkeypatch):
    monkeypatch.delenv(ENV_VAR, raising=False)
    assert gradebook_url() is None
    monkeypatch.setenv(ENV_VAR, "sqlite:////tmp/x/gradebook.db")
    assert gradebook_url() == "sqlite:////tmp/x/gradebook.db"


@pytest.mark.parametrize("scheme", ["postgres", "postgresql", "postgresql+psycopg"])
def test_postgres_urls_name_psycopg3(scheme):
    url = gradebook_url({ENV_VAR: f"{scheme}://grader:s3cret@db.example.org:5433/gradebook"})
    assert url == "postgresql+psycopg://grader:s3cret@db.example.org:5433/gradebook"


@given(password=st.text(min_size=1, max_size=40).filter(lambda p: p.strip() == p and "\x00" not in p))
def test_any_password_survives_the_rewrite(password):
    from urllib.parse import quote

    raw = f"postgres://grader:{quote(password, safe='')}@localhost/gradebook"
    url = make_url(gradebook_url({ENV_VAR: raw}))
    assert url.drivername == "postgresql+psycopg"
    assert url.password == password
    assert (url.username, url.host, url.database) == ("grader", "localhost", "gradebook")


def test_missing_driver_is_named_without_the_password():
    # psycopg2 is not what the course installs; its absence must be explained.
    pytest.importorskip("sqlalchemy.dialects.postgresql.psycopg2")
    try:
        import psycopg2  # noqa: F401
    except ImportError:
        pass
    else:
        pytest.skip("psycopg2 is installed here: its absence cannot be shown")
    with pytest.raises(GradebookURLError) as err:
        gradebook_url({ENV_VAR: "postgresql+psycopg2://grader:TopSecret@localhost/gradebook"})
    message = str(err.value)
    assert ENV_VAR in message and "driver is not installed" in message
    assert "TopSecret" not in message and "***" in message


@pytest.mark.parametrize("value", ["not a url", "://missing-scheme", "localhost:5432/gradebook"])
def test_not_a_url(value):
    with pytest.raises(GradebookURLError, match=ENV_VAR) as err:
        gradebook_url({ENV_VAR: value})
    assert value not in str(err.value)


def test_unknown_database():
    with pytest.raises(GradebookURLError, match="SQLAlchemy knows no database 'nosuchdb'"):
        gradebook_url({ENV_VAR: "nosuchdb://u:pw@host/gradebook"})


def course_config():
    return PyFileConfigLoader("nbgrader_config.py", path=str(ROOT)).load_config()


def test_course_config_uses_the_variable(monkeypatch):
    monkeypatch.setenv(ENV_VAR, "postgres://grader:pw@db:5432/gradebook")
    assert course_config().CourseDirectory.db_url == "postgresql+psycopg://grader:pw@db:5432/gradebook"


def test_course_config_keeps_nbgraders_default(monkeypatch):
    monkeypatch.delenv(ENV_VAR, raising=False)
    assert "db_url" not in course_config().CourseDirectory


def test_course_config_refuses_a_bad_url(monkeypatch):
    # nbgrader must stop, not fall back to a sqlite file nobody reads.
    monkeypatch.setenv(ENV_VAR, "not a url")
    with pytest.raises(GradebookURLError):
        course_config()
