"""nn.Module: registration, traversal, modes, state_dict, and the package's promises."""
from __future__ import annotations

import copy
import subprocess
import sys

import numpy as np
import pytest
import torch

from anncourse import nn
from anncourse.nn import Module, Parameter


class Block(Module):
    """A module with its own parameter, a buffer and two sub-modules."""

    def __init__(self):
        super().__init__()
        self.scale = Parameter(np.ones(3))
        self.register_buffer("count", np.zeros(1))
        self.inner = nn.Linear(3, 3, random_state=0)
        self.norm = nn.BatchNorm1d(3)


class TorchBlock(torch.nn.Module):
    def __init__(self):
        super().__init__()
        self.scale = torch.nn.Parameter(torch.ones(3))
        self.register_buffer("count", torch.zeros(1))
        self.inner = torch.nn.Linear(3, 3)
        self.norm = torch.nn.BatchNorm1d(3)


def test_names_and_order_like_torch():
    ours = nn.Sequential(Block(), nn.ReLU(), Block())
    theirs = torch.nn.Sequential(TorchBlock(), torch.nn.ReLU(), TorchBlock())
    assert [n for n, _ in ours.named_parameters()] == [n for n, _ in theirs.named_parameters()]
    assert [n for n, _ in ours.named_buffers()] == [n for n, _ in theirs.named_buffers()]
    assert list(ours.state_dict()) == list(theirs.state_dict())
    assert [n for n, _ in ours.named_modules()] == [n for n, _ in theirs.named_modules()]
    assert [type(m).__name__ for m in ours[0].children()] == ["Linear", "BatchNorm1d"]
    parameters = ours.parameters()
    assert iter(parameters) is parameters  # an iterator, as in PyTorch
    assert all(isinstance(p, Parameter) for p in parameters)
    assert [n for n, _ in ours[0].named_parameters(recurse=False)] == ["scale"]


def test_reassigning_keeps_the_order_and_arrays_are_refused():
    block = Block()
    block.scale = Parameter(np.zeros(3))
    assert [n for n, _ in block.named_parameters()][0] == "scale"
    np.testing.assert_array_equal(block.scale.data, 0)
    with pytest.raises(TypeError, match="cannot assign ndarray to parameter 'scale'"):
        block.scale = np.ones(3)
    with pytest.raises(TypeError, match="cannot assign int to sub-module 'inner'"):
        block.inner = 3
    with pytest.raises(TypeError, match="buffer 'count'"):
        block.count = [1.0]
    block.scale = None
    assert block.scale is None
    assert "scale" not in dict(block.named_parameters())


def test_deleting_and_plain_attributes():
    block = Block()
    del block.inner
    assert not hasattr(block, "inner")
    assert "inner.weight" not in block.state_dict()
    block.note = "not registered"
    del block.note
    with pytest.raises(AttributeError, match="'Block' object has no attribute 'missing'"):
        block.missing


def test_forgetting_super_init_is_explained():
    class Broken(Module):
        def __init__(self):
            self.w = Parameter(np.ones(1))

    with pytest.raises(AttributeError, match=r"call super\(\).__init__\(\) first in Broken.__init__"):
        Broken()


def test_forward_and_backward_must_be_defined():
    with pytest.raises(NotImplementedError, match="Module must define forward"):
        Module()(np.ones(1))
    with pytest.raises(NotImplementedError, match="must define backward"):
        Module().backward(np.ones(1))


def test_shared_parameters_are_yielded_once():
    layer = nn.Linear(2, 2)
    model = nn.Sequential(layer, nn.Tanh(), layer)
    assert len(list(model.parameters())) == 2
    assert list(model.state_dict()) == ["0.weight", "0.bias", "2.weight", "2.bias"]  # as in PyTorch


def test_train_and_eval_are_recursive_and_return_self():
    model = nn.Sequential(nn.Linear(2, 2), nn.Sequential(nn.Dropout(), nn.BatchNorm1d(2)))
    assert model.training
    assert model.eval() is model
    assert not any(m.training for m in model.modules())
    assert model.train() is model
    assert all(m.training for m in model.modules())
    with pytest.raises(TypeError, match="train\\(\\) takes a bool"):
        model.train("no")


def test_zero_grad():
    model = nn.Sequential(nn.Linear(2, 2, random_state=0), nn.Linear(2, 1, random_state=1))
    model(np.ones((3, 2)))
    model.backward(np.ones((3, 1)))
    assert all(p.grad is not None for p in model.parameters())
    model.zero_grad(set_to_none=False)
    assert all(np.all(p.grad == 0) for p in model.parameters())
    model.zero_grad()
    assert all(p.grad is None for p in model.parameters())


def make_model():
    return nn.Sequential(nn.Linear(3, 4, random_state=0), nn.BatchNorm1d(4), nn.ReLU(),
                         nn.Linear(4, 2, random_state=1))


def test_state_dict_holds_copies():
    model = make_model()
    state = model.state_dict()
    assert state["0.weight"] is not model[0].weight.data
    state["0.weight"][...] = 123.0
    assert not np.any(model[0].weight.data == 123.0)
    model(np.random.default_rng(0).normal(size=(5, 3)))
    assert np.all(state["1.running_mean"] == 0)  # the saved state did not move


def test_load_state_dict_round_trip_in_place():
    source = make_model()
    target = nn.Sequential(nn.Linear(3, 4, random_state=5), nn.BatchNorm1d(4), nn.ReLU(),
                           nn.Linear(4, 2, random_state=6))
    source(np.random.default_rng(0).normal(size=(5, 3)))
    weight = target[0].weight.data
    result = target.load_state_dict(source.state_dict())
    assert result.missing_keys == [] and result.unexpected_keys == []
    assert target[0].weight.data is weight  # copied into, not replaced
    for key, value in source.state_dict().items():
        np.testing.assert_array_equal(target.state_dict()[key], value)


def test_loads_a_torch_state_dict():
    theirs = torch.nn.Sequential(torch.nn.Linear(3, 4), torch.nn.BatchNorm1d(4), torch.nn.ReLU(),
                                 torch.nn.Linear(4, 2)).double()
    x = np.random.default_rng(0).normal(size=(5, 3))
    theirs(torch.from_numpy(x))  # move the running statistics
    theirs.eval()
    ours = make_model().eval()
    ours.load_state_dict(theirs.state_dict())
    np.testing.assert_allclose(ours(x), theirs(torch.from_numpy(x)).detach().numpy(), rtol=1e-12)


def test_load_state_dict_errors_list_every_problem_and_change_nothing():
    model = make_model()
    before = model.state_dict()
    bad = model.state_dict()
    del bad["0.bias"]
    bad["5.weight"] = np.zeros(1)
    bad["3.weight"] = np.zeros((4, 2))
    with pytest.raises(ValueError) as error:
        model.load_state_dict(bad)
    message = str(error.value)
    assert "missing keys: '0.bias'" in message
    assert "unexpected keys: '5.weight'" in message
    assert "'3.weight' has shape (4, 2) in the state_dict but shape (2, 4) in the module" in message
    for key, value in model.state_dict().items():
        np.testing.assert_array_equal(value, before[key])


def test_load_state_dict_non_strict_and_dtypes():
    model = make_model()
    partial = {"0.weight": np.ones((4, 3)), "extra": np.zeros(2)}
    result = model.load_state_dict(partial, strict=False)
    assert result.unexpected_keys == ["extra"] and "0.bias" in result.missing_keys
    np.testing.assert_array_equal(model[0].weight.data, 1)
    with pytest.raises(TypeError, match="'1.num_batches_tracked' has dtype float64"):
        model.load_state_dict({**model.state_dict(), "1.num_batches_tracked": np.array(1.5)})
    small = nn.Linear(3, 4, dtype=np.float32)
    small.load_state_dict({"weight": np.full((4, 3), 0.1), "bias": np.zeros(4)})
    assert small.weight.dtype == np.float32 and small.weight.data[0, 0] == np.float32(0.1)


def test_deepcopy_is_independent():
    model = make_model()
    clone = copy.deepcopy(model)
    clone[0].weight.data += 1
    assert not np.array_equal(clone[0].weight.data, model[0].weight.data)
    assert [n for n, _ in clone.named_parameters()] == [n for n, _ in model.named_parameters()]


def test_custom_module_with_attribute_parameters_trains():
    class Affine(Module):
        def __init__(self):
            super().__init__()
            self.a = Parameter(np.array(0.0))
            self.b = Parameter(np.array(0.0))

        def forward(self, x):
            self._saved = (x,)
            return self.a.data * x + self.b.data

        def backward(self, grad_output):
            (x,) = self._saved_for_backward()
            self.a.accumulate_grad(np.sum(grad_output * x))
            self.b.accumulate_grad(np.sum(grad_output))
            return grad_output * self.a.data

    model, loss = Affine(), nn.MSELoss()
    x = np.linspace(-1, 1, 20)
    for _ in range(500):
        loss(model(x), 3 * x - 1)
        model.zero_grad()
        model.backward(loss.backward())
        for p in model.parameters():
            p.data -= 0.3 * p.grad
    assert model.a.data == pytest.approx(3) and model.b.data == pytest.approx(-1)


def test_importing_is_light():
    code = ("import sys, anncourse.nn\n"
            "heavy = [m for m in ('torch', 'matplotlib') if m in sys.modules]\n"
            "assert not heavy, heavy")
    subprocess.run([sys.executable, "-c", code], check=True)


def test_public_names():
    expected = {
        "Module", "Parameter", "Sequential", "Linear", "BatchNorm1d", "Dropout", "ReLU", "LeakyReLU",
        "Sigmoid", "Tanh", "Softmax", "MSELoss", "HuberLoss", "BCELoss", "BCEWithLogitsLoss",
        "CrossEntropyLoss", "init",
    }
    assert set(nn.__all__) == expected
    assert all(hasattr(nn, name) for name in expected)
    from anncourse.nn.parameter import Parameter as Original
    assert nn.Parameter is Original
