"""A small regex every match of a large pattern holds a match of: the pattern's *factor*.

The address patterns embed thousands of division names; an RE2 pass of one costs ~15-20 ms
however few its cells. Cut out the word list, and what is left (a road and a number, a
village, an estate and a building) is a pattern of a few hundred characters whose pass costs
~0.2 µs a cell: a cell without a match of it cannot hold an address, and prose seldom holds
one, so the pass of the large pattern is usually skipped (:mod:`.address`).

Built on the parse trees of :mod:`.conditions`; anything it does not follow gives ``""`` (no
filter), never a stricter condition.
"""

from __future__ import annotations

import re
from functools import cache

from .conditions import C, P, _parse, _Unknown, _widths, min_bytes

#: A factor longer than this (a word list) would cost about what the pattern costs.
MAX_FACTOR = 1500
_CATEGORIES = {
    C.CATEGORY_DIGIT: r"\d",
    C.CATEGORY_NOT_DIGIT: r"\D",
    C.CATEGORY_SPACE: r"\s",
    C.CATEGORY_NOT_SPACE: r"\S",
    C.CATEGORY_WORD: r"\w",
    C.CATEGORY_NOT_WORD: r"\W",
}


@cache
def required_factor(pattern: str, limit: int = MAX_FACTOR) -> str:
    """A regex of at most ``limit`` characters such that every match of ``pattern`` holds a
    match of it; ``""`` (every text) when the parse tree gives none.

    The pattern without its large parts (a word list), cut where they stood, and without the
    optional parts at the ends of what is left: a match of a sequence holds a match of every
    run of its items, and of what a run's end items must match at that end.

    >>> required_factor("(?:abcdef|ghijkl)x?[0-9]{1,5}号(?:楼)?", limit=16)
    '(?:[0-9])号'
    >>> required_factor("(?:ab|cd)|x", limit=4)
    ''
    """
    try:
        tree = _parse(pattern)
        if tree.state.flags & ~re.UNICODE:
            return ""  # (?i), (?s)...: emitted without them, the factor would be stricter
        factor = _seq_factor(list(tree), True, True, limit)
    except _Unknown:
        return ""
    return "" if factor is None or len(factor) > limit else factor


def _seq_factor(items: list, left: bool, right: bool, limit: int) -> str | None:
    """The factor of a sequence whose ``left``/``right`` end may be cut (open), else its
    exact text; None when a closed end cannot be kept exactly."""
    exact = [_exact(op, av, limit) for op, av in items]
    best: tuple[int, str] | None = None
    start = 0
    for stop in range(len(items) + 1):
        if stop < len(items) and exact[stop] is not None:
            continue
        if (left or start == 0) and (right or stop == len(items)):
            run = _run_factor(
                items[start:stop],
                exact[start:stop],
                left or start > 0,
                right or stop < len(items),
                limit,
            )
            if run is not None:
                score = min_bytes(run) if run else 0
                if best is None or score > best[0]:
                    best = (score, run)
        start = stop + 1
    if best is None:
        return "" if left or right else None
    return best[1]


def _run_factor(items: list, exact: list, left: bool, right: bool, limit: int) -> str | None:
    """The factor of a run of exactly known items, its open ends stripped of items that may
    match nothing and its end items cut at their open side."""
    lo, hi = 0, len(items)
    while left and lo < hi and _widths([items[lo]], False)[0] == 0:
        lo += 1
    while right and hi > lo and _widths([items[hi - 1]], False)[0] == 0:
        hi -= 1
    if lo == hi:
        return "" if left or right else None
    parts = list(exact[lo:hi])
    if left:
        parts[0] = _item_factor(*items[lo], True, right and hi - lo == 1, limit)
    if right and (hi - lo > 1 or not left):
        parts[-1] = _item_factor(*items[hi - 1], False, True, limit)
    return "".join(parts)


def _item_factor(op, av, left: bool, right: bool, limit: int) -> str:
    """A factor of one item cut at an open side: a group or alternation by its parts, a
    repeat by its fewest copies (the last ones at an open left end, the first at a right)."""
    if op is C.SUBPATTERN and not av[1] and not av[2]:
        body = _seq_factor(list(av[-1]), left, right, limit)
        return "" if body is None else f"(?:{body})"
    if op is C.BRANCH:
        alts = [_seq_factor(list(b), left, right, limit) for b in av[1]]
        return "" if None in alts else "(?:" + "|".join(alts) + ")"
    if op in (C.MAX_REPEAT, C.MIN_REPEAT):
        low, _high, body = av
        copies = [
            _seq_factor(list(body), left and i == 0, right and i == low - 1, limit)
            for i in range(low)
        ]
        return "" if any(c is None for c in copies) else "".join(f"(?:{c})" for c in copies)
    return _exact(op, av, limit) or ""


def _exact(op, av, limit: int) -> str | None:
    """The RE2 text of one parsed item (capture groups as plain groups, lazy repeats as greedy:
    the same texts hold a match); None for an anchor, a look-around, a back-reference, flags,
    or a text longer than ``limit``."""
    text = _exact_text(op, av, limit)
    return text if text is not None and len(text) <= limit else None


def _exact_text(op, av, limit: int) -> str | None:
    if op is C.LITERAL:
        return _char(av)
    if op is C.NOT_LITERAL:
        return f"[^{_char(av)}]"
    if op is C.ANY:
        return "."
    if op is C.IN:
        return _class_text(av)
    if op is C.SUBPATTERN:
        if av[1] or av[2]:
            return None
        body = [_exact(o, a, limit) for o, a in av[-1]]
        return None if None in body else "(?:" + "".join(body) + ")"
    if op is C.BRANCH:
        alts = [[_exact(o, a, limit) for o, a in b] for b in av[1]]
        if any(None in alt for alt in alts):
            return None
        return "(?:" + "|".join("".join(alt) for alt in alts) + ")"
    if op in (C.MAX_REPEAT, C.MIN_REPEAT):
        low, high, body = av
        inner = [_exact(o, a, limit) for o, a in body]
        if None in inner:
            return None
        return "(?:" + "".join(inner) + "){" + f"{low},{'' if high is P.MAXREPEAT else high}" + "}"
    return None


def _char(code: int) -> str:
    ch = chr(code)
    return ch if ch.isalnum() or code > 0x7F else f"\\x{code:02x}"  # read alike by re and RE2


def _class_text(items) -> str | None:
    out = []
    for op, av in items:
        if op is C.NEGATE:
            out.append("^")
        elif op is C.LITERAL:
            out.append(_char(av))
        elif op is C.RANGE:
            out.append(f"{_char(av[0])}-{_char(av[1])}")
        elif op is C.CATEGORY and av in _CATEGORIES:
            out.append(_CATEGORIES[av])
        else:
            return None
    return "[" + "".join(out) + "]"
