"""Permits for travel between the Mainland and Hong Kong/Macao (no checksum).

* 往来港澳通行证 (Exit-Entry Permit for travelling to and from Hong Kong and
  Macao, electronic card since 2014): ``C`` + 8 digits, and since the digit
  range ran out (2018) ``C`` + a letter other than I/O + 7 digits; 9 chars.
* 港澳居民来往内地通行证 (回乡证, Mainland Travel Permit for Hong Kong and
  Macao Residents): ``H`` (Hong Kong) or ``M`` (Macao) + an 8-digit lifetime
  number, optionally + a 2-digit renewal count; 9 or 11 characters.

Source: NIA notice on the new permit numbers; MPS numbering rules for
回乡证. Only the structure is checked.

>>> validate('CB1234567')
'CB1234567'
>>> is_valid('CI1234567')
False
"""

from __future__ import annotations

import numpy as np

from ._arrays import Format, Rule, Shape, match_any
from ._text import clean
from .exceptions import InvalidFormat

__all__ = ["batch", "compact", "is_valid", "validate"]

SHAPES = (
    Shape("C", "0-9A-HJ-NP-Z", ("0-9", 7)),  # 往来港澳通行证
    Shape("HM", ("0-9", 8)),  # 回乡证, lifetime number only
    Shape("HM", ("0-9", 10)),  # 回乡证 with the renewal count
)
LENGTHS = (9, 11)


def compact(value: str) -> str:
    """Strip spaces and dashes, fold full-width forms, upper-case."""
    return clean(value, " -")


def _rules(chars: np.ndarray) -> list[Rule]:
    return [(match_any(chars, SHAPES), InvalidFormat, "not a HK/Macao permit number shape")]


_FORMAT = Format(compact, LENGTHS, _rules, "expected 9 or 11 characters")


def batch(chars: np.ndarray) -> np.ndarray:
    """Vectorized :func:`is_valid` over a ``(n, 9)`` or ``(n, 11)`` uint8 batch."""
    return _FORMAT.batch(chars)


def validate(value: str) -> str:
    """Return the compact number or raise a :class:`ValidationError` subclass."""
    return _FORMAT.validate(value)


def is_valid(value: object) -> bool:
    """Whether ``value`` has the shape of a HK/Macao travel permit number."""
    return _FORMAT.is_valid(value)
