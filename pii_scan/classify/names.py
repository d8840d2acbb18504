"""Column names as evidence: does a column's name say what a recognizer finds?

Names are normalised (lower case, separators dropped) and compared with the recognizer's
synonyms in Chinese, English and pinyin. A Chinese synonym matches anywhere in the name
(``客户身份证号码`` holds ``身份证号``); an ASCII synonym must equal the whole name or a run of
its words (``cust_mobile_no`` holds ``mobile`` and ``mobile_no``), so that a short pinyin code
such as ``xm`` matches ``kh_xm`` but not ``xml_text``. A synonym written ``=age`` must be the
whole name: ``Age`` and ``AGE`` are ages, ``account_age`` is not.

>>> column_matches("客户身份证号码", ["身份证号"])
True
>>> column_matches("custMobileNo", ["mobile"]), column_matches("xml_text", ["xm"])
(True, False)
>>> column_matches("Age", ["=age"]), column_matches("account_age", ["=age"])
(True, False)
"""

from __future__ import annotations

import re
from collections.abc import Iterable
from functools import lru_cache

_SPLIT = re.compile(r"[\s_\-./:()（）\[\]]+|(?<=[a-z0-9])(?=[A-Z])")
_SEP = re.compile(r"[\s_\-./:()（）\[\]]+")


@lru_cache(maxsize=4096)
def _words(name: str) -> tuple[str, ...]:
    return tuple(w.lower() for w in _SPLIT.split(name.strip()) if w)


@lru_cache(maxsize=4096)
def _phrases(name: str) -> frozenset[str]:
    words = _words(name)
    return frozenset(
        "".join(words[i:j]) for i in range(len(words)) for j in range(i + 1, len(words) + 1)
    )


def normalise(name: str) -> str:
    return _SEP.sub("", name).lower()


def column_matches(name: str, synonyms: Iterable[str]) -> bool:
    """True when ``name`` matches any of ``synonyms`` (rules in the module docstring)."""
    phrases = _phrases(name)
    flat = normalise(name)
    for syn in synonyms:
        if syn.startswith("="):
            if normalise(syn[1:]) == flat:
                return True
            continue
        s = normalise(syn)
        if not s:
            continue
        if s.isascii():
            if s in phrases:
                return True
        elif s in flat:
            return True
    return False
