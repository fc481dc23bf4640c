"""Reading valence/arousal numbers from answers: every documented format and its edge cases."""

from __future__ import annotations

import pytest

from emer_bench.scoring.parsing.valence_arousal import ParsedVA, parse_valence_arousal, strip_va_statements


@pytest.mark.parametrize("answer, expected", [
    # JSON
    ('{"valence": -0.4, "arousal": 0.7}', (-0.4, 0.7)),
    ('Answer: {"Valence": "-0.4", "AROUSAL": 0.7} done', (-0.4, 0.7)),
    ('{"valence": 0.1} then {"valence": 0.2, "arousal": 0.3}', (0.2, 0.3)),
    ('{"valence": true, "arousal": 0.3}', (None, 0.3)),
    # key and number
    ("valence: -0.4, arousal: 0.7", (-0.4, 0.7)),
    ("Valence = -0.4; Arousal = +0.7", (-0.4, 0.7)),
    ("The valence is about -.4 and the arousal is 0.7", (-0.4, 0.7)),
    ("**Valence**: \u22120.6\n**Arousal**: 0.2", (-0.6, 0.2)),  # unicode minus
    ("Valence (from -1 to 1): 0.3\nArousal is about 0.55", (0.3, 0.55)),  # range skipped
    ("valence on a scale of -1 to 1 is 0.3, arousal 1", (0.3, 1.0)),
    ("The valence is negative. Final: valence = -0.5, arousal = 0.1", (-0.5, 0.1)),  # last with a number
    ("valence: 0.2, then on reflection valence: 0.4", (0.4, None)),
    ("pleasantness: 0.3, activation: -0.2", (0.3, -0.2)),
    ("Valence: 0.2\nArousal: high", (0.2, None)),
    ("valence 3-4, arousal 2", (None, 2.0)),  # a range is not a value
    # bare numbers
    ("-0.4, 0.7", (-0.4, 0.7)),
    ("(-0.4, 0.7)", (-0.4, 0.7)),
    ("[-0.4 0.7]", (-0.4, 0.7)),
    ("0.3", (None, None)),  # one number for two dimensions: ambiguous
    ("no numbers here", (None, None)),
    ("", (None, None)),
])
def test_formats(answer: str, expected: tuple[float | None, float | None]) -> None:
    parsed = parse_valence_arousal(answer)
    assert (parsed.valence, parsed.arousal) == pytest.approx(expected) if None not in expected \
        else (parsed.valence, parsed.arousal) == expected


def test_bare_number_for_one_dimension() -> None:
    assert parse_valence_arousal("0.3", ("valence",)) == ParsedVA(valence=0.3)
    assert parse_valence_arousal("-2.5", ("arousal",)) == ParsedVA(arousal=-2.5)


def test_json_wins_over_text() -> None:
    parsed = parse_valence_arousal('valence: 0.9 {"valence": 0.1, "arousal": 0.2}')
    assert parsed == ParsedVA(valence=0.1, arousal=0.2)


def test_strip_va_statements_leaves_emotion_words() -> None:
    text = strip_va_statements('Emotion: aroused and happy. Valence: 0.6, Arousal: 0.4 {"arousal": 0.1}')
    assert "aroused and happy" in text
    assert "Valence" not in text and "Arousal" not in text and "0.6" not in text and "{" not in text
