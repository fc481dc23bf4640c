"""The `onnx` adapter on a tiny CNN+GRU (and a per-frame CNN) built in torch and exported with
torch.onnx: outputs on the demo clips equal torch's, and manifest mistakes are one clear line."""

from __future__ import annotations

import json
import warnings
from pathlib import Path

import numpy as np
import pytest

torch = pytest.importorskip("torch")
pytest.importorskip("onnxruntime")
pytest.importorskip("onnx")

from emer_bench.api.adapter import PreparedRequest  # noqa: E402
from emer_bench.api.requests import GenerationRequest, Modality  # noqa: E402
from emer_bench.errors import ConfigError  # noqa: E402
from emer_bench.media.decode import decode_clip  # noqa: E402
from emer_bench.model_adapters.onnx_model import OnnxAdapter, OnnxArgs, frames_to_array  # noqa: E402
from emer_bench.model_adapters.onnx_manifest import load_manifest  # noqa: E402

LABELS = ["angry", "happy", "neutral", "sad", "surprise"]


class TinyCnnGru(torch.nn.Module):
    """Test model: per-frame CNN features -> GRU over time -> class logits and (valence, arousal)."""

    def __init__(self, audio_samples: int = 0) -> None:
        super().__init__()
        torch.manual_seed(0)
        self.cnn = torch.nn.Sequential(torch.nn.Conv2d(3, 6, 3, stride=2), torch.nn.ReLU(),
                                       torch.nn.AdaptiveAvgPool2d(1))
        self.gru = torch.nn.GRU(6, 8, batch_first=True)
        self.audio = torch.nn.Linear(audio_samples, 8) if audio_samples else None
        self.logits = torch.nn.Linear(8, len(LABELS))
        self.va = torch.nn.Linear(8, 2)

    def forward(self, frames, waveform=None):
        n, t = frames.shape[:2]
        feats = self.cnn(frames.flatten(0, 1)).flatten(1).view(n, t, -1)
        _, h = self.gru(feats)
        h = h[-1] + (self.audio(waveform) if self.audio is not None else 0)
        return self.logits(h), torch.tanh(self.va(h))


class TinyFrameCnn(torch.nn.Module):
    """Test model: one grayscale frame -> class logits (pooled over frames by the adapter)."""

    def __init__(self) -> None:
        super().__init__()
        torch.manual_seed(1)
        self.net = torch.nn.Sequential(torch.nn.Conv2d(1, 4, 3), torch.nn.ReLU(), torch.nn.AdaptiveAvgPool2d(1),
                                       torch.nn.Flatten(), torch.nn.Linear(4, len(LABELS)))

    def forward(self, frame):
        return self.net(frame)


def export(model, args, names, outputs, path: Path, dynamic: dict | None = None) -> None:
    with warnings.catch_warnings():  # the TorchScript exporter's deprecation and tracer notes
        warnings.simplefilter("ignore")
        torch.onnx.export(model.eval(), args, str(path), input_names=names, output_names=outputs,
                          dynamic_axes=dynamic, dynamo=False)


def write_manifest(path: Path, data: dict) -> Path:
    path.write_text(json.dumps(data))
    return path


@pytest.fixture(scope="module")
def sequence_model(tmp_path_factory):
    folder = tmp_path_factory.mktemp("onnx_seq")
    model = TinyCnnGru(audio_samples=8000)
    export(model, (torch.zeros(1, 4, 3, 32, 32), torch.zeros(1, 8000)), ["frames", "waveform"], ["logits", "va"],
           folder / "cnn_gru.onnx")
    manifest = write_manifest(folder / "manifest.json", {
        "model": "cnn_gru.onnx", "mode": "sequence",
        "video": {"input": "frames", "num_frames": 4, "size": [32, 32], "channels": 3,
                  "mean": [0.5, 0.5, 0.5], "std": [0.25, 0.25, 0.25], "layout": "NTCHW"},
        "audio": {"input": "waveform", "seconds": 0.5},
        "outputs": {"logits": "logits", "labels": LABELS, "valence_arousal": "va"}})
    return model, manifest


def request(clip: Path, index: int = 0) -> GenerationRequest:
    return GenerationRequest(task="t", index=index, clip_id=clip.stem, prompt="", video_path=str(clip),
                             modalities=(Modality.VIDEO, Modality.AUDIO))


def prepared_for(adapter: OnnxAdapter, clip: Path, index: int = 0) -> PreparedRequest:
    media = decode_clip(str(clip), None, adapter.media_options, True, Modality.AUDIO in adapter.active_modalities)
    return PreparedRequest(request(clip, index), media)


def test_cnn_gru_on_demo_clips_equals_torch(sequence_model, demo_clips):
    model, manifest = sequence_model
    adapter = OnnxAdapter(OnnxArgs(manifest=str(manifest), device="cpu"))
    assert adapter.active_modalities == {Modality.VIDEO, Modality.AUDIO}
    prepared = [adapter.preprocess(prepared_for(adapter, clip, i)) for i, clip in enumerate(demo_clips[:3])]
    feeds = [p.payload for p in prepared]
    assert feeds[0]["frames"].shape == (1, 4, 3, 32, 32) and feeds[0]["waveform"].shape == (1, 8000)
    generations = adapter.generate(prepared)
    for feed, gen in zip(feeds, generations):
        assert gen.ok and gen.text is None and gen.structured is not None
        with torch.no_grad():
            logits, va = model(torch.from_numpy(feed["frames"]), torch.from_numpy(feed["waveform"]))
        expected = torch.softmax(logits, dim=-1)[0].numpy()
        np.testing.assert_allclose(gen.structured.scores, expected, atol=1e-5)
        assert list(gen.structured.labels) == LABELS and abs(sum(gen.structured.scores) - 1) < 1e-6
        np.testing.assert_allclose([gen.structured.valence, gen.structured.arousal], va[0].numpy(), atol=1e-5)
        assert gen.structured.va_source == "model"
    # different clips, different answers: the clips really reach the model
    assert not np.allclose(generations[0].structured.scores, generations[1].structured.scores)


def test_frames_are_resized_and_normalised_per_manifest(sequence_model):
    manifest, _ = load_manifest(sequence_model[1])
    frames = np.zeros((2, 10, 20, 3), dtype=np.uint8)
    frames[:, :, :, 0] = 255  # pure red
    x = frames_to_array(frames, manifest)
    assert x.shape == (2, 3, 32, 32) and x.dtype == np.float32
    np.testing.assert_allclose(x[:, 0], (1.0 - 0.5) / 0.25)  # red channel
    np.testing.assert_allclose(x[:, 1:], (0.0 - 0.5) / 0.25)


def test_per_frame_cnn_is_pooled_by_mean_and_keeps_frames(tmp_path, demo_clips):
    model = TinyFrameCnn()
    export(model, (torch.zeros(3, 1, 24, 24),), ["frame"], ["logits"], tmp_path / "frame.onnx",
           dynamic={"frame": {0: "n"}, "logits": {0: "n"}})
    manifest = write_manifest(tmp_path / "m.json", {
        "model": "frame.onnx", "mode": "per_frame",
        "video": {"input": "frame", "num_frames": 5, "size": [24, 24], "channels": 1, "layout": "NCHW"},
        "outputs": {"logits": "logits", "labels": LABELS}})
    adapter = OnnxAdapter(OnnxArgs(manifest=str(manifest), device="cpu"))
    assert adapter.active_modalities == {Modality.VIDEO}
    prepared = adapter.preprocess(prepared_for(adapter, demo_clips[0]))
    feed = prepared.payload["frame"]
    assert feed.shape == (5, 1, 24, 24)
    gen = adapter.generate([prepared])[0]
    with torch.no_grad():
        per_frame = torch.softmax(model(torch.from_numpy(feed)), dim=-1).numpy()
    np.testing.assert_allclose(gen.structured.scores, per_frame.mean(axis=0), atol=1e-5)
    assert len(gen.structured.frames) == 5
    np.testing.assert_allclose(gen.structured.frames[2]["scores"], per_frame[2], atol=1e-5)
    assert gen.structured.valence is None and gen.structured.va_source is None


@pytest.mark.parametrize("change, expected", [
    ({"outputs": {"logits": "logits"}}, "'logits' needs 'labels'"),
    ({"video": {"input": "frames", "size": [32, 32], "num_frames": 4, "fps": 2.0}}, "exactly one of num_frames and fps"),
    ({"video": {"input": "nope", "num_frames": 4, "size": [32, 32]}}, "key 'video.input': the model has no input 'nope'"),
    ({"outputs": {"logits": "logits", "labels": ["a", "b"]}}, "output 'logits' has 5 values on its last axis"),
    ({"model": "missing.onnx"}, "key 'model': file"),
    ({"colour": "blue"}, "unknown key 'colour'"),
])
def test_broken_manifest_is_one_clear_line(sequence_model, tmp_path, change, expected):
    data = json.loads(sequence_model[1].read_text())
    data.update(change)
    data["model"] = str(sequence_model[1].parent / data["model"])
    manifest = write_manifest(tmp_path / "broken.json", data)
    with pytest.raises(ConfigError) as info:
        OnnxAdapter(OnnxArgs(manifest=str(manifest))).ensure_loaded()  # the model opens at the first request
    message = str(info.value)
    assert expected in message and "\n" not in message and str(manifest) in message


def test_unreadable_model_and_bad_yaml_are_one_line(tmp_path):
    (tmp_path / "junk.onnx").write_bytes(b"not a model")
    manifest = tmp_path / "m.yaml"
    manifest.write_text("model: junk.onnx\nvideo: {input: x, size: [8, 8]}\noutputs: {valence_arousal: va}\n")
    with pytest.raises(ConfigError, match="cannot be loaded by onnxruntime") as info:
        OnnxAdapter(OnnxArgs(manifest=str(manifest))).ensure_loaded()
    assert "\n" not in str(info.value)
    manifest.write_text("model: [unclosed\n")
    with pytest.raises(ConfigError, match="is not valid YAML"):
        load_manifest(manifest)


def test_a_manifest_model_runs_through_the_harness(sequence_model, tmp_path):
    from emer_bench.runner.evaluate import RunConfig, run_evaluation

    config = RunConfig(model="onnx", tasks=["emer-demo"], model_args={"manifest": str(sequence_model[1])},
                       output_dir=tmp_path, limit=4, n_resamples=0)
    results, _ = run_evaluation(config)
    task = results["results"]["emer-demo"]
    assert task["n_failed"] == 0 and task["n_total"] == 4
    assert task["metrics"]["categorical.accuracy"]["n_scored"] == 4
    assert task["metrics"]["dimensional.n_valence"]["value"] == 4
    assert results["model"]["model_info"]["providers"][-1] == "CPUExecutionProvider"


def test_va_from_labels_derives_the_expected_point(tmp_path, demo_clips):
    from emer_bench.resources.category_va import expected_va
    from emer_bench.resources.va_lexicon import load_builtin

    model = TinyFrameCnn()
    export(model, (torch.zeros(2, 1, 24, 24),), ["frame"], ["logits"], tmp_path / "frame.onnx",
           dynamic={"frame": {0: "n"}, "logits": {0: "n"}})
    data = {"model": "frame.onnx", "mode": "per_frame",
            "video": {"input": "frame", "num_frames": 2, "size": [24, 24], "channels": 1, "layout": "NCHW"},
            "outputs": {"logits": "logits", "labels": LABELS, "va_from_labels": True}}
    adapter = OnnxAdapter(OnnxArgs(manifest=str(write_manifest(tmp_path / "m.json", data)), device="cpu"))
    s = adapter.generate([adapter.preprocess(prepared_for(adapter, demo_clips[1]))])[0].structured
    expected = expected_va(load_builtin(), LABELS, s.scores)
    assert s.va_source == "category_map" and (s.valence, s.arousal) == (expected.valence, expected.arousal)
    data["outputs"]["valence_arousal"] = "va"
    with pytest.raises(ConfigError, match="va_from_labels needs 'logits' and no 'valence_arousal'"):
        OnnxAdapter(OnnxArgs(manifest=str(write_manifest(tmp_path / "bad.json", data))))


def test_the_model_opens_at_the_first_request_not_when_built(sequence_model, demo_clips):
    adapter = OnnxAdapter(OnnxArgs(manifest=str(sequence_model[1]), device="cpu"))
    facts = adapter.describe()  # what a fully reused re-run records: no session opened for it
    assert adapter._session is None and facts["loaded"] is False and "providers" not in facts
    assert facts["model_sha256"] and adapter.active_modalities == {Modality.VIDEO, Modality.AUDIO}
    generations = adapter.generate([adapter.preprocess(prepared_for(adapter, demo_clips[0], 0))])
    assert generations[0].ok and adapter.loaded and adapter.describe()["providers"][-1] == "CPUExecutionProvider"
