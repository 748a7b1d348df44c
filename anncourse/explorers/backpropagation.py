"""Interactive explorers for the backpropagation chapter (``09-backpropagation``).

* :func:`circuit_stepper_explorer` -- a small circuit of gates, run one
  gate at a time: *forward* lights each node's value on its edges, *backward*
  then lights the gradient of the output with respect to each value, gate by
  gate from the output back, with the local gradient and the upstream
  gradient spelled out in the readout.  Two circuits: ``(x + y)·z`` (the
  chapter's exercise) and ``2·(x·y + max(z, w))``, where an add gate
  distributes the gradient, a multiply gate swaps its inputs' values and a
  max gate routes it to the larger input only.
* :func:`gradcheck_error_explorer` -- the error of the one-sided and the
  centred difference against the step ``h`` on a log-log plot, in float64
  or float32: the truncation error falls like ``h`` (one-sided) or ``h^2``
  (centred) until rounding, which grows like ``u/h``, takes over, giving
  the U shape.

The numbers come from :func:`circuit_trace` and :func:`difference_errors`,
pure functions the tests check against finite differences and the error
estimates.  The widget mechanics (controls, readout, PNG image,
``box.update``) are those of :mod:`anncourse.explorers.losses`.
"""
from __future__ import annotations

import math

import numpy as np

from .losses import _OKABE_ITO, _Explorer, _fmt, _slider, _table, _toggle

__all__ = ["CIRCUITS", "circuit_stepper_explorer", "circuit_trace", "difference_errors",
           "gradcheck_error_explorer"]

_FORWARD = _OKABE_ITO["blue"]
_BACKWARD = _OKABE_ITO["vermillion"]
_ACTIVE = _OKABE_ITO["orange"]
_NODE = _OKABE_ITO["sky"]

# name -> (inputs, gates in forward order as (node, operation, arguments), node positions).
CIRCUITS = {
    "(x + y)·z": {
        "inputs": ("x", "y", "z"),
        "gates": (("q", "+", ("x", "y")), ("f", "×", ("q", "z"))),
        "pos": {"x": (0.0, 3.0), "y": (0.0, 1.6), "z": (0.0, 0.2), "q": (3.2, 2.3), "f": (6.4, 1.25)},
    },
    "2·(x·y + max(z, w))": {
        "inputs": ("x", "y", "z", "w"),
        "gates": (("p", "×", ("x", "y")), ("m", "max", ("z", "w")), ("s", "+", ("p", "m")),
                  ("f", "×2", ("s",))),
        "pos": {"x": (0.0, 3.6), "y": (0.0, 2.5), "z": (0.0, 1.3), "w": (0.0, 0.2),
                "p": (2.8, 3.05), "m": (2.8, 0.75), "s": (5.2, 1.9), "f": (7.4, 1.9)},
    },
}


def _apply(op, values):
    if op == "+":
        return values[0] + values[1]
    if op == "×":
        return values[0] * values[1]
    if op == "max":
        return max(values)
    return 2.0 * values[0]  # "×2"


def _local(op, values, k):
    """d(gate output)/d(argument k): add 1, multiply the other value, max 1 for the larger, ×2 2."""
    if op == "+":
        return 1.0
    if op == "×":
        return values[1 - k]
    if op == "max":
        # A tie sends the gradient to the first argument (one valid subgradient).
        return 1.0 if k == int(np.argmax(values)) else 0.0
    return 2.0


def circuit_trace(circuit, **inputs):
    """Forward values, gradients and the steps of forward and backward passes through a circuit.

    Parameters
    ----------
    circuit : str
        A key of :data:`CIRCUITS`.
    **inputs : float
        A value for each of the circuit's inputs.

    Returns
    -------
    dict
        ``values`` and ``grads`` (d output / d node) by node name, and
        ``steps``: one dict per gate forward, then one per gate backward (in
        reverse order), each with ``phase``, ``node``, ``edges`` (the
        ``(source, gate)`` pairs it lights) and ``text`` (the computation,
        in words).

    Raises
    ------
    ValueError
        For an unknown circuit, or missing or unexpected inputs.

    Examples
    --------
    >>> t = circuit_trace("(x + y)·z", x=-2.0, y=5.0, z=-4.0)
    >>> t["values"]["f"], t["grads"]["x"], t["grads"]["z"]
    (-12.0, -4.0, 3.0)
    """
    if circuit not in CIRCUITS:
        raise ValueError(f"unknown circuit {circuit!r}; expected one of {', '.join(CIRCUITS)}")
    spec = CIRCUITS[circuit]
    if set(inputs) != set(spec["inputs"]):
        raise ValueError(f"circuit {circuit!r} takes the inputs {', '.join(spec['inputs'])}; "
                         f"got {', '.join(sorted(inputs)) or 'none'}")
    values = {name: float(inputs[name]) for name in spec["inputs"]}
    steps = []
    for node, op, args in spec["gates"]:
        values[node] = _apply(op, [values[a] for a in args])
        numbers = [_fmt(values[a]) for a in args]
        if op in ("+", "×"):
            shown = f"{args[0]} {op} {args[1]} = {numbers[0]} {op} {numbers[1]}"
        elif op == "max":
            shown = f"max({args[0]}, {args[1]}) = max({numbers[0]}, {numbers[1]})"
        else:
            shown = f"2·{args[0]} = 2 · {numbers[0]}"
        steps.append({"phase": "forward", "node": node, "edges": [(a, node) for a in args],
                      "text": f"{node} = {shown} = {_fmt(values[node])}"})
    out = spec["gates"][-1][0]
    grads = {name: 0.0 for name in values}
    grads[out] = 1.0
    for node, op, args in reversed(spec["gates"]):
        arg_values = [values[a] for a in args]
        parts = []
        for k, a in enumerate(args):
            local = _local(op, arg_values, k)
            grads[a] += grads[node] * local
            parts.append(f"df/d{a} = df/d{node} · d{node}/d{a} = {_fmt(grads[node])} · {_fmt(local)}"
                         f" = {_fmt(grads[node] * local)}")
        steps.append({"phase": "backward", "node": node, "edges": [(a, node) for a in args],
                      "text": f"gate {node} ({op}): " + "; ".join(parts)})
    return {"values": values, "grads": grads, "steps": steps, "output": out}


class CircuitStepper(_Explorer):
    """The state behind :func:`circuit_stepper_explorer`: the circuit, its inputs and the step."""

    def __init__(self, circuit="(x + y)·z", x=-2.0, y=5.0, z=-4.0, w=1.0):
        import ipywidgets as widgets

        if circuit not in CIRCUITS:
            raise ValueError(f"unknown circuit {circuit!r}; expected one of {', '.join(CIRCUITS)}")
        self.done = 0  # how many steps (forward, then backward) have been taken
        controls = {
            "circuit": _toggle(list(CIRCUITS), circuit, "circuit"),
            "x": _slider(x, -5.0, 5.0, 0.5, "x", ".1f"),
            "y": _slider(y, -5.0, 5.0, 0.5, "y", ".1f"),
            "z": _slider(z, -5.0, 5.0, 0.5, "z", ".1f"),
            "w": _slider(w, -5.0, 5.0, 0.5, "w (second circuit)", ".1f"),
        }
        controls["circuit"].style.button_width = "150px"
        self.buttons = {
            "forward": widgets.Button(description="forward ▶", tooltip="compute the next gate"),
            "backward": widgets.Button(description="◀ backward",
                                       tooltip="send the gradient back through the next gate"),
            "reset": widgets.Button(description="reset", tooltip="nothing computed yet"),
        }
        super().__init__(controls, note="Press forward until the output is computed, then backward. "
                                        "Values (blue) above the edges, gradients df/d(value) "
                                        "(vermillion) below; the edges of the last step in orange.")
        self.widget.children = (*self.widget.children[:2], widgets.HBox(list(self.buttons.values())),
                                *self.widget.children[2:])
        self.widget.buttons = self.buttons
        self.buttons["forward"].on_click(lambda _: self.forward())
        self.buttons["backward"].on_click(lambda _: self.backward())
        self.buttons["reset"].on_click(lambda _: self.reset())

    def trace(self, circuit, x, y, z, w):
        names = CIRCUITS[circuit]["inputs"]
        return circuit_trace(circuit, **{k: v for k, v in dict(x=x, y=y, z=z, w=w).items() if k in names})

    @property
    def n_gates(self) -> int:
        return len(CIRCUITS[self.controls["circuit"].value]["gates"])

    def _on_change(self, change):
        if change["owner"] is self.controls["circuit"]:
            self.done = 0  # another circuit: start again
        self.update()

    # --- the buttons' actions ---------------------------------------------------------

    def forward(self) -> None:
        """Compute the next gate (nothing once the output is known)."""
        if self.done < self.n_gates:
            self.done += 1
        self.update()

    def backward(self) -> None:
        """Send the gradient back through the next gate; refused before the forward pass ends."""
        if self.done >= self.n_gates:
            self.done = min(self.done + 1, 2 * self.n_gates)
        self.update()

    def reset(self) -> None:
        self.done = 0
        self.update()

    # --- what is shown ----------------------------------------------------------------------

    def shown(self, trace):
        """Nodes whose value, and nodes whose gradient, are known after ``self.done`` steps."""
        steps = trace["steps"][: self.done]
        circuit = self.controls["circuit"].value
        values = set(CIRCUITS[circuit]["inputs"]) | {s["node"] for s in steps if s["phase"] == "forward"}
        grads = set()
        for s in steps:
            if s["phase"] == "backward":
                grads |= {s["node"]} | {a for a, _ in s["edges"]}
        return values, grads

    def draw(self, circuit, x, y, z, w):
        from matplotlib.figure import Figure
        from matplotlib.patches import Circle

        trace = self.trace(circuit, x, y, z, w)
        spec = CIRCUITS[circuit]
        values, grads = self.shown(trace)
        lit = set(trace["steps"][self.done - 1]["edges"]) if self.done else set()
        fig = Figure(figsize=(10.0, 4.2), dpi=96)
        fig.subplots_adjust(left=0.01, right=0.99, bottom=0.02, top=0.9)
        ax = fig.subplots()
        xs = [p[0] for p in spec["pos"].values()]
        ax.set_xlim(min(xs) - 0.8, max(xs) + 1.6)
        ax.set_ylim(-0.6, max(p[1] for p in spec["pos"].values()) + 0.7)
        ax.set_aspect("equal", adjustable="box")  # round nodes
        ax.set_axis_off()
        phase = ("nothing computed yet" if self.done == 0 else
                 f"forward step {self.done} of {self.n_gates}" if self.done <= self.n_gates else
                 f"backward step {self.done - self.n_gates} of {self.n_gates}")
        ax.set_title(f"f = {circuit}: {phase}", fontsize=12)
        ops = {node: op for node, op, _ in spec["gates"]}
        for node, (px, py) in spec["pos"].items():
            gate = node in ops
            ax.add_patch(Circle((px, py), 0.34, facecolor=_NODE if gate else "white",
                                edgecolor="#000000", linewidth=1.2))
            ax.text(px, py, f"{node}\n{ops[node]}" if gate else node, ha="center", va="center",
                    fontsize=10)
        for node, _, args in spec["gates"]:
            for a in args:
                (x0, y0), (x1, y1) = spec["pos"][a], spec["pos"][node]
                active = (a, node) in lit
                ax.annotate("", xy=(x1, y1), xytext=(x0, y0),
                            arrowprops=dict(arrowstyle="-|>", color=_ACTIVE if active else "#666666",
                                            linewidth=3.0 if active else 1.2, shrinkA=13, shrinkB=13))
                mx, my = x0 + 0.45 * (x1 - x0), y0 + 0.45 * (y1 - y0)
                if a in values:
                    ax.text(mx, my + 0.2, _fmt(trace["values"][a]), color=_FORWARD, ha="center",
                            fontsize=10, bbox=dict(facecolor="white", edgecolor="none", pad=0.4))
                if a in grads:
                    ax.text(mx, my - 0.38, _fmt(trace["grads"][a]), color=_BACKWARD, ha="center",
                            fontsize=10, style="italic",
                            bbox=dict(facecolor="white", edgecolor="none", pad=0.4))
        out = trace["output"]
        ox, oy = spec["pos"][out]
        if out in values:
            ax.text(ox + 0.5, oy + 0.2, f"f = {_fmt(trace['values'][out])}", color=_FORWARD, fontsize=11)
        if out in grads:
            ax.text(ox + 0.5, oy - 0.38, "df/df = 1", color=_BACKWARD, fontsize=11, style="italic")
        return fig

    def describe(self, circuit, x, y, z, w):
        trace = self.trace(circuit, x, y, z, w)
        if self.done == 0:
            now = "Press <b>forward ▶</b> to compute the first gate."
        else:
            now = trace["steps"][self.done - 1]["text"]
        if self.done == self.n_gates:
            now += " — the forward pass is done: press <b>◀ backward</b>, starting from df/df = 1."
        elif self.done == 2 * self.n_gates:
            now += " — the backward pass is done: every input has its gradient."
        inputs = CIRCUITS[circuit]["inputs"]
        _, grads = self.shown(trace)
        row = [(f"df/d{name}", _fmt(trace["grads"][name]) if name in grads else "?") for name in inputs]
        return _table([(now,), tuple(cell for pair in row for cell in pair)])


def circuit_stepper_explorer(circuit="(x + y)·z", x=-2.0, y=5.0, z=-4.0, w=1.0):
    """Step a circuit forward, gate by gate, then send the gradient back through it.

    Parameters
    ----------
    circuit : str
        A key of :data:`CIRCUITS` (toggle).
    x, y, z, w : float
        Starting inputs (sliders; ``w`` is used by the second circuit only).

    Returns
    -------
    ipywidgets.VBox
        With ``.controls``, ``.buttons`` (forward, backward, reset),
        ``.readout``, ``.image``, ``.update()`` and ``.explorer``.

    Examples
    --------
    >>> box = circuit_stepper_explorer()  # doctest: +SKIP
    >>> box.buttons["forward"].click()    # doctest: +SKIP
    """
    return CircuitStepper(circuit, x, y, z, w).widget


# --- the gradient-check error against h --------------------------------------------------------

# name -> (f, f', f'', f''') as NumPy functions.
FUNCTIONS = {
    "sin": (np.sin, np.cos, lambda t: -np.sin(t), lambda t: -np.cos(t)),
    "exp": (np.exp, np.exp, np.exp, np.exp),
}
_UNIT_ROUNDOFF = {"float64": 2.0 ** -53, "float32": 2.0 ** -24}


def difference_errors(kind, x0, hs, dtype="float64"):
    """Relative errors of the one-sided and the centred difference of ``f`` at ``x0`` for each ``h``.

    ``f`` is evaluated in ``dtype`` (``x0`` and ``x0 +- h`` rounded to it),
    the exact derivative in float64.

    Parameters
    ----------
    kind : {"sin", "exp"}
        The function.
    x0 : float
        The point.
    hs : array_like
        Steps, all positive.
    dtype : {"float64", "float32"}
        Precision of the evaluations.

    Returns
    -------
    dict
        ``forward`` and ``central``: ``|estimate - f'(x0)| / |f'(x0)|`` for
        each ``h`` (0 where the estimate is exact); ``truncation_forward``
        (``h |f''| / 2``), ``truncation_central`` (``h^2 |f'''| / 6``) and
        ``rounding`` (``u |f| / h``), each divided by ``|f'(x0)|``.

    Raises
    ------
    ValueError
        For an unknown function or dtype, a step that is not positive, or a
        point where ``|f'|`` is below 1e-9 (no relative error there).

    Examples
    --------
    >>> e = difference_errors("exp", 0.0, [1e-2, 1e-5])
    >>> bool(e["central"][0] < e["forward"][0]), bool(e["central"][1] < 1e-9)
    (True, True)
    """
    if kind not in FUNCTIONS:
        raise ValueError(f"unknown function {kind!r}; expected one of {', '.join(FUNCTIONS)}")
    if dtype not in _UNIT_ROUNDOFF:
        raise ValueError(f"dtype must be 'float64' or 'float32', not {dtype!r}")
    hs = np.asarray(hs, dtype=np.float64)
    if hs.ndim != 1 or not np.all(hs > 0):
        raise ValueError("hs must be a 1-D array of positive steps")
    f, d1, d2, d3 = FUNCTIONS[kind]
    exact = float(d1(np.float64(x0)))
    if abs(exact) < 1e-9:
        raise ValueError(f"f'({x0}) is (nearly) 0 for {kind}: the relative error is undefined there")
    t = np.dtype(dtype).type
    x = t(x0)
    with np.errstate(all="ignore"):
        plus, minus, at = f(x + hs.astype(dtype)), f(x - hs.astype(dtype)), f(x)
        # Divided by h, as the chapter's numerical_gradient does, not by the step actually
        # taken ((x0 + h) - x0 after rounding): that difference is part of the rounding error.
        forward = (plus.astype(np.float64) - float(at)) / hs
        central = (plus.astype(np.float64) - minus.astype(np.float64)) / (2 * hs)
    scale = abs(exact)
    u = _UNIT_ROUNDOFF[dtype]
    return {"h": hs, "forward": np.abs(forward - exact) / scale,
            "central": np.abs(central - exact) / scale,
            "truncation_forward": hs * abs(float(d2(x0))) / 2 / scale,
            "truncation_central": hs ** 2 * abs(float(d3(x0))) / 6 / scale,
            "rounding": u * abs(float(f(np.float64(x0)))) / hs / scale}


_H_GRID = np.logspace(-16, 0, 161)
_FLOOR = 1e-18  # exact estimates are drawn here, below every real error


class GradcheckErrorExplorer(_Explorer):
    """Error of both differences against h (log-log), and the secants at the chosen h."""

    def __init__(self, kind="sin", x0=1.0, log10_h=-5.0, dtype="float64"):
        controls = {
            "kind": _toggle(list(FUNCTIONS), kind, "f"),
            "dtype": _toggle(list(_UNIT_ROUNDOFF), dtype, "precision"),
            "x0": _slider(x0, 0.2, 2.0, 0.1, "x₀", ".1f"),
            "log10_h": _slider(log10_h, -16.0, 0.0, 0.5, "log₁₀ h", ".1f"),
        }
        controls["dtype"].style.button_width = "80px"
        super().__init__(controls, note="The derivative of f at x₀ estimated with step h, against "
                                        "the exact one. Move h and watch both errors.")

    def errors(self, kind, x0, dtype, hs=_H_GRID):
        return difference_errors(kind, x0, hs, dtype)

    def draw(self, kind, dtype, x0, log10_h):
        from matplotlib.figure import Figure

        e = self.errors(kind, x0, dtype)
        here = self.errors(kind, x0, dtype, np.array([10.0 ** log10_h]))
        fig = Figure(figsize=(10.5, 4.0), dpi=96)
        fig.subplots_adjust(left=0.075, right=0.985, bottom=0.14, top=0.9, wspace=0.25)
        ax, right = fig.subplots(1, 2, width_ratios=[1.5, 1])
        for axis in (ax, right):
            axis.grid(alpha=0.3)
        ax.loglog(e["h"], np.maximum(e["forward"], _FLOOR), "-", color=_OKABE_ITO["orange"],
                  linewidth=2, label="one-sided (f(x+h) − f(x)) / h")
        ax.loglog(e["h"], np.maximum(e["central"], _FLOOR), "--", color=_OKABE_ITO["blue"],
                  linewidth=2, label="centred (f(x+h) − f(x−h)) / 2h")
        ax.loglog(e["h"], e["truncation_forward"], ":", color=_OKABE_ITO["orange"], linewidth=1.2,
                  label="h·|f″|/2 (slope 1)")
        ax.loglog(e["h"], e["truncation_central"], "-.", color=_OKABE_ITO["blue"], linewidth=1.2,
                  label="h²·|f‴|/6 (slope 2)")
        # Four named line styles exist: the fifth curve is drawn with markers only.
        ax.loglog(e["h"], e["rounding"], linestyle="none", marker=".", markevery=4,
                  color=_OKABE_ITO["grey"], markersize=4, label="rounding u·|f|/h (slope −1)")
        ax.loglog([here["h"][0]] * 2, [max(here["forward"][0], _FLOOR), max(here["central"][0], _FLOOR)],
                  linestyle="none", marker="o", color=_OKABE_ITO["vermillion"], markersize=8)
        ax.axvline(10.0 ** log10_h, color=_OKABE_ITO["vermillion"], linewidth=0.8)
        ax.set_ylim(1e-21, 10.0)
        ax.set_xlabel("step h", fontsize=11)
        ax.set_ylabel("relative error of the estimate", fontsize=11)
        ax.set_title(f"d/dx {kind}(x) at x₀ = {x0:g} in {dtype}", fontsize=12)
        ax.legend(fontsize=7.5, loc="lower left", framealpha=0.95)

        f, d1 = FUNCTIONS[kind][0], FUNCTIONS[kind][1]
        h = 10.0 ** log10_h
        half = max(2.0 * h, 0.6)
        grid = np.linspace(x0 - half, x0 + half, 201)
        slope_f = (float(f(x0 + h)) - float(f(x0))) / h
        slope_c = (float(f(x0 + h)) - float(f(x0 - h))) / (2 * h)
        right.plot(grid, f(grid), "-", color="#000000", linewidth=1.5, label=f"{kind}(x)")
        right.plot(grid, f(x0) + float(d1(x0)) * (grid - x0), ":", color=_OKABE_ITO["green"],
                   linewidth=2, label="tangent (exact slope)")
        right.plot(grid, f(x0) + slope_f * (grid - x0), "-.", color=_OKABE_ITO["orange"], linewidth=1.2,
                   label="one-sided secant")
        right.plot(grid, f(x0) + slope_c * (grid - x0), "--", color=_OKABE_ITO["blue"], linewidth=1.2,
                   label="centred secant")
        right.plot([x0 - h, x0, x0 + h], [f(x0 - h), f(x0), f(x0 + h)], linestyle="none", marker="o",
                   color=_OKABE_ITO["vermillion"], markersize=5)
        right.set_xlabel("x", fontsize=11)
        right.set_title(f"the three slopes at h = {h:.3g}", fontsize=12)
        right.legend(fontsize=8, loc="best")
        return fig

    def describe(self, kind, dtype, x0, log10_h):
        e = self.errors(kind, x0, dtype)
        here = self.errors(kind, x0, dtype, np.array([10.0 ** log10_h]))
        best_f, best_c = e["h"][np.argmin(e["forward"])], e["h"][np.argmin(e["central"])]

        def err(v):
            return "exact" if v == 0 else f"{v:.1e}"

        return _table([
            (f"at h = {10.0 ** log10_h:.1e}", f"one-sided error {err(here['forward'][0])}",
             f"centred error {err(here['central'][0])}"),
            (f"best h on the grid ({dtype})", f"one-sided: {best_f:.0e} ({err(e['forward'].min())})",
             f"centred: {best_c:.0e} ({err(e['central'].min())})"),
            (f"theory: u = {_UNIT_ROUNDOFF[dtype]:.1e}", f"one-sided best near √u ≈ "
             f"{math.sqrt(_UNIT_ROUNDOFF[dtype]):.0e}", f"centred best near u^(1/3) ≈ "
             f"{_UNIT_ROUNDOFF[dtype] ** (1 / 3):.0e}")])


def gradcheck_error_explorer(kind="sin", x0=1.0, log10_h=-5.0, dtype="float64"):
    """The error of one-sided and centred differences against the step h, on a log-log plot.

    Parameters
    ----------
    kind : {"sin", "exp"}
        The function differentiated (toggle).
    x0 : float
        The point (slider, 0.2 to 2).
    log10_h : float
        The step marked on the plot, as a power of ten (slider, -16 to 0).
    dtype : {"float64", "float32"}
        Precision of the evaluations (toggle).

    Returns
    -------
    ipywidgets.VBox
        With ``.controls``, ``.readout``, ``.image``, ``.update()`` and ``.explorer``.

    Examples
    --------
    >>> box = gradcheck_error_explorer(dtype="float32")  # doctest: +SKIP
    """
    if kind not in FUNCTIONS:
        raise ValueError(f"unknown function {kind!r}; expected one of {', '.join(FUNCTIONS)}")
    if dtype not in _UNIT_ROUNDOFF:
        raise ValueError(f"dtype must be 'float64' or 'float32', not {dtype!r}")
    return GradcheckErrorExplorer(kind, x0, log10_h, dtype).widget
