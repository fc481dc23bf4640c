"""Reported figures: validated (one line naming file and key), kept as printed, marked."""

from __future__ import annotations

from pathlib import Path

import pytest

from emer_bench.errors import ConfigError
from emer_bench.leaderboard.reported import load_reported, load_reported_file

FIXTURE = Path(__file__).parent / "fixtures" / "reported_example.yaml"


def test_fixture_loads_with_citation() -> None:
    rf = load_reported_file(FIXTURE)
    assert rf.source.table == "Table 3" and rf.source.year == 2025
    assert [(f.model, f.task, f.metric, f.value) for f in rf.figures][1] == (
        "Example-MLLM", "emer-demo", "label_overlap.fscore", 56.7)


@pytest.mark.parametrize("text,message", [
    ("source: {title: t, authors: a, year: 2025, url: 'ftp://x', table: T1}\nfigures: [{model: m, task: t, "
     "metric: x, value: 1}]", "key 'source.url': Value error, must start with https://"),
    ("source: {title: t, authors: a, year: 2025, url: 'https://x', table: T1}\nfigures: [{model: m, task: t, "
     "metric: x}]", "missing key 'figures.0.value'"),
    ("source: {title: t, authors: a, year: 2025, url: 'https://x'}\nfigures: [{model: m, task: t, metric: x, "
     "value: 1}]", "missing key 'source.table'"),
    ("source: {title: t, authors: a, year: 2025, url: 'https://x', table: T}\nfigures: [{model: m, task: t, "
     "metric: x, value: 1, rank: 1}]", "unknown key 'figures.0.rank'"),
    ("source: [oops", "invalid YAML"),
])
def test_bad_file_is_one_line_naming_file_and_key(tmp_path: Path, text: str, message: str) -> None:
    path = tmp_path / "paper.yaml"
    path.write_text(text, encoding="utf-8")
    with pytest.raises(ConfigError) as info:
        load_reported_file(path)
    assert str(info.value).startswith(str(path)) and message in str(info.value)
    assert "\n" not in str(info.value)


def test_folder_is_read_in_name_order(tmp_path: Path) -> None:
    for name in ("b.yaml", "a.yml"):
        (tmp_path / name).write_text(FIXTURE.read_text(encoding="utf-8"), encoding="utf-8")
    (tmp_path / "README.md").write_text("not a figures file")
    assert [name for name, _ in load_reported(tmp_path)] == ["a.yml", "b.yaml"]
