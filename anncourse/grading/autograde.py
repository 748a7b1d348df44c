"""nbgrader's autograding step, replaced by grading that a submission cannot talk its way around.

nbgrader's usual autograding runs the learner's notebook, hidden tests
included, in one kernel and trusts what the test cells print: a submission
that patches ``np.allclose``, hooks IPython or reads the instructor's files
gets full marks.  :class:`TrustedGrades` replaces that step: it grades the
notebook with :func:`~anncourse.grading.notebook.grade_notebook` (one
sandbox per notebook, the learner's functions called from the grader) and
writes each test cell's verdict as its output, which nbgrader's
``SaveAutoGrades`` turns into points (an error output scores 0, a number is
partial credit).  :class:`FlagForReview`, after ``SaveAutoGrades``, marks
held answers for the instructor's review in the gradebook.
"""
from __future__ import annotations

import os
from pathlib import Path

from nbformat.v4 import new_output
from nbgrader.preprocessors import NbGraderPreprocessor
from traitlets import Float, Integer, Unicode

from .notebook import (_HIDDEN, TIME_BUDGET, CellGrade, _is_test_cell, checks_in,
                       copies_reference, course_secret, grade_notebook, learner_cells,
                       submission_salt)

__all__ = ["FlagForReview", "TrustedGrades", "checks_in", "copies_reference", "grade_notebook",
           "learner_cells"]



class TrustedGrades(NbGraderPreprocessor):
    """Grade each test cell in a sandbox and write the verdict as its output."""

    isolation = Unicode(
        os.environ.get("ANNCOURSE_ISOLATION", "require"),
        help="'require' bubblewrap isolation (default), 'prefer' it, or 'off'.",
    ).tag(config=True)
    call_timeout = Float(10.0, help="Seconds one call of a learner's function may take.").tag(
        config=True)
    memory_mb = Integer(1024, help="Memory limit of the process holding a learner's code.").tag(
        config=True)
    time_budget = Float(TIME_BUDGET, help="Seconds the grading of one notebook may take in "
                                          "all.").tag(config=True)
    secret_file = Unicode(".anncourse/grading_secret",
                          help="The course's grading secret (created on first use; keep it "
                               "out of the repository), relative to the course root.").tag(
        config=True)

    def _salt(self, resources) -> int | None:
        info = resources.get("nbgrader", {}) if isinstance(resources, dict) else {}
        if not info.get("student"):
            return None
        root = Path(getattr(getattr(self, "coursedir", None), "root", "") or os.getcwd())
        path = Path(self.secret_file)
        secret = course_secret(path if path.is_absolute() else root / path)
        return submission_salt(secret, str(info.get("assignment", "")),
                               str(info.get("student", "")), str(info.get("notebook", "")))

    def preprocess(self, nb, resources):
        try:
            grades = grade_notebook(nb, hidden="cell", isolation=self.isolation,
                                    timeout=self.call_timeout, memory_mb=self.memory_mb,
                                    time_budget=self.time_budget, salt=self._salt(resources))
        except Exception as exc:  # noqa: BLE001 - never stop the class's run
            self.log.error("could not grade this notebook: %s", exc)
            grades = []
        by_index = {g.index: g for g in grades}
        for index, cell in enumerate(nb.cells):
            if not _is_test_cell(cell):
                continue
            grade = by_index.get(index) or CellGrade(index, "", 0.0, 0.0,
                                                     ["this cell could not be graded"])
            text = grade.text
            if grade.fraction >= 1.0:
                cell.outputs = [new_output("stream", name="stdout", text=text + "\n")]
            elif grade.fraction > 0:
                cell.outputs = [new_output("stream", name="stdout", text=text + "\n"),
                                new_output("execute_result", execution_count=None,
                                           data={"text/plain": repr(grade.earned)})]
            else:
                cell.outputs = [new_output("error", ename="CheckFailed", evalue=text,
                                           traceback=[text])]
            if grade.review:
                cell.metadata.setdefault("anncourse", {})["review"] = grade.review
            cell.source = _HIDDEN.sub("# (hidden checks ran at grading)\n", cell.source)
            self.log.info("%s: %s", grade.grade_id, (text.splitlines() or [""])[0])
        return nb, resources

class FlagForReview(NbGraderPreprocessor):
    """Mark held answers (suspected copies, grader errors) for manual review.

    Runs after nbgrader's ``SaveAutoGrades``: each test cell that
    :class:`TrustedGrades` held gets ``needs_manual_grade`` in the
    gradebook, so formgrader lists the submission as needing grading and
    the instructor can give the points after looking.
    """

    def preprocess(self, nb, resources):
        from nbgrader.api import Gradebook, MissingEntry

        info = resources.get("nbgrader", {})
        held = [c for c in nb.cells if isinstance(c.metadata.get("anncourse"), dict)
                and c.metadata["anncourse"].get("review")]
        if not held or "db_url" not in info:
            return nb, resources
        with Gradebook(info["db_url"]) as gb:
            for cell in held:
                try:
                    grade = gb.find_grade(cell.metadata.nbgrader["grade_id"], info["notebook"],
                                          info["assignment"], info["student"])
                except (MissingEntry, KeyError):
                    continue
                grade.needs_manual_grade = True
                self.log.warning("%s / %s: held for review (%s)", info["student"],
                                 cell.metadata.nbgrader["grade_id"],
                                 cell.metadata["anncourse"]["review"])
            gb.db.commit()
        return nb, resources
