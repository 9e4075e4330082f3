"""Property tests: whatever a user types or a folder holds, newsgrep answers without a
traceback.

- Queries: any text, and text built from the query language's own pieces (quotes, brackets,
  AND/OR/NOT, fields, `*`, `~`, dates, control and bidi characters, bytes that are not
  UTF-8), through every output mode: exit 0, 1 or 2; on 2 exactly one `newsgrep: ` line on
  stderr and nothing on stdout; JSON Lines that parse.
- Article files: random bytes, random JSON, random front matter and random dates, under
  every suffix: indexing exits 0, every file is either indexed (its articles can be shown)
  or listed as skipped with a reason, and a good file beside them is always indexed.
- Text: any article text comes back exactly (as read) in JSON and inert in human output.

Most examples run the CLI in this process; a few run it as a real process. The number of
examples comes from the Hypothesis profile (tests/conftest.py): `ci` by default,
`HYPOTHESIS_PROFILE=thorough` for a long run.
"""

from __future__ import annotations

import datetime as dt
import gzip
import json
import re
import tempfile
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path
from typing import Any

import pytest
import yaml
from conftest import examples, newsgrep, run, write_corpus
from hypothesis import event, given, settings
from hypothesis import strategies as st

from newsgrep.formats import ArticleFileError, parse_article_file
from newsgrep.formats.common import clean_text

# --- checks shared by every example -------------------------------------------------------

# What must never reach a terminal raw: C0 controls but tab and newline, DEL, C1 controls
# (CSI 0x9b, OSC 0x9d), bidi overrides and isolates, and lone surrogates.
UNSAFE = re.compile(
    r"[\x00-\x08\x0b-\x1f\x7f-\x9f\u061c\u200e\u200f\u202a-\u202e\u2066-\u2069\ud800-\udfff]"
)


def invoke(*args: str | Path, input: str | bytes | None = None) -> Any:
    """The CLI in this process; an exception that escaped fails the test with its traceback
    (the runner would report it as exit 1)."""
    result = newsgrep(*args, input=input)  # type: ignore[arg-type]
    if result.exception is not None and not isinstance(result.exception, SystemExit):
        raise AssertionError(f"newsgrep {args!r} raised") from result.exception
    return result


def check_outcome(result: Any, *, json_lines: bool = False) -> None:
    """Exit 0, 1 or 2; an error is one line on stderr and nothing on stdout."""
    assert result.exit_code in (0, 1, 2), (result.exit_code, result.stderr)
    assert "Traceback" not in result.stderr
    if result.exit_code == 2:
        assert result.stdout_bytes == b""
        assert re.fullmatch(r"newsgrep: [^\n]+\n", result.stderr), result.stderr
    if json_lines:
        for line in result.stdout_bytes.decode("utf-8").splitlines():
            assert json.loads(line)["v"] == 1


# --- queries ------------------------------------------------------------------------------

WORDS = ["istanbul", "talks", "Türkiye", "grain", "wheat", "zeppelin", "the", "of", "rates"]
FIELDS = ["title:", "body:", "source:", "tags:", "url:", "id:", "date:", "auther:", "TITLE:"]
PIECES = [
    "AND", "OR", "NOT", "ANDNOT", "ANDMAYBE", "TO", "-", "+", "(", ")", '"', "'", "*", "?",
    "~", "~2", "~9", "^2", "^", "[", "]", "{", "}", ":", "\\", "/", "!", "&&", "||", "<", ">",
    "date:>", "date:<=", "date:[", " TO ", "date:{", "#", "…", "U.S.",
]  # fmt: skip
DATES = [
    "2025", "2025-05", "2025-05-15", "2025-13-45", "0000-00-00", "9999-12-31", "7d", "99999y",
    "today", "yesterday", "May 15, 2025", "15.05.2025", "-1d", "1e9", "2025-05-15T25:61",
]  # fmt: skip
# Characters a terminal or parser may choke on: controls, escapes, bidi, odd spaces, and the
# lone surrogates that stand for argv bytes that are not UTF-8.
ODD_CHARACTERS = st.one_of(
    st.characters(categories=["Cc", "Cf", "Zs", "Zl", "Zp", "Mn"]),
    st.sampled_from(["\x1b[31m", "\x1b]8;;http://x\x07", "\u202e", "\ufeff", "[bold]", "\x9b"]),
    st.characters(min_codepoint=0xDC80, max_codepoint=0xDCFF),
)
TOKENS = st.one_of(
    st.sampled_from(WORDS),
    st.sampled_from(PIECES),
    st.builds(lambda f, w: f + w, st.sampled_from(FIELDS), st.sampled_from(WORDS + DATES)),
    st.sampled_from(DATES),
    st.text(max_size=6),
    ODD_CHARACTERS,
)
SEPARATORS = st.sampled_from([" ", " ", " ", "", "\t", "  "])
QUERY_LANGUAGE = st.lists(st.tuples(TOKENS, SEPARATORS), min_size=1, max_size=10).map(
    lambda parts: "".join(token + separator for token, separator in parts)
)
QUERIES = st.one_of(st.text(max_size=40), QUERY_LANGUAGE)
DATE_BOUNDS = st.one_of(st.none(), st.sampled_from(DATES), st.text(max_size=12))

# Every output mode; the flag is the first item of each.
MODES = [
    [],
    ["--json"],
    ["--json", "--summary", "--sort", "newest"],
    ["-l"],
    ["-l0"],
    ["-c"],
    ["-q"],
    ["--explain"],
    ["--format", "{rank}\\t{id}\\t{title}\\t{snippet}"],
    ["--timeline"],
    ["--timeline", "--json"],
    ["--any", "--color", "always", "--snippets", "3"],
    ["--all", "--sort", "oldest", "-n", "0"],
]


@pytest.fixture(scope="module")
def index(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """An index of the shared corpus, built once for every query example."""
    folder = tmp_path_factory.mktemp("properties")
    news = write_corpus(folder / "news")
    assert newsgrep("index", news, "--index", folder / "index").exit_code == 0
    return folder / "index"


@settings(max_examples=examples(3))
@given(
    query=QUERIES,
    mode=st.sampled_from(MODES),
    since=DATE_BOUNDS,
    until=DATE_BOUNDS,
)
def test_any_query_in_any_mode_ends_cleanly(
    index: Path, query: str, mode: list[str], since: str | None, until: str | None
) -> None:
    bounds = [*(["--since", since] if since is not None else [])]
    bounds += ["--until", until] if until is not None else []
    result = invoke("search", "--index", index, *mode, *bounds, "--", query)

    check_outcome(result, json_lines="--json" in mode)
    if result.exit_code == 0 and mode in ([], ["--explain"]):
        assert not UNSAFE.search(result.stdout)  # not a tty: no styles either


@settings(max_examples=examples(1))
@given(lines=st.lists(QUERIES, min_size=1, max_size=5))
def test_any_batch_of_queries_answers_every_line(index: Path, lines: list[str]) -> None:
    # A line of stdin cannot hold a line break; bytes that are not UTF-8 come from a pipe.
    text = "\n".join(re.sub(r"[\n\r\x85\u2028\u2029\x0b\x0c\x1c-\x1e]", " ", x) for x in lines)
    data = text.encode("utf-8", "surrogateescape")
    result = invoke("search", "--batch", "--summary", "--index", index, input=data)

    assert result.exit_code in (0, 1, 2) and "Traceback" not in result.stderr
    records = [json.loads(line) for line in result.stdout_bytes.decode("utf-8").splitlines()]
    errors = {r["line"] for r in records if "error" in r}
    summaries = {r["line"] for r in records if r.get("type") == "summary"}
    asked = {n for n, line in enumerate(text.split("\n"), start=1) if line.strip()}
    assert errors | summaries == asked and not errors & summaries
    assert (result.exit_code == 2) == bool(errors)


@settings(max_examples=examples(1))
@given(target=QUERIES, command=st.sampled_from(["show", "similar"]), as_json=st.booleans())
def test_any_article_id_or_path_ends_cleanly(
    index: Path, target: str, command: str, as_json: bool
) -> None:
    result = invoke(command, "--index", index, *(["--json"] if as_json else []), "--", target)
    check_outcome(result, json_lines=as_json)


@settings(max_examples=examples(0.1))
@given(query=QUERIES.filter(lambda q: "\x00" not in q), mode=st.sampled_from(MODES))
def test_any_query_in_a_real_process_ends_cleanly(index: Path, query: str, mode: list[str]) -> None:
    # argv carries bytes: lone surrogates go out as the bytes they stand for.
    done = run("search", "--index", index, *mode, "--", query)

    assert done.returncode in (0, 1, 2) and b"Traceback" not in done.stderr, done.stderr
    if done.returncode == 2:
        assert re.fullmatch(rb"newsgrep: [^\n]+\n", done.stderr) and done.stdout == b""
    if "--json" in mode:
        for line in done.stdout.decode("utf-8").splitlines():
            assert json.loads(line)["v"] == 1


# --- article files ------------------------------------------------------------------------

SUFFIXES = [".txt", ".md", ".markdown", ".json", ".jsonl", ".ndjson"]
OFFSETS = (-12, -5, 0, 5, 14)
KEYS = ["title", "date", "body", "text", "content", "source", "url", "id", "tags", "Title"]
JSON_VALUES = st.recursive(
    st.none() | st.booleans() | st.integers() | st.floats() | st.text(max_size=30),
    lambda inner: (
        st.lists(inner, max_size=4)
        | st.dictionaries(st.sampled_from(KEYS) | st.text(max_size=8), inner, max_size=5)
    ),
    max_leaves=12,
)
ARTICLE_OBJECTS = st.dictionaries(
    st.sampled_from(KEYS),
    st.one_of(st.text(max_size=40), st.sampled_from(DATES), JSON_VALUES),
    max_size=6,
)
# YAML reads timestamps as dates and datetimes, with or without an offset.
ZONES = st.sampled_from([dt.timezone(dt.timedelta(hours=h)) for h in OFFSETS])
EDGES = st.sampled_from([dt.datetime(9999, 12, 31, 23), dt.datetime(1, 1, 1, 1)])
TIMESTAMPS = st.one_of(
    st.dates(),
    st.datetimes(),
    st.datetimes(timezones=ZONES),
    st.builds(lambda edge, zone: edge.replace(tzinfo=zone), EDGES, ZONES),  # the calendar's ends
)
YAML_VALUES = st.recursive(
    st.none()
    | st.booleans()
    | st.integers()
    | st.text(max_size=20)
    | st.sampled_from(DATES)
    | TIMESTAMPS,
    lambda inner: st.lists(inner, max_size=3) | st.dictionaries(st.text(max_size=6), inner),
    max_leaves=8,
)


FRONT_MATTER = st.fixed_dictionaries(
    {},
    optional={
        "title": YAML_VALUES,
        "date": st.one_of(TIMESTAMPS, YAML_VALUES),
        "tags": YAML_VALUES,
        "source": YAML_VALUES,
        "url": YAML_VALUES,
        "Other": YAML_VALUES,
    },
)


def _json_file(value: Any, ascii_only: bool) -> bytes:
    return json.dumps(value, ensure_ascii=ascii_only).encode("utf-8", "surrogatepass")


def _jsonl_file(values: list[Any]) -> bytes:
    return b"\n".join(_json_file(value, True) for value in values) + b"\n"


def _markdown(front: Any, raw_front: str, use_raw: bool, body: str) -> bytes:
    matter = raw_front if use_raw else yaml.safe_dump(front, allow_unicode=True)
    return f"---\n{matter}\n---\n{body}".encode("utf-8", "surrogatepass")


def _txt(date: str, header: dict[str, str], body: str) -> bytes:
    lines = [f"{key.capitalize()}: {value}" for key, value in header.items()]
    return (f"date {date}\n" + "\n".join(lines) + "\n\n" + body).encode("utf-8", "replace")


FILE_BYTES = st.one_of(
    st.binary(max_size=300),
    st.builds(_json_file, st.one_of(JSON_VALUES, ARTICLE_OBJECTS), st.booleans()),
    st.builds(_jsonl_file, st.lists(st.one_of(ARTICLE_OBJECTS, JSON_VALUES), max_size=4)),
    st.builds(
        _markdown,
        FRONT_MATTER,
        st.text(max_size=60),
        st.booleans(),
        st.text(max_size=60),
    ),
    st.builds(
        _txt,
        st.sampled_from(DATES) | st.text(max_size=12),
        st.dictionaries(st.sampled_from(["title", "date", "source", "url", "tags"]), st.text()),
        st.text(max_size=80),
    ),
    st.text(max_size=200).map(lambda text: text.encode("utf-8", "surrogatepass")),
)
ARTICLE_FILES = st.dictionaries(
    st.builds(lambda n, s: f"f{n}{s}", st.integers(0, 9), st.sampled_from(SUFFIXES)),
    FILE_BYTES,
    min_size=1,
    max_size=4,
)


@settings(max_examples=examples(8))
@given(name_suffix=st.sampled_from(SUFFIXES), data=FILE_BYTES)
def test_any_file_gives_articles_or_one_reason(name_suffix: str, data: bytes) -> None:
    check_articles_or_one_reason("article" + name_suffix, data)


def check_articles_or_one_reason(name: str, data: bytes) -> None:
    name_suffix = name[name.find(".") :]
    try:
        parsed = parse_article_file(name, data)
    except ArticleFileError as error:
        assert str(error) and "\n" not in str(error)
        event(f"skipped: {str(error).split(':')[0].split('(')[0].strip()}")
        return
    event(f"{name_suffix}: {len(parsed.articles)} article(s)" if parsed.articles else "?")
    assert parsed.articles
    for article in parsed.articles:
        for text in (article.title, article.body, article.source or "", *article.tags):
            text.encode("utf-8")  # what an index can hold: no lone surrogates
            assert "\x00" not in text
    for skipped in parsed.skipped:
        assert skipped.reason and "\n" not in skipped.reason


WEB_SUFFIXES = [".html", ".rss", ".atom", ".xml", ".eml", ".mbox", ".warc", ".txt.gz", ".html.gz"]
_MARKUP = st.sampled_from(
    [
        "<html>", "<head>", "<title>", "</title>", "<meta charset='koi8-r'>", "<body>", "<p>",
        "</p>", "<script>", "<![CDATA[", "]]>", "<rss version='2.0'>", "<channel>", "<item>",
        "</item>", "<feed xmlns='http://www.w3.org/2005/Atom'>", "<entry>", "&amp;", "&#0;",
        "Subject: ", "From x Thu May 15 08:00:00 2025\n", "From: a@b\n", "\n\n",
        "Content-Type: text/html; charset=x\n", "WARC/1.0\r\n", "WARC-Type: response\r\n",
        "<?xml version='1.0' encoding='utf-16'?>", '<script type="application/ld+json">{',
    ]
)  # fmt: skip
WEB_BYTES = st.lists(_MARKUP | st.text(max_size=20), max_size=25).map(
    lambda parts: "".join(parts).encode("utf-8", "surrogatepass")
) | st.binary(max_size=200)


@settings(max_examples=examples(6))
@given(suffix=st.sampled_from(WEB_SUFFIXES), data=WEB_BYTES)
def test_any_page_feed_message_or_archive_gives_articles_or_one_reason(
    suffix: str, data: bytes
) -> None:
    if suffix.endswith(".gz"):
        data = gzip.compress(data)
    check_articles_or_one_reason("article" + suffix, data)


@contextmanager
def folder_of(files: dict[str, bytes]) -> Iterator[tuple[Path, Path]]:
    """A fresh folder holding `files` and a good article, and an index path beside it."""
    with tempfile.TemporaryDirectory() as temp:
        news = Path(temp, "news")
        news.mkdir()
        (news / "good.txt").write_text("Zeppelin\n\nA good article about a zeppelin.\n")
        for name, data in files.items():
            (news / name).write_bytes(data)
        yield news, Path(temp, "index")


@settings(max_examples=examples(0.75))
@given(files=ARTICLE_FILES)
def test_any_folder_indexes_every_file_or_says_why_not(files: dict[str, bytes]) -> None:
    with folder_of(files) as (news, index):
        result = invoke("index", news, "-v", "--index", index)

        assert result.exit_code == 0 and "Traceback" not in result.stderr, result.stderr
        indexed = 0
        for name in ["good.txt", *files]:
            shown = invoke("show", news / name, "--json", "--index", index)
            check_outcome(shown, json_lines=True)
            event("indexed" if shown.exit_code == 0 else "skipped")
            if shown.exit_code == 0:
                indexed += 1
                assert shown.stdout.count("\n") >= 1
            else:
                reason = re.search(rf"  skipped {re.escape(str(news / name))}: (.+)", result.stderr)
                assert reason and reason.group(1).strip(), (name, result.stderr)
        assert name != "good.txt" or indexed  # the good file is always found
        assert f"{indexed} added, 0 updated, 0 removed" in result.stderr
        assert invoke("show", "good.txt", "--index", index).exit_code == 0


# --- any text: exact in JSON, inert on a terminal ------------------------------------------

HOSTILE_PIECES = st.sampled_from(
    [
        "\x00", "\x1b[2J", "\x1b[31mred\x1b[0m", "\x1b]0;title\x07", "\x1b]8;;http://evil\x1b\\",
        "\x9b31m", "\x9d0;x\x9c", "[bold]", "[/bold]", "[link=http://evil]click[/link]", "[/]",
        "\u202e", "\u2066", "\u200f", "\u061c", "\ud800", "\udfff", "\udce9", "\r\n", "\r",
        "\t", "\x7f", "\x08", "\u2028", "\ufeff", "\\", "%s", "{title}",
    ]
)  # fmt: skip
TEXTS = st.lists(st.one_of(st.text(max_size=15), HOSTILE_PIECES), max_size=8).map("".join)
RICH_STYLES = re.compile(r"\x1b\[[0-9;]*m")  # the only escapes newsgrep itself writes here


def as_read(text: str) -> str:
    """An article's text as newsgrep reads it (docs/json.md): line ends made \\n, NULs
    dropped, a lone surrogate made U+FFFD, and the ends stripped."""
    return clean_text(text).strip()


@settings(max_examples=examples(0.5))
@given(title=TEXTS, before=TEXTS, after=TEXTS)
def test_any_text_round_trips_in_json_and_is_inert_on_a_terminal(
    title: str, before: str, after: str
) -> None:
    title, body = "Report " + title, f"{before} zeppelin {after}"
    files = {"a.json": json.dumps({"title": title, "body": body}).encode("ascii")}
    with folder_of(files) as (news, index):
        invoke("index", news, "--index", index)
        article = json.loads(invoke("show", news / "a.json", "--json", "--index", index).stdout)
        assert article["body"] == as_read(body)
        assert article["title"] == " ".join(as_read(title).split())

        found = invoke("search", "zeppelin", "--json", "-n", "0", "--index", index)
        hits = [json.loads(line) for line in found.stdout.splitlines()]
        mine = next(hit for hit in hits if hit["id"] == "a.json")
        assert mine["title"] == article["title"]
        snippet = mine["snippets"][0]
        assert " ".join(snippet["text"].split()) in " ".join(article["body"].split())

        for args in (["show", news / "a.json"], ["search", "zeppelin", "--snippets", "3"]):
            shown = invoke(*args, "--color", "always", "--no-hyperlinks", "--index", index)
            assert not UNSAFE.search(RICH_STYLES.sub("", shown.stdout)), shown.stdout
        plain = invoke("show", news / "a.json", "--color", "never", "--index", index).stdout
        for markup in ("[bold]", "[link=http://evil]click[/link]"):
            if markup in article["body"]:
                assert markup in plain  # shown as written, not applied
