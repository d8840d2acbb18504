"""First-character sets must never exclude a cell the pattern could match (soundness)."""

from __future__ import annotations

import re

import numpy as np
import pyarrow as pa
import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from pii_scan.catalog import load_catalog
from pii_scan.core.buffers import TextBuffer
from pii_scan.core.firstchar import cell_first_chars, first_chars, may_start

# Hypothesis builds strings from the pattern; patterns demanding long repetitions (vectors of
# 128 numbers) take it minutes per string, and start with a digit or bracket anyway.
PATTERNS = [
    r
    for r in load_catalog()
    if r.pattern
    and r.kind in ("cell", "function")
    and max(map(int, re.findall(r"\{(\d+)", r.pattern)), default=0) <= 16
]


@pytest.mark.parametrize("rec", PATTERNS, ids=lambda r: r.id)
def test_generated_matches_start_with_an_admitted_character(rec):
    table = first_chars(rec.pattern, rec.ignore_case)
    if table is None:
        pytest.skip("pattern may start with anything: nothing is filtered")
    # RE2 classes are ASCII (\d, \s); re.ASCII makes Python generate the same.
    flags = re.ASCII | (re.IGNORECASE if rec.ignore_case else 0)

    @settings(max_examples=40, deadline=None, suppress_health_check=list(HealthCheck))
    @given(st.from_regex(re.compile(rec.presidio_pattern, flags), fullmatch=True))
    def check(text: str) -> None:
        if text and ord(text[0]) < 0x10000:
            assert table[ord(text[0])], (rec.id, text)

    check()


@pytest.mark.parametrize(
    "pattern, admitted, refused",
    [
        ("(?:男|女)性?", "男女", "张1"),
        ("[0-9]+|-[0-9]", "07-", "a+"),
        ("x?y", "xy", "z"),
        ("(?i:ab)c", "aA", "bc"),
        (r"\d{2}|\s+q", "09 \t", "q"),
    ],
)
def test_first_chars_of_small_patterns(pattern, admitted, refused):
    table = first_chars(pattern)
    assert all(table[ord(c)] for c in admitted)
    assert not any(table[ord(c)] for c in refused)


@pytest.mark.parametrize("pattern", ["[^x]", ".+", "a*", "(?=a)a", r"\w+", "(?:)"])
def test_unknown_or_empty_starts_admit_everything(pattern):
    assert first_chars(pattern) is None


def test_cells_starting_with_space_or_nothing_pass_every_filter():
    buf = TextBuffer.from_array(pa.array([" 男", "", None, "\u3000女", "张", "１"]))
    first = cell_first_chars(buf)
    assert first.tolist()[:3] == [-1, -1, -1]
    keep = may_start(buf, first_chars("男|女|1"))
    assert keep.tolist() == [True, True, True, True, False, True]
    assert np.array_equal(may_start(buf, None), np.ones(6, bool))
