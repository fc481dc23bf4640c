"""`emer-bench resources fetch|path|verify` end to end (downloads from a local mirror)."""

from __future__ import annotations

import shutil
from pathlib import Path

import pytest

from emer_bench.cli.main import main
from emer_bench.resources import emotion_wheel
from support_modules import load_support




mirror_server = load_support("resources", "mirror_server")


@pytest.fixture(autouse=True)
def cache(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Path:
    monkeypatch.setenv(emotion_wheel.ENV_CACHE, str(tmp_path / "cache"))
    monkeypatch.delenv(emotion_wheel.ENV_RESOURCES, raising=False)
    monkeypatch.delenv(emotion_wheel.ENV_BASE_URL, raising=False)
    return tmp_path / "cache"


def _run(capsys: pytest.CaptureFixture[str], *argv: str) -> tuple[int, str, str]:
    code = main(list(argv))
    out, err = capsys.readouterr()
    return code, out, " ".join(err.split())


def test_path_fetch_verify(capsys, tmp_path: Path, shared_dir: Path, cache: Path) -> None:
    code, out, err = _run(capsys, "resources", "path")
    assert code == 1 and out.strip() == str(emotion_wheel.cached_dir("mer2025")) and "resources fetch" in err
    code, _, err = _run(capsys, "resources", "verify")
    assert code == 2 and "emer-bench resources fetch" in err
    with mirror_server.MirrorServer(mirror_server.build_mirror(shared_dir, tmp_path / "mirror")) as server:
        code, out, err = _run(capsys, "resources", "fetch", "--version", "mer2026", "--base-url", server.url)
    assert code == 0 and out.strip() == str(emotion_wheel.cached_dir("mer2026"))
    assert "downloading" in err and Path(out.strip()).is_relative_to(cache)
    code, out, _ = _run(capsys, "resources", "path", "--version", "mer2026")
    assert code == 0
    code, out, _ = _run(capsys, "resources", "verify", "--version", "mer2026")
    assert code == 0 and "all files match" in out


def test_fetch_of_a_corrupted_file_fails_cleanly(capsys, tmp_path: Path, shared_dir: Path) -> None:
    root = mirror_server.build_mirror(shared_dir, tmp_path / "mirror")
    (root / emotion_wheel.VERSIONS["mer2025"].upstream_path / "synonym.xlsx").write_bytes(b"oops")
    with mirror_server.MirrorServer(root) as server:
        code, out, err = _run(capsys, "resources", "fetch", "--base-url", server.url)
    assert code == 2 and out == ""
    assert "sha256 mismatch for synonym.xlsx" in err and "nothing was cached" in err


def test_verify_an_edited_copy(capsys, tmp_path: Path, wheel_dir: Path, shared_dir: Path) -> None:
    copy = tmp_path / "mine"
    shutil.copytree(wheel_dir, copy)
    (copy / "format.csv").chmod(0o644)
    with (copy / "format.csv").open("a") as fh:
        fh.write('zany,"[zany, zanier]"\n')
    code, out, _ = _run(capsys, "resources", "verify", "--resources", str(copy))
    assert code == 1
    flat = " ".join(out.split())
    assert "differs" in flat and "matches_pinned: false" in flat
    assert "without a synonym.xlsx entry" in flat and "zany" in flat  # the orphan name is reported
    code, out, _ = _run(capsys, "resources", "verify", "--resources", str(shared_dir / "data" / "emotion_wheel" /
                                                                          "mer2026"))
    assert code == 1 and "they are the pinned mer2026 files" in " ".join(out.split())


def test_help_has_examples(capsys) -> None:
    for argv in (["resources", "--help"], ["resources", "fetch", "--help"], ["resources", "verify", "--help"],
                 ["score-labels", "--help"]):
        with pytest.raises(SystemExit):
            main(argv)
        assert "examples:" in capsys.readouterr().out


def test_fetch_without_network_says_how_to_work_offline(capsys) -> None:
    # Port 9 on localhost: connection refused, as on a machine without network.
    code, _, err = _run(capsys, "resources", "fetch", "--base-url", "http://127.0.0.1:9/mirror")
    assert code == 2 and "downloading http://127.0.0.1:9/mirror/" in err and "failed" in err
    for hint in ("--resources DIR", "EMER_BENCH_RESOURCES=DIR", "--base-url URL"):
        assert hint in err


@pytest.mark.parametrize("command", [["run", "--model", "lexicon-baseline", "--tasks", "emer-demo"],
                                     ["score-labels", "--references", "r.csv", "--predictions", "p.csv"]])
def test_explicit_resources_dir_missing_or_incomplete_is_an_error(capsys, tmp_path: Path, command) -> None:
    code, _, err = _run(capsys, *command, "--resources", str(tmp_path / "nowhere"))
    assert code == 2 and f"{tmp_path / 'nowhere'} does not exist" in err
    partial = tmp_path / "partial"
    partial.mkdir()
    (partial / "wheel1.xlsx").write_bytes(b"x")
    code, _, err = _run(capsys, *command, "--resources", str(partial))
    assert code == 2 and f"{partial} lacks" in err
    assert not list(tmp_path.rglob("samples_*"))
