"""Checks before any model is asked, the circuit breaker, and exit codes: every way a run
could fail all its samples ends fast, with one clear line and a non-zero exit code."""

from __future__ import annotations

import socket
import sys
import time
from pathlib import Path
from typing import ClassVar

import pytest

from emer_bench.api.adapter import MediaInput, ModelAdapter, PreparedRequest
from emer_bench.api.records import Generation
from emer_bench.api.requests import Modality
from emer_bench.cli.main import main
from emer_bench.errors import ConfigError, DataError, RunLockedError, ServiceError
from emer_bench.registries import ADAPTERS
from emer_bench.runner.evaluate import RunConfig, run_evaluation
from emer_bench.runner.lock import OutputLock
from emer_bench.runner.samples_file import read_samples

sys.path.insert(0, str(Path(__file__).parent))
sys.path.insert(0, str(Path(__file__).parents[1] / "model_adapters"))
from openai_test_server import OpenAITestServer, Reply  # noqa: E402
from run_support import text_demo_task  # noqa: E402


class DeadServerStandIn(ModelAdapter):
    """Test stand-in: every request fails as if the server had gone away."""

    name: ClassVar[str] = "test-dead-server"
    modalities: ClassVar[frozenset[Modality]] = frozenset({Modality.SUBTITLE, Modality.VIDEO})
    media_input: ClassVar[MediaInput] = MediaInput.PATHS
    error: ClassVar[str] = "ConnectionError: http://127.0.0.1:9/v1/chat/completions: Connection refused"
    asked: ClassVar[int] = 0

    def generate(self, batch: list[PreparedRequest]) -> list[Generation]:
        DeadServerStandIn.asked += len(batch)
        return [Generation(index=p.request.index, error=self.error) for p in batch]


@pytest.fixture(autouse=True)
def _stand_in():
    ADAPTERS.add(DeadServerStandIn.name, DeadServerStandIn, origin="runtime", replace=True)
    DeadServerStandIn.asked = 0


def _free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


def _cli(tmp_path: Path, *extra: str, model: str = "openai", model_args: str = "") -> int:
    tasks = text_demo_task(tmp_path / "tasks")
    argv = ["run", "--model", model, "--tasks", "demo-text", "--include-path", str(tasks),
            "--output-dir", str(tmp_path / "out"), "--n-resamples", "0", "--no-progress", "--limit", "4", *extra]
    return main(argv + (["--model-args", model_args] if model_args else []))


@pytest.mark.parametrize("error", ["ConnectionError: http://h/v1: Connection refused", "HTTP 401: invalid key",
                                   "Timeout: no complete answer from http://h/v1 within 120s"])
def test_circuit_breaker_stops_on_the_first_repeated_fatal_error(error: str, tmp_path: Path) -> None:
    DeadServerStandIn.error = error
    tasks = text_demo_task(tmp_path / "tasks")
    config = RunConfig(model="test-dead-server", tasks=["demo-text"], output_dir=tmp_path / "out",
                       include_paths=[tasks], n_resamples=0)
    with pytest.raises(ServiceError, match="first 3 requests all failed with: " + error.split(":")[0]):
        run_evaluation(config)
    assert DeadServerStandIn.asked == 3  # not all 10 clips
    [samples] = list((tmp_path / "out").rglob("samples_*.jsonl"))
    assert len(read_samples(samples)) == 3  # what was answered is kept


def test_ordinary_failures_do_not_trip_the_breaker(tmp_path: Path) -> None:
    DeadServerStandIn.error = "HTTP 500: overloaded"
    tasks = text_demo_task(tmp_path / "tasks")
    results, _ = run_evaluation(RunConfig(model="test-dead-server", tasks=["demo-text"], output_dir=tmp_path / "out",
                                          include_paths=[tasks], n_resamples=0))
    assert results["results"]["demo-text"]["n_failed"] == 10


def test_every_failure_exits_3_and_says_how_to_retry(tmp_path: Path, capfd: pytest.CaptureFixture[str]) -> None:
    DeadServerStandIn.error = "HTTP 500: overloaded"
    assert _cli(tmp_path, model="test-dead-server") == 3
    err = capfd.readouterr().err
    assert "4 of 4 samples failed" in err and "re-running the same command retries only the failed samples" in err
    assert _cli(tmp_path, "--max-failure-rate", "1", model="test-dead-server") == 0


def test_unreachable_server_is_one_line_and_fast(tmp_path: Path, capfd: pytest.CaptureFixture[str]) -> None:
    started = time.monotonic()
    code = _cli(tmp_path, model_args=f"base_url=http://127.0.0.1:{_free_port()}/v1,model=m")
    err = capfd.readouterr().err
    assert code == 4 and time.monotonic() - started < 10
    assert "cannot reach the model server at http://127.0.0.1:" in err and len(err.strip().splitlines()) == 1


def test_refused_key_is_one_line_before_any_request(tmp_path: Path, capfd: pytest.CaptureFixture[str],
                                                    monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.delenv("OPENAI_API_KEY", raising=False)
    with OpenAITestServer() as server:
        server.api_key = "the-right-key-123"
        code = _cli(tmp_path, model_args=f"base_url={server.base_url},model=m,api_key=a-wrong-key-456")
        assert code == 4 and server.requests == [] and server.get_requests == ["/v1/models"]
    err = capfd.readouterr().err
    assert "refused the API key (HTTP 401: Incorrect API key provided)" in err and "a-wrong-key-456" not in err


def test_a_server_without_a_models_route_passes_the_check(tmp_path: Path) -> None:
    with OpenAITestServer(default=Reply.ok("happy")) as server:
        assert _cli(tmp_path, model_args=f"base_url={server.base_url.replace('/v1', '/api')},model=m") == 3
        assert server.get_requests == ["/api/models"] and len(server.requests) == 4  # asked (and 404 on POST)


def test_output_dir_that_is_a_file(tmp_path: Path) -> None:
    target = tmp_path / "out"
    target.write_text("not a folder")
    with pytest.raises(ConfigError, match="is a file, not a folder"):
        run_evaluation(RunConfig(model="lexicon-baseline", tasks=["emer-demo"], output_dir=target))


def test_a_second_run_into_the_same_folder_refuses(tmp_path: Path, capfd: pytest.CaptureFixture[str]) -> None:
    with OutputLock(tmp_path / "out"):
        with pytest.raises(RunLockedError, match="another emer-bench run .* is writing into"):
            run_evaluation(RunConfig(model="lexicon-baseline", tasks=["emer-demo"], output_dir=tmp_path / "out"))
        assert _cli(tmp_path, model="lexicon-baseline") == 5
    assert not list((tmp_path / "out").rglob("samples_*"))
    assert _cli(tmp_path, model="lexicon-baseline") == 0  # released


def _media_task(tmp_path: Path, media: Path) -> Path:
    demo = Path(__file__).resolve().parents[2] / "tasks" / "emer_demo"
    task_dir = tmp_path / "tasks"
    task_dir.mkdir(exist_ok=True)
    (task_dir / "t.yaml").write_text(
        f"include: {demo / 'emer_demo.yaml'}\ntask: demo-media\n"
        f"dataset: {{files: [{{path: '{demo / 'annotations.csv'}', columns: {{subtitle: subtitle, explanation: explanation}}}}]}}\n"
        f"reference: [explanation]\nmedia: {{dir: '{media}'}}\nscorers: [{{name: rouge_l}}]\nmain_metric: rouge_l.fscore\n")
    return task_dir


def test_missing_media_folder_and_no_clip_found_fail_before_the_model(tmp_path: Path) -> None:
    config = RunConfig(model="test-dead-server", tasks=["demo-media"], output_dir=tmp_path / "out",
                       include_paths=[_media_task(tmp_path, tmp_path / "nowhere")])
    with pytest.raises(DataError, match="media folder .*nowhere does not exist"):
        run_evaluation(config)
    (tmp_path / "empty").mkdir()
    config.include_paths = [_media_task(tmp_path, tmp_path / "empty")]
    with pytest.raises(DataError, match="none of the 10 clips is in .*empty"):
        run_evaluation(config)
    assert DeadServerStandIn.asked == 0


def test_a_task_that_gives_nothing_the_model_takes_is_an_error(tmp_path: Path) -> None:
    text_demo_task(tmp_path, "demo-nosub", modalities="[video, audio]")
    with pytest.raises(ConfigError, match="model 'lexicon-baseline' takes only subtitle"):
        run_evaluation(RunConfig(model="lexicon-baseline", tasks=["demo-nosub"], output_dir=tmp_path / "out",
                                 include_paths=[tmp_path]))
