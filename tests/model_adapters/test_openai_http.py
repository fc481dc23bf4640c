"""Parsing of Chat Completions responses and error bodies, URL redaction."""

from __future__ import annotations

import json

import pytest

from emer_bench.model_adapters.openai_http import parse_completion, redact_url, server_message


def _body(body: object) -> bytes:
    return body if isinstance(body, bytes) else json.dumps(body).encode()


@pytest.mark.parametrize("body, message", [
    ({"error": {"message": "Invalid image", "type": "invalid_request_error"}}, "Invalid image"),  # OpenAI
    ({"object": "error", "message": "max_tokens too large", "code": 400}, "max_tokens too large"),  # vLLM
    ({"error": "model not found"}, "model not found"),  # Ollama
    ({"detail": [{"loc": ["body", "model"], "msg": "field required"}]}, '[{"loc": ["body", "model"]'),  # FastAPI
    (b"<html>Bad Gateway</html>", "<html>Bad Gateway</html>"),
    (b"", "Bad Request"),
])
def test_server_message_shapes(body: object, message: str) -> None:
    assert server_message(_body(body), "Bad Request").startswith(message)


def test_parse_completion_text_usage_and_model() -> None:
    body = {"model": "served", "choices": [{"message": {"content": "Happy."}, "finish_reason": "stop"}],
            "usage": {"prompt_tokens": 5, "completion_tokens": 2, "total_tokens": 7}}
    result = parse_completion(json.dumps(body))
    assert (result.text, result.error, result.served_model) == ("Happy.", None, "served")
    assert result.usage == {"prompt_tokens": 5, "completion_tokens": 2, "total_tokens": 7}


@pytest.mark.parametrize("body, error", [
    ("{not json", "BadResponse: the server returned invalid JSON"),
    ("[1, 2]", "BadResponse: expected a JSON object"),
    ('{"choices": []}', "BadResponse: no choices"),
    ('{"error": {"message": "quota"}}', "APIError: quota"),
    ('{"choices": [{"message": {"content": ""}, "finish_reason": "length"}]}',
     "EmptyResponse: the server returned no text (finish_reason=length)"),
    ('{"choices": [{"message": {"content": null, "refusal": "no"}, "finish_reason": "stop"}]}',
     "EmptyResponse: the server returned no text (finish_reason=stop, refusal='no')"),
])
def test_parse_completion_failures_are_recorded(body: str, error: str) -> None:
    result = parse_completion(body)
    assert result.text is None and result.error is not None and result.error.startswith(error)


def test_content_parts_are_joined() -> None:
    body = {"choices": [{"message": {"content": [{"type": "text", "text": "a"}, {"type": "text", "text": "b"}]}}]}
    assert parse_completion(json.dumps(body)).text == "ab"


def test_redact_url_drops_credentials_and_query() -> None:
    assert redact_url("https://user:pw@host.example:8443/v1?key=abc") == "https://host.example:8443/v1"
    assert redact_url("http://127.0.0.1:8000/v1") == "http://127.0.0.1:8000/v1"
