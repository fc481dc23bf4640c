"""The background event loop used by async adapters."""

from __future__ import annotations

import asyncio
import concurrent.futures

import pytest

from emer_bench.model_adapters.async_loop import BackgroundLoop


async def _add(a: int, b: int) -> int:
    await asyncio.sleep(0)
    return a + b


def test_runs_coroutines_from_the_calling_thread() -> None:
    loop = BackgroundLoop("test-loop")
    try:
        assert loop.run(_add(2, 3), timeout_s=5) == 5
        futures = [loop.submit(_add(i, i)) for i in range(5)]
        assert [f.result(5) for f in futures] == [0, 2, 4, 6, 8]
    finally:
        loop.close()
    assert not loop.alive and loop.loop.is_closed()


def test_close_cancels_running_tasks_then_runs_cleanup() -> None:
    loop = BackgroundLoop("test-loop")
    stuck = loop.submit(asyncio.sleep(60))
    cleaned: list[bool] = []

    async def cleanup() -> None:
        cleaned.append(stuck.done())

    loop.close(cleanup, timeout_s=5)
    with pytest.raises(concurrent.futures.CancelledError):
        stuck.result(1)
    assert cleaned == [True] and not loop.alive
    loop.close()  # closing twice is harmless


def test_close_from_the_loop_thread_does_not_deadlock() -> None:
    loop = BackgroundLoop("test-loop")

    async def close_from_inside() -> None:
        loop.close()

    loop.submit(close_from_inside())
    loop._thread.join(5)
    assert not loop.alive
