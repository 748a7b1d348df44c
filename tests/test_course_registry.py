"""The course registry (anncourse.course.ASSIGNMENTS) agrees with everything derived from it."""
from __future__ import annotations

import pkgutil
import subprocess
import sys

import nbformat
import pytest

import anncourse.explorers
import anncourse.grading.specs as specs
from anncourse.course import ASSIGNMENTS, Assignment, chapter_table, get, written

from conftest import ROOT

WRITTEN = [a.slug for a in written()]


def readme_table() -> str:
    """The table under README's "## The chapters" heading, as text."""
    lines = (ROOT / "README.md").read_text().splitlines()
    start = lines.index("## The chapters")
    rows = []
    for line in lines[start + 1:]:
        if line.startswith("|"):
            rows.append(line)
        elif rows:
            break
    return "\n".join(rows) + "\n"


def test_chapters_are_numbered_in_order():
    assert [a.number for a in ASSIGNMENTS] == list(range(1, len(ASSIGNMENTS) + 1))
    assert len({a.slug for a in ASSIGNMENTS}) == len(ASSIGNMENTS)


@pytest.mark.parametrize("slug", [a.slug for a in ASSIGNMENTS])
def test_status_matches_the_files(slug):
    a = get(slug)
    assert a.written == a.is_written(ROOT), (
        f"the registry says {slug} is {a.status}, but solutions/{slug}/{slug}.ipynb "
        f"{'exists' if a.is_written(ROOT) else 'does not exist'}")
    assert a.written == a.release(ROOT).is_file()


def test_readme_table_is_rendered_from_the_registry():
    assert readme_table() == chapter_table(), (
        "README's chapter table differs from the registry: replace it with the output of "
        "`anncourse list --markdown`")


def test_cli_prints_the_table():
    out = subprocess.run([sys.executable, "-m", "anncourse.cli", "list", "--markdown"],
                         check=True, capture_output=True, text=True).stdout
    assert out == chapter_table()


def test_specs_registry_is_derived_from_the_course_registry():
    for a in ASSIGNMENTS:
        if a.spec is not None:
            assert specs._MODULES[a.slug] == a.spec
    # A spec module that no chapter names would never be graded.
    modules = {m.name for m in pkgutil.iter_modules(specs.__path__) if not m.name.startswith("_")}
    assert modules <= set(specs._MODULES.values()), modules - set(specs._MODULES.values())


@pytest.mark.parametrize("slug", WRITTEN)
def test_written_chapter_has_a_spec_for_every_graded_cell(slug):
    from anncourse.grading.autograde import checks_in  # imports nbgrader: only here

    a = get(slug)
    assert a.spec, f"{slug} is written but names no spec module"
    found = specs.exercises(slug)
    assert found and all(ex.key == f"{slug}/{name}" for name, ex in found.items())
    nb = nbformat.read(a.source(ROOT), as_version=4)
    graded = set()
    for cell in nb.cells:
        if cell.get("metadata", {}).get("nbgrader", {}).get("grade") and cell.cell_type == "code":
            graded |= {key for key, _ in checks_in(cell.source)}
    assert graded == {ex.key for ex in found.values()}, (
        "the notebook's test cells and the spec module must name the same exercises")


@pytest.mark.parametrize("slug", WRITTEN)
def test_explorers_exist_and_are_used(slug):
    a = get(slug)
    text = a.source(ROOT).read_text()
    for name in a.explorers:
        assert callable(getattr(anncourse.explorers, name, None)), f"no explorer {name!r}"
        assert f"{name}(" in text, f"{slug} does not call its explorer {name}"


def test_written_chapters_are_listed():
    assert "18-loss-functions" in WRITTEN


@pytest.mark.parametrize("kwargs, message", [
    (dict(slug="loss-functions"), "NN-words-with-hyphens"),
    (dict(slug="18-Loss"), "NN-words-with-hyphens"),
    (dict(status="done"), "status must be one of"),
    (dict(spec="loss-functions"), "module name"),
])
def test_bad_entries_are_rejected(kwargs, message):
    fields = {"slug": "18-loss-functions", "title": "t", "summary": "s", **kwargs}
    with pytest.raises(ValueError, match=message):
        Assignment(**fields)


def test_explorers_must_be_a_tuple():
    with pytest.raises(TypeError, match="tuple"):
        Assignment("18-x", "t", "s", explorers=["a"])


def test_unknown_slug_lists_the_course():
    with pytest.raises(KeyError, match="01-introduction"):
        get("99-nothing")


def _explorer_calls(nb, name):
    """Indices of the code cells that build explorer ``name`` (not the import lines)."""
    import re
    call = re.compile(rf"(?<![\w.]){name}\(")
    return [i for i, c in enumerate(nb.cells) if c.cell_type == "code"
            and any(call.search(line) and not line.lstrip().startswith(("from ", "import "))
                    for line in c.source.splitlines())]


@pytest.mark.parametrize("folder", ["solutions", "course"])
@pytest.mark.parametrize("slug", [a.slug for a in written() if a.explorers])
def test_each_explorer_opens_with_a_question_and_has_a_still_figure(slug, folder):
    """The chapter standard, for every registered explorer of every written chapter.

    The learner predicts before moving a control, and a reader without a
    kernel (GitHub, nbviewer) still sees the explorer: among the few cells
    just before a cell that builds it there is a question (**Predict
    first**, or the widget's own ``question=``) and a still figure (a PNG attachment with alt text of at least
    80 characters). An explorer may also be called elsewhere as a tool;
    one call introduced this way is enough. Headings carry no emoji (boxes
    in a stock browser).
    """
    import base64
    import re

    still = re.compile(r"!\[([^\]]{80,})\]\(attachment:([\w.-]+\.png)\)")
    nb = nbformat.read(ROOT / folder / slug / f"{slug}.ipynb", as_version=4)

    def introduced(i):
        before = [c for c in nb.cells[max(0, i - 4):i] if c.cell_type == "markdown"]
        question = (any("predict first" in c.source.lower() for c in before)
                    or "question=" in nb.cells[i].source)  # the widget asks it itself
        figures = [(c, m) for c in before for m in still.finditer(c.source)]
        return question and any(base64.b64decode(c.attachments[m.group(2)]["image/png"])
                                .startswith(b"\x89PNG") for c, m in figures)

    # A *_figure entry is a still figure, drawn in the notebook, not a widget.
    for name in [n for n in get(slug).explorers if not n.endswith("_figure")]:
        calls = _explorer_calls(nb, name)
        assert calls, f"{slug} never builds {name}"
        assert any(introduced(i) for i in calls), (
            f"{slug}: no call of {name} follows a Predict-first question and a still figure")
    for cell in nb.cells:
        if cell.cell_type == "markdown":
            for line in cell.source.splitlines():
                if line.startswith("#"):
                    assert not re.search("[\U0001F300-\U0001FAFF\u2600-\u27BF]", line), line
