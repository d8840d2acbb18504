"""Finding the inputs of a scan: files, folders and glob patterns.

Each command-line path is one of

* an existing file: scanned as given (its format from the extension); an unsupported
  extension is an error entry, since the user named it;
* an existing folder: walked recursively, in sorted order, without following symbolic links to
  folders (so link loops cannot hang the walk; a link to a folder that holds the link itself
  is listed as an error, ``symbolic link loop``) and skipping hidden entries (names starting
  with ``.``, such as ``.git``); files of an unsupported format are listed in
  :attr:`Discovery.unsupported`;
* a glob pattern (``*``, ``?``, ``[...]``; a ``**`` component matches any number of folders):
  expanded here with the same walk, so it also never follows folder links; a matching folder
  is walked whole, as the shell would pass it to us;
* anything else: an error entry (``no such file or directory``).

``--include``/``--exclude`` patterns are ``fnmatch`` globs (case-sensitive; ``*`` also matches
``/``) tested against the path relative to the given folder (or the path as given, for a
file) and against the file name; ``**/`` at the start of a pattern may also match nothing.
Archives are containers, like folders: ``--include`` applies to their members, not to them.
A file must match an include pattern (when there are any) and no exclude pattern; skipped files
are counted in :attr:`Discovery.excluded`.  A folder matching an exclude pattern is not entered
(its files are not counted).

Display paths are the path as given, or the given folder joined with the relative path (just
the relative path for ``.``).  A file reached twice (two arguments, or a link) is listed once.
Sources are sorted by display path, so the order does not depend on the order or the shell's
expansion of the arguments.

Files that are not regular files are never opened (a FIFO with no writer, or a link to
``/dev/zero``, would stall the scan): each is an error entry, ``not a regular file (a FIFO)``,
``(a character device)``, and so on; a file link that loops is ``symbolic link loop``, one whose
target is missing ``broken symbolic link``.

Beyond plain files:

* **Compression.** A second extension ``.gz``/``.bz2``/``.xz``/``.zst`` names the compression
  of a file of the first extension's format (``orders.csv.gz``); ``.tgz``, ``.tbz2``, ``.txz``
  are compressed tar archives.
* **Archives.** ``.zip`` and ``.tar`` (possibly compressed) are one source each here; the
  scanner expands them into their members (:mod:`~pii_scan.sources.archives`).
* **Hive-partitioned Parquet.** Parquet files found in a folder walk below ``key=value``
  folders are one source: the dataset rooted at the folder holding the first ``key=value``
  level, displayed as that folder and listing its files in :attr:`SourceRef.members`.
* **SQLite.** ``.sqlite``/``.sqlite3`` files are SQLite databases; ``.db``/``.db3`` files only
  when they start with the SQLite header (others are unsupported).
* **Object stores.** A ``scheme://`` argument (``s3://bucket/prefix/``) is listed through
  ``pyarrow.fs`` with the same rules: a key is a file, a prefix is a folder, and glob
  characters in the key match as for local paths.  Listing failures are error entries.
"""

from __future__ import annotations

import errno
import os
import re
import stat
from collections.abc import Iterator, Sequence
from dataclasses import dataclass, field
from fnmatch import fnmatchcase
from functools import lru_cache
from pathlib import PurePosixPath

from .base import SourceError, SourceRef, file_kind, printable_path
from .inputs import COMPRESSIONS, is_uri, resolve_uri

__all__ = ["ARCHIVE_FORMATS", "FORMATS", "Discovery", "detect", "detect_format", "discover"]

#: File extension (lower case) -> source format.
FORMATS: dict[str, str] = {
    ".csv": "csv",
    ".tsv": "tsv",
    ".tab": "tsv",
    ".psv": "psv",
    ".jsonl": "jsonl",
    ".ndjson": "jsonl",
    ".json": "json",  # a JSON document, or JSON Lines (sniffed)
    ".parquet": "parquet",
    ".pq": "parquet",
    ".orc": "orc",
    ".feather": "feather",
    ".arrow": "arrow",
    ".ipc": "arrow",
    ".arrows": "arrow",
    ".xlsx": "xlsx",
    ".xlsm": "xlsx",
    ".xls": "xls",
    ".sql": "sql",
    ".sqlite": "sqlite",
    ".sqlite3": "sqlite",
    ".db": "sqlite",  # only with the SQLite header
    ".db3": "sqlite",
    ".txt": "text",
    ".log": "text",
    ".md": "text",
    ".text": "text",
    ".zip": "zip",
    ".tar": "tar",
}
#: Formats that hold other sources; the scanner expands them.
ARCHIVE_FORMATS = frozenset({"zip", "tar"})
_COMPRESSED_TARS = {".tgz": "gz", ".tbz2": "bz2", ".tbz": "bz2", ".txz": "xz", ".tzst": "zst"}
_SNIFFED = {".db": b"SQLite format 3\x00", ".db3": b"SQLite format 3\x00"}
_HIVE_PART = re.compile(r"[^=/]+=[^/]*")

_MAGIC = frozenset("*?[")


@dataclass
class Discovery:
    """What :func:`discover` found."""

    sources: list[SourceRef] = field(default_factory=list)  # sorted by display path
    errors: list[dict[str, str]] = field(default_factory=list)  # {"path": ..., "error": ...}
    excluded: int = 0  # files skipped by --exclude or not matching --include
    unsupported: list[str] = field(default_factory=list)  # found in folders, format unknown


def detect(path: str) -> tuple[str, str | None] | None:
    """``(format, compression)`` of ``path`` from its extensions (case-insensitive), or None.

    >>> detect("lake/orders.CSV.gz"), detect("x.tgz"), detect("notes.gz")
    (('csv', 'gz'), ('tar', 'gz'), None)
    """
    name = PurePosixPath(path.split("?", 1)[0].replace("\\", "/")).name.lower()
    stem, ext = os.path.splitext(name)
    if ext in _COMPRESSED_TARS:
        return "tar", _COMPRESSED_TARS[ext]
    compression = COMPRESSIONS.get(ext)
    if compression is not None:
        fmt = FORMATS.get(os.path.splitext(stem)[1])
        return (fmt, compression) if fmt else None
    fmt = FORMATS.get(ext)
    return (fmt, None) if fmt else None


def detect_format(path: str) -> str | None:
    """The source format of ``path`` from its extensions (case-insensitive), or None."""
    found = detect(path)
    return found[0] if found else None


def discover(
    paths: Sequence[str], include: Sequence[str] = (), exclude: Sequence[str] = ()
) -> Discovery:
    """Expand command-line ``paths`` into sources; see the module documentation."""
    finder = _Finder(tuple(include), tuple(exclude))
    for given in paths:
        if is_uri(given):
            finder.add_uri(given)
        elif os.path.isdir(given):
            finder.add_tree(given, _walk(given, None, finder))
        elif os.path.lexists(given):
            finder.add_file(given, given, given, explicit=True)
        elif _has_magic(given):
            base, pattern = _split_pattern(given)
            if not (os.path.isdir(base) and finder.add_tree(base, _walk(base, pattern, finder))):
                finder.error(given, "no files match")
        else:
            finder.error(given, "no such file or directory")
    found = finder.result
    found.sources.extend(finder.datasets())
    found.sources.sort(key=lambda ref: (ref.path, ref.location))
    found.unsupported.sort()
    return found


class _Finder:
    def __init__(self, include: tuple[str, ...], exclude: tuple[str, ...]) -> None:
        self.include = include
        self.exclude = exclude
        self.result = Discovery()
        self._seen: set[str] = set()
        # (display root, location root) -> [(location, size)] of Hive-partitioned Parquet
        self._datasets: dict[tuple[str, str], list[tuple[str, int | None]]] = {}

    def error(self, path: str, message: str) -> None:
        self.result.errors.append({"path": printable_path(path), "error": message})

    def excluded_dir(self, rel: str, name: str) -> bool:
        return matches_patterns(self.exclude, rel, name)

    def add_tree(self, folder: str, files: Iterator[tuple[str, str]]) -> int:
        """Add the files found under ``folder``; returns how many there were."""
        count = 0
        for rel, location in files:
            self.add_file(_display(folder, rel), location, rel, explicit=False, folder=folder)
            count += 1
        return count

    def filtered(self, rel: str, name: str) -> bool:
        """True (and counted) when --include/--exclude skip the file.  Like a folder, an
        archive is kept unless excluded: --include applies to its members."""
        found = detect(name)
        container = found is not None and found[0] in ARCHIVE_FORMATS
        included = container or not self.include or matches_patterns(self.include, rel, name)
        if not included or matches_patterns(self.exclude, rel, name):
            self.result.excluded += 1
            return True
        return False

    def accept(
        self,
        display: str,
        location: str,
        rel: str,
        *,
        explicit: bool,
        size: int | None,
        folder: str | None,
        join: str = os.sep,
    ) -> None:
        """Record a file that exists and passed the filters."""
        display = printable_path(display)
        found = detect(location)
        if found is not None and not is_uri(location):
            magic = _SNIFFED.get(os.path.splitext(location.lower())[1])
            if magic is not None and found[1] is None and not _starts_with(location, magic):
                found = None
        if found is None:
            if explicit:
                name = PurePosixPath(location.split("?", 1)[0]).name
                suffix = os.path.splitext(name)[1]
                self.error(display, f"unsupported file format ({suffix or 'no extension'})")
            else:
                self.result.unsupported.append(display)
            return
        fmt, compression = found
        if fmt == "parquet" and compression is None and folder is not None:
            parts = rel.split("/")
            for i, part in enumerate(parts[:-1]):
                if _HIVE_PART.fullmatch(part):
                    root_rel = "/".join(parts[:i])
                    root = folder.rstrip("/") or folder
                    key = (
                        _display(folder, root_rel) if root_rel else root,
                        (root + join + root_rel) if root_rel else root,
                    )
                    self._datasets.setdefault(key, []).append((location, size))
                    return
        self.result.sources.append(
            SourceRef(
                path=display, location=location, format=fmt, compression=compression, size=size
            )
        )

    def datasets(self) -> list[SourceRef]:
        return [
            SourceRef(
                path=printable_path(display),
                location=location,
                format="parquet",
                members=tuple(sorted(loc for loc, _ in files)),
                size=sum(size or 0 for _, size in files),
            )
            for (display, location), files in self._datasets.items()
        ]

    def add_uri(self, given: str) -> None:
        """Add an object-store key, prefix or glob."""
        base, _, query = given.partition("?")
        suffix = f"?{query}" if query else ""
        scheme, _, rest = base.partition("://")
        pattern: tuple[str, ...] | None = None
        if _has_magic(rest):
            head, pattern = _split_pattern(rest)
            base = f"{scheme}://{head}"
        try:
            fs, path = resolve_uri(base + suffix)
            info = fs.get_file_info(path)
            if pattern is None and info.type == _file_type("File"):
                if given not in self._seen:
                    self._seen.add(given)
                    name = PurePosixPath(path).name
                    if not self.filtered(name, name):
                        self.accept(given, given, name, explicit=True, size=info.size, folder=None)
                return
            if info.type != _file_type("Directory"):
                self.error(given, "no files match" if pattern else "no such file or directory")
                return
            listing = fs.get_file_info(_selector(path))
        except SourceError as exc:
            self.error(given, str(exc))
            return
        except (OSError, ValueError) as exc:
            self.error(given, f"cannot list: {_reason(exc)}")
            return
        root = path.rstrip("/")
        folder = base.rstrip("/")
        count = 0
        for item in sorted(listing, key=lambda i: i.path):
            if item.type != _file_type("File"):
                continue
            rel = item.path[len(root) :].lstrip("/")
            parts = rel.split("/")
            if any(p.startswith(".") for p in parts):
                continue
            if any(
                self.excluded_dir("/".join(parts[: i + 1]), parts[i]) for i in range(len(parts) - 1)
            ):
                continue
            if pattern is not None and not _glob_match(pattern, tuple(parts)):
                continue
            location = f"{folder}/{rel}{suffix}"
            if location in self._seen:
                continue
            self._seen.add(location)
            count += 1
            if self.filtered(rel, parts[-1]):
                continue
            display = f"{folder}/{rel}"
            self.accept(
                display, location, rel, explicit=False, size=item.size, folder=folder, join="/"
            )
        if pattern is not None and count == 0:
            self.error(given, "no files match")

    def add_file(
        self, display: str, location: str, rel: str, *, explicit: bool, folder: str | None = None
    ) -> None:
        key = os.path.realpath(location)
        if key in self._seen:
            return
        self._seen.add(key)
        if self.filtered(rel, os.path.basename(rel)):
            return
        try:
            info = os.stat(location)
        except OSError as exc:
            if exc.errno == errno.ELOOP:
                self.error(display, "symbolic link loop")
            elif os.path.islink(location):
                self.error(display, "broken symbolic link")
            else:  # gone since it was listed, or not allowed to look
                self.error(display, f"cannot open file: {exc.strerror or exc}")
            return
        if not stat.S_ISREG(info.st_mode):
            self.error(display, f"not a regular file ({file_kind(info.st_mode)})")
            return
        size: int | None = info.st_size
        self.accept(display, location, rel, explicit=explicit, size=size, folder=folder)


def _starts_with(location: str, magic: bytes) -> bool:
    try:
        with open(location, "rb") as f:
            return f.read(len(magic)) == magic
    except OSError:
        return True  # let the reader report why it cannot be read


def _file_type(name: str):
    import pyarrow.fs as pafs

    return getattr(pafs.FileType, name)


def _selector(path: str):
    import pyarrow.fs as pafs

    return pafs.FileSelector(path, recursive=True, allow_not_found=True)


def _reason(exc: BaseException) -> str:
    from .base import reason

    return reason(exc)


def _display(folder: str, rel: str) -> str:
    return rel if os.path.normpath(folder) == "." else os.path.join(folder, rel)


def matches_patterns(patterns: Sequence[str], rel: str, name: str) -> bool:
    """Whether ``--include``/``--exclude`` ``patterns`` match a file by its path relative to
    the folder scanned (``rel``) or its ``name``; ``**/x`` also matches ``x`` at the top."""
    for pattern in patterns:
        if fnmatchcase(rel, pattern) or fnmatchcase(name, pattern):
            return True
        if pattern.startswith("**/") and fnmatchcase(rel, pattern[3:]):
            return True
    return False


def _has_magic(path: str) -> bool:
    return not _MAGIC.isdisjoint(path)


def _split_pattern(pattern: str) -> tuple[str, tuple[str, ...]]:
    """``data/2024/**/*.csv`` -> (``data/2024``, (``**``, ``*.csv``))."""
    parts = pattern.replace(os.sep, "/").split("/")
    first = next(i for i, part in enumerate(parts) if _has_magic(part))
    head = parts[:first]
    base = "/" if head == [""] else "/".join(head) or "."
    return base, tuple(p for p in parts[first:] if p)


@lru_cache(maxsize=4096)
def _glob_match(pattern: tuple[str, ...], parts: tuple[str, ...]) -> bool:
    if not pattern:
        return not parts
    if pattern[0] == "**":
        return _glob_match(pattern[1:], parts) or (bool(parts) and _glob_match(pattern, parts[1:]))
    return bool(parts) and fnmatchcase(parts[0], pattern[0]) and _glob_match(pattern[1:], parts[1:])


def _may_match_below(pattern: tuple[str, ...], parts: tuple[str, ...]) -> bool:
    """Could a path below the folder ``parts`` match ``pattern``?"""
    if "**" in pattern:
        return True
    return len(parts) < len(pattern) and all(
        fnmatchcase(p, q) for p, q in zip(parts, pattern, strict=False)
    )


def _loops(dirpath: str, name: str) -> bool:
    """True if ``dirpath/name`` is a symbolic link to ``dirpath`` or a folder above it (os.walk
    lists links to folders among the folders, and does not follow them)."""
    path = os.path.join(dirpath, name)
    if not os.path.islink(path):
        return False
    try:
        target = os.path.realpath(path, strict=True)
    except OSError as exc:  # a loop of links, or a dangling one
        return exc.errno == errno.ELOOP
    here = os.path.realpath(dirpath)
    return here == target or here.startswith(target.rstrip(os.sep) + os.sep)


def _walk(
    folder: str, pattern: tuple[str, ...] | None, finder: _Finder
) -> Iterator[tuple[str, str]]:
    """``(relative path, location)`` of the files under ``folder`` (matching ``pattern``),
    in sorted order; unlistable folders become error entries."""

    def on_error(exc: OSError) -> None:
        where = exc.filename if isinstance(exc.filename, str) else folder
        rel = os.path.relpath(where, folder)
        display = folder if rel == "." else _display(folder, rel.replace(os.sep, "/"))
        finder.error(display, f"cannot list folder: {exc.strerror or exc}")

    matched_dirs: set[str] = set()  # relative folders matched by the pattern: taken whole
    for dirpath, dirnames, filenames in os.walk(folder, onerror=on_error, followlinks=False):
        rel_dir = os.path.relpath(dirpath, folder).replace(os.sep, "/")
        prefix = "" if rel_dir == "." else rel_dir + "/"
        whole = pattern is None or rel_dir in matched_dirs
        keep = []
        for name in sorted(dirnames):
            rel = prefix + name
            if name.startswith(".") or finder.excluded_dir(rel, name):
                continue
            if _loops(dirpath, name):
                finder.error(
                    _display(folder, rel), "symbolic link loop (a link to a folder above it)"
                )
                continue
            if not whole:
                parts = tuple(rel.split("/"))
                if _glob_match(pattern, parts):
                    matched_dirs.add(rel)
                elif not _may_match_below(pattern, parts):
                    continue
            elif pattern is not None:
                matched_dirs.add(rel)
            keep.append(name)
        dirnames[:] = keep
        for name in sorted(filenames):
            if name.startswith("."):
                continue
            rel = prefix + name
            if whole or _glob_match(pattern, tuple(rel.split("/"))):
                yield rel, os.path.join(dirpath, name)
