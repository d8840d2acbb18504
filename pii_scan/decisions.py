"""Reviewed decisions: a reviewer pins or overrides column verdicts, like a scan baseline.

A decisions file is TOML (``docs/decisions.md`` has the full description)::

    version = 1

    # quick pins: "TABLE.COLUMN" = "not personal" | ENTITY
    [columns]
    "orders.order_no" = "not personal"
    "crm.remark" = "HEALTH"

    # full entries, with who, when, why and the evidence they saw
    [[decision]]
    column = "customers.备注"          # TABLE.COLUMN (dots inside names are fine)
    verdict = "HEALTH"                 # an entity id, or "not personal"
    tier = "sensitive"                 # optional: pin the tier (else the policy's tier)
    path = "crm/*.csv"                 # optional: glob on the source path
    reviewer = "王芳"
    date = 2026-03-01
    reason = "remarks hold diagnoses"
    fingerprint = "ce78c7a1df75"       # optional: evidence fingerprint at review time

:func:`apply` changes the matching columns of a report and lists every override in
``report["decisions"]``. A decision is *stale* when its column is gone (``missing``) or its
evidence fingerprint differs from the one recorded (``changed``: the data is not what the
reviewer saw). A changed decision is **not applied**, so a "not personal" pin cannot hide
identity numbers that appeared later; the column keeps the scanner's verdict until reviewed.

>>> d = parse_decisions('[columns]\\n"orders.order_no" = "not personal"\\n', "d.toml")
>>> d[0].column, d[0].entity
('orders.order_no', None)
"""

from __future__ import annotations

import datetime as dt
import fnmatch
from dataclasses import dataclass
from pathlib import Path

import tomllib

from .catalog import load_catalog
from .classify.policy import TIERS, Policy, builtin_policies, load_policy
from .classify.recognizer_tiers import apply_recognizer_tiers
from .report.inventory import finalize, recount

NOT_PERSONAL = {"not personal", "not_personal", "none", "not pi", "non-personal"}


class DecisionsError(ValueError):
    """A decisions file is malformed."""


@dataclass(frozen=True)
class Decision:
    column: str  # TABLE.COLUMN as written
    entity: str | None  # None: not personal information
    tier: str | None = None  # a pinned tier, else the policy's tier for ``entity``
    path: str | None = None
    reviewer: str = ""
    date: str = ""
    reason: str = ""
    fingerprint: str | None = None

    @property
    def verdict(self) -> str:
        return self.entity or "not personal"


def _known_entities() -> set[str]:
    known = set(load_catalog().entities)
    for name in builtin_policies():
        known |= set(load_policy(name).entities)
    return known


def _verdict(value, where: str, known: set[str]) -> str | None:
    if not isinstance(value, str) or not value.strip():
        raise DecisionsError(f"{where}: verdict must be an entity id or 'not personal'")
    text = value.strip()
    if text.lower() in NOT_PERSONAL:
        return None
    if text.upper() not in known:
        raise DecisionsError(
            f"{where}: unknown verdict {text!r} (an entity id such as HEALTH, or 'not personal')"
        )
    return text.upper()


def parse_decisions(text: str, name: str = "decisions") -> list[Decision]:
    """Decisions in a TOML text (see the module docstring)."""
    try:
        raw = tomllib.loads(text)
    except tomllib.TOMLDecodeError as exc:
        raise DecisionsError(f"{name}: {exc}") from None
    known = _known_entities()
    out: list[Decision] = []
    for column, value in (raw.get("columns") or {}).items():
        out.append(Decision(column=column, entity=_verdict(value, f"{name}: {column}", known)))
    for n, entry in enumerate(raw.get("decision") or [], 1):
        where = f"{name}: [[decision]] #{n}"
        if not isinstance(entry, dict) or not isinstance(entry.get("column"), str):
            raise DecisionsError(f'{where}: needs column = "TABLE.COLUMN"')
        tier = entry.get("tier")
        if tier is not None and tier not in (*TIERS, "none"):
            raise DecisionsError(f"{where}: tier must be sensitive, general or none")
        date = entry.get("date", "")
        out.append(
            Decision(
                column=entry["column"],
                entity=_verdict(entry.get("verdict"), where, known),
                tier=tier,
                path=entry.get("path"),
                reviewer=str(entry.get("reviewer", "")),
                date=date.isoformat() if isinstance(date, dt.date) else str(date),
                reason=str(entry.get("reason", "")),
                fingerprint=entry.get("fingerprint"),
            )
        )
    unknown = set(raw) - {"version", "columns", "decision"}
    if unknown:
        raise DecisionsError(f"{name}: unknown keys {sorted(unknown)}")
    return out


def load_decisions(path: str | Path) -> list[Decision]:
    p = Path(path)
    try:
        text = p.read_text(encoding="utf-8")
    except OSError as exc:
        raise DecisionsError(f"cannot read decisions file {p}: {exc.strerror or exc}") from None
    return parse_decisions(text, p.name)


def _matches(report: dict, d: Decision):
    """(source, table, column) entries that decision ``d`` names."""
    key = d.column
    splits = [i for i, ch in enumerate(key) if ch == "."]
    for src in report.get("sources", []):
        if d.path and not fnmatch.fnmatch(src["path"], d.path):
            continue
        for table in src.get("tables", []):
            for i in splits:
                if key[:i] != table["name"]:
                    continue
                for col in table["columns"]:
                    if col["name"] == key[i + 1 :]:
                        yield src, table, col


def _tier(policy: Policy, entity: str | None, pinned: str | None, minors: bool) -> str | None:
    if entity is None:
        return None
    tier = (None if pinned == "none" else pinned) if pinned is not None else policy.tier(entity)
    return "sensitive" if tier is not None and minors else tier


def apply(
    report: dict, decisions: list[Decision], *, policy: Policy | None = None, file: str = ""
) -> dict:
    """Apply ``decisions`` to ``report`` in place (and return it); see the module docstring."""
    policy = policy or _report_policy(report)
    policies = {name: load_policy(name) for name in builtin_policies()}
    applied, stale = [], []
    for d in decisions:
        hits = list(_matches(report, d))
        if not hits:
            stale.append({**_describe(d), "status": "missing", "detail": "no such column"})
            continue
        for src, table, col in hits:
            now = col.get("evidence", {}).get("fingerprint")
            where = {"path": src["path"], "table": table["name"], "column": col["name"]}
            if d.fingerprint and now and d.fingerprint != now:
                stale.append(
                    {
                        **_describe(d),
                        **where,
                        "status": "changed",
                        "fingerprint_now": now,
                        "detail": "the column's evidence changed since review; not applied",
                    }
                )
                continue
            was = {k: col.get(k) for k in ("entity", "tier", "category", "confidence")}
            minors = bool(table.get("minors"))
            col["entity"] = d.entity
            col["tier"] = _tier(policy, d.entity, d.tier, minors)
            col["tiers"] = {
                name: _tier(p, d.entity, d.tier, minors and p.minors_age > 0)
                for name, p in policies.items()
            }
            col["category"] = policy.category(d.entity)
            col["confidence"] = 1.0
            if d.entity is not None:
                col.setdefault("entities", {}).setdefault(d.entity, 0)
            col["decision"] = {**_describe(d), "was": was}
            applied.append({**_describe(d), **where, "was": was, "now": col["tier"]})
    for src in report.get("sources", []):  # decided entities change what other columns link to
        for table in src.get("tables", []):
            minors = {
                p.name: bool(table.get("minors")) and p.minors_age > 0 for p in policies.values()
            }
            minors[policy.name] = bool(table.get("minors"))
            apply_recognizer_tiers(table["columns"], policy, policies, minors)
    report["decisions"] = {
        "file": file,
        "count": len(decisions),
        "applied": applied,
        "stale": stale,
    }
    recount(report)
    finalize(report)
    return report


def _describe(d: Decision) -> dict:
    out = {"decision": d.column, "verdict": d.verdict}
    for key in ("tier", "path", "reviewer", "date", "reason", "fingerprint"):
        value = getattr(d, key)
        if value:
            out[key] = value
    return out


def _report_policy(report: dict) -> Policy:
    name = report.get("policy") or "gbt35273"
    if name in builtin_policies():
        return load_policy(name)
    raise DecisionsError(
        f"the report was made with policy {name!r}, which is not built in: pass --policy FILE"
    )
