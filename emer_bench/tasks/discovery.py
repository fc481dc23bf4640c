"""Find task YAML files: the built-in `tasks/` folder, `--include-path` folders, and plugin
packages (entry point group `emer_bench.tasks`, whose value is a module or a path-returning
callable/attribute naming a folder of YAML files).

A YAML file is a task when it has a top-level `task:` key; files without one are bases that
other files `include:`.
"""

from __future__ import annotations

import difflib
import importlib
from dataclasses import dataclass, field
from importlib import resources
from importlib.metadata import entry_points
from pathlib import Path

import yaml
from pydantic import ValidationError

from emer_bench.errors import ConfigError, UnknownNameError
from emer_bench.tasks.groups import GroupSpec
from emer_bench.tasks.loader import LoadedTask, format_validation_error, load_task_file, read_yaml_mapping

TASK_ENTRY_POINT_GROUP = "emer_bench.tasks"


def builtin_task_dir() -> Path:
    return Path(str(resources.files("emer_bench.builtin_tasks")))


def _entry_point_dirs() -> list[Path]:
    dirs = []
    for ep in entry_points(group=TASK_ENTRY_POINT_GROUP):
        module_name, _, attr = ep.value.partition(":")
        obj = importlib.import_module(module_name)
        if attr:
            obj = getattr(obj, attr)
            obj = obj() if callable(obj) else obj
            dirs.append(Path(obj))
        else:
            dirs.append(Path(obj.__file__).parent)  # type: ignore[arg-type]
    return dirs


def _declared(path: Path) -> tuple[str, str] | None:
    """("task" | "group", name) declared by a YAML file, or None for a base file."""
    try:
        data = yaml.safe_load(path.read_text(encoding="utf-8"))
    except (OSError, yaml.YAMLError):
        return None  # reported when the task is actually loaded
    if isinstance(data, dict):
        for kind in ("task", "group"):
            if isinstance(data.get(kind), str):
                return kind, data[kind]
    return None


@dataclass
class TaskIndex:
    """Task name → YAML path over every search folder (later folders cannot shadow earlier ones)."""

    include_paths: list[Path] = field(default_factory=list)
    _paths: dict[str, Path] = field(default_factory=dict)
    _groups: dict[str, Path] = field(default_factory=dict)
    _scanned: bool = False

    def _scan(self) -> None:
        if self._scanned:
            return
        self._scanned = True
        for folder in self.include_paths:
            if not Path(folder).is_dir():
                raise ConfigError(f"--include-path '{folder}' is not a directory")
        for folder in [builtin_task_dir(), *self.include_paths, *_entry_point_dirs()]:
            for path in sorted(Path(folder).rglob("*.y*ml")):
                declared = _declared(path)
                if declared is None:
                    continue
                kind, name = declared
                table = self._paths if kind == "task" else self._groups
                if name in table and table[name].resolve() != path.resolve():
                    raise ConfigError(f"{kind} '{name}' is defined twice: {table[name]} and {path}")
                table[name] = path
        both = sorted(set(self._paths) & set(self._groups))
        if both:
            raise ConfigError(f"'{both[0]}' names both a task ({self._paths[both[0]]}) and a group "
                              f"({self._groups[both[0]]})")

    def names(self) -> list[str]:
        self._scan()
        return sorted(self._paths)

    def group_names(self) -> list[str]:
        self._scan()
        return sorted(self._groups)

    def load_group(self, name: str) -> GroupSpec:
        self._scan()
        path = self._groups[name]
        try:
            return GroupSpec.model_validate(read_yaml_mapping(path))
        except ValidationError as exc:
            raise ConfigError(format_validation_error(path, exc)) from None

    def expand(self, names: list[str]) -> list[str]:
        """Task names with each group replaced by its tasks (first occurrence kept)."""
        self._scan()
        out: list[str] = []
        for name in names:
            members = self.load_group(name).tasks if name in self._groups else [name]
            out.extend(m for m in members if m not in out)
        return out

    def path(self, name: str) -> Path:
        self._scan()
        if name not in self._paths:
            close = difflib.get_close_matches(name, list(self._paths) + list(self._groups), n=3, cutoff=0.5)
            hint = f"; did you mean {', '.join(repr(c) for c in close)}?" if close else ""
            raise UnknownNameError(f"unknown task '{name}'{hint} (see `emer-bench list tasks`)")
        return self._paths[name]

    def load(self, name: str) -> LoadedTask:
        return load_task_file(self.path(name))
