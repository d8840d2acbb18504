"""Scalar text helpers shared by the validators (private).

Every ``compact()`` in the package goes through :func:`clean`: it rejects
non-``str`` input with :class:`InvalidFormat`, folds full-width ASCII
(U+FF01-U+FF5E) to ASCII and the ideographic space U+3000 (plus a few other
Unicode spaces and dashes seen in scraped text) to their ASCII forms, drops
zero-width characters, removes the separators a format allows and
upper-cases the result.
"""

from __future__ import annotations

import functools

import numpy as np

from .exceptions import InvalidFormat

_FOLD: dict[int, int | None] = {cp: cp - 0xFEE0 for cp in range(0xFF01, 0xFF5F)}
_FOLD[0x3000] = 0x20  # ideographic space
for _cp in (0x00A0, 0x202F, 0x205F, *range(0x2000, 0x200B)):  # other spaces
    _FOLD[_cp] = 0x20
for _cp in (0x2010, 0x2011, 0x2012, 0x2013, 0x2014, 0x2015, 0x2212):  # dashes, minus
    _FOLD[_cp] = 0x2D
for _cp in (0x2022, 0x2027, 0x30FB, 0xFF65):  # bullets / katakana middle dots
    _FOLD[_cp] = 0xB7  # '·'
for _cp in (0x200B, 0x200C, 0x200D, 0x2060, 0xFEFF):  # zero-width characters
    _FOLD[_cp] = None
del _cp


def normalise(value: object) -> str:
    """Return ``value`` with full-width forms folded; reject non-strings."""
    if not isinstance(value, str):
        raise InvalidFormat(f"expected a str, got {type(value).__name__}")
    return value.translate(_FOLD)


@functools.cache
def _deletion_table(deletechars: str) -> dict[int, int | None]:
    """:data:`_FOLD` extended to delete ``deletechars`` and whatever folds to them."""
    deleted = {ord(c) for c in deletechars}
    table = {cp: None if target in deleted else target for cp, target in _FOLD.items()}
    return {**table, **dict.fromkeys(deleted)}


def clean(value: object, deletechars: str = " -") -> str:
    """Fold, delete ``deletechars``, strip surrounding whitespace, upper-case."""
    if not isinstance(value, str):
        raise InvalidFormat(f"expected a str, got {type(value).__name__}")
    return value.translate(_deletion_table(deletechars)).strip().upper()


def to_chars(value: str) -> np.ndarray:
    """Encode one ASCII string as a ``(1, L)`` uint8 array for a batch function."""
    try:
        raw = value.encode("ascii")
    except UnicodeEncodeError:
        raise InvalidFormat("the value contains non-ASCII characters") from None
    return np.frombuffer(raw, dtype=np.uint8).reshape(1, len(raw))
