"""Counting matches per cell and per recognizer or entity with NumPy, not a group-by.

The matching core gives one row per match; the column statistics count *cells*: per cell and
key (entity or recognizer) the best score, then per key how many cells, how many of them
strong, and the sum of their best scores. Arrow's ``group_by`` costs ~15 ms a call here (a
query plan per batch and column); one sort of ``row × n_keys + key`` does the same.

>>> import pyarrow as pa
>>> t = cell_maxima(np.array([0, 0, 1, 3]), pa.array(["A", "A", "B", "A"]),
...                 np.array([0.5, 0.9, 0.4, 0.6]))
>>> t.keys, t.key.tolist(), t.best.tolist()
(['A', 'B'], [0, 1, 0], [0.9, 0.4, 0.6])
>>> t.cells().tolist(), t.count_where(t.best >= 0.5).tolist(), t.best_sum().tolist()
([2, 1], [2, 0], [1.5, 0.4])
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np
import pyarrow as pa
import pyarrow.compute as pc

from .arrays import booleans, from_numpy, numbers


@dataclass
class CellMaxima:
    """One entry per distinct (cell, key): ``key`` indexes ``keys``, ``best`` the top score."""

    keys: list[str]
    key: np.ndarray
    best: np.ndarray

    def cells(self) -> np.ndarray:
        """Cells per key."""
        return np.bincount(self.key, minlength=len(self.keys))

    def count_where(self, mask: np.ndarray) -> np.ndarray:
        """Cells per key for which ``mask`` (one entry per distinct cell and key) holds."""
        return np.bincount(self.key[mask], minlength=len(self.keys))

    def best_sum(self) -> np.ndarray:
        """Sum over cells of the best score, per key."""
        return np.bincount(self.key, weights=self.best, minlength=len(self.keys))


def encode(keys: pa.Array | pa.ChunkedArray) -> tuple[list[str], np.ndarray]:
    """The distinct ``keys`` and each entry's index into them: in order of first appearance,
    or for a dictionary array in the order of its dictionary.

    The core's matches come in row order, so keys come in runs (often a single one): runs
    are found by comparing each key with the previous one, cheaper than hashing every key, and
    only the first key of each run is hashed. Keys that are already dictionary-encoded (the
    core's) are read off their indices.

    >>> names, key = encode(pa.chunked_array([["B", "B", "A"], ["A", "B"]]))
    >>> names, key.tolist()
    (['B', 'A'], [0, 0, 1, 1, 0])
    >>> names, key = encode(pa.DictionaryArray.from_arrays([2, 2, 0], ["A", "B", "C"]))
    >>> names, key.tolist()
    (['A', 'C'], [1, 1, 0])
    """
    if isinstance(keys, pa.ChunkedArray):
        keys = keys.combine_chunks()
    if pa.types.is_dictionary(keys.type) and not keys.null_count:
        return _dictionary_codes(keys)
    n = len(keys)
    if n < 2 or keys.null_count:
        return _dictionary(keys)
    changed = ~booleans(pc.equal(keys.slice(1), keys.slice(0, n - 1)))
    firsts = np.flatnonzero(np.concatenate(([True], changed)))
    names, run_key = _dictionary(keys.take(from_numpy(firsts)))
    return names, np.repeat(run_key, np.diff(firsts, append=n))


def _dictionary_codes(keys: pa.DictionaryArray) -> tuple[list[str], np.ndarray]:
    """:func:`encode` of a dictionary array: the dictionary entries in use, in dictionary
    order (a count per code finds them, with no sort)."""
    codes = numbers(keys.indices)
    used = np.flatnonzero(np.bincount(codes, minlength=len(keys.dictionary)))
    position = np.zeros(len(keys.dictionary), np.int64)
    position[used] = np.arange(len(used))
    names = keys.dictionary.take(from_numpy(used)).to_pylist()
    return names, position[codes]


def _dictionary(keys: pa.Array) -> tuple[list[str], np.ndarray]:
    encoded = pc.dictionary_encode(keys)
    return encoded.dictionary.to_pylist(), numbers(encoded.indices)


def cell_maxima(
    rows: np.ndarray, keys: pa.Array | pa.ChunkedArray, scores: np.ndarray
) -> CellMaxima:
    """Group matches (``rows``, ``keys``, ``scores``, one entry per match) by cell and key."""
    return group_cells(rows, *encode(keys), scores)


def group_cells(
    rows: np.ndarray, names: list[str], key: np.ndarray, scores: np.ndarray
) -> CellMaxima:
    """:func:`cell_maxima` of keys already encoded: ``key`` indexes ``names``.

    The core gives matches in row order, usually one per cell, so the sort is mostly skipped.
    """
    if len(rows) == 0:
        return CellMaxima(names, np.zeros(0, np.int64), np.zeros(0, np.float64))
    n_keys = max(len(names), 1)
    combined = np.asarray(rows, np.int64) * n_keys + key
    scores = np.asarray(scores, np.float64)
    if (combined[1:] < combined[:-1]).any():
        order = np.argsort(combined, kind="stable")
        combined, scores = combined[order], scores[order]
    new = combined[1:] != combined[:-1]
    if new.all():  # one match per (cell, key)
        return CellMaxima(names, combined % n_keys, scores)
    first = np.flatnonzero(np.concatenate(([True], new)))
    best = np.maximum.reduceat(scores, first)
    return CellMaxima(names, combined[first] % n_keys, best)
