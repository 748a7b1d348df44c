"""A throwaway PostgreSQL server, for trying and testing the gradebook on PostgreSQL.

:class:`ThrowawayPostgres` makes a new cluster with ``initdb`` in a temporary
folder, runs ``postgres`` on a free port of 127.0.0.1 with a random password,
creates an empty ``gradebook`` database and, when stopped, shuts the server
down and deletes the folder.  It uses the server binaries of Debian's
``postgresql`` package (``/usr/lib/postgresql/<version>/bin``) or any
``initdb`` on PATH.

PostgreSQL refuses to run as root.  When this runs as root, the cluster is
made and served by the ``postgres`` account that Debian's package creates for
its own clusters (or ``nobody`` where that account is missing), the folder
handed to it; otherwise by the current user.  Dropping to an existing account
through ``subprocess``'s ``user=`` needs no extra tool, no new account in
/etc/passwd and no user namespaces (which containers often forbid; and in one
that maps the caller to root, postgres still sees root and refuses).
"""
from __future__ import annotations

import os
import pwd
import secrets
import shutil
import socket
import subprocess
import tempfile
import time

from pathlib import Path

DATABASE = "gradebook"
ROLE = "anncourse"
_START_TIMEOUT = 60.0  # seconds; a cold start on a loaded 2-core machine takes 1-3 s


class PostgresUnavailable(RuntimeError):
    """PostgreSQL is not installed here, or a cluster could not start."""


def server_bindir() -> Path | None:
    """The folder holding ``initdb`` and ``postgres``, or None if there is none.

    PATH first, then Debian's ``/usr/lib/postgresql/<version>/bin``, newest
    version first.

    Examples
    --------
    >>> bindir = server_bindir()
    >>> bindir is None or (bindir / "postgres").is_file()
    True
    """
    on_path = shutil.which("initdb")
    if on_path and (Path(on_path).parent / "postgres").is_file():
        return Path(on_path).parent
    versions = []
    for bindir in Path("/usr/lib/postgresql").glob("*/bin"):
        if (bindir / "initdb").is_file() and (bindir / "postgres").is_file():
            try:
                versions.append((float(bindir.parent.name), bindir))
            except ValueError:
                continue
    return max(versions)[1] if versions else None


def _server_account() -> pwd.struct_passwd | None:
    """The account to run the server as: None means the current one."""
    if os.geteuid() != 0:
        return None
    for name in ("postgres", "nobody"):
        try:
            return pwd.getpwnam(name)
        except KeyError:
            continue
    raise PostgresUnavailable("running as root, and neither a 'postgres' nor a 'nobody' "
                              "account exists to run PostgreSQL as (it refuses root)")


def _free_port() -> int:
    with socket.socket(socket.AF_INET, socket.SOCK_STREAM) as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


class ThrowawayPostgres:
    """A PostgreSQL cluster that lives as long as a ``with`` block.

    Parameters
    ----------
    bindir : path, optional
        Where ``initdb`` and ``postgres`` are (default: :func:`server_bindir`).

    Attributes
    ----------
    url : str
        The SQLAlchemy URL of the empty ``gradebook`` database (psycopg 3
        driver), set once started.

    Raises
    ------
    PostgresUnavailable
        From ``start`` (or entering the block), naming why: no binaries, or
        ``initdb``/``postgres`` failed (with the tail of the server's log).

    Examples
    --------
    >>> with ThrowawayPostgres() as pg:              # doctest: +SKIP
    ...     Gradebook(pg.url, course_id="anncourse")
    """

    def __init__(self, bindir: str | os.PathLike | None = None):
        self.bindir = Path(bindir) if bindir is not None else server_bindir()
        self.url: str | None = None
        self.folder: Path | None = None
        self._server: subprocess.Popen | None = None

    # -- lifecycle ---------------------------------------------------------
    def __enter__(self) -> ThrowawayPostgres:
        self.start()
        return self

    def __exit__(self, *exc) -> None:
        self.stop()

    def start(self) -> str:
        """Make and start the cluster; return its URL."""
        if self.folder is not None:
            raise RuntimeError(f"this cluster is already running in {self.folder}")
        if self.bindir is None or not (self.bindir / "initdb").is_file():
            raise PostgresUnavailable("PostgreSQL's server is not installed (no initdb on PATH or "
                                      "in /usr/lib/postgresql/*/bin): apt-get install postgresql")
        try:
            import psycopg  # noqa: F401 (the driver the URL names; used below)
        except ImportError:
            raise PostgresUnavailable("the psycopg driver is not installed: "
                                      "pip install 'anncourse[postgres]'") from None
        account = _server_account()
        self.folder = Path(tempfile.mkdtemp(prefix="anncourse-pg-"))
        try:
            self._start(account)
        except BaseException:
            self.stop()
            raise
        return self.url

    def _start(self, account: pwd.struct_passwd | None) -> None:
        as_account = {}
        if account is not None:
            os.chown(self.folder, account.pw_uid, account.pw_gid)
            as_account = dict(user=account.pw_uid, group=account.pw_gid, extra_groups=[])
        password = secrets.token_urlsafe(24)
        pwfile = self.folder / "password"
        pwfile.write_text(password + "\n")
        pwfile.chmod(0o600)
        if account is not None:
            os.chown(pwfile, account.pw_uid, account.pw_gid)
        data = self.folder / "data"
        # scram-sha-256 for every connection: the server listens on a port any
        # local user can reach while it runs.
        try:
            init = subprocess.run(
                [self.bindir / "initdb", "-D", data, "-U", ROLE, f"--pwfile={pwfile}",
                 "--auth=scram-sha-256", "--encoding=UTF8", "--no-locale", "--no-sync"],
                cwd=self.folder, capture_output=True, text=True, stdin=subprocess.DEVNULL,
                timeout=120, **as_account)
        except (OSError, subprocess.TimeoutExpired) as err:
            raise PostgresUnavailable(f"initdb could not run: {err}") from None
        pwfile.unlink()
        if init.returncode != 0:
            raise PostgresUnavailable(f"initdb failed:\n{init.stdout}{init.stderr}")

        log_path = self.folder / "server.log"
        for _attempt in range(3):  # another process may take the free port first
            port = _free_port()
            with open(log_path, "ab") as log:
                if account is not None:
                    os.fchown(log.fileno(), account.pw_uid, account.pw_gid)
                try:
                    self._server = subprocess.Popen(
                        [self.bindir / "postgres", "-D", data, "-p", str(port),
                         "-c", "listen_addresses=127.0.0.1", "-c", f"unix_socket_directories={self.folder}",
                         # A throwaway cluster: losing it in a power cut loses nothing.
                         "-c", "fsync=off", "-c", "synchronous_commit=off", "-c", "full_page_writes=off"],
                        cwd=self.folder, stdin=subprocess.DEVNULL, stdout=log, stderr=subprocess.STDOUT,
                        **as_account)
                except OSError as err:
                    raise PostgresUnavailable(f"postgres could not run: {err}") from None
            url = f"postgresql+psycopg://{ROLE}:{password}@127.0.0.1:{port}"
            if self._wait_ready(url + "/postgres"):
                break
        else:
            tail = log_path.read_text(errors="replace")[-3000:]
            raise PostgresUnavailable(f"postgres did not start:\n{tail}")

        import psycopg

        with psycopg.connect(host="127.0.0.1", port=port, user=ROLE, password=password,
                             dbname="postgres", autocommit=True) as conn:
            conn.execute(f"CREATE DATABASE {DATABASE}")
        self.url = f"{url}/{DATABASE}"

    def _wait_ready(self, url: str) -> bool:
        """Whether the server accepts connections before it exits or times out."""
        import psycopg

        conninfo = url.replace("postgresql+psycopg://", "postgresql://")
        deadline = time.monotonic() + _START_TIMEOUT
        while time.monotonic() < deadline:
            if self._server.poll() is not None:
                self._server = None
                return False
            try:
                psycopg.connect(conninfo, connect_timeout=2).close()
                return True
            except psycopg.OperationalError:
                time.sleep(0.1)
        self._halt()
        return False

    def _halt(self) -> None:
        server, self._server = self._server, None
        if server is None or server.poll() is not None:
            return
        server.send_signal(2)  # SIGINT: PostgreSQL's "fast" shutdown
        try:
            server.wait(timeout=30)
        except subprocess.TimeoutExpired:
            server.kill()  # "immediate": the cluster is deleted next anyway
            server.wait(timeout=30)

    def stop(self) -> None:
        """Stop the server and delete the cluster; safe to call twice."""
        self._halt()
        if self.folder is not None:
            shutil.rmtree(self.folder, ignore_errors=True)
            self.folder = None
        self.url = None
