"""Checks for the course's graded exercises; notebooks call :func:`check`."""
from .core import Case, CheckFailed, Exercise, Mistake, Part, Property, check

__all__ = ["Case", "CheckFailed", "Exercise", "Mistake", "Part", "Property", "check"]
