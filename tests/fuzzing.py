"""Hypothesis settings shared by the fuzz tests: fixed, derandomized case counts, so a run
says exactly how many cases it generated; ``PII_SCAN_FUZZ_SCALE=N`` runs N times as many,
randomized."""

from __future__ import annotations

import os

from hypothesis import HealthCheck, settings

SCALE = max(1, int(os.environ.get("PII_SCAN_FUZZ_SCALE", "1") or 1))


def fuzz(max_examples: int, *, any_health: bool = False) -> settings:
    """The settings of one property: ``max_examples`` cases (times ``PII_SCAN_FUZZ_SCALE``).

    ``any_health``: no health check at all, for strategies built from catalog patterns
    (filtered, or slow to generate for long repetitions)."""
    return settings(
        max_examples=max_examples * SCALE,
        derandomize=SCALE == 1,
        database=None,
        deadline=None,
        suppress_health_check=(
            list(HealthCheck) if any_health else [HealthCheck.too_slow, HealthCheck.data_too_large]
        ),
    )
