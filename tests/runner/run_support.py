"""Shared setup for end-to-end `emer-bench run` tests against the real test HTTP server:
a subtitle-only copy of the bundled demo task (no media decoding, one cheap scorer)."""

from __future__ import annotations

from pathlib import Path

DEMO_TASK_DIR = Path(__file__).resolve().parents[2] / "tasks" / "emer_demo"


def text_demo_task(folder: Path, name: str = "demo-text", modalities: str = "[subtitle]") -> Path:
    """Write a subtitle-only (or `modalities`) demo task named `name` into `folder` (an --include-path)."""
    demo_yaml = (DEMO_TASK_DIR / "emer_demo.yaml").read_text().replace("{task_dir}", str(DEMO_TASK_DIR))
    head, _, _ = demo_yaml.partition("scorers:")
    head = head.replace("task: emer-demo", f"task: {name}").replace("modalities: [video, audio, subtitle]",
                                                                      f"modalities: {modalities}")
    folder.mkdir(parents=True, exist_ok=True)
    (folder / f"{name}.yaml").write_text(head + "scorers:\n  - name: rouge_l\nmain_metric: rouge_l.fscore\n")
    return folder
