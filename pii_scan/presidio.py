"""The recognizer catalog as Presidio recognizers, and an offline Chinese AnalyzerEngine.

For users who already run a Presidio ``AnalyzerEngine``. The vectorized core
(:mod:`pii_scan.core`, :func:`pii_scan.scan.scan_text`) is the fast path: Presidio analyzes
one text at a time, measured at 0.1-0.25 MB/s against 90-140 MB/s for whole-array matching
(``perf-measurements.md``).

Everything comes from the catalog (``recognizers/*.toml``). Each entry becomes one
:class:`CatalogRecognizer`:

* the entity, and one ``Pattern`` (``presidio_pattern``: the RE2 pattern plus lookaround
  boundaries) whose base score is the catalog ``score``;
* ``validate_result`` runs the catalog validator, so a failed checksum drops the match;
* the catalog's context words and column-name synonyms, scored the catalog's way (see
  :class:`CatalogRecognizer`). ``requires_context`` entries never return a match without
  context.

:func:`analyzer` builds a whole engine with no network: :func:`registry` plus
:func:`nlp_engine`, which uses a blank spaCy ``zh`` pipeline (jieba words) saved once to a
cache directory. Presidio's default engine instead tries to download ``en_core_web_lg``.

>>> engine = analyzer()
>>> text = "客户身份证号110105199003071239，手机13800138000"
>>> results = engine.analyze(text, language="zh")
>>> sorted((r.entity_type, r.start, r.end, round(r.score, 2)) for r in results)
[('CN_MOBILE_PHONE', 27, 38, 0.97), ('CN_RESIDENT_ID', 6, 24, 0.99)]
>>> text[6:24]
'110105199003071239'

How this differs from the core, on purpose or through Presidio's design:

* **Separated digit groups are not matched.** A ``digits`` pattern describes the compact
  digits. The core joins the catalog's ``groupings`` (``138 0013 8000``, ``010-62345678``,
  ``(0755)82345678``); one Presidio regex per entry does not. Write such values compact, or
  use the core. An entry that is only separated groups (``bare = false``: ``cn_landline``)
  is left out; its partner for the compact digits (``cn_landline_bare``) is not.
* **Context is a window, not the cell.** The core looks for context anywhere in the cell. A
  Presidio text is often a whole document, so here context counts within
  ``CONTEXT_BEFORE`` characters before a match or ``CONTEXT_AFTER`` characters after it, plus
  the ``context`` list given to ``analyze()``.
* **Overlaps across entities are kept.** The core keeps one match per span: the longest, then
  the one with the higher ``priority``. Presidio removes duplicates only within one entity
  type. A valid resident ID that also passes Luhn can therefore come back as a weak (0.4)
  ``BANK_CARD`` too. :func:`analyzer` drops it, because it uses the core's
  ``min_finding_score`` (0.5) as its default threshold.
* **Look-alike labels are read in a window.** An entry's ``lookalikes.after`` labels
  (``发票代码``, ``版本号``) drop a match right after them, as in the core, within the 48
  characters before it; its ``lookalikes.columns`` drop every match when one of them is in the
  ``context`` given to ``analyze()``.
* **Look-alike entries are left out.** In the core, a ``lookalike`` entry (role mailboxes
  ``support@``, image names ``logo@2x.png``) takes the span of the match it imitates and is
  then dropped. A Presidio recognizer can only add results, so here such a text is still
  reported as what it looks like.
* **Organisations are skipped.** ``CN_USCC`` (``personal = false``) is left out unless
  ``include_non_personal=True``. In the core it also claims its span, so that a credit code is
  never reported as something else. In Presidio it can only add a result.
"""

from __future__ import annotations

import os
import shutil
import tempfile
from collections.abc import Iterable
from pathlib import Path

import regex
import spacy
from presidio_analyzer import (
    AnalysisExplanation,
    AnalyzerEngine,
    EntityRecognizer,
    Pattern,
    PatternRecognizer,
    RecognizerRegistry,
    RecognizerResult,
)
from presidio_analyzer.nlp_engine import NlpArtifacts, NlpEngine, NoOpNlpEngine, SpacyNlpEngine
from spacy.language import Language
from spacy.tokens import Doc

from . import validators
from .catalog import Catalog, Recognizer, load_catalog
from .classify.names import column_matches
from .classify.policy import thresholds
from .core.buffers import _FOLDABLE

__all__ = [
    "CONTEXT_AFTER",
    "CONTEXT_BEFORE",
    "CatalogRecognizer",
    "add_to",
    "analyzer",
    "nlp_engine",
    "recognizers",
    "registry",
]

CONTEXT_BEFORE = 24  # characters before a match searched for context words
CONTEXT_AFTER = 8  # and after it ("E12345678（护照）")
SEGMENTERS = ("jieba", "char", "none")
NAME_PREFIX = "pii_scan."

# The core's fold (pii_scan.core.buffers.fold_fullwidth): the full-width forms of the characters
# identifiers are made of, and the ideographic space. Each folds one code point to one code
# point, so offsets stay valid in the original.
_FULLWIDTH = {cp: cp - 0xFEE0 for cp in range(0xFF01, 0xFF5F) if _FOLDABLE[cp - 0xFEE0]} | {
    0x3000: 0x20
}
_BASE_FLAGS = regex.DOTALL | regex.MULTILINE  # Presidio's default adds IGNORECASE


class CatalogRecognizer(PatternRecognizer):
    """One catalog entry as a Presidio ``PatternRecognizer``.

    Scores follow the catalog, not Presidio's defaults:

    * A match gets the catalog ``score``. A passing validator confirms the match, but does not
      raise the score to 1.0 as Presidio would: a Luhn-valid 16-digit number is weak evidence.
    * With context the score becomes the catalog ``context_score``. Context is a context word
      of the entry in the text within ``context_window`` characters of the match, or in
      ``analyze(context=[...])``. A ``context`` string also counts when it reads as one of the
      entry's column names, so ``BatchAnalyzerEngine.analyze_dict`` column keys work.
    * ``requires_context``: a match without context is removed.

    Context is decided in :meth:`enhance_using_context`. Presidio provides this hook for
    recognizer-specific context, and it is the only place that sees both the text and the
    ``context`` argument of ``analyze()``. ``AnalyzerEngine`` calls it before its generic
    enhancer, which skips results marked as boosted here. Three reasons not to use the generic
    enhancer:

    * it adds a fixed 0.35 instead of setting the catalog ``context_score``;
    * it can only express ``requires_context`` through score thresholds, which
      ``analyze(score_threshold=...)`` overrides;
    * it needs word lemmas (see :func:`nlp_engine`).

    This way the result does not depend on the NLP engine: ``NoOpNlpEngine`` gives the same
    findings. A result left without context here can still gain the generic enhancer's 0.35
    when it finds a context word among the five words before the match but outside the window
    (this needs word lemmas, see :func:`nlp_engine`). :meth:`analyze` alone, outside an
    engine, returns raw candidates at their base score; for ``requires_context`` entries
    that is 0.3 or less in the shipped catalog.
    """

    def __init__(
        self,
        rec: Recognizer,
        language: str = "zh",
        *,
        context_window: tuple[int, int] = (CONTEXT_BEFORE, CONTEXT_AFTER),
        version: str = "0.0.1",
    ):
        self.rec = rec
        self.context_window = context_window
        self._validator = validators.get(rec.validator) if rec.validator else None
        self._words = tuple(w.lower() for w in rec.context)
        self._not_after = (
            regex.compile(rec.not_after_pattern, regex.IGNORECASE) if rec.not_after else None
        )
        super().__init__(
            supported_entity=rec.entity,
            name=NAME_PREFIX + rec.id,
            supported_language=language,
            patterns=[Pattern(rec.id, rec.presidio_pattern, rec.score)],
            context=list(rec.context),
            global_regex_flags=_BASE_FLAGS | (regex.IGNORECASE if rec.ignore_case else 0),
            version=version,
        )

    def validate_result(self, pattern_text: str) -> bool | None:
        """The catalog validator's verdict; ``None`` when the entry has no validator."""
        if self._validator is None:
            return None
        return bool(self._validator.is_valid(pattern_text))

    def analyze(
        self,
        text: str,
        entities: list[str],
        nlp_artifacts: NlpArtifacts | None = None,
        regex_flags: int | None = None,
    ) -> list[RecognizerResult]:
        """Validated matches at the catalog base score. Full-width digits and letters count as
        ASCII, as in the core."""
        folded = text.translate(_FULLWIDTH)
        if self.rec.kind == "function":
            results = self._function_results(folded)
        elif self.rec.kind == "cell":
            # A cell pattern describes the whole (trimmed) text, as a column value.
            lead = len(folded) - len(folded.lstrip())
            results = super().analyze(folded.strip(), entities, nlp_artifacts, regex_flags)
            for result in results:
                result.start += lead
                result.end += lead
        else:
            results = super().analyze(folded, entities, nlp_artifacts, regex_flags)
        for result in results:  # a passing validator set 1.0: back to the catalog's score
            result.score = self.rec.score
            if result.analysis_explanation is not None:
                result.analysis_explanation.score = self.rec.score
        return results

    def _function_results(self, text: str) -> list[RecognizerResult]:
        """A ``function`` entry runs the same code as in the core (:mod:`pii_scan.nlp`)."""
        from .nlp import find_in_text

        out = []
        for start, end in find_in_text(self.rec, text):
            if self.validate_result(text[start:end]) is False:
                continue
            out.append(
                RecognizerResult(
                    self.rec.entity,
                    start,
                    end,
                    self.rec.score,
                    # Presidio's own context enhancer writes into it when it finds a word
                    analysis_explanation=AnalysisExplanation(
                        recognizer=self.name,
                        original_score=self.rec.score,
                        textual_explanation=f"pii_scan function {self.rec.function}",
                    ),
                    recognition_metadata={
                        RecognizerResult.RECOGNIZER_NAME_KEY: self.name,
                        RecognizerResult.RECOGNIZER_IDENTIFIER_KEY: self.id,
                    },
                )
            )
        return out

    def enhance_using_context(
        self,
        text: str,
        raw_recognizer_results: list[RecognizerResult],
        other_raw_recognizer_results: list[RecognizerResult],
        nlp_artifacts: NlpArtifacts | None,
        context: list[str] | None = None,
    ) -> list[RecognizerResult]:
        """Set ``context_score`` where there is context; drop ``requires_context`` matches
        that have none."""
        folded = text.translate(_FULLWIDTH).lower()
        given = self._word_in_given(context or ())
        if self.rec.not_in_columns and any(
            column_matches(c, self.rec.not_in_columns) for c in context or ()
        ):
            return []  # a column of look-alikes (发票代码 for landlines)
        out = []
        for result in raw_recognizer_results:
            if self._not_after and self._not_after.search(folded[: result.start][-48:]):
                continue  # right after a look-alike's label (版本号 2.0.1.12)
            near = (
                "" if self.rec.kind == "cell" else self._word_near(folded, result.start, result.end)
            )
            word = near or given
            if word:
                result.score = max(result.score, self.rec.context_score)
                meta = result.recognition_metadata
                meta[RecognizerResult.IS_SCORE_ENHANCED_BY_CONTEXT_KEY] = True
                if result.analysis_explanation is not None:
                    result.analysis_explanation.set_supportive_context_word(word)
                    result.analysis_explanation.set_improved_score(result.score)
            elif self.rec.requires_context:
                continue
            out.append(result)
        return out

    def _word_near(self, folded: str, start: int, end: int) -> str:
        before, after = self.context_window
        window = folded[max(0, start - before) : start] + "\n" + folded[end : end + after]
        return next((w for w in self._words if w in window), "")

    def _word_in_given(self, context: Iterable[str]) -> str:
        for item in context:
            low = item.lower()
            word = next((w for w in self._words if w in low), "")
            if word:
                return word
            if self.rec.column_names and column_matches(item, self.rec.column_names):
                return item
        return ""


def recognizers(
    catalog: Catalog | None = None,
    language: str = "zh",
    *,
    include_non_personal: bool = False,
) -> list[EntityRecognizer]:
    """One :class:`CatalogRecognizer` per catalog entry; ``personal = false`` entries
    (organisations' credit codes) only with ``include_non_personal=True``; look-alike entries
    never (Presidio cannot drop another recognizer's result), nor ``bare = false`` entries
    (only separated digit groups, which one Presidio regex does not join)."""
    catalog = catalog or load_catalog()
    return [
        CatalogRecognizer(rec, language, version=catalog.version)
        for rec in catalog
        if (rec.personal or include_non_personal) and not rec.lookalike and rec.bare
    ]


def registry(
    catalog: Catalog | None = None,
    language: str = "zh",
    *,
    include_non_personal: bool = False,
) -> RecognizerRegistry:
    """A ``RecognizerRegistry`` holding only the catalog's recognizers, for ``language``."""
    found = recognizers(catalog, language, include_non_personal=include_non_personal)
    return RecognizerRegistry(recognizers=found, supported_languages=[language])


def add_to(
    registry: RecognizerRegistry,
    language: str = "zh",
    *,
    catalog: Catalog | None = None,
    include_non_personal: bool = False,
) -> RecognizerRegistry:
    """Add the catalog's recognizers to a user's registry; returns the registry.

    The registry must already support ``language``: an ``AnalyzerEngine`` needs the same
    languages as its registry. Recognizers already present under the same name are kept and
    not added again, so calling this twice is harmless.
    """
    if language not in registry.supported_languages:
        raise ValueError(
            f"the registry supports {registry.supported_languages}, not {language!r}: create it "
            f"with RecognizerRegistry(supported_languages=[..., {language!r}])"
        )
    present = {(r.name, r.supported_language) for r in registry.recognizers}
    for rec in recognizers(catalog, language, include_non_personal=include_non_personal):
        if (rec.name, language) not in present:
            registry.add_recognizer(rec)
    return registry


# -- NLP engine --------------------------------------------------------------------------------


@Language.component("pii_scan_text_lemma")
def _text_lemma(doc: Doc) -> Doc:
    """Use each word as its own lemma. A blank pipeline has no lemmatizer, and Presidio's
    generic context enhancer reads only lemmas, so without this it never sees a context word
    in the text."""
    for token in doc:
        if not token.lemma_:
            token.lemma_ = token.text
    return doc


class _BlankSpacyNlpEngine(SpacyNlpEngine):
    """``SpacyNlpEngine`` over a saved blank pipeline, with words as lemmas."""

    def load(self) -> None:
        super().load()
        for nlp in self.nlp.values():
            if "pii_scan_text_lemma" not in nlp.pipe_names:
                nlp.add_pipe("pii_scan_text_lemma")


def _cache_root() -> Path:
    if os.environ.get("PII_SCAN_CACHE"):
        return Path(os.environ["PII_SCAN_CACHE"])
    xdg = os.environ.get("XDG_CACHE_HOME")
    return (Path(xdg) if xdg else Path.home() / ".cache") / "pii-scan"


def _blank_pipeline_dir(segmenter: str) -> Path:
    """Directory of the saved blank ``zh`` pipeline: built once per segmenter and spaCy version.

    It lives in ``$PII_SCAN_CACHE``, else ``$XDG_CACHE_HOME/pii-scan``, else
    ``~/.cache/pii-scan``. It is written to a scratch directory and renamed into place, so
    concurrent processes never read half a pipeline. If the cache is not writable, a private
    temporary directory is used instead.
    """
    name = f"spacy-zh-{segmenter}-{spacy.__version__}"
    target = _cache_root() / name
    if (target / "config.cfg").is_file():
        return target
    blank = spacy.blank("zh", config={"nlp": {"tokenizer": {"segmenter": segmenter}}})
    try:
        target.parent.mkdir(parents=True, exist_ok=True)
        scratch = Path(tempfile.mkdtemp(prefix=f".{name}-", dir=target.parent))
    except OSError:
        scratch = None
    if scratch is not None:
        try:
            blank.to_disk(scratch)
            os.replace(scratch, target)
            return target
        except OSError:
            if (target / "config.cfg").is_file():  # another process was first
                return target
        finally:
            shutil.rmtree(scratch, ignore_errors=True)  # nothing left after a rename
    fallback = Path(tempfile.mkdtemp(prefix=f"pii-scan-{name}-"))
    blank.to_disk(fallback)
    return fallback


def nlp_engine(language: str = "zh", segmenter: str = "jieba") -> NlpEngine:
    """A loaded NLP engine that needs no network.

    ``segmenter``:

    * ``"jieba"`` (default): Chinese words. Presidio's generic context enhancer can then match
      the context words of *other* recognizers in the same engine (``护照`` as a word).
    * ``"char"``: one token per Hanzi; needs no jieba, but multi-character context words
      never equal a token.
    * ``"none"``: Presidio's ``NoOpNlpEngine``, the fastest. The catalog's recognizers give
      the same results, since they read context from the text themselves. Other recognizers
      then see only context passed to ``analyze(context=...)``.

    For ``jieba`` and ``char``, a blank spaCy ``zh`` pipeline is saved once (see
    :func:`_blank_pipeline_dir`), and ``SpacyNlpEngine`` loads it from that path. For a path
    that exists, Presidio does not call ``spacy.cli.download``.
    """
    if segmenter not in SEGMENTERS:
        raise ValueError(f"segmenter must be one of {SEGMENTERS}, not {segmenter!r}")
    if segmenter == "none":
        engine: NlpEngine = NoOpNlpEngine(models=[{"lang_code": language, "model_name": "none"}])
    else:
        path = _blank_pipeline_dir(segmenter)
        engine = _BlankSpacyNlpEngine(models=[{"lang_code": language, "model_name": str(path)}])
    engine.load()
    return engine


def analyzer(
    catalog: Catalog | None = None,
    language: str = "zh",
    segmenter: str = "jieba",
    *,
    include_non_personal: bool = False,
    score_threshold: float | None = None,
) -> AnalyzerEngine:
    """An ``AnalyzerEngine`` with the catalog's recognizers and an offline NLP engine.

    ``score_threshold`` defaults to the core's ``min_finding_score`` (``models/
    classification.toml``). Pass ``analyze(..., score_threshold=0)`` to also see weak matches,
    such as a Luhn-valid number without card context.
    """
    if score_threshold is None:
        score_threshold = float(thresholds()["min_finding_score"])
    return AnalyzerEngine(
        registry=registry(catalog, language, include_non_personal=include_non_personal),
        nlp_engine=nlp_engine(language, segmenter),
        supported_languages=[language],
        default_score_threshold=score_threshold,
    )
