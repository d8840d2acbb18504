"""The recognizer catalog: ``recognizers/*.toml`` and the reference data in ``models/``.

A recognizer is data. Each TOML file under ``recognizers/`` describes one: the entity it
reports, how candidates are found (``kind``), the RE2 pattern a candidate must fully match, the
validator that confirms it, context words, column-name synonyms and examples. The same
definition feeds the vectorized core (:mod:`pii_scan.core`) and the Presidio export.

Kinds:

``digits``  digit runs, optionally joined by separators (``groupings``) and ending in X/x
            (``check_letter``); ``pattern`` is matched against the compact digits. With
            ``bare = false`` only runs joined by separators are this entry's (a bare run is
            another entry's, with a weaker score).
``token``   maximal ``[0-9A-Za-z]`` runs holding a letter; ``pattern`` matches the whole token.
``word``    maximal runs of the ASCII ``charset`` that hold a ``must_contain`` character,
            with ``trim`` characters cut from both ends; ``pattern`` matches the whole word
            (e-mail addresses, dotted quads). Found with NumPy, checked with one RE2 pass.
``cell``    the whole cell (trimmed) must match ``pattern``: coded columns such as gender
            (男/女), ethnicity or blood type; with ``requires_context`` only a matching column
            name counts as context, so ``0``/``1`` is a gender only under a gender header.
``function`` code registered in :mod:`pii_scan.core.functions` under ``match.function``
            (e.g. names in prose with jieba); ``pattern`` documents what it finds.
``regex``   an RE2 ``pattern`` searched in the text, with a ``boundary`` (a name from
            ``BOUNDARIES`` or ASCII characters in class syntax, e.g. ``0-9A-Za-z.``) that must
            not touch the match, optional literal ``prefilter`` strings (a cell must hold one),
            and an optional ``prefilter_sequence`` of byte classes that must stand one after
            another in a cell (``["non-ascii", "A-Z"]``: a Hanzi followed by a capital; the
            older key ``prefilter_pair`` means the same), checked with NumPy before any regex
            runs.

>>> cat = load_catalog()
>>> cat["cn_resident_id"].entity
'CN_RESIDENT_ID'
"""

from __future__ import annotations

import hashlib
from dataclasses import dataclass, field
from functools import cache
from pathlib import Path

import tomllib

KINDS = ("digits", "token", "word", "regex", "cell", "function")
BOUNDARIES = {"none": "", "digit": "0-9", "alnum": "0-9A-Za-z", "word": "0-9A-Za-z_"}


class CatalogError(ValueError):
    """A recognizer or model file is malformed."""


def data_dir(name: str) -> Path:
    """Folder of ``recognizers`` or ``models``: inside the installed wheel, else the checkout."""
    here = Path(__file__).resolve().parent
    for candidate in (here / "_data" / name, here.parent / name):
        if candidate.is_dir():
            return candidate
    raise CatalogError(
        f"cannot find the {name}/ folder (looked in {here / '_data'} and {here.parent})"
    )


@dataclass(frozen=True)
class Recognizer:
    id: str
    entity: str
    kind: str
    pattern: str
    name_zh: str
    name_en: str
    standard: str
    validator: str | None = None
    score: float = 0.9
    context_score: float = 0.99
    requires_context: bool = False
    priority: int = 50
    lengths: tuple[int, ...] = ()
    groupings: tuple[tuple[int, ...], ...] = ()
    bare: bool = True  # digits: a run without separators is a match too
    check_letter: bool = False
    boundary: str = "0-9A-Za-z"  # ASCII characters that must not touch a match (class syntax)
    boundary_after: str = ""  # characters that must not follow a match; default: ``boundary``
    prefilter: tuple[str, ...] = ()
    label_after: bool = False  # cue_value: the labels (prefilter) follow the value, 因…就诊
    lead: tuple[str, ...] = ()  # cue_value with label_after: one stands right before the value
    prefilter_sequence: tuple[str, ...] = ()  # byte classes that must follow one another
    function: str = ""  # function kind: name in pii_scan.core.functions.FUNCTIONS
    vocabulary: str = ""  # a models/ word list whose alternation is {vocabulary} in the pattern
    charset: str = ""  # word kind: the word's characters (class syntax)
    must_contain: str = ""  # word kind: a word holds one of these
    trim: str = ""  # word kind: cut from both ends of a word
    ignore_case: bool = False
    context: tuple[str, ...] = ()
    column_names: tuple[str, ...] = ()
    positive: tuple[str, ...] = ()
    negative: tuple[str, ...] = ()
    example_column: str = ""  # the column name under which the examples are read
    personal: bool = True
    extracts: tuple[str, ...] = ()
    # Look-alikes: a match right after one of these labels (发票代码, 版本号…) is none of this
    # recognizer's, nor is anything in a column of these names.
    not_after: tuple[str, ...] = ()
    not_in_columns: tuple[str, ...] = ()
    # A look-alike entry: what it matches (a role mailbox, an image file name) is known not to
    # be personal information. It takes the span from the entries it overlaps, as any match
    # does (the longest, then the higher priority), and is then dropped.
    lookalike: bool = False
    source_file: str = field(default="", compare=False)

    @property
    def not_after_pattern(self) -> str:
        """A regex for the text before a match that makes it a look-alike: one of
        ``not_after`` as a word (no Latin letter before it), then a connector; any case."""
        if not self.not_after:
            return ""
        return rf"(?:^|[^A-Za-z])(?:{alternation(self.not_after)})[ \t]*[:：=#]?[ \t]*$"

    @property
    def presidio_pattern(self) -> str:
        """The pattern with lookaround boundaries, for engines that have them (Presidio, ``re``)."""
        if self.kind == "digits":
            return rf"(?<![0-9]){self.pattern}(?![0-9])"
        if self.kind == "cell":
            return rf"^(?:{self.pattern})$"
        before = BOUNDARIES["alnum"] if self.kind == "token" else self.boundary
        after = BOUNDARIES["alnum"] if self.kind == "token" else self.boundary_after
        look_behind = rf"(?<![{before}])" if before else ""
        look_ahead = rf"(?![{after}])" if after else ""
        if self.kind == "word":
            # A word may end in characters the core trims (an e-mail before a full stop).
            look_behind = rf"(?<![{self.charset}])"
            trim = rf"[{self.trim}]*" if self.trim else ""
            look_ahead = rf"(?={trim}(?![{self.charset}]))"
        return rf"{look_behind}(?:{self.pattern}){look_ahead}"


@dataclass(frozen=True)
class Catalog:
    recognizers: tuple[Recognizer, ...]
    version: str

    def __getitem__(self, rid: str) -> Recognizer:
        for r in self.recognizers:
            if r.id == rid:
                return r
        raise KeyError(rid)

    def __iter__(self):
        return iter(self.recognizers)

    def __len__(self) -> int:
        return len(self.recognizers)

    @property
    def entities(self) -> list[str]:
        return sorted({r.entity for r in self.recognizers})


_META = set(".^$*+?()[]{}|\\")


def re2_escape(word: str) -> str:
    """``word`` as a literal for RE2 and Python's ``re``: its metacharacters behind a
    backslash, every other character (Hanzi included) as it is.

    >>> re2_escape("a.b|c(1)")
    'a\\\\.b\\\\|c\\\\(1\\\\)'
    """
    return "".join("\\" + c if c in _META else c for c in word)


def alternation(words) -> str:
    """An alternation of the literal ``words`` (without a group), longest first, so that a
    word is never cut short by a shorter one it starts with.

    >>> alternation(["出生", "出生日期", "a.b"])
    '出生日期|a\\\\.b|出生'
    """
    return "|".join(re2_escape(w) for w in sorted(set(words), key=lambda w: (-len(w), w)))


def load_words(name: str) -> list[str]:
    """A word list of ``models/`` (one entry per line; ``#`` comments; provenance header)."""
    path = data_dir("models") / name
    try:
        lines = path.read_text(encoding="utf-8").splitlines()
    except OSError as exc:
        raise CatalogError(f"word list {name}: {exc}") from None
    return [w.strip() for w in lines if w.strip() and not w.lstrip().startswith("#")]


@cache
def vocabulary_pattern(name: str) -> str:
    """An RE2/``re`` alternation of a word list, longest words first."""
    return "(?:" + alternation(load_words(name)) + ")"


def _tuple(value, typ=str) -> tuple:
    if value is None:
        return ()
    if isinstance(value, (str, int, float)):
        value = [value]
    return tuple(typ(v) for v in value)


def _parse(path: Path) -> Recognizer:
    try:
        raw = tomllib.loads(path.read_text(encoding="utf-8"))
    except (OSError, tomllib.TOMLDecodeError) as exc:
        raise CatalogError(f"{path.name}: {exc}") from None
    try:
        kind = raw["kind"]
        if kind not in KINDS:
            raise CatalogError(f"{path.name}: kind must be one of {KINDS}, not {kind!r}")
        match = raw.get("match", {})
        columns = raw.get("columns", {})
        examples = raw.get("examples", {})
        name = raw.get("name", {})
        boundary = BOUNDARIES.get(match.get("boundary", "alnum"), match.get("boundary"))
        if not isinstance(boundary, str) or not boundary.isascii():
            raise CatalogError(f"{path.name}: boundary must be {sorted(BOUNDARIES)} or ASCII chars")
        after = BOUNDARIES.get(match.get("boundary_after", ""), match.get("boundary_after", ""))
        if match.get("label_after") and not (match.get("lead") and match.get("prefilter")):
            raise CatalogError(f"{path.name}: label_after needs lead and prefilter words")
        pattern = match["pattern"] if kind != "function" else match.get("pattern", "")
        if match.get("vocabulary"):
            pattern = pattern.replace("{vocabulary}", vocabulary_pattern(match["vocabulary"]))
        return Recognizer(
            id=raw["id"],
            entity=raw["entity"],
            kind=kind,
            pattern=pattern,
            name_zh=name.get("zh", ""),
            name_en=name.get("en", ""),
            standard=raw.get("standard", ""),
            validator=raw.get("validator"),
            score=float(raw.get("score", 0.9)),
            context_score=float(raw.get("context_score", 0.99)),
            requires_context=bool(raw.get("requires_context", False)),
            priority=int(raw.get("priority", 50)),
            lengths=_tuple(match.get("lengths"), int),
            groupings=tuple(tuple(int(x) for x in g) for g in match.get("groupings", [])),
            bare=bool(match.get("bare", True)),
            check_letter=bool(match.get("check_letter", False)),
            boundary=boundary,
            boundary_after=after or boundary,
            prefilter=_tuple(match.get("prefilter")),
            label_after=bool(match.get("label_after", False)),
            lead=_tuple(match.get("lead")),
            prefilter_sequence=_tuple(
                match.get("prefilter_sequence") or match.get("prefilter_pair")
            ),
            function=match.get("function", ""),
            vocabulary=match.get("vocabulary", ""),
            charset=match.get("charset", ""),
            must_contain=match.get("must_contain", ""),
            trim=match.get("trim", ""),
            ignore_case=bool(match.get("ignore_case", False)),
            context=_tuple(raw.get("context")),
            column_names=tuple(
                n for lang in ("zh", "en", "pinyin") for n in _tuple(columns.get(lang))
            ),
            positive=_tuple(examples.get("positive")),
            negative=_tuple(examples.get("negative")),
            example_column=str(examples.get("column", "")),
            personal=bool(raw.get("personal", True)) and not raw.get("lookalike", False),
            lookalike=bool(raw.get("lookalike", False)),
            extracts=_tuple(raw.get("extracts")),
            not_after=_tuple(raw.get("lookalikes", {}).get("after")),
            not_in_columns=_tuple(raw.get("lookalikes", {}).get("columns")),
            source_file=path.name,
        )
    except KeyError as exc:
        raise CatalogError(f"{path.name}: missing required field {exc}") from None


@cache
def load_catalog(folder: str | None = None) -> Catalog:
    """Load every ``*.toml`` recognizer of ``folder`` (default: the shipped catalog)."""
    root = Path(folder) if folder else data_dir("recognizers")
    files = sorted(root.glob("*.toml"))
    if not files:
        raise CatalogError(f"no recognizers in {root}")
    recognizers = tuple(_parse(p) for p in files)
    ids = [r.id for r in recognizers]
    dupes = {i for i in ids if ids.count(i) > 1}
    if dupes:
        raise CatalogError(f"duplicate recognizer ids: {sorted(dupes)}")
    digest = hashlib.sha256(b"".join(p.read_bytes() for p in files)).hexdigest()[:12]
    return Catalog(recognizers, version=digest)
