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

from ._arrays import PrefixTable, Rule, all_pass, as_chars, leading_int, none, raise_first
from ._text import clean, to_chars
from .checksums import digit_values
from .exceptions import InvalidComponent, InvalidFormat, InvalidLength, ValidationError

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


def batch(chars: np.ndarray) -> np.ndarray:
    """Vectorized :func:`is_valid` over a ``(n, L)`` uint8 batch, ``L`` in 11, 13, 15."""
    chars = as_chars(chars)
    if chars.shape[1] not in COUNTRY_PREFIXES:
        return none(chars)
    return all_pass(chars, _rules(chars))


def _prepare(value: str) -> tuple[str, np.ndarray]:
    number = compact(value)
    if len(number) not in COUNTRY_PREFIXES:
        raise InvalidLength("expected 11 digits, optionally after 86 or 0086")
    return number, to_chars(number)


def validate(value: str) -> str:
    """Return the compact number or raise a :class:`ValidationError` subclass."""
    number, chars = _prepare(value)
    raise_first(_rules(chars))
    return number


def is_valid(value: object) -> bool:
    """Whether ``value`` is a mobile number in an assigned mainland range."""
    try:
        _, chars = _prepare(value)  # type: ignore[arg-type]
    except ValidationError:
        return False
    return bool(batch(chars)[0])
