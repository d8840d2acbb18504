"""Recognizer kinds beyond numbers: whole-cell codes and words."""

import pyarrow as pa
import pytest

from pii_scan.catalog import load_catalog
from pii_scan.core import Matcher

GENDER = """
id = "test_gender_coded"
entity = "GENDER"
name = { zh = "性别", en = "Gender" }
standard = "test"
kind = "cell"
score = 0.3
context_score = 0.9
requires_context = true
[match]
pattern = '男|女|男性|女性|[MFmf]|[012]'
[columns]
zh = ["性别"]
en = ["gender", "sex"]
[examples]
positive = ["男"]
"""


@pytest.fixture(scope="module")
def gender_matcher(tmp_path_factory):
    folder = tmp_path_factory.mktemp("catalog")
    (folder / "gender.toml").write_text(GENDER, encoding="utf-8")
    return Matcher(load_catalog(str(folder)))


def test_cell_kind_needs_its_column_name(gender_matcher):
    values = pa.array(["男", " 女 ", "1", None, "男女平等"])
    named = gender_matcher.match_array(values, column="性别")
    assert named["row"].to_pylist() == [0, 1, 2]
    assert (named["start"][1].as_py(), named["end"][1].as_py()) == (1, 2)  # trimmed span
    assert gender_matcher.match_array(values, column="email_verified").num_rows == 0


@pytest.mark.parametrize(
    ("text", "found"),
    [
        ("联系邮箱zhang.san@example.com。", "zhang.san@example.com"),
        ("mail: a_b+c@mail.example.org.", "a_b+c@mail.example.org"),
        ("IP:8.8.8.8;", "8.8.8.8"),
        ("来自114.114.114.114的请求", "114.114.114.114"),
    ],
)
def test_word_kind_spans(matcher, text, found):
    t = matcher.match_array(pa.array([text]), min_score=0.5)
    assert [text[r["start"] : r["end"]] for r in t.to_pylist()] == [found]
