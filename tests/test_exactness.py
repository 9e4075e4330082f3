"""An updated index answers exactly as a fresh build of the same files.

After any sequence of adds, edits and deletes — of files, and of records inside a JSON
Lines file — every answer (hits, their order and scores, counts, snippets, `similar`,
stats, counts by month) equals what a fresh build of the folder gives. Hypothesis drives
random sequences of changes (its profile in conftest.py sets how many); a few named
sequences run every time.
"""

from __future__ import annotations

import json
import shutil
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import pytest
from conftest import examples
from hypothesis import given, settings
from hypothesis import strategies as st

from newsgrep.engine.session import SearchSession
from newsgrep.indexer import run_index
from newsgrep.model import Facet, Match, SearchRequest, Sort

WORDS = (  # noqa: SIM905 - words, kept as one readable string
    "oil price talks grain wheat storm flood market bank rate peace minister election "
    "strike port ship harvest court trial vote"
).split()
QUERIES = (
    "oil",
    "talks peace",
    "grain wheat harvest",
    "market rate bank",
    "storm OR flood",
    "pri*",
    "harvst~",
    "ship -port",
    '"peace talks"',
    "minister zzzq",
)
MONTHS = ("2025-01", "2025-02", "2025-03")


@dataclass(frozen=True)
class Story:
    words: tuple[str, ...]
    month: int
    day: int

    def text(self, title: bool) -> str:
        date = f"{MONTHS[self.month]}-{self.day:02d}"
        body = " ".join(self.words)
        head = f"Title: {' '.join(self.words[:2]).title()}\n" if title else ""
        return f"{head}Date: {date}\n\n{body}.\n"

    def record(self, key: int | None) -> dict[str, Any]:
        record: dict[str, Any] = {
            "title": " ".join(self.words[:3]),
            "date": f"{MONTHS[self.month]}-{self.day:02d}",
            "body": " ".join(self.words),
        }
        if key is not None:
            record["id"] = f"r{key}"
        return record


stories = st.builds(
    Story,
    st.lists(st.sampled_from(WORDS), min_size=1, max_size=12).map(tuple),
    st.integers(0, len(MONTHS) - 1),
    st.integers(1, 28),
)


class Archive:
    """A folder of .txt files and one .jsonl file, changed a step at a time."""

    def __init__(self, root: Path) -> None:
        self.root = root
        self.folder = root / "news"
        self.folder.mkdir(parents=True)
        self.files: dict[str, Story] = {}
        self.records: list[tuple[int | None, Story]] = []
        self.next_key = 0

    def apply(self, step: tuple[str, int, Story]) -> None:
        action, which, story = step
        names = sorted(self.files)
        if action == "add file" or (action in ("edit file", "delete file") and not names):
            name = f"f{len(self.files) + which}-{self.next_key}.txt"
            self.next_key += 1
            self.files[name] = story
        elif action == "edit file":
            self.files[names[which % len(names)]] = story
        elif action == "delete file":
            del self.files[names[which % len(names)]]
        elif action == "append record" or not self.records:
            key = self.next_key if which % 3 else None  # some records have no id
            self.next_key += 1
            self.records.append((key, story))
        elif action == "edit record":
            index = which % len(self.records)
            self.records[index] = (self.records[index][0], story)
        else:  # delete record
            del self.records[which % len(self.records)]
        self.write()

    def write(self) -> None:
        for path in self.folder.glob("*.txt"):
            if path.name not in self.files:
                path.unlink()
        for name, story in self.files.items():
            path = self.folder / name
            text = story.text(title=len(name) % 2 == 0)
            if not path.exists() or path.read_text(encoding="utf-8") != text:
                path.write_text(text, encoding="utf-8")
        lines = [json.dumps(story.record(key)) for key, story in self.records]
        target = self.folder / "wire.jsonl"
        text = "".join(line + "\n" for line in lines)
        if lines and (not target.exists() or target.read_text(encoding="utf-8") != text):
            target.write_text(text, encoding="utf-8")
        elif not lines and target.exists():
            target.unlink()


def answers(index_dir: Path) -> dict[str, Any]:
    """Everything a user can ask of the index, as plain values."""
    found: dict[str, Any] = {}
    with SearchSession(index_dir) as session:
        for text in QUERIES:
            for sort in (Sort.RELEVANCE, Sort.NEWEST):
                for match in (Match.AUTO, Match.ANY):
                    request = SearchRequest(text, limit=None, sort=sort, match=match, snippets=1)
                    try:
                        result = session.search(request)
                    except Exception as error:  # the same error either way
                        found[f"{text}|{sort}|{match}"] = type(error).__name__
                        continue
                    found[f"{text}|{sort}|{match}"] = (
                        result.total,
                        result.suggestion,
                        result.all_words,
                        [_hit(hit) for hit in result.hits],
                    )
        found["months"] = session.count_by(Facet.MONTH)
        found["matches by month"] = session.count_by(Facet.MONTH, SearchRequest("oil OR talks"))
        found["articles"] = session.article_count()
        found["span"] = session.date_span()
        hits = session.search(SearchRequest("oil OR grain OR storm", limit=3)).hits
        for hit in hits:
            similar = session.similar(hit.id, SearchRequest(hit.id, limit=None))
            found[f"like {hit.id}"] = [_hit(h) for h in similar.hits]
    return found


LANGUAGE_TEXTS = Path(__file__).parent / "data" / "languages"
# Words in several languages and scripts: each finds its articles as their language reads it.
WORLD_QUERIES = ("права", "Menschen Rechte", "libres", "人身安全", "dignité", "human", "insan")


def test_a_multilingual_archive_updated_answers_as_a_fresh_build(tmp_path: Path) -> None:
    # Articles declare no language (each is detected); a deleted article's terms are
    # counted in its own language's analysis, and a language gone from the index stops
    # being read.
    texts = {p.stem: p.read_text(encoding="utf-8") for p in LANGUAGE_TEXTS.glob("*.txt")}
    folder = tmp_path / "news"
    folder.mkdir()
    updated, fresh = tmp_path / "updated", tmp_path / "fresh"
    for lang in ("de", "ru", "uk", "zh", "fr", "en", "tr"):
        (folder / f"{lang}.txt").write_text(texts[lang], encoding="utf-8")
    run_index(updated, [folder])
    (folder / "de.txt").write_text(texts["ru"] + texts["uk"], encoding="utf-8")  # now Russian
    (folder / "zh.txt").unlink()
    (folder / "fr.txt").write_text(texts["fr"] + "\n" + texts["es"], encoding="utf-8")
    records = [{"id": lang, "body": texts[lang], "lang": lang} for lang in ("de", "ja", "pt")]
    (folder / "wire.jsonl").write_text("".join(json.dumps(r) + "\n" for r in records))
    run_index(updated, [folder])
    (folder / "wire.jsonl").write_text(json.dumps(records[0]) + "\n")
    run_index(updated, [folder])
    run_index(fresh, [folder])
    assert _world_answers(updated) == _world_answers(fresh)


def _world_answers(index_dir: Path) -> dict[str, Any]:
    found: dict[str, Any] = {}
    with SearchSession(index_dir) as session:
        for text in WORLD_QUERIES:
            result = session.search(SearchRequest(text, limit=None, snippets=1))
            found[text] = (result.total, [_hit(hit) for hit in result.hits])
            found[f"{text} explained"] = session.explain(SearchRequest(text)).parsed
        found["langs"] = session.count_by(Facet.LANG)
        for target in ("de.txt", "wire.jsonl#de"):
            like = session.similar(target, SearchRequest(target, limit=None))
            found[f"like {target}"] = [_hit(h) for h in like.hits]
    return found


def _hit(hit: Any) -> tuple[Any, ...]:
    snippets = tuple((s.text, s.spans) for s in hit.snippets)
    return (hit.id, hit.score, hit.title, hit.title_spans, hit.date, snippets, hit.duplicates)


def assert_same_as_fresh(archive: Archive, updated: Path) -> None:
    fresh = archive.root / "fresh"
    shutil.rmtree(fresh, ignore_errors=True)
    if not archive.files and not archive.records:
        return
    run_index(fresh, [archive.folder])
    assert answers(updated) == answers(fresh)


def run_steps(tmp_path: Path, steps: list[tuple[str, int, Story]]) -> None:
    archive = Archive(tmp_path)
    updated = tmp_path / "updated"
    for step in steps:
        archive.apply(step)
        run_index(updated, [archive.folder])
    assert_same_as_fresh(archive, updated)


ACTIONS = (
    "add file",
    "edit file",
    "delete file",
    "append record",
    "edit record",
    "delete record",
)


@settings(max_examples=examples(0.3))
@given(
    st.lists(
        st.tuples(st.sampled_from(ACTIONS), st.integers(0, 5), stories), min_size=2, max_size=7
    )
)
def test_any_sequence_of_changes_answers_as_a_fresh_build(
    tmp_path_factory: pytest.TempPathFactory, steps: list[tuple[str, int, Story]]
) -> None:
    run_steps(tmp_path_factory.mktemp("archive"), steps)


def _story(words: str, month: int = 0, day: int = 1) -> Story:
    return Story(tuple(words.split()), month, day)


def test_edits_deletes_and_appends_of_files_and_records_answer_as_a_fresh_build(
    tmp_path: Path,
) -> None:
    base = [
        ("add file", 0, _story("oil price talks peace", 0, 3)),
        ("add file", 1, _story("grain wheat harvest storm", 1, 4)),
        ("add file", 2, _story("market rate bank oil oil", 2, 5)),
        ("append record", 1, _story("peace talks minister election", 0, 6)),
        ("append record", 2, _story("oil price market", 1, 7)),
        ("append record", 0, _story("storm flood port ship", 2, 8)),
    ]
    changes = [
        ("edit record", 1, _story("oil oil oil price", 1, 9)),
        ("delete record", 0, _story("x", 0, 1)),
        ("append record", 1, _story("court trial vote oil", 0, 10)),
        ("edit file", 0, _story("talks peace peace", 0, 11)),
        ("delete file", 1, _story("x", 0, 1)),
        ("add file", 3, _story("harvest grain oil", 2, 12)),
    ]
    archive = Archive(tmp_path)
    updated = tmp_path / "updated"
    for step in base:
        archive.apply(step)
    run_index(updated, [archive.folder])
    for step in changes:
        archive.apply(step)
    run_index(updated, [archive.folder])
    assert_same_as_fresh(archive, updated)


def test_identical_articles_rank_alike_in_either_index(tmp_path: Path) -> None:
    # Equal scores must not be ordered by where each index happens to hold the articles.
    steps = [("add file", n, _story("oil price talks")) for n in range(4)]
    steps += [("edit file", 0, _story("oil price talks")), ("edit file", 2, _story("oil"))]
    run_steps(tmp_path, steps)
