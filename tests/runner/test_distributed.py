"""runner/distributed.py: sharding, barriers and folding the ranks' part files."""

from __future__ import annotations

from pathlib import Path

from emer_bench.api.records import Generation, SampleRecord
from emer_bench.api.requests import GenerationRequest, Modality, Reference
from emer_bench.runner.distributed import ProcessGroup, detect_process_group, fold_parts, part_path
from emer_bench.runner.samples_file import SamplesWriter, read_samples


def record(i: int, rank: int) -> SampleRecord:
    request = GenerationRequest(task="t", index=i, clip_id=f"c{i}", prompt="p", modalities=(Modality.SUBTITLE,))
    return SampleRecord.from_request(request, Reference(), Generation(index=i, text="x"), "now", rank=rank)


def test_shards_cover_every_item_once() -> None:
    items = list(range(10))
    shards = [ProcessGroup(rank=r, world_size=3).shard(items) for r in range(3)]
    assert sorted(x for s in shards for x in s) == items
    assert ProcessGroup().shard(items) == items and ProcessGroup().is_main


def test_barrier_is_called_only_with_several_processes() -> None:
    calls: list[int] = []
    ProcessGroup(world_size=1, _barrier=lambda: calls.append(1)).barrier()
    ProcessGroup(rank=1, world_size=2, _barrier=lambda: calls.append(2)).barrier()
    assert calls == [2]


def test_single_process_without_world_size(monkeypatch) -> None:
    monkeypatch.delenv("WORLD_SIZE", raising=False)
    group = detect_process_group()
    assert (group.rank, group.world_size) == (0, 1)


def test_fold_parts_moves_every_rank_record_and_removes_the_parts(tmp_path: Path) -> None:
    samples = tmp_path / "samples_t_abc.jsonl"
    with SamplesWriter(samples) as writer:
        writer.append(record(0, 0))  # answered before an interruption
    for rank, indices in ((0, [1, 3]), (1, [2, 4])):
        with SamplesWriter(part_path(samples, rank)) as writer:
            for i in indices:
                writer.append(record(i, rank))
    assert part_path(samples, 1).name == "samples_t_abc.rank1.jsonl"
    assert fold_parts(samples) == 4
    folded = read_samples(samples)
    assert sorted(r.index for r in folded.values()) == [0, 1, 2, 3, 4]
    assert {r.rank for r in folded.values()} == {0, 1}
    assert not list(tmp_path.glob("*.rank*"))
    assert fold_parts(samples) == 0  # nothing left to fold
