"""The judge prompts (our own English wording of the EMER v1 semantics, docs/openvocab-metrics.md §8).

Both ask for the score FIRST, because the rule is "the first number in the judge's reply is
the score": a judge that summarised first could put a number (a list index, a count) ahead
of its rating. Placeholders are filled with `str.replace`, so braces in the texts are safe.
The sha256 of each template is recorded with the judge identity; editing a template changes
the hash and therefore the cache key.
"""

from __future__ import annotations

import hashlib
from dataclasses import dataclass


@dataclass(frozen=True)
class JudgePrompt:
    name: str
    template: str  # with {reference} and {prediction}

    @property
    def sha256(self) -> str:
        return hashlib.sha256(self.template.encode("utf-8")).hexdigest()

    def render(self, reference: str, prediction: str) -> str:
        return self.template.replace("{reference}", reference.strip()).replace("{prediction}", prediction.strip())


CLUE_OVERLAP = JudgePrompt("clue_overlap", """\
You are an expert in emotion recognition. Two descriptions of the same video clip explain the \
emotional state of its main character: a reference description written by human annotators, and \
a predicted description written by a model. Each description cites emotional clues (facial \
expressions, gestures and posture, tone of voice, what is said, the situation) and reasons from \
them to an emotion.

Rate how much the emotional clues in the predicted description overlap with the emotional clues \
in the reference description, on a scale from 0 to 10:
- 0: no clue of the reference appears in the prediction;
- 10: every clue of the reference appears in the prediction, and nothing in the prediction contradicts it.
Judge the meaning, not the wording: a paraphrase of a clue counts as the same clue.

Reference description: {reference}

Predicted description: {prediction}

Reply with the score only: a single number from 0 to 10.""")

LABEL_OVERLAP = JudgePrompt("label_overlap", """\
You are an expert in emotion recognition. Two descriptions of the same video clip explain the \
emotional state of its main character: a reference description written by human annotators, and \
a predicted description written by a model.

Summarise the emotion words (emotional states such as happy, anxious, angry) that each \
description attributes to the main character, then rate how much the two sets of emotions \
overlap, on a scale from 0 to 10:
- 0: the emotions share nothing and are not similar;
- 10: the emotions are the same (synonyms, such as glad and happy, count as the same).

Reference description: {reference}

Predicted description: {prediction}

Reply in exactly this format, with the score first:
Score: <a number from 0 to 10>
Reference emotions: <comma-separated words>
Predicted emotions: <comma-separated words>""")
