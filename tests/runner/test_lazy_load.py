"""A local model loads at its first request, not when the adapter is built: a re-run whose
answers are all reused loads nothing and scores the same; a partial re-run loads once; a broken
checkpoint still fails with one line naming it (now when the model is first needed)."""

from __future__ import annotations

import shutil
import sys
from pathlib import Path
from typing import Any

import pytest

from emer_bench.errors import ConfigError
from emer_bench.model_adapters.hf_text import HFTextAdapter
from emer_bench.runner.evaluate import RunConfig, run_evaluation
from emer_bench.runner.samples_file import read_samples

sys.path.insert(0, str(Path(__file__).parent))
sys.path.insert(0, str(Path(__file__).parents[1] / "model_adapters"))
from run_support import text_demo_task  # noqa: E402
from tiny_models import build_tiny_text_lm  # noqa: E402

pytestmark = pytest.mark.slow


@pytest.fixture(scope="module")
def checkpoint(tmp_path_factory: pytest.TempPathFactory) -> Path:
    return build_tiny_text_lm(tmp_path_factory.mktemp("lazy") / "tiny-chat-lm")


@pytest.fixture
def loads(monkeypatch: pytest.MonkeyPatch) -> list[str]:
    """Every `load_model` call of the hf_text adapter (the weights), by checkpoint."""
    calls: list[str] = []
    real = HFTextAdapter.load_model

    def counting(self: HFTextAdapter, path: str, load_kwargs: dict[str, Any]) -> Any:
        calls.append(path)
        return real(self, path, load_kwargs)

    monkeypatch.setattr(HFTextAdapter, "load_model", counting)
    return calls


def config_for(checkpoint: Path, tmp_path: Path, limit: int) -> RunConfig:
    # max_new_tokens 12: every tiny-model answer has text, so every record is reusable
    return RunConfig(model="hf_text", tasks=["demo-text"], limit=limit, output_dir=tmp_path / "out", n_resamples=50,
                     include_paths=[text_demo_task(tmp_path / "tasks")],
                     model_args={"pretrained": str(checkpoint), "max_new_tokens": 12, "batch_size": 2, "device": "cpu"})


def run(config: RunConfig) -> tuple[dict[str, Any], Path]:
    results, path = run_evaluation(config)
    assert path is not None
    return dict(results), path


def scores_bytes(results: dict[str, Any], path: Path) -> bytes:
    return (path.parent / results["results"]["demo-text"]["config"]["scores_file"]).read_bytes()


def test_a_cached_re_run_loads_nothing_and_scores_the_same(checkpoint: Path, tmp_path: Path, loads: list[str]):
    config = config_for(checkpoint, tmp_path, limit=4)
    first, first_path = run(config)
    assert loads == [str(checkpoint)]
    records = read_samples(first_path.parent / first["results"]["demo-text"]["config"]["samples_file"])
    assert len(records) == 4 and all(r.ok for r in records.values())
    assert first["model"]["model_info"]["loaded"] is True and first["model"]["model_info"]["dtype"] == "float32"

    again, again_path = run(config)
    assert loads == [str(checkpoint)]  # no load_model call: nothing was asked
    assert again_path != first_path
    assert again["results"]["demo-text"]["metrics"] == first["results"]["demo-text"]["metrics"]
    assert scores_bytes(again, again_path) == scores_bytes(first, first_path)
    info = again["model"]["model_info"]
    assert info["loaded"] is False and "dtype" not in info and "device" not in info  # never guessed
    assert info["model_id"] == str(checkpoint) and info["args"]["device"] == "cpu"  # what was asked for
    assert again_path.parent == first_path.parent  # same model folder: model_id without loading


def test_a_partial_re_run_loads_once(checkpoint: Path, tmp_path: Path, loads: list[str]):
    run(config_for(checkpoint, tmp_path, limit=2))
    results, _ = run(config_for(checkpoint, tmp_path, limit=5))  # 2 reused, 3 asked
    assert loads == [str(checkpoint)] * 2
    assert results["results"]["demo-text"]["n_total"] == 5
    assert results["model"]["model_info"]["loaded"] is True and results["model"]["model_info"]["model_class"]


def test_a_broken_checkpoint_fails_with_one_line_at_first_use(checkpoint: Path, tmp_path: Path, loads: list[str]):
    broken = tmp_path / "broken-lm"
    shutil.copytree(checkpoint, broken)
    (broken / "model.safetensors").write_bytes(b"\x00" * 64)
    config = config_for(broken, tmp_path, limit=2)
    with pytest.raises(ConfigError) as caught:
        run(config)
    message = str(caught.value)
    assert message.startswith(f"model arg pretrained={str(broken)!r}: cannot load the model")
    assert "\n" not in message
    samples = list((tmp_path / "out").rglob("samples_*.jsonl"))
    assert all(not read_samples(path) for path in samples)  # nothing answered, nothing recorded as an answer


def test_the_scorers_warm_up_while_the_model_loads(checkpoint: Path, tmp_path: Path,
                                                   monkeypatch: pytest.MonkeyPatch) -> None:
    # Beside a GPU, the warm-up's imports would otherwise take the GIL from the first answers.
    from emer_bench.runner import score

    seen: list[bool] = []
    real = HFTextAdapter.load_model

    def loading(self: HFTextAdapter, path: str, load_kwargs: dict[str, Any]) -> Any:
        seen.append(started[0]._started)
        return real(self, path, load_kwargs)

    started: list[Any] = []
    real_init = score.ScorerWarmUp.__init__

    def keep(self: Any, *args: Any, **kwargs: Any) -> None:
        real_init(self, *args, **kwargs)
        started.append(self)

    monkeypatch.setattr(score.ScorerWarmUp, "__init__", keep)
    monkeypatch.setattr(HFTextAdapter, "load_model", loading)
    run(config_for(checkpoint, tmp_path, limit=2))
    assert seen == [True]


def test_in_a_data_parallel_run_a_rank_without_work_still_loads_and_fails_with_the_others(
        checkpoint: Path, tmp_path: Path, loads: list[str], monkeypatch: pytest.MonkeyPatch) -> None:
    from emer_bench.runner import evaluate
    from emer_bench.runner.distributed import ProcessGroup

    broken = tmp_path / "broken-lm"
    shutil.copytree(checkpoint, broken)
    (broken / "model.safetensors").write_bytes(b"\x00" * 64)
    # Rank 1 of 2 with one clip to answer: its shard is empty, rank 0's is not.
    monkeypatch.setattr(evaluate, "detect_process_group", lambda: ProcessGroup(1, 2, lambda: None))
    with pytest.raises(ConfigError, match="cannot load the model"):
        run(config_for(broken, tmp_path, limit=1))
    assert loads == [str(broken)]
