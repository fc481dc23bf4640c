"""The built-in tasks and adapters are found from a normal (non-editable) wheel install."""

from __future__ import annotations

import json
import subprocess
import sys
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[2]

pytestmark = pytest.mark.slow


@pytest.fixture(scope="module")
def venv(tmp_path_factory) -> Path:
    tmp = tmp_path_factory.mktemp("wheel")
    subprocess.run([sys.executable, "-m", "pip", "wheel", "-q", "--no-deps", "--no-build-isolation", str(ROOT),
                    "-w", str(tmp / "dist")], check=True, cwd=tmp)
    wheel = next((tmp / "dist").glob("emer_bench-*.whl"))
    subprocess.run([sys.executable, "-m", "venv", "--system-site-packages", str(tmp / "venv")], check=True)
    python = tmp / "venv" / "bin" / "python"
    # The dependencies come from the interpreter running the tests. --system-site-packages only
    # reaches the *base* interpreter's, which lacks them when the suite runs from a virtual
    # environment, so its site-packages folders are also listed in a .pth file. Plain path lines
    # in a .pth file do not run the .pth files found there, so an editable emer_bench in them stays
    # inactive and the wheel's copy (earlier on sys.path) is the one imported.
    nested_site = subprocess.run([str(python), "-c", "import sysconfig; print(sysconfig.get_paths()['purelib'])"],
                                 capture_output=True, text=True, check=True).stdout.strip()
    Path(nested_site, "emer_bench_test_deps.pth").write_text("\n".join(_site_dirs()) + "\n")
    subprocess.run([str(python), "-m", "pip", "install", "-q", "--no-deps", str(wheel)], check=True, cwd=tmp)
    return tmp / "venv"


def _site_dirs() -> list[str]:
    """The running interpreter's package folders (venv, user and system site-packages)."""
    return [p for p in sys.path if Path(p).name in ("site-packages", "dist-packages") and Path(p).is_dir()]


def test_package_comes_from_the_wheel(venv, tmp_path):
    out = subprocess.run([str(venv / "bin" / "python"), "-c",
                          "import emer_bench, emer_bench.model_adapters.lexicon_baseline as m, emer_bench.builtin_tasks as t;"
                          "print(emer_bench.__file__); print(m.__file__); print(list(t.__path__)[0])"],
                         capture_output=True, text=True, check=True, cwd=tmp_path)
    for line in out.stdout.splitlines():
        assert str(venv) in line and str(ROOT) not in line


def test_demo_runs_from_the_wheel(venv, tmp_path):
    exe = str(venv / "bin" / "emer-bench")
    listing = subprocess.run([exe, "list", "tasks"], capture_output=True, text=True, check=True, cwd=tmp_path)
    assert "emer-demo" in listing.stdout and "emer-fine" in listing.stdout
    models = subprocess.run([exe, "list", "models"], capture_output=True, text=True, check=True, cwd=tmp_path)
    assert "qwen2_5_omni" in models.stdout and "openai" in models.stdout
    run = subprocess.run([exe, "run", "--model", "lexicon-baseline", "--tasks", "emer-demo", "--output-dir", "out",
                          "--n-resamples", "20", "--no-progress"], capture_output=True, text=True, cwd=tmp_path)
    assert run.returncode == 0, run.stderr
    results = json.loads(next((tmp_path / "out").rglob("results_*.json")).read_text())
    assert results["results"]["emer-demo"]["n_total"] == 10
