"""One name for randomness in the reference: ``random_state`` (None, an int or a Generator)."""
from __future__ import annotations

import warnings

import numpy as np
import pytest

from anncourse import data, nn, regularization, training, tuning
from anncourse._random import check_random_state
from anncourse.nn import init
from anncourse.optim import SGD

IMAGES = np.random.default_rng(0).random((8, 6, 6))  # fixed pictures, random transforms
X2, Y2 = np.arange(20.0).reshape(10, 2), np.arange(10)

# Each public function or class that draws random numbers, called with
# random_state=<value>, and the keyword it used to take.
CALLS = {
    "make_xor": (lambda rs: data.make_xor(10, random_state=rs), "seed"),
    "make_moons": (lambda rs: data.make_moons(10, noise=0.1, random_state=rs), "seed"),
    "make_circles": (lambda rs: data.make_circles(10, noise=0.1, random_state=rs), "seed"),
    "make_spirals": (lambda rs: data.make_spirals(10, random_state=rs), "seed"),
    "make_noisy_sine": (lambda rs: data.make_noisy_sine(10, random_state=rs), "seed"),
    "make_linear_regression": (lambda rs: data.make_linear_regression(10, random_state=rs),
                               "seed"),
    "train_val_test_split": (lambda rs: data.train_val_test_split(X2, Y2, random_state=rs), "seed"),
    "iterate_minibatches": (lambda rs: list(data.iterate_minibatches(X2, Y2, 3, random_state=rs)),
                            "seed"),
    "uniform_": (lambda rs: init.uniform_(np.empty(5), random_state=rs), "rng"),
    "normal_": (lambda rs: init.normal_(np.empty(5), random_state=rs), "rng"),
    "xavier_uniform_": (lambda rs: init.xavier_uniform_(np.empty((3, 4)), random_state=rs), "rng"),
    "xavier_normal_": (lambda rs: init.xavier_normal_(np.empty((3, 4)), random_state=rs), "rng"),
    "kaiming_uniform_": (lambda rs: init.kaiming_uniform_(np.empty((3, 4)), random_state=rs),
                         "rng"),
    "kaiming_normal_": (lambda rs: init.kaiming_normal_(np.empty((3, 4)), random_state=rs), "rng"),
    "Linear": (lambda rs: nn.Linear(3, 2, random_state=rs).weight.data, "seed"),
    "Dropout": (lambda rs: nn.Dropout(0.5, random_state=rs)(np.ones(20)), "seed"),
    "random_shift": (lambda rs: regularization.random_shift(IMAGES, 1, random_state=rs), "rng"),
    "random_rotation": (lambda rs: regularization.random_rotation(IMAGES, 5.0, random_state=rs),
                        "rng"),
    "random_flip": (lambda rs: regularization.random_flip(IMAGES, random_state=rs), "rng"),
    "add_gaussian_noise": (lambda rs: regularization.add_gaussian_noise(IMAGES, 0.1,
                                                                          random_state=rs), "rng"),
    "augment": (lambda rs: regularization.augment(IMAGES, random_state=rs, max_shift=1), "rng"),
    "sample_parameters": (lambda rs: tuning.sample_parameters({"a": [1, 2, 3]}, 4,
                                                              random_state=rs), "seed"),
    "random_search": (lambda rs: [r["params"] for r in tuning.random_search(
        lambda a: a, {"a": [1, 2, 3]}, 3, random_state=rs, progress=False).results], "seed"),
    "fit": (lambda rs: _fit(rs), "seed"),
}


def _fit(random_state):
    """One epoch of fit; its loss depends on the batches' order."""
    model = nn.Linear(2, 1, random_state=0)
    optimizer = SGD(model.parameters(), lr=0.001)
    return training.fit(model, nn.MSELoss(), optimizer, (X2, Y2[:, None] * 1.0), 1, 3,
                        random_state=random_state, progress=False)["loss"]


def _same(a, b) -> bool:
    return repr(a) == repr(b)


@pytest.mark.parametrize("name", sorted(CALLS))
def test_an_int_reproduces_and_a_generator_is_advanced(name):
    call, _ = CALLS[name]
    assert _same(call(3), call(3))
    rng = np.random.default_rng(3)
    first = call(rng)
    assert _same(first, call(np.random.default_rng(3)))  # a Generator is used as it is
    if name not in ("random_search", "fit"):  # their outcome need not depend on the draws
        assert not _same(first, call(rng)), "the same Generator should give new draws"


@pytest.mark.parametrize("name", sorted(CALLS))
@pytest.mark.parametrize("bad", [0.5, "0", True, np.random.RandomState(0), [1, 2]])
def test_anything_else_is_a_type_error(name, bad):
    call, _ = CALLS[name]
    with pytest.raises(TypeError, match="must be None, an int or a numpy.random.Generator"):
        call(bad)


def test_negative_seed_is_a_value_error():
    with pytest.raises(ValueError, match=">= 0"):
        data.make_moons(5, random_state=-1)


@pytest.mark.parametrize("name", sorted(CALLS))
def test_the_old_keyword_still_works_with_a_deprecation_warning(name, monkeypatch):
    call, old = CALLS[name]
    expected = call(4)
    # Call again through the old keyword: wrap the random_state=... call site.
    target, attribute = _where(name)
    original = getattr(target, attribute)

    def through_old_name(*args, **kwargs):
        kwargs[old] = kwargs.pop("random_state")
        return original(*args, **kwargs)

    monkeypatch.setattr(target, attribute, through_old_name)
    with pytest.warns(DeprecationWarning, match=rf"{old}=\.\.\.\) is deprecated.*random_state"):
        again = call(4)
    assert _same(expected, again)


def test_both_names_at_once_are_refused():
    with pytest.raises(TypeError, match="both seed= and random_state="):
        data.make_moons(5, seed=1, random_state=1)


def _where(name):
    """The module attribute each entry of CALLS reaches ``random_state`` through."""
    for module in (data, init, regularization, tuning, training, nn):
        if hasattr(module, name):
            return module, name
    raise LookupError(name)


def test_check_random_state_passes_a_generator_through():
    g = np.random.default_rng(0)
    assert check_random_state(g) is g
    assert isinstance(check_random_state(None), np.random.Generator)
    assert isinstance(check_random_state(np.int64(5)), np.random.Generator)
    with warnings.catch_warnings():
        warnings.simplefilter("error")
        check_random_state(2**63)  # big ints are valid seeds
