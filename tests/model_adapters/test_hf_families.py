"""The current audio-video families through hf_auto, each from a tiny random-weight checkpoint
(tiny_new_families.py) on the real demo clips through its real processor: what reached
`model.generate` is checked against the family's own token layout; then `emer-bench run --model
hf_auto` end to end on the demo task."""

from __future__ import annotations

import importlib.util
import json
import re
import sys
from pathlib import Path

import pytest
import torch
from emer_bench.model_adapters.hf_auto import HFAutoAdapter, HFAutoArgs
from safetensors.torch import load_file

from emer_bench.api.requests import Modality
from emer_bench.errors import ConfigError
from emer_bench.registries import ADAPTERS

sys.path.insert(0, str(Path(__file__).parent))
from hf_test_utils import GenerateSpy, prepared_demo  # noqa: E402
from tiny_new_families import (  # noqa: E402
    build_tiny_gemma3n,
    build_tiny_internvl,
    build_tiny_phi4_multimodal,
    build_tiny_qwen3_omni,
    build_tiny_videollama3,
)

pytestmark = pytest.mark.slow
DEMO_TASK_DIR = Path(__file__).resolve().parents[2] / "tasks" / "emer_demo"
SUBTITLES = ["I got the job! They called me this morning.", "Why would you do that without asking me?"]
FRAMES = 4
BUILDERS = {"qwen3_omni": build_tiny_qwen3_omni, "gemma3n": build_tiny_gemma3n,
            "phi4_multimodal": build_tiny_phi4_multimodal, "internvl3": build_tiny_internvl,
            "videollama3": build_tiny_videollama3}
AV = {Modality.VIDEO, Modality.AUDIO, Modality.SUBTITLE}


# Gemma 3n's vision tower is a timm model: timm comes with the `hf` extra (scripts/install.sh).
HAS_TIMM = importlib.util.find_spec("timm") is not None
needs_timm = pytest.mark.skipif(not HAS_TIMM, reason="Gemma 3n needs timm: pip install 'emer-bench[hf]'")


@pytest.fixture(scope="module")
def checkpoints(tmp_path_factory: pytest.TempPathFactory) -> dict[str, Path]:
    root = tmp_path_factory.mktemp("new_families")
    return {name: build(root / name).path for name, build in BUILDERS.items() if name != "gemma3n" or HAS_TIMM}


def run_demo(family: str, checkpoints: dict[str, Path], clips: list[Path], adapter_name: str = "hf_auto",
             calls: int = 1):
    cls = ADAPTERS.get(adapter_name)
    adapter = cls(cls.Args(pretrained=str(checkpoints[family]), max_new_tokens=4, batch_size=2, device="cpu",
                           num_frames=FRAMES, max_pixels=128 * 128))
    batch = prepared_demo(adapter, clips[:2], SUBTITLES)
    spy = GenerateSpy(adapter)
    try:
        out = adapter.generate(batch)
    finally:
        spy.restore()
    assert all(g.ok and g.text for g in out), [g.error for g in out]
    assert len(spy.calls) == calls, "the two clips share one generate call unless their tensors cannot stack"
    return adapter, batch, out, spy


def test_qwen3_omni_thinker_gets_video_with_its_own_audio(checkpoints: dict[str, Path], demo_clips: list[Path]):
    adapter, batch, out, spy = run_demo("qwen3_omni", checkpoints, demo_clips, "qwen3_omni")
    assert type(adapter.model).__name__ == "Qwen3OmniMoeThinkerForConditionalGeneration"
    saved = load_file(str(checkpoints["qwen3_omni"] / "model.safetensors"))  # full layout: "thinker." weights
    assert all(k.startswith("thinker.") for k in saved)
    embed = next(v for k, v in saved.items() if k.endswith("embed_tokens.weight"))
    assert torch.equal(adapter.model.get_input_embeddings().weight, embed)
    call = spy.calls[0]
    assert call["use_audio_in_video"] is True and call["video_grid_thw"].shape == (2, 3)
    lengths = [int(m.sum()) for m in call["feature_attention_mask"]]
    assert lengths == [pytest.approx(len(p.media.audio) / 160, abs=1) for p in batch]  # padded to one batch
    for row, text in enumerate(spy.decoded_inputs()):
        assert "<|vision_start|><|audio_start|><|video_pad|>" in text and "<|audio_end|><|vision_end|>" in text
        t, h, w = call["video_grid_thw"][row].tolist()
        assert text.count("<|video_pad|>") == t * h * w // 4 == out[row].inputs["video_tokens"]
        assert text.count("<|audio_pad|>") == out[row].inputs["audio_tokens"] > 0
        assert SUBTITLES[row] in text
    assert out[0].inputs["sent"] == {"video": "video", "audio": "inside the video item"}
    fps = (FRAMES - 1) / (batch[0].media.frame_times[-1] - batch[0].media.frame_times[0])
    assert float(call["video_second_per_grid"][0]) == pytest.approx(2 / fps, rel=1e-4)


@needs_timm
def test_gemma3n_gets_frames_as_images_and_audio(checkpoints: dict[str, Path], demo_clips: list[Path]):
    adapter, batch, out, spy = run_demo("gemma3n", checkpoints, demo_clips, "gemma3n")
    assert adapter.caps.video is False and adapter.caps.image and adapter.caps.audio
    call = spy.calls[0]
    assert call["pixel_values"].shape == (2 * FRAMES, 3, 64, 64)
    assert call["input_features"].shape[0] == 2 and call["input_features"].shape[2] == 128
    for row, text in enumerate(spy.decoded_inputs()):
        assert text.count("<start_of_image>") == FRAMES and text.count("<image_soft_token>") == 4 * FRAMES
        assert text.count("<audio_soft_token>") == 188 and text.index("<start_of_image>") < text.index("<start_of_audio>")
        assert int(call["input_features_mask"][row].sum()) == out[row].inputs["tensors"]["input_features"][1]
    assert out[0].inputs["sent"] == {"video": f"{FRAMES} images", "audio": "audio"}


def test_phi4_multimodal_gets_frames_as_images_and_audio(checkpoints: dict[str, Path], demo_clips: list[Path]):
    # Phi-4's feature extractor gives one clip's audio no mask to pad along: clips of different
    # lengths go in separate calls.
    _, _, out, spy = run_demo("phi4_multimodal", checkpoints, demo_clips, "phi4_multimodal", calls=2)
    for row, call in enumerate(spy.calls):
        assert call["image_pixel_values"].shape == (FRAMES, 2, 3, 448, 448)  # global image + one crop
        text = spy.decoded_inputs(row)[0]
        assert text.count("<|audio|>") == int(call["audio_embed_sizes"][0]) == out[row].inputs["audio_tokens"]
        assert text.startswith("<|user|><|image|>") and text.endswith("<|end|><|assistant|>")
    assert out[0].inputs["sent"] == {"video": f"{FRAMES} images", "audio": "audio"}


def test_internvl3_gets_one_tile_per_frame(checkpoints: dict[str, Path], demo_clips: list[Path]):
    adapter, _, out, spy = run_demo("internvl3", checkpoints, demo_clips, "internvl3")
    assert adapter.active_modalities == {Modality.VIDEO, Modality.SUBTITLE}
    call = spy.calls[0]
    assert call["pixel_values"].shape == (2 * FRAMES, 3, 28, 28)
    for text in spy.decoded_inputs():
        frames = re.findall(r"Frame(\d+): <img><IMG_CONTEXT></img>", text)
        assert frames == [str(i + 1) for i in range(FRAMES)]
    assert out[0].inputs["modalities_not_taken"] == ["audio"] and "audio_s" not in out[0].inputs


def test_videollama3_stamps_each_frame_with_its_time(checkpoints: dict[str, Path], demo_clips: list[Path]):
    _, batch, out, spy = run_demo("videollama3", checkpoints, demo_clips, "videollama3")
    call = spy.calls[0]
    assert call["video_grid_thw"][:, 0].tolist() == [FRAMES, FRAMES]
    for row, text in enumerate(spy.decoded_inputs()):
        stamps = [float(s) for s in re.findall(r"Time (\d+\.\d)s:<\|video_pad\|>", text)]
        assert stamps == [pytest.approx(t, abs=0.051) for t in batch[row].media.frame_times]
    assert out[0].inputs["frame_times_s"] == pytest.approx(batch[0].media.frame_times, abs=1e-3)


def test_phi4_lora_adapters_follow_what_is_sent(tmp_path: Path, demo_clips: list[Path]):
    pytest.importorskip("peft")
    path = build_tiny_phi4_multimodal(tmp_path / "phi4-lora", loras=True).path
    adapter = HFAutoAdapter(HFAutoArgs(pretrained=str(path), max_new_tokens=3, num_frames=2, max_pixels=128 * 128))
    adapter.ensure_loaded()
    assert adapter.loras == {"speech": "audio", "vision": "vision"}
    assert adapter.describe()["lora_adapters"] == adapter.loras
    qkv = dict(adapter.model.named_modules())["model.layers.0.self_attn.qkv_proj"]
    for name in ("vision", "speech"):  # the shipped weights, not a fresh initialisation
        saved = load_file(str(path / f"{name}-lora" / "adapter_model.safetensors"))
        assert torch.equal(qkv.lora_B[name].weight, saved["base_model.model.model.layers.0.self_attn.qkv_proj.lora_B.weight"])
    live: list[object] = []
    real = adapter.model.generate

    def spy(**kwargs):
        lora_layers = [m for n, m in adapter.model.named_modules() if n.endswith("qkv_proj") and hasattr(m, "lora_A")]
        live.append(None if all(m.disable_adapters for m in lora_layers) else lora_layers[0].active_adapters)
        return real(**kwargs)

    adapter.model.generate = spy
    by_task = {}
    for modalities in [(Modality.VIDEO, Modality.AUDIO, Modality.SUBTITLE), (Modality.AUDIO, Modality.SUBTITLE),
                       (Modality.SUBTITLE,)]:
        out = adapter.generate(prepared_demo(adapter, demo_clips[:1], SUBTITLES[:1], modalities=modalities))
        assert out[0].ok, out[0].error
        by_task[modalities] = (out[0].inputs.get("lora"), live[-1])
    assert list(by_task.values()) == [("vision", ["vision"]), ("speech", ["speech"]), (None, None)]
    base = HFAutoAdapter(HFAutoArgs(pretrained=str(path), max_new_tokens=3, lora=False))
    assert base.loras == {} and "lora" not in base.generate(prepared_demo(base, demo_clips[:1], SUBTITLES[:1],
                                                                          modalities=(Modality.SUBTITLE,)))[0].inputs


@pytest.mark.parametrize("family", ["qwen3_omni", pytest.param("gemma3n", marks=needs_timm)])
def test_batched_answers_equal_one_by_one_answers(family: str, checkpoints: dict[str, Path], demo_clips: list[Path]):
    adapter = HFAutoAdapter(HFAutoArgs(pretrained=str(checkpoints[family]), max_new_tokens=4, batch_size=3,
                                       num_frames=FRAMES, max_pixels=128 * 128))
    batch = prepared_demo(adapter, demo_clips[:3], [*SUBTITLES, "Fine."])
    together = adapter.generate(batch)
    alone = [adapter.generate([p])[0] for p in batch]
    assert [g.text for g in together] == [g.text for g in alone]  # audio features padded along their masks
    assert together[0].usage["batch_size"] == 3


def test_a_named_family_refuses_another_checkpoint(checkpoints: dict[str, Path]):
    with pytest.raises(ConfigError, match="is a 'video_llama_3' checkpoint; the internvl3 adapter takes"):
        ADAPTERS.get("internvl3")(HFAutoArgs(pretrained=str(checkpoints["videollama3"])))


@pytest.mark.parametrize("family", [pytest.param(f, marks=needs_timm) if f == "gemma3n" else f for f in BUILDERS])
def test_emer_bench_run_hf_auto_on_the_demo(family: str, checkpoints: dict[str, Path], tmp_path: Path):
    from emer_bench.cli.main import main

    # The demo task with one cheap scorer: this is about what the adapter sends inside a run.
    demo_yaml = (DEMO_TASK_DIR / "emer_demo.yaml").read_text().replace("{task_dir}", str(DEMO_TASK_DIR))
    head, _, _ = demo_yaml.partition("scorers:")
    task_dir = tmp_path / "tasks"
    task_dir.mkdir()
    (task_dir / "demo.yaml").write_text(head.replace("task: emer-demo", "task: emer-demo-auto")
                                        + "scorers:\n  - name: rouge_l\nmain_metric: rouge_l.fscore\n")
    out_dir = tmp_path / "out"
    model_args = f"pretrained={checkpoints[family]},max_new_tokens=4,num_frames={FRAMES},max_pixels=16384,batch_size=2"
    code = main(["run", "--model", "hf_auto", "--model-args", model_args, "--tasks", "emer-demo-auto",
                 "--include-path", str(task_dir), "--limit", "2", "--output-dir", str(out_dir),
                 "--n-resamples", "0", "--no-progress"])
    samples = [json.loads(line) for p in out_dir.rglob("samples_*") for line in p.read_text().splitlines()]
    assert code == 0, [s["error"] for s in samples]
    assert len(samples) == 2 and all(s["error"] is None for s in samples)
    takes_audio = ADAPTERS.get(family).modalities == AV
    for sample in samples:
        sent = sample["inputs"]["sent"]
        assert ("audio" in sent) == takes_audio and sample["inputs"]["num_frames"] == FRAMES
        assert sample["inputs"]["input_tokens"] > 0 and sample["inputs"]["tensors"]


@pytest.mark.parametrize("family, media_keys", [("qwen3_omni", ("pixel_values_videos", "input_features")),
                                                ("phi4_multimodal", ("image_pixel_values", "audio_input_features"))])
def test_bfloat16_gets_media_features_in_the_model_dtype(family: str, media_keys: tuple[str, str],
                                                         checkpoints: dict[str, Path], demo_clips: list[Path]):
    adapter = HFAutoAdapter(HFAutoArgs(pretrained=str(checkpoints[family]), dtype="bfloat16", max_new_tokens=2,
                                       num_frames=2, max_pixels=128 * 128))
    spy = GenerateSpy(adapter)
    out = adapter.generate(prepared_demo(adapter, demo_clips[:1], SUBTITLES[:1]))
    assert out[0].ok, out[0].error
    call = spy.calls[0]
    assert all(call[key].dtype == torch.bfloat16 for key in media_keys)
    # masks keep the processor's dtype (Phi-4's image mask is float32 by design)
    assert all(v.dtype != torch.bfloat16 for k, v in call.items() if "mask" in k and isinstance(v, torch.Tensor))
    if family == "qwen3_omni":
        assert call["video_second_per_grid"].dtype == torch.float32  # time positions keep full precision


def test_preprocessing_ahead_gives_the_same_answers_and_inputs(checkpoints: dict[str, Path], demo_clips: list[Path]):
    adapter = HFAutoAdapter(HFAutoArgs(pretrained=str(checkpoints["qwen3_omni"]), max_new_tokens=3, batch_size=2,
                                       num_frames=FRAMES, max_pixels=128 * 128))
    batch = prepared_demo(adapter, demo_clips[:2], SUBTITLES)
    plain = adapter.generate(batch)
    ahead = [adapter.preprocess(p) for p in batch]  # processor call on the prefetch threads
    assert all(p.payload.encoded is not None for p in ahead)
    out = adapter.generate(ahead)
    assert [(g.text, g.inputs) for g in out] == [(g.text, g.inputs) for g in plain]
