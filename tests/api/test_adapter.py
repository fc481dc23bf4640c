"""api/adapter.py: the default streaming, and how a failing batch is recorded."""

from __future__ import annotations

from emer_bench.api.adapter import AdapterArgs, ModelAdapter, PreparedRequest
from emer_bench.api.records import Generation
from emer_bench.api.requests import GenerationRequest, Modality


class _Args(AdapterArgs):
    fail_on: int = -1
    short: bool = False


class _EchoAdapter(ModelAdapter[_Args]):
    """TEST STAND-IN: answers with the prompt; can crash or drop answers on request."""

    name = "test-echo"

    def __init__(self, args: _Args) -> None:
        super().__init__(args)
        self.batches: list[int] = []

    def generate(self, batch: list[PreparedRequest]) -> list[Generation]:
        self.batches.append(len(batch))
        if any(p.request.index == self.args.fail_on for p in batch):
            raise RuntimeError("boom")
        out = [Generation(index=p.request.index, text=p.request.prompt) for p in batch]
        return out[:-1] if self.args.short else out


def prepared(n: int) -> list[PreparedRequest]:
    return [PreparedRequest(GenerationRequest(task="t", index=i, clip_id=f"c{i}", prompt=f"p{i}",
                                              modalities=(Modality.SUBTITLE,))) for i in range(n)]


def test_default_stream_batches_by_batch_size() -> None:
    adapter = _EchoAdapter(_Args(batch_size=2))
    out = list(adapter.generate_stream(iter(prepared(5))))
    assert [g.text for g in out] == ["p0", "p1", "p2", "p3", "p4"]
    assert adapter.batches == [2, 2, 1]


def test_a_crashing_batch_is_recorded_per_sample_and_the_stream_goes_on() -> None:
    adapter = _EchoAdapter(_Args(batch_size=2, fail_on=1))
    out = list(adapter.generate_stream(prepared(4)))
    assert [g.error for g in out[:2]] == ["RuntimeError: boom"] * 2
    assert [g.text for g in out[2:]] == ["p2", "p3"]


def test_a_wrong_number_of_answers_fails_the_batch() -> None:
    adapter = _EchoAdapter(_Args(batch_size=3, short=True))
    out = list(adapter.generate_stream(prepared(3)))
    assert all(g.error == "AdapterError: test-echo returned 2 answers for 3 requests" for g in out)
    assert [g.index for g in out] == [0, 1, 2]


def test_instance_facts_default_to_the_class() -> None:
    adapter = _EchoAdapter(_Args(num_frames=4))
    assert adapter.active_modalities == frozenset({Modality.SUBTITLE})
    assert adapter.media_options.num_frames == 4
    assert adapter.describe() == {"adapter": "test-echo", "model_id": "test-echo"}
    request = prepared(1)[0]
    assert adapter.preprocess(request) is request
