"""qwen2_audio on a tiny random-weight Qwen2-Audio checkpoint, fed the demo clips' own audio tracks."""

from __future__ import annotations

import sys
from pathlib import Path

import numpy as np
import pytest
from pydantic import ValidationError

from emer_bench.api.adapter import PreparedRequest
from emer_bench.api.requests import Modality
from emer_bench.errors import ConfigError
from emer_bench.model_adapters.qwen2_audio import Qwen2AudioAdapter, Qwen2AudioArgs
from emer_bench.registries import ADAPTERS

sys.path.insert(0, str(Path(__file__).parent))
from hf_test_utils import ALL, GenerateSpy, demo_request, prepared_demo, synthetic_media  # noqa: E402
from tiny_models import build_tiny_qwen2_audio, build_tiny_text_lm  # noqa: E402

pytestmark = pytest.mark.slow
SUBTITLES = ["I got the job! They called me this morning.", "I miss her so much. The house is so empty."]


@pytest.fixture(scope="session")
def audio_checkpoint(tmp_path_factory: pytest.TempPathFactory) -> Path:
    return build_tiny_qwen2_audio(tmp_path_factory.mktemp("qwen2_audio") / "Qwen2-Audio-tiny")


@pytest.fixture(scope="module")
def qwen_audio(audio_checkpoint: Path) -> Qwen2AudioAdapter:
    adapter = ADAPTERS.get("qwen2_audio")(Qwen2AudioArgs(pretrained=str(audio_checkpoint), max_new_tokens=4,
                                                         batch_size=2))
    yield adapter
    adapter.close()


def test_registered_under_its_catalog_name():
    assert ADAPTERS.get("qwen2_audio") is Qwen2AudioAdapter
    assert Qwen2AudioAdapter.modalities == {Modality.AUDIO, Modality.SUBTITLE}


def test_demo_audio_reaches_the_model(qwen_audio: Qwen2AudioAdapter, demo_clips: list[Path]):
    batch = prepared_demo(qwen_audio, demo_clips[:2], SUBTITLES)  # a video+audio+subtitle task
    for prepared in batch:  # the harness decoded only what this model takes
        assert prepared.media is not None and prepared.media.frames is None and prepared.media.audio is not None
    spy = GenerateSpy(qwen_audio)
    try:
        out = qwen_audio.generate(batch)
    finally:
        spy.restore()
    assert all(g.ok and g.text for g in out), [g.error for g in out]
    assert len(spy.calls) == 1
    call = spy.calls[0]
    assert call["input_features"].shape == (2, 128, 3000) and "pixel_values_videos" not in call
    assert call["attention_mask"][:, -1].tolist() == [1, 1]  # left padding: every row ends on real tokens
    for row, prepared in enumerate(batch):
        assert int(call["feature_attention_mask"][row].sum()) == pytest.approx(len(prepared.media.audio) / 160, abs=1)
    for row, text in enumerate(spy.decoded_inputs()):
        assert SUBTITLES[row] in text
        assert text.index("<|audio_bos|><|AUDIO|>") < text.index(SUBTITLES[row])  # audio first, then the prompt
        frames = int(call["feature_attention_mask"][row].sum())
        assert text.count("<|AUDIO|>") == (((frames - 1) // 2 + 1) - 2) // 2 + 1
    assert out[0].inputs["modalities_not_taken"] == ["video"]
    assert out[0].inputs["audio_s"] == pytest.approx(len(batch[0].media.audio) / 16_000, abs=1e-3)


def test_long_audio_is_cut_at_30_s_and_recorded(qwen_audio: Qwen2AudioAdapter):
    media = synthetic_media(audio_s=31.0)
    request = demo_request(Path("/long.mp4"), 0, "long", (Modality.AUDIO, Modality.SUBTITLE))
    out = qwen_audio.generate([PreparedRequest(request, media)])
    assert out[0].ok and out[0].inputs["audio_truncated_to_s"] == 30.0 and out[0].inputs["audio_s"] == 31.0


def test_missing_audio_fails_only_that_sample(qwen_audio: Qwen2AudioAdapter):
    silent = synthetic_media()
    silent.audio = None
    bad = PreparedRequest(demo_request(Path("/a.mp4"), 0, "x", ALL), silent)
    wrong_rate = synthetic_media()
    wrong_rate.audio_sample_rate = 44_100
    resampled_badly = PreparedRequest(demo_request(Path("/b.mp4"), 1, "y", ALL), wrong_rate)
    good = PreparedRequest(demo_request(Path("/c.mp4"), 2, "z", ALL), synthetic_media(audio_s=np.pi))
    out = qwen_audio.generate([bad, resampled_badly, good])
    assert out[0].error.startswith("MediaError: the task grants audio")
    assert out[1].error == "MediaError: audio must be 16000 Hz mono, got 44100 Hz"
    assert out[2].ok


def test_a_checkpoint_of_another_family_is_refused(tmp_path: Path):
    text_lm = build_tiny_text_lm(tmp_path / "text-lm")
    with pytest.raises(ConfigError, match="is a 'qwen2' checkpoint; the qwen2_audio adapter takes model_type 'qwen2_audio'"):
        Qwen2AudioAdapter(Qwen2AudioArgs(pretrained=str(text_lm)))


def test_bad_args_and_missing_checkpoint(tmp_path: Path):
    with pytest.raises(ValidationError):
        Qwen2AudioArgs(pretrained="")
    with pytest.raises(ValidationError):
        Qwen2AudioArgs(pretrained="x", use_audio_in_video=True)  # not an argument of this family
    with pytest.raises(ConfigError, match="no such checkpoint directory"):
        Qwen2AudioAdapter(Qwen2AudioArgs(pretrained=str(tmp_path / "nope")))
