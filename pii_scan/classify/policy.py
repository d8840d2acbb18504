"""Policies: which tier (sensitive / general / none) and legal category each entity gets.

A policy is a TOML file (``models/policies/*.toml``; its header documents the shape). Built-in
policies are looked up by name; anything else is read as a path to a user's policy file.

>>> p = load_policy("gbt35273")
>>> p.tier("CN_RESIDENT_ID"), load_policy("gbt45574").tier("CN_RESIDENT_ID")
('sensitive', 'general')
>>> [load_policy(n).tier("HEALTH", "health_blood_type_cell") for n in ("gbt35273", "gbt45574")]
['sensitive', 'general']
>>> load_policy("gbt45574").recognizers["health_blood_type_cell"]
('general', ('HEALTH',))
"""

from __future__ import annotations

from dataclasses import dataclass, field
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
    #: recognizer id -> (tier or None, entities whose column in the same table makes what it
    #: finds sensitive): where a recognizer's findings are tiered apart from its entity's
    recognizers: dict[str, tuple[str | None, tuple[str, ...]]] = field(default_factory=dict)

    def tier(self, entity: str | None, recognizer: str | None = None) -> str | None:
        """The tier of ``entity``; of a finding of ``recognizer`` where the policy says."""
        if entity is None:
            return None
        if recognizer in self.recognizers:
            return self.recognizers[recognizer][0]
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
        entities, recognizers = {}, {}
        for entity, spec in raw.get("entities", {}).items():
            tier = _tier(path, entity, spec)
            entities[entity] = (tier, spec.get("category", "basic"))
        for rid, spec in raw.get("recognizers", {}).items():
            linked = spec.get("sensitive_with", [])
            if not isinstance(linked, list) or not all(isinstance(e, str) for e in linked):
                raise CatalogError(f"{path.name}: {rid}: sensitive_with must list entity ids")
            recognizers[rid] = (_tier(path, rid, spec), tuple(linked))
        title = raw.get("title", {})
        return Policy(
            name=raw["name"],
            title_zh=title.get("zh", ""),
            title_en=title.get("en", ""),
            source=raw.get("source", ""),
            minors_age=int(raw.get("minors_age", 0)),
            entities=entities,
            recognizers=recognizers,
        )
    except (OSError, tomllib.TOMLDecodeError, KeyError, AttributeError) as exc:
        raise CatalogError(f"policy file {path}: {exc}") from None


def _tier(path: Path, key: str, spec: dict) -> str | None:
    tier = spec.get("tier", "general")
    if tier not in (*TIERS, "none"):
        raise CatalogError(f"{path.name}: {key}: tier must be sensitive/general/none")
    return None if tier == "none" else tier


@cache
def categories() -> dict[str, dict[str, str]]:
    """Legal category key -> {"zh": ..., "en": ...}."""
    return tomllib.loads((data_dir("models") / "categories.toml").read_text(encoding="utf-8"))


@cache
def thresholds() -> dict:
    """The classifier thresholds of ``models/classification.toml``."""
    return tomllib.loads((data_dir("models") / "classification.toml").read_text(encoding="utf-8"))
