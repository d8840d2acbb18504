"""The inventory as one self-contained HTML page (个人信息清单).

Everything is inline: CSS, a small script (sorting, filtering) and SVG charts; the page loads
nothing from the network and its Content-Security-Policy forbids it to (the one script is
allowed by its SHA-256 hash, so no injected script could run even if escaping failed). Every
value that comes from the data (paths, table and column names, examples, error messages) goes
through :func:`html.escape`.

>>> page = to_html({"sources": [], "errors": [], "policy": "gbt35273", "summary": {}})
>>> page.startswith("<!DOCTYPE html>") and "<script src" not in page
True
"""

from __future__ import annotations

import base64
import hashlib
import html
import json
from pathlib import PurePath

from ..classify.policy import categories
from . import inventory as inv
from .mask import values_note
from .terminal import display_width

TIER_LABEL = {
    "sensitive": ("敏感", "sensitive"),
    "general": ("一般", "general"),
    "none": ("非个人信息", "not PI"),
}
TIER_COLOR = {"sensitive": "#c2410c", "general": "#d4a017", "none": "#c7ced8"}


def e(value) -> str:
    """Escape anything for HTML text or a quoted attribute."""
    return html.escape("" if value is None else str(value), quote=True)


def _tier_badge(tier: str) -> str:
    zh, en = TIER_LABEL.get(tier, (tier, tier))
    return f'<span class="badge t-{e(tier)}">{e(zh)} <span class="en">{e(en)}</span></span>'


def _pct(value) -> str:
    return "–" if value is None else f"{float(value):.0%}"


# -- charts -------------------------------------------------------------------------------
def _fit(text: str, width: int, *, keep_end: bool = False) -> str:
    """``text`` cut to ``width`` display cells (CJK counts two) with an ellipsis."""
    if display_width(text) <= width:
        return text
    chars = list(reversed(text)) if keep_end else list(text)
    out, used = [], 1
    for ch in chars:
        w = display_width(ch)
        if used + w > width:
            break
        out.append(ch)
        used += w
    return "…" + "".join(reversed(out)) if keep_end else "".join(out) + "…"


def _bar_chart(
    title: str,
    rows: list[tuple[str, str, dict[str, int]]],
    keys: list[str],
    *,
    keep_end: bool = False,
) -> str:
    """Horizontal stacked bars, one per row; ``rows`` = [(label, second line, {key: n})]."""
    two_lines = any(sub for _, sub, _ in rows)
    label_w, bar_w, top = 230, 290, 8
    row_h = 34 if two_lines else 24
    height = top + row_h * max(len(rows), 1) + (30 if len(keys) > 1 else 8)
    biggest = max((sum(v.values()) for _, _, v in rows), default=0) or 1
    parts = [
        f'<svg class="chart" viewBox="0 0 {label_w + bar_w + 50} {height}" role="img" '
        f'aria-label="{e(title)}" xmlns="http://www.w3.org/2000/svg">',
        f"<title>{e(title)}</title>",
    ]
    if not rows:
        parts.append('<text x="8" y="24" class="muted">无数据 no data</text>')
    for i, (label, sub, counts) in enumerate(rows):
        y = top + i * row_h
        mid = y + row_h / 2
        text_y = mid - 2 if sub else mid + 4
        parts.append(
            f'<text x="{label_w - 8}" y="{text_y:.0f}" text-anchor="end" class="lbl">'
            f"<title>{e(label)}</title>{e(_fit(label, 34, keep_end=keep_end))}</text>"
        )
        if sub:
            parts.append(
                f'<text x="{label_w - 8}" y="{text_y + 13:.0f}" text-anchor="end" class="sub">'
                f"{e(_fit(sub, 38))}</text>"
            )
        x = label_w
        for key in keys:
            n = counts.get(key, 0)
            if not n:
                continue
            w = max(bar_w * n / biggest, 2)
            color = TIER_COLOR.get(key, "#3b82f6")
            parts.append(
                f'<rect x="{x:.1f}" y="{mid - 8:.0f}" width="{w:.1f}" height="16" '
                f'fill="{color}" rx="2"><title>{e(label)}: {e(key)} {n}</title></rect>'
            )
            x += w
        parts.append(
            f'<text x="{x + 6:.1f}" y="{mid + 4:.0f}" class="num">{sum(counts.values())}</text>'
        )
    if len(keys) > 1:
        lx, ly = label_w, height - 10
        for key in keys:
            zh, en = TIER_LABEL.get(key, (key, key))
            parts.append(
                f'<rect x="{lx}" y="{ly - 9}" width="10" height="10" fill="{TIER_COLOR[key]}"/>'
                f'<text x="{lx + 14}" y="{ly}" class="lgd">{e(zh)} {e(en)}</text>'
            )
            lx += 100
    parts.append("</svg>")
    return "".join(parts)


def _table_label(path: str, table: str) -> str:
    base = PurePath(path).name or path
    return base if PurePath(base).stem == table else f"{base} › {table}"


def _charts(report: dict) -> str:
    by_source = [(path, "", counts) for path, counts in inv.tiers_by_source(report)]
    cats = categories()
    by_cat = [
        (cats.get(k, {}).get("zh", k), cats.get(k, {}).get("en", ""), {"n": n})
        for k, n in inv.columns_by_category(report)
    ]
    top = [
        (
            _table_label(t["path"], t["table"]),
            "",
            {"sensitive": t["sensitive"], "general": t["general"]},
        )
        for t in inv.top_tables(report)
    ]
    return (
        '<section class="charts">'
        '<figure><figcaption>各数据源的列分级 <span class="en">Columns by tier and source'
        "</span></figcaption>"
        f"{_bar_chart('Columns by tier and source', by_source, list(inv.TIERS), keep_end=True)}"
        "</figure>"
        '<figure><figcaption>个人信息类别 <span class="en">Personal-information columns by '
        f"category</span></figcaption>{_bar_chart('Columns by category', by_cat, ['n'])}</figure>"
        '<figure><figcaption>个人信息最多的表 <span class="en">Tables with the most '
        "personal-information columns</span></figcaption>"
        f"{_bar_chart('Top tables', top, ['sensitive', 'general'])}</figure>"
        "</section>"
    )


# -- sections -----------------------------------------------------------------------------
def _card(zh: str, en: str, value, note: str = "", cls: str = "") -> str:
    note_html = f'<div class="note">{e(note)}</div>' if note else ""
    return (
        f'<div class="card {cls}"><div class="value">{e(value)}</div>'
        f'<div class="label">{e(zh)} <span class="en">{e(en)}</span></div>{note_html}</div>'
    )


def _summary(report: dict) -> str:
    s = report.get("summary", {})
    by_tier = s.get("columns_by_tier", {})
    ind = report.get("individuals", {})
    errors = len(report.get("errors", []))
    return (
        '<section class="cards">'
        + _card("数据源", "sources", s.get("sources", 0))
        + _card("数据表", "tables", s.get("tables", 0))
        + _card("已扫描列", "columns scanned", s.get("columns", 0))
        + _card("敏感个人信息列", "sensitive columns", by_tier.get("sensitive", 0), cls="c-sens")
        + _card("一般个人信息列", "general PI columns", by_tier.get("general", 0), cls="c-gen")
        + _card(
            "个人数量（估计）",
            "individuals (est.)",
            f"≈{ind.get('estimate', 0):,}",
            f"sensitive ≈{ind.get('sensitive_estimate', 0):,} · upper bound "
            f"{ind.get('upper_bound', 0):,}",
        )
        + _card("含未成年人的表", "tables with minors (<14)", s.get("tables_with_minors", 0))
        + _card("可识别组合的表", "identifying tables", s.get("identifying_tables", 0))
        + _card("错误", "errors", errors, cls="c-err" if errors else "")
        + "</section>"
    )


def _thresholds(report: dict) -> str:
    data = report.get("pipl_thresholds") or {}
    rules = data.get("rules", [])
    if not rules:
        return ""
    rows = []
    for r in rules:
        if r["applies"]:
            status = '<span class="pill p-yes">达到 reached</span>'
        elif r["may_apply"]:
            status = '<span class="pill p-may">可能 may be reached</span>'
        else:
            status = '<span class="pill p-no">未达到 not reached</span>'
        measure = "敏感个人信息 sensitive PI" if r["measure"].startswith("sensitive") else "个人 PI"
        bounds = []
        if r.get("at_least") is not None:
            bounds.append(f"≥ {int(r['at_least']):,}")
        if r.get("below") is not None:
            bounds.append(f"< {int(r['below']):,}")
        cond = f'<div class="muted">{e(r["conditional"])}</div>' if r.get("conditional") else ""
        rows.append(
            f'<tr class="{"hit" if r["applies"] else ""}"><td>{status}</td>'
            f"<td>{e(measure)}<div class='muted'>{e(' and '.join(bounds))}</div></td>"
            f"<td class='num'>{r['value']:,}</td>"
            f"<td>{e(r['duty_zh'])}<div class='en'>{e(r['duty_en'])}</div>{cond}</td>"
            f"<td>{e(r['basis'])}<div class='muted'>{e(r.get('verification', ''))}</div></td></tr>"
        )
    src = data.get("source", {})
    return (
        '<section><h2>数据出境与数量门槛 <span class="en">Legal thresholds by number of '
        "individuals</span></h2>"
        f'<p class="muted">{e(src.get("zh", ""))}<br>{e(src.get("en", ""))}. '
        "Counts are of the scanned data alone; the provisions count individuals whose personal "
        "information is transferred abroad cumulatively since 1 January. Figures from secondary "
        "sources: verify before relying on them.</p>"
        '<table class="grid"><thead><tr><th>状态 Status</th><th>计量 Measure</th>'
        "<th>本次数量 Count</th><th>义务 Duty</th><th>依据 Basis</th></tr></thead><tbody>"
        + "".join(rows)
        + "</tbody></table></section>"
    )


def _decisions(report: dict) -> str:
    d = report.get("decisions")
    if not d:
        return ""
    rows = []
    for a in d.get("applied", []):
        was = a.get("was", {})
        rows.append(
            "<tr><td><span class='pill p-ok'>已应用 applied</span></td>"
            f"<td>{e(a['path'])}</td><td>{e(a['table'])}.{e(a['column'])}</td>"
            f"<td>{e(was.get('entity') or '–')} ({e(was.get('tier') or 'none')}) → "
            f"<b>{e(a['verdict'])}</b> ({e(a.get('now') or 'none')})</td>"
            f"<td>{e(a.get('reviewer', ''))} {e(a.get('date', ''))}"
            f"<div class='muted'>{e(a.get('reason', ''))}</div></td></tr>"
        )
    for s in d.get("stale", []):
        where = f"{s.get('table', '')}.{s.get('column', '')}" if s.get("table") else s["decision"]
        rows.append(
            f"<tr class='stale'><td><span class='pill p-yes'>过期 {e(s['status'])}</span></td>"
            f"<td>{e(s.get('path', ''))}</td><td>{e(where)}</td><td>{e(s['verdict'])}"
            f"<div class='muted'>{e(s.get('detail', ''))}</div></td>"
            f"<td>{e(s.get('reviewer', ''))} {e(s.get('date', ''))}</td></tr>"
        )
    return (
        '<section><h2>人工复核决定 <span class="en">Reviewed decisions</span></h2>'
        f'<p class="muted">{e(d.get("file", ""))}: {d.get("count", 0)} decision(s), '
        f"{len(d.get('applied', []))} applied, {len(d.get('stale', []))} stale.</p>"
        '<table class="grid"><thead><tr><th>状态 Status</th><th>来源 Source</th>'
        "<th>列 Column</th><th>决定 Verdict</th><th>复核人 Reviewer</th></tr></thead><tbody>"
        + "".join(rows)
        + "</tbody></table></section>"
    )


def _evidence(row: dict, report: dict) -> str:
    recs = "".join(
        f"<tr><td>{e(r['id'])}</td><td>{e(r.get('entity'))}</td>"
        f"<td>{e(r.get('validator') or '–')}</td><td class='num'>{r['cells']}</td>"
        f"<td class='num'>{r['strong_cells']}</td><td class='num'>{r['context_cells']}</td>"
        f"<td>{'✓' if r.get('column_name') else ''}</td></tr>"
        for r in row["recognizers"]
    )
    rec_table = (
        "<table class='mini'><thead><tr><th>recognizer</th><th>entity</th><th>validator</th>"
        "<th>cells</th><th>strong</th><th>context</th><th>name</th></tr></thead>"
        f"<tbody>{recs}</tbody></table>"
        if recs
        else "<p class='muted'>没有识别器命中 no recognizer matched</p>"
    )
    tiers = " · ".join(f"{e(p)}: {e(t or 'none')}" for p, t in row["tiers"].items())
    th = report.get("thresholds", {})
    examples = " ".join(f"<code>{e(x)}</code>" for x in row["examples"]) or "–"
    decision = ""
    if row["decision"]:
        d = row["decision"]
        was = d.get("was", {})
        decision = (
            f"<dt>复核 Decision</dt><dd>{e(d['verdict'])} by {e(d.get('reviewer') or '?')} "
            f"{e(d.get('date', ''))} — {e(d.get('reason', ''))} (was "
            f"{e(was.get('entity') or 'not personal')}, {e(was.get('tier') or 'none')})</dd>"
        )
    return (
        "<dl>"
        f"<dt>规则 Rule</dt><dd>{e(row['rule'] or 'none')} — {e(row['reason'])}</dd>"
        f"<dt>各标准分级 Tiers</dt><dd>{tiers}</dd>"
        f"<dt>比例 Ratios</dt><dd>match {_pct(row['match_ratio'])} · validated "
        f"{_pct(row['validated_ratio'])} · distinct {_pct(row['distinct_ratio'])} · null "
        f"{_pct(row['null_ratio'])}</dd>"
        f"<dt>列名 Column name</dt><dd>{'agrees' if row['column_name_agrees'] else 'no'}</dd>"
        f"<dt>识别器 Recognizers</dt><dd>{rec_table}</dd>"
        f"<dt>阈值 Thresholds</dt><dd>min_finding_score {e(th.get('min_finding_score'))} · "
        f"strong_min_cells {e(th.get('strong_min_cells'))} · weak_min_ratio "
        f"{e(th.get('weak_min_ratio'))}</dd>"
        f"<dt>示例（已脱敏） Examples (masked)</dt><dd>{examples}</dd>"
        f"{decision}<dt>指纹 Fingerprint</dt><dd><code>{e(row['fingerprint'])}</code></dd>"
        "</dl>"
    )


def _columns(report: dict) -> str:
    rows = inv.column_rows(report)
    body = []
    for n, r in enumerate(rows):
        cat = f"{e(r['category_zh'])}<div class='en'>{e(r['category_en'])}</div>"
        flags = ""
        if r["minors"] and r["tier"] != "none":
            flags += " <span class='flag'>未成年 minors</span>"
        if r["decision"]:
            flags += " <span class='flag f-rev'>复核 reviewed</span>"
        search = " ".join(
            str(x)
            for x in (
                r["path"],
                r["table"],
                r["column"],
                r["entity"],
                r["tier"],
                r["category_zh"],
                r["category_en"],
            )
        ).lower()
        pi = bool(r["entity"])
        conf = f"{r['confidence']:.2f}" if pi else "–"
        match = _pct(r["match_ratio"]) if pi else "–"
        valid = _pct(r["validated_ratio"]) if pi else "–"
        body.append(
            f'<tr class="col {"pi" if pi else "nopi"}" data-tier="{e(r["tier"])}" '
            f'data-search="{e(search)}">'
            f'<td class="path" title="{e(r["path"])}">{e(r["path"])}</td>'
            f"<td>{e(r['table'])}</td><td class='colname'>{e(r['column'])}</td>"
            f"<td>{e(r['entity'] or '–')}</td>"
            f'<td data-v="{({"sensitive": 2, "general": 1}).get(r["tier"], 0)}">'
            f"{_tier_badge(r['tier'])}{flags}</td>"
            f"<td>{cat if r['category'] else '–'}</td>"
            f'<td class="num" data-v="{r["confidence"]}">{conf}</td>'
            f'<td class="num" data-v="{r["match_ratio"]}">{match}</td>'
            f'<td class="num" data-v="{r["validated_ratio"] or 0}">{valid}</td>'
            f'<td class="num" data-v="{r["distinct_ratio"] or 0}">'
            f"{_pct(r['distinct_ratio'])}</td>"
            f'<td class="num" data-v="{r["null_ratio"] or 0}">{_pct(r["null_ratio"])}</td>'
            f'<td class="ev"><button type="button" class="why" aria-expanded="false" '
            f'aria-controls="ev{n}">依据 why</button></td></tr>'
            f'<tr class="evrow" id="ev{n}" hidden><td colspan="12">{_evidence(r, report)}</td></tr>'
        )
    headers = [
        ("来源", "Source", "text"),
        ("表", "Table", "text"),
        ("列", "Column", "text"),
        ("实体", "Entity", "text"),
        ("分级", "Tier", "num"),
        ("类别", "Category", "text"),
        ("置信度", "Conf.", "num"),
        ("匹配", "Match", "num"),
        ("校验", "Valid.", "num"),
        ("唯一", "Distinct", "num"),
        ("空值", "Null", "num"),
    ]
    head = "".join(
        f'<th data-type="{t}"><button type="button">{e(zh)}<span class="en">{e(en)}</span>'
        "</button></th>"
        for zh, en, t in headers
    )
    return (
        '<section><h2>个人信息清单 <span class="en">Inventory: sources → tables → columns</span>'
        "</h2>"
        '<div class="controls"><input id="filter" type="search" autocomplete="off" '
        'placeholder="筛选 Filter: source, table, column, entity, category…" '
        'aria-label="Filter rows">'
        '<select id="tier-filter" aria-label="Tier"><option value="">全部 all tiers</option>'
        '<option value="pi">个人信息 PI only</option><option value="sensitive">敏感 sensitive'
        '</option><option value="general">一般 general</option><option value="none">'
        "非个人信息 not PI</option></select>"
        f'<span id="count" class="muted">{len(rows)} / {len(rows)}</span></div>'
        f'<table id="columns" class="grid sortable"><thead><tr>{head}'
        "<th>依据 Evidence</th></tr></thead>"
        f"<tbody>{''.join(body)}</tbody></table></section>"
    )


def _tables(report: dict) -> str:
    rows = []
    for t in inv.table_rows(report):
        combos = "".join(
            f"<div>{e(c['zh'])} <span class='en'>{e(c['en'])}</span>: "
            + e(" + ".join(" / ".join(cols) for cols in c["columns"]))
            + (
                " <span class='muted'>(by column name)</span>"
                if c["basis"] == "column name"
                else ""
            )
            + "</div>"
            for c in t["combinations"]
        )
        minors = f"{t['minors_count']} (<14)" if t["minors"] else ""
        basis = f"<div class='muted'>{e(t['individuals_basis'])}</div>" if t["individuals"] else ""
        rows.append(
            f"<tr><td class='path'>{e(t['path'])}</td><td>{e(t['table'])}</td>"
            f"<td class='num'>{t['rows_scanned']:,}</td><td class='num'>{t['columns']}</td>"
            f"<td class='num'>{t['sensitive']}</td><td class='num'>{t['general']}</td>"
            f"<td class='num'>{t['individuals']:,}{basis}</td><td>{e(minors)}</td>"
            f"<td class='combos'>{combos}</td></tr>"
        )
    return (
        '<section><h2>数据表 <span class="en">Tables</span></h2>'
        '<table class="grid"><thead><tr><th>来源 Source</th><th>表 Table</th><th>行 Rows</th>'
        "<th>列 Columns</th><th>敏感 Sensitive</th><th>一般 General</th>"
        "<th>个人 Individuals</th><th>未成年人 Minors</th><th>可识别组合 Identifying</th>"
        "</tr></thead><tbody>" + "".join(rows) + "</tbody></table></section>"
    )


def _errors(report: dict) -> str:
    errors = report.get("errors", [])
    body = (
        "".join(
            f"<li><span class='path'>{e(x.get('path'))}</span>: {e(x.get('error'))}</li>"
            for x in errors
        )
        if errors
        else "<li class='muted'>无 none</li>"
    )
    return (
        f'<section><h2>错误 <span class="en">Errors</span></h2><ul class="errors">{body}</ul>'
        "</section>"
    )


def _legend() -> str:
    items = "".join(
        f"<li><code>{e(key)}</code> {e(label.get('zh', ''))} "
        f"<span class='en'>{e(label.get('en', ''))}</span></li>"
        for key, label in categories().items()
    )
    return (
        '<section><h2>类别 <span class="en">Categories</span></h2>'
        f'<ul class="legend">{items}</ul></section>'
    )


CSS = """
:root{--ink:#1f2933;--muted:#616e7c;--line:#e4e7eb;--bg:#f5f7fa;--accent:#0b5cad}
*{box-sizing:border-box}
body{margin:0;background:var(--bg);color:var(--ink);font:14px/1.45 system-ui,-apple-system,
"Segoe UI","Noto Sans CJK SC","PingFang SC","Microsoft YaHei",sans-serif}
header{background:#102a43;color:#fff;padding:20px 32px}
header h1{margin:0 0 6px;font-size:22px}
header .meta{color:#bcccdc;font-size:13px}
header .meta b{color:#fff;font-weight:600}
main{max-width:1320px;margin:0 auto;padding:16px 32px 40px}
h2{font-size:17px;margin:28px 0 10px}
.en{color:var(--muted);font-weight:normal;font-size:.9em;margin-left:.3em}
div.en{margin-left:0}
tr.nopi td{color:var(--muted)}tr.nopi td.colname{font-weight:500}
header .en{color:#9fb3c8}
.muted{color:var(--muted);font-size:12.5px}
.cards{display:grid;grid-template-columns:repeat(auto-fill,minmax(190px,1fr));gap:10px;
margin-top:12px}
.card{background:#fff;border:1px solid var(--line);border-radius:8px;padding:12px 14px}
.card .value{font-size:24px;font-weight:650}
.card .label{font-size:13px}
.card .note{font-size:11.5px;color:var(--muted);margin-top:2px}
.card.c-sens .value{color:#c2410c}.card.c-gen .value{color:#a16207}
.card.c-err .value{color:#b91c1c}
.charts{display:grid;grid-template-columns:repeat(auto-fit,minmax(400px,1fr));gap:12px;
margin-top:16px}
figure{margin:0;background:#fff;border:1px solid var(--line);border-radius:8px;padding:10px}
figcaption{font-weight:600;margin-bottom:4px}
svg.chart{width:100%;height:auto;font-size:12px}
svg .lbl{fill:var(--ink)}svg .num,svg .lgd,svg .muted{fill:var(--muted)}
svg .sub{fill:var(--muted);font-size:10.5px}
table.grid{width:100%;border-collapse:collapse;background:#fff;border:1px solid var(--line)}
table.grid th,table.grid td{padding:6px 8px;border-bottom:1px solid var(--line);
text-align:left;vertical-align:top}
table.grid thead th{background:#eef2f6;font-size:12.5px;position:sticky;top:0;z-index:1}
th button{all:unset;cursor:pointer;display:block}
th button .en{display:block;margin:0;font-size:11px}
th[aria-sort=ascending] button::after{content:" ▲";font-size:10px}
th[aria-sort=descending] button::after{content:" ▼";font-size:10px}
td.num,th.num{text-align:right;font-variant-numeric:tabular-nums}
td.path{min-width:120px;max-width:220px;overflow-wrap:anywhere;color:var(--muted);
font-size:12.5px}
td.colname{font-weight:600;overflow-wrap:anywhere;min-width:90px}
tbody tr.col:hover{background:#f8fafc}
tr.hit td{background:#fff7ed}
.badge{display:inline-block;border-radius:10px;padding:1px 8px;font-size:12px;white-space:nowrap}
.badge .en{color:inherit;opacity:.85}
.t-sensitive{background:#fde8dc;color:#9a3412}.t-general{background:#fdf3c8;color:#854d0e}
.t-none{background:#eef2f6;color:#52606d}
.flag{display:inline-block;font-size:11px;border:1px solid #d97706;color:#b45309;
border-radius:8px;padding:0 5px;margin-top:2px}
.flag.f-rev{border-color:#2563eb;color:#1d4ed8}
.pill{display:inline-block;border-radius:10px;padding:1px 8px;font-size:12px;white-space:nowrap}
.p-yes{background:#fde8dc;color:#9a3412}.p-may{background:#fdf3c8;color:#854d0e}
.p-no{background:#eef2f6;color:#52606d}.p-ok{background:#dcfce7;color:#166534}
.controls{display:flex;gap:10px;align-items:center;margin:6px 0 8px}
#filter{flex:1;max-width:520px;padding:7px 10px;border:1px solid #cbd2d9;border-radius:6px;
font:inherit}
#tier-filter{padding:6px;border:1px solid #cbd2d9;border-radius:6px;font:inherit}
button.why{all:unset;cursor:pointer;color:var(--accent);white-space:nowrap}
button.why::before{content:"▸ "}button.why[aria-expanded=true]::before{content:"▾ "}
tr.evrow td{background:#f8fafc;padding:8px 16px 12px}
tr.evrow dl{margin:0;display:grid;grid-template-columns:max-content 1fr;gap:3px 14px;
font-size:12.5px}
tr.evrow dt{color:var(--muted)}tr.evrow dd{margin:0}
table.mini{border-collapse:collapse;font-size:12px}
table.mini th,table.mini td{border:1px solid var(--line);padding:2px 6px}
code{background:#f0f4f8;border-radius:4px;padding:0 4px;font-size:12px}
ul.errors li{margin:3px 0}
td.combos{overflow-wrap:anywhere;font-size:12.5px}
ul.legend{columns:3 260px;padding-left:18px}
footer{color:var(--muted);font-size:12px;margin-top:30px;border-top:1px solid var(--line);
padding-top:10px}
"""

JS = """
(function(){
  var table=document.getElementById('columns');
  if(!table){return;}
  var body=table.tBodies[0], filter=document.getElementById('filter'),
      tier=document.getElementById('tier-filter'), count=document.getElementById('count');
  var rows=Array.prototype.filter.call(body.rows,function(r){return r.classList.contains('col');});
  function evidence(r){
    var b=r.querySelector('button.why');
    return b?document.getElementById(b.getAttribute('aria-controls')):null;
  }
  function showEvidence(r){
    var ev=evidence(r), open=r.querySelector('button.why').getAttribute('aria-expanded')==='true';
    if(ev){ev.hidden=r.hidden||!open;}
  }
  body.addEventListener('click',function(event){
    var b=event.target.closest('button.why'); if(!b){return;}
    var open=b.getAttribute('aria-expanded')!=='true';
    b.setAttribute('aria-expanded',open?'true':'false');
    showEvidence(b.closest('tr'));
  });
  function apply(){
    var q=filter.value.trim().toLowerCase(), t=tier.value, shown=0;
    rows.forEach(function(r){
      var okT=!t||(t==='pi'?r.dataset.tier!=='none':r.dataset.tier===t);
      var ok=okT&&(!q||r.dataset.search.indexOf(q)>=0);
      r.hidden=!ok; showEvidence(r); if(ok){shown++;}
    });
    count.textContent=shown+' / '+rows.length;
  }
  filter.addEventListener('input',apply); tier.addEventListener('change',apply);
  var ths=table.tHead.rows[0].cells;
  Array.prototype.forEach.call(ths,function(th,i){
    var b=th.querySelector('button'); if(!b){return;}
    b.addEventListener('click',function(){
      var dir=th.getAttribute('aria-sort')==='ascending'?-1:1, num=th.dataset.type==='num';
      Array.prototype.forEach.call(ths,function(h){h.removeAttribute('aria-sort');});
      th.setAttribute('aria-sort',dir>0?'ascending':'descending');
      var keyed=rows.map(function(r,k){
        var c=r.cells[i], v=num?parseFloat(c.dataset.v||'0'):c.textContent.trim();
        return [v,k,r];
      });
      keyed.sort(function(a,b){
        var d=num?a[0]-b[0]:a[0].localeCompare(b[0],'zh');
        return d?d*dir:a[1]-b[1];
      });
      keyed.forEach(function(x){
        var ev=evidence(x[2]); body.appendChild(x[2]); if(ev){body.appendChild(ev);}
      });
      rows=keyed.map(function(x){return x[2];});
    });
  });
  apply();
})();
"""


def to_html(report: dict) -> str:
    """The whole inventory page (see the module docstring)."""
    title = report.get("policy_title") or {}
    digest = base64.b64encode(hashlib.sha256(JS.encode("utf-8")).digest()).decode("ascii")
    csp = (
        "default-src 'none'; style-src 'unsafe-inline'; img-src data:; "
        f"script-src 'sha256-{digest}'; base-uri 'none'; form-action 'none'"
    )
    tool = report.get("tool", {})
    meta = (
        f"策略 policy <b>{e(report.get('policy', ''))}</b> {e(title.get('zh', ''))} "
        f"<span class='en'>{e(title.get('en', ''))}</span> · 识别器目录 catalog "
        f"<b>{e(report.get('catalog_version', ''))}</b> · {e(tool.get('name', 'pii-scan'))} "
        f"{e(tool.get('version', ''))}<br>扫描日期 scan date <b>{e(report.get('scan_date', ''))}"
        f"</b> · 生成时间 generated {e(report.get('scanned_at', ''))} · 每表抽样 sample rows "
        f"{e(report.get('sample_rows', '') or 'all')} · schema {e(report.get('schema', ''))}"
    )
    th = json.dumps(report.get("thresholds", {}), ensure_ascii=False, sort_keys=True)
    return (
        "<!DOCTYPE html>\n"
        '<html lang="zh-CN"><head><meta charset="utf-8">'
        f'<meta http-equiv="Content-Security-Policy" content="{e(csp)}">'
        '<meta name="viewport" content="width=device-width, initial-scale=1">'
        "<title>个人信息清单 Personal information inventory</title>"
        f"<style>{CSS}</style></head><body>"
        "<header><h1>个人信息清单 <span class='en'>Personal information inventory</span></h1>"
        f"<div class='meta'>{meta}</div></header><main>"
        + _summary(report)
        + _charts(report)
        + _thresholds(report)
        + _decisions(report)
        + _columns(report)
        + _tables(report)
        + _errors(report)
        + _legend()
        + f"<footer>分类阈值 classification thresholds: <code>{e(th)}</code><br>"
        f"{e(title.get('source', ''))}. {e(values_note(report))} Generated by pii-scan."
        "</footer>"
        f"</main><script>{JS}</script></body></html>\n"
    )
