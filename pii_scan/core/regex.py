"""The ``regex`` recognizer family: RE2 over whole Arrow arrays, Python ``re`` only for leftovers.

pyarrow's RE2 kernels count and locate matches of a whole column in C++, but have no
"extract all" (``../shared/reference/perf-measurements.md``, method c). So: a literal prefilter
picks the cells that can match at all; ``count_substring_regex`` counts matches per cell;
for cells with exactly one match (the common case: one e-mail in an ``email`` column)
``find_substring_regex`` and ``extract_regex`` give its byte span without leaving C++; only cells
with two or more matches go to a Python ``re.finditer`` loop. RE2 has no lookaround, so a
recognizer's ``boundary`` (characters that must not touch the match) is checked afterwards on
the neighbouring bytes, vectorized.
"""

from __future__ import annotations

import re

import numpy as np
import pyarrow as pa
import pyarrow.compute as pc

from ..catalog import Recognizer
from .buffers import TextBuffer


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
        self.pair = tuple(byte_class(c) for c in rec.prefilter_pair)
        self.before = boundary_table(rec.boundary)
        self.after = boundary_table(rec.boundary_after)

    def find(
        self, buf: TextBuffer, arr: pa.Array, cells: np.ndarray | None = None
    ) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
        """Matches in ``arr`` (the folded buffer as Arrow), only in ``cells`` if given."""
        rec = self.rec
        idx: np.ndarray | None = cells
        if idx is not None:
            if len(idx) == 0:
                return _empty()
            arr = arr.take(pa.array(idx))
        if self.pair:
            hit = _cells_with_pair(buf, *self.pair)
            hit = hit if idx is None else np.intersect1d(idx, hit, assume_unique=True)
            if len(hit) == 0:
                return _empty()
            arr = arr.take(pa.array(hit if idx is None else np.searchsorted(idx, hit)))
            idx = hit
        if rec.prefilter:
            mask = None
            for lit in rec.prefilter:
                hit = pc.match_substring(arr, lit, ignore_case=rec.ignore_case)
                mask = hit if mask is None else pc.or_(mask, hit)
            hit = np.flatnonzero(mask.to_numpy(zero_copy_only=False))
            if len(hit) == 0:
                return _empty()
            idx = hit if idx is None else idx[hit]
            sub = arr.take(pa.array(hit))
        else:
            sub = arr
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
        data = buf.data
        keep = ends > starts
        before = data[np.maximum(starts - 1, 0)]
        after = data[np.minimum(ends, len(data) - 1)]
        keep &= (starts == buf.offsets[cells]) | ~self.before[before]
        keep &= (ends == buf.offsets[cells + 1]) | ~self.after[after]
        return keep

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


def _cells_with_pair(buf: TextBuffer, first: np.ndarray, second: np.ndarray) -> np.ndarray:
    """Sorted indices of cells where a ``first``-class byte is followed by a ``second`` one."""
    data = buf.data
    if len(data) < 2:
        return np.zeros(0, np.int64)
    pos = np.flatnonzero(buf.byte_mask(first)[:-1] & buf.byte_mask(second)[1:])
    if len(pos) == 0:
        return np.zeros(0, np.int64)
    cells = buf.cell_of(pos)
    same_cell = cells == buf.cell_of(pos + 1)
    cells = cells[same_cell]
    return cells[np.concatenate(([True], cells[1:] != cells[:-1]))] if len(cells) else cells


def _empty():
    z = np.zeros(0, np.int64)
    return z, z, z
