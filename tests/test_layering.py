"""The architecture's fences: the core never loads the CLI or terminal libraries, and the
plain types and the renderers never load the engine."""

from __future__ import annotations

import subprocess
import sys

import pytest


@pytest.mark.parametrize(
    "module",
    [
        "newsgrep.engine.session",
        "newsgrep.indexer",
        "newsgrep.check",
        "newsgrep.render.jsonl",
        "newsgrep.render.paths",
    ],
)
def test_core_and_machine_output_load_neither_typer_nor_rich(module: str) -> None:
    code = (
        f"import sys, {module}\n"
        "leaked = sorted(m for m in ('typer', 'rich') if m in sys.modules)\n"
        "print(','.join(leaked))\n"
    )
    result = subprocess.run(
        [sys.executable, "-c", code], capture_output=True, text=True, check=True
    )
    assert result.stdout.strip() == ""


@pytest.mark.parametrize(
    "module",
    [
        "newsgrep.model",
        "newsgrep.render.jsonl",
        "newsgrep.render.paths",
        "newsgrep.render.template",
        "newsgrep.render.human",
    ],
)
def test_the_types_and_the_renderers_load_no_whoosh(module: str) -> None:
    code = (
        f"import sys, {module}\n"
        "print(','.join(sorted(m for m in sys.modules if m.split('.')[0] == 'whoosh')))\n"
    )
    result = subprocess.run(
        [sys.executable, "-c", code], capture_output=True, text=True, check=True
    )
    assert result.stdout.strip() == ""
