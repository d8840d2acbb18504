"""The sources layer: finding inputs and reading them as streams of all-string Arrow batches.

>>> found = discover(["data/"], exclude=["*.tmp.csv"])              # doctest: +SKIP
>>> for ref in found.sources:                                       # doctest: +SKIP
...     for table in open_source(ref, max_rows=1000):
...         for batch in table.batches:
...             ...  # batch.schema.names == table.columns, every column pa.string()

Formats (by extension, case-insensitive): ``.csv``; ``.tsv``/``.tab``; ``.jsonl``/``.ndjson``
and line-delimited ``.json``; ``.parquet``/``.pq``; ``.txt``/``.log``/``.md``/``.text``.
Every failure to read a source is a :class:`SourceError` with a one-line reason, raised when
the source is opened or later while its batches are read.
"""

from __future__ import annotations

from collections.abc import Callable, Iterator

from .base import SourceError, SourceRef, TableStream, check_limits
from .delimited import read_delimited
from .discovery import FORMATS, Discovery, detect_format, discover
from .encoding import detect_encoding
from .jsonl import read_jsonl
from .parquet import read_parquet
from .text import read_text

__all__ = [
    "FORMATS",
    "Discovery",
    "SourceError",
    "SourceRef",
    "TableStream",
    "detect_encoding",
    "detect_format",
    "discover",
    "open_source",
]

_Reader = Callable[..., Iterator[TableStream]]

_READERS: dict[str, _Reader] = {
    "csv": read_delimited,
    "tsv": read_delimited,
    "jsonl": read_jsonl,
    "parquet": read_parquet,
    "text": read_text,
}


def open_source(
    ref: SourceRef,
    *,
    batch_rows: int = 65_536,
    max_rows: int | None = None,
    encoding: str | None = None,
) -> Iterator[TableStream]:
    """Yield the tables of ``ref``, each a :class:`TableStream` of all-string batches.

    ``batch_rows`` caps the rows of each batch; ``max_rows`` caps the rows read from each table
    (the first rows; None reads all) and reading stops once it is reached; ``encoding`` forces
    the text encoding of CSV/TSV, JSON Lines and plain-text sources (detected otherwise).
    Raises :class:`SourceError` (possibly only while the batches are iterated) when the source
    cannot be read.
    """
    check_limits(batch_rows, max_rows)
    reader = _READERS.get(ref.format)
    if reader is None:
        raise SourceError(f"unsupported format: {ref.format}")
    return reader(ref, batch_rows=batch_rows, max_rows=max_rows, encoding=encoding)
