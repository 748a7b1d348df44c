"""`anncourse new-chapter` writes a chapter that passes the release checks and grades.

In a scratch copy of the repository (its own `anncourse` first on the path),
write the skeleton of a planned chapter, then treat it as any written chapter:
generate its release with nbgrader, run the repository's own release and
registry tests and the generated spec tests there, execute the instructor's
notebook, and self-check it (full marks) and its release (none).
"""
from __future__ import annotations

import json
import os
import shutil
import subprocess
import sys

import nbformat
import pytest

from anncourse.course import ASSIGNMENTS
from anncourse.grading.sandbox import isolation_available

from conftest import ROOT, VENV_ENV

pytestmark = pytest.mark.slow

# Any planned chapter will do; once every chapter is written, the scratch copy's
# registry gets one more, planned, chapter to write (the checkout's is untouched).
PLANNED = [a.slug for a in ASSIGNMENTS if not a.written]
SLUG = PLANNED[0] if PLANNED else f"{len(ASSIGNMENTS) + 1:02d}-scratch-chapter"
SPEC = SLUG[3:].replace("-", "_")
COPY_IGNORE = shutil.ignore_patterns(".venv", ".git", "artifacts", "__pycache__", "*.egg-info",
                                     ".pytest_cache", ".hypothesis", "gradebook.db", "submitted",
                                     "autograded", "feedback", ".ipynb_checkpoints")


def run(repo, *args, check=True):
    """Run ``python *args`` in ``repo`` with the scratch copy's anncourse first on the path."""
    env = {**VENV_ENV, "PYTHONPATH": str(repo)}
    result = subprocess.run([sys.executable, *args], cwd=repo, env=env, capture_output=True,
                            text=True, timeout=900)
    if check:
        assert result.returncode == 0, f"{args} failed:\n{result.stdout}\n{result.stderr}"
    return result


@pytest.fixture(scope="module")
def repo(tmp_path_factory):
    repo = tmp_path_factory.mktemp("new-chapter") / "repo"
    shutil.copytree(ROOT, repo, ignore=COPY_IGNORE)
    if not PLANNED:
        registry = repo / "anncourse" / "course.py"
        text = registry.read_text()
        end = "\n)\n\n\ndef get("  # the end of ASSIGNMENTS
        assert text.count(end) == 1, "the registry's layout changed: update this test"
        registry.write_text(text.replace(end, f'\n    Assignment("{SLUG}", "A scratch chapter", '
                                              '"what anncourse new-chapter writes"),' + end))
    where = run(repo, "-c", "import anncourse; print(anncourse.__file__)").stdout.strip()
    assert where == str(repo / "anncourse" / "__init__.py"), where
    result = run(repo, "-m", "anncourse.cli", "new-chapter", SLUG)
    assert f"wrote {repo / 'solutions' / SLUG / (SLUG + '.ipynb')}" in result.stdout
    run(repo, "-m", "anncourse.cli", "generate", SLUG)
    return repo


def test_files_and_registry(repo):
    assert (repo / "solutions" / SLUG / f"{SLUG}.ipynb").is_file()
    assert (repo / "course" / SLUG / f"{SLUG}.ipynb").is_file()
    assert (repo / "anncourse" / "grading" / "specs" / f"{SPEC}.py").is_file()
    assert (repo / "tests" / f"test_{SPEC}_spec.py").is_file()
    entry = run(repo, "-c", "from anncourse.course import get; "
                f"a = get({SLUG!r}); print(a.status, a.spec)").stdout.split()
    assert entry == ["written", SPEC]
    assert f"`{SLUG}` |" in (repo / "README.md").read_text()
    # The checkout itself is untouched.
    assert not (ROOT / "solutions" / SLUG).exists()


def test_release_registry_and_spec_tests_pass(repo):
    result = run(repo, "-m", "pytest", "-v", "-p", "no:cacheprovider",
                 "tests/test_release.py", "tests/test_course_registry.py",
                 "tests/test_specs_generated.py", f"tests/test_{SPEC}_spec.py", check=False)
    assert result.returncode == 0, result.stdout[-4000:] + result.stderr[-2000:]
    # The new chapter is among the written ones those tests run over.
    key = f"{SLUG}/weighted_sum"
    for test in (f"test_release.py::test_source_metadata_is_valid[{SLUG}]",
                 f"test_release.py::test_release_leaks_nothing[{SLUG}]",
                 f"test_release.py::test_course_matches_generation[{SLUG}]",
                 f"test_course_registry.py::test_status_matches_the_files[{SLUG}]",
                 f"test_course_registry.py::test_written_chapter_has_a_spec_for_every_graded_cell"
                 f"[{SLUG}]",
                 f"test_specs_generated.py::test_the_spec_is_well_formed[{key}]",
                 f"test_specs_generated.py::test_the_reference_passes[{key}]",
                 f"test_specs_generated.py::test_each_mistake_fails_with_its_hint"
                 f"[{key}-forgets the bias]",
                 f"test_{SPEC}_spec.py::test_an_answer_with_loops_passes_every_check"):
        assert f"{test} PASSED" in result.stdout, test


def test_instructor_notebook_runs_and_its_check_passes(repo):
    notebook = repo / "solutions" / SLUG / f"{SLUG}.ipynb"
    out = repo / "executed.ipynb"
    run(repo, "-m", "jupyter", "nbconvert", "--to", "notebook", "--execute",
        f"--output={out}", str(notebook))
    nb = nbformat.read(out, as_version=4)
    errors = [o for c in nb.cells if c.cell_type == "code" for o in c.outputs
              if o.output_type == "error"]
    assert errors == []
    test_cell = next(c for c in nb.cells if c.metadata.get("nbgrader", {}).get("grade"))
    printed = "".join(o.get("text", "") for o in test_cell.outputs)
    assert "weighted_sum: 2 visible checks passed" in printed
    assert "hidden checks passed" in printed


@pytest.mark.skipif(not isolation_available(),
                    reason="bubblewrap is needed to grade (apt-get install bubblewrap)")
def test_self_check_grades_the_example(repo):
    solved = run(repo, "-m", "anncourse.cli", "check", "--isolation=require",
                 f"solutions/{SLUG}/{SLUG}.ipynb")
    assert "[1/1] test_weighted_sum" in solved.stdout
    untouched = run(repo, "-m", "anncourse.cli", "check", "--isolation=require",
                    f"course/{SLUG}/{SLUG}.ipynb", check=False)
    assert untouched.returncode == 1
    assert "[0/1] test_weighted_sum" in untouched.stdout
    assert "NotImplementedError" in untouched.stdout


def test_the_skeleton_passes_nbgraders_own_validation(repo):
    nb = json.loads((repo / "solutions" / SLUG / f"{SLUG}.ipynb").read_text())
    nbformat.validate(nbformat.from_dict(nb))
    tags = [c["metadata"].get("tags", []) for c in nb["cells"]
            if c["metadata"].get("nbgrader", {}).get("grade")]
    assert tags == [["raises-exception"]]


@pytest.mark.parametrize("slug, message", [
    ("18-loss-functions", "already written"),
    ("99-not-a-chapter", "has no assignment '99-not-a-chapter'"),
])
def test_refuses(repo, slug, message):
    result = run(repo, "-m", "anncourse.cli", "new-chapter", slug, check=False)
    assert result.returncode == 2
    assert message in result.stderr
    assert "Traceback" not in result.stderr


def test_refuses_to_write_the_same_chapter_twice(repo):
    before = (repo / "solutions" / SLUG / f"{SLUG}.ipynb").read_text()
    result = run(repo, "-m", "anncourse.cli", "new-chapter", SLUG, check=False)
    assert result.returncode == 2 and "already written" in result.stderr
    assert (repo / "solutions" / SLUG / f"{SLUG}.ipynb").read_text() == before


def test_refuses_to_overwrite_a_stray_file(tmp_path, monkeypatch):
    """A planned chapter with a leftover file is not overwritten (checked in-process)."""
    import anncourse.course
    from anncourse.templates import ChapterExists, new_chapter

    if not PLANNED:  # the same scratch chapter as above, planned in this process only
        monkeypatch.setattr(anncourse.course, "ASSIGNMENTS", anncourse.course.ASSIGNMENTS + (
            anncourse.course.Assignment(SLUG, "A scratch chapter", "what new-chapter writes"),))

    (tmp_path / "anncourse" / "grading" / "specs").mkdir(parents=True)
    stray = tmp_path / "anncourse" / "grading" / "specs" / f"{SPEC}.py"
    stray.write_text("# someone's draft\n")
    with pytest.raises(ChapterExists, match="never overwrites"):
        new_chapter(SLUG, root=tmp_path)
    assert stray.read_text() == "# someone's draft\n"
