"""qwen2_5_vl and qwen3_vl on tiny random-weight checkpoints, fed real demo clips decoded by the harness."""

from __future__ import annotations

import math
import sys
from pathlib import Path

import numpy as np
import pytest
from pydantic import ValidationError
from transformers.models.qwen2_vl.video_processing_qwen2_vl import smart_resize as qwen2_smart_resize
from transformers.models.qwen3_vl.video_processing_qwen3_vl import smart_resize as qwen3_smart_resize

from emer_bench.api.adapter import PreparedRequest
from emer_bench.api.requests import Modality
from emer_bench.errors import ConfigError
from emer_bench.model_adapters.qwen_vl import Qwen3VLAdapter, Qwen25VLAdapter, QwenVLArgs
from emer_bench.registries import ADAPTERS

sys.path.insert(0, str(Path(__file__).parent))
from hf_test_utils import GenerateSpy, demo_request, prepared_demo, synthetic_media  # noqa: E402
from tiny_video_models import build_tiny_qwen2_5_vl, build_tiny_qwen3_vl  # noqa: E402

pytestmark = pytest.mark.slow
FAMILIES = ["qwen2_5_vl", "qwen3_vl"]
VIDEO_TEXT = (Modality.VIDEO, Modality.SUBTITLE)
SUBTITLES = ["I got the job! They called me this morning.", "I miss her so much. The house is so empty.",
             "Why would you do that without asking me?"]
MAX_PIXELS = 128 * 128  # small frames keep the tiny models fast
MIN_PIXELS = 28 * 28


@pytest.fixture(scope="session")
def qwen_checkpoints(tmp_path_factory: pytest.TempPathFactory) -> dict[str, Path]:
    root = tmp_path_factory.mktemp("qwen_vl")
    return {"qwen2_5_vl": build_tiny_qwen2_5_vl(root / "Qwen2.5-VL-tiny").path,
            "qwen3_vl": build_tiny_qwen3_vl(root / "Qwen3-VL-tiny").path}


def make_adapter(checkpoints: dict[str, Path], family: str, **args: object):
    base = dict(pretrained=str(checkpoints[family]), max_new_tokens=4, batch_size=3, device="cpu",
                max_pixels=MAX_PIXELS, min_pixels=MIN_PIXELS)
    return ADAPTERS.get(family)(QwenVLArgs(**{**base, **args}))


@pytest.fixture(scope="module", params=FAMILIES)
def qwen(request: pytest.FixtureRequest, qwen_checkpoints: dict[str, Path]):
    adapter = make_adapter(qwen_checkpoints, request.param)
    yield adapter
    adapter.close()


def expected_grid(family: str, num_frames: int, height: int, width: int, min_pixels: int,
                  max_pixels: int) -> tuple[int, int, int]:
    """(t, h, w) patches the processor must produce for a frame size and per-frame pixel bounds."""
    if family == "qwen2_5_vl":
        h, w = qwen2_smart_resize(height, width, factor=28, min_pixels=min_pixels, max_pixels=max_pixels)
        return math.ceil(num_frames / 2), h // 14, w // 14
    padded = math.ceil(num_frames / 2) * 2  # Qwen3-VL budgets the whole clip
    h, w = qwen3_smart_resize(num_frames, height, width, temporal_factor=2, factor=32, min_pixels=min_pixels,
                              max_pixels=max_pixels * padded)
    return padded // 2, h // 16, w // 16


def run_with_spy(adapter, batch: list[PreparedRequest]):
    spy = GenerateSpy(adapter)
    try:
        out = adapter.generate(batch)
    finally:
        spy.restore()
    return out, spy


@pytest.mark.parametrize("family, cls", [("qwen2_5_vl", Qwen25VLAdapter), ("qwen3_vl", Qwen3VLAdapter)])
def test_registered_under_catalog_names(family: str, cls: type):
    assert ADAPTERS.get(family) is cls and cls.Args is QwenVLArgs
    assert cls.modalities == {Modality.VIDEO, Modality.SUBTITLE}


def test_demo_clips_reach_the_model_as_video(qwen, demo_clips: list[Path]):
    family = qwen.name
    batch = prepared_demo(qwen, demo_clips[:3], SUBTITLES, modalities=VIDEO_TEXT)
    out, spy = run_with_spy(qwen, batch)
    assert [g.index for g in out] == [0, 1, 2]
    assert all(g.ok and g.text for g in out), [g.error for g in out]
    assert len(spy.calls) == 1  # the three clips went through one batched generate call
    call = spy.calls[0]
    grids = call["video_grid_thw"].tolist()
    patch_dim = 3 * 2 * (14 if family == "qwen2_5_vl" else 16) ** 2
    assert call["pixel_values_videos"].shape == (sum(t * h * w for t, h, w in grids), patch_dim)
    texts = spy.decoded_inputs()
    for row, prepared in enumerate(batch):
        frames, times = prepared.media.frames, prepared.media.frame_times
        assert frames.shape[0] == 8 and frames.shape[1] * frames.shape[2] <= MAX_PIXELS  # decoded by the harness
        t, h, w = grids[row]
        assert (t, h, w) == expected_grid(family, 8, frames.shape[1], frames.shape[2], MIN_PIXELS, MAX_PIXELS)
        assert texts[row].count("<|video_pad|>") == t * h * w // 4 == out[row].inputs["video_tokens"]
        assert SUBTITLES[row] in texts[row] and SUBTITLES[row] in out[row].inputs["prompt"]
        if family == "qwen2_5_vl":  # temporal positions follow the rate the clip was sampled at
            fps = 8 / prepared.media.duration_s
            assert float(call["second_per_grid_ts"][row]) == pytest.approx(2 / fps, rel=1e-3)
        else:  # every pair of frames is stamped with its mean time, in order
            stamps = [f"<{(times[i] + times[i + 1]) / 2:.1f} seconds><|vision_start|>" for i in range(0, 8, 2)]
            positions = [texts[row].index(s) for s in stamps]
            assert positions == sorted(positions)
            assert texts[row].count("<|vision_start|>") == t + 1  # the template's own + one per stamp
    first = out[0]
    assert first.inputs["num_frames"] == 8 and first.inputs["video_grid_thw"] == [grids[0]]
    assert first.inputs["frame_times_s"] == pytest.approx(batch[0].media.frame_times, abs=1e-3)
    assert first.usage["completion_tokens"] <= 4 and first.usage["batch_size"] == 3


def test_batched_answers_equal_one_by_one_answers(qwen, demo_clips: list[Path]):
    batch = prepared_demo(qwen, demo_clips[:3], SUBTITLES, modalities=VIDEO_TEXT)
    together = [g.text for g in qwen.generate(batch)]
    alone = [qwen.generate([p])[0].text for p in batch]
    assert together == alone  # left padding and per-row rotary positions leave every answer unchanged


@pytest.mark.parametrize("family", FAMILIES)
def test_num_frames_and_pixel_bounds_follow_the_model_args(family: str, qwen_checkpoints: dict[str, Path],
                                                           demo_clips: list[Path]):
    adapter = make_adapter(qwen_checkpoints, family, num_frames=4, max_pixels=64 * 64, min_pixels=32 * 32)
    batch = prepared_demo(adapter, demo_clips[:1], SUBTITLES[:1], modalities=VIDEO_TEXT)
    out, spy = run_with_spy(adapter, batch)
    assert out[0].ok, out[0].error
    frames = batch[0].media.frames
    assert frames.shape[0] == 4 and frames.shape[1] * frames.shape[2] <= 64 * 64
    t, h, w = spy.calls[0]["video_grid_thw"][0].tolist()
    assert (t, h, w) == expected_grid(family, 4, frames.shape[1], frames.shape[2], 32 * 32, 64 * 64)
    patch = 14 if family == "qwen2_5_vl" else 16
    assert t == 2 and (h * patch) * (w * patch) <= 64 * 64
    assert out[0].inputs["processor_size"]["shortest_edge"] == 32 * 32


def test_without_max_pixels_the_checkpoint_bounds_apply(qwen_checkpoints: dict[str, Path]):
    adapter = make_adapter(qwen_checkpoints, "qwen2_5_vl", max_pixels=None, min_pixels=None)
    own = adapter.processor.video_processor.size  # Qwen2VLVideoProcessor defaults, saved with the checkpoint
    prepared = PreparedRequest(demo_request(Path("/a.mp4"), 0, SUBTITLES[0], VIDEO_TEXT), synthetic_media(2))
    out, spy = run_with_spy(adapter, [prepared])
    assert out[0].ok
    assert out[0].inputs["processor_size"] == {"shortest_edge": own["shortest_edge"], "longest_edge": own["longest_edge"]}
    _, h, w = spy.calls[0]["video_grid_thw"][0].tolist()
    assert (h * 14) * (w * 14) >= own["shortest_edge"]  # the 64x96 frames were upscaled to the lower bound


@pytest.mark.parametrize("family", FAMILIES)
def test_a_one_frame_clip_repeats_its_frame_to_fill_the_temporal_patch(family: str, qwen_checkpoints: dict[str, Path]):
    adapter = make_adapter(qwen_checkpoints, family)
    prepared = PreparedRequest(demo_request(Path("/one.mp4"), 0, SUBTITLES[0], VIDEO_TEXT), synthetic_media(1))
    out, spy = run_with_spy(adapter, [prepared])
    assert out[0].ok, out[0].error
    assert out[0].inputs["frames_repeated"] == 1 and spy.calls[0]["video_grid_thw"][0, 0] == 1


def test_unknown_frame_times_are_noted_not_invented(qwen_checkpoints: dict[str, Path]):
    adapter = make_adapter(qwen_checkpoints, "qwen2_5_vl")
    untimed = synthetic_media(4)
    untimed.frame_times = []
    prepared = PreparedRequest(demo_request(Path("/untimed.mp4"), 0, SUBTITLES[0], VIDEO_TEXT), untimed)
    out = adapter.generate([prepared])
    assert out[0].ok and out[0].inputs["video_timing"].startswith("unknown: no frame times from the decoder")
    assert "frame_times_s" not in out[0].inputs


def test_subtitle_only_task_sends_no_video(qwen, demo_clips: list[Path]):
    batch = prepared_demo(qwen, demo_clips[:1], SUBTITLES[:1], modalities=(Modality.SUBTITLE,))
    assert batch[0].media is None  # nothing decoded when the task grants no video
    out, spy = run_with_spy(qwen, batch)
    assert out[0].ok and "pixel_values_videos" not in spy.calls[0]
    text = spy.decoded_inputs()[0]
    assert SUBTITLES[0] in text and "<|video_pad|>" not in text


def test_the_task_system_prompt_reaches_the_template(qwen):
    request = demo_request(Path("/clip.mp4"), 0, SUBTITLES[0], VIDEO_TEXT, system_prompt="You judge emotions.")
    out, spy = run_with_spy(qwen, [PreparedRequest(request, synthetic_media(4))])
    assert out[0].ok
    assert spy.decoded_inputs()[0].startswith("<|im_start|>system\nYou judge emotions.<|im_end|>\n<|im_start|>user\n")


def test_one_bad_sample_does_not_fail_the_batch(qwen):
    good = PreparedRequest(demo_request(Path("/a.mp4"), 0, "fine", VIDEO_TEXT), synthetic_media(4))
    missing = PreparedRequest(demo_request(Path("/b.mp4"), 1, "no frames", VIDEO_TEXT), None)
    strip = synthetic_media(2)  # an aspect ratio the Qwen resizer rejects: fails inside the processor call
    strip.frames = np.zeros((2, 8, 1800, 3), dtype=np.uint8)
    broken = PreparedRequest(demo_request(Path("/c.mp4"), 2, "bad frames", VIDEO_TEXT), strip)
    out = qwen.generate([good, missing, broken])
    assert [g.index for g in out] == [0, 1, 2]
    assert out[0].ok
    assert out[1].error.startswith("MediaError: the task grants video but no decoded frames arrived for clip b")
    assert out[2].error.startswith("ValueError: ") and "aspect ratio" in out[2].error


def test_describe_names_the_checkpoint(qwen, qwen_checkpoints: dict[str, Path]):
    facts = qwen.describe()
    assert facts["model_type"] == qwen.name and facts["model_id"] == str(qwen_checkpoints[qwen.name])
    assert facts["model_class"] == {"qwen2_5_vl": "Qwen2_5_VLForConditionalGeneration",
                                    "qwen3_vl": "Qwen3VLForConditionalGeneration"}[qwen.name]
    assert facts["args"]["max_pixels"] == MAX_PIXELS and facts["args"]["cap_pixels_per_frame"] is True


@pytest.mark.parametrize("bad", [{"min_pixels": 10}, {"cap_pixels_per_frame": "sometimes"}, {"dtype": "fp8"},
                                 {"max_new_tokens": 0}, {"device": "gpu0"}, {"max_pixel": 1000}])
def test_bad_model_args_are_rejected(bad: dict):
    with pytest.raises(ValidationError):
        QwenVLArgs(pretrained="/models/Qwen2.5-VL-7B-Instruct", **bad)


@pytest.mark.parametrize("family", FAMILIES)
def test_missing_checkpoint_is_a_clear_config_error(family: str, tmp_path: Path):
    missing = tmp_path / "Qwen-VL-7B"
    with pytest.raises(ConfigError, match=f"pretrained='{missing}': no such checkpoint directory"):
        ADAPTERS.get(family)(QwenVLArgs(pretrained=str(missing)))


def test_a_checkpoint_of_the_other_family_is_refused(qwen_checkpoints: dict[str, Path]):
    with pytest.raises(ConfigError, match="is a 'qwen3_vl' checkpoint; the qwen2_5_vl adapter takes model_type 'qwen2_5_vl'"):
        Qwen25VLAdapter(QwenVLArgs(pretrained=str(qwen_checkpoints["qwen3_vl"])))


def test_qwen3_vl_on_an_old_transformers_names_the_version_needed(monkeypatch: pytest.MonkeyPatch,
                                                                   qwen_checkpoints: dict[str, Path]):
    # the module object `import transformers` gives now (transformers may have replaced its lazy module)
    monkeypatch.setattr(sys.modules["transformers"], "__version__", "4.56.2")
    with pytest.raises(ConfigError, match=r"'qwen3_vl' needs transformers>=4\.57\.0 \(installed: 4\.56\.2\)"):
        Qwen3VLAdapter(QwenVLArgs(pretrained=str(qwen_checkpoints["qwen3_vl"]))).ensure_loaded()


def test_preprocessing_ahead_gives_the_same_answers_and_inputs(qwen, demo_clips: list[Path]):
    batch = prepared_demo(qwen, demo_clips[:3], SUBTITLES, modalities=VIDEO_TEXT)
    plain = qwen.generate(batch)
    # As the runner does on its prefetch threads: template + processor call per request, ahead.
    ahead = [qwen.preprocess(p) for p in batch[:2]] + batch[2:]  # a mixed batch, too
    assert all(p.payload.encoded is not None for p in ahead[:2])
    calls: list[int] = []
    encode_one = qwen.encode_one
    qwen.encode_one = lambda item: calls.append(item.index) or encode_one(item)
    try:
        out = qwen.generate(ahead)
    finally:
        del qwen.encode_one
    assert calls == [2]  # only the request that was not preprocessed met the processor in generate
    assert [(g.index, g.text, g.inputs) for g in out] == [(g.index, g.text, g.inputs) for g in plain]


def test_a_run_preprocesses_on_the_prefetch_threads(qwen_checkpoints: dict[str, Path], tmp_path: Path):
    from emer_bench.runner.evaluate import RunConfig, run_evaluation
    from emer_bench.runner.samples_file import read_samples

    args = {"pretrained": str(qwen_checkpoints["qwen2_5_vl"]), "max_new_tokens": 4, "batch_size": 2,
            "device": "cpu", "max_pixels": MAX_PIXELS, "min_pixels": MIN_PIXELS}
    config = RunConfig(model="qwen2_5_vl", model_args=args, tasks=["emer-demo"], output_dir=tmp_path, limit=4,
                       n_resamples=0)
    results, path = run_evaluation(config)
    assert path is not None
    task = results["results"]["emer-demo"]
    assert task["n_total"] == 4 and task["n_failed"] == 0, task["errors"]
    samples = read_samples(path.parent / task["config"]["samples_file"])
    for record in samples.values():
        assert record.inputs["video_tokens"] > 0 and len(record.inputs["video_grid_thw"]) == 1
        assert record.media["frames"] == 8 and record.usage["batch_size"] == 2
