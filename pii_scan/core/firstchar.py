"""Which characters a pattern can start with, and the first character of every cell.

An anchored pattern (``^(?:…)$`` over a trimmed cell) cannot match a cell whose first character
is not one its matches can start with. Names start with a surname, genders with 男 or 女,
coordinates with a digit or ``-``, password hashes with ``$``: one NumPy look-up of every cell's
first character against that set leaves each ``cell`` recognizer a handful of cells, where the
pattern itself (an RE2 pass costs ~0.1 µs per cell, whatever the pattern) would visit them all.

The set comes from the pattern's parse tree (Python's parser reads the RE2 subset the catalog
uses). It errs on the side of "any": a construct it does not follow (a negated class, ``.``,
a look-around, a character outside the Basic Multilingual Plane) makes the pattern start-anything,
so a cell is never skipped that the pattern could match.

>>> table = first_chars("(?:男|女)性?|[0-9]+")
>>> bool(table[ord("男")]), bool(table[ord("5")]), bool(table[ord("张")])
(True, True, False)
>>> first_chars("[^x]+") is None
True
"""

from __future__ import annotations

import re
from functools import cache, lru_cache

import numpy as np

try:  # Python 3.11+
    from re import _constants as C
    from re import _parser as P
except ImportError:  # pragma: no cover
    import sre_constants as C
    import sre_parse as P

from .buffers import TextBuffer


@lru_cache(maxsize=512)
def parse_tree(pattern: str) -> P.SubPattern:
    """Python's parse tree of ``pattern``, parsed once for all that is read off it (first
    characters, required bytes, lengths, factors): a pattern of 3,000 division names takes
    30-60 ms to parse. Read it, never change it. Raises as ``re``'s parser does."""
    return P.parse(pattern)


BMP = 0x10000
#: What Arrow's ``utf8_trim_whitespace`` removes before the whole-cell test: the tab family, the
#: information separators 1C-1F, the space and the Unicode spaces (the tests ask Arrow).
TRIMMED = (*range(9, 14), *range(0x1C, 0x21), 0x85, 0xA0, 0x1680, *range(0x2000, 0x200B))
TRIMMED += (0x2028, 0x2029, 0x202F, 0x205F, 0x3000)
# Cells starting with Unicode whitespace are trimmed by Arrow before the whole-cell test; their
# first character is not known here, so every set admits them.
_UNICODE_SPACES = [c for c in TRIMMED if c >= 0x80] + [0xFEFF]
_ASCII_SPACE = np.zeros(256, dtype=bool)
_ASCII_SPACE[[c for c in TRIMMED if c < 0x80]] = True
_LEADING_SPACE = np.zeros(BMP, dtype=bool)
_LEADING_SPACE[list(TRIMMED)] = True
_CATEGORIES = {
    C.CATEGORY_DIGIT: [(0x30, 0x39)],
    C.CATEGORY_SPACE: [(9, 13), (0x20, 0x20)],
}


class _Any(ValueError):
    """The pattern may start with any character."""


@cache
def first_chars(pattern: str, ignore_case: bool = False) -> np.ndarray | None:
    """A boolean table over the BMP: can a match of ``pattern`` start with this character?
    ``None`` when it could start with anything (or with nothing, an empty match)."""
    return _edge_chars(pattern, ignore_case, last=False)


@cache
def last_chars(pattern: str, ignore_case: bool = False) -> np.ndarray | None:
    """As :func:`first_chars`, for the character a match ends with.

    >>> table = last_chars("[a-z]+@[a-z]+[.](?:com|cn)")
    >>> bool(table[ord("m")]), bool(table[ord("n")]), bool(table[ord("@")])
    (True, True, False)
    """
    return _edge_chars(pattern, ignore_case, last=True)


def _edge_chars(pattern: str, ignore_case: bool, last: bool) -> np.ndarray | None:
    try:
        tree = parse_tree(pattern)
        ranges, nullable = _first(list(tree), last)
    except (_Any, re.error, RecursionError):
        return None
    if nullable:
        return None
    table = np.zeros(BMP, dtype=bool)
    table[_UNICODE_SPACES] = True
    for lo, hi in ranges:
        table[lo : hi + 1] = True
    if ignore_case or bool(tree.state.flags & re.IGNORECASE) or has_local_ignore_case(list(tree)):
        table[ord("a") : ord("z") + 1] |= table[ord("A") : ord("Z") + 1]
        table[ord("A") : ord("Z") + 1] |= table[ord("a") : ord("z") + 1]
    return table


Ranges = set[tuple[int, int]]


def _first(items: list, last: bool = False) -> tuple[Ranges, bool]:
    """(character ranges a sequence can start with, or end with if ``last``, whether it can
    match empty)."""
    out: Ranges = set()
    for op, av in reversed(items) if last else items:
        chars, nullable = _first_item(op, av, last)
        out |= chars
        if not nullable:
            return out, False
    return out, True


def _first_item(op, av, last: bool) -> tuple[Ranges, bool]:
    if op is C.LITERAL:
        if av >= BMP:
            raise _Any
        return {(av, av)}, False
    if op is C.IN:
        return class_ranges(av), False
    if op is C.AT:  # ^ $ \b: consume nothing
        return set(), True
    if op is C.BRANCH:
        out: Ranges = set()
        nullable = False
        for branch in av[1]:
            chars, empty = _first(list(branch), last)
            out |= chars
            nullable |= empty
        return out, nullable
    if op is C.SUBPATTERN:
        return _first(list(av[-1]), last)
    if op in (C.MAX_REPEAT, C.MIN_REPEAT):
        low, _high, body = av
        chars, empty = _first(list(body), last)
        return chars, empty or low == 0
    raise _Any  # ANY, NOT_LITERAL, ASSERT, GROUPREF, ...


def class_ranges(items) -> Ranges:
    """The code point ranges of a parsed character class; ValueError when it is negated or
    holds a category other than ``\\d``/``\\s``."""
    out: Ranges = set()
    for op, av in items:
        if op is C.LITERAL:
            if av >= BMP:
                raise _Any
            out.add((av, av))
        elif op is C.RANGE:
            if av[1] >= BMP:
                raise _Any
            out.add(av)
        elif op is C.CATEGORY and av in _CATEGORIES:
            out.update(_CATEGORIES[av])
        else:  # NEGATE, \w, \S, ...
            raise _Any
    return out


def has_local_ignore_case(items) -> bool:
    for op, av in items:
        if op is C.SUBPATTERN:
            if av[1] & re.IGNORECASE or has_local_ignore_case(list(av[-1])):
                return True
        elif op is C.BRANCH:
            if any(has_local_ignore_case(list(b)) for b in av[1]):
                return True
        elif op in (C.MAX_REPEAT, C.MIN_REPEAT) and has_local_ignore_case(list(av[2])):
            return True
    return False


def cell_first_chars(buf: TextBuffer) -> np.ndarray:
    """The code point each cell starts with (folded text); -1 for an empty cell, one starting
    with ASCII whitespace, or a character outside the BMP (those pass every filter).

    >>> import pyarrow as pa
    >>> cell_first_chars(TextBuffer.from_array(pa.array(["张三", "", " x", "１２", "a"]))).tolist()
    [24352, -1, -1, 49, 97]
    """
    cached = getattr(buf, "_first_chars", None)
    if cached is not None:
        return cached
    data, offsets = buf.data, buf.offsets
    length = offsets[1:] - offsets[:-1]
    if len(data) and _ascii(buf):  # a character is its byte (numbers, codes, e-mail)
        first = np.take(data, np.minimum(offsets[:-1], len(data) - 1))
        out = np.where((length > 0) & ~np.take(_ASCII_SPACE, first), first.astype(np.int64), -1)
    else:
        out = np.full(buf.n_cells, -1, dtype=np.int64)
        cells = np.flatnonzero(length > 0)
        if len(cells):
            at = offsets[cells]
            room = length[cells]
            last = len(data) - 1
            b0, b1, b2 = (
                data[np.minimum(at + k, last)].astype(np.int64) for k in range(3)
            )  # bytes past the cell are only read where ``room`` says they belong to it
            one = b0 < 0x80
            two = (b0 >= 0xC0) & (b0 < 0xE0) & (room >= 2)
            three = (b0 >= 0xE0) & (b0 < 0xF0) & (room >= 3)
            cp = _code_points(b0, (b0, b1), (b0, b1, b2), one, two, three)
            cp[one & _ASCII_SPACE[b0]] = -1
            out[cells] = cp
    buf._first_chars = out
    return out


def may_be_trimmed(buf: TextBuffer) -> np.ndarray:
    """A boolean per cell: may whitespace that Arrow trims stand at either end of it, so that
    the trimmed cell is shorter? From its first and its last character; empty cells are False.

    >>> import pyarrow as pa
    >>> cells = pa.array(["李娜", " x", "x\u2009", "", "张三", "好。"])  # 三 ends in 89, as U+2009
    >>> may_be_trimmed(TextBuffer.from_array(cells)).tolist()
    [False, True, True, False, False, False]
    """
    first = cell_first_chars(buf)
    out = (first < 0) | _LEADING_SPACE[np.maximum(first, 0)]
    ends = buf.offsets[1:]
    full = ends > buf.offsets[:-1]
    if len(buf.data) and _ascii(buf):
        out[full] |= np.take(_ASCII_SPACE, buf.data[ends[full] - 1])
        return out & full
    last = _last_code_points(buf.data, ends[full], ends[full] - buf.offsets[:-1][full])
    out[full] |= (last >= 0) & _LEADING_SPACE[np.maximum(last, 0)]
    return out & full


def _ascii(buf: TextBuffer) -> bool:
    """Does the folded text hold ASCII bytes only (asked of the buffer's byte presence)?"""
    return not buf.bytes_present()[0x80:].any()


def _last_code_points(data: np.ndarray, ends: np.ndarray, room: np.ndarray) -> np.ndarray:
    """The code point of the character ending at each of ``ends`` (cells of ``room`` bytes),
    -1 beyond the BMP: a Chinese sentence ends in 。 (E3 80 82), not in U+2002 (E2 80 82)."""
    b1, b2, b3 = (data[np.maximum(ends - k, 0)].astype(np.int64) for k in (1, 2, 3))
    one = b1 < 0x80
    two = ~one & (room >= 2) & (b2 >= 0xC0) & (b2 < 0xE0)
    three = ~one & (room >= 3) & (b3 >= 0xE0) & (b3 < 0xF0)
    return _code_points(b1, (b2, b1), (b3, b2, b1), one, two, three)


def _code_points(single, pair, triple, one, two, three) -> np.ndarray:
    """Code points from UTF-8 bytes: ``single`` where ``one``, the two bytes of ``pair`` where
    ``two``, the three of ``triple`` where ``three``; -1 elsewhere."""
    cp = np.full(len(one), -1, dtype=np.int64)
    cp[one] = single[one]
    lead, cont = pair
    cp[two] = ((lead[two] & 0x1F) << 6) | (cont[two] & 0x3F)
    lead, mid, cont = triple
    cp[three] = ((lead[three] & 0x0F) << 12) | ((mid[three] & 0x3F) << 6) | (cont[three] & 0x3F)
    return cp


def may_start(buf: TextBuffer, table: np.ndarray | None) -> np.ndarray:
    """Boolean per cell: can a match of the pattern behind ``table`` start the cell?"""
    first = cell_first_chars(buf)
    if table is None:
        return np.ones(len(first), dtype=bool)
    return (first < 0) | table[np.maximum(first, 0)]
