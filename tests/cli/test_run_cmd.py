"""What the user sees from `emer-bench run`: the summary names each error kind with its count
and first message and the samples file's full path, lines are never wrapped or cut, a log
without a terminal gets plain progress lines, a resumed run says what it reused, and a retry
warning names the server once."""

from __future__ import annotations

import logging
import sys
from pathlib import Path
from typing import ClassVar

import pytest

from emer_bench.api.adapter import MediaInput, ModelAdapter, PreparedRequest
from emer_bench.api.records import Generation
from emer_bench.api.requests import Modality
from emer_bench.cli.main import main
from emer_bench.registries import ADAPTERS

sys.path.insert(0, str(Path(__file__).parents[1] / "runner"))
sys.path.insert(0, str(Path(__file__).parents[1] / "model_adapters"))
from openai_adapter_support import make_adapter, text_requests  # noqa: E402
from openai_test_server import OpenAITestServer, Reply  # noqa: E402
from run_support import text_demo_task  # noqa: E402


class SometimesFailingStandIn(ModelAdapter):
    """Test stand-in: clips 1 and 3 fail with a media error, clip 2 with a server error (while `failing`)."""

    name: ClassVar[str] = "test-sometimes-failing"
    modalities: ClassVar[frozenset[Modality]] = frozenset({Modality.SUBTITLE})
    media_input: ClassVar[MediaInput] = MediaInput.PATHS
    failing: ClassVar[bool] = True

    def generate(self, batch: list[PreparedRequest]) -> list[Generation]:
        errors = {1: "MediaError: /data/clips/demo_02.mp4: file not found",
                  2: "HTTP 500: overloaded", 3: "MediaError: /data/clips/demo_04.mp4: file not found"}
        return [Generation(index=p.request.index, error=errors[p.request.index])
                if self.failing and p.request.index in errors
                else Generation(index=p.request.index, text="happy") for p in batch]


@pytest.fixture()
def out(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Path:
    ADAPTERS.add(SometimesFailingStandIn.name, SometimesFailingStandIn, origin="runtime", replace=True)
    SometimesFailingStandIn.failing = True
    monkeypatch.setenv("COLUMNS", "40")  # a narrow terminal: nothing may be cut or wrapped
    # A deep output folder: its paths are far longer than a line.
    return tmp_path / "a-rather-long-folder-name-for-results" / "and-another-level-below-it"


def _run(tmp_path: Path, out: Path, *extra: str) -> int:
    return main(["run", "--model", "test-sometimes-failing", "--tasks", "demo-text", "--include-path",
                 str(text_demo_task(tmp_path / "tasks")), "--limit", "4", "--output-dir", str(out),
                 "--n-resamples", "0", *extra])


def test_summary_names_each_error_kind_and_the_full_samples_path(tmp_path: Path, out: Path,
                                                                 capfd: pytest.CaptureFixture[str]) -> None:
    assert _run(tmp_path, out, "--no-progress") == 3
    stdout = capfd.readouterr().out
    lines = stdout.splitlines()
    [samples] = list(out.rglob("samples_*.jsonl"))
    assert f"demo-text: 3 of 4 samples failed; errors in {samples.resolve()}" in lines
    assert "  MediaError x2: /data/clips/demo_02.mp4: file not found" in lines
    assert "  HTTPError x1: HTTP 500: overloaded" in lines
    [results] = list(out.rglob("results_*.json"))
    assert lines[-1] == f"results: {results}"  # `| tail -1` gets the whole path


def test_plain_progress_lines_without_a_terminal(tmp_path: Path, out: Path, capfd: pytest.CaptureFixture[str]) -> None:
    _run(tmp_path, out, "--progress-interval", "0")
    err = capfd.readouterr().err
    progress = [line for line in err.splitlines() if line.startswith("progress demo-text: ")]
    assert progress[0].startswith("progress demo-text: 0/4 done, 0 failed")
    assert progress[-1].startswith("progress demo-text: 4/4 done, 3 failed")
    assert len(progress) == 5  # one per answer at interval 0


def test_a_resumed_run_says_what_it_reused_and_what_it_asks(tmp_path: Path, out: Path,
                                                            capfd: pytest.CaptureFixture[str]) -> None:
    assert _run(tmp_path, out, "--no-progress") == 3
    capfd.readouterr()
    SometimesFailingStandIn.failing = False
    assert _run(tmp_path, out, "--no-progress") == 0
    err = capfd.readouterr().err
    [samples] = list(out.rglob("samples_*.jsonl"))
    assert f"demo-text: resuming {samples}: 1 of 4 samples reused, 3 to ask (3 failed before)" in err.splitlines()


def test_retry_warning_names_the_server_once(caplog: pytest.LogCaptureFixture) -> None:
    with OpenAITestServer() as server:
        server.plan(Reply.error(500, "overloaded"))
        adapter = make_adapter(server, max_retries=1)
        with caplog.at_level(logging.WARNING):
            [generation] = list(adapter.generate_stream(text_requests(1)))
        adapter.close()
    assert generation.ok
    [warning] = [r.getMessage() for r in caplog.records if "retry 1/1" in r.getMessage()]
    assert warning.count("127.0.0.1") == 1 and "HTTP 500: overloaded" in warning


def test_retry_warning_for_a_connection_error_names_the_server_once(caplog: pytest.LogCaptureFixture) -> None:
    with OpenAITestServer() as server:
        pass  # stopped: nothing listens on its port any more
    adapter = make_adapter(server, max_retries=1)
    with caplog.at_level(logging.WARNING):
        [generation] = list(adapter.generate_stream(text_requests(1)))
    adapter.close()
    assert not generation.ok
    [warning] = [r.getMessage() for r in caplog.records if "retry 1/1" in r.getMessage()]
    assert warning.count("127.0.0.1") == 1 and warning.startswith("openai: ConnectionError")
