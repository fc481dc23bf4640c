"""One seed: the run's `--seed` reaches every adapter that has its own `seed` arg (the
transformers adapters), unless the user sets that model arg."""

from __future__ import annotations

import sys
from pathlib import Path
from typing import ClassVar

from emer_bench.api.adapter import AdapterArgs, MediaInput, ModelAdapter, PreparedRequest
from emer_bench.api.records import Generation
from emer_bench.api.requests import Modality
from emer_bench.model_adapters.hf_loading import HFArgs
from emer_bench.registries import ADAPTERS
from emer_bench.runner.evaluate import RunConfig, build_adapter, run_evaluation

sys.path.insert(0, str(Path(__file__).parent))
from run_support import text_demo_task  # noqa: E402


class SeededArgs(AdapterArgs):
    seed: int = 1234  # like the transformers adapters' own default


class SeededStandIn(ModelAdapter):
    """Test stand-in: answers with the seed it was built with."""

    name: ClassVar[str] = "test-seeded"
    modalities: ClassVar[frozenset[Modality]] = frozenset({Modality.SUBTITLE})
    media_input: ClassVar[MediaInput] = MediaInput.PATHS
    Args: ClassVar[type[AdapterArgs]] = SeededArgs

    def generate(self, batch: list[PreparedRequest]) -> list[Generation]:
        return [Generation(index=p.request.index, text=f"seed {self.args.seed}") for p in batch]  # type: ignore[attr-defined]


def test_the_run_seed_reaches_the_adapter_unless_the_user_sets_its_own(tmp_path) -> None:
    ADAPTERS.add(SeededStandIn.name, SeededStandIn, origin="runtime", replace=True)
    assert build_adapter(RunConfig(model="test-seeded", tasks=[], seed=7)).args.seed == 7  # type: ignore[attr-defined]
    own = build_adapter(RunConfig(model="test-seeded", tasks=[], seed=7, model_args={"seed": 5}))
    assert own.args.seed == 5  # type: ignore[attr-defined]
    results, path = run_evaluation(RunConfig(model="test-seeded", tasks=["demo-text"], seed=99, limit=1,
                                             output_dir=tmp_path / "out", n_resamples=0,
                                             include_paths=[text_demo_task(tmp_path / "tasks")]))
    samples = (path.parent / results["results"]["demo-text"]["config"]["samples_file"]).read_text()
    assert '"response": "seed 99"' in samples


def test_transformers_adapters_take_a_seed_arg() -> None:
    # The runner passes --seed through this field (transformers.set_seed and per-batch seeding).
    assert "seed" in HFArgs.model_fields
