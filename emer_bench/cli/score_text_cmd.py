"""`emer-bench score-text`: score a predictions file of free text against a task's references
(explanation scorers and any other registered scorer), with a run's results contract."""

from __future__ import annotations

import argparse
from pathlib import Path
from typing import Any

from rich.console import Console

from emer_bench.cli.run_cmd import EXIT_INCOMPLETE
from emer_bench.results.builder import incomplete_tasks
from emer_bench.cli.summary import print_summary, safe
from emer_bench.errors import ConfigError
from emer_bench.runner.predictions import (
    TEXT_COLUMNS,
    TextScoringConfig,
    score_text_file,
)

EPILOG = f"""\
predictions: CSV or JSONL with an id column (`name`, `names` or `clip_id`) and the answer
text (--text-column; default the first of {", ".join(TEXT_COLUMNS[:4])}, ...).
Every clip of the task is scored: a clip without a prediction is a failed sample (scored as
an empty answer, counted in n_failed; exit code 3 when more than --max-failure-rate of the
clips failed); a prediction for a clip the task lacks is an error. Output: samples,
per-sample scores and a results file under --output-dir/<model name>/, as `run` writes them
(CIs, n, failures), so `compare` and the leaderboard read them like any run.

examples:
  emer-bench score-text --task emer-v1 --data-dir DIR --predictions preds.csv \\
      --scorers embedding_similarity,bleu4,meteor,rouge_l
  emer-bench score-text --task emer-v1 --data-dir DIR --predictions out.jsonl --text-column response \\
      --model-name my-mllm-7b
"""


def add_parser(sub: Any) -> None:
    p = sub.add_parser("score-text", help="score free-text predictions against a task's references (no run)",
                       epilog=EPILOG, formatter_class=argparse.RawDescriptionHelpFormatter)
    p.add_argument("--task", required=True, help="task whose references (and scorers) to use")
    p.add_argument("--predictions", type=Path, required=True, metavar="FILE", help="CSV/JSONL: id + answer text")
    p.add_argument("--data-dir", type=Path, default=None, help="folder with the task's annotation files")
    p.add_argument("--include-path", action="append", default=[], help="extra folder of task YAML files")
    p.add_argument("--text-column", default=None, metavar="COL", help="column holding the answer text")
    p.add_argument("--scorers", default="", metavar="A,B",
                   help="scorers to apply (task scorer keys or registered names; default: the task's)")
    p.add_argument("--model-name", default=None, help="name the results carry (default: the file's stem)")
    p.add_argument("--output-dir", type=Path, default=Path("emer-results"))
    p.add_argument("--resources", type=Path, default=None, help="emotion-wheel resource folder")
    p.add_argument("--resource-version", default="mer2025", choices=["mer2025", "mer2026"])
    p.add_argument("--n-resamples", type=int, default=1000)
    p.add_argument("--seed", type=int, default=1234)
    p.add_argument("--max-failure-rate", type=float, default=0.0,
                   help="largest fraction of clips without a prediction that still exits 0 (default: %(default)s)")
    p.set_defaults(handler=run)


def run(args: argparse.Namespace) -> int:
    if not 0.0 <= args.max_failure_rate <= 1.0:  # 5 (a percentage?) would have hidden every failure
        raise ConfigError(f"--max-failure-rate must be between 0 and 1, got {args.max_failure_rate}")
    config = TextScoringConfig(
        task=args.task, predictions=args.predictions, data_dir=args.data_dir,
        include_paths=[Path(p) for p in args.include_path], text_column=args.text_column,
        scorers=[s.strip() for s in args.scorers.split(",") if s.strip()], model_name=args.model_name,
        output_dir=args.output_dir, resources_dir=args.resources, resource_version=args.resource_version,
        n_resamples=args.n_resamples, seed=args.seed)
    results, out = score_text_file(config)
    console = Console(soft_wrap=True)
    print_summary(results, console, out)
    console.print(f"results: {safe(out)}", highlight=False)
    incomplete = incomplete_tasks(results, args.max_failure_rate)
    for line in incomplete:
        Console(stderr=True, soft_wrap=True).print(f"[red]incomplete: {safe(line)}[/]", highlight=False)
    return EXIT_INCOMPLETE if incomplete else 0
