"""The inventory as a person sees it: rendered by headless Chromium.

Chromium is driven through the DevTools protocol over a pipe (chromium_cdp.py: no websocket,
no driver, nothing downloaded). The test opens the HTML inventory of samples/ (with reviewed
decisions and a source full of markup), checks the DOM (tables, charts, filter, tier filter,
sorting), that the page made no network request and logged no error, that the markup shows
as text and never ran, and saves a full-page screenshot as a test artifact:
``tests/artifacts/inventory.png`` (or ``$PII_SCAN_ARTIFACTS/inventory.png``).

Needs the Debian packages ``chromium`` (and ``fonts-noto-cjk`` for readable Chinese in the
screenshot); skipped with a reason when no Chromium is installed.
"""

from __future__ import annotations

import copy
import os
from pathlib import Path

import pytest
from chromium_cdp import Browser, find_chromium
from report_data import DECISIONS, ROOT, XSS, with_xss

from pii_scan.report.html import to_html

CHROMIUM = find_chromium()
pytestmark = pytest.mark.skipif(
    CHROMIUM is None, reason="Chromium not installed (apt-get install chromium fonts-noto-cjk)"
)
ARTIFACTS = Path(os.environ.get("PII_SCAN_ARTIFACTS") or ROOT / "tests" / "artifacts")

ROWS = "document.querySelectorAll('#columns > tbody > tr.col')"
VISIBLE = f"Array.from({ROWS}).filter(r => !r.hidden).length"


@pytest.fixture(scope="module")
def page(tmp_path_factory, samples_report):
    """A browser showing the inventory; yields (browser, report)."""
    from pii_scan.decisions import apply, load_decisions

    report = apply(copy.deepcopy(samples_report), load_decisions(DECISIONS), file="decisions.toml")
    report = with_xss(report)
    html_file = tmp_path_factory.mktemp("inventory") / "inventory.html"
    html_file.write_text(to_html(report), encoding="utf-8")
    with Browser(CHROMIUM, width=1280, height=900) as browser:
        browser.open(html_file.as_uri())
        yield browser, report


def _columns(report):
    return [c for s in report["sources"] for t in s["tables"] for c in t["columns"]]


def test_the_page_renders_its_sections(page):
    browser, report = page
    assert browser.evaluate("document.title").startswith("个人信息清单")
    assert browser.evaluate(f"{ROWS}.length") == len(_columns(report))
    assert browser.evaluate("document.querySelectorAll('table.grid').length") >= 4
    assert browser.evaluate("document.querySelectorAll('svg.chart').length") == 3
    assert browser.evaluate("document.querySelectorAll('svg.chart rect').length") > 10
    assert browser.evaluate("document.querySelectorAll('.card').length") >= 8
    body = browser.evaluate("document.body.innerText")
    for text in ("个人身份信息", "Personal identity information", "第七条", "Reviewed decisions"):
        assert text in body


def test_the_filter_and_tier_filter_narrow_the_rows(page):
    browser, report = page
    total = len(_columns(report))
    travellers = sum(
        len(t["columns"])
        for s in report["sources"]
        for t in s["tables"]
        if "travellers" in s["path"]
    )
    browser.evaluate("document.getElementById('filter').focus()")
    browser.type_text("travellers")
    assert browser.evaluate(VISIBLE) == travellers
    assert browser.evaluate("document.getElementById('count').textContent") == (
        f"{travellers} / {total}"
    )
    browser.evaluate(
        "(() => { const f = document.getElementById('filter'); f.value = '';"
        " f.dispatchEvent(new Event('input')); })()"
    )
    assert browser.evaluate(VISIBLE) == total
    sensitive = sum(1 for c in _columns(report) if c["tier"] == "sensitive")
    browser.evaluate(
        "(() => { const s = document.getElementById('tier-filter'); s.value = 'sensitive';"
        " s.dispatchEvent(new Event('change')); })()"
    )
    assert browser.evaluate(VISIBLE) == sensitive
    browser.evaluate(
        "(() => { const s = document.getElementById('tier-filter'); s.value = '';"
        " s.dispatchEvent(new Event('change')); })()"
    )
    assert browser.evaluate(VISIBLE) == total


def test_clicking_a_header_sorts_the_rows(page):
    browser, report = page
    conf_header = "document.querySelectorAll('#columns > thead th')[6].querySelector('button')"
    browser.evaluate(f"{conf_header}.click()")
    browser.evaluate(f"{conf_header}.click()")  # second click: descending
    first = browser.evaluate(f"{ROWS}[0].cells[6].dataset.v")
    assert float(first) == max(c["confidence"] for c in _columns(report))
    assert (
        browser.evaluate("document.querySelectorAll('#columns > thead th')[6].ariaSort")
        == "descending"
    )


def test_markup_from_the_data_is_shown_as_text_and_never_runs(page):
    browser, _ = page
    body = browser.evaluate("document.body.innerText")
    assert XSS in body
    assert "<img src=x onerror=alert(2)>" in body
    assert browser.evaluate("document.querySelectorAll('script').length") == 1
    assert browser.evaluate("document.querySelectorAll('img').length") == 0
    browser.drain(0.3)
    assert not [p for p in browser.problems() if p.startswith("dialog")]


def test_no_console_errors_and_no_network(page):
    browser, _ = page
    browser.drain(0.3)
    assert browser.problems() == []
    urls = browser.evaluate("performance.getEntriesByType('resource').map(e => e.name)")
    assert urls == []


def test_evidence_opens_on_demand(page):
    browser, _ = page
    row = f"Array.from({ROWS}).find(r => r.cells[2].textContent === '身份证号')"
    evidence = f"document.getElementById({row}.querySelector('button.why')"
    evidence += ".getAttribute('aria-controls'))"
    assert browser.evaluate(f"{evidence}.hidden") is True
    browser.evaluate(f"{row}.querySelector('button.why').click()")
    assert browser.evaluate(f"{evidence}.hidden") is False
    text = browser.evaluate(f"{evidence}.innerText")
    for needle in ("strong_matches", "cn_resident_id", "min_finding_score", "********"):
        assert needle in text
    browser.evaluate(f"{row}.querySelector('button.why').click()")
    assert browser.evaluate(f"{evidence}.hidden") is True


def test_screenshot_is_saved_as_an_artifact(page):
    browser, _ = page
    browser.reload()  # as first opened: unsorted, unfiltered
    # Show one column's evidence, as a reviewer would, then photograph the whole page.
    browser.evaluate(
        f"Array.from({ROWS}).find(r => r.cells[2].textContent === '身份证号')"
        ".querySelector('button.why').click()"
    )
    path = browser.screenshot(ARTIFACTS / "inventory.png")
    data = path.read_bytes()
    assert data[:8] == b"\x89PNG\r\n\x1a\n" and len(data) > 50_000
    print(f"screenshot: {path}")
    browser.drain(0.2)
    assert browser.problems() == []
