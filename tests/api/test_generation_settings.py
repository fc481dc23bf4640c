"""One typed schema for generation settings: the task's `generation:`, `--gen-kwargs`, the request."""

from __future__ import annotations

import pytest

from emer_bench.api.generation import GenerationSettings, parse_generation_settings
from emer_bench.errors import ConfigError


def test_aliases_and_merge_keep_only_set_values():
    task = parse_generation_settings({"max_tokens": 64, "temperature": 0}, "task")
    cli = parse_generation_settings({"temperature": 0.7}, "--gen-kwargs")
    assert task.merged(cli).as_kwargs() == {"max_new_tokens": 64, "temperature": 0.7}
    assert GenerationSettings().as_kwargs() == {}


@pytest.mark.parametrize("data, message", [
    ({"temperature": "hot"}, r"--gen-kwargs: key 'temperature': .*number.*'hot'"),
    ({"max_new_tokens": -5}, r"--gen-kwargs: key 'max_new_tokens': .*greater than or equal to 1.*-5"),
    ({"max_new_tokens": "lots"}, r"key 'max_new_tokens': .*integer.*'lots'"),
    ({"temprature": 0.2}, r"unknown key 'temprature' \(did you mean 'temperature'\?\); known keys: "),
    ({"max_tokens": 5, "max_new_tokens": 6}, r"both set the output length"),
])
def test_bad_settings_are_one_line_naming_key_and_value(data, message):
    with pytest.raises(ConfigError, match=message):
        parse_generation_settings(data, "--gen-kwargs")
