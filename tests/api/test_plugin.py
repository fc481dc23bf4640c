"""Plugin classes name their arguments class once, as the type parameter of their base."""

from __future__ import annotations

import pytest

from emer_bench.api.adapter import AdapterArgs, ModelAdapter
from emer_bench.api.scorer import LabelExtractor, Scorer, ScorerArgs, ScoringContext


class _Args(ScorerArgs):
    k: int = 1


class _OtherArgs(ScorerArgs):
    pass


class _Scorer(Scorer[_Args]):
    name = "t"

    def score_samples(self, items):
        return [None for _ in items]

    def aggregate(self, samples):
        return {"k": float(self.args.k)}


def test_args_is_set_from_the_type_parameter() -> None:
    assert _Scorer.Args is _Args
    scorer = _Scorer(_Args(k=3), ScoringContext())
    assert scorer.aggregate([]) == {"k": 3.0}


def test_a_subclass_without_a_parameter_inherits_args() -> None:
    class Child(_Scorer):
        pass

    assert Child.Args is _Args


def test_a_hand_set_args_that_disagrees_is_refused_at_class_definition() -> None:
    with pytest.raises(TypeError, match="disagrees with the type parameter _Args"):
        class Bad(Scorer[_Args]):  # noqa: F841 - defining it is the test
            Args = _OtherArgs


def test_extractor_and_adapter_bind_the_same_way() -> None:
    class MyAdapterArgs(AdapterArgs):
        model: str = "m"

    class MyAdapter(ModelAdapter[MyAdapterArgs]):
        name = "my"

        def generate(self, batch):
            return []

    class MyExtractor(LabelExtractor[_Args]):
        name = "x"

        def extract(self, texts):
            return [[] for _ in texts]

    assert MyAdapter.Args is MyAdapterArgs and MyExtractor.Args is _Args
    # The default extract_detailed wraps extract: no failures.
    detailed = MyExtractor(_Args(), ScoringContext()).extract_detailed(["a", "b"])
    assert [d.ok and d.labels == [] for d in detailed] == [True, True]


def test_an_unparametrised_plugin_keeps_a_hand_set_args() -> None:
    class Legacy(Scorer):  # third-party style: no type parameter, Args set by hand
        name = "legacy"
        Args = _OtherArgs

        def score_samples(self, items):
            return []

        def aggregate(self, samples):
            return {}

    assert Legacy.Args is _OtherArgs
