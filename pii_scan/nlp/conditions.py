"""Necessary conditions read off a pattern's parse tree, for the free-text recognizers.

A large pattern (hundreds of division names or surnames) costs ~0.2 µs a cell in RE2 and ~5 ms
to compile on every pyarrow call; a cheap test that every match must pass spares it most cells:

* :func:`required_chars`: character sets every match holds one of (tested with one RE2 pass
  of a small class);
* :func:`min_bytes`: a lower bound on a match's length (free);
* :func:`anchor_free`: whether a match inside a cell is the same as one of the whole cell;
* :func:`required_words`: literal words every match holds one of (the shared trigger pass of
  :mod:`.gate` uses them to stand in for a pattern).

:mod:`.factor` derives a small regex every match holds a match of, from the same parse trees.

Python's parser reads the RE2 subset the catalog uses. Whatever is not followed here (a
negated or wide class, ``.``, an anchor, an optional part) yields no condition, so a condition
is never stricter than the pattern; syntax that Python would read differently from RE2 yields
none at all. Case is ignored: the cells are tested with ``(?i)``, which can only let more
cells through.
"""

from __future__ import annotations

import re
from functools import cache

from ..core.firstchar import C, P, parse_tree

_MAX_CLASS = 64
_RE2_ONLY = re.compile(r"\[:\^?[a-z]+:\]|\\[pPQCz]|\(\?[a-zA-Z]*U")
_DIGITS = frozenset("0123456789")
_SPACES = frozenset("\t\n\v\f\r ")

Options = list[frozenset[str]]


class _Unknown(Exception):
    """The pattern is outside what the conditions follow."""


def _parse(pattern: str):
    if _RE2_ONLY.search(pattern):
        raise _Unknown
    try:
        tree = parse_tree(pattern)
    except (re.error, RecursionError, OverflowError):
        raise _Unknown from None
    if tree.state.flags & re.VERBOSE:
        raise _Unknown
    return tree


def _class(items) -> frozenset[str]:
    chars: set[str] = set()
    for op, av in items:
        if op is C.LITERAL:
            chars.add(chr(av))
        elif op is C.RANGE and av[1] - av[0] < _MAX_CLASS:
            chars.update(map(chr, range(av[0], av[1] + 1)))
        elif op is C.CATEGORY and av is C.CATEGORY_DIGIT:
            chars |= _DIGITS  # RE2's \d is ASCII
        elif op is C.CATEGORY and av is C.CATEGORY_SPACE:
            chars |= _SPACES  # RE2's \s, and \v
        else:  # NEGATE, a wide range, \w, ...
            raise _Unknown
    if len(chars) > _MAX_CLASS:
        raise _Unknown
    return frozenset(chars)


def _options(items) -> Options:
    """Character sets that every match of the sequence ``items`` holds one of (each set alone
    is a necessary condition), smallest first; empty when nothing is known."""
    out: dict[frozenset[str], None] = {}
    for op, av in items:
        for option in _item_options(op, av):
            out[option] = None
    return sorted(out, key=len)[:16]


def _item_options(op, av) -> Options:
    if op is C.LITERAL:
        return [frozenset(chr(av))]
    if op is C.IN:
        try:
            return [_class(av)]
        except _Unknown:
            return []
    if op is C.SUBPATTERN:
        return _options(av[-1])
    if op is C.BRANCH:
        return _any_of([_options(branch) for branch in av[1]])
    if op in (C.MAX_REPEAT, C.MIN_REPEAT) and av[0] >= 1:
        return _options(av[2])
    return []  # an anchor, ``.``, an optional part, a look-around, ...


@cache
def anchor_free(pattern: str) -> bool:
    """Does ``pattern`` match the same text wherever it stands (no ``^``, ``$``, ``\\b``,
    look-around or back-reference)? Then a whole-cell match is also a match inside the cell."""
    try:
        return _anchor_free(list(_parse(pattern)))
    except _Unknown:
        return False


def _anchor_free(items) -> bool:
    for op, av in items:
        if op in (C.AT, C.ASSERT, C.ASSERT_NOT, C.GROUPREF, C.GROUPREF_EXISTS):
            return False
        if op is C.SUBPATTERN and not _anchor_free(av[-1]):
            return False
        if op is C.BRANCH and not all(_anchor_free(b) for b in av[1]):
            return False
        if op in (C.MAX_REPEAT, C.MIN_REPEAT) and not _anchor_free(av[2]):
            return False
    return True


def _any_of(branches: list[Options]) -> Options:
    """One set holding a character of some option of every branch: a match of the alternation
    holds one of its characters. Greedy: the character that settles most branches first; a
    branch without a one-character option adds its smallest option."""
    if not branches or any(not options for options in branches):
        return []
    settles: dict[str, list[int]] = {}
    for i, options in enumerate(branches):
        for option in options:
            if len(option) == 1:
                settles.setdefault(next(iter(option)), []).append(i)
    open_count = {ch: len(ids) for ch, ids in settles.items()}
    pending = set(range(len(branches)))
    chosen: set[str] = set()
    while pending:
        best = max(open_count, key=open_count.__getitem__, default=None)
        if best is not None and open_count[best] > 0:
            chosen.add(best)
            done = [i for i in settles[best] if i in pending]
        else:
            done = [min(pending)]
            chosen |= branches[done[0]][0]
        for i in done:
            pending.discard(i)
            for option in branches[i]:
                if len(option) == 1:
                    open_count[next(iter(option))] -= 1
    return [frozenset(chosen)]


@cache
def required_chars(pattern: str) -> tuple[frozenset[str], ...]:
    """Character sets such that every match of ``pattern`` holds a character of each set
    (up to case): the two smallest the parse tree guarantees, ``()`` when it guarantees none.

    >>> [sorted(s) for s in required_chars("[0-9]{3}号|栋")]
    [['号', '栋']]
    >>> [sorted(s) for s in required_chars("(?:路|街)?[0-9]+号")]
    [['号'], ['0', '1', '2', '3', '4', '5', '6', '7', '8', '9']]
    """
    try:
        return tuple(_options(list(_parse(pattern)))[:2])
    except _Unknown:
        return ()


@cache
def min_bytes(pattern: str, ignore_case: bool = False) -> int:
    """A lower bound on the UTF-8 length of a match of ``pattern`` (0 when unknown).

    >>> min_bytes("[0-9]{2,4}号(?:楼|x)?"), min_bytes("(?i)号")
    (5, 1)
    """
    try:
        tree = _parse(pattern)
    except _Unknown:
        return 0
    return _widths(list(tree), ignore_case or bool(tree.state.flags & re.IGNORECASE))[0]


def _widths(items, fold: bool) -> tuple[int, int | None]:
    """Bounds on the UTF-8 length of a match of a parsed sequence (None: unbounded)."""
    lo, hi = 0, 0
    for op, av in items:
        a, b = _item_widths(op, av, fold)
        lo += a
        hi = None if hi is None or b is None else hi + b
    return lo, hi


def _item_widths(op, av, fold: bool) -> tuple[int, int | None]:
    # Under (?i) a character may match a shorter or longer one (U+212A, three bytes, matches
    # k): one to four bytes, then.
    if op is C.LITERAL:
        n = len(chr(av).encode("utf-8", "surrogatepass"))
        return (1, 4) if fold else (n, n)
    if op is C.IN:
        chars = [a if o is C.RANGE else (a, a) for o, a in av if o in (C.LITERAL, C.RANGE)]
        if fold or len(chars) != len(av):  # a category, a negation: any character
            return 1, 4
        lo = len(chr(min(c[0] for c in chars)).encode("utf-8", "surrogatepass"))
        return lo, len(chr(max(c[1] for c in chars)).encode("utf-8", "surrogatepass"))
    if op is C.SUBPATTERN:
        _group, add, delete, body = av
        return _widths(body, (fold or bool(add & re.IGNORECASE)) and not delete & re.IGNORECASE)
    if op is C.BRANCH:
        widths = [_widths(branch, fold) for branch in av[1]]
        his = [hi for _, hi in widths]
        return min(lo for lo, _ in widths), None if None in his else max(his)
    if op in (C.MAX_REPEAT, C.MIN_REPEAT):
        lo, hi = _widths(av[2], fold)
        return av[0] * lo, None if hi is None or av[1] is P.MAXREPEAT else av[1] * hi
    if op in (C.ANY, C.NOT_LITERAL):
        return 1, 4
    if op in (C.AT, C.ASSERT, C.ASSERT_NOT):
        return 0, 0  # an anchor, a look-around: no bytes of the match
    return 0, None  # a back-reference, anything else


@cache
def max_bytes(pattern: str, ignore_case: bool = False) -> int | None:
    """An upper bound on the UTF-8 length of a match of ``pattern`` (None: unbounded or
    unknown).

    >>> max_bytes("[0-9]{2,4}号(?:楼|x)?"), max_bytes("(?i)k"), max_bytes("a+")
    (10, 4, None)
    """
    try:
        tree = _parse(pattern)
    except _Unknown:
        return None
    return _widths(list(tree), ignore_case or bool(tree.state.flags & re.IGNORECASE))[1]


@cache
def required_words(pattern: str) -> frozenset[str]:
    """Literal words such that every match of ``pattern`` holds one of them; empty when the
    parse tree guarantees none. Of each branch the last mandatory group of literal
    alternatives counts (a cue before a name, a title or verb after it).

    >>> sorted(required_words("(?:姓名|联系人)[:：]?[A-Z]+|[A-Z]+(?:先生|女士)"))
    ['先生', '女士', '姓名', '联系人']
    >>> sorted(required_words("[A-Z]+(?:来电|，[0-9]{1,3}岁)"))
    ['岁', '来电']
    >>> required_words("[A-Z]+|x?")
    frozenset()
    """
    try:
        tree = _parse(pattern)
    except _Unknown:
        return frozenset()
    items = list(tree)
    branches = items[0][1][1] if len(items) == 1 and items[0][0] is C.BRANCH else [items]
    out: set[str] = set()
    for branch in branches:
        words = None
        for op, av in list(branch):
            found = _literal_words(op, av)
            if found:
                words = found
        if not words:
            return frozenset()
        out |= words
    return frozenset(out)


def _literal_words(op, av) -> frozenset[str] | None:
    """The words of a mandatory group of alternatives, one word of each alternative (its
    longest literal run): a match of the group holds one of them. None if there are none."""
    if op is C.LITERAL:
        return frozenset(chr(av))
    if op is C.SUBPATTERN:
        body = list(av[-1])
        return _literal_words(*body[0]) if len(body) == 1 else _longest_runs([body])
    if op is C.BRANCH:
        return _longest_runs([list(b) for b in av[1]])
    return None


def _longest_runs(alternatives: list[list]) -> frozenset[str] | None:
    words = set()
    for alternative in alternatives:
        runs, run = [], ""
        for op, av in alternative:
            if op is C.LITERAL:
                run += chr(av)
            else:
                runs.append(run)
                run = ""
        runs.append(run)
        longest = max(reversed(runs), key=len)  # on a tie the later run, after the name
        if not longest:
            return None
        words.add(longest)
    return frozenset(words)
