"""Generation kwargs for transformers adapters: aliases, validation, precedence, greedy by default."""

from __future__ import annotations

import pytest
import torch

from emer_bench.errors import ConfigError
from emer_bench.model_adapters.hf_generation import (
    completion_lengths,
    normalise_task_kwargs,
    resolve_generation_kwargs,
)


def test_aliases_map_to_max_new_tokens():
    assert normalise_task_kwargs({"max_tokens": 7}) == {"max_new_tokens": 7}
    assert normalise_task_kwargs({"max_gen_toks": 3, "top_p": 0.9}) == {"max_new_tokens": 3, "top_p": 0.9}


@pytest.mark.parametrize("bad, where", [({"stop": ["\n"]}, "stop: Chat Completions only"),
                                        ({"stop_sequence": "x"}, "unknown key .stop_sequence."),
                                        ({"max_new_tokens": 0}, "max_new_tokens"),
                                        ({"temperature": -1}, "temperature"), ({"top_p": 1.5}, "top_p")])
def test_bad_task_kwargs_name_the_key(bad: dict, where: str):
    with pytest.raises(ConfigError, match=where):
        normalise_task_kwargs(bad)


def test_precedence_command_line_then_task_then_defaults():
    defaults = {"max_new_tokens": 512}
    assert resolve_generation_kwargs(defaults, {}, {}) == {"max_new_tokens": 512, "do_sample": False}
    assert resolve_generation_kwargs(defaults, {"max_new_tokens": 64}, {})["max_new_tokens"] == 64
    assert resolve_generation_kwargs(defaults, {"max_new_tokens": 64}, {"max_new_tokens": 32})["max_new_tokens"] == 32


def test_temperature_decides_sampling_unless_do_sample_is_given():
    assert resolve_generation_kwargs({}, {"temperature": 0}, {}) == {"do_sample": False}  # greedy, no stray temperature
    assert resolve_generation_kwargs({}, {"temperature": 0.7, "top_p": 0.9}, {}) == {
        "temperature": 0.7, "top_p": 0.9, "do_sample": True}
    assert resolve_generation_kwargs({}, {"temperature": 0.7}, {"do_sample": False}) == {"do_sample": False}
    # what the LLM tools send (scoring.llm.tool.GREEDY)
    assert resolve_generation_kwargs({}, {"do_sample": False, "temperature": 0.0}, {}) == {"do_sample": False}
    with pytest.raises(ConfigError, match="contradictory"):
        resolve_generation_kwargs({}, {"do_sample": True, "temperature": 0}, {})


def test_completion_lengths_stop_at_the_first_eos():
    new = torch.tensor([[5, 6, 2, 0, 0], [5, 6, 7, 8, 9], [2, 0, 0, 0, 0]])
    assert completion_lengths(new, {2}) == [(3, True), (5, False), (1, True)]
