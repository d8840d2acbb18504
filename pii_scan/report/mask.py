"""Masking of matched values: reports never show raw personal data unless ``--reveal``.

Masking keeps just enough to recognise a value in a review (the region code of an ID, the
carrier prefix and last digits of a phone, the domain of an e-mail) and hides the rest.

>>> mask("110105199003071239")
'110105********1239'
>>> mask("13800138000"), mask("zhang.san@example.com"), mask("京A12345")
('138****8000', 'z***@example.com', '京A***45')
"""

from __future__ import annotations


def _keep(n: int) -> tuple[int, int]:
    if n >= 15:
        return 6, 4
    if n >= 11:
        return 3, 4
    if n >= 7:
        return 2, 2
    if n >= 3:
        return 1, 1
    return 0, 0


def mask(value: str | None) -> str | None:
    """Mask one matched value; ``None`` stays ``None``."""
    if value is None:
        return None
    if "@" in value:
        local, _, domain = value.rpartition("@")
        return (local[:1] + "***@" + domain) if local else "***@" + domain
    head, tail = _keep(len(value))
    hidden = len(value) - head - tail
    return (
        value[:head] + "*" * max(hidden, 1 if len(value) else 0) + (value[-tail:] if tail else "")
    )
