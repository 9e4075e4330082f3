"""`newsgrep browse`: the view driven as a user drives it (Textual's Pilot: type, press keys,
read what the widgets show), its plain state, and one run in a real terminal under tmux.

pytest-asyncio is not a dependency: each test runs its coroutine with `asyncio.run`.
"""

from __future__ import annotations

import asyncio
import os
import shutil
import subprocess
import sys
import time
from collections.abc import Awaitable, Callable
from pathlib import Path

import pytest
from conftest import write_corpus
from rich.text import Text
from textual.pilot import Pilot
from textual.widgets import Static

from newsgrep.cli.fullscreen.app import BrowseApp
from newsgrep.cli.fullscreen.state import (
    DateRangeError,
    ViewState,
    editor_command,
    pager_command,
    parse_date_range,
)
from newsgrep.cli.fullscreen.widgets import ResultsTable
from newsgrep.cli.resolve import SearchOptions, Terminal, resolve_browse
from newsgrep.config import Config
from newsgrep.model import SearchRequest, Sort
from newsgrep.text.synonyms import load_synonyms

Script = Callable[[BrowseApp, Pilot[None]], Awaitable[None]]


def template(query: str = "") -> SearchRequest:
    options = SearchOptions(query=tuple(query.split()))
    return resolve_browse(options, Config(), load_synonyms).request


def drive(index_dir: Path, script: Script, query: str = "", **app_options: object) -> BrowseApp:
    """Run the view on `index_dir` headless (160x40), settle, then run `script` on it."""
    app = BrowseApp(index_dir, template(query), **app_options)  # type: ignore[arg-type]

    async def main() -> None:
        async with app.run_test(size=(160, 40)) as pilot:
            await settle(app, pilot)
            await script(app, pilot)

    asyncio.run(main())
    return app


async def settle(app: BrowseApp, pilot: Pilot[None]) -> None:
    """Wait until the list shows what the view asks for (or its error) and the workers
    (preview, sparkline) are done."""
    deadline = time.monotonic() + 10
    while time.monotonic() < deadline:
        await pilot.pause(0.02)
        busy = any(not worker.is_finished for worker in app.workers)
        if app.shown == app.state and not busy and not app.busy:
            await pilot.pause(0.05)
            return
    raise AssertionError("the view did not settle")


async def type_query(app: BrowseApp, pilot: Pilot[None], text: str) -> None:
    await pilot.press(*[{" ": "space"}.get(c, c) for c in text])
    await settle(app, pilot)


def titles(app: BrowseApp) -> list[str]:
    table = app.query_one(ResultsTable)
    return [table.get_row_at(row)[1].plain for row in range(table.row_count)]


def shown_text(app: BrowseApp, selector: str) -> str:
    content = app.query_one(selector, Static).content
    assert isinstance(content, Text), "article text reaches a widget only as Text"
    return content.plain


def status(app: BrowseApp) -> str:
    return shown_text(app, "#status")


# --- searching and reading --------------------------------------------------------------


def test_typing_a_query_shows_its_results(built_index: Path) -> None:
    async def script(app: BrowseApp, pilot: Pilot[None]) -> None:
        assert titles(app) == [] and "type to search" in status(app)
        await type_query(app, pilot, "istanbul")
        assert set(titles(app)) == {"Peace talks open in Istanbul", "Istanbul mayor speaks"}
        assert status(app).startswith("2 matches")
        await pilot.press("ctrl+u", *"grain")
        await settle(app, pilot)
        assert titles(app) == ["Grain exports recover"]

    drive(built_index, script)


def test_the_preview_follows_the_arrows_and_marks_the_words(built_index: Path) -> None:
    async def script(app: BrowseApp, pilot: Pilot[None]) -> None:
        first, second = titles(app)
        assert shown_text(app, "#heading").startswith(first)
        await pilot.press("down")  # from the query line
        await settle(app, pilot)
        heading = shown_text(app, "#heading")
        assert heading.startswith(second)
        assert "id " in heading  # path, id and the other facts, as `show` has them
        body = app.query_one("#from-match", Static).content
        assert isinstance(body, Text) and "Istanbul" in body.plain
        marked = {body.plain[span.start : span.end] for span in body.spans}
        assert "Istanbul" in marked
        await pilot.press("up")
        await settle(app, pilot)
        assert shown_text(app, "#heading").startswith(first)
        await pilot.click(ResultsTable, offset=(8, 2))  # the mouse: the second row
        await settle(app, pilot)
        assert shown_text(app, "#heading").startswith(second)

    drive(built_index, script, query="istanbul")


def test_the_sort_key_reorders_the_list(built_index: Path) -> None:
    async def script(app: BrowseApp, pilot: Pilot[None]) -> None:
        await pilot.press("enter")  # to the list, where the letter keys act
        assert isinstance(app.focused, ResultsTable)
        await pilot.press("o")
        await settle(app, pilot)
        assert app.state.sort is Sort.NEWEST and "sort newest" in status(app)
        assert titles(app) == ["Istanbul mayor speaks", "Peace talks open in Istanbul"]
        await pilot.press("o")
        await settle(app, pilot)
        assert titles(app) == ["Peace talks open in Istanbul", "Istanbul mayor speaks"]
        await pilot.press("o")
        await settle(app, pilot)
        assert app.state.sort is Sort.RELEVANCE

    drive(built_index, script, query="istanbul")


def test_dates_narrow_the_list_and_a_bad_one_is_an_error_line(built_index: Path) -> None:
    async def script(app: BrowseApp, pilot: Pilot[None]) -> None:
        await pilot.press("enter", "d")
        await pilot.press(*"2025-05-16..", "enter")
        await settle(app, pilot)
        assert titles(app) == ["Istanbul mayor speaks"]
        assert "dates 2025-05-16.." in status(app)
        await pilot.press("d", "ctrl+u", *"someday", "enter")
        await settle(app, pilot)
        assert status(app).startswith("error: cannot read 'someday' as a date")
        assert titles(app) == ["Istanbul mayor speaks"]  # the dates before stay

    drive(built_index, script, query="istanbul")


def test_similar_and_folding_keys(built_index: Path) -> None:
    async def script(app: BrowseApp, pilot: Pilot[None]) -> None:
        await pilot.press("enter", "s")
        await settle(app, pilot)
        assert app.state.like == "istanbul-talks.txt"
        assert status(app).startswith("like 'Peace talks open in Istanbul'")
        assert "Peace talks open in Istanbul" not in titles(app)
        await pilot.press("f")
        await settle(app, pilot)
        assert "near-duplicates shown" in status(app)
        await pilot.press("slash", "backspace")  # typing goes back to searching
        await settle(app, pilot)
        assert app.state.like is None

    drive(built_index, script, query="talks")


def test_resizing_refits_the_titles_and_help_lists_the_keys(built_index: Path) -> None:
    async def script(app: BrowseApp, pilot: Pilot[None]) -> None:
        await pilot.press("down")
        await settle(app, pilot)
        assert titles(app)[1] == "Peace talks open in Istanbul"
        await pilot.resize_terminal(80, 24)
        await settle(app, pilot)
        assert titles(app)[1].startswith("Peace talks") and titles(app)[1].endswith("…")
        assert app.query_one(ResultsTable).cursor_row == 1  # the selection stays
        await pilot.resize_terminal(160, 40)
        await settle(app, pilot)
        assert titles(app)[1] == "Peace talks open in Istanbul"
        await pilot.press("f1")
        await pilot.pause(0.1)
        assert type(app.screen).__name__ == "HelpScreen"
        await pilot.press("escape")
        await pilot.pause(0.1)
        assert type(app.screen).__name__ != "HelpScreen"

    drive(built_index, script, query="istanbul")


def test_a_bad_query_is_an_error_line_not_a_traceback(built_index: Path) -> None:
    async def script(app: BrowseApp, pilot: Pilot[None]) -> None:
        await type_query(app, pilot, "date:xyz")
        assert status(app).startswith("error: in date: cannot read 'xyz'")
        assert app.query_one("#status").has_class("error")
        await pilot.press(*["backspace"] * 8, *"grain")
        await settle(app, pilot)
        assert titles(app) == ["Grain exports recover"] and status(app).startswith("1 match")

    app = drive(built_index, script)
    assert app.return_code in (None, 0)


def test_no_index_is_an_error_in_the_view(tmp_path: Path) -> None:
    async def script(app: BrowseApp, pilot: Pilot[None]) -> None:
        assert "no index" in status(app)
        await pilot.press(*"talks")
        await pilot.pause(0.2)
        assert titles(app) == []

    drive(tmp_path / "nowhere", script, query="talks")


def test_did_you_mean_and_corrections_show_as_search_shows_them(built_index: Path) -> None:
    async def script(app: BrowseApp, pilot: Pilot[None]) -> None:
        assert app.result is not None and app.result.corrected_from == "istanbol"
        assert "showing results for 'istanbul'" in status(app)
        assert len(titles(app)) == 2
        await pilot.press("ctrl+u", *"grian")
        deadline = time.monotonic() + 10
        while app.shown != app.state and time.monotonic() < deadline:
            await pilot.pause(0.005)
        # At once: the suggestion; the correction's hits once the typing has paused.
        assert "did you mean: grain" in status(app) and titles(app) == []
        await settle(app, pilot)
        assert titles(app) == ["Grain exports recover"]
        assert "showing results for 'grain'" in status(app)

    drive(built_index, script, query="istanbol")


HOSTILE = {
    "hostile.jsonl": (
        '{"id": "h1", "title": "[bold]Boom[/bold] \\u001b[31mred\\u202e", '
        '"source": "[link=x]src[/link]", '
        '"body": "Boom [blink]body[/blink] \\u001b]8;;http://x\\u0007link \\u2066iso"}\n'
    )
}


def test_article_text_stays_inert(tmp_path: Path) -> None:
    from newsgrep.indexer import run_index

    run_index(tmp_path / "index", [write_corpus(tmp_path / "news", HOSTILE)])

    async def script(app: BrowseApp, pilot: Pilot[None]) -> None:
        table = app.query_one(ResultsTable)
        cells = table.get_row_at(0)
        assert all(isinstance(cell, Text) for cell in cells)
        title, source = cells[1].plain, cells[3].plain
        assert title == "[bold]Boom[/bold] ␛[31mred\ufffd"
        assert source == "[link=x]src…"  # cut to its column, as written
        assert "[link=x]src[/link]" in shown_text(app, "#heading")
        body = shown_text(app, "#from-match")
        assert "[blink]body[/blink]" in body and "␛]8;;http://x␇link" in body
        assert not any(c in shown_text(app, "#heading") + body for c in "\x1b\x07\u202e\u2066")
        svg = app.export_screenshot()
        assert "[bold]" in svg and "[/bold]" in svg and "[link=x]src[/link]" in svg

    drive(tmp_path / "index", script, query="boom")


def test_a_long_article_is_previewed_around_its_first_match(tmp_path: Path) -> None:
    from newsgrep.indexer import run_index

    line = "Filler words about nothing in particular fill this line of the report.\n"
    body = line * 100 + "The zeppelin landed.\n" + line * 600
    run_index(tmp_path / "index", [write_corpus(tmp_path / "news", {"long.txt": body})])

    async def script(app: BrowseApp, pilot: Pilot[None]) -> None:
        head, tail = shown_text(app, "#before"), shown_text(app, "#from-match")
        assert tail.startswith("The zeppelin landed.")
        assert 0 < len(head) <= 2_000 + len(line) and head.startswith("Filler")
        assert tail.endswith("more characters: Enter reads it all")
        assert len(head) + len(tail) < len(body) / 2

    drive(tmp_path / "index", script, query="zeppelin")


def test_colour_follows_no_color_and_the_setting(
    built_index: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    async def nothing(app: BrowseApp, pilot: Pilot[None]) -> None:
        pass

    assert not drive(built_index, nothing).no_color
    assert drive(built_index, nothing, color=False).no_color
    monkeypatch.setenv("NO_COLOR", "1")
    assert drive(built_index, nothing).no_color
    assert not drive(built_index, nothing, color=True).no_color


# --- the plain state --------------------------------------------------------------------


def test_date_ranges_read_as_since_and_until() -> None:
    assert parse_date_range("") == (None, None)
    assert parse_date_range("2025-05") == ("2025-05", None)
    assert parse_date_range("1987-03..1987-04") == ("1987-03", "1987-04")
    assert parse_date_range(" ..7d ") == (None, "7d")
    with pytest.raises(DateRangeError, match="cannot read 'soon'"):
        parse_date_range("soon..")


def test_the_state_makes_the_request_from_the_template() -> None:
    state = ViewState.start(template("talks")).typed("peace talks").next_sort()
    request = state.with_dates("2025..").toggled_folding().request()
    assert (request.query, request.sort, request.since, request.collapse) == (
        "peace talks", Sort.NEWEST, "2025", False,
    )  # fmt: skip
    assert request.snippets == 0 and request.correct and request.limit == 10


def test_the_view_pages_articles_through_the_pager_search_would_use() -> None:
    on_terminal = Terminal(stdout=True, stdout_isatty=True, environ={"PAGER": "more"})
    configured = resolve_browse(
        SearchOptions(), Config(pager="most -s"), load_synonyms, on_terminal
    )
    assert pager_command({"PAGER": "more"}, configured.output.pager) == ["most", "-s"]
    from_environment = resolve_browse(SearchOptions(), Config(), load_synonyms, on_terminal)
    assert pager_command({"PAGER": "more"}, from_environment.output.pager) == ["more"]


def test_pager_and_editor_commands() -> None:
    assert pager_command({}) == ["less", "-R"]
    assert pager_command({"PAGER": "most -s"}) == ["most", "-s"]
    assert editor_command({"EDITOR": "nano"}, "a b.txt") == ["nano", "a b.txt"]
    assert editor_command({"VISUAL": "code -w", "EDITOR": "nano"}, "x") == ["code", "-w", "x"]
    assert editor_command({}, "x") == ["vi", "x"]


# --- a real terminal --------------------------------------------------------------------


@pytest.mark.skipif(shutil.which("tmux") is None, reason="tmux is not installed")
def test_browse_in_a_real_terminal_under_tmux(built_index: Path, tmp_path: Path) -> None:
    session = f"newsgrep-test-{os.getpid()}"
    socket = str(tmp_path / "tmux.sock")
    tmux = ["tmux", "-S", socket]
    command = (
        f"{sys.executable} -m newsgrep browse istanbul --index {built_index}; "
        f"echo exit=$? > {tmp_path / 'done'}"
    )
    env = {**os.environ, "TERM": "xterm-256color"}
    subprocess.run(
        [*tmux, "new-session", "-d", "-s", session, "-x", "160", "-y", "40", command],
        check=True,
        env=env,
    )
    try:

        def screen() -> str:
            capture = [*tmux, "capture-pane", "-p", "-t", session]
            return subprocess.run(capture, capture_output=True, text=True).stdout

        def wait_for(*texts: str) -> None:
            deadline = time.monotonic() + 20
            while time.monotonic() < deadline:
                shown = screen()
                if all(text in shown for text in texts):
                    return
                time.sleep(0.1)
            raise AssertionError(f"{texts!r} never showed:\n{screen()}")

        # Titles are cut to the list's width: their starts are enough.
        wait_for("Istanbul mayor", "Peace talks open", "2 matches")
        subprocess.run([*tmux, "send-keys", "-t", session, "BSpace"] + ["BSpace"] * 7, check=True)
        wait_for("type to search")
        subprocess.run([*tmux, "send-keys", "-t", session, "-l", "grain"], check=True)
        wait_for("Grain exports", "1 match")
        subprocess.run([*tmux, "send-keys", "-t", session, "Enter"], check=True)
        wait_for("similar")  # the list has the focus: its keys are in the footer
        subprocess.run([*tmux, "send-keys", "-t", session, "q"], check=True)
        deadline = time.monotonic() + 10
        while not (tmp_path / "done").exists() and time.monotonic() < deadline:
            time.sleep(0.1)
        assert (tmp_path / "done").read_text().strip() == "exit=0"
    finally:
        subprocess.run([*tmux, "kill-server"], capture_output=True)
