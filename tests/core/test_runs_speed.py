"""The block-wise byte-class helpers and the candidate finders against plain Python.

Runs, positions and candidates are computed block by block, around rare bytes, and with cells
known from cell edges; each path is checked against a straightforward per-cell reference, with
tiny blocks so that runs cross block edges too.
"""

import random
import re
from itertools import pairwise

import numpy as np
import pytest

from pii_scan.core import buffers, runs
from pii_scan.core.buffers import TextBuffer, byte_presence, class_positions, class_runs
from pii_scan.core.regex import byte_class
from pii_scan.core.runs import (
    ALNUM,
    DIGIT,
    alnum_tokens,
    digit_candidates,
    grouping_code,
    word_spans,
)

CELLS = [
    ["123", "456"],  # a run crossing a cell edge
    ["12", "", "", "34", ""],  # empty cells between glued runs
    ["7"],  # a one-byte buffer
    ["a"],
    [""],
    [],
    ["", "1"],  # a run at the end of the buffer after an empty cell
    ["1a2b", "c3", "字4字", "55"],  # runs at the buffer's start and end
    ["ab12", "34cd", "ef"],
    ["138 0013 8000", "+86 138-0013-8000", "13800138000"],
    ["11010519900307123X", "11010519900307123x1", "11010519900307123X字"],
    ["4111 1111 1111 1111", "6222-0202-0011-2233-445", "1) 23"],
    ["a@b.cn", "x.y@mail.example.", "..1.2.3.4..", "@", "a@", "255.1.2.3"],
    ["联系 foo.bar@example.com 或 10.0.0.1。", "mail:-a@b.c-"],
    ["12", ".34", "5.", "6", "a", "@b"],  # must bytes at cell edges, glued to their neighbours
]
TABLES = ["0-9", "0-9A-Za-z", "A-Za-z0-9._%+@-", "0-9.", "non-ascii", "acegikmoqsuwy", "@"]


def _table(chars: str) -> np.ndarray:
    return byte_class(chars)


def _cells_bytes(buf: TextBuffer) -> list[bytes]:
    return [bytes(buf.data[lo:hi]) for lo, hi in pairwise(buf.offsets.tolist())]


def _reference_runs(buf: TextBuffer, table: np.ndarray) -> list[tuple[int, int, int]]:
    """(start, end, cell) of every maximal run of ``table`` bytes within each cell."""
    out = []
    for cell, text in enumerate(_cells_bytes(buf)):
        base = int(buf.offsets[cell])
        i = 0
        while i < len(text):
            if table[text[i]]:
                j = i
                while j < len(text) and table[text[j]]:
                    j += 1
                out.append((base + i, base + j, cell))
                i = j
            else:
                i += 1
    return out


def _random_cells(rng: random.Random, alphabet: list[str], count: int) -> list[str | None]:
    cells: list[str | None] = []
    for _ in range(count):
        if rng.random() < 0.1:
            cells.append(None)
            continue
        size = rng.choice([0, 1, 2, 5, 20, 60])
        cells.append("".join(rng.choice(alphabet) for _ in range(rng.randint(0, size))))
    return cells


ALPHABET = [*"0123456789" * 3, *"xXaZ.@-_ )%+字", "  ", "..", "１"]
RANDOM = [_random_cells(random.Random(seed), ALPHABET, 12) for seed in range(25)]


@pytest.fixture(params=[1, 3, 1 << 18], ids=["block1", "block3", "block256k"])
def block(request, monkeypatch):
    monkeypatch.setattr(buffers, "_BLOCK", request.param)
    return request.param


def _assert_runs(got, want: list[tuple[int, int, int]], offsets: np.ndarray) -> None:
    """Runs (start, end, cell) as the reference found them."""
    assert got.starts.tolist() == [s for s, _, _ in want]
    assert got.ends.tolist() == [e for _, e, _ in want]
    every = np.arange(len(got.starts))
    assert got.cells_at(every, offsets).tolist() == [c for _, _, c in want]


@pytest.mark.parametrize("cells", CELLS + RANDOM)
@pytest.mark.parametrize("chars", TABLES)
def test_class_runs_match_python(cells, chars, block):
    buf = TextBuffer.from_strings(cells)
    table = _table(chars)
    got = class_runs(buf.data, buf.offsets, table)
    want = _reference_runs(buf, table)
    _assert_runs(got, want, buf.offsets)
    if got.cells is not None:  # known cells are right, unknown ones are -1
        assert all(c in (-1, w) for c, (_, _, w) in zip(got.cells.tolist(), want, strict=True))


DIGITS_ONLY = [_random_cells(random.Random(seed), [*"0123456789", "１"], 12) for seed in range(10)]


@pytest.mark.parametrize("cells", DIGITS_ONLY + RANDOM[:10])
@pytest.mark.parametrize("chars", TABLES)
def test_buffer_runs_match_python(cells, chars):
    """``TextBuffer.runs``, which takes every non-empty cell as one run when all the bytes
    are of the class (a column of numbers), agrees with the reference."""
    buf = TextBuffer.from_strings(cells)
    table = _table(chars)
    _assert_runs(buf.runs(table), _reference_runs(buf, table), buf.offsets)


def test_runs_are_kept_on_the_buffer():
    buf = TextBuffer.from_strings(["12", "34"])
    assert buf.runs(DIGIT) is buf.runs(DIGIT)
    assert buf.runs(DIGIT).starts.tolist() == [0, 2]


@pytest.mark.parametrize("cells", CELLS + RANDOM[:5])
@pytest.mark.parametrize("chars", [*TABLES, ""])
def test_class_positions_match_lookup(cells, chars, block):
    data = TextBuffer.from_strings(cells).data
    table = _table(chars) if chars else np.zeros(256, bool)
    assert class_positions(data, table).tolist() == np.flatnonzero(table[data]).tolist()


@pytest.mark.parametrize("data", [b"", b"a", b"ab", b"abc", "字x\x00\xff".encode() * 7])
def test_byte_presence_in_blocks(data, block):
    got = byte_presence(np.frombuffer(data, np.uint8))
    assert np.flatnonzero(got).tolist() == sorted(set(data))


# -- candidate finders ---------------------------------------------------------------------
LENGTHS = {3, 4, 8, 11, 12, 16, 18, 19}
GROUPINGS = {grouping_code(g) for g in [(3, 4, 4), (2, 3, 4, 4), (4, 4, 4, 4), (4, 4, 4, 4, 3)]}
LETTER_LENGTHS = {18, 4}
_SEP = b" -)"


def _reference_digits(buf: TextBuffer) -> set:
    """(cell, start, end, grouping, chars) of every digit candidate, cell by cell."""
    out = set()
    for cell, text in enumerate(_cells_bytes(buf)):
        base = int(buf.offsets[cell])
        found = [(m.start(), m.end()) for m in re.finditer(rb"[0-9]+", text)]
        for s, e in found:
            if e - s in LENGTHS:
                out.add((cell, base + s, base + e, 0, text[s:e]))
            lettered = e < len(text) and text[e : e + 1] in (b"X", b"x")
            lettered &= e + 1 >= len(text) or not re.match(rb"[0-9A-Za-z]", text[e + 1 : e + 2])
            if lettered and e - s + 1 in LETTER_LENGTHS:
                out.add((cell, base + s, base + e + 1, 0, text[s : e + 1]))
        for i in range(len(found)):
            for k in range(2, 6):
                group = found[i : i + k]
                if len(group) < k:
                    break
                gaps = [text[a[1] : b[0]] for a, b in pairwise(group)]
                if not all(1 <= len(g) <= 2 and all(c in _SEP for c in g) for g in gaps):
                    break
                sizes = [e - s for s, e in group]
                code = grouping_code([min(n, 31) for n in sizes])
                if code in GROUPINGS and sum(sizes) in LENGTHS:
                    chars = b"".join(text[s:e] for s, e in group)
                    out.add((cell, base + group[0][0], base + group[-1][1], code, chars))
    return out


def _as_set(cands) -> set:
    return {
        (int(c), int(s), int(e), cand.grouping, bytes(row))
        for cand in cands
        for c, s, e, row in zip(cand.cells, cand.starts, cand.ends, cand.chars, strict=True)
    }


@pytest.mark.parametrize("cells", CELLS + RANDOM)
def test_digit_candidates_match_python(cells, block):
    buf = TextBuffer.from_strings(cells)
    cands = digit_candidates(buf, LENGTHS, GROUPINGS, LETTER_LENGTHS)
    for cand in cands:
        assert cand.chars.shape == (len(cand), cand.length)
    assert _as_set(cands) == _reference_digits(buf)


TOKEN_LENGTHS = {2, 3, 4, 9, 18}


@pytest.mark.parametrize("cells", CELLS + RANDOM)
def test_alnum_tokens_match_python(cells, block):
    buf = TextBuffer.from_strings(cells)
    want = set()
    for cell, text in enumerate(_cells_bytes(buf)):
        base = int(buf.offsets[cell])
        for m in re.finditer(rb"[0-9A-Za-z]+", text):
            if len(m.group()) in TOKEN_LENGTHS and re.search(rb"[A-Za-z]", m.group()):
                want.add((cell, base + m.start(), base + m.end(), 0, m.group()))
    assert _as_set(alnum_tokens(buf, TOKEN_LENGTHS)) == want


WORDS = [("A-Za-z0-9._%+@-", "@", ".-"), ("0-9.", ".", "."), ("0-9a-z", "z", "")]


def _reference_words(buf: TextBuffer, charset, must, trim, max_length, inside=False) -> list:
    out = []
    for start, end, cell in _reference_runs(buf, charset):
        if not must[buf.data[start + inside : end - inside]].any():
            continue
        for _ in range(4):
            if end > start and trim[buf.data[end - 1]]:
                end -= 1
            if end > start and trim[buf.data[start]]:
                start += 1
        if 0 < end - start <= max_length:
            out.append((cell, start, end))
    return out


@pytest.mark.parametrize("cells", CELLS + RANDOM + [["a" * 50 + "@" + "b" * 50, "z" * 9]])
@pytest.mark.parametrize("word", WORDS)
@pytest.mark.parametrize("sparse", [0, 1 << 30], ids=["around", "whole"])
@pytest.mark.parametrize("near", [1, 32])
@pytest.mark.parametrize("max_length", [3, 40, 320])
@pytest.mark.parametrize("inside", [False, True])
def test_word_spans_match_python(cells, word, sparse, near, max_length, inside, monkeypatch):
    monkeypatch.setattr(runs, "_SPARSE", sparse)
    monkeypatch.setattr(runs, "_NEAR", near)
    monkeypatch.setattr(runs, "_WINDOW_BYTES", 7)
    buf = TextBuffer.from_strings(cells)
    charset, must, trim = (byte_class(k) if k else np.zeros(256, bool) for k in word)
    got = word_spans(buf, charset, must, trim, max_length, inside=inside)
    want = _reference_words(buf, charset, must, trim, max_length, inside)
    assert list(zip(*(a.tolist() for a in got), strict=True)) == want


def test_alnum_classes_are_digits_and_letters():
    # alnum_tokens tells letters from the digit runs: ALNUM must be exactly DIGIT and LETTER.
    assert (ALNUM == (DIGIT | runs.LETTER)).all() and not (DIGIT & runs.LETTER).any()


_FOLDED = "0123456789ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz+-().@_/"
# Every full-width form, U+3000, characters sharing their lead bytes (，。「) and others.
_WIDE = [chr(c) for c in range(0xFF01, 0xFF5F)] + [*"\u3000，。「：张a1 ", "\u3001", "\uff00"]


def _fold_reference(cell: str) -> str:
    out = []
    for ch in cell:
        narrow = chr(ord(ch) - 0xFEE0) if 0xFF01 <= ord(ch) <= 0xFF5E else None
        out.append(" " if ch == "\u3000" else narrow if narrow and narrow in _FOLDED else ch)
    return "".join(out)


@pytest.mark.parametrize("seed", range(20))
def test_full_width_folding_matches_python(seed):
    """Folded text, cell offsets and the positions of folded characters (U+3000 and the
    full-width forms of identifier characters), against a fold written per character."""
    cells = _random_cells(random.Random(seed), _WIDE, 30)
    buf = TextBuffer.from_strings(cells)
    data, offsets, at = bytearray(), [0], []
    for cell in cells:
        for ch in cell or "":
            narrow = _fold_reference(ch)
            if narrow != ch:
                at.append(len(data))
            data += narrow.encode()
        offsets.append(len(data))
    assert bytes(buf.data) == bytes(data)
    assert buf.offsets.tolist() == offsets
    assert ([] if buf.folded_at is None else buf.folded_at.tolist()) == at
