"""What hf_auto reads from a checkpoint before it sends anything: which transformers class
generates with it, and which media its processor and chat template take.

Nothing here is a per-family table. The facts come from the checkpoint itself:

- the model class: the ``AutoModelForImageTextToText`` mapping, then ``AutoModelForMultimodalLM``
  (audio-language and omni models); a config with a ``thinker_config`` (Qwen-Omni) loads only its
  thinker, the part that writes text;
- per modality (video, image, audio): the processor has the sub-processor (video processor, image
  processor, feature extractor) AND the chat template turns a ``{"type": <modality>}`` content item
  into the processor's placeholder token (``processor.video_token`` ...). A template that drops an
  item would otherwise send a prompt with no media at all;
- audio inside video: the processor can interleave a clip's own audio track with its frames
  (``OmniModalProcessorMixin`` with its own ``replace_video_with_audio_token``) and the model's
  ``forward`` takes ``use_audio_in_video``.
"""

from __future__ import annotations

import inspect
import json
import os
from dataclasses import dataclass
from typing import Any

from emer_bench.api.requests import Modality
from emer_bench.errors import ConfigError

PROBE_TEXT = "probe"


@dataclass(frozen=True)
class Capabilities:
    """The media one checkpoint takes, as read from its processor, template and model."""

    video: bool = False  # video items (a video processor and a template that places them)
    image: bool = False  # image items: frames go as images when video is not taken
    audio: bool = False  # audio items (a feature extractor and a template that places them)
    audio_in_video: bool = False  # the clip's own audio track interleaved with its frames

    @property
    def modalities(self) -> frozenset[Modality]:
        taken = {Modality.SUBTITLE}
        if self.video or self.image:
            taken.add(Modality.VIDEO)
        if self.audio:
            taken.add(Modality.AUDIO)
        return frozenset(taken)

    def describe(self) -> dict[str, Any]:
        return {"video": self.video, "image": self.image, "audio": self.audio, "audio_in_video": self.audio_in_video,
                "frames_sent_as": "video" if self.video else "images" if self.image else None}


def check_native_checkpoint(pretrained: str, checkpoint: str, trust_remote_code: bool) -> None:
    """One clear line for a checkpoint that transformers cannot build without its own code."""
    path = os.path.join(checkpoint, "config.json")
    if not os.path.isfile(path):
        return  # a hub id: AutoConfig reports what is wrong
    with open(path, encoding="utf-8") as handle:
        config = json.load(handle)
    model_type = config.get("model_type")
    from transformers import CONFIG_MAPPING

    if model_type in CONFIG_MAPPING or trust_remote_code:
        return
    if config.get("auto_map"):
        raise ConfigError(f"model arg pretrained={pretrained!r}: model_type {model_type!r} is not a transformers "
                          f"architecture (the checkpoint ships its own code, auto_map); hf_auto needs a "
                          f"transformers-native conversion of it, or trust_remote_code=true")
    raise ConfigError(f"model arg pretrained={pretrained!r}: model_type {model_type!r} is unknown to the installed "
                      f"transformers; upgrade transformers or use a supported checkpoint")


def model_class_for(config: Any, pretrained: str) -> tuple[Any, Any]:
    """(Auto class, config to load it with) for a multimodal chat checkpoint."""
    import transformers
    from transformers.models.auto import modeling_auto as auto

    image_text = auto.MODEL_FOR_IMAGE_TEXT_TO_TEXT_MAPPING_NAMES
    multimodal = auto.MODEL_FOR_MULTIMODAL_LM_MAPPING_NAMES
    thinker = getattr(config, "thinker_config", None)
    if thinker is not None and getattr(thinker, "model_type", None) in image_text:
        return transformers.AutoModelForImageTextToText, thinker
    model_type = getattr(config, "model_type", None)
    if model_type in image_text:
        return transformers.AutoModelForImageTextToText, config
    if model_type in multimodal:
        return transformers.AutoModelForMultimodalLM, config
    remote = (getattr(config, "auto_map", None) or {})
    for name in ("AutoModelForImageTextToText", "AutoModelForMultimodalLM", "AutoModelForVision2Seq",
                 "AutoModelForCausalLM"):
        if name in remote and hasattr(transformers, name):
            return getattr(transformers, name), config
    raise ConfigError(f"model arg pretrained={pretrained!r}: model_type {model_type!r} has no multimodal generation "
                      f"class in transformers {transformers.__version__} (not in AutoModelForImageTextToText or "
                      f"AutoModelForMultimodalLM), so hf_auto cannot drive it; for a text-only model use hf_text")


def template_places(processor: Any, kind: str) -> bool:
    """Whether the chat template turns a `kind` content item into the processor's placeholder."""
    token = getattr(processor, f"{kind}_token", None)
    if not token or not getattr(processor, "chat_template", None):
        return False
    messages = [{"role": "user", "content": [{"type": kind}, {"type": "text", "text": PROBE_TEXT}]}]
    try:
        text = processor.apply_chat_template(messages, tokenize=False, add_generation_prompt=True)
    except Exception:  # a template that refuses the item does not take it
        return False
    return token in text and PROBE_TEXT in text


def read_capabilities(processor: Any, model: Any) -> Capabilities:
    from transformers.processing_utils import OmniModalProcessorMixin

    audio_processor = getattr(processor, "audio_processor", None) or getattr(processor, "feature_extractor", None)
    video = getattr(processor, "video_processor", None) is not None and template_places(processor, "video")
    image = getattr(processor, "image_processor", None) is not None and template_places(processor, "image")
    audio = audio_processor is not None and template_places(processor, "audio")
    interleaves = (isinstance(processor, OmniModalProcessorMixin)
                   and type(processor).replace_video_with_audio_token
                   is not OmniModalProcessorMixin.replace_video_with_audio_token)
    return Capabilities(video=video, image=image, audio=audio,
                        audio_in_video=video and audio and interleaves and takes_audio_in_video(model))


def takes_audio_in_video(model: Any) -> bool:
    return "use_audio_in_video" in inspect.signature(model.forward).parameters


def missing_media_line(pretrained: str, processor: Any) -> str:
    """The one line for a checkpoint hf_auto cannot send any media to."""
    if not getattr(processor, "chat_template", None):
        return (f"model arg pretrained={pretrained!r}: hf_auto cannot send media to this checkpoint "
                f"({type(processor).__name__} has no chat template)")
    parts = []
    for kind, sub in (("video", "video_processor"), ("image", "image_processor"), ("audio", "feature_extractor")):
        if kind == "audio":
            has_sub = (getattr(processor, "audio_processor", None) or getattr(processor, sub, None)) is not None
        else:
            has_sub = getattr(processor, sub, None) is not None
        if not has_sub:
            parts.append(f"no {kind} processor")
        elif not getattr(processor, f"{kind}_token", None):
            parts.append(f"no {kind} placeholder token")
        else:
            parts.append(f"the chat template does not place {kind} items")
    return (f"model arg pretrained={pretrained!r}: hf_auto cannot send media to this checkpoint "
            f"({type(processor).__name__}: {'; '.join(parts)}); for a text-only model use hf_text")
