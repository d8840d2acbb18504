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
from .names import column_matches
from .tally import cell_maxima

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
    h = h * _M1
    h = h ^ (h >> np.uint64(27))
    h = h * _M2
    return h ^ (h >> np.uint64(31))


def _fixed_words(arr: pa.Array, width: int, *, tail: bool = False) -> np.ndarray:
    """(n, width/8) little-endian words: each value's first (or last) ``width`` bytes,
    NUL-padded. Padding and slicing are Arrow kernels, the result a zero-copy NumPy view."""
    pad = pa.scalar(b"\0" * width, pa.binary())
    if tail:
        cut = pc.binary_slice(pc.binary_join_element_wise(pad, arr, b""), -width)
    else:
        cut = pc.binary_slice(pc.binary_join_element_wise(arr, pad, b""), 0, width)
    bufs = cut.buffers()
    offsets = np.frombuffer(bufs[1], np.int32, count=len(cut) + 1, offset=cut.offset * 4)
    data = np.frombuffer(bufs[2], np.uint8)[offsets[0] : offsets[-1]]
    return data.reshape(len(cut), width).view("<u8")


def string_hashes(arr: pa.Array, *, head: int = 64, tail: int = 32) -> np.ndarray:
    """64-bit hashes of the non-null strings of ``arr`` (uint64, in order, nulls dropped).

    Strings are hashed from their byte length, their first ``head`` bytes and their last
    ``tail`` bytes: strings that differ only in the middle of a long text may collide, which is
    acceptable for a distinct-count estimate.
    """
    if isinstance(arr, pa.ChunkedArray):
        arr = arr.combine_chunks()
    arr = arr.drop_null().cast(pa.binary())
    if len(arr) == 0:
        return np.zeros(0, np.uint64)
    lengths = pc.binary_length(arr).to_numpy(zero_copy_only=False).astype(np.uint64)
    h = _mix(lengths ^ _GOLDEN)
    longest = int(lengths.max())
    width = min(-(-longest // 8) * 8, head)
    if width:
        for word in _fixed_words(arr, width).T:
            h = _mix(h ^ word)
    if longest > head:
        for word in _fixed_words(arr, tail, tail=True).T:
            h = _mix(h ^ word)
    return _mix(h * _GOLDEN + _GOLDEN)


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
        index = (hashes >> np.uint64(64 - self.p)).astype(np.int64)
        rest = (hashes << np.uint64(self.p)) | np.uint64(1 << (self.p - 1))
        rank = 64 - _bit_length(rest) + 1  # 1 .. 65 - p
        # Largest rank per register without a sort: mark (register, rank) pairs present.
        present = np.bincount(index * 64 + rank, minlength=self.m * 64).reshape(self.m, 64) > 0
        best = (63 - np.argmax(present[:, ::-1], axis=1)).astype(np.uint8)
        best[~present.any(axis=1)] = 0
        np.maximum(self.registers, best, out=self.registers)

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
    """Number of significant bits of each uint64 (x > 0), by binary search on shifts."""
    n = np.zeros(x.shape, np.int64)
    x = x.copy()
    for shift in (32, 16, 8, 4, 2, 1):
        big = x >= (np.uint64(1) << np.uint64(shift))
        n[big] += shift
        x[big] >>= np.uint64(shift)
    return n + (x > 0)


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
        merged = pc.unique(pa.concat_arrays(self._parts)) if self._parts else pa.array([], "str")
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
                hll.add_hashes(merged.to_numpy(zero_copy_only=False).astype(np.uint64))
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
    """The form in which two writings of one identifier compare equal (see table_rules.toml)."""
    v = values
    if not pc.all(pc.string_is_ascii(v)).as_py():
        v = pc.utf8_normalize(v, "NFKC")
    if entity == "EMAIL_ADDRESS":
        return pc.ascii_lower(pc.utf8_trim_whitespace(v))
    if pc.any(pc.match_substring_regex(v, r"[^0-9A-Za-z]")).as_py():
        v = pc.replace_substring_regex(v, r"[^0-9A-Za-z]", "")
    if entity in ("CN_MOBILE_PHONE", "CN_LANDLINE"):
        return pc.utf8_slice_codeunits(v, -11)
    return pc.ascii_upper(v)


class TableProbe:
    """Collects one table's extra evidence; see the module docstring."""

    def __init__(self, catalog: Catalog, min_score: float):
        cfg = settings()
        self.catalog = catalog
        self.min_score = min_score
        self._distinct_cfg = cfg["distinct"]
        ind = cfg["individuals"]
        self.individual_entities = tuple(ind["entities"])
        self._individual_set = pa.array(self.individual_entities, pa.string())
        self.individuals = {
            e: DistinctCounter(int(ind["exact_limit"]), 1 << 62, int(ind["hll_precision"]))
            for e in self.individual_entities
        }
        self.columns: dict[str, ColumnProbe] = {}
        recs = list(catalog)
        # As float32, the type of the scores they are compared with.
        self._rec_context_of = {r.id: float(np.float32(r.context_score)) for r in recs}
        self._validated_ids = pa.array([r.id for r in recs if r.validator])
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
            trimmed = pc.utf8_trim_whitespace(values)
            probe.distinct.add(trimmed.filter(pc.greater(pc.utf8_length(trimmed), 0)))
        if matches.num_rows == 0:
            return
        self._recognizers(probe, matches)
        self._validated(probe, matches)
        if "value" in matches.column_names:
            self._individuals(matches)

    def _recognizers(self, probe: ColumnProbe, matches: pa.Table) -> None:
        per_cell = cell_maxima(
            matches["row"].to_numpy(), matches["recognizer"], matches["score"].to_numpy()
        )
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

    def _validated(self, probe: ColumnProbe, matches: pa.Table) -> None:
        ok = pc.and_(
            pc.is_in(matches["recognizer"], value_set=self._validated_ids),
            pc.greater_equal(matches["score"], self.min_score),
        )
        hits = matches.select(["row", "entity"]).filter(ok)
        if not hits.num_rows:
            return
        per_cell = cell_maxima(hits["row"].to_numpy(), hits["entity"], np.zeros(hits.num_rows))
        for entity, n in zip(per_cell.keys, per_cell.cells().tolist(), strict=True):
            probe.validated[entity] = probe.validated.get(entity, 0) + n

    def _individuals(self, matches: pa.Table) -> None:
        wanted = pc.and_(
            pc.greater_equal(matches["score"], self.min_score),
            pc.is_in(matches["entity"], value_set=self._individual_set),
        )
        strong = matches.select(["entity", "value"]).filter(wanted)
        if not strong.num_rows:
            return
        for entity in pc.unique(strong["entity"]).to_pylist():
            values = strong.filter(pc.equal(strong["entity"], entity))["value"]
            self.individuals[entity].add(
                normalise_identifiers(entity, values.combine_chunks()).cast(pa.string())
            )

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
