"""Options into decisions (newsgrep.cli.resolve), called directly: no Typer, no CliRunner.

The command-line tests check the same rules end to end; these say them one at a time:
precedence (flag > config > default; the environment arrives as a flag does), the output
mode and its conflicts, the limit policy, colour and hyperlinks, and the index run. That
resolving loads no Typer is in test_layering.
"""

from __future__ import annotations

from dataclasses import replace
from pathlib import Path

import pytest

from newsgrep.cli.resolve import (
    DEFAULT_INDEX,
    ColorChoice,
    HitOptions,
    IndexOptions,
    Mode,
    OptionsError,
    Output,
    OutputOptions,
    SearchOptions,
    SearchPlan,
    Terminal,
    resolve_output,
    resolve_search,
    resolve_similar,
)
from newsgrep.cli.resolve_maintenance import resolve_check_mode, resolve_index
from newsgrep.config import Config
from newsgrep.locate import resolve_index_dir
from newsgrep.model import Match, Sort
from newsgrep.render.template import TemplateError
from newsgrep.text.synonyms import Synonyms

PIPE = Terminal()  # stdout and stderr are pipes
TTY = Terminal(stdout=True, stdout_isatty=True, stderr=True, environ={"TERM_PROGRAM": "WezTerm"})
NO_CONFIG = Config()
CONFIG = Config(index=Path("/news/index"), limit=3, sort="newest", color="never")
LOADED: list[Path | None] = []


def load_synonyms(path: Path | None) -> Synonyms:
    LOADED.append(path)
    return Synonyms()


def plan_of(
    config: Config = NO_CONFIG, *, hits: HitOptions | None = None, **given: object
) -> SearchPlan:
    """`newsgrep search wheat` with `given` search options and `hits` shared ones."""
    options = SearchOptions(("wheat",), hits or HitOptions(), **given)  # type: ignore[arg-type]
    return resolve_search(options, config, PIPE, load_synonyms)


def writing(**given: object) -> HitOptions:
    """Shared options that choose the output."""
    return HitOptions(output=OutputOptions(**given))  # type: ignore[arg-type]


# --- precedence: flag > config > default ------------------------------------------------


def test_the_index_folder_is_the_flag_else_the_config_else_index() -> None:
    assert resolve_index_dir(Path("given"), CONFIG) == Path("given")
    assert resolve_index_dir(None, CONFIG) == Path("/news/index")
    assert resolve_index_dir(None, NO_CONFIG) == DEFAULT_INDEX == Path("index")


def test_sort_and_limit_fall_back_to_the_config_then_the_defaults() -> None:
    configured = plan_of(CONFIG).request
    assert (configured.sort, configured.limit) == (Sort.NEWEST, 3)
    flagged = plan_of(CONFIG, hits=HitOptions(sort=Sort.RELEVANCE, limit=5)).request
    assert (flagged.sort, flagged.limit) == (Sort.RELEVANCE, 5)
    default = plan_of().request
    assert (default.sort, default.limit) == (Sort.RELEVANCE, 10)
    assert plan_of(CONFIG, hits=HitOptions(limit=0)).request.limit is None  # 0: all


def test_colour_is_the_flag_else_the_config_else_auto() -> None:
    def colour(flag: ColorChoice | None, config: Config) -> bool | None:
        return resolve_output(OutputOptions(color=flag), config, PIPE).color

    assert colour(None, CONFIG) is False
    assert colour(ColorChoice.ALWAYS, CONFIG) is True
    assert colour(ColorChoice.AUTO, CONFIG) is None
    assert colour(None, NO_CONFIG) is None


# --- the output mode --------------------------------------------------------------------


@pytest.mark.parametrize(
    ("hits", "quiet", "mode", "limit"),
    [
        (writing(), False, Mode.HUMAN, 10),
        (writing(json=True), False, Mode.JSON, 10),
        (writing(template="{id}"), False, Mode.TEMPLATE, 10),
        (writing(files_with_matches=True), False, Mode.PATHS, None),
        (writing(null=True), False, Mode.PATHS, None),
        (writing(count=True), False, Mode.COUNT, None),
        (writing(), True, Mode.QUIET, 1),
        (HitOptions(limit=4, output=OutputOptions(count=True)), False, Mode.COUNT, 4),
    ],
)
def test_each_mode_and_the_hits_it_asks_for(
    hits: HitOptions, quiet: bool, mode: Mode, limit: int | None
) -> None:
    plan = plan_of(hits=hits, quiet=quiet)
    assert (plan.output.mode, plan.request.limit) == (mode, limit)


@pytest.mark.parametrize(
    ("hits", "quiet"),
    [
        (writing(json=True, count=True), False),
        (writing(files_with_matches=True, template="{id}"), False),
        (writing(null=True), True),
        (writing(json=True), True),
    ],
)
def test_two_output_modes_are_a_conflict(hits: HitOptions, quiet: bool) -> None:
    with pytest.raises(OptionsError, match="choose one output mode"):
        plan_of(hits=hits, quiet=quiet)


def test_snippets_and_folding_only_where_hits_are_shown() -> None:
    shown = plan_of(hits=HitOptions(snippets=2)).request
    assert (shown.snippets, shown.collapse) == (2, True)
    counted = resolve_similar("a.txt", HitOptions(snippets=2, output=OutputOptions(count=True)),
                              NO_CONFIG, PIPE).request  # fmt: skip
    assert (counted.snippets, counted.collapse, counted.limit) == (0, False, None)


def test_a_template_is_compiled_and_checked() -> None:
    assert resolve_output(OutputOptions(template=r"{id}\t{title}"), NO_CONFIG, PIPE).template == (
        "{id}\t{title}"
    )
    with pytest.raises(TemplateError):
        resolve_output(OutputOptions(template="{author}"), NO_CONFIG, PIPE)


def test_hyperlinks_on_a_terminal_known_to_open_them_unless_told() -> None:
    def links(terminal: Terminal, **given: object) -> bool:
        return resolve_output(OutputOptions(**given), NO_CONFIG, terminal).hyperlinks  # type: ignore[arg-type]

    assert links(TTY)
    assert not links(Terminal(stdout=True))  # a terminal, but not one known to
    assert not links(replace(TTY, stdout=False))  # a pipe
    assert links(replace(TTY, stdout=False), color=ColorChoice.ALWAYS)  # forced colour
    assert not links(TTY, hyperlinks=False)
    assert links(PIPE, hyperlinks=True)


def test_paths_and_templates_know_whether_stdout_is_a_tty() -> None:
    assert resolve_output(OutputOptions(), NO_CONFIG, TTY).to_terminal
    assert not resolve_output(OutputOptions(), NO_CONFIG, PIPE).to_terminal


# --- search, batch, similar, check ------------------------------------------------------


def test_all_and_any_choose_how_words_match_but_not_both() -> None:
    assert plan_of(all_words=True).request.match is Match.ALL
    assert plan_of(any_word=True).request.match is Match.ANY
    assert plan_of().request.match is Match.AUTO
    with pytest.raises(OptionsError, match="--all or --any"):
        plan_of(all_words=True, any_word=True)


def test_synonyms_come_from_the_flag_else_the_config_and_none_with_no_synonyms() -> None:
    LOADED.clear()
    plan_of(Config(synonyms=Path("/config/syn.txt")))
    plan_of(Config(synonyms=Path("/config/syn.txt")), synonyms_file=Path("mine.txt"))
    plan_of()
    wanted = [Path("/config/syn.txt"), Path("mine.txt"), None]
    assert wanted == LOADED
    assert plan_of(no_synonyms=True).request.synonyms is None
    assert wanted == LOADED


def test_a_search_needs_a_query_and_a_batch_takes_none() -> None:
    with pytest.raises(OptionsError, match="no query given"):
        resolve_search(SearchOptions(), NO_CONFIG, PIPE, load_synonyms)
    with pytest.raises(OptionsError, match="from stdin"):
        resolve_search(SearchOptions(("x",), batch=True), NO_CONFIG, PIPE, load_synonyms)


def test_a_batch_writes_json_and_refuses_other_output_modes() -> None:
    options = SearchOptions(batch=True, summary=True)
    plan = resolve_search(options, CONFIG, PIPE, load_synonyms)
    assert (plan.batch, plan.output, plan.summary) == (True, Output(Mode.JSON), True)
    assert plan.request.limit == 3
    hits = HitOptions(output=OutputOptions(count=True))
    with pytest.raises(OptionsError, match="--batch writes JSON Lines.*drop -c"):
        resolve_search(SearchOptions(hits=hits, batch=True), CONFIG, PIPE, load_synonyms)


@pytest.mark.parametrize(
    ("options", "terminal", "match"),
    [
        (SearchOptions(("w",)), PIPE, Match.AUTO),  # the human view may relax
        (SearchOptions(("w",), writing(json=True)), TTY, Match.AUTO),  # JSON on a terminal
        (SearchOptions(("w",), writing(json=True)), PIPE, Match.ALL),
        (SearchOptions(("w",), writing(count=True)), TTY, Match.ALL),
        (SearchOptions(("w",), writing(files_with_matches=True)), PIPE, Match.ALL),
        (SearchOptions(("w",), writing(template="{id}")), PIPE, Match.ALL),
        (SearchOptions(("w",), quiet=True), TTY, Match.ALL),
        (SearchOptions(batch=True), PIPE, Match.ALL),
        (SearchOptions(("w",), writing(count=True), any_word=True), PIPE, Match.ANY),
    ],
)
def test_output_for_scripts_never_relaxes_a_query_unless_any_says_so(
    options: SearchOptions, terminal: Terminal, match: Match
) -> None:
    assert resolve_search(options, NO_CONFIG, terminal, load_synonyms).request.match is match


def test_a_count_covers_the_page_only_when_one_is_asked_for() -> None:
    every = plan_of(hits=writing(count=True))
    assert not every.output.page_count
    assert every.request.count_only  # the total alone: no hit is made
    limited = plan_of(hits=HitOptions(limit=3, output=OutputOptions(count=True)))
    assert limited.output.page_count and not limited.request.count_only
    assert plan_of(hits=HitOptions(offset=2, output=OutputOptions(count=True))).output.page_count
    assert not plan_of(hits=writing(files_with_matches=True)).request.count_only


def test_the_pager_only_on_a_terminal_and_only_for_human_output() -> None:
    def pager(terminal: Terminal, config: Config = NO_CONFIG, **given: object) -> str | None:
        return resolve_output(OutputOptions(**given), config, terminal).pager  # type: ignore[arg-type]

    assert pager(TTY) == "less"
    assert pager(replace(TTY, environ={"PAGER": "most"})) == "most"
    assert pager(replace(TTY, environ={"PAGER": "most"}), Config(pager="less -S")) == "less -S"
    assert pager(replace(TTY, environ={"PAGER": ""})) is None
    assert pager(replace(TTY, environ={"PAGER": "cat"})) is None
    assert pager(TTY, Config(pager=False)) is None
    assert pager(TTY, pager=False) is None  # --no-pager
    assert pager(TTY, json=True) is None
    assert pager(PIPE) is None
    assert pager(replace(PIPE, stdout=True)) is None  # FORCE_COLOR: still a pipe


def test_a_summary_follows_json_output_only() -> None:
    assert plan_of(hits=writing(json=True), summary=True).summary
    with pytest.raises(OptionsError, match="--summary follows"):
        plan_of(summary=True)


def test_similar_has_no_synonyms() -> None:
    plan = resolve_similar("briefs.jsonl#b2", HitOptions(), CONFIG, PIPE)
    assert plan.request.synonyms is None and plan.request.query == "briefs.jsonl#b2"
    assert plan.index_dir == Path("/news/index")


def test_check_prints_a_report_json_or_nothing() -> None:
    assert resolve_check_mode(False, False) is Mode.HUMAN
    assert resolve_check_mode(True, False) is Mode.JSON
    assert resolve_check_mode(False, True) is Mode.QUIET
    with pytest.raises(OptionsError, match="--json or -q"):
        resolve_check_mode(True, True)


# --- index ------------------------------------------------------------------------------


def test_max_size_is_the_flag_else_the_config_else_the_default_and_0_is_none() -> None:
    def limit(flag: str | None, config: Config) -> int | None:
        options = IndexOptions(max_size=flag)
        return resolve_index(options, config, PIPE, default_max_size=99).max_size

    assert limit(None, NO_CONFIG) == 99
    assert limit(None, Config(max_size=2048)) == 2048
    assert limit("1K", Config(max_size=2048)) == 1024
    assert limit("0", NO_CONFIG) is None
    assert limit(None, Config(max_size=0)) is None
    with pytest.raises(OptionsError, match="--max-size"):
        limit("12Q", NO_CONFIG)


def test_stdin_paths_and_the_progress_bar() -> None:
    run = resolve_index(IndexOptions(paths=(Path("a"), Path("-"))), NO_CONFIG, PIPE,
                        default_max_size=1)  # fmt: skip
    assert (run.paths, run.read_stdin, run.progress, run.summary) == (
        (Path("a"),),
        True,
        False,
        True,
    )
    on_terminal = resolve_index(IndexOptions(), NO_CONFIG, TTY, default_max_size=1)
    assert (on_terminal.read_stdin, on_terminal.progress) == (False, True)
    quiet = resolve_index(IndexOptions(quiet=True, from_stdin=True), NO_CONFIG, TTY,
                          default_max_size=1)  # fmt: skip
    assert (quiet.read_stdin, quiet.progress, quiet.summary) == (True, False, False)
