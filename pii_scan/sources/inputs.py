"""Where a source's bytes come from: local files, object-store URIs, zip members, compression.

Readers never open ``ref.location`` themselves.  They ask an :class:`Input` for

* :meth:`Input.open`: a fresh binary stream of the (decompressed) data from its first byte;
  cheap to call again (a local file is reopened, a compressed stream is decompressed anew);
* :meth:`Input.head`: the first bytes;
* :meth:`Input.local_path`: a real local file holding the data, for the libraries that need a
  path or random access (SQLite, spreadsheets, ORC, Parquet inside an archive).  Data that is
  not a plain local file is copied ("spooled") to a temporary file first, which is removed when
  the context ends;
* :meth:`Input.random_access`: a seekable file; object-store files are read with ranged
  requests instead of being spooled.

Locations are local paths or URIs understood by ``pyarrow.fs`` (``s3://bucket/key``, with the
usual ``AWS_*`` environment variables, ``AWS_ENDPOINT_URL`` among them; ``gs://``, ``hdfs://``,
``file://``).  Compression (``gz``, ``bz2``, ``xz``, ``zst``) is undone while reading, under
:class:`~pii_scan.sources.base.Limits`: a source whose decompressed size passes
``max_bytes``, or more than ``max_ratio`` times the compressed bytes read so far once
:data:`RATIO_GRACE_BYTES` have come out, fails with a :class:`SourceError` that says so.
Zip members are checked against the same limits from their declared sizes before they are
read (``zipfile`` never returns more than the declared size).
"""

from __future__ import annotations

import bz2
import contextlib
import gzip
import io
import lzma
import os
import re
import tempfile
import zipfile
import zlib
from collections.abc import Callable, Iterator
from pathlib import PurePosixPath
from typing import Any, BinaryIO
from urllib.parse import quote

import pyarrow as pa

from .base import Limits, SourceError, SourceRef, native_path, open_binary, reason

__all__ = [
    "COMPRESSIONS",
    "RATIO_GRACE_BYTES",
    "Input",
    "human_size",
    "is_uri",
    "open_uri_file",
    "parse_size",
    "resolve_uri",
    "zip_member_name",
]

#: File extension (lower case) -> compression.
COMPRESSIONS: dict[str, str] = {
    ".gz": "gz",
    ".gzip": "gz",
    ".bz2": "bz2",
    ".xz": "xz",
    ".zst": "zst",
    ".zstd": "zst",
}
_COMPRESSION_NAMES = {"gz": "gzip", "bz2": "bzip2", "xz": "xz", "zst": "zstd"}

#: The ratio limit is only checked once this many decompressed bytes have come out, so that a
#: small, very repetitive file is not refused.
RATIO_GRACE_BYTES = 16 << 20
#: Read size used when copying a stream to a temporary file.
SPOOL_CHUNK = 1 << 20

_URI = re.compile(r"^[A-Za-z][A-Za-z0-9+.-]*://")


def is_uri(location: str) -> bool:
    """True for ``scheme://...`` locations (object stores), False for local paths."""
    return bool(_URI.match(location))


def resolve_uri(uri: str) -> tuple[Any, str]:
    """``(pyarrow filesystem, path)`` of ``uri``; :class:`SourceError` when it is unusable."""
    import pyarrow.fs as pafs

    scheme, _, rest = uri.partition("://")
    rest, has_query, query = rest.partition("?")
    netloc, slash, path = rest.partition("/")
    # from_uri wants a valid URI: escape the key (non-ASCII, spaces, '%'); it unescapes them
    encoded = f"{scheme}://{netloc}{slash}{quote(path, safe='/')}"
    if has_query:
        encoded += f"?{query}"
    try:
        return pafs.FileSystem.from_uri(encoded)
    except (pa.ArrowException, OSError, ValueError, TypeError) as exc:
        scheme = uri.split("://", 1)[0]
        raise SourceError(f"cannot open {scheme}:// location: {reason(exc)}") from None


def open_uri_file(uri: str, *, seekable: bool) -> Any:
    """Open an object-store file: a pyarrow input stream, or a random-access file."""
    fs, path = resolve_uri(uri)
    try:
        if seekable:
            return fs.open_input_file(path)
        return fs.open_input_stream(path, compression=None)
    except (pa.ArrowException, OSError) as exc:
        raise SourceError(f"cannot open file: {reason(exc)}") from None


def human_size(n: float) -> str:
    """``1536`` -> ``'1.5 KiB'``."""
    for unit in ("bytes", "KiB", "MiB", "GiB", "TiB"):
        if n < 1024 or unit == "TiB":
            return f"{n:.0f} {unit}" if unit == "bytes" else f"{n:.1f} {unit}".replace(".0 ", " ")
        n /= 1024
    raise AssertionError("unreachable")


def zip_member_name(info: zipfile.ZipInfo) -> str:
    """The member's real name: zip files made on Chinese Windows store GBK names without the
    UTF-8 flag, which ``zipfile`` decodes as CP437."""
    if info.flag_bits & 0x800:
        return info.filename
    try:
        raw = info.filename.encode("cp437")
    except UnicodeEncodeError:
        return info.filename
    for codec in ("utf-8", "gb18030"):
        try:
            return raw.decode(codec)
        except UnicodeDecodeError:
            continue
    return info.filename


# --------------------------------------------------------------------------- raw streams


class _Raw(io.RawIOBase):
    """Any readable object as a raw stream: counts the bytes read, turns read failures into
    :class:`SourceError`, and closes ``closers`` (outermost last) when closed. With ``limit``,
    it ends after that many bytes: a file that grows while it is scanned (a live log) is read
    as it was when it was found, and one that ends before (truncated meanwhile) fails."""

    def __init__(
        self, inner: Any, what: str, closers: tuple[Any, ...] = (), limit: int | None = None
    ) -> None:
        self._inner = inner
        self._what = what
        self._closers = closers
        self._limit = limit
        self.count = 0

    def readable(self) -> bool:
        return True

    def readinto(self, buffer: Any) -> int:
        want = len(buffer)
        if self._limit is not None:
            want = min(want, self._limit - self.count)
            if want <= 0:
                return 0
        try:
            data = self._inner.read(want)
        except SourceError:
            raise
        except (
            OSError,
            EOFError,
            ValueError,  # UnicodeDecodeError of a damaged member name among them
            zipfile.BadZipFile,
            zlib.error,
            lzma.LZMAError,  # a zip member compressed with LZMA
            pa.ArrowException,
        ) as exc:
            raise SourceError(f"{self._what}: {reason(exc)}") from None
        n = len(data)
        if n == 0 and self._limit is not None and self.count < self._limit:
            # A report must not claim rows it never saw: truncated, rotated, rewritten.
            raise SourceError("the file got shorter while it was read")
        buffer[:n] = data
        self.count += n
        return n

    def close(self) -> None:
        if not self.closed:
            for obj in (self._inner, *self._closers):
                with contextlib.suppress(Exception):
                    obj.close()
        super().close()


class _Expanding(_Raw):
    """Decompressed data (a :class:`_Raw` over the decompressor), checked against the limits
    after every read; ``raw`` is the compressed stream, whose count the ratio is taken of."""

    def __init__(self, inner: Any, raw: _Raw | None, limits: Limits, kind: str) -> None:
        closers = (raw,) if raw is not None else ()
        super().__init__(inner, f"truncated or corrupt {kind} data", closers)
        self._raw = raw
        self._limits = limits

    def readinto(self, buffer: Any) -> int:
        n = super().readinto(buffer)
        _check_expansion(self.count, self._raw.count if self._raw else 0, self._limits)
        return n


def _check_expansion(out: int, compressed: int, limits: Limits) -> None:
    if limits.max_bytes and out > limits.max_bytes:
        raise SourceError(
            f"refused: decompresses to more than {human_size(limits.max_bytes)}"
            " (--max-expand-size); possible decompression bomb"
        )
    if (
        limits.max_ratio
        and compressed
        and out > RATIO_GRACE_BYTES
        and out > limits.max_ratio * compressed
    ):
        raise SourceError(
            f"refused: decompresses to more than {limits.max_ratio:g} times its compressed size"
            " (--max-expand-ratio); possible decompression bomb"
        )


def _decompressor(raw: _Raw, compression: str) -> Any:
    if compression == "gz":
        return gzip.GzipFile(fileobj=raw, mode="rb")
    if compression == "bz2":
        return bz2.BZ2File(raw, "rb")
    if compression == "xz":
        return lzma.LZMAFile(raw, "rb")
    if compression == "zst":
        if not pa.Codec.is_available("zstd"):
            raise SourceError("zstd decompression is not available in this pyarrow build")
        return pa.CompressedInputStream(raw, "zstd")
    raise SourceError(f"unsupported compression: {compression}")


def decompressing(raw: _Raw, compression: str, limits: Limits) -> BinaryIO:
    """``raw`` decompressed, as a stream checked against ``limits``.

    The stream is not buffered: a read returns what could be decompressed, so the data
    before a truncation point is delivered before the error is raised by the next read."""
    kind = _COMPRESSION_NAMES.get(compression, compression)
    try:
        inner = _decompressor(raw, compression)
    except SourceError:
        raw.close()
        raise
    except (OSError, EOFError, ValueError, pa.ArrowException) as exc:
        raw.close()
        raise SourceError(f"truncated or corrupt {kind} data: {reason(exc)}") from None
    return _Expanding(inner, raw, limits, kind)  # type: ignore[return-value]


# --------------------------------------------------------------------------- the input


class Input:
    """How a reader gets at the bytes of ``ref``; see the module documentation."""

    def __init__(self, ref: SourceRef, limits: Limits | None = None) -> None:
        self.ref = ref
        self.limits = limits or Limits()

    @property
    def name(self) -> str:
        """The table name: the file stem without compression suffix (``a.csv.gz`` -> ``a``),
        or the folder name of a dataset."""
        path = self.ref.path.split("?", 1)[0].rstrip("/")
        pure = PurePosixPath(path.replace("\\", "/").rsplit("!", 1)[-1])
        if self.ref.members:
            return pure.name or path
        name = pure.name
        if self.ref.compression:
            stem, dot, ext = name.rpartition(".")
            if dot and "." + ext.lower() in COMPRESSIONS:
                name = stem
        return PurePosixPath(name).stem or name

    @property
    def local_file(self) -> str | None:
        """The local path when the data is a plain local file, else None."""
        ref = self.ref
        if ref.compression or ref.member is not None or is_uri(ref.location):
            return None
        return ref.location

    @property
    def extension(self) -> str:
        """The extension of the data (``.csv`` for ``a.csv.gz``), lower case."""
        name = self.ref.member or self.ref.path
        name = name.split("?", 1)[0]
        suffixes = [s.lower() for s in PurePosixPath(name.replace("\\", "/")).suffixes]
        if self.ref.compression and suffixes and suffixes[-1] in COMPRESSIONS:
            suffixes.pop()
        return suffixes[-1] if suffixes else ""

    # -- streams ------------------------------------------------------------------------------
    def open(self) -> BinaryIO:
        """A new binary stream of the data (decompressed) from its first byte."""
        raw = self._open_raw()
        if self.ref.compression:
            return decompressing(raw, self.ref.compression, self.limits)
        return io.BufferedReader(raw, SPOOL_CHUNK)

    def head(self, size: int) -> bytes:
        """The first ``size`` bytes (fewer for a shorter source)."""
        with self.open() as f:
            return read_full(f, size)

    def open_at(self, offset: int) -> Any:
        """A stream positioned ``offset`` bytes into the data, for pyarrow readers (a native
        file for plain local files)."""
        local = self.local_file
        if local is not None:
            try:
                source = pa.OSFile(native_path(local), "rb")
            except (OSError, pa.ArrowException) as exc:
                raise SourceError(f"cannot open file: {reason(exc)}") from None
            source.seek(offset)
            if self.ref.size is None:
                return source
            limit = max(self.ref.size - offset, 0)  # as found, however it grows
            return _Raw(source, "cannot read file", limit=limit)
        f = self.open()
        skip(f, offset)
        return f

    @contextlib.contextmanager
    def local_path(self) -> Iterator[str]:
        """A local file holding the data: the file itself, or a temporary copy."""
        local = self.local_file
        if local is not None:
            with open_binary(local):  # the usual "cannot open file" errors
                pass
            yield local
            return
        with self._spooled() as path:
            yield path

    @contextlib.contextmanager
    def random_access(self) -> Iterator[Any]:
        """A seekable binary file of the data (pyarrow file, local file or temporary copy)."""
        ref = self.ref
        if ref.compression is None and ref.member is None and is_uri(ref.location):
            f = open_uri_file(ref.location, seekable=True)
            try:
                yield f
            finally:
                f.close()
            return
        with self.local_path() as path:
            try:
                f = pa.OSFile(native_path(path), "rb")
            except (OSError, pa.ArrowException) as exc:
                raise SourceError(f"cannot open file: {reason(exc)}") from None
            try:
                yield f
            finally:
                f.close()

    # -- internals ----------------------------------------------------------------------------
    def _open_raw(self) -> _Raw:
        ref = self.ref
        if ref.member is not None:
            return self._open_zip_member()
        if is_uri(ref.location):
            return _Raw(open_uri_file(ref.location, seekable=False), "cannot read file")
        return _Raw(open_binary(ref.location), "cannot read file", limit=ref.size)

    def _open_zip_member(self) -> _Raw:
        ref = self.ref
        assert ref.member is not None
        container = (
            open_uri_file(ref.location, seekable=True)
            if is_uri(ref.location)
            else open_binary(ref.location)
        )
        try:
            archive = zipfile.ZipFile(container)
            info = archive.getinfo(ref.member)
            check_zip_member(info, self.limits)
            member = archive.open(info)
        except SourceError:
            container.close()
            raise
        except UnicodeDecodeError:  # zipfile decodes the name in the member's local header
            container.close()
            raise SourceError("cannot read zip member: corrupt local header name") from None
        except (zipfile.BadZipFile, OSError, EOFError, KeyError, ValueError, zlib.error) as exc:
            container.close()
            raise SourceError(f"cannot read zip member: {reason(exc)}") from None
        except (RuntimeError, NotImplementedError) as exc:  # encrypted, unknown compression
            container.close()
            raise SourceError(f"cannot read zip member: {reason(exc)}") from None
        return _Raw(member, "corrupt zip member", (archive, container))

    @contextlib.contextmanager
    def _spooled(self) -> Iterator[str]:
        suffix = self.extension if re.fullmatch(r"\.\w{1,8}", self.extension) else ""
        fd, tmp = tempfile.mkstemp(prefix="pii-scan-", suffix=suffix)
        try:
            with os.fdopen(fd, "wb") as out, self.open() as f:
                copy_stream(f, out)
            yield tmp
        finally:
            with contextlib.suppress(OSError):
                os.unlink(tmp)


def check_zip_member(info: zipfile.ZipInfo, limits: Limits) -> None:
    """Refuse a zip member whose declared sizes break the limits."""
    if info.flag_bits & 0x1:
        raise SourceError("encrypted zip member")
    _check_expansion(info.file_size, max(info.compress_size, 1), limits)


def read_full(f: BinaryIO, size: int) -> bytes:
    """Read ``size`` bytes, fewer only at the end of the stream."""
    parts: list[bytes] = []
    want = size
    while want > 0:
        try:
            data = f.read(want)
        except OSError as exc:
            raise SourceError(f"cannot read file: {reason(exc)}") from None
        if not data:
            break
        parts.append(data)
        want -= len(data)
    return b"".join(parts)


def skip(f: BinaryIO, offset: int) -> None:
    """Move ``f`` forward by ``offset`` bytes by reading."""
    while offset > 0:
        data = read_full(f, min(offset, SPOOL_CHUNK))
        if not data:
            return
        offset -= len(data)


def copy_stream(f: BinaryIO, out: BinaryIO, on_bytes: Callable[[int], None] | None = None) -> int:
    """Copy ``f`` into ``out``; disk errors become :class:`SourceError`.  Returns the bytes."""
    total = 0
    while True:
        data = read_full(f, SPOOL_CHUNK)
        if not data:
            return total
        try:
            out.write(data)
        except OSError as exc:
            raise SourceError(f"cannot write a temporary copy: {reason(exc)}") from None
        total += len(data)
        if on_bytes is not None:
            on_bytes(len(data))


def copy_to_temp(f: BinaryIO, suffix: str = "") -> str:
    """Copy ``f`` to a new temporary file and return its path (the caller removes it)."""
    fd, tmp = tempfile.mkstemp(prefix="pii-scan-", suffix=suffix)
    try:
        with os.fdopen(fd, "wb") as out:
            copy_stream(f, out)
    except BaseException:
        with contextlib.suppress(OSError):
            os.unlink(tmp)
        raise
    return tmp


def wrap_raw(inner: Any, what: str, closers: tuple[Any, ...] = ()) -> _Raw:
    """Wrap any readable object as a counted raw stream (for the archive readers)."""
    return _Raw(inner, what, closers)


_SIZE = re.compile(r"\s*(\d+(?:\.\d+)?)\s*([kmgt]?)(?:i?b)?\s*", re.I)


def parse_size(text: str) -> int:
    """``'16G'`` -> 17179869184 (K, M, G, T are powers of 1024; a plain number is bytes).

    >>> parse_size("500M"), parse_size("0"), parse_size("2GiB")
    (524288000, 0, 2147483648)
    """
    m = _SIZE.fullmatch(text)
    if m is None:
        raise ValueError(f"not a size: {text!r} (use e.g. 500M, 16G)")
    number, unit = float(m.group(1)), m.group(2).lower()
    return int(number * 1024 ** "_kmgt".index(unit or "_"))
