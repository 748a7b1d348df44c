"""One name for randomness across anncourse: ``random_state``.

Every function or class of the reference that draws random numbers takes
``random_state``, as scikit-learn does, and accepts

* ``None``: fresh, unpredictable randomness;
* an ``int`` >= 0: a seed, so that the same call gives the same result;
* a :class:`numpy.random.Generator`: used as it is (and advanced), so that
  several calls can share one stream.

Anything else is a ``TypeError``: a float, a string, a ``bool`` or NumPy's
legacy ``RandomState`` would otherwise be accepted or rejected by NumPy in
ways that are easy to misread.

Until this release the reference spelt the same thing ``seed=`` or ``rng=``;
:func:`renamed` keeps those keywords working, with a ``DeprecationWarning``,
for one more release.

Private: names and signatures may change.

Examples
--------
>>> import numpy as np
>>> bool(check_random_state(0).integers(100) == check_random_state(0).integers(100))
True
>>> g = np.random.default_rng(1)
>>> check_random_state(g) is g
True
>>> check_random_state(0.5)
Traceback (most recent call last):
...
TypeError: random_state must be None, an int or a numpy.random.Generator, not float (0.5)
"""
from __future__ import annotations

import functools
import numbers
import warnings

import numpy as np

__all__ = ["check_random_state", "renamed"]


def check_random_state(random_state, name: str = "random_state") -> np.random.Generator:
    """The generator ``random_state`` stands for (see the module docstring).

    Raises
    ------
    TypeError
        For anything but None, an int or a Generator.
    ValueError
        For a negative int (NumPy's seeds are >= 0).
    """
    if random_state is None:
        return np.random.default_rng()
    if isinstance(random_state, np.random.Generator):
        return random_state
    is_bool = isinstance(random_state, (bool, np.bool_))
    if isinstance(random_state, numbers.Integral) and not is_bool:
        if random_state < 0:
            raise ValueError(f"{name} must be >= 0 when it is an int, not {random_state}")
        return np.random.default_rng(int(random_state))
    raise TypeError(f"{name} must be None, an int or a numpy.random.Generator, "
                    f"not {type(random_state).__name__} ({random_state!r})")


def renamed(*old_names: str):
    """Decorator: accept the keywords ``old_names`` as ``random_state``, with a warning.

    The wrapped function must take ``random_state`` as a keyword.  Passing both
    an old name and ``random_state`` is a ``TypeError``.

    Examples
    --------
    >>> @renamed("seed")
    ... def draw(random_state=None):
    ...     return check_random_state(random_state).integers(10)
    >>> import warnings
    >>> with warnings.catch_warnings(record=True) as caught:
    ...     warnings.simplefilter("always")
    ...     same = bool(draw(seed=3) == draw(random_state=3))
    >>> same, caught[0].category.__name__
    (True, 'DeprecationWarning')
    """

    def decorate(func):
        where = func.__qualname__.replace(".__init__", "")

        @functools.wraps(func)
        def wrapper(*args, **kwargs):
            for old in old_names:
                if old in kwargs:
                    if "random_state" in kwargs:
                        raise TypeError(f"{where}() got both {old}= and random_state=; "
                                        f"pass only random_state=")
                    warnings.warn(f"{where}({old}=...) is deprecated and will be removed in the "
                                  "next release; use random_state=... (None, an int or a "
                                  "numpy.random.Generator)", DeprecationWarning, stacklevel=2)
                    kwargs["random_state"] = kwargs.pop(old)
            return func(*args, **kwargs)

        return wrapper

    return decorate
