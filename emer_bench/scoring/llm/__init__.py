"""Any registered model adapter used as a text tool (LLM judges, the `llm` extractor), with its answer cache."""
