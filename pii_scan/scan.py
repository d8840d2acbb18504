"""Scanning: sources → matching core → column verdicts → report and findings.

Data flows one way. A source yields tables as streams of Arrow record batches
(:mod:`pii_scan.sources`); each string column of a batch goes through the :class:`Matcher`
once; the matches update that column's :class:`ColumnStats` and, when asked, are written as
findings; at the end of a table the stats become verdicts under the policy
(:mod:`pii_scan.classify`). The report is a plain dict in the contract's shape
(``pii-scan/report/v1``), which the writers in :mod:`pii_scan.report` render.

>>> import pyarrow as pa
>>> t = scan_table(pa.table({"手机号": ["13800138000", "13912345678"], "n": ["a", "b"]}))
>>> [(c["name"], c["entity"], c["tier"]) for c in t["columns"]]
[('手机号', 'CN_MOBILE_PHONE', 'general'), ('n', None, None)]
"""

from __future__ import annotations

import dataclasses
import datetime as dt
import json
import os
import tempfile
from collections.abc import Callable, Iterable, Sequence
from concurrent.futures import ProcessPoolExecutor, ThreadPoolExecutor
from dataclasses import dataclass, field
from typing import IO

import pyarrow as pa
import pyarrow.compute as pc

from . import __version__
from .catalog import Catalog, load_catalog
from .classify import table_rules
from .classify.columns import ColumnStats, MinorsTracker, column_verdict
from .classify.evidence import TableProbe, column_evidence
from .classify.policy import TIER_RANK, Policy, builtin_policies, load_policy, thresholds
from .core import Matcher
from .rebatch import coalesce
from .report.inventory import finalize as finalize_inventory
from .report.mask import mask
from .sources import (
    ARCHIVE_FORMATS,
    Archive,
    Discovery,
    Limits,
    SourceError,
    SourceRef,
    discover,
    open_source,
)
from .sources.base import reason

SCHEMA = "pii-scan/report/v1"


@dataclass
class ScanOptions:
    policy: str = "gbt35273"
    sample_rows: int | None = None  # None: the configured default; 0: every row
    reveal: bool = False
    include: Sequence[str] = ()
    exclude: Sequence[str] = ()
    encoding: str | None = None
    workers: int = 1
    batch_rows: int | None = None
    threads: int = 0  # threads matching the columns of a batch; 0 = one per CPU
    today: dt.date = field(default_factory=dt.date.today)
    # Decompression-bomb limits per source (0 = no limit); see pii_scan.sources.Limits.
    max_expand_ratio: float = Limits.max_ratio
    max_expand_bytes: int = Limits.max_bytes

    def max_rows(self) -> int | None:
        n = thresholds()["default_sample_rows"] if self.sample_rows is None else self.sample_rows
        return None if n == 0 else int(n)

    def limits(self) -> Limits:
        return Limits(max_ratio=self.max_expand_ratio, max_bytes=self.max_expand_bytes)


class _Scanner:
    """Holds the compiled catalog and policies for one run (one per process)."""

    def __init__(self, options: ScanOptions, catalog: Catalog | None = None):
        self.options = options
        self.catalog = catalog or load_catalog()
        self.matcher = Matcher(self.catalog)
        self.policy = load_policy(options.policy)
        self.policies = {name: load_policy(name) for name in builtin_policies()}
        self.cfg = thresholds()
        self.min_score = float(self.cfg["min_finding_score"])
        threads = options.threads or os.cpu_count() or 1
        self._pool = ThreadPoolExecutor(threads) if threads > 1 else None

    def _map(self, fn, items):
        return map(fn, items) if self._pool is None else self._pool.map(fn, items)

    # -- one table ------------------------------------------------------------------------
    def scan_stream(
        self,
        name: str,
        columns: Sequence[str],
        batches: Iterable[pa.RecordBatch],
        *,
        path: str = "",
        row_base: int = 0,
        emit: Callable[[dict], None] | None = None,
    ) -> dict:
        stats = {c: ColumnStats(c) for c in columns}
        minors = MinorsTracker(self.options.today)
        probe = TableProbe(self.catalog, self.min_score)  # recognizers, distinct, individuals
        rows = 0
        for batch in coalesce(batches, self.options.batch_rows or int(self.cfg["batch_rows"])):
            self.scan_batch(
                batch,
                stats,
                minors,
                probe,
                path=path,
                table=name,
                row_offset=rows + row_base,
                emit=emit,
            )
            rows += batch.num_rows
        return self._table_report(name, rows, stats, minors, probe)

    def scan_batch(
        self,
        batch: pa.RecordBatch,
        stats: dict[str, ColumnStats],
        minors: MinorsTracker,
        probe: TableProbe,
        *,
        path: str = "",
        table: str = "",
        row_offset: int = 0,
        emit: Callable[[dict], None] | None = None,
    ) -> None:
        """Match one batch of a table and add what was found to the table's ``stats``,
        ``minors`` and ``probe``; findings go to ``emit`` with rows counted from
        ``row_offset``. The Spark engine (:mod:`pii_scan.spark`) runs this per partition."""
        names = batch.schema.names
        for col_name in names:
            stats.setdefault(col_name, ColumnStats(col_name))

        def match(i: int) -> pa.Table:
            col = stats[names[i]]
            # Values are gathered for findings, and for examples until a column has them.
            want_values = emit is not None or col.needs_examples() or probe.wants_values
            return self.matcher.match_array(
                batch.column(i),
                column=names[i],
                offsets=emit is not None,
                values=want_values,
            )

        # The core spends its time in NumPy and Arrow kernels that release the GIL, so the
        # columns of a batch are matched on all cores; results are consumed in order.
        for i, matches in enumerate(self._map(match, range(len(names)))):
            col_name, arr, col = names[i], batch.column(i), stats[names[i]]
            col.update(arr, matches, self.min_score)
            probe.update(col_name, arr, matches)
            self._examples(col, matches)
            if matches.num_rows:
                minors.update(matches["birth_date"])
            if emit is not None and matches.num_rows:
                self._emit(emit, path, table, col_name, matches, row_offset)

    def _examples(self, col: ColumnStats, matches: pa.Table) -> None:
        wanted = [e for e, ev in col.entities.items() if len(ev.examples) < 3]
        if not wanted or matches.num_rows == 0 or "value" not in matches.column_names:
            return
        strong = matches.filter(pc.greater_equal(matches["score"], self.min_score))
        for entity in wanted:
            ev = col.entities[entity]
            picked = strong.filter(pc.equal(strong["entity"], entity)).slice(0, 3)
            for value in picked["value"].to_pylist():
                shown = value if self.options.reveal else mask(value)
                if shown not in ev.examples and len(ev.examples) < 3:
                    ev.examples.append(shown)

    def _emit(self, emit, path, table, column, matches: pa.Table, row_offset: int) -> None:
        strong = matches.filter(pc.greater_equal(matches["score"], self.min_score))
        rows = pc.add(strong["row"], row_offset).to_pylist()
        for row, start, end, entity, score, value in zip(
            rows,
            strong["start"].to_pylist(),
            strong["end"].to_pylist(),
            strong["entity"].to_pylist(),
            strong["score"].to_pylist(),
            strong["value"].to_pylist(),
            strict=True,
        ):
            emit(
                {
                    "path": path,
                    "table": table,
                    "column": column,
                    "row": row,
                    "start": start,
                    "end": end,
                    "entity": entity,
                    "tier": self.policy.tier(entity),
                    "score": round(score, 2),
                    "value": value if self.options.reveal else mask(value),
                }
            )

    def _table_report(
        self, name, rows, stats, minors: MinorsTracker, probe: TableProbe | None = None
    ) -> dict:
        columns = []
        for col in stats.values():
            verdict = column_verdict(col, self.catalog, self.policy, self.cfg)
            columns.append((col, verdict))
        minors_by_policy = {p: minors.under(pol.minors_age) > 0 for p, pol in self.policies.items()}
        minors_by_policy[self.policy.name] = minors.under(self.policy.minors_age) > 0
        out_columns = []
        for col, v in columns:
            tiers = {
                p: _tier(pol, v.entity, minors_by_policy[p]) for p, pol in self.policies.items()
            }
            out_columns.append(
                {
                    "name": col.name,
                    "entity": v.entity,
                    "tier": _tier(self.policy, v.entity, minors_by_policy[self.policy.name]),
                    "tiers": tiers,
                    "category": self.policy.category(v.entity),
                    "confidence": v.confidence,
                    "match_ratio": v.match_ratio,
                    "entities": v.entities,
                    "evidence": column_evidence(col, v, probe, self.catalog, self.cfg),
                }
            )
        table = {"name": name, "rows_scanned": rows, "columns": out_columns}
        if probe is not None:
            table["individuals"] = probe.individuals_report()
        if minors_by_policy[self.policy.name]:
            table["minors"] = True
            table["minors_count"] = minors.under(self.policy.minors_age)
        table_rules.apply(
            table_rules.TableContext(
                table, stats, self.catalog, self.policy, self.policies, self.cfg
            )
        )
        return table

    # -- one source -----------------------------------------------------------------------
    def scan_source(
        self,
        ref: SourceRef,
        emit=None,
        found: Discovery | None = None,
        on_rows: Callable[[int], None] | None = None,
    ) -> list[dict]:
        """Scan one discovered source; returns its report entries: one for a file, one per
        member for an archive (plus one for the archive when it cannot be read to the end).
        ``found`` receives the members that archives skip (counted as excluded or listed as
        unsupported); ``on_rows(n)`` is told of every batch scanned (progress)."""
        options = self.options
        limits = options.limits()

        def counted(batches: Iterable[pa.RecordBatch]) -> Iterable[pa.RecordBatch]:
            for batch in batches:
                yield batch
                if on_rows is not None:
                    on_rows(batch.num_rows)

        def one(ref: SourceRef) -> dict:
            tables: list[dict] = []
            try:
                for ts in open_source(
                    ref,
                    batch_rows=options.batch_rows or int(self.cfg["batch_rows"]),
                    max_rows=options.max_rows(),
                    encoding=options.encoding,
                    limits=limits,
                ):
                    tables.append(
                        self.scan_stream(
                            ts.name,
                            ts.columns,
                            counted(ts.batches),
                            path=ref.path,
                            row_base=ts.row_base,
                            emit=emit,
                        )
                    )
            except SourceError as exc:
                return _error_entry(ref, str(exc), tables)
            except Exception as exc:  # a reader bug must not end the scan of the others
                if os.environ.get("PII_SCAN_DEBUG"):
                    raise
                message = f"unexpected error: {type(exc).__name__}: {reason(exc)}"
                return _error_entry(ref, message, tables)
            return {"path": ref.path, "format": ref.format, "status": "ok", "tables": tables}

        def _error_entry(ref: SourceRef, message: str, tables: list[dict]) -> dict:
            return {
                "path": ref.path,
                "format": ref.format,
                "status": "error",
                "error": message,
                "tables": tables,
            }

        if ref.format not in ARCHIVE_FORMATS:
            return [one(ref)]
        entries: list[dict] = []
        archive = Archive(ref, limits, options.include, options.exclude)
        try:
            with archive:
                for member in archive:
                    entries.append(one(member))
        except SourceError as exc:
            entries.append(_error_entry(ref, str(exc), []))
        except Exception as exc:  # as in one(): the other sources are still scanned
            if os.environ.get("PII_SCAN_DEBUG"):
                raise
            message = f"unexpected error: {type(exc).__name__}: {reason(exc)}"
            entries.append(_error_entry(ref, message, []))
        if found is not None:
            found.excluded += archive.excluded
            found.unsupported.extend(archive.unsupported)
        if not entries:  # nothing to scan inside: still say the archive was looked at
            entries.append({"path": ref.path, "format": ref.format, "status": "ok", "tables": []})
        return entries


def _tier(policy: Policy, entity: str | None, minors: bool) -> str | None:
    tier = policy.tier(entity)
    if tier is not None and minors:
        return "sensitive"
    return tier


_WORKER_SCANNER: list = []  # (options, _Scanner) of this worker process, built once


def _scan_in_worker(args) -> tuple[list[dict], str | None, int, list[str]]:
    """Scan one source in a worker process: ``(entries, findings file or None, members
    excluded, members unsupported)``."""
    ref, options, want_findings = args
    if not _WORKER_SCANNER or _WORKER_SCANNER[0] != options:
        _WORKER_SCANNER[:] = [options, _Scanner(options)]
    scanner = _WORKER_SCANNER[1]
    found = Discovery()
    if not want_findings:
        return scanner.scan_source(ref, found=found), None, found.excluded, found.unsupported
    fd, tmp = tempfile.mkstemp(prefix="pii-scan-", suffix=".jsonl")
    with os.fdopen(fd, "w", encoding="utf-8") as fh:
        result = scanner.scan_source(ref, emit=_writer(fh), found=found)
    return result, tmp, found.excluded, found.unsupported


def _writer(fh: IO[str]) -> Callable[[dict], None]:
    def emit(finding: dict) -> None:
        fh.write(json.dumps(finding, ensure_ascii=False) + "\n")

    return emit


def scan_paths(
    paths: Sequence[str],
    options: ScanOptions | None = None,
    findings: IO[str] | None = None,
    progress=None,
) -> dict:
    """Scan files, folders and globs; returns the report dict (``pii-scan/report/v1``).

    ``findings``: a text stream that receives one JSON line per finding as the scan goes.
    ``progress``: an object told how the scan goes (``start(files, total_bytes)``,
    ``source_done(nbytes, rows)``, ``rows(n)``, ``close()``), such as
    :class:`pii_scan.progress.Progress`.  With ``options.workers`` > 1 the sources are scanned
    in that many processes; the report lists them in the same order either way.
    """
    options = options or ScanOptions()
    scanner = _Scanner(options)  # fails early on a bad policy
    found = discover(paths, include=options.include, exclude=options.exclude)
    emit = _writer(findings) if findings is not None else None
    sources: list[dict] = []
    if progress is not None:
        progress.start(len(found.sources), sum(ref.size or 0 for ref in found.sources))

    def when_done(ref: SourceRef) -> Callable:
        def done(future) -> None:  # runs in the pool's thread: progress is thread-safe
            if future.cancelled() or future.exception() is not None:
                return
            rows = sum(t["rows_scanned"] for e in future.result()[0] for t in e["tables"])
            progress.source_done(ref.size or 0, rows)

        return done

    try:
        if options.workers > 1 and len(found.sources) > 1:
            # One thread per worker process: the processes already use the cores.
            per_worker = dataclasses.replace(options, threads=1)
            with ProcessPoolExecutor(max_workers=options.workers) as pool:
                futures = []
                for ref in found.sources:
                    future = pool.submit(_scan_in_worker, (ref, per_worker, findings is not None))
                    if progress is not None:
                        future.add_done_callback(when_done(ref))
                    futures.append(future)
                for future in futures:  # in discovery order, whatever order they finish in
                    entries, tmp, excluded, unsupported = future.result()
                    sources.extend(entries)
                    found.excluded += excluded
                    found.unsupported.extend(unsupported)
                    if tmp:
                        with open(tmp, encoding="utf-8") as fh:
                            for line in fh:
                                findings.write(line)
                        os.unlink(tmp)
        else:
            on_rows = progress.rows if progress is not None else None
            for ref in found.sources:
                sources.extend(scanner.scan_source(ref, emit=emit, found=found, on_rows=on_rows))
                if progress is not None:
                    progress.source_done(ref.size or 0, 0)
    finally:
        if progress is not None:
            progress.close()
    errors = list(found.errors)
    errors += [{"path": s["path"], "error": s["error"]} for s in sources if s["status"] == "error"]
    return build_report(scanner, sources, errors, found)


def build_report(scanner: _Scanner, sources: list[dict], errors: list[dict], found=None) -> dict:
    columns = [c for s in sources for t in s["tables"] for c in t["columns"]]
    by_tier = {"sensitive": 0, "general": 0, "none": 0}
    for c in columns:
        by_tier[c["tier"] or "none"] += 1
    entities: dict[str, int] = {}
    for c in columns:
        if c["entity"]:
            entities[c["entity"]] = entities.get(c["entity"], 0) + 1
    options = scanner.options
    report = {
        "schema": SCHEMA,
        "policy": scanner.policy.name,
        "tool": {"name": "pii-scan", "version": __version__},
        "catalog_version": scanner.catalog.version,
        "scanned_at": dt.datetime.now(dt.timezone.utc).isoformat(timespec="seconds"),
        "scan_date": options.today.isoformat(),
        "sample_rows": options.max_rows() or 0,
        "thresholds": {k: v for k, v in scanner.cfg.items() if not k.startswith("default_")},
        "summary": {
            "sources": len(sources),
            "sources_with_errors": len(errors),
            "tables": sum(len(s["tables"]) for s in sources),
            "columns": len(columns),
            "columns_by_tier": by_tier,
            "columns_by_entity": dict(sorted(entities.items())),
            "excluded_files": getattr(found, "excluded", 0),
            "unsupported_files": list(getattr(found, "unsupported", [])),
            "highest_tier": max((c["tier"] for c in columns), key=TIER_RANK.get, default=None),
        },
        "sources": sources,
        "errors": errors,
    }
    pol = scanner.policy
    report["policy_title"] = {"zh": pol.title_zh, "en": pol.title_en, "source": pol.source}
    # Distinct individuals over the whole scan and the legal thresholds they reach.
    return finalize_inventory(report)


def scan_table(table: pa.Table, name: str = "table", options: ScanOptions | None = None) -> dict:
    """Classify every column of an in-memory Arrow table; returns the report's table entry."""
    scanner = _Scanner(options or ScanOptions(sample_rows=0))
    table = table.cast(pa.schema([pa.field(f.name, pa.string()) for f in table.schema]))
    return scanner.scan_stream(name, table.column_names, table.to_batches())


def scan_text(text: str, options: ScanOptions | None = None, *, column: str = "text") -> list[dict]:
    """Findings in one piece of text, with code point offsets into it.

    ``column``: the name the text is read under, e.g. ``"性别"`` for a value of a gender column
    (column names are context for recognizers that list them).
    """
    scanner = _Scanner(options or ScanOptions(sample_rows=0, reveal=True, threads=1))
    out: list[dict] = []
    batch = pa.record_batch({column: pa.array([text], pa.string())})
    scanner.scan_stream("text", [column], [batch], emit=out.append)
    return out
