"""The formats beyond CSV/JSON Lines/Parquet/text: JSON documents, Hive datasets, ORC,
Feather/Arrow IPC, spreadsheets, SQLite, and the delimited sniffing and encodings."""

from __future__ import annotations

import datetime as dt
import json
import sqlite3
import zipfile

import pyarrow as pa
import pyarrow.feather as feather
import pyarrow.ipc as ipc
import pyarrow.orc as orc
import pyarrow.parquet as pq
import pytest
from conftest import (
    FIXTURES,
    PEOPLE_COLUMNS,
    csv_text,
    people,
    people_table,
    ref_for,
    write_sqlite,
    write_xlsx,
)

from pii_scan.sources import SourceError, discover, open_source
from pii_scan.sources import jsondoc as jsondoc_module

# --------------------------------------------------------------------------- JSON documents


def test_json_array_of_records(tmp_path, read):
    path = tmp_path / "users.json"
    doc = [
        {
            "id": 1,
            "user": {"name": "张三", "contact": {"phone": "13800138000"}},
            "tags": ["a", "b"],
        },
        {"id": 2, "user": {"name": "李四", "contact": {"phones": ["139", "137"]}}, "late": True},
    ]
    path.write_text(json.dumps(doc, ensure_ascii=False, indent=2), encoding="utf-8")
    result = read(path)
    assert result.columns_before == [
        "id",
        "user.name",
        "user.contact.phone",
        "tags",
        "user.contact.phones",
        "late",
    ]
    assert result.rows == [
        {
            "id": "1",
            "user.name": "张三",
            "user.contact.phone": "13800138000",
            "tags": "a\nb",
            "user.contact.phones": None,
            "late": None,
        },
        {
            "id": "2",
            "user.name": "李四",
            "user.contact.phone": None,
            "tags": None,
            "user.contact.phones": "139\n137",
            "late": "true",
        },
    ]


def test_json_object_with_record_arrays(tmp_path, read):
    path = tmp_path / "api.json"
    doc = {
        "code": 0,
        "data": [{"phone": "13800138000", "orders": [{"no": "A1"}, {"no": "A2"}]}],
        "meta": {"page": 1, "owner": {"email": "a@example.com"}},
        "phones": ["13912345678", None, "13700000000"],
    }
    path.write_text(json.dumps(doc, indent=1), encoding="utf-8")
    result = read(path)
    assert result.table.columns == [
        "data.phone",
        "data.orders.no",
        "phones",
        "code",
        "meta.page",
        "meta.owner.email",
    ]
    assert result.column("data.orders.no") == ["A1\nA2", None, None, None, None]
    assert result.column("phones") == [None, "13912345678", None, "13700000000", None]
    assert result.rows[-1]["meta.owner.email"] == "a@example.com"


@pytest.mark.parametrize(
    ("content", "rows"),
    [
        ("[]", []),
        (
            '[1, "x", null, [2, 3]]',
            [{"value": "1"}, {"value": "x"}, {"value": None}, {"value": "2\n3"}],
        ),
        ('"just text"', [{"value": "just text"}]),
        ('{"a": {"b": 1}}', [{"a.b": "1"}]),
    ],
)
def test_json_document_shapes(tmp_path, read, content, rows):
    path = tmp_path / "shape.json"
    path.write_text(content + "\n", encoding="utf-8")
    assert read(path).rows == rows


def test_big_json_array_is_streamed(tmp_path, read, monkeypatch):
    monkeypatch.setattr(jsondoc_module, "READ_CHARS", 64)  # many pieces, values cut anywhere
    records = [{"n": i, "phone": f"1380013{i:04d}", "s": "值" * (i % 7)} for i in range(500)]
    path = tmp_path / "big.json"
    path.write_text(json.dumps(records, ensure_ascii=False), encoding="utf-8")
    result = read(path, batch_rows=64)
    assert result.column("n") == [str(i) for i in range(500)]
    assert result.column("s")[8] == "值"
    capped = read(path, max_rows=10)
    assert len(capped.rows) == 10


@pytest.mark.parametrize(
    ("content", "message"),
    [
        ('[{"a": 1}, {"a": 2]', "invalid JSON near line 1"),
        ('[{"a": 1}] trailing', "extra data after the JSON document"),
        ('{"a": 1,\n "b": }', "invalid JSON near line 2"),
        ("   \n  ", "empty JSON document"),
    ],
)
def test_broken_json_documents(tmp_path, ref, one_line, content, message):
    path = tmp_path / "bad.json"
    path.write_text(content, encoding="utf-8")
    with pytest.raises(SourceError) as info:
        for table in open_source(ref(path)):
            list(table.batches)
    one_line(str(info.value))
    assert message in str(info.value)


@pytest.mark.parametrize("bad", ['{"phone": 13800138000,}', "[" * 5000 + "]" * 5000])
def test_rows_before_an_invalid_json_element_are_read(tmp_path, bad):
    rows = [json.dumps({"phone": f"1380013{i:04d}"}) for i in range(1000)]
    path = tmp_path / "export.json"
    path.write_text("[" + ",\n".join([*rows, bad, *rows]) + "]", encoding="utf-8")
    (table,) = open_source(ref_for(path))
    read = []
    with pytest.raises(SourceError, match="line 1001"):
        for batch in table.batches:
            read += batch.column("phone").to_pylist()
    assert read == [f"1380013{i:04d}" for i in range(1000)]


def test_value_size_limit(tmp_path, ref, monkeypatch):
    monkeypatch.setattr(jsondoc_module, "MAX_VALUE_CHARS", 1000)
    monkeypatch.setattr(jsondoc_module, "READ_CHARS", 100)
    path = tmp_path / "huge.json"
    path.write_text(json.dumps([{"a": "x" * 5000}]), encoding="utf-8")
    with pytest.raises(SourceError, match="larger than"):
        for table in open_source(ref(path)):
            list(table.batches)


# --------------------------------------------------------------------------- Hive datasets


def test_hive_partitioned_dataset_is_one_table(tmp_path, read):
    root = tmp_path / "lake" / "orders"
    parts = {
        "dt=2024-01-01/city=%E5%8C%97%E4%BA%AC": ["13800138000", "13912345678"],
        "dt=2024-01-02/city=__HIVE_DEFAULT_PARTITION__": ["13700000000"],
    }
    for folder, phones in parts.items():
        (root / folder).mkdir(parents=True)
        pq.write_table(pa.table({"phone": phones}), root / folder / "part-0.parquet")
    (root / "_SUCCESS").write_text("")
    (root / "dt=2024-01-02" / "notes.csv").write_text("a\n1\n")
    found = discover([str(tmp_path / "lake")])
    paths = [ref.path for ref in found.sources]
    assert paths == [f"{root}", f"{root}/dt=2024-01-02/notes.csv"]
    dataset = found.sources[0]
    assert len(dataset.members) == 2 and dataset.format == "parquet"
    assert found.unsupported == [f"{root}/_SUCCESS"]
    tables = list(open_source(dataset))
    assert [t.name for t in tables] == ["orders"]
    rows = [r for b in tables[0].batches for r in b.to_pylist()]
    assert tables[0].columns == ["phone", "dt", "city"]
    assert rows == [
        {"phone": "13800138000", "dt": "2024-01-01", "city": "北京"},
        {"phone": "13912345678", "dt": "2024-01-01", "city": "北京"},
        {"phone": "13700000000", "dt": "2024-01-02", "city": None},
    ]


def test_dataset_file_with_an_extra_column(tmp_path):
    root = tmp_path / "ds"
    (root / "k=1").mkdir(parents=True)
    (root / "k=2").mkdir(parents=True)
    pq.write_table(pa.table({"a": ["x"]}), root / "k=1" / "p.parquet")
    pq.write_table(pa.table({"a": ["y"], "b": ["z"]}), root / "k=2" / "p.parquet")
    (ref,) = discover([str(root)]).sources
    (table,) = open_source(ref)
    rows = [r for batch in table.batches for r in batch.to_pylist()]
    assert table.columns == ["a", "k", "b"]
    assert rows[-1] == {"a": "y", "k": "2", "b": "z"}


def _dataset_with_a_bad_part(root, bad: int):
    for k in range(3):
        (root / f"k={k}").mkdir(parents=True)
        pq.write_table(pa.table({"phone": [f"1380013800{k}"]}), root / f"k={k}" / "p.parquet")
    part = root / f"k={bad}" / "p.parquet"
    part.write_bytes(part.read_bytes()[:-20])  # truncated: the footer is gone


@pytest.mark.parametrize("bad", [0, 1, 2])
def test_an_unreadable_dataset_file_does_not_stop_the_others(tmp_path, bad):
    root = tmp_path / "ds"
    _dataset_with_a_bad_part(root, bad)
    (ref,) = discover([str(root)]).sources
    (table,) = open_source(ref)
    rows = []
    with pytest.raises(SourceError) as info:
        for batch in table.batches:
            rows += batch.to_pylist()
    assert rows == [{"phone": f"1380013800{k}", "k": str(k)} for k in range(3) if k != bad]
    assert str(info.value).startswith(
        f"1 of 3 files could not be read (the others were scanned): k={bad}/p.parquet: "
    )


def test_an_unreadable_dataset_file_is_in_the_report(tmp_path):
    from pii_scan.scan import ScanOptions, scan_paths

    _dataset_with_a_bad_part(tmp_path / "ds", 1)
    report = scan_paths([str(tmp_path / "ds")], ScanOptions(sample_rows=0))
    (source,) = report["sources"]
    assert source["status"] == "error" and "k=1/p.parquet" in source["error"]
    (table,) = source["tables"]
    assert table["rows_scanned"] == 2
    assert [e["path"] for e in report["errors"]] == [source["path"]]


# --------------------------------------------------------------------------- ORC, Arrow IPC


@pytest.mark.filterwarnings("ignore:Feather V1:DeprecationWarning")
def test_orc_and_arrow_files_and_streams(tmp_path, read):
    table = pa.table(
        {
            "phone": pa.array([13800138000, None], pa.int64()),
            "person": pa.array([{"name": "张三", "tags": ["a"]}, None]),
            "born": pa.array([dt.date(1990, 3, 7), None]),
        }
    )
    orc.write_table(table, str(tmp_path / "t.orc"), stripe_size=1024)
    feather.write_feather(table, tmp_path / "t.feather")
    feather.write_feather(table.select(["phone", "born"]), tmp_path / "v1.feather", version=1)
    with (
        pa.OSFile(str(tmp_path / "t.arrows"), "wb") as sink,
        ipc.new_stream(sink, table.schema) as w,
    ):
        w.write_table(table)
    with pa.OSFile(str(tmp_path / "t.arrow"), "wb") as sink, ipc.new_file(sink, table.schema) as w:
        w.write_table(table, max_chunksize=1)
    expected = {
        "phone": "13800138000",
        "person.name": "张三",
        "person.tags": "a",
        "born": "1990-03-07",
    }
    for name in ("t.orc", "t.feather", "t.arrows", "t.arrow"):
        result = read(tmp_path / name, batch_rows=1)
        assert result.table.name == "t"
        assert result.rows[0] == expected, name
        assert result.rows[1] == dict.fromkeys(expected), name
    v1 = read(tmp_path / "v1.feather")
    assert v1.rows[0] == {"phone": "13800138000", "born": "1990-03-07"}


@pytest.mark.parametrize("name", ["t.orc", "t.feather", "t.arrows"])
def test_truncated_columnar_files(tmp_path, ref, one_line, name):
    table = pa.table({"phone": [f"1380013{i:04d}" for i in range(3000)]})
    path = tmp_path / name
    if name.endswith(".orc"):
        orc.write_table(table, str(path))
    elif name.endswith(".feather"):
        feather.write_feather(table, path)
    else:
        with pa.OSFile(str(path), "wb") as sink, ipc.new_stream(sink, table.schema) as w:
            w.write_table(table)
    data = path.read_bytes()
    path.write_bytes(data[: len(data) // 2])
    with pytest.raises(SourceError) as info:
        for t in open_source(ref(path)):
            list(t.batches)
    one_line(str(info.value))
    assert "corrupt" in str(info.value) or "not an Arrow" in str(info.value)


# --------------------------------------------------------------------------- spreadsheets


def test_xlsx_every_sheet_is_a_table(tmp_path, read_all):
    path = tmp_path / "book.xlsx"
    write_xlsx(
        path,
        {
            "客户": [
                [None],
                ["姓名", "手机号", "生日", "余额", None],
                ["张三", 13800138000, dt.datetime(1990, 3, 7), 12.5],
                [None, None],
                ["李四", "13912345678", dt.datetime(1991, 1, 2, 8, 30), True, "多出来"],
            ],
            "空表": [],
            "无表头": [["张三", 13800138000], ["李四", 13912345678], ["王五", 13700000000]],
        },
    )
    tables = read_all(path)
    assert list(tables) == ["客户", "空表", "无表头"]
    people_sheet = tables["客户"]
    assert people_sheet.columns_before == ["姓名", "手机号", "生日", "余额"]
    assert people_sheet.table.columns == ["姓名", "手机号", "生日", "余额", "column_5"]
    assert people_sheet.rows == [
        {
            "姓名": "张三",
            "手机号": "13800138000",
            "生日": "1990-03-07",
            "余额": "12.5",
            "column_5": None,
        },
        {
            "姓名": "李四",
            "手机号": "13912345678",
            "生日": "1991-01-02T08:30:00",
            "余额": "true",
            "column_5": "多出来",
        },
    ]
    assert tables["空表"].table.columns == [] and tables["空表"].rows == []
    assert tables["无表头"].table.columns == ["column_1", "column_2"]
    assert len(tables["无表头"].rows) == 3


def test_xlsx_title_rows_above_the_header_are_data(tmp_path, read_all):
    path = tmp_path / "export.xlsx"
    rows = [["张三", 13800138000, "北京"], ["李四", 13912345678, "上海"], ["王五", 13700000000]]
    write_xlsx(
        path,
        {
            "导出": [
                ["客户信息导出（经办人：赵强）"],
                ["导出日期", "2024-05-01"],
                ["姓名", "手机号", "城市"],
                *rows,
            ]
        },
    )
    sheet = read_all(path)["导出"]
    assert sheet.table.columns == ["姓名", "手机号", "城市"]
    assert [r["姓名"] for r in sheet.rows] == [
        "客户信息导出（经办人：赵强）",  # scanned too: a title may name a person
        "导出日期",
        "张三",
        "李四",
        "王五",
    ]
    assert sheet.rows[1]["手机号"] == "2024-05-01"


@pytest.mark.parametrize("declared", ["A1", "A1:B2"])
def test_xlsx_rows_beyond_a_wrong_declared_dimension_are_read(tmp_path, read_all, declared):
    import re
    import zipfile

    rows = [["姓名", "手机号", "身份证号"]] + [
        [f"张{i}", f"138001380{i:02d}", "11010519491231002X"] for i in range(5)
    ]
    written = tmp_path / "written.xlsx"
    write_xlsx(written, {"客户": rows})
    path = tmp_path / "dimension.xlsx"  # as some generators write it: a wrong <dimension>
    with zipfile.ZipFile(written) as src, zipfile.ZipFile(path, "w") as out:
        for item in src.infolist():
            data = src.read(item)
            if item.filename.startswith("xl/worksheets/"):
                text = data.decode("utf-8")
                text, n = re.subn(r'<dimension ref="[^"]*"', f'<dimension ref="{declared}"', text)
                if n == 0:
                    text = text.replace("<sheetData", f'<dimension ref="{declared}"/><sheetData')
                data = text.encode("utf-8")
            out.writestr(item, data)
    table = read_all(path)["客户"]
    assert table.table.columns == ["姓名", "手机号", "身份证号"]
    assert [r["手机号"] for r in table.rows] == [f"138001380{i:02d}" for i in range(5)]


def test_xls_fixture(read_all):
    tables = read_all(FIXTURES / "spreadsheets" / "people.xls")
    assert list(tables) == ["客户", "空表"]
    first = tables["客户"].rows[0]
    assert first == {
        "姓名": "张伟",
        "身份证号": "110101196001011006",
        "手机号": "13800000000",
        "email": "zhang0@example.com",
        "生日": "1960-01-01",
    }


@pytest.mark.parametrize("name", ["bad.xlsx", "bad.xls"])
def test_broken_workbooks(tmp_path, ref, one_line, name):
    path = tmp_path / name
    path.write_bytes(b"PK\x03\x04 this is not a workbook" * 10)
    with pytest.raises(SourceError) as info:
        for table in open_source(ref(path)):
            list(table.batches)
    one_line(str(info.value))
    assert "not a readable" in str(info.value)


# --------------------------------------------------------------------------- SQLite


def test_sqlite_every_table(tmp_path, read_all):
    path = tmp_path / "shop.sqlite"
    write_sqlite(path)
    tables = read_all(path, batch_rows=7)
    assert list(tables) == ["客户", "orders"]  # the view is not read
    assert tables["客户"].table.columns == PEOPLE_COLUMNS
    assert tables["客户"].rows[0] == people(1)[0]
    assert tables["orders"].rows[:2] == [
        {"order_id": "0", "note": "备注"},
        {"order_id": "1", "note": None},  # a BLOB that is not text
    ]
    sampled = read_all(path, max_rows=3)
    assert [len(t.rows) for t in sampled.values()] == [3, 3]


def test_sqlite_detection_and_errors(tmp_path, ref, one_line):
    db = tmp_path / "real.db"
    write_sqlite(db)
    (tmp_path / "Thumbs.db").write_bytes(b"\xd0\xcf\x11\xe0 not sqlite")
    found = discover([str(tmp_path)])
    assert [r.path for r in found.sources] == [str(db)]
    assert found.unsupported == [str(tmp_path / "Thumbs.db")]
    fake = tmp_path / "fake.sqlite"
    fake.write_bytes(b"hello")
    with pytest.raises(SourceError, match="not an SQLite database"):
        list(open_source(ref(fake)))
    cut = tmp_path / "cut.sqlite"
    cut.write_bytes(db.read_bytes()[:600])
    with pytest.raises(SourceError) as info:
        for table in open_source(ref(cut)):
            list(table.batches)
    one_line(str(info.value))


def test_sqlite_read_only_folder(tmp_path, read_all):
    path = tmp_path / "ro" / "x.sqlite3"
    path.parent.mkdir()
    db = sqlite3.connect(path)
    db.execute("PRAGMA journal_mode=WAL")
    db.execute("CREATE TABLE t (a)")
    db.execute("INSERT INTO t VALUES ('v')")
    db.commit()
    db.close()
    assert read_all(path)["t"].rows == [{"a": "v"}]


# --------------------------------------------------------------------------- delimited text


def test_psv_and_hive_text_delimiters(tmp_path, read):
    rows = people(5)
    (tmp_path / "p.psv").write_text(csv_text(rows, "|"), encoding="utf-8")
    (tmp_path / "h.csv").write_text(csv_text(rows, "\x01"), encoding="utf-8")
    for name in ("p.psv", "h.csv"):
        result = read(tmp_path / name)
        assert result.table.columns == PEOPLE_COLUMNS
        assert result.rows == rows


def test_headerless_csv(tmp_path, read):
    rows = people(8)
    path = tmp_path / "noheader.csv"
    path.write_text(csv_text(rows, header=False), encoding="utf-8")
    result = read(path)
    assert result.table.columns == [f"column_{i}" for i in range(1, 6)]
    assert result.column("column_2") == [r["身份证号"] for r in rows]


def test_header_kept_when_unsure(tmp_path, read):
    path = tmp_path / "words.csv"
    path.write_text("name,city\nAnna,Berlin\nBo,Oslo\n", encoding="utf-8")
    assert read(path).table.columns == ["name", "city"]


@pytest.mark.parametrize(
    ("encoding", "bom", "label"),
    [
        ("cp950", b"", "cp950"),
        ("utf-16-le", b"", "utf-16-le"),
        ("utf-16-le", b"\xff\xfe", "utf-16-le"),
    ],
)
def test_big5_and_utf16(tmp_path, read, encoding, bom, label):
    text = (
        "姓名,身份證號,電話\n張三,11010119900307777X,0912345678\n"
        "陳小明,110101199003071234,0987654321\n"
    )
    path = tmp_path / "tw.csv"
    path.write_bytes(bom + text.encode(encoding))
    result = read(path)
    assert result.table.encoding == label
    assert result.table.columns == ["姓名", "身份證號", "電話"]
    assert result.column("姓名") == ["張三", "陳小明"]


def test_ragged_and_embedded_newlines_keep_names(tmp_path, read):
    path = tmp_path / "ragged.psv"
    path.write_text('a|"b\nc"|d\n1|"x\ny"|3\n4|5\n6|7|8|9\n', encoding="utf-8")
    result = read(path)
    assert result.table.columns == ["a", "b\nc", "d"]
    assert result.rows == [
        {"a": "1", "b\nc": "x\ny", "d": "3"},
        {"a": "4", "b\nc": "5", "d": None},
        {"a": "6", "b\nc": "7", "d": "8|9"},
    ]
    assert result.table.ragged_rows == 2


def test_people_table_helper():
    assert people_table(3).num_rows == 3


def test_a_sheet_that_cannot_be_read_leaves_the_other_sheets_scanned(tmp_path):
    import zipfile

    import openpyxl

    from pii_scan.scan import ScanOptions, scan_paths

    book = openpyxl.Workbook()  # not write-only: each sheet declares its size first
    book.active.title = "s1"
    for title, rows in (
        ("s1", [["姓名"], ["张伟"]]),
        ("s2", [["备注"]] + [[f"第{i}行"] for i in range(50)]),
        ("s3", [["手机号", "身份证号"], ["13800138000", "11010519491231002X"]]),
    ):
        sheet = book[title] if title in book.sheetnames else book.create_sheet(title)
        for row in rows:
            sheet.append(row)
    written = tmp_path / "written.xlsx"
    book.save(written)
    path = tmp_path / "book.xlsx"
    with zipfile.ZipFile(written) as src, zipfile.ZipFile(path, "w") as out:
        for item in src.infolist():
            data = src.read(item)
            if item.filename == "xl/worksheets/sheet2.xml":
                data = data[: data.index(b"<sheetData") + 300]  # cut inside its rows
            out.writestr(item, data)
    (source,) = scan_paths([str(path)], ScanOptions(sample_rows=0))["sources"]
    assert source["status"] == "error" and "'s2'" in source["error"]
    tables = {t["name"]: t for t in source["tables"]}
    assert "s3" in tables  # read although a sheet before it could not be
    entities = {c["name"]: c["entity"] for c in tables["s3"]["columns"]}
    assert entities == {"手机号": "CN_MOBILE_PHONE", "身份证号": "CN_RESIDENT_ID"}


def test_json_document_batches_end_at_a_size_too(tmp_path, monkeypatch):
    # A few long values make a batch (memory stays flat however long the file), not 4,096 rows.
    monkeypatch.setattr(jsondoc_module, "_CHUNK_CHARS", 2500)
    path = tmp_path / "notes.json"
    path.write_text(json.dumps([{"n": str(i), "note": "备注" * 500} for i in range(10)]))
    (table,) = open_source(ref_for(path))
    sizes = [batch.num_rows for batch in table.batches]
    assert sum(sizes) == 10 and max(sizes) == 3


def test_a_zip_that_is_no_workbook_says_so(tmp_path, ref, one_line):
    path = tmp_path / "export.xlsx"
    with zipfile.ZipFile(path, "w") as z:
        z.writestr("data.bin", b"\x00\x01")
    with pytest.raises(SourceError) as info:
        list(open_source(ref(path)))
    one_line(str(info.value))
    assert "no [Content_Types].xml in the package" in str(info.value)
