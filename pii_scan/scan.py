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

import contextlib
import dataclasses
import datetime as dt
import functools
import json
import math
import os
import shutil
import signal
import tempfile
import threading
from collections.abc import Callable, Iterable, Sequence
from concurrent.futures import Future, ProcessPoolExecutor, ThreadPoolExecutor, wait
from concurrent.futures.process import BrokenProcessPool
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
from .memory import KEEP_FREE, release_freed
from .rebatch import coalesce
from .report.inventory import finalize as finalize_inventory
from .report.mask import SecretKey, masker_for, rename_strings, shown_name
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
    reveal: bool = False  # same as masking="none"
    masking: str = "mask"  # mask | hash | redact | none (pii_scan.report.mask)
    mask_key: SecretKey | None = field(default=None, repr=False)  # the key of "hash"
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
    # Per-source budgets (0 = none): a source that takes longer than source_timeout seconds is
    # stopped with an error entry (checked between batches and in the readers' read loops;
    # None: 600 s when sampling, none with sample_rows=0, where big files take long);
    # source_memory caps the longest line, CSV row or JSON value a source may hold at
    # source_memory / 64 (pii_scan.sources.base.record_bytes: 16 MiB for the default 1 GiB).
    source_timeout: float | None = None
    source_memory: int = 1 << 30

    def source_seconds(self) -> float:
        """The per-source time budget in seconds (0: none)."""
        if self.source_timeout is not None:
            return self.source_timeout
        return 0.0 if self.max_rows() is None else 600.0

    def max_rows(self) -> int | None:
        n = thresholds()["default_sample_rows"] if self.sample_rows is None else self.sample_rows
        return None if n == 0 else int(n)

    def limits(self) -> Limits:
        from .sources.base import record_bytes

        return Limits(
            max_ratio=self.max_expand_ratio,
            max_bytes=self.max_expand_bytes,
            max_record_bytes=record_bytes(self.source_memory),
        )


class _Scanner:
    """Holds the compiled catalog and policies for one run (one per process)."""

    def __init__(self, options: ScanOptions, catalog: Catalog | None = None):
        self.options = options
        self.catalog = catalog or load_catalog()
        self.matcher = Matcher(self.catalog, today=options.today)
        self.policy = load_policy(options.policy)
        self.policies = {name: load_policy(name) for name in builtin_policies()}
        self.cfg = thresholds()
        self.min_score = float(self.cfg["min_finding_score"])
        self.minors_age_max = max(p.minors_age for p in [self.policy, *self.policies.values()])
        threads = options.threads or os.cpu_count() or 1
        self._pool = ThreadPoolExecutor(threads) if threads > 1 else None

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
        carry: dict | None = None,
    ) -> dict:
        """Scan one table's batches; returns its report entry. ``carry``: a dict kept by the
        caller across streams of one table (a dump whose INSERTs for a table are split by
        other tables' comes as several): the statistics go on, rows are numbered on."""
        if carry:
            stats, minors, probe, rows = carry["state"]
            stats.update({c: ColumnStats(c) for c in columns if c not in stats})
        else:
            stats = {c: ColumnStats(c) for c in columns}
            minors = MinorsTracker(self.options.today, self.minors_age_max)
            probe = TableProbe(self.catalog, self.min_score)  # recognizers, distinct, individuals
            rows = 0

        def finish(batch, started, row_offset) -> None:
            self._finish_batch(batch, started, stats, minors, probe, path, name, row_offset, emit)
            release_freed(KEEP_FREE)

        pending = None  # (batch, started, row offset): matched while the next one is read
        try:
            for batch in coalesce(batches, self.options.batch_rows or int(self.cfg["batch_rows"])):
                started = self._start_batch(batch, stats, probe, emit)
                if pending is not None:
                    done, pending = pending, None
                    finish(*done)
                pending = (batch, started, rows + row_base)
                rows += batch.num_rows
        except Exception:
            if pending is not None:  # what was read before the failure still counts
                finish(*pending)
            if carry is not None:
                carry["state"] = (stats, minors, probe, rows)
            raise
        if pending is not None:
            finish(*pending)
        if carry is not None:
            carry["state"] = (stats, minors, probe, rows)
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
        started = self._start_batch(batch, stats, probe, emit)
        self._finish_batch(batch, started, stats, minors, probe, path, table, row_offset, emit)

    def _start_batch(self, batch, stats, probe, emit) -> list[Callable[[], pa.Table]]:
        """Start matching the columns of ``batch``; one call per column gives its matches.

        The core spends its time in NumPy and Arrow kernels that release the GIL, so the
        columns are matched on all cores, and :meth:`scan_stream` reads the next batch and
        tallies the previous one meanwhile. What is matched depends on nothing tallied so
        far, so the overlap cannot change a report.
        """
        names = batch.schema.names
        for col_name in names:
            stats.setdefault(col_name, ColumnStats(col_name))
        # Values are gathered for findings, examples and the counts of distinct individuals.
        want_values = (
            emit is not None or probe.wants_values or masker_for(self.options).mode != "redact"
        )

        def match(i: int) -> pa.Table:
            return self.matcher.match_array(
                batch.column(i), column=names[i], offsets=emit is not None, values=want_values
            )

        if self._pool is None:  # matched when the results are asked for
            return [functools.partial(match, i) for i in range(len(names))]
        return [self._pool.submit(match, i).result for i in range(len(names))]

    def _finish_batch(
        self, batch, started, stats, minors, probe, path, table, row_offset, emit
    ) -> None:
        names = batch.schema.names
        for i, matches_of in enumerate(started):
            matches = matches_of()
            col_name, arr, col = names[i], batch.column(i), stats[names[i]]
            col.update(arr, matches, self.min_score)
            probe.update(col_name, arr, matches)
            self._examples(col, matches)
            if matches.num_rows:
                minors.update(matches["birth_date"])
            if emit is not None and matches.num_rows:
                self._emit(emit, path, table, col_name, matches, row_offset)

    def _examples(self, col: ColumnStats, matches: pa.Table) -> None:
        show = masker_for(self.options)
        if show.mode == "redact":  # nothing to show; the counts say enough
            return
        wanted = [e for e, ev in col.entities.items() if len(ev.examples) < 3]
        if not wanted or matches.num_rows == 0 or "value" not in matches.column_names:
            return
        strong = matches.filter(pc.greater_equal(matches["score"], self.min_score))
        for entity in wanted:
            ev = col.entities[entity]
            picked = strong.filter(pc.equal(strong["entity"], entity)).slice(0, 3)
            for value in picked["value"].to_pylist():
                shown = show(value, entity)
                if shown not in ev.examples and len(ev.examples) < 3:
                    ev.examples.append(shown)

    def _emit(self, emit, path, table, column, matches: pa.Table, row_offset: int) -> None:
        if not self.options.reveal:
            column = shown_name(column)
        strong = matches.filter(pc.greater_equal(matches["score"], self.min_score))
        rows = pc.add(strong["row"], row_offset).to_pylist()
        show = masker_for(self.options)
        for row, start, end, entity, recognizer, score, value in zip(
            rows,
            strong["start"].to_pylist(),
            strong["end"].to_pylist(),
            strong["entity"].to_pylist(),
            strong["recognizer"].to_pylist(),
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
                    "tier": self.policy.tier(entity, recognizer),
                    "score": round(score, 2),
                    "value": show(value, entity),
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
                table, stats, self.catalog, self.policy, self.policies, self.cfg, minors_by_policy
            )
        )
        if not self.options.reveal:  # column names that are values (a data row as header)
            hidden = {c: shown for c in stats if (shown := shown_name(c)) != c}
            if hidden:
                table = rename_strings(table, hidden)
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
        from .sources.base import check_cells, check_time, time_budget

        options = self.options
        limits = options.limits()

        def counted(
            batches: Iterable[pa.RecordBatch], failed: list[SourceError]
        ) -> Iterable[pa.RecordBatch]:
            """The batches, under the per-source budgets; a source error ends the stream
            (kept in ``failed``) so that the rows read before it are still reported."""
            try:
                for batch in batches:
                    check_cells(batch, limits.max_record_bytes)  # the memory budget
                    yield batch
                    if on_rows is not None:
                        on_rows(batch.num_rows)
                    check_time()  # the time budget, before the next batch is read
            except SourceError as exc:
                failed.append(exc)

        def one(ref: SourceRef) -> dict:
            with time_budget(options.source_seconds()):
                return budgeted(ref)

        def budgeted(ref: SourceRef) -> dict:
            tables: list[dict] = []
            failed: list[SourceError] = []
            carried: dict[str, dict] = {}  # table name -> the state of its earlier streams
            deferred: SourceError | None = None  # a failed table of independent ones
            try:
                for ts in open_source(
                    ref,
                    batch_rows=options.batch_rows or int(self.cfg["batch_rows"]),
                    max_rows=options.max_rows(),
                    encoding=options.encoding,
                    limits=limits,
                ):
                    again = ts.name in carried
                    carry = carried.setdefault(ts.name, {})
                    entry = self.scan_stream(
                        ts.name,
                        ts.columns,
                        counted(ts.batches, failed),
                        path=ref.path,
                        row_base=ts.row_base,
                        emit=emit,
                        carry=carry,
                    )
                    for key in ("ragged_rows", "skipped_rows"):  # said, not lost
                        count = getattr(ts, key) + carry.get(key, 0)
                        carry[key] = count
                        if count:
                            entry[key] = count
                    if again:  # one table, one entry, where it first came
                        at = next(i for i, t in enumerate(tables) if t["name"] == ts.name)
                        tables[at] = entry
                    else:
                        tables.append(entry)
                    if failed and ts.independent:  # the source's other tables are read
                        deferred = deferred or failed[0]
                        failed.clear()
                    elif failed:  # the table read up to the failure is in the error entry
                        raise failed[0]
                if deferred is not None:
                    raise deferred
            except SourceError as exc:
                return _error_entry(ref, str(exc), tables)
            except Exception as exc:  # a reader bug must not end the scan of the others
                if os.environ.get("PII_SCAN_DEBUG"):
                    raise
                message = f"unexpected error: {type(exc).__name__}: {reason(exc)}"
                return _error_entry(ref, message, tables)
            return {"path": ref.path, "format": ref.format, "status": "ok", "tables": tables}

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


def _error_entry(ref: SourceRef, message: str, tables: list[dict]) -> dict:
    """The report entry of a source that could not be read to the end (``tables``: what was
    read before)."""
    return {
        "path": ref.path,
        "format": ref.format,
        "status": "error",
        "error": message,
        "tables": tables,
    }


def _tier(policy: Policy, entity: str | None, minors: bool) -> str | None:
    tier = policy.tier(entity)
    if tier is not None and minors:
        return "sensitive"
    return tier


_WORKER_SCANNERS: list = []  # (options, _Scanner) pairs of this worker process, built once


class ScanInterrupted(KeyboardInterrupt):
    """A scan stopped by Ctrl-C (or SIGTERM, which the command line turns into one) after
    ``done`` of ``total`` sources had finished; with a state file (``state``, its path) those
    are recorded there and a rerun with it resumes."""

    def __init__(self, done: int, total: int, state: str | None = None):
        super().__init__(f"interrupted after {done} of {total} sources")
        self.done, self.total, self.state = done, total, state


def _init_worker() -> None:
    """Worker processes leave Ctrl-C to the main process, which stops them, and end on
    SIGTERM even when they inherited the command line's handler for it."""
    signal.signal(signal.SIGINT, signal.SIG_IGN)
    signal.signal(signal.SIGTERM, signal.SIG_DFL)


def _scan_in_worker(args) -> tuple[list[dict], str | None, int, list[str]]:
    """Scan one source in a worker process: ``(entries, findings file or None, members
    excluded, members unsupported)``; the findings go to the file the main process named, and
    the file ``marker`` (when named) exists while the source is being scanned."""
    ref, options, findings_file, marker = args
    with _scanning(marker):
        scanner = next((s for o, s in _WORKER_SCANNERS if o == options), None)
        if scanner is None:  # at most two: sources scanned on one thread or on all cores
            scanner = _Scanner(options)
            _WORKER_SCANNERS[:] = [*_WORKER_SCANNERS[-1:], (options, scanner)]
        found = Discovery()
        if findings_file is None:
            entries = scanner.scan_source(ref, found=found)
            return entries, None, found.excluded, found.unsupported
        with open(findings_file, "w", encoding="utf-8") as fh:
            result = scanner.scan_source(ref, emit=_writer(fh), found=found)
        return result, findings_file, found.excluded, found.unsupported


@contextlib.contextmanager
def _scanning(marker: str | None):
    """Say that this process is scanning a source: the file ``marker`` exists from before the
    source is opened until its scan ends (with an error too). A process that dies leaves it,
    so after a crash the main process knows which sources were being scanned
    (:meth:`_Run._recover`); the pool's own "running" state cannot say it, as it marks queued
    sources running too."""
    if marker is None:
        yield
        return
    with open(marker, "w", encoding="utf-8") as fh:
        fh.write(str(os.getpid()))
    try:
        yield
    finally:
        with contextlib.suppress(OSError):
            os.unlink(marker)


def _writer(fh: IO[str], copy=None) -> Callable[[dict], None]:
    """``emit``: each finding as one JSON line to ``fh`` (and to ``copy``, the state's)."""
    if copy is None:

        def emit(finding: dict) -> None:
            fh.write(json.dumps(finding, ensure_ascii=False) + "\n")

        return emit

    def emit_both(finding: dict) -> None:
        line = json.dumps(finding, ensure_ascii=False) + "\n"
        fh.write(line)
        copy.write(line)

    return emit_both


def _stop_pool(pool: ProcessPoolExecutor) -> None:
    """Stop a process pool now: queued sources are cancelled, running ones killed."""
    # The pool's processes are private; Python 3.14's terminate_workers() does the same.
    processes = _processes(pool)
    pool.shutdown(wait=False, cancel_futures=True)
    for process in processes:
        if process.is_alive():
            process.terminate()
    for process in processes:
        process.join(5)


def _processes(pool: ProcessPoolExecutor) -> list:
    """The pool's worker processes (private to the pool: empty if they cannot be seen)."""
    return list((getattr(pool, "_processes", None) or {}).values())


def _crash_entry(ref: SourceRef, exitcode: int | None) -> dict:
    """The report entry of a source whose worker process died scanning it alone; ``exitcode``
    as :mod:`multiprocessing` gives it (``-N``: killed by signal N; None: unknown)."""
    how = ""
    if exitcode is not None and exitcode < 0:
        try:
            name = signal.Signals(-exitcode).name
        except ValueError:
            name = "unknown signal"
        how = f" (signal {-exitcode}, {name})"
        if -exitcode == signal.SIGKILL:  # what the out-of-memory killer sends
            how = f" (signal {-exitcode}, {name}, e.g. out of memory)"
    elif exitcode is not None:
        how = f" (exit code {exitcode})"
    message = f"the worker process scanning this source died{how}; the other sources were scanned"
    return _error_entry(ref, message, [])


class _Run:
    """One :func:`scan_paths` run: the sources in discovery order, scanned here or in worker
    processes or taken from the state, and how many have finished.

    With workers, a worker process that dies (a native crash in a reader, the out-of-memory
    killer) breaks the whole pool; the run recovers (:meth:`_recover`): what finished is kept,
    the sources being scanned at the time are each run alone in a process of their own, so
    that one that kills it is known (its error entry: :func:`_crash_entry`), and the rest go
    to a fresh pool. Without workers a crash ends the scan: it kills the one process there is.
    """

    def __init__(self, scanner: _Scanner, found: Discovery, findings, progress, store, stop=None):
        self.scanner, self.found, self.findings = scanner, found, findings
        self.progress, self.store = progress, store
        self._stop = stop
        self.sources: list[dict] = []
        self.done = 0  # sources finished: taken from the state, or scanned to the end
        self._lock = threading.Lock()
        self._finished: set[int] = set()
        self._futures: list = []  # (i, ref, future) of every source sent to a shared pool
        self._pool: ProcessPoolExecutor | None = None  # the shared pool
        self._lone: ProcessPoolExecutor | None = None  # the one process of a source run alone
        self._per_worker = scanner.options
        self._share = math.inf  # a worker's fair share of the bytes to scan
        self._tmpdir: str | None = None  # the workers' findings files and markers
        self._unmarked_breaks = 0  # pool breaks while no source was being scanned
        self._mark = self._tell()  # the findings stream's position after the last source

    def go(self) -> None:
        refs = self.found.sources
        if self.progress is not None:
            self.progress.start(len(refs), sum(ref.size or 0 for ref in refs))
        if self.scanner.options.workers > 1 and len(refs) > 1:
            self._parallel(refs)
        else:
            self._sequential(refs)

    def _check_stop(self) -> None:
        """Raise KeyboardInterrupt if a stop was asked for (see :func:`scan_paths`)."""
        if self._stop is not None and self._stop.is_set():
            raise KeyboardInterrupt

    def _stored(self, ref: SourceRef):
        if self.store is None:
            return None
        return self.store.lookup(ref, want_findings=self.findings is not None)

    def _reused(self, ref: SourceRef, stored) -> None:
        if self.progress is not None:
            self.progress.source_done(ref.size or 0, stored.rows)

    def _take(self, entries, excluded: int, unsupported, lines=None) -> None:
        """Add a finished source to the report (and its findings lines), in discovery order."""
        self.sources.extend(entries)
        self.found.excluded += excluded
        self.found.unsupported.extend(unsupported)
        if lines is not None:
            for line in lines:
                self.findings.write(line)
        self._mark = self._tell()

    def _sequential(self, refs: list[SourceRef]) -> None:
        on_rows = self.progress.rows if self.progress is not None else None
        for ref in refs:
            stored = self._stored(ref)
            if stored is not None:
                self._reused(ref, stored)
                lines = self.store.findings(stored) if self.findings is not None else None
                self._take(stored.entries, stored.excluded, stored.unsupported, lines)
                self.done += 1
                continue
            sink = None
            if self.store is not None and self.findings is not None:
                sink = self.store.sink(ref)
            emit = _writer(self.findings, sink) if self.findings is not None else None
            skipped = Discovery()  # archive members skipped, kept per source for the state
            entries = self.scanner.scan_source(ref, emit=emit, found=skipped, on_rows=on_rows)
            self._check_stop()  # its entries may hold the interrupt as an error: not recorded
            if self.store is not None:
                self.store.record(ref, entries, skipped.excluded, skipped.unsupported, sink=sink)
            self._take(entries, skipped.excluded, skipped.unsupported)
            self.done += 1
            if self.progress is not None:
                self.progress.source_done(ref.size or 0, 0)

    def _parallel(self, refs: list[SourceRef]) -> None:
        self._plan_threads(refs)
        self._tmpdir = tempfile.mkdtemp(prefix="pii-scan-")
        plan = []
        jobs: dict[int, Future | None] = {}  # the source's future; None: to be run alone
        for i, ref in enumerate(refs):
            stored = self._stored(ref)
            if stored is not None:
                self._reused(ref, stored)
                self.done += 1
                plan.append((i, ref, stored))
                continue
            jobs[i] = self._submit(i, ref)
            plan.append((i, ref, None))
        for i, ref, stored in plan:  # in discovery order, whatever order they finish in
            if stored is not None:
                lines = self.store.findings(stored) if self.findings is not None else None
                self._take(stored.entries, stored.excluded, stored.unsupported, lines)
                continue
            result = self._result(i, ref, jobs)
            self._check_stop()
            self._finish(i, ref, result)  # in case its callback has not run yet
            entries, tmp, excluded, unsupported = result
            if tmp:
                with open(tmp, encoding="utf-8") as fh:
                    self._take(entries, excluded, unsupported, fh)
                os.unlink(tmp)
            else:
                self._take(entries, excluded, unsupported)
        pool, self._pool = self._pool, None
        if pool is not None:
            pool.shutdown()

    def _submit(self, i: int, ref: SourceRef) -> Future:
        """Send ``ref`` to the shared pool (a fresh one if there is none)."""
        if self._pool is None:
            self._pool = ProcessPoolExecutor(
                max_workers=self.scanner.options.workers, initializer=_init_worker
            )
        args = (ref, self._options_for(ref), self._findings_file(i), self._marker(i))
        try:
            future = self._pool.submit(_scan_in_worker, args)
        except BrokenProcessPool as exc:  # a worker died while sources were still being sent
            future = Future()
            future.set_exception(exc)
            return future
        future.add_done_callback(self._when_done(i, ref))
        self._futures.append((i, ref, future))
        return future

    def _plan_threads(self, refs: list[SourceRef]) -> None:
        # One thread per worker process, the processes already using the cores, except for
        # a source larger than a worker's fair share of the bytes (:meth:`_options_for`).
        self._per_worker = dataclasses.replace(self.scanner.options, threads=1)
        sizes = [ref.size for ref in refs]
        unknown = None in sizes  # no share can be judged: one thread for every source
        self._share = math.inf if unknown else sum(sizes) / self.scanner.options.workers

    def _options_for(self, ref: SourceRef) -> ScanOptions:
        """A source larger than a worker's fair share of the bytes outlasts the others and
        would end the run on one core: its columns are matched on all cores, as without
        workers (a 600k-row CSV beside four small ones, 2 workers: 9.1 s on one thread, 7.3 s)."""
        if (ref.size or 0) > self._share:
            return self.scanner.options
        return self._per_worker

    def _findings_file(self, i: int) -> str | None:
        return os.path.join(self._tmpdir, f"{i}.jsonl") if self.findings is not None else None

    def _marker(self, i: int) -> str:
        return os.path.join(self._tmpdir, f"{i}.scanning")

    def _result(self, i: int, ref: SourceRef, jobs: dict[int, Future | None]) -> tuple:
        """What a worker gave for source ``i``, recovering from broken pools on the way."""
        while True:
            future = jobs[i]
            if future is None:
                return self._alone(i, ref)
            try:
                return future.result()
            except BrokenProcessPool:
                self._recover(jobs)

    def _recover(self, jobs: dict[int, Future | None]) -> None:
        """A worker process died, and the shared pool with it. The sources it had finished
        keep their results. Those being scanned then still have their markers (a process that
        dies cannot remove its own, and the pool kills the others): they are suspects, each to
        be run alone (``jobs[i] = None``, :meth:`_alone`). The others go to a fresh pool.

        This ends: a suspect is never sent to a shared pool again, so every break with a
        marker makes the shared work smaller. A break without any (a process that died
        between sources) is retried once; after a second one, every source left runs alone.
        """
        wait([f for f in jobs.values() if f is not None])  # the broken pool fails all it held
        if self._pool is not None:
            _stop_pool(self._pool)  # no worker of it is left to add or remove a marker
            self._pool = None
        lost = [
            i
            for i, f in sorted(jobs.items())
            if f is not None and (f.cancelled() or isinstance(f.exception(), BrokenProcessPool))
        ]
        suspects, again = [], []
        for i in lost:
            marker = self._marker(i)
            if os.path.exists(marker):
                os.unlink(marker)
                suspects.append(i)
            else:
                again.append(i)
        if not suspects:
            self._unmarked_breaks += 1
            if self._unmarked_breaks > 1:
                suspects, again = again, []
        for i in suspects:
            jobs[i] = None
        for i in again:
            jobs[i] = self._submit(i, self.found.sources[i])

    def _alone(self, i: int, ref: SourceRef) -> tuple:
        """Scan a suspect in a fresh process of its own. If that process dies too, the source
        killed it: it gets an error entry naming how the process ended, and is not tried again
        in this run."""
        tmp = self._findings_file(i)
        pool = self._lone = ProcessPoolExecutor(max_workers=1, initializer=_init_worker)
        future = pool.submit(_scan_in_worker, (ref, self._options_for(ref), tmp, None))
        worker = next(iter(_processes(pool)), None)
        try:
            result = future.result()
        except BrokenProcessPool:
            result = None
        pool.shutdown()  # after a crash, once the pool has reaped its dead process
        self._lone = None
        if result is not None:
            return result
        exitcode = None
        if worker is not None:
            worker.join(5)
            exitcode = worker.exitcode
        if tmp is not None:  # the findings of a source that did not end are not kept
            with contextlib.suppress(OSError):
                os.unlink(tmp)
        return [_crash_entry(ref, exitcode)], None, 0, []

    def _when_done(self, i: int, ref: SourceRef) -> Callable:
        def done(future) -> None:  # runs in the pool's thread
            if not future.cancelled() and future.exception() is None:
                # An error (a full disk) is raised when the main thread finishes it again.
                with contextlib.suppress(Exception):
                    self._finish(i, ref, future.result())

        return done

    def _finish(self, i: int, ref: SourceRef, result: tuple) -> None:
        """``ref`` finished (``result``: what :func:`_scan_in_worker` gives): record it in the
        state (once), count it, tell progress.

        A source whose worker died is recorded with its error entry, as any source that
        could not be read: the state says why, and (not being ``ok``) a resumed run scans it
        again, alone if it crashes again; a source killed by memory pressure may pass then."""
        with self._lock:
            if i in self._finished:
                return
            entries, tmp, excluded, unsupported = result
            if self.store is not None:
                self.store.record(ref, entries, excluded, unsupported, findings_file=tmp)
            self._finished.add(i)
            self.done += 1
            if self.progress is not None:  # thread-safe
                rows = sum(t["rows_scanned"] for e in entries for t in e["tables"])
                self.progress.source_done(ref.size or 0, rows)

    def _tell(self) -> int | None:
        try:
            return self.findings.tell() if self.findings.seekable() else None
        except (AttributeError, OSError, ValueError):
            return None

    def stop(self) -> None:
        """Interrupted: keep what finished, stop the workers, cut the findings stream back
        to the end of the last finished source (when it is a file), so no source is half in it."""
        if self._futures or self._pool is not None or self._lone is not None:
            for _, _, future in self._futures:
                future.cancel()
            for i, ref, future in self._futures:
                if future.done() and not future.cancelled() and future.exception() is None:
                    with contextlib.suppress(Exception):  # keep what can be kept
                        self._finish(i, ref, future.result())
            for pool in (self._pool, self._lone):
                if pool is not None:
                    _stop_pool(pool)
            self._pool = self._lone = None
        elif self.store is not None:
            self.store.abandon()  # the source being scanned
        if self.findings is not None and self._mark is not None:
            try:
                self.findings.seek(self._mark)
                self.findings.truncate()
            except (OSError, ValueError):
                pass

    def close(self) -> None:
        for pool in (self._pool, self._lone):  # another error: let running sources end
            if pool is not None:
                pool.shutdown(wait=True, cancel_futures=True)
        if self.progress is not None:
            self.progress.close()
        if self.store is not None:
            self.store.close()
        if self._tmpdir is not None:
            shutil.rmtree(self._tmpdir, ignore_errors=True)


def _open_state(state, scanner: _Scanner, found: Discovery):
    """The run's :class:`~pii_scan.state.ScanState`, opened for this configuration (or None).
    A resumed run keeps the first run's scan date."""
    if state is None:
        return None
    from .state import ScanState, run_config

    store = state if isinstance(state, ScanState) else ScanState(state)
    today = scanner.options.today.isoformat()
    date = store.open(run_config(scanner), today, sources=len(found.sources), errors=found.errors)
    if date != today:
        scanner.options = dataclasses.replace(scanner.options, today=dt.date.fromisoformat(date))
    return store


def scan_paths(
    paths: Sequence[str],
    options: ScanOptions | None = None,
    findings: IO[str] | None = None,
    progress=None,
    state=None,
    stop: threading.Event | None = None,
) -> dict:
    """Scan files, folders and globs; returns the report dict (``pii-scan/report/v1``).

    ``findings``: a text stream that receives one JSON line per finding as the scan goes.
    ``progress``: an object told how the scan goes (``start(files, total_bytes)``,
    ``source_done(nbytes, rows)``, ``rows(n)``, ``close()``), such as
    :class:`pii_scan.progress.Progress`.  With ``options.workers`` > 1 the sources are scanned
    in that many processes; the report lists them in the same order either way.

    ``state``: a file (or a :class:`pii_scan.state.ScanState`) where every finished source is
    checkpointed; sources found there, finished and unchanged since, are taken from it instead
    of being read again, so that a killed scan resumes and ends with the same report.  A state
    written with other settings raises :class:`pii_scan.state.StateError`.

    On KeyboardInterrupt the workers are stopped, a findings file is cut back to the end of
    the last source written whole, and :class:`ScanInterrupted` says how far the scan got.
    ``stop``: an event a signal handler sets before it raises KeyboardInterrupt. Python can
    lose that exception (raised while a module is imported, it turns into a ``TypeError``,
    which the reader's error handling takes for a broken source), so the scan also stops
    when it finds the event set after a source, without recording that source.
    """
    options = options or ScanOptions()
    scanner = _Scanner(options)  # fails early on a bad policy
    found = discover(paths, include=options.include, exclude=options.exclude)
    store = _open_state(state, scanner, found)
    run = _Run(scanner, found, findings, progress, store, stop)
    try:
        run.go()
    except KeyboardInterrupt:
        run.stop()
        where = store.path if store is not None else None
        raise ScanInterrupted(run.done, len(found.sources), where) from None
    finally:
        run.close()
    sources = run.sources
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
        "masking": masker_for(options).label,
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
