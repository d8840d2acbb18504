"""Hong Kong Identity Card number (香港身份證號碼, HKID).

One or two letters, six digits and a check character ``0-9`` or ``A``,
usually written ``A123456(3)``; the compact form drops the parentheses
(``A1234563``, 8 or 9 characters).

Check: letters are worth A=10 ... Z=35, digits their face value; a
single-letter number is padded on the left with a space worth 36, giving
eight positions weighted ``9 8 7 6 5 4 3 2``. The check value is
``(11 - sum mod 11) mod 11`` with 10 written ``A``; equivalently the
weighted sum including the check character (weight 1) is a multiple of 11.

>>> validate('A123456(3)')
'A1234563'
>>> is_valid('A123456(4)')
False
>>> calc_check_digit('Z683365')
'A'
"""

from __future__ import annotations

import numpy as np

from ._arrays import Format, Rule, Shape, match_any
from ._text import clean, to_chars
from .checksums import lookup, value_table
from .exceptions import InvalidChecksum, InvalidFormat

__all__ = ["batch", "calc_check_digit", "compact", "is_valid", "validate"]

LENGTHS = (8, 9)
_SHAPES = (
    Shape("A-Z", ("0-9", 6), "0-9A"),
    Shape(("A-Z", 2), ("0-9", 6), "0-9A"),
)
_BODY_SHAPES = (Shape("A-Z", ("0-9", 6)), Shape(("A-Z", 2), ("0-9", 6)))
# digits are worth their value, letters A=10 ... Z=35; the check 'A' is 10
_VALUES = value_table("0123456789ABCDEFGHIJKLMNOPQRSTUVWXYZ")
_PAD_VALUE = 36  # the space standing in for a missing first letter


def compact(value: str) -> str:
    """Strip spaces, dashes and parentheses, fold full-width forms, upper-case."""
    return clean(value, " -()")


def _weighted_sums(values: np.ndarray) -> np.ndarray:
    """Sum over the 8 leading positions (letters + digits), padding one letter."""
    width = values.shape[1]
    weights = np.arange(width + 1, 1, -1, dtype=np.int64)  # (9,) 8, 7, ..., 2
    total = values @ weights
    if width == 7:
        total = total + _PAD_VALUE * 9
    return total


def calc_check_digit(number: str) -> str:
    """The check character for the letters and six digits of ``number``.

    ``number`` may include its check character, which is then ignored.
    """
    body = compact(number)
    if len(body) in LENGTHS and _SHAPES[len(body) - 8].match(to_chars(body))[0]:
        body = body[:-1]  # a full number: drop its check character
    if len(body) not in (7, 8) or not _BODY_SHAPES[len(body) - 7].match(to_chars(body))[0]:
        raise InvalidFormat("expected 1 or 2 letters and 6 digits")
    values, _ = lookup(to_chars(body), _VALUES)
    return "0123456789A"[int(-_weighted_sums(values)[0] % 11)]


def _rules(chars: np.ndarray) -> list[Rule]:
    values, _ = lookup(chars, _VALUES)
    total = _weighted_sums(values[:, :-1]) + values[:, -1]
    return [
        (match_any(chars, _SHAPES), InvalidFormat, "expected 1-2 letters, 6 digits, 0-9/A"),
        (total % 11 == 0, InvalidChecksum, "the check character does not match"),
    ]


_FORMAT = Format(compact, LENGTHS, _rules, "expected 8 or 9 characters")


def batch(chars: np.ndarray) -> np.ndarray:
    """Vectorized :func:`is_valid` over a ``(n, 8)`` or ``(n, 9)`` uint8 batch."""
    return _FORMAT.batch(chars)


def validate(value: str) -> str:
    """Return the compact number or raise a :class:`ValidationError` subclass."""
    return _FORMAT.validate(value)


def is_valid(value: object) -> bool:
    """Whether ``value`` is a Hong Kong identity card number with a correct check."""
    return _FORMAT.is_valid(value)
