"""统一社会信用代码 (Unified Social Credit Code, USCC), GB 32100-2015.

An organisation's code (not personal information, recognised so that it is
not mistaken for it). 18 characters from the 31-character alphabet
``0123456789ABCDEFGHJKLMNPQRTUWXY`` (no I, O, S, V, Z):

* position 1: registration authority, ``1-9`` or ``A``/``N``/``Y``
  (e.g. 1 机构编制, 5 民政, 9 工商, Y 其他);
* position 2: entity type within the authority (any alphabet character);
* positions 3-8: administrative division code (digits);
* positions 9-17: GB 11714 organisation code, 8 characters and its own check
  character (weights ``3 7 9 10 5 8 4 2``, ``11 - S mod 11``, 10 written ``X``);
* position 18: MOD 31 check character, weights ``3**(i-1) mod 31``.

Differences from ``stdnum.cn.uscc``: stdnum requires positions 1-8 to be
digits, so it rejects the authority letters ``A``, ``N`` and ``Y`` and a
letter in position 2, which are valid here; stdnum accepts ``0`` as the
authority, which is rejected here; stdnum does not check the organisation
code. That check keeps 18-digit order numbers from passing as codes: one in
31 random bodies has the right MOD 31 character, one in 341 both.

>>> validate('91110105ma01ab3cxm')
'91110105MA01AB3CXM'
>>> is_valid('91110105MA01AB3CXN')
False
>>> is_valid('202403180715214350')  # an order number with a valid MOD 31 character
False
"""

from __future__ import annotations

import numpy as np

from ._arrays import Format, Rule, Shape
from ._text import clean
from .checksums import mod_31_calc_check_char, mod_31_is_valid, org_code_is_valid
from .exceptions import InvalidChecksum, InvalidFormat

__all__ = ["batch", "calc_check_digit", "compact", "is_valid", "validate"]

LENGTH = 18
_ALPHABET_CLASS = "0-9A-HJ-NPQRTUWXY"
_SHAPE = Shape("1-9ANY", _ALPHABET_CLASS, ("0-9", 6), (_ALPHABET_CLASS, 10))


def compact(value: str) -> str:
    """Strip spaces and dashes, fold full-width characters, upper-case."""
    return clean(value, " -")


def calc_check_digit(number: str) -> str:
    """The MOD 31 check character for the first 17 characters of ``number``."""
    return mod_31_calc_check_char(compact(number)[:17])


def _rules(chars: np.ndarray) -> list[Rule]:
    return [
        (_SHAPE.match(chars), InvalidFormat, "expected [1-9ANY], 1 code char, 6 digits, 10 chars"),
        (mod_31_is_valid(chars), InvalidChecksum, "the MOD 31 check character does not match"),
        (
            org_code_is_valid(chars[:, 8:17]),
            InvalidChecksum,
            "the organisation code's check character (position 17) does not match",
        ),
    ]


_FORMAT = Format(compact, (LENGTH,), _rules, "expected 18 characters")


def batch(chars: np.ndarray) -> np.ndarray:
    """Vectorized :func:`is_valid` over a ``(n, 18)`` uint8 batch."""
    return _FORMAT.batch(chars)


def validate(value: str) -> str:
    """Return the compact code or raise a :class:`ValidationError` subclass."""
    return _FORMAT.validate(value)


def is_valid(value: object) -> bool:
    """Whether ``value`` is a valid unified social credit code."""
    return _FORMAT.is_valid(value)
