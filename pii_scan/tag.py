"""``pii-scan tag``: write column verdicts into the data, and make safe export copies.

* Parquet and Arrow IPC / Feather: every scanned field gets field metadata ``pii.entity``,
  ``pii.tier`` (``sensitive`` / ``general`` / ``none``), ``pii.category`` and
  ``pii.confidence``; the schema gets ``pii.scan`` (JSON: policy, catalog version, what was
  dropped or masked). Values are not touched: the output holds the same data.
* CSV/TSV and JSON Lines have no schema metadata: the output is the input (byte for byte when
  nothing is dropped or masked) and a sidecar ``OUTPUT.pii.json`` carries the same tags.
* ``drop="sensitive"`` removes every column at or above that tier; ``mask="general"`` replaces
  the values of the remaining columns at or above that tier with the shared
  :class:`pii_scan.report.mask.Masker` of ``method``: ``mask`` (entity-aware, as in reports),
  ``hash`` (``h:`` and 16 hex digits of HMAC-SHA256 under a secret key: equal values stay
  joinable across exports and scan reports made with the same key without being readable) or
  ``redact``. Masked columns become strings.

The verdicts come from a saved report (the entry of the same source) or from scanning the
input. Nested fields are addressed by dotted paths (``user.phone``), as in the report.
"""

from __future__ import annotations

import csv
import io
import json
import shutil
from collections.abc import Callable
from dataclasses import dataclass, field
from pathlib import Path

import pyarrow as pa

from .report.mask import Masker, MaskingError, make_masker
from .sources.base import SourceError, reason
from .sources.delimited import fit_header, headless_names, sniff_dialect
from .sources.encoding import HEAD_BYTES, detect_encoding

SIDECAR_SCHEMA = "pii-scan/tags/v1"
TIER_RANK = {"none": 0, "general": 1, "sensitive": 2}
_DELIMITED = {".tsv": "tsv", ".psv": "psv"}  # else sniffed, as the scanner does
FORMATS = {
    ".parquet": "parquet",
    ".pq": "parquet",
    ".arrow": "arrow",
    ".feather": "arrow",
    ".ipc": "arrow",
    ".csv": "csv",
    ".tsv": "csv",
    ".psv": "csv",
    ".jsonl": "jsonl",
    ".ndjson": "jsonl",
}


class TagError(ValueError):
    """The input cannot be tagged (format, missing verdicts, bad options)."""


@dataclass
class TagResult:
    output: Path
    format: str
    sidecar: Path | None
    tagged: list[str] = field(default_factory=list)
    dropped: list[str] = field(default_factory=list)
    masked: list[str] = field(default_factory=list)


def tag_format(path: str | Path) -> str:
    fmt = FORMATS.get(Path(path).suffix.lower())
    if fmt is None:
        raise TagError(
            f"cannot tag {Path(path).name}: use Parquet, Arrow/Feather, CSV/TSV/PSV or JSON Lines"
        )
    return fmt


def verdicts_of(source: dict) -> dict[str, dict]:
    """Column name -> verdict (entity, tier, category, confidence) of a report's source."""
    out: dict[str, dict] = {}
    for table in source.get("tables", []):
        for col in table["columns"]:
            out.setdefault(
                col["name"],
                {
                    "entity": col.get("entity"),
                    "tier": col.get("tier") or "none",
                    "category": col.get("category") if col.get("entity") else None,
                    "confidence": col.get("confidence", 0.0),
                },
            )
    return out


def find_source(report: dict, path: str | Path) -> dict:
    """The report's entry for ``path``: same path as given, same file, or a unique basename."""
    target = Path(path)
    entries = [*report.get("sources", []), *report.get("errors", [])]
    found = _entry_for(target, entries)
    if found is None:
        raise TagError(f"the report has no (unique) entry for {path}")
    if found.get("status", "ok") != "ok" or "tables" not in found:
        raise TagError(f"cannot tag {target.name}: {found.get('error') or 'it could not be read'}")
    return found


def _entry_for(target: Path, entries: list[dict]) -> dict | None:
    for e in entries:
        if e.get("path") == str(target):
            return e
    try:
        resolved = target.resolve()
        for e in entries:
            if e.get("path") and Path(e["path"]).resolve() == resolved:
                return e
    except OSError:
        pass
    same_name = [e for e in entries if e.get("path") and Path(e["path"]).name == target.name]
    return same_name[0] if len(same_name) == 1 else None


METHODS = ("mask", "hash", "redact")


def _masker(method: str, secret: bytes | None) -> Masker:
    """The shared masker of ``method``; its ``label`` (``mask``, ``hash:<key id>``,
    ``redact``) goes into the metadata, as ``masking`` does into scan reports."""
    if method not in METHODS:
        raise TagError(f"unknown masking method {method!r}")
    try:
        return make_masker(method, secret)
    except MaskingError as exc:
        raise TagError(str(exc)) from None


def _for(masker: Masker | None, verdict: dict | None) -> Callable[[str], str] | None:
    """``masker`` bound to a column's entity (masking is entity-aware)."""
    if masker is None:
        return None
    entity = (verdict or {}).get("entity")

    def one(value: str) -> str:
        return masker(value, entity)

    return one


def _at_least(tier: str, level: str | None) -> bool:
    return level is not None and TIER_RANK.get(tier, 0) >= TIER_RANK[level]


def plan(verdicts: dict[str, dict], drop: str | None, mask: str | None) -> dict[str, str]:
    """Column -> action: ``drop``, ``mask`` or ``keep``."""
    actions = {}
    for name, v in verdicts.items():
        if _at_least(v["tier"], drop):
            actions[name] = "drop"
        elif _at_least(v["tier"], mask):
            actions[name] = "mask"
        else:
            actions[name] = "keep"
    return actions


def tag_file(
    input_path: str | Path,
    output_path: str | Path,
    report_source: dict,
    *,
    scan_info: dict | None = None,
    drop: str | None = None,
    mask: str | None = None,
    method: str = "mask",
    secret: bytes | None = None,
) -> TagResult:
    """Tag ``input_path`` into ``output_path`` with the verdicts of ``report_source``."""
    src, dst = Path(input_path), Path(output_path)
    if src.resolve() == dst.resolve():
        raise TagError("the output must be a different file from the input")
    for level in (drop, mask):
        if level is not None and level not in ("sensitive", "general"):
            raise TagError(f"tier must be 'sensitive' or 'general', not {level!r}")
    fmt = tag_format(src)
    verdicts = verdicts_of(report_source)
    actions = plan(verdicts, drop, mask)
    masker = _masker(method, secret) if "mask" in actions.values() else None
    info = {
        **(scan_info or {}),
        "source": str(src),
        "dropped": sorted(c for c, a in actions.items() if a == "drop"),
        "masked": sorted(c for c, a in actions.items() if a == "mask"),
        "mask_method": masker.label if masker else None,
    }
    result = TagResult(dst, fmt, None, dropped=info["dropped"], masked=info["masked"])
    dst.parent.mkdir(parents=True, exist_ok=True)
    try:
        if fmt in ("parquet", "arrow"):
            result.tagged = _tag_arrow(src, dst, fmt, verdicts, actions, masker, info)
        else:
            if fmt == "csv":
                names = [c["name"] for t in report_source["tables"] for c in t["columns"]]
                _copy_csv(src, dst, names, actions, masker, verdicts)
            else:
                _copy_jsonl(src, dst, actions, masker, verdicts)
            result.sidecar = _write_sidecar(dst, verdicts, actions, info)
            result.tagged = [c for c, a in actions.items() if a != "drop"]
    except _NotFound as exc:
        dst.unlink(missing_ok=True)  # never leave a copy that was meant to lose these values
        raise TagError(
            f"cannot tag {src.name}: column(s) {', '.join(exc.names)} of the report are not in "
            "the file as named (a name that looks like personal data is masked in the report: "
            "scan with --reveal and pass --report)"
        ) from None
    return result


class _NotFound(Exception):
    """Columns the plan drops or masks that the file does not hold under their name."""

    def __init__(self, names: list[str]):
        super().__init__(", ".join(names))
        self.names = names


def _check_found(actions: dict[str, str], found: set[str]) -> None:
    missing = sorted(n for n, a in actions.items() if a != "keep" and n not in found)
    if missing:
        raise _NotFound(missing)


# -- Arrow formats ------------------------------------------------------------------------
def _tags(v: dict) -> dict[bytes, bytes]:
    return {
        b"pii.entity": (v["entity"] or "").encode(),
        b"pii.tier": v["tier"].encode(),
        b"pii.category": (v["category"] or "").encode(),
        b"pii.confidence": f"{float(v['confidence']):.2f}".encode(),
    }


def _read_arrow(src: Path, fmt: str) -> pa.Table:
    try:
        if fmt == "parquet":
            import pyarrow.parquet as pq

            return pq.read_table(src)
        import pyarrow.feather as feather

        return feather.read_table(src)
    except (pa.ArrowException, OSError) as exc:
        raise TagError(f"cannot read {src.name}: {reason(exc)}") from None


def _mask_array(arr: pa.Array, masker: Callable[[str], str]) -> pa.Array:
    from .sources.strings import to_string_array

    text = to_string_array(arr) if not pa.types.is_string(arr.type) else arr
    return pa.array([None if v is None else masker(v) for v in text.to_pylist()], pa.string())


def _transform(
    path: tuple[str, ...],
    fld: pa.Field,
    arr: pa.Array,
    verdicts: dict[str, dict],
    actions: dict[str, str],
    masker,
    tagged: list[str],
    seen: set[str],
) -> tuple[pa.Field, pa.Array] | None:
    """The field and array after tagging/dropping/masking; None when dropped."""
    if pa.types.is_struct(fld.type):
        children = []
        flat = arr.flatten() if isinstance(arr, pa.StructArray) else None
        for i, child in enumerate(fld.type):
            child_arr = flat[i] if flat is not None else arr.field(i)
            out = _transform(
                (*path, child.name), child, child_arr, verdicts, actions, masker, tagged, seen
            )
            if out is not None:
                children.append(out)
        if not children:
            return None
        fields = [f for f, _ in children]
        new = pa.StructArray.from_arrays(
            [a for _, a in children], fields=fields, mask=arr.is_null() if arr.null_count else None
        )
        return fld.with_type(new.type), new
    name = ".".join(path)
    v = verdicts.get(name)
    if v is None:
        return fld, arr
    seen.add(name)
    action = actions.get(name, "keep")
    if action == "drop":
        return None
    meta = dict(fld.metadata or {})
    meta.update(_tags(v))
    if action == "mask":
        arr = _mask_array(arr, _for(masker, v))
        fld = fld.with_type(pa.string())
        meta[b"pii.masked"] = masker.label.encode()
    tagged.append(name)
    return fld.with_metadata(meta), arr


def _tag_arrow(src, dst, fmt, verdicts, actions, masker, info) -> list[str]:
    table = _read_arrow(src, fmt).combine_chunks()
    tagged: list[str] = []
    seen: set[str] = set()
    fields, arrays = [], []
    for fld, col in zip(table.schema, table.columns, strict=True):
        arr = col.chunk(0) if col.num_chunks == 1 else pa.concat_arrays(col.chunks)
        if col.num_chunks == 0:
            arr = pa.array([], fld.type)
        out = _transform((fld.name,), fld, arr, verdicts, actions, masker, tagged, seen)
        if out is not None:
            fields.append(out[0])
            arrays.append(out[1])
    _check_found(actions, seen)
    meta = dict(table.schema.metadata or {})
    meta[b"pii.scan"] = json.dumps(info, ensure_ascii=False, sort_keys=True).encode("utf-8")
    schema = pa.schema(fields, metadata=meta)
    out_table = pa.Table.from_arrays(arrays, schema=schema)
    if fmt == "parquet":
        import pyarrow.parquet as pq

        pq.write_table(out_table, dst)
    else:
        import pyarrow.feather as feather

        feather.write_feather(out_table, dst)
    return tagged


# -- text formats -------------------------------------------------------------------------
def _decode(raw: bytes, codec: str, src: Path) -> str:
    try:
        return raw.decode(codec)
    except UnicodeDecodeError as exc:  # its message would quote the bytes
        raise TagError(f"cannot copy {src.name}: {reason(exc)}") from None


def _copy_csv(
    src: Path, dst: Path, names: list[str], actions: dict[str, str], masker, verdicts
) -> None:
    """Copy a delimited file, its columns taken by position as the scanner read them
    (encoding, delimiter, header row or ``column_N``): ``names`` are the report's."""
    if all(a == "keep" for a in actions.values()):
        shutil.copyfile(src, dst)
        return
    raw = src.read_bytes()
    try:
        d = sniff_dialect(raw[:HEAD_BYTES], _DELIMITED.get(src.suffix.lower(), "csv"))
    except SourceError as exc:
        raise TagError(f"cannot copy {src.name}: {exc}") from None
    text = _decode(raw[d.bom :], d.codec, src)
    rows = (r for r in csv.reader(io.StringIO(text, newline=""), delimiter=d.delimiter) if r)
    titles = [row for _, row in zip(range(d.titles), rows, strict=False)]  # copied as they are
    header = next(rows, None) if d.has_header else None
    if header is not None:
        header = fit_header(header, d)
    width = len(header) if header is not None else len(names)
    if len(names) != width or (header is None and names != headless_names(width)):
        raise _NotFound([n for n in names if actions.get(n, "keep") != "keep"])
    action = [actions.get(n, "keep") for n in names]
    keep = [i for i in range(width) if action[i] != "drop"]
    masked = {i: _for(masker, verdicts.get(names[i])) for i in keep if action[i] == "mask"}
    with dst.open("w", encoding="utf-8", newline="") as fh:
        w = csv.writer(fh, delimiter=d.delimiter, lineterminator="\n")
        w.writerows(titles)
        if header is not None:
            w.writerow([header[i] for i in keep])
        for row in rows:
            if len(row) > width:  # a ragged row, read as the scanner reads it
                row[width - 1 :] = [d.delimiter.join(row[width - 1 :])]
            w.writerow(
                [
                    (masked[i](row[i]) if i in masked and row[i] else row[i])
                    if i < len(row)
                    else ""
                    for i in keep
                ]
            )


def _edit(obj, path: list[str], action: str, masker) -> bool:
    """Drop or mask the value at ``path`` inside ``obj`` (looking through lists); was it
    there?"""
    if isinstance(obj, list):
        return any([_edit(item, path, action, masker) for item in obj])
    if not isinstance(obj, dict) or path[0] not in obj:
        return False
    if len(path) > 1:
        return _edit(obj[path[0]], path[1:], action, masker)
    if action == "drop":
        del obj[path[0]]
    else:
        obj[path[0]] = _mask_json(obj[path[0]], masker)
    return True


def _mask_json(value, masker):
    if value is None:
        return None
    if isinstance(value, list):
        return [_mask_json(v, masker) for v in value]
    if isinstance(value, dict):
        return {k: _mask_json(v, masker) for k, v in value.items()}
    text = value if isinstance(value, str) else json.dumps(value, ensure_ascii=False)
    return masker(text)


def _copy_jsonl(src: Path, dst: Path, actions: dict[str, str], masker, verdicts=None) -> None:
    edits = [
        (name, name.split("."), a, _for(masker, (verdicts or {}).get(name)))
        for name, a in actions.items()
        if a != "keep"
    ]
    found: set[str] = set()
    if not edits:
        shutil.copyfile(src, dst)
        return
    raw = src.read_bytes()
    codec = detect_encoding(raw[:65536])
    with dst.open("w", encoding="utf-8", newline="\n") as fh:
        for line in _decode(raw, codec, src).splitlines():
            if not line.strip():
                fh.write(line + "\n")
                continue
            try:
                obj = json.loads(line)
            except json.JSONDecodeError:
                fh.write(line + "\n")  # not ours to repair; the scan reported it
                continue
            for name, path, action, col_masker in edits:
                if _edit(obj, path, action, col_masker):
                    found.add(name)
            fh.write(json.dumps(obj, ensure_ascii=False) + "\n")
    _check_found(actions, found)


def sidecar_path(output: str | Path) -> Path:
    out = Path(output)
    return out.with_name(out.name + ".pii.json")


def _write_sidecar(dst: Path, verdicts, actions, info) -> Path:
    columns = [
        {
            "name": name,
            "pii.entity": v["entity"] or "",
            "pii.tier": v["tier"],
            "pii.category": v["category"] or "",
            "pii.confidence": round(float(v["confidence"]), 2),
            "action": actions.get(name, "keep"),
        }
        for name, v in verdicts.items()
    ]
    doc = {"schema": SIDECAR_SCHEMA, "file": dst.name, **info, "columns": columns}
    path = sidecar_path(dst)
    path.write_text(json.dumps(doc, ensure_ascii=False, indent=2) + "\n", encoding="utf-8")
    return path
