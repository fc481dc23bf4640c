"""Shared test setup: offline hubs, paths to ../shared and to the bundled demo."""

from __future__ import annotations

import os
from pathlib import Path

import pytest

# Nothing may download weights or data at test time.
os.environ.setdefault("HF_HUB_OFFLINE", "1")
os.environ.setdefault("TRANSFORMERS_OFFLINE", "1")
os.environ.setdefault("HF_DATASETS_OFFLINE", "1")
os.environ.setdefault("TOKENIZERS_PARALLELISM", "false")

PROJECT_ROOT = Path(__file__).resolve().parents[1]
SHARED_DIR = Path(os.environ.get("EMER_BENCH_SHARED", PROJECT_ROOT.parent / "shared"))
DEMO_TASK_DIR = PROJECT_ROOT / "tasks" / "emer_demo"


@pytest.fixture(scope="session")
def shared_dir() -> Path:
    """The read-only upstream material (`../shared`); tests never copy it into the repo."""
    if not SHARED_DIR.is_dir():
        pytest.fail(f"../shared not found at {SHARED_DIR}; set EMER_BENCH_SHARED")
    return SHARED_DIR


@pytest.fixture(scope="session")
def wheel_dir(shared_dir: Path) -> Path:
    """The default (mer2025) emotion-wheel resource directory."""
    return shared_dir / "data" / "emotion_wheel" / "mer2025"


@pytest.fixture(scope="session")
def emer_data_dir(shared_dir: Path) -> Path:
    return shared_dir / "data" / "emer"


@pytest.fixture(scope="session")
def demo_clips() -> list[Path]:
    """The committed demo clips (real mp4 files with an AAC speech track)."""
    clips = sorted((DEMO_TASK_DIR / "clips").glob("*.mp4"))
    if not clips:
        pytest.fail("no demo clips in tasks/emer_demo/clips; run scripts/make_demo_clips.py")
    return clips
