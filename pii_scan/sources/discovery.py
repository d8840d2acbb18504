"""Finding the inputs of a scan: files, folders and glob patterns.

Each command-line path is one of

* an existing file: scanned as given (its format from the extension); an unsupported
  extension is an error entry, since the user named it;
* an existing folder: walked recursively, in sorted order, without following symbolic links to
  folders (so link loops cannot hang the walk) and skipping hidden entries (names starting with
  ``.``, such as ``.git``); files of an unsupported format are listed in
  :attr:`Discovery.unsupported`;
* a glob pattern (``*``, ``?``, ``[...]``; a ``**`` component matches any number of folders):
  expanded here with the same walk, so it also never follows folder links; a matching folder
  is walked whole, as the shell would pass it to us;
* anything else: an error entry (``no such file or directory``).

``--include``/``--exclude`` patterns are ``fnmatch`` globs (case-sensitive; ``*`` also matches
``/``) tested against the path relative to the given folder (or the path as given, for a
file) and against the file name; ``**/`` at the start of a pattern may also match nothing.
A file must match an include pattern (when there are any) and no exclude pattern; skipped files
are counted in :attr:`Discovery.excluded`.  A folder matching an exclude pattern is not entered
(its files are not counted).

Display paths are the path as given, or the given folder joined with the relative path (just
the relative path for ``.``).  A file reached twice (two arguments, or a link) is listed once.
Sources are sorted by display path, so the order does not depend on the order or the shell's
expansion of the arguments.
"""

from __future__ import annotations

import os
from collections.abc import Iterator, Sequence
from dataclasses import dataclass, field
from fnmatch import fnmatchcase
from functools import lru_cache
from pathlib import PurePath

from .base import SourceRef

__all__ = ["FORMATS", "Discovery", "detect_format", "discover"]

#: File extension (lower case) -> source format.
FORMATS: dict[str, str] = {
    ".csv": "csv",
    ".tsv": "tsv",
    ".tab": "tsv",
    ".jsonl": "jsonl",
    ".ndjson": "jsonl",
    ".json": "jsonl",  # line-delimited only; the reader rejects JSON documents
    ".parquet": "parquet",
    ".pq": "parquet",
    ".txt": "text",
    ".log": "text",
    ".md": "text",
    ".text": "text",
}

_MAGIC = frozenset("*?[")


@dataclass
class Discovery:
    """What :func:`discover` found."""

    sources: list[SourceRef] = field(default_factory=list)  # sorted by display path
    errors: list[dict[str, str]] = field(default_factory=list)  # {"path": ..., "error": ...}
    excluded: int = 0  # files skipped by --exclude or not matching --include
    unsupported: list[str] = field(default_factory=list)  # found in folders, format unknown


def detect_format(path: str) -> str | None:
    """The source format of ``path`` from its extension (case-insensitive), or None."""
    return FORMATS.get(PurePath(path).suffix.lower())


def discover(
    paths: Sequence[str], include: Sequence[str] = (), exclude: Sequence[str] = ()
) -> Discovery:
    """Expand command-line ``paths`` into sources; see the module documentation."""
    finder = _Finder(tuple(include), tuple(exclude))
    for given in paths:
        if os.path.isdir(given):
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
    found.sources.sort(key=lambda ref: (ref.path, ref.location))
    found.unsupported.sort()
    return found


class _Finder:
    def __init__(self, include: tuple[str, ...], exclude: tuple[str, ...]) -> None:
        self.include = include
        self.exclude = exclude
        self.result = Discovery()
        self._seen: set[str] = set()

    def error(self, path: str, message: str) -> None:
        self.result.errors.append({"path": path, "error": message})

    def excluded_dir(self, rel: str, name: str) -> bool:
        return _matches(self.exclude, rel, name)

    def add_tree(self, folder: str, files: Iterator[tuple[str, str]]) -> int:
        """Add the files found under ``folder``; returns how many there were."""
        count = 0
        for rel, location in files:
            self.add_file(_display(folder, rel), location, rel, explicit=False)
            count += 1
        return count

    def add_file(self, display: str, location: str, rel: str, *, explicit: bool) -> None:
        key = os.path.realpath(location)
        if key in self._seen:
            return
        self._seen.add(key)
        name = os.path.basename(rel)
        if (self.include and not _matches(self.include, rel, name)) or _matches(
            self.exclude, rel, name
        ):
            self.result.excluded += 1
            return
        if not os.path.exists(location):
            self.error(display, "broken symbolic link")
            return
        if not os.path.isfile(location):
            self.error(display, "not a regular file")
            return
        fmt = detect_format(location)
        if fmt is None:
            if explicit:
                suffix = PurePath(location).suffix
                self.error(display, f"unsupported file format ({suffix or 'no extension'})")
            else:
                self.result.unsupported.append(display)
            return
        self.result.sources.append(SourceRef(path=display, location=location, format=fmt))


def _display(folder: str, rel: str) -> str:
    return rel if os.path.normpath(folder) == "." else os.path.join(folder, rel)


def _matches(patterns: tuple[str, ...], rel: str, name: str) -> bool:
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
