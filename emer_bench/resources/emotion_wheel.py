"""The emotion-wheel resources of the EW metrics: pinned upstream files, download, cache, checks.

Resolution order for the directory used in scoring:
    an explicit directory (--resources / scorer arg / run config)
    > $EMER_BENCH_RESOURCES
    > the cache of the requested version (`emer-bench resources fetch` fills it).
A user directory may hold edited copies: its hashes are recorded in the results and a
mismatch with the pinned files is a warning (`matches_pinned: false`), not an error.
Downloads are verified BEFORE anything lands in the cache: all files of a version are fetched
into a staging directory, checked against the pinned sha256, then renamed into place.
"""

from __future__ import annotations

import logging
import os
import shutil
import tempfile
import urllib.error
import urllib.request
from dataclasses import dataclass
from pathlib import Path
from typing import Any, Callable

import platformdirs

from emer_bench.errors import ConfigError, ResourceError
from emer_bench.resources.file_hashes import file_sha256
from emer_bench.resources.wheel_tables import RESOURCE_FILES

log = logging.getLogger(__name__)

UPSTREAM_REPO = "zeroQiaoba/MERTools"
PINNED_COMMIT = "89120b780ab18b28349f0e37dcc12b8cc253cb02"
DEFAULT_BASE_URL = f"https://raw.githubusercontent.com/{UPSTREAM_REPO}/{PINNED_COMMIT}"
DEFAULT_VERSION = "mer2025"
ENV_RESOURCES = "EMER_BENCH_RESOURCES"  # a directory to use instead of the cache
ENV_CACHE = "EMER_BENCH_CACHE"  # the cache root (default: the user cache dir)
ENV_BASE_URL = "EMER_BENCH_RESOURCES_URL"  # where `fetch` downloads from (mirrors, tests)
FETCH_HINT = "run `emer-bench resources fetch` (or pass --resources DIR)"
# What to do on a machine that cannot reach the upstream host (said when a download fails).
OFFLINE_HINT = (f"to work offline, copy the files ({', '.join(RESOURCE_FILES)}) from a machine that has them "
                f"(`emer-bench resources path` shows where) and pass --resources DIR or set {ENV_RESOURCES}=DIR, "
                f"or serve a mirror of the upstream layout and pass --base-url URL (or set {ENV_BASE_URL})")

_SHARED_SHA256 = {
    "synonym.xlsx": "23f81f9ab1d2418aaf96775304fb5dc52c62bb5d5ef652a97471d045fc9d2e29",
    "wheel1.xlsx": "e70485d354b82a7491ff24648273182a5f4f13f92c76e6b3e4f9033f5e6afcc1",
    "wheel2.xlsx": "acc001e076a8e60440361f58dd8c05ed900c4890c84bb7d8d1df93708a7d9c87",
    "wheel3.xlsx": "d62f30bf88c17c55876634cd088eacaef98278fc25457474364439872f9dbf83",
    "wheel4.xlsx": "660260561b7fe15550f3679a01e7c783608ce3403d4c28db0a88520f68d83aea",
    "wheel5.xlsx": "2dd4595b2cf8e7628ca06a416a8e38ac831614b244f23d1ae613dc34007649f1",
}


@dataclass(frozen=True)
class ResourceVersion:
    name: str
    upstream_path: str  # folder inside the upstream repository at PINNED_COMMIT
    sha256: dict[str, str]  # file name -> pinned digest


VERSIONS: dict[str, ResourceVersion] = {
    "mer2025": ResourceVersion("mer2025", "MER2025/MER2025_Track23/emotion_wheel", {
        "format.csv": "ba6de7d61db8e129d1d7ef8a2aae22a9e93a2c2e3e683e6f2735d04455f016f2", **_SHARED_SHA256}),
    # MER2026 edited 18 rows of format.csv; the other files are those of mer2025.
    "mer2026": ResourceVersion("mer2026", "MER2026/MER2026_Track2/emotion_wheel", {
        "format.csv": "82234299875465ecf6c196ace42ffbe745baaeea72b5e39de955af36929982a4", **_SHARED_SHA256}),
}


def get_version(name: str) -> ResourceVersion:
    try:
        return VERSIONS[name]
    except KeyError:
        raise ConfigError(f"unknown emotion-wheel resource version '{name}'; known: {', '.join(VERSIONS)}") from None


def cache_root() -> Path:
    """$EMER_BENCH_CACHE or the user cache dir (e.g. ~/.cache/emer-bench)."""
    return Path(os.environ.get(ENV_CACHE) or platformdirs.user_cache_dir("emer-bench")).expanduser()


def cached_dir(version: str) -> Path:
    """Where `fetch` puts `version` (the commit is part of the path: a new pin never mixes files)."""
    return cache_root() / "emotion_wheel" / f"{get_version(version).name}-{PINNED_COMMIT[:12]}"


def is_complete(directory: Path) -> bool:
    return all((directory / name).is_file() for name in RESOURCE_FILES)


def verify_directory(directory: Path, version: str) -> dict[str, tuple[str | None, str, bool]]:
    """file -> (actual sha256 or None if missing, pinned sha256, matches)."""
    pinned = get_version(version).sha256
    report: dict[str, tuple[str | None, str, bool]] = {}
    for name in RESOURCE_FILES:
        path = directory / name
        actual = file_sha256(path) if path.is_file() else None
        report[name] = (actual, pinned[name], actual == pinned[name])
    return report


def identify_version(sha256: dict[str, str]) -> str | None:
    """The pinned version whose files these are exactly, if any."""
    return next((v.name for v in VERSIONS.values() if all(sha256.get(n) == h for n, h in v.sha256.items())), None)


@dataclass(frozen=True)
class ResolvedResources:
    directory: Path
    version: str
    source: str  # "argument", "env:EMER_BENCH_RESOURCES" or "cache"


def resolve_resources(explicit: Path | str | None, version: str = DEFAULT_VERSION) -> ResolvedResources:
    """The emotion-wheel directory to use; ResourceError (with the fix) when there is none."""
    get_version(version)
    if explicit:
        directory, source, where = Path(explicit).expanduser(), "argument", "the given resources directory"
    elif os.environ.get(ENV_RESOURCES):
        directory, source = Path(os.environ[ENV_RESOURCES]).expanduser(), f"env:{ENV_RESOURCES}"
        where = f"${ENV_RESOURCES}"
    else:
        directory, source, where = cached_dir(version), "cache", f"the {version} resource cache"
    if not directory.is_dir():
        raise ResourceError(f"emotion-wheel resources not found: {where} {directory} does not exist; {FETCH_HINT}")
    missing = [name for name in RESOURCE_FILES if not (directory / name).is_file()]
    if missing:
        raise ResourceError(f"emotion-wheel resources incomplete: {where} {directory} lacks "
                            f"{', '.join(missing)}; {FETCH_HINT}")
    return ResolvedResources(directory.resolve(), version, source)


def describe_resources(resolved: ResolvedResources, sha256: dict[str, str]) -> dict[str, Any]:
    """What the results record about the resources; warns when they are not the pinned files."""
    pinned = get_version(resolved.version).sha256
    matches = all(sha256.get(name) == digest for name, digest in pinned.items())
    if not matches:
        log.warning("emotion-wheel files in %s differ from the pinned %s files (%s); scores may not be comparable "
                    "with published numbers", resolved.directory, resolved.version,
                    ", ".join(n for n, d in pinned.items() if sha256.get(n) != d))
    return {"version": resolved.version, "directory": str(resolved.directory), "source": resolved.source,
            "upstream": f"{UPSTREAM_REPO}@{PINNED_COMMIT}/{get_version(resolved.version).upstream_path}",
            "sha256": dict(sha256), "matches_pinned": matches, "identified_as": identify_version(sha256)}


def _download(url: str, target: Path, timeout: float) -> None:
    try:
        with urllib.request.urlopen(url, timeout=timeout) as response, target.open("wb") as out:
            shutil.copyfileobj(response, out)
    except urllib.error.HTTPError as exc:
        raise ResourceError(f"downloading {url} failed: HTTP {exc.code} {exc.reason}; {OFFLINE_HINT}") from None
    except (urllib.error.URLError, OSError, TimeoutError) as exc:
        reason = getattr(exc, "reason", exc)
        raise ResourceError(f"downloading {url} failed: {reason}; {OFFLINE_HINT}") from None


def fetch_resources(version: str = DEFAULT_VERSION, base_url: str | None = None, timeout: float = 60.0,
                    progress: Callable[[str], None] | None = None) -> Path:
    """Download `version` into the cache (files already there with the right hash are kept)."""
    spec = get_version(version)
    base = (base_url or os.environ.get(ENV_BASE_URL) or DEFAULT_BASE_URL).rstrip("/")
    target = cached_dir(version)
    target.parent.mkdir(parents=True, exist_ok=True)
    todo = [n for n in RESOURCE_FILES if not ((target / n).is_file() and file_sha256(target / n) == spec.sha256[n])]
    if not todo:
        return target
    with tempfile.TemporaryDirectory(prefix=".staging-", dir=target.parent) as staging_name:
        staging = Path(staging_name)
        for name in todo:
            url = f"{base}/{spec.upstream_path}/{name}"
            if progress:
                progress(url)
            _download(url, staging / name, timeout)
            actual = file_sha256(staging / name)
            if actual != spec.sha256[name]:
                raise ResourceError(f"sha256 mismatch for {name} from {url}: expected {spec.sha256[name]}, "
                                    f"got {actual}; nothing was cached")
        target.mkdir(parents=True, exist_ok=True)
        for name in todo:
            os.replace(staging / name, target / name)  # atomic within one filesystem
    return target
