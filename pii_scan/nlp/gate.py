"""Which cells the free-text recognizers look at: cheap tests, cached on the buffer.

1. :func:`cjk_cells`: cells holding a Hanzi (a UTF-8 lead byte E4-E9), from one NumPy pass
   over the bytes. Columns of numbers, codes and e-mail addresses stop here at almost no cost.
2. :func:`may_match`: of given cells, those that can hold a match of a pattern at all, by
   necessary conditions read off its parse tree: a minimum length (:func:`min_bytes`, free)
   and characters every match holds (:func:`required_chars`, one RE2 pass with a small
   character class, ~0.07 µs a cell). A large pattern costs ~0.2 µs a cell and ~5 ms to
   compile; a buffer where no cell is left does not compile it at all.
3. :func:`triggered_cells`: of the Hanzi cells, those holding a trigger of any ``function``
   recognizer of the catalog (its ``prefilter`` words, or its pattern when it has none), found
   with one RE2 pass for all of them together, so ten recognizers do not cost ten passes.

The Hanzi cells and the trigger passes are kept on the :class:`~pii_scan.core.buffers.TextBuffer`,
which lives for one ``match_array`` call.
"""

from __future__ import annotations

import re
from functools import cache

import numpy as np
import pyarrow as pa
import pyarrow.compute as pc

try:  # Python 3.11+
    from re import _constants as C
    from re import _parser as P
except ImportError:  # pragma: no cover
    import sre_constants as C
    import sre_parse as P

from ..catalog import Recognizer, load_catalog
from ..core.buffers import TextBuffer, per_cell_any

_META = set(".^$*+?()[]{}|\\")
#: The ``function`` recognizers that share the trigger pass.
SHARED = (
    "vocabulary",
    "cue_value",
    "cn_person_cue",
    "cn_person_free",
)


def escape(word: str) -> str:
    return "".join("\\" + c if c in _META else c for c in word)


def trigger_regex(rec: Recognizer) -> str:
    """The RE2 alternation a cell must match for ``rec`` to look at it."""
    if rec.prefilter:
        body = "|".join(escape(w) for w in sorted(set(rec.prefilter), key=lambda w: (-len(w), w)))
    else:
        body = rec.pattern
    return f"(?{'i' if rec.ignore_case else ''}:{body})"


# -- necessary conditions read off a pattern ----------------------------------------------------
#
# Python's parser reads the RE2 subset the catalog uses. Whatever is not followed here (a
# negated or wide class, ``.``, an anchor, an optional part) yields no condition, so a condition
# is never stricter than the pattern; syntax that Python would read differently from RE2 yields
# none at all. Case is ignored: the cells are tested with ``(?i)``, which can only let more
# cells through.

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
        tree = P.parse(pattern)
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
    return _min_len(list(tree), ignore_case or bool(tree.state.flags & re.IGNORECASE))


def _min_len(items, fold: bool) -> int:
    return sum(_item_min_len(op, av, fold) for op, av in items)


def _item_min_len(op, av, fold: bool) -> int:
    # Under (?i) a character may match a shorter one (U+212A matches k): one byte, then.
    if op is C.LITERAL:
        return 1 if fold else len(chr(av).encode("utf-8", "surrogatepass"))
    if op is C.IN:
        lows = [a[0] if o is C.RANGE else a for o, a in av if o in (C.LITERAL, C.RANGE)]
        if fold or len(lows) != len(av):  # a category, a negation: any character
            return 1
        return len(chr(min(lows)).encode("utf-8", "surrogatepass"))
    if op is C.SUBPATTERN:
        _group, add, delete, body = av
        return _min_len(body, (fold or bool(add & re.IGNORECASE)) and not delete & re.IGNORECASE)
    if op is C.BRANCH:
        return min(_min_len(branch, fold) for branch in av[1])
    if op in (C.MAX_REPEAT, C.MIN_REPEAT):
        return av[0] * _min_len(av[2], fold)
    if op in (C.ANY, C.NOT_LITERAL):
        return 1
    return 0  # an anchor, a look-around, a back-reference


# -- cell tests -----------------------------------------------------------------------------------


def cjk_cells(buf: TextBuffer) -> np.ndarray:
    """Sorted indices of the cells that hold at least one CJK ideograph."""
    store = buf.cache("nlp.gate")
    if "cjk" not in store:
        lead = (buf.data - np.uint8(0xE4)) < np.uint8(6)  # E4..E9, wrapping uint8
        store["cjk"] = np.flatnonzero(per_cell_any(lead, buf.offsets))
    return store["cjk"]


def _take(arr: pa.Array, cells: np.ndarray) -> pa.Array:
    return arr.take(pa.array(cells))


def class_regex(chars: frozenset[str]) -> str:
    """``(?i)`` and a character class of ``chars``, every one written as ``\\x{…}``."""
    return "(?i)[" + "".join(f"\\x{{{ord(c):x}}}" for c in sorted(chars)) + "]"


def holding(arr: pa.Array, cells: np.ndarray, chars: frozenset[str] | str) -> np.ndarray:
    """A boolean per cell of ``cells``: does it hold one of ``chars`` (up to case)?"""
    if len(cells) == 0:
        return np.zeros(0, dtype=bool)
    hit = pc.match_substring_regex(_take(arr, cells), class_regex(frozenset(chars)))
    return hit.to_numpy(zero_copy_only=False)


def long_enough(buf: TextBuffer, cells: np.ndarray, need: int) -> np.ndarray:
    """A boolean per cell of ``cells``: does it have at least ``need`` bytes?"""
    return buf.offsets[cells + 1] - buf.offsets[cells] >= need


#: Cells tested first, to see whether a character test is worth its pass.
SAMPLE = 512


def _filter(arr: pa.Array, cells: np.ndarray, chars: frozenset[str], sample: bool) -> np.ndarray:
    """``cells`` without those lacking every one of ``chars``. With ``sample``, a column where
    most cells hold one (an address column for an address) keeps all cells after testing the
    first :data:`SAMPLE`: the pass would cost more than it saves."""
    if sample and len(cells) > 2 * SAMPLE:
        head = holding(arr, cells[:SAMPLE], chars)
        if head.mean() > 0.75:
            return cells
        rest = cells[SAMPLE:]
        return np.concatenate((cells[:SAMPLE][head], rest[holding(arr, rest, chars)]))
    return cells[holding(arr, cells, chars)]


def may_match(
    buf: TextBuffer,
    arr: pa.Array,
    cells: np.ndarray,
    pattern: str,
    ignore_case: bool = False,
    *,
    sample: bool = True,
) -> np.ndarray:
    """``cells`` without those that cannot hold a match of ``pattern``: shorter than
    :func:`min_bytes`, or lacking every character of a set of :func:`required_chars`.

    Necessary conditions only, never a guess: every cell holding a match is kept.
    """
    need = min_bytes(pattern, ignore_case)
    if need > 1:
        cells = cells[long_enough(buf, cells, need)]
    for chars in required_chars(pattern):
        if len(cells) == 0:
            break
        cells = _filter(arr, cells, chars, sample)
    return cells


# -- the shared trigger pass ----------------------------------------------------------------------


@cache
def _shared_triggers() -> tuple[frozenset[str], str]:
    """The exact triggers of the catalog's shared recognizers, and the one regex of the shared
    pass: each recognizer's words every match holds (:func:`required_words`) where known, a
    cheap literal alternation standing in for a pattern of hundreds of surnames."""
    recs = [r for r in load_catalog() if r.kind == "function" and r.function in SHARED]
    exact = frozenset(trigger_regex(r) for r in recs)
    loose = {loose_trigger(r) for r in recs}
    return exact, "|".join(sorted(loose))


def loose_trigger(rec: Recognizer) -> str:
    """A regex every cell holding ``rec``'s trigger matches: the trigger itself, or for a
    pattern without ``prefilter`` words, an alternation of words every match holds."""
    words = () if rec.prefilter else required_words(rec.pattern)
    if not words or min(map(len, words)) < 2:  # single characters would let most prose by
        return trigger_regex(rec)
    body = "|".join(escape(w) for w in sorted(words, key=lambda w: (-len(w), w)))
    return f"(?{'i' if rec.ignore_case else ''}:{body})"


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


def matching(arr: pa.Array, cells: np.ndarray, regex: str) -> np.ndarray:
    """The cells of ``cells`` holding a match of ``regex`` (one RE2 pass, none for no cells)."""
    if len(cells) == 0:
        return cells
    hit = pc.match_substring_regex(_take(arr, cells), regex)
    return cells[hit.to_numpy(zero_copy_only=False)]


def triggered_cells(buf: TextBuffer, arr: pa.Array, rec: Recognizer) -> np.ndarray:
    """Sorted indices of the Hanzi cells holding one of ``rec``'s triggers."""
    store = buf.cache("nlp.gate")
    mine = trigger_regex(rec)
    shared, union = _shared_triggers()
    if mine not in shared:  # a recognizer from another catalog: its own pass
        return matching(arr, cjk_cells(buf), mine)
    if "shared" not in store:
        store["shared"] = matching(arr, cjk_cells(buf), union)
    cells = store["shared"]
    if len(shared) == 1 and union == mine:
        return cells
    key = ("own", mine)
    if key not in store:
        store[key] = matching(arr, cells, mine)
    return store[key]


def restrict(cells: np.ndarray, only: np.ndarray | None) -> np.ndarray:
    """``cells`` limited to ``only`` (the matcher's context cells) when given."""
    if only is None:
        return cells
    return np.intersect1d(cells, only, assume_unique=True)
