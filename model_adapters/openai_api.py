"""Any OpenAI-compatible Chat Completions server as an emer-bench model (OpenAI, vLLM, Ollama,
SGLang, LM Studio, Gemini's compatible endpoint).

Calls run concurrently on a background event loop (up to `concurrency` in flight) and answers
are yielded as they complete, while the request iterator is pulled lazily so that at most
about `concurrency` decoded clips are held in memory at once (the scheduling is
openai_stream.py; HTTP, retries and message encoding are openai_http/_retry/_messages.py).
"""

from __future__ import annotations

import functools
import logging
import os
import weakref
from typing import Any, Iterable, Iterator, Literal
from urllib.parse import urlsplit

from pydantic import Field, JsonValue, SecretStr, field_validator

from emer_bench.api.adapter import AdapterArgs, MediaInput, ModelAdapter, PreparedRequest
from emer_bench.api.media import MediaError
from emer_bench.api.records import Generation
from emer_bench.api.requests import Modality
from emer_bench.errors import ConfigError
from .async_loop import BackgroundLoop
from .openai_http import ChatCompletionsClient, check_server, redact_url
from .openai_messages import ChatPayload, PayloadOptions, build_chat_payload
from .openai_retry import RetryPolicy
from .openai_stream import StreamScheduler

logger = logging.getLogger(__name__)

OPENAI_BASE_URL = "https://api.openai.com/v1"
TRANSPORT: dict[str, JsonValue] = {"transport": True}  # emer_bench.runner.run_key.transport_fields


def _api_key_from_env() -> str | None:
    return os.environ.get("OPENAI_API_KEY") or None


class OpenAIChatArgs(AdapterArgs):
    """`--model-args` of the `openai` adapter (times in seconds)."""

    base_url: str = OPENAI_BASE_URL
    model: str = Field(min_length=1)
    # A secret: hidden from repr, dumped as "**********" in JSON mode, never in describe().
    api_key: SecretStr | None = Field(default_factory=_api_key_from_env, validate_default=True, repr=False,
                                      json_schema_extra={"secret": True})
    # Transport only: how requests travel, not what is answered, so not part of the run key.
    concurrency: int = Field(default=8, ge=1, le=1024, json_schema_extra=TRANSPORT)
    timeout: float = Field(default=120.0, gt=0, json_schema_extra=TRANSPORT)
    max_retries: int = Field(default=5, ge=0, json_schema_extra=TRANSPORT)
    backoff_base: float = Field(default=1.0, ge=0, json_schema_extra=TRANSPORT)
    backoff_max: float = Field(default=30.0, ge=0, json_schema_extra=TRANSPORT)
    retry_after_max: float = Field(default=120.0, ge=0, json_schema_extra=TRANSPORT)
    audio: bool = False  # send the clip's audio as an input_audio part (the server must accept it)
    image_detail: Literal["auto", "low", "high"] | None = None  # None: leave the field out
    jpeg_quality: int = Field(default=85, ge=1, le=100)
    max_tokens_field: Literal["max_tokens", "max_completion_tokens"] = "max_tokens"

    @field_validator("base_url")
    @classmethod
    def _http_url(cls, value: str) -> str:
        if not value.startswith(("http://", "https://")):
            raise ValueError(f"base_url must start with http:// or https://, got {value!r}")
        try:
            parts = urlsplit(value)
            host, _ = parts.hostname, parts.port  # .port raises on a bad port
        except ValueError as exc:
            raise ValueError(f"base_url is not a valid URL ({exc})") from None
        if not host:
            raise ValueError(f"base_url {value!r} names no host (e.g. http://localhost:8000/v1)")
        return value.rstrip("/")

    def check_available(self) -> None:
        """`GET {base_url}/models` (a few seconds at most): the server answers and takes the key.
        A server without that route (404/405/501) passes: it answered."""
        api_key = self.api_key.get_secret_value() if self.api_key is not None else None
        check_server(self.base_url, api_key, timeout_s=min(5.0, self.timeout))

    @field_validator("api_key", mode="before")
    @classmethod
    def _key_as_text(cls, value: Any) -> Any:
        # `--model-args` values that look like JSON arrive as numbers; a key must never fail
        # validation, because validation errors echo their input.
        if value is None or isinstance(value, SecretStr):
            return value
        return str(value) or None


class OpenAIChatAdapter(ModelAdapter[OpenAIChatArgs]):
    """Frames as JPEG data URLs, audio as WAV `input_audio`, subtitle and prompt as text."""

    name = "openai"
    modalities = frozenset({Modality.VIDEO, Modality.AUDIO, Modality.SUBTITLE})
    media_input = MediaInput.DECODED

    def __init__(self, args: OpenAIChatArgs) -> None:
        if not isinstance(args, OpenAIChatArgs):
            raise ConfigError(f"openai adapter: expected OpenAIChatArgs, got {type(args).__name__}")
        super().__init__(args)
        if args.api_key is None and args.base_url == OPENAI_BASE_URL:
            raise ConfigError("openai adapter: no API key for https://api.openai.com/v1; set OPENAI_API_KEY "
                              "or pass --model-args api_key=..., or point base_url at a local server")
        self._payload_options = PayloadOptions(
            model=args.model, send_audio=args.audio, image_detail=args.image_detail,
            jpeg_quality=args.jpeg_quality, max_tokens_field=args.max_tokens_field,
        )
        self._warned_ignored: set[str] = set()
        self._loop: BackgroundLoop | None = None
        self._client: ChatCompletionsClient | None = None
        self._finalizer: weakref.finalize | None = None

    @property
    def active_modalities(self) -> frozenset[Modality]:
        # Audio is sent only with audio=true; without it the runner must not decode the clip's
        # audio for nothing (about 40% of a demo clip's decode CPU).
        return self.modalities if self.args.audio else self.modalities - {Modality.AUDIO}

    @property
    def model_id(self) -> str:
        return self.args.model

    def describe(self) -> dict[str, Any]:
        settings = self.args.model_dump(mode="json", exclude={"api_key", "base_url", "model"})
        return {"adapter": self.name, "model_id": self.model_id, "base_url": redact_url(self.args.base_url),
                "api_key_set": self.args.api_key is not None, "settings": settings}

    def generate(self, batch: list[PreparedRequest]) -> list[Generation]:
        """Answer a batch concurrently; results in the batch's order."""
        by_index = {generation.index: generation for generation in self.generate_stream(batch)}
        return [by_index[prepared.request.index] for prepared in batch]

    def generate_stream(self, requests: Iterable[PreparedRequest]) -> Iterator[Generation]:
        """Up to `concurrency` calls in flight; yields each answer as its call completes, while
        the next requests are encoded ahead (see openai_stream.StreamScheduler). Closing the
        generator early cancels this stream's calls and waits until they are gone."""
        loop, client = self._session()
        scheduler = StreamScheduler(loop, self.args.concurrency, self._build,
                                    functools.partial(self._send, client))
        yield from scheduler.run(requests)

    def close(self) -> None:
        """Stop the event loop thread and close the HTTP connections."""
        if self._finalizer is not None:
            self._finalizer()  # runs _close_session once
        self._loop, self._client, self._finalizer = None, None, None

    def _session(self) -> tuple[BackgroundLoop, ChatCompletionsClient]:
        # One loop and client per adapter, reused by every stream (tasks of a run): a warm
        # keep-alive pool skips reconnecting (and a TLS handshake per connection).
        if self._loop is None or self._client is None or not self._loop.alive:
            loop = BackgroundLoop("openai-adapter-loop")
            try:
                client = loop.run(self._open_client(), timeout_s=60)
            except BaseException:
                loop.close()
                raise
            self._loop, self._client = loop, client
            # Adapters shared by scorers are often never closed: close the connections when the
            # adapter is collected or, at the latest, at interpreter exit (before daemon threads die).
            self._finalizer = weakref.finalize(self, _close_session, loop, client)
        return self._loop, self._client

    async def _open_client(self) -> ChatCompletionsClient:
        # Created on the loop's thread: aiohttp binds its session to the running loop.
        args = self.args
        policy = RetryPolicy(max_retries=args.max_retries, backoff_base=args.backoff_base,
                             backoff_max=args.backoff_max, retry_after_max=args.retry_after_max)
        api_key = args.api_key.get_secret_value() if args.api_key is not None else None
        return ChatCompletionsClient(args.base_url, api_key, args.timeout, args.concurrency, policy)

    def preprocess(self, prepared: PreparedRequest) -> PreparedRequest:
        """On the harness's prefetch threads: JPEG/WAV + JSON encoding beside other clips'
        decoding, and only the encoded body is kept (the decoded arrays are dropped).
        A MediaError raised here is recorded by the runner as `MediaError: <clip>: ...`."""
        payload = build_chat_payload(prepared, self._payload_options)
        payload.content  # noqa: B018 - serialize now, off the event loop and the caller's thread
        return PreparedRequest(prepared.request, None, payload)

    def _build(self, prepared: PreparedRequest) -> ChatPayload | Generation:
        """The request body, or the recorded failure when the media cannot be encoded."""
        index = prepared.request.index
        if isinstance(prepared.payload, ChatPayload):  # preprocessed on a prefetch thread
            self._warn_ignored(prepared.payload.inputs.get("ignored_gen_kwargs", []))
            return prepared.payload
        try:
            payload = build_chat_payload(prepared, self._payload_options)
        except MediaError as exc:
            return Generation(index=index, error=f"MediaError: {exc}")
        except Exception as exc:
            return Generation(index=index, error=f"{type(exc).__name__}: {exc}")
        self._warn_ignored(payload.inputs.get("ignored_gen_kwargs", []))
        return payload

    @staticmethod
    async def _send(client: ChatCompletionsClient, index: int, payload: ChatPayload) -> Generation:
        result = await client.complete(payload.content)
        inputs = dict(payload.inputs)
        if result.served_model is not None:
            inputs["served_model"] = result.served_model
        return Generation(index=index, text=result.text if result.error is None else None, error=result.error,
                          latency_s=result.latency_s, usage=result.usage, inputs=inputs)

    def _warn_ignored(self, names: list[str]) -> None:
        new = [name for name in names if name not in self._warned_ignored]
        if new:
            self._warned_ignored.update(new)
            logger.warning("openai adapter: generation kwargs with no Chat Completions equivalent are not "
                           "sent: %s (listed in each sample's inputs.ignored_gen_kwargs)", ", ".join(new))


def _close_session(loop: BackgroundLoop, client: ChatCompletionsClient) -> None:
    loop.close(client.aclose)
