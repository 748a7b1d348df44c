"""The learner's and instructor's JupyterLab, in a real browser, built as Binder builds it.

An environment is made from binder/ alone (a fresh virtual environment,
``pip install -r binder/requirements.txt``, then ``binder/postBuild``), a
JupyterLab server from it is started on localhost with a token, and
Playwright drives Debian's Chromium through what a learner and an instructor
do, on every chapter the registry marks as written (the steps run in order for
one chapter, then for the next). Screenshots of each step go to
tests/artifacts/browser/ (not tracked).
"""
from __future__ import annotations

import json
import os
import re
import secrets
import shutil
import socket
import subprocess
import sys
import time
import urllib.request
from pathlib import Path

import pytest

from anncourse.course import get, written

from conftest import ROOT

CHROMIUM = Path("/usr/bin/chromium")
ARTIFACTS = ROOT / "tests" / "artifacts" / "browser"
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
    # Autosave off, in this test's own settings folder only: Validate saves the
    # notebook before it validates, and a save that races an autosave of a big
    # notebook (a loaded machine takes seconds to write one) finds the file
    # newer on disk than JupyterLab's copy, so JupyterLab stops to ask
    # "File Changed: overwrite or revert?" and Validate never starts.
    settings = repo.parent / "lab-user-settings"
    docmanager = settings / "@jupyterlab" / "docmanager-extension"
    docmanager.mkdir(parents=True, exist_ok=True)
    (docmanager / "plugin.jupyterlab-settings").write_text(json.dumps({"autosave": False}))
    server = subprocess.Popen(
        [str(venv / "bin" / "jupyter"), "lab", "--no-browser", f"--port={port}",
         "--ServerApp.ip=127.0.0.1", f"--IdentityProvider.token={token}",
         f"--ServerApp.root_dir={repo}", "--LabApp.expose_app_in_browser=True"]
        + (["--allow-root"] if os.geteuid() == 0 else []),
        cwd=repo, env={**env, "ANNCOURSE_OFFLINE": "1", "JUPYTERLAB_SETTINGS_DIR": str(settings)},
        stdout=log, stderr=subprocess.STDOUT)
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
    with urllib.request.urlopen(f"{base}/lab/api/settings/@jupyterlab/docmanager-extension:"
                                f"plugin?token={token}", timeout=30) as response:
        assert json.load(response)["settings"].get("autosave") is False, \
            "the test's settings folder did not turn autosave off"
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


@pytest.fixture(autouse=True)
def no_dialog_left_open(request):
    """Close any JupyterLab dialog a failed step left open before the next step.

    A modal dialog takes every click, so without this one chapter's failure
    would fail every later chapter's steps too.
    """
    if "page" in request.fixturenames:
        page = request.getfixturevalue("page")
        for _ in range(3):
            if page.locator(".jp-Dialog").count() == 0:
                break
            page.keyboard.press("Escape")
            time.sleep(0.5)
    yield


@pytest.fixture(scope="module", params=[a.slug for a in written()])
def slug(request):
    """The chapter under test: module-scoped, so pytest runs every step for one
    chapter before the next chapter's first step."""
    return request.param


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
      if (out.output_type === 'error') errors.push([i, out.ename, String(out.evalue).slice(0, 4000)]);
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


def activate(page):
    """Bring the notebook of the last ``open_notebook`` to the front."""
    page.evaluate("""() => {
        const app = window.jupyterapp;
        app.shell.activateById(window.annPanel.id);
    }""")
    page.wait_for_function("() => window.jupyterapp.shell.currentWidget === window.annPanel")


def run_all(page):
    activate(page)
    page.evaluate("() => window.jupyterapp.commands.execute('notebook:run-all-cells')")
    # Done when the kernel is idle and no code cell is left without an execution count.
    page.wait_for_function(f"() => {{ const s = ({NOTEBOOK_STATE})(); "
                           "return s.kernel === 'idle' && s.unrun === 0; }", timeout=300_000)
    time.sleep(0.5)  # let the last outputs render before the screenshot
    return page.evaluate(NOTEBOOK_STATE)


def shot(page, slug, name):
    page.screenshot(path=str(ARTIFACTS / f"{slug}-{name}.png"), full_page=False)


# -- the tests, in the order a person would go -------------------------------

def test_learner_runs_the_released_notebook(page, lab, slug):
    open_notebook(page, lab, f"course/{slug}/{slug}.ipynb")
    shot(page, slug, "01-learner-opened")
    state = run_all(page)
    shot(page, slug, "02-learner-ran-all")
    assert state["errors"], "the untouched exercises should fail their checks"
    for index, ename, evalue in state["errors"]:
        assert ename == "NotImplementedError" or (
            ename == "CheckFailed" and "NotImplementedError" in evalue), (index, ename, evalue)


NEWS_PROMPT = "official Jupyter news"

# Draws each character of the headings on a canvas in the headings' font and
# compares it with a code point no font has (U+10FFFD, private use): Chromium
# draws the same missing-glyph box for both when no installed font covers a
# character.  Below U+2000 every Latin font the page uses has the glyphs.
MISSING_GLYPHS = """(texts) => {
  const canvas = document.createElement('canvas');
  canvas.width = 48; canvas.height = 48;
  const ctx = canvas.getContext('2d', {willReadFrequently: true});
  const heading = document.querySelector('.jp-RenderedMarkdown h1, .jp-RenderedMarkdown h2');
  const family = getComputedStyle(heading || document.body).fontFamily;
  const draw = (ch) => {
    ctx.clearRect(0, 0, 48, 48);
    ctx.font = `28px ${family}`;
    ctx.fillText(ch, 4, 36);
    return ctx.getImageData(0, 0, 48, 48).data.join(',');
  };
  const box = draw(String.fromCodePoint(0x10FFFD));
  const missing = [];
  for (const text of texts) {
    for (const ch of text) {
      const cp = ch.codePointAt(0);
      // variation selectors and joiners only modify the character before them
      if (cp < 0x2000 || cp === 0xFE0F || cp === 0xFE0E || cp === 0x200D) continue;
      if (draw(ch) === box) missing.push([text, ch, 'U+' + cp.toString(16).toUpperCase()]);
    }
  }
  return missing;
}"""


def headings(path):
    """The heading lines of a notebook's markdown cells, without their maths."""
    import re

    import nbformat

    nb = nbformat.read(path, as_version=4)
    return [re.sub(r"\$[^$]*\$", "", line.lstrip("#").strip())
            for cell in nb.cells if cell.cell_type == "markdown"
            for line in cell.source.splitlines() if line.startswith("#")]


def test_lab_opens_without_the_news_prompt(page, lab, slug):
    base, token, _ = lab
    with urllib.request.urlopen(f"{base}/lab/api/settings/@jupyterlab/apputils-extension:"
                                f"notification?token={token}", timeout=30) as response:
        schema = json.load(response)["schema"]
    # binder/postBuild installed binder/overrides.json: JupyterLab's default is "ask".
    assert schema["properties"]["fetchNews"]["default"] == "false"
    time.sleep(2)  # the prompt, if any, is a toast emitted as the notification plugin starts
    assert NEWS_PROMPT not in page.inner_text("body")


def test_headings_have_no_missing_glyphs(page, lab, slug):
    _, _, repo = lab
    # The detector must be able to fail: a private-use code point has no glyph.
    assert page.evaluate(MISSING_GLYPHS, ["\U0010fffc"]), "the missing-glyph detector is blind"
    assert page.evaluate(MISSING_GLYPHS, ["cost \u2014 loss \u2192 gradient"]) == []
    found = page.evaluate(MISSING_GLYPHS, headings(repo / "course" / slug / f"{slug}.ipynb"))
    assert found == [], f"characters without a glyph in Chromium's fonts: {found}"


def test_learner_moves_a_slider_and_the_explorer_redraws(page, lab, slug):
    if not get(slug).explorers:
        pytest.skip(f"{slug} has no explorer")
    # The chapter's own notebook is the visible tab; earlier chapters' tabs
    # stay open, hidden, with sliders of their own.
    slider = page.locator(".widget-slider:visible").first
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
    shot(page, slug, "03-learner-moved-slider")
    assert image.get_attribute("src") != before


EPOCH_ABOVE = """([counter, n]) => {
  const found = counter.textContent.match(/epoch\\s*(\\d+)/);
  return found !== null && parseInt(found[1], 10) > n;
}"""


def test_learner_plays_the_playground(page, lab, slug):
    """Where a chapter shows the playground, its step and play buttons train the network live.

    Every tick of the Play widget is a message from the browser to the
    kernel, which trains an epoch: the epoch counter moves only if that whole
    path works in a real JupyterLab.
    """
    _, _, repo = lab
    if "playground(" not in (repo / "course" / slug / f"{slug}.ipynb").read_text():
        pytest.skip(f"{slug} shows no playground")
    counter = page.locator(".anncourse-epoch:visible").first
    counter.scroll_into_view_if_needed()
    box = counter.locator("xpath=ancestor::div[contains(@class,'widget-vbox')][1]")
    image = box.locator("img").first

    def epoch() -> int:
        text = counter.evaluate("el => el.textContent")
        found = re.search(r"epoch\s*(\d+)", text)
        assert found, f"no epoch counter in {text!r}"
        return int(found.group(1))

    # The widget's view may still be filling in after the notebook ran (or after
    # scrolling brought the cell back into JupyterLab's window): wait for its text.
    page.wait_for_function(EPOCH_ABOVE, arg=[counter.element_handle(), -1], timeout=60_000)
    start, before = epoch(), image.get_attribute("src")
    box.get_by_role("button", name="step").click()
    page.wait_for_function(EPOCH_ABOVE, arg=[counter.element_handle(), start], timeout=60_000)
    stepped = epoch()
    assert stepped == start + 1
    page.wait_for_function("([el, before]) => el.getAttribute('src') !== before",
                           arg=[image.element_handle(), before], timeout=30_000)

    box.locator(".widget-play button:has(i.fa-play)").first.click()
    page.wait_for_function(EPOCH_ABOVE, arg=[counter.element_handle(), stepped + 2],
                           timeout=60_000)
    box.locator(".widget-play button:has(i.fa-pause)").first.click()
    shot(page, slug, "03b-learner-played-the-playground")
    paused = epoch()
    assert paused > stepped + 2
    time.sleep(2)  # ticks already on their way may land; then the counter must stand still
    settled = epoch()
    time.sleep(2)
    assert epoch() == settled


def test_instructor_opens_the_solutions(page, lab, slug):
    # Not run here: Validate (next) executes the whole instructor notebook on the
    # server, the learner's run above executed every cell but the solutions in
    # this JupyterLab, and tests/test_notebooks.py checks that the instructor's
    # notebook runs without an error. A third execution per chapter only cost time.
    open_notebook(page, lab, f"solutions/{slug}/{slug}.ipynb")
    activate(page)
    shot(page, slug, "04-instructor-opened")
    state = page.evaluate(NOTEBOOK_STATE)
    assert state["kernel"] == "idle" and state["count"] > 0
    validate = page.get_by_role("button", name="Validate").first
    validate.wait_for(state="visible", timeout=60_000)


def test_validate_reports_success(page, lab, slug):
    page.get_by_role("button", name="Validate").first.click()
    dialog = page.locator(".nbgrader-SuccessDialog, .nbgrader-ErrorDialog")
    dialog.wait_for(timeout=180_000)
    shot(page, slug, "05-validate")
    assert "Success! Your notebook passes all the tests." in dialog.inner_text()
    page.keyboard.press("Escape")


def test_formgrader_lists_the_assignments(page, lab, slug):
    page.locator(".lm-MenuBar-itemLabel", has_text="Nbgrader").click()
    page.locator(".lm-Menu-itemLabel", has_text="Formgrader").first.click()
    frame = page.frame_locator("#formgrader iframe")
    frame.locator("text=" + slug).first.wait_for(timeout=60_000)
    shot(page, slug, "06-formgrader")
    assert frame.locator("text=" + slug).count() >= 1
