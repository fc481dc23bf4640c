"""MERBench label archives: the real files in ../shared, synthetic ones in the documented format,
and pickles that must be refused without running anything."""

from __future__ import annotations

import io
import os
import pickle
import zipfile
from pathlib import Path

import numpy as np
import pytest

from emer_bench.errors import DataError
from emer_bench.tasks.merbench import list_corpora, merbench_rows, read_corpus, restricted_loads

MELD = ["anger", "joy", "sadness", "neutral", "disgust", "fear", "surprise"]


def write_archive(path: Path, **corpora: object) -> Path:
    """An archive as MERBench writes it: np.savez_compressed of 0-d object arrays."""
    np.savez_compressed(path, **{k: np.array(v, dtype=object) for k, v in corpora.items()})
    return path


def npy_with_pickle(payload: bytes) -> bytes:
    """A .npy member whose object data is `payload` (an arbitrary pickle)."""
    fh = io.BytesIO()
    np.lib.format.write_array_header_1_0(fh, {"descr": "|O", "fortran_order": False, "shape": ()})
    return fh.getvalue() + payload


class _RunsCode:
    def __init__(self, marker: Path) -> None:
        self.marker = marker

    def __reduce__(self):
        return (os.system, (f"touch {self.marker}",))


# --- the real files (no media) -----------------------------------------------------------------

@pytest.mark.parametrize("folder, archive, corpus, count", [
    ("meld-process", "label.npz", "test_corpus", 2610),
    ("mer2023-dataset-process", "label-6way.npz", "test1_corpus", 411),
    ("cmumosi-process", "label.npz", "test_corpus", 686),
    ("cmumosei-process", "label.npz", "test_corpus", 4659),
    ("sims-process", "label.npz", "test_corpus", 457),
    ("simsv2-process", "label.npz", "test_corpus", 1034),
])
def test_real_archives_have_the_test_sizes_affectgpt_asserts(shared_dir, folder, archive, corpus, count):
    rows = merbench_rows(shared_dir / "data" / "merbench" / folder / archive, corpus, "name", None)
    assert len(rows) == count
    assert all(isinstance(r["name"], str) and isinstance(r["val"], (int, float)) for r in rows)


def test_real_meld_indexes_become_label_names(shared_dir):
    rows = merbench_rows(shared_dir / "data" / "merbench" / "meld-process" / "label.npz", "test_corpus", "name", MELD)
    assert rows[0] == {"name": "test_dia0_utt0", "emo": "surprise", "val": -10}
    assert {r["emo"] for r in rows} == set(MELD)


def test_real_iemocap_archive_has_one_whole_corpus(shared_dir):
    path = shared_dir / "data" / "merbench" / "iemocap-process" / "label_4way.npz"
    assert list_corpora(path) == ["whole_corpus"]
    assert len(read_corpus(path, "whole_corpus")) == 5531


# --- synthetic archives in the documented format -------------------------------------------------

def test_synthetic_archive_round_trips_with_numpy_scalars(tmp_path):
    path = write_archive(tmp_path / "label.npz", test_corpus={
        "c1": {"emo": np.int64(2), "val": np.float32(-1.5)}, "c2": {"emo": 0, "val": 0.4}})
    rows = merbench_rows(path, "test_corpus", "name", ["a", "b", "c"])
    assert rows == [{"name": "c1", "emo": "c", "val": -1.5}, {"name": "c2", "emo": "a", "val": pytest.approx(0.4)}]
    assert type(rows[0]["val"]) is float


def test_unknown_split_lists_the_splits(tmp_path):
    path = write_archive(tmp_path / "label.npz", train_corpus={}, test_corpus={})
    with pytest.raises(DataError, match=r"no split 'test1_corpus' \(splits: train_corpus, test_corpus\)"):
        read_corpus(path, "test1_corpus")


def test_label_index_outside_label_names_names_the_clip(tmp_path):
    path = write_archive(tmp_path / "label.npz", test_corpus={"c1": {"emo": 7, "val": 0}})
    with pytest.raises(DataError, match="clip 'c1': 'emo' 7 is not an index"):
        merbench_rows(path, "test_corpus", "name", ["a", "b"])


def test_wrong_structure_is_one_clear_error(tmp_path):
    path = write_archive(tmp_path / "label.npz", test_corpus={"c1": [1, 2]})
    with pytest.raises(DataError, match=r"label.npz\[test_corpus\]: clip 'c1': expected a str id and a dict"):
        read_corpus(path, "test_corpus")
    (tmp_path / "bad.npz").write_bytes(b"not a zip")
    with pytest.raises(DataError, match="not a MERBench label archive"):
        read_corpus(tmp_path / "bad.npz", "test_corpus")


def test_missing_archive_names_the_path(tmp_path):
    with pytest.raises(DataError, match=f"annotation file not found: {tmp_path / 'label.npz'}"):
        read_corpus(tmp_path / "label.npz", "test_corpus")


# --- malicious pickles: refused, never executed ---------------------------------------------------

def test_malicious_pickle_in_an_archive_is_refused_not_executed(tmp_path):
    marker = tmp_path / "pwned"
    path = tmp_path / "label.npz"
    with zipfile.ZipFile(path, "w") as archive:
        archive.writestr("test_corpus.npy", npy_with_pickle(pickle.dumps({"c1": _RunsCode(marker)})))
    with pytest.raises(DataError, match=r"unsafe or invalid pickle: refused global '(posix|os|nt)\.system'"):
        merbench_rows(path, "test_corpus", "name", None)
    assert not marker.exists()


@pytest.mark.parametrize("module, name", [("builtins", "eval"), ("builtins", "getattr"), ("subprocess", "Popen"),
                                          ("numpy", "load"), ("numpy.testing", "runstring")])
def test_only_numpy_array_globals_are_allowed(module, name):
    payload = b"\x80\x04c" + f"{module}\n{name}\n".encode() + b")R."
    with pytest.raises(pickle.UnpicklingError, match=f"refused global '{module}.{name}'"):
        restricted_loads(payload)


def test_plain_containers_and_arrays_unpickle():
    value = {"a": [1, 2.5, "x", None, True], "b": (np.arange(3), np.float64(2.0)), "c": {1, 2}}
    out = restricted_loads(pickle.dumps(value, protocol=4))
    assert out["a"] == value["a"] and out["c"] == {1, 2}
    assert np.array_equal(out["b"][0], np.arange(3)) and out["b"][1] == 2.0


def test_protocol_5_arrays_unpickle():
    assert restricted_loads(pickle.dumps(np.arange(3), protocol=5)).tolist() == [0, 1, 2]
