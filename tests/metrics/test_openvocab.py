"""Rules 3-5 (docs/openvocab-metrics.md): mapping lists, set-level P/R/F, EW-L1/L2, M-avg, hit rate.

Hand-computed on the tiny wheel of ew_testdata.py (see the mapping table in
test_wheel_tables.py::test_mapping_one_label), then compared with the pandas oracle on random
predictions drawn from the real vocabularies of mer2025 and mer2026.
"""

from __future__ import annotations

import json
import math
import random
import sys
from pathlib import Path

import pytest

sys.path.insert(0, str(Path(__file__).resolve().parent))
from ew_testdata import TINY_FORMAT, load_support, write_tiny_resources  # noqa: E402

from emer_bench.metrics.labels import parse_label_list  # noqa: E402
from emer_bench.metrics.openvocab import (HIT_RATE_METRICS, aggregate_ew, aggregate_hit_rate, aggregate_pr,  # noqa: E402
                                          ew_sample_components, f_from_pr, hit_rate_sample_components,
                                          map_labels, sample_precision_recall, score_ew, score_hit_rate)
from emer_bench.metrics.wheel_mapping import METRIC_NAMES  # noqa: E402
from emer_bench.resources.wheel_tables import load_wheel_tables  # noqa: E402

sys.path.pop(0)
ew_oracle = load_support("ew_oracle")


@pytest.fixture(scope="module")
def tiny(tmp_path_factory: pytest.TempPathFactory):
    return load_wheel_tables(write_tiny_resources(tmp_path_factory.mktemp("tiny") / "wheel"))


def test_map_labels_keeps_order_and_drops_unmapped(tiny) -> None:
    assert map_labels(["gladness", "sulking", "gladly", "zzz"], tiny, "form") == ["cheery", "glad"]
    assert map_labels(["gladness", "gladly"], tiny, "wheel1_l1") == ["joy", "joy"]  # sets are built later


def test_sample_rule() -> None:
    assert sample_precision_recall(set(), {"a"}) is None  # empty reference: skipped
    assert sample_precision_recall({"a"}, set()) == (0.0, 0.0)  # empty prediction: zeros
    assert sample_precision_recall({"a", "b"}, {"b", "c", "d"}) == (1 / 3, 1 / 2)


def test_f_is_from_dataset_means_and_zero_when_both_zero() -> None:
    result = aggregate_pr([(1.0, 0.0), (0.0, 1.0), None])
    assert (result.precision, result.recall, result.n_scored) == (0.5, 0.5, 2)
    assert result.fscore == 0.5  # per-sample F would average to 0
    assert f_from_pr(0.0, 0.0) == 0.0
    empty = aggregate_pr([None, None])
    assert math.isnan(empty.precision) and math.isnan(empty.fscore) and empty.n_scored == 0


# s1: P and R 1/2 under form; s2: prediction missing -> (0, 0); s3: empty reference -> ['neutral']
# -> skipped; s4: reference outside the vocabulary -> skipped.
REFERENCES = [parse_label_list(x) for x in ("['glad', 'sulky']", "[dourly]", "", "['unknownword']")]
PREDICTIONS = [parse_label_list("gladly, grim, zzz"), None, parse_label_list("glad"), parse_label_list("glad")]


def test_hand_computed_dataset(tiny) -> None:
    result = score_ew(REFERENCES, PREDICTIONS, tiny)
    m = result.metrics
    expected_f = {"form": 0.25, "synonym": 0.25, "wheel1_l1": 0.5, "wheel1_l2": 0.25, "wheel2_l1": 0.0,
                  "wheel2_l2": 0.0, "wheel3_l1": 0.5, "wheel3_l2": 0.25, "wheel4_l1": 0.0, "wheel4_l2": 0.0,
                  "wheel5_l1": 0.5, "wheel5_l2": 0.25}
    for name, f in expected_f.items():
        assert m[name].fscore == pytest.approx(f, abs=1e-12), name
        assert m[name].precision == pytest.approx(f, abs=1e-12)  # P == R in this data set
        assert m[name].n_scored == 2, name  # s3 and s4 are skipped by every mapping
    assert m["ew_l1"].fscore == pytest.approx(0.3, abs=1e-12)
    assert m["ew_l2"].fscore == pytest.approx(0.15, abs=1e-12)
    assert m["ew_l1"].precision == pytest.approx(0.3, abs=1e-12)
    assert result.m_avg == pytest.approx(2.75 / 12, abs=1e-12)
    flat = result.flat()
    assert flat["ew_l1_fscore"] == m["ew_l1"].fscore and flat["m_avg"] == result.m_avg
    assert len(flat) == 14 * 3 + 1


def test_ew_l1_is_the_mean_of_wheel_f_not_f_of_mean_pr(tiny) -> None:
    # wheel1 (joy/gloom) gets P=1,R=1/2 on s1; wheel2 sees only sulky -> P=R=... different per wheel
    refs = [["glad", "sulky"]]
    preds = [["gladly"]]
    m = score_ew(refs, preds, tiny).metrics
    wheel_f = [m[f"wheel{w}_l1"].fscore for w in range(1, 6)]
    assert m["ew_l1"].fscore == pytest.approx(sum(wheel_f) / 5)
    assert m["wheel2_l1"].precision == 0 and m["wheel2_l1"].n_scored == 1  # G={calm}, P={}


def test_empty_reference_becomes_neutral_when_neutral_is_known(tmp_path: Path) -> None:
    rows = TINY_FORMAT + [("neutral", "['calm-ish']")]
    tables = load_wheel_tables(write_tiny_resources(tmp_path / "n", format_rows=rows,
                                                    run_a=[("neutral", "")] + [("glad", "")],
                                                    run_b=[("neutral", ""), ("glad", "")]))
    components = ew_sample_components([], ["calm-ish"], tables)
    assert components["form"] == (1.0, 1.0)  # [] -> ['neutral'], and 'calm-ish' is a form of it
    assert components["wheel1_l1"] is None  # neutral is on no wheel: skipped there


def test_duplicates_and_unmapped_predictions(tiny) -> None:
    # "GLAD" is not a key (components take parsed, lower-cased labels), "zzz"/"sulking" are unknown:
    # all dropped; "glad" and "gladly" both map to glad and collapse into one set element
    components = ew_sample_components(["glad"], ["glad", "gladly", "GLAD", "zzz", "sulking"], tiny)
    assert components["form"] == (1.0, 1.0)
    components = ew_sample_components(["glad"], parse_label_list("['glad', 'gladly', 'SULKY', 'zzz']"), tiny)
    assert components["form"] == (0.5, 1.0)  # parsing lower-cases SULKY, which now counts


def test_components_survive_json_and_resampling(tiny) -> None:
    samples = [ew_sample_components(r, p, tiny) for r, p in zip(REFERENCES, PREDICTIONS)]
    reloaded = json.loads(json.dumps(samples))
    assert aggregate_ew(reloaded).flat() == aggregate_ew(samples).flat()
    doubled = aggregate_ew(samples + samples).flat()
    for key, value in aggregate_ew(samples).flat().items():
        assert doubled[key] == pytest.approx(value, abs=1e-12)
    assert aggregate_ew([None, None]).metrics["form"].n_scored == 0


def test_hit_rate_hand_computed(tiny) -> None:
    labels = ["glad", "sulky", "neutral", "dourly"]
    predictions = [["gladly", "grim"], ["grim"], ["glad"], None]
    result = score_hit_rate([parse_label_list(x) for x in labels], predictions, tiny)
    # wheel1/3/5: C={joy, gloom}; hits [1,1,0]; m-scores [1/2 (P∩C has 2), 1, 0]
    assert result.per_wheel["wheel1_l1"] == pytest.approx((2 / 3, 0.5, 3))
    # wheel2/4: glad is skipped; sulky and dourly -> calm, predictions map to nothing there
    assert result.per_wheel["wheel2_l1"] == pytest.approx((0.0, 0.0, 2))
    assert result.hit_rate == pytest.approx(0.4)
    assert result.m_score == pytest.approx(0.3)


def test_hit_rate_components_are_self_contained(tiny) -> None:
    components = [hit_rate_sample_components(parse_label_list(r), p, tiny)
                  for r, p in [("glad", ["gladly"]), ("sulky", ["glad", "sulky"])]]
    assert components[0]["wheel1_l1"] == {"reference": ["joy"], "prediction": ["joy"]}
    assert components[0]["wheel2_l1"] is None
    reloaded = json.loads(json.dumps(components))
    result = aggregate_hit_rate(reloaded)
    assert result.per_wheel["wheel1_l1"] == pytest.approx((1.0, 0.75, 2))  # sample 2: 1 hit / 2 candidates


def _random_dataset(vocabulary: list[str], rng: random.Random, n: int) -> tuple[list[str], list[str | None]]:
    """Reference and prediction cells as strings, with every kind of oddity mixed in."""
    noise = ["", "zzz-unknown", "Happy ", "sulking", "[]", "neutral"]
    def cell(k: int) -> str:
        words = [rng.choice(vocabulary) if rng.random() < 0.85 else rng.choice(noise) for _ in range(k)]
        style = rng.randrange(3)
        if style == 0:
            return str(words)
        if style == 1:
            return "[" + ", ".join(words) + "]"
        return ", ".join(w.upper() if rng.random() < 0.1 else w for w in words)
    references = [cell(rng.randrange(0, 6)) for _ in range(n)]
    predictions: list[str | None] = [None if rng.random() < 0.05 else cell(rng.randrange(0, 7)) for _ in range(n)]
    return references, predictions


@pytest.mark.parametrize("version, seed", [("mer2025", 1), ("mer2025", 2), ("mer2026", 3)])
def test_ew_equals_the_oracle_on_random_predictions(shared_dir: Path, version: str, seed: int) -> None:
    directory = shared_dir / "data" / "emotion_wheel" / version
    tables = load_wheel_tables(directory)
    oracle = ew_oracle.oracle_for(directory)
    rng = random.Random(seed)
    references, predictions = _random_dataset(sorted(tables.vocabulary), rng, 300)
    ours = score_ew([parse_label_list(r) for r in references],
                    [parse_label_list(p) if p is not None else None for p in predictions], tables).flat()
    theirs = oracle.all_metrics(references, predictions)
    assert set(ours) == set(theirs)
    for key in theirs:
        assert ours[key] == pytest.approx(theirs[key], abs=1e-9), key


@pytest.mark.parametrize("version, seed", [("mer2025", 4), ("mer2026", 5)])
def test_hit_rate_equals_the_oracle_on_random_predictions(shared_dir: Path, version: str, seed: int) -> None:
    directory = shared_dir / "data" / "emotion_wheel" / version
    tables = load_wheel_tables(directory)
    oracle = ew_oracle.oracle_for(directory)
    rng = random.Random(seed)
    categories = ["happy", "sad", "angry", "worried", "surprise", "neutral", "fear", "disgust"]
    labels = [rng.choice(categories) for _ in range(300)]
    _, predictions = _random_dataset(sorted(tables.vocabulary), rng, 300)
    ours = score_hit_rate([parse_label_list(x) for x in labels],
                          [parse_label_list(p) if p is not None else None for p in predictions], tables)
    hit, m_score = oracle.hit_rate(labels, predictions)
    assert ours.hit_rate == pytest.approx(hit, abs=1e-9)
    assert ours.m_score == pytest.approx(m_score, abs=1e-9)


def test_real_references_score_one_against_themselves(shared_dir: Path, wheel_dir: Path) -> None:
    import csv

    with (shared_dir / "data" / "emer" / "ovmerd_openset_labels.csv").open(newline="") as fh:
        references = [parse_label_list(row["openset"]) for row in csv.DictReader(fh)]
    flat = score_ew(references, references, load_wheel_tables(wheel_dir)).flat()
    assert all(value == 1.0 for key, value in flat.items()), flat
    assert METRIC_NAMES[0] == "form"


def test_means_equal_the_references_numpy_means_to_the_last_bit() -> None:
    """Rule 4 means as the reference computes them: np.mean of the per-sample lists, and
    np.mean(rows, axis=0) over [F, P, R] rows of the wheels (EW-L1/L2) and of the 12 mappings (M-avg).
    An exact sum (math.fsum) differs in the last bit on these values: 'close' is not equal."""
    rng = random.Random(11)
    fractions = [0.0, 1.0, 1 / 2, 1 / 3, 2 / 3, 1 / 5, 2 / 5, 1 / 6, 5 / 6, 1 / 7, 3 / 7]
    columns = {name: [(rng.choice(fractions), rng.choice(fractions)) for _ in range(166)] for name in METRIC_NAMES}
    samples = [{name: columns[name][i] for name in METRIC_NAMES} for i in range(166)]
    ours = aggregate_ew(samples)
    import numpy as np

    rows = {}
    for name in METRIC_NAMES:
        p = np.mean([c[0] for c in columns[name]])
        r = np.mean([c[1] for c in columns[name]])
        rows[name] = [2 * (p * r) / (p + r), p, r]
        assert (ours.metrics[name].precision, ours.metrics[name].recall) == (p, r), name
    ew_l1 = np.mean([rows[f"wheel{w}_l1"] for w in range(1, 6)], axis=0).tolist()
    assert [ours.metrics["ew_l1"].fscore, ours.metrics["ew_l1"].precision, ours.metrics["ew_l1"].recall] == ew_l1
    m_avg = np.mean([rows[name] for name in METRIC_NAMES], axis=0).tolist()[0]
    assert ours.m_avg == m_avg
    exact = [math.fsum(c[0] for c in columns[name]) / 166 for name in METRIC_NAMES]
    assert exact != [ours.metrics[name].precision for name in METRIC_NAMES]  # the values do tell the sums apart


def test_hit_rate_means_equal_the_references_numpy_means() -> None:
    """Per wheel np.mean of the hits and m-scores, then np.mean(whole_scores, axis=0) over the 5 wheels."""
    import numpy as np

    rng = random.Random(12)
    labels = ["a", "b", "c", "d", "e", "f", "g"]
    samples: list = []
    expected, exact = [], []
    per_sample = []
    for _ in range(166):
        reference = rng.choice(labels)
        prediction = rng.sample(labels, k=rng.randint(1, 6))  # m-score 1/k when the reference is among them
        per_sample.append((reference, prediction))
    for k in range(len(HIT_RATE_METRICS)):
        hits = [float(ref in pred) for ref, pred in per_sample[k:] + per_sample[:k]]
        m_scores = [float(ref in pred) / len(pred) for ref, pred in per_sample[k:] + per_sample[:k]]
        expected.append([np.mean(hits), np.mean(m_scores)])
        exact.append(math.fsum(m_scores) / 166)
    assert exact != [e[1] for e in expected]  # the values tell an exact sum from numpy's apart
    for i in range(166):
        samples.append({name: {"reference": [per_sample[(i + k) % 166][0]],
                               "prediction": sorted(per_sample[(i + k) % 166][1])}
                        for k, name in enumerate(HIT_RATE_METRICS)})
    ours = aggregate_hit_rate(samples)
    assert [[ours.per_wheel[n][0], ours.per_wheel[n][1]] for n in HIT_RATE_METRICS] == expected
    assert [ours.hit_rate, ours.m_score] == np.mean(expected, axis=0).tolist()
