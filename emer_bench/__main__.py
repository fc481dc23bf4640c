"""`python -m emer_bench` (also what `accelerate launch -m emer_bench` runs)."""

from emer_bench.cli.fast_exit import exit_now
from emer_bench.cli.main import main

if __name__ == "__main__":
    exit_now(main())
