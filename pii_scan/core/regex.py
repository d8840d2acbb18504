"""The ``regex`` recognizer family: RE2 over whole Arrow arrays, Python ``re`` only for leftovers.

pyarrow's RE2 kernels count and locate matches of a whole column in C++, but have no
"extract all" (``../shared/reference/perf-measurements.md``, method c). So: NumPy prefilters on
the folded bytes pick the cells that can match at all (a literal the match must contain, or a
sequence of byte classes it must have one after another); ``count_substring_regex`` counts
matches in those cells only; for cells with exactly one match (the common case: one e-mail
in an ``email`` column) ``find_substring_regex`` and ``extract_regex`` give its byte span
without leaving C++; only cells with two or more matches go to a Python ``re.finditer``
loop. RE2 has no lookaround, so a recognizer's ``boundary`` (characters that must not touch
the match) is checked afterwards on the neighbouring bytes, vectorized.

The prefilters cost a comparison or two per byte of the buffer, about a tenth of an Arrow
substring kernel, and each literal's and sequence's cells are kept on the buffer, so
recognizers sharing one (``:`` for IPv6 and MAC addresses) pay for it once per buffer.
"""

from __future__ import annotations

import re

import numpy as np
import pyarrow as pa
import pyarrow.compute as pc

from ..catalog import Recognizer
from .buffers import TextBuffer, class_positions, touches


def byte_class(chars: str) -> np.ndarray:
    """A byte lookup table for a class body (``0-9A-Z``) or ``non-ascii`` (bytes ≥ 0x80)."""
    if chars == "non-ascii":
        table = np.zeros(256, dtype=bool)
        table[0x80:] = True
        return table
    return boundary_table(chars)


def boundary_table(chars: str) -> np.ndarray:
    """A byte lookup table for an ASCII character class body such as ``0-9A-Za-z.-``.

    >>> t = boundary_table("0-9a-f.-")
    >>> bool(t[ord("7")]), bool(t[ord("-")]), bool(t[ord("g")])
    (True, True, False)
    """
    table = np.zeros(256, dtype=bool)
    i = 0
    while i < len(chars):
        if i + 2 < len(chars) and chars[i + 1] == "-":
            table[ord(chars[i]) : ord(chars[i + 2]) + 1] = True
            i += 3
        else:
            table[ord(chars[i])] = True
            i += 1
    return table


class RegexFamily:
    """Find one regex recognizer's matches in a folded buffer; returns (cells, starts, ends)."""

    def __init__(self, rec: Recognizer):
        self.rec = rec
        flag = "(?i)" if rec.ignore_case else ""
        self.pattern = flag + rec.pattern
        self.extract = f"{flag}(?P<m>{rec.pattern})"
        flags = re.IGNORECASE if rec.ignore_case else 0
        self.python = re.compile(rec.presidio_pattern, flags)
        self.sequence = tuple(byte_class(c) for c in rec.prefilter_sequence)
        self.sequence_implies_literal = sequence_implies_literal(self.sequence, rec.prefilter)
        self.before = boundary_table(rec.boundary)
        self.after = boundary_table(rec.boundary_after)

    def find(
        self, buf: TextBuffer, arr: pa.Array, cells: np.ndarray | None = None
    ) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
        """Matches in ``arr`` (the folded buffer as Arrow), only in ``cells`` (sorted) if given."""
        keep = self._candidates(buf, cells)
        if keep is None:
            idx, sub = None, arr
        else:
            idx = np.flatnonzero(keep)
            if len(idx) == 0:
                return _empty()
            sub = arr.take(pa.array(idx))
        if self.rec.prefilter and self.rec.ignore_case:
            # Arrow's case folding is Unicode-aware; a byte test would not be the same filter.
            mask = None
            for lit in self.rec.prefilter:
                hit = pc.match_substring(sub, lit, ignore_case=True)
                mask = hit if mask is None else pc.or_(mask, hit)
            hit = np.flatnonzero(mask.to_numpy(zero_copy_only=False))
            if len(hit) == 0:
                return _empty()
            idx = hit if idx is None else idx[hit]
            sub = sub.take(pa.array(hit))
        return self._re2_matches(buf, sub, idx)

    def _candidates(self, buf: TextBuffer, cells: np.ndarray | None) -> np.ndarray | None:
        """A boolean per cell: may it hold a match? ``None`` when every cell may."""
        keep = None
        if cells is not None:
            keep = np.zeros(buf.n_cells, dtype=bool)
            keep[cells] = True
        # Literals first: one comparison per byte, and usually nothing found ends it here.
        if self.rec.prefilter and not self.rec.ignore_case and not self.sequence_implies_literal:
            any_lit = np.zeros(buf.n_cells, dtype=bool)
            for lit in self.rec.prefilter:
                any_lit |= literal_cells(buf, lit.encode())
            keep = any_lit if keep is None else keep & any_lit
        if self.sequence and (keep is None or keep.any()):
            held = sequence_cells(buf, self.sequence)
            keep = held if keep is None else keep & held
        return keep

    def _re2_matches(
        self, buf: TextBuffer, sub: pa.Array, idx: np.ndarray | None
    ) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
        """Matches in ``sub``, the cells ``idx`` of the buffer (all of them if ``None``)."""
        counts = pc.count_substring_regex(sub, self.pattern).to_numpy(zero_copy_only=False)
        cells_c, starts_c, ends_c = _empty()
        one = np.flatnonzero(counts == 1)
        python_cells = [np.flatnonzero(counts > 1)]
        if len(one):
            sub_one = sub.take(pa.array(one))
            start = pc.find_substring_regex(sub_one, self.pattern)
            value = pc.struct_field(pc.extract_regex(sub_one, self.extract), [0])
            length = pc.binary_length(value).to_numpy(zero_copy_only=False).astype(np.int64)
            cells_c = one if idx is None else idx[one]
            starts_c = buf.offsets[cells_c] + start.to_numpy(zero_copy_only=False).astype(np.int64)
            ends_c = starts_c + length
            ok = self._bounded(buf, cells_c, starts_c, ends_c)
            # A leftmost match touching a boundary may hide a good one further on.
            python_cells.append(one[~ok])
            cells_c, starts_c, ends_c = cells_c[ok], starts_c[ok], ends_c[ok]
        rest = np.concatenate(python_cells)
        if len(rest):
            rest = np.sort(rest if idx is None else idx[rest])
            c, s, e = self._python_matches(buf, rest)
            cells_c = np.concatenate((cells_c, c))
            starts_c = np.concatenate((starts_c, s))
            ends_c = np.concatenate((ends_c, e))
        return cells_c, starts_c, ends_c

    def _bounded(self, buf: TextBuffer, cells, starts, ends) -> np.ndarray:
        """True where no boundary character touches the span."""
        hit_before, hit_after = touches(buf, cells, starts, ends, self.before, self.after)
        return (ends > starts) & ~hit_before & ~hit_after

    def _python_matches(self, buf: TextBuffer, cells: np.ndarray):
        """The rare cells with several matches, or whose first match touched a boundary:
        ``re.finditer`` with lookaround boundaries, offsets turned into bytes."""
        out_c, out_s, out_e = [], [], []
        data = buf.data
        for cell in cells.tolist():
            lo, hi = int(buf.offsets[cell]), int(buf.offsets[cell + 1])
            text = bytes(data[lo:hi]).decode("utf-8", errors="replace")
            for m in self.python.finditer(text):
                s = lo + len(text[: m.start()].encode())
                out_c.append(cell)
                out_s.append(s)
                out_e.append(s + len(m.group().encode()))
        return (np.array(out_c, np.int64), np.array(out_s, np.int64), np.array(out_e, np.int64))


def sequence_implies_literal(sequence: tuple[np.ndarray, ...], literals: tuple[str, ...]) -> bool:
    """Does every cell with the byte sequence hold one of the literals? (MAC addresses: hex
    digits around one of ``:.-``, and one of ``:``, ``-``, ``.``.) Then the literal test is
    redundant.

    >>> sequence_implies_literal((byte_class("0-9"), byte_class(":.-")), (":", "-", "."))
    True
    >>> sequence_implies_literal((byte_class("0-9"), byte_class(".")), (",",))
    False
    """
    single = np.zeros(256, dtype=bool)
    for lit in literals:
        if len(lit.encode()) == 1:
            single[ord(lit)] = True
    return any(table.any() and not (table & ~single).any() for table in sequence)


def literal_cells(buf: TextBuffer, literal: bytes) -> np.ndarray:
    """A boolean per cell: does the cell contain ``literal`` (bytes, case-sensitive)?

    Kept on the buffer, for recognizers that share a literal.
    """
    store = buf.cache("regex")
    key = ("literal", literal)
    if key not in store:
        store[key] = _literal_cells(buf.data, buf.offsets, literal)
    return store[key]


def _literal_cells(data: np.ndarray, offsets: np.ndarray, literal: bytes) -> np.ndarray:
    """Where the last byte of ``literal`` is (for a Chinese literal a continuation byte, rarer
    than a lead byte), then the other bytes at those positions only."""
    size = len(literal)
    if size == 0:
        return np.ones(len(offsets) - 1, dtype=bool)
    pos = np.flatnonzero(data[size - 1 :] == literal[-1])
    for j in range(size - 1):
        pos = pos[data[pos + j] == literal[j]]
    return _cells_holding(pos, offsets, size)


def sequence_cells(buf: TextBuffer, classes: tuple[np.ndarray, ...]) -> np.ndarray:
    """A boolean per cell: does it hold a byte of each of ``classes``, one after another?

    Kept on the buffer, for recognizers that share a sequence.
    """
    store = buf.cache("regex")
    key = ("sequence", *(c.tobytes() for c in classes))
    if key not in store:
        store[key] = _sequence_cells(buf.data, buf.offsets, classes)
    return store[key]


def _sequence_cells(
    data: np.ndarray, offsets: np.ndarray, classes: tuple[np.ndarray, ...]
) -> np.ndarray:
    """Positions of the rarest class, then a look-up of each other class at its distance.

    Whole masks and their ``&`` cost a dozen passes over the buffer per class; one class is
    usually rare (``.`` after a digit, a capital after a Hanzi, ``:`` between hex digits),
    and its positions are all it takes.

    >>> hex_, sep = byte_class("0-9a-f"), byte_class(":-")
    >>> data = np.frombuffer(b"02:00ab-czzz:00", np.uint8)
    >>> _sequence_cells(data, np.array([0, 5, 10, 15]), (hex_, hex_, sep, hex_, hex_)).tolist()
    [True, False, False]
    """
    width = len(classes)
    if len(data) < width:
        return np.zeros(len(offsets) - 1, dtype=bool)
    rare = _rarest(data, classes)
    pos = class_positions(data[rare : len(data) - width + rare + 1], classes[rare])
    for k, table in enumerate(classes):
        if k != rare and len(pos):
            pos = pos[table[data[pos + k]]]
    return _cells_holding(pos, offsets, width)


_SAMPLE_STRIDE = 251


def _rarest(data: np.ndarray, classes: tuple[np.ndarray, ...]) -> int:
    """Guess from every 251st byte which class is the rarest (only speed depends on the
    guess)."""
    sample = data[::_SAMPLE_STRIDE]
    return int(np.argmin([np.count_nonzero(table[sample]) for table in classes]))


def _cells_holding(pos: np.ndarray, offsets: np.ndarray, span: int) -> np.ndarray:
    """A boolean per cell: does ``[p, p + span)`` lie inside the cell for some ``p`` in ``pos``
    (sorted byte positions)?

    Binary search of whichever is shorter, the positions among the cell offsets or the cell
    offsets among the positions (``.`` in an e-mail column: more positions than cells).
    """
    n_cells = len(offsets) - 1
    hit = np.zeros(n_cells, dtype=bool)
    if len(pos) == 0:
        return hit
    if len(pos) <= n_cells:
        # The last cell starting at or before p holds p (the cells after it are empty).
        cells = np.searchsorted(offsets, pos, side="right") - 1
        hit[cells[pos + span <= offsets[cells + 1]]] = True
        return hit
    first = np.searchsorted(pos, offsets[:-1], side="left")
    past = np.searchsorted(pos, offsets[1:] - span, side="right")
    return past > first


def _empty():
    z = np.zeros(0, np.int64)
    return z, z, z
