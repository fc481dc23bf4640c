"""Tiny random-weight video-language checkpoints for adapter tests (test stand-ins, no downloads).

Each builder writes a real transformers checkpoint (config + safetensors + processor files) to a
folder, built from the family's own config, model and processor classes: only the sizes are
tiny (2 layers, hidden 32-64, a 2-layer vision tower) and the tokenizer is the byte-level BPE
trained locally by `tiny_models.train_bpe` (a Qwen2Tokenizer for the Qwen-based families, as
published; a Llama-style one with <s> for LLaVA-NeXT-Video), carrying the special tokens the
processor and chat template need. Loading the folder through an adapter is then exactly how a
user's checkpoint is loaded.

The chat templates are written for these tests; they follow each family's prompt layout
(ChatML with a video placeholder for Qwen and LLaVA-OneVision, "USER: ... ASSISTANT:" for
LLaVA-NeXT-Video) so the adapters exercise the same code path as with the published ones.
"""

from __future__ import annotations

import sys
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import torch
from tokenizers import Tokenizer, decoders, models, pre_tokenizers, processors
from transformers import (
    LlavaNextImageProcessor,
    LlavaNextVideoConfig,
    LlavaNextVideoForConditionalGeneration,
    LlavaNextVideoProcessor,
    LlavaNextVideoVideoProcessor,
    LlavaOnevisionConfig,
    LlavaOnevisionForConditionalGeneration,
    LlavaOnevisionImageProcessor,
    LlavaOnevisionProcessor,
    LlavaOnevisionVideoProcessor,
    PreTrainedTokenizerFast,
    Qwen2_5_VLConfig,
    Qwen2_5_VLForConditionalGeneration,
    Qwen2_5_VLProcessor,
    Qwen2VLImageProcessor,
    Qwen2VLVideoProcessor,
    Qwen3VLConfig,
    Qwen3VLForConditionalGeneration,
    Qwen3VLProcessor,
    Qwen3VLVideoProcessor,
)

sys.path.insert(0, str(Path(__file__).parent))
from tiny_models import build_qwen_tokenizer, train_bpe  # noqa: E402

QWEN_VISION_TOKENS = ["<|vision_start|>", "<|vision_end|>", "<|image_pad|>", "<|video_pad|>"]
LLAVA_MEDIA_TOKENS = ["<image>", "<video>"]
LLAMA_SPECIAL_TOKENS = ["<unk>", "<s>", "</s>"]


def _chatml_template(video_placeholder: str) -> str:
    """ChatML that takes string or block contents, like the Qwen-VL templates."""
    return (
        "{% for m in messages %}<|im_start|>{{ m['role'] }}\n"
        "{% if m['content'] is string %}{{ m['content'] }}{% else %}{% for c in m['content'] %}"
        "{% if c['type'] == 'video' %}" + video_placeholder + "{% elif c['type'] == 'text' %}{{ c['text'] }}"
        "{% endif %}{% endfor %}{% endif %}<|im_end|>\n{% endfor %}"
        "{% if add_generation_prompt %}<|im_start|>assistant\n{% endif %}"
    )


QWEN_CHAT_TEMPLATE = _chatml_template("<|vision_start|><|video_pad|><|vision_end|>")
# The llava-hf templates read contents as lists of blocks only (videos first, then texts): a plain
# string content renders as nothing. These follow that, so a string content fails the tests.
LLAVA_OV_CHAT_TEMPLATE = (
    "{% for m in messages %}<|im_start|>{{ m['role'] }}\n"
    "{% for c in m['content'] | selectattr('type', 'equalto', 'video') %}<video>\n{% endfor %}"
    "{% for c in m['content'] | selectattr('type', 'equalto', 'text') %}{{ c['text'] }}{% endfor %}"
    "<|im_end|>\n{% endfor %}{% if add_generation_prompt %}<|im_start|>assistant\n{% endif %}"
)
LLAVA_NEXT_VIDEO_CHAT_TEMPLATE = (
    "{% for m in messages %}{% if m['role'] != 'system' %}{{ m['role'].upper() }}: {% endif %}"
    "{% for c in m['content'] | selectattr('type', 'equalto', 'video') %}<video>\n{% endfor %}"
    "{% for c in m['content'] | selectattr('type', 'equalto', 'text') %}{{ c['text'] }} {% endfor %}"
    "{% endfor %}{% if add_generation_prompt %}ASSISTANT:{% endif %}"
)


@dataclass(frozen=True)
class TinyVideoCheckpoint:
    """Where a tiny checkpoint was written and the facts tests check against."""

    path: Path
    family: str
    video_token: str
    video_token_id: int
    # LLaVA families: vision tokens per frame after pooling (Qwen derives it from video_grid_thw).
    tokens_per_frame: int | None = None


def llama_style_tokenizer() -> PreTrainedTokenizerFast:
    """The same trained BPE with Llama's special tokens; every encoded text starts with <s>."""
    vocab, merges = train_bpe()
    specials = [*LLAMA_SPECIAL_TOKENS, *LLAVA_MEDIA_TOKENS]
    tok = Tokenizer(models.BPE(vocab=vocab, merges=merges))
    tok.pre_tokenizer = pre_tokenizers.ByteLevel(add_prefix_space=False)
    tok.decoder = decoders.ByteLevel()
    tok.add_special_tokens(specials)
    bos_id = tok.token_to_id("<s>")
    tok.post_processor = processors.TemplateProcessing(single="<s> $A", pair="<s> $A <s> $B",
                                                       special_tokens=[("<s>", bos_id)])
    return PreTrainedTokenizerFast(tokenizer_object=tok, bos_token="<s>", eos_token="</s>", unk_token="<unk>",
                                   pad_token="<unk>")


def _ids(tokenizer: Any, tokens: list[str]) -> dict[str, int]:
    return {t: int(tokenizer.convert_tokens_to_ids(t)) for t in tokens}


def _text_config(tokenizer: Any, **extra: object) -> dict[str, object]:
    base: dict[str, object] = dict(
        vocab_size=len(tokenizer), hidden_size=64, intermediate_size=128, num_hidden_layers=2,
        num_attention_heads=4, num_key_value_heads=2, max_position_embeddings=4096,
        eos_token_id=tokenizer.eos_token_id, pad_token_id=tokenizer.pad_token_id)
    base.update(extra)
    return base


def _save(model: torch.nn.Module, processor: object, dest: Path) -> None:
    dest.mkdir(parents=True, exist_ok=True)
    model.generation_config.pad_token_id = model.config.get_text_config().pad_token_id
    model.save_pretrained(dest)
    processor.save_pretrained(dest)  # type: ignore[attr-defined]


def build_tiny_qwen2_5_vl(dest: Path, seed: int = 0) -> TinyVideoCheckpoint:
    tokenizer = build_qwen_tokenizer(extra_tokens=QWEN_VISION_TOKENS)
    ids = _ids(tokenizer, QWEN_VISION_TOKENS)
    config = Qwen2_5_VLConfig(
        vision_config=dict(depth=2, hidden_size=32, intermediate_size=64, num_heads=2, out_hidden_size=64,
                           fullatt_block_indexes=[1], window_size=112),
        # mrope_section splits head_dim/2 = 8 rotary pairs over (time, height, width).
        text_config=_text_config(tokenizer, bos_token_id=None, rope_parameters={
            "rope_type": "default", "rope_theta": 10000.0, "mrope_section": [2, 3, 3]}),
        image_token_id=ids["<|image_pad|>"], video_token_id=ids["<|video_pad|>"],
        vision_start_token_id=ids["<|vision_start|>"], vision_end_token_id=ids["<|vision_end|>"])
    torch.manual_seed(seed)
    model = Qwen2_5_VLForConditionalGeneration(config).eval()
    processor = Qwen2_5_VLProcessor(image_processor=Qwen2VLImageProcessor(), tokenizer=tokenizer,
                                    video_processor=Qwen2VLVideoProcessor(), chat_template=QWEN_CHAT_TEMPLATE)
    _save(model, processor, dest)
    return TinyVideoCheckpoint(dest, "qwen2_5_vl", "<|video_pad|>", ids["<|video_pad|>"])


def build_tiny_qwen3_vl(dest: Path, seed: int = 0) -> TinyVideoCheckpoint:
    tokenizer = build_qwen_tokenizer(extra_tokens=QWEN_VISION_TOKENS)
    ids = _ids(tokenizer, QWEN_VISION_TOKENS)
    config = Qwen3VLConfig(
        # num_position_embeddings must be a square (learned 8x8 position grid, interpolated).
        vision_config=dict(depth=2, hidden_size=32, intermediate_size=64, num_heads=2, out_hidden_size=64,
                           num_position_embeddings=64, deepstack_visual_indexes=[0]),
        text_config=_text_config(tokenizer, head_dim=16, rope_parameters={
            "rope_type": "default", "rope_theta": 10000.0, "mrope_section": [2, 3, 3], "mrope_interleaved": True}),
        image_token_id=ids["<|image_pad|>"], video_token_id=ids["<|video_pad|>"],
        vision_start_token_id=ids["<|vision_start|>"], vision_end_token_id=ids["<|vision_end|>"])
    torch.manual_seed(seed)
    model = Qwen3VLForConditionalGeneration(config).eval()
    processor = Qwen3VLProcessor(image_processor=Qwen2VLImageProcessor(patch_size=16), tokenizer=tokenizer,
                                 video_processor=Qwen3VLVideoProcessor(), chat_template=QWEN_CHAT_TEMPLATE)
    _save(model, processor, dest)
    return TinyVideoCheckpoint(dest, "qwen3_vl", "<|video_pad|>", ids["<|video_pad|>"])


# Frames are resized to 56x56 and cut into 14-pixel patches: a 4x4 grid per frame.
_LLAVA_FRAME = 56
_LLAVA_PATCH = 14
_LLAVA_PINPOINTS = [[56, 56], [56, 112], [112, 56], [112, 112]]


def build_tiny_llava_onevision(dest: Path, seed: int = 0) -> TinyVideoCheckpoint:
    tokenizer = build_qwen_tokenizer(extra_tokens=LLAVA_MEDIA_TOKENS)
    ids = _ids(tokenizer, LLAVA_MEDIA_TOKENS)
    config = LlavaOnevisionConfig(
        vision_config=dict(model_type="siglip_vision_model", hidden_size=32, intermediate_size=64,
                           num_hidden_layers=2, num_attention_heads=2, image_size=_LLAVA_FRAME,
                           patch_size=_LLAVA_PATCH, vision_use_head=False),
        text_config=_text_config(tokenizer, model_type="qwen2"),
        image_token_index=ids["<image>"], video_token_index=ids["<video>"],
        image_grid_pinpoints=_LLAVA_PINPOINTS, vision_feature_layer=-1, vision_feature_select_strategy="full")
    torch.manual_seed(seed)
    model = LlavaOnevisionForConditionalGeneration(config).eval()
    size = {"height": _LLAVA_FRAME, "width": _LLAVA_FRAME}
    grid = _LLAVA_FRAME // _LLAVA_PATCH
    processor = LlavaOnevisionProcessor(
        image_processor=LlavaOnevisionImageProcessor(size=size, image_grid_pinpoints=_LLAVA_PINPOINTS),
        tokenizer=tokenizer, video_processor=LlavaOnevisionVideoProcessor(size=size),
        num_image_tokens=grid * grid, vision_feature_select_strategy="full", chat_template=LLAVA_OV_CHAT_TEMPLATE)
    _save(model, processor, dest)
    # Each frame's 4x4 grid is pooled to 2x2; one newline token closes the whole video.
    pooled = -(-grid // 2)
    return TinyVideoCheckpoint(dest, "llava_onevision", "<video>", ids["<video>"], pooled * pooled)


def build_tiny_llava_next_video(dest: Path, seed: int = 0) -> TinyVideoCheckpoint:
    tokenizer = llama_style_tokenizer()
    ids = _ids(tokenizer, [*LLAMA_SPECIAL_TOKENS, *LLAVA_MEDIA_TOKENS])
    grid = _LLAVA_FRAME // _LLAVA_PATCH
    config = LlavaNextVideoConfig(
        vision_config=dict(model_type="clip_vision_model", hidden_size=32, intermediate_size=64,
                           num_hidden_layers=2, num_attention_heads=2, image_size=_LLAVA_FRAME,
                           patch_size=_LLAVA_PATCH, projection_dim=32),
        text_config=_text_config(tokenizer, model_type="llama", bos_token_id=ids["<s>"]),
        image_token_index=ids["<image>"], video_token_index=ids["<video>"], image_grid_pinpoints=_LLAVA_PINPOINTS,
        image_seq_length=grid * grid, video_seq_length=grid * grid // 4)
    torch.manual_seed(seed)
    model = LlavaNextVideoForConditionalGeneration(config).eval()
    shortest = {"shortest_edge": _LLAVA_FRAME}
    crop = {"height": _LLAVA_FRAME, "width": _LLAVA_FRAME}
    processor = LlavaNextVideoProcessor(
        video_processor=LlavaNextVideoVideoProcessor(size=shortest, crop_size=crop),
        image_processor=LlavaNextImageProcessor(size=shortest, crop_size=crop, image_grid_pinpoints=_LLAVA_PINPOINTS),
        tokenizer=tokenizer, patch_size=_LLAVA_PATCH, vision_feature_select_strategy="default",
        chat_template=LLAVA_NEXT_VIDEO_CHAT_TEMPLATE)
    _save(model, processor, dest)
    # Average pooling with stride 2 turns each frame's 4x4 patch grid into 2x2 tokens.
    return TinyVideoCheckpoint(dest, "llava_next_video", "<video>", ids["<video>"], grid * grid // 4)


BUILDERS = {
    "qwen2_5_vl": build_tiny_qwen2_5_vl,
    "qwen3_vl": build_tiny_qwen3_vl,
    "llava_onevision": build_tiny_llava_onevision,
    "llava_video": build_tiny_llava_next_video,
}
