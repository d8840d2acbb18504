"""Report writers and the report / explain commands, beyond the golden files."""

from __future__ import annotations

import csv
import io
import json
import re

import pytest
from clirun import run
from report_data import ROOT, XSS, with_xss

from pii_scan.report.html import to_html
from pii_scan.report.markdown import to_markdown
from pii_scan.report.writers import to_csv


def test_html_escapes_every_value_from_the_data(reviewed_report):
    page = to_html(with_xss(reviewed_report))
    assert XSS not in page and "<img" not in page
    assert "&lt;script&gt;alert(1)&lt;/script&gt;" in page
    assert page.count("<script>") == 1  # ours, allowed by its hash in the CSP


def test_html_is_self_contained(reviewed_report):
    page = to_html(reviewed_report)
    assert "Content-Security-Policy" in page and "default-src &#x27;none&#x27;" in page
    for needle in ("<link", "src=", "@import", "url(", "https://"):
        assert needle not in page
    assert re.findall(r"http://[^\"' ]+", page) == ["http://www.w3.org/2000/svg"] * 3


def test_markdown_and_csv_keep_markup_as_text(reviewed_report):
    report = with_xss(reviewed_report)
    md = to_markdown(report)
    assert XSS not in md and "&lt;script&gt;alert(1)&lt;/script&gt;" in md
    rows = list(csv.DictReader(io.StringIO(to_csv(report))))
    assert any(r["column"] == XSS for r in rows)  # CSV holds the raw text, quoted
    assert any(r["record"] == "error" and XSS in r["detail"] for r in rows)


def test_evidence_fields_are_complete(samples_report):
    cols = {
        (t["name"], c["name"]): c
        for s in samples_report["sources"]
        for t in s["tables"]
        for c in t["columns"]
    }
    ev = cols[("customers", "身份证号")]["evidence"]
    for key in (
        "reason",
        "rule",
        "recognizers",
        "match_ratio",
        "validated_ratio",
        "distinct_ratio",
        "null_ratio",
        "examples",
        "thresholds",
        "fingerprint",
    ):
        assert key in ev, key
    assert ev["rule"] == "strong_matches" and ev["validated_ratio"] == 1.0
    assert {r["id"] for r in ev["recognizers"]} >= {"cn_resident_id"}
    assert all(r["column_name"] for r in ev["recognizers"])
    assert 1 <= len(ev["examples"]) <= 3 and all("*" in x for x in ev["examples"])
    assert set(ev["thresholds"]) == {"min_finding_score", "strong_min_cells", "weak_min_ratio"}
    none = cols[("devices", "device.os")]["evidence"]
    assert none["rule"] is None and none["distinct_ratio"] < 0.5


def test_individuals_and_thresholds_never_hold_values(samples_report):
    text = json.dumps(samples_report, ensure_ascii=False)
    customers = (ROOT / "samples" / "customers.csv").read_text(encoding="utf-8").splitlines()
    first_id = customers[1].split(",")[2]
    assert first_id not in text
    ind = samples_report["individuals"]
    assert ind["estimate"] >= 200 and ind["upper_bound"] >= ind["estimate"]
    rules = {r["id"]: r for r in samples_report["pipl_thresholds"]["rules"]}
    assert rules["cbdf-art8-scc-sensitive"]["applies"]
    assert not rules["cbdf-art7-assessment-pi"]["applies"]


@pytest.mark.parametrize(
    ("ext", "marker"),
    [(".html", "<!DOCTYPE html>"), (".md", "# 个人信息清单"), (".csv", "record,path")],
)
def test_report_command_renders_by_extension(tmp_path, ext, marker):
    out = tmp_path / f"inventory{ext}"
    proc = run("report", str(ROOT / "tests/report/fixtures/samples_report.json"), "-o", str(out))
    assert proc.returncode == 0, proc.stderr
    assert out.read_text(encoding="utf-8").startswith(marker)


def test_report_command_applies_decisions_and_rejects_non_reports(tmp_path):
    fixture = ROOT / "tests/report/fixtures/samples_report.json"
    decisions = ROOT / "tests/report/fixtures/decisions.toml"
    proc = run("report", str(fixture), "--format", "md", "--decisions", str(decisions))
    assert proc.returncode == 0, proc.stderr
    assert "Reviewed decisions" in proc.stdout and "stale (missing): crm.remark" in proc.stderr
    bogus = tmp_path / "x.json"
    bogus.write_text('{"hello": 1}', encoding="utf-8")
    assert run("report", str(bogus)).returncode == 2


def test_explain_says_why(tmp_path):
    fixture = str(ROOT / "tests/report/fixtures/samples_report.json")
    proc = run("explain", fixture, "customers.身份证号")
    assert proc.returncode == 0, proc.stderr
    for needle in (
        "CN_RESIDENT_ID",
        "strong_matches",
        "cn_resident_id",
        "validator",
        "fingerprint",
        "minors",
    ):
        assert needle in proc.stdout
    dotted = run("explain", fixture, "--column", "devices.device.mac")
    assert dotted.returncode == 0 and "MAC_ADDRESS" in dotted.stdout
    assert run("explain", fixture, "nope.nothing").returncode == 2


@pytest.mark.parametrize("command", ["report", "explain", "tag"])
def test_new_commands_have_help_with_an_example(command):
    proc = run(command, "-h")
    assert proc.returncode == 0 and "Example" in proc.stdout
