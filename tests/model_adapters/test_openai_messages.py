"""Chat Completions request bodies: parts, encodings, generation kwargs."""

from __future__ import annotations

import base64
import io
import wave

import numpy as np
import pytest
from PIL import Image

from emer_bench.api.adapter import PreparedRequest
from emer_bench.api.media import DecodedMedia, MediaError
from emer_bench.api.requests import GenerationRequest, Modality
from emer_bench.model_adapters.openai_messages import (
    PayloadOptions, build_chat_payload, encode_jpeg_data_url, encode_wav_base64, map_gen_kwargs,
)

ALL = (Modality.VIDEO, Modality.AUDIO, Modality.SUBTITLE)


def _prepared(modalities: tuple[Modality, ...] = ALL, media: DecodedMedia | None = None,
              system_prompt: str | None = "You are an emotion expert.") -> PreparedRequest:
    request = GenerationRequest(task="t", index=0, clip_id="sample_1", prompt="Subtitle: hi. Why?",
                                modalities=modalities, system_prompt=system_prompt,
                                gen_kwargs={"max_new_tokens": 32})
    return PreparedRequest(request, media)


def _media(frames: int = 3, audio_s: float = 0.5) -> DecodedMedia:
    rng = np.random.default_rng(0)
    return DecodedMedia(frames=rng.integers(0, 255, (frames, 20, 30, 3), dtype=np.uint8),
                        audio=rng.uniform(-1, 1, int(16_000 * audio_s)).astype(np.float32))


def test_jpeg_data_url_decodes_to_the_frame_size() -> None:
    url = encode_jpeg_data_url(np.zeros((20, 30, 3), np.uint8), quality=80)
    assert url.startswith("data:image/jpeg;base64,")
    image = Image.open(io.BytesIO(base64.b64decode(url.split(",", 1)[1])))
    assert (image.format, image.size) == ("JPEG", (30, 20))


def test_wav_round_trips_samples_within_16_bit_precision() -> None:
    audio = np.array([0.0, 0.5, -0.5, 1.0, -1.0, 2.0], np.float32)  # 2.0 is clipped
    with wave.open(io.BytesIO(base64.b64decode(encode_wav_base64(audio, 16_000)))) as wav:
        assert (wav.getframerate(), wav.getnchannels(), wav.getsampwidth(), wav.getnframes()) == (16_000, 1, 2, 6)
        pcm = np.frombuffer(wav.readframes(6), "<i2") / 32767.0
    np.testing.assert_allclose(pcm, np.clip(audio, -1, 1), atol=1e-4)


def test_gen_kwargs_mapping() -> None:
    mapped, ignored = map_gen_kwargs({"max_new_tokens": 64, "temperature": 0.3, "top_p": 0.9, "seed": 1,
                                      "stop": ["\n"], "num_beams": 4, "repetition_penalty": 1.1}, "max_tokens")
    assert mapped == {"max_tokens": 64, "temperature": 0.3, "top_p": 0.9, "seed": 1, "stop": ["\n"]}
    assert ignored == ["num_beams", "repetition_penalty"]
    assert map_gen_kwargs({"max_new_tokens": 8, "do_sample": False}, "max_completion_tokens") == (
        {"max_completion_tokens": 8, "temperature": 0.0}, [])
    assert map_gen_kwargs({"do_sample": False, "temperature": 0.7}, "max_tokens")[0] == {"temperature": 0.7}


def test_parts_order_frames_audio_then_prompt() -> None:
    options = PayloadOptions(model="m", send_audio=True, image_detail="low", jpeg_quality=70)
    payload = build_chat_payload(_prepared(media=_media()), options)
    system, user = payload.body["messages"]
    assert system == {"role": "system", "content": "You are an emotion expert."}
    assert [p["type"] for p in user["content"]] == ["image_url"] * 3 + ["input_audio", "text"]
    assert user["content"][0]["image_url"]["detail"] == "low"
    assert user["content"][-1]["text"] == "Subtitle: hi. Why?"
    assert payload.body["max_tokens"] == 32 and payload.body["model"] == "m"
    assert payload.inputs == {"model": "m", "num_frames": 3, "frame_size": [30, 20], "jpeg_quality": 70,
                              "image_detail": "low", "audio_s": 0.5, "audio_sample_rate": 16_000}


def test_text_only_request_sends_string_content_without_system_message() -> None:
    payload = build_chat_payload(_prepared((Modality.SUBTITLE,), media=_media(), system_prompt=None),
                                 PayloadOptions(model="m", send_audio=True))
    assert payload.body["messages"] == [{"role": "user", "content": "Subtitle: hi. Why?"}]
    assert payload.inputs["num_frames"] == 0 and payload.inputs["audio_s"] == 0.0


def test_audio_is_left_out_unless_enabled() -> None:
    payload = build_chat_payload(_prepared(media=_media()), PayloadOptions(model="m", send_audio=False))
    assert "input_audio" not in [p["type"] for p in payload.body["messages"][1]["content"]]


@pytest.mark.parametrize("media, modalities, message", [
    (None, (Modality.VIDEO,), "grants video but no frames"),
    (DecodedMedia(frames=np.zeros((2, 4, 4), np.uint8)), (Modality.VIDEO,), "uint8 [T, H, W, 3]"),
    (DecodedMedia(frames=np.zeros((2, 4, 4, 3), np.float32)), (Modality.VIDEO,), "uint8 [T, H, W, 3]"),
    (DecodedMedia(audio=None), (Modality.AUDIO,), "no audio was decoded"),
    (DecodedMedia(audio=np.zeros((2, 8), np.float32)), (Modality.AUDIO,), "mono"),
])
def test_missing_or_malformed_media_is_a_media_error(media: DecodedMedia | None, modalities: tuple[Modality, ...],
                                                     message: str) -> None:
    with pytest.raises(MediaError, match=r"sample_1: .*" + message.replace("[", r"\[").replace("]", r"\]")):
        build_chat_payload(_prepared(modalities, media), PayloadOptions(model="m", send_audio=True))
