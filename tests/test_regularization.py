"""anncourse.regularization: penalties (against PyTorch), early stopping, augmentation."""
from __future__ import annotations

import subprocess
import sys
import warnings

import numpy as np
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st
from hypothesis.extra import numpy as hnp

from anncourse.nn.parameter import Parameter
from anncourse.regularization import (
    EarlyStopping,
    add_gaussian_noise,
    augment,
    l1_grad,
    l1_penalty,
    l2_grad,
    l2_penalty,
    random_flip,
    random_rotation,
    random_shift,
    rotate,
    shift,
)

torch = pytest.importorskip("torch")

# --------------------------------------------------------------------------
# Penalties
# --------------------------------------------------------------------------

weights = hnp.arrays(
    st.sampled_from([np.float32, np.float64]),
    hnp.array_shapes(min_dims=1, max_dims=3, max_side=5),
    elements=st.floats(-100, 100, width=32),
)


def torch_penalty_and_grad(w, lam, kind):
    t = torch.tensor(w, requires_grad=True)
    penalty = lam * t.abs().sum() if kind == "l1" else lam / 2 * (t**2).sum()
    penalty.backward()
    return penalty.item(), t.grad.numpy()


@settings(max_examples=80, deadline=None)
# lam >= 1e-6 or 0: for a subnormal lam, torch's lam / 2 underflows to 0 and
# its gradient with it, while our lam * w does not.
@given(w=weights, lam=st.one_of(st.just(0.0), st.floats(1e-6, 10)),
       kind=st.sampled_from(["l1", "l2"]))
def test_penalties_and_gradients_match_torch_autograd(w, lam, kind):
    penalty, grad = (l1_penalty, l1_grad) if kind == "l1" else (l2_penalty, l2_grad)
    torch_value, torch_grad = torch_penalty_and_grad(w, lam, kind)
    ours = penalty(w, lam)
    assert ours.dtype == w.dtype
    # Sums of up to 125 terms, summed in different orders: relative error a
    # few eps of the dtype (1.2e-7 for float32).
    rtol = 1e-5 if w.dtype == np.float32 else 1e-12
    np.testing.assert_allclose(ours, torch_value, rtol=rtol, atol=1e-30)
    ours_grad = grad(w, lam)
    assert ours_grad.dtype == w.dtype and ours_grad.shape == w.shape
    # The gradient is one multiplication per entry in both: identical, and
    # torch's abs gradient at 0 is 0, as our sign(0).
    np.testing.assert_allclose(ours_grad, torch_grad, rtol=1e-6 if w.dtype == np.float32 else 1e-15)


def test_parameters_lists_and_generators():
    a, b = Parameter(np.array([1.0, -2.0])), Parameter(np.array([[3.0]]))
    assert l1_penalty([a, b], 0.5) == 0.5 * 6
    assert l2_penalty((p for p in [a, b]), 2.0) == 14.0
    grads = l2_grad([a, b], 0.1)
    assert isinstance(grads, list) and len(grads) == 2
    np.testing.assert_allclose(grads[1], [[0.3]])
    np.testing.assert_array_equal(l1_grad(a, 1.0), [1.0, -1.0])
    assert isinstance(l1_grad(a, 1.0), np.ndarray)
    assert l2_penalty([], 1.0) == 0.0
    w32 = np.ones(3, dtype=np.float32)
    assert l2_penalty([w32, w32], 1.0).dtype == np.float32


def test_penalty_errors_and_extremes():
    with pytest.raises(ValueError, match="lam must be >= 0"):
        l2_penalty(np.ones(2), -1.0)
    with pytest.raises(TypeError, match="lam"):
        l1_penalty(np.ones(2), np.ones(2))
    with pytest.raises(TypeError, match="real numbers"):
        l1_grad(np.array(["a"]), 1.0)
    with warnings.catch_warnings():
        warnings.simplefilter("error")
        assert l2_penalty(np.array([1e200, 1e200]), 1.0) == np.inf
        assert l1_penalty(np.full(3, 3e38, dtype=np.float32), 1.0) == np.inf


def test_l2_is_sgd_weight_decay():
    rng = np.random.default_rng(0)
    w0, g = rng.normal(size=5), rng.normal(size=5)
    lr, lam = 0.1, 0.01
    t = torch.tensor(w0, requires_grad=True)
    t.grad = torch.tensor(g)
    torch.optim.SGD([t], lr=lr, weight_decay=lam).step()
    ours = w0 - lr * (g + l2_grad(w0, lam))
    np.testing.assert_allclose(ours, t.detach().numpy(), rtol=1e-15)


def run_adam(w0, g, lam, cls, add_l2=False, steps=3):
    t = torch.tensor(w0, requires_grad=True)
    optimizer = cls([t], lr=0.1, weight_decay=0.0 if add_l2 else lam)
    for _ in range(steps):
        grad = g + l2_grad(t.detach().numpy(), lam) if add_l2 else g
        t.grad = torch.tensor(grad)
        optimizer.step()
    return t.detach().numpy()


def test_adam_weight_decay_is_l2_but_adamw_is_not():
    rng = np.random.default_rng(1)
    w0, g = rng.normal(size=5), rng.normal(size=5)
    lam = 0.5
    with_l2 = run_adam(w0, g, lam, torch.optim.Adam, add_l2=True)
    np.testing.assert_allclose(with_l2, run_adam(w0, g, lam, torch.optim.Adam), rtol=1e-12)
    decoupled = run_adam(w0, g, lam, torch.optim.AdamW)
    assert np.abs(decoupled - with_l2).max() > 1e-3


# --------------------------------------------------------------------------
# Early stopping
# --------------------------------------------------------------------------


class TinyModel:
    """A stand-in with PyTorch's state-dict protocol; state_dict returns the live array."""

    def __init__(self):
        self.w = np.zeros(2)
        self.loads = 0

    def state_dict(self):
        return {"w": self.w}

    def load_state_dict(self, state):
        self.loads += 1
        self.w[...] = state["w"]


def run(stopper, values, model=None):
    """Feed values until the stopper says stop; return the index where it did, or None."""
    for epoch, value in enumerate(values):
        if model is not None:
            model.w += 1  # "train": the weights are now those of this epoch, epoch + 1
        if stopper.step(value, model):
            return epoch
    return None


def test_patience_counts_epochs_without_improvement():
    assert run(EarlyStopping(patience=2, restore_best_weights=False), [3, 2, 2.5, 2.1]) == 3
    stopper = EarlyStopping(patience=3)
    assert run(stopper, [5, 4, 4, 4, 3, 3, 3]) is None, "an improvement resets the count"
    assert stopper.num_bad_epochs == 2 and stopper.best == 3 and stopper.best_epoch == 4
    assert stopper.step(3) and stopper.stopped
    assert run(EarlyStopping(patience=0), [1, 0.5, 0.5]) == 2
    assert run(EarlyStopping(patience=1), [1, float("nan")]) == 1, "NaN is never an improvement"


def test_min_delta_and_mode():
    stopper = EarlyStopping(patience=2, min_delta=0.1)
    # 0.95 and 0.91 are better, but not by more than 0.1.
    assert run(stopper, [1.0, 0.95, 0.91]) == 2 and stopper.best == 1.0
    stopper = EarlyStopping(patience=2, min_delta=0.1)
    assert run(stopper, [1.0, 0.95, 0.85, 0.8, 0.8]) == 4 and stopper.best == 0.85
    stopper = EarlyStopping(patience=2, mode="max")
    assert run(stopper, [0.5, 0.7, 0.6, 0.7]) == 3 and stopper.best == 0.7
    assert stopper.best_epoch == 1, "an equal value is not an improvement"


def test_restores_the_best_weights():
    model = TinyModel()
    stopper = EarlyStopping(patience=3)
    assert run(stopper, [3.0, 1.0, 2.0, 2.0, 2.0], model) == 4
    # Epoch 1 was best, when the weights were 2; training went on to 5.
    np.testing.assert_array_equal(model.w, [2.0, 2.0])
    assert model.loads == 1 and stopper.best_epoch == 1
    model = TinyModel()
    stopper = EarlyStopping(patience=3, restore_best_weights=False)
    assert run(stopper, [3.0, 1.0, 2.0, 2.0, 2.0], model) == 4
    assert model.loads == 0 and model.w[0] == 5.0


def test_restores_a_torch_module():
    module = torch.nn.Linear(2, 1)
    stopper = EarlyStopping(patience=1)
    stopper.step(1.0, module)
    best = {k: v.clone() for k, v in module.state_dict().items()}
    with torch.no_grad():
        module.weight.add_(1.0)  # in place, as an optimizer step does
    assert stopper.step(2.0, module)
    for key, value in module.state_dict().items():
        assert torch.equal(value, best[key])


def test_restores_an_anncourse_module_and_penalizes_its_parameters():
    from anncourse.nn import Linear

    layer = Linear(3, 2, random_state=0)
    stopper = EarlyStopping(patience=1)
    stopper.step(1.0, layer)
    best = layer.weight.data.copy()
    layer.weight.data += 1.0
    assert stopper.step(2.0, layer)
    np.testing.assert_array_equal(layer.weight.data, best)
    expected = sum(0.05 * np.sum(p.data ** 2) for p in layer.parameters())
    np.testing.assert_allclose(l2_penalty(layer.parameters(), 0.1), expected, rtol=1e-15)


def test_early_stopping_arguments():
    with pytest.raises(ValueError, match="patience"):
        EarlyStopping(patience=-1)
    with pytest.raises(ValueError, match="patience"):
        EarlyStopping(patience=2.5)
    with pytest.raises(ValueError, match="min_delta"):
        EarlyStopping(min_delta=-0.1)
    with pytest.raises(ValueError, match="mode"):
        EarlyStopping(mode="minimum")
    assert EarlyStopping().step(np.float32(1.0)) is False


# --------------------------------------------------------------------------
# Augmentation
# --------------------------------------------------------------------------

RANDOM_TRANSFORMS = {
    "shift": lambda x, rng: random_shift(x, 3, rng),
    "rotation": lambda x, rng: random_rotation(x, 30.0, rng),
    "flip": lambda x, rng: random_flip(x, True, True, 0.5, rng),
    "noise": lambda x, rng: add_gaussian_noise(x, 0.1, rng),
    "augment": lambda x, rng: augment(x, rng, max_degrees=15, max_shift=2, horizontal_flip=True,
                                      noise_std=0.05),
}
IDENTITIES = {
    "shift": lambda x: random_shift(x, 0, 0),
    "rotation": lambda x: random_rotation(x, 0.0, 0),
    "flip": lambda x: random_flip(x, True, True, 0.0, 0),
    "noise": lambda x: add_gaussian_noise(x, 0.0, 0),
    "augment": lambda x: augment(x, 0),
}


def image_batch(n=6, size=10, dtype=np.float64, seed=0):
    return np.random.default_rng(seed).random((n, size, size)).astype(dtype)


@pytest.mark.parametrize("name", RANDOM_TRANSFORMS)
@pytest.mark.parametrize("dtype", [np.float32, np.float64])
def test_shape_dtype_determinism_and_input_untouched(name, dtype):
    transform = RANDOM_TRANSFORMS[name]
    batch = image_batch(dtype=dtype)
    original = batch.copy()
    out = transform(batch, 7)
    assert out.shape == batch.shape and out.dtype == dtype
    np.testing.assert_array_equal(batch, original)
    np.testing.assert_array_equal(out, transform(batch, 7))
    np.testing.assert_array_equal(out, transform(batch, np.random.default_rng(7)))
    assert not np.array_equal(out, transform(batch, 8))
    single = transform(batch[0], 7)
    assert single.shape == batch.shape[1:] and single.dtype == dtype
    np.testing.assert_array_equal(single, transform(batch[:1], 7)[0])


@pytest.mark.parametrize("name", IDENTITIES)
def test_strength_zero_is_the_identity(name):
    batch = image_batch()
    out = IDENTITIES[name](batch)
    np.testing.assert_array_equal(out, batch)
    assert out is not batch


@pytest.mark.parametrize("k", [-1, 1, 2, 3, 4])
@pytest.mark.parametrize("size", [5, 6, 28])
def test_rotation_by_right_angles_is_rot90(k, size):
    batch = image_batch(n=3, size=size)
    np.testing.assert_array_equal(rotate(batch, 90 * k), np.rot90(batch, k, axes=(1, 2)))
    np.testing.assert_array_equal(rotate(batch[0], 90 * k), np.rot90(batch[0], k))


def test_rotation_angle_per_image_and_random_rotation():
    batch = image_batch(n=3)
    out = rotate(batch, [0, 90, 180])
    for image, result, k in zip(batch, out, [0, 1, 2]):
        np.testing.assert_array_equal(result, np.rot90(image, k))
    angles = np.random.default_rng(4).uniform(-20, 20, size=3)
    np.testing.assert_array_equal(random_rotation(batch, 20, 4), rotate(batch, angles))
    # A small rotation keeps the mass near the centre; bilinear
    # interpolation never leaves the range of the input.
    disk = (np.hypot(*np.mgrid[-5:6, -5:6]) <= 3).astype(float)
    turned = rotate(disk, 17)
    assert turned.min() >= 0 and turned.max() <= 1
    assert abs(turned.sum() - disk.sum()) < 0.05 * disk.sum()


@settings(max_examples=60, deadline=None)
@given(dy=st.integers(-7, 7), dx=st.integers(-7, 7), fill=st.sampled_from([0.0, -1.0]))
def test_shift_moves_content_exactly(dy, dx, fill):
    image = image_batch(n=1, size=6)[0]
    out = shift(image, dy, dx, fill=fill)
    for i in range(6):
        for j in range(6):
            source = (i - dy, j - dx)
            inside = 0 <= source[0] < 6 and 0 <= source[1] < 6
            assert out[i, j] == (image[source] if inside else fill)


def test_random_shift_uses_shifts_within_range():
    batch = image_batch(n=20, size=8)
    out = random_shift(batch, 2, random_state=0)
    used = set()
    for image, result in zip(batch, out):
        matches = [(dy, dx) for dy in range(-2, 3) for dx in range(-2, 3)
                   if np.array_equal(shift(image, dy, dx), result)]
        assert len(matches) == 1
        used.add(matches[0])
    assert len(used) > 5, "the shifts must vary between images"


def test_flips():
    batch = image_batch(n=200, size=4)
    np.testing.assert_array_equal(random_flip(batch, p=1.0, random_state=0), batch[:, :, ::-1])
    np.testing.assert_array_equal(
        random_flip(batch, horizontal=False, vertical=True, p=1.0, random_state=0), batch[:, ::-1, :]
    )
    out = random_flip(batch, p=0.5, random_state=0)
    flipped = np.all(out == batch[:, :, ::-1], axis=(1, 2))
    kept = np.all(out == batch, axis=(1, 2))
    assert np.all(flipped ^ kept)
    # Binomial(200, 1/2): 100 +- 7; 60 is more than 5 standard deviations off.
    assert 60 < flipped.sum() < 140


def test_gaussian_noise():
    image = np.full((200, 200), 0.5)
    noisy = add_gaussian_noise(image, 0.1, random_state=0, clip=None)
    # 40000 draws: the sample std is within 1.5% of 0.1 (standard error 0.35%).
    assert abs((noisy - image).std() / 0.1 - 1) < 0.015
    clipped = add_gaussian_noise(image, 1.0, random_state=0)
    assert clipped.min() == 0.0 and clipped.max() == 1.0


def test_augment_is_the_steps_in_order():
    batch = image_batch()
    np.testing.assert_array_equal(augment(batch, 3, max_shift=2), random_shift(batch, 2, 3))
    rng = np.random.default_rng(5)
    expected = add_gaussian_noise(random_rotation(batch, 10, rng), 0.1, rng)
    np.testing.assert_array_equal(augment(batch, 5, max_degrees=10, noise_std=0.1), expected)


def test_augmentation_errors():
    with pytest.raises(ValueError, match=r"\(H, W\).*\(N, H, W\).*\(3,\).*reshape"):
        random_shift(np.zeros(3), 1)
    with pytest.raises(ValueError, match="max_shift"):
        random_shift(np.zeros((3, 3)), -1)
    with pytest.raises(ValueError, match="max_degrees"):
        random_rotation(np.zeros((3, 3)), -5)
    with pytest.raises(ValueError, match="p must lie"):
        random_flip(np.zeros((3, 3)), p=1.5)
    with pytest.raises(ValueError, match="std"):
        add_gaussian_noise(np.zeros((3, 3)), -0.1)
    with pytest.raises(TypeError, match="whole numbers"):
        shift(np.zeros((3, 3)), 0.5, 0)
    with pytest.raises(ValueError, match=r"one per image \(2,\)"):
        rotate(np.zeros((2, 3, 3)), [1.0, 2.0, 3.0])


# --------------------------------------------------------------------------
# Import
# --------------------------------------------------------------------------


def test_import_is_light():
    # scipy is imported by rotate when it is called, not before.
    code = ("import sys, anncourse.regularization\n"
            "heavy = [m for m in ('torch', 'matplotlib', 'sklearn', 'scipy') if m in sys.modules]\n"
            "assert not heavy, heavy")
    subprocess.run([sys.executable, "-c", code], check=True)
