"""Column verdicts, policies and table rules. Importing the package registers the rules."""

from . import combinations, geo, recognizer_tiers  # noqa: F401  (register their table rules)
