"""Taiwan national identification number (中華民國國民身分證統一編號).

Ten characters: a letter for the area of first household registration, a
digit ``1`` (male) or ``2`` (female) - or ``8``/``9`` on the new-style
resident certificates issued to foreigners since 2021 - seven digits and a
check digit. The letter is worth a two-digit number ``d1 d2``::

    A10 B11 C12 D13 E14 F15 G16 H17 I34 J18 K19 L20 M21
    N22 O35 P23 Q24 R25 S26 T27 U28 V29 W32 X30 Y31 Z33

and ``d1*1 + d2*9 + (digits 2-9 weighted 8, 7, ..., 1) + check`` must be a
multiple of 10. Old resident certificates with a second letter are not
accepted.

>>> validate('a123456789')
'A123456789'
>>> is_valid('A123456788')
False
"""

from __future__ import annotations

import numpy as np

from ._arrays import Format, Rule, Shape
from ._text import clean, to_chars
from .checksums import digit_values
from .exceptions import InvalidChecksum, InvalidFormat

__all__ = ["LETTER_VALUES", "batch", "calc_check_digit", "compact", "is_valid", "validate"]

LENGTH = 10
#: Two-digit number that each area letter stands for.
LETTER_VALUES = {
    **dict(zip("ABCDEFGH", range(10, 18), strict=True)),
    "I": 34,
    **dict(zip("JKLMN", range(18, 23), strict=True)),
    "O": 35,
    **dict(zip("PQRSTUV", range(23, 30), strict=True)),
    "W": 32,
    "X": 30,
    "Y": 31,
    "Z": 33,
}
# contribution of the letter to the weighted sum: d1 * 1 + d2 * 9
_LETTER_SUM = np.zeros(256, dtype=np.int64)
for _letter, _value in LETTER_VALUES.items():
    _LETTER_SUM[ord(_letter)] = _LETTER_SUM[ord(_letter.lower())] = _value // 10 + _value % 10 * 9
del _letter, _value
_SHAPE = Shape("A-Z", "1289", ("0-9", 8))
_BODY_SHAPE = Shape("A-Z", "1289", ("0-9", 7))
_WEIGHTS = np.array([8, 7, 6, 5, 4, 3, 2, 1, 1], dtype=np.int64)


def compact(value: str) -> str:
    """Strip spaces and dashes, fold full-width forms, upper-case."""
    return clean(value, " -")


def _sums(chars: np.ndarray) -> np.ndarray:
    values, _ = digit_values(chars[:, 1:])
    return _LETTER_SUM[chars[:, 0]] + values @ _WEIGHTS[: values.shape[1]]


def calc_check_digit(number: str) -> str:
    """The check digit for the first nine characters of ``number``."""
    body = to_chars(compact(number)[:9])
    if not _BODY_SHAPE.match(body)[0]:
        raise InvalidFormat("expected a letter, 1/2/8/9 and 7 digits")
    return str(-_sums(body)[0] % 10)


def _rules(chars: np.ndarray) -> list[Rule]:
    return [
        (_SHAPE.match(chars), InvalidFormat, "expected a letter, 1/2/8/9 and 8 digits"),
        (_sums(chars) % 10 == 0, InvalidChecksum, "the check digit does not match"),
    ]


_FORMAT = Format(compact, (LENGTH,), _rules, "expected 10 characters")


def batch(chars: np.ndarray) -> np.ndarray:
    """Vectorized :func:`is_valid` over a ``(n, 10)`` uint8 batch."""
    return _FORMAT.batch(chars)


def validate(value: str) -> str:
    """Return the compact number or raise a :class:`ValidationError` subclass."""
    return _FORMAT.validate(value)


def is_valid(value: object) -> bool:
    """Whether ``value`` is a Taiwan ID number with a correct check digit."""
    return _FORMAT.is_valid(value)
