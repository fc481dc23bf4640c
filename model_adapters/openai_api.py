"""Any OpenAI-compatible Chat Completions server as an emer-bench model (OpenAI, vLLM, Ollama,
SGLang, LM Studio, Gemini's compatible endpoint).

Calls run concurrently on a background event loop (up to `concurrency` in flight) and answers
are yielded as they complete, while the request iterator is pulled lazily so that at most
about `concurrency` decoded clips are held in memory at once.
"""

from __future__ import annotations

import asyncio
import collections
import concurrent.futures
import logging
import os
import queue
import weakref
from typing import Any, Iterable, Iterator, Literal

from pydantic import Field, SecretStr, field_validator

from emer_bench.api.adapter import AdapterArgs, MediaInput, ModelAdapter, PreparedRequest
from emer_bench.api.records import Generation
from emer_bench.api.requests import Modality
from emer_bench.errors import ConfigError
from emer_bench.model_adapters.async_loop import BackgroundLoop
from emer_bench.model_adapters.openai_http import ChatCompletionsClient, redact_url
from emer_bench.model_adapters.openai_messages import ChatPayload, MediaError, PayloadOptions, build_chat_payload
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
        if not args.audio:
            # Audio is sent only with audio=true; without it the runner must not decode the clip's
            # audio for nothing (about 40% of a demo clip's decode CPU). The class attribute still
            # lists AUDIO: that is what the adapter can take.
            self.modalities = self.modalities - {Modality.AUDIO}  # type: ignore[misc]
        self._warned_ignored: set[str] = set()
        self._loop: BackgroundLoop | None = None
        self._client: ChatCompletionsClient | None = None
        self._finalizer: weakref.finalize | None = None

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

        While the calls run, the next requests (up to `concurrency` of them) are encoded ahead, so
        that a finished call is replaced at once by a ready body instead of waiting for its frames
        to be JPEG-encoded. Only encoded bodies are held ahead, never decoded arrays.
        Closing the generator early cancels this stream's calls and waits until they are gone.
        """
        concurrency = self.args.concurrency
        loop, client = self._session()
        stream_tasks: set[asyncio.Task[Generation]] = set()
        pending: dict[concurrent.futures.Future[Generation], int] = {}
        ready: collections.deque[tuple[int, ChatPayload | Generation]] = collections.deque()
        completed: queue.SimpleQueue[concurrent.futures.Future[Generation]] = queue.SimpleQueue()
        source = iter(requests)
        exhausted = False

        def build_next() -> bool:
            # Encoded here, in the caller's thread, while the loop thread does the network I/O
            # (Pillow releases the GIL while encoding).
            nonlocal exhausted
            if exhausted:
                return False
            try:
                prepared = next(source)
            except StopIteration:
                exhausted = True
                return False
            index = prepared.request.index
            built = self._build(prepared)
            del prepared  # keep the encoded body, not the decoded arrays
            ready.append((index, built))
            return True

        def submit_ready() -> None:
            while len(pending) < concurrency and (ready or build_next()):
                index, built = ready.popleft()
                future = loop.submit(self._answer(client, index, built, stream_tasks))
                pending[future] = index
                future.add_done_callback(completed.put)

        def encode_ahead() -> None:
            # One body at a time, and only while no answer is waiting: an answer that arrives
            # waits for at most one encoding before its slot is refilled.
            while len(ready) < concurrency and completed.empty() and build_next():
                pass

        try:
            submit_ready()
            while pending:
                encode_ahead()
                future = completed.get()
                index = pending.pop(future)
                generation = self._generation_of(future, index)
                submit_ready()  # refill before yielding: calls keep running while the consumer works
                yield generation
        finally:
            if pending:
                for future in pending:
                    future.cancel()  # a call that has not started yet never starts
                loop.run(_cancel_and_wait(stream_tasks), timeout_s=30)

    def close(self) -> None:
        """Stop the event loop thread and close the HTTP connections."""
        if self._finalizer is not None:
            self._finalizer()  # runs _close_session once
        self._loop, self._client, self._finalizer = None, None, None

    def _session(self) -> tuple[BackgroundLoop, ChatCompletionsClient]:
        # One loop and client per adapter, reused by every stream (tasks of a run): creating an
        # httpx client loads the CA bundle (~0.1-0.6 s here) and a warm pool skips reconnecting.
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

    def _build(self, prepared: PreparedRequest) -> ChatPayload | Generation:
        """The request body, or the recorded failure when the media cannot be encoded."""
        index = prepared.request.index
        try:
            payload = build_chat_payload(prepared, self._payload_options)
        except MediaError as exc:
            return Generation(index=index, error=f"MediaError: {exc}")
        except Exception as exc:
            return Generation(index=index, error=f"{type(exc).__name__}: {exc}")
        self._warn_ignored(payload.inputs.get("ignored_gen_kwargs", []))
        return payload

    async def _answer(self, client: ChatCompletionsClient, index: int, built: ChatPayload | Generation,
                      stream_tasks: set[asyncio.Task[Generation]]) -> Generation:
        if isinstance(built, Generation):  # the media could not be encoded; nothing to send
            return built
        task = asyncio.current_task()
        assert task is not None
        stream_tasks.add(task)  # so that closing the stream early can cancel and await it
        try:
            return await self._send(client, index, built)
        finally:
            stream_tasks.discard(task)

    @staticmethod
    async def _send(client: ChatCompletionsClient, index: int, payload: ChatPayload) -> Generation:
        result = await client.complete(payload.body)
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


async def _cancel_and_wait(tasks: set[asyncio.Task[Generation]]) -> None:
    for task in list(tasks):
        task.cancel()
    await asyncio.gather(*list(tasks), return_exceptions=True)


def _close_session(loop: BackgroundLoop, client: ChatCompletionsClient) -> None:
    loop.close(client.aclose)
