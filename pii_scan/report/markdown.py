"""The inventory as Markdown, for people who paste it into documents.

It carries the content of the HTML page (:mod:`pii_scan.report.html`): summary, the charts'
figures as tables, legal thresholds, reviewed decisions, every column with its evidence,
tables, errors and the bilingual category labels. Text from the data is escaped so that it
stays text: ``<``, ``>`` and ``&`` become entities, and Markdown's own characters get a
backslash.

>>> md("<script>alert(1)</script> | *x*")
'&lt;script&gt;alert(1)&lt;/script&gt; \\\\| \\\\*x\\\\*'
"""

from __future__ import annotations

import html
import re

from ..classify.policy import categories
from . import inventory as inv
from .mask import values_note

_SPECIAL = re.compile(r"([\\`*_\[\]|#])")


def md(value) -> str:
    """Escape one value for a Markdown table cell or paragraph."""
    text = "" if value is None else str(value)
    text = html.escape(text, quote=False)
    text = _SPECIAL.sub(r"\\\1", text)
    return " ".join(text.split())  # no newlines inside a cell


def code(value) -> str:
    """A code span: literal text (no entities, no backslashes), safe in a table cell."""
    text = " ".join(("" if value is None else str(value)).split())
    return "`" + text.replace("`", "'").replace("|", "\\|") + "`"


def _pct(value) -> str:
    return "–" if value is None else f"{float(value):.0%}"


def _table(headers: list[str], rows: list[list[str]]) -> list[str]:
    out = ["| " + " | ".join(headers) + " |", "|" + "|".join("---" for _ in headers) + "|"]
    out += ["| " + " | ".join(r) + " |" for r in rows]
    return out


def to_markdown(report: dict) -> str:
    s = report.get("summary", {})
    by_tier = s.get("columns_by_tier", {})
    ind = report.get("individuals", {})
    title = report.get("policy_title") or {}
    tool = report.get("tool", {})
    lines = [
        "# 个人信息清单 Personal information inventory",
        "",
        f"- 策略 Policy: **{md(report.get('policy', ''))}** {md(title.get('zh', ''))} "
        f"({md(title.get('en', ''))})",
        f"- 识别器目录 Catalog: {code(report.get('catalog_version', ''))} · "
        f"{md(tool.get('name', 'pii-scan'))} {md(tool.get('version', ''))} · schema "
        f"{code(report.get('schema', ''))}",
        f"- 扫描日期 Scan date: {md(report.get('scan_date', ''))} · 生成时间 Generated: "
        f"{md(report.get('scanned_at', ''))} · 每表抽样 Sample rows: "
        f"{md(report.get('sample_rows', '') or 'all')}",
        "",
        "## 概要 Summary",
        "",
    ]
    lines += _table(
        ["指标 Measure", "数量 Count"],
        [
            ["数据源 Sources", str(s.get("sources", 0))],
            ["数据表 Tables", str(s.get("tables", 0))],
            ["已扫描列 Columns scanned", str(s.get("columns", 0))],
            ["敏感个人信息列 Sensitive columns", str(by_tier.get("sensitive", 0))],
            ["一般个人信息列 General PI columns", str(by_tier.get("general", 0))],
            [
                "个人数量（估计） Individuals (est.)",
                f"≈{ind.get('estimate', 0):,} (sensitive ≈{ind.get('sensitive_estimate', 0):,}, "
                f"upper bound {ind.get('upper_bound', 0):,}; {md(ind.get('method', ''))})",
            ],
            ["含未成年人的表 Tables with minors (<14)", str(s.get("tables_with_minors", 0))],
            ["可识别组合的表 Identifying tables", str(s.get("identifying_tables", 0))],
            ["错误 Errors", str(len(report.get("errors", [])))],
        ],
    )
    lines += _charts(report)
    lines += _thresholds(report)
    lines += _decisions(report)
    lines += _columns(report)
    lines += _evidence(report)
    lines += _tables(report)
    lines += ["", "## 错误 Errors", ""]
    errors = report.get("errors", [])
    lines += [f"- {md(x.get('path'))}: {md(x.get('error'))}" for x in errors] or ["无 none"]
    lines += ["", "## 类别 Categories", ""]
    lines += [
        f"- {code(k)} {md(v.get('zh', ''))} — {md(v.get('en', ''))}"
        for k, v in categories().items()
    ]
    lines += [
        "",
        "---",
        f"分类阈值 Classification thresholds: {md(_kv(report.get('thresholds', {})))}. "
        f"{md(title.get('source', ''))}. {md(values_note(report))}",
        "",
    ]
    return "\n".join(lines)


def _kv(d: dict) -> str:
    return ", ".join(f"{k}={v}" for k, v in sorted(d.items()))


def _charts(report: dict) -> list[str]:
    cats = categories()
    out = ["", "## 各数据源的列分级 Columns by tier and source", ""]
    out += _table(
        ["来源 Source", "敏感 sensitive", "一般 general", "非个人信息 not PI"],
        [
            [md(p), str(c["sensitive"]), str(c["general"]), str(c["none"])]
            for p, c in inv.tiers_by_source(report)
        ],
    )
    out += ["", "## 个人信息类别 Columns by category", ""]
    out += _table(
        ["类别 Category", "列数 Columns"],
        [
            [f"{md(cats.get(k, {}).get('zh', k))} {md(cats.get(k, {}).get('en', ''))}", str(n)]
            for k, n in inv.columns_by_category(report)
        ],
    )
    out += ["", "## 个人信息最多的表 Top tables", ""]
    out += _table(
        ["来源 Source", "表 Table", "敏感 sensitive", "一般 general"],
        [
            [md(t["path"]), md(t["table"]), str(t["sensitive"]), str(t["general"])]
            for t in inv.top_tables(report)
        ],
    )
    return out


def _thresholds(report: dict) -> list[str]:
    data = report.get("pipl_thresholds") or {}
    if not data.get("rules"):
        return []
    src = data.get("source", {})
    out = [
        "",
        "## 数据出境与数量门槛 Legal thresholds by number of individuals",
        "",
        f"{md(src.get('zh', ''))} / {md(src.get('en', ''))}. Counts are of the scanned data "
        "alone; the provisions count individuals whose personal information is transferred "
        "abroad cumulatively since 1 January. Figures from secondary sources: verify before "
        "relying on them.",
        "",
    ]
    rows = []
    for r in data["rules"]:
        status = (
            "**达到 reached**"
            if r["applies"]
            else ("可能 may be reached" if r["may_apply"] else "未达到 not reached")
        )
        bounds = " and ".join(
            x
            for x in (
                f"≥ {int(r['at_least']):,}" if r.get("at_least") is not None else "",
                f"< {int(r['below']):,}" if r.get("below") is not None else "",
            )
            if x
        )
        measure = "sensitive PI" if r["measure"].startswith("sensitive") else "PI"
        cond = f" ({md(r['conditional'])})" if r.get("conditional") else ""
        rows.append(
            [
                status,
                f"{measure} {bounds}",
                f"{r['value']:,}",
                f"{md(r['duty_zh'])} / {md(r['duty_en'])}{cond}",
                f"{md(r['basis'])} ({md(r.get('verification', ''))})",
            ]
        )
    out += _table(
        ["状态 Status", "计量 Measure", "本次数量 Count", "义务 Duty", "依据 Basis"], rows
    )
    return out


def _decisions(report: dict) -> list[str]:
    d = report.get("decisions")
    if not d:
        return []
    out = [
        "",
        "## 人工复核决定 Reviewed decisions",
        "",
        f"{md(d.get('file', ''))}: {d.get('count', 0)} decision(s), "
        f"{len(d.get('applied', []))} applied, {len(d.get('stale', []))} stale.",
        "",
    ]
    rows = []
    for a in d.get("applied", []):
        was = a.get("was", {})
        rows.append(
            [
                "applied",
                md(a["path"]),
                f"{md(a['table'])}.{md(a['column'])}",
                f"{md(was.get('entity') or '–')} ({md(was.get('tier') or 'none')}) → "
                f"**{md(a['verdict'])}** ({md(a.get('now') or 'none')})",
                f"{md(a.get('reviewer', ''))} {md(a.get('date', ''))} {md(a.get('reason', ''))}",
            ]
        )
    for st in d.get("stale", []):
        where = (
            f"{md(st.get('table'))}.{md(st.get('column'))}"
            if st.get("table")
            else md(st["decision"])
        )
        rows.append(
            [
                f"**stale: {md(st['status'])}**",
                md(st.get("path", "")),
                where,
                f"{md(st['verdict'])} — {md(st.get('detail', ''))}",
                f"{md(st.get('reviewer', ''))} {md(st.get('date', ''))}",
            ]
        )
    out += _table(
        ["状态 Status", "来源 Source", "列 Column", "决定 Verdict", "复核 Reviewer"], rows
    )
    return out


def _columns(report: dict) -> list[str]:
    out = ["", "## 个人信息清单 Inventory: sources → tables → columns", ""]
    rows = []
    for r in inv.column_rows(report):
        pi = bool(r["entity"])
        tier = r["tier"] + (" (minors)" if r["minors"] and pi else "")
        tier += " (reviewed)" if r["decision"] else ""
        rows.append(
            [
                md(r["path"]),
                md(r["table"]),
                md(r["column"]),
                md(r["entity"] or "–"),
                md(tier),
                f"{md(r['category_zh'])} {md(r['category_en'])}" if pi else "–",
                f"{r['confidence']:.2f}" if pi else "–",
                _pct(r["match_ratio"]) if pi else "–",
                _pct(r["validated_ratio"]) if pi else "–",
                _pct(r["distinct_ratio"]),
                _pct(r["null_ratio"]),
            ]
        )
    out += _table(
        [
            "来源 Source",
            "表 Table",
            "列 Column",
            "实体 Entity",
            "分级 Tier",
            "类别 Category",
            "置信度 Conf.",
            "匹配 Match",
            "校验 Valid.",
            "唯一 Distinct",
            "空值 Null",
        ],
        rows,
    )
    return out


def _evidence(report: dict) -> list[str]:
    out = ["", "## 依据 Evidence (personal-information columns)", ""]
    th = report.get("thresholds", {})
    for r in inv.column_rows(report):
        if not r["entity"] and not r["decision"]:
            continue
        out.append(f"### {md(r['table'])}.{md(r['column'])} — {md(r['path'])}")
        out.append("")
        out.append(
            f"- 结论 Verdict: {md(r['entity'] or 'not personal')}, {md(r['tier'])}; "
            f"规则 rule {md(r['rule'] or 'none')} — {md(r['reason'])}"
        )
        out.append(
            "- 各标准分级 Tiers: "
            + ", ".join(f"{md(p)} {md(t or 'none')}" for p, t in r["tiers"].items())
        )
        out.append(
            f"- 比例 Ratios: match {_pct(r['match_ratio'])}, validated "
            f"{_pct(r['validated_ratio'])}, distinct {_pct(r['distinct_ratio'])}, null "
            f"{_pct(r['null_ratio'])}; column name "
            f"{'agrees' if r['column_name_agrees'] else 'does not agree'}"
        )
        for rec in r["recognizers"]:
            out.append(
                f"- 识别器 Recognizer {md(rec['id'])} ({md(rec.get('entity'))}, validator "
                f"{md(rec.get('validator') or '–')}): {rec['cells']} cells, "
                f"{rec['strong_cells']} strong, {rec['context_cells']} with context"
                + (", column name" if rec.get("column_name") else "")
            )
        out.append(
            f"- 阈值 Thresholds: min_finding_score {md(th.get('min_finding_score'))}, "
            f"strong_min_cells {md(th.get('strong_min_cells'))}, weak_min_ratio "
            f"{md(th.get('weak_min_ratio'))}"
        )
        examples = ", ".join(md(x) for x in r["examples"]) or "–"
        out.append(f"- 示例（已脱敏） Examples (masked): {examples}")
        if r["decision"]:
            d = r["decision"]
            was = d.get("was", {})
            out.append(
                f"- 复核 Decision: {md(d['verdict'])} by {md(d.get('reviewer') or '?')} "
                f"{md(d.get('date', ''))} — {md(d.get('reason', ''))} (was "
                f"{md(was.get('entity') or 'not personal')}, {md(was.get('tier') or 'none')})"
            )
        out.append(f"- 指纹 Fingerprint: {md(r['fingerprint'])}")
        out.append("")
    return out


def _tables(report: dict) -> list[str]:
    out = ["", "## 数据表 Tables", ""]
    rows = []
    for t in inv.table_rows(report):
        combos = "; ".join(
            f"{md(c['zh'])} ({md(c['en'])}): "
            + " + ".join("/".join(md(x) for x in cols) for cols in c["columns"])
            + (" [column name]" if c.get("basis") == "column name" else "")
            for c in t["combinations"]
        )
        rows.append(
            [
                md(t["path"]),
                md(t["table"]),
                f"{t['rows_scanned']:,}",
                str(t["columns"]),
                str(t["sensitive"]),
                str(t["general"]),
                f"{t['individuals']:,}"
                + (f" ({md(t['individuals_basis'])})" if t["individuals"] else ""),
                f"{t['minors_count']}" if t["minors"] else "",
                combos,
            ]
        )
    out += _table(
        [
            "来源 Source",
            "表 Table",
            "行 Rows",
            "列 Columns",
            "敏感 Sensitive",
            "一般 General",
            "个人 Individuals",
            "未成年人 Minors",
            "可识别组合 Identifying",
        ],
        rows,
    )
    return out
