"""The judge prompt templates."""

from __future__ import annotations

import hashlib

from emer_bench.scoring.scorers.judge.prompts import CLUE_OVERLAP, LABEL_OVERLAP


def test_render_fills_both_placeholders_and_keeps_braces_in_texts() -> None:
    for prompt in (CLUE_OVERLAP, LABEL_OVERLAP):
        text = prompt.render(" He smiles {broadly}. ", "She frowns.")
        assert "Reference description: He smiles {broadly}." in text
        assert "Predicted description: She frowns." in text
        assert "{reference}" not in text and "{prediction}" not in text


def test_both_ask_for_the_score_first_on_a_0_to_10_scale() -> None:
    assert CLUE_OVERLAP.template.rstrip().endswith("a single number from 0 to 10.")
    assert "Score: <a number from 0 to 10>" in LABEL_OVERLAP.template
    assert LABEL_OVERLAP.template.index("Score:") < LABEL_OVERLAP.template.index("Reference emotions:")


def test_sha256_is_of_the_template() -> None:
    assert CLUE_OVERLAP.sha256 == hashlib.sha256(CLUE_OVERLAP.template.encode()).hexdigest()
    assert CLUE_OVERLAP.sha256 != LABEL_OVERLAP.sha256
