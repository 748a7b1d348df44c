"""Helpers the test suite runs inside a notebook's kernel.

:func:`exercise_widgets` moves every live widget once, so that the callbacks
behind a notebook's explorers run at least once under test.  Callbacks that
raise make it raise: a broken explorer fails the test instead of showing a
traceback nobody reads.
"""
from __future__ import annotations

__all__ = ["exercise_widgets"]


def _is_selection(widget) -> bool:
    # Dropdowns, toggle buttons, radio buttons: moved by index (their values
    # can be anything); multiple selections (tuple indices) are left alone.
    return hasattr(widget, "options") and isinstance(getattr(widget, "index", None), int)


def _other_value(widget):
    """A valid value (an index, for selections) other than the current one, or None."""
    import ipywidgets as w

    if _is_selection(widget):
        n = len(widget.options)
        return None if n < 2 else (widget.index + 1) % n
    value = widget.value
    if isinstance(widget, (w.FloatSlider, w.IntSlider, w.FloatLogSlider, w.BoundedFloatText,
                           w.BoundedIntText)):
        return widget.max if value != widget.max else widget.min
    if isinstance(widget, (w.FloatRangeSlider, w.IntRangeSlider)):
        full = (widget.min, widget.max)
        return full if tuple(value) != full else (widget.min, widget.min + (widget.max - widget.min) / 2)
    if isinstance(widget, (w.Checkbox, w.ToggleButton)):
        return not value
    return None


def exercise_widgets() -> int:
    """Change each live, observed widget's value and set it back.

    Returns
    -------
    int
        How many widgets were moved.
    """
    from ipywidgets.widgets.widget import _instances

    moved = 0
    for widget in list(_instances.values()):
        observers = getattr(widget, "_trait_notifiers", {}).get("value", {})
        if not any(observers.values()):
            continue
        new = _other_value(widget)
        if new is None:
            continue
        trait = "index" if _is_selection(widget) else "value"
        old = getattr(widget, trait)
        setattr(widget, trait, new)
        setattr(widget, trait, old)
        moved += 1
    return moved
