"""Names of people in Chinese free text.

Two catalog entries share this module:

``cn_person_cue``   the entry's pattern finds a name after a cue (``联系人：``, ``患者``,
                    ``收货人``) or before a title (``先生``, ``女士``). Named groups mark the name:
                    ``name`` (after a cue: up to surname + two characters, trimmed here),
                    ``titled`` (before a title: exact), ``latin`` and ``dotted``
                    (``买买提·吐尔逊``).
``cn_person_free``  the entry's pattern finds a surname-initial word at the start of a clause,
                    followed by a verb or particle that typically follows a subject
                    (``张伟于…``, ``李娜来电…``); group ``name``.

Where a name ends is the hard part: ``联系人张伟电话…`` must give ``张伟``, ``患者李秀英，…``
``李秀英``. jieba's segmentation of a short window decides (imported on first use, run only on
candidates). Candidates without a cue must also not be common words that merely start with a
surname character (``高中``, ``周末``, ``常常``): a word that jieba's lexicon lists with a part of
speech other than a person name is rejected.
"""

from __future__ import annotations

import logging
import re
import threading

import numpy as np
import pyarrow as pa

from ..catalog import Recognizer, load_words
from ..core.buffers import TextBuffer
from ..core.functions import register
from .cues import spans_in_cells
from .gate import restrict, triggered_cells

#: Characters that end region, organisation and object names, rarely a given name.
NOT_LAST = set("省市区县镇乡村路街道巷弄号楼室栋层座公司厂店行社局院所校园场馆站部处科组队团会")
NOT_LAST |= set("城湾港岛州门关口庄屯寨坊族色级型类款码期价费率量数式度品业网卡证表单票书报案车某")
NOT_LAST |= set("父母亲")  # kinship: 母亲, 祖母, 岳父 (母, 祖 and 岳 are surnames)
#: Characters that follow a name far more often than they end one (fallback when jieba is
#: not decisive).
AFTER_NAME = set("的了在于是和与及跟同向对给被把将从到来去说称讲问答已曾也都又还就才先女电手身性男")
AFTER_NAME |= set("住家今昨近出毕入就确患办申签购下预报等请您你我他她们，。、；：！？（）,.;:!?() ")
NAME_TAGS = ("nr", "nrfg", "nrt")
#: Words jieba's lexicon tags as names although they are not (谢谢 is tagged nr).
NOT_NAMES = frozenset(
    [
        "谢谢",
        "安全",
        "文明",
        "和平",
        "平安",
        "时间",
        "明白",
        "高兴",
        "方便",
        "于是",
        "成功",
        "周末",
        "常常",
        "马上",
        # roles and brands the lexicon tags as names (顾客说…, 支付宝已到账, 华为表示…)
        "顾客",
        "师傅",
        "客户",
        "老板",
        "支付宝",
        "花呗",
        "华为",
        "海尔",
        "高德",
        "小米",
        "京东",
        "苏宁",
        "美团",
        "黄金周",
        "祝福",
    ]
)
#: A given name is none of these parts of speech of jieba's lexicon: a time, direction or
#: place word (患者于昨日…: 于 is a surname, 昨日 a time), or for one character a preposition
#: or particle (患者曾于外院…; 刚 and 东 are adverb and direction, and given names).
NOT_GIVEN_TAGS = ("t", "f", "s")
NOT_GIVEN_CHAR_TAGS = ("p", "u")
#: Surnames that are also prepositions (患者于门诊就诊, 于我院复查, 从外院转入): followed by a
#: word of jieba's lexicon that is no name (门诊, 我院), they start no name, even after a cue.
PREPOSITION_SURNAMES = frozenset("于从向")
#: A surname and a title is a reference (王先生), not a name.
TITLES = frozenset(
    [
        "先生",
        "女士",
        "小姐",
        "同志",
        "老师",
        "医生",
        "大夫",
        "护士",
        "教授",
        "律师",
        "经理",
        "主任",
        "师傅",
        "阿姨",
        "同学",
        "警官",
        "总",
        "某",
        "某某",
        "姐",
        "哥",
        "叔",
        "婶",
        "伯",
        "工",
        "老板",
        "师",
    ]
)

_lock = threading.Lock()
_jieba = None


def _segmenter():
    """jieba, imported and initialised once (about a second), quietly."""
    global _jieba
    if _jieba is None:
        with _lock:
            if _jieba is None:
                import jieba
                import jieba.posseg

                jieba.setLogLevel(logging.WARNING)
                jieba.initialize()
                _jieba = jieba
    return _jieba


def _tag(word: str) -> str | None:
    """jieba's part of speech for a dictionary word, ``None`` for an unknown word."""
    jieba = _segmenter()
    return jieba.posseg.dt.word_tag_tab.get(word)


def _surnames() -> tuple[frozenset[str], frozenset[str]]:
    words = load_words("surnames.txt")
    return frozenset(w for w in words if len(w) == 1), frozenset(w for w in words if len(w) == 2)


_SURNAMES: tuple[frozenset[str], frozenset[str]] | None = None


def surname_length(name: str) -> int:
    """1 or 2 for a known single or compound surname at the start of ``name``, else 0."""
    global _SURNAMES
    if _SURNAMES is None:
        _SURNAMES = _surnames()
    single, double = _SURNAMES
    if name[:2] in double and len(name) >= 3:
        return 2
    return 1 if name[:1] in single else 0


def name_end(text: str, start: int, end: int) -> int:
    """Where a Hanzi name starting at ``start`` ends, at most at ``end`` (exclusive).

    The surname plus one or two given-name characters; jieba's first word of a window decides
    between them when it is a plausible name, otherwise the character after the shorter name
    does (a particle or verb ends the name there).
    """
    sur = surname_length(text[start:end])
    shortest = start + max(sur, 1) + 1
    if end <= shortest:
        return end
    window = text[start : start + 8]
    tokens = _segmenter().lcut(window, HMM=True)
    if tokens:
        first = tokens[0]
        if len(first) >= 2 and len(first) != sur and _tag(first) not in (None, *NAME_TAGS):
            return start  # the candidate starts with a common word (全部名称, 高中): no name
        if sur < len(first) <= end - start and surname_length(first) and first[-1] not in NOT_LAST:
            return start + len(first)
        if len(first) == sur and len(tokens) > 1 and 1 <= len(tokens[1]) <= 2:
            joined = start + sur + len(tokens[1])
            if shortest <= joined <= end:
                return joined
    return shortest if text[shortest] in AFTER_NAME or text[shortest] in NOT_LAST else end


def dotted_end(text: str, start: int, end: int) -> int:
    """End of a transliterated name with a middle dot (买买提·吐尔逊复诊 → 买买提·吐尔逊): the
    part after the dot is jieba's first word, or two characters when that word is shorter."""
    dot = text.index("·", start, end)
    tokens = _segmenter().lcut(text[dot + 1 : end], HMM=True)
    if not tokens:
        return end
    taken = len(tokens[0]) if len(tokens[0]) >= 2 else min(2, end - dot - 1)
    return dot + 1 + taken


def titled_start(text: str, start: int, end: int) -> int:
    """Start of a name before a title. The pattern takes the leftmost surname, which may end a
    word (感谢王磊医生: 谢 is a surname too); if that character and the one before it are a
    dictionary word and a name remains, the name starts one character later."""
    shifted = start > 0 and end - start >= 3 and surname_length(text[start + 1 : end])
    if shifted and _tag(text[start - 1 : start + 1]) is not None:
        return start + 1
    return start


def plausible(name: str, *, strict: bool) -> bool:
    """A surname-initial name of 2-4 Hanzi whose last character does not end a place name;
    ``strict``: also not a common word of jieba's lexicon."""
    if not 2 <= len(name) <= 4 or name[-1] in NOT_LAST:
        return False
    sur = surname_length(name)
    if not sur or name[sur:] in TITLES or name[sur : sur + 2] in TITLES:
        return False
    if name[0] in PREPOSITION_SURNAMES and sur == 1 and len(name) >= 3:
        tag = _tag(name[1:])
        if tag is not None and not tag.startswith(NAME_TAGS):
            return False
    if strict:
        if name in NOT_NAMES:
            return False
        tag = _tag(name)
        if tag is not None and not tag.startswith(NAME_TAGS):
            return False
        given = _tag(name[sur:]) or ""
        if given.startswith(NOT_GIVEN_TAGS if len(name) - sur > 1 else NOT_GIVEN_CHAR_TAGS):
            return False
    return True


_PATTERNS: dict[str, re.Pattern] = {}


def _compiled(rec: Recognizer) -> re.Pattern:
    pat = _PATTERNS.get(rec.id)
    if pat is None or pat.pattern != rec.pattern:
        pat = _PATTERNS[rec.id] = re.compile(rec.pattern)
    return pat


def _find(rec: Recognizer, text: str, *, strict: bool) -> list[tuple[int, int]]:
    out: list[tuple[int, int]] = []
    for m in _compiled(rec).finditer(text):
        groups = m.groupdict()
        for group in ("latin", "dotted", "titled"):
            if groups.get(group):
                start, end = m.span(group)
                if group == "dotted":
                    end = dotted_end(text, start, end)
                elif group == "titled":
                    start = titled_start(text, start, end)
                    # 项目经理, 司机师傅, 办公室主任: a word before a title, not a name (a
                    # place name may be one: 秦建先生)
                    name, tag = text[start:end], _tag(text[start:end]) or "nr"
                    if not plausible(name, strict=False) or name in NOT_NAMES:
                        break
                    if not tag.startswith((*NAME_TAGS, "ns")):
                        break
                out.append((start, end))
                break
        else:
            if not groups.get("name"):
                continue
            start, end = m.span("name")
            end = name_end(text, start, end)
            if end > start and plausible(text[start:end], strict=strict):
                out.append((start, end))
    return out


def _run(buf: TextBuffer, arr: pa.Array, only, rec: Recognizer, strict: bool):
    cells = restrict(triggered_cells(buf, arr, rec), only)
    if len(cells) == 0:
        z = np.zeros(0, np.int64)
        return z, z, z
    return spans_in_cells(buf, cells, lambda text: _find(rec, text, strict=strict))


@register("cn_person_cue")
def person_after_cue(buf: TextBuffer, arr: pa.Array, only, rec: Recognizer):
    return _run(buf, arr, only, rec, strict=True)


@register("cn_person_free")
def person_without_cue(buf: TextBuffer, arr: pa.Array, only, rec: Recognizer):
    return _run(buf, arr, only, rec, strict=True)
