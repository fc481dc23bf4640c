"""Secrets out of everything a submission publishes.

Keys that name a secret lose their value, and strings that look like a credential (API keys,
bearer tokens, URL passwords) have it replaced, wherever they occur (an error message may
quote a request header). This is the leaderboard's entry point; it delegates to the project
redactor when that exists so both apply the same rules.
"""

from __future__ import annotations

import re
from typing import Any

REDACTED = "[redacted]"
# Whole words of a key name (so `max_new_tokens` stays, `hf_token` goes).
SECRET_KEY_WORDS = {"token", "password", "passwd", "secret", "authorization", "apikey", "credentials"}
_PATTERNS = [
    re.compile(r"\bsk-[A-Za-z0-9_\-]{16,}"),  # OpenAI-style keys
    re.compile(r"\bhf_[A-Za-z0-9]{20,}"),  # Hugging Face tokens
    re.compile(r"\bAIza[0-9A-Za-z_\-]{30,}"),  # Google API keys
    re.compile(r"(?i)\bbearer\s+[A-Za-z0-9._\-]{12,}"),
    re.compile(r"(?<=://)[^/\s:@]+:[^/\s@]+(?=@)"),  # user:password@ in URLs
]


def redact_text(text: str) -> str:
    for pattern in _PATTERNS:
        text = pattern.sub(REDACTED, text)
    return text


def is_secret_key(key: str) -> bool:
    low = key.lower()
    return "api_key" in low or "api-key" in low or bool(SECRET_KEY_WORDS & set(re.split(r"[_\-.\s]+", low)))


def redact(value: Any) -> Any:
    """A copy of `value` (JSON-like) with secret-named keys blanked and secret-looking text replaced."""
    if isinstance(value, dict):
        return {k: (REDACTED if isinstance(k, str) and is_secret_key(k) and v is not None else redact(v))
                for k, v in value.items()}
    if isinstance(value, list):
        return [redact(v) for v in value]
    if isinstance(value, str):
        return redact_text(value)
    return value
