"""Table and dataset rules behind the inventory: identifying combinations, distinct individuals
(exact, then HyperLogLog; values never stored), and the legal thresholds they reach."""

from __future__ import annotations

import datetime as dt

import numpy as np
import pyarrow as pa
import pytest
from click.testing import CliRunner

from pii_scan.classify.evidence import DistinctCounter, HyperLogLog, string_hashes
from pii_scan.cli import cli
from pii_scan.report.inventory import pipl_thresholds
from pii_scan.scan import ScanOptions, scan_paths, scan_table


def test_name_and_phone_in_one_table_are_an_identifying_combination():
    t = scan_table(pa.table({"姓名": ["A1", "B2"], "手机号": ["13800138000", "13912345678"]}))
    assert t["identifying"] is True
    (combo,) = t["combinations"]
    assert combo["id"] == "name+phone" and combo["columns"] == [["姓名"], ["手机号"]]
    assert combo["basis"] == "column name"  # "A1" is no name: the header is the evidence


def test_a_phone_alone_is_not_a_combination():
    t = scan_table(pa.table({"手机号": ["13800138000"], "备注": ["x"]}))
    assert "identifying" not in t and "combinations" not in t


def test_individuals_are_counted_once_whatever_the_writing():
    phones = ["13800138000", "+86 138 0013 8000", "138-0013-8000", "13912345678"]
    t = scan_table(pa.table({"手机号": phones}))
    ind = t["individuals"]
    assert ind["by_entity"] == {"CN_MOBILE_PHONE": 2}
    assert (ind["estimate"], ind["method"], ind["basis"]) == (2, "exact", "CN_MOBILE_PHONE")
    assert "13800138000" not in str(ind)


def test_a_person_in_two_tables_counts_once(tmp_path):
    (tmp_path / "a.csv").write_text("手机号\n13800138000\n13912345678\n", encoding="utf-8")
    (tmp_path / "b.csv").write_text("电话\n13800138000\n15012345678\n", encoding="utf-8")
    report = scan_paths([str(tmp_path)], ScanOptions(today=dt.date(2026, 1, 15)))
    ind = report["individuals"]
    assert ind["by_entity"] == {"CN_MOBILE_PHONE": 3}
    assert ind["estimate"] == 3 and ind["upper_bound"] == 3


def test_distinct_counter_is_exact_then_estimates_within_bounds():
    c = DistinctCounter(exact_limit=1000)
    for start in range(0, 20000, 5000):
        c.add(pa.array([f"id{i:07d}" for i in range(start, start + 5000)]))
        c.add(pa.array([f"id{i:07d}" for i in range(start, start + 100)]))  # repeats
    n, method = c.count()
    assert method == "hyperloglog" and abs(n - 20000) / 20000 < 0.05
    small = DistinctCounter(exact_limit=1000)
    small.add(pa.array(["a", "b", "a", None]))
    assert small.count() == (2, "exact")


def test_sketches_merge_like_a_union():
    a, b = HyperLogLog(12), HyperLogLog(12)
    a.add_hashes(string_hashes(pa.array([str(i) for i in range(3000)])))
    b.add_hashes(string_hashes(pa.array([str(i) for i in range(2000, 5000)])))
    a.merge(HyperLogLog.from_text(b.to_text()))
    assert abs(a.estimate() - 5000) / 5000 < 0.05
    assert len(np.unique(string_hashes(pa.array(["x" * i for i in range(200)])))) == 200


@pytest.mark.parametrize(
    ("individuals", "sensitive", "reached"),
    [
        (50, 0, {"cbdf-art5-exempt", "cbdf-art7-ciio"}),
        (50, 10, {"cbdf-art8-scc-sensitive", "cbdf-art7-ciio"}),
        (150_000, 0, {"cbdf-art8-scc-pi", "cbdf-art7-ciio"}),
        (
            2_000_000,
            20_000,
            {"cbdf-art7-assessment-pi", "cbdf-art7-assessment-sensitive", "cbdf-art7-ciio"},
        ),
        (12_000_000, 0, {"cbdf-art7-assessment-pi", "ndsmr-art28-important", "cbdf-art7-ciio"}),
    ],
)
def test_legal_thresholds(individuals, sensitive, reached):
    numbers = {
        "estimate": individuals,
        "upper_bound": individuals,
        "sensitive_estimate": sensitive,
        "sensitive_upper_bound": sensitive,
    }
    rules = pipl_thresholds(numbers)["rules"]
    assert {r["id"] for r in rules if r["applies"]} == reached
    assert all(r["basis"] and r["verification"] for r in rules)


def test_a_range_the_upper_bound_may_reach_is_flagged():
    numbers = {"estimate": 90_000, "upper_bound": 180_000, "sensitive_estimate": 0}
    rules = {r["id"]: r for r in pipl_thresholds(numbers)["rules"]}
    assert rules["cbdf-art5-exempt"]["applies"]
    assert rules["cbdf-art8-scc-pi"]["may_apply"] and not rules["cbdf-art8-scc-pi"]["applies"]


@pytest.mark.parametrize(("fmt", "marker"), [("html", "<!DOCTYPE html>"), ("md", "# 个人信息清单")])
def test_scan_writes_the_inventory_formats(fmt, marker, tmp_path):
    data = tmp_path / "c.csv"
    data.write_text("姓名,手机号\n张三,13800138000\n", encoding="utf-8")
    result = CliRunner().invoke(cli, ["scan", str(data), "--format", fmt])
    assert result.exit_code == 0, result.output
    assert result.stdout.startswith(marker) and "手机号" in result.stdout
