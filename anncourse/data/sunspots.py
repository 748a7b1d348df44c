"""The yearly sunspot numbers, 1700-2008: a small real time series that ships with the course.

Source
    The U.S. National Geophysical Data Center (NOAA NGDC), yearly mean
    sunspot numbers, as distributed with statsmodels
    (``statsmodels/datasets/sunspots/sunspots.csv``, statsmodels 0.15.0),
    whose dataset description says: "This data is public domain."  The
    original page was http://www.ngdc.noaa.gov/stp/solar/solarda3.html.
    These are the *version 1* (pre-2015) sunspot numbers; SILSO's recalibrated
    version 2 series has other values.
Licence
    Public domain (a work of the U.S. federal government).
File
    ``anncourse/data/sunspots.csv``, copied byte for byte: a header
    ``"YEAR","SUNACTIVITY"`` and 309 rows, one per year from 1700 to 2008,
    2944 bytes, SHA-256
    ``f67889b1d9002cd5227f0e0ef54e35b419cdd85a31279adef6f73fb41e5c0a9b``.

Examples
--------
>>> from anncourse.data.sunspots import load_sunspots
>>> years, values = load_sunspots()
>>> int(years[0]), int(years[-1]), len(values)
(1700, 2008, 309)
>>> float(values.max())
190.2
"""
from __future__ import annotations

import hashlib
from pathlib import Path

import numpy as np

__all__ = ["SHA256", "load_sunspots"]

PATH = Path(__file__).with_name("sunspots.csv")
SHA256 = "f67889b1d9002cd5227f0e0ef54e35b419cdd85a31279adef6f73fb41e5c0a9b"
N_ROWS = 309


def load_sunspots(verify: bool = True) -> tuple[np.ndarray, np.ndarray]:
    """The yearly mean sunspot numbers from 1700 to 2008.

    Parameters
    ----------
    verify : bool, default True
        Check the file's SHA-256 first, so that a damaged or edited copy is
        reported rather than silently used.

    Returns
    -------
    years : ndarray of int64, shape (309,)
        1700, 1701, ..., 2008, in order.
    values : ndarray of float64, shape (309,)
        The yearly mean sunspot number of each year (0 to 190.2).

    Raises
    ------
    ValueError
        If ``verify`` is true and the file is not the one shipped, or if the
        years are not 1700 to 2008 one after the other.

    Examples
    --------
    >>> years, values = load_sunspots()
    >>> int(years[1]), float(values[1])
    (1701, 11.0)
    """
    raw = PATH.read_bytes()
    if verify and hashlib.sha256(raw).hexdigest() != SHA256:
        raise ValueError(f"{PATH} is not the shipped sunspot file (its SHA-256 differs); "
                         "reinstall anncourse or pass verify=False")
    lines = raw.decode("ascii").splitlines()
    if not lines or lines[0].replace('"', "").strip().upper() != "YEAR,SUNACTIVITY":
        raise ValueError(f"{PATH} does not start with the header YEAR,SUNACTIVITY")
    rows = [line.split(",") for line in lines[1:] if line.strip()]
    years = np.array([int(float(year)) for year, _ in rows], dtype=np.int64)
    values = np.array([float(value) for _, value in rows], dtype=np.float64)
    if len(years) != N_ROWS or not np.array_equal(years, np.arange(1700, 1700 + N_ROWS)):
        raise ValueError(f"{PATH} should hold the {N_ROWS} years 1700 to 2008, one after the other")
    return years, values
