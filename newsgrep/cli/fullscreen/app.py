"""`newsgrep browse`: the full-screen reading room, a Textual app over one open index.

The query line searches as you type: a key after a pause searches at once, keys that come
faster than DEBOUNCE_SECONDS apart wait until the typing pauses. Each search runs in a
worker thread (`exclusive`: a newer one cancels the older, whose result is dropped), so
the view never waits for one; the sparkline and the preview follow in workers of their
own. A query with a "did you mean" shows it at once, and the hits of the correction (as
`search` shows them) once the typing pauses. Errors (no index, a query or date that
cannot be read) go to the status line.
"""

from __future__ import annotations

import io
import os
import subprocess
import time
from pathlib import Path

from rich.console import Console
from rich.text import Text
from textual import work
from textual.app import App, ComposeResult, SuspendNotSupported
from textual.binding import Binding
from textual.containers import Horizontal
from textual.filter import Monochrome, NoColor
from textual.timer import Timer
from textual.widgets import DataTable, Footer, Input, Sparkline, Static
from textual.worker import get_current_worker

from newsgrep.cli.fullscreen.model import Library
from newsgrep.cli.fullscreen.state import (
    ViewState,
    editor_command,
    error_line,
    notice_lines,
    pager_command,
    summary_line,
    timeline_label,
)
from newsgrep.cli.fullscreen.widgets import (
    DatesScreen,
    HelpScreen,
    Preview,
    QueryLine,
    ResultsTable,
    hit_row,
)
from newsgrep.errors import NewsgrepError
from newsgrep.model import Hit, SearchRequest, SearchResult
from newsgrep.render.human import META_STYLE, render_articles

# Keys closer together than this are typing in progress: search once it pauses.
DEBOUNCE_SECONDS = 0.1
# A search answers at once with "did you mean"; the hits of the correction, which take a
# second search (and would flicker past while a word is half typed), once typing pauses.
CORRECTION_DELAY_SECONDS = 0.3
# The sparkline counts every match (not a page): it waits until the results settle.
TIMELINE_DELAY_SECONDS = 0.3

CSS = """
#query { dock: top; }
#status { height: auto; max-height: 3; padding: 0 1; }
#status.error { color: $error; }
#panes { height: 1fr; }
#results { width: 60%; }
#preview { width: 40%; padding: 0 1; border-left: solid $primary-background; }
#heading { height: auto; max-height: 8; padding-bottom: 1; }
#body { height: 1fr; }
#timeline-row { height: 1; padding: 0 1; }
#timeline { width: 40%; }
#timeline-label { width: 60%; padding: 0 1; color: $text-muted; }
HelpScreen, DatesScreen { align: center middle; }
#help, #dates { width: 90; height: auto; border: round $primary; padding: 1 2;
                background: $surface; }
"""


class BrowseApp(App[None]):
    """The view. `color`: True forces colour (even under NO_COLOR), False drops it, None
    leaves it to Textual, which honours NO_COLOR."""

    TITLE = "newsgrep browse"
    ENABLE_COMMAND_PALETTE = False  # every action has its key (? lists them)
    CSS = CSS
    BINDINGS = [
        Binding("down", "move(1)", "next", show=False),
        Binding("up", "move(-1)", "previous", show=False),
        Binding("pagedown", "move(10)", "page down", show=False),
        Binding("pageup", "move(-10)", "page up", show=False),
        Binding("f1", "help", "help", show=False),
        Binding("ctrl+q", "quit", "quit", show=False, priority=True),
    ]

    def __init__(
        self,
        index_dir: Path,
        template: SearchRequest,
        color: bool | None = None,
        pager: str | None = None,
    ):
        super().__init__()
        self.pager = pager  # the one `search` would use (see resolve.resolve_browse)
        self.library = Library(index_dir)
        self.state = ViewState.start(template)
        self.result: SearchResult | None = None
        # For the tests and the bench: what the list shows, and when it was filled.
        self.shown: ViewState | None = None
        self.shown_at = 0.0
        self._last_key = 0.0
        self._pending: Timer | None = None
        self._correcting: Timer | None = None
        self._fitted_width = 0  # the list's width its titles were cut to
        self._timeline_timer: Timer | None = None
        self._like_title: str | None = None  # of the article `s` found others like
        if color is False and not self.no_color:
            self.no_color = True
            self._filters.append(Monochrome())
        elif color is True and self.no_color:
            self.no_color = False
            self._filters = [f for f in self._filters if not isinstance(f, NoColor | Monochrome)]

    def compose(self) -> ComposeResult:
        yield QueryLine(
            value=self.state.query,
            placeholder='search: words, "a phrase", title:word, date:1987-03, -word',
            select_on_focus=False,  # back on the query line (/), typing refines the query
            id="query",
        )
        yield Static(Text("opening the index…", style=META_STYLE), id="status")
        with Horizontal(id="panes"):
            yield ResultsTable(id="results")
            yield Preview(id="preview")
        with Horizontal(id="timeline-row"):
            yield Sparkline([], id="timeline")
            yield Static(id="timeline-label")
        yield Footer()

    def on_mount(self) -> None:
        self.query_one("#query", Input).focus()
        self._open()

    def on_unmount(self) -> None:
        self.library.close()

    # --- searching ------------------------------------------------------------------------

    @work(thread=True, exclusive=True, group="search")
    def _open(self) -> None:
        try:
            self.library.open()
        except NewsgrepError as error:
            self.call_from_thread(self._show_error, error)
            return
        self.call_from_thread(self._search_now)

    def on_input_changed(self, event: Input.Changed) -> None:
        if event.input.id != "query":
            return
        self.state = self.state.typed(event.value)
        now = time.monotonic()
        typing = now - self._last_key < DEBOUNCE_SECONDS
        self._last_key = now
        self._stop_correction()
        if self._pending is not None:
            self._pending.stop()
            self._pending = None
        if typing:
            self._pending = self.set_timer(DEBOUNCE_SECONDS, self._search_now)
        else:
            self._search_now()

    def on_input_submitted(self, event: Input.Submitted) -> None:
        if event.input.id == "query":
            self.query_one(ResultsTable).focus()

    def _search_now(self) -> None:
        self._pending = None
        self._stop_correction()
        if not self.library.is_open:
            return  # opening: it searches once open (or shows why it cannot)
        if self.state.empty:
            self._show_result(self.state, None)
            return
        self._search(self.state)

    @work(thread=True, exclusive=True, group="search")
    def _search(self, state: ViewState, correct: bool = False) -> None:
        try:
            result = self.library.search(state, correct=correct)
        except NewsgrepError as error:
            if not get_current_worker().is_cancelled:
                self.call_from_thread(self._show_error, error, state)
            return
        if not get_current_worker().is_cancelled:
            self.call_from_thread(self._show_result, state, result, correct)

    def _show_result(
        self, state: ViewState, result: SearchResult | None, corrected: bool = False
    ) -> None:
        if state != self.state:
            return  # typed past
        if result is not None and result.suggestion and state.template.correct and not corrected:
            self._correcting = self.set_timer(
                CORRECTION_DELAY_SECONDS, lambda: self._correct(state)
            )
        self.result = result
        self._fill(result)
        self.shown, self.shown_at = state, time.perf_counter()
        self._status(result)
        if result is None or not result.hits:
            self.query_one(Preview).show(None)
        self._schedule_timeline()

    def _correct(self, state: ViewState) -> None:
        self._correcting = None
        if state == self.state:
            self._search(state, correct=True)

    def _stop_correction(self) -> None:
        if self._correcting is not None:
            self._correcting.stop()
            self._correcting = None

    @property
    def busy(self) -> bool:
        """A search is waiting for the typing to pause, or for its correction."""
        return self._pending is not None or self._correcting is not None

    def _fill(self, result: SearchResult | None, *, keep_row: bool = False) -> None:
        table = self.query_one(ResultsTable)
        row = table.cursor_row if keep_row else 0
        table.clear()
        width = table.size.width or self.size.width // 2
        for hit in result.hits if result is not None else ():
            table.add_row(*hit_row(hit, width), key=hit.id)
        if table.row_count:
            table.move_cursor(row=min(row, table.row_count - 1))

    def on_results_table_resized(self) -> None:
        width = self.query_one(ResultsTable).size.width
        if width != self._fitted_width:  # titles as wide as the list is now
            self._fitted_width = width
            self._fill(self.result, keep_row=True)

    def _show_error(self, error: NewsgrepError, state: ViewState | None = None) -> None:
        if state is not None and state != self.state:
            return
        self.shown, self.shown_at = state or self.state, time.perf_counter()
        status = self.query_one("#status", Static)
        status.set_class(True, "error")
        status.update(Text(f"error: {error_line(error)}"))

    def _status(self, result: SearchResult | None, note: str | None = None) -> None:
        status = self.query_one("#status", Static)
        status.set_class(False, "error")
        if result is None:
            status.update(Text("type to search", style=META_STYLE))
            return
        title = self._like_title if self.state.like else None
        lines = [summary_line(result, self.state, title=title), *notice_lines(result)]
        if note:
            lines.append(note)
        status.update(Text("\n".join(lines)))

    # --- the timeline and the preview -----------------------------------------------------

    def _schedule_timeline(self) -> None:
        if self._timeline_timer is not None:
            self._timeline_timer.stop()
        self._timeline_timer = self.set_timer(TIMELINE_DELAY_SECONDS, self._start_timeline)

    def _start_timeline(self) -> None:
        self._timeline_timer = None
        if self.state.empty:
            self._show_timeline(self.state, [], "")
            return
        self._timeline(self.state)

    @work(thread=True, exclusive=True, group="timeline")
    def _timeline(self, state: ViewState) -> None:
        try:
            facet, counts = self.library.timeline(state)
        except NewsgrepError:
            return  # the search said why
        label = timeline_label(facet, counts) if state.like is None else ""
        if not get_current_worker().is_cancelled:
            self.call_from_thread(self._show_timeline, state, counts, label)

    def _show_timeline(self, state: ViewState, counts: list[tuple[str, int]], label: str) -> None:
        if state != self.state:
            return
        self.query_one(Sparkline).data = [float(count) for name, count in counts if name]
        self.query_one("#timeline-label", Static).update(Text(label))

    def on_data_table_row_highlighted(self, event: DataTable.RowHighlighted) -> None:
        hit = self.selected
        if hit is not None and self.result is not None:
            self._preview(hit.id, None if self.state.like else self.result.query)

    @work(thread=True, exclusive=True, group="preview")
    def _preview(self, article_id: str, query: str | None) -> None:
        try:
            item = self.library.article(article_id, query)
        except NewsgrepError:
            item = self.library.article(article_id, None)
        if not get_current_worker().is_cancelled:
            self.call_from_thread(self.query_one(Preview).show, item)

    @property
    def selected(self) -> Hit | None:
        """The hit under the list's cursor."""
        table = self.query_one(ResultsTable)
        if self.result is None or not self.result.hits or table.row_count == 0:
            return None
        row = min(max(table.cursor_row, 0), len(self.result.hits) - 1)
        return self.result.hits[row]

    # --- the keys -------------------------------------------------------------------------

    def action_move(self, rows: int) -> None:
        table = self.query_one(ResultsTable)
        if table.row_count:
            row = min(max(table.cursor_row + rows, 0), table.row_count - 1)
            table.move_cursor(row=row)

    def action_focus_query(self) -> None:
        self.query_one("#query", Input).focus()

    def action_help(self) -> None:
        self.push_screen(HelpScreen())

    def action_next_sort(self) -> None:
        self._change(self.state.next_sort())

    def action_toggle_folding(self) -> None:
        self._change(self.state.toggled_folding())

    def action_similar(self) -> None:
        hit = self.selected
        if hit is not None:
            self._like_title = hit.title or hit.id
            self._change(self.state.similar_to(hit.id))

    def action_dates(self) -> None:
        self.push_screen(DatesScreen(self.state.dates_text), self._dates_typed)

    def _dates_typed(self, text: str | None) -> None:
        if text is None:
            return
        try:
            self._change(self.state.with_dates(text))
        except NewsgrepError as error:
            self._show_error(error)

    def _change(self, state: ViewState) -> None:
        self.state = state
        self._search_now()

    def action_copy_path(self) -> None:
        hit = self.selected
        if hit is not None:
            self.copy_to_clipboard(hit.path)
            self._status(self.result, note=f"copied the path: {hit.path}")

    def action_copy_id(self) -> None:
        hit = self.selected
        if hit is not None:
            self.copy_to_clipboard(hit.id)
            self._status(self.result, note=f"copied the id: {hit.id}")

    def action_open_pager(self) -> None:
        hit = self.selected
        if hit is None:
            return
        query = self.result.query if self.result is not None and not self.state.like else None
        item = self.library.article(hit.id, query)
        if item is None:
            return
        page = io.StringIO()
        render_articles([item], Console(file=page, color_system=None, width=100))
        self._run_outside(pager_command(os.environ, self.pager), page.getvalue())

    def action_open_editor(self) -> None:
        hit = self.selected
        if hit is not None:
            self._run_outside(editor_command(os.environ, hit.path))

    def _run_outside(self, command: list[str], text: str | None = None) -> None:
        """Run `command` on the terminal, the view suspended, `text` on its stdin."""
        try:
            with self.suspend():
                subprocess.run(command, input=text, text=True, check=False)
        except OSError as error:  # no such program
            self._status(self.result, note=f"cannot run {command[0]}: {error.strerror}")
        except SuspendNotSupported as error:  # a headless run (tests)
            self._status(self.result, note=f"cannot leave the view here: {error}")
