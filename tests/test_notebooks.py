"""Every notebook runs top to bottom, offline, and its widgets' callbacks work.

The runner here is nbclient driven by hand, not nbval, for what nbval cannot
check (nbval 0.11, ``pytest --nbval-lax``):

* A graded test cell carries the ``raises-exception`` tag, so that JupyterLab's
  *Run All* goes on past a learner's failing check (the release checks require
  it).  nbval reads that same tag as "this cell may raise anything" and does
  not require an error either, so it passes an instructor's notebook whose
  solutions fail their own checks (tried: a wrong ``f`` under an assertion in a
  tagged cell gives "2 passed").  Here the instructor's notebook must run with
  no error at all, and the learner's may fail only in exercise cells, only with
  ``NotImplementedError`` or a ``CheckFailed`` caused by it.
* The course's limits per notebook: the kernel's peak memory (under 1.5 GB)
  and the wall time are measured per notebook; nbval only has a timeout per cell.
* No stderr in graded cells (nbgrader would score such a cell 0), whatever the
  stored outputs are: the instructor's notebooks are kept without outputs, so
  nbval's output comparison has nothing to compare with.
* The widgets: a cell appended after the notebook moves every explorer's
  controls (:func:`anncourse.testing.exercise_widgets`) and the release must
  answer exactly as the solution does; nbval runs a notebook's own cells only.

The chapters are the registry's written ones (:func:`anncourse.course.written`).
"""
from __future__ import annotations

import functools
import resource
import time

import nbformat
import pytest
from nbclient import NotebookClient

from anncourse.course import get, written

from conftest import ROOT

WIDGET_CELL = (
    "from anncourse.testing import exercise_widgets\n"
    "print('widgets moved:', exercise_widgets())\n"
)


def run(path, allow_errors=False):
    nb = nbformat.read(path, as_version=4)
    nb.cells.append(nbformat.v4.new_code_cell(WIDGET_CELL))
    client = NotebookClient(nb, timeout=120, kernel_name="python3", allow_errors=allow_errors,
                            resources={"metadata": {"path": str(path.parent)}})
    start = time.perf_counter()
    client.execute()
    return nb, time.perf_counter() - start


@functools.cache
def executed(folder: str, slug: str):
    """Run ``<folder>/<slug>/<slug>.ipynb`` once per test session.

    Solutions must run without any error; released notebooks may fail at
    their exercises (the tests below check where).
    """
    return run(ROOT / folder / slug / f"{slug}.ipynb", allow_errors=folder == "course")


def errors(nb):
    return [(i, out.ename, out.evalue) for i, cell in enumerate(nb.cells) if cell.cell_type == "code"
            for out in cell.get("outputs", []) if out.output_type == "error"]


def stderr_in_graded_cells(nb):
    return [i for i, cell in enumerate(nb.cells)
            if cell.get("metadata", {}).get("nbgrader", {}).get("grade")
            for out in cell.get("outputs", [])
            if out.output_type == "stream" and out.name == "stderr"]


def widgets_moved(nb) -> int:
    text = "".join(o.get("text", "") for o in nb.cells[-1].outputs if o.output_type == "stream")
    return int(text.rsplit("widgets moved:", 1)[1].split()[0])


@pytest.mark.parametrize("slug", [a.slug for a in written()])
def test_solution_notebook_runs_clean(slug):
    nb, seconds = executed("solutions", slug)
    assert errors(nb) == []
    # Binder gives about 2 GB; the course's budget per notebook is 1.5 GB. The
    # kernel has exited by now, so it is among the children measured here (the
    # largest child so far: an upper bound on the kernel's peak).
    peak_mb = resource.getrusage(resource.RUSAGE_CHILDREN).ru_maxrss / 1024
    assert peak_mb < 1536, f"{slug}: a kernel reached {peak_mb:.0f} MB"
    # nbgrader scores a test cell with stderr output as 0: the instructor's must have none.
    assert stderr_in_graded_cells(nb) == []
    print(f"{slug}: {seconds:.1f} s, peak {peak_mb:.0f} MB")


@pytest.mark.parametrize("slug", [a.slug for a in written()])
def test_released_notebook_fails_only_at_the_exercises(slug):
    nb, _ = executed("course", slug)
    found = errors(nb)
    assert found, "the untouched release should fail its exercise checks"
    for i, ename, evalue in found:
        cell = nb.cells[i]
        meta = cell.metadata.get("nbgrader", {})
        assert meta.get("grade") or meta.get("solution"), f"cell {i} failed outside an exercise: {ename}"
        assert ename in ("NotImplementedError", "CheckFailed"), f"cell {i}: {ename}: {evalue}"
        if ename == "CheckFailed":
            assert "NotImplementedError" in evalue, evalue
    # The explorers work for the learner too, solutions or not: the same
    # widgets answer as in the instructor's notebook.
    assert widgets_moved(nb) == widgets_moved(executed("solutions", slug)[0])


@pytest.mark.parametrize("slug", [a.slug for a in written() if a.explorers])
def test_each_explorer_has_controls_that_answer(slug):
    """The registry's explorers for the chapter: at least one control moved per explorer."""
    nb, _ = executed("solutions", slug)
    assert widgets_moved(nb) >= len(get(slug).explorers)
