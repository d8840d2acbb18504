"""Archives: ``.zip`` and ``.tar`` (also ``.tar.gz``/``.tgz``, ``.tar.bz2``, ``.tar.xz``,
``.tar.zst``) expanded into their members, each a source of its own named
``archive.zip!inner/file.csv``.

>>> with Archive(ref, limits) as archive:                            # doctest: +SKIP
...     for member in archive:      # SourceRef of each member, in archive order
...         ...                     # read it (open_source) before asking for the next one
...     archive.excluded, archive.unsupported

* Zip members are listed from the central directory in name order and read in place (the
  member ref points at the archive and names the member), each against the decompression
  limits of its declared sizes.  Names stored in GBK by Chinese Windows tools are decoded.
* Tar archives are read once, as a stream (decompressed under the limits): each wanted member
  is copied to a temporary file that lives until the next member is asked for.
* Members in folders or with names starting with ``.`` (and macOS ``__MACOSX/`` folders) are
  skipped like hidden files; ``--include``/``--exclude`` apply to the member's path inside the
  archive and its file name, and skipped members are counted in :attr:`Archive.excluded`;
  members of an unknown format are listed in :attr:`Archive.unsupported`.
* An archive inside an archive is expanded too (``outer.zip!inner.tar!x.csv``), up to
  :data:`MAX_DEPTH` levels.
* A failure of the archive itself (corrupt, truncated, over the limits) raises
  :class:`~pii_scan.sources.base.SourceError` from the iteration; members already given
  stay valid.
"""

from __future__ import annotations

import contextlib
import os
import tarfile
import zipfile
import zlib
from collections.abc import Iterator, Sequence
from dataclasses import replace

from .base import Limits, SourceError, SourceRef, open_binary, printable_path, reason
from .discovery import ARCHIVE_FORMATS, detect, matches_patterns
from .inputs import (
    Input,
    copy_to_temp,
    is_uri,
    open_uri_file,
    zip_member_name,
)

__all__ = ["MAX_DEPTH", "Archive"]

#: How deep archives inside archives are expanded.
MAX_DEPTH = 3


class Archive:
    """The members of the archive ``ref`` (``ref.format`` is ``zip`` or ``tar``)."""

    def __init__(
        self,
        ref: SourceRef,
        limits: Limits | None = None,
        include: Sequence[str] = (),
        exclude: Sequence[str] = (),
        *,
        depth: int = 1,
    ) -> None:
        self.ref = ref
        self.limits = limits or Limits()
        self.include = tuple(include)
        self.exclude = tuple(exclude)
        self.depth = depth
        self.excluded = 0
        self.unsupported: list[str] = []
        self._stack = contextlib.ExitStack()

    def __enter__(self) -> Archive:
        return self

    def __exit__(self, *exc: object) -> None:
        self.close()

    def close(self) -> None:
        self._stack.close()

    def __iter__(self) -> Iterator[SourceRef]:
        if self.ref.format == "zip":
            members = self._zip_members()
        elif self.ref.format == "tar":
            members = self._tar_members()
        else:
            raise SourceError(f"not an archive: {self.ref.format}")
        for member in members:
            if member.format in ARCHIVE_FORMATS:
                yield from self._nested(member)
            else:
                yield member

    # -- filtering ----------------------------------------------------------------------------
    def _wanted(self, name: str) -> tuple[str, str | None] | None:
        """The format of member ``name``, or None when it is skipped (and counted)."""
        # "./x.csv" (some zip writers keep the leading "./"): "." and ".." are no hidden names
        parts = [p for p in name.strip("/").split("/") if p not in (".", "..", "")] or [""]
        if any(p.startswith(".") for p in parts) or parts[0] == "__MACOSX":
            return None
        base = parts[-1]
        if (self.include and not matches_patterns(self.include, name, base)) or matches_patterns(
            self.exclude, name, base
        ):
            self.excluded += 1
            return None
        found = detect(name)
        if found is None or (found[0] in ARCHIVE_FORMATS and self.depth >= MAX_DEPTH):
            self.unsupported.append(f"{self.ref.path}!{printable_path(name)}")
            return None
        return found

    # -- zip ----------------------------------------------------------------------------------
    def _zip_members(self) -> Iterator[SourceRef]:
        ref = self.ref
        location = ref.location
        if ref.compression is not None:  # a compressed zip: decompress it to a temporary file
            location = self._spooled(ref)
        opener = (
            (lambda: open_uri_file(location, seekable=True))
            if is_uri(location)
            else (lambda: open_binary(location))
        )
        with opener() as container:
            try:
                infos = zipfile.ZipFile(container).infolist()
            except (zipfile.BadZipFile, OSError, EOFError, ValueError, NotImplementedError) as exc:
                # NotImplementedError: "zip file version 8.4", a damaged version field
                raise SourceError(f"not a readable zip archive: {reason(exc)}") from None
        for info in sorted(infos, key=zip_member_name):
            if info.is_dir():
                continue
            name = zip_member_name(info)
            found = self._wanted(name)
            if found is None:
                continue
            fmt, compression = found
            yield SourceRef(
                path=f"{ref.path}!{printable_path(name)}",
                location=location,
                format=fmt,
                compression=compression,
                member=info.filename,
                size=info.file_size,
            )

    # -- tar ----------------------------------------------------------------------------------
    def _tar_members(self) -> Iterator[SourceRef]:
        ref = self.ref
        stream = self._stack.enter_context(Input(ref, self.limits).open())
        try:
            tar = tarfile.open(fileobj=stream, mode="r|")  # noqa: SIM115 - closed by the stack
        except (tarfile.TarError, OSError, EOFError, zlib.error) as exc:
            raise SourceError(f"not a readable tar archive: {reason(exc)}") from None
        self._stack.callback(tar.close)
        entries = iter(tar)
        while True:
            try:
                info = next(entries, None)
            except (tarfile.TarError, OSError, EOFError) as exc:
                raise SourceError(f"truncated or corrupt tar archive: {reason(exc)}") from None
            if info is None:
                return
            if not info.isfile():
                continue
            name = _tar_name(info.name)
            found = self._wanted(name)
            if found is None:
                continue
            fmt, compression = found
            try:
                data = tar.extractfile(info)
                assert data is not None
                tmp = copy_to_temp(data, _suffix(name))
            except (tarfile.TarError, OSError, EOFError) as exc:
                raise SourceError(f"truncated or corrupt tar archive: {reason(exc)}") from None
            try:
                yield SourceRef(
                    path=f"{ref.path}!{printable_path(name)}",
                    location=tmp,
                    format=fmt,
                    compression=compression,
                    size=info.size,
                )
            finally:
                with contextlib.suppress(OSError):
                    os.unlink(tmp)

    # -- nesting ------------------------------------------------------------------------------
    def _nested(self, member: SourceRef) -> Iterator[SourceRef]:
        """Expand an archive found inside this one."""
        location = member.location
        if member.member is not None:  # a zip member: copy it out first
            location = self._spooled(replace(member, compression=None))
            member = replace(member, location=location, member=None)
        inner = Archive(member, self.limits, self.include, self.exclude, depth=self.depth + 1)
        with inner:
            yield from inner
        self.excluded += inner.excluded
        self.unsupported.extend(inner.unsupported)

    def _spooled(self, ref: SourceRef) -> str:
        """Copy the (decompressed) data of ``ref`` to a temporary file kept until close."""
        plain = replace(ref, format=ref.format)
        with Input(plain, self.limits).open() as f:
            tmp = copy_to_temp(f, _suffix(ref.member or ref.path, drop_compression=True))
        self._stack.callback(_unlink, tmp)
        return tmp


def _unlink(path: str) -> None:
    with contextlib.suppress(OSError):
        os.unlink(path)


def _tar_name(name: str) -> str:
    """Tar names are decoded as UTF-8 with surrogate escapes; GBK names are recovered
    (:func:`~.base.printable_path`), and a leading ``./`` goes."""
    name = printable_path(name)
    return name[2:] if name.startswith("./") else name


def _suffix(name: str, *, drop_compression: bool = False) -> str:
    base = name.rsplit("/", 1)[-1].lower()
    if drop_compression:
        stem, dot, ext = base.rpartition(".")
        if dot and detect(base) is not None and detect(stem) is not None:
            base = stem
    ext = os.path.splitext(base)[1]
    return ext if len(ext) <= 9 else ""
