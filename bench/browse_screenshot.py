"""The README's picture of `newsgrep browse`: a search on the seeds/ article, as SVG.

    python bench/browse_screenshot.py            # writes docs/browse.svg

The seeds are indexed into a temporary folder; the view runs headless at 120x32, types
the query letter by letter, moves to the list, and exports the screen.
"""

from __future__ import annotations

import asyncio
import sys
import tempfile
from pathlib import Path

if __package__ in (None, ""):  # run as a script: make the `bench` package importable
    sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

from bench.corpus import REPO
from newsgrep.cli.fullscreen.app import BrowseApp
from newsgrep.cli.resolve import SearchOptions, resolve_browse
from newsgrep.config import Config
from newsgrep.indexer import run_index
from newsgrep.text.synonyms import load_synonyms

QUERY = "turkiye talks"
OUT = REPO / "docs" / "browse.svg"


async def shoot(index: Path) -> str:
    template = resolve_browse(SearchOptions(), Config(), load_synonyms).request
    app = BrowseApp(index, template)
    async with app.run_test(size=(120, 32)) as pilot:
        await pilot.pause(0.5)
        await pilot.press(*[{" ": "space"}.get(c, c) for c in QUERY])
        await pilot.pause(1.0)  # the search, the preview, then the sparkline
        await pilot.press("enter")
        await pilot.pause(0.5)
        return app.export_screenshot(title=f"newsgrep browse {QUERY!r}")


def main() -> None:
    with tempfile.TemporaryDirectory() as folder:
        index = Path(folder) / "index"
        run_index(index, [REPO / "seeds"])
        svg = asyncio.run(shoot(index))
    OUT.write_text(svg, encoding="utf-8")
    print(f"wrote {OUT}")


if __name__ == "__main__":
    main()
