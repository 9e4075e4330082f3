"""Near-duplicates: re-sent wire stories fold into one hit; different stories do not."""

from __future__ import annotations

import datetime as dt
import json
from pathlib import Path

import pytest
from conftest import write_corpus
from hypothesis import given, settings
from hypothesis import strategies as st
from typer.testing import CliRunner

from newsgrep.cli import app
from newsgrep.engine.columns import fold
from newsgrep.engine.schema import indexed_body
from newsgrep.engine.session import search
from newsgrep.indexer import run_index
from newsgrep.model import SearchRequest
from newsgrep.text.analysis import index_terms
from newsgrep.text.duplicates import Folder, pack_sketch, resemblance, sketch, sketch_of_terms
from newsgrep.text.languages import analysis_key

STORY = (
    "The central bank of Freedonia raised its main interest rate by half a point on "
    "Tuesday, the third increase this year, saying inflation had stayed above its target "
    "for eleven months. Economists had expected a quarter point. The currency rose against "
    "the dollar after the decision, and bond yields climbed to their highest in a decade."
)
RESENT = STORY.replace("eleven months", "twelve months")  # a corrected re-send
OTHER = (
    "The central bank of Sylvania kept its interest rate unchanged on Tuesday, saying "
    "growth had slowed and unemployment was rising. The decision surprised few analysts."
)


def article(title: str, date: str, body: str) -> str:
    return f"Title: {title}\nDate: {date}\nSource: Wire\n\n{body}\n"


@pytest.fixture
def wire(tmp_path: Path, index_dir: Path) -> Path:
    files = {
        "a.txt": article("Freedonia raises rates", "2025-03-04", STORY),
        "b.txt": article("Freedonia raises rates (corrected)", "2025-03-04", RESENT),
        "c.txt": article("Sylvania holds rates", "2025-03-04", OTHER),
        "d.txt": article("Freedonia raises rates", "2025-06-10", STORY),  # months later
    }
    run_index(index_dir, [write_corpus(tmp_path / "wire", files)])
    return index_dir


def test_a_resent_story_folds_into_the_first(wire: Path) -> None:
    result = search(wire, SearchRequest("central bank interest rate"))
    ids = [hit.id for hit in result.hits]
    assert len(ids) == 3 and "c.txt" in ids and "d.txt" in ids
    (kept,) = [hit for hit in result.hits if hit.id in ("a.txt", "b.txt")]
    assert kept.duplicates == (({"a.txt", "b.txt"} - {kept.id}).pop(),)
    assert result.total == 4  # every article still counts as a match


def test_no_collapse_shows_every_article(wire: Path) -> None:
    result = search(wire, SearchRequest("central bank interest rate", collapse=False))
    assert len(result.hits) == 4 and all(hit.duplicates == () for hit in result.hits)


def test_sketches_tell_near_and_far_apart() -> None:
    assert resemblance(sketch("t", STORY), sketch("t", RESENT)) >= 0.6
    assert resemblance(sketch("t", STORY), sketch("t", OTHER)) < 0.3
    assert resemblance((), ()) == 0.0


def test_folder_needs_close_dates() -> None:
    folder = Folder()
    day = dt.datetime(2025, 3, 4)
    assert folder.add(sketch("t", STORY), day) is None
    assert folder.add(sketch("t", RESENT), day + dt.timedelta(days=1)) == 0
    assert folder.add(sketch("t", STORY), day + dt.timedelta(days=30)) is None
    assert folder.add(sketch("t", OTHER), day) is None


def test_cli_lists_folded_ids_and_can_show_all(wire: Path) -> None:
    runner = CliRunner()
    folded = runner.invoke(app, ["search", "freedonia", "--json", "--index", str(wire)])
    records = [json.loads(line) for line in folded.stdout.splitlines()]
    assert sorted(len(r["duplicates"]) for r in records) == [0, 1]
    everything = runner.invoke(
        app, ["search", "freedonia", "--json", "--no-collapse", "--index", str(wire)]
    )
    assert len(everything.stdout.splitlines()) == 3
    count = runner.invoke(app, ["search", "freedonia", "-c", "--index", str(wire)])
    assert count.stdout == "3\n"  # counts are of articles, never folded


class _Columns:
    """The two columns folding reads, over made-up sketches and dates."""

    def __init__(self, sketches: list[bytes], dates: list[dt.datetime | None]) -> None:
        self.sketches, self.dates = sketches, dates

    def __call__(self, name: str) -> list[bytes]:
        assert name == "sketch"
        return self.sketches

    def date_of(self, docnum: int) -> dt.datetime | None:
        return self.dates[docnum]


@settings(max_examples=200, deadline=None)
@given(
    articles=st.lists(
        st.tuples(
            st.lists(st.integers(0, 12), min_size=1, max_size=8, unique=True),
            st.one_of(st.none(), st.integers(0, 6)),
        ),
        max_size=40,
    ),
    groups=st.integers(0, 12),
)
def test_folding_only_a_page_of_groups_folds_that_page_alike(
    articles: list[tuple[list[int], int | None]], groups: int
) -> None:
    # A search folds only the groups its page shows; the page must be what folding
    # every candidate gives, its repeats included.
    start = dt.datetime(1987, 3, 1)
    sketches = [pack_sketch(tuple(sorted(values))) for values, _ in articles]
    dates = [None if day is None else start + dt.timedelta(days=day) for _, day in articles]
    candidates = [(docnum, 1.0 / (docnum + 1)) for docnum in range(len(articles))]
    columns = _Columns(sketches, dates)
    assert fold(columns, candidates, groups) == fold(columns, candidates)[:groups]  # type: ignore[arg-type]


_WORDS = ["Oil", "the", "us", "U.S.", "prices", "über", "Москва", "石油价格", "3.5", "-", "."]


@given(
    st.lists(st.sampled_from(_WORDS), min_size=1, max_size=8),
    st.lists(st.sampled_from(_WORDS), max_size=30),
    st.sampled_from(["en", "de", "ru", "zh"]),
)
def test_sketch_from_the_indexed_bodys_terms(title: list[str], body: list[str], lang: str) -> None:
    # The indexer takes an article's sketch from its indexed body (title, line, body),
    # which it has analyzed already: the same terms as the title's and the body's.
    key = analysis_key(lang)
    title_text, body_text = " ".join(title), " ".join(body)
    terms = index_terms(indexed_body(title_text, body_text), key)
    assert sketch_of_terms(terms) == sketch(title_text, body_text, key)
