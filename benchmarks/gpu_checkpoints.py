"""Full-size random-weight checkpoints of the published 7B families, built offline for the GPU benchmark.

The sizes are the published ones (``config.json`` of Qwen/Qwen2.5-VL-7B-Instruct and of the
thinker of Qwen/Qwen2.5-Omni-7B on the Hugging Face hub: hidden 3584, 28 layers, 28 heads / 4 KV
heads, MLP 18944, vocabulary 152064, a 32-block vision tower of width 1280, a 32-layer audio
encoder of width 1280), so the forward pass costs what the real model costs. Only the weights are
random and the tokenizer is the small byte-level BPE trained locally by the tests
(`tests/model_adapters/tiny_models.py`): nothing is downloaded.

The tokenizer knows ~400 ids of the 152064 rows of the output layer. Those rows are zeroed for the
ids it lacks, so greedy decoding picks ids the tokenizer can decode (a random row would win most
steps and decode to nothing); the matrix multiply still spans the full vocabulary.
"""

from __future__ import annotations

import sys
from pathlib import Path
from typing import Any

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT / "tests" / "model_adapters"))

from tiny_models import (  # noqa: E402  (test builders: tokenizer + processor pieces, no downloads)
    QWEN_MEDIA_TOKENS,
    QWEN_VL_CHAT_TEMPLATE,
    _ids,
    _quiet_transformers,
    _whisper_features,
    build_qwen_tokenizer,
)
from tiny_video_models import QWEN_CHAT_TEMPLATE, QWEN_VISION_TOKENS  # noqa: E402

# Published text-model sizes shared by both 7B families.
QWEN2_5_7B_TEXT = dict(hidden_size=3584, intermediate_size=18944, num_hidden_layers=28, num_attention_heads=28,
                       num_key_value_heads=4, vocab_size=152064, max_position_embeddings=32768,
                       rms_norm_eps=1e-6, tie_word_embeddings=False)
# mrope sections split head_dim/2 = 64 rotary pairs over (time, height, width), as published.
QWEN2_5_MROPE = {"rope_type": "default", "rope_theta": 1000000.0, "mrope_section": [16, 24, 24]}
QWEN2_5_VISION = dict(depth=32, hidden_size=1280, intermediate_size=3420, num_heads=16, out_hidden_size=3584,
                      fullatt_block_indexes=[7, 15, 23, 31], window_size=112, patch_size=14,
                      spatial_merge_size=2, temporal_patch_size=2)
QWEN2_5_OMNI_AUDIO = dict(num_mel_bins=128, encoder_layers=32, encoder_attention_heads=20, encoder_ffn_dim=5120,
                          d_model=1280, output_dim=3584, n_window=100, max_source_positions=1500)
# A quarter-size stand-in of the same shape, for checking this script on a CPU in seconds.
TINY_TEXT = dict(hidden_size=64, intermediate_size=128, num_hidden_layers=2, num_attention_heads=4,
                 num_key_value_heads=2, vocab_size=2048, max_position_embeddings=4096)
TINY_MROPE = {"rope_type": "default", "rope_theta": 10000.0, "mrope_section": [2, 3, 3]}
TINY_VISION = dict(depth=2, hidden_size=32, intermediate_size=64, num_heads=2, out_hidden_size=64,
                   fullatt_block_indexes=[1], window_size=112)
TINY_AUDIO = dict(num_mel_bins=128, encoder_layers=1, encoder_attention_heads=2, encoder_ffn_dim=32, d_model=16,
                  output_dim=64)


def _instantiate(model_cls: Any, config: Any, device: str, dtype: Any, known_ids: int) -> Any:
    """Random weights made directly on `device` (a 7B model initialises in seconds on a GPU)."""
    import torch

    torch.manual_seed(0)
    with torch.device(device):
        model = model_cls._from_config(config, dtype=dtype)
    with torch.no_grad():
        model.get_output_embeddings().weight[known_ids:] = 0
    return model.eval()


def _text_config(tokenizer: Any, full: bool) -> dict[str, Any]:
    ids = _ids(tokenizer)
    sizes = dict(QWEN2_5_7B_TEXT if full else TINY_TEXT)
    sizes["vocab_size"] = max(sizes["vocab_size"], len(tokenizer))
    return dict(sizes, eos_token_id=ids["<|im_end|>"], pad_token_id=ids["<|endoftext|>"], bos_token_id=None,
                rope_parameters=QWEN2_5_MROPE if full else TINY_MROPE)


def build_qwen2_5_vl(dest: Path, device: str, dtype: Any, full: bool = True) -> Any:
    """Qwen2.5-VL-7B-Instruct's architecture with random weights, saved as a loadable checkpoint."""
    from transformers import (Qwen2_5_VLConfig, Qwen2_5_VLForConditionalGeneration, Qwen2_5_VLProcessor,
                              Qwen2VLImageProcessor, Qwen2VLVideoProcessor)

    tokenizer = build_qwen_tokenizer(extra_tokens=QWEN_VISION_TOKENS)
    vision_ids = {t: int(tokenizer.convert_tokens_to_ids(t)) for t in QWEN_VISION_TOKENS}
    with _quiet_transformers():
        config = Qwen2_5_VLConfig(
            vision_config=QWEN2_5_VISION if full else TINY_VISION, text_config=_text_config(tokenizer, full),
            image_token_id=vision_ids["<|image_pad|>"], video_token_id=vision_ids["<|video_pad|>"],
            vision_start_token_id=vision_ids["<|vision_start|>"], vision_end_token_id=vision_ids["<|vision_end|>"])
        model = _instantiate(Qwen2_5_VLForConditionalGeneration, config, device, dtype, len(tokenizer))
    processor = Qwen2_5_VLProcessor(image_processor=Qwen2VLImageProcessor(), tokenizer=tokenizer,
                                    video_processor=Qwen2VLVideoProcessor(), chat_template=QWEN_CHAT_TEMPLATE)
    return _save(model, processor, dest, tokenizer)


def build_qwen2_5_omni_thinker(dest: Path, device: str, dtype: Any, full: bool = True) -> Any:
    """The thinker of Qwen2.5-Omni-7B (audio + video + text in, text out) with random weights."""
    from transformers import (Qwen2_5OmniProcessor, Qwen2_5OmniThinkerConfig,
                              Qwen2_5OmniThinkerForConditionalGeneration, Qwen2VLImageProcessor,
                              Qwen2VLVideoProcessor)

    tokenizer = build_qwen_tokenizer(QWEN_MEDIA_TOKENS)
    ids = _ids(tokenizer)
    vision = dict(QWEN2_5_VISION if full else TINY_VISION)
    with _quiet_transformers():
        config = Qwen2_5OmniThinkerConfig(
            audio_config=QWEN2_5_OMNI_AUDIO if full else TINY_AUDIO, vision_config=vision,
            text_config=_text_config(tokenizer, full),
            audio_token_index=ids["<|AUDIO|>"], image_token_index=ids["<|IMAGE|>"], video_token_index=ids["<|VIDEO|>"],
            audio_start_token_id=ids["<|audio_bos|>"], audio_end_token_id=ids["<|audio_eos|>"],
            vision_start_token_id=ids["<|vision_bos|>"], vision_end_token_id=ids["<|vision_eos|>"],
            user_token_id=ids["<|im_start|>"])
        model = _instantiate(Qwen2_5OmniThinkerForConditionalGeneration, config, device, dtype, len(tokenizer))
    model.generation_config.eos_token_id = ids["<|im_end|>"]
    processor = Qwen2_5OmniProcessor(image_processor=Qwen2VLImageProcessor(), video_processor=Qwen2VLVideoProcessor(),
                                     feature_extractor=_whisper_features(), tokenizer=tokenizer,
                                     chat_template=QWEN_VL_CHAT_TEMPLATE)
    return _save(model, processor, dest, tokenizer)


def _save(model: Any, processor: Any, dest: Path, tokenizer: Any) -> Any:
    """Writes everything but the weights (config, generation config, processor) and returns the model.

    A 7B checkpoint is ~15 GB of safetensors: writing and re-reading it for each measured run would
    cost minutes of a GPU lease and measures nothing the benchmark reports (loading is outside the
    generation phase). The benchmark hands the built model to the adapter's `load_model` instead;
    everything else the adapter reads (AutoConfig, AutoProcessor, chat template) comes from `dest`.
    """
    dest.mkdir(parents=True, exist_ok=True)
    model.generation_config.pad_token_id = tokenizer.pad_token_id
    with _quiet_transformers():
        model.config.save_pretrained(dest)
        model.generation_config.save_pretrained(dest)
    processor.save_pretrained(dest)
    return model


BUILDERS = {"qwen2_5_vl": build_qwen2_5_vl, "qwen2_5_omni": build_qwen2_5_omni_thinker}
