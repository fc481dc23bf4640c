"""Chat Completions request bodies built from a prepared request.

Frames become base64 JPEG `image_url` parts (data URLs: every compatible server accepts them and
no file has to be reachable from the server), audio becomes one `input_audio` part holding a
16-bit PCM WAV, and the prompt (which already contains the subtitle when the task grants it) is
the final text part, after the media it refers to.
"""

from __future__ import annotations

import base64
import functools
import io
import json
import wave
from dataclasses import dataclass, field
from typing import Any, Literal

import numpy as np
from PIL import Image

from emer_bench.api.adapter import PreparedRequest
from emer_bench.api.media import DecodedMedia, MediaError
from emer_bench.api.requests import Modality

MaxTokensField = Literal["max_tokens", "max_completion_tokens"]

# Generation kwargs passed through under the same name (the Chat Completions spelling).
_PASSTHROUGH_GEN_KWARGS = ("temperature", "top_p", "seed", "stop", "presence_penalty", "frequency_penalty")
# Spellings of the output-length limit used by tasks (HF style) and by the API.
_MAX_TOKENS_ALIASES = ("max_new_tokens", "max_tokens", "max_completion_tokens")


@dataclass(frozen=True)
class PayloadOptions:
    """The adapter settings that shape a request body."""

    model: str
    send_audio: bool = False
    image_detail: str | None = None  # "auto" | "low" | "high"; None leaves the field out
    jpeg_quality: int = 85
    max_tokens_field: MaxTokensField = "max_tokens"


@dataclass
class ChatPayload:
    """A request body plus the facts about it recorded in `Generation.inputs`."""

    body: dict[str, Any]
    inputs: dict[str, Any] = field(default_factory=dict)

    @functools.cached_property
    def content(self) -> bytes:
        """The body as JSON bytes, serialized once (on a prefetch thread when preprocessed)."""
        return json.dumps(self.body).encode("utf-8")


def encode_jpeg_data_url(frame: np.ndarray, quality: int) -> str:
    """One uint8 RGB frame [H, W, 3] as a `data:image/jpeg;base64,...` URL."""
    buffer = io.BytesIO()
    Image.fromarray(frame).save(buffer, format="JPEG", quality=quality)
    return "data:image/jpeg;base64," + base64.b64encode(buffer.getvalue()).decode("ascii")


def encode_wav_base64(audio: np.ndarray, sample_rate: int) -> str:
    """Mono float audio in [-1, 1] as base64 of a 16-bit PCM WAV file."""
    pcm = (np.clip(audio.astype(np.float32), -1.0, 1.0) * 32767.0).round().astype("<i2")
    buffer = io.BytesIO()
    with wave.open(buffer, "wb") as wav:
        wav.setnchannels(1)
        wav.setsampwidth(2)
        wav.setframerate(sample_rate)
        wav.writeframes(pcm.tobytes())
    return base64.b64encode(buffer.getvalue()).decode("ascii")


def map_gen_kwargs(gen_kwargs: dict[str, Any], max_tokens_field: MaxTokensField) -> tuple[dict[str, Any], list[str]]:
    """Task generation kwargs → Chat Completions fields, plus the names that have no equivalent."""
    mapped: dict[str, Any] = {}
    ignored: list[str] = []
    for key, value in gen_kwargs.items():
        if value is None:
            continue
        if key in _MAX_TOKENS_ALIASES:
            mapped[max_tokens_field] = int(value)
        elif key in _PASSTHROUGH_GEN_KWARGS:
            mapped[key] = value
        elif key == "do_sample":
            continue  # handled below: greedy decoding is temperature 0 on an API
        else:
            ignored.append(key)
    if gen_kwargs.get("do_sample") is False and "temperature" not in mapped:
        mapped["temperature"] = 0.0
    return mapped, sorted(ignored)


def _checked_frames(media: DecodedMedia | None, clip_id: str) -> np.ndarray:
    frames = media.frames if media is not None else None
    if frames is None or len(frames) == 0:
        raise MediaError(clip_id, "the task grants video but no frames were decoded")
    if frames.dtype != np.uint8 or frames.ndim != 4 or frames.shape[-1] != 3:
        raise MediaError(clip_id, f"frames must be uint8 [T, H, W, 3], got {frames.dtype} {list(frames.shape)}")
    return frames


def _checked_audio(media: DecodedMedia | None, clip_id: str) -> np.ndarray:
    audio = media.audio if media is not None else None
    if audio is None or audio.size == 0:
        raise MediaError(clip_id, "the task grants audio and audio=true but no audio was decoded")
    if audio.ndim != 1:
        raise MediaError(clip_id, f"audio must be mono [N], got shape {list(audio.shape)}")
    return audio


def build_chat_payload(prepared: PreparedRequest, options: PayloadOptions) -> ChatPayload:
    """The request body for one clip; raises MediaError when a granted channel has no media."""
    request = prepared.request
    media = prepared.media
    parts: list[dict[str, Any]] = []
    inputs: dict[str, Any] = {"model": options.model, "num_frames": 0, "audio_s": 0.0}

    if Modality.VIDEO in request.modalities:
        frames = _checked_frames(media, request.clip_id)
        for frame in frames:
            image_url: dict[str, Any] = {"url": encode_jpeg_data_url(frame, options.jpeg_quality)}
            if options.image_detail is not None:
                image_url["detail"] = options.image_detail
            parts.append({"type": "image_url", "image_url": image_url})
        inputs.update(num_frames=int(frames.shape[0]), frame_size=[int(frames.shape[2]), int(frames.shape[1])],
                      jpeg_quality=options.jpeg_quality)
        if options.image_detail is not None:
            inputs["image_detail"] = options.image_detail

    if Modality.AUDIO in request.modalities and options.send_audio:
        audio = _checked_audio(media, request.clip_id)
        assert media is not None  # _checked_audio raised otherwise
        parts.append({"type": "input_audio",
                      "input_audio": {"data": encode_wav_base64(audio, media.audio_sample_rate), "format": "wav"}})
        inputs["audio_s"] = round(audio.size / media.audio_sample_rate, 3)
        inputs["audio_sample_rate"] = media.audio_sample_rate

    # Text-only requests use plain string content: older/lighter servers reject part lists.
    user_content: str | list[dict[str, Any]] = request.prompt
    if parts:
        user_content = parts + [{"type": "text", "text": request.prompt}]
    messages: list[dict[str, Any]] = []
    if request.system_prompt:
        messages.append({"role": "system", "content": request.system_prompt})
    messages.append({"role": "user", "content": user_content})

    sampling, ignored = map_gen_kwargs(request.gen_kwargs, options.max_tokens_field)
    if ignored:
        inputs["ignored_gen_kwargs"] = ignored
    body: dict[str, Any] = {"model": options.model, "messages": messages, **sampling}
    return ChatPayload(body=body, inputs=inputs)
