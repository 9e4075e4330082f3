"""The systems measured: newsgrep and its peers, as the commands that build, refresh, query
and search with each one. Every build and refresh is a whole process, so its wall time and
peak RSS compare like for like; warm queries run in one worker process per system."""

from __future__ import annotations

import hashlib
import importlib.util
import os
import shutil
import sys
from dataclasses import dataclass
from pathlib import Path

from bench import peer_recoll
from bench.corpus import DATA, REPO, Corpus
from bench.measure import tree_bytes

PYTHON = sys.executable
BENCH = REPO / "bench"
INDEXES = DATA / "index"
SCRATCH = DATA / "scratch"


def worker_env() -> dict[str, str]:
    """The environment of a worker: `bench` importable, no index from the caller's shell."""
    env = {key: value for key, value in os.environ.items() if key != "NEWSGREP_INDEX"}
    env["PYTHONPATH"] = os.pathsep.join(filter(None, [str(REPO), env.get("PYTHONPATH")]))
    return env


def _worker(python: str, *args: str) -> list[str]:
    return [python, "-m", "bench.worker", *args]


def newsgrep_executable() -> str:
    beside = Path(PYTHON).parent / "newsgrep"
    found = str(beside) if beside.exists() else shutil.which("newsgrep")
    if found is None:
        raise SystemExit("bench: the newsgrep command is not installed (pip install -e .)")
    return found


@dataclass(frozen=True, slots=True)
class System:
    """One system. `has_index` False: nothing to build (ripgrep's brute force)."""

    name: str
    title: str
    has_index: bool = True
    python: str = PYTHON

    def index_dir(self, corpus: Corpus) -> Path:
        return INDEXES / corpus.key / self.name

    def missing(self) -> str | None:
        """Why this system cannot run here, or None."""
        return None

    def fingerprint(self) -> str:
        """What a built index depends on besides the corpus; a change means a rebuild."""
        return ""

    def prepare(self, corpus: Corpus) -> None:
        """Before a build: clear the old index."""
        index = self.index_dir(corpus)
        if index.exists():
            shutil.rmtree(index)

    def prepare_at(self, corpus: Corpus, index: Path) -> None:
        """Before a build into `index` (not the built one): clear it."""
        if index.exists():
            shutil.rmtree(index)

    def build_command(self, corpus: Corpus, index: Path | None = None) -> list[str]:
        target = str(index or self.index_dir(corpus))
        return _worker(self.python, "build", self.name, str(corpus.root), target)

    def refresh_command(self, corpus: Corpus, index: Path) -> list[str]:
        return _worker(self.python, "refresh", self.name, str(corpus.root), str(index))

    def copy_index(self, corpus: Corpus, destination: Path) -> None:
        """A working copy of the built index, for measurements that change it."""
        if destination.exists():
            shutil.rmtree(destination)
        shutil.copytree(self.index_dir(corpus), destination)

    def query_command(self, corpus: Corpus, repeat: int) -> list[str]:
        index = str(self.index_dir(corpus))
        return _worker(self.python, "query", self.name, index, "--repeat", str(repeat))

    def cold_commands(self, corpus: Corpus, word: str) -> dict[str, list[str]]:
        """The whole-process searches for one word, by output kind."""
        raise NotImplementedError

    def index_bytes(self, corpus: Corpus) -> int:
        return self.size_of(self.index_dir(corpus))

    def size_of(self, index: Path) -> int:
        """The bytes of the index at `index` (every file, as `du --apparent-size`)."""
        return tree_bytes(index)


class Newsgrep(System):
    def fingerprint(self) -> str:
        """A hash of the installed newsgrep's source: an index built by other code is not
        reused by a phase that does not build."""
        spec = importlib.util.find_spec("newsgrep")
        digest = hashlib.blake2b(digest_size=8)
        folders = spec.submodule_search_locations if spec is not None else None
        for folder in folders or []:
            for path in sorted(Path(folder).rglob("*.py")):
                digest.update(path.read_bytes())
        return digest.hexdigest()

    def build_command(self, corpus: Corpus, index: Path | None = None) -> list[str]:
        target = str(index or self.index_dir(corpus))
        return [newsgrep_executable(), "index", "--index", target, "--quiet", str(corpus.root)]

    def refresh_command(self, corpus: Corpus, index: Path) -> list[str]:
        return [newsgrep_executable(), "index", "--index", str(index)]

    def cold_commands(self, corpus: Corpus, word: str) -> dict[str, list[str]]:
        search = [newsgrep_executable(), "search", "--index", str(self.index_dir(corpus)), word]
        return {"human": search, "json": [*search, "--json"]}


class Fts5(System):
    def cold_commands(self, corpus: Corpus, word: str) -> dict[str, list[str]]:
        from bench.peer_fts5 import cold_command

        return {"human": cold_command(self.index_dir(corpus), word)}

    def missing(self) -> str | None:
        return None if shutil.which("sqlite3") else "the sqlite3 command (apt-get install sqlite3)"


class Tantivy(System):
    def cold_commands(self, corpus: Corpus, word: str) -> dict[str, list[str]]:
        script = str(BENCH / "cold_tantivy.py")
        return {"human": [self.python, script, str(self.index_dir(corpus)), word]}

    def missing(self) -> str | None:
        try:
            import tantivy  # noqa: F401
        except ImportError:
            return "tantivy-py (pip install tantivy)"
        return None


class NaiveWhoosh(System):
    def cold_commands(self, corpus: Corpus, word: str) -> dict[str, list[str]]:
        script = str(BENCH / "cold_whoosh.py")
        return {"human": [self.python, script, str(self.index_dir(corpus)), word]}


class Recoll(System):
    def prepare(self, corpus: Corpus) -> None:
        super().prepare(corpus)
        peer_recoll.write_config(self.index_dir(corpus), corpus.root)

    def prepare_at(self, corpus: Corpus, index: Path) -> None:
        super().prepare_at(corpus, index)
        peer_recoll.write_config(index, corpus.root)

    def build_command(self, corpus: Corpus, index: Path | None = None) -> list[str]:
        return peer_recoll.build_command(index or self.index_dir(corpus))

    def refresh_command(self, corpus: Corpus, index: Path) -> list[str]:
        return peer_recoll.refresh_command(index)

    def copy_index(self, corpus: Corpus, destination: Path) -> None:
        super().copy_index(corpus, destination)
        peer_recoll.write_config(destination, corpus.root)  # its dbdir is the copy's

    def cold_commands(self, corpus: Corpus, word: str) -> dict[str, list[str]]:
        return {"human": peer_recoll.cold_command(self.index_dir(corpus), word)}

    def size_of(self, index: Path) -> int:
        return tree_bytes(peer_recoll.database(index))

    def missing(self) -> str | None:
        if not shutil.which(peer_recoll.RECOLLINDEX):
            return "recoll (apt-get install recoll)"
        if not Path(self.python).exists():
            return f"{self.python} with python3-recoll"
        return None


class Ripgrep(System):
    def cold_commands(self, corpus: Corpus, word: str) -> dict[str, list[str]]:
        return {"human": ["rg", "-il", word, str(corpus.root)]}

    def missing(self) -> str | None:
        return None if shutil.which("rg") else "ripgrep (apt-get install ripgrep)"


SYSTEMS: dict[str, System] = {
    system.name: system
    for system in (
        Newsgrep("newsgrep", "newsgrep"),
        Fts5("fts5", "FTS5"),
        Tantivy("tantivy", "tantivy"),
        Recoll("recoll", "recoll", python=peer_recoll.SYSTEM_PYTHON),
        Ripgrep("rg", "rg -il", has_index=False),
        NaiveWhoosh("whoosh", "naive Whoosh"),
    )
}
PEERS = [name for name in SYSTEMS if name != "newsgrep"]
