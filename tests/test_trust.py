"""An index folder is trusted input (Whoosh unpickles its files): one that other users may
write is refused before anything in it is read; newsgrep never makes one, whatever the
umask; and nothing in an article file is ever unpickled or constructed, only read as text."""

from __future__ import annotations

import os
import pickle
import stat
from collections.abc import Iterator
from pathlib import Path

import pytest
from conftest import newsgrep, write_corpus

from newsgrep.engine.folder import IndexStore
from newsgrep.errors import IndexTrustError
from newsgrep.indexer import run_index


def add_mode(path: Path, bits: int) -> None:
    path.chmod(path.stat().st_mode | bits)


def toc(index_dir: Path) -> Path:
    return next(index_dir.glob("_MAIN_*.toc"))


def others_may_write(index_dir: Path) -> list[str]:
    paths = [index_dir, *index_dir.rglob("*")]
    return [str(p) for p in paths if p.stat().st_mode & stat.S_IWOTH]


@pytest.fixture
def no_whoosh_open(monkeypatch: pytest.MonkeyPatch) -> None:
    """Fail the test if Whoosh is asked to open (and so unpickle) the index."""

    def refuse(*args: object, **kwargs: object) -> None:
        raise AssertionError("Whoosh opened an untrusted index")

    monkeypatch.setattr("newsgrep.engine.folder.open_index", refuse)


def test_a_folder_others_may_write_is_refused_with_a_hint(
    built_index: Path, no_whoosh_open: None
) -> None:
    add_mode(built_index, stat.S_IWOTH)

    result = newsgrep("search", "talks", "--index", built_index)

    assert result.exit_code == 2
    assert result.stdout == ""
    assert result.stderr.count("\n") == 1 and "Traceback" not in result.stderr
    assert f"{built_index} is writable by other users" in result.stderr
    assert f"chmod o-w {built_index}" in result.stderr


def test_a_file_others_may_write_is_refused_naming_it(
    built_index: Path, no_whoosh_open: None
) -> None:
    target = toc(built_index)
    add_mode(target, stat.S_IWOTH)

    for command in (["search", "talks"], ["stats"], ["show", "grain.txt"]):
        result = newsgrep(*command, "--index", built_index)
        assert result.exit_code == 2, command
        assert f"{target} is writable by other users" in result.stderr
        assert f"chmod o-w {target}" in result.stderr


def test_several_files_others_may_write_get_one_recursive_hint(built_index: Path) -> None:
    add_mode(toc(built_index), stat.S_IWOTH)
    add_mode(built_index / "newsgrep.json", stat.S_IWOTH)

    with pytest.raises(IndexTrustError) as caught:
        IndexStore(built_index).open()

    assert "(and 1 more)" in str(caught.value)
    assert caught.value.hint is not None and f"chmod -R o-w {built_index}" in caught.value.hint


def test_indexing_into_a_folder_others_may_write_is_refused_and_changes_nothing(
    built_index: Path, corpus: Path
) -> None:
    add_mode(built_index, stat.S_IWOTH)
    before = sorted(os.listdir(built_index))
    write_corpus(corpus, {"new.txt": "Zeppelin.\n"})

    result = newsgrep("index", "--index", built_index)

    assert result.exit_code == 2
    assert "writable by other users" in result.stderr
    assert sorted(os.listdir(built_index)) == before


def test_an_empty_folder_others_may_write_is_not_indexed_into(tmp_path: Path, corpus: Path) -> None:
    folder = tmp_path / "shared-index"
    folder.mkdir()
    add_mode(folder, stat.S_IWOTH)

    with pytest.raises(IndexTrustError):
        run_index(folder, [corpus])

    assert os.listdir(folder) == []


def test_group_writable_is_allowed(built_index: Path) -> None:
    for path in [built_index, *built_index.iterdir()]:
        add_mode(path, stat.S_IWGRP)

    result = newsgrep("search", "talks", "--index", built_index, "-c")

    assert result.exit_code == 0 and result.stdout == "2\n"


@pytest.fixture
def permissive_umask() -> Iterator[None]:
    previous = os.umask(0)
    try:
        yield
    finally:
        os.umask(previous)


def test_index_writes_nothing_others_may_write_even_with_umask_0(
    tmp_path: Path, corpus: Path, permissive_umask: None
) -> None:
    index_dir = tmp_path / "made" / "index"

    run_index(index_dir, [corpus])
    write_corpus(corpus, {"new.txt": "Zeppelin.\n"})
    run_index(index_dir)  # an update: new segment, new manifest, new table of contents

    assert others_may_write(index_dir) == []
    assert not (tmp_path / "made").stat().st_mode & stat.S_IWOTH
    assert os.umask(0) == 0  # the process's umask is given back


def test_the_cli_too_writes_nothing_others_may_write_with_umask_0(
    tmp_path: Path, corpus: Path, permissive_umask: None
) -> None:
    index_dir = tmp_path / "index"

    result = newsgrep("index", corpus, "--index", index_dir)

    assert result.exit_code == 0, result.stderr
    assert others_may_write(index_dir) == []
    assert newsgrep("search", "talks", "--index", index_dir, "-c").stdout == "2\n"


# --- article files are only ever text ---------------------------------------------------


def test_yaml_tags_in_front_matter_construct_nothing(tmp_path: Path, index_dir: Path) -> None:
    marker = tmp_path / "constructed"
    news = write_corpus(
        tmp_path / "news",
        {
            "apply.md": (
                f"---\ntitle: !!python/object/apply:os.system ['touch {marker}']\n---\nBody text.\n"
            ),
            "name.md": "---\ntitle: !!python/name:os.system\n---\nBody text.\n",
            "new.md": ("---\ntitle: !!python/object/new:pathlib.Path ['/etc']\n---\nBody text.\n"),
            "fine.md": "---\ntitle: Plain\n---\nBody text.\n",
        },
    )

    report = run_index(index_dir, [news])

    assert not marker.exists()
    skipped = {Path(problem.path).name: problem.reason for problem in report.skipped_files}
    assert sorted(skipped) == ["apply.md", "name.md", "new.md"]
    assert all("malformed front matter" in reason for reason in skipped.values())
    assert report.total_articles == 1


class _Boom:
    """Unpickling this runs a shell command that leaves `marker` behind."""

    def __init__(self, marker: Path) -> None:
        self.marker = marker

    def __reduce__(self) -> tuple[object, tuple[str]]:
        return (os.system, (f"touch {self.marker}",))


def test_pickled_bytes_in_an_article_file_are_never_unpickled(
    tmp_path: Path, index_dir: Path
) -> None:
    marker = tmp_path / "unpickled"
    payload = pickle.dumps(_Boom(marker), protocol=0)  # protocol 0 is printable: reads as text
    news = tmp_path / "news"
    news.mkdir()
    for name in ("a.txt", "b.md", "c.json", "d.jsonl"):
        (news / name).write_bytes(payload)

    report = run_index(index_dir, [news])

    assert not marker.exists()
    assert report.total_articles == 2  # a.txt and b.md: the bytes as text
    skipped = [Path(problem.path).name for problem in report.skipped_files]
    assert skipped == ["c.json", "d.jsonl"]  # not JSON (nor JSON Lines)
