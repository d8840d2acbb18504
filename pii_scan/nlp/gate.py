"""Which cells the free-text recognizers look at: cheap tests, cached on the buffer.

1. :func:`cjk_cells`: cells holding a Hanzi (a UTF-8 lead byte E4-E9), from one NumPy pass
   over the bytes. Columns of numbers, codes and e-mail addresses stop here at almost no cost.
2. :func:`triggered_cells`: of those, the cells holding a trigger of any ``function``
   recognizer of the catalog (its ``prefilter`` words, or its pattern when it has none), found
   with one RE2 pass for all of them together, so ten recognizers do not cost ten passes.

Both results are kept on the :class:`~pii_scan.core.buffers.TextBuffer`, which lives for one
``match_array`` call.
"""

from __future__ import annotations

from functools import cache

import numpy as np
import pyarrow as pa
import pyarrow.compute as pc

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


@cache
def _shared_triggers() -> tuple[frozenset[str], str]:
    recs = [r for r in load_catalog() if r.kind == "function" and r.function in SHARED]
    regexes = frozenset(trigger_regex(r) for r in recs)
    return regexes, "|".join(sorted(regexes))


def _cache(buf: TextBuffer) -> dict:
    store = getattr(buf, "_nlp_gate", None)
    if store is None:
        store = {}
        buf._nlp_gate = store
    return store


def cjk_cells(buf: TextBuffer) -> np.ndarray:
    """Sorted indices of the cells that hold at least one CJK ideograph."""
    store = _cache(buf)
    if "cjk" not in store:
        lead = (buf.data - np.uint8(0xE4)) < np.uint8(6)  # E4..E9, wrapping uint8
        store["cjk"] = np.flatnonzero(per_cell_any(lead, buf.offsets))
    return store["cjk"]


def cells_with_digits(buf: TextBuffer) -> np.ndarray:
    """A boolean per cell: does it hold an ASCII digit?"""
    store = _cache(buf)
    if "digits" not in store:
        digit = (buf.data - np.uint8(0x30)) < np.uint8(10)
        store["digits"] = per_cell_any(digit, buf.offsets)
    return store["digits"]


def cells_with_chars(buf: TextBuffer, chars: str) -> np.ndarray:
    """A boolean per cell: does it hold one of ``chars`` (three-byte UTF-8 characters)?"""
    store = _cache(buf)
    key = ("chars", chars)
    if key not in store:
        data = buf.data
        hit = np.zeros(buf.n_cells, dtype=bool)
        if len(data) >= 3:
            for ch in chars:
                a, b, c = ch.encode("utf-8")
                pos = np.flatnonzero((data[:-2] == a) & (data[1:-1] == b) & (data[2:] == c))
                if len(pos):
                    hit[buf.cell_of(pos)] = True
        store[key] = hit
    return store[key]


def _match(arr: pa.Array, cells: np.ndarray, regex: str) -> np.ndarray:
    if len(cells) == 0:
        return cells
    hit = pc.match_substring_regex(arr.take(pa.array(cells)), regex)
    return cells[hit.to_numpy(zero_copy_only=False)]


def triggered_cells(buf: TextBuffer, arr: pa.Array, rec: Recognizer) -> np.ndarray:
    """Sorted indices of the Hanzi cells holding one of ``rec``'s triggers."""
    store = _cache(buf)
    mine = trigger_regex(rec)
    shared, union = _shared_triggers()
    if mine not in shared:  # a recognizer from another catalog: its own pass
        return _match(arr, cjk_cells(buf), mine)
    if "shared" not in store:
        store["shared"] = _match(arr, cjk_cells(buf), union)
    cells = store["shared"]
    if len(shared) == 1:
        return cells
    key = ("own", mine)
    if key not in store:
        store[key] = _match(arr, cells, mine)
    return store[key]


def restrict(cells: np.ndarray, only: np.ndarray | None) -> np.ndarray:
    """``cells`` limited to ``only`` (the matcher's context cells) when given."""
    if only is None:
        return cells
    return np.intersect1d(cells, only, assume_unique=True)
