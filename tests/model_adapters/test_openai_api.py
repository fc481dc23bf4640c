"""The `openai` adapter against a real OpenAI-compatible HTTP server on 127.0.0.1."""

from __future__ import annotations

import base64
import io
import json
import sys
import wave
from pathlib import Path
from typing import Any

import numpy as np
import pytest
from PIL import Image
from pydantic import ValidationError

from emer_bench.api.adapter import PreparedRequest
from emer_bench.api.requests import GenerationRequest, Modality
from emer_bench.errors import ConfigError
from emer_bench.model_adapters.openai_api import OpenAIChatAdapter, OpenAIChatArgs
from emer_bench.registries import ADAPTERS

sys.path.insert(0, str(Path(__file__).parent))
from openai_adapter_support import ALL, DEMO_TASK_DIR, SECRET, make_adapter, make_request, text_requests  # noqa: E402
from openai_test_server import OpenAITestServer, Reply  # noqa: E402


def test_registered_under_openai() -> None:
    assert ADAPTERS.get("openai") is OpenAIChatAdapter


def test_payload_shape_over_http(server: OpenAITestServer) -> None:
    adapter = make_adapter(server, audio=True, image_detail="high", jpeg_quality=90)
    prepared = make_request(7, system_prompt="You are an expert in emotions.",
                            gen_kwargs={"max_new_tokens": 64, "temperature": 0.2, "top_p": 0.9, "seed": 3,
                                        "stop": ["\n\n"], "num_beams": 2})
    [generation] = adapter.generate([prepared])

    [received] = server.requests
    assert received.path == "/v1/chat/completions"
    assert received.headers["authorization"] == f"Bearer {SECRET}"
    body = received.body
    assert body["model"] == "test-model"
    assert {k: body[k] for k in ("max_tokens", "temperature", "top_p", "seed", "stop")} == {
        "max_tokens": 64, "temperature": 0.2, "top_p": 0.9, "seed": 3, "stop": ["\n\n"]}
    assert "num_beams" not in body
    system, user = body["messages"]
    assert system == {"role": "system", "content": "You are an expert in emotions."}
    assert user["role"] == "user"
    images = [p for p in user["content"] if p["type"] == "image_url"]
    assert len(images) == 4
    for part in images:
        url = part["image_url"]["url"]
        assert url.startswith("data:image/jpeg;base64,") and part["image_url"]["detail"] == "high"
        image = Image.open(io.BytesIO(base64.b64decode(url.split(",", 1)[1])))
        assert (image.format, image.size) == ("JPEG", (64, 48))
    [audio] = [p for p in user["content"] if p["type"] == "input_audio"]
    assert audio["input_audio"]["format"] == "wav"
    with wave.open(io.BytesIO(base64.b64decode(audio["input_audio"]["data"]))) as wav:
        assert (wav.getframerate(), wav.getnchannels(), wav.getnframes()) == (16_000, 1, 24_000)
    assert user["content"][-1] == {"type": "text", "text": "Subtitle: line 7. Describe the emotion."}

    assert generation.index == 7 and generation.error is None
    assert generation.text == "echo: Subtitle: line 7. Describe the emotion."
    assert generation.latency_s is not None and generation.latency_s > 0
    assert generation.usage == {"prompt_tokens": 11, "completion_tokens": 7, "total_tokens": 18, "attempts": 1}
    assert generation.inputs["num_frames"] == 4 and generation.inputs["audio_s"] == 1.5
    assert generation.inputs["model"] == "test-model" and generation.inputs["ignored_gen_kwargs"] == ["num_beams"]


def test_api_key_is_sent_but_never_described(server: OpenAITestServer, monkeypatch: pytest.MonkeyPatch) -> None:
    adapter = make_adapter(server)
    adapter.generate(text_requests(1))
    assert server.requests[0].headers["authorization"] == f"Bearer {SECRET}"
    for shown in (json.dumps(adapter.describe()), repr(adapter.args), str(adapter.args),
                  json.dumps(adapter.args.model_dump(mode="json"))):
        assert SECRET not in shown
    assert adapter.describe()["api_key_set"] is True and "api_key" not in adapter.describe()["settings"]

    monkeypatch.setenv("OPENAI_API_KEY", "sk-from-env")
    from_env = OpenAIChatArgs(model="m").api_key
    assert from_env is not None and from_env.get_secret_value() == "sk-from-env"
    numeric = OpenAIChatArgs(model="m", api_key=12345).api_key  # k=v parsing turns digits into ints
    assert numeric is not None and numeric.get_secret_value() == "12345"
    monkeypatch.setenv("OPENAI_API_KEY", "")
    assert OpenAIChatArgs(model="m").api_key is None


def test_no_key_sends_no_authorization_to_a_local_server(server: OpenAITestServer,
                                                         monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.delenv("OPENAI_API_KEY", raising=False)
    make_adapter(server, api_key=None).generate(text_requests(1))
    assert "authorization" not in server.requests[0].headers


def test_no_key_for_the_openai_endpoint_is_a_config_error(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.delenv("OPENAI_API_KEY", raising=False)
    with pytest.raises(ConfigError, match="OPENAI_API_KEY"):
        OpenAIChatAdapter(OpenAIChatArgs(model="gpt-4o-mini"))


@pytest.mark.parametrize("args, message", [
    ({"model": "m", "base_url": "localhost:8000/v1"}, "base_url must start with http"),
    ({"model": "m", "base_url": "http:///v1"}, "base_url 'http:///v1' names no host"),
    ({"model": "m", "base_url": "http://localhost:80x/v1"}, "base_url is not a valid URL \\(Port could not be cast"),
    ({"model": "m", "concurrency": 0}, "concurrency"),
    ({"model": "m", "image_detail": "ultra"}, "image_detail"),
    ({"model": "m", "temprature": 0.1}, "temprature"),
    ({}, "model"),
])
def test_bad_model_args_are_rejected_by_name(args: dict[str, Any], message: str) -> None:
    with pytest.raises(ValidationError, match=message):
        OpenAIChatArgs(**args)


def test_retry_after_is_honoured_on_429(server: OpenAITestServer) -> None:
    server.plan(Reply.error(429, "rate limited", headers={"Retry-After": "0.4"}))
    [generation] = make_adapter(server).generate(text_requests(1))
    assert generation.ok and generation.usage["attempts"] == 2
    first, second = server.requests
    assert second.received_at - first.received_at >= 0.4  # backoff alone would wait <= 0.01 s


def test_500_then_success_is_retried(server: OpenAITestServer) -> None:
    server.plan(Reply.error(500, "internal"), Reply.error(502, "bad gateway"))
    [generation] = make_adapter(server).generate(text_requests(1))
    assert generation.ok and generation.usage["attempts"] == 3 and len(server.requests) == 3


def test_last_error_is_recorded_after_max_retries(server: OpenAITestServer) -> None:
    server.default = Reply.error(503, "overloaded")
    [generation] = make_adapter(server, max_retries=2).generate(text_requests(1))
    assert len(server.requests) == 3
    assert generation.text is None and generation.error == "HTTP 503: overloaded (gave up after 3 attempts)"


def test_400_is_recorded_with_the_server_message_and_not_retried(server: OpenAITestServer) -> None:
    server.plan(Reply.error(400, "Invalid image data in message 1"))
    [generation] = make_adapter(server).generate(text_requests(1))
    assert len(server.requests) == 1
    assert generation.error == "HTTP 400: Invalid image data in message 1" and generation.text is None


def test_malformed_json_is_recorded(server: OpenAITestServer) -> None:
    server.plan(Reply.raw(b'{"choices": [ oops'))
    [generation] = make_adapter(server).generate(text_requests(1))
    assert generation.error is not None and generation.error.startswith("BadResponse: the server returned invalid JSON")
    assert len(server.requests) == 1


def test_empty_content_is_an_error_not_an_empty_answer(server: OpenAITestServer) -> None:
    server.plan(Reply.empty())
    [generation] = make_adapter(server).generate(text_requests(1))
    assert generation.text is None and generation.error == "EmptyResponse: the server returned no text (finish_reason=stop)"
    assert generation.usage["completion_tokens"] == 7


def test_timeouts_are_retried_then_recorded(server: OpenAITestServer) -> None:
    server.default = Reply.ok(delay_s=1.0)
    [generation] = make_adapter(server, timeout=0.2, max_retries=1).generate(text_requests(1))
    assert len(server.requests) == 2
    assert generation.error is not None and generation.error.startswith("Timeout: no complete answer from")


def test_connection_refused_is_retried_then_recorded() -> None:
    with OpenAITestServer() as server:
        base_url = server.base_url  # the port is free again once the server stops
    adapter = OpenAIChatAdapter(OpenAIChatArgs(base_url=base_url, model="m", max_retries=1, backoff_base=0.001))
    [generation] = adapter.generate(text_requests(1))
    adapter.close()
    assert generation.error is not None and generation.error.startswith("ConnectionError: ")
    assert generation.error.endswith("(gave up after 2 attempts)") and generation.usage["attempts"] == 2


def test_missing_media_is_recorded_without_a_call(server: OpenAITestServer) -> None:
    prepared = PreparedRequest(make_request(0).request, None)
    [generation] = make_adapter(server).generate([prepared])
    assert generation.error == "MediaError: clip_000: the task grants video but no frames were decoded"
    assert server.requests == []


@pytest.mark.slow
def test_real_demo_clip_reaches_the_server_as_decoded(server: OpenAITestServer, demo_clips: list[Path]) -> None:
    from emer_bench.media.prefetch import prepare_request

    adapter = make_adapter(server, audio=True, num_frames=4, max_pixels=160 * 120)
    request = GenerationRequest(task="emer-demo", index=0, clip_id=demo_clips[0].stem, prompt="Why?",
                                modalities=ALL, video_path=str(demo_clips[0]), system_prompt="sys")
    prepared = prepare_request(request, adapter.active_modalities, adapter.media_input, adapter.media_options)
    assert prepared.media is not None and prepared.media.frames is not None and prepared.media.audio is not None
    frames, audio = prepared.media.frames, prepared.media.audio
    [generation] = adapter.generate([prepared])
    assert generation.ok and generation.inputs["num_frames"] == 4

    content = server.requests[0].body["messages"][1]["content"]
    images = [p["image_url"]["url"] for p in content if p["type"] == "image_url"]
    assert len(images) == 4
    for url, frame in zip(images, frames):
        decoded = np.asarray(Image.open(io.BytesIO(base64.b64decode(url.split(",", 1)[1]))).convert("RGB"))
        assert decoded.shape == frame.shape
        # JPEG is lossy, but a swapped channel order or another frame would differ by far more.
        assert np.abs(decoded.astype(int) - frame.astype(int)).mean() < 6
    [wav_part] = [p for p in content if p["type"] == "input_audio"]
    with wave.open(io.BytesIO(base64.b64decode(wav_part["input_audio"]["data"]))) as wav:
        assert (wav.getframerate(), wav.getnframes()) == (16_000, len(audio))
    assert generation.inputs["audio_s"] == round(len(audio) / 16_000, 3)


@pytest.mark.slow
def test_emer_bench_run_over_http_keeps_the_key_out_of_results(server: OpenAITestServer, tmp_path: Path,
                                                               monkeypatch: pytest.MonkeyPatch) -> None:
    from emer_bench.cli.main import main

    # The demo task with one cheap scorer: this test is about the adapter inside a run, not scoring.
    demo_yaml = (DEMO_TASK_DIR / "emer_demo.yaml").read_text().replace("{task_dir}", str(DEMO_TASK_DIR))
    head, _, _ = demo_yaml.partition("scorers:")
    task_dir = tmp_path / "tasks"
    task_dir.mkdir()
    (task_dir / "demo_openai.yaml").write_text(
        head.replace("task: emer-demo", "task: emer-demo-openai") + "scorers:\n  - name: rouge_l\n"
        "main_metric: rouge_l.fscore\n")
    monkeypatch.setenv("OPENAI_API_KEY", SECRET)
    model_args = f"base_url={server.base_url},model=Qwen/Qwen2.5-Omni-7B,audio=true,num_frames=4,concurrency=4"
    out_dir = tmp_path / "out"
    code = main(["run", "--model", "openai", "--model-args", model_args, "--tasks", "emer-demo-openai",
                 "--include-path", str(task_dir), "--limit", "3", "--output-dir", str(out_dir),
                 "--n-resamples", "0", "--no-progress"])
    assert code == 0
    assert len(server.requests) == 3 and server.requests[0].headers["authorization"] == f"Bearer {SECRET}"
    written = [p for p in out_dir.rglob("*") if p.is_file()]
    samples = [json.loads(line) for p in written if p.name.startswith("samples_") for line in p.read_text().splitlines()]
    assert len(samples) == 3 and all(s["error"] is None and s["response"].startswith("echo: ") for s in samples)
    assert all(s["inputs"]["num_frames"] == 4 and s["inputs"]["audio_s"] > 0 for s in samples)
    for path in written:
        assert SECRET not in path.read_text(errors="replace"), path


def test_audio_is_decoded_only_when_it_is_sent(server: OpenAITestServer) -> None:
    # The runner decodes what the task grants AND the adapter instance takes.
    assert Modality.AUDIO in OpenAIChatAdapter.modalities  # what the adapter can take
    assert Modality.AUDIO not in make_adapter(server).active_modalities
    assert Modality.AUDIO in make_adapter(server, audio=True).active_modalities
    assert Modality.VIDEO in make_adapter(server).active_modalities


@pytest.mark.slow
def test_without_audio_the_runner_decodes_no_audio(server: OpenAITestServer, demo_clips: list[Path]) -> None:
    from emer_bench.media.prefetch import prepare_request

    adapter = make_adapter(server, num_frames=2)
    request = GenerationRequest(task="emer-demo", index=0, clip_id=demo_clips[0].stem, prompt="Why?",
                                modalities=ALL, video_path=str(demo_clips[0]))
    prepared = prepare_request(request, adapter.active_modalities, adapter.media_input, adapter.media_options)
    assert prepared.media is not None and prepared.media.frames is not None and prepared.media.audio is None
    [generation] = adapter.generate([prepared])
    assert generation.ok and generation.inputs["num_frames"] == 2 and generation.inputs["audio_s"] == 0.0
