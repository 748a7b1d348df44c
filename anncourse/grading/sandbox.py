"""Run a learner's code in a separate, locked-down process.

The grader never runs a learner's function in its own process.  It starts a
:class:`Sandbox`: a fresh Python that sees only the standard library and
NumPy, holds nothing but the learner's code, and answers calls with plain
data (JSON numbers and lists).  The grader computes the expected values
itself and compares; nothing the learner's code does to its own process
(patching NumPy, hooks, exceptions, exits) reaches the comparison.

Isolation comes from what the operating system offers:

* bubblewrap (``bwrap``) gives the process its own empty file system, with
  only the interpreter, the standard library and NumPy mounted read-only and
  an empty ``/tmp``: no course folder, no gradebook, no other submission, no
  network.  When the grader runs as root the process also drops to the
  ``nobody`` user, so that the process limit below applies;
* ``setrlimit`` limits memory, CPU time, processes, file size and open files;
* a wall-clock timeout per call stops infinite loops, and the whole process
  tree is killed when the sandbox closes.

Without bubblewrap, ``isolation="require"`` (the grader's default) refuses to
run; ``"prefer"`` (the learner's self-check) runs with limits only and says so.
"""
from __future__ import annotations

import json
import os
import selectors
import signal
import subprocess
import time
import warnings
from pathlib import Path

import numpy as np

from .core import LearnerError
from .isolation import SITE as _SITE
from .isolation import command, interpreter, isolation_available, limits, private_site, with_fd3

__all__ = ["Sandbox", "SandboxUnavailable", "IsolationWarning", "isolation_available"]

_WORKER = (Path(__file__).with_name("_worker.py")).read_text()


class SandboxUnavailable(RuntimeError):
    """File-system isolation was required but cannot be had on this machine."""


class IsolationWarning(UserWarning):
    """The learner's code runs without file-system isolation."""


def _encode(value):
    if isinstance(value, np.ndarray):
        return {"__ndarray__": value.tolist(), "dtype": str(value.dtype)}
    if isinstance(value, np.generic):
        return value.item()
    if isinstance(value, tuple):
        return {"__tuple__": [_encode(v) for v in value]}
    if isinstance(value, list):
        return [_encode(v) for v in value]
    if value is None or isinstance(value, (bool, int, float, str)):
        return value
    raise TypeError(f"cannot send a {type(value).__name__} to the sandbox")


def _decode(value, depth=0):
    """Turn an answer back into Python values, trusting nothing about it."""
    if depth > 20:
        raise LearnerError("returned a value nested too deeply")
    if isinstance(value, dict):
        if set(value) == {"__ndarray__", "dtype"} and value["dtype"] in (
                "float64", "float32", "float16", "int64", "int32", "int16", "int8",
                "uint8", "uint16", "uint32", "uint64", "bool"):
            try:
                return np.array(value["__ndarray__"], dtype=value["dtype"])
            except (TypeError, ValueError):
                raise LearnerError("returned an array the grader cannot read") from None
        raise LearnerError("returned a value the grader cannot read")
    if isinstance(value, list):
        return [_decode(v, depth + 1) for v in value]
    if value is None or isinstance(value, (bool, int, float)):
        return value
    raise LearnerError(f"returned a {type(value).__name__}, not a number or an array of numbers")


class Sandbox:
    """A worker process holding a learner's code; call it like the function.

    Parameters
    ----------
    cells : list of str
        The learner's notebook code, cell by cell, run in order in one
        namespace (errors in a cell are recorded and the next cell runs).
    name : str
        The function to call.
    isolation : {"require", "prefer", "off"}
        Whether file-system isolation (bubblewrap) is required.
    timeout : float
        Seconds a single call may take.
    memory_mb, cpu_seconds : int
        Limits for the whole worker.

    Examples
    --------
    >>> with Sandbox(["def double(x):\\n    return 2 * x"], "double", isolation="prefer") as f:
    ...     f(21)
    42
    """

    def __init__(self, cells: list[str], name: str, *, isolation: str = "require",
                 timeout: float = 10.0, load_timeout: float = 60.0, memory_mb: int = 1024,
                 cpu_seconds: int = 120, max_answer_bytes: int = 64 * 2**20):
        if isolation not in ("require", "prefer", "off"):
            raise ValueError(f"isolation must be 'require', 'prefer' or 'off', not {isolation!r}")
        self.name = name
        self.timeout = timeout
        self.max_answer_bytes = max_answer_bytes
        self.load_errors: list[str] = []
        self.isolated = isolation != "off" and isolation_available()
        if isolation == "require" and not self.isolated:
            raise SandboxUnavailable(
                "grading needs bubblewrap (`bwrap`) to isolate learners' code from the file system, "
                "and it is missing or cannot create namespaces here. Install it (Debian/Ubuntu: "
                "apt-get install bubblewrap) or, knowing that submissions can then read and write "
                "your files, set ANNCOURSE_ISOLATION=prefer."
            )
        if isolation == "prefer" and not self.isolated:
            warnings.warn("bubblewrap is not available: running the code with resource limits "
                          "but without file-system isolation", IsolationWarning, stacklevel=2)
        argv = [interpreter(), "-I", "-S", "-c",
                f"import sys; sys.path.insert(0, {_SITE!r}); exec(compile({_WORKER!r}, "
                "'anncourse-worker', 'exec'))"]
        env = {"PATH": "/usr/bin:/bin", "HOME": "/tmp", "LANG": "C.UTF-8",
               "OPENBLAS_NUM_THREADS": "1", "OMP_NUM_THREADS": "1", "MKL_NUM_THREADS": "1"}
        if self.isolated:
            argv = command(argv)
        else:
            # Without bubblewrap the worker still must not import the
            # environment's packages: give it NumPy alone.
            self._site = private_site()
            argv[-1] = argv[-1].replace(repr(_SITE), repr(str(self._site)))
        read_fd, write_fd = os.pipe()
        os.set_inheritable(write_fd, True)
        try:
            self._proc = subprocess.Popen(
                argv, stdin=subprocess.PIPE, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL,
                pass_fds=(write_fd, 3), env=env, cwd="/tmp", start_new_session=True,
                preexec_fn=with_fd3(write_fd, limits(memory_mb, cpu_seconds)),
            )
        finally:
            os.close(write_fd)
        self._answers = read_fd
        self._buffer = b""
        reply = self._request({"op": "load", "cells": list(cells), "name": name}, load_timeout,
                              "loading your notebook's code")
        self.load_errors = reply.get("errors", [])
        if not reply.get("defined"):
            raise LearnerError(f"is not defined (no function called {name!r} after running "
                               "your notebook's code)" + _explain(self.load_errors))

    # -- the protocol --------------------------------------------------------
    def _request(self, message: dict, timeout: float, what: str) -> dict:
        try:
            self._proc.stdin.write((json.dumps(message) + "\n").encode())
            self._proc.stdin.flush()
        except (BrokenPipeError, OSError):
            raise LearnerError(self._death(what)) from None
        line = self._read_line(timeout, what)
        try:
            reply = json.loads(line)
        except ValueError:
            raise LearnerError(f"produced an answer the grader cannot read while {what}") from None
        if not isinstance(reply, dict):
            raise LearnerError(f"produced an answer the grader cannot read while {what}")
        if not reply.get("ok"):
            raise LearnerError(str(reply.get("error", "failed"))[:2000])
        return reply

    def _read_line(self, timeout: float, what: str) -> bytes:
        deadline = time.monotonic() + timeout
        sel = selectors.DefaultSelector()
        sel.register(self._answers, selectors.EVENT_READ)
        try:
            while b"\n" not in self._buffer:
                left = deadline - time.monotonic()
                if left <= 0 or not sel.select(left):
                    self.close()
                    raise LearnerError(f"did not finish within {timeout:g} s while {what} "
                                       "(an infinite loop?); it was stopped")
                chunk = os.read(self._answers, 1 << 20)
                if not chunk:
                    raise LearnerError(self._death(what))
                self._buffer += chunk
                if len(self._buffer) > self.max_answer_bytes:
                    self.close()
                    raise LearnerError(f"produced more than {self.max_answer_bytes >> 20} MB "
                                       f"while {what}; it was stopped")
        finally:
            sel.close()
        line, _, self._buffer = self._buffer.partition(b"\n")
        return line

    def _death(self, what: str) -> str:
        try:
            code = self._proc.wait(timeout=5)
        except subprocess.TimeoutExpired:
            code = None
        self.close()
        if code is not None and code < 0:
            sig = signal.Signals(-code).name
            why = {"SIGKILL": "killed (out of memory or time?)", "SIGXCPU": "out of CPU time",
                   "SIGSEGV": "crashed", "SIGABRT": "aborted"}.get(sig, sig)
            return f"ended the process running it ({why}) while {what}"
        return (f"ended the process running it (exit code {code}: os._exit, a memory limit or a "
                f"crash?) while {what}")

    def __call__(self, *args, **kwargs):
        reply = self._request({"op": "call", "args": [_encode(a) for a in args],
                               "kwargs": {k: _encode(v) for k, v in kwargs.items()}},
                              self.timeout, f"calling {self.name}")
        return _decode(reply.get("result"))

    def close(self) -> None:
        proc = getattr(self, "_proc", None)
        if proc is None:
            return
        if proc.poll() is None:
            try:
                os.killpg(proc.pid, signal.SIGKILL)
            except (ProcessLookupError, PermissionError):
                proc.kill()
        try:
            proc.wait(timeout=10)
        except subprocess.TimeoutExpired:
            pass
        try:
            proc.stdin.close()
        except OSError:
            pass
        if self._answers is not None:
            os.close(self._answers)
            self._answers = None
        self._proc = None

    def __enter__(self):
        return self

    def __exit__(self, *exc):
        self.close()

    def __del__(self):
        self.close()


_NOT_ALLOWED = ("anncourse", "torch", "sklearn", "scipy", "tensorflow", "jax", "pandas")


def _explain(errors: list[str]) -> str:
    """Why the learner's cells failed to load, with the course rule on imports."""
    if not errors:
        return ""
    text = "; errors while running your cells: " + " | ".join(e[:300] for e in errors[:5])
    if any("No module named" in e and any(m in e for m in _NOT_ALLOWED) for e in errors):
        text += (" (graded solutions may use numpy and math only: the reference implementation "
                 "in anncourse and other libraries are not available when grading)")
    return text


