"""Built-in task definitions (YAML, one folder per benchmark); installed as emer_bench.builtin_tasks."""
