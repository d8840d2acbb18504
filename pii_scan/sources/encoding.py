"""Text-encoding detection for delimited, JSON Lines and plain-text sources.

Chinese data arrives in UTF-8 (with or without a byte-order mark), in GB18030/GBK from
older Windows tools, in Big5 from Taiwan and Hong Kong, and now and then in UTF-16 from
Excel's "Unicode text" export.  The rule:

1. a byte-order mark decides (UTF-8, UTF-16 LE/BE, UTF-32 LE/BE);
2. UTF-16 without a mark is recognised from NUL bytes on one side of the byte pairs only
   (the high byte of ASCII characters: digits, delimiters, line breaks) when the text
   decodes to printable characters;
3. otherwise the first 64 KiB must decode strictly as UTF-8 (a character cut by the 64 KiB
   boundary is tolerated) -> ``utf-8``;
4. else GB18030 (a superset of GBK and GB2312) or Big5 (as Windows code page 950): both
   double-byte encodings share their byte ranges, so text that decodes as GB18030 is taken
   as such when at least 80% of its non-ASCII characters are GB2312's common Chinese
   characters and punctuation (Big5 text read as GBK gives kana, symbols and rare
   characters instead), else as Big5 when it decodes as Big5 -> ``gb18030`` or ``cp950``;
5. else UTF-16 without a mark and without any ASCII character, when it decodes to Chinese;
6. else the source is not text we can read: :class:`SourceError` (plain text, read
   leniently, is then taken as UTF-8 with its invalid bytes replaced).

Files are not always one encoding: rows appended by an old Windows tool to a UTF-8 export
are GB18030, and stray bytes turn up anywhere.  :func:`repair_lines` decodes such data line
by line (UTF-8 when a line is valid UTF-8, else GB18030 when it is valid GB18030, else
UTF-8 with U+FFFD for the invalid bytes); the readers use it past the first 64 KiB when the
detected encoding stops fitting.
"""

from __future__ import annotations

import codecs

from .base import SourceError

__all__ = [
    "BINARY_SNIFF_BYTES",
    "HEAD_BYTES",
    "WIDE_CODECS",
    "detect_encoding",
    "looks_binary",
    "mostly_utf8",
    "repair_lines",
    "resolve_encoding",
    "text_encoding",
]

#: How much of a file is examined to choose its encoding.
HEAD_BYTES = 64 * 1024
#: How much of a file is searched for NUL bytes to call it binary.
BINARY_SNIFF_BYTES = 8 * 1024

_BOMS: tuple[tuple[bytes, str], ...] = (
    # UTF-32 first: its little-endian mark starts with the UTF-16 one.
    (codecs.BOM_UTF32_LE, "utf-32-le"),
    (codecs.BOM_UTF32_BE, "utf-32-be"),
    (codecs.BOM_UTF8, "utf-8-sig"),
    (codecs.BOM_UTF16_LE, "utf-16-le"),
    (codecs.BOM_UTF16_BE, "utf-16-be"),
)

WIDE_CODECS = ("utf-16-le", "utf-16-be", "utf-32-le", "utf-32-be")


def _decodes(data: bytes, codec: str) -> bool:
    """True if ``data`` decodes strictly, allowing an incomplete character at the very end."""
    try:
        codecs.getincrementaldecoder(codec)("strict").decode(data, final=False)
    except UnicodeDecodeError:
        return False
    return True


def _utf16_without_bom(head: bytes) -> str | None:
    sample = head[: BINARY_SNIFF_BYTES - BINARY_SNIFF_BYTES % 2]
    if len(sample) < 4:
        return None
    even, odd = sample[0::2], sample[1::2]
    even_nul, odd_nul = even.count(0) / len(even), odd.count(0) / len(odd)
    if odd_nul > 0.1 and even_nul < 0.01:
        codec = "utf-16-le"
    elif even_nul > 0.1 and odd_nul < 0.01:
        codec = "utf-16-be"
    else:
        return None
    text = codecs.getincrementaldecoder(codec)("replace").decode(sample, final=False)
    printable = sum(ch.isprintable() or ch in "\t\r\n" for ch in text)
    return codec if text and printable / len(text) > 0.95 else None


def detect_encoding(head: bytes) -> str:
    """The encoding of a text file given its first bytes (up to :data:`HEAD_BYTES` are used).

    Returns a Python codec name: ``utf-8-sig``, ``utf-16-le``, ``utf-16-be``, ``utf-32-le``,
    ``utf-32-be`` (byte-order mark present), ``utf-8``, ``gb18030`` or ``cp950`` (Big5);
    raises :class:`SourceError` when the bytes are none of these.

    >>> detect_encoding("姓名".encode("gb18030"))
    'gb18030'
    >>> detect_encoding(b"\\xef\\xbb\\xbfname")
    'utf-8-sig'
    >>> detect_encoding("姓名,身份證號碼,電話".encode("big5"))
    'cp950'
    """
    head = head[:HEAD_BYTES]
    for bom, codec in _BOMS:
        if head.startswith(bom):
            return codec
    wide = _utf16_without_bom(head)
    if wide is not None:
        return wide
    if head.isascii() or _decodes(head, "utf-8"):
        return "utf-8"
    gb = _decodes(head, "gb18030")
    if gb and gb2312_share(head) >= 0.8:
        return "gb18030"
    if _decodes(head, "cp950"):
        return "cp950"
    if gb:
        return "gb18030"
    wide = _utf16_chinese(head)
    if wide is not None:
        return wide
    raise SourceError("not valid UTF-8/GB18030/Big5 text")


def _utf16_chinese(head: bytes) -> str | None:
    """UTF-16 without a byte-order mark and without ASCII (so without NUL bytes): taken when
    at least 80% of the decoded characters are CJK ideographs or CJK punctuation."""
    sample = head[: BINARY_SNIFF_BYTES - BINARY_SNIFF_BYTES % 2]
    if len(sample) < 8:
        return None
    for codec in ("utf-16-le", "utf-16-be"):
        text = codecs.getincrementaldecoder(codec)("replace").decode(sample, final=False)
        cjk = sum(
            "\u4e00" <= ch <= "\u9fff" or "\u3000" <= ch <= "\u303f" or ch in "\uff0c\uff1b"
            for ch in text
        )
        if text and cjk / len(text) >= 0.8:
            return codec
    return None


def gb2312_share(head: bytes) -> float:
    """The share of the non-ASCII characters of ``head`` read as GB18030 that are GB2312's
    Chinese characters (rows 0xB0-0xF7) or common punctuation (rows 0xA1 and 0xA3)."""
    text = codecs.getincrementaldecoder("gb18030")("replace").decode(head[:HEAD_BYTES])
    total = good = 0
    for ch in text:
        if ch < "\x80":
            continue
        total += 1
        try:
            lead = ch.encode("gb2312")[0]
        except UnicodeEncodeError:
            continue
        if 0xB0 <= lead <= 0xF7 or lead in (0xA1, 0xA3):
            good += 1
    return good / total if total else 1.0


def mostly_utf8(head: bytes) -> bool:
    """True if ``head`` is UTF-8 with a few stray bytes: at least ten valid non-ASCII
    characters for every invalid sequence.  GB18030 text read as UTF-8 fails this badly."""
    text = codecs.getincrementaldecoder("utf-8")("replace").decode(head[:HEAD_BYTES], final=False)
    bad = text.count("\ufffd")
    good = sum(1 for ch in text if ch > "\x7f") - bad
    return good >= 10 * bad


def resolve_encoding(
    head: bytes, forced: str | None = None, *, lenient: bool = False
) -> tuple[str, str, int]:
    """Choose how to decode a file: ``(label, codec, bom_length)``.

    ``label`` is what was detected or forced (``utf-8-sig`` when a UTF-8 mark is present),
    ``codec`` the codec that decodes the bytes after the byte-order mark (never a BOM-eating
    or byte-order-guessing codec such as ``utf-8-sig`` or ``utf-16``), and ``bom_length`` the
    number of leading bytes the readers skip.  With ``lenient`` (plain text, whose invalid
    bytes are replaced), UTF-8 with a few invalid bytes (:func:`mostly_utf8`) is taken as
    UTF-8 rather than tried as GB18030.
    """
    if forced:
        try:
            label = codecs.lookup(forced).name
        except LookupError:
            raise SourceError(f"unknown encoding: {forced}") from None
    elif lenient and not head.startswith(tuple(b for b, _ in _BOMS)) and mostly_utf8(head):
        label = "utf-8" if _utf16_without_bom(head) is None else detect_encoding(head)
    elif lenient:
        try:
            label = detect_encoding(head)
        except SourceError:  # no encoding fits: UTF-8, its invalid bytes replaced
            if b"\x00" in head[:BINARY_SNIFF_BYTES]:
                raise
            label = "utf-8"
    else:
        label = detect_encoding(head)
    codec = label
    if codec == "utf-8-sig":
        codec = "utf-8"
    elif codec in ("utf-16", "utf-32"):
        codec = f"{codec}-be" if head.startswith(_bom_be(codec)) else f"{codec}-le"
    try:
        bom = codecs.lookup(codec).encode("\ufeff")[0]
    except (UnicodeError, TypeError, LookupError):
        bom = b""
    return label, codec, len(bom) if bom and head.startswith(bom) else 0


def _bom_be(codec: str) -> bytes:
    return codecs.BOM_UTF16_BE if codec == "utf-16" else codecs.BOM_UTF32_BE


def looks_binary(head: bytes, codec: str) -> bool:
    """True if ``head`` has NUL bytes in its first 8 KiB (never for UTF-16/UTF-32 text)."""
    return codec not in WIDE_CODECS and b"\x00" in head[:BINARY_SNIFF_BYTES]


def text_encoding(
    head: bytes, forced: str | None = None, *, lenient: bool = False
) -> tuple[str, str, int]:
    """:func:`resolve_encoding` for a file that must be text: NUL bytes in the first 8 KiB
    (outside UTF-16/UTF-32) raise ``SourceError("binary file")``, which also takes precedence
    over an undecodable head."""
    try:
        label, codec, bom = resolve_encoding(head, forced, lenient=lenient)
    except SourceError:
        if b"\x00" in head[:BINARY_SNIFF_BYTES]:
            raise SourceError("binary file") from None
        raise
    if looks_binary(head, codec):
        raise SourceError("binary file")
    return label, codec, bom


def repair_lines(data: bytes, fallback: str | None = "gb18030") -> bytes:
    """``data`` (lines of mixed or broken text) as valid UTF-8, decided line by line: a line
    that is valid UTF-8 is kept, one that is valid in ``fallback`` is decoded from it, and the
    invalid bytes of the others become U+FFFD.  Valid UTF-8 is returned as it is.

    >>> repair_lines("张三\\n".encode() + "李四\\n".encode("gb18030") + b"\\xff!\\n").decode()
    '张三\\n李四\\n\ufffd!\\n'
    """
    try:
        data.decode("utf-8")
    except UnicodeDecodeError:
        pass
    else:
        return data
    out = []
    for line in data.split(b"\n"):
        try:
            line.decode("utf-8")
        except UnicodeDecodeError:
            pass
        else:
            out.append(line)
            continue
        if fallback is not None:
            try:
                out.append(line.decode(fallback).encode("utf-8"))
                continue
            except UnicodeDecodeError:
                pass
        out.append(line.decode("utf-8", "replace").encode("utf-8"))
    return b"\n".join(out)
