"""Builds the hostile-input folder of ``test_hostile.py`` (everything generated at test time).

:func:`build` writes every item into a folder and returns the :class:`Item` list: what each
item is, the paths it puts in the folder, and what the scan must make of it.
"""

from __future__ import annotations

import gzip
import os
import stat
import tarfile
import zipfile
from dataclasses import dataclass, field
from pathlib import Path

#: Valid numbers (MOD 11-2 check digit, assigned mobile range), synthetic people.
RESIDENT_ID = "110105199003071239"
RESIDENT_ID_2 = "110101199003077777"
MOBILE = "13800138000"

MiB = 1 << 20


@dataclass
class Item:
    name: str  # the parametrize id
    paths: list[str]  # relative paths this item adds to the folder
    expect: str  # "found": ok and its PII found; "listed": in sources or errors
    #: entity that must be found in a source of this item ("found"; or "listed" when it is ok)
    entity: str | None = None
    #: error reason fragments, one of which the error must contain (when it is an error)
    reasons: tuple[str, ...] = ()
    #: filled by tests that need it (the grower's thread, ...)
    extra: dict = field(default_factory=dict)


def _write(root: Path, rel: str, data: bytes) -> None:
    path = root / rel
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_bytes(data)


def sane(root: Path) -> list[Item]:
    csv_rows = "".join(f"张三{i},{RESIDENT_ID},{MOBILE}\n" for i in range(50))
    _write(root, "sane/customers.csv", ("姓名,身份证号,手机号\n" + csv_rows).encode())
    _write(root, "sane/chat.txt", f"客户身份证号{RESIDENT_ID}，电话{MOBILE}。\n".encode())
    return [
        Item("sane_csv", ["sane/customers.csv"], "found", "CN_RESIDENT_ID"),
        Item("sane_txt", ["sane/chat.txt"], "found", "CN_RESIDENT_ID"),
    ]


def invalid_utf8(root: Path) -> list[Item]:
    good = f"身份证{RESIDENT_ID}，电话{MOBILE}\n".encode()
    _write(root, "enc/invalid_utf8.txt", good + b"bad \xff\xfe\xc3( bytes\n" + good * 3)
    # A CSV whose first 64 KiB are clean UTF-8 and whose later rows hold invalid bytes.
    head = "姓名,身份证号,手机号\n".encode()
    rows = "".join(f"王五{i},{RESIDENT_ID},{MOBILE}\n" for i in range(3000)).encode()
    bad = b"\xff\xfe\xfd," + RESIDENT_ID_2.encode() + b"," + MOBILE.encode() + b"\n"
    _write(root, "enc/invalid_utf8.csv", head + rows + bad + rows[:2000])
    return [
        Item("invalid_utf8_txt", ["enc/invalid_utf8.txt"], "found", "CN_RESIDENT_ID"),
        Item("invalid_utf8_csv", ["enc/invalid_utf8.csv"], "found", "CN_RESIDENT_ID"),
    ]


def mixed_encodings(root: Path) -> list[Item]:
    head = "姓名,身份证号,手机号\n".encode()
    utf8 = "".join(f"赵六{i},{RESIDENT_ID},{MOBILE}\n" for i in range(3000)).encode()
    gbk = "".join(f"钱七{i},{RESIDENT_ID_2},{MOBILE}\n" for i in range(500)).encode("gb18030")
    _write(root, "enc/mixed_utf8_then_gb18030.csv", head + utf8 + gbk + utf8[:1000])
    gb_head = "姓名,身份证号,手机号\n".encode("gb18030")
    _write(root, "enc/mixed_gb18030_then_utf8.csv", gb_head + gbk * 6 + utf8[:5000])
    return [
        Item(
            "mixed_utf8_gb18030_csv", ["enc/mixed_utf8_then_gb18030.csv"], "found", "CN_RESIDENT_ID"
        ),
        Item(
            "mixed_gb18030_utf8_csv", ["enc/mixed_gb18030_then_utf8.csv"], "found", "CN_RESIDENT_ID"
        ),
    ]


def long_lines(root: Path) -> list[Item]:
    size = 30 * MiB
    pad = b"x" * (size // 2)
    needle = f" 身份证号{RESIDENT_ID} 手机{MOBILE} ".encode()
    _write(root, "big/one_line.txt", pad + needle + pad)
    _write(root, "big/one_line.csv", b"id,note\n1," + pad + needle + pad + b"\n")
    _write(root, "big/one_line_no_header.csv", pad + needle + pad)
    return [
        Item(
            "long_line_txt",
            ["big/one_line.txt"],
            "listed",
            "CN_RESIDENT_ID",
            reasons=("longer than",),
        ),
        Item(
            "long_line_csv",
            ["big/one_line.csv"],
            "listed",
            "CN_RESIDENT_ID",
            reasons=("larger than", "longer than"),
        ),
        Item(
            "long_line_csv_no_newline",
            ["big/one_line_no_header.csv"],
            "listed",
            "CN_RESIDENT_ID",
            reasons=("larger than", "longer than"),
        ),
    ]


def deep_json(root: Path) -> list[Item]:
    depth = 100_000
    _write(root, "json/deep_array.json", b"[" * depth + b"1" + b"]" * depth)
    _write(root, "json/deep_object.json", b'{"a":' * depth + b"1" + b"}" * depth)
    line = b'{"a":' * depth + b"1" + b"}" * depth
    ok = f'{{"id": "{RESIDENT_ID}"}}\n'.encode()
    _write(root, "json/deep_line.jsonl", ok + line + b"\n" + ok)
    return [
        Item("deep_json_array", ["json/deep_array.json"], "listed", reasons=("nested deeper",)),
        Item("deep_json_object", ["json/deep_object.json"], "listed", reasons=("nested deeper",)),
        Item("deep_jsonl_line", ["json/deep_line.jsonl"], "listed", reasons=("nested deeper",)),
    ]


def bombs(root: Path) -> list[Item]:
    # gzip: 64 identical members of 16 MiB of CSV rows each: 1 GiB out of ~1 MiB.
    block = b"1,2\n" * (4 * MiB)
    member = gzip.compress(block, compresslevel=9)
    _write(root, "bomb/bomb.csv.gz", gzip.compress(b"a,b\n") + member * 64)
    # zip: one deflated member of 256 MiB next to a sane member.
    path = root / "bomb/bomb.zip"
    with zipfile.ZipFile(path, "w", zipfile.ZIP_DEFLATED, compresslevel=1) as zf:
        zf.writestr("ok.csv", f"身份证号\n{RESIDENT_ID}\n")
        with zf.open("huge.csv", "w", force_zip64=True) as out:
            out.write(b"a,b\n")
            chunk = b"1,2\n" * (MiB // 4)
            for _ in range(256):
                out.write(chunk)
    # tar.gz: a tar of one 1 GiB member, gzip members again (~1 MiB on disk).
    info = tarfile.TarInfo("huge.csv")
    info.size = 64 * len(block)
    tail = b"\0" * 1024  # the end-of-archive blocks (the member is 512-aligned)
    body = gzip.compress(info.tobuf(format=tarfile.GNU_FORMAT)) + member * 64
    _write(root, "bomb/bomb.tgz", body + gzip.compress(tail))
    return [
        Item("gzip_bomb", ["bomb/bomb.csv.gz"], "listed", reasons=("decompression bomb",)),
        Item("tgz_bomb", ["bomb/bomb.tgz"], "listed", reasons=("decompression bomb",)),
        Item(
            "zip_bomb",
            ["bomb/bomb.zip"],
            "listed",
            reasons=("decompression bomb",),
            extra={"members": ["bomb/bomb.zip!huge.csv", "bomb/bomb.zip!ok.csv"]},
        ),
    ]


def links(root: Path) -> list[Item]:
    (root / "links").mkdir(parents=True, exist_ok=True)
    os.symlink("loop_b.csv", root / "links/loop_a.csv")
    os.symlink("loop_a.csv", root / "links/loop_b.csv")
    os.symlink("..", root / "links/parent")  # a folder link to its own parent
    os.symlink("/dev/zero", root / "links/zero.txt")
    os.symlink("/dev/null", root / "links/null.csv")
    os.mkfifo(root / "links/fifo.csv")
    return [
        Item(
            "symlink_loop",
            ["links/loop_a.csv", "links/loop_b.csv"],
            "listed",
            reasons=("symbolic link loop",),
        ),
        Item("folder_link_to_parent", ["links/parent"], "listed", reasons=("symbolic link loop",)),
        Item("dev_zero", ["links/zero.txt"], "listed", reasons=("not a regular file",)),
        Item("dev_null", ["links/null.csv"], "listed", reasons=("not a regular file",)),
        Item("fifo", ["links/fifo.csv"], "listed", reasons=("not a regular file",)),
    ]


def unreadable(root: Path) -> list[Item]:
    _write(root, "perm/locked.csv", f"身份证号\n{RESIDENT_ID}\n".encode())
    os.chmod(root / "perm/locked.csv", 0)
    # Root reads it anyway: then it is scanned and its PII found.
    return [
        Item(
            "unreadable",
            ["perm/locked.csv"],
            "listed",
            "CN_RESIDENT_ID",
            reasons=("Permission denied",),
        )
    ]


EMPTY_EXTENSIONS = ("csv", "jsonl", "json", "parquet", "xlsx", "txt")


def empty_files(root: Path) -> list[Item]:
    items = []
    for ext in EMPTY_EXTENSIONS:
        _write(root, f"empty/empty.{ext}", b"")
        items.append(Item(f"empty_{ext}", [f"empty/empty.{ext}"], "listed", reasons=("empty",)))
    return items


def vanishing(root: Path) -> list[Item]:
    """Files removed or grown after discovery: see ``changes_after_discovery``."""
    _write(root, "race/vanish.csv", f"身份证号\n{RESIDENT_ID}\n".encode())
    _write(root, "race/grow.txt", f"身份证号{RESIDENT_ID}\n".encode())
    return [
        Item("vanishes", ["race/vanish.csv"], "listed", reasons=("No such file or directory",)),
        Item("grows", ["race/grow.txt"], "found", "CN_RESIDENT_ID"),
    ]


BUILDERS = (
    sane,
    invalid_utf8,
    mixed_encodings,
    long_lines,
    deep_json,
    bombs,
    links,
    unreadable,
    empty_files,
    vanishing,
)


#: Every item's name -> the builder that makes it (checked against the builders by the tests).
ITEM_BUILDERS: dict[str, str] = {
    "sane_csv": "sane",
    "sane_txt": "sane",
    "invalid_utf8_txt": "invalid_utf8",
    "invalid_utf8_csv": "invalid_utf8",
    "mixed_utf8_gb18030_csv": "mixed_encodings",
    "mixed_gb18030_utf8_csv": "mixed_encodings",
    "long_line_txt": "long_lines",
    "long_line_csv": "long_lines",
    "long_line_csv_no_newline": "long_lines",
    "deep_json_array": "deep_json",
    "deep_json_object": "deep_json",
    "deep_jsonl_line": "deep_json",
    "gzip_bomb": "bombs",
    "tgz_bomb": "bombs",
    "zip_bomb": "bombs",
    "symlink_loop": "links",
    "folder_link_to_parent": "links",
    "dev_zero": "links",
    "dev_null": "links",
    "fifo": "links",
    "unreadable": "unreadable",
    **{f"empty_{ext}": "empty_files" for ext in EMPTY_EXTENSIONS},
    "vanishes": "vanishing",
    "grows": "vanishing",
}


def build(root: Path, only: str | None = None) -> list[Item]:
    """Write the hostile folder (or the items of one builder) into ``root``."""
    root.mkdir(parents=True, exist_ok=True)
    items: list[Item] = []
    for builder in BUILDERS:
        if only is None or builder.__name__ == only:
            items.extend(builder(root))
    return items


def unlock(root: Path) -> None:
    """Make the chmod-000 file removable again (pytest cleans tmp_path up)."""
    locked = root / "perm/locked.csv"
    if locked.exists():
        os.chmod(locked, stat.S_IRUSR | stat.S_IWUSR)


__all__ = ["BUILDERS", "ITEM_BUILDERS", "Item", "build", "unlock"]
