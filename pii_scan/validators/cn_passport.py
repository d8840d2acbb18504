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

from ._arrays import Rule, Shape, all_pass, as_chars, match_any, none, raise_first
from ._text import clean, to_chars
from .exceptions import InvalidFormat, InvalidLength, ValidationError

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


def batch(chars: np.ndarray) -> np.ndarray:
    """Vectorized :func:`is_valid` over a ``(n, L)`` uint8 batch, ``8 <= L <= 10``."""
    chars = as_chars(chars)
    if chars.shape[1] not in LENGTHS:
        return none(chars)
    return all_pass(chars, _rules(chars))


def _prepare(value: str) -> tuple[str, np.ndarray]:
    number = compact(value)
    if len(number) not in LENGTHS:
        raise InvalidLength("expected 8 to 10 characters")
    return number, to_chars(number)


def validate(value: str) -> str:
    """Return the compact number or raise a :class:`ValidationError` subclass."""
    number, chars = _prepare(value)
    raise_first(_rules(chars))
    return number


def is_valid(value: object) -> bool:
    """Whether ``value`` has the shape of a PRC passport number."""
    try:
        _, chars = _prepare(value)  # type: ignore[arg-type]
    except ValidationError:
        return False
    return bool(batch(chars)[0])
