"""The shipped sunspot series: the file is the public-domain one, and the loader reads it right."""
from __future__ import annotations

import hashlib
import subprocess
import sys

import numpy as np
import pytest

from anncourse.data import sunspots
from anncourse.data.sunspots import load_sunspots


def test_the_file_is_the_documented_one():
    raw = sunspots.PATH.read_bytes()
    assert hashlib.sha256(raw).hexdigest() == sunspots.SHA256
    assert len(raw) == 2944
    assert sunspots.SHA256 in sunspots.__doc__ and "public domain" in sunspots.__doc__.lower()


def test_years_and_values():
    years, values = load_sunspots()
    assert years.dtype == np.int64 and values.dtype == np.float64
    assert years.shape == values.shape == (309,)
    assert np.array_equal(years, np.arange(1700, 2009))
    # A few values read off the CSV by eye: the first years, the 1957 maximum and the last year.
    assert values[:4].tolist() == [5.0, 11.0, 16.0, 23.0]
    assert values[years == 1957][0] == 190.2 == values.max()
    assert values[-1] == 2.9 and values.min() == 0.0
    assert np.all(np.isfinite(values))


def test_the_cycle_is_about_eleven_years():
    # The best-known fact about the series: the periodogram peaks near 11 years.
    _, values = load_sunspots()
    power = np.abs(np.fft.rfft(values - values.mean())) ** 2
    freqs = np.fft.rfftfreq(len(values), d=1.0)
    period = 1 / freqs[1:][np.argmax(power[1:])]
    assert 10 < period < 12


def test_a_damaged_copy_is_reported(tmp_path, monkeypatch):
    bad = tmp_path / "sunspots.csv"
    bad.write_bytes(sunspots.PATH.read_bytes().replace(b"1701,11", b"1701,12"))
    monkeypatch.setattr(sunspots, "PATH", bad)
    with pytest.raises(ValueError, match="SHA-256 differs"):
        load_sunspots()
    # Without the checksum, the edited value is read as it is.
    assert load_sunspots(verify=False)[1][1] == 12.0
    bad.write_bytes(b'"YEAR","SUNACTIVITY"\n1700,5\n1702,3\n')
    with pytest.raises(ValueError, match="one after the other"):
        load_sunspots(verify=False)
    bad.write_bytes(b"year,value\n1700,5\n")
    with pytest.raises(ValueError, match="header"):
        load_sunspots(verify=False)


def test_import_is_light():
    code = ("import sys, anncourse.data.sunspots\n"
            "assert not {'matplotlib', 'sklearn', 'pandas'} & set(sys.modules)")
    subprocess.run([sys.executable, "-c", code], check=True)
