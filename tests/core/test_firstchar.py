"""First-character sets must never exclude a cell the pattern could match (soundness)."""

from __future__ import annotations

import re

import numpy as np
import pyarrow as pa
import pyarrow.compute as pc
import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from pii_scan.catalog import load_catalog
from pii_scan.core.buffers import TextBuffer
from pii_scan.core.firstchar import (
    TRIMMED,
    cell_first_chars,
    first_chars,
    last_chars,
    may_be_trimmed,
    may_start,
)
from pii_scan.core.matcher import Matcher
from pii_scan.nlp.conditions import max_bytes

#: Every character Arrow's utf8_trim_whitespace removes (asked of Arrow, not written down).
_BMP = [c for c in range(0x10000) if not 0xD800 <= c <= 0xDFFF]
ARROW_SPACES = frozenset(
    chr(c)
    for c, kept in zip(
        _BMP,
        pc.utf8_trim_whitespace(pa.array(["a" + chr(c) for c in _BMP])).to_pylist(),
        strict=True,
    )
    if kept == "a"
)

# Hypothesis builds strings from the pattern; patterns demanding long repetitions (vectors of
# 128 numbers) take it minutes per string, and start with a digit or bracket anyway.
PATTERNS = [
    r
    for r in load_catalog()
    if r.pattern
    and r.kind in ("cell", "function")
    and max(map(int, re.findall(r"\{(\d+)", r.pattern)), default=0) <= 16
]
WORDS = [r for r in load_catalog() if r.kind == "word"]


@pytest.mark.parametrize(
    ("edge", "at"), [(first_chars, 0), (last_chars, -1)], ids=["first", "last"]
)
@pytest.mark.parametrize("rec", PATTERNS + WORDS, ids=lambda r: r.id)
def test_generated_matches_start_and_end_with_admitted_characters(rec, edge, at):
    table = edge(rec.pattern, rec.ignore_case)
    if table is None:
        pytest.skip("pattern may start or end with anything: nothing is filtered")
    # RE2 classes are ASCII (\d, \s); re.ASCII makes Python generate the same.
    flags = re.ASCII | (re.IGNORECASE if rec.ignore_case else 0)

    @settings(max_examples=40, deadline=None, suppress_health_check=list(HealthCheck))
    @given(st.from_regex(re.compile(rec.presidio_pattern, flags), fullmatch=True))
    def check(text: str) -> None:
        if text and ord(text[at]) < 0x10000:
            assert table[ord(text[at])], (rec.id, text)

    check()


@pytest.mark.parametrize(
    ("pattern", "ends", "never"),
    [
        ("(?:男|女)性?", "男女性", "张"),
        ("[a-z]+@(?:qq|163)\\.com", "m", "@.q"),
        ("a(?:bc)*", "ac", "b"),
    ],
)
def test_last_chars_of_small_patterns(pattern, ends, never):
    table = last_chars(pattern)
    assert all(table[ord(c)] for c in ends) and not any(table[ord(c)] for c in never)


def test_the_words_of_the_catalog_hold_their_must_byte_inside():
    # E-mail addresses and dotted quads: a must byte at a word's edge makes no match, so
    # word_spans may look only at those inside (the dots of 163.com find no dotted quad).
    assert Matcher()._must_inside == {
        ("A-Za-z0-9._%+@-", "@", ".-"): True,
        ("0-9.", ".", "."): True,
    }


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


def _first_code_point(cell: str | None) -> int:
    """The reference, of the folded cell (U+3000 is a space there, U+FF11 a 1): -1 for no
    cell, an empty one, a leading ASCII space, or a character beyond the BMP."""
    first = cell[0] if cell else ""
    if first == "\u3000":
        first = " "
    elif "\uff01" <= first <= "\uff5e":
        first = chr(ord(first) - 0xFEE0)
    if not first or (first < "\x80" and first.isspace()) or ord(first) >= 0x10000:
        return -1
    return ord(first)


# One to four UTF-8 bytes, ASCII spaces, and the bytes Hanzi share with trimmed spaces.
CELL_ALPHABET = [*"a1 \t\n张三。é·１", "\u3000", "\u2009", "\U0001f600", "\u07ff", "\u0800"]


@settings(max_examples=300, deadline=None, derandomize=True, database=None)
@given(st.lists(st.none() | st.text(st.sampled_from(CELL_ALPHABET), max_size=4), max_size=12))
def test_first_code_points_are_those_of_python(cells):
    """Read from four-byte loads at the cells' starts, the first cell's and the last cell's
    included, and from buffers shorter than a load."""
    buf = TextBuffer.from_array(pa.array(cells, pa.string()))
    assert cell_first_chars(buf).tolist() == [_first_code_point(c) for c in cells]


def test_cells_starting_with_space_or_nothing_pass_every_filter():
    buf = TextBuffer.from_array(pa.array([" 男", "", None, "\u3000女", "张", "１"]))
    first = cell_first_chars(buf)
    assert first.tolist()[:3] == [-1, -1, -1]
    keep = may_start(buf, first_chars("男|女|1"))
    assert keep.tolist() == [True, True, True, True, False, True]
    assert np.array_equal(may_start(buf, None), np.ones(6, bool))


# -- the longest match: cells longer than every match of a pattern are not tried --------------


BOUNDED = [r for r in PATTERNS if max_bytes(r.pattern, r.ignore_case) is not None]


def test_most_cell_patterns_have_a_longest_match():
    cells = [r for r in PATTERNS if r.kind == "cell"]
    assert sum(r in BOUNDED for r in cells) > len(cells) / 2


@pytest.mark.parametrize("rec", BOUNDED, ids=lambda r: r.id)
def test_generated_matches_fit_the_longest_match(rec):
    most = max_bytes(rec.pattern, rec.ignore_case)
    flags = re.ASCII | (re.IGNORECASE if rec.ignore_case else 0)

    @settings(max_examples=40, deadline=None, suppress_health_check=list(HealthCheck))
    @given(st.from_regex(re.compile(rec.presidio_pattern, flags), fullmatch=True))
    def check(text: str) -> None:
        assert len(text.encode("utf-8")) <= most, (rec.id, text)

    check()


@pytest.mark.parametrize(
    "pattern, longest",
    [
        ("[0-9]{2,4}号(?:楼|x)?", 10),
        ("(?i)k", 4),  # k matches U+212A, three bytes
        ("男|女性", 6),
        ("a{3}(?:b|cc){2}", 7),
        ("^x$", 1),
        ("a+", None),
        ("[^x]{2}", 8),
        (r"(a)\1", None),  # a back-reference: unknown
    ],
)
def test_max_bytes_of_small_patterns(pattern, longest):
    assert max_bytes(pattern) == longest


@pytest.mark.parametrize("space", sorted(ARROW_SPACES), ids=lambda c: f"U+{ord(c):04X}")
def test_cells_padded_with_any_trimmed_space_still_match_whole(space):
    """A cell longer than every match of a pattern is still tried when whitespace (as Arrow
    trims it) may pad it: the trimmed cell is what is matched."""
    cells = ["男", space * 12 + "女", "男" + space * 12, "男性男性男性", space * 3 + "男" + space]
    found = Matcher().match_array(pa.array(cells), column="性别")
    rows = [r["row"] for r in found.to_pylist() if r["recognizer"] == "gender_cell"]
    assert rows == [0, 1, 2, 4]


def test_the_padding_test_covers_every_space_arrow_trims():
    assert len(ARROW_SPACES) > 20  # the tab family, U+0085, U+00A0, U+2000..., U+3000
    assert set(map(ord, ARROW_SPACES)) == set(TRIMMED)
    cells = [c + "男" for c in sorted(ARROW_SPACES)] + ["男" + c for c in sorted(ARROW_SPACES)]
    flagged = may_be_trimmed(TextBuffer.from_array(pa.array(cells)))
    missed = [c for c, f in zip(cells, flagged, strict=True) if not f]
    assert not missed, [f"U+{ord(c.strip('男')):04X}" for c in missed]


# Hanzi whose last UTF-8 byte is also the last byte of a space Arrow trims (三 E4 B8 89 and
# U+2009 E2 80 89; 。 E3 80 82 and U+2002), the spaces themselves, and plain characters.
TRIM_ALPHABET = [*"三。丁x1 \t", "\u2009", "\u2002", "\u3000", "\u00a0", "\u0085", "é"]


# ASCII only: the first and last characters are the bytes (a shortcut of its own).
ASCII_TRIM_ALPHABET = [*"x1 \t\n\r\x0b\x0c\x1c\x1f"]


@settings(max_examples=300, deadline=None, derandomize=True, database=None)
@given(
    st.lists(st.text(st.sampled_from(TRIM_ALPHABET), max_size=6), max_size=10)
    | st.lists(st.text(st.sampled_from(ASCII_TRIM_ALPHABET), max_size=6), max_size=10)
)
def test_may_be_trimmed_is_exactly_whether_arrow_trims(cells):
    flagged = may_be_trimmed(TextBuffer.from_array(pa.array(cells, pa.string())))
    trimmed = pc.utf8_trim_whitespace(pa.array(cells, pa.string())).to_pylist()
    assert flagged.tolist() == [t != c for t, c in zip(trimmed, cells, strict=True)]
