"""nn.Sequential, and whole networks against the same networks in PyTorch."""
from __future__ import annotations

import numpy as np
import pytest
import torch
from hypothesis import given, settings
from hypothesis import strategies as st

from anncourse import nn

TORCH_DTYPE = {np.float64: torch.float64, np.float32: torch.float32}
# float64: a few layers, each adding errors of ~1e-16 relative to the sizes
# of its terms; batch normalisation's division by a batch standard
# deviation can amplify them tenfold: rtol 1e-9 / atol 1e-11 still has a
# wide margin. float32: the same at 6e-8: rtol 1e-3 / atol 1e-4 (sums of up
# to ~20 terms through five layers).
TOL = {np.float64: dict(rtol=1e-9, atol=1e-11), np.float32: dict(rtol=1e-3, atol=1e-4)}


def build_pair(dtype, seed=0):
    """The same MLP in anncourse and in torch, with identical parameters."""
    ours = nn.Sequential(
        nn.Linear(6, 8, random_state=seed, dtype=dtype),
        nn.BatchNorm1d(8, dtype=dtype),
        nn.ReLU(),
        nn.Dropout(0.0),
        nn.Linear(8, 5, random_state=seed + 1, dtype=dtype),
        nn.Tanh(),
        nn.Linear(5, 4, random_state=seed + 2, dtype=dtype),
        nn.LeakyReLU(0.1),
        nn.Linear(4, 3, random_state=seed + 3, dtype=dtype),
        nn.Sigmoid(),
    )
    tdtype = TORCH_DTYPE[dtype]
    theirs = torch.nn.Sequential(
        torch.nn.Linear(6, 8, dtype=tdtype),
        torch.nn.BatchNorm1d(8, dtype=tdtype),
        torch.nn.ReLU(),
        torch.nn.Dropout(0.0),
        torch.nn.Linear(8, 5, dtype=tdtype),
        torch.nn.Tanh(),
        torch.nn.Linear(5, 4, dtype=tdtype),
        torch.nn.LeakyReLU(0.1),
        torch.nn.Linear(4, 3, dtype=tdtype),
        torch.nn.Sigmoid(),
    )
    # Our state_dict's keys are PyTorch's, so it loads as it is.
    theirs.load_state_dict({key: torch.from_numpy(value) for key, value in ours.state_dict().items()})
    return ours, theirs


def compare(ours, theirs, x, g, dtype):
    ours.zero_grad()
    theirs.zero_grad()
    y = ours(x)
    dx = ours.backward(g)
    xt = torch.tensor(x, requires_grad=True)
    yt = theirs(xt)
    yt.backward(torch.from_numpy(g))
    tol = TOL[dtype]
    np.testing.assert_allclose(y, yt.detach().numpy(), **tol)
    np.testing.assert_allclose(dx, xt.grad.numpy(), **tol)
    torch_params = dict(theirs.named_parameters())
    assert [name for name, _ in ours.named_parameters()] == list(torch_params)
    for name, parameter in ours.named_parameters():
        np.testing.assert_allclose(parameter.grad, torch_params[name].grad.numpy(), **tol, err_msg=name)
    for key, value in theirs.state_dict().items():
        np.testing.assert_allclose(ours.state_dict()[key], value.numpy(), **tol, err_msg=key)


@pytest.mark.parametrize("dtype", [np.float64, np.float32])
@pytest.mark.parametrize("mode", ["train", "eval"])
def test_mlp_matches_torch(dtype, mode):
    rng = np.random.default_rng(0)
    ours, theirs = build_pair(dtype)
    def batch():
        return rng.normal(size=(7, 6)).astype(dtype), rng.normal(size=(7, 3)).astype(dtype)

    for _ in range(2):  # training batches give the running statistics something to show
        compare(ours, theirs, *batch(), dtype)
    getattr(ours, mode)()
    getattr(theirs, mode)()
    compare(ours, theirs, *batch(), dtype)


@settings(max_examples=10, deadline=None)
@given(seed=st.integers(0, 2**16), lr=st.sampled_from([0.01, 0.5]))
def test_sgd_training_follows_torch_step_by_step(seed, lr):
    rng = np.random.default_rng(seed)
    ours = nn.Sequential(nn.Linear(4, 6, random_state=seed), nn.Tanh(), nn.BatchNorm1d(6),
                         nn.Linear(6, 3, random_state=seed + 1))
    theirs = torch.nn.Sequential(torch.nn.Linear(4, 6), torch.nn.Tanh(), torch.nn.BatchNorm1d(6),
                                 torch.nn.Linear(6, 3)).double()
    theirs.load_state_dict({k: torch.from_numpy(v) for k, v in ours.state_dict().items()})
    criterion, criterion_t = nn.CrossEntropyLoss(), torch.nn.CrossEntropyLoss()
    optimizer = torch.optim.SGD(theirs.parameters(), lr=lr)
    for _ in range(5):
        x, y = rng.normal(size=(8, 4)), rng.integers(0, 3, size=8)
        loss = criterion(ours(x), y)
        ours.zero_grad()
        ours.backward(criterion.backward())
        for parameter in ours.parameters():
            parameter.data -= lr * parameter.grad
        optimizer.zero_grad()
        loss_t = criterion_t(theirs(torch.from_numpy(x)), torch.from_numpy(y))
        loss_t.backward()
        optimizer.step()
        # rtol 1e-9: five steps of the float64 errors described above.
        np.testing.assert_allclose(loss, loss_t.item(), rtol=1e-9)
    for key, value in theirs.state_dict().items():
        np.testing.assert_allclose(ours.state_dict()[key], value.numpy(), rtol=1e-9, atol=1e-12)


def test_training_reduces_the_loss():
    rng = np.random.default_rng(0)
    x = rng.normal(size=(64, 2))
    y = (x[:, 0] * x[:, 1] > 0).astype(int)  # XOR of the signs: not linearly separable
    model = nn.Sequential(nn.Linear(2, 16, random_state=0), nn.Tanh(),
                          nn.Linear(16, 2, random_state=1))
    criterion = nn.CrossEntropyLoss()
    first = criterion(model(x), y)
    for _ in range(300):
        criterion(model(x), y)
        model.zero_grad()
        model.backward(criterion.backward())
        for parameter in model.parameters():
            parameter.data -= 0.5 * parameter.grad
    assert criterion(model(x), y) < 0.3 * first
    assert np.mean(model(x).argmax(axis=1) == y) > 0.9


def test_indexing_length_iteration_and_layers():
    a, b, c = nn.Linear(2, 3), nn.ReLU(), nn.Linear(3, 1)
    model = nn.Sequential(a, b, c)
    assert len(model) == 3
    assert model[0] is a and model[-1] is c
    assert list(model) == [a, b, c]
    assert model.layers == (a, b, c)
    head = model[:2]
    assert isinstance(head, nn.Sequential) and head.layers == (a, b)
    with pytest.raises(IndexError):
        model[3]
    assert model.append(nn.Sigmoid()) is model and len(model) == 4
    assert [name for name, _ in model.named_parameters()] == ["0.weight", "0.bias", "2.weight", "2.bias"]


def test_empty_sequential_is_the_identity():
    x = np.ones((2, 2))
    assert nn.Sequential()(x) is x


def test_only_modules_are_accepted():
    from anncourse.activations import relu
    with pytest.raises(TypeError, match="Sequential takes Modules, got function"):
        nn.Sequential(nn.Linear(2, 2), relu)


def test_backward_before_forward_names_the_layer():
    model = nn.Sequential(nn.Linear(2, 3), nn.ReLU())
    with pytest.raises(RuntimeError, match="ReLU.backward\\(\\) was called before forward"):
        model.backward(np.ones((1, 3)))


def test_repr_nests():
    model = nn.Sequential(nn.Sequential(nn.Linear(2, 2), nn.ReLU()), nn.Dropout(0.1))
    assert repr(model) == (
        "Sequential(\n"
        "  (0): Sequential(\n"
        "    (0): Linear(in_features=2, out_features=2, bias=True)\n"
        "    (1): ReLU()\n"
        "  )\n"
        "  (1): Dropout(p=0.1)\n"
        ")"
    )


def test_backward_without_input_grad_gives_the_same_parameter_gradients():
    rng = np.random.default_rng(3)
    x, g = rng.normal(size=(7, 6)), rng.normal(size=(7, 3))
    full, skipped = build_pair(np.float64, seed=3)[0], build_pair(np.float64, seed=3)[0]
    full(x)
    dx = full.backward(g)
    skipped(x)
    assert skipped.backward(g, input_grad=False) is None
    assert dx.shape == x.shape
    for (name, p), (_, q) in zip(full.named_parameters(), skipped.named_parameters()):
        # Identical operations in the identical order: the results are equal, not close.
        np.testing.assert_array_equal(p.grad, q.grad, err_msg=name)


class _OldStyleScale(nn.Module):
    """A module written without ``input_grad``, as a learner may write one."""

    def __init__(self):
        super().__init__()
        self.w = nn.Parameter(np.array(2.0))

    def forward(self, x):
        self._saved = (x,)
        return self.w.data * x

    def backward(self, grad_output):
        (x,) = self._saved_for_backward()
        self.w.accumulate_grad(np.sum(grad_output * x))
        return grad_output * self.w.data


def test_a_first_layer_without_input_grad_still_works():
    model = nn.Sequential(_OldStyleScale(), nn.Linear(3, 2, random_state=0))
    x = np.arange(6.0).reshape(2, 3)
    model(x)
    # The old-style layer is asked for its input gradient, which it returns.
    dx = model.backward(np.ones((2, 2)), input_grad=False)
    assert dx.shape == x.shape
    assert model[0].w.grad is not None


def test_fit_trains_a_model_whose_backward_has_no_input_grad():
    from anncourse.optim import SGD
    from anncourse.training import fit

    class Wrapper:
        """A duck-typed model: only __call__, backward, train, eval."""

        def __init__(self):
            self.inner = nn.Linear(2, 1, random_state=0)

        def __call__(self, x):
            return self.inner(x)

        def backward(self, grad):
            return self.inner.backward(grad)

        def train(self):
            self.inner.train()

        def eval(self):
            self.inner.eval()

    rng = np.random.default_rng(0)
    X = rng.normal(size=(64, 2))
    y = X @ np.array([[1.0], [-2.0]])
    model = Wrapper()
    history = fit(model, nn.MSELoss(), SGD(model.inner.parameters(), lr=0.1), (X, y),
                  epochs=20, batch_size=16, random_state=0, progress=False)
    assert history["loss"][-1] < 1e-3 * history["loss"][0]
