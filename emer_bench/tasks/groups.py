"""Task groups: one name for a benchmark made of several tasks, and the summary it reports.

A group is a YAML file with a top-level `group:` key (and no `task:` key):

    group: mer-unibench
    description: MER-UniBench (AffectGPT, ICML 2025)
    tasks: [mer2023, mer2024, meld, iemocap, mosi, mosei, sims, simsv2, ovmerdplus]
    aggregate: mean          # of each task's main metric, as the paper's last column

`--tasks mer-unibench` runs its tasks; the results file gets `groups.<name>` with the mean, the
per-task values it came from, and which tasks were missing (the mean is then reported as null,
never as a mean over fewer tasks).
"""

from __future__ import annotations

import math
from typing import TYPE_CHECKING, Any, Literal

from pydantic import BaseModel, ConfigDict, Field

if TYPE_CHECKING:
    from emer_bench.tasks.discovery import TaskIndex


class GroupSpec(BaseModel):
    model_config = ConfigDict(extra="forbid", frozen=True)

    group: str = Field(min_length=1)
    description: str = ""
    tasks: list[str] = Field(min_length=1)
    aggregate: Literal["mean"] = "mean"


def group_summary(spec: GroupSpec, results: dict[str, Any]) -> dict[str, Any]:
    """The group's mean of main metrics over `results` (task name -> TaskResult)."""
    values: dict[str, float | None] = {}
    for name in spec.tasks:
        task = results.get(name)
        entry = task["metrics"].get(task["config"]["main_metric"]) if task else None
        value = entry.get("value") if entry else None
        values[name] = None if value is None or (isinstance(value, float) and math.isnan(value)) else float(value)
    missing = [n for n, v in values.items() if v is None]
    mean = None if missing else sum(v for v in values.values() if v is not None) / len(values)
    return {"aggregate": spec.aggregate, "value": mean, "tasks": values, "missing": missing,
            "metrics": {n: results[n]["config"]["main_metric"] for n in spec.tasks if n in results}}


def requested_groups(index: TaskIndex, names: list[str]) -> list[GroupSpec]:
    """The groups among the requested names (in order)."""
    known = set(index.group_names())
    return [index.load_group(n) for n in dict.fromkeys(names) if n in known]
