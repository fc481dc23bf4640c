"""Scoring: `scorers/` (the registered scorers), `extractors/` (free text -> labels),
`parsing/` (one answer -> category or numbers), `llm/` (an adapter used as a text tool);
`catalog.py` registers the built-ins."""
