"""The chapter skeleton that ``anncourse new-chapter NN-slug`` writes.

A new chapter starts from files that already pass the release checks
(:func:`anncourse.release.source_problems`, nbgrader's
``generate_assignment``) and whose example exercise is graded end to end:

* ``solutions/NN-slug/NN-slug.ipynb``: the instructor's notebook, with the
  sections every chapter has (learning goals, prose before code, one example
  exercise with its solution cell and its locked test cell, "The same in
  PyTorch", a "Note on the syllabus" callout, a summary), each holding a short
  note to the author saying what goes there;
* ``anncourse/grading/specs/<name>.py``: the spec of the example exercise;
* ``tests/test_<name>_spec.py``: its own spec tests (a correct answer in another
  style passes, a subtle wrong one fails), next to the ones
  tests/test_specs_generated.py derives from every spec;
* the chapter's entry in :data:`anncourse.course.ASSIGNMENTS` is marked
  written and given its spec module, and README's chapter table is
  re-rendered from the registry.

CONTRIBUTING.md ("How to write a chapter") says what to do next.

Examples
--------
>>> spec_module_name("08-cost-functions")
'cost_functions'
>>> nb = instructor_notebook(get("08-cost-functions"))
>>> graded = [c for c in nb.cells if c.metadata.get("nbgrader", {}).get("points")]
>>> [c.metadata.nbgrader["grade_id"] for c in graded]
['test_weighted_sum']
"""
from __future__ import annotations

import ast
from importlib import resources
from pathlib import Path
from string import Template

from ..course import ASSIGNMENTS, Assignment, chapter_table, get, repo_root

__all__ = ["ChapterExists", "instructor_notebook", "new_chapter", "spec_module_name"]

EXAMPLE = "weighted_sum"


class ChapterExists(FileExistsError):
    """The chapter is already written: ``new-chapter`` would overwrite it."""


def spec_module_name(slug: str) -> str:
    """The spec module's name for ``slug``: the words after the number, with underscores."""
    return slug[3:].replace("-", "_")


def _meta(grade_id: str, *, solution=False, grade=False, locked=True, points=None) -> dict:
    meta = {"grade": grade, "grade_id": grade_id, "locked": locked, "schema_version": 3,
            "solution": solution, "task": False}
    if points is not None:
        meta["points"] = points
    return {"nbgrader": meta}


def instructor_notebook(a: Assignment):
    """The instructor's notebook of a new chapter (an ``nbformat`` node)."""
    import nbformat
    from nbformat.v4 import new_code_cell, new_markdown_cell, new_notebook

    key = f"{a.slug}/{EXAMPLE}"
    cells = [
        new_markdown_cell(
            f"# {a.number:02d} · {a.title}\n\n"
            f"*Author: one paragraph on why this chapter matters ({a.summary}).*",
            id="title", metadata=_meta("title")),
        new_markdown_cell(
            "## What you will be able to do\n\n"
            "By the end of this notebook you can:\n\n"
            "1. **compute a neuron's weighted sum** $z = x \\cdot w + b$ for one sample and for a "
            "batch;\n"
            "2. *Author: three to five goals, each a verb the learner can check.*",
            id="goals", metadata=_meta("goals")),
        new_markdown_cell(
            "## How this notebook works\n\n"
            "* Run the cells from top to bottom (<kbd>Shift</kbd>+<kbd>Enter</kbd>).\n"
            "* In each **exercise**, replace `# YOUR CODE HERE` and `raise NotImplementedError()` "
            "with your code, then run the test cell below it. It tries visible examples and, "
            "when one fails, shows the call, the expected and the actual value and a hint. When "
            "they pass it tells you how many more checks run at grading.\n"
            "* Graded functions may use `numpy` and `math` only.",
            id="how-it-works", metadata=_meta("how_it_works")),
        new_code_cell(
            "import numpy as np\n\n"
            "from anncourse.grading import check",
            id="setup", metadata=_meta("setup")),
        new_markdown_cell(
            "## 1 · The weighted sum of a neuron\n\n"
            "*Author: the idea in prose first, then its formula, then a worked example that the "
            "next cell recomputes.*\n\n"
            "A neuron multiplies each input $x_j$ by its weight $w_j$, adds the products and a "
            "bias $b$:\n\n"
            "$$z = \\sum_{j=1}^{d} x_j w_j + b = x \\cdot w + b$$\n\n"
            "**Worked example.** $x = [1, 2, 3]$, $w = [0.5, -1, 2]$, $b = 0.5$: "
            "$z = 0.5 - 2 + 6 + 0.5 = 5$.",
            id="weighted-sum-theory"),
        new_code_cell(
            "x = np.array([1.0, 2.0, 3.0])\n"
            "w = np.array([0.5, -1.0, 2.0])\n"
            "b = 0.5\n"
            "print(\"products:\", x * w)\n"
            "print(\"z       :\", round(float((x * w).sum() + b), 12))",
            id="weighted-sum-example"),
        new_markdown_cell(
            f"### Exercise 1: `{EXAMPLE}`\n\n"
            f"Write `{EXAMPLE}(x, w, b)`: the weighted sum $x \\cdot w + b$.\n\n"
            "* `x` is one sample (shape `(d,)`) or a batch with one sample per row "
            "(shape `(n, d)`), a Python list or a NumPy array;\n"
            "* `w` has shape `(d,)` and `b` is a number;\n"
            "* return one number for one sample, an array of `n` numbers for a batch.",
            id="weighted-sum-task-text", metadata=_meta("weighted_sum_task_text")),
        new_code_cell(
            f"def {EXAMPLE}(x, w, b):\n"
            "    \"\"\"A neuron's weighted sum x . w + b, for one sample or a batch (rows).\"\"\"\n"
            "    ### BEGIN SOLUTION\n"
            "    return np.asarray(x, dtype=float) @ np.asarray(w, dtype=float) + b\n"
            "    ### END SOLUTION",
            id="weighted-sum-solution", metadata=_meta(EXAMPLE, solution=True, locked=False)),
        new_code_cell(
            f"check({EXAMPLE}, \"{key}\")\n"
            "### BEGIN HIDDEN TESTS\n"
            f"check({EXAMPLE}, \"{key}\", hidden=True)\n"
            "### END HIDDEN TESTS",
            id="weighted-sum-test",
            metadata={**_meta(f"test_{EXAMPLE}", grade=True, points=1),
                      "tags": ["raises-exception"]}),
        new_markdown_cell(
            "## The same in PyTorch\n\n"
            "*Author: compute the chapter's functions with `torch` on the same inputs, show that "
            "they agree, and say where the conventions differ.*",
            id="pytorch"),
        new_markdown_cell(
            "> **Note on the syllabus.**\n>\n"
            "> *Author: one callout like this for each mistake in the syllabus's text: what it "
            "says, what is true, and a cell that recomputes it. Delete this one if there is "
            "none.*",
            id="note-syllabus"),
        new_markdown_cell(
            "## Summary\n\n"
            "* A neuron's weighted sum is $x \\cdot w + b$; for a batch, one row per sample.\n"
            "* *Author: one line per learning goal.*",
            id="summary", metadata=_meta("summary")),
    ]
    nb = new_notebook(cells=cells, metadata={
        "kernelspec": {"display_name": "Python 3 (ipykernel)", "language": "python",
                       "name": "python3"},
        "language_info": {"name": "python"}})
    nbformat.validate(nb)
    return nb


def _template(name: str, **values) -> str:
    text = resources.files(__name__).joinpath(name).read_text()
    return Template(text).substitute(values)


def _mark_written(course_py: Path, slug: str, spec: str) -> None:
    """Rewrite ``slug``'s entry in the registry (course.py) as written, with its spec."""
    source = course_py.read_text()
    tree = ast.parse(source)
    calls = [node for node in ast.walk(tree)
             if isinstance(node, ast.Call) and isinstance(node.func, ast.Name)
             and node.func.id == "Assignment" and node.args
             and isinstance(node.args[0], ast.Constant) and node.args[0].value == slug]
    if len(calls) != 1:
        raise RuntimeError(f"found {len(calls)} entries for {slug!r} in {course_py}; "
                           "mark it written by hand (status='written', spec=...)")
    call = calls[0]
    indent = " " * (call.col_offset + len("Assignment("))
    positional = [ast.get_source_segment(source, arg) for arg in call.args]
    keywords = [f"{k.arg}={ast.get_source_segment(source, k.value)}" for k in call.keywords
                if k.arg not in ("status", "spec")]
    # slug and title on the first line, as the other entries are written
    lines = [", ".join(positional[:2]), *positional[2:], *keywords,
             f'status="written", spec="{spec}"']
    text = "Assignment(" + f",\n{indent}".join(lines) + ")"
    lines = source.splitlines(keepends=True)
    start = sum(len(line) for line in lines[:call.lineno - 1]) + call.col_offset
    end = sum(len(line) for line in lines[:call.end_lineno - 1]) + call.end_col_offset
    course_py.write_text(source[:start] + text + source[end:])


def _render_readme(readme: Path, table: str) -> None:
    """Replace README's chapter table (under "## The chapters") with ``table``."""
    lines = readme.read_text().splitlines(keepends=True)
    heading = next(i for i, line in enumerate(lines) if line.strip() == "## The chapters")
    first = next(i for i in range(heading, len(lines)) if lines[i].startswith("|"))
    last = first
    while last < len(lines) and lines[last].startswith("|"):
        last += 1
    readme.write_text("".join(lines[:first]) + table + "".join(lines[last:]))


def new_chapter(slug: str, root: Path | None = None) -> list[Path]:
    """Write the skeleton of chapter ``slug`` into the course at ``root``.

    Parameters
    ----------
    slug : str
        An assignment of :data:`anncourse.course.ASSIGNMENTS` not yet written.
    root : Path, optional
        The repository (default: this checkout).

    Returns
    -------
    list of Path
        The files written or changed.

    Raises
    ------
    KeyError
        When the registry has no assignment ``slug``.
    ChapterExists
        When the chapter is already written, or one of its files exists.
    """
    root = Path(root) if root is not None else repo_root()
    a = get(slug)
    spec = spec_module_name(slug)
    notebook = a.source(root)
    spec_py = root / "anncourse" / "grading" / "specs" / f"{spec}.py"
    spec_test = root / "tests" / f"test_{spec}_spec.py"
    if a.written:
        raise ChapterExists(f"{slug} is already written (the registry, anncourse/course.py, "
                            "says so): edit its notebook instead of starting a new one")
    existing = [p for p in (notebook, spec_py, spec_test) if p.exists()]
    if existing:
        raise ChapterExists(f"{slug}: {', '.join(str(p.relative_to(root)) for p in existing)} "
                            "already exist(s); new-chapter never overwrites a file")
    import nbformat

    notebook.parent.mkdir(parents=True, exist_ok=True)
    nbformat.write(instructor_notebook(a), notebook)
    spec_py.write_text(_template("spec.py.tmpl", slug=slug))
    spec_test.parent.mkdir(parents=True, exist_ok=True)
    spec_test.write_text(_template("test_spec.py.tmpl", slug=slug))
    course_py = root / "anncourse" / "course.py"
    _mark_written(course_py, slug, spec)
    changed = [notebook, spec_py, spec_test, course_py]
    readme = root / "README.md"
    if readme.is_file():
        entries = [Assignment(x.slug, x.title, x.summary, "written", spec, x.explorers)
                   if x.slug == slug else x for x in ASSIGNMENTS]
        _render_readme(readme, chapter_table(entries))
        changed.append(readme)
    return changed
