"""The modules Whoosh imports that a search never runs, made to load when first used.

Whoosh's `compat` imports `urllib.request` (with http.client, email and ssl) for
`urlretrieve`, which only its own downloads call; whoosh-reloaded's `cached_property`
imports `asyncio` to ask whether a getter is a coroutine (`postings.remember_deletions`
keeps a search from asking); Whoosh's query and analysis modules build the English
morphology, Porter and metaphone tables newsgrep never asks them for (its analysis is
`newsgrep.text.analysis`); and its storage, time and utility modules import `tempfile`,
`calendar`, `shutil` and `random` for temporary indexes, date arithmetic, copying and
random names. Loading them is about a quarter of a cold search (docs/benchmarks.md).

`defer_unused_imports` registers each as a module whose code runs the first time something
reads an attribute it does not yet have, as `importlib.util.LazyLoader` does, except that
the names Whoosh imports from it one by one (`from urllib.request import urlretrieve`) are
bound beforehand to stand-ins that load the module when called. A program that uses them
gets them whole; one that does not never pays for them. Only the command's entry point
calls it (before Whoosh is imported): a library must not change its host's imports.
"""

from __future__ import annotations

import importlib.util
import sys
import threading
import types
from collections.abc import Callable
from typing import Any

# Each module with the names Whoosh's modules import from it by name.
UNUSED_BY_SEARCH: tuple[tuple[str, tuple[str, ...]], ...] = (
    ("urllib.request", ("urlretrieve",)),
    ("asyncio", ()),
    ("whoosh.lang.morph_en", ("variations",)),
    ("whoosh.lang.porter", ("stem",)),
    ("whoosh.lang.dmetaphone", ("double_metaphone",)),
    ("tempfile", ()),
    ("calendar", ()),
    ("shutil", ("copyfileobj",)),
    ("random", ()),
)

# Held while a deferred module runs: another thread that reads it meanwhile waits for it.
_loading = threading.RLock()
_running: set[str] = set()  # the modules running now (in the thread holding `_loading`)


class _Deferred(types.ModuleType):
    """A module whose code has not run yet: reading a name it lacks runs it."""

    def __getattr__(self, name: str) -> Any:
        spec = self.__spec__
        if name == "__path__" and (spec is None or spec.submodule_search_locations is None):
            # `from module import name` asks a module whether it is a package first.
            raise AttributeError(name)
        load(self)
        if type(self) is _Deferred:  # its own code, running, asks for a name not made yet
            raise AttributeError(
                f"partially initialized module {self.__name__!r} has no attribute {name!r}"
            )
        return getattr(self, name)


def defer_unused_imports() -> None:
    """Defer the modules of `UNUSED_BY_SEARCH` that are not imported yet."""
    for name, bound in UNUSED_BY_SEARCH:
        defer(name, bound)


def defer(name: str, bound: tuple[str, ...] = ()) -> None:
    """Register the module `name` to load on first use, with stand-ins for the names
    `bound`; nothing if it is imported already or cannot be found."""
    if name in sys.modules:
        return
    spec = importlib.util.find_spec(name)
    if spec is None or spec.loader is None or not hasattr(spec.loader, "exec_module"):
        return
    module = importlib.util.module_from_spec(spec)
    module.__class__ = _Deferred
    for attribute in bound:
        setattr(module, attribute, _stand_in(module, attribute))
    sys.modules[name] = module
    parent, _, child = name.rpartition(".")
    if parent:
        setattr(sys.modules[parent], child, module)


def load(module: types.ModuleType) -> None:
    """Run a deferred module's code, once: a thread that asks while another runs it waits,
    and the thread running it, asking again from inside it, is not made to wait."""
    with _loading:
        if type(module) is not _Deferred or module.__name__ in _running:
            return
        spec = module.__spec__
        assert spec is not None and spec.loader is not None
        _running.add(module.__name__)
        try:
            spec.loader.exec_module(module)
        finally:
            _running.discard(module.__name__)
        _make_ordinary(module)


def _make_ordinary(module: types.ModuleType) -> None:
    module.__class__ = types.ModuleType


def _stand_in(module: types.ModuleType, name: str) -> Callable[..., Any]:
    """A function that loads `module` and calls its real `name`."""

    def call(*args: Any, **kwargs: Any) -> Any:
        load(module)
        real = module.__dict__[name]
        if real is call:
            raise ImportError(f"{module.__name__} has no {name}")
        return real(*args, **kwargs)

    call.__name__ = call.__qualname__ = name
    return call
