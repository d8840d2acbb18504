"""Plain-text reading: one row per line, numbered from 1."""

from __future__ import annotations

import pyarrow as pa
import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from pii_scan.sources import text as text_module
from pii_scan.sources.text import lines_array


def test_crlf_blank_lines_and_numbering(tmp_path, read):
    path = tmp_path / "chat.log"
    path.write_bytes(b"first\r\n\r\nthird line\n\n  fifth\r\nlast without newline")
    result = read(path)
    assert result.table.name == "chat"
    assert result.table.columns == ["text"]
    assert result.table.row_base == 1
    lines = result.column("text")
    assert lines == ["first", "", "third line", "", "  fifth", "last without newline"]
    # the reported row of a line is row_base + its index: line numbers as an editor shows them
    numbered = {result.table.row_base + i: line for i, line in enumerate(lines)}
    assert numbered[3] == "third line"
    assert numbered[5] == "  fifth"


def test_trailing_newline_adds_no_row(tmp_path, read):
    path = tmp_path / "a.txt"
    path.write_text("one\ntwo\n", encoding="utf-8")
    assert read(path).column("text") == ["one", "two"]


@pytest.mark.parametrize("encoding", ["utf-8", "utf-8-sig", "gb18030", "utf-16", "utf-16-be"])
def test_chinese_text_in_each_encoding(tmp_path, read, encoding):
    lines = ["客户张三的身份证号是110101199003077777", "", "手机：13800138000，邮箱 a@b.cn"]
    data = "\r\n".join(lines).encode(encoding)
    if encoding == "utf-16-be":
        data = b"\xfe\xff" + data
    path = tmp_path / "notes.txt"
    path.write_bytes(data)
    assert read(path).column("text") == lines


def test_invalid_utf8_bytes_are_replaced(tmp_path, read):
    body = "正常的中文内容，" * 20
    path = tmp_path / "mixed.txt"
    path.write_bytes(body.encode() + b"\n" + b"bad \xff byte\n" + body.encode() + b"\n")
    assert read(path).column("text") == [body, "bad \ufffd byte", body]


def test_ascii_head_then_gb18030_switches_encoding(tmp_path, read, monkeypatch):
    monkeypatch.setattr(text_module, "TEXT_CHUNK_BYTES", 4096)
    ascii_part = b"2024-01-01 INFO started\n" * 4000  # > 64 KiB of ASCII
    chinese = "用户李四登录，手机13912345678\n".encode("gb18030")
    path = tmp_path / "app.log"
    path.write_bytes(ascii_part + chinese * 3)
    result = read(path)
    assert result.column("text")[-3:] == ["用户李四登录，手机13912345678"] * 3
    assert result.table.encoding == "gb18030"


def test_lines_longer_than_a_chunk(tmp_path, read, monkeypatch):
    monkeypatch.setattr(text_module, "TEXT_CHUNK_BYTES", 1000)
    lines = ["x" * 5000, "short", "身" * 3000, ""]
    path = tmp_path / "long.txt"
    path.write_text("\n".join(lines) + "\n", encoding="utf-8")
    assert read(path, batch_rows=2).column("text") == lines


def test_lines_array_builds_offsets():
    arr = lines_array("a\r\n\nbc\n中文\r\n\r\n".encode())
    assert arr.equals(pa.array(["a", "", "bc", "中文", ""], pa.string()))
    arr.validate(full=True)
    assert len(lines_array(b"")) == 0


line_text = st.text(
    alphabet=st.characters(blacklist_categories=["Cs"], blacklist_characters="\x00\r\n"),
    max_size=30,
)


@settings(
    max_examples=80, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture]
)
@given(
    lines=st.lists(line_text, min_size=1, max_size=40),
    crlf=st.booleans(),
    final_newline=st.booleans(),
)
def test_lines_roundtrip(tmp_path, read, monkeypatch, lines, crlf, final_newline):
    """Any lines, cut into tiny chunks, come back exactly and in order."""
    monkeypatch.setattr(text_module, "TEXT_CHUNK_BYTES", 7)
    sep = "\r\n" if crlf else "\n"
    content = sep.join(lines) + (sep if final_newline else "")
    if not content:
        return  # a 0-byte file is an error, tested elsewhere
    path = tmp_path / "prop.txt"
    path.write_bytes(content.encode("utf-8"))
    expected = lines if final_newline or lines[-1] else lines[:-1]
    assert read(path, batch_rows=5).column("text") == expected
