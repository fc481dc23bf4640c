"""llava_onevision and llava_video (LLaVA-NeXT-Video) on tiny random-weight checkpoints, fed real demo
clips decoded by the harness."""

from __future__ import annotations

import sys
from pathlib import Path

import pytest
from pydantic import ValidationError

from emer_bench.api.adapter import PreparedRequest
from emer_bench.api.requests import Modality
from emer_bench.errors import ConfigError
from emer_bench.model_adapters.hf_common import HFArgs
from emer_bench.model_adapters.llava_video import LlavaOneVisionAdapter, LlavaVideoAdapter
from emer_bench.registries import ADAPTERS

sys.path.insert(0, str(Path(__file__).parent))
from hf_test_utils import GenerateSpy, demo_request, prepared_demo, synthetic_media  # noqa: E402
from tiny_video_models import TinyVideoCheckpoint, build_tiny_llava_next_video, build_tiny_llava_onevision  # noqa: E402

pytestmark = pytest.mark.slow
FAMILIES = ["llava_onevision", "llava_video"]
VIDEO_TEXT = (Modality.VIDEO, Modality.SUBTITLE)
SUBTITLES = ["I got the job! They called me this morning.", "I miss her so much. The house is so empty.",
             "Why would you do that without asking me?"]


@pytest.fixture(scope="session")
def llava_checkpoints(tmp_path_factory: pytest.TempPathFactory) -> dict[str, TinyVideoCheckpoint]:
    root = tmp_path_factory.mktemp("llava_video")
    return {"llava_onevision": build_tiny_llava_onevision(root / "llava-onevision-tiny"),
            "llava_video": build_tiny_llava_next_video(root / "LLaVA-NeXT-Video-tiny")}


@pytest.fixture(scope="module", params=FAMILIES)
def llava(request: pytest.FixtureRequest, llava_checkpoints: dict[str, TinyVideoCheckpoint]):
    checkpoint = llava_checkpoints[request.param]
    adapter = ADAPTERS.get(request.param)(HFArgs(pretrained=str(checkpoint.path), max_new_tokens=4, batch_size=3,
                                                 device="cpu"))
    yield adapter, checkpoint
    adapter.close()


def run_with_spy(adapter, batch: list[PreparedRequest]):
    spy = GenerateSpy(adapter)
    try:
        out = adapter.generate(batch)
    finally:
        spy.restore()
    return out, spy


def video_tokens(checkpoint: TinyVideoCheckpoint, num_frames: int) -> int:
    """Placeholders one video expands to: pooled tokens per frame (+1 newline for OneVision)."""
    newline = 1 if checkpoint.family == "llava_onevision" else 0
    return num_frames * checkpoint.tokens_per_frame + newline


@pytest.mark.parametrize("family, cls", [("llava_onevision", LlavaOneVisionAdapter), ("llava_video", LlavaVideoAdapter)])
def test_registered_under_catalog_names(family: str, cls: type):
    assert ADAPTERS.get(family) is cls
    assert cls.modalities == {Modality.VIDEO, Modality.SUBTITLE}


def test_demo_clips_reach_the_model_as_video(llava, demo_clips: list[Path]):
    adapter, checkpoint = llava
    batch = prepared_demo(adapter, demo_clips[:3], SUBTITLES, modalities=VIDEO_TEXT)
    out, spy = run_with_spy(adapter, batch)
    assert [g.index for g in out] == [0, 1, 2]
    assert all(g.ok and g.text for g in out), [g.error for g in out]
    assert len(spy.calls) == 1  # one batched generate call for the three clips
    # every clip's 8 harness-decoded frames, resized to the vision tower's 56x56 input
    assert all(p.media.frames.shape[0] == 8 for p in batch)
    assert tuple(spy.calls[0]["pixel_values_videos"].shape) == (3, 8, 3, 56, 56)
    for row, text in enumerate(spy.decoded_inputs()):
        assert text.count(checkpoint.video_token) == video_tokens(checkpoint, 8) == out[row].inputs["video_tokens"]
        assert SUBTITLES[row] in text and SUBTITLES[row] in out[row].inputs["prompt"]
    if checkpoint.family == "llava_video":  # the Llama-style tokenizer starts every row with BOS
        assert all(text.startswith("<s>USER: <video>") for text in spy.decoded_inputs())
    first = out[0]
    assert first.inputs["num_frames"] == 8 and first.inputs["pixel_values_videos_shape"] == [1, 8, 3, 56, 56]
    assert first.usage["completion_tokens"] <= 4 and first.usage["batch_size"] == 3


def test_batched_answers_equal_one_by_one_answers(llava, demo_clips: list[Path]):
    adapter, _ = llava
    batch = prepared_demo(adapter, demo_clips[:3], SUBTITLES, modalities=VIDEO_TEXT)
    together = [g.text for g in adapter.generate(batch)]
    alone = [adapter.generate([p])[0].text for p in batch]
    assert together == alone  # left padding leaves every answer unchanged


def test_clips_with_different_frame_counts_are_batched_apart(llava):
    adapter, checkpoint = llava
    batch = [PreparedRequest(demo_request(Path(f"/{i}.mp4"), i, SUBTITLES[i], VIDEO_TEXT), synthetic_media(n))
             for i, n in enumerate([4, 6, 4])]
    out, spy = run_with_spy(adapter, batch)
    assert all(g.ok for g in out), [g.error for g in out]
    shapes = sorted(tuple(call["pixel_values_videos"].shape) for call in spy.calls)
    assert shapes == [(1, 6, 3, 56, 56), (2, 4, 3, 56, 56)]  # [batch, T, ...] tensors need equal T
    assert [g.inputs["video_tokens"] for g in out] == [video_tokens(checkpoint, n) for n in (4, 6, 4)]


def test_num_frames_follows_the_model_args(llava_checkpoints: dict[str, TinyVideoCheckpoint], demo_clips: list[Path]):
    checkpoint = llava_checkpoints["llava_onevision"]
    adapter = LlavaOneVisionAdapter(HFArgs(pretrained=str(checkpoint.path), num_frames=3, max_new_tokens=2))
    batch = prepared_demo(adapter, demo_clips[:1], SUBTITLES[:1], modalities=VIDEO_TEXT)
    out, spy = run_with_spy(adapter, batch)
    assert out[0].ok and tuple(spy.calls[0]["pixel_values_videos"].shape) == (1, 3, 3, 56, 56)
    assert out[0].inputs["video_tokens"] == video_tokens(checkpoint, 3)


def test_subtitle_only_task_sends_no_video(llava, demo_clips: list[Path]):
    adapter, checkpoint = llava
    batch = prepared_demo(adapter, demo_clips[:1], SUBTITLES[:1], modalities=(Modality.SUBTITLE,))
    out, spy = run_with_spy(adapter, batch)
    assert out[0].ok and "pixel_values_videos" not in spy.calls[0]
    text = spy.decoded_inputs()[0]
    assert SUBTITLES[0] in text and checkpoint.video_token not in text


def test_system_prompt_from_the_model_args_reaches_the_template(llava_checkpoints: dict[str, TinyVideoCheckpoint]):
    checkpoint = llava_checkpoints["llava_video"]
    adapter = LlavaVideoAdapter(HFArgs(pretrained=str(checkpoint.path), max_new_tokens=2, system_prompt="Be brief."))
    request = demo_request(Path("/clip.mp4"), 0, SUBTITLES[0], VIDEO_TEXT, system_prompt="Task prompt.")
    out, spy = run_with_spy(adapter, [PreparedRequest(request, synthetic_media(4))])
    assert out[0].ok and spy.decoded_inputs()[0].startswith("<s>Be brief. USER: <video>")


def test_missing_frames_fail_only_that_sample(llava):
    adapter, _ = llava
    good = PreparedRequest(demo_request(Path("/a.mp4"), 0, "fine", VIDEO_TEXT), synthetic_media(4))
    missing = PreparedRequest(demo_request(Path("/b.mp4"), 1, "no frames", VIDEO_TEXT), None)
    out = adapter.generate([good, missing])
    assert out[0].ok
    assert out[1].error.startswith("MediaError: the task grants video but no decoded frames arrived for clip b")


@pytest.mark.parametrize("bad", [{"dtype": "fp8"}, {"max_new_tokens": 0}, {"device": "gpu0"}, {"num_frame": 8},
                                 {"attn_implementation": "fast"}])
def test_bad_model_args_are_rejected(bad: dict):
    for family in FAMILIES:
        with pytest.raises(ValidationError):
            ADAPTERS.get(family).Args(pretrained="/models/llava-onevision-qwen2-7b-ov-hf", **bad)


@pytest.mark.parametrize("family", FAMILIES)
def test_missing_checkpoint_is_a_clear_config_error(family: str, tmp_path: Path):
    missing = tmp_path / "llava-7b"
    with pytest.raises(ConfigError, match=f"pretrained='{missing}': no such checkpoint directory"):
        ADAPTERS.get(family)(HFArgs(pretrained=str(missing)))


def test_a_checkpoint_of_the_other_family_is_refused(llava_checkpoints: dict[str, TinyVideoCheckpoint]):
    with pytest.raises(ConfigError, match="is a 'llava_onevision' checkpoint; the llava_video adapter takes "
                                          "model_type 'llava_next_video'"):
        LlavaVideoAdapter(HFArgs(pretrained=str(llava_checkpoints["llava_onevision"].path)))
