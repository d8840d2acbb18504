"""The factor test before the address patterns' unanchored pass (:func:`required_factor`) is
a necessary condition: every text holding a match of a pattern holds a match of its factor,
so ``whole_or_search`` skips the pass of the large pattern only where it would find nothing."""

from functools import cache

import numpy as np
import pyarrow as pa
import pyarrow.compute as pc
import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from pii_scan.catalog import load_catalog
from pii_scan.core.buffers import TextBuffer
from pii_scan.core.matcher import _folded_array
from pii_scan.nlp import address
from pii_scan.nlp.factor import MAX_FACTOR, required_factor

ADDRESS_RECS = [r for r in load_catalog() if r.function == "whole_or_search"]
PROSE = [
    "投诉已处理完毕。尺码偏小，建议选大一号。门卫代收即可。",
    "客户要求更换为黑色款。单号540946271801296464",
    "已通知19521305338需要礼品包装并附贺卡。",
    "一路顺风，到村口再说",
    "大道理我都懂，3号再说",
]
# Patterns whose large parts (under a small limit) sit at the ends, inside, in a repeat, in
# an alternative, next to an anchor; each with the limits that cut it in different places.
SMALL = [
    ("(?:abcdef|ghijkl)x?[0-9]{1,5}号(?:楼)?", 16),
    ("(?:ab|cd)[0-9]{2,3}(?:efghij|k)", 12),
    ("(?:[a-c]{2}(?:wxyz|v)|d)e{2,}", 10),
    ("^a(?:bcdefg|h)?[0-9]+|x\\bz?", 8),
    ("(?:号楼|栋){2}[0-9]{1,2}|(?:村|组)", 6),
    ("(?:a|bb)*c?(?:dddddd|e){1,2}f", 9),
    ("[^xy]+(?:abcdefgh|ij)[0-9]", 14),
    ("(ab|c)\\d{2}\\-\\s?[.]", 40),
]


def _holds(texts: list[str], regex: str) -> list[bool]:
    return pc.match_substring_regex(pa.array(texts, pa.string()), regex).to_pylist()


@cache
def _texts_holding(pattern: str):
    """Texts holding a match of ``pattern`` somewhere, prose around it."""
    around = st.sampled_from(["", *PROSE])
    match = st.from_regex(pattern, fullmatch=True)
    return st.builds(lambda a, m, b: a + m + b, around, match, around)


def _check(pattern: str, limit: int, text: str) -> None:
    if not _holds([text], pattern)[0]:
        return  # Python's reading differs from RE2's (Unicode \\d, \\s): no RE2 match
    factor = required_factor(pattern, limit)
    assert len(factor) <= limit
    assert _holds([text], factor)[0], (text, factor)


@pytest.mark.parametrize("rec", ADDRESS_RECS, ids=lambda r: r.id)
@settings(max_examples=150, deadline=None, suppress_health_check=list(HealthCheck))
@given(data=st.data())
def test_every_address_match_holds_the_factor(rec, data):
    """Generated matches of the catalog's own patterns, with the whole word list."""
    _check(rec.pattern, MAX_FACTOR, data.draw(_texts_holding(rec.pattern)))


@pytest.mark.parametrize(("pattern", "limit"), SMALL, ids=lambda p: str(p)[:24])
@settings(max_examples=60, deadline=None, suppress_health_check=list(HealthCheck))
@given(data=st.data())
def test_every_match_holds_the_factor_wherever_the_pattern_is_cut(pattern, limit, data):
    _check(pattern, limit, data.draw(_texts_holding(pattern)))


def test_the_examples_hold_the_factor_and_prose_does_not():
    """The catalog's positive examples pass; the prose that passes the character test (大一号,
    单号5409) does not, and the factor is small, without the word list."""
    for rec in ADDRESS_RECS:
        factor = required_factor(rec.pattern)
        assert factor and len(factor) < len(rec.pattern) // 4
        assert "黑龙江" not in factor  # the division names are left out
        examples = list(rec.positive)
        assert all(_holds(examples, factor)), rec.id
        assert not any(_holds(PROSE, factor)), rec.id


def test_the_factor_follows_the_structure():
    assert required_factor("(?:abcdef|ghijkl)x?[0-9]{1,5}号(?:楼)?", 16) == "(?:[0-9])号"
    assert required_factor("a[0-9]{2,3}b?", 40) == "a(?:[0-9])(?:[0-9])"  # fewest copies
    assert required_factor("(?:abcdef|g)(?:h|i)", 10) == "[hi]"  # the longest run kept
    assert required_factor("(?i)a[0-9]", 40) == ""  # flags: no factor
    assert required_factor("x?|[0-9]", 40) == ""  # an alternative that may be empty
    assert required_factor("(?:abcdef|g)", 8) == ""  # nothing small left


def test_prose_reaches_no_pass_of_the_large_pattern(monkeypatch):
    """Prose that passes the character test leaves no cell for the large pattern (a pass
    costs ~15-20 ms however few its cells); an address among it is still found."""
    seen: list[int] = []
    real = address.matching

    def counting(arr, cells, regex):
        if len(regex) > MAX_FACTOR:
            seen.append(len(cells))
        return real(arr, cells, regex)

    monkeypatch.setattr(address, "matching", counting)
    cells = np.random.default_rng(3).choice(PROSE, 400).tolist()
    for rec in ADDRESS_RECS:
        for texts, found in ((cells, False), ([*cells, "寄到上海市浦东新区世纪大道100号"], True)):
            seen.clear()
            buf = TextBuffer.from_array(pa.array(texts, pa.string()))
            spans = address.whole_or_search(buf, _folded_array(buf), None, rec)
            assert sum(seen) == (1 if found else 0), rec.id
            assert (len(spans[0]) > 0) == found, rec.id
