"""Make nltk's WordNet corpus available without downloading anything.

nltk reads WordNet only from `corpora/wordnet/` inside a directory on `nltk.data.path`,
refuses symlinks (and hard links) that lead out of that directory, and needs a `lexnames`
file that the Debian packages do not ship. So we copy the WordNet 3.0 database files of the
Debian packages `wordnet-base` and `wordnet-sense-index` into
`<user data dir>/nltk_data/corpora/wordnet/` and write `lexnames` from the table in the
package's `lexnames(5WN)` man page. An nltk WordNet that is already installed wins.

Run `python3 -m emer_bench.resources.wordnet_setup` once (the install script does).
"""

from __future__ import annotations

import gzip
import json
import re
import shutil
import sys
import tempfile
from pathlib import Path

import platformdirs

from emer_bench.errors import ResourceError
from emer_bench.resources.nltk_lean import import_nltk

DEBIAN_WORDNET_DIR = Path("/usr/share/wordnet")
DEBIAN_LEXNAMES_MAN = Path("/usr/share/man/man5/lexnames.5WN.gz")
INSTALL_HINT = "install the Debian packages: apt-get install wordnet-base wordnet-sense-index"

# The database files nltk's WordNetCorpusReader opens (everything but `lexnames`), and the
# package that provides each.
_DEBIAN_FILES: dict[str, str] = {
    **{name: "wordnet-base" for name in (
        "cntlist.rev", "index.adj", "index.adv", "index.noun", "index.verb",
        "data.adj", "data.adv", "data.noun", "data.verb",
        "adj.exc", "adv.exc", "noun.exc", "verb.exc")},
    "index.sense": "wordnet-sense-index",
}
_MANIFEST = ".emer-bench-wordnet.json"
# One table row of the man page: "00<TAB>adj.all<TAB>all adjective clusters".
_LEXNAME_ROW = re.compile(r"^(\d{2})\t\s*([a-z]+\.[A-Za-z]+)\s*\t")
_POS_NUMBER = {"noun": 1, "verb": 2, "adj": 3, "adv": 4}


def default_nltk_data_dir() -> Path:
    """`<user data dir of emer-bench>/nltk_data` (e.g. ~/.local/share/emer-bench/nltk_data)."""
    return Path(platformdirs.user_data_dir("emer-bench")) / "nltk_data"


def lexnames_from_man_page(man_page: Path) -> str:
    """The `lexnames` file (number, name, syntactic-category number; tab-separated)."""
    try:
        text = gzip.decompress(man_page.read_bytes()).decode("utf-8", errors="replace")
    except FileNotFoundError:
        raise ResourceError(f"WordNet lexnames man page not found: {man_page}; {INSTALL_HINT}") from None
    except (OSError, EOFError) as exc:
        raise ResourceError(f"WordNet lexnames man page {man_page} is unreadable ({exc}); "
                            f"reinstall wordnet-base") from None
    rows: list[tuple[int, str]] = []
    for line in text.splitlines():
        match = _LEXNAME_ROW.match(line)
        if match:
            rows.append((int(match.group(1)), match.group(2)))
    numbers = [number for number, _ in rows]
    # nltk asserts that line i holds file number i, so the table must be complete and ordered.
    if not rows or numbers != list(range(len(rows))):
        raise ResourceError(f"cannot parse the lexicographer file table in {man_page} "
                            f"(found numbers {numbers[:5]}...); reinstall wordnet-base")
    return "".join(f"{number:02d}\t{name}\t{_POS_NUMBER[name.split('.')[0]]}\n" for number, name in rows)


def _check_debian_files(debian_dir: Path) -> None:
    missing = [f"{name} ({package})" for name, package in _DEBIAN_FILES.items()
               if not (debian_dir / name).is_file()]
    if missing:
        raise ResourceError(f"WordNet files missing in {debian_dir}: {', '.join(missing)}; "
                            f"{INSTALL_HINT} (or install nltk's 'wordnet' corpus yourself)")


def _source_signature(debian_dir: Path, man_page: Path) -> dict[str, int]:
    """File sizes of the sources: a cheap check that a previous build is still current."""
    signature = {name: (debian_dir / name).stat().st_size for name in _DEBIAN_FILES}
    signature["lexnames(5WN)"] = man_page.stat().st_size
    return signature


def _is_current(corpus_dir: Path, signature: dict[str, int]) -> bool:
    try:
        manifest: object = json.loads((corpus_dir / _MANIFEST).read_text())
        return manifest == signature
    except (OSError, ValueError):
        return False


def build_wordnet_corpus(nltk_data_dir: Path, debian_dir: Path = DEBIAN_WORDNET_DIR,
                         man_page: Path = DEBIAN_LEXNAMES_MAN) -> Path:
    """Build `<nltk_data_dir>/corpora/wordnet/` from the Debian files; idempotent.

    The files are copied into a temporary sibling directory and renamed into place, so a
    concurrent build (data-parallel workers) or an interrupted one never leaves a half corpus.
    """
    _check_debian_files(debian_dir)
    lexnames = lexnames_from_man_page(man_page)
    signature = _source_signature(debian_dir, man_page)
    corpora = nltk_data_dir / "corpora"
    corpus_dir = corpora / "wordnet"
    if _is_current(corpus_dir, signature):
        return corpus_dir
    corpora.mkdir(parents=True, exist_ok=True)
    staging = Path(tempfile.mkdtemp(prefix=".wordnet-build-", dir=corpora))
    try:
        for name in _DEBIAN_FILES:
            shutil.copyfile(debian_dir / name, staging / name)  # a copy: nltk refuses links
        (staging / "lexnames").write_text(lexnames)
        (staging / _MANIFEST).write_text(json.dumps(signature))
        if corpus_dir.exists():
            if _is_current(corpus_dir, signature):  # another process finished first
                return corpus_dir
            shutil.rmtree(corpus_dir)  # stale build from other sources
        try:
            staging.rename(corpus_dir)
        except OSError:
            if not _is_current(corpus_dir, signature):
                raise
    finally:
        shutil.rmtree(staging, ignore_errors=True)
    return corpus_dir


def _installed_nltk_wordnet() -> Path | None:
    """The root of a WordNet that nltk can already find on its own (zip or folder)."""
    nltk = import_nltk()

    for resource in ("corpora/wordnet", "corpora/wordnet.zip"):
        try:
            found = nltk.data.find(resource)
        except LookupError:
            continue
        return Path(str(getattr(found, "path", found)))
    return None


def ensure_wordnet(nltk_data_dir: Path | None = None, debian_dir: Path = DEBIAN_WORDNET_DIR,
                   man_page: Path = DEBIAN_LEXNAMES_MAN, prefer_installed: bool = True) -> Path:
    """Make `nltk.corpus.wordnet` loadable offline; return the WordNet corpus location.

    Uses an nltk WordNet that is already installed when `prefer_installed`; otherwise builds
    one from the Debian files into `nltk_data_dir` (default: `default_nltk_data_dir()`) and
    puts that directory on `nltk.data.path`.
    """
    nltk = import_nltk()

    if prefer_installed:
        installed = _installed_nltk_wordnet()
        if installed is not None:
            return installed
    data_dir = nltk_data_dir or default_nltk_data_dir()
    corpus_dir = build_wordnet_corpus(data_dir, debian_dir, man_page)
    if str(data_dir) not in nltk.data.path:
        nltk.data.path.insert(0, str(data_dir))
    return corpus_dir


def main() -> int:
    try:
        location = ensure_wordnet()
    except ResourceError as exc:
        print(f"error: {exc}", file=sys.stderr)
        return 1
    from nltk.corpus import wordnet

    print(f"WordNet ready at {location} ({len(wordnet.synsets('happy'))} synsets for 'happy')")
    return 0


if __name__ == "__main__":
    sys.exit(main())
