"""The shared transformers base: checkpoint resolution and load errors through an adapter, describe(),
empty answers, modalities a model does not take. Family-specific behaviour is tested per family."""

from __future__ import annotations

import json
import sys
from pathlib import Path

import pytest
import torch

from emer_bench.api.adapter import PreparedRequest
from emer_bench.api.requests import GenerationRequest, Modality
from emer_bench.errors import ConfigError
from emer_bench.model_adapters.hf_text import HFTextAdapter, HFTextArgs

sys.path.insert(0, str(Path(__file__).parent))
from tiny_models import build_tiny_text_lm  # noqa: E402

pytestmark = pytest.mark.slow


@pytest.fixture(scope="module")
def lm_path(tmp_path_factory: pytest.TempPathFactory) -> Path:
    return build_tiny_text_lm(tmp_path_factory.mktemp("hf_common") / "lm")


def request(index: int = 0, modalities: tuple[Modality, ...] = (Modality.SUBTITLE,)) -> PreparedRequest:
    return PreparedRequest(GenerationRequest(task="t", index=index, clip_id=f"c{index}", prompt="How does she feel?",
                                             modalities=modalities))


def test_checkpoint_path_errors(tmp_path: Path):
    file = tmp_path / "model.safetensors"
    file.write_bytes(b"")
    with pytest.raises(ConfigError, match="is a file; give the checkpoint directory"):
        HFTextAdapter(HFTextArgs(pretrained=str(file)))
    with pytest.raises(ConfigError, match="no such checkpoint directory"):
        HFTextAdapter(HFTextArgs(pretrained="./checkpoints/missing"))
    broken = tmp_path / "broken"
    broken.mkdir()
    (broken / "config.json").write_text("{not json")
    with pytest.raises(ConfigError, match=r"pretrained='.*broken': cannot load the config"):
        HFTextAdapter(HFTextArgs(pretrained=str(broken))).ensure_loaded()  # loaded at the first request


def test_corrupt_weights_are_a_config_error(lm_path: Path, tmp_path: Path):
    copy = tmp_path / "lm"
    copy.mkdir()
    for item in lm_path.iterdir():
        (copy / item.name).write_bytes(item.read_bytes())
    (copy / "model.safetensors").write_bytes(b"\x00" * 64)
    with pytest.raises(ConfigError, match="cannot load the model"):
        HFTextAdapter(HFTextArgs(pretrained=str(copy))).ensure_loaded()


def test_dtype_device_and_describe(lm_path: Path):
    adapter = HFTextAdapter(HFTextArgs(pretrained=str(lm_path), dtype="bfloat16", device="cpu", max_new_tokens=3,
                                       attn_implementation="eager"))
    adapter.ensure_loaded()
    facts = adapter.describe()
    assert facts["loaded"] is True
    assert adapter.model.dtype == torch.bfloat16
    assert facts["dtype"] == "bfloat16" and facts["device"] == "cpu" and facts["attn_implementation"] == "eager"
    assert facts["model_id"] == str(lm_path) and facts["model_type"] == "qwen2"
    assert facts["generation_defaults"] == {"max_new_tokens": 3} and facts["args"]["dtype"] == "bfloat16"
    json.dumps(facts)  # recorded in the results file
    out = adapter.generate([request()])
    assert out[0].ok and out[0].latency_s > 0
    adapter.close()
    assert adapter.model is None


def test_modalities_the_model_does_not_take_are_recorded(lm_path: Path):
    adapter = HFTextAdapter(HFTextArgs(pretrained=str(lm_path), max_new_tokens=2))
    out = adapter.generate([request(0, (Modality.VIDEO, Modality.SUBTITLE))])
    assert out[0].ok and out[0].inputs["modalities_not_taken"] == ["video"]


def test_an_answer_without_text_is_an_error_not_an_empty_string(lm_path: Path):
    adapter = HFTextAdapter(HFTextArgs(pretrained=str(lm_path), max_new_tokens=3))
    eos = adapter.tokenizer.convert_tokens_to_ids("<|im_end|>")

    def eos_only_stand_in(input_ids: torch.Tensor, **_: object) -> torch.Tensor:
        """Test stand-in for model.generate: the model stops at once."""
        return torch.cat([input_ids, torch.full((input_ids.shape[0], 1), eos)], dim=1)

    adapter.model.generate = eos_only_stand_in
    out = adapter.generate([request(0), request(1)])
    assert [g.error for g in out] == ["EmptyAnswer: the model produced no text (1 new tokens)"] * 2
    assert out[0].text is None and out[0].usage["finish_reason"] == "stop"


def test_a_failing_batch_is_retried_one_by_one(lm_path: Path):
    adapter = HFTextAdapter(HFTextArgs(pretrained=str(lm_path), max_new_tokens=2))
    real = adapter.model.generate
    seen: list[int] = []

    def fails_on_big_batches_stand_in(**kwargs: object) -> torch.Tensor:
        """Test stand-in: out of memory for batches above 1, like a GPU near its limit."""
        seen.append(kwargs["input_ids"].shape[0])
        if kwargs["input_ids"].shape[0] > 1:
            raise torch.OutOfMemoryError("CUDA out of memory (stand-in)")
        return real(**kwargs)

    adapter.model.generate = fails_on_big_batches_stand_in
    out = adapter.generate([request(i) for i in range(3)])
    assert seen == [3, 1, 1, 1] and all(g.ok for g in out) and [g.index for g in out] == [0, 1, 2]


def test_generate_runs_under_inference_mode(lm_path: Path):
    """No autograd bookkeeping per op: on a GPU a 7B model's token time is bound by per-op host cost."""
    adapter = HFTextAdapter(HFTextArgs(pretrained=str(lm_path), max_new_tokens=2))
    real = adapter.model.generate
    modes: list[bool] = []

    def recording_stand_in(**kwargs: object) -> torch.Tensor:
        """Test stand-in: the real generate, noting the grad mode it was called in."""
        modes.append(torch.is_inference_mode_enabled())
        return real(**kwargs)

    adapter.model.generate = recording_stand_in
    assert all(g.ok for g in adapter.generate([request(0)])) and modes == [True]
