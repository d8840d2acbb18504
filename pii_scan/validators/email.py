"""E-mail address (RFC 5321/5322 "dot-atom" subset).

``local@domain``: the local part is 1-64 characters of letters, digits and
``!#$%&'*+/=?^_`{|}~-`` separated by single dots (no leading, trailing or
consecutive dots; quoted local parts are not accepted). The domain is at
least two dot-separated labels of letters, digits and inner hyphens, each
1-63 characters, and a top-level domain of at least two letters (or an
IDNA ``xn--`` label). Internationalised domains such as ``中文.中国``
(letters, digits and combining marks only) are converted with the ``idna``
codec first. At most 254 characters.

E-mail candidates come from the regex path and are few, so :func:`batch`
decodes each row and calls the scalar check (a Python loop over rows).

>>> validate('Zhang.San@example.com')
'Zhang.San@example.com'
>>> is_valid('zhang..san@example.com')
False
"""

from __future__ import annotations

import string
import unicodedata

import numpy as np

from ._arrays import as_chars, rows_to_str
from ._text import normalise
from .exceptions import InvalidComponent, InvalidFormat, InvalidLength, ValidationError

__all__ = ["batch", "compact", "is_valid", "validate"]

MAX_LENGTH = 254
_ATEXT = frozenset(string.ascii_letters + string.digits + "!#$%&'*+/=?^_`{|}~-")
_LABEL = frozenset(string.ascii_letters + string.digits + "-")


def compact(value: str) -> str:
    """Fold full-width forms (e.g. ``＠``) and strip surrounding whitespace."""
    return normalise(value).strip()


def _check_local(local: str) -> None:
    if not 1 <= len(local) <= 64:
        raise InvalidLength("the local part must have 1 to 64 characters")
    for atom in local.split("."):
        if not atom:
            raise InvalidFormat("dots in the local part must separate non-empty atoms")
        if not _ATEXT.issuperset(atom):
            raise InvalidFormat("invalid character in the local part")


def _check_domain(domain: str) -> None:
    if not domain.isascii():
        if not all(c.isalnum() or c in "-." or unicodedata.category(c)[0] == "M" for c in domain):
            raise InvalidFormat("invalid character in the domain")
        try:
            domain = domain.encode("idna").decode("ascii")
        except UnicodeError:
            raise InvalidComponent("the domain is not a valid IDNA name") from None
    if len(domain) > 253:
        raise InvalidLength("the domain is too long")
    labels = domain.split(".")
    if len(labels) < 2:
        raise InvalidComponent("the domain needs a top-level domain")
    for label in labels:
        if not 1 <= len(label) <= 63:
            raise InvalidFormat("empty or too long domain label")
        if not _LABEL.issuperset(label) or label[0] == "-" or label[-1] == "-":
            raise InvalidFormat("invalid domain label")
    tld = labels[-1]
    if not ((len(tld) >= 2 and tld.isalpha()) or (tld.lower().startswith("xn--") and len(tld) > 4)):
        raise InvalidComponent("the top-level domain must be at least two letters")


def validate(value: str) -> str:
    """Return the compact address or raise a :class:`ValidationError` subclass."""
    address = compact(value)
    if not 3 <= len(address) <= MAX_LENGTH:
        raise InvalidLength("expected 3 to 254 characters")
    if address.count("@") != 1:
        raise InvalidFormat("expected exactly one @")
    local, domain = address.split("@")
    _check_local(local)
    _check_domain(domain)
    return address


def is_valid(value: object) -> bool:
    """Whether ``value`` is a syntactically valid e-mail address."""
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
