"""The published extraction prompt and the reply clean-up (docs/openvocab-metrics.md §6)."""

from __future__ import annotations

import pytest

from emer_bench.scoring.extractors.prompt import PUBLISHED_EXTRACTION_PROMPT, clean_extractor_reply, extraction_prompt

DOC_TEXT = (  # the published prompt of the scoring document (docs/openvocab-metrics.md §6), verbatim, joined into one line
    "Please assume the role of an expert in the field of emotions. We provide clues that may be related to the "
    "emotions of the characters. Based on the provided clues, please identify the emotional states of the main "
    "character. The main character is the one with the most detailed clues. Please separate different emotional "
    "categories with commas and output only the clearly identifiable emotional categories in a list format. If "
    "none are identified, please output an empty list. Input: We cannot recognize his emotional state; Output: [] "
    "Input: His emotional state is happy, sad, and angry; Output: [happy, sad, angry] Input: {reason}; Output:"
)


def test_prompt_is_the_documented_text_with_the_upstream_trailing_space() -> None:
    assert PUBLISHED_EXTRACTION_PROMPT == DOC_TEXT + " "
    assert PUBLISHED_EXTRACTION_PROMPT.count("{reason}") == 1
    assert "  " not in PUBLISHED_EXTRACTION_PROMPT


def test_extraction_prompt_substitutes_literally() -> None:
    prompt = extraction_prompt("He smiles {broadly}.")
    assert prompt.endswith("Input: He smiles {broadly}.; Output: ")


@pytest.mark.parametrize("reply, cleaned", [
    ("Output: [happy]", "[happy]"),
    ("  output : [happy]  ", "[happy]"),
    ("Output:\n[happy,\nsad]\n", "[happy,sad]"),  # newlines are deleted, not replaced by spaces
    ("输出：[高兴]", "[高兴]"),
    ("Input: x", "x"),
    ("[happy]", "[happy]"),
    (":[happy]", "[happy]"),
    ("::[happy]", ":[happy]"),  # one colon only
    ("OutputOutput: x", "Output: x"),  # each prefix at most once
])
def test_clean_extractor_reply(reply: str, cleaned: str) -> None:
    assert clean_extractor_reply(reply) == cleaned
