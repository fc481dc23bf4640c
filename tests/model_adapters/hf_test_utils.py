"""Helpers for the transformers adapter tests: harness-prepared requests and a generate spy."""

from __future__ import annotations

from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import numpy as np

from emer_bench.api.adapter import ModelAdapter, PreparedRequest
from emer_bench.api.media import DecodedMedia
from emer_bench.api.requests import GenerationRequest, Modality
from emer_bench.media.prefetch import prepare_request

ALL = (Modality.VIDEO, Modality.AUDIO, Modality.SUBTITLE)
PROMPT = ("Subtitle content of this video: {subtitle}; As an expert in the field of emotions, please focus on "
          "the facial expressions, body movements, tone of voice and subtitle content in the video, infer the "
          "person's emotional state and provide your reasoning process.")


def demo_request(clip: Path, index: int, subtitle: str, modalities: tuple[Modality, ...] = ALL,
                 **kw: Any) -> GenerationRequest:
    return GenerationRequest(task="emer-demo", index=index, clip_id=clip.stem, prompt=PROMPT.format(subtitle=subtitle),
                             modalities=modalities, video_path=str(clip), subtitle=subtitle, **kw)


def prepared_demo(adapter: ModelAdapter, clips: list[Path], subtitles: list[str],
                  modalities: tuple[Modality, ...] = ALL, **kw: Any) -> list[PreparedRequest]:
    """Requests on real demo clips, decoded by the harness exactly as a run would (prefetch path)."""
    return [prepare_request(demo_request(clip, i, sub, modalities, **kw), adapter.active_modalities, adapter.media_input,
                            adapter.media_options)
            for i, (clip, sub) in enumerate(zip(clips, subtitles))]


def synthetic_media(num_frames: int = 4, height: int = 64, width: int = 96, audio_s: float = 1.5) -> DecodedMedia:
    rng = np.random.default_rng(num_frames)
    frames = rng.integers(0, 255, (num_frames, height, width, 3), dtype=np.uint8)
    audio = (0.3 * np.sin(np.linspace(0, 400 * np.pi, int(16_000 * audio_s)))).astype(np.float32)
    return DecodedMedia(frames=frames, frame_times=[i * 0.5 for i in range(num_frames)], audio=audio,
                        duration_s=num_frames * 0.5)


@dataclass
class GenerateSpy:
    """Wraps `adapter.model.generate` and keeps what each call received (tensors on CPU)."""

    adapter: ModelAdapter
    calls: list[dict[str, Any]] = field(default_factory=list)

    def __post_init__(self) -> None:
        model = self.adapter.model  # type: ignore[attr-defined]
        real = model.generate

        def spy(**kwargs: Any) -> Any:
            self.calls.append({k: v.detach().cpu() if hasattr(v, "detach") else v for k, v in kwargs.items()})
            return real(**kwargs)

        model.generate = spy

    def restore(self) -> None:
        del self.adapter.model.generate  # type: ignore[attr-defined]

    def decoded_inputs(self, call: int = 0) -> list[str]:
        """The prompts as the model saw them (media placeholders expanded, padding dropped)."""
        tokenizer = self.adapter.tokenizer  # type: ignore[attr-defined]
        kwargs = self.calls[call]
        rows = [ids[mask.bool()] for ids, mask in zip(kwargs["input_ids"], kwargs["attention_mask"])]
        return [tokenizer.decode(row) for row in rows]
