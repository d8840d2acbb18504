"""Macao resident identity card number (澳門居民身份證, BIR).

Eight digits, written ``1/234567/8`` or ``1234567(8)``; the first digit is
1, 5 or 7. The last digit is a check digit whose algorithm is not publicly
documented, so only the structure is checked (context words are needed).

>>> validate('1234567(8)')
'12345678'
>>> is_valid('2234567(8)')
False
"""

from __future__ import annotations

import numpy as np

from ._arrays import Format, Rule, Shape
from ._text import clean
from .exceptions import InvalidFormat

__all__ = ["batch", "compact", "is_valid", "validate"]

LENGTH = 8
SHAPE = Shape("157", ("0-9", 7))


def compact(value: str) -> str:
    """Strip spaces, dashes, slashes and parentheses; fold full-width digits."""
    return clean(value, " -/()")


def _rules(chars: np.ndarray) -> list[Rule]:
    return [(SHAPE.match(chars), InvalidFormat, "expected 1, 5 or 7 and 7 more digits")]


_FORMAT = Format(compact, (LENGTH,), _rules, "expected 8 digits")


def batch(chars: np.ndarray) -> np.ndarray:
    """Vectorized :func:`is_valid` over a ``(n, 8)`` uint8 batch."""
    return _FORMAT.batch(chars)


def validate(value: str) -> str:
    """Return the compact number or raise a :class:`ValidationError` subclass."""
    return _FORMAT.validate(value)


def is_valid(value: object) -> bool:
    """Whether ``value`` has the shape of a Macao identity card number."""
    return _FORMAT.is_valid(value)
