"""The learner's self-check: the grader's visible checks, run on a notebook file.

It grades the notebook as saved on disk, exactly as the autograder would,
except that hidden checks are not run (and not needed: no instructor file is
read).  Run it with ``anncourse check path/to/notebook.ipynb``.
"""
from __future__ import annotations

from dataclasses import dataclass

from .autograde import checks_in, grade_cell, learner_code_above

__all__ = ["ExerciseResult", "self_check"]


@dataclass(frozen=True)
class ExerciseResult:
    grade_id: str
    points: float
    earned: float
    message: str


def self_check(nb, *, isolation: str = "prefer") -> list[ExerciseResult]:
    """Grade each test cell of ``nb`` (a notebook node) on its visible checks."""
    results = []
    for index, cell in enumerate(nb.cells):
        meta = cell.get("metadata", {}).get("nbgrader", {})
        if cell.cell_type != "code" or not meta.get("grade") or meta.get("solution"):
            continue
        visible_only = "\n".join(
            f"check(f, {key!r})" for key, _ in checks_in(cell.source))
        fraction, messages, _ = grade_cell(visible_only, learner_code_above(nb, index),
                                           isolation=isolation)
        points = float(meta.get("points", 0))
        results.append(ExerciseResult(meta.get("grade_id", f"cell {index}"), points,
                                      round(points * fraction, 6), "\n".join(messages)))
    return results
