"""Shared base for the transformers adapters (qwen2_5_omni, qwen2_audio, hf_text, qwen_vl, llava_video, hf_auto and its families).

Media: every subclass uses ``MediaInput.DECODED``: the harness decodes frames (uint8 [T,H,W,3]) and
16 kHz mono audio ahead of the model with PyAV in its prefetch pool, so GPU time is not spent in
file decoding and every family sees exactly the same sampled frames. Processors get arrays, never paths.

How a family adapter builds on `HFAdapter`
------------------------------------------
Set ``name``, ``modalities``, ``Args`` (a subclass of `HFArgs`), ``accepted_model_types``
(``config.model_type`` values the checkpoint must have; empty: any), ``default_system_prompt``,
and implement ``load_model(path, load_kwargs)``. Optional hooks, each with a working default:

- ``load_processor(path)``: ``AutoProcessor`` (a text-only adapter returns its tokenizer);
- ``media_parts(prepared) -> MediaParts``: chat-content items + arrays for one request; default one
  ``{"type": "video"}`` (frames as torch uint8 [T,3,H,W]) then one ``{"type": "audio"}`` (float32
  16 kHz), as the task's modalities grant; helpers ``require_media``, ``require_frames``, ``audio_input``;
- ``messages_for`` / ``render``: messages (system, then user content + the task prompt) through
  ``processor.apply_chat_template`` (the model's own template);
- ``processor_kwargs(item)``: extra kwargs of the processor call for one request (e.g. videos_kwargs);
- ``group_key(item)``: requests with equal keys share one ``generate`` call (default: gen kwargs);
- ``generate_extra_kwargs(items)``: extra kwargs of ``model.generate`` for a group;
- ``encode(items)``: default runs each request through the processor (`encode_one`) and collates
  the outputs into one left-padded batch (`hf_media.collate_encodings`); hf_text tokenizes the
  batch at once (``encodes_per_request = False``).

Ahead of the model (`preprocess`: on the runner's prefetch threads, or beside an accelerator in the
prepare-pool children of hf_prepare.py, which keep that Python work off the GIL of the thread that
launches the kernels): step 1 below and, for adapters that encode per request, the processor call
itself, so the accelerator does not wait for frame resizing and tokenizing between batches. Processor
calls are serialized by a lock (fast tokenizers are not safe to call from two threads at once).
`generate` takes preprocessed and plain requests.

What one batch goes through (`generate`)
----------------------------------------
1. per request: modality check, media check, chat template → a `ModelInput`; a failure here fails
   only that request (``Generation(error="MediaError: ...")``);
2. requests are grouped (`group_key`), sorted by prompt length if ``sort_by_length``, and cut
   into chunks of ``batch_size``; generation kwargs resolve as: model args given on the command line beat the
   task's ``gen_kwargs``, which beat the adapter defaults; greedy decoding unless sampling is
   asked for (see hf_generation.py);
3. each group is encoded, moved to the model's device (media features in the model's dtype) and
   generated in one ``model.generate`` call; only the new tokens are decoded;
4. if a group's call raises (a bad sample, out of memory), its requests are retried one by one so
   the error lands on the sample that caused it: ``Generation(error="Kind: message")``.
Each Generation records what reached the model in ``inputs`` (the templated prompt, frame count
and size, video grid, audio seconds and feature frames, gen kwargs) and tokens in ``usage``.

Loading (hf_loading.py, `HFArgs` re-exported here): ``pretrained`` is a local checkpoint
directory or a hub id (resolved by transformers, which honours ``HF_HUB_OFFLINE``); ``dtype``
auto/float32/bfloat16/float16; ``device`` (one device) or ``device_map`` (accelerate placement,
e.g. ``auto``); ``attn_implementation``; ``trust_remote_code`` is False unless asked for. A missing
path, a checkpoint of the wrong family or any load failure raises `ConfigError` naming the argument.
Construction checks only the path and (for a local directory) the family in config.json; config,
processor and weights load at the first request (`load`), so a re-run whose answers are all reused
loads nothing (and imports neither transformers nor torch). A family adapter's own checks of the
loaded processor or model go in its `load` override, after ``super().load()``.
"""

from __future__ import annotations

import gc
import logging
import threading
import time
from typing import Any, Callable, ClassVar, Literal, TypeVar

import numpy as np

from emer_bench.api.adapter import AdapterArgs, MediaInput, ModelAdapter, PreparedRequest
from emer_bench.api.media import DecodedMedia, MediaError
from emer_bench.api.records import Generation
from emer_bench.api.requests import Modality
from emer_bench.errors import ConfigError
from .hf_generation import answers, completion_lengths, eos_ids, resolve_generation_kwargs
from .hf_loading import (
    HFArgs,
    first_line,
    LoadedPart,
    guarded_load,
    hub_kwargs,
    left_padding_tokenizer,
    installed_version,
    loaded_model_facts,
    model_load_kwargs,
    model_type_on_disk,
    resolve_checkpoint,
)
from .hf_inputs import ModelInput, encoded_audit
from .hf_prepare import start_prepare_pool
from .hf_media import (
    MediaParts,
    audio_array,
    collate_encodings,
    frames_to_tensor,
    require_decoded,
)

__all__ = ["HFAdapter", "HFArgs", "ModelInput", "MediaParts", "MediaError", "encoded_audit"]

log = logging.getLogger(__name__)

AUDIO_RATE = 16_000
MEDIA_TENSOR_KEYS = ("pixel_values", "pixel_values_videos", "input_features")


HA = TypeVar("HA", bound=HFArgs)


class HFAdapter(ModelAdapter[HA]):
    """Base of the transformers adapters; see the module docstring for the hooks."""

    media_input: ClassVar[MediaInput] = MediaInput.DECODED
    Args: ClassVar[type[AdapterArgs]] = HFArgs
    accepted_model_types: ClassVar[tuple[str, ...]] = ()
    default_system_prompt: ClassVar[str | None] = None
    # Text-only adapters batch prompts of similar length; media adapters keep request order.
    sort_by_length: ClassVar[bool] = False
    # Each request goes through the processor on its own (then collated), so it can be done ahead.
    encodes_per_request: ClassVar[bool] = True

    def __init__(self, args: HA) -> None:
        super().__init__(args)
        self.hf_args: HA = args
        self._processor_lock = threading.Lock()
        # Cheap checks only (no transformers or torch import): the rest loads at first use (`load`).
        self.checkpoint = self._resolve_checkpoint()
        self._check_model_type_on_disk()
        self._config: Any = None
        self._processor: Any = None
        self._tokenizer: Any = None
        self._model: Any = None
        self.preprocess_only = False  # set by hf_prepare.for_preprocessing: a child loads no weights

    def load(self) -> None:
        """Config, processor (tokenizer) and weights, at the first request (see ModelAdapter.load)."""
        import transformers

        transformers.set_seed(self.hf_args.seed)
        if not self.preprocess_only:
            self.prepare_pool = start_prepare_pool(self)  # children start while this process loads
        try:
            self._config = self._load_config()
            self._processor = self._wrap_load("processor", lambda: self.load_processor(self.checkpoint))
            self._tokenizer = left_padding_tokenizer(self._processor)
            if self.preprocess_only:  # in a prepare-pool child (hf_prepare.py): no weights
                return
            self._model = self._wrap_load("model", lambda: self.load_model(self.checkpoint, self._load_kwargs()))
        except BaseException:
            self.close()  # the children too
            raise
        self._model.eval()
        log.info("%s loaded %s (%s, %s)", self.name, self.checkpoint, self._model.dtype, self._model.device)

    # What `load` sets, loaded on first access (a test or tool may call `generate` at once).
    config: Any = LoadedPart()
    processor: Any = LoadedPart()
    tokenizer: Any = LoadedPart()
    model: Any = LoadedPart()

    @classmethod
    def preprocess_class(cls) -> type[HFAdapter[Any]] | None:
        """The class a prepare-pool child builds (importable by module and name); None: prepare on
        threads (an adapter whose preprocessing needs the loaded model)."""
        return cls

    # ---- loading -------------------------------------------------------------------------
    def _resolve_checkpoint(self) -> str:
        return resolve_checkpoint(self.hf_args.pretrained)

    def _hub_kwargs(self) -> dict[str, Any]:
        return hub_kwargs(self.hf_args)

    def _load_config(self) -> Any:
        from transformers import AutoConfig

        config = self._wrap_load("config", lambda: AutoConfig.from_pretrained(self.checkpoint, **self._hub_kwargs()))
        self._check_model_type(getattr(config, "model_type", None))
        return config

    def _check_model_type_on_disk(self) -> None:
        """A local checkpoint of the wrong family fails at construction, from its config.json alone."""
        if self.accepted_model_types and (model_type := model_type_on_disk(self.checkpoint)) is not None:
            self._check_model_type(model_type)

    def _check_model_type(self, model_type: str | None) -> None:
        if self.accepted_model_types and model_type not in self.accepted_model_types:
            raise ConfigError(
                f"model arg pretrained={self.hf_args.pretrained!r} is a {model_type!r} checkpoint; the "
                f"{self.name} adapter takes model_type {', '.join(repr(t) for t in self.accepted_model_types)}")

    def _load_kwargs(self) -> dict[str, Any]:
        return model_load_kwargs(self.hf_args)

    def _wrap_load(self, what: str, load: Callable[[], Any]) -> Any:
        return guarded_load(self.hf_args.pretrained, what, load)

    def load_processor(self, path: str) -> Any:
        from transformers import AutoProcessor

        return AutoProcessor.from_pretrained(path, **self._hub_kwargs())

    def load_model(self, path: str, load_kwargs: dict[str, Any]) -> Any:
        raise NotImplementedError

    # ---- identity --------------------------------------------------------------------------
    @property
    def model_id(self) -> str:
        return self.checkpoint

    def describe(self) -> dict[str, Any]:
        """The checkpoint and the args; what only the loaded model knows (class, dtype, device,
        attention backend) once it is loaded. Unloaded (`loaded`: false), the requested dtype and
        device are in `args`, and the libraries' versions are the installed ones."""
        info: dict[str, Any] = {"adapter": self.name, "model_id": self.model_id, "pretrained": self.hf_args.pretrained,
                                "revision": self.hf_args.revision}
        if self.loaded and self._model is not None:
            info.update(loaded_model_facts(self._config, self._model))
        info.update({"generation_defaults": self.hf_args.default_generation_kwargs(),
                     "transformers": installed_version("transformers"), "torch": installed_version("torch"),
                     "args": self.hf_args.model_dump(mode="json"), "loaded": self.loaded})
        return info

    # ---- one request -> ModelInput --------------------------------------------------------
    def system_prompt_for(self, prepared: PreparedRequest) -> str | None:
        if "system_prompt" in self.hf_args.model_fields_set:
            return self.hf_args.system_prompt
        return prepared.request.system_prompt or self.default_system_prompt

    def media_parts(self, prepared: PreparedRequest) -> MediaParts:
        parts = MediaParts()
        wants = self.wanted_modalities(prepared)
        if Modality.VIDEO in wants:
            frames = self.require_frames(prepared)
            parts.content.append({"type": "video"})
            parts.videos.append(frames_to_tensor(frames))
            parts.audit.update(num_frames=int(frames.shape[0]), frame_size=list(frames.shape[1:3]))
        if Modality.AUDIO in wants:
            parts.content.append({"type": "audio"})
            parts.audios.append(self.audio_input(prepared, parts.audit))
        return parts

    def require_frames(self, prepared: PreparedRequest) -> np.ndarray:
        """The decoded frames (uint8 [T, H, W, 3]); MediaError when the task granted video but none arrived."""
        frames = self.require_media(prepared, "frames").frames
        assert frames is not None  # require_media raised otherwise
        return frames

    def require_media(self, prepared: PreparedRequest, what: Literal["frames", "audio"]) -> DecodedMedia:
        return require_decoded(prepared.media, what, prepared.request.clip_id, AUDIO_RATE)

    def audio_input(self, prepared: PreparedRequest, audit: dict[str, Any]) -> np.ndarray:
        """The clip's waveform; notes in `audit` when the feature extractor will cut it."""
        audio = audio_array(self.require_media(prepared, "audio"))
        audit["audio_s"] = round(audio.size / AUDIO_RATE, 3)
        limit = getattr(getattr(self.processor, "feature_extractor", None), "n_samples", None)
        if limit and audio.size > limit:  # Whisper-style extractors keep the first 30 s
            audit["audio_truncated_to_s"] = round(limit / AUDIO_RATE, 3)
            log.warning("%s: clip %s audio is %.1f s; the feature extractor keeps the first %.1f s",
                        self.name, prepared.request.clip_id, audio.size / AUDIO_RATE, limit / AUDIO_RATE)
        return audio

    def messages_for(self, prepared: PreparedRequest, parts: MediaParts) -> list[dict[str, Any]]:
        messages: list[dict[str, Any]] = []
        system = self.system_prompt_for(prepared)
        if system:
            messages.append({"role": "system", "content": system})
        prompt = prepared.request.prompt
        content: Any = [*parts.content, {"type": "text", "text": prompt}] if parts.content else prompt
        messages.append({"role": "user", "content": content})
        return messages

    def render(self, messages: list[dict[str, Any]]) -> str:
        """The prompt after the model's own chat template."""
        return self.processor.apply_chat_template(messages, tokenize=False, add_generation_prompt=True)

    def wanted_modalities(self, prepared: PreparedRequest) -> set[Modality]:
        """What the task grants and this model takes (the harness decodes only these)."""
        return set(prepared.request.modalities) & set(self.modalities)

    def prepare(self, prepared: PreparedRequest) -> ModelInput:
        request = prepared.request
        parts = self.media_parts(prepared)
        ignored = sorted(m.value for m in request.modalities if m not in self.active_modalities)
        if ignored:  # e.g. an audio-only model on a video task: recorded on every sample
            parts.audit["modalities_not_taken"] = ignored
        text = self.render(self.messages_for(prepared, parts))
        gen_kwargs = resolve_generation_kwargs(self.hf_args.default_generation_kwargs(), request.gen_kwargs,
                                               self.hf_args.explicit_generation_kwargs())
        return ModelInput(prepared, text, parts, gen_kwargs)

    # ---- batch -> generations --------------------------------------------------------------
    def group_key(self, item: ModelInput) -> tuple[Any, ...]:
        """Requests with equal keys share one `model.generate` call."""
        return tuple(sorted(item.gen_kwargs.items()))

    def processor_kwargs(self, item: ModelInput) -> dict[str, Any]:
        """Extra keyword arguments of the processor call for one request."""
        return {}

    def generate_extra_kwargs(self, items: list[ModelInput]) -> dict[str, Any]:
        """Extra keyword arguments of `model.generate` for a group (equal `group_key`)."""
        return {}

    def encode_one(self, item: ModelInput) -> Any:
        """One request through the processor (per-clip settings stay per clip); facts only the
        processor knows go to the audit."""
        kwargs: dict[str, Any] = {"text": [item.text], "return_tensors": "pt"}
        if item.media.videos:
            kwargs["videos"] = item.media.videos
        if item.media.audios:
            kwargs["audio"] = item.media.audios
        kwargs.update(self.processor_kwargs(item))
        with self._processor_lock:
            encoded = self.processor(**kwargs)
        item.media.audit.update(encoded_audit(encoded))
        return encoded

    def encode(self, items: list[ModelInput]) -> Any:
        """Each request's processor output (made ahead by `preprocess`, else now), collated into
        one left-padded batch."""
        encodings = [item.encoded if item.encoded is not None else self.encode_one(item) for item in items]
        return collate_encodings(encodings, self.tokenizer.pad_token_id)

    def preprocess(self, prepared: PreparedRequest) -> PreparedRequest:
        """On a prefetch thread: chat template, media checks and (per-request encoders) the
        processor call. A failure here is that sample's recorded failure, as in `generate`."""
        item = self.prepare(prepared)
        if self.encodes_per_request:
            item.encoded = self.encode_one(item)
        return PreparedRequest(prepared.request, prepared.media, payload=item)

    def generate(self, batch: list[PreparedRequest]) -> list[Generation]:
        # Keyed by position, with no link from a ModelInput back to its carrier: without that cycle
        # a batch's tensors (from a prepare-pool child: an open shared-memory file each) are freed
        # when `generate` returns, not at some later full garbage collection.
        results: dict[int, Generation] = {}
        ready: list[tuple[int, ModelInput]] = []
        for position, prepared in enumerate(batch):
            if isinstance(prepared.payload, ModelInput):  # preprocessed ahead (prefetch thread or child)
                ready.append((position, prepared.payload))
                continue
            try:
                ready.append((position, self.prepare(prepared)))
            except Exception as exc:  # recorded on this sample only
                results[position] = Generation(index=prepared.request.index, error=f"{type(exc).__name__}: {exc}")
        groups: dict[tuple[Any, ...], list[tuple[int, ModelInput]]] = {}
        for position, item in ready:
            groups.setdefault(self.group_key(item), []).append((position, item))
        size = max(1, self.hf_args.batch_size)
        for members in groups.values():
            if self.sort_by_length:  # similar lengths together: less padding
                members.sort(key=lambda member: len(member[1].text))
            for start in range(0, len(members), size):
                chunk = members[start:start + size]
                for (position, _), generation in zip(chunk, self._generate_isolating_errors([i for _, i in chunk])):
                    results[position] = generation
        return [results[position] for position in range(len(batch))]

    def _generate_isolating_errors(self, items: list[ModelInput]) -> list[Generation]:
        try:
            return self._generate_group(items)
        except Exception as exc:
            if len(items) == 1:
                return [Generation(index=items[0].index, error=f"{type(exc).__name__}: {first_line(exc)}")]
            log.warning("%s: batch of %d failed (%s); retrying one by one", self.name, len(items), first_line(exc))
            self._free_cache()
            return [g for item in items for g in self._generate_isolating_errors([item])]

    def _generate_group(self, items: list[ModelInput]) -> list[Generation]:
        import torch

        gen_kwargs = dict(items[0].gen_kwargs)
        if gen_kwargs.get("do_sample"):  # reproducible sampling, independent of what ran before
            torch.manual_seed(self.hf_args.seed + min(i.index for i in items))
        start = time.perf_counter()
        encoded = self.encode(items).to(self.model.device)
        for key in list(encoded.keys()):  # media features in the model's dtype; masks/grids stay as they are
            value = encoded[key]
            if self.is_media_tensor(key) and hasattr(value, "is_floating_point") and value.is_floating_point():
                encoded[key] = value.to(self.model.dtype)
        prompt_len = encoded["input_ids"].shape[1]
        # inference_mode, not only the no_grad that `generate` sets itself: no version counters or
        # view tracking per op. Decoding a 7B model one token at a time is bound by the host's
        # per-op cost on a GPU (benchmarks/results/gpu_path.md), so this is time per token.
        with torch.inference_mode():
            output = self.model.generate(**encoded, **gen_kwargs, **self.generate_extra_kwargs(items),
                                         pad_token_id=self.tokenizer.pad_token_id)
        sequences = output if isinstance(output, torch.Tensor) else output.sequences
        new_tokens = sequences[:, prompt_len:].cpu()  # left padding: the new tokens start at prompt_len
        texts = self.tokenizer.batch_decode(new_tokens, skip_special_tokens=True)
        latency = time.perf_counter() - start
        lengths = completion_lengths(new_tokens, eos_ids(self.model, self.tokenizer))
        prompt_tokens = encoded["attention_mask"].sum(dim=1).tolist()
        return answers(items, texts, lengths, prompt_tokens, latency, gen_kwargs)

    def is_media_tensor(self, key: str) -> bool:
        """Processor outputs that carry media features (cast to the model's dtype); time positions
        and masks keep theirs."""
        return key in MEDIA_TENSOR_KEYS

    def _free_cache(self) -> None:
        import torch

        gc.collect()
        if torch.cuda.is_available():
            torch.cuda.empty_cache()

    def close(self) -> None:
        if self.prepare_pool is not None:
            self.prepare_pool.close()
            self.prepare_pool = None
        if self._model is None:
            return  # never loaded: nothing to free (and no torch import for it)
        self._model = None
        self._free_cache()

