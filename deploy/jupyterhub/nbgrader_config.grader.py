"""nbgrader configuration of one course's grader (~grader-COURSE/.jupyter/).

setup.sh writes it with the course folder's path. The course folder's own
nbgrader_config.py (the course's, plus its course id) is read after this file.
"""
c = get_config()  # noqa: F821 (provided by nbgrader when it loads this file)

c.CourseDirectory.root = "@COURSE_ROOT@"
