"""Train the same MLP with anncourse, PyTorch (CPU) and scikit-learn; compare.

Run from the repository root::

    .venv/bin/python benchmarks/mlp_benchmark.py

Two problems, each with the same architecture, data, optimizer (Adam,
lr 1e-3, no weight decay), batch size and epochs for all three libraries,
in float32:

(a) scikit-learn's bundled digits, standardized, split 80/20:
    64-128-128-10 with ReLU, batch 64, 20 epochs. Reports test accuracy.
(b) MNIST-sized synthetic data (random inputs and labels):
    784-256-256-10 with ReLU, batch 128, 2 epochs. Throughput only.

anncourse and PyTorch start from the same weights and see the same
mini-batches; scikit-learn draws its own (Glorot) initial weights and its
own shuffling, so its accuracy differs by chance as well.

Achieved GFLOP/s counts only the matrix products: ``2 * m * n * k`` per
product, ``2 * in * out`` per sample and layer for the forward pass, and a
backward pass of twice the forward (``dL/dW`` and ``dL/dx``), so the
training step is counted as 3x the forward. Both anncourse and PyTorch skip
the first layer's ``dL/dx`` (the gradient of the data), so they do a little
less work than that count; the count is the same for every library, so the
rates compare. It is compared with this machine's own
float32 matmul peak, measured here with ``np.matmul`` on large square
matrices. The printed wall times are the best of ``REPEATS`` runs.
"""
from __future__ import annotations

import os
import platform
import sys
import time
import warnings

import numpy as np

sys.path.insert(0, os.path.join(os.path.dirname(os.path.abspath(__file__)), ".."))

from anncourse.data import StandardScaler, iterate_minibatches  # noqa: E402
from anncourse.nn import CrossEntropyLoss, Linear, ReLU, Sequential  # noqa: E402
from anncourse.optim import Adam  # noqa: E402
from anncourse.training import fit  # noqa: E402

LR = 1e-3
REPEATS = 3
SEED = 0


def matmul_peak_gflops(n=2048, repeats=5):
    """Best float32 ``np.matmul`` rate on ``n x n`` matrices, in GFLOP/s."""
    rng = np.random.default_rng(SEED)
    a = rng.standard_normal((n, n), dtype=np.float32)
    b = rng.standard_normal((n, n), dtype=np.float32)
    np.matmul(a, b)  # warm up threads and caches
    best = min(_seconds(lambda: np.matmul(a, b)) for _ in range(repeats))
    return 2 * n**3 / best / 1e9


def _seconds(function):
    start = time.perf_counter()
    function()
    return time.perf_counter() - start


def train_flops_per_sample(sizes):
    """Matmul FLOPs of one training sample: forward, plus backward = 2x forward."""
    forward = sum(2 * n_in * n_out for n_in, n_out in zip(sizes[:-1], sizes[1:]))
    return 3 * forward


def anncourse_mlp(sizes, random_state=SEED):
    layers = []
    for i, (n_in, n_out) in enumerate(zip(sizes[:-1], sizes[1:])):
        layers.append(Linear(n_in, n_out, random_state=random_state + i, dtype=np.float32))
        if i < len(sizes) - 2:
            layers.append(ReLU())
    return Sequential(*layers)


def torch_copy(model):
    """A PyTorch MLP with the same architecture and weights as ``model``."""
    import torch

    layers = []
    for layer in model:
        if isinstance(layer, Linear):
            layers.append(torch.nn.Linear(layer.in_features, layer.out_features))
        else:
            layers.append(torch.nn.ReLU())
    copy = torch.nn.Sequential(*layers)
    copy.load_state_dict({k: torch.from_numpy(v) for k, v in model.state_dict().items()})
    return copy


def run_anncourse(sizes, X, y, X_test, y_test, batch_size, epochs):
    model = anncourse_mlp(sizes)
    optimizer = Adam(model.parameters(), lr=LR)
    seconds = _seconds(lambda: fit(model, CrossEntropyLoss(), optimizer, (X, y), epochs,
                                   batch_size, random_state=SEED, progress=False))
    accuracy = None
    if X_test is not None:
        accuracy = float(np.mean(model(X_test).argmax(axis=1) == y_test))
    return seconds, accuracy


def run_torch(sizes, X, y, X_test, y_test, batch_size, epochs):
    import torch

    model = torch_copy(anncourse_mlp(sizes))
    optimizer = torch.optim.Adam(model.parameters(), lr=LR)
    criterion = torch.nn.CrossEntropyLoss()

    def train():
        # The same batches as anncourse's fit: one Generator, one permutation per epoch.
        rng = np.random.default_rng(SEED)
        model.train()
        for _ in range(epochs):
            for xb, yb in iterate_minibatches(X, y, batch_size, random_state=rng):
                optimizer.zero_grad()
                loss = criterion(model(torch.from_numpy(xb)), torch.from_numpy(yb))
                loss.backward()
                optimizer.step()

    seconds = _seconds(train)
    accuracy = None
    if X_test is not None:
        model.eval()
        with torch.no_grad():
            predicted = model(torch.from_numpy(X_test)).argmax(dim=1).numpy()
        accuracy = float(np.mean(predicted == y_test))
    return seconds, accuracy


def run_sklearn(sizes, X, y, X_test, y_test, batch_size, epochs):
    from sklearn.exceptions import ConvergenceWarning
    from sklearn.neural_network import MLPClassifier

    model = MLPClassifier(hidden_layer_sizes=tuple(sizes[1:-1]), activation="relu",
                          solver="adam", alpha=0.0, batch_size=batch_size,
                          learning_rate_init=LR, max_iter=epochs, shuffle=True,
                          random_state=SEED, tol=0.0, n_iter_no_change=epochs + 1)
    with warnings.catch_warnings():
        # Stopping after max_iter epochs is what we asked for.
        warnings.simplefilter("ignore", ConvergenceWarning)
        seconds = _seconds(lambda: model.fit(X, y))
    accuracy = None
    if X_test is not None:
        accuracy = float(np.mean(model.predict(X_test) == y_test))
    return seconds, accuracy


RUNNERS = {"anncourse": run_anncourse, "PyTorch": run_torch, "scikit-learn": run_sklearn}


def digits_problem():
    from sklearn.datasets import load_digits
    from sklearn.model_selection import train_test_split

    X, y = load_digits(return_X_y=True)
    X_train, X_test, y_train, y_test = train_test_split(
        X.astype(np.float32), y.astype(np.int64), test_size=0.2, random_state=SEED, stratify=y)
    # Statistics of the training set only, so that nothing leaks from the test set.
    scaler = StandardScaler().fit(X_train)
    return scaler.transform(X_train), y_train, scaler.transform(X_test), y_test


def benchmark(name, sizes, X, y, X_test, y_test, batch_size, epochs, peak):
    rows = []
    flops = train_flops_per_sample(sizes)
    for library, run in RUNNERS.items():
        runs = [run(sizes, X, y, X_test, y_test, batch_size, epochs) for _ in range(REPEATS)]
        seconds = min(s for s, _ in runs)
        accuracy = runs[0][1]
        samples_per_second = epochs * len(y) / seconds
        gflops = samples_per_second * flops / 1e9
        rows.append([name, library, seconds, accuracy, samples_per_second, gflops,
                     100 * gflops / peak])
    torch_seconds = next(row[2] for row in rows if row[1] == "PyTorch")
    return [row[:3] + [row[2] / torch_seconds] + row[3:] for row in rows]


def main():
    import sklearn
    import torch
    from threadpoolctl import threadpool_info

    total_start = time.perf_counter()
    peak = matmul_peak_gflops()

    X_train, y_train, X_test, y_test = digits_problem()
    assert X_train.dtype == X_test.dtype == np.float32
    rows = benchmark("(a) digits 64-128-128-10, batch 64, 20 epochs", [64, 128, 128, 10],
                     X_train, y_train, X_test, y_test, batch_size=64, epochs=20, peak=peak)

    rng = np.random.default_rng(SEED)
    n_synthetic = 8192
    X_syn = rng.standard_normal((n_synthetic, 784), dtype=np.float32)
    y_syn = rng.integers(0, 10, n_synthetic)
    rows += benchmark(f"(b) synthetic {n_synthetic} x 784, 784-256-256-10, batch 128, 2 epochs",
                      [784, 256, 256, 10], X_syn, y_syn, None, None, batch_size=128, epochs=2,
                      peak=peak)

    blas = sorted({f"{info['internal_api']} ({info['num_threads']} threads)"
                   for info in threadpool_info()})
    print("Command: .venv/bin/python benchmarks/mlp_benchmark.py")
    print(f"Machine: {platform.processor() or platform.machine()}, {os.cpu_count()} logical CPUs; "
          f"Python {platform.python_version()}, NumPy {np.__version__}, "
          f"PyTorch {torch.__version__} ({torch.get_num_threads()} threads), "
          f"scikit-learn {sklearn.__version__}; thread pools: {', '.join(blas)}")
    print(f"float32 matmul peak (np.matmul, 2048 x 2048, best of 5): {peak:.1f} GFLOP/s")
    print(f"Training wall time: best of {REPEATS} runs; accuracy from the first run.\n")
    print("| problem | library | wall time (s) | time / PyTorch | test accuracy "
          "| samples/s | GFLOP/s | % of matmul peak |")
    print("|---|---|---:|---:|---:|---:|---:|---:|")
    for problem, library, seconds, ratio, accuracy, rate, gflops, percent in rows:
        accuracy = "—" if accuracy is None else f"{accuracy:.4f}"
        print(f"| {problem} | {library} | {seconds:.3f} | {ratio:.2f} | {accuracy} "
              f"| {rate:,.0f} | {gflops:.2f} | {percent:.1f} |")
    peak_mb = anncourse_training_peak_mb([784, 256, 256, 10], X_syn, y_syn, batch_size=128)
    print(f"\nPeak memory of NumPy arrays while anncourse trains the MNIST-sized network "
          f"(tracemalloc, data included): {peak_mb:.0f} MB (goal < 500 MB)")
    print_targets(rows)
    print(f"\nTotal benchmark time: {time.perf_counter() - total_start:.1f} s")


def anncourse_training_peak_mb(sizes, X, y, batch_size):
    """Peak traced memory of one epoch of anncourse training, in MB.

    NumPy reports its array allocations to tracemalloc, so this counts every
    array made while training (the data set's copy included) and nothing of
    PyTorch or scikit-learn, which this process also loaded.
    """
    import tracemalloc

    tracemalloc.start()
    run_anncourse(sizes, X.copy(), y.copy(), None, None, batch_size, epochs=1)
    _, peak = tracemalloc.get_traced_memory()
    tracemalloc.stop()
    return peak / 2**20


def print_targets(rows):
    """The speed goals of the course, each met or not, from this run's rows."""
    def row(problem_prefix, library):
        return next(r for r in rows if r[0].startswith(problem_prefix) and r[1] == library)

    digits, digits_sk = row("(a)", "anncourse"), row("(a)", "scikit-learn")
    mnist = row("(b)", "anncourse")
    goals = [
        ("MNIST-sized: anncourse >= 50 % of the matmul peak", mnist[7] >= 50, f"{mnist[7]:.1f} %"),
        ("MNIST-sized: anncourse time <= 1.0x PyTorch", mnist[3] <= 1.0, f"{mnist[3]:.2f}x"),
        ("digits: anncourse time <= 1.0x PyTorch", digits[3] <= 1.0, f"{digits[3]:.2f}x"),
        ("digits: anncourse time <= 1.0x scikit-learn", digits[2] <= digits_sk[2],
         f"{digits[2] / digits_sk[2]:.2f}x"),
        ("digits: anncourse test accuracy >= 0.97", digits[4] >= 0.97, f"{digits[4]:.4f}"),
    ]
    print("\n| goal | measured | met |\n|---|---:|---|")
    for goal, met, measured in goals:
        print(f"| {goal} | {measured} | {'yes' if met else 'no'} |")


if __name__ == "__main__":
    main()
