"""How matched values are shown: masked (default), keyed hash, redacted, or raw (``--reveal``).

Reports, findings, examples, ``explain`` and ``tag`` exports never show a raw value unless the
user asks for it (``--masking none``, alias ``--reveal``). One implementation serves them all:
:func:`make_masker` returns a :class:`Masker` for a mode, and ``Masker.label`` is what the
report records in ``report["masking"]``.

``mask``
    Keeps just enough to recognise a value in a review and never more than half of its
    characters: the first three and last four of a long identifier (the province and city of a
    resident ID, its sequence and check digit), the surname of a name, the administrative
    prefix of an address, the first letter and the domain of an e-mail, the whole degrees of a
    coordinate. Values that are themselves the sensitive fact (a diagnosis, a religion, a
    password hash, a biometric vector) are hidden entirely. The one convention kept although
    it shows 7 of 11 characters is the mobile number's ``138****8000``: its first three digits
    name the carrier, not the person.
``hash``
    ``h:`` and the first 16 hex digits of HMAC-SHA256 under a secret key, over the value in a
    canonical form (NFKC, separators dropped from identifiers, e-mails lower-cased): equal
    values give equal hashes across reports and ``tag`` exports made with the same key, so they
    can be joined, and cannot be read or guessed without the key. The report records a key id
    (``hash:<8 hex digits>``, an HMAC of a constant, not the key) so that one can tell which
    reports are joinable.
``redact``
    No value at all: findings carry ``[redacted]``, the report no examples.
``none``
    The raw value (``--reveal``).

>>> mask("110105199003071239")
'110***********1239'
>>> mask("13800138000"), mask("zhang.san@example.com"), mask("京A12345")
('138****8000', 'z***@example.com', '京A****5')
>>> mask("+86 138-0013-8000", "CN_MOBILE_PHONE")
'+86 138-****-8000'
>>> mask("张三", "PERSON"), mask("欧阳娜娜", "PERSON"), mask("糖尿病", "HEALTH")
('张*', '欧***', '***')
>>> mask("北京市朝阳区建国路88号院3号楼", "CN_ADDRESS"), mask("建国路88号院", "CN_ADDRESS")
('北京市朝阳区**********', '建国路****')
>>> mask("010-62345678", "CN_LANDLINE"), mask("0755-2345 6789", "CN_LANDLINE")
('010-******78', '0755-**** **89')
>>> mask("192.168.100.1", "IP_ADDRESS"), mask("1990-03-07", "DATE_OF_BIRTH")
('192.*********', '1990******')
>>> mask("39.904211,116.407395", "GEO_COORDINATE")
'39.******,116.******'
>>> h = make_masker("hash", b"k")
>>> h("110105199003071239") == h("１１０１０５１９９００３０７１２３９", "CN_RESIDENT_ID"), h.label
(True, 'hash:e8c17236')
>>> h("13800138000")
'h:af8579fcbb489aca'
"""

from __future__ import annotations

import functools
import hashlib
import hmac
import re
import unicodedata

MODES = ("mask", "hash", "redact", "none")
REDACTED = "[redacted]"
HASH_PREFIX = "h:"
HASH_HEX = 16
DEFAULT_KEY_ENV = "PII_SCAN_KEY"

#: Entities whose value is the sensitive fact itself: shown as stars only.
OPAQUE = frozenset(
    {
        "HEALTH",
        "BIOMETRIC",
        "RELIGION",
        "SEXUAL_ORIENTATION",
        "CRIMINAL_RECORD",
        "ETHNICITY",
        "GENDER",
        "MARITAL_STATUS",
        "CREDENTIAL",
    }
)
#: Entities compared without separators and case (identifiers written in several ways).
_IDENTIFIERS = frozenset(
    {
        "CN_RESIDENT_ID",
        "CN_PASSPORT",
        "CN_HKMO_PERMIT",
        "CN_TW_PERMIT",
        "HK_ID",
        "MO_ID",
        "TW_ID",
        "CN_FOREIGNER_PR_ID",
        "CN_MILITARY_ID",
        "BANK_CARD",
        "BANK_ACCOUNT",
        "CN_MOBILE_PHONE",
        "CN_LANDLINE",
        "IMEI",
        "MAC_ADDRESS",
        "VIN",
        "CN_LICENSE_PLATE",
        "CN_USCC",
        "QQ_ID",
    }
)
_MAX_STARS = 16  # a long value (a face vector, a text) is not shown as thousands of stars
_SEPARATORS = re.compile(r"[\s\-_.()（）/:：]+")
_NUMBER = re.compile(r"(\d+)([.．]\d+)")


class MaskingError(ValueError):
    """A masking mode cannot be used as asked (unknown mode, hash without a key)."""


def _keep(n: int) -> tuple[int, int]:
    """Characters kept at the head and the tail of a value of ``n`` characters (at most half)."""
    if n >= 14:
        return 3, 4
    if n >= 12:
        return 3, 3
    if n >= 10:
        return 2, 3
    if n >= 8:
        return 2, 2
    if n >= 6:
        return 2, 1
    if n >= 4:
        return 1, 1
    if n >= 2:
        return 1, 0
    return 0, 0


def _stars(n: int) -> str:
    return "*" * min(max(n, 1), _MAX_STARS)


def _mask_email(value: str) -> str:
    local, _, domain = value.rpartition("@")
    return (local[:1] + "***@" + domain) if len(local) > 1 else "***@" + domain


def _mask_inner(value: str, head: int, tail: int, counted=str.isalnum) -> str:
    """Stars for the ``counted`` characters (letters and digits, or digits) between the first
    ``head`` and the last ``tail`` of them; separators stay where they are."""
    total = sum(1 for ch in value if counted(ch))
    out, seen = [], 0
    for ch in value:
        if counted(ch):
            seen += 1
            out.append(ch if seen <= head or seen > total - tail else "*")
        else:
            out.append(ch)
    return "".join(out)


def mask(value: str | None, entity: str | None = None) -> str | None:
    """Mask one matched value of ``entity`` (when known); ``None`` stays ``None``."""
    if value is None:
        return None
    n = len(value)
    if entity in OPAQUE:
        return _stars(n)
    if entity == "EMAIL_ADDRESS" or (entity is None and "@" in value and n > 3):
        return _mask_email(value) if "@" in value else _stars(n)
    if entity == "PERSON":
        return value[:1] + _stars(n - 1) if n > 1 else "*"
    if entity == "CN_ADDRESS":  # the division (北京市朝阳区), never a house number
        head = min(n // 2, 6)
        head = next((i for i, ch in enumerate(value[:head]) if ch.isdigit()), head)
        return value[:head] + _stars(n - head)
    if entity == "CN_LANDLINE" and value.lstrip("+(（ ").startswith("0"):
        digits = sum(ch.isdigit() for ch in value)  # the area code and the last two
        area = 3 if value.lstrip("+(（ ")[1:2] in ("1", "2") else 4
        if digits >= 2 * (area + 2):
            return _mask_inner(value, area, 2, str.isdigit)
    if entity == "GEO_COORDINATE" and _NUMBER.search(value):
        return _NUMBER.sub(lambda m: m[1] + m[2][0] + "*" * (len(m[2]) - 1), value)
    if entity == "IP_ADDRESS":
        cut = min(next((i for i, ch in enumerate(value) if ch in ".:"), n), n // 2)
        return value[: cut + 1] + _stars(n - cut - 1)
    if entity == "DATE_OF_BIRTH" and n >= 8 and value[:4].isdigit():
        return value[:4] + _stars(n - 4)
    if entity == "CN_MOBILE_PHONE" or (entity is None and n == 11 and value.isdigit()):
        digits = sum(ch.isdigit() for ch in value)
        if digits >= 11:  # 138****8000, +86 138-****-8000: the carrier prefix and last four
            return _mask_inner(value, digits - 8, 4, str.isdigit)
    if n <= 2 * _MAX_STARS:  # separators stay: 622* **** **** ***6 780, 5c:f*:**:**:*e:01
        chars = sum(1 for ch in value if ch.isalnum())
        head, tail = _keep(chars)
        if chars > head + tail:
            return _mask_inner(value, head, tail)
    head, tail = _keep(n)
    return value[:head] + _stars(n - head - tail) + (value[-tail:] if tail else "")


def canonical(value: str, entity: str | None = None) -> str:
    """The form in which two writings of one value compare equal (what ``hash`` hashes)."""
    text = unicodedata.normalize("NFKC", value).strip()
    if entity == "EMAIL_ADDRESS" or (entity is None and "@" in text):
        return text.lower()
    if entity in _IDENTIFIERS:
        compact = _SEPARATORS.sub("", text).upper()
        if entity == "CN_MOBILE_PHONE" and compact.lstrip("+").isdigit():
            compact = compact[-11:]  # +86 / 0086 / 86 prefixes
        return compact
    return text


def key_id(secret: bytes) -> str:
    """A short public id of a key: equal ids, joinable hashes. Not the key, not reversible."""
    return hmac.new(secret, b"pii-scan/key-id", hashlib.sha256).hexdigest()[:8]


class SecretKey:
    """The key of ``hash`` masking. Printing, logging or serialising it (``str``, ``repr``,
    ``json.dumps(default=str)``, a state file's configuration) shows its :func:`key_id` only."""

    def __init__(self, value: bytes | str):
        self._value = value.encode("utf-8") if isinstance(value, str) else bytes(value)
        self._id = key_id(self._value)

    def __bytes__(self) -> bytes:
        return self._value

    def __bool__(self) -> bool:
        return bool(self._value)

    @property
    def id(self) -> str:
        return self._id

    def __repr__(self) -> str:
        return f"SecretKey(id={self.id})"

    __str__ = __repr__

    def __eq__(self, other) -> bool:
        if not isinstance(other, SecretKey):
            return NotImplemented
        return hmac.compare_digest(self._value, other._value)

    def __hash__(self) -> int:
        return hash(self.id)


class Masker:
    """``masker(value, entity=None)`` shows one value as the mode says; ``label`` names it."""

    def __init__(self, mode: str, secret: bytes | SecretKey | None = None):
        if isinstance(secret, SecretKey):
            secret = bytes(secret)
        if mode not in MODES:
            raise MaskingError(f"unknown masking mode {mode!r} (one of {', '.join(MODES)})")
        if mode == "hash" and not secret:
            raise MaskingError("hash masking needs a secret key (see --key-env)")
        self.mode = mode
        self._secret = secret if mode == "hash" else None
        self.label = f"hash:{key_id(secret)}" if mode == "hash" else mode

    def __repr__(self) -> str:  # never the key
        return f"Masker({self.label!r})"

    @property
    def reveals(self) -> bool:
        return self.mode == "none"

    def hash(self, value: str, entity: str | None = None) -> str:
        digest = hmac.new(
            self._secret, canonical(value, entity).encode("utf-8"), hashlib.sha256
        ).hexdigest()
        return HASH_PREFIX + digest[:HASH_HEX]

    def __call__(self, value: str | None, entity: str | None = None) -> str | None:
        if value is None:
            return None
        if self.mode == "mask":
            return mask(value, entity)
        if self.mode == "hash":
            return self.hash(value, entity)
        if self.mode == "redact":
            return REDACTED
        return value


def make_masker(mode: str = "mask", secret: bytes | SecretKey | None = None) -> Masker:
    """The :class:`Masker` of ``mode`` (``hash`` needs ``secret``)."""
    return Masker(mode, secret)


def remask_report(report: dict, masker: Masker) -> dict:
    """Apply ``masker`` to the examples of a report saved with raw values (``masking: none``),
    in place; a report whose values are already masked, hashed or redacted is left as it is.
    Returns the report."""
    if report.get("masking") != "none" or masker.reveals:
        return report
    for src in report.get("sources", []):
        for table in src.get("tables", []):
            for col in table.get("columns", []):
                ev = col.get("evidence")
                if not ev or not ev.get("examples"):
                    continue
                if masker.mode == "redact":
                    ev["examples"] = []
                    continue
                shown: list[str] = []
                for value in ev["examples"]:
                    out = masker(value, col.get("entity"))
                    if out not in shown:
                        shown.append(out)
                ev["examples"] = shown
    report["masking"] = masker.label
    return report


@functools.lru_cache(maxsize=8)
def _cached(mode: str, secret: SecretKey | bytes | None) -> Masker:
    return Masker(mode, secret)


def masker_for(options) -> Masker:
    """The masker of a run's options (:class:`pii_scan.scan.ScanOptions`: ``reveal``,
    ``masking``, ``mask_key``), built once per mode and key."""
    mode = "none" if getattr(options, "reveal", False) else getattr(options, "masking", "mask")
    return _cached(mode, getattr(options, "mask_key", None) if mode == "hash" else None)


def values_note(report: dict) -> str:
    """One sentence for a rendered report: how the values in it are shown."""
    label = report.get("masking")
    if label is None:
        return "Values are masked unless the scan used --reveal."
    if label == "mask":
        return "示例已脱敏 Values are masked (--masking mask)."
    if label.startswith("hash:"):
        return (
            f"示例为密钥哈希 Values are keyed hashes (HMAC-SHA256, key id {label[5:]}): equal "
            "values give equal hashes in every report made with that key."
        )
    if label == "redact":
        return "示例已删除 Values are redacted (--masking redact)."
    return (
        "注意：示例为原始值 Values are NOT masked (the scan used --reveal): this document holds "
        "personal information."
    )


#: Validators whose formats are never a column name (a header row that is really data).
_VALUE_FORMATS = (
    "cn_resident_id",
    "cn_mobile",
    "bank_card",
    "email",
    "cn_passport",
    "cn_hkmo_permit",
    "hk_id",
    "mo_id",
    "tw_id",
    "cn_foreigner_pr_id",
    "imei",
)


def looks_like_value(text: str) -> bool:
    """Whether ``text`` (a column name, a JSON key) is a valid identifier of a person rather
    than a name: a first row taken as the header, a JSON object keyed by phone numbers.

    >>> looks_like_value("13957163482"), looks_like_value("手机号"), looks_like_value("id")
    (True, False, False)
    """
    from .. import validators

    t = unicodedata.normalize("NFKC", text).strip()
    if len(t) < 5 or len(t) > 64:
        return False
    return any(validators.get(name).is_valid(t) for name in _VALUE_FORMATS)


def safe_name(name: str, entity: str | None = None) -> str:
    """``name`` as a report may show it: masked when it :func:`looks_like_value`."""
    return mask(name, entity) if looks_like_value(name) else name


def shown_name(name: str) -> str:
    """A column name as reports show it: each e-mail address in it and each other dotted part
    that :func:`looks_like_value` is masked (a lone data row read as the header, JSON objects
    keyed by phone numbers or e-mail addresses).

    >>> shown_name("contacts.13957163482.note"), shown_name("手机号")
    ('contacts.139****3482.note', '手机号')
    >>> shown_name("zhangwei@example.com.phone")
    'z***@example.com.phone'
    """
    from .. import validators

    out, last = [], 0
    for m in _EMAIL_IN_NAME.finditer(name):
        # the longest address that is one (a key path goes on after it: ….com.phone)
        value = m.group()
        while value and not validators.get("email").is_valid(value):
            value = value.rpartition(".")[0] if "." in value.partition("@")[2] else ""
        if value:
            out += [_shown_parts(name[last : m.start()]), mask(value, "EMAIL_ADDRESS")]
            last = m.start() + len(value)
    out.append(_shown_parts(name[last:]))
    shown = "".join(out)
    return name if shown == name else shown


_EMAIL_IN_NAME = re.compile(r"[A-Za-z0-9_%+-][A-Za-z0-9._%+-]*@[A-Za-z0-9-]+(?:\.[A-Za-z0-9-]+)+")


def _shown_parts(text: str) -> str:
    parts = text.split(".")
    return ".".join(safe_name(p) for p in parts)


def rename_strings(data, names: dict[str, str]):
    """``data`` (dicts, lists, strings) with every string equal to a key of ``names``
    replaced by its value."""
    if isinstance(data, str):
        return names.get(data, data)
    if isinstance(data, dict):
        return {rename_strings(k, names): rename_strings(v, names) for k, v in data.items()}
    if isinstance(data, list):
        return [rename_strings(v, names) for v in data]
    return data
