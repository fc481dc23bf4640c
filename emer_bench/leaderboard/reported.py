"""Figures quoted from papers (`leaderboard/reported/*.yaml`): shown in their own rows marked
"reported, not recomputed", never ranked with verified rows. Values are kept as printed in the
source (usually percentages), with the citation and table they come from.

    source: {title: "...", authors: "...", year: 2025, url: "https://...", table: "Table 3"}
    figures:
      - {model: "AffectGPT", task: "mer-unibench", metric: "hit_rate", value: 78.54, note: "MER2023"}
"""

from __future__ import annotations

from pathlib import Path

import yaml
from pydantic import BaseModel, ConfigDict, Field, ValidationError, field_validator

from emer_bench.errors import ConfigError
from emer_bench.leaderboard.limits import MAX_META_FIELD, MAX_METADATA_BYTES
from emer_bench.validation import describe_problems


class _Strict(BaseModel):
    model_config = ConfigDict(extra="forbid", frozen=True)


class Source(_Strict):
    title: str = Field(min_length=1, max_length=MAX_META_FIELD)
    authors: str = Field(min_length=1, max_length=MAX_META_FIELD)
    year: int = Field(ge=1900, le=2100)
    url: str = Field(max_length=MAX_META_FIELD)
    table: str = Field(min_length=1, max_length=200)  # where in the source the figures are printed

    @field_validator("url")
    @classmethod
    def _http(cls, value: str) -> str:
        if not value.lower().startswith(("https://", "http://")):
            raise ValueError(f"must start with https:// or http://, got {value[:80]!r}")
        return value


class Figure(_Strict):
    model: str = Field(min_length=1, max_length=200)
    task: str = Field(min_length=1, max_length=200)
    metric: str = Field(min_length=1, max_length=200)
    value: float
    note: str | None = Field(default=None, max_length=MAX_META_FIELD)


class ReportedFile(_Strict):
    source: Source
    figures: list[Figure] = Field(min_length=1)


def load_reported_file(path: Path) -> ReportedFile:
    if path.stat().st_size > MAX_METADATA_BYTES:
        raise ConfigError(f"{path}: over {MAX_METADATA_BYTES} bytes")
    try:
        data = yaml.safe_load(path.read_text(encoding="utf-8"))
    except yaml.YAMLError as exc:
        mark = getattr(exc, "problem_mark", None)
        where = f" line {mark.line + 1}" if mark is not None else ""
        raise ConfigError(f"{path}:{where} invalid YAML ({getattr(exc, 'problem', exc)})") from None
    try:
        return ReportedFile.model_validate(data)
    except ValidationError as exc:
        raise ConfigError(f"{path}: {describe_problems(exc)}") from None


def load_reported(folder: Path) -> list[tuple[str, ReportedFile]]:
    """(file name, contents) of every reported/*.yaml, sorted by name; the first bad file raises."""
    if not folder.is_dir():
        return []
    files = sorted(p for p in folder.iterdir() if p.suffix in (".yaml", ".yml"))
    out = []
    for path in files:
        if path.is_symlink() or not path.is_file():
            raise ConfigError(f"{path}: a reported figures file must be a plain file")
        out.append((path.name, load_reported_file(path)))
    return out
