"""Throughput of the hf_text adapter (judge / LLM-extractor workloads) by batching strategy.

A random-weight Qwen2 causal LM (default hidden 256, 4 layers; built offline with the test
builders, tokenizer trained locally) answers N prompts of mixed length, like judge prompts
that embed answers of very different sizes, through `generate_stream` exactly as the LLM
tools call it. Strategies, all greedy with the same max_new_tokens:

- baseline: batch_size=1 (one generate call per prompt, what a naive adapter does);
- batched, arrival order: batch_size=B, window_batches=1 (each batch is the next B prompts);
- batched, length-sorted windows (the hf_text default): batch_size=B, window_batches=8.

Reported: wall time (best of --repeats), prompts/s, speed-up over the baseline, the share of
prompt positions that are padding, and how many answers equal the baseline's.

    python3 benchmarks/bench_hf_text_batching.py [--n 64] [--batch-size 8] [--max-new-tokens 16]
"""

from __future__ import annotations

import argparse
import os
import random
import sys
import tempfile
import time
from datetime import datetime, timezone
from pathlib import Path
from typing import Any

from machine_info import cpu_model  # noqa: E402  (benchmarks/ is on sys.path when run as a script)

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))
sys.path.insert(0, str(ROOT / "tests" / "model_adapters"))
os.environ.setdefault("HF_HUB_OFFLINE", "1")

from emer_bench.api.adapter import PreparedRequest  # noqa: E402
from emer_bench.api.requests import GenerationRequest, Modality  # noqa: E402
from emer_bench.model_adapters.hf_text import HFTextAdapter, HFTextArgs  # noqa: E402
from tiny_models import CORPUS, build_tiny_text_lm  # noqa: E402

RESULTS = ROOT / "benchmarks" / "results" / "hf_text_batching.md"


def judge_prompts(n: int, seed: int = 0) -> list[str]:
    """Prompts of 1-12 corpus sentences: lengths spread like judge prompts over short and long answers."""
    rng = random.Random(seed)
    return [f"Rate 0-10 how well the answer matches. Answer: {' '.join(rng.choices(CORPUS, k=rng.randint(1, 12)))}"
            for _ in range(n)]


def run(adapter: HFTextAdapter, prompts: list[str]) -> tuple[float, list[str | None], float]:
    """Wall time, answers in request order, and the padding share of all prompt positions."""
    shapes: list[tuple[int, int, int]] = []
    real = adapter.model.generate

    def counting_generate(**kwargs: Any) -> Any:
        ids, mask = kwargs["input_ids"], kwargs["attention_mask"]
        shapes.append((ids.shape[0], ids.shape[1], int(mask.sum())))
        return real(**kwargs)

    adapter.model.generate = counting_generate
    requests = [PreparedRequest(GenerationRequest(task="bench", index=i, clip_id=f"p{i}", prompt=p,
                                                  modalities=(Modality.SUBTITLE,)))
                for i, p in enumerate(prompts)]
    start = time.perf_counter()
    out = sorted(adapter.generate_stream(iter(requests)), key=lambda g: g.index)
    elapsed = time.perf_counter() - start
    del adapter.model.generate
    errors = [g.error for g in out if g.error]
    if errors:
        raise SystemExit(f"benchmark run failed: {errors[0]}")
    positions = sum(rows * width for rows, width, _ in shapes)
    padding = 1 - sum(real_tokens for _, _, real_tokens in shapes) / positions
    return elapsed, [g.text for g in out], padding


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--n", type=int, default=64)
    parser.add_argument("--batch-size", type=int, default=8)
    parser.add_argument("--max-new-tokens", type=int, default=16)
    parser.add_argument("--hidden", type=int, default=256)
    parser.add_argument("--layers", type=int, default=4)
    parser.add_argument("--repeats", type=int, default=3)
    args = parser.parse_args()

    import torch

    checkpoint = build_tiny_text_lm(Path(tempfile.mkdtemp()) / "lm", hidden_size=args.hidden,
                                    intermediate_size=4 * args.hidden, num_hidden_layers=args.layers,
                                    num_attention_heads=4, num_key_value_heads=2)
    prompts = judge_prompts(args.n)
    strategies = {
        "baseline: batch_size=1": dict(batch_size=1, window_batches=1),
        f"batch_size={args.batch_size}, arrival order": dict(batch_size=args.batch_size, window_batches=1),
        f"batch_size={args.batch_size}, length-sorted windows of {8 * args.batch_size} (default)":
            dict(batch_size=args.batch_size, window_batches=8),
    }
    adapters = {label: HFTextAdapter(HFTextArgs(pretrained=str(checkpoint), device="cpu",
                                                max_new_tokens=args.max_new_tokens, **options))
                for label, options in strategies.items()}
    for adapter in adapters.values():
        run(adapter, prompts[: min(4, len(prompts))])  # warm-up
    # Strategies take turns within each repeat, so background load hits them alike; best time kept.
    best: dict[str, tuple[float, list[str | None], float]] = {}
    for _ in range(args.repeats):
        for label, adapter in adapters.items():
            result = run(adapter, prompts)
            if label not in best or result[0] < best[label][0]:
                best[label] = result
    rows = []
    base_label = next(iter(strategies))
    base_time, reference = best[base_label][0], best[base_label][1]
    for label, (elapsed, answers, padding) in best.items():
        same = sum(a == b for a, b in zip(answers, reference))
        rows.append((label, elapsed, args.n / elapsed, base_time / elapsed, padding, same))
        print(f"{label}: {elapsed:.2f} s, {args.n / elapsed:.1f} prompts/s, x{base_time / elapsed:.2f}, "
              f"padding {padding:.0%}")

    lengths = sorted(len(p.split()) for p in prompts)
    lines = [
        "# hf_text batching throughput",
        "",
        f"- machine: {cpu_model()}, {os.cpu_count()} cores, torch {torch.__version__} "
        f"({torch.get_num_threads()} threads), CPU only",
        f"- date: {datetime.now(timezone.utc).strftime('%Y-%m-%d %H:%M UTC')}; load average during the run "
        f"{os.getloadavg()[0]:.1f} (other jobs shared the cores; strategies alternate so it hits each alike)",
        f"- model: random-weight Qwen2, hidden {args.hidden}, {args.layers} layers, float32",
        f"- workload: {args.n} judge-style prompts of {lengths[0]}-{lengths[-1]} words (median "
        f"{lengths[len(lengths) // 2]}), greedy, max_new_tokens={args.max_new_tokens}, through `generate_stream`",
        f"- command: `python3 benchmarks/bench_hf_text_batching.py --n {args.n} --batch-size {args.batch_size}`",
        "",
        f"| strategy | wall s (best of {args.repeats}) | prompts/s | speed-up | padding share | answers equal to baseline |",
        "| --- | ---: | ---: | ---: | ---: | ---: |",
    ]
    for label, best, rate, speedup, padding, same in rows:
        lines.append(f"| {label} | {best:.2f} | {rate:.1f} | x{speedup:.2f} | {padding:.0%} | {same}/{args.n} |")
    lines += ["", "Answers that differ from the baseline would differ only through float rounding in padded "
              "batches (random weights make near-ties common); they are counted, not hidden.",
              "On a CPU each forward pass is compute-bound, so batching gains stay modest; on a GPU, decoding is "
              "memory-bound and the gain of batching grows with batch size (not measured here: no GPU). "
              "Under heavy background load (load average > cores) the absolute times grow many-fold; compare "
              "strategies within one run only.", ""]
    RESULTS.parent.mkdir(parents=True, exist_ok=True)
    RESULTS.write_text("\n".join(lines))
    print(f"wrote {RESULTS}")


if __name__ == "__main__":
    main()
