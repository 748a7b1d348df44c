"""The transfer lab of the transfer-learning chapter (``19-transfer-learning``).

:func:`transfer_lab` builds a widget with two controls, the *method* and the
*labels per digit*.  Each change trains the chosen
method live on the new task (odd or even, on digit images the shipped
network never saw), over a few independent draws of the labelled images,
and adds a bar with its mean held-out accuracy and an error bar (one
standard deviation over the draws) to a chart.  Beside the chart, two
scatter plots project the test images to two dimensions with PCA: the raw
pixels on one, the pre-trained network's features on the other, coloured
and marked by the new label.

Every change of a control trains the new setting and adds its bar (the
last :data:`MAX_BARS` are kept); **Clear** empties the chart.  The box
returned carries ``box.controls`` (by name), ``box.readout`` (the ``HTML``
with the table of results), ``box.image`` (the ``Image`` showing the
figure), ``box.train()`` (what a change calls), ``box.clear()`` and
``box.explorer``.  Training uses :func:`anncourse.pretrained.transfer.run_method`;
a bar is a few tenths of a second to a few seconds, depending on the method
and the number of labels.

Like the other explorers, the figure is a bare matplotlib ``Figure``
rendered to PNG in an ``ipywidgets.Image`` (see :mod:`anncourse.explorers.losses`),
and matplotlib and ipywidgets are imported only when the lab is built.

Examples
--------
>>> from anncourse.explorers.transfer_learning import lab_scores
>>> scores = lab_scores("frozen features", k=3, draws=2)   # doctest: +SKIP
"""
from __future__ import annotations

import html
import io

import numpy as np

__all__ = ["LAB_METHODS", "MAX_BARS", "lab_figure", "lab_scores", "lab_task", "pca_2d", "transfer_lab"]

LAB_METHODS = ("from scratch", "random frozen body", "frozen features", "fine-tune the top",
               "fine-tune all")

MAX_BARS = 8

_OKABE_ITO = {"orange": "#E69F00", "sky": "#56B4E9", "green": "#009E73", "blue": "#0072B2",
              "vermillion": "#D55E00", "purple": "#CC79A7", "black": "#000000"}
# One colour and one hatch per method, so that the bars also read in greyscale.
_STYLE = {"from scratch": (_OKABE_ITO["orange"], "//"),
          "random frozen body": (_OKABE_ITO["purple"], "xx"),
          "frozen features": (_OKABE_ITO["blue"], ""),
          "fine-tune the top": (_OKABE_ITO["sky"], ".."),
          "fine-tune all": (_OKABE_ITO["green"], "\\\\")}
_CLASSES = ((0, "even", _OKABE_ITO["vermillion"], "o"), (1, "odd", _OKABE_ITO["blue"], "^"))


def lab_task():
    """The new task's data: ``(X, parity, digit, test, pool, body_w, body_b)``.

    ``test`` and ``pool`` index the images the shipped network never saw;
    ``body_w``, ``body_b`` are its two hidden layers (float64).
    """
    from ..pretrained import digits, load_digits_body
    from ..pretrained.transfer import target_split

    net = load_digits_body()
    X, y = digits()
    test, pool = target_split(net.target)
    body_w = [np.asarray(w, dtype=np.float64) for w in net.weights[:-1]]
    body_b = [np.asarray(b, dtype=np.float64) for b in net.biases[:-1]]
    return X, y % 2, y, test, pool, body_w, body_b


def lab_scores(method, k, draws=3, seed=0, task=None):
    """Held-out accuracies of ``method`` with ``k`` labelled images per digit, one per draw.

    Raises
    ------
    ValueError
        For an unknown method, or ``k`` outside 1..40 (the pool holds 42 to
        60 images of each digit).
    """
    from ..pretrained.transfer import draw_labels, run_method

    if method not in LAB_METHODS:
        raise ValueError(f"unknown method {method!r}; choose one of {LAB_METHODS}")
    if not 1 <= int(k) <= 40:
        raise ValueError(f"labels per digit must be between 1 and 40, got {k}")
    X, parity, digit, test, pool, body_w, body_b = task or lab_task()
    scores = []
    for draw in range(int(draws)):
        rows = pool[draw_labels(digit[pool], int(k), seed + draw)]
        scores.append(run_method(method, body_w, body_b, X[rows], parity[rows], X[test],
                                 parity[test], 2, seed=seed + draw))
    return scores


def pca_2d(X):
    """The rows of ``X`` projected on their first two principal components (centred, via SVD).

    Examples
    --------
    >>> import numpy as np
    >>> P = pca_2d(np.array([[0.0, 0.0], [2.0, 0.0], [4.0, 0.1]]))
    >>> P.shape
    (3, 2)
    """
    X = np.asarray(X, dtype=np.float64)
    centred = X - X.mean(axis=0)
    _, _, vt = np.linalg.svd(centred, full_matrices=False)
    P = centred @ vt[:2].T
    # SVD's signs are arbitrary: make the largest coordinate of each axis positive, for stable plots.
    signs = np.sign(P[np.abs(P).argmax(axis=0), [0, 1]])
    return P * np.where(signs == 0, 1.0, signs)


def lab_figure(results, task=None):
    """The lab's figure: bars of ``results`` (a list of ``(method, k, scores)``) and the two PCA views."""
    from matplotlib.figure import Figure

    from ..pretrained.transfer import extract_features

    X, parity, _, test, _, body_w, body_b = task or lab_task()
    fig = Figure(figsize=(12.5, 4.0), dpi=96)
    fig.subplots_adjust(left=0.055, right=0.99, bottom=0.24, top=0.9, wspace=0.28)
    bars, raw_ax, feat_ax = fig.subplots(1, 3, gridspec_kw={"width_ratios": [1.5, 1, 1]})
    for i, (method, k, scores) in enumerate(results):
        colour, hatch = _STYLE[method]
        bars.bar(i, np.mean(scores), yerr=np.std(scores), color=colour, hatch=hatch,
                 edgecolor="black", capsize=4)
    bars.set_xticks(range(len(results)))
    bars.set_xticklabels([f"{m}\nk = {k}" for m, k, _ in results], rotation=30, ha="right",
                         fontsize=8)
    bars.set_ylim(0.5, 1.0)
    bars.set_ylabel("held-out accuracy (odd or even)")
    bars.set_title("mean over label draws, bar = 1 std")
    bars.grid(axis="y", alpha=0.3)
    views = ((raw_ax, X[test], "raw pixels (64 numbers)"),
             (feat_ax, extract_features(X[test], body_w, body_b, len(body_w)),
              "pre-trained features (64 numbers)"))
    for ax, data, title in views:
        P = pca_2d(data)
        for value, name, colour, marker in _CLASSES:
            rows = parity[test] == value
            ax.scatter(P[rows, 0], P[rows, 1], s=12, c=colour, marker=marker, alpha=0.7,
                       label=name)
        ax.set_title(f"PCA of {title}", fontsize=10)
        ax.set_xticks([])
        ax.set_yticks([])
        ax.legend(fontsize=8, loc="best")
    return fig


def _png(fig) -> bytes:
    buffer = io.BytesIO()
    fig.savefig(buffer, format="png")
    return buffer.getvalue()


class _Lab:
    def __init__(self, method, k, draws):
        import ipywidgets as widgets

        self.task = lab_task()
        self.draws = int(draws)
        self.results = []
        self.controls = {
            "method": widgets.Dropdown(options=LAB_METHODS, value=method, description="method"),
            "k": widgets.IntSlider(value=k, min=1, max=40, description="labels per digit",
                                   continuous_update=False, style={"description_width": "initial"}),
        }
        self.clear_button = widgets.Button(description="Clear")
        self.clear_button.on_click(lambda _: self.clear())
        for control in self.controls.values():
            # Every change trains the new setting live and adds its bar.
            control.observe(self._on_change, names="value")
        self.readout = widgets.HTML()
        self.image = widgets.Image(format="png",
                                   layout=widgets.Layout(max_width="100%", height="auto"))
        row = widgets.HBox([*self.controls.values(), self.clear_button])
        self.widget = box = widgets.VBox([row, self.readout, self.image])
        box.controls, box.readout, box.image = self.controls, self.readout, self.image
        box.train, box.clear, box.explorer = self.train, self.clear, self
        self.train()

    def _on_change(self, change):
        # No try/except: an error here must reach the caller (and the test).
        self.train()

    def train(self):
        """Train the current setting over the draws and add its bar (the last MAX_BARS are kept)."""
        method, k = self.controls["method"].value, int(self.controls["k"].value)
        scores = lab_scores(method, k, self.draws, task=self.task)
        self.results = [*self.results, (method, k, scores)][-MAX_BARS:]
        self.redraw()

    def clear(self):
        self.results = []
        self.redraw()

    def redraw(self):
        self.image.value = _png(lab_figure(self.results, self.task))
        rows = "".join(f"<tr><td>{html.escape(m)}</td><td>{k}</td><td>{np.mean(s):.3f}</td>"
                       f"<td>{np.std(s):.3f}</td></tr>" for m, k, s in self.results)
        self.readout.value = ("<table><tr><th>method</th><th>labels per digit</th>"
                              "<th>mean accuracy</th><th>std</th></tr>" + rows + "</table>")


def transfer_lab(method="frozen features", k=3, draws=3):
    """The transfer lab: pick a method and a number of labels, and compare the bars.

    Parameters
    ----------
    method : str
        One of :data:`LAB_METHODS`, trained once when the lab opens.
    k : int
        Labelled images per digit (1 to 40).
    draws : int
        Independent draws of the labelled images per bar (the error bar).
    """
    if method not in LAB_METHODS:
        raise ValueError(f"unknown method {method!r}; choose one of {LAB_METHODS}")
    return _Lab(method, k, draws).widget
