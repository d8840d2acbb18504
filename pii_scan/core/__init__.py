"""The vectorized matching core: Arrow string arrays in, Arrow tables of matches out."""

from .matcher import MATCH_SCHEMA, Matcher

__all__ = ["MATCH_SCHEMA", "Matcher"]
