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
