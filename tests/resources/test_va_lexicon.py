"""Valence/arousal lexicons: the built-in Russell (1980) table, NRC-VAD-format files, geometry."""

from __future__ import annotations

import math
from pathlib import Path

import pytest

from emer_bench.errors import ResourceError
from emer_bench.resources.va_lexicon import (BUILTIN_TABLE, centroid, load_builtin, load_lexicon, map_labels,
                                           mean_nearest_distance, sign)

RUSSELL_1980_ANGLES = {"pleasure": 0, "excitement": 45, "arousal": 90, "distress": 135, "displeasure": 180,
                       "depression": 225, "sleepiness": 270, "relaxation": 315}


def test_builtin_table_places_russell_anchors_on_the_unit_circle() -> None:
    lexicon = load_builtin()
    for word, angle in RUSSELL_1980_ANGLES.items():
        v, a = lexicon.lookup(word)  # type: ignore[misc]
        assert v == pytest.approx(math.cos(math.radians(angle)), abs=1e-6)
        assert a == pytest.approx(math.sin(math.radians(angle)), abs=1e-6)
    assert lexicon.lookup("Excited") == lexicon.lookup("excitement")
    assert lexicon.lookup("neutral") == (0.0, 0.0)
    assert lexicon.source == "builtin:circumplex" and len(lexicon.sha256) == 64


def test_builtin_table_cites_a_source_for_every_row() -> None:
    lines = [ln for ln in BUILTIN_TABLE.read_text().splitlines() if ln and not ln.startswith("#")]
    header, rows = lines[0].split("\t"), [ln.split("\t") for ln in lines[1:]]
    assert header == ["word", "valence", "arousal", "angle_deg", "source"]
    text = BUILTIN_TABLE.read_text()
    for row in rows:
        source = row[4].split(" ")[0]
        assert source in {"R80", "R80-form", "centre", "NRC18"} and f"[{source}]" in text
        if source == "NRC18":  # the quoted raw [0, 1] ratings, rescaled by 2x - 1
            raw = dict(part.split("=") for part in row[4].split(" ")[1:])
            assert float(row[1]) == pytest.approx(2 * float(raw["v"]) - 1, abs=5e-4)
            assert float(row[2]) == pytest.approx(2 * float(raw["a"]) - 1, abs=5e-4)
    words = [row[0] for row in rows]
    assert len(words) == len(set(words))  # a repeated word would be silently shadowed


def test_nrc_vad_unit_scale_file(tmp_path: Path) -> None:
    path = tmp_path / "vad.txt"
    path.write_text("Word\tValence\tArousal\tDominance\nhappy\t1.000\t0.735\t0.772\n"
                    "sad\t0.052\t0.288\t0.164\n# a comment\n\nHappy\t0.0\t0.0\t0.0\n", encoding="utf-8")
    lexicon = load_lexicon(path, "unit")
    assert lexicon.lookup("HAPPY") == pytest.approx((1.0, 0.47))  # 2x - 1; the first entry wins
    assert lexicon.lookup("sad") == pytest.approx((-0.896, -0.424))
    assert lexicon.describe()["entries"] == 2


def test_signed_scale_file_without_header(tmp_path: Path) -> None:
    path = tmp_path / "v2.tsv"
    path.write_text("calm\t0.6\t-0.7\n", encoding="utf-8")
    assert load_lexicon(path, "signed").lookup("calm") == (0.6, -0.7)


@pytest.mark.parametrize("content, message", [
    ("happy\t-0.5\t0.3\n", r"valence -0.5 of 'happy' is outside \[0, 1\]"),
    ("happy\t0.5\n", "expected 'word<TAB>valence<TAB>arousal'"),
    ("happy\t0.5\t0.5\nsad\tlow\t0.1\n", "valence 'low' is not a number"),
    ("# only a comment\n", "has no entries"),
])
def test_bad_lexicon_files(tmp_path: Path, content: str, message: str) -> None:
    path = tmp_path / "bad.tsv"
    path.write_text(content, encoding="utf-8")
    with pytest.raises(ResourceError, match=message):
        load_lexicon(path, "unit")


def test_missing_file(tmp_path: Path) -> None:
    with pytest.raises(ResourceError, match="cannot be read"):
        load_lexicon(tmp_path / "nope.tsv", "unit")


def test_geometry_by_hand() -> None:
    assert centroid([(1.0, 0.0), (0.0, 1.0)]) == (0.5, 0.5)
    # a = {(0,0)}, b = {(1,0), (0,1)}: a->b nearest 1; b->a nearest 1 and 1 -> (1 + 1) / 2
    assert mean_nearest_distance([(0.0, 0.0)], [(1.0, 0.0), (0.0, 1.0)]) == pytest.approx(1.0)
    # a = {(0,0),(1,0)}, b = {(1,0)}: a->b (1 + 0)/2 = 0.5; b->a 0 -> 0.25
    assert mean_nearest_distance([(0.0, 0.0), (1.0, 0.0)], [(1.0, 0.0)]) == pytest.approx(0.25)
    assert sign(0.05, 0.1) == 0 and sign(-0.2, 0.1) == -1 and sign(0.2, 0.0) == 1 and sign(0.0, 0.0) == 0


def test_map_labels_counts_distinct_labels() -> None:
    points, n = map_labels(load_builtin(), ["Excited", "excited ", "saddle", ""])
    assert n == 2 and points == [pytest.approx((0.707107, 0.707107))]
