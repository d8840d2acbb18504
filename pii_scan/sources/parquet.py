"""Parquet sources, read with ``pyarrow.parquet.ParquetFile.iter_batches``.

The columns come from the file's schema before any data is read: struct fields are flattened
to dotted names (``user.contact.phone``) and every value is turned into text by
:mod:`~pii_scan.sources.strings` (integers as decimal text, timestamps as ISO 8601, binary
that is not UTF-8 as null, lists as their values joined by newlines).  Memory is bounded by
one row group's column chunks plus one batch.  Object-store files are read with ranged
requests; Parquet inside an archive or compressed as a whole is copied to a temporary file.

A Hive-partitioned dataset (``sales/year=2024/month=01/part-0.parquet``; see
:func:`~pii_scan.sources.discover`) is one table named by its root folder.  Its files are read
one after another, in path order, and the partition keys of each file's folders are added as
text columns after the data columns (``%XX`` escapes decoded, ``__HIVE_DEFAULT_PARTITION__``
as null).  The columns are those of the first readable file and the partition keys; a column
that only later files have is appended when it first appears.  A file that cannot be read (a
corrupt or truncated part, one a writer left half-written) does not stop the dataset: the
other files are read, and then the table fails with the number of such files and the first
one's reason, so the report lists it in ``errors`` with the rows that were scanned.
"""

from __future__ import annotations

import contextlib
from collections.abc import Iterator
from pathlib import PurePosixPath
from typing import Any
from urllib.parse import unquote

import pyarrow as pa
import pyarrow.parquet as pq

from .base import (
    Limits,
    SourceError,
    SourceRef,
    TableStream,
    check_time,
    dedupe_names,
    guarded,
    limit_batches,
    owned,
    printable_path,
    reason,
    record_cap,
)
from .columnar import TOO_BIG, bounded, checked_batch, schema_columns
from .inputs import Input, human_size
from .strings import flatten_batch

__all__ = ["hive_partitions", "read_parquet"]

_CORRUPT = "truncated or corrupt Parquet file"
#: The longest value read when no memory budget says otherwise (as the text readers' caps).
MAX_VALUE_BYTES = 64 << 20
_HIVE_NULL = "__HIVE_DEFAULT_PARTITION__"


def read_parquet(
    src: Input,
    *,
    batch_rows: int,
    max_rows: int | None,
    encoding: str | None = None,
) -> Iterator[TableStream]:
    """Yield the single table of a Parquet file or Hive-partitioned dataset (``encoding`` is
    ignored)."""
    if src.ref.members:
        yield from _read_dataset(src, batch_rows=batch_rows, max_rows=max_rows)
        return
    stack = contextlib.ExitStack()
    with stack:
        parquet = _open(stack.enter_context(src.random_access()))
        check_sizes(parquet, src.limits)
        columns = schema_columns(parquet.schema_arrow, _CORRUPT)
        stream = TableStream(name=src.name, columns=columns, batches=iter(()))
        body = owned(bounded(_body(parquet, columns, batch_rows), _CORRUPT), stack.pop_all())
    stream.batches = limit_batches(guarded(body, _CORRUPT), batch_rows, max_rows)
    yield stream


def _open(f: Any) -> pq.ParquetFile:
    try:
        if f.size() == 0:
            raise SourceError("empty file")
        return pq.ParquetFile(f)
    except MemoryError:  # a damaged footer length
        raise SourceError(f"{_CORRUPT}: {TOO_BIG}") from None
    except UnicodeDecodeError:  # pyarrow decodes the column paths while opening
        raise SourceError(f"{_CORRUPT}: a column name is not valid UTF-8") from None
    except (pa.ArrowException, OSError) as exc:
        raise SourceError(f"{_CORRUPT}: {reason(exc)}") from None


def check_sizes(parquet: pq.ParquetFile, limits: Limits) -> None:
    """Refuse, from the footer alone, a file whose pages would expand past the limits: more
    than ``--max-expand-size`` in all, or values longer on average than a source may hold
    (``--source-memory``): a few kilobytes of zstd can hold a 100 MB value."""
    cap = record_cap(limits, MAX_VALUE_BYTES)
    meta = parquet.metadata
    total = 0
    for g in range(meta.num_row_groups):
        group = meta.row_group(g)
        for c in range(group.num_columns):
            chunk = group.column(c)
            size = max(int(chunk.total_uncompressed_size or 0), 0)
            total += size
            if chunk.num_values and size / chunk.num_values > cap:
                raise SourceError(
                    f"refused: values of column {chunk.path_in_schema} are longer than "
                    f"{human_size(cap)} (--source-memory); possible decompression bomb"
                )
    if limits.max_bytes and total > limits.max_bytes:
        raise SourceError(
            f"refused: decompresses to more than {human_size(limits.max_bytes)}"
            " (--max-expand-size); possible decompression bomb"
        )


def _body(parquet: pq.ParquetFile, columns: list[str], batch_rows: int) -> Iterator[pa.RecordBatch]:
    try:
        for batch in parquet.iter_batches(batch_size=batch_rows, use_threads=True):
            arrays = [array for _, array in flatten_batch(checked_batch(batch))]
            yield pa.RecordBatch.from_arrays(arrays, names=columns)
    finally:
        parquet.close()


# --------------------------------------------------------------------------- Hive datasets


def hive_partitions(root: str, location: str) -> list[tuple[str, str | None]]:
    """The ``(key, value)`` pairs of the ``key=value`` folders between ``root`` and the file
    ``location``.

    >>> hive_partitions("lake/sales", "lake/sales/year=2024/city=%E5%8C%97%E4%BA%AC/p.parquet")
    [('year', '2024'), ('city', '北京')]
    """
    rel = location[len(root) :].lstrip("/") if location.startswith(root) else location
    out: list[tuple[str, str | None]] = []
    for part in PurePosixPath(rel.split("?", 1)[0]).parts[:-1]:
        key, eq, value = part.partition("=")
        if eq and key:
            text = unquote(value)
            out.append((unquote(key), None if text == _HIVE_NULL else text))
    return out


def _read_dataset(src: Input, *, batch_rows: int, max_rows: int | None) -> Iterator[TableStream]:
    ref = src.ref
    files = list(ref.members)
    failed: list[tuple[str, SourceError]] = []
    schema = None
    for location in files:  # the first file that opens gives the columns
        try:
            with _part(location, src).random_access() as f:
                schema = _open(f).schema_arrow
            data_columns = schema_columns(schema, _CORRUPT)
            break
        except SourceError as exc:
            check_time()  # a spent time budget ends the dataset
            failed.append((location, exc))
    if schema is None:
        raise _failure(ref.location, files, failed)
    keys = [key for key, _ in hive_partitions(ref.location, location)]
    columns = dedupe_names(data_columns + keys)
    stream = TableStream(name=src.name, columns=columns, batches=iter(()))

    def body() -> Iterator[pa.RecordBatch]:
        for location in files[len(failed) :]:
            partitions = hive_partitions(ref.location, location)
            try:
                with _part(location, src).random_access() as f:
                    parquet = _open(f)
                    with contextlib.closing(parquet):
                        check_sizes(parquet, src.limits)
                        batches = parquet.iter_batches(batch_size=batch_rows, use_threads=True)
                        for batch in guarded(bounded(batches, _CORRUPT), _CORRUPT):
                            yield _dataset_batch(batch, partitions, columns)
            except SourceError as exc:
                check_time()
                failed.append((location, exc))
        if failed:
            raise _failure(ref.location, files, failed)

    stream.batches = limit_batches(
        guarded(bounded(body(), _CORRUPT), _CORRUPT), batch_rows, max_rows
    )
    yield stream


def _part(location: str, src: Input) -> Input:
    return Input(SourceRef(path=location, location=location, format="parquet"), src.limits)


def _failure(root: str, files: list[str], failed: list[tuple[str, SourceError]]) -> SourceError:
    """One error for the dataset's unreadable files: how many, and the first one's reason.

    >>> _failure("ds", ["ds/k=1/a", "ds/k=2/b"], [("ds/k=2/b", SourceError("empty file"))])
    SourceError('1 of 2 files could not be read (the others were scanned): k=2/b: empty file')
    """
    location, exc = failed[0]
    name = location[len(root) :].lstrip("/") if location.startswith(root) else location
    return SourceError(
        f"{len(failed)} of {len(files)} files could not be read (the others were scanned): "
        f"{printable_path(name)}: {exc}"
    )


def _dataset_batch(
    batch: pa.RecordBatch, partitions: list[tuple[str, str | None]], columns: list[str]
) -> pa.RecordBatch:
    by_name: dict[str, pa.Array] = {}
    for path, array in flatten_batch(checked_batch(batch)):
        by_name.setdefault(".".join(path), array)
    rows = batch.num_rows
    for key, value in partitions:
        if key not in columns:
            columns.append(key)
        by_name.setdefault(key, pa.repeat(pa.scalar(value, pa.string()), rows))
    for name in by_name:
        if name not in columns:
            columns.append(name)
    missing = pa.nulls(rows, pa.string())
    return pa.RecordBatch.from_arrays(
        [by_name.get(name, missing) for name in columns], names=list(columns)
    )
