"""The one secret redactor: names, URLs, k=v lists, argv, known values, log records."""

from __future__ import annotations

import logging

from emer_bench.redact import (install_log_redaction, is_secret_name, public_args, redact, redact_argv,
                               redact_text, redact_url, register_secret, register_secrets_in)


def test_secret_names_and_look_alikes() -> None:
    for name in ("api_key", "OPENAI_API_KEY", "hf_token", "password", "Authorization", "client_secret", "key"):
        assert is_secret_name(name), name
    for name in ("max_new_tokens", "prompt_tokens", "tokenizer", "concurrency", "base_url", "max_tokens_field"):
        assert not is_secret_name(name), name


def test_text_urls_kv_lists_and_bearer_tokens() -> None:
    text = "GET http://bob:hunter2pw@host:8/v1?api_key=abc123&page=2 with Bearer abcdefghij; api_key=zzz9,model=m"
    out = redact_text(text)
    assert "hunter2pw" not in out and "abc123" not in out and "abcdefghij" not in out and "zzz9" not in out
    assert "page=2" in out and "model=m" in out and "host:8/v1" in out


def test_openai_style_keys_and_registered_values_anywhere() -> None:
    assert "sk-" not in redact_text("key sk-abcdefghijklmnopqrstuv0 leaked")
    register_secret("plain-secret-value-77")
    assert redact_text("the server said plain-secret-value-77!") == "the server said ***!"
    register_secrets_in("http://u:url-password-99@h/v1?token=query-token-55")
    assert "url-password-99" not in redact_text("echo url-password-99") and "query-token-55" not in redact_text("x query-token-55")


def test_a_password_in_a_url_without_its_scheme_is_registered() -> None:
    register_secrets_in("admin:Pa55w0rdNoScheme@127.0.0.1:8000/v1")  # base_url=... with http:// left out
    assert redact_text("got 'admin:Pa55w0rdNoScheme@127.0.0.1:8000/v1'") == "got 'admin:***@127.0.0.1:8000/v1'"
    register_secrets_in("Qwen/Qwen2.5:7b@main")  # a slash before the colon: not user-info
    assert redact_text("Qwen/Qwen2.5:7b@main") == "Qwen/Qwen2.5:7b@main"


def test_env_secrets_are_masked(monkeypatch) -> None:
    monkeypatch.setenv("MY_SERVICE_TOKEN", "env-token-value-31")
    assert redact_text("error: env-token-value-31 refused") == "error: *** refused"


def test_argv_json_and_args() -> None:
    argv = ["emer-bench", "--model-args", "base_url=http://a:b@h/v1,api_key=sk-1234567,model=x", "--api-key", "s3cr3t!!"]
    assert redact_argv(argv) == ["emer-bench", "--model-args", "base_url=http://h/v1,api_key=***,model=x",
                                 "--api-key", "***"]
    assert redact({"api_key": "x", "n": {"password": "y"}, "usage": {"total_tokens": 3}}) == \
        {"api_key": "***", "n": {"password": "***"}, "usage": {"total_tokens": 3}}
    assert public_args({"api_key": "x", "base_url": "http://u:p@h/v1", "seed": 1}) == {"base_url": "http://h/v1", "seed": 1}
    assert redact_url("https://user:pw@host:8443/v1?key=abc") == "https://host:8443/v1"


def test_log_records_are_masked(caplog) -> None:
    install_log_redaction()
    register_secret("log-secret-value-42")
    with caplog.at_level(logging.WARNING):
        logging.getLogger("emer_bench.test").warning("retry with %s", "log-secret-value-42")
    assert "log-secret-value-42" not in caplog.text and "retry with ***" in caplog.text


def test_an_unexpected_exception_prints_a_redacted_traceback(monkeypatch, capfd) -> None:
    from emer_bench.cli import main as cli_main

    def boom(_args) -> int:
        raise RuntimeError("cannot open http://user:bug-secret-77@host/v1")

    parser = cli_main.build_parser()
    real_parse = parser.parse_args

    def parse(argv):
        args = real_parse(argv)
        args.handler = boom
        return args

    monkeypatch.setattr(parser, "parse_args", parse)
    monkeypatch.setattr(cli_main, "build_parser", lambda: parser)
    assert cli_main.main(["list", "tasks"]) == 1
    err = capfd.readouterr().err
    assert "RuntimeError: cannot open http://host/v1" in err and "bug-secret-77" not in err


def test_secrets_added_after_a_redaction_are_masked_too(monkeypatch) -> None:
    # The known values are cached between calls; a new env var or registered value must still count.
    assert redact_text("nothing secret here") == "nothing secret here"
    monkeypatch.setenv("LATE_SERVICE_TOKEN", "late-env-token-58")
    assert redact_text("echo late-env-token-58") == "echo ***"
    register_secret("late-registered-value-59")
    assert redact_text("echo late-registered-value-59") == "echo ***"
    monkeypatch.delenv("LATE_SERVICE_TOKEN")
    assert redact_text("echo late-env-token-58") == "echo late-env-token-58"


def test_the_working_directory_is_not_a_secret(monkeypatch) -> None:
    # PWD matches the `pwd` argument name, but it is the shell's working directory: masking it
    # hid every path under it in every output.
    monkeypatch.setenv("PWD", "/home/someone/project")
    monkeypatch.setenv("OLDPWD", "/home/someone/other")
    text = "media /home/someone/project/clip.mp4 and /home/someone/other/x.wav"
    assert redact_text(text) == text
    assert redact_text("--model-args pwd=hunter22") == "--model-args pwd=***"


def test_bearer_tokens_after_any_whitespace_and_in_any_case() -> None:
    for text in ("Authorization: Bearer\tabcdefghij", "authorization: BEARER  abcdefghij", "token\nabcdef12",
                 "Authorization: Basic dXNlcjpwYXNz", "Token abc.def.ghi"):
        assert redact_text(text).endswith("***"), text


def test_words_after_basic_or_token_are_not_credentials() -> None:
    # A model's answer is scored from the samples file: prose must come back unchanged.
    for text in ("She shows basic emotions such as happiness.", "Basic feelings", "the token gesture",
                 '{"usage": {"prompt_tokens": 11, "total_tokens": 18}, "response": "a basic answer"}'):
        assert redact_text(text) == text


def test_a_secret_with_quotes_is_masked_inside_json_text() -> None:
    import json

    register_secret('pa"ss\\word-60')
    line = json.dumps({"error": 'AuthError: key pa"ss\\word-60 refused'}, ensure_ascii=False)
    assert "word-60" not in redact_text(line)
    register_secret("pässwörd-61")
    assert "61" not in redact_text(json.dumps({"error": "pässwörd-61"}))  # ensure_ascii's escapes


def test_key_value_pairs_mask_only_secret_names() -> None:
    assert redact_text("x=1&api_key=abc123&page=2") == "x=1&api_key=***&page=2"
    assert redact_text("a.b-c=1 d_token=xyz9 e==f") == "a.b-c=1 d_token=*** e==f"
    assert redact_text("max_new_tokens=64,temperature=0") == "max_new_tokens=64,temperature=0"
