"""International Bank Account Number (IBAN), ISO 13616-1.

Two letters (the country), two check digits, and the national account number (BBAN) in
letters and digits: 15 to 34 characters in all. The check: move the first four characters to
the end, write every letter as two digits (A = 10 ... Z = 35), and the number must leave 1
when divided by 97 (ISO 7064 MOD 97-10).

Difference from ``stdnum.iban``: stdnum also checks each country's length and BBAN layout;
here only the shape and the check digits are. One random code of this shape in 97 passes, so
the recognizer wants a word such as IBAN or 账号 with it.

>>> validate('GB82 WEST 1234 5698 7654 32')
'GB82WEST12345698765432'
>>> is_valid('DE89370400440532013000'), is_valid('DE89370400440532013001')
(True, False)
>>> is_valid('de89370400440532013000')
True
"""

from __future__ import annotations

import numpy as np

from ._arrays import Format, Rule, char_class
from ._text import clean
from .exceptions import InvalidChecksum, InvalidFormat

__all__ = ["batch", "compact", "is_valid", "validate"]

LENGTHS = range(15, 35)
_LETTER = char_class("A-Z")
_DIGIT = char_class("0-9")


def compact(value: str) -> str:
    """Strip spaces and dashes, fold full-width characters, upper-case."""
    return clean(value, " -")


def _mod_97(chars: np.ndarray) -> np.ndarray:
    """The rearranged number of every row, modulo 97 (letters as two digits)."""
    moved = np.concatenate((chars[:, 4:], chars[:, :4]), axis=1)
    upper = moved & 0xDF  # ASCII upper case; digits are looked at before it matters
    digits = _DIGIT[moved]
    rem = np.zeros(len(chars), np.int64)
    for j in range(moved.shape[1]):
        value = np.where(digits[:, j], moved[:, j] - 48, upper[:, j] - 55).astype(np.int64)
        rem = np.where(digits[:, j], rem * 10 + value, rem * 100 + value) % 97
    return rem


def _rules(chars: np.ndarray) -> list[Rule]:
    shape = _LETTER[chars[:, :2]].all(axis=1) & _DIGIT[chars[:, 2:4]].all(axis=1)
    shape &= (_LETTER[chars[:, 4:]] | _DIGIT[chars[:, 4:]]).all(axis=1)
    return [
        (shape, InvalidFormat, "expected 2 letters, 2 check digits, then letters and digits"),
        (shape & (_mod_97(chars) == 1), InvalidChecksum, "the check digits do not match"),
    ]


_FORMAT = Format(compact, LENGTHS, _rules, "expected 15 to 34 characters")


def batch(chars: np.ndarray) -> np.ndarray:
    """Vectorized :func:`is_valid` over a ``(n, L)`` uint8 batch, ``15 <= L <= 34``."""
    return _FORMAT.batch(chars)


def validate(value: str) -> str:
    """Return the compact IBAN or raise a :class:`ValidationError` subclass."""
    return _FORMAT.validate(value)


def is_valid(value: object) -> bool:
    """Whether ``value`` is an IBAN (shape and check digits)."""
    return _FORMAT.is_valid(value)
