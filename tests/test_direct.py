"""A plain search read without Typer (`cli.direct`) is read as Typer reads it: for every
command line the direct reader takes, the options it gives the search are the very values
Typer's `search` command gives, under the environment variables Typer reads; every other
command line it leaves to Typer."""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path
from typing import Any

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from typer.testing import CliRunner

from newsgrep.cli import direct, program
from newsgrep.cli.exits import ExitCode
from newsgrep.cli.wanted import SearchOptions
from newsgrep.config import Config

WORDS = st.sampled_from(["oil", "Türkiye", "peace talks", "title:grain", "OR", "", "a-b"])
FLAGS = st.sampled_from(
    ["--json", "-l", "--files-with-matches", "-c", "--count", "-q", "--quiet", "-i",
     "--ignore-case"]
)  # fmt: skip
VALUED = st.sampled_from(
    [["--index", "idx"], ["--index=other dir"], ["--index", "--json"], ["--index="],
     ["-n", "5"], ["-n0"], ["-n", "05"], ["--limit=7"], ["-m", "3"], ["--max-count", "12"],
     ["-n", "-3"], ["-n", "x"], ["-n", "٣"], ["-n=4"], ["--limit", "+2"], ["-n", "2_0"]]
)  # fmt: skip
# What the direct reader must leave to Typer, as argument lists.
OTHERS = st.sampled_from(
    [["--snippets", "2"], ["--sort", "newest"], ["-x"], ["--help"], ["-"], ["-lc"],
     ["--since", "2004"], ["--no-collapse"], ["--jso"], ["-0"]]
)  # fmt: skip
TOKENS = st.one_of(WORDS.map(lambda word: [word]), FLAGS.map(lambda flag: [flag]), VALUED)
ENVIRONMENTS = st.fixed_dictionaries(
    {
        "NEWSGREP_INDEX": st.sampled_from([None, "", "from-env"]),
        "NEWSGREP_CONFIG": st.sampled_from([None, ""]),
    }
)


@dataclass
class Seen:
    """What Typer's `search` command handed to `run_search`."""

    wanted: SearchOptions | None = None
    config: Config | None = None


def typer_reads(argv: list[str], environ: dict[str, str | None], monkeypatch: Any) -> Seen:
    seen = Seen()

    def run_search(wanted: SearchOptions, config: Config) -> ExitCode:
        seen.wanted, seen.config = wanted, config
        return ExitCode.MATCH

    with monkeypatch.context() as patch:
        patch.setattr("newsgrep.cli.search.run_search", run_search)
        CliRunner().invoke(program.app_for(argv), argv, env=environ)
    return seen


def direct_reads(argv: list[str], environ: dict[str, str | None]) -> SearchOptions | None:
    return direct.read(argv, {k: v for k, v in environ.items() if v is not None})


@settings(
    max_examples=300, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture]
)
@given(
    tokens=st.lists(TOKENS, max_size=6),
    dashes=st.lists(st.one_of(WORDS, FLAGS), max_size=2),
    environ=ENVIRONMENTS,
)
def test_the_direct_reader_reads_as_typer(
    tokens: list[list[str]], dashes: list[str], environ: dict[str, str | None], monkeypatch: Any
) -> None:
    argv = ["search", *(token for group in tokens for token in group)]
    if dashes:
        argv += ["--", *dashes]
    read = direct_reads(argv, environ)
    if read is None:
        return  # Typer reads it: nothing to compare
    seen = typer_reads(argv, environ, monkeypatch)
    assert seen.wanted == read, argv
    assert seen.config == Config()  # no config file here, read or not


@settings(max_examples=100, deadline=None)
@given(tokens=st.lists(TOKENS, max_size=4), other=OTHERS, at=st.integers(0, 4))
def test_the_direct_reader_leaves_other_options_to_typer(
    tokens: list[list[str]], other: list[str], at: int
) -> None:
    args = [token for group in tokens for token in group]
    at = min(at, len(args))
    if at and args[at - 1] in ("--index", "-n", "-m", "--limit", "--max-count"):
        return  # `other` would be that option's value
    assert direct.read(["search", *args[:at], *other, *args[at:]], {}) is None
    for valued in ("--index", "-n", "--limit"):  # its value missing
        assert direct.read(["search", *args, valued], {}) is None


@pytest.mark.parametrize(
    "argv",
    [
        ["search", "oil"],
        ["search", "oil", "--json", "-n", "3"],
        ["search", "--index", "idx", "peace talks", "-l"],
        ["search", "-c", "--", "-oil", "--json"],
        ["search", "-q", "-i", "oil"],
    ],
)
def test_the_searches_people_type_most_are_read_directly(argv: list[str]) -> None:
    assert direct.read(argv, {}) is not None


@pytest.mark.parametrize(
    ("argv", "environ"),
    [
        (["--index", "idx", "search", "oil"], {}),  # options before the command
        (["show", "oil"], {}),
        (["search", "oil"], {"_NEWSGREP_COMPLETE": "bash_complete"}),
        (["search"], {}),  # no query: Typer's path (the same error, either way)
    ],
)
def test_what_is_not_a_plain_search_goes_to_typer(argv: list[str], environ: dict[str, str]) -> None:
    if argv == ["search"]:
        assert direct.read(argv, environ) == SearchOptions()  # read; resolve refuses it
    else:
        assert direct.read(argv, environ) is None


def test_a_config_file_named_by_the_environment_is_read(tmp_path: Path) -> None:
    config = tmp_path / "config.toml"
    config.write_text('index = "nowhere"\n', encoding="utf-8")
    code = direct.run_plain(["search", "oil"], {"NEWSGREP_CONFIG": str(tmp_path / "gone.toml")})
    assert code == ExitCode.ERROR  # named, and missing: as Typer's callback has it
