"""`onnx`: the user's own recognizer (e.g. a CNN+RNN like Xia & Kollias 2019) exported to ONNX.

`--model-args manifest=path/to/manifest.yaml` (format: onnx_manifest.py). The harness decodes
the clip (frames per the manifest's num_frames / fps; 16 kHz mono audio); `preprocess` resizes,
normalises and lays out the arrays on the prefetch threads; `generate` runs onnxruntime (CPU;
the CUDA provider first when it is available and `device` allows it) and returns a structured
prediction: softmax class scores over the manifest's labels and/or valence/arousal rescaled from
`va_range` to [-1, 1] (or, with `va_from_labels`, derived from the class scores through the
built-in VA table). In `per_frame` mode every frame is one row; the clip's values are the
MEAN over frames, and the per-frame values are kept in the record.
"""

from __future__ import annotations

import hashlib
import time
from functools import cached_property
from typing import Any, ClassVar, Literal

import numpy as np
from PIL import Image

from emer_bench.api.adapter import AdapterArgs, MediaInput, ModelAdapter, PreparedRequest
from emer_bench.api.media import DecodedMedia, MediaOptions
from emer_bench.api.records import Generation
from emer_bench.api.requests import Modality
from emer_bench.api.structured import StructuredPrediction, VASource
from emer_bench.errors import ConfigError
from emer_bench.resources.category_va import expected_va
from emer_bench.resources.va_lexicon import VALexicon, load_builtin

from .onnx_manifest import Manifest, load_manifest


class OnnxArgs(AdapterArgs):
    manifest: str  # path of the manifest (YAML or JSON)
    device: Literal["auto", "cpu", "cuda"] = "auto"  # auto: CUDA provider when onnxruntime has it
    threads: int = 0  # onnxruntime intra-op threads (0: its default)


def softmax(logits: np.ndarray) -> np.ndarray:
    z = logits - logits.max(axis=-1, keepdims=True)
    e = np.exp(z)
    return e / e.sum(axis=-1, keepdims=True)


def frames_to_array(frames: np.ndarray, manifest: Manifest) -> np.ndarray:
    """uint8 RGB (T, H, W, 3) -> float32 laid out per the manifest (T, C, h, w) or (T, h, w, C)."""
    video = manifest.video
    assert video is not None
    height, width = video.size
    out = []
    for frame in frames:
        image = Image.fromarray(frame)
        if video.channels == 1:
            image = image.convert("L")
        arr = np.asarray(image.resize((width, height), Image.Resampling.BILINEAR), dtype=np.float32) / 255.0
        out.append(arr[..., None] if arr.ndim == 2 else arr)
    x = (np.stack(out) - np.asarray(video.mean, np.float32)) / np.asarray(video.std, np.float32)
    return np.ascontiguousarray(x if video.layout.endswith("HWC") else x.transpose(0, 3, 1, 2), dtype=np.float32)


def audio_to_array(audio: np.ndarray | None, seconds: float, rate: int) -> np.ndarray:
    """Mono float32 cut or zero-padded to exactly `seconds` (the model's fixed length)."""
    n = int(round(seconds * rate))
    out = np.zeros(n, dtype=np.float32)
    if audio is not None:
        take = min(n, len(audio))
        out[:take] = audio[:take]
    return out


class OnnxAdapter(ModelAdapter[OnnxArgs]):
    name: ClassVar[str] = "onnx"
    modalities: ClassVar[frozenset[Modality]] = frozenset({Modality.VIDEO, Modality.AUDIO})
    media_input: ClassVar[MediaInput] = MediaInput.DECODED

    def __init__(self, args: OnnxArgs) -> None:
        super().__init__(args)
        self.manifest, self.model_path = load_manifest(args.manifest)
        self._session: Any = None  # onnxruntime opens the model at the first request: `load`

    def load(self) -> None:
        self._session = self._open_session()
        try:
            self._check_io()
        except BaseException:
            self._session = None  # a model that does not fit its manifest is never used
            raise

    @property
    def session(self) -> Any:
        if self._session is None:
            self.ensure_loaded()
        return self._session

    @property
    def active_modalities(self) -> frozenset[Modality]:
        taken = {Modality.VIDEO} if self.manifest.video else set()
        return frozenset(taken | ({Modality.AUDIO} if self.manifest.audio else set()))

    @property
    def media_options(self) -> MediaOptions:
        video = self.manifest.video
        if video is None:
            return MediaOptions(num_frames=1)
        return MediaOptions(num_frames=video.num_frames, fps=video.fps, max_pixels=None)

    @property
    def model_id(self) -> str:
        return f"onnx:{self.model_path.name}"

    def describe(self) -> dict[str, Any]:
        digest = hashlib.sha256(self.model_path.read_bytes()).hexdigest()
        return {**super().describe(), "family": "classic recognizer", "model_path": str(self.model_path), "model_sha256": digest,
                **({"providers": self._session.get_providers()} if self._session is not None else {}),
                "manifest": self.manifest.model_dump(mode="json")}

    def _open_session(self) -> Any:
        try:
            import onnxruntime as ort
        except ImportError as exc:
            raise ConfigError(f"onnx adapter: cannot import onnxruntime ({exc}); "
                              "pip install 'emer-bench[classic]'") from None

        available = ort.get_available_providers()
        if self.args.device == "cuda" and "CUDAExecutionProvider" not in available:
            raise ConfigError(f"onnx adapter: device=cuda but onnxruntime has no CUDA provider (has {available})")
        use_cuda = self.args.device != "cpu" and "CUDAExecutionProvider" in available
        providers = (["CUDAExecutionProvider"] if use_cuda else []) + ["CPUExecutionProvider"]
        options = ort.SessionOptions()
        if self.args.threads:
            options.intra_op_num_threads = self.args.threads
        try:
            return ort.InferenceSession(str(self.model_path), options, providers=providers)
        except Exception as exc:  # onnxruntime raises its own exception types
            first = str(exc).strip().splitlines()[0] if str(exc).strip() else type(exc).__name__
            raise ConfigError(f"onnx manifest '{self.args.manifest}': model '{self.model_path}' cannot be "
                              f"loaded by onnxruntime: {first}") from None

    def _check_io(self) -> None:
        where = f"onnx manifest '{self.args.manifest}'"
        inputs = {i.name: i for i in self.session.get_inputs()}
        outputs = {o.name: o for o in self.session.get_outputs()}
        m = self.manifest
        for key, spec in (("video.input", m.video), ("audio.input", m.audio)):
            if spec is not None and spec.input not in inputs:
                raise ConfigError(f"{where}: key '{key}': the model has no input '{spec.input}' "
                                  f"(inputs: {sorted(inputs)})")
        for key, name, size in (("outputs.logits", m.outputs.logits, len(m.outputs.labels)),
                                ("outputs.valence_arousal", m.outputs.valence_arousal, 2)):
            if name is None:
                continue
            if name not in outputs:
                raise ConfigError(f"{where}: key '{key}': the model has no output '{name}' (outputs: {sorted(outputs)})")
            last = outputs[name].shape[-1] if outputs[name].shape else None
            if isinstance(last, int) and last != size:
                raise ConfigError(f"{where}: key '{key}': output '{name}' has {last} values on its last axis, "
                                  f"the manifest expects {size}")

    def preprocess(self, prepared: PreparedRequest) -> PreparedRequest:
        if prepared.payload is None and prepared.media is not None:
            prepared.payload = self._feeds(prepared.media)
            prepared.media = None  # the arrays are all the model needs
        return prepared

    def _feeds(self, media: DecodedMedia) -> dict[str, np.ndarray]:
        m, feeds = self.manifest, {}
        if m.video is not None:
            if media.frames is None or not len(media.frames):
                raise ValueError("no decoded frames for the video input")
            x = frames_to_array(media.frames, m)
            feeds[m.video.input] = x if m.mode == "per_frame" else x[None]
        if m.audio is not None:
            feeds[m.audio.input] = audio_to_array(media.audio, m.audio.seconds, media.audio_sample_rate)[None]
        return feeds

    def predict(self, feeds: dict[str, np.ndarray]) -> StructuredPrediction:
        """One clip's structured prediction from its model inputs."""
        out_spec = self.manifest.outputs
        names = [n for n in (out_spec.logits, out_spec.valence_arousal) if n is not None]
        values = dict(zip(names, self.session.run(names, feeds)))
        frames: list[dict[str, Any]] = []
        labels: tuple[str, ...] = ()
        scores: tuple[float, ...] = ()
        valence = arousal = None
        if out_spec.logits is not None:
            rows = np.asarray(values[out_spec.logits], dtype=np.float64).reshape(-1, len(out_spec.labels))
            probs = rows if out_spec.probabilities else softmax(rows)
            labels, scores = tuple(out_spec.labels), tuple(float(v) for v in probs.mean(axis=0))
            frames = [{"scores": [float(v) for v in row]} for row in probs] if len(probs) > 1 else []
        if out_spec.valence_arousal is not None:
            va = self._to_signed(np.asarray(values[out_spec.valence_arousal], dtype=np.float64).reshape(-1, 2))
            valence, arousal = float(va[:, 0].mean()), float(va[:, 1].mean())
            if len(va) > 1:
                frames = [{**(frames[i] if frames else {}), "valence": float(v), "arousal": float(a)}
                          for i, (v, a) in enumerate(va)]
        source: VASource | None = "model" if valence is not None else None
        if out_spec.va_from_labels:
            derived = expected_va(self._va_table, labels, scores)
            if derived is not None:
                valence, arousal, source = derived.valence, derived.arousal, "category_map"
        return StructuredPrediction(labels=labels, scores=scores, valence=valence, arousal=arousal,
                                    va_source=source, frames=frames)

    @cached_property
    def _va_table(self) -> VALexicon:
        return load_builtin()

    def _to_signed(self, va: np.ndarray) -> np.ndarray:
        low, high = self.manifest.outputs.va_range
        return np.clip(2.0 * (va - low) / (high - low) - 1.0, -1.0, 1.0)

    def generate(self, batch: list[PreparedRequest]) -> list[Generation]:
        out = []
        for prepared in batch:
            feeds = self.preprocess(prepared).payload
            start = time.perf_counter()
            try:
                structured = self.predict(feeds)
            except Exception as exc:  # one clip's failure is recorded, the run goes on
                out.append(Generation(index=prepared.request.index, error=f"ModelError: {type(exc).__name__}: {exc}"))
                continue
            inputs = {name: list(arr.shape) for name, arr in feeds.items()}
            out.append(Generation(index=prepared.request.index, structured=structured, inputs=inputs,
                                  latency_s=time.perf_counter() - start))
        return out
