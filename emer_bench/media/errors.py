"""The one error the media layer raises: a clip that cannot give what the request needs.

A `MediaError` is a per-sample failure: the runner records it on that sample's record as
`f"{type(e).__name__}: {e}"` (e.g. "MediaError: /data/a.mp4: no audio track (the task gives
audio to a model that takes audio)") and goes on with the next clip.
"""

from __future__ import annotations


class MediaError(Exception):
    """A media file is missing, unreadable, or lacks a stream the request needs."""

    def __init__(self, path: str | None, reason: str) -> None:
        self.path = path if path is not None else "<no path>"
        self.reason = reason
        super().__init__(f"{self.path}: {reason}")

    def __reduce__(self) -> tuple[type["MediaError"], tuple[str, str]]:
        # Keeps the two fields when the error crosses a process boundary (data-parallel runs).
        return (type(self), (self.path, self.reason))
