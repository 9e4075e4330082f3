"""The terminal look: ranked hits with highlighted titles and snippets, built with Rich.

Article text only ever enters Rich as `Text` (never as markup) after `terminal_safe`, so
neither `[bold]` nor an escape sequence in an article can style or break the output.
Matches are styled by span. The caller passes the Console, which decides colour.
"""

from __future__ import annotations

from rich.console import Console
from rich.padding import Padding
from rich.text import Text

from newsgrep.dates import format_date
from newsgrep.render.common import display_path, terminal_safe
from newsgrep.search import Hit, SearchResult
from newsgrep.snippets import Snippet, Span

MATCH_STYLE = "bold red"
TITLE_STYLE = "bold"
META_STYLE = "dim"
RANK_STYLE = "cyan"
INDENT = 4


def render_human(result: SearchResult, console: Console) -> None:
    """Print every hit of `result`: rank and title, a line of facts, then its snippets."""
    for number, hit in enumerate(result.hits):
        if number:
            console.print()
        _render_hit(hit, console)


def _render_hit(hit: Hit, console: Console) -> None:
    heading = Text()
    heading.append(f"{hit.rank:>{INDENT - 1}} ", style=RANK_STYLE)
    if hit.title:
        heading.append_text(_highlighted(hit.title, hit.title_spans, TITLE_STYLE))
    else:
        heading.append("(untitled)", style=META_STYLE)
    console.print(heading)
    _print_indented(_facts(hit), console)
    for snippet in hit.snippets:
        _print_indented(_snippet_text(snippet), console)


def _print_indented(text: Text, console: Console) -> None:
    # On a terminal, wrapped lines keep the indent; into a pipe, each stays one whole line.
    if console.soft_wrap:
        console.print(Text(" " * INDENT) + text)
    else:
        console.print(Padding(text, (0, 0, 0, INDENT), expand=False))


def _facts(hit: Hit) -> Text:
    facts = [format_date(hit.date), hit.source, display_path(hit.path)]
    if hit.score is not None:
        facts.append(f"score {hit.score:.2f}")
    line = " · ".join(terminal_safe(fact) for fact in facts if fact)
    return Text(line, style=META_STYLE)


def _snippet_text(snippet: Snippet) -> Text:
    text = Text("…" if snippet.cut_before else "")
    text.append_text(_highlighted(snippet.text, snippet.spans))
    if snippet.cut_after:
        text.append("…")
    return text


def _highlighted(raw: str, spans: tuple[Span, ...], style: str = "") -> Text:
    text = Text(terminal_safe(raw), style=style)
    for start, end in spans:
        text.stylize(MATCH_STYLE, start, end)
    return text


def render_footer(result: SearchResult, console: Console) -> None:
    """One line for stderr: how many matched, which were shown, how long it took."""
    shown = len(result.hits)
    noun = "match" if result.total == 1 else "matches"
    line = f"{result.total:,} {noun}"
    if shown and shown < result.total:
        first = result.hits[0].rank
        line += f", showing {first}–{first + shown - 1}"
    console.print(Text(f"{line} · {result.seconds * 1000:.0f} ms", style=META_STYLE))
