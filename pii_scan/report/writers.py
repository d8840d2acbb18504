"""Report writers: JSON (the contract's report), CSV (one row per column), terminal table."""

from __future__ import annotations

import csv
import io
import json

from .terminal import render_table

CSV_FIELDS = (
    "path",
    "format",
    "table",
    "column",
    "entity",
    "tier",
    "category",
    "confidence",
    "match_ratio",
    "minors",
    "entities",
    "tiers",
    "examples",
)


def to_json(report: dict) -> str:
    return json.dumps(report, ensure_ascii=False, indent=2) + "\n"


def to_csv(report: dict) -> str:
    out = io.StringIO()
    w = csv.DictWriter(out, CSV_FIELDS, lineterminator="\n")
    w.writeheader()
    for src in report["sources"]:
        for t in src["tables"]:
            for c in t["columns"]:
                w.writerow(
                    {
                        "path": src["path"],
                        "format": src["format"],
                        "table": t["name"],
                        "column": c["name"],
                        "entity": c["entity"] or "",
                        "tier": c["tier"] or "",
                        "category": c["category"] or "",
                        "confidence": c["confidence"],
                        "match_ratio": c["match_ratio"],
                        "minors": bool(t.get("minors")),
                        "entities": json.dumps(c["entities"], ensure_ascii=False),
                        "tiers": json.dumps(c["tiers"], ensure_ascii=False),
                        "examples": " | ".join(c["evidence"]["examples"]),
                    }
                )
    return out.getvalue()


WRITERS = {"json": to_json, "csv": to_csv, "table": render_table}
