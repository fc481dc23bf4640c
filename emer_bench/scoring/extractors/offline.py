"""`offline` extractor: the emotion states an explanation attributes, without an LLM.

Vocabulary = every surface form of the emotion-wheel resources (so every label it returns
can be mapped by the EW metrics); WordNet lemmas catch inflections the resources lack and
WordNet senses tell feelings from polysemous words; the rules in `offline_rules.py` and
`offline_frames.py` drop negated, unasserted, category and non-feeling uses and prefer the
concluding statement. Published EW numbers use an LLM extractor (docs §6); this one is a
transparent, deterministic stand-in whose agreement with reference labels is measured in
benchmarks/results/offline_extractor.md.
"""

from __future__ import annotations

from importlib import metadata
from pathlib import Path
from typing import Any, ClassVar

from emer_bench.api.scorer import LabelExtractor, ScorerArgs, ScoringContext
from emer_bench.errors import EmerBenchError
from emer_bench.resources.file_hashes import tree_sha256
from emer_bench.resources.wheel_tables import load_wheel_tables
from emer_bench.resources.emotion_wheel import ResolvedResources, resolve_resources
from emer_bench.scoring.extractors.offline_frames import framed_mentions
from emer_bench.scoring.extractors.offline_vocabulary import VocabularyMatcher, WordNetSenses
from emer_bench.scoring.extractors.offline_rules import (CATEGORY_WORDS, about_other_person,
                                                         concluding_zone_start, evidence_positions,
                                                         negated_positions)
from emer_bench.scoring.extractors.offline_senses import describes_thing
from emer_bench.scoring.extractors.offline_text import Token, sentences, tokenize


class OfflineExtractorArgs(ScorerArgs):
    # Emotion-wheel directory and version; default: the run's (ScoringContext), then
    # $EMER_BENCH_RESOURCES, then the resource cache (as the `ew` scorer resolves them).
    resources_dir: Path | None = None
    resource_version: str | None = None


def extract_from_tokens(tokens: list[Token], matcher: VocabularyMatcher, senses: WordNetSenses) -> list[str]:
    """Labels in order of first mention, after the rules (module docstrings)."""
    negated = negated_positions(tokens)
    mentions = [mention for mention in framed_mentions(tokens, matcher.find(tokens), senses)
                if mention.label not in CATEGORY_WORDS and not describes_thing(tokens, mention, senses)
                and not any(position in negated for position in range(mention.first, mention.last + 1))
                and not about_other_person(tokens, mention.first, senses)]
    grouped = sentences(tokens)
    zone = concluding_zone_start(grouped)
    if zone is not None:
        zone_sentence = grouped[zone][0].sentence
        in_zone = [mention for mention in mentions if tokens[mention.first].sentence >= zone_sentence]
        if in_zone:
            mentions = in_zone
    evidence = evidence_positions(tokens)
    claims = [mention for mention in mentions if mention.first not in evidence]
    if claims:
        mentions = claims
    return list(dict.fromkeys(mention.label for mention in mentions))


class OfflineExtractor(LabelExtractor[OfflineExtractorArgs]):
    name: ClassVar[str] = "offline"
    # Each text's labels depend on that text and on the files describe() hashes (the wheel
    # resources, the WordNet database) alone: its scorers' components are reused per sample.
    per_text: ClassVar[bool] = True

    def __init__(self, args: OfflineExtractorArgs, context: ScoringContext) -> None:
        super().__init__(args, context)
        self._matcher: VocabularyMatcher | None = None
        self._lexicon: WordNetSenses | None = None

    @property
    def _args(self) -> OfflineExtractorArgs:
        assert isinstance(self.args, OfflineExtractorArgs)
        return self.args

    def resources(self) -> ResolvedResources:
        """The emotion-wheel directory (ResourceError naming the fix when there is none)."""
        explicit = self._args.resources_dir or self.context.resources_dir
        return resolve_resources(explicit, self._args.resource_version or self.context.resource_version)

    def _load(self) -> tuple[VocabularyMatcher, WordNetSenses]:
        """Tables, WordNet and matcher are built once per process (shared through the context)."""
        if self._matcher is None or self._lexicon is None:
            directory = self.resources().directory
            tables = self.context.shared(f"wheel_tables:{directory}", lambda: load_wheel_tables(directory))
            lexicon = self.context.shared("wordnet_lexicon", WordNetSenses)
            self._lexicon = lexicon
            self._matcher = self.context.shared(f"offline_matcher:{directory}",
                                                lambda: VocabularyMatcher(tables.vocabulary, lexicon))
        return self._matcher, self._lexicon

    def describe(self) -> dict[str, Any]:
        """With the hashes of every file the labels depend on, so a changed resource or WordNet
        database re-scores (runner/score_cache.py); the rules are emer-bench's code, hashed there."""
        resolved = self.resources()
        cache = self.context.cache_dir
        return {**super().describe(), "resources_dir": str(resolved.directory),
                "resource_version": resolved.version, "resources_sha256": tree_sha256(resolved.directory, cache),
                "wordnet": "nltk WordNet 3.0 (lemmas, senses)", **wordnet_facts(cache)}

    def extract(self, texts: list[str]) -> list[list[str]]:
        matcher, lexicon = self._load()
        return [extract_from_tokens(tokenize(text), matcher, lexicon) if text else []
                for text in texts]


def wordnet_facts(cache_dir: Path | None) -> dict[str, Any]:
    """The WordNet database nltk reads (its files' hash) and the nltk version; an error entry
    when there is none (describe() must not fail: extraction reports it)."""
    from emer_bench.resources.wordnet_setup import ensure_wordnet

    try:
        location = ensure_wordnet()
    except EmerBenchError as exc:
        return {"wordnet_sha256": {"error": str(exc)}}
    try:
        nltk_version: str | None = metadata.version("nltk")
    except metadata.PackageNotFoundError:
        nltk_version = None
    return {"wordnet_sha256": tree_sha256(location, cache_dir), "nltk": nltk_version}
