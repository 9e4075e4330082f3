"""The config file: where it is found, what it may say, and that flags and env win over it."""

from __future__ import annotations

import json
from pathlib import Path

import pytest
from typer.testing import CliRunner

from newsgrep.cli import app
from newsgrep.config import Config, ConfigError, config_path, load_config

runner = CliRunner()


def write(path: Path, text: str) -> Path:
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_text(text, encoding="utf-8")
    return path


def test_default_location_follows_xdg(tmp_path: Path) -> None:
    assert config_path(None, {"XDG_CONFIG_HOME": str(tmp_path)}) == (
        tmp_path / "newsgrep" / "config.toml",
        False,
    )
    assert config_path("~/my.toml", {})[1] is True


def test_missing_default_file_is_an_empty_config(tmp_path: Path) -> None:
    assert load_config(tmp_path / "none.toml", required=False) == Config()


def test_missing_named_file_is_an_error(tmp_path: Path) -> None:
    with pytest.raises(ConfigError, match="no such configuration file"):
        load_config(tmp_path / "none.toml", required=True)


def test_settings_are_read_and_relative_index_is_beside_the_file(tmp_path: Path) -> None:
    path = write(
        tmp_path / "conf" / "config.toml",
        'index = "idx"\nlimit = 3\nsort = "newest"\ncolor = "never"\n',
    )
    config = load_config(path, required=True)
    assert config == Config(
        index=tmp_path / "conf" / "idx", limit=3, sort="newest", color="never", path=path
    )


@pytest.mark.parametrize(
    ("text", "message"),
    [
        ('limit = 3\nsort = "sideways"\n', r"config.toml: line 2: sort = 'sideways' is not one of"),
        ('\n\nlimit = "ten"\n', r"config.toml: line 3: limit = 'ten' is not a whole number"),
        ("limit = -1\n", r"config.toml: line 1: limit must be 0 \(all\) or more"),
        ('colour = "never"\n', r"config.toml: line 1: unknown setting 'colour' \(known: index"),
        ("limit = 3\nsort = \n", r"config.toml: line 2: Invalid value"),
    ],
)
def test_invalid_config_names_file_and_line(tmp_path: Path, text: str, message: str) -> None:
    with pytest.raises(ConfigError, match=message):
        load_config(write(tmp_path / "config.toml", text), required=True)


@pytest.fixture
def configured(tmp_path: Path, built_index: Path, monkeypatch: pytest.MonkeyPatch) -> Path:
    """A user config (found through XDG_CONFIG_HOME) that points at the built index."""
    monkeypatch.delenv("NEWSGREP_INDEX")
    monkeypatch.setenv("XDG_CONFIG_HOME", str(tmp_path / "xdg"))
    text = f'index = "{built_index}"\nlimit = 1\nsort = "oldest"\n'
    return write(tmp_path / "xdg" / "newsgrep" / "config.toml", text)


def ids(result) -> list[str]:  # type: ignore[no-untyped-def]
    assert result.exit_code == 0, result.output
    return [json.loads(line)["id"] for line in result.stdout.splitlines()]


def test_config_supplies_index_limit_and_sort(configured: Path) -> None:
    assert ids(runner.invoke(app, ["search", "istanbul", "--json"])) == ["istanbul-talks.txt"]


def test_flags_win_over_the_config(configured: Path) -> None:
    result = runner.invoke(app, ["search", "istanbul", "--json", "-n", "5", "--sort", "newest"])
    assert ids(result) == ["briefs.jsonl#b2", "istanbul-talks.txt"]


def test_environment_wins_over_the_config(
    configured: Path, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setenv("NEWSGREP_INDEX", str(tmp_path / "elsewhere"))
    result = runner.invoke(app, ["search", "istanbul"])
    assert result.exit_code == 2 and "no index at" in result.stderr


def test_config_limit_does_not_cap_counts(configured: Path) -> None:
    assert runner.invoke(app, ["search", "istanbul", "-c"]).stdout == "2\n"


def test_config_flag_and_environment_name_the_file(
    configured: Path, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    other = write(tmp_path / "other.toml", 'limit = 2\nsort = "newest"\n')
    monkeypatch.setenv("NEWSGREP_INDEX", str(configured.parent))  # not an index: overridden below
    result = runner.invoke(
        app,
        [
            "--config",
            str(other),
            "search",
            "istanbul",
            "--json",
            "--index",
            str(tmp_path / "index"),
        ],
    )
    assert ids(result) == ["briefs.jsonl#b2", "istanbul-talks.txt"]
    monkeypatch.setenv("NEWSGREP_CONFIG", str(tmp_path / "missing.toml"))
    failed = runner.invoke(app, ["search", "istanbul"])
    assert failed.exit_code == 2
    assert failed.stderr == f"newsgrep: {tmp_path / 'missing.toml'}: no such configuration file\n"


def test_invalid_config_is_a_one_line_error(configured: Path) -> None:
    configured.write_text("limit = = 3\n", encoding="utf-8")
    result = runner.invoke(app, ["search", "istanbul"])
    assert result.exit_code == 2
    assert result.stderr.startswith(f"newsgrep: {configured}: line 1: ")
    assert result.stderr.count("\n") == 1
