"""People's Republic of China passport number (护照号码).

Nine or so characters, no public check digit (only the ICAO machine-readable
zone has one), so only the structure is checked:

* ``G`` + 8 digits: ordinary passport issued before 2012;
* ``E`` + 8 digits: ordinary e-passport (2012+);
* ``E`` + a letter other than I/O + 7 digits: e-passport after the
  all-digit range ran out;
* ``D``, ``S`` or ``P`` (diplomatic, service, public-affairs), optionally
  followed by ``E`` for the electronic version, + 7 or 8 digits.

Source: National Immigration Administration via Guangzhou PSB Q&A (ordinary
passports); the D/S/P forms are not officially documented. The shapes
collide with invoice and product numbers: use with context words.

>>> validate('ea1234567')
'EA1234567'
>>> is_valid('EO1234567')
False
"""

from __future__ import annotations

import numpy as np

from ._arrays import Format, Rule, Shape, match_any
from ._text import clean
from .exceptions import InvalidFormat

__all__ = ["batch", "compact", "is_valid", "validate"]

SHAPES = (
    Shape("E", ("0-9", 8)),
    Shape("E", "A-HJ-NP-Z", ("0-9", 7)),
    Shape("G", ("0-9", 8)),
    *(Shape("DSP", ("0-9", n)) for n in (7, 8)),
    *(Shape("DSP", "E", ("0-9", n)) for n in (7, 8)),
)
LENGTHS = tuple(sorted({shape.length for shape in SHAPES}))


def compact(value: str) -> str:
    """Strip spaces and dashes, fold full-width forms, upper-case."""
    return clean(value, " -")


def _rules(chars: np.ndarray) -> list[Rule]:
    return [(match_any(chars, SHAPES), InvalidFormat, "not a passport number shape")]


_FORMAT = Format(compact, LENGTHS, _rules, "expected 8 to 10 characters")


def batch(chars: np.ndarray) -> np.ndarray:
    """Vectorized :func:`is_valid` over a ``(n, L)`` uint8 batch, ``8 <= L <= 10``."""
    return _FORMAT.batch(chars)


def validate(value: str) -> str:
    """Return the compact number or raise a :class:`ValidationError` subclass."""
    return _FORMAT.validate(value)


def is_valid(value: object) -> bool:
    """Whether ``value`` has the shape of a PRC passport number."""
    return _FORMAT.is_valid(value)
