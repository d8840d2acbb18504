"""``whole_or_search``: patterns too large for RE2's fast span extraction (addresses).

RE2 answers "does this cell match?" with its DFA, fast even for a pattern with a thousand
division names; *where* a match starts and ends needs its NFA, about a hundred times slower
for such a pattern. Most cells of an address column are nothing but the address, so:

1. cells holding a Hanzi are tested whole (``^pattern$``, DFA): a full match is the trimmed
   cell, no extraction needed;
2. the other cells, if they hold a digit or 号/座/栋/幢/村/室 (an address in prose has a
   number, a building or a village), are tested
   unanchored (DFA), and only those that match go through the core's span extraction
   (:class:`~pii_scan.core.regex.RegexFamily`).

In prose a cell rarely holds an address, so step 2 touches few cells.
"""

from __future__ import annotations

import numpy as np
import pyarrow as pa
import pyarrow.compute as pc

from ..catalog import Recognizer
from ..core.buffers import TextBuffer
from ..core.firstchar import first_chars, may_start
from ..core.functions import register
from .gate import cells_with_chars, cells_with_digits, cjk_cells, restrict
from .vocab import family


@register("whole_or_search")
def whole_or_search(buf: TextBuffer, arr: pa.Array, only, rec: Recognizer):
    cells = restrict(cjk_cells(buf), only)
    z = np.zeros(0, np.int64)
    if len(cells) == 0:
        return z, z, z
    # Only a cell starting with a character the pattern can start with may be whole.
    whole = may_start(buf, first_chars(rec.pattern, rec.ignore_case))[cells]
    sub = arr.take(pa.array(cells[whole]))
    trimmed = pc.utf8_trim_whitespace(sub)
    matched = pc.match_substring_regex(trimmed, f"^(?:{rec.pattern})$")
    whole[whole] = matched.to_numpy(zero_copy_only=False)
    full = cells[whole]
    sub = arr.take(pa.array(full))
    trimmed = pc.utf8_trim_whitespace(sub)
    lead = pc.subtract(
        pc.binary_length(pc.utf8_rtrim_whitespace(sub)), pc.binary_length(trimmed)
    ).to_numpy(zero_copy_only=False)
    width = pc.binary_length(trimmed).to_numpy(zero_copy_only=False)
    starts = buf.offsets[full] + lead
    out_c, out_s, out_e = [full], [starts], [starts + width]
    rest = cells[~whole]
    # An address in prose has a number, or a building or village.
    rest = rest[cells_with_digits(buf)[rest] | cells_with_chars(buf, "号座栋幢村室")[rest]]
    if len(rest):
        hit = pc.match_substring_regex(arr.take(pa.array(rest)), rec.pattern)
        rest = rest[hit.to_numpy(zero_copy_only=False)]
        if len(rest):
            c, s, e = family(rec).find(buf, arr, rest)
            out_c.append(c)
            out_s.append(s)
            out_e.append(e)
    return (
        np.concatenate(out_c).astype(np.int64),
        np.concatenate(out_s).astype(np.int64),
        np.concatenate(out_e).astype(np.int64),
    )
