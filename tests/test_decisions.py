"""Reviewed decisions: overrides applied and listed, stale decisions flagged (never applied)."""

from __future__ import annotations

import datetime as dt
import json

import pytest
from clirun import run
from stdnum.iso7064 import mod_11_2

from pii_scan.decisions import DecisionsError, apply, parse_decisions
from pii_scan.scan import ScanOptions, scan_paths


def resident_id(body: str) -> str:
    return body + mod_11_2.calc_check_digit(body)


@pytest.fixture
def data(tmp_path):
    """orders.ref_no holds reference numbers that pass as resident IDs (the scanner says so);
    crm.remark holds free text the scanner does not flag."""
    ids = [resident_id(f"11010519900307{n:03d}") for n in range(1, 6)]
    (tmp_path / "orders.csv").write_text(
        "ref_no,amount\n" + "".join(f"{i},12.50\n" for i in ids), encoding="utf-8"
    )
    (tmp_path / "crm.csv").write_text(
        "customer,remark\n" + "".join(f"C{n},复诊 第{n}次\n" for n in range(5)), encoding="utf-8"
    )
    return tmp_path


def scan(path):
    return scan_paths([str(path)], ScanOptions(today=dt.date(2026, 1, 15)))


def column(report, table, name):
    for s in report["sources"]:
        for t in s["tables"]:
            if t["name"] == table:
                return next(c for c in t["columns"] if c["name"] == name)
    raise KeyError((table, name))


DECISIONS = """
version = 1
[columns]
"orders.ref_no" = "not personal"
"crm.remark" = "HEALTH"
"crm.gone_column" = "not personal"
"""


def test_overrides_are_applied_and_listed(data):
    report = scan(data)
    assert column(report, "orders", "ref_no")["entity"] == "CN_RESIDENT_ID"
    assert column(report, "crm", "remark")["tier"] is None
    apply(report, parse_decisions(DECISIONS, "d.toml"), file="d.toml")

    ref_no = column(report, "orders", "ref_no")
    assert (ref_no["entity"], ref_no["tier"], ref_no["category"]) == (None, None, None)
    assert set(ref_no["tiers"].values()) == {None}
    assert ref_no["decision"]["was"]["entity"] == "CN_RESIDENT_ID"

    remark = column(report, "crm", "remark")
    assert (remark["entity"], remark["tier"], remark["category"]) == (
        "HEALTH",
        "sensitive",
        "health",
    )
    assert remark["entity"] in remark["entities"]  # the contract's invariant holds

    applied = {(a["table"], a["column"]): a for a in report["decisions"]["applied"]}
    assert set(applied) == {("orders", "ref_no"), ("crm", "remark")}
    assert applied[("orders", "ref_no")]["was"]["tier"] == "sensitive"
    assert report["summary"]["columns_by_entity"] == {"HEALTH": 1}
    assert report["summary"]["highest_tier"] == "sensitive"


def test_a_decided_health_column_makes_body_metrics_sensitive_under_gbt45574(tmp_path):
    # gbt45574 tiers heights apart from other HEALTH: general alone, sensitive next to records
    (tmp_path / "visits.csv").write_text(
        "身高,remark\n" + "".join(f"17{n}cm,复诊 第{n}次\n" for n in range(5)), encoding="utf-8"
    )
    report = scan_paths([str(tmp_path)], ScanOptions(policy="gbt45574"))
    assert column(report, "visits", "身高")["tier"] == "general"
    apply(report, parse_decisions('version = 1\n[columns]\n"visits.remark" = "HEALTH"\n', "d"))
    height = column(report, "visits", "身高")
    assert height["tier"] == "sensitive" and height["tiers"]["gbt45574"] == "sensitive"
    assert height["evidence"]["sensitive_with"] == ["remark"]


def test_a_decision_whose_column_disappeared_is_flagged(data):
    report = apply(scan(data), parse_decisions(DECISIONS, "d.toml"))
    stale = report["decisions"]["stale"]
    assert [(s["decision"], s["status"]) for s in stale] == [("crm.gone_column", "missing")]


def test_a_decision_whose_column_changed_is_flagged_and_not_applied(data):
    report = scan(data)
    seen = column(report, "orders", "ref_no")["evidence"]["fingerprint"]
    reviewed = f"""
[[decision]]
column = "orders.ref_no"
verdict = "not personal"
reviewer = "li.lei"
fingerprint = "{seen}"
"""
    # Same data as at review time: applied.
    again = apply(scan(data), parse_decisions(reviewed))
    assert column(again, "orders", "ref_no")["entity"] is None
    assert again["decisions"]["stale"] == []

    # The column now holds phone numbers: the evidence changed, the pin must not hide them.
    (data / "orders.csv").write_text(
        "ref_no,amount\n" + "".join(f"1380013800{n},1\n" for n in range(5)), encoding="utf-8"
    )
    changed = apply(scan(data), parse_decisions(reviewed))
    assert column(changed, "orders", "ref_no")["entity"] == "CN_MOBILE_PHONE"
    (stale,) = changed["decisions"]["stale"]
    assert stale["status"] == "changed" and stale["fingerprint"] == seen
    assert stale["fingerprint_now"] != seen


def test_dotted_column_names_and_path_globs(tmp_path):
    (tmp_path / "dev.jsonl").write_text(
        json.dumps({"user": {"phone": "13800138000"}}) + "\n", encoding="utf-8"
    )
    report = scan(tmp_path)
    d = parse_decisions(
        '[[decision]]\ncolumn = "dev.user.phone"\nverdict = "not personal"\npath = "*dev.jsonl"\n'
    )
    apply(report, d)
    assert column(report, "dev", "user.phone")["entity"] is None


@pytest.mark.parametrize(
    "text",
    [
        '[columns]\n"a.b" = "NOT_AN_ENTITY"\n',
        '[[decision]]\nverdict = "HEALTH"\n',
        '[[decision]]\ncolumn = "a.b"\nverdict = "HEALTH"\ntier = "secret"\n',
        "[colums]\n",
        "not toml = = \n",
    ],
)
def test_malformed_decisions_are_rejected(text):
    with pytest.raises(DecisionsError):
        parse_decisions(text, "bad.toml")


def test_scan_with_decisions_lifts_the_gate_and_reports_stale(data, tmp_path_factory):
    decisions = tmp_path_factory.mktemp("d") / "decisions.toml"
    decisions.write_text(DECISIONS.replace('"crm.remark" = "HEALTH"\n', ""), encoding="utf-8")
    assert run("scan", str(data), "--fail-on", "sensitive").returncode == 3
    proc = run(
        "scan",
        str(data),
        "--fail-on",
        "sensitive",
        "--decisions",
        str(decisions),
        "--format",
        "json",
    )
    assert proc.returncode == 0, proc.stderr
    report = json.loads(proc.stdout)
    assert report["decisions"]["applied"][0]["decision"] == "orders.ref_no"
    assert "stale (missing): crm.gone_column" in proc.stderr
    bad = tmp_path_factory.mktemp("bad") / "bad.toml"
    bad.write_text('[columns]\n"a.b" = "WHATEVER"\n', encoding="utf-8")
    assert run("scan", str(data), "--decisions", str(bad)).returncode == 2
