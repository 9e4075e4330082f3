"""Synonyms: variant spellings found from either side, from the shipped list or a user's."""

from __future__ import annotations

from pathlib import Path

import pytest
from conftest import write_corpus
from typer.testing import CliRunner

from newsgrep.cli import app
from newsgrep.engine.session import search
from newsgrep.indexer import run_index
from newsgrep.model import Match, SearchRequest
from newsgrep.text.analysis import index_terms
from newsgrep.text.synonyms import SynonymsError, load_synonyms, parse_synonyms, shipped_synonyms

FILES = {
    "kiev.txt": "Title: Talks in Kiev\n\nDiplomats met in Kiev on Monday.\n",
    "ivory.txt": "Title: Cocoa\n\nCocoa farmers in Côte d'Ivoire expect a large crop.\n",
    "other.txt": "Title: Weather\n\nIt rained in Lisbon.\n",
}


@pytest.fixture
def variants_index(tmp_path: Path, index_dir: Path) -> Path:
    run_index(index_dir, [write_corpus(tmp_path / "n", FILES)])
    return index_dir


def ids(index_dir: Path, text: str, **options: object) -> list[str]:
    result = search(index_dir, SearchRequest(text, **options))  # type: ignore[arg-type]
    return [hit.id for hit in result.hits]


def test_a_word_finds_its_variant_spelling(variants_index: Path) -> None:
    assert ids(variants_index, "kyiv") == ["kiev.txt"]
    assert ids(variants_index, "KIEV") == ["kiev.txt"]


def test_a_variant_of_several_words_is_a_phrase(variants_index: Path) -> None:
    assert ids(variants_index, '"ivory coast"') == ["ivory.txt"]
    assert (
        ids(variants_index, "ivory coast cocoa", match=Match.ALL) == []
    )  # two words, not the phrase


def test_the_variant_is_highlighted(variants_index: Path) -> None:
    (hit,) = search(variants_index, SearchRequest("kyiv")).hits
    assert [hit.snippets[0].text[s:e] for s, e in hit.snippets[0].spans] == ["Kiev"]
    assert [hit.title[s:e] for s, e in hit.title_spans] == ["Kiev"]


def test_synonyms_can_be_turned_off(variants_index: Path) -> None:
    assert ids(variants_index, "kyiv", synonyms=None) == []


def test_a_users_file_adds_groups(variants_index: Path, tmp_path: Path) -> None:
    extra = tmp_path / "syn.txt"
    extra.write_text("# mine\nlisboa, lisbon\n\n", encoding="utf-8")
    assert ids(variants_index, "lisboa", synonyms=load_synonyms(extra)) == ["other.txt"]
    assert ids(variants_index, "kyiv", synonyms=load_synonyms(extra)) == ["kiev.txt"]


def test_groups_sharing_a_variant_join() -> None:
    synonyms = parse_synonyms("kyiv, kiev\nkiev, kyjiw\n", "test")
    assert synonyms.variants(("kyjiw",)) == [("kiev",), ("kyiv",)]


@pytest.mark.parametrize(
    ("text", "message"),
    [
        ("kyiv\n", "test: line 1: a group needs two variants or more"),
        ("ok, fine\nthe, kyiv\n", "test: line 2: 'the' has no searchable word"),
    ],
)
def test_bad_lines_name_the_file_and_line(text: str, message: str) -> None:
    with pytest.raises(SynonymsError, match=message):
        parse_synonyms(text, "test")


def test_the_shipped_list_has_the_news_variants() -> None:
    synonyms = shipped_synonyms()
    for first, second in [("Kyiv", "Kiev"), ("Türkiye", "Turkey"), ("Beijing", "Peking")]:
        assert tuple(index_terms(second)) in synonyms.variants(tuple(index_terms(first)))


def test_cli_synonyms_file_and_switch(variants_index: Path, tmp_path: Path) -> None:
    runner = CliRunner()
    extra = tmp_path / "syn.txt"
    extra.write_text("lisboa, lisbon\n", encoding="utf-8")
    found = runner.invoke(
        app, ["search", "lisboa", "--synonyms", str(extra), "-l", "--index", str(variants_index)]
    )
    assert found.exit_code == 0 and found.stdout.strip().endswith("other.txt")
    off = runner.invoke(app, ["search", "kyiv", "--no-synonyms", "--index", str(variants_index)])
    assert off.exit_code == 1
    bad = runner.invoke(app, ["search", "x", "--synonyms", str(tmp_path / "none.txt")])
    assert bad.exit_code == 2 and "cannot read the synonyms file" in bad.stderr


def test_cli_all_and_any(built_index: Path) -> None:
    runner = CliRunner()

    def count(*flags: str) -> str:
        args = ["search", "istanbul zeppelin", "-c", *flags, "--index", str(built_index)]
        return runner.invoke(app, args).stdout

    assert count("--all") == "0\n"
    assert count("--any") == "2\n"
    assert count() == "0\n"  # -c is read by scripts: every word, as grep -c counts
    both = runner.invoke(app, ["search", "x", "--all", "--any", "--index", str(built_index)])
    assert both.exit_code == 2 and "--all or --any" in both.stderr
