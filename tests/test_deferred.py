"""Modules deferred to their first use (`engine.deferred`): nothing of theirs runs until
something reads them, and then they are whole, as if imported the ordinary way."""

from __future__ import annotations

import importlib
import sys
import threading
import types
from collections.abc import Iterator
from pathlib import Path

import pytest

from newsgrep.engine.deferred import defer

# Each module below notes its run in `ran` (a module of this test's folder).
MODULES = {
    "ran.py": "runs = []\n",
    "plain.py": (
        "import ran\nran.runs.append(__name__)\n"
        "def fetch(x):\n    return ('fetched', x)\n"
        "LIMIT = 3\n"
    ),
    "package/__init__.py": "import ran\nran.runs.append(__name__)\nNAME = 'package'\n",
    "package/part.py": "import ran\nran.runs.append(__name__)\nPART = 1\n",
    "broken.py": "import ran\nran.runs.append(__name__)\nraise RuntimeError('bad module')\n",
    "slow.py": ("import ran, time\nran.runs.append(__name__)\ntime.sleep(0.05)\nVALUE = 42\n"),
}


@pytest.fixture
def modules(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Iterator[types.ModuleType]:
    """The modules of MODULES importable, and `ran` (what ran so far)."""
    for name, text in MODULES.items():
        (tmp_path / name).parent.mkdir(exist_ok=True)
        (tmp_path / name).write_text(text, encoding="utf-8")
    monkeypatch.syspath_prepend(str(tmp_path))
    yield importlib.import_module("ran")
    for name in MODULES:
        sys.modules.pop(name.removesuffix(".py").replace("/__init__", "").replace("/", "."), None)


def test_nothing_runs_until_a_name_is_read(modules: types.ModuleType) -> None:
    defer("plain")
    import plain

    assert modules.runs == []
    assert plain.LIMIT == 3
    assert modules.runs == ["plain"]
    assert plain.fetch(1) == ("fetched", 1)
    assert type(plain) is types.ModuleType and modules.runs == ["plain"]


def test_a_name_imported_from_it_waits_until_called(modules: types.ModuleType) -> None:
    defer("plain", ("fetch",))
    from plain import fetch  # as Whoosh imports urlretrieve

    assert modules.runs == []
    assert fetch("x") == ("fetched", "x")
    assert modules.runs == ["plain"]
    assert sys.modules["plain"].fetch is not fetch  # the real one, now in its module


def test_another_name_imported_from_it_loads_it(modules: types.ModuleType) -> None:
    defer("plain", ("fetch",))
    from plain import LIMIT

    assert LIMIT == 3 and modules.runs == ["plain"]


def test_a_deferred_package_loads_when_read_and_its_parts_import(
    modules: types.ModuleType,
) -> None:
    defer("package")
    import package.part

    assert modules.runs == ["package.part"]
    assert package.part.PART == 1
    assert package.NAME == "package"
    assert modules.runs == ["package.part", "package"]


def test_a_module_that_fails_fails_where_it_is_used_and_again_next_time(
    modules: types.ModuleType,
) -> None:
    defer("broken")
    import broken

    for _ in range(2):
        with pytest.raises(RuntimeError, match="bad module"):
            _ = broken.anything
    assert modules.runs == ["broken", "broken"]


def test_a_module_runs_once_however_many_threads_ask_first(modules: types.ModuleType) -> None:
    defer("slow")
    import slow

    values: list[int] = []
    threads = [threading.Thread(target=lambda: values.append(slow.VALUE)) for _ in range(4)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    assert values == [42] * 4
    assert modules.runs == ["slow"]


def test_a_module_imported_already_or_missing_is_left_alone(modules: types.ModuleType) -> None:
    import plain

    defer("plain")
    assert sys.modules["plain"] is plain and type(plain) is types.ModuleType
    defer("no_such_module_here")
    assert "no_such_module_here" not in sys.modules


_USES_THEM_ALL = """
from newsgrep.engine.deferred import UNUSED_BY_SEARCH, defer_unused_imports
defer_unused_imports()
import whoosh.index, whoosh.qparser, whoosh.query
import asyncio, calendar, random, shutil, tempfile, urllib.request
from whoosh.analysis import StemmingAnalyzer
from whoosh.compat import urlretrieve
from whoosh.lang.dmetaphone import double_metaphone
from whoosh.lang.morph_en import variations

async def answer():
    await asyncio.sleep(0)
    return 42

assert asyncio.run(answer()) == 42
assert urllib.request.Request("http://example.org/").host == "example.org"
assert urlretrieve.__name__ == "urlretrieve" and callable(urllib.request.urlretrieve)
assert [t.text for t in StemmingAnalyzer()("jumping dogs")] == ["jump", "dog"]
assert "runs" in variations("run") and double_metaphone("Smith")[0] == "SM0"
assert calendar.monthrange(2024, 2)[1] == 29 and tempfile.gettempdir()
assert 0 <= random.random() < 1 and shutil.which("sh")
import sys, types
assert all(type(sys.modules[name]) is types.ModuleType for name, _ in UNUSED_BY_SEARCH)
print("ok")
"""


def test_whoosh_and_the_deferred_modules_work_whole_when_used() -> None:
    import subprocess

    run = subprocess.run([sys.executable, "-c", _USES_THEM_ALL], capture_output=True, text=True)
    assert run.stdout.strip() == "ok", run.stderr
