"""Find task YAML files: the built-in `tasks/` folder, `--include-path` folders, and plugin
packages (entry point group `emer_bench.tasks`, whose value is a module or a path-returning
callable/attribute naming a folder of YAML files).

A YAML file is a task when it has a top-level `task:` key, a group of tasks when it has a
`group:` key (emer_bench/tasks/groups.py); files with neither are bases that other files `include:`.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from importlib.metadata import entry_points
from pathlib import Path
from types import ModuleType

from pydantic import ValidationError

from emer_bench.errors import ConfigError, UnknownNameError
from emer_bench.registry import did_you_mean, load_target
from emer_bench.tasks.groups import GroupSpec
from emer_bench.tasks.loader import (LoadedTask, builtin_task_dir, declared_task_name, format_validation_error,
                                     load_task_file, read_yaml_mapping)

TASK_ENTRY_POINT_GROUP = "emer_bench.tasks"
__all__ = ["TaskIndex", "builtin_task_dir"]


def _entry_point_dir(name: str, value: str) -> Path:
    """The folder an `emer_bench.tasks` entry point names (loaded like any registry target)."""
    obj = load_target(value, f"task plugin '{name}'")
    if isinstance(obj, ModuleType):
        if obj.__file__ is None:
            raise ConfigError(f"task plugin '{name}': module '{value}' has no folder on disk")
        return Path(obj.__file__).parent
    return Path(obj() if callable(obj) else obj)


def _entry_point_dirs() -> list[Path]:
    return [_entry_point_dir(ep.name, ep.value) for ep in entry_points(group=TASK_ENTRY_POINT_GROUP)]


def _declared_group(path: Path) -> str | None:
    try:
        data = read_yaml_mapping(path)
    except ConfigError:
        return None
    return data["group"] if isinstance(data.get("group"), str) else None


def _unreadable(path: Path) -> str | None:
    """Why a YAML file whose task name cannot be found cannot be read (None: it is a base file)."""
    try:
        data = read_yaml_mapping(path)
    except ConfigError as exc:
        return str(exc)
    # `task: 2025` (YAML reads a number) or `task: [x]` names no task: without this it passed for
    # a base file, and `--tasks 2025` said "unknown task" without naming the file.
    for key in ("task", "group"):
        if key in data and not isinstance(data[key], str):
            return f"{path}: key '{key}': a name in quotes expected, got {data[key]!r}"
    return None


@dataclass
class TaskIndex:
    """Task name → YAML path over every search folder (later folders cannot shadow earlier ones)."""

    include_paths: list[Path] = field(default_factory=list)
    _paths: dict[str, Path] = field(default_factory=dict)
    _groups: dict[str, Path] = field(default_factory=dict)  # group name -> YAML path
    # Files that cannot be read and name no task: one line each, never a reason to fail other tasks.
    problems: list[str] = field(default_factory=list)
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
                name = declared_task_name(path)
                group = _declared_group(path) if name is None else None
                if group is not None:
                    if group in self._groups and self._groups[group].resolve() != path.resolve():
                        raise ConfigError(f"group '{group}' is defined twice: {self._groups[group]} and {path}")
                    self._groups[group] = path
                    continue
                if name is None:
                    problem = _unreadable(path)
                    if problem:
                        self.problems.append(problem)
                    continue
                if name in self._paths and self._paths[name].resolve() != path.resolve():
                    raise ConfigError(f"task '{name}' is defined twice: {self._paths[name]} and {path}")
                self._paths[name] = path
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
            unread = f"; {len(self.problems)} task file(s) could not be read, first: {self.problems[0]}" \
                if self.problems else ""
            raise UnknownNameError(f"{did_you_mean('task', name, [*self._paths, *self._groups])} See `emer-bench list tasks`{unread}")
        return self._paths[name]

    def load(self, name: str) -> LoadedTask:
        return load_task_file(self.path(name))
