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
# key=value in a query string or a k=v,k=v list; the value runs to the next separator.
_KV = re.compile(r"(?P<key>[A-Za-z0-9_.-]+)(?P<sep>=|%3D)(?P<value>[^&,;\s\"'#]+)")
_BEARER = re.compile(r"(?P<head>\b(?:Bearer|Basic|Token)\s+)[A-Za-z0-9._~+/=-]{6,}", re.IGNORECASE)
_OPENAI_STYLE_KEY = re.compile(r"\bsk-[A-Za-z0-9_-]{16,}")
_MIN_SECRET_LEN = 6  # shorter values ("1", "yes") would mask ordinary text

_lock = threading.Lock()
_known: set[str] = set()


def is_secret_name(name: str) -> bool:
    return _is_secret_name(str(name))


@functools.lru_cache(maxsize=4096)
def _is_secret_name(name: str) -> bool:
    # Memoised: every record written re-checks every environment variable's name (a regex
    # search each, ~0.4 ms per record with a typical environment), and names repeat.
    return bool(SECRET_NAME.search(name.strip("-")))


def register_secret(value: Any) -> None:
    """Remember a secret value (e.g. an api_key model arg) so free text that echoes it is masked."""
    if value is None:
        return
    if hasattr(value, "get_secret_value"):  # pydantic SecretStr
        value = value.get_secret_value()
    text = str(value)
    if len(text) >= _MIN_SECRET_LEN:
        with _lock:
            _known.add(text)


def register_secrets_in(text: str) -> None:
    """Register the secrets a value carries: URL user-info and secret-named `k=v` values, so the
    bare value is masked too when some message echoes it without its URL or name."""
    for match in _URL_USERINFO.finditer(text):
        info = match.group("info")
        register_secret(info.split(":", 1)[1] if ":" in info else info)  # the password, or a bare token
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
    env = [v for k, v in os.environ.items() if is_secret_name(k) and len(v) >= _MIN_SECRET_LEN]
    with _lock:
        values = set(_known) | set(env)
    return sorted(values, key=len, reverse=True)  # longest first: a key containing another


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
    if "sk-" in text:
        text = _OPENAI_STYLE_KEY.sub(MASK, text)
    if "@" in text:
        text = _URL_USERINFO.sub(lambda m: m.group("scheme"), text)
    if "=" in text or "%3D" in text:
        text = _KV.sub(_mask_kv, text)
    if " " in text:
        text = _BEARER.sub(lambda m: f"{m.group('head')}{MASK}", text)
    return text


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
