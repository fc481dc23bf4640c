"""An asyncio event loop on a background thread, driven from synchronous code.

The harness consumes adapters through a plain iterator, so an async client needs a loop that
lives beside the caller's thread: the caller submits coroutines and collects their futures, and
`close()` cancels whatever is still running so an abandoned stream leaves no calls behind.
"""

from __future__ import annotations

import asyncio
import concurrent.futures
import threading
from typing import Any, Awaitable, Callable, Coroutine, TypeVar

R = TypeVar("R")


class BackgroundLoop:
    """One event loop on one daemon thread; safe to submit to from any other thread."""

    def __init__(self, thread_name: str = "emer-bench-async") -> None:
        self.loop = asyncio.new_event_loop()
        self._close_when_stopped = False
        self._thread = threading.Thread(target=self._run, name=thread_name, daemon=True)
        self._thread.start()

    def _run(self) -> None:
        asyncio.set_event_loop(self.loop)
        self.loop.run_forever()
        if self._close_when_stopped:
            self.loop.close()

    def submit(self, coro: Coroutine[Any, Any, R]) -> concurrent.futures.Future[R]:
        """Schedule `coro` on the loop; cancelling the returned future cancels the task."""
        return asyncio.run_coroutine_threadsafe(coro, self.loop)

    def run(self, coro: Coroutine[Any, Any, R], timeout_s: float | None = None) -> R:
        """Run `coro` on the loop and wait for its result."""
        return self.submit(coro).result(timeout_s)

    def close(self, cleanup: Callable[[], Awaitable[None]] | None = None, timeout_s: float = 30.0) -> None:
        """Cancel every task still running, await `cleanup` (e.g. closing a client), stop the thread."""
        if self.loop.is_closed():
            return
        if threading.current_thread() is self._thread:  # e.g. a finalizer run by GC on this thread:
            self._close_when_stopped = True  # waiting here for the loop would deadlock; stop it and
            self.loop.call_soon(self.loop.stop)  # let the thread close it (tasks are abandoned)
            return
        try:
            self.run(self._shutdown(cleanup), timeout_s)
        finally:
            self.loop.call_soon_threadsafe(self.loop.stop)
            self._thread.join(timeout_s)
            if not self._thread.is_alive():
                self.loop.close()

    async def _shutdown(self, cleanup: Callable[[], Awaitable[None]] | None) -> None:
        current = asyncio.current_task()
        tasks = [task for task in asyncio.all_tasks() if task is not current]
        for task in tasks:
            task.cancel()
        await asyncio.gather(*tasks, return_exceptions=True)
        if cleanup is not None:
            await cleanup()
        await self.loop.shutdown_default_executor()

    @property
    def alive(self) -> bool:
        return self._thread.is_alive()
