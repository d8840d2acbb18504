"""Which bytes every match of a pattern must hold, to skip a whole batch that has none.

A batch of a numbers column holds no ``@``, no ``.``, no letter and no Hanzi. E-mail addresses
need an ``@``, coordinates a ``.``, names a Hanzi surname: one look at the bytes the batch holds
(:meth:`~pii_scan.core.buffers.TextBuffer.bytes_present`) rules such recognizers out without
a pass over the cells.

From the pattern's parse tree (Python's parser reads the RE2 subset the catalog uses) come
*requirements*: sets of bytes of which every match holds at least one. A required character
gives its UTF-8 lead byte; a class gives the lead bytes of all its characters; an alternation
gives the union of one requirement per branch. Anything not followed (``.``, a negated class,
an optional part) requires nothing, so a batch is never skipped that a match could be in.

>>> [bytes(np.flatnonzero(t).astype(np.uint8)) for t in required_bytes(r"[a-z]+@[a-z]+\\.cn")]
[b'abcdefghijklmnopqrstuvwxyz', b'@', b'abcdefghijklmnopqrstuvwxyz', b'.', b'c', b'n']
>>> [hex(b) for b in np.flatnonzero(required_bytes("(?:男|女)性?")[0])]
['0xe5', '0xe7']
>>> required_bytes("x?|[^a]")
()
"""

from __future__ import annotations

import re
from functools import cache

import numpy as np

from .firstchar import BMP, C, Ranges, class_ranges, has_local_ignore_case, parse_tree

_UNKNOWN = ()  # no requirement known


@cache
def required_bytes(pattern: str, ignore_case: bool = False) -> tuple[np.ndarray, ...]:
    """Byte tables (256 booleans each): every match of ``pattern`` holds a byte of each."""
    try:
        tree = parse_tree(pattern)
        needs = _needs(list(tree))
    except (re.error, RecursionError):
        return _UNKNOWN
    folded = (
        ignore_case or bool(tree.state.flags & re.IGNORECASE) or has_local_ignore_case(list(tree))
    )
    return tuple(_byte_table(ranges, folded) for ranges in needs)


def batch_may_match(present: np.ndarray, needs: tuple[np.ndarray, ...]) -> bool:
    """Can a batch whose bytes are ``present`` hold a match with these requirements?"""
    return all((present & need).any() for need in needs)


def _needs(items: list) -> list[Ranges]:
    out: list[Ranges] = []
    for op, av in items:
        out += _item_needs(op, av)
    return out


def _item_needs(op, av) -> list[Ranges]:
    if op is C.LITERAL:
        return [{(av, av)}] if av < BMP else []
    if op is C.IN:
        try:
            return [class_ranges(av)]
        except ValueError:  # negated class, \w, \S, ...: some character, but not known which
            return []
    if op is C.SUBPATTERN:
        return _needs(list(av[-1]))
    if op in (C.MAX_REPEAT, C.MIN_REPEAT):
        low, _high, body = av
        return _needs(list(body)) if low >= 1 else []
    if op is C.BRANCH:
        union: Ranges = set()
        for branch in av[1]:
            needs = _needs(list(branch))
            if not needs:
                return []
            union |= min(needs, key=_commonness)
        return [union]
    return []  # ^ $ \b, ANY, NOT_LITERAL, look-arounds, back-references


def _commonness(ranges: Ranges) -> int:
    """How likely a batch holds one of these characters: digits and letters are everywhere,
    an ``@`` or a ``.`` is not, so a branch is best represented by its rarest need."""
    common = sum(max(0, min(hi, 0x7A) - max(lo, 0x30) + 1) for lo, hi in ranges)
    return sum(hi - lo + 1 for lo, hi in ranges) + 10 * common


def _lead_byte(cp: int) -> int:
    if cp < 0x80:
        return cp
    if cp < 0x800:
        return 0xC0 | (cp >> 6)
    return 0xE0 | (cp >> 12)


def _byte_table(ranges: Ranges, ignore_case: bool) -> np.ndarray:
    table = np.zeros(256, dtype=bool)
    for lo, hi in ranges:
        table[_lead_byte(lo) : _lead_byte(hi) + 1] = True
    if ignore_case and (
        table[ord("A") : ord("Z") + 1].any() or table[ord("a") : ord("z") + 1].any()
    ):
        table[ord("a") : ord("z") + 1] |= table[ord("A") : ord("Z") + 1]
        table[ord("A") : ord("Z") + 1] |= table[ord("a") : ord("z") + 1]
        table[0x80:] = True  # Unicode case folding: K matches the Kelvin sign, s the long s
    return table
