"""MAC address (IEEE 802 EUI-48), a personal device identifier.

Six octets as 12 hex digits, written ``02:00:5E:10:00:01``,
``02-00-5E-10-00-01``, ``0200.5E10.0001`` (Cisco) or ``02005E100001``;
separators must be used consistently. The compact form is the 12 upper-case
hex digits. The all-zero address and the broadcast address
``FF:FF:FF:FF:FF:FF`` are placeholders, not device identifiers, and are
rejected. The manufacturer (OUI) is not looked up.

>>> validate('02:00:5e:10:00:01')
'02005E100001'
>>> is_valid('02:00:5E-10:00:01')
False
"""

from __future__ import annotations

import numpy as np

from ._arrays import Rule, Shape, all_pass, as_chars, match_any, none, raise_first
from ._text import clean, to_chars
from .checksums import lookup, value_table
from .exceptions import InvalidComponent, InvalidFormat, InvalidLength, ValidationError

__all__ = ["batch", "compact", "is_valid", "validate"]

_HEX = "0-9A-F"
SHAPES = (
    Shape((_HEX, 12)),
    Shape(*(((_HEX, 2), ":") * 5), (_HEX, 2)),
    Shape(*(((_HEX, 2), "-") * 5), (_HEX, 2)),
    Shape((_HEX, 4), ".", (_HEX, 4), ".", (_HEX, 4)),
)
LENGTHS = (12, 14, 17)
_HEX_VALUES = value_table("0123456789ABCDEF")


def compact(value: str) -> str:
    """Fold full-width forms, drop separators, upper-case: 12 hex digits."""
    return clean(value, " :-.")


def _rules(chars: np.ndarray) -> list[Rule]:
    values, _ = lookup(chars, _HEX_VALUES)
    hex_values = np.where(values >= 0, values, 0)
    digit_count = (values >= 0).sum(axis=1)
    total = hex_values.sum(axis=1)
    placeholder = (total == 0) | (total == 15 * digit_count)
    return [
        (match_any(chars, SHAPES), InvalidFormat, "expected 6 hex octets, consistent separators"),
        (~placeholder, InvalidComponent, "all-zero and broadcast addresses are placeholders"),
    ]


def batch(chars: np.ndarray) -> np.ndarray:
    """Vectorized :func:`is_valid` over a ``(n, L)`` batch, L = 12 (compact), 14 or 17."""
    chars = as_chars(chars)
    if chars.shape[1] not in LENGTHS:
        return none(chars)
    return all_pass(chars, _rules(chars))


def _prepare(value: str) -> np.ndarray:
    text = clean(value, "")
    if len(text) not in LENGTHS:
        raise InvalidLength("expected 12 hex digits, optionally with separators")
    return to_chars(text)


def validate(value: str) -> str:
    """Return the compact address or raise a :class:`ValidationError` subclass."""
    raise_first(_rules(_prepare(value)))
    return compact(value)


def is_valid(value: object) -> bool:
    """Whether ``value`` is a MAC address written in one of the usual forms."""
    try:
        chars = _prepare(value)  # type: ignore[arg-type]
    except ValidationError:
        return False
    return bool(batch(chars)[0])
