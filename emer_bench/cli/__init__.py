"""The `emer-bench` command line."""
