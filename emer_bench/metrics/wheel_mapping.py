"""The EW label mappings as pure data (docs/openvocab-metrics.md §2-§3): the 12 mapping names,
the parsed `WheelTables`, and rule 3 precomputed for every label so that scoring is dict lookups.

Reading the resource files into these tables is IO and lives in
`emer_bench/resources/wheel_tables.py`; this module only computes.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from pathlib import Path

WHEELS: tuple[int, ...] = (1, 2, 3, 4, 5)
LEVELS: tuple[int, ...] = (1, 2)


def wheel_metric_name(wheel: int, level: int) -> str:
    return f"wheel{wheel}_l{level}"


# The 12 mappings in a fixed order; `WheelTables.mapped[label][k]` belongs to METRIC_NAMES[k].
METRIC_NAMES: tuple[str, ...] = ("form", "synonym") + tuple(
    wheel_metric_name(w, level) for w in WHEELS for level in LEVELS)
METRIC_INDEX: dict[str, int] = {name: k for k, name in enumerate(METRIC_NAMES)}

MappedLabel = tuple[str | None, ...]  # one entry per METRIC_NAMES; None = dropped


@dataclass(frozen=True)
class WheelTables:
    """Parsed emotion-wheel resources of one directory."""

    directory: Path
    sha256: dict[str, str]  # file name -> hex digest
    form_map: dict[str, list[str]]  # surface form -> base names (in file order, repeats kept)
    synonym_map: dict[str, list[str]]  # word -> wheel words (sorted, unique; union of the 8 runs)
    wheel_maps: dict[tuple[int, int], dict[str, str]]  # (wheel, level) -> word -> cluster word
    vocabulary: frozenset[str]  # every label rule 3 can map (the keys of the form map)
    mapped: dict[str, MappedLabel] = field(repr=False)  # label -> its value under each mapping
    warnings: tuple[str, ...] = ()

    def map_label(self, label: str, metric: str) -> str | None:
        """Rule 3 for one (already lower-cased) label; None when it is dropped."""
        values = self.mapped.get(label)
        return None if values is None else values[METRIC_INDEX[metric]]


def wheel_map_from_tree(tree: dict[str, dict[str, list[str]]], level: int) -> dict[str, str]:
    """Level 1: every word -> its level-1 word. Level 2: every level-2/3 word -> its level-2 word,
    a level-1 word -> the alphabetically first level-2 word under it. Later assignments win."""
    wheel_map: dict[str, str] = {}
    for level1, branches in tree.items():
        wheel_map[level1] = level1 if level == 1 else sorted(branches)[0]
        for level2, leaves in branches.items():
            target = level1 if level == 1 else level2
            wheel_map[level2] = target
            for level3 in leaves:
                wheel_map[level3] = target
    return wheel_map


def map_all_labels(form_map: dict[str, list[str]], synonym_map: dict[str, list[str]],
                    wheel_maps: dict[tuple[int, int], dict[str, str]]) -> dict[str, MappedLabel]:
    """Rule 3 for every key of the form map (any other label is dropped by every mapping)."""
    ordered_maps = [wheel_maps[(w, level)] for w in WHEELS for level in LEVELS]
    mapped: dict[str, MappedLabel] = {}
    for label, names in form_map.items():
        base = min(names)  # "alphabetically first" = Python string order, as sorted()[0]
        synonyms_of_base = synonym_map.get(base)
        synonym = synonyms_of_base[0] if synonyms_of_base else None
        pool = sorted({word for name in names for word in synonym_map.get(name, ())})
        values: list[str | None] = [base, synonym]
        for wheel_map in ordered_maps:
            values.append(next((wheel_map[word] for word in pool if word in wheel_map), None))
        mapped[label] = tuple(None if value == "" else value for value in values)
    return mapped
