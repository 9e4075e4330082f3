"""Output renderers over the same `SearchResult`: human (Rich), JSON Lines, paths, count.

Kept free of imports so that loading `render.jsonl` never pulls in Rich.
"""
