"""MERBench's processed label archives (`<dataset>-process/label*.npz`), read without running code.

Layout (MERTools/MERBench and AffectGPT write them with `np.savez_compressed(path,
train_corpus=..., test_corpus=...)`, read back with `np.load(path, allow_pickle=True)`): a zip
of `.npy` members, one per split (`train_corpus`, `val_corpus`, `test_corpus`; MER2023/MER2024
`test1_corpus`..`test3_corpus`; IEMOCAP one `whole_corpus`). Each member is a 0-d object array
holding a pickled dict `{clip_id: {"emo": <label>, "val": <float>}}`; `emo` is a class index
(MELD, IEMOCAP), a label string (MER2023/2024) or 0 (sentiment datasets); `val` is the valence
(-10 where a dataset has none).

`np.load(..., allow_pickle=True)` would run whatever a pickle asks for, and these files come
from users' folders. So the pickle is read by `RestrictedUnpickler`: plain containers, strings
and numbers, plus the few NumPy globals needed to rebuild arrays and scalars. Any other global
(`os.system`, `builtins.eval`, a class) is refused before it is called.
"""

from __future__ import annotations

import io
import pickle
import zipfile
from pathlib import Path
from typing import Any

import numpy as np

from emer_bench.errors import DataError

# (module, name) -> the object an allowed global resolves to. numpy >= 2 moved numpy.core to
# numpy._core; pickles written by either version name one of the two.
try:
    from numpy._core import multiarray as _multiarray
    from numpy._core import numeric as _numeric
except ImportError:  # numpy < 2
    from numpy.core import multiarray as _multiarray  # type: ignore[no-redef]
    from numpy.core import numeric as _numeric  # type: ignore[no-redef]

_NUMPY_GLOBALS: dict[tuple[str, str], Any] = {
    ("numpy", "ndarray"): np.ndarray,
    ("numpy", "dtype"): np.dtype,
}
for _prefix in ("numpy.core", "numpy._core"):
    _NUMPY_GLOBALS[(f"{_prefix}.multiarray", "_reconstruct")] = _multiarray._reconstruct
    _NUMPY_GLOBALS[(f"{_prefix}.multiarray", "scalar")] = _multiarray.scalar
    # protocol-5 pickles of arrays (ndarray.__reduce_ex__(5)) rebuild through _frombuffer
    _NUMPY_GLOBALS[(f"{_prefix}.numeric", "_frombuffer")] = _numeric._frombuffer  # type: ignore[attr-defined]


class RestrictedUnpickler(pickle.Unpickler):
    """Unpickles plain containers, strings, numbers and NumPy arrays/scalars only."""

    def find_class(self, module: str, name: str) -> Any:
        target = _NUMPY_GLOBALS.get((module, name))
        if target is None:
            raise pickle.UnpicklingError(f"refused global '{module}.{name}' "
                                         "(only NumPy arrays and scalars are allowed)")
        return target

    def persistent_load(self, pid: Any) -> Any:
        raise pickle.UnpicklingError("refused persistent id")


def restricted_loads(data: bytes) -> Any:
    return RestrictedUnpickler(io.BytesIO(data)).load()


def _read_npy(raw: bytes, where: str) -> Any:
    """One `.npy` member: numeric arrays directly, object arrays through the restricted unpickler."""
    fh = io.BytesIO(raw)
    try:
        version = np.lib.format.read_magic(fh)
        if version == (1, 0):
            shape, _fortran, dtype = np.lib.format.read_array_header_1_0(fh)
        else:
            shape, _fortran, dtype = np.lib.format.read_array_header_2_0(fh)
    except ValueError as exc:
        raise DataError(f"{where}: not a .npy array ({exc})") from None
    if not dtype.hasobject:
        fh.seek(0)
        return np.lib.format.read_array(fh, allow_pickle=False)
    try:
        value = restricted_loads(fh.read())
    except pickle.UnpicklingError as exc:
        raise DataError(f"{where}: unsafe or invalid pickle: {exc}") from None
    except Exception as exc:  # noqa: BLE001 - a truncated/corrupt pickle raises many types
        raise DataError(f"{where}: cannot read the pickled array ({type(exc).__name__}: {exc})") from None
    if isinstance(value, np.ndarray) and value.shape == ():
        return value.item()
    return value


def list_corpora(path: Path) -> list[str]:
    """The split names in a label archive (member names without `.npy`)."""
    try:
        with zipfile.ZipFile(path) as archive:
            return [n[:-4] for n in archive.namelist() if n.endswith(".npy")]
    except (zipfile.BadZipFile, OSError) as exc:
        raise DataError(f"{path}: not a MERBench label archive (.npz zip): {exc}") from None


def read_corpus(path: Path, corpus: str) -> dict[str, dict[str, Any]]:
    """`{clip_id: {"emo": ..., "val": ...}}` of one split, checked for the documented structure."""
    if not path.is_file():
        raise DataError(f"annotation file not found: {path}")
    names = list_corpora(path)
    if corpus not in names:
        raise DataError(f"{path}: no split '{corpus}' (splits: {', '.join(names) or 'none'})")
    with zipfile.ZipFile(path) as archive:
        raw = archive.read(f"{corpus}.npy")
    where = f"{path}[{corpus}]"
    value = _read_npy(raw, where)
    if not isinstance(value, dict):
        raise DataError(f"{where}: expected a dict of clip id -> {{emo, val}}, got {type(value).__name__}")
    for clip_id, entry in value.items():
        if not isinstance(clip_id, str) or not isinstance(entry, dict):
            raise DataError(f"{where}: clip {clip_id!r}: expected a str id and a dict of fields, "
                            f"got {type(clip_id).__name__} -> {type(entry).__name__}")
    return value


def _plain(value: Any) -> Any:
    """NumPy scalars as Python numbers (the CSV/JSONL readers hand over plain values too)."""
    return value.item() if isinstance(value, np.generic) else value


def merbench_rows(path: Path, corpus: str, id_column: str, label_names: list[str] | None) -> list[dict[str, Any]]:
    """One row per clip: `{id_column: clip_id, "emo": ..., "val": ...}` in the archive's order.

    `label_names` turns a class index into its name (MELD and IEMOCAP store indexes); an index
    outside the list is a DataError naming the clip."""
    rows = []
    for clip_id, entry in read_corpus(path, corpus).items():
        row: dict[str, Any] = {id_column: clip_id, **{str(k): _plain(v) for k, v in entry.items()}}
        emo = row.get("emo")
        if label_names is not None and emo is not None and not isinstance(emo, str):
            if not isinstance(emo, int) or not 0 <= emo < len(label_names):
                raise DataError(f"{path}[{corpus}]: clip '{clip_id}': 'emo' {emo!r} is not an index into "
                                f"label_names ({len(label_names)} names)")
            row["emo"] = label_names[emo]
        rows.append(row)
    return rows
