"""batch_rows and max_rows, for every format: batches stay small, and sampling stops reading.

To prove a reader stops at ``max_rows``, each file is valid at the start and unreadable far
past the sample: read whole it fails; sampled it must not.
"""

from __future__ import annotations

import json

import pyarrow as pa
import pyarrow.parquet as pq
import pytest

from pii_scan.sources import SourceError
from pii_scan.sources import delimited as delimited_module
from pii_scan.sources import jsonl as jsonl_module
from pii_scan.sources import text as text_module

N = 1000


def _write(tmp_path, fmt: str):
    if fmt == "csv":
        path = tmp_path / "t.csv"
        path.write_text("n\n" + "".join(f"{i}\n" for i in range(N)), encoding="utf-8")
    elif fmt == "tsv":
        path = tmp_path / "t.tsv"
        path.write_text("n\tm\n" + "".join(f"{i}\tx\n" for i in range(N)), encoding="utf-8")
    elif fmt == "jsonl":
        path = tmp_path / "t.jsonl"
        path.write_text("".join(json.dumps({"n": i}) + "\n" for i in range(N)), encoding="utf-8")
    elif fmt == "parquet":
        path = tmp_path / "t.parquet"
        pq.write_table(pa.table({"n": list(range(N))}), path, row_group_size=300)
    else:
        path = tmp_path / "t.txt"
        path.write_text("".join(f"{i}\n" for i in range(N)), encoding="utf-8")
    return path


FORMATS = ["csv", "tsv", "jsonl", "parquet", "text"]


def _numbers(result, fmt):
    return result.column("text" if fmt == "text" else "n")


@pytest.mark.parametrize("fmt", FORMATS)
@pytest.mark.parametrize("batch_rows", [1, 7, 256, 5000])
def test_batch_rows_is_respected(tmp_path, read, fmt, batch_rows):
    result = read(_write(tmp_path, fmt), batch_rows=batch_rows)  # read() checks every batch size
    assert _numbers(result, fmt) == [str(i) for i in range(N)]
    assert len(result.batches) >= -(-N // batch_rows)


@pytest.mark.parametrize("fmt", FORMATS)
@pytest.mark.parametrize("max_rows", [0, 1, 99, N, N + 5])
def test_max_rows_returns_the_first_rows(tmp_path, read, fmt, max_rows):
    result = read(_write(tmp_path, fmt), batch_rows=40, max_rows=max_rows)
    assert _numbers(result, fmt) == [str(i) for i in range(min(max_rows, N))]
    assert result.table.columns  # columns are listed even when no row is read


def _poisoned(tmp_path, fmt: str, monkeypatch):
    """A file whose first rows are fine and whose end (past several read blocks) is not."""
    good = 50_000
    if fmt in ("csv", "tsv"):
        monkeypatch.setattr(delimited_module, "CSV_BLOCK_BYTES", 1024)
        monkeypatch.setattr(delimited_module, "MAX_BLOCK_BYTES", 8192)
        sep = "," if fmt == "csv" else "\t"
        path = tmp_path / f"p.{fmt}"
        body = "".join(f"{i}{sep}x\n" for i in range(good)).encode()
        huge = b"z" * 50_000  # a row over the limit
        path.write_bytes(f"n{sep}m\n".encode() + body + huge + sep.encode() + b"y\n")
    elif fmt == "jsonl":
        monkeypatch.setattr(jsonl_module, "JSON_CHUNK_BYTES", 4096)
        path = tmp_path / "p.jsonl"
        body = "".join(json.dumps({"n": i}) + "\n" for i in range(good // 10))  # 20 pieces
        path.write_text(body + "{not json}\n", encoding="utf-8")
    elif fmt == "text":
        monkeypatch.setattr(text_module, "TEXT_CHUNK_BYTES", 4096)
        monkeypatch.setattr(text_module, "MAX_LINE_BYTES", 10_000)
        path = tmp_path / "p.txt"
        body = "".join(f"{i}\n" for i in range(good))
        path.write_text(body + "x" * 50_000, encoding="utf-8")  # a line over the limit
    else:
        path = tmp_path / "p.parquet"
        pq.write_table(pa.table({"n": list(range(good))}), path, row_group_size=5_000)
        data = bytearray(path.read_bytes())
        footer = len(data) - 8 - int.from_bytes(data[-8:-4], "little")  # metadata start
        start = footer - (footer // 3)  # scribble over the last row groups' pages
        data[start:footer] = b"\xab" * (footer - start)
        path.write_bytes(bytes(data))
    return path


@pytest.mark.parametrize("fmt", FORMATS)
def test_sampling_stops_reading(tmp_path, read, monkeypatch, fmt):
    path = _poisoned(tmp_path, fmt, monkeypatch)
    with pytest.raises(SourceError):
        read(path)
    result = read(path, max_rows=10, batch_rows=4)
    assert _numbers(result, fmt) == [str(i) for i in range(10)]
