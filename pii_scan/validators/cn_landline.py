"""Mainland China fixed-line telephone number (固定电话), national format.

Numbering follows the national telephone numbering plan of the MIIT
(country code +86, trunk prefix 0, ITU-T E.164).

The compact value is the trunk prefix ``0``, an area code and a subscriber
number whose first digit is 2-9:

* ``010`` (Beijing) and ``02X`` with X in 0-5, 7-9 (Shanghai, Tianjin,
  Chongqing, ...), followed by an 8-digit subscriber number: 11 digits;
* ``0[3-9]XX`` (e.g. 0755 Shenzhen, 0571 Hangzhou), followed by a 7- or
  8-digit subscriber number: 11 or 12 digits.

``+86``/``0086`` in front of the area code are turned into the trunk ``0``
by :func:`compact`. Service numbers (400/800 + 7 digits), short numbers
(95xxx, 96xxx) and anything starting with 1 are not landlines. The area
code is checked by shape only, and every ``0[3-9]XX`` area accepts both
subscriber lengths; libphonenumber knows the assigned codes and each area's
length, so it rejects some numbers accepted here (e.g. ``0755-2345678``).

>>> validate('(010) 6234-5678')
'01062345678'
>>> is_valid('400-123-4567')
False
"""

from __future__ import annotations

import numpy as np

from ._arrays import Format, Rule
from ._text import clean
from .checksums import digit_values
from .exceptions import InvalidComponent, InvalidFormat, InvalidLength

__all__ = ["batch", "compact", "is_valid", "validate"]

LENGTHS = (10, 11, 12)


def compact(value: str) -> str:
    """Strip spaces, dashes and parentheses; turn ``+86``/``0086`` into ``0``."""
    number = clean(value, " -()")
    for country in ("+86", "0086"):
        if number.startswith(country):
            number = number[len(country) :]
            return number if number.startswith("0") else "0" + number
    return number


def _rules(chars: np.ndarray) -> list[Rule]:
    width = chars.shape[1]
    values, digits_ok = digit_values(chars)
    second, third = values[:, 1], values[:, 2]
    # 010 and 02X (X != 6): 3-digit area code and an 8-digit subscriber number (11 digits);
    # 0[3-9]XX: 4-digit area code and a 7- or 8-digit subscriber number (11 or 12 digits)
    short_area = second <= 2
    area_ok = np.where(second == 1, third == 0, np.where(second == 2, third != 6, second >= 3))
    if width == 11:
        length_ok = np.ones(chars.shape[0], dtype=bool)
    elif width == 12:
        length_ok = ~short_area
    else:
        length_ok = np.zeros(chars.shape[0], dtype=bool)
    subscriber_first = np.where(short_area, values[:, 3], values[:, 4])
    return [
        (digits_ok, InvalidFormat, "expected digits"),
        (values[:, 0] == 0, InvalidFormat, "expected the trunk prefix 0 and an area code"),
        (area_ok, InvalidComponent, "not an area code"),
        (length_ok, InvalidLength, "wrong subscriber number length for the area code"),
        (subscriber_first >= 2, InvalidComponent, "subscriber numbers start with 2-9"),
    ]


_FORMAT = Format(compact, LENGTHS, _rules, "expected 11 or 12 digits including the trunk prefix 0")


def batch(chars: np.ndarray) -> np.ndarray:
    """Vectorized :func:`is_valid` over a ``(n, L)`` uint8 batch, ``10 <= L <= 12``."""
    return _FORMAT.batch(chars)


def validate(value: str) -> str:
    """Return the compact number or raise a :class:`ValidationError` subclass."""
    return _FORMAT.validate(value)


def is_valid(value: object) -> bool:
    """Whether ``value`` has the shape of a mainland fixed-line number."""
    return _FORMAT.is_valid(value)
