"""Gradient checking: test a backward pass against finite differences.

A hand-written backward pass is easy to get slightly wrong, and a wrong
gradient often still trains, just badly. The cure is to compare it with
the slope measured numerically. For a function ``f`` of an array ``x``,
the central difference for element ``i`` is::

    n_i = (f(x + h e_i) - f(x - h e_i)) / (2 h)

where ``e_i`` is 1 at position ``i`` and 0 elsewhere. Its error is of
order ``h^2`` (the one-sided ``(f(x + h e_i) - f(x)) / h`` is only of
order ``h``).

Comparing: the relative error
------------------------------
Each analytic gradient element ``a`` is compared with its numerical
estimate ``n`` by::

    relative error = |a - n| / max(|a| + |n|, tiny)

Relative, because the gradients of a network range over many orders of
magnitude: an absolute error of ``1e-7`` is excellent for a gradient of
``10`` and meaningless for one of ``1e-8``. The floor ``tiny`` handles
gradients that are (nearly) zero, where a relative error would divide
noise by noise: a gradient that should be exactly 0 comes out of the
backward pass as ``1e-17`` and out of the finite differences as ``0`` or
``1e-11``. Below ``tiny`` the error is measured in absolute terms,
``|a - n| / tiny``. A tensor passes if its largest relative error is at
most ``tol``.

The defaults ``tol = 1e-5`` and ``tiny = 1e-3`` allow an absolute error
of ``tol * tiny = 1e-8`` for small gradients and a relative error of
``1e-5`` for the others. The correct layers of :mod:`anncourse.nn`, in
random networks of up to about a thousand outputs (batch normalisation
included), stay below about ``5e-6``; a wrong formula is usually off by
``1e-2`` or more. The noise grows with the size of ``f``, so for much
larger networks check a smaller batch, or raise ``tiny``.

Finite differences themselves fail at kinks (a ReLU input within ``h``
of 0: the central difference averages the two slopes) and are
inaccurate where ``f`` is sharply curved, such as batch normalisation of
a feature that barely varies across the batch. Check at points away from
both.

Why float64 and ``h`` near ``1e-6``
-----------------------------------
The numerical estimate has two errors pulling in opposite directions.
Truncation, from the curvature of ``f``, is about ``h^2 * |f'''| / 6``
and shrinks with ``h``. Rounding, from evaluating ``f`` in floating point
with relative precision ``u``, is about ``u * |f| / h`` and grows as ``h``
shrinks. Their sum is smallest near ``h = u^(1/3)`` (for ``f`` and its
derivatives of similar size), where it is about ``u^(2/3)``.

In float64, ``u = 1.1e-16``: the best ``h`` is about ``5e-6``, and
``h = 1e-6`` (PyTorch's choice too) gives errors near ``1e-10`` relative
to the size of ``f``, leaving room for ``f`` to be large or curved. In
float32, ``u = 6e-8``: even the best step gives only about ``1.5e-5``,
and ``h = 1e-6`` gives a rounding error of ``0.06 * |f|``, so float32
cannot reliably tell a right gradient from a slightly wrong one. The
checks here therefore compute in float64.

Examples
--------
A function and its gradient:

>>> import numpy as np
>>> f = lambda x: np.sum(x**3)
>>> result = gradcheck(f, np.array([1.0, -2.0]), grad_fn=lambda x: 3 * x**2)
>>> result.passed
True

A wrong gradient is caught:

>>> gradcheck(f, np.array([1.0, -2.0]), grad_fn=lambda x: 3 * x).passed
False
"""
from __future__ import annotations

from dataclasses import dataclass

import numpy as np

from anncourse._random import check_random_state, renamed
from anncourse._validation import as_float_array
from anncourse.nn.module import Module

__all__ = ["gradcheck", "numerical_gradient", "relative_error", "GradcheckResult", "TensorCheck"]

#: Default finite-difference step.
EPS = 1e-6
#: Default largest relative error that passes.
TOL = 1e-5
#: Default floor of the relative error's denominator.
TINY = 1e-3


def relative_error(analytic, numerical, tiny=TINY):
    """Elementwise ``|a - n| / max(|a| + |n|, tiny)``.

    Parameters
    ----------
    analytic, numerical : array_like
        The two gradients, of the same shape.
    tiny : float, default 1e-3
        The floor of the denominator.

    Returns
    -------
    numpy.ndarray
        Values in ``[0, 1]`` when both are above ``tiny``: 0 means equal,
        1 means unrelated (for instance of opposite signs).

    Examples
    --------
    >>> relative_error([1.0, 1e-12, 2.0], [1.0001, 0.0, -2.0])
    array([4.99975001e-05, 1.00000000e-09, 1.00000000e+00])
    """
    a = np.asarray(analytic, dtype=np.float64)
    n = np.asarray(numerical, dtype=np.float64)
    return np.abs(a - n) / np.maximum(np.abs(a) + np.abs(n), tiny)


def _central_differences(f, x, eps):
    """Central-difference gradient of ``f()`` with respect to the array ``x``.

    ``f`` takes no argument: it reads ``x``, which is changed in place one
    element at a time and always restored exactly.
    """
    grad = np.zeros_like(x, dtype=np.float64)
    for index in np.ndindex(x.shape):
        original = x[index]
        x[index] = original + eps
        f_plus = f()
        x[index] = original - eps
        f_minus = f()
        x[index] = original
        grad[index] = (f_plus - f_minus) / (2 * eps)
    return grad


def numerical_gradient(f, x, eps=EPS):
    """The gradient of a scalar function ``f(x)`` by central differences.

    Formula, for each element ``i`` of ``x``::

        df/dx_i ~ (f(x + eps e_i) - f(x - eps e_i)) / (2 eps)

    It costs two evaluations of ``f`` per element of ``x``, which is why
    networks are trained with backpropagation and only checked with this.

    Parameters
    ----------
    f : callable
        Takes an array like ``x`` and returns a number.
    x : array_like
        The point; it is copied to float64 and not modified.
    eps : float, default 1e-6
        The step ``h``.

    Returns
    -------
    numpy.ndarray
        The estimated gradient, float64, the shape of ``x``.

    Examples
    --------
    >>> g = numerical_gradient(lambda x: x[0] ** 2 + 3 * x[1], [2.0, 0.0])
    >>> np.round(g, 6)
    array([4., 3.])
    """
    x = np.array(as_float_array(x, "x", dtype=np.float64))
    return _central_differences(lambda: _scalar(f(x)), x, eps)


def _scalar(value):
    if np.ndim(value) != 0:
        raise ValueError(
            f"the function must return a single number, got an array of shape {np.shape(value)}"
        )
    return float(value)


@dataclass(frozen=True)
class TensorCheck:
    """The comparison of one gradient tensor.

    Attributes
    ----------
    name : str
        ``"input"``, a parameter name such as ``"0.weight"``, or ``"x"``.
    max_error : float
        The largest elementwise relative error.
    index : tuple
        Where it occurs.
    analytic, numerical : float
        The two gradients at that index.
    passed : bool
        ``max_error <= tol``.
    """

    name: str
    max_error: float
    index: tuple
    analytic: float
    numerical: float
    passed: bool


def _compare(name, analytic, numerical, tol, tiny):
    analytic = np.asarray(analytic, dtype=np.float64)
    if analytic.shape != numerical.shape:
        raise ValueError(
            f"the analytic gradient of {name} has shape {analytic.shape} but "
            f"{name} has shape {numerical.shape}"
        )
    errors = relative_error(analytic, numerical, tiny)
    # A NaN gradient is as wrong as can be, but NaN would never exceed tol.
    errors = np.where(np.isnan(errors), np.inf, errors)
    index = np.unravel_index(np.argmax(errors), errors.shape)
    worst = float(errors[index])
    return TensorCheck(
        name=name,
        max_error=worst,
        index=tuple(int(i) for i in index),
        analytic=float(analytic[index]),
        numerical=float(numerical[index]),
        passed=worst <= tol,
    )


class GradcheckResult:
    """What :func:`gradcheck` found: one :class:`TensorCheck` per gradient.

    ``bool(result)`` is :attr:`passed`, so ``assert gradcheck(...)`` works,
    and ``result["0.weight"]`` gives the check of one tensor.

    Attributes
    ----------
    checks : tuple of TensorCheck
    tol : float
    """

    def __init__(self, checks, tol):
        self.checks = tuple(checks)
        self.tol = tol

    @property
    def passed(self):
        """Whether every tensor passed."""
        return all(check.passed for check in self.checks)

    @property
    def errors(self):
        """A dict from tensor name to its largest relative error."""
        return {check.name: check.max_error for check in self.checks}

    def __bool__(self):
        return self.passed

    def __getitem__(self, name):
        for check in self.checks:
            if check.name == name:
                return check
        raise KeyError(f"no gradient called {name!r}; there are {[c.name for c in self.checks]}")

    def __repr__(self):
        width = max([len(check.name) for check in self.checks] + [6])
        lines = [f"GradcheckResult(passed={self.passed}, tol={self.tol:g})"]
        for check in self.checks:
            line = f"  {check.name:<{width}}  max rel. error {check.max_error:.2e}"
            if check.passed:
                line += "  ok"
            else:
                line += (f"  FAILED at {check.index}: analytic {check.analytic:.6g}, "
                         f"numerical {check.numerical:.6g}")
            lines.append(line)
        return "\n".join(lines)


@renamed("seed")
def gradcheck(f, x, grad_fn=None, *, args=(), eps=EPS, tol=TOL, tiny=TINY, random_state=0):
    """Compare analytic gradients with central differences.

    Two uses:

    **A function.** ``f(x)`` returns a number and ``grad_fn(x)`` its
    gradient with respect to ``x``; the check compares ``grad_fn(x)``
    with :func:`numerical_gradient`.

    **A module** (any :class:`anncourse.nn.Module`). A random upstream
    gradient ``g`` (standard normal, from ``random_state``) turns the output into
    the number ``L = sum(module(x, *args) * g)``; then ``module.backward(g)``
    must return ``dL/dx`` and add ``dL/dp`` to every parameter's
    ``grad``. The input gradient and every parameter's gradient are
    checked. A random ``g``, rather than all ones, weighs every output
    differently, so that errors cannot cancel out.

    The module is left as it was found: parameters, gradients, buffers
    (batch normalisation's running statistics) and random generators are
    restored. Random generators held by the modules (dropout's) are
    rewound before every forward pass, so all passes see the same dropout
    mask, as backpropagation assumes.

    Parameters
    ----------
    f : callable or Module
        What to check.
    x : array_like
        The point at which to check; copied to float64.
    grad_fn : callable, optional
        For a function ``f``: its gradient. Not used for a module.
    args : tuple, optional
        For a module: further arguments of its forward pass, such as the
        target of a loss module.
    eps : float, default 1e-6
        The finite-difference step.
    tol : float, default 1e-5
        The largest relative error that passes.
    tiny : float, default 1e-3
        The floor of the relative error's denominator (see the module
        docstring).
    random_state : None, int or numpy.random.Generator, default 0
        The source of a module's random upstream gradient ``g``: an int
        seeds it, a Generator is used (and advanced), ``None`` draws a new
        ``g`` on every call. The default is a fixed seed so that a check,
        and any failure it reports, repeats exactly. The old name
        ``seed=`` still works, with a ``DeprecationWarning``.

    Returns
    -------
    GradcheckResult
        Prints as a table; true if every gradient passed.

    Raises
    ------
    TypeError
        If a module has parameters that are not float64, a function is
        given without ``grad_fn``, or ``random_state`` is not None, an int
        or a Generator.
    ValueError
        If a function does not return a single number, a gradient has
        the wrong shape, or ``random_state`` is a negative int.

    Examples
    --------
    >>> from anncourse.nn import Linear, Sequential, Tanh
    >>> model = Sequential(Linear(3, 4, random_state=0), Tanh(), Linear(4, 2, random_state=1))
    >>> x = np.random.default_rng(0).normal(size=(5, 3))
    >>> gradcheck(model, x).passed
    True
    >>> list(gradcheck(model, x).errors)
    ['input', '0.weight', '0.bias', '2.weight', '2.bias']
    """
    # Checked for plain functions too (which do not use it), so that a bad
    # value is reported whatever is being checked.
    rng = check_random_state(random_state)
    x = np.array(as_float_array(x, "x", dtype=np.float64))
    if isinstance(f, Module):
        return _check_module(f, x, args, eps, tol, tiny, rng)
    if grad_fn is None:
        raise TypeError("gradcheck needs grad_fn, the gradient of f, to check a plain function")
    analytic = grad_fn(x.copy())
    numerical = numerical_gradient(f, x, eps)
    return GradcheckResult([_compare("x", analytic, numerical, tol, tiny)], tol)


def _check_module(module, x, args, eps, tol, tiny, rng):
    parameters = list(module.named_parameters())
    for name, parameter in parameters:
        if parameter.dtype != np.float64:
            raise TypeError(
                f"gradcheck needs float64 parameters, but {name} is {parameter.dtype}; "
                "build the model with dtype=np.float64 (float32 is too coarse for "
                "finite differences)"
            )
    saved_state = module.state_dict()
    saved_grads = [parameter.grad for _, parameter in parameters]
    generators = [
        value for m in module.modules() for value in vars(m).values()
        if isinstance(value, np.random.Generator)
    ]
    # Reading .state returns a snapshot (a new dict); assigning it rewinds.
    generator_states = [generator.bit_generator.state for generator in generators]

    def rewind_generators():
        for generator, state in zip(generators, generator_states):
            generator.bit_generator.state = state

    try:
        # The analytic gradients, from one forward and one backward pass.
        rewind_generators()
        output = module(x, *args)
        g = rng.standard_normal(np.shape(output))
        for _, parameter in parameters:
            parameter.grad = None
        grad_input = module.backward(g)
        analytic = {"input": grad_input}
        for name, parameter in parameters:
            grad = parameter.grad
            analytic[name] = np.zeros(parameter.shape) if grad is None else grad.copy()

        def weighted_output():
            rewind_generators()
            return float(np.sum(module(x, *args) * g))

        # The numerical gradients, perturbing the input and then each parameter.
        checks = [_compare("input", analytic["input"],
                           _central_differences(weighted_output, x, eps), tol, tiny)]
        for name, parameter in parameters:
            numerical = _central_differences(weighted_output, parameter.data, eps)
            checks.append(_compare(name, analytic[name], numerical, tol, tiny))
    finally:
        module.load_state_dict(saved_state)
        for (_, parameter), grad in zip(parameters, saved_grads):
            parameter.grad = grad
        rewind_generators()
    return GradcheckResult(checks, tol)

