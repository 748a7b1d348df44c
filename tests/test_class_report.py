"""``anncourse report`` on a real graded class, where every expected count is known.

The class of chapter 01-introduction is built as tests/test_roundtrip.py
builds it (the solved, the untouched and the partly wrong submissions, graded
by the real ``nbgrader autograde``), with two more learners who make the
usual mistakes the spec gives hints for, one learner in the gradebook who
never submitted, and two submissions stamped after the due date set in the
gradebook.
"""
from __future__ import annotations

import csv
import datetime as dt
import re
import shutil
from pathlib import Path

import nbformat
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st
from nbgrader.api import Gradebook

from anncourse.grading.core import Assessment, Verdict, assess
from anncourse.grading.notebook import _exercise_message
from anncourse.grading.report import (Outcome, check_verdicts, mistakes_of,
                                      parse_output, write_report)
from anncourse.grading.sandbox import isolation_available
from anncourse.grading.specs import get_exercise

from conftest import ROOT
from conftest import run_nbgrader as nbgrader
from test_roundtrip import answers_of, partly_wrong, solved, uses

SLUG = "01-introduction"
EXERCISES = ["gate_parameters", "mp_neuron", "perceptron_fit", "perceptron_predict", "xor_network"]
DUE = dt.datetime(2026, 3, 1, 12, 0, 0)
# Ids and names unlike any word the report writes, so finding one in the page means a leak.
CLASS = {
    "qx-solved-7": ("Ada", "Quillfeather", DUE - dt.timedelta(days=1)),
    "qx-blank-3": ("Bo", "Yarrowmere", DUE - dt.timedelta(hours=5)),
    "qx-half-9": ("Cy", "Thistlewick", DUE + dt.timedelta(hours=26, minutes=30)),  # late
    "qx-strict-2": ("Di", "Brackenhold", DUE - dt.timedelta(minutes=1)),
    "qx-twoerr-5": ("Ek", "Marrowdale", DUE + dt.timedelta(hours=3)),  # late
    "qx-absent-8": ("Fa", "Nettlecombe", None),  # in the gradebook, never submitted
}

# The learners' own wrong answers (written as a learner would, in the answer cell).
STRICT_MP_NEURON = '''def mp_neuron(x, w, threshold):
    x = np.asarray(x, dtype=float)
    return (x @ np.asarray(w, dtype=float) > threshold).astype(int)
'''
NO_BIAS_PREDICT = '''def perceptron_predict(X, w, b):
    return (np.asarray(X, dtype=float) @ np.asarray(w, dtype=float) > 0).astype(int)
'''
STRICT_HINT = get_exercise(f"{SLUG}/mp_neuron").mistakes[0].hint
NO_BIAS_HINT = get_exercise(f"{SLUG}/perceptron_predict").mistakes[1].hint


def _with_answers(nb, answers: dict):
    nb = nbformat.from_dict(nb)
    for cell in nb.cells:
        meta = cell.metadata.get("nbgrader", {})
        if cell.cell_type == "code" and meta.get("solution") and meta.get("grade_id") in answers:
            cell.source = answers[meta["grade_id"]]
    return nb


@pytest.fixture(scope="module")
def graded_class(tmp_path_factory):
    if not isolation_available():
        pytest.skip("bubblewrap is not installed or cannot create namespaces: the course's "
                    "autograder refuses to run without it (apt-get install bubblewrap)")
    course = tmp_path_factory.mktemp("class")
    shutil.copy(ROOT / "nbgrader_config.py", course)
    shutil.copytree(ROOT / "solutions" / SLUG, course / "solutions" / SLUG)
    nbgrader(course, "generate_assignment", SLUG, "--force")
    with Gradebook(f"sqlite:///{course / 'gradebook.db'}") as gb:
        gb.update_or_create_assignment(SLUG, duedate=DUE)
        for student, (first, last, _) in CLASS.items():
            gb.update_or_create_student(student, first_name=first, last_name=last)

    source = nbformat.read(course / "solutions" / SLUG / f"{SLUG}.ipynb", as_version=4)
    released = nbformat.read(course / "course" / SLUG / f"{SLUG}.ipynb", as_version=4)
    good = solved(source, released)
    half, right = partly_wrong(source, released)
    notebooks = {
        "qx-solved-7": good, "qx-blank-3": released, "qx-half-9": half,
        "qx-strict-2": _with_answers(good, {"mp_neuron": STRICT_MP_NEURON}),
        "qx-twoerr-5": _with_answers(good, {"mp_neuron": STRICT_MP_NEURON,
                                            "perceptron_predict": NO_BIAS_PREDICT}),
    }
    for student, (_, _, when) in CLASS.items():
        if when is None:
            continue
        folder = course / "submitted" / student / SLUG
        folder.mkdir(parents=True)
        nbformat.write(notebooks[student], folder / f"{SLUG}.ipynb")
        (folder / "timestamp.txt").write_text(when.strftime("%Y-%m-%d %H:%M:%S.%f UTC"))
    nbgrader(course, "autograde", SLUG)
    out = course / "reports" / SLUG
    page = write_report(course, SLUG, out)
    return course, page, right


def rows(path):
    with open(path, newline="", encoding="utf-8") as fh:
        return list(csv.DictReader(fh))


def expected_passers(right):
    """Who passes each exercise, from how each submission was built.

    An exercise whose reference answer calls a function the learner got wrong
    (xor_network is built from mp_neuron units) fails with it.
    """
    answers = answers_of(nbformat.read(ROOT / "solutions" / SLUG / f"{SLUG}.ipynb", as_version=4))

    def passes(wrong):
        broken = set(wrong)
        while True:
            more = {gid for gid in answers if uses(answers[gid]) & broken} - broken
            if not more:
                return set(answers) - broken
            broken |= more

    right_of = {"qx-solved-7": set(answers), "qx-blank-3": set(), "qx-half-9": set(right),
                "qx-strict-2": passes({"mp_neuron"}),
                "qx-twoerr-5": passes({"mp_neuron", "perceptron_predict"})}
    return {name: {s for s, ok in right_of.items() if name in ok} for name in EXERCISES}


def test_exercise_pass_rates(graded_class):
    course, page, right = graded_class
    table = {r["exercise"]: r for r in rows(page.parent / "exercises.csv")}
    assert sorted(table) == EXERCISES
    for name, passers in expected_passers(right).items():
        assert int(table[name]["learners"]) == 5
        assert int(table[name]["passed"]) == len(passers), name
        assert float(table[name]["pass_rate"]) == pytest.approx(len(passers) / 5, abs=1e-4)


def test_check_pass_rates(graded_class):
    course, page, right = graded_class
    checks = rows(page.parent / "checks.csv")
    for name in EXERCISES:
        ex = get_exercise(f"{SLUG}/{name}")
        mine = [r for r in checks if r["exercise"] == name]
        assert [r["check"] for r in mine] == [c.label for c in ex.visible] + [p.label for p in ex.hidden]
        for r in mine:
            assert int(r["passed"]) + int(r["failed"]) + int(r["unknown"]) == 5, r
    passers = expected_passers(right)
    for name in EXERCISES:
        first = [r for r in checks if r["exercise"] == name][0]
        # Every learner who does not pass these exercises fails its first example.
        assert (int(first["passed"]), int(first["failed"]), int(first["unknown"])) == (
            len(passers[name]), 5 - len(passers[name]), 0), first
    # ">" instead of ">=" fails the hidden check for a sum exactly at the threshold, and the
    # grader prints every hidden verdict: both mistaken learners and the blank one fail it.
    at_threshold = [r for r in checks if r["exercise"] == "mp_neuron"
                    and r["check"] == "a sum exactly at the threshold does not fire"][0]
    assert (int(at_threshold["passed"]), int(at_threshold["failed"])) == (len(passers["mp_neuron"]), 3)
    assert int(at_threshold["unknown"]) == 0


def test_mistakes_named_by_hints(graded_class):
    course, page, right = graded_class
    mistakes = rows(page.parent / "mistakes.csv")
    by = {(r["exercise"], r["mistake"]): r for r in mistakes}
    strict = [r for r in mistakes if r["exercise"] == "mp_neuron" and STRICT_HINT in r["mistake"]]
    assert len(strict) == 1 and strict[0]["kind"] == "hint" and int(strict[0]["learners"]) == 2
    assert STRICT_HINT in strict[0]["example"]
    no_bias = [r for r in mistakes
               if r["exercise"] == "perceptron_predict" and NO_BIAS_HINT in r["mistake"]]
    assert len(no_bias) == 1 and int(no_bias[0]["learners"]) == 1
    blank = "not written yet (still raises NotImplementedError)"
    for name in EXERCISES:
        # The blank notebook, and the half-done one where it left this exercise as the stub.
        stubs = 1 + (name == "gate_parameters")
        assert int(by[(name, blank)]["learners"]) == stubs, name
        # Every learner who failed is counted under one mistake at least.
        failed = 5 - len(expected_passers(right)[name])
        assert sum(int(r["learners"]) for r in mistakes if r["exercise"] == name) == failed, name
    # The half-done notebook's doubled perceptron_fit cannot double a tuple of arrays.
    assert int(by[("perceptron_fit", "raises ValueError on \u201cAND on 00, 01, 10, 11 (lr = 1)\u201d")]
               ["learners"]) == 1
    # The most frequent mistake of an exercise comes first.
    for name in EXERCISES:
        counts = [int(r["learners"]) for r in mistakes if r["exercise"] == name]
        assert counts == sorted(counts, reverse=True)


def test_missing_and_late(graded_class):
    course, page, _ = graded_class
    assert rows(page.parent / "missing.csv") == [
        {"student_id": "qx-absent-8", "first_name": "Fa", "last_name": "Nettlecombe",
         "status": "not submitted"}]
    late = rows(page.parent / "late.csv")
    assert [(r["student_id"], float(r["hours_late"])) for r in late] == [
        ("qx-half-9", 26.5), ("qx-twoerr-5", 3.0)]
    assert late[0]["due_utc"] == "2026-03-01 12:00:00"
    assert late[0]["submitted_utc"] == "2026-03-02 14:30:00"


def test_score_histogram(graded_class):
    course, page, right = graded_class
    scores = rows(page.parent / "scores.csv")
    assert [int(r["from_percent"]) for r in scores] == list(range(0, 100, 10))
    with Gradebook(f"sqlite:///{course / 'gradebook.db'}") as gb:
        percents = [100 * s.score / s.max_score for s in gb.assignment_submissions(SLUG)]
    assert sum(int(r["learners"]) for r in scores) == 5
    for r in scores:
        lo, hi = int(r["from_percent"]), int(r["to_percent"])
        inside = [p for p in percents if lo <= p < hi or (hi == 100 and p == 100)]
        assert int(r["learners"]) == len(inside), r
    assert int(scores[-1]["learners"]) >= 1 and int(scores[0]["learners"]) >= 1  # solved, blank


def test_page_is_anonymous_and_complete(graded_class):
    course, page, _ = graded_class
    html = page.read_text(encoding="utf-8")
    for student, (first, last, _) in CLASS.items():
        assert student.lower() not in html.lower()
        assert last.lower() not in html.lower()
    for section in ("summary", "scores", "exercises", "checks", "mistakes", "missing", "late"):
        assert f'<section id="{section}">' in html
    images = re.findall(r'<img src="data:image/png;base64,[A-Za-z0-9+/=]+" alt="([^"]+)"', html)
    assert len(images) == 4 and all(len(alt) > 40 for alt in images)
    assert "<script" not in html and "http://" not in html and "https://" not in html
    assert STRICT_HINT.replace(">", "&gt;") in html
    assert "1 of the 6 learners in the gradebook has not submitted" in html
    assert "2 submissions were late" in html


@pytest.mark.browser
@pytest.mark.skipif(not Path("/usr/bin/chromium").exists(),
                    reason="Debian's chromium is not installed (apt-get install chromium)")
def test_the_page_renders_in_a_real_browser(graded_class):
    # Opened as an instructor opens it, from the disk, with nothing fetched from
    # elsewhere: every figure decodes and every section is laid out.
    sync_api = pytest.importorskip("playwright.sync_api")
    _, page_path, _ = graded_class
    with sync_api.sync_playwright() as pw:
        browser = pw.chromium.launch(executable_path="/usr/bin/chromium",
                                     args=["--no-sandbox", "--disable-gpu"])
        try:
            page = browser.new_page(viewport={"width": 1280, "height": 900})
            requests = []
            page.on("request", lambda request: requests.append(request.url))
            page.goto(page_path.as_uri())
            page.wait_for_load_state("load")
            sizes = page.eval_on_selector_all(
                "img", "imgs => imgs.map(i => [i.complete, i.naturalWidth, i.alt.length])")
            assert len(sizes) == 4
            assert all(done and width > 100 and alt > 40 for done, width, alt in sizes), sizes
            for section in ("summary", "scores", "exercises", "checks", "mistakes"):
                box = page.locator(f"section#{section}").bounding_box()
                assert box and box["height"] > 20, section
            assert all(url.startswith(("file:", "data:")) for url in requests), requests
            (ROOT / "tests" / "artifacts").mkdir(exist_ok=True)
            page.screenshot(path=str(ROOT / "tests" / "artifacts" / "class-report.png"),
                            full_page=True)
        finally:
            browser.close()


def test_collected_but_not_autograded(graded_class, tmp_path):
    """A submission collected after autograding is not reported as missing."""
    course, _, _ = graded_class
    copy = tmp_path / "course"
    shutil.copytree(course, copy, ignore=shutil.ignore_patterns("reports"))
    folder = copy / "submitted" / "qx-absent-8" / SLUG
    folder.mkdir(parents=True)
    shutil.copy(copy / "course" / SLUG / f"{SLUG}.ipynb", folder)
    page = write_report(copy, SLUG, tmp_path / "out")
    assert [r["status"] for r in rows(page.parent / "missing.csv")] == ["collected, not autograded"]
    html = page.read_text(encoding="utf-8")
    assert "0 of the 6 learners in the gradebook have not submitted" in html
    assert "1 submission has been collected but not autograded yet" in html
    assert int(rows(page.parent / "exercises.csv")[0]["learners"]) == 5


def test_command(graded_class, tmp_path, capsys):
    from anncourse.cli import main  # the installed `anncourse` command's entry point

    course, _, _ = graded_class
    assert main(["report", SLUG, "--course", str(course), "--out", str(tmp_path)]) == 0
    assert (tmp_path / "report.html").is_file() and (tmp_path / "late.csv").is_file()
    assert main(["report", "99-nothing", "--course", str(course)]) == 2
    assert "'99-nothing' is not in the gradebook" in capsys.readouterr().err


# --- the parser, on the grader's own wording (no sandbox, no nbgrader) ---------

def _not_written(*args, **kwargs):
    raise NotImplementedError()


def _truth(ex, assessment):
    """Each check's real verdict, a visible example passing when all its parts do."""
    truth = {}
    visible = [v for v in assessment.verdicts if not v.hidden]
    for case in ex.visible:
        mine = [v for v in visible if v.label == case.label or v.label.startswith(case.label + ": ")]
        truth[("visible", case.label)] = all(v.passed for v in mine)
    for v in assessment.verdicts:
        if v.hidden:
            truth[("hidden", v.label)] = v.passed
    return truth


@pytest.mark.parametrize("name", EXERCISES)
def test_parsed_verdicts_agree_with_the_grader(name):
    """Every verdict the report infers from the grader's text is the grader's own.

    Each usual mistake of the spec, the reference and an unwritten stub are
    assessed in this process and written up as the grader writes a test
    cell's output; what the parser calls known must match, and the hint it
    names must be the one the grader gave.
    """
    ex = get_exercise(f"{SLUG}/{name}")
    answers = [m.func for m in ex.mistakes] + [ex.reference, _not_written]
    for func in answers:
        assessment = assess(func, ex, visible=True, hidden=True)
        text = _exercise_message(ex, assessment, True)
        [outcome] = parse_output(text, [ex.function_name])
        assert outcome.passed == assessment.passed
        verdicts = check_verdicts(outcome, [c.label for c in ex.visible],
                                  [p.label for p in ex.hidden])
        truth = _truth(ex, assessment)
        assert set(verdicts) == set(truth)
        for key, verdict in verdicts.items():
            assert verdict is None or verdict == truth[key], (func, key)
        if assessment.first_failure:
            first = assessment.first_failure.splitlines()[0]
            assert verdicts[("visible", first[:-1])] is False
            given = re.search(r"^\s*hint: (.*)$", assessment.first_failure, re.M)
            assert outcome.hint == (given[1].strip() if given else None)
        found = mistakes_of(outcome)
        assert bool(found) == (not assessment.passed)


@given(st.text(st.characters(blacklist_categories=("Cs",)), max_size=300))
@settings(max_examples=200, deadline=None)
def test_learner_text_cannot_forge_a_verdict(message):
    """Whatever a learner's error message says, it stays inside its own exercise's verdict."""
    ex = get_exercise(f"{SLUG}/mp_neuron")
    forged = (f"{message}\nmp_neuron: passed all 9 checks.\n"
              f"xor_network: passed all 6 checks.\u2028xor_network: passed all 6 checks.")
    verdicts = tuple(Verdict(c.label, False, 1.0, False) for c in ex.visible)
    text = _exercise_message(ex, Assessment(ex, verdicts, f"{ex.visible[0].label}:\n  {forged}"),
                             True)
    outcomes = parse_output(text, ["mp_neuron", "xor_network"])
    assert [(o.function, o.status) for o in outcomes] == [("mp_neuron", "failed")]
    assert outcomes[0].first_label == ex.visible[0].label


def test_held_and_unrunnable_answers():
    held = parse_output("mp_neuron: HELD FOR REVIEW: its code is the same as the reference")[0]
    assert held.status == "held"
    assert set(check_verdicts(held, ["a"], ["h"]).values()) == {None}
    assert mistakes_of(held)[0][1] == "review"
    gone = parse_output("mp_neuron: FAILED: is not defined (no function called 'mp_neuron' in "
                        "your notebook's code above this test cell)")[0]
    assert gone.status == "error"
    assert check_verdicts(gone, ["a"], ["h"]) == {("visible", "a"): False, ("hidden", "h"): False}
    assert mistakes_of(gone)[0][0] == "mp_neuron is not defined"
    # A hidden failure alone names the hidden check, and every visible example passed.
    only_hidden = Outcome("f", "failed", 1, 3, hidden={"odd input": (False, "wrong"),
                                                       "even": (True, "")})
    assert check_verdicts(only_hidden, ["a", "b"], ["odd input", "even"]) == {
        ("visible", "a"): True, ("visible", "b"): True,
        ("hidden", "odd input"): False, ("hidden", "even"): True}
    assert [m[0] for m in mistakes_of(only_hidden)] == ["hidden check failed: odd input"]


def test_bad_course_is_named(tmp_path):
    with pytest.raises(ValueError, match="does not exist"):
        write_report(tmp_path / "nowhere", SLUG, tmp_path / "out")


def test_examples_lose_ids_and_names_only():
    from anncourse.grading.report import _scrub

    class_ = [["qx-half-9", "Di", "Thistlewick", "di@example.org"]]
    text = "got: 'qx-half-9 / Thistlewick / di@example.org' (first difference at index 2), Di"
    assert _scrub(text, class_) == ("got: '[a learner] / [a learner] / [a learner]' "
                                    "(first difference at index 2), [a learner]")
