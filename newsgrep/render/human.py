"""The terminal look, built with Rich: ranked hits with highlighted titles and snippets,
whole articles, charts, stats, the check's report, and the lines on stderr around them (the
index summary, notices, the footer, `newsgrep: ...` messages).

Article text only ever enters Rich as `Text` (never as markup) after `terminal_safe`, so
neither `[bold]` nor an escape sequence in an article can style or break the output.
Matches are styled by span. The caller passes the Console, made here by `stdout_console`
(which decides colour) or `stderr_console`.
"""

from __future__ import annotations

import os
import sys
from collections.abc import Iterator
from pathlib import Path
from typing import TYPE_CHECKING, TextIO

from rich.console import Console, Group, RenderableType
from rich.padding import Padding
from rich.style import Style
from rich.text import Text

from newsgrep.model import Hit, SearchResult, Snippet, Span, StoredArticle
from newsgrep.render.common import display_path, safe_line, terminal_safe
from newsgrep.text.dates import format_date
from newsgrep.wording import format_size, plural

if TYPE_CHECKING:  # the values of check, indexing, show, stats: a search loads none
    from newsgrep.findings import CheckReport, Finding, RepairReport
    from newsgrep.model import Explanation, IndexReport, IndexStats, Problem, ShownArticle

MATCH_STYLE = "bold red"
TITLE_STYLE = "bold"
META_STYLE = "dim"
RANK_STYLE = "cyan"
BAR_STYLE = "cyan"
INDENT = 4
HIT_TITLE_MAX_CHARS = 200
BAR_WIDTH = 40
GOOD_STYLE = "bold green"
BAD_STYLE = "bold red"
FINDINGS_SHOWN = 10  # per kind; --json lists them all
# In an article's id, what follows the file's id: `briefs.jsonl#b2`.
RECORD_MARK = "#"
SKIPS_SHOWN = 5  # skipped files in the index summary; --verbose lists them all


class _Console(Console):
    """Rich's Console, but a reader that went away (`| head -1`) is a BrokenPipeError for
    the command line to end quietly with exit status 0; Rich would exit 1, "no match"."""

    def on_broken_pipe(self) -> None:
        self.quiet = True
        raise BrokenPipeError


def stdout_console(color: bool | None = None) -> Console:
    """The console for stdout. Colour is decided once: True forces it (even under
    NO_COLOR), False drops it, and None leaves it to Rich, which honours NO_COLOR,
    TERM=dumb and non-terminals. Into anything but a tty, lines are never wrapped,
    padded or cut, coloured or not: a pipe gets whole lines, as grep gives them."""
    tty = sys.stdout.isatty()
    if color:
        console: Console = _Console(
            force_terminal=True,
            no_color=False,
            color_system="standard",
            highlight=False,
            soft_wrap=not tty,
        )
    elif color is False:
        console = _Console(color_system=None, highlight=False, soft_wrap=not tty)
    else:
        console = _Console(highlight=False)
        if not console.is_terminal or not tty:
            console.soft_wrap = True
    return console


def pager_console(file: TextIO, color: bool | None, width: int) -> Console:
    """A console that writes what a terminal would show into `file`, a pager's input:
    wrapped to the terminal's `width`, coloured unless colour is off."""
    return _Console(
        file=file,
        force_terminal=True,
        # None: as NO_COLOR says; colour forced with --color always, dropped with never.
        no_color=None if color is None else not color,
        color_system=None if color is False else "auto",
        highlight=False,
        width=width,
    )


def stderr_console() -> Console:
    """The console for everything that is not data: summaries, notes, errors, progress."""
    return _Console(stderr=True, highlight=False, soft_wrap=True)


def render_message(message: str, console: Console) -> None:
    """One line of newsgrep's own: an error, a warning, a note ("newsgrep: ...")."""
    console.print(Text(f"newsgrep: {message}"))


def render_notices(result: SearchResult, console: Console) -> None:
    """What the search wants the user to know (for stderr): notices, then "did you mean"."""
    for notice in result.notices:
        render_message(f"note: {safe_line(notice)}", console)
    if result.suggestion:
        render_message(f"did you mean: {safe_line(result.suggestion)}", console)


def render_index_summary(report: IndexReport, console: Console, *, verbose: bool) -> None:
    """What an indexing run did (for stderr): one line of counts, then the files skipped
    (the first SKIPS_SHOWN of them unless `verbose`), and with `verbose` the notes too."""
    articles = plural(report.total_articles, "article")
    console.print(
        Text(
            f"{report.added} added, {report.updated} updated, {report.removed} removed, "
            f"{report.unchanged} unchanged, {report.skipped} skipped · "
            f"{articles} in the index · {report.seconds:.2f} s"
        )
    )
    problems = report.skipped_files + report.skipped_records
    shown = problems if verbose else problems[:SKIPS_SHOWN]
    for problem in shown:
        console.print(Text(f"  skipped {_problem_text(problem)}"))
    if len(shown) < len(problems):
        more = len(problems) - len(shown)
        console.print(Text(f"  … and {more} more (--verbose lists them all)"))
    if verbose:
        for note in report.notes:
            console.print(Text(f"  note: {_problem_text(note)}"))
        if report.leftovers_removed:
            count = len(report.leftovers_removed)
            console.print(Text(f"  removed {plural(count, 'file')} an interrupted run left"))


def _problem_text(problem: Problem) -> str:
    where = f": {problem.where}" if problem.where else ""
    return safe_line(f"{display_path(problem.path)}{where}: {problem.reason}")


def render_human(result: SearchResult, console: Console, *, hyperlinks: bool = False) -> None:
    """Print every hit of `result`: rank and title, a line of facts, then its snippets.
    With `hyperlinks`, titles link to their article files."""
    lines: list[RenderableType] = []
    for number, hit in enumerate(result.hits):
        if number:
            lines.append(Text())
        lines.extend(_hit_lines(hit, console, hyperlinks))
    # In one print: Rich's cost for each call is most of the time of a page of hits.
    console.print(Group(*lines))


def _hit_lines(hit: Hit, console: Console, hyperlinks: bool) -> Iterator[RenderableType]:
    heading = Text()
    heading.append(f"{hit.rank:>{INDENT - 1}} ", style=RANK_STYLE)
    title, spans = _shortened(hit.title, hit.title_spans)
    heading.append_text(_title(title, spans, hit.path if hyperlinks else None))
    yield heading
    yield _indented(_facts(hit), console)
    for snippet in hit.snippets:
        yield _indented(_snippet_text(snippet), console)


def _indented(text: Text, console: Console) -> RenderableType:
    # On a terminal, wrapped lines keep the indent; into a pipe, each stays one whole line.
    if console.soft_wrap:
        return Text(" " * INDENT) + text
    return Padding(text, (0, 0, 0, INDENT), expand=False)


def _facts(hit: Hit) -> Text:
    facts = [format_date(hit.date), hit.source, display_path(hit.path)]
    if RECORD_MARK in hit.id:  # one of a file's articles: its id is what `show` takes
        facts.append(f"id {hit.id}")
    if hit.score is not None:
        facts.append(f"score {hit.score:.2f}")
    if hit.duplicates:
        count = len(hit.duplicates)
        facts.append("+" + plural(count, "near-duplicate"))
    line = " · ".join(safe_line(fact) for fact in facts if fact)
    return Text(line, style=META_STYLE)


def _snippet_text(snippet: Snippet) -> Text:
    text = Text("…" if snippet.cut_before else "")
    text.append_text(highlighted(snippet.text, snippet.spans))
    if snippet.cut_after:
        text.append("…")
    return text


def _shortened(title: str, spans: tuple[Span, ...]) -> tuple[str, tuple[Span, ...]]:
    """A title cut at a word to at most HIT_TITLE_MAX_CHARS, for the list of hits (`show`
    and JSON give it whole): a 100 kB title in an article must not fill the screen."""
    if len(title) <= HIT_TITLE_MAX_CHARS:
        return title, spans
    cut = title.rfind(" ", HIT_TITLE_MAX_CHARS // 2, HIT_TITLE_MAX_CHARS)
    cut = cut if cut > 0 else HIT_TITLE_MAX_CHARS
    return title[:cut] + "…", tuple((a, min(b, cut)) for a, b in spans if a < cut)


def _title(title: str, spans: tuple[Span, ...], link_to: str | None) -> Text:
    if not title:
        return Text("(untitled)", style=META_STYLE)
    text = highlighted(title, spans, TITLE_STYLE)
    if link_to is not None:
        # as_uri() percent-encodes the path, so no byte of it reaches the escape sequence.
        text.stylize(Style(link=Path(link_to).as_uri()))
    return text


def highlighted(raw: str, spans: tuple[Span, ...], style: str = "") -> Text:
    """`raw` made inert (`terminal_safe`), the `spans` of matched words styled."""
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


def render_articles(
    shown: list[ShownArticle], console: Console, *, hyperlinks: bool = False
) -> None:
    """Print whole articles: title, facts, then the body with the query's words marked."""
    for number, item in enumerate(shown):
        if number:
            console.rule(style=META_STYLE)
        for line in article_heading(item, hyperlinks=hyperlinks):
            console.print(line)
        console.print()
        console.print(highlighted(item.article.body, item.body_spans))


def article_heading(item: ShownArticle, *, hyperlinks: bool = False) -> list[Text]:
    """The lines above an article's body (`show`, the browse view's preview): its title,
    facts, url, tags, id and own fields, each inert."""
    article = item.article
    lines = [_title(article.title, item.title_spans, article.path if hyperlinks else None)]
    facts = [format_date(article.date), article.source, display_path(article.path)]
    lines.append(Text(" · ".join(safe_line(f) for f in facts if f), style=META_STYLE))
    for extra in (article.url, ", ".join(article.tags), f"id {article.id}"):
        if extra:
            lines.append(Text(safe_line(extra), style=META_STYLE))
    for name, values in _own_fields(article):
        lines.append(Text(safe_line(f"{name}: {', '.join(values)}"), style=META_STYLE))
    return lines


def _own_fields(article: StoredArticle) -> list[tuple[str, tuple[str, ...]]]:
    """The lines under an article's facts: its language, then its record's own fields."""
    lang = [("lang", (article.lang,))] if article.lang else []
    return lang + list(article.fields)


def render_bars(counts: list[tuple[str, int]], console: Console, *, empty_label: str) -> None:
    """A bar chart of `counts`, one row per bucket, bars scaled to the largest."""
    labels = [safe_line(label) or empty_label for label, _ in counts]
    numbers = [f"{count:,}" for _, count in counts]
    label_width = max(map(len, labels), default=0)
    number_width = max(map(len, numbers), default=0)
    largest = max((count for _, count in counts), default=0)
    for label, number, (_, count) in zip(labels, numbers, counts, strict=True):
        length = round(BAR_WIDTH * count / largest) if largest else 0
        bar = "█" * length or ("▏" if count else "")
        line = Text(f"{label:<{label_width}} {number:>{number_width}}" + (" " if bar else ""))
        line.append(bar, style=BAR_STYLE)
        console.print(line)


def render_stats(stats: IndexStats, index_dir: Path, console: Console) -> None:
    """The facts of an index, one per line."""
    span = " to ".join(filter(None, (format_date(stats.first_date), format_date(stats.last_date))))
    sources = ", ".join(f"{name or '(none)'} {count:,}" for name, count in stats.sources[:10])
    if len(stats.sources) > 10:
        sources += f", … {len(stats.sources) - 10} more"
    excludes = dict(stats.excludes)
    folders = [
        display_path(folder) + _excluding(excludes.get(folder, ())) for folder in stats.folders
    ] or ([] if stats.files else ["(none)"])
    size = format_size(stats.index_bytes, spaced=True)
    if stats.deleted_articles:
        waste = format_size(stats.reclaimable_bytes, spaced=True)
        size += f" (about {waste} of it replaced or removed articles; --compact frees it)"
    rows = [
        ("articles", f"{stats.articles:,}"),
        ("dates", span or "(none)"),
        ("sources", sources or "(none)"),
        ("index", f"{index_dir} · {size} · updated {stats.updated or '?'}"),
        *([("", _parts(stats.parts))] if stats.parts else []),
        *(("folders" if n == 0 else "", folder) for n, folder in enumerate(folders)),
        *(("files" if n == 0 else "", line) for n, line in enumerate(_lone_files(stats.files))),
    ]
    for name, value in rows:
        line = Text(f"{name:<9}", style="bold")
        line.append(safe_line(value))
        console.print(line)


def _parts(parts: tuple[tuple[str, int], ...]) -> str:
    return "  " + ", ".join(f"{name} {format_size(size, spaced=True)}" for name, size in parts)


def _excluding(globs: tuple[str, ...]) -> str:
    return f" (excluding {', '.join(globs)})" if globs else ""


def _lone_files(files: tuple[str, ...]) -> list[str]:
    """Files indexed by themselves: each, when there are a few; else how many, by folder."""
    if len(files) <= 3:
        return [display_path(path) for path in files]
    by_folder: dict[str, int] = {}
    for path in files:
        folder = os.path.dirname(path)
        by_folder[folder] = by_folder.get(folder, 0) + 1
    ranked = sorted(by_folder.items(), key=lambda item: (-item[1], item[0]))
    lines = [f"{len(files):,} given one by one, in:"]
    lines += [f"  {display_path(folder)} ({count:,})" for folder, count in ranked[:5]]
    if len(ranked) > 5:
        lines.append(f"  … {len(ranked) - 5:,} more folders")
    return lines


def render_explanation(explanation: Explanation, console: Console) -> None:
    """How the query was read, for stderr."""
    console.print(Text(f"query: {safe_line(explanation.parsed)}"))
    for word, meaning in explanation.words:
        console.print(Text(f"  {safe_line(word)} → {safe_line(meaning)}"))
    for word, variants in explanation.synonyms:
        also = ", ".join(variants)
        console.print(Text(f"synonyms: {safe_line(word)} also finds {safe_line(also)}"))
    if explanation.dates:
        console.print(Text(f"dates: {explanation.dates}"))


# --- check ------------------------------------------------------------------------------

# By the kinds' and repairs' names (`findings.FindingKind`, `findings.Repair`).
_KIND_LABELS = {
    "schema_version": "version",
    "count_mismatch": "count",
    "duplicate_id": "duplicate",
    "not_in_manifest": "unlisted",
    "articles_mismatch": "articles",
    "manifest_missing": "manifest",
    "folder_missing": "missing",
}
_REPAIR_WORDS = {
    "clean": "removes the leftovers",
    "reindex": "re-indexes the difference",
    "rebuild": "rebuilds the index",
}


def render_check(
    report: CheckReport, console: Console, *, repaired: RepairReport | None = None
) -> None:
    """The check's report: what --repair did (if it ran), the index, its problems and
    notes (at most FINDINGS_SHOWN of each kind), and a last line that says healthy or not."""
    if repaired is not None:
        found = len(repaired.before.problems)
        console.print(Text(f"repair: found {plural(found, 'problem')}"))
        for action in repaired.actions:
            console.print(Text(f"  {terminal_safe(action)}"))
        for warning in repaired.warnings:
            console.print(Text(f"  warning: {terminal_safe(warning)}"))
    facts = f"{report.index_dir}"
    if report.schema_version is not None:
        facts += f" · schema {report.schema_version}"
    if report.generation is not None:
        facts += f" · generation {report.generation}"
    rows = [("index", facts)]
    if report.articles is not None:
        skipped = f", {report.skipped_files:,} skipped" if report.skipped_files else ""
        files = plural(report.files, "file")
        rows.append(("articles", f"{report.articles:,} from {files}{skipped}"))
    folders = [display_path(folder) for folder in report.folders] or ["(none)"]
    rows += [("folders", folders[0]), *(("", folder) for folder in folders[1:])]
    for name, value in rows:
        line = Text(f"{name:<9}", style="bold")
        line.append(terminal_safe(value))
        console.print(line)
    _render_findings("problems", report.problems, console)
    _render_findings("notes", report.notes, console)
    console.print(_verdict(report))


def _render_findings(heading: str, findings: list[Finding], console: Console) -> None:
    if not findings:
        return
    console.print(Text(f"{heading} ({len(findings):,})", style="bold"))
    by_kind: dict[str, list[Finding]] = {}
    for finding in findings:
        by_kind.setdefault(finding.kind, []).append(finding)
    for kind, group in by_kind.items():
        label = _KIND_LABELS.get(kind, kind.replace("_", " "))
        for finding in group[:FINDINGS_SHOWN]:
            line = Text(f"  {label:<10} ", style=META_STYLE)
            where = f"{display_path(finding.path)}: " if finding.path else ""
            line.append(terminal_safe(where + finding.message))
            console.print(line)
        if len(group) > FINDINGS_SHOWN:
            more = len(group) - FINDINGS_SHOWN
            console.print(Text(f"  {label:<10} … and {more:,} more (--json lists them all)"))


def _verdict(report: CheckReport) -> Text:
    if report.healthy:
        return Text("healthy", style=GOOD_STYLE)
    count = len(report.problems)
    text = Text(f"not healthy: {plural(count, 'problem')}", style=BAD_STYLE)
    if report.repair is not None:
        text.append(f" — run: newsgrep check --repair ({_REPAIR_WORDS[report.repair]})")
    stuck = len(report.unrepairable)
    if stuck:
        text.append(f"; {stuck} newsgrep cannot repair")
    return text
