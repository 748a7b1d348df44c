"""How long autograding takes: per chapter notebook, and per submission of the grading corpus.

Run from the repository root::

    .venv/bin/python benchmarks/autograde_time.py [--corpus] [--repeat N]

For every written chapter it grades the instructor's notebook (every
exercise right, so every check runs) with the grader's own function,
:func:`anncourse.grading.notebook.grade_notebook`, sandbox start-up
included, and prints the time and the score.  ``--corpus`` also grades each
submission of ``tests/grading_corpus`` (the chapter's release with the first
answer replaced) and prints the median and the worst time per submission.
The figures go into README ("Grading ... how long it takes").
"""
from __future__ import annotations

import argparse
import statistics
import sys
import time
from pathlib import Path

import nbformat

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT / "tests"))


def _grade(nb) -> tuple[float, float, float]:
    from anncourse.grading.notebook import grade_notebook

    start = time.perf_counter()
    grades = grade_notebook(nb, hidden="cell", isolation="require")
    elapsed = time.perf_counter() - start
    return elapsed, sum(g.earned for g in grades), sum(g.points for g in grades)


def chapters(repeat: int) -> list[float]:
    from anncourse.course import ASSIGNMENTS

    medians = []
    print(f"{'chapter':32} {'median s':>9} {'worst s':>8}  score")
    for a in ASSIGNMENTS:
        if not a.is_written(ROOT):
            continue
        nb = nbformat.read(a.source(ROOT), as_version=4)
        runs = [_grade(nb) for _ in range(repeat)]
        times = [r[0] for r in runs]
        medians.append(statistics.median(times))
        print(f"{a.slug:32} {statistics.median(times):9.2f} {max(times):8.2f}  "
              f"{runs[-1][1]:g}/{runs[-1][2]:g}")
    if medians:
        print(f"median over chapters: {statistics.median(medians):.2f} s")
    return medians


def corpus() -> None:
    from anncourse import losses
    from grading_helpers import fill_corpus

    slug = "18-loss-functions"
    released = nbformat.read(ROOT / "course" / slug / f"{slug}.ipynb", as_version=4)
    index = next(i for i, c in enumerate(released.cells)
                 if c.metadata.get("nbgrader", {}).get("solution") and c.cell_type == "code")
    source = nbformat.read(ROOT / "solutions" / slug / f"{slug}.ipynb", as_version=4)
    times = {}
    for kind in ("attacks", "correct"):
        for path in sorted((ROOT / "tests" / "grading_corpus" / kind).glob("*.py")):
            nb = nbformat.from_dict(released)
            # Grade with the instructor's test cells, as nbgrader restores them.
            for i, cell in enumerate(nb.cells):
                if cell.metadata.get("nbgrader", {}).get("grade") and not \
                        cell.metadata["nbgrader"].get("solution"):
                    cell.source = source.cells[i].source
            nb.cells[index].source = fill_corpus(path.read_text(), "/nonexistent", losses.mse)
            times[f"{kind}/{path.stem}"] = _grade(nb)[0]
    ordered = sorted(times.values())
    worst = max(times, key=times.get)
    print(f"corpus: {len(times)} submissions "
          f"({sum(k.startswith('attacks') for k in times)} attacks, "
          f"{sum(k.startswith('correct') for k in times)} correct styles); "
          f"median {statistics.median(ordered):.2f} s, worst {times[worst]:.2f} s ({worst})")


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--repeat", type=int, default=3)
    parser.add_argument("--corpus", action="store_true")
    args = parser.parse_args()
    chapters(args.repeat)
    if args.corpus:
        corpus()


if __name__ == "__main__":
    main()
