"""The necessary conditions of :mod:`pii_scan.nlp.gate` never drop a cell that holds a match,
and ``whole_or_search`` finds what the plain whole-then-search procedure finds."""

import re
from functools import cache

import numpy as np
import pyarrow as pa
import pyarrow.compute as pc
import pytest
from fuzzing import fuzz
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from pii_scan.catalog import load_catalog
from pii_scan.core.buffers import TextBuffer
from pii_scan.core.matcher import _folded_array
from pii_scan.nlp import gate
from pii_scan.nlp.address import PROSE_MARKS, whole_or_search
from pii_scan.nlp.conditions import anchor_free, min_bytes, required_chars
from pii_scan.nlp.gate import class_regex, trigger_regex
from pii_scan.nlp.vocab import family

# biometric_vector: its matches are thousands of characters long, too slow to generate.
FUNCTION_RECS = [
    r
    for r in load_catalog()
    if r.kind == "function" and r.pattern and r.function != "biometric_vector"
]
PATTERNS = sorted(
    {(r.pattern, r.ignore_case) for r in FUNCTION_RECS}
    | {(trigger_regex(r), False) for r in FUNCTION_RECS}
    | {
        ("(?i)qq|wechat", False),
        ("KS", True),
        ("(?:路|街)?[0-9]+号|村", False),
        ("^[一-龥]{2}$|x{2,}", False),
        ("(?:a|b)c?d{0}", False),
        ("[^号]+号", False),
    }
)


def _re2_full(texts: list[str], pattern: str, ignore_case: bool) -> list[bool]:
    flag = "(?i)" if ignore_case else ""
    hit = pc.match_substring_regex(pa.array(texts, pa.string()), f"{flag}^(?:{pattern})$")
    return hit.to_pylist()


def _holds(text: str, chars: frozenset[str]) -> bool:
    hit = pc.match_substring_regex(pa.array([text], pa.string()), class_regex(chars))
    return hit[0].as_py()


@cache
def _matches(regex: str):
    return st.from_regex(regex, fullmatch=True)


# Hypothesis cannot generate from the patterns with a whole word list in reasonable time; the
# address patterns are covered by the comparison with the plain procedure below.
SMALL = [(p, i) for p, i in PATTERNS if len(p) <= 400]


@pytest.mark.parametrize(("pattern", "ignore_case"), SMALL, ids=lambda p: str(p)[:30])
@settings(max_examples=25, deadline=None, suppress_health_check=list(HealthCheck))
@given(data=st.data())
def test_conditions_hold_for_every_match(pattern, ignore_case, data):
    """Generated matches (kept when RE2 agrees they match) are long enough and hold a
    character of every required set."""
    flags = "(?i)" if ignore_case else ""
    text = data.draw(_matches(flags + pattern))
    if not _re2_full([text], pattern, ignore_case)[0]:
        return  # Python's reading of the pattern differs (Unicode \\d, \\s): not an RE2 match
    assert len(text.encode("utf-8")) >= min_bytes(pattern, ignore_case)
    for chars in required_chars(pattern):
        assert _holds(text, chars), (text, sorted(chars))


def test_conditions_follow_the_structure():
    assert required_chars("(?:路|街)?[0-9]+号") == (frozenset("号"), frozenset("0123456789"))
    assert required_chars("a|b?") == ()  # a branch that may be empty
    assert required_chars("[^x]y*") == ()  # negated class, optional repeat
    assert required_chars("[一-龥]{2}") == ()  # a class too wide to be useful
    assert required_chars("[[:digit:]]") == ()  # RE2 syntax that Python reads differently
    assert min_bytes("号{2}|abc") == 3
    assert min_bytes("(?i)号") == 1  # under (?i) a character may match a one-byte one
    assert min_bytes("x*") == 0
    assert anchor_free("路[0-9]+号") and not anchor_free("^路") and not anchor_free(r"\b号")
    addresses = [r for r in FUNCTION_RECS if r.function == "whole_or_search"]
    assert addresses and all(required_chars(r.pattern) for r in addresses)


def test_case_is_ignored_by_the_class_test():
    assert _holds("QQ号", frozenset("q"))
    assert _holds("\u212a", frozenset("k"))  # Kelvin sign: RE2 folds it to k


def _reference(buf: TextBuffer, arr: pa.Array, rec) -> set[tuple[int, int, int]]:
    """whole_or_search without any prefilter: every Hanzi cell tested whole, the others
    searched when they hold a prose mark."""
    n = buf.n_cells
    texts = arr.to_pylist()
    out = set()
    hanzi = [i for i in range(n) if any("\u4e00" <= ch <= "\u9fff" for ch in texts[i])]
    stripped = [texts[i].strip() for i in hanzi]
    whole = _re2_full(stripped, rec.pattern, rec.ignore_case)
    rest = []
    for i, text, ok in zip(hanzi, stripped, whole, strict=True):
        if ok:
            lead = len(texts[i].encode("utf-8")) - len(texts[i].lstrip().encode("utf-8"))
            start = int(buf.offsets[i]) + lead
            out.add((i, start, start + len(text.encode("utf-8"))))
        elif any(ch in PROSE_MARKS for ch in texts[i]):
            rest.append(i)
    if rest:
        cells = np.array(rest, np.int64)
        hit = pc.match_substring_regex(arr.take(pa.array(cells)), rec.pattern)
        cells = cells[hit.to_numpy(zero_copy_only=False)]
        if len(cells):
            out |= set(zip(*(x.tolist() for x in family(rec).find(buf, arr, cells)), strict=True))
    return out


ADDRESSES = [
    "广东省深圳市南山区滨江路474号金色家园3栋1904室",
    "  上海市长宁区北京路377号 ",
    "江苏省南京市玄武区文化路341号",
    "浙江省杭州市西湖区留下镇杨家村5组12号",
    "北京市朝阳区建国路88号SOHO现代城5号楼1203",
]
PROSE = ["请寄到上海市静安区花园路386号，谢谢", "王毅波", "上官怡悦", "门卫代收即可。", "单号5409"]


@pytest.mark.parametrize("rec", [r for r in FUNCTION_RECS if r.function == "whole_or_search"])
@pytest.mark.parametrize("filler", [PROSE, ADDRESSES])
def test_whole_or_search_equals_the_plain_procedure(rec, filler):
    """Whatever the mix (mostly prose, mostly addresses), the same spans as without gates."""
    rng = np.random.default_rng(7)
    cells = [*ADDRESSES, *PROSE, *rng.choice(filler, 1500).tolist(), None, "", "路号"]
    buf = TextBuffer.from_array(pa.array(cells, pa.string()))
    arr = _folded_array(buf)
    got = set(zip(*(x.tolist() for x in whole_or_search(buf, arr, None, rec)), strict=True))
    assert got == _reference(buf, arr, rec)
    assert got  # the fixtures hold addresses


LOOSE = [
    r
    for r in load_catalog()
    if r.kind == "function"
    and r.function in gate.SHARED
    and gate.loose_trigger(r) != gate.trigger_regex(r)
]


@pytest.mark.parametrize("rec", LOOSE, ids=lambda r: r.id)
def test_the_loose_shared_trigger_lets_every_triggered_text_by(rec):
    """The shared pass may use words standing in for a pattern: every text the exact trigger
    matches (generated from the pattern, and the catalog's examples) matches them too."""
    exact, loose = gate.trigger_regex(rec), gate.loose_trigger(rec)

    @fuzz(60, any_health=True)
    @given(st.from_regex(re.compile(rec.pattern), fullmatch=False))
    def check(text: str) -> None:
        arr = pa.array([text])
        if pc.match_substring_regex(arr, exact)[0].as_py():
            assert pc.match_substring_regex(arr, loose)[0].as_py(), text

    check()
    texts = pa.array(list(rec.positive) + list(rec.negative))
    hit = pc.match_substring_regex(texts, exact).to_pylist()
    kept = pc.match_substring_regex(texts, loose).to_pylist()
    assert all(k for h, k in zip(hit, kept, strict=True) if h)
    assert any(hit), "the examples exercise the trigger"


def test_cells_claimed_whole_by_cn_address_change_no_finding(monkeypatch):
    """The street form skips cells cn_address matched whole; the findings must be the ones
    found when every address recognizer looks at every cell."""
    from pii_scan.core.matcher import Matcher

    texts = [
        "湖北省武汉市武昌区文化路682号锦绣华庭13栋5单元3303室",
        "  北京市朝阳区建国路88号  ",
        "文化路682号",
        "寄到湖北省武汉市武昌区文化路682号，电话13800138000",
        "家住幸福村3组，和平路5号旁边",
        "无地址",
        None,
    ] * 30
    arr = pa.array(texts)
    matcher = Matcher()
    claimed = matcher.match_array(arr, column="address", values=True)
    claimed_prose = matcher.match_array(arr, column="remarks", values=True)

    real_cache = TextBuffer.cache

    def no_claims(self, owner):
        return {} if owner == "nlp.address" else real_cache(self, owner)

    monkeypatch.setattr(TextBuffer, "cache", no_claims)
    assert matcher.match_array(arr, column="address", values=True).equals(claimed)
    assert matcher.match_array(arr, column="remarks", values=True).equals(claimed_prose)
    assert "CN_ADDRESS" in claimed["entity"].to_pylist()


def test_cells_found_lacking_a_set_are_not_tested_again_for_a_subset(monkeypatch):
    cells = ["建国路8号", "张三", "李四说了", "村口", "座位"] * 300
    buf = TextBuffer.from_strings(cells)
    arr = _folded_array(buf)
    every = np.arange(buf.n_cells)
    wide = gate.may_match(buf, arr, every, "[号幢座村栋]", sample=False)
    assert wide.tolist() == [i for i, c in enumerate(cells) if set(c) & set("号幢座村栋")]
    tested = []
    real = pc.match_substring_regex
    monkeypatch.setattr(
        gate.pc, "match_substring_regex", lambda a, p, **k: tested.append(len(a)) or real(a, p)
    )
    narrow = gate.may_match(buf, arr, every, "号", sample=False)
    assert narrow.tolist() == [i for i, c in enumerate(cells) if "号" in c]
    assert tested == [len(wide)]  # only the cells holding one of the wider set


@pytest.mark.parametrize(
    "cells",
    [
        ["13800138000", "a@b.cn", "", None, "110105199003071239"],  # no Hanzi: no pass at all
        ["张三", "13800138000", "，。", "\u3400", "\u9fff", "\u4000", "x丁", None, ""],
        ["ｘ", "é", "\U00020000", "䶿"],
    ],
)
def test_cjk_cells_are_those_holding_a_character_from_u4000_to_u9fff(cells):
    """The lead bytes E4..E9 are the characters U+4000..U+9FFF (CJK and Extension A's end)."""
    buf = TextBuffer.from_strings(cells)
    want = [i for i, c in enumerate(cells) if c and any(0x4000 <= ord(ch) <= 0x9FFF for ch in c)]
    assert gate.cjk_cells(buf).tolist() == want
