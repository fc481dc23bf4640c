"""The manifest of a user's ONNX recognizer: what the `onnx` adapter feeds it and reads back.

A YAML (or JSON) file beside the model, e.g.

    model: my_cnn_gru.onnx            # relative to the manifest's folder
    mode: sequence                    # sequence: one call per clip on all frames
                                      # per_frame: one row per frame, outputs pooled (mean)
    video:
      input: frames                   # ONNX input name
      num_frames: 8                   # frames sampled uniformly over the clip (or fps: 2.0)
      size: [64, 64]                  # height, width the frames are resized to
      channels: 3                     # 3 = RGB, 1 = grayscale
      mean: [0.5, 0.5, 0.5]           # (pixel / 255 - mean) / std, per channel
      std: [0.5, 0.5, 0.5]
      layout: NTCHW                   # sequence: NTCHW or NTHWC; per_frame: NCHW or NHWC
    audio:                            # optional: 16 kHz mono, zero-padded / cut to `seconds`
      input: waveform
      seconds: 2.0
    outputs:
      logits: logits                  # output name: class logits (softmax applied) ...
      probabilities: false            # ... or true when the output already is probabilities
      labels: [angry, happy, neutral, sad, surprise]
      valence_arousal: va             # output name whose last axis is (valence, arousal)
      va_range: [-1, 1]               # the scale the model predicts on (rescaled to [-1, 1])
      va_from_labels: false           # true (classes only): valence/arousal = the expected point of the
                                      # class distribution in the built-in VA table, as fer-cnn does

Every field is checked when the adapter starts; a mistake is one ConfigError line naming the
manifest, the key and the value.
"""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any, Literal

import yaml
from pydantic import BaseModel, ConfigDict, Field, model_validator

from emer_bench.errors import ConfigError
from emer_bench.validation import validate


class _Strict(BaseModel):
    model_config = ConfigDict(extra="forbid", frozen=True)


class VideoInput(_Strict):
    input: str
    num_frames: int | None = Field(default=8, ge=1)
    fps: float | None = Field(default=None, gt=0)
    size: tuple[int, int]
    channels: Literal[1, 3] = 3
    mean: list[float] = [0.0]
    std: list[float] = [1.0]
    layout: Literal["NTCHW", "NTHWC", "NCHW", "NHWC"] = "NTCHW"

    @model_validator(mode="after")
    def _check(self) -> "VideoInput":
        if (self.num_frames is None) == (self.fps is None):
            raise ValueError("give exactly one of num_frames and fps")
        if min(self.size) < 1:
            raise ValueError(f"size must be positive [height, width], got {list(self.size)}")
        for name in ("mean", "std"):
            values = getattr(self, name)
            if len(values) not in (1, self.channels):
                raise ValueError(f"{name} needs 1 or {self.channels} values (channels), got {len(values)}")
        if any(s == 0 for s in self.std):
            raise ValueError("std must not contain 0")
        return self


class AudioInput(_Strict):
    input: str
    seconds: float = Field(gt=0)


class Outputs(_Strict):
    logits: str | None = None
    probabilities: bool = False
    labels: list[str] = []
    valence_arousal: str | None = None
    va_range: tuple[float, float] = (-1.0, 1.0)
    va_from_labels: bool = False

    @model_validator(mode="after")
    def _check(self) -> "Outputs":
        if self.logits is None and self.valence_arousal is None:
            raise ValueError("give 'logits' (with 'labels') and/or 'valence_arousal'")
        if self.logits is not None and not self.labels:
            raise ValueError("'logits' needs 'labels' (the class names in output order)")
        if len(set(self.labels)) != len(self.labels):
            raise ValueError(f"labels repeat: {self.labels}")
        if self.va_from_labels and (self.logits is None or self.valence_arousal is not None):
            raise ValueError("va_from_labels needs 'logits' and no 'valence_arousal' output")
        if not self.va_range[0] < self.va_range[1]:
            raise ValueError(f"va_range must be [low, high] with low < high, got {list(self.va_range)}")
        return self


class Manifest(_Strict):
    model: str
    mode: Literal["sequence", "per_frame"] = "sequence"
    video: VideoInput | None = None
    audio: AudioInput | None = None
    outputs: Outputs

    @model_validator(mode="after")
    def _check(self) -> "Manifest":
        if self.video is None and self.audio is None:
            raise ValueError("give 'video' and/or 'audio' inputs")
        if self.video is not None:
            per_frame = self.video.layout in ("NCHW", "NHWC")
            if per_frame != (self.mode == "per_frame"):
                raise ValueError(f"video.layout {self.video.layout} does not fit mode '{self.mode}' "
                                 f"(sequence: NTCHW/NTHWC, per_frame: NCHW/NHWC)")
        if self.mode == "per_frame" and self.audio is not None:
            raise ValueError("mode 'per_frame' takes video only (audio needs mode 'sequence')")
        return self


def load_manifest(path: str | Path) -> tuple[Manifest, Path]:
    """The validated manifest and the absolute path of its model file."""
    path = Path(path).expanduser()
    try:
        text = path.read_text(encoding="utf-8")
    except OSError as exc:
        raise ConfigError(f"onnx manifest '{path}' cannot be read: {exc.strerror or exc}") from None
    try:
        data: Any = json.loads(text) if path.suffix == ".json" else yaml.safe_load(text)
    except (ValueError, yaml.YAMLError) as exc:
        reason = str(exc).splitlines()[0]
        raise ConfigError(f"onnx manifest '{path}' is not valid {'JSON' if path.suffix == '.json' else 'YAML'}: "
                          f"{reason}") from None
    if not isinstance(data, dict):
        raise ConfigError(f"onnx manifest '{path}': expected a mapping at the top, got {type(data).__name__}")
    manifest = validate(Manifest, data, f"onnx manifest '{path}'")
    model_path = (path.parent / manifest.model).resolve()
    if not model_path.is_file():
        raise ConfigError(f"onnx manifest '{path}': key 'model': file '{model_path}' does not exist")
    return manifest, model_path
