"""Helpers that keep a spec module short: what every exercise repeats is said here once.

A spec module (``anncourse/grading/specs/<module>.py``) describes the graded
exercises of one assignment.  With these helpers it

* names each exercise's reference once: the reference computes every
  expected value (visible and hidden), and a graded answer that copies it
  earns nothing;
* never writes a key: the assignment comes from the registry that lists
  the module (:func:`assignment_for`), the function name from the
  reference;
* never picks a seed: each hidden check's seed is a stable hash of the
  exercise's key and the check's label (:func:`seed_for`);
* gets the four hidden checks every array exercise needs -- a random batch,
  one sample, Python lists, float32 -- from :func:`standard`;
* lists the usual wrong answers once, with :func:`mistake`: each becomes a
  hint shown when a learner's value matches that wrong formula, and a
  :class:`~anncourse.grading.core.Mistake` that the generated spec tests
  (``tests/test_specs_generated.py``) run.

Examples
--------
>>> import numpy as np
>>> from anncourse.grading.specbuilder import Chapter, Tol, mistake, standard
>>> def double(x):
...     return 2 * np.asarray(x, dtype=float)
>>> def make(rng, n, dtype):
...     return (rng.normal(size=n or 1).astype(dtype),)
>>> chapter = Chapter("18-loss-functions")
>>> ex = chapter.exercise(double, tol=Tol(1e-9, 0),
...                      visible=[("three numbers", ([1.0, 2.0, 3.0],))],
...                      hidden=standard(make, Tol(1e-9, 0), Tol(1e-6, 1e-6)),
...                      mistakes=[mistake("no factor 2", lambda x: np.asarray(x, float), "times 2")])
>>> ex.key, len(ex.hidden), ex.mistakes[0].hint
('18-loss-functions/double', 4, 'times 2')
"""
from __future__ import annotations

import zlib
from dataclasses import dataclass
from typing import Callable, NamedTuple, Sequence

import numpy as np

from .core import Case, Exercise, Mistake, Property
from .hints import log_base, missing_mean, nan_from_log_zero, sign_flip, sign_flipped, wrong_axis
from .properties import matches_reference, satisfies

__all__ = ["Chapter", "Hidden", "Tol", "assignment_for", "fixed", "holds", "mistake", "random",
           "seed_for", "standard", "standard_hints"]


class Tol(NamedTuple):
    """A comparison tolerance: ``|actual - expected| <= atol + rtol * |expected|``."""

    rtol: float
    atol: float


def assignment_for(module_name: str) -> str:
    """The slug of the assignment whose spec module is ``module_name``.

    The course registry (:data:`anncourse.course.ASSIGNMENTS`) is asked
    first, for an assignment whose ``spec`` names the module; then the specs
    registry (``anncourse.grading.specs``), which maps slugs to modules.

    Raises
    ------
    LookupError
        If no assignment, or more than one, lists the module.

    Examples
    --------
    >>> assignment_for("anncourse.grading.specs.loss_functions")
    '18-loss-functions'
    """
    from .. import course
    from . import specs

    short = module_name.rpartition(".")[2]
    found = {a.slug for a in course.ASSIGNMENTS if getattr(a, "spec", None) in (short, module_name)}
    registry = getattr(specs, "_MODULES", {})
    found |= {slug for slug, module in registry.items() if module in (short, module_name)}
    if len(found) != 1:
        raise LookupError(f"spec module {module_name!r} is listed by {len(found)} assignments "
                          f"({sorted(found)}); register it for exactly one")
    return found.pop()


def seed_for(key: str, label: str) -> int:
    """A seed that depends only on the exercise's key and the check's label.

    CRC-32 rather than :func:`hash`, which changes from one process to the
    next for strings.  (The grader still salts it afresh; see
    :mod:`anncourse.grading.properties`.)

    Examples
    --------
    >>> seed_for("18-loss-functions/mse", "wrong for float32 input")
    1172239040
    """
    return zlib.crc32(f"{key}\x00{label}".encode())


def _as_float64(value):
    """Floating arrays (and lists of floats) become float64; integer labels stay integers."""
    arr = np.asarray(value)
    return arr.astype(np.float64) if arr.dtype.kind == "f" else arr


def exact(reference: Callable) -> Callable:
    """``reference`` on float64 copies, so that float32 cases are compared with exact values."""

    def wrapped(*args, **kwargs):
        return reference(*(_as_float64(a) for a in args), **kwargs)

    wrapped.__name__ = getattr(reference, "__name__", "reference")
    return wrapped


def _split(made):
    if isinstance(made, tuple) and len(made) == 2 and isinstance(made[0], tuple) \
            and isinstance(made[1], dict):
        return made
    return tuple(made), {}


def as_lists(made):
    """The same arguments as nested Python lists (keyword arguments untouched)."""
    args, kwargs = _split(made)
    return tuple(np.asarray(a).tolist() for a in args), kwargs


# --- hidden checks, resolved once the exercise's key and reference are known ---

@dataclass(frozen=True)
class Hidden:
    """A hidden check waiting for its exercise: ``build(expected, seed)`` gives ``test(func)``."""

    label: str
    build: Callable[[Callable, int], Callable]

    def resolve(self, expected: Callable, key: str) -> Property:
        return Property(self.label, self.build(expected, seed_for(key, self.label)))


def random(label: str, make: Callable, tol: Tol, trials: int = 2) -> Hidden:
    """Agree with the reference on ``trials`` inputs ``make(rng)``."""
    return Hidden(label, lambda ref, seed: matches_reference(ref, make, trials=trials, rtol=tol.rtol,
                                                             atol=tol.atol, seed=seed))


def fixed(label: str, *inputs, tol: Tol) -> Hidden:
    """Agree with the reference on each of the given inputs (``args`` or ``(args, kwargs)``)."""

    def build(ref, seed):
        tests = [matches_reference(ref, (lambda rng, made=made: made), trials=1, rtol=tol.rtol,
                                   atol=tol.atol, seed=seed) for made in inputs]

        def test(func):
            for t in tests:
                reason = t(func)
                if reason is not None:
                    return reason
            return None

        return test

    return Hidden(label, build)


def holds(label: str, predicate: Callable[[np.ndarray], bool], args, reason: str) -> Hidden:
    """``predicate(result)`` holds for the learner's result on ``args`` (no reference involved).

    ``args`` is the arguments, or a callable ``make(rng)`` drawing them.
    """
    make = args if callable(args) else (lambda rng: args)
    return Hidden(label, lambda ref, seed: satisfies(predicate, make, reason, seed=seed))


def standard(make: Callable, tol: Tol, f32_tol: Tol, *, sizes=(5, 40), single=None,
             list_size: int = 7, f32_size: int = 20, batch_label: str = "wrong on random batched input",
             single_label: str = "wrong for a single sample") -> list[Hidden]:
    """The four hidden checks of an array exercise.

    ``make(rng, n, dtype)`` returns the arguments for a batch of ``n``
    samples in ``dtype`` (``args`` or ``(args, kwargs)``); ``n=None`` asks
    for a single sample in its natural form (one element, or a 1-D row).
    ``single``, if given, replaces the random single samples by these fixed
    inputs (when a random draw could miss a case that matters).
    """
    low, high = sizes
    one = (fixed(single_label, *single, tol=tol) if single is not None
           else random(single_label, lambda rng: make(rng, None, np.float64), tol, trials=3))
    return [
        random(batch_label, lambda rng: make(rng, int(rng.integers(low, high)), np.float64), tol,
               trials=5),
        one,
        random("does not accept Python lists",
               lambda rng: as_lists(make(rng, list_size, np.float64)), tol),
        random("wrong for float32 input", lambda rng: make(rng, f32_size, np.float32), f32_tol),
    ]


# --- usual mistakes and the hints that recognise them ---------------------------

@dataclass(frozen=True)
class _MistakeSpec:
    label: str
    func: Callable
    hint: str
    specific: bool  # True: the hint is this mistake's own advice


def mistake(label: str, func: Callable, hint: str, *, specific: bool = True) -> _MistakeSpec:
    """A usual wrong answer.

    With ``specific=True`` (the default) ``hint`` is the advice shown when a
    learner's value matches ``func``'s on a failed visible case.  With
    ``specific=False`` the mistake is one a common hint already explains
    (a missing mean, a flipped sign, another log base) and ``hint`` is the
    words that hint must contain.
    """
    return _MistakeSpec(label, func, hint, specific)


def _looks_like(wrong: Callable, advice: str):
    """A hint: the learner's value is what the formula ``wrong`` gives."""

    def hint(args, expected, actual):
        try:
            with np.errstate(all="ignore"):
                value = np.asarray(wrong(*(_as_float64(a) for a in args)), dtype=np.float64)
        except Exception:  # a variant that does not apply to these inputs
            return None
        if value.shape != actual.shape or np.allclose(value, expected, rtol=1e-6, atol=1e-12):
            return None
        with np.errstate(all="ignore"):
            same = np.allclose(actual, value, rtol=1e-6, atol=1e-12)
        return advice if same else None

    return hint


def n_elements(args) -> int:
    """The number of elements of the last argument: what an elementwise mean divides by."""
    return int(np.asarray(args[-1]).size)


def n_rows(args) -> int:
    """The number of rows of the last argument (1 for 1-D): what a per-sample mean divides by."""
    a = np.asarray(args[-1])
    return 1 if a.ndim < 2 else int(a.shape[0])


def standard_hints(n_of: Callable = n_elements, logs: bool = False, sign: str | None = None) -> list:
    """The common hints, after an exercise's own: NaN, shape, a missing mean, the sign, log base.

    ``sign`` is advice for a flipped sign that fits the exercise (see
    :func:`~anncourse.grading.hints.sign_flip`); without it the generic words are used.
    """
    common = [nan_from_log_zero, wrong_axis, missing_mean(n_of),
              sign_flip(sign) if sign else sign_flipped]
    return common + [log_base] if logs else common


# --- the exercise -------------------------------------------------------------

class Chapter:
    """The exercises of one assignment.

    Parameters
    ----------
    module_name : str
        The spec module's ``__name__`` (its assignment is looked up with
        :func:`assignment_for`), or an assignment's slug ``"NN-slug"``.
    """

    def __init__(self, module_name: str):
        self.slug = module_name if "." not in module_name else assignment_for(module_name)

    def exercise(self, reference: Callable, *, visible: Sequence, hidden: Sequence, tol: Tol,
                 mistakes: Sequence[_MistakeSpec] = (), hints: Sequence = (),
                 n_of: Callable = n_elements, logs: bool = False, sign: str | None = None,
                 name: str | None = None) -> Exercise:
        """An :class:`~anncourse.grading.core.Exercise` whose every expected value comes from ``reference``.

        Parameters
        ----------
        reference : callable
            The right answer; its name is the function the learner writes
            unless ``name`` says otherwise.
        visible : sequence
            ``(label, args)`` or ``(label, args, kwargs)``, compared with
            ``tol``; or ready :class:`~anncourse.grading.core.Case` objects.
        hidden : sequence
            :class:`Hidden` checks, or lists of them (from :func:`standard`).
        tol : Tol
            The visible cases' tolerance.
        mistakes : sequence
            From :func:`mistake`.
        hints : sequence
            Extra hints, tried after the mistakes' and before the common ones.
        n_of, logs, sign
            Passed to :func:`standard_hints`.
        """
        name = name or reference.__name__
        key = f"{self.slug}/{name}"
        expected = exact(reference)
        cases = [c if isinstance(c, Case) else Case(c[0], tuple(c[1]), expected,
                                                     dict(c[2]) if len(c) > 2 else {},
                                                     rtol=tol.rtol, atol=tol.atol)
                 for c in visible]
        flat = [h for item in hidden for h in (item if isinstance(item, list) else [item])]
        own = [_looks_like(m.func, m.hint) for m in mistakes if m.specific]
        return Exercise(
            key=key,
            function_name=name,
            visible=cases,
            hidden=[h.resolve(expected, key) for h in flat],
            hints=[*own, *hints, *standard_hints(n_of, logs, sign)],
            reference=reference,
            mistakes=[Mistake(m.label, m.func, m.hint) for m in mistakes],
        )
