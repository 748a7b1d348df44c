"""JupyterHub for a department: one server, local Unix users, one grader per course.

``setup.sh`` (beside this file) prepares the server: the users and their Unix
groups, the exchange, the virtual environment, the proxy and one course folder
per grader. This file then only describes the hub; it reads those groups, so the
roster lives in one place (``/etc/group``).

Who is who, per course ``C`` (nbgrader's names for them):

* ``nbgrader-C``: the learners of C. Their own server lists C's assignments.
* ``formgrade-C``: its instructors and TAs. They may open C's grader.
* the service ``C``, run as the Unix user ``grader-C``: a JupyterLab server with
  formgrader on C's course folder, reached at ``/services/C/``. nbgrader's course
  list looks a course's grader up by the course id, so the service bears that name.

JupyterHub 2 and later grant access by roles. The role ``formgrade-C`` gives its
group the scope ``access:services!service=C``; nobody else can reach the grader,
learners included (they get 403).

Settings come from the environment, with the defaults ``setup.sh`` uses:

==========================  ================================  =======================
variable                    meaning                           default
==========================  ================================  =======================
ANNCOURSE_HUB_PREFIX        where setup.sh installed          /opt/anncourse
ANNCOURSE_HUB_COURSES       the course ids, space-separated   anncourse
ANNCOURSE_HUB_URL           the address the hub listens on    http://:8000
ANNCOURSE_HUB_GRADER_PORT   the first grader's port           9001 (then 9002, ...)
==========================  ================================  =======================
"""
import grp
import json
import os
from pathlib import Path

c = get_config()  # noqa: F821 (provided by JupyterHub when it loads this file)

PREFIX = Path(os.environ.get("ANNCOURSE_HUB_PREFIX", "/opt/anncourse"))
COURSES = os.environ.get("ANNCOURSE_HUB_COURSES", "anncourse").split()
VENV = PREFIX / "venv"
STATE = PREFIX / "hub"
GRADER_PORT = int(os.environ.get("ANNCOURSE_HUB_GRADER_PORT", "9001"))
# Every server and grader finds the course's commands first: nbgrader runs
# `alembic` by name to version its gradebook.
PATH = f"{VENV / 'bin'}:/usr/local/bin:/usr/bin:/bin"


def members(group: str) -> list[str]:
    """The Unix users of a group that setup.sh made (an absent group has none)."""
    try:
        return sorted(grp.getgrnam(group).gr_mem)
    except KeyError:
        return []


# ---- the hub itself ----
c.JupyterHub.bind_url = os.environ.get("ANNCOURSE_HUB_URL", "http://:8000")
c.JupyterHub.cookie_secret_file = str(STATE / "jupyterhub_cookie_secret")
c.JupyterHub.db_url = f"sqlite:///{STATE / 'jupyterhub.sqlite'}"
c.ConfigurableHTTPProxy.command = [str(PREFIX / "proxy" / "node_modules" / ".bin"
                                       / "configurable-http-proxy")]
# Servers keep running when the hub restarts (to add a learner, say).
c.JupyterHub.cleanup_servers = False

# ---- who may log in: Unix passwords, members of a course's groups only ----
c.JupyterHub.authenticator_class = "pam"
learners = {course: members(f"nbgrader-{course}") for course in COURSES}
teachers = {course: members(f"formgrade-{course}") for course in COURSES}
c.Authenticator.allowed_users = {name for group in [*learners.values(), *teachers.values()]
                                 for name in group}
# Accounts are made by setup.sh, never by the hub.
c.LocalAuthenticator.create_system_users = False

# ---- each user's own server, as their own Unix user ----
c.JupyterHub.spawner_class = "localprocess"
c.Spawner.cmd = [str(VENV / "bin" / "jupyterhub-singleuser")]
c.Spawner.default_url = "/lab"
c.Spawner.notebook_dir = "~"
c.Spawner.environment = {"PATH": PATH}
# Grading happens in the course's grader; a formgrader in a person's own server
# would show an empty course of its own. (traitlets reads a dict on the command
# line as a Python literal; the other extensions stay as installed.)
c.Spawner.args = ["--ServerApp.jpserver_extensions="
                  + repr({"nbgrader.server_extensions.formgrader": False})]
c.Spawner.start_timeout = 120
c.Spawner.http_timeout = 120

# ---- the groups and roles ----
c.JupyterHub.load_groups = {}
# A learner's server asks the hub which courses its user belongs to (nbgrader's
# JupyterHubAuthPlugin reads the user's groups) and where each course's grader
# is (the service list). JupyterHub's default server token may only post
# activity; these four scopes add exactly that. A token never has more than
# its owner, so the service list is cut down to the user's own courses' graders.
roles = [{
    "name": "server",
    "description": "A user's server: activity, its own groups, and the services' addresses.",
    "scopes": ["users:activity!user", "access:servers!server", "read:users:name!user",
               "read:users:groups!user", "list:services", "read:services"],
}]
services = []
for index, course in enumerate(COURSES):
    # nbgrader's course list (in every user's server) reads the service list to
    # find the course's grader: its members may see that one service's model.
    see_grader = [f"list:services!service={course}", f"read:services!service={course}"]
    c.JupyterHub.load_groups[f"nbgrader-{course}"] = {"users": learners[course]}
    # The grader asks the hub for its own user's courses too (nbgrader's
    # JupyterHubAuthPlugin, when formgrader lists or releases), so its Unix
    # user is also a hub user of the course's formgrade group. It cannot log
    # in: it is not an allowed user, and setup.sh gives it no password.
    c.JupyterHub.load_groups[f"formgrade-{course}"] = {"users": [*teachers[course], f"grader-{course}"]}
    roles.append({
        "name": f"formgrade-{course}",
        "description": f"Instructors and TAs of {course} reach its grader.",
        "groups": [f"formgrade-{course}"],
        "scopes": [f"access:services!service={course}", *see_grader],
    })
    roles.append({
        "name": f"nbgrader-{course}",
        "description": f"Learners of {course} see that its grader exists (not reach it).",
        "groups": [f"nbgrader-{course}"],
        "scopes": see_grader,
    })
    roles.append({
        # formgrader's "add a student" puts them in the learners' group.
        "name": f"grader-{course}",
        "description": f"{course}'s grader reads who is in the course and manages its learners' group.",
        "services": [course],
        "scopes": ["list:users", "read:users:name", "read:users:groups", "list:groups",
                   f"read:groups!group=nbgrader-{course}", f"groups!group=nbgrader-{course}"],
    })
    grader = f"grader-{course}"
    home = Path(os.path.expanduser(f"~{grader}"))
    services.append({
        "name": course,
        "url": f"http://127.0.0.1:{GRADER_PORT + index}",
        "user": grader,
        "cwd": str(home),
        "command": [
            str(VENV / "bin" / "jupyterhub-singleuser"),
            f"--ServerApp.root_dir={home / course}",
            # The formgrader panel of JupyterLab is a frame of the grader's own
            # /formgrader page. The single-user server sends frame-ancestors
            # 'none' by default, which leaves that panel blank; the grader (and
            # only it: learners' servers keep 'none') lets its own pages frame
            # it. The trade-off: another page of this origin (the hub, any
            # user's server) could frame the grader too; framing still needs an
            # instructor's session, and the hub's pages set 'none' themselves.
            "--ServerApp.tornado_settings="
            + json.dumps({"headers": {"Content-Security-Policy": "frame-ancestors 'self'"}}),
        ],
        "environment": {"PATH": PATH, "JUPYTERHUB_DEFAULT_URL": "/lab"},
        # An instructor is not asked to authorise their own course's grader.
        "oauth_no_confirm": True,
        "display": True,
    })
c.JupyterHub.load_roles = roles
c.JupyterHub.services = services
