"""Tiny random-weight checkpoints of the current audio-video families, built offline for the
hf_auto tests (test stand-ins, no downloads): Qwen3-Omni (full layout, thinker weights under
"thinker."), Gemma 3n, Phi-4-multimodal, InternVL3 and VideoLLaMA3.

Each is a real transformers model class with a tiny config, the family's real processor classes
(sizes shrunk so each test takes seconds on a CPU), a tokenizer trained here (tiny_models.py)
carrying the special tokens the processor looks up, and a chat template written for these tests
in the shape of the family's published one (the media items become the processor's placeholder
tokens). Random weights answer gibberish; the tests check what reached the model.
"""

from __future__ import annotations

import sys
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import torch

sys.path.insert(0, str(Path(__file__).parent))
from tiny_models import _quiet_transformers, _whisper_features, build_qwen_tokenizer  # noqa: E402


@dataclass(frozen=True)
class TinyCheckpoint:
    path: Path
    model_type: str
    tokens: dict[str, int]  # placeholder token -> id


def _chatml(parts: dict[str, str], default_system: str | None = None) -> str:
    """ChatML taking string or block contents; `parts` maps a content type to what it renders."""
    branches = "".join(f"{{% elif c['type'] == '{kind}' %}}{text}" for kind, text in parts.items())
    system = ("{% if loop.first and m['role'] != 'system' %}<|im_start|>system\n" + default_system
              + "<|im_end|>\n{% endif %}") if default_system else ""
    return ("{% for m in messages %}" + system + "<|im_start|>{{ m['role'] }}\n"
            "{% if m['content'] is string %}{{ m['content'] }}{% else %}{% for c in m['content'] %}"
            "{% if c['type'] == 'text' %}{{ c['text'] }}" + branches + "{% endif %}{% endfor %}{% endif %}"
            "<|im_end|>\n{% endfor %}{% if add_generation_prompt %}<|im_start|>assistant\n{% endif %}")


def _text(tokenizer: Any, **extra: Any) -> dict[str, Any]:
    eos = tokenizer.convert_tokens_to_ids("<|im_end|>")
    base = dict(vocab_size=len(tokenizer), hidden_size=32, intermediate_size=64, num_hidden_layers=2,
                num_attention_heads=2, num_key_value_heads=1, max_position_embeddings=4096, eos_token_id=eos,
                pad_token_id=tokenizer.convert_tokens_to_ids("<|endoftext|>"))
    return {**base, **extra}


def _save(model: Any, processor: Any, dest: Path, eos_id: int) -> None:
    dest.mkdir(parents=True, exist_ok=True)
    model.generation_config.eos_token_id = eos_id
    model.generation_config.pad_token_id = model.config.get_text_config().pad_token_id
    with _quiet_transformers():
        model.save_pretrained(dest)
    processor.save_pretrained(dest)


def _ids(tokenizer: Any, tokens: list[str]) -> dict[str, int]:
    return {t: int(tokenizer.convert_tokens_to_ids(t)) for t in tokens}


# ---- Qwen3-Omni ---------------------------------------------------------------------------------
QWEN3_OMNI_TEMPLATE = _chatml({
    "image": "<|vision_start|><|image_pad|><|vision_end|>", "video": "<|vision_start|><|video_pad|><|vision_end|>",
    "audio": "<|audio_start|><|audio_pad|><|audio_end|>"})
QWEN3_OMNI_TOKENS = {"audio_token": "<|audio_pad|>", "image_token": "<|image_pad|>", "video_token": "<|video_pad|>",
                     "vision_bos_token": "<|vision_start|>", "vision_eos_token": "<|vision_end|>",
                     "audio_bos_token": "<|audio_start|>", "audio_eos_token": "<|audio_end|>"}


def build_tiny_qwen3_omni(dest: Path, seed: int = 0) -> TinyCheckpoint:
    """A full Qwen3-Omni-MoE checkpoint (thinker + a minimal talker/code2wav layout, no audio output)."""
    from transformers import (
        Qwen2VLImageProcessor,
        Qwen2VLVideoProcessor,
        Qwen3OmniMoeConfig,
        Qwen3OmniMoeForConditionalGeneration,
        Qwen3OmniMoeProcessor,
    )

    tokenizer = build_qwen_tokenizer(QWEN3_OMNI_TOKENS)
    ids = _ids(tokenizer, list(QWEN3_OMNI_TOKENS.values()) + ["<|im_start|>", "<|im_end|>"])
    thinker = dict(
        audio_config=dict(num_mel_bins=128, encoder_layers=1, encoder_attention_heads=2, encoder_ffn_dim=32,
                          d_model=16, output_dim=32, downsample_hidden_size=8, n_window=50),
        vision_config=dict(depth=1, hidden_size=16, intermediate_size=32, num_heads=2, out_hidden_size=32,
                           num_position_embeddings=64, deepstack_visual_indexes=[0]),
        text_config=_text(tokenizer, head_dim=16, moe_intermediate_size=16, num_experts=4, num_experts_per_tok=2,
                          rope_parameters={"rope_type": "default", "rope_theta": 10000.0,
                                           "mrope_section": [2, 3, 3], "mrope_interleaved": True}),
        audio_token_id=ids["<|audio_pad|>"], image_token_id=ids["<|image_pad|>"], video_token_id=ids["<|video_pad|>"],
        audio_start_token_id=ids["<|audio_start|>"], vision_start_token_id=ids["<|vision_start|>"],
        user_token_id=ids["<|im_start|>"], position_id_per_seconds=13)
    torch.manual_seed(seed)
    with _quiet_transformers():
        config = Qwen3OmniMoeConfig(thinker_config=thinker, enable_audio_output=False,
                                    im_start_token_id=ids["<|im_start|>"], im_end_token_id=ids["<|im_end|>"])
        model = Qwen3OmniMoeForConditionalGeneration(config).eval()
    processor = Qwen3OmniMoeProcessor(image_processor=Qwen2VLImageProcessor(patch_size=16),
                                      video_processor=Qwen2VLVideoProcessor(patch_size=16),
                                      feature_extractor=_whisper_features(), tokenizer=tokenizer,
                                      chat_template=QWEN3_OMNI_TEMPLATE)
    _save(model, processor, dest, ids["<|im_end|>"])
    return TinyCheckpoint(dest, "qwen3_omni_moe", {t: ids[t] for t in QWEN3_OMNI_TOKENS.values()})


# ---- InternVL3 ----------------------------------------------------------------------------------
INTERNVL_TOKENS = {"start_image_token": "<img>", "end_image_token": "</img>", "context_image_token": "<IMG_CONTEXT>",
                   "video_token": "<video>"}
INTERNVL_TEMPLATE = _chatml({"image": "<IMG_CONTEXT>\n", "video": "<video>\n"},
                            default_system="You are InternVL, a multimodal large language model.")
_INTERNVL_FRAME = 28  # one 2x2 patch grid per frame: 1 token after the 0.5 pixel shuffle


def build_tiny_internvl(dest: Path, seed: int = 0) -> TinyCheckpoint:
    from transformers import (
        GotOcr2ImageProcessor,
        InternVLConfig,
        InternVLForConditionalGeneration,
        InternVLProcessor,
        InternVLVideoProcessor,
    )

    tokenizer = build_qwen_tokenizer(INTERNVL_TOKENS)
    ids = _ids(tokenizer, [*INTERNVL_TOKENS.values(), "<|im_end|>"])
    size = {"height": _INTERNVL_FRAME, "width": _INTERNVL_FRAME}
    seq = (_INTERNVL_FRAME // 14) ** 2 // 4
    config = InternVLConfig(
        vision_config=dict(hidden_size=16, num_hidden_layers=1, num_attention_heads=2, intermediate_size=32,
                           image_size=[_INTERNVL_FRAME, _INTERNVL_FRAME], patch_size=[14, 14]),
        text_config=dict(model_type="qwen2", **_text(tokenizer)), image_token_id=ids["<IMG_CONTEXT>"],
        image_seq_length=seq, downsample_ratio=0.5, tie_word_embeddings=False)  # tied: a tiny model echoes "\n"
    torch.manual_seed(seed)
    model = InternVLForConditionalGeneration(config).eval()
    processor = InternVLProcessor(image_processor=GotOcr2ImageProcessor(size=size, max_patches=1),
                                  tokenizer=tokenizer, video_processor=InternVLVideoProcessor(size=size),
                                  image_seq_length=seq, chat_template=INTERNVL_TEMPLATE)
    _save(model, processor, dest, ids["<|im_end|>"])
    return TinyCheckpoint(dest, "internvl", {"<IMG_CONTEXT>": ids["<IMG_CONTEXT>"], "<video>": ids["<video>"]})


# ---- VideoLLaMA3 --------------------------------------------------------------------------------
VIDEOLLAMA3_TOKENS = {"image_token": "<|image_pad|>", "video_token": "<|video_pad|>"}
VIDEOLLAMA3_TEMPLATE = _chatml({"image": "<|image_pad|>\n", "video": "<|video_pad|>\n"})


def build_tiny_videollama3(dest: Path, seed: int = 0) -> TinyCheckpoint:
    from transformers import (
        VideoLlama3Config,
        VideoLlama3ForConditionalGeneration,
        VideoLlama3ImageProcessor,
        VideoLlama3Processor,
        VideoLlama3VideoProcessor,
    )

    tokenizer = build_qwen_tokenizer(VIDEOLLAMA3_TOKENS)
    ids = _ids(tokenizer, [*VIDEOLLAMA3_TOKENS.values(), "<|im_end|>"])
    config = VideoLlama3Config(
        vision_config=dict(hidden_size=16, intermediate_size=32, num_hidden_layers=1, num_attention_heads=2,
                           patch_size=14),
        text_config=dict(model_type="qwen2", **_text(tokenizer)),
        image_token_id=ids["<|image_pad|>"], video_token_id=ids["<|video_pad|>"])
    torch.manual_seed(seed)
    model = VideoLlama3ForConditionalGeneration(config).eval()
    small = {"shortest_edge": 28 * 28, "longest_edge": 56 * 56}  # 2x2 .. 4x4 patches a frame
    processor = VideoLlama3Processor(image_processor=VideoLlama3ImageProcessor(size=small),
                                     tokenizer=tokenizer, video_processor=VideoLlama3VideoProcessor(size=small),
                                     chat_template=VIDEOLLAMA3_TEMPLATE)
    _save(model, processor, dest, ids["<|im_end|>"])
    return TinyCheckpoint(dest, "video_llama_3", {t: ids[t] for t in VIDEOLLAMA3_TOKENS.values()})


def _tokenizer(named: dict[str, str], extra: list[str], eos: str, **standard: str) -> Any:
    """The locally trained BPE as a Qwen2Tokenizer with another family's special tokens (added in
    this order: eos and `standard` ones, `named` ones, then `extra` ones)."""
    from tiny_models import train_bpe
    from transformers import Qwen2Tokenizer

    vocab, merges = train_bpe()
    return Qwen2Tokenizer(vocab=vocab, merges=merges, eos_token=eos, pad_token="<|endoftext|>",
                          extra_special_tokens=extra, model_specific_special_tokens=named, **standard)


# ---- Phi-4-multimodal ---------------------------------------------------------------------------
PHI4_TOKENS = {"image_token": "<|image|>", "audio_token": "<|audio|>"}
PHI4_TEMPLATE = (
    "{% for m in messages %}<|{{ m['role'] }}|>{% if m['content'] is string %}{{ m['content'] }}{% else %}"
    "{% for c in m['content'] %}{% if c['type'] == 'image' %}<|image|>{% elif c['type'] == 'audio' %}<|audio|>"
    "{% elif c['type'] == 'text' %}{{ c['text'] }}{% endif %}{% endfor %}{% endif %}<|end|>{% endfor %}"
    "{% if add_generation_prompt %}<|assistant|>{% endif %}")


def build_tiny_phi4_multimodal(dest: Path, seed: int = 0, loras: bool = False) -> TinyCheckpoint:
    """Phi-4-multimodal: the processor is wired to 448-pixel crops (256 global tokens), so the
    vision tower keeps that input size with a one-layer, 16-wide encoder; one crop per image.
    `loras`: also random LoRA adapters of the language model in vision-lora/ and speech-lora/, the
    published checkpoint's layout (needs peft)."""
    from transformers import (
        Phi4MultimodalConfig,
        Phi4MultimodalFeatureExtractor,
        Phi4MultimodalForCausalLM,
        Phi4MultimodalImageProcessor,
        Phi4MultimodalProcessor,
    )

    tokenizer = _tokenizer(PHI4_TOKENS, ["<|system|>", "<|user|>", "<|assistant|>", "<|end|>"], "<|end|>")
    ids = _ids(tokenizer, [*PHI4_TOKENS.values(), "<|end|>", "<|endoftext|>"])
    config = Phi4MultimodalConfig(
        vocab_size=len(tokenizer), hidden_size=32, intermediate_size=64, num_hidden_layers=2, num_attention_heads=2,
        num_key_value_heads=1, max_position_embeddings=8192, original_max_position_embeddings=8192,
        bos_token_id=ids["<|endoftext|>"], eos_token_id=ids["<|end|>"], pad_token_id=ids["<|endoftext|>"],
        vision_config=dict(hidden_size=16, intermediate_size=32, num_hidden_layers=1, num_attention_heads=2,
                           image_token_id=ids["<|image|>"]),
        audio_config=dict(hidden_size=16, intermediate_size=32, num_blocks=1, num_attention_heads=2,
                          ext_pw_out_channel=16, depthwise_separable_out_channel=16, nemo_conv_channels=16,
                          audio_token_id=ids["<|audio|>"]))
    torch.manual_seed(seed)
    model = Phi4MultimodalForCausalLM(config).eval()
    processor = Phi4MultimodalProcessor(image_processor=Phi4MultimodalImageProcessor(dynamic_hd=1),
                                        audio_processor=Phi4MultimodalFeatureExtractor(), tokenizer=tokenizer,
                                        chat_template=PHI4_TEMPLATE)
    _save(model, processor, dest, ids["<|end|>"])
    if loras:
        from peft import LoraConfig, get_peft_model

        for offset, name in enumerate(("vision", "speech")):
            torch.manual_seed(seed + 1 + offset)
            lora = LoraConfig(r=2, lora_alpha=4, target_modules=r".*layers\.\d+\.self_attn\.(qkv_proj|o_proj)",
                              init_lora_weights=False)  # random B: the adapter changes the answers
            get_peft_model(Phi4MultimodalForCausalLM(config), lora).save_pretrained(dest / f"{name}-lora")
    return TinyCheckpoint(dest, "phi4_multimodal", {t: ids[t] for t in PHI4_TOKENS.values()})


# ---- Gemma 3n -----------------------------------------------------------------------------------
# Gemma 3n embeds the last four through its vision / audio vocabularies, laid out right after the
# text vocabulary: end-of-image and the image soft token, then end-of-audio and the audio soft token.
GEMMA3N_TOKENS = {"start_of_turn_token": "<start_of_turn>", "boi_token": "<start_of_image>",
                  "boa_token": "<start_of_audio>", "eoi_token": "<end_of_image>", "image_token": "<image_soft_token>",
                  "eoa_token": "<end_of_audio>", "audio_token": "<audio_soft_token>"}
# Gemma chat templates fold the system turn into the first user turn.
GEMMA3N_TEMPLATE = (
    "{{ bos_token }}{% set sys = namespace(text='') %}"
    "{% for m in messages %}{% if m['role'] == 'system' %}{% for c in m['content'] %}{% set sys.text = sys.text + "
    "c['text'] + '\n\n' %}{% endfor %}{% else %}<start_of_turn>{{ 'model' if m['role'] == 'assistant' else "
    "m['role'] }}\n{% if loop.index0 <= 1 %}{{ sys.text }}{% endif %}{% for c in m['content'] %}"
    "{% if c['type'] == 'image' %}<image_soft_token>{% elif c['type'] == 'audio' %}<audio_soft_token>"
    "{% elif c['type'] == 'text' %}{{ c['text'] }}{% endif %}{% endfor %}<end_of_turn>\n{% endif %}{% endfor %}"
    "{% if add_generation_prompt %}<start_of_turn>model\n{% endif %}")
_GEMMA3N_IMAGE = 64  # the timm test ConvNeXt reduces 64x64 to a 2x2 grid: 4 soft tokens an image


def build_tiny_gemma3n(dest: Path, seed: int = 0) -> TinyCheckpoint:
    """Gemma 3n with timm's `test_convnext` as the vision tower (the published one is MobileNetV5)."""
    from transformers import (
        Gemma3nAudioFeatureExtractor,
        Gemma3nConfig,
        Gemma3nForConditionalGeneration,
        Gemma3nProcessor,
        SiglipImageProcessor,
    )

    tokenizer = _tokenizer(GEMMA3N_TOKENS, [], "<end_of_turn>", bos_token="<bos>")
    ids = _ids(tokenizer, ["<bos>", "<end_of_turn>", *GEMMA3N_TOKENS.values(), "<|endoftext|>"])
    text_vocab = ids["<end_of_image>"]
    layout = [ids[t] - text_vocab for t in ("<end_of_image>", "<image_soft_token>", "<end_of_audio>",
                                            "<audio_soft_token>")]
    assert layout == [0, 1, 2, 3] and len(tokenizer) == text_vocab + 4, (layout, len(tokenizer), text_vocab)
    config = Gemma3nConfig(
        text_config=dict(vocab_size=text_vocab + 4, vocab_size_per_layer_input=text_vocab, hidden_size=32,
                         intermediate_size=64, num_hidden_layers=2, num_attention_heads=2, num_key_value_heads=1,
                         head_dim=16, hidden_size_per_layer_input=8, altup_num_inputs=2, num_kv_shared_layers=0,
                         laurel_rank=4, sliding_window=64, layer_types=["sliding_attention", "full_attention"],
                         activation_sparsity_pattern=[0.0, 0.0], pad_token_id=ids["<|endoftext|>"],
                         bos_token_id=ids["<bos>"], eos_token_id=ids["<end_of_turn>"]),
        vision_config=dict(architecture="test_convnext", hidden_size=64, vocab_size=2, vocab_offset=text_vocab),
        audio_config=dict(hidden_size=16, conf_num_attention_heads=2, conf_num_hidden_layers=1,
                          sscp_conv_channel_size=[8, 4], vocab_size=2, vocab_offset=text_vocab + 2),
        vision_soft_tokens_per_image=4, audio_soft_tokens_per_image=188,
        boi_token_id=ids["<start_of_image>"], eoi_token_id=ids["<end_of_image>"],
        image_token_id=ids["<image_soft_token>"], boa_token_id=ids["<start_of_audio>"],
        eoa_token_id=ids["<end_of_audio>"], audio_token_id=ids["<audio_soft_token>"])
    torch.manual_seed(seed)
    with _quiet_transformers():
        model = Gemma3nForConditionalGeneration(config).eval()
    image_size = {"height": _GEMMA3N_IMAGE, "width": _GEMMA3N_IMAGE}
    processor = Gemma3nProcessor(feature_extractor=Gemma3nAudioFeatureExtractor(),
                                 image_processor=SiglipImageProcessor(size=image_size), tokenizer=tokenizer,
                                 image_seq_length=4, audio_seq_length=188, chat_template=GEMMA3N_TEMPLATE)
    _save(model, processor, dest, ids["<end_of_turn>"])
    return TinyCheckpoint(dest, "gemma3n", {t: ids[t] for t in ("<image_soft_token>", "<audio_soft_token>")})
