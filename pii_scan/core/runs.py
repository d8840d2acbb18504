"""Candidate spans found by byte class, without regular expressions.

Numbers are the bulk of personal identifiers, and a number is a *run*: a maximal stretch of
ASCII digits. Finding every run of a whole buffer takes a few NumPy passes over cache-sized
blocks (:func:`~pii_scan.core.buffers.class_runs`: where the class mask flips), which is
faster than any regex engine reached from Python (``../shared/reference/perf-measurements.md``,
method g). The boundary rule "a run is maximal" replaces ``\\b`` and lookarounds, and works
when digits are glued to Hanzi. Runs are kept on the buffer: digit candidates and alphanumeric
tokens share the digit runs.

Two candidate kinds come out of here:

* **digit candidates**: one run, or several runs joined by one or two separator characters
  (space, ``-``, ``)``) whose group lengths are a grouping some recognizer accepts, e.g.
  ``138 0013 8000`` (3-4-4) or ``+86 138-0013-8000`` (2-3-4-4). A run of 17 digits directly
  followed by ``X``/``x`` takes the letter as its 18th character (resident ID check digit).
* **alphanumeric tokens**: maximal runs of ``[0-9A-Za-z]`` (passports, permits, VINs, USCCs).

Both are returned as :class:`Candidates`: the cell, the byte span in the folded buffer, and
the compact characters gathered into fixed-width matrices, one matrix per length, ready for a
vectorized validator.
"""

from __future__ import annotations

import re
from collections.abc import Iterable
from dataclasses import dataclass

import numpy as np

from .buffers import Runs, TextBuffer, class_positions, touches

_SEPARATORS = np.zeros(256, dtype=bool)
_SEPARATORS[[ord(" "), ord("-"), ord(")")]] = True
_MAX_GROUPS = 5
_CODE_BASE = 32


@dataclass
class Candidates:
    """Same-length candidates: ``chars`` is an (n, length) uint8 matrix of compact characters."""

    length: int
    grouping: int  # grouping code (see grouping_code); 0 for a single run or token
    cells: np.ndarray
    starts: np.ndarray  # byte positions in the folded buffer
    ends: np.ndarray
    chars: np.ndarray

    def __len__(self) -> int:
        return len(self.cells)


def grouping_code(groups: Iterable[int]) -> int:
    """Encode a sequence of group lengths (each < 32) as one integer; one group encodes as 0.

    >>> grouping_code([3, 4, 4]) == grouping_code([3, 4, 4]), grouping_code([11])
    (True, 0)
    """
    groups = list(groups)
    if len(groups) <= 1:
        return 0
    code = len(groups)
    for g in groups:
        code = code * _CODE_BASE + g
    return code


def byte_rows(data: np.ndarray, starts: np.ndarray, length: int) -> np.ndarray:
    """Rows ``data[s : s + length]`` for every ``s`` in ``starts`` (each span inside ``data``).

    The buffer is seen as overlapping ``length``-byte items, one starting at every byte, so a
    row is one item copy: no (n, length) index matrix, and ~3x faster than indexing the rows
    of a 2-D window view.

    >>> byte_rows(np.frombuffer(b"abcdef", np.uint8), np.array([0, 3, 4]), 2).tobytes()
    b'abdeef'
    """
    if length == 0:
        return np.zeros((len(starts), 0), np.uint8)
    items = np.ndarray(
        (len(data) - length + 1,),
        dtype=np.dtype((np.void, length)),
        buffer=np.ascontiguousarray(data),
        strides=(1,),
    )
    return items[starts].view(np.uint8).reshape(-1, length)


DIGIT = np.zeros(256, dtype=bool)
DIGIT[ord("0") : ord("9") + 1] = True
LETTER = np.zeros(256, dtype=bool)
LETTER[ord("A") : ord("Z") + 1] = True
LETTER[ord("a") : ord("z") + 1] = True
ALNUM = DIGIT.copy()
ALNUM[ord("A") : ord("Z") + 1] = True
ALNUM[ord("a") : ord("z") + 1] = True
_NOT_HEX = ALNUM.copy()
_NOT_HEX[ord("0") : ord("9") + 1] = False
_NOT_HEX[ord("A") : ord("F") + 1] = False
_NOT_HEX[ord("a") : ord("f") + 1] = False
#: A word of at least this many hex digits, a letter among them, is a hash, a key or an id.
HEX_WORD = 16
_DASH = np.zeros(256, dtype=bool)
_DASH[ord("-")] = True
_LETTER_OR_DASH = LETTER | _DASH
#: A UUID/GUID as written (8-4-4-4-12 hex digits): its digit runs are no phone.
_UUID = re.compile(rb"[0-9A-Fa-f]{8}-[0-9A-Fa-f]{4}-[0-9A-Fa-f]{4}-[0-9A-Fa-f]{4}-[0-9A-Fa-f]{12}")


def digit_candidates(
    buf: TextBuffer,
    lengths: set[int],
    groupings: set[int],
    check_letter_lengths: set[int],
) -> list[Candidates]:
    """Digit runs and separator-joined run groups whose compact length is in ``lengths``.

    ``groupings``: grouping codes accepted for joined runs. ``check_letter_lengths``: compact
    lengths that may end in X/x (the letter is taken only when no alphanumeric follows it).
    """
    data = buf.data
    runs = buf.runs(DIGIT)
    starts, ends = runs.starts, runs.ends
    if len(starts) == 0:
        return []
    out: list[Candidates] = []
    run_len = ends - starts
    # Which run lengths occur (32 standing for 32 and more), so absent ones cost no pass.
    seen = np.bincount(np.minimum(run_len, _CODE_BASE), minlength=_CODE_BASE + 1) > 0

    # Single runs (optionally with their check letter).
    for length in sorted(lengths):
        if seen[min(length, _CODE_BASE)]:
            idx = np.flatnonzero(run_len == length)
            out.append(
                Candidates(
                    length,
                    0,
                    runs.cells_at(idx, buf.offsets),
                    starts[idx],
                    ends[idx],
                    byte_rows(data, starts[idx], length),
                )
            )
        if length in check_letter_lengths and length > 1 and seen[min(length - 1, _CODE_BASE)]:
            idx = np.flatnonzero(run_len == length - 1)
            cells = runs.cells_at(idx, buf.offsets)
            ok = _check_letter_follows(buf, ends[idx], cells)
            if ok.any():
                idx = idx[ok]
                out.append(
                    Candidates(
                        length,
                        0,
                        cells[ok],
                        starts[idx],
                        ends[idx] + 1,
                        byte_rows(data, starts[idx], length),
                    )
                )

    if not groupings or len(starts) < 2:
        return out
    joinable = _joinable_links(buf, runs)
    wanted = np.array(sorted(groupings), dtype=np.int64)
    max_groups = min(_MAX_GROUPS, len(starts))
    for k in range(2, max_groups + 1):
        # Run i starts a k-group if links i .. i+k-2 are all joinable: the sorted link list
        # then holds i and, k-2 places later, i+k-2.
        if len(joinable) < k - 1:
            break
        first = joinable[: len(joinable) - k + 2]
        first = first[joinable[k - 2 :] == first + (k - 2)]
        if len(first) == 0:
            continue
        code = np.full(len(first), k, dtype=np.int64)
        total = np.zeros(len(first), dtype=np.int64)
        for j in range(k):
            code = code * _CODE_BASE + np.minimum(run_len[first + j], _CODE_BASE - 1)
            total += run_len[first + j]
        hit = np.isin(code, wanted) & np.isin(total, np.array(sorted(lengths)))
        if not hit.any():
            continue
        first, code, total = first[hit], code[hit], total[hit]
        for c in np.unique(code):
            sel = first[code == c]
            parts = [byte_rows(data, starts[sel + j], int(run_len[sel[0] + j])) for j in range(k)]
            chars = np.concatenate(parts, axis=1)
            out.append(
                Candidates(
                    chars.shape[1],
                    int(c),
                    runs.cells_at(sel, buf.offsets),
                    starts[sel],
                    ends[sel + k - 1],
                    chars,
                )
            )
    return out


def _check_letter_follows(buf: TextBuffer, ends: np.ndarray, cells: np.ndarray) -> np.ndarray:
    """A boolean per run end: is the next byte of the cell X/x, not followed by another
    alphanumeric of the cell?"""
    data = buf.data
    cell_end = buf.offsets[cells + 1]
    letter = np.minimum(ends, len(data) - 1)
    has_letter = (ends < cell_end) & ((data[letter] | 0x20) == ord("x"))
    after = np.minimum(ends + 1, len(data) - 1)
    return has_letter & ((ends + 1 >= cell_end) | ~ALNUM[data[after]])


def _joinable_links(buf: TextBuffer, runs: Runs) -> np.ndarray:
    """Sorted indices ``i`` where run ``i + 1`` follows run ``i`` in its cell after one or two
    separator bytes.

    Most runs are far from the next one (or glued to it at a cell edge), so the gap alone
    leaves few links to look at closer.
    """
    data, starts, ends = buf.data, runs.starts, runs.ends
    gap = starts[1:] - ends[:-1]
    near = np.flatnonzero((gap - 1).astype(np.uint64) < 2)  # gap 1 or 2
    if len(near) == 0:
        return near
    after = ends[near]
    next_cell = buf.offsets[runs.cells_at(near, buf.offsets) + 1]
    ok = (starts[near + 1] < next_cell) & _SEPARATORS[data[after]]
    two = gap[near] == 2
    ok[two] &= _SEPARATORS[data[after[two] + 1]]
    return near[ok]


def alnum_tokens(buf: TextBuffer, lengths: set[int]) -> list[Candidates]:
    """Maximal ``[0-9A-Za-z]`` runs whose length is in ``lengths`` and that hold a letter."""
    if not buf.holds_any(LETTER):
        return []
    runs = buf.runs(ALNUM)
    run_len = runs.ends - runs.starts
    keep = np.flatnonzero(_length_in(run_len, lengths))
    digits = buf.runs(DIGIT)
    keep = keep[~_same_runs(runs.starts[keep], runs.ends[keep], digits.starts, digits.ends)]
    starts, ends, run_len = runs.starts[keep], runs.ends[keep], run_len[keep]
    cells = runs.cells_at(keep, buf.offsets)
    out: list[Candidates] = []
    for length in sorted(lengths):
        idx = np.flatnonzero(run_len == length)
        if len(idx):
            chars = byte_rows(buf.data, starts[idx], length)
            out.append(Candidates(length, 0, cells[idx], starts[idx], ends[idx], chars))
    return out


def _length_in(run_len: np.ndarray, lengths: set[int]) -> np.ndarray:
    """``np.isin(run_len, lengths)`` as one table look-up (``isin`` compares once per length)."""
    cap = max(lengths, default=0) + 1
    table = np.zeros(cap + 1, dtype=bool)
    table[sorted(lengths)] = True
    return np.take(table, np.minimum(run_len, cap))


def _same_runs(
    starts: np.ndarray, ends: np.ndarray, other_starts: np.ndarray, other_ends: np.ndarray
) -> np.ndarray:
    """A boolean per run ``[starts, ends)``: is it also a run of the other (sorted) list?

    An alphanumeric run without a letter is a run of digits, maximal and cut at cell edges
    alike, so the cached digit runs tell letters apart without a letter mask of the buffer.
    """
    if len(other_starts) == 0:
        return np.zeros(len(starts), dtype=bool)
    i = np.minimum(np.searchsorted(other_starts, starts), len(other_starts) - 1)
    return (other_starts[i] == starts) & (other_ends[i] == ends)


def _runs_holding(starts: np.ndarray, ends: np.ndarray, positions: np.ndarray) -> np.ndarray:
    """Sorted indices of the runs that contain at least one of the sorted ``positions``."""
    if len(starts) == 0 or len(positions) == 0:
        return np.zeros(0, np.int64)
    run = np.searchsorted(starts, positions, side="right") - 1
    inside = (run >= 0) & (positions < ends[np.maximum(run, 0)])
    run = run[inside]
    if len(run) == 0:
        return run
    return run[np.concatenate(([True], run[1:] != run[:-1]))]


# Below one ``must`` byte in this many bytes, the runs are found around the ``must`` bytes;
# above, over the whole buffer (the windows around them would outweigh the buffer).
_SPARSE = 256
_NEAR = 32  # bytes looked at first on either side of a ``must`` byte
_WINDOW_BYTES = 1 << 16


def _reach(
    data: np.ndarray,
    table: np.ndarray,
    positions: np.ndarray,
    bound: np.ndarray,
    step: int,
    width: int,
) -> np.ndarray:
    """How many ``table`` bytes follow each position (``step`` 1) or precede it (``step``
    -1), stopping at ``bound`` (exclusive, per position); ``width`` where there are at least
    that many."""
    out = np.empty(len(positions), dtype=np.int64)
    offsets = np.arange(1, width + 1, dtype=np.int64) * step
    chunk = max(1, _WINDOW_BYTES // width)  # bounds the (positions, width) index matrix
    for i in range(0, len(positions), chunk):
        at = positions[i : i + chunk, None] + offsets
        edge = bound[i : i + chunk, None]
        ok = np.take(table, np.take(data, at, mode="clip"))
        ok &= (at < edge) if step > 0 else (at > edge)
        stop = np.argmin(ok, axis=1)
        out[i : i + chunk] = np.where(ok[np.arange(len(ok)), stop], width, stop)
    return out


def _runs_around(
    buf: TextBuffer, table: np.ndarray, positions: np.ndarray, limit: int
) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
    """(cells, starts, ends) of the maximal runs of ``table`` bytes holding the sorted
    ``positions`` (which must be ``table`` bytes), each run once; runs reaching ``limit``
    bytes out on one side are left out.

    Looks at a few bytes either side of each position, and further only where that was not
    enough, so the cost follows the number of positions, not the size of the buffer.
    """
    data = buf.data
    cells = buf.cell_of(positions)
    lows, highs = buf.offsets[cells] - 1, buf.offsets[cells + 1]
    sides = []
    for step, bound in ((-1, lows), (1, highs)):
        reach = _reach(data, table, positions, bound, step, min(_NEAR, limit))
        far = np.flatnonzero(reach >= _NEAR)
        if len(far) and limit > _NEAR:
            reach[far] = _reach(data, table, positions[far], bound[far], step, limit)
        sides.append(reach)
    left, right = sides
    ok = (left < limit) & (right < limit)
    cells, starts, ends = cells[ok], (positions - left)[ok], (positions + right + 1)[ok]
    if len(starts) > 1:
        first = np.concatenate(([True], starts[1:] != starts[:-1]))
        cells, starts, ends = cells[first], starts[first], ends[first]
    return cells, starts, ends


def word_spans(
    buf: TextBuffer,
    charset: np.ndarray,
    must: np.ndarray,
    trim: np.ndarray,
    max_length: int = 320,
    *,
    inside: bool = False,
) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
    """Maximal runs of ``charset`` bytes that hold a ``must`` byte, with ``trim`` bytes cut
    from both ends: e-mail addresses (``[A-Za-z0-9._%+-@]`` holding ``@``) and dotted quads.
    With ``inside``, only a must byte inside its run counts (between two ``charset`` bytes of
    its cell): the dots of an e-mail column (``163.com``) then leave no dotted-quad run.

    Returns (cells, starts, ends) in the folded buffer. Where ``must`` bytes are rare (an
    ``@`` in prose) the runs are found around them; where they are common (an e-mail column),
    over the whole buffer.
    """
    empty = np.zeros(0, np.int64)
    data = buf.data
    must_at = class_positions(data, must)
    must_at = must_at[charset[data[must_at]]]  # a byte outside the charset is in no run
    if inside and len(must_at):  # between two bytes of its own run: not at a cell's edge
        edge = np.zeros(len(data) + 1, dtype=bool)
        edge[buf.offsets] = True
        before = charset[data[np.maximum(must_at - 1, 0)]] & ~edge[must_at]
        after = charset[data[np.minimum(must_at + 1, len(data) - 1)]] & ~edge[must_at + 1]
        must_at = must_at[before & after]
    if len(must_at) == 0:
        return empty, empty, empty
    if len(must_at) * _SPARSE <= len(data):
        # Trimming cuts at most 8 bytes, so a run longer than max_length + 8 is never kept.
        cells, starts, ends = _runs_around(buf, charset, must_at, max_length + 9)
        starts, ends = _trim(data, starts, ends, trim, 4)
        ok = (ends - starts > 0) & (ends - starts <= max_length)
        return cells[ok], starts[ok], ends[ok]
    runs = buf.runs(charset)
    keep = _runs_holding(runs.starts, runs.ends, must_at)
    starts, ends = _trim(data, runs.starts[keep], runs.ends[keep], trim, 4)
    ok = (ends - starts > 0) & (ends - starts <= max_length)
    return runs.cells_at(keep[ok], buf.offsets), starts[ok], ends[ok]


def _trim(
    data: np.ndarray, starts: np.ndarray, ends: np.ndarray, trim: np.ndarray, times: int
) -> tuple[np.ndarray, np.ndarray]:
    """Cut a ``trim`` byte off the end, then off the start, of every non-empty span, up to
    ``times`` rounds; a round goes only over the spans the previous one cut and left
    non-empty."""
    active = None  # all spans; the first round makes new arrays, later ones write to them
    for _ in range(times):
        s = starts if active is None else starts[active]
        e = ends if active is None else ends[active]
        cut_end = (e > s) & trim[data[np.maximum(e - 1, 0)]]
        e = e - cut_end
        cut_start = (e > s) & trim[data[np.minimum(s, len(data) - 1)]]
        s = s + cut_start
        again = (cut_end | cut_start) & (e > s)  # an emptied span stays empty
        if active is None:
            starts, ends = s, e
            active = np.flatnonzero(again)
        else:
            starts[active], ends[active] = s, e
            active = active[again]
        if len(active) == 0:
            break
    return starts, ends


def in_hex_words(
    buf: TextBuffer, cells: np.ndarray, starts: np.ndarray, ends: np.ndarray
) -> np.ndarray:
    """Per digit span: does it lie in a word of :data:`HEX_WORD` or more hex digits with a
    letter (``…3f2a13800138000bc9…``, an MD5 or SHA-1)? A phone-like run there is no phone.
    Only spans a letter touches are looked at: in other text this costs nothing.

    >>> b = TextBuffer.from_strings(["9f3a13800138000bc1d2", "tel13800138000", "13800138000"])
    >>> in_hex_words(b, np.array([0, 1, 2]), np.array([4, 23, 34]), np.array([15, 34, 45])).tolist()
    [True, False, False]
    """
    data = buf.data
    out = np.zeros(len(starts), dtype=bool)
    idx = _touched_by(buf, cells, starts, ends, LETTER)
    if len(idx) == 0:
        return out
    words = buf.runs(ALNUM)
    w = np.searchsorted(words.starts, starts[idx], side="right") - 1
    w_start, w_end = words.starts[w], words.ends[w]
    idx, w_start, w_end = (a[w_end - w_start >= HEX_WORD] for a in (idx, w_start, w_end))
    if len(idx) == 0:
        return out
    # The bytes of those words only (never a pass over the whole batch): any not hex?
    lengths = w_end - w_start
    firsts = np.concatenate(([0], np.cumsum(lengths)[:-1]))
    positions = np.repeat(w_start - firsts, lengths) + np.arange(int(lengths.sum()))
    out[idx] = np.add.reduceat(_NOT_HEX[data[positions]], firsts) == 0
    return out


def _touched_by(buf: TextBuffer, cells, starts, ends, table: np.ndarray) -> np.ndarray:
    """Indices of the spans that a byte of ``table`` touches, before or after."""
    if len(starts) == 0:
        return np.zeros(0, dtype=np.int64)
    before, after = touches(buf, cells, starts, ends, table, table)
    return np.flatnonzero(before | after)


def in_uuids(
    buf: TextBuffer, cells: np.ndarray, starts: np.ndarray, ends: np.ndarray
) -> np.ndarray:
    """Per digit span: does it lie in a UUID (``5f9d0644-7691-4657-8787-a0e8490201be``)? Its
    groups are too short for :func:`in_hex_words`, and 0.2% of random UUIDs hold a run that
    passes as a landline or a mobile. Only the cells of spans a letter or a dash touches are
    looked at, one by one: few, in any text.

    >>> b = TextBuffer.from_strings(["id 5f9d0644-7691-4657-8787-a0e8490201be", "tel-0644-7691"])
    >>> in_uuids(b, np.array([0, 1]), np.array([7, 43]), np.array([21, 52])).tolist()
    [True, False]
    """
    out = np.zeros(len(starts), dtype=bool)
    if not buf.bytes_present()[ord("-")]:
        return out
    idx = _touched_by(buf, cells, starts, ends, _LETTER_OR_DASH)
    offsets = buf.offsets
    idx = idx[offsets[cells[idx] + 1] - offsets[cells[idx]] >= 36]  # a UUID's 36 bytes
    data = buf.data
    spans_of: dict[int, list[tuple[int, int]]] = {}
    for i in idx.tolist():
        cell = int(cells[i])
        if cell not in spans_of:
            lo, hi = int(offsets[cell]), int(offsets[cell + 1])
            text = data[lo:hi].tobytes()
            found = _UUID.finditer(text) if text.count(b"-") >= 4 else ()
            spans_of[cell] = [(lo + m.start(), lo + m.end()) for m in found]
        s, e = int(starts[i]), int(ends[i])
        out[i] = any(a <= s and e <= b for a, b in spans_of[cell])
    return out
