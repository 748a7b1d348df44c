"""The course's table of contents: one nbgrader assignment per syllabus section.

:data:`ASSIGNMENTS` is the one place that lists the chapters.  Everything else
that names them is derived from it: the grading specs registry
(:mod:`anncourse.grading.specs`), README's chapter table
(:func:`chapter_table`, checked by a test), the learner's start page, the
package test, and the notebook, round-trip and browser tests, which run over
every written chapter.

Each assignment is called ``NN-slug`` and holds one notebook of the same name,
``solutions/NN-slug/NN-slug.ipynb`` for the instructor and
``course/NN-slug/NN-slug.ipynb`` for the learner.

Examples
--------
>>> from anncourse.course import ASSIGNMENTS, get
>>> len(ASSIGNMENTS)
19
>>> get("18-loss-functions").spec
'loss_functions'
>>> "18-loss-functions" in [a.slug for a in written()]
True
"""
from __future__ import annotations

import re
from dataclasses import dataclass
from pathlib import Path

__all__ = ["ASSIGNMENTS", "Assignment", "STATUSES", "chapter_table", "get", "repo_root",
           "written"]

STATUSES = ("planned", "written")
_SLUG = re.compile(r"^(\d\d)-[a-z0-9]+(?:-[a-z0-9]+)*$")
_IDENTIFIER = re.compile(r"^[a-z_][a-z0-9_]*$")


@dataclass(frozen=True)
class Assignment:
    """One chapter of the course.

    Parameters
    ----------
    slug : str
        ``NN-words-with-hyphens``; the nbgrader assignment and notebook name.
    title : str
        The chapter's title, as the start page and README show it.
    summary : str
        What the learner learns, in one line.
    status : {"planned", "written"}
        ``"written"`` once ``solutions/<slug>/<slug>.ipynb`` exists.
    spec : str or None
        The module under :mod:`anncourse.grading.specs` describing the
        chapter's graded exercises; None while it has none.
    explorers : tuple of str
        Names of the :mod:`anncourse.explorers` functions the chapter uses.

    Examples
    --------
    >>> a = Assignment("99-sketch", "A sketch", "nothing yet")
    >>> a.number, a.notebook_name, a.status
    (99, '99-sketch.ipynb', 'planned')
    >>> Assignment("sketch", "A sketch", "nothing yet")
    Traceback (most recent call last):
    ...
    ValueError: assignment slug 'sketch' is not of the form NN-words-with-hyphens (for example '08-cost-functions')
    """

    slug: str
    title: str
    summary: str
    status: str = "planned"
    spec: str | None = None
    explorers: tuple[str, ...] = ()

    def __post_init__(self):
        if not isinstance(self.slug, str) or not _SLUG.match(self.slug):
            raise ValueError(f"assignment slug {self.slug!r} is not of the form "
                             "NN-words-with-hyphens (for example '08-cost-functions')")
        if self.status not in STATUSES:
            raise ValueError(f"{self.slug}: status must be one of {STATUSES}, not {self.status!r}")
        if self.spec is not None and not _IDENTIFIER.match(self.spec):
            raise ValueError(f"{self.slug}: spec must be a module name like 'loss_functions', "
                             f"not {self.spec!r}")
        if not isinstance(self.explorers, tuple):
            raise TypeError(f"{self.slug}: explorers must be a tuple of names, "
                            f"not {type(self.explorers).__name__}")

    @property
    def number(self) -> int:
        """The chapter number, from the slug's first two digits."""
        return int(self.slug[:2])

    @property
    def written(self) -> bool:
        """Whether the registry says the chapter is written."""
        return self.status == "written"

    @property
    def notebook_name(self) -> str:
        return f"{self.slug}.ipynb"

    def source(self, root: Path) -> Path:
        """The instructor's notebook under the course root ``root``."""
        return Path(root) / "solutions" / self.slug / self.notebook_name

    def release(self, root: Path) -> Path:
        """The learner's notebook under the course root ``root``."""
        return Path(root) / "course" / self.slug / self.notebook_name

    def is_written(self, root: Path) -> bool:
        """Whether the instructor's notebook exists under ``root`` (a fact on disk;
        the test suite checks that it agrees with :attr:`status`)."""
        return self.source(root).is_file()


ASSIGNMENTS: tuple[Assignment, ...] = (
    Assignment("01-introduction",
               "Introduction to neural networks",
               "machine learning, deep learning and where neural networks come from",
               status="written",
               spec='introduction',
               explorers=("perceptron_explorer", "history_figure")),
    Assignment("02-building-blocks",
               "Building blocks",
               "the neuron, layers and the kinds of network",
               status="written",
               spec='building_blocks',
               explorers=("neuron_plane_explorer", "network_builder_explorer")),
    Assignment("03-mathematics",
               "The mathematics of a neuron",
               "weighted sums, activations, losses and backpropagation in formulas",
               status="written",
               spec='mathematics',
               explorers=("neuron_graph_explorer",)),
    Assignment("04-activation-functions",
               "Activation functions",
               "sigmoid, tanh, ReLU, leaky ReLU and softmax side by side",
               status="written",
               spec='activation_functions',
               explorers=("activation_gallery", "gradient_depth_explorer")),
    Assignment("05-training", "Training a network",
               "epochs, batches, iterations and gradient descent",
               status="written", spec="training",
               explorers=("learning_rate_explorer", "batch_size_explorer")),
    Assignment("06-optimization-techniques", "Optimization techniques",
               "momentum, Nesterov, adaptive methods and unstable gradients",
               status="written", spec="optimization_techniques",
               explorers=("momentum_explorer", "layer_gradient_explorer")),
    Assignment("07-regularization", "Regularization",
               "over- and underfitting, L1/L2, dropout, early stopping, augmentation",
               status="written", spec="regularization",
               explorers=("l1_l2_geometry_explorer", "regularization_playground")),
    Assignment("08-cost-functions", "Cost and loss functions",
               "a loss per example, a cost per data set",
               status="written", spec="cost_functions",
               explorers=("outlier_explorer", "loss_metric_explorer")),
    Assignment("09-backpropagation", "Backpropagation and gradient descent",
               "the chain rule through a network, by hand and by code",
               status="written", spec="backpropagation",
               explorers=("circuit_stepper_explorer", "gradcheck_error_explorer")),
    Assignment("10-multilayer-perceptron", "The multilayer perceptron",
               "fully connected networks and universal approximation",
               status="written", spec="multilayer_perceptron",
               explorers=("playground",)),
    Assignment("11-advanced-topics", "Advanced topics",
               "deep networks, batch normalization, transfer and tuning at a glance",
               status="written", spec="advanced_topics",
               explorers=("batchnorm_depth_explorer", "train_eval_explorer")),
    Assignment("12-evaluation-metrics", "Evaluation metrics",
               "accuracy, precision, recall, F1, MAE, MSE and R squared",
               status="written", spec="evaluation_metrics",
               explorers=("threshold_explorer", "residual_explorer")),
    Assignment("13-hyperparameter-tuning", "Hyperparameter tuning",
               "grid search and random search",
               status="written", spec="hyperparameter_tuning",
               explorers=("grid_random_explorer", "lr_sweep_explorer")),
    Assignment("14-applications", "Applications",
               "vision, language, time series, health and reinforcement learning",
               status="written", spec="applications",
               explorers=("forecaster_explorer", "kernel_explorer")),
    Assignment("15-common-challenges", "Common challenges",
               "overfitting, underfitting, vanishing and exploding gradients",
               status="written", spec="common_challenges",
               explorers=("signal_histogram_explorer", "bias_variance_explorer", "playground")),
    Assignment("16-practical-implementation", "Practical implementation",
               "a digit classifier and a house-price regressor end to end",
               status="written", spec="practical_implementation",
               explorers=("training_dashboard",)),
    Assignment("17-optimizers", "Optimizers",
               "SGD, momentum, NAG, Adagrad, RMSprop, Adadelta, Adam, Adamax and Nadam",
               status="written", spec="optimizers",
               explorers=("optimizer_race", "adam_internals_explorer")),
    Assignment("18-loss-functions", "Loss functions",
               "MSE, cross-entropy, Huber, hinge and KL divergence with their gradients",
               status="written", spec="loss_functions",
               explorers=("classification_explorer", "regression_explorer",
                          "margin_explorer", "kl_explorer")),
    Assignment("19-transfer-learning", "Transfer learning",
               "reusing a pre-trained network: feature extraction and fine-tuning",
               status="written", spec="transfer_learning",
               explorers=("transfer_lab",)),
)


def get(slug: str) -> Assignment:
    """The assignment called ``slug``.

    Raises
    ------
    KeyError
        When the course has no such assignment (the message lists them).
    """
    for a in ASSIGNMENTS:
        if a.slug == slug:
            return a
    raise KeyError(f"the course has no assignment {slug!r}; "
                   f"its assignments are {', '.join(a.slug for a in ASSIGNMENTS)}")


def written() -> list[Assignment]:
    """The assignments the registry marks as written, in course order."""
    return [a for a in ASSIGNMENTS if a.written]


def chapter_table(assignments=None) -> str:
    """README's chapter table, rendered from :data:`ASSIGNMENTS` (markdown).

    ``assignments`` replaces the registry (``anncourse new-chapter`` renders
    the table with the entry it is about to mark written).

    Examples
    --------
    >>> print(chapter_table().splitlines()[0])
    | # | assignment | chapter | what you learn | status |
    >>> print(chapter_table().splitlines()[19])
    | 18 | `18-loss-functions` | Loss functions | MSE, cross-entropy, Huber, hinge and KL divergence with their gradients | written |
    """
    lines = ["| # | assignment | chapter | what you learn | status |",
             "| --- | --- | --- | --- | --- |"]
    lines += [f"| {a.number} | `{a.slug}` | {a.title} | {a.summary} | {a.status} |"
              for a in (ASSIGNMENTS if assignments is None else assignments)]
    return "\n".join(lines) + "\n"


def repo_root() -> Path:
    """The repository's root (the folder holding ``nbgrader_config.py``).

    Only the instructor's commands (``anncourse generate``, ``new-chapter``)
    need it; a learner's ``pip install anncourse`` has no checkout.

    Raises
    ------
    FileNotFoundError
        When anncourse is installed from a package rather than run from a clone.
    """
    here = Path(__file__).resolve().parent.parent
    if not (here / "nbgrader_config.py").is_file():
        raise FileNotFoundError(
            "anncourse is not running from a checkout of the course repository "
            f"(no nbgrader_config.py in {here}); run this command from a clone."
        )
    return here
