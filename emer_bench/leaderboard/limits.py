"""Bounds on everything a submission brings in, and the one rule for safe names.

A submission arrives through a pull request from anyone, so every size is bounded before a
file is parsed and every name that becomes part of a path is checked against one pattern.
"""

from __future__ import annotations

import re
import unicodedata

MAX_RESULTS_BYTES = 2 * 1024 * 1024  # results.json
MAX_SAMPLES_BYTES = 32 * 1024 * 1024  # one samples_<task>.jsonl
MAX_METADATA_BYTES = 64 * 1024  # submission.json
MAX_SUBMISSION_BYTES = 128 * 1024 * 1024  # the whole folder
MAX_TEXT_FIELD = 20_000  # characters of one answer / prompt / error
MAX_META_FIELD = 2_000  # characters of a display name, link, note, ...
MAX_FAILED_FRACTION = 0.10  # more failed samples than this and the submission is rejected
CLAIM_TOLERANCE = 1e-5  # |claimed - recomputed| above this is a mismatch (values are fractions; shown to 1e-4)

SLUG_RE = re.compile(r"^[a-z0-9](?:[a-z0-9-]{0,62}[a-z0-9])?$")


def make_slug(name: str) -> str:
    """A folder/file-safe slug from a display name: ascii letters, digits and '-' only."""
    text = unicodedata.normalize("NFKD", name).encode("ascii", "ignore").decode("ascii").lower()
    text = re.sub(r"[^a-z0-9]+", "-", text).strip("-")[:64].strip("-")
    return text


def is_safe_slug(text: str) -> bool:
    """True when `text` can be used as a single path component (no '/', '..', dots, spaces)."""
    return bool(SLUG_RE.match(text))
