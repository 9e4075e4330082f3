"""The user's configuration file: defaults for the index location, limit, sort and colour.

Found at `--config FILE`, else `$NEWSGREP_CONFIG`, else `$XDG_CONFIG_HOME/newsgrep/config.toml`
(`~/.config/newsgrep/config.toml`). Flags and environment variables win over it; it wins
over built-in defaults. Relative paths are taken from the file's own folder.

    index = "~/news/index"
    limit = 20
    sort = "newest"     # relevance | newest | oldest
    color = "never"     # auto | always | never
    synonyms = "~/news/synonyms.txt"   # more synonym groups (see newsgrep.text.synonyms)
    max_size = "64M"    # skip article files larger than this when indexing; 0: no limit
    pager = "less -R"   # long human output on a terminal; false for none
    date_order = "dmy"  # how 06/01/2004 reads: "dmy" or "mdy" (else it is refused)
"""

from __future__ import annotations

import os
import re
from collections.abc import Mapping
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from newsgrep.errors import NewsgrepError
from newsgrep.wording import parse_size

_PATHS = ("index", "synonyms")
_CHOICES = {
    "sort": ("relevance", "newest", "oldest"),
    "color": ("auto", "always", "never"),
    "date_order": ("dmy", "mdy"),
}

_KEYS = (*_PATHS, "limit", *_CHOICES, "max_size", "pager")


class ConfigError(NewsgrepError):
    """The configuration file cannot be read; the message names the file and line."""


@dataclass(frozen=True, slots=True)
class Config:
    index: Path | None = None
    limit: int | None = None
    sort: str | None = None
    color: str | None = None
    synonyms: Path | None = None
    max_size: int | None = None  # bytes; 0 for no limit
    pager: str | bool | None = None  # a command, or False for none; None: not set
    date_order: str | None = None  # "dmy" or "mdy": how a date such as 06/01/2004 reads
    path: Path | None = None  # the file it was read from


def config_path(explicit: str | None, environ: Mapping[str, str]) -> tuple[Path, bool]:
    """Which file to read, and whether it must exist (it must when named explicitly)."""
    if explicit:
        return Path(explicit).expanduser(), True
    base = environ.get("XDG_CONFIG_HOME") or os.path.join(os.path.expanduser("~"), ".config")
    return Path(base) / "newsgrep" / "config.toml", False


def load_config(path: Path, *, required: bool) -> Config:
    """Read the configuration at `path`; an absent optional file is an empty configuration.

    Raises:
        ConfigError: unreadable, not TOML, an unknown key, or a value of the wrong kind.
    """
    try:
        text = path.read_text(encoding="utf-8")
    except FileNotFoundError:
        if required:
            raise ConfigError(f"{path}: no such configuration file") from None
        return Config()
    except (OSError, UnicodeDecodeError) as error:
        raise ConfigError(f"{path}: cannot read it ({error})") from None
    import tomllib  # only when there is a file: most runs have none

    try:
        values = tomllib.loads(text)
    except tomllib.TOMLDecodeError as error:
        raise ConfigError(f"{path}: {_toml_problem(error)}") from None
    return _validated(values, text, path)


def _toml_problem(error: ValueError) -> str:
    # tomllib says "... (at line 3, column 7)": lead with the line, as compilers do.
    message = str(error)
    found = re.search(r"\(at line (\d+), column \d+\)$", message)
    if found:
        return f"line {found.group(1)}: {message[: found.start()].strip()}"
    return message


def _validated(values: dict[str, Any], text: str, path: Path) -> Config:
    settings: dict[str, Any] = {}
    for key, value in values.items():
        where = f"{path}: line {_line_of(key, text)}"
        if key in _PATHS and isinstance(value, str) and value:
            given = Path(value).expanduser()
            settings[key] = given if given.is_absolute() else path.parent / given
        elif key == "limit" and isinstance(value, int) and not isinstance(value, bool):
            if value < 0:
                raise ConfigError(f"{where}: limit must be 0 (all) or more, not {value}")
            settings["limit"] = value
        elif key in _CHOICES and value in _CHOICES[key]:
            settings[key] = value
        elif key == "max_size" and isinstance(value, int | str) and not isinstance(value, bool):
            try:
                settings["max_size"] = parse_size(str(value))
            except ValueError as error:
                raise ConfigError(f"{where}: max_size: {error}") from None
        elif key == "pager" and (value is False or (isinstance(value, str) and value.strip())):
            settings["pager"] = value
        elif key in _KEYS:
            raise ConfigError(f"{where}: {key} = {value!r} is not {_expected(key)}")
        else:
            known = ", ".join(_KEYS)
            raise ConfigError(f"{where}: unknown setting {key!r} (known: {known})")
    return Config(path=path, **settings)


def _expected(key: str) -> str:
    if key in _PATHS:
        return "a path in quotes"
    if key == "limit":
        return "a whole number"
    if key == "max_size":
        return 'a size such as "64M"'
    if key == "pager":
        return "a command in quotes, or false"
    return "one of " + ", ".join(f'"{choice}"' for choice in _CHOICES[key])


def _line_of(key: str, text: str) -> int:
    pattern = re.compile(rf"^[ \t]*[\"']?{re.escape(key)}[\"']?\s*=", re.MULTILINE)
    found = pattern.search(text)
    return text.count("\n", 0, found.start()) + 1 if found else 1
