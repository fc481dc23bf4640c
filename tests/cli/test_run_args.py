"""`emer-bench run` refuses bad settings with one line before any model is loaded."""

from __future__ import annotations

import pytest

from emer_bench.cli.main import main


def _run(tmp_path, *extra: str) -> list[str]:
    return ["run", "--model", "lexicon-baseline", "--tasks", "emer-demo", "--output-dir", str(tmp_path / "out"),
            *extra]


@pytest.mark.parametrize("extra, message", [
    (["--gen-kwargs", "temperature=hot"], r"--gen-kwargs: key 'temperature': .*'hot'"),
    (["--gen-kwargs", "max_new_tokens=-5"], r"--gen-kwargs: key 'max_new_tokens': .*-5"),
    (["--gen-kwargs", "temprature=0"], r"unknown key 'temprature' \(did you mean 'temperature'\?\)"),
    (["--model-args", "num_frames=0"], r"--model-args for 'lexicon-baseline': key 'num_frames'"),
    (["--model-args", "num_frames=8,fps=2"], r"give num_frames or fps, not both"),
    (["--model-args", "num_frames=8,num_frames=4"], r"--model-args: key 'num_frames' given twice"),
])
def test_bad_settings_are_one_error_line(tmp_path, capsys, extra, message):
    assert main(_run(tmp_path, *extra)) == 2
    err = " ".join(capsys.readouterr().err.split())
    assert pytest.importorskip("re").search(message, err), err
    assert not (tmp_path / "out").exists() or not list((tmp_path / "out").rglob("samples_*"))


@pytest.mark.parametrize("extra, message", [
    (["--batch-size", "0"], "argument --batch-size: must be >= 1, got 0"),
    (["--n-resamples", "-5"], "argument --n-resamples: must be >= 0, got -5"),
    (["--limit", "x"], "argument --limit: expected an integer, got 'x'"),
])
def test_bad_numbers_are_refused_by_the_parser(tmp_path, capsys, extra, message):
    with pytest.raises(SystemExit) as exit_info:
        main(_run(tmp_path, *extra))
    assert exit_info.value.code == 2 and message in capsys.readouterr().err


def test_task_generation_with_a_bad_value_names_file_and_key(tmp_path, capsys):
    (tmp_path / "t.yaml").write_text(
        "include: emer-demo\ntask: my-demo\ngeneration: {max_new_tokens: lots}\n")
    assert main(["run", "--model", "lexicon-baseline", "--tasks", "my-demo", "--include-path", str(tmp_path),
                 "--output-dir", str(tmp_path / "out")]) == 2
    err = " ".join(capsys.readouterr().err.split())
    assert "t.yaml: key 'generation':" in err and "'max_new_tokens'" in err and "lots" in err
