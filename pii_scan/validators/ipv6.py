"""IPv6 address in text form (RFC 4291 section 2.2, as read by :mod:`ipaddress`).

Eight groups of up to four hex digits separated by colons, with ``::``
standing for a run of zero groups and an optional trailing dotted IPv4
part, e.g. ``2001:db8::8a2e:370:7334`` or ``::ffff:192.0.2.1``. A zone
suffix (``%eth0``) is accepted as :mod:`ipaddress` does.

IPv6 candidates come from the regex path and are few, so :func:`batch`
decodes each row and calls the scalar check (a Python loop over rows).

>>> validate('2001:DB8::8A2E:370:7334')
'2001:db8::8a2e:370:7334'
>>> is_valid('2001:db8::8a2e::7334')
False
"""

from __future__ import annotations

import ipaddress

import numpy as np

from ._arrays import as_chars, rows_to_str
from ._text import normalise
from .exceptions import InvalidFormat, InvalidLength, ValidationError

__all__ = ["batch", "compact", "is_valid", "validate"]

MIN_LENGTH, MAX_LENGTH = 2, 64  # "::" ... full form with an IPv4 tail and a zone


def compact(value: str) -> str:
    """Fold full-width forms, strip surrounding whitespace, lower-case (RFC 5952)."""
    return normalise(value).strip().lower()


def validate(value: str) -> str:
    """Return the compact address or raise a :class:`ValidationError` subclass."""
    address = compact(value)
    if not MIN_LENGTH <= len(address) <= MAX_LENGTH:
        raise InvalidLength("expected 2 to 64 characters")
    try:
        ipaddress.IPv6Address(address)
    except ValueError as error:
        raise InvalidFormat(str(error)) from None
    return address


def is_valid(value: object) -> bool:
    """Whether ``value`` is an IPv6 address."""
    try:
        return bool(validate(value))  # type: ignore[arg-type]
    except ValidationError:
        return False


def batch(chars: np.ndarray) -> np.ndarray:
    """:func:`is_valid` for every row of a ``(n, L)`` uint8 batch (row loop, see above)."""
    chars = as_chars(chars)
    return np.array(
        [text is not None and is_valid(text) for text in rows_to_str(chars)], dtype=bool
    ).reshape(chars.shape[0])
