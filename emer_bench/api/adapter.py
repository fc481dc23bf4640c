"""The model adapter contract.

An adapter declares the modalities it takes and whether it wants decoded media or file paths,
and answers batches of prepared requests. Streaming adapters (e.g. an async API client)
override `generate_stream` to answer out of order as calls complete.
"""

from __future__ import annotations

import threading
from abc import ABC, abstractmethod
from dataclasses import dataclass
from enum import Enum
from typing import Any, ClassVar, Generic, Iterable, Iterator, TypeVar

from pydantic import BaseModel, ConfigDict, Field, model_validator

from emer_bench.api.media import DecodedMedia, MediaOptions
from emer_bench.api.plugin import bind_args_class
from emer_bench.api.records import Generation
from emer_bench.api.requests import GenerationRequest, Modality


class MediaInput(str, Enum):
    """How an adapter wants the clip."""

    DECODED = "decoded"  # the harness decodes frames/audio ahead of the model (prefetch pool)
    PATHS = "paths"  # the model's own processor reads the files; the harness only checks them


class AdapterArgs(BaseModel):
    """Base for an adapter's `--model-args`: typed, unknown keys rejected with a clear message."""

    model_config = ConfigDict(extra="forbid", frozen=True)

    # Media sampling, settable per run for every adapter that takes video/audio.
    num_frames: int | None = Field(8, ge=1)
    fps: float | None = Field(None, gt=0)  # when set, it replaces num_frames (give one of the two)
    max_pixels: int | None = Field(448 * 448, ge=1)
    batch_size: int = Field(1, ge=1)

    @model_validator(mode="after")
    def _one_frame_rule(self) -> "AdapterArgs":
        # fps wins over num_frames in the sampler; both given means the user expects both, which cannot be.
        if self.fps is not None and self.num_frames is not None and "num_frames" in self.model_fields_set:
            raise ValueError("give num_frames or fps, not both (fps samples at a rate, num_frames a fixed count)")
        return self

    def media_options(self) -> MediaOptions:
        return MediaOptions(num_frames=self.num_frames, fps=self.fps, max_pixels=self.max_pixels)

    def check_available(self) -> None:
        """Without loading anything heavy (seconds at most): raise an EmerBenchError naming what to
        fix when the model these args name cannot be loaded or reached (a checkpoint that is not on
        disk, a server that does not answer, a key it refuses). Called for the run's model before it
        is built, and for judge and extractor models before the run's first request. Default:
        nothing to check."""


@dataclass
class PreparedRequest:
    """A request plus the media the harness prepared for it (None for PATHS adapters)."""

    request: GenerationRequest
    media: DecodedMedia | None = None
    # What the adapter's own `preprocess` made of it (a request body, processor outputs...);
    # adapter-specific, None until `preprocess` sets it.
    payload: Any = None


A = TypeVar("A", bound=AdapterArgs)

# One lock for every adapter's first load: loads are rare, and a re-entrant lock lets `load` read
# what it has already set through the lazy attributes that call `ensure_loaded`.
_LOAD_LOCK = threading.RLock()


class ModelAdapter(ABC, Generic[A]):
    """Subclass as `ModelAdapter[MyArgs]`, set the class attributes, implement `generate`, and
    register it. The type parameter is the `--model-args` class (`Args` is set from it), so
    `self.args` is a `MyArgs` for the type checker too."""

    name: ClassVar[str]
    modalities: ClassVar[frozenset[Modality]] = frozenset({Modality.SUBTITLE})
    media_input: ClassVar[MediaInput] = MediaInput.DECODED
    Args: ClassVar[type[AdapterArgs]] = AdapterArgs

    def __init_subclass__(cls, **kwargs: Any) -> None:
        super().__init_subclass__(**kwargs)
        bind_args_class(cls, ModelAdapter, AdapterArgs)

    # Set once `load` succeeded (a class default, so an adapter whose __init__ skips super() works too).
    _loaded: bool = False

    def __init__(self, args: A) -> None:
        self.args: A = args
        # Child processes that run `preprocess` (emer_bench/media/prepare_pool.py), for adapters
        # whose model keeps this process's host thread busy; None: the runner's prefetch threads.
        # (A `PreparePool`, typed loosely: the api layer does not import the media layer.)
        self.prepare_pool: Any = None

    def load(self) -> None:
        """Load what answering needs and costs time or memory (weights, processors, sessions, heavy
        imports). Called once, by `ensure_loaded`, before the first request is answered: the
        runner calls it only when a task has requests to ask, so a run whose answers are all
        reused from its samples file loads nothing. `__init__` keeps only cheap checks (a
        checkpoint on disk, a file of the right kind). Everything read before the first request
        (`model_id`, `describe`, `active_modalities`, `media_options`) must work unloaded, from
        the args. A failure is one EmerBenchError line naming what cannot be loaded (as
        `__init__` would have raised it). Default: nothing to load."""

    @property
    def loaded(self) -> bool:
        """True once `load` succeeded."""
        return self._loaded

    def ensure_loaded(self) -> None:
        """Run `load` once (thread-safe); a failed load raises and is tried again on the next call."""
        if self._loaded:
            return
        with _LOAD_LOCK:
            if not self._loaded:
                self.load()
                self._loaded = True

    def _has_load(self) -> bool:
        return type(self).load is not ModelAdapter.load

    @property
    def active_modalities(self) -> frozenset[Modality]:
        """What this configured instance takes (the class lists what the family can take);
        e.g. an API adapter without audio=true must not make the harness decode audio."""
        return self.modalities

    @property
    def media_options(self) -> MediaOptions:
        return self.args.media_options()

    @property
    def model_id(self) -> str:
        """Identity recorded in results (a checkpoint path, an API model name...)."""
        return self.name

    def describe(self) -> dict[str, Any]:
        """Model facts recorded in the results' config (never secrets). An adapter with a `load`
        step adds `loaded`: false when this run asked nothing and so loaded nothing; facts that
        only the loaded model knows are then left out, never guessed."""
        info: dict[str, Any] = {"adapter": self.name, "model_id": self.model_id}
        if self._has_load():
            info["loaded"] = self.loaded
        return info

    def preprocess(self, prepared: PreparedRequest) -> PreparedRequest:
        """The adapter's per-request work that needs no model (JPEG/JSON encoding, a processor
        call), run by the harness on its prefetch threads, ahead of the model and beside other
        clips' decoding. Must be thread-safe. May drop `media` once `payload` holds what the
        model needs, so that prepared clips ahead of the model take less memory. An exception
        is recorded as that sample's failure. `generate` must still accept requests that were
        not preprocessed (direct calls, tests). Default: nothing to do."""
        return prepared

    @abstractmethod
    def generate(self, batch: list[PreparedRequest]) -> list[Generation]:
        """Answer a batch; return one Generation per request, errors recorded not raised."""

    def generate_stream(self, requests: Iterable[PreparedRequest]) -> Iterator[Generation]:
        """Yield generations as they complete. Default: sequential batches of `batch_size`."""
        self.ensure_loaded()  # outside `_safe_generate`: a load failure stops the run, it is no sample's answer
        batch: list[PreparedRequest] = []
        for prepared in requests:
            batch.append(prepared)
            if len(batch) >= max(1, self.args.batch_size):
                yield from self._safe_generate(batch)
                batch = []
        if batch:
            yield from self._safe_generate(batch)

    def _safe_generate(self, batch: list[PreparedRequest]) -> list[Generation]:
        try:
            out = self.generate(batch)
        except Exception as exc:  # a crash of one batch is recorded per sample; the run goes on
            err = f"{type(exc).__name__}: {exc}"
            return [Generation(index=p.request.index, error=err) for p in batch]
        if len(out) != len(batch):
            err = f"AdapterError: {self.name} returned {len(out)} answers for {len(batch)} requests"
            return [Generation(index=p.request.index, error=err) for p in batch]
        return out

    def close(self) -> None:
        """Release model memory, sessions, pools."""
