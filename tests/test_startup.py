"""Start-up (issue 14): a plain search loads nothing it does not use. The times are the
bench's (bench/run.py --only cold: newsgrep beside the bare import floor); these say which
modules stay out, so that no change quietly brings them back."""

from __future__ import annotations

from pathlib import Path

import pytest
from conftest import fresh_search


def loaded(index: Path, *args: str) -> set[str]:
    return fresh_search(index, *args)[1]["loaded"]


@pytest.mark.parametrize("mode", [["--json"], ["-l"], ["-c"], ["--format", "{id}"], ["-q"]])
def test_output_for_scripts_loads_no_rich(built_index: Path, mode: list[str]) -> None:
    modules = loaded(built_index, "istanbul", *mode)
    assert "newsgrep.engine.session" in modules  # it did search
    assert not {m for m in modules if m.split(".")[0] == "rich"}


def test_a_plain_search_loads_only_what_it_uses(built_index: Path) -> None:
    modules = loaded(built_index, "istanbul OR grain OR floods")  # enough: no spelling
    assert "rich.console" in modules
    unused = {
        "tomllib",  # no config file
        "importlib.resources",  # the shipped synonyms are read beside their module
        "newsgrep.text.typed_dates",  # no date asked for
        "newsgrep.cli.pager",  # not a terminal
        "newsgrep.cli.manual",
        "newsgrep.cli.completion",
        "newsgrep.indexer",
        "newsgrep.check",
        "rapidfuzz",  # spelling: only when fewer than 3 articles match
        "newsgrep.text.spelling",
        "newsgrep.engine.vocabulary",
        "newsgrep.engine.explain",  # --explain
        "newsgrep.cli.maintain",  # the other commands' modules
        "newsgrep.cli.resolve_maintenance",
        "newsgrep.cli.browse",
        "newsgrep.cli.reading",
        "newsgrep.findings",  # check's values
        "newsgrep.manifest",
        "newsgrep.model_indexing",  # indexing's values
        "newsgrep.model_views",  # show's, stats' and --explain's
        "newsgrep.render.jsonl",  # human output
        "newsgrep.engine.segment_writer",  # the codec's writers: a search writes nothing
        "whoosh.writing",
    }
    assert modules.isdisjoint(unused), modules & unused


def test_a_plain_search_loads_no_typer_nor_click(built_index: Path) -> None:
    # read by cli.direct; Typer and Click cost about a sixth of a cold search
    for args in (["istanbul"], ["istanbul", "--json"], ["istanbul", "-n", "3", "-l"]):
        modules = loaded(built_index, *args)
        assert "newsgrep.engine.session" in modules  # it did search
        assert not {m for m in modules if m.split(".")[0] in ("typer", "click")}, args


def test_a_search_with_other_options_is_read_by_typer(built_index: Path) -> None:
    modules = loaded(built_index, "istanbul", "--snippets", "2")
    assert "newsgrep.engine.session" in modules
    assert "typer" in modules


def test_a_search_of_latin_text_compiles_no_class_of_other_scripts(built_index: Path) -> None:
    # the classes of unspaced scripts and of letter marks take ~4 ms to compile
    _, report = fresh_search(built_index, "istanbul OR grain OR floods")
    assert "newsgrep.text.languages.scripts" in report["loaded"]
    assert report["compiled"] == set()


# Whoosh imports these at its own import; a search never runs them (`engine.deferred`).
WHOOSH_UNUSED = {
    "asyncio",  # cached_property's, asked on a segment's first postings
    "urllib.request",  # whoosh.compat's, with http.client, email and ssl
    "http.client",
    "email",
    "ssl",
    "whoosh.lang.morph_en",
    "whoosh.lang.porter",
    "whoosh.lang.dmetaphone",
    "tempfile",
    "calendar",
    "shutil",
}


def _index_with_a_deletion(corpus: Path, index_dir: Path) -> Path:
    from newsgrep.indexer import run_index

    run_index(index_dir, [corpus])
    (corpus / "grain.txt").unlink()
    run_index(index_dir, [corpus])  # the segment keeps the article, marked deleted
    return index_dir


@pytest.mark.parametrize("mode", [[], ["--json"]])
def test_a_plain_search_runs_none_of_whooshs_unused_imports(
    corpus: Path, index_dir: Path, mode: list[str]
) -> None:
    index = _index_with_a_deletion(corpus, index_dir)
    output, report = fresh_search(index, "wheat OR grain OR istanbul", *mode)
    assert "Istanbul" in output and "grain.txt" not in output  # searched, the deleted left out
    assert report["loaded"].isdisjoint(WHOOSH_UNUSED), report["loaded"] & WHOOSH_UNUSED
    assert {"asyncio", "urllib.request", "whoosh.lang.morph_en"} <= report["deferred"]


def test_a_plain_search_runs_without_the_collector_and_other_commands_with_it(
    built_index: Path,
) -> None:
    # An index build makes cycles (Whoosh's writers): only a plain search goes without it.
    assert fresh_search(built_index, "istanbul")[1]["collector"] == set()
    assert fresh_search(built_index, "istanbul", "--snippets", "2")[1]["collector"] == {"on"}
