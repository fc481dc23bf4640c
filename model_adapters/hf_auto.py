"""hf_auto: any transformers multimodal chat model through the Auto classes.

``AutoProcessor`` + ``AutoModelForImageTextToText`` (or ``AutoModelForMultimodalLM``; a Qwen-Omni
checkpoint loads its thinker) and the processor's own chat template: a model released this week
runs as soon as transformers supports it, without an adapter of its own.

What it sends is read from the checkpoint (hf_auto_probe.py), never assumed:

- video: the harness's decoded frames as one ``{"type": "video"}`` item when the processor has a
  video processor and the template places video items; otherwise the same frames as ``{"type":
  "image"}`` items, one per frame, in order; a video processor is told not to sample again
  (``do_sample_frames=False``) and when each frame was taken (the millisecond clock of
  hf_video.py; Omni processors read the clip's frame rate as ``fps``);
- audio: the clip's 16 kHz waveform as an ``{"type": "audio"}`` item when the processor has an
  audio feature extractor and the template places audio items; where the processor can
  interleave a clip's own audio with its frames (Qwen-Omni, ``audio_in_video=true``), the audio
  rides inside the video item, as the model was trained;
- a task modality the checkpoint does not take is recorded on every sample
  (``modalities_not_taken``); a checkpoint that takes no media at all fails at load with one line
  naming what is missing, never a silent text-only run.

Each sample's ``Generation.inputs`` records how its frames and audio were sent (``sent``), the
templated prompt and every processor output's shape. Where a family adapter also applies
(qwen2_5_vl, qwen3_vl, qwen2_5_omni), the same frame-size rules are used, so both send the same
prompt and the same tensors (tests/model_adapters/test_hf_auto.py checks it). hf_auto adds no
system prompt of its own: the task's, ``system_prompt=...`` or the template's default.
"""

from __future__ import annotations

import logging
from typing import Any, ClassVar

import numpy as np
from pydantic import Field

from emer_bench.api.adapter import PreparedRequest
from emer_bench.api.requests import Modality
from emer_bench.errors import ConfigError

from .hf_auto_lora import activate, load_loras, lora_for
from .hf_auto_probe import (
    Capabilities,
    check_native_checkpoint,
    missing_media_line,
    model_class_for,
    read_capabilities,
)
from .hf_common import AUDIO_RATE, HFAdapter, HFArgs, ModelInput
from .hf_media import (
    TOKEN_ALIGNED_PAD,
    MediaParts,
    collate_encodings,
    frames_to_tensor,
    sampling_fps,
)
from .hf_video import ms_clock_metadata

log = logging.getLogger(__name__)

# Video processors that size frames by pixel area; hf_auto bounds them exactly as the Qwen family
# adapters do (see qwen_vl.py / qwen2_5_omni.py): per frame, or over the whole clip.
QWEN_PIXEL_AREA_VIDEO = {"Qwen2VLVideoProcessor": False, "Qwen3VLVideoProcessor": True}
# Processor outputs with one value per prompt token (collated by left padding, not stacked).
TOKEN_KEYS = frozenset({"input_ids", *TOKEN_ALIGNED_PAD})
# Processor outputs that hold time positions, not media: they keep full precision.
FULL_PRECISION_KEYS = ("second_per_grid", "video_second_per_grid", "second_per_grid_ts")


class HFAutoArgs(HFArgs):
    """`--model-args` of hf_auto (plus every HFArgs / AdapterArgs field)."""

    # Where the processor can interleave a clip's own audio track with its frames (Qwen-Omni).
    audio_in_video: bool = True
    # Send the frames as images even when the checkpoint takes video items.
    frames_as_images: bool = False
    # Per-frame lower bound in pixels for processors that size frames by area (Qwen-style).
    min_pixels: int | None = Field(None, ge=28 * 28)
    # Load the LoRA adapters the checkpoint ships (e.g. Phi-4-multimodal's vision-lora/, speech-lora/).
    lora: bool = True


class HFAutoAdapter(HFAdapter[HFAutoArgs]):
    """Any transformers multimodal chat checkpoint, media as its processor and template take them."""

    name: ClassVar[str] = "hf_auto"
    # What the adapter can take at most; `active_modalities` is what this checkpoint takes.
    modalities: ClassVar[frozenset[Modality]] = frozenset({Modality.VIDEO, Modality.AUDIO, Modality.SUBTITLE})

    @classmethod
    def preprocess_class(cls) -> None:
        return None  # its preprocessing reads capabilities from the loaded model: threads

    def __init__(self, args: HFAutoArgs) -> None:
        super().__init__(args)
        self._caps: Capabilities | None = None  # read from the processor and model by `load`
        self.loras: dict[str, str] = {}

    def load(self) -> None:
        super().load()
        self._caps = read_capabilities(self.processor, self.model)
        if not (self.caps.video or self.caps.image or self.caps.audio):
            raise ConfigError(missing_media_line(self.hf_args.pretrained, self.processor))
        if self.auto_args.frames_as_images and not self.caps.image:
            raise ConfigError(f"model arg frames_as_images=true: the checkpoint's processor "
                              f"({type(self.processor).__name__}) takes no image items")
        log.info("hf_auto: %s takes %s", self.checkpoint, self.caps.describe())

    @property
    def caps(self) -> Capabilities:
        if self._caps is None:
            self.ensure_loaded()
            assert self._caps is not None  # `load` sets it or raises
        return self._caps

    @property
    def auto_args(self) -> HFAutoArgs:
        return self.args

    # ---- loading ---------------------------------------------------------------------------
    def _load_config(self) -> Any:
        check_native_checkpoint(self.hf_args.pretrained, self.checkpoint, self.hf_args.trust_remote_code)
        return super()._load_config()

    def load_processor(self, path: str) -> Any:
        processor = super().load_processor(path)
        tokenizer = getattr(processor, "tokenizer", None)
        # Some processor classes (e.g. Phi-4-multimodal's) do not take the checkpoint's
        # chat_template.jinja when loading while their tokenizer does: it is the same template.
        template = getattr(tokenizer, "chat_template", None)
        if not getattr(processor, "chat_template", None) and template:
            processor.chat_template = template
        return processor

    def load_model(self, path: str, load_kwargs: dict[str, Any]) -> Any:
        auto_class, config = model_class_for(self.config, self.hf_args.pretrained)
        # A full Qwen-Omni checkpoint stores the thinker under "thinker."; transformers strips the
        # prefix when the thinker class is loaded with the thinker's own config.
        model = auto_class.from_pretrained(path, config=config, **load_kwargs)
        self.loras = {}
        if self.auto_args.lora:
            revision = {"revision": self.hf_args.revision} if self.hf_args.revision else {}
            self.loras = load_loras(model, path, self.hf_args.pretrained, revision)
        return model

    @property
    def active_modalities(self) -> frozenset[Modality]:
        # Unloaded, what the adapter can take at most: the runner checks again once it is loaded.
        return self._caps.modalities & self.modalities if self._caps is not None else self.modalities

    def wanted_modalities(self, prepared: PreparedRequest) -> set[Modality]:
        return set(prepared.request.modalities) & set(self.active_modalities)

    def describe(self) -> dict[str, Any]:
        if self._caps is None:  # not loaded: what it takes is read from the loaded processor
            return super().describe()
        return {**super().describe(), "takes": self._caps.describe(), "lora_adapters": self.loras}

    # ---- one request -----------------------------------------------------------------------
    @property
    def frames_as_video(self) -> bool:
        return self.caps.video and not self.auto_args.frames_as_images

    def media_parts(self, prepared: PreparedRequest) -> MediaParts:
        wants = self.wanted_modalities(prepared)
        parts = MediaParts()
        sent: dict[str, str] = {}
        if Modality.VIDEO in wants:
            frames = self.require_frames(prepared)
            parts.audit.update(num_frames=int(frames.shape[0]), frame_size=list(frames.shape[1:3]))
            if self.frames_as_video:
                parts.content.append({"type": "video"})
                parts.videos.append(self._video_tensor(frames, parts.audit))
                sent["video"] = "video"
            else:
                parts.content.extend({"type": "image"} for _ in range(frames.shape[0]))
                parts.images.append([np.ascontiguousarray(frame) for frame in frames])
                sent["video"] = f"{frames.shape[0]} images"
        if Modality.AUDIO in wants:
            parts.audios.append(self.audio_input(prepared, parts.audit))
            if sent.get("video") == "video" and self.caps.audio_in_video and self.auto_args.audio_in_video:
                parts.audit["audio_in_video"] = True  # no item of its own: it rides inside the video
                sent["audio"] = "inside the video item"
            else:
                parts.content.append({"type": "audio"})
                sent["audio"] = "audio"
        parts.audit["sent"] = sent
        if self.loras:
            parts.audit["lora"] = lora_for(self.loras, sent)
        return parts

    def _video_tensor(self, frames: np.ndarray, audit: dict[str, Any]) -> Any:
        """Frames as the video processor takes them; a clip shorter than the temporal patch
        repeats its last frame, as the Qwen family adapters do."""
        import torch

        video = frames_to_tensor(frames)
        need = int(getattr(self.processor.video_processor, "temporal_patch_size", 1) or 1)
        if video.shape[0] < need:
            pad = video[-1:].expand(need - video.shape[0], -1, -1, -1)
            video = torch.cat([video, pad], dim=0)
            audit["frames_repeated"] = int(pad.shape[0])
        return video

    def messages_for(self, prepared: PreparedRequest, parts: MediaParts) -> list[dict[str, Any]]:
        # Typed blocks always: some templates (llava-hf) read only {"type": "text"} blocks and drop
        # a plain-string content without a word; every template reads blocks.
        messages: list[dict[str, Any]] = []
        system = self.system_prompt_for(prepared)
        if system:
            messages.append({"role": "system", "content": [{"type": "text", "text": system}]})
        messages.append({"role": "user", "content": [*parts.content, {"type": "text", "text": prepared.request.prompt}]})
        return messages

    def render(self, messages: list[dict[str, Any]]) -> str:
        text = super().render(messages)
        prompt = messages[-1]["content"][-1]["text"]
        if prompt.strip() and prompt.strip() not in text:  # never send a prompt the template dropped
            raise ConfigError(f"the chat template of {self.hf_args.pretrained!r} dropped the task prompt")
        return text

    def prepare(self, prepared: PreparedRequest) -> ModelInput:
        # Encoded here so that requests are grouped by the shapes of their processor outputs.
        item = super().prepare(prepared)
        item.encoded = self.encode_one(item)
        return item

    def preprocess(self, prepared: PreparedRequest) -> PreparedRequest:
        return PreparedRequest(prepared.request, prepared.media, payload=self.prepare(prepared))

    # ---- processor call --------------------------------------------------------------------
    def encode_one(self, item: ModelInput) -> Any:
        kwargs: dict[str, Any] = {"text": [item.text], "return_tensors": "pt"}
        if item.media.videos:
            kwargs["videos"] = item.media.videos
        if item.media.images:
            kwargs["images"] = item.media.images
        if item.media.audios:
            kwargs["audio"] = item.media.audios
        kwargs.update(self.processor_kwargs(item))
        with self._processor_lock:
            encoded = self.processor(**kwargs)
        item.media.audit.update(auto_audit(encoded, self.processor))
        return encoded

    def processor_kwargs(self, item: ModelInput) -> dict[str, Any]:
        kwargs: dict[str, Any] = {}
        if item.media.videos:
            kwargs["videos_kwargs"] = {"do_sample_frames": False, **self._video_kwargs(item)}
        if item.media.audit.get("audio_in_video"):
            kwargs.update(load_audio_from_video=True, audio_from_video_indices=[0])
        elif item.media.audios and not self._is_omni():
            kwargs["sampling_rate"] = AUDIO_RATE
        return kwargs

    def _is_omni(self) -> bool:
        from transformers.processing_utils import OmniModalProcessorMixin

        return isinstance(self.processor, OmniModalProcessorMixin)

    def _video_kwargs(self, item: ModelInput) -> dict[str, Any]:
        from .qwen2_5_omni import DEFAULT_FPS, omni_size_kwargs
        from .qwen_vl import qwen_vl_size

        media = item.prepared.media
        num_frames = int(item.media.videos[0].shape[0])
        kwargs: dict[str, Any] = {}
        if self._is_omni():  # Omni processors read the clip's rate as `fps` (time positions, audio chunks)
            fps = (sampling_fps(media) if media is not None else None) or DEFAULT_FPS
            item.media.audit["video_fps"] = round(fps, 4)
            kwargs["fps"] = fps
            if hasattr(type(self.processor), "videos_kwargs"):
                kwargs.update(omni_size_kwargs(self.processor, self.auto_args.max_pixels, self.auto_args.min_pixels))
            return kwargs
        meta = ms_clock_metadata(media, num_frames)
        if meta is None:
            item.media.audit["video_timing"] = "unknown: no frame times from the decoder (processor default)"
        else:
            kwargs["video_metadata"] = [meta]
            item.media.audit["frame_times_s"] = [i / 1000.0 for i in meta["frames_indices"]]
            item.media.audit["video_fps"] = round(num_frames / meta["duration"], 4)
        video_processor = self.processor.video_processor
        whole_clip = QWEN_PIXEL_AREA_VIDEO.get(type(video_processor).__name__)
        if whole_clip is not None:
            temporal = int(getattr(video_processor, "temporal_patch_size", 2) or 2)
            kwargs["size"] = qwen_vl_size(video_processor, num_frames, self.auto_args.max_pixels,
                                          self.auto_args.min_pixels, whole_clip, temporal)
            item.media.audit["processor_size"] = kwargs["size"]
            valid = getattr(getattr(video_processor, "valid_kwargs", None), "__annotations__", {})
            if "cap_pixels_per_frame" in valid:
                kwargs["cap_pixels_per_frame"] = True
        return kwargs

    # ---- batching --------------------------------------------------------------------------
    def group_key(self, item: ModelInput) -> tuple[Any, ...]:
        """Requests share a generate call when their media tensors can be stacked (equal shapes
        past the batch dimension, except lengths that run along a mask: those are padded) and the
        audio-in-video layout is the same."""
        padded = masked_dims(item.encoded)
        shapes = tuple(sorted(
            (key, tuple(-1 if dim in padded.get(key, ()) else size for dim, size in enumerate(value.shape) if dim))
            for key, value in item.encoded.items() if hasattr(value, "shape") and key not in TOKEN_KEYS))
        return (*super().group_key(item), bool(item.media.audit.get("audio_in_video")), item.media.audit.get("lora"),
                shapes)

    def encode(self, items: list[ModelInput]) -> Any:
        encodings = [item.encoded if item.encoded is not None else self.encode_one(item) for item in items]
        return collate_encodings(pad_masked(encodings), self.tokenizer.pad_token_id)

    def generate_extra_kwargs(self, items: list[ModelInput]) -> dict[str, Any]:
        # Called right before `model.generate` for a group: the group's LoRA adapter goes live here.
        activate(self.model, items[0].media.audit.get("lora"), self.loras)
        if self.caps.audio_in_video:  # the position-id layout of the whole call
            return {"use_audio_in_video": bool(items[0].media.audit.get("audio_in_video"))}
        return {}

    def is_media_tensor(self, key: str) -> bool:
        if any(key.endswith(k) for k in FULL_PRECISION_KEYS):
            return False
        return "pixel" in key or "features" in key


def masked_dims(encoded: Any) -> dict[str, set[int]]:
    """Dimensions that run along a [1, L] mask (variable-length audio features and their mask):
    {key: dims}. Padding them with zeros is masked padding, what a batched processor call does."""
    out: dict[str, set[int]] = {}
    for mask_key, mask in encoded.items():
        if "mask" not in mask_key or mask_key in TOKEN_KEYS or getattr(mask, "ndim", 0) != 2:
            continue
        stem = mask_key.replace("_attention_mask", "").replace("_mask", "")
        length = int(mask.shape[1])
        partners = {key: {d for d in range(1, value.ndim) if int(value.shape[d]) == length}
                    for key, value in encoded.items()
                    if key != mask_key and stem in key and hasattr(value, "ndim") and key not in TOKEN_KEYS}
        partners = {key: dims for key, dims in partners.items() if dims}
        if partners:
            out[mask_key] = {1}
            out.update(partners)
    return out


def pad_masked(encodings: list[Any]) -> list[Any]:
    """Right-pad the mask-aligned dims (`masked_dims`) of per-request encodings to a common length."""
    if len(encodings) < 2:
        return encodings
    import torch.nn.functional as F
    from transformers import BatchFeature

    dims = masked_dims(encodings[0])
    if not dims:
        return encodings
    padded = []
    for encoded in encodings:
        data = dict(encoded)
        for key, key_dims in dims.items():
            value = data[key]
            pads: list[int] = []
            for dim in reversed(range(value.ndim)):  # F.pad lists the last dimension first
                want = max(int(e[key].shape[dim]) for e in encodings) if dim in key_dims else int(value.shape[dim])
                pads += [0, want - int(value.shape[dim])]
            data[key] = F.pad(value, pads) if any(pads) else value
        padded.append(BatchFeature(data))
    return padded


def auto_audit(encoded: Any, processor: Any) -> dict[str, Any]:
    """What reached the model for one request: token count, placeholder counts, tensor shapes."""
    ids = encoded["input_ids"]
    audit: dict[str, Any] = {"input_tokens": int(ids.shape[1])}
    for kind in ("video", "image", "audio"):
        token_id = getattr(processor, f"{kind}_token_id", None)
        if isinstance(token_id, int):
            count = int((ids == token_id).sum())
            if count:
                audit[f"{kind}_tokens"] = count
    for key in ("video_grid_thw", "image_grid_thw"):
        if key in encoded:
            audit[key] = encoded[key].tolist()
    audit["tensors"] = {key: list(value.shape) for key, value in encoded.items()
                        if hasattr(value, "shape") and key not in TOKEN_KEYS}
    return audit
