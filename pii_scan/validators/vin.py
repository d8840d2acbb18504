"""Vehicle identification number (VIN, 车架号), ISO 3779 / GB 16735.

17 characters from ``0-9`` and ``A-Z`` without ``I``, ``O`` and ``Q``:
a 3-character world manufacturer identifier (``L`` for vehicles built in
China), a vehicle descriptor section and a vehicle indicator section.
Position 9 is a check character: letters are transliterated
(A1 B2 C3 D4 E5 F6 G7 H8 J1 K2 L3 M4 N5 P7 R9 S2 T3 U4 V5 W6 X7 Y8 Z9),
multiplied by the weights ``8 7 6 5 4 3 2 10 0 9 8 7 6 5 4 3 2``, and the
sum modulo 11 is the check (10 is written ``X``).

>>> validate('lsvab2188e2100001')
'LSVAB2188E2100001'
>>> is_valid('LSVAB2189E2100001')
False
"""

from __future__ import annotations

import numpy as np

from ._arrays import Format, Rule
from ._text import clean, to_chars
from .checksums import lookup
from .exceptions import InvalidChecksum, InvalidFormat, InvalidLength

__all__ = ["batch", "calc_check_digit", "compact", "is_valid", "validate"]

LENGTH = 17
WEIGHTS = np.array([8, 7, 6, 5, 4, 3, 2, 10, 0, 9, 8, 7, 6, 5, 4, 3, 2], dtype=np.int64)
_TRANSLITERATION = {
    **{str(d): d for d in range(10)},
    **dict(zip("ABCDEFGH", range(1, 9), strict=True)),
    **dict(zip("JKLMN", range(1, 6), strict=True)),
    "P": 7,
    "R": 9,
    **dict(zip("STUVWXYZ", range(2, 10), strict=True)),
}
_VALUES = np.full(256, -1, dtype=np.int64)
for _char, _value in _TRANSLITERATION.items():
    _VALUES[ord(_char)] = _VALUES[ord(_char.lower())] = _value
_CHECK_VALUES = np.full(256, -1, dtype=np.int64)
for _char, _value in {**{str(d): d for d in range(10)}, "X": 10, "x": 10}.items():
    _CHECK_VALUES[ord(_char)] = _value
del _char, _value


def compact(value: str) -> str:
    """Strip spaces and dashes, fold full-width characters, upper-case."""
    return clean(value, " -")


def _check_values(values: np.ndarray) -> np.ndarray:
    return (values[:, :LENGTH] @ WEIGHTS[: values.shape[1]]) % 11


def calc_check_digit(number: str) -> str:
    """The check character (``0-9`` or ``X``) for a 17-character VIN.

    The character at position 9 is ignored (its weight is 0).
    """
    number = compact(number)
    if len(number) != LENGTH:
        raise InvalidLength("expected 17 characters")
    values, ok = lookup(to_chars(number), _VALUES)
    if not ok[0]:
        raise InvalidFormat("expected 0-9 and A-Z without I, O, Q")
    return "0123456789X"[int(_check_values(values)[0])]


def _rules(chars: np.ndarray) -> list[Rule]:
    values, chars_ok = lookup(chars, _VALUES)
    check, _ = lookup(chars[:, 8:9], _CHECK_VALUES)
    return [
        (chars_ok, InvalidFormat, "expected 0-9 and A-Z without I, O, Q"),
        (_check_values(values) == check[:, 0], InvalidChecksum, "the check character at 9"),
    ]


_FORMAT = Format(compact, (LENGTH,), _rules, "expected 17 characters")


def batch(chars: np.ndarray) -> np.ndarray:
    """Vectorized :func:`is_valid` over a ``(n, 17)`` uint8 batch."""
    return _FORMAT.batch(chars)


def validate(value: str) -> str:
    """Return the compact VIN or raise a :class:`ValidationError` subclass."""
    return _FORMAT.validate(value)


def is_valid(value: object) -> bool:
    """Whether ``value`` is a VIN with a correct check character."""
    return _FORMAT.is_valid(value)
