"""The built site in a real headless Chromium (Debian `chromium`, driven by Playwright; never
`playwright install`): numbers equal leaderboard.json, headers sort, one bar per row, model
pages open, hostile answers show as text and run nothing, no network request is made."""

from __future__ import annotations

import json
import os
import shutil
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest

from emer_bench.leaderboard.build import build_board
from emer_bench.leaderboard.ranking import RankSettings
from emer_bench.leaderboard.verify import VerifyOptions

sync_api = pytest.importorskip("playwright.sync_api", reason="pip install -e '.[test]' (playwright)")

CHROMIUM = os.environ.get("EMER_BENCH_CHROMIUM", "/usr/bin/chromium")
ARGS = ["--headless", "--no-sandbox", "--disable-gpu", "--disable-background-networking",
        "--disable-component-update", "--disable-sync"]
FIXTURE = Path(__file__).parent / "fixtures" / "reported_example.yaml"


@pytest.fixture(scope="module")
def browser() -> Iterator[Any]:
    if not Path(CHROMIUM).is_file():
        pytest.fail(f"{CHROMIUM} not found: install Debian's chromium (scripts/install.sh)")
    with sync_api.sync_playwright() as p:
        b = p.chromium.launch(executable_path=CHROMIUM, args=ARGS)
        yield b
        b.close()


@pytest.fixture()
def site(board: Path, options: VerifyOptions) -> tuple[Path, dict[str, Any]]:
    (board / "reported").mkdir()
    shutil.copy(FIXTURE, board / "reported" / "example.yaml")
    assert build_board(board, options, RankSettings(n_resamples=200)).ok
    return board / "site", json.loads((board / "leaderboard.json").read_text(encoding="utf-8"))


@pytest.fixture()
def page(browser: Any) -> Iterator[Any]:
    context = browser.new_context()
    pg = context.new_page()
    pg.requests_made = []  # type: ignore[attr-defined]
    pg.console_errors = []  # type: ignore[attr-defined]
    pg.on("request", lambda r: pg.requests_made.append(r.url))
    pg.on("console", lambda m: pg.console_errors.append(m.text) if m.type == "error" else None)
    yield pg
    context.close()


def _task_rows(page: Any, task: str) -> list[dict[str, str]]:
    return page.eval_on_selector_all(
        f"table.board[data-task='{task}'] tbody tr",
        "rows => rows.map(r => ({slug: r.dataset.submission, value: r.cells[4].dataset.value,"
        " text: r.cells[4].textContent, rank: r.cells[0].textContent}))")


def test_table_numbers_equal_leaderboard_json(page: Any, site: tuple[Path, dict[str, Any]]) -> None:
    folder, data = site
    page.goto((folder / "index.html").as_uri())
    for task in data["tasks"]:
        shown = _task_rows(page, task["task"])
        assert [r["slug"] for r in shown] == [r["submission"] for r in task["rows"]]
        for cell, row in zip(shown, task["rows"]):
            assert float(cell["value"]) == row["value"]
            assert cell["text"] == f"{100 * row['value']:.2f}"
            assert cell["rank"] == (str(row["rank"]) if row["rank"] is not None else "—")
    assert all(u.startswith("file://") for u in page.requests_made), page.requests_made
    assert page.console_errors == []  # e.g. a CSP refusal of our own script would show here


def test_clicking_a_header_sorts(page: Any, site: tuple[Path, dict[str, Any]]) -> None:
    folder, _ = site
    page.goto((folder / "index.html").as_uri())
    header = page.locator("table.board[data-task='emer-demo'] thead th").nth(4)
    header.click()
    ascending = [float(r["value"]) for r in _task_rows(page, "emer-demo")]
    assert ascending == sorted(ascending) and ascending[0] < ascending[-1]
    assert header.get_attribute("aria-sort") == "ascending"
    header.click()
    descending = [float(r["value"]) for r in _task_rows(page, "emer-demo")]
    assert descending == sorted(ascending, reverse=True)
    page.locator("table.board[data-task='emer-demo'] thead th").nth(1).click()  # by name, text order
    names = page.eval_on_selector_all("table.board[data-task='emer-demo'] tbody tr td:nth-child(2)",
                                      "cells => cells.map(c => c.textContent.toLowerCase())")
    assert names == sorted(names)


def test_chart_has_one_bar_per_model(page: Any, site: tuple[Path, dict[str, Any]]) -> None:
    folder, data = site
    page.goto((folder / "index.html").as_uri())
    for task in data["tasks"]:
        bars = page.eval_on_selector_all(f"svg.chart[data-task='{task['task']}'] rect.bar",
                                         "bars => bars.map(b => [b.dataset.submission, b.getBBox().width])")
        expected = [r["submission"] for r in task["rows"] if r["value"] is not None]
        assert [b[0] for b in bars] == expected
        widths = dict(bars)
        ordered = [widths[s] for s in expected]
        assert ordered == sorted(ordered, reverse=True)  # bar length follows the value
    whiskers = page.locator("svg.chart[data-task='emer-demo'] line.whisker").count()
    assert whiskers == 3 * 2  # a whisker and two caps per row


def test_model_page_shows_hostile_answer_as_text(page: Any, site: tuple[Path, dict[str, Any]], tmp_path: Path) -> None:
    folder, _ = site
    page.goto((folder / "index.html").as_uri())
    assert page.evaluate("document.querySelectorAll('b, img, iframe').length") == 0
    page.locator("table.board[data-task='emer-demo'] a[href='models/hostile.html']").click()
    page.wait_for_load_state()
    assert page.url.endswith("/models/hostile.html")
    assert page.locator("h1.model-name").inner_text() == "<b>Evil</b> <script>window.__pwned=1</script>"
    answers = page.locator("table.samples td.answer").all_inner_texts()
    assert "<script>window.__pwned = 1;</script> I feel happy and delighted." in answers
    assert "<img src=x onerror=\"window.__pwned=1\"> She is sad." in answers
    assert page.evaluate("typeof window.__pwned") == "undefined"
    assert page.evaluate("document.querySelectorAll('script').length") == 1  # only the page's own
    assert page.evaluate("document.querySelectorAll('img, b').length") == 0
    page.fill("#filter", "delighted")
    visible = page.locator("table.samples tbody tr:visible").count()
    assert visible == 5  # the filter keeps the five clips whose answer says "delighted"
    shot = tmp_path / "model-page.png"
    page.screenshot(path=str(shot), full_page=True)
    assert shot.read_bytes()[:4] == b"\x89PNG"
    _keep_screenshot(shot)


def test_screenshot_of_the_board(page: Any, site: tuple[Path, dict[str, Any]], tmp_path: Path) -> None:
    folder, _ = site
    page.set_viewport_size({"width": 1200, "height": 900})
    page.goto((folder / "index.html").as_uri())
    shot = tmp_path / "index.png"
    page.screenshot(path=str(shot), full_page=True)
    assert shot.stat().st_size > 10_000
    _keep_screenshot(shot)


def _keep_screenshot(path: Path) -> None:
    """EMER_BENCH_SCREENSHOTS=DIR keeps the screenshots for a person to look at."""
    keep = os.environ.get("EMER_BENCH_SCREENSHOTS")
    if keep:
        Path(keep).mkdir(parents=True, exist_ok=True)
        shutil.copy(path, Path(keep) / path.name)
