"""Progress that moves for one large file (bytes written, a file's bytes shared out among its
records, not `0/1 files`), and `stats` after `newsgrep index -`: files given one by one are
listed as files, folders as folders."""

from __future__ import annotations

import io
import json
from pathlib import Path

import pytest
from conftest import newsgrep, write_corpus

from newsgrep.indexer import run_index
from newsgrep.model import Progress


def test_one_large_json_lines_file_reports_progress_within_the_file(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setenv("NEWSGREP_WORKERS", "1")
    records = [
        json.dumps({"id": f"r{n}", "title": f"Story {n}", "body": f"Body of story {n}."})
        for n in range(1000)
    ]
    archive = write_corpus(tmp_path / "news", {"archive.jsonl": "\n".join(records) + "\n"})
    size = (archive / "archive.jsonl").stat().st_size
    calls: list[Progress] = []

    run_index(tmp_path / "index", [archive], progress=calls.append)

    within = [call for call in calls if call.files_done == 0]
    assert len(within) >= 10  # the bar moves while the file's records are written
    assert [call.bytes_done for call in calls] == sorted(call.bytes_done for call in calls)
    assert all(call.bytes_total == size for call in calls)
    assert calls[-1] == Progress(1, 1, 1000, size, size)
    assert 0 < within[len(within) // 2].bytes_done < size


def test_the_bar_shows_bytes_and_files() -> None:
    from rich.console import Console

    from newsgrep.render.progress import ProgressBar

    out = io.StringIO()
    with ProgressBar(Console(file=out, force_terminal=True, width=120), enabled=True) as bar:
        assert bar is not None
        bar(Progress(0, 1, 500, 3 * 1024 * 1024, 12 * 1024 * 1024))
    assert "3 MiB/12 MiB · 0/1 files" in out.getvalue()


def test_stats_after_paths_from_stdin_lists_files_not_folders(tmp_path: Path) -> None:
    names = [f"{part}/{n}.txt" for part in ("a", "b") for n in range(3)]
    news = write_corpus(tmp_path / "news", {name: f"S{name}\n\nStory.\n" for name in names})
    index_dir = tmp_path / "index"
    files = "".join(f"{news / name}\n" for name in names)
    assert newsgrep("index", "--index", index_dir, "-", input=files).exit_code == 0

    human = newsgrep("stats", "--index", index_dir).stdout
    record = json.loads(newsgrep("stats", "--index", index_dir, "--json").stdout)

    assert "folders" not in human
    assert "files    6 given one by one, in:" in human
    assert f"{news / 'a'} (3)" in human
    assert record["folders"] == [] and len(record["files"]) == 6

    run_index(index_dir, [news])  # the folder now covers them
    record = json.loads(newsgrep("stats", "--index", index_dir, "--json").stdout)
    assert (record["folders"], record["files"]) == ([str(news)], [])
