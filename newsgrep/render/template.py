"""`--format TEMPLATE`: one line per hit from a template such as '{date}\\t{path}\\t{title}'.

Fields: {rank} {score} {id} {path} {title} {date} {source} {url} {snippet}; a field the hit
lacks is empty. `\\t`, `\\n`, `\\0` and `\\\\` in the template stand for tab, newline, NUL
and a backslash; `{{` and `}}` for braces. Each hit's record ends with a newline, unless the
template ends with one of those escapes: then that ends it (`'{path}\\0'` for `xargs -0`).
"""

from __future__ import annotations

import re
import string
from typing import TextIO

from newsgrep.errors import NewsgrepError
from newsgrep.model import Hit, SearchResult
from newsgrep.render.common import display_path, safe_line
from newsgrep.text.dates import format_date

FIELDS = ("rank", "score", "id", "path", "title", "date", "source", "url", "snippet")
_ESCAPES = {"t": "\t", "n": "\n", "0": "\0", "\\": "\\"}
_ESCAPE = re.compile(r"\\(.)")
# A template that ends with one of these has ended its record itself: no newline follows.
RECORD_ENDS = ("\0", "\n", "\t")


class TemplateError(NewsgrepError):
    """A --format template names an unknown field or is malformed."""


def compile_template(template: str) -> str:
    """The template with its escapes expanded, checked against the known fields.

    Raises:
        TemplateError: an unknown field, a stray brace, or a format spec.
    """
    expanded = _ESCAPE.sub(lambda m: _ESCAPES.get(m.group(1), m.group(0)), template)
    try:
        parsed = list(string.Formatter().parse(expanded))
    except ValueError as error:
        raise TemplateError(
            f"--format: {error}", hint="write {{ and }} for literal braces"
        ) from None
    for _, name, spec, conversion in parsed:
        if name is None:
            continue
        if name not in FIELDS:
            raise TemplateError(
                f"--format: unknown field {{{name}}}",
                hint="fields: " + " ".join(f"{{{f}}}" for f in FIELDS),
            )
        if spec or conversion:
            raise TemplateError(f"--format: {{{name}}} takes no format spec or conversion")
    return expanded


def hit_fields(hit: Hit) -> dict[str, str]:
    """The template's fields for one hit, as text."""
    values = {
        "rank": str(hit.rank),
        "score": "" if hit.score is None else f"{hit.score:.4f}",
        "id": hit.id,
        "path": display_path(hit.path),
        "title": hit.title,
        "date": format_date(hit.date) or "",
        "source": hit.source or "",
        "url": hit.url or "",
        "snippet": hit.snippets[0].text if hit.snippets else "",
    }
    return values


def write_template(result: SearchResult, template: str, out: TextIO, *, to_terminal: bool) -> None:
    """One formatted record per hit; fields are shown inert when writing to a terminal."""
    end = "" if template.endswith(RECORD_ENDS) else "\n"
    for hit in result.hits:
        values = hit_fields(hit)
        if to_terminal:
            values = {name: safe_line(value) for name, value in values.items()}
        out.write(template.format_map(values) + end)
