"""Scorers and label extractors (registered in catalog.py)."""
