"""Import nltk without the scipy and scikit-learn that its package import pulls in.

`import nltk` (also `from nltk.corpus import wordnet`, and rouge-score's `from nltk.stem import
porter`) runs nltk/__init__.py, which imports scipy.stats (for collocation statistics) and
scikit-learn (for a classifier wrapper) whenever they are installed: ~1.2 of its ~1.7 s of CPU
and ~100 MB of RSS, for features emer-bench never uses (Porter stemming, BLEU, METEOR, WordNet).
It reaches them through `try: import ... except ImportError` fallbacks, so hiding the two
packages while nltk loads gives the same nltk minus those wrappers. That import runs on the
scorer warm-up thread while the model answers, where its CPU (it holds the GIL) slowed the
requests of a fast server.

Only the importing thread is affected (another thread importing scipy meanwhile gets it), and
only until nltk is loaded; scipy and scikit-learn stay importable afterwards. When either is
already loaded, nltk simply gets it.
"""

from __future__ import annotations

import importlib
import importlib.abc
import sys
import threading
from types import ModuleType
from typing import Sequence

HIDDEN = ("scipy", "sklearn")
_lock = threading.Lock()


class _HideFromThread(importlib.abc.MetaPathFinder):
    def __init__(self, thread_id: int) -> None:
        self.thread_id = thread_id

    def find_spec(self, fullname: str, path: Sequence[str] | None = None, target: ModuleType | None = None) -> None:
        if threading.get_ident() == self.thread_id and fullname.partition(".")[0] in HIDDEN:
            raise ModuleNotFoundError(f"{fullname} is not imported for nltk (emer_bench.resources.nltk_lean)",
                                      name=fullname)
        return None


def import_nltk() -> ModuleType:
    """`import nltk`, without loading scipy/scikit-learn for it; call before any nltk import."""
    loaded = sys.modules.get("nltk")
    if loaded is not None:
        return loaded
    with _lock:
        finder = _HideFromThread(threading.get_ident())
        sys.meta_path.insert(0, finder)
        try:
            module = importlib.import_module("nltk")
        finally:
            sys.meta_path.remove(finder)
    return module
