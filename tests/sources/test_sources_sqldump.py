"""SQL dumps: the fixtures made by the real mysqldump and pg_dump (tests/fixtures/sql), a live
round trip when the servers are installed, and the syntax corners of the parser."""

from __future__ import annotations

import json
import shutil

import pytest
from conftest import FIXTURES, make_dumps, ref_for

from pii_scan.sources import SourceError, open_source
from pii_scan.sources import sqldump as sqldump_module

SQL = FIXTURES / "sql"
SHOP = ["id", "姓名", "身份证号", "手机号", "email", "地址", "备注", "photo", "created"]
ORDERS = ["order_id", "customer_id", "amount", "收货电话", "ip"]


def _expected_customers(postgres: bool) -> list[dict]:
    out = []
    for row in make_dumps.customers():
        photo = row["photo"]
        try:
            photo_text = photo.decode("utf-8") if photo is not None else None
        except UnicodeDecodeError:
            photo_text = None  # binary that is not text: null, as in the other readers
        item = {
            "id": str(row["id"]),
            **{c: row[c] for c in ("姓名", "身份证号", "手机号", "email", "地址")},
            "备注": row["备注"],
            "photo": photo_text,
            "created": f"{row['created']:%Y-%m-%d %H:%M:%S}",
        }
        if postgres:
            i = row["id"]
            item["tags"] = f"vip\n{make_dumps.STREETS[i % 3][:3]}" if i % 2 else None
            item["profile"] = f'{{"phone": "1390000{i:04d}"}}'
        out.append(item)
    return out


def _shop(tables: dict) -> dict:
    """``tables`` by their bare names. The MySQL dumps are made with ``--databases shop``
    (``USE `shop```), so every one of their tables must be named ``shop.…``."""
    if not any(name.startswith("shop.") for name in tables):
        return tables
    assert all(name.startswith("shop.") for name in tables), list(tables)
    return {name.removeprefix("shop."): table for name, table in tables.items()}


def _check_dump(tables) -> None:
    postgres = "tags" in tables["客户"].table.columns
    assert tables["客户"].table.columns == SHOP + (["tags", "profile"] if postgres else [])
    assert tables["客户"].rows == _expected_customers(postgres)
    assert tables["orders"].table.columns == ORDERS
    orders = tables["orders"].rows
    assert len(orders) == 25
    assert orders[0] == {
        "order_id": "1001",
        "customer_id": "1",
        "amount": "10.50",
        "收货电话": "14000104729",
        "ip": "10.1.3.1",
    }
    assert tables["empty_table"].table.columns == ["id", "note"]
    assert tables["empty_table"].rows == []


@pytest.mark.parametrize(
    "name",
    [
        "mysql_extended.sql",
        "mysql_hexblob_complete.sql",
        "mysql_rowwise_compact.sql",
        "pg_copy.sql",
        "pg_inserts.sql",
        "pg_column_inserts.sql",
    ],
)
def test_dumps_made_by_the_real_tools(read_all, name):
    tables = _shop(read_all(SQL / name, batch_rows=7))
    assert set(tables) == {"客户", "orders", "empty_table"}
    _check_dump(tables)


def test_table_order_follows_the_data(read_all):
    assert list(read_all(SQL / "mysql_extended.sql")) == [
        "shop.orders",
        "shop.客户",
        "shop.empty_table",
    ]
    assert list(read_all(SQL / "pg_copy.sql")) == ["empty_table", "orders", "客户"]


@pytest.mark.skipif(
    not make_dumps.tools_available(make_dumps.MYSQL_TOOLS), reason="needs Debian's mariadb-server"
)
def test_live_round_trip_through_mariadb(tmp_path, read_all):
    """Dumps made now by the installed MariaDB parse to the same tables as the fixtures."""
    written = make_dumps.make_mysql_dumps(tmp_path)
    assert len(written) == 3
    for path in written:
        _check_dump(_shop(read_all(path)))


@pytest.mark.skipif(
    not make_dumps.tools_available(make_dumps.PG_TOOLS), reason="needs Debian's postgresql"
)
def test_live_round_trip_through_postgresql(tmp_path, read_all):
    """Dumps made now by the installed PostgreSQL parse to the same tables as the fixtures."""
    written = make_dumps.make_pg_dumps(tmp_path)
    assert len(written) == 3
    for path in written:
        _check_dump(_shop(read_all(path)))


@pytest.mark.parametrize("max_rows", [0, 3, 30])
def test_sampling_skips_rows_but_keeps_every_table(read_all, max_rows):
    for name in ("mysql_extended.sql", "pg_copy.sql", "pg_inserts.sql"):
        tables = _shop(read_all(SQL / name, max_rows=max_rows))
        assert set(tables) == {"客户", "orders", "empty_table"}
        assert len(tables["客户"].rows) == min(max_rows, 40)
        assert len(tables["orders"].rows) == min(max_rows, 25)


def _sql(tmp_path, text: str, name: str = "dump.sql", encoding: str = "utf-8"):
    path = tmp_path / name
    path.write_bytes(text.encode(encoding))
    return path


def test_mysql_literals(tmp_path, read_all):
    path = _sql(
        tmp_path,
        "-- MySQL dump 10.13\n"
        "/*!40101 SET NAMES utf8mb4 */;\n"
        "CREATE TABLE `t` (\n  `a` text,\n  `b` varchar(10),\n  KEY `k` (`a`(3)),\n"
        "  CONSTRAINT `c` FOREIGN KEY (`b`) REFERENCES `x` (`y`)\n) ENGINE=InnoDB;\n"
        "# a comment; with a semicolon\n"
        "INSERT INTO `t` VALUES ('it\\'s \\\"q\\\" a\\\\b\\n\\t\\0\\Z end','x'),"
        "('doubled '' quote',NULL),(0x3133383030313338303030,X'e5bca0'),"
        "(_binary 'bin;ary',_utf8mb4'中文' COLLATE utf8mb4_bin),(-1.5e3,b'0101'),"
        "(TRUE,DEFAULT),(CONVERT('转换' USING utf8mb4),NOW()),"
        "(0xFFFE,'with ; semicolon /* not a comment */ -- nor this')"
        " ON DUPLICATE KEY UPDATE a=VALUES(a);\n"
        "REPLACE INTO `t` (`b`, `a`) VALUES ('B','A');\n"
        "INSERT IGNORE INTO `t` VALUES ('last','row');\n",
    )
    t = read_all(path)["t"]
    assert t.table.columns == ["a", "b"]
    assert t.rows == [
        {"a": 'it\'s "q" a\\b\n\t\0\x1a end', "b": "x"},
        {"a": "doubled ' quote", "b": None},
        {"a": "13800138000", "b": "张"},
        {"a": "bin;ary", "b": "中文"},
        {"a": "-1.5e3", "b": "0101"},
        {"a": "true", "b": None},
        {"a": "转换", "b": "NOW()"},
        {"a": None, "b": "with ; semicolon /* not a comment */ -- nor this"},
        {"a": "A", "b": "B"},
        {"a": "last", "b": "row"},
    ]


def test_mysql_raw_binary_bytes_do_not_fail_the_dump(tmp_path, read_all):
    path = tmp_path / "raw.sql"
    path.write_bytes(
        b"-- MySQL dump\nCREATE TABLE `t` (`p` blob, `n` varchar(9));\n"
        b"INSERT INTO `t` VALUES ('\xff\xfe\\0\\'x','\xe5\xbc\xa0\xe4\xb8\x89'),('ok','b');\n"
    )
    assert read_all(path)["t"].rows == [{"p": None, "n": "张三"}, {"p": "ok", "n": "b"}]


def test_postgres_syntax(tmp_path, read_all):
    path = _sql(
        tmp_path,
        "\\restrict abc123\n"
        "-- PostgreSQL database dump\n"
        "SET standard_conforming_strings = on;\n"
        "CREATE FUNCTION f() RETURNS trigger AS $body$ BEGIN; RAISE 'x;y'; END; $body$"
        " LANGUAGE plpgsql;\n"
        'CREATE TABLE sales."订单" (\n    id integer NOT NULL,\n    "备""注" text,\n'
        "    data bytea,\n    tags text[]\n);\n"
        "COMMENT ON TABLE sales.\"订单\" IS 'has ; and '' quote';\n"
        'COPY sales."订单" (id, "备""注", data, tags) FROM stdin;\n'
        '1\ttab\\there\\nnew\\\\slash \\101\\x42\t\\\\x7a68\t{a,"b c",NULL}\n'
        "2\t\\N\t\\N\t\\N\n"
        "\\.\n"
        "INSERT INTO sales.\"订单\" VALUES (3, E'e\\nscape\\x41', '\\x00ff', '{}');\n"
        "INSERT INTO sales.\"订单\" (id, \"备\"\"注\") VALUES (4, 'c:\\dir'), (5, 'it''s');\n"
        "\\unrestrict abc123\n",
    )
    t = read_all(path)["sales.订单"]
    assert t.table.columns == ["id", '备"注', "data", "tags"]
    assert t.rows == [
        {"id": "1", '备"注': "tab\there\nnew\\slash AB", "data": "zh", "tags": "a\nb c"},
        {"id": "2", '备"注': None, "data": None, "tags": None},
        {"id": "3", '备"注': "e\nscapeA", "data": None, "tags": None},
        {"id": "4", '备"注': "c:\\dir", "data": None, "tags": None},
        {"id": "5", '备"注': "it's", "data": None, "tags": None},
    ]


def test_postgres_columns_named_like_constraint_words(tmp_path, read_all):
    # pg_dump leaves non-reserved words unquoted: key, index, period, check are columns here
    path = _sql(
        tmp_path,
        "-- PostgreSQL database dump\n"
        "CREATE TABLE public.members (\n    index integer,\n    key text NOT NULL,\n"
        "    period character varying(8),\n    name text,\n    phone text,\n"
        "    CONSTRAINT members_pk PRIMARY KEY (index),\n    CHECK (index > 0)\n);\n"
        "INSERT INTO public.members VALUES (1, 'k', '2024Q1', '张伟', '13800138000');\n",
    )
    t = read_all(path)["members"]  # the default schema is left out
    assert t.table.columns == ["index", "key", "period", "name", "phone"]
    assert t.rows[0]["name"] == "张伟" and t.rows[0]["phone"] == "13800138000"


def test_mysqldump_with_crlf_line_ends(tmp_path, read_all, monkeypatch):
    from pii_scan.sources import sqldump

    # Each INSERT ends its own line: one statement never reads on to the end of the dump
    # (with CRLF it did, and a dump larger than the statement limit failed).
    monkeypatch.setattr(sqldump, "MAX_STATEMENT_CHARS", 400)
    inserts = "".join(
        f"INSERT INTO `t` VALUES ('张{i}','138001380{i:02d}'),('李{i}','139123456{i:02d}');\n"
        for i in range(20)
    )
    text = (
        "-- MySQL dump 10.13\n"
        "CREATE TABLE `t` (\n  `name` varchar(20),\n  `phone` varchar(20)\n);\n" + inserts
    )
    t = read_all(_sql(tmp_path, text.replace("\n", "\r\n")))["t"]
    assert len(t.rows) == 40
    assert t.rows[-1] == {"name": "李19", "phone": "13912345619"}


def test_insert_without_create_table(tmp_path, read_all):
    path = _sql(tmp_path, "INSERT INTO people VALUES ('张三', '13800138000'), ('李四', NULL);\n")
    t = read_all(path)["people"]
    assert t.table.columns == ["column_1", "column_2"]
    assert t.rows == [
        {"column_1": "张三", "column_2": "13800138000"},
        {"column_1": "李四", "column_2": None},
    ]


def test_declared_gbk_encoding(tmp_path, read_all):
    text = (
        "-- MySQL dump\n/*!40101 SET NAMES gbk */;\n"
        "CREATE TABLE `客户` (`姓名` varchar(9));\nINSERT INTO `客户` VALUES ('张三');\n"
    )
    path = _sql(tmp_path, text, encoding="gbk")
    t = read_all(path)["客户"]
    assert t.rows == [{"姓名": "张三"}]
    assert t.table.encoding == "gb18030"


def test_forced_encoding_that_cannot_decode_the_names(tmp_path, read_all):
    """``--encoding ascii`` on a UTF-8 dump: identifiers come out as the UTF-8 they are (they
    used to keep surrogate escapes, which no report could be written with)."""
    text = (
        "-- MySQL dump\n"
        "CREATE TABLE `客户` (`姓名` varchar(9));\nINSERT INTO `客户` VALUES ('张三');\n"
    )
    tables = read_all(_sql(tmp_path, text), encoding="ascii")
    assert list(tables) == ["客户"]
    assert tables["客户"].table.columns == ["姓名"]


def test_statements_split_across_reads(tmp_path, read_all, monkeypatch):
    monkeypatch.setattr(sqldump_module, "READ_BYTES", 7)
    for name in ("mysql_extended.sql", "pg_copy.sql", "pg_column_inserts.sql"):
        path = tmp_path / name
        shutil.copy(SQL / name, path)
        _check_dump(_shop(read_all(path, batch_rows=5)))


def test_all_databases_keep_tables_of_one_name_apart(tmp_path):
    # mysqldump --all-databases: each database's tables follow its USE statement.
    create = "CREATE TABLE `users` (\n  `id` int,\n  `{col}` varchar(20)\n);\n"
    path = _sql(
        tmp_path,
        "-- MySQL dump 10.13\n"
        "CREATE DATABASE /*!32312 IF NOT EXISTS*/ `crm`;\nUSE `crm`;\n"
        + create.format(col="手机号")
        + "INSERT INTO `users` VALUES (1,'13800138000');\n"
        "CREATE DATABASE `shop`;\nUSE `shop`;\n"
        + create.format(col="email")
        + "INSERT INTO `users` VALUES (1,'a@example.com');\n"
        "INSERT INTO `crm`.`users` VALUES (2,'13912345678');\n",
    )
    read = [
        (t.name, t.columns, [r for b in t.batches for r in b.to_pylist()])
        for t in open_source(ref_for(path))
    ]
    assert read == [
        ("crm.users", ["id", "手机号"], [{"id": "1", "手机号": "13800138000"}]),
        ("shop.users", ["id", "email"], [{"id": "1", "email": "a@example.com"}]),
        ("crm.users", ["id", "手机号"], [{"id": "2", "手机号": "13912345678"}]),
    ]


def test_a_table_in_two_runs_appears_twice(tmp_path, read_all):
    path = _sql(
        tmp_path,
        "INSERT INTO a VALUES (1);\nINSERT INTO b VALUES (2);\nINSERT INTO a VALUES (3);\n",
    )
    names = []
    for table in open_source(ref_for(path)):
        names.append((table.name, [r for b in table.batches for r in b.to_pylist()]))
    assert names == [
        ("a", [{"column_1": "1"}]),
        ("b", [{"column_1": "2"}]),
        ("a", [{"column_1": "3"}]),
    ]


@pytest.mark.parametrize(
    ("text", "message"),
    [
        ("INSERT INTO t VALUES ('never closed);\n", "unterminated string"),
        ("INSERT INTO t VALUES (1, 2;\n", "unterminated value list"),
        ("INSERT INTO t VALUES (1) (2);\n", None),
    ],
)
def test_broken_statements(tmp_path, ref, one_line, text, message):
    path = _sql(tmp_path, text)
    if message is None:  # what follows the last tuple is ignored (ON DUPLICATE KEY ...)
        (table,) = open_source(ref(path))
        assert [r for b in table.batches for r in b.to_pylist()] == [{"column_1": "1"}]
        return
    with pytest.raises(SourceError) as info:
        for table in open_source(ref(path)):
            list(table.batches)
    one_line(str(info.value))
    assert message in str(info.value)


def test_statement_size_limit(tmp_path, ref, monkeypatch):
    monkeypatch.setattr(sqldump_module, "MAX_STATEMENT_CHARS", 1000)
    monkeypatch.setattr(sqldump_module, "READ_BYTES", 100)
    path = _sql(tmp_path, "INSERT INTO t VALUES " + ",".join(["('x')"] * 1000) + ";\n")
    with pytest.raises(SourceError, match="longer than"):
        for table in open_source(ref(path)):
            list(table.batches)


def test_custom_format_archive_is_explained(tmp_path, ref):
    path = tmp_path / "shop.sql"
    path.write_bytes(b"PGDMP\x01\x0e\x00\x04\x08\x01\x01\x01\x00\x00\x00")
    with pytest.raises(SourceError, match="--format=plain"):
        list(open_source(ref(path)))


def test_a_table_whose_inserts_are_split_is_one_table_numbered_on(tmp_path):
    # mysqldump --skip-extended-insert with interleaved tables, or a hand-merged dump
    from pii_scan.scan import ScanOptions, scan_paths

    dump = tmp_path / "split.sql"
    dump.write_text(
        "CREATE TABLE `a` (`phone` varchar(11));\n"
        "INSERT INTO `a` VALUES ('13800138000'),('13912345678');\n"
        "INSERT INTO `b` VALUES (1);\n"
        "INSERT INTO `a` VALUES ('13712345670');\n",
        encoding="utf-8",
    )
    found: list[str] = []

    class Lines:
        def write(self, text):
            found.extend(line for line in text.splitlines() if line)

    report = scan_paths([str(dump)], ScanOptions(sample_rows=0), findings=Lines())
    tables = report["sources"][0]["tables"]
    assert [(t["name"], t["rows_scanned"]) for t in tables] == [("a", 3), ("b", 1)]
    assert tables[0]["columns"][0]["entities"] == {"CN_MOBILE_PHONE": 3}
    rows = [json.loads(line)["row"] for line in found if json.loads(line)["table"] == "a"]
    assert rows == [0, 1, 2]
