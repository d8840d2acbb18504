"""Vectorized calendar helpers for numbers that embed a birth date (private).

Dates are decoded with lookup tables (valid ``MMDD`` and day of year for
common and leap years, days before each year 0-9999), so decoding a batch
costs a handful of array operations whatever its size.
"""

from __future__ import annotations

import datetime

import numpy as np

from ._arrays import leading_int

NAT = np.iinfo(np.int64).min  # the int64 bit pattern of NaT
EARLIEST_BIRTH_DATE = datetime.date(1900, 1, 1)
_EPOCH_ORDINAL = datetime.date(1970, 1, 1).toordinal()


def _tables() -> tuple[np.ndarray, np.ndarray, np.ndarray, np.ndarray]:
    """Lookup tables indexed by year (0-9999) and by ``kind * 10000 + MMDD``."""
    years = np.arange(10000, dtype=np.int64)
    leap = ((years % 4 == 0) & (years % 100 != 0)) | (years % 400 == 0)
    year_kind = np.where(years == 0, 2, leap.astype(np.int64))  # 0 common, 1 leap, 2 no year 0
    past = np.maximum(years - 1, 0)
    year_start = 365 * past + past // 4 - past // 100 + past // 400 - _EPOCH_ORDINAL
    mmdd_ok = np.zeros(3 * 10000, dtype=bool)
    day_of_year = np.zeros(3 * 10000, dtype=np.int64)
    for kind, year in ((0, 2001), (1, 2000)):
        day = datetime.date(year, 1, 1)
        while day.year == year:
            index = kind * 10000 + day.month * 100 + day.day
            mmdd_ok[index] = True
            day_of_year[index] = day.timetuple().tm_yday
            day += datetime.timedelta(days=1)
    for table in (year_kind, year_start, mmdd_ok, day_of_year):
        table.flags.writeable = False
    return year_kind, year_start, mmdd_ok, day_of_year


_YEAR_KIND, _YEAR_START, _MMDD_OK, _DAY_OF_YEAR = _tables()


def dates_from_numbers(years: np.ndarray, mmdd: np.ndarray) -> np.ndarray:
    """``datetime64[D]`` dates from years (0-9999) and ``MMDD`` integers (0-9999).

    NaT where there is no such day (year 0, ``0229`` in a common year,
    ``1301``...). Out-of-range inputs are wrapped, not checked: callers pass
    numbers read from at most four digits each.
    """
    years = years % 10000
    index = _YEAR_KIND.take(years) * 10000 + mmdd % 10000
    days = _YEAR_START.take(years) + _DAY_OF_YEAR.take(index)
    return np.where(_MMDD_OK.take(index), days, NAT).view("datetime64[D]")


def yyyymmdd(values: np.ndarray, start: int, century: int | None = None) -> np.ndarray:
    """Decode a date from digit values ``(n, L)`` starting at column ``start``.

    Reads ``YYYYMMDD``, or ``YYMMDD`` when ``century`` is given (e.g. 1900).
    Rows with non-digit values give meaningless dates (or NaT) and must be
    masked by the caller.
    """
    width = 8 if century is None else 6
    number = leading_int(values[:, start : start + width], width)
    return dates_from_numbers(number // 10000 + (century or 0), number % 10000)


def _day_number(day: datetime.date) -> int:
    return day.toordinal() - _EPOCH_ORDINAL


def plausible_birth_dates(dates: np.ndarray, today: datetime.date | None) -> np.ndarray:
    """Real dates between 1900-01-01 and ``today`` (default: the current date)."""
    days = dates.view(np.int64)  # NaT is the smallest int64: fails the first test
    latest = _day_number(today if today is not None else datetime.date.today())
    return (days >= _day_number(EARLIEST_BIRTH_DATE)) & (days <= latest)
