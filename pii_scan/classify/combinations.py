"""Table rule: combinations of columns that identify a person (name + phone, name + ID, ...).

A name alone, or a phone number alone, says little; side by side in one table they single out
a person, and GB/T 35273-2020 / TC260-PG-20244A judge such aggregated information as a whole.
The combinations are data (``[[combinations]]`` in ``models/table_rules.toml``): each has
roles, and a table meets a combination when distinct columns fill every role. A column fills a
role when its verdict is one of the role's entities; for the name role a column whose *name*
says "name" (``姓名``, ``收货人``, ``full_name``...) also counts, and the flag then records
``"basis": "column name"`` so a reviewer knows it is the weaker signal.

The rule adds to the table entry ``"identifying": true`` and ``"combinations": [...]`` (id,
bilingual label, the columns filling each role, basis). It never changes a column's tier.

>>> from pii_scan.scan import scan_table
>>> import pyarrow as pa
>>> t = scan_table(pa.table({"姓名": ["张三"], "手机号": ["13800138000"]}))
>>> t["identifying"], [c["id"] for c in t["combinations"]]
(True, ['name+phone'])
"""

from __future__ import annotations

from .evidence import settings
from .names import column_matches
from .table_rules import TableContext, rule


def _name_synonyms(ctx: TableContext, role_entity: str) -> list[str]:
    names = list(settings()["combination_settings"]["name_columns"])
    for r in ctx.catalog:
        if r.entity == role_entity:
            names.extend(r.column_names)
    return names


@rule
def identifying_combinations(ctx: TableContext) -> None:
    """Flag tables holding the roles of an identifying combination in separate columns."""
    cfg = settings()
    name_role = cfg["combination_settings"]["name_role"]
    synonyms = _name_synonyms(ctx, name_role)
    columns = ctx.table["columns"]
    found = []
    for combo in cfg["combinations"]:
        filled: list[list[str]] = []
        by_name = False
        for role in combo["roles"]:
            holders = [c["name"] for c in columns if c["entity"] in role]
            if not holders and name_role in role:
                holders = [
                    c["name"]
                    for c in columns
                    if c["entity"] is None and column_matches(c["name"], synonyms)
                ]
                by_name = bool(holders)
            filled.append(holders)
        if not all(filled) or not _distinct_columns(filled):
            continue
        found.append(
            {
                "id": combo["id"],
                "zh": combo["zh"],
                "en": combo["en"],
                "columns": filled,
                "basis": "column name" if by_name else "values",
            }
        )
    if found:
        ctx.table["identifying"] = True
        ctx.table["combinations"] = found


def _distinct_columns(filled: list[list[str]]) -> bool:
    """Can each role be filled by a different column? (small sets: a greedy pass suffices
    when roles are tried from the fewest candidates up)."""
    used: set[str] = set()
    for holders in sorted(filled, key=len):
        free = [h for h in holders if h not in used]
        if not free:
            return False
        used.add(free[0])
    return True
