"""Where each assignment's exercises are described.

An exercise key is ``"<assignment>/<function name>"``.  Each assignment that
has graded exercises has one module here, listed in ``_MODULES``, exposing
``EXERCISES``: a list of :class:`~anncourse.grading.core.Exercise`.
"""
from __future__ import annotations

import importlib

from ..core import Exercise

_MODULES = {
    "18-loss-functions": "loss_functions",
}


def exercises(assignment: str) -> dict[str, Exercise]:
    """All exercises of ``assignment``, by function name."""
    try:
        module_name = _MODULES[assignment]
    except KeyError:
        raise KeyError(
            f"no graded exercises are registered for assignment {assignment!r}; "
            f"known: {sorted(_MODULES)}"
        ) from None
    module = importlib.import_module(f"{__name__}.{module_name}")
    return {ex.function_name: ex for ex in module.EXERCISES}


def get_exercise(key: str) -> Exercise:
    """The exercise called ``key`` (``"<assignment>/<function name>"``)."""
    assignment, _, name = key.partition("/")
    found = exercises(assignment)
    if name not in found:
        raise KeyError(f"assignment {assignment!r} has no exercise {name!r}; it has {sorted(found)}")
    return found[name]
