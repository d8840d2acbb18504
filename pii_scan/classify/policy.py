"""Policies: which tier (sensitive / general / none) and legal category each entity gets.

A policy is a TOML file (``models/policies/*.toml``; its header documents the shape). Built-in
policies are looked up by name; anything else is read as a path to a user's policy file.

>>> p = load_policy("gbt35273")
>>> p.tier("CN_RESIDENT_ID"), load_policy("gbt45574").tier("CN_RESIDENT_ID")
('sensitive', 'general')
"""

from __future__ import annotations

from dataclasses import dataclass
from functools import cache
from pathlib import Path

import tomllib

from ..catalog import CatalogError, data_dir

TIERS = ("sensitive", "general")
TIER_RANK = {"sensitive": 2, "general": 1, None: 0}


@dataclass(frozen=True)
class Policy:
    name: str
    title_zh: str
    title_en: str
    source: str
    minors_age: int
    entities: dict[str, tuple[str | None, str]]  # entity -> (tier or None, category key)

    def tier(self, entity: str | None) -> str | None:
        if entity is None:
            return None
        return self.entities.get(entity, ("general", "basic"))[0]

    def category(self, entity: str | None) -> str | None:
        if entity is None:
            return None
        return self.entities.get(entity, ("general", "basic"))[1]


def builtin_policies() -> list[str]:
    return sorted(p.stem for p in (data_dir("models") / "policies").glob("*.toml"))


@cache
def load_policy(name_or_path: str) -> Policy:
    """A built-in policy by name, or a policy file by path."""
    path = data_dir("models") / "policies" / f"{name_or_path}.toml"
    if not path.is_file():
        path = Path(name_or_path)
    if not path.is_file():
        raise CatalogError(
            f"unknown policy {name_or_path!r}: use one of {builtin_policies()} or a policy file"
        )
    try:
        raw = tomllib.loads(path.read_text(encoding="utf-8"))
        entities = {}
        for entity, spec in raw.get("entities", {}).items():
            tier = spec.get("tier", "general")
            if tier not in (*TIERS, "none"):
                raise CatalogError(f"{path.name}: {entity}: tier must be sensitive/general/none")
            entities[entity] = (None if tier == "none" else tier, spec.get("category", "basic"))
        title = raw.get("title", {})
        return Policy(
            name=raw["name"],
            title_zh=title.get("zh", ""),
            title_en=title.get("en", ""),
            source=raw.get("source", ""),
            minors_age=int(raw.get("minors_age", 0)),
            entities=entities,
        )
    except (OSError, tomllib.TOMLDecodeError, KeyError, AttributeError) as exc:
        raise CatalogError(f"policy file {path}: {exc}") from None


@cache
def categories() -> dict[str, dict[str, str]]:
    """Legal category key -> {"zh": ..., "en": ...}."""
    return tomllib.loads((data_dir("models") / "categories.toml").read_text(encoding="utf-8"))


@cache
def thresholds() -> dict:
    """The classifier thresholds of ``models/classification.toml``."""
    return tomllib.loads((data_dir("models") / "classification.toml").read_text(encoding="utf-8"))
