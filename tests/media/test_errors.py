"""MediaError: path and reason, one line, survives pickling (data-parallel workers)."""

from __future__ import annotations

import pickle

from emer_bench.media.errors import MediaError


def test_message_names_the_file_and_the_reason() -> None:
    err = MediaError("/data/a.mp4", "no audio track (the task gives audio to a model that takes audio)")
    assert err.path == "/data/a.mp4"
    assert f"{type(err).__name__}: {err}" == (
        "MediaError: /data/a.mp4: no audio track (the task gives audio to a model that takes audio)")


def test_missing_path_is_spelled_out() -> None:
    assert str(MediaError(None, "no media file given for this clip")) == (
        "<no path>: no media file given for this clip")


def test_pickle_round_trip_keeps_the_fields() -> None:
    err = pickle.loads(pickle.dumps(MediaError("/x.mkv", "file not found")))
    assert isinstance(err, MediaError) and err.path == "/x.mkv" and err.reason == "file not found"
    assert str(err) == "/x.mkv: file not found"
