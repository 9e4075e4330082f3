"""Issue 12's "done when": one folder mixing every format and language the fixtures hold
(saved pages, feeds, mail, a web archive, legacy encodings, texts in two dozen languages)
indexes in one run, and each kind of article is then found as a reader would ask for it."""

from __future__ import annotations

import json
import re
import shutil
from pathlib import Path

import pytest
from conftest import newsgrep

DATA = Path(__file__).resolve().parent / "data"
# The article files of the fixtures; the hand-made truths and metadata beside the pages
# (`*.truth.txt`, `*.meta.json`) and the sources' notes are not articles.
ARTICLES = ("*.html", "*.rss", "*.rdf", "*.atom", "*.xml", "*.eml", "*.mbox", "*.warc.gz")


@pytest.fixture(scope="module")
def world(tmp_path_factory: pytest.TempPathFactory) -> Path:
    root = tmp_path_factory.mktemp("world")
    news = root / "news"
    for kind in ("pages", "feeds", "email", "warc", "legacy"):
        source = DATA / "formats" / kind
        for pattern in (*ARTICLES, "*.txt"):
            for path in source.glob(pattern):
                if not path.name.endswith(".truth.txt"):
                    (news / kind).mkdir(parents=True, exist_ok=True)
                    shutil.copy(path, news / kind / path.name)
    shutil.copytree(DATA / "languages", news / "languages", ignore=shutil.ignore_patterns("*.tsv"))
    result = newsgrep("index", news, "--index", root / "index")
    assert result.exit_code == 0, result.stderr
    assert re.search(r"(^|\s)0 skipped", result.stderr), result.stderr  # every file read
    return root / "index"


def ids(index: Path, query: str) -> list[str]:
    # The legacy texts re-encode languages/*.txt: near-duplicates, shown apart here.
    result = newsgrep("search", query, "--index", index, "--json", "-n", "0", "--no-collapse")
    assert result.exit_code == 0, (query, result.stderr)
    return [json.loads(line)["id"] for line in result.stdout.splitlines()]


@pytest.mark.parametrize(
    ("query", "found_in"),
    [
        ("winter storm Pennsylvania", "pages/en-cnn.html"),  # a saved page's main text
        ("WildFly", "feeds/atom-heise-de.atom"),  # an Atom item
        ("State of the Union", "feeds/rss2-guardian.rss"),  # an RSS item
        ('"grain corridor"', "email/newsletter-en.eml"),  # a newsletter's subject
        ("свобода", "legacy/ru.cp1251.txt"),  # Russian in cp1251, a stem of свободу
        ("свобода", "legacy/ru.koi8-r.txt"),  # and in KOI8-R
        ("尊严", "legacy/zh.gbk.txt"),  # Chinese in GBK, inside unspaced text
        ("Menschen", "languages/de.txt"),  # German, as German reads it
    ],
)
def test_each_kind_of_article_in_one_folder_is_found(
    world: Path, query: str, found_in: str
) -> None:
    assert any(found.startswith(found_in) for found in ids(world, query)), ids(world, query)


def test_the_folder_holds_every_kind(world: Path) -> None:
    result = newsgrep("stats", "--by", "lang", "--json", "--index", world)
    assert result.exit_code == 0, result.stderr
    langs = {count["key"] for count in json.loads(result.stdout)["counts"]}
    assert {"en", "de", "ru", "zh", "ja", "ar", "he", "el"} <= langs, langs
