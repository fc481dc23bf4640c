"""Load one task YAML file: `include:` resolution, validation with file/key errors, placeholder
checks, `plugins:` import. Finding task files by name is discovery.py (it uses `declared_task_name`).

Pure: reading a task never imports models, reads annotations or touches media.
"""

from __future__ import annotations

import difflib
import hashlib
import importlib.util
import json
import re
import sys
import traceback
from dataclasses import dataclass
from importlib import resources
from pathlib import Path
from typing import Any

import yaml
from pydantic import ValidationError

from emer_bench.errors import ConfigError
from emer_bench.tasks.schema import PATH_PLACEHOLDERS, PROMPT_PLACEHOLDERS, TaskSpec
from emer_bench.validation import describe_problems

# libyaml's C parser where PyYAML was built with it (same safe subset, ~10x faster: every
# `run` reads every task file once to learn the task names).
SAFE_LOADER = getattr(yaml, "CSafeLoader", yaml.SafeLoader)

MAX_INCLUDE_DEPTH = 8
# `{name}` with an identifier inside; `{not a placeholder}` and JSON examples stay literal text.
_PLACEHOLDER = re.compile(r"(?<!\{)\{([A-Za-z_][A-Za-z0-9_]*)\}(?!\})")
# Recovers a task's name from a file that does not parse, so the error reaches the user who asks
# for that task (as file:line:col) instead of "unknown task".
_TASK_LINE = re.compile(r"^task:[ \t]*[\"']?([^\"'\s#]+)", re.MULTILINE)


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


def builtin_task_dir() -> Path:
    return Path(str(resources.files("emer_bench.builtin_tasks")))


def read_yaml_text(path: Path) -> str:
    try:
        data = path.read_bytes()
    except FileNotFoundError:
        raise ConfigError(f"{path}: file not found") from None
    except OSError as exc:
        raise ConfigError(f"{path}: cannot read ({exc.strerror})") from None
    try:
        return data.decode("utf-8")
    except UnicodeDecodeError as exc:
        line = data[: exc.start].count(b"\n") + 1
        raise ConfigError(f"{path}:{line}: not UTF-8 text (byte 0x{data[exc.start]:02x}); save it as UTF-8") from None


def read_yaml_mapping(path: Path) -> dict[str, Any]:
    text = read_yaml_text(path)
    try:
        data = yaml.load(text, Loader=SAFE_LOADER)
    except yaml.YAMLError as exc:
        mark = getattr(exc, "problem_mark", None)
        where = f"{mark.line + 1}:{mark.column + 1}:" if mark is not None else ""
        raise ConfigError(f"{path}:{where} invalid YAML ({getattr(exc, 'problem', None) or exc})") from None
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
        base_path = _include_path(path, base)
        base_data = resolve_includes(base_path, depth + 1)
        if base_path.parent != path.parent:  # {task_dir} is the folder of the file that wrote it
            base_data = _replace_task_dir(base_data, str(base_path.parent))
        merged = _deep_merge(merged, base_data)
    return _deep_merge(merged, data)


def _replace_task_dir(value: Any, folder: str) -> Any:
    if isinstance(value, str):
        return value.replace("{task_dir}", folder)
    if isinstance(value, dict):
        return {k: _replace_task_dir(v, folder) for k, v in value.items()}
    if isinstance(value, list):
        return [_replace_task_dir(v, folder) for v in value]
    return value


def _include_path(path: Path, base: str) -> Path:
    """A file beside the including file, else a built-in task by name (`include: emer-v1`), so a
    user's variant need not spell out the install path of the package."""
    beside = (path.parent / base).resolve()
    if beside.is_file():
        return beside
    builtin = builtin_task_paths()
    if base in builtin:
        return builtin[base]
    close = difflib.get_close_matches(base, list(builtin), n=3, cutoff=0.6)
    hint = f"; did you mean {', '.join(repr(c) for c in close)}?" if close else ""
    raise ConfigError(f"{path}: key 'include': '{base}' not found: neither a file (looked at {beside}) "
                      f"nor a built-in task{hint}")


def declared_task_name(path: Path) -> str | None:
    """The `task:` of a YAML file; for a file that does not parse, the name on its `task:` line."""
    try:
        text = path.read_bytes().decode("utf-8", errors="replace")
    except OSError:
        return None
    try:
        data = yaml.load(text, Loader=SAFE_LOADER)
    except yaml.YAMLError:
        found = _TASK_LINE.search(text)
        return found.group(1) if found else None
    name = data.get("task") if isinstance(data, dict) else None
    return name if isinstance(name, str) else None


def builtin_task_paths() -> dict[str, Path]:
    """Built-in task name -> its YAML file."""
    out: dict[str, Path] = {}
    for path in sorted(builtin_task_dir().rglob("*.y*ml")):
        name = declared_task_name(path)
        if name is not None:
            out.setdefault(name, path.resolve())
    return out


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
    check_placeholders(path, spec)
    plugins = []
    for name in plugin_names:
        plugin = (path.parent / str(name)).resolve()
        if not plugin.is_file():
            raise ConfigError(f"{path}: key 'plugins': '{name}' not found (looked at {plugin})")
        plugins.append(plugin)
    digest = hashlib.sha256(json.dumps(data, sort_keys=True, default=str).encode()).hexdigest()
    return LoadedTask(spec=spec, path=path, content_sha256=digest, plugins=tuple(plugins))


def _unknown_placeholders(text: str | None, known: tuple[str, ...]) -> list[str]:
    return [name for name in _PLACEHOLDER.findall(text or "") if name not in known]


def check_placeholders(path: Path, spec: TaskSpec) -> None:
    """A misspelt `{subtitel}` would reach the model literally; refuse it at load time."""
    prompt_known = PROMPT_PLACEHOLDERS
    media_known = ("clip_id",)  # file name patterns inside media.dir
    places: list[tuple[str, str | None, tuple[str, ...]]] = [
        ("prompt.template", spec.prompt.template, prompt_known),
        ("prompt.template_without_subtitle", spec.prompt.template_without_subtitle, prompt_known),
        ("prompt.system", spec.prompt.system, ()),  # sent as written: nothing is replaced in it
        ("media.dir", spec.media.dir, PATH_PLACEHOLDERS),
        ("media.audio_pattern", spec.media.audio_pattern, media_known),
        *((f"media.patterns.{i}", p, media_known) for i, p in enumerate(spec.media.patterns)),
        *((f"dataset.files.{i}.path", f.path, PATH_PLACEHOLDERS) for i, f in enumerate(spec.dataset.files)),
    ]
    for key, text, known in places:
        unknown = _unknown_placeholders(text, known)
        if unknown:
            close = difflib.get_close_matches(unknown[0], known, n=1, cutoff=0.6)
            hint = f"; did you mean '{{{close[0]}}}'?" if close else ""
            names = ", ".join("{" + k + "}" for k in known) or "none"
            raise ConfigError(f"{path}: key '{key}': unknown placeholder '{{{unknown[0]}}}' "
                              f"(known: {names}){hint}")


def format_validation_error(path: Path, exc: ValidationError) -> str:
    """`file: unknown key 'a'; 'b.c': expected ..., got ...`."""
    return f"{path}: {describe_problems(exc)}"


def import_plugins(task: LoadedTask) -> None:
    """Import the task's helper modules once per process; they register their scorers or
    extractors on import (`SCORERS.add("name", MyScorer, "one line", origin="task-plugin")`)."""
    for plugin in task.plugins:
        module_name = f"emer_bench_task_plugin_{hashlib.sha1(str(plugin).encode()).hexdigest()[:10]}"
        if module_name in sys.modules:
            continue  # a second task (or run) naming the same file: registering twice would fail
        spec = importlib.util.spec_from_file_location(module_name, plugin)
        if spec is None or spec.loader is None:
            raise ConfigError(f"{plugin}: cannot import task plugin")
        module = importlib.util.module_from_spec(spec)
        sys.modules[module_name] = module
        try:
            spec.loader.exec_module(module)
        except Exception as exc:  # the plugin's own bug: one line (its traceback with --debug)
            del sys.modules[module_name]
            raise ConfigError(f"{task.path}: key 'plugins': {plugin}{_plugin_line(exc, plugin)} failed to import: "
                              f"{type(exc).__name__}: {exc}") from exc
        except BaseException:
            del sys.modules[module_name]
            raise


def _plugin_line(exc: Exception, plugin: Path) -> str:
    """`:N`, the plugin's line the error came from (a SyntaxError's own line), or ''."""
    if isinstance(exc, SyntaxError) and exc.lineno is not None:
        return f":{exc.lineno}"
    frames = [f for f in traceback.extract_tb(exc.__traceback__) if Path(f.filename) == Path(plugin)]
    return f":{frames[-1].lineno}" if frames else ""
