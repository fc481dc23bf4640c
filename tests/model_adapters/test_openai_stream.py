"""Streaming in the `openai` adapter: the concurrency bound, answers as they complete, lazy
input, bodies encoded ahead (or on the runner's prefetch threads), early close."""

from __future__ import annotations

import json
import sys
import threading
import time
import weakref
from pathlib import Path
from typing import Iterator

import pytest

from emer_bench.api.adapter import PreparedRequest
from emer_bench.api.media import DecodedMedia
from emer_bench.api.records import Generation
from emer_bench.api.media import MediaError
from emer_bench.model_adapters.openai_messages import ChatPayload

sys.path.insert(0, str(Path(__file__).parent))
from openai_adapter_support import make_adapter, make_media, make_request, text_requests  # noqa: E402
from openai_test_server import OpenAITestServer, Reply  # noqa: E402


def test_concurrency_bound_is_respected(server: OpenAITestServer) -> None:
    server.default = Reply.ok(delay_s=0.15)
    generations = list(make_adapter(server, concurrency=3).generate_stream(text_requests(9)))
    assert server.max_in_flight == 3
    assert sorted(g.index for g in generations) == list(range(9))
    for g in generations:  # each answer is attached to its own request
        assert g.text == f"echo: Subtitle: line {g.index}. Describe the emotion."


def test_answers_are_yielded_as_they_complete(server: OpenAITestServer) -> None:
    server.plan(Reply.ok(delay_s=0.6))  # the first request to arrive is the slowest
    generations = list(make_adapter(server, concurrency=4).generate_stream(text_requests(4)))
    slow_prompt = server.requests[0].body["messages"][-1]["content"]
    assert generations[-1].text == f"echo: {slow_prompt}"


class CountingSource:
    """An input iterator that records how far ahead of the consumer it has been pulled."""

    def __init__(self, requests: list[PreparedRequest]) -> None:
        self._requests = iter(requests)
        self.pulled = 0

    def __iter__(self) -> "CountingSource":
        return self

    def __next__(self) -> PreparedRequest:
        prepared = next(self._requests)
        self.pulled += 1
        return prepared


def test_input_is_consumed_lazily(server: OpenAITestServer) -> None:
    server.default = Reply.ok(delay_s=0.02)
    source = CountingSource([make_request(i, media=make_media(2, 16, 16, 0.1)) for i in range(30)])
    yielded = 0
    ahead: list[int] = []
    for _ in make_adapter(server, concurrency=4).generate_stream(source):
        yielded += 1
        ahead.append(source.pulled - yielded)
    assert yielded == 30 and source.pulled == 30
    # Bounded: 4 calls in flight plus at most 4 bodies encoded ahead (+1 held while refilling),
    # minus the one just yielded. Decoded arrays are not kept for those: see the next test.
    assert max(ahead) <= 8


def test_bodies_encoded_ahead_hold_no_decoded_media(server: OpenAITestServer) -> None:
    server.default = Reply.ok(delay_s=0.02)
    alive: list[weakref.ref[DecodedMedia]] = []

    def source() -> Iterator[PreparedRequest]:  # made on demand: the test itself keeps no reference
        for i in range(24):
            media = make_media(2, 16, 16, 0.1)
            alive.append(weakref.ref(media))
            yield make_request(i, media=media)

    held: list[int] = []
    for _ in make_adapter(server, concurrency=4).generate_stream(source()):
        held.append(sum(ref() is not None for ref in alive))
    assert len(held) == 24 and max(held) <= 1  # at most the clip being encoded right now


def loop_threads() -> list[threading.Thread]:
    return [t for t in threading.enumerate() if t.name == "openai-adapter-loop"]


def test_closing_the_stream_early_cancels_its_calls(server: OpenAITestServer) -> None:
    server.default = Reply.ok(delay_s=5.0)
    server.plan(Reply.ok())  # one quick answer, then calls that would take 5 s each
    adapter = make_adapter(server, concurrency=2, timeout=10)  # a stuck connection fails in 10 s, not 120
    source = CountingSource(text_requests(20))
    stream = adapter.generate_stream(source)
    first: Generation = next(stream)
    assert first.ok
    started = time.monotonic()
    stream.close()
    assert time.monotonic() - started < 2.0  # the 5 s calls in flight were cancelled, not awaited
    # A request written just before close() may be read by the server thread a moment later; after
    # that, nothing more arrives (no call is sent, or retried, after close() returned).
    time.sleep(0.4)
    received = len(server.requests)
    time.sleep(0.6)
    # At most 2 in flight + 1 refill were sent; pulled: those plus at most 2 encoded ahead (never sent).
    assert len(server.requests) == received <= 3 and source.pulled <= 5
    # The adapter stays usable, with no call stuck behind a cancelled one; close() stops its loop.
    server.default = Reply.ok()
    after = list(adapter.generate_stream(text_requests(4)))
    assert [(g.ok, g.usage["attempts"]) for g in after] == [(True, 1)] * 4
    adapter.close()
    assert not loop_threads()


def test_a_failing_input_iterator_propagates_after_cleanup(server: OpenAITestServer) -> None:
    def source() -> Iterator[PreparedRequest]:
        yield from text_requests(2)
        raise RuntimeError("decoder pool died")

    adapter = make_adapter(server)
    with pytest.raises(RuntimeError, match="decoder pool died"):
        list(adapter.generate_stream(source()))
    adapter.close()
    assert not loop_threads()


def test_generate_returns_answers_in_batch_order(server: OpenAITestServer) -> None:
    server.plan(Reply.ok(delay_s=0.3))
    batch = text_requests(3)
    assert [g.index for g in make_adapter(server).generate(batch)] == [0, 1, 2]


def test_preprocessed_requests_send_the_body_built_on_the_prefetch_thread(server: OpenAITestServer) -> None:
    adapter = make_adapter(server, concurrency=2)
    plain = [make_request(i) for i in range(3)]
    preprocessed = [adapter.preprocess(make_request(i)) for i in range(3, 6)]
    for prepared in preprocessed:  # only the encoded body is kept, as JSON bytes made once
        assert prepared.media is None and isinstance(prepared.payload, ChatPayload)
        assert json.loads(prepared.payload.content) == prepared.payload.body
    generations = {g.index: g for g in adapter.generate_stream(plain + preprocessed)}
    assert sorted(generations) == list(range(6)) and all(g.ok for g in generations.values())
    bodies = {request.body["messages"][-1]["content"][-1]["text"]: request.body for request in server.requests}
    for prepared in preprocessed:
        assert bodies[prepared.request.prompt] == prepared.payload.body
    # The same request, preprocessed or not, gives the same body and the same recorded inputs.
    assert generations[0].inputs == generations[3].inputs
    assert len(bodies[plain[0].request.prompt]["messages"][-1]["content"]) == 5  # 4 frames + the text


def test_preprocess_raises_the_media_error_for_the_runner_to_record(server: OpenAITestServer) -> None:
    adapter = make_adapter(server)
    with pytest.raises(MediaError, match="clip_000: the task grants video but no frames were decoded"):
        adapter.preprocess(PreparedRequest(make_request(0).request, None))


def test_answers_handed_over_in_batches_are_each_yielded_once(server: OpenAITestServer) -> None:
    # Instant answers: many complete in one loop iteration and cross to the caller together; the
    # stream must neither stop before the last one nor wait after it.
    adapter = make_adapter(server, concurrency=8)
    for _ in range(3):
        generations = list(adapter.generate_stream(text_requests(60)))
        assert sorted(g.index for g in generations) == list(range(60)) and all(g.ok for g in generations)
