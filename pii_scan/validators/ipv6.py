"""IPv6 address in text form (RFC 4291 section 2.2, as read by :mod:`ipaddress`).

Eight groups of up to four hex digits separated by colons, with ``::``
standing for a run of zero groups and an optional trailing dotted IPv4
part, e.g. ``2001:db8::8a2e:370:7334`` or ``::ffff:192.0.2.1``. A zone
suffix (``%eth0``) is accepted as :mod:`ipaddress` does.

IPv6 candidates come from the regex path and are few, so :func:`batch`
decodes each row and calls the scalar check (a Python loop over rows).

Its *scope* is as for IPv4 (:mod:`.ipv4`): ``public`` (globally reachable),
``internal`` (unique local ``fc00::/7``, link-local ``fe80::/10``, documentation
``2001:db8::/32`` and the other ranges :mod:`ipaddress` calls private) or ``none``
(``::``, ``::1``, multicast). An IPv4-mapped address (``::ffff:a.b.c.d``) has the
scope of its IPv4 address.

>>> validate('2001:DB8::8A2E:370:7334')
'2001:db8::8a2e:370:7334'
>>> is_valid('2001:db8::8a2e::7334')
False
>>> [scope_of(v) for v in ('240e:3b7::1', 'fe80::1', '::1', '::ffff:192.168.0.1', 'x')]
['public', 'internal', 'none', 'internal', None]
"""

from __future__ import annotations

import ipaddress

import numpy as np

from . import ipv4
from ._arrays import as_chars, rows_to_str
from ._text import normalise
from .exceptions import InvalidComponent, InvalidFormat, InvalidLength, ValidationError

__all__ = ["batch", "compact", "is_valid", "scope_of", "validate"]

MIN_LENGTH, MAX_LENGTH = 2, 64  # "::" ... full form with an IPv4 tail and a zone


def compact(value: str) -> str:
    """Fold full-width forms, strip surrounding whitespace, lower-case (RFC 5952)."""
    return normalise(value).strip().lower()


def validate(value: str, scope: ipv4.Scope | None = None) -> str:
    """Return the compact address or raise a :class:`ValidationError` subclass (an
    :class:`InvalidComponent` for an address outside ``scope``, if given)."""
    address = compact(value)
    if not MIN_LENGTH <= len(address) <= MAX_LENGTH:
        raise InvalidLength("expected 2 to 64 characters")
    try:
        ipaddress.IPv6Address(address)
    except ValueError as error:
        raise InvalidFormat(str(error)) from None
    if scope is not None and scope_of(address) != scope:
        raise InvalidComponent(f"not a {scope} address")
    return address


def scope_of(value: object) -> ipv4.Scope | None:
    """``public``, ``internal`` or ``none`` (see above); None if ``value`` is no address."""
    try:
        address = ipaddress.IPv6Address(validate(value))  # type: ignore[arg-type]
    except ValidationError:
        return None
    if address.ipv4_mapped is not None:
        return ipv4.scope_of(str(address.ipv4_mapped))
    if address.is_unspecified or address.is_loopback or address.is_multicast:
        return "none"
    return "public" if address.is_global else "internal"


def is_valid(value: object, scope: ipv4.Scope | None = None) -> bool:
    """Whether ``value`` is an IPv6 address (of that ``scope``, if given)."""
    try:
        return bool(validate(value, scope))  # type: ignore[arg-type]
    except ValidationError:
        return False


def batch(chars: np.ndarray, scope: ipv4.Scope | None = None) -> np.ndarray:
    """:func:`is_valid` for every row of a ``(n, L)`` uint8 batch (row loop, see above)."""
    chars = as_chars(chars)
    return np.array(
        [text is not None and is_valid(text, scope) for text in rows_to_str(chars)], dtype=bool
    ).reshape(chars.shape[0])
