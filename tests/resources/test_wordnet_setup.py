"""WordNet without downloads: the corpus built from the Debian packages, and its errors."""

from __future__ import annotations

import gzip
import json
import os
import shutil
import warnings
from pathlib import Path

import nltk
import pytest

from emer_bench.errors import ResourceError
from emer_bench.resources import wordnet_setup
from emer_bench.resources.wordnet_setup import (DEBIAN_LEXNAMES_MAN, DEBIAN_WORDNET_DIR, build_wordnet_corpus,
                                                ensure_wordnet, lexnames_from_man_page)


@pytest.fixture()
def restore_nltk_path() -> list[str]:
    saved = list(nltk.data.path)
    yield nltk.data.path
    nltk.data.path[:] = saved


def test_lexnames_come_from_the_man_page_table() -> None:
    lines = lexnames_from_man_page(DEBIAN_LEXNAMES_MAN).splitlines()
    assert len(lines) == 45  # WordNet 3.0 has 45 lexicographer files, numbered 00..44
    assert lines[0] == "00\tadj.all\t3"
    assert lines[12] == "12\tnoun.feeling\t1"
    assert lines[18] == "18\tnoun.person\t1"  # the man page pads this name with spaces
    assert lines[37] == "37\tverb.emotion\t2"
    assert lines[44] == "44\tadj.ppl\t3"
    assert [int(line.split("\t")[0]) for line in lines] == list(range(45))


def test_the_corpus_holds_copies_not_links(tmp_path: Path) -> None:
    corpus = build_wordnet_corpus(tmp_path / "nltk_data")
    assert corpus == tmp_path / "nltk_data" / "corpora" / "wordnet"
    for name in ("data.noun", "index.adj", "verb.exc", "index.sense", "cntlist.rev", "lexnames"):
        path = corpus / name
        assert path.is_file() and not path.is_symlink(), name
        assert os.stat(path).st_nlink == 1, f"{name} is a hard link (nltk refuses them)"
    assert (corpus / "data.adj").read_bytes() == (DEBIAN_WORDNET_DIR / "data.adj").read_bytes()
    assert not [p for p in corpus.parent.iterdir() if p.name.startswith(".wordnet-build-")]


def test_building_twice_reuses_the_corpus(tmp_path: Path) -> None:
    corpus = build_wordnet_corpus(tmp_path)
    before = (corpus / "data.noun").stat().st_mtime_ns
    assert build_wordnet_corpus(tmp_path) == corpus
    assert (corpus / "data.noun").stat().st_mtime_ns == before


def test_a_stale_or_half_corpus_is_rebuilt(tmp_path: Path) -> None:
    corpus = tmp_path / "corpora" / "wordnet"
    corpus.mkdir(parents=True)
    (corpus / "data.noun").write_text("truncated")  # no manifest: an interrupted or foreign copy
    build_wordnet_corpus(tmp_path)
    assert (corpus / "data.noun").stat().st_size == (DEBIAN_WORDNET_DIR / "data.noun").stat().st_size
    manifest = json.loads((corpus / ".emer-bench-wordnet.json").read_text())
    assert manifest["data.noun"] == (DEBIAN_WORDNET_DIR / "data.noun").stat().st_size


def test_missing_debian_files_name_the_packages(tmp_path: Path) -> None:
    partial = tmp_path / "debian"
    partial.mkdir()
    shutil.copy(DEBIAN_WORDNET_DIR / "adj.exc", partial / "adj.exc")
    with pytest.raises(ResourceError) as error:
        build_wordnet_corpus(tmp_path / "out", debian_dir=partial)
    message = str(error.value)
    assert str(partial) in message and "data.noun (wordnet-base)" in message
    assert "index.sense (wordnet-sense-index)" in message
    assert "apt-get install wordnet-base wordnet-sense-index" in message
    assert not (tmp_path / "out").exists()


def test_missing_or_unparsable_man_page(tmp_path: Path) -> None:
    with pytest.raises(ResourceError, match="lexnames man page not found: .*apt-get install"):
        build_wordnet_corpus(tmp_path / "out", man_page=tmp_path / "absent.5WN.gz")
    garbled = tmp_path / "lexnames.5WN.gz"
    garbled.write_bytes(gzip.compress(b".TH LEXNAMES 5WN\nno table here\n"))
    with pytest.raises(ResourceError, match=f"cannot parse the lexicographer file table in {garbled}"):
        lexnames_from_man_page(garbled)


def test_an_installed_nltk_wordnet_is_used_as_is(tmp_path: Path, restore_nltk_path: list[str],
                                                   monkeypatch: pytest.MonkeyPatch) -> None:
    existing = tmp_path / "existing_nltk_data" / "corpora" / "wordnet"
    existing.mkdir(parents=True)
    restore_nltk_path.insert(0, str(tmp_path / "existing_nltk_data"))
    monkeypatch.setattr(wordnet_setup, "build_wordnet_corpus", _must_not_build)
    assert ensure_wordnet(tmp_path / "ours") == existing
    assert not (tmp_path / "ours").exists()


def _must_not_build(*args: object, **kwargs: object) -> Path:
    raise AssertionError("built a corpus although nltk already had one")


def test_ensure_wordnet_puts_the_built_corpus_on_the_nltk_path(tmp_path: Path,
                                                               restore_nltk_path: list[str]) -> None:
    corpus = ensure_wordnet(tmp_path / "nltk_data", prefer_installed=False)
    assert restore_nltk_path[0] == str(tmp_path / "nltk_data")
    assert Path(str(nltk.data.find("corpora/wordnet"))) == corpus


@pytest.mark.slow  # nltk reads the whole database (several seconds)
def test_the_built_corpus_loads_in_nltk(tmp_path: Path, restore_nltk_path: list[str]) -> None:
    from nltk.corpus.reader.wordnet import WordNetCorpusReader

    ensure_wordnet(tmp_path / "nltk_data", prefer_installed=False)
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")  # "multilingual functions are not available": no OMW, as intended
        reader = WordNetCorpusReader(nltk.data.find("corpora/wordnet"), None)
    assert "happy.a.01" in [synset.name() for synset in reader.synsets("happy")]
    assert reader.synset("anger.n.01").lexname() == "noun.feeling"
    assert reader.morphy("worried", "v") == "worry"
