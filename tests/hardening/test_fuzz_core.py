"""Property and fuzz tests of the validators, the matching core and the scanner (issue #8).

Every property runs a fixed number of generated cases (the ``fuzz(max_examples)`` settings
of each test; ``pytest --hypothesis-show-statistics`` prints the counts) and is
derandomized, so CI runs the same cases every time.  ``PII_SCAN_FUZZ_SCALE=10`` runs ten
times as many, randomized, for a longer local hunt.
"""

from __future__ import annotations

import csv
import io
import itertools
import json
from collections.abc import Callable, Iterator
from pathlib import Path
from types import ModuleType

import numpy as np
import pyarrow as pa
import pyarrow.parquet as pq
import pytest
from fuzzing import fuzz
from hypothesis import assume, given
from hypothesis import strategies as st

from pii_scan import validators
from pii_scan.catalog import load_catalog
from pii_scan.core import Matcher
from pii_scan.scan import ScanOptions, _Scanner, scan_paths, scan_text
from pii_scan.validators import ValidationError

CATALOG = load_catalog()
NAMES = validators.names()
#: Scalar functions of a validator module besides compact/validate/is_valid that take text.
EXTRA_SCALARS = ("calc_check_digit", "national_number", "get_birth_date", "to_18")
#: Batch functions (``(n, L)`` uint8 in, one value per row out).
BATCH_FUNCTIONS = ("batch", "birth_dates")

# --------------------------------------------------------------------------- strategies

EXAMPLES: list[str] = sorted({text for r in CATALOG.recognizers for text in r.positive})
COLUMNS: list[str | None] = [
    None,
    "text",
    "备注",
    *sorted({r.column_names[0] for r in CATALOG.recognizers if r.column_names}),
]


def to_fullwidth(text: str) -> str:
    """ASCII ``!``-``~`` to full-width forms, space to the ideographic space."""
    return "".join(
        chr(ord(c) + 0xFEE0) if "!" <= c <= "~" else "\u3000" if c == " " else c for c in text
    )


hanzi = st.text(st.characters(min_codepoint=0x4E00, max_codepoint=0x9FFF), max_size=6)
fullwidth = st.text(
    st.one_of(st.characters(min_codepoint=0xFF01, max_codepoint=0xFF5E), st.just("\u3000")),
    max_size=8,
)
controls = st.text(st.characters(categories=["Cc"]), max_size=4)
separators = st.text(" -()/+.@_:,，：；\t\n\u200b\u00a0\u2014·", max_size=3)
digit_runs = st.text("0123456789", min_size=1, max_size=40)
huge_digits = st.one_of(
    st.integers(100, 5000).map(lambda n: "1" * n),
    st.integers(60, 400).flatmap(lambda n: st.text("0123456789", min_size=n, max_size=n)),
)
examples = st.sampled_from(EXAMPLES)
wide_examples = examples.map(to_fullwidth)
any_text = st.text(max_size=20)  # every code point but surrogates

#: Text built of pieces: catalog examples (plain and full-width) glued into Hanzi,
#: full-width forms, control characters, separators, digit runs and arbitrary Unicode.
glued = st.lists(
    st.one_of(
        examples,
        wide_examples,
        hanzi,
        fullwidth,
        controls,
        separators,
        digit_runs,
        any_text,
    ),
    max_size=6,
).map("".join)
cell_text = st.one_of(glued, any_text, huge_digits, examples, st.just(""))


def module(name: str) -> ModuleType:
    """The module of validator ``name``."""
    return validators.surface(name)


def call_typed(fn: Callable[[str], object], text: str) -> tuple[bool, object]:
    """``(True, result)`` or ``(False, error)``; any error but a ValidationError escapes."""
    try:
        return True, fn(text)
    except ValidationError as exc:
        return False, exc


# --------------------------------------------------------------------------- validators


@pytest.mark.parametrize("name", NAMES)
@fuzz(100)
@given(text=cell_text)
def test_validator_scalars_raise_only_typed_errors(name: str, text: str) -> None:
    """compact/validate/is_valid and the other scalar helpers never raise anything but a
    ValidationError, and is_valid is True exactly when validate accepts."""
    mod = module(name)
    verdict = mod.is_valid(text)
    assert isinstance(verdict, bool)
    assert validators.get(name).is_valid(text) is verdict
    ok, result = call_typed(mod.validate, text)
    assert ok is verdict, (text, result)
    if ok:
        assert isinstance(result, str)
    ok, compacted = call_typed(mod.compact, text)
    if ok:
        assert isinstance(compacted, str)
    for extra in EXTRA_SCALARS:
        if hasattr(mod, extra):
            call_typed(getattr(mod, extra), text)


def batch_rows() -> st.SearchStrategy[np.ndarray]:
    """An ``(n, L)`` uint8 batch: random bytes, or the UTF-8 of generated text cut to width."""
    width = st.integers(0, 40)
    n = st.integers(0, 6)

    def from_bytes(shape: tuple[int, int]) -> st.SearchStrategy[np.ndarray]:
        rows, cols = shape
        return st.binary(min_size=rows * cols, max_size=rows * cols).map(
            lambda b: np.frombuffer(b, np.uint8).reshape(rows, cols).copy()
        )

    def from_text(shape: tuple[int, int]) -> st.SearchStrategy[np.ndarray]:
        rows, cols = shape

        def build(texts: list[str]) -> np.ndarray:
            raw = [t.encode("utf-8")[:cols].ljust(cols, b"0") for t in texts]
            return np.frombuffer(b"".join(raw), np.uint8).reshape(rows, cols).copy()

        return st.lists(cell_text, min_size=rows, max_size=rows).map(build)

    shapes = st.tuples(n, width)
    return st.one_of(shapes.flatmap(from_bytes), shapes.flatmap(from_text))


@pytest.mark.parametrize("name", NAMES)
@fuzz(60)
@given(chars=batch_rows())
def test_validator_batches_never_raise_and_are_row_independent(
    name: str, chars: np.ndarray
) -> None:
    """The batch twins take any (n, L) uint8 batch, give one answer per row, and the answer
    for a row does not depend on the other rows of the batch."""
    mod = module(name)
    for fn_name in BATCH_FUNCTIONS:
        fn = getattr(mod, fn_name, None)
        if fn is None:
            continue
        out = fn(chars)
        assert out.shape == (chars.shape[0],)
        if fn_name == "batch":
            assert out.dtype == bool
        singles = [fn(chars[i : i + 1]) for i in range(chars.shape[0])]
        alone = np.concatenate(singles) if singles else out[:0]
        assert alone.dtype == out.dtype
        assert out.astype(str).tolist() == alone.astype(str).tolist()  # NaT != NaT


@pytest.mark.parametrize("name", NAMES)
@fuzz(50)
@given(text=st.text("0123456789ABCDEFGHJKLMNPQRTUWXYabcdef.:@", min_size=1, max_size=24))
def test_batch_agrees_with_is_valid_on_compact_ascii(name: str, text: str) -> None:
    """On the compact form of a text (when compacting it again changes nothing), ``batch``
    of the row equals ``is_valid``."""
    mod = module(name)
    ok, compacted = call_typed(mod.compact, text)
    assume(ok and isinstance(compacted, str) and compacted and compacted.isascii())
    assume(call_typed(mod.compact, compacted) == (True, compacted))
    row = np.frombuffer(compacted.encode("ascii"), np.uint8).reshape(1, len(compacted))
    assert bool(mod.batch(row)[0]) is mod.is_valid(compacted)


# --------------------------------------------------------------------------- the core

MATCHER = Matcher(CATALOG)

cells = st.lists(st.one_of(st.none(), cell_text), max_size=10)


def arrow_array(values: list[str | None], kind: str) -> pa.Array | pa.ChunkedArray:
    """``values`` as a string array of the given layout."""
    if kind == "large":
        return pa.array(values, pa.large_string())
    if kind == "chunked":
        half = len(values) // 2
        return pa.chunked_array(
            [pa.array(values[:half], pa.string()), pa.array(values[half:], pa.string())]
        )
    if kind == "sliced":  # a non-zero array offset
        return pa.array(["前缀13800138000", *values], pa.string()).slice(1)
    return pa.array(values, pa.string())


def check_matches(values: list[str | None], table: pa.Table) -> None:
    """Rows exist; 0 <= start < end <= len(cell); value is the code point slice of the
    original cell; matches of a cell do not overlap and come in start order."""
    rows = table.column("row").to_pylist()
    starts = table.column("start").to_pylist()
    ends = table.column("end").to_pylist()
    found = table.column("value").to_pylist()
    last: dict[int, int] = {}
    for row, start, end, value in zip(rows, starts, ends, found, strict=True):
        assert 0 <= row < len(values)
        cell = values[row]
        assert cell is not None, "a match in a null cell"
        assert 0 <= start < end <= len(cell), (cell, start, end)
        assert value == cell[start:end], (cell, start, end, value)
        assert start >= last.get(row, 0), "overlapping or unordered matches"
        last[row] = end


@fuzz(200)
@given(
    values=cells,
    kind=st.sampled_from(["plain", "large", "chunked", "sliced"]),
    column=st.sampled_from(COLUMNS),
)
def test_match_array_offsets_slice_back_to_values(
    values: list[str | None], kind: str, column: str | None
) -> None:
    """match_array never raises; code point offsets and values agree with the cells, and byte
    offsets (``offsets=False``) slice the UTF-8 of the cell to the same value."""
    arr = arrow_array(values, kind)
    table = MATCHER.match_array(arr, column=column, values=True)
    check_matches(values, table)
    raw = MATCHER.match_array(arr, column=column, offsets=False, values=True)
    assert raw.column("row").equals(table.column("row"))
    assert raw.column("entity").equals(table.column("entity"))
    for row, start, end, value in zip(
        raw.column("row").to_pylist(),
        raw.column("start").to_pylist(),
        raw.column("end").to_pylist(),
        raw.column("value").to_pylist(),
        strict=True,
    ):
        assert values[row].encode("utf-8")[start:end].decode("utf-8") == value


@pytest.mark.parametrize("cell", ["电话１３８００１３８０００", "生于1900－1/1", "Ｅ12345678护照"])
def test_byte_offsets_index_the_original_cell(cell: str) -> None:
    """``offsets=False`` byte offsets slice the cell's own UTF-8 to the matched value."""
    table = MATCHER.match_array(pa.array([cell]), offsets=False, values=True)
    assert table.num_rows
    for start, end, value in zip(
        table.column("start").to_pylist(),
        table.column("end").to_pylist(),
        table.column("value").to_pylist(),
        strict=True,
    ):
        assert cell.encode("utf-8")[start:end] == value.encode("utf-8")


def per_cell(table: pa.Table) -> list[tuple]:
    """The matches as comparable tuples (row, start, end, entity, recognizer, score, birth)."""
    names = ["row", "start", "end", "entity", "recognizer", "score", "birth_date"]
    return sorted(zip(*(table.column(n).to_pylist() for n in names), strict=True))


@fuzz(80)
@given(values=cells, split=st.integers(0, 10), column=st.sampled_from(COLUMNS))
def test_match_array_does_not_depend_on_neighbours(
    values: list[str | None], split: int, column: str | None
) -> None:
    """Matching an array in two parts, or one cell at a time, finds what matching it whole
    finds (cells are glued back to back in the core's buffer: nothing may leak across)."""
    split = min(split, len(values))
    whole = per_cell(MATCHER.match_array(pa.array(values, pa.string()), column=column))
    head = per_cell(MATCHER.match_array(pa.array(values[:split], pa.string()), column=column))
    tail = per_cell(MATCHER.match_array(pa.array(values[split:], pa.string()), column=column))
    assert whole == head + [(r + split, *rest) for r, *rest in tail]
    singles = []
    for i, value in enumerate(values):
        one = per_cell(MATCHER.match_array(pa.array([value], pa.string()), column=column))
        singles += [(i, *rest) for _, *rest in one]
    assert whole == singles


@fuzz(60)
@given(text=cell_text, column=st.sampled_from(["text", "备注", "手机号", "身份证号", "性别"]))
def test_scan_text_findings_slice_the_text(text: str, column: str) -> None:
    """``scan_text`` findings carry code point offsets into the text and the raw value there."""
    for finding in scan_text(text, column=column):
        assert finding["row"] == 0 and finding["column"] == column
        assert 0 <= finding["start"] < finding["end"] <= len(text)
        assert text[finding["start"] : finding["end"]] == finding["value"]


# --------------------------------------------------------------------------- the scanner

#: Column names of generated tables: identifier columns, free text, and neutral ones.
TABLE_COLUMNS = ["手机号", "身份证号", "备注", "姓名", "地址", "email", "c"]


@st.composite
def tables(draw: st.DrawFn) -> pa.Table:
    """A small all-string table whose cells mix catalog examples, Hanzi and noise."""
    names = draw(st.lists(st.sampled_from(TABLE_COLUMNS), min_size=1, max_size=4, unique=True))
    rows = draw(st.integers(1, 20))
    data = {
        name: draw(st.lists(st.one_of(st.none(), cell_text), min_size=rows, max_size=rows))
        for name in names
    }
    return pa.table({name: pa.array(col, pa.string()) for name, col in data.items()})


def split_batches(table: pa.Table, cuts: list[int]) -> Iterator[pa.RecordBatch]:
    """The rows of ``table`` as record batches cut at ``cuts`` (empty batches included)."""
    bounds = [0, *sorted(min(c, table.num_rows) for c in cuts), table.num_rows]
    for lo, hi in itertools.pairwise(bounds):
        yield from table.slice(lo, hi - lo).to_batches() or [
            pa.RecordBatch.from_pylist([], schema=table.schema)
        ]


SCANNER = _Scanner(ScanOptions(sample_rows=0, threads=1, reveal=True))
#: ``batch_rows=1``: the scanner joins small batches up to ``batch_rows`` rows before
#: matching; with 1 every batch it is given is matched as it is.
SCANNER_AS_GIVEN = _Scanner(ScanOptions(sample_rows=0, threads=1, reveal=True, batch_rows=1))


def scan_in_batches(table: pa.Table, cuts: list[int] | None) -> tuple[dict, list[dict]]:
    """The table report and the findings of scanning ``table`` whole (``cuts`` None), or in
    the batches ``cuts`` give, each matched on its own."""
    findings: list[dict] = []
    scanner = SCANNER if cuts is None else SCANNER_AS_GIVEN
    batches = table.to_batches() if cuts is None else split_batches(table, cuts)
    report = scanner.scan_stream("t", table.column_names, batches, path="p", emit=findings.append)
    return report, findings


def sorted_findings(findings: list[dict]) -> list[str]:
    """Findings as sorted JSON lines."""
    return sorted(json.dumps(f, ensure_ascii=False, sort_keys=True) for f in findings)


@fuzz(40)
@given(table=tables(), cuts=st.lists(st.integers(0, 20), max_size=5))
def test_scan_stream_does_not_depend_on_batch_boundaries(table: pa.Table, cuts: list[int]) -> None:
    """Scanning a table as one batch or cut anywhere gives the same findings (path, table,
    column, row, offsets, entity, value) and the same table report (column verdicts).
    Findings come batch by batch, column by column, so their order is not compared."""
    one_report, one_findings = scan_in_batches(table, None)
    cut_report, cut_findings = scan_in_batches(table, cuts)
    assert sorted_findings(cut_findings) == sorted_findings(one_findings)
    assert cut_report == one_report


def write_csv(path: Path, table: pa.Table) -> None:
    """``table`` as a UTF-8 CSV with a header (nulls as empty fields)."""
    with path.open("w", encoding="utf-8", newline="") as fh:
        writer = csv.writer(fh)
        writer.writerow(table.column_names)
        for row in table.to_pylist():
            writer.writerow(["" if v is None else v for v in row.values()])


def without_time(report: dict) -> dict:
    """The report without the one field that differs between identical runs."""
    return {k: v for k, v in report.items() if k != "scanned_at"}


def findings_of(paths: list[str], options: ScanOptions) -> tuple[dict, list[str]]:
    """The report and the sorted finding lines of scanning ``paths``."""
    out = io.StringIO()
    report = scan_paths(paths, options, findings=out)
    return without_time(report), sorted(out.getvalue().splitlines())


@fuzz(15)
@given(table=tables(), batch_rows=st.integers(1, 7))
def test_scan_paths_does_not_depend_on_batch_rows(
    tmp_path_factory: pytest.TempPathFactory, table: pa.Table, batch_rows: int
) -> None:
    """A Parquet file scanned with ``batch_rows`` 1..7 gives the report and findings of the
    default batch size."""
    folder = tmp_path_factory.mktemp("batches")
    path = folder / "t.parquet"
    pq.write_table(table, path, row_group_size=max(1, table.num_rows // 3))
    base = ScanOptions(sample_rows=0, threads=1, reveal=True)
    small = ScanOptions(sample_rows=0, threads=1, reveal=True, batch_rows=batch_rows)
    assert findings_of([str(path)], small) == findings_of([str(path)], base)


def make_folder(folder: Path, seed: int) -> None:
    """A folder of generated CSV, JSON Lines and Parquet files (and a broken one)."""
    rng = np.random.default_rng(seed)
    for i in range(4):
        rows = int(rng.integers(5, 40))
        values = {
            name: [
                None
                if rng.random() < 0.1
                else str(rng.choice(["", "张三", "１３８００１３８０００"]))
                + str(rng.choice(EXAMPLES))
                for _ in range(rows)
            ]
            for name in rng.choice(TABLE_COLUMNS, size=3, replace=False).tolist()
        }
        table = pa.table(values)
        if i % 3 == 0:
            write_csv(folder / f"f{i}.csv", table)
        elif i % 3 == 1:
            pq.write_table(table, folder / f"f{i}.parquet")
        else:
            (folder / f"f{i}.jsonl").write_text(
                "\n".join(json.dumps(r, ensure_ascii=False) for r in table.to_pylist()),
                encoding="utf-8",
            )
    (folder / "broken.parquet").write_bytes(b"PAR1 not really")


@pytest.mark.parametrize("seed", [1, 2])
def test_scan_paths_does_not_depend_on_workers(tmp_path: Path, seed: int) -> None:
    """Two worker processes give the report and findings of one (apart from scanned_at)."""
    make_folder(tmp_path, seed)
    one = findings_of([str(tmp_path)], ScanOptions(sample_rows=0, workers=1, threads=1))
    two = findings_of([str(tmp_path)], ScanOptions(sample_rows=0, workers=2, threads=1))
    assert one[0]["summary"]["sources"] == 5
    assert one == two
