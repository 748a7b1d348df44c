"""A learner's HTML never runs in the instructor's formgrader or in the feedback page.

A scratch course goes through the real nbgrader CLI (generate, autograde,
generate_feedback) with this repository's ``nbgrader_config.py``.  One
student's notebook is hostile as submitted: markdown cells, raw cells,
attachments and cell and notebook metadata carry script in every form we know
of.  A second student's autograded notebook is then given hostile outputs of
every MIME type, as a course that executes notebooks at grading would produce.
Each payload, if it ran, would log ``9900 + n`` and set ``window.xss<n>``.

Debian's Chromium (through Playwright) then opens the feedback pages, the
real formgrader's submission view served by ``jupyter server`` with nbgrader's
server extension, and the autograded notebook in JupyterLab (formgrader's
"Open live notebook"), and checks that nothing ran, that the learner could not
hide cells or restyle the page, and that legitimate content (headings, bold,
math source for MathJax, tables, highlighted code, inline images, the
grader's verdicts) still shows.  As a control, the same autograded notebook
rendered by nbgrader without the course's settings must run the payloads:
otherwise the payloads, not the defence, would be what is broken.
"""
from __future__ import annotations

import base64
import html.parser
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

import nbformat
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st
from nbformat.v4 import new_markdown_cell, new_output, new_raw_cell, new_code_cell

from anncourse.grading.feedback_html import ID_PREFIX, clean_html
from anncourse.grading.sandbox import isolation_available

from conftest import ROOT, VENV_ENV
from conftest import run_nbgrader as nbgrader

CHROMIUM = Path("/usr/bin/chromium")
SLUG = "18-loss-functions"
CONFIG_MARKER = "# ---- anncourse: safe HTML in feedback and formgrader"
SOLUTION_BLOCK = re.compile(r"^[ \t]*### BEGIN SOLUTION\n(.*?)^[ \t]*### END SOLUTION\n?", re.S | re.M)
# A valid 1x1 PNG.
PNG = ("iVBORw0KGgoAAAANSUhEUgAAAAEAAAABCAYAAAAfFcSJAAAADUlEQVR42mNkYPhfDwAChwGA60e6kgAAAABJRU5ErkJggg==")


def fire(n: int) -> str:
    """JavaScript that reports payload ``n`` if it runs (no quotes, so it fits any attribute)."""
    return f"console.log({9900 + n});top.xss{n}=1"


# Markdown cells a learner adds.  Numbers 1-29.
MARKDOWN_PAYLOADS = {
    1: f"<script>{fire(1)}</script>",
    2: f'<img src=x onerror="{fire(2)}">',
    3: f'<svg onload="{fire(3)}"><circle r="1"></circle></svg>',
    4: f'<iframe srcdoc="<script>{fire(4)}</script>"></iframe>',
    5: f'<details open ontoggle="{fire(5)}"><summary>s</summary>x</details>',
    6: f'<input autofocus onfocus="{fire(6)}">',
    7: f'<a href="javascript:{fire(7)}">xss-click-7</a>',
    8: f"[xss-click-8](javascript:{fire(8)})",
    9: f'<form><button formaction="javascript:{fire(9)}">xss-click-9</button></form>',
    # A sanitiser-bypass form (mutation XSS); inert in a plain page.
    10: f'<math><mtext><table><mglyph><style><img src=x onerror="{fire(10)}"></style></mglyph></table></mtext></math>',
    11: f'<svg><animate onbegin="{fire(11)}" attributeName="x" dur="1s" begin="0s"></animate></svg>',
    12: f'<video><source src=x onerror="{fire(12)}"></video>',
    13: f"<IMG SRC=x OnErRoR={fire(13)}>",
    14: f"<svg><script>{fire(14)}</script></svg>",
    15: f'<noscript><p title="</noscript><img src=x onerror={fire(15)}>"></noscript>',
    16: f'<div><template shadowrootmode="open"><img src=x onerror="{fire(16)}"></template></div>',
    17: f'<object data="javascript:{fire(17)}"></object><embed src="javascript:{fire(17)}">',
    18: f'<meta http-equiv="refresh" content="0;url=javascript:{fire(18)}">',
    19: f'<a href="  JaVaScRiPt:{fire(19)}">xss-click-19</a>',
    20: f'<img src="x" onerror="{fire(20)}" alt="`<b>`">',
    21: f'<body onload="{fire(21)}"><img src=x onerror="{fire(21)}"></body>',
    22: f'<iframe src="attachment:page.html"></iframe><img src=x onerror="{fire(22)}">',
    23: f'<a href="data:text/html;base64,{base64.b64encode(b"<script>alert(1)</script>").decode()}">'
        "xss-click-23</a>",
    24: f'<svg><set onbegin="{fire(24)}" attributeName="fill" to="red"></set></svg>',
    25: f'<audio src=x onerror="{fire(25)}"></audio>',
    26: f'<style onload="{fire(26)}">a {{}}</style>',
    27: f'<img src="" onerror="{fire(27)}">',
    # MathJax's own links: its Safe extension (in the pages' MathJax URL) must refuse these.
    70: f"$\\href{{javascript:{fire(70)}}}{{x}}$",
}
STYLE_TRICKS = (
    "<style>body { background-color: rgb(1, 2, 3) !important }"
    " .output_error, .output_stdout, .nbgrader_cell { display: none !important }</style>\n\n"
    '<link rel="stylesheet" href="data:text/css,body{background-color:rgb(1,2,3)!important}">\n\n'
    '<base href="http://127.0.0.1:9/evil/">\n\n'
    '<div class="navbar navbar-fixed-top" style="position:fixed;top:0;left:0;width:100%;'
    'height:100%;z-index:9999;background:white">xss-overlay</div>\n\n'
    "# test_mse\n\n<span id=\"test_mse\">shadows formgrader's score box</span>\n"
)
# Raw cells, numbers 30-39.
RAW_PAYLOADS = [
    ({}, f'<script>{fire(30)}</script><img src=x onerror="{fire(31)}">'),
    ({"raw_mimetype": "text/html"}, f'<svg onload="{fire(32)}"></svg><iframe srcdoc="<script>{fire(33)}</script>">'),
    ({"format": "text/html"}, f"<script>{fire(34)}</script>"),
]
# Outputs given to the second student's notebook, numbers 40-59.
OUTPUTS = [
    new_output("display_data", data={"text/html": f'<img src=x onerror="{fire(40)}">',
                                     "text/plain": "html"}),
    new_output("display_data", data={"application/javascript": fire(41)}),
    new_output("display_data", data={"text/markdown": f"**md-out**\n\n<script>{fire(42)}</script>"}),
    new_output("display_data", data={"image/svg+xml": f'<svg xmlns="http://www.w3.org/2000/svg" '
                                     f'onload="{fire(43)}"><script>{fire(43)}</script></svg>'}),
    new_output("execute_result", execution_count=1,
               data={"text/html": f"<script>{fire(44)}</script>"},
               metadata={"text/html": {"isolated": True}}),
    new_output("display_data", data={"application/vnd.jupyter.widget-view+json": {
        "model_id": f"</script><script>{fire(45)}</script>", "version_major": 2, "version_minor": 0}}),
    new_output("stream", name="stdout", text=f"<script>{fire(46)}</script>\n"),
    new_output("error", ename="ValueError", evalue=f"<img src=x onerror={fire(47)}>",
               traceback=[f"\x1b[31m<img src=x onerror={fire(47)}>\x1b[0m"]),
    new_output("display_data", data={"text/latex": f"<script>{fire(48)}</script>"}),
    new_output("display_data", data={"image/png": PNG, "text/plain": "a plot"}),
]
LEGIT = (
    "## Legit heading 4711\n\n"
    "Some **bold words** and inline math $\\frac{a}{b} < c_1$.\n\n"
    "$$\\sum_{i=1}^{n} (y_i - \\hat y_i)^2$$\n\n"
    "| col | val |\n|-----|-----|\n| cell-a | 1 |\n\n"
    "```python\ndef legit(x):\n    return x < 1\n```\n\n"
    f"![inline png](data:image/png;base64,{PNG}) ![attached png](attachment:dot.png)\n\n"
    '<div class="alert alert-info">an alert box</div>\n\n'
    "[to the heading](#Legit-heading-4711)\n"
)
WIDGET_STATE = {"application/vnd.jupyter.widget-state+json": {
    "version_major": 2, "version_minor": 0,
    "state": {"x": {"model_name": f"</script><script>{fire(60)}</script>", "model_module": "m",
                    "model_module_version": "1", "state": {}}}}}

playwright = pytest.importorskip("playwright.sync_api")
needs_grader = pytest.mark.skipif(
    not isolation_available(),
    reason="bubblewrap is not installed or cannot create namespaces: the course's autograder "
           "refuses to run without it (apt-get install bubblewrap)")


def browser_test(test):
    """Mark a test that grades a course and drives Chromium."""
    for mark in (pytest.mark.browser, needs_grader,
                 pytest.mark.skipif(not CHROMIUM.exists(),
                                    reason="Debian's chromium is not installed (apt-get install chromium)")):
        test = mark(test)
    return test


# -- the submission ----------------------------------------------------------

def hostile_notebook(source, released):
    """The release with every answer right but ``mse``, plus the payloads."""
    nb = nbformat.from_dict(released)
    answers = {c.metadata.nbgrader["grade_id"]: c.source for c in source.cells
               if c.metadata.get("nbgrader", {}).get("solution")}
    for cell in nb.cells:
        gid = cell.metadata.get("nbgrader", {}).get("grade_id")
        if cell.metadata.get("nbgrader", {}).get("solution"):
            cell.source = SOLUTION_BLOCK.sub(r"\1", answers[gid])
        if gid == "mse":
            # The verdict quotes the learner's exception message.
            cell.source = ("def mse(y_true, y_pred):\n"
                           f"    raise ValueError('<img src=x onerror={fire(50)}>')\n")
        if gid in ("mse_grad", "test_huber"):
            # Would leave the answer, or the verdict, out of the page.
            cell.metadata["transient"] = {"remove_source": True}
            cell.metadata["jupyter"] = {"source_hidden": True, "outputs_hidden": True}
    extra = [new_markdown_cell(payload) for payload in MARKDOWN_PAYLOADS.values()]
    extra.append(new_markdown_cell(STYLE_TRICKS))
    legit = new_markdown_cell(LEGIT)
    legit.attachments = {"dot.png": {"image/png": PNG},
                         "page.html": {"text/html": base64.b64encode(
                             f"<script>{fire(22)}</script>".encode()).decode()}}
    extra.append(legit)
    extra += [new_raw_cell(src, metadata=meta) for meta, src in RAW_PAYLOADS]
    scratch = new_code_cell("print('scratch work')", metadata={"tags": [f'x" onmouseover="{fire(61)}']})
    scratch.outputs = list(OUTPUTS)  # ClearOutput removes them at autograding
    extra.append(scratch)
    nb.cells[1:1] = extra
    nb.metadata["widgets"] = WIDGET_STATE
    nb.metadata["title"] = f"<script>{fire(62)}</script>"
    return nb


def autograded_path(course, student):
    return course / "autograded" / student / SLUG / f"{SLUG}.ipynb"


def feedback_path(course, student):
    return course / "feedback" / student / SLUG / f"{SLUG}.html"


@pytest.fixture(scope="module")
def course(tmp_path_factory):
    """Scratch course: ``hostile`` as submitted, ``executed`` with hostile outputs added.

    Also a ``control`` copy whose feedback is made with nbgrader's stock settings.
    """
    started = time.monotonic()
    course = tmp_path_factory.mktemp("xss") / "course"
    course.mkdir()
    config = (ROOT / "nbgrader_config.py").read_text()
    assert CONFIG_MARKER in config, "nbgrader_config.py lacks the course's HTML sanitising block"
    (course / "nbgrader_config.py").write_text(config)
    shutil.copytree(ROOT / "solutions" / SLUG, course / "solutions" / SLUG)
    nbgrader(course, "generate_assignment", SLUG, "--force")
    source = nbformat.read(course / "solutions" / SLUG / f"{SLUG}.ipynb", as_version=4)
    released = nbformat.read(course / "course" / SLUG / f"{SLUG}.ipynb", as_version=4)
    for student in ("hostile", "executed"):
        folder = course / "submitted" / student / SLUG
        folder.mkdir(parents=True)
        nbformat.write(hostile_notebook(source, released), folder / f"{SLUG}.ipynb")
        nbgrader(course, "db", "student", "add", student)
    nbgrader(course, "autograde", SLUG)

    path = autograded_path(course, "executed")
    nb = nbformat.read(path, as_version=4)
    scratch = next(c for c in nb.cells if c.source.startswith("print('scratch work')"))
    scratch.outputs = list(OUTPUTS)
    nbformat.write(nb, path)
    nbgrader(course, "generate_feedback", SLUG)

    control = course.parent / "control"
    shutil.copytree(course, control, ignore=shutil.ignore_patterns("feedback"))
    (control / "nbgrader_config.py").write_text(config.split(CONFIG_MARKER)[0])
    nbgrader(control, "generate_feedback", SLUG)
    print(f"\ncourse built and graded in {time.monotonic() - started:.1f} s")
    return course, control


# -- what survives autograding -----------------------------------------------

@needs_grader
def test_what_reaches_the_rendered_notebook(course):
    """Outputs are cleared at autograding; markdown, raw cells and metadata are not."""
    course, _ = course
    nb = nbformat.read(autograded_path(course, "hostile"), as_version=4)
    sources = [c.source for c in nb.cells]
    for payload in MARKDOWN_PAYLOADS.values():
        assert payload in sources
    assert all(src in sources for _, src in RAW_PAYLOADS)
    scratch = next(c for c in nb.cells if c.source.startswith("print('scratch work')"))
    assert scratch.outputs == []
    assert nb.metadata["widgets"] == WIDGET_STATE
    test_mse = next(c for c in nb.cells if c.metadata.get("nbgrader", {}).get("grade_id") == "test_mse")
    assert fire(50) in test_mse.outputs[0]["evalue"]  # the verdict quotes the learner's message
    hidden = [c for c in nb.cells if c.metadata.get("transient", {}).get("remove_source")]
    assert len(hidden) == 2  # nbgrader keeps learner metadata; rendering must ignore it


# -- the browser -------------------------------------------------------------

@pytest.fixture(scope="module")
def browser():
    with playwright.sync_playwright() as pw:
        chromium = pw.chromium.launch(
            executable_path=str(CHROMIUM),
            args=["--no-sandbox", "--disable-gpu", "--no-first-run", "--disable-background-networking",
                  "--disable-component-update", "--disable-sync"])
        yield chromium
        chromium.close()


MATHJAX = Path("/usr/share/javascript/mathjax")  # Debian's libjs-mathjax, the 2.7 the pages ask for
MATHJAX_CDN = "https://cdnjs.cloudflare.com/ajax/libs/mathjax/2.7.7/"
# The CDN's latest.js loads MathJax.js from beside itself with the same query; so does this.
LATEST_JS = ("(function () { var s = document.createElement('script');"
             " s.src = document.currentScript.src.replace('latest.js', 'MathJax.js');"
             " document.head.appendChild(s); })();")


def _serve_mathjax(route):
    path = route.request.url[len(MATHJAX_CDN):].split("?")[0]
    if path == "latest.js":
        route.fulfill(body=LATEST_JS, content_type="text/javascript")
    elif (MATHJAX / path).is_file():
        route.fulfill(path=str(MATHJAX / path))
    else:
        route.abort()


def visit(browser, url, headers=None, mathjax=False, ready=None):
    """Open ``url`` in a fresh context, act as a reader would, and report what ran.

    With ``mathjax``, the pages' MathJax is served from Debian's copy and
    typesetting is awaited before acting; ``ready`` is a JavaScript condition
    to wait for after loading.
    """
    context = browser.new_context(viewport={"width": 1300, "height": 900}, extra_http_headers=headers)
    # Nothing but the page's own server: the MathJax CDN and the rest fail at once, offline or not.
    context.route(re.compile(r"^https?://(?!127\.0\.0\.1[:/])"), lambda route: route.abort())
    if mathjax:
        context.route(MATHJAX_CDN + "**", _serve_mathjax)  # the later route is tried first
    page = context.new_page()
    fired, dialogs = set(), []
    page.on("console", lambda msg: fired.update(
        int(t) - 9900 for t in re.findall(r"\b99\d\d\b", msg.text)))
    page.on("dialog", lambda d: (dialogs.append((d.type, d.message)), d.dismiss()))
    page.goto(url, wait_until="load", timeout=120_000)
    title = page.title()
    if ready:
        page.wait_for_function(ready, timeout=180_000)
    if mathjax:
        page.wait_for_function("() => window.MathJax && MathJax.isReady && MathJax.Hub.queue.pending === 0"
                               " && document.querySelector('.mjx-chtml') !== null", timeout=180_000)
    page.wait_for_timeout(1500)  # event handlers (onerror, ontoggle, onbegin) fire after load
    # Follow every learner link, and any link MathJax made, as a reader would (a script
    # click, so no overlay can stop it).
    page.evaluate("""() => { for (const el of document.querySelectorAll('a, button'))
        if (/^xss-click-\\d+$/.test(el.textContent.trim()) || el.closest('.mjx-chtml')) el.click(); }""")
    page.wait_for_timeout(1000)
    for frame in page.frames:
        try:
            fired.update(int(k[3:]) for k in frame.evaluate(
                "() => Object.keys(window).filter(k => /^xss\\d+$/.test(k))"))
        except playwright.Error:
            pass  # a frame that navigated away or is opaque
    return context, page, {"fired": fired, "dialogs": dialogs, "title": title}


def assert_nothing_ran(page, report, url):
    assert report["fired"] == set(), f"payloads ran: {sorted(report['fired'])}"
    assert report["dialogs"] == []
    assert page.title() == report["title"] and "99" not in page.title()
    assert page.url == url, "the page navigated away"
    assert page.evaluate("() => document.baseURI").split("?")[0] == url.split("?")[0].split("#")[0]
    # No learner <style>, <link> or overlay reached the page.
    assert page.evaluate("() => getComputedStyle(document.body).backgroundColor") != "rgb(1, 2, 3)"
    assert page.locator("text=xss-overlay").evaluate(
        "el => getComputedStyle(el).position") == "static"


def assert_legit_content(page):
    heading = page.locator("h2", has_text="Legit heading 4711")
    assert heading.count() == 1 and heading.is_visible()
    assert page.locator("strong", has_text="bold words").first.is_visible()
    text = page.locator("body").inner_text()
    # MathJax (loaded from its CDN when online) typesets what is left between the dollars.
    assert "$\\frac{a}{b} < c_1$" in text
    assert "$$\\sum_{i=1}^{n} (y_i - \\hat y_i)^2$$" in text
    assert page.locator("td", has_text="cell-a").count() == 1
    code = page.locator(".highlight", has_text="def legit(x):")
    assert code.count() == 1 and code.locator("span").count() > 3  # highlighted tokens
    assert "return x < 1" in code.inner_text()
    for alt in ("inline png", "attached png"):
        assert page.locator(f'img[alt="{alt}"]').evaluate("img => img.naturalWidth") == 1
    assert page.locator(".alert.alert-info", has_text="an alert box").count() == 1
    assert page.locator("a", has_text="to the heading").get_attribute("href") == \
        "#" + heading.get_attribute("id")
    # The refused HTML is shown as text, so the reader sees what was tried.
    assert "<script>" + fire(1) + "</script>" in text


def assert_verdicts_shown(page):
    failed = page.locator(".output_error", has_text="mse: FAILED")
    assert failed.count() == 1 and failed.is_visible()
    assert fire(50) in failed.inner_text()  # quoted as text
    passed = page.locator(".output_stdout", has_text="huber:")
    assert passed.count() == 1 and passed.is_visible()
    answer = page.locator(".input_area", has_text="def mse_grad(")
    assert answer.count() == 1 and answer.is_visible()


@browser_test
@pytest.mark.parametrize("student", ["hostile", "executed"])
def test_feedback_runs_no_learner_script(course, browser, student):
    course, _ = course
    url = feedback_path(course, student).as_uri()
    context, page, report = visit(browser, url)
    try:
        assert_nothing_ran(page, report, url)
        assert_legit_content(page)
        assert_verdicts_shown(page)
        if student == "executed":
            assert page.locator(".output_png img").evaluate("img => img.naturalWidth") == 1
            assert page.locator(".output_markdown strong", has_text="md-out").count() == 1
    finally:
        context.close()


# Payloads seen to run in nbgrader's stock feedback page with Debian's Chromium 156:
# markdown (script, event handlers, srcdoc, javascript: links) and outputs (HTML,
# markdown, isolated HTML).  SMIL onbegin (11, 24), declarative shadow DOM (16) and
# <style onload> (26) ran too but are left out here, being the likeliest to change
# between browser versions; the rest are inert in Chromium or, like the mutation
# forms 10 and 15, aimed at sanitisers.
LIVE_IN_STOCK_NBGRADER = {1, 2, 3, 4, 5, 6, 7, 8, 9, 12, 14, 19, 20, 21, 22, 25, 27, 40, 42, 44}


@browser_test
def test_stock_nbgrader_feedback_runs_the_payloads(course, browser):
    """Control: without the course's settings the same notebook's payloads do run."""
    _, control = course
    context, page, report = visit(browser, feedback_path(control, "executed").as_uri())
    context.close()
    assert LIVE_IN_STOCK_NBGRADER <= report["fired"], sorted(LIVE_IN_STOCK_NBGRADER - report["fired"])


def _free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


@pytest.fixture(scope="module")
def formgrader(course):
    """The real formgrader: ``jupyter server`` with nbgrader's extension, in the course."""
    course, _ = course
    port, token = _free_port(), secrets.token_hex(16)
    log_path = course.parent / "jupyter-server.log"
    with open(log_path, "w") as log:
        server = subprocess.Popen(
            [str(Path(sys.executable).parent / "jupyter"), "server", "--no-browser", f"--port={port}",
             "--ServerApp.ip=127.0.0.1", f"--IdentityProvider.token={token}",
             f"--ServerApp.root_dir={course}"] + (["--allow-root"] if os.geteuid() == 0 else []),
            cwd=course, env=VENV_ENV, stdout=log, stderr=subprocess.STDOUT)
    base = f"http://127.0.0.1:{port}"
    deadline = time.monotonic() + 120
    while True:
        try:
            urllib.request.urlopen(f"{base}/api/status?token={token}", timeout=2)
            break
        except OSError:
            if time.monotonic() > deadline or server.poll() is not None:
                server.kill()
                pytest.fail("jupyter server did not start:\n" + log_path.read_text())
            time.sleep(0.5)
    yield base, token, course
    server.terminate()
    try:
        server.wait(timeout=20)
    except subprocess.TimeoutExpired:
        server.kill()


@browser_test
@pytest.mark.parametrize("student", ["hostile", "executed"])
def test_formgrader_runs_no_learner_script(formgrader, browser, student):
    from nbgrader.api import Gradebook

    base, token, course = formgrader
    with Gradebook(f"sqlite:///{course / 'gradebook.db'}") as gb:
        submission = gb.find_submission_notebook(SLUG, SLUG, student).id
    url = f"{base}/formgrader/submissions/{submission}/"
    # The instructor is logged in: formgrader's own requests for the scores need it too.
    context, page, report = visit(browser, url, headers={"Authorization": f"token {token}"})
    try:
        assert "Manual Grading" in page.locator("nav").inner_text(), "not formgrader's submission view"
        assert_nothing_ran(page, report, page.url)
        assert_legit_content(page)
        assert_verdicts_shown(page)
        # formgrader's own script still finds its score boxes by grade id and fills them.
        boxes = page.evaluate("() => [...document.querySelectorAll('[id=\"test_mse\"]')].map(e => e.tagName)")
        assert boxes == ["INPUT"]
        # (the autograder's score is shown as the box's placeholder)
        page.wait_for_function("() => document.getElementById('test_huber').placeholder !== ''")
        assert float(page.locator("#test_mse").get_attribute("placeholder")) == 0
        assert float(page.locator("#test_huber").get_attribute("placeholder")) > 0
        assert page.locator("#test_huber").is_visible()
    finally:
        context.close()


@browser_test
@pytest.mark.skipif(not (MATHJAX / "MathJax.js").is_file(),
                    reason="Debian's libjs-mathjax is not installed (apt-get install libjs-mathjax)")
@pytest.mark.parametrize("view", ["feedback", "formgrader"])
def test_math_is_typeset_and_makes_no_script_link(formgrader, browser, view):
    """With MathJax loaded (as from its CDN when online), math renders and \\href cannot run script."""
    base, token, course = formgrader
    if view == "feedback":
        url, headers = feedback_path(course, "hostile").as_uri(), None
    else:
        from nbgrader.api import Gradebook

        with Gradebook(f"sqlite:///{course / 'gradebook.db'}") as gb:
            submission = gb.find_submission_notebook(SLUG, SLUG, "hostile").id
        url, headers = f"{base}/formgrader/submissions/{submission}/", {"Authorization": f"token {token}"}
    context, page, report = visit(browser, url, headers=headers, mathjax=True)
    try:
        assert report["fired"] == set(), sorted(report["fired"])
        legit = page.locator(".text_cell_render", has_text="Legit heading 4711")
        assert legit.locator(".mjx-chtml").count() >= 2  # the inline and the display formula
        assert "\\frac" not in legit.inner_text() and "\\sum" not in legit.inner_text()
        assert page.locator(".text_cell_render .mjx-chtml").count() > 20  # the chapter's own math
        links = page.evaluate("() => [...document.querySelectorAll('a[href]')]"
                              ".map(a => a.getAttribute('href')).filter(h => /^\\s*javascript:/i.test(h))")
        assert links == []
    finally:
        context.close()


@browser_test
@pytest.mark.parametrize("student", ["hostile", "executed"])
def test_live_notebook_in_jupyterlab_runs_no_learner_script(formgrader, browser, student):
    """formgrader's "Open live notebook" opens the autograded notebook in JupyterLab.

    nbgrader does not sign it, so JupyterLab treats it as untrusted: its own
    sanitiser renders the markdown and no script output runs.  (Signed with
    ``jupyter trust``, the second student's HTML, JavaScript and markdown
    outputs do run there: an instructor must not trust a submission.)
    """
    base, token, _ = formgrader
    # (reset: not the layout the previous test left, with the other notebook open)
    url = f"{base}/lab/tree/autograded/{student}/{SLUG}/{SLUG}.ipynb?reset&token={token}"
    verdict = ("() => [...document.querySelectorAll('.jp-OutputArea-output')]"
               ".some(o => o.textContent.includes('mse: FAILED'))")
    context, page, report = visit(browser, url, ready=verdict)
    try:
        assert report["fired"] == set(), sorted(report["fired"])
        # JupyterLab's sanitiser keeps <form><button>: clicking it submits the form, and
        # JupyterLab's own "leave the page?" question (beforeunload) keeps the page.
        assert [d for d in report["dialogs"] if d[0] != "beforeunload"] == []
        assert page.locator(".jp-MarkdownCell h2", has_text="Legit heading 4711").first.is_visible()
    finally:
        context.close()


# -- the sanitiser on its own ------------------------------------------------

_ALLOWED_TAGS = {"a", "abbr", "b", "blockquote", "br", "caption", "cite", "code", "col", "colgroup",
                 "dd", "del", "details", "dfn", "div", "dl", "dt", "em", "figcaption", "figure",
                 "h1", "h2", "h3", "h4", "h5", "h6", "hr", "i", "img", "ins", "kbd", "li", "mark",
                 "ol", "p", "pre", "q", "s", "samp", "small", "span", "strike", "strong", "sub",
                 "summary", "sup", "table", "tbody", "td", "tfoot", "th", "thead", "tr", "tt", "u",
                 "ul", "var"}


class _Audit(html.parser.HTMLParser):
    """Lists what, in sanitised HTML, could run script, load a document or restyle the page."""

    def __init__(self):
        super().__init__(convert_charrefs=True)
        self.problems = []

    def handle_starttag(self, tag, attrs):
        if tag not in _ALLOWED_TAGS:
            self.problems.append(f"tag {tag}")
        for name, value in attrs:
            value = re.sub(r"[\x00-\x20]", "", value or "").lower()
            if name.startswith("on") or name in ("srcdoc", "formaction", "action", "xlink:href"):
                self.problems.append(f"attribute {name}")
            if name in ("href", "src") and re.match(r"(javascript|vbscript|data):", value) and not (
                    tag == "img" and re.match(r"data:image/(png|jpeg|gif|webp|svg\+xml);base64,", value)):
                self.problems.append(f"{name}={value[:30]}")
            if name == "style" and re.search(r"position|url\(|expression|@import|z-index", value):
                self.problems.append(f"style {value[:30]}")
            if name == "id" and not value.startswith(ID_PREFIX.lower()):
                self.problems.append(f"id {value}")

    handle_startendtag = handle_starttag


PIECES = ["<", ">", "/", "=", '"', "'", "`", " ", "\n", "\t", "\x00", "&", "#", ";", "x", "!--", "-->",
          "script", "img", "svg", "iframe", "style", "a", "math", "base", "meta", "object", "h1",
          "template", "noscript", "title", "textarea", "details", " onerror", " onload", " ontoggle",
          " href", " src", " srcdoc", " style", " id", " class", "javascript:", "JaVa&#x09;script:",
          "&#106;avascript:", "data:text/html,", "data:image/png;base64,AAAA", "position:fixed",
          "alert(1)", "<![CDATA[", "]]>", "shadowrootmode", "navbar-fixed-top"]


@settings(max_examples=400, deadline=None)
@given(st.lists(st.sampled_from(PIECES), max_size=40).map("".join))
def test_sanitised_html_holds_nothing_active(fragment):
    cleaned = clean_html(fragment)
    audit = _Audit()
    audit.feed(cleaned)
    audit.close()
    assert audit.problems == [], (fragment, cleaned)
    # Markdown outputs pass through the sanitiser twice; the second pass changes nothing.
    assert clean_html(cleaned) == cleaned


@pytest.mark.parametrize("payload", [*MARKDOWN_PAYLOADS.values(), STYLE_TRICKS,
                                     *(src for _, src in RAW_PAYLOADS)])
def test_each_payload_is_neutralised(payload):
    audit = _Audit()
    audit.feed(clean_html(payload))
    audit.close()
    assert audit.problems == []


@pytest.mark.parametrize("html_in, expected", [
    ('<h2 id="Title">Title<a class="anchor-link" href="#Title">¶</a></h2>',
     f'<h2 id="{ID_PREFIX}Title">Title<a class="anchor-link" href="#{ID_PREFIX}Title">¶</a></h2>'),
    ('<div class="highlight"><pre><span class="kn">import</span></pre></div>',
     '<div class="highlight"><pre><span class="kn">import</span></pre></div>'),
    ("<p>$a < b$ &amp; <em>c</em></p>", "<p>$a &lt; b$ &amp; <em>c</em></p>"),
    ('<table><thead><tr><th align="left">a</th></tr></thead></table>',
     '<table><thead><tr><th align="left">a</th></tr></thead></table>'),
    (f'<img src="data:image/png;base64,{PNG}" alt="dot">', f'<img src="data:image/png;base64,{PNG}" alt="dot">'),
    ('<p style="color: red; position: fixed">x</p>', '<p style="color: red;">x</p>'),
    ('<div class="navbar-fixed-top alert alert-warning">x</div>', '<div class="alert alert-warning">x</div>'),
    ('<a href="https://pytorch.org/docs">docs</a>', '<a href="https://pytorch.org/docs">docs</a>'),
])
def test_legitimate_html_is_kept(html_in, expected):
    assert clean_html(html_in) == expected
