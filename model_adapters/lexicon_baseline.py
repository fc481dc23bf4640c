"""`lexicon-baseline`: a transparent, weightless baseline for the leaderboard and the demo.

It reads ONLY the subtitle (never video or audio) and answers with the emotion words of the
built-in emotion word list (emer_bench/emotion_words) that occur in it, un-negated, plus one sentence of explanation. It is a floor
that shows what the text channel alone gives by word spotting, not a model.
"""

from __future__ import annotations

from typing import ClassVar

from emer_bench.api.adapter import AdapterArgs, MediaInput, ModelAdapter, PreparedRequest
from emer_bench.api.records import Generation
from emer_bench.api.requests import Modality
from emer_bench.emotion_words import find_emotions


class LexiconBaselineArgs(AdapterArgs):
    # Answer used when the subtitle has no emotion word; "neutral" keeps the answer honest.
    fallback_label: str = "neutral"


class LexiconBaseline(ModelAdapter[LexiconBaselineArgs]):
    name: ClassVar[str] = "lexicon-baseline"
    modalities: ClassVar[frozenset[Modality]] = frozenset({Modality.SUBTITLE})
    media_input: ClassVar[MediaInput] = MediaInput.PATHS

    def answer(self, subtitle: str | None) -> str:
        if not subtitle:
            return (f"No subtitle was given, so there are no lexical clues. "
                    f"Labels: [{self.args.fallback_label}]")
        found = find_emotions(subtitle)
        if not found:
            return (f'The subtitle "{subtitle}" contains no emotion words from the lexicon. '
                    f"Labels: [{self.args.fallback_label}]")
        labels = list(dict.fromkeys(label for _, label in found))
        cues = ", ".join(f'"{form}"' for form in dict.fromkeys(form for form, _ in found))
        return (f'In the subtitle "{subtitle}", the words {cues} suggest the person feels '
                f"{', '.join(labels)}. Labels: [{', '.join(labels)}]")

    def generate(self, batch: list[PreparedRequest]) -> list[Generation]:
        return [Generation(index=p.request.index, text=self.answer(p.request.subtitle), latency_s=0.0,
                           inputs={"subtitle": p.request.subtitle}) for p in batch]
