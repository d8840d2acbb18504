"""Shared data for the report tests: a frozen scan report of samples/ and reviewed decisions.

``fixtures/samples_report.json`` is ``pii-scan scan samples/ --format json`` with the
timestamps and tool version normalised, so that the golden files do not move when the clock,
the version or another part of the scanner changes. Regenerate it and every golden file with

    PII_SCAN_UPDATE_GOLDEN=1 .venv/bin/pytest tests/report

(then review the diff of tests/report/golden/ before committing).
"""

from __future__ import annotations

import copy
import datetime as dt
import os
from pathlib import Path

HERE = Path(__file__).resolve().parent
ROOT = HERE.parents[1]
FIXTURES = HERE / "fixtures"
GOLDEN = HERE / "golden"
REPORT = FIXTURES / "samples_report.json"
DECISIONS = FIXTURES / "decisions.toml"
UPDATE = os.environ.get("PII_SCAN_UPDATE_GOLDEN") == "1"
SCAN_DATE = dt.date(2026, 1, 15)
XSS = "<script>alert(1)</script>"


def normalise(report: dict) -> dict:
    """Fixed timestamps and version: what changes between runs but not between reports."""
    report["scanned_at"] = f"{SCAN_DATE.isoformat()}T00:00:00+00:00"
    report["scan_date"] = SCAN_DATE.isoformat()
    report["tool"] = {"name": "pii-scan", "version": "0.0.0-golden"}
    return report


def scan_samples() -> dict:
    from pii_scan.scan import ScanOptions, scan_paths

    cwd = os.getcwd()
    os.chdir(ROOT)  # paths in the report are relative: samples/...
    try:
        report = scan_paths(["samples"], ScanOptions(today=SCAN_DATE))
    finally:
        os.chdir(cwd)
    return normalise(report)


def with_xss(report: dict) -> dict:
    """A copy of ``report`` with markup in every kind of value that comes from the data."""
    from pii_scan.report.inventory import finalize

    report = copy.deepcopy(report)
    column = {
        "name": XSS,
        "entity": "CN_MOBILE_PHONE",
        "tier": "general",
        "tiers": {"gbt35273": "general", "gbt45574": "general", "gdpr": "general"},
        "category": "basic",
        "confidence": 0.99,
        "match_ratio": 1.0,
        "entities": {"CN_MOBILE_PHONE": 2},
        "evidence": {
            "reason": XSS,
            "rule": "strong_matches",
            "examples": [XSS, "138****8000"],
            "recognizers": [
                {
                    "id": XSS,
                    "entity": "CN_MOBILE_PHONE",
                    "validator": None,
                    "cells": 2,
                    "strong_cells": 2,
                    "context_cells": 0,
                    "column_name": False,
                }
            ],
            "fingerprint": XSS,
        },
    }
    report["sources"].append(
        {
            "path": f"xss/<img src=x onerror=alert(2)>{XSS}.csv",
            "format": "csv",
            "status": "ok",
            "tables": [{"name": XSS, "rows_scanned": 2, "columns": [column]}],
        }
    )
    report["errors"].append({"path": f"xss/{XSS}.parquet", "error": f"bad file {XSS}"})
    return finalize(report)
