"""Fixtures of the report tests (the data and its description are in report_data.py)."""

from __future__ import annotations

import copy
import json

import pytest
from report_data import DECISIONS, REPORT, UPDATE, scan_samples


@pytest.fixture(scope="session")
def samples_report() -> dict:
    """The frozen report of samples/ (rescanned and rewritten with PII_SCAN_UPDATE_GOLDEN=1)."""
    if UPDATE:
        report = scan_samples()
        REPORT.write_text(json.dumps(report, ensure_ascii=False, indent=1) + "\n", "utf-8")
    return json.loads(REPORT.read_text(encoding="utf-8"))


@pytest.fixture
def reviewed_report(samples_report) -> dict:
    """The samples report with fixtures/decisions.toml applied (a fresh copy per test)."""
    from pii_scan.decisions import apply, load_decisions

    report = copy.deepcopy(samples_report)
    return apply(report, load_decisions(DECISIONS), file="decisions.toml")
