"""nltk imported without scipy/scikit-learn (emer_bench.resources.nltk_lean)."""

from __future__ import annotations

import subprocess
import sys
import textwrap
import threading

import pytest

from emer_bench.resources import nltk_lean


def _run(code: str) -> str:
    # A fresh interpreter: the test process may have loaded nltk, scipy or sklearn already.
    done = subprocess.run([sys.executable, "-c", textwrap.dedent(code)], capture_output=True, text=True, timeout=120)
    assert done.returncode == 0, done.stderr
    return done.stdout.strip()


def test_rouge_warm_up_loads_neither_scipy_nor_sklearn_and_both_stay_importable():
    pytest.importorskip("rouge_score")
    out = _run("""
        import sys
        from emer_bench.api.scorer import ScoringContext
        from emer_bench.scoring.scorers.similarity.ngram import RougeLScorer
        from emer_bench.scoring.scorers.similarity.tokenize import CjkAwareRougeTokenizer
        RougeLScorer(RougeLScorer.Args(), ScoringContext()).warm_up()  # builds its tokenizer (stemmer) too
        tokens = CjkAwareRougeTokenizer().tokenize("The running dogs")
        print(tokens, "scipy.stats" in sys.modules, "sklearn" in sys.modules)
        import nltk.metrics.association, scipy.stats
        print(scipy.stats.__name__)
    """)
    # Porter stemming works (rouge-score's tokenizer), and nothing heavy came with it.
    assert out.splitlines() == ["['the', 'run', 'dog'] False False", "scipy.stats"]


def test_other_threads_may_import_hidden_packages_meanwhile():
    finder = nltk_lean._HideFromThread(threading.get_ident())
    with pytest.raises(ModuleNotFoundError):
        finder.find_spec("scipy.stats")
    assert finder.find_spec("numpy") is None
    seen: list[object] = []
    thread = threading.Thread(target=lambda: seen.append(finder.find_spec("scipy.stats")))
    thread.start()
    thread.join()
    assert seen == [None]  # another thread: not hidden


def test_import_nltk_returns_the_loaded_module():
    pytest.importorskip("nltk")
    first = nltk_lean.import_nltk()
    assert nltk_lean.import_nltk() is first is sys.modules["nltk"]
    assert not any(isinstance(f, nltk_lean._HideFromThread) for f in sys.meta_path)
