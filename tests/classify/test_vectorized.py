"""The NumPy fast paths of the classify code against straightforward reference versions
(the pyarrow compute code they replaced, or plain Python loops)."""

import random
import subprocess
import sys

import numpy as np
import pyarrow as pa
import pyarrow.compute as pc
import pytest

from pii_scan.classify import arrays, evidence, tally

POOL = [
    "",
    " ",
    "  ",
    "\t",
    "a",
    " b ",
    "\u3000x",
    "x\u3000",
    "\u00a0",
    "\u2028",
    "中文",
    "Ｚ１２",
    "110105199003071239",
    "Li.Wei@Example.CN ",
    "+86 138-0013-8000",
    "x" * 70,
    "y" * 64 + "中",
    None,
]


def random_arrays(n_arrays=150, seed=7):
    """String arrays of mixed cells, some of them slices (non-zero offset)."""
    rnd = random.Random(seed)
    for i in range(n_arrays):
        cells = [rnd.choice(POOL) for _ in range(rnd.randint(0, 30))]
        arr = pa.array(cells, pa.string())
        if i % 3 == 0 and len(arr) > 3:
            arr = arr.slice(1, len(arr) - 2)
        yield arr


# -- arrays --------------------------------------------------------------------------------
@pytest.mark.parametrize("t", [pa.int8(), pa.int32(), pa.int64(), pa.uint64(), pa.float32()])
def test_numbers_match_to_numpy(t):
    arr = pa.array([3, 1, 4, 1, 5, 9, 2, 6], t)
    for a in (arr, arr.slice(3), pa.chunked_array([arr.slice(0, 2), arr.slice(5)])):
        expected = a.to_numpy() if isinstance(a, pa.Array) else a.combine_chunks().to_numpy()
        got = arrays.numbers(a)
        assert got.dtype == expected.dtype and got.tolist() == expected.tolist()


def test_numbers_refuse_nulls_and_strings():
    with pytest.raises(ValueError):
        arrays.numbers(pa.array([1, None]))
    with pytest.raises(TypeError):
        arrays.numbers(pa.array(["a"]))


def test_string_parts_valid_and_booleans():
    for arr in random_arrays():
        for a in (arr, arr.cast(pa.large_string()), arr.cast(pa.binary())):
            offsets, data = arrays.string_parts(a)
            cells = [bytes(data[offsets[i] : offsets[i + 1]]) for i in range(len(a))]
            expected = [b"" if s is None else s.encode() for s in arr.to_pylist()]
            assert cells == expected
            assert arrays.valid(a).tolist() == pc.is_valid(a).to_pylist()
        flags = pc.is_valid(arr)
        assert arrays.booleans(flags).tolist() == flags.to_pylist()
        if len(flags) > 2:
            assert arrays.booleans(flags.slice(1)).tolist() == flags.slice(1).to_pylist()


def test_from_numpy_and_strings_build_the_same_arrays_as_pa_array():
    for values in (np.array([True, False, True] * 5), np.arange(10), np.linspace(0, 1, 7)):
        assert arrays.from_numpy(values).equals(pa.array(values))
    for arr in random_arrays(30):
        assert arrays.strings(arr.to_pylist()).equals(arr.cast(pa.string()))
    assert arrays.strings([]).equals(pa.array([], pa.string()))


def test_nonblank_is_trimmed_length_above_zero():
    for arr in random_arrays():
        expected = pc.fill_null(pc.greater(pc.utf8_length(pc.utf8_trim_whitespace(arr)), 0), False)
        assert arrays.nonblank(arr).tolist() == expected.to_pylist()


def test_space_lead_bytes_cover_every_whitespace_character():
    spaces = [chr(c) for c in range(0x110000) if chr(c).isspace()]
    trimmed = pc.utf8_trim_whitespace(pa.array(spaces))
    assert pc.all(pc.equal(pc.utf8_length(trimmed), 0)).as_py()  # Arrow trims what Python does
    assert all(arrays._SPACE_LEAD[s.encode()[0]] for s in spaces)


# -- tally ---------------------------------------------------------------------------------
def test_encode_matches_dictionary_encode():
    rnd = random.Random(3)
    for _ in range(100):
        keys = [rnd.choice("ABCD") * rnd.randint(1, 3) for _ in range(rnd.randint(0, 40))]
        runs = sorted(keys, key=lambda k: k[0]) if rnd.random() < 0.5 else keys
        arr = pa.array(runs, pa.string())
        encoded = pc.dictionary_encode(arr)
        names, key = tally.encode(pa.chunked_array([arr.slice(0, 5), arr.slice(5)]))
        assert names == encoded.dictionary.to_pylist()
        assert key.tolist() == encoded.indices.to_pylist()


def test_encode_reads_dictionary_arrays():
    """The core's entity and recognizer columns are dictionary arrays: each entry keeps its
    string, and only the dictionary entries in use are named, in dictionary order."""
    rnd = random.Random(4)
    dictionary = pa.array(["A", "B", "C", "D", "E"], pa.string())
    for _ in range(100):
        codes = [rnd.randrange(5) for _ in range(rnd.randint(0, 40))]
        arr = pa.DictionaryArray.from_arrays(pa.array(codes, pa.int32()), dictionary)
        names, key = tally.encode(pa.chunked_array([arr.slice(0, 5), arr.slice(5)], arr.type))
        assert [names[k] for k in key.tolist()] == arr.to_pylist()
        assert names == sorted(set(arr.to_pylist()))


def reference_cell_maxima(rows, keys, scores):
    """Per key: cells, and the best score of each cell, from a plain dict."""
    best = {}
    for row, key, score in zip(rows, keys, scores, strict=True):
        best[(row, key)] = max(best.get((row, key), -1.0), score)
    out = {}
    for (_, key), score in sorted(best.items()):
        out.setdefault(key, []).append(score)
    return out


def test_cell_maxima_against_a_dict():
    rnd = random.Random(5)
    for _ in range(100):
        n = rnd.randint(0, 50)
        rows = sorted(rnd.randint(0, 20) for _ in range(n))
        if rnd.random() < 0.3:
            rnd.shuffle(rows)
        keys = [rnd.choice(["E1", "E2", "E3"]) for _ in range(n)]
        scores = [rnd.choice([0.3, 0.5, 0.85, 1.0]) for _ in range(n)]
        expected = reference_cell_maxima(rows, keys, scores)
        for arr in (pa.array(keys, pa.string()), pc.dictionary_encode(pa.array(keys))):
            got = tally.cell_maxima(np.array(rows, np.int64), arr, scores)
            per_key = {}
            for k, b in zip(got.key.tolist(), got.best.tolist(), strict=True):
                per_key.setdefault(got.keys[k], []).append(b)
            assert {k: sorted(v) for k, v in per_key.items()} == {
                k: sorted(v) for k, v in expected.items()
            }


# -- evidence: hashing ------------------------------------------------------------------
def reference_fixed_words(arr: pa.Array, width: int, *, tail: bool = False) -> np.ndarray:
    """The Arrow-kernel version: pad with NULs, cut ``width`` bytes, read as words."""
    pad = pa.scalar(b"\0" * width, pa.binary())
    if tail:
        cut = pc.binary_slice(pc.binary_join_element_wise(pad, arr, b""), -width)
    else:
        cut = pc.binary_slice(pc.binary_join_element_wise(arr, pad, b""), 0, width)
    return np.frombuffer(b"".join(cut.to_pylist()), "<u8").reshape(len(cut), width // 8)


def reference_hashes(arr: pa.Array, head: int = 64, tail: int = 32) -> list[int]:
    """string_hashes with Python integers, one string at a time."""
    full = (1 << 64) - 1
    m1, m2, golden = int(evidence._M1), int(evidence._M2), int(evidence._GOLDEN)

    def mix(h):
        h ^= h >> 30
        h = h * m1 & full
        h ^= h >> 27
        h = h * m2 & full
        return h ^ (h >> 31)

    values = [s.encode() for s in arr.to_pylist() if s is not None]
    out = []
    for v in values:  # each value on its own: its hash cannot depend on its batch
        h = mix(len(v) ^ golden)
        width = min(-(-len(v) // 8) * 8, head)
        words = (v + b"\0" * width)[:width]
        if len(v) > head:
            words += (b"\0" * tail + v)[-tail:]
        for i in range(0, len(words), 8):
            h = mix(h ^ int.from_bytes(words[i : i + 8], "little"))
        out.append(mix((h * golden + golden) & full))
    return out


@pytest.mark.parametrize("width", [8, 16, 24, 32, 64])
def test_fixed_words_match_the_arrow_version(width):
    for arr in random_arrays(60):
        binary = arr.drop_null().cast(pa.binary())
        offsets, data = arrays.string_parts(binary)
        for tail in (False, True):
            got = evidence._fixed_words(offsets, data, width, tail=tail)
            expected = reference_fixed_words(binary, width, tail=tail)
            assert got.tolist() == expected.tolist()


def test_string_hashes_match_the_reference():
    for arr in random_arrays():
        assert evidence.string_hashes(arr).tolist() == reference_hashes(arr)
    assert evidence.string_hashes(pa.array([], pa.string())).tolist() == []


def uniform_arrays(seed=3):
    """Arrays whose values all have one length (IDs, phones, two-character names), some
    sliced, some with nulls: string_hashes takes its path without a gather for them."""
    rnd = random.Random(seed)
    for length in (1, 6, 8, 11, 18, 24, 63, 64, 65, 100):
        for _ in range(4):
            cells = ["".join(rnd.choice("0123456789Xx") for _ in range(length)) for _ in range(9)]
            if length == 6:
                cells = [rnd.choice("张王李赵") + rnd.choice("伟芳娜敏") for _ in range(9)]
            if rnd.random() < 0.5:
                cells[rnd.randrange(9)] = None
            arr = pa.array(cells, pa.string())
            yield arr.slice(2, 5) if rnd.random() < 0.5 else arr


def test_string_hashes_of_values_of_one_length_match_the_reference():
    for arr in uniform_arrays():
        assert evidence.string_hashes(arr).tolist() == reference_hashes(arr)


def test_uniform_words_are_the_fixed_words():
    for arr in uniform_arrays():
        offsets, data = arrays.string_parts(arr.drop_null())
        longest = int(np.diff(offsets).max())
        if longest > 64:
            continue
        width = -(-longest // 8) * 8
        got = evidence._uniform_words(offsets, data, width)
        assert got.tolist() == evidence._fixed_words(offsets, data, width).tolist()


def test_bit_length_and_hyperloglog_registers():
    rnd = np.random.default_rng(11)
    hashes = rnd.integers(0, 1 << 63, 5000, dtype=np.uint64) * np.uint64(2)
    hashes[:5] = [0, 1, (1 << 52) - 1, 1 << 52, (1 << 64) - 1]
    assert evidence._bit_length(hashes).tolist() == [int(h).bit_length() for h in hashes]
    for p in (4, 12, 16):
        hll = evidence.HyperLogLog(p)
        hll.add_hashes(hashes[:2000])
        hll.add_hashes(hashes[2000:])
        expected = [0] * (1 << p)
        for h in hashes.tolist():
            index, rest = h >> (64 - p), h & ((1 << (64 - p)) - 1)
            expected[index] = max(expected[index], 65 - p - rest.bit_length())
        assert hll.registers.tolist() == expected


# -- evidence: identifiers -------------------------------------------------------------
def reference_normalise(entity: str, values: pa.Array) -> pa.Array:
    """normalise_identifiers with every Arrow step applied."""
    v = pc.utf8_normalize(values, "NFKC")
    if entity == "EMAIL_ADDRESS":
        return pc.ascii_lower(pc.utf8_trim_whitespace(v))
    v = pc.replace_substring_regex(v, r"[^0-9A-Za-z]", "")
    if entity in ("CN_MOBILE_PHONE", "CN_LANDLINE"):
        return pc.utf8_slice_codeunits(v, -11)
    return pc.ascii_upper(v)


@pytest.mark.parametrize("entity", ["CN_RESIDENT_ID", "CN_MOBILE_PHONE", "EMAIL_ADDRESS"])
def test_normalise_identifiers_matches_the_reference(entity):
    cases = [
        ["110105199003071239", "11010519900307101X"],
        ["11010519900307101x"],
        ["13800138000", "+8613800138000"],
        ["li@example.cn", " Li@Example.CN", "wang@x.cn\u3000"],
        ["ｌｉ＠ｅｘａｍｐｌｅ．ｃｎ"],
    ]
    for cells in cases:
        arr = pa.array(cells, pa.string())
        assert (
            evidence.normalise_identifiers(entity, arr).to_pylist()
            == reference_normalise(entity, arr).to_pylist()
        )
    for arr in random_arrays(60):
        got = evidence.normalise_identifiers(entity, arr).to_pylist()
        assert got == reference_normalise(entity, arr).to_pylist()


# -- no pandas ---------------------------------------------------------------------------
def test_classify_updates_do_not_import_pandas():
    """pyarrow imports pandas (~0.4 s) on pa.array, pa.scalar, to_numpy or a Python scalar in
    a compute call; the per-batch classify code uses none of them."""
    code = """
import sys
import pyarrow as pa
from pii_scan.catalog import load_catalog
from pii_scan.classify.arrays import from_numpy, strings
from pii_scan.classify.columns import ColumnStats, MinorsTracker
from pii_scan.classify.evidence import TableProbe
import numpy as np, datetime as dt
values = strings(["110105199003071239", " ", None, "13800138000"])
matches = pa.table({
    "row": from_numpy(np.array([0, 3])),
    # dictionary-encoded, as the core gives them
    "entity": pa.DictionaryArray.from_arrays(
        from_numpy(np.array([0, 1], np.int32)), strings(["CN_RESIDENT_ID", "CN_MOBILE_PHONE"])
    ),
    "recognizer": pa.DictionaryArray.from_arrays(
        from_numpy(np.array([1, 0], np.int32)), strings(["cn_mobile_phone", "cn_resident_id"])
    ),
    "score": from_numpy(np.array([1.0, 0.9], np.float32)),
    "birth_date": from_numpy(np.array([7000, -1], np.int32)).cast(pa.date32()),
    "value": strings(["110105199003071239", "13800138000"]),
})
probe = TableProbe(load_catalog(), 0.85)
stats = ColumnStats("c")
minors = MinorsTracker(dt.date(2025, 1, 1), 18)
for _ in range(2):
    stats.update(values, matches, 0.85)
    probe.update("c", values, matches)
    minors.update(matches["birth_date"])
probe.individuals_report(), probe.column_evidence("c", probe.catalog)
assert stats.nonempty == 4 and probe.individuals["CN_RESIDENT_ID"].count() == (1, "exact")
print("pandas" in sys.modules)
"""
    out = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, check=True)
    assert out.stdout.strip() == "False"


@pytest.mark.parametrize(
    "value, neighbours",
    [
        ("a", ["b" * 20]),
        ("zhang.san@example.com", ["x", "y" * 200]),
        ("门卫代收即可。" * 20, ["", "短"]),
        ("", ["a" * 70]),
    ],
)
def test_a_value_hashes_the_same_whatever_its_batch(value, neighbours):
    alone = evidence.string_hashes(pa.array([value]))[0]
    among = evidence.string_hashes(pa.array([*neighbours, value]))[-1]
    assert alone == among
