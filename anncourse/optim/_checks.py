"""Hyper-parameter checks shared by the optimizers.

Each optimizer checks its defaults when it is built and every parameter
group when it is added, so a bad value in a per-group dict is caught as
early as a bad keyword argument. The messages name the hyper-parameter,
the allowed range and the value received.

These helpers are private: their names and signatures may change.
"""

from anncourse._validation import as_real_number


def check_non_negative(group, *names):
    """Raise unless every ``group[name]`` is a real number ``>= 0``."""
    for name in names:
        value = as_real_number(group[name], name)
        # Written as "not >=" so that NaN fails too.
        if not value >= 0:
            raise ValueError(f"{name} must be >= 0, but got {group[name]!r}")


def check_fraction(group, name, include_one):
    """Raise unless ``group[name]`` lies in ``[0, 1]`` (or ``[0, 1)``)."""
    value = as_real_number(group[name], name)
    if include_one:
        ok, interval = 0 <= value <= 1, "[0, 1]"
    else:
        ok, interval = 0 <= value < 1, "[0, 1)"
    if not ok:
        raise ValueError(f"{name} must lie in {interval}, but got {group[name]!r}")


def check_betas(group):
    """Raise unless ``group["betas"]`` is a pair of numbers in ``[0, 1)``."""
    betas = group["betas"]
    try:
        pair = tuple(betas)
    except TypeError:
        pair = ()
    if len(pair) != 2:
        raise ValueError(
            f"betas must be a pair (beta1, beta2), such as (0.9, 0.999), "
            f"but got {betas!r}"
        )
    for i, beta in enumerate(pair):
        value = as_real_number(beta, f"betas[{i}]")
        if not 0 <= value < 1:
            raise ValueError(f"betas[{i}] must lie in [0, 1), but got {beta!r}")
