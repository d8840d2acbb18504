"""Shared fixtures for the validator tests."""

from __future__ import annotations

import importlib.util
import random
import sys
from collections.abc import Callable, Sequence
from pathlib import Path

import numpy as np
import pytest

if importlib.util.find_spec("pii_scan") is None:  # checkout not installed: import it from here
    sys.path.insert(0, str(Path(__file__).resolve().parents[2]))

#: Fixed seed for every generated data set, so failures reproduce.
SEED = 20240601

BatchRunner = Callable[[Callable[[np.ndarray], np.ndarray], Sequence[str]], np.ndarray]


def to_batch(values: Sequence[str]) -> np.ndarray:
    """Equal-length ASCII strings as an ``(n, L)`` uint8 array."""
    width = len(values[0]) if values else 0
    raw = b"".join(value.encode("ascii") for value in values)
    return np.frombuffer(raw, dtype=np.uint8).reshape(len(values), width)


def run_batch_grouped(
    batch: Callable[[np.ndarray], np.ndarray], values: Sequence[str]
) -> np.ndarray:
    """Run ``batch`` over values of mixed lengths, one call per length, in input order."""
    result = np.zeros(len(values), dtype=bool)
    by_length: dict[int, list[int]] = {}
    for index, value in enumerate(values):
        by_length.setdefault(len(value), []).append(index)
    for indexes in by_length.values():
        out = batch(to_batch([values[i] for i in indexes]))
        assert out.dtype == bool and out.shape == (len(indexes),)
        result[indexes] = out
    return result


@pytest.fixture(scope="session")
def seed() -> int:
    return SEED


@pytest.fixture
def rng() -> random.Random:
    return random.Random(SEED)


@pytest.fixture(scope="session")
def run_batch() -> BatchRunner:
    return run_batch_grouped


@pytest.fixture(scope="session")
def chars() -> Callable[[Sequence[str]], np.ndarray]:
    return to_batch


def fullwidth(text: str) -> str:
    """ASCII ``!``-``~`` to their full-width forms U+FF01-U+FF5E, space to U+3000."""
    return "".join(
        chr(ord(c) + 0xFEE0) if "!" <= c <= "~" else "\u3000" if c == " " else c for c in text
    )


@pytest.fixture(scope="session")
def to_fullwidth() -> Callable[[str], str]:
    return fullwidth
