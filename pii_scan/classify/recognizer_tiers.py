"""Table rule: tiers a policy gives a recognizer's findings apart from its entity's.

GB/T 45574-2025 keeps height, weight, blood pressure and blood type general personal
information *unless they are linked to a medical condition*, while they are HEALTH like
diagnoses. The gbt45574 policy therefore tiers their recognizers apart::

    [recognizers]
    health_blood_type_cell = { tier = "general", sensitive_with = ["HEALTH"] }

A column whose matches of its entity all come from such recognizers takes their tier (the
highest of them). With ``sensitive_with`` it is sensitive when another column of the table
holds one of those entities on its own terms, not through such recognizers: 身高 next to 体重
stays general, next to 诊断 it is sensitive. Minors still make every personal column
sensitive. Under the run's policy the column's evidence says so: ``tier_by`` (the
recognizers) and ``sensitive_with`` (the linking columns).

>>> from pii_scan.classify.policy import load_policy
>>> def col(name, rid, cells=5):
...     recs = [{"id": rid, "entity": "HEALTH", "cells": cells}]
...     return {"name": name, "entity": "HEALTH", "tier": "sensitive",
...             "tiers": {"gbt45574": "sensitive"}, "evidence": {"recognizers": recs}}
>>> pol = load_policy("gbt45574")
>>> cols = [col("身高", "health_body_metrics_cell"), col("血型", "health_blood_type_cell")]
>>> apply_recognizer_tiers(cols, pol, {"gbt45574": pol}, {})
>>> [(c["tier"], c["evidence"]["tier_by"]) for c in cols]
[('general', ['health_body_metrics_cell']), ('general', ['health_blood_type_cell'])]
>>> cols.append(col("诊断", "health_terms"))
>>> apply_recognizer_tiers(cols, pol, {"gbt45574": pol}, {})
>>> [(c["tier"], c["evidence"].get("sensitive_with")) for c in cols]
[('sensitive', ['诊断']), ('sensitive', ['诊断']), ('sensitive', None)]
"""

from __future__ import annotations

from .policy import TIER_RANK, Policy
from .table_rules import TableContext, rule


@rule
def recognizer_tiers(ctx: TableContext) -> None:
    """Tier the columns found only by recognizers the policies tier apart (module docstring)."""
    apply_recognizer_tiers(ctx.table["columns"], ctx.policy, ctx.policies, ctx.minors)


def apply_recognizer_tiers(
    columns: list[dict], policy: Policy, policies: dict[str, Policy], minors: dict[str, bool]
) -> None:
    """The rule on a table's report columns (``minors``: policy name -> the table holds
    minors under it). A column a reviewer decided keeps the tier the decision gave it."""
    for name, pol in [(None, policy), *policies.items()]:
        apart = {}
        for i, c in enumerate(columns):
            ids = _found_by(c)
            if "decision" not in c and ids and all(r in pol.recognizers for r in ids):
                apart[i] = ids
        holders: dict[str, list[str]] = {}
        for i, c in enumerate(columns):
            if c.get("entity") and i not in apart:
                holders.setdefault(c["entity"], []).append(c["name"])
        for i, ids in apart.items():
            c = columns[i]
            tier = max((pol.recognizers[r][0] for r in ids), key=TIER_RANK.__getitem__)
            linked = [h for r in ids for e in pol.recognizers[r][1] for h in holders.get(e, [])]
            linked = list(dict.fromkeys(linked))
            if tier is not None and (linked or minors.get(pol.name)):
                tier = "sensitive"
            if name is None:
                c["tier"] = tier
                evidence = c.setdefault("evidence", {})
                evidence["tier_by"] = ids
                if linked:
                    evidence["sensitive_with"] = linked
            elif name in c.get("tiers", {}):
                c["tiers"][name] = tier


def _found_by(column: dict) -> list[str]:
    """The recognizers whose matches of the column's entity were seen in it."""
    entity = column.get("entity")
    found = column.get("evidence", {}).get("recognizers") or []
    if entity is None:
        return []
    return [r["id"] for r in found if r.get("entity") == entity and r.get("cells", 0) > 0]
