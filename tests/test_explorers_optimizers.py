"""The optimizers chapter's explorers: true paths and moments, redraws, loud errors, a safe palette."""
from __future__ import annotations

import subprocess
import sys

import numpy as np
import pytest

FACTORIES = ["optimizer_race", "adam_internals_explorer"]
OKABE_ITO = {"#e69f00", "#56b4e9", "#009e73", "#f0e442", "#0072b2", "#d55e00", "#cc79a7", "#000000"}


def _module():
    from anncourse.explorers import optimizers

    return optimizers


def test_import_does_not_load_matplotlib():
    code = ("import sys, anncourse.explorers.optimizers\n"
            "assert 'matplotlib' not in sys.modules and 'ipywidgets' not in sys.modules")
    subprocess.run([sys.executable, "-c", code], check=True)


def _new_value(control):
    """A value different from the control's current one, within its range."""
    import ipywidgets as w

    if isinstance(control, w.Checkbox):
        return not control.value
    if isinstance(control, w.SelectMultiple):
        return control.value[:1] if len(control.value) > 1 else tuple(control.options[:2])
    if isinstance(control, w.Dropdown):
        return next(o for o in control.options if o != control.value)
    if isinstance(control, w.SelectionSlider):
        return next(o for o in control.options if o != control.value)
    if isinstance(control, w.FloatLogSlider):
        return control.base ** control.min if control.value != control.base ** control.min \
            else control.base ** control.max
    return control.min if control.value != control.min else control.max


@pytest.mark.parametrize("factory", FACTORIES)
def test_every_control_redraws(factory):
    import ipywidgets as w

    racers = ("SGD", "Adam")
    kwargs = {"names": racers, "steps": 20} if factory == "optimizer_race" else {}
    box = getattr(_module(), factory)(**kwargs)
    assert isinstance(box, w.VBox) and box.controls
    assert bytes(box.image.value).startswith(b"\x89PNG") and box.readout.value
    for name, control in box.controls.items():
        if name == "surface":
            continue  # tested below: it also resets the learning rates
        before = (bytes(box.image.value), box.readout.value)
        old = control.value
        # The menu picks a racer, so that the slider then moves a path that is drawn.
        control.value = "Adam" if name == "tuned" else _new_value(control)
        assert (bytes(box.image.value), box.readout.value) != before, (factory, name)
        if name in ("racers", "steps"):
            control.value = old  # keep the race small and its racers in


def test_a_new_surface_resets_the_tuned_learning_rates_and_redraws_once(monkeypatch):
    m = _module()
    box = m.optimizer_race("quadratic", names=("SGD", "Adam"), steps=20)
    box.controls["lr"].value = 1e-4                     # SGD's, the optimizer the menu shows
    assert box.explorer.lrs["SGD"] == pytest.approx(1e-4)
    calls = []
    real = box.explorer.draw
    monkeypatch.setattr(box.explorer, "draw", lambda **v: calls.append(v) or real(**v))
    box.controls["surface"].value = "beale"
    assert len(calls) == 1, "one redraw, not one per reset control"
    assert box.explorer.lrs == m.SURFACES["beale"].lrs
    assert box.controls["lr"].value == pytest.approx(m.SURFACES["beale"].lrs["SGD"])
    assert box.controls["steps"].value == m.SURFACES["beale"].steps


def test_the_slider_sets_the_learning_rate_of_the_optimizer_in_the_menu():
    m = _module()
    box = m.optimizer_race("quadratic", names=("SGD", "Adam"), steps=10)
    box.controls["tuned"].value = "Adam"
    assert box.controls["lr"].value == pytest.approx(m.SURFACES["quadratic"].lrs["Adam"])
    box.controls["lr"].value = 0.01
    assert box.explorer.lrs["Adam"] == pytest.approx(0.01)
    assert box.explorer.lrs["SGD"] == pytest.approx(m.SURFACES["quadratic"].lrs["SGD"])
    expected = m.race("quadratic", ["Adam"], {"Adam": 0.01}, 10)["Adam"]
    np.testing.assert_array_equal(box.explorer._paths(box.explorer.values())["Adam"], expected)


@pytest.mark.parametrize("factory", FACTORIES)
def test_errors_in_a_callback_propagate(factory, monkeypatch):
    box = getattr(_module(), factory)()

    def broken(*args, **kwargs):
        raise RuntimeError("boom")

    monkeypatch.setattr(box.explorer, "draw", broken)
    control = box.controls["steps" if factory == "optimizer_race" else "t"]
    with pytest.raises(RuntimeError, match="boom"):
        control.value = control.value + 5


def test_no_pyplot_figures_are_left_behind():
    import matplotlib.pyplot as plt

    before = plt.get_fignums()
    for factory in FACTORIES:
        getattr(_module(), factory)().update()
    assert plt.get_fignums() == before


@pytest.mark.parametrize("factory", FACTORIES)
def test_palette_is_colour_blind_safe_and_every_path_has_its_own_look(factory):
    """Okabe-Ito colours (or greys); no two labelled lines share colour, line style and marker."""
    from matplotlib.colors import to_hex, to_rgb

    box = getattr(_module(), factory)()
    fig = box.explorer.draw(**box.explorer.values())
    for ax in fig.axes:
        looks = []
        for line in ax.lines:
            r, g, b = to_rgb(line.get_color())
            assert max(r, g, b) - min(r, g, b) < 1e-6 or to_hex(line.get_color()) in OKABE_ITO
            if not line.get_label().startswith("_"):
                looks.append((line.get_linestyle(), str(line.get_marker())))
        # Colour aside, the paths differ by line style and marker (greyscale print, colour blindness).
        assert len(looks) == len(set(looks)), (factory, looks)


def test_the_race_has_a_legend_naming_each_path():
    m = _module()
    box = m.optimizer_race("quadratic", names=("SGD", "Adam", "Nadam"), steps=10)
    fig = box.explorer.draw(**box.explorer.values())
    paths, losses = fig.axes
    assert [t.get_text() for t in paths.get_legend().get_texts()] == ["SGD", "Adam", "Nadam"]
    assert [ln.get_label() for ln in losses.lines] == ["SGD", "Adam", "Nadam"]
    assert losses.get_yscale() == "log"


def test_race_paths_follow_the_optimizers_by_hand():
    m = _module()
    # SGD on the quadratic: each coordinate shrinks by (1 - lr * curvature) per step.
    path = m.race("quadratic", ["SGD"], {"SGD": 0.1}, 5)["SGD"]
    x0, y0 = m.SURFACES["quadratic"].start
    k = np.arange(6)
    np.testing.assert_allclose(path[:, 0], x0 * 0.9**k, rtol=1e-12)
    np.testing.assert_allclose(path[:, 1], y0 * 0.0**k, rtol=1e-12, atol=1e-300)
    # Adam's first step is lr * sign(g) in every coordinate.
    first = m.race("rosenbrock", ["Adam"], {"Adam": 0.05}, 1)["Adam"]
    g = m.SURFACES["rosenbrock"].grad(*first[0])
    np.testing.assert_allclose(first[1] - first[0], -0.05 * np.sign(g), rtol=1e-6)
    # The syllabus's momentum: the first step is (1 - beta) = 0.1 times SGD's.
    mom = m.race("beale", ["Momentum", "SGD"], {"Momentum": 0.1, "SGD": 0.1}, 1)
    np.testing.assert_allclose(mom["Momentum"][1] - mom["Momentum"][0],
                               0.1 * (mom["SGD"][1] - mom["SGD"][0]), rtol=1e-12)


def test_gradients_of_the_surfaces_match_finite_differences():
    m = _module()
    rng = np.random.default_rng(0)
    h = 1e-6
    for name, s in m.SURFACES.items():
        for _ in range(5):
            x = rng.uniform(*s.xlim)
            y = rng.uniform(*s.ylim)
            numeric = [(s.f(x + h, y) - s.f(x - h, y)) / (2 * h),
                       (s.f(x, y + h) - s.f(x, y - h)) / (2 * h)]
            # Central differences: error ~ h^2 f''' plus rounding ~ 1e-16 f / h.
            np.testing.assert_allclose(s.grad(x, y), numeric, rtol=1e-5, atol=1e-4), name
        assert np.allclose(s.grad(*s.minimum), 0, atol=1e-12), name
        assert s.f(*s.minimum) == pytest.approx(s.f_min, abs=1e-12), name


def test_a_diverging_optimizer_stops_instead_of_overflowing():
    m = _module()
    path = m.race("quadratic", ["SGD"], {"SGD": 1.0}, 500)["SGD"]   # lr * 10 = 10 > 2: diverges
    assert len(path) < 501 and np.all(np.isfinite(path))
    box = m.optimizer_race("quadratic", names=("SGD",), lrs={"SGD": 1.0}, steps=100)
    assert "diverged" in box.readout.value


@pytest.mark.parametrize("surface", ["quadratic", "saddle"])
def test_tuned_learning_rates_are_the_best_on_the_grid(surface):
    m = _module()
    s = m.SURFACES[surface]
    grid = [c * 10.0**e for e in range(-4, 1) for c in (1, 2, 5)] + [10.0]

    def score(name, lr):
        path = m.race(surface, [name], {name: lr}, s.steps)[name]
        if len(path) < s.steps + 1:
            return np.inf
        tail = np.log10(np.maximum(m.losses_along(surface, path), 1e-16))[-(s.steps // 4):]
        return float(np.max(tail))

    for name in m.NAMES:
        best = min(grid, key=lambda lr: (score(name, lr), lr))
        assert s.lrs[name] == pytest.approx(best), (surface, name)


def test_race_rejects_bad_input():
    m = _module()
    with pytest.raises(ValueError, match="unknown surface"):
        m.race("himmelblau", ["SGD"], {"SGD": 0.1}, 3)
    with pytest.raises(ValueError, match="unknown optimizer"):
        m.race("quadratic", ["LBFGS"], {"LBFGS": 0.1}, 3)
    with pytest.raises(ValueError, match="positive"):
        m.race("quadratic", ["SGD"], {"SGD": 0.0}, 3)
    with pytest.raises(ValueError, match="steps"):
        m.race("quadratic", ["SGD"], {"SGD": 0.1}, 0)
    with pytest.raises(ValueError, match="unknown optimizer"):
        m.optimizer_race(names=("SGD", "Lion"))


def test_adam_moments_follow_the_closed_forms():
    m = _module()
    g, b1, b2 = -0.7, 0.9, 0.99
    r = m.adam_moments(g, b1, b2, 30)
    t = np.arange(1, 31)
    np.testing.assert_allclose(r["m"], (1 - b1**t) * g, rtol=1e-12)
    np.testing.assert_allclose(r["v"], (1 - b2**t) * g * g, rtol=1e-12)
    np.testing.assert_allclose(r["m_hat"], np.full(30, g), rtol=1e-12)
    np.testing.assert_allclose(r["v_hat"], np.full(30, g * g), rtol=1e-12)
    # Corrected, every step is lr * sign(g) (up to eps); uncorrected, the first is
    # lr (1 - b1) / sqrt(1 - b2) = 0.1 * 0.1 / 0.1 = lr here, then it grows past lr.
    np.testing.assert_allclose(r["step"], np.full(30, -0.1), rtol=1e-6)
    np.testing.assert_allclose(r["step_uncorrected"],
                               0.1 * (1 - b1**t) * g / (np.sqrt(1 - b2**t) * abs(g)), rtol=1e-6)
    with pytest.raises(ValueError, match="steps"):
        m.adam_moments(1.0, 0.9, 0.999, 0)
    with pytest.raises(ValueError, match="beta"):
        m.adam_moments(1.0, 1.0, 0.999, 3)


def test_the_adam_readout_shows_the_step_asked_for():
    box = _module().adam_internals_explorer(g=1.0, beta1=0.9, beta2=0.999, t=1)
    # Step 1 without correction: 0.1 * 0.1 / sqrt(0.001) = 0.3162.
    assert "0.3162" in box.readout.value
    box.controls["t"].value = 2
    assert "0.19" in box.readout.value   # m after two steps: 0.1 + 0.9 * 0.1
