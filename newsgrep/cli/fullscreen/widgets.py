"""The browse view's widgets and the Rich `Text` they show.

Article text enters a widget only as `rich.text.Text` made inert by `render.common` (never
as a string, which Textual would read as markup): a `[bold]`, an escape or a bidi override
in an article shows as written, or as its stand-in, as `search` shows it.
"""

from __future__ import annotations

from rich.text import Text
from textual import events
from textual.app import ComposeResult
from textual.binding import Binding
from textual.containers import Vertical, VerticalScroll
from textual.message import Message
from textual.screen import ModalScreen
from textual.widgets import DataTable, Input, Static

from newsgrep.cli.fullscreen.state import RANGE_SEPARATOR, duplicates_cell
from newsgrep.model import Hit, ShownArticle, Span
from newsgrep.render.common import safe_line
from newsgrep.render.human import (
    MATCH_STYLE,
    META_STYLE,
    RANK_STYLE,
    article_heading,
    highlighted,
)
from newsgrep.text.dates import format_date

TITLE_MAX_CHARS = 200  # in the list; the preview has it whole
COLUMNS = ("#", "title", "date", "source", "dups")


def line_text(
    raw: str, spans: tuple[Span, ...] = (), style: str = "", width: int = TITLE_MAX_CHARS
) -> Text:
    """One line of untrusted text, at most `width` characters: newlines and controls as
    stand-ins, spans styled."""
    cut = raw[: max(width - 1, 1)] if len(raw) > width else raw
    text = Text(safe_line(cut) + ("…" if len(raw) > len(cut) else ""), style=style)
    for start, end in spans:
        if start < len(cut):
            text.stylize(MATCH_STYLE, start, min(end, len(cut)))
    return text


SOURCE_MAX_CHARS = 12
# What the columns but the title take: rank, date, source, dups, and their padding.
OTHER_COLUMNS_WIDTH = 3 + 10 + SOURCE_MAX_CHARS + 4 + 2 * len(COLUMNS) + 1


def hit_row(hit: Hit, width: int) -> tuple[Text, ...]:
    """The row of `hit` in a list `width` columns wide (the title takes what is left)."""
    title_width = min(TITLE_MAX_CHARS, max(20, width - OTHER_COLUMNS_WIDTH))
    title = hit.title or "(untitled)"
    return (
        Text(str(hit.rank), style=RANK_STYLE),
        line_text(title, hit.title_spans if hit.title else (), width=title_width),
        Text(format_date(hit.date) or "", style=META_STYLE),
        line_text(hit.source or "", style=META_STYLE, width=SOURCE_MAX_CHARS),
        Text(duplicates_cell(len(hit.duplicates)), style=META_STYLE),
    )


class QueryLine(Input):
    """The query line; its keys in the footer (the others are the list's)."""

    BINDINGS = [
        Binding("f1", "app.help", "help"),
        Binding("ctrl+q", "app.quit", "quit"),
    ]


class ResultsTable(DataTable[Text]):
    """The ranked hits, one row each; the keys that act on the selected one."""

    BINDINGS = [
        Binding("enter", "app.open_pager", "read"),
        Binding("e", "app.open_editor", "edit"),
        Binding("s", "app.similar", "similar"),
        Binding("o", "app.next_sort", "sort"),
        Binding("d", "app.dates", "dates"),
        Binding("f", "app.toggle_folding", "fold"),
        Binding("c", "app.copy_path", "copy path"),
        Binding("i", "app.copy_id", "copy id"),
        Binding("slash", "app.focus_query", "query", show=False),
        Binding("escape", "app.focus_query", "query", show=False),
        Binding("question_mark", "app.help", "help"),
        Binding("q", "app.quit", "quit"),
    ]

    class Resized(Message):
        """The list's width changed: its titles are cut to fit again."""

    def on_resize(self, event: events.Resize) -> None:
        self.post_message(self.Resized())

    def on_mount(self) -> None:
        self.cursor_type = "row"
        self.zebra_stripes = False
        for name in COLUMNS:
            self.add_column(name, key=name)


class Preview(Vertical):
    """The selected article: its heading (title, facts, url, id, fields) held at the top,
    and under it the body, scrolled to the line of the first match, the words marked."""

    def compose(self) -> ComposeResult:
        yield Static(id="heading")
        with VerticalScroll(id="body"):
            yield Static(id="before")
            yield Static(id="from-match")

    def show(self, item: ShownArticle | None) -> None:
        heading = self.query_one("#heading", Static)
        before, rest = self.query_one("#before", Static), self.query_one("#from-match", Static)
        scroll = self.query_one("#body", VerticalScroll)
        if item is None:
            for part in (heading, before, rest):
                part.update(Text(""))
            return
        heading.update(Text("\n").join(article_heading(item)))
        raw = item.article.body
        cut = first_match_line(raw, item.body_spans)
        start, end = preview_window(raw, cut)
        body = highlighted(raw[start:end], shifted(item.body_spans, start, end))
        head, tail = body[: cut - start], body[cut - start :]
        if end < len(raw):
            tail.append(f"\n… {len(raw) - end:,} more characters: Enter reads it all", META_STYLE)
        before.update(head)
        rest.update(tail)
        before.display = bool(cut)
        if cut:
            self.call_after_refresh(scroll.scroll_to_widget, rest, animate=False, top=True)
        else:
            self.call_after_refresh(scroll.scroll_home, animate=False)


# A preview is a glance: a long article (a reference file, a transcript) would take the
# view's one thread seconds to lay out whole. The pager has it all.
PREVIEW_BEFORE_CHARS = 2_000
PREVIEW_AFTER_CHARS = 20_000


def preview_window(body: str, cut: int) -> tuple[int, int]:
    """The part of `body` the preview lays out: whole lines before `cut`, and after it."""
    start = 0
    if cut > PREVIEW_BEFORE_CHARS:
        start = body.rfind("\n", 0, cut - PREVIEW_BEFORE_CHARS) + 1
    return start, min(len(body), cut + PREVIEW_AFTER_CHARS)


def shifted(spans: tuple[Span, ...], start: int, end: int) -> tuple[Span, ...]:
    """`spans` within [start, end), counted from `start`."""
    return tuple(
        (max(a, start) - start, min(b, end) - start) for a, b in spans if a < end and b > start
    )


def first_match_line(body: str, spans: tuple[Span, ...]) -> int:
    """Where the line holding the body's first match starts (0: at the top)."""
    if not spans:
        return 0
    start = min(begin for begin, _ in spans)
    return body.rfind("\n", 0, start) + 1


HELP = (
    ("type", "search as you type: the query language of `newsgrep search`"),
    ("↑ ↓  pgup pgdn", "move through the results (from the query line too)"),
    ("enter / tab", "from the query line: to the results"),
    ("enter", "read the article in $PAGER (less)"),
    ("e", "open its file in $VISUAL / $EDITOR (vi)"),
    ("s", "articles like this one (typing a query goes back)"),
    ("o", "sort: relevance → newest → oldest"),
    ("d", f"narrow by date: SINCE{RANGE_SEPARATOR}UNTIL, as --since/--until read them"),
    ("f", "fold near-duplicates or show them"),
    ("c / i", "copy the article's path / id"),
    ("/ or esc", "back to the query line"),
    ("? or f1", "this help"),
    ("q / ctrl+q", "quit (ctrl+q from the query line)"),
)


class HelpScreen(ModalScreen[None]):
    BINDINGS = [
        Binding("escape,question_mark,q,f1", "app.pop_screen", "close"),
    ]

    def compose(self) -> ComposeResult:
        text = Text("newsgrep browse — keys\n\n", style="bold")
        width = max(len(key) for key, _ in HELP)
        for key, meaning in HELP:
            text.append(f"{key:<{width}}  ", style="bold")
            text.append(f"{meaning}\n")
        text.append("\nmouse: click a result, scroll the preview; esc closes", style=META_STYLE)
        with Vertical(id="help"):
            yield Static(text)


class DatesScreen(ModalScreen[str | None]):
    """The date range input: dismissed with what was typed, or None when cancelled."""

    BINDINGS = [Binding("escape", "cancel", "cancel")]

    def __init__(self, current: str) -> None:
        super().__init__()
        self.current = current

    def compose(self) -> ComposeResult:
        with Vertical(id="dates"):
            yield Static(
                Text(
                    f"dates: SINCE{RANGE_SEPARATOR}UNTIL (1987-03..1987-04, 7d.., "
                    f"{RANGE_SEPARATOR}2025-05, or one date: from then on); empty for all"
                )
            )
            yield Input(value=self.current, placeholder="e.g. 1987-03..1987-04", id="dates-input")

    def on_input_submitted(self, event: Input.Submitted) -> None:
        self.dismiss(event.value)

    def action_cancel(self) -> None:
        self.dismiss(None)
