"""hf_auto against the family adapters on the same tiny checkpoints and demo clips: the same
templated prompt, the same tensors reaching `model.generate`, the same answers; plus the
one-line failures for checkpoints it cannot drive."""

from __future__ import annotations

import json
import shutil
import sys
from pathlib import Path

import pytest
import torch
from emer_bench.model_adapters.hf_auto import HFAutoAdapter, HFAutoArgs

from emer_bench.api.requests import Modality
from emer_bench.errors import ConfigError
from emer_bench.registries import ADAPTERS

sys.path.insert(0, str(Path(__file__).parent))
from hf_test_utils import GenerateSpy, prepared_demo  # noqa: E402
from tiny_models import build_tiny_qwen2_5_omni, build_tiny_qwen2_audio, build_tiny_text_lm  # noqa: E402
from tiny_video_models import (  # noqa: E402
    build_tiny_llava_next_video,
    build_tiny_llava_onevision,
    build_tiny_qwen2_5_vl,
    build_tiny_qwen3_vl,
)

pytestmark = pytest.mark.slow
SUBTITLES = ["I got the job! They called me this morning.", "Why would you do that without asking me?"]
MAX_PIXELS = 128 * 128  # small frames keep the tiny models fast
MIN_PIXELS = 28 * 28
VIDEO_TEXT = (Modality.VIDEO, Modality.SUBTITLE)
ALL = (Modality.VIDEO, Modality.AUDIO, Modality.SUBTITLE)
# family -> (builder, family args beyond the shared ones, task modalities)
FAMILIES = {
    "qwen2_5_vl": (lambda p: build_tiny_qwen2_5_vl(p).path, {"min_pixels": MIN_PIXELS}, VIDEO_TEXT),
    "qwen3_vl": (lambda p: build_tiny_qwen3_vl(p).path, {"min_pixels": MIN_PIXELS}, VIDEO_TEXT),
    "llava_onevision": (lambda p: build_tiny_llava_onevision(p).path, {}, VIDEO_TEXT),
    "llava_video": (lambda p: build_tiny_llava_next_video(p).path, {}, VIDEO_TEXT),
    "qwen2_5_omni": (build_tiny_qwen2_5_omni, {"min_pixels": MIN_PIXELS}, ALL),
    "qwen2_audio": (build_tiny_qwen2_audio, {}, (Modality.AUDIO, Modality.SUBTITLE)),
}


@pytest.fixture(scope="module")
def family_checkpoints(tmp_path_factory: pytest.TempPathFactory) -> dict[str, Path]:
    root = tmp_path_factory.mktemp("hf_auto_families")
    return {name: build(root / name) for name, (build, _, _) in FAMILIES.items()}


def run(adapter, batch):
    spy = GenerateSpy(adapter)
    try:
        out = adapter.generate(batch)
    finally:
        spy.restore()
    return out, spy


@pytest.mark.parametrize("family", list(FAMILIES))
def test_hf_auto_sends_what_the_family_adapter_sends(family: str, family_checkpoints: dict[str, Path],
                                                     demo_clips: list[Path]):
    _, extra, modalities = FAMILIES[family]
    shared = dict(pretrained=str(family_checkpoints[family]), max_new_tokens=4, batch_size=2, device="cpu",
                  max_pixels=MAX_PIXELS, system_prompt="You are an expert in emotions.")
    family_adapter = ADAPTERS.get(family)(ADAPTERS.get(family).Args(**shared, **extra))
    auto = HFAutoAdapter(HFAutoArgs(**shared, **extra))
    assert auto.active_modalities == HFAutoAdapter.modalities  # unloaded: at most what hf_auto takes
    unloaded = auto.describe()
    assert unloaded["loaded"] is False and "takes" not in unloaded and "model_class" not in unloaded
    assert auto._model is None and auto._processor is None  # nothing read from the checkpoint yet
    auto.ensure_loaded()  # what this checkpoint takes is read from its processor and model
    try:
        assert auto.active_modalities == family_adapter.modalities and auto.describe()["loaded"] is True
        batch = prepared_demo(auto, demo_clips[:2], SUBTITLES, modalities=modalities)
        theirs, their_spy = run(family_adapter, batch)
        ours, our_spy = run(auto, prepared_demo(auto, demo_clips[:2], SUBTITLES, modalities=modalities))
    finally:
        family_adapter.close()
        auto.close()
    assert all(g.ok for g in ours + theirs), [g.error for g in ours + theirs]
    assert len(our_spy.calls) == len(their_spy.calls) == 1  # both batched the two clips together
    mine, other = our_spy.calls[0], their_spy.calls[0]
    assert sorted(mine) == sorted(other)
    for key, value in other.items():
        if isinstance(value, torch.Tensor):
            assert torch.equal(mine[key], value), key
        else:
            assert mine[key] == value, key
    assert [g.inputs["prompt"] for g in ours] == [g.inputs["prompt"] for g in theirs]
    assert [g.text for g in ours] == [g.text for g in theirs]
    assert ours[0].inputs["sent"].get("video") == ("video" if Modality.VIDEO in modalities else None)
    if family == "qwen2_5_omni":
        assert ours[0].inputs["sent"]["audio"] == "inside the video item" and mine["use_audio_in_video"] is True


def test_omni_audio_only_task_sends_an_audio_item(family_checkpoints: dict[str, Path], demo_clips: list[Path]):
    auto = HFAutoAdapter(HFAutoArgs(pretrained=str(family_checkpoints["qwen2_5_omni"]), max_new_tokens=2))
    batch = prepared_demo(auto, demo_clips[:1], SUBTITLES[:1], modalities=(Modality.AUDIO, Modality.SUBTITLE))
    out, spy = run(auto, batch)
    assert out[0].ok and out[0].inputs["sent"] == {"audio": "audio"}
    call = spy.calls[0]
    assert "pixel_values_videos" not in call and call["use_audio_in_video"] is False
    assert "<|audio_bos|><|AUDIO|>" in spy.decoded_inputs()[0]


def test_frames_as_images_when_asked(family_checkpoints: dict[str, Path], demo_clips: list[Path]):
    auto = HFAutoAdapter(HFAutoArgs(pretrained=str(family_checkpoints["qwen2_5_omni"]), max_new_tokens=2,
                                    frames_as_images=True, max_pixels=MAX_PIXELS, min_pixels=MIN_PIXELS))
    batch = prepared_demo(auto, demo_clips[:1], SUBTITLES[:1])
    out, spy = run(auto, batch)
    assert out[0].ok, out[0].error
    assert out[0].inputs["sent"] == {"video": "8 images", "audio": "audio"}
    call = spy.calls[0]
    assert call["image_grid_thw"].shape == (8, 3) and "pixel_values_videos" not in call
    assert spy.decoded_inputs()[0].count("<|vision_bos|>") == 8


def test_a_text_only_checkpoint_is_one_clear_line(tmp_path: Path):
    path = build_tiny_text_lm(tmp_path / "text-lm")
    with pytest.raises(ConfigError) as caught:
        HFAutoAdapter(HFAutoArgs(pretrained=str(path))).ensure_loaded()  # read from the loaded processor
    message = str(caught.value)
    assert "\n" not in message and "hf_auto" in message and "qwen2" in message and "use hf_text" in message


def test_a_template_without_video_items_is_named(family_checkpoints: dict[str, Path], tmp_path: Path):
    path = tmp_path / "vl-no-video-template"
    shutil.copytree(family_checkpoints["qwen2_5_vl"], path)
    (path / "chat_template.jinja").write_text(
        "{% for m in messages %}{{ m['role'] }}: {% for c in m['content'] %}{% if c['type'] == 'text' %}"
        "{{ c['text'] }}{% endif %}{% endfor %}\n{% endfor %}")
    with pytest.raises(ConfigError, match="the chat template does not place video items") as caught:
        HFAutoAdapter(HFAutoArgs(pretrained=str(path))).ensure_loaded()
    assert "\n" not in str(caught.value)


def test_remote_code_checkpoint_is_one_clear_line(tmp_path: Path):
    path = tmp_path / "VideoLLaMA3-7B"
    path.mkdir()
    (path / "config.json").write_text(json.dumps({
        "model_type": "videollama3_qwen2", "architectures": ["Videollama3Qwen2ForCausalLM"],
        "auto_map": {"AutoConfig": "configuration_videollama3.Videollama3Qwen2Config"}}))
    with pytest.raises(ConfigError, match="'videollama3_qwen2' is not a transformers architecture") as caught:
        HFAutoAdapter(HFAutoArgs(pretrained=str(path))).ensure_loaded()
    assert "\n" not in str(caught.value) and "trust_remote_code=true" in str(caught.value)


def test_frames_as_images_on_a_video_only_processor_is_refused(family_checkpoints: dict[str, Path]):
    with pytest.raises(ConfigError, match="frames_as_images=true: .* takes no image items"):
        HFAutoAdapter(HFAutoArgs(pretrained=str(family_checkpoints["qwen2_5_vl"]), frames_as_images=True)).ensure_loaded()
