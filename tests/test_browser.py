"""The learner's and instructor's JupyterLab, in a real browser, built as Binder builds it.

An environment is made from binder/ alone (a fresh virtual environment,
``pip install -r binder/requirements.txt``, then ``binder/postBuild``), a
JupyterLab server from it is started on localhost with a token, and
Playwright drives Debian's Chromium through what a learner and an instructor
do. Screenshots of each step go to tests/artifacts/browser/ (not tracked).
"""
from __future__ import annotations

import os
import secrets
import shutil
import socket
import subprocess
import sys
import time
import urllib.request
from pathlib import Path

import pytest

from conftest import ROOT

CHROMIUM = Path("/usr/bin/chromium")
ARTIFACTS = ROOT / "tests" / "artifacts" / "browser"
SLUG = "18-loss-functions"
COPY_IGNORE = shutil.ignore_patterns(".venv", ".git", "artifacts", "__pycache__", "*.egg-info",
                                     ".pytest_cache", ".hypothesis", "gradebook.db")

playwright = pytest.importorskip("playwright.sync_api")
pytestmark = [
    pytest.mark.skipif(not CHROMIUM.exists(),
                       reason="Debian's chromium is not installed (apt-get install chromium)"),
    pytest.mark.browser,
]


def _free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


@pytest.fixture(scope="module")
def binder_env(tmp_path_factory):
    """A copy of the course and a virtual environment built from binder/ only."""
    work = tmp_path_factory.mktemp("binder")
    repo = work / "repo"
    shutil.copytree(ROOT, repo, ignore=COPY_IGNORE)
    venv = work / "venv"
    subprocess.run([sys.executable, "-m", "venv", str(venv)], check=True)
    env = {**os.environ, "PATH": f"{venv / 'bin'}{os.pathsep}{os.environ['PATH']}",
           "VIRTUAL_ENV": str(venv),
           # Where the CPU index cannot be reached (a closed network), fail over at once.
           "PIP_RETRIES": "0", "PIP_DISABLE_PIP_VERSION_CHECK": "1"}
    env.pop("PYTHONPATH", None)
    subprocess.run([str(venv / "bin" / "python"), "-m", "pip", "install", "-q", "-r",
                    "binder/requirements.txt"], cwd=repo, env=env, check=True)
    subprocess.run(["bash", "binder/postBuild"], cwd=repo, env=env, check=True)
    return repo, venv, env


@pytest.fixture(scope="module")
def lab(binder_env):
    repo, venv, env = binder_env
    port, token = _free_port(), secrets.token_hex(16)
    log = open(repo / "jupyterlab.log", "w")
    server = subprocess.Popen(
        [str(venv / "bin" / "jupyter"), "lab", "--no-browser", f"--port={port}",
         "--ServerApp.ip=127.0.0.1", f"--IdentityProvider.token={token}",
         f"--ServerApp.root_dir={repo}", "--LabApp.expose_app_in_browser=True"]
        + (["--allow-root"] if os.geteuid() == 0 else []),
        cwd=repo, env={**env, "ANNCOURSE_OFFLINE": "1"}, stdout=log, stderr=subprocess.STDOUT)
    base = f"http://127.0.0.1:{port}"
    deadline = time.monotonic() + 120
    while True:
        try:
            urllib.request.urlopen(f"{base}/api/status?token={token}", timeout=2)
            break
        except OSError:
            if time.monotonic() > deadline or server.poll() is not None:
                server.kill()
                pytest.fail("JupyterLab did not start:\n" + (repo / "jupyterlab.log").read_text())
            time.sleep(0.5)
    yield base, token, repo
    server.terminate()
    try:
        server.wait(timeout=20)
    except subprocess.TimeoutExpired:
        server.kill()
    log.close()


@pytest.fixture(scope="module")
def page(lab):
    ARTIFACTS.mkdir(parents=True, exist_ok=True)
    with playwright.sync_playwright() as pw:
        browser = pw.chromium.launch(
            executable_path=str(CHROMIUM),
            args=["--no-sandbox", "--disable-gpu", "--no-first-run",
                  "--disable-background-networking", "--disable-component-update",
                  "--disable-sync", "--disable-quic"])
        context = browser.new_context(viewport={"width": 1400, "height": 900})
        pg = context.new_page()
        pg.set_default_timeout(60_000)
        yield pg
        context.close()
        browser.close()


# -- JupyterLab through its own application object ---------------------------

NOTEBOOK_STATE = """() => {
  const panel = window.annPanel;
  const cells = panel.content.model.cells;
  let running = 0, errors = [], unrun = 0;
  for (let i = 0; i < cells.length; i++) {
    const cell = cells.get(i);
    if (cell.type !== 'code') continue;
    const json = cell.toJSON();
    if (json.execution_count === null) unrun++;
    for (const out of json.outputs) {
      if (out.output_type === 'error') errors.push([i, out.ename, String(out.evalue).slice(0, 300)]);
    }
  }
  const kernel = panel.sessionContext.session?.kernel?.status;
  return {kernel, errors, unrun, count: cells.length};
}"""


def open_notebook(page, lab, path):
    """Open ``path`` in JupyterLab (as the file browser does) and wait for its kernel.

    The panel is kept as ``window.annPanel`` so that later steps act on it,
    whatever JupyterLab restores or focuses meanwhile.
    """
    base, token, _ = lab
    if not page.url.startswith(base):
        page.goto(f"{base}/lab?token={token}")
        page.wait_for_function("() => window.jupyterapp && window.jupyterapp.started")
    page.evaluate("""async (path) => {
        const app = window.jupyterapp;
        await app.started;
        await app.restored;  // a restored layout must not steal the focus afterwards
        const panel = await app.commands.execute('docmanager:open', {path});
        window.annPanel = panel;
        await panel.context.ready;
        await panel.sessionContext.ready;
    }""", path)
    page.wait_for_function("() => window.annPanel.sessionContext.session?.kernel?.status === 'idle'",
                           timeout=180_000)


def run_all(page):
    page.evaluate("""() => {
        const app = window.jupyterapp;
        app.shell.activateById(window.annPanel.id);
    }""")
    page.wait_for_function("() => window.jupyterapp.shell.currentWidget === window.annPanel")
    page.evaluate("() => window.jupyterapp.commands.execute('notebook:run-all-cells')")
    # Done when the kernel is idle and no code cell is left without an execution count.
    page.wait_for_function(f"() => {{ const s = ({NOTEBOOK_STATE})(); "
                           "return s.kernel === 'idle' && s.unrun === 0; }", timeout=300_000)
    time.sleep(0.5)  # let the last outputs render before the screenshot
    return page.evaluate(NOTEBOOK_STATE)


def shot(page, name):
    page.screenshot(path=str(ARTIFACTS / f"{name}.png"), full_page=False)


# -- the tests, in the order a person would go -------------------------------

def test_learner_runs_the_released_notebook(page, lab):
    open_notebook(page, lab, f"course/{SLUG}/{SLUG}.ipynb")
    shot(page, "01-learner-opened")
    state = run_all(page)
    shot(page, "02-learner-ran-all")
    assert state["errors"], "the untouched exercises should fail their checks"
    for index, ename, evalue in state["errors"]:
        assert ename == "NotImplementedError" or (
            ename == "CheckFailed" and "NotImplementedError" in evalue), (index, ename, evalue)


def test_learner_moves_a_slider_and_the_explorer_redraws(page, lab):
    slider = page.locator(".widget-slider").first
    slider.scroll_into_view_if_needed()
    box = slider.locator("xpath=ancestor::div[contains(@class,'widget-vbox')][1]")
    image = box.locator("img").first
    image.wait_for()
    before = image.get_attribute("src")
    handle = slider.locator(".noUi-handle").first
    handle.focus()
    for _ in range(5):
        handle.press("ArrowRight")
    page.wait_for_function("([el, before]) => el.getAttribute('src') !== before",
                           arg=[image.element_handle(), before], timeout=30_000)
    shot(page, "03-learner-moved-slider")
    assert image.get_attribute("src") != before


def test_instructor_notebook_runs_without_error(page, lab):
    open_notebook(page, lab, f"solutions/{SLUG}/{SLUG}.ipynb")
    state = run_all(page)
    shot(page, "04-instructor-ran-all")
    assert state["errors"] == []


def test_validate_reports_success(page, lab):
    page.get_by_role("button", name="Validate").first.click()
    dialog = page.locator(".nbgrader-SuccessDialog, .nbgrader-ErrorDialog")
    dialog.wait_for(timeout=180_000)
    shot(page, "05-validate")
    assert "Success! Your notebook passes all the tests." in dialog.inner_text()
    page.keyboard.press("Escape")


def test_formgrader_lists_the_assignments(page, lab):
    page.locator(".lm-MenuBar-itemLabel", has_text="Nbgrader").click()
    page.locator(".lm-Menu-itemLabel", has_text="Formgrader").first.click()
    frame = page.frame_locator("#formgrader iframe")
    frame.locator("text=" + SLUG).first.wait_for(timeout=60_000)
    shot(page, "06-formgrader")
    assert frame.locator("text=" + SLUG).count() >= 1
