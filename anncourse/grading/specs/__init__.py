"""Where each assignment's exercises are described.

An exercise key is ``"<assignment>/<function name>"``.  Each assignment that
has graded exercises has one module here exposing ``EXERCISES``: a list of
:class:`~anncourse.grading.core.Exercise`.  Which module belongs to which
assignment is not written here but read from the course's registry,
:data:`anncourse.course.ASSIGNMENTS` (its ``spec`` field).
"""
from __future__ import annotations

import importlib
import os

from ...course import ASSIGNMENTS
from ..core import Exercise

# assignment slug -> module name under this package, derived from the registry.
_MODULES = {a.slug: a.spec for a in ASSIGNMENTS if a.spec is not None}


def _extra_modules() -> dict[str, str]:
    """Specs kept outside the package: ``ANNCOURSE_EXTRA_SPECS="slug=module,..."``.

    An instructor's own exercises (or the test suite's samples) live in any
    importable module; the grader finds them through this variable.
    """
    found = {}
    for item in os.environ.get("ANNCOURSE_EXTRA_SPECS", "").split(","):
        slug, _, module = item.strip().partition("=")
        if slug and module:
            found[slug] = module
    return found


def exercises(assignment: str) -> dict[str, Exercise]:
    """All exercises of ``assignment``, by function name."""
    extra = _extra_modules()
    if assignment in extra:
        module = importlib.import_module(extra[assignment])
        return {ex.function_name: ex for ex in module.EXERCISES}
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
