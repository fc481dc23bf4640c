"""qwen2_5_omni on tiny random-weight Qwen2.5-Omni checkpoints, fed real demo clips decoded by the harness."""

from __future__ import annotations

import re
import sys
from pathlib import Path

import numpy as np
import pytest
import torch
from pydantic import ValidationError
from safetensors.torch import load_file

from emer_bench.api.adapter import PreparedRequest
from emer_bench.api.requests import Modality
from emer_bench.errors import ConfigError
from emer_bench.model_adapters.qwen2_5_omni import QWEN_OMNI_SYSTEM_PROMPT, Qwen25OmniAdapter, Qwen25OmniArgs
from emer_bench.registries import ADAPTERS

sys.path.insert(0, str(Path(__file__).parent))
from hf_test_utils import GenerateSpy, demo_request, prepared_demo, synthetic_media  # noqa: E402
from tiny_models import build_tiny_qwen2_5_omni  # noqa: E402

pytestmark = pytest.mark.slow
SUBTITLES = ["I got the job! They called me this morning.", "I miss her so much. The house is so empty.",
             "Why would you do that without asking me?"]


def audio_tokens_for(feature_frames: int) -> int:
    """Qwen2.5-Omni audio encoder output length (two stride-2 reductions)."""
    return (((feature_frames - 1) // 2 + 1) - 2) // 2 + 1


@pytest.fixture(scope="session")
def omni_checkpoint(tmp_path_factory: pytest.TempPathFactory) -> Path:
    return build_tiny_qwen2_5_omni(tmp_path_factory.mktemp("qwen2_5_omni") / "Qwen2.5-Omni-tiny")


@pytest.fixture(scope="module")
def omni(omni_checkpoint: Path) -> Qwen25OmniAdapter:
    adapter = ADAPTERS.get("qwen2_5_omni")(Qwen25OmniArgs(pretrained=str(omni_checkpoint), max_new_tokens=4,
                                                          batch_size=3, device="cpu"))
    yield adapter
    adapter.close()


def test_registered_under_its_catalog_name():
    cls = ADAPTERS.get("qwen2_5_omni")
    assert cls is Qwen25OmniAdapter and cls.Args is Qwen25OmniArgs
    assert cls.modalities == {Modality.VIDEO, Modality.AUDIO, Modality.SUBTITLE}


def in_thinker_module(hub_key: str) -> str:
    """Where a weight of the hub layout ("thinker.model.layers...") lives in the loaded thinker."""
    key = hub_key.removeprefix("thinker.")
    key = re.sub(r"^(audio_tower|visual)\.", r"model.\1.", key)
    return re.sub(r"^model\.(?!language_model|visual|audio_tower)", "model.language_model.", key)


def test_full_checkpoint_loads_the_thinker_weights(omni: Qwen25OmniAdapter, omni_checkpoint: Path):
    saved = load_file(str(omni_checkpoint / "model.safetensors"))  # hub layout, as Qwen/Qwen2.5-Omni-7B ships
    loaded = omni.model.state_dict()
    assert len(saved) > 50 and all(k.startswith("thinker.") for k in saved)
    for key, value in saved.items():
        assert torch.equal(loaded[in_thinker_module(key)], value), key
    facts = omni.describe()
    assert facts["model_type"] == "qwen2_5_omni" and facts["model_class"] == "Qwen2_5OmniThinkerForConditionalGeneration"
    assert facts["dtype"] == "float32" and facts["device"] == "cpu" and facts["model_id"] == str(omni_checkpoint)


def test_demo_clips_reach_the_model_as_video_with_their_own_audio(omni: Qwen25OmniAdapter, demo_clips: list[Path]):
    batch = prepared_demo(omni, demo_clips[:3], SUBTITLES)
    spy = GenerateSpy(omni)
    try:
        out = omni.generate(batch)
    finally:
        spy.restore()
    assert [g.index for g in out] == [0, 1, 2]
    assert all(g.ok and g.text for g in out), [g.error for g in out]
    assert len(spy.calls) == 1  # one batched generate call for the three clips
    call = spy.calls[0]
    assert call["use_audio_in_video"] is True
    assert call["pixel_values_videos"].dtype == torch.float32 and call["video_grid_thw"].shape == (3, 3)
    assert call["input_features"].shape == (3, 128, 3000) and call["feature_attention_mask"].shape == (3, 3000)
    for row, prepared in enumerate(batch):
        media = prepared.media
        assert media is not None and media.frames is not None and media.audio is not None
        # every clip keeps the rate its frames were sampled at (the audio/video time alignment)
        fps = (len(media.frame_times) - 1) / (media.frame_times[-1] - media.frame_times[0])
        assert float(call["video_second_per_grid"][row]) == pytest.approx(2 / fps, rel=1e-5)
        assert int(call["feature_attention_mask"][row].sum()) == pytest.approx(len(media.audio) / 160, abs=1)
    for row, text in enumerate(spy.decoded_inputs()):
        assert SUBTITLES[row] in text and QWEN_OMNI_SYSTEM_PROMPT in text
        # audio interleaved inside the video slot: <|vision_bos|><|audio_bos|> video/audio chunks <|audio_eos|><|vision_eos|>
        assert "<|vision_bos|><|audio_bos|><|VIDEO|>" in text and "<|AUDIO|><|audio_eos|><|vision_eos|>" in text
        t, h, w = call["video_grid_thw"][row].tolist()
        assert text.count("<|VIDEO|>") == t * h * w // 4
        assert text.count("<|AUDIO|>") == audio_tokens_for(int(call["feature_attention_mask"][row].sum()))
    first = out[0]
    assert first.inputs["audio_in_video"] is True and first.inputs["num_frames"] == 8
    assert SUBTITLES[0] in first.inputs["prompt"] and "<|VIDEO|>" in first.inputs["prompt"]
    assert first.usage["completion_tokens"] <= 4 and first.usage["batch_size"] == 3


def test_batched_answers_equal_one_by_one_answers(omni: Qwen25OmniAdapter, demo_clips: list[Path]):
    batch = prepared_demo(omni, demo_clips[:3], SUBTITLES)
    together = [g.text for g in omni.generate(batch)]
    alone = [omni.generate([p])[0].text for p in batch]
    assert together == alone  # left padding and per-row positions leave each answer unchanged


def test_video_only_task_sends_no_audio(omni: Qwen25OmniAdapter, demo_clips: list[Path]):
    batch = prepared_demo(omni, demo_clips[:1], SUBTITLES[:1], modalities=(Modality.VIDEO, Modality.SUBTITLE))
    assert batch[0].media is not None and batch[0].media.audio is None  # the harness did not decode audio
    spy = GenerateSpy(omni)
    try:
        out = omni.generate(batch)
    finally:
        spy.restore()
    assert out[0].ok
    call = spy.calls[0]
    assert "input_features" not in call and call["use_audio_in_video"] is False
    text = spy.decoded_inputs()[0]
    assert "<|vision_bos|><|VIDEO|>" in text and "<|AUDIO|>" not in text


def test_audio_only_task_sends_an_audio_item(omni: Qwen25OmniAdapter, demo_clips: list[Path]):
    batch = prepared_demo(omni, demo_clips[:1], SUBTITLES[:1], modalities=(Modality.AUDIO, Modality.SUBTITLE))
    spy = GenerateSpy(omni)
    try:
        out = omni.generate(batch)
    finally:
        spy.restore()
    assert out[0].ok and "pixel_values_videos" not in spy.calls[0]
    text = spy.decoded_inputs()[0]
    assert "<|audio_bos|><|AUDIO|>" in text and "<|VIDEO|>" not in text


def test_audio_beside_video_when_interleaving_is_off(omni_checkpoint: Path):
    adapter = Qwen25OmniAdapter(Qwen25OmniArgs(pretrained=str(omni_checkpoint), max_new_tokens=2,
                                               use_audio_in_video=False, system_prompt="Be brief."))
    spy = GenerateSpy(adapter)
    request = demo_request(Path("/clip.mp4"), 0, SUBTITLES[0])
    out = adapter.generate([PreparedRequest(request, synthetic_media())])
    assert out[0].ok and spy.calls[0]["use_audio_in_video"] is False
    text = spy.decoded_inputs()[0]
    assert "<|vision_eos|><|audio_bos|><|AUDIO|>" in text and "Be brief." in text
    assert QWEN_OMNI_SYSTEM_PROMPT not in text  # the command-line system prompt wins


def test_one_bad_sample_does_not_fail_the_batch(omni: Qwen25OmniAdapter):
    good = PreparedRequest(demo_request(Path("/a.mp4"), 0, "fine"), synthetic_media())
    no_audio = synthetic_media()
    no_audio.audio = None
    missing = PreparedRequest(demo_request(Path("/b.mp4"), 1, "no audio"), no_audio)
    strip = synthetic_media()  # an aspect ratio the Qwen resizer rejects: fails inside the processor call
    strip.frames = np.zeros((2, 8, 1800, 3), dtype=np.uint8)
    broken = PreparedRequest(demo_request(Path("/c.mp4"), 2, "bad frames"), strip)
    also_good = PreparedRequest(demo_request(Path("/d.mp4"), 3, "fine too"), synthetic_media(num_frames=6))
    out = omni.generate([good, missing, broken, also_good])
    assert [g.index for g in out] == [0, 1, 2, 3]
    assert out[0].ok and out[3].ok
    assert out[1].error.startswith("MediaError: the task grants audio but no decoded audio")
    assert out[2].error.startswith("ValueError: ") and "aspect ratio" in out[2].error


def test_bfloat16_gets_media_features_in_the_model_dtype(omni_checkpoint: Path, demo_clips: list[Path]):
    adapter = Qwen25OmniAdapter(Qwen25OmniArgs(pretrained=str(omni_checkpoint), dtype="bfloat16", max_new_tokens=2))
    spy = GenerateSpy(adapter)
    out = adapter.generate(prepared_demo(adapter, demo_clips[:1], SUBTITLES[:1]))
    assert out[0].ok and adapter.describe()["dtype"] == "bfloat16"
    call = spy.calls[0]
    assert call["pixel_values_videos"].dtype == torch.bfloat16 and call["input_features"].dtype == torch.bfloat16
    assert call["video_second_per_grid"].dtype == torch.float32  # time positions keep full precision
    assert not call["feature_attention_mask"].is_floating_point()


@pytest.mark.parametrize("max_pixels", [200_704, 50_176])
def test_frames_stay_within_the_processor_floor_and_the_run_max_pixels(omni_checkpoint: Path, max_pixels: int):
    adapter = Qwen25OmniAdapter(Qwen25OmniArgs(pretrained=str(omni_checkpoint), max_new_tokens=1, max_pixels=max_pixels))
    out = adapter.generate([PreparedRequest(demo_request(Path("/a.mp4"), 0, "s"), synthetic_media(height=192, width=256))])
    _, h, w = out[0].inputs["video_grid_thw"][0]
    pixels = h * w * 14 * 14
    assert pixels <= max_pixels and pixels >= min(128 * 28 * 28, max_pixels) * 0.9  # floor: 128x28x28 (qwen-omni-utils)


def test_thinker_only_checkpoint_loads(tmp_path: Path, demo_clips: list[Path]):
    path = build_tiny_qwen2_5_omni(tmp_path / "thinker", thinker_only=True)
    adapter = Qwen25OmniAdapter(Qwen25OmniArgs(pretrained=str(path), max_new_tokens=2))
    out = adapter.generate(prepared_demo(adapter, demo_clips[:1], SUBTITLES[:1]))
    assert out[0].ok and adapter.describe()["model_type"] == "qwen2_5_omni_thinker"


@pytest.mark.parametrize("bad", [{"return_audio": True}, {"dtype": "fp8"}, {"max_new_tokens": 0},
                                 {"device": "gpu0"}, {"device": "cpu", "device_map": "auto"},
                                 {"use_audio_in_videos": True}, {"min_pixels": 10}])
def test_bad_model_args_are_rejected(bad: dict):
    with pytest.raises(ValidationError):
        Qwen25OmniArgs(pretrained="/models/Qwen2.5-Omni-7B", **bad)


def test_missing_checkpoint_is_a_clear_config_error(tmp_path: Path):
    missing = tmp_path / "Qwen2.5-Omni-7B"
    with pytest.raises(ConfigError, match=f"pretrained='{missing}': no such checkpoint directory"):
        Qwen25OmniAdapter(Qwen25OmniArgs(pretrained=str(missing)))


def test_a_transformers_without_decoded_audio_in_video_is_refused(monkeypatch: pytest.MonkeyPatch, omni_checkpoint: Path):
    from transformers import processing_utils

    monkeypatch.delattr(processing_utils, "OmniModalProcessorMixin")
    with pytest.raises(ConfigError, match="needs a transformers release whose processors take decoded audio"):
        Qwen25OmniAdapter(Qwen25OmniArgs(pretrained=str(omni_checkpoint))).ensure_loaded()  # checked before loading


def test_preprocessing_ahead_gives_the_same_answers_and_inputs(omni: Qwen25OmniAdapter, demo_clips: list[Path]):
    batch = prepared_demo(omni, demo_clips[:2], SUBTITLES[:2])
    plain = omni.generate(batch)
    ahead = [omni.preprocess(p) for p in batch]  # video + the clip's audio through the processor, ahead
    assert all(p.payload.encoded is not None and "input_features" in p.payload.encoded for p in ahead)
    out = omni.generate(ahead)
    assert [(g.index, g.text, g.inputs) for g in out] == [(g.index, g.text, g.inputs) for g in plain]
