"""The command line end to end: in-process with CliRunner, and as a real subprocess."""

from __future__ import annotations

import json
import os
import subprocess
import sys
from pathlib import Path

from conftest import SEEDS, newsgrep, run, write_corpus

from newsgrep import __version__
from newsgrep.cli import app

# --- index ------------------------------------------------------------------------------


def test_index_then_search_finds_the_sample_article(index_dir: Path) -> None:
    indexed = newsgrep("index", SEEDS, "--index", index_dir)
    assert indexed.exit_code == 0, indexed.output
    assert indexed.stdout == ""
    assert "1 added, 0 updated, 0 removed, 0 unchanged, 0 skipped" in indexed.stderr
    found = newsgrep("search", "turkiye", "talks", "--index", index_dir)
    assert found.exit_code == 0
    assert "Top officials from Russia and Ukraine" in found.stdout
    assert "Türkiye" in found.stdout
    assert "1 match" in found.stderr


def test_bare_index_refreshes_the_remembered_folders(corpus: Path, index_dir: Path) -> None:
    assert newsgrep("index", corpus, "--index", index_dir).exit_code == 0
    (corpus / "new.txt").write_text("Zeppelin lands in the harbour.\n", encoding="utf-8")
    (corpus / "grain.txt").unlink()
    refreshed = newsgrep("index", "--index", index_dir)
    assert refreshed.exit_code == 0
    assert "1 added, 0 updated, 1 removed, 4 unchanged, 0 skipped" in refreshed.stderr


def test_index_uses_the_environment_variable(corpus: Path, tmp_path: Path, monkeypatch) -> None:  # type: ignore[no-untyped-def]
    monkeypatch.setenv("NEWSGREP_INDEX", str(tmp_path / "from-env"))
    assert newsgrep("index", corpus).exit_code == 0
    assert (tmp_path / "from-env" / "newsgrep.json").is_file()
    assert newsgrep("search", "wheat").exit_code == 0


def test_index_summary_names_skipped_files(corpus: Path, index_dir: Path) -> None:
    (corpus / "broken.json").write_text("{not json", encoding="utf-8")
    (corpus / "blob.txt").write_bytes(b"\x00\x01\x02binary")
    result = newsgrep("index", corpus, "--index", index_dir)
    assert result.exit_code == 0
    assert "2 skipped" in result.stderr
    assert "broken.json: invalid JSON" in result.stderr
    assert "blob.txt: binary file" in result.stderr


def test_index_quiet_prints_nothing(corpus: Path, index_dir: Path) -> None:
    result = newsgrep("index", corpus, "--index", index_dir, "--quiet")
    assert result.exit_code == 0 and result.output == ""


def test_index_missing_path_is_an_error(tmp_path: Path, index_dir: Path) -> None:
    result = newsgrep("index", tmp_path / "nope", "--index", index_dir)
    assert result.exit_code == 2
    assert result.stderr.startswith("newsgrep: no such file or folder:")
    assert result.stdout == ""


def test_bare_index_with_nothing_remembered_says_what_to_do(index_dir: Path) -> None:
    result = newsgrep("index", "--index", index_dir)
    assert result.exit_code == 2
    assert "nothing to index" in result.stderr and "newsgrep index seeds/" in result.stderr


def test_rebuild_starts_from_empty(corpus: Path, index_dir: Path) -> None:
    newsgrep("index", corpus, "--index", index_dir)
    rebuilt = newsgrep("index", "--rebuild", "--index", index_dir)
    assert rebuilt.exit_code == 0
    assert "5 added, 0 updated, 0 removed, 0 unchanged" in rebuilt.stderr
    assert "6 articles in the index" in rebuilt.stderr


# --- search -----------------------------------------------------------------------------


def test_search_exit_codes_follow_grep(built_index: Path) -> None:
    assert newsgrep("search", "istanbul", "--index", built_index).exit_code == 0
    no_match = newsgrep("search", "zeppelin", "--index", built_index)
    assert no_match.exit_code == 1 and no_match.stdout == ""
    bad = newsgrep("search", "date:2025-13", "--index", built_index)
    assert bad.exit_code == 2 and bad.stdout == ""
    assert bad.stderr.count("\n") == 1


def test_missing_index_error_has_a_hint(tmp_path: Path) -> None:
    result = newsgrep("search", "istanbul", "--index", tmp_path / "none")
    assert result.exit_code == 2
    none = tmp_path / "none"
    assert result.stderr == (
        f"newsgrep: no index at {none} (--index or NEWSGREP_INDEX) — run: newsgrep index "
        f"--index {none} FOLDER, with the articles' folder\n"
    )


def test_stop_words_only_query_says_so(built_index: Path) -> None:
    result = newsgrep("search", "the", "--index", built_index)
    assert result.exit_code == 2
    assert "no words to search for" in result.stderr


def test_json_lines_output(built_index: Path) -> None:
    result = newsgrep("search", "istanbul", "--json", "--index", built_index)
    assert result.exit_code == 0
    records = [json.loads(line) for line in result.stdout.splitlines()]
    assert [r["rank"] for r in records] == [1, 2]
    assert {r["id"] for r in records} == {"istanbul-talks.txt", "briefs.jsonl#b2"}
    assert set(records[0]) >= {"id", "path", "title", "date", "source", "url", "score", "rank"}
    assert result.stderr == ""


def test_files_with_matches_and_null(built_index: Path) -> None:
    listed = newsgrep("search", "istanbul OR grain", "-l", "--index", built_index)
    assert listed.exit_code == 0
    paths = listed.stdout.splitlines()
    assert len(paths) == len(set(paths)) == 3
    assert all(Path(p).name in {"istanbul-talks.txt", "briefs.jsonl", "grain.txt"} for p in paths)
    nul = newsgrep("search", "istanbul OR grain", "-l", "-0", "--index", built_index)
    assert nul.stdout.split("\0")[:-1] == paths and nul.stdout.endswith("\0")


def test_count(built_index: Path) -> None:
    result = newsgrep("search", "istanbul", "-c", "--index", built_index)
    assert (result.exit_code, result.stdout) == (0, "2\n")
    none = newsgrep("search", "zeppelin", "-c", "--index", built_index)
    assert (none.exit_code, none.stdout) == (1, "0\n")


def test_count_ignores_the_default_limit(tmp_path: Path, index_dir: Path) -> None:
    files = {f"a{i}.txt": f"Harbour story number {i}.\n" for i in range(15)}
    newsgrep("index", write_corpus(tmp_path / "many", files), "--index", index_dir)
    assert newsgrep("search", "harbour", "-c", "--index", index_dir).stdout == "15\n"
    assert len(newsgrep("search", "harbour", "-l", "--index", index_dir).stdout.split()) == 15
    human = newsgrep("search", "harbour", "--index", index_dir)
    assert "15 matches, showing 1–10" in human.stderr
    everything = newsgrep("search", "harbour", "--json", "-n", "0", "--index", index_dir)
    assert len(everything.stdout.splitlines()) == 15


def test_output_modes_are_exclusive(built_index: Path) -> None:
    result = newsgrep("search", "istanbul", "--json", "-c", "--index", built_index)
    assert result.exit_code == 2 and "one output mode" in result.stderr


def test_sort_since_and_limit_options(built_index: Path) -> None:
    result = newsgrep(
        "search",
        "istanbul",
        "--sort",
        "oldest",
        "--since",
        "2025-05",
        "-n",
        "1",
        "--json",
        "--index",
        built_index,
    )
    (record,) = [json.loads(line) for line in result.stdout.splitlines()]
    assert record["id"] == "istanbul-talks.txt" and record["score"] is None


def test_bad_since_is_exit_2(built_index: Path) -> None:
    result = newsgrep("search", "istanbul", "--since", "someday", "--index", built_index)
    assert result.exit_code == 2 and "cannot read 'someday' as a date" in result.stderr


def test_usage_error_is_exit_2(built_index: Path) -> None:
    assert newsgrep("search", "x", "--sort", "sideways").exit_code == 2
    assert newsgrep("search").exit_code == 2


def test_color_never_and_always(built_index: Path) -> None:
    plain = newsgrep("search", "wheat", "--color", "never", "--index", built_index)
    assert "\x1b[" not in plain.stdout
    coloured = newsgrep("search", "wheat", "--color", "always", "--index", built_index)
    assert "\x1b[1;31mWheat\x1b[0m" in coloured.stdout


def test_no_color_is_honoured_by_auto_but_not_by_always(built_index: Path, monkeypatch) -> None:  # type: ignore[no-untyped-def]
    monkeypatch.setenv("NO_COLOR", "1")
    monkeypatch.setenv("FORCE_COLOR", "1")
    auto = newsgrep("search", "wheat", "--index", built_index)
    assert "31m" not in auto.stdout and "36m" not in auto.stdout  # bold, but no colour
    forced = newsgrep("search", "wheat", "--color", "always", "--index", built_index)
    assert "\x1b[1;31mWheat" in forced.stdout


def test_hostile_article_text_cannot_style_the_terminal(tmp_path: Path, index_dir: Path) -> None:
    files = {
        "evil.txt": "Title: [bold red]Owned[/] \x1b[2J\n\nHarbour news \x1b]0;pwned\x07 here.\n"
    }
    newsgrep("index", write_corpus(tmp_path / "evil", files), "--index", index_dir)
    result = newsgrep("search", "harbour", "--color", "always", "--index", index_dir)
    assert "[bold red]Owned[/]" in result.stdout
    assert "\x1b[2J" not in result.stdout and "\x1b]0;" not in result.stdout
    as_json = newsgrep("search", "harbour", "--json", "--index", index_dir)
    assert json.loads(as_json.stdout)["title"] == "[bold red]Owned[/] \x1b[2J"


def test_version() -> None:
    result = newsgrep("--version")
    assert (result.exit_code, result.stdout) == (0, f"newsgrep {__version__}\n")


def test_every_command_and_option_has_help() -> None:
    import typer.main

    group = typer.main.get_command(app)
    for name, command in group.commands.items():  # type: ignore[attr-defined]
        assert command.help, f"{name} has no help"
        assert "Example" in command.help, f"{name} help has no example"
        for param in command.params:
            if param.param_type_name == "option" and param.name != "help":
                assert param.help, f"{name} {param.name} has no help"


# --- as a real process ------------------------------------------------------------------


def test_subprocess_index_search_json_and_exit_codes(corpus: Path, index_dir: Path) -> None:
    indexed = run("index", corpus, "--index", index_dir)
    assert indexed.returncode == 0, indexed.stderr
    assert indexed.stdout == b""
    found = run("search", "istanbul", "--json", "--index", index_dir)
    assert found.returncode == 0
    assert len(found.stdout.decode().splitlines()) == 2
    assert run("search", "zeppelin", "--index", index_dir).returncode == 1
    assert run("search", "--index", index_dir).returncode == 2


def test_paths_are_relative_to_the_working_folder(corpus: Path, index_dir: Path) -> None:
    run("index", corpus, "--index", index_dir)
    listed = run("search", "wheat", "-l", "--index", index_dir, cwd=corpus.parent)
    assert listed.stdout == b"news/grain.txt\n"


def test_piping_into_head_exits_quietly(tmp_path: Path, index_dir: Path) -> None:
    files = {f"a{i}.txt": f"Harbour story number {i}. " * 40 + "\n" for i in range(300)}
    run("index", write_corpus(tmp_path / "many", files), "--index", index_dir)
    pipeline = subprocess.run(
        f"{sys.executable} -m newsgrep search harbour -n 0 --index {index_dir} | head -1",
        shell=True,
        capture_output=True,
        timeout=60,
    )
    assert pipeline.returncode == 0
    assert pipeline.stdout.count(b"\n") == 1
    assert b"Traceback" not in pipeline.stderr and b"BrokenPipe" not in pipeline.stderr


def test_null_separated_paths_feed_xargs(corpus: Path, index_dir: Path) -> None:
    (corpus / "with space.txt").write_text("Harbour news with a space.\n", encoding="utf-8")
    run("index", corpus, "--index", index_dir)
    pipeline = subprocess.run(
        f"{sys.executable} -m newsgrep search harbour -l -0 --index {index_dir} | xargs -0 cat",
        shell=True,
        capture_output=True,
        timeout=60,
    )
    assert pipeline.stdout == b"Harbour news with a space.\n"


def test_python_dash_m_and_version() -> None:
    result = run("--version")
    assert result.stdout.decode() == f"newsgrep {__version__}\n"


def test_ctrl_c_exits_130_without_traceback(built_index: Path) -> None:
    import signal

    # A search that is busy when SIGINT arrives (the search itself is slowed down).
    script = (
        "import sys, time, newsgrep.engine.session as s\n"
        "def slow(*a, **k):\n"
        "    print('busy', flush=True)\n"
        "    time.sleep(30)\n"
        "s.SearchSession.search = slow\n"
        "from newsgrep.cli import run\n"
        f"sys.argv = ['newsgrep', 'search', 'x', '--index', {str(built_index)!r}]\n"
        "run()\n"
    )
    process = subprocess.Popen(
        [sys.executable, "-c", script], stdout=subprocess.PIPE, stderr=subprocess.PIPE
    )
    assert process.stdout is not None
    assert process.stdout.readline() == b"busy\n"
    process.send_signal(signal.SIGINT)
    _, stderr = process.communicate(timeout=30)
    assert process.returncode == 130
    assert stderr == b"newsgrep: interrupted\n"


def test_second_writer_gives_up_with_exit_2(corpus: Path, index_dir: Path) -> None:
    from newsgrep.engine.folder import IndexStore

    with IndexStore(index_dir).lock(0):
        result = newsgrep("index", corpus, "--index", index_dir, "--wait", "0.2")
    assert result.exit_code == 2
    assert f"being updated by another newsgrep run (pid {os.getpid()}" in result.stderr
    assert "gave up after 0.2 s" in result.stderr
    assert newsgrep("index", corpus, "--index", index_dir).exit_code == 0


def test_progress_bar_shows_on_a_terminal_only(corpus: Path, index_dir: Path) -> None:
    import io

    from rich.console import Console

    from newsgrep.model import Progress
    from newsgrep.render.progress import ProgressBar

    out = io.StringIO()
    terminal = Console(file=out, force_terminal=True, width=80)
    with ProgressBar(terminal, enabled=True) as progress:
        assert progress is not None
        progress(Progress(1, 4, 20))
        progress(Progress(4, 4, 80))
    assert "indexing" in out.getvalue()
    assert "articles/s" in out.getvalue()
    with ProgressBar(terminal, enabled=False) as progress:
        assert progress is None
