"""IPv4 address in dotted-decimal notation (RFC 791 / RFC 6943 strict form).

Four decimal octets 0-255 separated by dots, e.g. ``192.0.2.1``. Octets
have no leading zeros (``0`` itself is fine; ``01`` is rejected because
some parsers read it as octal). The scalar functions use
:class:`ipaddress.IPv4Address`; :func:`batch` is an equivalent vectorized
parser. Private, loopback and documentation ranges are valid addresses
(down-weighting them is the scorer's job).

>>> validate(' 192.0.2.1 ')
'192.0.2.1'
>>> is_valid('192.168.1.256')
False
"""

from __future__ import annotations

import ipaddress

import numpy as np

from ._arrays import as_chars, none
from ._text import clean
from .checksums import digit_values
from .exceptions import InvalidFormat, InvalidLength, ValidationError

__all__ = ["batch", "compact", "is_valid", "validate"]

MIN_LENGTH, MAX_LENGTH = 7, 15
_DOT = ord(".")


def compact(value: str) -> str:
    """Fold full-width forms and strip surrounding whitespace."""
    return clean(value, "")


def validate(value: str) -> str:
    """Return the compact address or raise a :class:`ValidationError` subclass."""
    address = compact(value)
    if not MIN_LENGTH <= len(address) <= MAX_LENGTH:
        raise InvalidLength("expected 7 to 15 characters")
    try:
        ipaddress.IPv4Address(address)
    except ValueError as error:
        raise InvalidFormat(str(error)) from None
    return address


def is_valid(value: object) -> bool:
    """Whether ``value`` is a dotted-quad IPv4 address."""
    try:
        return bool(validate(value))  # type: ignore[arg-type]
    except ValidationError:
        return False


def batch(chars: np.ndarray) -> np.ndarray:
    """Vectorized :func:`is_valid` over a ``(n, L)`` uint8 batch, ``7 <= L <= 15``.

    Walks the L columns once, keeping per row the value and digit count of
    the current octet and the number of dots seen.
    """
    chars = as_chars(chars)
    n, width = chars.shape
    if not MIN_LENGTH <= width <= MAX_LENGTH:
        return none(chars)
    values, _ = digit_values(chars)
    ok = np.ones(n, dtype=bool)
    octet = np.zeros(n, dtype=np.int64)
    length = np.zeros(n, dtype=np.int64)
    leading_zero = np.zeros(n, dtype=bool)
    dots = np.zeros(n, dtype=np.int64)
    for col in range(width):
        digit = values[:, col]
        is_digit = digit >= 0
        is_dot = chars[:, col] == _DOT
        ok &= is_digit | is_dot
        # a digit after a lone leading "0" makes a leading zero
        ok &= ~(is_digit & leading_zero)
        octet = np.where(is_digit, octet * 10 + digit, 0)
        leading_zero = is_digit & (length == 0) & (digit == 0)
        ok &= ~(is_dot & (length == 0))  # empty octet
        length = np.where(is_digit, length + 1, 0)
        ok &= (length <= 3) & (octet <= 255)
        dots += is_dot
    return ok & (dots == 3) & (length > 0)
