"""Luhn (ISO/IEC 7812-1 "mod 10") check over a string of decimal digits.

Used on its own for numbers such as ICCIDs; :mod:`.bank_card` and
:mod:`.imei` add length and prefix rules on top. Starting from the check
digit (the rightmost digit), every second digit to its left is doubled, 9 is
subtracted from doubles above 9, and the sum must be a multiple of 10.
Valid numbers have 2 to 32 digits (payment cards have up to 19, ICCIDs up
to 22; longer digit runs are not identifiers). stdnum's ``luhn`` has no
length limits.

>>> validate('6217 0000 0000 0000 004')
'6217000000000000004'
>>> is_valid('6217000000000000005')
False
>>> calc_check_digit('621700000000000000')
'4'
"""

from __future__ import annotations

import numpy as np

from ._arrays import Rule, all_pass, as_chars, none, raise_first
from ._text import clean, to_chars
from .checksums import digit_values, luhn_calc_check_digit, luhn_is_valid
from .exceptions import InvalidChecksum, InvalidFormat, InvalidLength, ValidationError

__all__ = ["batch", "calc_check_digit", "compact", "is_valid", "validate"]

MIN_LENGTH, MAX_LENGTH = 2, 32


def compact(value: str) -> str:
    """Strip spaces and dashes and fold full-width digits."""
    return clean(value, " -")


def calc_check_digit(payload: str) -> str:
    """The digit to append to ``payload`` to make it pass the Luhn check."""
    return luhn_calc_check_digit(compact(payload))


def _rules(chars: np.ndarray) -> list[Rule]:
    return [
        (digit_values(chars)[1], InvalidFormat, "expected digits"),
        (luhn_is_valid(chars), InvalidChecksum, "the Luhn checksum does not match"),
    ]


def batch(chars: np.ndarray) -> np.ndarray:
    """Vectorized :func:`is_valid` over a ``(n, L)`` uint8 batch, ``2 <= L <= 32``."""
    chars = as_chars(chars)
    if not MIN_LENGTH <= chars.shape[1] <= MAX_LENGTH:
        return none(chars)
    return all_pass(chars, _rules(chars))


def _prepare(value: str) -> tuple[str, np.ndarray]:
    number = compact(value)
    if not MIN_LENGTH <= len(number) <= MAX_LENGTH:
        raise InvalidLength("expected 2 to 32 digits")
    return number, to_chars(number)


def validate(value: str) -> str:
    """Return the compact number or raise a :class:`ValidationError` subclass."""
    number, chars = _prepare(value)
    raise_first(_rules(chars))
    return number


def is_valid(value: object) -> bool:
    """Whether ``value`` is a string of digits passing the Luhn check."""
    try:
        _, chars = _prepare(value)  # type: ignore[arg-type]
    except ValidationError:
        return False
    return bool(batch(chars)[0])
