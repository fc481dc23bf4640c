"""Rule 2 (lookup tables) and rule 3 (mapping one label) on hand-made and real resources."""

from __future__ import annotations

import sys
from pathlib import Path

import pytest

sys.path.insert(0, str(Path(__file__).resolve().parents[1] / "metrics"))  # noqa: E402 (support modules live there)
from ew_testdata import TINY_WHEEL_A, load_support, write_csv, write_tiny_resources, write_xlsx  # noqa: E402

from emer_bench.errors import ResourceError
from emer_bench.metrics.wheel_mapping import METRIC_NAMES
from emer_bench.resources.wheel_tables import (RESOURCE_FILES, load_wheel_tables,
                                             parse_wheel_tables, resource_hashes)

sys.path.pop(0)
ew_oracle = load_support("ew_oracle")


@pytest.fixture()
def tiny(tmp_path: Path):
    directory = write_tiny_resources(tmp_path / "tiny")
    return load_wheel_tables(directory)


def test_form_map_appends_names_and_keeps_case(tiny) -> None:
    assert tiny.form_map["gladness"] == ["glad", "cheery"]  # a form of two names
    assert tiny.form_map["glad"] == ["glad", "glad"]  # listed as a form AND the name itself
    assert tiny.form_map["grim"] == ["grim"]  # empty format cell: only name -> name
    assert "Sulking" in tiny.form_map and "sulking" not in tiny.form_map  # forms are not lower-cased
    assert tiny.vocabulary == frozenset(tiny.form_map)


def test_synonym_map_is_the_union_of_runs_lowercased_and_sorted(tiny) -> None:
    assert tiny.synonym_map["cheery"] == ["blithe", "glad"]  # run A: glad, run B: blithe
    assert tiny.synonym_map["glad"] == ["glad"]  # "Glad " in run B is stripped and lower-cased
    assert tiny.synonym_map["moody"] == ["sulky"]  # "Moody " synonym stripped + lower-cased
    assert tiny.synonym_map["dour"] == ["grim", "sulky"]
    assert "cheery" not in tiny.synonym_map["cheery"]  # only words map to themselves
    assert tiny.synonym_map["blithe"] == ["blithe"]  # "[]" adds no synonyms


def test_wheel_maps_levels_inheritance_and_last_assignment(tiny) -> None:
    level1, level2 = tiny.wheel_maps[(1, 1)], tiny.wheel_maps[(1, 2)]
    assert level1 == {"joy": "joy", "blithe": "joy", "glad": "joy", "beaming": "joy", "cheery": "joy",
                      "gloom": "gloom", "sulky": "gloom", "moody": "gloom", "grim": "gloom"}
    assert level2["joy"] == "blithe"  # level-1 word -> alphabetically first level-2 word under it
    assert level2["gloom"] == "grim"
    assert level2["beaming"] == "cheery"  # inherited into "cheery"'s row: the later assignment wins
    assert level2["moody"] == "grim"
    assert tiny.wheel_maps[(2, 1)] == {"calm": "calm", "serene": "calm", "sulky": "calm"}
    assert tiny.wheel_maps[(2, 2)] == {"calm": "serene", "serene": "serene", "sulky": "serene"}


@pytest.mark.parametrize("label, expected", [
    # form, synonym, w1l1, w1l2, w2l1, w2l2, w3l1, w3l2, w4l1, w4l2, w5l1, w5l2
    ("gladness", ("cheery", "blithe", "joy", "blithe", None, None, "joy", "blithe", None, None, "joy", "blithe")),
    ("gladly", ("glad", "glad", "joy", "blithe", None, None, "joy", "blithe", None, None, "joy", "blithe")),
    ("cheerily", ("cheery", "blithe", "joy", "blithe", None, None, "joy", "blithe", None, None, "joy", "blithe")),
    # pool of dour = synonym_map[dour] = [grim, sulky]: wheel1 takes grim, wheel2 only knows sulky
    ("dourly", ("dour", "grim", "gloom", "grim", "calm", "serene", "gloom", "grim", "calm", "serene",
                "gloom", "grim")),
    ("sulky", ("sulky", "sulky", "gloom", "sulky", "calm", "serene", "gloom", "sulky", "calm", "serene",
               "gloom", "sulky")),
    ("grim", ("grim", "grim", "gloom", "grim", None, None, "gloom", "grim", None, None, "gloom", "grim")),
])
def test_mapping_one_label(tiny, label: str, expected: tuple) -> None:
    assert tuple(tiny.map_label(label, m) for m in METRIC_NAMES) == expected


def test_unknown_labels_are_dropped_everywhere(tiny) -> None:
    for label in ("sulking", "beaming", "neutral", ""):  # beaming is a wheel word but not a form
        assert all(tiny.map_label(label, m) is None for m in METRIC_NAMES)


def test_empty_mapped_value_counts_as_dropped(tmp_path: Path) -> None:
    # pandas reads the name "NA" as NaN -> "": the form "nada" maps to "" and is dropped (not "")
    rows = [("NA", "['nada']"), ("glad", "['gladly']")]
    tables = load_wheel_tables(write_tiny_resources(tmp_path / "na", format_rows=rows))
    assert tables.form_map["nada"] == [""]
    assert tables.map_label("nada", "form") is None


def test_orphan_names_are_dropped_and_warned(tmp_path: Path) -> None:
    rows = [("glad", "['gladly']"), ("zonky", "['zonked']")]  # zonky has no synonym entry
    tables = load_wheel_tables(write_tiny_resources(tmp_path / "orphan", format_rows=rows))
    assert tables.map_label("zonked", "form") == "zonky"
    assert tables.map_label("zonked", "synonym") is None
    assert tables.map_label("zonked", "wheel1_l1") is None
    assert any("zonky" in w for w in tables.warnings)


def test_whitespace_cell_is_not_blank_and_na_text_is(tmp_path: Path) -> None:
    wheel = [("Joy", "blithe", "xyz"), (None, "NA", "happyish"), (None, "  ", "glad")]
    tables = load_wheel_tables(write_tiny_resources(tmp_path / "ws", wheels={i: wheel for i in range(1, 6)}))
    level2 = tables.wheel_maps[(1, 2)]
    assert level2["happyish"] == "blithe"  # "NA" is NaN for pandas: inherits "blithe"
    assert level2["glad"] == ""  # "  " is a value: stripped to ""
    assert tables.map_label("gladly", "wheel1_l2") is None  # ... and "" results are dropped
    assert tables.map_label("gladly", "wheel1_l1") == "joy"


def test_bad_resources_raise_resource_errors(tmp_path: Path) -> None:
    directory = write_tiny_resources(tmp_path / "bad")
    (directory / "wheel3.xlsx").unlink()
    with pytest.raises(ResourceError, match="lacks wheel3.xlsx"):
        load_wheel_tables(directory)
    with pytest.raises(ResourceError, match="not found"):
        load_wheel_tables(tmp_path / "nowhere")
    directory = write_tiny_resources(tmp_path / "bad2")
    write_xlsx(directory / "wheel2.xlsx", ["level1", "level2", "level3"], [("Joy", 5, "glad")])
    with pytest.raises(ResourceError, match=r"wheel2\.xlsx: row 2, column 'level2': expected text, got 5"):
        load_wheel_tables(directory)
    directory = write_tiny_resources(tmp_path / "bad3")
    write_csv(directory / "format.csv", ["label", "format"], [("a", "b")])
    with pytest.raises(ResourceError, match=r"format\.csv: missing column\(s\) \['name'\]"):
        load_wheel_tables(directory)
    directory = write_tiny_resources(tmp_path / "bad4", run_b=[(None, "['x']")])  # type: ignore[list-item]
    with pytest.raises(ResourceError, match="'word_run2' is blank"):
        load_wheel_tables(directory)


def test_shorter_synonym_run_is_allowed(tmp_path: Path) -> None:
    tables = load_wheel_tables(write_tiny_resources(tmp_path / "short", run_b=[("glad", "['jolly']")]))
    assert tables.synonym_map["jolly"] == ["glad"]


def test_cache_is_keyed_by_content(tmp_path: Path) -> None:
    directory = write_tiny_resources(tmp_path / "cached")
    first = load_wheel_tables(directory)
    assert load_wheel_tables(directory) is first
    write_csv(directory / "format.csv", ["name", "format"], [("glad", "['gleeful']")])
    second = load_wheel_tables(directory)
    assert second is not first and "gleeful" in second.vocabulary
    assert set(second.sha256) == set(RESOURCE_FILES)
    assert second.sha256 == resource_hashes(directory.resolve())


@pytest.mark.parametrize("version", ["mer2025", "mer2026"])
def test_real_tables_equal_the_oracle(shared_dir: Path, version: str) -> None:
    directory = shared_dir / "data" / "emotion_wheel" / version
    tables = load_wheel_tables(directory)
    oracle = ew_oracle.oracle_for(directory)
    assert tables.form_map == oracle.form_map
    assert tables.synonym_map == {k: sorted(set(v)) for k, v in oracle.synonym_map.items()}
    for (wheel, level), wheel_map in tables.wheel_maps.items():
        assert wheel_map == oracle.wheel_maps[f"wheel{wheel}_l{level}"]
    assert tables.warnings == ()
    for label in tables.vocabulary:  # every label, every mapping
        for metric in METRIC_NAMES:
            assert (tables.map_label(label, metric) or "") == oracle.map_one(label, metric), (label, metric)


def test_tiny_tables_equal_the_oracle(tmp_path: Path) -> None:
    directory = write_tiny_resources(tmp_path / "tiny")
    tables = parse_wheel_tables(directory, {})
    oracle = ew_oracle.Oracle(directory)
    for label in list(tables.vocabulary) + ["sulking", "nothing"]:
        for metric in METRIC_NAMES:
            assert (tables.map_label(label, metric) or "") == oracle.map_one(label, metric), (label, metric)
    assert TINY_WHEEL_A[0][0] == "Joy"
