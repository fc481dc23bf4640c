"""Label extractors: free-text answers -> open-vocabulary label lists (registered in scoring/catalog.py)."""
