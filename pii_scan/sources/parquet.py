"""Parquet sources, read with ``pyarrow.parquet.ParquetFile.iter_batches``.

The columns come from the file's schema before any data is read: struct fields are flattened
to dotted names (``user.contact.phone``) and every value is turned into text by
:func:`~pii_scan.sources.strings.to_string_array` (integers as decimal text, timestamps as
ISO 8601, binary that is not UTF-8 as null, lists as JSON text).  Memory is bounded by one
row group's column chunks plus one batch.
"""

from __future__ import annotations

import os
from collections.abc import Iterator
from pathlib import PurePath

import pyarrow as pa
import pyarrow.parquet as pq

from .base import (
    SourceError,
    SourceRef,
    TableStream,
    dedupe_names,
    guarded,
    limit_batches,
    open_binary,
    reason,
)
from .strings import flatten_batch, flatten_schema, to_string_array

__all__ = ["read_parquet"]

_CORRUPT = "truncated or corrupt Parquet file"


def read_parquet(
    ref: SourceRef,
    *,
    batch_rows: int,
    max_rows: int | None,
    encoding: str | None = None,
) -> Iterator[TableStream]:
    """Yield the single table of a Parquet file (``encoding`` is ignored)."""
    with open_binary(ref.location) as f:  # plain OS errors first: missing, directory, ...
        if os.fstat(f.fileno()).st_size == 0:
            raise SourceError("empty file")
    try:
        parquet = pq.ParquetFile(ref.location, memory_map=False)
        schema = parquet.schema_arrow
    except (pa.ArrowException, OSError) as exc:
        raise SourceError(f"{_CORRUPT}: {reason(exc)}") from None
    columns = dedupe_names([".".join(path) for path in flatten_schema(schema)])
    stream = TableStream(name=PurePath(ref.path).stem, columns=columns, batches=iter(()))
    body = _body(parquet, columns, batch_rows)
    stream.batches = limit_batches(guarded(body, _CORRUPT), batch_rows, max_rows)
    yield stream


def _body(parquet: pq.ParquetFile, columns: list[str], batch_rows: int) -> Iterator[pa.RecordBatch]:
    try:
        for batch in parquet.iter_batches(batch_size=batch_rows, use_threads=True):
            arrays = [to_string_array(array) for _, array in flatten_batch(batch)]
            yield pa.RecordBatch.from_arrays(arrays, names=columns)
    finally:
        parquet.close()
