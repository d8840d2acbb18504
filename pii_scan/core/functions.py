"""Recognizers that need code, not just a pattern: ``kind = "function"`` in the catalog.

A function recognizer names an entry of :data:`FUNCTIONS` (``match.function``). The matcher
calls it once per array with the folded buffer, the folded strings as Arrow, and the indices of
the cells worth looking at (``None`` = all; with ``requires_context`` only cells holding a
context word, or all when the column name matches), and it returns (cells, starts, ends) as
int64 arrays of byte positions in the folded buffer. A function should work on whole arrays
(pyarrow/NumPy) and keep per-cell Python to the few cells that need it, e.g. running jieba only
on prefiltered free-text cells, importing heavy modules lazily.
"""

from __future__ import annotations

from collections.abc import Callable

import numpy as np
import pyarrow as pa

from ..catalog import Recognizer
from .buffers import TextBuffer

Spans = tuple[np.ndarray, np.ndarray, np.ndarray]
FunctionRecognizer = Callable[[TextBuffer, pa.Array, "np.ndarray | None", Recognizer], Spans]

FUNCTIONS: dict[str, FunctionRecognizer] = {}


def register(name: str) -> Callable[[FunctionRecognizer], FunctionRecognizer]:
    """Decorator adding a function recognizer under ``name``."""

    def add(fn: FunctionRecognizer) -> FunctionRecognizer:
        FUNCTIONS[name] = fn
        return fn

    return add


def get(name: str) -> FunctionRecognizer:
    if name not in FUNCTIONS:
        # Modules that register functions; imported on first use only.
        from . import function_modules  # noqa: F401
    try:
        return FUNCTIONS[name]
    except KeyError:
        raise KeyError(
            f"unknown function recognizer {name!r}; known: {sorted(FUNCTIONS)}"
        ) from None
