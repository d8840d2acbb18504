"""JSON Lines reading: flattening, type changes, exact numbers, errors."""

from __future__ import annotations

import json

import pytest

from pii_scan.sources import SourceError, open_source
from pii_scan.sources import jsonl as jsonl_module


def _write_jsonl(path, objects, encoding="utf-8"):
    text = "".join(json.dumps(o, ensure_ascii=False) + "\n" for o in objects)
    path.write_bytes(text.encode(encoding))


def test_nested_objects_become_dotted_columns(tmp_path, read):
    path = tmp_path / "users.jsonl"
    _write_jsonl(
        path,
        [
            {
                "id": 1,
                "user": {"name": "张三", "contact": {"phone": "13800138000", "email": None}},
                "tags": ["vip", "北京"],
                "active": True,
                "score": 3.5,
            },
            {"id": 2, "user": {"name": "李四", "contact": {"phone": "13912345678"}}},
        ],
    )
    result = read(path)
    assert result.table.name == "users"
    assert result.columns_before == [
        "id",
        "user.name",
        "user.contact.phone",
        "user.contact.email",
        "tags",
        "active",
        "score",
    ]
    first, second = result.rows
    assert first == {
        "id": "1",
        "user.name": "张三",
        "user.contact.phone": "13800138000",
        "user.contact.email": None,
        "tags": "vip\n北京",  # arrays are looked through: values joined by newlines
        "active": "true",
        "score": "3.5",
    }
    assert second["user.contact.phone"] == "13912345678"
    assert second["tags"] is None


@pytest.mark.parametrize("suffix", [".jsonl", ".ndjson", ".json", ".JSONL"])
def test_extensions(tmp_path, read, suffix):
    path = tmp_path / f"rows{suffix}"
    _write_jsonl(path, [{"a": "x"}, {"a": "y"}])
    assert read(path).column("a") == ["x", "y"]


def test_blank_lines_bom_and_gb18030(tmp_path, read):
    path = tmp_path / "bom.jsonl"
    path.write_bytes(b'\xef\xbb\xbf{"a": "1"}\n\n   \n{"a": "2"}')
    assert read(path).column("a") == ["1", "2"]
    path = tmp_path / "gb.jsonl"
    _write_jsonl(path, [{"姓名": "王五"}], encoding="gb18030")
    assert read(path).rows == [{"姓名": "王五"}]


def test_type_change_and_late_keys_across_pieces(tmp_path, read, monkeypatch):
    monkeypatch.setattr(jsonl_module, "JSON_CHUNK_BYTES", 256)
    objects = [{"id": i, "phone": 13800138000 + i} for i in range(40)]
    objects += [{"id": "A-1", "phone": "+86 139 1234 5678", "late": {"key": "v"}}]
    objects += [{"id": i, "phone": None} for i in range(3)]
    path = tmp_path / "drift.jsonl"
    _write_jsonl(path, objects)
    result = read(path, batch_rows=16)
    assert result.columns_before == ["id", "phone"]
    assert result.table.columns == ["id", "phone", "late.key"]  # surfaced when it appeared
    assert result.column("id") == [str(i) for i in range(40)] + ["A-1", "0", "1", "2"]
    assert result.column("phone")[:2] == ["13800138000", "13800138001"]
    assert result.column("late.key") == [None] * 40 + ["v", None, None, None]


def test_type_change_within_a_piece(tmp_path, read):
    path = tmp_path / "mixed.jsonl"
    _write_jsonl(path, [{"v": 1}, {"v": "text"}, {"v": {"x": 1}}, {"v": [1, "a"]}, {"v": False}])
    result = read(path)
    assert result.table.columns == ["v", "v.x"]
    assert result.column("v") == ["1", "text", None, "1\na", "false"]
    assert result.column("v.x") == [None, None, "1", None, None]


def test_big_integers_keep_every_digit(tmp_path, read):
    path = tmp_path / "big.jsonl"
    path.write_text(
        '{"card": 6222021234567890123, "n": 12345678901234567890123, "f": 13800138000.0}\n',
        encoding="utf-8",
    )
    assert read(path).rows == [
        {"card": "6222021234567890123", "n": "12345678901234567890123", "f": "13800138000"}
    ]


def test_key_collision_after_flattening(tmp_path, read):
    path = tmp_path / "clash.jsonl"
    path.write_text('{"a.b": "literal", "a": {"b": "nested"}}\n', encoding="utf-8")
    result = read(path)
    assert result.table.columns == ["a.b", "a.b_2"]
    assert result.rows == [{"a.b": "literal", "a.b_2": "nested"}]


def test_invalid_line_reports_its_number(tmp_path, ref, one_line):
    path = tmp_path / "bad.jsonl"
    path.write_text('{"a": 1}\n\n{"a": 2}\n{"a": 13800138000, oops}\n', encoding="utf-8")
    with pytest.raises(SourceError) as info:
        for table in open_source(ref(path)):
            list(table.batches)
    message = str(info.value)
    one_line(message)
    assert "line 4" in message
    assert "13800138000" not in message


def test_non_object_line(tmp_path, ref):
    path = tmp_path / "arr.jsonl"
    path.write_text('{"a": 1}\n[1, 2]\n', encoding="utf-8")
    with pytest.raises(SourceError, match="line 2: not a JSON object"):
        for table in open_source(ref(path)):
            list(table.batches)


@pytest.mark.parametrize(
    "content", ['[{"a": 1}, {"a": 2}]', '  \n[\n {"a": 1},\n{"a": 2}]\n', '{\n  "a": [1, 2]\n}\n']
)
def test_json_documents_in_json_files_are_read(tmp_path, read, content):
    """A .json document is not JSON Lines: the jsondoc reader takes it (tests in
    test_sources_json.py); the same rows come back whatever the layout."""
    path = tmp_path / "doc.json"
    path.write_text(content, encoding="utf-8")
    result = read(path)
    assert result.table.columns == ["a"]
    assert result.column("a") == ["1", "2"]


def test_max_rows_with_multiple_pieces(tmp_path, read, monkeypatch):
    monkeypatch.setattr(jsonl_module, "JSON_CHUNK_BYTES", 300)
    path = tmp_path / "many.jsonl"
    _write_jsonl(path, [{"i": i} for i in range(500)])
    result = read(path, max_rows=123, batch_rows=50)
    assert result.column("i") == [str(i) for i in range(123)]
    assert max(b.num_rows for b in result.batches) <= 50
