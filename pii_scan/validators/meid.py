"""MEID, the Mobile Equipment Identifier of CDMA handsets (3GPP2 S.R0048).

14 hexadecimal digits, optionally followed by a check character: Luhn in base 16 (every second
digit from the right of the payload doubled, the hex digits of each product added). All-decimal
MEIDs of 14 digits are left out: they are indistinguishable from other 14-digit numbers. The
18-digit decimal form is not accepted.

>>> validate('a0000012345678d')
'A0000012345678D'
>>> calc_check_digit('A0000012345678')
'D'
>>> is_valid('A0000012345678C'), is_valid('12345678901234')
(False, False)
"""

from __future__ import annotations

import numpy as np

from ._arrays import Rule, all_pass, as_chars, raise_first
from ._text import clean, to_chars
from .checksums import lookup, value_table
from .exceptions import InvalidChecksum, InvalidFormat, InvalidLength, ValidationError

__all__ = ["batch", "calc_check_digit", "compact", "is_valid", "validate"]

_HEX = value_table("0123456789ABCDEF")


def compact(value: str) -> str:
    """Strip spaces and dashes, fold full-width forms, upper-case."""
    return clean(value, " -")


def _luhn16_sum(values: np.ndarray) -> np.ndarray:
    """Base-16 Luhn sum mod 16 of ``(n, L)`` hex digit values, the last column undoubled."""
    doubled = np.zeros(values.shape[1], dtype=bool)
    doubled[-2::-2] = True
    twice = values * 2
    summed = np.where(doubled, twice // 16 + twice % 16, values)
    return summed.sum(axis=1) % 16


def calc_check_digit(payload: str) -> str:
    """The hex digit to append to a 14-digit ``payload``."""
    values, ok = lookup(to_chars(compact(payload)), _HEX)
    if not ok[0] or values.shape[1] != 14:
        raise InvalidFormat("the payload must be 14 hex digits")
    padded = np.concatenate((values, np.zeros((1, 1), np.int64)), axis=1)
    return "0123456789ABCDEF"[(16 - int(_luhn16_sum(padded)[0])) % 16]


def _rules(chars: np.ndarray) -> list[Rule]:
    chars = as_chars(chars)
    n, width = chars.shape
    values, hex_ok = lookup(chars, _HEX)
    length_ok = np.full(n, width in (14, 15))
    letter = (values[:, :14] >= 10).any(axis=1) if width >= 14 else np.zeros(n, dtype=bool)
    check_ok = np.ones(n, dtype=bool)
    if width == 15:
        check_ok = _luhn16_sum(np.where(values >= 0, values, 0)) == 0
    return [
        (length_ok, InvalidLength, "expected 14 hex digits and an optional check digit"),
        (hex_ok, InvalidFormat, "expected hexadecimal digits"),
        (letter, InvalidFormat, "an all-decimal MEID is not told from other numbers"),
        (check_ok, InvalidChecksum, "the check digit does not match"),
    ]


def validate(value: str) -> str:
    """Return the compact MEID or raise a :class:`ValidationError` subclass."""
    number = compact(value)
    raise_first(_rules(to_chars(number)))
    return number


def is_valid(value: object) -> bool:
    """Whether ``value`` is a valid MEID."""
    try:
        return bool(validate(value))  # type: ignore[arg-type]
    except ValidationError:
        return False


def batch(chars: np.ndarray) -> np.ndarray:
    """:func:`is_valid` for every row of an ``(n, L)`` uint8 batch."""
    chars = as_chars(chars)
    return all_pass(chars, _rules(chars))
