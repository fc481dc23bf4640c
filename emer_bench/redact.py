"""The one secret redactor: everything emer-bench records or prints passes through here.

Three kinds of secret are hidden, whatever route they came by:
- values of arguments whose NAME looks secret (`api_key`, `token`, `password`, ...), in
  `--model-args`-style `k=v` lists, `--flag value` pairs and JSON objects;
- URL user-info (`http://user:pass@host`) and key-like query parameters (`?api_key=...`);
- the literal VALUES of known secrets wherever they appear in free text: every value
  registered with `register_secret` (an adapter's SecretStr args) and every environment
  variable whose name looks secret (`OPENAI_API_KEY`, `HF_TOKEN`), so an error message that
  echoes a key is cleaned too.

Only the standard library is imported: this runs on the startup path.
"""

from __future__ import annotations

import functools
import json
import os
import re
import threading
from typing import Any
from urllib.parse import urlsplit, urlunsplit

MASK = "***"
# Names that hold secrets. `key` alone is too broad (clip keys, sort keys), so only compound forms.
SECRET_NAME = re.compile(
    r"(api[_-]?key|apikey|access[_-]?key|private[_-]?key|secret|token(?!s|iz)|password|passwd|^pwd$|"
    r"authorization|credential|auth[_-]?key|session[_-]?key|^key$|^auth$)",
    re.IGNORECASE)
_URL_USERINFO = re.compile(r"(?P<scheme>\b[a-z][a-z0-9+.-]*://)(?P<info>[^/\s@?#]+)@", re.IGNORECASE)
# `user:password@host...` with the scheme left out (a mistyped base_url): validation refuses it and
# quotes it, and without a scheme _URL_USERINFO does not see the password.
_BARE_USERINFO = re.compile(r"^[^/\s@?#:]+:(?P<password>[^/\s@?#]+)@")
# key=value in a query string or a k=v,k=v list; the value runs to the next separator.
# The look-behind starts a key only where a run of key characters starts (the same matches: a
# separator can only follow a whole run) instead of retrying from every character inside it.
_KV = re.compile(r"(?<![A-Za-z0-9_.-])(?P<key>[A-Za-z0-9_.-]+)(?P<sep>=|%3D)(?P<value>[^&,;\s\"'#]+)")
_BEARER = re.compile(r"(?P<head>\b(?P<scheme>Bearer|Basic|Token)\s+)(?P<credential>[A-Za-z0-9._~+/=-]{6,})",
                     re.IGNORECASE)
# A credential after Basic/Token has a digit, a symbol, a lower-to-upper change or is long; an
# English word does not ("basic emotions", "token budget": masking those changed model answers
# in the samples file, and the scores computed from it). After Bearer anything is masked.
_CREDENTIAL_LIKE = re.compile(r"[0-9._~+/=-]|[a-z][A-Z]|.{24}")
_OPENAI_STYLE_KEY = re.compile(r"\bsk-[A-Za-z0-9_-]{16,}")
# What a secret-named key must contain (lower case) for SECRET_NAME to match it; a text with "="
# but none of these has no secret k=v pair (keys are ASCII: `_KV`'s key class).
_SECRET_NAME_PARTS = ("key", "secret", "token", "passw", "pwd", "auth", "credential")
# Characters that re.IGNORECASE equates with a letter of Bearer/Basic/Token but str.lower() does
# not lower to it (found by comparing the two over every code point).
_FOLDS_TO_ASCII = ("\u0130", "\u0131", "\u017f")
_MIN_SECRET_LEN = 6  # shorter values ("1", "yes") would mask ordinary text

_lock = threading.Lock()
_known: set[str] = set()
_known_version = 0  # bumped whenever `_known` grows: invalidates `_cache`
# (known version, the environment it was computed from, the secret values): reused while
# neither changed. Recomputing meant decoding and name-checking every environment variable
# for every record written (~20 us a record, the largest part of redacting one).
_cache: tuple[int, dict[Any, Any], list[str]] | None = None
# Shell bookkeeping, not secrets: PWD matches `^pwd$` (a password argument's name), and
# treating the working directory as a secret masked every path under it in every output.
_ENV_NOT_SECRET = frozenset({"PWD", "OLDPWD"})


def is_secret_name(name: str) -> bool:
    return _is_secret_name(str(name))


@functools.lru_cache(maxsize=4096)
def _is_secret_name(name: str) -> bool:
    # Memoised: every record written re-checks every environment variable's name (a regex
    # search each, ~0.4 ms per record with a typical environment), and names repeat.
    return bool(SECRET_NAME.search(name.strip("-")))


def register_secret(value: Any) -> None:
    """Remember a secret value (e.g. an api_key model arg) so free text that echoes it is masked."""
    global _known_version
    if value is None:
        return
    if hasattr(value, "get_secret_value"):  # pydantic SecretStr
        value = value.get_secret_value()
    text = str(value)
    if len(text) >= _MIN_SECRET_LEN:
        with _lock:
            if text not in _known:
                _known.add(text)
                _known_version += 1


def register_secrets_in(text: str) -> None:
    """Register the secrets a value carries: URL user-info and secret-named `k=v` values, so the
    bare value is masked too when some message echoes it without its URL or name."""
    for match in _URL_USERINFO.finditer(text):
        info = match.group("info")
        register_secret(info.split(":", 1)[1] if ":" in info else info)  # the password, or a bare token
    bare = _BARE_USERINFO.match(text)
    if bare:
        register_secret(bare.group("password"))
    for match in _KV.finditer(text):
        if is_secret_name(match.group("key")):
            register_secret(match.group("value"))


def register_arg_secrets(args: dict[str, Any]) -> None:
    """Every secret-named or SecretStr value of a model's args, and every secret inside its other
    string values (URL user-info, `?api_key=`), becomes a known secret, masked wherever it appears."""
    for name, value in args.items():
        if is_secret_name(str(name)) or hasattr(value, "get_secret_value"):
            register_secret(value)
        elif isinstance(value, str):
            register_secrets_in(value)


def known_secrets() -> list[str]:
    """Every secret value to mask now (registered ones and secret-named environment variables),
    longest first; pass it to `redact`/`redact_text` when masking many values in a row."""
    return _secret_values()


def _secret_values() -> list[str]:
    global _cache
    # os.environ's own mapping (bytes on POSIX): comparing it with a copy is one C-level
    # dict comparison, far cheaper than decoding every variable again.
    env_data = getattr(os.environ, "_data", None)
    cached = _cache
    if cached is not None and isinstance(env_data, dict) and cached[0] == _known_version and cached[1] == env_data:
        return cached[2]
    version = _known_version  # read before the values: a secret added meanwhile invalidates the entry
    snapshot = dict(env_data) if isinstance(env_data, dict) else None
    env = [v for k, v in os.environ.items()
           if k not in _ENV_NOT_SECRET and is_secret_name(k) and len(v) >= _MIN_SECRET_LEN]
    with _lock:
        values = set(_known) | set(env)
    values |= {escaped for value in values for escaped in _json_forms(value)}
    ordered = sorted(values, key=len, reverse=True)  # longest first: a key containing another
    if snapshot is not None:
        _cache = (version, snapshot, ordered)
    return ordered


def _json_forms(value: str) -> set[str]:
    """How `value` reads inside a JSON string, where that differs (a quote, backslash or control
    character is escaped; ensure_ascii also escapes non-ASCII): a samples line is redacted as
    JSON text, so a password with a quote in it must be found in its escaped form too."""
    return {json.dumps(value, ensure_ascii=ascii_only)[1:-1] for ascii_only in (False, True)} - {value}


def _mask_kv(match: re.Match[str]) -> str:
    if is_secret_name(match.group("key")):
        return f"{match.group('key')}{match.group('sep')}{MASK}"
    return match.group(0)


def redact_text(text: str, secrets: list[str] | None = None) -> str:
    """Free text with every secret masked (URL user-info, secret k=v, Bearer tokens, known values).
    `secrets`: the known values, when the caller masks many strings at once (see `redact`)."""
    if not text:
        return text
    for value in secrets if secrets is not None else _secret_values():
        if value in text:
            text = text.replace(value, MASK)
    # Each pattern runs only where a cheap test says it could match (a regex scan costs ~25 us
    # per KB and every record is ~1 KB); the tests are necessary conditions, never sufficient.
    if "sk-" in text:
        text = _OPENAI_STYLE_KEY.sub(MASK, text)
    if "@" in text and "://" in text:
        text = _URL_USERINFO.sub(lambda m: m.group("scheme"), text)
    lowered = None
    if "=" in text or "%3D" in text:
        lowered = text.lower()
        if any(part in lowered for part in _SECRET_NAME_PARTS):
            text = _KV.sub(_mask_kv, text)
            lowered = None  # masking changed the text
    if _may_hold_bearer(text, lowered):
        text = _BEARER.sub(_mask_credential, text)
    return text


# Lower-cased, one of these is in the JSON text of any value `redact` would change: a secret
# name's part (a secret-named key, a secret k=v), a word that may start a credential, an
# OpenAI-style key's prefix. URL user-info needs "@" and "://"; a known value shows as itself or
# its JSON-escaped form (`_secret_values` holds both).
_JSON_HINTS = (*_SECRET_NAME_PARTS, "bearer", "basic", "sk-")


def json_needs_no_redaction(text: str, secrets: list[str]) -> bool:
    """True only when `redact` leaves unchanged the value whose JSON text (ensure_ascii=False) is
    `text`: none of the conditions `redact` and `redact_text` act on can hold inside it. A
    necessary-condition test on the whole text, so a false "no" only costs the full walk. Non-ASCII
    text always says no (re.IGNORECASE folds some non-ASCII letters onto the ASCII words).
    Keep in step with `redact_text` and `redact`."""
    if not text.isascii() or ("@" in text and "://" in text):
        return False
    lowered = text.lower()
    if any(hint in lowered for hint in _JSON_HINTS):
        return False
    return not any(value in text for value in secrets)


def _mask_credential(match: re.Match[str]) -> str:
    if match.group("scheme").lower() == "bearer" or _CREDENTIAL_LIKE.search(match.group("credential")):
        return f"{match.group('head')}{MASK}"
    return match.group(0)


def _may_hold_bearer(text: str, lowered: str | None) -> bool:
    """False only when `_BEARER` cannot match: no Bearer/Basic/Token (any case) followed by whitespace."""
    if not text.isascii() and any(c in text for c in _FOLDS_TO_ASCII):
        return True
    lowered = text.lower() if lowered is None else lowered
    for word in ("bearer", "basic", "token"):
        at = lowered.find(word)
        while at != -1:
            end = at + len(word)
            if end < len(lowered) and lowered[end].isspace():
                return True
            at = lowered.find(word, at + 1)
    return False


def redact_url(url: str) -> str:
    """A URL to show (logs, results, errors): scheme, host, port and path; no user-info, no query."""
    parts = urlsplit(url)
    host = parts.hostname or ""
    try:
        netloc = f"{host}:{parts.port}" if parts.port else host
    except ValueError:  # a bad port: show the host only
        netloc = host
    return urlunsplit((parts.scheme, netloc, parts.path, "", ""))


def redact_argv(argv: list[str]) -> list[str]:
    """A command line to record: `--api-key X` / `--token=X` values and secrets inside values masked."""
    out: list[str] = []
    hide_next = False
    for arg in argv:
        if hide_next:
            out.append(MASK)
            hide_next = False
            continue
        if arg.startswith("--") and is_secret_name(arg.split("=", 1)[0]):
            if "=" in arg:
                out.append(arg.split("=", 1)[0] + "=" + MASK)
            else:
                out.append(arg)
                hide_next = True
            continue
        out.append(redact_text(arg))
    return out


def redact(value: Any, secrets: list[str] | None = None) -> Any:
    """A JSON-like value with secrets masked: secret-named keys' values, and every string. The
    known secret values are looked up once per call, not once per string (a scores file has
    thousands of strings)."""
    if secrets is None:
        secrets = _secret_values()
    if isinstance(value, str):
        return redact_text(value, secrets)
    if isinstance(value, dict):
        return {k: (MASK if is_secret_name(str(k)) and v is not None and not isinstance(v, bool)
                    else redact(v, secrets)) for k, v in value.items()}
    if isinstance(value, (list, tuple)):
        return [redact(v, secrets) for v in value]
    if hasattr(value, "get_secret_value"):
        return MASK
    return value


def public_args(args: dict[str, Any]) -> dict[str, Any]:
    """Args safe to record: secret-named keys dropped at any depth (and SecretStr values),
    URL user-info and secrets inside the remaining strings removed."""
    out: dict[str, Any] = {}
    for key, value in args.items():
        if is_secret_name(str(key)) or hasattr(value, "get_secret_value"):
            continue
        out[key] = public_args(value) if isinstance(value, dict) else redact(value)
    return out


_factory_installed = False


def install_log_redaction() -> None:
    """Mask secrets in every log record, whatever handler later prints it (idempotent)."""
    global _factory_installed
    import logging  # noqa: PLC0415 - already imported by anything that logs

    with _lock:
        if _factory_installed:
            return
        _factory_installed = True
    previous = logging.getLogRecordFactory()

    def factory(*args: Any, **kwargs: Any) -> logging.LogRecord:
        record = previous(*args, **kwargs)
        try:
            message = record.getMessage()
        except Exception:  # a bad format string: leave it to logging's own error report
            return record
        record.msg, record.args = redact_text(message), None
        return record

    logging.setLogRecordFactory(factory)
