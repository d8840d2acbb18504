"""公民身份号码 (Chinese resident identity card number), GB 11643-1999.

The 18-character number is ``AAAAAA YYYYMMDD SSS C``:

* ``AAAAAA``: administrative division code (GB/T 2260) of the household
  registration when the number was issued. Only the province part (first two
  digits) is checked: 11-15, 21-23, 31-37, 41-46, 50-54, 61-65, 71, and
  81/82/83 (residence permits of Hong Kong, Macao and Taiwan residents, same
  form and checksum). County codes are not checked against a list, because
  numbers keep codes that were abolished after issuance.
* ``YYYYMMDD``: birth date, a real calendar date from 1900-01-01 to today.
* ``SSS``: sequence number, odd for men and even for women.
* ``C``: ISO 7064 MOD 11-2 check character, ``0-9`` or ``X`` (``x`` accepted).

The legacy 15-digit form (first-generation cards) is ``AAAAAA YYMMDD SSS``
with the year ``19YY`` and no check character; :func:`to_18` upgrades it.

Differences from ``stdnum.cn.ric``: 15-digit numbers and the 81/82/83
residence-permit numbers are valid here; county codes are not looked up;
birth dates must lie between 1900-01-01 and today.

>>> validate('11010519900307101x')
'11010519900307101X'
>>> validate('110105199003071230')
Traceback (most recent call last):
    ...
pii_scan.validators.exceptions.InvalidChecksum: the MOD 11-2 check character does not match
>>> get_birth_date('440306200002290025')
datetime.date(2000, 2, 29)
"""

from __future__ import annotations

import datetime

import numpy as np

from ._arrays import Rule, all_pass, as_chars, leading_int, none, raise_first, rows_all
from ._dates import plausible_birth_dates, yyyymmdd
from ._text import clean, to_chars
from .checksums import (
    digit_values,
    lookup,
    mod_11_2_calc_check_digit,
    mod_11_2_sum_ok,
    value_table,
)
from .exceptions import (
    InvalidChecksum,
    InvalidComponent,
    InvalidFormat,
    InvalidLength,
    ValidationError,
)

__all__ = [
    "PROVINCE_CODES",
    "batch",
    "birth_dates",
    "calc_check_digit",
    "compact",
    "get_birth_date",
    "is_valid",
    "province_ok",
    "to_18",
    "validate",
]


def _province_codes() -> frozenset[int]:
    """Codes of ``models/provinces.tsv`` (provenance in its header)."""
    from ..catalog import load_words

    return frozenset(int(line.split("\t", 1)[0]) for line in load_words("provinces.tsv"))


#: First two digits allowed in a resident ID number (``models/provinces.tsv``).
PROVINCE_CODES = _province_codes()
_PROVINCE_TABLE = np.zeros(100, dtype=bool)
_PROVINCE_TABLE[sorted(PROVINCE_CODES)] = True
_VALUES = value_table("0123456789X")  # X (or x) = 10
LENGTHS = (15, 18)
_BAD_CHECK = "the MOD 11-2 check character does not match"


def compact(value: str) -> str:
    """Strip spaces and dashes, fold full-width characters, upper-case ``x``."""
    return clean(value, " -")


def calc_check_digit(number: str) -> str:
    """The MOD 11-2 check character for the 17-digit body of ``number``.

    An 18-character number may be passed; its own check character is ignored.
    """
    return mod_11_2_calc_check_digit(compact(number)[:17])


def province_ok(values: np.ndarray) -> np.ndarray:
    """Rows whose first two digit values form an allowed province code."""
    return _PROVINCE_TABLE.take(leading_int(values, 2) % 100)


def _birth_dates(values: np.ndarray) -> np.ndarray:
    if values.shape[1] == 18:
        return yyyymmdd(values, 6)
    return yyyymmdd(values, 6, century=1900)


def birth_dates(chars: np.ndarray) -> np.ndarray:
    """Birth dates (``datetime64[D]``) encoded in a batch of 15- or 18-char numbers.

    NaT for rows whose date digits are not a real calendar date, rows with
    non-digit characters in the date, and batches of any other width. The
    1900-to-today range of :func:`batch` is not applied here.
    """
    chars = as_chars(chars)
    if chars.shape[1] not in LENGTHS:
        return np.full(chars.shape[0], np.datetime64("NaT"), dtype="datetime64[D]")
    values, _ = lookup(chars, _VALUES)
    date_width = 8 if chars.shape[1] == 18 else 6  # YYYYMMDD or YYMMDD
    date_digits = values[:, 6 : 6 + date_width]
    date_digits_ok = rows_all((date_digits >= 0) & (date_digits <= 9))
    return np.where(date_digits_ok, _birth_dates(values), np.datetime64("NaT"))


def _rules(chars: np.ndarray, today: datetime.date | None) -> list[Rule]:
    return _rules_and_dates(chars, today)[0]


def _rules_and_dates(
    chars: np.ndarray, today: datetime.date | None
) -> tuple[list[Rule], np.ndarray]:
    values, chars_ok = lookup(chars, _VALUES)  # digits, and X = 10
    rules: list[Rule] = []
    if chars.shape[1] == 18:
        format_ok = chars_ok & rows_all(values[:, :17] <= 9)
        rules.append((format_ok, InvalidFormat, "expected 17 digits and a 0-9/X"))
        rules.append((mod_11_2_sum_ok(values), InvalidChecksum, _BAD_CHECK))
    else:
        format_ok = chars_ok & rows_all(values <= 9)
        rules.append((format_ok, InvalidFormat, "expected 15 digits"))
    dates = _birth_dates(values)
    dates_ok = plausible_birth_dates(dates, today)
    rules.append((province_ok(values), InvalidComponent, "unknown province code"))
    rules.append((dates_ok, InvalidComponent, "the birth date is not a real date in 1900..today"))
    return rules, dates


def batch(chars: np.ndarray, *, today: datetime.date | None = None) -> np.ndarray:
    """Vectorized :func:`is_valid` over a ``(n, 15)`` or ``(n, 18)`` uint8 batch."""
    chars = as_chars(chars)
    if chars.shape[1] not in LENGTHS:
        return none(chars)
    return all_pass(chars, _rules(chars, today))


def batch_with_birth_dates(
    chars: np.ndarray, *, today: datetime.date | None = None
) -> tuple[np.ndarray, np.ndarray]:
    """:func:`batch` and the birth dates of the valid rows (NaT elsewhere), decoded once.

    >>> import numpy as np
    >>> ok, born = batch_with_birth_dates(np.frombuffer(b"11010519491231002X", np.uint8)[None])
    >>> ok.tolist(), str(born[0])
    ([True], '1949-12-31')
    """
    chars = as_chars(chars)
    if chars.shape[1] not in LENGTHS:
        return none(chars), np.full(chars.shape[0], np.datetime64("NaT"), dtype="datetime64[D]")
    rules, dates = _rules_and_dates(chars, today)
    valid = all_pass(chars, rules)
    return valid, np.where(valid, dates, np.datetime64("NaT"))


def _prepare(value: str) -> tuple[str, np.ndarray]:
    number = compact(value)
    if len(number) not in LENGTHS:
        raise InvalidLength("expected 18 characters (or 15 digits for the legacy form)")
    return number, to_chars(number)


def validate(value: str, *, today: datetime.date | None = None) -> str:
    """Return the compact number or raise a :class:`ValidationError` subclass.

    ``today`` (default: the current date) bounds the birth date.
    """
    number, chars = _prepare(value)
    raise_first(_rules(chars, today))
    return number


def is_valid(value: object, *, today: datetime.date | None = None) -> bool:
    """Whether ``value`` is a valid 18-character or legacy 15-digit number."""
    try:
        _, chars = _prepare(value)  # type: ignore[arg-type]
    except ValidationError:
        return False
    return bool(batch(chars, today=today)[0])


def get_birth_date(value: str) -> datetime.date:
    """The birth date encoded in the number (15 or 18 characters).

    Raises :class:`InvalidComponent` when the date digits are not a real date.
    """
    _, chars = _prepare(value)
    if not digit_values(chars[:, :15])[1][0]:
        raise InvalidFormat("expected digits")
    date = birth_dates(chars)[0]
    if np.isnat(date):
        raise InvalidComponent("the birth date is not a real date")
    return date.astype(datetime.date)


def to_18(value: str) -> str:
    """Upgrade a valid legacy 15-digit number to the 18-character form.

    Inserts ``19`` before the two-digit year and appends the check character.
    """
    number = compact(value)
    if len(number) != 15:
        raise InvalidLength("expected a 15-digit number")
    validate(number)
    body = number[:6] + "19" + number[6:]
    return body + mod_11_2_calc_check_digit(body)
