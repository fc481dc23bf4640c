"""Reading a judge's score: the first number in the reply (docs/openvocab-metrics.md §8), which must lie
in 0-10. Anything else is a judge failure, recorded for the sample; never a default score."""

from __future__ import annotations

import re
from dataclasses import dataclass

# A number not glued to a preceding letter/digit/dot (so "v2" or "1.2.3" parts are not scores);
# an optional minus so that "-3" is read as out of range rather than as 3.
_NUMBER = re.compile(r"(?<![\w.])-?\d+(?:\.\d+)?")
SCORE_MIN, SCORE_MAX = 0.0, 10.0


@dataclass(frozen=True)
class JudgeScore:
    score: float | None
    error: str | None  # "JudgeParseError: ..." when no valid score could be read


def parse_judge_score(reply: str | None) -> JudgeScore:
    if reply is None or not reply.strip():
        return JudgeScore(None, "JudgeParseError: empty reply")
    match = _NUMBER.search(reply)
    if match is None:
        return JudgeScore(None, f"JudgeParseError: no number in reply {_excerpt(reply)}")
    value = float(match.group(0))
    if not SCORE_MIN <= value <= SCORE_MAX:
        return JudgeScore(None, f"JudgeParseError: first number {match.group(0)} is outside 0-10 in {_excerpt(reply)}")
    return JudgeScore(value, None)


def _excerpt(text: str, limit: int = 80) -> str:
    flat = " ".join(text.split())
    return repr(flat if len(flat) <= limit else flat[: limit - 3] + "...")
