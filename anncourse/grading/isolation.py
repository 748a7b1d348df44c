"""The operating system's part of the sandbox: what the worker process can see and use.

:func:`command` wraps the worker's command line in bubblewrap so that the
process sees an almost empty file system, and :func:`limits` gives the
``setrlimit`` calls applied before it starts.  :mod:`.sandbox` speaks the
protocol with the process; this module only decides what surrounds it.
"""
from __future__ import annotations

import functools
import os
import resource
import shutil
import subprocess
import sys
from pathlib import Path

import numpy as np

__all__ = ["SITE", "command", "isolation_available", "interpreter", "limits", "private_site",
           "with_fd3"]

SITE = "/sandbox/site"
_SITE = SITE
_NOBODY = 65534


def _bwrap() -> str | None:
    return shutil.which("bwrap")


@functools.cache
def isolation_available() -> bool:
    """Whether bubblewrap is installed and can start a sandbox here."""
    if not _bwrap() or os.environ.get("ANNCOURSE_SANDBOX") == "none":
        return False
    try:
        cmd = command(["/bin/true"] if Path("/bin/true").exists() else ["true"])
        return subprocess.run(cmd, capture_output=True, timeout=30,
                              preexec_fn=limits(64, 10)).returncode == 0
    except (OSError, subprocess.SubprocessError):
        return False


def interpreter() -> str:
    # The base interpreter, not the virtual environment's: the sandbox must not
    # see the environment's site-packages (anncourse, torch, scikit-learn...).
    return os.path.realpath(getattr(sys, "_base_executable", sys.executable))


def command(argv: list[str]) -> list[str]:
    """``argv`` wrapped in bubblewrap, seeing only Python and NumPy.

    As root, the sandbox runs as ``nobody`` so that the process limit holds
    (the kernel does not apply it to root).  ``nobody`` may not be able to
    reach the interpreter (under /root, say), so a private mount namespace
    first stages the folders on a tmpfs that ``nobody`` can traverse.
    """
    numpy_dir = Path(np.__file__).resolve().parent
    numpy_libs = numpy_dir.parent / "numpy.libs"
    base = Path(sys.base_prefix).resolve()
    mounts = [(base, str(base)), (numpy_dir, f"{_SITE}/numpy")]
    if numpy_libs.is_dir():
        mounts.append((numpy_libs, f"{_SITE}/numpy.libs"))
    interp = Path(interpreter())
    if not interp.is_relative_to(base):
        mounts.append((interp, str(interp)))
    as_root = os.geteuid() == 0 and shutil.which("setpriv") and shutil.which("unshare")
    stage = "/mnt" if Path("/mnt").is_dir() else "/tmp"
    cmd = [_bwrap(), "--unshare-all", "--die-with-parent", "--new-session",
           "--ro-bind", "/usr", "/usr",
           "--ro-bind-try", "/lib", "/lib", "--ro-bind-try", "/lib64", "/lib64",
           "--ro-bind-try", "/bin", "/bin",
           "--proc", "/proc", "--dev", "/dev", "--tmpfs", "/tmp", "--chdir", "/tmp"]
    for i, (src, dest) in enumerate(mounts):
        cmd += ["--ro-bind", f"{stage}/{i}" if as_root else str(src), dest]
    cmd += ["--"] + argv
    if not as_root:
        return cmd
    script = [f"mount -t tmpfs -o mode=0755 anncourse {stage}"]
    for i in range(len(mounts)):
        script.append(f'{"touch" if mounts[i][0].is_file() else "mkdir"} {stage}/{i} '
                      f'&& mount --bind "${i + 1}" {stage}/{i}')
    script.append(f"shift {len(mounts)}")
    script.append(f'exec setpriv --reuid={_NOBODY} --regid={_NOBODY} --clear-groups "$@"')
    return (["unshare", "--mount", "--propagation", "private", "--", "/bin/sh", "-ec",
             " && ".join(script[:-2]) + "\n" + "\n".join(script[-2:]), "sh"]
            + [str(src) for src, _ in mounts] + cmd)


def _own_process_count() -> int:
    uid = _NOBODY if os.geteuid() == 0 else os.getuid()
    count = 0
    for status in Path("/proc").glob("[0-9]*/status"):
        try:
            for line in status.read_text().splitlines():
                if line.startswith("Uid:"):
                    count += int(line.split()[1]) == uid
                    break
        except OSError:
            continue
    return count


def limits(memory_mb: int, cpu_seconds: int, extra_processes: int = 32):
    nproc = _own_process_count() + extra_processes

    def apply():
        resource.setrlimit(resource.RLIMIT_AS, (memory_mb * 2**20, memory_mb * 2**20))
        resource.setrlimit(resource.RLIMIT_CPU, (cpu_seconds, cpu_seconds + 1))
        resource.setrlimit(resource.RLIMIT_NPROC, (nproc, nproc))
        resource.setrlimit(resource.RLIMIT_FSIZE, (16 * 2**20, 16 * 2**20))
        resource.setrlimit(resource.RLIMIT_NOFILE, (256, 256))
        resource.setrlimit(resource.RLIMIT_CORE, (0, 0))

    return apply


def with_fd3(fd: int, then):
    def prepare():
        # The worker answers on fd 3, whatever number the pipe got here.
        if fd != 3:
            os.dup2(fd, 3)
        then()

    return prepare


_PRIVATE_SITE: Path | None = None


def private_site() -> Path:
    """A folder holding only (links to) NumPy, for the unisolated fallback."""
    global _PRIVATE_SITE
    if _PRIVATE_SITE is None:
        import tempfile

        site = Path(tempfile.mkdtemp(prefix="anncourse-site-"))
        numpy_dir = Path(np.__file__).resolve().parent
        (site / "numpy").symlink_to(numpy_dir)
        if (numpy_dir.parent / "numpy.libs").is_dir():
            (site / "numpy.libs").symlink_to(numpy_dir.parent / "numpy.libs")
        _PRIVATE_SITE = site
    return _PRIVATE_SITE
