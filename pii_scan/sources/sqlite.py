"""SQLite database files: every table is a table of the report, read by SQL.

The database is opened read-only (``mode=ro``; when SQLite cannot open it so, for instance in
a read-only folder, it is opened as ``immutable``, which also ignores a write-ahead log).
Tables are taken from ``sqlite_master`` in the order they were created, skipping SQLite's own
(``sqlite_*``) tables; views are not read (their rows come from tables that are).  Each
table is read with ``SELECT ... FROM "table" LIMIT n`` (``n`` = ``max_rows``), ``batch_rows``
rows at a time.

Values become text: integers as decimal text, floats by the shared rule
(:func:`~pii_scan.sources.strings.format_float`), BLOBs that are valid UTF-8 decoded and
other BLOBs null.  Text that is not valid UTF-8 is decoded with replacement characters.
A database inside an archive or an object store is copied to a temporary file first.
"""

from __future__ import annotations

import contextlib
import sqlite3
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pyarrow as pa

from .base import SourceError, TableStream, dedupe_names, guarded, limit_batches, reason
from .inputs import Input
from .strings import format_float

__all__ = ["read_sqlite"]

_MAGIC = b"SQLite format 3\x00"


def read_sqlite(
    src: Input, *, batch_rows: int, max_rows: int | None, encoding: str | None = None
) -> Iterator[TableStream]:
    """Yield one table per table of an SQLite database."""
    head = src.head(len(_MAGIC))
    if not head:
        raise SourceError("empty file")
    if head != _MAGIC:
        raise SourceError("not an SQLite database")
    with src.local_path() as path:
        db, tables = _connect(Path(path).resolve().as_uri())
        with contextlib.closing(db):
            failed = None  # the first table that cannot be read; the others still are
            for table in tables:
                try:
                    stream = _table(db, table, batch_rows, max_rows)
                except SourceError as exc:
                    failed = failed or exc
                    continue
                yield stream
            if failed is not None:
                raise failed


def _connect(uri: str) -> tuple[sqlite3.Connection, list[str]]:
    """Open read-only and list the tables; as immutable when plain read-only fails."""
    failure = ""
    for mode in ("?mode=ro", "?mode=ro&immutable=1"):
        try:
            db = sqlite3.connect(uri + mode, uri=True, check_same_thread=False)
        except sqlite3.Error as exc:
            failure = reason(exc)
            continue
        db.text_factory = _text
        try:
            tables = [
                name
                for (name,) in db.execute(
                    "SELECT name FROM sqlite_master WHERE type = 'table'"
                    " AND name NOT LIKE 'sqlite\\_%' ESCAPE '\\' ORDER BY rowid"
                )
            ]
        except sqlite3.Error as exc:
            db.close()
            failure = reason(exc)
            continue
        except UnicodeDecodeError as exc:  # SQLite's error quotes bytes of a damaged schema
            db.close()
            failure = _undecodable(exc)
            continue
        return db, tables
    raise SourceError(f"cannot read SQLite database: {failure}")


def _undecodable(exc: UnicodeDecodeError) -> str:
    """SQLite's error message when Python could not decode it (it quotes damaged bytes)."""
    if isinstance(exc.object, bytes) and exc.object:
        return reason(ValueError(exc.object.decode("utf-8", "replace")))
    return "malformed database"


def _quote(name: str) -> str:
    return '"' + name.replace('"', '""') + '"'


def _table(
    db: sqlite3.Connection, table: str, batch_rows: int, max_rows: int | None
) -> TableStream:
    try:
        info = db.execute(f"PRAGMA table_info({_quote(table)})").fetchall()
    except sqlite3.Error as exc:
        raise SourceError(f"cannot read table {table!r}: {reason(exc)}") from None
    except UnicodeDecodeError as exc:
        raise SourceError(f"cannot read table {table!r}: {_undecodable(exc)}") from None
    columns = dedupe_names([str(row[1]) for row in info])
    stream = TableStream(name=table, columns=columns, batches=iter(()), independent=True)

    def body() -> Iterator[pa.RecordBatch]:
        if not columns:
            return
        select = ", ".join(_quote(str(row[1])) for row in info)
        limit = -1 if max_rows is None else max_rows
        try:
            cursor = db.execute(f"SELECT {select} FROM {_quote(table)} LIMIT ?", (limit,))
            while True:
                rows = cursor.fetchmany(batch_rows)
                if not rows:
                    return
                arrays = [
                    pa.array([_cell(row[j]) for row in rows], pa.string())
                    for j in range(len(columns))
                ]
                yield pa.RecordBatch.from_arrays(arrays, names=columns)
        except sqlite3.Error as exc:
            raise SourceError(f"cannot read table {table!r}: {reason(exc)}") from None
        except UnicodeDecodeError as exc:
            raise SourceError(f"cannot read table {table!r}: {_undecodable(exc)}") from None

    stream.batches = limit_batches(guarded(body(), "cannot read SQLite"), batch_rows, max_rows)
    return stream


def _text(data: bytes) -> str:
    return data.decode("utf-8", "replace")


def _cell(value: Any) -> str | None:
    if value is None or isinstance(value, str):
        return value
    if isinstance(value, int):
        return str(value)
    if isinstance(value, float):
        return format_float(value)
    if isinstance(value, bytes):
        try:
            return value.decode("utf-8")
        except UnicodeDecodeError:
            return None
    return str(value)
