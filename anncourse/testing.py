"""Helpers the test suite runs inside a notebook's kernel.

:func:`exercise_widgets` moves every live widget once, so that the callbacks
behind a notebook's explorers run at least once under test.  Callbacks that
raise make it raise: a broken explorer fails the test instead of showing a
traceback nobody reads.
"""
from __future__ import annotations

__all__ = ["exercise_widgets"]


def _other_value(widget):
    """A valid value different from the widget's current one, or None."""
    import ipywidgets as w

    value = widget.value
    if isinstance(widget, (w.FloatSlider, w.IntSlider, w.FloatLogSlider, w.BoundedFloatText,
                           w.BoundedIntText)):
        return widget.max if value != widget.max else widget.min
    if isinstance(widget, (w.FloatRangeSlider, w.IntRangeSlider)):
        full = (widget.min, widget.max)
        return full if tuple(value) != full else (widget.min, widget.min + (widget.max - widget.min) / 2)
    if isinstance(widget, (w.Checkbox, w.ToggleButton)):
        return not value
    if hasattr(widget, "options") and hasattr(widget, "index") and not isinstance(widget.index, tuple):
        n = len(widget.options)
        return None if n < 2 else widget.options[(widget.index + 1) % n]
    return None


def _set(widget, value):
    # Selection widgets hold (label, value) options; setting the label is the
    # portable way to select one.
    if hasattr(widget, "options") and hasattr(widget, "label") and isinstance(value, tuple) \
            and len(value) == 2 and not isinstance(widget.value, tuple):
        widget.label = value[0]
    else:
        widget.value = value


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
        old = widget.label if hasattr(widget, "label") and hasattr(widget, "options") else widget.value
        _set(widget, new)
        if hasattr(widget, "label") and hasattr(widget, "options"):
            widget.label = old
        else:
            widget.value = old
        moved += 1
    return moved
