"""Unreadable sources raise SourceError with a single clean line, never a cell value."""

from __future__ import annotations

import os
import random

import pyarrow as pa
import pyarrow.parquet as pq
import pytest

from pii_scan.sources import SourceError, SourceRef, open_source
from pii_scan.sources.base import reason

FORMATS = {"csv": ".csv", "tsv": ".tsv", "jsonl": ".jsonl", "parquet": ".parquet", "text": ".txt"}


def _drain(ref: SourceRef) -> None:
    for table in open_source(ref):
        for _ in table.batches:
            pass


def _error(ref: SourceRef) -> str:
    with pytest.raises(SourceError) as info:
        _drain(ref)
    return str(info.value)


@pytest.mark.parametrize("fmt", sorted(FORMATS))
def test_zero_byte_file(tmp_path, ref, one_line, fmt):
    path = tmp_path / f"empty{FORMATS[fmt]}"
    path.write_bytes(b"")
    message = _error(ref(path))
    one_line(message)
    assert message == "empty file"


@pytest.mark.parametrize("fmt", sorted(FORMATS))
def test_directory_given_as_file(tmp_path, ref, one_line, fmt):
    path = tmp_path / f"folder{FORMATS[fmt]}"
    path.mkdir()
    message = _error(ref(path))
    one_line(message)
    assert message.startswith("cannot open file: ")


@pytest.mark.parametrize("fmt", sorted(FORMATS))
def test_dangling_symlink(tmp_path, ref, one_line, fmt):
    path = tmp_path / f"link{FORMATS[fmt]}"
    os.symlink(tmp_path / "nothing-here", path)
    message = _error(ref(path))
    one_line(message)
    assert message == "cannot open file: No such file or directory"


@pytest.mark.parametrize("cut", [0.5, 0.9, 0.99])
def test_truncated_parquet(tmp_path, ref, one_line, cut):
    whole = tmp_path / "whole.parquet"
    pq.write_table(pa.table({"phone": [f"1380013{i:04d}" for i in range(5000)]}), whole)
    data = whole.read_bytes()
    path = tmp_path / "cut.parquet"
    path.write_bytes(data[: int(len(data) * cut)])
    message = _error(ref(path))
    one_line(message)
    assert message.startswith("truncated or corrupt Parquet file")


def test_parquet_with_a_corrupt_page(tmp_path, ref, one_line):
    whole = tmp_path / "whole.parquet"
    pq.write_table(
        pa.table({"v": [f"value {i}" for i in range(20_000)]}), whole, compression="snappy"
    )
    data = bytearray(whole.read_bytes())
    for i in range(100, len(data) // 2):  # scribble over the data pages, keep the footer
        data[i] = 0xAB
    path = tmp_path / "scribbled.parquet"
    path.write_bytes(bytes(data))
    message = _error(ref(path))
    one_line(message)
    assert message.startswith("truncated or corrupt Parquet file")


@pytest.mark.parametrize("fmt", ["text", "csv", "tsv", "jsonl"])
def test_binary_garbage(tmp_path, ref, one_line, fmt):
    path = tmp_path / f"garbage{FORMATS[fmt]}"
    path.write_bytes(random.Random(7).randbytes(50_000))
    message = _error(ref(path))
    one_line(message)
    assert message == "binary file"


def test_garbage_without_nul_bytes(tmp_path, ref, one_line):
    rng = random.Random(3)
    data = bytes(rng.choice(range(0x80, 0x100)) for _ in range(5000))
    path = tmp_path / "noise.csv"
    path.write_bytes(data.replace(b"\x00", b"\x01"))
    message = _error(ref(path))
    one_line(message)
    assert message == "not valid UTF-8/GB18030/Big5 text"


def test_invalid_json_line(tmp_path, ref, one_line):
    path = tmp_path / "broken.jsonl"
    path.write_text('{"id": "110101199003077777"}\n{"id": "110101199003071234"\n', encoding="utf-8")
    message = _error(ref(path))
    one_line(message)
    assert message.startswith("invalid JSON on line 2")
    assert "110101" not in message


def test_whitespace_only_csv_has_no_header(tmp_path, ref, one_line):
    path = tmp_path / "blank.csv"
    path.write_text("\n \n\r\n", encoding="utf-8")
    message = _error(ref(path))
    one_line(message)
    assert message == "no header row"


def test_unterminated_quote_in_header(tmp_path, ref, one_line):
    path = tmp_path / "quote.csv"
    path.write_text('"name,phone\n张三,13800138000\n', encoding="utf-8")
    message = _error(ref(path))
    one_line(message)
    assert message == "malformed header row: a quote is never closed"


def test_reason_drops_row_text_and_extra_lines():
    exc = pa.ArrowInvalid("CSV parse error: Expected 2 columns, got 1: 110101199003077777\nmore")
    assert reason(exc) == "CSV parse error: Expected 2 columns, got 1"
    assert reason(FileNotFoundError(2, "No such file or directory")) == "No such file or directory"
    long = reason(ValueError("x" * 1000))
    assert len(long) <= 200


def test_error_message_is_always_one_line():
    assert (
        str(SourceError("first line\n  Traceback (most recent call last):\n ...")) == "first line"
    )
    assert str(SourceError("")) == "unreadable source"


def test_bad_arguments_are_programming_errors(tmp_path, ref):
    path = tmp_path / "a.txt"
    path.write_text("x\n", encoding="utf-8")
    with pytest.raises(ValueError):
        open_source(ref(path), batch_rows=0)
    with pytest.raises(ValueError):
        open_source(ref(path), max_rows=-1)
    with pytest.raises(SourceError, match="unsupported format"):
        open_source(SourceRef(path="x.docx", location="x.docx", format="docx"))


def test_an_invalid_json_line_keeps_the_lines_read_before_it(tmp_path):
    from pii_scan.scan import ScanOptions, scan_paths

    good = "".join(f'{{"name": "张{i}", "phone": "1380013{i:04d}"}}\n' for i in range(1000))
    path = tmp_path / "broken.jsonl"
    path.write_text(good + '{"name": "王芳",\n' + good[:200], encoding="utf-8")
    (source,) = scan_paths([str(path)], ScanOptions(sample_rows=0))["sources"]
    assert source["status"] == "error"
    assert source["error"].startswith("invalid JSON on line 1001")
    (table,) = source["tables"]  # the 1,000 lines before the bad one were scanned
    assert table["rows_scanned"] == 1000
    phone = next(c for c in table["columns"] if c["name"] == "phone")
    assert phone["entity"] == "CN_MOBILE_PHONE"


@pytest.mark.parametrize(
    ("name", "line"),
    [
        ("live.csv", "13800138000,登录\n"),
        ("live.log", "2024-05-01 手机13800138000 登录\n"),
        ("live.jsonl", '{"phone": "13800138000", "event": "登录"}\n'),
    ],
)
def test_a_file_growing_while_scanned_is_read_as_found(tmp_path, name, line):
    # A live log keeps growing: the scan reads the bytes there were when it found the file,
    # or it would never end (--sample-rows 0 has no time budget).
    from pii_scan.sources import discover

    path = tmp_path / name
    head = "phone,event\n" if name.endswith(".csv") else ""
    path.write_text(head + line * 1000, encoding="utf-8")
    (ref,) = discover([str(path)]).sources
    with path.open("a", encoding="utf-8") as f:
        f.write(line * 5000)
    (table,) = open_source(ref)
    assert sum(batch.num_rows for batch in table.batches) == 1000


def test_a_file_cut_short_while_scanned_fails_the_source(tmp_path):
    from pii_scan.sources import discover

    path = tmp_path / "rotated.csv"
    path.write_text("phone\n" + "13800138000\n" * 5000, encoding="utf-8")
    (ref,) = discover([str(path)]).sources
    path.write_text("phone\n" + "13800138000\n" * 10, encoding="utf-8")  # truncated, rewritten
    with pytest.raises(SourceError, match="got shorter while it was read"):
        for table in open_source(ref):
            list(table.batches)
