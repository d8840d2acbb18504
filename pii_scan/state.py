"""Checkpoints of a scan, so that a killed scan resumes where it stopped (``scan --state FILE``).

The state is one SQLite file, written in WAL mode with one transaction per finished source: a
scan killed at any moment (even with SIGKILL) leaves every finished source recorded and no
half-recorded one.  It holds

* ``meta``: the schema (``pii-scan/state/v1``); the *run configuration*, everything that
  makes the results of two runs comparable: tool and catalog versions, the policy (its name and
  a digest of its content, and of the built-in policies behind ``tiers``), the classifier
  thresholds, and every :class:`~pii_scan.scan.ScanOptions` field that can change a result
  (sample rows, include/exclude, encoding, batch size, ``reveal``, decompression limits);
  the scan date of the first run; what the last discovery found (sources, discovery errors);
* ``sources``: one row per finished source: its display path and location, a fingerprint of
  what was read (size and modification time in nanoseconds of the file, or of every file of a
  Hive-partitioned dataset), its report entries as JSON (tables, columns, evidence and the
  tables' distinct-individual sketches, from which the scan-wide individuals are merged
  exactly as in an uninterrupted run), the archive members it skipped, whether it was read
  without error, and whether its findings were recorded;
* ``findings``: the findings lines of each finished source, when findings were asked.

A state file written with another configuration is refused (:class:`StateError`: use the
same options, another file, or delete it), never mixed.  On resume a source is taken from
the state when it was read without error, its fingerprint is unchanged and, if findings are
asked, its findings were recorded; any other source is scanned (again).  The scan date of the
first run is kept, so that the minors rule (children under 14 at scan time) gives the same
verdicts on another day.

Values: report entries hold masked examples and findings masked values, unless the scan runs
with ``--reveal`` (part of the configuration, so masked and raw states never mix; the command
line warns that the file then holds raw values).  The file is created readable by its owner
only.

>>> import tempfile, os
>>> path = os.path.join(tempfile.mkdtemp(), "scan.state")
>>> st = ScanState(path)
>>> st.open({"policy": "gbt35273"}, "2026-01-15", sources=0, errors=[])
'2026-01-15'
>>> st.close()
>>> st = ScanState(path)
>>> st.open({"policy": "gdpr"}, "2026-01-16", sources=0, errors=[])  # doctest: +ELLIPSIS
Traceback (most recent call last):
...
pii_scan.state.StateError: state file ... other settings (policy: 'gbt35273' there, 'gdpr' now); ...
"""

from __future__ import annotations

import dataclasses
import datetime as dt
import hashlib
import json
import os
import sqlite3
import threading
from collections.abc import Callable, Iterable, Iterator
from dataclasses import dataclass

from . import __version__
from .sources.base import SourceRef
from .sources.inputs import is_uri, resolve_uri

__all__ = ["STATE_SCHEMA", "ScanState", "StateError", "Stored", "run_config"]

STATE_SCHEMA = "pii-scan/state/v1"

#: ScanOptions fields that cannot change a result: how the work is spread, the scan date (which
#: the state keeps itself) and the time budget (a source it stopped is an error entry, and
#: failed sources are always retried).
_NEUTRAL_OPTIONS = frozenset({"workers", "threads", "today", "source_timeout"})

_TABLES = """
CREATE TABLE IF NOT EXISTS meta (key TEXT PRIMARY KEY, value TEXT NOT NULL);
CREATE TABLE IF NOT EXISTS sources (
    key TEXT PRIMARY KEY,          -- display path and location
    path TEXT NOT NULL,
    fingerprint TEXT,              -- JSON [[location, size, mtime_ns], ...]; NULL: unknown
    ok INTEGER NOT NULL,           -- 1 when every entry was read without error
    entries TEXT NOT NULL,         -- JSON list of report entries
    excluded INTEGER NOT NULL,     -- archive members skipped by --include/--exclude
    unsupported TEXT NOT NULL,     -- JSON list of archive members of unknown format
    rows INTEGER NOT NULL,
    has_findings INTEGER NOT NULL, -- 1 when its findings lines are in the findings table
    finished_at TEXT NOT NULL
);
CREATE TABLE IF NOT EXISTS findings (source TEXT NOT NULL, line TEXT NOT NULL);
CREATE INDEX IF NOT EXISTS findings_source ON findings (source);
"""


class StateError(Exception):
    """A state file that cannot be used: not a state file, or another configuration."""


@dataclass
class Stored:
    """A finished source as recorded in the state."""

    key: str
    entries: list[dict]
    excluded: int
    unsupported: list[str]
    rows: int


def _digest(value) -> str:
    text = json.dumps(value, sort_keys=True, ensure_ascii=False, default=str)
    return hashlib.sha256(text.encode("utf-8")).hexdigest()[:16]


def _plain(value):
    """``value`` as JSON would give it back (tuples as lists, keys as strings)."""
    return json.loads(json.dumps(value, ensure_ascii=False, default=str))


def run_config(scanner) -> dict:
    """What makes two scans' results comparable (see the module documentation)."""
    options = scanner.options
    config = {
        "tool": __version__,
        "catalog": scanner.catalog.version,
        "policy_digest": _digest(dataclasses.asdict(scanner.policy)),
        "policies_digest": _digest(
            {name: dataclasses.asdict(p) for name, p in sorted(scanner.policies.items())}
        ),
        "thresholds": _plain(scanner.cfg),
        "sample_rows": options.max_rows() or 0,
    }
    for f in dataclasses.fields(options):
        if f.name in _NEUTRAL_OPTIONS or f.name in config:
            continue
        value = getattr(options, f.name)
        if isinstance(value, (bytes, bytearray)):  # a secret key: only whether it is the same
            value = "sha256:" + hashlib.sha256(value).hexdigest()[:16]
        value = _plain(value)
        if isinstance(value, str) and " object at 0x" in value:  # no stable text: its type
            value = type(getattr(options, f.name)).__name__
        config[f.name] = value
    return config


def fingerprint(ref: SourceRef) -> str | None:
    """Size and modification time (ns) of every file behind ``ref``; None when unknown."""
    parts = []
    try:
        for location in ref.members or (ref.location,):
            if is_uri(location):
                import pyarrow.fs as pafs

                fs, path = resolve_uri(location)
                info = fs.get_file_info(path)
                if info.type != pafs.FileType.File or info.mtime_ns is None:
                    return None
                parts.append([location, info.size, info.mtime_ns])
            else:
                st = os.stat(location)
                parts.append([location, st.st_size, st.st_mtime_ns])
    except Exception:  # unreachable now: it will be scanned (and its error reported) again
        return None
    return json.dumps(parts, ensure_ascii=False)


def source_key(ref: SourceRef) -> str:
    return json.dumps([ref.path, ref.location, ref.member], ensure_ascii=False)


class FindingsSink:
    """The findings lines of one source being scanned, inserted into the state as they come
    (in the source's still-open transaction: committed with the source, or rolled back)."""

    def __init__(self, state: ScanState, key: str):
        self.state, self.key = state, key
        self._lines: list[tuple[str, str]] = []

    def write(self, line: str) -> None:
        self._lines.append((self.key, line))
        if len(self._lines) >= 10_000:
            self.flush()

    def flush(self) -> None:
        if self._lines:
            self.state._insert_findings(self._lines)
            self._lines = []


class ScanState:
    """The checkpoints of one scan in the SQLite file at ``path``; thread-safe.

    ``log`` receives one-line notes for the user (resuming, raw values stored)."""

    def __init__(self, path: str | os.PathLike, log: Callable[[str], None] | None = None):
        self.path = os.fspath(path)
        self.log = log or (lambda message: None)
        self._db: sqlite3.Connection | None = None
        self._lock = threading.RLock()
        self._prints: dict[str, str | None] = {}
        self._recorded: set[str] = set()

    # -- opening ---------------------------------------------------------------------------
    def open(self, config: dict, scan_date: str, *, sources: int, errors: list) -> str:
        """Open (or create) the state for a run of ``config``; returns the scan date to use
        (the first run's).  :class:`StateError` when the file is not usable for this run."""
        fresh = not os.path.exists(self.path) or os.path.getsize(self.path) == 0
        if fresh:
            try:
                os.close(os.open(self.path, os.O_WRONLY | os.O_CREAT, 0o600))
            except OSError as exc:
                raise StateError(f"cannot create state file {self.path}: {exc}") from None
        try:
            db = sqlite3.connect(self.path, isolation_level=None, check_same_thread=False)
            db.execute("PRAGMA journal_mode=WAL")
            db.execute("PRAGMA synchronous=NORMAL")
            db.execute("PRAGMA busy_timeout=10000")
            known = {r[0] for r in db.execute("SELECT name FROM sqlite_master WHERE type='table'")}
        except sqlite3.DatabaseError as exc:
            raise StateError(f"{self.path} is not a pii-scan state file ({exc})") from None
        if known and "meta" not in known:
            db.close()
            raise StateError(f"{self.path} is not a pii-scan state file (other tables)")
        self._db = db
        meta = dict(db.execute("SELECT key, value FROM meta")) if known else {}
        if meta and meta.get("schema") != STATE_SCHEMA:
            self.close()
            raise StateError(
                f"{self.path} is a state file of another version "
                f"({meta.get('schema')!r}, this pii-scan writes {STATE_SCHEMA!r}); "
                "delete it or give another --state file to start over"
            )
        config = _plain(config)
        if meta:
            before = json.loads(meta["config"])
            if before != config:
                self.close()
                raise StateError(
                    f"state file {self.path} was written by a scan with other settings "
                    f"({_differences(before, config)}); run with the same options to resume, "
                    "or give another --state file (or delete this one) to start over"
                )
            scan_date = meta["scan_date"]
            done = db.execute("SELECT count(*) FROM sources WHERE ok = 1").fetchone()[0]
            self.log(
                f"resuming from {self.path}: {done} source(s) already scanned "
                f"(scan date {scan_date}, started {meta.get('created_at', '?')})"
            )
        else:
            with self._lock:
                db.executescript(_TABLES)
                db.execute("BEGIN IMMEDIATE")
                now = dt.datetime.now(dt.timezone.utc).isoformat(timespec="seconds")
                for key, value in (
                    ("schema", STATE_SCHEMA),
                    ("config", json.dumps(config, ensure_ascii=False, sort_keys=True)),
                    ("scan_date", scan_date),
                    ("created_at", now),
                ):
                    db.execute("INSERT OR REPLACE INTO meta VALUES (?, ?)", (key, value))
                db.execute("COMMIT")
        with self._lock:
            discovery = {"sources": sources, "errors": errors}
            db.execute(
                "INSERT OR REPLACE INTO meta VALUES ('discovery', ?)",
                (json.dumps(discovery, ensure_ascii=False),),
            )
        if config.get("reveal") or config.get("masking") == "none":
            self.log(f"--reveal: {self.path} holds raw matched values; delete it after the scan")
        return scan_date

    def close(self) -> None:
        with self._lock:
            if self._db is not None:
                if self._db.in_transaction:
                    self._db.execute("ROLLBACK")
                self._db.close()
                self._db = None

    # -- sources ---------------------------------------------------------------------------
    def lookup(self, ref: SourceRef, want_findings: bool) -> Stored | None:
        """The finished, unchanged ``ref`` from the state, or None when it must be scanned.
        Takes the fingerprint that :meth:`record` will store (before the scan reads it)."""
        key = source_key(ref)
        now = fingerprint(ref)
        self._prints[key] = now
        with self._lock:
            row = self._db.execute(
                "SELECT fingerprint, ok, entries, excluded, unsupported, rows, has_findings "
                "FROM sources WHERE key = ?",
                (key,),
            ).fetchone()
        if row is None or now is None:
            return None
        print_, ok, entries, excluded, unsupported, rows, has_findings = row
        if print_ != now or not ok or (want_findings and not has_findings):
            return None
        self._recorded.add(key)
        return Stored(key, json.loads(entries), excluded, json.loads(unsupported), rows)

    def findings(self, stored: Stored) -> Iterator[str]:
        """The recorded findings lines of a stored source, in the order they were written."""
        last = 0
        while True:
            with self._lock:
                rows = self._db.execute(
                    "SELECT rowid, line FROM findings WHERE source = ? AND rowid > ? "
                    "ORDER BY rowid LIMIT 10000",
                    (stored.key, last),
                ).fetchall()
            if not rows:
                return
            for last, line in rows:  # noqa: B007 (last: where the next batch starts)
                yield line

    def sink(self, ref: SourceRef) -> FindingsSink:
        """Start recording ``ref`` (its findings go into the transaction :meth:`record` ends).
        Only for one source at a time, on the thread that records it."""
        key = source_key(ref)
        with self._lock:
            self._begin(key)
        return FindingsSink(self, key)

    def _begin(self, key: str) -> None:
        if not self._db.in_transaction:
            self._db.execute("BEGIN IMMEDIATE")
        self._db.execute("DELETE FROM findings WHERE source = ?", (key,))

    def _insert_findings(self, rows: Iterable[tuple[str, str]]) -> None:
        with self._lock:
            self._db.executemany("INSERT INTO findings VALUES (?, ?)", rows)

    def abandon(self) -> None:
        """Forget the source being recorded (interrupted): nothing of it is kept."""
        with self._lock:
            if self._db is not None and self._db.in_transaction:
                self._db.execute("ROLLBACK")

    def record(
        self,
        ref: SourceRef,
        entries: list[dict],
        excluded: int = 0,
        unsupported: Iterable[str] = (),
        *,
        sink: FindingsSink | None = None,
        findings_file: str | None = None,
    ) -> bool:
        """Record a finished source, with its findings (from ``sink`` or a JSON-lines file),
        in one transaction.  Recording the same source twice in a run does nothing (returns
        False), so that whichever thread gets there first records it."""
        key = source_key(ref)
        with self._lock:
            if key in self._recorded or self._db is None:
                return False
            try:
                if sink is not None:  # its transaction is open, its old findings deleted
                    sink.flush()
                else:
                    self._begin(key)
                if findings_file is not None:
                    with open(findings_file, encoding="utf-8") as fh:
                        self._db.executemany(
                            "INSERT INTO findings VALUES (?, ?)", ((key, line) for line in fh)
                        )
                ok = all(e.get("status") == "ok" for e in entries)
                rows = sum(t.get("rows_scanned", 0) for e in entries for t in e.get("tables", []))
                self._db.execute(
                    "INSERT OR REPLACE INTO sources VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?)",
                    (
                        key,
                        ref.path,
                        self._prints.get(key),
                        int(ok),
                        json.dumps(entries, ensure_ascii=False),
                        int(excluded),
                        json.dumps(list(unsupported), ensure_ascii=False),
                        rows,
                        int(sink is not None or findings_file is not None),
                        dt.datetime.now(dt.timezone.utc).isoformat(timespec="seconds"),
                    ),
                )
                self._db.execute("COMMIT")
            except BaseException:
                if self._db.in_transaction:
                    self._db.execute("ROLLBACK")
                raise
            self._recorded.add(key)
        return True


def _differences(before: dict, now: dict) -> str:
    keys = sorted(set(before) | set(now))
    diffs = [
        f"{k}: {before.get(k)!r} there, {now.get(k)!r} now"
        for k in keys
        if before.get(k) != now.get(k)
    ]
    return "; ".join(diffs[:4]) + ("; …" if len(diffs) > 4 else "")
