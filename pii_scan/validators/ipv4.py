"""IPv4 address in dotted-decimal notation (RFC 791 / RFC 6943 strict form).

Four decimal octets 0-255 separated by dots, e.g. ``192.0.2.1``. Octets
have no leading zeros (``0`` itself is fine; ``01`` is rejected because
some parsers read it as octal). The scalar functions use
:class:`ipaddress.IPv4Address`; :func:`batch` is an equivalent vectorized
parser.

Whose address it can be is its *scope* (the IANA special-purpose registry):

- ``public``: globally reachable, an address a person can be traced by;
- ``internal``: private networks, carrier-grade NAT, link-local, benchmarking and
  documentation ranges: it names a machine inside one network, or none;
- ``none``: "this network" (0/8), loopback, multicast, reserved and broadcast: never
  a person's.

``is_valid`` and ``batch`` take ``scope=`` to accept only one of them; the catalog
scores public and internal addresses apart (entries ``ipv4`` and ``ipv4_internal``).

>>> validate(' 192.0.2.1 ')
'192.0.2.1'
>>> is_valid('192.168.1.256')
False
>>> [scope_of(v) for v in ('114.114.114.114', '192.168.1.20', '127.0.0.1', '1.2.3')]
['public', 'internal', 'none', None]
>>> is_valid('10.0.0.1', scope='public'), is_valid('10.0.0.1', scope='internal')
(False, True)
"""

from __future__ import annotations

import ipaddress
from typing import Literal

import numpy as np

from ._arrays import as_chars, none
from ._text import clean
from .checksums import digit_values
from .exceptions import InvalidComponent, InvalidFormat, InvalidLength, ValidationError

__all__ = ["batch", "compact", "is_valid", "scope_of", "validate"]

MIN_LENGTH, MAX_LENGTH = 7, 15
_DOT = ord(".")

Scope = Literal["public", "internal", "none"]


def _net(cidr: str) -> tuple[int, int]:
    network = ipaddress.IPv4Network(cidr)
    return int(network.network_address), int(network.netmask)


#: Never a person's address.
_NONE = [_net(c) for c in ("0.0.0.0/8", "127.0.0.0/8", "224.0.0.0/4", "240.0.0.0/4")]
#: Not globally reachable: a machine inside one network, or an example.
_INTERNAL = [
    _net(c)
    for c in (
        "10.0.0.0/8",  # private (RFC 1918)
        "100.64.0.0/10",  # shared address space, carrier-grade NAT (RFC 6598)
        "169.254.0.0/16",  # link-local
        "172.16.0.0/12",  # private
        "192.0.0.0/24",  # IETF protocol assignments
        "192.0.2.0/24",  # documentation (TEST-NET-1)
        "192.168.0.0/16",  # private
        "198.18.0.0/15",  # benchmarking
        "198.51.100.0/24",  # documentation (TEST-NET-2)
        "203.0.113.0/24",  # documentation (TEST-NET-3)
    )
]


def _scopes(addresses: np.ndarray) -> np.ndarray:
    """Scope codes of 32-bit addresses: 0 public, 1 internal, 2 none."""
    codes = np.zeros(len(addresses), np.int8)
    for ranges, code in ((_INTERNAL, 1), (_NONE, 2)):
        for network, mask in ranges:
            codes[(addresses & np.uint32(mask)) == np.uint32(network)] = code
    return codes


_SCOPE_CODE = {"public": 0, "internal": 1, "none": 2}


def compact(value: str) -> str:
    """Fold full-width forms and strip surrounding whitespace."""
    return clean(value, "")


def validate(value: str, scope: Scope | None = None) -> str:
    """Return the compact address or raise a :class:`ValidationError` subclass (an
    :class:`InvalidComponent` for an address outside ``scope``, if given)."""
    address = compact(value)
    if not MIN_LENGTH <= len(address) <= MAX_LENGTH:
        raise InvalidLength("expected 7 to 15 characters")
    try:
        ipaddress.IPv4Address(address)
    except ValueError as error:
        raise InvalidFormat(str(error)) from None
    if scope is not None and scope_of(address) != scope:
        raise InvalidComponent(f"not a {scope} address")
    return address


def scope_of(value: object) -> Scope | None:
    """``public``, ``internal`` or ``none`` (see above); None if ``value`` is no address."""
    try:
        address = int(ipaddress.IPv4Address(validate(value)))  # type: ignore[arg-type]
    except ValidationError:
        return None
    code = int(_scopes(np.array([address], np.uint32))[0])
    return ("public", "internal", "none")[code]


def is_valid(value: object, scope: Scope | None = None) -> bool:
    """Whether ``value`` is a dotted-quad IPv4 address (of that ``scope``, if given)."""
    try:
        return bool(validate(value, scope))  # type: ignore[arg-type]
    except ValidationError:
        return False


def batch(chars: np.ndarray, scope: Scope | None = None) -> np.ndarray:
    """Vectorized :func:`is_valid` over a ``(n, L)`` uint8 batch, ``7 <= L <= 15``.

    Walks the L columns once, keeping per row the value and digit count of
    the current octet, the number of dots seen and the address so far.
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
    address = np.zeros(n, dtype=np.uint32)
    for col in range(width):
        digit = values[:, col]
        is_digit = digit >= 0
        is_dot = chars[:, col] == _DOT
        ok &= is_digit | is_dot
        # a digit after a lone leading "0" makes a leading zero
        ok &= ~(is_digit & leading_zero)
        octet_before = octet.astype(np.uint32)
        octet = np.where(is_digit, octet * 10 + digit, 0)
        leading_zero = is_digit & (length == 0) & (digit == 0)
        ok &= ~(is_dot & (length == 0))  # empty octet
        if scope is not None:  # the octet a dot ends joins the address
            address = np.where(is_dot, (address << np.uint32(8)) | octet_before, address)
        length = np.where(is_digit, length + 1, 0)
        ok &= (length <= 3) & (octet <= 255)
        dots += is_dot
    ok &= (dots == 3) & (length > 0)
    if scope is not None:
        address = (address << np.uint32(8)) | octet.astype(np.uint32)
        ok &= _scopes(address) == _SCOPE_CODE[scope]
    return ok
