"""Grading that a submission cannot talk its way around.

nbgrader's usual autograding runs the learner's notebook, hidden tests
included, in one kernel and trusts what the test cells print: a submission
that patches ``np.allclose``, hooks IPython or reads the instructor's files
gets full marks.  This module replaces that step.  :class:`TrustedGrades` is
an nbgrader preprocessor that, for each graded test cell:

1. reads which exercises the cell checks from the instructor's own source of
   the cell (nbgrader restores it from the gradebook before grading);
2. starts a fresh :class:`~anncourse.grading.sandbox.Sandbox` holding the
   learner's code from the cells above it, isolated from the file system;
3. runs the exercise's visible and hidden checks here, in the grader, calling
   the learner's function through the sandbox, which only ever returns data;
4. replaces the cell's outputs with the verdict, which nbgrader's
   ``SaveAutoGrades`` turns into points (an error output scores 0; a cell
   checking several independent parts gets the share of parts that pass).

The learner's notebook is not executed in a kernel at all during grading, so
nothing it does runs outside the sandbox.  Hidden checks are removed from the
cell's source so feedback shows their verdicts but not their code.
"""
from __future__ import annotations

import ast
import os
import re

from nbformat.v4 import new_output
from traitlets import Float, Integer, Unicode

from nbgrader import utils
from nbgrader.preprocessors import NbGraderPreprocessor

from ._worker import _strip_magics
from .core import LearnerError, evaluate
from .sandbox import Sandbox
from .specs import get_exercise

__all__ = ["TrustedGrades", "checks_in", "grade_cell", "learner_code_above"]

_HIDDEN = re.compile(r"^[ \t]*### BEGIN HIDDEN TESTS.*?### END HIDDEN TESTS[ \t]*\n?", re.S | re.M)


def checks_in(source: str) -> list[tuple[str, bool]]:
    """The ``(exercise key, hidden)`` pairs a test cell's source asks for.

    Only literal calls ``check(<name>, "<key>"[, hidden=True])`` count.
    """
    found = []
    for node in ast.walk(ast.parse(source)):
        if (isinstance(node, ast.Call) and isinstance(node.func, ast.Name)
                and node.func.id == "check" and len(node.args) >= 2
                and isinstance(node.args[1], ast.Constant) and isinstance(node.args[1].value, str)):
            hidden = any(k.arg == "hidden" and isinstance(k.value, ast.Constant) and k.value.value
                         for k in node.keywords)
            found.append((node.args[1].value, bool(hidden)))
    return found


def _canonical(tree: ast.AST) -> str:
    """A dump of a function's code with docstrings, names and strings abstracted away."""
    names: dict[str, str] = {}

    class Rename(ast.NodeTransformer):
        def visit_Name(self, node):
            node.id = names.setdefault(node.id, f"v{len(names)}")
            return node

        def visit_Constant(self, node):
            # Messages and names in strings are as easy to reword as variables.
            if isinstance(node.value, str):
                node.value = ""
            return node

        def visit_arg(self, node):
            node.arg = names.setdefault(node.arg, f"v{len(names)}")
            node.annotation = None
            return node

    tree = Rename().visit(tree)
    body = tree.body
    if body and isinstance(body[0], ast.Expr) and isinstance(body[0].value, ast.Constant):
        body = body[1:]  # the docstring
    return ast.dump(ast.Module(body=[b for b in body if not isinstance(b, ast.Pass)],
                               type_ignores=[]), annotate_fields=False)


def copies_reference(cells: list[str], name: str, reference) -> bool:
    """Whether the learner's last definition of ``name`` is the reference's code."""
    import inspect
    import textwrap

    if reference is None:
        return False
    try:
        ref_tree = ast.parse(textwrap.dedent(inspect.getsource(reference))).body[0]
    except (OSError, TypeError, SyntaxError, IndexError):
        return False
    learner = None
    for source in cells:
        try:
            tree = ast.parse(_strip_magics(source))
        except SyntaxError:
            continue
        for node in tree.body:
            if isinstance(node, ast.FunctionDef) and node.name == name:
                learner = node
    return learner is not None and _canonical(learner) == _canonical(ref_tree)


def _is_test_cell(cell) -> bool:
    return utils.is_grade(cell) and not utils.is_solution(cell)


def learner_code_above(nb, index: int) -> list[str]:
    """The code cells above cell ``index``, test cells left out.

    This is what a test cell's exercise sees: the learner's answers and the
    teaching cells around them, never the checks themselves.
    """
    return [c.source for c in nb.cells[:index] if c.cell_type == "code" and not _is_test_cell(c)]


def grade_cell(test_source: str, cells: list[str], *, isolation: str = "require",
               timeout: float = 10.0, memory_mb: int = 1024) -> tuple[float, list[str], int]:
    """Grade one test cell.

    Returns
    -------
    (fraction, messages, parts)
        The share of the cell's exercises that pass (0 to 1), one message
        per exercise, and how many exercises the cell checks.
    """
    wanted: dict[str, bool] = {}
    for key, hidden in checks_in(test_source):
        wanted[key] = wanted.get(key, False) or hidden
    if not wanted:
        return 1.0, ["(this test cell checks no exercise)"], 0
    passed, messages = 0, []
    for key, hidden in wanted.items():
        ex = get_exercise(key)
        if copies_reference(cells, ex.function_name, ex.reference):
            messages.append(f"{ex.function_name}: FAILED: the answer is a copy of anncourse's "
                            "reference implementation, which graded solutions may not use.")
            continue
        try:
            with Sandbox(cells, ex.function_name, isolation=isolation, timeout=timeout,
                         memory_mb=memory_mb) as func:
                failures = evaluate(func, ex, visible=True, hidden=hidden)
        except LearnerError as err:
            failures = [str(err)]
        if failures:
            messages.append(f"{ex.function_name}: FAILED: " + "\n".join(failures))
        else:
            if hidden:
                messages.append(f"{ex.function_name}: passed all "
                                f"{len(ex.visible) + len(ex.hidden)} checks.")
            else:
                more = f"; {len(ex.hidden)} more checks at grading" if ex.hidden else ""
                messages.append(f"{ex.function_name}: {len(ex.visible)} visible checks passed{more}.")
            passed += 1
    return passed / len(wanted), messages, len(wanted)


class TrustedGrades(NbGraderPreprocessor):
    """Grade each test cell in a sandbox and write the verdict as its output."""

    isolation = Unicode(
        os.environ.get("ANNCOURSE_ISOLATION", "require"),
        help="'require' bubblewrap isolation (default), 'prefer' it, or 'off'.",
    ).tag(config=True)
    call_timeout = Float(10.0, help="Seconds one call of a learner's function may take.").tag(config=True)
    memory_mb = Integer(1024, help="Memory limit of the process holding a learner's code.").tag(config=True)

    def preprocess(self, nb, resources):
        for index, cell in enumerate(nb.cells):
            if cell.cell_type != "code" or not _is_test_cell(cell):
                continue
            fraction, messages, parts = grade_cell(
                cell.source, learner_code_above(nb, index), isolation=self.isolation,
                timeout=self.call_timeout,
                memory_mb=self.memory_mb)
            text = "\n".join(messages)
            points = float(cell.metadata.nbgrader["points"])
            if fraction == 1.0:
                cell.outputs = [new_output("stream", name="stdout", text=text + "\n")]
            elif parts > 1 and fraction > 0:
                cell.outputs = [new_output("stream", name="stdout", text=text + "\n"),
                                new_output("execute_result", execution_count=None,
                                           data={"text/plain": repr(round(points * fraction, 6))})]
            else:
                cell.outputs = [new_output("error", ename="CheckFailed", evalue=text,
                                           traceback=[text])]
            cell.source = _HIDDEN.sub("# (hidden checks ran at grading)\n", cell.source)
            self.log.info("%s: %s", cell.metadata.nbgrader["grade_id"], text.splitlines()[0])
        return nb, resources
