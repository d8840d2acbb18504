"""Rules over a whole table, applied after every column has its verdict.

Some verdicts need more than one column: a latitude column is a precise location only next to
a longitude column; a name becomes identifying next to a phone or an ID. Each rule is a small
function that reads and may amend the table's report entry (``table["columns"]`` in report
shape) using the per-column statistics, and records what it did in the entry. Rules run in the
order of :data:`RULES`; add a rule by decorating it with :func:`rule`.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass, field

from ..catalog import Catalog
from .columns import ColumnStats
from .policy import Policy


@dataclass
class TableContext:
    table: dict  # the report's table entry, columns already decided
    stats: dict[str, ColumnStats]
    catalog: Catalog
    policy: Policy
    policies: dict[str, Policy]
    cfg: dict
    minors: dict[str, bool] = field(default_factory=dict)  # policy name -> holds minors


Rule = Callable[[TableContext], None]
RULES: list[Rule] = []


def rule(fn: Rule) -> Rule:
    RULES.append(fn)
    return fn


def apply(ctx: TableContext) -> None:
    for fn in RULES:
        fn(ctx)
