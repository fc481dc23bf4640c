"""Shared pieces of the `openai` adapter tests: requests with synthetic media, and adapters that
are closed after each test (fixtures in conftest.py)."""

from __future__ import annotations

import sys
from pathlib import Path
from typing import Any

import numpy as np

from emer_bench.api.adapter import PreparedRequest
from emer_bench.api.media import DecodedMedia
from emer_bench.api.requests import GenerationRequest, Modality
from emer_bench.model_adapters.openai_api import OpenAIChatAdapter, OpenAIChatArgs

sys.path.insert(0, str(Path(__file__).parent))
from openai_test_server import OpenAITestServer  # noqa: E402

SECRET = "sk-test-do-not-leak-1234"
DEMO_TASK_DIR = Path(__file__).resolve().parents[2] / "tasks" / "emer_demo"
ALL = (Modality.VIDEO, Modality.AUDIO, Modality.SUBTITLE)


def make_media(num_frames: int = 4, height: int = 48, width: int = 64, audio_s: float = 1.5) -> DecodedMedia:
    rng = np.random.default_rng(num_frames)
    frames = rng.integers(0, 255, (num_frames, height, width, 3), dtype=np.uint8)
    audio = (0.3 * np.sin(np.linspace(0, 400 * np.pi, int(16_000 * audio_s)))).astype(np.float32)
    return DecodedMedia(frames=frames, frame_times=[i * 0.5 for i in range(num_frames)], audio=audio,
                        duration_s=audio_s)


def make_request(index: int, modalities: tuple[Modality, ...] = ALL, media: DecodedMedia | None = None,
                 **fields: Any) -> PreparedRequest:
    fields.setdefault("prompt", f"Subtitle: line {index}. Describe the emotion.")
    fields.setdefault("gen_kwargs", {"max_new_tokens": 64})
    request = GenerationRequest(task="demo", index=index, clip_id=f"clip_{index:03d}", modalities=modalities,
                                **fields)
    return PreparedRequest(request, media if media is not None else make_media())


_OPEN_ADAPTERS: list[OpenAIChatAdapter] = []


def make_adapter(server: OpenAITestServer, **args: Any) -> OpenAIChatAdapter:
    args = {"base_url": server.base_url, "model": "test-model", "api_key": SECRET, "backoff_base": 0.001,
            "backoff_max": 0.01, **args}
    adapter = OpenAIChatAdapter(OpenAIChatArgs(**args))
    _OPEN_ADAPTERS.append(adapter)
    return adapter


def close_open_adapters() -> None:
    """Close every adapter `make_adapter` made (the `close_openai_adapters` fixture calls this)."""
    while _OPEN_ADAPTERS:
        _OPEN_ADAPTERS.pop().close()


def text_requests(n: int) -> list[PreparedRequest]:
    return [make_request(i, (Modality.SUBTITLE,), DecodedMedia()) for i in range(n)]
