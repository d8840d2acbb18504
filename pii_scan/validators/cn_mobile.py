"""Mainland China mobile phone number (手机号码).

11 digits ``1PPX XXXX XXXX``, optionally preceded by the country code as
``86`` or ``0086`` (``+86`` compacts to ``86``), so the compact value has 11,
13 or 15 digits. The number must fall in a range assigned to mobile
services, as listed in libphonenumber 9.0.43 metadata for CN::

    1(?:610\\d|740[0-5])\\d{6}|1(?:[38]\\d|4[57]|[59][0-35-9]|6[25-7]|7[0-35-8])\\d{8}

which is :data:`ALLOWED_PREFIXES` below (130-139, 145, 147, 150-153,
155-159, 162, 165-167, 170-173, 175-178, 180-189, 190-193, 195-199, 1610
and 17400-17405). Unassigned segments such as 140-144, 154, 174 (outside
17400-17405) and 194 are rejected, as are 13-digit timestamps.

>>> validate('+86 138-0013-8000')
'8613800138000'
>>> is_valid('19412345678')
False
"""

from __future__ import annotations

import numpy as np

from ._arrays import Format, PrefixTable, Rule, leading_int
from ._text import clean
from .checksums import digit_values
from .exceptions import InvalidComponent, InvalidFormat

__all__ = ["ALLOWED_PREFIXES", "batch", "compact", "is_valid", "national_number", "validate"]

#: Compact length -> country-code prefix in front of the 11-digit number.
COUNTRY_PREFIXES = {11: "", 13: "86", 15: "0086"}

#: Inclusive ranges of leading digits of the 11-digit national number.
ALLOWED_PREFIXES: tuple[tuple[str, str], ...] = (
    ("130", "139"),
    ("145", "145"),
    ("147", "147"),
    ("150", "153"),
    ("155", "159"),
    ("162", "162"),
    ("165", "167"),
    ("1610", "1610"),
    ("170", "173"),
    ("175", "178"),
    ("17400", "17405"),
    ("180", "189"),
    ("190", "193"),
    ("195", "199"),
)
_ALLOWED = PrefixTable(ALLOWED_PREFIXES)


def compact(value: str) -> str:
    """Strip spaces, dashes, ``+`` and parentheses and fold full-width digits."""
    return clean(value, " -+()")


def national_number(value: str) -> str:
    """The 11-digit number without its ``86``/``0086`` country code."""
    number = validate(value)
    return number[len(COUNTRY_PREFIXES[len(number)]) :]


def _rules(chars: np.ndarray) -> list[Rule]:
    prefix = COUNTRY_PREFIXES[chars.shape[1]]
    values, digits_ok = digit_values(chars)
    if prefix:
        country_ok = leading_int(values, len(prefix)) == int(prefix)
    else:
        country_ok = np.ones(chars.shape[0], dtype=bool)
    national = values[:, len(prefix) :]
    return [
        (digits_ok, InvalidFormat, "expected digits"),
        (country_ok, InvalidFormat, "expected the country code 86 or 0086 before 11 digits"),
        (_ALLOWED.match(national), InvalidComponent, "unassigned segment"),
    ]


_FORMAT = Format(
    compact, COUNTRY_PREFIXES, _rules, "expected 11 digits, optionally after 86 or 0086"
)


def batch(chars: np.ndarray) -> np.ndarray:
    """Vectorized :func:`is_valid` over a ``(n, L)`` uint8 batch, ``L`` in 11, 13, 15."""
    return _FORMAT.batch(chars)


def validate(value: str) -> str:
    """Return the compact number or raise a :class:`ValidationError` subclass."""
    return _FORMAT.validate(value)


def is_valid(value: object) -> bool:
    """Whether ``value`` is a mobile number in an assigned mainland range."""
    return _FORMAT.is_valid(value)
