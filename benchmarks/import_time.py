"""How long importing anncourse and its modules takes, each in a fresh interpreter.

The goal is ``import anncourse`` well under 0.3 s: notebooks import it first,
and a slow import is felt on every kernel restart.  Run with
``.venv/bin/python benchmarks/import_time.py``; it prints the best of five
runs per module, in a Markdown table.
"""
from __future__ import annotations

import subprocess
import sys

MODULES = ["anncourse", "anncourse.losses", "anncourse.activations", "anncourse.nn",
           "anncourse.optim", "anncourse.metrics", "anncourse.data", "anncourse.regularization",
           "anncourse.training", "anncourse.tuning", "anncourse.gradcheck", "anncourse.grading",
           "anncourse.explorers"]
GOAL = 0.3


def import_seconds(module: str, repeats: int = 5) -> float:
    code = ("import time; t = time.perf_counter(); import {m}; "
            "print(time.perf_counter() - t)").format(m=module)
    runs = [float(subprocess.run([sys.executable, "-c", code], check=True, capture_output=True,
                                 text=True).stdout) for _ in range(repeats)]
    return min(runs)


def main() -> None:
    print(f"Command: {sys.executable} benchmarks/import_time.py\n")
    print("| module | import time (s, best of 5, fresh interpreter) | within 0.3 s |")
    print("| --- | ---: | --- |")
    for module in MODULES:
        seconds = import_seconds(module)
        print(f"| `{module}` | {seconds:.3f} | {'yes' if seconds < GOAL else 'NO'} |")


if __name__ == "__main__":
    main()
