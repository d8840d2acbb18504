"""Evidence beyond the verdict counts: which recognizers fired, distinct values, individuals.

A :class:`TableProbe` watches one table as the scanner streams it (one call per column and
batch, whole Arrow arrays, no Python loop per cell) and keeps, per column:

* per recognizer: cells matched, cells with a strong match (score at least
  ``min_finding_score``), cells where context raised the score (the column name or words next
  to the value), whether the recognizer has a validator;
* per entity: cells whose value passed a validator (checksum or structure function);
* the number of distinct non-empty values (:class:`DistinctCounter`: exact while small, then a
  HyperLogLog sketch; memory is bounded either way);

and, for the whole table, the distinct validated values of the person-identifying entities of
``models/table_rules.toml`` (an estimate of the individuals in the table). Raw values stay in
memory; the report gets counts and sketch registers, never a value or a hash of one.

>>> c = DistinctCounter(exact_limit=2)
>>> c.add(pa.array(["a", "b", "a"])); c.count()
(2, 'exact')
>>> c.add(pa.array(["c", "d"])); c.count()[1]
'hyperloglog'
"""

from __future__ import annotations

import base64
import hashlib
import json
import math
import zlib
from dataclasses import dataclass, field
from functools import cache

import numpy as np
import pyarrow as pa
import pyarrow.compute as pc
import tomllib

from ..catalog import Catalog, data_dir
from ..core.buffers import byte_presence
from .arrays import _SPACE_LEAD, from_numpy, nonblank, numbers, string_parts, strings
from .names import column_matches
from .tally import CellMaxima, encode, group_cells

_M1 = np.uint64(0xBF58476D1CE4E5B9)
_M2 = np.uint64(0x94D049BB133111EB)
_GOLDEN = np.uint64(0x9E3779B97F4A7C15)


@cache
def settings() -> dict:
    """``models/table_rules.toml``."""
    return tomllib.loads((data_dir("models") / "table_rules.toml").read_text(encoding="utf-8"))


# -- hashing ------------------------------------------------------------------------------
def _mix(h: np.ndarray) -> np.ndarray:
    """SplitMix64 finaliser: every input bit moves every output bit."""
    h = h ^ (h >> np.uint64(30))
    h *= _M1
    h ^= h >> np.uint64(27)
    h *= _M2
    h ^= h >> np.uint64(31)
    return h


def _fixed_words(
    offsets: np.ndarray, data: np.ndarray, width: int, *, tail: bool = False
) -> np.ndarray:
    """(n, width/8) little-endian words: each value's first (or last) ``width`` bytes,
    NUL-padded after (before) the value; ``offsets`` and ``data`` as from
    :func:`~.arrays.string_parts`.

    Each word is one unaligned 8-byte load from a copy of the data with NULs on both sides,
    its bytes beyond the value then cleared with a mask: a few passes over n numbers per word,
    never one per byte.

    >>> offsets, data = np.array([0, 3, 3, 12]), np.frombuffer(b"abc123456789", np.uint8)
    >>> [w.tobytes() for w in _fixed_words(offsets, data, 8)]
    [b'abc\\x00\\x00\\x00\\x00\\x00', b'\\x00\\x00\\x00\\x00\\x00\\x00\\x00\\x00', b'12345678']
    >>> [w.tobytes() for w in _fixed_words(offsets, data, 8, tail=True)]
    [b'\\x00\\x00\\x00\\x00\\x00abc', b'\\x00\\x00\\x00\\x00\\x00\\x00\\x00\\x00', b'23456789']
    """
    lo, hi = int(offsets[0]), int(offsets[-1])
    padded = np.zeros(hi - lo + 2 * width, np.uint8)
    padded[width : width + hi - lo] = data[lo:hi]
    word_at = np.ndarray((len(padded) - 7,), "<u8", padded, strides=(1,))  # any byte offset
    starts = offsets[:-1].astype(np.int64) + (width - lo)
    ends = offsets[1:].astype(np.int64) + (width - lo)
    words = np.empty((len(starts), width // 8), np.uint64)
    for j in range(width // 8):
        if tail:
            at = ends - width + 8 * j
            words[:, j] = word_at[at] & ~_LOW_BYTES[np.clip(starts - at, 0, 8)]
        else:
            at = starts + 8 * j
            words[:, j] = word_at[at] & _LOW_BYTES[np.clip(ends - at, 0, 8)]
    return words


def _uniform_words(offsets: np.ndarray, data: np.ndarray, width: int) -> np.ndarray:
    """:func:`_fixed_words` of values that all have one length of at most ``width`` bytes:
    the data cut into rows and padded, without a gather per word.

    >>> offsets, data = np.array([0, 3, 6]), np.frombuffer(b"abc123", np.uint8)
    >>> [w.tobytes() for w in _uniform_words(offsets, data, 8)]
    [b'abc\\x00\\x00\\x00\\x00\\x00', b'123\\x00\\x00\\x00\\x00\\x00']
    """
    n, lo = len(offsets) - 1, int(offsets[0])
    length = int(offsets[1]) - lo if n else 0
    padded = np.zeros((n, width), np.uint8)
    padded[:, :length] = data[lo : lo + n * length].reshape(n, length)
    return padded.view("<u8")


# _LOW_BYTES[k]: the low k bytes of a word set (the first k bytes of little-endian words).
_LOW_BYTES = np.array([(1 << 8 * k) - 1 for k in range(9)], np.uint64)


def string_hashes(arr: pa.Array, *, head: int = 64, tail: int = 32) -> np.ndarray:
    """64-bit hashes of the non-null strings of ``arr`` (uint64, in order, nulls dropped).

    Strings are hashed from their byte length, their first ``head`` bytes and their last
    ``tail`` bytes: strings that differ only in the middle of a long text may collide, which is
    acceptable for a distinct-count estimate.
    """
    if isinstance(arr, pa.ChunkedArray):
        arr = arr.combine_chunks()
    if arr.null_count:
        arr = arr.drop_null()
    if not any(f(arr.type) for f in _STRINGS):
        arr = arr.cast(pa.binary())
    if len(arr) == 0:
        return np.zeros(0, np.uint64)
    offsets, data = string_parts(arr)
    lengths = np.diff(offsets).astype(np.uint64)
    h = _mix(lengths ^ _GOLDEN)
    longest = int(lengths.max())
    width = min(-(-longest // 8) * 8, head)
    # A value takes as many mixing rounds as its own length asks for, whatever else is in the
    # batch: its hash must not depend on its neighbours, or batches would count it twice.
    # Values of one length (a column of IDs or phones) all take every round.
    uniform = longest <= head and int(lengths.min()) == longest
    if width:
        words = _uniform_words if uniform else _fixed_words
        for j, word in enumerate(words(offsets, data, width).T):
            h = _mix(h ^ word) if uniform else np.where(lengths > 8 * j, _mix(h ^ word), h)
    if longest > head:
        long_value = lengths > head
        for word in _fixed_words(offsets, data, tail, tail=True).T:
            h = np.where(long_value, _mix(h ^ word), h)
    return _mix(h * _GOLDEN + _GOLDEN)


_STRINGS = (
    pa.types.is_string,
    pa.types.is_large_string,
    pa.types.is_binary,
    pa.types.is_large_binary,
)


# -- HyperLogLog --------------------------------------------------------------------------
class HyperLogLog:
    """A HyperLogLog sketch over 64-bit hashes (Flajolet et al. 2007, with linear counting for
    small sets). Registers are the maxima of "position of the first 1-bit": a sketch holds no
    value and no hash, and two sketches merge by taking register maxima."""

    def __init__(self, precision: int = 12, registers: np.ndarray | None = None):
        if not 4 <= precision <= 16:
            raise ValueError("precision must be 4..16")
        self.p = precision
        self.m = 1 << precision
        self.registers = registers if registers is not None else np.zeros(self.m, np.uint8)

    def add_hashes(self, hashes: np.ndarray) -> None:
        if not len(hashes):
            return
        hashes = hashes.astype(np.uint64, copy=False)
        index = (hashes >> np.uint64(64 - self.p)).astype(np.intp)
        # Rank: the position of the first 1-bit after the index bits, 65 - p if there is none.
        rest = hashes & np.uint64((1 << (64 - self.p)) - 1)
        rank = (65 - self.p - _bit_length(rest)).astype(np.uint8)
        np.maximum.at(self.registers, index, rank)

    def merge(self, other: HyperLogLog) -> None:
        if other.p != self.p:
            raise ValueError("cannot merge sketches of different precision")
        np.maximum(self.registers, other.registers, out=self.registers)

    def estimate(self) -> int:
        m = self.m
        alpha = {16: 0.673, 32: 0.697, 64: 0.709}.get(m, 0.7213 / (1 + 1.079 / m))
        raw = alpha * m * m / float(np.sum(np.ldexp(1.0, -self.registers.astype(np.int64))))
        zeros = int(np.count_nonzero(self.registers == 0))
        if raw <= 2.5 * m and zeros:
            return round(m * math.log(m / zeros))
        return round(raw)

    def to_text(self) -> str:
        """``hll1:<precision>:<base64 of zlib of the registers>`` (JSON-safe, compact)."""
        packed = base64.b64encode(zlib.compress(self.registers.tobytes(), 9)).decode("ascii")
        return f"hll1:{self.p}:{packed}"

    @classmethod
    def from_text(cls, text: str) -> HyperLogLog:
        tag, p, packed = text.split(":", 2)
        if tag != "hll1":
            raise ValueError(f"unknown sketch format {tag!r}")
        regs = np.frombuffer(zlib.decompress(base64.b64decode(packed)), np.uint8).copy()
        return cls(int(p), regs)


def _bit_length(x: np.ndarray) -> np.ndarray:
    """Number of significant bits of each uint64 (0 for 0), from the float exponents of its
    32-bit halves (exact: a double holds any 32-bit integer).

    >>> _bit_length(np.array([0, 1, 255, 1 << 32, (1 << 64) - 1], np.uint64)).tolist()
    [0, 1, 8, 33, 64]
    """
    high = np.frexp((x >> np.uint64(32)).astype(np.float64))[1]
    low = np.frexp((x & np.uint64(0xFFFFFFFF)).astype(np.float64))[1]
    return np.where(high > 0, high + 32, low)


class DistinctCounter:
    """Distinct strings: exact (an Arrow array of the distinct values) while there are at most
    ``exact_limit`` of them taking at most ``max_bytes``; then a HyperLogLog estimate.

    :meth:`sketch_text` gives a mergeable sketch in either mode (built from the exact values
    when still exact), so that the counts of several tables can be united.
    """

    def __init__(
        self,
        exact_limit: int = 50000,
        max_bytes: int = 8 << 20,
        precision: int = 12,
        max_values: int | None = None,
    ):
        self.exact_limit = exact_limit
        self.max_bytes = max_bytes
        self.max_values = max_values  # stop counting after this many values (None: never)
        self.seen = 0
        # Exact mode: arrays of values seen (distinct after each merge); None once estimating.
        self._parts: list[pa.Array] | None = []
        self._pending = self._bytes = 0
        self.hll: HyperLogLog | None = None  # built when the exact set outgrows the limits
        self._precision = precision

    def add(self, values: pa.Array) -> None:
        if values.null_count:
            values = values.drop_null()
        if self.max_values is not None:
            values = values.slice(0, max(self.max_values - self.seen, 0))
        if not len(values):
            return
        self.seen += len(values)
        values = values.cast(pa.string())
        if self._parts is None:
            self.hll.add_hashes(string_hashes(values))
            return
        self._parts.append(values)
        self._pending += len(values)
        self._bytes += values.nbytes
        if self._pending > self.exact_limit or self._bytes > self.max_bytes:
            merged = self._merge()
            if len(merged) > self.exact_limit or merged.nbytes > self.max_bytes:
                self.hll = HyperLogLog(self._precision)
                self.hll.add_hashes(string_hashes(merged))
                self._parts = None

    def _merge(self) -> pa.Array:
        merged = pc.unique(pa.concat_arrays(self._parts)) if self._parts else strings([])
        self._parts = [merged]
        self._pending, self._bytes = len(merged), merged.nbytes
        return merged

    def count(self) -> tuple[int, str]:
        if self._parts is not None:
            return len(self._merge()), "exact"
        return self.hll.estimate(), "hyperloglog"

    def sketch_text(self) -> str:
        if self._parts is not None:
            merged = self._merge()
            hll = HyperLogLog(self._precision)
            if pa.types.is_integer(merged.type):  # already 64-bit hashes (e.g. Spark partitions)
                hll.add_hashes(numbers(merged).astype(np.uint64))
            else:
                hll.add_hashes(string_hashes(merged))
            return hll.to_text()
        return self.hll.to_text()


# -- per table ----------------------------------------------------------------------------
@dataclass
class RecognizerEvidence:
    cells: int = 0
    strong_cells: int = 0
    context_cells: int = 0


@dataclass
class ColumnProbe:
    name: str
    distinct: DistinctCounter
    recognizers: dict[str, RecognizerEvidence] = field(default_factory=dict)
    validated: dict[str, int] = field(default_factory=dict)  # entity -> cells validated


def normalise_identifiers(entity: str, values: pa.Array) -> pa.Array:
    """The form in which two writings of one identifier compare equal (see table_rules.toml).

    Each step runs only if a look at the bytes says it may change something (identifiers
    mostly come normalised already).

    >>> ids = strings(["１１０１０５ 1990", "11010x"])
    >>> normalise_identifiers("CN_RESIDENT_ID", ids).to_pylist()
    ['1101051990', '11010X']
    >>> normalise_identifiers("CN_MOBILE_PHONE", strings(["+86 138-0013-8000"])).to_pylist()
    ['13800138000']
    >>> normalise_identifiers("EMAIL_ADDRESS", strings([" Li@Example.CN"])).to_pylist()
    ['li@example.cn']
    """
    v = values
    present = _bytes_present(v)
    if present[0x80:].any():
        v = pc.utf8_normalize(v, "NFKC")
        present = _bytes_present(v)
    if entity == "EMAIL_ADDRESS":
        if _may_trim(v):
            v = pc.utf8_trim_whitespace(v)  # drops no letter: the upper-case test still holds
        return pc.ascii_lower(v) if present[_UPPER].any() else v
    if (present & ~_ALNUM).any():
        v = pc.replace_substring_regex(v, r"[^0-9A-Za-z]", "")
        present = _bytes_present(v)
    if entity in ("CN_MOBILE_PHONE", "CN_LANDLINE"):
        return pc.utf8_slice_codeunits(v, -11) if _longest(v) > 11 else v
    return pc.ascii_upper(v) if present[_LOWER].any() else v


_UPPER = slice(ord("A"), ord("Z") + 1)
_LOWER = slice(ord("a"), ord("z") + 1)
_ALNUM = np.zeros(256, bool)
_ALNUM[ord("0") : ord("9") + 1] = _ALNUM[_UPPER] = _ALNUM[_LOWER] = True


def _bytes_present(arr: pa.Array) -> np.ndarray:
    """A boolean per byte value: does it occur in a cell of ``arr``? (One count over the
    bytes answers every later question about them.)"""
    return byte_presence(_data(arr))


def _data(arr: pa.Array) -> np.ndarray:
    """The bytes of all cells of a string array (null cells may add some: callers only use
    this to skip work that would change nothing)."""
    offsets, data = string_parts(arr)
    return data[offsets[0] : offsets[-1]]


def _may_trim(arr: pa.Array) -> bool:
    """False if no cell can start or end with whitespace (judged from its first byte, and
    from its last: whitespace ends in a byte up to 32 or, beyond ASCII, 0x80 or more)."""
    offsets, data = string_parts(arr)
    cells = np.flatnonzero(offsets[1:] > offsets[:-1])
    if not len(cells):
        return False
    first, last = data[offsets[cells]], data[offsets[cells + 1] - 1]
    return bool(_SPACE_LEAD[first].any() or (last <= 32).any() or (last >= 0x80).any())


def _longest(arr: pa.Array) -> int:
    """The greatest byte length of a cell (0 for none)."""
    lengths = np.diff(string_parts(arr)[0])
    return int(lengths.max()) if len(lengths) else 0


class TableProbe:
    """Collects one table's extra evidence; see the module docstring."""

    def __init__(self, catalog: Catalog, min_score: float):
        cfg = settings()
        self.catalog = catalog
        self.min_score = min_score
        self._distinct_cfg = cfg["distinct"]
        ind = cfg["individuals"]
        self.individual_entities = tuple(ind["entities"])
        self.individuals = {
            e: DistinctCounter(int(ind["exact_limit"]), 1 << 62, int(ind["hll_precision"]))
            for e in self.individual_entities
        }
        self.columns: dict[str, ColumnProbe] = {}
        recs = list(catalog)
        # As float32, the type of the scores they are compared with.
        self._rec_context_of = {r.id: float(np.float32(r.context_score)) for r in recs}
        self._validated_ids = frozenset(r.id for r in recs if r.validator)
        # Counting individuals needs the matched values (only identifiers; kept in memory).
        self.wants_values = bool(self.individual_entities)

    def column(self, name: str) -> ColumnProbe:
        probe = self.columns.get(name)
        if probe is None:
            d = self._distinct_cfg
            counter = DistinctCounter(
                int(d["exact_limit"]),
                int(d["exact_max_bytes"]),
                int(d["hll_precision"]),
                max_values=int(d["max_values"]),
            )
            probe = self.columns[name] = ColumnProbe(name, counter)
        return probe

    def update(self, column: str, values: pa.Array, matches: pa.Table) -> None:
        """One batch of one column: ``values`` as read, ``matches`` the core's output for it."""
        probe = self.column(column)
        if probe.distinct.seen < (probe.distinct.max_values or 1 << 62):
            filled = values.filter(from_numpy(nonblank(values)))
            probe.distinct.add(pc.utf8_trim_whitespace(filled))
        if matches.num_rows == 0:
            return
        rows = numbers(matches["row"])
        # Scores are float32; compared as float64, as Arrow compares them with a Python float.
        scores = numbers(matches["score"]).astype(np.float64)
        strong = scores >= self.min_score
        recognizers, recognizer = encode(matches["recognizer"])
        entities, entity = encode(matches["entity"])
        self._recognizers(probe, group_cells(rows, recognizers, recognizer, scores))
        validated = _flags(recognizers, self._validated_ids)[recognizer] & strong
        self._validated(probe, rows[validated], entities, entity[validated])
        if "value" in matches.column_names:
            wanted = _flags(entities, self.individual_entities)[entity] & strong
            self._individuals(matches["value"], entities, entity, wanted)

    def _recognizers(self, probe: ColumnProbe, per_cell: CellMaxima) -> None:
        context_score = np.array(
            [self._rec_context_of.get(k, 2.0) for k in per_cell.keys], np.float64
        )[per_cell.key]
        strong = per_cell.count_where(per_cell.best >= self.min_score)
        context = per_cell.count_where(per_cell.best >= context_score - 1e-4)
        for rid, cells, strong_n, context_n in zip(
            per_cell.keys,
            per_cell.cells().tolist(),
            strong.tolist(),
            context.tolist(),
            strict=True,
        ):
            ev = probe.recognizers.setdefault(rid, RecognizerEvidence())
            ev.cells += cells
            ev.strong_cells += strong_n
            ev.context_cells += context_n

    def _validated(
        self, probe: ColumnProbe, rows: np.ndarray, entities: list[str], entity: np.ndarray
    ) -> None:
        """Count the cells of validated matches (``rows``, ``entity`` indexing ``entities``)."""
        if not len(rows):
            return
        per_cell = group_cells(rows, entities, entity, np.zeros(len(rows)))
        for name, n in zip(entities, per_cell.cells().tolist(), strict=True):
            if n:
                probe.validated[name] = probe.validated.get(name, 0) + n

    def _individuals(
        self, values: pa.ChunkedArray, entities: list[str], entity: np.ndarray, wanted: np.ndarray
    ) -> None:
        """Add the ``wanted`` matched values to the distinct identifiers of their entity."""
        if not wanted.any():
            return
        values = values.combine_chunks()
        for k in np.unique(entity[wanted]).tolist():
            rows = np.flatnonzero(wanted & (entity == k))
            picked = values if len(rows) == len(values) else values.take(from_numpy(rows))
            name = entities[k]
            self.individuals[name].add(normalise_identifiers(name, picked).cast(pa.string()))

    # -- results for the report ------------------------------------------------------------
    def column_evidence(self, name: str, catalog: Catalog) -> dict:
        """The evidence fields this probe adds to a column of the report."""
        probe = self.columns.get(name)
        if probe is None:
            return {
                "distinct": 0,
                "distinct_of": 0,
                "distinct_method": "exact",
                "recognizers": [],
                "validated": {},
            }
        distinct, method = probe.distinct.count()
        recognizers = []
        for rid, ev in sorted(probe.recognizers.items(), key=lambda kv: (-kv[1].cells, kv[0])):
            rec = catalog[rid] if rid in {r.id for r in catalog} else None
            recognizers.append(
                {
                    "id": rid,
                    "entity": rec.entity if rec else None,
                    "validator": rec.validator if rec else None,
                    "cells": ev.cells,
                    "strong_cells": ev.strong_cells,
                    "context_cells": ev.context_cells,
                    "column_name": bool(rec and column_matches(name, rec.column_names)),
                }
            )
        return {
            "distinct": distinct,
            "distinct_of": probe.distinct.seen,
            "distinct_method": method,
            "recognizers": recognizers,
            "validated": dict(sorted(probe.validated.items())),
        }

    def individuals_report(self) -> dict:
        """Distinct individuals of the table: counts per entity, estimate, mergeable sketches."""
        by_entity, sketches, methods = {}, {}, set()
        for entity, counter in self.individuals.items():
            n, method = counter.count()
            if n:
                by_entity[entity] = n
                sketches[entity] = counter.sketch_text()
                methods.add(method)
        estimate = max(by_entity.values(), default=0)
        basis = max(by_entity, key=by_entity.get) if by_entity else None
        return {
            "estimate": estimate,
            "basis": basis,
            "method": "hyperloglog" if "hyperloglog" in methods else "exact",
            "by_entity": by_entity,
            "sketches": sketches,
        }


def _flags(names: list[str], wanted) -> np.ndarray:
    """``names[i] in wanted`` for each ``i``."""
    return np.array([name in wanted for name in names], bool)


def merge_sketches(texts: list[str]) -> int:
    """Estimated distinct values of the union of several sketches (0 for none)."""
    merged: HyperLogLog | None = None
    for text in texts:
        hll = HyperLogLog.from_text(text)
        if merged is None:
            merged = hll
        else:
            merged.merge(hll)
    return merged.estimate() if merged is not None else 0


# -- the report's evidence entry ----------------------------------------------------------
def fingerprint(entity: str | None, entities: dict[str, int], non_empty: int, ratio: float) -> str:
    """A short digest of what a column's evidence says, stable across rescans of similar data:
    the verdict, the entities holding at least 1% of the non-empty values, and the match ratio
    rounded to one decimal. A reviewed decision records it; when it changes, the decision is
    stale (the column now holds something else)."""
    share = {e for e, n in entities.items() if non_empty and n / non_empty >= 0.01}
    payload = json.dumps([entity, sorted(share), round(ratio, 1)], ensure_ascii=False)
    return hashlib.sha256(payload.encode("utf-8")).hexdigest()[:12]


def column_evidence(stats, verdict, probe: TableProbe | None, catalog: Catalog, cfg: dict) -> dict:
    """The ``evidence`` object of one column in the report (``stats``: its ColumnStats,
    ``verdict``: its Verdict, ``cfg``: the thresholds of models/classification.toml)."""
    entity = verdict.entity
    non_empty = stats.nonempty
    ev = stats.entities.get(entity) if entity else None
    extra = probe.column_evidence(stats.name, catalog) if probe else {}
    if entity is None:
        rule = None
    elif ev is not None and ev.strong_cells >= cfg["strong_min_cells"]:
        rule = "strong_matches"
    else:
        rule = "match_ratio"
    validated = extra.get("validated", {}).get(entity, 0) if entity else 0
    distinct, counted = extra.get("distinct"), extra.get("distinct_of") or 0
    return {
        "reason": verdict.reason,
        "rule": rule,
        "column_name_agrees": verdict.name_agrees,
        "rows": stats.rows,
        "non_empty": non_empty,
        "null_ratio": round(1 - non_empty / stats.rows, 4) if stats.rows else 0.0,
        "match_ratio": verdict.match_ratio,
        "validated_ratio": round(validated / non_empty, 4) if non_empty else 0.0,
        "distinct": distinct,
        "distinct_of": counted,
        "distinct_method": extra.get("distinct_method"),
        "distinct_ratio": round(min(distinct / counted, 1.0), 4) if counted and distinct else 0.0,
        "recognizers": extra.get("recognizers", []),
        "thresholds": {
            k: cfg[k] for k in ("min_finding_score", "strong_min_cells", "weak_min_ratio")
        },
        "examples": list(ev.examples) if ev else [],
        "fingerprint": fingerprint(entity, verdict.entities, non_empty, verdict.match_ratio),
    }
