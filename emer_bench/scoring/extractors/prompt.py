"""The published label-extraction prompt (docs/openvocab-metrics.md §6) and the reply clean-up applied
before rule 1. Shared by the `parse` and `llm` extractors.

The prompt is the reference code's f-string with its line continuations resolved: one line,
single spaces between sentences, and a trailing space after the final "Output:" (the doc
shows the text without that trailing space; the reference code sends it).
"""

from __future__ import annotations

PUBLISHED_EXTRACTION_PROMPT = (
    "Please assume the role of an expert in the field of emotions. "
    "We provide clues that may be related to the emotions of the characters. "
    "Based on the provided clues, please identify the emotional states of the main character. "
    "The main character is the one with the most detailed clues. "
    "Please separate different emotional categories with commas and output only the clearly "
    "identifiable emotional categories in a list format. "
    "If none are identified, please output an empty list. "
    "Input: We cannot recognize his emotional state; Output: [] "
    "Input: His emotional state is happy, sad, and angry; Output: [happy, sad, angry] "
    "Input: {reason}; Output: "
)

# Prefixes the reference post-processing removes (at most once each, in this order).
_REPLY_PREFIXES: tuple[str, ...] = ("输入", "输出", "翻译", "让我们来翻译一下：", "output", "Output", "input", "Input")


def extraction_prompt(reason: str) -> str:
    """The prompt for one answer (plain substitution: braces inside `reason` are kept as is)."""
    return PUBLISHED_EXTRACTION_PROMPT.replace("{reason}", reason)


def clean_extractor_reply(text: str) -> str:
    """The reference reply clean-up: strip; drop a leading "Output"/"Input" (and their Chinese
    forms) once each; strip; drop one leading ":" or "："; strip; delete newlines; strip."""
    reply = text.strip()
    for prefix in _REPLY_PREFIXES:
        if reply.startswith(prefix):
            reply = reply[len(prefix):]
    reply = reply.strip()
    for colon in (":", "："):
        if reply.startswith(colon):
            reply = reply[len(colon):]
    return reply.strip().replace("\n", "").strip()
