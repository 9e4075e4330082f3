"""The README's examples, run: every `$ command` in a ```console block, in order, against a
fresh index of seeds/, must print what the README shows (stdout and stderr together, with
timings such as "· 12 ms" left out). A block may end with a line "…" to say that only the
lines above it are shown. Commands that need a tool missing here (jq) are skipped."""

from __future__ import annotations

import os
import re
import shutil
import subprocess
import sys
from dataclasses import dataclass
from pathlib import Path

import pytest
from conftest import REPO

README = REPO / "README.md"
_TIMING = re.compile(r" · [\d.,]+ (?:ms|s)$", re.MULTILINE)


@dataclass
class Example:
    command: str
    expected: list[str]
    partial: bool


def examples() -> list[Example]:
    found: list[Example] = []
    in_console = False
    for line in README.read_text(encoding="utf-8").splitlines():
        if line.startswith("```console"):
            in_console = True
        elif line.startswith("```"):
            in_console = False
        elif in_console and line.startswith("$ "):
            found.append(Example(line[2:], [], False))
        elif in_console and found:
            if line == "…":
                found[-1].partial = True
            else:
                found[-1].expected.append(line)
    return found


def test_the_readme_has_examples() -> None:
    assert len(examples()) >= 8


def test_readme_examples_print_what_the_readme_shows(tmp_path: Path) -> None:
    bin_dir = str(Path(sys.executable).parent)
    if not os.path.exists(os.path.join(bin_dir, "newsgrep")):
        pytest.skip("the newsgrep command is not installed beside this Python")
    env = {
        **os.environ,
        "PATH": bin_dir + os.pathsep + os.environ["PATH"],
        "NEWSGREP_INDEX": str(tmp_path / "index"),
        "XDG_CONFIG_HOME": str(tmp_path / "config"),
        "COLUMNS": "200",
    }
    env.pop("NEWSGREP_CONFIG", None)
    skipped = []
    for example in examples():
        if "jq " in example.command and shutil.which("jq") is None:
            skipped.append(example.command)
            continue
        result = subprocess.run(
            ["bash", "-o", "pipefail", "-c", example.command + " 2>&1"],
            cwd=REPO,
            env=env,
            capture_output=True,
            text=True,
            timeout=60,
        )
        lines = _TIMING.sub("", result.stdout).splitlines()
        if example.partial:
            lines = lines[: len(example.expected)]
        assert lines == example.expected, f"README example: $ {example.command}"
    assert len(skipped) <= 2, skipped
