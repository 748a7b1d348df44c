"""A class insight report: what an assignment's learners got wrong, and how often.

``anncourse report ASSIGNMENT`` reads the gradebook and the autograded
notebooks of one assignment and writes, into one folder:

``report.html``
    One self-contained page (figures embedded as PNG with alt text, no
    script, nothing loaded from elsewhere) with the score distribution, the
    pass rate of each exercise and of each of its checks, the most frequent
    mistakes per exercise named by their hints with an anonymised example of
    each, and how many learners have not submitted or submitted late.  The
    page names no learner: it can be shown to a class or to tutors.
``scores.csv``, ``exercises.csv``, ``checks.csv``, ``mistakes.csv``
    The data of each figure and table.
``missing.csv``, ``late.csv``
    Who has not submitted, who submitted late (the only files with ids).

Nothing is re-run: the verdicts are parsed from the text the course's grader
(:class:`~anncourse.grading.autograde.TrustedGrades`) writes as each test
cell's output, the visible examples and hidden checks of each exercise are
taken from its spec, and scores and dates from the gradebook.  The grader
reports, for a failed exercise, only its *first* failing visible example;
the visible examples after it are counted as "unknown" unless the number of
failed checks settles them.

Example
-------
>>> out = parse_output('''mp_neuron: FAILED 1 of 3 checks:
...   the worked example:
...     call:     mp_neuron(...)
...     hint: did you forget to divide by n = 4?
...   hidden check: wrong for float32 input: passed''')
>>> out[0].function, out[0].first_label, out[0].hint
('mp_neuron', 'the worked example', 'did you forget to divide by n = 4?')
"""
from __future__ import annotations

import argparse
import base64
import csv
import datetime as dt
import io
import re
import statistics
import sys
import textwrap
from dataclasses import dataclass, field
from pathlib import Path

__all__ = ["Outcome", "add_report_command", "parse_output", "run_report", "write_report"]

# The Okabe-Ito palette: distinguishable with the common colour-vision deficiencies.
OKABE_ITO = {"orange": "#E69F00", "sky": "#56B4E9", "green": "#009E73", "yellow": "#F0E442",
             "blue": "#0072B2", "vermillion": "#D55E00", "purple": "#CC79A7", "black": "#000000"}

# The first line of each exercise's verdict, as notebook._exercise_message and
# notebook._grade_cell write it.
_HEAD = re.compile(
    r"^(?P<name>[A-Za-z_]\w*): (?:"
    r"(?P<passed>passed all (?P<n>\d+) checks\.)"
    r"|(?P<visible>\d+ visible checks passed.*)"
    r"|FAILED (?P<k>\d+) of (?P<total>\d+) checks:"
    r"|FAILED: (?P<error>.*)"
    r"|HELD FOR REVIEW: (?P<held>.*)"
    r"|cannot be graded: (?P<cannot>.*))$")
_HIDDEN = re.compile(r"^  hidden check: (?P<label>.*?): (?P<verdict>passed|FAILED)(?: \((?P<reason>.*))?$")
_HINT = re.compile(r"^\s+hint: (?P<hint>.*)$")
_RAISED = re.compile(r"\braised (?P<exc>[A-Za-z_][\w.]*)")


@dataclass
class Outcome:
    """One exercise's verdict for one learner, as the grader wrote it.

    ``status`` is ``"passed"``, ``"failed"`` (checks ran, some failed),
    ``"error"`` (no check could run: not defined, out of time...),
    ``"held"`` (held for review) or ``"ungraded"``.
    """

    function: str
    status: str
    failed: int | None = None
    total: int | None = None
    first_label: str | None = None
    first_failure: str | None = None
    hint: str | None = None
    hidden: dict = field(default_factory=dict)  # label -> (passed, reason)
    detail: str = ""

    @property
    def passed(self) -> bool:
        return self.status == "passed"


def parse_output(text: str, functions: list[str] | None = None) -> list[Outcome]:
    """The exercise verdicts in one graded test cell's output text.

    Parameters
    ----------
    text : str
        The cell's output (stdout or the error's value).
    functions : list of str, optional
        The exercises' function names the cell checks: only their headers
        start a verdict, and only their first header counts (anything a
        learner's error message adds is indented or comes after it).  In a
        cell checking several exercises, the message of one could imitate a
        later exercise's header; no test cell of the course checks two.

    Examples
    --------
    >>> [o.status for o in parse_output("f: passed all 2 checks.\\ng: FAILED: is not defined")]
    ['passed', 'error']
    """
    outcomes: list[Outcome] = []
    seen: set[str] = set()
    current: Outcome | None = None
    failure: list[str] = []

    def close():
        if current is not None and failure:
            current.first_failure = textwrap.dedent("\n".join(failure)).strip("\n")
            current.first_label = failure[0].strip()[:-1] if failure[0].rstrip().endswith(":") \
                else failure[0].strip()
            for line in failure:
                if (m := _HINT.match(line)):
                    current.hint = m["hint"].strip()
                    break

    # Split on newlines only, as the grader joins its lines: a learner's message holding
    # another line separator (U+2028, form feed...) stays inside its own line.
    for line in text.split("\n"):
        head = _HEAD.match(line)
        if head and head["name"] not in seen and (functions is None or head["name"] in functions):
            close()
            failure = []
            seen.add(head["name"])
            if head["passed"] or head["visible"]:
                current = Outcome(head["name"], "passed", 0, int(head["n"]) if head["n"] else None)
            elif head["k"]:
                current = Outcome(head["name"], "failed", int(head["k"]), int(head["total"]))
            elif head["held"] is not None:
                current = Outcome(head["name"], "held", detail=head["held"])
            else:
                current = Outcome(head["name"], "error",
                                  detail=head["error"] if head["error"] is not None else head["cannot"])
            outcomes.append(current)
            continue
        if current is None:
            continue
        hidden = _HIDDEN.match(line)
        if hidden:
            reason = (hidden["reason"] or "").rstrip(")")
            current.hidden.setdefault(hidden["label"], (hidden["verdict"] == "passed", reason))
        elif current.status == "failed" and not current.hidden and line.startswith("  "):
            failure.append(line)
    close()
    return outcomes


# --- what the spec says each exercise checks ----------------------------------

def _spec(key: str):
    from .specs import get_exercise

    try:
        return get_exercise(key)
    except KeyError:
        return None


def check_verdicts(outcome: Outcome, visible: list[str], hidden: list[str]) -> dict:
    """``{(kind, label): True | False | None}`` for one learner's exercise.

    ``None`` means the grader's output does not say (a visible example after
    the first failing one, or any check of an answer held for review).

    Examples
    --------
    >>> o = Outcome("f", "failed", 1, 3, first_label="b")
    >>> check_verdicts(o, ["a", "b", "c"], [])
    {('visible', 'a'): True, ('visible', 'b'): False, ('visible', 'c'): True}
    """
    out = {}
    if outcome.status == "passed":
        out.update({("visible", v): True for v in visible})
        out.update({("hidden", h): True for h in hidden})
    elif outcome.status == "error":  # no check ran: none passed
        out.update({("visible", v): False for v in visible})
        out.update({("hidden", h): False for h in hidden})
    elif outcome.status == "failed":
        hidden_failed = sum(not ok for ok, _ in outcome.hidden.values())
        everything = outcome.failed is not None and outcome.failed == outcome.total
        settled = (outcome.failed is not None and outcome.first_label is not None
                   and outcome.failed - hidden_failed == 1)
        before = True
        for v in visible:
            if everything:
                out[("visible", v)] = False
            elif outcome.first_label is None:  # only hidden checks failed
                out[("visible", v)] = True
            elif v == outcome.first_label:
                out[("visible", v)] = False
                before = False
            else:
                out[("visible", v)] = True if (before or settled) else None
        for h in hidden:
            if h in outcome.hidden:
                out[("hidden", h)] = outcome.hidden[h][0]
            else:
                out[("hidden", h)] = False if everything else None
    else:  # held or ungraded: the checks did not run
        out.update({("visible", v): None for v in visible})
        out.update({("hidden", h): None for h in hidden})
    for label, (ok, _) in outcome.hidden.items():  # checks the spec no longer lists
        out.setdefault(("hidden", label), ok)
    if outcome.first_label and ("visible", outcome.first_label) not in out:
        out[("visible", outcome.first_label)] = False
    return out


def mistakes_of(outcome: Outcome) -> list[tuple[str, str, str]]:
    """``(mistake, kind, example)`` for one learner's exercise (empty if it passed).

    A failed visible example is named by its hint when the grader gave one;
    hidden checks are named only when every visible example passed (they
    fail anyway when a visible one does).

    Examples
    --------
    >>> mistakes_of(Outcome("f", "failed", 1, 2, "ex", "ex:\\n  hint: divide by n", "divide by n"))
    [('divide by n', 'hint', 'ex:\\n  hint: divide by n')]
    """
    if outcome.status == "passed":
        return []
    if outcome.status == "held":
        return [("held for review: the same code as the reference (a suspected copy)", "review",
                 outcome.detail)]
    if outcome.status in ("error", "ungraded"):
        first = (outcome.detail or "could not be graded").splitlines()[0]
        name = re.sub(r"\s*\(.*", "", first).strip() or first
        return [(f"{outcome.function} {name}"[:160], outcome.status, outcome.detail)]
    if outcome.first_failure:
        text, label = outcome.first_failure, outcome.first_label
        if outcome.hint:
            return [(outcome.hint, "hint", text)]
        if "is not written yet" in text:
            return [("not written yet (still raises NotImplementedError)", "not written", text)]
        if (m := _RAISED.search(text)):
            return [(f"raises {m['exc']} on \u201c{label}\u201d", "error", text)]
        return [(f"wrong result on \u201c{label}\u201d (no hint matched)", "wrong value", text)]
    found = [(f"hidden check failed: {label}", "hidden check",
              f"hidden check: {label}: FAILED" + (f" ({reason})" if reason else ""))
             for label, (ok, reason) in outcome.hidden.items() if not ok]
    return found or [("failed (the grader's message names no check)", "other", "")]


# --- collecting the class ---------------------------------------------------

@dataclass
class Learner:
    student: str
    score: float
    max_score: float
    timestamp: dt.datetime | None
    duedate: dt.datetime | None
    seconds_late: float
    outcomes: dict = field(default_factory=dict)  # (notebook, function) -> Outcome
    graded: bool = True


def _course_dir(course_root: Path):
    from nbgrader.coursedir import CourseDirectory
    from traitlets.config import Config
    from traitlets.config.loader import PyFileConfigLoader

    config = Config()
    if (course_root / "nbgrader_config.py").is_file():
        config.merge(PyFileConfigLoader("nbgrader_config.py", path=str(course_root)).load_config())
    return CourseDirectory(config=config, root=str(course_root))


def _cell_text(cell) -> str:
    parts = []
    for out in cell.get("outputs", []):
        if out.get("output_type") == "stream":
            parts.append(out.get("text", ""))
        elif out.get("output_type") == "error":
            parts.append(out.get("evalue", ""))
    return "\n".join(parts)


def _read_outcomes(path: Path, notebook: str, exercises: dict) -> dict:
    """Every exercise's outcome in one autograded notebook."""
    import nbformat

    from .notebook import _is_test_cell, checks_in

    nb = nbformat.read(path, as_version=4)
    found = {}
    for cell in nb.cells:
        if not _is_test_cell(cell):
            continue
        keys = [key for key, _ in checks_in(cell.get("source", ""))]
        functions = []
        for key in keys:
            spec = _spec(key)
            name = spec.function_name if spec is not None else key.rsplit("/", 1)[-1]
            functions.append(name)
            exercises.setdefault((notebook, name), spec)
        parsed = {o.function: o for o in parse_output(_cell_text(cell), functions or None)}
        for name in functions or list(parsed):
            exercises.setdefault((notebook, name), None)
            found[(notebook, name)] = parsed.get(name) or Outcome(
                name, "ungraded", detail="could not be graded (no verdict in the graded notebook)")
    return found


def collect(course_root: Path, assignment: str):
    """The class of ``assignment``: its learners, the missing ones and the exercises."""
    from nbgrader.api import Gradebook, MissingEntry

    coursedir = _course_dir(course_root)
    learners, missing, exercises = [], [], {}
    with Gradebook(coursedir.db_url) as gb:
        try:
            record = gb.find_assignment(assignment)
        except MissingEntry:
            raise ValueError(f"assignment {assignment!r} is not in the gradebook "
                             f"({coursedir.db_url}); run `nbgrader generate_assignment "
                             f"{assignment}` and `nbgrader autograde {assignment}` first") from None
        notebooks = sorted(nb.name for nb in record.notebooks)
        submitted = set()
        for sub in gb.assignment_submissions(assignment):
            submitted.add(sub.student_id)
            learner = Learner(sub.student_id, float(sub.score or 0), float(sub.max_score or 0),
                              sub.timestamp, sub.duedate, float(sub.total_seconds_late or 0))
            folder = Path(coursedir.format_path(coursedir.autograded_directory, sub.student_id,
                                                assignment))
            for notebook in notebooks:
                path = folder / f"{notebook}.ipynb"
                if path.is_file():
                    learner.outcomes.update(_read_outcomes(path, notebook, exercises))
                else:
                    learner.graded = False
            learners.append(learner)
        for student in gb.students:
            if student.id in submitted:
                continue
            # Collected but not autograded yet is not the same as never handed in.
            folder = Path(coursedir.format_path(coursedir.submitted_directory, student.id,
                                                assignment))
            status = "collected, not autograded" if folder.is_dir() else "not submitted"
            missing.append((student.id, student.first_name or "", student.last_name or "", status))
        names = {s.id: [s.id, s.first_name, s.last_name, s.email] for s in gb.students}
        max_score = float(record.max_score or 0)
    return learners, sorted(missing), exercises, names, max_score


# --- the tables ---------------------------------------------------------------

def _scrub(text: str, identities) -> str:
    """``text`` without any learner's id, name or e-mail (longest first)."""
    words = sorted({w.strip() for ident in identities for w in ident if w and w.strip()},
                   key=len, reverse=True)
    for word in words:
        # Whole words only: a learner called "Di" must not turn "difference" into nonsense.
        text = re.sub(rf"(?<![\w-]){re.escape(word)}(?![\w-])", "[a learner]", text, flags=re.I)
    return text


def tables(learners, exercises, names, max_score):
    graded = sorted((l for l in learners if l.graded), key=lambda l: l.student)
    # Score histogram: ten bins of 10 % (the last includes 100 %).
    bins = [0] * 10
    percents = []
    for l in learners:
        top = l.max_score or max_score
        pct = 100.0 * l.score / top if top else 0.0
        percents.append(pct)
        bins[min(int(pct // 10), 9)] += 1
    scores = [{"from_percent": 10 * i, "to_percent": 10 * (i + 1), "learners": n}
              for i, n in enumerate(bins)]

    ex_rows, check_rows, mistake_rows = [], [], []
    for (notebook, function), spec in exercises.items():  # in the notebooks' order
        outcomes = [l.outcomes[(notebook, function)] for l in graded
                    if (notebook, function) in l.outcomes]
        passed = sum(o.passed for o in outcomes)
        ex_rows.append({"notebook": notebook, "exercise": function, "learners": len(outcomes),
                        "passed": passed,
                        "pass_rate": round(passed / len(outcomes), 4) if outcomes else ""})
        visible = [c.label for c in spec.visible] if spec is not None else []
        hidden = [p.label for p in spec.hidden] if spec is not None else []
        counts: dict = {}
        for o in outcomes:
            for key, verdict in check_verdicts(o, visible, hidden).items():
                c = counts.setdefault(key, [0, 0, 0])
                c[0 if verdict is True else 1 if verdict is False else 2] += 1
        order = [("visible", v) for v in visible] + [("hidden", h) for h in hidden]
        order += [k for k in counts if k not in order]
        for kind, label in order:
            ok, bad, unknown = counts.get((kind, label), [0, 0, 0])
            check_rows.append({"notebook": notebook, "exercise": function, "kind": kind,
                               "check": label, "passed": ok, "failed": bad, "unknown": unknown,
                               "pass_rate": round(ok / (ok + bad), 4) if ok + bad else ""})
        found: dict = {}
        for l, o in ((l, l.outcomes.get((notebook, function))) for l in graded):
            if o is None:
                continue
            for name, kind, example in mistakes_of(o):
                entry = found.setdefault(name, {"kind": kind, "learners": set(), "example": example})
                entry["learners"].add(l.student)
        for name, entry in sorted(found.items(), key=lambda kv: (-len(kv[1]["learners"]), kv[0])):
            mistake_rows.append({"notebook": notebook, "exercise": function, "mistake": name,
                                 "kind": entry["kind"], "learners": len(entry["learners"]),
                                 "example": _scrub(entry["example"], names.values())})
    return scores, percents, ex_rows, check_rows, mistake_rows


# --- figures ----------------------------------------------------------------

def _png(fig) -> str:
    import matplotlib.pyplot as plt

    buf = io.BytesIO()
    fig.savefig(buf, format="png", dpi=110, bbox_inches="tight")
    plt.close(fig)
    return "data:image/png;base64," + base64.b64encode(buf.getvalue()).decode("ascii")


def _short(text: str, width: int = 55) -> str:
    return textwrap.shorten(text, width, placeholder="\u2026")


def figures(assignment, scores, percents, ex_rows, check_rows, mistake_rows, max_score):
    import matplotlib

    matplotlib.use("Agg")
    import matplotlib.pyplot as plt
    from matplotlib.patches import Patch
    from matplotlib.ticker import MaxNLocator

    figs = []
    n = len(percents)
    fig, ax = plt.subplots(figsize=(7, 3.6))
    counts = [r["learners"] for r in scores]
    ax.bar([r["from_percent"] + 5 for r in scores], counts, width=9.2, color=OKABE_ITO["blue"],
           edgecolor=OKABE_ITO["black"])
    for r in scores:
        if r["learners"]:
            ax.annotate(str(r["learners"]), (r["from_percent"] + 5, r["learners"]),
                        ha="center", va="bottom", xytext=(0, 2), textcoords="offset points")
    ax.set_xlim(0, 100)
    ax.set_xticks(range(0, 101, 10))
    ax.yaxis.set_major_locator(MaxNLocator(integer=True))
    ax.set_ylim(0, max(counts + [1]) * 1.18)
    ax.set_xlabel(f"score (% of the {max_score:g} points; the last bar includes 100 %)")
    ax.set_ylabel("learners")
    ax.set_title(f"{assignment}: scores of the {n} learners who submitted")
    busy = ", ".join(f"{r['learners']} between {r['from_percent']} and {r['to_percent']} %"
                     for r in scores if r["learners"])
    figs.append(("Score distribution", _png(fig),
                 f"Histogram of the scores of {n} learners in bins of 10 %: {busy or 'none'}."))

    if ex_rows:
        fig, ax = plt.subplots(figsize=(7, 0.45 * len(ex_rows) + 1.2))
        labels = [r["exercise"] for r in ex_rows][::-1]
        rates = [100 * (r["pass_rate"] or 0) for r in ex_rows][::-1]
        ax.barh(labels, rates, color=OKABE_ITO["green"], edgecolor=OKABE_ITO["black"])
        for y, r in enumerate(ex_rows[::-1]):
            ax.annotate(f"{r['passed']} of {r['learners']}", (100 * (r["pass_rate"] or 0), y),
                        va="center", xytext=(3, 0), textcoords="offset points")
        ax.set_xlim(0, 115)
        ax.set_xticks(range(0, 101, 20))
        ax.set_xlabel("learners who passed every check (%)")
        ax.set_ylabel("exercise")
        ax.set_title("Pass rate of each exercise")
        figs.append(("Pass rate of each exercise", _png(fig),
                     "Bar chart of the share of learners passing every check of each exercise: "
                     + "; ".join(f"{r['exercise']} {r['passed']} of {r['learners']}"
                                 for r in ex_rows) + "."))

    known = [r for r in check_rows if r["pass_rate"] != ""]
    if known:
        fig, ax = plt.subplots(figsize=(8, 0.28 * len(known) + 1.4))
        rows = known[::-1]
        colours = [OKABE_ITO["blue"] if r["kind"] == "visible" else OKABE_ITO["vermillion"]
                   for r in rows]
        ax.barh(range(len(rows)), [100 * r["pass_rate"] for r in rows], color=colours)
        ax.set_yticks(range(len(rows)))
        ax.set_yticklabels([f"{r['exercise']}: {_short(r['check'], 60)}" for r in rows],
                           fontsize=7)
        for y, r in enumerate(rows):
            ax.annotate(f"{r['passed']}/{r['passed'] + r['failed']}", (100 * r["pass_rate"], y),
                        va="center", fontsize=7, xytext=(3, 0), textcoords="offset points")
        ax.set_xlim(0, 115)
        ax.set_xticks(range(0, 101, 20))
        ax.set_xlabel("learners who passed the check (% of those whose verdict is known)")
        ax.set_ylabel("check")
        ax.set_title("Pass rate of each check")
        ax.legend(handles=[Patch(color=OKABE_ITO["blue"], label="visible example"),
                           Patch(color=OKABE_ITO["vermillion"], label="hidden check")],
                  loc="lower right", fontsize=7)
        worst = sorted(known, key=lambda r: r["pass_rate"])[:3]
        figs.append(("Pass rate of each check", _png(fig),
                     f"Bar chart of the pass rate of {len(known)} checks; the lowest: "
                     + "; ".join(f"{r['exercise']} \u201c{r['check']}\u201d "
                                 f"{r['passed']} of {r['passed'] + r['failed']}" for r in worst)
                     + "."))

    top = sorted(mistake_rows, key=lambda r: -r["learners"])[:12]
    if top:
        fig, ax = plt.subplots(figsize=(8, 0.42 * len(top) + 1.4))
        rows = top[::-1]
        ax.barh(range(len(rows)), [r["learners"] for r in rows], color=OKABE_ITO["purple"],
                edgecolor=OKABE_ITO["black"])
        ax.set_yticks(range(len(rows)))
        ax.set_yticklabels([f"{r['exercise']}: {_short(r['mistake'])}" for r in rows], fontsize=7)
        for y, r in enumerate(rows):
            ax.annotate(str(r["learners"]), (r["learners"], y), va="center", fontsize=8,
                        xytext=(3, 0), textcoords="offset points")
        ax.xaxis.set_major_locator(MaxNLocator(integer=True))
        ax.set_xlim(0, max(r["learners"] for r in rows) * 1.2)
        ax.set_xlabel("learners making the mistake")
        ax.set_ylabel("exercise: mistake")
        ax.set_title("Most frequent mistakes")
        figs.append(("Most frequent mistakes", _png(fig),
                     "Bar chart of the most frequent mistakes: "
                     + "; ".join(f"{r['exercise']}, {r['mistake']}: {r['learners']} learner{'s' if r['learners'] != 1 else ''}"
                                 for r in top) + "."))
    return figs


# --- writing ----------------------------------------------------------------

def _write_csv(path: Path, rows: list[dict], columns: list[str]) -> None:
    with open(path, "w", newline="", encoding="utf-8") as fh:
        writer = csv.DictWriter(fh, fieldnames=columns)
        writer.writeheader()
        writer.writerows(rows)


def _when(value: dt.datetime | None) -> str:
    return value.isoformat(sep=" ", timespec="seconds") if value else ""


def write_report(course_root, assignment: str, out_dir) -> Path:
    """Write the class insight report of ``assignment``; return the HTML page's path.

    Parameters
    ----------
    course_root : path
        The nbgrader course folder (its ``nbgrader_config.py`` gives the
        gradebook and the autograded folder).
    assignment : str
        The assignment, as in the gradebook.
    out_dir : path
        Where to write ``report.html`` and the CSV files (created).

    Examples
    --------
    >>> write_report(".", "01-introduction", "reports/01-introduction")  # doctest: +SKIP
    PosixPath('reports/01-introduction/report.html')
    """
    import jinja2

    course_root, out_dir = Path(course_root).resolve(), Path(out_dir)
    if not course_root.is_dir():
        raise ValueError(f"course folder {course_root} does not exist")
    learners, missing, exercises, names, max_score = collect(course_root, assignment)
    scores, percents, ex_rows, check_rows, mistake_rows = tables(learners, exercises, names,
                                                                 max_score)
    late = sorted((l for l in learners if l.seconds_late > 0), key=lambda l: l.student)
    out_dir.mkdir(parents=True, exist_ok=True)
    _write_csv(out_dir / "scores.csv", scores, ["from_percent", "to_percent", "learners"])
    _write_csv(out_dir / "exercises.csv", ex_rows,
               ["notebook", "exercise", "learners", "passed", "pass_rate"])
    _write_csv(out_dir / "checks.csv", check_rows,
               ["notebook", "exercise", "kind", "check", "passed", "failed", "unknown", "pass_rate"])
    _write_csv(out_dir / "mistakes.csv", mistake_rows,
               ["notebook", "exercise", "mistake", "kind", "learners", "example"])
    _write_csv(out_dir / "missing.csv",
               [{"student_id": s, "first_name": f, "last_name": l, "status": st}
                for s, f, l, st in missing],
               ["student_id", "first_name", "last_name", "status"])
    # nbgrader keeps dates in UTC without a time zone.
    _write_csv(out_dir / "late.csv",
               [{"student_id": l.student, "submitted_utc": _when(l.timestamp),
                 "due_utc": _when(l.duedate), "hours_late": round(l.seconds_late / 3600, 2)}
                for l in late],
               ["student_id", "submitted_utc", "due_utc", "hours_late"])

    by_exercise: dict = {}
    for row in mistake_rows:
        by_exercise.setdefault((row["notebook"], row["exercise"]), []).append(row)
    template = jinja2.Environment(
        loader=jinja2.PackageLoader("anncourse", "templates"),
        autoescape=True, trim_blocks=True, lstrip_blocks=True,
    ).get_template("report.html.tmpl")
    html = template.render(
        assignment=assignment,
        generated=_when(dt.datetime.now(dt.timezone.utc).replace(tzinfo=None)),
        students=len(names), submitted=len(learners),
        ungraded=sum(not l.graded for l in learners)
        + sum(m[3] != "not submitted" for m in missing),
        mean=statistics.fmean(percents) if percents else None,
        median=statistics.median(percents) if percents else None,
        max_score=max_score,
        figures=figures(assignment, scores, percents, ex_rows, check_rows, mistake_rows,
                        max_score),
        exercises=ex_rows, checks=check_rows,
        mistakes=[(key, rows[:5], len(rows)) for key, rows in by_exercise.items()],
        missing=sum(m[3] == "not submitted" for m in missing),
        late_hours=sorted(round(l.seconds_late / 3600, 1) for l in late),
    )
    page = out_dir / "report.html"
    page.write_text(html, encoding="utf-8")
    return page


# --- the command --------------------------------------------------------------

def add_report_command(subparsers) -> argparse.ArgumentParser:
    """Add ``anncourse report ASSIGNMENT [--course DIR] [--out DIR]`` to a CLI.

    The report goes to ``reports/ASSIGNMENT`` in the course unless ``--out``
    says otherwise; its ``missing.csv`` and ``late.csv`` hold learners' ids,
    so keep that folder out of version control.

    Examples
    --------
    >>> parser = argparse.ArgumentParser(prog="anncourse")
    >>> _ = add_report_command(parser.add_subparsers(dest="command"))
    >>> args = parser.parse_args(["report", "01-introduction", "--out", "/tmp/r"])
    >>> args.func is run_report, args.assignment, args.course
    (True, '01-introduction', '.')
    """
    cmd = subparsers.add_parser(
        "report", help="write a class insight report (HTML and CSV) of an autograded assignment")
    cmd.add_argument("assignment", help="the assignment, e.g. 01-introduction")
    cmd.add_argument("--course", default=".", help="the nbgrader course folder (default: .)")
    cmd.add_argument("--out", default=None,
                     help="where to write the report (default: reports/ASSIGNMENT in the course)")
    cmd.set_defaults(func=run_report)
    return cmd


def run_report(args) -> int:
    """Run ``anncourse report``; 0 on success, 2 with a message on bad input.

    Examples
    --------
    >>> run_report(argparse.Namespace(assignment="01-introduction", course="/nowhere", out=None))
    2
    """
    course = Path(args.course)
    out = Path(args.out) if args.out else course / "reports" / args.assignment
    try:
        page = write_report(course, args.assignment, out)
    except (ValueError, FileNotFoundError) as exc:
        print(f"anncourse report: {exc}", file=sys.stderr)
        return 2
    print(f"wrote {page} (and its CSV files beside it)")
    return 0
