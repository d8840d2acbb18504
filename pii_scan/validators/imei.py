"""IMEI (International Mobile Equipment Identity), 3GPP TS 23.003.

15 digits: an 8-digit Type Allocation Code (TAC), a 6-digit serial number
and a Luhn check digit. A TAC of all zeros is rejected (placeholder value).

Difference from ``stdnum.imei``: stdnum also accepts 14 digits (IMEI
without check digit) and 16 digits (IMEISV, no check digit) and does not
look at the TAC; only the 15-digit form with a non-zero TAC is valid here.

>>> validate('35-693110-000000-5')
'356931100000005'
>>> is_valid('356931100000006')
False
"""

from __future__ import annotations

import numpy as np

from ._arrays import Format, Rule, leading_int
from ._text import clean
from .checksums import digit_values, luhn_calc_check_digit, luhn_is_valid
from .exceptions import (
    InvalidChecksum,
    InvalidComponent,
    InvalidFormat,
)

__all__ = ["batch", "calc_check_digit", "compact", "is_valid", "validate"]

LENGTH = 15


def compact(value: str) -> str:
    """Strip spaces and dashes and fold full-width digits."""
    return clean(value, " -")


def calc_check_digit(number: str) -> str:
    """The Luhn check digit for the first 14 digits of ``number``."""
    return luhn_calc_check_digit(compact(number)[:14])


def _rules(chars: np.ndarray) -> list[Rule]:
    values, digits_ok = digit_values(chars)
    return [
        (digits_ok, InvalidFormat, "expected digits"),
        (luhn_is_valid(chars), InvalidChecksum, "the Luhn checksum does not match"),
        (leading_int(values, 8) != 0, InvalidComponent, "the TAC is all zeros"),
    ]


_FORMAT = Format(compact, (LENGTH,), _rules, "expected 15 digits")


def batch(chars: np.ndarray) -> np.ndarray:
    """Vectorized :func:`is_valid` over a ``(n, 15)`` uint8 batch."""
    return _FORMAT.batch(chars)


def validate(value: str) -> str:
    """Return the compact number or raise a :class:`ValidationError` subclass."""
    return _FORMAT.validate(value)


def is_valid(value: object) -> bool:
    """Whether ``value`` is a valid 15-digit IMEI."""
    return _FORMAT.is_valid(value)
