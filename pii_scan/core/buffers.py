"""A string array seen as one UTF-8 byte buffer, the unit the matching core works on.

Every recognizer family scans the same :class:`TextBuffer`: the data bytes of a whole Arrow
string array (one cell after another) and the byte offsets where each cell starts. Before
matching, full-width ASCII forms (``１３８``, ``ＡＢ``, ``（``) and the ideographic space are folded
to ASCII, because Chinese text uses them for the same identifiers. Folding shortens the buffer, so
the buffer keeps a map from every folded byte back to the original byte, and findings are
reported in code points of the original cell.

>>> import pyarrow as pa
>>> buf = TextBuffer.from_array(pa.array(["电话１３８", None, "ab"]))
>>> bytes(buf.data).decode()
'电话138ab'
>>> buf.codepoint_offsets(buf.cell_of(buf.find(b"138")), buf.find(b"138")).tolist()
[2]
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import NamedTuple

import numpy as np
import pyarrow as pa
import pyarrow.compute as pc

_EMPTY = np.zeros(0, dtype=np.uint8)
# Whole-buffer passes go block by block through small reused arrays: temporaries as large as
# the buffer cost more in page faults than the comparisons themselves, and a block stays in
# cache, where a comparison costs ~0.05 ns per byte.
_BLOCK = 1 << 18


def _array_buffers(arr: pa.Array) -> tuple[np.ndarray, np.ndarray]:
    """Return (data bytes, cell offsets as int64) of a string array, nulls as empty cells."""
    if isinstance(arr, pa.ChunkedArray):
        arr = arr.combine_chunks() if arr.num_chunks != 1 else arr.chunk(0)
    if pa.types.is_string_view(arr.type) or pa.types.is_binary_view(arr.type):
        arr = arr.cast(pa.large_string())
    elif not (pa.types.is_string(arr.type) or pa.types.is_large_string(arr.type)):
        arr = arr.cast(pa.string())
    if arr.null_count:
        arr = pc.fill_null(arr, "")
    offset_type = np.int64 if pa.types.is_large_string(arr.type) else np.int32
    bufs = arr.buffers()
    n = len(arr)
    offsets = np.frombuffer(bufs[1], dtype=offset_type, count=arr.offset + n + 1)[arr.offset :]
    offsets = offsets.astype(np.int64)
    data = np.frombuffer(bufs[2], dtype=np.uint8) if bufs[2] is not None else _EMPTY
    start, end = int(offsets[0]), int(offsets[-1])
    data = data[start:end]
    return data, offsets - start


@dataclass
class TextBuffer:
    """Folded bytes of all cells, with the way back to the original cells.

    ``data``: folded UTF-8 bytes of every cell, back to back. ``offsets``: ``n_cells + 1`` byte
    offsets of the cells in ``data``. ``original``: the unfolded bytes; ``original_offsets``: the
    cells in ``original``; ``folded_at``: sorted positions in ``data`` of the characters that
    were folded from three bytes to one (``None`` when nothing was folded), which is all it takes
    to map a position back: each folded character before it moved it by two bytes.
    """

    data: np.ndarray
    offsets: np.ndarray
    original: np.ndarray
    original_offsets: np.ndarray
    folded_at: np.ndarray | None

    @classmethod
    def from_array(cls, arr: pa.Array | pa.ChunkedArray) -> TextBuffer:
        data, offsets = _array_buffers(arr)
        folded, new_offsets, folded_at = fold_fullwidth(data, offsets)
        return cls(folded, new_offsets, data, offsets, folded_at)

    @classmethod
    def from_strings(cls, values: list[str | None]) -> TextBuffer:
        return cls.from_array(pa.array(values, type=pa.string()))

    @property
    def n_cells(self) -> int:
        return len(self.offsets) - 1

    def cell_of(self, positions: np.ndarray | int) -> np.ndarray:
        """Cell index of each folded byte position."""
        return np.searchsorted(self.offsets, np.atleast_1d(positions), side="right") - 1

    def find(self, needle: bytes) -> int:
        """Byte position of the first occurrence of ``needle`` in the folded data (for tests)."""
        return bytes(self.data).find(needle)

    def original_position(self, positions: np.ndarray) -> np.ndarray:
        """Map folded byte positions (start or end-exclusive) to original byte positions."""
        positions = np.asarray(positions, dtype=np.int64)
        if self.folded_at is None:
            return positions
        return positions + 2 * np.searchsorted(self.folded_at, positions, side="left")

    def runs(self, table: np.ndarray) -> Runs:
        """:func:`class_runs` of the folded data, computed once per buffer and table: the
        digit runs serve both the digit candidates and the alphanumeric tokens."""
        store = getattr(self, "_runs", None)
        if store is None:
            store = self._runs = {}
        key = table.tobytes()
        if key not in store:
            if (self.bytes_present() & ~table).any():
                store[key] = class_runs(self.data, self.offsets, table)
            else:  # every byte is of the class (a column of numbers): a run is a whole cell
                filled = np.flatnonzero(self.offsets[1:] > self.offsets[:-1])
                store[key] = Runs(self.offsets[filled], self.offsets[filled + 1], filled)
        return store[key]

    def cache(self, owner: str) -> dict:
        """A dict for ``owner``'s results on this buffer (prefilter cells, trigger passes),
        computed once and shared by the recognizers of one ``match_array`` call."""
        caches = self.__dict__.setdefault("_caches", {})
        return caches.setdefault(owner, {})

    def bytes_present(self) -> np.ndarray:
        """A boolean per byte value: does it occur anywhere in the folded data?

        One pass (~1.3 ns per byte, a 65,536-bin count of byte pairs) answers, for every
        recognizer at once, whether the batch holds any byte its matches need: a column of
        numbers has no ``@``, no letter and no Hanzi, so those recognizers skip it outright.

        >>> import pyarrow as pa
        >>> present = TextBuffer.from_array(pa.array(["a1", None, "@"])).bytes_present()
        >>> [chr(b) for b in np.flatnonzero(present)]
        ['1', '@', 'a']
        """
        present = getattr(self, "_present", None)
        if present is None:
            present = byte_presence(self.data)
            self._present = present
        return present

    def holds_any(self, table: np.ndarray) -> bool:
        """Does the folded data hold at least one byte of ``table`` (256 booleans)?"""
        return bool((self.bytes_present() & table).any())

    def codepoint_offsets(self, cells: np.ndarray, positions: np.ndarray) -> np.ndarray:
        """Code point offsets, within their original cell, of folded byte positions.

        A folded end position that falls just after a folded character maps to the end of the
        original (3-byte) character, because the next original byte is the next character.
        """
        cells = np.atleast_1d(np.asarray(cells, dtype=np.int64))
        orig = np.atleast_1d(self.original_position(positions))
        base = self.original_offsets[cells]
        leads = self._leads()
        if leads is None:  # pure ASCII: a byte is a code point
            return orig - base
        return leads.count_before(orig) - leads.count_before(base)

    def _leads(self) -> BlockCounts | None:
        """Where code points start in the original bytes (not ``10xxxxxx``); ``None`` for
        pure ASCII."""
        if not hasattr(self, "_lead_bytes"):
            data = self.original
            if len(data) == 0 or not (data >= 0x80).any():
                self._lead_bytes = None
            else:
                self._lead_bytes = BlockCounts((data & 0xC0) != 0x80)
        return self._lead_bytes


class BlockCounts:
    """How many true entries of a boolean mask lie before a position, for many positions.

    Two levels instead of a running count over the whole buffer (which costs 4-8 bytes per
    byte): counts per block of 16 bytes, then the part of a block before each position, read
    through a sliding window so that only (positions × 16) bytes are gathered.

    >>> bc = BlockCounts(np.array([1, 0, 1, 1] * 40, bool))
    >>> bc.count_before(np.array([0, 3, 150, 160])).tolist()
    [0, 2, 112, 120]
    """

    BLOCK = 16

    def __init__(self, mask: np.ndarray):
        n_blocks = len(mask) // self.BLOCK + 2  # the partial last block and one of zeros
        ones = np.zeros(n_blocks * self.BLOCK, dtype=np.uint8)
        ones[: len(mask)] = mask
        per_block = ones.reshape(n_blocks, self.BLOCK).sum(axis=1, dtype=np.int64)
        self.before_block = np.zeros(n_blocks, dtype=np.int64)
        np.cumsum(per_block[:-1], out=self.before_block[1:])
        self.window = np.lib.stride_tricks.sliding_window_view(ones, self.BLOCK)
        self.size = len(mask)

    def count_before(self, pos: np.ndarray) -> np.ndarray:
        """``mask[:p].sum()`` for every ``p`` in ``pos`` (``0 <= p <= len(mask)``)."""
        pos = np.asarray(pos, dtype=np.int64)
        block = pos // self.BLOCK
        rows = self.window[block * self.BLOCK]
        before = np.arange(self.BLOCK) < (pos - block * self.BLOCK)[:, None]
        return self.before_block[block] + (rows & before).sum(axis=1, dtype=np.int64)


def byte_presence(data: np.ndarray) -> np.ndarray:
    """A boolean per byte value: does it occur in ``data`` (uint8)?

    ``np.bincount`` widens every element to 64 bits, so it counts byte *pairs* (uint16, half
    as many elements) and reads both bytes of each pair that occurs. It goes block by block,
    so the widened copy stays small (a fifth faster than one count over the whole buffer).

    >>> [chr(b) for b in np.flatnonzero(byte_presence(np.frombuffer(b"abca!", np.uint8)))]
    ['!', 'a', 'b', 'c']
    """
    present = np.zeros(256, dtype=bool)
    even = len(data) // 2 * 2
    if even:
        pairs = data[:even].view(np.uint16)
        seen = np.zeros(1 << 16, dtype=bool)
        step = max(1, _BLOCK // 2)
        for start in range(0, len(pairs), step):
            counts = np.bincount(pairs[start : start + step])
            seen[: len(counts)] |= counts.astype(bool)
        both = np.flatnonzero(seen)
        present[both & 0xFF] = True
        present[both >> 8] = True
    if len(data) > even:
        present[data[-1]] = True
    return present


def take_cells(arr: pa.Array, cells: np.ndarray) -> pa.Array:
    """The cells ``cells`` (sorted, distinct indices) of ``arr``: ``arr`` itself when they
    are all of it (a name column is all Hanzi), else a copy of those cells.

    >>> take_cells(pa.array(["a", "b", "c"]), np.array([0, 2])).to_pylist()
    ['a', 'c']
    """
    if len(cells) == len(arr):
        return arr
    return arr.take(pa.array(cells))


def touches(
    buf: TextBuffer,
    cells: np.ndarray,
    starts: np.ndarray,
    ends: np.ndarray,
    before: np.ndarray,
    after: np.ndarray,
) -> tuple[np.ndarray, np.ndarray]:
    """Per span of its cell: is the byte right before it in the table ``before``, and the byte
    right after it in ``after``? (False at the cell's edges.)

    >>> b = TextBuffer.from_strings(["ab12", "3x"])
    >>> digit = np.zeros(256, dtype=bool); digit[ord("0"):ord("9") + 1] = True
    >>> letter = ~digit
    >>> [h.tolist() for h in touches(b, np.array([0, 1]), np.array([2, 4]), np.array([4, 5]),
    ...                              letter, letter)]
    [[True, False], [False, True]]
    """
    data = buf.data
    inside_before = starts > buf.offsets[cells]
    inside_after = ends < buf.offsets[cells + 1]
    hit_before = inside_before & before[data[np.where(inside_before, starts - 1, starts)]]
    hit_after = inside_after & after[data[np.where(inside_after, ends, ends - 1)]]
    return hit_before, hit_after


def per_cell_any(mask: np.ndarray, offsets: np.ndarray) -> np.ndarray:
    """A boolean per cell: is ``mask`` (one entry per byte) true anywhere in the cell?

    One ``reduceat`` over the mask: no running count, so no 8-bytes-per-byte temporary.

    >>> per_cell_any(np.array([0, 1, 0, 0], bool), np.array([0, 1, 1, 3, 4])).tolist()
    [False, False, True, False]
    """
    out = np.zeros(len(offsets) - 1, dtype=bool)
    starts = offsets[:-1]
    filled = offsets[1:] > starts  # empty cells would break reduceat's ranges
    if filled.any():
        out[filled] = np.logical_or.reduceat(mask, starts[filled])
    return out


def per_cell_count(mask: np.ndarray, offsets: np.ndarray) -> np.ndarray:
    """The number of true entries of ``mask`` (one per byte) in each cell, as int64.

    >>> per_cell_count(np.array([1, 1, 0, 1], bool), np.array([0, 2, 2, 4])).tolist()
    [2, 0, 1]
    """
    out = np.zeros(len(offsets) - 1, dtype=np.int64)
    starts = offsets[:-1]
    filled = offsets[1:] > starts
    if filled.any():
        out[filled] = np.add.reduceat(mask.view(np.uint8), starts[filled], dtype=np.int64)
    return out


_MAX_RANGES = 8


def _class_ranges(table: np.ndarray) -> list[tuple[int, int]] | None:
    """The byte ranges ``[lo, hi)`` of a 256-entry table; ``None`` when there are more than
    eight (then one ``np.take`` per block, ~1.1 ns per byte, is cheaper than comparisons)."""
    edges = np.flatnonzero(np.diff(table.view(np.int8), prepend=0, append=0))
    ranges = list(zip(edges[::2].tolist(), edges[1::2].tolist(), strict=True))
    return None if len(ranges) > _MAX_RANGES else ranges


class _BlockMask:
    """``table[block]`` for one block after another, into arrays reused from block to block."""

    def __init__(self, table: np.ndarray, size: int):
        self.table = table
        self.ranges = _class_ranges(table)
        self.hit = np.empty(size, dtype=bool)
        self.shifted = np.empty(size, dtype=np.uint8)

    def fill(self, block: np.ndarray, out: np.ndarray) -> None:
        """Write the class mask of ``block`` into ``out`` (both of one length)."""
        if self.ranges is None:
            np.take(self.table, block, out=out)
            return
        if not self.ranges:
            out[:] = False
            return
        k = len(block)
        hit, shifted = self.hit[:k], self.shifted[:k]
        for i, (lo, hi) in enumerate(self.ranges):
            dst = out if i == 0 else hit
            if hi - lo == 256:
                dst[:] = True
            elif hi - lo == 1:
                np.equal(block, np.uint8(lo), out=dst)
            else:
                np.subtract(block, np.uint8(lo), out=shifted)
                np.less(shifted, np.uint8(hi - lo), out=dst)
            if i:
                np.logical_or(out, hit, out=out)


def class_positions(data: np.ndarray, table: np.ndarray) -> np.ndarray:
    """Sorted positions (int64) of the bytes of ``data`` in ``table`` (256 booleans).

    >>> t = np.zeros(256, bool); t[[ord("@"), ord(".")]] = True
    >>> class_positions(np.frombuffer(b"a@b.c", np.uint8), t).tolist()
    [1, 3]
    """
    n = len(data)
    if n == 0:
        return np.zeros(0, np.int64)
    size = min(_BLOCK, n)
    masker = _BlockMask(table, size)
    mask = np.empty(size, dtype=bool)
    found = []
    for start in range(0, n, _BLOCK):
        block = data[start : start + _BLOCK]
        masker.fill(block, mask[: len(block)])
        at = np.flatnonzero(mask[: len(block)])
        at += start
        found.append(at)
    return np.concatenate(found).astype(np.int64, copy=False)


class Runs(NamedTuple):
    """Maximal runs of a byte class, sorted: start, end (exclusive) and cell of each, int64.

    ``cells`` is -1 where not known yet. A run cut at a cell start is known to lie in that
    cell, and where most runs of a block are so cut (a column of numbers) their cells are
    kept; the cell of any other run takes a binary search, which :meth:`cells_at` does only
    for the runs a caller keeps.
    """

    starts: np.ndarray
    ends: np.ndarray
    cells: np.ndarray | None  # None: none known

    def cells_at(self, idx: np.ndarray, offsets: np.ndarray) -> np.ndarray:
        """The cells of the runs ``idx`` (an index array), ``offsets`` being the cells'."""
        if self.cells is None:
            return np.searchsorted(offsets, np.take(self.starts, idx), side="right") - 1
        cells = np.take(self.cells, idx)
        unknown = np.flatnonzero(cells < 0)
        if len(unknown):
            at = np.take(self.starts, idx)[unknown]
            cells[unknown] = np.searchsorted(offsets, at, side="right") - 1
        return cells


def class_runs(data: np.ndarray, offsets: np.ndarray, table: np.ndarray) -> Runs:
    """The maximal runs of ``table`` bytes in ``data``, cut where a cell starts (``offsets``:
    the cells).

    Block by block: a run starts at a class byte after a non-class byte, or at a cell start
    with class bytes on both sides, and ends likewise. The mask never exists at the size of
    the buffer, and the work per cell start is a look-up in the block.

    >>> digits = np.zeros(256, bool); digits[48:58] = True
    >>> data = np.frombuffer(b"12a345678", np.uint8)
    >>> runs = class_runs(data, np.array([0, 4, 9]), digits)
    >>> runs.starts.tolist(), runs.ends.tolist(), runs.cells_at([0, 1, 2], [0, 4, 9]).tolist()
    ([0, 3, 4], [2, 4, 9], [0, 0, 1])
    """
    n = len(data)
    # Offsets strictly inside the buffer; equal ones (empty cells) stay, each a cell number.
    first_cut = int(np.searchsorted(offsets, 0, side="right"))
    past_cuts = int(np.searchsorted(offsets, n, side="left"))
    cuts = offsets[first_cut:past_cuts]
    size = min(_BLOCK, n)
    masker = _BlockMask(table, size)
    mask = np.empty(size + 1, dtype=bool)  # mask[0]: the last byte of the previous block
    begins, stops, inner = (np.empty(size, dtype=bool) for _ in range(3))
    mask[0] = False
    starts, ends, cells = [], [], []
    for start in range(0, n, _BLOCK):
        block = data[start : start + _BLOCK]
        k = len(block)
        cur, prev = mask[1 : k + 1], mask[:k]
        masker.fill(block, cur)
        lo, hi = np.searchsorted(cuts, (start, start + k))
        local = cuts[lo:hi] - start
        np.logical_and(cur, prev, out=inner[:k])
        split = np.flatnonzero(inner[local])  # cut starts inside a run, as indices into local
        if len(split) == 0:
            # Where the mask flips: start, end, start, ... (one pass fewer than below).
            np.not_equal(cur, prev, out=begins[:k])
            at = np.flatnonzero(begins[:k])
            first_end = int(len(at) > 0 and not cur[at[0]])
            at += start
            starts.append(at[first_end::2])
            ends.append(at[1 - first_end :: 2])
            cells.append(len(starts[-1]))
        else:
            np.greater(cur, prev, out=begins[:k])
            np.less(cur, prev, out=stops[:k])
            begins[local[split]] = True
            stops[local[split]] = True
            run_starts = np.flatnonzero(begins[:k])
            if 2 * len(split) >= len(run_starts):
                # Mostly runs cut at cell starts (a column of numbers): keep their cells.
                run_cells = np.full(len(run_starts), -1, dtype=np.int64)
                # Of equal offsets (empty cells) the last one's cell holds the byte.
                last = np.append(local[split[1:]] != local[split[:-1]], True)
                run_cells[inner[run_starts]] = first_cut + lo + split[last]
                cells.append(run_cells)
            else:
                cells.append(len(run_starts))
            run_starts += start
            run_ends = np.flatnonzero(stops[:k])
            run_ends += start
            starts.append(run_starts)
            ends.append(run_ends)
        mask[0] = mask[k]
    if mask[0]:
        ends.append(np.array([n], dtype=np.int64))
    return Runs(_concatenate(starts), _concatenate(ends), _known_cells(cells))


def _concatenate(parts: list[np.ndarray]) -> np.ndarray:
    return np.concatenate(parts).astype(np.int64, copy=False) if parts else np.zeros(0, np.int64)


def _known_cells(parts: list[np.ndarray | int]) -> np.ndarray | None:
    """The cells of the runs of every block (a count stands for that many unknown ones);
    ``None`` when none is known."""
    if all(isinstance(p, int) for p in parts):
        return None
    return _concatenate([np.full(p, -1, np.int64) if isinstance(p, int) else p for p in parts])


# Only the characters identifiers are made of are folded. The full-width comma and colon of
# ordinary Chinese prose stay as they are, so most cells need no folding at all.
_FOLD_LEADS = np.zeros(256, dtype=bool)
_FOLD_LEADS[[0xE3, 0xEF]] = True  # lead bytes of U+3000 and U+FF01..U+FF5E
_FOLDABLE = np.zeros(256, dtype=bool)
for _c in "0123456789ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz+-().@_/ ":
    _FOLDABLE[ord(_c)] = True


def fold_fullwidth(
    data: np.ndarray, offsets: np.ndarray
) -> tuple[np.ndarray, np.ndarray, np.ndarray | None]:
    """Fold full-width digits, letters and ``+-().@_/`` (U+FF01–U+FF5E) to ASCII and U+3000 to
    a space, vectorized over the whole buffer.

    Returns the folded bytes, the cell offsets in them, and the positions in the folded bytes
    of the folded characters (``None`` when there was nothing to fold, the common case).

    >>> d = np.frombuffer("Ａ１　x".encode(), dtype=np.uint8)
    >>> f, o, m = fold_fullwidth(d, np.array([0, len(d)]))
    >>> bytes(f), o.tolist(), m.tolist()
    (b'A1 x', [0, 4], [0, 1, 2])
    """
    n = len(data)
    if n < 3:
        return data, offsets, None
    lead = class_positions(data[:-2], _FOLD_LEADS)
    if len(lead) == 0:
        return data, offsets, None
    b1 = data[lead + 1]
    b2 = data[lead + 2]
    low = (data[lead] == 0xEF) & (b1 == 0xBC) & (b2 >= 0x81) & (b2 <= 0xBF)
    high = (data[lead] == 0xEF) & (b1 == 0xBD) & (b2 >= 0x80) & (b2 <= 0x9E)
    space = (data[lead] == 0xE3) & (b1 == 0x80) & (b2 == 0x80)
    target = np.where(low, b2 - 0x60, np.where(high, b2 - 0x20, 0x20)).astype(np.uint8)
    fold = (low | high | space) & _FOLDABLE[target]
    if not fold.any():
        return data, offsets, None
    pos = lead[fold]
    ascii_ = target[fold]
    out = data.copy()
    out[pos] = ascii_.astype(np.uint8)
    keep = np.ones(n, dtype=bool)
    keep[pos + 1] = False
    keep[pos + 2] = False
    # Each folded character before an offset moved it two bytes to the left.
    new_offsets = offsets - 2 * np.searchsorted(pos, offsets, side="left")
    folded_at = pos - 2 * np.arange(len(pos))
    return out[keep], new_offsets, folded_at
