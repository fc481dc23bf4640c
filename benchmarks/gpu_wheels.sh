#!/usr/bin/env bash
# Downloads (here, where PyPI is reachable) the wheels that a GPU machine without network lacks for
# benchmarks/bench_gpu_path.py: its image has Python 3.12, torch, accelerate and an older
# transformers, but not emer-bench's own dependencies. They go to .whl/ (git-ignored), which the
# device command carries and installs with `pip install --no-index --target /tmp/site .whl/*.whl`.
# The full command is in BENCHMARKS.md ("The GPU path").
set -euo pipefail
cd "$(dirname "$0")/.."
mkdir -p .whl
grep -qx '/.whl/' .git/info/exclude 2>/dev/null || echo '/.whl/' >> .git/info/exclude
plat=(--platform manylinux_2_28_x86_64 --platform manylinux_2_27_x86_64 --platform manylinux_2_17_x86_64
      --platform manylinux2014_x86_64 --platform manylinux1_x86_64 --platform any)
python3 -m pip download -q --no-deps --only-binary=:all: --python-version 3.12 --implementation cp "${plat[@]}" -d .whl \
  transformers==5.24.0 regex pydantic==2.13.4 pydantic-core==2.46.4 annotated-types typing-inspection \
  av nltk platformdirs openpyxl et-xmlfile
# rouge-score publishes only an sdist (--only-binary would pick an unrelated 0.0.4 wheel): build it here.
# It is pure Python, so the wheel built by this Python serves 3.12 too.
rm -f .whl/rouge_score-*.whl
python3 -m pip wheel -q --no-deps -w .whl 'rouge-score==0.1.2'
ls -la .whl
