"""CLI behaviour a user sees: help with examples, one-line errors, tracebacks only with --debug."""

from __future__ import annotations

import subprocess
import sys

import pytest

from emer_bench.cli.main import COMMANDS, build_parser, main


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
    parser = build_parser()
    assert parser.prog == "emer-bench"


def test_error_text_with_brackets_is_printed_as_is(capsys, tmp_path):
    # Rich would read "[demo]" as markup and drop it; the message must reach the user unchanged.
    assert main(["run", "--model", "lexicon-baseline", "--tasks", "emer[demo]", "--output-dir", str(tmp_path)]) == 2
    assert "'emer[demo]'" in " ".join(capsys.readouterr().err.split())
