"""Which cells the free-text recognizers look at: cheap tests, cached on the buffer.

1. :func:`cjk_cells`: cells holding a Hanzi (a UTF-8 lead byte E4-E9), from one NumPy pass
   over the bytes. Columns of numbers, codes and e-mail addresses stop here at almost no cost.
2. :func:`may_match`: of given cells, those that can hold a match of a pattern at all, by
   necessary conditions read off its parse tree (:mod:`.conditions`): a minimum length (free)
   and characters every match holds (one RE2 pass with a small character class, ~0.07 µs a
   cell). A large pattern costs ~0.2 µs a cell and ~5 ms to
   compile; a buffer where no cell is left does not compile it at all.
3. :func:`triggered_cells`: of the Hanzi cells, those holding a trigger of any ``function``
   recognizer of the catalog (its ``prefilter`` words, or its pattern when it has none), found
   with one RE2 pass for all of them together, so ten recognizers do not cost ten passes; in
   that pass a pattern may be represented by words every match holds.
4. Cells without a Hanzi (``QQ:12345678``, ``WeChat: zhang_san88``, ``ICD-10 E11.9``) count
   for a recognizer whose function gives a regex for them (:data:`BEYOND_HANZI`: the label
   *and* the value, not the label alone, so ``@qq.com`` lets no e-mail through). A batch
   whose bytes rule every such regex out costs nothing; in a column of codes or e-mail
   addresses, runs of 64 cells are searched as one value first, and only the cells of the
   runs holding a match are searched one by one.

The Hanzi cells and the trigger passes are kept on the :class:`~pii_scan.core.buffers.TextBuffer`,
which lives for one ``match_array`` call.
"""

from __future__ import annotations

from collections.abc import Callable
from functools import cache

import numpy as np
import pyarrow as pa
import pyarrow.compute as pc

from ..catalog import Recognizer, alternation, load_catalog
from ..core.buffers import TextBuffer, per_cell_any, take_cells
from ..core.required import batch_may_match, required_bytes
from .conditions import anchor_free, min_bytes, required_chars, required_words

#: The ``function`` recognizers that share the trigger pass.
SHARED = (
    "vocabulary",
    "cue_value",
    "cn_person_cue",
    "cn_person_free",
)


def trigger_regex(rec: Recognizer) -> str:
    """The RE2 alternation a cell must match for ``rec`` to look at it."""
    body = alternation(rec.prefilter) if rec.prefilter else rec.pattern
    return f"(?{'i' if rec.ignore_case else ''}:{body})"


#: Per function name: the RE2 regex that a cell without a Hanzi must hold for a recognizer of
#: that function to look at it, or None when the recognizer never finds anything there. Filled
#: by the modules that register the functions.
BEYOND_HANZI: dict[str, Callable[[Recognizer], str | None]] = {}


def needs_hanzi(pattern: str, ignore_case: bool = False) -> bool:
    """Does every match of ``pattern`` hold a CJK ideograph (a UTF-8 lead byte E4-E9)?

    >>> needs_hanzi("(?:微信|QQ)号"), needs_hanzi("微信|QQ")
    (True, False)
    """
    return any(
        not need[:0xE4].any() and not need[0xEA:].any()
        for need in required_bytes(pattern, ignore_case)
    )


@cache
def beyond_hanzi(rec: Recognizer) -> str | None:
    """The regex of :data:`BEYOND_HANZI` for ``rec``; None where it needs a Hanzi anyway.
    Built once per recognizer (a word list's is read from its file)."""
    from ..core import function_modules  # noqa: F401  (they fill BEYOND_HANZI)

    build = BEYOND_HANZI.get(rec.function or "")
    regex = build(rec) if build else None
    if regex is None or needs_hanzi(regex, rec.ignore_case):
        return None
    return regex


# -- cell tests -----------------------------------------------------------------------------------


def cjk_cells(buf: TextBuffer) -> np.ndarray:
    """Sorted indices of the cells that hold at least one CJK ideograph."""
    store = buf.cache("nlp.gate")
    if "cjk" not in store:
        if not buf.bytes_present()[0xE4:0xEA].any():  # no lead byte of one in the batch
            store["cjk"] = np.zeros(0, np.int64)
        else:
            lead = (buf.data - np.uint8(0xE4)) < np.uint8(6)  # E4..E9, wrapping uint8
            store["cjk"] = np.flatnonzero(per_cell_any(lead, buf.offsets))
    return store["cjk"]


def class_regex(chars: frozenset[str]) -> str:
    """``(?i)`` and a character class of ``chars``, every one written as ``\\x{…}``."""
    return "(?i)[" + "".join(f"\\x{{{ord(c):x}}}" for c in sorted(chars)) + "]"


def holding(arr: pa.Array, cells: np.ndarray, chars: frozenset[str] | str) -> np.ndarray:
    """A boolean per cell of ``cells``: does it hold one of ``chars`` (up to case)?"""
    if len(cells) == 0:
        return np.zeros(0, dtype=bool)
    hit = pc.match_substring_regex(take_cells(arr, cells), class_regex(frozenset(chars)))
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


def _lacking_known(buf: TextBuffer, cells: np.ndarray, chars: frozenset[str]) -> np.ndarray:
    """``cells`` without those an earlier test of this buffer found lacking every character of
    a set holding ``chars`` (the street form's 号 after the address's 号幢座村栋): they lack
    ``chars`` too, and need no second pass."""
    for wider, lacking in buf.cache("nlp.gate").get("lacking", ()):
        if chars <= wider and len(cells):
            cells = cells[~lacking[cells]]
    return cells


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
        cells = _lacking_known(buf, cells, chars)
        tested, cells = cells, _filter(arr, cells, chars, sample)
        if len(cells) < len(tested):  # tested one by one, not kept whole after the sample
            lacking = np.zeros(buf.n_cells, dtype=bool)
            lacking[tested] = True
            lacking[cells] = False
            buf.cache("nlp.gate").setdefault("lacking", []).append((chars, lacking))
    return cells


# -- the shared trigger pass ----------------------------------------------------------------------


@cache
def _shared_triggers() -> tuple[frozenset[str], str, frozenset[str]]:
    """The exact triggers of the catalog's shared recognizers, the one regex of the shared
    pass (each recognizer's words every match holds (:func:`required_words`) where known, a
    cheap literal alternation standing in for a pattern of hundreds of surnames), and their
    regexes for cells without a Hanzi, searched as one alternation."""
    from ..core import function_modules  # noqa: F401  (they fill BEYOND_HANZI)

    recs = [r for r in load_catalog() if r.kind == "function" and r.function in SHARED]
    exact = frozenset(trigger_regex(r) for r in recs)
    loose = {loose_trigger(r) for r in recs}
    beyond = frozenset(_flagged(b, r.ignore_case) for r in recs if (b := beyond_hanzi(r)))
    return exact, "|".join(sorted(loose)), beyond


def _flagged(regex: str, ignore_case: bool) -> str:
    return f"(?{'i' if ignore_case else ''}:{regex})"


def loose_trigger(rec: Recognizer) -> str:
    """A regex every cell holding ``rec``'s trigger matches: the trigger itself, or for a
    pattern without ``prefilter`` words, an alternation of words every match holds."""
    words = () if rec.prefilter else required_words(rec.pattern)
    if not words or min(map(len, words)) < 2:  # single characters would let most prose by
        return trigger_regex(rec)
    body = alternation(words)
    return f"(?{'i' if rec.ignore_case else ''}:{body})"


def matching(arr: pa.Array, cells: np.ndarray, regex: str) -> np.ndarray:
    """The cells of ``cells`` holding a match of ``regex`` (one RE2 pass, none for no cells)."""
    if len(cells) == 0:
        return cells
    hit = pc.match_substring_regex(take_cells(arr, cells), regex)
    return cells[hit.to_numpy(zero_copy_only=False)]


def triggered_cells(buf: TextBuffer, arr: pa.Array, rec: Recognizer) -> np.ndarray:
    """Sorted indices of the Hanzi cells holding one of ``rec``'s triggers, and of the other
    cells holding a match of its :func:`beyond_hanzi` regex."""
    cells = _hanzi_triggered(buf, arr, rec)
    beyond = beyond_hanzi(rec)
    if beyond is None:
        return cells
    beyond = _flagged(beyond, rec.ignore_case)
    _, _, all_beyond = _shared_triggers()
    if beyond not in all_beyond:  # a recognizer from another catalog
        extra = _without_hanzi(buf, arr, beyond)
    else:
        store = buf.cache("nlp.gate")
        union = "|".join(sorted(all_beyond))
        if "beyond" not in store:
            store["beyond"] = _without_hanzi(buf, arr, union)
        extra = store["beyond"]
        if len(extra) and len(all_beyond) > 1:
            key = ("beyond", beyond)
            if key not in store:
                store[key] = matching(arr, extra, beyond)
            extra = store[key]
    return np.union1d(cells, extra) if len(extra) else cells


def _hanzi_triggered(buf: TextBuffer, arr: pa.Array, rec: Recognizer) -> np.ndarray:
    store = buf.cache("nlp.gate")
    mine = trigger_regex(rec)
    shared, union, _ = _shared_triggers()
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


def _without_hanzi(buf: TextBuffer, arr: pa.Array, regex: str) -> np.ndarray:
    """Sorted indices of the cells without a Hanzi that hold a match of ``regex``."""
    none = np.zeros(0, np.int64)
    if not batch_may_match(buf.bytes_present(), required_bytes(regex)):
        return none
    hanzi = cjk_cells(buf)
    if len(hanzi) == buf.n_cells:
        return none
    if len(hanzi):
        return matching(arr, np.setdiff1d(np.arange(buf.n_cells), hanzi), regex)
    if anchor_free(regex):
        return matching(arr, _in_groups_holding(buf, regex), regex)
    return matching(arr, np.arange(buf.n_cells), regex)


#: Cells read as one value by :func:`_in_groups_holding`.
GROUP = 64


def _in_groups_holding(buf: TextBuffer, regex: str) -> np.ndarray:
    """The cells of each run of :data:`GROUP` cells whose text, read as one value, holds a
    match of ``regex`` (anchor-free): every cell holding one, without the cost per cell of a
    pass over all (a match across two cells may bring in a group holding none).

    >>> b = TextBuffer.from_strings([f"u{i}" for i in range(200)] + ["QQ:12345"])
    >>> _in_groups_holding(b, "QQ:[0-9]+").tolist() == list(range(192, 201))
    True
    """
    n = buf.n_cells
    bounds = np.ascontiguousarray(buf.offsets[np.r_[0:n:GROUP, n]], dtype=np.int64)
    groups = pa.Array.from_buffers(
        pa.large_string(),
        len(bounds) - 1,
        [None, pa.py_buffer(bounds), pa.py_buffer(np.ascontiguousarray(buf.data))],
    )
    hit = np.flatnonzero(pc.match_substring_regex(groups, regex).to_numpy(zero_copy_only=False))
    cells = (hit[:, None] * GROUP + np.arange(GROUP)).ravel()
    return cells[cells < n]


def restrict(cells: np.ndarray, only: np.ndarray | None) -> np.ndarray:
    """``cells`` limited to ``only`` (the matcher's context cells) when given."""
    if only is None:
        return cells
    return np.intersect1d(cells, only, assume_unique=True)
