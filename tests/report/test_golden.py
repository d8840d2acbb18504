"""Golden files: the inventory of samples/ (with reviewed decisions) in every report format.

A difference means the rendered inventory changed. If the change is intended, regenerate with
``PII_SCAN_UPDATE_GOLDEN=1 .venv/bin/pytest tests/report`` and review the diff of
``tests/report/golden/`` (conftest.py explains the frozen input report).
"""

from __future__ import annotations

import csv
import io

import pytest
from report_data import GOLDEN, UPDATE

from pii_scan.report.writers import WRITERS

FORMATS = {"html": "inventory.html", "md": "inventory.md", "csv": "inventory.csv"}


@pytest.mark.parametrize("fmt", sorted(FORMATS))
def test_inventory_matches_golden_file(fmt, reviewed_report):
    got = WRITERS[fmt](reviewed_report)
    path = GOLDEN / FORMATS[fmt]
    if UPDATE:
        path.write_text(got, encoding="utf-8")
    expected = path.read_text(encoding="utf-8")
    assert got == expected, f"{path.name} differs; see the module docstring to regenerate"


def test_golden_input_covers_what_the_inventory_shows(reviewed_report):
    """The frozen report exercises every section: PI columns, minors, combinations, decisions
    (applied and stale), individuals and thresholds."""
    tables = [t for s in reviewed_report["sources"] for t in s["tables"]]
    assert any(t.get("minors") for t in tables)
    assert any(t.get("identifying") for t in tables)
    assert reviewed_report["individuals"]["estimate"] > 0
    assert any(r["applies"] for r in reviewed_report["pipl_thresholds"]["rules"])
    d = reviewed_report["decisions"]
    assert d["applied"] and {s["status"] for s in d["stale"]} == {"missing", "changed"}


def test_the_three_formats_carry_the_same_columns(reviewed_report):
    columns = [
        (s["path"], t["name"], c["name"])
        for s in reviewed_report["sources"]
        for t in s["tables"]
        for c in t["columns"]
    ]
    html = WRITERS["html"](reviewed_report)
    md = WRITERS["md"](reviewed_report)
    rows = list(csv.DictReader(io.StringIO(WRITERS["csv"](reviewed_report))))
    csv_columns = [(r["path"], r["table"], r["column"]) for r in rows if r["record"] == "column"]
    assert csv_columns == columns
    for _, _table, column in columns:
        assert f"<td class='colname'>{column}</td>" in html
    assert md.count("\n| samples/") >= len(columns)
    for fmt_text in (html, md):
        for label in (
            "个人身份信息",
            "Personal identity information",
            "促进和规范数据跨境流动规定",
        ):
            assert label in fmt_text
    records = {r["record"] for r in rows}
    assert records == {"column", "table", "summary", "threshold", "decision"}
