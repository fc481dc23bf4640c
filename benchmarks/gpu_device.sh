#!/usr/bin/env bash
# The GPU session's one command, run on the device machine from the repository root (Python 3.12
# image with torch, no network), with .whl/ carried: `bash benchmarks/gpu_wheels.sh` builds it here
# first. It installs the carried wheels beside the image's torch, installs emer-bench itself, and
# runs bench_gpu_path.py under a time limit (default 540 s: a device call may run 600 s), writing
# to $OUT: gpu_path.md (rewritten after every row, so a time-out keeps what finished), log.txt, env.txt.
#
#   bash benchmarks/gpu_device.sh [seconds] [bench_gpu_path.py options...]
set -uo pipefail
cd "$(dirname "$0")/.."
limit=${1:-540}
shift || true
out=${OUT:-/tmp/emer-gpu-out}
mkdir -p "$out"
ls .whl/*.whl >/dev/null 2>&1 || { echo "gpu_device.sh: no .whl/ here: run benchmarks/gpu_wheels.sh and carry .whl"; exit 2; }
started=$(date +%s)
python3 -m pip install -q --no-index --no-deps --no-compile --no-cache-dir --upgrade --target /tmp/site .whl/*.whl \
  || { echo "gpu_device.sh: installing the carried wheels failed"; exit 3; }
export PYTHONPATH=/tmp/site${PYTHONPATH:+:$PYTHONPATH}
python3 -m pip install -q --no-index --no-deps --no-build-isolation -e . \
  || { echo "gpu_device.sh: installing emer-bench failed"; exit 3; }
{ nvidia-smi --query-gpu=name,memory.total,driver_version --format=csv,noheader
  python3 -c 'import sys, torch, transformers; print(sys.version.split()[0], "torch", torch.__version__, "transformers", transformers.__version__)'
  nproc; } > "$out/env.txt" 2>&1
cat "$out/env.txt"
left=$(( limit - ($(date +%s) - started) ))
PYTHONUNBUFFERED=1 timeout "$left" python3 benchmarks/bench_gpu_path.py --out "$out/gpu_path.md" "$@" 2>&1 | tee "$out/log.txt"
status=${PIPESTATUS[0]}
[ "$status" = 124 ] && echo "gpu_device.sh: stopped at the ${limit} s limit; gpu_path.md holds the rows that finished"
exit "$status"
