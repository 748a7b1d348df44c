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

What a check can look at:

* a plain answer: a number or an array, compared elementwise;
* a structured answer: a tuple or dict of numbers and arrays, such as
  ``(theta, m, v)`` from an optimizer step, declared with ``parts=`` on the
  exercise; each :class:`Part` is compared on its own, with its own
  tolerance, and the feedback names the part that is wrong;
* a scenario: a :class:`Case` with a ``driver``, trusted code that receives
  the learner's function or class, drives it (constructs it, calls its
  methods over many steps, passes it callables) and returns plain data.  The
  same driver run on the reference gives the expected value;
* a property verdict: a :class:`Property` computes any pass/fail verdict from
  the learner's outputs (the accuracy of returned weights on held-out data,
  the statistics of a dropout mask).

An answer that changes its input arrays in place fails, whatever it returns,
unless the exercise allows it.  Each check has a weight; an exercise's score
is the weighted share of its checks that pass.

Everything the learner's code prints on stderr, and every warning it raises,
is swallowed while it runs: nbgrader scores a test cell with any stderr output
as zero, and a correct answer must not lose its points for a harmless warning.
"""
from __future__ import annotations

import contextlib
import contextvars
import copy
import io
import numbers
import textwrap
import warnings
from dataclasses import dataclass, field
from typing import Any, Callable, Sequence

import numpy as np

__all__ = [
    "Assessment",
    "Case",
    "CheckFailed",
    "Exercise",
    "Hint",
    "Mistake",
    "Part",
    "Property",
    "Verdict",
    "assess",
    "call_learner",
    "check",
    "compare",
    "evaluate",
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
    from the same arguments (usually the reference implementation).  With a
    ``driver``, the case is a scenario: ``driver(subject, *args, **kwargs)``
    is run on the learner's function or class (inside the sandbox when
    grading) and on ``expected`` (the reference), and the two results are
    compared.
    """

    label: str
    args: tuple
    expected: Any
    kwargs: dict = field(default_factory=dict)
    rtol: float = 1e-6
    atol: float = 1e-9
    driver: Callable | None = None
    weight: float = 1.0

    def expected_value(self):
        args, kwargs = copy.deepcopy(self.args), copy.deepcopy(self.kwargs)
        if self.driver is not None:
            return self.driver(self.expected, *args, **kwargs)
        if callable(self.expected):
            return self.expected(*args, **kwargs)
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
    weight: float = 1.0


@dataclass(frozen=True)
class Part:
    """One named part of a structured answer, such as ``dW`` of ``(dx, dW, db)``.

    ``rtol`` and ``atol`` default to the case's; ``weight`` is the part's
    share of the case's weight.
    """

    name: str
    rtol: float | None = None
    atol: float | None = None
    weight: float = 1.0


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
    """Everything needed to grade one function (or class) the learner writes."""

    key: str
    function_name: str
    visible: Sequence[Case]
    hidden: Sequence[Property] = ()
    hints: Sequence[Hint] = ()
    # The reference implementation of what the learner writes: a graded
    # answer that looks like a copy of it is held for the instructor's review.
    reference: Callable | None = None
    # Usual mistakes, each failing the visible checks with its hint.
    mistakes: Sequence[Mistake] = ()
    # The answer is a tuple (or dict) of these parts, compared one by one.
    parts: Sequence[Part] = ()
    # Packages the learner's code may import at grading besides NumPy.
    needs: tuple = ()
    # Whether the answer may change its arguments in place.
    allow_mutation: bool = False


@dataclass(frozen=True)
class Verdict:
    """The outcome of one check (a case, a part of a case, or a property)."""

    label: str
    passed: bool
    weight: float
    hidden: bool
    message: str = ""
    # For a part of a structured answer: its name; for a hidden check of a
    # structured exercise: the parts it found wrong.
    part: str | None = None
    wrong_parts: frozenset = frozenset()


@dataclass(frozen=True)
class Assessment:
    """All the verdicts on one exercise, with the score they add up to."""

    exercise: Exercise
    verdicts: tuple
    # The full explanation of the first failing visible case, if any.
    first_failure: str | None = None

    @property
    def fraction(self) -> float:
        """The weighted share of checks passed.

        The visible examples are a gate.  Until every one is right, the
        exercise earns nothing (a function that recognises the worked example
        must not earn its share), except that a structured answer earns the
        share of each part that is right in every visible example and that
        no hidden check found wrong.  Once they are all right, each hidden
        check adds its own share.
        """
        total = sum(v.weight for v in self.verdicts)
        if total <= 0:
            return 0.0
        visible = [v for v in self.verdicts if not v.hidden]
        if all(v.passed for v in visible):
            return sum(v.weight for v in self.verdicts if v.passed) / total
        hidden = [v for v in self.verdicts if v.hidden]
        if any(not v.passed and not v.wrong_parts for v in hidden):
            return 0.0  # a hidden check failed as a whole: nothing to credit parts with
        wrong = {v.part for v in visible if not v.passed}
        wrong |= {p for v in hidden for p in v.wrong_parts}
        if None in wrong:
            return 0.0
        return sum(v.weight for v in visible if v.part not in wrong) / total

    @property
    def passed(self) -> bool:
        return bool(self.verdicts) and all(v.passed for v in self.verdicts)

    def failures(self) -> list[str]:
        """Failure messages in :func:`check`'s words (visible first)."""
        out = []
        if self.first_failure:
            out.append(f"a visible check failed.\n{self.first_failure}")
        hidden = [v for v in self.verdicts if v.hidden]
        failed = [v for v in hidden if not v.passed]
        if failed:
            out.append(f"{len(failed)} of {len(hidden)} hidden checks failed:\n"
                       + "\n".join(f"  - {v.message}" for v in failed))
        return out


# Whether the exercise being checked lets the answer change its arguments.
_ALLOW_MUTATION = contextvars.ContextVar("anncourse_allow_mutation", default=False)
# The parts of the exercise being checked (hidden checks compare by part too).
_PARTS = contextvars.ContextVar("anncourse_parts", default=())
# The parts a hidden check found wrong (collected while it runs).
_WRONG_PARTS: contextvars.ContextVar[set] = contextvars.ContextVar("anncourse_wrong_parts")


def _to_array(value) -> np.ndarray:
    """Turn a learner's return value into a float array, or explain why not."""
    if value is None:
        raise LearnerError("returned None: did you forget the `return` statement?")
    if isinstance(value, dict):
        raise LearnerError("returned a dict, where a number or an array was expected")
    try:
        arr = np.asarray(value, dtype=np.float64)
    except OverflowError:
        raise LearnerError("returned a number too large to be a float") from None
    except (TypeError, ValueError):
        raise LearnerError(
            f"returned a {type(value).__name__}, which is not a number or an array of numbers"
        ) from None
    return arr


def _unchanged(before, after) -> bool:
    if isinstance(before, np.ndarray):
        return (isinstance(after, np.ndarray) and before.shape == after.shape
                and bool(np.array_equal(before, after, equal_nan=before.dtype.kind in "fc")))
    if isinstance(before, (list, tuple)):
        return (type(before) is type(after) and len(before) == len(after)
                and all(_unchanged(b, a) for b, a in zip(before, after)))
    if isinstance(before, dict):
        return (isinstance(after, dict) and before.keys() == after.keys()
                and all(_unchanged(before[k], after[k]) for k in before))
    if isinstance(before, (numbers.Number, np.generic)):
        # An element of a list the function was given: a list of lists changed
        # in place shows here (the copy kept before the call holds the old number).
        return type(after) is type(before) and (before == after or (before != before
                                                                    and after != after))
    return True


def _mutation_error(mutated: list) -> LearnerError:
    where = ", ".join(f"argument {m + 1}" if isinstance(m, int) else f"argument {m}="
                      for m in mutated[:5])
    return LearnerError(
        f"changed its input in place ({where}): the caller's array is not the same after the "
        "call. Work on a copy (np.array(x, dtype=float) or x.copy()) instead of modifying the "
        "argument")


_LIST_HINT = (" (the inputs of this check include Python lists: convert them with "
              "np.asarray(x, dtype=float) before doing arithmetic on them)")


@contextlib.contextmanager
def _quiet():
    with contextlib.ExitStack() as stack:
        stack.enter_context(warnings.catch_warnings())
        warnings.simplefilter("ignore")
        stack.enter_context(np.errstate(all="ignore"))
        stack.enter_context(contextlib.redirect_stderr(io.StringIO()))
        yield


def call_learner(func: Callable, args: tuple, kwargs: dict | None = None, *, driver=None):
    """Call the learner's function on copies of ``args``, quietly.

    Copies protect the exercise's inputs from a function that modifies its
    arguments in place; such a function fails with an explanation unless the
    exercise allows it.  With ``driver``, run ``driver(func, *args)``
    instead (a scenario).  Warnings and stderr are swallowed (see module
    docstring); any exception becomes a :class:`LearnerError`.
    """
    __tracebackhide__ = True
    kwargs = kwargs or {}
    if hasattr(func, "drive"):
        # A function living in a sandbox: it copies and checks for itself.
        with _quiet():
            try:
                if driver is not None:
                    return func.drive(driver, *args, **kwargs)
                return func(*args, **kwargs)
            except LearnerError as err:
                if str(err).startswith("raised TypeError") and driver is None \
                        and any(isinstance(a, list) for a in args):
                    raise LearnerError(f"{err}{_LIST_HINT}") from None
                raise
    call_args, call_kwargs = copy.deepcopy(args), copy.deepcopy(kwargs)
    with _quiet():
        try:
            if driver is not None:
                result = driver(func, *call_args, **call_kwargs)
            else:
                result = func(*call_args, **call_kwargs)
        except LearnerError:
            raise  # already explained
        except NotImplementedError:
            raise LearnerError("is not written yet: it still raises NotImplementedError") from None
        except TypeError as exc:
            hint = _LIST_HINT if any(isinstance(a, list) for a in args) and driver is None else ""
            raise LearnerError(f"raised TypeError: {exc}{hint}") from None
        except Exception as exc:  # the learner's bug, reported as such
            raise LearnerError(f"raised {type(exc).__name__}: {exc}") from None
    if driver is None and not _ALLOW_MUTATION.get():
        mutated = [i for i, (b, a) in enumerate(zip(args, call_args)) if not _unchanged(b, a)]
        mutated += [k for k in kwargs if not _unchanged(kwargs[k], call_kwargs[k])]
        if mutated:
            raise _mutation_error(mutated)
    return result


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
        elif actual.ndim == 2 and actual.T.shape == expected.shape:
            return Mismatch(f"has shape {actual.shape}, expected shape {expected.shape}: "
                            "is it transposed?")
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


def _compare_text(actual, expected: str) -> Mismatch | None:
    """Compare a word the learner returned (a kind, a label) with the expected one."""
    if isinstance(actual, np.str_):
        actual = str(actual)
    if not isinstance(actual, str):
        return Mismatch(f"is a {type(actual).__name__}, expected a string")
    if actual == expected:
        return None
    if actual.strip().lower() == expected.strip().lower():
        return Mismatch("differs from the expected string only in capitals or spaces")
    return Mismatch("is a different string")


def _scale(actual: np.ndarray, expected: np.ndarray) -> str | None:
    """Words for an answer that is the expected one times a constant."""
    with np.errstate(all="ignore"):
        if (actual.shape != expected.shape or not np.all(np.isfinite(actual))
                or not np.all(np.isfinite(expected)) or np.allclose(expected, 0)):
            return None
        k = float(np.vdot(actual, expected) / np.vdot(expected, expected))
        # A factor within 5 % of 1 is not a scale mistake ("1 times too small").
        if not np.allclose(actual, k * expected, rtol=1e-6, atol=1e-12) or abs(k - 1) < 0.05:
            return None
    if np.isclose(k, -1):
        return "has the wrong sign"
    if np.isclose(k, 0):
        return "is zero"
    size = abs(k)
    words = f"{size:.3g} times too large" if size > 1 else f"{1 / size:.3g} times too small"
    return words + (" and has the wrong sign" if k < 0 else "")


def _fmt(value, indent: str = "            ") -> str:
    arr = np.asarray(value) if not isinstance(value, (dict, str)) else None
    if arr is not None and arr.dtype.kind in "fciub":
        if arr.ndim == 0:
            return f"{float(arr):.10g}" if arr.dtype.kind in "fc" else repr(arr.item())
        text = np.array2string(arr, precision=8, separator=", ", threshold=20,
                               suppress_small=False)
        return text.replace("\n", "\n" + indent)
    return textwrap.shorten(repr(value), 400)


# Beyond this many numbers an argument is described, not printed: a data set or
# a network's weights would fill the learner's screen (18 KB for chapter 19's
# transfer_accuracy) and push the reason for the failure out of sight.
_PRINTED_SIZE = 400


def _fmt_arg(value) -> str:
    """An argument as the learner would type it: lists as lists, arrays as np.array(...)."""
    if isinstance(value, np.ndarray) and value.size > _PRINTED_SIZE:
        return f"<an array of shape {value.shape}, dtype {value.dtype}>"
    if isinstance(value, (list, tuple)) and len(value) <= 20 and any(
            isinstance(v, (np.ndarray, list, tuple)) for v in value):
        inner = ", ".join(_fmt_arg(v) for v in value)
        if isinstance(value, tuple):
            return f"({inner}{',' if len(value) == 1 else ''})"
        return f"[{inner}]"
    if isinstance(value, np.ndarray):
        body = np.array2string(value, precision=8, separator=", ", threshold=20,
                               suppress_small=False)
        body = body.replace("\n", "\n" + " " * 9)
        return f"np.array({body})" if value.dtype == np.float64 else \
            f"np.array({body}, dtype=np.{value.dtype})"
    if isinstance(value, (list, tuple)) and len(value) > 20:
        return textwrap.shorten(repr(value), 200)
    if isinstance(value, np.generic):
        return repr(value.item())
    if callable(value):
        return getattr(value, "__name__", "a function")
    return repr(value)


def _fmt_args(args: tuple, kwargs: dict) -> str:
    parts = [_fmt_arg(a) for a in args]
    parts += [f"{k}={_fmt_arg(v)}" for k, v in kwargs.items()]
    return ", ".join(parts)


def compare_answer(actual_value, expected_value, rtol: float, atol: float) -> Mismatch | None:
    """Compare a learner's answer with the expected one, part by part if it is structured.

    Raises :class:`LearnerError` when the answer cannot be read as numbers.
    """
    parts = _PARTS.get()
    if not parts:
        if isinstance(expected_value, str):
            return _compare_text(actual_value, expected_value)
        return compare(_to_array(actual_value), np.asarray(expected_value, dtype=np.float64),
                       rtol, atol)
    first = None
    for part, act, exp in zip(parts, _split_parts(actual_value, parts),
                              _split_parts(expected_value, parts)):
        try:
            if isinstance(exp, str):
                mismatch = _compare_text(act, exp)
            else:
                mismatch = compare(_to_array(act), np.asarray(exp, dtype=np.float64),
                                   part.rtol if part.rtol is not None else rtol,
                                   part.atol if part.atol is not None else atol)
        except LearnerError:
            mismatch = Mismatch("is not a number or an array of numbers")
        if mismatch is not None:
            collected = _WRONG_PARTS.get(None)
            if collected is not None:
                collected.add(part.name)
            first = first or Mismatch(f"part {part.name} {mismatch.reason}", mismatch.index)
    return first


def _split_parts(value, parts: Sequence[Part]) -> list:
    """The learner's structured answer, part by part, or a LearnerError saying why not."""
    names = [p.name for p in parts]
    if isinstance(value, dict):
        missing = [n for n in names if n not in value]
        if missing:
            raise LearnerError(f"returned a dict without {', '.join(missing)}; expected the parts "
                               f"({', '.join(names)})")
        return [value[n] for n in names]
    if isinstance(value, (tuple, list)) and len(value) == len(parts):
        return list(value)
    if value is None:
        raise LearnerError("returned None: did you forget the `return` statement?")
    got = f"{len(value)} values" if isinstance(value, (tuple, list)) else f"a {type(value).__name__}"
    raise LearnerError(f"returned {got}; expected a tuple of {len(parts)}: ({', '.join(names)})")


def _part_verdicts(ex: Exercise, case: Case, actual_value, expected_value) -> tuple[list, str | None]:
    """Compare a structured answer part by part."""
    expected = _split_parts(expected_value, ex.parts)
    actual = _split_parts(actual_value, ex.parts)
    total = sum(p.weight for p in ex.parts)
    verdicts, notes, failed = [], [], False
    for part, exp, act in zip(ex.parts, expected, actual):
        weight = case.weight * part.weight / total
        if isinstance(exp, str):
            mismatch = _compare_text(act, exp)
            if mismatch is None:
                notes.append(f"{part.name} is right")
            else:
                failed = True
                notes.append(f"{part.name} {mismatch.reason} (expected {exp!r}, got {act!r})")
            verdicts.append(Verdict(f"{case.label}: {part.name}", mismatch is None, weight, False,
                                    part=part.name))
            continue
        try:
            act_arr = _to_array(act)
        except LearnerError as err:
            notes.append(f"{part.name} {str(err).replace('returned', 'is')}")
            verdicts.append(Verdict(f"{case.label}: {part.name}", False, weight, False,
                                    part=part.name))
            failed = True
            continue
        exp_arr = np.asarray(exp, dtype=np.float64)
        mismatch = compare(act_arr, exp_arr, part.rtol if part.rtol is not None else case.rtol,
                           part.atol if part.atol is not None else case.atol)
        if mismatch is None:
            notes.append(f"{part.name} is right")
        else:
            failed = True
            how = _scale(act_arr, exp_arr) if act_arr.shape == exp_arr.shape else None
            detail = f"expected {_fmt(exp_arr)}, got {_fmt(act_arr)}"
            notes.append(f"{part.name} {how or mismatch.reason} ({detail})")
        verdicts.append(Verdict(f"{case.label}: {part.name}", mismatch is None, weight, False,
                                part=part.name))
    return verdicts, ("; ".join(notes) if failed else None)


def _run_case(func: Callable, ex: Exercise, case: Case) -> tuple[list[Verdict], str | None]:
    """Run one visible case; return its verdicts and, when it fails, a full explanation."""
    __tracebackhide__ = True
    call = f"{ex.function_name}({_fmt_args(case.args, case.kwargs)})"
    if case.driver is not None:
        call = f"{case.driver.__name__}({ex.function_name}, {_fmt_args(case.args, case.kwargs)})"
    try:
        value = call_learner(func, case.args, case.kwargs, driver=case.driver)
        if ex.parts:
            verdicts, problem = _part_verdicts(ex, case, value, case.expected_value())
            if problem is None:
                return verdicts, None
            return verdicts, f"{case.label}:\n  call:     {call}\n  {problem}"
        expected_value = case.expected_value()
        if isinstance(expected_value, str):
            mismatch = _compare_text(value, expected_value)
            if mismatch is None:
                return [Verdict(case.label, True, case.weight, False)], None
            return [Verdict(case.label, False, case.weight, False)], (
                f"{case.label}:\n  call:     {call}\n  expected: {expected_value!r}\n"
                f"  got:      {textwrap.shorten(repr(value), 200)}\n  the result {mismatch.reason}")
        actual = _to_array(value)
    except LearnerError as err:
        return [Verdict(case.label, False, case.weight, False)], f"{case.label}:\n  {call} {err}"
    expected = np.asarray(expected_value, dtype=np.float64)
    mismatch = compare(actual, expected, case.rtol, case.atol)
    if mismatch is None:
        return [Verdict(case.label, True, case.weight, False)], None
    lines = [
        f"{case.label}:",
        f"  call:     {call}",
        f"  expected: {_fmt(expected)}",
        f"  got:      {_fmt(actual)}",
        f"  the result {mismatch.reason}"
        + (f" (first difference at index {mismatch.index})" if mismatch.index else ""),
    ]
    advice = None
    if actual.shape == expected.shape or actual.size == expected.size:
        for hint in ex.hints:
            advice = hint(case.args, expected, actual.reshape(expected.shape))
            if advice:
                break
        if not advice and (how := _scale(actual.reshape(expected.shape), expected)):
            advice = f"your value {how}."
    elif expected.size == 1 and actual.size > 1:
        advice = (f"you returned {actual.size} values (shape {actual.shape}), one per sample it "
                  "seems, where one number is expected: reduce them (the mean) to a single value.")
    else:
        for hint in ex.hints:
            try:
                advice = hint(case.args, expected, actual)
            except (ValueError, TypeError):
                advice = None
            if advice:
                break
    if advice:
        lines.append(f"  hint: {advice}")
    return [Verdict(case.label, False, case.weight, False)], "\n".join(lines)


def _run_property(func: Callable, prop: Property) -> Verdict:
    __tracebackhide__ = True
    wrong: set = set()
    token = _WRONG_PARTS.set(wrong)
    try:
        reason = prop.test(func)
    except LearnerError as err:
        reason = f"the function {err}"
        wrong = set()  # it failed as a whole, not part by part
    except CheckFailed as err:
        reason = str(err)
        wrong = set()
    finally:
        _WRONG_PARTS.reset(token)
    if reason is None:
        return Verdict(prop.label, True, prop.weight, True, prop.label)
    return Verdict(prop.label, False, prop.weight, True,
                   prop.label if not reason else f"{prop.label} ({reason})",
                   wrong_parts=frozenset(wrong))


def assess(func: Callable, ex: Exercise, *, visible: bool = True, hidden: bool = False,
           stop_at_first: bool = False) -> Assessment:
    """Run an exercise's checks on ``func`` and collect every verdict.

    Parameters
    ----------
    func : callable
        The learner's function or class, or its stand-in from a sandbox.
    ex : Exercise
        What to check.
    visible, hidden : bool
        Which checks to run.
    stop_at_first : bool
        Stop at the first failing visible case (the notebook's quick check).
    """
    __tracebackhide__ = True
    verdicts, first = [], None
    token = _ALLOW_MUTATION.set(ex.allow_mutation)
    parts_token = _PARTS.set(tuple(ex.parts))
    try:
        if visible:
            for case in ex.visible:
                found, problem = _run_case(func, ex, case)
                verdicts += found
                if problem and first is None:
                    first = problem
                    if stop_at_first:
                        break
        if hidden and not (stop_at_first and first):
            verdicts += [_run_property(func, prop) for prop in ex.hidden]
    finally:
        _ALLOW_MUTATION.reset(token)
        _PARTS.reset(parts_token)
    return Assessment(ex, tuple(verdicts), first)


def evaluate(func: Callable, ex: Exercise, *, visible: bool = True, hidden: bool = False) -> list[str]:
    """Run an exercise's checks on ``func``; return the failure messages.

    Visible cases stop at the first failure (its message explains it in
    full); hidden properties all run, each reported by its label.
    """
    __tracebackhide__ = True
    return assess(func, ex, visible=visible, hidden=hidden, stop_at_first=True).failures()


def _anncourse_globals(func: Callable) -> list[str]:
    """Names the learner's function reads from the notebook that hold anncourse objects."""
    code = getattr(func, "__code__", None)
    scope = getattr(func, "__globals__", None)
    if code is None or scope is None:
        return []
    names = set(code.co_names)
    for const in code.co_consts:  # nested functions and comprehensions
        if hasattr(const, "co_names"):
            names |= set(const.co_names)
    found = []
    for name in sorted(names):
        value = scope.get(name)
        module = getattr(value, "__module__", None) or getattr(value, "__name__", "")
        if value is not None and isinstance(module, str) and (
                module == "anncourse" or module.startswith("anncourse.")):
            found.append(name)
    return found


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
    borrowed = _anncourse_globals(func)
    warning = ""
    if borrowed:
        warning = (f"\nwarning: {ex.function_name} uses {', '.join(borrowed)} from anncourse, "
                   "defined elsewhere in the notebook. That works here but not at grading, "
                   "where only numpy, math and your own code are available.")
    failures = evaluate(func, ex, visible=not hidden, hidden=hidden)
    if failures:
        raise CheckFailed(f"{ex.function_name}: " + "\n".join(failures) + warning)
    if hidden:
        print(f"{ex.function_name}: {len(ex.hidden)} hidden checks passed.{warning}")
        return
    more = f"; {len(ex.hidden)} more checks at grading" if ex.hidden else ""
    print(f"{ex.function_name}: {len(ex.visible)} visible checks passed{more}.{warning}")
