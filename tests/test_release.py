"""course/ is exactly what nbgrader generates from solutions/, and leaks nothing."""
from __future__ import annotations

import filecmp
import shutil

import nbformat
import pytest

from anncourse.course import ASSIGNMENTS
from anncourse.release import START_PAGE, generate, release_leaks, source_problems

from conftest import ROOT, WRITTEN, written_ids


def test_at_least_the_model_chapter_is_written():
    assert "18-loss-functions" in written_ids()


def test_every_folder_is_a_known_assignment():
    known = {a.slug for a in ASSIGNMENTS}
    assert sorted(p.name for p in (ROOT / "course").iterdir() if p.is_file()) == [START_PAGE]
    assert not [p for p in (ROOT / "solutions").iterdir() if p.is_file()]
    for top in ("solutions", "course"):
        for folder in (ROOT / top).iterdir():
            if folder.name.startswith(".") or folder.is_file():
                continue
            assert folder.name in known, f"{top}/{folder.name} is not an assignment of the course"
            assert sorted(p.name for p in folder.iterdir()) == [f"{folder.name}.ipynb"], (
                f"{top}/{folder.name} must hold exactly one notebook named {folder.name}.ipynb"
            )


@pytest.fixture(scope="module")
def regenerated(tmp_path_factory):
    """A fresh generation of every written assignment, in a scratch copy."""
    scratch = tmp_path_factory.mktemp("regen")
    shutil.copy(ROOT / "nbgrader_config.py", scratch)
    shutil.copytree(ROOT / "solutions", scratch / "solutions")
    (scratch / "course").mkdir()
    generate(root=scratch)
    return scratch


@pytest.mark.parametrize("slug", written_ids())
def test_course_matches_generation(regenerated, slug):
    fresh = regenerated / "course" / slug / f"{slug}.ipynb"
    committed = ROOT / "course" / slug / f"{slug}.ipynb"
    assert committed.is_file(), f"{committed} is missing: run `anncourse generate`"
    assert filecmp.cmp(fresh, committed, shallow=False), (
        f"{committed.relative_to(ROOT)} differs from what nbgrader generates from solutions/: "
        "run `anncourse generate` and commit the result (never edit course/ by hand)"
    )


def test_start_page_is_generated_and_lists_every_chapter(regenerated):
    committed = ROOT / "course" / START_PAGE
    assert filecmp.cmp(regenerated / "course" / START_PAGE, committed, shallow=False), (
        f"course/{START_PAGE} is stale: run `anncourse generate`")
    text = nbformat.read(committed, as_version=4).cells[0].source
    for a in ASSIGNMENTS:
        assert a.title in text
        link = f"]({a.slug}/{a.slug}.ipynb)"
        assert (link in text) == a.is_written(ROOT), a.slug


def test_no_release_without_source():
    for folder in (ROOT / "course").iterdir():
        if folder.is_dir() and not folder.name.startswith("."):
            assert (ROOT / "solutions" / folder.name).is_dir(), f"course/{folder.name} has no source"


@pytest.mark.parametrize("slug", written_ids())
def test_source_metadata_is_valid(slug):
    nb = nbformat.read(ROOT / "solutions" / slug / f"{slug}.ipynb", as_version=4)
    nbformat.validate(nb)
    assert source_problems(nb) == []
    assert any(c.metadata.get("nbgrader", {}).get("grade") for c in nb.cells), "no graded cell"


@pytest.mark.parametrize("slug", written_ids())
def test_release_leaks_nothing(slug):
    source = nbformat.read(ROOT / "solutions" / slug / f"{slug}.ipynb", as_version=4)
    released = nbformat.read(ROOT / "course" / slug / f"{slug}.ipynb", as_version=4)
    assert release_leaks(source, released) == []


# The checks themselves must be able to fail.

def _nb(*cells):
    nb = nbformat.v4.new_notebook()
    nb.cells = list(cells)
    return nb


def _cell(src, kind="code", tags=None, **meta):
    cell = nbformat.v4.new_code_cell(src) if kind == "code" else nbformat.v4.new_markdown_cell(src)
    if tags is None and meta.get("grade"):
        tags = ["raises-exception"]
    if tags is not None:
        cell.metadata["tags"] = tags
    if meta:
        cell.metadata["nbgrader"] = {"schema_version": 3, "task": False, "locked": False,
                                     "solution": False, "grade": False, **meta}
    return cell


SOLUTION = "def f(x):\n    ### BEGIN SOLUTION\n    return some_long_expression(x)\n    ### END SOLUTION\n"
TEST = "check(f, 'x/f')\n### BEGIN HIDDEN TESTS\ncheck(f, 'x/f', hidden=True)\n### END HIDDEN TESTS\n"


def test_source_problems_are_found():
    good = _nb(_cell(SOLUTION, grade_id="f", solution=True),
               _cell(TEST, grade_id="test_f", grade=True, locked=True, points=1))
    assert source_problems(good) == []
    dup = _nb(_cell(SOLUTION, grade_id="f", solution=True),
              _cell(TEST, grade_id="f", grade=True, locked=True, points=1))
    assert any("already used" in p for p in source_problems(dup))
    no_points = _nb(_cell(SOLUTION, grade_id="f", solution=True),
                    _cell(TEST, grade_id="test_f", grade=True, locked=True))
    assert any("points" in p for p in source_problems(no_points))
    no_stub = _nb(_cell("def f(x):\n    return x\n", grade_id="f", solution=True),
                  _cell(TEST, grade_id="test_f", grade=True, locked=True, points=1))
    assert any("stub" in p for p in source_problems(no_stub))
    unlocked = _nb(_cell(SOLUTION, grade_id="f", solution=True),
                   _cell(TEST, grade_id="test_f", grade=True, points=1))
    assert any("not locked" in p for p in source_problems(unlocked))
    untagged = _nb(_cell(SOLUTION, grade_id="f", solution=True),
                   _cell(TEST, grade_id="test_f", grade=True, locked=True, points=1, tags=[]))
    assert any("raises-exception" in p for p in source_problems(untagged))


@pytest.mark.parametrize("test_source", [
    "assert f(1) == 1\n",  # plain nbgrader asserts: any answer passes the grader
    "### BEGIN HIDDEN TESTS\nassert f(2) == 2\n### END HIDDEN TESTS\n",
    "check(f)\n",  # no exercise key: checks nothing
    "check(f, key)\n",  # a key the grader cannot read without running the cell
    "# check(f, 'x/f')\nprint('check(f, \"x/f\")')\n",  # a comment and a string are not calls
])
def test_test_cell_without_check_is_a_problem(test_source):
    nb = _nb(_cell(SOLUTION, grade_id="f", solution=True),
             _cell(test_source, grade_id="test_f", grade=True, locked=True, points=1))
    assert [p for p in source_problems(nb) if "calls no check" in p] == [
        "cell 1 ('test_f'): graded test cell calls no check(f, \"NN-slug/f\"): "
        "the grader would have nothing to grade"]


def test_test_cell_that_is_not_python_is_a_problem():
    nb = _nb(_cell(SOLUTION, grade_id="f", solution=True),
             _cell("check(f, 'x/f'\n", grade_id="test_f", grade=True, locked=True, points=1))
    assert any("not valid Python" in p for p in source_problems(nb))


def test_leaks_are_found():
    source = _nb(_cell(SOLUTION, grade_id="f", solution=True),
                 _cell(TEST, grade_id="test_f", grade=True, locked=True, points=1))
    leaky = _nb(_cell("def f(x):\n    return some_long_expression(x)\n", grade_id="f", solution=True),
                _cell("check(f, 'x/f')\ncheck(f, 'x/f', hidden=True)\n", grade_id="test_f",
                      grade=True, locked=True, points=1))
    leaks = release_leaks(source, leaky)
    assert any("some_long_expression" in p for p in leaks)
    assert any("hidden=True" in p for p in leaks)
    assert any("NotImplementedError" in p for p in leaks)
