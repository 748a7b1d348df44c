"""Grading a notebook: what :class:`~anncourse.grading.autograde.TrustedGrades` and the self-check share.

This module needs neither nbgrader nor a kernel, so ``anncourse check`` works
on a plain install.  See :mod:`anncourse.grading.autograde` for how it plugs
into nbgrader.

Grading that a submission cannot talk its way around.

nbgrader's usual autograding runs the learner's notebook, hidden tests
included, in one kernel and trusts what the test cells print: a submission
that patches ``np.allclose``, hooks IPython or reads the instructor's files
gets full marks.  This module replaces that step.  :func:`grade_notebook`:

1. reads which exercises each graded test cell checks from the instructor's
   own source of the cell (nbgrader restores it from the gradebook before
   grading), never from what the learner's notebook says;
2. starts one :class:`~anncourse.grading.sandbox.Sandbox` for the notebook,
   isolated from the file system, and loads the learner's code once: the
   answer cells whole, and from every other cell only its imports,
   functions, classes and constants (so plots, prints and training runs in
   teaching cells cost nothing and cannot break a correct answer);
3. for each test cell, takes each exercise's function as it was bound when
   the notebook reached that cell, runs the exercise's visible and hidden
   checks here, in the grader, and calls the learner's function through the
   sandbox, which only ever returns data;
4. scores each exercise by the weighted share of its checks that pass.

:class:`TrustedGrades`, an nbgrader preprocessor, writes the verdicts as the
test cells' outputs, which nbgrader's ``SaveAutoGrades`` turns into points
(an error output scores 0, a number is partial credit).  A whole submission
has a time budget; nothing a submission contains makes the grader raise.
An answer that looks like a copy of the reference implementation is not
zeroed silently: it scores 0 for now and :class:`FlagForReview` marks it for
the instructor's review in the gradebook (formgrader lists it as needing
manual grading, where the instructor can give the points back).
"""
from __future__ import annotations

import ast
import hashlib
import hmac
import os
import re
import secrets
import tempfile
import time
from dataclasses import dataclass, field
from pathlib import Path

from .core import LearnerError, assess
from .properties import salted
from .sandbox import Sandbox, _explain
from .specs import get_exercise

__all__ = ["CellGrade", "checks_in", "copies_reference", "course_secret", "grade_notebook",
           "learner_cells", "submission_salt"]

_HIDDEN = re.compile(r"^[ \t]*### BEGIN HIDDEN TESTS.*?### END HIDDEN TESTS[ \t]*\n?", re.S | re.M)

# Limits on what the grader itself reads of a submission, so that its own
# memory stays bounded (README, "Limits"): a cell larger than this is not
# loaded (an answer cell is a few KB; data pasted into a cell is refused with
# a message), and copy detection parses at most this much of one cell.
MAX_CELL_BYTES = 256 * 1024
MAX_NOTEBOOK_CODE_BYTES = 2 * 2**20
MAX_PARSE_BYTES = 64 * 1024
# A submission's whole grading, load and every call, must end within this.
TIME_BUDGET = 60.0
# An exercise whose reference is smaller than this (in AST nodes, names and
# strings abstracted) is too short for two independent answers to differ:
# copies of it are not looked for.
MIN_COPY_NODES = 40


def checks_in(source: str) -> list[tuple[str, bool]]:
    """The ``(exercise key, hidden)`` pairs a test cell's source asks for.

    Only literal calls ``check(<name>, "<key>"[, hidden=True])`` count.
    """
    try:
        tree = ast.parse(source[:MAX_CELL_BYTES])
    except (SyntaxError, ValueError, RecursionError, MemoryError):
        return []
    found = []
    for node in ast.walk(tree):
        if (isinstance(node, ast.Call) and isinstance(node.func, ast.Name)
                and node.func.id == "check" and len(node.args) >= 2
                and isinstance(node.args[1], ast.Constant) and isinstance(node.args[1].value, str)):
            hidden = any(k.arg == "hidden" and isinstance(k.value, ast.Constant) and k.value.value
                         for k in node.keywords)
            found.append((node.args[1].value, bool(hidden)))
    return found


# --- the learner's code -----------------------------------------------------

def _meta(cell) -> dict:
    meta = cell.get("metadata", {}).get("nbgrader", {})
    return meta if isinstance(meta, dict) else {}


def _is_test_cell(cell) -> bool:
    meta = _meta(cell)
    return cell.get("cell_type") == "code" and bool(meta.get("grade")) and not meta.get("solution")


def _is_answer_cell(cell) -> bool:
    return bool(_meta(cell).get("solution"))


def to_python(source: str) -> str:
    """A cell's source as plain Python, IPython syntax turned into calls.

    ``np.clip?`` becomes ``get_ipython().run_line_magic('pinfo', ...)`` and
    ``x = !ls`` becomes ``x = get_ipython().getoutput('ls')``: IPython's own
    transformer does it, and the worker's ``get_ipython()`` does nothing.
    """
    try:
        from IPython.core.inputtransformer2 import TransformerManager
    except ImportError:  # a plain install without IPython: drop magic lines
        return "\n".join("" if line.lstrip().startswith(("%", "!")) else line
                         for line in source.splitlines())
    try:
        return TransformerManager().transform_cell(source)
    except Exception:  # noqa: BLE001 - a cell IPython cannot read runs as it is
        return source


def learner_cells(nb) -> tuple[list[dict], dict[int, int], list[str]]:
    """What the sandbox loads: every code cell but the test cells, in order.

    Returns the cells (``{"source", "mode"}``), a map from notebook index to
    position in that list, and notes about cells that were not loaded.
    """
    cells, where, notes, total = [], {}, [], 0
    for index, cell in enumerate(nb.cells):
        if cell.get("cell_type") != "code" or _is_test_cell(cell):
            continue
        source = cell.get("source", "")
        if not isinstance(source, str):
            source = "".join(source) if isinstance(source, list) else ""
        size = len(source.encode("utf-8", "replace"))
        if size > MAX_CELL_BYTES or total + size > MAX_NOTEBOOK_CODE_BYTES:
            notes.append(f"cell {len(cells)} was not loaded: it holds {size // 1024} KB of code, "
                         f"more than the {MAX_CELL_BYTES // 1024} KB a cell may hold at grading "
                         "(data does not belong in code cells)")
            source = ""
        total += size
        where[index] = len(cells)
        cells.append({"source": to_python(source),
                      "mode": "all" if _is_answer_cell(cell) else "definitions"})
    return cells, where, notes


# --- copies of the reference ------------------------------------------------

def _canonical(node: ast.AST) -> str:
    """A dump of a function's code with docstrings, names and strings abstracted away."""
    names: dict[str, str] = {}

    class Rename(ast.NodeTransformer):
        def visit_Name(self, n):
            n.id = names.setdefault(n.id, f"v{len(names)}")
            return n

        def visit_Constant(self, n):
            # Messages and names in strings are as easy to reword as variables.
            if isinstance(n.value, str):
                n.value = ""
            return n

        def visit_arg(self, n):
            n.arg = names.setdefault(n.arg, f"v{len(names)}")
            n.annotation = None
            return n

        def visit_Expr(self, n):
            # Bare constants (docstrings, `...`) and `pass` change nothing.
            return None if isinstance(n.value, ast.Constant) else self.generic_visit(n)

        def visit_Pass(self, n):
            return None

    node = Rename().visit(node)
    body = getattr(node, "body", [])
    if not isinstance(body, list):
        body = [body]
    return ast.dump(ast.Module(body=body, type_ignores=[]), annotate_fields=False)


def _called_names(node: ast.AST) -> list[str]:
    seen = []
    for sub in ast.walk(node):
        if isinstance(sub, ast.Call) and isinstance(sub.func, ast.Name) and sub.func.id not in seen:
            seen.append(sub.func.id)
    return seen


def _closure(func_node, defs: dict) -> list:
    """The function and the helpers it calls (by name, among ``defs``), three levels deep."""
    nodes, queue, seen = [func_node], [func_node], {getattr(func_node, "name", "")}
    for _ in range(3):
        nxt = []
        for node in queue:
            for name in _called_names(node):
                if name in defs and name not in seen:
                    seen.add(name)
                    nodes.append(defs[name])
                    nxt.append(defs[name])
        queue = nxt
    return nodes


def _reference_closure(reference) -> list | None:
    """The reference's code and the anncourse helpers it calls, wherever they live."""
    import inspect
    import textwrap

    nodes, queue, seen = [], [reference], set()
    for _ in range(4):
        nxt = []
        for func in queue:
            if id(func) in seen:
                continue
            seen.add(id(func))
            try:
                node = ast.parse(textwrap.dedent(inspect.getsource(func))).body[0]
            except (OSError, TypeError, SyntaxError, IndexError):
                return None if func is reference else nodes
            nodes.append(node)
            scope = getattr(func, "__globals__", {})
            for name in _called_names(node):
                helper = scope.get(name)
                if inspect.isfunction(helper) and str(getattr(helper, "__module__", "")).startswith(
                        "anncourse"):
                    nxt.append(helper)
        queue = nxt
    return nodes


def _module_level_defs(tree: ast.Module) -> list:
    """Functions and classes a cell defines at module level, inside blocks too."""
    found, stack = [], list(tree.body)
    while stack:
        node = stack.pop(0)
        if isinstance(node, (ast.FunctionDef, ast.AsyncFunctionDef, ast.ClassDef)):
            found.append(node)
            continue
        for attr in ("body", "orelse", "finalbody", "handlers"):
            stack.extend(n for n in getattr(node, attr, []) if isinstance(n, ast.AST))
    return found


def _size(nodes) -> int:
    return sum(1 for n in nodes for _ in ast.walk(n))


def copies_reference(cells, name: str, reference, origin=None) -> bool:
    """Whether the learner's ``name`` is the reference's code, helpers included.

    ``origin`` is ``(cell position, line)`` of the function the name was
    bound to at the end of the learner's code (reported by the sandbox);
    without it, the last top-level definition of ``name`` is used.  Names,
    strings, docstrings, ``pass`` and bare ``...`` are abstracted away; a
    short reference is never matched (two honest answers can be the same).
    """
    if reference is None:
        return False
    ref_nodes = _reference_closure(reference)
    if not ref_nodes or _size(ref_nodes) < MIN_COPY_NODES:
        return False
    sources = [c["source"] if isinstance(c, dict) else c for c in cells]
    trees = []
    for source in sources:
        if len(source) > MAX_PARSE_BYTES:
            trees.append(None)
            continue
        try:
            trees.append(ast.parse(source if isinstance(source, str) else ""))
        except (SyntaxError, ValueError, RecursionError, MemoryError):
            trees.append(None)
    defs, target = {}, None
    for tree in trees:
        if tree is not None:
            for node in _module_level_defs(tree):
                defs[node.name] = node
                if node.name == name and origin is None:
                    target = node
    if origin is not None:
        position, line = origin
        tree = trees[position] if 0 <= position < len(trees) else None
        if tree is not None:
            for node in ast.walk(tree):
                if isinstance(node, (ast.FunctionDef, ast.AsyncFunctionDef, ast.Lambda)) and (
                        node.lineno == line
                        or any(d.lineno == line for d in getattr(node, "decorator_list", []))):
                    target = node
                    break
    if target is None:
        return False
    try:
        learner = sorted(_canonical(n) for n in _closure(target, defs))
        expected = sorted(_canonical(n) for n in ref_nodes)
    except (RecursionError, MemoryError):
        return False
    return learner == expected


# --- grading a notebook -----------------------------------------------------

@dataclass
class CellGrade:
    """The grade of one test cell."""

    index: int
    grade_id: str
    points: float
    fraction: float
    messages: list = field(default_factory=list)
    review: str | None = None

    @property
    def text(self) -> str:
        return "\n".join(self.messages)

    @property
    def earned(self) -> float:
        return round(self.points * self.fraction, 6)


def _verdict_lines(assessment, hidden: bool) -> list[str]:
    lines = []
    if assessment.first_failure:
        lines.append("  " + assessment.first_failure.replace("\n", "\n  "))
    if hidden:
        for v in assessment.verdicts:
            if v.hidden:
                lines.append(f"  hidden check: {v.label}: "
                             + ("passed" if v.passed else
                                "FAILED" + (v.message[len(v.label):] if v.message else "")))
    return lines


def _exercise_message(ex, assessment, hidden: bool) -> str:
    n = len(assessment.verdicts)
    good = sum(v.passed for v in assessment.verdicts)
    if assessment.passed:
        if hidden:
            return "\n".join([f"{ex.function_name}: passed all {n} checks."]
                             + _verdict_lines(assessment, hidden))
        more = f"; {len(ex.hidden)} more checks at grading" if ex.hidden else ""
        return f"{ex.function_name}: {len(ex.visible)} visible checks passed{more}."
    head = f"{ex.function_name}: FAILED {n - good} of {n} checks"
    if good == 0 and "not written yet" in (assessment.first_failure or ""):
        hidden = False  # every hidden check says the same
    return "\n".join([head + ":"] + _verdict_lines(assessment, hidden))


class _Runner:
    """One sandbox per notebook (and per set of extra packages), restarted if it dies."""

    def __init__(self, cells, snapshots, *, isolation, timeout, memory_mb, deadline):
        self.cells, self.snapshots = cells, snapshots
        self.options = dict(isolation=isolation, timeout=timeout, deadline=deadline)
        self.memory_mb = memory_mb
        self.boxes: dict[tuple, Sandbox] = {}
        self.deadline = deadline

    def sandbox(self, packages: tuple) -> Sandbox:
        box = self.boxes.get(packages)
        if box is not None and box.alive:
            return box
        if box is not None:
            box.close()
        left = self.deadline - time.monotonic()
        if left <= 0:
            raise LearnerError("was not run: the time budget for grading this notebook was used "
                               "up by earlier exercises")
        memory = self.memory_mb
        if packages:
            from . import isolation

            memory = max(memory, getattr(isolation, "TORCH_MEMORY_MB", 4096))
        box = Sandbox(self.cells, snapshots=self.snapshots, load_timeout=min(30.0, left),
                      memory_mb=memory, packages=packages, **self.options)
        self.boxes[packages] = box
        return box

    def close(self):
        for box in self.boxes.values():
            box.close()


def grade_notebook(nb, *, hidden: bool | str = "cell", isolation: str = "require",
                   timeout: float = 10.0, memory_mb: int = 1024,
                   time_budget: float = TIME_BUDGET, salt: int | None = None,
                   test_sources: dict | None = None) -> list[CellGrade]:
    """Grade every test cell of ``nb``; never raises because of what ``nb`` holds.

    Parameters
    ----------
    nb : NotebookNode
        The learner's notebook.
    hidden : {"cell", True, False}
        Run the hidden checks: where the test cell asks for them (``"cell"``,
        the grader, which reads the instructor's cell), for every exercise
        (``True``, the learner's self-check on a released notebook), or not.
    isolation, timeout, memory_mb
        Passed to :class:`~anncourse.grading.sandbox.Sandbox`.
    time_budget : float
        Seconds the whole notebook may take, loading included.
    salt : int, optional
        The salt of the hidden inputs (see :func:`submission_salt`).
    test_sources : dict, optional
        ``{cell index: source}`` to read the checks from instead of the
        cells' own source (the grader passes the instructor's).
    """
    deadline = time.monotonic() + time_budget
    cells, where, notes = learner_cells(nb)
    tests = []
    for index, cell in enumerate(nb.cells):
        if _is_test_cell(cell):
            source = (test_sources or {}).get(index, cell.get("source", ""))
            last = max([p for i, p in where.items() if i < index], default=-1)
            tests.append((index, cell, checks_in(source if isinstance(source, str) else ""), last))
    snapshots = []
    for index, cell, checks, last in tests:
        names = []
        for key, _ in checks:
            try:
                names.append(get_exercise(key).function_name)
            except KeyError:
                pass
        snapshots.append({"after": last, "id": f"t{index}", "names": sorted(set(names))})
    runner = _Runner(cells, snapshots, isolation=isolation, timeout=timeout,
                     memory_mb=memory_mb, deadline=deadline)
    results = []
    try:
        for index, cell, checks, _ in tests:
            meta = _meta(cell)
            try:
                points = float(meta.get("points", 0))
            except (TypeError, ValueError):
                points = 0.0
            grade = CellGrade(index, str(meta.get("grade_id", f"cell {index}")), points, 0.0)
            results.append(grade)
            try:
                _grade_cell(grade, checks, cells, runner, hidden, salt, notes)
            except Exception as exc:  # noqa: BLE001 - one exercise's failure stays its own
                grade.fraction = 0.0
                grade.messages.append(f"this cell could not be graded ({type(exc).__name__}: "
                                      f"{str(exc)[:300]}); it scores 0 and the instructor can "
                                      "review it")
                grade.review = f"grader error: {type(exc).__name__}"
    finally:
        runner.close()
    return results


def _grade_cell(grade, checks, cells, runner, hidden, salt, notes):
    wanted: dict[str, bool] = {}
    for key, is_hidden in checks:
        wanted[key] = wanted.get(key, False) or is_hidden
    if not wanted:
        grade.messages.append("this test cell calls no check(...), so there is nothing to "
                              "grade it by: it scores 0 (a course authoring error: tell the "
                              "instructor)")
        return
    total = 0.0
    for key, want_hidden in wanted.items():
        run_hidden = hidden is True or (hidden == "cell" and want_hidden)
        try:
            ex = get_exercise(key)
        except KeyError as err:
            grade.messages.append(f"{key}: cannot be graded: {err}")
            continue
        try:
            box = runner.sandbox(tuple(ex.needs))
            sid = f"t{grade.index}"
            if not box.defined(sid, ex.function_name):
                raise LearnerError(f"is not defined (no function called {ex.function_name!r} "
                                   "in your notebook's code above this test cell)"
                                   + _explain(box.load_errors + notes))
            info = box.info(sid, ex.function_name)
            origin = info.get("origin")
            if not (isinstance(origin, list) and len(origin) == 2
                    and all(type(v) is int for v in origin)):
                origin = None
            if copies_reference(cells, ex.function_name, ex.reference, origin):
                grade.review = f"{ex.function_name}: suspected copy of the reference"
                grade.messages.append(
                    f"{ex.function_name}: HELD FOR REVIEW: its code, with its helpers, is the same "
                    "as anncourse's reference implementation (names and strings aside), which "
                    "graded answers may not use. It scores 0 until the instructor has looked at "
                    "it; if you wrote it yourself, nothing is lost.")
                continue
            func = box.function(sid, ex.function_name, allow_mutation=ex.allow_mutation)
            with salted(salt if salt is not None else secrets.randbits(63)):
                result = assess(func, ex, visible=True, hidden=run_hidden)
        except LearnerError as err:
            grade.messages.append(f"{ex.function_name}: FAILED: {err}")
            continue
        total += result.fraction
        grade.messages.append(_exercise_message(ex, result, run_hidden))
    grade.fraction = total / len(wanted)


# --- the course's secret and stable regrades --------------------------------

def course_secret(path: str | os.PathLike) -> bytes:
    """The course's grading secret, created (mode 0600) on first use.

    It never leaves the instructor's machine and is not in the repository;
    with it, hidden inputs are the same at every regrade of a submission and
    still unknown to learners.
    """
    env = os.environ.get("ANNCOURSE_GRADING_SECRET")
    if env:
        return env.encode()
    path = Path(path)
    try:
        return _read_secret(path)
    except FileNotFoundError:
        pass
    path.parent.mkdir(parents=True, exist_ok=True)
    # Several graders may start at once (parallel shards, Kubernetes pods): the
    # secret is written whole under a private name, then given its real name by
    # a hard link, which fails if another process got there first. Nobody ever
    # sees a half-written secret, and everybody ends up with the same one.
    secret = secrets.token_hex(32).encode()
    fd, staging = tempfile.mkstemp(prefix=".secret-", dir=path.parent)
    try:
        with os.fdopen(fd, "wb") as f:
            f.write(secret + b"\n")
        os.link(staging, path)
        return secret
    except FileExistsError:
        return _read_secret(path)
    finally:
        os.unlink(staging)


def _read_secret(path: Path) -> bytes:
    secret = path.read_bytes().strip()
    if not secret:
        raise ValueError(f"the grading secret {path} is empty: delete it to have a new one "
                         "made (hidden inputs then change for later regrades)")
    return secret


def submission_salt(secret: bytes, assignment: str, student: str, notebook: str = "") -> int:
    """The salt of one submission's hidden inputs: HMAC of the course secret."""
    digest = hmac.new(secret, f"{assignment}\0{student}\0{notebook}".encode(), hashlib.sha256)
    return int.from_bytes(digest.digest()[:8], "big") & (2**63 - 1)
