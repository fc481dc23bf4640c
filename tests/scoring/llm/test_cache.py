"""The append-only JSONL answer cache."""

from __future__ import annotations

from pathlib import Path

from emer_bench.scoring.llm.cache import JsonlAnswerCache


def test_put_then_get_survives_a_new_instance(tmp_path: Path) -> None:
    path = tmp_path / "sub" / "answers.jsonl"
    cache = JsonlAnswerCache(path)
    assert cache.get("k1") is None
    cache.put("k1", {"text": "Score: 7 — ünïcode"})
    cache.put("k2", {"text": "[happy]"})
    assert cache.get("k1")["text"] == "Score: 7 — ünïcode"
    again = JsonlAnswerCache(path)
    assert len(again) == 2
    assert again.get("k2")["text"] == "[happy]"


def test_a_torn_line_is_skipped_and_the_rest_is_kept(tmp_path: Path, caplog) -> None:
    path = tmp_path / "answers.jsonl"
    JsonlAnswerCache(path).put("good", {"text": "ok"})
    with path.open("a", encoding="utf-8") as fh:
        fh.write('{"key": "torn", "text": "no end')  # a process killed mid-write
    cache = JsonlAnswerCache(path)
    assert cache.get("good")["text"] == "ok"
    assert cache.get("torn") is None
    assert "ignored 1 unreadable cache line" in caplog.text
