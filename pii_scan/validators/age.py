"""Age as an age column writes it: in whole years (``8``, ``13岁``, ``13周岁``, 0-119), and as
hospital systems write a young child's age: months (``10个月``), years and months (``1岁1月``,
``3岁2个月``) or days (``5天``).

A number alone says nothing: the age recognizer needs its column's name. An age gives the
latest birth date it allows (``today`` less the age in whole years), so that its holder counts
as under 14 exactly when the age is 13 or less
(:class:`~pii_scan.classify.columns.MinorsTracker`).

>>> is_valid("13岁"), is_valid("0"), is_valid("120"), is_valid("08"), is_valid("13 周岁")
(True, True, False, False, True)
>>> [is_valid(v) for v in ("10个月", "1岁1月", "3岁2个月", "5天", "1岁12月", "3月")]
[True, True, True, True, False, False]
>>> import datetime as dt
>>> batch(as_rows(["13岁", "13月", "99岁"])).tolist()
[True, False, True]
>>> [str(d) for d in birth_dates(as_rows(["13岁", "14岁"]), today=dt.date(2024, 2, 29))]
['2011-02-28', '2010-02-28']
>>> [str(d) for d in birth_dates(as_rows(["26个月", "2岁1月"]), today=dt.date(2024, 5, 1))]
['2022-05-01', '2022-05-01']
"""

from __future__ import annotations

import datetime as dt

import numpy as np

from ._arrays import as_chars
from ._text import clean
from .exceptions import InvalidFormat, ValidationError

__all__ = ["as_rows", "batch", "birth_dates", "compact", "is_valid", "validate"]

MAX_AGE = 119
_SUFFIXES = (b"", "岁".encode(), "周岁".encode())


def compact(value: str) -> str:
    """Fold full-width forms and drop spaces: ``１３ 岁`` is ``13岁``."""
    return clean(value, " ")


def validate(value: str) -> str:
    """Return the compact age or raise :class:`InvalidFormat`."""
    age = compact(value)
    if not age or not batch(as_rows([age]))[0]:
        raise InvalidFormat("expected 0 to 119 years, optionally followed by 岁 or 周岁")
    return age


def is_valid(value: object) -> bool:
    """Whether ``value`` is an age of 0 to 119 years."""
    try:
        return bool(validate(value))  # type: ignore[arg-type]
    except ValidationError:
        return False


def as_rows(values: list[str]) -> np.ndarray:
    """UTF-8 values of one byte length as an ``(n, L)`` batch (for the examples and tests)."""
    try:
        raw = [v.encode() for v in values]
    except UnicodeEncodeError:  # a lone surrogate
        raise InvalidFormat("the value is not valid text") from None
    width = len(raw[0]) if raw else 0
    if any(len(r) != width for r in raw):
        raise ValueError("a batch holds values of one byte length")
    return np.frombuffer(b"".join(raw), np.uint8).reshape(len(raw), width)


#: The units of a young child's age.
_MONTHS = ("个月".encode(), "月".encode())
_DAYS = "天".encode()
_YEAR = "岁".encode()


def _years(chars: np.ndarray) -> np.ndarray:
    """The age in whole years of every row, -1 where a row is no age."""
    chars = as_chars(chars)
    n, width = chars.shape
    out = np.full(n, -1, np.int64)
    for suffix in _SUFFIXES:
        ok, value = _number_then(chars, 0, width - len(suffix), suffix)
        ok &= value <= MAX_AGE
        out[ok] = value[ok]
    # 10个月, up to 99 months (not 10月 alone: a month of the year as well)
    ok, months = _number_then(chars, 0, width - len(_MONTHS[0]), _MONTHS[0], most=2)
    out[ok] = months[ok] // 12
    ok, days = _number_then(chars, 0, width - len(_DAYS), _DAYS)  # 5天: up to 999 days
    out[ok] = days[ok] // 365
    for unit in _MONTHS:  # 1岁1月, 3岁2个月: a child, months below 12
        for k in (1, 2):
            k_years = width - len(_YEAR) - k - len(unit)
            ok, years = _number_then(chars, 0, k_years, _YEAR, most=2)
            at = k_years + len(_YEAR)
            month_ok, months = _number_then(chars, at, at + k, unit, most=2)
            ok &= month_ok & (months < 12) & (years < 18)
            out[ok] = years[ok]
    return out


def _number_then(
    chars: np.ndarray, lo: int, hi: int, unit: bytes, most: int = 3
) -> tuple[np.ndarray, np.ndarray]:
    """Rows whose bytes ``lo:hi`` are 1 to ``most`` digits (no leading 0 unless alone) and
    whose next bytes are ``unit``, and those numbers."""
    n, width = chars.shape
    k = hi - lo
    none = np.zeros(n, dtype=bool), np.zeros(n, np.int64)
    if not 1 <= k <= most or lo < 0 or hi + len(unit) > width:
        return none
    ok = np.ones(n, dtype=bool)
    if unit:
        ok &= (chars[:, hi : hi + len(unit)] == np.frombuffer(unit, np.uint8)).all(axis=1)
    digits = chars[:, lo:hi]
    ok &= ((digits >= ord("0")) & (digits <= ord("9"))).all(axis=1)
    if k > 1:
        ok &= digits[:, 0] != ord("0")  # 08 is a code, not an age
    value = (digits.astype(np.int64) - ord("0")) @ (10 ** np.arange(k - 1, -1, -1))
    return ok, value


def batch(chars: np.ndarray) -> np.ndarray:
    """:func:`is_valid` for every row of an ``(n, L)`` uint8 batch (UTF-8 bytes)."""
    return _years(chars) >= 0


def birth_dates(chars: np.ndarray, today: dt.date | None = None) -> np.ndarray:
    """The latest birth date each row's age allows on ``today``; NaT where a row is no age."""
    today = today or dt.date.today()
    years = _years(chars)
    out = np.full(len(years), "NaT", dtype="M8[D]")
    for age in np.unique(years[years >= 0]).tolist():
        try:
            born = today.replace(year=today.year - age)
        except ValueError:  # 29 February
            born = today.replace(year=today.year - age, day=28)
        out[years == age] = np.datetime64(born, "D")
    return out
