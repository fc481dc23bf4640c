"""Reading the emotion-wheel resource files into the three lookup tables of the EW metrics
(docs/openvocab-metrics.md §2); the pure mapping step (§3) is `emer_bench/metrics/wheel_mapping.py`.
Parsed tables are cached per directory and content hash.

Faithful to the reference code (`read_format2raws`, `read_candidate_synonym_merge`,
`read_wheel_to_map`, `func_get_wheel_cluster`, `func_backward_case1/2/3`), including:
- format.csv names and forms are not lower-cased (labels are), so a capitalised form never matches;
- a blank wheel cell inherits the last non-blank value of its column, even across branches;
- when a word occurs twice in a wheel, the assignment made last in tree order wins;
- a mapped value of "" counts as unmapped (the reference drops "" results).
Where the reference code would crash, we decide instead (documented, never silent):
- a format.csv name without a synonym.xlsx entry: dropped under the synonym/wheel mappings
  (the reference raises KeyError); listed in `WheelTables.warnings`;
- a synonym run whose word and synonym cells are both blank is skipped (upstream: crash);
- a non-text cell where a word is expected -> ResourceError naming file, row and column.
"""

from __future__ import annotations

import threading
from pathlib import Path

from emer_bench.errors import ResourceError
from emer_bench.resources.file_hashes import file_sha256
from emer_bench.metrics.labels import split_label_string
from emer_bench.metrics.wheel_mapping import LEVELS, WHEELS, WheelTables, map_all_labels, wheel_map_from_tree
from emer_bench.resources.sheets import Cell, Table, is_pandas_missing, read_csv_table, read_xlsx_table

SYNONYM_RUNS: tuple[int, ...] = tuple(range(1, 9))
RESOURCE_FILES: tuple[str, ...] = ("format.csv", "synonym.xlsx") + tuple(f"wheel{i}.xlsx" for i in WHEELS)


def _text_cell(table: Table, row: int, column: str, cell: Cell) -> str:
    if not isinstance(cell, str):
        raise ResourceError(f"{table.path}: row {row + 2}, column '{column}': expected text, got {cell!r}")
    return cell


def _columns(table: Table, names: list[str]) -> list[int]:
    missing = [name for name in names if name not in table.header]
    if missing:
        raise ResourceError(f"{table.path}: missing column(s) {missing}; found {table.header}")
    return [table.column(name) for name in names]


def read_form_map(path: Path) -> dict[str, list[str]]:
    """format.csv: every form of a row -> its name, and the name -> itself (rule 2)."""
    table = read_csv_table(path, ResourceError)
    name_col, format_col = _columns(table, ["name", "format"])
    form_map: dict[str, list[str]] = {}
    for row in table.rows:
        name = "" if is_pandas_missing(row[name_col]) else str(row[name_col])
        forms_cell = "" if is_pandas_missing(row[format_col]) else str(row[format_col])
        for form in split_label_string(forms_cell) if forms_cell else []:
            form_map.setdefault(form, []).append(name)
        form_map.setdefault(name, []).append(name)
    return form_map


def read_synonym_map(path: Path) -> dict[str, list[str]]:
    """synonym.xlsx: union over the 8 runs of word -> word and synonym -> word (rule 2)."""
    table = read_xlsx_table(path, ResourceError)
    merged: dict[str, set[str]] = {}
    for run in SYNONYM_RUNS:
        word_name, syn_name = f"word_run{run}", f"synonym_run{run}"
        word_col, syn_col = _columns(table, [word_name, syn_name])
        for r, row in enumerate(table.rows):
            word_cell, syn_cell = row[word_col], row[syn_col]
            if is_pandas_missing(word_cell):
                if is_pandas_missing(syn_cell):
                    continue  # a shorter run: nothing to map
                raise ResourceError(f"{path}: row {r + 2}: '{syn_name}' has synonyms but '{word_name}' is blank")
            word = _text_cell(table, r, word_name, word_cell).strip().lower()
            merged.setdefault(word, set()).add(word)
            if not is_pandas_missing(syn_cell):
                for synonym in split_label_string(_text_cell(table, r, syn_name, syn_cell)):
                    merged.setdefault(synonym.strip().lower(), set()).add(word)
    return {key: sorted(values) for key, values in merged.items()}


def read_wheel_tree(path: Path) -> dict[str, dict[str, list[str]]]:
    """wheelI.xlsx: level1 -> level2 -> [level3], blanks inheriting the value above (rule 2)."""
    table = read_xlsx_table(path, ResourceError)
    names = ["level1", "level2", "level3"]
    columns = _columns(table, names)
    current = ["", "", ""]
    tree: dict[str, dict[str, list[str]]] = {}
    for r, row in enumerate(table.rows):
        for j, col in enumerate(columns):
            if not is_pandas_missing(row[col]):
                current[j] = _text_cell(table, r, names[j], row[col])
        current = [value.lower().strip() for value in current]
        level1, level2, level3 = current
        tree.setdefault(level1, {}).setdefault(level2, []).append(level3)
    return tree


def resource_hashes(directory: Path) -> dict[str, str]:
    """sha256 of each resource file; ResourceError naming every missing file."""
    missing = [name for name in RESOURCE_FILES if not (directory / name).is_file()]
    if missing:
        raise ResourceError(f"emotion-wheel directory {directory} lacks {', '.join(missing)}")
    return {name: file_sha256(directory / name) for name in RESOURCE_FILES}


def parse_wheel_tables(directory: Path, sha256: dict[str, str]) -> WheelTables:
    form_map = read_form_map(directory / "format.csv")
    synonym_map = read_synonym_map(directory / "synonym.xlsx")
    wheel_maps: dict[tuple[int, int], dict[str, str]] = {}
    for wheel in WHEELS:
        tree = read_wheel_tree(directory / f"wheel{wheel}.xlsx")
        for level in LEVELS:
            wheel_maps[(wheel, level)] = wheel_map_from_tree(tree, level)
    orphans = sorted({name for names in form_map.values() for name in names} - set(synonym_map))
    warnings: tuple[str, ...] = ()
    if orphans:
        warnings = (f"format.csv names without a synonym.xlsx entry (dropped under the synonym and wheel "
                    f"mappings; the reference code would stop with a KeyError): {orphans[:10]}"
                    + (f" and {len(orphans) - 10} more" if len(orphans) > 10 else ""),)
    return WheelTables(directory=directory, sha256=sha256, form_map=form_map, synonym_map=synonym_map,
                       wheel_maps=wheel_maps, vocabulary=frozenset(form_map),
                       mapped=map_all_labels(form_map, synonym_map, wheel_maps), warnings=warnings)


_CACHE: dict[tuple[str, tuple[tuple[str, str], ...]], WheelTables] = {}
_CACHE_LOCK = threading.Lock()


def load_wheel_tables(directory: Path) -> WheelTables:
    """Parse `directory` once per process; re-parsed only when a file's content changes."""
    resolved = Path(directory).expanduser().resolve()
    if not resolved.is_dir():
        raise ResourceError(f"emotion-wheel directory not found: {directory}")
    sha256 = resource_hashes(resolved)
    key = (str(resolved), tuple(sorted(sha256.items())))
    with _CACHE_LOCK:
        cached = _CACHE.get(key)
        if cached is None:
            cached = _CACHE[key] = parse_wheel_tables(resolved, sha256)
    return cached
