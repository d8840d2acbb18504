"""Validators for personal-information numbers: pure functions, no I/O.

Each module handles one number format with the python-stdnum surface
(``compact``, ``validate``, ``is_valid``, ``calc_check_digit`` where the format
has one) plus a vectorized twin ``batch(chars)`` that takes a 2-D
``np.uint8`` array of ASCII codes of shape ``(n, L)`` (one compacted
candidate per row) and returns a boolean array of shape ``(n,)``.

The registry below lists them for the matching core::

    >>> from pii_scan import validators
    >>> validators.get("cn_resident_id").is_valid("11010519900307123X")
    False
    >>> "cn_mobile" in validators.names()
    True
"""

from __future__ import annotations

import importlib
from collections.abc import Callable
from dataclasses import dataclass
from functools import partial
from types import ModuleType, SimpleNamespace

import numpy as np

from . import (
    age,
    bank_card,
    birth_date,
    checksums,
    cn_foreigner_pr_id,
    cn_hkmo_permit,
    cn_landline,
    cn_mobile,
    cn_passport,
    cn_resident_id,
    cn_tw_permit,
    cn_uscc,
    email,
    hk_id,
    iban,
    imei,
    ipv4,
    ipv6,
    luhn,
    mac,
    meid,
    mo_id,
    tw_id,
    vin,
)
from .exceptions import (
    InvalidChecksum,
    InvalidComponent,
    InvalidFormat,
    InvalidLength,
    ValidationError,
)

__all__ = [
    "InvalidChecksum",
    "InvalidComponent",
    "InvalidFormat",
    "InvalidLength",
    "ValidationError",
    "Validator",
    "checksums",
    "get",
    "names",
    "surface",
]


@dataclass(frozen=True)
class Validator:
    """A named validator: a scalar check and its vectorized twin."""

    name: str
    is_valid: Callable[[str], bool]
    batch: Callable[[np.ndarray], np.ndarray]


#: Validators that are a module's functions with a keyword fixed: name -> (module, keywords).
#: Addresses of one scope (globally reachable or internal), which the catalog scores apart.
_VARIANTS: dict[str, tuple[ModuleType, dict]] = {
    f"{module.__name__.rpartition('.')[2]}_{scope}": (module, {"scope": scope})
    for module in (ipv4, ipv6)
    for scope in ("public", "internal")
}

_REGISTRY: dict[str, Validator] = {
    validator.name: validator
    for validator in (
        Validator("cn_resident_id", cn_resident_id.is_valid, cn_resident_id.batch),
        Validator("cn_foreigner_pr_id", cn_foreigner_pr_id.is_valid, cn_foreigner_pr_id.batch),
        Validator("cn_uscc", cn_uscc.is_valid, cn_uscc.batch),
        Validator("cn_passport", cn_passport.is_valid, cn_passport.batch),
        Validator("cn_hkmo_permit", cn_hkmo_permit.is_valid, cn_hkmo_permit.batch),
        Validator("cn_tw_permit", cn_tw_permit.is_valid, cn_tw_permit.batch),
        Validator("hk_id", hk_id.is_valid, hk_id.batch),
        Validator("mo_id", mo_id.is_valid, mo_id.batch),
        Validator("tw_id", tw_id.is_valid, tw_id.batch),
        Validator("cn_mobile", cn_mobile.is_valid, cn_mobile.batch),
        Validator("cn_landline", cn_landline.is_valid, cn_landline.batch),
        Validator("luhn", luhn.is_valid, luhn.batch),
        Validator("bank_card", bank_card.is_valid, bank_card.batch),
        Validator("iban", iban.is_valid, iban.batch),
        Validator("imei", imei.is_valid, imei.batch),
        Validator("vin", vin.is_valid, vin.batch),
        Validator("ipv4", ipv4.is_valid, ipv4.batch),
        *(
            Validator(name, partial(m.is_valid, **kw), partial(m.batch, **kw))
            for name, (m, kw) in _VARIANTS.items()
        ),
        Validator("ipv6", ipv6.is_valid, ipv6.batch),
        Validator("mac", mac.is_valid, mac.batch),
        Validator("meid", meid.is_valid, meid.batch),
        Validator("email", email.is_valid, email.batch),
        Validator("birth_date", birth_date.is_valid, birth_date.batch),
        Validator("age", age.is_valid, age.batch),
    )
}


def get(name: str) -> Validator:
    """The validator registered as ``name``; ``KeyError`` lists the known names."""
    try:
        return _REGISTRY[name]
    except KeyError:
        raise KeyError(f"unknown validator {name!r}; known validators: {names()}") from None


def surface(name: str) -> ModuleType | SimpleNamespace:
    """The python-stdnum functions of validator ``name`` (``compact``, ``validate``,
    ``is_valid``, ``batch``): its module, or for a variant its module's functions with the
    variant's keyword.

    >>> surface("ipv4_public").is_valid("10.0.0.1"), surface("ipv4").is_valid("10.0.0.1")
    (False, True)
    """
    get(name)  # a KeyError that lists the known names
    if name not in _VARIANTS:
        return importlib.import_module(f"{__name__}.{name}")
    module, keywords = _VARIANTS[name]
    functions = {
        f: partial(getattr(module, f), **keywords) for f in ("validate", "is_valid", "batch")
    }
    return SimpleNamespace(compact=module.compact, **functions)


def names() -> list[str]:
    """The registered validator names, sorted."""
    return sorted(_REGISTRY)
