"""The learner's self-check: the grader's checks, run on a notebook file.

It grades the notebook as saved on disk, exactly as the autograder does:
the same sandbox, the same visible checks and the same hidden properties,
whose labels and verdicts it prints (never their inputs or expected values).
The only difference is the hidden inputs, which the grader draws with the
course's own secret.  No instructor file is read.  Run it with
``anncourse check path/to/notebook.ipynb``.
"""
from __future__ import annotations

from dataclasses import dataclass

from .notebook import grade_notebook

__all__ = ["ExerciseResult", "self_check"]


@dataclass(frozen=True)
class ExerciseResult:
    grade_id: str
    points: float
    earned: float
    message: str
    held: bool = False


def self_check(nb, *, isolation: str = "prefer", hidden: bool = True) -> list[ExerciseResult]:
    """Grade each test cell of ``nb`` (a notebook node) as the grader would."""
    return [ExerciseResult(g.grade_id, g.points, g.earned, g.text, g.review is not None)
            for g in grade_notebook(nb, hidden=hidden, isolation=isolation)]
