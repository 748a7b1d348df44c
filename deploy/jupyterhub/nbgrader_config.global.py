"""nbgrader configuration shared by every server and grader of the hub's venv.

setup.sh writes it, with the exchange's path, to PREFIX/venv/etc/jupyter/,
which Jupyter reads for every program run from that venv.
"""
c = get_config()  # noqa: F821 (provided by nbgrader when it loads this file)

c.Exchange.root = "@EXCHANGE@"
# Several courses share one exchange, each in a folder named after it, and a
# learner's fetched notebooks go to ~/COURSE/ASSIGNMENT.
c.Exchange.path_includes_course = True
# Which courses a user belongs to comes from their JupyterHub groups:
# nbgrader-COURSE (learner) and formgrade-COURSE (instructor).
c.Authenticator.plugin_class = "nbgrader.auth.JupyterHubAuthPlugin"
