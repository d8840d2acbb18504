"""Helpers shared by the sources tests: read a file through ``open_source`` and check the
invariants every reader must keep (all-string batches named like ``columns``, no batch larger
than ``batch_rows``)."""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path
from typing import Any

import pyarrow as pa
import pytest

from pii_scan.sources import SourceRef, TableStream, detect_format, open_source


@dataclass
class Read:
    table: TableStream
    columns_before: list[str]  # table.columns before the first batch was taken
    batches: list[pa.RecordBatch]

    @property
    def rows(self) -> list[dict[str, Any]]:
        return [row for batch in self.batches for row in batch.to_pylist()]

    def column(self, name: str) -> list[Any]:
        return [row.get(name) for row in self.rows]


def ref_for(path: Path | str, fmt: str | None = None) -> SourceRef:
    path = str(path)
    return SourceRef(path=path, location=path, format=fmt or detect_format(path) or "text")


def _read(path: Path | str, fmt: str | None = None, **options: Any) -> Read:
    """Read the single table of ``path``, checking the stream invariants on the way."""
    tables = list(open_source(ref_for(path, fmt), **options))
    assert len(tables) == 1
    (table,) = tables
    before = list(table.columns)
    batches = []
    for batch in table.batches:
        assert batch.schema.names == table.columns[: batch.num_columns]
        assert batch.schema.names == table.columns
        assert all(t == pa.string() for t in batch.schema.types)
        assert 0 < batch.num_rows <= options.get("batch_rows", 65_536)
        batches.append(batch)
    return Read(table, before, batches)


def _assert_one_line(message: str) -> None:
    assert message, "empty error message"
    assert "\n" not in message and "\r" not in message
    assert "Traceback" not in message
    assert message == message.strip()


@pytest.fixture
def read():
    """``read(path, fmt=None, **open_source_options) -> Read``."""
    return _read


@pytest.fixture
def one_line():
    """``one_line(message)`` asserts an error message is a single clean line."""
    return _assert_one_line


@pytest.fixture
def ref():
    """``ref(path, fmt=None) -> SourceRef`` with the format from the extension."""
    return ref_for
