"""Records, not files: changing a record of a JSON Lines or JSON file re-indexes that record
only, and lines appended to a file read before are the only part read again."""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

import pytest

from newsgrep import indexing_pass
from newsgrep.engine.session import search
from newsgrep.indexer import run_index
from newsgrep.model import SearchRequest


def line(key: str, body: str) -> str:
    return json.dumps({"id": key, "title": key.upper(), "body": body}) + "\n"


@pytest.fixture
def wire(tmp_path: Path) -> Path:
    folder = tmp_path / "news"
    folder.mkdir()
    lines = [line(f"s{n}", f"story {n} about grain and oil") for n in range(50)]
    (folder / "wire.jsonl").write_text("".join(lines), encoding="utf-8")
    return folder


def found(index_dir: Path, query: str) -> list[str]:
    return sorted(hit.id for hit in search(index_dir, SearchRequest(query, limit=None)).hits)


def whole_file_reads(monkeypatch: pytest.MonkeyPatch) -> list[str]:
    calls: list[str] = []
    real = indexing_pass.parse_article_file

    def spy(name: str, data: bytes, **options: Any) -> Any:
        calls.append(name)
        return real(name, data, **options)

    monkeypatch.setattr(indexing_pass, "parse_article_file", spy)
    return calls


def test_an_appended_line_is_the_only_article_written_and_the_file_is_not_parsed_again(
    wire: Path, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    index_dir = tmp_path / "index"
    run_index(index_dir, [wire])
    with (wire / "wire.jsonl").open("a", encoding="utf-8") as out:
        out.write(line("s50", "a zeppelin over the harbour"))
    reads = whole_file_reads(monkeypatch)

    report = run_index(index_dir)

    assert (report.updated, report.articles_added, report.articles_removed) == (1, 1, 0)
    assert reads == []  # only the new line was read
    assert found(index_dir, "zeppelin") == ["wire.jsonl#s50"]
    assert report.total_articles == 51


def test_an_edited_record_is_the_only_one_written_again(wire: Path, tmp_path: Path) -> None:
    index_dir = tmp_path / "index"
    run_index(index_dir, [wire])
    path = wire / "wire.jsonl"
    lines = path.read_text(encoding="utf-8").splitlines(keepends=True)
    lines[7] = line("s7", "story 7 about a zeppelin")
    path.write_text("".join(lines), encoding="utf-8")

    report = run_index(index_dir)

    assert (report.articles_added, report.articles_removed) == (1, 1)
    assert found(index_dir, "zeppelin") == ["wire.jsonl#s7"]
    assert len(found(index_dir, "grain")) == 49


def test_a_deleted_record_goes_and_a_line_put_before_others_renumbers_what_follows(
    wire: Path, tmp_path: Path
) -> None:
    index_dir = tmp_path / "index"
    run_index(index_dir, [wire])
    path = wire / "wire.jsonl"
    lines = path.read_text(encoding="utf-8").splitlines(keepends=True)
    del lines[49]
    path.write_text("".join(lines), encoding="utf-8")
    assert run_index(index_dir).articles_removed == 1
    assert "wire.jsonl#s49" not in found(index_dir, "grain")

    # Each article's place in its file counts (it orders equal scores), so the records
    # after a line put in front are written again: the index then equals a fresh build.
    path.write_text(line("s99", "breaking: zeppelin") + "".join(lines[:3]), encoding="utf-8")
    report = run_index(index_dir)
    assert (report.articles_added, report.articles_removed, report.total_articles) == (4, 49, 4)
    assert found(index_dir, "zeppelin") == ["wire.jsonl#s99"]


def test_a_file_rewritten_with_its_records_reordered_is_read_whole(
    wire: Path, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    index_dir = tmp_path / "index"
    run_index(index_dir, [wire])
    path = wire / "wire.jsonl"
    lines = path.read_text(encoding="utf-8").splitlines(keepends=True)
    path.write_text("".join(reversed(lines)) + line("s50", "zeppelin"), encoding="utf-8")
    reads = whole_file_reads(monkeypatch)

    report = run_index(index_dir)

    assert reads == ["wire.jsonl"]
    assert report.total_articles == 51
    assert found(index_dir, "zeppelin") == ["wire.jsonl#s50"]


def test_the_space_of_replaced_articles_is_reported_and_compact_frees_it(
    wire: Path, tmp_path: Path
) -> None:
    from newsgrep.check import check_index
    from newsgrep.findings import FindingKind
    from newsgrep.stats import index_stats

    index_dir = tmp_path / "index"
    run_index(index_dir, [wire])
    path = wire / "wire.jsonl"
    lines = path.read_text(encoding="utf-8").splitlines(keepends=True)
    lines[3] = line("s3", "an edited story about a zeppelin")
    path.write_text("".join(lines), encoding="utf-8")
    run_index(index_dir)

    stats = index_stats(index_dir)
    assert stats.articles == 50 and stats.deleted_articles == 1
    assert 0 < stats.reclaimable_bytes < stats.index_bytes
    notes = check_index(index_dir).notes
    assert [note.kind for note in notes] == [FindingKind.WASTED_SPACE]
    assert "newsgrep index --compact" in notes[0].message

    ranked = search(index_dir, SearchRequest("story zeppelin", limit=None)).hits
    run_index(index_dir, compact=True)

    assert index_stats(index_dir).deleted_articles == 0
    assert check_index(index_dir).notes == []
    again = search(index_dir, SearchRequest("story zeppelin", limit=None)).hits
    assert [(h.id, h.score) for h in again] == [(h.id, h.score) for h in ranked]


def test_a_segment_with_many_deletions_is_rewritten_by_the_next_commit(
    wire: Path, tmp_path: Path
) -> None:
    from newsgrep.stats import index_stats

    index_dir = tmp_path / "index"
    run_index(index_dir, [wire])
    path = wire / "wire.jsonl"
    lines = path.read_text(encoding="utf-8").splitlines(keepends=True)
    for number in range(0, 50, 4):  # a quarter of the records edited
        lines[number] = line(f"s{number}", f"story {number} rewritten")
    path.write_text("".join(lines), encoding="utf-8")
    run_index(index_dir)

    assert index_stats(index_dir).deleted_articles == 0
