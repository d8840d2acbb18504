"""SQL dumps: MySQL/MariaDB (``mysqldump``) and PostgreSQL (``pg_dump``, plain format).

Every SQL table with a ``CREATE TABLE`` or data in the dump is a table of the report, named by
the SQL name (``public.`` is dropped, other schemas are kept: ``sales.orders``).  After a
MySQL ``USE db`` statement (``mysqldump --databases`` and ``--all-databases``), an unqualified
name is qualified with that database (``shop.customers``), so that two databases' tables of
one name stay apart.  The dump is read once, as a stream, by a small parser of our own:

1. **Statements.** A scanner finds where each statement ends, stepping over what can hide a
   ``;``: quoted strings (MySQL's backslash escapes and ``''``; PostgreSQL's standard strings,
   ``E'...'`` strings and ``$tag$`` dollar quotes), quoted identifiers, and comments (``--``,
   ``/* */`` including MySQL's ``/*!40101 ... */``, and ``#`` for MySQL).  psql
   meta-commands (``\\restrict`` lines of recent ``pg_dump``) are skipped.  The dialect comes
   from the dump's header (``MySQL dump``/``MariaDB dump``, ``PostgreSQL database dump``),
   else from backquotes or ``COPY ... FROM stdin`` in the first 64 KiB.
2. **CREATE TABLE** gives the column names (constraint lines such as ``PRIMARY KEY (...)``
   are skipped) and types.
3. **INSERT / REPLACE ... VALUES** (one or many rows, with or without a column list): each
   value is read by one regular expression per value: strings (with ``_utf8mb4``/``_binary``
   introducers), ``NULL``, numbers (kept as written), ``0x..``/``X'..'`` hex and ``b'..'``
   bit literals, ``TRUE``/``FALSE``; anything else (``'..'::type``, ``CONVERT(..)``,
   ``ARRAY[..]``) is taken whole, keeping the text of its first string literal.  Rows go to
   the columns named by the statement, or to the ``CREATE TABLE`` columns by position.
4. **COPY ... FROM stdin** blocks: one row per line up to ``\\.``, tab-separated, ``\\N`` null,
   backslash escapes (``\\t``, ``\\n``, ``\\\\``, octal, ``\\x``) undone.

Values become text as the database would print them; binary values (hex literals, ``bytea``
columns' ``\\x..`` text, MySQL ``_binary`` strings) are decoded when they hold UTF-8 and null
otherwise (the rule of the other readers); PostgreSQL arrays (``{a,b}``) in ``[]`` columns are
looked through, their elements joined by newlines.  Bytes that are not valid in the dump's
encoding (raw binary in a MySQL dump made without ``--hex-blob``) never fail the source.

Memory holds one statement (at most :data:`MAX_STATEMENT_CHARS`) and one batch; rows past
``max_rows`` of a table are skipped without being parsed.  Tables are produced in the order
their data appears; tables that never get a row follow at the end, without rows.  A table
whose rows come in two separate runs (other tables' rows between them) appears twice.
"""

from __future__ import annotations

import codecs
import re
from collections.abc import Iterator
from dataclasses import dataclass, field
from typing import Any

import pyarrow as pa

from .base import SourceError, TableStream, dedupe_names, guarded, limit_batches, read_chunk
from .encoding import HEAD_BYTES, resolve_encoding
from .inputs import Input

__all__ = ["MAX_STATEMENT_CHARS", "read_sql"]

MAX_STATEMENT_CHARS = 64 << 20
READ_BYTES = 1 << 20
_CHUNK_ROWS = 4096

# --------------------------------------------------------------------------- dialect and text

_DECLARED = [
    (re.compile(r"SET NAMES '?(\w+)", re.I), None),
    (re.compile(r"client_encoding\s*=\s*'(\w+)'", re.I), None),
]
_CHARSETS = {
    "utf8": "utf-8",
    "utf8mb4": "utf-8",
    "utf8mb3": "utf-8",
    "gbk": "gb18030",
    "gb2312": "gb18030",
    "gb18030": "gb18030",
    "euc_cn": "gb18030",
    "big5": "big5",
    "latin1": "utf-8",  # latin1 tables usually hold UTF-8 bytes; invalid bytes survive anyway
    "sql_ascii": "utf-8",
}


def _dialect(head: str) -> str:
    if re.search(r"^-- (?:MySQL|MariaDB) dump", head, re.M) or "/*!40101" in head:
        return "mysql"
    if "PostgreSQL database dump" in head or re.search(r"\bFROM stdin;", head):
        return "postgres"
    if "`" in head or re.search(r"\bENGINE\s*=", head, re.I):
        return "mysql"
    return "postgres"  # standard SQL strings ('' doubling, no backslash escapes)


def _codec(head: bytes, forced: str | None) -> tuple[str, str]:
    """``(label, codec)``: forced, declared by the dump, or detected (lenient)."""
    if not forced:
        ascii_head = head.decode("ascii", "replace")
        for pattern, _ in _DECLARED:
            m = pattern.search(ascii_head)
            if m and m.group(1).lower() in _CHARSETS:
                codec = _CHARSETS[m.group(1).lower()]
                return codec, codec
    try:
        label, codec, _ = resolve_encoding(head, forced, lenient=True)
    except SourceError:
        if forced:
            raise
        return "utf-8", "utf-8"  # raw binary values: undecodable bytes are kept aside
    return label, codec


_SURROGATE = re.compile("[\udc80-\udcff]")


def _fix_bytes(text: str, codec: str) -> str | None:
    """A value holding undecodable bytes (surrogate escapes): UTF-8 text or null."""
    try:
        return text.encode(codec, "surrogateescape").decode("utf-8")
    except (UnicodeDecodeError, UnicodeEncodeError):
        return None


def _binary_text(data: bytes) -> str | None:
    try:
        return data.decode("utf-8")
    except UnicodeDecodeError:
        return None


# --------------------------------------------------------------------------- statements

_IDENT = r"""(?:`(?:[^`]|``)*`|"(?:[^"]|"")*"|\[[^\]]*\]|[^\s.,;()`"'\[\]]+)"""
_NAME = rf"{_IDENT}(?:\s*\.\s*{_IDENT})*"
# A column list: single characters other than parentheses and quotes, or quoted identifiers
# (which may hold those).  No two alternatives can match the same text, so a list without
# its ")" fails in linear time (alternatives that overlapped, such as a whole unquoted name
# or its characters one by one, made that exponential).
_COLS = r"""\((?:[^()'"`]|`(?:[^`]|``)*`|"(?:[^"]|"")*")*\)"""
_CREATE = re.compile(
    rf"CREATE\s+(?:OR\s+REPLACE\s+)?(?:(?:GLOBAL|LOCAL)\s+)?(?:TEMP(?:ORARY)?\s+|UNLOGGED\s+)?"
    rf"TABLE\s+(?:IF\s+NOT\s+EXISTS\s+)?(?:ONLY\s+)?(?P<name>{_NAME})\s*\(",
    re.I,
)
_INSERT = re.compile(
    rf"(?:INSERT|REPLACE)\s+(?:(?:LOW_PRIORITY|DELAYED|HIGH_PRIORITY|IGNORE)\s+)*(?:INTO\s+)?"
    rf"(?P<name>{_NAME})\s*(?P<cols>{_COLS})?\s*"
    rf"(?:OVERRIDING\s+\w+\s+VALUE\s+)?VALUES?\s*",
    re.I,
)
_USE = re.compile(r"USE\s+(?P<name>`(?:[^`]|``)+`|[^\s;]+)\s*$", re.I)
_COPY = re.compile(
    rf"COPY\s+(?P<name>{_NAME})\s*(?P<cols>{_COLS})?\s*FROM\s+stdin\b",
    re.I,
)
_IDENT_RE = re.compile(_IDENT)
_CONSTRAINT = re.compile(
    r"(?:PRIMARY|KEY|UNIQUE|INDEX|CONSTRAINT|FOREIGN|CHECK|FULLTEXT|SPATIAL|EXCLUDE|LIKE|"
    r"PERIOD)\b\s*(?P<next>[A-Za-z_]\w*)?",
    re.I,
)
#: The first word of a column's type: a line ``key integer`` or ``index text`` (pg_dump
#: leaves such non-reserved names unquoted) is a column, not a constraint.
_TYPE_WORDS_TEXT = """
    bigint bigserial binary bit blob bool boolean box bpchar bytea char character cidr date
    datetime dec decimal double enum float float4 float8 geography geometry inet int int2
    int4 int8 integer interval json jsonb line longblob longtext macaddr mediumblob
    mediumint mediumtext money nchar numeric nvarchar point polygon real serial set smallint
    smallserial text time timestamp timestamptz timetz tinyblob tinyint tinytext tsvector
    uuid varbinary varchar xml year
"""
_TYPE_WORDS = frozenset(_TYPE_WORDS_TEXT.split())
_LINE_END = re.compile(r";\r?\n")
_SPECIAL = {
    "mysql": re.compile(r"""['"`;#]|--[ \t\r\n]|/\*"""),
    "postgres": re.compile(r"""['";]|--|/\*|\$(?:[A-Za-z_][A-Za-z_0-9]*)?\$"""),
}
_STRING_END = {
    # index after the closing quote, when the string is complete in the text
    ("mysql", "'"): re.compile(r"[^'\\]*(?:(?:\\.|'')[^'\\]*)*'", re.S),
    ("mysql", '"'): re.compile(r'[^"\\]*(?:(?:\\.|"")[^"\\]*)*"', re.S),
    ("postgres", "'"): re.compile(r"[^']*(?:''[^']*)*'", re.S),
    ("postgres", '"'): re.compile(r'[^"]*(?:""[^"]*)*"', re.S),
    ("escape", "'"): re.compile(r"[^'\\]*(?:(?:\\.|'')[^'\\]*)*'", re.S),
}
_BACKTICK_END = re.compile(r"[^`]*(?:``[^`]*)*`")
_LEADING = re.compile(r"(?:\s+|--[^\n]*\n|#[^\n]*\n|/\*.*?\*/)*", re.S)
_LEADING_PG = re.compile(r"(?:\s+|--[^\n]*\n|/\*.*?\*/)*", re.S)
_COPY_END = re.compile(r"^\\\.", re.M)


def _unquote(ident: str) -> str:
    ident = ident.strip()
    if _SURROGATE.search(ident):  # bytes the dump's encoding could not decode (--encoding)
        ident = ident.encode("utf-8", "surrogateescape").decode("utf-8", "replace")
    if len(ident) >= 2 and ident[0] == ident[-1] and ident[0] in '`"':
        q = ident[0]
        return ident[1:-1].replace(q + q, q)
    if len(ident) >= 2 and ident[0] == "[" and ident[-1] == "]":
        return ident[1:-1]
    return ident


def _table_name(raw: str) -> str:
    parts = [_unquote(p) for p in _IDENT_RE.findall(raw)]
    if len(parts) > 1 and parts[0].lower() in ("public", "dbo", "main"):
        parts = parts[1:]
    return ".".join(parts)


def _column_list(raw: str | None) -> list[str] | None:
    if not raw:
        return None
    return [_unquote(p) for p in _IDENT_RE.findall(raw[1:-1])]


def _split_top(text: str, dialect: str) -> list[str]:
    """Split ``text`` at commas outside parentheses, quotes and comments."""
    items, depth, start, i, n = [], 0, 0, 0, len(text)
    while i < n:
        c = text[i]
        if c in "'\"`":
            m = (_BACKTICK_END if c == "`" else _STRING_END[(dialect, c)]).match(text, i + 1)
            i = m.end() if m else n
            continue
        if c == "-" and text.startswith("--", i):
            j = text.find("\n", i)
            i = n if j < 0 else j
            continue
        if c == "(":
            depth += 1
        elif c == ")":
            depth -= 1
        elif c == "," and depth == 0:
            items.append(text[start:i])
            start = i + 1
        i += 1
    items.append(text[start:])
    return [item.strip() for item in items if item.strip()]


@dataclass
class _Table:
    name: str
    columns: list[str] = field(default_factory=list)
    types: list[str] = field(default_factory=list)
    rows: int = 0  # rows produced so far
    streamed: bool = False


def _create_table(stmt: str, m: re.Match, dialect: str) -> _Table | None:
    """The columns of ``CREATE TABLE name (...)``; ``m`` matched up to the ``(``."""
    pieces = _split_top(stmt[m.end() :], dialect)
    if not pieces:
        return None
    # the last piece runs past the parenthesis that closes the column list: cut it there
    last, level, j = pieces[-1], 0, 0
    cut = len(last)
    while j < len(last):
        c = last[j]
        if c in "'\"`":
            pat = _BACKTICK_END if c == "`" else _STRING_END[(dialect, c)]
            found = pat.match(last, j + 1)
            j = found.end() if found else len(last)
            continue
        if c == "(":
            level += 1
        elif c == ")":
            if level == 0:
                cut = j
                break
            level -= 1
        j += 1
    pieces[-1] = last[:cut].strip()
    table = _Table(_table_name(m.group("name")))
    for piece in pieces:
        constraint = _CONSTRAINT.match(piece)
        if not piece or (constraint and (constraint["next"] or "").lower() not in _TYPE_WORDS):
            continue
        ident = _IDENT_RE.match(piece)
        if ident is None:
            continue
        table.columns.append(_unquote(ident.group()))
        rest = piece[ident.end() :].strip()
        table.types.append(rest.split(None, 1)[0].lower() if rest else "")
    return table if table.columns else None


# --------------------------------------------------------------------------- values

_STR_MY = r"'(?P<{0}>[^'\\]*(?:(?:\\.|'')[^'\\]*)*)'"
_VALUE = {
    "mysql": re.compile(
        r"[ \t\r\n]*(?:"
        + r"(?P<str>"
        + _STR_MY.format("s")
        + r")"
        + r"|(?P<intro>_(?P<cs>[A-Za-z0-9]+)[ \t]*"
        + _STR_MY.format("si")
        + r")"
        + r"|(?P<nstr>[nN]"
        + _STR_MY.format("sn")
        + r")"
        + r'|(?P<dq>"(?P<d>[^"\\]*(?:(?:\\.|"")[^"\\]*)*)")'
        + r"|(?P<hex>0x(?P<h>[0-9A-Fa-f]*)|[xX]'(?P<h2>[0-9A-Fa-f]*)')"
        + r"|(?P<bits>0b(?P<b>[01]+)|[bB]'(?P<b2>[01]*)')"
        + r"|(?P<num>[-+]?(?:\d+(?:\.\d*)?|\.\d+)(?:[eE][-+]?\d+)?)"
        + r"|(?P<null>(?i:NULL))"
        + r"|(?P<word>[A-Za-z_]\w*)"
        + r")[ \t\r\n]*(?=[,)])",
        re.S,
    ),
    "postgres": re.compile(
        r"[ \t\r\n]*(?:"
        + r"(?P<str>'(?P<s>[^']*(?:''[^']*)*)')"
        + r"|(?P<estr>[eE]'(?P<se>[^'\\]*(?:(?:\\.|'')[^'\\]*)*)')"
        + r"|(?P<hex>[xX]'(?P<h2>[0-9A-Fa-f]*)')"
        + r"|(?P<bits>[bB]'(?P<b2>[01]*)')"
        + r"|(?P<num>[-+]?(?:\d+(?:\.\d*)?|\.\d+)(?:[eE][-+]?\d+)?)"
        + r"|(?P<null>(?i:NULL))"
        + r"|(?P<word>[A-Za-z_]\w*)"
        + r")[ \t\r\n]*(?=[,)])",
        re.S,
    ),
}
_MY_ESCAPES = {
    "0": "\0",
    "b": "\b",
    "n": "\n",
    "r": "\r",
    "t": "\t",
    "Z": "\x1a",
    "%": "\\%",
    "_": "\\_",
}
_MY_ESCAPE = re.compile(r"\\(.)|''|\"\"", re.S)
_PG_ESCAPE = re.compile(
    r"\\(?:([0-7]{1,3})|x([0-9A-Fa-f]{1,2})|u([0-9A-Fa-f]{4})|U([0-9A-Fa-f]{8})|(.))|''", re.S
)
_PG_SIMPLE = {"b": "\b", "f": "\f", "n": "\n", "r": "\r", "t": "\t", "v": "\v"}


def _my_unescape(text: str) -> str:
    if "\\" not in text and "''" not in text and '""' not in text:
        return text

    def repl(m: re.Match) -> str:
        ch = m.group(1)
        if ch is None:
            return m.group()[0]
        return _MY_ESCAPES.get(ch, ch)

    return _MY_ESCAPE.sub(repl, text)


def _byte_char(value: int) -> str:
    """A byte value inside text: ASCII as itself, others as a surrogate escape."""
    return chr(value) if value < 0x80 else chr(0xDC00 + value)


def _pg_unescape(text: str) -> str:
    if "\\" not in text and "''" not in text:
        return text

    def repl(m: re.Match) -> str:
        octal, hexa, u4, u8, other = m.groups()
        if octal:
            return _byte_char(int(octal, 8) & 0xFF)
        if hexa:
            return _byte_char(int(hexa, 16))
        if u4 or u8:
            try:
                return chr(int(u4 or u8, 16))
            except (ValueError, OverflowError):
                return ""
        if other is not None:
            return _PG_SIMPLE.get(other, other)
        return "'"

    return _PG_ESCAPE.sub(repl, text)


_FIRST_STRING = re.compile(r"'((?:[^'\\]|\\.|'')*)'", re.S)


def _expression_end(stmt: str, pos: int, dialect: str) -> int:
    """Index of the ``,`` or ``)`` ending the value that starts at ``pos``."""
    depth, i, n = 0, pos, len(stmt)
    while i < n:
        c = stmt[i]
        if c in "'\"`":
            key = (dialect, c) if c != "`" else None
            pat = (
                _BACKTICK_END if key is None else _STRING_END.get(key, _STRING_END[(dialect, "'")])
            )
            m = pat.match(stmt, i + 1)
            if m is None:
                raise SourceError("unterminated string in an INSERT statement")
            i = m.end()
            continue
        if c in "([":
            depth += 1
        elif c in ")]":
            if depth == 0:
                return i
            depth -= 1
        elif c == "," and depth == 0:
            return i
        i += 1
    raise SourceError("unterminated value list in an INSERT statement")


class _ValueReader:
    """Reads the tuples of ``VALUES (...), (...)`` in one statement."""

    def __init__(self, dialect: str, codec: str) -> None:
        self.dialect = dialect
        self.codec = codec
        self.pattern = _VALUE[dialect]
        self.unescape = _my_unescape if dialect == "mysql" else (lambda s: s.replace("''", "'"))

    def tuples(self, stmt: str, pos: int) -> Iterator[list[str | None]]:
        n = len(stmt)
        fix = _SURROGATE.search(stmt, pos) is not None
        while True:
            while pos < n and stmt[pos] in " \t\r\n":
                pos += 1
            if pos >= n or stmt[pos] != "(":
                return
            pos += 1
            row: list[str | None] = []
            while True:
                value, pos = self.value(stmt, pos)
                if fix and value is not None and _SURROGATE.search(value):
                    value = _fix_bytes(value, self.codec)
                row.append(value)
                c = stmt[pos] if pos < n else ""
                pos += 1
                if c == ",":
                    continue
                if c == ")":
                    break
                raise SourceError("malformed INSERT statement")
            yield row
            while pos < n and stmt[pos] in " \t\r\n":
                pos += 1
            if pos < n and stmt[pos] == ",":
                pos += 1
                continue
            return

    def value(self, stmt: str, pos: int) -> tuple[str | None, int]:
        m = self.pattern.match(stmt, pos)
        if m is None:  # an expression: keep its first string literal, or its text
            end = _expression_end(stmt, pos, self.dialect)
            raw = stmt[pos:end].strip()
            if not raw or raw.upper().startswith("NULL"):
                return None, end
            lit = _FIRST_STRING.search(raw)
            if lit is not None:
                text = lit.group(1)
                unescape = (
                    _pg_unescape if raw[: lit.start()].rstrip().endswith(("E", "e")) else None
                )
                return (unescape or self.unescape)(text), end
            return raw, end
        kind, end = m.lastgroup, m.end()  # the alternative's outer group closes last
        if kind == "str":
            return self.unescape(m.group("s")), end
        if kind == "num":
            return m.group("num"), end
        if kind == "null":
            return None, end
        if kind == "intro":
            return self.unescape(m.group("si")), end
        if kind == "nstr":
            return self.unescape(m.group("sn")), end
        if kind == "dq":
            return _my_unescape(m.group("d")), end
        if kind == "estr":
            return _pg_unescape(m.group("se")), end
        if kind == "hex":
            digits = m.groupdict().get("h") or m.group("h2") or ""
            try:
                return _binary_text(
                    bytes.fromhex(digits.rjust(len(digits) + len(digits) % 2, "0"))
                ), end
            except ValueError:
                return None, end
        if kind == "bits":
            return m.groupdict().get("b") or m.group("b2") or "", end
        word = m.group("word") or ""
        if word.upper() in ("TRUE", "FALSE"):
            return word.lower(), end
        if word.upper() == "DEFAULT":
            return None, end
        return word, end


# --------------------------------------------------------------------------- COPY rows

_COPY_ESCAPE = re.compile(r"\\(?:([0-7]{1,3})|x([0-9A-Fa-f]{1,2})|(.))", re.S)


def _copy_field(text: str) -> str | None:
    if text == "\\N":
        return None
    if "\\" not in text:
        return text

    def repl(m: re.Match) -> str:
        octal, hexa, other = m.groups()
        if octal:
            return _byte_char(int(octal, 8) & 0xFF)
        if hexa:
            return _byte_char(int(hexa, 16))
        return _PG_SIMPLE.get(other, other)

    return _COPY_ESCAPE.sub(repl, text)


# --------------------------------------------------------------------------- post-processing

_PG_ARRAY_ITEM = re.compile(r'"((?:[^"\\]|\\.)*)"|([^,{}"]+)', re.S)


def _array_values(text: str) -> str | None:
    """``{a,"b c",NULL}`` -> ``'a\\nb c'`` (one-dimensional arrays; others are kept)."""
    if not (text.startswith("{") and text.endswith("}")):
        return text
    out = []
    for quoted, bare in _PG_ARRAY_ITEM.findall(text[1:-1]):
        if bare:
            bare = bare.strip()
            if bare.upper() != "NULL" and bare:
                out.append(bare)
        elif quoted or quoted == "":
            out.append(re.sub(r"\\(.)", r"\1", quoted))
    return "\n".join(v for v in out if v) or None


def _bytea_text(text: str) -> str | None:
    if text.startswith("\\x"):
        try:
            return _binary_text(bytes.fromhex(text[2:]))
        except ValueError:
            return None
    return text


def _converters(types: list[str], codec: str) -> list[Any]:
    out: list[Any] = []
    for t in types:
        if t == "bytea":
            out.append(_bytea_text)
        elif t.endswith("[]") or t.startswith("_"):
            out.append(_array_values)
        else:
            out.append(None)
    return out


# --------------------------------------------------------------------------- the parser


@dataclass
class _Rows:
    table: _Table
    columns: list[str] | None  # named by the statement; None: by position
    rows: list[list[str | None]]


class _Parser:
    """Reads statements from decoded text chunks and produces table definitions and rows."""

    def __init__(
        self,
        chunks: Iterator[str],
        dialect: str,
        codec: str,
        max_rows: int | None,
        mysqldump: bool = False,
    ) -> None:
        self.chunks = chunks
        self.dialect = dialect
        # mysqldump escapes line breaks in strings: its INSERT statements end at ";\n"
        self.mysqldump = mysqldump
        self.codec = codec
        self.max_rows = max_rows
        self.buf = ""
        self.pos = 0
        self.eof = False
        self.tables: dict[str, _Table] = {}
        self.order: list[str] = []
        self.database = ""  # of the last ``USE``
        self.values = _ValueReader(dialect, codec)
        self.special = _SPECIAL[dialect]
        self.leading = _LEADING if dialect == "mysql" else _LEADING_PG

    # -- buffer -----------------------------------------------------------------------------
    def more(self) -> bool:
        if self.eof:
            return False
        if self.pos:
            self.buf = self.buf[self.pos :]
            self.pos = 0
        chunk = next(self.chunks, None)
        if chunk is None:
            self.eof = True
            return False
        self.buf += chunk
        return True

    def table(self, name: str) -> _Table:
        if self.database and "." not in name:
            name = f"{self.database}.{name}"
        found = self.tables.get(name)
        if found is None:
            found = self.tables[name] = _Table(name)
            self.order.append(name)
        return found

    def wanted(self, table: _Table) -> bool:
        return self.max_rows is None or table.rows < self.max_rows

    # -- statements -------------------------------------------------------------------------
    def statements(self) -> Iterator[_Table | _Rows]:
        while True:
            stmt = self.next_statement()
            if stmt is None:
                return
            yield from self.handle(stmt)

    def next_statement(self) -> str | None:
        """The next statement's text (without the ``;``), or None at the end."""
        while True:  # skip blanks, comments and psql meta-commands
            m = self.leading.match(self.buf, self.pos)
            self.pos = m.end()
            rest = len(self.buf) - self.pos
            if rest < 2 and not self.eof:
                self.more()
                continue
            if self.pos >= len(self.buf):
                return None
            if self.buf.startswith(("/*", "--"), self.pos) or (
                self.dialect == "mysql" and self.buf.startswith("#", self.pos)
            ):
                if not self.more():  # an unterminated comment at the end
                    return None
                continue
            if self.buf[self.pos] == "\\":  # a psql meta-command: one line
                end = self.buf.find("\n", self.pos)
                if end < 0:
                    if self.more():
                        continue
                    return None
                self.pos = end + 1
                continue
            break
        start = self.pos
        if self.mysqldump and self.buf.startswith("INSERT INTO `", start):
            stmt = self.insert_line(start)
            if stmt is not None:
                return stmt
            start = self.pos
        scan = start
        while True:
            end, scan = self.find_end(scan)
            if end is not None:
                stmt = self.buf[start:end]
                self.pos = end + 1
                return stmt
            if scan - start > MAX_STATEMENT_CHARS or len(self.buf) - start > MAX_STATEMENT_CHARS:
                raise SourceError(
                    f"an SQL statement is longer than {MAX_STATEMENT_CHARS >> 20} MiB"
                )
            offset = scan - start
            if not self.more():
                stmt = self.buf[start:]
                self.pos = len(self.buf)
                return stmt if stmt.strip() else None
            start = self.pos
            scan = start + offset

    def insert_line(self, start: int) -> str | None:
        """A mysqldump INSERT statement: up to the first ``;`` that ends a line (None at
        the end of the text, leaving the rest to the general scanner)."""
        scan = start
        while True:
            found = _LINE_END.search(self.buf, scan)  # LF or CRLF line ends
            if found:
                end = found.start()
                self.pos = end + 1
                return self.buf[start:end]
            if len(self.buf) - start > MAX_STATEMENT_CHARS:
                raise SourceError(
                    f"an SQL statement is longer than {MAX_STATEMENT_CHARS >> 20} MiB"
                )
            offset = max(len(self.buf) - start - 1, 0)
            if not self.more():
                return None
            start = self.pos
            scan = start + offset

    def find_end(self, pos: int) -> tuple[int | None, int]:
        """``(index of the ending ;, _)`` or ``(None, where to resume after more text)``."""
        buf = self.buf
        while True:
            m = self.special.search(buf, pos)
            if m is None:
                return None, max(pos, len(buf) - 1)
            tok, i = m.group(), m.start()
            if tok == ";":
                return i, i
            if tok in ("'", '"'):
                kind = self.dialect
                if (
                    tok == "'"
                    and kind == "postgres"
                    and i > 0
                    and buf[i - 1] in "eE"
                    and (i < 2 or not (buf[i - 2].isalnum() or buf[i - 2] == "_"))
                ):
                    kind = "escape"
                sm = _STRING_END[(kind, tok)].match(buf, i + 1)
                end = sm.end() if sm else None
            elif tok == "`":
                sm = _BACKTICK_END.match(buf, i + 1)
                end = sm.end() if sm else None
            elif tok.startswith("--") or tok == "#":
                j = buf.find("\n", i)
                end = None if j < 0 else j + 1
            elif tok == "/*":
                j = buf.find("*/", i + 2)
                end = None if j < 0 else j + 2
            else:  # a dollar quote
                j = buf.find(tok, i + len(tok))
                end = None if j < 0 else j + len(tok)
            if end is None or (end >= len(buf) and not self.eof):
                return None, i
            pos = end

    def handle(self, stmt: str) -> Iterator[_Table | _Rows]:
        head = stmt[:16].upper()
        if head.startswith("CREATE"):
            m = _CREATE.match(stmt)
            if m is not None:
                created = _create_table(stmt, m, self.dialect)
                if created is not None:
                    table = self.table(created.name)
                    if not table.columns:
                        table.columns, table.types = created.columns, created.types
                    yield table
        elif head.startswith(("INSERT", "REPLACE")):
            m = _INSERT.match(stmt)
            if m is not None:
                table = self.table(_table_name(m.group("name")))
                columns = _column_list(m.group("cols"))
                if not self.wanted(table):
                    yield _Rows(table, columns, [])
                    return
                rows = []
                for row in self.values.tuples(stmt, m.end()):
                    rows.append(row)
                    if len(rows) >= _CHUNK_ROWS:
                        yield _Rows(table, columns, rows)
                        rows = []
                yield _Rows(table, columns, rows)
        elif head.startswith("USE") and self.dialect == "mysql":
            m = _USE.match(stmt)
            if m is not None:
                self.database = _unquote(m.group("name"))
        elif head.startswith("COPY"):
            m = _COPY.match(stmt)
            if m is not None:
                table = self.table(_table_name(m.group("name")))
                yield from self.copy_rows(table, _column_list(m.group("cols")))

    def copy_rows(self, table: _Table, columns: list[str] | None) -> Iterator[_Rows]:
        """The data lines after ``COPY ... FROM stdin;`` up to the ``\\.`` line."""
        while True:  # the data starts on the line after the statement
            nl = self.buf.find("\n", self.pos)
            if nl >= 0 or not self.more():
                break
        if nl < 0:
            return
        self.pos = nl + 1
        yield _Rows(table, columns, [])  # the table has data, even if no row follows
        while True:
            end = _COPY_END.search(self.buf, self.pos)
            if end is not None:
                yield from self.copy_lines(table, columns, self.pos, end.start())
                nl = self.buf.find("\n", end.end())
                self.pos = len(self.buf) if nl < 0 else nl + 1
                return
            nl = self.buf.rfind("\n", self.pos)
            if nl >= self.pos:
                yield from self.copy_lines(table, columns, self.pos, nl + 1)
                self.pos = nl + 1
            if not self.more():
                yield from self.copy_lines(table, columns, self.pos, len(self.buf))
                self.pos = len(self.buf)
                return

    def copy_lines(
        self, table: _Table, columns: list[str] | None, start: int, end: int
    ) -> Iterator[_Rows]:
        """Rows of the COPY data lines in ``buf[start:end]``."""
        if start >= end or not self.wanted(table):
            return
        block = self.buf[start:end]
        lines = block.split("\n")
        if lines and lines[-1] == "":
            lines.pop()
        fix = _SURROGATE.search(block) is not None
        for first in range(0, len(lines), _CHUNK_ROWS):
            rows = []
            for line in lines[first : first + _CHUNK_ROWS]:
                if line.endswith("\r"):
                    line = line[:-1]
                row = [_copy_field(f) for f in line.split("\t")]
                if fix:
                    row = [
                        _fix_bytes(v, self.codec) if v is not None and _SURROGATE.search(v) else v
                        for v in row
                    ]
                rows.append(row)
            yield _Rows(table, columns, rows)
            if not self.wanted(table):
                return


# --------------------------------------------------------------------------- the reader


def _chars(src: Input, codec: str) -> Iterator[str]:
    decoder = codecs.getincrementaldecoder(codec)("surrogateescape")
    with src.open() as f:
        bom = codecs.BOM_UTF8 if codec == "utf-8" else b""
        first = read_chunk(f, READ_BYTES)
        if bom and first.startswith(bom):
            first = first[len(bom) :]
        chunk = first
        while True:
            text = decoder.decode(chunk, final=not chunk)
            if text:
                yield text
            if not chunk:
                return
            chunk = read_chunk(f, READ_BYTES)


def read_sql(
    src: Input, *, batch_rows: int, max_rows: int | None, encoding: str | None
) -> Iterator[TableStream]:
    """Yield one table per SQL table of a MySQL/MariaDB or PostgreSQL plain-format dump."""
    head = src.head(HEAD_BYTES)
    if not head:
        raise SourceError("empty file")
    if b"\x00" in head[:8192] and not head.startswith((b"\xff\xfe", b"\xfe\xff")):
        if head.startswith(b"PGDMP"):
            raise SourceError("a pg_dump custom-format archive: dump with --format=plain")
        raise SourceError("binary file")
    label, codec = _codec(head, encoding)
    try:
        codecs.lookup(codec)
    except LookupError:
        raise SourceError(f"unknown encoding: {codec}") from None
    text = head.decode(codec, "replace")
    dialect = _dialect(text)
    mysqldump = re.search(r"^-- (?:MySQL|MariaDB) dump", text, re.M) is not None
    parser = _Parser(_chars(src, codec), dialect, codec, max_rows, mysqldump)
    events = guarded(parser.statements(), "cannot read SQL dump")
    pending: list[_Table | _Rows] = []

    def next_event() -> _Table | _Rows | None:
        if pending:
            return pending.pop()
        return next(events, None)

    try:
        while True:
            event = next_event()
            if event is None:
                break
            if isinstance(event, _Table):
                continue
            table = event.table
            stream = _stream(table, event, next_event, pending, codec, label)
            stream.batches = limit_batches(
                guarded(stream.batches, "cannot read SQL dump"), batch_rows, max_rows
            )
            yield stream
            # whatever the consumer left of this table's rows is skipped
            while True:
                event = next_event()
                if event is None:
                    break
                if isinstance(event, _Rows) and event.table is not table:
                    pending.append(event)
                    break
        for name in parser.order:
            table = parser.tables[name]
            if not table.streamed:
                table.streamed = True
                yield TableStream(
                    name=table.name, columns=dedupe_names(table.columns), batches=iter(())
                )
    finally:
        events.close()


def _stream(
    table: _Table,
    first: _Rows,
    next_event: Any,
    pending: list,
    codec: str,
    label: str,
) -> TableStream:
    table.streamed = True
    if not table.columns:
        table.columns = list(first.columns or [])
        if not table.columns:
            width = max((len(r) for r in first.rows), default=0)
            table.columns = [f"column_{i}" for i in range(1, width + 1)]
    names = dedupe_names(table.columns)
    stream = TableStream(name=table.name, columns=names, batches=iter(()), encoding=label)
    converters = _converters(table.types, codec)

    def positions(columns: list[str] | None, width: int) -> list[int]:
        """Stream column index of each value of a row."""
        if columns is None:
            while len(stream.columns) < width:
                stream.columns.append(f"column_{len(stream.columns) + 1}")
                converters.append(None)
            return list(range(width))
        out = []
        for name in columns:
            if name in table.columns:
                out.append(table.columns.index(name))
            else:
                table.columns.append(name)
                stream.columns.append(dedupe_names([*stream.columns, name])[-1])
                converters.append(None)
                out.append(len(stream.columns) - 1)
        return out

    def to_batch(rows: list[list[str | None]], columns: list[str] | None) -> pa.RecordBatch:
        width = max(len(r) for r in rows)
        where = positions(columns, width)
        cells: list[list[str | None]] = [[None] * len(rows) for _ in stream.columns]
        for k, target in enumerate(where):
            column = cells[target]
            convert = converters[target] if target < len(converters) else None
            for r, row in enumerate(rows):
                if k < len(row):
                    value = row[k]
                    column[r] = (
                        convert(value) if convert is not None and value is not None else value
                    )
        arrays = [pa.array(values, pa.string()) for values in cells]
        return pa.RecordBatch.from_arrays(arrays, names=list(stream.columns))

    def batches() -> Iterator[pa.RecordBatch]:
        event: Any = first
        while True:
            if event.rows:
                table.rows += len(event.rows)
                yield to_batch(event.rows, event.columns)
            event = next_event()
            while isinstance(event, _Table):
                event = next_event()
            if event is None:
                return
            if event.table is not table:
                pending.append(event)
                return

    stream.batches = batches()
    return stream
