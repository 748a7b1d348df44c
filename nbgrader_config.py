"""nbgrader configuration for the anncourse course.

Instructor notebooks (solutions and hidden tests) live in solutions/; the
learner's notebooks in course/ are generated from them with
``anncourse generate`` (which runs ``nbgrader generate_assignment``).
"""
c = get_config()  # noqa: F821 (provided by nbgrader when it loads this file)

c.CourseDirectory.course_id = "anncourse"
c.CourseDirectory.source_directory = "solutions"
c.CourseDirectory.release_directory = "course"
c.CourseDirectory.submitted_directory = "submitted"
c.CourseDirectory.autograded_directory = "autograded"
c.CourseDirectory.feedback_directory = "feedback"
# Only notebooks belong in a release: nothing else under solutions/<assignment>/
# is copied to learners.
c.CourseDirectory.include = ["*.ipynb"]

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
    "anncourse.grading.autograde.TrustedGrades",
    "nbgrader.preprocessors.LimitOutput",
    "nbgrader.preprocessors.SaveAutoGrades",
    "nbgrader.preprocessors.AssignLatePenalties",
    "nbgrader.preprocessors.CheckCellMetadata",
]
