"""Did you mean: a corrected query when an unknown word leaves too few matches."""

from __future__ import annotations

import json
from pathlib import Path

import pytest
from typer.testing import CliRunner

from newsgrep.cli import app
from newsgrep.engine.session import search
from newsgrep.model import SearchRequest

runner = CliRunner()


def suggestion(index_dir: Path, text: str) -> str | None:
    return search(index_dir, SearchRequest(text)).suggestion


def test_a_misspelt_word_gets_the_word_articles_use(built_index: Path) -> None:
    assert suggestion(built_index, "istambul") == "istanbul"
    assert suggestion(built_index, "whaet") == "wheat"  # two letters swapped: one edit


def test_the_suggestion_shows_words_as_written_not_stems(built_index: Path) -> None:
    # The index holds the stem "negoti"; the suggestion is a word from an article.
    assert suggestion(built_index, "negotiatons") == "negotiations"


def test_known_words_and_the_rest_of_the_query_stay(built_index: Path) -> None:
    assert suggestion(built_index, 'grain "black sea" exprts') == 'grain "black sea" exports'
    assert suggestion(built_index, "istanbul talks") is None
    assert suggestion(built_index, "date:2025 istambul") == "date:2025 istanbul"


def test_no_suggestion_when_nothing_is_close(built_index: Path) -> None:
    assert suggestion(built_index, "zeppelin") is None


def test_cli_prints_it_on_stderr_and_in_the_json_summary(built_index: Path) -> None:
    # (--exact: else a person is shown the correction's results; see below.)
    human = runner.invoke(app, ["search", "istambul", "--exact", "--index", str(built_index)])
    assert "newsgrep: did you mean: istanbul" in human.stderr
    as_json = runner.invoke(
        app, ["search", "istambul", "--json", "--summary", "--index", str(built_index)]
    )
    (summary,) = [json.loads(line) for line in as_json.stdout.splitlines()]
    assert summary["type"] == "summary" and summary["suggestion"] == "istanbul"
    assert summary["total"] == 0 and summary["query"] == "istambul"


def test_batch_summary_per_query(built_index: Path) -> None:
    result = runner.invoke(
        app,
        ["search", "--batch", "--summary", "--index", str(built_index)],
        input="istanbul\nzeppelin\n",
    )
    records = [json.loads(line) for line in result.stdout.splitlines()]
    summaries = [r for r in records if r.get("type") == "summary"]
    assert [(s["line"], s["query"], s["total"]) for s in summaries] == [
        (1, "istanbul", 2),
        (2, "zeppelin", 0),
    ]


def test_a_word_of_thirty_thousand_letters_gets_no_suggestion(built_index: Path) -> None:
    assert suggestion(built_index, "q" * 30_000) is None


def test_a_rare_word_spelt_right_is_left_alone(tmp_path: Path) -> None:
    # "faceless" is in one article and one edit from nothing much; "seen" is everywhere,
    # two edits from "serene": neither rare word gets a suggestion.
    from newsgrep.indexer import run_index

    folder = tmp_path / "news"
    folder.mkdir()
    for number in range(30):
        (folder / f"{number:02}.txt").write_text(
            f"Title: Report {number}\n\nThe minister was seen at the faces of the crowd.\n",
            encoding="utf-8",
        )
    (folder / "odd.txt").write_text(
        "Title: Odd\n\nA faceless, serene automaker.\n", encoding="utf-8"
    )
    run_index(tmp_path / "index", [folder])
    for word in ("faceless", "serene", "automaker"):
        assert suggestion(tmp_path / "index", word) is None, word


def test_a_person_is_shown_the_corrections_results_and_a_script_is_not(
    built_index: Path,
) -> None:
    human = runner.invoke(app, ["search", "istambul", "--index", str(built_index)])
    assert human.exit_code == 0
    assert "showing results for 'istanbul'; search instead for 'istambul': --exact" in (
        human.stderr
    )
    assert "Istanbul" in human.stdout
    exact = runner.invoke(app, ["search", "istambul", "--exact", "--index", str(built_index)])
    assert exact.exit_code == 1 and "did you mean: istanbul" in exact.stderr
    for mode in (["-c"], ["-l"], ["--json"], ["-q"], ["--format", "{id}"]):
        script = runner.invoke(app, ["search", "istambul", *mode, "--index", str(built_index)])
        assert script.exit_code == 1, mode
        assert "showing results" not in script.stderr


@pytest.fixture(scope="module")
def wire(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """A wire archive where "between" and "terms" are in every article, and one article
    each has the typo "betweeen", the rare word "teeming", the ticker "CISIF.O" and the
    fund "CIIF"."""
    from newsgrep.indexer import run_index

    root = tmp_path_factory.mktemp("wire")
    folder = root / "news"
    folder.mkdir()
    common = [
        {"title": f"Talks {n}", "body": f"Talks between the sides on terms of trade, day {n}."}
        for n in range(510)
    ]
    odd = [
        {"title": "Rates", "body": "Rates betweeen banks rose."},
        {"title": "Markets", "body": "The teeming markets of the port."},
        {"title": "CIS <CISIF.O> agrees to extension", "body": "The company said so."},
        {"title": "Coconut fund", "body": "The Coconut Industry Investment Fund (CIIF)."},
    ]
    lines = (json.dumps(record) for record in common + odd)
    (folder / "wire.jsonl").write_text("\n".join(lines) + "\n", encoding="utf-8")
    run_index(root / "index", [folder])
    return root / "index"


def test_a_rare_word_near_a_common_one_only_by_its_stem_is_left_alone(wire: Path) -> None:
    # "teeming" is indexed as "teem", one edit from "term" (of "terms", in every article);
    # as written the words are four edits apart: nobody typing "terms" wrote "teeming".
    assert suggestion(wire, "teeming") is None


def test_a_word_the_index_keeps_inside_a_ticker_is_no_typo(wire: Path) -> None:
    # The index holds "cisif.o" whole; "cisif" is one edit from the fund "ciif".
    assert suggestion(wire, "cisif") is None


def test_a_typo_an_article_made_is_still_corrected_to_the_common_word(wire: Path) -> None:
    # "betweeen" is in one article, one edit from "between", in every other one.
    assert suggestion(wire, "betweeen") == "between"
    assert suggestion(wire, "betwen") == "between"  # in no article: corrected as ever


def test_an_updated_archive_suggests_as_a_fresh_build_of_it(tmp_path: Path) -> None:
    # The suggestion is a word as the first articles holding the stem wrote it; once those
    # no longer hold it, the updated index reads the next live ones, as a fresh build does.
    from newsgrep.indexer import run_index

    def write(folder: Path, early_body: str) -> None:
        folder.mkdir(exist_ok=True)
        early = [{"title": f"Early {n}", "body": early_body} for n in range(20)]
        late = [{"title": f"Late {n}", "body": "The negotiators met."} for n in range(300)]
        lines = "".join(json.dumps(record) + "\n" for record in early + late)
        (folder / "wire.jsonl").write_text(lines, encoding="utf-8")

    write(tmp_path / "news", "The negotiations went on.")
    run_index(tmp_path / "updated", [tmp_path / "news"])
    assert suggestion(tmp_path / "updated", "negotiatons") == "negotiations"
    write(tmp_path / "news", "The talks went on.")  # their articles are replaced
    run_index(tmp_path / "updated", [tmp_path / "news"])
    write(tmp_path / "again", "The talks went on.")
    run_index(tmp_path / "fresh", [tmp_path / "again"])
    assert suggestion(tmp_path / "updated", "negotiatons") == "negotiators"
    assert suggestion(tmp_path / "fresh", "negotiatons") == "negotiators"
