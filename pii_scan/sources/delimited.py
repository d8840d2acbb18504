"""Delimited text sources (CSV, TSV, PSV), streamed with ``pyarrow.csv.open_csv``.

The dialect is sniffed from the first 64 KiB, decoded with the detected encoding:

* **Delimiter.** ``.tsv``/``.tab`` are tab-separated and ``.psv`` pipe-separated.  A ``.csv``
  is tried with comma, tab, semicolon, pipe and ``\x01`` (Hive's default); the first of these
  that splits the sampled records into the same number (at least two) of fields, allowing
  for a few ragged rows, wins.  When none does, the file is one column of comma-separated
  text.  Quoting follows RFC 4180 (a quote inside a quoted field is doubled; quoted fields
  may hold delimiters and newlines).
* **Header.** The first record is the header unless it looks like data: the sampled columns
  vote, a column whose first value has the same kind (number, code, date) as the values below
  it voting "data", one whose first value is text above numbers or codes voting "header".
  A tie keeps the header, so a column name is never lost.  Without a header the columns are
  named ``column_1``, ``column_2``, ... and the first record is data.

The header row is read here, not by pyarrow: it is decoded, parsed with the standard ``csv``
module (quotes and embedded newlines work), its names are made unique
(:func:`~pii_scan.sources.base.dedupe_names`), and pyarrow is handed the bytes after it with
those names and every column typed ``pa.string()``.  Empty cells are null.

Details:

* Blank lines before the header and between rows are ignored.
* A row with too few or too many fields (a ragged row) is kept in its place, so that every
  later row keeps its number: the missing fields are empty, the extra ones are joined into
  the last column with the delimiter (nothing is lost), and the row is counted in
  :attr:`TableStream.ragged_rows`.  pyarrow can only skip such a row, so at the first one the
  reader starts over, skipping the rows it produced, with the records parsed by the
  standard ``csv`` module and written back evened out (:class:`_EvenRows`, slower: only
  files holding ragged rows pay for it).
* pyarrow reads ahead a few dozen blocks, so memory stays around 32 x ``CSV_BLOCK_BYTES``
  (16 MiB).
  A row larger than a block makes the reader start over with 8x larger blocks (up to
  ``MAX_BLOCK_BYTES``), skipping the rows it already produced.
* Encoding is decided from the first 64 KiB (:mod:`~pii_scan.sources.encoding`); pyarrow
  transcodes non-UTF-8 input.  When a file detected as UTF-8 turns out to hold invalid UTF-8
  further on (rows appended in GB18030, stray bytes), the reader starts over, skipping the
  rows it produced, with the text repaired line by line
  (:func:`~pii_scan.sources.encoding.repair_lines`: GB18030 lines decoded as such, other
  invalid bytes replaced by U+FFFD).
* A row (or header) longer than the record cap (``MAX_BLOCK_BYTES``, or less from the
  source's :class:`~pii_scan.sources.base.Limits`, set by ``--source-memory``) fails the
  source with a reason; the rows before it are scanned.
"""

from __future__ import annotations

import codecs
import contextlib
import csv
import io
import itertools
import re
import sys
from collections import Counter
from collections.abc import Iterator
from dataclasses import dataclass
from functools import cache
from typing import Any, BinaryIO

import pyarrow as pa
import pyarrow.csv as pacsv

from .base import (
    SourceError,
    TableStream,
    check_time,
    dedupe_names,
    guarded,
    human_mib,
    limit_batches,
    read_chunk,
    record_cap,
)
from .encoding import HEAD_BYTES, repair_lines, text_encoding
from .inputs import Input, skip

__all__ = ["read_delimited", "sniff_delimiter", "sniff_header"]

#: 512 KiB: the 1M-row benchmark CSV peaks ~20 MB lower than with 1 MiB blocks, as fast.
CSV_BLOCK_BYTES = 1 << 19
MAX_BLOCK_BYTES = 64 << 20
MAX_HEADER_CHARS = 8 << 20
#: Delimiters tried for ``.csv`` files, in order of preference.
CANDIDATE_DELIMITERS = (",", "\t", ";", "|", "\x01")
_FIXED = {"tsv": "\t", "psv": "|"}
_SAMPLE_RECORDS = 50


def read_delimited(
    src: Input,
    *,
    batch_rows: int,
    max_rows: int | None,
    encoding: str | None,
) -> Iterator[TableStream]:
    """Yield the single table of a CSV, TSV or PSV source."""
    head = src.head(HEAD_BYTES)
    if not head:
        raise SourceError("empty file")
    d = sniff_dialect(head, src.ref.format, encoding)
    codec, bom, delimiter = d.codec, d.bom, d.delimiter
    cap = record_cap(src.limits, MAX_BLOCK_BYTES)
    titles = 0  # bytes of the lines above the header (a title, a date): not data
    for _ in range(d.titles + 1):
        with src.open() as f:
            skip(f, bom + titles)
            names, header_bytes = _read_header(f, codec, delimiter, min(cap, MAX_HEADER_CHARS))
        titles += header_bytes
    titles -= header_bytes
    header_bytes += titles
    if d.has_header:
        columns = dedupe_names(fit_header(names, d))
        offset = bom + header_bytes
    else:
        columns = headless_names(max(d.width, len(names)))
        offset = bom + titles
    stream = TableStream(name=src.name, columns=columns, batches=iter(()), encoding=d.label)
    body = _body(src, offset, columns, codec, delimiter, stream)
    stream.batches = limit_batches(guarded(body, "cannot read CSV"), batch_rows, max_rows)
    yield stream


# --------------------------------------------------------------------------- sniffing


@dataclass(frozen=True)
class Dialect:
    """How a delimited file is written, as the scanner reads it (``tag`` reads it the same
    way, so that its columns are the report's)."""

    label: str  # the encoding, as the report names it
    codec: str
    bom: int  # bytes of byte-order mark
    delimiter: str
    has_header: bool
    width: int  # fields of the most common sampled record (0: none sampled)
    titles: int = 0  # narrower lines above the header (客户信息导出 2024-05-01): skipped
    empty_tail: int = 0  # trailing fields empty in every record of ``width`` fields


def sniff_dialect(head: bytes, fmt: str, encoding: str | None = None) -> Dialect:
    """The :class:`Dialect` of a file of format ``fmt`` (csv/tsv/psv) from its first bytes.

    >>> d = sniff_dialect("姓名;手机\\n张伟;13800138000\\n".encode(), "csv")
    >>> d.delimiter, d.has_header, d.width
    (';', True, 2)
    """
    label, codec, bom = text_encoding(head, encoding)
    sample, complete = _sample_text(head[bom:], codec, len(head) < HEAD_BYTES)
    delimiter = _FIXED.get(fmt) or sniff_delimiter(sample, complete)
    records = _records(sample, delimiter, complete)
    width = Counter(len(r) for r in records).most_common(1)[0][0] if records else 0
    # Rows that all end with a delimiter (a,b,c,) have an empty last field the header lacks.
    full = [r for r in records[1:] if len(r) == width]
    empty_tail = 0
    while full and empty_tail < width - 1 and all(not r[-1 - empty_tail] for r in full):
        empty_tail += 1
    # A title above the header: fewer fields than the rows, even without their empty tail.
    titles = title_count([len(r) for r in records], empty_tail)
    header = sniff_header(records[titles:])
    return Dialect(label, codec, bom, delimiter, header, width, titles, empty_tail)


#: Records above the header that may be a title.
_MAX_TITLES = 3


def title_count(lengths: list[int], empty_tail: int = 0) -> int:
    """How many of the first records, of ``lengths`` fields each, are titles above the
    header (``客户信息导出 2024-05-01``): up to three, each narrower than most records below it
    are (at least two fields; of two widths as common, the narrower), less their
    ``empty_tail`` of trailing empty fields, with two records left below. Sheets count alike.

    >>> title_count([1, 1, 2, 2]), title_count([2, 3, 2]), title_count([1, 1, 1])
    (2, 0, 0)
    >>> title_count([2, 4, 4, 4], empty_tail=1), title_count([3, 4, 4, 4], empty_tail=1)
    (1, 0)
    """
    titles = 0
    while titles < min(_MAX_TITLES, len(lengths) - 2):
        below = Counter(lengths[titles + 1 :])
        width = max(below, key=lambda n: (below[n], -n))
        if width < 2 or lengths[titles] >= width - empty_tail:
            break
        titles += 1
    return titles


def fit_header(names: list[str], d: Dialect) -> list[str]:
    """The header ``names`` fitted to the rows: empty trailing names beyond the rows' width
    dropped (a header ending with a delimiter), names added for the rows' empty trailing
    fields (rows ending with one).

    >>> d = Dialect("utf-8", "utf-8", 0, ",", True, 3)
    >>> fit_header(["姓名", "手机", "身份证", ""], d)
    ['姓名', '手机', '身份证']
    >>> fit_header(["姓名", "手机"], Dialect("utf-8", "utf-8", 0, ",", True, 3, 0, 1))
    ['姓名', '手机', 'column_3']
    """
    while len(names) > d.width >= 1 and not names[-1].strip():
        names = names[:-1]
    if d.width - d.empty_tail <= len(names) < d.width:
        names = [*names, *headless_names(d.width)[len(names) :]]
    return names


def headless_names(width: int) -> list[str]:
    """The column names of a file without a header row: ``column_1`` …"""
    return [f"column_{i}" for i in range(1, width + 1)]


def _sample_text(head: bytes, codec: str, whole: bool) -> tuple[str, bool]:
    """The decoded head, cut after its last line break unless it is the whole file."""
    text = codecs.getincrementaldecoder(codec)("replace").decode(head, final=whole)
    if whole:
        return text, True
    cut = text.rfind("\n")
    return (text[: cut + 1] if cut >= 0 else text), False


def _records(text: str, delimiter: str, complete: bool) -> list[list[str]]:
    """Up to ``_SAMPLE_RECORDS`` non-blank records of ``text`` (the last dropped when the
    text may cut it)."""
    reader = csv.reader(io.StringIO(text, newline=""), delimiter=delimiter, strict=False)
    out: list[list[str]] = []
    try:
        for row in reader:
            if row and any(cell.strip() for cell in row):
                out.append(row)
                if len(out) > _SAMPLE_RECORDS:
                    break
    except csv.Error:
        pass
    if not complete and len(out) > 1:
        out.pop()
    return out[:_SAMPLE_RECORDS]


def sniff_delimiter(text: str, complete: bool = True) -> str:
    """The delimiter of CSV ``text`` among :data:`CANDIDATE_DELIMITERS` (comma by default).

    >>> sniff_delimiter("name;phone\\nAnna;+49 30 1234\\n")
    ';'
    >>> sniff_delimiter("note\\nhello; world\\n")
    ','
    """
    for delimiter in CANDIDATE_DELIMITERS:
        if delimiter != "," and delimiter not in text:
            continue
        counts = [len(r) for r in _records(text, delimiter, complete)]
        if not counts:
            continue
        width, hits = Counter(counts).most_common(1)[0]
        if width >= 2 and (hits == len(counts) or (len(counts) >= 5 and hits / len(counts) >= 0.8)):
            return delimiter
    return ","


_NUMBER = re.compile(r"[-+]?(?:\d[\d,]*(?:\.\d*)?|\.\d+)(?:[eE][-+]?\d+)?%?")
_DATE = re.compile(r"\d{2,4}[-/.年]\d{1,2}[-/.月]\d{1,2}.*")
_CODE = re.compile(r"[+(]?[\dA-Za-z][\dA-Za-z ()+\-_/.:@]*")


def _kind(value: str) -> str:
    value = value.strip()
    if _NUMBER.fullmatch(value):
        return "number"
    if _DATE.fullmatch(value):
        return "date"
    digits = sum(ch.isdigit() for ch in value)
    if digits >= 5 and digits >= len(value) // 2 and _CODE.fullmatch(value):
        return "code"
    return "text"


def sniff_header(records: list[list[str]]) -> bool:
    """Whether the first of the sampled ``records`` is a header row (True when unsure).

    >>> sniff_header([["姓名", "手机号"], ["张三", "13800138000"]])
    True
    >>> sniff_header([["张三", "13800138000"], ["李四", "13912345678"]])
    False

    A tie keeps the header, unless every field of the first record is Chinese text and none
    holds a word that names columns (:func:`header_words`): ``张伟,北京市朝阳区建国路88号`` is
    data, and taking it for a header would leave it unscanned and print it as column names.

    >>> sniff_header([["张伟", "北京市朝阳区建国路88号"], ["李娜", "上海市黄浦区南京东路1号"]])
    False
    >>> sniff_header([["收货人", "详细地址"], ["李娜", "上海市黄浦区南京东路1号"]])
    True
    """
    if len(records) < 2:
        return True
    first, rest = records[0], records[1:]
    votes = _votes(first, rest)
    if votes == 0 and _chinese_data(first):
        return False
    return votes >= 0


def _chinese_data(fields: list[str]) -> bool:
    """Is every non-empty field Chinese text holding no word of :func:`header_words`?"""
    filled = [f.strip() for f in fields if f.strip()]
    words = header_words()
    return bool(filled) and all(_HANZI.search(f) and not any(w in f for w in words) for f in filled)


#: Words of column names beside those the recognizers list (their ``[columns] zh``).
GENERIC_HEADER_WORDS = (
    "名称 名字 编号 编码 序号 代码 号码 日期 时间 年份 月份 金额 数量 单价 价格 费用 余额 "
    "备注 说明 描述 内容 标题 类型 类别 分类 状态 标志 级别 等级 部门 职位 职务 岗位 单位 "
    "公司 机构 客户 用户 会员 员工 学生 患者 商品 产品 订单 城市 省份 地区 区域 来源 渠道 "
    "方式 原因 结果 信息 记录 详情 情况 是否 合计 小计 比例 次数 标签 版本 链接 附件 "
    "姓名 手机 电话 地址 邮箱 证件 性别 年龄 生日 民族 籍贯 学历 婚姻 账号 账户 卡号"
)


@cache
def header_words() -> frozenset[str]:
    """The Chinese words that name columns: the catalog's column names and
    :data:`GENERIC_HEADER_WORDS`."""
    from ..catalog import load_catalog

    names = {n.lstrip("=") for r in load_catalog() for n in r.column_names}
    return frozenset({n for n in names if _HANZI.search(n)} | set(GENERIC_HEADER_WORDS.split()))


_HANZI = re.compile(r"[\u3400-\u9fff]")


def _votes(first: list[str], rest: list[list[str]]) -> int:
    """The columns' votes for the first record being a header (+) or data (-)."""
    votes = 0
    for j, name in enumerate(first):
        values = [r[j] for r in rest if j < len(r) and r[j].strip()]
        if not values or not name.strip():
            continue
        kinds = Counter(_kind(v) for v in values)
        kind, count = kinds.most_common(1)[0]
        if count < len(values) * 0.8:
            continue
        first_kind = _kind(name)
        if first_kind != kind:
            votes += 1 if first_kind == "text" else 0
        elif kind != "text":
            votes -= 1
        else:
            lengths = {len(v) for v in values}
            if len(lengths) == 1 and len(values) >= 3 and len(name) not in lengths:
                votes += 1
    return votes


# --------------------------------------------------------------------------- header


def _read_header(
    f: BinaryIO, codec: str, delimiter: str, cap: int = MAX_HEADER_CHARS
) -> tuple[list[str], int]:
    """Parse the first non-blank record: ``(names, bytes used incl. blank lines)``."""
    decoder = codecs.getincrementaldecoder(codec)("strict")
    text = ""
    want = 64 * 1024
    while True:
        check_time()
        chunk = read_chunk(f, want)
        eof = not chunk
        try:
            text += decoder.decode(chunk, final=eof)
        except UnicodeDecodeError:
            raise SourceError(f"header row is not valid {codec} text") from None
        found = _first_record(text, delimiter, eof)
        if found is not None:
            row, used = found
            row[0] = row[0].removeprefix("\ufeff")
            return row, len(text[:used].encode(codec))
        if eof:
            raise SourceError("no header row")
        if len(text) > cap:
            raise SourceError(f"header row is longer than {human_mib(cap)}")
        want = min(want * 2, 4 << 20)


def _first_record(text: str, delimiter: str, eof: bool) -> tuple[list[str], int] | None:
    """The first non-blank CSV record in ``text`` and the characters it (and blank lines
    before it) take, or None if ``text`` has none or it may continue past ``text``."""
    lines = iter(io.StringIO(text, newline=""))
    skipped = 0
    first = None
    for line in lines:
        if line.strip():
            first = line
            break
        skipped += len(line)
    if first is None:
        return None
    used = [len(first)]

    def feed() -> Iterator[str]:
        yield first
        for line in lines:
            used.append(len(line))
            yield line

    reader = csv.reader(feed(), delimiter=delimiter, quotechar='"', doublequote=True, strict=False)
    try:
        row = next(reader)
    except (csv.Error, StopIteration):
        if eof:
            raise SourceError("malformed header row") from None
        return None
    end = skipped + sum(used)
    if end >= len(text) and not eof:
        return None
    if end >= len(text) and _unterminated(text[skipped:end], delimiter):
        raise SourceError("malformed header row: a quote is never closed")
    return row, end


def _unterminated(record: str, delimiter: str) -> bool:
    """True if ``record`` (the rest of the file) ends inside a quoted field."""
    strict = csv.reader(io.StringIO(record, newline=""), delimiter=delimiter, strict=True)
    try:
        next(strict, None)
    except csv.Error as exc:
        return "unexpected end of data" in str(exc)
    return False


# --------------------------------------------------------------------------- body


def _body(
    src: Input,
    offset: int,
    columns: list[str],
    codec: str,
    delimiter: str,
    stream: TableStream,
) -> Iterator[pa.RecordBatch]:
    """Record batches after the header; restarts with larger blocks when a row is too big,
    and with repaired text when UTF-8 turns invalid."""
    cap = record_cap(src.limits, MAX_BLOCK_BYTES)
    block = min(CSV_BLOCK_BYTES, cap)
    produced = 0
    repair = even = False
    while True:
        # Evened rows skip the rows produced before they are written: no second parse.
        to_skip = 0 if even else produced
        batches = _read_body(
            src,
            offset,
            columns,
            codec,
            delimiter,
            stream,
            block,
            repair,
            produced if even else None,
        )
        try:
            with contextlib.closing(batches):
                for batch in batches:
                    check_time()
                    if stream.skipped_rows and not even:
                        break  # a ragged row in this batch or before it: read it evened out
                    if to_skip:
                        if batch.num_rows <= to_skip:
                            to_skip -= batch.num_rows
                            continue
                        batch = batch.slice(to_skip)
                        to_skip = 0
                    produced += batch.num_rows
                    yield batch
            if stream.skipped_rows and not even:
                even, repair = True, repair or codec == "utf-8"  # (valid UTF-8: one decode)
                stream.recount()
                continue
            if not produced and _has_content(src, offset):
                # pyarrow's threaded reader can drop a huge row whose pieces it could not
                # decode for the invalid-row handler; never report such a body as empty.
                skipped = stream.skipped_rows
                said = f" ({skipped} malformed row(s) skipped)" if skipped else ""
                raise SourceError(
                    f"no row could be read after the header{said}: a row may be larger than "
                    f"{human_mib(cap)} (--source-memory)"
                )
            return
        except pa.ArrowInvalid as exc:
            message = str(exc)
            if "Empty CSV file" in message and not produced:
                return  # only blank lines after the header
            if "CSV parse error: Expected" in message and not even:
                # A ragged row pyarrow could not even hand to the handler (invalid UTF-8).
                even, repair = True, repair or codec == "utf-8"
                stream.recount()
                continue
            if "straddl" in message and block < cap:
                block = min(block * 8, cap)
                stream.recount()  # the new pass counts them again
                continue
            if "straddl" in message:
                raise SourceError(
                    f"a row is larger than {human_mib(cap)} (--source-memory)"
                ) from None
            if "invalid UTF8" in message and codec == "utf-8" and not repair:
                repair = True  # read again, line by line: GB18030 rows, U+FFFD for the rest
                stream.recount()
                continue
            if "invalid UTF8" in message:
                raise SourceError(
                    f"invalid {codec} text after the first 64 KiB (force the encoding)"
                ) from None
            raise


def _read_body(
    src: Input,
    offset: int,
    columns: list[str],
    codec: str,
    delimiter: str,
    stream: TableStream,
    block: int,
    repair: bool = False,
    even_after: int | None = None,
) -> Iterator[pa.RecordBatch]:
    """pyarrow's batches of the body; with ``repair``, of its text repaired line by line;
    with ``even_after``, of its records evened out (:class:`_EvenRows`) after leaving out
    that many."""

    def on_invalid_row(row: object) -> str:
        stream.count_skipped()
        return "skip"

    _quiet_undecodable_rows()

    utf8 = codec == "utf-8" or even_after is not None  # evened rows come as UTF-8
    read_options = pacsv.ReadOptions(
        column_names=columns,
        block_size=block,
        encoding="utf8" if utf8 else codec,
        use_threads=True,
    )
    parse_options = pacsv.ParseOptions(
        delimiter=delimiter,
        quote_char='"',
        double_quote=True,
        escape_char=False,
        newlines_in_values=True,
        ignore_empty_lines=True,
        invalid_row_handler=on_invalid_row,
    )
    convert_options = pacsv.ConvertOptions(
        column_types={name: pa.string() for name in columns},
        strings_can_be_null=True,
        quoted_strings_can_be_null=True,
        null_values=[""],
        check_utf8=True,
    )
    source: Any = src.open_at(offset)
    if repair:
        source = _Repaired(source)
    if even_after is not None:
        codec = "utf-8" if repair else codec
        source = _EvenRows(source, codec, delimiter, len(columns), stream, skip=even_after)
    with source:
        if _at_end(source):
            return
        reader = pacsv.open_csv(
            source,
            read_options=read_options,
            parse_options=parse_options,
            convert_options=convert_options,
        )
        try:
            yield from reader
        finally:
            reader.close()


class _Rewritten(io.RawIOBase):
    """A stream of bytes made from another one piece by piece: a subclass's ``_fill`` puts
    the next piece in ``_buf`` (or sets ``_eof``); ``peek(1)`` says if anything is left."""

    def __init__(self, inner: Any) -> None:
        self._inner = inner
        self._buf = b""
        self._pos = 0
        self._eof = False

    def readable(self) -> bool:
        return True

    def _fill(self) -> None:
        raise NotImplementedError

    def peek(self, size: int = 1) -> bytes:
        self._fill()
        return self._buf[self._pos : self._pos + max(size, 1)]

    def readinto(self, buffer: Any) -> int:
        self._fill()
        n = min(len(buffer), len(self._buf) - self._pos)
        buffer[:n] = self._buf[self._pos : self._pos + n]
        self._pos += n
        return n

    def close(self) -> None:
        if not self.closed:
            self._inner.close()
        super().close()


class _Repaired(_Rewritten):
    """The UTF-8 text of a stream of mixed or broken text, repaired line by line
    (:func:`~pii_scan.sources.encoding.repair_lines`)."""

    _READ = 1 << 20

    def __init__(self, inner: Any) -> None:
        super().__init__(inner)
        self._carry = b""

    def _fill(self) -> None:
        while self._pos >= len(self._buf) and not self._eof:
            check_time()
            chunk = self._inner.read(self._READ)
            if not chunk:
                self._eof = True
                data, self._carry = self._carry, b""
            else:
                data = self._carry + chunk
                cut = data.rfind(b"\n") + 1
                if cut == 0 and len(data) < 4 * self._READ:
                    self._carry = data
                    continue
                cut = cut or len(data)  # a very long line is repaired piece by piece
                data, self._carry = data[:cut], data[cut:]
            self._buf, self._pos = repair_lines(data), 0


def _quiet_undecodable_rows() -> None:
    """Keep pyarrow from printing a traceback for a ragged row that is invalid UTF-8: it
    cannot decode the row for the invalid-row handler, reports that as unraisable, and fails
    the read with "Expected N columns", which :func:`_body` handles."""
    previous = sys.unraisablehook
    if getattr(previous, "pii_scan", False):
        return

    def hook(unraisable: Any) -> None:
        handler = getattr(unraisable.object, "__qualname__", "")
        if not (
            issubclass(unraisable.exc_type, UnicodeDecodeError)
            and handler == "_read_body.<locals>.on_invalid_row"
        ):
            previous(unraisable)

    hook.pii_scan = True  # type: ignore[attr-defined]
    sys.unraisablehook = hook


class _EvenRows(_Rewritten):
    """The records of a delimited stream, each with exactly ``width`` fields, as UTF-8 CSV:
    a short record gets empty fields, a long one its extra fields joined into the last with
    the delimiter; both are counted in :attr:`TableStream.ragged_rows`.

    >>> s = TableStream(name="t", columns=["a", "b"], batches=iter(()))
    >>> even = _EvenRows(io.BytesIO(b'1\\n2,"x\\ny",z\\n\\n3,4\\n'), "utf-8", ",", 2, s)
    >>> even.read().decode(), s.ragged_rows
    ('1,\\n2,"x\\ny,z"\\n3,4\\n', 2)
    """

    _ROWS = 4096

    def __init__(
        self,
        inner: Any,
        codec: str,
        delimiter: str,
        width: int,
        stream: TableStream,
        skip: int = 0,
    ):
        super().__init__(inner)
        raw = io.BufferedReader(_Readable(inner), 1 << 20)
        text = io.TextIOWrapper(raw, encoding=codec, errors="replace", newline="")
        self._records = csv.reader(text, delimiter=delimiter, quotechar='"', doublequote=True)
        csv.field_size_limit(max(csv.field_size_limit(), MAX_BLOCK_BYTES))
        self._skip = skip  # records (not blank lines) left out first
        self._delimiter, self._width, self._stream = delimiter, width, stream

    def _fill(self) -> None:
        while self._pos >= len(self._buf) and not self._eof:
            check_time()
            out = io.StringIO()
            writer = csv.writer(out, delimiter=self._delimiter, lineterminator="\n")
            width, ragged, rows = self._width, 0, 0
            records = itertools.islice(self._records, self._ROWS)
            try:
                while self._skip:
                    record = next(self._records, None)
                    if record is None:
                        break
                    self._skip -= bool(record)
                for record in records:
                    rows += 1
                    if not record:
                        continue  # a blank line, as pyarrow ignores it
                    if len(record) != width:
                        ragged += 1
                        if len(record) < width:
                            record += [""] * (width - len(record))
                        else:
                            record[width - 1 :] = [self._delimiter.join(record[width - 1 :])]
                    writer.writerow(record)
            except csv.Error as exc:  # its message quotes no data
                raise SourceError(f"malformed CSV record: {exc}") from None
            self._eof = rows < self._ROWS
            if ragged:
                self._stream.count_ragged(ragged)
            self._buf, self._pos = out.getvalue().encode("utf-8"), 0


class _Readable(io.RawIOBase):
    """A binary stream with ``read`` only (a pyarrow file, a decompressor) as ``io`` wants it
    under a :class:`io.TextIOWrapper`; closing it leaves the stream open."""

    def __init__(self, inner: Any) -> None:
        self._inner = inner

    def readable(self) -> bool:
        return True

    def readinto(self, buffer: Any) -> int:
        data = self._inner.read(len(buffer))
        buffer[: len(data)] = data
        return len(data)


def _has_content(src: Input, offset: int) -> bool:
    """Whether the first 64 KiB after ``offset`` hold anything but blank lines."""
    with contextlib.closing(src.open()) as f:
        skip(f, offset)
        return bool(read_chunk(f, 1 << 16).strip())


def _at_end(source: Any) -> bool:
    """True when nothing is left after the header (pyarrow's reader fails on empty input)."""
    peek = getattr(source, "peek", None)
    if peek is not None:
        return not peek(1)
    if isinstance(source, pa.NativeFile):  # a pyarrow file: compare the position with the size
        return source.tell() >= source.size()
    return False  # a stream: pyarrow's "Empty CSV file" is handled by _body
