"""The catalog is data: every entry is checked by the same parametrized tests (gitleaks style)."""

import re

import pyarrow as pa
import pyarrow.compute as pc
import pytest

from pii_scan import validators
from pii_scan.catalog import CatalogError, data_dir, load_catalog
from pii_scan.classify.policy import builtin_policies, categories, load_policy

CATALOG = load_catalog()
RECOGNIZERS = list(CATALOG)
POSITIVE = [(r.id, r.entity, text) for r in CATALOG for text in r.positive]
NEGATIVE = [(r.id, r.entity, text) for r in CATALOG for text in r.negative]


def entities_found(matcher, text, min_score=0.5, column=None):
    table = matcher.match_array(pa.array([text]), column=column, min_score=min_score)
    return table["entity"].to_pylist()


def example_options(rid):
    # Examples are read under the entry's [examples] column, if it names one. A cell recognizer
    # decides a column by the share of values it matches, so a weak match counts there.
    rec = CATALOG[rid]
    min_score = 1e-6 if rec.kind == "cell" else 0.5
    return {"column": rec.example_column or None, "min_score": min_score}


@pytest.mark.parametrize(("rid", "entity", "text"), POSITIVE)
def test_positive_examples_are_found(matcher, rid, entity, text):
    if CATALOG[rid].lookalike:  # what a look-alike matches is found as nothing, even weakly
        assert entity not in entities_found(matcher, text, min_score=1e-6), text
        return
    found = entities_found(matcher, text, **example_options(rid))
    assert entity in found, f"{rid} misses {text!r}"


@pytest.mark.parametrize(("rid", "entity", "text"), NEGATIVE)
def test_negative_examples_are_not_found(matcher, rid, entity, text):
    if CATALOG[rid].lookalike:  # the real thing beside a look-alike is still found
        assert entity in entities_found(matcher, text), text
        return
    found = entities_found(matcher, text, **example_options(rid))
    assert entity not in found, f"{rid} wrongly finds {text!r}"


@pytest.mark.parametrize("rec", RECOGNIZERS, ids=lambda r: r.id)
def test_patterns_compile_in_re2_and_python(rec):
    # RE2 (pyarrow) for the core, Python `re` with lookarounds for the fallback and Presidio.
    pc.match_substring_regex(pa.array(["x"]), rec.pattern)
    re.compile(rec.presidio_pattern)


@pytest.mark.parametrize("rec", RECOGNIZERS, ids=lambda r: r.id)
def test_entries_are_complete(rec):
    assert rec.name_zh and rec.name_en and rec.standard
    assert rec.positive, "every recognizer carries positive examples"
    assert rec.column_names or rec.context or rec.lookalike
    if rec.validator:
        assert validators.get(rec.validator).is_valid is not None
    if rec.kind in ("digits", "token"):
        assert rec.lengths


def test_every_entity_has_a_tier_and_category_in_every_policy():
    cats = categories()
    for name in builtin_policies():
        policy = load_policy(name)
        for entity in CATALOG.entities:
            assert entity in policy.entities, f"{name} lacks {entity}"
            assert policy.category(entity) in cats


def test_policies_disagree_on_id_numbers():
    assert load_policy("gbt35273").tier("CN_RESIDENT_ID") == "sensitive"
    assert load_policy("gbt45574").tier("CN_RESIDENT_ID") == "general"
    assert load_policy("gdpr").tier("HEALTH") == "sensitive"
    assert load_policy("gbt35273").tier("CN_USCC") is None


def test_policies_disagree_on_body_metrics_and_name_real_recognizers_and_entities():
    assert load_policy("gbt35273").tier("HEALTH", "health_body_metrics_cell") == "sensitive"
    assert load_policy("gbt45574").tier("HEALTH", "health_body_metrics_cell") == "general"
    assert load_policy("gbt45574").tier("HEALTH", "health_terms") == "sensitive"
    ids = {r.id for r in CATALOG}
    for name in builtin_policies():
        for rid, (_tier, linked) in load_policy(name).recognizers.items():
            assert rid in ids and set(linked) <= set(CATALOG.entities)


@pytest.mark.parametrize("linked", ['"HEALTH"', "[1]"])
def test_sensitive_with_must_list_entity_ids(tmp_path, linked):
    path = tmp_path / "p.toml"
    path.write_text(
        f'name = "p"\n[recognizers]\nx = {{ tier = "general", sensitive_with = {linked} }}\n',
        encoding="utf-8",
    )
    with pytest.raises(CatalogError, match="sensitive_with must list entity ids"):
        load_policy(str(path))


def test_catalog_version_is_a_content_hash():
    assert re.fullmatch(r"[0-9a-f]{12}", CATALOG.version)


@pytest.mark.parametrize("key", ["prefilter_sequence", "prefilter_pair"])
def test_a_prefilter_sequence_may_be_written_under_its_older_name(tmp_path, key):
    (tmp_path / "hex.toml").write_text(
        'id = "hex_pair"\nentity = "HEX"\nkind = "regex"\n'
        f'[match]\npattern = "[0-9a-f]{{2}}:[0-9a-f]{{2}}"\n{key} = ["0-9a-f", ":"]\n',
        encoding="utf-8",
    )
    assert load_catalog(str(tmp_path))["hex_pair"].prefilter_sequence == ("0-9a-f", ":")


@pytest.mark.parametrize("drop", ["lead", "prefilter"])
def test_a_label_after_the_value_needs_lead_and_label_words(tmp_path, drop):
    text = (data_dir("recognizers") / "health_reason_cue.toml").read_text(encoding="utf-8")
    kept = [line for line in text.splitlines() if not line.startswith(f"{drop} =")]
    (tmp_path / "entry.toml").write_text("\n".join(kept), encoding="utf-8")
    with pytest.raises(CatalogError, match="label_after needs lead and prefilter words"):
        load_catalog(str(tmp_path))
