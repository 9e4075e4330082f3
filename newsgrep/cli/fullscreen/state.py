"""What the browse view asks and says, without a terminal: the query, sort, dates, folding
(or "articles like this one"), the request they make, and the words of the status line.

Plain values only (no Textual, no Rich): the tests drive them directly, and `app` keeps
the widgets in step with them.
"""

from __future__ import annotations

import shlex
from collections.abc import Mapping
from dataclasses import dataclass, replace

from newsgrep.errors import NewsgrepError
from newsgrep.model import Facet, SearchRequest, SearchResult, Sort
from newsgrep.text.typed_dates import parse_date_span
from newsgrep.wording import plural

# The order the sort key goes through.
SORTS = (Sort.RELEVANCE, Sort.NEWEST, Sort.OLDEST)
# How a date range is typed: `2025-05..2025-06`, `7d..`, `..1987-03-31`, or one date
# (from then on); each side takes what --since and --until take.
RANGE_SEPARATOR = ".."


class DateRangeError(NewsgrepError):
    """A date range typed in the view that cannot be read."""


@dataclass(frozen=True, slots=True)
class ViewState:
    """What the view asks for. `template` is the request the command line resolved
    (synonyms, match, limit, correction); the rest is what the keys change."""

    template: SearchRequest
    query: str = ""
    sort: Sort = Sort.RELEVANCE
    since: str | None = None
    until: str | None = None
    collapse: bool = True
    like: str | None = None  # an article id: the articles like it, not the query

    @classmethod
    def start(cls, template: SearchRequest) -> ViewState:
        return cls(
            template,
            query=template.query,
            sort=template.sort,
            since=template.since,
            until=template.until,
            collapse=template.collapse,
        )

    def request(self) -> SearchRequest:
        return replace(
            self.template,
            query=self.query,
            sort=self.sort,
            since=self.since,
            until=self.until,
            collapse=self.collapse,
        )

    @property
    def empty(self) -> bool:
        """Nothing to search: no query and no article to find others like."""
        return self.like is None and not self.query.strip()

    def typed(self, query: str) -> ViewState:
        """The query line changed: search it (and leave "articles like")."""
        return replace(self, query=query, like=None)

    def next_sort(self) -> ViewState:
        return replace(self, sort=SORTS[(SORTS.index(self.sort) + 1) % len(SORTS)])

    def toggled_folding(self) -> ViewState:
        return replace(self, collapse=not self.collapse)

    def similar_to(self, article_id: str) -> ViewState:
        return replace(self, like=article_id)

    def with_dates(self, text: str) -> ViewState:
        """The dates typed in the date input (see RANGE_SEPARATOR); empty clears them.

        Raises:
            DateRangeError: a side that is not a date.
        """
        since, until = parse_date_range(text)
        return replace(self, since=since, until=until)

    @property
    def dates_text(self) -> str:
        """The dates as the date input shows them."""
        if self.since is None and self.until is None:
            return ""
        if self.until is None:
            return f"{self.since}{RANGE_SEPARATOR}"
        return f"{self.since or ''}{RANGE_SEPARATOR}{self.until}"


def parse_date_range(text: str) -> tuple[str | None, str | None]:
    """`since..until` (either side may be left out) or one date (since) → the bounds.

    Raises:
        DateRangeError: a side that is not a date, with the forms that are.
    """
    text = text.strip()
    if not text:
        return None, None
    since, separator, until = text.partition(RANGE_SEPARATOR)
    bounds = (since.strip() or None, until.strip() or None) if separator else (text, None)
    for bound in bounds:
        if bound is not None:
            try:
                parse_date_span(bound)
            except ValueError as error:
                raise DateRangeError(
                    str(error), hint="e.g. 1987-03..1987-04, 7d.., ..2025-05"
                ) from None
    return bounds


def summary_line(result: SearchResult, state: ViewState, *, title: str | None = None) -> str:
    """The status line's facts: matches, time, and what narrows or orders them."""
    noun = "match" if result.total == 1 else "matches"
    what = f"like {title!r}" if state.like is not None and title else None
    parts = [f"{result.total:,} {noun}", f"{result.seconds * 1000:.0f} ms", f"sort {state.sort}"]
    if state.since or state.until:
        parts.append(f"dates {state.dates_text}")
    parts.append("near-duplicates folded" if state.collapse else "near-duplicates shown")
    return " · ".join(([what] if what else []) + parts)


def notice_lines(result: SearchResult) -> list[str]:
    """What `search` prints on stderr around the hits: notices, then "did you mean"."""
    lines = [f"note: {notice}" for notice in result.notices]
    if result.suggestion and result.corrected_from is None:
        lines.append(f"did you mean: {result.suggestion}")
    return lines


def error_line(error: NewsgrepError) -> str:
    """An error as `newsgrep` words it on stderr, for the status line."""
    hint = f" — {error.hint}" if error.hint else ""
    return f"{error}{hint}"


def duplicates_cell(count: int) -> str:
    return f"+{count}" if count else ""


def timeline_label(facet: Facet, counts: list[tuple[str, int]]) -> str:
    """The words beside the sparkline: its span and its busiest bucket."""
    dated = [(label, count) for label, count in counts if label]
    if not dated or not any(count for _, count in dated):
        return "no dated matches"
    busiest = max(dated, key=lambda item: item[1])
    per = "month" if facet is Facet.MONTH else "year"
    undated = sum(count for label, count in counts if not label)
    extra = f" · {plural(undated, 'match')} undated" if undated else ""
    return (
        f"by {per}, {dated[0][0]} to {dated[-1][0]} · busiest {busiest[0]} ({busiest[1]:,}){extra}"
    )


def pager_command(environ: Mapping[str, str], configured: str | None = None) -> list[str]:
    """The pager `search` would use (`configured`: `resolve.resolve_pager`'s choice, from
    the config's `pager`, $PAGER or less), else $PAGER, else `less -R`: the view always
    needs one to show a whole article, even where `search` prints without."""
    return shlex.split(configured or environ.get("PAGER") or "") or ["less", "-R"]


def editor_command(environ: Mapping[str, str], path: str) -> list[str]:
    """$VISUAL, else $EDITOR, else vi, on `path`."""
    editor = environ.get("VISUAL") or environ.get("EDITOR") or ""
    return [*(shlex.split(editor) or ["vi"]), path]
