"""The command-line surface beyond index/search basics: templates, batch, stdin paths, show,
similar, stats, timeline, explain, quiet, hyperlinks and shell completion."""

from __future__ import annotations

import json
import os
import subprocess
import sys
from pathlib import Path

from conftest import newsgrep, run, write_corpus

# --- --format ---------------------------------------------------------------------------


def test_format_template_with_escapes(built_index: Path) -> None:
    result = newsgrep(
        "search", "istanbul", "--sort", "oldest", "--format", r"{rank}\t{date}\t{id}",
        "--index", built_index,
    )  # fmt: skip
    assert result.exit_code == 0
    assert result.stdout == "1\t2025-05-15\tistanbul-talks.txt\n2\t2025-05-20\tbriefs.jsonl#b2\n"


def test_format_fills_missing_fields_with_nothing(built_index: Path) -> None:
    result = newsgrep(
        "search", "column", "--format", "[{source}|{url}|{title}]", "--index", built_index
    )
    assert result.stdout == "[||Talking about nothing in particular, a columnist wrote a column.]\n"


def test_format_snippet_and_score(built_index: Path) -> None:
    result = newsgrep("search", "wheat", "--format", "{score} {snippet}", "--index", built_index)
    score, snippet = result.stdout.rstrip("\n").split(" ", 1)
    assert float(score) > 0
    assert "Wheat and maize prices fell." in snippet


def test_format_rejects_unknown_fields(built_index: Path) -> None:
    result = newsgrep("search", "wheat", "--format", "{author}", "--index", built_index)
    assert result.exit_code == 2
    assert "unknown field {author}" in result.stderr and "{title}" in result.stderr


def test_format_and_json_are_exclusive(built_index: Path) -> None:
    result = newsgrep("search", "wheat", "--format", "{id}", "--json", "--index", built_index)
    assert result.exit_code == 2 and "one output mode" in result.stderr


# --- paging -----------------------------------------------------------------------------


def test_offset_pages_through_the_ranking(built_index: Path) -> None:
    def page(offset: int) -> list[str]:
        out = newsgrep("search", "istanbul OR grain OR floods", "-n", "2", "--offset", str(offset),
                       "--format", "{rank} {id}", "--index", built_index).stdout  # fmt: skip
        return out.splitlines()

    first, second, third = page(0), page(2), page(4)
    assert [line.split()[0] for line in first + second] == ["1", "2", "3", "4"]
    assert third == []
    everything = newsgrep(
        "search", "istanbul OR grain OR floods", "-n", "0", "--format", "{rank} {id}",
        "--index", built_index,
    ).stdout.splitlines()  # fmt: skip
    assert everything == first + second


# --- quiet ------------------------------------------------------------------------------


def test_quiet_search_prints_nothing_and_sets_the_status(built_index: Path) -> None:
    found = newsgrep("search", "-q", "istanbul", "--index", built_index)
    assert (found.exit_code, found.stdout, found.stderr) == (0, "", "")
    missing = newsgrep("search", "-q", "zeppelin", "--index", built_index)
    assert (missing.exit_code, missing.stdout, missing.stderr) == (1, "", "")


# --- batch ------------------------------------------------------------------------------


def test_batch_tags_each_hit_with_its_query_and_line(built_index: Path) -> None:
    queries = "istanbul\n\nwheat\n"
    result = newsgrep("search", "--batch", "--index", built_index, input=queries)
    assert result.exit_code == 0
    records = [json.loads(line) for line in result.stdout.splitlines()]
    assert [(r["line"], r["query"], r["id"]) for r in records if r["query"] == "wheat"] == [
        (3, "wheat", "grain.txt")
    ]
    assert {r["line"] for r in records} == {1, 3}
    assert all(r["v"] == 1 and "snippets" in r for r in records)


def test_batch_bad_line_in_the_middle_does_not_stop_the_run(built_index: Path) -> None:
    result = run("search", "--batch", "--index", built_index, stdin=b"istanbul\nthe\nwheat\n")
    assert result.returncode == 2  # as grep: an error happened, though others matched
    records = [json.loads(line) for line in result.stdout.decode().splitlines()]
    errors = [r for r in records if "error" in r]
    assert errors == [
        {"v": 1, "query": "the", "line": 2, "error": "the query has no words to search for"}
    ]
    assert {r["query"] for r in records if "id" in r} == {"istanbul", "wheat"}
    assert records.index(errors[0]) > 0 and records[-1]["query"] == "wheat"


def test_batch_without_errors_or_matches_exits_1(built_index: Path) -> None:
    result = newsgrep("search", "--batch", "--index", built_index, input="zeppelin\n")
    assert (result.exit_code, result.stdout) == (1, "")


def test_batch_takes_no_query_argument(built_index: Path) -> None:
    result = newsgrep("search", "x", "--batch", "--index", built_index, input="")
    assert result.exit_code == 2 and "from stdin" in result.stderr


# --- index from stdin -------------------------------------------------------------------


def test_find_piped_into_index(corpus: Path, index_dir: Path) -> None:
    pipeline = subprocess.run(
        f"find {corpus} -name '*.txt' | {sys.executable} -m newsgrep index - --index {index_dir}",
        shell=True,
        capture_output=True,
        timeout=60,
    )
    assert pipeline.returncode == 0, pipeline.stderr
    assert b"3 added" in pipeline.stderr
    listed = run("search", "wheat OR column OR istanbul", "-l", "--index", index_dir)
    names = sorted(Path(p).name for p in listed.stdout.decode().split())
    assert names == ["grain.txt", "istanbul-talks.txt", "undated.txt"]


def test_nul_separated_paths_from_stdin(corpus: Path, index_dir: Path) -> None:
    odd = corpus / "line\nbreak.txt"
    odd.write_text("Harbour news in an oddly named file.\n", encoding="utf-8")
    paths = b"\0".join([os.fsencode(odd), os.fsencode(corpus / "grain.txt")]) + b"\0"
    result = run("index", "-0", "--from-stdin", "--index", index_dir, stdin=paths)
    assert result.returncode == 0, result.stderr
    assert b"2 added" in result.stderr
    listed = run("search", "harbour", "-l", "-0", "--index", index_dir)
    assert listed.stdout == os.fsencode(odd) + b"\0"


# --- show -------------------------------------------------------------------------------


def test_show_prints_the_whole_article(built_index: Path) -> None:
    result = newsgrep("show", "grain.txt", "--index", built_index, "--color", "never")
    assert result.exit_code == 0
    lines = result.stdout.splitlines()
    assert lines[0] == "Grain exports recover"
    assert lines[1].startswith("2025-04-02 · Wire Service · ")
    assert "https://example.org/grain" in lines
    assert "id grain.txt" in lines
    assert lines[-1].endswith("Wheat and maize prices fell.")


def test_show_by_path_gives_every_article_of_the_file(built_index: Path, corpus: Path) -> None:
    result = newsgrep("show", corpus / "briefs.jsonl", "--json", "--index", built_index)
    records = [json.loads(line) for line in result.stdout.splitlines()]
    assert [r["id"] for r in records] == ["briefs.jsonl#b1", "briefs.jsonl#b2"]
    assert records[0]["body"].startswith("The central bank kept")


def test_show_marks_the_query_words(built_index: Path) -> None:
    result = newsgrep(
        "show", "briefs.jsonl#b1", "--query", "rates", "--json", "--index", built_index
    )
    record = json.loads(result.stdout)
    assert [record["title"][s:e] for s, e in record["title_spans"]] == ["rates"]
    assert [record["body"][s:e] for s, e in record["body_spans"]] == ["rate"]
    coloured = newsgrep("show", "briefs.jsonl#b1", "--query", "rates", "--color", "always",
                        "--index", built_index)  # fmt: skip
    assert "\x1b[1;31mrate\x1b[0m" in coloured.stdout


def test_show_unknown_id_is_an_error(built_index: Path) -> None:
    result = newsgrep("show", "nope.txt", "--index", built_index)
    assert result.exit_code == 2
    assert "no indexed article has the id or path 'nope.txt'" in result.stderr


# --- similar ----------------------------------------------------------------------------


def test_similar_ranks_related_articles_and_leaves_out_the_article(
    tmp_path: Path, index_dir: Path
) -> None:
    files = {
        "a.txt": "Title: Wheat harvest\n\nThe wheat harvest in Kansas was large; prices fell.\n",
        "b.txt": "Title: Wheat exports\n\nWheat exports rose as the wheat harvest ended.\n",
        "c.txt": "Title: Football\n\nThe football final ended in a draw after extra time.\n",
    }
    newsgrep("index", write_corpus(tmp_path / "n", files), "--index", index_dir)
    result = newsgrep("similar", "a.txt", "--format", "{id}", "--index", index_dir)
    assert result.exit_code == 0
    assert result.stdout.splitlines()[0] == "b.txt"
    assert "a.txt" not in result.stdout.splitlines()


def test_similar_json_mode(built_index: Path) -> None:
    result = newsgrep("similar", "istanbul-talks.txt", "--json", "--index", built_index)
    assert all(
        json.loads(line)["id"] != "istanbul-talks.txt" for line in result.stdout.splitlines()
    )


# --- stats and timeline -----------------------------------------------------------------


def test_stats_json(built_index: Path, corpus: Path) -> None:
    result = newsgrep("stats", "--json", "--index", built_index)
    stats = json.loads(result.stdout)
    assert stats["articles"] == 6
    assert (stats["first_date"], stats["last_date"]) == ("2024-11-20", "2025-05-20")
    assert stats["sources"] == [
        {"source": None, "count": 3},
        {"source": "Wire Service", "count": 2},
        {"source": "Daily Planet", "count": 1},
    ]
    assert stats["folders"] == [str(corpus)]
    assert stats["index_bytes"] > 0 and stats["updated"].endswith("Z")
    parts = {part["part"]: part["bytes"] for part in stats["parts"]}
    assert {"postings", "terms", "stored articles", "columns", "manifest"} <= parts.keys()
    assert sum(parts.values()) == stats["index_bytes"]
    assert [part["bytes"] for part in stats["parts"]] == sorted(parts.values(), reverse=True)


def test_stats_human(built_index: Path) -> None:
    result = newsgrep("stats", "--index", built_index)
    assert result.stdout.splitlines()[0] == "articles 6"
    assert "dates    2024-11-20 to 2025-05-20" in result.stdout
    assert "postings" in result.stdout and "stored articles" in result.stdout


def test_stats_by_month_charts_every_month(built_index: Path) -> None:
    result = newsgrep("stats", "--by", "month", "--index", built_index)
    rows = [line.split()[:2] for line in result.stdout.splitlines()]
    assert rows[0] == ["2024-11", "1"] and rows[-2] == ["2025-05", "2"]
    assert ["2025-01", "0"] in rows
    assert rows[-1] == ["(no", "date)"]  # the undated article, last


def test_stats_by_source_json(built_index: Path) -> None:
    result = newsgrep("stats", "--by", "source", "--json", "--index", built_index)
    assert json.loads(result.stdout)["counts"][0] == {"key": None, "count": 3}


def test_timeline_charts_the_matches(built_index: Path) -> None:
    result = newsgrep("search", "istanbul OR grain", "--timeline", "--json", "--index", built_index)
    assert json.loads(result.stdout) == {
        "v": 1,
        "by": "month",
        "counts": [{"key": "2025-04", "count": 1}, {"key": "2025-05", "count": 2}],
    }
    human = newsgrep("search", "istanbul", "--timeline", "--index", built_index)
    assert human.stdout.splitlines() == [
        "2025-05 2 " + "█" * 40,
    ]


# --- explain ----------------------------------------------------------------------------


def test_explain_shows_fields_stems_folding_and_dates_on_stderr(built_index: Path) -> None:
    result = newsgrep(
        "search", "Türkiye talks -mayor", "--since", "2025-05", "--explain", "--json",
        "--index", built_index,
    )  # fmt: skip
    assert json.loads(result.stdout.splitlines()[0])["id"] == "istanbul-talks.txt"
    err = result.stderr
    assert "query: (((title:turkiy OR body:turkiy) OR (title:turkey OR body:turkey))" in err
    assert "Türkiye → turkiy" in err and "talks → talk" in err
    assert "synonyms: türkiye also finds turkey" in err
    assert "dates: from 2025-05-01 to the last (--since/--until)" in err


def test_explain_names_stop_words_and_date_clauses(built_index: Path) -> None:
    result = newsgrep("search", "the talks date:2025-05", "--explain", "-c", "--index", built_index)
    assert "the → (a stop word: ignored)" in result.stderr
    assert "date:[2025-05-01 TO 2025-05-31]" in result.stderr
    assert "dates: from 2025-05-01 to 2025-05-31 (date:)" in result.stderr


# --- hyperlinks and completion ----------------------------------------------------------


def test_hyperlinks_point_titles_at_their_files(built_index: Path, corpus: Path) -> None:
    result = newsgrep(
        "search", "wheat", "--color", "always", "--hyperlinks", "--index", built_index
    )
    assert "\x1b]8;" in result.stdout
    assert (corpus / "grain.txt").as_uri() in result.stdout
    plain = newsgrep("search", "wheat", "--color", "always", "--index", built_index)
    assert "\x1b]8;" not in plain.stdout


def test_hyperlink_detection() -> None:
    from newsgrep.cli.resolve import supports_hyperlinks

    assert supports_hyperlinks({"TERM_PROGRAM": "iTerm.app"})
    assert supports_hyperlinks({"VTE_VERSION": "7200"})
    assert supports_hyperlinks({"TERM": "xterm-kitty"})
    assert not supports_hyperlinks({"TERM": "xterm-256color"})
    assert not supports_hyperlinks({"VTE_VERSION": "4000"})


def test_shell_completion_script_is_offered() -> None:
    result = run("--show-completion", "bash")
    assert result.returncode == 0
    assert b"_newsgrep_completion" in result.stdout


# --- usage errors -----------------------------------------------------------------------


def test_an_unknown_option_is_one_line_naming_the_help(built_index: Path) -> None:
    done = run("search", "--index", built_index, "--limt", "3", "talks")
    lines = done.stderr.decode().splitlines()
    assert done.returncode == 2 and done.stdout == b""
    assert lines == [
        "newsgrep: No such option: --limt (Possible options: --limit, --quiet) "
        "(see: newsgrep search --help)"
    ]


def test_a_word_left_out_unquoted_says_how_to_write_it(built_index: Path) -> None:
    done = run("search", "--index", built_index, "istanbul", "-mayor")
    assert done.returncode == 2
    assert done.stderr.decode().splitlines() == [
        "newsgrep: no such option: -mayor; to leave out a word, quote the query or put it "
        "after --: newsgrep search -- ... -mayor"
    ]
    after_dashes = run("search", "--index", built_index, "-c", "--", "istanbul", "-mayor")
    assert after_dashes.returncode == 0 and after_dashes.stdout == b"1\n"
