"""The human summary: one aligned row per column, CJK characters counted as two cells wide.

>>> display_width("身份证号"), pad("手机", 6) + "|"
(8, '手机  |')
"""

from __future__ import annotations

import unicodedata

from ..classify.policy import categories

HEADERS = ("source", "table", "column", "entity", "tier", "conf", "match")


def display_width(text: str) -> int:
    return sum(2 if unicodedata.east_asian_width(ch) in "WF" else 1 for ch in text)


def pad(text: str, width: int) -> str:
    return text + " " * max(width - display_width(text), 0)


def _truncate(text: str, width: int) -> str:
    if display_width(text) <= width:
        return text
    out, used = "", 0
    for ch in text:
        w = display_width(ch)
        if used + w > width - 1:
            break
        out, used = out + ch, used + w
    return out + "…"


def render_table(report: dict, *, color: bool = False, max_col: int = 36) -> str:
    """The report as an aligned text table, followed by errors and a one-line summary."""
    rows = []
    for src in report["sources"]:
        for table in src["tables"]:
            for col in table["columns"]:
                tier = col["tier"] or "-"
                if table.get("minors") and col["tier"]:
                    tier += " (minors)"
                rows.append(
                    (
                        src["path"],
                        table["name"],
                        col["name"],
                        col["entity"] or "-",
                        tier,
                        f"{col['confidence']:.2f}" if col["entity"] else "-",
                        f"{col['match_ratio']:.0%}" if col["entity"] else "-",
                    )
                )
    cells = [HEADERS, *[tuple(_truncate(c, max_col) for c in r) for r in rows]]
    widths = [max(display_width(r[i]) for r in cells) for i in range(len(HEADERS))]
    lines = []
    for n, r in enumerate(cells):
        line = "  ".join(pad(c, w) for c, w in zip(r, widths, strict=True)).rstrip()
        if color and n and "sensitive" in r[4]:
            line = f"\x1b[31m{line}\x1b[0m"
        elif color and n and r[4].startswith("general"):
            line = f"\x1b[33m{line}\x1b[0m"
        lines.append(line)
        if n == 0:
            lines.append("  ".join("-" * w for w in widths))
    s = report["summary"]
    by_tier = s["columns_by_tier"]
    lines.append("")
    lines.append(
        f"{s['sources']} source(s), {s['tables']} table(s), {s['columns']} column(s): "
        f"{by_tier['sensitive']} sensitive, {by_tier['general']} general; policy {report['policy']}"
    )
    cats = categories()
    seen = sorted(
        {
            c["category"]
            for src in report["sources"]
            for t in src["tables"]
            for c in t["columns"]
            if c["entity"]
        }
    )
    if seen:
        lines.append(
            "categories: "
            + "; ".join(f"{cats[c]['zh']} {cats[c]['en']}" for c in seen if c in cats)
        )
    if s.get("excluded_files"):
        lines.append(f"{s['excluded_files']} file(s) excluded by --include/--exclude")
    if s.get("unsupported_files"):
        lines.append(f"{len(s['unsupported_files'])} file(s) of unsupported formats not scanned")
    for err in report["errors"]:
        lines.append(f"error: {err['path']}: {err['error']}")
    return "\n".join(lines) + "\n"
