"""Interactive explorers (ipywidgets + matplotlib) used by the course's notebooks.

Importing this package is cheap: matplotlib and ipywidgets are imported only
when an explorer is built.  See :mod:`anncourse.explorers.losses`.
"""
from .losses import classification_explorer, kl_explorer, margin_explorer, regression_explorer

__all__ = ["classification_explorer", "kl_explorer", "margin_explorer", "regression_explorer"]
