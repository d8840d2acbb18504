"""Required bytes must never rule out a batch that holds a match (soundness), and must rule
out the batches the matcher relies on skipping (a numbers column has no ``@``)."""

from __future__ import annotations

import re

import numpy as np
import pyarrow as pa
import pytest
from fuzzing import fuzz
from hypothesis import given, settings
from hypothesis import strategies as st

from pii_scan.catalog import load_catalog
from pii_scan.core.buffers import TextBuffer, byte_presence
from pii_scan.core.required import batch_may_match, required_bytes

# As in test_firstchar: long demanded repetitions make Hypothesis take minutes per string.
PATTERNS = [
    r
    for r in load_catalog()
    if r.pattern
    and r.kind in ("cell", "regex", "word", "token")
    and max(map(int, re.findall(r"\{(\d+)", r.pattern)), default=0) <= 16
]


@pytest.mark.parametrize("rec", PATTERNS, ids=lambda r: r.id)
def test_generated_matches_hold_every_required_byte(rec):
    needs = required_bytes(rec.pattern, rec.ignore_case)
    flags = re.ASCII | (re.IGNORECASE if rec.ignore_case else 0)

    @fuzz(40, any_health=True)
    @given(st.from_regex(re.compile(rec.pattern, flags), fullmatch=True))
    def check(text: str) -> None:
        present = byte_presence(np.frombuffer(text.encode("utf-8"), np.uint8))
        assert batch_may_match(present, needs), (rec.id, text)

    check()


@pytest.mark.parametrize(
    "rec_id, column",
    [
        ("email", ["110105199003071239", "13800138000"]),
        ("geo_degree_cell", ["1704803362969", "6222021234567890123"]),
        ("person_name_cell", ["zhang.san@example.com", "13800138000"]),
        ("cn_license_plate", ["110105199003071239"]),
    ],
)
def test_a_column_without_the_needed_bytes_is_ruled_out(rec_id, column):
    rec = next(r for r in load_catalog() if r.id == rec_id)
    present = TextBuffer.from_array(pa.array(column)).bytes_present()
    assert not batch_may_match(present, required_bytes(rec.pattern, rec.ignore_case))


@pytest.mark.parametrize(
    "pattern, text, needed",
    [
        (r"[a-z]+@[a-z]+", "ab@c", True),
        (r"[a-z]+@[a-z]+", "abc", False),
        ("(?:男|女)性?", "男", True),
        ("(?:男|女)性?", "性", False),
        ("(?i)k[0-9]", "\u212a1", True),  # RE2 folds K to the Kelvin sign
        ("x?y*", "", True),  # nothing required
    ],
)
def test_small_patterns(pattern, text, needed):
    present = byte_presence(np.frombuffer(text.encode(), np.uint8))
    assert batch_may_match(present, required_bytes(pattern)) is needed


@given(st.binary(max_size=64))
@settings(max_examples=200, derandomize=True, database=None)
def test_byte_presence_is_the_set_of_bytes(data: bytes):
    present = byte_presence(np.frombuffer(data, np.uint8))
    assert set(np.flatnonzero(present).tolist()) == set(data)
