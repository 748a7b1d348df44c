"""The course's table of contents: one nbgrader assignment per syllabus section.

Each assignment is called ``NN-slug`` and holds one notebook of the same name,
``solutions/NN-slug/NN-slug.ipynb`` for the instructor and
``course/NN-slug/NN-slug.ipynb`` for the learner.
"""
from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path

__all__ = ["ASSIGNMENTS", "Assignment", "repo_root"]


@dataclass(frozen=True)
class Assignment:
    slug: str
    title: str
    summary: str

    @property
    def notebook_name(self) -> str:
        return f"{self.slug}.ipynb"

    def source(self, root: Path) -> Path:
        return root / "solutions" / self.slug / self.notebook_name

    def release(self, root: Path) -> Path:
        return root / "course" / self.slug / self.notebook_name

    def is_written(self, root: Path) -> bool:
        return self.source(root).is_file()


ASSIGNMENTS: tuple[Assignment, ...] = (
    Assignment("01-introduction", "Introduction to neural networks",
               "machine learning, deep learning and where neural networks come from"),
    Assignment("02-building-blocks", "Building blocks",
               "the neuron, layers and the kinds of network"),
    Assignment("03-mathematics", "The mathematics of a neuron",
               "weighted sums, activations, losses and backpropagation in formulas"),
    Assignment("04-activation-functions", "Activation functions",
               "sigmoid, tanh, ReLU, leaky ReLU and softmax side by side"),
    Assignment("05-training", "Training a network",
               "epochs, batches, iterations and gradient descent"),
    Assignment("06-optimization-techniques", "Optimization techniques",
               "momentum, Nesterov, adaptive methods and unstable gradients"),
    Assignment("07-regularization", "Regularization",
               "over- and underfitting, L1/L2, dropout, early stopping, augmentation"),
    Assignment("08-cost-functions", "Cost and loss functions",
               "a loss per example, a cost per data set"),
    Assignment("09-backpropagation", "Backpropagation and gradient descent",
               "the chain rule through a network, by hand and by code"),
    Assignment("10-multilayer-perceptron", "The multilayer perceptron",
               "fully connected networks and universal approximation"),
    Assignment("11-advanced-topics", "Advanced topics",
               "deep networks, batch normalization, transfer and tuning at a glance"),
    Assignment("12-evaluation-metrics", "Evaluation metrics",
               "accuracy, precision, recall, F1, MAE, MSE and R squared"),
    Assignment("13-hyperparameter-tuning", "Hyperparameter tuning",
               "grid search and random search"),
    Assignment("14-applications", "Applications",
               "vision, language, time series, health and reinforcement learning"),
    Assignment("15-common-challenges", "Common challenges",
               "overfitting, underfitting, vanishing and exploding gradients"),
    Assignment("16-practical-implementation", "Practical implementation",
               "a digit classifier and a house-price regressor end to end"),
    Assignment("17-optimizers", "Optimizers",
               "SGD, momentum, NAG, Adagrad, RMSprop, Adadelta, Adam, Adamax and Nadam"),
    Assignment("18-loss-functions", "Loss functions",
               "MSE, cross-entropy, Huber, hinge and KL divergence with their gradients"),
    Assignment("19-transfer-learning", "Transfer learning",
               "reusing a pre-trained network: feature extraction and fine-tuning"),
)


def repo_root() -> Path:
    """The repository's root (the folder holding ``nbgrader_config.py``)."""
    here = Path(__file__).resolve().parent.parent
    if not (here / "nbgrader_config.py").is_file():
        raise FileNotFoundError(
            "anncourse is not running from a checkout of the course repository "
            f"(no nbgrader_config.py in {here}); run this command from a clone."
        )
    return here
