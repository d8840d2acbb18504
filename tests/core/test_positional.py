"""Position-by-position pattern checks must agree with RE2 on every candidate matrix."""

from __future__ import annotations

import re

import numpy as np
import pyarrow as pa
import pyarrow.compute as pc
import pytest
from fuzzing import fuzz
from hypothesis import given
from hypothesis import strategies as st

from pii_scan.catalog import load_catalog
from pii_scan.core.positional import position_check
from pii_scan.core.runs import ALNUM, DIGIT

DIGITS_X = DIGIT.copy()
DIGITS_X[[ord("X"), ord("x")]] = True
CASES = [
    (rec, length)
    for rec in load_catalog()
    if rec.kind in ("digits", "token")
    for length in rec.lengths
]


def re2(pattern: str, rows: list[bytes], ignore_case: bool = False) -> list[bool]:
    arr = pa.array([r.decode() for r in rows], pa.string())
    return pc.match_substring_regex(arr, f"^(?:{pattern})$", ignore_case=ignore_case).to_pylist()


def matrix(rows: list[bytes], length: int) -> np.ndarray:
    return np.frombuffer(b"".join(rows), np.uint8).reshape(len(rows), length)


@pytest.mark.parametrize("rec, length", CASES, ids=lambda c: getattr(c, "id", str(c)))
def test_catalog_patterns_agree_with_re2(rec, length):
    alphabet = DIGITS_X if rec.kind == "digits" else ALNUM
    check = position_check(rec.pattern, length, alphabet, rec.ignore_case)
    assert check is not None, "every digit/token pattern of the catalog cuts into pieces"
    letters = "0123456789Xx" if rec.kind == "digits" else "0123456789ABCDEFGHJKLMNPQRSTUVWXYZac"
    flags = re.ASCII | (re.IGNORECASE if rec.ignore_case else 0)
    near = st.from_regex(re.compile(rec.pattern, flags), fullmatch=True).filter(
        lambda s: len(s) == length and s.isascii() and s.isalnum()
    )
    noise = st.text(alphabet=letters, min_size=length, max_size=length)

    @fuzz(60, any_health=True)
    @given(st.lists(st.one_of(near, noise), min_size=1, max_size=30))
    def agree(texts: list[str]) -> None:
        rows = [t.encode() for t in texts]
        got = check(matrix(rows, length)).tolist()
        assert got == re2(rec.pattern, rows, rec.ignore_case), texts

    agree()


@pytest.mark.parametrize(
    "pattern, rows",
    [
        ("(?:86|0086)?1[3-9][0-9]{2}", [b"13800", b"8613800", b"008613800", b"12800", b"8612800"]),
        ("[EG][0-9]{2}|E[A-C][0-9]", [b"E12", b"EB1", b"G99", b"EZ1", b"X12"]),
        ("(?i:ab)[0-9]", [b"AB1", b"ab2", b"aB3", b"ac1"]),
        ("(?:0[1-9]|1[0-2])(?:0[1-9]|[12][0-9]|3[01])", [b"0131", b"1232", b"0001", b"1010"]),
    ],
)
def test_small_patterns_agree_with_re2(pattern, rows):
    for length in {len(r) for r in rows}:
        same = [r for r in rows if len(r) == length]
        check = position_check(pattern, length, np.ones(256, bool))
        assert check(matrix(same, length)).tolist() == re2(pattern, same)


@pytest.mark.parametrize("pattern", ["[0-9]+", "a.c", "^ab", "(?=a)ab", "张三", "(?:a|b){1,70}"])
def test_patterns_that_do_not_cut_into_pieces_fall_back(pattern):
    assert position_check(pattern, 3, np.ones(256, bool)) is None


def test_a_length_no_split_reaches_matches_nothing():
    check = position_check("[0-9]{4}", 5, np.ones(256, bool))
    assert check(matrix([b"12345"], 5)).tolist() == [False]
