"""nbgrader configuration for the anncourse course.

Instructor notebooks (solutions and hidden tests) live in solutions/; the
learner's notebooks in course/ are generated from them with
``anncourse generate`` (which runs ``nbgrader generate_assignment``).
"""
import os

c = get_config()  # noqa: F821 (provided by nbgrader when it loads this file)

c.CourseDirectory.course_id = "anncourse"
c.CourseDirectory.source_directory = "solutions"
c.CourseDirectory.release_directory = "course"
c.CourseDirectory.submitted_directory = "submitted"
c.CourseDirectory.autograded_directory = "autograded"
c.CourseDirectory.feedback_directory = "feedback"

# ---- anncourse: the gradebook's database (anncourse.grading.database) ----
# nbgrader's default is the sqlite file gradebook.db in the course folder.  Set
# ANNCOURSE_DB_URL (e.g. postgresql+psycopg://user:password@host:5432/gradebook,
# with `pip install 'anncourse[postgres]'`) to keep the gradebook on a server
# instead: several graders can then write to it at once.  Unset, nothing is
# imported here: whoever loads this file without anncourse installed still can.
if os.environ.get("ANNCOURSE_DB_URL", "").strip():
    from anncourse.grading.database import gradebook_url

    c.CourseDirectory.db_url = gradebook_url()
# ---- end of gradebook database block ----

# nbgrader applies this list to every copy through the exchange: release_assignment
# (course/ -> outbound), submit (learner -> inbound) and collect (inbound ->
# submitted/).  Only notebooks go out to learners, and only notebooks come back,
# together with the two files `nbgrader submit` writes into each submission:
# timestamp.txt (the submission time: gradebook, late penalties, grades.csv) and
# submission_secret.txt (release_feedback and fetch_feedback name a learner's
# feedback by a hash of it).  Without them collect drops both, release_feedback
# fails on the missing timestamp.txt and no learner finds feedback.
# (generate_assignment copies other files of solutions/<assignment>/ into course/
# regardless; they just never reach learners.)
c.CourseDirectory.include = ["*.ipynb", "timestamp.txt", "submission_secret.txt"]

# Before grading, nbgrader "sanitises" each submission.  Its own first step trusts
# the nbgrader metadata stored in the learner's notebook: a pasted copy of a graded
# cell (a duplicate grade id) or `schema_version: 99` in one cell aborts the whole
# class's `nbgrader autograde` run.  RepairMetadata takes every graded cell's
# metadata from the gradebook instead, one cell per grade id; copies and cells
# with unknown or malformed metadata are graded as ordinary cells.
c.Autograde.sanitize_preprocessors = [
    "anncourse.grading.sanitize.RepairMetadata",
    "nbgrader.preprocessors.ClearOutput",
    "nbgrader.preprocessors.OverwriteKernelspec",
    "nbgrader.preprocessors.OverwriteCells",
    "nbgrader.preprocessors.CheckCellMetadata",
]

# A learner owns their folder in the exchange and can replace a submitted notebook
# by a link to the instructor's notebook: collect refuses submissions holding links,
# hard links or special files (anncourse.grading.exchange).
c.ExchangeFactory.collect = "anncourse.grading.exchange.SafeCollect"

# Every notebook runs in well under a minute; a cell that takes longer than
# this is stuck (an infinite loop in a submission, say) and is stopped.
c.Execute.timeout = 120
c.Execute.startup_timeout = 120
c.Execute.interrupt_on_timeout = True
c.Execute.allow_errors = True

c.ClearSolutions.code_stub = {
    "python": "# YOUR CODE HERE\nraise NotImplementedError()",
}
c.ClearSolutions.text_stub = "YOUR ANSWER HERE"

# Autograding runs each exercise's checks in the grader, calling the learner's
# functions in a sandbox (anncourse.grading.autograde): the learner's notebook
# is never executed in a kernel with access to the course, and nothing it does
# can change a verdict.  See README, "Grading and its security model".
c.Autograde.autograde_preprocessors = [
    "nbgrader.preprocessors.IgnorePattern",
    "nbconvert.preprocessors.ClearMetadataPreprocessor",
    # Cells holding the instructor's solution or hidden-test markers (a copy of the
    # instructor's notebook) are replaced by a notice: no points, no solutions in feedback.
    "anncourse.grading.sanitize.WithholdInstructorCode",
    "anncourse.grading.autograde.TrustedGrades",
    "nbgrader.preprocessors.LimitOutput",
    "nbgrader.preprocessors.SaveAutoGrades",
    "anncourse.grading.autograde.FlagForReview",
    "nbgrader.preprocessors.AssignLatePenalties",
    "nbgrader.preprocessors.CheckCellMetadata",
]

# ---- anncourse: safe HTML in feedback and formgrader (anncourse.grading.feedback_html) ----
# nbgrader's feedback and formgrader pages render a learner's markdown and raw
# cells, and any outputs, as HTML in the reader's browser: sanitise all of it,
# and ignore the cell metadata with which a submission could hide cells.
c.HTMLExporter.sanitize_html = True
c.HTMLExporter.filters = {
    "markdown2html": "anncourse.grading.feedback_html.SafeMarkdown",
    "clean_html": "anncourse.grading.feedback_html.clean_html",
}
c.HTMLExporter.preprocessors = ["anncourse.grading.feedback_html.ShowSubmittedCells"]
# ---- end of safe HTML block ----
