"""Birth date written as a calendar date (出生日期), as found in birth-date columns.

Accepted forms: ``YYYY-MM-DD`` with ``-``, ``/``, ``.`` or a space between the parts (one- or
two-digit month and day), ``YYYYMMDD``, ``YYYY年M月D日``, the same with a time of day
(``1990-03-07 00:00:00``, ``1990-03-07T00:00``), and month precision (``1990-03``,
``1990年3月``: the first of the month is taken). A birth date must be a real day between
1900-01-01 and today. There is no check character: the structure is the whole check, so a
date is only a birth date under a birth-date column name or label (``requires_context`` in the
catalog).

:func:`birth_dates` gives the dates of a batch (``datetime64[D]``, NaT where there is none) for
the minors rule of PIPL art. 28 (holders under 14).

>>> validate('1990年3月7日')
'1990年3月7日'
>>> is_valid('1990-02-30'), is_valid('2999-01-01')
(False, False)
"""

from __future__ import annotations

import datetime

import numpy as np
import pyarrow as pa
import pyarrow.compute as pc

from ._arrays import as_chars, rows_all
from ._dates import dates_from_numbers, plausible_birth_dates
from ._text import normalise
from .exceptions import InvalidComponent, InvalidFormat, ValidationError

__all__ = ["batch", "birth_dates", "compact", "is_valid", "validate"]

# UTF-8 of 年, 月, 日: read as separators (three ASCII bytes each, so rows keep their width).
_UNITS = (bytes("年", "utf-8"), bytes("月", "utf-8"), bytes("日", "utf-8"))
_PATTERN = (
    r"^\s*(?P<y>(?:19|20)[0-9]{2})[-/. ]{0,3}(?P<m>0?[1-9]|1[0-2])"
    r"(?:[-/. ]{0,3}(?P<d>0?[1-9]|[12][0-9]|3[01]))?\s*"
    r"(?:[T ]?\s*[0-9]{1,2}:[0-9]{2}(?::[0-9]{2}(?:\.[0-9]+)?)?)?\s*$"
)
MAX_LENGTH = 40


def compact(value: str) -> str:
    """Fold full-width forms and strip surrounding whitespace."""
    return normalise(value).strip()


def _ascii_rows(chars: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
    """Rows with 年/月/日 turned into spaces; also which rows are then pure ASCII."""
    rows = chars.copy()
    n, width = rows.shape
    if width >= 3 and n:
        for unit in _UNITS:
            a, b, c = unit
            hit = (rows[:, :-2] == a) & (rows[:, 1:-1] == b) & (rows[:, 2:] == c)
            r, col = np.nonzero(hit)
            for k in range(3):
                rows[r, col + k] = 0x20
    ascii_ok = rows_all((rows < 0x80) & (rows >= 0x20))
    return rows, ascii_ok


def birth_dates(chars: np.ndarray) -> np.ndarray:
    """The date of every row of an ``(n, L)`` uint8 batch, NaT where a row holds none."""
    chars = as_chars(chars)
    n, width = chars.shape
    out = np.full(n, "NaT", dtype="M8[D]")
    if n == 0 or width == 0 or width > MAX_LENGTH:
        return out
    rows, ascii_ok = _ascii_rows(chars)
    idx = np.flatnonzero(ascii_ok)
    if len(idx) == 0:
        return out
    offsets = np.arange(0, (len(idx) + 1) * width, width, dtype=np.int32)
    strings = pa.StringArray.from_buffers(
        len(idx), pa.py_buffer(offsets.tobytes()), pa.py_buffer(rows[idx].tobytes())
    )
    parts = pc.extract_regex(strings, _PATTERN)
    found = parts.is_valid().to_numpy(zero_copy_only=False)
    if not found.any():
        return out
    parts = parts.filter(pa.array(found))
    year = pc.cast(pc.struct_field(parts, "y"), pa.int64()).to_numpy()
    month = pc.cast(pc.struct_field(parts, "m"), pa.int64()).to_numpy()
    day_text = pc.struct_field(parts, "d")
    day_text = pc.if_else(pc.equal(day_text, ""), "1", day_text)
    day = pc.cast(day_text, pa.int64()).to_numpy()
    dates = dates_from_numbers(year, month * 100 + day)
    dates = np.where(plausible_birth_dates(dates, None), dates, np.datetime64("NaT"))
    out[idx[found]] = dates.astype("M8[D]")
    return out


def batch(chars: np.ndarray) -> np.ndarray:
    """Whether each row of an ``(n, L)`` uint8 batch is a plausible birth date."""
    return ~np.isnat(birth_dates(chars))


def validate(value: str) -> str:
    """Return the compact date or raise a :class:`ValidationError` subclass."""
    text = compact(value)
    try:
        raw = text.encode("utf-8")
    except UnicodeEncodeError:
        raise InvalidFormat("not a date") from None
    if not raw or len(raw) > MAX_LENGTH:
        raise InvalidFormat("not a date")
    date = birth_dates(np.frombuffer(raw, dtype=np.uint8).reshape(1, len(raw)))[0]
    if np.isnat(date):
        raise InvalidComponent("not a real day between 1900-01-01 and today")
    return text


def is_valid(value: object) -> bool:
    """Whether ``value`` is a plausible birth date (never raises)."""
    try:
        return bool(validate(value))  # type: ignore[arg-type]
    except ValidationError:
        return False


def get_birth_date(value: str) -> datetime.date:
    """The date as :class:`datetime.date`."""
    text = validate(value)
    raw = text.encode("utf-8")
    date = birth_dates(np.frombuffer(raw, dtype=np.uint8).reshape(1, len(raw)))[0]
    return date.astype(datetime.date)
