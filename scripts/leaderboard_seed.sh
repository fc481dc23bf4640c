#!/usr/bin/env bash
# Re-make the leaderboard's seed entry from a real run, then rebuild the board. Needed after a
# change to the emer-demo task or its scorers: the old submission then no longer verifies
# (task content hash / recomputed numbers), which tests/leaderboard/test_lb_committed.py reports.
# Usage: bash scripts/leaderboard_seed.sh   (HARDWARE="..." to describe the machine)
set -euo pipefail
cd "$(dirname "$0")/.."
EB=${EMER_BENCH:-emer-bench}
out=$(mktemp -d)
trap 'rm -rf "$out"' EXIT
hardware=${HARDWARE:-"$(nproc) vCPU $(uname -m), no GPU"}
$EB run --model lexicon-baseline --tasks emer-demo --output-dir "$out" --no-progress
$EB leaderboard add "$out/lexicon-baseline" --force --name "lexicon-baseline" \
  --params "0 (rule-based, no weights)" --hardware "$hardware" \
  --notes "Transparent floor: emotion words found in the subtitle (emer_bench/emotion_words); the answer names them and says why."
$EB leaderboard build
$EB leaderboard plot
