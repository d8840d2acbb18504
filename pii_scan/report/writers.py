"""Report writers: JSON (the contract's report), CSV, HTML, Markdown, and the terminal table.

The CSV carries the inventory's content in one flat file. Its first field, ``record``, says
what a row is:

* ``column``: one per scanned column (the bulk of the file, first), with tier, category
  (key, zh, en), ratios, the rule that fired, recognizers, masked examples, decision;
* ``table``: one per table (``key`` rows_scanned, ``value`` the count), with individuals,
  minors and identifying combinations (``detail``);
* ``error``: a source that could not be read (``detail`` the reason);
* ``summary``: report-level facts as ``key``/``value`` (policy, catalog version, counts,
  individuals);
* ``threshold``: one per legal threshold (``key`` its id, ``value`` reached / may be reached
  / not reached, ``detail`` the duty and its basis);
* ``decision``: one per reviewed decision (``value`` applied / missing / changed).
"""

from __future__ import annotations

import csv
import io
import json
from typing import IO

from . import inventory as inv
from .html import to_html
from .markdown import to_markdown
from .terminal import render_table

CSV_FIELDS = (
    "record",
    "path",
    "format",
    "table",
    "column",
    "entity",
    "tier",
    "category",
    "category_zh",
    "category_en",
    "confidence",
    "match_ratio",
    "validated_ratio",
    "distinct_ratio",
    "null_ratio",
    "rule",
    "recognizers",
    "examples",
    "tiers",
    "entities",
    "minors",
    "identifying",
    "individuals",
    "decision",
    "fingerprint",
    "key",
    "value",
    "detail",
)


def to_json(report: dict) -> str:
    return json.dumps(report, ensure_ascii=False, indent=2) + "\n"


def write_json(report: dict, out: IO[str]) -> None:
    """:func:`to_json` written piece by piece: the report of 100,000 files is not built as
    one string (with its list of pieces, several times the size of the text) first."""
    json.dump(report, out, ensure_ascii=False, indent=2)
    out.write("\n")


def _j(value) -> str:
    return json.dumps(value, ensure_ascii=False, sort_keys=True)


def _status(rule: dict) -> str:
    if rule["applies"]:
        return "reached"
    return "may be reached" if rule["may_apply"] else "not reached"


def to_csv(report: dict) -> str:
    out = io.StringIO()
    w = csv.DictWriter(out, CSV_FIELDS, lineterminator="\n")
    w.writeheader()
    for r in inv.column_rows(report):
        d = r["decision"]
        w.writerow(
            {
                "record": "column",
                "path": r["path"],
                "format": r["format"],
                "table": r["table"],
                "column": r["column"],
                "entity": r["entity"],
                "tier": r["tier"] if r["entity"] else "",
                "category": r["category"],
                "category_zh": r["category_zh"],
                "category_en": r["category_en"],
                "confidence": r["confidence"],
                "match_ratio": r["match_ratio"],
                "validated_ratio": r["validated_ratio"],
                "distinct_ratio": r["distinct_ratio"],
                "null_ratio": r["null_ratio"],
                "rule": r["rule"],
                "recognizers": ";".join(
                    f"{x['id']}:{x['cells']}/{x['strong_cells']}/{x['context_cells']}"
                    for x in r["recognizers"]
                ),
                "examples": " | ".join(r["examples"]),
                "tiers": _j(r["tiers"]),
                "entities": _j(r["entities"]),
                "minors": r["minors"],
                "identifying": r["identifying"],
                "decision": f"{d['verdict']} ({d.get('reviewer', '')})" if d else "",
                "fingerprint": r["fingerprint"],
                "detail": r["reason"],
            }
        )
    for t in inv.table_rows(report):
        w.writerow(
            {
                "record": "table",
                "path": t["path"],
                "table": t["table"],
                "minors": t["minors"],
                "identifying": t["identifying"],
                "individuals": t["individuals"],
                "key": "rows_scanned",
                "value": t["rows_scanned"],
                "detail": "; ".join(
                    f"{c['id']}: " + " + ".join("/".join(cols) for cols in c["columns"])
                    for c in t["combinations"]
                ),
            }
        )
    for err in report.get("errors", []):
        w.writerow({"record": "error", "path": err.get("path"), "detail": err.get("error")})
    for key, value in _summary_items(report):
        w.writerow({"record": "summary", "key": key, "value": value})
    for rule in (report.get("pipl_thresholds") or {}).get("rules", []):
        w.writerow(
            {
                "record": "threshold",
                "key": rule["id"],
                "value": _status(rule),
                "individuals": rule["value"],
                "detail": f"{rule['duty_zh']} / {rule['duty_en']} ({rule['basis']}; "
                f"{rule.get('verification', '')})",
            }
        )
    decisions = report.get("decisions") or {}
    for a in decisions.get("applied", []):
        w.writerow(
            {
                "record": "decision",
                "path": a["path"],
                "table": a["table"],
                "column": a["column"],
                "decision": a["verdict"],
                "key": a["decision"],
                "value": "applied",
                "detail": a.get("reason", ""),
            }
        )
    for st in decisions.get("stale", []):
        w.writerow(
            {
                "record": "decision",
                "path": st.get("path", ""),
                "table": st.get("table", ""),
                "column": st.get("column", ""),
                "decision": st["verdict"],
                "key": st["decision"],
                "value": st["status"],
                "detail": st.get("detail", ""),
            }
        )
    return out.getvalue()


def _summary_items(report: dict):
    s = report.get("summary", {})
    ind = report.get("individuals", {})
    title = report.get("policy_title") or {}
    yield "policy", report.get("policy", "")
    yield "policy_title", f"{title.get('zh', '')} / {title.get('en', '')}".strip(" /")
    yield "catalog_version", report.get("catalog_version", "")
    yield "tool_version", report.get("tool", {}).get("version", "")
    yield "scan_date", report.get("scan_date", "")
    yield "scanned_at", report.get("scanned_at", "")
    yield "sample_rows", report.get("sample_rows", "")
    yield "masking", report.get("masking", "")
    for key in ("sources", "tables", "columns"):
        yield key, s.get(key, 0)
    for tier, n in s.get("columns_by_tier", {}).items():
        yield f"columns.{tier}", n
    yield "tables_with_minors", s.get("tables_with_minors", 0)
    yield "identifying_tables", s.get("identifying_tables", 0)
    for key in ("estimate", "upper_bound", "sensitive_estimate", "sensitive_upper_bound"):
        yield f"individuals.{key}", ind.get(key, 0)
    yield "individuals.method", ind.get("method", "")
    yield "thresholds", _j(report.get("thresholds", {}))


WRITERS = {
    "json": to_json,
    "csv": to_csv,
    "html": to_html,
    "md": to_markdown,
    "table": render_table,
}
