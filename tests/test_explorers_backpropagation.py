"""The backpropagation chapter's explorers: right numbers, buttons and controls that redraw, safe palette."""
from __future__ import annotations

import subprocess
import sys

import numpy as np
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from anncourse.explorers.backpropagation import (CIRCUITS, circuit_stepper_explorer, circuit_trace,
                                                 difference_errors, gradcheck_error_explorer)
from anncourse.gradcheck import numerical_gradient

OKABE_ITO = {"#e69f00", "#56b4e9", "#009e73", "#f0e442", "#0072b2", "#d55e00", "#cc79a7", "#000000"}
FACTORIES = [circuit_stepper_explorer, gradcheck_error_explorer]


def test_import_is_light():
    code = ("import sys, anncourse.explorers.backpropagation\n"
            "assert 'matplotlib' not in sys.modules and 'ipywidgets' not in sys.modules")
    subprocess.run([sys.executable, "-c", code], check=True)


# --- the circuit's numbers ---------------------------------------------------------------------

def test_the_worked_example():
    t = circuit_trace("(x + y)·z", x=-2.0, y=5.0, z=-4.0)
    assert t["values"]["f"] == -12.0
    assert [t["grads"][k] for k in "xyz"] == [-4.0, -4.0, 3.0]


@settings(max_examples=30, deadline=None)
@given(st.sampled_from(list(CIRCUITS)), st.lists(st.floats(-5, 5), min_size=4, max_size=4))
def test_every_input_gradient_is_the_slope(circuit, point):
    names = CIRCUITS[circuit]["inputs"]
    point = point[: len(names)]
    if circuit.startswith("2") and abs(point[2] - point[3]) < 1e-3:
        point[2] += 0.5  # away from the max gate's kink, where the slope jumps
    t = circuit_trace(circuit, **dict(zip(names, point)))
    numeric = numerical_gradient(lambda v: circuit_trace(circuit, **dict(zip(names, v)))["values"]["f"],
                                 np.array(point))
    # Products of two inputs in [-5, 5]: the centred difference is exact up to rounding, ~1e-9.
    assert np.allclose([t["grads"][n] for n in names], numeric, atol=1e-6)


def test_the_gates_route_gradients_as_taught():
    t = circuit_trace("2·(x·y + max(z, w))", x=3.0, y=-4.0, z=2.0, w=-1.0)
    g = t["grads"]
    assert g["p"] == g["m"] == g["s"] == 2.0          # the add gate distributes
    assert (g["x"], g["y"]) == (-8.0, 6.0)            # the multiply gate swaps: 2*y, 2*x
    assert (g["z"], g["w"]) == (2.0, 0.0)             # the max gate routes to the larger input


def test_steps_go_forward_then_backward_in_reverse():
    t = circuit_trace("2·(x·y + max(z, w))", x=1.0, y=2.0, z=3.0, w=4.0)
    nodes = [(s["phase"], s["node"]) for s in t["steps"]]
    assert nodes == [("forward", "p"), ("forward", "m"), ("forward", "s"), ("forward", "f"),
                     ("backward", "f"), ("backward", "s"), ("backward", "m"), ("backward", "p")]


def test_bad_arguments_are_named():
    with pytest.raises(ValueError, match="unknown circuit"):
        circuit_trace("x*y", x=1.0, y=2.0)
    with pytest.raises(ValueError, match="takes the inputs x, y, z"):
        circuit_trace("(x + y)·z", x=1.0, y=2.0)
    with pytest.raises(ValueError, match="unknown circuit"):
        circuit_stepper_explorer("nope")
    with pytest.raises(ValueError, match="unknown function"):
        difference_errors("cos", 1.0, [1e-3])
    with pytest.raises(ValueError, match="dtype"):
        gradcheck_error_explorer(dtype="float16")
    with pytest.raises(ValueError, match="positive"):
        difference_errors("sin", 1.0, [0.0, 1e-3])
    with pytest.raises(ValueError, match="undefined"):
        difference_errors("sin", np.pi / 2, [1e-3])


# --- the stepper's buttons ---------------------------------------------------------------------

def test_forward_then_backward_lights_values_then_gradients():
    box = circuit_stepper_explorer()
    stepper = box.explorer
    trace = stepper.trace(**stepper.values())
    assert stepper.shown(trace) == ({"x", "y", "z"}, set())
    box.buttons["backward"].click()  # refused before the forward pass
    assert stepper.done == 0
    images = [bytes(box.image.value)]
    for _ in range(2):
        box.buttons["forward"].click()
        images.append(bytes(box.image.value))
    assert stepper.shown(trace) == ({"x", "y", "z", "q", "f"}, set())
    assert "forward pass is done" in box.readout.value
    box.buttons["forward"].click()  # nothing more to compute
    assert stepper.done == 2
    box.buttons["backward"].click()
    assert stepper.shown(trace)[1] == {"f", "q", "z"}
    box.buttons["backward"].click()
    images.append(bytes(box.image.value))
    assert stepper.shown(trace)[1] == {"f", "q", "x", "y", "z"}
    assert "backward pass is done" in box.readout.value and "−4" in box.readout.value
    assert len(set(images)) == len(images)  # every step changed the picture
    box.buttons["reset"].click()
    assert stepper.done == 0 and "?" in box.readout.value


def test_changing_the_circuit_starts_again():
    box = circuit_stepper_explorer()
    box.buttons["forward"].click()
    box.controls["circuit"].value = "2·(x·y + max(z, w))"
    assert box.explorer.done == 0 and box.explorer.n_gates == 4


# --- the error against h ----------------------------------------------------------------------------

def _running_median(err, width=9):
    padded = np.pad(np.maximum(err, 1e-300), width // 2, mode="edge")
    return np.array([np.median(padded[i:i + width]) for i in range(len(err))])


def _slope(h, err):
    return float(np.polyfit(np.log10(h), np.log10(err), 1)[0])


@pytest.mark.parametrize("kind", ["sin", "exp"])
@pytest.mark.parametrize("x0", [0.5, 1.3])
def test_truncation_slopes_are_one_and_two(kind, x0):
    h = np.logspace(-4, -1.5, 11)  # truncation dominates rounding by far here, in float64
    e = difference_errors(kind, x0, h)
    assert _slope(h, e["forward"]) == pytest.approx(1.0, abs=0.05)
    assert _slope(h, e["central"]) == pytest.approx(2.0, abs=0.1)
    # ... and the estimates of the truncation error are the errors there.
    assert np.allclose(e["forward"], e["truncation_forward"], rtol=0.1)


@pytest.mark.parametrize("dtype, central_best, forward_best", [
    ("float64", (1e-7, 1e-4), (1e-10, 1e-6)),
    ("float32", (1e-3, 1e-1), (1e-5, 1e-2)),
])
def test_the_u_shape_has_its_bottom_where_theory_puts_it(dtype, central_best, forward_best):
    """Central best near u^(1/3), one-sided near sqrt(u), each within about a decade."""
    h = np.logspace(-16, 0, 161)
    e = difference_errors("sin", 1.0, h, dtype)
    # Rounding is noisy (a lucky cancellation can land far below the trend), so the bottom
    # is located on a running median over 9 grid points (a decade).
    assert central_best[0] <= h[np.argmin(_running_median(e["central"]))] <= central_best[1]
    assert forward_best[0] <= h[np.argmin(_running_median(e["forward"]))] <= forward_best[1]
    # Rounding takes over at small h: far worse than at the bottom of the U.
    assert e["central"][h <= 1e-13].max() > 100 * e["central"].min() or dtype == "float32"
    assert np.median(e["central"][h < 1e-9]) > 1000 * e["central"].min()


def test_float32_is_much_worse_at_its_best():
    h = np.logspace(-16, 0, 161)
    e64, e32 = difference_errors("exp", 0.7, h), difference_errors("exp", 0.7, h, "float32")
    assert e32["central"].min() > 1e3 * e64["central"].min()


def test_the_readout_names_the_best_steps():
    box = gradcheck_error_explorer()
    assert "√u" in box.readout.value and "u^(1/3)" in box.readout.value


# --- the widget mechanics shared by both -------------------------------------------------------------

def _other_values(control):
    import ipywidgets as w

    if isinstance(control, (w.FloatSlider, w.IntSlider)):
        return [control.min, control.max]
    return [option[1] if isinstance(option, tuple) else option for option in control.options]


@pytest.mark.parametrize("factory", FACTORIES)
def test_every_control_redraws(factory):
    box = factory()
    if "forward" in getattr(box, "buttons", {}):
        for _ in range(3):  # the inputs show on the edges once gradients are known too
            box.buttons["forward"].click()
    assert bytes(box.image.value).startswith(b"\x89PNG") and box.readout.value
    for name, control in box.controls.items():
        old = control.value
        for value in _other_values(control):
            before = (bytes(box.image.value), box.readout.value)
            control.value = value
            if value != old and not (name == "w" and box.controls["circuit"].value == "(x + y)·z"):
                assert (bytes(box.image.value), box.readout.value) != before, (name, value)
            old = value


@pytest.mark.parametrize("factory", FACTORIES)
def test_no_pyplot_figures_leak(factory):
    import matplotlib.pyplot as plt

    before = plt.get_fignums()
    factory().update()
    assert plt.get_fignums() == before


@pytest.mark.parametrize("factory", FACTORIES)
def test_errors_in_callbacks_propagate(factory, monkeypatch):
    box = factory()

    def broken(*args, **kwargs):
        raise RuntimeError("boom")

    monkeypatch.setattr(box.explorer, "draw", broken)
    name = next(iter(box.controls))
    control = box.controls[name]
    with pytest.raises(RuntimeError, match="boom"):
        control.value = _other_values(control)[-1] if control.value != _other_values(control)[-1] \
            else _other_values(control)[0]


@pytest.mark.parametrize("factory, setting", [
    (circuit_stepper_explorer, {}), (circuit_stepper_explorer, {"circuit": "2·(x·y + max(z, w))"}),
    (gradcheck_error_explorer, {}), (gradcheck_error_explorer, {"dtype": "float32", "kind": "exp"})])
def test_palette_is_colour_blind_safe_with_distinct_line_styles(factory, setting):
    from matplotlib.colors import to_hex, to_rgb

    box = factory(**setting)
    if hasattr(box, "buttons"):
        for _ in range(8):
            box.buttons["forward"].click()
            box.buttons["backward"].click()
    fig = box.explorer.draw(**box.explorer.values())
    for ax in fig.axes:
        colours = [line.get_color() for line in ax.lines] + [p.get_facecolor() for p in ax.patches]
        colours += [t.get_color() for t in ax.texts]
        colours += [c.arrow_patch.get_edgecolor() for c in ax.texts if getattr(c, "arrow_patch", None)]
        for colour in colours:
            r, g, b = to_rgb(colour)
            assert max(r, g, b) - min(r, g, b) < 1e-6 or to_hex(colour) in OKABE_ITO, to_hex(colour)
        styles = [line.get_linestyle() for line in ax.lines
                  if not line.get_label().startswith("_") and len(line.get_xdata()) > 2]
        assert len(styles) == len(set(styles)), styles
