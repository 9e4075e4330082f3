"""The architecture's fences: the core never loads the CLI or terminal libraries (nor does
the command line's resolution of options), and the plain types and the renderers never
load the engine."""

from __future__ import annotations

import ast
import subprocess
import sys
from collections.abc import Iterator
from pathlib import Path

import pytest
from conftest import fresh_search


@pytest.mark.parametrize(
    "module",
    [
        "newsgrep.engine.session",
        "newsgrep.cli.fullscreen.state",
        "newsgrep.cli.fullscreen.model",
        "newsgrep.indexer",
        "newsgrep.check",
        "newsgrep.render.jsonl",
        "newsgrep.render.paths",
        "newsgrep.cli.resolve",
    ],
)
def test_core_and_machine_output_load_neither_typer_nor_rich(module: str) -> None:
    code = (
        f"import sys, {module}\n"
        "leaked = sorted(m for m in ('typer', 'rich', 'textual') if m in sys.modules)\n"
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
        "newsgrep.findings",
        "newsgrep.render.jsonl",
        "newsgrep.render.paths",
        "newsgrep.render.template",
        "newsgrep.render.human",
        "newsgrep.render.progress",
        "newsgrep.cli.resolve",
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


PACKAGE = Path(__file__).resolve().parent.parent / "newsgrep"


def _modules() -> dict[str, Path]:
    found = {}
    for path in sorted(PACKAGE.rglob("*.py")):
        parts = path.relative_to(PACKAGE.parent).with_suffix("").parts
        name = ".".join(parts[:-1] if parts[-1] == "__init__" else parts)
        found[name] = path
    return found


def _imports(tree: ast.AST, package: str) -> Iterator[str]:
    """Every module `tree` imports, anywhere in it (functions included)."""
    for node in ast.walk(tree):
        if isinstance(node, ast.Import):
            yield from (alias.name for alias in node.names)
        elif isinstance(node, ast.ImportFrom):
            if node.level:  # relative: from the module's own package
                base = package.rsplit(".", node.level - 1)[0] if node.level > 1 else package
                yield f"{base}.{node.module}" if node.module else base
            elif node.module:
                yield node.module
                yield from (f"{node.module}.{alias.name}" for alias in node.names)


def test_only_the_engine_imports_whoosh() -> None:
    importers = sorted(
        name
        for name, path in _modules().items()
        if any(m.split(".")[0] == "whoosh" for m in _imports(ast.parse(path.read_text()), name))
    )
    assert importers and all(name.startswith("newsgrep.engine") for name in importers), importers


def _load_time_imports(tree: ast.Module) -> Iterator[ast.Import | ast.ImportFrom]:
    """The imports that run when the module loads: top level, not under TYPE_CHECKING."""
    for node in tree.body:
        if isinstance(node, ast.Import | ast.ImportFrom):
            yield node
        elif isinstance(node, ast.If | ast.Try) and "TYPE_CHECKING" not in ast.unparse(node):
            for child in ast.walk(node):
                if isinstance(child, ast.Import | ast.ImportFrom):
                    yield child


def test_the_package_has_no_import_loop() -> None:
    modules = _modules()
    graph: dict[str, set[str]] = {}
    for name, path in modules.items():
        package = name if path.name == "__init__.py" else name.rpartition(".")[0]
        tree = ast.parse(path.read_text())
        targets = set()
        for node in _load_time_imports(tree):
            holder = ast.Module(body=[node], type_ignores=[])
            targets |= {m for m in _imports(holder, package) if m in modules and m != name}
        graph[name] = targets
    loops = []

    def visit(name: str, trail: list[str]) -> None:
        if name in trail:
            loops.append(trail[trail.index(name) :] + [name])
            return
        for target in sorted(graph[name]):
            # importing `a.b` runs the package `a` first; a package importing its own
            # modules from __init__ is not a loop of ours.
            if not name.startswith(target + "."):
                visit(target, [*trail, name])

    for name in graph:
        visit(name, [])
    assert not loops, loops[0]


def _importers(*libraries: str) -> list[str]:
    return sorted(
        name
        for name, path in _modules().items()
        if any(m.split(".")[0] in libraries for m in _imports(ast.parse(path.read_text()), name))
    )


def test_only_the_command_line_and_the_terminal_renderers_import_typer_or_rich() -> None:
    # ruff's banned-api says the same (newsgrep/cli/ruff.toml lifts it for the command line,
    # and newsgrep/cli/fullscreen/ruff.toml Rich's alone for the full-screen view).
    terminal_renderers = {"newsgrep.render.human", "newsgrep.render.progress"}
    importers = _importers("typer", "rich")
    assert importers and all(
        name.startswith("newsgrep.cli.") or name in terminal_renderers for name in importers
    ), importers
    typer_importers = _importers("typer")
    assert all(name.startswith("newsgrep.cli.") for name in typer_importers)
    assert not any(name.startswith("newsgrep.cli.fullscreen.") for name in typer_importers)


def test_only_the_browse_view_imports_textual() -> None:
    # ruff's banned-api says the same (lifted by newsgrep/cli/fullscreen/ruff.toml alone).
    importers = _importers("textual")
    assert importers and all(name.startswith("newsgrep.cli.fullscreen.") for name in importers), (
        importers
    )


def test_a_search_does_not_load_textual(built_index: Path) -> None:
    # The browse command imports it inside its body; the program and every other command
    # start as fast as before.
    output, report = fresh_search(built_index, "talks")
    assert "Peace talks open in Istanbul" in output  # the search did run
    assert "textual" not in {name.split(".")[0] for name in report["loaded"]}


def test_no_room_grows_past_450_lines() -> None:
    # One job per module: past this, a module has usually taken on a second one.
    sizes = {name: len(path.read_text().splitlines()) for name, path in _modules().items()}
    assert {name: lines for name, lines in sizes.items() if lines > 450} == {}


# What reading web pages, feeds, archives and legacy encodings needs, and telling a
# language; a search needs none of it.
_FORMAT_LIBRARIES = (
    "trafilatura",
    "htmldate",
    "lxml",
    "feedparser",
    "warcio",
    "charset_normalizer",
    "yaml",
    "courlan",
    "justext",
    # The language detector and what it needs: indexing loads them, a search never.
    "py3langid",
    "numpy",
)


def test_a_search_loads_none_of_the_format_libraries(built_index: Path) -> None:
    output, report = fresh_search(built_index, "talks")
    assert "Peace talks open in Istanbul" in output  # the search did run
    loaded = {name.split(".")[0] for name in report["loaded"]}
    assert not loaded & set(_FORMAT_LIBRARIES), loaded & set(_FORMAT_LIBRARIES)
