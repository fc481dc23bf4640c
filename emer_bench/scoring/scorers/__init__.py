"""The built-in scorers, one module per family (registered in scoring/catalog.py)."""
