"""`site/models/<slug>.html`: one submission's metadata, its recomputed metrics per task, and
a sample browser (clip, prompt, answer, reference, per-sample scores) to see why it scores as
it does.

Licensed data stays out: references, prompts and non-numeric per-sample components (which may
echo reference labels) are shown only for tasks whose data ships with emer-bench, unless the
site is built `--private` for local reading (never to be committed).
"""

from __future__ import annotations

import math
from typing import Any

from emer_bench.api.requests import Reference
from emer_bench.leaderboard.reading import Submission
from emer_bench.leaderboard.site_shell import esc, page
from emer_bench.leaderboard.verify import VERIFIED, TaskEntry


def _fmt(value: Any) -> str:
    if isinstance(value, bool) or value is None:
        return str(value)
    if isinstance(value, float):
        return "nan" if math.isnan(value) else f"{value:.4f}"
    if isinstance(value, (list, tuple)):
        return "[" + ", ".join(_fmt(v) for v in value) + "]"
    return str(value)


def _scores_text(entry: TaskEntry, i: int, numeric_only: bool) -> str:
    parts = []
    for alias, rec in entry.scorers.items():
        comp = rec.components[i]
        if comp is None:
            parts.append(f"{alias}: skipped")
            continue
        items = [(k, v) for k, v in comp.items()
                 if not numeric_only or (isinstance(v, (int, float)) and not isinstance(v, bool))]
        parts.append(f"{alias}: " + ", ".join(f"{k} {_fmt(v)}" for k, v in items))
    return "\n".join(parts)


def _structured_text(structured: dict[str, Any] | None) -> str:
    """A classic recognizer's answer: its top classes and valence/arousal."""
    data = structured or {}
    ranked = sorted(zip(data.get("labels") or [], data.get("scores") or []), key=lambda x: -float(x[1]))
    lines = ["classes: " + ", ".join(f"{label} {_fmt(float(score))}" for label, score in ranked[:3])] if ranked else []
    if data.get("valence") is not None or data.get("arousal") is not None:
        lines.append(f"valence {_fmt(data.get('valence'))}, arousal {_fmt(data.get('arousal'))} "
                     f"({data.get('va_source') or 'source unknown'})")
    return "\n".join(lines) or "(structured prediction)"


def _reference_text(ref: Reference | None) -> str:
    if ref is None:
        return ""
    data = ref.to_dict()
    lines = [f"label: {data['label']}"] if "label" in data else []
    if "openset" in data:
        lines.append("open-set: " + ", ".join(data["openset"]))
    if "valence" in data or "arousal" in data:
        lines.append(f"valence {_fmt(data.get('valence'))}, arousal {_fmt(data.get('arousal'))}")
    if "explanation" in data:
        lines.append(data["explanation"])
    return "\n".join(lines)


def _sample_rows(entry: TaskEntry, public: bool) -> tuple[str, str]:
    show_refs = public and entry.data.documents is not None
    head = ("<thead><tr><th class=\"num\">#</th><th>clip</th><th>prompt</th><th>answer</th>"
            + ("<th>reference</th>" if show_refs else "") + "<th>per-sample scores</th></tr></thead>")
    rows = []
    for i, s in enumerate(entry.samples):
        prompt = s.prompt if s.prompt is not None else (entry.data.prompt(s.clip_id) if public else None)
        answer = (s.response if s.response is not None else _structured_text(s.structured)) if s.ok \
            else f"FAILED: {s.error or 'empty answer'}"
        cls = "" if s.ok else " class=\"failed\""
        rows.append(f"<tr{cls} data-clip=\"{esc(s.clip_id)}\"><td class=\"num\" data-value=\"{s.index}\">{s.index}</td>"
                    f"<td>{esc(s.clip_id)}</td><td><pre class=\"text\">{esc(prompt or '—')}</pre></td>"
                    f"<td class=\"answer\"><pre class=\"text\">{esc(answer)}</pre></td>"
                    + (f"<td><pre class=\"text\">{esc(_reference_text(entry.reference(s.clip_id)))}</pre></td>"
                       if show_refs else "")
                    + f"<td><pre class=\"text\">{esc(_scores_text(entry, i, not public))}</pre></td></tr>")
    return head, "".join(rows)


def _task_section(entry: TaskEntry, private: bool) -> str:
    public = private or entry.data.documents is not None and _bundled(entry)
    status = ("<span class=\"badge ok\">verified</span>" if entry.status == VERIFIED
              else "<span class=\"badge warn\">not verifiable here (claimed, not recomputed)</span>")
    # As the scorers give them (fractions, counts, CCC on [-1, 1]): no x100, which would misstate counts.
    metrics = "".join(f"<tr><td>{esc(k)}</td><td class=\"num\" data-value=\"{v!r}\">{v:.4f}</td></tr>"
                      for k, v in sorted(entry.metrics.items()) if not math.isnan(v))
    notes = "".join(f"<li>{esc(n)}</li>" for n in entry.notes)
    head, rows = _sample_rows(entry, public)
    hidden = "" if public else ("<p class=\"note\">References and prompts of this task are licensed upstream data "
                                "and are not shown.</p>")
    return (f"<section class=\"task\" data-task=\"{esc(entry.task)}\"><h2>{esc(entry.task)} {status}</h2>"
            f"<p>modalities: {esc(', '.join(entry.modalities))}; failed: {entry.n_failed}/{len(entry.samples)}</p>"
            f"<table class=\"sortable metrics\"><thead><tr><th>metric</th><th class=\"num\">value</th></tr></thead>"
            f"<tbody>{metrics}</tbody></table>" + (f"<ul class=\"note\">{notes}</ul>" if notes else "")
            + f"<h3>Samples</h3>{hidden}<table class=\"sortable samples\">{head}<tbody>{rows}</tbody></table></section>")


def _bundled(entry: TaskEntry) -> bool:
    spec = entry.submission.meta.tasks.get(entry.task)
    return bool(spec and spec.bundled_data)


def model_page(sub: Submission, entries: list[TaskEntry], private: bool = False) -> str:
    m = sub.meta
    link = (f"<a href=\"{esc(m.link)}\" rel=\"noopener noreferrer nofollow\">{esc(m.link)}</a>" if m.link else "—")
    facts = [("model", f"{m.model} ({m.model_id})"), ("parameters", m.params), ("hardware", m.hardware),
             ("run date", m.date), ("emer-bench", f"{m.emer_bench_version} {m.git_commit or ''}".strip()),
             ("model args", ", ".join(f"{k}={v}" for k, v in sorted(m.model_args.items()))), ("notes", m.notes)]
    rows = "".join(f"<tr><th>{esc(k)}</th><td>{esc(v or '—')}</td></tr>" for k, v in facts)
    body = (f"<p><a href=\"../index.html\">← leaderboard</a></p><h1 class=\"model-name\">{esc(m.name)}</h1>"
            f"<table class=\"facts\"><tbody>{rows}<tr><th>link</th><td>{link}</td></tr></tbody></table>"
            "<input id=\"filter\" type=\"search\" placeholder=\"filter samples (clip, answer, ...)\">"
            + "".join(_task_section(e, private) for e in sorted(entries, key=lambda e: e.task)))
    return page(f"{m.name} — emer-bench leaderboard", body)
