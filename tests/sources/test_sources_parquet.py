"""Parquet reading: flattened structs and typed columns turned into text."""

from __future__ import annotations

import datetime as dt
import decimal

import pyarrow as pa
import pyarrow.parquet as pq
import pytest

from pii_scan.sources.strings import to_string_array


def _typed_table() -> pa.Table:
    return pa.table(
        {
            "id": pa.array([1, None, -3], pa.int64()),
            "person": pa.array(
                [
                    {"name": "张三", "contact": {"phone": "13800138000"}},
                    None,
                    {"name": "李四", "contact": None},
                ],
                pa.struct(
                    [("name", pa.string()), ("contact", pa.struct([("phone", pa.string())]))]
                ),
            ),
            "seen": pa.array(
                [dt.datetime(2024, 1, 2, 3, 4, 5), None, dt.datetime(1999, 12, 31, 23, 59, 59)],
                pa.timestamp("s"),
            ),
            "born": pa.array([dt.date(1990, 3, 7), None, None], pa.date32()),
            "blob": pa.array([b"ok", b"\xff\xfe", None], pa.binary()),
            "phone_float": pa.array([13800138000.0, float("nan"), 0.25], pa.float64()),
            "amount": pa.array(
                [decimal.Decimal("12.50"), None, decimal.Decimal("-1.00")], pa.decimal128(10, 2)
            ),
            "tags": pa.array([["a", "b"], [], None], pa.list_(pa.string())),
            "city": pa.array(["北京", "上海", "北京"]).dictionary_encode(),
            "big": pa.array(["x", None, "z"], pa.large_string()),
            "flag": pa.array([True, False, None]),
        }
    )


def test_typed_columns_become_text(tmp_path, read):
    path = tmp_path / "customers.parquet"
    pq.write_table(_typed_table(), path)
    result = read(path)
    assert result.table.name == "customers"
    assert result.columns_before == [
        "id",
        "person.name",
        "person.contact.phone",
        "seen",
        "born",
        "blob",
        "phone_float",
        "amount",
        "tags",
        "city",
        "big",
        "flag",
    ]
    assert result.rows[0] == {
        "id": "1",
        "person.name": "张三",
        "person.contact.phone": "13800138000",
        "seen": "2024-01-02T03:04:05.000",  # Parquet stores seconds as ms
        "born": "1990-03-07",
        "blob": "ok",
        "phone_float": "13800138000",
        "amount": "12.50",
        "tags": "a\nb",  # list values joined by newlines
        "city": "北京",
        "big": "x",
        "flag": "true",
    }
    second, third = result.rows[1], result.rows[2]
    assert second["person.name"] is None and second["person.contact.phone"] is None
    assert second["blob"] is None  # not UTF-8: null, not a crash
    assert second["phone_float"] is None  # NaN
    assert second["tags"] is None  # an empty list has no value
    assert third["id"] == "-3" and third["person.contact.phone"] is None
    assert third["phone_float"] == "0.25"


def test_timezone_aware_timestamp(tmp_path, read):
    path = tmp_path / "tz.pq"
    ts = pa.array([dt.datetime(2024, 1, 2, 3, 4, 5)], pa.timestamp("ms", tz="UTC"))
    pq.write_table(pa.table({"t": ts}), path)
    value = read(path).rows[0]["t"]
    assert value.startswith("2024-01-02T03:04:05")


def test_row_groups_batches_and_cap(tmp_path, read):
    path = tmp_path / "groups.parquet"
    pq.write_table(pa.table({"n": list(range(1000))}), path, row_group_size=128)
    result = read(path, batch_rows=100)
    assert result.column("n") == [str(i) for i in range(1000)]
    capped = read(path, batch_rows=100, max_rows=250)
    assert capped.column("n") == [str(i) for i in range(250)]


@pytest.mark.parametrize(
    ("array", "expected"),
    [
        (pa.array([1.0, 1e20, 0.1, None, float("inf")]), ["1", "1e+20", "0.1", None, "inf"]),
        (pa.array([1.5], pa.float32()), ["1.5"]),
        (pa.array([b"\xe5\xbc\xa0", b"\x80"], pa.large_binary()), ["张", None]),
        (pa.array([None, None], pa.null()), [None, None]),
        (pa.array([{"k": 1}], pa.map_(pa.string(), pa.int64())), ['[["k",1]]']),
        (pa.array([dt.timedelta(seconds=5)]), ["0:00:05"]),
    ],
)
def test_to_string_array(array, expected):
    out = to_string_array(array)
    assert out.type == pa.string()
    assert out.to_pylist() == expected
