"""The ``regex`` family's NumPy prefilters against plain Python, and the family against ``re``."""

from itertools import pairwise

import numpy as np
import pyarrow as pa
import pytest

from pii_scan.catalog import load_catalog
from pii_scan.core import buffers, regex
from pii_scan.core.buffers import TextBuffer, class_positions
from pii_scan.core.regex import (
    RegexFamily,
    _cells_holding,
    _literal_cells,
    _sequence_cells,
    byte_class,
    literal_cells,
    sequence_cells,
    sequence_implies_literal,
)

CELLS = [
    ["ab", "c"],  # a pair / literal spanning a cell boundary
    ["a", "", "", "b", ""],  # empty cells around and between
    ["x"],  # a one-byte buffer
    [""],
    ["", ""],
    [],
    ["字", "第", "字第", "南字第12号", "字字第第"],
    ["12.5", "a.b", ".", "9.", "..9.9", "", "1.2.3.4"],
    ["A1", "1A", "AA11", "京A12345", "a:b-c.d", "02:00:5E:10:00:01"],
    ["e.o" * 3, "zouhua549@example.org", "", "f:" * 5],
    ["ab:cd", "ab:c", "b:cd", "0123.4567.89ab", "ab", ":cd"],  # sequences cut by cell edges
]


def _reference_cells(cells: list[str], has) -> list[bool]:
    return [has(c.encode()) for c in cells]


def _buffer(cells: list[str]) -> TextBuffer:
    return TextBuffer.from_strings(cells)


@pytest.mark.parametrize("cells", CELLS)
@pytest.mark.parametrize("literal", ["b", ".", "c", "字第", "第", "ab", ":", ""])
def test_literal_cells_match_python(cells, literal):
    buf = _buffer(cells)
    lit = literal.encode()
    got = _literal_cells(buf.data, buf.offsets, lit)
    assert got.tolist() == _reference_cells(cells, lambda b: lit in b)


def _has_sequence(classes: tuple[np.ndarray, ...]):
    n = len(classes)
    return lambda b: any(
        all(t[b[i + k]] for k, t in enumerate(classes)) for i in range(len(b) - n + 1)
    )


HEX = "0-9A-Fa-f"
SEQUENCES = [
    ("0-9", "."),
    ("A-Z", "0-9"),
    ("non-ascii", "A-Z"),
    (HEX, ":.-"),
    ("a-c", "a-c"),
    (HEX, HEX, ":.-", HEX, HEX),  # MAC addresses
    ("a-z", ":", "a-z"),
    ("0-9",),
]


@pytest.mark.parametrize("cells", CELLS)
@pytest.mark.parametrize(
    ("sequence", "rarest"), [(s, k) for s in SEQUENCES for k in range(len(s))], ids=str
)
def test_sequence_cells_match_python(cells, sequence, rarest, monkeypatch):
    monkeypatch.setattr(regex, "_rarest", lambda *_: rarest)
    classes = tuple(byte_class(c) for c in sequence)
    buf = _buffer(cells)
    got = _sequence_cells(buf.data, buf.offsets, classes)
    assert got.tolist() == _reference_cells(cells, _has_sequence(classes))


TABLES = ["", "0-9", ":.-", "0-9A-Fa-f", "a", "non-ascii", "acegikmoqsuwy", "\x00-\x7f"]


@pytest.mark.parametrize("chars", TABLES)
@pytest.mark.parametrize("block", [1, 3, 1 << 18])
def test_class_positions_match_lookup(chars, block, monkeypatch):
    monkeypatch.setattr(buffers, "_BLOCK", block)
    table = byte_class(chars) if chars else np.zeros(256, bool)
    data = np.frombuffer("x0a:F-.9字第\x00\x7f\xff".encode() * 3, np.uint8)
    for part in (data, data[:1], data[:0], data[1:]):
        assert class_positions(part, table).tolist() == np.flatnonzero(table[part]).tolist()


def test_class_positions_full_table():
    data = np.frombuffer(b"\x00a\xff", np.uint8)
    assert class_positions(data, np.ones(256, bool)).tolist() == [0, 1, 2]


@pytest.mark.parametrize("span", [1, 2, 3])
@pytest.mark.parametrize("pos", [[], [0], [0, 1, 2, 3, 4, 5, 6, 7], [2, 3], [7]])
def test_cells_holding_both_searches(span, pos):
    # Cells [0,2) [2,2) [2,5) [5,8): more positions than cells takes the other search.
    offsets = np.array([0, 2, 2, 5, 8])
    pos = np.array(pos, np.int64)
    want = [any(lo <= p and p + span <= hi for p in pos) for lo, hi in pairwise(offsets)]
    assert _cells_holding(pos, offsets, span).tolist() == want


def test_prefilters_are_kept_on_the_buffer():
    buf = _buffer(["a:1", "b"])
    assert literal_cells(buf, b":") is literal_cells(buf, b":")
    classes = (byte_class("a-z"), byte_class(":"))
    assert sequence_cells(buf, classes) is sequence_cells(buf, classes)
    assert sequence_cells(buf, classes).tolist() == [True, False]


def test_sequence_implies_literal():
    mac = (byte_class(HEX), byte_class(HEX), byte_class(":.-"))
    assert sequence_implies_literal(mac, (":", "-", "."))
    assert not sequence_implies_literal(mac, (":", "-"))
    assert not sequence_implies_literal((), (":",))
    assert not sequence_implies_literal((byte_class("non-ascii"), byte_class("A-Z")), ("字",))


def _regex_recognizers():
    return [r for r in load_catalog().recognizers if r.kind == "regex"]


TEXTS = [
    "车牌京A12345，粤BD12345新能源 沪A·12345F 京A1234警 京I12345",
    "军官证号：南字第12345678号 南字第12号 字第1234号字第",
    "定位：39.904200,116.407400 GPS 116.4074, 39.9042 1.5,2.5 12.3456,7.8910",
    "香港身份證A123456(3) K908070(8) XA000001(6) A1234567",
    "来源 2001:db8:85a3::8a2e:370:7334 fe80::1ff:fe23:4567:890a a::b::c 12:30:45",
    "MAC:02:00:5E:10:00:01 02-00-5e-10-00-01 0200.5e10.0001 02:00:5E:10:00:01:",
    "澳門身份證 1234567(8) 5/123456/7 3234567(8)",
    "",
    "e.o",
]


@pytest.mark.parametrize("rec", _regex_recognizers(), ids=lambda r: r.id)
def test_family_agrees_with_python_re(rec):
    """RE2 plus prefilters find what ``re`` with lookaround boundaries finds, cell by cell."""
    family = RegexFamily(rec)
    cells = [*TEXTS, *rec.positive, *rec.negative, *(p + " " + p for p in rec.positive)]
    buf = _buffer(cells)
    arr = pa.array([bytes(buf.data[a:b]).decode() for a, b in pairwise(buf.offsets)])
    want = family._python_matches(buf, np.arange(buf.n_cells))
    for only in (None, np.arange(0, buf.n_cells, 2)):
        got = family.find(buf, arr, only)
        keep = np.ones(len(want[0]), bool) if only is None else np.isin(want[0], only)
        found = sorted(zip(*(g.tolist() for g in got), strict=True))
        assert found == sorted(zip(*(w[keep].tolist() for w in want), strict=True))
