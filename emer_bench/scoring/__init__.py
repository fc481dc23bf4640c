"""Scoring: `scorers/` (the registered scorers), `extractors/` (free text -> labels),
`parsing/` (one answer -> category or numbers), `llm/` (an adapter used as a text tool),
`structured.py` (reading a classic recognizer's structured prediction), `label_files.py` and
`prediction_files.py` (predictions made elsewhere); `catalog.py` registers the built-ins."""
