"""CSV and TSV reading: encodings, headers, quoting, ragged rows, limits."""

from __future__ import annotations

import csv
import io

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from pii_scan.sources import SourceError
from pii_scan.sources import delimited as delimited_module

HEADER = ["姓名", "身份证号", "手机号"]
ROWS = [
    ["张三", "11010119900307777X", "13800138000"],
    ["李四", "", "13912345678"],
    ["王五,先生", "110101199003071234", "+86 139 1234 5678"],
]
EXPECTED = [
    {"姓名": "张三", "身份证号": "11010119900307777X", "手机号": "13800138000"},
    {"姓名": "李四", "身份证号": None, "手机号": "13912345678"},
    {"姓名": "王五,先生", "身份证号": "110101199003071234", "手机号": "+86 139 1234 5678"},
]


def _csv_text(header, rows, delimiter=",", newline="\n") -> str:
    out = io.StringIO()
    writer = csv.writer(out, delimiter=delimiter, lineterminator=newline)
    writer.writerow(header)
    writer.writerows(rows)
    return out.getvalue()


@pytest.mark.parametrize(
    ("encoding", "label"),
    [
        ("utf-8", "utf-8"),
        ("utf-8-sig", "utf-8-sig"),
        ("gb18030", "gb18030"),
        ("gbk", "gb18030"),
        ("utf-16", "utf-16-le"),  # Python writes a little-endian BOM
        ("utf-16-be", "utf-16-be"),
    ],
)
@pytest.mark.parametrize("newline", ["\n", "\r\n"])
def test_encodings_give_the_same_table(tmp_path, read, encoding, label, newline):
    path = tmp_path / "people.csv"
    data = _csv_text(HEADER, ROWS, newline=newline).encode(encoding)
    if encoding == "utf-16-be":
        data = b"\xfe\xff" + data
    path.write_bytes(data)
    result = read(path)
    assert result.table.name == "people"
    assert result.columns_before == HEADER
    assert result.rows == EXPECTED
    assert result.table.encoding == label
    assert result.table.row_base == 0


def test_forced_encoding(tmp_path, read):
    path = tmp_path / "people.csv"
    path.write_bytes(_csv_text(HEADER, ROWS).encode("gb18030"))
    assert read(path, encoding="gb18030").rows == EXPECTED
    with pytest.raises(SourceError, match="unknown encoding"):
        read(path, encoding="no-such-codec")


@pytest.mark.parametrize("suffix", [".tsv", ".tab", ".TSV"])
def test_tsv(tmp_path, read, suffix):
    path = tmp_path / f"people{suffix}"
    path.write_text(_csv_text(HEADER, ROWS, delimiter="\t"), encoding="utf-8")
    result = read(path)
    assert result.table.columns == HEADER
    assert result.rows == EXPECTED


def test_semicolon_csv_is_sniffed(tmp_path, read):
    path = tmp_path / "eu.csv"
    path.write_text("name;phone\nAnna;+49 30 1234\n", encoding="utf-8")
    assert read(path).rows == [{"name": "Anna", "phone": "+49 30 1234"}]


def test_single_column_csv_is_not_resplit(tmp_path, read):
    path = tmp_path / "one.csv"
    path.write_text("note\nhello; world\n", encoding="utf-8")
    assert read(path).rows == [{"note": "hello; world"}]


def test_duplicate_and_empty_header_names(tmp_path, read):
    path = tmp_path / "dupes.csv"
    path.write_text("a,,a,a_2, ,a\n1,2,3,4,5,6\n", encoding="utf-8")
    result = read(path)
    assert result.table.columns == ["a", "column_2", "a_3", "a_2", "column_5", "a_4"]
    assert list(result.rows[0].values()) == ["1", "2", "3", "4", "5", "6"]


def test_embedded_newlines_in_header_and_values(tmp_path, read):
    path = tmp_path / "quoted.csv"
    path.write_bytes(
        b'id,"multi\nline ""name"""\r\n'
        b'1,"first\r\nsecond"\r\n'
        b'2,"a, b"\r\n'
        b"\r\n"  # blank lines are ignored
        b'3,""\r\n'
    )
    result = read(path)
    assert result.table.columns == ["id", 'multi\nline "name"']
    assert result.column('multi\nline "name"') == ["first\r\nsecond", "a, b", None]
    assert result.column("id") == ["1", "2", "3"]


def test_blank_lines_before_header(tmp_path, read):
    path = tmp_path / "blank.csv"
    path.write_text("\n  \nname\nx\n", encoding="utf-8")
    assert read(path).rows == [{"name": "x"}]


@pytest.mark.parametrize(
    ("text", "header"),
    [
        ("张伟,北京市朝阳区建国路88号,请尽快发货\n李娜,上海市浦东新区张江路1号,放门口\n", False),
        ("收货人,详细地址,留言\n李娜,上海市浦东新区张江路1号,放门口\n王芳,广州市1号,无\n", True),
        ("客户,地址,说明\n李娜,上海市浦东新区张江路1号,放门口\n王芳,广州市1号,无\n", True),
    ],
)
def test_a_chinese_first_row_without_column_words_is_data(tmp_path, read, text, header):
    path = tmp_path / "t.csv"
    path.write_text(text, encoding="utf-8")
    result = read(path)
    first = text.split("\n")[0].split(",")
    assert (result.table.columns == first) is header
    assert len(result.rows) == text.count("\n") - header


def test_ragged_rows_are_evened_out_in_place_and_counted(tmp_path, read):
    path = tmp_path / "ragged.csv"
    path.write_text("a,b,c\n1,2,3\n4,5\n6,7,8,9\n10,11,12\n", encoding="utf-8")
    result = read(path)
    assert result.column("a") == ["1", "4", "6", "10"]
    assert result.column("c") == ["3", None, "8,9", "12"]  # the extra field is kept
    assert (result.table.ragged_rows, result.table.skipped_rows) == (2, 0)


def test_ragged_rows_are_in_the_report(tmp_path):
    from pii_scan.scan import ScanOptions, scan_paths

    path = tmp_path / "ragged.csv"
    path.write_text("a,b\n1,2\n3\n4,5\n", encoding="utf-8")
    (table,) = scan_paths([str(path)], ScanOptions())["sources"][0]["tables"]
    assert (table["rows_scanned"], table["ragged_rows"]) == (3, 1)
    assert "skipped_rows" not in table


def _findings(path, **options) -> list[dict]:
    import json

    from pii_scan.scan import ScanOptions, scan_paths

    out = io.StringIO()
    report = scan_paths([str(path)], ScanOptions(sample_rows=0, **options), findings=out)
    assert report["sources"][0]["status"] == "ok"
    return [json.loads(line) for line in out.getvalue().splitlines()]


@pytest.mark.parametrize("encoding", ["utf-8", "gb18030"])
def test_rows_after_a_ragged_row_keep_their_numbers(tmp_path, encoding):
    # Many reader blocks: the ragged row is found while later blocks are parsed in parallel.
    rows = [["客户", f"备注{i:07d}", "正常"] for i in range(60_000)]
    rows[41_234] = ["客户", "13800138000"]  # too few fields
    rows[50_000] = ["客户", "备注", "x", "证件110101199003074477"]  # too many: the ID is kept
    rows[-1] = ["客户", "13912345678", "最后一行"]
    path = tmp_path / "big.csv"
    path.write_text(_csv_text(["名称", "电话", "备注"], rows), encoding=encoding)
    found = {(f["row"], f["column"], f["entity"]) for f in _findings(path)}
    assert found == {
        (41_234, "电话", "CN_MOBILE_PHONE"),
        (50_000, "备注", "CN_RESIDENT_ID"),
        (59_999, "电话", "CN_MOBILE_PHONE"),
    }


def test_ragged_rows_after_invalid_utf8_keep_their_numbers(tmp_path):
    # Both restarts: GB18030 lines appended to a UTF-8 file, then a ragged row.
    head = _csv_text(["名称", "电话"], [["客户", f"备注{i:07d}"] for i in range(30_000)])
    tail = "王芳,13800138000\n李娜\n赵强,13912345678\n"
    path = tmp_path / "mixed.csv"
    path.write_bytes(head.encode("utf-8") + tail.encode("gb18030"))
    found = sorted((f["row"], f["value"]) for f in _findings(path, reveal=True))
    assert found == [(30_000, "13800138000"), (30_002, "13912345678")]


def test_a_body_that_yields_no_row_is_an_error_not_an_empty_table(tmp_path, read, monkeypatch):
    # pyarrow's threaded reader once dropped a 30 MB row without a word (its pieces could not
    # be decoded for the invalid-row handler): data after the header that gives no row fails.
    monkeypatch.setattr(delimited_module, "_read_body", lambda *args, **kwargs: (b for b in ()))
    path = tmp_path / "lost.csv"
    path.write_text("a,b\n1,2\n", encoding="utf-8")
    with pytest.raises(SourceError, match="no row could be read"):
        read(path)
    path.write_text("a,b\n\n\n", encoding="utf-8")  # blank lines only: an empty table
    assert read(path).batches == []


@pytest.mark.parametrize("content", ["a,b\n", "a,b", "a,b\r\n\r\n\n", 'a,b"'])
def test_header_only(tmp_path, read, content):
    path = tmp_path / "empty_table.csv"
    path.write_text(content, encoding="utf-8")
    result = read(path)
    assert result.table.columns == ["a", content[2:].strip()]
    assert result.batches == []


def test_long_header(tmp_path, read):
    names = [f"列{i:05d}" for i in range(9_000)]  # ~90 KB of header: read in two pieces
    path = tmp_path / "wide.csv"
    path.write_text(",".join(names) + "\n" + ",".join("x" * len(names)) + "\n", encoding="utf-8")
    result = read(path)
    assert result.table.columns == names
    assert len(result.rows) == 1


def test_row_larger_than_a_block_is_read(tmp_path, read, monkeypatch):
    monkeypatch.setattr(delimited_module, "CSV_BLOCK_BYTES", 1024)
    path = tmp_path / "big_cell.csv"
    rows = [[str(i), "x" * (30_000 if i == 50 else 10)] for i in range(100)]
    path.write_text(_csv_text(["id", "text"], rows), encoding="utf-8")
    result = read(path, batch_rows=7)
    assert result.column("id") == [str(i) for i in range(100)]
    assert len(result.rows[50]["text"]) == 30_000


def test_invalid_utf8_after_the_head_is_repaired_line_by_line(tmp_path, read):
    # Rows appended in GB18030 to a UTF-8 file are read as GB18030, stray bytes as U+FFFD; the
    # reader starts over in repair mode without repeating the rows it produced.
    path = tmp_path / "late.csv"
    gb = "张三,13800138000\n".encode("gb18030")
    path.write_bytes(b"name,phone\n" + b"abc,1\n" * 40_000 + gb + b"\xff\xfe,2\n" + b"d,3\n")
    result = read(path, batch_rows=5000)
    names = result.column("name")
    assert len(names) == 40_003
    assert names[:2] == ["abc", "abc"] and names[-3:] == ["张三", "\ufffd\ufffd", "d"]
    assert result.column("phone")[-3:] == ["13800138000", "2", "3"]


cells = st.one_of(
    st.just(""),
    st.text(
        alphabet=st.characters(blacklist_categories=["Cs"], blacklist_characters="\x00"),
        max_size=12,
    ),
)


@settings(
    max_examples=60, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture]
)
@given(rows=st.lists(st.lists(cells, min_size=3, max_size=3), max_size=20))
def test_roundtrip_of_written_csv(tmp_path, read, rows):
    """Whatever the csv module writes (quotes, commas, newlines, Chinese) reads back the same;
    empty cells are null."""
    path = tmp_path / "prop.csv"
    path.write_text(_csv_text(["a", "b", "c"], rows, newline="\r\n"), encoding="utf-8")
    expected = [
        {k: (v if v != "" else None) for k, v in zip("abc", row, strict=True)} for row in rows
    ]
    assert read(path, batch_rows=3).rows == expected


@pytest.mark.parametrize(
    ("text", "columns"),
    [
        # the header ends with a delimiter, the rows do not
        (
            "姓名,手机号,身份证号,\n张伟,13800138000,11010519491231002X\n",
            ["姓名", "手机号", "身份证号"],
        ),
        # the rows end with one, the header does not
        (
            "姓名,手机号,身份证号\n张伟,13800138000,11010519491231002X,\n",
            ["姓名", "手机号", "身份证号", "column_4"],
        ),
        # a title above the header (as spreadsheet exports write one)
        (
            "客户信息导出 2024-05-01\n姓名,手机号,身份证号\n张伟,13800138000,11010519491231002X\n",
            ["姓名", "手机号", "身份证号"],
        ),
    ],
)
def test_a_header_that_does_not_fit_the_rows_loses_no_row(tmp_path, read_all, text, columns):
    rows = text + "".join(
        line.replace("张伟", f"张{i}") for i in range(9) for line in text.splitlines(True)[-1:]
    )
    path = tmp_path / "t.csv"
    path.write_text(rows, encoding="utf-8")
    (table,) = read_all(path).values()
    assert table.table.columns == columns
    assert len(table.rows) == 10
    assert table.rows[0]["手机号"] == "13800138000" and table.rows[0]["姓名"] == "张伟"
