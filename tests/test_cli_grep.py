"""The command line as grep users and scripts rely on it (issue 14): exit statuses in every
output mode, exact bytes, options that agree, reaching every article, messages that fit
their cause, and grep's habits (-i, -m, and what -w -C -v -e mean here)."""

from __future__ import annotations

import json
import re
import shlex
import subprocess
import sys
from pathlib import Path

import pytest
from conftest import newsgrep, run, write_corpus

# --- exit statuses ----------------------------------------------------------------------


@pytest.fixture(scope="module")
def many_index(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """An index of 300 long articles: more output than a pipe holds."""
    folder = tmp_path_factory.mktemp("many")
    files = {f"a{i}.txt": f"Harbour story number {i}. " * 40 + "\n" for i in range(300)}
    index_dir = folder / "index"
    assert run("index", write_corpus(folder / "news", files), "--index", index_dir).returncode == 0
    return index_dir


@pytest.mark.parametrize(
    "mode",
    [[], ["--color", "always"], ["--json"], ["-l"], ["--format", "{title} {snippet}"]],
    ids=["human", "colour", "json", "paths", "format"],
)
def test_a_closed_pipe_is_success_in_every_output_mode(many_index: Path, mode: list[str]) -> None:
    options = shlex.join(mode)
    script = (
        f"{sys.executable} -m newsgrep search harbour -n 0 {options} --index {many_index} "
        "| head -c 10 >/dev/null; echo status=${PIPESTATUS[0]}"
    )
    pipeline = subprocess.run(["bash", "-c", script], capture_output=True, timeout=60)
    assert pipeline.stdout.strip() == b"status=0", pipeline.stderr
    assert b"Traceback" not in pipeline.stderr and b"Broken" not in pipeline.stderr


def test_scripts_match_every_word_while_the_human_view_may_relax(built_index: Path) -> None:
    query = ("istanbul", "zzqqxxv")  # no article has the second word
    human = newsgrep("search", *query, "--index", built_index)
    assert human.exit_code == 0 and "most of them" in human.stderr
    for mode in (["-q"], ["-c"], ["-l"], ["-l", "-0"], ["--format", "{id}"], ["--json"]):
        strict = newsgrep("search", *query, *mode, "--index", built_index)
        assert strict.exit_code == 1, mode
        assert strict.stdout in ("", "0\n"), mode
    anyway = newsgrep("search", *query, "-c", "--any", "--index", built_index)
    assert (anyway.exit_code, anyway.stdout) == (0, "2\n")


def test_a_batch_matches_every_word_too(built_index: Path) -> None:
    result = newsgrep("search", "--batch", "--index", built_index, input="istanbul zzqqxxv\n")
    assert (result.exit_code, result.stdout) == (1, "")


# --- exact bytes ------------------------------------------------------------------------


def test_a_template_that_ends_in_an_escape_ends_the_record_itself(built_index: Path) -> None:
    nul = run("search", "istanbul", "--sort", "oldest", "--format", r"{id}\0",
              "--index", built_index)  # fmt: skip
    assert nul.stdout == b"istanbul-talks.txt\0briefs.jsonl#b2\0"
    newline = run("search", "istanbul", "--sort", "oldest", "--format", r"{id}\n",
                  "--index", built_index)  # fmt: skip
    assert newline.stdout == b"istanbul-talks.txt\nbriefs.jsonl#b2\n"
    plain = run("search", "istanbul", "--sort", "oldest", "--format", "{id}",
                "--index", built_index)  # fmt: skip
    assert plain.stdout == b"istanbul-talks.txt\nbriefs.jsonl#b2\n"


def test_forced_colour_into_a_pipe_neither_wraps_nor_pads(tmp_path: Path, index_dir: Path) -> None:
    long = "Harbour " + "cranes and ships and tugs " * 12 + "wait in the harbour.\n"
    newsgrep("index", write_corpus(tmp_path / "long", {"long.txt": long}), "--index", index_dir)
    plain = run("search", "harbour", "--color", "never", "--index", index_dir).stdout.decode()
    coloured = run("search", "harbour", "--color", "always", "--index", index_dir).stdout.decode()
    assert "\x1b[" in coloured
    stripped = re.sub(r"\x1b\[[0-9;]*m", "", coloured)
    assert stripped == plain
    assert all(line == line.rstrip(" ") for line in stripped.splitlines())
    assert max(map(len, stripped.splitlines())) > 200


# --- options that agree -----------------------------------------------------------------


def test_limit_caps_a_count_as_it_caps_the_paths(built_index: Path) -> None:
    assert newsgrep("search", "istanbul", "-c", "-n", "1", "--index", built_index).stdout == "1\n"
    listed = newsgrep("search", "istanbul", "-l", "-n", "1", "--index", built_index).stdout
    assert len(listed.splitlines()) == 1


@pytest.mark.parametrize(
    "options",
    [
        ["--batch", "-l"],
        ["--batch", "-c"],
        ["--batch", "--format", "{id}"],
        ["--batch", "-q"],
        ["--batch", "--timeline"],
        ["--batch", "--explain"],
        ["wheat", "--timeline", "-l"],
        ["wheat", "--timeline", "-c"],
        ["wheat", "--timeline", "--format", "{id}"],
        ["wheat", "--timeline", "-n", "3"],
        ["wheat", "--summary"],
        ["wheat", "-c", "--summary"],
        ["wheat", "--synonyms", "x.txt", "--no-synonyms"],
    ],
)
def test_options_that_cannot_be_honoured_together_are_refused(
    built_index: Path, options: list[str]
) -> None:
    result = newsgrep("search", *options, "--index", built_index, input="wheat\n")
    assert result.exit_code == 2, result.output
    assert result.stdout == ""
    assert result.stderr.count("\n") == 1 and result.stderr.startswith("newsgrep: ")


def test_global_options_may_come_before_the_command(built_index: Path, corpus: Path) -> None:
    found = newsgrep("--index", built_index, "search", "istanbul")
    assert found.exit_code == 0 and "Peace talks open in Istanbul" in found.stdout
    quiet = newsgrep("-q", "--index", built_index, "search", "istanbul")
    assert (quiet.exit_code, quiet.stdout, quiet.stderr) == (0, "", "")
    coloured = newsgrep("--color", "always", "--index", built_index, "search", "wheat")
    assert "\x1b[1;31mWheat" in coloured.stdout
    shown = newsgrep("--index", built_index, "show", "grain.txt", "--json")
    assert json.loads(shown.stdout)["id"] == "grain.txt"
    assert newsgrep("--index", built_index, "stats", "--json").exit_code == 0
    # The command's own option, nearer the value it sets, wins.
    nearer = newsgrep("--index", "/nowhere", "search", "wheat", "--index", built_index)
    assert nearer.exit_code == 0


# --- reaching every article -------------------------------------------------------------


def test_the_human_view_names_the_article_in_a_file_of_many(built_index: Path) -> None:
    result = newsgrep("search", "istanbul", "--color", "never", "--index", built_index)
    assert "id briefs.jsonl#b2" in result.stdout
    assert "id istanbul-talks.txt" not in result.stdout  # a file of one: its path says it


def test_show_prints_what_it_can_and_reports_the_rest(built_index: Path) -> None:
    result = newsgrep("show", "grain.txt", "nope.txt", "--json", "--index", built_index)
    assert result.exit_code == 2
    assert [json.loads(line)["id"] for line in result.stdout.splitlines()] == ["grain.txt"]
    assert result.stderr == (
        "newsgrep: no indexed article has the id or path 'nope.txt' — "
        "ids are shown by: newsgrep search --format '{id}' QUERY\n"
    )
    human = newsgrep("show", "nope.txt", "grain.txt", "--color", "never", "--index", built_index)
    assert human.exit_code == 2 and "Grain exports recover" in human.stdout


# --- messages that fit the cause --------------------------------------------------------


@pytest.mark.parametrize("query", [["NOT", "ukraine"], ["--", "-ukraine"], ["NOT istanbul"]])
def test_a_query_that_only_leaves_words_out_says_so(built_index: Path, query: list[str]) -> None:
    result = newsgrep("search", "--index", built_index, *query)
    assert result.exit_code == 2
    assert "only leaves words out" in result.stderr and "'the'" not in result.stderr


def test_an_empty_field_hints_at_a_value_of_its_kind(built_index: Path) -> None:
    dated = newsgrep("search", "talks date:", "--index", built_index)
    assert dated.exit_code == 2 and "date:2025-05" in dated.stderr
    titled = newsgrep("search", "talks title:", "--index", built_index)
    assert titled.exit_code == 2 and "title:word" in titled.stderr
    quoted = newsgrep("search", 'talks title:""', "--index", built_index)
    assert quoted.exit_code == 2 and "'title:' has no value" in quoted.stderr


def test_an_unclosed_quote_or_bracket_is_closed_at_the_end_with_a_note(built_index: Path) -> None:
    phrase = newsgrep("search", '"talks open', "--format", "{id}", "--index", built_index)
    assert (phrase.exit_code, phrase.stdout) == (0, "istanbul-talks.txt\n")
    assert 'read as "talks open"' in phrase.stderr
    phrase_miss = newsgrep("search", '"open talks', "-c", "--index", built_index)
    assert phrase_miss.stdout == "0\n"  # a phrase, not two words
    bracket = newsgrep("search", "(wheat OR floods", "-c", "--index", built_index)
    assert bracket.stdout == "2\n" and "read as (wheat OR floods)" in bracket.stderr
    extra = newsgrep("search", "wheat)", "-c", "--index", built_index)
    assert extra.stdout == "1\n" and "')'" in extra.stderr


# --- grep's habits ----------------------------------------------------------------------


def test_i_is_accepted_and_m_is_the_limit(built_index: Path) -> None:
    assert newsgrep("search", "-i", "ISTANBUL", "-c", "--index", built_index).stdout == "2\n"
    assert newsgrep("search", "istanbul", "-m", "1", "-c", "--index", built_index).stdout == "1\n"
    help_text = " ".join(newsgrep("search", "--help").stdout.split())
    assert "already case-insensitive" in help_text


@pytest.mark.parametrize(
    ("option", "names"),
    [
        (["-w"], "whole words"),
        (["-C", "2"], "--snippets"),
        (["-A", "2"], "--snippets"),
        (["-v"], "NOT word"),
        (["-e", "kyiv"], "OR"),
    ],
)
def test_other_grep_options_are_refused_with_the_newsgrep_way(
    built_index: Path, option: list[str], names: str
) -> None:
    result = run("search", *option, "istanbul", "--index", built_index)
    assert result.returncode == 2 and result.stdout == b""
    stderr = result.stderr.decode()
    assert names in stderr and stderr.count("\n") == 1 and f"{option[0]} is grep's" in stderr


@pytest.mark.parametrize("word", ["-mayor", "-election", "-vaccine", "-ceasefire"])
def test_a_word_after_a_minus_still_says_how_to_leave_it_out(built_index: Path, word: str) -> None:
    result = run("search", "istanbul", word, "--index", built_index)
    assert result.returncode == 2
    assert f"no such option: {word}; to leave out a word, quote the query" in (
        result.stderr.decode()
    )


# --- the pager --------------------------------------------------------------------------


def _on_a_terminal(args: list[str], env: dict[str, str], rows: int) -> str:
    """Run newsgrep with stdout on a pseudo-terminal of `rows` rows; what it showed there."""
    import fcntl
    import os
    import pty
    import struct
    import termios

    leader, follower = pty.openpty()
    fcntl.ioctl(follower, termios.TIOCSWINSZ, struct.pack("HHHH", rows, 100, 0, 0))
    process = subprocess.Popen(
        [sys.executable, "-m", "newsgrep", *args],
        stdout=follower,
        stderr=subprocess.DEVNULL,
        env={**os.environ, **env},
    )
    os.close(follower)
    shown = b""
    while True:
        try:
            chunk = os.read(leader, 65536)
        except OSError:  # the other end closed
            break
        if not chunk:
            break
        shown += chunk
    process.wait(timeout=60)
    os.close(leader)
    return re.sub(r"\x1b\[[0-9;]*m", "", shown.decode("utf-8", "replace"))


def test_long_output_on_a_terminal_goes_through_the_pager(
    built_index: Path, tmp_path: Path
) -> None:
    paged = tmp_path / "paged.txt"
    env = {"PAGER": f"cat > {paged}", "COLUMNS": "100", "LINES": "5"}
    args = ["search", "istanbul OR grain OR floods", "--index", str(built_index)]
    shown = _on_a_terminal(args, env, rows=5)
    text = re.sub(r"\x1b\[[0-9;]*m", "", paged.read_text(encoding="utf-8"))
    assert "Grain exports recover" in text and "\x1b[" in paged.read_text(encoding="utf-8")
    assert "Grain exports recover" not in shown
    paged.unlink()
    direct = _on_a_terminal([*args, "--no-pager"], env, rows=5)
    assert "Grain exports recover" in direct and not paged.exists()
    short = _on_a_terminal(args, {**env, "LINES": "200"}, rows=200)
    assert "Grain exports recover" in short and not paged.exists()
    into_pipe = run(*args, "--index", built_index)  # stdout is a pipe: never a pager
    assert b"Grain exports recover" in into_pipe.stdout and not paged.exists()
