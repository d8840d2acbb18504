"""The catalog exported as Presidio recognizers, run by an AnalyzerEngine with no network.

The analyzer is built once per module, with the network and spaCy's model download made to
fail, and a fresh cache directory, so the first build is tested.
"""

import doctest
import os
import shutil
import socket
from pathlib import Path

import pyarrow as pa
import pytest
import spacy.cli
from presidio_analyzer import AnalyzerEngine, Pattern, PatternRecognizer, RecognizerRegistry
from presidio_analyzer.nlp_engine import NoOpNlpEngine, SpacyNlpEngine

import pii_scan.presidio as pp
from pii_scan.catalog import load_catalog
from pii_scan.core import Matcher
from pii_scan.scan import scan_text

CATALOG = load_catalog()
ID = "110105199003071239"


class NetworkUsed(RuntimeError):
    pass


def _no_network(*args, **kwargs):
    raise NetworkUsed("network access attempted")


@pytest.fixture(scope="module")
def offline(tmp_path_factory):
    """No network and no spaCy download for the whole module; an empty pipeline cache."""
    with pytest.MonkeyPatch.context() as mp:
        mp.setenv("HF_HUB_OFFLINE", "1")
        mp.setenv("PII_SCAN_CACHE", str(tmp_path_factory.mktemp("cache")))
        mp.setattr(spacy.cli, "download", _no_network)
        mp.setattr(socket.socket, "connect", _no_network)
        mp.setattr(socket, "getaddrinfo", _no_network)
        yield mp


@pytest.fixture(scope="module")
def engine(offline):
    return pp.analyzer()


@pytest.fixture(scope="module")
def full(engine):
    """Every catalog entry, CN_USCC included, as the core has them; same NLP engine."""
    return AnalyzerEngine(
        registry=pp.registry(include_non_personal=True),
        nlp_engine=engine.nlp_engine,
        supported_languages=["zh"],
        default_score_threshold=engine.default_score_threshold,
    )


def spans(engine, text, **kw):
    return sorted((r.entity_type, r.start, r.end) for r in engine.analyze(text, "zh", **kw))


def core_spans(text, column=""):
    found = scan_text(text, column=column or "text")
    return sorted((f["entity"], f["start"], f["end"]) for f in found)


def given(column):
    """Presidio's way to pass a column name: as context."""
    return {"context": [column]} if column else {}


# -- offline ---------------------------------------------------------------------------------


def test_the_network_guard_is_effective(offline):
    # Without the saved pipeline, Presidio would download a model: the guard must stop it.
    with pytest.raises(NetworkUsed):
        SpacyNlpEngine(models=[{"lang_code": "zh", "model_name": "zh_core_web_sm"}]).load()
    with pytest.raises(NetworkUsed):
        socket.create_connection(("example.com", 80), timeout=1)


def test_engine_builds_offline_from_a_cached_blank_pipeline(engine, offline):
    model = Path(engine.nlp_engine.models[0]["model_name"])
    assert model.parent == Path(os.environ["PII_SCAN_CACHE"])
    assert (model / "config.cfg").is_file()
    assert engine.nlp_engine.nlp["zh"].config["nlp"]["tokenizer"]["segmenter"] == "jieba"
    before = (model / "config.cfg").stat().st_mtime_ns
    again = pp.nlp_engine()  # reuses the directory, does not rewrite it
    assert again.models == engine.nlp_engine.models
    assert (model / "config.cfg").stat().st_mtime_ns == before


def test_unwritable_cache_falls_back_to_a_temporary_directory(offline, tmp_path):
    blocker = tmp_path / "a-file"
    blocker.write_text("not a directory")
    offline.setenv("PII_SCAN_CACHE", str(blocker / "cache"))
    try:
        nlp = pp.nlp_engine(segmenter="char")
    finally:
        offline.setenv("PII_SCAN_CACHE", str(tmp_path / "unused"))
    model = Path(nlp.models[0]["model_name"])
    try:
        assert not model.is_relative_to(blocker)
        assert [t.text for t in nlp.nlp["zh"]("护照")] == ["护", "照"]
    finally:
        shutil.rmtree(model, ignore_errors=True)


def test_unknown_segmenter_is_refused():
    with pytest.raises(ValueError, match="segmenter"):
        pp.nlp_engine(segmenter="thulac")


# -- findings on Chinese text -------------------------------------------------------------------

FOUND = [
    ("患者" + ID + "入院", "CN_RESIDENT_ID", ID),
    ("身份证号：11010519900307101x，请核对", "CN_RESIDENT_ID", "11010519900307101x"),
    ("11010519900307101x", "CN_RESIDENT_ID", "11010519900307101x"),
    ("请拨打13800138000联系", "CN_MOBILE_PHONE", "13800138000"),
    ("手机１３８００１３８０００", "CN_MOBILE_PHONE", "１３８００１３８０００"),
    ("联系邮箱zhang.san@example.com谢谢", "EMAIL_ADDRESS", "zhang.san@example.com"),
    ("卡号6217000000000000004", "BANK_CARD", "6217000000000000004"),
    ("护照号码：E12345678", "CN_PASSPORT", "E12345678"),
    ("E12345678（护照）", "CN_PASSPORT", "E12345678"),
]


@pytest.mark.parametrize(("text", "entity", "value"), FOUND)
def test_found_with_offsets_that_slice_back(engine, text, entity, value):
    results = engine.analyze(text, language="zh")
    assert [(r.entity_type, text[r.start : r.end]) for r in results] == [(entity, value)]


NOT_FOUND = [
    ("91440300123456788M", None),  # a USCC: an organisation, not reported by default
    ("统一社会信用代码：91440300123456788M", None),
    ("6217000000000000004", "BANK_CARD"),  # Luhn-valid, no card context: weak (0.4)
    ("订单号110105199003071230已发货", None),  # wrong ID check digit
    ("发票E12345678", None),  # a passport shape, invoice context
    ("护照e12345678", None),  # lower case is not a passport number (as in the core)
]


@pytest.mark.parametrize(("text", "weak"), NOT_FOUND)
def test_not_found(engine, text, weak):
    assert engine.analyze(text, language="zh") == []
    # Below the threshold, only the expected weak match exists, and it stays below 0.5.
    results = engine.analyze(text, language="zh", score_threshold=0.0)
    assert {r.entity_type for r in results} == ({weak} if weak else set())
    assert all(r.score < 0.5 for r in results)


def test_uscc_is_reported_only_when_asked(full):
    assert spans(full, "91440300123456788M") == [("CN_USCC", 0, 18)]


def test_several_findings_in_one_text_slice_back(engine):
    text = (
        f"张三，身份证{ID}，手机１３９１２３４５６７８，"
        "邮箱zhang@example.com，卡号6217000000000000004。"
    )
    got = sorted((r.entity_type, text[r.start : r.end]) for r in engine.analyze(text, "zh"))
    assert got == [
        ("BANK_CARD", "6217000000000000004"),
        ("CN_MOBILE_PHONE", "１３９１２３４５６７８"),
        ("CN_RESIDENT_ID", ID),
        ("EMAIL_ADDRESS", "zhang@example.com"),
    ]


def test_scores_are_the_catalogs(engine):
    card, resident = CATALOG["bank_card"], CATALOG["cn_resident_id"]
    [weak] = engine.analyze("6217000000000000004", "zh", score_threshold=0.0)
    assert weak.score == pytest.approx(card.score)  # validated, yet not raised to 1.0
    [strong] = engine.analyze("卡号6217000000000000004", "zh")
    assert strong.score == pytest.approx(card.context_score)
    [bare] = engine.analyze(ID, "zh")
    assert bare.score == pytest.approx(resident.score)


# -- requires_context ---------------------------------------------------------------------------


def core_values(rec, text):
    """Values the core finds for ``rec`` in ``text`` (read under its example column), at any
    score: some recognizers are weak by design and decide columns only by share."""
    found = Matcher(CATALOG).match_array(
        pa.array([text]), column=rec.example_column or "text", values=True
    )
    return [
        v
        for v, r in zip(found["value"].to_pylist(), found["recognizer"].to_pylist(), strict=True)
        if r == rec.id
    ]


NEEDS_CONTEXT = [
    pytest.param(rec, value, id=f"{rec.id}:{value[:40]}")
    for rec in CATALOG
    if rec.requires_context
    for text in rec.positive
    for value in core_values(rec, text)
]


def test_every_requires_context_entry_is_covered():
    covered = {p.values[0].id for p in NEEDS_CONTEXT}
    assert covered == {r.id for r in CATALOG if r.requires_context}


def from_rec(engine, rec, text, **kw):
    """Results of this catalog entry only (another entry may find the same entity)."""
    name = pp.NAME_PREFIX + rec.id
    results = engine.analyze(text, "zh", score_threshold=0.0, **kw)
    return [r for r in results if r.recognition_metadata.get("recognizer_name") == name]


@pytest.mark.parametrize(("rec", "value"), NEEDS_CONTEXT)
def test_requires_context_means_no_result_without_context(engine, rec, value):
    assert from_rec(engine, rec, value) == []
    word = rec.example_column if rec.kind == "cell" or not rec.context else rec.context[0]
    assert from_rec(engine, rec, value, context=[word])
    if rec.kind != "cell" and rec.context:  # a cell's only context is its column name
        assert from_rec(engine, rec, rec.context[0] + "：" + value)


def test_context_far_from_the_match_does_not_count(engine):
    far = "护照" + "。" * (pp.CONTEXT_BEFORE + 1) + "E12345678"
    assert spans(engine, far, score_threshold=0.0) == []
    near = "护照" + "。" * (pp.CONTEXT_BEFORE - 2) + "E12345678"
    assert spans(engine, near) == [("CN_PASSPORT", len(near) - 9, len(near))]


@pytest.mark.parametrize("column", ["护照号码", "passport_no", "hzhm"])
def test_column_names_given_as_context_count(engine, column):
    # BatchAnalyzerEngine.analyze_dict passes the column name as context.
    assert spans(engine, "E12345678", context=[column]) == [("CN_PASSPORT", 0, 9)]


# -- agreement with the core --------------------------------------------------------------------

# Catalog examples on which Presidio legitimately differs from the core, with the reason.
DIFFERENT = {
    # Separated digit groups: a digits pattern describes compact digits, and only the core
    # joins the catalog's groupings.
    "卡号：6228 4800 0000 0000 018": "separated groups",
    "010-62345678": "separated groups",
    "电话(0755)82345678": "separated groups",
    "021 52345678": "separated groups",
    "0571-88765432": "separated groups",
    "座机025 2958 8688": "separated groups",
    "0755-8234-5678": "separated groups",
    "0571 887 6543": "separated groups",
    "电话：+86 138 0013 8000": "separated groups",
    "(+86)139-1234-5678": "separated groups",
    "证件号 110105 19900307 1239": "separated groups",
    "串号 35-693110-000000-5": "separated groups",
    "0086 13912345678": "separated groups: Presidio finds the 11 digits without the 0086",
    "如有问题请联系 support@example.com": "look-alike (role mailbox): Presidio only adds",
    "邮箱：noreply@notice.example.cn": "look-alike (role mailbox): Presidio only adds",
    "noreply@notice.example.cn": "look-alike (role mailbox): Presidio only adds",
    "HR+2026@example.com.cn": "look-alike (role mailbox): Presidio only adds",
    "https://cdn.example.com/static/img/logo@2x.png": "look-alike (file name): Presidio only adds",
    "banner@3x.webp": "look-alike (file name): Presidio only adds",
    "font@1.5x.woff": "look-alike (file name): Presidio only adds",
    "icon@2x.JPG": "look-alike (file name): Presidio only adds",
    "本人无犯罪记录证明：其曾被行政拘留": "look-alike (certificate name): Presidio only adds",
}

EXAMPLES = [
    pytest.param(rec.entity, text, sign, rec.example_column, id=f"{rec.id}{sign}{text}")
    for rec in CATALOG
    if not rec.lookalike  # their examples mean the opposite (and Presidio has none of them)
    for sign, texts in (("+", rec.positive), ("-", rec.negative))
    for text in texts
    if text not in DIFFERENT
]


@pytest.mark.parametrize(("entity", "text", "sign", "column"), EXAMPLES)
def test_same_findings_as_the_core(full, entity, text, sign, column):
    core = core_spans(text, column)
    presidio = spans(full, text, **given(column))
    weak_too = {e for e, *_ in spans(full, text, score_threshold=0.0, **given(column))}
    if sign == "+":  # weak-by-design cell recognizers show only below the findings threshold
        assert entity in weak_too
    else:
        assert entity not in {e for e, *_ in presidio}
    assert presidio == core


@pytest.mark.parametrize(("text", "reason"), sorted(DIFFERENT.items()))
def test_listed_differences_are_real(full, text, reason):
    # Keeps the list honest: an entry that no longer differs (or left the catalog) must go.
    assert any(text in r.positive or text in r.negative for r in CATALOG), text
    column = next(r.example_column for r in CATALOG if text in r.positive or text in r.negative)
    presidio = spans(full, text, **given(column))
    assert presidio != core_spans(text, column), f"{text!r} now agrees ({reason})"


def test_no_op_engine_gives_the_same_results(engine, offline):
    fast = pp.analyzer(segmenter="none")
    assert isinstance(fast.nlp_engine, NoOpNlpEngine)
    for rec in CATALOG:
        for text in (*rec.positive, *rec.negative):
            kw = given(rec.example_column)
            assert spans(fast, text, **kw) == spans(engine, text, **kw), text


# -- the recognizers as data -------------------------------------------------------------------


def test_one_recognizer_per_personal_entry_straight_from_the_catalog():
    found = pp.recognizers()
    personal = [r for r in CATALOG if r.personal and r.bare]  # not only separated groups
    assert [r.rec for r in found] == personal
    assert {type(r) for r in found} == {pp.CatalogRecognizer}
    for recognizer, rec in zip(found, personal, strict=True):
        assert recognizer.supported_entities == [rec.entity]
        assert recognizer.supported_language == "zh"
        assert [(p.name, p.regex, p.score) for p in recognizer.patterns] == [
            (rec.id, rec.presidio_pattern, rec.score)
        ]
        assert recognizer.context == list(rec.context)
    every = pp.recognizers(include_non_personal=True, language="en")
    assert len(every) == len([r for r in CATALOG if not r.lookalike and r.bare])
    assert {r.supported_language for r in every} == {"en"}


@pytest.mark.parametrize(
    ("rid", "value", "verdict"),
    [
        ("cn_resident_id", ID, True),
        ("cn_resident_id", "110105199003071230", False),
        ("bank_card", "6217000000000000004", True),
        ("bank_card", "6217000000000000005", False),
        ("cn_license_plate", "京A12345", None),  # no validator
    ],
)
def test_validate_result_runs_the_catalog_validator(rid, value, verdict):
    assert pp.CatalogRecognizer(CATALOG[rid]).validate_result(value) is verdict


def test_registry_holds_only_the_catalog():
    reg = pp.registry(language="zh")
    assert reg.supported_languages == ["zh"]
    assert {r.name for r in reg.recognizers} == {
        pp.NAME_PREFIX + r.id for r in CATALOG if r.personal and r.bare
    }


# -- a user's registry ------------------------------------------------------------------------


def _order_recognizer():
    return PatternRecognizer(
        supported_entity="ORDER_ID",
        name="user_orders",
        supported_language="zh",
        patterns=[Pattern("order", r"DD[0-9]{8}", 0.3)],
        context=["订单"],
    )


def test_add_to_keeps_the_users_recognizer_and_adds_ours(engine):
    user = RecognizerRegistry(recognizers=[_order_recognizer()], supported_languages=["zh"])
    assert pp.add_to(user) is user
    names = [r.name for r in user.recognizers]
    assert names[0] == "user_orders"
    assert sorted(names[1:]) == sorted(
        pp.NAME_PREFIX + r.id for r in CATALOG if r.personal and r.bare
    )
    pp.add_to(user)  # twice: nothing added
    assert len(user.recognizers) == len(names)

    mixed = AnalyzerEngine(registry=user, nlp_engine=engine.nlp_engine, supported_languages=["zh"])
    text = "订单号DD20240101，收货人手机13800138000"
    found = {r.entity_type: r for r in mixed.analyze(text, "zh")}
    assert set(found) == {"ORDER_ID", "CN_MOBILE_PHONE"}
    # jieba words as lemmas: Presidio's own context enhancer sees 订单 (0.3 + 0.35).
    assert found["ORDER_ID"].score == pytest.approx(0.65)


def test_add_to_refuses_a_registry_without_the_language():
    user = RecognizerRegistry(recognizers=[_order_recognizer()], supported_languages=["en"])
    with pytest.raises(ValueError, match="zh"):
        pp.add_to(user)
    assert len(user.recognizers) == 1


def test_module_doctest(engine):
    assert doctest.testmod(pp).failed == 0
