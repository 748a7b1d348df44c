"""Interactive explorers (ipywidgets + matplotlib) used by the course's notebooks.

Importing this package is cheap: matplotlib and ipywidgets are imported only
when an explorer is built.  See :mod:`anncourse.explorers.losses`.
"""
from .activation_functions import activation_gallery, gradient_depth_explorer
from .building_blocks import network_builder_explorer, neuron_plane_explorer
from .losses import classification_explorer, kl_explorer, margin_explorer, regression_explorer
from .mathematics import neuron_graph_explorer
from .perceptron import history_figure, perceptron_explorer

__all__ = ["activation_gallery", "classification_explorer", "gradient_depth_explorer",
           "history_figure", "kl_explorer", "margin_explorer", "network_builder_explorer",
           "neuron_graph_explorer", "neuron_plane_explorer", "perceptron_explorer",
           "regression_explorer"]
