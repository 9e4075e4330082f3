"""Shared fixtures: a small literal corpus in several formats, and isolated index folders.

The corpus is chosen so that stemming, accent folding, title-versus-body hits, dates,
sources and a no-match all have something to find.
"""

from __future__ import annotations

import contextlib
import os
import subprocess
import sys
from collections.abc import Iterator
from pathlib import Path

import pytest
from hypothesis import HealthCheck, settings

# Property tests (tests/test_properties.py): "ci" is the default, 574 examples in all, about
# 12 s; `HYPOTHESIS_PROFILE=thorough pytest tests/test_properties.py` tries 25 times as many
# (14,350: about 10 minutes; see the figures in docs/reliability.md).
_PROPERTY_SETTINGS = {
    "deadline": None,  # an index commit or a process start can take a while on a busy box
    "suppress_health_check": [HealthCheck.too_slow, HealthCheck.function_scoped_fixture],
}
settings.register_profile("ci", max_examples=40, print_blob=True, **_PROPERTY_SETTINGS)
settings.register_profile("thorough", max_examples=1000, **_PROPERTY_SETTINGS)
settings.load_profile(os.environ.get("HYPOTHESIS_PROFILE", "ci"))


def examples(share: float) -> int:
    """A test's number of examples: `share` of the profile's, at least 3."""
    return max(3, round(settings.default.max_examples * share))


REPO = Path(__file__).resolve().parent.parent
SEEDS = REPO / "seeds"
SHARED = REPO.parent / "shared"

CORPUS: dict[str, str] = {
    "istanbul-talks.txt": (
        "date 2025-05-15\n"
        "Peace talks open in Istanbul\n"
        "\n"
        "Delegations from Russia and Ukraine met in Istanbul on Thursday for talks brokered "
        "by Türkiye. The negotiations were the first face-to-face meeting in three years.\n"
    ),
    "grain.txt": (
        "Title: Grain exports recover\n"
        "Date: 2025-04-02\n"
        "Source: Wire Service\n"
        "URL: https://example.org/grain\n"
        "\n"
        "Grain shipments through the Black Sea rose in March, traders said. "
        "Wheat and maize prices fell.\n"
    ),
    "world/floods.md": (
        "---\n"
        "title: Floods in the valley\n"
        "date: 2024-11-20\n"
        "source: Daily Planet\n"
        "tags: [weather, europe]\n"
        "---\n"
        "Heavy rain flooded the valley for a second week. Residents were evacuated as the "
        "river rose.\n"
    ),
    "briefs.jsonl": (
        '{"id": "b1", "title": "Central bank holds rates", "date": "2025-03-01", '
        '"source": "Wire Service", "body": "The central bank kept its interest rate '
        'unchanged, citing inflation."}\n'
        '{"id": "b2", "title": "Istanbul mayor speaks", "date": "2025-05-20", '
        '"body": "The mayor of Istanbul spoke about housing."}\n'
    ),
    "undated.txt": "Talking about nothing in particular, a columnist wrote a column.\n",
}


def write_corpus(folder: Path, files: dict[str, str] | None = None) -> Path:
    """Write `files` (default: CORPUS) under `folder`; returns the folder."""
    for name, text in (CORPUS if files is None else files).items():
        path = folder / name
        path.parent.mkdir(parents=True, exist_ok=True)
        path.write_text(text, encoding="utf-8")
    return folder


@pytest.fixture(autouse=True)
def isolate_env(monkeypatch: pytest.MonkeyPatch, tmp_path: Path) -> Iterator[None]:
    """No test sees the user's index, colours or terminal width."""
    monkeypatch.setenv("NEWSGREP_INDEX", str(tmp_path / "default-index"))
    monkeypatch.setenv("COLUMNS", "100")
    monkeypatch.delenv("NO_COLOR", raising=False)
    monkeypatch.delenv("FORCE_COLOR", raising=False)
    monkeypatch.setenv("TERM", "xterm-256color")
    yield


@pytest.fixture
def corpus(tmp_path: Path) -> Path:
    """A folder holding CORPUS."""
    return write_corpus(tmp_path / "news")


@pytest.fixture
def index_dir(tmp_path: Path) -> Path:
    return tmp_path / "index"


@pytest.fixture
def built_index(corpus: Path, index_dir: Path) -> Path:
    """An index of `corpus`; returns the index folder."""
    from newsgrep.indexer import run_index

    report = run_index(index_dir, [corpus])
    assert report.total_articles == 6
    return index_dir


def is_root() -> bool:
    return hasattr(os, "geteuid") and os.geteuid() == 0


def newsgrep(*args: str | Path, input: str | None = None):  # type: ignore[no-untyped-def]
    """The CLI in this process (typer's CliRunner); stdout and stderr apart."""
    from typer.testing import CliRunner

    from newsgrep.cli import app

    return CliRunner().invoke(app, [str(arg) for arg in args], input=input)


def run(
    *args: str | Path, stdin: bytes | None = None, cwd: Path | None = None
) -> subprocess.CompletedProcess[bytes]:
    """The CLI as a real process (`python -m newsgrep`), with warnings made errors."""
    return subprocess.run(
        [sys.executable, "-m", "newsgrep", *map(str, args)],
        input=stdin,
        capture_output=True,
        cwd=cwd,
        env={**os.environ, "PYTHONWARNINGS": "error"},
        timeout=60,
    )


_LOCK_HOLDER = """
import sys
from pathlib import Path
from newsgrep.engine.folder import IndexStore
from newsgrep.engine.index import Index
with IndexStore(Path(sys.argv[1])).lock(5):
    print("locked", flush=True)
    sys.stdin.readline()
"""


@contextlib.contextmanager
def lock_holder(index_dir: Path) -> Iterator[subprocess.Popen[str]]:
    """Another process holding the index's write lock, until it reads a line on stdin (or
    is killed); yielded once it holds the lock."""
    with subprocess.Popen(
        [sys.executable, "-c", _LOCK_HOLDER, str(index_dir)],
        stdin=subprocess.PIPE,
        stdout=subprocess.PIPE,
        text=True,
    ) as holder:
        assert holder.stdout is not None and holder.stdout.readline().strip() == "locked"
        yield holder


# A search in a fresh interpreter, reporting what it loaded and which script classes it
# compiled (what start-up and the layering fences are about).
_FRESH_SEARCH = """
import sys
from newsgrep.__main__ import main
sys.argv = ['newsgrep', 'search', *{args!r}, '--index', {index!r}]
try:
    main()
except SystemExit:
    pass
deferred = sys.modules.get('newsgrep.engine.deferred')
waiting = [n for n, m in list(sys.modules.items()) if deferred and type(m) is deferred._Deferred]
print('loaded:' + ','.join(sorted(set(sys.modules) - set(waiting))), file=sys.stderr)
print('deferred:' + ','.join(sorted(waiting)), file=sys.stderr)
import gc
print('collector:' + ('on' if gc.isenabled() else ''), file=sys.stderr)
scripts = sys.modules.get('newsgrep.text.languages.scripts')
compiled = [f.__name__ for f in (scripts._unspaced_run, scripts._letter_marks)
            if f.cache_info().currsize] if scripts else []
print('compiled:' + ','.join(compiled), file=sys.stderr)
"""


def fresh_search(index: Path, *args: str) -> tuple[str, dict[str, set[str]]]:
    """`newsgrep search ARGS --index INDEX` in a new interpreter: its output, and what it
    had loaded (`loaded`: module names; `deferred`: those registered to load on first use,
    not used) and compiled (`compiled`) by the end, and whether the garbage collector was
    on then (`collector`: {"on"} or empty)."""
    code = _FRESH_SEARCH.format(args=list(args), index=str(index))
    result = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True)
    lines = [line.partition(":") for line in result.stderr.splitlines()]
    report = {key: set(filter(None, rest.split(","))) for key, _, rest in lines if key}
    return result.stdout, report
