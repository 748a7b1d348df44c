"""The course registry (anncourse.course.ASSIGNMENTS) agrees with everything derived from it."""
from __future__ import annotations

import importlib
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
