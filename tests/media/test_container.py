"""Opening files and finding streams: every failure is a MediaError naming the file."""

from __future__ import annotations

from pathlib import Path

import pytest

from emer_bench.media.container import (NO_AUDIO, NO_VIDEO, audio_stream, frame_rate, open_input,
                                        stream_duration_s, video_stream)
from emer_bench.api.media import MediaError


def test_streams_of_a_demo_clip(demo_clip: Path) -> None:
    with open_input(str(demo_clip)) as container:
        video = video_stream(container, str(demo_clip))
        assert frame_rate(video) == 12
        assert stream_duration_s(container, video) == pytest.approx(3.0)
        assert audio_stream(container, str(demo_clip)).codec_context.name == "aac"


def test_mkv_duration_comes_from_the_container(media_dir: dict[str, Path]) -> None:
    path = str(media_dir["mkv"])
    with open_input(path) as container:
        assert stream_duration_s(container, video_stream(container, path)) == pytest.approx(3.0, abs=0.1)


@pytest.mark.parametrize("path", [None, ""])
def test_no_path_at_all(path: str | None) -> None:
    with pytest.raises(MediaError, match="no media file given"):
        open_input(path)


def test_missing_streams_have_fixed_reasons(media_dir: dict[str, Path]) -> None:
    with open_input(str(media_dir["audio_only"])) as container:
        with pytest.raises(MediaError) as info:
            video_stream(container, str(media_dir["audio_only"]))
        assert info.value.reason == NO_VIDEO
    with open_input(str(media_dir["video_only"])) as container:
        with pytest.raises(MediaError) as info:
            audio_stream(container, str(media_dir["video_only"]))
        assert info.value.reason == NO_AUDIO


def test_a_cover_picture_is_not_a_video_stream(media_dir: dict[str, Path]) -> None:
    path = str(media_dir["cover_art"])
    with open_input(path) as container:
        assert len(container.streams.video) == 1  # the picture is there...
        with pytest.raises(MediaError) as info:
            video_stream(container, path)  # ...but it is not a video
        assert info.value.reason == NO_VIDEO


def test_pyav_without_the_metadata_errors_keyword(demo_clip: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    """PyAV 19 (Python >= 3.12) dropped `av.open(metadata_errors=...)`: the clip still opens, and the
    keyword is not tried again for the next file."""
    import av

    from emer_bench.media import container

    real_open, calls = av.open, []

    def pyav19_open(path: str, mode: str = "r", **kwargs: object) -> object:
        calls.append(sorted(kwargs))
        if "metadata_errors" in kwargs:
            raise TypeError("open() got an unexpected keyword argument 'metadata_errors'")
        return real_open(path, mode=mode)

    monkeypatch.setattr(av, "open", pyav19_open)
    monkeypatch.setattr(container, "_METADATA_ERRORS_KWARG", [True])
    for _ in range(2):
        with open_input(str(demo_clip)) as opened:
            assert opened.streams.video
    assert calls == [["metadata_errors"], [], []]


def test_another_type_error_is_not_swallowed(demo_clip: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    import av

    from emer_bench.media import container

    def broken(*args: object, **kwargs: object) -> object:
        raise TypeError("something else")

    monkeypatch.setattr(av, "open", broken)
    monkeypatch.setattr(container, "_METADATA_ERRORS_KWARG", [True])
    with pytest.raises(TypeError, match="something else"):
        open_input(str(demo_clip))
