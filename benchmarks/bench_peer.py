"""Side by side with the peer: emer-bench's `openai` adapter, lm-evaluation-harness's API model
(`local-chat-completions`) and a minimal raw asyncio client (the ceiling), each a fresh process
sending the same 640 prompts to the same delay server (benchmarks/delay_server.py, 100 ms).

lm-eval lives in a SEPARATE virtual environment that this benchmark is pointed at; it is never a
dependency of emer-bench. Without one, its rows are skipped with a note:

    python3 -m venv --system-site-packages /work/venvs/lmeval && /work/venvs/lmeval/bin/pip install 'lm-eval[api]'
    python3 benchmarks/bench_peer.py --lm-eval-python /work/venvs/lmeval/bin/python [--requests 640]

Per client and concurrency C (1, 16, 64):
- throughput as a fraction of the ideal: (N / C waves x delay) / (server's first request -> last answer);
- launch -> first request (process spawn to the server's first request mark);
- total wall of the process (launch to exit; lm-eval and emer-bench also score and write results);
- client CPU per request: (CPU of the N-request process - CPU of a 1-request process) / (N - 1),
  i.e. the marginal cost per request, fixed start-up cost excluded (user + sys from wait4).
The prompts are the bundled demo's subtitles in the emer-bench task template (bench_startup's
text task), 64 max tokens, temperature 0. emer-bench scores with label_overlap + rouge_l and
1000 bootstrap resamples; lm-eval with exact_match (its cheapest generate_until metric).
"""

from __future__ import annotations

import argparse
import statistics
import csv
import json
import os
import subprocess
import sys
import tempfile
from dataclasses import dataclass
from datetime import datetime, timezone
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT / "benchmarks"))

from bench_startup import Run, emer_command, measure, write_text_task  # noqa: E402
from delay_server import DelayServerProcess  # noqa: E402
from machine_info import machine_line  # noqa: E402

RESULTS = ROOT / "benchmarks" / "results" / "peer.md"
PROMPT = "Subtitle: {subtitle}. What does the person feel, and why?"  # bench_startup's task template
LM_EVAL_TASK = "emer_peer_bench"


def write_prompts(task_dir: Path) -> tuple[Path, Path]:
    """The task's rows as a JSONL for lm-eval and a prompt-per-line file for the raw client."""
    with (task_dir / "annotations.csv").open(newline="", encoding="utf-8") as handle:
        rows = list(csv.DictReader(handle))
    docs, prompts = task_dir / "docs.jsonl", task_dir / "prompts.jsonl"
    docs.write_text("".join(json.dumps({"subtitle": r["subtitle"], "explanation": r["explanation"]}) + "\n"
                            for r in rows), encoding="utf-8")
    prompts.write_text("".join(json.dumps(PROMPT.format(subtitle=r["subtitle"])) + "\n" for r in rows),
                       encoding="utf-8")
    lm_dir = task_dir / "lm_eval"
    lm_dir.mkdir()
    (lm_dir / "emer_peer_bench.yaml").write_text(
        f"task: {LM_EVAL_TASK}\ndataset_path: json\ndataset_kwargs:\n  data_files:\n    test: {docs}\n"
        "test_split: test\noutput_type: generate_until\n"
        "doc_to_text: \"Subtitle: {{subtitle}}. What does the person feel, and why?\"\n"
        "doc_to_target: \"{{explanation}}\"\n"
        "generation_kwargs:\n  until: [\"\\n\\n\\n\"]\n  max_gen_toks: 64\n  temperature: 0\n  do_sample: false\n"
        "metric_list:\n  - metric: exact_match\n    aggregation: mean\n    higher_is_better: true\n",
        encoding="utf-8")
    return prompts, lm_dir


def lm_eval_command(python: str, url: str, lm_dir: Path, out: Path, limit: int, concurrency: int) -> list[str]:
    return [python, "-m", "lm_eval", "--model", "local-chat-completions", "--model_args",
            f"base_url={url}/chat/completions,model=bench,num_concurrent={concurrency},max_retries=1,"
            "tokenized_requests=False", "--tasks", LM_EVAL_TASK, "--include_path", str(lm_dir),
            "--apply_chat_template", "--batch_size", "1", "--limit", str(limit), "--output_path", str(out)]


@dataclass
class Row:
    client: str
    concurrency: int
    run: Run
    one: Run  # the 1-request run of the same client, for the marginal CPU


def ideal_fraction(run: Run, n: int, c: int, delay_s: float) -> float | None:
    if run.first_request_at is None or run.last_answer_at is None:
        return None
    return (-(-n // c) * delay_s) / (run.last_answer_at - run.first_request_at)


def client_commands(args: argparse.Namespace, url: str, root: Path, prompts: Path,
                    lm_dir: Path) -> dict[str, tuple[object, dict[str, str]]]:
    """client name -> (command(limit, C, tag) -> argv, extra environment)."""
    clients: dict[str, tuple[object, dict[str, str]]] = {
        "raw asyncio (ceiling)": (lambda n, c, tag: [sys.executable, str(ROOT / "benchmarks" / "raw_chat_client.py"),
                                                      url, str(prompts), "--concurrency", str(c), "--limit", str(n)],
                                  {}),
        "emer-bench (openai)": (lambda n, c, tag: emer_command(url, root / "task", root / f"emer-{tag}", n, c), {}),
    }
    if args.lm_eval_python:
        # A user's warm datasets cache (filled by the warm-up run); nothing is fetched from a hub.
        env = {"HF_DATASETS_OFFLINE": "1", "HF_HUB_OFFLINE": "1", "HF_DATASETS_CACHE": str(root / "hf-datasets"),
               "TOKENIZERS_PARALLELISM": "false"}
        clients["lm-eval (local-chat-completions)"] = (
            lambda n, c, tag: lm_eval_command(args.lm_eval_python, url, lm_dir, root / f"lm-{tag}", n, c), env)
    return clients


def measure_all(args: argparse.Namespace) -> tuple[list[Row], str]:
    rows: list[Row] = []
    with tempfile.TemporaryDirectory(prefix="peer-") as tmp, DelayServerProcess(args.delay_ms / 1000) as server:
        root = Path(tmp)
        (root / "task").mkdir()
        write_text_task(root / "task", args.requests)
        prompts, lm_dir = write_prompts(root / "task")
        for name, (command, env) in client_commands(args, server.base_url, root, prompts, lm_dir).items():
            measure(server, command(1, 1, "warm"), env)  # warm-up: page cache, .pyc, datasets cache
            # The least CPU of 3 one-request runs: the fixed cost, less the noise of a shared machine.
            one = min((measure(server, command(1, 1, f"one{i}"), env) for i in range(3)), key=lambda r: r.cpu_s)
            for c in args.concurrency:
                runs = [measure(server, command(args.requests, c, f"c{c}r{i}"), env) for i in range(args.repeats)]
                best = min(runs, key=lambda r: r.wall_s)
                assert best.requests == args.requests, (name, c, best.requests)
                rows.append(Row(name, c, best, one))
                print(f"{name} C={c}: {best}", flush=True)
    return rows, machine_line()


def interleaved_ratio(args: argparse.Namespace) -> list[str]:
    """emer-bench against the raw client at the highest C, run after run, alternating: the
    machine's drift hits both alike, so the ratio of the medians is steadier than one run of each."""
    c, n = max(args.concurrency), args.requests
    fractions: dict[str, list[float]] = {}
    with tempfile.TemporaryDirectory(prefix="peer-ratio-") as tmp, DelayServerProcess(args.delay_ms / 1000) as server:
        root = Path(tmp)
        (root / "task").mkdir()
        write_text_task(root / "task", n)
        prompts, lm_dir = write_prompts(root / "task")
        clients = client_commands(argparse.Namespace(lm_eval_python=None), server.base_url, root, prompts, lm_dir)
        for i in range(args.interleave):
            for name, (command, env) in clients.items():
                run = measure(server, command(n, c, f"ratio{i}"), env)  # type: ignore[operator]
                got = ideal_fraction(run, n, c, args.delay_ms / 1000)
                if got is not None:
                    fractions.setdefault(name, []).append(got)
    medians = {name: statistics.median(values) for name, values in fractions.items()}
    raw, emer = medians["raw asyncio (ceiling)"], medians["emer-bench (openai)"]
    return ["", f"## Interleaved at C = {c}: {args.interleave} runs of each, alternating", "",
            *(f"- {name}: {', '.join(f'{v:.3f}' for v in values)} of the ideal rate (median {medians[name]:.3f})"
              for name, values in fractions.items()),
            f"- emer-bench / raw client, medians: **{emer / raw:.3f}**"]


def _f(value: float | None, fmt: str = ".2f") -> str:
    return "-" if value is None else format(value, fmt)


def report(args: argparse.Namespace, rows: list[Row], machine_before: str, version: str) -> str:
    n = args.requests
    lines = [
        "# Side by side: emer-bench vs lm-evaluation-harness (API model) vs a raw asyncio client", "",
        f"- machine: {machine_before} before, {os.getloadavg()[0]:.1f} after "
        "(shared with other jobs: compare CPU columns, and rows of one run only); "
        f"{datetime.now(timezone.utc).strftime('%Y-%m-%d %H:%M UTC')}",
        f"- server: benchmarks/delay_server.py in a child process, every answer after {args.delay_ms:.0f} ms; "
        f"{n} requests per row, the same prompts (demo subtitles in one template), max 64 tokens",
        f"- lm-eval: {version}",
        "- each row is a fresh process; fastest of "
        f"{args.repeats}; CPU = user + sys of the client process (wait4)",
        f"- command: `python3 benchmarks/bench_peer.py {' '.join(sys.argv[1:])}`", "",
        "| client | C | of ideal rate | launch -> first request s | total wall s | last answer -> exit s "
        "| CPU s | CPU s, 1 request (least of 3) | client CPU ms/request (marginal) |",
        "| --- | ---: | ---: | ---: | ---: | ---: | ---: | ---: | ---: |",
    ]
    for r in rows:
        per_request = 1000 * (r.run.cpu_s - r.one.cpu_s) / (n - 1)
        lines.append(f"| {r.client} | {r.concurrency} | {_f(ideal_fraction(r.run, n, r.concurrency, args.delay_ms / 1000), '.3f')} "
                     f"| {_f(r.run.to_first_request_s)} | {r.run.wall_s:.2f} | {_f(r.run.last_answer_to_exit_s)} "
                     f"| {r.run.cpu_s:.2f} | {r.one.cpu_s:.2f} | {per_request:.2f} |")
    if not args.lm_eval_python:
        lines += ["", "lm-eval rows skipped: no `--lm-eval-python` given (a separate virtual environment with "
                  "`pip install 'lm-eval[api]'`; see the docstring)."]
    return "\n".join(lines) + "\n"


def lm_eval_version(python: str | None) -> str:
    if not python:
        return "not measured (no --lm-eval-python)"
    probe = subprocess.run([python, "-c", "import importlib.metadata as m; print(m.version('lm_eval'))"],
                           capture_output=True, text=True)
    if probe.returncode != 0:
        raise SystemExit(f"--lm-eval-python {python}: lm_eval is not importable there ({probe.stderr.strip()[-300:]})")
    return f"lm_eval {probe.stdout.strip()} in {python}"


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--lm-eval-python", help="python of a virtual environment with lm-eval[api] installed")
    parser.add_argument("--requests", type=int, default=640)
    parser.add_argument("--concurrency", type=int, nargs="+", default=[1, 16, 64])
    parser.add_argument("--delay-ms", type=float, default=100.0)
    parser.add_argument("--repeats", type=int, default=1)
    parser.add_argument("--interleave", type=int, default=6,
                        help="then this many alternating runs of emer-bench and the raw client at the highest C "
                             "(0: none)")
    parser.add_argument("--out", type=Path, default=RESULTS)
    args = parser.parse_args()
    version = lm_eval_version(args.lm_eval_python)
    machine_before = machine_line()
    rows, _ = measure_all(args)
    text = report(args, rows, machine_before, version)
    if args.interleave:
        text += "\n".join(interleaved_ratio(args)) + "\n"
    args.out.write_text(text)
    print(text)
    return 0


if __name__ == "__main__":
    sys.exit(main())
