"""fit, History, EarlyStoppingCallback and plot_history."""
from __future__ import annotations

import subprocess
import sys

import numpy as np
import pytest

from anncourse.data import iterate_minibatches, make_moons, make_noisy_sine
from anncourse.metrics import accuracy_score
from anncourse.nn import (CrossEntropyLoss, Dropout, Linear, Module, MSELoss, ReLU, Sequential,
                          Tanh)
from anncourse.optim import SGD, Adam
from anncourse.regularization import EarlyStopping
from anncourse.training import EarlyStoppingCallback, History, fit, plot_history


def mlp(sizes, seed=0, dtype=np.float64, dropout=None):
    layers = []
    for i, (n_in, n_out) in enumerate(zip(sizes[:-1], sizes[1:])):
        layers.append(Linear(n_in, n_out, random_state=seed + i, dtype=dtype))
        if i < len(sizes) - 2:
            layers.append(Tanh())
            if dropout is not None:
                layers.append(Dropout(dropout, random_state=seed + 100 + i))
    return Sequential(*layers)


def accuracy(y_true, logits):
    return accuracy_score(y_true, logits.argmax(axis=1))


@pytest.fixture(scope="module")
def moons():
    X, y = make_moons(200, noise=0.1, random_state=0)
    return X, y.astype(int)


@pytest.fixture(scope="module")
def sine():
    X, y = make_noisy_sine(128, noise=0.05, random_state=0)
    return np.asarray(X).reshape(-1, 1), np.asarray(y).reshape(-1, 1)


# --------------------------------------------------------------------------
# Learning
# --------------------------------------------------------------------------


def test_regression_trains_to_a_low_loss(sine):
    X, y = sine
    model = mlp([1, 16, 1])
    history = fit(model, MSELoss(), Adam(model.parameters(), lr=0.03), (X, y), epochs=60,
                  batch_size=16, random_state=0, progress=False)
    # The noise has variance 0.05^2 = 0.0025, the target's is about 0.5:
    # reaching 0.01 means the sine was learned, not the mean.
    assert history["loss"][-1] < 0.01
    assert history["loss"][-1] < history["loss"][0] / 20


def test_classification_trains_to_a_high_accuracy(moons):
    X, y = moons
    model = mlp([2, 16, 2])
    history = fit(model, CrossEntropyLoss(), Adam(model.parameters(), lr=0.05), (X, y),
                  epochs=40, batch_size=32, random_state=0, metrics={"accuracy": accuracy},
                  progress=False)
    assert history["loss"][-1] < 0.1
    assert accuracy(y, model(X)) > 0.97
    assert history["accuracy"][-1] > 0.95


def test_history_has_one_entry_per_epoch_per_quantity(moons):
    X, y = moons
    model = mlp([2, 8, 2])
    history = fit(model, CrossEntropyLoss(), SGD(model.parameters(), lr=0.1), (X[:150], y[:150]),
                  epochs=7, batch_size=40, validation=(X[150:], y[150:]),
                  metrics=[accuracy], random_state=1, progress=False)
    assert isinstance(history, History)
    assert list(history) == ["loss", "accuracy", "val_loss", "val_accuracy"]
    assert history.epochs == 7
    assert all(len(values) == 7 for values in history.values())
    assert all(isinstance(v, float) for values in history.values() for v in values)


def test_logged_numbers_are_what_they_claim(moons):
    # loss: batch losses weighted by batch size; val_*: the eval-mode model
    # after the epoch, on the whole validation set.
    X, y = moons
    X_train, y_train, X_val, y_val = X[:130], y[:130], X[130:], y[130:]
    model, criterion = mlp([2, 8, 2]), CrossEntropyLoss()
    optimizer = SGD(model.parameters(), lr=0.1)
    seen = []

    def record(epoch, logs, model):
        seen.append((epoch, logs, {k: v.copy() for k, v in model.state_dict().items()}))

    history = fit(model, criterion, optimizer, (X_train, y_train), epochs=3, batch_size=50,
                  validation=(X_val, y_val), metrics={"acc": accuracy}, callbacks=[record],
                  random_state=3, progress=False)
    assert [epoch for epoch, _, _ in seen] == [0, 1, 2]
    for epoch, logs, state in seen:
        assert logs == {key: history[key][epoch] for key in history}
        check = mlp([2, 8, 2])
        check.load_state_dict(state)
        out = check(X_val)
        # Up to summation order (batches of 50 vs. one pass): float64 rounding.
        assert logs["val_loss"] == pytest.approx(float(CrossEntropyLoss()(out, y_val)), rel=1e-12)
        assert logs["val_acc"] == accuracy(y_val, out)

    # Replaying the first epoch by hand gives its loss.
    model, rng = mlp([2, 8, 2]), np.random.default_rng(3)
    optimizer, total = SGD(model.parameters(), lr=0.1), 0.0
    for xb, yb in iterate_minibatches(X_train, y_train, 50, random_state=rng):
        optimizer.zero_grad()
        value = criterion(model(xb), yb)
        model.backward(criterion.backward())
        optimizer.step()
        total += float(value) * len(yb)
    assert history["loss"][0] == pytest.approx(total / 130, rel=1e-15)


# --------------------------------------------------------------------------
# Determinism and equivalence with a written-out loop
# --------------------------------------------------------------------------


def train_with_fit(data, validation, dtype, seed):
    model = mlp([2, 12, 12, 2], dtype=dtype, dropout=0.2)
    optimizer = Adam(model.parameters(), lr=0.01)
    history = fit(model, CrossEntropyLoss(), optimizer, data, epochs=4, batch_size=24,
                  validation=validation, random_state=seed, progress=False)
    return model, history


@pytest.mark.parametrize("dtype", [np.float32, np.float64])
def test_same_seed_same_history_and_weights(moons, dtype):
    X, y = moons
    data, validation = (X[:150].astype(dtype), y[:150]), (X[150:].astype(dtype), y[150:])
    model_a, history_a = train_with_fit(data, validation, dtype, seed=7)
    model_b, history_b = train_with_fit(data, validation, dtype, seed=7)
    model_c, history_c = train_with_fit(data, validation, dtype, seed=8)
    assert history_a == history_b
    assert history_a != history_c
    for a, b in zip(model_a.parameters(), model_b.parameters()):
        assert a.data.dtype == dtype
        np.testing.assert_array_equal(a.data, b.data)


@pytest.mark.parametrize("dtype", [np.float32, np.float64])
def test_fit_is_exactly_the_hand_written_loop(moons, dtype):
    X, y = moons
    X = X.astype(dtype)
    model, _ = train_with_fit((X[:150], y[:150]), (X[150:], y[150:]), dtype, seed=5)

    # The loop of the module docstring, written out. Validation runs in
    # evaluation mode, where Dropout draws nothing, so it may be left out.
    expected = mlp([2, 12, 12, 2], dtype=dtype, dropout=0.2)
    criterion = CrossEntropyLoss()
    optimizer = Adam(expected.parameters(), lr=0.01)
    rng = np.random.default_rng(5)
    for _ in range(4):
        expected.train()
        for xb, yb in iterate_minibatches(X[:150], y[:150], 24, random_state=rng):
            optimizer.zero_grad()
            criterion(expected(xb), yb)
            expected.backward(criterion.backward())
            optimizer.step()
    for key, value in expected.state_dict().items():
        np.testing.assert_array_equal(model.state_dict()[key], value, err_msg=key)


def test_matches_a_pytorch_loop(sine):
    # PyTorch as the oracle: the same weights, batches and SGD with momentum.
    torch = pytest.importorskip("torch")
    X, y = sine
    model = Sequential(Linear(1, 8, random_state=0), ReLU(), Linear(8, 1, random_state=1))
    reference = torch.nn.Sequential(torch.nn.Linear(1, 8), torch.nn.ReLU(),
                                    torch.nn.Linear(8, 1)).double()
    reference.load_state_dict({k: torch.tensor(v) for k, v in model.state_dict().items()})
    fit(model, MSELoss(), SGD(model.parameters(), lr=0.05, momentum=0.9), (X, y), epochs=5,
        batch_size=20, random_state=2, progress=False)

    optimizer = torch.optim.SGD(reference.parameters(), lr=0.05, momentum=0.9)
    rng = np.random.default_rng(2)
    for _ in range(5):
        for xb, yb in iterate_minibatches(X, y, 20, random_state=rng):
            optimizer.zero_grad()
            torch.nn.functional.mse_loss(reference(torch.tensor(xb)), torch.tensor(yb)).backward()
            optimizer.step()
    # 35 steps of float64 arithmetic, summed in different orders: a few ulps
    # per step, far below 1e-12 relative.
    for key, value in reference.state_dict().items():
        np.testing.assert_allclose(model.state_dict()[key], value.numpy(), rtol=1e-12,
                                   atol=1e-14, err_msg=key)


class ModeSpy(Module):
    """Passes data through, recording the mode of every forward call."""

    def __init__(self):
        super().__init__()
        self.modes = []

    def forward(self, x):
        self.modes.append(self.training)
        return x

    def backward(self, grad_output):
        return grad_output


def test_trains_in_training_mode_and_validates_in_eval_mode(moons):
    X, y = moons
    spy = ModeSpy()
    model = Sequential(Linear(2, 2, random_state=0), spy)
    model.eval()
    fit(model, CrossEntropyLoss(), SGD(model.parameters(), lr=0.1), (X[:100], y[:100]),
        epochs=2, batch_size=50, validation=(X[100:], y[100:]), progress=False)
    # Per epoch: 2 training batches, then the 100 validation samples in 2 batches.
    assert spy.modes == [True, True, False, False] * 2
    assert not model.training


# --------------------------------------------------------------------------
# Callbacks and early stopping
# --------------------------------------------------------------------------


def diverging_validation(moons):
    """Training data, and validation data whose labels are flipped.

    The better the model fits the training set, the worse its validation
    loss: it rises from the first epochs on, so early stopping must act.
    """
    X, y = moons
    return (X[:150], y[:150]), (X[150:], 1 - y[150:])


@pytest.mark.parametrize("wrap", [False, True])
def test_early_stopping_stops_and_restores_the_best_weights(moons, wrap):
    data, validation = diverging_validation(moons)
    model = mlp([2, 16, 2])
    states = []
    stopper = EarlyStopping(patience=2)
    callback = EarlyStoppingCallback(stopper) if wrap else stopper
    history = fit(model, CrossEntropyLoss(), Adam(model.parameters(), lr=0.05), data,
                  epochs=50, batch_size=30, validation=validation,
                  callbacks=[lambda epoch, logs, model: states.append(model.state_dict()),
                             callback], random_state=0, progress=False)
    val_loss = history["val_loss"]
    best = int(np.argmin(val_loss))
    assert stopper.stopped and history.epochs < 50
    # Stopped after `patience` epochs without improvement on the best.
    assert history.epochs == best + 1 + 2 == stopper.best_epoch + 3
    assert min(val_loss[best + 1:]) >= val_loss[best]
    for key, value in model.state_dict().items():
        np.testing.assert_array_equal(value, states[best][key])


def test_early_stopping_can_monitor_another_quantity(moons):
    X, y = moons
    model = mlp([2, 16, 2])
    stopper = EarlyStopping(patience=0, mode="max", restore_best_weights=False)
    history = fit(model, CrossEntropyLoss(), Adam(model.parameters(), lr=0.05), (X, y),
                  epochs=100, batch_size=20, metrics={"accuracy": accuracy},
                  callbacks=[EarlyStoppingCallback(stopper, monitor="accuracy")], random_state=0,
                  progress=False)
    accuracies = history["accuracy"]
    assert history.epochs < 100
    assert accuracies[-1] <= max(accuracies[:-1])


def test_every_callback_sees_the_last_epoch():
    X, y = np.zeros((4, 1)), np.zeros((4, 1))
    model = Linear(1, 1, random_state=0)
    calls = []

    class Stop:
        def on_epoch_end(self, epoch, logs, model):
            calls.append(("stop", epoch))
            return epoch == 1

    fit(model, MSELoss(), SGD(model.parameters(), lr=0.1), (X, y), epochs=5, batch_size=2,
        callbacks=[Stop(), lambda epoch, logs, model: calls.append(("log", epoch))],
        progress=False)
    assert calls == [("stop", 0), ("log", 0), ("stop", 1), ("log", 1)]


def test_early_stopping_on_val_loss_without_validation_says_what_to_do(moons):
    X, y = moons
    model = mlp([2, 4, 2])
    with pytest.raises(KeyError, match="validation=\\(X_val, y_val\\)"):
        fit(model, CrossEntropyLoss(), SGD(model.parameters(), lr=0.1), (X, y), epochs=3,
            batch_size=50, callbacks=[EarlyStopping()], progress=False)


# --------------------------------------------------------------------------
# Bad input
# --------------------------------------------------------------------------


@pytest.fixture
def setup():
    model = Linear(2, 1, random_state=0)
    return model, MSELoss(), SGD(model.parameters(), lr=0.1)


@pytest.mark.parametrize("kwargs, error, match", [
    (dict(data=np.zeros((4, 2))), TypeError, "pair"),
    (dict(data=(np.zeros((4, 2)), np.zeros((3, 1)))), ValueError, r"\(4, 2\).*\(3, 1\)"),
    (dict(data=(np.zeros((0, 2)), np.zeros((0, 1)))), ValueError, "empty"),
    (dict(validation=(np.zeros((4, 2)), np.zeros((2, 1)))), ValueError, "same number"),
    (dict(epochs=0), ValueError, "epochs"),
    (dict(epochs=2.0), TypeError, "epochs"),
    (dict(batch_size=0), ValueError, "batch_size"),
    (dict(callbacks=[object()]), TypeError, "on_epoch_end"),
    (dict(metrics={"loss": accuracy}), ValueError, "'loss'"),
    (dict(metrics={"val_acc": accuracy}), ValueError, "val_"),
    (dict(metrics={"acc": 1.0}), TypeError, "function"),
    (dict(metrics=accuracy), TypeError, "list"),
])
def test_bad_arguments_are_explained(setup, kwargs, error, match):
    model, criterion, optimizer = setup
    arguments = dict(data=(np.zeros((4, 2)), np.zeros((4, 1))), epochs=1, batch_size=2,
                     progress=False)
    arguments.update(kwargs)
    with pytest.raises(error, match=match):
        fit(model, criterion, optimizer, **arguments)


def test_early_stopping_callback_needs_a_stepper():
    with pytest.raises(TypeError, match="EarlyStopping"):
        EarlyStoppingCallback(0.5)


# --------------------------------------------------------------------------
# Progress bar and plot
# --------------------------------------------------------------------------


def test_progress_bar_shows_epochs_and_loss(setup, capsys):
    model, criterion, optimizer = setup
    data = (np.ones((4, 2)), np.ones((4, 1)))
    fit(model, criterion, optimizer, data, epochs=3, batch_size=2, progress=True)
    err = capsys.readouterr().err
    assert "3/3" in err and "loss=" in err
    fit(model, criterion, optimizer, data, epochs=3, batch_size=2, progress=False)
    assert capsys.readouterr() == ("", "")


@pytest.fixture
def plt():
    matplotlib = pytest.importorskip("matplotlib")
    matplotlib.use("Agg")
    import matplotlib.pyplot as plt
    yield plt
    plt.close("all")


def test_plot_history_labels_every_curve(plt):
    history = History(loss=[1.0, 0.5, 0.4], accuracy=[0.5, 0.8, 0.9],
                      val_loss=[1.1, 0.7, 0.6], val_accuracy=[0.4, 0.7, 0.8])
    axes = plot_history(history)
    assert [ax.get_ylabel() for ax in axes] == ["loss", "accuracy"]
    for ax, name in zip(axes, ["loss", "accuracy"]):
        assert ax.get_xlabel() == "epoch"
        lines = ax.get_lines()
        assert [line.get_label() for line in lines] == ["training", "validation"]
        np.testing.assert_array_equal(lines[0].get_xdata(), [1, 2, 3])
        np.testing.assert_array_equal(lines[1].get_ydata(), history["val_" + name])
        assert [t.get_text() for t in ax.get_legend().get_texts()] == ["training", "validation"]


def test_plot_history_draws_on_given_axes(plt):
    fig, ax = plt.subplots()
    assert plot_history(History(loss=[2.0, 1.0]), ax=ax) == [ax]
    assert len(ax.get_lines()) == 1
    with pytest.raises(ValueError, match="one Axes per quantity"):
        plot_history(History(loss=[1.0], acc=[0.5]), ax=ax)
    with pytest.raises(ValueError, match="empty"):
        plot_history(History())


# --------------------------------------------------------------------------
# Import
# --------------------------------------------------------------------------


def test_import_is_light():
    code = ("import sys, anncourse.training\n"
            "heavy = [m for m in ('torch', 'matplotlib', 'tqdm', 'sklearn') if m in sys.modules]\n"
            "assert not heavy, heavy")
    subprocess.run([sys.executable, "-c", code], check=True)
