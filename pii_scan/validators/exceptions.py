"""Typed validation errors raised by every ``validate()`` in this package.

The hierarchy mirrors python-stdnum's so that callers can catch the broad
:class:`ValidationError` (a :class:`ValueError`) or one specific reason.
:class:`InvalidLength` is a kind of :class:`InvalidFormat`, as in stdnum.
"""

from __future__ import annotations

__all__ = [
    "InvalidChecksum",
    "InvalidComponent",
    "InvalidFormat",
    "InvalidLength",
    "ValidationError",
]


class ValidationError(ValueError):
    """The value is not a valid number of the requested kind."""

    message = "the value is not valid"

    def __init__(self, message: str | None = None) -> None:
        super().__init__(message or self.message)


class InvalidFormat(ValidationError):
    """The value has characters or a structure the format does not allow."""

    message = "the value has an invalid format"


class InvalidLength(InvalidFormat):
    """The value has the wrong number of characters."""

    message = "the value has an invalid length"


class InvalidChecksum(ValidationError):
    """The check character does not match the rest of the value."""

    message = "the value's checksum or check digit is invalid"


class InvalidComponent(ValidationError):
    """A part of the value (region code, date, prefix...) is not valid."""

    message = "one of the parts of the value is invalid"
