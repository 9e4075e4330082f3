"""Renderers: the human view (pinned Rich console), JSON Lines, paths and counts."""

from __future__ import annotations

import datetime as dt
import io
import json
import os
import re

from rich.console import Console

from newsgrep.model import Hit, SearchResult, Snippet
from newsgrep.render.common import display_path, terminal_safe
from newsgrep.render.human import render_footer, render_human
from newsgrep.render.jsonl import write_jsonl
from newsgrep.render.paths import write_count, write_paths
from newsgrep.render.template import write_template


def make_hit(rank: int = 1, **fields: object) -> Hit:
    values: dict[str, object] = {
        "rank": rank,
        "id": f"a{rank}.txt",
        "path": f"/news/a{rank}.txt",
        "title": "Peace talks open",
        "title_spans": ((6, 11),),
        "date": dt.datetime(2025, 5, 15),
        "source": "Wire",
        "url": "https://example.org/a",
        "tags": ("politics",),
        "score": 1.23456,
        "snippets": (Snippet("Delegations met for talks in Istanbul.", ((20, 25),), True, False),),
    }
    values.update(fields)
    return Hit(**values)  # type: ignore[arg-type]


def result_of(*hits: Hit, total: int | None = None) -> SearchResult:
    return SearchResult("talks", len(hits) if total is None else total, hits, 0.0123)


def human(result: SearchResult, color: bool = False) -> str:
    out = io.StringIO()
    console = Console(
        file=out,
        width=100,
        color_system="standard" if color else None,
        force_terminal=color,
        highlight=False,
    )
    render_human(result, console)
    return out.getvalue()


def test_human_output_shows_rank_title_facts_and_snippet() -> None:
    assert human(result_of(make_hit())) == (
        "  1 Peace talks open\n"
        "    2025-05-15 · Wire · /news/a1.txt · score 1.23\n"
        "    …Delegations met for talks in Istanbul.\n"
    )


def test_human_output_styles_the_matched_words_only() -> None:
    output = human(result_of(make_hit(title_spans=())), color=True)
    assert "\x1b[1mPeace talks open\x1b[0m" in output  # a bold title, nothing marked
    assert "Delegations met for \x1b[1;31mtalks\x1b[0m in Istanbul." in output


def test_article_markup_and_escapes_are_shown_inert() -> None:
    hostile = make_hit(
        title="[bold]Loud[/bold] \x1b[31mred\x1b[0m",
        title_spans=(),
        snippets=(Snippet("[link=http://evil]click[/link] \x1b]8;;x\x07", (), False, False),),
    )
    output = human(result_of(hostile), color=True)
    assert "[bold]Loud[/bold]" in output
    assert "[link=http://evil]click[/link]" in output
    assert "\x1b[31m" not in output and "\x1b]8" not in output and "\x07" not in output
    assert "␛[31mred" in output


def test_terminal_safe_replaces_one_for_one() -> None:
    raw = "a\x1bb\u202ec\x9bd\x00e"
    safe = terminal_safe(raw)
    assert len(safe) == len(raw)
    assert safe == "a␛b\ufffdc\ufffdd␀e"
    assert terminal_safe("tab\tand\nnewline") == "tab\tand\nnewline"


def test_undated_hit_without_source_shows_what_it_has() -> None:
    output = human(result_of(make_hit(date=None, source=None, score=None)))
    assert "    /news/a1.txt\n" in output


def test_footer_counts_and_shows_the_page() -> None:
    out = io.StringIO()
    render_footer(result_of(make_hit(3), make_hit(4), total=57), Console(file=out, width=100))
    assert out.getvalue() == "57 matches, showing 3–4 · 12 ms\n"


def test_jsonl_has_one_documented_object_per_hit() -> None:
    out = io.StringIO()
    write_jsonl(result_of(make_hit(1), make_hit(2)), out)
    lines = out.getvalue().splitlines()
    assert len(lines) == 2
    record = json.loads(lines[0])
    assert record == {
        "v": 1,
        "rank": 1,
        "id": "a1.txt",
        "path": "/news/a1.txt",
        "path_bytes": None,
        "title": "Peace talks open",
        "date": "2025-05-15",
        "source": "Wire",
        "url": "https://example.org/a",
        "tags": ["politics"],
        "lang": None,
        "fields": {},
        "score": 1.2346,
        "snippets": [{"text": "Delegations met for talks in Istanbul.", "spans": [[20, 25]]}],
        "duplicates": [],
    }
    snippet = record["snippets"][0]
    assert snippet["text"][slice(*snippet["spans"][0])] == "talks"


def test_jsonl_round_trips_hostile_text_exactly() -> None:
    title = "[bold]x[/bold] \x1b[31m \u202e \x00"
    out = io.StringIO()
    write_jsonl(result_of(make_hit(title=title)), out)
    assert json.loads(out.getvalue())["title"] == title


def test_paths_are_unique_in_rank_order_and_nul_terminated() -> None:
    hits = (
        make_hit(1, path="/news/b.jsonl"),
        make_hit(2, path="/news/a.txt"),
        make_hit(3, path="/news/b.jsonl"),
    )
    out = io.BytesIO()
    write_paths(result_of(*hits), out, null=True, to_terminal=False)
    assert out.getvalue() == b"/news/b.jsonl\0/news/a.txt\0"


def test_paths_keep_non_utf8_bytes_for_pipes() -> None:
    odd = "/news/caf\udce9.txt"  # how Python names a file called b"caf\xe9.txt"
    out = io.BytesIO()
    write_paths(result_of(make_hit(path=odd)), out, null=False, to_terminal=False)
    assert out.getvalue() == b"/news/caf\xe9.txt\n"


def test_count_prints_the_total() -> None:
    out = io.StringIO()
    write_count(result_of(make_hit(), total=42), out)
    assert out.getvalue() == "42\n"


def test_display_path_is_relative_inside_the_working_folder() -> None:
    assert display_path("/work/news/a.txt", cwd="/work") == "news/a.txt"
    assert display_path("/elsewhere/a.txt", cwd="/work") == "/elsewhere/a.txt"
    assert display_path("/workshop/a.txt", cwd="/work") == "/workshop/a.txt"


def test_folded_duplicates_are_counted_in_human_and_listed_in_json() -> None:
    hit = make_hit(duplicates=("a2.txt", "a3.txt"))
    assert "score 1.23 · +2 near-duplicates" in human(result_of(hit))
    out = io.StringIO()
    write_jsonl(result_of(hit), out)
    assert json.loads(out.getvalue())["duplicates"] == ["a2.txt", "a3.txt"]


# --- terminal safety of the summary printers -----------------------------------------------

HOSTILE = "\x1b[2J\x1b]0;pwned\x07[bold]x[/bold] \u202eevil\u202c \x9b31m\x00\n\t\udce9"


def test_paths_on_a_terminal_are_inert_and_one_line_each() -> None:
    out = io.BytesIO()
    write_paths(result_of(make_hit(path="/news/" + HOSTILE)), out, null=False, to_terminal=True)
    shown = out.getvalue().decode("utf-8")
    assert shown == "/news/␛[2J␛]0;pwned␇[bold]x[/bold] \ufffdevil\ufffd \ufffd31m␀␊␉\ufffd\n"


def test_paths_into_a_pipe_are_the_exact_bytes() -> None:
    out = io.BytesIO()
    write_paths(result_of(make_hit(path="/news/" + HOSTILE)), out, null=True, to_terminal=False)
    assert out.getvalue() == os.fsencode("/news/" + HOSTILE) + b"\0"


def test_template_fields_on_a_terminal_are_inert_and_one_line() -> None:
    hit = make_hit(title=HOSTILE, path="/news/" + HOSTILE, source=HOSTILE, url=HOSTILE)
    out = io.StringIO()
    write_template(result_of(hit), "{title}|{path}|{source}|{url}\n", out, to_terminal=True)
    shown = out.getvalue()
    assert shown.count("\n") == 1 and "[bold]x[/bold]" in shown  # the template ends it
    assert not re.search(r"[\x00-\x08\x0b-\x1f\x7f-\x9f\u202a-\u202e\ud800-\udfff]", shown)
    piped = io.StringIO()
    write_template(result_of(hit), "{title}", piped, to_terminal=False)
    assert piped.getvalue() == HOSTILE + "\n"  # for scripts: the text as it is


def test_a_long_title_is_cut_in_the_list_of_hits_but_not_in_json() -> None:
    title = "Zeppelin " + "word " * 20_000
    hit = make_hit(title=title, title_spans=((0, 8),))
    shown = human(result_of(hit), color=True)
    assert "\x1b[1;31mZeppelin" in shown  # the match is still marked
    heading = re.sub(r"\x1b\[[0-9;]*m", "", shown).partition("2025-05-15")[0]
    assert len(heading) < 250 and heading.rstrip().endswith("word…")
    out = io.StringIO()
    write_jsonl(result_of(hit), out)
    assert json.loads(out.getvalue())["title"] == title


def test_the_check_report_words_name_real_kinds_and_repairs() -> None:
    # render.human keys them by name, so that a search need not load `findings`
    from newsgrep.findings import FindingKind, Repair
    from newsgrep.render.human import _KIND_LABELS, _REPAIR_WORDS

    assert set(_KIND_LABELS) <= set(FindingKind)
    assert set(_REPAIR_WORDS) == set(Repair)
