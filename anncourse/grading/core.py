"""The checking machinery behind every graded exercise.

A notebook's test cell calls :func:`check` with the learner's function and the
exercise's key, for example ``check(mse, "18-loss-functions/mse")``.  The
exercise itself (its visible examples, its hidden properties and the hints for
the usual mistakes) is described once, in ``anncourse.grading.specs``, so the
grading can be changed in one place without touching the notebooks.

Two kinds of check exist:

* a :class:`Case` is a visible example.  When it fails, the learner sees the
  inputs, the expected and the actual value, the first index that differs and
  a hint when the mistake is a familiar one;
* a :class:`Property` is a hidden check.  When it fails, the learner is told
  which property does not hold ("wrong for batched input"), never the values.

Everything the learner's code prints on stderr, and every warning it raises,
is swallowed while it runs: nbgrader scores a test cell with any stderr output
as zero, and a correct answer must not lose its points for a harmless warning.
"""
from __future__ import annotations

import contextlib
import copy
import io
import warnings
from dataclasses import dataclass, field
from typing import Any, Callable, Sequence

import numpy as np

__all__ = [
    "Case",
    "CheckFailed",
    "Exercise",
    "Hint",
    "Mistake",
    "Property",
    "check",
    "compare",
    "evaluate",
    "call_learner",
]


class CheckFailed(AssertionError):
    """Raised by :func:`check` when the learner's answer is not right yet."""

    def _render_traceback_(self) -> list[str]:
        # IPython shows this instead of a traceback: the learner needs the
        # explanation, not the frames of the checking machinery.
        return [f"\x1b[0;31mCheckFailed\x1b[0m: {self}"]


class LearnerError(Exception):
    """The learner's function raised; carries a message meant for the learner."""


# A hint looks at one failed case and returns advice, or None if it does not
# recognise the mistake.  It gets the case's arguments, the expected value and
# the learner's value (both as float arrays).
Hint = Callable[[tuple, np.ndarray, np.ndarray], "str | None"]


@dataclass(frozen=True)
class Case:
    """A visible example: call the learner's function on ``args``.

    ``expected`` is either the value itself or a callable that computes it
    from the same arguments (usually the reference implementation).
    """

    label: str
    args: tuple
    expected: Any
    kwargs: dict = field(default_factory=dict)
    rtol: float = 1e-6
    atol: float = 1e-9

    def expected_value(self):
        if callable(self.expected):
            return self.expected(*copy.deepcopy(self.args), **copy.deepcopy(self.kwargs))
        return self.expected


@dataclass(frozen=True)
class Property:
    """A hidden check: ``test(func)`` returns None when ``func`` has the property.

    When it does not, ``test`` raises :class:`CheckFailed` or returns a short
    reason; the learner is told ``label`` (and the reason, which must not give
    away expected values).
    """

    label: str
    test: Callable[[Callable], "str | None"]


@dataclass(frozen=True)
class Mistake:
    """A usual wrong answer, kept with the exercise so the spec tests can use it.

    ``func`` is a wrong implementation a learner is likely to write; the spec
    tests (generated for every exercise) check that it fails the visible
    checks and that the failure message contains ``hint``.
    """

    label: str
    func: Callable
    hint: str


@dataclass(frozen=True)
class Exercise:
    """Everything needed to grade one function the learner writes."""

    key: str
    function_name: str
    visible: Sequence[Case]
    hidden: Sequence[Property] = ()
    hints: Sequence[Hint] = ()
    # The reference implementation of what the learner writes: a graded
    # answer that is a copy of it earns nothing (see grading.sandbox).
    reference: Callable | None = None
    # Usual mistakes, each failing the visible checks with its hint.
    mistakes: Sequence[Mistake] = ()


def _to_array(value) -> np.ndarray:
    """Turn a learner's return value into a float array, or explain why not."""
    if value is None:
        raise LearnerError("returned None: did you forget the `return` statement?")
    try:
        arr = np.asarray(value, dtype=np.float64)
    except (TypeError, ValueError):
        raise LearnerError(
            f"returned a {type(value).__name__}, which is not a number or an array of numbers"
        ) from None
    return arr


def call_learner(func: Callable, args: tuple, kwargs: dict | None = None):
    """Call the learner's function on copies of ``args``, quietly.

    Copies protect the exercise's inputs from a function that modifies its
    arguments in place.  Warnings and stderr are swallowed (see module
    docstring); any exception becomes a :class:`LearnerError`.
    """
    __tracebackhide__ = True
    args = copy.deepcopy(args)
    kwargs = copy.deepcopy(kwargs or {})
    with contextlib.ExitStack() as stack:
        stack.enter_context(warnings.catch_warnings())
        warnings.simplefilter("ignore")
        stack.enter_context(np.errstate(all="ignore"))
        stack.enter_context(contextlib.redirect_stderr(io.StringIO()))
        try:
            return func(*args, **kwargs)
        except LearnerError:
            raise  # already explained (a call answered by a sandbox, say)
        except NotImplementedError:
            raise LearnerError("is not written yet: it still raises NotImplementedError") from None
        except Exception as exc:  # the learner's bug, reported as such
            raise LearnerError(f"raised {type(exc).__name__}: {exc}") from None


@dataclass(frozen=True)
class Mismatch:
    """How an actual value differs from the expected one."""

    reason: str
    index: tuple | None = None


def compare(actual: np.ndarray, expected: np.ndarray, rtol: float, atol: float) -> Mismatch | None:
    """Compare two float arrays; return None when they agree.

    NaN never agrees with anything, and infinities agree only with the same
    infinity, so an unstable answer cannot slip through.
    """
    actual = np.asarray(actual, dtype=np.float64)
    expected = np.asarray(expected, dtype=np.float64)
    if actual.shape != expected.shape:
        # A length-1 answer for a scalar is fine: np.float64 vs [x] is a style.
        if actual.size == expected.size == 1:
            actual = actual.reshape(expected.shape)
        else:
            return Mismatch(f"has shape {actual.shape}, expected shape {expected.shape}")
    with np.errstate(invalid="ignore"):
        close = np.isclose(actual, expected, rtol=rtol, atol=atol, equal_nan=False)
    if close.all():
        return None
    first = tuple(int(i) for i in np.argwhere(~close)[0])
    if np.isnan(actual[first]):
        reason = "is NaN"
    elif not np.isfinite(actual[first]) and np.isfinite(expected[first]):
        reason = "is not finite"
    else:
        reason = "is not close enough"
    return Mismatch(reason, first if actual.ndim else None)


def _fmt(value) -> str:
    arr = np.asarray(value)
    if arr.dtype.kind in "fciu":
        return np.array2string(arr, precision=8, separator=", ", threshold=20, suppress_small=False) \
            if arr.ndim else f"{float(arr):.10g}"
    return repr(value)


def _fmt_args(args: tuple, kwargs: dict) -> str:
    parts = [_fmt(a) if isinstance(a, (list, tuple, np.ndarray, float, int, np.floating)) else repr(a)
             for a in args]
    parts += [f"{k}={v!r}" for k, v in kwargs.items()]
    return ", ".join(parts)


def _run_case(func: Callable, ex: Exercise, case: Case) -> str | None:
    """Run one visible case; return a full explanation when it fails."""
    __tracebackhide__ = True
    call = f"{ex.function_name}({_fmt_args(case.args, case.kwargs)})"
    try:
        actual = _to_array(call_learner(func, case.args, case.kwargs))
    except LearnerError as err:
        return f"{case.label}:\n  {call} {err}"
    expected = np.asarray(case.expected_value(), dtype=np.float64)
    mismatch = compare(actual, expected, case.rtol, case.atol)
    if mismatch is None:
        return None
    lines = [
        f"{case.label}:",
        f"  call:     {call}",
        f"  expected: {_fmt(expected)}",
        f"  got:      {_fmt(actual)}",
        f"  the result {mismatch.reason}"
        + (f" (first difference at index {mismatch.index})" if mismatch.index else ""),
    ]
    if actual.shape == expected.shape or actual.size == expected.size:
        for hint in ex.hints:
            advice = hint(case.args, expected, actual.reshape(expected.shape))
            if advice:
                lines.append(f"  hint: {advice}")
                break
    return "\n".join(lines)


def _run_property(func: Callable, prop: Property) -> str | None:
    __tracebackhide__ = True
    try:
        reason = prop.test(func)
    except LearnerError as err:
        reason = f"the function {err}"
    except CheckFailed as err:
        reason = str(err)
    if reason is None:
        return None
    return prop.label if not reason else f"{prop.label} ({reason})"


def evaluate(func: Callable, ex: Exercise, *, visible: bool = True, hidden: bool = False) -> list[str]:
    """Run an exercise's checks on ``func``; return the failure messages.

    Visible cases stop at the first failure (its message explains it in
    full); hidden properties all run, each reported by its label.
    """
    __tracebackhide__ = True
    failures = []
    if visible:
        for case in ex.visible:
            failure = _run_case(func, ex, case)
            if failure:
                return [f"a visible check failed.\n{failure}"]
    if hidden:
        failed = [msg for prop in ex.hidden if (msg := _run_property(func, prop))]
        if failed:
            failures.append(f"{len(failed)} of {len(ex.hidden)} hidden checks failed:\n"
                            + "\n".join(f"  - {msg}" for msg in failed))
    return failures


def check(func: Callable, exercise: str, *, hidden: bool = False) -> None:
    """Check the learner's ``func`` against exercise ``exercise``.

    Parameters
    ----------
    func : callable
        The learner's function.
    exercise : str
        The exercise's key, ``"<assignment>/<function name>"``.
    hidden : bool, default False
        Run the hidden properties instead of the visible examples.

    Raises
    ------
    CheckFailed
        With an explanation, when a check fails.

    Examples
    --------
    >>> import numpy as np
    >>> from anncourse.grading import check
    >>> check(lambda y, p: np.mean((np.asarray(y) - p) ** 2), "18-loss-functions/mse")  # doctest: +ELLIPSIS
    mse: ... visible checks passed; ... more checks at grading.
    """
    __tracebackhide__ = True
    from .specs import get_exercise

    ex = get_exercise(exercise)
    if not callable(func):
        raise CheckFailed(f"{ex.function_name} is not a function (got {type(func).__name__})")
    failures = evaluate(func, ex, visible=not hidden, hidden=hidden)
    if failures:
        raise CheckFailed(f"{ex.function_name}: " + "\n".join(failures))
    if hidden:
        print(f"{ex.function_name}: {len(ex.hidden)} hidden checks passed.")
        return
    more = f"; {len(ex.hidden)} more checks at grading" if ex.hidden else ""
    print(f"{ex.function_name}: {len(ex.visible)} visible checks passed{more}.")
