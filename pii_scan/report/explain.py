"""``pii-scan explain``: why a column got its verdict, in plain text, from a saved report.

>>> report = {"policy": "gbt35273", "thresholds": {}, "sources": [{"path": "a.csv", "tables": [
...     {"name": "a", "columns": [{"name": "x", "entity": None, "tier": None, "tiers": {},
...      "category": None, "confidence": 0.0, "match_ratio": 0.0, "entities": {},
...      "evidence": {"reason": "no value matched a recognizer"}}]}]}]}
>>> print(explain(report, "a.x").splitlines()[0])
a.csv :: a.x
"""

from __future__ import annotations

from .inventory import category_label


def find_columns(report: dict, key: str | None, source: str | None = None):
    """(source, table, column) entries named by ``key``: ``TABLE.COLUMN`` (dots allowed in
    either name), or a bare column name; every column when ``key`` is None."""
    for src in report.get("sources", []):
        if source and source not in src["path"]:
            continue
        for table in src.get("tables", []):
            for col in table["columns"]:
                if key is None or key in (f"{table['name']}.{col['name']}", col["name"]):
                    yield src, table, col


def _pct(value) -> str:
    return "-" if value is None else f"{float(value):.1%}"


def explain_column(report: dict, src: dict, table: dict, col: dict) -> str:
    ev = col.get("evidence", {})
    th = ev.get("thresholds") or report.get("thresholds", {})
    cat = category_label(col.get("category") if col.get("entity") else None)
    lines = [f"{src['path']} :: {table['name']}.{col['name']}"]
    if col.get("entity"):
        lines.append(
            f"  verdict     {col['entity']}: {col['tier'] or 'not personal'} under "
            f"{report.get('policy', '?')}, confidence {col.get('confidence', 0):.2f}"
        )
        lines.append(f"  category    {col.get('category')}: {cat['zh']} / {cat['en']}")
    else:
        lines.append("  verdict     not personal information")
    tiers = ", ".join(f"{p} {t or 'none'}" for p, t in col.get("tiers", {}).items())
    if tiers:
        lines.append(f"  tiers       {tiers}")
    if table.get("minors") and col.get("entity"):
        lines.append(
            f"  minors      the table holds {table.get('minors_count', '?')} resident ID(s) of "
            "children under 14: every personal column is sensitive (PIPL art. 28)"
        )
    rule = ev.get("rule")
    why = {
        "strong_matches": (
            f"at least {th.get('strong_min_cells', '?')} value(s) scored >= "
            f"{th.get('min_finding_score', '?')} (validated, or confirmed by context)"
        ),
        "match_ratio": (
            f"only weak matches, but they cover >= {th.get('weak_min_ratio', '?')} of the "
            "non-empty values"
        ),
    }.get(rule, "no entity qualified")
    lines.append(f"  rule        {rule or 'none'}: {why}")
    lines.append(f"  reason      {ev.get('reason', '')}")
    lines.append(
        f"  ratios      match {_pct(col.get('match_ratio'))}, validated "
        f"{_pct(ev.get('validated_ratio'))}, distinct {_pct(ev.get('distinct_ratio'))} "
        f"({ev.get('distinct', '?')} of {ev.get('distinct_of', '?')} values, "
        f"{ev.get('distinct_method', '?')}), null {_pct(ev.get('null_ratio'))}"
    )
    lines.append(
        f"  rows        {ev.get('rows', '?')} read, {ev.get('non_empty', '?')} non-empty; "
        f"column name {'agrees' if ev.get('column_name_agrees') else 'does not say so'}"
    )
    recs = ev.get("recognizers") or []
    if recs:
        lines.append("  recognizers")
        for r in recs:
            how = [f"validator {r['validator']}" if r.get("validator") else "pattern only"]
            if r.get("column_name"):
                how.append("column name is context")
            lines.append(
                f"    {r['id']:<22} {r.get('entity') or '':<20} {r['cells']} cell(s), "
                f"{r['strong_cells']} strong, {r['context_cells']} with context; {', '.join(how)}"
            )
    seen = col.get("entities") or {}
    if seen:
        lines.append("  entities    " + ", ".join(f"{k} {v}" for k, v in seen.items()))
    if ev.get("examples"):
        lines.append("  examples    " + "  ".join(ev["examples"]))
    if th:
        lines.append("  thresholds  " + ", ".join(f"{k}={v}" for k, v in sorted(th.items())))
    d = col.get("decision")
    if d:
        was = d.get("was", {})
        lines.append(
            f"  decision    {d['verdict']} by {d.get('reviewer') or '?'} {d.get('date', '')}: "
            f"{d.get('reason', '')} (scanner said {was.get('entity') or 'not personal'}, "
            f"{was.get('tier') or 'none'})"
        )
    for st in (report.get("decisions") or {}).get("stale", []):
        if st.get("table") == table["name"] and st.get("column") == col["name"]:
            lines.append(f"  stale       decision {st['verdict']!r} not applied: {st['detail']}")
    if ev.get("fingerprint"):
        lines.append(f"  fingerprint {ev['fingerprint']}  (record it in a decisions file)")
    combos = [
        c for c in table.get("combinations", []) if any(col["name"] in x for x in c["columns"])
    ]
    for c in combos:
        lines.append(f"  combination {c['zh']} / {c['en']} ({c['basis']})")
    return "\n".join(lines)


def explain(report: dict, key: str | None = None, source: str | None = None) -> str:
    """Explanations of the named column(s); of every personal column when ``key`` is None."""
    found = [
        (s, t, c)
        for s, t, c in find_columns(report, key, source)
        if key is not None or c.get("entity") or c.get("decision")
    ]
    return "\n\n".join(explain_column(report, s, t, c) for s, t, c in found)
