"""Table rule: latitude and longitude columns are a precise location only as a pair.

A decimal degree alone is no location (and many numbers with four or five decimals are
prices, rates or measurements), so the catalog's per-column coordinate recognizers are weak:
``geo_latitude_cell`` / ``geo_longitude_cell`` under a latitude/longitude header (four or more
decimals), ``geo_degree_cell`` / ``geo_degree_wide_cell`` without one (five or more decimals;
the wide one holds only values beyond ±90, which only a longitude can have). A column whose
values are mostly such degrees gets ``GEO_COORDINATE`` as its verdict from the share rule; this
rule then keeps the verdict only for columns that form a pair:

1. by name: a latitude-named and a longitude-named column of the table;
2. otherwise by position: two such columns side by side, the one whose values all fit a
   latitude (|v| ≤ 90) taken as the latitude (the first one if both fit).

A column left without a partner loses the verdict (entity ``null``). A latitude must not hold
values beyond ±90: this is read from the report's per-recognizer evidence when the scanner
provides it. Columns with strong coordinate evidence, or mostly "lat,lng" strings (both halves
in one cell, by the same evidence), are not touched. Pairs are recorded in the table entry
(``geo_pairs``) and in each column's evidence.
"""

from __future__ import annotations

from ..catalog import Catalog
from .names import column_matches
from .table_rules import TableContext, rule

ENTITY = "GEO_COORDINATE"
LATITUDE_IDS = ("geo_latitude_cell",)
LONGITUDE_IDS = ("geo_longitude_cell",)
BEYOND_LATITUDE_IDS = ("geo_degree_wide_cell",)
PAIR_IDS = ("geo_latlng_pair",)


def _names(catalog: Catalog, ids: tuple[str, ...]) -> list[str]:
    out: list[str] = []
    for rec in catalog:
        if rec.id in ids:
            out.extend(rec.column_names)
    return out


def _recognizer_cells(column: dict) -> dict[str, int] | None:
    found = column.get("evidence", {}).get("recognizers")
    if found is None:
        return None
    return {r["id"]: int(r.get("cells", 0)) for r in found if isinstance(r, dict) and "id" in r}


def _fits_latitude(column: dict) -> bool:
    cells = _recognizer_cells(column)
    if cells is None:  # no per-recognizer evidence: cannot tell, accept
        return True
    return not any(cells.get(rid, 0) for rid in BEYOND_LATITUDE_IDS)


def _mostly_pairs(column: dict) -> bool:
    cells = _recognizer_cells(column)
    if not cells:
        return False
    pairs = sum(cells.get(rid, 0) for rid in PAIR_IDS)
    return pairs * 2 >= sum(cells.values())


def _drop(ctx: TableContext, column: dict) -> None:
    column["entity"] = None
    column["tier"] = None
    column["tiers"] = {name: None for name in ctx.policies}
    column["category"] = None
    column["confidence"] = 0.0
    evidence = column.setdefault("evidence", {})
    evidence["reason"] = "decimal degrees without a latitude/longitude partner column"
    if "rule" in evidence:
        evidence["rule"] = None
    evidence["geo_pair"] = None


def _pair(ctx: TableContext, lat: dict, lng: dict, how: str) -> None:
    ctx.table.setdefault("geo_pairs", []).append(
        {"latitude": lat["name"], "longitude": lng["name"], "by": how}
    )
    for col, role, other in ((lat, "latitude", lng), (lng, "longitude", lat)):
        col.setdefault("evidence", {})["geo_pair"] = {"role": role, "with": other["name"]}


@rule
def coordinate_pairs(ctx: TableContext) -> None:
    """Keep GEO_COORDINATE on paired latitude/longitude columns only (module docstring)."""
    columns = ctx.table["columns"]
    weak = []
    for col in columns:
        if col.get("entity") != ENTITY:
            continue
        stats = ctx.stats.get(col["name"])
        ev = stats.entities.get(ENTITY) if stats else None
        if ev is not None and ev.strong_cells > 0:
            continue  # coordinate strings with context: a location on their own
        if _mostly_pairs(col):
            continue  # "lat,lng" strings: both halves in one column
        weak.append(col)
    if not weak:
        return
    lat_names = _names(ctx.catalog, LATITUDE_IDS)
    lng_names = _names(ctx.catalog, LONGITUDE_IDS)
    paired: set[int] = set()
    lats = [c for c in weak if column_matches(c["name"], lat_names) and _fits_latitude(c)]
    lngs = [c for c in weak if column_matches(c["name"], lng_names)]
    for lat, lng in zip(lats, lngs, strict=False):
        _pair(ctx, lat, lng, "name")
        paired.update((id(lat), id(lng)))
    order = [c for c in columns if c in weak]
    position = {id(c): i for i, c in enumerate(columns)}
    i = 0
    while i + 1 < len(order):
        a, b = order[i], order[i + 1]
        free = id(a) not in paired and id(b) not in paired
        side_by_side = free and position[id(b)] == position[id(a)] + 1
        if side_by_side and (_fits_latitude(a) or _fits_latitude(b)):
            lat, lng = (a, b) if _fits_latitude(a) else (b, a)
            _pair(ctx, lat, lng, "position")
            paired.update((id(a), id(b)))
            i += 2
            continue
        i += 1
    for col in weak:
        if id(col) not in paired:
            _drop(ctx, col)
