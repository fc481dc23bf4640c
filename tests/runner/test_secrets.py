"""No secret is ever written or printed, whatever route it came by: the OPENAI_API_KEY
environment variable, an `api_key` model arg, user-info in base_url, or a key in its query.

Each route runs a real `emer-bench run` against the real test HTTP server, whose error
messages echo the secret back (as real servers do: "Incorrect API key provided: sk-..."),
then greps every file of the output folder and everything printed."""

from __future__ import annotations

import sys
from pathlib import Path

import pytest

from emer_bench.cli.main import main

sys.path.insert(0, str(Path(__file__).parent))
sys.path.insert(0, str(Path(__file__).parents[1] / "model_adapters"))
from openai_test_server import OpenAITestServer, Reply  # noqa: E402
from run_support import text_demo_task  # noqa: E402

SECRET = "sk-test-Zq8Xv3Lm2Np7Rt4Wy9Ks1"


@pytest.fixture
def server():
    with OpenAITestServer() as srv:
        yield srv


def _run(tmp_path: Path, model_args: str) -> int:
    tasks = text_demo_task(tmp_path / "tasks")
    return main(["run", "--model", "openai", "--model-args", model_args, "--tasks", "demo-text",
                 "--include-path", str(tasks), "--limit", "3", "--output-dir", str(tmp_path / "out"),
                 "--n-resamples", "0", "--progress-interval", "0"])


def _assert_nowhere(tmp_path: Path, printed: str) -> None:
    written = [p for p in (tmp_path / "out").rglob("*") if p.is_file()]
    assert written, "the run wrote nothing"
    for path in written:
        assert SECRET not in path.read_text(errors="replace"), path
    assert SECRET not in printed
    assert SECRET not in " ".join(p.name for p in written)


@pytest.mark.parametrize("route", ["env", "model_arg"])
def test_a_key_never_reaches_files_or_output(route: str, server: OpenAITestServer, tmp_path: Path,
                                             monkeypatch: pytest.MonkeyPatch, capfd: pytest.CaptureFixture[str]) -> None:
    server.api_key = SECRET
    # The server accepts the key, then answers with errors that quote it.
    server.plan(*[Reply.error(400, f"Incorrect API key provided: {SECRET}. You can find your key at ...")] * 2)
    model_args = f"base_url={server.base_url},model=m"
    if route == "env":
        monkeypatch.setenv("OPENAI_API_KEY", SECRET)
    else:
        monkeypatch.delenv("OPENAI_API_KEY", raising=False)
        model_args += f",api_key={SECRET}"
    code = _run(tmp_path, model_args)
    printed = "".join(capfd.readouterr())
    assert code == 3  # two of three samples failed
    assert len(server.requests) == 3 and "Incorrect API key provided: ***" in printed
    _assert_nowhere(tmp_path, printed)


def test_url_user_info_never_reaches_files_or_output(server: OpenAITestServer, tmp_path: Path,
                                                     monkeypatch: pytest.MonkeyPatch,
                                                     capfd: pytest.CaptureFixture[str]) -> None:
    monkeypatch.delenv("OPENAI_API_KEY", raising=False)
    server.plan(Reply.error(400, f"bad credentials user:{SECRET}"))
    url = server.base_url.replace("http://", f"http://user:{SECRET}@")
    code = _run(tmp_path, f"base_url={url},model=m")
    printed = "".join(capfd.readouterr())
    assert code == 3 and len(server.requests) == 3
    _assert_nowhere(tmp_path, printed)


def test_url_query_key_never_reaches_files_or_output(server: OpenAITestServer, tmp_path: Path,
                                                     monkeypatch: pytest.MonkeyPatch,
                                                     capfd: pytest.CaptureFixture[str]) -> None:
    monkeypatch.delenv("OPENAI_API_KEY", raising=False)
    # The key in the query string: the server's 404 quotes the whole path back.
    code = _run(tmp_path, f"base_url={server.base_url}?api_key={SECRET},model=m")
    printed = "".join(capfd.readouterr())
    assert code == 3 and "no route" in printed
    _assert_nowhere(tmp_path, printed)
