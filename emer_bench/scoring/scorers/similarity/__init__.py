"""Explanation-similarity scorers: a model's free-text answer against the reference explanation."""
