"""`site/index.html`: per task a sortable table, a bar chart with CI whiskers (inline SVG),
the per-emotion breakdown and the modality view; then the reported figures. Built from the
leaderboard.json dict, so the page shows exactly the machine-readable numbers."""

from __future__ import annotations

from typing import Any

from emer_bench.leaderboard.markdown import group_reported
from emer_bench.leaderboard.site_shell import esc, page


def pct(value: float | None) -> str:
    return "—" if value is None else f"{100 * value:.2f}"


def _num_cell(value: float | None, text: str | None = None) -> str:
    data = "" if value is None else repr(float(value))
    return f"<td class=\"num\" data-value=\"{data}\">{esc(text if text is not None else pct(value))}</td>"


def _status_badge(row: dict[str, Any]) -> str:
    if row["status"] != "verified":
        return "<span class=\"badge warn\">not verifiable here</span>"
    if row["value"] is None:
        return "<span class=\"badge ok\">verified</span> <span class=\"badge\">no main metric, not ranked</span>"
    tie = " <span class=\"badge\" title=\"paired bootstrap: not significantly different from the next row\">" \
          "≈ next</span>" if row.get("tied_with_next") else ""
    return "<span class=\"badge ok\">verified</span>" + tie


def _task_table(task: dict[str, Any]) -> str:
    head = ("<thead><tr><th class=\"num\">rank</th><th>model</th><th>params</th><th>modalities</th>"
            f"<th class=\"num\">{esc(task['main_metric'])} ×100</th><th>95% CI</th><th class=\"num\">failed</th>"
            "<th>status</th></tr></thead>")
    rows = []
    for row in task["rows"]:
        ci = row["ci95"]
        ci_text = "—" if not ci or None in ci else f"[{pct(ci[0])}, {pct(ci[1])}]"
        cls = "" if row["status"] == "verified" else " class=\"unverified\""
        failed = f"{row['n_failed']}/{row['n_total']}"
        rows.append(
            f"<tr{cls} data-submission=\"{esc(row['submission'])}\">"
            f"{_num_cell(row['rank'], str(row['rank']) if row['rank'] is not None else '—')}"
            f"<td><a href=\"models/{esc(row['submission'])}.html\">{esc(row['name'])}</a></td>"
            f"<td>{esc(row['params'] or '—')}</td><td>{esc(', '.join(row['modalities']))}</td>"
            f"{_num_cell(row['value'])}<td>{esc(ci_text)}</td>"
            f"{_num_cell(row['n_failed'], failed)}<td>{_status_badge(row)}</td></tr>")
    return (f"<table class=\"sortable board\" data-task=\"{esc(task['task'])}\">{head}<tbody>"
            + "".join(rows) + "</tbody></table>")


def bar_chart(task: dict[str, Any]) -> str:
    """Horizontal bars (one per row with a value) with 95% CI whiskers, scaled to [0, max]."""
    rows = [r for r in task["rows"] if r["value"] is not None]
    if not rows:
        return ""
    highs = [r["value"] for r in rows] + [r["ci95"][1] for r in rows if r["ci95"] and r["ci95"][1] is not None]
    top = max(max(1.0, max(highs)), 1e-12)
    left, width, step = 220, 400, 26
    parts = [f"<svg class=\"chart\" data-task=\"{esc(task['task'])}\" xmlns=\"http://www.w3.org/2000/svg\" "
             f"width=\"{left + width + 70}\" height=\"{step * len(rows) + 24}\" role=\"img\" "
             f"aria-label=\"{esc(task['main_metric'])} per model with 95% CI\">"]
    for i, row in enumerate(rows):
        y = 4 + i * step
        cls = "bar" if row["status"] == "verified" else "bar unverified"
        w = max(0.0, row["value"]) / top * width
        label = row["name"] if len(row["name"]) <= 30 else row["name"][:29] + "…"  # fits the 220 px margin
        parts.append(f"<text x=\"{left - 6}\" y=\"{y + 14}\" text-anchor=\"end\">{esc(label)}</text>"
                     f"<rect class=\"{cls}\" data-submission=\"{esc(row['submission'])}\" x=\"{left}\" y=\"{y}\" "
                     f"width=\"{w:.2f}\" height=\"18\"><title>{esc(row['name'])}: {pct(row['value'])}</title></rect>"
                     f"<text x=\"{left + width + 6}\" y=\"{y + 14}\">{pct(row['value'])}</text>")
        ci = row["ci95"]
        if ci and None not in ci:
            x0, x1 = (max(0.0, v) / top * width + left for v in ci)
            parts.append(f"<line class=\"whisker\" x1=\"{x0:.2f}\" x2=\"{x1:.2f}\" y1=\"{y + 9}\" y2=\"{y + 9}\"/>"
                         f"<line class=\"whisker\" x1=\"{x0:.2f}\" x2=\"{x0:.2f}\" y1=\"{y + 4}\" y2=\"{y + 14}\"/>"
                         f"<line class=\"whisker\" x1=\"{x1:.2f}\" x2=\"{x1:.2f}\" y1=\"{y + 4}\" y2=\"{y + 14}\"/>")
    axis_y = step * len(rows) + 18
    parts.append(f"<text x=\"{left}\" y=\"{axis_y}\">0</text><text x=\"{left + width}\" y=\"{axis_y}\" "
                 f"text-anchor=\"end\">{pct(top)}</text></svg>")
    return "".join(parts)


def _per_emotion(task: dict[str, Any], names: dict[str, str]) -> str:
    groups = task["per_emotion"]
    if not groups:
        return ""
    labels = sorted({label for g in groups.values() for label in g})
    head = "<thead><tr><th>model</th>" + "".join(f"<th class=\"num\">{esc(lb)}</th>" for lb in labels) + "</tr></thead>"
    body = []
    for slug, g in groups.items():
        cells = "".join(_num_cell(g[lb]["value"], f"{pct(g[lb]['value'])} (n={g[lb]['n']})") if lb in g
                        else "<td class=\"num\" data-value=\"\">—</td>" for lb in labels)
        body.append(f"<tr><td>{esc(names.get(slug, slug))}</td>{cells}</tr>")
    return (f"<h3>Per emotion ({esc(task['main_metric'])} ×100 on the clips of each reference label)</h3>"
            f"<table class=\"sortable emotions\">{head}<tbody>{''.join(body)}</tbody></table>")


def _modality_view(task: dict[str, Any], names: dict[str, str]) -> str:
    if not task["modality_view"]:
        return ""
    rows = []
    for model_id, runs in task["modality_view"].items():
        for run in runs:
            rows.append(f"<tr><td>{esc(model_id)}</td><td>{esc(', '.join(run['modalities']))}</td>"
                        f"<td>{esc(names.get(run['submission'], run['submission']))}</td>{_num_cell(run['value'])}</tr>")
    return ("<h3>Modalities (one model, several modality sets)</h3><table class=\"sortable modalities\"><thead><tr>"
            "<th>model</th><th>modalities</th><th>submission</th><th class=\"num\">score ×100</th></tr></thead>"
            f"<tbody>{''.join(rows)}</tbody></table>")


def _reported(reported: list[dict[str, Any]]) -> str:
    if not reported:
        return ""
    parts = ["<h2 id=\"reported\">Reported in papers</h2><p class=\"note\">Quoted as printed in each source "
             "(scales differ); not recomputed here and never ranked with the verified rows.</p>"]
    for figs in group_reported(reported):
        src = figs[0]["source"]
        rows = "".join(
            f"<tr class=\"reported\"><td>{esc(f['model'])}</td><td>{esc(f['task'])}</td><td>{esc(f['metric'])}</td>"
            f"<td class=\"num\" data-value=\"{f['value']!r}\">{f['value']:g}</td><td>{esc(f.get('note') or '')}</td>"
            "<td><span class=\"badge rep\">reported, not recomputed</span></td></tr>" for f in figs)
        parts.append(f"<h3 class=\"source\"><a href=\"{esc(src['url'])}\" rel=\"noopener noreferrer nofollow\">"
                     f"{esc(src['title'])}</a></h3><p class=\"note\">{esc(src['authors'])} ({esc(src['year'])}); "
                     f"{esc(src['table'])}</p><table class=\"sortable reported\"><thead><tr><th>model</th><th>task</th>"
                     "<th>metric</th><th class=\"num\">value</th><th>note</th><th>status</th></tr></thead>"
                     f"<tbody>{rows}</tbody></table>")
    return "".join(parts)


def index_page(board: dict[str, Any]) -> str:
    names = {s["slug"]: s["name"] for s in board["submissions"]}
    parts = ["<h1>emer-bench leaderboard</h1><p class=\"note\">Every verified number is recomputed from the "
             "submitted answers and the task's references with the current scorers. Click a column header to "
             "sort; click a model for its samples.</p>"]
    if not board["tasks"]:
        parts.append("<p>No submissions yet.</p>")
    for task in board["tasks"]:
        parts.append(f"<section class=\"task\" id=\"task-{esc(task['task'])}\"><h2>{esc(task['task'])} "
                     f"<span class=\"note\">v{esc(task['version'])}</span></h2>")
        parts += [_task_table(task), bar_chart(task), _per_emotion(task, names), _modality_view(task, names),
                  "</section>"]
    parts.append(_reported(board["reported"]))
    return page("emer-bench leaderboard", "\n".join(parts))
