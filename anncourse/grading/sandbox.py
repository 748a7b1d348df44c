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
from .isolation import interpreter, isolation_available, private_site, spawn

__all__ = ["Sandbox", "SandboxUnavailable", "IsolationWarning", "isolation_available"]

_WORKER = (Path(__file__).with_name("_worker.py")).read_text()


class SandboxUnavailable(RuntimeError):
    """File-system isolation was required but cannot be had on this machine."""


class IsolationWarning(UserWarning):
    """The learner's code runs without file-system isolation."""


# The largest answer line the grader reads.  Answers are a few numbers or
# arrays; 16 MB of JSON is ~1.5 million numbers, far beyond any exercise, and
# keeps the grader's own memory bounded whatever a submission sends.
MAX_ANSWER_BYTES = 16 * 2**20
_DTYPES = ("float64", "float32", "float16", "int64", "int32", "int16", "int8",
           "uint8", "uint16", "uint32", "uint64", "bool")


def _encode(value):
    if isinstance(value, np.ndarray):
        return {"__ndarray__": value.tolist(), "dtype": str(value.dtype), "shape": list(value.shape)}
    if isinstance(value, np.generic):
        return value.item()
    if isinstance(value, tuple):
        return {"__tuple__": [_encode(v) for v in value]}
    if isinstance(value, list):
        return [_encode(v) for v in value]
    if isinstance(value, dict):
        return {"__dict__": {str(k): _encode(v) for k, v in value.items()}}
    if value is None or isinstance(value, (bool, int, float, str)):
        return value
    raise TypeError(f"cannot send a {type(value).__name__} to the sandbox")


def _decode(value, depth=0):
    """Turn an answer back into Python values, trusting nothing about it."""
    if depth > 20:
        raise LearnerError("returned a value nested too deeply")
    if isinstance(value, dict):
        if set(value) == {"__ndarray__", "dtype", "shape"} and value["dtype"] in _DTYPES:
            shape = value["shape"]
            if not (isinstance(shape, list) and len(shape) <= 32
                    and all(type(n) is int and 0 <= n for n in shape)):
                raise LearnerError("returned an array the grader cannot read")
            try:
                arr = np.array(value["__ndarray__"], dtype=value["dtype"])
            except (TypeError, ValueError, OverflowError):
                raise LearnerError("returned an array the grader cannot read") from None
            if arr.dtype == object or list(arr.shape) != shape:
                raise LearnerError("returned an array the grader cannot read")
            return arr
        if set(value) == {"__seq__", "tuple"} and isinstance(value["__seq__"], list):
            items = [_decode(v, depth + 1) for v in value["__seq__"]]
            return tuple(items) if value["tuple"] is True else items
        if set(value) == {"__dict__"} and isinstance(value["__dict__"], dict):
            return {str(k): _decode(v, depth + 1) for k, v in value["__dict__"].items()}
        raise LearnerError("returned a value the grader cannot read")
    if isinstance(value, list):
        return [_decode(v, depth + 1) for v in value]
    if value is None or isinstance(value, (bool, float)):
        return value
    if isinstance(value, str):
        if len(value) > 10_000:
            raise LearnerError("returned a string far longer than any answer needs")
        return value
    if isinstance(value, int):
        if abs(value) >= 2**1023:
            raise LearnerError("returned an integer too large to be a number of this exercise")
        return value
    raise LearnerError(f"returned a {type(value).__name__}, not a number or an array of numbers")


def _describe_mutation(mutated, what: str) -> str | None:
    if not mutated:
        return None
    where = ", ".join(f"argument {m + 1}" if isinstance(m, int) else f"argument {m}="
                      for m in mutated[:5])
    return (f"changed its input in place ({where}) while {what}: the caller's array is not "
            "the same after the call. Work on a copy (np.array(x, dtype=float) or x.copy()) "
            "instead of modifying the argument")


class Remote:
    """One of the learner's functions or classes, as it was at one test cell.

    Calling it calls the learner's object in the sandbox; :meth:`drive` runs a
    trusted driver (a scenario) on it there.  Either way only data comes back.
    """

    def __init__(self, sandbox: "Sandbox", snapshot: str, name: str,
                 allow_mutation: bool = False):
        self.sandbox, self.snapshot, self.name = sandbox, snapshot, name
        self.allow_mutation = allow_mutation
        self.__name__ = name

    def _call(self, args, kwargs, driver=None):
        what = f"calling {self.name}" if driver is None else f"running a scenario on {self.name}"
        message = {"op": "call", "target": [self.snapshot, self.name],
                   "args": [_encode(a) for a in args],
                   "kwargs": {k: _encode(v) for k, v in kwargs.items()}, "driver": driver}
        reply = self.sandbox._request(message, self.sandbox.timeout, what)
        mutated = reply.get("mutated") or []
        if not isinstance(mutated, list):
            mutated = []
        if not self.allow_mutation and (problem := _describe_mutation(mutated, what)):
            raise LearnerError(problem)
        return _decode(reply.get("result"))

    def __call__(self, *args, **kwargs):
        return self._call(args, kwargs)

    def drive(self, driver, *args, **kwargs):
        """Run ``driver(learner_object, *args, **kwargs)`` in the sandbox."""
        import inspect
        import textwrap

        source = textwrap.dedent(inspect.getsource(driver))
        return self._call(args, kwargs, {"source": source, "name": driver.__name__})


class Sandbox:
    """A worker process holding a learner's code.

    Parameters
    ----------
    cells : list of str or dict
        The learner's notebook code, cell by cell, run in order in one
        namespace (errors in a statement are recorded and the next one runs).
        A dict ``{"source": ..., "mode": "definitions"}`` runs only the
        cell's imports, functions, classes and constants.
    name : str, optional
        With one name, the sandbox itself calls that function (the simple
        form, see the example).
    snapshots : list of dict, optional
        ``{"after": k, "id": sid, "names": [...]}``: note what the names are
        bound to once cell ``k`` has run; :meth:`function` returns them.
    isolation : {"require", "prefer", "off"}
        Whether file-system isolation (bubblewrap) is required.
    timeout : float
        Seconds a single call may take.
    deadline : float, optional
        A :func:`time.monotonic` time after which nothing more runs: the time
        budget of the whole submission.
    memory_mb, cpu_seconds : int
        Limits for the whole worker.
    packages : tuple of str
        Extra packages the worker may import (``("torch",)``).

    Examples
    --------
    >>> with Sandbox(["def double(x):\\n    return 2 * x"], "double", isolation="prefer") as f:
    ...     f(21)
    42
    """

    def __init__(self, cells, name: str | None = None, *, snapshots=None,
                 isolation: str = "require", timeout: float = 10.0, load_timeout: float = 60.0,
                 memory_mb: int = 1024, cpu_seconds: int = 120, deadline: float | None = None,
                 packages: tuple = (), max_answer_bytes: int = MAX_ANSWER_BYTES):
        if isolation not in ("require", "prefer", "off"):
            raise ValueError(f"isolation must be 'require', 'prefer' or 'off', not {isolation!r}")
        self.name = name
        self.timeout = timeout
        self.deadline = deadline
        self.max_answer_bytes = max_answer_bytes
        self.load_errors: list[str] = []
        self.snapshots: dict = {}
        self._proc = None
        self._answers = None
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
        cells = [c if isinstance(c, dict) else {"source": c, "mode": "all"} for c in cells]
        if snapshots is None:
            snapshots = [{"after": len(cells) - 1, "id": "main", "names": [name]}] if name else []
        argv = [interpreter(), "-I", "-S", "-c",
                f"import sys; sys.path.insert(0, {_SITE!r}); exec(compile({_WORKER!r}, "
                "'anncourse-worker', 'exec'))"]
        env = {"PATH": "/usr/bin:/bin", "HOME": "/tmp", "LANG": "C.UTF-8",
               "OPENBLAS_NUM_THREADS": "1", "OMP_NUM_THREADS": "1", "MKL_NUM_THREADS": "1"}
        if not self.isolated:
            # Without bubblewrap the worker still must not import the
            # environment's packages: give it NumPy (and what it declares) alone.
            site = private_site(packages) if packages else private_site()
            argv[-1] = argv[-1].replace(repr(_SITE), repr(str(site)))
        read_fd, write_fd = os.pipe()
        try:
            self._proc = spawn(argv, answer_fd=write_fd, memory_mb=memory_mb,
                               cpu_seconds=cpu_seconds, isolated=self.isolated,
                               packages=packages, stdin=subprocess.PIPE,
                               stderr=subprocess.DEVNULL, env=env, cwd="/tmp")
        except BaseException:
            os.close(read_fd)
            raise
        finally:
            os.close(write_fd)
        self._answers = read_fd
        self._buffer = bytearray()
        reply = self._request({"op": "load", "cells": cells, "snapshots": snapshots},
                              load_timeout, "loading your notebook's code")
        errors = reply.get("errors", [])
        self.load_errors = [str(e)[:500] for e in errors[:50]] if isinstance(errors, list) else []
        snaps = reply.get("snapshots")
        self.snapshots = snaps if isinstance(snaps, dict) else {}
        if name and not self.defined("main", name):
            raise LearnerError(f"is not defined (no function called {name!r} after running "
                               "your notebook's code)" + _explain(self.load_errors))

    @property
    def alive(self) -> bool:
        return self._proc is not None and self._proc.poll() is None

    def info(self, snapshot: str, name: str) -> dict:
        """What the worker says ``name`` was bound to at ``snapshot`` (untrusted)."""
        found = self.snapshots.get(snapshot, {})
        found = found.get(name) if isinstance(found, dict) else None
        return found if isinstance(found, dict) else {}

    def defined(self, snapshot: str, name: str) -> bool:
        info = self.info(snapshot, name)
        return bool(info.get("defined")) and bool(info.get("callable"))

    def function(self, snapshot: str, name: str, *, allow_mutation: bool = False) -> Remote:
        return Remote(self, snapshot, name, allow_mutation)

    # -- the protocol --------------------------------------------------------
    def _timeout(self, timeout: float) -> tuple[float, bool]:
        if self.deadline is None:
            return timeout, False
        left = self.deadline - time.monotonic()
        return (max(left, 0.0), True) if left < timeout else (timeout, False)

    def _request(self, message: dict, timeout: float, what: str) -> dict:
        import secrets

        if not self.alive:
            raise LearnerError(f"could not be run while {what}: the process holding your code "
                               "has already ended")
        timeout, by_budget = self._timeout(timeout)
        if timeout <= 0:
            self.close()
            raise LearnerError(f"was not run while {what}: the time budget for grading this "
                               "notebook was used up by earlier exercises")
        message = dict(message, id=secrets.token_hex(8))
        try:
            self._proc.stdin.write((json.dumps(message) + "\n").encode())
            self._proc.stdin.flush()
        except (BrokenPipeError, OSError):
            raise LearnerError(self._death(what)) from None
        deadline = time.monotonic() + timeout
        while True:
            line = self._read_line(deadline, timeout, what, by_budget)
            try:
                reply = json.loads(line)
            except (ValueError, RecursionError, MemoryError):
                continue  # not an answer: something the learner's code wrote
            # Only the answer to this request counts; forged lines are skipped.
            if isinstance(reply, dict) and reply.get("id") == message["id"]:
                break
        if not reply.get("ok"):
            raise LearnerError(str(reply.get("error", "failed"))[:2000])
        return reply

    def _read_line(self, deadline: float, timeout: float, what: str, by_budget: bool) -> bytes:
        sel = selectors.DefaultSelector()
        sel.register(self._answers, selectors.EVENT_READ)
        try:
            while (end := self._buffer.find(b"\n")) < 0:
                left = deadline - time.monotonic()
                if left <= 0 or not sel.select(left):
                    self.close()
                    if by_budget:
                        raise LearnerError(f"was stopped while {what}: the time budget for "
                                           "grading this notebook ran out")
                    raise LearnerError(f"did not finish within {timeout:g} s while {what} "
                                       "(an infinite loop?); it was stopped")
                chunk = os.read(self._answers, 1 << 20)
                if not chunk:
                    raise LearnerError(self._death(what))
                self._buffer += chunk
                if len(self._buffer) > self.max_answer_bytes:
                    self.close()
                    raise LearnerError(f"produced an answer larger than "
                                       f"{self.max_answer_bytes >> 20} MB while {what}; "
                                       "it was stopped")
        finally:
            sel.close()
        line = bytes(self._buffer[:end])
        del self._buffer[:end + 1]
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
        return self.function("main", self.name)(*args, **kwargs)

    def close(self) -> None:
        proc = getattr(self, "_proc", None)
        if proc is not None:
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
            self._proc = None
        if getattr(self, "_answers", None) is not None:
            os.close(self._answers)
            self._answers = None

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


