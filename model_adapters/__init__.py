"""Built-in model adapters, one module per model family (installed as emer_bench.model_adapters)."""
