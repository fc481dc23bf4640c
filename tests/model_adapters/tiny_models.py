"""Tiny random-weight checkpoints of real transformers families, built offline for tests.

Each builder writes a directory that loads exactly like a user's checkpoint
(``from_pretrained(<dir>)``): config, safetensors weights, a tokenizer TRAINED HERE with the
`tokenizers` library (byte-level BPE on a small corpus) plus the special tokens the family's
processor and chat template need, the real processor classes with default configs, and a chat
template. Random weights answer gibberish; tests check what reached the model, not the words.

`build_qwen_tokenizer` and `QWEN_VL_CHAT_TEMPLATE` are meant for reuse by other adapter tests.
"""

from __future__ import annotations

import json
from contextlib import contextmanager
from pathlib import Path
from typing import Any, Iterator

CORPUS = [
    "Subtitle content of this video: I can't believe you did that for me, thank you so much!",
    "As an expert in the field of emotions, please focus on the facial expressions, body movements,",
    "tone of voice and subtitle content in the video, infer the person's emotional state.",
    "The woman smiles broadly and her voice is bright, so she seems happy and grateful.",
    "He frowns, raises his voice and clenches his fists; he is angry and frustrated.",
    "Her eyes are red and she speaks slowly in a low voice, which suggests sadness.",
    "The man looks surprised: his eyebrows go up and his mouth opens.",
    "She glances away nervously and her voice trembles, showing worry and fear.",
    "Please list the emotion labels, separated by commas: happy, sad, angry, neutral, surprise, worried.",
    "You are a helpful assistant. Answer briefly.",
]

# Tokens every Qwen chat model has; the vision/audio ones are what the processors look up.
QWEN_CHAT_TOKENS = ["<|im_start|>", "<|im_end|>"]
QWEN_MEDIA_TOKENS = {
    "audio_token": "<|AUDIO|>", "audio_bos_token": "<|audio_bos|>", "audio_eos_token": "<|audio_eos|>",
    "image_token": "<|IMAGE|>", "video_token": "<|VIDEO|>",
    "vision_bos_token": "<|vision_bos|>", "vision_eos_token": "<|vision_eos|>",
}

# Written for these tests in the shape of Qwen chat templates: a default system turn, then
# vision/audio placeholders wrapped in their bos/eos tokens, then the text.
QWEN_VL_CHAT_TEMPLATE = (
    "{% for message in messages %}"
    "{% if loop.first and message['role'] != 'system' %}<|im_start|>system\nYou are a helpful assistant.<|im_end|>\n{% endif %}"
    "<|im_start|>{{ message['role'] }}\n"
    "{% if message['content'] is string %}{{ message['content'] }}"
    "{% else %}{% for part in message['content'] %}"
    "{% if part['type'] == 'video' %}<|vision_bos|><|VIDEO|><|vision_eos|>"
    "{% elif part['type'] == 'image' %}<|vision_bos|><|IMAGE|><|vision_eos|>"
    "{% elif part['type'] == 'audio' %}<|audio_bos|><|AUDIO|><|audio_eos|>"
    "{% elif part['type'] == 'text' %}{{ part['text'] }}{% endif %}"
    "{% endfor %}{% endif %}<|im_end|>\n"
    "{% endfor %}"
    "{% if add_generation_prompt %}<|im_start|>assistant\n{% endif %}"
)

# Plain text chat template (string contents only), like text-only instruct models use.
TEXT_CHAT_TEMPLATE = (
    "{% for message in messages %}<|im_start|>{{ message['role'] }}\n{{ message['content'] }}<|im_end|>\n{% endfor %}"
    "{% if add_generation_prompt %}<|im_start|>assistant\n{% endif %}"
)


def train_bpe(corpus: list[str] = CORPUS, vocab_size: int = 400) -> tuple[dict[str, int], list[tuple[str, str]]]:
    """Byte-level BPE vocabulary and merges learned from `corpus` with the `tokenizers` library."""
    from tokenizers import Tokenizer, decoders, models, pre_tokenizers, trainers

    tokenizer = Tokenizer(models.BPE())
    tokenizer.pre_tokenizer = pre_tokenizers.ByteLevel(add_prefix_space=False)
    tokenizer.decoder = decoders.ByteLevel()
    trainer = trainers.BpeTrainer(vocab_size=vocab_size, special_tokens=["<|endoftext|>"], show_progress=False,
                                  initial_alphabet=pre_tokenizers.ByteLevel.alphabet())
    tokenizer.train_from_iterator(corpus * 4, trainer)
    model = json.loads(tokenizer.to_str())["model"]
    return model["vocab"], [tuple(m) for m in model["merges"]]


def build_qwen_tokenizer(media_tokens: dict[str, str] | None = None, extra_tokens: list[str] | None = None,
                         chat_template: str | None = None) -> Any:
    """A Qwen2Tokenizer over a locally trained BPE; `media_tokens` become named special tokens
    (``tokenizer.audio_token`` etc., as the Qwen processors read them)."""
    from transformers import Qwen2Tokenizer

    vocab, merges = train_bpe()
    tokenizer = Qwen2Tokenizer(
        vocab=vocab, merges=merges, eos_token="<|im_end|>", pad_token="<|endoftext|>",
        extra_special_tokens=[*QWEN_CHAT_TOKENS, *(extra_tokens or [])],
        model_specific_special_tokens=dict(media_tokens or {}))
    if chat_template is not None:
        tokenizer.chat_template = chat_template
    return tokenizer


def _ids(tokenizer: Any) -> dict[str, int]:
    names = ["<|endoftext|>", *QWEN_CHAT_TOKENS, *QWEN_MEDIA_TOKENS.values()]
    return {t: tokenizer.convert_tokens_to_ids(t) for t in names}


def _tiny_qwen2_text(tokenizer: Any, **extra: Any) -> dict[str, Any]:
    ids = _ids(tokenizer)
    sizes = dict(hidden_size=32, intermediate_size=64, num_hidden_layers=2, num_attention_heads=2,
                 num_key_value_heads=1)
    return dict(vocab_size=len(tokenizer), max_position_embeddings=4096, eos_token_id=ids["<|im_end|>"],
                pad_token_id=ids["<|endoftext|>"], **{**sizes, **extra})


@contextmanager
def _quiet_transformers() -> Iterator[None]:
    """Building configs from defaults logs warnings about the full-size token ids; not useful here."""
    from transformers.utils import logging as hf_logging

    level = hf_logging.get_verbosity()
    hf_logging.set_verbosity_error()
    try:
        yield
    finally:
        hf_logging.set_verbosity(level)


def _whisper_features() -> Any:
    from transformers import WhisperFeatureExtractor

    return WhisperFeatureExtractor(feature_size=128)  # 128 mel bins, 16 kHz, 30 s window (the Qwen setting)


def build_tiny_qwen2_5_omni(out_dir: Path, thinker_only: bool = False) -> Path:
    """A Qwen2.5-Omni checkpoint: full layout (thinker weights under "thinker.", no talker) or thinker-only."""
    from transformers import (Qwen2_5OmniConfig, Qwen2_5OmniForConditionalGeneration, Qwen2_5OmniProcessor,
                              Qwen2_5OmniThinkerConfig, Qwen2_5OmniThinkerForConditionalGeneration,
                              Qwen2VLImageProcessor, Qwen2VLVideoProcessor)

    tokenizer = build_qwen_tokenizer(QWEN_MEDIA_TOKENS)
    ids = _ids(tokenizer)
    head_dim = 16  # hidden 32 / 2 heads; mrope sections split head_dim/2 into t, h, w
    thinker = Qwen2_5OmniThinkerConfig(
        audio_config=dict(num_mel_bins=128, encoder_layers=1, encoder_attention_heads=2, encoder_ffn_dim=32,
                          d_model=16, output_dim=32),
        vision_config=dict(depth=1, hidden_size=16, intermediate_size=32, num_heads=2, out_hidden_size=32,
                           fullatt_block_indexes=[0]),
        text_config=_tiny_qwen2_text(tokenizer, rope_parameters={
            "rope_type": "default", "rope_theta": 10000.0, "mrope_section": [2, 3, 3]}),
        audio_token_index=ids["<|AUDIO|>"], image_token_index=ids["<|IMAGE|>"], video_token_index=ids["<|VIDEO|>"],
        audio_start_token_id=ids["<|audio_bos|>"], audio_end_token_id=ids["<|audio_eos|>"],
        vision_start_token_id=ids["<|vision_bos|>"], vision_end_token_id=ids["<|vision_eos|>"],
        user_token_id=ids["<|im_start|>"])
    assert sum([2, 3, 3]) * 2 == head_dim
    if thinker_only:
        model = Qwen2_5OmniThinkerForConditionalGeneration(thinker)
    else:
        talker_ids = {k: ids["<|endoftext|>"] for k in ("tts_text_start_token_id", "tts_text_end_token_id",
                                                        "tts_text_pad_token_id", "vision_start_token_id",
                                                        "vision_end_token_id", "audio_start_token_id",
                                                        "audio_end_token_id")}
        with _quiet_transformers():
            config = Qwen2_5OmniConfig(thinker_config=thinker.to_dict(), talker_config=talker_ids,
                                       enable_audio_output=False)
            model = Qwen2_5OmniForConditionalGeneration(config)
    model.generation_config.eos_token_id = ids["<|im_end|>"]
    processor = Qwen2_5OmniProcessor(image_processor=Qwen2VLImageProcessor(), video_processor=Qwen2VLVideoProcessor(),
                                     feature_extractor=_whisper_features(), tokenizer=tokenizer,
                                     chat_template=QWEN_VL_CHAT_TEMPLATE)
    with _quiet_transformers():
        model.save_pretrained(out_dir)
    processor.save_pretrained(out_dir)
    return out_dir


def build_tiny_qwen2_audio(out_dir: Path) -> Path:
    """A Qwen2-Audio checkpoint with the processor's own (Qwen2-Audio-Instruct style) chat template."""
    from transformers import Qwen2AudioConfig, Qwen2AudioForConditionalGeneration, Qwen2AudioProcessor

    audio_tokens = ["<|AUDIO|>", "<|audio_bos|>", "<|audio_eos|>"]
    tokenizer = build_qwen_tokenizer(extra_tokens=audio_tokens)
    ids = _ids(tokenizer)
    config = Qwen2AudioConfig(
        audio_config=dict(num_mel_bins=128, encoder_layers=1, encoder_attention_heads=2, encoder_ffn_dim=32,
                          d_model=16),
        text_config=dict(model_type="qwen2", **_tiny_qwen2_text(tokenizer)),
        audio_token_index=ids["<|AUDIO|>"])
    model = Qwen2AudioForConditionalGeneration(config)
    model.generation_config.eos_token_id = ids["<|im_end|>"]
    processor = Qwen2AudioProcessor(feature_extractor=_whisper_features(), tokenizer=tokenizer)
    model.save_pretrained(out_dir)
    processor.save_pretrained(out_dir)
    return out_dir


def build_tiny_text_lm(out_dir: Path, chat_template: str | None = TEXT_CHAT_TEMPLATE, **sizes: int) -> Path:
    """A text-only Qwen2 chat LM (the kind hf_text serves); no chat template when `chat_template` is None.
    `sizes` overrides hidden_size, num_hidden_layers, ... (benchmarks use a larger one)."""
    from transformers import Qwen2Config, Qwen2ForCausalLM

    tokenizer = build_qwen_tokenizer(chat_template=chat_template)
    model = Qwen2ForCausalLM(Qwen2Config(**_tiny_qwen2_text(tokenizer, **sizes)))
    model.generation_config.eos_token_id = tokenizer.convert_tokens_to_ids("<|im_end|>")
    model.save_pretrained(out_dir)
    tokenizer.save_pretrained(out_dir)
    return out_dir
