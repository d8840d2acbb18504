"""Permits for travel between the Mainland and Taiwan (no checksum).

* 台湾居民来往大陆通行证 (台胞证, Mainland Travel Permit for Taiwan
  Residents): since 2008-09-25 an 8-digit lifetime number; older booklets
  add a 2-digit issue count (10 digits) and an issuing-authority letter
  written in parentheses, e.g. ``0561682001(D)``, compact ``0561682001D``.
* 大陆居民往来台湾通行证 (Exit-Entry Permit for travelling to and from
  Taiwan), card version: ``L`` + 8 digits (not officially documented).

Only the structure is checked; all-digit shapes are extremely weak on their
own and need context words (台胞证 ...).

>>> validate('0561682001(D)')
'0561682001D'
>>> is_valid('1234567')
False
"""

from __future__ import annotations

import numpy as np

from ._arrays import Format, Rule, Shape, match_any
from ._text import clean
from .exceptions import InvalidFormat

__all__ = ["batch", "compact", "is_valid", "validate"]

SHAPES = (
    Shape(("0-9", 8)),  # lifetime number (2008+)
    Shape(("0-9", 10)),  # lifetime number + issue count
    Shape(("0-9", 10), "A-Z"),  # ... + issuing authority, parentheses removed
    Shape("L", ("0-9", 8)),  # 往来台湾通行证 card
)
LENGTHS = tuple(sorted({shape.length for shape in SHAPES}))


def compact(value: str) -> str:
    """Strip spaces, dashes and parentheses, fold full-width forms, upper-case."""
    return clean(value, " -()")


def _rules(chars: np.ndarray) -> list[Rule]:
    return [(match_any(chars, SHAPES), InvalidFormat, "not a Taiwan permit number shape")]


_FORMAT = Format(compact, LENGTHS, _rules, "expected 8, 9, 10 or 11 characters")


def batch(chars: np.ndarray) -> np.ndarray:
    """Vectorized :func:`is_valid` over a ``(n, L)`` uint8 batch, ``L`` in 8-11."""
    return _FORMAT.batch(chars)


def validate(value: str) -> str:
    """Return the compact number or raise a :class:`ValidationError` subclass."""
    return _FORMAT.validate(value)


def is_valid(value: object) -> bool:
    """Whether ``value`` has the shape of a Taiwan travel permit number."""
    return _FORMAT.is_valid(value)
