"""Load task YAML files: `include:` resolution, validation with file/key errors, discovery.

Pure: reading a task never imports models, reads annotations or touches media.
"""

from __future__ import annotations

import hashlib
import importlib.util
import json
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import yaml
from pydantic import ValidationError

from emer_bench.errors import ConfigError
from emer_bench.tasks.schema import TaskSpec
from emer_bench.validation import describe_problems

MAX_INCLUDE_DEPTH = 8


@dataclass(frozen=True)
class LoadedTask:
    """A validated task plus where it came from."""

    spec: TaskSpec
    path: Path  # the YAML file
    content_sha256: str  # hash of the resolved definition (after include:)
    plugins: tuple[Path, ...] = ()  # helper modules beside the YAML, imported before scoring

    @property
    def name(self) -> str:
        return self.spec.task

    @property
    def task_dir(self) -> Path:
        return self.path.parent

    @property
    def prompt_sha256(self) -> str:
        text = (self.spec.prompt.system or "") + "\x00" + self.spec.prompt.template + "\x00" + (
            self.spec.prompt.template_without_subtitle or "")
        return hashlib.sha256(text.encode()).hexdigest()


def read_yaml_mapping(path: Path) -> dict[str, Any]:
    try:
        data = yaml.safe_load(path.read_text(encoding="utf-8"))
    except FileNotFoundError:
        raise ConfigError(f"{path}: file not found") from None
    except yaml.YAMLError as exc:
        mark = getattr(exc, "problem_mark", None)
        where = f" line {mark.line + 1}" if mark is not None else ""
        raise ConfigError(f"{path}:{where} invalid YAML ({getattr(exc, 'problem', exc)})") from None
    if not isinstance(data, dict):
        raise ConfigError(f"{path}: a task file must be a mapping of keys, got {type(data).__name__}")
    return data


def resolve_includes(path: Path, depth: int = 0) -> dict[str, Any]:
    """The file's mapping with `include:` bases merged underneath it (this file wins)."""
    if depth > MAX_INCLUDE_DEPTH:
        raise ConfigError(f"{path}: 'include' nests deeper than {MAX_INCLUDE_DEPTH} (a cycle?)")
    data = read_yaml_mapping(path)
    include = data.pop("include", None)
    if include is None:
        return data
    bases = [include] if isinstance(include, str) else include
    if not isinstance(bases, list) or not all(isinstance(b, str) for b in bases):
        raise ConfigError(f"{path}: key 'include' must be a file name or a list of file names")
    merged: dict[str, Any] = {}
    for base in bases:
        base_path = (path.parent / base).resolve()
        if not base_path.is_file():
            raise ConfigError(f"{path}: key 'include': '{base}' not found (looked at {base_path})")
        merged = _deep_merge(merged, resolve_includes(base_path, depth + 1))
    return _deep_merge(merged, data)


def _deep_merge(base: dict[str, Any], override: dict[str, Any]) -> dict[str, Any]:
    out = dict(base)
    for key, value in override.items():
        if isinstance(value, dict) and isinstance(out.get(key), dict):
            out[key] = _deep_merge(out[key], value)
        else:
            out[key] = value
    return out


def load_task_file(path: Path) -> LoadedTask:
    path = Path(path).resolve()
    data = resolve_includes(path)
    plugin_names = data.pop("plugins", []) or []
    if not isinstance(plugin_names, list):
        raise ConfigError(f"{path}: key 'plugins' must be a list of .py files beside the YAML")
    try:
        spec = TaskSpec.model_validate(data)
    except ValidationError as exc:
        raise ConfigError(format_validation_error(path, exc)) from None
    plugins = []
    for name in plugin_names:
        plugin = (path.parent / str(name)).resolve()
        if not plugin.is_file():
            raise ConfigError(f"{path}: key 'plugins': '{name}' not found (looked at {plugin})")
        plugins.append(plugin)
    digest = hashlib.sha256(json.dumps(data, sort_keys=True, default=str).encode()).hexdigest()
    return LoadedTask(spec=spec, path=path, content_sha256=digest, plugins=tuple(plugins))


def format_validation_error(path: Path, exc: ValidationError) -> str:
    """`file: unknown key 'a'; 'b.c': expected ..., got ...`."""
    return f"{path}: {describe_problems(exc)}"


def import_plugins(task: LoadedTask) -> None:
    """Import the task's helper modules (they register scorers/extractors on import)."""
    for plugin in task.plugins:
        module_name = f"emer_bench_task_plugin_{hashlib.sha1(str(plugin).encode()).hexdigest()[:10]}"
        spec = importlib.util.spec_from_file_location(module_name, plugin)
        if spec is None or spec.loader is None:
            raise ConfigError(f"{plugin}: cannot import task plugin")
        module = importlib.util.module_from_spec(spec)
        spec.loader.exec_module(module)
