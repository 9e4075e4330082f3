"""newsgrep: full-text search over a folder of news articles, from the command line.

The core (articles, analysis, store, indexer, search, snippets) returns plain data and
never prints; `render` turns results into output and `cli` is the command line.
"""

__version__ = "0.1.0"
