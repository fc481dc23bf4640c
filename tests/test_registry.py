from __future__ import annotations

import subprocess
import sys

import pytest

from emer_bench.errors import ConfigError, UnknownNameError
from emer_bench.registries import ADAPTERS, EXTRACTORS, SCORERS
from emer_bench.registry import Registry


def test_unknown_name_names_closest():
    with pytest.raises(UnknownNameError, match=r"unknown model 'qwen2_5_omnii'; did you mean 'qwen2_5_omni'"):
        ADAPTERS.entry("qwen2_5_omnii")


def test_listing_models_imports_no_torch_or_adapter_module():
    # In a fresh interpreter: other tests in this process may have imported torch already.
    code = ("import sys; from emer_bench.cli.main import main; main(['list', 'models']);"
            "bad = [m for m in sys.modules if m.split('.')[0] in ('torch', 'transformers')"
            " or m.startswith('emer_bench.model_adapters.q')]; print('HEAVY', bad)")
    out = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, check=True).stdout
    assert "HEAVY []" in out
    for name in ("openai", "qwen2_5_omni", "qwen2_audio", "qwen2_5_vl", "llava_onevision", "hf_text",
                 "lexicon-baseline"):
        assert name in out
    for entry in ADAPTERS.entries():
        if entry.origin == "builtin":  # tests may add runtime stand-ins
            assert entry.info["modalities"], entry.name


def test_lazy_target_resolves_on_get():
    reg: Registry[object] = Registry("thing")
    reg.add("join", "os.path:join", "joins")
    import os.path

    assert reg.get("join") is os.path.join


def test_bad_lazy_target_is_a_clear_error():
    reg: Registry[object] = Registry("thing")
    reg.add("nope", "no_such_module_xyz:Thing")
    with pytest.raises(ConfigError, match="thing 'nope': cannot import 'no_such_module_xyz'"):
        reg.get("nope")
    reg.add("nope2", "os.path:no_such_attr")
    with pytest.raises(ConfigError, match="has no attribute 'no_such_attr'"):
        reg.get("nope2")


def test_a_missing_optional_dependency_names_its_extra(tmp_path, monkeypatch: pytest.MonkeyPatch):
    (tmp_path / "needs_aiohttp_for_test.py").write_text("import aiohttp\nThing = object\n")
    monkeypatch.syspath_prepend(str(tmp_path))
    monkeypatch.setitem(sys.modules, "aiohttp", None)  # as if the api extra were not installed
    reg: Registry[object] = Registry("model")
    reg.add("api-model", "needs_aiohttp_for_test:Thing")
    with pytest.raises(ConfigError, match=r"pip install 'emer-bench\[api\]'"):
        reg.get("api-model")


def test_duplicate_registration_is_an_error():
    reg: Registry[object] = Registry("thing")
    reg.add("a", object())
    with pytest.raises(ConfigError, match="already registered"):
        reg.add("a", object())


def test_scorers_and_extractors_catalogued():
    assert {"ew", "hit_rate", "label_overlap", "embedding_similarity", "bleu4", "meteor", "rouge_l",
            "judge_clue_overlap", "categorical", "dimensional"} <= set(SCORERS.names())
    assert {"parse", "lexicon", "offline", "llm"} <= set(EXTRACTORS.names())


def test_replace_never_overrides_a_builtin():
    # "Built-ins win": not even replace=True may shadow one.
    with pytest.raises(ConfigError, match="scorer 'ew' is already registered \\(builtin\\)"):
        SCORERS.add("ew", "os.path:join", origin="runtime", replace=True)
    assert SCORERS.entry("ew").origin == "builtin"


def test_replace_may_re_register_a_runtime_entry():
    reg: Registry[object] = Registry("thing")
    reg.add("a", "os.path:join", origin="runtime")
    reg.add("a", "os.path:split", origin="runtime", replace=True)
    import os.path

    assert reg.get("a") is os.path.split


def test_lookup_checks_the_base_class():
    class Base:
        pass

    reg: Registry[type[Base]] = Registry("widget", base=Base)
    reg.add("not-a-widget", "os.path:join", origin="runtime")
    with pytest.raises(ConfigError, match=r"widget 'not-a-widget' \(runtime\): os.path:join is not a Base subclass"):
        reg.get("not-a-widget")


def test_a_plugin_adapter_that_is_not_an_adapter_is_refused_on_lookup():
    ADAPTERS.add("test-not-an-adapter", "emer_bench.api.scorer:Scorer", origin="runtime", replace=True)
    with pytest.raises(ConfigError, match="is not a ModelAdapter subclass"):
        ADAPTERS.get("test-not-an-adapter")


def test_did_you_mean_is_shared_with_task_discovery():
    from emer_bench.registry import did_you_mean
    from emer_bench.tasks.discovery import TaskIndex

    assert did_you_mean("task", "emer-dmeo", ["emer-demo", "qwen"]) == (
        "unknown task 'emer-dmeo'; did you mean 'emer-demo'? Known: emer-demo, qwen.")
    with pytest.raises(UnknownNameError, match="unknown task 'emer-dmeo'; did you mean 'emer-demo'"):
        TaskIndex().path("emer-dmeo")


def test_a_builtin_is_found_without_reading_entry_points_and_a_plugin_with(monkeypatch: pytest.MonkeyPatch):
    # Reading entry points scans every installed distribution (5-20 ms); built-ins win anyway.
    import importlib.metadata

    from emer_bench import registry

    reads: list[str] = []
    plugin = importlib.metadata.EntryPoint("plug", "os.path:split", "test.things")

    def fake_entry_points(group: str) -> list[importlib.metadata.EntryPoint]:
        reads.append(group)
        return [plugin, importlib.metadata.EntryPoint("a", "os.path:basename", "test.things")]

    monkeypatch.setattr(registry, "entry_points", fake_entry_points)
    reg: Registry[object] = Registry("thing", entry_point_group="test.things")
    reg.add("a", "os.path:join")
    import os.path

    assert reg.get("a") is os.path.join and reads == []
    assert reg.get("plug") is os.path.split and reads == ["test.things"]
    assert reg.get("a") is os.path.join and reg.entry("a").origin == "builtin" and reads == ["test.things"]
