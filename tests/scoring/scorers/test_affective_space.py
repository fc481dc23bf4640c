"""`affective_space` and `va_consistency` with a test stand-in extractor and hand-computed geometry."""

from __future__ import annotations

import math
from pathlib import Path

import pytest

from emer_bench.api.requests import Reference
from emer_bench.api.scorer import LabelExtractor, ScoringContext, ScoringItem
from emer_bench.registries import EXTRACTORS, SCORERS
from emer_bench.scoring.scorers.affective_space import (AffectiveSpaceArgs, AffectiveSpaceScorer, CategoryVAConsistencyScorer,
                                                VAConsistencyArgs)
from emer_bench.scoring.extractors.spec import ExtractorSpec

R = math.sqrt(0.5)


class CommaSplitTestExtractor(LabelExtractor):
    """Test stand-in: the labels are the comma-separated words of the answer."""

    name = "test-comma-split"

    def extract(self, texts: list[str]) -> list[list[str]]:
        return [[w.strip() for w in t.split(",") if w.strip()] for t in texts]


@pytest.fixture(autouse=True)
def stand_in_extractor() -> None:
    EXTRACTORS.add("test-comma-split", CommaSplitTestExtractor, origin="runtime", replace=True)


SPLIT = ExtractorSpec(name="test-comma-split")


def space_item(clip: str, answer: str | None, reference: list[str] | None, failed: bool = False) -> ScoringItem:
    return ScoringItem(clip, answer, Reference(openset=reference), failed)


def test_affective_space_by_hand() -> None:
    scorer = AffectiveSpaceScorer(AffectiveSpaceArgs(extractor=SPLIT), ScoringContext())
    items = [
        space_item("same", "excited", ["excitement"]),  # identical point
        space_item("opposite", "depressed", ["excited"]),  # opposite points on the unit circle: distance 2
        space_item("mixed", "pleased, aroused, wistful", ["pleased"]),  # wistful is not in the built-in table
        space_item("unplaced", "excited", ["wistful"]),  # reference cannot be placed: coverage only
        space_item("failed", None, ["sleepy"], failed=True),  # empty prediction: disagrees, no distance
        space_item("no-ref", "excited", []),  # skipped
    ]
    rows = scorer.score_samples(items)
    assert rows[5] is None
    assert rows[3]["ref_point"] is None and rows[4]["pred_point"] is None  # type: ignore[index]
    metrics = scorer.aggregate(rows)
    # centroid distances: same 0; opposite 2; mixed: centroid of (1,0),(0,1) = (.5,.5) vs (1,0) -> sqrt(.5)
    assert metrics["centroid_distance"] == pytest.approx((0 + 2 + R) / 3)
    # nn: same 0; opposite 2; mixed: pred->ref (0 + sqrt2)/2, ref->pred 0 -> sqrt2/4
    assert metrics["nn_distance"] == pytest.approx((0 + 2 + math.sqrt(2) / 4) / 3)
    # valence signs (band 0.1): same +/+ yes; opposite -/+ no; mixed +/+ yes; failed none vs 0 -> no
    assert metrics["valence_sign_agreement"] == pytest.approx(2 / 4)
    # arousal: same +/+ yes; opposite -/+ no; mixed +/0 no; failed no
    assert metrics["arousal_sign_agreement"] == pytest.approx(1 / 4)
    assert metrics["prediction_rate"] == pytest.approx(3 / 4)
    assert metrics["ref_coverage"] == pytest.approx(4 / 5)  # wistful unplaced (no-ref row skipped)
    # excited, depressed, pleased, aroused, wistful, excited: wistful unplaced (failed: none; no-ref skipped)
    assert metrics["pred_coverage"] == pytest.approx(5 / 6)
    assert metrics["n_counted"] == 4


def test_affective_space_with_a_user_lexicon(tmp_path: Path) -> None:
    lexicon = tmp_path / "vad.tsv"
    lexicon.write_text("happy\t1.0\t0.75\t0.5\nsad\t0.0\t0.25\t0.2\n", encoding="utf-8")
    scorer = AffectiveSpaceScorer(AffectiveSpaceArgs(extractor=SPLIT, lexicon=str(lexicon)), ScoringContext())
    rows = scorer.score_samples([space_item("a", "happy", ["sad"])])
    assert rows[0]["pred_point"] == [1.0, 0.5] and rows[0]["ref_point"] == [-1.0, -0.5]  # type: ignore[index]
    assert scorer.aggregate(rows)["centroid_distance"] == pytest.approx(math.hypot(2.0, 1.0))
    described = scorer.describe()
    assert described["resources"]["va_lexicon"]["source"] == str(lexicon)


def test_va_consistency_by_hand() -> None:
    scorer = CategoryVAConsistencyScorer(VAConsistencyArgs(extractor=SPLIT, valence_range=(-5, 5),
                                                           arousal_range=(0, 10)), ScoringContext())
    items = [
        ScoringItem("a", "excited, valence: 4, arousal: 9", Reference()),  # +/+ and +/+
        ScoringItem("b", "depressed, valence: 2.5, arousal: 2", Reference()),  # -/+ and -/-
        ScoringItem("c", "relaxed, valence: 5", Reference()),  # +/+; no arousal stated
        ScoringItem("d", "wistful, valence: 1", Reference()),  # label cannot be placed
        ScoringItem("e", None, Reference(), failed=True),
    ]
    rows = scorer.score_samples(items)
    assert rows[4] is None
    assert rows[0]["stated"] == pytest.approx([0.8, 0.8])  # type: ignore[index]
    metrics = scorer.aggregate(rows)
    assert metrics["valence_sign_consistency"] == pytest.approx(2 / 3)
    assert metrics["arousal_sign_consistency"] == pytest.approx(1.0)
    # label valence (R, -R, R) vs stated (0.8, 0.5, 1.0): deviations (2R/3, -4R/3, 2R/3) and
    # (0.1/3, -0.8/3, 0.7/3):
    dx, dy = [2 * R / 3, -4 * R / 3, 2 * R / 3], [0.1 / 3, -0.8 / 3, 0.7 / 3]
    expected = sum(a * b for a, b in zip(dx, dy)) / math.sqrt(sum(a * a for a in dx) * sum(b * b for b in dy))
    assert expected == pytest.approx(0.9176629, abs=1e-6)
    assert metrics["pearson_valence"] == pytest.approx(expected)
    assert metrics["completeness"] == pytest.approx(3 / 4)
    assert metrics["n_valence"] == 3 and metrics["n_arousal"] == 2


def test_va_consistency_closed_label_set_and_stripped_keys() -> None:
    closed = CategoryVAConsistencyScorer(VAConsistencyArgs(labels=["excited", "depressed"]), ScoringContext())
    rows = closed.score_samples([ScoringItem("a", "In conclusion: depressed. Valence: -0.5", Reference())])
    assert rows[0]["label_point"] == pytest.approx([-R, -R])  # type: ignore[index]
    # with an extractor, the words "valence"/"arousal" of the V/A statement are not read as labels
    open_set = CategoryVAConsistencyScorer(VAConsistencyArgs(extractor=SPLIT), ScoringContext())
    rows = open_set.score_samples([ScoringItem("a", "Arousal: 0.9", Reference())])
    assert rows[0]["label_point"] is None and rows[0]["stated"] == [None, 0.9]  # type: ignore[index]


def test_registered() -> None:
    assert SCORERS.get("affective_space") is AffectiveSpaceScorer
    assert SCORERS.get("va_consistency") is CategoryVAConsistencyScorer
