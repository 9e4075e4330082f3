"""Finding the index as git finds `.git`: the nearest `index/` holding a newsgrep index, from
the working folder up, when neither --index, NEWSGREP_INDEX nor the config names one; and a
"no index" error that says where newsgrep looked."""

from __future__ import annotations

from pathlib import Path

import pytest
from conftest import newsgrep, write_corpus

from newsgrep.config import Config
from newsgrep.engine.folder import META_FILE
from newsgrep.errors import IndexNotFoundError
from newsgrep.indexer import run_index
from newsgrep.locate import INDEX_NAME, MARKER, discovered, find_index, require_index

ARTICLES = {
    "2025/05/talks.txt": "date 2025-05-15\nPeace talks\n\nTalks in Istanbul.\n",
    "2024/rain.txt": "date 2024-11-20\nFloods\n\nRain in the valley.\n",
}


@pytest.fixture
def archive(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Path:
    """An archive indexed from its top, as `cd archive && newsgrep index .` makes it; the
    tests' NEWSGREP_INDEX unset, so that the index is looked for."""
    root = write_corpus(tmp_path / "archive", ARTICLES)
    run_index(root / INDEX_NAME, [root])
    monkeypatch.delenv("NEWSGREP_INDEX")
    monkeypatch.setenv("XDG_CONFIG_HOME", str(tmp_path / "no-config"))
    return root


def test_the_marker_is_the_file_an_index_is_made_with() -> None:
    assert MARKER == META_FILE


def test_a_search_from_a_subfolder_finds_the_archives_index(
    archive: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.chdir(archive / "2025" / "05")

    result = newsgrep("search", "talks", "-l")

    assert result.exit_code == 0, result.stderr
    assert result.stdout == "talks.txt\n"  # paths relative to where the search ran
    assert newsgrep("stats").exit_code == 0
    assert newsgrep("check", "-q").exit_code == 0
    assert newsgrep("show", "2024/rain.txt").exit_code == 0


def test_discovery_stops_at_the_nearest_index_and_names_can_override_it(
    archive: Path, tmp_path: Path
) -> None:
    inner = write_corpus(archive / "2024" / "extra", {"x.txt": "X\n\nX.\n"})
    run_index(inner / INDEX_NAME, [inner])

    assert find_index(inner) == inner / INDEX_NAME
    assert find_index(archive / "2024") == archive / INDEX_NAME
    assert find_index(tmp_path) is None
    assert discovered(archive).path == Path(INDEX_NAME)  # the working folder's own: as given
    assert discovered(archive / "2025").path == archive / INDEX_NAME


def test_an_indexing_run_uses_an_index_above_only_for_paths_inside_its_folder(
    archive: Path, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.chdir(archive / "2025")
    (archive / "2025" / "new.txt").write_text("New\n\nA new story.\n")

    assert newsgrep("index").exit_code == 0  # a bare refresh of the archive's index
    assert not (archive / "2025" / INDEX_NAME).exists()
    assert newsgrep("search", "story", "-c").stdout == "1\n"

    elsewhere = write_corpus(tmp_path / "elsewhere", {"e.txt": "E\n\nElsewhere.\n"})
    assert discovered(archive / "2025", inside=(elsewhere,)).path == Path(INDEX_NAME)
    assert discovered(archive / "2025", inside=(Path("new.txt"),)).path == archive / "index"


def test_no_index_says_where_it_looked(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.delenv("NEWSGREP_INDEX")
    monkeypatch.setenv("XDG_CONFIG_HOME", str(tmp_path / "no-config"))
    here = tmp_path / "empty"
    here.mkdir()
    monkeypatch.chdir(here)

    result = newsgrep("search", "talks")

    assert result.exit_code == 2
    assert result.stderr.startswith(f"newsgrep: no index in {here} or any folder above it")
    assert f"run: newsgrep index FOLDER to index a folder of articles (. for {here})" in (
        result.stderr
    )
    named = newsgrep("search", "talks", "--index", tmp_path / "none")
    assert named.stderr.startswith(f"newsgrep: no index at {tmp_path / 'none'} (--index")
    assert f"run: newsgrep index --index {tmp_path / 'none'} FOLDER" in named.stderr


def test_an_index_whose_first_run_never_committed_names_what_was_indexed(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.chdir(tmp_path)
    folder = write_corpus(tmp_path / "news", {"a.txt": "A\n\nA.\n"})
    index_dir = tmp_path / "index"
    run_index(index_dir, [folder])
    for toc in index_dir.glob("_MAIN_*.toc"):
        toc.unlink()  # as a first run stopped before its commit leaves it

    with pytest.raises(IndexNotFoundError) as raised:
        require_index(discovered(tmp_path))

    assert "its first indexing run did not finish" in str(raised.value)
    assert raised.value.hint == f"run: newsgrep index {folder}"


def test_the_config_and_the_flag_win_over_discovery(archive: Path) -> None:
    from newsgrep.locate import locate_index

    start = archive / "2025"
    assert locate_index(Path("given"), Config(), cwd=start).path == Path("given")
    assert locate_index(None, Config(index=Path("/c")), cwd=start).path == Path("/c")
    assert locate_index(None, Config(), cwd=start).path == archive / "index"
