"""Candidate spans found by byte class, without regular expressions.

Numbers are the bulk of personal identifiers, and a number is a *run*: a maximal stretch of
ASCII digits. Finding every run of a whole buffer takes a few NumPy passes (a boolean mask and
the positions where it flips), which is faster than any regex engine reached from Python
(``../shared/reference/perf-measurements.md``, method g). The boundary rule "a run is maximal"
replaces ``\\b`` and lookarounds, and works when digits are glued to Hanzi.

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

from collections.abc import Iterable
from dataclasses import dataclass

import numpy as np

from .buffers import TextBuffer

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


def _runs(mask: np.ndarray, offsets: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
    """Start and end (exclusive) of maximal True runs in ``mask``, never crossing a cell edge."""
    n = len(mask)
    if n == 0:
        return np.zeros(0, np.int64), np.zeros(0, np.int64)
    m = mask.view(np.int8)
    edge = np.zeros(n + 1, dtype=np.int8)
    edge[:n] = m
    edge[1:] -= m
    # Cell edges split runs: a run continuing over a cell start ends there and starts again.
    cell_starts = offsets[1:-1]  # sorted; repeated where cells are empty
    if len(cell_starts) > 1:
        cell_starts = cell_starts[np.concatenate(([True], cell_starts[1:] != cell_starts[:-1]))]
    cell_starts = cell_starts[(cell_starts > 0) & (cell_starts < n)]
    split = cell_starts[mask[cell_starts] & mask[cell_starts - 1]]
    edge[split] = 1
    starts = np.flatnonzero(edge == 1)
    ends = np.flatnonzero(edge == -1)
    if len(split):
        ends = np.sort(np.concatenate((ends, split)))
    return starts.astype(np.int64), ends.astype(np.int64)


def _gather(data: np.ndarray, starts: np.ndarray, length: int) -> np.ndarray:
    return data[starts[:, None] + np.arange(length)]


DIGIT = np.zeros(256, dtype=bool)
DIGIT[ord("0") : ord("9") + 1] = True
LETTER = np.zeros(256, dtype=bool)
LETTER[ord("A") : ord("Z") + 1] = True
LETTER[ord("a") : ord("z") + 1] = True
ALNUM = DIGIT.copy()
ALNUM[ord("A") : ord("Z") + 1] = True
ALNUM[ord("a") : ord("z") + 1] = True


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
    starts, ends = _runs(buf.byte_mask(DIGIT), buf.offsets)
    if len(starts) == 0:
        return []
    out: list[Candidates] = []
    run_len = ends - starts
    run_cells = buf.cell_of(starts)
    cell_end = buf.offsets[run_cells + 1]

    # A check letter X/x right after the run, not followed by another alphanumeric.
    letter_end = np.minimum(ends, len(data) - 1)
    has_letter = (ends < cell_end) & ((data[letter_end] | 0x20) == ord("x"))
    after = np.minimum(ends + 1, len(data) - 1)
    has_letter &= (ends + 1 >= cell_end) | ~ALNUM[data[after]]

    # Single runs (optionally with their check letter).
    for length in sorted(lengths):
        plain = run_len == length
        if plain.any():
            idx = np.flatnonzero(plain)
            out.append(
                Candidates(
                    length,
                    0,
                    run_cells[idx],
                    starts[idx],
                    ends[idx],
                    _gather(data, starts[idx], length),
                )
            )
        if length in check_letter_lengths:
            lettered = (run_len == length - 1) & has_letter
            if lettered.any():
                idx = np.flatnonzero(lettered)
                out.append(
                    Candidates(
                        length,
                        0,
                        run_cells[idx],
                        starts[idx],
                        ends[idx] + 1,
                        _gather(data, starts[idx], length),
                    )
                )

    if not groupings or len(starts) < 2:
        return out
    # Joined runs: consecutive runs of one cell separated by 1-2 separator bytes.
    gap = starts[1:] - ends[:-1]
    first_sep = _SEPARATORS[data[ends[:-1]]]
    second = np.minimum(ends[:-1] + 1, len(data) - 1)
    joinable = (run_cells[1:] == run_cells[:-1]) & (
        ((gap == 1) & first_sep) | ((gap == 2) & first_sep & _SEPARATORS[data[second]])
    )
    wanted = np.array(sorted(groupings), dtype=np.int64)
    max_groups = min(_MAX_GROUPS, len(starts))
    for k in range(2, max_groups + 1):
        # run i starts a k-group if links i .. i+k-2 are all joinable
        ok = joinable[: len(joinable) - k + 2].copy()
        for j in range(1, k - 1):
            ok &= joinable[j : len(joinable) - k + 2 + j]
        first = np.flatnonzero(ok)
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
            parts = [_gather(data, starts[sel + j], int(run_len[sel[0] + j])) for j in range(k)]
            chars = np.concatenate(parts, axis=1)
            out.append(
                Candidates(
                    chars.shape[1], int(c), run_cells[sel], starts[sel], ends[sel + k - 1], chars
                )
            )
    return out


def alnum_tokens(buf: TextBuffer, lengths: set[int]) -> list[Candidates]:
    """Maximal ``[0-9A-Za-z]`` runs whose length is in ``lengths`` and that hold a letter."""
    letters = buf.byte_mask(LETTER)
    if not letters.any():
        return []
    starts, ends = _runs(buf.byte_mask(ALNUM), buf.offsets)
    if len(starts) == 0:
        return []
    # From a run's start to the next run's start, only the run itself can hold a letter.
    with_letter = np.logical_or.reduceat(letters, starts)
    starts, ends = starts[with_letter], ends[with_letter]
    if len(starts) == 0:
        return []
    run_len = ends - starts
    out: list[Candidates] = []
    for length in sorted(lengths):
        idx = np.flatnonzero(run_len == length)
        if len(idx):
            chars = _gather(buf.data, starts[idx], length)
            out.append(
                Candidates(length, 0, buf.cell_of(starts[idx]), starts[idx], ends[idx], chars)
            )
    return out


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


def word_spans(
    buf: TextBuffer,
    charset: np.ndarray,
    must: np.ndarray,
    trim: np.ndarray,
    max_length: int = 320,
) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
    """Maximal runs of ``charset`` bytes that hold a ``must`` byte, with ``trim`` bytes cut
    from both ends: e-mail addresses (``[A-Za-z0-9._%+-@]`` holding ``@``) and dotted quads.

    Returns (cells, starts, ends) in the folded buffer; every lookup is a whole-buffer pass.
    """
    empty = np.zeros(0, np.int64)
    must_at = np.flatnonzero(buf.byte_mask(must))
    if len(must_at) == 0:
        return empty, empty, empty
    starts, ends = _runs(buf.byte_mask(charset), buf.offsets)
    keep = _runs_holding(starts, ends, must_at)
    if len(keep) == 0:
        return empty, empty, empty
    starts, ends = starts[keep], ends[keep]
    data = buf.data
    for _ in range(4):
        cut = (ends > starts) & trim[data[np.maximum(ends - 1, 0)]]
        ends = ends - cut
        cut = (ends > starts) & trim[data[np.minimum(starts, len(data) - 1)]]
        starts = starts + cut
    ok = (ends - starts > 0) & (ends - starts <= max_length)
    starts, ends = starts[ok], ends[ok]
    return buf.cell_of(starts), starts, ends
