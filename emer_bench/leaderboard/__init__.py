"""The leaderboard: submissions (predictions only), verification by recomputation, ranking,
and the generated Markdown / JSON / static site. See docs/leaderboard.md."""
