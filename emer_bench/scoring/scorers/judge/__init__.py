"""EMER v1 judge scores: a judge LLM rates a model's explanation against the reference (0-10)."""
