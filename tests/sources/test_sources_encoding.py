"""detect_encoding() and the other encoding helpers."""

from __future__ import annotations

import codecs

import pytest

from pii_scan.sources import SourceError, detect_encoding
from pii_scan.sources.encoding import HEAD_BYTES, looks_binary, resolve_encoding

CHINESE = "姓名,身份证号,手机号\n张三,110101199003077777,13800138000\n"


@pytest.mark.parametrize(
    ("data", "expected"),
    [
        (b"plain ascii,csv\n", "utf-8"),
        (CHINESE.encode("utf-8"), "utf-8"),
        (codecs.BOM_UTF8 + CHINESE.encode("utf-8"), "utf-8-sig"),
        (CHINESE.encode("gb18030"), "gb18030"),
        (CHINESE.encode("gbk"), "gb18030"),
        (codecs.BOM_UTF16_LE + CHINESE.encode("utf-16-le"), "utf-16-le"),
        (codecs.BOM_UTF16_BE + CHINESE.encode("utf-16-be"), "utf-16-be"),
        (codecs.BOM_UTF32_LE + CHINESE.encode("utf-32-le"), "utf-32-le"),
        ("name,phone\nAnna,123\n".encode("utf-16-le"), "utf-16-le"),  # no BOM
        ("name,phone\nAnna,123\n".encode("utf-16-be"), "utf-16-be"),
        (b"", "utf-8"),
    ],
)
def test_detect_encoding(data, expected):
    assert detect_encoding(data) == expected


def test_character_cut_at_the_head_boundary_is_tolerated():
    text = ("身份证" * HEAD_BYTES).encode("utf-8")
    head = text[:HEAD_BYTES]  # ends in the middle of a 3-byte character
    assert len(head) % 3 != 0
    assert detect_encoding(head) == "utf-8"
    assert detect_encoding(text) == "utf-8"  # cut at HEAD_BYTES by detect_encoding itself
    gb = ("身份证" * HEAD_BYTES).encode("gb18030")[: HEAD_BYTES - 1]
    assert detect_encoding(gb) == "gb18030"


def test_only_the_head_is_examined():
    data = b"a" * HEAD_BYTES + b"\xff\xff\xff"
    assert detect_encoding(data) == "utf-8"


def test_undecodable_bytes():
    with pytest.raises(SourceError, match="not valid UTF-8/GB18030/Big5 text"):
        detect_encoding(b"\xff\xfa\x80\x80" * 100)


def test_resolve_encoding():
    data = codecs.BOM_UTF8 + b"x"
    assert resolve_encoding(data) == ("utf-8-sig", "utf-8", 3)
    assert resolve_encoding(data, "utf-8") == ("utf-8", "utf-8", 3)
    data = codecs.BOM_UTF16_BE + "x".encode("utf-16-be")
    assert resolve_encoding(data, "utf-16") == ("utf-16", "utf-16-be", 2)
    assert resolve_encoding(b"abc", "GBK") == ("gbk", "gbk", 0)
    with pytest.raises(SourceError, match="unknown encoding: nope"):
        resolve_encoding(b"abc", "nope")


def test_lenient_detection_keeps_mostly_utf8_text():
    data = ("客户资料，" * 200).encode("utf-8") + b"\xff" + ("备注" * 50).encode("utf-8")
    assert resolve_encoding(data, lenient=True)[1] == "utf-8"
    gb = ("客户资料，" * 200).encode("gb18030")
    assert resolve_encoding(gb, lenient=True)[1] == "gb18030"


def test_looks_binary():
    assert looks_binary(b"abc\x00def", "utf-8")
    assert not looks_binary(b"abc\x00def", "utf-16-le")
    assert not looks_binary(b"a" * 9000 + b"\x00", "utf-8")
