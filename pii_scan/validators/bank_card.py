"""Payment card number (银行卡号): ISO/IEC 7812 primary account number.

16 to 19 digits, a Luhn check digit, and an issuer prefix from this table:

=================  =========================================
prefix             issuer
=================  =========================================
62                 China UnionPay (银联)
4                  Visa
51-55, 2221-2720   Mastercard
3528-3589          JCB
60, 65             Discover (60/65 also used by UnionPay)
9                  legacy domestic cards (e.g. 9558, 9559)
=================  =========================================

American Express numbers (34/37) have 15 digits and are therefore outside
the 16-19 length range: they are not accepted. Bank *account* numbers
(账号/存折号) are not card numbers and often do not follow Luhn.

>>> validate('6217-0000-0000-0000-004')
'6217000000000000004'
>>> is_valid('6217000000000000005')
False
"""

from __future__ import annotations

import numpy as np

from ._arrays import Format, PrefixTable, Rule
from ._text import clean
from .checksums import digit_values, luhn_calc_check_digit, luhn_sum
from .exceptions import (
    InvalidChecksum,
    InvalidComponent,
    InvalidFormat,
)

__all__ = ["ISSUER_PREFIXES", "batch", "calc_check_digit", "compact", "is_valid", "validate"]

LENGTHS = range(16, 20)
#: Inclusive ranges of leading digits accepted as card issuers.
ISSUER_PREFIXES: tuple[tuple[str, str], ...] = (
    ("62", "62"),  # China UnionPay
    ("4", "4"),  # Visa
    ("51", "55"),  # Mastercard
    ("2221", "2720"),  # Mastercard 2-series
    ("3528", "3589"),  # JCB
    ("60", "60"),  # Discover
    ("65", "65"),  # Discover
    ("9", "9"),  # legacy domestic (9558, 9559, 95xx...)
)
_ISSUERS = PrefixTable(ISSUER_PREFIXES)


def compact(value: str) -> str:
    """Strip spaces and dashes and fold full-width digits."""
    return clean(value, " -")


def calc_check_digit(payload: str) -> str:
    """The Luhn check digit to append to ``payload``."""
    return luhn_calc_check_digit(compact(payload))


def _rules(chars: np.ndarray) -> list[Rule]:
    values, digits_ok = digit_values(chars)
    return [
        (digits_ok, InvalidFormat, "expected digits"),
        (digits_ok & (luhn_sum(values) == 0), InvalidChecksum, "the Luhn checksum does not match"),
        (_ISSUERS.match(values), InvalidComponent, "unknown issuer prefix"),
    ]


_FORMAT = Format(compact, LENGTHS, _rules, "expected 16 to 19 digits")


def batch(chars: np.ndarray) -> np.ndarray:
    """Vectorized :func:`is_valid` over a ``(n, L)`` uint8 batch, ``16 <= L <= 19``."""
    return _FORMAT.batch(chars)


def validate(value: str) -> str:
    """Return the compact number or raise a :class:`ValidationError` subclass."""
    return _FORMAT.validate(value)


def is_valid(value: object) -> bool:
    """Whether ``value`` is a plausible payment card number."""
    return _FORMAT.is_valid(value)
