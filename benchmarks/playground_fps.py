"""Frames per second of the playground: one training tick plus one redraw, BLAS on one thread.

The playground (``anncourse.explorers.playground``) trains while it plays;
each frame is one tick (``epochs_per_tick`` epochs of mini-batch SGD in
``anncourse.nn``) followed by a full redraw (the decision-boundary heatmap,
the points, the loss curves, encoded as the JPEG the widget sends).  On a
1-core Binder the widget redraws at most a few times a second (``max_fps``),
so the target is that frames *could* come at 10 a second or more: the
throttle, not the computation, then sets the pace.

Run: ``.venv/bin/python benchmarks/playground_fps.py`` (it limits BLAS to one
thread itself, before NumPy is imported).
"""
from __future__ import annotations

import os

for _name in ("OMP_NUM_THREADS", "OPENBLAS_NUM_THREADS", "MKL_NUM_THREADS"):
    os.environ[_name] = "1"

import time  # noqa: E402

from anncourse.explorers.playground import PlaygroundModel, _Figure  # noqa: E402

SCENARIOS = [
    ("chapter 10 default: spirals, 2 x 8 tanh, batch 10", {}),
    ("spirals, 3 x 16 relu, batch 10", {"hidden_layers": 3, "width": 16, "activation": "relu"}),
    ("moons, 2 x 8 tanh, batch 1 (slowest setting)", {"dataset": "moons", "batch_size": 1}),
    ("circles, regularization preset: L2 0.01, dropout 0.2", {"dataset": "circles", "lam": 0.01,
                                                              "dropout": 0.2}),
]


def measure(settings: dict, frames: int = 40) -> tuple[float, float, float, float]:
    """(frames/s, frames per CPU second, ms training per frame, ms drawing per frame).

    Wall-clock figures count the time other processes take the core away; the
    CPU-time rate is what one idle core would give (the machine this runs on
    is often shared).  One warm-up frame first.
    """
    model = PlaygroundModel(**settings)
    figure = _Figure(model, "test", True, 10, 50)
    model.step(1)
    figure.draw(model, "jpeg")
    train = draw = 0.0
    cpu = time.process_time()
    for _ in range(frames):
        t0 = time.perf_counter()
        model.step(1)
        t1 = time.perf_counter()
        figure.draw(model, "jpeg")
        t2 = time.perf_counter()
        train, draw = train + (t1 - t0), draw + (t2 - t1)
    cpu = time.process_time() - cpu
    return frames / (train + draw), frames / cpu, 1000 * train / frames, 1000 * draw / frames


def main() -> None:
    print(f"load average: {', '.join(f'{v:.1f}' for v in os.getloadavg())} "
          f"on {os.cpu_count()} cores; BLAS threads: 1")
    print(f"{'scenario':58s} {'frames/s':>9s} {'per CPU s':>10s} {'train ms':>9s} {'draw ms':>8s}")
    for label, settings in SCENARIOS:
        fps, per_cpu, train, draw = measure(settings)
        print(f"{label:58s} {fps:9.1f} {per_cpu:10.1f} {train:9.1f} {draw:8.1f}")


if __name__ == "__main__":
    main()
