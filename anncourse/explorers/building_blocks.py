"""Interactive explorers for the building-blocks chapter (``02-building-blocks``).

* :func:`neuron_plane_explorer` colours the plane ``(x1, x2)`` by the output
  of one neuron ``f(w1 x1 + w2 x2 + b)``, with the weights, the bias and the
  activation as controls.  The line ``z = 0`` (dashed) is where the step
  jumps, the sigmoid crosses 0.5, tanh crosses 0 and ReLU starts to rise; the
  arrow ``(w1, w2)`` points to where ``z`` grows.
* :func:`network_builder_explorer` draws a dense network from sliders for the
  number of inputs, hidden layers, their width and the outputs, and counts
  its parameters and the multiply-adds of one forward pass live.

The numbers come from :func:`neuron_plane` and :func:`network_summary`, which
the tests check; the widget mechanics (controls, readout, PNG image,
``box.update``) are those of :mod:`anncourse.explorers.losses`.
"""
from __future__ import annotations

import numpy as np

from .. import dense
from .losses import _OKABE_ITO, _Explorer, _fmt, _slider, _table, _toggle

__all__ = ["network_builder_explorer", "network_summary", "neuron_plane", "neuron_plane_explorer",
           "NetworkBuilderExplorer", "NeuronPlaneExplorer"]

ACTIVATIONS = dense.ACTIVATIONS
# What each activation does at z = 0, for the readout.
_AT_ZERO = {"sigmoid": "0.5", "tanh": "0", "relu": "0 (and rises after)", "step": "1 (it fires)"}
_SPAN = 3.0  # the plane shown is [-3, 3] x [-3, 3]
_MAX_DRAWN = 10  # neurons drawn per layer; wider layers are drawn with a gap marked "…"


def _activate(z, activation):
    return dense.activate(z, activation)


def _signed(value):
    """``+ 0.5`` or ``− 0.5``: a term of a sum, sign first."""
    return f"{'−' if value < 0 else '+'} {_fmt(abs(value))}"


def neuron_plane(w1, w2, b, activation="sigmoid", points=121, span=_SPAN):
    """One neuron's output on a grid over the plane ``[-span, span]^2``.

    Parameters
    ----------
    w1, w2, b : float
        The weights and the bias.
    activation : {"sigmoid", "tanh", "relu", "step"}
        The step is 1 where ``z >= 0``.
    points : int
        Grid points per axis.
    span : float
        Half-width of the square.

    Returns
    -------
    x1, x2, out : ndarray
        The grid (``meshgrid``, ``x1`` along columns) and ``f(w1 x1 + w2 x2 + b)`` on it.

    Raises
    ------
    ValueError
        For an unknown activation.

    Examples
    --------
    >>> x1, x2, out = neuron_plane(1.0, -1.0, 0.0, "step", points=3)
    >>> out
    array([[1., 1., 1.],
           [0., 1., 1.],
           [0., 0., 1.]])
    """
    grid = np.linspace(-span, span, int(points))
    x1, x2 = np.meshgrid(grid, grid)
    return x1, x2, _activate(w1 * x1 + w2 * x2 + b, activation)


def network_summary(sizes):
    """Counts for a dense network with layer sizes ``[n_in, h_1, ..., n_out]``.

    Returns
    -------
    dict
        ``parameters`` (weights and biases), ``weights``, ``biases``,
        ``multiply_adds`` (one forward pass of one sample: ``sum(in * out)``),
        ``n_hidden`` and ``kind`` ("none", "shallow" for one or two hidden
        layers, "deep" from three: the syllabus's rule).

    Raises
    ------
    ValueError
        If there are fewer than two sizes or a size is not a positive integer.

    Examples
    --------
    >>> network_summary([784, 128, 64, 10])["parameters"]
    109386
    """
    sizes = [int(s) for s in sizes]
    if len(sizes) < 2 or min(sizes) < 1:
        raise ValueError(f"sizes must list at least two positive layer sizes, not {sizes}")
    pairs = list(zip(sizes[:-1], sizes[1:]))
    weights = sum(a * b for a, b in pairs)
    biases = sum(sizes[1:])
    n_hidden = len(sizes) - 2
    kind = "none" if n_hidden == 0 else "shallow" if n_hidden <= 2 else "deep"
    return {"parameters": weights + biases, "weights": weights, "biases": biases,
            "multiply_adds": weights, "n_hidden": n_hidden, "kind": kind}


class NeuronPlaneExplorer(_Explorer):
    """A neuron's output over the plane, with its z = 0 line and weight vector."""

    def __init__(self, w1=1.0, w2=-0.5, b=0.0, activation="sigmoid"):
        controls = {
            "w1": _slider(w1, -3.0, 3.0, 0.1, "w₁"),
            "w2": _slider(w2, -3.0, 3.0, 0.1, "w₂"),
            "b": _slider(b, -4.0, 4.0, 0.1, "b"),
            "activation": _toggle(list(ACTIVATIONS), activation, "activation"),
        }
        super().__init__(controls, note="Colour: the neuron's output f(w₁x₁ + w₂x₂ + b). Dashed line: "
                                        "z = 0. Arrow: the weight vector (w₁, w₂), towards growing z.")

    def draw(self, w1, w2, b, activation):
        from matplotlib.figure import Figure

        x1, x2, out = neuron_plane(w1, w2, b, activation)
        fig = Figure(figsize=(7.2, 5.4), dpi=96)
        fig.subplots_adjust(left=0.1, right=0.93, bottom=0.11, top=0.91)
        ax = fig.subplots()
        # cividis: a colour map made to read the same for common colour-vision deficiencies.
        image = ax.imshow(out, origin="lower", extent=(-_SPAN, _SPAN, -_SPAN, _SPAN),
                          cmap="cividis", aspect="equal",
                          vmin=-1.0 if activation == "tanh" else 0.0,
                          vmax=max(1.0, float(out.max())) if activation == "relu" else 1.0)
        fig.colorbar(image, ax=ax, label=f"{activation}(z)")
        z = w1 * x1 + w2 * x2 + b
        if z.min() < 0 < z.max():
            ax.contour(x1, x2, z, levels=[0.0], colors=[_OKABE_ITO["vermillion"]], linestyles="--",
                       linewidths=2.2)
        if w1 or w2:
            norm = float(np.hypot(w1, w2))
            ax.annotate("", xy=(1.5 * w1 / norm, 1.5 * w2 / norm), xytext=(0.0, 0.0),
                        arrowprops=dict(arrowstyle="-|>", color="#000000", linewidth=2))
        ax.set_xlim(-_SPAN, _SPAN)
        ax.set_ylim(-_SPAN, _SPAN)
        ax.set_xlabel("x₁", fontsize=11)
        ax.set_ylabel("x₂", fontsize=11)
        ax.set_title(f"{activation}({_fmt(w1)}·x₁ {_signed(w2)}·x₂ {_signed(b)})", fontsize=12)
        return fig

    def describe(self, w1, w2, b, activation):
        at_origin = float(_activate(b, activation))
        if w1 or w2:
            where = f"the line z = 0 is {_fmt(abs(b) / float(np.hypot(w1, w2)))} from the origin"
        else:
            where = "with w = 0 the output is the same everywhere"
        return _table([("z = 0 gives", _AT_ZERO[activation], "output at the origin", _fmt(at_origin)),
                       (where, "", "", "")])


class NetworkBuilderExplorer(_Explorer):
    """Draw a dense network from a few sliders, with its parameter and multiply-add counts."""

    def __init__(self, n_inputs=4, n_hidden=2, width=5, n_outputs=3):
        import ipywidgets as widgets

        def int_slider(value, low, high, description):
            return widgets.IntSlider(value=value, min=low, max=high, description=description,
                                     continuous_update=False, style={"description_width": "initial"},
                                     layout=widgets.Layout(width="260px"))

        controls = {
            "n_inputs": int_slider(n_inputs, 1, 20, "inputs"),
            "n_hidden": int_slider(n_hidden, 0, 6, "hidden layers"),
            "width": int_slider(width, 1, 32, "width"),
            "n_outputs": int_slider(n_outputs, 1, 10, "outputs"),
        }
        super().__init__(controls, note="Every neuron is connected to every neuron of the next layer; "
                                        "layers wider than 10 are drawn with a gap (…).")

    @staticmethod
    def sizes(n_inputs, n_hidden, width, n_outputs):
        return [n_inputs] + [width] * n_hidden + [n_outputs]

    def draw(self, n_inputs, n_hidden, width, n_outputs):
        from matplotlib.figure import Figure

        sizes = self.sizes(n_inputs, n_hidden, width, n_outputs)
        info = network_summary(sizes)
        fig = Figure(figsize=(9.0, 4.6), dpi=96)
        fig.subplots_adjust(left=0.02, right=0.98, bottom=0.04, top=0.88)
        ax = fig.subplots()
        ax.set_axis_off()
        ax.set_xlim(-0.6, len(sizes) - 0.4)
        ax.set_ylim(-1.5, _MAX_DRAWN + 0.2)
        centres = []
        for k, size in enumerate(sizes):
            drawn = min(size, _MAX_DRAWN)
            top = (_MAX_DRAWN - 1 + drawn - 1) / 2.0
            ys = [top - i for i in range(drawn)]
            centres.append(ys)
            if size > _MAX_DRAWN:
                ax.text(k + 0.12, ys[-1] - 0.45, f"… {size - _MAX_DRAWN} more", fontsize=9,
                        va="center")
        for k in range(len(sizes) - 1):
            for y0 in centres[k]:
                for y1 in centres[k + 1]:
                    ax.plot([k, k + 1], [y0, y1], "-", color="#999999", linewidth=0.5, zorder=1)
        colours = [_OKABE_ITO["sky"]] + [_OKABE_ITO["orange"]] * n_hidden + [_OKABE_ITO["blue"]]
        names = ["input"] + [f"hidden {i + 1}" for i in range(n_hidden)] + ["output"]
        for k, (ys, colour) in enumerate(zip(centres, colours)):
            # Markers, not Circle patches: they stay round whatever the axes' aspect.
            ax.scatter([k] * len(ys), ys, s=240, color=colour, edgecolors="#000000",
                       linewidths=0.8, zorder=2)
            ax.text(k, -1.05, f"{names[k]}\n{sizes[k]}", ha="center", va="center", fontsize=9)
        ax.set_title(f"{' → '.join(map(str, sizes))}: {info['parameters']:,} parameters, "
                     f"{info['multiply_adds']:,} multiply-adds per sample ({info['kind']})",
                     fontsize=12)
        return fig

    def describe(self, n_inputs, n_hidden, width, n_outputs):
        sizes = self.sizes(n_inputs, n_hidden, width, n_outputs)
        info = network_summary(sizes)
        per_layer = " + ".join(f"{a}·{b} + {b}" for a, b in zip(sizes[:-1], sizes[1:]))
        return _table([("parameters", f"{info['parameters']:,}", "weights", f"{info['weights']:,}",
                        "biases", f"{info['biases']:,}"),
                       ("multiply-adds per sample", f"{info['multiply_adds']:,}", "hidden layers",
                        str(info["n_hidden"]), "kind (syllabus's rule)", info["kind"]),
                       (f"= {per_layer}", "", "", "", "", "")])


def neuron_plane_explorer(w1=1.0, w2=-0.5, b=0.0, activation="sigmoid"):
    """One neuron's output as a heatmap over the plane ``(x1, x2)``.

    Parameters
    ----------
    w1, w2, b : float
        Starting weights and bias (sliders).
    activation : {"sigmoid", "tanh", "relu", "step"}
        Starting activation (toggle).

    Returns
    -------
    ipywidgets.VBox
        With ``.controls``, ``.readout``, ``.image``, ``.update()`` and ``.explorer``.

    Examples
    --------
    >>> box = neuron_plane_explorer(activation="step")  # doctest: +SKIP
    """
    return NeuronPlaneExplorer(w1, w2, b, activation).widget


def network_builder_explorer(n_inputs=4, n_hidden=2, width=5, n_outputs=3):
    """Draw a dense network and count its parameters and multiply-adds as the sliders move.

    Parameters
    ----------
    n_inputs, n_hidden, width, n_outputs : int
        Starting number of inputs, hidden layers, neurons per hidden layer and outputs.

    Returns
    -------
    ipywidgets.VBox
        With ``.controls``, ``.readout``, ``.image``, ``.update()`` and ``.explorer``.

    Examples
    --------
    >>> box = network_builder_explorer(n_hidden=3)  # doctest: +SKIP
    """
    return NetworkBuilderExplorer(n_inputs, n_hidden, width, n_outputs).widget
