"""``whole_or_search``: patterns too large for RE2's fast span extraction (addresses).

RE2 answers "does this cell match?" with its DFA, fast even for a pattern with a thousand
division names; *where* a match starts and ends needs its NFA, about a hundred times slower
for such a pattern. Most cells of an address column are nothing but the address, so:

1. of the cells holding a Hanzi, only those that can hold a match at all go on: long enough,
   and holding a character of each set the pattern requires (an address has 号, 栋, 幢, 座 or
   村), tested without the pattern (:func:`~.gate.may_match`);
2. those are tested whole (``^pattern$``, DFA): a full match is the trimmed cell, no
   extraction needed;
3. the other cells, if they hold a digit or 号/座/栋/幢/村/室 (an address in prose has a
   number, a building or a village), are tested unanchored (DFA), and only those that match
   go through the core's span extraction (:class:`~pii_scan.core.regex.RegexFamily`).

Each RE2 pass of the pattern costs ~15-20 ms however few its cells (compiling, warming the
DFA of a thousand names). A name column has no cell left after step 1, so no pass at all. In
prose (fewer than half of the Hanzi cells left after step 1) the unanchored test runs first,
on all of them: a whole match is a match too, so step 2 then looks only at the few cells that
hold an address, and is skipped when there are none. Before any unanchored test a cell must
hold a match of the pattern's small factor (:func:`~.factor.required_factor`: a road and
a number, a village, an estate and a building, without the names), a pass of ~0.2 µs a cell
that leaves no cell of prose without an address ("大一号", "单号5409" pass step 1).
"""

from __future__ import annotations

import numpy as np
import pyarrow as pa
import pyarrow.compute as pc

from ..catalog import Recognizer
from ..core.buffers import TextBuffer, take_cells
from ..core.firstchar import first_chars, may_start
from ..core.functions import register
from .conditions import anchor_free
from .factor import required_factor
from .gate import cjk_cells, holding, matching, may_match, restrict
from .vocab import family

#: An address in prose has a number, or a building or village.
PROSE_MARKS = "0123456789号座栋幢村室"


def whole_spans(arr: pa.Array, cells: np.ndarray, rec: Recognizer) -> tuple[np.ndarray, ...]:
    """(matched, lead, width) for ``cells``: does the whitespace-trimmed cell match the whole
    pattern, and for those that do, the bytes of leading whitespace and the trimmed length."""
    sub = take_cells(arr, cells)
    trimmed = pc.utf8_trim_whitespace(sub)
    matched = pc.match_substring_regex(trimmed, f"^(?:{rec.pattern})$")
    sub, trimmed = sub.filter(matched), trimmed.filter(matched)
    width = pc.binary_length(trimmed)
    lead = pc.subtract(pc.binary_length(pc.utf8_rtrim_whitespace(sub)), width)
    return (
        matched.to_numpy(zero_copy_only=False),
        lead.to_numpy(zero_copy_only=False),
        width.to_numpy(zero_copy_only=False),
    )


def holding_factor(arr: pa.Array, cells: np.ndarray, rec: Recognizer) -> np.ndarray:
    """The cells of ``cells`` that hold a match of ``rec``'s factor, a necessary condition
    for holding a match of its pattern, tested first since a pass of the factor costs a tenth
    of one of the pattern and spares that pass when no cell is left."""
    factor = required_factor(rec.pattern)
    return matching(arr, cells, factor) if factor else cells


def _spans(parts: list[tuple[np.ndarray, ...]]) -> tuple[np.ndarray, ...]:
    if not parts:
        z = np.zeros(0, np.int64)
        return z, z, z
    return tuple(np.concatenate(p).astype(np.int64) for p in zip(*parts, strict=True))


@register("whole_or_search")
def whole_or_search(buf: TextBuffer, arr: pa.Array, only, rec: Recognizer):
    claims = buf.cache("nlp.address")  # recognizer priority -> cells it matched whole
    hanzi = restrict(cjk_cells(buf), only)
    # A cell matched whole by a higher-priority recognizer (cn_address before the street
    # form) holds no span of this one that survives overlap resolution: it is the longest.
    for priority, claimed in claims.items():
        if priority > rec.priority and len(hanzi):
            hanzi = hanzi[~np.isin(hanzi, claimed, assume_unique=True)]
    cells = may_match(buf, arr, hanzi, rec.pattern, rec.ignore_case)
    searched = 2 * len(cells) < len(hanzi) and anchor_free(rec.pattern)
    if searched:
        cells = matching(arr, holding_factor(arr, cells, rec), rec.pattern)
    if len(cells) == 0:
        return _spans([])
    parts = []
    # Only a cell starting with a character the pattern can start with may be whole.
    whole = may_start(buf, first_chars(rec.pattern, rec.ignore_case))[cells]
    if whole.any():
        matched, lead, width = whole_spans(arr, cells[whole], rec)
        whole[whole] = matched
        full = cells[whole]
        starts = buf.offsets[full] + lead
        parts.append((full, starts, starts + width))
        held = claims.get(rec.priority)
        claims[rec.priority] = full if held is None else np.union1d(held, full)
    rest = cells[~whole]
    rest = rest[holding(arr, rest, PROSE_MARKS)]
    if not searched:
        rest = matching(arr, holding_factor(arr, rest, rec), rec.pattern)
    if len(rest):
        parts.append(family(rec).find(buf, arr, rest))
    return _spans(parts)
