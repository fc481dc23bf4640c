"""Scores that depend on files outside emer-bench (a local embedding or BERTScore model
directory, the WordNet database and emotion-wheel resources of the offline extractor) are reused
only while those files are unchanged: their contents are hashed into the scoring digest
(emer_bench/resources/file_hashes.py), each changed input re-scores, and a reuse gives the
numbers of scoring from scratch."""

from __future__ import annotations

import os
import shutil
import sys
from pathlib import Path
from typing import Any

import pytest

from emer_bench.api.scorer import ScoringContext
from emer_bench.resources import file_hashes
from emer_bench.resources.file_hashes import tree_sha256
from emer_bench.runner.score import build_task_scorers, scoring_digests

sys.path.insert(0, str(Path(__file__).parent))
from test_score_reuse import ANSWERS, Folder, HashingEncoderStandIn, make_records, make_task, reused, same  # noqa: E402


@pytest.fixture(autouse=True)
def no_racy_window(monkeypatch: pytest.MonkeyPatch) -> None:
    """Files written by a test are seconds old: remember their hashes anyway (tested on its own below)."""
    monkeypatch.setattr(file_hashes, "RACY_S", -1.0)
    monkeypatch.setattr(file_hashes, "_MEMO", {})


def model_dir(path: Path) -> Path:
    path.mkdir(parents=True)
    (path / "config.json").write_text('{"model_type": "bert"}')
    (path / "model.safetensors").write_bytes(b"\x01" * 4096)
    return path


def rewrite_keeping_size_and_mtime(path: Path, data: bytes) -> None:
    """What a careless copy can do: other bytes, same size, the old mtime put back."""
    before = path.stat()
    assert len(data) == before.st_size
    path.write_bytes(data)
    os.utime(path, ns=(before.st_atime_ns, before.st_mtime_ns))


# ---- file hashes --------------------------------------------------------------------------------
def test_tree_hash_follows_contents_and_names_and_remembers_unchanged_files(tmp_path: Path,
                                                                              monkeypatch: pytest.MonkeyPatch) -> None:
    folder, cache = model_dir(tmp_path / "m"), tmp_path / "cache"
    first = tree_sha256(folder, cache)
    assert (cache / file_hashes.CACHE_FILE).is_file()
    hashed: list[Path] = []
    real = file_hashes.file_sha256
    monkeypatch.setattr(file_hashes, "file_sha256", lambda path: hashed.append(path) or real(path))
    monkeypatch.setattr(file_hashes, "_MEMO", {})  # a new process: only the cache file is known
    assert tree_sha256(folder, cache) == first and hashed == []  # nothing read again
    rewrite_keeping_size_and_mtime(folder / "model.safetensors", b"\x02" * 4096)
    changed = tree_sha256(folder, cache)
    assert changed != first and hashed == [folder / "model.safetensors"]  # its ctime moved: hashed again
    (folder / "model.safetensors").rename(folder / "weights.safetensors")
    assert tree_sha256(folder, cache) != changed  # a name is part of the hash
    assert tree_sha256(folder / "config.json") == tree_sha256(folder / "config.json", cache)  # one file


def test_a_file_changed_seconds_ago_is_not_remembered(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr(file_hashes, "RACY_S", 3600.0)
    folder, cache = model_dir(tmp_path / "m"), tmp_path / "cache"
    tree_sha256(folder, cache)
    assert not (cache / file_hashes.CACHE_FILE).exists() and file_hashes._MEMO == {}


# ---- embedding_similarity and bertscore with a local model directory ----------------------------
def test_embedding_similarity_with_a_local_model_directory_is_reused_while_its_files_are_unchanged(
        tmp_path: Path) -> None:
    from emer_bench.scoring.scorers.similarity.embedding import encoder_key, resolve_model

    directory = model_dir(tmp_path / "my-encoder")
    task = make_task(tmp_path, f"[{{name: embedding_similarity, args: {{model: '{directory}'}}}}]",
                     "embedding_similarity.similarity")
    encoder = HashingEncoderStandIn()
    context = ScoringContext(cache_dir=tmp_path / "out" / ".cache")
    context.shared(encoder_key(resolve_model(str(directory)), "cpu"), lambda: encoder)
    folder = Folder(tmp_path / "run")
    first = folder.score(task, make_records(ANSWERS), context)
    second = folder.score(task, make_records(ANSWERS), context)
    assert encoder.calls == 1 and reused(second)["embedding_similarity"] > 0  # no encode: no model load
    assert same(second["metrics"], first["metrics"])
    assert first["config"]["scorers"][0]["resources"]["embedding_model"]["files_sha256"]
    rewrite_keeping_size_and_mtime(directory / "model.safetensors", b"\x03" * 4096)  # other weights
    third = folder.score(task, make_records(ANSWERS), context)
    assert encoder.calls == 2 and reused(third) == {"embedding_similarity": 0}
    (directory / "tokenizer.json").write_text("{}")  # a file more
    folder.score(task, make_records(ANSWERS), context)
    assert encoder.calls == 3


def test_embedding_similarity_with_a_model_name_is_still_scored_again(tmp_path: Path) -> None:
    from emer_bench.scoring.scorers.similarity.embedding import EmbeddingSimilarityArgs, EmbeddingSimilarityScorer

    named = EmbeddingSimilarityScorer(EmbeddingSimilarityArgs(model="someone/some-encoder"), ScoringContext())
    assert named.reuse_mode() == "none"  # a Hugging Face cache entry: its files are not hashed


class BertScorerStandIn:
    """bert-score's BERTScorer.score: per pair (P, R, F) from the texts; counts its calls."""

    def __init__(self) -> None:
        self.calls = 0

    def score(self, predictions: list[str], references: list[str], batch_size: int = 64) -> Any:
        self.calls += 1

        class Values(list):  # torch tensors give their values with tolist()
            def tolist(self) -> list[float]:
                return list(self)

        overlap = [len(set(p.split()) & set(r.split())) / max(1, len(set(p.split()) | set(r.split())))
                   for p, r in zip(predictions, references)]
        return Values(overlap), Values(v / 2 for v in overlap), Values(v / 3 for v in overlap)


def test_bertscore_is_reused_as_a_whole_while_its_model_files_are_unchanged(tmp_path: Path) -> None:
    directory = model_dir(tmp_path / "my-bert")
    task = make_task(tmp_path, f"[{{name: bertscore, args: {{model: '{directory}', num_layers: 2}}}}]",
                     "bertscore.fscore")
    scorer = BertScorerStandIn()
    context = ScoringContext(cache_dir=tmp_path / "out" / ".cache")
    context.shared(f"bert-score:{directory.resolve()}:2:cpu", lambda: scorer)
    folder = Folder(tmp_path / "run")
    first = folder.score(task, make_records(ANSWERS), context)
    second = folder.score(task, make_records(ANSWERS), context)
    assert scorer.calls == 1 and reused(second)["bertscore"] > 0
    assert same(second["metrics"], first["metrics"])
    changed = folder.score(task, make_records(ANSWERS[:-1] + ["calm and content"]), context)
    assert scorer.calls == 2 and reused(changed) == {"bertscore": 0}  # one answer changed: all again
    rewrite_keeping_size_and_mtime(directory / "config.json", b'{"model_type": "bort"}')
    folder.score(task, make_records(ANSWERS[:-1] + ["calm and content"]), context)
    assert scorer.calls == 3  # the model's files changed: scored again


# ---- the offline extractor ----------------------------------------------------------------------
OFFLINE = "[{name: label_overlap, args: {extractor: {name: offline}}}]"


@pytest.fixture
def wordnet_copy(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Path:
    """The installed WordNet database, copied where a test may change it, and given to nltk."""
    from emer_bench.resources import wordnet_setup

    source = wordnet_setup.ensure_wordnet()
    if not source.is_dir():
        pytest.skip(f"the installed WordNet is not a folder ({source})")
    copy = tmp_path / "wordnet"
    shutil.copytree(source, copy)
    monkeypatch.setattr(wordnet_setup, "ensure_wordnet", lambda *args, **kwargs: copy)
    return copy


def test_label_overlap_with_the_offline_extractor_is_reused_per_sample(tmp_path: Path, wheel_dir: Path,
                                                                        offline_context: ScoringContext) -> None:
    task, folder = make_task(tmp_path, OFFLINE), Folder(tmp_path / "run")
    first = folder.score(task, make_records(ANSWERS), offline_context)
    second = folder.score(task, make_records(ANSWERS), offline_context)
    assert reused(second) == {"label_overlap": 5}
    assert same(second["metrics"], first["metrics"])
    extractor = first["config"]["scorers"][0]["extractor"]
    assert extractor["extractor"] == "offline" and extractor["wordnet_sha256"] and extractor["resources_sha256"]


def test_a_changed_wordnet_file_or_wheel_resource_re_scores(tmp_path: Path, wheel_dir: Path, wordnet_copy: Path) -> None:
    task = make_task(tmp_path, OFFLINE)

    def digest(resources: Path) -> str:
        context = ScoringContext(resources_dir=resources, cache_dir=tmp_path / "cache")
        return scoring_digests(task, build_task_scorers(task, context))["label_overlap"]

    resources = tmp_path / "wheel"
    shutil.copytree(wheel_dir, resources)
    before = digest(resources)
    assert digest(resources) == before
    data = wordnet_copy / "data.adj"
    content = data.read_bytes()
    rewrite_keeping_size_and_mtime(data, content[:-2] + bytes(reversed(content[-2:])))
    after_wordnet = digest(resources)
    assert after_wordnet != before
    sheet = sorted(p for p in resources.rglob("*") if p.is_file())[0]
    sheet.write_bytes(sheet.read_bytes() + b"\n")
    assert digest(resources) != after_wordnet


@pytest.fixture(scope="module")
def offline_context(wheel_dir: Path) -> ScoringContext:
    return ScoringContext(resources_dir=wheel_dir)
