"""Media helpers of the transformers adapters: array conversion, sampling rate, batch collation."""

from __future__ import annotations

import numpy as np
import pytest
import torch
from transformers import BatchFeature

from emer_bench.api.media import DecodedMedia
from emer_bench.api.media import MediaError
from emer_bench.model_adapters.hf_media import audio_array, collate_encodings, frames_to_tensor, sampling_fps


def test_frames_become_channels_first_uint8():
    frames = np.arange(2 * 4 * 6 * 3, dtype=np.uint8).reshape(2, 4, 6, 3)
    tensor = frames_to_tensor(frames)
    assert tensor.shape == (2, 3, 4, 6) and tensor.dtype == torch.uint8
    assert tensor[1, 2, 3, 5] == frames[1, 3, 5, 2]


@pytest.mark.parametrize("bad", [np.zeros((0, 4, 4, 3), np.uint8), np.zeros((2, 4, 4), np.uint8),
                                 np.zeros((2, 4, 4, 3), np.float32)])
def test_malformed_frames_are_a_media_error(bad: np.ndarray):
    with pytest.raises(MediaError, match="frames must be uint8"):
        frames_to_tensor(bad)


def test_audio_must_be_mono_and_non_empty():
    with pytest.raises(MediaError, match="non-empty mono"):
        audio_array(DecodedMedia(audio=np.zeros((2, 100), np.float32)))
    with pytest.raises(MediaError):
        audio_array(DecodedMedia(audio=np.zeros(0, np.float32)))
    assert audio_array(DecodedMedia(audio=np.zeros(5, np.float64))).dtype == np.float32


def test_sampling_fps_from_frame_times_or_duration():
    frames = np.zeros((8, 2, 2, 3), np.uint8)
    assert sampling_fps(DecodedMedia(frames=frames, frame_times=[i * 0.25 for i in range(8)])) == pytest.approx(4.0)
    assert sampling_fps(DecodedMedia(frames=frames, frame_times=[0.0], duration_s=4.0)) == 2.0
    assert sampling_fps(DecodedMedia(frames=frames[:1], frame_times=[0.0])) is None


def test_collate_left_pads_token_keys_and_concatenates_the_rest():
    short = BatchFeature({"input_ids": torch.tensor([[7, 8]]), "attention_mask": torch.tensor([[1, 1]]),
                          "pixel_values_videos": torch.ones(4, 3), "video_grid_thw": torch.tensor([[1, 2, 2]])})
    long = BatchFeature({"input_ids": torch.tensor([[1, 2, 3, 4]]), "attention_mask": torch.tensor([[1, 1, 1, 1]]),
                         "pixel_values_videos": torch.zeros(8, 3), "video_grid_thw": torch.tensor([[2, 2, 2]])})
    batch = collate_encodings([short, long], pad_token_id=0)
    assert batch["input_ids"].tolist() == [[0, 0, 7, 8], [1, 2, 3, 4]]
    assert batch["attention_mask"].tolist() == [[0, 0, 1, 1], [1, 1, 1, 1]]
    assert batch["pixel_values_videos"].shape == (12, 3) and batch["pixel_values_videos"][:4].sum() == 12
    assert batch["video_grid_thw"].tolist() == [[1, 2, 2], [2, 2, 2]]
