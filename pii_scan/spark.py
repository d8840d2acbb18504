"""Distributed scanning on Apache Spark: the same core, run where the data lives.

Optional extra: ``pip install 'pii-scan[spark]'`` (PySpark 3.5 or later). The Spark engine gives
the same report (``pii-scan/report/v1``) and the same findings as the local engine
(:mod:`pii_scan.scan`) because it runs the same code at both ends:

* **Sources -> tables.** Paths are discovered like the local engine does it
  (:func:`pii_scan.sources.discover`; ``scheme://`` URIs are listed through Spark's Hadoop
  file system instead, so ``s3a://``, ``hdfs://``, ``abfss://`` work with the cluster's
  credentials). **One table per file, read one by one**: every file becomes its own Spark
  DataFrame named by the file stem, exactly as locally (a folder of files with different
  columns cannot share one DataFrame, and ``input_file_name()`` over a union would invent
  empty columns). A Hive-partitioned Parquet dataset is one table (its root folder), read
  with its partition columns as text. All tables of a run go through Spark in a few jobs (the
  per-table plans are unioned), so files are scanned in parallel as well as split.
* **Executors.** Each DataFrame goes through ``mapInArrow``: Arrow batches in, flattened to
  all-string columns by :mod:`pii_scan.sources.strings` (the readers' own conversion), then
  :meth:`pii_scan.scan._Scanner.scan_batch` (matching core, column statistics, evidence probe,
  minors) exactly as the local scanner calls it. Out comes one small set of rows per
  partition: per column rows and non-empty values, per entity cells / strong cells / score
  sums and three masked examples, per recognizer counts, the birth dates that can make a
  holder a minor, and the distinct-value state (HyperLogLog registers, plus salted 64-bit
  hashes while exact; never a value), plus the findings when asked.
* **Spark reduces, the driver decides.** Spark sums the statistics per table, column and
  entity and unites the distinct-value states (:func:`_summaries`), so the driver receives a
  few rows per column whatever the number of partitions. They go back into
  :class:`~pii_scan.classify.columns.ColumnStats`,
  :class:`~pii_scan.classify.columns.MinorsTracker` and
  :class:`~pii_scan.classify.evidence.TableProbe`, and the local engine's
  ``_table_report`` and :func:`~pii_scan.scan.build_report` make the verdicts and the report.
* **Sampling** (``sample_rows``, default from ``models/classification.toml``) is pushed into
  Spark: a file is read as one coalesced partition and cut after N rows (``coalesce(1)`` +
  ``limit``), which reads the first N rows of the file like the local engine and stops; a
  DataFrame or catalog table is cut with ``limit`` (N rows, not necessarily the first).
* **Findings** keep the local row numbers: executors number rows within each (file, split)
  segment, the driver turns segments into file offsets, and a join fixes the rows. They are
  written as a Spark output (JSON Lines or Parquet part files) or streamed to a text file.
* **Fallback.** Sources Spark cannot read the way the local readers do (spreadsheets, SQLite,
  SQL dumps, Arrow files, archives, ``xz``/``zstd`` compression, JSON documents, UTF-16/32
  CSV or JSON, text that is not clean UTF-8) are scanned on the driver by the local engine, so
  a report is never missing a source.

>>> from pii_scan.spark import session, scan_paths         # doctest: +SKIP
>>> report = scan_paths(["lake/"], spark=session())         # doctest: +SKIP
"""

from __future__ import annotations

import codecs
import csv
import dataclasses
import datetime as dt
import io
import json
import os
import re
import secrets
import sys
import warnings
from collections import Counter
from collections.abc import Callable, Iterator, Sequence
from dataclasses import dataclass, field
from functools import reduce
from pathlib import PurePosixPath
from typing import IO, Any
from urllib.parse import unquote

import numpy as np
import pyarrow as pa
import pyarrow.compute as pc

try:
    from pyspark import StorageLevel, TaskContext
    from pyspark.sql import DataFrame, SparkSession
    from pyspark.sql import functions as F
    from pyspark.sql import types as T
except ImportError:  # pragma: no cover - the module stays importable; using it needs PySpark
    StorageLevel = TaskContext = DataFrame = SparkSession = F = T = None

from .catalog import Catalog
from .classify.columns import ColumnStats, EntityEvidence, MinorsTracker
from .classify.evidence import DistinctCounter, HyperLogLog, RecognizerEvidence, TableProbe
from .classify.evidence import string_hashes as _string_hashes
from .classify.policy import Policy
from .scan import ScanOptions, _Scanner, build_report
from .sources import Discovery, SourceError, SourceRef, discover
from .sources.base import dedupe_names, scrub_values
from .sources.delimited import _records, sniff_delimiter, sniff_header
from .sources.discovery import matches_patterns
from .sources.encoding import HEAD_BYTES, text_encoding
from .sources.strings import flatten_batch

__all__ = ["OutputExists", "scan_dataframe", "scan_paths", "scan_tables", "session"]

# PySpark warns about pandas versions on import of its Arrow helpers; the engine uses no pandas.
warnings.filterwarnings(
    "ignore", message="PySpark does not yet fully support", category=FutureWarning
)

#: Tables whose plans are unioned into one Spark job.
JOB_TABLES = 64
#: A sampled Hive dataset with at most this many files is read file by file in path order, so
#: that the sample is its first rows as locally; larger ones are read in one go.
DATASET_UNION_FILES = 256
#: Formats Spark reads itself; everything else is scanned on the driver by the local engine.
SPARK_FORMATS = frozenset({"csv", "tsv", "psv", "jsonl", "json", "parquet", "orc", "text"})
#: Compressions Hadoop undoes by file extension without native libraries.
SPARK_COMPRESSIONS = frozenset({None, "gz", "bz2"})
#: Hadoop's extension -> format map for listed URIs (the local discovery's, for local paths).
URI_FORMATS = {
    ".csv": "csv",
    ".tsv": "tsv",
    ".tab": "tsv",
    ".psv": "psv",
    ".jsonl": "jsonl",
    ".ndjson": "jsonl",
    ".json": "json",
    ".parquet": "parquet",
    ".pq": "parquet",
    ".orc": "orc",
    ".txt": "text",
    ".log": "text",
    ".md": "text",
    ".text": "text",
}
_URI_COMPRESSIONS = {".gz": "gz", ".bz2": "bz2"}
_DELIMITERS = {"tsv": "\t", "psv": "|"}
_SCHEME = re.compile(r"^[A-Za-z][A-Za-z0-9+.-]+:")
_KEY_FILE = "__pii_scan_file__"
_KEY_BLOCK = "__pii_scan_block__"
#: Session settings held for the duration of a scan (restored afterwards).
SCAN_CONF = {
    # Hive partition values stay text ("01" must not become 1), as the local reader keeps them.
    "spark.sql.sources.partitionColumnTypeInference.enabled": "false",
    # JSON keys and Parquet columns that differ only in case are separate columns locally.
    "spark.sql.caseSensitive": "true",
    # Spark 4 reads CSV/JSON only in a few charsets unless this is on (GB18030, GBK...).
    "spark.sql.legacy.javaCharsets": "true",
}

# The rows executors send back. One schema for every kind of row (unused fields are null):
#   seg    one (file, split) run of rows of a partition: seg, file, block, n1 first row, n2 rows
#   col    per column: pos, n1 rows, n2 non-empty values
#   ent    per column and entity: pos, id, n1 cells, n2 strong cells, x score sum, texts examples
#   rec    per column and recognizer: pos, id, n1 cells, n2 strong cells, n3 context cells
#   val    per column and entity: pos, id, n1 validated cells
#   dist   per column distinct values: pos, n1 seen, hashes/lengths (exact) and texts [HLL]
#   ind    per individual-identifying entity: id, n1 seen, hashes/lengths, texts [HLL]
#   birth  resident-ID birth dates: id the date (ISO), n2 holders
#   find   one finding: seg, pos, row (within the segment), start, end, id entity, tier,
#          x score, value, and path/tname/column as the local findings carry them
_FIELDS: list[tuple[str, pa.DataType, str]] = [
    ("kind", pa.string(), "string"),
    ("tbl", pa.int32(), "int"),
    ("part", pa.int32(), "int"),
    ("seg", pa.int32(), "int"),
    ("file", pa.string(), "string"),
    ("block", pa.int64(), "bigint"),
    ("pos", pa.int32(), "int"),
    ("id", pa.string(), "string"),
    ("n1", pa.int64(), "bigint"),
    ("n2", pa.int64(), "bigint"),
    ("n3", pa.int64(), "bigint"),
    ("x", pa.float64(), "double"),
    ("texts", pa.list_(pa.string()), "array<string>"),
    ("hashes", pa.binary(), "binary"),
    ("lengths", pa.binary(), "binary"),
    ("path", pa.string(), "string"),
    ("tname", pa.string(), "string"),
    ("column", pa.string(), "string"),
    ("row", pa.int64(), "bigint"),
    ("start", pa.int64(), "bigint"),
    ("end", pa.int64(), "bigint"),
    ("tier", pa.string(), "string"),
    ("value", pa.string(), "string"),
]
OUT_ARROW = pa.schema([pa.field(n, a) for n, a, _ in _FIELDS])
OUT_DDL = ", ".join(f"`{n}` {t}" for n, _, t in _FIELDS)
#: The findings output: the contract's JSONL object, field for field.
FINDINGS_FIELDS = [
    ("path", "string"),
    ("table", "string"),
    ("column", "string"),
    ("row", "bigint"),
    ("start", "bigint"),
    ("end", "bigint"),
    ("entity", "string"),
    ("tier", "string"),
    ("score", "double"),
    ("value", "string"),
]
FINDINGS_COLUMNS = [n for n, _ in FINDINGS_FIELDS]
# ... with the keys that order a streamed output.
_ORDERED_DDL = ", ".join(
    f"`{n}` {t}"
    for n, t in [
        *FINDINGS_FIELDS,
        ("src", "int"),
        ("tbl", "int"),
        ("pos", "int"),
        ("seq", "bigint"),
    ]
)


def _require_pyspark() -> None:
    if SparkSession is None:
        raise ImportError("the Spark engine needs PySpark: pip install 'pii-scan[spark]'")


class OutputExists(ValueError):
    """The findings output path exists already (Spark never overwrites it)."""


# --------------------------------------------------------------------------- session


def session(
    master: str | None = None,
    conf: dict[str, str] | Sequence[tuple[str, str]] | None = None,
    app_name: str = "pii-scan",
    *,
    quiet: bool = True,
) -> SparkSession:
    """A SparkSession for scanning.

    Under ``spark-submit`` (or when a session is already running) that session is used and
    ``master`` is ignored unless given. Otherwise a new one is started on ``master``
    (``local[*]`` by default): in local mode it binds to 127.0.0.1, has no web UI and runs its
    Python workers with this interpreter. ``conf`` entries are passed through (they win).
    ``quiet`` keeps Spark's log to FATAL: failed reads are in the report's ``errors``.
    """
    _require_pyspark()
    items = list(conf.items()) if isinstance(conf, dict) else list(conf or ())
    active = SparkSession.getActiveSession()
    if active is not None and master is None and not items:
        return active
    submitted = "PYSPARK_GATEWAY_PORT" in os.environ  # the JVM started us (spark-submit)
    builder = SparkSession.builder.appName(app_name)
    if master is not None or not submitted:
        master = master or "local[*]"
        builder = builder.master(master)
        if master.startswith("local"):
            # Executors are this process's children: same interpreter, same site-packages.
            os.environ.setdefault("PYSPARK_PYTHON", sys.executable)
            os.environ.setdefault("SPARK_LOCAL_IP", "127.0.0.1")
            for key, value in (
                ("spark.driver.host", "127.0.0.1"),
                ("spark.driver.bindAddress", "127.0.0.1"),
                ("spark.ui.enabled", "false"),
                ("spark.ui.showConsoleProgress", "false"),
            ):
                builder = builder.config(key, value)
    for key, value in items:
        builder = builder.config(key, value)
    spark = builder.getOrCreate()
    if quiet:  # a source Spark cannot read is reported in the report, not as a stack trace
        spark.sparkContext.setLogLevel("FATAL")
    return spark


# --------------------------------------------------------------------------- plans


@dataclass(frozen=True)
class _Spec:
    """What an executor needs to scan the partitions of one table (pickled with the task)."""

    tbl: int
    path: str
    name: str
    columns: tuple[str, ...]
    order: tuple[int, ...] | None  # report column k is leaf order[k] of the batch
    catalog: Catalog
    policy: Policy
    reveal: bool
    findings: bool
    salt: int
    born_after: dt.date | None  # birth dates that can make a minor under some policy


@dataclass
class _Plan:
    """One table to scan: its report identity and the DataFrame that feeds ``mapInArrow``."""

    path: str
    fmt: str
    name: str
    columns: list[str]
    frame: DataFrame  # the data plus the two key columns, sampled
    row_base: int = 0
    order: list[int] | None = None
    entry: dict = field(default_factory=dict)  # its source's report entry
    slot: int = 0  # its source's place in the report (orders streamed findings)


@dataclass
class _Result:
    table: dict | None = None
    error: str | None = None


class _Run:
    """One scan: the driver's scanner, the session and where findings go."""

    def __init__(self, spark: SparkSession, options: ScanOptions, want_findings: bool):
        self.spark = spark
        self.options = options
        self.scanner = _Scanner(options)  # fails early on a bad policy
        self.max_rows = options.max_rows()
        self.want_findings = want_findings
        self.salt = secrets.randbits(63)
        self.limits = _counter_limits(self.scanner)
        self.findings: list[DataFrame] = []
        self.local_findings: list[tuple[int, int, dict]] = []
        self.persisted: list[DataFrame] = []

    # -- executors' view of a table -------------------------------------------------------
    def spec(self, tbl: int, plan: _Plan) -> _Spec:
        return _Spec(
            tbl=tbl,
            path=plan.path,
            name=plan.name,
            columns=tuple(plan.columns),
            order=tuple(plan.order) if plan.order is not None else None,
            catalog=self.scanner.catalog,
            policy=self.scanner.policy,
            reveal=self.options.reveal,
            findings=self.want_findings,
            salt=self.salt,
            born_after=_minors_horizon(self.scanner),
        )

    def frame(self, tbl: int, plan: _Plan) -> DataFrame:
        return plan.frame.mapInArrow(_partition_function(self.spec(tbl, plan)), OUT_DDL)

    # -- running the jobs -----------------------------------------------------------------
    def run(self, plans: list[_Plan]) -> list[_Result]:
        results = [_Result() for _ in plans]
        for first in range(0, len(plans), JOB_TABLES):
            chunk = list(range(first, min(first + JOB_TABLES, len(plans))))
            self._run_chunk(plans, chunk, results)
        return results

    def _run_chunk(self, plans: list[_Plan], chunk: list[int], results: list[_Result]) -> None:
        # Persisted: the statistics and the findings are read from one pass over the data.
        out = reduce(DataFrame.unionAll, [self.frame(i, plans[i]) for i in chunk])
        out = out.persist(StorageLevel.MEMORY_AND_DISK)
        try:
            rows = _summaries(out, self.limits).collect()
        except Exception as exc:  # one bad file fails the job: find it, keep the others
            out.unpersist()
            if len(chunk) == 1:
                results[chunk[0]].error = _spark_reason(exc)
                return
            half = len(chunk) // 2  # bisect: a few jobs find the few unreadable files
            self._run_chunk(plans, chunk[:half], results)
            self._run_chunk(plans, chunk[half:], results)
            return
        by_table: dict[int, list] = {i: [] for i in chunk}
        for row in rows:
            by_table[row["tbl"]].append(row)
        offsets = []
        for i in chunk:
            plan = plans[i]
            table, segments = _merge_table(self.scanner, plan, by_table[i])
            results[i].table = table
            offsets += [
                (i, part, seg, start + plan.row_base, plan.slot) for part, seg, start in segments
            ]
        self.persisted.append(out)
        if self.want_findings:
            self.findings.append(_place_findings(self.spark, out, offsets))
        else:
            self.release()

    # -- findings -------------------------------------------------------------------------
    def findings_frame(self) -> DataFrame:
        """Every finding, with ordering keys ``src`` (the source's place in the report),
        ``tbl``, ``pos`` and ``seq`` (emission order of the locally read sources)."""
        frames = list(self.findings)
        if self.local_findings:
            names = FINDINGS_COLUMNS
            rows = [
                (*(f.get(k) for k in names), order, -1, 0, seq)
                for order, seq, f in self.local_findings
            ]
            frames.append(self.spark.createDataFrame(rows, _ORDERED_DDL))
        if not frames:
            return self.spark.createDataFrame([], _ORDERED_DDL)
        return reduce(DataFrame.unionByName, frames)

    def release(self) -> None:
        for out in self.persisted:
            out.unpersist()
        self.persisted.clear()


def _spark_reason(exc: BaseException) -> str:
    """A one-line reason for a failed Spark job (the cause's first line, never a traceback)."""
    text = str(exc)
    for marker in ("Caused by: ", "SparkException: ", "Exception: "):
        if marker in text:
            text = text.split(marker, 1)[1]
            break
    # The cause may quote the cell or line it could not parse: values are cut as in reason().
    return str(SourceError(f"Spark could not read the source: {scrub_values(text)}"))


# --------------------------------------------------------------------------- executors

_WORKER: dict[tuple, _Scanner] = {}


def _minors_horizon(scanner: _Scanner) -> dt.date | None:
    """Birth dates on or before this day make nobody a minor under any policy of the run, so
    executors leave them out (a year's margin; the driver applies the exact rule)."""
    ages = [p.minors_age for p in (scanner.policy, *scanner.policies.values())]
    oldest = max(ages, default=0)
    if oldest <= 0:
        return None
    return dt.date(scanner.options.today.year - oldest - 1, 1, 1)


def _worker_scanner(spec: _Spec) -> _Scanner:
    """The executor's scanner, built once per Python worker from the driver's catalog."""
    key = (spec.catalog.version, spec.reveal)
    scanner = _WORKER.get(key)
    if scanner is None:
        # One thread per task: Spark runs one task per core.
        options = ScanOptions(reveal=spec.reveal, sample_rows=0, threads=1)
        scanner = _Scanner(options, catalog=spec.catalog)
        _WORKER.clear()
        _WORKER[key] = scanner
    scanner.policy = spec.policy  # findings carry the run's tier (policy files need no path)
    return scanner


def _partition_function(spec: _Spec) -> Callable[[Iterator[pa.RecordBatch]], Iterator]:
    def scan_partition(batches: Iterator[pa.RecordBatch]) -> Iterator[pa.RecordBatch]:
        yield from _scan_partition(spec, batches)

    return scan_partition


def _scan_partition(spec: _Spec, batches: Iterator[pa.RecordBatch]) -> Iterator[pa.RecordBatch]:
    scanner = _worker_scanner(spec)
    context = TaskContext.get()
    part = context.partitionId() if context is not None else 0
    stats = {c: ColumnStats(c) for c in spec.columns}
    minors = MinorsTracker(dt.date.today())  # only its birth dates leave the executor
    probe = TableProbe(scanner.catalog, scanner.min_score)
    segments: list[list] = []  # [file, block, first row, rows]
    rows = 0
    for batch in batches:
        if batch.num_rows == 0:
            continue
        _add_segments(segments, batch, rows)
        data = _strings(batch, spec)
        found: list[dict] | None = [] if spec.findings else None
        scanner.scan_batch(
            data,
            stats,
            minors,
            probe,
            path=spec.path,
            table=spec.name,
            row_offset=rows,
            emit=found.append if found is not None else None,
        )
        rows += batch.num_rows
        if found:
            yield _findings_batch(spec, part, segments, found)
    yield _state_batch(spec, part, segments, stats, minors, probe)


def _strings(batch: pa.RecordBatch, spec: _Spec) -> pa.RecordBatch:
    """The batch as the local readers make it: flattened, all-string, report column names."""
    data = pa.RecordBatch.from_arrays(batch.columns[:-2], schema=pa.schema(list(batch.schema)[:-2]))
    arrays = [array for _, array in flatten_batch(data)]
    if spec.order is not None:
        arrays = [arrays[i] for i in spec.order]
    if len(arrays) != len(spec.columns):
        raise RuntimeError(
            f"{spec.path}: {len(arrays)} columns in the data, {len(spec.columns)} expected"
        )
    return pa.RecordBatch.from_arrays(arrays, names=list(spec.columns))


def _add_segments(segments: list[list], batch: pa.RecordBatch, first_row: int) -> None:
    """Extend ``segments`` with the (file, split start) runs of ``batch``."""
    files = batch.column(batch.num_columns - 2)
    blocks = batch.column(batch.num_columns - 1)
    n = batch.num_rows
    if n > 1:
        changed = pc.or_(
            pc.not_equal(files.slice(1), files.slice(0, n - 1)),
            pc.not_equal(blocks.slice(1), blocks.slice(0, n - 1)),
        )
        starts = [0, *(np.flatnonzero(changed.to_numpy(zero_copy_only=False)) + 1).tolist()]
    else:
        starts = [0]
    ends = [*starts[1:], n]
    for start, end in zip(starts, ends, strict=True):
        key = (files[start].as_py() or "", blocks[start].as_py())
        if segments and (segments[-1][0], segments[-1][1]) == key and start == 0:
            segments[-1][3] += end - start
        else:
            segments.append([key[0], key[1], first_row + start, end - start])


def _findings_batch(spec: _Spec, part: int, segments: list[list], found: list[dict]):
    rows = np.array([f["row"] for f in found], dtype=np.int64)
    firsts = np.array([s[2] for s in segments], dtype=np.int64)
    seg = np.searchsorted(firsts, rows, side="right") - 1
    position = {c: i for i, c in enumerate(spec.columns)}
    n = len(found)
    cols: dict[str, Any] = {
        "kind": ["find"] * n,
        "tbl": [spec.tbl] * n,
        "part": [part] * n,
        "seg": seg.tolist(),
        "pos": [position[f["column"]] for f in found],
        "id": [f["entity"] for f in found],
        "x": [f["score"] for f in found],
        "path": [f["path"] for f in found],
        "tname": [f["table"] for f in found],
        "column": [f["column"] for f in found],
        "row": (rows - firsts[seg]).tolist(),
        "start": [f["start"] for f in found],
        "end": [f["end"] for f in found],
        "tier": [f["tier"] for f in found],
        "value": [f["value"] for f in found],
    }
    arrays = [
        pa.array(cols[f.name], f.type) if f.name in cols else pa.nulls(n, f.type) for f in OUT_ARROW
    ]
    return pa.RecordBatch.from_arrays(arrays, schema=OUT_ARROW)


def _salted(hashes: np.ndarray, salt: int) -> np.ndarray:
    """Keyed 64-bit hashes: a run's secret salt mixed in, so they cannot be looked up."""
    h = hashes.astype(np.uint64) ^ np.uint64(salt)
    with np.errstate(over="ignore"):
        h = (h ^ (h >> np.uint64(31))) * np.uint64(0x7FB5D329728EA185)
        h = (h ^ (h >> np.uint64(27))) * np.uint64(0x81DADEF4BC2DD44D)
    return h ^ (h >> np.uint64(33))


def _counter_row(kind: str, counter: DistinctCounter, salt: int, **keys) -> dict:
    """The mergeable state of a distinct counter: its sketch registers (which hold no value),
    and while it is still exact, keyed hashes of its distinct values and their lengths."""
    row = {"kind": kind, "n1": counter.seen, "texts": [counter.sketch_text()], **keys}
    values = _exact_values(counter)
    if values is not None:
        row["hashes"] = _salted(_string_hashes(values), salt).tobytes()
        lengths = pc.binary_length(values).to_numpy(zero_copy_only=False).astype(np.int64)
        row["lengths"] = lengths.tobytes()
    return row


def _exact_values(counter: DistinctCounter) -> pa.Array | None:
    """The distinct values of a counter still counting exactly (None once it estimates)."""
    if getattr(counter, "_parts", None) is None:
        return None
    values = counter._merge()
    return values.cast(pa.string()) if len(values) else pa.array([], pa.string())


def _state_batch(spec, part, segments, stats, minors, probe) -> pa.RecordBatch:
    rows: list[dict] = []
    base = {"tbl": spec.tbl, "part": part}
    for i, (file, block, first, n) in enumerate(segments):
        rows.append({"kind": "seg", "seg": i, "file": file, "block": block, "n1": first, "n2": n})
    if not segments:
        rows.append({"kind": "seg", "seg": 0, "file": "", "block": -1, "n1": 0, "n2": 0})
    for pos, name in enumerate(spec.columns):
        col = stats[name]
        rows.append({"kind": "col", "pos": pos, "n1": col.rows, "n2": col.nonempty})
        for entity, ev in col.entities.items():
            rows.append(
                {
                    "kind": "ent",
                    "pos": pos,
                    "id": entity,
                    "n1": ev.cells,
                    "n2": ev.strong_cells,
                    "x": float(ev.score_sum),
                    "texts": list(ev.examples),
                }
            )
        cp = probe.columns.get(name)
        if cp is None:
            continue
        for rid, ev in cp.recognizers.items():
            rows.append(
                {
                    "kind": "rec",
                    "pos": pos,
                    "id": rid,
                    "n1": ev.cells,
                    "n2": ev.strong_cells,
                    "n3": ev.context_cells,
                }
            )
        for entity, n in cp.validated.items():
            rows.append({"kind": "val", "pos": pos, "id": entity, "n1": n})
        rows.append(_counter_row("dist", cp.distinct, spec.salt, pos=pos))
    for entity, counter in probe.individuals.items():
        if counter.seen:
            rows.append(_counter_row("ind", counter, spec.salt, id=entity))
    for day, n in minors.birth_dates.items():
        if spec.born_after is not None and day > spec.born_after:
            rows.append({"kind": "birth", "id": day.isoformat(), "n2": n})
    # Every row carries the partition's first (file, split start): the order of partitions
    # in which examples are taken.
    first = segments[0] if segments else ("", -1)
    for row in rows:
        row.update(base)
        if row["kind"] != "seg":
            row["file"], row["block"] = first[0], first[1]
    return pa.RecordBatch.from_pylist(rows, schema=OUT_ARROW)


# --------------------------------------------------------------------------- Spark merge

_ADDITIVE = ("col", "ent", "rec", "val", "birth")
_COUNTERS = ("dist", "ind")
#: Partitions whose examples are kept per column and entity (each gives up to three).
_EXAMPLE_PARTITIONS = 8


def _summaries(out: DataFrame, limits: dict[str, tuple[int, int]]) -> DataFrame:
    """What the driver needs, already reduced by Spark: the segments (one row per (file,
    split) run of a partition), the additive statistics summed per table, column and entity
    (examples of the first partitions in file order), and one merged distinct-value state
    per counter. The driver's memory does not grow with the number of partitions."""
    segments = out.filter(F.col("kind") == "seg")
    order = F.struct("file", "block", "part", "texts")
    additive = (
        out.filter(F.col("kind").isin(*_ADDITIVE))
        .groupBy("tbl", "kind", "pos", "id")
        .agg(
            F.sum("n1").alias("n1"),
            F.sum("n2").alias("n2"),
            F.sum("n3").alias("n3"),
            F.sum("x").alias("x"),
            F.slice(F.sort_array(F.collect_list(order)), 1, _EXAMPLE_PARTITIONS).alias("parts"),
        )
        .select(
            "tbl",
            "kind",
            "pos",
            "id",
            "n1",
            "n2",
            "n3",
            "x",
            F.flatten(
                F.transform(
                    "parts", lambda p: F.coalesce(p["texts"], F.array().cast("array<string>"))
                )
            ).alias("texts"),
        )
    )
    counters = (
        out.filter(F.col("kind").isin(*_COUNTERS))
        .repartition("tbl", "kind", "pos", "id")
        .mapInArrow(_counter_merger(limits), OUT_DDL)
    )
    return segments.unionByName(additive, allowMissingColumns=True).unionByName(counters)


def _counter_limits(scanner: _Scanner) -> dict[str, tuple[int, int]]:
    """``kind -> (exact_limit, max_bytes)`` of the column and the individuals counters."""
    probe = TableProbe(scanner.catalog, scanner.min_score)
    column = probe.column("-").distinct
    limits = {"dist": (column.exact_limit, column.max_bytes)}
    for counter in probe.individuals.values():
        limits["ind"] = (counter.exact_limit, counter.max_bytes)
    return limits


def _counter_merger(limits: dict[str, tuple[int, int]]):
    def merge_counters(batches: Iterator[pa.RecordBatch]) -> Iterator[pa.RecordBatch]:
        yield from _merge_counters(limits, batches)

    return merge_counters


def _merge_counters(limits, batches: Iterator[pa.RecordBatch]) -> Iterator[pa.RecordBatch]:
    """Unite the partitions' states of each counter: registers by maximum, keyed hashes by
    union while the union stays within the counter's exact limits (then registers only)."""
    merged: dict[tuple, dict] = {}
    for batch in batches:
        for r in batch.to_pylist():
            key = (r["tbl"], r["kind"], r["pos"], r["id"])
            hll = HyperLogLog.from_text(r["texts"][0])
            m = merged.get(key)
            if m is None:
                m = merged[key] = {"seen": 0, "hll": hll, "hashes": [], "lengths": []}
            else:
                m["hll"].merge(hll)
            m["seen"] += r["n1"]
            if m["hashes"] is None:
                continue
            if r["hashes"] is None:
                m["hashes"] = m["lengths"] = None
                continue
            m["hashes"].append(np.frombuffer(r["hashes"], np.uint64))
            m["lengths"].append(np.frombuffer(r["lengths"], np.int64))
            exact_limit, max_bytes = limits[r["kind"]]
            if sum(len(h) for h in m["hashes"]) > exact_limit:
                hashes, index = np.unique(np.concatenate(m["hashes"]), return_index=True)
                lengths = np.concatenate(m["lengths"])[index]
                if len(hashes) > exact_limit or int(lengths.sum()) > max_bytes:
                    m["hashes"] = m["lengths"] = None
                else:
                    m["hashes"], m["lengths"] = [hashes], [lengths]
    rows = []
    for (tbl, kind, pos, ident), m in merged.items():
        row = {"kind": kind, "tbl": tbl, "pos": pos, "id": ident, "n1": m["seen"]}
        row["texts"] = [m["hll"].to_text()]
        if m["hashes"] is not None:
            hashes, index = np.unique(np.concatenate(m["hashes"]), return_index=True)
            row["hashes"] = hashes.tobytes()
            row["lengths"] = np.concatenate(m["lengths"])[index].tobytes()
        rows.append(row)
    if rows:
        yield pa.RecordBatch.from_pylist(rows, schema=OUT_ARROW)


# --------------------------------------------------------------------------- driver merge


def _merge_table(scanner: _Scanner, plan: _Plan, rows: list) -> tuple[dict, list]:
    """The table's report entry from its summary rows (:func:`_summaries`), and the segments'
    first rows ``(part, seg, first row of the segment in the table)`` for the findings."""
    segs = [r for r in rows if r["kind"] == "seg"]
    segs.sort(key=lambda r: (_file_key(r["file"]), r["block"], r["part"], r["seg"]))
    segments = []
    total = 0
    for r in segs:
        segments.append((r["part"], r["seg"], total))
        total += r["n2"]

    stats = {c: ColumnStats(c) for c in plan.columns}
    minors = MinorsTracker(scanner.options.today)
    probe = TableProbe(scanner.catalog, scanner.min_score)
    if total:  # the local scanner probes every column of every batch it reads
        for name in plan.columns:
            probe.column(name)
    # Entities in the order the local scanner meets them does not matter: verdicts sort.
    for r in sorted(rows, key=lambda r: (r["kind"], r["pos"] or 0, r["id"] or "")):
        kind = r["kind"]
        if kind == "col":
            col = stats[plan.columns[r["pos"]]]
            col.rows += r["n1"]
            col.nonempty += r["n2"]
        elif kind == "ent":
            ev = stats[plan.columns[r["pos"]]].entities.setdefault(r["id"], EntityEvidence())
            ev.cells += r["n1"]
            ev.strong_cells += r["n2"]
            ev.score_sum += r["x"]
            for example in r["texts"] or ():
                if example not in ev.examples and len(ev.examples) < 3:
                    ev.examples.append(example)
        elif kind == "rec":
            cp = probe.column(plan.columns[r["pos"]])
            ev = cp.recognizers.setdefault(r["id"], RecognizerEvidence())
            ev.cells += r["n1"]
            ev.strong_cells += r["n2"]
            ev.context_cells += r["n3"]
        elif kind == "val":
            cp = probe.column(plan.columns[r["pos"]])
            cp.validated[r["id"]] = cp.validated.get(r["id"], 0) + r["n1"]
        elif kind == "dist":
            cp = probe.column(plan.columns[r["pos"]])
            cp.distinct = _MergedCounter(cp.distinct, [r])
        elif kind == "ind":
            probe.individuals[r["id"]] = _MergedCounter(probe.individuals[r["id"]], [r])
        elif kind == "birth":
            minors.birth_dates[dt.date.fromisoformat(r["id"])] += r["n2"]
    table = scanner._table_report(plan.name, total, stats, minors, probe)
    return table, segments


def _file_key(file: str | None) -> str:
    return unquote(file or "")


class _MergedCounter:
    """Driver-side stand-in for a :class:`~pii_scan.classify.evidence.DistinctCounter`: the
    partitions' counters united (the report reads ``seen``, ``count()``, ``sketch_text()``)."""

    def __init__(self, template: DistinctCounter, parts: list):
        seen = sum(r["n1"] for r in parts)
        cap = getattr(template, "max_values", None)
        self.seen = min(seen, cap) if cap is not None else seen
        self.hll = reduce(_merged_hll, (HyperLogLog.from_text(r["texts"][0]) for r in parts))
        self.exact: int | None = None
        if all(r["hashes"] is not None for r in parts):
            hashes = np.concatenate([np.frombuffer(r["hashes"], np.uint64) for r in parts])
            lengths = np.concatenate([np.frombuffer(r["lengths"], np.int64) for r in parts])
            unique, index = np.unique(hashes, return_index=True)
            nbytes = int(lengths[index].sum()) + 4 * (len(unique) + 1)
            if len(unique) <= template.exact_limit and nbytes <= template.max_bytes:
                self.exact = len(unique)  # distinct keyed hashes = distinct values

    def count(self) -> tuple[int, str]:
        if self.exact is not None:
            return self.exact, "exact"
        return self.hll.estimate(), "hyperloglog"

    def sketch_text(self) -> str:
        return self.hll.to_text()


def _merged_hll(a: HyperLogLog, b: HyperLogLog) -> HyperLogLog:
    a.merge(b)
    return a


def _place_findings(spark: SparkSession, out: DataFrame, offsets: list) -> DataFrame:
    """Findings with table row numbers: the segment's first row added to the row within it."""
    schema = "tbl int, part int, seg int, first long, src int"
    segments = spark.createDataFrame(offsets, schema)
    found = out.filter(F.col("kind") == "find").join(F.broadcast(segments), ["tbl", "part", "seg"])
    return found.select(
        "path",
        F.col("tname").alias("table"),
        "column",
        (F.col("row") + F.col("first")).alias("row"),
        "start",
        "end",
        F.col("id").alias("entity"),
        "tier",
        F.col("x").alias("score"),
        "value",
        # ordering keys for a streamed output
        "src",
        "tbl",
        "pos",
        F.lit(0).cast("long").alias("seq"),
    )


# --------------------------------------------------------------------------- sources


@dataclass
class _Source:
    """One discovered source: read by Spark (``plan``) or by the local engine (``ref``)."""

    ref: SourceRef
    fmt: str
    location: str  # what Spark reads: a Hadoop path (file:/..., s3a://...)
    members: tuple[str, ...] = ()
    head: Callable[[int], bytes] | None = None
    result: dict | None = None


def _hadoop(spark: SparkSession):
    jvm = spark._jvm
    return jvm, spark._jsc.hadoopConfiguration()


def _escape_glob(path: str) -> str:
    """Hadoop expands ``*?[]{}`` in paths; file names holding them are escaped."""
    return re.sub(r"([\\*?\[\]{}])", r"\\\1", path)


def _local_location(path: str) -> str:
    return "file://" + _escape_glob(os.path.abspath(path))


def _hadoop_head(spark: SparkSession, location: str) -> Callable[[int], bytes]:
    def head(size: int) -> bytes:
        jvm, conf = _hadoop(spark)
        path = jvm.org.apache.hadoop.fs.Path(location)
        stream = path.getFileSystem(conf).open(path)
        try:
            return bytes(stream.readNBytes(size))
        finally:
            stream.close()

    return head


def _decompressed(head: Callable[[int], bytes], compression: str | None):
    if compression is None:
        return head

    def read(size: int) -> bytes:
        raw = head(max(size, 1 << 16))
        if compression == "gz":
            out = _zlib_head(raw, size)
        else:
            import bz2

            try:
                out = bz2.BZ2Decompressor().decompress(raw, max_length=size)
            except (OSError, EOFError, ValueError):
                out = b""
        return out[:size]

    return read


def _zlib_head(raw: bytes, size: int) -> bytes:
    import zlib

    try:
        return zlib.decompressobj(16 + zlib.MAX_WBITS).decompress(raw, size)
    except zlib.error:
        return b""


def _discover(
    spark: SparkSession, paths: Sequence[str], options: ScanOptions
) -> tuple[list[_Source], Discovery]:
    """Local paths through the local discovery, ``scheme://`` URIs through Hadoop."""
    local = [p for p in paths if not _SCHEME.match(p)]
    remote = [p for p in paths if _SCHEME.match(p)]
    found = discover(local, include=options.include, exclude=options.exclude)
    sources = []
    for ref in found.sources:
        src = _Source(ref=ref, fmt=ref.format, location=_local_location(ref.location))
        members = tuple(getattr(ref, "members", ()) or ())
        if members:
            src.members = tuple(_local_location(m) for m in members)
        src.head = _input_head(ref)
        sources.append(src)
    for uri in remote:
        _list_uri(spark, uri, options, sources, found)
    sources.sort(key=lambda s: (s.ref.path, s.ref.location))
    return sources, found


def _input_head(ref: SourceRef) -> Callable[[int], bytes]:
    def head(size: int) -> bytes:
        from .sources.inputs import Input

        return Input(ref).head(size)

    return head


def _list_uri(
    spark: SparkSession, uri: str, options: ScanOptions, sources: list[_Source], found: Discovery
) -> None:
    """List a ``scheme://`` path, folder or glob with Hadoop, as the local discovery walks a
    folder: sorted, hidden entries (and Spark's ``_`` markers) skipped, include/exclude
    applied, Parquet below ``key=value`` folders grouped into one dataset."""
    jvm, conf = _hadoop(spark)
    try:
        root = jvm.org.apache.hadoop.fs.Path(uri)
        fs = root.getFileSystem(conf)
        statuses = fs.globStatus(root)
    except Exception as exc:
        found.errors.append({"path": uri, "error": _spark_reason(exc).split(": ", 1)[-1]})
        return
    if not statuses:
        found.errors.append({"path": uri, "error": "no such file or directory"})
        return
    magic = any(c in uri for c in "*?[{")
    datasets: dict[tuple[str, str], list[str]] = {}
    for status in statuses:
        if status.isFile() and not magic:  # a file named on the command line
            _add_uri_file(spark, uri, status.getPath().toString(), True, sources, found)
            continue
        base = status.getPath().toString()
        prefix = base if magic else uri.rstrip("/")
        if status.isFile():
            listed = [base]
            base = status.getPath().getParent().toString()
        else:
            listed = []
            listing = fs.listFiles(status.getPath(), True)
            while listing.hasNext():
                listed.append(listing.next().getPath().toString())
        for location in sorted(listed):
            rel = location[len(base) :].lstrip("/")
            parts = rel.split("/")
            if any(p.startswith((".", "_")) for p in parts):
                continue  # hidden, or Spark's own markers (_SUCCESS, _delta_log)
            name = parts[-1]
            included = not options.include or matches_patterns(options.include, rel, name)
            if not included or matches_patterns(options.exclude, rel, name):
                found.excluded += 1
                continue
            hive = next((i for i, p in enumerate(parts[:-1]) if _HIVE_PART.fullmatch(p)), None)
            fmt, compression = _uri_format(parts[-1])
            if hive is not None and fmt == "parquet" and compression is None:
                root_rel = "/".join(parts[:hive])
                key = (
                    prefix + ("/" + root_rel if root_rel else ""),
                    base + ("/" + root_rel if root_rel else ""),
                )
                datasets.setdefault(key, []).append(location)
                continue
            display = prefix + "/" + rel if rel else prefix
            _add_uri_file(spark, display, location, False, sources, found)
    for (display, location), members in datasets.items():
        ref = SourceRef(path=display, location=_arrow_location(location), format="parquet")
        ref = dataclasses.replace(ref, members=tuple(_arrow_location(m) for m in sorted(members)))
        sources.append(
            _Source(
                ref=ref,
                fmt="parquet",
                location=_escape_glob(location),
                members=tuple(_escape_glob(m) for m in sorted(members)),
            )
        )


_HIVE_PART = re.compile(r"[^=/]+=[^/]*")


def _arrow_location(location: str) -> str:
    """A Hadoop path as the local readers open it (for sources scanned on the driver)."""
    if location.startswith("file:"):
        return "/" + location[5:].lstrip("/")
    for hadoop, arrow in (("s3a://", "s3://"), ("s3n://", "s3://")):
        if location.startswith(hadoop):
            return arrow + location[len(hadoop) :]
    return location


def _uri_format(name: str) -> tuple[str | None, str | None]:
    suffixes = [s.lower() for s in PurePosixPath(name).suffixes]
    compression = _URI_COMPRESSIONS.get(suffixes[-1]) if suffixes else None
    if compression:
        suffixes.pop()
    return (URI_FORMATS.get(suffixes[-1]) if suffixes else None), compression


def _add_uri_file(
    spark: SparkSession,
    display: str,
    location: str,
    explicit: bool,
    sources: list[_Source],
    found: Discovery,
) -> None:
    fmt, compression = _uri_format(PurePosixPath(location).name)
    if fmt is None:
        if explicit:
            found.errors.append({"path": display, "error": "unsupported file format"})
        else:
            found.unsupported.append(display)
        return
    ref = SourceRef(path=display, location=_arrow_location(location), format=fmt)
    if compression:
        ref = dataclasses.replace(ref, compression=compression)
    head = _decompressed(_hadoop_head(spark, location), compression)
    sources.append(_Source(ref=ref, fmt=fmt, location=_escape_glob(location), head=head))


def _table_name(ref: SourceRef) -> str:
    try:
        from .sources.inputs import Input

        return Input(ref).name
    except ImportError:  # pragma: no cover - older sources layer
        return PurePosixPath(ref.path).stem


def _native(src: _Source) -> bool:
    ref = src.ref
    return (
        src.fmt in SPARK_FORMATS
        and getattr(ref, "compression", None) in SPARK_COMPRESSIONS
        and getattr(ref, "member", None) is None
    )


def _leaf_paths(schema: T.StructType) -> list[tuple[str, ...]]:
    """Leaf paths of a Spark schema, as :func:`~pii_scan.sources.strings.flatten_schema` walks
    the Arrow schema Spark sends: structs expanded depth-first, arrays looked through."""
    out: list[tuple[str, ...]] = []

    def walk(path: tuple[str, ...], t: T.DataType) -> None:
        if isinstance(t, T.StructType):
            for f in t.fields:
                walk((*path, f.name), f.dataType)
        elif isinstance(t, T.ArrayType):
            walk(path, t.elementType)
        else:
            out.append(path)

    for f in schema.fields:
        walk((f.name,), f.dataType)
    return out


def _keyed(df: DataFrame) -> DataFrame:
    return df.withColumn(_KEY_FILE, F.input_file_name()).withColumn(
        _KEY_BLOCK, F.input_file_block_start()
    )


class _NotNative(Exception):
    """The source is read by the local engine on the driver."""


def _plan_source(run: _Run, src: _Source) -> _Plan:
    """The Spark plan of one file or dataset; raises SourceError or _NotNative."""
    spark, options = run.spark, run.options
    reader = spark.read
    row_base = 0
    order = None
    fmt = src.fmt
    if fmt in ("parquet", "orc"):
        df = _dataset(run, src, fmt) if src.members else reader.format(fmt).load(src.location)
        columns = dedupe_names([".".join(p) for p in _leaf_paths(df.schema)])
    elif fmt in ("csv", "tsv", "psv"):
        df, columns = _csv(run, src)
    elif fmt in ("jsonl", "json"):
        df, columns, order = _json(run, src)
    elif fmt == "text":
        head = src.head(HEAD_BYTES)
        if not head:
            raise SourceError("empty file")
        _, codec, _ = text_encoding(head, options.encoding, lenient=True)
        if codec != "utf-8" or not _utf8_clean(head) or re.search(rb"\r(?!\n)", head):
            raise _NotNative  # decoded, or cut at a lone CR, differently from the local reader
        df = reader.text(src.location)
        columns = ["text"]
        row_base = 1
    else:
        raise _NotNative
    frame = _keyed(df)
    if run.max_rows is not None:
        frame = frame.coalesce(1).limit(run.max_rows)
    return _Plan(
        path=src.ref.path,
        fmt=fmt,
        name=_table_name(src.ref),
        columns=columns,
        frame=frame,
        row_base=row_base,
        order=order,
    )


def _utf8_clean(head: bytes) -> bool:
    try:
        codecs.getincrementaldecoder("utf-8")("strict").decode(head, final=False)
    except UnicodeDecodeError:
        return False
    return True


def _dataset(run: _Run, src: _Source, fmt: str) -> DataFrame:
    reader = run.spark.read.format(fmt).option("basePath", src.location)
    if run.max_rows is None or len(src.members) > DATASET_UNION_FILES:
        return reader.load(list(src.members))
    # Sampled: file by file in path order, so the first rows are the first files' rows.
    first = reader.load(src.members[0])
    frames = [first] + [
        run.spark.read.format(fmt).option("basePath", src.location).schema(first.schema).load(m)
        for m in src.members[1:]
    ]
    return reduce(DataFrame.unionByName, frames)


def _java_charset(codec: str) -> str | None:
    if codec == "utf-8":
        return None
    return {"gb18030": "GB18030", "gbk": "GBK", "gb2312": "GB2312", "big5": "Big5"}.get(codec)


def _csv(run: _Run, src: _Source) -> tuple[DataFrame, list[str]]:
    """Dialect and header as the local CSV reader decides them, from the file's first bytes."""
    head = src.head(HEAD_BYTES)
    if not head:
        raise SourceError("empty file")
    _, codec, bom = text_encoding(head, run.options.encoding)
    charset = _java_charset(codec)
    if codec != "utf-8" and charset is None:
        raise _NotNative  # UTF-16/32: lines cannot be split by bytes
    complete = len(head) < HEAD_BYTES
    text = codecs.getincrementaldecoder(codec)("replace").decode(head[bom:], final=complete)
    if not complete:
        cut = text.rfind("\n")
        text = text[: cut + 1] if cut >= 0 else text
    delimiter = _DELIMITERS.get(src.fmt) or sniff_delimiter(text, complete)
    records = _records(text, delimiter, complete)
    if not records:
        raise SourceError("no header row")
    has_header = sniff_header(records)
    names = list(records[0])
    names[0] = names[0].removeprefix("\ufeff")
    if has_header:
        columns = dedupe_names(names)
    else:
        width = Counter(len(r) for r in records).most_common(1)[0][0]
        columns = [f"column_{i}" for i in range(1, max(width, len(names)) + 1)]
    schema = T.StructType([T.StructField(f"_c{i}", T.StringType()) for i in range(len(columns))])
    reader = (
        run.spark.read.schema(schema)
        .option("header", has_header)
        .option("sep", delimiter)
        .option("quote", '"')
        .option("escape", '"')
        # A short row gets nulls, as locally; a long row loses its extra fields (locally they
        # are joined into the last column).
        .option("mode", "PERMISSIVE")
        .option("enforceSchema", True)
    )
    if charset:
        reader = reader.option("encoding", charset)
    if _quoted_line_breaks(text, delimiter):
        # Records spanning lines: Spark must read the file whole (one task) to keep them.
        reader = reader.option("multiLine", True)
    return reader.csv(src.location), columns


def _quoted_line_breaks(text: str, delimiter: str) -> bool:
    """Whether a quoted field in ``text`` holds a line break."""
    if '"' not in text:
        return False
    reader = csv.reader(io.StringIO(text, newline=""), delimiter=delimiter, strict=False)
    try:
        return any("\n" in cell or "\r" in cell for row in reader for cell in row)
    except csv.Error:
        return False


def _json(run: _Run, src: _Source) -> tuple[DataFrame, list[str], list[int] | None]:
    """JSON Lines with Spark's reader; columns in the order keys first appear, as locally."""
    head = src.head(HEAD_BYTES)
    if not head:
        raise SourceError("empty file")
    _, codec, bom = text_encoding(head, run.options.encoding)
    charset = _java_charset(codec)
    if codec != "utf-8" and charset is None:
        raise _NotNative
    complete = len(head) < HEAD_BYTES
    text = codecs.getincrementaldecoder(codec)("replace").decode(head[bom:], final=complete)
    lines = text.split("\n")
    if not complete:
        lines = lines[:-1]
    seen: dict[tuple[str, ...], None] = {}
    first = True
    for line in lines:
        if not line.strip():
            continue
        try:
            obj = json.loads(line)
        except ValueError:
            if first and src.fmt == "json":
                raise _NotNative from None  # a JSON document: the local reader's job
            break
        if not isinstance(obj, dict):
            if first and src.fmt == "json":
                raise _NotNative
            break
        first = False
        _key_paths((), obj, seen)
    if first and src.fmt == "json":
        raise _NotNative
    reader = run.spark.read.option("mode", "PERMISSIVE").option(
        "columnNameOfCorruptRecord", "__pii_scan_corrupt__"
    )
    if charset:
        reader = reader.option("encoding", charset).option("lineSep", "\n")
    df = reader.json(src.location)
    if "__pii_scan_corrupt__" in df.columns:
        raise SourceError("invalid JSON Lines: a line is not a JSON object")
    leaves = _leaf_paths(df.schema)
    rank = {path: i for i, path in enumerate(seen)}
    order = sorted(range(len(leaves)), key=lambda i: (rank.get(leaves[i], len(rank)), i))
    columns = dedupe_names([".".join(leaves[i]) for i in order])
    return df, columns, (order if order != list(range(len(leaves))) else None)


def _key_paths(path: tuple[str, ...], obj: Any, seen: dict) -> None:
    """Leaf key paths of a JSON value in first-seen order (arrays looked through)."""
    if isinstance(obj, dict):
        for key, value in obj.items():
            here = (*path, key)
            if isinstance(value, dict):
                if value:
                    _key_paths(here, value, seen)
            elif isinstance(value, list) and any(isinstance(v, dict) for v in value):
                for v in value:
                    if isinstance(v, dict):
                        _key_paths(here, v, seen)
            else:
                seen.setdefault(here, None)


# --------------------------------------------------------------------------- public API


def scan_paths(
    paths: Sequence[str],
    options: ScanOptions | None = None,
    findings: IO[str] | None = None,
    *,
    spark: SparkSession | None = None,
    findings_path: str | None = None,
    findings_format: str = "json",
) -> dict:
    """Scan files, folders, globs and ``scheme://`` URIs on Spark; returns the report dict.

    ``findings``: a text stream that receives the findings as JSON lines (collected to the
    driver). ``findings_path``: a directory (any Spark URI) where Spark writes the findings as
    part files, ``findings_format`` ``json`` (JSON Lines, the contract's objects) or
    ``parquet``; it must not exist yet. Paths of the form ``table:NAME`` scan a catalog table
    (Hive, Delta, Iceberg: anything ``spark.table`` reads).
    """
    _require_pyspark()
    options = options or ScanOptions()
    spark = spark or session()
    want = findings is not None or findings_path is not None
    if findings_path is not None:
        _check_output(spark, findings_path)
    run = _Run(spark, options, want)
    saved = _set_conf(spark, _scan_conf(run))
    try:
        tables = [p[len("table:") :] for p in paths if p.startswith("table:")]
        files = [p for p in paths if not p.startswith("table:")]
        sources, found = _discover(spark, files, options) if files else ([], Discovery())
        slots: list[list[dict]] = []  # report entries per source, in discovery order
        plans: list[_Plan] = []
        datasets: dict[int, _Source] = {}  # plans of Hive datasets
        for src in sources:
            slot: list[dict] = []
            slots.append(slot)
            plan = None
            if _native(src):
                try:
                    plan = _plan_source(run, src)
                except _NotNative:
                    plan = None
                except SourceError as exc:
                    slot.append(_entry(src.ref.path, src.fmt, str(exc)))
                    continue
                except Exception as exc:  # Spark refused the file while planning
                    if not src.members:
                        slot.append(_entry(src.ref.path, src.fmt, _spark_reason(exc)))
                        continue
                    plan = None  # a dataset: the local reader skips a broken file (below)
            if plan is None:
                slot.extend(_scan_locally(run, src.ref, found, len(slots) - 1))
                continue
            plan.entry = _entry(src.ref.path, src.fmt)
            plan.slot = len(slots) - 1
            slot.append(plan.entry)
            plans.append(plan)
            if src.members:
                datasets[len(plans) - 1] = src
        for name in tables:
            path = f"table:{name}"
            try:
                df = _keyed(spark.table(name))
            except Exception as exc:
                slots.append([_entry(path, "table", _spark_reason(exc))])
                continue
            plans.append(_frame_plan(run, df, name.rsplit(".", 1)[-1], path))
            plans[-1].entry = _entry(path, "table")
            plans[-1].slot = len(slots)
            slots.append([plans[-1].entry])
        for i, (plan, result) in enumerate(zip(plans, run.run(plans), strict=True)):
            if result.error is not None and i in datasets:
                # A dataset with a broken file: Spark loses every file of it; the local
                # reader, on the driver, scans the others and names the broken one.
                slots[plan.slot][:] = _scan_locally(run, datasets[i].ref, found, plan.slot)
            elif result.error is not None:
                plan.entry.update(status="error", error=result.error)
            else:
                plan.entry["tables"].append(result.table)
        if want:
            _write_findings(run, findings, findings_path, findings_format)
    finally:
        run.release()
        _set_conf(spark, saved)
    entries = [e for slot in slots for e in slot]
    errors = list(found.errors)
    errors += [{"path": e["path"], "error": e["error"]} for e in entries if e["status"] == "error"]
    return build_report(run.scanner, entries, errors, found)


def _check_output(spark: SparkSession, path: str) -> None:
    target = path if _SCHEME.match(path) else _local_location(path)
    jvm, conf = _hadoop(spark)
    hpath = jvm.org.apache.hadoop.fs.Path(target)
    if hpath.getFileSystem(conf).exists(hpath):
        raise OutputExists(f"the findings output {path} exists already; remove it or pick another")


def _entry(path: str, fmt: str, error: str | None = None) -> dict:
    if error is None:
        return {"path": path, "format": fmt, "status": "ok", "tables": []}
    return {"path": path, "format": fmt, "status": "error", "error": error, "tables": []}


def scan_tables(
    spark: SparkSession, names: Sequence[str], options: ScanOptions | None = None, **kwargs
) -> dict:
    """Scan catalog tables (``db.table``; Hive, Delta, Iceberg...); returns the report dict."""
    return scan_paths([f"table:{n}" for n in names], options, spark=spark, **kwargs)


def scan_dataframe(
    df: DataFrame,
    name: str = "table",
    options: ScanOptions | None = None,
    *,
    findings: IO[str] | None = None,
    findings_path: str | None = None,
    findings_format: str = "json",
) -> dict:
    """Classify every column of a Spark DataFrame; returns the report's table entry.

    Sampling (``options.sample_rows``; default every row here, as :func:`~pii_scan.scan.
    scan_table` does) cuts the DataFrame with ``limit``.
    """
    options = options or ScanOptions(sample_rows=0)
    spark = df.sparkSession
    want = findings is not None or findings_path is not None
    if findings_path is not None:
        _check_output(spark, findings_path)
    run = _Run(spark, options, want)
    saved = _set_conf(spark, _scan_conf(run))
    try:
        plan = _frame_plan(run, _keyed(df), name, name)
        (result,) = run.run([plan])
        if result.error is not None:
            raise RuntimeError(result.error)
        if want:
            _write_findings(run, findings, findings_path, findings_format)
        return result.table
    finally:
        run.release()
        _set_conf(spark, saved)


def _frame_plan(run: _Run, frame: DataFrame, name: str, path: str) -> _Plan:
    data = frame.drop(_KEY_FILE, _KEY_BLOCK)
    columns = dedupe_names([".".join(p) for p in _leaf_paths(data.schema)])
    if run.max_rows is not None:
        frame = frame.limit(run.max_rows)
    return _Plan(path=path, fmt="table", name=name, columns=columns, frame=frame)


def _scan_locally(run: _Run, ref: SourceRef, found: Discovery, order: int) -> list[dict]:
    """A source Spark does not read like the local readers: the local engine, on the driver."""

    def emit(finding: dict) -> None:
        run.local_findings.append((order, len(run.local_findings), finding))

    return run.scanner.scan_source(ref, emit=emit if run.want_findings else None, found=found)


def _write_findings(run: _Run, stream: IO[str] | None, path: str | None, fmt: str) -> None:
    frame = run.findings_frame()
    if path is not None:
        data = frame.select(FINDINGS_COLUMNS)
        # One part file per core rather than per scanned split (most splits find little).
        cores = run.spark.sparkContext.defaultParallelism
        if data.rdd.getNumPartitions() > cores:
            data = data.coalesce(cores)
        writer = data.write.mode("errorifexists")
        if fmt == "parquet":
            writer.parquet(path)
        else:
            writer.option("ignoreNullFields", False).json(path)
    if stream is not None:
        cols = FINDINGS_COLUMNS
        ordered = frame.orderBy("src", "tbl", "row", "pos", "start", "seq")
        for row in ordered.select(cols).toLocalIterator():
            stream.write(json.dumps(row.asDict(), ensure_ascii=False) + "\n")


def _scan_conf(run: _Run) -> dict[str, str]:
    # Arrow batches of the local engine's size: the same per-batch work (and examples).
    batch = run.options.batch_rows or int(run.scanner.cfg["batch_rows"])
    return {**SCAN_CONF, "spark.sql.execution.arrow.maxRecordsPerBatch": str(batch)}


def _set_conf(spark: SparkSession, conf: dict[str, str | None]) -> dict[str, str | None]:
    """Set runtime settings; returns the previous values (None: was unset)."""
    previous: dict[str, str | None] = {}
    for key, value in conf.items():
        try:
            previous[key] = spark.conf.get(key, None)
        except Exception:
            previous[key] = None
        if value is None:
            spark.conf.unset(key)
        else:
            spark.conf.set(key, value)
    return previous
