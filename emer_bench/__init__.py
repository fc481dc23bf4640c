"""emer-bench: evaluation harness for Explainable Multimodal Emotion Recognition (EMER)."""

__version__ = "0.1.0"
