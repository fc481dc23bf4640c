"""The judge score rule: the first number of the reply, which must lie in 0-10."""

from __future__ import annotations

import pytest

from emer_bench.scoring.scorers.judge.parsing import parse_judge_score


@pytest.mark.parametrize("reply, score", [
    ("7", 7.0), ("Score: 7/10", 7.0), ("7.5", 7.5), ("**Score:** 8\nReference emotions: happy", 8.0),
    ("score=0", 0.0), ("10/10", 10.0), ("I would rate it 6 out of 10.", 6.0), ("(9)", 9.0),
    ("Score: 3.\nThe clues overlap a little.", 3.0), ("  4  ", 4.0),
])
def test_valid_scores(reply: str, score: float) -> None:
    parsed = parse_judge_score(reply)
    assert parsed.score == score and parsed.error is None


@pytest.mark.parametrize("reply, message", [
    ("11", "first number 11 is outside 0-10"),
    ("Score: 12/10", "first number 12 is outside 0-10"),
    ("-3", "first number -3 is outside 0-10"),
    ("ten", "no number in reply 'ten'"),
    ("", "empty reply"),
    ("   \n", "empty reply"),
    (None, "empty reply"),
    ("I cannot rate these descriptions.", "no number in reply"),
])
def test_anything_else_is_a_recorded_failure(reply: str | None, message: str) -> None:
    parsed = parse_judge_score(reply)
    assert parsed.score is None
    assert parsed.error is not None and parsed.error.startswith("JudgeParseError: ") and message in parsed.error


def test_the_first_number_wins_even_when_a_later_one_is_valid() -> None:
    assert parse_judge_score("11 is too high; I say 7").score is None
    assert parse_judge_score("2 clues match, so 8").score == 2.0  # the published rule, as stated


def test_a_number_glued_to_a_word_is_not_a_score() -> None:
    assert parse_judge_score("GPT4 says 5").score == 5.0
