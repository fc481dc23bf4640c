"""MediaError: path and reason, one line, survives pickling (data-parallel workers)."""

from __future__ import annotations

import pickle

from emer_bench.api.media import MediaError


def test_message_names_the_file_and_the_reason() -> None:
    err = MediaError("/data/a.mp4", "no audio track (the task gives audio to a model that takes audio)")
    assert err.path == "/data/a.mp4"
    assert f"{type(err).__name__}: {err}" == (
        "MediaError: /data/a.mp4: no audio track (the task gives audio to a model that takes audio)")


def test_without_a_path_the_message_is_the_reason() -> None:
    # Adapters that cannot name a file (an empty decoded channel) raise it with path=None.
    assert str(MediaError(None, "audio must be 16000 Hz mono, got 44100 Hz")) == (
        "audio must be 16000 Hz mono, got 44100 Hz")


def test_open_input_without_a_path_spells_it_out() -> None:
    from emer_bench.media.container import open_input
    try:
        open_input(None)
    except MediaError as err:
        assert str(err) == "<no path>: no media file given for this clip"
    else:
        raise AssertionError("open_input(None) did not raise")


def test_pickle_round_trip_keeps_the_fields() -> None:
    err = pickle.loads(pickle.dumps(MediaError("/x.mkv", "file not found")))
    assert isinstance(err, MediaError) and err.path == "/x.mkv" and err.reason == "file not found"
    assert str(err) == "/x.mkv: file not found"
