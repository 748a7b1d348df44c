"""Preparing a submitted notebook for grading, whatever it holds.

Two nbgrader preprocessors, configured in the course's ``nbgrader_config.py``:

:class:`RepairMetadata` (first step of ``Autograde.sanitize_preprocessors``)
    nbgrader trusts the nbgrader metadata stored in the learner's notebook.
    A learner who pastes a copy of a graded cell gives two cells the same
    ``grade_id``; nbgrader's ``DeduplicateIds`` then empties the metadata of
    one, ``CheckCellMetadata`` rejects the notebook and the failure aborts
    the class's ``nbgrader autograde`` run (``schema_version: 99`` in one
    cell aborts it at once, with ``SchemaTooNewError``).  This step takes the
    metadata from the gradebook instead: every cell claiming a grade id of
    the assignment gets the instructor's metadata for it, one cell per id
    (the copy that keeps the instructor's order of cells); other copies and
    cells with unknown or malformed nbgrader metadata become ordinary cells,
    whose code is still the learner's and still loaded.

:class:`WithholdInstructorCode` (``Autograde.autograde_preprocessors``, before the grader)
    A submission that holds the instructor's solution cells, copied from the
    instructor's notebook, must neither earn points nor get the solutions
    back in its feedback.  nbgrader's solution and hidden-test markers
    (``### BEGIN SOLUTION``) exist only in the instructor's notebook: the
    release replaces each marked region with a stub.  Any cell a learner can
    edit that holds them is replaced by a short notice, so it defines
    nothing, earns nothing and shows nothing; the log names the student.
    Cells are never matched on code lines: an honest answer may well equal a
    line of the solution.
"""
from __future__ import annotations

import os
import textwrap

import nbformat
from nbformat.notebooknode import from_dict
from traitlets import Unicode

from nbgrader.api import Gradebook
from nbgrader.coursedir import CourseDirectory
from nbgrader.preprocessors import ClearHiddenTests, ClearSolutions, NbGraderPreprocessor

__all__ = ["RepairMetadata", "WithholdInstructorCode", "choose_cells", "instructor_markers"]

SCHEMA_VERSION = 3  # nbgrader 0.9's cell metadata format


def _claimed_id(cell) -> str | None:
    """The grade id a cell's nbgrader metadata claims, or None when it claims nothing usable."""
    meta = cell.get("metadata")
    meta = meta.get("nbgrader") if isinstance(meta, dict) else None
    gid = meta.get("grade_id") if isinstance(meta, dict) else None
    return gid if isinstance(gid, str) and gid else None


def choose_cells(claims: list[str | None], order: list[str]) -> dict[str, int]:
    """Which cell keeps each grade id when several claim it.

    Walking the instructor's cells in ``order``, each id goes to its first
    claimant below the cell chosen for the previous id, so the chosen cells
    keep the instructor's order: a test cell pasted above its answer does not
    displace the one below it.  When no claimant is below, the first one is
    taken.  Ids in ``claims`` but not in ``order`` go to their first claimant.

    Parameters
    ----------
    claims : list of (str or None)
        The grade id each cell of the submission claims, in cell order.
    order : list of str
        The instructor's grade ids in the order of the instructor's notebook.

    Returns
    -------
    dict
        grade id -> index of the cell that keeps it.

    Examples
    --------
    >>> choose_cells(["a", "test_a", "a", "test_a", "test_a"], ["a", "test_a"])
    {'a': 0, 'test_a': 1}
    >>> choose_cells(["test_a", "a", "test_a"], ["a", "test_a"])
    {'a': 1, 'test_a': 2}
    """
    where: dict[str, list[int]] = {}
    for i, gid in enumerate(claims):
        if gid is not None:
            where.setdefault(gid, []).append(i)
    chosen, last = {}, -1
    for gid in order:
        if gid in where:
            below = [i for i in where[gid] if i > last]
            chosen[gid] = below[0] if below else where[gid][0]
            last = max(last, chosen[gid])
    for gid, places in where.items():
        chosen.setdefault(gid, places[0])
    return chosen


class RepairMetadata(NbGraderPreprocessor):
    """Give each graded cell the instructor's nbgrader metadata, once.

    Replaces nbgrader's ``DeduplicateIds`` at the start of
    ``Autograde.sanitize_preprocessors``; nbgrader's ``OverwriteCells`` and
    ``CheckCellMetadata`` then run as usual and always find valid metadata.
    """

    def preprocess(self, nb, resources):
        info = resources["nbgrader"]
        student, notebook_id, assignment_id = info["student"], info["notebook"], info["assignment"]
        with Gradebook(info["db_url"]) as gb:
            source = gb.find_notebook(notebook_id, assignment_id)
            grades = {c.name: c for c in source.grade_cells}
            tasks = {c.name: c for c in source.task_cells}
            solutions = {c.name for c in source.solution_cells}
            instructor = {}
            for cell in source.source_cells:
                scored = grades.get(cell.name) or tasks.get(cell.name)
                meta = {"grade": cell.name in grades, "grade_id": cell.name, "locked": bool(cell.locked),
                        "solution": cell.name in solutions, "task": cell.name in tasks,
                        "schema_version": SCHEMA_VERSION}
                if scored is not None:
                    meta["points"] = float(scored.max_score)
                instructor[cell.name] = meta
        order = self._instructor_order(notebook_id, assignment_id, instructor)

        claims = []
        for i, cell in enumerate(nb.cells):
            if not isinstance(cell.get("metadata"), dict):
                cell["metadata"] = from_dict({})
            gid = _claimed_id(cell)
            if gid is not None and gid not in instructor:
                self.log.warning("%s: cell %d claims grade id %r, which %s does not have; "
                                 "graded as an ordinary cell", student, i, gid, notebook_id)
                gid = None
            elif gid is None and "nbgrader" in cell.metadata:
                self.log.warning("%s: cell %d has malformed nbgrader metadata; "
                                 "graded as an ordinary cell", student, i)
            claims.append(gid)

        chosen = choose_cells(claims, order)
        for i, (cell, gid) in enumerate(zip(nb.cells, claims)):
            if gid is not None and chosen[gid] == i:
                cell.metadata["nbgrader"] = from_dict(dict(instructor[gid]))
                continue
            if gid is not None:
                self.log.warning("%s: cell %d is another copy of cell %r (kept: cell %d); "
                                 "graded as an ordinary cell", student, i, gid, chosen[gid])
            cell.metadata.pop("nbgrader", None)
        return nb, resources

    def _instructor_order(self, notebook_id, assignment_id, instructor) -> list[str]:
        """The grade ids in the order of the instructor's notebook in the source folder."""
        coursedir = CourseDirectory(parent=self)
        path = os.path.join(coursedir.format_path(coursedir.source_directory, ".", assignment_id),
                            f"{notebook_id}.ipynb")
        try:
            nb = nbformat.read(path, as_version=4)
        except (OSError, ValueError) as err:
            # The gradebook alone still gives every id, in the order it saved them.
            self.log.warning("cannot read the instructor's notebook %s (%s): duplicate cells are "
                             "resolved in the gradebook's order", path, err)
            return list(instructor)
        order = [gid for gid in map(_claimed_id, nb.cells) if gid in instructor]
        return order + [gid for gid in instructor if gid not in order]


class WithholdInstructorCode(NbGraderPreprocessor):
    """Replace every learner-editable cell that holds instructor-only markers by a notice.

    Runs in ``Autograde.autograde_preprocessors`` after the sanitising steps
    (so the gradebook's metadata says which cells are locked) and before the
    grader.  Locked cells are left alone: nbgrader has already restored them
    from the gradebook.
    """

    notice = Unicode(
        "Withheld by the grader: this cell held the course's own solution code (it carries the "
        "markers that only the instructor's notebook has), not an answer written for this "
        "submission. It is not graded and not shown. If this is a mistake, ask your instructor.",
        help="What replaces a withheld cell (it must not contain the markers themselves).",
    ).tag(config=True)

    def preprocess(self, nb, resources):
        markers = instructor_markers(self)
        student = resources.get("nbgrader", {}).get("student", "?")
        for i, cell in enumerate(nb.cells):
            meta = cell.metadata.get("nbgrader", {})
            if meta.get("locked"):
                continue
            marker = _marker_in(cell.source, markers)
            if marker is None:
                continue
            text = self.notice
            cell.source = "\n".join(f"# {line}" for line in _wrap(text)) if cell.cell_type == "code" else text
            if cell.cell_type == "code":
                cell.outputs = []
            self.log.warning("%s: cell %d (%s) holds the instructor-only marker %r: withheld, "
                             "it is neither graded nor shown in feedback", student, i,
                             meta.get("grade_id", "not a graded cell"), marker)
        return nb, resources


def instructor_markers(parent=None) -> tuple[str, ...]:
    """nbgrader's solution and hidden-test delimiters, as configured.

    >>> instructor_markers()
    ('BEGIN SOLUTION', 'END SOLUTION', 'BEGIN HIDDEN TESTS', 'END HIDDEN TESTS')
    """
    sol, hid = ClearSolutions(parent=parent), ClearHiddenTests(parent=parent)
    return (sol.begin_solution_delimeter, sol.end_solution_delimeter,
            hid.begin_test_delimeter, hid.end_test_delimeter)


def _marker_in(source: str, markers) -> str | None:
    """The first marker found on a comment line (``### BEGIN SOLUTION``) of ``source``."""
    for line in source.splitlines():
        if line.lstrip().startswith("#"):
            for marker in markers:
                if marker in line:
                    return marker
    return None


def _wrap(text: str, width: int = 88) -> list[str]:
    return textwrap.wrap(text, width - 2)
