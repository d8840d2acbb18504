"""The data inventory (个人信息清单): dataset-level numbers and a flat view shared by the writers.

* :func:`finalize` adds to a report the distinct individuals of the whole scan (merging the
  tables' HyperLogLog sketches: a person in two tables counts once) and which legal thresholds
  of ``models/thresholds_pipl.toml`` those numbers reach.
* :func:`recount` recomputes the summary counts after verdicts changed (reviewed decisions).
* :func:`inventory` turns a report into plain rows and figures that the HTML, Markdown and CSV
  writers all render, so that the three carry the same content.
"""

from __future__ import annotations

from functools import cache

import tomllib

from ..catalog import data_dir
from ..classify.evidence import merge_sketches
from ..classify.policy import TIER_RANK, categories

TIERS = ("sensitive", "general", "none")


@cache
def legal_thresholds() -> dict:
    """``models/thresholds_pipl.toml``."""
    text = (data_dir("models") / "thresholds_pipl.toml").read_text(encoding="utf-8")
    return tomllib.loads(text)


def _tables(report: dict):
    for src in report.get("sources", []):
        for table in src.get("tables", []):
            yield src, table


def _has_sensitive(table: dict) -> bool:
    return any(c.get("tier") == "sensitive" for c in table["columns"])


def dataset_individuals(report: dict) -> dict:
    """Distinct individuals over every table (and over tables holding sensitive PI)."""
    sketches: dict[str, list[str]] = {}
    sensitive_sketches: dict[str, list[str]] = {}
    exact: dict[str, list[tuple[int, str]]] = {}
    sensitive_exact: dict[str, list[tuple[int, str]]] = {}
    for _, table in _tables(report):
        ind = table.get("individuals") or {}
        sensitive = _has_sensitive(table)
        for entity, n in ind.get("by_entity", {}).items():
            sketch = ind.get("sketches", {}).get(entity)
            for target, counts in ((sketches, exact), (sensitive_sketches, sensitive_exact)):
                if target is sensitive_sketches and not sensitive:
                    continue
                counts.setdefault(entity, []).append((n, ind.get("method", "exact")))
                if sketch:
                    target.setdefault(entity, []).append(sketch)

    def union(sk: dict, ex: dict) -> tuple[dict[str, int], str]:
        out, method = {}, "exact"
        for entity, parts in ex.items():
            if len(parts) == 1:
                out[entity] = parts[0][0]
                method = "hyperloglog" if parts[0][1] == "hyperloglog" else method
            else:
                # A union of several tables is estimated from their merged sketches; it is at
                # least the largest single table's count.
                est = merge_sketches(sk.get(entity, [])) if sk.get(entity) else 0
                out[entity] = max(est, max(n for n, _ in parts))
                method = "hyperloglog"
        return dict(sorted(out.items())), method

    by_entity, method = union(sketches, exact)
    sensitive_by_entity, _ = union(sensitive_sketches, sensitive_exact)
    return {
        "estimate": max(by_entity.values(), default=0),
        "upper_bound": sum(by_entity.values()),
        "sensitive_estimate": max(sensitive_by_entity.values(), default=0),
        "sensitive_upper_bound": sum(sensitive_by_entity.values()),
        "by_entity": by_entity,
        "method": method,
        "note": (
            "distinct validated identifiers (resident IDs, phones, ...); the estimate is the "
            "largest count over one kind of identifier, the upper bound their sum"
        ),
    }


def _in_range(value: int, rule: dict) -> bool:
    return int(rule.get("at_least", 0)) <= value and (
        "below" not in rule or value < int(rule["below"])
    )


def pipl_thresholds(individuals: dict) -> dict:
    """Which threshold rules the individuals' numbers reach (see thresholds_pipl.toml)."""
    data = legal_thresholds()
    rules = []
    for rule in data["rule"]:
        measure = rule["measure"]
        prefix = "sensitive_" if measure == "sensitive_individuals" else ""
        value = int(individuals.get(f"{prefix}estimate", 0))
        upper = int(individuals.get(f"{prefix}upper_bound", value))
        ok = not rule.get("no_sensitive") or individuals.get("sensitive_estimate", 0) == 0
        applies = ok and _in_range(value, rule)
        ok_upper = not rule.get("no_sensitive") or individuals.get("sensitive_upper_bound", 0) == 0
        may_apply = not applies and ok_upper and _in_range(upper, rule)
        rules.append(
            {
                "id": rule["id"],
                "measure": measure,
                "value": value,
                "at_least": rule.get("at_least"),
                "below": rule.get("below"),
                "applies": applies,
                "may_apply": may_apply,
                "scope": rule.get("scope", "transfer"),
                "conditional": rule.get("conditional", ""),
                "duty_zh": rule["duty_zh"],
                "duty_en": rule["duty_en"],
                "basis": rule["basis"],
                "verification": rule.get("verification", ""),
            }
        )
    return {"source": dict(data.get("source", {})), "rules": rules}


def recount(report: dict) -> None:
    """Recompute the summary's per-tier and per-entity column counts and the highest tier."""
    columns = [c for _, t in _tables(report) for c in t["columns"]]
    by_tier = {"sensitive": 0, "general": 0, "none": 0}
    entities: dict[str, int] = {}
    for c in columns:
        by_tier[c["tier"] or "none"] += 1
        if c["entity"]:
            entities[c["entity"]] = entities.get(c["entity"], 0) + 1
    summary = report.setdefault("summary", {})
    summary["columns"] = len(columns)
    summary["columns_by_tier"] = by_tier
    summary["columns_by_entity"] = dict(sorted(entities.items()))
    summary["highest_tier"] = max((c["tier"] for c in columns), key=TIER_RANK.get, default=None)


def finalize(report: dict) -> dict:
    """Add (or refresh) the dataset-level individuals and the legal thresholds they reach."""
    report["individuals"] = dataset_individuals(report)
    report["pipl_thresholds"] = pipl_thresholds(report["individuals"])
    summary = report.setdefault("summary", {})
    tables = [t for _, t in _tables(report)]
    summary["tables_with_minors"] = sum(1 for t in tables if t.get("minors"))
    summary["identifying_tables"] = sum(1 for t in tables if t.get("identifying"))
    return report


# -- the flat view the writers render ----------------------------------------------------
def category_label(key: str | None) -> dict[str, str]:
    if not key:
        return {"zh": "", "en": ""}
    label = categories().get(key, {})
    return {"zh": label.get("zh", key), "en": label.get("en", key)}


def _ratio(value) -> str:
    return "" if value is None else f"{float(value):.0%}"


def column_rows(report: dict) -> list[dict]:
    """One dict per scanned column, with everything the inventory shows about it."""
    rows = []
    for src, table in _tables(report):
        for col in table["columns"]:
            ev = col.get("evidence", {})
            cat = category_label(col.get("category") if col.get("entity") else None)
            decision = col.get("decision")
            rows.append(
                {
                    "path": src["path"],
                    "format": src.get("format", ""),
                    "table": table["name"],
                    "column": col["name"],
                    "entity": col["entity"] or "",
                    "tier": col["tier"] or "none",
                    "tiers": col.get("tiers", {}),
                    "category": (col.get("category") or "") if col["entity"] else "",
                    "category_zh": cat["zh"],
                    "category_en": cat["en"],
                    "confidence": col.get("confidence", 0.0),
                    "match_ratio": col.get("match_ratio", 0.0),
                    "validated_ratio": ev.get("validated_ratio"),
                    "distinct_ratio": ev.get("distinct_ratio"),
                    "null_ratio": ev.get("null_ratio"),
                    "rule": ev.get("rule") or "",
                    "reason": ev.get("reason", ""),
                    "column_name_agrees": bool(ev.get("column_name_agrees")),
                    "recognizers": ev.get("recognizers", []),
                    "examples": ev.get("examples", []),
                    "fingerprint": ev.get("fingerprint", ""),
                    "minors": bool(table.get("minors")),
                    "identifying": bool(table.get("identifying")),
                    "decision": decision,
                    "entities": col.get("entities", {}),
                }
            )
    return rows


def table_rows(report: dict) -> list[dict]:
    rows = []
    for src, table in _tables(report):
        cols = table["columns"]
        ind = table.get("individuals") or {}
        rows.append(
            {
                "path": src["path"],
                "table": table["name"],
                "rows_scanned": table.get("rows_scanned", 0),
                "columns": len(cols),
                "sensitive": sum(1 for c in cols if c["tier"] == "sensitive"),
                "general": sum(1 for c in cols if c["tier"] == "general"),
                "individuals": ind.get("estimate", 0),
                "individuals_basis": ind.get("basis") or "",
                "individuals_method": ind.get("method", ""),
                "minors": bool(table.get("minors")),
                "minors_count": table.get("minors_count", 0),
                "identifying": bool(table.get("identifying")),
                "combinations": table.get("combinations", []),
            }
        )
    return rows


def tiers_by_source(report: dict) -> list[tuple[str, dict[str, int]]]:
    out = []
    for src in report.get("sources", []):
        counts = dict.fromkeys(TIERS, 0)
        for table in src.get("tables", []):
            for c in table["columns"]:
                counts[c["tier"] or "none"] += 1
        out.append((src["path"], counts))
    return out


def columns_by_category(report: dict) -> list[tuple[str, int]]:
    counts: dict[str, int] = {}
    for _, table in _tables(report):
        for c in table["columns"]:
            if c["entity"] and c.get("category"):
                counts[c["category"]] = counts.get(c["category"], 0) + 1
    return sorted(counts.items(), key=lambda kv: (-kv[1], kv[0]))


def top_tables(report: dict, limit: int = 10) -> list[dict]:
    rows = [t for t in table_rows(report) if t["sensitive"] or t["general"]]
    rows.sort(key=lambda t: (-t["sensitive"], -t["general"], t["path"], t["table"]))
    return rows[:limit]


def percent(value) -> str:
    return _ratio(value)
