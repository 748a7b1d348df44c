"""Generate the learner's notebooks (course/) from the instructor's (solutions/).

nbgrader does the work: ``nbgrader generate_assignment`` strips solutions and
hidden tests and writes the release.  This module only calls it the same way
every time, with ``--force`` (without it nbgrader silently keeps an existing
release and still exits 0) and ``--no-db`` (regenerating the release must not
create or touch an instructor's gradebook).
"""
from __future__ import annotations

import ast
import shutil
import subprocess
import sys
from pathlib import Path

from .course import ASSIGNMENTS, repo_root

__all__ = ["START_PAGE", "generate", "start_page", "written_assignments"]

START_PAGE = "START_HERE.ipynb"


def written_assignments(root: Path) -> list[str]:
    """Slugs of the assignments whose instructor notebook exists under ``root``."""
    return [a.slug for a in ASSIGNMENTS if a.is_written(root)]


def generate(slugs: list[str] | None = None, root: Path | None = None) -> list[Path]:
    """Regenerate ``course/<slug>/`` for each slug (default: every written one).

    Parameters
    ----------
    slugs : list of str, optional
        Assignments to generate; default all that have a notebook in solutions/.
    root : Path, optional
        The course root holding ``nbgrader_config.py`` (default: this checkout).

    Returns
    -------
    list of Path
        The released notebooks.

    Raises
    ------
    subprocess.CalledProcessError
        When nbgrader rejects an assignment (its log says why).
    """
    root = Path(root) if root is not None else repo_root()
    known = {a.slug: a for a in ASSIGNMENTS}
    slugs = list(slugs) if slugs else written_assignments(root)
    unknown = [s for s in slugs if s not in known]
    if unknown:
        raise ValueError(f"unknown assignment(s) {unknown}; the course has {sorted(known)}")
    released = []
    for slug in slugs:
        if not known[slug].is_written(root):
            raise FileNotFoundError(f"{known[slug].source(root)} does not exist")
        # Start from an empty folder so files removed from solutions/ vanish too.
        shutil.rmtree(root / "course" / slug, ignore_errors=True)
        subprocess.run(
            [sys.executable, "-m", "nbgrader", "generate_assignment", slug, "--force", "--no-db",
             "--log-level=WARN"],
            cwd=root, check=True,
        )
        released.append(known[slug].release(root))
    (root / "course" / START_PAGE).write_text(start_page(root))
    # A release whose source is gone would mislead learners: remove it.
    for folder in sorted((root / "course").glob("[0-9][0-9]-*")):
        if folder.is_dir() and not (root / "solutions" / folder.name).is_dir():
            shutil.rmtree(folder)
    return released


def start_page(root: Path) -> str:
    """The learner's start page: every chapter in order, one line each.

    Returns the notebook as JSON text (a single markdown cell), generated
    from the course's table of contents so it never lists a stale chapter.
    """
    import nbformat

    lines = [
        "# Artificial neural networks: start here",
        "",
        "Work through the chapters in order. Each notebook explains an idea, recomputes its "
        "formulas in code, lets you explore it with widgets and asks you to write functions "
        "that are checked as you go: run an exercise's test cell, or nbgrader's *Validate* "
        "button, to see how you are doing.",
        "",
        "| # | chapter | what you learn |",
        "| --- | --- | --- |",
    ]
    for number, a in enumerate(ASSIGNMENTS, start=1):
        title = (f"[{a.title}]({a.slug}/{a.notebook_name})" if a.is_written(root)
                 else f"{a.title} *(coming soon)*")
        lines.append(f"| {number} | {title} | {a.summary} |")
    cell = nbformat.v4.new_markdown_cell("\n".join(lines), id="start-here")
    nb = nbformat.v4.new_notebook(cells=[cell], metadata={
        "kernelspec": {"display_name": "Python 3 (ipykernel)", "language": "python",
                       "name": "python3"}})
    return nbformat.writes(nb) + "\n"


# --- Checks on instructor and learner notebooks -------------------------------

_BEGIN_SOLUTION = "### BEGIN SOLUTION"
_END_SOLUTION = "### END SOLUTION"
_BEGIN_HIDDEN = "### BEGIN HIDDEN TESTS"
_END_HIDDEN = "### END HIDDEN TESTS"


def _nbgrader(cell) -> dict:
    return cell.get("metadata", {}).get("nbgrader", {})


def _source(cell) -> str:
    # nbformat joins sources on reading; raw JSON may still hold a list of lines.
    return cell["source"] if isinstance(cell["source"], str) else "".join(cell["source"])


def source_problems(nb) -> list[str]:
    """Problems with an instructor notebook's nbgrader metadata.

    The course's rules, on top of what nbgrader itself enforces: grade ids are
    unique; every graded cell is worth points; every solution code cell has
    the solution markers (so the learner gets a stub, not an empty cell or
    the answer); every graded test cell is locked and its hidden-test markers
    are balanced and it calls ``check(f, "NN-slug/f")`` at least once (a
    test cell without one would grade nothing and give its points to any
    answer); every solution cell ``X`` is graded by a test cell
    ``test_X`` right after it.
    """
    problems = []
    seen: dict[str, int] = {}
    cells = nb["cells"]
    for i, cell in enumerate(cells):
        meta = _nbgrader(cell)
        if not meta:
            continue
        gid = meta.get("grade_id")
        where = f"cell {i} ({gid!r})"
        if not gid:
            problems.append(f"cell {i} has nbgrader metadata but no grade_id")
        elif gid in seen:
            problems.append(f"{where}: grade_id already used by cell {seen[gid]}")
        else:
            seen[gid] = i
        src = _source(cell)
        if meta.get("grade"):
            points = meta.get("points")
            if not isinstance(points, (int, float)) or points <= 0:
                problems.append(f"{where}: graded cell without positive points (points={points!r})")
        if meta.get("solution") and cell["cell_type"] == "code":
            if _BEGIN_SOLUTION not in src or _END_SOLUTION not in src:
                problems.append(f"{where}: solution cell without {_BEGIN_SOLUTION}/{_END_SOLUTION}, "
                                "so the learner would get no stub")
            if meta.get("grade"):
                problems.append(f"{where}: a code cell cannot be both a solution and graded")
            following = cells[i + 1] if i + 1 < len(cells) else None
            if following is None or _nbgrader(following).get("grade_id") != f"test_{gid}":
                problems.append(f"{where}: the next cell must be its test cell 'test_{gid}'")
        if meta.get("grade") and not meta.get("solution") and cell["cell_type"] == "code":
            if not meta.get("locked"):
                problems.append(f"{where}: test cell is not locked")
            if src.count(_BEGIN_HIDDEN) != src.count(_END_HIDDEN):
                problems.append(f"{where}: unbalanced hidden-test markers")
            if "raises-exception" not in cell.get("metadata", {}).get("tags", []):
                # Without it, JupyterLab's Run All stops at the learner's first
                # failing check and leaves the rest of the chapter unrun.
                problems.append(f"{where}: test cell lacks the 'raises-exception' tag")
            problem = _check_problem(src)
            if problem:
                problems.append(f"{where}: {problem}")
    return problems


def _check_calls(source: str) -> int:
    """How many literal ``check(<function>, "<key>", ...)`` calls ``source`` makes."""
    return sum(1 for node in ast.walk(ast.parse(source))
               if isinstance(node, ast.Call) and isinstance(node.func, ast.Name)
               and node.func.id == "check" and len(node.args) >= 2
               and isinstance(node.args[1], ast.Constant) and isinstance(node.args[1].value, str))


def _check_problem(source: str) -> str | None:
    """Why a graded test cell would grade nothing, or None.

    The grader scores a test cell by the ``check(f, "NN-slug/f")`` calls in
    the instructor's source; a cell without one (plain asserts, say) would
    give its points to any answer.

    >>> _check_problem('check(mse, "18-loss-functions/mse")')
    >>> _check_problem("assert mse([1], [1]) == 0")
    'graded test cell calls no check(f, "NN-slug/f"): the grader would have nothing to grade'
    """
    try:
        calls = _check_calls(source)
    except SyntaxError as err:
        return f"test cell is not valid Python ({err.msg}, line {err.lineno})"
    if not calls:
        return 'graded test cell calls no check(f, "NN-slug/f"): the grader would have nothing to grade'
    return None


def _solution_lines(nb) -> set[str]:
    """Non-trivial lines between solution markers in an instructor notebook."""
    lines = set()
    for cell in nb["cells"]:
        src = _source(cell)
        for block in (_BEGIN_SOLUTION, _BEGIN_HIDDEN):
            end = _END_SOLUTION if block == _BEGIN_SOLUTION else _END_HIDDEN
            for chunk in src.split(block)[1:]:
                body = chunk.split(end)[0]
                for line in body.splitlines():
                    line = line.strip()
                    # Short lines ("return x", "pass") occur in prose and stubs too.
                    if len(line) > 12 and not line.startswith("#"):
                        lines.add(line)
    return lines


def release_leaks(source_nb, released_nb) -> list[str]:
    """Solution code or hidden tests of ``source_nb`` found in ``released_nb``."""
    leaks = []
    secret = _solution_lines(source_nb)
    for i, cell in enumerate(released_nb["cells"]):
        src = _source(cell)
        for marker in (_BEGIN_SOLUTION, _END_SOLUTION, _BEGIN_HIDDEN, _END_HIDDEN):
            if marker in src:
                leaks.append(f"released cell {i} contains the marker {marker!r}")
        for line in src.splitlines():
            if line.strip() in secret:
                leaks.append(f"released cell {i} contains solution or hidden-test code: {line.strip()!r}")
        if _nbgrader(cell).get("solution") and cell["cell_type"] == "code" \
                and "raise NotImplementedError" not in src:
            leaks.append(f"released solution cell {i} has no NotImplementedError stub")
        if cell.get("outputs"):
            leaks.append(f"released cell {i} has stored outputs")
    return leaks
