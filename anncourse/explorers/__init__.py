"""Interactive explorers (ipywidgets + matplotlib) used by the course's notebooks.

Importing this package is cheap: matplotlib and ipywidgets are imported only
when an explorer is built.  See :mod:`anncourse.explorers.losses`.

``anncourse.explorers.playground`` is the function :func:`playground`; the
module of the same name is reached with ``from anncourse.explorers.playground
import ...`` (or :func:`importlib.import_module`).
"""
from .activation_functions import activation_gallery, gradient_depth_explorer
from .advanced_topics import batchnorm_depth_explorer, train_eval_explorer
from .applications import forecaster_explorer, kernel_explorer
from .backpropagation import circuit_stepper_explorer, gradcheck_error_explorer
from .building_blocks import network_builder_explorer, neuron_plane_explorer
from .common_challenges import bias_variance_explorer, signal_histogram_explorer
from .cost_functions import loss_metric_explorer, outlier_explorer
from .evaluation_metrics import residual_explorer, threshold_explorer
from .hyperparameter_tuning import grid_random_explorer, lr_sweep_explorer
from .losses import classification_explorer, kl_explorer, margin_explorer, regression_explorer
from .mathematics import neuron_graph_explorer
from .optimization_techniques import layer_gradient_explorer, momentum_explorer
from .optimizers import adam_internals_explorer, optimizer_race
from .perceptron import history_figure, perceptron_explorer
from .playground import playground, regularization_playground
from .practical_implementation import training_dashboard
from .regularization_geometry import l1_l2_geometry_explorer
from .training import batch_size_explorer, learning_rate_explorer
from .transfer_learning import transfer_lab

__all__ = ["activation_gallery", "adam_internals_explorer", "batch_size_explorer",
           "batchnorm_depth_explorer", "bias_variance_explorer", "circuit_stepper_explorer",
           "classification_explorer", "forecaster_explorer", "gradcheck_error_explorer",
           "gradient_depth_explorer", "grid_random_explorer", "history_figure", "kernel_explorer",
           "kl_explorer", "l1_l2_geometry_explorer", "layer_gradient_explorer",
           "learning_rate_explorer", "loss_metric_explorer", "lr_sweep_explorer",
           "margin_explorer", "momentum_explorer", "network_builder_explorer",
           "neuron_graph_explorer", "neuron_plane_explorer", "optimizer_race", "outlier_explorer",
           "perceptron_explorer", "playground", "regression_explorer", "regularization_playground",
           "residual_explorer", "signal_histogram_explorer", "threshold_explorer",
           "train_eval_explorer", "training_dashboard", "transfer_lab"]
