"""Any OpenAI-compatible Chat Completions server as an emer-bench model (OpenAI, vLLM, Ollama,
SGLang, LM Studio, Gemini's compatible endpoint).

Calls run concurrently on a background event loop (up to `concurrency` in flight) and answers
are yielded as they complete, while the request iterator is pulled lazily so that at most
about `concurrency` decoded clips are held in memory at once.
"""

from __future__ import annotations

import asyncio
import concurrent.futures
import logging
import os
import queue
from typing import Any, Iterable, Iterator, Literal

from pydantic import Field, SecretStr, field_validator

from emer_bench.api.adapter import AdapterArgs, MediaInput, ModelAdapter, PreparedRequest
from emer_bench.api.records import Generation
from emer_bench.api.requests import Modality
from emer_bench.errors import ConfigError
from emer_bench.model_adapters.async_loop import BackgroundLoop
from emer_bench.model_adapters.openai_http import ChatCompletionsClient, redact_url
from emer_bench.model_adapters.openai_messages import MediaError, PayloadOptions, build_chat_payload
from emer_bench.model_adapters.openai_retry import RetryPolicy

logger = logging.getLogger(__name__)

OPENAI_BASE_URL = "https://api.openai.com/v1"


def _api_key_from_env() -> str | None:
    return os.environ.get("OPENAI_API_KEY") or None


class OpenAIChatArgs(AdapterArgs):
    """`--model-args` of the `openai` adapter (times in seconds)."""

    base_url: str = OPENAI_BASE_URL
    model: str = Field(min_length=1)
    # A secret: hidden from repr, dumped as "**********" in JSON mode, never in describe().
    api_key: SecretStr | None = Field(default_factory=_api_key_from_env, validate_default=True, repr=False,
                                      json_schema_extra={"secret": True})
    concurrency: int = Field(default=8, ge=1, le=1024)
    timeout: float = Field(default=120.0, gt=0)
    max_retries: int = Field(default=5, ge=0)
    backoff_base: float = Field(default=1.0, ge=0)
    backoff_max: float = Field(default=30.0, ge=0)
    retry_after_max: float = Field(default=120.0, ge=0)
    audio: bool = False  # send the clip's audio as an input_audio part (the server must accept it)
    image_detail: Literal["auto", "low", "high"] | None = None  # None: leave the field out
    jpeg_quality: int = Field(default=85, ge=1, le=100)
    max_tokens_field: Literal["max_tokens", "max_completion_tokens"] = "max_tokens"

    @field_validator("base_url")
    @classmethod
    def _http_url(cls, value: str) -> str:
        if not value.startswith(("http://", "https://")):
            raise ValueError(f"base_url must start with http:// or https://, got {value!r}")
        return value.rstrip("/")

    @field_validator("api_key", mode="before")
    @classmethod
    def _key_as_text(cls, value: Any) -> Any:
        # `--model-args` values that look like JSON arrive as numbers; a key must never fail
        # validation, because validation errors echo their input.
        if value is None or isinstance(value, SecretStr):
            return value
        return str(value) or None


class OpenAIChatAdapter(ModelAdapter):
    """Frames as JPEG data URLs, audio as WAV `input_audio`, subtitle and prompt as text."""

    name = "openai"
    description = "Any OpenAI-compatible Chat Completions server"
    modalities = frozenset({Modality.VIDEO, Modality.AUDIO, Modality.SUBTITLE})
    media_input = MediaInput.DECODED
    Args = OpenAIChatArgs

    def __init__(self, args: AdapterArgs) -> None:
        if not isinstance(args, OpenAIChatArgs):
            raise ConfigError(f"openai adapter: expected OpenAIChatArgs, got {type(args).__name__}")
        super().__init__(args)
        self.args: OpenAIChatArgs = args
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
        """Up to `concurrency` calls in flight; yields each answer as its call completes.

        Closing the generator early cancels this stream's calls and waits until they are gone.
        """
        concurrency = self.args.concurrency
        loop, client = self._session()
        stream_tasks: set[asyncio.Task[Generation]] = set()
        pending: dict[concurrent.futures.Future[Generation], int] = {}
        completed: queue.SimpleQueue[concurrent.futures.Future[Generation]] = queue.SimpleQueue()
        source = iter(requests)
        exhausted = False

        def fill() -> None:
            nonlocal exhausted
            while not exhausted and len(pending) < concurrency:
                try:
                    prepared = next(source)
                except StopIteration:
                    exhausted = True
                    return
                future = loop.submit(self._answer(client, prepared, stream_tasks))
                pending[future] = prepared.request.index
                future.add_done_callback(completed.put)

        try:
            fill()
            while pending:
                future = completed.get()
                index = pending.pop(future)
                generation = self._generation_of(future, index)
                fill()  # refill before yielding: calls keep running while the consumer works
                yield generation
        finally:
            if pending:
                for future in pending:
                    future.cancel()  # a call that has not started yet never starts
                loop.run(_cancel_and_wait(stream_tasks), timeout_s=30)

    def close(self) -> None:
        """Stop the event loop thread and close the HTTP connections."""
        if self._loop is not None:
            client = self._client
            self._loop.close(client.aclose if client is not None else None)
            self._loop, self._client = None, None

    def _session(self) -> tuple[BackgroundLoop, ChatCompletionsClient]:
        # One loop and client per adapter, reused by every stream (tasks of a run): creating an
        # httpx client loads the CA bundle (~0.1-0.6 s here) and a warm pool skips reconnecting.
        if self._loop is None or self._client is None or not self._loop.alive:
            loop = BackgroundLoop("openai-adapter-loop")
            try:
                self._client = loop.run(self._open_client(), timeout_s=60)
            except BaseException:
                loop.close()
                raise
            self._loop = loop
        return self._loop, self._client

    async def _open_client(self) -> ChatCompletionsClient:
        # Created on the loop's thread: httpx binds its connection pool to the running loop.
        args = self.args
        policy = RetryPolicy(max_retries=args.max_retries, backoff_base=args.backoff_base,
                             backoff_max=args.backoff_max, retry_after_max=args.retry_after_max)
        api_key = args.api_key.get_secret_value() if args.api_key is not None else None
        return ChatCompletionsClient(args.base_url, api_key, args.timeout, args.concurrency, policy)

    @staticmethod
    def _generation_of(future: concurrent.futures.Future[Generation], index: int) -> Generation:
        try:
            return future.result()
        except BaseException as exc:  # _answer records its own failures; this is a last resort
            return Generation(index=index, error=f"AdapterError: {type(exc).__name__}: {exc}")

    async def _answer(self, client: ChatCompletionsClient, prepared: PreparedRequest,
                      stream_tasks: set[asyncio.Task[Generation]]) -> Generation:
        task = asyncio.current_task()
        assert task is not None
        stream_tasks.add(task)
        try:
            return await self._call(client, prepared)
        finally:
            stream_tasks.discard(task)

    async def _call(self, client: ChatCompletionsClient, prepared: PreparedRequest) -> Generation:
        index = prepared.request.index
        try:
            if self._has_media_to_encode(prepared):
                # JPEG/WAV encoding off the loop's thread: Pillow releases the GIL while it encodes.
                payload = await asyncio.to_thread(build_chat_payload, prepared, self._payload_options)
            else:
                payload = build_chat_payload(prepared, self._payload_options)
        except MediaError as exc:
            return Generation(index=index, error=f"MediaError: {exc}")
        except Exception as exc:
            return Generation(index=index, error=f"{type(exc).__name__}: {exc}")
        del prepared  # the decoded arrays are no longer needed once encoded
        self._warn_ignored(payload.inputs.get("ignored_gen_kwargs", []))
        result = await client.complete(payload.body)
        inputs = dict(payload.inputs)
        if result.served_model is not None:
            inputs["served_model"] = result.served_model
        return Generation(index=index, text=result.text if result.error is None else None, error=result.error,
                          latency_s=result.latency_s, usage=result.usage, inputs=inputs)

    def _has_media_to_encode(self, prepared: PreparedRequest) -> bool:
        modalities = prepared.request.modalities
        return Modality.VIDEO in modalities or (Modality.AUDIO in modalities and self.args.audio)

    def _warn_ignored(self, names: list[str]) -> None:
        new = [name for name in names if name not in self._warned_ignored]
        if new:
            self._warned_ignored.update(new)
            logger.warning("openai adapter: generation kwargs with no Chat Completions equivalent are not "
                           "sent: %s (listed in each sample's inputs.ignored_gen_kwargs)", ", ".join(new))


async def _cancel_and_wait(tasks: set[asyncio.Task[Generation]]) -> None:
    for task in list(tasks):
        task.cancel()
    await asyncio.gather(*list(tasks), return_exceptions=True)
