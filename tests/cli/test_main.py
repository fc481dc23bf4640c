"""CLI behaviour a user sees: help with examples, one-line errors, tracebacks only with --debug."""

from __future__ import annotations

import argparse
import importlib
import subprocess
import sys

import pytest

from emer_bench.cli.main import COMMANDS, apply_aliases, build_parser, main


@pytest.mark.parametrize("command", [c.replace("_", "-") for c in COMMANDS])
def test_every_command_has_help_with_examples(command, capsys):
    with pytest.raises(SystemExit) as exit_info:
        main([command, "--help"] if command != "list" else ["list", "--help"])
    assert exit_info.value.code == 0
    out = capsys.readouterr().out
    assert "examples:" in out and "emer-bench" in out


def test_top_level_help_lists_commands(capsys):
    with pytest.raises(SystemExit):
        main(["--help"])
    out = capsys.readouterr().out
    for command in ("run", "list", "score", "score-labels", "compare", "resources"):
        assert command in out


def test_unknown_model_is_one_line_without_traceback(tmp_path):
    proc = subprocess.run([sys.executable, "-m", "emer_bench", "run", "--model", "lexicon-basline", "--tasks",
                           "emer-demo", "--output-dir", str(tmp_path)], capture_output=True, text=True)
    assert proc.returncode == 2
    assert "Traceback" not in proc.stderr
    assert "unknown model 'lexicon-basline'; did you mean 'lexicon-baseline'" in " ".join(proc.stderr.split())


def test_debug_shows_traceback(tmp_path):
    proc = subprocess.run([sys.executable, "-m", "emer_bench", "--debug", "run", "--model", "nope", "--tasks",
                           "emer-demo", "--output-dir", str(tmp_path)], capture_output=True, text=True)
    assert proc.returncode == 2 and "Traceback" in proc.stderr


def test_unknown_task_names_closest(capsys, tmp_path):
    assert main(["run", "--model", "lexicon-baseline", "--tasks", "emer-dem", "--output-dir", str(tmp_path)]) == 2
    assert "did you mean 'emer-demo'" in " ".join(capsys.readouterr().err.split())


def test_parser_builds_every_command():
    # Every module in COMMANDS registers a subcommand of the same name whose handler is its `run`.
    parser = build_parser()
    sub = next(a for a in parser._actions if isinstance(a, argparse._SubParsersAction))
    assert set(sub.choices) >= {c.replace("_", "-") for c in COMMANDS}
    for command in COMMANDS:
        module = importlib.import_module(f"emer_bench.cli.{command}_cmd")
        handler = sub.choices[command.replace("_", "-")].get_default("handler")
        assert handler is module.run, command


def test_lm_eval_spellings_are_aliases():
    args = build_parser().parse_args(apply_aliases([
        "run", "--model", "openai", "--tasks", "emer-demo", "--model_args", "model=m", "--output_path=out",
        "--gen_kwargs", "temperature=0", "--include_path", "extra", "--batch_size", "2"]))
    assert (args.model_args, args.output_dir, args.gen_kwargs, args.include_path, args.batch_size) == (
        "model=m", "out", "temperature=0", ["extra"], 2)
    assert apply_aliases(["run", "--model-args", "--model_args_like_value"]) == [
        "run", "--model-args", "--model_args_like_value"]


def test_list_models_args_shows_types_defaults_and_limits(capsys):
    assert main(["list", "models", "--args", "openai"]) == 0
    lines = capsys.readouterr().out.splitlines()
    by_arg = {line.split()[0]: line for line in lines[2:]}
    assert by_arg["model"].split()[1:3] == ["str", "(required)"]
    assert "int" in by_arg["concurrency"] and " 8 " in by_arg["concurrency"] and ">= 1, <= 1024" in by_arg["concurrency"]
    assert "'auto' | 'low' | 'high' | None" in by_arg["image_detail"]
    assert main(["list", "models", "--args", "opnai"]) == 2
    assert "did you mean 'openai'" in capsys.readouterr().err


def test_error_text_with_brackets_is_printed_as_is(capsys, tmp_path):
    # Rich would read "[demo]" as markup and drop it; the message must reach the user unchanged.
    assert main(["run", "--model", "lexicon-baseline", "--tasks", "emer[demo]", "--output-dir", str(tmp_path)]) == 2
    assert "'emer[demo]'" in " ".join(capsys.readouterr().err.split())


def test_a_closed_stdout_keeps_the_commands_exit_code(tmp_path) -> None:
    """`emer-bench run ... | head -1`: the reader goes away before the summary is printed; rich's
    default turned that into an undocumented exit 1 (and would hide a 3). Everything is saved first."""
    proc = subprocess.Popen([sys.executable, "-m", "emer_bench", "run", "--model", "lexicon-baseline", "--tasks",
                             "emer-demo", "--output-dir", str(tmp_path), "--no-progress", "--n-resamples", "0"],
                            stdout=subprocess.PIPE, stderr=subprocess.PIPE)
    assert proc.stdout is not None and proc.stderr is not None
    proc.stdout.close()  # as `| head` does once it has its lines
    err = proc.stderr.read().decode()
    assert proc.wait(timeout=120) == 0, err
    assert "Traceback" not in err
    assert list(tmp_path.rglob("results_*.json"))
