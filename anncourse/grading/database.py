"""Which database holds the gradebook: nbgrader's sqlite file, or a server.

nbgrader keeps every score in a gradebook reached through SQLAlchemy, by default
the file ``gradebook.db`` in the course folder.  That suits a laptop or one
server.  Several graders writing at once (``anncourse autograde --jobs``,
Kubernetes jobs) want a database server instead: the course's
``nbgrader_config.py`` reads its URL from the environment variable
``ANNCOURSE_DB_URL`` through :func:`gradebook_url`.

The driver is psycopg 3 (``pip install 'anncourse[postgres]'``).  SQLAlchemy 2.1
maps a bare ``postgresql://`` to it, but SQLAlchemy 2.0 maps the same URL to
psycopg2, and hosting providers hand out ``postgres://``, which SQLAlchemy
refuses: both are rewritten to the explicit ``postgresql+psycopg://``, so a URL
means the same driver whatever SQLAlchemy is installed.
"""
from __future__ import annotations

import os

from collections.abc import Mapping

ENV_VAR = "ANNCOURSE_DB_URL"

# The schemes that name PostgreSQL without naming a driver.
_BARE_POSTGRES = ("postgres", "postgresql")
_DRIVER = "postgresql+psycopg"


class GradebookURLError(ValueError):
    """The gradebook URL in the environment cannot be used."""


def gradebook_url(environ: Mapping[str, str] | None = None) -> str | None:
    """The gradebook's SQLAlchemy URL from ``ANNCOURSE_DB_URL``, or None.

    Parameters
    ----------
    environ : mapping, optional
        The environment to read (default: ``os.environ``).

    Returns
    -------
    str or None
        None when the variable is unset or blank (nbgrader then keeps its
        sqlite file); otherwise the URL, with a bare ``postgres://`` or
        ``postgresql://`` rewritten to name the psycopg 3 driver.

    Raises
    ------
    GradebookURLError
        If the value is not a database URL, or its driver is not installed.
        The message names the variable and never shows the password.

    Examples
    --------
    >>> gradebook_url({}) is None
    True
    >>> gradebook_url({"ANNCOURSE_DB_URL": "sqlite:////srv/course/gradebook.db"})
    'sqlite:////srv/course/gradebook.db'
    """
    env = os.environ if environ is None else environ
    raw = env.get(ENV_VAR, "").strip()
    if not raw:
        return None

    from sqlalchemy.engine import make_url
    from sqlalchemy.exc import ArgumentError, NoSuchModuleError

    try:
        url = make_url(raw)
    except ArgumentError:
        # The value itself may hold a password: say what is wrong, not what it is.
        raise GradebookURLError(
            f"{ENV_VAR} is not a database URL (expected, for example, "
            f"postgresql+psycopg://user:password@host:5432/gradebook or sqlite:////path/gradebook.db)"
        ) from None
    if url.drivername in _BARE_POSTGRES:
        url = url.set(drivername=_DRIVER)
    shown = url.render_as_string(hide_password=True)
    try:
        dialect = url.get_dialect()
    except NoSuchModuleError:
        raise GradebookURLError(f"{ENV_VAR}={shown}: SQLAlchemy knows no database "
                                f"{url.drivername!r}") from None
    try:
        dialect.import_dbapi()
    except ImportError as err:
        hint = ("pip install 'anncourse[postgres]'" if url.drivername == _DRIVER
                else f"install the Python driver for {url.drivername}")
        raise GradebookURLError(f"{ENV_VAR}={shown}: its driver is not installed "
                                f"({err}); {hint}") from None
    return url.render_as_string(hide_password=False)
