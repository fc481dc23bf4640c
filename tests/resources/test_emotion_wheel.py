"""Resource resolution, verification and the sha256-checked download (against a local server)."""

from __future__ import annotations

import logging
import shutil
from pathlib import Path
from typing import Any, Iterator

import pytest

from emer_bench.errors import ConfigError, ResourceError
from emer_bench.resources.wheel_tables import RESOURCE_FILES, file_sha256
from emer_bench.resources import emotion_wheel as ew
from support_modules import load_support




mirror_server = load_support("resources", "mirror_server")


@pytest.fixture()
def mirror(tmp_path: Path, shared_dir: Path) -> Iterator[Any]:
    with mirror_server.MirrorServer(mirror_server.build_mirror(shared_dir, tmp_path / "mirror")) as server:
        yield server


@pytest.fixture(autouse=True)
def isolated_env(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Path:
    cache = tmp_path / "cache"
    monkeypatch.setenv(ew.ENV_CACHE, str(cache))
    monkeypatch.delenv(ew.ENV_RESOURCES, raising=False)
    monkeypatch.delenv(ew.ENV_BASE_URL, raising=False)
    return cache


def test_pinned_hashes_are_those_of_the_shared_copies(shared_dir: Path) -> None:
    for version in ew.VERSIONS.values():
        directory = shared_dir / "data" / "emotion_wheel" / version.name
        assert {n: file_sha256(directory / n) for n in RESOURCE_FILES} == version.sha256
    assert ew.VERSIONS["mer2025"].sha256["format.csv"] != ew.VERSIONS["mer2026"].sha256["format.csv"]


@pytest.mark.parametrize("version", ["mer2025", "mer2026"])
def test_fetch_downloads_verifies_and_caches(mirror: Any, isolated_env: Path, version: str) -> None:
    target = ew.fetch_resources(version, base_url=mirror.url)
    assert target == ew.cached_dir(version) and target.is_relative_to(isolated_env)
    assert {n: file_sha256(target / n) for n in RESOURCE_FILES} == ew.VERSIONS[version].sha256
    assert sorted(mirror.requests) == sorted(f"/{ew.VERSIONS[version].upstream_path}/{n}" for n in RESOURCE_FILES)
    mirror.requests.clear()
    assert ew.fetch_resources(version, base_url=mirror.url) == target
    assert mirror.requests == []  # complete and verified: nothing downloaded again
    assert ew.resolve_resources(None, version).source == "cache"


def test_fetch_uses_the_base_url_from_the_environment(mirror: Any, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv(ew.ENV_BASE_URL, mirror.url + "/")
    ew.fetch_resources("mer2025")
    assert len(mirror.requests) == len(RESOURCE_FILES)


def test_corrupted_download_is_rejected_and_nothing_is_cached(mirror: Any, isolated_env: Path) -> None:
    corrupt = mirror.root / ew.VERSIONS["mer2025"].upstream_path / "wheel3.xlsx"
    corrupt.write_bytes(corrupt.read_bytes() + b"tampered")
    with pytest.raises(ResourceError) as info:
        ew.fetch_resources("mer2025", base_url=mirror.url)
    message = str(info.value)
    assert "wheel3.xlsx" in message
    assert ew.VERSIONS["mer2025"].sha256["wheel3.xlsx"] in message  # expected
    assert file_sha256(corrupt) in message  # actual
    target = ew.cached_dir("mer2025")
    assert not target.exists() or not any(target.iterdir())  # not even the files that were fine
    assert not any(p.name.startswith(".staging") for p in target.parent.iterdir())
    with pytest.raises(ResourceError, match="emer-bench resources fetch"):
        ew.resolve_resources(None, "mer2025")


def test_a_damaged_cached_file_is_downloaded_again(mirror: Any) -> None:
    target = ew.fetch_resources("mer2025", base_url=mirror.url)
    (target / "format.csv").write_text("damaged")
    mirror.requests.clear()
    ew.fetch_resources("mer2025", base_url=mirror.url)
    assert mirror.requests == [f"/{ew.VERSIONS['mer2025'].upstream_path}/format.csv"]
    assert file_sha256(target / "format.csv") == ew.VERSIONS["mer2025"].sha256["format.csv"]


def test_http_errors_name_the_url(mirror: Any) -> None:
    (mirror.root / ew.VERSIONS["mer2026"].upstream_path / "synonym.xlsx").unlink()
    with pytest.raises(ResourceError, match=r"synonym\.xlsx failed: HTTP 404"):
        ew.fetch_resources("mer2026", base_url=mirror.url)
    with pytest.raises(ResourceError, match="failed"):
        ew.fetch_resources("mer2025", base_url="http://127.0.0.1:9", timeout=5)


def test_resolution_order(tmp_path: Path, wheel_dir: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    with pytest.raises(ResourceError, match=r"the mer2025 resource cache .* does not exist; run `emer-bench "
                                            r"resources fetch` \(or pass --resources DIR\)"):
        ew.resolve_resources(None)
    other = tmp_path / "other"
    shutil.copytree(wheel_dir, other)
    monkeypatch.setenv(ew.ENV_RESOURCES, str(other))
    assert ew.resolve_resources(None).directory == other.resolve()
    assert ew.resolve_resources(None).source == "env:EMER_BENCH_RESOURCES"
    explicit = ew.resolve_resources(wheel_dir)
    assert (explicit.directory, explicit.source) == (wheel_dir.resolve(), "argument")  # explicit wins
    (other / "wheel5.xlsx").chmod(0o644)
    (other / "wheel5.xlsx").unlink()
    with pytest.raises(ResourceError, match=r"\$EMER_BENCH_RESOURCES .* lacks wheel5\.xlsx"):
        ew.resolve_resources(None)
    with pytest.raises(ConfigError, match="unknown emotion-wheel resource version 'mer1999'"):
        ew.resolve_resources(wheel_dir, "mer1999")


def test_edited_copies_are_recorded_not_refused(tmp_path: Path, shared_dir: Path,
                                                caplog: pytest.LogCaptureFixture) -> None:
    mer2026 = shared_dir / "data" / "emotion_wheel" / "mer2026"
    resolved = ew.resolve_resources(mer2026, "mer2025")
    sha = {n: file_sha256(mer2026 / n) for n in RESOURCE_FILES}
    with caplog.at_level(logging.WARNING):
        info = ew.describe_resources(resolved, sha)
    assert info["matches_pinned"] is False and info["identified_as"] == "mer2026"
    assert "format.csv" in caplog.text
    assert ew.describe_resources(ew.resolve_resources(mer2026, "mer2026"), sha)["matches_pinned"] is True
    report = ew.verify_directory(mer2026, "mer2025")
    assert [n for n, (_, _, ok) in report.items() if not ok] == ["format.csv"]
    assert ew.verify_directory(tmp_path, "mer2025")["format.csv"][0] is None
